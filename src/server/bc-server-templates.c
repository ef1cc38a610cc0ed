/* bc-server-templates.c: the template versions a server knows, shipped and published.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-server"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "bc-server-templates.h"

struct _BcServerTemplates {
  BcServerStore      *store;
  BcTemplateRegistry *shipped;
  GMutex              lock;
  GHashTable         *published;   /* "id\nversion" → BcTemplate */
};

BcServerTemplates *
bc_server_templates_new (BcServerStore      *store,
                         BcTemplateRegistry *shipped)
{
  BcServerTemplates *self = g_new0 (BcServerTemplates, 1);

  self->store = store;
  self->shipped = shipped != NULL ? g_object_ref (shipped) : NULL;
  g_mutex_init (&self->lock);
  self->published = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  return self;
}

void
bc_server_templates_free (BcServerTemplates *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->shipped);
  g_hash_table_unref (self->published);
  g_mutex_clear (&self->lock);
  g_free (self);
}

BcTemplate *
bc_server_templates_lookup (BcServerTemplates  *self,
                            const char         *template_id,
                            gint64              version,
                            GError            **error)
{
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  g_autofree char *key = g_strdup_printf ("%s\n%" G_GINT64_FORMAT, template_id, version);
  g_autofree char *definition = NULL;
  g_autofree char *filename = NULL;
  g_autoptr(GError) local_error = NULL;
  BcTemplate *template_;

  template_ = g_hash_table_lookup (self->published, key);
  if (template_ != NULL)
    return g_object_ref (template_);

  /* Published versions come first: the province's copy is what it checks. */
  if (self->store != NULL)
    definition = bc_server_store_get_template (self->store, template_id, version, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (definition != NULL)
    {
      filename = g_strdup_printf ("%s-v%" G_GINT64_FORMAT ".json", template_id, version);
      template_ = bc_template_new_from_data (definition, -1, filename, error);
      if (template_ == NULL)
        return NULL;
      g_hash_table_insert (self->published, g_steal_pointer (&key), g_object_ref (template_));
      return template_;
    }

  if (self->shipped != NULL && version > 0 && version <= G_MAXINT)
    {
      template_ = bc_template_registry_lookup (self->shipped, template_id, (int) version, NULL);
      if (template_ != NULL)
        return g_object_ref (template_);
    }

  g_set_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_NOT_FOUND,
               _("The server does not know version %d of template %s."),
               (int) CLAMP (version, G_MININT, G_MAXINT), template_id);
  return NULL;
}
