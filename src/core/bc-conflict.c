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

/* The row_id a row of the wire carries, 0 when it has none. */
static gint64
wire_row_id (JsonObject *row)
{
  JsonNode *id = row != NULL ? json_object_get_member (row, "row_id") : NULL;

  if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_INT64)
    return 0;
  return MAX (json_node_get_int (id), 0);
}

/* Where a row only the province's copy has goes here: just after the
 * nearest row above it in the province's copy that this copy has too (at
 * the top when there is none), so that the rows both copies have keep
 * their order around it. */
static guint
province_row_index (BcReport   *report,
                    const char *table,
                    JsonNode   *server_content,
                    guint       province_row)
{
  JsonObject *content = JSON_NODE_HOLDS_OBJECT (server_content)
    ? json_node_get_object (server_content) : NULL;
  JsonNode *tables = content != NULL ? json_object_get_member (content, "tables") : NULL;
  JsonNode *rows_node = tables != NULL && JSON_NODE_HOLDS_OBJECT (tables)
    ? json_object_get_member (json_node_get_object (tables), table) : NULL;
  JsonArray *rows = rows_node != NULL && JSON_NODE_HOLDS_ARRAY (rows_node)
    ? json_node_get_array (rows_node) : NULL;

  for (guint i = MIN (province_row, rows != NULL ? json_array_get_length (rows) + 1 : 0);
       i > 1; i--)
    {
      JsonNode *above = json_array_get_element (rows, i - 2);
      gint64 row_id = JSON_NODE_HOLDS_OBJECT (above) ? wire_row_id (json_node_get_object (above)) : 0;
      int here = row_id > 0 ? bc_report_find_row (report, table, row_id) : -1;

      if (here >= 0)
        return (guint) here + 1;
    }
  return 0;
}

/* Adds a row only the province's copy has, with its cells. It keeps the
 * province's row_id: the next push and every later comparison match rows
 * by it, so under another id it would be one row removed and one added. */
static gboolean
take_province_row (BcWorkbook      *workbook,
                   const char      *report_id,
                   JsonNode        *server_content,
                   const BcChange  *change,
                   GError         **error)
{
  g_autoptr(BcReport) report = bc_workbook_load_report (workbook, report_id, error);
  gint64 row_id = wire_row_id (change->row);
  JsonObjectIter iter;
  const char *column;
  JsonNode *cell;
  guint index;

  if (report == NULL)
    return FALSE;
  index = province_row_index (report, change->table, server_content, change->new_row);

  if (row_id > 0)
    {
      if (!bc_workbook_add_row_with_id (workbook, report_id, change->table, row_id, index, error))
        return FALSE;
    }
  else
    {
      /* A row the wire gives without an id has none to keep. */
      row_id = bc_workbook_add_row (workbook, report_id, change->table, error);
      if (row_id <= 0
          || !bc_workbook_move_row (workbook, report_id, change->table, row_id, index, error))
        return FALSE;
    }

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

/* Takes the province's side of one difference. */
static gboolean
take_province (BcWorkbook      *workbook,
               const char      *report_id,
               JsonNode        *server_content,
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
      return take_province_row (workbook, report_id, server_content, change, error);

    case BC_CHANGE_JUSTIFICATION:
      /* bc_changes_compare() does not compare justifications. */
      break;
    }

  g_assert_not_reached ();
}

static gboolean
resolve_in_batch (BcWorkbook          *workbook,
                  const char          *report_id,
                  JsonNode            *server_content,
                  GPtrArray           *changes,
                  gint64               server_revision,
                  gint64               max_revision,
                  const char * const  *chosen,
                  GError             **error)
{
  if (!_bc_outbox_reopen_conflict (workbook, report_id,
                                   _("Conflict with the province's copy resolved"), error))
    return FALSE;

  /* Rows taken away first: a row the province's copy added may have the id
   * of a row of this copy that it does not have (each device counts its
   * own row ids), and that id is free only once that row is gone. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < changes->len; i++)
      {
        const BcChange *change = g_ptr_array_index (changes, i);
        g_autofree char *id = NULL;

        if ((change->kind == BC_CHANGE_ROW_REMOVED) != (pass == 0))
          continue;
        id = bc_conflict_change_id (change);
        if (chosen != NULL && g_strv_contains (chosen, id)
            && !take_province (workbook, report_id, server_content, change, error))
          return FALSE;
      }

  /* A revision the server has never seen, whatever was taken: the one kept
   * beside is the server's too, and sending it again would be a replay. */
  return _bc_outbox_raise_revision (workbook, report_id, max_revision + 1, error)
    && bc_workbook_set_status (workbook, report_id, BC_STATUS_READY, NULL, error)
    && bc_workbook_set_status (workbook, report_id, BC_STATUS_QUEUED, NULL, error)
    && _bc_outbox_rebase_queued (workbook, report_id, server_revision, error);
}

/* A row only the province's copy has, taken, whose id is that of a row
 * only this copy has, kept: both cannot be, and nothing says which the
 * officer wants to give up. */
static gboolean
check_row_ids (GPtrArray           *changes,
               const char * const  *chosen,
               GError             **error)
{
  for (guint i = 0; i < changes->len; i++)
    {
      const BcChange *added = g_ptr_array_index (changes, i);
      g_autofree char *added_id = NULL;
      gint64 row_id = added->kind == BC_CHANGE_ROW_ADDED ? wire_row_id (added->row) : 0;

      if (row_id <= 0)
        continue;
      added_id = bc_conflict_change_id (added);
      if (!g_strv_contains (chosen, added_id))
        continue;

      for (guint j = 0; j < changes->len; j++)
        {
          const BcChange *mine = g_ptr_array_index (changes, j);
          g_autofree char *mine_id = NULL;

          if (mine->kind != BC_CHANGE_ROW_REMOVED || wire_row_id (mine->row) != row_id)
            continue;
          mine_id = bc_conflict_change_id (mine);
          if (g_strv_contains (chosen, mine_id))
            continue;
          g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID,
                       _("The province's row “%s” has the id of this copy's row “%s”, which "
                         "the province's copy does not have: this copy cannot hold both. "
                         "Take the province's side of “%s” too, or keep this copy's side "
                         "of “%s”."),
                       added_id, mine_id, mine_id, added_id);
          return FALSE;
        }
    }
  return TRUE;
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
  if (chosen != NULL && !check_row_ids (changes, chosen, error))
    return FALSE;

  if (!_bc_workbook_begin_batch (workbook, error))
    return FALSE;
  ok = resolve_in_batch (workbook, report_id, server_content, changes, server_revision,
                         max_revision, chosen, &local_error);
  if (!_bc_workbook_end_batch (workbook, ok, ok ? &local_error : NULL))
    ok = FALSE;
  if (!ok)
    g_propagate_error (error, local_error);

  return ok;
}
