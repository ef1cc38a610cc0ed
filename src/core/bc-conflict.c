/* bc-conflict.c: resolving a conflict with the province's copy of a report.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-conflict"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "bc-conflict.h"
#include "bc-outbox.h"
#include "bc-outbox-private.h"
#include "bc-wire.h"
#include "bc-workbook-private.h"

static BcTemplate *
report_template (BcWorkbook  *workbook,
                 BcReport    *report,
                 GError     **error)
{
  BcTemplate *template_ = bc_workbook_get_templates (workbook) != NULL
    ? bc_template_registry_lookup (bc_workbook_get_templates (workbook),
                                   bc_report_get_template_id (report),
                                   bc_report_get_template_version (report), error)
    : NULL;

  if (template_ == NULL && error != NULL && *error == NULL)
    g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE,
                 _("The form of this report is not installed."));
  return template_;
}

GPtrArray *
bc_conflict_compare (BcWorkbook   *workbook,
                     const char   *report_id,
                     JsonNode     *server_content,
                     BcTemplate  **template_out,
                     GError      **error)
{
  g_autoptr(BcReport) report = NULL;
  g_autoptr(JsonNode) mine = NULL;
  BcTemplate *template_;

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), NULL);
  g_return_val_if_fail (report_id != NULL, NULL);
  g_return_val_if_fail (server_content != NULL, NULL);

  report = bc_workbook_load_report (workbook, report_id, error);
  if (report == NULL)
    return NULL;
  template_ = report_template (workbook, report, error);
  if (template_ == NULL)
    return NULL;
  if (template_out != NULL)
    *template_out = template_;

  mine = bc_wire_report_content (template_, report);
  return bc_changes_compare (template_, mine, server_content);
}

char *
bc_conflict_change_id (const BcChange *change)
{
  g_return_val_if_fail (change != NULL, NULL);

  if (change->kind != BC_CHANGE_VALUE)
    return g_strdup_printf ("%s#%" G_GINT64_FORMAT, change->table, change->row_id);
  if (change->table == NULL)
    return g_strdup (change->key);

  return g_strdup_printf ("%s#%" G_GINT64_FORMAT ".%s", change->table, change->row_id,
                          change->column);
}

/* Takes the province's side of one difference. */
static gboolean
take_province (BcWorkbook      *workbook,
               const char      *report_id,
               const BcChange  *change,
               GError         **error)
{
  switch (change->kind)
    {
    case BC_CHANGE_VALUE:
      return bc_workbook_set_value (workbook, report_id, change->key, change->row_id,
                                    change->new_value, error);

    case BC_CHANGE_ROW_REMOVED:
      /* A row only this copy has: the province's copy has none. */
      return bc_workbook_remove_row (workbook, report_id, change->table, change->row_id, error);

    case BC_CHANGE_ROW_ADDED:
      {
        /* A row only the province's copy has: added here with its cells
         * (under a new row id: ids are this workbook's). */
        gint64 row_id = bc_workbook_add_row (workbook, report_id, change->table, error);
        JsonObjectIter iter;
        const char *column;
        JsonNode *cell;

        if (row_id <= 0)
          return FALSE;
        if (change->row == NULL)
          return TRUE;
        json_object_iter_init (&iter, change->row);
        while (json_object_iter_next (&iter, &column, &cell))
          {
            g_autofree char *key = NULL;

            if (g_str_equal (column, "row_id") || !JSON_NODE_HOLDS_VALUE (cell)
                || json_node_get_value_type (cell) != G_TYPE_STRING)
              continue;
            key = g_strconcat (change->table, ".", column, NULL);
            if (!bc_workbook_set_value (workbook, report_id, key, row_id,
                                        json_node_get_string (cell), error))
              return FALSE;
          }
        return TRUE;
      }

    case BC_CHANGE_JUSTIFICATION:
      /* bc_changes_compare() does not compare justifications. */
      break;
    }

  g_assert_not_reached ();
}

static gboolean
resolve_in_batch (BcWorkbook          *workbook,
                  const char          *report_id,
                  GPtrArray           *changes,
                  gint64               server_revision,
                  gint64               max_revision,
                  const char * const  *chosen,
                  GError             **error)
{
  if (!_bc_outbox_reopen_conflict (workbook, report_id,
                                   _("Conflict with the province's copy resolved"), error))
    return FALSE;

  for (guint i = 0; i < changes->len; i++)
    {
      const BcChange *change = g_ptr_array_index (changes, i);
      g_autofree char *id = bc_conflict_change_id (change);

      if (chosen != NULL && g_strv_contains (chosen, id)
          && !take_province (workbook, report_id, change, error))
        return FALSE;
    }

  /* A revision the server has never seen, whatever was taken: the one kept
   * beside is the server's too, and sending it again would be a replay. */
  return _bc_outbox_raise_revision (workbook, report_id, max_revision + 1, error)
    && bc_workbook_set_status (workbook, report_id, BC_STATUS_READY, NULL, error)
    && bc_workbook_set_status (workbook, report_id, BC_STATUS_QUEUED, NULL, error)
    && _bc_outbox_rebase_queued (workbook, report_id, server_revision, error);
}

gboolean
bc_conflict_resolve (BcWorkbook          *workbook,
                     const char          *report_id,
                     JsonNode            *server_content,
                     gint64               server_revision,
                     gint64               max_revision,
                     const char * const  *chosen,
                     GError             **error)
{
  g_autoptr(GPtrArray) changes = NULL;
  GError *local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), FALSE);
  g_return_val_if_fail (report_id != NULL, FALSE);
  g_return_val_if_fail (server_content != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  changes = bc_conflict_compare (workbook, report_id, server_content, NULL, error);
  if (changes == NULL)
    return FALSE;

  /* Every name must be one of the differences: a typing mistake must not
   * silently keep this copy's value. */
  for (guint c = 0; chosen != NULL && chosen[c] != NULL; c++)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < changes->len && !found; i++)
        {
          g_autofree char *id = bc_conflict_change_id (g_ptr_array_index (changes, i));

          found = g_str_equal (id, chosen[c]);
        }
      if (!found)
        {
          g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID,
                       _("“%s” is not one of the differences between this copy and the "
                         "province's."), chosen[c]);
          return FALSE;
        }
    }

  if (!_bc_workbook_begin_batch (workbook, error))
    return FALSE;
  ok = resolve_in_batch (workbook, report_id, changes, server_revision, max_revision, chosen,
                         &local_error);
  if (!_bc_workbook_end_batch (workbook, ok, ok ? &local_error : NULL))
    ok = FALSE;
  if (!ok)
    g_propagate_error (error, local_error);

  return ok;
}
