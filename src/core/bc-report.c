/* bc-report.c: one report as loaded from a workbook, and its status machine.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-report"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "bc-report.h"

struct _BcReport
{
  GObject     parent_instance;

  char       *id;
  char       *template_id;
  int         template_version;
  char       *period_id;
  char       *unit;
  BcStatus    status;
  gint64      revision;
  gint64      created_at;
  gint64      updated_at;
  gint64      submitted_at;
  char       *review_comment;

  /* "key\x1frow_id" → value; a separator no key can hold keeps the two apart. */
  GHashTable *values;
  /* table id → GArray of gint64 row ids, in position order */
  GHashTable *rows;
  /* "rule_id\x1frow_id" → text */
  GHashTable *justifications;
};

G_DEFINE_FINAL_TYPE (BcReport, bc_report, G_TYPE_OBJECT)

static const struct {
  const char *id;
  const char *label;
} status_names[] = {
  [BC_STATUS_DRAFT]    = { "draft",    N_("Draft") },
  [BC_STATUS_READY]    = { "ready",    N_("Ready to send") },
  [BC_STATUS_QUEUED]   = { "queued",   N_("Waiting to send") },
  [BC_STATUS_SENT]     = { "sent",     N_("Sent") },
  [BC_STATUS_ACCEPTED] = { "accepted", N_("Accepted") },
  [BC_STATUS_RETURNED] = { "returned", N_("Returned") },
};

const char *
bc_status_to_string (BcStatus status)
{
  g_return_val_if_fail (status <= BC_STATUS_LAST, NULL);

  return status_names[status].id;
}

gboolean
bc_status_from_string (const char *string,
                       BcStatus   *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  if (string == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (status_names); i++)
    {
      if (g_str_equal (string, status_names[i].id))
        {
          *out = (BcStatus) i;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
bc_status_label (BcStatus status)
{
  g_return_val_if_fail (status <= BC_STATUS_LAST, NULL);

  return g_dgettext (GETTEXT_PACKAGE, status_names[status].label);
}

gboolean
bc_status_can_transition (BcStatus from,
                          BcStatus to)
{
  switch (from)
    {
    case BC_STATUS_DRAFT:
      return to == BC_STATUS_READY;
    case BC_STATUS_READY:
      return to == BC_STATUS_QUEUED || to == BC_STATUS_DRAFT;
    case BC_STATUS_QUEUED:
      /* Until it has left the machine, a queued report can be taken back. */
      return to == BC_STATUS_SENT || to == BC_STATUS_DRAFT;
    case BC_STATUS_SENT:
      return to == BC_STATUS_ACCEPTED || to == BC_STATUS_RETURNED;
    case BC_STATUS_RETURNED:
      return to == BC_STATUS_DRAFT;
    case BC_STATUS_ACCEPTED:
    default:
      return FALSE;
    }
}

static char *
make_cell_key (const char *key,
               gint64      row_id)
{
  return g_strdup_printf ("%s\x1f%" G_GINT64_FORMAT, key, row_id);
}

static void
bc_report_finalize (GObject *object)
{
  BcReport *self = (BcReport *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->template_id, g_free);
  g_clear_pointer (&self->period_id, g_free);
  g_clear_pointer (&self->unit, g_free);
  g_clear_pointer (&self->review_comment, g_free);
  g_clear_pointer (&self->values, g_hash_table_unref);
  g_clear_pointer (&self->rows, g_hash_table_unref);
  g_clear_pointer (&self->justifications, g_hash_table_unref);

  G_OBJECT_CLASS (bc_report_parent_class)->finalize (object);
}

static void
bc_report_class_init (BcReportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bc_report_finalize;
}

static void
bc_report_init (BcReport *self)
{
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) g_array_unref);
  self->justifications = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

BcReport *
bc_report_new (const char *id,
               const char *template_id,
               int         template_version,
               const char *period_id,
               const char *unit)
{
  BcReport *self;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (template_id != NULL, NULL);
  g_return_val_if_fail (period_id != NULL, NULL);
  g_return_val_if_fail (unit != NULL, NULL);

  self = g_object_new (BC_TYPE_REPORT, NULL);
  self->id = g_strdup (id);
  self->template_id = g_strdup (template_id);
  self->template_version = template_version;
  self->period_id = g_strdup (period_id);
  self->unit = g_strdup (unit);
  self->status = BC_STATUS_DRAFT;

  return self;
}

void
bc_report_set_status (BcReport *self,
                      BcStatus  status)
{
  g_return_if_fail (BC_IS_REPORT (self));
  g_return_if_fail (status <= BC_STATUS_LAST);

  self->status = status;
}

void
bc_report_set_revision (BcReport *self,
                        gint64    revision)
{
  g_return_if_fail (BC_IS_REPORT (self));

  self->revision = revision;
}

void
bc_report_set_times (BcReport *self,
                     gint64    created_at,
                     gint64    updated_at,
                     gint64    submitted_at)
{
  g_return_if_fail (BC_IS_REPORT (self));

  self->created_at = created_at;
  self->updated_at = updated_at;
  self->submitted_at = submitted_at;
}

void
bc_report_set_review_comment (BcReport   *self,
                              const char *comment)
{
  g_return_if_fail (BC_IS_REPORT (self));

  g_free (self->review_comment);
  self->review_comment = g_strdup (comment);
}

void
bc_report_set_value (BcReport   *self,
                     const char *key,
                     gint64      row_id,
                     const char *value)
{
  g_return_if_fail (BC_IS_REPORT (self));
  g_return_if_fail (key != NULL);

  if (value == NULL)
    {
      g_autofree char *cell = make_cell_key (key, row_id);

      g_hash_table_remove (self->values, cell);
    }
  else
    g_hash_table_replace (self->values, make_cell_key (key, row_id), g_strdup (value));
}

void
bc_report_append_row (BcReport   *self,
                      const char *table,
                      gint64      row_id)
{
  GArray *ids;

  g_return_if_fail (BC_IS_REPORT (self));
  g_return_if_fail (table != NULL);
  g_return_if_fail (row_id > 0);

  ids = g_hash_table_lookup (self->rows, table);
  if (ids == NULL)
    {
      ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (self->rows, g_strdup (table), ids);
    }

  g_array_append_val (ids, row_id);
}

void
bc_report_set_justification (BcReport   *self,
                             const char *rule_id,
                             gint64      row_id,
                             const char *text)
{
  g_autofree char *cell = NULL;

  g_return_if_fail (BC_IS_REPORT (self));
  g_return_if_fail (rule_id != NULL);

  cell = make_cell_key (rule_id, row_id);
  if (text == NULL)
    g_hash_table_remove (self->justifications, cell);
  else
    g_hash_table_replace (self->justifications, g_steal_pointer (&cell), g_strdup (text));
}

const char *
bc_report_get_id (BcReport *self)
{
  g_return_val_if_fail (BC_IS_REPORT (self), NULL);

  return self->id;
}

const char *
bc_report_get_template_id (BcReport *self)
{
  g_return_val_if_fail (BC_IS_REPORT (self), NULL);

  return self->template_id;
}

int
bc_report_get_template_version (BcReport *self)
{
  g_return_val_if_fail (BC_IS_REPORT (self), 0);

  return self->template_version;
}

const char *
bc_report_get_period_id (BcReport *self)
{
  g_return_val_if_fail (BC_IS_REPORT (self), NULL);

  return self->period_id;
}

const char *
bc_report_get_unit (BcReport *self)
{
  g_return_val_if_fail (BC_IS_REPORT (self), NULL);

  return self->unit;
}

BcStatus
bc_report_get_status (BcReport *self)
{
  g_return_val_if_fail (BC_IS_REPORT (self), BC_STATUS_DRAFT);

  return self->status;
}

gint64
bc_report_get_revision (BcReport *self)
{
  g_return_val_if_fail (BC_IS_REPORT (self), 0);

  return self->revision;
}

gint64
bc_report_get_created_at (BcReport *self)
{
  g_return_val_if_fail (BC_IS_REPORT (self), 0);

  return self->created_at;
}

gint64
bc_report_get_updated_at (BcReport *self)
{
  g_return_val_if_fail (BC_IS_REPORT (self), 0);

  return self->updated_at;
}

gint64
bc_report_get_submitted_at (BcReport *self)
{
  g_return_val_if_fail (BC_IS_REPORT (self), 0);

  return self->submitted_at;
}

const char *
bc_report_get_review_comment (BcReport *self)
{
  g_return_val_if_fail (BC_IS_REPORT (self), NULL);

  return self->review_comment;
}

const char *
bc_report_get_value (BcReport   *self,
                     const char *key,
                     gint64      row_id)
{
  g_autofree char *cell = NULL;

  g_return_val_if_fail (BC_IS_REPORT (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  cell = make_cell_key (key, row_id);

  return g_hash_table_lookup (self->values, cell);
}

guint
bc_report_get_n_rows (BcReport   *self,
                      const char *table)
{
  GArray *ids;

  g_return_val_if_fail (BC_IS_REPORT (self), 0);
  g_return_val_if_fail (table != NULL, 0);

  ids = g_hash_table_lookup (self->rows, table);

  return ids != NULL ? ids->len : 0;
}

gint64
bc_report_get_row_id (BcReport   *self,
                      const char *table,
                      guint       index)
{
  GArray *ids;

  g_return_val_if_fail (BC_IS_REPORT (self), 0);
  g_return_val_if_fail (table != NULL, 0);

  ids = g_hash_table_lookup (self->rows, table);
  if (ids == NULL || index >= ids->len)
    return 0;

  return g_array_index (ids, gint64, index);
}

int
bc_report_find_row (BcReport   *self,
                    const char *table,
                    gint64      row_id)
{
  GArray *ids;

  g_return_val_if_fail (BC_IS_REPORT (self), -1);
  g_return_val_if_fail (table != NULL, -1);

  ids = g_hash_table_lookup (self->rows, table);
  if (ids == NULL)
    return -1;

  for (guint i = 0; i < ids->len; i++)
    {
      if (g_array_index (ids, gint64, i) == row_id)
        return (int) i;
    }

  return -1;
}

const char *
bc_report_get_justification (BcReport   *self,
                             const char *rule_id,
                             gint64      row_id)
{
  g_autofree char *cell = NULL;

  g_return_val_if_fail (BC_IS_REPORT (self), NULL);
  g_return_val_if_fail (rule_id != NULL, NULL);

  cell = make_cell_key (rule_id, row_id);

  return g_hash_table_lookup (self->justifications, cell);
}

static int
compare_cells (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

void
bc_report_foreach_value (BcReport          *self,
                         BcReportValueFunc  func,
                         gpointer           user_data)
{
  g_autofree gpointer *cells = NULL;
  guint n_cells = 0;

  g_return_if_fail (BC_IS_REPORT (self));
  g_return_if_fail (func != NULL);

  cells = g_hash_table_get_keys_as_array (self->values, &n_cells);
  g_qsort_with_data (cells, n_cells, sizeof (gpointer), compare_cells, NULL);

  for (guint i = 0; i < n_cells; i++)
    {
      const char *cell = cells[i];
      const char *sep = strchr (cell, '\x1f');
      g_autofree char *key = g_strndup (cell, sep - cell);
      gint64 row_id = g_ascii_strtoll (sep + 1, NULL, 10);

      func (key, row_id, g_hash_table_lookup (self->values, cell), user_data);
    }
}
