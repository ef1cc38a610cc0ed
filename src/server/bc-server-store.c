/* bc-server-store.c: the store interface's dispatch and its records.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-server-store"

#include "config.h"

#include "bc-server-store.h"

G_DEFINE_QUARK (bc-server-store-error-quark, bc_server_store_error)

void
bc_server_store_free (BcServerStore *self)
{
  if (self != NULL)
    self->klass->free (self);
}

char *
bc_server_store_get_meta (BcServerStore *self, const char *key, GError **error)
{
  g_return_val_if_fail (self != NULL && key != NULL, NULL);
  return self->klass->get_meta (self, key, error);
}

gboolean
bc_server_store_set_meta (BcServerStore *self, const char *key, const char *value, GError **error)
{
  g_return_val_if_fail (self != NULL && key != NULL && value != NULL, FALSE);
  return self->klass->set_meta (self, key, value, error);
}

gboolean
bc_server_store_load_units (BcServerStore *self, JsonArray *units, gint64 now, GError **error)
{
  g_return_val_if_fail (self != NULL && units != NULL, FALSE);
  return self->klass->load_units (self, units, now, error);
}

JsonArray *
bc_server_store_list_units (BcServerStore *self, GError **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->klass->list_units (self, error);
}

gboolean
bc_server_store_add_user (BcServerStore *self, const char *name, const char *unit,
                          const char *password_hash, gint64 now, GError **error)
{
  g_return_val_if_fail (self != NULL && name != NULL && unit != NULL && password_hash != NULL, FALSE);
  return self->klass->add_user (self, name, unit, password_hash, now, error);
}

BcStoreUser *
bc_server_store_find_user (BcServerStore *self, const char *name, GError **error)
{
  g_return_val_if_fail (self != NULL && name != NULL, NULL);
  return self->klass->find_user (self, name, error);
}

GPtrArray *
bc_server_store_list_users (BcServerStore *self, GError **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->klass->list_users (self, error);
}

char *
bc_server_store_add_device (BcServerStore *self, gint64 user_id, const char *name,
                            const char *token_hash, gint64 now, GError **error)
{
  g_return_val_if_fail (self != NULL && name != NULL && token_hash != NULL, NULL);
  return self->klass->add_device (self, user_id, name, token_hash, now, error);
}

BcStoreDevice *
bc_server_store_find_token (BcServerStore *self, const char *token_hash, gint64 now, GError **error)
{
  g_return_val_if_fail (self != NULL && token_hash != NULL, NULL);
  return self->klass->find_token (self, token_hash, now, error);
}

gboolean
bc_server_store_revoke_device (BcServerStore *self, const char *device_id, gint64 now, GError **error)
{
  g_return_val_if_fail (self != NULL && device_id != NULL, FALSE);
  return self->klass->revoke_device (self, device_id, now, error);
}

GPtrArray *
bc_server_store_list_devices (BcServerStore *self, GError **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->klass->list_devices (self, error);
}

gboolean
bc_server_store_publish_template (BcServerStore *self, const char *template_id, gint64 version,
                                  const char *definition, gint64 now, GError **error)
{
  g_return_val_if_fail (self != NULL && template_id != NULL && definition != NULL, FALSE);
  return self->klass->publish_template (self, template_id, version, definition, now, error);
}

char *
bc_server_store_get_template (BcServerStore *self, const char *template_id, gint64 version,
                              GError **error)
{
  g_return_val_if_fail (self != NULL && template_id != NULL, NULL);
  return self->klass->get_template (self, template_id, version, error);
}

gboolean
bc_server_store_publish_plan (BcServerStore *self, const char *plan_id, const char *definition,
                              GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  g_return_val_if_fail (self != NULL && plan_id != NULL && definition != NULL, FALSE);

  if (!json_parser_load_from_data (parser, definition, -1, error))
    return FALSE;
  root = json_parser_get_root (parser);
  g_return_val_if_fail (root != NULL && JSON_NODE_HOLDS_OBJECT (root), FALSE);
  return self->klass->publish_plan (self, plan_id, root, error);
}

char *
bc_server_store_get_plan (BcServerStore *self, const char *plan_id, GError **error)
{
  g_return_val_if_fail (self != NULL && plan_id != NULL, NULL);
  return self->klass->get_plan (self, plan_id, error);
}

JsonArray *
bc_server_store_list_plans (BcServerStore *self, GError **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->klass->list_plans (self, error);
}

JsonNode *
_bc_server_store_published_change (const char *kind,
                                   const char *id,
                                   gint64      version,
                                   JsonNode   *definition)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind);
  json_builder_set_member_name (builder, kind);
  json_builder_add_string_value (builder, id);
  if (g_str_equal (kind, "template"))
    {
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, version);
    }
  json_builder_set_member_name (builder, "definition");
  json_builder_add_value (builder, json_node_copy (definition));
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
_bc_server_store_plan_definition (const char *body,
                                  const char *plan_id)
{
  g_autoptr(JsonNode) root = json_from_string (body, NULL);
  JsonObject *change;
  JsonNode *definition;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  change = json_node_get_object (root);
  if (plan_id != NULL
      && g_strcmp0 (json_object_get_string_member_with_default (change, "plan", NULL), plan_id) != 0)
    return NULL;
  definition = json_object_get_member (change, "definition");
  return definition != NULL ? json_node_copy (definition) : NULL;
}

gboolean
bc_server_store_push (BcServerStore *self, const char *unit, const char *device_id,
                      const BcStorePushItem *item, gint64 now, BcStorePushResult *result,
                      GError **error)
{
  g_return_val_if_fail (self != NULL && unit != NULL && item != NULL && result != NULL, FALSE);
  return self->klass->push (self, unit, device_id, item, now, result, error);
}

JsonArray *
bc_server_store_changes (BcServerStore *self, const char *unit, gint64 since, guint limit,
                         GError **error)
{
  g_return_val_if_fail (self != NULL && unit != NULL, NULL);
  return self->klass->changes (self, unit, since, limit, error);
}

GStrv
bc_server_store_report_units (BcServerStore *self, const char *report_id, GError **error)
{
  g_return_val_if_fail (self != NULL && report_id != NULL, NULL);
  return self->klass->report_units (self, report_id, error);
}

JsonObject *
bc_server_store_get_report (BcServerStore *self, const char *unit, const char *report_id,
                            GError **error)
{
  g_return_val_if_fail (self != NULL && unit != NULL && report_id != NULL, NULL);
  return self->klass->get_report (self, unit, report_id, error);
}

GPtrArray *
bc_server_store_list_reports (BcServerStore *self, const char *period, const char *unit,
                              GError **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->klass->list_reports (self, period, unit, error);
}

gboolean
bc_server_store_review (BcServerStore *self, const char *unit, const char *report_id,
                        const char *decision, const char *comment, const char *reviewer,
                        gint64 now, GError **error)
{
  g_return_val_if_fail (self != NULL && unit != NULL && report_id != NULL && decision != NULL, FALSE);
  return self->klass->review (self, unit, report_id, decision, comment, reviewer, now, error);
}

gboolean
bc_server_store_backup (BcServerStore *self, const char *path, GError **error)
{
  g_return_val_if_fail (self != NULL && path != NULL, FALSE);
  return self->klass->backup (self, path, error);
}

gboolean
bc_server_store_sync (BcServerStore *self, GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->klass->sync (self, error);
}

void
bc_store_user_free (BcStoreUser *user)
{
  if (user == NULL)
    return;
  g_free (user->name);
  g_free (user->unit);
  g_free (user->password_hash);
  g_free (user);
}

void
bc_store_device_free (BcStoreDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->id);
  g_free (device->name);
  g_free (device->user);
  g_free (device->unit);
  g_free (device);
}

void
bc_store_report_free (BcStoreReport *report)
{
  if (report == NULL)
    return;
  g_free (report->unit);
  g_free (report->report_id);
  g_free (report->template_id);
  g_free (report->period);
  g_free (report->state);
  g_free (report->receipt_number);
  g_free (report->content);
  g_free (report);
}

void
bc_store_push_result_clear (BcStorePushResult *result)
{
  g_clear_pointer (&result->receipt_number, g_free);
}

char *
bc_server_store_device_token_hash (BcServerStore  *self,
                                   const char     *device_id,
                                   GError        **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (device_id != NULL, NULL);

  return self->klass->device_token_hash (self, device_id, error);
}
