/* test-workbook.c: tests of the SQLite workbook.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-workbook"

#include "config.h"

#include <locale.h>
#include <stdarg.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>
#ifdef G_OS_WIN32
#include <sys/utime.h>
#else
#include <unistd.h>
#include <utime.h>
#endif

#include "bc-workbook.h"
#include "bc-workbook-private.h"
#include "bc-test-util.h"

#define REPORT_ID "5f0b1c9e-3a52-4c7e-9d1f-2b8a6c4d7e10"

typedef struct {
  char       *dir;
  char       *path;
  BcWorkbook *workbook;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-workbook-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "wb.baocao", NULL);
  fixture->workbook = bc_workbook_open (fixture->path, NULL, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->workbook);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  if (fixture->workbook != NULL)
    g_assert_finalize_object (fixture->workbook);
  bc_test_remove_tree (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

/* Runs SQL on the file with a connection of its own (the workbook closed). */
static void
raw_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;
  int rc;

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  rc = sqlite3_exec (db, sql, NULL, NULL, &message);
  if (rc != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

static char *
query (BcWorkbook *workbook,
       const char *sql)
{
  g_autoptr(GError) error = NULL;
  char *result = _bc_workbook_query_string (workbook, sql, &error);

  g_assert_no_error (error);
  return result;
}

static gint64
query_int (BcWorkbook *workbook,
           const char *sql)
{
  g_autofree char *text = query (workbook, sql);

  g_assert_nonnull (text);
  return g_ascii_strtoll (text, NULL, 10);
}

static void
create_report (Fixture    *fixture,
               const char *id,
               const char *period,
               const char *unit)
{
  g_autoptr(GError) error = NULL;

  bc_workbook_create_report_with_id (fixture->workbook, id, "egov-quarterly", period, unit, &error);
  g_assert_no_error (error);
}

static gint64
revision_of (BcWorkbook *workbook,
             const char *report_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = bc_workbook_load_report (workbook, report_id, &error);

  g_assert_no_error (error);
  return bc_report_get_revision (report);
}

static GPtrArray *
history_of (BcWorkbook *workbook,
            const char *report_id)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *history = bc_workbook_get_history (workbook, report_id, &error);

  g_assert_no_error (error);
  return history;
}

static void
assert_edit (GPtrArray  *history,
             guint       index,
             const char *key,
             gint64      row_id,
             const char *old_value,
             const char *new_value,
             gint64      revision)
{
  const BcEdit *edit;

  g_assert_cmpuint (index, <, history->len);
  edit = g_ptr_array_index (history, index);
  g_assert_cmpstr (edit->report_id, ==, REPORT_ID);
  g_assert_cmpstr (edit->key, ==, key);
  g_assert_cmpint (edit->row_id, ==, row_id);
  g_assert_cmpstr (edit->old_value, ==, old_value);
  g_assert_cmpstr (edit->new_value, ==, new_value);
  g_assert_cmpint (edit->revision, ==, revision);
  g_assert_cmpint (edit->at, >, 0);
}

/* ------------------------------------------------------------------------ */

static void
test_schema_and_pragmas (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-workbook-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "new", "folder", "wb.baocao", NULL);
  g_autofree char *mode = NULL;
  g_autofree char *default_path = bc_workbook_default_path ();
  BcWorkbook *workbook;

  g_assert_no_error (error);

  /* The parent folders are made on demand. */
  workbook = bc_workbook_open (path, NULL, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bc_workbook_get_path (workbook), ==, path);
  g_assert_null (bc_workbook_get_templates (workbook));
  g_assert_cmpint (bc_workbook_get_kind (workbook), ==, BC_WORKBOOK_KIND_USER);

  mode = query (workbook, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  g_assert_cmpint (query_int (workbook, "PRAGMA synchronous"), ==, 2);
  g_assert_cmpint (query_int (workbook, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (query_int (workbook, "PRAGMA busy_timeout"), ==, 5000);
  g_assert_cmpint (query_int (workbook, "PRAGMA application_id"), ==, BC_WORKBOOK_APPLICATION_ID);
  g_assert_cmpint (query_int (workbook, "PRAGMA user_version"), ==, BC_WORKBOOK_SCHEMA_VERSION);
  g_assert_cmpint (query_int (workbook,
                              "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
                              "('meta', 'settings', 'reports', 'rows', 'report_values', "
                              "'justifications', 'edits', 'status_changes')"),
                   ==, 8);
  g_assert_cmpint (query_int (workbook, "SELECT length(value) FROM meta WHERE key = 'workbook_id'"),
                   ==, 36);
  g_assert_finalize_object (workbook);

  /* Reopening an existing workbook needs no OPEN_CREATE and keeps its id. */
  workbook = bc_workbook_open (path, NULL, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (workbook, "PRAGMA synchronous"), ==, 2);
  g_assert_cmpint (query_int (workbook, "SELECT count(*) FROM meta WHERE key = 'workbook_id'"), ==, 1);
  g_assert_finalize_object (workbook);

  g_assert_true (g_str_has_suffix (default_path, G_DIR_SEPARATOR_S "baocao" G_DIR_SEPARATOR_S
                                   "workbook.baocao"));
  g_assert_true (g_str_has_prefix (default_path, g_get_user_data_dir ()));

  bc_test_remove_tree (dir);
}

static void
test_open_missing (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-workbook-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "missing.baocao", NULL);
  BcWorkbook *workbook;

  workbook = bc_workbook_open (path, NULL, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_null (workbook);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "missing.baocao"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  bc_test_remove_tree (dir);
}

typedef struct {
  GBytes *bytes;
  guint64 mtime;
  guint32 mtime_usec;
} FileSnapshot;

static void
snapshot_file (const char   *path,
               FileSnapshot *snapshot)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  snapshot->bytes = g_bytes_new_take (contents, length);

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_TIME_MODIFIED "," G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC,
                            G_FILE_QUERY_INFO_NONE, NULL, &error);
  g_assert_no_error (error);
  snapshot->mtime = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED);
  snapshot->mtime_usec = g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC);
}

static void
assert_untouched (const char *path,
                  FileSnapshot *before)
{
  FileSnapshot after;
  const char *suffixes[] = { "-wal", "-shm", "-journal" };

  snapshot_file (path, &after);
  g_assert_true (g_bytes_equal (before->bytes, after.bytes));
  g_assert_cmpuint (before->mtime, ==, after.mtime);
  g_assert_cmpuint (before->mtime_usec, ==, after.mtime_usec);
  g_bytes_unref (after.bytes);

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *extra = g_strconcat (path, suffixes[i], NULL);

      g_assert_false (g_file_test (extra, G_FILE_TEST_EXISTS));
    }
}

/* Opens `path` (with and without OPEN_CREATE), expects `code`, and checks
 * that the file was left exactly as it was. */
static void
assert_rejected (const char *path,
                 int         code,
                 const char *message_part)
{
  const BcWorkbookOpenFlags flags[] = { BC_WORKBOOK_OPEN_DEFAULT, BC_WORKBOOK_OPEN_CREATE };
  g_autofree char *basename = g_path_get_basename (path);
  FileSnapshot before;
  struct utimbuf old_time = { 1000000000, 1000000000 };

  /* An old mtime shows any write, even within the same second. */
  g_assert_cmpint (g_utime (path, &old_time), ==, 0);
  snapshot_file (path, &before);

  for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
    {
      g_autoptr(GError) error = NULL;
      BcWorkbook *workbook = bc_workbook_open (path, NULL, flags[i], &error);

      g_assert_null (workbook);
      g_assert_error (error, BC_WORKBOOK_ERROR, code);
      g_test_message ("%s: %s", basename, error->message);
      g_assert_nonnull (strstr (error->message, basename));
      if (message_part != NULL)
        g_assert_nonnull (strstr (error->message, message_part));
      assert_untouched (path, &before);
    }

  g_bytes_unref (before.bytes);
}

static void
test_open_rejected (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-workbook-XXXXXX", &error);
  g_autofree char *text = g_build_filename (dir, "notes.txt", NULL);
  g_autofree char *binary = g_build_filename (dir, "random.bin", NULL);
  g_autofree char *foreign = g_build_filename (dir, "foreign.db", NULL);
  g_autofree char *foreign_wal = g_build_filename (dir, "foreign-wal.db", NULL);
  g_autofree char *unlabelled = g_build_filename (dir, "unlabelled.db", NULL);
  g_autofree char *future = g_build_filename (dir, "future.baocao", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty.baocao", NULL);
  g_autofree char *fake = g_build_filename (dir, "fake.baocao", NULL);
  guint8 noise[8192];
  BcWorkbook *workbook;

  g_assert_no_error (error);

  g_file_set_contents (text, "Báo cáo quý II năm 2018\nNot a database at all.\n", -1, &error);
  g_assert_no_error (error);
  assert_rejected (text, BC_WORKBOOK_ERROR_NOT_A_WORKBOOK, NULL);

  for (guint i = 0; i < sizeof noise; i++)
    noise[i] = (guint8) g_test_rand_int_range (0, 256);
  g_file_set_contents (binary, (const char *) noise, sizeof noise, &error);
  g_assert_no_error (error);
  assert_rejected (binary, BC_WORKBOOK_ERROR_NOT_A_WORKBOOK, NULL);

  /* The SQLite header followed by garbage. */
  memcpy (noise, "SQLite format 3", 16);
  g_file_set_contents (fake, (const char *) noise, sizeof noise, &error);
  g_assert_no_error (error);
  assert_rejected (fake, BC_WORKBOOK_ERROR_NOT_A_WORKBOOK, NULL);

  raw_exec (foreign, "PRAGMA application_id=1179602516; CREATE TABLE t (x); INSERT INTO t VALUES (1)");
  assert_rejected (foreign, BC_WORKBOOK_ERROR_NOT_A_WORKBOOK, "another program");

  raw_exec (foreign_wal, "PRAGMA journal_mode=WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1)");
  assert_rejected (foreign_wal, BC_WORKBOOK_ERROR_NOT_A_WORKBOOK, "another program");

  /* A database with content but no application id is someone else's. */
  raw_exec (unlabelled, "CREATE TABLE reports (id TEXT)");
  assert_rejected (unlabelled, BC_WORKBOOK_ERROR_NOT_A_WORKBOOK, NULL);

  workbook = bc_workbook_open (future, NULL, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (workbook);
  raw_exec (future, "PRAGMA user_version=99");
  assert_rejected (future, BC_WORKBOOK_ERROR_TOO_NEW, "newer version of Baocao");

  /* An empty file is a workbook only when asked to create one. */
  g_file_set_contents (empty, "", 0, &error);
  g_assert_no_error (error);
  workbook = bc_workbook_open (empty, NULL, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_A_WORKBOOK);
  g_assert_null (workbook);
  g_clear_error (&error);
  workbook = bc_workbook_open (empty, NULL, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (workbook, "PRAGMA application_id"), ==, BC_WORKBOOK_APPLICATION_ID);
  g_assert_finalize_object (workbook);

  /* A folder is not a workbook either. */
  workbook = bc_workbook_open (dir, NULL, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_A_WORKBOOK);
  g_assert_null (workbook);

  bc_test_remove_tree (dir);
}

static void
test_corrupt (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-workbook-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "wb.baocao", NULL);
  g_autofree char *contents = NULL;
  gsize length;
  BcWorkbook *workbook;

  workbook = bc_workbook_open (path, NULL, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 40; i++)
    {
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *unit = g_strdup_printf ("Unit %d", i);

      bc_workbook_create_report_with_id (workbook, id, "egov-quarterly", "2018Q2", unit, &error);
      g_assert_no_error (error);
    }
  bc_workbook_check (workbook, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (workbook);

  /* Scribble over the last page (data, not the schema). */
  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 3 * 4096);
  for (gsize i = length - 4096; i < length; i++)
    contents[i] = (char) (i * 7);
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);

  /* The schema still reads, so the workbook opens (no WAL was left, so no
   * check ran); the full check and any read of the page find the damage. */
  workbook = bc_workbook_open (path, NULL, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_false (bc_workbook_check (workbook, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_CORRUPT);
  g_clear_error (&error);
  g_assert_null (bc_workbook_list_reports (workbook, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_CORRUPT);
  g_assert_finalize_object (workbook);

  bc_test_remove_tree (dir);
}

static void
test_settings_and_kind (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *unit = NULL;
  g_autofree char *gone = NULL;

  g_assert_null (bc_workbook_get_setting (fixture->workbook, "unit"));
  g_assert_true (bc_workbook_set_setting (fixture->workbook, "unit", "UBND huyện Châu Thành", &error));
  g_assert_no_error (error);
  g_assert_true (bc_workbook_set_setting (fixture->workbook, "server", "https://example.org", &error));
  g_assert_true (bc_workbook_set_setting (fixture->workbook, "server", NULL, &error));
  g_assert_no_error (error);

  g_assert_true (bc_workbook_set_kind (fixture->workbook, BC_WORKBOOK_KIND_DEMO, &error));
  g_assert_no_error (error);
  g_assert_cmpint (bc_workbook_get_kind (fixture->workbook), ==, BC_WORKBOOK_KIND_DEMO);

  g_assert_finalize_object (fixture->workbook);
  fixture->workbook = bc_workbook_open (fixture->path, NULL, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_no_error (error);

  unit = bc_workbook_get_setting (fixture->workbook, "unit");
  g_assert_cmpstr (unit, ==, "UBND huyện Châu Thành");
  gone = bc_workbook_get_setting (fixture->workbook, "server");
  g_assert_null (gone);
  g_assert_cmpint (bc_workbook_get_kind (fixture->workbook), ==, BC_WORKBOOK_KIND_DEMO);
}

static void
test_create_report (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autofree char *id = NULL;
  g_autofree char *found = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *long_unit = NULL;
  gint64 before = g_get_real_time ();

  id = bc_workbook_create_report (fixture->workbook, "egov-quarterly", "2018q2", "  Huyện A ", &error);
  g_assert_no_error (error);
  g_assert_true (g_uuid_string_is_valid (id));

  report = bc_workbook_load_report (fixture->workbook, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bc_report_get_id (report), ==, id);
  g_assert_cmpstr (bc_report_get_template_id (report), ==, "egov-quarterly");
  g_assert_cmpint (bc_report_get_template_version (report), ==, 1);
  /* Stored canonical and trimmed. */
  g_assert_cmpstr (bc_report_get_period_id (report), ==, "2018Q2");
  g_assert_cmpstr (bc_report_get_unit (report), ==, "Huyện A");
  g_assert_cmpint (bc_report_get_status (report), ==, BC_STATUS_DRAFT);
  g_assert_cmpint (bc_report_get_revision (report), ==, 0);
  g_assert_cmpint (bc_report_get_created_at (report), >=, before);
  g_assert_cmpint (bc_report_get_updated_at (report), ==, bc_report_get_created_at (report));
  g_assert_cmpint (bc_report_get_submitted_at (report), ==, 0);
  g_assert_null (bc_report_get_review_comment (report));

  /* One report per template, period and unit, however the period is spelt. */
  g_assert_null (bc_workbook_create_report (fixture->workbook, "egov-quarterly", "2018-Q2", "Huyện A", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, id));
  g_assert_nonnull (strstr (error->message, "Huyện A"));
  g_clear_error (&error);

  g_assert_false (bc_workbook_create_report_with_id (fixture->workbook, id, "egov-quarterly", "2018Q3",
                                                     "Huyện A", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_EXISTS);
  g_clear_error (&error);

  g_assert_false (bc_workbook_create_report_with_id (fixture->workbook, "not-a-uuid", "egov-quarterly",
                                                     "2018Q3", "Huyện A", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_null (bc_workbook_create_report (fixture->workbook, "egov-quarterly", "2018Q5", "Huyện A", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_null (bc_workbook_create_report (fixture->workbook, "egov-quarterly", "2018Q3", "   ", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID);
  g_clear_error (&error);

  long_unit = g_strnfill (65, 'x');
  g_assert_null (bc_workbook_create_report (fixture->workbook, "egov-quarterly", "2018Q3", long_unit, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID);
  g_clear_error (&error);
  /* 64 characters (not bytes) is fine. */
  g_free (long_unit);
  long_unit = g_strconcat ("ệệệệệệệệệệệệệệệệ", "ệệệệệệệệệệệệệệệệ",
                           "ệệệệệệệệệệệệệệệệ", "ệệệệệệệệệệệệệệệệ", NULL);
  g_free (bc_workbook_create_report (fixture->workbook, "egov-quarterly", "2018Q3", long_unit, &error));
  g_assert_no_error (error);

  found = bc_workbook_find_report (fixture->workbook, "egov-quarterly", "2018Q2", "Huyện A", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, id);
  missing = bc_workbook_find_report (fixture->workbook, "egov-quarterly", "2018Q1", "Huyện A", &error);
  g_assert_no_error (error);
  g_assert_null (missing);

  /* Failed creations left nothing behind. */
  g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM reports"), ==, 2);
}

static void
test_list_and_delete (Fixture       *fixture,
                      gconstpointer  user_data)
{
  const struct {
    const char *id;
    const char *template_id;
    const char *period;
    const char *unit;
  } reports[] = {
    { "00000000-0000-4000-8000-000000000001", "egov-quarterly", "2017Q4", "B" },
    { "00000000-0000-4000-8000-000000000002", "egov-quarterly", "2018Q2", "B" },
    { "00000000-0000-4000-8000-000000000003", "egov-quarterly", "2018Q2", "A" },
    { "00000000-0000-4000-8000-000000000004", "inspection", "2018Q2", "A" },
    { "00000000-0000-4000-8000-000000000005", "egov-quarterly", "2018Q1", "A" },
    { "00000000-0000-4000-8000-000000000006", "egov-yearly", "2018", "A" },
  };
  /* Newest period first (a year sorts after its first quarter, as
   * bc_period_compare() has it), then unit, then template. */
  const char *expected[] = { "3", "4", "2", "6", "5", "1" };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(BcReport) previous = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(BcReport) none = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (reports); i++)
    {
      bc_workbook_create_report_with_id (fixture->workbook, reports[i].id, reports[i].template_id,
                                         reports[i].period, reports[i].unit, &error);
      g_assert_no_error (error);
    }

  list = bc_workbook_list_reports (fixture->workbook, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < list->len; i++)
    {
      const BcReportSummary *summary = g_ptr_array_index (list, i);

      g_assert_true (g_str_has_suffix (summary->id, expected[i]));
      g_assert_cmpint (summary->status, ==, BC_STATUS_DRAFT);
      g_assert_cmpint (summary->template_version, ==, 1);
      g_assert_cmpint (summary->created_at, >, 0);
    }
  g_clear_pointer (&list, g_ptr_array_unref);

  /* The previous quarter of the same unit and template, across a year. */
  report = bc_workbook_load_report (fixture->workbook, reports[4].id, &error);
  g_assert_no_error (error);
  previous = bc_workbook_load_previous (fixture->workbook, report, &error);
  g_assert_no_error (error);
  g_assert_null (previous);
  g_clear_object (&report);
  report = bc_workbook_load_report (fixture->workbook, reports[1].id, &error);
  g_assert_no_error (error);
  none = bc_workbook_load_previous (fixture->workbook, report, &error);
  g_assert_no_error (error);
  g_assert_null (none);

  bc_workbook_set_value (fixture->workbook, reports[1].id, "level3", 0, "12", &error);
  g_assert_no_error (error);
  g_assert_true (bc_workbook_delete_report (fixture->workbook, reports[1].id, &error));
  g_assert_no_error (error);
  g_assert_null (bc_workbook_load_report (fixture->workbook, reports[1].id, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (bc_workbook_delete_report (fixture->workbook, reports[1].id, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* Its values and history went with it. */
  g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM report_values"), ==, 0);
  g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM edits"), ==, 0);

  list = bc_workbook_list_reports (fixture->workbook, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, G_N_ELEMENTS (expected) - 1);
}

static void
test_previous (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(BcReport) previous = NULL;

  create_report (fixture, "00000000-0000-4000-8000-000000000001", "2017Q4", "A");
  create_report (fixture, "00000000-0000-4000-8000-000000000002", "2017Q4", "B");
  create_report (fixture, REPORT_ID, "2018Q1", "A");
  bc_workbook_set_value (fixture->workbook, "00000000-0000-4000-8000-000000000001", "level3", 0, "7", &error);
  g_assert_no_error (error);

  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_no_error (error);
  previous = bc_workbook_load_previous (fixture->workbook, report, &error);
  g_assert_no_error (error);
  g_assert_nonnull (previous);
  g_assert_cmpstr (bc_report_get_id (previous), ==, "00000000-0000-4000-8000-000000000001");
  g_assert_cmpstr (bc_report_get_value (previous, "level3", 0), ==, "7");
}

static void
test_set_value (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(GPtrArray) history = NULL;
  gint64 updated_at;

  create_report (fixture, REPORT_ID, "2018Q2", "A");

  g_assert_true (bc_workbook_set_value (fixture->workbook, REPORT_ID, "level3", 0, "12", &error));
  g_assert_no_error (error);
  g_assert_true (bc_workbook_set_value (fixture->workbook, REPORT_ID, "level3", 0, "15", &error));
  g_assert_true (bc_workbook_set_value (fixture->workbook, REPORT_ID, "difficulties", 0,
                                        "Đường truyền chậm.\nThiếu cán bộ.", &error));
  g_assert_no_error (error);
  g_assert_cmpint (revision_of (fixture->workbook, REPORT_ID), ==, 3);

  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bc_report_get_value (report, "level3", 0), ==, "15");
  g_assert_cmpstr (bc_report_get_value (report, "difficulties", 0), ==, "Đường truyền chậm.\nThiếu cán bộ.");
  g_assert_cmpint (bc_report_get_updated_at (report), >=, bc_report_get_created_at (report));
  updated_at = bc_report_get_updated_at (report);
  g_clear_object (&report);

  /* The same value again: TRUE, nothing recorded, revision unchanged. */
  g_assert_true (bc_workbook_set_value (fixture->workbook, REPORT_ID, "level3", 0, "15", &error));
  g_assert_no_error (error);
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_cmpint (bc_report_get_revision (report), ==, 3);
  g_assert_cmpint (bc_report_get_updated_at (report), ==, updated_at);
  g_clear_object (&report);

  /* Blank (NULL or "") removes the value. */
  g_assert_true (bc_workbook_set_value (fixture->workbook, REPORT_ID, "level3", 0, NULL, &error));
  g_assert_true (bc_workbook_set_value (fixture->workbook, REPORT_ID, "level3", 0, "", &error));
  g_assert_true (bc_workbook_set_value (fixture->workbook, REPORT_ID, "difficulties", 0, "", &error));
  g_assert_no_error (error);
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_null (bc_report_get_value (report, "level3", 0));
  g_assert_null (bc_report_get_value (report, "difficulties", 0));
  g_assert_cmpint (bc_report_get_revision (report), ==, 5);
  g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM report_values"), ==, 0);

  history = history_of (fixture->workbook, REPORT_ID);
  g_assert_cmpuint (history->len, ==, 5);
  assert_edit (history, 0, "level3", 0, NULL, "12", 1);
  assert_edit (history, 1, "level3", 0, "12", "15", 2);
  assert_edit (history, 2, "difficulties", 0, NULL, "Đường truyền chậm.\nThiếu cán bộ.", 3);
  assert_edit (history, 3, "level3", 0, "15", NULL, 4);
  assert_edit (history, 4, "difficulties", 0, "Đường truyền chậm.\nThiếu cán bộ.", NULL, 5);
  for (guint i = 1; i < history->len; i++)
    g_assert_cmpint (((BcEdit *) history->pdata[i])->at, >=, ((BcEdit *) history->pdata[i - 1])->at);
}

static void
test_set_value_errors (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) history = NULL;
  gint64 row_id;

  create_report (fixture, REPORT_ID, "2018Q2", "A");
  g_assert_true (bc_workbook_set_value (fixture->workbook, REPORT_ID, "level3", 0, "1", &error));
  row_id = bc_workbook_add_row (fixture->workbook, REPORT_ID, "findings", &error);
  g_assert_no_error (error);
  g_assert_cmpint (revision_of (fixture->workbook, REPORT_ID), ==, 2);

  g_assert_false (bc_workbook_set_value (fixture->workbook, "00000000-0000-4000-8000-00000000dead",
                                         "level3", 0, "1", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A row that does not exist, of any table. */
  g_assert_false (bc_workbook_set_value (fixture->workbook, REPORT_ID, "findings.topic", 99, "x", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "findings"));
  g_clear_error (&error);
  /* A row of another table. */
  g_assert_false (bc_workbook_set_value (fixture->workbook, REPORT_ID, "documents.title", row_id, "x", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* A cell needs a row; a scalar has none. */
  g_assert_false (bc_workbook_set_value (fixture->workbook, REPORT_ID, "findings.topic", 0, "x", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (bc_workbook_set_value (fixture->workbook, REPORT_ID, "level3", row_id, "x", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (bc_workbook_set_value (fixture->workbook, REPORT_ID, "", 0, "x", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Nothing of the failed calls stuck. */
  g_assert_cmpint (revision_of (fixture->workbook, REPORT_ID), ==, 2);
  history = history_of (fixture->workbook, REPORT_ID);
  g_assert_cmpuint (history->len, ==, 2);
  g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM report_values"), ==, 1);

  g_assert_true (bc_workbook_set_value (fixture->workbook, REPORT_ID, "findings.topic", row_id,
                                        "Cổng dịch vụ công", &error));
  g_assert_no_error (error);
}

static void
test_rows (Fixture       *fixture,
           gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(GPtrArray) history = NULL;
  gint64 ids[4];
  gint64 other, later;

  create_report (fixture, REPORT_ID, "2018Q2", "A");

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *topic = g_strdup_printf ("Topic %u", i + 1);

      ids[i] = bc_workbook_add_row (fixture->workbook, REPORT_ID, "findings", &error);
      g_assert_no_error (error);
      g_assert_cmpint (ids[i], >, 0);
      g_assert_true (bc_workbook_set_value (fixture->workbook, REPORT_ID, "findings.topic", ids[i], topic, &error));
      g_assert_no_error (error);
    }
  g_assert_true (bc_workbook_set_value (fixture->workbook, REPORT_ID, "findings.status", ids[1], "open", &error));
  other = bc_workbook_add_row (fixture->workbook, REPORT_ID, "documents", &error);
  g_assert_no_error (error);
  g_assert_cmpint (ids[0], <, ids[1]);
  g_assert_cmpint (ids[1], <, ids[2]);
  g_assert_cmpint (ids[2], <, other);
  g_assert_cmpint (revision_of (fixture->workbook, REPORT_ID), ==, 8);

  /* Move the last to the front: 3 1 2. */
  g_assert_true (bc_workbook_move_row (fixture->workbook, REPORT_ID, "findings", ids[2], 0, &error));
  g_assert_no_error (error);
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_cmpuint (bc_report_get_n_rows (report, "findings"), ==, 3);
  g_assert_cmpint (bc_report_get_row_id (report, "findings", 0), ==, ids[2]);
  g_assert_cmpint (bc_report_get_row_id (report, "findings", 1), ==, ids[0]);
  g_assert_cmpint (bc_report_get_row_id (report, "findings", 2), ==, ids[1]);
  g_assert_cmpuint (bc_report_get_n_rows (report, "documents"), ==, 1);
  /* Values follow their rows. */
  g_assert_cmpstr (bc_report_get_value (report, "findings.topic", ids[2]), ==, "Topic 3");
  g_clear_object (&report);

  /* Past the end means last: 3 2 1; to where it is: nothing. */
  g_assert_true (bc_workbook_move_row (fixture->workbook, REPORT_ID, "findings", ids[0], 50, &error));
  g_assert_true (bc_workbook_move_row (fixture->workbook, REPORT_ID, "findings", ids[0], 2, &error));
  g_assert_no_error (error);
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_cmpint (bc_report_get_row_id (report, "findings", 0), ==, ids[2]);
  g_assert_cmpint (bc_report_get_row_id (report, "findings", 1), ==, ids[1]);
  g_assert_cmpint (bc_report_get_row_id (report, "findings", 2), ==, ids[0]);
  g_assert_cmpint (bc_report_get_revision (report), ==, 10);
  g_clear_object (&report);

  /* Remove the middle one (Topic 2, status open). */
  g_assert_true (bc_workbook_remove_row (fixture->workbook, REPORT_ID, "findings", ids[1], &error));
  g_assert_no_error (error);
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_cmpuint (bc_report_get_n_rows (report, "findings"), ==, 2);
  g_assert_cmpint (bc_report_get_row_id (report, "findings", 0), ==, ids[2]);
  g_assert_cmpint (bc_report_get_row_id (report, "findings", 1), ==, ids[0]);
  g_assert_null (bc_report_get_value (report, "findings.topic", ids[1]));
  g_assert_cmpint (bc_report_get_revision (report), ==, 11);
  g_clear_object (&report);
  /* Positions stay dense: 0 and 1. */
  g_assert_cmpint (query_int (fixture->workbook,
                              "SELECT max(position) FROM rows WHERE table_id = 'findings'"), ==, 1);

  /* Row ids are never reused. */
  later = bc_workbook_add_row (fixture->workbook, REPORT_ID, "findings", &error);
  g_assert_no_error (error);
  g_assert_cmpint (later, >, other);

  history = history_of (fixture->workbook, REPORT_ID);
  assert_edit (history, 0, "findings", ids[0], NULL, "added", 1);
  assert_edit (history, 1, "findings.topic", ids[0], NULL, "Topic 1", 2);
  assert_edit (history, 8, "findings", ids[2], "2", "0", 9);
  assert_edit (history, 9, "findings", ids[0], "1", "2", 10);
  /* The removed row's cells, then the removal, in one revision. */
  assert_edit (history, 10, "findings.status", ids[1], "open", NULL, 11);
  assert_edit (history, 11, "findings.topic", ids[1], "Topic 2", NULL, 11);
  assert_edit (history, 12, "findings", ids[1], NULL, "removed", 11);
  assert_edit (history, 13, "findings", later, NULL, "added", 12);
  g_assert_cmpuint (history->len, ==, 14);

  /* Errors change nothing. */
  g_assert_false (bc_workbook_remove_row (fixture->workbook, REPORT_ID, "findings", ids[1], &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (bc_workbook_remove_row (fixture->workbook, REPORT_ID, "documents", ids[0], &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (bc_workbook_move_row (fixture->workbook, REPORT_ID, "findings", other, 0, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (bc_workbook_add_row (fixture->workbook, REPORT_ID, "findings.topic", &error), ==, 0);
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (revision_of (fixture->workbook, REPORT_ID), ==, 12);
}

static void
set_raw_status (Fixture    *fixture,
                const char *status)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("UPDATE reports SET status = '%s', submitted_at = 0, "
                                          "review_comment = NULL", status);

  g_assert_finalize_object (fixture->workbook);
  raw_exec (fixture->path, sql);
  fixture->workbook = bc_workbook_open (fixture->path, NULL, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
}

/* A row of another copy of the report (the province's, in a conflict)
 * keeps its id and goes where it is put; an id a row has is refused. */
static void
test_rows_with_id (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(GPtrArray) history = NULL;
  gint64 first, second, other, later;

  create_report (fixture, REPORT_ID, "2018Q2", "A");
  first = bc_workbook_add_row (fixture->workbook, REPORT_ID, "findings", &error);
  second = bc_workbook_add_row (fixture->workbook, REPORT_ID, "findings", &error);
  other = bc_workbook_add_row (fixture->workbook, REPORT_ID, "documents", &error);
  g_assert_no_error (error);

  /* Between the two, with its cells set as usual. */
  g_assert_true (bc_workbook_add_row_with_id (fixture->workbook, REPORT_ID, "findings", 40, 1, &error));
  g_assert_no_error (error);
  g_assert_true (bc_workbook_set_value (fixture->workbook, REPORT_ID, "findings.topic", 40, "From there",
                                        &error));
  g_assert_no_error (error);
  /* Past the end means last. */
  g_assert_true (bc_workbook_add_row_with_id (fixture->workbook, REPORT_ID, "findings", 7, 99, &error));
  g_assert_no_error (error);
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_cmpuint (bc_report_get_n_rows (report, "findings"), ==, 4);
  g_assert_cmpint (bc_report_get_row_id (report, "findings", 0), ==, first);
  g_assert_cmpint (bc_report_get_row_id (report, "findings", 1), ==, 40);
  g_assert_cmpint (bc_report_get_row_id (report, "findings", 2), ==, second);
  g_assert_cmpint (bc_report_get_row_id (report, "findings", 3), ==, 7);
  g_assert_cmpstr (bc_report_get_value (report, "findings.topic", 40), ==, "From there");
  g_assert_cmpint (bc_report_get_revision (report), ==, 6);
  g_clear_object (&report);
  g_assert_cmpint (query_int (fixture->workbook,
                              "SELECT max(position) FROM rows WHERE table_id = 'findings'"), ==, 3);

  /* Recorded as any added row is. */
  history = history_of (fixture->workbook, REPORT_ID);
  assert_edit (history, 3, "findings", 40, NULL, "added", 4);
  assert_edit (history, 5, "findings", 7, NULL, "added", 6);

  /* Ids handed out later are above it: never one of its. */
  later = bc_workbook_add_row (fixture->workbook, REPORT_ID, "findings", &error);
  g_assert_no_error (error);
  g_assert_cmpint (later, ==, 41);

  /* An id a row has, in this table or another, or no id: refused, and
   * nothing changes. */
  g_assert_false (bc_workbook_add_row_with_id (fixture->workbook, REPORT_ID, "findings", second, 0, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (bc_workbook_add_row_with_id (fixture->workbook, REPORT_ID, "findings", other, 0, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "documents"));
  g_clear_error (&error);
  g_assert_false (bc_workbook_add_row_with_id (fixture->workbook, REPORT_ID, "findings", 0, 0, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (bc_workbook_add_row_with_id (fixture->workbook, REPORT_ID, "findings", G_MAXINT64, 0,
                                               &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (revision_of (fixture->workbook, REPORT_ID), ==, 7);
  g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM rows"), ==, 6);

  /* The id of a row removed here may come back (the province kept it). */
  g_assert_true (bc_workbook_remove_row (fixture->workbook, REPORT_ID, "findings", second, &error));
  g_assert_true (bc_workbook_add_row_with_id (fixture->workbook, REPORT_ID, "findings", second, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpint (revision_of (fixture->workbook, REPORT_ID), ==, 9);
}

static void
test_status_machine (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) history = NULL;
  guint n_changes = 0;

  create_report (fixture, REPORT_ID, "2018Q2", "A");
  g_assert_true (bc_workbook_set_value (fixture->workbook, REPORT_ID, "level3", 0, "4", &error));

  /* Every pair of statuses. Without templates a report cannot be checked, so
   * the way to READY is refused with TEMPLATE and tested elsewhere. */
  for (BcStatus from = 0; from <= BC_STATUS_LAST; from++)
    for (BcStatus to = 0; to <= BC_STATUS_LAST; to++)
      {
        g_autoptr(BcReport) before = NULL;
        g_autoptr(BcReport) after = NULL;
        gboolean legal = bc_status_can_transition (from, to);
        gboolean ok;

        set_raw_status (fixture, bc_status_to_string (from));
        before = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
        g_assert_no_error (error);

        ok = bc_workbook_set_status (fixture->workbook, REPORT_ID, to, "Số liệu chưa khớp.", &error);
        after = bc_workbook_load_report (fixture->workbook, REPORT_ID, NULL);

        if (legal && to != BC_STATUS_READY)
          {
            g_assert_no_error (error);
            g_assert_true (ok);
            n_changes++;
            g_assert_cmpint (bc_report_get_status (after), ==, to);
            g_assert_cmpint (bc_report_get_submitted_at (after), ==,
                             to == BC_STATUS_QUEUED ? bc_report_get_updated_at (after) : 0);
            /* A decision keeps its own comment: an accepted report
             * never shows the comment of an earlier return. */
            g_assert_cmpstr (bc_report_get_review_comment (after), ==,
                             to == BC_STATUS_RETURNED || to == BC_STATUS_ACCEPTED
                             ? "Số liệu chưa khớp." : NULL);
            /* A status change is not an edit of the content. */
            g_assert_cmpint (bc_report_get_revision (after), ==, bc_report_get_revision (before));
          }
        else
          {
            g_assert_false (ok);
            if (legal)
              g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE);
            else
              {
                g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TRANSITION);
                g_assert_nonnull (strstr (error->message, bc_status_label (from)));
                g_assert_nonnull (strstr (error->message, bc_status_label (to)));
                /* An accepted report is final: reloading would not help. */
                if (from == BC_STATUS_ACCEPTED)
                  g_assert_null (strstr (error->message, "Reload"));
              }
            g_clear_error (&error);
            g_assert_cmpint (bc_report_get_status (after), ==, from);
            g_assert_cmpint (bc_report_get_updated_at (after), ==, bc_report_get_updated_at (before));
          }
      }

  g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM status_changes"), ==, n_changes);
  g_assert_cmpint (query_int (fixture->workbook,
                              "SELECT count(*) FROM status_changes WHERE from_status = 'sent' "
                              "AND to_status = 'returned' AND comment = 'Số liệu chưa khớp.'"), ==, 1);
  history = history_of (fixture->workbook, REPORT_ID);
  g_assert_cmpuint (history->len, ==, 1);
}

static void
test_submitted_once (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  gint64 submitted_at;

  create_report (fixture, REPORT_ID, "2018Q2", "A");
  set_raw_status (fixture, "ready");
  g_assert_true (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_QUEUED, NULL, &error));
  g_assert_true (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_SENT, NULL, &error));
  g_assert_true (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_RETURNED,
                                         "Thiếu số liệu mục 5.", &error));
  g_assert_no_error (error);
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  submitted_at = bc_report_get_submitted_at (report);
  g_assert_cmpint (submitted_at, >, 0);
  g_assert_cmpstr (bc_report_get_review_comment (report), ==, "Thiếu số liệu mục 5.");
  g_clear_object (&report);

  /* Back to draft keeps the reviewer's comment to work from. */
  g_assert_true (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_DRAFT, NULL, &error));
  g_assert_no_error (error);
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_cmpint (bc_report_get_status (report), ==, BC_STATUS_DRAFT);
  g_assert_cmpstr (bc_report_get_review_comment (report), ==, "Thiếu số liệu mục 5.");
  g_clear_object (&report);

  /* Queued again later: the first submission time stays. */
  g_assert_finalize_object (fixture->workbook);
  raw_exec (fixture->path, "UPDATE reports SET status = 'ready'");
  fixture->workbook = bc_workbook_open (fixture->path, NULL, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_true (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_QUEUED, NULL, &error));
  g_assert_no_error (error);
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_cmpint (bc_report_get_submitted_at (report), ==, submitted_at);
}

static void
test_read_only (Fixture       *fixture,
                gconstpointer  user_data)
{
  const BcStatus statuses[] = { BC_STATUS_READY, BC_STATUS_QUEUED, BC_STATUS_SENT,
                                BC_STATUS_ACCEPTED, BC_STATUS_RETURNED };
  g_autoptr(GError) error = NULL;
  gint64 row_id;

  create_report (fixture, REPORT_ID, "2018Q2", "A");
  row_id = bc_workbook_add_row (fixture->workbook, REPORT_ID, "findings", &error);
  g_assert_true (bc_workbook_add_row (fixture->workbook, REPORT_ID, "findings", &error) > 0);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      set_raw_status (fixture, bc_status_to_string (statuses[i]));

      g_assert_false (bc_workbook_set_value (fixture->workbook, REPORT_ID, "level3", 0, "1", &error));
      g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_READ_ONLY);
      g_assert_nonnull (strstr (error->message, "draft"));
      g_clear_error (&error);
      g_assert_cmpint (bc_workbook_add_row (fixture->workbook, REPORT_ID, "findings", &error), ==, 0);
      g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_READ_ONLY);
      g_clear_error (&error);
      g_assert_false (bc_workbook_add_row_with_id (fixture->workbook, REPORT_ID, "findings", 40, 0, &error));
      g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_READ_ONLY);
      g_clear_error (&error);
      g_assert_false (bc_workbook_remove_row (fixture->workbook, REPORT_ID, "findings", row_id, &error));
      g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_READ_ONLY);
      g_clear_error (&error);
      g_assert_false (bc_workbook_move_row (fixture->workbook, REPORT_ID, "findings", row_id, 1, &error));
      g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_READ_ONLY);
      g_clear_error (&error);
      g_assert_false (bc_workbook_set_justification (fixture->workbook, REPORT_ID, "rule", 0, "x", &error));
      g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_READ_ONLY);
      g_clear_error (&error);
      g_assert_false (bc_workbook_carry_over (fixture->workbook, REPORT_ID, &error));
      g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_READ_ONLY);
      g_clear_error (&error);

      g_assert_cmpint (revision_of (fixture->workbook, REPORT_ID), ==, 2);
    }
}

static void
test_no_templates (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  create_report (fixture, REPORT_ID, "2018Q2", "A");
  g_assert_false (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_READY, NULL, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE);
  g_clear_error (&error);
  g_assert_false (bc_workbook_carry_over (fixture->workbook, REPORT_ID, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE);
  g_clear_error (&error);
}

static void
test_closed (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  create_report (fixture, REPORT_ID, "2018Q2", "A");
  bc_workbook_close (fixture->workbook);
  bc_workbook_close (fixture->workbook);

  g_assert_false (bc_workbook_set_value (fixture->workbook, REPORT_ID, "level3", 0, "1", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_IO);
  g_clear_error (&error);
  g_assert_null (bc_workbook_list_reports (fixture->workbook, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_IO);
  g_clear_error (&error);
  g_assert_null (bc_workbook_get_setting (fixture->workbook, "unit"));
}

/* ------------------------------------------------------------------------ */
/* Async and threads                                                        */

typedef struct {
  GMainLoop    *loop;
  GAsyncResult *result;
} AsyncWait;

static void
async_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AsyncWait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

/* The worker thread drops its reference to a task just after the callback
 * is queued; wait for that so the workbook can be finalized afterwards. */
static void
release_result (GAsyncResult *result)
{
  gpointer alive = result;

  g_object_add_weak_pointer (G_OBJECT (result), &alive);
  g_object_unref (result);
  while (g_atomic_pointer_get (&alive) != NULL)
    g_usleep (1000);
}

static GAsyncResult *
wait_for (AsyncWait *wait)
{
  g_main_loop_run (wait->loop);
  g_assert_nonnull (wait->result);
  return g_steal_pointer (&wait->result);
}

static void
test_async (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-workbook-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "wb.baocao", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.baocao", NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  AsyncWait wait = { loop, NULL };
  BcWorkbook *workbook;
  BcReport *report;
  GPtrArray *list;
  GAsyncResult *result;
  char *value_copy;

  bc_workbook_open_async (missing, NULL, BC_WORKBOOK_OPEN_DEFAULT, NULL, async_done, &wait);
  result = wait_for (&wait);
  g_assert_null (bc_workbook_open_finish (result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  release_result (result);

  bc_workbook_open_async (path, NULL, BC_WORKBOOK_OPEN_CREATE, NULL, async_done, &wait);
  result = wait_for (&wait);
  workbook = bc_workbook_open_finish (result, &error);
  g_assert_no_error (error);
  release_result (result);

  bc_workbook_create_report_with_id (workbook, REPORT_ID, "egov-quarterly", "2018Q2", "A", &error);
  g_assert_no_error (error);

  /* The task owns copies of its arguments. */
  value_copy = g_strdup ("42");
  bc_workbook_set_value_async (workbook, REPORT_ID, "level3", 0, value_copy, NULL, async_done, &wait);
  memset (value_copy, 'x', 2);
  g_free (value_copy);
  result = wait_for (&wait);
  g_assert_true (bc_workbook_set_value_finish (workbook, result, &error));
  g_assert_no_error (error);
  release_result (result);

  bc_workbook_set_value_async (workbook, REPORT_ID, "findings.topic", 5, "x", NULL, async_done, &wait);
  result = wait_for (&wait);
  g_assert_false (bc_workbook_set_value_finish (workbook, result, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_clear_error (&error);
  release_result (result);

  bc_workbook_load_report_async (workbook, REPORT_ID, NULL, async_done, &wait);
  result = wait_for (&wait);
  report = bc_workbook_load_report_finish (workbook, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bc_report_get_value (report, "level3", 0), ==, "42");
  g_assert_finalize_object (report);
  release_result (result);

  bc_workbook_load_report_async (workbook, "00000000-0000-4000-8000-00000000dead", NULL, async_done, &wait);
  result = wait_for (&wait);
  g_assert_null (bc_workbook_load_report_finish (workbook, result, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_clear_error (&error);
  release_result (result);

  bc_workbook_list_reports_async (workbook, NULL, async_done, &wait);
  result = wait_for (&wait);
  list = bc_workbook_list_reports_finish (workbook, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_ptr_array_unref (list);
  release_result (result);

  g_assert_finalize_object (workbook);
  bc_test_remove_tree (dir);
}

#define N_THREADS 4
#define N_KEYS_PER_THREAD 5
#define N_SETS_PER_THREAD 100

typedef struct {
  BcWorkbook *workbook;
  guint       index;
} ThreadData;

static gpointer
writer_thread (gpointer user_data)
{
  ThreadData *data = user_data;

  for (guint i = 0; i < N_SETS_PER_THREAD; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *key = g_strdup_printf ("t%u_k%u", data->index, i % N_KEYS_PER_THREAD);
      g_autofree char *value = g_strdup_printf ("%u", i);

      if (!bc_workbook_set_value (data->workbook, REPORT_ID, key, 0, value, &error))
        g_error ("set_value from thread %u: %s", data->index, error->message);
    }

  return NULL;
}

static void
test_threads (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(GPtrArray) history = NULL;
  GThread *threads[N_THREADS];
  ThreadData data[N_THREADS];

  create_report (fixture, REPORT_ID, "2018Q2", "A");

  for (guint t = 0; t < N_THREADS; t++)
    {
      data[t].workbook = fixture->workbook;
      data[t].index = t;
      threads[t] = g_thread_new ("writer", writer_thread, &data[t]);
    }
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);

  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_no_error (error);
  /* Every change counted once, in one sequence. */
  g_assert_cmpint (bc_report_get_revision (report), ==, N_THREADS * N_SETS_PER_THREAD);
  for (guint t = 0; t < N_THREADS; t++)
    for (guint k = 0; k < N_KEYS_PER_THREAD; k++)
      {
        g_autofree char *key = g_strdup_printf ("t%u_k%u", t, k);
        g_autofree char *last = g_strdup_printf ("%u", N_SETS_PER_THREAD - N_KEYS_PER_THREAD + k);

        g_assert_cmpstr (bc_report_get_value (report, key, 0), ==, last);
      }

  history = history_of (fixture->workbook, REPORT_ID);
  g_assert_cmpuint (history->len, ==, N_THREADS * N_SETS_PER_THREAD);
  for (guint i = 0; i < history->len; i++)
    g_assert_cmpint (((BcEdit *) history->pdata[i])->revision, ==, i + 1);
}

static void
test_two_connections (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcWorkbook) second = NULL;
  g_autoptr(BcReport) report = NULL;

  /* The CLI and the app may have the same workbook open. */
  create_report (fixture, REPORT_ID, "2018Q2", "A");
  second = bc_workbook_open (fixture->path, NULL, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (bc_workbook_set_value (second, REPORT_ID, "level3", 0, "3", &error));
  g_assert_true (bc_workbook_set_value (fixture->workbook, REPORT_ID, "level4", 0, "4", &error));
  g_assert_no_error (error);

  report = bc_workbook_load_report (second, REPORT_ID, &error);
  g_assert_cmpstr (bc_report_get_value (report, "level3", 0), ==, "3");
  g_assert_cmpstr (bc_report_get_value (report, "level4", 0), ==, "4");
  g_assert_cmpint (bc_report_get_revision (report), ==, 2);
}

/* ------------------------------------------------------------------------ */
/* With templates                                                           */

/* The workbook's test templates named in `names` (NULL: all of them, and the
 * shipped ones too). */
static BcTemplateRegistry *
registry_new (const char * const *names)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "templates", "workbook", NULL);
  BcTemplateRegistry *templates = bc_template_registry_new ();

  if (names == NULL)
    {
      g_autofree char *shipped = g_test_build_filename (G_TEST_DIST, "..", "data", "templates", NULL);

      bc_template_registry_add_directory (templates, dir, &error);
      g_assert_no_error (error);
      bc_template_registry_add_directory (templates, shipped, &error);
      g_assert_no_error (error);
      return templates;
    }

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(BcTemplate) template_ = bc_template_new_from_file (file, &error);

      g_assert_no_error (error);
      bc_template_registry_add (templates, template_);
    }

  return templates;
}

static void
reopen_with (Fixture            *fixture,
             BcTemplateRegistry *templates)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&fixture->workbook);
  fixture->workbook = bc_workbook_open (fixture->path, templates, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (bc_workbook_get_templates (fixture->workbook) == templates);
}

static void
templates_set_up (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(BcTemplateRegistry) templates = registry_new (NULL);

  fixture_set_up (fixture, user_data);
  reopen_with (fixture, templates);
}

static void
set (Fixture    *fixture,
     const char *report_id,
     const char *key,
     gint64      row_id,
     const char *value)
{
  g_autoptr(GError) error = NULL;

  bc_workbook_set_value (fixture->workbook, report_id, key, row_id, value, &error);
  g_assert_no_error (error);
}

static void
test_templates_create (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autofree char *id = NULL;

  g_assert_null (bc_workbook_create_report (fixture->workbook, "no-such-form", "2018Q2", "A", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE);
  g_assert_nonnull (strstr (error->message, "no-such-form"));
  g_clear_error (&error);

  /* A quarterly form wants a quarter. */
  g_assert_null (bc_workbook_create_report (fixture->workbook, "wbtest", "2018", "A", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "quarter"));
  g_clear_error (&error);
  g_assert_false (bc_workbook_create_report_with_id (fixture->workbook, REPORT_ID, "wbtest", "2018",
                                                     "A", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID);
  g_clear_error (&error);

  /* New reports start on the newest version. */
  id = bc_workbook_create_report (fixture->workbook, "wbtest", "2018Q2", "A", &error);
  g_assert_no_error (error);
  report = bc_workbook_load_report (fixture->workbook, id, &error);
  g_assert_cmpint (bc_report_get_template_version (report), ==, 3);
  g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM reports"), ==, 1);
}

static void
test_templates_keys (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *inspection = NULL;
  gint64 row_id;

  create_report (fixture, REPORT_ID, "2018Q2", "A");
  g_assert_false (bc_workbook_set_value (fixture->workbook, REPORT_ID, "no_such_field", 0, "1", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no_such_field"));
  g_clear_error (&error);

  g_assert_true (bc_workbook_create_report_with_id (fixture->workbook, "00000000-0000-4000-8000-000000000001",
                                                    "wbtest", "2018Q2", "A", &error));
  g_assert_no_error (error);
  set (fixture, "00000000-0000-4000-8000-000000000001", "count", 0, "4");

  /* Keys are storage keys of fields of the report's version. */
  g_assert_false (bc_workbook_set_value (fixture->workbook, "00000000-0000-4000-8000-000000000001",
                                         "old_total", 0, "1", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (bc_workbook_set_value (fixture->workbook, "00000000-0000-4000-8000-000000000001",
                                         "main.count", 0, "1", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (bc_workbook_set_value (fixture->workbook, "00000000-0000-4000-8000-000000000001",
                                         "items", 0, "1", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (bc_workbook_add_row (fixture->workbook, "00000000-0000-4000-8000-000000000001",
                                        "count", &error), ==, 0);
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (bc_workbook_set_justification (fixture->workbook, "00000000-0000-4000-8000-000000000001",
                                                 "no_such_rule", 0, "x", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_clear_error (&error);
  row_id = bc_workbook_add_row (fixture->workbook, "00000000-0000-4000-8000-000000000001", "items", &error);
  g_assert_no_error (error);
  set (fixture, "00000000-0000-4000-8000-000000000001", "items.title", row_id, "Nâng cấp cổng");

  /* A computed field is never stored. */
  inspection = bc_workbook_create_report (fixture->workbook, "inspection-remediation", "2018Q2", "A", &error);
  g_assert_no_error (error);
  g_assert_false (bc_workbook_set_value (fixture->workbook, inspection, "findings_open", 0, "3", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_cmpint (revision_of (fixture->workbook, "00000000-0000-4000-8000-000000000001"), ==, 3);
}

static void
assert_not_ready (Fixture    *fixture,
                  const char *reason)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;

  g_assert_false (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_READY, NULL, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_READY);
  g_test_message ("not ready: %s", error->message);
  g_assert_nonnull (strstr (error->message, reason));
  g_clear_error (&error);
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bc_report_get_status (report), ==, BC_STATUS_DRAFT);
}

static void
test_templates_ready (Fixture       *fixture,
                      gconstpointer  user_data)
{
  const BcStatus path[] = { BC_STATUS_READY, BC_STATUS_QUEUED, BC_STATUS_SENT,
                            BC_STATUS_RETURNED, BC_STATUS_DRAFT, BC_STATUS_READY,
                            BC_STATUS_DRAFT, BC_STATUS_READY, BC_STATUS_QUEUED, BC_STATUS_DRAFT,
                            BC_STATUS_READY, BC_STATUS_QUEUED, BC_STATUS_SENT, BC_STATUS_ACCEPTED };
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;

  bc_workbook_create_report_with_id (fixture->workbook, REPORT_ID, "wbtest", "2018Q2", "A", &error);
  g_assert_no_error (error);

  /* A required field is blank; then an error; then an unjustified warning. */
  assert_not_ready (fixture, "name");
  set (fixture, REPORT_ID, "name", 0, "UBND huyện Sơn Tịnh");
  set (fixture, REPORT_ID, "count", 0, "5000");
  assert_not_ready (fixture, "1000");
  set (fixture, REPORT_ID, "count", 0, "0");
  assert_not_ready (fixture, "justification");
  g_assert_true (bc_workbook_set_justification (fixture->workbook, REPORT_ID, "count_positive", 0,
                                                "Chưa có số liệu trong quý.", &error));
  g_assert_no_error (error);

  /* Through the whole machine, with the template at hand. */
  for (guint i = 0; i < G_N_ELEMENTS (path); i++)
    {
      g_assert_true (bc_workbook_set_status (fixture->workbook, REPORT_ID, path[i],
                                             path[i] == BC_STATUS_RETURNED ? "Bổ sung số liệu." : NULL,
                                             &error));
      g_assert_no_error (error);
    }

  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_cmpint (bc_report_get_status (report), ==, BC_STATUS_ACCEPTED);
  g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM status_changes"), ==, G_N_ELEMENTS (path));
  g_assert_false (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_DRAFT, NULL, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TRANSITION);
}

static gint64
add_finding (Fixture    *fixture,
             const char *report_id,
             const char *unit,
             const char *finding,
             const char *status)
{
  g_autoptr(GError) error = NULL;
  gint64 row_id = bc_workbook_add_row (fixture->workbook, report_id, "findings", &error);

  g_assert_no_error (error);
  set (fixture, report_id, "findings.unit", row_id, unit);
  set (fixture, report_id, "findings.topic", row_id, "portal_content");
  set (fixture, report_id, "findings.finding", row_id, finding);
  set (fixture, report_id, "findings.status", row_id, status);
  return row_id;
}

static void
test_templates_carry_forward (Fixture       *fixture,
                              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) next = NULL;
  g_autoptr(BcReport) other = NULL;
  g_autoptr(BcReport) first = NULL;
  g_autofree char *q1 = NULL;
  g_autofree char *q1_other = NULL;
  g_autofree char *q2 = NULL;
  g_autofree char *q2_other = NULL;
  gint64 in_progress, not_started, next_row;

  q1 = bc_workbook_create_report (fixture->workbook, "inspection-remediation", "2018Q1", "UBND-QNG", &error);
  g_assert_no_error (error);
  in_progress = add_finding (fixture, q1, "Văn phòng UBND tỉnh", "Hộp thư công vụ trùng lặp.", "in_progress");
  set (fixture, q1, "findings.figure_done", in_progress, "4500");
  set (fixture, q1, "findings.figure_total", in_progress, "7800");
  add_finding (fixture, q1, "Sở TT&TT", "Thiếu chuyên mục.", "resolved");
  not_started = add_finding (fixture, q1, "UBND huyện Lý Sơn", "Chưa có quy hoạch chất thải.", "not_started");
  /* Carried in the order of the rows, not of their ids. */
  g_assert_true (bc_workbook_move_row (fixture->workbook, q1, "findings", not_started, 0, &error));
  g_assert_no_error (error);

  q1_other = bc_workbook_create_report (fixture->workbook, "inspection-remediation", "2018Q1", "UBND-KHA", &error);
  add_finding (fixture, q1_other, "Sở Nội vụ", "Chưa xong.", "in_progress");
  g_assert_no_error (error);

  q2 = bc_workbook_create_report (fixture->workbook, "inspection-remediation", "2018Q2", "UBND-QNG", &error);
  g_assert_no_error (error);
  next = bc_workbook_load_report (fixture->workbook, q2, &error);
  g_assert_no_error (error);

  /* The two unresolved findings, with all their cells, under new row ids. */
  g_assert_cmpuint (bc_report_get_n_rows (next, "findings"), ==, 2);
  next_row = bc_report_get_row_id (next, "findings", 0);
  g_assert_cmpstr (bc_report_get_value (next, "findings.finding", next_row), ==, "Chưa có quy hoạch chất thải.");
  g_assert_cmpstr (bc_report_get_value (next, "findings.status", next_row), ==, "not_started");
  next_row = bc_report_get_row_id (next, "findings", 1);
  g_assert_cmpstr (bc_report_get_value (next, "findings.unit", next_row), ==, "Văn phòng UBND tỉnh");
  g_assert_cmpstr (bc_report_get_value (next, "findings.topic", next_row), ==, "portal_content");
  g_assert_cmpstr (bc_report_get_value (next, "findings.figure_done", next_row), ==, "4500");
  g_assert_cmpstr (bc_report_get_value (next, "findings.figure_total", next_row), ==, "7800");
  g_assert_cmpstr (bc_report_get_value (next, "findings.status", next_row), ==, "in_progress");
  g_assert_cmpint (bc_report_get_revision (next), ==, 0);

  /* New rows of the new report get ids after the carried ones. */
  g_assert_cmpint (bc_workbook_add_row (fixture->workbook, q2, "findings", &error), ==, 3);

  /* The other unit's findings stay with it. */
  q2_other = bc_workbook_create_report (fixture->workbook, "inspection-remediation", "2018Q2", "UBND-KHA", &error);
  other = bc_workbook_load_report (fixture->workbook, q2_other, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bc_report_get_n_rows (other, "findings"), ==, 1);

  /* And the previous report is unchanged. */
  first = bc_workbook_load_report (fixture->workbook, q1, &error);
  g_assert_cmpuint (bc_report_get_n_rows (first, "findings"), ==, 3);
  g_assert_cmpint (bc_report_get_row_id (first, "findings", 1), ==, in_progress);
}

static void
test_templates_carry_over (Fixture       *fixture,
                           gconstpointer  user_data)
{
  const char *v1_only[] = { "wbtest-v1.json", NULL };
  g_autoptr(BcTemplateRegistry) old_templates = registry_new (v1_only);
  g_autoptr(BcTemplateRegistry) templates = registry_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(BcReport) next = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autofree char *next_id = NULL;
  gint64 rows[2];
  gint64 revision;

  /* A draft begun when only version 1 was installed. */
  reopen_with (fixture, old_templates);
  bc_workbook_create_report_with_id (fixture->workbook, REPORT_ID, "wbtest", "2018Q2", "A", &error);
  g_assert_no_error (error);
  set (fixture, REPORT_ID, "name", 0, "UBND xã Tịnh Kỳ");
  set (fixture, REPORT_ID, "old_total", 0, "7");
  set (fixture, REPORT_ID, "obsolete", 0, "bỏ đi");
  for (guint i = 0; i < 2; i++)
    {
      rows[i] = bc_workbook_add_row (fixture->workbook, REPORT_ID, "items", &error);
      g_assert_no_error (error);
      set (fixture, REPORT_ID, "items.label", rows[i], i == 0 ? "Việc một" : "Việc hai");
    }
  set (fixture, REPORT_ID, "items.done", rows[1], "yes");
  revision = revision_of (fixture->workbook, REPORT_ID);

  /* Versions 2 and 3 arrive: the draft keeps working on version 1. */
  reopen_with (fixture, templates);
  set (fixture, REPORT_ID, "old_total", 0, "8");
  revision++;

  /* Its next quarter starts on version 3, and the unfinished item is
   * carried under its new key. */
  next_id = bc_workbook_create_report (fixture->workbook, "wbtest", "2018Q3", "A", &error);
  g_assert_no_error (error);
  next = bc_workbook_load_report (fixture->workbook, next_id, &error);
  g_assert_cmpuint (bc_report_get_n_rows (next, "items"), ==, 1);
  g_assert_cmpstr (bc_report_get_value (next, "items.title", bc_report_get_row_id (next, "items", 0)), ==,
                   "Việc một");
  g_assert_null (bc_report_get_value (next, "items.label", bc_report_get_row_id (next, "items", 0)));

  /* Version 3 removed "obsolete": its value is not let go unasked, and
   * nothing changes (issue 8). */
  {
    const char * const drop[] = { "obsolete", NULL };
    g_auto(GStrv) losses = bc_workbook_carry_over_losses (fixture->workbook, REPORT_ID, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_strv_length (losses), ==, 1);
    g_assert_cmpstr (losses[0], ==, "obsolete");
    g_assert_false (bc_workbook_carry_over (fixture->workbook, REPORT_ID, &error));
    g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_WOULD_LOSE);
    g_assert_nonnull (strstr (error->message, "obsolete"));
    g_clear_error (&error);
    g_assert_cmpint (revision_of (fixture->workbook, REPORT_ID), ==, revision);

    g_assert_true (bc_workbook_carry_over_dropping (fixture->workbook, REPORT_ID, drop, &error));
    g_assert_no_error (error);
  }
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_cmpint (bc_report_get_template_version (report), ==, 3);
  g_assert_cmpint (bc_report_get_revision (report), ==, revision + 1);
  g_assert_cmpstr (bc_report_get_value (report, "name", 0), ==, "UBND xã Tịnh Kỳ");
  g_assert_cmpstr (bc_report_get_value (report, "total", 0), ==, "8");
  g_assert_null (bc_report_get_value (report, "old_total", 0));
  g_assert_null (bc_report_get_value (report, "obsolete", 0));
  g_assert_cmpstr (bc_report_get_value (report, "region", 0), ==, "north");
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpstr (bc_report_get_value (report, "items.title", rows[i]), ==, i == 0 ? "Việc một" : "Việc hai");
      g_assert_null (bc_report_get_value (report, "items.label", rows[i]));
      g_assert_cmpstr (bc_report_get_value (report, "items.priority", rows[i]), ==, "normal");
    }
  g_assert_cmpstr (bc_report_get_value (report, "items.done", rows[1]), ==, "yes");
  g_clear_object (&report);

  /* Recorded as edits of one revision. */
  history = history_of (fixture->workbook, REPORT_ID);
  {
    guint n_carry = 0;
    gboolean renamed = FALSE;

    for (guint i = 0; i < history->len; i++)
      {
        const BcEdit *edit = g_ptr_array_index (history, i);

        if (edit->revision != revision + 1)
          continue;
        n_carry++;
        if (g_str_equal (edit->key, "total") && g_strcmp0 (edit->new_value, "8") == 0)
          renamed = TRUE;
      }
    /* old_total, total, 2 × label, 2 × title, obsolete, region, 2 × priority */
    g_assert_cmpuint (n_carry, ==, 10);
    g_assert_true (renamed);
  }

  /* Already on the newest: nothing happens. Edits use the new keys now. */
  g_assert_true (bc_workbook_carry_over (fixture->workbook, REPORT_ID, &error));
  g_assert_cmpint (revision_of (fixture->workbook, REPORT_ID), ==, revision + 1);
  set (fixture, REPORT_ID, "region", 0, "south");
  g_assert_false (bc_workbook_set_value (fixture->workbook, REPORT_ID, "old_total", 0, "1", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
}

/* ------------------------------------------------------------------------ */
/* Regressions                                                              */

/* "UBND Quảng Ngãi", composed (NFC) and decomposed (NFD). */
#define UNIT_NFC "UBND Qu\xe1\xba\xa3ng Ng\xc3\xa3i"
#define UNIT_NFD "UBND Qua\xcc\x89ng Nga\xcc\x83i"
#define NOT_UTF8 "Hu\xff\xfe"

static void
test_unit_normalized (Fixture       *fixture,
                      gconstpointer  user_data)
{
  const char *refused[] = { "Huyện\nA", "Huyện\tA", "A\x01" "B", "Huyện A\x7f", "\xc2\xa0 \t", NOT_UTF8 };
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(BcReport) previous = NULL;
  g_autofree char *found = NULL;
  g_autofree char *trimmed = NULL;

  g_assert_false (g_str_equal (UNIT_NFC, UNIT_NFD));

  /* Stored composed, found by either spelling, and one unit for duplicates. */
  create_report (fixture, "00000000-0000-4000-8000-000000000001", "2018Q1", UNIT_NFD);
  g_assert_cmpint (query_int (fixture->workbook,
                              "SELECT count(*) FROM reports WHERE unit = '" UNIT_NFC "'"), ==, 1);
  found = bc_workbook_find_report (fixture->workbook, "egov-quarterly", "2018Q1", UNIT_NFC, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, "00000000-0000-4000-8000-000000000001");
  g_clear_pointer (&found, g_free);
  found = bc_workbook_find_report (fixture->workbook, "egov-quarterly", "2018Q1", " " UNIT_NFD "\n", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, "00000000-0000-4000-8000-000000000001");
  g_assert_false (bc_workbook_create_report_with_id (fixture->workbook, REPORT_ID, "egov-quarterly",
                                                     "2018Q1", UNIT_NFC, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_EXISTS);
  g_clear_error (&error);

  /* The next quarter, spelt the other way, finds its previous report. */
  create_report (fixture, REPORT_ID, "2018Q2", UNIT_NFC);
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_no_error (error);
  previous = bc_workbook_load_previous (fixture->workbook, report, &error);
  g_assert_no_error (error);
  g_assert_nonnull (previous);
  g_assert_cmpstr (bc_report_get_id (previous), ==, "00000000-0000-4000-8000-000000000001");

  /* Any white space around it goes, a no-break space too. */
  trimmed = bc_workbook_create_report (fixture->workbook, "egov-quarterly", "2018Q3",
                                       "\xc2\xa0\tHuyện A\xc2\xa0", &error);
  g_assert_no_error (error);
  g_clear_object (&report);
  report = bc_workbook_load_report (fixture->workbook, trimmed, &error);
  g_assert_cmpstr (bc_report_get_unit (report), ==, "Huyện A");

  /* Control characters inside, nothing but white space, broken text. */
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_assert_null (bc_workbook_create_report (fixture->workbook, "egov-quarterly", "2018Q4",
                                                refused[i], &error));
      g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID);
      g_test_message ("%s", error->message);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_clear_error (&error);
    }
  g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM reports"), ==, 3);
}

static void
test_invalid_text (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autofree char *setting = NULL;
  gint64 row_id;

#define ASSERT_INVALID(call) \
  G_STMT_START { \
    g_assert_false (call); \
    g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID); \
    g_assert_true (g_utf8_validate (error->message, -1, NULL)); \
    g_clear_error (&error); \
  } G_STMT_END

  create_report (fixture, REPORT_ID, "2018Q2", "A");
  row_id = bc_workbook_add_row (fixture->workbook, REPORT_ID, "findings", &error);
  g_assert_no_error (error);

  /* Text that is not UTF-8, from a file or a keyboard, is an error, not a
   * critical (which G_DEBUG=fatal-warnings would make fatal). */
  ASSERT_INVALID (bc_workbook_set_value (fixture->workbook, REPORT_ID, "level3", 0, NOT_UTF8, &error));
  ASSERT_INVALID (bc_workbook_set_value (fixture->workbook, REPORT_ID, NOT_UTF8, 0, "1", &error));
  ASSERT_INVALID (bc_workbook_set_value (fixture->workbook, NOT_UTF8, "level3", 0, "1", &error));
  ASSERT_INVALID (bc_workbook_set_justification (fixture->workbook, REPORT_ID, "rule", 0, NOT_UTF8, &error));
  ASSERT_INVALID (bc_workbook_set_justification (fixture->workbook, REPORT_ID, NOT_UTF8, 0, "x", &error));
  ASSERT_INVALID (bc_workbook_set_setting (fixture->workbook, "unit", NOT_UTF8, &error));
  ASSERT_INVALID (bc_workbook_set_setting (fixture->workbook, NOT_UTF8, "x", &error));
  ASSERT_INVALID (bc_workbook_create_report_with_id (fixture->workbook, NOT_UTF8, "egov-quarterly",
                                                     "2018Q3", "A", &error));
  ASSERT_INVALID (bc_workbook_create_report_with_id (fixture->workbook, "00000000-0000-4000-8000-000000000001",
                                                     NOT_UTF8, "2018Q3", "A", &error));
  ASSERT_INVALID (bc_workbook_create_report_with_id (fixture->workbook, "00000000-0000-4000-8000-000000000001",
                                                     "egov-quarterly", NOT_UTF8, "A", &error));
  ASSERT_INVALID (bc_workbook_import_report (fixture->workbook, "00000000-0000-4000-8000-000000000001",
                                             "egov-quarterly", 1, "2018Q3", NOT_UTF8, &error));
  ASSERT_INVALID (bc_workbook_find_report (fixture->workbook, "egov-quarterly", "2018Q2", NOT_UTF8, &error) != NULL);
  ASSERT_INVALID (bc_workbook_find_report (fixture->workbook, NOT_UTF8, "2018Q2", "A", &error) != NULL);
  ASSERT_INVALID (bc_workbook_find_report (fixture->workbook, "egov-quarterly", NOT_UTF8, "A", &error) != NULL);
  ASSERT_INVALID (bc_workbook_load_report (fixture->workbook, NOT_UTF8, &error) != NULL);
  ASSERT_INVALID (bc_workbook_get_history (fixture->workbook, NOT_UTF8, &error) != NULL);
  ASSERT_INVALID (bc_workbook_add_row (fixture->workbook, REPORT_ID, NOT_UTF8, &error) != 0);
  ASSERT_INVALID (bc_workbook_remove_row (fixture->workbook, REPORT_ID, NOT_UTF8, row_id, &error));
  ASSERT_INVALID (bc_workbook_move_row (fixture->workbook, NOT_UTF8, "findings", row_id, 0, &error));
  ASSERT_INVALID (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_READY, NOT_UTF8, &error));
  ASSERT_INVALID (bc_workbook_carry_over (fixture->workbook, NOT_UTF8, &error));
  ASSERT_INVALID (bc_workbook_delete_report (fixture->workbook, NOT_UTF8, &error));
  g_assert_null (bc_workbook_get_setting (fixture->workbook, NOT_UTF8));

#undef ASSERT_INVALID

  /* A row id below 0 is no row, not a critical either. */
  g_assert_false (bc_workbook_set_value (fixture->workbook, REPORT_ID, "findings.topic", -1, "x", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (bc_workbook_set_justification (fixture->workbook, REPORT_ID, "rule", -1, "x", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Nothing of it was stored. */
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bc_report_get_revision (report), ==, 1);
  g_assert_cmpint (bc_report_get_status (report), ==, BC_STATUS_DRAFT);
  setting = bc_workbook_get_setting (fixture->workbook, "unit");
  g_assert_null (setting);
  g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM reports"), ==, 1);
}

static void
test_delete_drafts_only (Fixture       *fixture,
                         gconstpointer  user_data)
{
  const BcStatus statuses[] = { BC_STATUS_READY, BC_STATUS_QUEUED, BC_STATUS_SENT,
                                BC_STATUS_ACCEPTED, BC_STATUS_RETURNED };
  g_autoptr(GError) error = NULL;

  create_report (fixture, REPORT_ID, "2018Q2", "A");
  set (fixture, REPORT_ID, "level3", 0, "12");

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      set_raw_status (fixture, bc_status_to_string (statuses[i]));
      g_assert_false (bc_workbook_delete_report (fixture->workbook, REPORT_ID, &error));
      g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_READ_ONLY);
      g_assert_nonnull (strstr (error->message, bc_status_label (statuses[i])));
      g_assert_nonnull (strstr (error->message, "record"));
      g_clear_error (&error);
      g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM report_values"), ==, 1);
    }

  /* Undoing a failed import takes it out whatever its status. */
  g_assert_true (_bc_workbook_discard_report (fixture->workbook, REPORT_ID, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM reports"), ==, 0);
  g_assert_false (_bc_workbook_discard_report (fixture->workbook, REPORT_ID, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A draft goes. */
  create_report (fixture, REPORT_ID, "2018Q2", "A");
  g_assert_true (bc_workbook_delete_report (fixture->workbook, REPORT_ID, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM reports"), ==, 0);
}

static void
test_open_not_regular (void)
{
#ifdef G_OS_UNIX
  const BcWorkbookOpenFlags flags[] = { BC_WORKBOOK_OPEN_DEFAULT, BC_WORKBOOK_OPEN_CREATE };

  if (!g_file_test ("/dev/null", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no /dev/null here");
      return;
    }

  /* /dev/null reads as an empty file, which would pass for a new database. */
  for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
    {
      g_autoptr(GError) error = NULL;
      BcWorkbook *workbook = bc_workbook_open ("/dev/null", NULL, flags[i], &error);

      g_assert_null (workbook);
      g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_A_WORKBOOK);
      g_assert_nonnull (strstr (error->message, "/dev/null"));
      g_assert_nonnull (strstr (error->message, "ordinary file"));
    }
  g_assert_false (g_file_test ("/dev/null-wal", G_FILE_TEST_EXISTS));
#else
  g_test_skip ("needs /dev/null");
#endif
}

static void
test_read_only_messages (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *ignored = NULL;

  create_report (fixture, REPORT_ID, "2018Q2", "A");

  /* A connection that may not write: the message says why, not "disk full". */
  ignored = query (fixture->workbook, "PRAGMA query_only=1");
  g_assert_false (bc_workbook_set_value (fixture->workbook, REPORT_ID, "level3", 0, "1", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_IO);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "read-only"));
  g_assert_null (strstr (error->message, "disk is not full"));
  g_clear_error (&error);
  /* Reading still works. */
  list = bc_workbook_list_reports (fixture->workbook, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
}

/* The test binary, for running one of its tests again as another user. */
static char *test_program;

/* A workbook in a folder this user may not write to: opening it says
 * "read-only", not "disk full". Must run as a user that folder permissions
 * bind (not root). */
static void
check_read_only_folder (const char *parent)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *dir = g_build_filename (parent, "folder", NULL);
  g_autofree char *path = g_build_filename (dir, "wb.baocao", NULL);
  g_autofree char *probe = g_build_filename (dir, "probe", NULL);
  BcWorkbook *workbook;

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  workbook = bc_workbook_open (path, NULL, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);
  bc_workbook_create_report_with_id (workbook, REPORT_ID, "egov-quarterly", "2018Q2", "A", &error);
  g_assert_no_error (error);
  g_assert_finalize_object (workbook);

  g_assert_cmpint (g_chmod (dir, 0555), ==, 0);
  if (g_file_set_contents (probe, "", 0, NULL))
    {
      g_remove (probe);
      g_chmod (dir, 0700);
      g_test_fail_printf ("this user may write into a read-only folder: run the test as an "
                          "unprivileged user");
      return;
    }

  workbook = bc_workbook_open (path, NULL, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_chmod (dir, 0700);
  if (workbook != NULL)
    {
      /* Should SQLite ever read it without writing, listing must work. */
      g_test_message ("SQLite opened the workbook in a read-only folder");
      list = bc_workbook_list_reports (workbook, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (list->len, ==, 1);
      g_assert_finalize_object (workbook);
      return;
    }
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_IO);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "read-only"));
  g_assert_null (strstr (error->message, "disk is not full"));
}

/* Root, as CI runs, may write anywhere: there the test runs itself again
 * as "nobody" (uid 65534) through setpriv, so that it is really run rather
 * than skipped. */
static void
test_read_only_folder (void)
{
#ifdef G_OS_UNIX
  const char *unprivileged_dir = g_getenv ("BAOCAO_TEST_UNPRIVILEGED_DIR");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *setpriv = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *bin_dir = NULL;
  g_autofree char *program = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (unprivileged_dir != NULL)
    {
      g_assert_cmpint (geteuid (), !=, 0);
      check_read_only_folder (unprivileged_dir);
      return;
    }

  dir = g_dir_make_tmp ("test-workbook-XXXXXX", &error);
  g_assert_no_error (error);

  if (geteuid () != 0)
    {
      check_read_only_folder (dir);
      bc_test_remove_tree (dir);
      return;
    }

  setpriv = g_find_program_in_path ("setpriv");
  if (setpriv == NULL)
    {
      bc_test_remove_tree (dir);
      g_test_fail_printf ("running as root, and setpriv (util-linux) is missing to run this "
                          "test as an unprivileged user");
      return;
    }

  /* The folder is nobody's. The build tree may be in a home folder that
   * nobody cannot enter, so nobody runs a copy of this program. */
  g_assert_cmpint (chown (dir, 65534, 65534), ==, 0);
  bin_dir = g_dir_make_tmp ("test-workbook-bin-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (bin_dir, 0755), ==, 0);
  program = g_build_filename (bin_dir, "test-workbook", NULL);
  {
    g_autoptr(GFile) from = g_file_new_for_path (test_program);
    g_autoptr(GFile) to = g_file_new_for_path (program);

    g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (g_chmod (program, 0755), ==, 0);
  }
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "BAOCAO_TEST_UNPRIVILEGED_DIR", dir, TRUE);
  g_subprocess_launcher_set_cwd (launcher, dir);
  child = g_subprocess_launcher_spawn (launcher, &error, setpriv, "--reuid=65534", "--regid=65534",
                                       "--clear-groups", "--", program, "--tap",
                                       "-p", "/core/workbook/read-only-folder", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (child, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("as uid 65534:\n%s%s", out, err);
  bc_test_remove_tree (dir);
  bc_test_remove_tree (bin_dir);

  g_assert_true (g_subprocess_get_if_exited (child));
  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 0);
  /* Run and passed: not skipped, not missing. */
  g_assert_nonnull (strstr (out, "ok 1 /core/workbook/read-only-folder"));
  g_assert_null (strstr (out, "not ok"));
  g_assert_null (strstr (out, "# SKIP"));
#else
  g_test_skip ("folder permissions are POSIX modes; Windows has ACLs");
#endif
}

/* ------------------------------------------------------------------------ */
/* Regressions with templates                                               */

/* A form with findings whose status column was renamed in version 2, and a
 * list of tasks carried while work remains (a number). */
static const char cftest_v1[] =
  "{ \"format\": 1, \"id\": \"cftest\", \"version\": 1, \"period_type\": \"quarter\","
  "  \"title\": { \"vi\": \"Kiểm thử\", \"en\": \"Test\" },"
  "  \"sections\": [ { \"id\": \"main\", \"title\": { \"vi\": \"Chung\" }, \"fields\": ["
  "    { \"id\": \"findings\", \"type\": \"table\", \"label\": { \"vi\": \"Tồn tại\" },"
  "      \"carry_forward_if\": \"state != \\\"resolved\\\"\","
  "      \"columns\": ["
  "        { \"id\": \"topic\", \"type\": \"text\", \"label\": { \"vi\": \"Nội dung\" } },"
  "        { \"id\": \"state\", \"type\": \"text\", \"label\": { \"vi\": \"Tình trạng\" } } ] },"
  "    { \"id\": \"tasks\", \"type\": \"table\", \"label\": { \"vi\": \"Việc\" },"
  "      \"carry_forward_if\": \"remaining\","
  "      \"columns\": ["
  "        { \"id\": \"name\", \"type\": \"text\", \"label\": { \"vi\": \"Tên\" } },"
  "        { \"id\": \"remaining\", \"type\": \"integer\", \"label\": { \"vi\": \"Còn lại\" } } ] }"
  "  ] } ] }";
static const char cftest_v2[] =
  "{ \"format\": 1, \"id\": \"cftest\", \"version\": 2, \"period_type\": \"quarter\","
  "  \"title\": { \"vi\": \"Kiểm thử\", \"en\": \"Test\" },"
  "  \"sections\": [ { \"id\": \"main\", \"title\": { \"vi\": \"Chung\" }, \"fields\": ["
  "    { \"id\": \"findings\", \"type\": \"table\", \"label\": { \"vi\": \"Tồn tại\" },"
  "      \"carry_forward_if\": \"status != \\\"resolved\\\"\","
  "      \"columns\": ["
  "        { \"id\": \"topic\", \"type\": \"text\", \"label\": { \"vi\": \"Nội dung\" } },"
  "        { \"id\": \"status\", \"type\": \"text\", \"label\": { \"vi\": \"Tình trạng\" } } ] },"
  "    { \"id\": \"tasks\", \"type\": \"table\", \"label\": { \"vi\": \"Việc\" },"
  "      \"carry_forward_if\": \"remaining\","
  "      \"columns\": ["
  "        { \"id\": \"name\", \"type\": \"text\", \"label\": { \"vi\": \"Tên\" } },"
  "        { \"id\": \"remaining\", \"type\": \"integer\", \"label\": { \"vi\": \"Còn lại\" } } ] }"
  "  ] } ],"
  "  \"migrations\": [ { \"from_version\": 1,"
  "    \"renamed\": { \"findings.state\": \"findings.status\" } } ] }";

/* Version 2 swaps a and b, and the columns x and y; c is kept. */
static const char swaptest_v1[] =
  "{ \"format\": 1, \"id\": \"swaptest\", \"version\": 1, \"period_type\": \"quarter\","
  "  \"title\": { \"vi\": \"Kiểm thử\", \"en\": \"Test\" },"
  "  \"sections\": [ { \"id\": \"main\", \"title\": { \"vi\": \"Chung\" }, \"fields\": ["
  "    { \"id\": \"a\", \"type\": \"text\", \"label\": { \"vi\": \"A\" } },"
  "    { \"id\": \"b\", \"type\": \"text\", \"label\": { \"vi\": \"B\" } },"
  "    { \"id\": \"c\", \"type\": \"text\", \"label\": { \"vi\": \"C\" } },"
  "    { \"id\": \"items\", \"type\": \"table\", \"label\": { \"vi\": \"Dòng\" },"
  "      \"columns\": ["
  "        { \"id\": \"x\", \"type\": \"text\", \"label\": { \"vi\": \"X\" } },"
  "        { \"id\": \"y\", \"type\": \"text\", \"label\": { \"vi\": \"Y\" } } ] }"
  "  ] } ] }";
static const char swaptest_v2[] =
  "{ \"format\": 1, \"id\": \"swaptest\", \"version\": 2, \"period_type\": \"quarter\","
  "  \"title\": { \"vi\": \"Kiểm thử\", \"en\": \"Test\" },"
  "  \"sections\": [ { \"id\": \"main\", \"title\": { \"vi\": \"Chung\" }, \"fields\": ["
  "    { \"id\": \"a\", \"type\": \"text\", \"label\": { \"vi\": \"A\" } },"
  "    { \"id\": \"b\", \"type\": \"text\", \"label\": { \"vi\": \"B\" } },"
  "    { \"id\": \"c\", \"type\": \"text\", \"label\": { \"vi\": \"C\" } },"
  "    { \"id\": \"items\", \"type\": \"table\", \"label\": { \"vi\": \"Dòng\" },"
  "      \"columns\": ["
  "        { \"id\": \"x\", \"type\": \"text\", \"label\": { \"vi\": \"X\" } },"
  "        { \"id\": \"y\", \"type\": \"text\", \"label\": { \"vi\": \"Y\" } } ] }"
  "  ] } ],"
  "  \"migrations\": [ { \"from_version\": 1,"
  "    \"renamed\": { \"a\": \"b\", \"b\": \"a\", \"items.x\": \"items.y\", \"items.y\": \"items.x\" } } ] }";
/* Version 2 renames a to c, though version 1 has a c of its own. */
static const char ontotest_v2[] =
  "{ \"format\": 1, \"id\": \"swaptest\", \"version\": 2, \"period_type\": \"quarter\","
  "  \"title\": { \"vi\": \"Kiểm thử\", \"en\": \"Test\" },"
  "  \"sections\": [ { \"id\": \"main\", \"title\": { \"vi\": \"Chung\" }, \"fields\": ["
  "    { \"id\": \"b\", \"type\": \"text\", \"label\": { \"vi\": \"B\" } },"
  "    { \"id\": \"c\", \"type\": \"text\", \"label\": { \"vi\": \"C\" } },"
  "    { \"id\": \"items\", \"type\": \"table\", \"label\": { \"vi\": \"Dòng\" },"
  "      \"columns\": ["
  "        { \"id\": \"x\", \"type\": \"text\", \"label\": { \"vi\": \"X\" } },"
  "        { \"id\": \"y\", \"type\": \"text\", \"label\": { \"vi\": \"Y\" } } ] }"
  "  ] } ],"
  "  \"migrations\": [ { \"from_version\": 1, \"renamed\": { \"a\": \"c\" } } ] }";

static BcTemplate *
template_from_data (const char *data)
{
  g_autoptr(GError) error = NULL;
  BcTemplate *template_ = bc_template_new_from_data (data, -1, "inline.json", &error);

  g_assert_no_error (error);
  return template_;
}

/* A registry of the given inline templates (NULL-terminated). */
static BcTemplateRegistry *
registry_from_data (const char *first,
                    ...)
{
  BcTemplateRegistry *templates = bc_template_registry_new ();
  va_list args;

  va_start (args, first);
  for (const char *data = first; data != NULL; data = va_arg (args, const char *))
    {
      g_autoptr(BcTemplate) template_ = template_from_data (data);

      bc_template_registry_add (templates, template_);
    }
  va_end (args);

  return templates;
}

static gint64
add_cftest_finding (Fixture    *fixture,
                    const char *report_id,
                    const char *state_key,
                    const char *topic,
                    const char *state)
{
  g_autoptr(GError) error = NULL;
  gint64 row_id = bc_workbook_add_row (fixture->workbook, report_id, "findings", &error);

  g_assert_no_error (error);
  set (fixture, report_id, "findings.topic", row_id, topic);
  if (state != NULL)
    set (fixture, report_id, state_key, row_id, state);
  return row_id;
}

/* The carried rows of `table` as "cell|cell" strings, in order. */
static char *
carried_rows (Fixture    *fixture,
              const char *report_id,
              const char *table,
              const char *first_column,
              const char *second_column)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = bc_workbook_load_report (fixture->workbook, report_id, &error);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *first = g_strconcat (table, ".", first_column, NULL);
  g_autofree char *second = g_strconcat (table, ".", second_column, NULL);

  g_assert_no_error (error);
  for (guint row = 0; row < bc_report_get_n_rows (report, table); row++)
    {
      gint64 row_id = bc_report_get_row_id (report, table, row);
      const char *a = bc_report_get_value (report, first, row_id);
      const char *b = bc_report_get_value (report, second, row_id);

      g_string_append_printf (text, "%s%s|%s", row > 0 ? ", " : "", a != NULL ? a : "-",
                              b != NULL ? b : "-");
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
test_carry_forward_renamed (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(BcTemplateRegistry) v1 = registry_from_data (cftest_v1, NULL);
  g_autoptr(BcTemplateRegistry) both = registry_from_data (cftest_v1, cftest_v2, NULL);
  g_autoptr(BcTemplateRegistry) v2_only = registry_from_data (cftest_v2, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *q1 = NULL;
  g_autofree char *q2 = NULL;
  g_autofree char *q2_other = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *other_rows = NULL;

  /* Last quarter's report, on version 1. */
  reopen_with (fixture, v1);
  q1 = bc_workbook_create_report (fixture->workbook, "cftest", "2018Q1", "A", &error);
  g_assert_no_error (error);
  add_cftest_finding (fixture, q1, "findings.state", "Cổng thông tin", "resolved");
  add_cftest_finding (fixture, q1, "findings.state", "Hộp thư công vụ", "open");
  add_cftest_finding (fixture, q1, "findings.state", "Lưu trữ", NULL);
  g_clear_pointer (&q1, g_free);
  q1 = bc_workbook_create_report (fixture->workbook, "cftest", "2018Q1", "B", &error);
  g_assert_no_error (error);
  add_cftest_finding (fixture, q1, "findings.state", "Cổng thông tin", "resolved");
  add_cftest_finding (fixture, q1, "findings.state", "Hộp thư công vụ", "open");

  /* This quarter's starts on version 2, which calls the column "status":
   * the old report is read with its own version's condition, and the rows
   * land under the new key. A blank status is not "resolved": carried. */
  reopen_with (fixture, both);
  q2 = bc_workbook_create_report (fixture->workbook, "cftest", "2018Q2", "A", &error);
  g_assert_no_error (error);
  rows = carried_rows (fixture, q2, "findings", "topic", "status");
  g_assert_cmpstr (rows, ==, "Hộp thư công vụ|open, Lưu trữ|-");
  g_assert_cmpint (query_int (fixture->workbook,
                              "SELECT count(*) FROM report_values v JOIN reports r ON r.id = v.report_id "
                              "WHERE r.period_id = '2018Q2' AND v.key = 'findings.state'"), ==, 0);

  /* Without version 1 the old rows cannot be judged: all of them come,
   * still under the new key. */
  reopen_with (fixture, v2_only);
  q2_other = bc_workbook_create_report (fixture->workbook, "cftest", "2018Q2", "B", &error);
  g_assert_no_error (error);
  other_rows = carried_rows (fixture, q2_other, "findings", "topic", "status");
  g_assert_cmpstr (other_rows, ==, "Cổng thông tin|resolved, Hộp thư công vụ|open");
}

static void
test_carry_forward_conditions (Fixture       *fixture,
                               gconstpointer  user_data)
{
  g_autoptr(BcTemplateRegistry) templates = registry_from_data (cftest_v1, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(BcReport) previous = NULL;
  g_autofree char *q1 = NULL;
  g_autofree char *q3 = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *tasks = NULL;
  const char *remaining[] = { "0", "3", NULL };

  reopen_with (fixture, templates);
  q1 = bc_workbook_create_report (fixture->workbook, "cftest", "2017Q4", "A", &error);
  g_assert_no_error (error);
  add_cftest_finding (fixture, q1, "findings.state", "Cổng thông tin", "resolved");
  add_cftest_finding (fixture, q1, "findings.state", "Hộp thư công vụ", "open");
  for (guint i = 0; i < G_N_ELEMENTS (remaining); i++)
    {
      gint64 row_id = bc_workbook_add_row (fixture->workbook, q1, "tasks", &error);
      g_autofree char *name = g_strdup_printf ("Việc %u", i + 1);

      g_assert_no_error (error);
      set (fixture, q1, "tasks.name", row_id, name);
      if (remaining[i] != NULL)
        set (fixture, q1, "tasks.remaining", row_id, remaining[i]);
    }

  /* The unit skipped 2018Q1 and 2018Q2: its findings still come forward,
   * from the most recent report it has. Only a definite false or 0 stays
   * behind; a blank (task 3) comes. */
  q3 = bc_workbook_create_report (fixture->workbook, "cftest", "2018Q3", "A", &error);
  g_assert_no_error (error);
  rows = carried_rows (fixture, q3, "findings", "topic", "state");
  g_assert_cmpstr (rows, ==, "Hộp thư công vụ|open");
  tasks = carried_rows (fixture, q3, "tasks", "name", "remaining");
  g_assert_cmpstr (tasks, ==, "Việc 2|3, Việc 3|-");

  /* prev() still means the previous quarter, which it has not. */
  report = bc_workbook_load_report (fixture->workbook, q3, &error);
  g_assert_no_error (error);
  previous = bc_workbook_load_previous (fixture->workbook, report, &error);
  g_assert_no_error (error);
  g_assert_null (previous);
}

static void
test_carry_forward_blank_status (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) next = NULL;
  g_autofree char *q1 = NULL;
  g_autofree char *q2 = NULL;
  gint64 row_id;

  /* The shipped inspection form: "status != resolved" is blank while the
   * status is not filled in, and such a finding is not resolved. */
  q1 = bc_workbook_create_report (fixture->workbook, "inspection-remediation", "2018Q1", "UBND-QNG", &error);
  g_assert_no_error (error);
  row_id = bc_workbook_add_row (fixture->workbook, q1, "findings", &error);
  g_assert_no_error (error);
  set (fixture, q1, "findings.finding", row_id, "Chưa có quy chế bảo đảm an toàn thông tin.");
  add_finding (fixture, q1, "Sở TT&TT", "Thiếu chuyên mục.", "resolved");

  q2 = bc_workbook_create_report (fixture->workbook, "inspection-remediation", "2018Q2", "UBND-QNG", &error);
  g_assert_no_error (error);
  next = bc_workbook_load_report (fixture->workbook, q2, &error);
  g_assert_cmpuint (bc_report_get_n_rows (next, "findings"), ==, 1);
  g_assert_cmpstr (bc_report_get_value (next, "findings.finding", bc_report_get_row_id (next, "findings", 0)),
                   ==, "Chưa có quy chế bảo đảm an toàn thông tin.");
}

static void
test_import_report (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autofree char *q1 = NULL;
  gint64 row_id;

  /* Last quarter has an unfinished item, which a new report would carry. */
  q1 = bc_workbook_create_report (fixture->workbook, "wbtest", "2018Q1", "A", &error);
  g_assert_no_error (error);
  row_id = bc_workbook_add_row (fixture->workbook, q1, "items", &error);
  g_assert_no_error (error);
  set (fixture, q1, "items.title", row_id, "Việc dở dang");

  /* An import lands on exactly the version it names, an older one too, and
   * brings only its own rows. */
  g_assert_true (bc_workbook_import_report (fixture->workbook, REPORT_ID, "wbtest", 1, "2018q2",
                                            " " UNIT_NFD " ", &error));
  g_assert_no_error (error);
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bc_report_get_template_version (report), ==, 1);
  g_assert_cmpint (bc_report_get_status (report), ==, BC_STATUS_DRAFT);
  g_assert_cmpstr (bc_report_get_period_id (report), ==, "2018Q2");
  g_assert_cmpstr (bc_report_get_unit (report), ==, UNIT_NFC);
  g_assert_cmpuint (bc_report_get_n_rows (report, "items"), ==, 0);
  g_assert_cmpint (bc_report_get_revision (report), ==, 0);
  /* It is edited on its own version's keys. */
  set (fixture, REPORT_ID, "old_total", 0, "5");

  /* The same checks as creating. */
  g_assert_false (bc_workbook_import_report (fixture->workbook, "00000000-0000-4000-8000-000000000001",
                                             "wbtest", 7, "2018Q3", "A", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE);
  g_assert_nonnull (strstr (error->message, "7"));
  g_clear_error (&error);
  g_assert_false (bc_workbook_import_report (fixture->workbook, "00000000-0000-4000-8000-000000000001",
                                             "wbtest", 0, "2018Q3", "A", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE);
  g_clear_error (&error);
  g_assert_false (bc_workbook_import_report (fixture->workbook, "00000000-0000-4000-8000-000000000001",
                                             "no-such-form", 1, "2018Q3", "A", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE);
  g_clear_error (&error);
  g_assert_false (bc_workbook_import_report (fixture->workbook, "not-a-uuid", "wbtest", 1, "2018Q3", "A",
                                             &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (bc_workbook_import_report (fixture->workbook, "00000000-0000-4000-8000-000000000001",
                                             "wbtest", 2, "2018", "A", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (bc_workbook_import_report (fixture->workbook, "00000000-0000-4000-8000-000000000001",
                                             "wbtest", 2, "2018Q3", "  ", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (bc_workbook_import_report (fixture->workbook, "00000000-0000-4000-8000-000000000001",
                                             "wbtest", 3, "2018Q2", UNIT_NFC, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (bc_workbook_import_report (fixture->workbook, REPORT_ID, "wbtest", 3, "2018Q3", "A",
                                             &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM reports"), ==, 2);
}

static void
test_justification (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  gint64 row_id, revision;

  /* Two warnings about each finding of the remediation form. */
  bc_workbook_create_report_with_id (fixture->workbook, REPORT_ID, "inspection-remediation",
                                     "2018Q2", "A", &error);
  g_assert_no_error (error);
  row_id = bc_workbook_add_row (fixture->workbook, REPORT_ID, "findings", &error);
  g_assert_no_error (error);
  revision = revision_of (fixture->workbook, REPORT_ID);

  g_assert_true (bc_workbook_set_justification (fixture->workbook, REPORT_ID, "resolved_needs_action",
                                                row_id, "Hệ thống mới triển khai.", &error));
  g_assert_true (bc_workbook_set_justification (fixture->workbook, REPORT_ID,
                                                "open_needs_planned_completion", row_id,
                                                "Chờ kinh phí.", &error));
  g_assert_no_error (error);
  g_assert_cmpint (revision_of (fixture->workbook, REPORT_ID), ==, revision + 2);
  /* Unchanged: nothing happens. */
  g_assert_true (bc_workbook_set_justification (fixture->workbook, REPORT_ID,
                                                "open_needs_planned_completion", row_id,
                                                "Chờ kinh phí.", &error));
  g_assert_cmpint (revision_of (fixture->workbook, REPORT_ID), ==, revision + 2);

  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_cmpstr (bc_report_get_justification (report, "resolved_needs_action", row_id), ==,
                   "Hệ thống mới triển khai.");
  g_assert_cmpstr (bc_report_get_justification (report, "open_needs_planned_completion", row_id), ==,
                   "Chờ kinh phí.");
  g_clear_object (&report);

  g_assert_false (bc_workbook_set_justification (fixture->workbook, REPORT_ID,
                                                 "open_needs_planned_completion", 77, "x", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (bc_workbook_set_justification (fixture->workbook, REPORT_ID, "resolved_needs_action",
                                                row_id, NULL, &error));
  /* A removed row takes its justifications with it. */
  g_assert_true (bc_workbook_remove_row (fixture->workbook, REPORT_ID, "findings", row_id, &error));
  g_assert_no_error (error);
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_null (bc_report_get_justification (report, "resolved_needs_action", row_id));
  g_assert_null (bc_report_get_justification (report, "open_needs_planned_completion", row_id));
  g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM justifications"), ==, 0);
}

/* Only a warning of the report's own form can be justified: an error is
 * corrected, never explained away, and a name the form does not have (an
 * issue's "required:…" id, a typing mistake) is refused, not stored. */
static void
test_justification_warnings_only (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  static const char *not_rules[] = {
    "no_such_rule", "required:doc_number", "invalid:docs_fully_electronic_pct",
    "min_rows:policy_documents", "",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplateRegistry) templates = NULL;
  gint64 revision;

  create_report (fixture, REPORT_ID, "2018Q2", "A");
  revision = revision_of (fixture->workbook, REPORT_ID);

  /* docs_shares_within_100 is an error of the quarterly form. */
  g_assert_false (bc_workbook_set_justification (fixture->workbook, REPORT_ID, "docs_shares_within_100",
                                                 0, "Số liệu của Sở.", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "docs_shares_within_100"));
  g_assert_nonnull (strstr (error->message, "Correct"));
  g_clear_error (&error);
  /* Per-row errors too. */
  {
    gint64 sector = bc_workbook_add_row (fixture->workbook, REPORT_ID, "services_by_sector", &error);

    g_assert_no_error (error);
    revision = revision_of (fixture->workbook, REPORT_ID);
    g_assert_false (bc_workbook_set_justification (fixture->workbook, REPORT_ID,
                                                   "sector_level4_within_services", sector,
                                                   "Lý do.", &error));
    g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID);
    g_clear_error (&error);
  }

  for (guint i = 0; i < G_N_ELEMENTS (not_rules); i++)
    {
      g_assert_false (bc_workbook_set_justification (fixture->workbook, REPORT_ID, not_rules[i], 0,
                                                     "Lý do.", &error));
      g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
      g_clear_error (&error);
    }

  /* Nothing was stored, nothing changed. */
  g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM justifications"), ==, 0);
  g_assert_cmpint (revision_of (fixture->workbook, REPORT_ID), ==, revision);

  /* A warning is taken; removing what is not there is no error. */
  g_assert_true (bc_workbook_set_justification (fixture->workbook, REPORT_ID,
                                                "docs_fully_electronic_not_lower", 0,
                                                "Chuyển sang hệ thống mới.", &error));
  g_assert_no_error (error);
  g_assert_true (bc_workbook_set_justification (fixture->workbook, REPORT_ID, "docs_shares_within_100",
                                                0, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM justifications"), ==, 1);

  /* Without the form, no rule is known to be a warning: refused. */
  templates = bc_template_registry_new ();
  reopen_with (fixture, templates);
  g_assert_false (bc_workbook_set_justification (fixture->workbook, REPORT_ID,
                                                 "docs_fully_electronic_not_lower", 0, "Lý do.", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE);
  g_assert_nonnull (strstr (error->message, "egov-quarterly"));
  g_clear_error (&error);
  g_clear_object (&fixture->workbook);
  fixture->workbook = bc_workbook_open (fixture->path, NULL, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_false (bc_workbook_set_justification (fixture->workbook, REPORT_ID,
                                                 "docs_fully_electronic_not_lower", 0, "Lý do.", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE);
}

/* A justification of an error does not let it through, however it got into
 * the file (an older Baocao took any rule of the form; a rule may be an
 * error in a newer version of it). */
static void
test_justified_error_not_ready (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  BcTemplateRegistry *templates = bc_workbook_get_templates (fixture->workbook);

  g_object_ref (templates);
  bc_workbook_create_report_with_id (fixture->workbook, REPORT_ID, "wbtest", "2018Q2", "A", &error);
  g_assert_no_error (error);
  set (fixture, REPORT_ID, "name", 0, "UBND huyện Sơn Tịnh");
  set (fixture, REPORT_ID, "count", 0, "5000");

  /* count_small (count <= 1000) is an error of wbtest. */
  g_clear_object (&fixture->workbook);
  raw_exec (fixture->path,
            "INSERT INTO justifications (report_id, rule_id, row_id, text) VALUES ('"
            REPORT_ID "', 'count_small', 0, 'Số liệu đúng.')");
  fixture->workbook = bc_workbook_open (fixture->path, templates, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_object_unref (templates);
  g_assert_no_error (error);
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bc_report_get_justification (report, "count_small", 0), ==, "Số liệu đúng.");

  assert_not_ready (fixture, "1000");

  /* Removing it is allowed, and corrected values clear the way. */
  g_assert_true (bc_workbook_set_justification (fixture->workbook, REPORT_ID, "count_small", 0,
                                                NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM justifications"), ==, 0);
  set (fixture, REPORT_ID, "count", 0, "500");
  g_assert_true (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_READY, NULL, &error));
  g_assert_no_error (error);
}

static void
test_justification_blank (Fixture       *fixture,
                          gconstpointer  user_data)
{
  const char *blanks[] = { "   ", " \t\n ", "\xc2\xa0", "" };
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;

  bc_workbook_create_report_with_id (fixture->workbook, REPORT_ID, "wbtest", "2018Q2", "A", &error);
  g_assert_no_error (error);
  set (fixture, REPORT_ID, "name", 0, "UBND huyện Sơn Tịnh");
  set (fixture, REPORT_ID, "count", 0, "0");

  /* White space is no justification: the warning still holds ready back,
   * and a justification already written is removed. */
  for (guint i = 0; i < G_N_ELEMENTS (blanks); i++)
    {
      g_assert_true (bc_workbook_set_justification (fixture->workbook, REPORT_ID, "count_positive", 0,
                                                    "Chưa có số liệu.", &error));
      g_assert_true (bc_workbook_set_justification (fixture->workbook, REPORT_ID, "count_positive", 0,
                                                    blanks[i], &error));
      g_assert_no_error (error);
      g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM justifications"), ==, 0);
      assert_not_ready (fixture, "justification");
    }

  /* Stored without the white space around it. */
  g_assert_true (bc_workbook_set_justification (fixture->workbook, REPORT_ID, "count_positive", 0,
                                                "\n  Chưa có số liệu trong quý.\xc2\xa0 ", &error));
  g_assert_no_error (error);
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_cmpstr (bc_report_get_justification (report, "count_positive", 0), ==,
                   "Chưa có số liệu trong quý.");
  g_assert_true (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_READY, NULL, &error));
  g_assert_no_error (error);
}

/* Two tables, and a warning about each row of the second. */
static const char rowrule_form[] =
  "{\"format\": 1, \"id\": \"rowrule\", \"version\": 1, \"period_type\": \"quarter\","
  " \"title\": {\"vi\": \"Mẫu\", \"en\": \"Form\"},"
  " \"sections\": [{\"id\": \"main\", \"title\": {\"vi\": \"Chung\", \"en\": \"General\"},"
  "   \"fields\": ["
  "     {\"id\": \"documents\", \"type\": \"table\", \"label\": {\"vi\": \"Văn bản\", \"en\": \"Documents\"},"
  "      \"columns\": [{\"id\": \"number\", \"type\": \"text\", \"label\": {\"vi\": \"Số\", \"en\": \"Number\"}}]},"
  "     {\"id\": \"sectors\", \"type\": \"table\", \"label\": {\"vi\": \"Lĩnh vực\", \"en\": \"Sectors\"},"
  "      \"columns\": [{\"id\": \"services\", \"type\": \"integer\", \"label\": {\"vi\": \"Dịch vụ\", \"en\": \"Services\"}}]}"
  "   ]}],"
  " \"rules\": [{\"id\": \"sector_has_services\", \"severity\": \"warning\", \"table\": \"sectors\","
  "   \"check\": \"services > 0\", \"fields\": [\"services\"],"
  "   \"message\": {\"vi\": \"Lĩnh vực chưa có dịch vụ.\", \"en\": \"No services in this sector.\"}}]}";

static void
test_justification_row_of_rule (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autoptr(BcTemplateRegistry) templates = registry_from_data (rowrule_form, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  gint64 document, sector;

  reopen_with (fixture, templates);
  id = bc_workbook_create_report (fixture->workbook, "rowrule", "2018Q2", "A", &error);
  g_assert_no_error (error);
  document = bc_workbook_add_row (fixture->workbook, id, "documents", &error);
  sector = bc_workbook_add_row (fixture->workbook, id, "sectors", &error);
  g_assert_no_error (error);

  /* A per-row rule of sectors is justified for its own rows. */
  g_assert_false (bc_workbook_set_justification (fixture->workbook, id, "sector_has_services",
                                                 document, "Lý do.", &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "sectors"));
  g_clear_error (&error);
  g_assert_true (bc_workbook_set_justification (fixture->workbook, id, "sector_has_services",
                                                sector, "Lý do.", &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM justifications"), ==, 1);
}

static void
test_carry_over_swap (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(BcTemplateRegistry) v1 = registry_from_data (swaptest_v1, NULL);
  g_autoptr(BcTemplateRegistry) both = registry_from_data (swaptest_v1, swaptest_v2, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(GPtrArray) history = NULL;
  gint64 rows[2];
  guint n_edits;

  reopen_with (fixture, v1);
  bc_workbook_create_report_with_id (fixture->workbook, REPORT_ID, "swaptest", "2018Q2", "A", &error);
  g_assert_no_error (error);
  set (fixture, REPORT_ID, "a", 0, "một");
  set (fixture, REPORT_ID, "b", 0, "hai");
  set (fixture, REPORT_ID, "c", 0, "ba");
  for (guint i = 0; i < 2; i++)
    {
      rows[i] = bc_workbook_add_row (fixture->workbook, REPORT_ID, "items", &error);
      g_assert_no_error (error);
    }
  set (fixture, REPORT_ID, "items.x", rows[0], "x0");
  set (fixture, REPORT_ID, "items.y", rows[0], "y0");
  set (fixture, REPORT_ID, "items.x", rows[1], "x1");
  history = history_of (fixture->workbook, REPORT_ID);
  n_edits = history->len;
  g_clear_pointer (&history, g_ptr_array_unref);

  reopen_with (fixture, both);
  g_assert_true (bc_workbook_carry_over (fixture->workbook, REPORT_ID, &error));
  g_assert_no_error (error);
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_cmpint (bc_report_get_template_version (report), ==, 2);
  g_assert_cmpstr (bc_report_get_value (report, "a", 0), ==, "hai");
  g_assert_cmpstr (bc_report_get_value (report, "b", 0), ==, "một");
  g_assert_cmpstr (bc_report_get_value (report, "c", 0), ==, "ba");
  g_assert_cmpstr (bc_report_get_value (report, "items.x", rows[0]), ==, "y0");
  g_assert_cmpstr (bc_report_get_value (report, "items.y", rows[0]), ==, "x0");
  g_assert_null (bc_report_get_value (report, "items.x", rows[1]));
  g_assert_cmpstr (bc_report_get_value (report, "items.y", rows[1]), ==, "x1");

  /* Each changed cell is one edit from its old value to its new one. */
  history = history_of (fixture->workbook, REPORT_ID);
  g_assert_cmpuint (history->len, ==, n_edits + 6);
  for (guint i = n_edits; i < history->len; i++)
    {
      const BcEdit *edit = g_ptr_array_index (history, i);

      if (g_str_equal (edit->key, "a"))
        {
          g_assert_cmpstr (edit->old_value, ==, "một");
          g_assert_cmpstr (edit->new_value, ==, "hai");
        }
      else if (g_str_equal (edit->key, "items.x") && edit->row_id == rows[1])
        {
          g_assert_cmpstr (edit->old_value, ==, "x1");
          g_assert_null (edit->new_value);
        }
    }
}

typedef enum {
  BAD_MANY_TO_ONE,
  BAD_SCALAR_TO_COLUMN,
  BAD_COLUMN_TO_SCALAR,
  BAD_OTHER_TABLE,
  BAD_ONTO_KEPT,
} BadMigration;

static void
test_carry_over_refused (Fixture       *fixture,
                         gconstpointer  user_data)
{
  const struct {
    BadMigration  kind;
    const char   *old_key;   /* added to version 2's renames */
    const char   *new_key;
    const char   *message;
  } cases[] = {
    /* swaptest v2 already renames a → b and b → a. */
    { BAD_MANY_TO_ONE, "c", "a", "renames both" },
    { BAD_SCALAR_TO_COLUMN, "c", "items.z", "same kind" },
    { BAD_COLUMN_TO_SCALAR, "items.z", "c", "same kind" },
    { BAD_OTHER_TABLE, "items.z", "other.z", "same kind" },
    /* ontotest v2 renames a → c; version 1 has c, which keeps its value. */
    { BAD_ONTO_KEPT, NULL, NULL, "already has a value" },
  };
  g_autoptr(BcTemplateRegistry) v1 = registry_from_data (swaptest_v1, NULL);
  g_autoptr(GError) error = NULL;
  gint64 row_id;

  reopen_with (fixture, v1);
  bc_workbook_create_report_with_id (fixture->workbook, REPORT_ID, "swaptest", "2018Q2", "A", &error);
  g_assert_no_error (error);
  set (fixture, REPORT_ID, "a", 0, "một");
  set (fixture, REPORT_ID, "b", 0, "hai");
  set (fixture, REPORT_ID, "c", 0, "ba");
  row_id = bc_workbook_add_row (fixture->workbook, REPORT_ID, "items", &error);
  g_assert_no_error (error);
  set (fixture, REPORT_ID, "items.x", row_id, "x0");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(BcTemplateRegistry) both = bc_template_registry_new ();
      g_autoptr(BcTemplate) first = template_from_data (swaptest_v1);
      g_autoptr(BcTemplate) second = template_from_data (cases[i].kind == BAD_ONTO_KEPT
                                                         ? ontotest_v2 : swaptest_v2);
      g_autoptr(BcReport) report = NULL;
      const BcMigration *migration = bc_template_get_migration (second, 1);

      /* The template loader refuses such migrations; this is what the
       * workbook does should one get through. */
      if (cases[i].old_key != NULL)
        g_hash_table_insert (migration->renamed, g_strdup (cases[i].old_key), g_strdup (cases[i].new_key));
      bc_template_registry_add (both, first);
      bc_template_registry_add (both, second);
      reopen_with (fixture, both);

      g_assert_false (bc_workbook_carry_over (fixture->workbook, REPORT_ID, &error));
      g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].message));
      g_clear_error (&error);

      /* Nothing changed. */
      report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
      g_assert_no_error (error);
      g_assert_cmpint (bc_report_get_template_version (report), ==, 1);
      g_assert_cmpint (bc_report_get_revision (report), ==, 5);
      g_assert_cmpstr (bc_report_get_value (report, "a", 0), ==, "một");
      g_assert_cmpstr (bc_report_get_value (report, "b", 0), ==, "hai");
      g_assert_cmpstr (bc_report_get_value (report, "c", 0), ==, "ba");
      g_assert_cmpstr (bc_report_get_value (report, "items.x", row_id), ==, "x0");
      g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM report_values"), ==, 4);
    }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  test_program = g_canonicalize_filename (argv[0], NULL);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/core/workbook/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/core/workbook/schema-and-pragmas", test_schema_and_pragmas);
  g_test_add_func ("/core/workbook/open/missing", test_open_missing);
  g_test_add_func ("/core/workbook/open/rejected-untouched", test_open_rejected);
  g_test_add_func ("/core/workbook/open/corrupt", test_corrupt);
  ADD ("settings-and-kind", test_settings_and_kind);
  ADD ("create-report", test_create_report);
  ADD ("list-and-delete", test_list_and_delete);
  ADD ("previous", test_previous);
  ADD ("set-value", test_set_value);
  ADD ("set-value-errors-roll-back", test_set_value_errors);
  ADD ("rows", test_rows);
  ADD ("rows/with-id", test_rows_with_id);
  ADD ("status/machine", test_status_machine);
  ADD ("status/submitted-once", test_submitted_once);
  ADD ("read-only", test_read_only);
  ADD ("no-templates", test_no_templates);
  ADD ("closed", test_closed);
  ADD ("threads", test_threads);
  ADD ("two-connections", test_two_connections);
  g_test_add_func ("/core/workbook/async", test_async);
  g_test_add_func ("/core/workbook/open/not-regular", test_open_not_regular);
  ADD ("unit-normalized", test_unit_normalized);
  ADD ("invalid-text", test_invalid_text);
  ADD ("delete-drafts-only", test_delete_drafts_only);
  ADD ("read-only-messages", test_read_only_messages);
  g_test_add_func ("/core/workbook/read-only-folder", test_read_only_folder);

  g_test_add ("/core/workbook/templates/create", Fixture, NULL, templates_set_up,
              test_templates_create, fixture_tear_down);
  g_test_add ("/core/workbook/templates/keys", Fixture, NULL, templates_set_up,
              test_templates_keys, fixture_tear_down);
  g_test_add ("/core/workbook/templates/ready", Fixture, NULL, templates_set_up,
              test_templates_ready, fixture_tear_down);
  g_test_add ("/core/workbook/templates/carry-forward", Fixture, NULL, templates_set_up,
              test_templates_carry_forward, fixture_tear_down);
  g_test_add ("/core/workbook/templates/carry-over", Fixture, NULL, fixture_set_up,
              test_templates_carry_over, fixture_tear_down);
  g_test_add ("/core/workbook/templates/carry-forward/renamed", Fixture, NULL, fixture_set_up,
              test_carry_forward_renamed, fixture_tear_down);
  g_test_add ("/core/workbook/templates/carry-forward/conditions", Fixture, NULL, fixture_set_up,
              test_carry_forward_conditions, fixture_tear_down);
  g_test_add ("/core/workbook/templates/carry-forward/blank-status", Fixture, NULL, templates_set_up,
              test_carry_forward_blank_status, fixture_tear_down);
  g_test_add ("/core/workbook/templates/import", Fixture, NULL, templates_set_up,
              test_import_report, fixture_tear_down);
  g_test_add ("/core/workbook/templates/justification-blank", Fixture, NULL, templates_set_up,
              test_justification_blank, fixture_tear_down);
  g_test_add ("/core/workbook/templates/justification-row-of-rule", Fixture, NULL, templates_set_up,
              test_justification_row_of_rule, fixture_tear_down);
  g_test_add ("/core/workbook/templates/justification", Fixture, NULL, templates_set_up,
              test_justification, fixture_tear_down);
  g_test_add ("/core/workbook/templates/justification-warnings-only", Fixture, NULL, templates_set_up,
              test_justification_warnings_only, fixture_tear_down);
  g_test_add ("/core/workbook/templates/justified-error-not-ready", Fixture, NULL, templates_set_up,
              test_justified_error_not_ready, fixture_tear_down);
  g_test_add ("/core/workbook/templates/carry-over/swap", Fixture, NULL, fixture_set_up,
              test_carry_over_swap, fixture_tear_down);
  g_test_add ("/core/workbook/templates/carry-over/refused", Fixture, NULL, fixture_set_up,
              test_carry_over_refused, fixture_tear_down);

#undef ADD

  return g_test_run ();
}
