/* bc-outbox.c: the workbook's outbox, per-report sync state and feed cursor.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tables of schema version 2 (docs/workbook.md) and every change to
 * them, each in one workbook transaction (through the workbook's private
 * accessors, so the workbook's mutex and durability rules hold here too).
 */
#define G_LOG_DOMAIN "bc-outbox"

#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "bc-outbox.h"
#include "bc-outbox-private.h"
#include "bc-wire.h"
#include "bc-workbook-private.h"

static const char schema_2[] =
  "CREATE TABLE outbox ("
  "  report_id       TEXT PRIMARY KEY NOT NULL REFERENCES reports (id) ON DELETE CASCADE,"
  "  revision        INTEGER NOT NULL,"
  "  base_revision   INTEGER NOT NULL DEFAULT 0,"
  "  content         TEXT,"
  "  content_hash    TEXT,"
  "  queued_at       INTEGER NOT NULL,"
  "  attempts        INTEGER NOT NULL DEFAULT 0,"
  "  last_attempt_at INTEGER NOT NULL DEFAULT 0,"
  "  last_error      TEXT"
  ") WITHOUT ROWID;"
  "CREATE TABLE sync_state ("
  "  report_id       TEXT PRIMARY KEY NOT NULL REFERENCES reports (id) ON DELETE CASCADE,"
  "  acked_revision  INTEGER NOT NULL DEFAULT 0,"
  "  receipt_number  TEXT,"
  "  received_at     INTEGER NOT NULL DEFAULT 0,"
  "  conflict        INTEGER NOT NULL DEFAULT 0,"
  "  server_revision INTEGER NOT NULL DEFAULT 0,"
  "  last_error      TEXT"
  ") WITHOUT ROWID;"
  "CREATE TABLE receipts ("
  "  report_id   TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,"
  "  revision    INTEGER NOT NULL,"
  "  number      TEXT NOT NULL,"
  "  received_at INTEGER NOT NULL,"
  "  conflict    INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (report_id, revision)"
  ") WITHOUT ROWID;"
  "CREATE TABLE reviews ("
  "  seq        INTEGER PRIMARY KEY,"
  "  report_id  TEXT NOT NULL,"
  "  revision   INTEGER NOT NULL,"
  "  decision   TEXT NOT NULL CHECK (decision IN ('accepted', 'returned')),"
  "  comment    TEXT,"
  "  reviewer   TEXT,"
  "  decided_at INTEGER NOT NULL"
  ");"
  "CREATE INDEX reviews_by_report ON reviews (report_id, seq);"
  "CREATE TABLE units ("
  "  code       TEXT PRIMARY KEY NOT NULL,"
  "  name       TEXT NOT NULL,"
  "  level      TEXT NOT NULL,"
  "  parent     TEXT,"
  "  valid_from TEXT,"
  "  valid_to   TEXT"
  ") WITHOUT ROWID;"
  "CREATE TABLE sync_settings ("
  "  key   TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT NOT NULL"
  ") WITHOUT ROWID;"
  /* A schema-1 workbook may hold queued reports: they wait in the outbox,
   * their content frozen before their first push (bc_outbox_freeze). */
  "INSERT INTO outbox (report_id, revision, base_revision, queued_at) "
  "  SELECT id, revision, 0, CASE WHEN submitted_at > 0 THEN submitted_at ELSE updated_at END "
  "  FROM reports WHERE status = 'queued';";

/* ------------------------------------------------------------------------ */
/* Statements (prepared per call: sync is not a hot path)                   */

typedef sqlite3_stmt OutboxStmt;

static void
outbox_stmt_free (OutboxStmt *stmt)
{
  sqlite3_finalize (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OutboxStmt, outbox_stmt_free)

/* 's' const char * (NULL binds NULL), 'x' gint64, 'd' int. */
static OutboxStmt *
prepare (BcWorkbook  *workbook,
         GError     **error,
         const char  *sql,
         const char  *types,
         ...)
{
  sqlite3 *db = _bc_workbook_get_db (workbook);
  sqlite3_stmt *stmt = NULL;
  va_list args;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _bc_workbook_set_sqlite_error (workbook, rc, error);
      sqlite3_finalize (stmt);
      return NULL;
    }

  va_start (args, types);
  _bc_workbook_bind_valist (stmt, types, args);
  va_end (args);

  return stmt;
}

/* SQLITE_ROW, SQLITE_DONE, or 0 with `error` set. */
static int
step (BcWorkbook  *workbook,
      OutboxStmt  *stmt,
      GError     **error)
{
  int rc;

  if (stmt == NULL)
    return 0;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return rc;

  _bc_workbook_set_sqlite_error (workbook, rc, error);
  return 0;
}

/* Runs a statement that returns no rows, and finalizes it. */
static gboolean
run (BcWorkbook  *workbook,
     OutboxStmt  *stmt,
     GError     **error)
{
  g_autoptr(OutboxStmt) owned = stmt;
  int rc;

  if (owned == NULL)
    return FALSE;

  while ((rc = step (workbook, owned, error)) == SQLITE_ROW)
    ;

  return rc == SQLITE_DONE;
}

static char *
column_dup (OutboxStmt *stmt,
            int         column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* ------------------------------------------------------------------------ */
/* Records                                                                  */

void
bc_outbox_item_free (BcOutboxItem *item)
{
  if (item == NULL)
    return;

  g_free (item->report_id);
  g_free (item->content);
  g_free (item->content_hash);
  g_free (item->last_error);
  g_free (item->template_id);
  g_free (item->period_id);
  g_free (item->unit);
  g_free (item);
}

void
bc_sync_state_free (BcSyncState *state)
{
  if (state == NULL)
    return;

  g_free (state->report_id);
  g_free (state->receipt_number);
  g_free (state->last_error);
  g_free (state);
}

void
bc_review_free (BcReview *review)
{
  if (review == NULL)
    return;

  g_free (review->report_id);
  g_free (review->decision);
  g_free (review->comment);
  g_free (review->reviewer);
  g_free (review);
}

/* ------------------------------------------------------------------------ */
/* The workbook's hooks                                                     */

gboolean
_bc_outbox_migrate_to_2 (BcWorkbook  *workbook,
                         sqlite3     *db,
                         GError     **error)
{
  int rc = sqlite3_exec (db, schema_2, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      _bc_workbook_set_sqlite_error (workbook, rc, error);
      return FALSE;
    }

  return TRUE;
}

/* The content as sent and its hash, or FALSE with both NULL when the
 * report's template version is not installed. */
static gboolean
freeze_content (BcWorkbook  *workbook,
                const char  *report_id,
                char       **content,
                char       **content_hash,
                GError     **error)
{
  BcTemplateRegistry *templates = bc_workbook_get_templates (workbook);
  g_autoptr(BcReport) report = NULL;
  g_autoptr(JsonNode) node = NULL;
  BcTemplate *template_;

  *content = NULL;
  *content_hash = NULL;

  report = _bc_workbook_load_report_locked (workbook, report_id, error);
  if (report == NULL)
    return FALSE;

  if (templates == NULL)
    return TRUE;
  template_ = bc_template_registry_lookup (templates, bc_report_get_template_id (report),
                                           bc_report_get_template_version (report), NULL);
  if (template_ == NULL)
    return TRUE;

  node = bc_wire_report_content (template_, report);
  *content = bc_wire_canonical_json (node);
  *content_hash = bc_wire_content_hash (node);

  return TRUE;
}

static gint64
acked_revision (BcWorkbook  *workbook,
                const char  *report_id,
                GError     **error)
{
  g_autoptr(OutboxStmt) stmt = prepare (workbook, error,
                                        "SELECT acked_revision FROM sync_state "
                                        "WHERE report_id = ?",
                                        "s", report_id);
  int rc = step (workbook, stmt, error);

  if (rc == 0)
    return -1;

  return rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
}

gboolean
_bc_outbox_status_changed (BcWorkbook  *workbook,
                           sqlite3     *db,
                           const char  *report_id,
                           BcStatus     from,
                           BcStatus     to,
                           gint64       now,
                           GError     **error)
{
  (void) db;

  if (from == BC_STATUS_READY && to == BC_STATUS_QUEUED)
    {
      g_autofree char *content = NULL;
      g_autofree char *content_hash = NULL;
      gint64 base = acked_revision (workbook, report_id, error);

      if (base < 0 || !freeze_content (workbook, report_id, &content, &content_hash, error))
        return FALSE;

      return run (workbook,
                  prepare (workbook, error,
                           "INSERT OR REPLACE INTO outbox (report_id, revision, base_revision, "
                           "content, content_hash, queued_at) "
                           "SELECT id, revision, ?, ?, ?, ? FROM reports WHERE id = ?",
                           "xssxs", base, content, content_hash, now, report_id),
                  error);
    }

  if (from == BC_STATUS_QUEUED && to == BC_STATUS_DRAFT)
    {
      g_autoptr(OutboxStmt) stmt = prepare (workbook, error,
                                            "SELECT attempts FROM outbox WHERE report_id = ?",
                                            "s", report_id);
      int rc = step (workbook, stmt, error);

      if (rc == 0)
        return FALSE;
      if (rc == SQLITE_ROW && sqlite3_column_int (stmt, 0) > 0)
        {
          g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TRANSITION,
                       _("This report may already have reached the server: Baocao has tried to "
                         "send it. It cannot be taken back to draft until the server answers. "
                         "Sync again; if the province returns it, you can change it then."));
          return FALSE;
        }
    }

  if (from == BC_STATUS_QUEUED)
    return run (workbook,
                prepare (workbook, error, "DELETE FROM outbox WHERE report_id = ?",
                         "s", report_id),
                error);

  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Listing and freezing                                                     */

static gboolean
list_in_transaction (BcWorkbook  *workbook,
                     gpointer     data,
                     GError     **error)
{
  GPtrArray *items = data;
  g_autoptr(OutboxStmt) stmt = NULL;
  int rc;

  stmt = prepare (workbook, error,
                  "SELECT o.report_id, o.revision, o.base_revision, o.content, o.content_hash, "
                  "o.queued_at, o.attempts, o.last_attempt_at, o.last_error, "
                  "r.template_id, r.period_id, r.unit "
                  "FROM outbox o JOIN reports r ON r.id = o.report_id "
                  "ORDER BY o.queued_at, o.report_id",
                  "");
  while ((rc = step (workbook, stmt, error)) == SQLITE_ROW)
    {
      BcOutboxItem *item = g_new0 (BcOutboxItem, 1);

      item->report_id = column_dup (stmt, 0);
      item->revision = sqlite3_column_int64 (stmt, 1);
      item->base_revision = sqlite3_column_int64 (stmt, 2);
      item->content = column_dup (stmt, 3);
      item->content_hash = column_dup (stmt, 4);
      item->queued_at = sqlite3_column_int64 (stmt, 5);
      item->attempts = sqlite3_column_int (stmt, 6);
      item->last_attempt_at = sqlite3_column_int64 (stmt, 7);
      item->last_error = column_dup (stmt, 8);
      item->template_id = column_dup (stmt, 9);
      item->period_id = column_dup (stmt, 10);
      item->unit = column_dup (stmt, 11);
      g_ptr_array_add (items, item);
    }

  return rc == SQLITE_DONE;
}

GPtrArray *
bc_outbox_list (BcWorkbook  *workbook,
                GError     **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_outbox_item_free);

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), NULL);

  if (!_bc_workbook_transaction (workbook, FALSE, list_in_transaction, items, error))
    return NULL;

  return g_steal_pointer (&items);
}

static gboolean
freeze_in_transaction (BcWorkbook  *workbook,
                       gpointer     data,
                       GError     **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  int rc;

  (void) data;

  {
    g_autoptr(OutboxStmt) stmt = prepare (workbook, error,
                                          "SELECT report_id FROM outbox WHERE content IS NULL",
                                          "");

    while ((rc = step (workbook, stmt, error)) == SQLITE_ROW)
      g_ptr_array_add (ids, column_dup (stmt, 0));
    if (rc != SQLITE_DONE)
      return FALSE;
  }

  for (guint i = 0; i < ids->len; i++)
    {
      const char *report_id = g_ptr_array_index (ids, i);
      g_autofree char *content = NULL;
      g_autofree char *content_hash = NULL;

      if (!freeze_content (workbook, report_id, &content, &content_hash, error))
        return FALSE;
      if (content == NULL)
        continue;
      if (!run (workbook,
                prepare (workbook, error,
                         "UPDATE outbox SET content = ?, content_hash = ? "
                         "WHERE report_id = ? AND content IS NULL",
                         "sss", content, content_hash, report_id),
                error))
        return FALSE;
    }

  return TRUE;
}

gboolean
bc_outbox_freeze (BcWorkbook  *workbook,
                  GError     **error)
{
  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), FALSE);

  return _bc_workbook_transaction (workbook, TRUE, freeze_in_transaction, NULL, error);
}

/* ------------------------------------------------------------------------ */
/* Attempts and results                                                     */

typedef struct {
  GPtrArray  *report_ids;
  const char *message;
} AttemptData;

static gboolean
begin_attempt_in_transaction (BcWorkbook  *workbook,
                              gpointer     user_data,
                              GError     **error)
{
  AttemptData *data = user_data;
  gint64 now = g_get_real_time ();

  for (guint i = 0; i < data->report_ids->len; i++)
    if (!run (workbook,
              prepare (workbook, error,
                       "UPDATE outbox SET attempts = attempts + 1, last_attempt_at = ? "
                       "WHERE report_id = ?",
                       "xs", now, (const char *) g_ptr_array_index (data->report_ids, i)),
              error))
      return FALSE;

  return TRUE;
}

gboolean
bc_outbox_begin_attempt (BcWorkbook  *workbook,
                         GPtrArray   *report_ids,
                         GError     **error)
{
  AttemptData data = { report_ids, NULL };

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), FALSE);
  g_return_val_if_fail (report_ids != NULL, FALSE);

  return _bc_workbook_transaction (workbook, TRUE, begin_attempt_in_transaction, &data, error);
}

static gboolean
failure_in_transaction (BcWorkbook  *workbook,
                        gpointer     user_data,
                        GError     **error)
{
  AttemptData *data = user_data;

  for (guint i = 0; i < data->report_ids->len; i++)
    if (!run (workbook,
              prepare (workbook, error, "UPDATE outbox SET last_error = ? WHERE report_id = ?",
                       "ss", data->message,
                       (const char *) g_ptr_array_index (data->report_ids, i)),
              error))
      return FALSE;

  return TRUE;
}

gboolean
bc_outbox_record_failure (BcWorkbook  *workbook,
                          GPtrArray   *report_ids,
                          const char  *message,
                          GError     **error)
{
  AttemptData data = { report_ids, message };

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), FALSE);
  g_return_val_if_fail (report_ids != NULL, FALSE);

  return _bc_workbook_transaction (workbook, TRUE, failure_in_transaction, &data, error);
}

/* The report's status, or NULL (no error) when the workbook has no such
 * report: the feed may speak of reports another device of the unit sent. */
static char *
report_status (BcWorkbook  *workbook,
               const char  *report_id,
               GError     **error)
{
  g_autoptr(OutboxStmt) stmt = prepare (workbook, error,
                                        "SELECT status FROM reports WHERE id = ?",
                                        "s", report_id);
  int rc = step (workbook, stmt, error);

  if (rc == SQLITE_ROW)
    return column_dup (stmt, 0);

  return rc == SQLITE_DONE ? g_strdup ("") : NULL;
}

/* Moves a report whose status the caller has just read as `from`: along
 * the status machine only (bc_status_can_transition). A decision (accepted
 * or returned) replaces review_comment with its own comment, none included:
 * an accepted report must not keep the comment of an earlier return. */
static gboolean
move_report (BcWorkbook  *workbook,
             const char  *report_id,
             const char  *from,
             const char  *to,
             const char  *comment,
             gint64       now,
             GError     **error)
{
  BcStatus from_status, to_status;

  /* Both are literals or a status just read from the workbook. */
  if (!bc_status_from_string (from, &from_status) || !bc_status_from_string (to, &to_status))
    g_assert_not_reached ();
  if (!bc_status_can_transition (from_status, to_status))
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TRANSITION,
                   _("A report that is “%s” cannot become “%s”. Reload the report to see "
                     "its current status."),
                   bc_status_label (from_status), bc_status_label (to_status));
      return FALSE;
    }

  return run (workbook,
              prepare (workbook, error,
                       "UPDATE reports SET status = ?1, updated_at = ?2, "
                       "review_comment = CASE WHEN ?1 IN ('accepted', 'returned') THEN ?3 "
                       "ELSE review_comment END WHERE id = ?4",
                       "sxss", to, now, comment, report_id),
              error)
    && run (workbook,
            prepare (workbook, error,
                     "INSERT INTO status_changes (report_id, from_status, to_status, comment, at) "
                     "VALUES (?, ?, ?, ?, ?)",
                     "ssssx", report_id, from, to, comment, now),
            error);
}

typedef struct {
  const char *report_id;
  gint64      revision;
  const char *receipt_number;
  gint64      received_at;
  gboolean    conflict;
  gint64      server_revision;
  const char *message;
  gboolean    from_feed;   /* a receipt read in the feed, maybe another device's */
} ResultData;

static gboolean
stored_locked (BcWorkbook        *workbook,
               const ResultData  *data,
               GError           **error)
{
  g_autofree char *status = report_status (workbook, data->report_id, error);
  gint64 outbox_revision = -1;
  gint64 now = g_get_real_time ();

  if (status == NULL)
    return FALSE;
  if (*status == '\0')
    return TRUE;

  {
    g_autoptr(OutboxStmt) stmt = prepare (workbook, error,
                                          "SELECT revision FROM outbox WHERE report_id = ?",
                                          "s", data->report_id);
    int rc = step (workbook, stmt, error);

    if (rc == 0)
      return FALSE;
    if (rc == SQLITE_ROW)
      outbox_revision = sqlite3_column_int64 (stmt, 0);
  }

  if (!run (workbook,
            prepare (workbook, error,
                     "INSERT OR IGNORE INTO receipts (report_id, revision, number, received_at, "
                     "conflict) VALUES (?, ?, ?, ?, ?)",
                     "sxsxd", data->report_id, data->revision, data->receipt_number,
                     data->received_at, data->conflict ? 1 : 0),
            error))
    return FALSE;

  /* The state keeps the newest receipt; an older one seen again (a replay,
   * the feed after the push) changes nothing. A conflict stands until this
   * device's own copy is stored as current: the receipt of another
   * device's later revision, read in the feed, does not end it (?7). */
  if (!run (workbook,
            prepare (workbook, error,
                     "INSERT INTO sync_state (report_id, acked_revision, receipt_number, "
                     "received_at, conflict, server_revision, last_error) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL) "
                     "ON CONFLICT (report_id) DO UPDATE SET acked_revision = ?2, "
                     "receipt_number = ?3, received_at = ?4, "
                     "conflict = CASE WHEN ?7 THEN MAX (conflict, ?5) ELSE ?5 END, "
                     "server_revision = ?6, last_error = NULL "
                     "WHERE acked_revision < ?2",
                     "sxsxdxd", data->report_id, data->revision, data->receipt_number,
                     data->received_at, data->conflict ? 1 : 0, data->server_revision,
                     data->from_feed && outbox_revision != data->revision ? 1 : 0),
            error))
    return FALSE;

  if (outbox_revision != data->revision)
    return TRUE;

  return run (workbook,
              prepare (workbook, error, "DELETE FROM outbox WHERE report_id = ?",
                       "s", data->report_id),
              error)
    && (!g_str_equal (status, "queued")
        || move_report (workbook, data->report_id, "queued", "sent", NULL, now, error));
}

static gboolean
stored_in_transaction (BcWorkbook  *workbook,
                       gpointer     user_data,
                       GError     **error)
{
  return stored_locked (workbook, user_data, error);
}

gboolean
bc_outbox_record_stored (BcWorkbook  *workbook,
                         const char  *report_id,
                         gint64       revision,
                         const char  *receipt_number,
                         gint64       received_at,
                         gboolean     conflict,
                         gint64       server_revision,
                         GError     **error)
{
  ResultData data = { report_id, revision, receipt_number, received_at, conflict,
                      server_revision, NULL };

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), FALSE);
  g_return_val_if_fail (report_id != NULL, FALSE);
  g_return_val_if_fail (receipt_number != NULL, FALSE);

  return _bc_workbook_transaction (workbook, TRUE, stored_in_transaction, &data, error);
}

static gboolean
refused_in_transaction (BcWorkbook  *workbook,
                        gpointer     user_data,
                        GError     **error)
{
  ResultData *data = user_data;
  g_autoptr(OutboxStmt) stmt = NULL;
  int rc;

  stmt = prepare (workbook, error,
                  "SELECT o.revision, r.status FROM outbox o JOIN reports r ON r.id = o.report_id "
                  "WHERE o.report_id = ?",
                  "s", data->report_id);
  rc = step (workbook, stmt, error);
  if (rc == 0)
    return FALSE;
  if (rc == SQLITE_DONE || sqlite3_column_int64 (stmt, 0) != data->revision)
    return TRUE;
  if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), "queued") != 0)
    return TRUE;

  return run (workbook,
              prepare (workbook, error, "DELETE FROM outbox WHERE report_id = ?",
                       "s", data->report_id),
              error)
    && run (workbook,
            prepare (workbook, error,
                     "INSERT INTO sync_state (report_id, last_error) VALUES (?1, ?2) "
                     "ON CONFLICT (report_id) DO UPDATE SET last_error = ?2",
                     "ss", data->report_id, data->message),
            error)
    && move_report (workbook, data->report_id, "queued", "draft", data->message,
                    g_get_real_time (), error);
}

gboolean
bc_outbox_record_refused (BcWorkbook  *workbook,
                          const char  *report_id,
                          gint64       revision,
                          const char  *message,
                          GError     **error)
{
  ResultData data = { report_id, revision, NULL, 0, FALSE, 0, message };

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), FALSE);
  g_return_val_if_fail (report_id != NULL, FALSE);

  return _bc_workbook_transaction (workbook, TRUE, refused_in_transaction, &data, error);
}

typedef struct {
  const char  *report_id;
  BcSyncState *state;
} StateData;

static gboolean
state_in_transaction (BcWorkbook  *workbook,
                      gpointer     user_data,
                      GError     **error)
{
  StateData *data = user_data;
  g_autoptr(OutboxStmt) stmt = NULL;
  int rc;

  stmt = prepare (workbook, error,
                  "SELECT acked_revision, receipt_number, received_at, conflict, "
                  "server_revision, last_error FROM sync_state WHERE report_id = ?",
                  "s", data->report_id);
  rc = step (workbook, stmt, error);
  if (rc == SQLITE_ROW)
    {
      data->state = g_new0 (BcSyncState, 1);
      data->state->report_id = g_strdup (data->report_id);
      data->state->acked_revision = sqlite3_column_int64 (stmt, 0);
      data->state->receipt_number = column_dup (stmt, 1);
      data->state->received_at = sqlite3_column_int64 (stmt, 2);
      data->state->conflict = sqlite3_column_int (stmt, 3) != 0;
      data->state->server_revision = sqlite3_column_int64 (stmt, 4);
      data->state->last_error = column_dup (stmt, 5);
    }

  return rc != 0;
}

BcSyncState *
bc_outbox_get_state (BcWorkbook  *workbook,
                     const char  *report_id,
                     GError     **error)
{
  StateData data = { report_id, NULL };

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), NULL);
  g_return_val_if_fail (report_id != NULL, NULL);

  if (!_bc_workbook_transaction (workbook, FALSE, state_in_transaction, &data, error))
    g_clear_pointer (&data.state, bc_sync_state_free);

  return data.state;
}

/* ------------------------------------------------------------------------ */
/* Settings and the cursor                                                  */

typedef struct {
  const char *key;
  char       *value;
  GPtrArray  *pairs;  /* key, value, … for setting several */
} SettingData;

static gboolean
get_setting_in_transaction (BcWorkbook  *workbook,
                            gpointer     user_data,
                            GError     **error)
{
  SettingData *data = user_data;
  g_autoptr(OutboxStmt) stmt = prepare (workbook, error,
                                        "SELECT value FROM sync_settings WHERE key = ?",
                                        "s", data->key);
  int rc = step (workbook, stmt, error);

  if (rc == SQLITE_ROW)
    data->value = column_dup (stmt, 0);

  return rc != 0;
}

gboolean
bc_outbox_check_unit (BcWorkbook  *workbook,
                      const char  *unit,
                      GError     **error)
{
  g_autofree char *enrolled = NULL;

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), FALSE);
  g_return_val_if_fail (unit != NULL, FALSE);

  enrolled = bc_outbox_get_sync_setting (workbook, BC_SYNC_SETTING_UNIT);
  if (enrolled == NULL || g_str_equal (enrolled, unit))
    return TRUE;

  g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID,
               _("This workbook sends reports for the unit “%s”: a report for “%s” could never "
                 "be sent from it. Make the report for “%s”, or in the workbook of “%s”."),
               enrolled, unit, enrolled, unit);
  return FALSE;
}

char *
bc_outbox_get_sync_setting (BcWorkbook *workbook,
                            const char *key)
{
  SettingData data = { key, NULL, NULL };

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (!_bc_workbook_transaction (workbook, FALSE, get_setting_in_transaction, &data, NULL))
    g_clear_pointer (&data.value, g_free);

  return data.value;
}

static gboolean
put_setting (BcWorkbook  *workbook,
             const char  *key,
             const char  *value,
             GError     **error)
{
  if (value == NULL)
    return run (workbook,
                prepare (workbook, error, "DELETE FROM sync_settings WHERE key = ?", "s", key),
                error);

  return run (workbook,
              prepare (workbook, error,
                       "INSERT OR REPLACE INTO sync_settings (key, value) VALUES (?, ?)",
                       "ss", key, value),
              error);
}

static gboolean
set_settings_in_transaction (BcWorkbook  *workbook,
                             gpointer     user_data,
                             GError     **error)
{
  SettingData *data = user_data;

  for (guint i = 0; i + 1 < data->pairs->len; i += 2)
    if (!put_setting (workbook, g_ptr_array_index (data->pairs, i),
                      g_ptr_array_index (data->pairs, i + 1), error))
      return FALSE;

  return TRUE;
}

gboolean
bc_outbox_set_sync_setting (BcWorkbook  *workbook,
                            const char  *key,
                            const char  *value,
                            GError     **error)
{
  return bc_outbox_set_sync_settings (workbook, error, key, value, NULL);
}

gboolean
bc_outbox_set_sync_settings (BcWorkbook  *workbook,
                             GError     **error,
                             const char  *first_key,
                             ...)
{
  g_autoptr(GPtrArray) pairs = g_ptr_array_new ();
  SettingData data = { NULL, NULL, NULL };
  const char *key;
  va_list args;

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), FALSE);
  g_return_val_if_fail (first_key != NULL, FALSE);

  va_start (args, first_key);
  for (key = first_key; key != NULL; key = va_arg (args, const char *))
    {
      const char *value = va_arg (args, const char *);

      if (value != NULL && !g_utf8_validate (value, -1, NULL))
        {
          va_end (args);
          g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID,
                       _("The sync setting “%s” is not valid text."), key);
          return FALSE;
        }
      g_ptr_array_add (pairs, (gpointer) key);
      g_ptr_array_add (pairs, (gpointer) value);
    }
  va_end (args);

  data.pairs = pairs;
  return _bc_workbook_transaction (workbook, TRUE, set_settings_in_transaction, &data, error);
}

gint64
bc_outbox_get_cursor (BcWorkbook  *workbook,
                      GError     **error)
{
  SettingData data = { "cursor", NULL, NULL };
  gint64 cursor;

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), -1);

  if (!_bc_workbook_transaction (workbook, FALSE, get_setting_in_transaction, &data, error))
    return -1;

  cursor = data.value != NULL ? g_ascii_strtoll (data.value, NULL, 10) : 0;
  g_free (data.value);

  return MAX (cursor, 0);
}

/* ------------------------------------------------------------------------ */
/* The feed                                                                 */

static void
set_bad_change (guint    index,
                GError **error)
{
  g_set_error (error, BC_WIRE_ERROR, BC_WIRE_ERROR_BAD_SHAPE,
               _("The server sent a change (number %u of its page) that Baocao does not "
                 "understand. Update Baocao, or tell the server's administrator."),
               index + 1);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static gboolean
member_int (JsonObject *object,
            const char *name,
            gint64     *out)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;

  *out = json_node_get_int (node);
  return TRUE;
}

/* A string member that may be absent or null; FALSE for any other type. */
static gboolean
member_nullable_string (JsonObject  *object,
                        const char  *name,
                        const char **out)
{
  JsonNode *node = json_object_get_member (object, name);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  *out = member_string (object, name);

  return *out != NULL;
}

static gboolean
apply_receipt (BcWorkbook  *workbook,
               JsonObject  *change,
               guint        index,
               GError     **error)
{
  ResultData data = { 0 };
  JsonNode *receipt_node = json_object_get_member (change, "receipt");
  JsonObject *receipt;
  JsonNode *conflict = json_object_get_member (change, "conflict");
  const char *received_at;

  data.report_id = member_string (change, "report_id");
  if (data.report_id == NULL || !member_int (change, "revision", &data.revision)
      || receipt_node == NULL || !JSON_NODE_HOLDS_OBJECT (receipt_node))
    {
      set_bad_change (index, error);
      return FALSE;
    }
  receipt = json_node_get_object (receipt_node);
  data.receipt_number = member_string (receipt, "number");
  received_at = member_string (receipt, "received_at");
  if (data.receipt_number == NULL || received_at == NULL
      || (data.received_at = bc_wire_parse_time (received_at)) < 0
      || (conflict != NULL && (!JSON_NODE_HOLDS_VALUE (conflict)
                               || json_node_get_value_type (conflict) != G_TYPE_BOOLEAN)))
    {
      set_bad_change (index, error);
      return FALSE;
    }
  data.conflict = conflict != NULL && json_node_get_boolean (conflict);
  if (!member_int (change, "server_revision", &data.server_revision))
    data.server_revision = data.revision;
  data.from_feed = TRUE;

  return stored_locked (workbook, &data, error);
}

static gboolean
apply_review (BcWorkbook  *workbook,
              JsonObject  *change,
              gint64       seq,
              guint        index,
              GError     **error)
{
  const char *report_id = member_string (change, "report_id");
  const char *decision = member_string (change, "decision");
  const char *comment = NULL;
  const char *reviewer = NULL;
  const char *decided_text = member_string (change, "decided_at");
  g_autofree char *status = NULL;
  gint64 revision;
  gint64 decided_at;
  gint64 acked;

  if (report_id == NULL || !member_int (change, "revision", &revision)
      || decision == NULL
      || (!g_str_equal (decision, "accepted") && !g_str_equal (decision, "returned"))
      || !member_nullable_string (change, "comment", &comment)
      || !member_nullable_string (change, "reviewer", &reviewer)
      || decided_text == NULL || (decided_at = bc_wire_parse_time (decided_text)) < 0)
    {
      set_bad_change (index, error);
      return FALSE;
    }

  if (!run (workbook,
            prepare (workbook, error,
                     "INSERT OR IGNORE INTO reviews (seq, report_id, revision, decision, comment, "
                     "reviewer, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     "xsxsssx", seq, report_id, revision, decision, comment, reviewer,
                     decided_at),
            error))
    return FALSE;

  status = report_status (workbook, report_id, error);
  if (status == NULL)
    return FALSE;
  acked = acked_revision (workbook, report_id, error);
  if (acked < 0)
    return FALSE;

  /* Only a decision on what the server last acknowledged from us moves the
   * report; one on an older revision stays in the history. */
  if (!g_str_equal (status, "sent") || acked != revision)
    return TRUE;

  return move_report (workbook, report_id, "sent", decision, comment, g_get_real_time (), error);
}

static gboolean
apply_units (BcWorkbook  *workbook,
             JsonObject  *change,
             guint        index,
             GError     **error)
{
  JsonNode *units_node = json_object_get_member (change, "units");
  JsonArray *units;

  if (units_node == NULL || !JSON_NODE_HOLDS_ARRAY (units_node))
    {
      set_bad_change (index, error);
      return FALSE;
    }
  units = json_node_get_array (units_node);

  if (!run (workbook, prepare (workbook, error, "DELETE FROM units", ""), error))
    return FALSE;

  for (guint i = 0; i < json_array_get_length (units); i++)
    {
      JsonNode *node = json_array_get_element (units, i);
      JsonObject *unit;
      const char *code, *name, *level, *parent, *valid_from, *valid_to;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          set_bad_change (index, error);
          return FALSE;
        }
      unit = json_node_get_object (node);
      code = member_string (unit, "code");
      name = member_string (unit, "name");
      level = member_string (unit, "level");
      if (code == NULL || name == NULL || level == NULL
          || !member_nullable_string (unit, "parent", &parent)
          || !member_nullable_string (unit, "valid_from", &valid_from)
          || !member_nullable_string (unit, "valid_to", &valid_to))
        {
          set_bad_change (index, error);
          return FALSE;
        }
      if (!run (workbook,
                prepare (workbook, error,
                         "INSERT OR REPLACE INTO units (code, name, level, parent, valid_from, "
                         "valid_to) VALUES (?, ?, ?, ?, ?, ?)",
                         "ssssss", code, name, level, parent, valid_from, valid_to),
                error))
        return FALSE;
    }

  return TRUE;
}

typedef struct {
  JsonArray *changes;
  gint64     cursor;
} ChangesData;

static gboolean
apply_in_transaction (BcWorkbook  *workbook,
                      gpointer     user_data,
                      GError     **error)
{
  ChangesData *data = user_data;
  g_autofree char *cursor = NULL;

  for (guint i = 0; i < json_array_get_length (data->changes); i++)
    {
      JsonNode *node = json_array_get_element (data->changes, i);
      JsonObject *change;
      const char *kind;
      gint64 seq;
      gboolean ok;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          set_bad_change (i, error);
          return FALSE;
        }
      change = json_node_get_object (node);
      kind = member_string (change, "kind");
      if (kind == NULL || !member_int (change, "seq", &seq))
        {
          set_bad_change (i, error);
          return FALSE;
        }

      if (g_str_equal (kind, "receipt"))
        ok = apply_receipt (workbook, change, i, error);
      else if (g_str_equal (kind, "review"))
        ok = apply_review (workbook, change, seq, i, error);
      else if (g_str_equal (kind, "units"))
        ok = apply_units (workbook, change, i, error);
      else
        ok = TRUE;  /* templates, plans: stored by the caller; kinds of a later version: skipped */

      if (!ok)
        return FALSE;
    }

  cursor = g_strdup_printf ("%" G_GINT64_FORMAT, data->cursor);
  return put_setting (workbook, "cursor", cursor, error);
}

gboolean
bc_outbox_apply_changes (BcWorkbook  *workbook,
                         JsonArray   *changes,
                         gint64       cursor,
                         GError     **error)
{
  ChangesData data = { changes, cursor };

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), FALSE);
  g_return_val_if_fail (changes != NULL, FALSE);

  return _bc_workbook_transaction (workbook, TRUE, apply_in_transaction, &data, error);
}

typedef struct {
  const char *report_id;
  JsonNode   *result;
} ReadData;

static gboolean
reviews_in_transaction (BcWorkbook  *workbook,
                        gpointer     user_data,
                        GError     **error)
{
  ReadData *data = user_data;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(OutboxStmt) stmt = NULL;
  int rc;

  stmt = prepare (workbook, error,
                  "SELECT revision, decision, comment, reviewer, decided_at FROM reviews "
                  "WHERE report_id = ? ORDER BY seq",
                  "s", data->report_id);
  json_builder_begin_array (builder);
  while ((rc = step (workbook, stmt, error)) == SQLITE_ROW)
    {
      g_autofree char *decided_at = bc_wire_format_time (sqlite3_column_int64 (stmt, 4));

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "revision");
      json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, 0));
      json_builder_set_member_name (builder, "decision");
      json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 1));
      json_builder_set_member_name (builder, "comment");
      json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 2));
      json_builder_set_member_name (builder, "reviewer");
      json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 3));
      json_builder_set_member_name (builder, "decided_at");
      json_builder_add_string_value (builder, decided_at);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  if (rc != SQLITE_DONE)
    return FALSE;

  data->result = json_builder_get_root (builder);
  return TRUE;
}

JsonNode *
bc_outbox_get_reviews (BcWorkbook  *workbook,
                       const char  *report_id,
                       GError     **error)
{
  ReadData data = { report_id, NULL };

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), NULL);
  g_return_val_if_fail (report_id != NULL, NULL);

  if (!_bc_workbook_transaction (workbook, FALSE, reviews_in_transaction, &data, error))
    g_clear_pointer (&data.result, json_node_unref);

  return data.result;
}

typedef struct {
  const char *report_id;
  gint64      after;
  GPtrArray  *reviews;
} ReviewsData;

static gboolean
list_reviews_in_transaction (BcWorkbook  *workbook,
                             gpointer     user_data,
                             GError     **error)
{
  ReviewsData *data = user_data;
  g_autoptr(OutboxStmt) stmt = NULL;
  int rc;

  /* The decision in force: the newest review of the revision the server
   * last acknowledged, while the report has not been sent again since
   * (queued or sent, the review is of content the officer has replaced). */
  stmt = prepare (workbook, error,
                  "SELECT v.seq, v.report_id, v.revision, v.decision, v.comment, v.reviewer, "
                  "v.decided_at, "
                  "  r.status IN ('accepted', 'returned', 'draft', 'ready') "
                  "  AND v.revision = s.acked_revision "
                  "  AND v.seq = (SELECT max (w.seq) FROM reviews w "
                  "               WHERE w.report_id = v.report_id AND w.revision = v.revision) "
                  "FROM reviews v "
                  "LEFT JOIN reports r ON r.id = v.report_id "
                  "LEFT JOIN sync_state s ON s.report_id = v.report_id "
                  "WHERE (?1 IS NULL OR v.report_id = ?1) AND v.seq > ?2 "
                  "ORDER BY v.seq",
                  "sx", data->report_id, data->after);
  while ((rc = step (workbook, stmt, error)) == SQLITE_ROW)
    {
      BcReview *review = g_new0 (BcReview, 1);

      review->seq = sqlite3_column_int64 (stmt, 0);
      review->report_id = column_dup (stmt, 1);
      review->revision = sqlite3_column_int64 (stmt, 2);
      review->decision = column_dup (stmt, 3);
      review->comment = column_dup (stmt, 4);
      review->reviewer = column_dup (stmt, 5);
      review->decided_at = sqlite3_column_int64 (stmt, 6);
      review->current = sqlite3_column_int (stmt, 7) != 0;
      g_ptr_array_add (data->reviews, review);
    }

  return rc == SQLITE_DONE;
}

GPtrArray *
bc_outbox_list_reviews (BcWorkbook  *workbook,
                        const char  *report_id,
                        gint64       after,
                        GError     **error)
{
  ReviewsData data = { report_id, after, NULL };

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), NULL);

  data.reviews = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_review_free);
  if (!_bc_workbook_transaction (workbook, FALSE, list_reviews_in_transaction, &data, error))
    g_clear_pointer (&data.reviews, g_ptr_array_unref);

  return data.reviews;
}

typedef struct {
  GHashTable *states;
} StatesData;

static gboolean
states_in_transaction (BcWorkbook  *workbook,
                       gpointer     user_data,
                       GError     **error)
{
  StatesData *data = user_data;
  g_autoptr(OutboxStmt) stmt = NULL;
  int rc;

  stmt = prepare (workbook, error,
                  "SELECT report_id, acked_revision, receipt_number, received_at, conflict, "
                  "server_revision, last_error FROM sync_state",
                  "");
  while ((rc = step (workbook, stmt, error)) == SQLITE_ROW)
    {
      BcSyncState *state = g_new0 (BcSyncState, 1);

      state->report_id = column_dup (stmt, 0);
      state->acked_revision = sqlite3_column_int64 (stmt, 1);
      state->receipt_number = column_dup (stmt, 2);
      state->received_at = sqlite3_column_int64 (stmt, 3);
      state->conflict = sqlite3_column_int (stmt, 4) != 0;
      state->server_revision = sqlite3_column_int64 (stmt, 5);
      state->last_error = column_dup (stmt, 6);
      g_hash_table_replace (data->states, state->report_id, state);
    }

  return rc == SQLITE_DONE;
}

GHashTable *
bc_outbox_list_states (BcWorkbook  *workbook,
                       GError     **error)
{
  StatesData data = { NULL };

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), NULL);

  data.states = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) bc_sync_state_free);
  if (!_bc_workbook_transaction (workbook, FALSE, states_in_transaction, &data, error))
    g_clear_pointer (&data.states, g_hash_table_unref);

  return data.states;
}

static gboolean
units_in_transaction (BcWorkbook  *workbook,
                      gpointer     user_data,
                      GError     **error)
{
  ReadData *data = user_data;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(OutboxStmt) stmt = NULL;
  static const char *names[] = { "code", "name", "level", "parent", "valid_from", "valid_to" };
  guint n = 0;
  int rc;

  stmt = prepare (workbook, error,
                  "SELECT code, name, level, parent, valid_from, valid_to FROM units "
                  "ORDER BY code",
                  "");
  json_builder_begin_array (builder);
  while ((rc = step (workbook, stmt, error)) == SQLITE_ROW)
    {
      json_builder_begin_object (builder);
      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        {
          json_builder_set_member_name (builder, names[i]);
          if (sqlite3_column_type (stmt, (int) i) == SQLITE_NULL)
            json_builder_add_null_value (builder);
          else
            json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, (int) i));
        }
      json_builder_end_object (builder);
      n++;
    }
  json_builder_end_array (builder);
  if (rc != SQLITE_DONE)
    return FALSE;

  if (n > 0)
    data->result = json_builder_get_root (builder);
  return TRUE;
}

JsonNode *
bc_outbox_get_units (BcWorkbook  *workbook,
                     GError     **error)
{
  ReadData data = { NULL, NULL };

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), NULL);

  if (!_bc_workbook_transaction (workbook, FALSE, units_in_transaction, &data, error))
    g_clear_pointer (&data.result, json_node_unref);

  return data.result;
}

/* ------------------------------------------------------------------------ */
/* Published templates                                                      */

char *
bc_outbox_user_template_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "baocao", "templates", NULL);
}

static gboolean
is_safe_template_id (const char *id)
{
  if (id == NULL || *id == '\0' || strlen (id) > 64)
    return FALSE;

  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;

  return TRUE;
}

/* The definition as the file to write: what the loaders read back. */
static char *
definition_text (JsonNode *definition,
                 gsize    *length)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, definition);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, length);
}

/* Writes a checked definition to `directory`/`basename`, atomically. */
static gboolean
write_definition (const char  *directory,
                  const char  *basename,
                  const char  *text,
                  gsize        length,
                  GError     **error)
{
  g_autofree char *path = NULL;

  if (g_mkdir_with_parents (directory, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create the folder “%s” for forms: %s."),
                   directory, g_strerror (saved));
      return FALSE;
    }

  path = g_build_filename (directory, basename, NULL);
  return g_file_set_contents (path, text, (gssize) length, error);
}

BcTemplate *
bc_outbox_store_template (const char  *directory,
                          const char  *template_id,
                          int          version,
                          JsonNode    *definition,
                          GError     **error)
{
  g_autoptr(BcTemplate) template_ = NULL;
  g_autofree char *text = NULL;
  g_autofree char *basename = NULL;
  gsize length;

  g_return_val_if_fail (directory != NULL, NULL);
  g_return_val_if_fail (definition != NULL, NULL);

  /* The id becomes a file name: nothing that could leave the folder. */
  if (!is_safe_template_id (template_id) || version < 1)
    {
      g_set_error (error, BC_WIRE_ERROR, BC_WIRE_ERROR_BAD_SHAPE,
                   _("The server published a form with an id Baocao cannot use (“%s”). "
                     "Tell the server's administrator."),
                   template_id != NULL ? template_id : "");
      return NULL;
    }

  basename = g_strdup_printf ("%s-v%d.json", template_id, version);
  text = definition_text (definition, &length);

  template_ = bc_template_new_from_data (text, (gssize) length, basename, error);
  if (template_ == NULL)
    return NULL;
  if (g_strcmp0 (bc_template_get_id (template_), template_id) != 0
      || bc_template_get_version (template_) != version)
    {
      g_set_error (error, BC_WIRE_ERROR, BC_WIRE_ERROR_BAD_SHAPE,
                   _("The server published the form “%s” version %d, but its file says "
                     "otherwise. Tell the server's administrator."),
                   template_id, version);
      return NULL;
    }

  if (!write_definition (directory, basename, text, length, error))
    return NULL;

  return g_steal_pointer (&template_);
}

BcPlan *
bc_outbox_store_plan (const char  *directory,
                      const char  *plan_id,
                      JsonNode    *definition,
                      GError     **error)
{
  g_autoptr(BcPlan) plan = NULL;
  g_autofree char *text = NULL;
  g_autofree char *basename = NULL;
  gsize length;

  g_return_val_if_fail (directory != NULL, NULL);
  g_return_val_if_fail (definition != NULL, NULL);

  /* The id becomes a file name: nothing that could leave the folder. */
  if (!is_safe_template_id (plan_id))
    {
      g_set_error (error, BC_WIRE_ERROR, BC_WIRE_ERROR_BAD_SHAPE,
                   _("The server published a plan with an id Baocao cannot use (“%s”). "
                     "Tell the server's administrator."),
                   plan_id != NULL ? plan_id : "");
      return NULL;
    }

  basename = g_strdup_printf ("%s.plan.json", plan_id);
  text = definition_text (definition, &length);

  plan = bc_plan_new_from_data (text, (gssize) length, basename, error);
  if (plan == NULL)
    return NULL;
  if (g_strcmp0 (bc_plan_get_id (plan), plan_id) != 0)
    {
      g_set_error (error, BC_WIRE_ERROR, BC_WIRE_ERROR_BAD_SHAPE,
                   _("The server published the plan “%s”, but its file says otherwise. "
                     "Tell the server's administrator."),
                   plan_id);
      return NULL;
    }

  if (!write_definition (directory, basename, text, length, error))
    return NULL;

  return g_steal_pointer (&plan);
}

guint
bc_outbox_load_user_templates (BcTemplateRegistry *registry,
                               const char         *directory)
{
  g_autoptr(GDir) dir = NULL;
  g_autofree char *default_directory = NULL;
  const char *name;
  guint added = 0;

  g_return_val_if_fail (BC_IS_TEMPLATE_REGISTRY (registry), 0);

  if (directory == NULL)
    directory = default_directory = bc_outbox_user_template_dir ();

  dir = g_dir_open (directory, 0, NULL);
  if (dir == NULL)
    return 0;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(GFile) file = NULL;
      g_autoptr(BcTemplate) template_ = NULL;
      g_autoptr(GError) error = NULL;

      if (!g_str_has_suffix (name, ".json"))
        continue;
      path = g_build_filename (directory, name, NULL);
      file = g_file_new_for_path (path);
      if (g_str_has_suffix (name, ".plan.json"))
        {
          g_autoptr(BcPlan) plan = bc_plan_new_from_file (file, &error);

          if (plan == NULL)
            g_message ("Skipping the received plan %s: %s", path, error->message);
          else if (bc_template_registry_add_plan (registry, plan))
            added++;
          continue;
        }
      template_ = bc_template_new_from_file (file, &error);
      if (template_ == NULL)
        {
          g_message ("Skipping the received form %s: %s", path, error->message);
          continue;
        }
      if (bc_template_registry_lookup (registry, bc_template_get_id (template_),
                                       bc_template_get_version (template_), NULL) != NULL)
        continue;
      bc_template_registry_add (registry, template_);
      added++;
    }

  return added;
}

gboolean
bc_outbox_begin_batch (BcWorkbook  *workbook,
                       GError     **error)
{
  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), FALSE);

  return _bc_workbook_begin_batch (workbook, error);
}

gboolean
bc_outbox_end_batch (BcWorkbook  *workbook,
                     gboolean     commit,
                     GError     **error)
{
  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), FALSE);

  return _bc_workbook_end_batch (workbook, commit, error);
}

/* ------------------------------------------------------------------------ */
/* Resolving a conflict (bc-conflict.c)                                     */

typedef struct {
  const char *report_id;
  const char *comment;
  gint64      number;
} ConflictData;

static gboolean
reopen_in_transaction (BcWorkbook  *workbook,
                       gpointer     user_data,
                       GError     **error)
{
  ConflictData *data = user_data;
  g_autofree char *status = report_status (workbook, data->report_id, error);
  g_autoptr(BcSyncState) state = NULL;
  gint64 now = g_get_real_time ();

  if (status == NULL)
    return FALSE;
  {
    StateData state_data = { data->report_id, NULL };

    if (!state_in_transaction (workbook, &state_data, error))
      return FALSE;
    state = state_data.state;
  }
  if (!g_str_equal (status, "sent") || state == NULL || !state->conflict)
    {
      g_set_error_literal (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TRANSITION,
                           _("This report is not in conflict with the province's copy: there "
                             "is nothing to resolve."));
      return FALSE;
    }

  return run (workbook,
              prepare (workbook, error,
                       "UPDATE reports SET status = 'draft', updated_at = ? WHERE id = ?",
                       "xs", now, data->report_id),
              error)
    && run (workbook,
            prepare (workbook, error,
                     "INSERT INTO status_changes (report_id, from_status, to_status, comment, at) "
                     "VALUES (?, 'sent', 'draft', ?, ?)",
                     "ssx", data->report_id, data->comment, now),
            error);
}

gboolean
_bc_outbox_reopen_conflict (BcWorkbook  *workbook,
                            const char  *report_id,
                            const char  *comment,
                            GError     **error)
{
  ConflictData data = { report_id, comment, 0 };

  return _bc_workbook_transaction (workbook, TRUE, reopen_in_transaction, &data, error);
}

static gboolean
raise_in_transaction (BcWorkbook  *workbook,
                      gpointer     user_data,
                      GError     **error)
{
  ConflictData *data = user_data;

  return run (workbook,
              prepare (workbook, error,
                       "UPDATE reports SET revision = MAX(revision, ?) WHERE id = ? "
                       "AND status = 'draft'",
                       "xs", data->number, data->report_id),
              error);
}

gboolean
_bc_outbox_raise_revision (BcWorkbook  *workbook,
                           const char  *report_id,
                           gint64       min_revision,
                           GError     **error)
{
  ConflictData data = { report_id, NULL, min_revision };

  return _bc_workbook_transaction (workbook, TRUE, raise_in_transaction, &data, error);
}

static gboolean
rebase_in_transaction (BcWorkbook  *workbook,
                       gpointer     user_data,
                       GError     **error)
{
  ConflictData *data = user_data;

  return run (workbook,
              prepare (workbook, error,
                       "UPDATE outbox SET base_revision = ? WHERE report_id = ?",
                       "xs", data->number, data->report_id),
              error)
    && run (workbook,
            prepare (workbook, error,
                     "UPDATE sync_state SET conflict = 0, server_revision = ? "
                     "WHERE report_id = ?",
                     "xs", data->number, data->report_id),
            error);
}

gboolean
_bc_outbox_rebase_queued (BcWorkbook  *workbook,
                          const char  *report_id,
                          gint64       server_revision,
                          GError     **error)
{
  ConflictData data = { report_id, NULL, server_revision };

  return _bc_workbook_transaction (workbook, TRUE, rebase_in_transaction, &data, error);
}
