/* bc-workbook.c: a user's reports in one crash-safe SQLite file.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The file format (schema, pragmas, guarantees) is documented in
 * docs/workbook.md. Every public call takes the workbook's mutex, and every
 * change runs in one BEGIN IMMEDIATE … COMMIT that has committed (WAL,
 * synchronous=FULL: fsynced) before the call returns TRUE.
 */
#define G_LOG_DOMAIN "bc-workbook"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "bc-i18n.h"
#include "bc-validate.h"
#include "bc-workbook.h"
#include "bc-workbook-private.h"
#include "bc-outbox-private.h"

#define BUSY_TIMEOUT_MS 5000
#define UNIT_MAX_CHARS  64
#define SQLITE_HEADER   "SQLite format 3"

#ifndef O_BINARY
#define O_BINARY 0
#endif
#ifdef G_OS_WIN32
#define BC_S_IWRITE _S_IWRITE
#else
#define BC_S_IWRITE S_IWUSR
#endif

struct _BcWorkbook
{
  GObject             parent_instance;

  /* Serialises every use of `db` and `statements`. */
  GMutex              mutex;
  sqlite3            *db;
  /* const char *sql (a literal, by address) → sqlite3_stmt *, prepared once */
  GHashTable         *statements;

  char               *path;
  BcTemplateRegistry *templates;
  gint                kind;  /* a BcWorkbookKind, read without the mutex: the window asks often */
  /* Whether the call in progress means to write: an SQLite error then says
   * "could not write", else "could not read". */
  gboolean            writing;
  /* The thread holding an outer transaction (an import), or NULL: its calls
   * run as savepoints inside it, with the mutex already held. */
  GThread            *batch_owner;
};

G_DEFINE_FINAL_TYPE (BcWorkbook, bc_workbook, G_TYPE_OBJECT)

G_DEFINE_QUARK (bc-workbook-error-quark, bc_workbook_error)

/* ------------------------------------------------------------------------ */
/* The schema and its migrations                                            */

typedef gboolean (*MigrateFunc) (BcWorkbook *self, GError **error);

static gboolean migrate_to_1 (BcWorkbook *self, GError **error);
static gboolean migrate_to_2 (BcWorkbook *self, GError **error);

/* migrations[i] brings a workbook from user_version i to i + 1. A new schema
 * version adds one function here and bumps BC_WORKBOOK_SCHEMA_VERSION. */
static const MigrateFunc migrations[] = {
  migrate_to_1,
  migrate_to_2,
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == BC_WORKBOOK_SCHEMA_VERSION);

static const char schema_1[] =
  "CREATE TABLE meta ("
  "  key   TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE TABLE settings ("
  "  key   TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE TABLE reports ("
  "  id               TEXT PRIMARY KEY NOT NULL,"
  "  template_id      TEXT NOT NULL,"
  "  template_version INTEGER NOT NULL,"
  "  period_id        TEXT NOT NULL,"
  "  period_key       INTEGER NOT NULL,"
  "  unit             TEXT NOT NULL,"
  "  status           TEXT NOT NULL DEFAULT 'draft' CHECK (status IN"
  "                     ('draft', 'ready', 'queued', 'sent', 'accepted', 'returned')),"
  "  revision         INTEGER NOT NULL DEFAULT 0,"
  "  next_row_id      INTEGER NOT NULL DEFAULT 1,"
  "  created_at       INTEGER NOT NULL,"
  "  updated_at       INTEGER NOT NULL,"
  "  submitted_at     INTEGER NOT NULL DEFAULT 0,"
  "  review_comment   TEXT,"
  "  UNIQUE (template_id, period_id, unit)"
  ");"
  "CREATE INDEX reports_by_period ON reports (period_key DESC, unit, template_id);"
  "CREATE TABLE rows ("
  "  report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,"
  "  table_id  TEXT NOT NULL,"
  "  row_id    INTEGER NOT NULL CHECK (row_id > 0),"
  "  position  INTEGER NOT NULL CHECK (position >= 0),"
  "  PRIMARY KEY (report_id, row_id)"
  ") WITHOUT ROWID;"
  "CREATE INDEX rows_by_position ON rows (report_id, table_id, position);"
  "CREATE TABLE report_values ("
  "  report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,"
  "  key       TEXT NOT NULL,"
  "  row_id    INTEGER NOT NULL DEFAULT 0,"
  "  value     TEXT NOT NULL,"
  "  PRIMARY KEY (report_id, key, row_id)"
  ") WITHOUT ROWID;"
  "CREATE TABLE justifications ("
  "  report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,"
  "  rule_id   TEXT NOT NULL,"
  "  row_id    INTEGER NOT NULL DEFAULT 0,"
  "  text      TEXT NOT NULL,"
  "  PRIMARY KEY (report_id, rule_id, row_id)"
  ") WITHOUT ROWID;"
  "CREATE TABLE edits ("
  "  id        INTEGER PRIMARY KEY,"
  "  report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,"
  "  key       TEXT NOT NULL,"
  "  row_id    INTEGER NOT NULL DEFAULT 0,"
  "  old_value TEXT,"
  "  new_value TEXT,"
  "  at        INTEGER NOT NULL,"
  "  revision  INTEGER NOT NULL"
  ");"
  "CREATE INDEX edits_by_report ON edits (report_id, id);"
  "CREATE TABLE status_changes ("
  "  id          INTEGER PRIMARY KEY,"
  "  report_id   TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,"
  "  from_status TEXT NOT NULL,"
  "  to_status   TEXT NOT NULL,"
  "  comment     TEXT,"
  "  at          INTEGER NOT NULL"
  ");"
  "CREATE INDEX status_changes_by_report ON status_changes (report_id, id);";

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */

/* Whether the operating system's error behind SQLite's last I/O error says
 * the disk is full: SQLite reports a full disk met while growing its -shm
 * file or creating its -wal as a plain I/O error. */
static gboolean
is_disk_full (BcWorkbook *self)
{
  int system_error;

  if (self->db == NULL)
    return FALSE;

  system_error = sqlite3_system_errno (self->db);
#ifdef G_OS_WIN32
  return system_error == 112 /* ERROR_DISK_FULL */ || system_error == 39 /* ERROR_HANDLE_DISK_FULL */;
#else
  return system_error == ENOSPC
#ifdef EDQUOT
    || system_error == EDQUOT
#endif
    ;
#endif
}

static void
set_sqlite_error (BcWorkbook  *self,
                  int          rc,
                  GError     **error)
{
  const char *detail = self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);

  if (((rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_CANTOPEN) && is_disk_full (self))
    rc = SQLITE_FULL;

  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_CORRUPT,
                   _("The workbook “%s” is damaged (%s). Restore it from a backup copy, "
                     "or ask your administrator to recover what can still be read."),
                   self->path, detail);
      break;

    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_IO,
                   _("The workbook “%s” is busy in another program (%s). "
                     "Close the other copy of Baocao and try again."),
                   self->path, detail);
      break;

    /* Even reading a workbook writes beside it (its -wal and -shm files), so
     * a read-only file or folder fails reads too: say so, whatever the call. */
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_IO,
                   _("Baocao cannot write to the workbook “%s”: the file or its folder is "
                     "read-only (%s). Copy the workbook to a folder where you may save files, "
                     "and open the copy."),
                   self->path, detail);
      break;

    case SQLITE_FULL:
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_IO,
                   _("Baocao could not write to the workbook “%s”: the disk is full (%s). "
                     "Free some space on the disk, then try again."),
                   self->path, detail);
      break;

    case SQLITE_IOERR:
    default:
      if (self->writing)
        g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_IO,
                     _("Baocao could not write to the workbook “%s”: %s. "
                       "Check that the disk is not full and that the file is writable."),
                     self->path, detail);
      else
        g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_IO,
                     _("Baocao could not read the workbook “%s”: %s. Check that the disk or "
                       "USB stick holding it is still connected, then try again."),
                     self->path, detail);
      break;
    }
}

/* Translatable messages take row ids as text: xgettext cannot see through
 * G_GINT64_FORMAT. */
static void
set_row_not_found (const char  *table,
                   gint64       row_id,
                   GError     **error)
{
  g_autofree char *row = g_strdup_printf ("%" G_GINT64_FORMAT, row_id);

  if (table != NULL)
    g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND,
                 _("The table “%s” of this report has no row %s. It may have been removed: "
                   "reload the report."),
                 table, row);
  else
    g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND,
                 _("This report has no row %s. It may have been removed: reload the report."),
                 row);
}

static void
set_report_not_found (const char  *report_id,
                      GError     **error)
{
  g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND,
               _("There is no report “%s” in this workbook. It may have been deleted: "
                 "reload the list of reports."),
               report_id);
}

/* Text reaches the workbook from keyboards and files: text that is not UTF-8
 * is refused with an error (never a critical), in words that do not repeat
 * the broken bytes. */
static const char invalid_report_id[] =
  N_("The report id is not valid UTF-8 text. Check the file or the command it came from.");
static const char invalid_name[] =
  N_("The name of a form, field, table, rule or setting is not valid UTF-8 text. "
     "Check the file or the command it came from.");
static const char invalid_period[] =
  N_("The period is not valid UTF-8 text. Write a period such as 2018Q2.");
static const char invalid_unit[] =
  N_("The unit is not valid UTF-8 text. Write the name of the reporting unit again.");
static const char invalid_value[] =
  N_("The value is not valid UTF-8 text. Enter it again, or check the file it came from.");
static const char invalid_text[] =
  N_("The text is not valid UTF-8. Write it again, or check the file it came from.");

/* TRUE when `text` is NULL or UTF-8; else INVALID with `message` (an N_()
 * string above). */
static gboolean
require_utf8 (const char  *text,
              const char  *message,
              GError     **error)
{
  if (text == NULL || g_utf8_validate (text, -1, NULL))
    return TRUE;

  g_set_error_literal (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID, _(message));
  return FALSE;
}

/* A copy of UTF-8 `text` without the white space around it: any white
 * space, not only ASCII (a pasted text may end in a no-break space). */
static char *
strip_white_space (const char *text)
{
  const char *start, *end;

  for (start = text; *start != '\0' && g_unichar_isspace (g_utf8_get_char (start));
       start = g_utf8_next_char (start))
    ;
  for (end = start + strlen (start); end > start; end = g_utf8_prev_char (end))
    {
      if (!g_unichar_isspace (g_utf8_get_char (g_utf8_prev_char (end))))
        break;
    }

  return g_strndup (start, end - start);
}

/* The form in which a unit is stored and compared: NFC (so the decomposed
 * and the composed spellings of "Quảng Ngãi" are one unit), without white
 * space around it, 1–64 characters, no control characters. */
static char *
normalize_unit (const char  *unit,
                GError     **error)
{
  g_autofree char *nfc = NULL;
  g_autofree char *trimmed = NULL;

  if (!require_utf8 (unit, invalid_unit, error))
    return NULL;

  nfc = g_utf8_normalize (unit, -1, G_NORMALIZE_NFC);
  trimmed = strip_white_space (nfc);

  if (*trimmed == '\0' || g_utf8_strlen (trimmed, -1) > UNIT_MAX_CHARS)
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID,
                   _("The unit must be named, in at most %d characters. Write the name "
                     "of the reporting unit."),
                   UNIT_MAX_CHARS);
      return NULL;
    }

  for (const char *p = trimmed; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || g_unichar_type (c) == G_UNICODE_LINE_SEPARATOR ||
          g_unichar_type (c) == G_UNICODE_PARAGRAPH_SEPARATOR)
        {
          g_set_error_literal (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID,
                               _("The name of the unit contains a control character, such as a "
                                 "tab or a line break. Write the name on one line."));
          return NULL;
        }

      /* Zero-width and direction marks (format characters), private-use and
       * unassigned code points: invisible, they would make look-alike units
       * and so duplicate reports. */
      switch (g_unichar_type (c))
        {
        case G_UNICODE_FORMAT:
        case G_UNICODE_PRIVATE_USE:
        case G_UNICODE_UNASSIGNED:
        case G_UNICODE_SURROGATE:
          {
            g_autofree char *code = g_strdup_printf ("U+%04X", c);

            g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID,
                         _("The name of the unit contains an invisible character (%s), such "
                           "as a zero-width space or a direction mark. Type the name again."),
                         code);
            return NULL;
          }
        default:
          break;
        }
    }

  return g_steal_pointer (&trimmed);
}

char *
bc_workbook_normalize_unit (const char  *unit,
                            GError     **error)
{
  g_return_val_if_fail (unit != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return normalize_unit (unit, error);
}

/* ------------------------------------------------------------------------ */
/* Statements                                                               */

/* A cached statement: the cleanup resets it instead of finalizing it. */
typedef sqlite3_stmt BcStmt;

static void
stmt_release (BcStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcStmt, stmt_release)

void
_bc_workbook_bind_valist (sqlite3_stmt *stmt,
                          const char   *types,
                          va_list       args)
{
  for (int i = 0; types[i] != '\0'; i++)
    {
      switch (types[i])
        {
        case 's':
          {
            const char *text = va_arg (args, const char *);

            if (text != NULL)
              sqlite3_bind_text (stmt, i + 1, text, -1, SQLITE_TRANSIENT);
            else
              sqlite3_bind_null (stmt, i + 1);
          }
          break;
        case 'x':
          sqlite3_bind_int64 (stmt, i + 1, va_arg (args, gint64));
          break;
        case 'd':
          sqlite3_bind_int (stmt, i + 1, va_arg (args, int));
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

/* Prepares `sql` once (it must be a literal: the cache is keyed by address)
 * and binds the arguments described by `types`: 's' a const char * (NULL
 * binds NULL), 'x' a gint64, 'd' an int. */
static BcStmt *
query (BcWorkbook  *self,
       GError     **error,
       const char  *sql,
       const char  *types,
       ...)
{
  sqlite3_stmt *stmt;
  va_list args;

  g_assert (self->db != NULL);

  stmt = g_hash_table_lookup (self->statements, sql);
  if (stmt == NULL)
    {
      int rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);

      if (rc != SQLITE_OK)
        {
          set_sqlite_error (self, rc, error);
          return NULL;
        }
      g_hash_table_insert (self->statements, (gpointer) sql, stmt);
    }

  va_start (args, types);
  _bc_workbook_bind_valist (stmt, types, args);
  va_end (args);

  return stmt;
}

/* SQLITE_ROW or SQLITE_DONE, or 0 with `error` set. */
static int
step (BcWorkbook  *self,
      BcStmt      *stmt,
      GError     **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return rc;

  set_sqlite_error (self, rc, error);
  return 0;
}

/* Runs a statement that returns no rows (or whose rows do not matter). */
static gboolean
run (BcWorkbook  *self,
     BcStmt      *stmt,
     GError     **error)
{
  int rc;

  if (stmt == NULL)
    return FALSE;

  while ((rc = step (self, stmt, error)) == SQLITE_ROW)
    ;
  stmt_release (stmt);

  return rc == SQLITE_DONE;
}

static const char *
column_text (BcStmt *stmt,
             int     column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

static gboolean
exec_sql (BcWorkbook  *self,
          const char  *sql,
          GError     **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (self, rc, error);
      return FALSE;
    }

  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Locking and transactions                                                 */

/* Read by every thread, written only by the batch's owner (under the
 * mutex): atomic, so that no thread reads it torn. */
static gboolean
in_batch (BcWorkbook *self)
{
  return g_atomic_pointer_get (&self->batch_owner) == (gpointer) g_thread_self ();
}

/* Unlocks what lock_open() locked: nothing inside a batch, whose owner keeps
 * the mutex until it ends. */
static void
unlock_open (BcWorkbook *self)
{
  if (!in_batch (self))
    g_mutex_unlock (&self->mutex);
}

static gboolean
lock_open (BcWorkbook  *self,
           GError     **error)
{
  /* The owner of a batch holds the mutex already. */
  if (!in_batch (self))
    g_mutex_lock (&self->mutex);

  if (self->db == NULL)
    {
      unlock_open (self);
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_IO,
                   _("The workbook “%s” has been closed. Open it again to continue."),
                   self->path);
      return FALSE;
    }

  return TRUE;
}

static void
rollback (BcWorkbook *self)
{
  /* A failed COMMIT may already have rolled back. */
  if (!sqlite3_get_autocommit (self->db))
    {
      int rc = sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);

      if (rc != SQLITE_OK)
        g_debug ("ROLLBACK failed: %s", sqlite3_errmsg (self->db));
    }
}

typedef gboolean (*TransactionFunc) (BcWorkbook  *self,
                                     gpointer     data,
                                     GError     **error);

/* Runs `func` in one transaction: BEGIN IMMEDIATE (takes the write lock at
 * once, so a busy workbook waits here rather than failing mid-way) or a
 * read-only deferred BEGIN; commits when it returns TRUE, rolls back
 * otherwise. TRUE means the change is committed and durable. */
static gboolean
in_transaction (BcWorkbook      *self,
                gboolean         write,
                TransactionFunc  func,
                gpointer         data,
                GError         **error)
{
  gboolean ok;

  if (!lock_open (self, error))
    return FALSE;

  if (in_batch (self))
    {
      /* Inside a batch each call is a savepoint: all of it or nothing, and
       * nothing at all unless the batch commits. A batch that SQLite has
       * already rolled back (a full disk can do that) takes no more
       * changes: they would commit one by one. */
      if (sqlite3_get_autocommit (self->db))
        {
          g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_IO,
                       _("Baocao could not write to the workbook “%s”: the import was "
                         "interrupted and nothing of it was kept. Import the file again."),
                       self->path);
          return FALSE;
        }
      self->writing = TRUE;
      ok = run (self, query (self, error, "SAVEPOINT bc_call", ""), error);
      if (!ok)
        return FALSE;
      ok = func (self, data, error);
      if (!sqlite3_get_autocommit (self->db))
        {
          GError **release_error = ok ? error : NULL;

          if (!ok)
            exec_sql (self, "ROLLBACK TO bc_call", NULL);
          if (!run (self, query (self, release_error, "RELEASE bc_call", ""), release_error))
            ok = FALSE;
        }
      else
        ok = FALSE;
      return ok;
    }

  self->writing = write;
  ok = run (self, query (self, error, write ? "BEGIN IMMEDIATE" : "BEGIN", ""), error);
  if (ok)
    {
      ok = func (self, data, error);
      if (ok)
        ok = run (self, query (self, error, "COMMIT", ""), error);
      if (!ok)
        rollback (self);
    }

  g_mutex_unlock (&self->mutex);

  return ok;
}

/* ------------------------------------------------------------------------ */
/* Helpers used inside transactions                                         */

typedef struct {
  char     *template_id;
  int       template_version;
  char     *period_id;
  char     *unit;
  BcStatus  status;
  gint64    revision;
} ReportHead;

static void
report_head_clear (ReportHead *head)
{
  g_clear_pointer (&head->template_id, g_free);
  g_clear_pointer (&head->period_id, g_free);
  g_clear_pointer (&head->unit, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ReportHead, report_head_clear)

static gboolean
parse_status (BcWorkbook  *self,
              const char  *text,
              BcStatus    *status,
              GError     **error)
{
  if (text != NULL && bc_status_from_string (text, status))
    return TRUE;

  g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_CORRUPT,
               _("The workbook “%s” is damaged: a report has the unknown status “%s”. "
                 "Restore the workbook from a backup copy."),
               self->path, text != NULL ? text : "");
  return FALSE;
}

static gboolean
load_head (BcWorkbook  *self,
           const char  *report_id,
           ReportHead  *head,
           GError     **error)
{
  g_autoptr(BcStmt) stmt = NULL;
  int rc;

  stmt = query (self, error,
                "SELECT template_id, template_version, period_id, unit, status, revision "
                "FROM reports WHERE id = ?",
                "s", report_id);
  if (stmt == NULL || (rc = step (self, stmt, error)) == 0)
    return FALSE;

  if (rc == SQLITE_DONE)
    {
      set_report_not_found (report_id, error);
      return FALSE;
    }

  head->template_id = g_strdup (column_text (stmt, 0));
  head->template_version = sqlite3_column_int (stmt, 1);
  head->period_id = g_strdup (column_text (stmt, 2));
  head->unit = g_strdup (column_text (stmt, 3));
  head->revision = sqlite3_column_int64 (stmt, 5);

  return parse_status (self, column_text (stmt, 4), &head->status, error);
}

static gboolean
require_draft (const ReportHead  *head,
               GError           **error)
{
  if (head->status == BC_STATUS_DRAFT)
    return TRUE;

  g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_READ_ONLY,
               _("This report is “%s”, so it cannot be changed. Only drafts can be edited: "
                 "take the report back to draft first, if its status allows it."),
               bc_status_label (head->status));
  return FALSE;
}

/* The template a report was started on, or NULL when no registry is set or
 * it does not hold that version. */
static BcTemplate *
head_template (BcWorkbook       *self,
               const ReportHead *head)
{
  if (self->templates == NULL)
    return NULL;

  return bc_template_registry_lookup (self->templates, head->template_id,
                                      head->template_version, NULL);
}

/* Bumps the report's revision for one change and returns the new one. */
static gint64
bump_revision (BcWorkbook  *self,
               const char  *report_id,
               gint64       now,
               GError     **error)
{
  g_autoptr(BcStmt) stmt = NULL;
  int rc;

  stmt = query (self, error,
                "UPDATE reports SET revision = revision + 1, updated_at = ? "
                "WHERE id = ? RETURNING revision",
                "xs", now, report_id);
  if (stmt == NULL || (rc = step (self, stmt, error)) == 0)
    return 0;

  if (rc == SQLITE_DONE)
    {
      set_report_not_found (report_id, error);
      return 0;
    }

  return sqlite3_column_int64 (stmt, 0);
}

static gboolean
record_edit (BcWorkbook  *self,
             const char  *report_id,
             const char  *key,
             gint64       row_id,
             const char  *old_value,
             const char  *new_value,
             gint64       at,
             gint64       revision,
             GError     **error)
{
  return run (self,
              query (self, error,
                     "INSERT INTO edits (report_id, key, row_id, old_value, new_value, at, revision) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
                     "ssxssxx", report_id, key, row_id, old_value, new_value, at, revision),
              error);
}

/* The stored value (NULL = blank), in *out. */
static gboolean
get_value (BcWorkbook  *self,
           const char  *report_id,
           const char  *key,
           gint64       row_id,
           char       **out,
           GError     **error)
{
  g_autoptr(BcStmt) stmt = NULL;
  int rc;

  *out = NULL;
  stmt = query (self, error,
                "SELECT value FROM report_values WHERE report_id = ? AND key = ? AND row_id = ?",
                "ssx", report_id, key, row_id);
  if (stmt == NULL || (rc = step (self, stmt, error)) == 0)
    return FALSE;

  if (rc == SQLITE_ROW)
    *out = g_strdup (column_text (stmt, 0));

  return TRUE;
}

static gboolean
put_value (BcWorkbook  *self,
           const char  *report_id,
           const char  *key,
           gint64       row_id,
           const char  *value,
           GError     **error)
{
  if (value == NULL)
    return run (self,
                query (self, error,
                       "DELETE FROM report_values WHERE report_id = ? AND key = ? AND row_id = ?",
                       "ssx", report_id, key, row_id),
                error);

  return run (self,
              query (self, error,
                     "INSERT INTO report_values (report_id, key, row_id, value) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (report_id, key, row_id) DO UPDATE SET value = excluded.value",
                     "ssxs", report_id, key, row_id, value),
              error);
}

/* Checks that the report has the row `row_id` in `table` (NULL: in any
 * table) and gives its 0-based position; NOT_FOUND when it has not. */
static gboolean
require_row (BcWorkbook  *self,
             const char  *report_id,
             const char  *table,
             gint64       row_id,
             gint64      *position,
             GError     **error)
{
  g_autoptr(BcStmt) stmt = NULL;
  int rc;

  stmt = query (self, error,
                "SELECT position FROM rows WHERE report_id = ?1 AND row_id = ?2 "
                "AND (?3 IS NULL OR table_id = ?3)",
                "sxs", report_id, row_id, table);
  if (stmt == NULL || (rc = step (self, stmt, error)) == 0)
    return FALSE;

  if (rc == SQLITE_DONE)
    {
      set_row_not_found (table, row_id, error);
      return FALSE;
    }

  *position = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

static gboolean
count_rows (BcWorkbook  *self,
            const char  *report_id,
            const char  *table,
            gint64      *n_rows,
            GError     **error)
{
  g_autoptr(BcStmt) stmt = NULL;

  stmt = query (self, error,
                "SELECT count(*) FROM rows WHERE report_id = ? AND table_id = ?",
                "ss", report_id, table);
  if (stmt == NULL || step (self, stmt, error) != SQLITE_ROW)
    return FALSE;

  *n_rows = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/* Puts the row `row_id` into `table` at `index` (past the end: last),
 * shifting the rows from there down. */
static gboolean
place_row (BcWorkbook  *self,
           const char  *report_id,
           const char  *table,
           gint64       row_id,
           gint64       index,
           GError     **error)
{
  gint64 n_rows;

  if (!count_rows (self, report_id, table, &n_rows, error))
    return FALSE;
  index = CLAMP (index, 0, n_rows);

  return (index == n_rows
          || run (self,
                  query (self, error,
                         "UPDATE rows SET position = position + 1 "
                         "WHERE report_id = ? AND table_id = ? AND position >= ?",
                         "ssx", report_id, table, index),
                  error))
    && run (self,
            query (self, error,
                   "INSERT INTO rows (report_id, table_id, row_id, position) VALUES (?, ?, ?, ?)",
                   "ssxx", report_id, table, row_id, index),
            error);
}

/* Appends a row to `table` and returns its new id (0 on error). */
static gint64
insert_row (BcWorkbook  *self,
            const char  *report_id,
            const char  *table,
            GError     **error)
{
  gint64 row_id;

  {
    g_autoptr(BcStmt) stmt = NULL;

    /* Row ids come from a per-report counter, so an id is never reused even
     * after its row is removed: edits and justifications keep their meaning. */
    stmt = query (self, error,
                  "UPDATE reports SET next_row_id = next_row_id + 1 WHERE id = ? "
                  "RETURNING next_row_id - 1",
                  "s", report_id);
    if (stmt == NULL || step (self, stmt, error) != SQLITE_ROW)
      return 0;
    row_id = sqlite3_column_int64 (stmt, 0);
  }

  if (!place_row (self, report_id, table, row_id, G_MAXINT64, error))
    return 0;

  return row_id;
}

static gboolean
is_valid_key_part (const char *part,
                   gssize      length)
{
  if (length < 0)
    length = strlen (part);

  return length > 0 && memchr (part, '.', length) == NULL;
}

/* Checks that (key, row_id) can hold a value: a scalar field has row 0 and no
 * dot, a cell is "table.column" with a row of that table. With the report's
 * template at hand, the field must exist, be stored under that key and not
 * be computed. */
static gboolean
check_cell (BcWorkbook        *self,
            const char        *report_id,
            const ReportHead  *head,
            const char        *key,
            gint64             row_id,
            GError           **error)
{
  const char *dot = strchr (key, '.');
  BcTemplate *template_ = head_template (self, head);

  if (row_id == 0 ? !is_valid_key_part (key, -1)
                  : (dot == NULL || !is_valid_key_part (key, dot - key)
                     || !is_valid_key_part (dot + 1, -1)))
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND,
                   row_id == 0
                   ? _("“%s” is not a field of this report. A table's cell needs its row.")
                   : _("“%s” is not a column of a table. Give a column as “table.column”."),
                   key);
      return FALSE;
    }

  if (template_ != NULL)
    {
      const BcField *field = bc_template_lookup_field (template_, key);
      g_autofree char *field_key = field != NULL ? bc_field_dup_key (field) : NULL;

      if (field == NULL || field->type == BC_FIELD_TABLE || g_strcmp0 (field_key, key) != 0
          || (row_id == 0) != (field->table == NULL))
        {
          g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND,
                       _("The form “%s” (version %d) has no field “%s”. Reload the report: "
                         "the form may have changed."),
                       head->template_id, head->template_version, key);
          return FALSE;
        }

      if (field->compute != NULL)
        {
          g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID,
                       _("The field “%s” is computed from other fields and cannot be entered."),
                       key);
          return FALSE;
        }
    }

  if (row_id > 0)
    {
      g_autofree char *table = g_strndup (key, dot - key);
      gint64 position;

      return require_row (self, report_id, table, row_id, &position, error);
    }

  return TRUE;
}

static gboolean
check_table (BcWorkbook        *self,
             const ReportHead  *head,
             const char        *table,
             GError           **error)
{
  BcTemplate *template_ = head_template (self, head);
  const BcField *field = NULL;

  if (template_ != NULL)
    field = bc_template_lookup_field (template_, table);

  if (!is_valid_key_part (table, -1)
      || (template_ != NULL && (field == NULL || field->type != BC_FIELD_TABLE
                                || g_strcmp0 (field->id, table) != 0)))
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND,
                   _("The form “%s” (version %d) has no table “%s”. Reload the report: "
                     "the form may have changed."),
                   head->template_id, head->template_version, table);
      return FALSE;
    }

  return TRUE;
}

/* A sortable key that orders periods as bc_period_compare() does: by the
 * start of the cut-off window, then its length, quarters before years. */
static gint64
period_sort_key (const BcPeriod *period)
{
  GDate start, end;
  gint64 start_day, end_day;

  bc_period_window (period, &start, &end);
  start_day = g_date_get_julian (&start);
  end_day = g_date_get_julian (&end);

  return (start_day << 24) | ((end_day - start_day) << 1) | (period->type == BC_PERIOD_YEAR);
}

/* Maps a storage key of version `from` of a template to version `to`,
 * following each version's migration (renamed, removed). NULL: removed. */
static char *
migrate_key (BcWorkbook *self,
             const char *template_id,
             int         from,
             int         to,
             const char *key)
{
  g_autofree char *current = g_strdup (key);

  for (int version = from + 1; version <= to && self->templates != NULL; version++)
    {
      BcTemplate *step_template = bc_template_registry_lookup (self->templates, template_id,
                                                               version, NULL);
      const BcMigration *migration = step_template != NULL
        ? bc_template_get_migration (step_template, version - 1) : NULL;
      const char *renamed;

      if (migration == NULL)
        continue;
      if (migration->removed != NULL && g_strv_contains ((const char * const *) migration->removed, current))
        return NULL;
      renamed = migration->renamed != NULL ? g_hash_table_lookup (migration->renamed, current) : NULL;
      if (renamed != NULL)
        {
          g_free (current);
          current = g_strdup (renamed);
        }
    }

  return g_steal_pointer (&current);
}

/* ------------------------------------------------------------------------ */
/* Loading                                                                  */

static BcReport *
load_report_locked (BcWorkbook  *self,
                    const char  *report_id,
                    GError     **error)
{
  g_autoptr(BcReport) report = NULL;
  int rc;

  {
    g_autoptr(BcStmt) stmt = NULL;
    BcStatus status;

    /* An accepted report's comment is its acceptance's. Workbooks written
     * before that rule may still hold the comment of an earlier return:
     * the acceptance kept in `reviews` (docs/workbook.md) says otherwise. */
    stmt = query (self, error,
                  "SELECT template_id, template_version, period_id, unit, status, revision, "
                  "created_at, updated_at, submitted_at, "
                  "CASE WHEN status = 'accepted' AND EXISTS "
                  "  (SELECT 1 FROM reviews v WHERE v.report_id = reports.id "
                  "   AND v.decision = 'accepted') "
                  "THEN (SELECT v.comment FROM reviews v WHERE v.report_id = reports.id "
                  "      AND v.decision = 'accepted' ORDER BY v.seq DESC LIMIT 1) "
                  "ELSE review_comment END "
                  "FROM reports WHERE id = ?",
                  "s", report_id);
    if (stmt == NULL || (rc = step (self, stmt, error)) == 0)
      return NULL;
    if (rc == SQLITE_DONE)
      {
        set_report_not_found (report_id, error);
        return NULL;
      }
    if (!parse_status (self, column_text (stmt, 4), &status, error))
      return NULL;

    report = bc_report_new (report_id, column_text (stmt, 0), sqlite3_column_int (stmt, 1),
                            column_text (stmt, 2), column_text (stmt, 3));
    bc_report_set_status (report, status);
    bc_report_set_revision (report, sqlite3_column_int64 (stmt, 5));
    bc_report_set_times (report, sqlite3_column_int64 (stmt, 6), sqlite3_column_int64 (stmt, 7),
                         sqlite3_column_int64 (stmt, 8));
    bc_report_set_review_comment (report, column_text (stmt, 9));
  }

  {
    g_autoptr(BcStmt) stmt = NULL;

    stmt = query (self, error,
                  "SELECT table_id, row_id FROM rows WHERE report_id = ? "
                  "ORDER BY table_id, position",
                  "s", report_id);
    if (stmt == NULL)
      return NULL;
    while ((rc = step (self, stmt, error)) == SQLITE_ROW)
      bc_report_append_row (report, column_text (stmt, 0), sqlite3_column_int64 (stmt, 1));
    if (rc == 0)
      return NULL;
  }

  {
    g_autoptr(BcStmt) stmt = NULL;

    stmt = query (self, error,
                  "SELECT key, row_id, value FROM report_values WHERE report_id = ?",
                  "s", report_id);
    if (stmt == NULL)
      return NULL;
    while ((rc = step (self, stmt, error)) == SQLITE_ROW)
      bc_report_set_value (report, column_text (stmt, 0), sqlite3_column_int64 (stmt, 1),
                           column_text (stmt, 2));
    if (rc == 0)
      return NULL;
  }

  {
    g_autoptr(BcStmt) stmt = NULL;

    stmt = query (self, error,
                  "SELECT rule_id, row_id, text FROM justifications WHERE report_id = ?",
                  "s", report_id);
    if (stmt == NULL)
      return NULL;
    while ((rc = step (self, stmt, error)) == SQLITE_ROW)
      bc_report_set_justification (report, column_text (stmt, 0), sqlite3_column_int64 (stmt, 1),
                                   column_text (stmt, 2));
    if (rc == 0)
      return NULL;
  }

  return g_steal_pointer (&report);
}

/* The id of the report for (template, canonical period, unit) in *out, NULL
 * when there is none. */
static gboolean
find_report_locked (BcWorkbook  *self,
                    const char  *template_id,
                    const char  *period_id,
                    const char  *unit,
                    char       **out,
                    GError     **error)
{
  g_autoptr(BcStmt) stmt = NULL;
  int rc;

  *out = NULL;
  stmt = query (self, error,
                "SELECT id FROM reports WHERE template_id = ? AND period_id = ? AND unit = ?",
                "sss", template_id, period_id, unit);
  if (stmt == NULL || (rc = step (self, stmt, error)) == 0)
    return FALSE;

  if (rc == SQLITE_ROW)
    *out = g_strdup (column_text (stmt, 0));

  return TRUE;
}

/* The same unit's report of the same template for the period before
 * `period_id`, in *out (NULL when there is none). */
static gboolean
load_previous_locked (BcWorkbook  *self,
                      const char  *template_id,
                      const char  *period_id,
                      const char  *unit,
                      BcReport   **out,
                      GError     **error)
{
  g_autofree char *previous_id = NULL;
  g_autofree char *report_id = NULL;
  BcPeriod period, previous;

  *out = NULL;
  if (!bc_period_parse (period_id, &period, NULL))
    return TRUE;

  bc_period_previous (&period, &previous);
  if (bc_period_equal (&period, &previous))
    return TRUE;

  previous_id = bc_period_to_id (&previous);
  if (!find_report_locked (self, template_id, previous_id, unit, &report_id, error))
    return FALSE;
  if (report_id == NULL)
    return TRUE;

  *out = load_report_locked (self, report_id, error);
  return *out != NULL;
}

/* The same unit's most recent report of the same template for a period
 * before `period_key`, in *out (NULL when there is none). Unlike the previous
 * period's report, it may be older: a unit that skipped a quarter still has
 * its unresolved findings carried forward. */
static gboolean
load_latest_before_locked (BcWorkbook  *self,
                           const char  *template_id,
                           gint64       period_key,
                           const char  *unit,
                           BcReport   **out,
                           GError     **error)
{
  g_autofree char *report_id = NULL;

  *out = NULL;

  {
    g_autoptr(BcStmt) stmt = NULL;
    int rc;

    stmt = query (self, error,
                  "SELECT id FROM reports WHERE template_id = ? AND unit = ? AND period_key < ? "
                  "ORDER BY period_key DESC LIMIT 1",
                  "ssx", template_id, unit, period_key);
    if (stmt == NULL || (rc = step (self, stmt, error)) == 0)
      return FALSE;
    if (rc == SQLITE_ROW)
      report_id = g_strdup (column_text (stmt, 0));
  }

  if (report_id == NULL)
    return TRUE;

  *out = load_report_locked (self, report_id, error);
  return *out != NULL;
}

/* ------------------------------------------------------------------------ */
/* Opening                                                                  */

static gboolean
migrate_to_1 (BcWorkbook  *self,
              GError     **error)
{
  g_autofree char *workbook_id = g_uuid_string_random ();
  g_autofree char *created_at = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time ());

  return exec_sql (self, schema_1, error)
    && run (self,
            query (self, error,
                   "INSERT INTO meta (key, value) VALUES ('workbook_id', ?), ('kind', 'user'), "
                   "('created_at', ?)",
                   "ss", workbook_id, created_at),
            error);
}

/* Version 2: the outbox and sync state (bc-outbox.c owns those tables). */
static gboolean
migrate_to_2 (BcWorkbook  *self,
              GError     **error)
{
  return _bc_outbox_migrate_to_2 (self, self->db, error);
}

typedef struct {
  gint32 application_id;
  int    user_version;
  gint64 n_objects;
} FileHeader;

static gboolean
read_header (BcWorkbook  *self,
             FileHeader  *header,
             GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db,
                           "SELECT (SELECT application_id FROM pragma_application_id), "
                           "(SELECT user_version FROM pragma_user_version), "
                           "(SELECT count(*) FROM sqlite_schema)",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    {
      header->application_id = sqlite3_column_int (stmt, 0);
      header->user_version = sqlite3_column_int (stmt, 1);
      header->n_objects = sqlite3_column_int64 (stmt, 2);
      rc = SQLITE_OK;
    }
  else
    set_sqlite_error (self, rc, error);

  sqlite3_finalize (stmt);

  return rc == SQLITE_OK;
}

/* Whether a header belongs to an empty database, i.e. one that a workbook can
 * be made of (a brand-new file, or one left by a crash while creating it). */
static gboolean
header_is_empty (const FileHeader *header)
{
  return header->application_id == 0 && header->user_version == 0 && header->n_objects == 0;
}

static gboolean
check_header (BcWorkbook          *self,
              const FileHeader    *header,
              BcWorkbookOpenFlags  flags,
              GError             **error)
{
  g_autofree char *name = g_filename_display_name (self->path);

  if (header_is_empty (header))
    {
      if (flags & BC_WORKBOOK_OPEN_CREATE)
        return TRUE;

      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_A_WORKBOOK,
                   _("“%s” is an empty database, not a Baocao workbook. Choose a workbook "
                     "file made by Baocao, or create a new workbook."),
                   name);
      return FALSE;
    }

  if (header->application_id != BC_WORKBOOK_APPLICATION_ID)
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_A_WORKBOOK,
                   _("“%s” is a database of another program, not a Baocao workbook. "
                     "Choose a workbook file made by Baocao."),
                   name);
      return FALSE;
    }

  /* user_version is a signed 32-bit number in the file: a negative one was
   * not written by Baocao, and would index before its migrations. */
  if (header->user_version < 0)
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_CORRUPT,
                   _("“%s” has a damaged header (workbook format %d). Restore it from a "
                     "backup copy, or ask your administrator to recover it."),
                   name, header->user_version);
      return FALSE;
    }

  if (header->user_version > BC_WORKBOOK_SCHEMA_VERSION)
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TOO_NEW,
                   _("“%s” was made by a newer version of Baocao (workbook format %d; this "
                     "version reads up to %d). Update Baocao to open it."),
                   name, header->user_version, BC_WORKBOOK_SCHEMA_VERSION);
      return FALSE;
    }

  return TRUE;
}

static gboolean
quick_check (BcWorkbook  *self,
             const char  *pragma,
             GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GString) problems = g_string_new (NULL);
  guint n_problems = 0;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, pragma, -1, &stmt, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *line = (const char *) sqlite3_column_text (stmt, 0);

      rc = SQLITE_OK;
      if (g_strcmp0 (line, "ok") == 0)
        continue;
      /* The first few lines say enough. */
      if (n_problems++ < 3)
        g_string_append_printf (problems, "%s%s", problems->len > 0 ? "; " : "", line);
    }
  if (rc == SQLITE_DONE)
    rc = SQLITE_OK;
  if (rc != SQLITE_OK)
    set_sqlite_error (self, rc, error);
  sqlite3_finalize (stmt);

  if (rc == SQLITE_OK && n_problems > 0)
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_CORRUPT,
                   _("The workbook “%s” is damaged (%s). Restore it from a backup copy, "
                     "or ask your administrator to recover what can still be read."),
                   self->path, problems->str);
      return FALSE;
    }

  return rc == SQLITE_OK;
}

/* Looks at an existing file without changing a byte of it: its first bytes,
 * then its header through a read-only (when no WAL is pending, immutable)
 * connection, which creates no -wal or -shm file. Setting journal_mode, or a
 * plain read-only open of a WAL database, would. */
static gboolean
check_existing (BcWorkbook           *self,
                BcWorkbookOpenFlags   flags,
                const char           *vfs_name,
                GError              **error)
{
  g_autofree char *name = g_filename_display_name (self->path);
  g_autofree char *wal_path = g_strconcat (self->path, "-wal", NULL);
  g_autofree char *absolute = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *full_uri = NULL;
  g_autoptr(GError) local_error = NULL;
  char bytes[100];
  size_t n_read;
  gboolean wal_pending;
  FileHeader header;
  FILE *file;
  int rc;

  file = g_fopen (self->path, "rb");
  if (file == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_IO,
                   _("Baocao could not read the workbook “%s”: %s. Check that the file "
                     "exists and that you may read it."),
                   name, g_strerror (saved_errno));
      return FALSE;
    }
  n_read = fread (bytes, 1, sizeof bytes, file);
  fclose (file);

  if (n_read == 0)
    {
      /* SQLite takes an empty file for an empty database. */
      header.application_id = 0;
      header.user_version = 0;
      header.n_objects = 0;
      return check_header (self, &header, flags, error);
    }

  if (n_read < sizeof bytes || memcmp (bytes, SQLITE_HEADER, sizeof SQLITE_HEADER) != 0)
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_A_WORKBOOK,
                   _("“%s” is not a Baocao workbook. Choose a workbook file made by Baocao."),
                   name);
      return FALSE;
    }

  absolute = g_canonicalize_filename (self->path, NULL);
  uri = g_filename_to_uri (absolute, NULL, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_IO,
                   _("Baocao could not read the workbook “%s”: %s. Move it to a folder "
                     "whose name has only ordinary characters."),
                   name, local_error->message);
      return FALSE;
    }

  /* A leftover WAL holds commits not yet in the main file: read through it.
   * Without one the main file is complete and can be read as immutable. */
  wal_pending = g_file_test (wal_path, G_FILE_TEST_EXISTS);
  full_uri = g_strconcat (uri, wal_pending ? "?mode=ro" : "?mode=ro&immutable=1", NULL);

  rc = sqlite3_open_v2 (full_uri, &self->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, vfs_name);
  if (rc == SQLITE_OK)
    rc = sqlite3_extended_result_codes (self->db, 1);
  /* Another program writing the workbook holds its lock for a moment: wait
   * for it here as every later statement does, rather than fail at once. */
  if (rc == SQLITE_OK)
    rc = sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (self, rc, error);
      g_clear_pointer (&self->db, sqlite3_close);
      return FALSE;
    }

  if (!read_header (self, &header, &local_error))
    {
      g_clear_pointer (&self->db, sqlite3_close);
      if (g_error_matches (local_error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_CORRUPT))
        g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_A_WORKBOOK,
                     _("“%s” is not a Baocao workbook, or it is too damaged to read. Choose "
                       "a workbook file made by Baocao, or restore it from a backup copy."),
                     name);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!check_header (self, &header, flags, error))
    {
      g_clear_pointer (&self->db, sqlite3_close);
      return FALSE;
    }

  /* A pending WAL means the last session did not close cleanly (or another
   * one is open): worth a quick check before anything is written. */
  if (wal_pending && !header_is_empty (&header) && !quick_check (self, "PRAGMA quick_check", error))
    {
      g_clear_pointer (&self->db, sqlite3_close);
      return FALSE;
    }

  g_clear_pointer (&self->db, sqlite3_close);
  return TRUE;
}

static gboolean
configure (BcWorkbook           *self,
           BcWorkbookOpenFlags   flags,
           GError              **error)
{
  g_autofree char *mode = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  /* synchronous first: switching to WAL writes the header with it. */
  if (!exec_sql (self, (flags & _BC_WORKBOOK_OPEN_NO_SYNC) ? "PRAGMA synchronous=OFF"
                                                          : "PRAGMA synchronous=FULL", error)
      || !exec_sql (self, "PRAGMA foreign_keys=ON", error))
    return FALSE;

  rc = sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode=WAL", -1, &stmt, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      mode = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      rc = SQLITE_OK;
    }
  if (rc != SQLITE_OK)
    set_sqlite_error (self, rc, error);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_OK)
    return FALSE;

  if (g_strcmp0 (mode, "wal") != 0)
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_IO,
                   _("Baocao could not make the workbook “%s” crash-safe (journal mode “%s”). "
                     "Move the workbook to a local disk: network folders are not supported."),
                   self->path, mode != NULL ? mode : "");
      return FALSE;
    }

  return TRUE;
}

/* Brings the schema up to date in one transaction, re-reading the header
 * under the write lock in case another process changed it since the check. */
static gboolean
migrate (BcWorkbook           *self,
         BcWorkbookOpenFlags   flags,
         GError              **error)
{
  FileHeader header;
  gboolean ok;

  if (!exec_sql (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  ok = read_header (self, &header, error) && check_header (self, &header, flags, error);

  for (int version = header.user_version; ok && version < BC_WORKBOOK_SCHEMA_VERSION; version++)
    ok = migrations[version] (self, error);

  if (ok && header.user_version != BC_WORKBOOK_SCHEMA_VERSION)
    {
      g_autofree char *sql = g_strdup_printf ("PRAGMA application_id=%d; PRAGMA user_version=%d",
                                              BC_WORKBOOK_APPLICATION_ID,
                                              BC_WORKBOOK_SCHEMA_VERSION);

      ok = exec_sql (self, sql, error);
    }

  if (ok)
    ok = exec_sql (self, "COMMIT", error);
  if (!ok)
    rollback (self);

  return ok;
}

static gboolean
read_kind (BcWorkbook  *self,
           GError     **error)
{
  g_autoptr(BcStmt) stmt = NULL;
  int rc;

  stmt = query (self, error, "SELECT value FROM meta WHERE key = 'kind'", "");
  if (stmt == NULL || (rc = step (self, stmt, error)) == 0)
    return FALSE;

  g_atomic_int_set (&self->kind,
                    rc == SQLITE_ROW && g_strcmp0 (column_text (stmt, 0), "demo") == 0
                    ? BC_WORKBOOK_KIND_DEMO : BC_WORKBOOK_KIND_USER);

  return TRUE;
}

/* Creates the empty workbook file readable and writable by its owner only
 * (it holds officers' data): SQLite would create it with the umask's mode,
 * and gives its -wal and -shm files the mode of the workbook. An empty file
 * is an empty database to SQLite. */
static gboolean
create_private_file (const char  *path,
                     GError     **error)
{
  int fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_BINARY, 0600);

  if (fd < 0 && errno != EEXIST)
    {
      int saved_errno = errno;
      g_autofree char *name = g_filename_display_name (path);

      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_IO,
                   _("Baocao could not create the workbook “%s”: %s. Check that you may "
                     "write there."),
                   name, g_strerror (saved_errno));
      return FALSE;
    }
  if (fd >= 0)
    g_close (fd, NULL);

  return TRUE;
}

/* A read-only open of a workbook whose file was read-only leaves a -shm file
 * with that mode. Once the workbook is writable again, that -shm would make
 * every later open fail as "read-only" until someone deleted it by hand.
 * The -shm only indexes the WAL; giving it the workbook's mode again is safe
 * even while another connection uses it (deleting it would not be). */
static void
repair_shm_mode (const char *path)
{
  g_autofree char *shm_path = g_strconcat (path, "-shm", NULL);
  GStatBuf workbook_stat, shm_stat;

  if (g_stat (path, &workbook_stat) != 0 || g_stat (shm_path, &shm_stat) != 0)
    return;

  if ((workbook_stat.st_mode & BC_S_IWRITE) != 0 && (shm_stat.st_mode & BC_S_IWRITE) == 0 &&
      g_chmod (shm_path, workbook_stat.st_mode & 0777) != 0)
    g_debug ("Could not make %s writable: %s", shm_path, g_strerror (errno));
}

BcWorkbook *
_bc_workbook_open_with_vfs (const char           *path,
                            BcTemplateRegistry   *templates,
                            BcWorkbookOpenFlags   flags,
                            const char           *vfs_name,
                            GError              **error)
{
  g_autoptr(BcWorkbook) self = NULL;
  g_autofree char *name = NULL;
  int open_flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (templates == NULL || BC_IS_TEMPLATE_REGISTRY (templates), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  bc_i18n_init ();

  self = g_object_new (BC_TYPE_WORKBOOK, NULL);
  self->path = g_strdup (path);
  self->templates = templates != NULL ? g_object_ref (templates) : NULL;
  name = g_filename_display_name (path);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_A_WORKBOOK,
                   _("“%s” is a folder, not a Baocao workbook. Choose a workbook file."),
                   name);
      return NULL;
    }

  /* A device (/dev/null reads as empty, which would pass for a new
   * database), a pipe or a socket is not a workbook: refuse it untouched. */
  if (g_file_test (path, G_FILE_TEST_EXISTS) && !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_A_WORKBOOK,
                   _("“%s” is not an ordinary file (it may be a device or a pipe), so it "
                     "cannot be a Baocao workbook. Choose a workbook file."),
                   name);
      return NULL;
    }

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (!check_existing (self, flags, vfs_name, error))
        return NULL;
    }
  else if (flags & BC_WORKBOOK_OPEN_CREATE)
    {
      g_autofree char *parent = g_path_get_dirname (path);

      if (g_mkdir_with_parents (parent, 0700) != 0)
        {
          int saved_errno = errno;
          g_autofree char *parent_name = g_filename_display_name (parent);

          g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_IO,
                       _("Baocao could not create the folder “%s” for the workbook: %s. "
                         "Check that you may write there."),
                       parent_name, g_strerror (saved_errno));
          return NULL;
        }
      if (!create_private_file (path, error))
        return NULL;
      open_flags |= SQLITE_OPEN_CREATE;
    }
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("There is no workbook at “%s”. Check the file name, or create a new "
                     "workbook."),
                   name);
      return NULL;
    }

  repair_shm_mode (path);

  /* From here on the workbook is opened to be written. */
  self->writing = TRUE;
  rc = sqlite3_open_v2 (path, &self->db, open_flags, vfs_name);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (self, rc, error);
      bc_workbook_close (self);
      return NULL;
    }

  if (!configure (self, flags, error) || !migrate (self, flags, error) || !read_kind (self, error))
    {
      bc_workbook_close (self);
      return NULL;
    }

  return g_steal_pointer (&self);
}

BcWorkbook *
bc_workbook_open (const char           *path,
                  BcTemplateRegistry   *templates,
                  BcWorkbookOpenFlags   flags,
                  GError              **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (templates == NULL || BC_IS_TEMPLATE_REGISTRY (templates), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _bc_workbook_open_with_vfs (path, templates, flags & BC_WORKBOOK_OPEN_CREATE, NULL, error);
}

typedef struct {
  char               *path;
  BcTemplateRegistry *templates;
  BcWorkbookOpenFlags flags;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_free (data->path);
  g_clear_object (&data->templates);
  g_free (data);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  OpenData *data = task_data;
  GError *error = NULL;
  BcWorkbook *workbook;

  workbook = bc_workbook_open (data->path, data->templates, data->flags, &error);
  if (workbook == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, workbook, g_object_unref);
}

void
bc_workbook_open_async (const char           *path,
                        BcTemplateRegistry   *templates,
                        BcWorkbookOpenFlags   flags,
                        GCancellable         *cancellable,
                        GAsyncReadyCallback   callback,
                        gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  OpenData *data;

  g_return_if_fail (path != NULL);
  g_return_if_fail (templates == NULL || BC_IS_TEMPLATE_REGISTRY (templates));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (OpenData, 1);
  data->path = g_strdup (path);
  data->templates = templates != NULL ? g_object_ref (templates) : NULL;
  data->flags = flags;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_workbook_open_async);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  g_task_run_in_thread (task, open_thread);
}

BcWorkbook *
bc_workbook_open_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bc_workbook_open_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
bc_workbook_close (BcWorkbook *self)
{
  g_return_if_fail (BC_IS_WORKBOOK (self));

  g_mutex_lock (&self->mutex);

  /* Statements first: sqlite3_close refuses a connection that has any. */
  g_hash_table_remove_all (self->statements);
  if (self->db != NULL)
    {
      int rc = sqlite3_close (self->db);

      if (rc != SQLITE_OK)
        {
          /* Only a leaked statement can cause this; close when it goes. */
          g_debug ("sqlite3_close: %s", sqlite3_errstr (rc));
          sqlite3_close_v2 (self->db);
        }
      self->db = NULL;
    }

  g_mutex_unlock (&self->mutex);
}

gboolean
bc_workbook_check (BcWorkbook  *self,
                   GError     **error)
{
  gboolean ok;

  g_return_val_if_fail (BC_IS_WORKBOOK (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!lock_open (self, error))
    return FALSE;
  self->writing = FALSE;
  ok = quick_check (self, "PRAGMA integrity_check", error);
  unlock_open (self);

  return ok;
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                  */

static void
bc_workbook_finalize (GObject *object)
{
  BcWorkbook *self = (BcWorkbook *) object;

  bc_workbook_close (self);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->path, g_free);
  g_clear_object (&self->templates);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (bc_workbook_parent_class)->finalize (object);
}

static void
bc_workbook_class_init (BcWorkbookClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bc_workbook_finalize;
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
bc_workbook_init (BcWorkbook *self)
{
  g_mutex_init (&self->mutex);
  self->statements = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                            finalize_statement);
}

char *
bc_workbook_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "baocao", "workbook.baocao", NULL);
}

const char *
bc_workbook_get_path (BcWorkbook *self)
{
  g_return_val_if_fail (BC_IS_WORKBOOK (self), NULL);

  return self->path;
}

BcTemplateRegistry *
bc_workbook_get_templates (BcWorkbook *self)
{
  g_return_val_if_fail (BC_IS_WORKBOOK (self), NULL);

  return self->templates;
}

void
bc_report_summary_free (BcReportSummary *summary)
{
  if (summary == NULL)
    return;

  g_free (summary->id);
  g_free (summary->template_id);
  g_free (summary->period_id);
  g_free (summary->unit);
  g_free (summary);
}

const char *
bc_edit_get_justification_rule (const BcEdit *edit)
{
  g_return_val_if_fail (edit != NULL, NULL);

  return g_str_has_prefix (edit->key, BC_EDIT_JUSTIFICATION_PREFIX)
    ? edit->key + strlen (BC_EDIT_JUSTIFICATION_PREFIX)
    : NULL;
}

void
bc_edit_free (BcEdit *edit)
{
  if (edit == NULL)
    return;

  g_free (edit->report_id);
  g_free (edit->key);
  g_free (edit->old_value);
  g_free (edit->new_value);
  g_free (edit);
}

/* ------------------------------------------------------------------------ */
/* Kind and settings                                                        */

BcWorkbookKind
bc_workbook_get_kind (BcWorkbook *self)
{
  g_return_val_if_fail (BC_IS_WORKBOOK (self), BC_WORKBOOK_KIND_USER);

  /* Never waits behind a transaction: the UI thread asks this often. */
  return (BcWorkbookKind) g_atomic_int_get (&self->kind);
}

static gboolean
set_kind_in_transaction (BcWorkbook  *self,
                         gpointer     data,
                         GError     **error)
{
  BcWorkbookKind kind = GPOINTER_TO_INT (data);

  if (!run (self,
            query (self, error,
                   "INSERT INTO meta (key, value) VALUES ('kind', ?) "
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                   "s", kind == BC_WORKBOOK_KIND_DEMO ? "demo" : "user"),
            error))
    return FALSE;

  return TRUE;
}

gboolean
bc_workbook_set_kind (BcWorkbook      *self,
                      BcWorkbookKind   kind,
                      GError         **error)
{
  gboolean ok;

  g_return_val_if_fail (BC_IS_WORKBOOK (self), FALSE);
  g_return_val_if_fail (kind == BC_WORKBOOK_KIND_USER || kind == BC_WORKBOOK_KIND_DEMO, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The cached kind follows the file: it changes once the commit is done. */
  ok = in_transaction (self, TRUE, set_kind_in_transaction, GINT_TO_POINTER (kind), error);
  if (ok)
    g_atomic_int_set (&self->kind, kind);

  return ok;
}

typedef struct {
  const char *key;
  const char *value;
  char       *result;
} SettingData;

static gboolean
get_setting_in_transaction (BcWorkbook  *self,
                            gpointer     user_data,
                            GError     **error)
{
  SettingData *data = user_data;
  g_autoptr(BcStmt) stmt = NULL;
  int rc;

  stmt = query (self, error, "SELECT value FROM settings WHERE key = ?", "s", data->key);
  if (stmt == NULL || (rc = step (self, stmt, error)) == 0)
    return FALSE;
  if (rc == SQLITE_ROW)
    data->result = g_strdup (column_text (stmt, 0));

  return TRUE;
}

char *
bc_workbook_get_setting (BcWorkbook *self,
                         const char *key)
{
  g_autoptr(GError) error = NULL;
  SettingData data = { key, NULL, NULL };

  g_return_val_if_fail (BC_IS_WORKBOOK (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  /* No setting is stored under a name that is not text. */
  if (!g_utf8_validate (key, -1, NULL))
    return NULL;

  if (!in_transaction (self, FALSE, get_setting_in_transaction, &data, &error))
    {
      g_debug ("Could not read the setting “%s”: %s", key, error->message);
      return NULL;
    }

  return data.result;
}

static gboolean
set_setting_in_transaction (BcWorkbook  *self,
                            gpointer     user_data,
                            GError     **error)
{
  SettingData *data = user_data;

  if (data->value == NULL)
    return run (self, query (self, error, "DELETE FROM settings WHERE key = ?", "s", data->key),
                error);

  return run (self,
              query (self, error,
                     "INSERT INTO settings (key, value) VALUES (?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     "ss", data->key, data->value),
              error);
}

gboolean
bc_workbook_set_setting (BcWorkbook  *self,
                         const char  *key,
                         const char  *value,
                         GError     **error)
{
  SettingData data = { key, value, NULL };

  g_return_val_if_fail (BC_IS_WORKBOOK (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!require_utf8 (key, invalid_name, error) || !require_utf8 (value, invalid_value, error))
    return FALSE;

  return in_transaction (self, TRUE, set_setting_in_transaction, &data, error);
}

/* ------------------------------------------------------------------------ */
/* Creating and deleting reports                                            */

typedef struct {
  const char *id;
  const char *template_id;
  int         version;        /* 0: the newest installed */
  const char *period_id;
  const char *unit;
  gboolean    carry_forward;
} CreateData;

typedef struct {
  GHashTable *row_map;   /* old row id (gint64 *) → new row id (gint64 *) */
  const char *prefix;    /* "table." */
  GPtrArray  *cells;     /* Cell * to copy */
} CarryData;

typedef struct {
  char   *key;
  gint64  row_id;
  char   *value;
} Cell;

static void
cell_free (Cell *cell)
{
  g_free (cell->key);
  g_free (cell->value);
  g_free (cell);
}

static void
collect_carried_cell (const char *key,
                      gint64      row_id,
                      const char *value,
                      gpointer    user_data)
{
  CarryData *data = user_data;
  Cell *cell;

  if (!g_str_has_prefix (key, data->prefix) || !g_hash_table_contains (data->row_map, &row_id))
    return;

  cell = g_new0 (Cell, 1);
  cell->key = g_strdup (key);
  cell->row_id = row_id;
  cell->value = g_strdup (value);
  g_ptr_array_add (data->cells, cell);
}

/* Whether a row of the previous report goes into the new one: unless its
 * condition is definitely false (false, or the number 0). A blank result, a
 * condition that cannot be evaluated, or none to evaluate carries it: better
 * an extra finding in the new report than an unresolved one lost. */
static gboolean
row_is_carried (BcTemplate  *previous_template,
                BcReport    *previous,
                BcExpr      *condition,
                const char  *table,
                guint        row)
{
  g_auto(BcValue) value = BC_VALUE_INIT;
  g_autoptr(GError) local_error = NULL;

  if (previous_template == NULL || condition == NULL)
    return TRUE;

  if (!bc_report_evaluate (previous_template, previous, NULL, condition, table, row, &value,
                           &local_error))
    {
      g_debug ("carry_forward_if of “%s”, row %u: %s", table, row, local_error->message);
      return TRUE;
    }

  switch (value.kind)
    {
    case BC_VALUE_BOOLEAN:
      return value.boolean;
    case BC_VALUE_NUMBER:
      return value.number != 0.0;
    case BC_VALUE_BLANK:
    case BC_VALUE_TEXT:
    case BC_VALUE_DATE:
    default:
      return TRUE;
    }
}

/* Whether `key` stores a column of `table` in `template_`: a carried cell
 * under any other key could be neither seen nor edited. */
static gboolean
is_stored_column (BcTemplate    *template_,
                  const BcField *table,
                  const char    *key)
{
  const BcField *column = bc_template_lookup_field (template_, key);
  g_autofree char *column_key = column != NULL ? bc_field_dup_key (column) : NULL;

  return column != NULL && column->table != NULL && g_strcmp0 (column->table->id, table->id) == 0
    && column->compute == NULL && g_strcmp0 (column_key, key) == 0;
}

/* Copies into the new report, on `template_`, the rows of the previous
 * report whose table's carry_forward_if holds, with all their cells, in
 * order, under new row ids.
 *
 * The condition is the one of the previous report's own version, evaluated
 * with that version: a newer one may have renamed the very columns it reads.
 * The cells are then stored under their keys in the new version. */
static gboolean
carry_forward (BcWorkbook  *self,
               BcTemplate  *template_,
               const char  *report_id,
               BcReport    *previous,
               GError     **error)
{
  GPtrArray *fields = bc_template_get_fields (template_);
  const char *previous_id = bc_report_get_template_id (previous);
  int previous_version = bc_report_get_template_version (previous);
  BcTemplate *previous_template;

  previous_template = bc_template_registry_lookup (self->templates, previous_id, previous_version,
                                                   NULL);

  for (guint i = 0; i < fields->len; i++)
    {
      const BcField *field = g_ptr_array_index (fields, i);
      const BcField *previous_table = NULL;
      BcExpr *condition = NULL;
      g_autoptr(GHashTable) row_map = NULL;
      g_autoptr(GPtrArray) cells = NULL;
      g_autofree char *prefix = NULL;
      CarryData data;
      guint n_rows;

      if (field->type != BC_FIELD_TABLE || field->carry_forward_if == NULL)
        continue;

      /* Without the previous version, or when it did not carry this table,
       * there is no condition to read the old rows with: all of them go. */
      if (previous_template != NULL)
        previous_table = bc_template_lookup_field (previous_template, field->id);
      if (previous_table != NULL && previous_table->type == BC_FIELD_TABLE)
        condition = previous_table->carry_forward_if;

      row_map = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
      n_rows = bc_report_get_n_rows (previous, field->id);

      for (guint row = 0; row < n_rows; row++)
        {
          gint64 old_id = bc_report_get_row_id (previous, field->id, row);
          gint64 new_id;

          if (!row_is_carried (previous_template, previous, condition, field->id, row))
            continue;

          new_id = insert_row (self, report_id, field->id, error);
          if (new_id == 0)
            return FALSE;
          g_hash_table_insert (row_map, g_memdup2 (&old_id, sizeof old_id),
                               g_memdup2 (&new_id, sizeof new_id));
        }

      if (g_hash_table_size (row_map) == 0)
        continue;

      prefix = g_strconcat (field->id, ".", NULL);
      cells = g_ptr_array_new_with_free_func ((GDestroyNotify) cell_free);
      data.row_map = row_map;
      data.prefix = prefix;
      data.cells = cells;
      bc_report_foreach_value (previous, collect_carried_cell, &data);

      for (guint j = 0; j < cells->len; j++)
        {
          const Cell *cell = g_ptr_array_index (cells, j);
          const gint64 *new_id = g_hash_table_lookup (row_map, &cell->row_id);
          g_autofree char *key = NULL;

          key = migrate_key (self, previous_id, previous_version,
                             bc_template_get_version (template_), cell->key);
          if (key == NULL || !is_stored_column (template_, field, key))
            continue;

          if (!put_value (self, report_id, key, *new_id, cell->value, error))
            return FALSE;
        }
    }

  return TRUE;
}

static gboolean
create_in_transaction (BcWorkbook  *self,
                       gpointer     user_data,
                       GError     **error)
{
  CreateData *data = user_data;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *unit = NULL;
  g_autofree char *period_id = NULL;
  g_autofree char *existing = NULL;
  g_autoptr(BcReport) previous = NULL;
  BcTemplate *template_ = NULL;
  int version = 1;
  BcPeriod period;
  gint64 now, period_key;

  if (!bc_period_parse (data->period_id, &period, &local_error))
    {
      g_set_error_literal (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID,
                           local_error->message);
      return FALSE;
    }
  period_id = bc_period_to_id (&period);
  period_key = period_sort_key (&period);

  unit = normalize_unit (data->unit, error);
  if (unit == NULL)
    return FALSE;

  if (*data->template_id == '\0')
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE,
                   _("No form was chosen for the new report. Choose a form."));
      return FALSE;
    }

  if (self->templates != NULL && data->version > 0)
    {
      template_ = bc_template_registry_lookup (self->templates, data->template_id, data->version,
                                               &local_error);
      if (template_ == NULL)
        {
          g_debug ("%s", local_error->message);
          g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE,
                       _("Version %d of the form “%s” is not installed, so the report cannot "
                         "be imported. Update Baocao, or install that version of the form, "
                         "and try again."),
                       data->version, data->template_id);
          return FALSE;
        }
    }
  else if (self->templates != NULL)
    {
      template_ = bc_template_registry_lookup_latest (self->templates, data->template_id,
                                                      &local_error);
      if (template_ == NULL)
        {
          g_debug ("%s", local_error->message);
          g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE,
                       _("The form “%s” is not installed. Update Baocao or install the "
                         "form, then try again."),
                       data->template_id);
          return FALSE;
        }

      /* The newest version that is for this period and unit: a template
       * version may say from and to which periods, and for which units. */
      template_ = bc_template_registry_lookup_for (self->templates, data->template_id, period_id,
                                                   unit, &local_error);
      if (template_ == NULL)
        {
          g_set_error_literal (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE,
                               local_error->message);
          return FALSE;
        }
    }
  else if (data->version > 0)
    version = data->version;

  if (template_ != NULL)
    {
      version = bc_template_get_version (template_);

      if (bc_template_get_period_type (template_) != period.type)
        {
          if (bc_template_get_period_type (template_) == BC_PERIOD_QUARTER)
            g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID,
                         _("The form “%s” is reported by quarter, but “%s” is not a "
                           "quarter. Choose a quarter, such as 2018Q2."),
                         data->template_id, data->period_id);
          else if (bc_template_get_period_type (template_) == BC_PERIOD_ONE_OFF)
            g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID,
                         _("The form “%s” is a one-off report, but “%s” is not a day. "
                           "Give the day it is due, such as 2016-10-05."),
                         data->template_id, data->period_id);
          else
            g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID,
                         _("The form “%s” is reported by year, but “%s” is not a year. "
                           "Choose a year, such as 2018."),
                         data->template_id, data->period_id);
          return FALSE;
        }
    }

  if (!find_report_locked (self, data->template_id, period_id, unit, &existing, error))
    return FALSE;
  if (existing != NULL)
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_EXISTS,
                   _("A report of the form “%s” for period %s and unit “%s” already exists "
                     "(id %s). Open that report instead of creating another."),
                   data->template_id, period_id, unit, existing);
      return FALSE;
    }

  {
    g_autoptr(BcStmt) stmt = NULL;
    int rc;

    stmt = query (self, error, "SELECT 1 FROM reports WHERE id = ?", "s", data->id);
    if (stmt == NULL || (rc = step (self, stmt, error)) == 0)
      return FALSE;
    if (rc == SQLITE_ROW)
      {
        g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_EXISTS,
                     _("A report with the id %s already exists in this workbook. "
                       "It may have been imported before."),
                     data->id);
        return FALSE;
      }
  }

  now = g_get_real_time ();
  if (!run (self,
            query (self, error,
                   "INSERT INTO reports (id, template_id, template_version, period_id, period_key, "
                   "unit, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?)",
                   "ssdsxsxx", data->id, data->template_id, version, period_id,
                   period_key, unit, now, now),
            error))
    return FALSE;

  if (template_ == NULL || !data->carry_forward)
    return TRUE;

  if (!load_latest_before_locked (self, data->template_id, period_key, unit, &previous, error))
    return FALSE;

  return previous == NULL || carry_forward (self, template_, data->id, previous, error);
}

/* The checks of every way to create a report that need no transaction. */
static gboolean
create_report (BcWorkbook  *self,
               CreateData  *data,
               GError     **error)
{
  if (!require_utf8 (data->id, invalid_report_id, error)
      || !require_utf8 (data->template_id, invalid_name, error)
      || !require_utf8 (data->period_id, invalid_period, error)
      || !require_utf8 (data->unit, invalid_unit, error))
    return FALSE;

  if (!g_uuid_string_is_valid (data->id))
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID,
                   _("“%s” is not a valid report id (a UUID such as "
                     "0f8fad5b-d9cb-469f-a165-70867728950e). Check the file it came from."),
                   data->id);
      return FALSE;
    }

  return in_transaction (self, TRUE, create_in_transaction, data, error);
}

gboolean
bc_workbook_create_report_with_id (BcWorkbook  *self,
                                   const char  *id,
                                   const char  *template_id,
                                   const char  *period_id,
                                   const char  *unit,
                                   GError     **error)
{
  CreateData data = { id, template_id, 0, period_id, unit, TRUE };

  g_return_val_if_fail (BC_IS_WORKBOOK (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (template_id != NULL, FALSE);
  g_return_val_if_fail (period_id != NULL, FALSE);
  g_return_val_if_fail (unit != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return create_report (self, &data, error);
}

gboolean
bc_workbook_import_report (BcWorkbook  *self,
                           const char  *id,
                           const char  *template_id,
                           int          template_version,
                           const char  *period_id,
                           const char  *unit,
                           GError     **error)
{
  CreateData data = { id, template_id, template_version, period_id, unit, FALSE };

  g_return_val_if_fail (BC_IS_WORKBOOK (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (template_id != NULL, FALSE);
  g_return_val_if_fail (period_id != NULL, FALSE);
  g_return_val_if_fail (unit != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* A version that cannot exist is one that is not installed. */
  if (template_version < 1)
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE,
                   _("Version %d of the form “%s” is not installed, so the report cannot "
                     "be imported. Update Baocao, or install that version of the form, "
                     "and try again."),
                   template_version, template_id);
      return FALSE;
    }

  return create_report (self, &data, error);
}

char *
bc_workbook_create_report (BcWorkbook  *self,
                           const char  *template_id,
                           const char  *period_id,
                           const char  *unit,
                           GError     **error)
{
  g_autofree char *id = NULL;

  g_return_val_if_fail (BC_IS_WORKBOOK (self), NULL);
  g_return_val_if_fail (template_id != NULL, NULL);
  g_return_val_if_fail (period_id != NULL, NULL);
  g_return_val_if_fail (unit != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  id = g_uuid_string_random ();
  if (!bc_workbook_create_report_with_id (self, id, template_id, period_id, unit, error))
    return NULL;

  return g_steal_pointer (&id);
}

static gboolean
delete_in_transaction (BcWorkbook  *self,
                       gpointer     user_data,
                       GError     **error)
{
  const char *report_id = user_data;
  g_auto(ReportHead) head = { 0 };

  if (!load_head (self, report_id, &head, error))
    return FALSE;

  /* What left the draft state may be with the province already: the
   * workbook keeps it as the record of what was reported. */
  if (head.status != BC_STATUS_DRAFT)
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_READ_ONLY,
                   _("This report is “%s”, so it cannot be deleted. Only drafts can be "
                     "deleted: a report that was made ready, queued or sent is kept for "
                     "the record."),
                   bc_status_label (head.status));
      return FALSE;
    }

  /* Rows, values, edits, justifications and status changes go with it
   * (ON DELETE CASCADE). */
  return run (self, query (self, error, "DELETE FROM reports WHERE id = ?", "s", report_id), error);
}

static gboolean
discard_in_transaction (BcWorkbook  *self,
                        gpointer     user_data,
                        GError     **error)
{
  const char *report_id = user_data;
  g_autoptr(BcStmt) stmt = NULL;
  int rc;

  stmt = query (self, error, "DELETE FROM reports WHERE id = ? RETURNING id", "s", report_id);
  if (stmt == NULL || (rc = step (self, stmt, error)) == 0)
    return FALSE;
  if (rc == SQLITE_DONE)
    {
      set_report_not_found (report_id, error);
      return FALSE;
    }

  return TRUE;
}

gboolean
bc_workbook_delete_report (BcWorkbook  *self,
                           const char  *report_id,
                           GError     **error)
{
  g_return_val_if_fail (BC_IS_WORKBOOK (self), FALSE);
  g_return_val_if_fail (report_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!require_utf8 (report_id, invalid_report_id, error))
    return FALSE;

  return in_transaction (self, TRUE, delete_in_transaction, (gpointer) report_id, error);
}

gboolean
_bc_workbook_discard_report (BcWorkbook  *self,
                             const char  *report_id,
                             GError     **error)
{
  g_return_val_if_fail (BC_IS_WORKBOOK (self), FALSE);
  g_return_val_if_fail (report_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!require_utf8 (report_id, invalid_report_id, error))
    return FALSE;

  return in_transaction (self, TRUE, discard_in_transaction, (gpointer) report_id, error);
}

static gboolean
purge_history_in_transaction (BcWorkbook  *self,
                              gpointer     user_data,
                              GError     **error)
{
  const char *report_id = user_data;
  g_auto(ReportHead) head = { 0 };
  gboolean ok;

  if (!load_head (self, report_id, &head, error))
    return FALSE;

  /* Overwrite the freed cells, so that a cleared value is gone from the
   * file, not only from the history's rows. */
  if (!exec_sql (self, "PRAGMA secure_delete=ON", error))
    return FALSE;
  ok = run (self, query (self, error, "DELETE FROM edits WHERE report_id = ?", "s", report_id),
            error);
  exec_sql (self, "PRAGMA secure_delete=OFF", NULL);

  return ok;
}

gboolean
bc_workbook_purge_history (BcWorkbook  *self,
                           const char  *report_id,
                           GError     **error)
{
  g_return_val_if_fail (BC_IS_WORKBOOK (self), FALSE);
  g_return_val_if_fail (report_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!require_utf8 (report_id, invalid_report_id, error))
    return FALSE;

  if (!in_transaction (self, TRUE, purge_history_in_transaction, (gpointer) report_id, error))
    return FALSE;

  /* The old pages are still in the WAL until a checkpoint copies the new
   * ones over them: do it now (best effort: a reader may hold some back
   * until the workbook is closed). */
  if (lock_open (self, NULL))
    {
      if (!in_batch (self))
        sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
      unlock_open (self);
    }

  return TRUE;
}

gboolean
_bc_workbook_begin_batch (BcWorkbook  *self,
                          GError     **error)
{
  g_return_val_if_fail (BC_IS_WORKBOOK (self), FALSE);
  g_return_val_if_fail (!in_batch (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!lock_open (self, error))
    return FALSE;

  self->writing = TRUE;
  if (!run (self, query (self, error, "BEGIN IMMEDIATE", ""), error))
    {
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }

  /* The mutex stays held until the batch ends: no other thread's call can
   * slip its own change into it, or see it before it commits. */
  g_atomic_pointer_set (&self->batch_owner, g_thread_self ());
  return TRUE;
}

gboolean
_bc_workbook_end_batch (BcWorkbook  *self,
                        gboolean     commit,
                        GError     **error)
{
  gboolean ok = TRUE;

  g_return_val_if_fail (BC_IS_WORKBOOK (self), FALSE);
  g_return_val_if_fail (in_batch (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  self->writing = TRUE;
  if (commit)
    {
      if (sqlite3_get_autocommit (self->db))
        {
          g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_IO,
                       _("Baocao could not write to the workbook “%s”: the import was "
                         "interrupted and nothing of it was kept. Import the file again."),
                       self->path);
          ok = FALSE;
        }
      else
        ok = run (self, query (self, error, "COMMIT", ""), error);
    }
  if (!commit || !ok)
    rollback (self);

  g_atomic_pointer_set (&self->batch_owner, NULL);
  g_mutex_unlock (&self->mutex);

  return commit && ok;
}

typedef struct {
  const char *report_id;
  gint64      submitted_at;
} SubmittedData;

static gboolean
set_submitted_in_transaction (BcWorkbook  *self,
                              gpointer     user_data,
                              GError     **error)
{
  SubmittedData *data = user_data;
  g_autoptr(BcStmt) stmt = NULL;
  int rc;

  stmt = query (self, error,
                "UPDATE reports SET submitted_at = ? WHERE id = ? AND submitted_at > 0 RETURNING id",
                "xs", data->submitted_at, data->report_id);
  if (stmt == NULL || (rc = step (self, stmt, error)) == 0)
    return FALSE;
  if (rc == SQLITE_DONE)
    {
      set_report_not_found (data->report_id, error);
      return FALSE;
    }

  return TRUE;
}

gboolean
_bc_workbook_set_submitted_at (BcWorkbook  *self,
                               const char  *report_id,
                               gint64       submitted_at,
                               GError     **error)
{
  SubmittedData data = { report_id, submitted_at };

  g_return_val_if_fail (BC_IS_WORKBOOK (self), FALSE);
  g_return_val_if_fail (report_id != NULL, FALSE);
  g_return_val_if_fail (submitted_at > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!require_utf8 (report_id, invalid_report_id, error))
    return FALSE;

  return in_transaction (self, TRUE, set_submitted_in_transaction, &data, error);
}

/* ------------------------------------------------------------------------ */
/* Reading reports                                                          */

typedef struct {
  const char *report_id;
  BcReport   *report;
  const char *template_id;
  const char *period_id;
  const char *unit;
  char       *found;
  GPtrArray  *list;
} ReadData;

static gboolean
load_in_transaction (BcWorkbook  *self,
                     gpointer     user_data,
                     GError     **error)
{
  ReadData *data = user_data;

  data->report = load_report_locked (self, data->report_id, error);
  return data->report != NULL;
}

BcReport *
bc_workbook_load_report (BcWorkbook  *self,
                         const char  *report_id,
                         GError     **error)
{
  ReadData data = { 0 };

  g_return_val_if_fail (BC_IS_WORKBOOK (self), NULL);
  g_return_val_if_fail (report_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!require_utf8 (report_id, invalid_report_id, error))
    return NULL;

  data.report_id = report_id;
  if (!in_transaction (self, FALSE, load_in_transaction, &data, error))
    {
      g_clear_object (&data.report);
      return NULL;
    }

  return data.report;
}

static void
load_report_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;
  BcReport *report;

  report = bc_workbook_load_report (source_object, task_data, &error);
  if (report == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, report, g_object_unref);
}

void
bc_workbook_load_report_async (BcWorkbook          *self,
                               const char          *report_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BC_IS_WORKBOOK (self));
  g_return_if_fail (report_id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_workbook_load_report_async);
  g_task_set_task_data (task, g_strdup (report_id), g_free);
  g_task_run_in_thread (task, load_report_thread);
}

BcReport *
bc_workbook_load_report_finish (BcWorkbook    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (BC_IS_WORKBOOK (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bc_workbook_load_report_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
find_in_transaction (BcWorkbook  *self,
                     gpointer     user_data,
                     GError     **error)
{
  ReadData *data = user_data;

  return find_report_locked (self, data->template_id, data->period_id, data->unit,
                             &data->found, error);
}

char *
bc_workbook_find_report (BcWorkbook  *self,
                         const char  *template_id,
                         const char  *period_id,
                         const char  *unit,
                         GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *normalized = NULL;
  ReadData data = { 0 };
  BcPeriod period;

  g_return_val_if_fail (BC_IS_WORKBOOK (self), NULL);
  g_return_val_if_fail (template_id != NULL, NULL);
  g_return_val_if_fail (period_id != NULL, NULL);
  g_return_val_if_fail (unit != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!require_utf8 (template_id, invalid_name, error)
      || !require_utf8 (period_id, invalid_period, error))
    return NULL;

  if (!bc_period_parse (period_id, &period, &local_error))
    {
      g_set_error_literal (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID,
                           local_error->message);
      return NULL;
    }
  canonical = bc_period_to_id (&period);
  /* Stored units are normalized: so is the one looked for. */
  normalized = normalize_unit (unit, error);
  if (normalized == NULL)
    return NULL;

  data.template_id = template_id;
  data.period_id = canonical;
  data.unit = normalized;
  if (!in_transaction (self, FALSE, find_in_transaction, &data, error))
    return NULL;

  return data.found;
}

static gboolean
load_previous_in_transaction (BcWorkbook  *self,
                              gpointer     user_data,
                              GError     **error)
{
  ReadData *data = user_data;

  return load_previous_locked (self, data->template_id, data->period_id, data->unit,
                               &data->report, error);
}

BcReport *
bc_workbook_load_previous (BcWorkbook  *self,
                           BcReport    *report,
                           GError     **error)
{
  g_autofree char *unit = NULL;
  ReadData data = { 0 };

  g_return_val_if_fail (BC_IS_WORKBOOK (self), NULL);
  g_return_val_if_fail (BC_IS_REPORT (report), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* A report made in memory may spell its unit otherwise; one that cannot
   * be a unit has no previous report. */
  unit = normalize_unit (bc_report_get_unit (report), NULL);
  if (unit == NULL)
    return NULL;

  data.template_id = bc_report_get_template_id (report);
  data.period_id = bc_report_get_period_id (report);
  data.unit = unit;
  if (!in_transaction (self, FALSE, load_previous_in_transaction, &data, error))
    {
      g_clear_object (&data.report);
      return NULL;
    }

  return data.report;
}

static gboolean
list_in_transaction (BcWorkbook  *self,
                     gpointer     user_data,
                     GError     **error)
{
  ReadData *data = user_data;
  g_autoptr(BcStmt) stmt = NULL;
  int rc;

  stmt = query (self, error,
                "SELECT id, template_id, template_version, period_id, unit, status, revision, "
                "created_at, updated_at, submitted_at FROM reports "
                "ORDER BY period_key DESC, unit, template_id",
                "");
  if (stmt == NULL)
    return FALSE;

  while ((rc = step (self, stmt, error)) == SQLITE_ROW)
    {
      BcReportSummary *summary = g_new0 (BcReportSummary, 1);

      g_ptr_array_add (data->list, summary);
      summary->id = g_strdup (column_text (stmt, 0));
      summary->template_id = g_strdup (column_text (stmt, 1));
      summary->template_version = sqlite3_column_int (stmt, 2);
      summary->period_id = g_strdup (column_text (stmt, 3));
      summary->unit = g_strdup (column_text (stmt, 4));
      summary->revision = sqlite3_column_int64 (stmt, 6);
      summary->created_at = sqlite3_column_int64 (stmt, 7);
      summary->updated_at = sqlite3_column_int64 (stmt, 8);
      summary->submitted_at = sqlite3_column_int64 (stmt, 9);
      if (!parse_status (self, column_text (stmt, 5), &summary->status, error))
        return FALSE;
    }

  return rc == SQLITE_DONE;
}

GPtrArray *
bc_workbook_list_reports (BcWorkbook  *self,
                          GError     **error)
{
  g_autoptr(GPtrArray) list = NULL;
  ReadData data = { 0 };

  g_return_val_if_fail (BC_IS_WORKBOOK (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_report_summary_free);
  data.list = list;
  if (!in_transaction (self, FALSE, list_in_transaction, &data, error))
    return NULL;

  return g_steal_pointer (&list);
}

static void
list_reports_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *list;

  list = bc_workbook_list_reports (source_object, &error);
  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

void
bc_workbook_list_reports_async (BcWorkbook          *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BC_IS_WORKBOOK (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_workbook_list_reports_async);
  g_task_run_in_thread (task, list_reports_thread);
}

GPtrArray *
bc_workbook_list_reports_finish (BcWorkbook    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (BC_IS_WORKBOOK (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bc_workbook_list_reports_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
history_in_transaction (BcWorkbook  *self,
                        gpointer     user_data,
                        GError     **error)
{
  ReadData *data = user_data;
  g_auto(ReportHead) head = { 0 };
  g_autoptr(BcStmt) stmt = NULL;
  int rc;

  if (!load_head (self, data->report_id, &head, error))
    return FALSE;

  stmt = query (self, error,
                "SELECT id, key, row_id, old_value, new_value, at, revision FROM edits "
                "WHERE report_id = ? ORDER BY id",
                "s", data->report_id);
  if (stmt == NULL)
    return FALSE;

  while ((rc = step (self, stmt, error)) == SQLITE_ROW)
    {
      BcEdit *edit = g_new0 (BcEdit, 1);

      edit->id = sqlite3_column_int64 (stmt, 0);
      edit->report_id = g_strdup (data->report_id);
      edit->key = g_strdup (column_text (stmt, 1));
      edit->row_id = sqlite3_column_int64 (stmt, 2);
      edit->old_value = g_strdup (column_text (stmt, 3));
      edit->new_value = g_strdup (column_text (stmt, 4));
      edit->at = sqlite3_column_int64 (stmt, 5);
      edit->revision = sqlite3_column_int64 (stmt, 6);
      g_ptr_array_add (data->list, edit);
    }

  return rc == SQLITE_DONE;
}

GPtrArray *
bc_workbook_get_history (BcWorkbook  *self,
                         const char  *report_id,
                         GError     **error)
{
  g_autoptr(GPtrArray) list = NULL;
  ReadData data = { 0 };

  g_return_val_if_fail (BC_IS_WORKBOOK (self), NULL);
  g_return_val_if_fail (report_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!require_utf8 (report_id, invalid_report_id, error))
    return NULL;

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_edit_free);
  data.report_id = report_id;
  data.list = list;
  if (!in_transaction (self, FALSE, history_in_transaction, &data, error))
    return NULL;

  return g_steal_pointer (&list);
}

/* ------------------------------------------------------------------------ */
/* Changing reports                                                         */

typedef struct {
  const char *report_id;
  const char *key;       /* field key, table id or rule id */
  gint64      row_id;
  const char *value;     /* value or justification text */
  guint       index;
  BcStatus    status;
  gint64      new_row_id;
} ChangeData;

static gboolean
set_value_in_transaction (BcWorkbook  *self,
                          gpointer     user_data,
                          GError     **error)
{
  ChangeData *data = user_data;
  g_auto(ReportHead) head = { 0 };
  g_autofree char *old_value = NULL;
  gint64 now, revision;

  if (!load_head (self, data->report_id, &head, error)
      || !require_draft (&head, error)
      || !check_cell (self, data->report_id, &head, data->key, data->row_id, error)
      || !get_value (self, data->report_id, data->key, data->row_id, &old_value, error))
    return FALSE;

  /* The same value again changes nothing and records nothing. */
  if (g_strcmp0 (old_value, data->value) == 0)
    return TRUE;

  now = g_get_real_time ();
  return put_value (self, data->report_id, data->key, data->row_id, data->value, error)
    && (revision = bump_revision (self, data->report_id, now, error)) > 0
    && record_edit (self, data->report_id, data->key, data->row_id, old_value, data->value,
                    now, revision, error);
}

gboolean
bc_workbook_set_value (BcWorkbook  *self,
                       const char  *report_id,
                       const char  *key,
                       gint64       row_id,
                       const char  *value,
                       GError     **error)
{
  ChangeData data = { 0 };

  g_return_val_if_fail (BC_IS_WORKBOOK (self), FALSE);
  g_return_val_if_fail (report_id != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!require_utf8 (report_id, invalid_report_id, error)
      || !require_utf8 (key, invalid_name, error)
      || !require_utf8 (value, invalid_value, error))
    return FALSE;
  if (row_id < 0)
    {
      set_row_not_found (NULL, row_id, error);
      return FALSE;
    }

  data.report_id = report_id;
  data.key = key;
  data.row_id = row_id;
  /* Blank is the absence of a value: "" is stored as nothing. */
  data.value = value != NULL && *value != '\0' ? value : NULL;

  return in_transaction (self, TRUE, set_value_in_transaction, &data, error);
}

typedef struct {
  char   *report_id;
  char   *key;
  gint64  row_id;
  char   *value;
} SetValueTaskData;

static void
set_value_task_data_free (SetValueTaskData *data)
{
  g_free (data->report_id);
  g_free (data->key);
  g_free (data->value);
  g_free (data);
}

static void
set_value_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  SetValueTaskData *data = task_data;
  GError *error = NULL;

  if (bc_workbook_set_value (source_object, data->report_id, data->key, data->row_id,
                             data->value, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
bc_workbook_set_value_async (BcWorkbook          *self,
                             const char          *report_id,
                             const char          *key,
                             gint64               row_id,
                             const char          *value,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SetValueTaskData *data;

  g_return_if_fail (BC_IS_WORKBOOK (self));
  g_return_if_fail (report_id != NULL);
  g_return_if_fail (key != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (SetValueTaskData, 1);
  data->report_id = g_strdup (report_id);
  data->key = g_strdup (key);
  data->row_id = row_id;
  data->value = g_strdup (value);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_workbook_set_value_async);
  g_task_set_task_data (task, data, (GDestroyNotify) set_value_task_data_free);
  g_task_run_in_thread (task, set_value_thread);
}

gboolean
bc_workbook_set_value_finish (BcWorkbook    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (BC_IS_WORKBOOK (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bc_workbook_set_value_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
add_row_in_transaction (BcWorkbook  *self,
                        gpointer     user_data,
                        GError     **error)
{
  ChangeData *data = user_data;
  g_auto(ReportHead) head = { 0 };
  gint64 now, revision;

  if (!load_head (self, data->report_id, &head, error)
      || !require_draft (&head, error)
      || !check_table (self, &head, data->key, error))
    return FALSE;

  now = g_get_real_time ();
  data->new_row_id = insert_row (self, data->report_id, data->key, error);

  return data->new_row_id > 0
    && (revision = bump_revision (self, data->report_id, now, error)) > 0
    && record_edit (self, data->report_id, data->key, data->new_row_id, NULL, "added",
                    now, revision, error);
}

gint64
bc_workbook_add_row (BcWorkbook  *self,
                     const char  *report_id,
                     const char  *table,
                     GError     **error)
{
  ChangeData data = { 0 };

  g_return_val_if_fail (BC_IS_WORKBOOK (self), 0);
  g_return_val_if_fail (report_id != NULL, 0);
  g_return_val_if_fail (table != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!require_utf8 (report_id, invalid_report_id, error)
      || !require_utf8 (table, invalid_name, error))
    return 0;

  data.report_id = report_id;
  data.key = table;
  if (!in_transaction (self, TRUE, add_row_in_transaction, &data, error))
    return 0;

  return data.new_row_id;
}

/* Refuses `row_id` when a row of the report (in any table) has it. */
static gboolean
require_unused_row_id (BcWorkbook  *self,
                       const char  *report_id,
                       gint64       row_id,
                       GError     **error)
{
  g_autoptr(BcStmt) stmt = NULL;
  g_autofree char *row = NULL;
  int rc;

  stmt = query (self, error, "SELECT table_id FROM rows WHERE report_id = ? AND row_id = ?",
                "sx", report_id, row_id);
  if (stmt == NULL || (rc = step (self, stmt, error)) == 0)
    return FALSE;
  if (rc == SQLITE_DONE)
    return TRUE;

  row = g_strdup_printf ("%" G_GINT64_FORMAT, row_id);
  g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID,
               _("This report already has a row %s, in the table “%s”. A row added with "
                 "its own id needs an id that no row of the report has."),
               row, column_text (stmt, 0));
  return FALSE;
}

static gboolean
add_row_with_id_in_transaction (BcWorkbook  *self,
                                gpointer     user_data,
                                GError     **error)
{
  ChangeData *data = user_data;
  g_auto(ReportHead) head = { 0 };
  gint64 now, revision;

  if (!load_head (self, data->report_id, &head, error)
      || !require_draft (&head, error)
      || !check_table (self, &head, data->key, error)
      || !require_unused_row_id (self, data->report_id, data->row_id, error))
    return FALSE;

  /* The counter passes the id, so that add_row never hands it out again. */
  now = g_get_real_time ();
  return run (self,
              query (self, error,
                     "UPDATE reports SET next_row_id = max (next_row_id, ?1 + 1) WHERE id = ?2",
                     "xs", data->row_id, data->report_id),
              error)
    && place_row (self, data->report_id, data->key, data->row_id, data->index, error)
    && (revision = bump_revision (self, data->report_id, now, error)) > 0
    && record_edit (self, data->report_id, data->key, data->row_id, NULL, "added",
                    now, revision, error);
}

gboolean
bc_workbook_add_row_with_id (BcWorkbook  *self,
                             const char  *report_id,
                             const char  *table,
                             gint64       row_id,
                             guint        index,
                             GError     **error)
{
  ChangeData data = { 0 };

  g_return_val_if_fail (BC_IS_WORKBOOK (self), FALSE);
  g_return_val_if_fail (report_id != NULL, FALSE);
  g_return_val_if_fail (table != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!require_utf8 (report_id, invalid_report_id, error)
      || !require_utf8 (table, invalid_name, error))
    return FALSE;
  /* The largest id would leave the counter nowhere to go. */
  if (row_id <= 0 || row_id == G_MAXINT64)
    {
      g_autofree char *row = g_strdup_printf ("%" G_GINT64_FORMAT, row_id);

      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID,
                   _("%s cannot be the id of a row. A row id is a whole number from 1."),
                   row);
      return FALSE;
    }

  data.report_id = report_id;
  data.key = table;
  data.row_id = row_id;
  data.index = index;

  return in_transaction (self, TRUE, add_row_with_id_in_transaction, &data, error);
}

static gboolean
remove_row_in_transaction (BcWorkbook  *self,
                           gpointer     user_data,
                           GError     **error)
{
  ChangeData *data = user_data;
  g_auto(ReportHead) head = { 0 };
  g_autoptr(GPtrArray) cells = NULL;
  gint64 now, revision, position;

  if (!load_head (self, data->report_id, &head, error)
      || !require_draft (&head, error)
      || !require_row (self, data->report_id, data->key, data->row_id, &position, error))
    return FALSE;

  cells = g_ptr_array_new_with_free_func ((GDestroyNotify) cell_free);
  {
    g_autoptr(BcStmt) stmt = NULL;
    int rc;

    stmt = query (self, error,
                  "SELECT key, value FROM report_values WHERE report_id = ? AND row_id = ? "
                  "ORDER BY key",
                  "sx", data->report_id, data->row_id);
    if (stmt == NULL)
      return FALSE;
    while ((rc = step (self, stmt, error)) == SQLITE_ROW)
      {
        Cell *cell = g_new0 (Cell, 1);

        cell->key = g_strdup (column_text (stmt, 0));
        cell->row_id = data->row_id;
        cell->value = g_strdup (column_text (stmt, 1));
        g_ptr_array_add (cells, cell);
      }
    if (rc == 0)
      return FALSE;
  }

  now = g_get_real_time ();
  revision = bump_revision (self, data->report_id, now, error);
  if (revision == 0)
    return FALSE;

  /* The cells first, so "what changed" can show what the row held; then
   * the justifications of its warnings, which go with it. */
  for (guint i = 0; i < cells->len; i++)
    {
      const Cell *cell = g_ptr_array_index (cells, i);

      if (!record_edit (self, data->report_id, cell->key, cell->row_id, cell->value, NULL,
                        now, revision, error))
        return FALSE;
    }
  {
    g_autoptr(BcStmt) stmt = query (self, error,
                                    "SELECT rule_id, text FROM justifications "
                                    "WHERE report_id = ? AND row_id = ? ORDER BY rule_id",
                                    "sx", data->report_id, data->row_id);
    int rc = 0;

    while (stmt != NULL && (rc = step (self, stmt, error)) == SQLITE_ROW)
      {
        g_autofree char *key = g_strconcat (BC_EDIT_JUSTIFICATION_PREFIX, column_text (stmt, 0), NULL);

        if (!record_edit (self, data->report_id, key, data->row_id, column_text (stmt, 1), NULL,
                          now, revision, error))
          return FALSE;
      }
    if (stmt == NULL || rc == 0)
      return FALSE;
  }

  return run (self,
              query (self, error,
                     "DELETE FROM report_values WHERE report_id = ? AND row_id = ?",
                     "sx", data->report_id, data->row_id),
              error)
    && run (self,
            query (self, error,
                   "DELETE FROM justifications WHERE report_id = ? AND row_id = ?",
                   "sx", data->report_id, data->row_id),
            error)
    && run (self,
            query (self, error, "DELETE FROM rows WHERE report_id = ? AND row_id = ?",
                   "sx", data->report_id, data->row_id),
            error)
    && run (self,
            query (self, error,
                   "UPDATE rows SET position = position - 1 "
                   "WHERE report_id = ? AND table_id = ? AND position > ?",
                   "ssx", data->report_id, data->key, position),
            error)
    && record_edit (self, data->report_id, data->key, data->row_id, NULL, "removed",
                    now, revision, error);
}

gboolean
bc_workbook_remove_row (BcWorkbook  *self,
                        const char  *report_id,
                        const char  *table,
                        gint64       row_id,
                        GError     **error)
{
  ChangeData data = { 0 };

  g_return_val_if_fail (BC_IS_WORKBOOK (self), FALSE);
  g_return_val_if_fail (report_id != NULL, FALSE);
  g_return_val_if_fail (table != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!require_utf8 (report_id, invalid_report_id, error)
      || !require_utf8 (table, invalid_name, error))
    return FALSE;

  data.report_id = report_id;
  data.key = table;
  data.row_id = row_id;

  return in_transaction (self, TRUE, remove_row_in_transaction, &data, error);
}

static gboolean
move_row_in_transaction (BcWorkbook  *self,
                         gpointer     user_data,
                         GError     **error)
{
  ChangeData *data = user_data;
  g_auto(ReportHead) head = { 0 };
  g_autofree char *from_text = NULL;
  g_autofree char *to_text = NULL;
  gint64 now, revision, from, to, n_rows;
  gboolean ok;

  if (!load_head (self, data->report_id, &head, error)
      || !require_draft (&head, error)
      || !require_row (self, data->report_id, data->key, data->row_id, &from, error)
      || !count_rows (self, data->report_id, data->key, &n_rows, error))
    return FALSE;

  /* Past the end means "last". */
  to = MIN ((gint64) data->index, n_rows - 1);
  if (to == from)
    return TRUE;

  if (to < from)
    ok = run (self,
              query (self, error,
                     "UPDATE rows SET position = position + 1 WHERE report_id = ? "
                     "AND table_id = ? AND position >= ? AND position < ?",
                     "ssxx", data->report_id, data->key, to, from),
              error);
  else
    ok = run (self,
              query (self, error,
                     "UPDATE rows SET position = position - 1 WHERE report_id = ? "
                     "AND table_id = ? AND position > ? AND position <= ?",
                     "ssxx", data->report_id, data->key, from, to),
              error);

  if (!ok || !run (self,
                   query (self, error,
                          "UPDATE rows SET position = ? WHERE report_id = ? AND row_id = ?",
                          "xsx", to, data->report_id, data->row_id),
                   error))
    return FALSE;

  now = g_get_real_time ();
  from_text = g_strdup_printf ("%" G_GINT64_FORMAT, from);
  to_text = g_strdup_printf ("%" G_GINT64_FORMAT, to);

  return (revision = bump_revision (self, data->report_id, now, error)) > 0
    && record_edit (self, data->report_id, data->key, data->row_id, from_text, to_text,
                    now, revision, error);
}

gboolean
bc_workbook_move_row (BcWorkbook  *self,
                      const char  *report_id,
                      const char  *table,
                      gint64       row_id,
                      guint        index,
                      GError     **error)
{
  ChangeData data = { 0 };

  g_return_val_if_fail (BC_IS_WORKBOOK (self), FALSE);
  g_return_val_if_fail (report_id != NULL, FALSE);
  g_return_val_if_fail (table != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!require_utf8 (report_id, invalid_report_id, error)
      || !require_utf8 (table, invalid_name, error))
    return FALSE;

  data.report_id = report_id;
  data.key = table;
  data.row_id = row_id;
  data.index = index;

  return in_transaction (self, TRUE, move_row_in_transaction, &data, error);
}

static gboolean
set_justification_in_transaction (BcWorkbook  *self,
                                  gpointer     user_data,
                                  GError     **error)
{
  ChangeData *data = user_data;
  g_auto(ReportHead) head = { 0 };
  g_autofree char *old_text = NULL;
  const BcRule *rule = NULL;
  BcTemplate *template_;
  gint64 now;

  if (!load_head (self, data->report_id, &head, error) || !require_draft (&head, error))
    return FALSE;

  /* Only a warning can be justified, and only the template says which
   * rules are warnings: without it, nothing is accepted. */
  template_ = head_template (self, &head);
  if (template_ == NULL)
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE,
                   _("Version %d of the form “%s” is not installed, so its checks are not "
                     "known and no justification can be written. Update Baocao, or install "
                     "the form, and try again."),
                   head.template_version, head.template_id);
      return FALSE;
    }

  rule = bc_template_lookup_rule (template_, data->key);
  if (rule == NULL)
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND,
                   _("The form “%s” (version %d) has no rule “%s”. Reload the report: "
                     "the form may have changed."),
                   head.template_id, head.template_version, data->key);
      return FALSE;
    }

  /* An error blocks sending until the values are right: a justification
   * must not let it through. Removing one (kept from before the rule
   * became an error) is allowed. */
  if (rule->severity != BC_SEVERITY_WARNING && data->value != NULL)
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID,
                   _("The check “%s” is an error, not a warning: it cannot be justified. "
                     "Correct the values it names; only warnings take a justification."),
                   rule->id);
      return FALSE;
    }

  /* A per-row rule's row must be one of its table. */
  if (data->row_id > 0)
    {
      gint64 position;

      if (!require_row (self, data->report_id, rule->table, data->row_id, &position, error))
        return FALSE;
    }

  {
    g_autoptr(BcStmt) stmt = NULL;
    int rc;

    stmt = query (self, error,
                  "SELECT text FROM justifications WHERE report_id = ? AND rule_id = ? AND row_id = ?",
                  "ssx", data->report_id, data->key, data->row_id);
    if (stmt == NULL || (rc = step (self, stmt, error)) == 0)
      return FALSE;
    if (rc == SQLITE_ROW)
      old_text = g_strdup (column_text (stmt, 0));
  }

  if (g_strcmp0 (old_text, data->value) == 0)
    return TRUE;

  now = g_get_real_time ();
  if (data->value == NULL)
    {
      if (!run (self,
                query (self, error,
                       "DELETE FROM justifications WHERE report_id = ? AND rule_id = ? AND row_id = ?",
                       "ssx", data->report_id, data->key, data->row_id),
                error))
        return FALSE;
    }
  else if (!run (self,
                 query (self, error,
                        "INSERT INTO justifications (report_id, rule_id, row_id, text) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT (report_id, rule_id, row_id) "
                        "DO UPDATE SET text = excluded.text",
                        "ssxs", data->report_id, data->key, data->row_id, data->value),
                 error))
    return FALSE;

  /* Justifications are part of what is sent: a new revision, and an edit
   * under the rule's id, so that "what changed since sent" shows it. */
  {
    g_autofree char *key = g_strconcat (BC_EDIT_JUSTIFICATION_PREFIX, data->key, NULL);
    gint64 revision = bump_revision (self, data->report_id, now, error);

    return revision > 0
      && record_edit (self, data->report_id, key, data->row_id, old_text, data->value,
                      now, revision, error);
  }
}

gboolean
bc_workbook_set_justification (BcWorkbook  *self,
                               const char  *report_id,
                               const char  *rule_id,
                               gint64       row_id,
                               const char  *text,
                               GError     **error)
{
  g_autofree char *trimmed = NULL;
  ChangeData data = { 0 };

  g_return_val_if_fail (BC_IS_WORKBOOK (self), FALSE);
  g_return_val_if_fail (report_id != NULL, FALSE);
  g_return_val_if_fail (rule_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!require_utf8 (report_id, invalid_report_id, error)
      || !require_utf8 (rule_id, invalid_name, error)
      || !require_utf8 (text, invalid_text, error))
    return FALSE;
  if (row_id < 0)
    {
      set_row_not_found (NULL, row_id, error);
      return FALSE;
    }

  /* White space alone justifies nothing: it removes the justification, so
   * that it cannot let a warning through. */
  trimmed = text != NULL ? strip_white_space (text) : NULL;

  data.report_id = report_id;
  data.key = rule_id;
  data.row_id = row_id;
  data.value = trimmed != NULL && *trimmed != '\0' ? trimmed : NULL;

  return in_transaction (self, TRUE, set_justification_in_transaction, &data, error);
}

/* Loads the template version a report was started on; TEMPLATE when the
 * registry is missing or does not hold it. */
static BcTemplate *
require_template (BcWorkbook        *self,
                  const ReportHead  *head,
                  GError           **error)
{
  BcTemplate *template_ = head_template (self, head);

  if (template_ == NULL)
    g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE,
                 _("Version %d of the form “%s” is not installed, so this report cannot be "
                   "checked. Update Baocao, or install the form, and try again."),
                 head->template_version, head->template_id);

  return template_;
}

static gboolean
set_status_in_transaction (BcWorkbook  *self,
                           gpointer     user_data,
                           GError     **error)
{
  ChangeData *data = user_data;
  g_auto(ReportHead) head = { 0 };
  const char *to = bc_status_to_string (data->status);
  gint64 now;

  if (!load_head (self, data->report_id, &head, error))
    return FALSE;

  /* Accepted is final: nothing to reload, nothing to wait for. */
  if (head.status == BC_STATUS_ACCEPTED)
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TRANSITION,
                   _("This report is “%s”: the province has accepted it, so it is final and "
                     "cannot become “%s”. If something in it is wrong, tell the province."),
                   bc_status_label (head.status), bc_status_label (data->status));
      return FALSE;
    }
  if (!bc_status_can_transition (head.status, data->status))
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TRANSITION,
                   _("A report that is “%s” cannot become “%s”. Reload the report to see "
                     "its current status."),
                   bc_status_label (head.status), bc_status_label (data->status));
      return FALSE;
    }

  if (data->status == BC_STATUS_READY)
    {
      g_autoptr(BcReport) report = NULL;
      g_autoptr(BcReport) previous = NULL;
      g_autoptr(GError) local_error = NULL;
      BcTemplate *template_ = require_template (self, &head, error);

      if (template_ == NULL)
        return FALSE;

      report = load_report_locked (self, data->report_id, error);
      if (report == NULL
          || !load_previous_locked (self, head.template_id, head.period_id, head.unit,
                                    &previous, error))
        return FALSE;

      if (!bc_validate_ready (template_, report, previous, &local_error))
        {
          g_set_error_literal (error, BC_WORKBOOK_ERROR,
                               g_error_matches (local_error, BC_VALIDATE_ERROR,
                                                BC_VALIDATE_ERROR_NOT_READY)
                               ? BC_WORKBOOK_ERROR_NOT_READY : BC_WORKBOOK_ERROR_TEMPLATE,
                               local_error->message);
          return FALSE;
        }
    }

  now = g_get_real_time ();
  return run (self,
              query (self, error,
                     "UPDATE reports SET status = ?1, updated_at = ?2, "
                     "submitted_at = CASE WHEN ?1 = 'queued' AND submitted_at = 0 "
                     "THEN ?2 ELSE submitted_at END, "
                     "review_comment = CASE WHEN ?1 IN ('accepted', 'returned') THEN ?3 "
                     "ELSE review_comment END "
                     "WHERE id = ?4",
                     "sxss", to, now, data->value, data->report_id),
              error)
    && run (self,
            query (self, error,
                   "INSERT INTO status_changes (report_id, from_status, to_status, comment, at) "
                   "VALUES (?, ?, ?, ?, ?)",
                   "ssssx", data->report_id, bc_status_to_string (head.status), to,
                   data->value, now),
            error)
    && _bc_outbox_status_changed (self, self->db, data->report_id, head.status, data->status,
                                  now, error);
}

gboolean
bc_workbook_set_status (BcWorkbook  *self,
                        const char  *report_id,
                        BcStatus     status,
                        const char  *comment,
                        GError     **error)
{
  ChangeData data = { 0 };

  g_return_val_if_fail (BC_IS_WORKBOOK (self), FALSE);
  g_return_val_if_fail (report_id != NULL, FALSE);
  g_return_val_if_fail (status <= BC_STATUS_LAST, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!require_utf8 (report_id, invalid_report_id, error)
      || !require_utf8 (comment, invalid_text, error))
    return FALSE;

  data.report_id = report_id;
  data.status = status;
  data.value = comment;

  return in_transaction (self, TRUE, set_status_in_transaction, &data, error);
}

/* ------------------------------------------------------------------------ */
/* Carrying a draft over to a new template version                          */

typedef struct {
  const char *report_id;
  gint64      now;
  gint64      revision;
} MigrationContext;

/* Every stored (row, value) of `key`. */
static GPtrArray *
cells_of_key (BcWorkbook  *self,
              const char  *report_id,
              const char  *key,
              GError     **error)
{
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func ((GDestroyNotify) cell_free);
  g_autoptr(BcStmt) stmt = NULL;
  int rc;

  stmt = query (self, error,
                "SELECT row_id, value FROM report_values WHERE report_id = ? AND key = ? "
                "ORDER BY row_id",
                "ss", report_id, key);
  if (stmt == NULL)
    return NULL;

  while ((rc = step (self, stmt, error)) == SQLITE_ROW)
    {
      Cell *cell = g_new0 (Cell, 1);

      cell->key = g_strdup (key);
      cell->row_id = sqlite3_column_int64 (stmt, 0);
      cell->value = g_strdup (column_text (stmt, 1));
      g_ptr_array_add (cells, cell);
    }

  return rc == SQLITE_DONE ? g_steal_pointer (&cells) : NULL;
}

static gboolean
change_cell (BcWorkbook              *self,
             const MigrationContext  *context,
             const char              *key,
             gint64                   row_id,
             const char              *value,
             GError                 **error)
{
  g_autofree char *old_value = NULL;

  if (!get_value (self, context->report_id, key, row_id, &old_value, error))
    return FALSE;
  if (g_strcmp0 (old_value, value) == 0)
    return TRUE;

  return put_value (self, context->report_id, key, row_id, value, error)
    && record_edit (self, context->report_id, key, row_id, old_value, value,
                    context->now, context->revision, error);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Whether a rename keeps the kind of key: a single value stays one, a
 * table's column stays a column of that table (its rows are the table's). */
static gboolean
same_shape (const char *old_key,
            const char *new_key)
{
  const char *old_dot = strchr (old_key, '.');
  const char *new_dot = strchr (new_key, '.');

  if (old_dot == NULL || new_dot == NULL)
    return old_dot == NULL && new_dot == NULL;

  return old_dot - old_key == new_dot - new_key
    && strncmp (old_key, new_key, old_dot - old_key) == 0;
}

static char *
cell_name (const char *key,
           gint64      row_id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT " %s", row_id, key);
}

typedef struct {
  Cell       *cell;     /* its old key, row and value */
  const char *new_key;  /* NULL: removed */
} Move;

/* Applies one version's renamed and removed keys. Both name keys of the
 * older version; a key that is both is removed, as in migrate_key(). Every
 * old value is read before anything is written, so renames that swap keys
 * ({"a": "b", "b": "a"}) or chain them lose nothing. A migration that would
 * put two old keys into one new key, or change a key's shape, is refused
 * before anything changes (the template loader refuses them too; this is the
 * last line of defence for the user's values). */
static gboolean
apply_renames_and_removals (BcWorkbook              *self,
                            const MigrationContext  *context,
                            const char              *template_id,
                            int                      version,
                            const BcMigration       *migration,
                            GError                 **error)
{
  g_autoptr(GHashTable) sources = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) targets = g_hash_table_new (g_str_hash, g_str_equal);
  /* cell_name → the old key whose value ends up there */
  g_autoptr(GHashTable) destinations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func ((GDestroyNotify) cell_free);
  g_autoptr(GArray) moves = g_array_new (FALSE, FALSE, sizeof (Move));
  g_autofree gpointer *old_keys = NULL;
  guint n_old_keys = 0;

  for (guint i = 0; migration->removed != NULL && migration->removed[i] != NULL; i++)
    g_hash_table_add (sources, migration->removed[i]);

  if (migration->renamed != NULL)
    {
      /* In a fixed order, so a faulty migration is always reported alike. */
      g_autofree gpointer *renamed = g_hash_table_get_keys_as_array (migration->renamed, &n_old_keys);

      qsort (renamed, n_old_keys, sizeof (gpointer), compare_strings);
      for (guint i = 0; i < n_old_keys; i++)
        {
          const char *old_key = renamed[i];
          const char *new_key = g_hash_table_lookup (migration->renamed, old_key);
          const char *other;

          g_hash_table_add (sources, (gpointer) old_key);
          if (migration->removed != NULL
              && g_strv_contains ((const char * const *) migration->removed, old_key))
            continue;

          if (!same_shape (old_key, new_key))
            {
              g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE,
                           _("Version %d of the form “%s” renames “%s” to “%s”, which is not "
                             "the same kind of field: a single value and a table's column "
                             "cannot become one another. The form is faulty: ask for a "
                             "corrected version of it."),
                           version, template_id, old_key, new_key);
              return FALSE;
            }

          other = g_hash_table_lookup (targets, new_key);
          if (other != NULL)
            {
              g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE,
                           _("Version %d of the form “%s” renames both “%s” and “%s” to “%s”, "
                             "so carrying this report over would lose values. The form is "
                             "faulty: ask for a corrected version of it."),
                           version, template_id, other, old_key, new_key);
              return FALSE;
            }
          g_hash_table_insert (targets, (gpointer) new_key, (gpointer) old_key);
        }
    }

  /* Read everything first. */
  old_keys = g_hash_table_get_keys_as_array (sources, &n_old_keys);
  qsort (old_keys, n_old_keys, sizeof (gpointer), compare_strings);
  for (guint i = 0; i < n_old_keys; i++)
    {
      const char *old_key = old_keys[i];
      const char *new_key = NULL;
      g_autoptr(GPtrArray) key_cells = cells_of_key (self, context->report_id, old_key, error);

      if (key_cells == NULL)
        return FALSE;

      if (migration->renamed != NULL
          && (migration->removed == NULL
              || !g_strv_contains ((const char * const *) migration->removed, old_key)))
        new_key = g_hash_table_lookup (migration->renamed, old_key);

      for (guint j = 0; j < key_cells->len; j++)
        {
          Move move = { g_ptr_array_index (key_cells, j), new_key };

          g_array_append_val (moves, move);
        }
      g_ptr_array_extend_and_steal (cells, g_steal_pointer (&key_cells));
    }

  /* A new key that is no old key's name keeps its own values: a value
   * renamed onto one of them would overwrite it. */
  {
    GHashTableIter iter;
    gpointer new_key, old_key;

    g_hash_table_iter_init (&iter, targets);
    while (g_hash_table_iter_next (&iter, &new_key, &old_key))
      {
        g_autoptr(GPtrArray) kept = NULL;

        if (g_hash_table_contains (sources, new_key))
          continue;
        kept = cells_of_key (self, context->report_id, new_key, error);
        if (kept == NULL)
          return FALSE;
        for (guint j = 0; j < kept->len; j++)
          {
            const Cell *cell = g_ptr_array_index (kept, j);

            g_hash_table_insert (destinations, cell_name (cell->key, cell->row_id), new_key);
          }
      }
  }

  for (guint i = 0; i < moves->len; i++)
    {
      const Move *move = &g_array_index (moves, Move, i);
      char *name;
      const char *there;

      if (move->new_key == NULL)
        continue;

      name = cell_name (move->new_key, move->cell->row_id);
      there = g_hash_table_lookup (destinations, name);
      if (there != NULL)
        {
          g_free (name);
          g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE,
                       _("Version %d of the form “%s” renames “%s” to “%s”, but this report "
                         "already has a value under “%s”, so carrying it over would lose one "
                         "of them. The form is faulty: ask for a corrected version of it."),
                       version, template_id, move->cell->key, move->new_key, there);
          return FALSE;
        }
      g_hash_table_insert (destinations, name, move->cell->key);
    }

  /* Then clear the old places no value moves into, and fill the new ones. */
  for (guint i = 0; i < moves->len; i++)
    {
      const Move *move = &g_array_index (moves, Move, i);
      g_autofree char *name = cell_name (move->cell->key, move->cell->row_id);

      if (!g_hash_table_contains (destinations, name)
          && !change_cell (self, context, move->cell->key, move->cell->row_id, NULL, error))
        return FALSE;
    }

  for (guint i = 0; i < moves->len; i++)
    {
      const Move *move = &g_array_index (moves, Move, i);

      if (move->new_key != NULL
          && !change_cell (self, context, move->new_key, move->cell->row_id, move->cell->value,
                           error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
apply_defaults (BcWorkbook              *self,
                const MigrationContext  *context,
                GHashTable              *defaults,
                GError                 **error)
{
  GHashTableIter iter;
  gpointer key, value;

  if (defaults == NULL)
    return TRUE;

  g_hash_table_iter_init (&iter, defaults);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *dot = strchr (key, '.');
      g_autoptr(GArray) row_ids = g_array_new (FALSE, FALSE, sizeof (gint64));

      if (dot == NULL)
        {
          gint64 zero = 0;

          g_array_append_val (row_ids, zero);
        }
      else
        {
          /* A new column gets its default in every existing row. */
          g_autofree char *table = g_strndup (key, dot - (const char *) key);
          g_autoptr(BcStmt) stmt = NULL;
          int rc;

          stmt = query (self, error, "SELECT row_id FROM rows WHERE report_id = ? AND table_id = ?",
                        "ss", context->report_id, table);
          if (stmt == NULL)
            return FALSE;
          while ((rc = step (self, stmt, error)) == SQLITE_ROW)
            {
              gint64 row_id = sqlite3_column_int64 (stmt, 0);

              g_array_append_val (row_ids, row_id);
            }
          if (rc == 0)
            return FALSE;
        }

      for (guint i = 0; i < row_ids->len; i++)
        {
          gint64 row_id = g_array_index (row_ids, gint64, i);
          g_autofree char *current = NULL;

          /* Only where blank: a value the user entered stays. */
          if (!get_value (self, context->report_id, key, row_id, &current, error))
            return FALSE;
          if (current == NULL && !change_cell (self, context, key, row_id, value, error))
            return FALSE;
        }
    }

  return TRUE;
}

/* Whether `key` names a value the person can see and edit in `template_`:
 * a field or column that is stored (not computed), under exactly that key. */
static gboolean
is_stored_key (BcTemplate *template_,
               const char *key)
{
  const BcField *field = bc_template_lookup_field (template_, key);
  g_autofree char *field_key = field != NULL ? bc_field_dup_key (field) : NULL;

  return field != NULL && field->type != BC_FIELD_TABLE && field->compute == NULL
    && g_strcmp0 (field_key, key) == 0;
}

typedef struct {
  const char         *report_id;
  const char * const *drop;    /* keys of the draft's version whose values may go */
  gboolean            dry_run; /* only fill `losses` (and `preview`) */
  GPtrArray          *losses;  /* out: char * keys whose values the newest version has no place for */
  GPtrArray          *preview; /* out, or NULL: BcCarryOverChange * */
} CarryOverData;

void
bc_carry_over_change_free (BcCarryOverChange *change)
{
  if (change == NULL)
    return;

  g_free (change->old_key);
  g_free (change->new_key);
  g_free (change);
}

static void
add_change (GPtrArray           *preview,
            BcCarryOverKind      kind,
            const char          *old_key,
            const char          *new_key)
{
  BcCarryOverChange *change = g_new0 (BcCarryOverChange, 1);

  change->kind = kind;
  change->old_key = g_strdup (old_key);
  change->new_key = g_strdup (new_key);
  g_ptr_array_add (preview, change);
}

/* What carrying over would do, key by key: values that move to a renamed
 * key, fields that are new, and values that would be lost. */
static gboolean
collect_preview (BcWorkbook        *self,
                 const ReportHead  *head,
                 const char        *report_id,
                 BcTemplate        *latest,
                 GPtrArray         *preview,
                 GError           **error)
{
  BcTemplate *current = bc_template_registry_lookup (self->templates, head->template_id,
                                                     head->template_version, NULL);
  g_autoptr(BcStmt) stmt = NULL;
  GPtrArray *fields = bc_template_get_fields (latest);
  int rc;

  stmt = query (self, error,
                "SELECT DISTINCT key FROM report_values WHERE report_id = ? ORDER BY key",
                "s", report_id);
  if (stmt == NULL)
    return FALSE;
  while ((rc = step (self, stmt, error)) == SQLITE_ROW)
    {
      const char *key = column_text (stmt, 0);
      g_autofree char *mapped = migrate_key (self, head->template_id, head->template_version,
                                             bc_template_get_version (latest), key);

      if (mapped == NULL || !is_stored_key (latest, mapped))
        add_change (preview, BC_CARRY_OVER_LOST, key, NULL);
      else if (!g_str_equal (mapped, key))
        add_change (preview, BC_CARRY_OVER_MOVES, key, mapped);
    }
  if (rc != SQLITE_DONE)
    return FALSE;

  /* New: fields (and columns) of the newest version that the draft's
   * version has not, nor gets by a rename. Unknown when that version is
   * not installed. */
  for (guint i = 0; current != NULL && i < fields->len; i++)
    {
      const BcField *field = g_ptr_array_index (fields, i);
      GPtrArray *columns = field->type == BC_FIELD_TABLE ? field->columns : NULL;
      guint n = columns != NULL ? columns->len : 1;

      for (guint c = 0; c < n; c++)
        {
          const BcField *one = columns != NULL ? g_ptr_array_index (columns, c) : field;
          g_autofree char *key = bc_field_dup_key (one);
          gboolean renamed_here = FALSE;

          if (one->compute != NULL || is_stored_key (current, key))
            continue;
          for (guint k = 0; k < preview->len; k++)
            {
              const BcCarryOverChange *change = g_ptr_array_index (preview, k);

              if (change->kind == BC_CARRY_OVER_MOVES && g_str_equal (change->new_key, key))
                renamed_here = TRUE;
            }
          if (!renamed_here)
            add_change (preview, BC_CARRY_OVER_NEW, NULL, key);
        }
    }

  return TRUE;
}

/* The keys (of the draft's version) of values that carrying over would
 * lose: removed by a migration, or renamed without one, so that the newest
 * version has no field for them. Sorted, each once. */
static gboolean
collect_losses (BcWorkbook        *self,
                const ReportHead  *head,
                const char        *report_id,
                BcTemplate        *latest,
                GPtrArray         *losses,
                GError           **error)
{
  g_autoptr(BcStmt) stmt = NULL;
  int rc;

  stmt = query (self, error,
                "SELECT DISTINCT key FROM report_values WHERE report_id = ? ORDER BY key",
                "s", report_id);
  if (stmt == NULL)
    return FALSE;

  while ((rc = step (self, stmt, error)) == SQLITE_ROW)
    {
      const char *key = column_text (stmt, 0);
      g_autofree char *mapped = migrate_key (self, head->template_id, head->template_version,
                                             bc_template_get_version (latest), key);

      if (mapped == NULL || !is_stored_key (latest, mapped))
        g_ptr_array_add (losses, g_strdup (key));
    }

  return rc == SQLITE_DONE;
}

/* Takes out, with an edit each, the values still stored under keys that the
 * newest version does not have (renamed without a migration): the person
 * agreed to let them go, and a value under such a key could be neither seen
 * nor edited. */
static gboolean
drop_stray_values (BcWorkbook  *self,
                   const char  *report_id,
                   BcTemplate  *latest,
                   gint64       now,
                   gint64       revision,
                   GError     **error)
{
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func ((GDestroyNotify) cell_free);
  g_autoptr(BcStmt) stmt = NULL;
  int rc;

  stmt = query (self, error,
                "SELECT key, row_id, value FROM report_values WHERE report_id = ?",
                "s", report_id);
  if (stmt == NULL)
    return FALSE;
  while ((rc = step (self, stmt, error)) == SQLITE_ROW)
    {
      if (!is_stored_key (latest, column_text (stmt, 0)))
        {
          Cell *cell = g_new0 (Cell, 1);

          cell->key = g_strdup (column_text (stmt, 0));
          cell->row_id = sqlite3_column_int64 (stmt, 1);
          cell->value = g_strdup (column_text (stmt, 2));
          g_ptr_array_add (cells, cell);
        }
    }
  if (rc != SQLITE_DONE)
    return FALSE;
  stmt_release (g_steal_pointer (&stmt));

  for (guint i = 0; i < cells->len; i++)
    {
      const Cell *cell = g_ptr_array_index (cells, i);

      if (!run (self, query (self, error,
                             "DELETE FROM report_values WHERE report_id = ? AND key = ? AND row_id = ?",
                             "ssx", report_id, cell->key, cell->row_id), error)
          || !record_edit (self, report_id, cell->key, cell->row_id, cell->value, NULL, now,
                           revision, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
carry_over_in_transaction (BcWorkbook  *self,
                           gpointer     user_data,
                           GError     **error)
{
  CarryOverData *data = user_data;
  g_auto(ReportHead) head = { 0 };
  g_autoptr(GError) local_error = NULL;
  MigrationContext context;
  BcTemplate *latest;
  int latest_version;

  if (!load_head (self, data->report_id, &head, error) || !require_draft (&head, error))
    return FALSE;

  /* The newest version that is for the report's period and unit. */
  if (self->templates == NULL
      || bc_template_registry_lookup_latest (self->templates, head.template_id, NULL) == NULL
      || (latest = bc_template_registry_lookup_for (self->templates, head.template_id,
                                                    head.period_id, head.unit,
                                                    &local_error)) == NULL)
    {
      if (local_error != NULL)
        g_set_error_literal (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE,
                             local_error->message);
      else
        g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE,
                     _("The form “%s” is not installed, so this report cannot be carried over "
                       "to its newest version. Update Baocao, or install the form."),
                     head.template_id);
      return FALSE;
    }

  latest_version = bc_template_get_version (latest);
  if (latest_version <= head.template_version)
    return TRUE;

  /* Never lose a value the person did not agree to let go. */
  if (!collect_losses (self, &head, data->report_id, latest, data->losses, error))
    return FALSE;
  if (data->preview != NULL
      && !collect_preview (self, &head, data->report_id, latest, data->preview, error))
    return FALSE;
  if (data->dry_run)
    return TRUE;

  context.report_id = data->report_id;
  context.now = g_get_real_time ();
  context.revision = bump_revision (self, data->report_id, context.now, error);
  if (context.revision == 0)
    return FALSE;

  for (int version = head.template_version + 1; version <= latest_version; version++)
    {
      BcTemplate *step_template = bc_template_registry_lookup (self->templates, head.template_id,
                                                               version, NULL);
      const BcMigration *migration = step_template != NULL
        ? bc_template_get_migration (step_template, version - 1) : NULL;

      /* A version that is not installed, or says nothing about its
       * predecessor, changes no key. */
      if (migration == NULL)
        continue;

      if (!apply_renames_and_removals (self, &context, head.template_id, version, migration, error)
          || !apply_defaults (self, &context, migration->defaults, error))
        return FALSE;
    }

  /* Checked after the migrations, so that a faulty one is reported as such
   * (and the whole transaction is rolled back either way). */
  {
    g_autoptr(GString) kept = g_string_new (NULL);

    for (guint i = 0; i < data->losses->len; i++)
      {
        const char *key = g_ptr_array_index (data->losses, i);

        if (data->drop == NULL || !g_strv_contains (data->drop, key))
          g_string_append_printf (kept, "%s%s", kept->len > 0 ? ", " : "", key);
      }
    if (kept->len > 0)
      {
        g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_WOULD_LOSE,
                     _("Version %d of the form has no place for the values of %s, so carrying "
                       "the report over would lose them. Nothing was changed: copy them "
                       "elsewhere first, or say that they may go."),
                     latest_version, kept->str);
        return FALSE;
      }
  }

  if (data->losses->len > 0
      && !drop_stray_values (self, data->report_id, latest, context.now, context.revision, error))
    return FALSE;

  return run (self,
              query (self, error, "UPDATE reports SET template_version = ? WHERE id = ?",
                     "ds", latest_version, data->report_id),
              error);
}

gboolean
bc_workbook_carry_over (BcWorkbook  *self,
                        const char  *report_id,
                        GError     **error)
{
  return bc_workbook_carry_over_dropping (self, report_id, NULL, error);
}

gboolean
bc_workbook_carry_over_dropping (BcWorkbook          *self,
                                 const char          *report_id,
                                 const char * const  *drop,
                                 GError             **error)
{
  g_autoptr(GPtrArray) losses = g_ptr_array_new_with_free_func (g_free);
  CarryOverData data = { report_id, drop, FALSE, losses, NULL };

  g_return_val_if_fail (BC_IS_WORKBOOK (self), FALSE);
  g_return_val_if_fail (report_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!require_utf8 (report_id, invalid_report_id, error))
    return FALSE;
  for (guint i = 0; drop != NULL && drop[i] != NULL; i++)
    {
      if (!require_utf8 (drop[i], invalid_name, error))
        return FALSE;
    }

  return in_transaction (self, TRUE, carry_over_in_transaction, &data, error);
}

GPtrArray *
bc_workbook_carry_over_preview (BcWorkbook  *self,
                                const char  *report_id,
                                GError     **error)
{
  g_autoptr(GPtrArray) losses = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) preview =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bc_carry_over_change_free);
  CarryOverData data = { report_id, NULL, TRUE, losses, preview };

  g_return_val_if_fail (BC_IS_WORKBOOK (self), NULL);
  g_return_val_if_fail (report_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!require_utf8 (report_id, invalid_report_id, error))
    return NULL;

  if (!in_transaction (self, FALSE, carry_over_in_transaction, &data, error))
    return NULL;

  return g_steal_pointer (&preview);
}

GStrv
bc_workbook_carry_over_losses (BcWorkbook  *self,
                               const char  *report_id,
                               GError     **error)
{
  g_autoptr(GPtrArray) losses = g_ptr_array_new_with_free_func (g_free);
  CarryOverData data = { report_id, NULL, TRUE, losses, NULL };

  g_return_val_if_fail (BC_IS_WORKBOOK (self), NULL);
  g_return_val_if_fail (report_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!require_utf8 (report_id, invalid_report_id, error))
    return NULL;

  if (!in_transaction (self, FALSE, carry_over_in_transaction, &data, error))
    return NULL;

  g_ptr_array_add (losses, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&losses), FALSE);
}

/* ------------------------------------------------------------------------ */
/* Private hooks                                                            */

typedef struct {
  const char *sql;
  char       *result;
} QueryData;

static gboolean
query_string_in_transaction (BcWorkbook  *self,
                             gpointer     user_data,
                             GError     **error)
{
  QueryData *data = user_data;
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, data->sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    data->result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    set_sqlite_error (self, rc, error);
  sqlite3_finalize (stmt);

  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

char *
_bc_workbook_query_string (BcWorkbook  *self,
                           const char  *sql,
                           GError     **error)
{
  QueryData data = { sql, NULL };
  gboolean ok;

  g_return_val_if_fail (BC_IS_WORKBOOK (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  /* Pragmas such as journal_mode cannot run inside a transaction. */
  if (!lock_open (self, error))
    return NULL;
  self->writing = FALSE;
  ok = query_string_in_transaction (self, &data, error);
  unlock_open (self);

  if (!ok)
    g_clear_pointer (&data.result, g_free);

  return data.result;
}

/* ------------------------------------------------------------------------ */
/* For bc-outbox.c: its transactions on this workbook's connection          */

gboolean
_bc_workbook_transaction (BcWorkbook               *self,
                          gboolean                  write,
                          BcWorkbookTransactionFunc func,
                          gpointer                  data,
                          GError                  **error)
{
  g_return_val_if_fail (BC_IS_WORKBOOK (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  return in_transaction (self, write, (TransactionFunc) func, data, error);
}

sqlite3 *
_bc_workbook_get_db (BcWorkbook *self)
{
  g_return_val_if_fail (BC_IS_WORKBOOK (self), NULL);

  return self->db;
}

void
_bc_workbook_set_sqlite_error (BcWorkbook  *self,
                               int          rc,
                               GError     **error)
{
  g_return_if_fail (BC_IS_WORKBOOK (self));

  set_sqlite_error (self, rc, error);
}

BcReport *
_bc_workbook_load_report_locked (BcWorkbook  *self,
                                 const char  *report_id,
                                 GError     **error)
{
  g_return_val_if_fail (BC_IS_WORKBOOK (self), NULL);

  return load_report_locked (self, report_id, error);
}
