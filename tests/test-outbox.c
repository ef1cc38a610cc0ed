/* test-outbox.c: the workbook's outbox and sync state (schema version 2).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Migration from a schema-1 workbook, queuing, receipts, refusals, reviews
 * from the feed, and a process killed between queuing and receipt (never a
 * report both sent and waiting, nor lost).
 */
#define G_LOG_DOMAIN "test-outbox"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "bc-outbox.h"
#include "bc-test-util.h"
#include "bc-wire.h"
#include "bc-workbook.h"
#include "bc-workbook-private.h"

#define REPORT_ID "5d0c7f0e-8a47-4b0e-9a4b-0d6f2c6f1a11"
#define DEFAULT_CRASH_ITERATIONS 40
#define MAX_DELAY_US 40000

#ifdef G_OS_WIN32
#define EXE_SUFFIX ".exe"
#else
#define EXE_SUFFIX ""
#endif

typedef struct {
  char               *dir;
  char               *path;
  BcTemplateRegistry *templates;
  BcWorkbook         *workbook;
} Fixture;

static BcTemplateRegistry *
registry_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "templates", "workbook", NULL);
  BcTemplateRegistry *templates = bc_template_registry_new ();

  bc_template_registry_add_directory (templates, dir, &error);
  g_assert_no_error (error);

  return templates;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  (void) data;
  fixture->dir = g_dir_make_tmp ("baocao-outbox-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "test.baocao", NULL);
  fixture->templates = registry_new ();
  fixture->workbook = bc_workbook_open (fixture->path, fixture->templates,
                                        BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  (void) data;
  if (fixture->workbook != NULL)
    g_assert_finalize_object (fixture->workbook);
  g_clear_object (&fixture->templates);
  bc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static void
raw_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
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

  return text != NULL ? g_ascii_strtoll (text, NULL, 10) : -1;
}

/* A wbtest report, filled in and ready. */
static void
make_ready (BcWorkbook *workbook,
            const char *id,
            const char *unit)
{
  g_autoptr(GError) error = NULL;

  bc_workbook_create_report_with_id (workbook, id, "wbtest", "2018Q2", unit, &error);
  g_assert_no_error (error);
  g_assert_true (bc_workbook_set_value (workbook, id, "name", 0, "UBND xã Tịnh Hà", &error));
  g_assert_true (bc_workbook_set_value (workbook, id, "count", 0, "7", &error));
  g_assert_true (bc_workbook_set_status (workbook, id, BC_STATUS_READY, NULL, &error));
  g_assert_no_error (error);
}

static BcStatus
status_of (BcWorkbook *workbook,
           const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = bc_workbook_load_report (workbook, id, &error);

  g_assert_no_error (error);
  return bc_report_get_status (report);
}

static GPtrArray *
outbox (BcWorkbook *workbook)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *items = bc_outbox_list (workbook, &error);

  g_assert_no_error (error);
  return items;
}

static JsonArray *
parse_changes (const char *json,
               JsonNode  **root)
{
  g_autoptr(GError) error = NULL;

  *root = json_from_string (json, &error);
  g_assert_no_error (error);
  return json_node_get_array (*root);
}

/* ------------------------------------------------------------------------ */

static void
test_migrate_v1 (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(BcReport) loaded = NULL;
  g_autoptr(JsonNode) content = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *broken = g_build_filename (fixture->dir, "broken.baocao", NULL);
  g_autofree char *expected_hash = NULL;
  gint64 revision;
  BcOutboxItem *item;

  (void) data;

  /* A schema-1 workbook: the tables of version 1 only (version 2 added
   * tables and changed none), one report queued, one draft. */
  make_ready (fixture->workbook, REPORT_ID, "QNG-SONTINH");
  g_assert_true (bc_workbook_create_report_with_id (fixture->workbook,
                                                    "0b7c8a44-2f7e-4f51-8e0c-3f1a4d5e6b7c",
                                                    "wbtest", "2018Q3", "QNG-SONTINH", &error));
  g_assert_true (bc_workbook_set_value (fixture->workbook, "0b7c8a44-2f7e-4f51-8e0c-3f1a4d5e6b7c",
                                        "name", 0, "Bản nháp", &error));
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  revision = bc_report_get_revision (report);
  g_assert_finalize_object (g_steal_pointer (&fixture->workbook));
  raw_exec (fixture->path,
            "DROP TABLE outbox; DROP TABLE sync_state; DROP TABLE receipts; DROP TABLE reviews; "
            "DROP TABLE units; DROP TABLE sync_settings; "
            "UPDATE reports SET status = 'queued', submitted_at = 1529550245000000 "
            "WHERE id = '" REPORT_ID "'; PRAGMA user_version = 1;");

  /* A migration that fails half-way leaves the file at version 1, whole. */
  {
    g_autofree char *text = NULL;
    gsize length;

    g_assert_true (g_file_get_contents (fixture->path, &text, &length, &error));
    g_assert_true (g_file_set_contents (broken, text, (gssize) length, &error));
    raw_exec (broken, "CREATE TABLE units (x TEXT)");
    g_assert_null (bc_workbook_open (broken, fixture->templates, BC_WORKBOOK_OPEN_DEFAULT, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_open (broken, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT (SELECT user_version FROM pragma_user_version), "
                                         "(SELECT count(*) FROM sqlite_master WHERE name IN "
                                         "('outbox', 'sync_state')), (SELECT count(*) FROM reports)",
                                         -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
    g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 0);
    g_assert_cmpint (sqlite3_column_int (stmt, 2), ==, 2);
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }

  /* The real migration keeps everything and puts the queued report in the
   * outbox. */
  fixture->workbook = bc_workbook_open (fixture->path, fixture->templates,
                                        BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (fixture->workbook, "PRAGMA user_version"), ==, 2);
  g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM reports"), ==, 2);
  loaded = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bc_report_get_status (loaded), ==, BC_STATUS_QUEUED);
  g_assert_cmpstr (bc_report_get_value (loaded, "name", 0), ==, "UBND xã Tịnh Hà");
  g_assert_cmpint (bc_report_get_revision (loaded), ==, revision);
  history = bc_workbook_get_history (fixture->workbook, REPORT_ID, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 2);

  items = outbox (fixture->workbook);
  g_assert_cmpuint (items->len, ==, 1);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpstr (item->report_id, ==, REPORT_ID);
  g_assert_cmpint (item->revision, ==, revision);
  g_assert_cmpint (item->queued_at, ==, 1529550245000000);
  g_assert_null (item->content);

  /* Frozen before its first push: what it is now is what it was then. */
  g_assert_true (bc_outbox_freeze (fixture->workbook, &error));
  g_assert_no_error (error);
  g_clear_pointer (&items, g_ptr_array_unref);
  items = outbox (fixture->workbook);
  item = g_ptr_array_index (items, 0);
  content = bc_wire_report_content (bc_template_registry_lookup (fixture->templates, "wbtest", 1, NULL),
                                    loaded);
  expected = bc_wire_canonical_json (content);
  g_assert_cmpstr (item->content, ==, expected);
  expected_hash = bc_wire_content_hash (content);
  g_assert_cmpstr (item->content_hash, ==, expected_hash);
}

static void
test_queue (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(JsonNode) content = NULL;
  g_autoptr(JsonNode) parsed = NULL;
  g_autofree char *hash = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  BcOutboxItem *item;

  (void) data;

  make_ready (fixture->workbook, REPORT_ID, "QNG-SONTINH");
  items = outbox (fixture->workbook);
  g_assert_cmpuint (items->len, ==, 0);
  g_clear_pointer (&items, g_ptr_array_unref);

  /* Queuing: status and outbox row together, the content frozen. */
  g_assert_true (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_QUEUED, NULL, &error));
  g_assert_no_error (error);
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  items = outbox (fixture->workbook);
  g_assert_cmpuint (items->len, ==, 1);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpint (item->revision, ==, bc_report_get_revision (report));
  g_assert_cmpint (item->base_revision, ==, 0);
  g_assert_cmpint (item->attempts, ==, 0);
  g_assert_cmpstr (item->unit, ==, "QNG-SONTINH");
  g_assert_cmpint (item->queued_at, >, 0);
  content = bc_wire_report_content (bc_template_registry_lookup (fixture->templates, "wbtest", 1, NULL),
                                    report);
  hash = bc_wire_content_hash (content);
  g_assert_cmpstr (item->content_hash, ==, hash);
  parsed = bc_wire_parse (item->content, strlen (item->content), BC_WIRE_MAX_BODY,
                          BC_WIRE_MAX_DEPTH, &error);
  g_assert_no_error (error);
  {
    g_autofree char *again = bc_wire_content_hash (parsed);

    g_assert_cmpstr (again, ==, hash);
  }

  /* Never attempted: it may go back to draft, and leaves the outbox. */
  g_assert_true (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_DRAFT, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&items, g_ptr_array_unref);
  items = outbox (fixture->workbook);
  g_assert_cmpuint (items->len, ==, 0);

  /* Attempted: it may be on the server, so it stays where it is. */
  g_assert_true (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_READY, NULL, &error));
  g_assert_true (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_QUEUED, NULL, &error));
  g_assert_no_error (error);
  g_ptr_array_add (ids, (char *) REPORT_ID);
  g_assert_true (bc_outbox_begin_attempt (fixture->workbook, ids, &error));
  g_assert_false (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_DRAFT, NULL, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TRANSITION);
  g_assert_nonnull (strstr (error->message, "server"));
  g_clear_error (&error);
  g_assert_cmpint (status_of (fixture->workbook, REPORT_ID), ==, BC_STATUS_QUEUED);
  g_clear_pointer (&items, g_ptr_array_unref);
  items = outbox (fixture->workbook);
  g_assert_cmpuint (items->len, ==, 1);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpint (item->attempts, ==, 1);
  g_assert_cmpint (item->last_attempt_at, >, 0);
  g_assert_cmpstr (item->content_hash, ==, hash);

  /* A failed attempt keeps why, and the item unchanged. */
  g_assert_true (bc_outbox_record_failure (fixture->workbook, ids, "Mất kết nối", &error));
  g_clear_pointer (&items, g_ptr_array_unref);
  items = outbox (fixture->workbook);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpstr (item->last_error, ==, "Mất kết nối");
  g_assert_cmpstr (item->content_hash, ==, hash);
}

static void
queue_and_store (Fixture    *fixture,
                 const char *id,
                 const char *receipt)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;

  g_assert_true (bc_workbook_set_status (fixture->workbook, id, BC_STATUS_QUEUED, NULL, &error));
  g_assert_no_error (error);
  report = bc_workbook_load_report (fixture->workbook, id, &error);
  g_assert_true (bc_outbox_record_stored (fixture->workbook, id, bc_report_get_revision (report),
                                          receipt, 1529550245000000, FALSE,
                                          bc_report_get_revision (report), &error));
  g_assert_no_error (error);
}

static void
test_receipt (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(BcSyncState) state = NULL;
  g_autoptr(BcSyncState) again = NULL;
  gint64 revision;

  (void) data;

  make_ready (fixture->workbook, REPORT_ID, "QNG-SONTINH");
  g_assert_null (bc_outbox_get_state (fixture->workbook, REPORT_ID, &error));
  g_assert_no_error (error);
  queue_and_store (fixture, REPORT_ID, "QNG-000042");

  g_assert_cmpint (status_of (fixture->workbook, REPORT_ID), ==, BC_STATUS_SENT);
  items = outbox (fixture->workbook);
  g_assert_cmpuint (items->len, ==, 0);
  state = bc_outbox_get_state (fixture->workbook, REPORT_ID, &error);
  g_assert_no_error (error);
  g_assert_nonnull (state);
  g_assert_cmpstr (state->receipt_number, ==, "QNG-000042");
  g_assert_cmpint (state->received_at, ==, 1529550245000000);
  g_assert_false (state->conflict);
  revision = state->acked_revision;
  g_assert_cmpint (revision, >, 0);

  /* The same receipt again (the feed after the push, a replay): nothing
   * moves; an older one does not replace it. */
  g_assert_true (bc_outbox_record_stored (fixture->workbook, REPORT_ID, revision, "QNG-000042",
                                          1529550245000000, FALSE, revision, &error));
  g_assert_true (bc_outbox_record_stored (fixture->workbook, REPORT_ID, revision - 1, "QNG-000001",
                                          1529550000000000, FALSE, revision - 1, &error));
  g_assert_no_error (error);
  again = bc_outbox_get_state (fixture->workbook, REPORT_ID, &error);
  g_assert_cmpstr (again->receipt_number, ==, "QNG-000042");
  g_assert_cmpint (again->acked_revision, ==, revision);
  g_assert_cmpint (status_of (fixture->workbook, REPORT_ID), ==, BC_STATUS_SENT);
  g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM status_changes "
                                                 "WHERE to_status = 'sent'"), ==, 1);
  g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM receipts"), ==, 2);

  /* A conflict is sent too, marked, with the server's revision. */
  make_ready (fixture->workbook, "9a1c7f0e-1111-4b0e-9a4b-0d6f2c6f1a11", "QNG-BINHSON");
  g_assert_true (bc_workbook_set_status (fixture->workbook, "9a1c7f0e-1111-4b0e-9a4b-0d6f2c6f1a11",
                                         BC_STATUS_QUEUED, NULL, &error));
  g_assert_true (bc_outbox_record_stored (fixture->workbook, "9a1c7f0e-1111-4b0e-9a4b-0d6f2c6f1a11",
                                          2, "QNG-000043", 1529550245000000, TRUE, 5, &error));
  g_assert_no_error (error);
  g_clear_pointer (&state, bc_sync_state_free);
  state = bc_outbox_get_state (fixture->workbook, "9a1c7f0e-1111-4b0e-9a4b-0d6f2c6f1a11", &error);
  g_assert_true (state->conflict);
  g_assert_cmpint (state->server_revision, ==, 5);
  g_assert_cmpint (status_of (fixture->workbook, "9a1c7f0e-1111-4b0e-9a4b-0d6f2c6f1a11"), ==,
                   BC_STATUS_SENT);

  /* The feed then brings the receipt of the other device's later
   * revision, stored as current: this copy is still kept beside it, and
   * the conflict stands until the officer resolves it. */
  {
    g_autoptr(JsonNode) page = json_from_string (
      "[{\"seq\": 7, \"kind\": \"receipt\", \"report_id\": \"9a1c7f0e-1111-4b0e-9a4b-0d6f2c6f1a11\","
      "  \"revision\": 6, \"conflict\": false, \"server_revision\": 6,"
      "  \"receipt\": {\"number\": \"QNG-000044\", \"received_at\": \"2018-06-22T03:04:05Z\"}}]", &error);

    g_assert_no_error (error);
    g_assert_true (bc_outbox_apply_changes (fixture->workbook, json_node_get_array (page), 7, &error));
    g_assert_no_error (error);
    g_clear_pointer (&state, bc_sync_state_free);
    state = bc_outbox_get_state (fixture->workbook, "9a1c7f0e-1111-4b0e-9a4b-0d6f2c6f1a11", &error);
    g_assert_true (state->conflict);
    g_assert_cmpint (state->server_revision, ==, 6);
  }

  /* This device's own copy stored as current (the resolution, pushed)
   * ends it. */
  g_assert_true (bc_outbox_record_stored (fixture->workbook, "9a1c7f0e-1111-4b0e-9a4b-0d6f2c6f1a11",
                                          7, "QNG-000045", 1529560245000000, FALSE, 7, &error));
  g_assert_no_error (error);
  g_clear_pointer (&state, bc_sync_state_free);
  state = bc_outbox_get_state (fixture->workbook, "9a1c7f0e-1111-4b0e-9a4b-0d6f2c6f1a11", &error);
  g_assert_false (state->conflict);
}

static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(BcSyncState) state = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();

  (void) data;

  make_ready (fixture->workbook, REPORT_ID, "QNG-SONTINH");
  g_assert_true (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_QUEUED, NULL, &error));
  g_ptr_array_add (ids, (char *) REPORT_ID);
  g_assert_true (bc_outbox_begin_attempt (fixture->workbook, ids, &error));
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);

  /* A refusal for another revision is not this one's. */
  g_assert_true (bc_outbox_record_refused (fixture->workbook, REPORT_ID,
                                           bc_report_get_revision (report) + 1, "x", &error));
  g_assert_cmpint (status_of (fixture->workbook, REPORT_ID), ==, BC_STATUS_QUEUED);

  g_assert_true (bc_outbox_record_refused (fixture->workbook, REPORT_ID,
                                           bc_report_get_revision (report),
                                           "Trường “name” không hợp lệ.", &error));
  g_assert_no_error (error);
  g_assert_cmpint (status_of (fixture->workbook, REPORT_ID), ==, BC_STATUS_DRAFT);
  items = outbox (fixture->workbook);
  g_assert_cmpuint (items->len, ==, 0);
  state = bc_outbox_get_state (fixture->workbook, REPORT_ID, &error);
  g_assert_cmpstr (state->last_error, ==, "Trường “name” không hợp lệ.");
  g_assert_cmpint (state->acked_revision, ==, 0);
  /* Editable again. */
  g_assert_true (bc_workbook_set_value (fixture->workbook, REPORT_ID, "count", 0, "8", &error));
  g_assert_no_error (error);
}

static void
test_review (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) again_root = NULL;
  g_autoptr(JsonNode) reviews = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(BcSyncState) state = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *page = NULL;
  g_autofree char *accepted = NULL;
  g_autoptr(JsonNode) accepted_root = NULL;
  JsonArray *changes;
  gint64 revision;

  (void) data;

  make_ready (fixture->workbook, REPORT_ID, "QNG-SONTINH");
  queue_and_store (fixture, REPORT_ID, "QNG-000042");
  state = bc_outbox_get_state (fixture->workbook, REPORT_ID, &error);
  revision = state->acked_revision;
  g_assert_cmpint (bc_outbox_get_cursor (fixture->workbook, &error), ==, 0);

  /* A review of an older revision is kept, and moves nothing. */
  page = g_strdup_printf (
    "[{\"seq\": 40, \"kind\": \"review\", \"report_id\": \"" REPORT_ID "\", \"revision\": %" G_GINT64_FORMAT ","
    "  \"decision\": \"returned\", \"comment\": \"Cũ\", \"reviewer\": \"A\","
    "  \"decided_at\": \"2018-06-24T08:00:00Z\"},"
    " {\"seq\": 41, \"kind\": \"receipt\", \"report_id\": \"" REPORT_ID "\", \"revision\": %" G_GINT64_FORMAT ","
    "  \"conflict\": false, \"receipt\": {\"number\": \"QNG-000042\", \"received_at\": \"2018-06-21T03:04:05Z\"}},"
    " {\"seq\": 44, \"kind\": \"review\", \"report_id\": \"" REPORT_ID "\", \"revision\": %" G_GINT64_FORMAT ","
    "  \"decision\": \"returned\", \"comment\": \"Bổ sung số liệu mục 4.\", \"reviewer\": \"Nguyễn Văn A\","
    "  \"decided_at\": \"2018-06-25T08:00:00Z\"},"
    " {\"seq\": 45, \"kind\": \"template\", \"template\": \"wbtest\", \"version\": 9, \"definition\": {}},"
    " {\"seq\": 46, \"kind\": \"units\", \"units\": [{\"code\": \"QNG-SONTINH\", \"name\": \"UBND huyện Sơn Tịnh\","
    "  \"level\": \"district\", \"parent\": \"QNG\", \"valid_from\": \"2015-01-01\", \"valid_to\": null}]},"
    " {\"seq\": 47, \"kind\": \"something_new\"}]",
    revision - 1, revision, revision);
  changes = parse_changes (page, &root);
  g_assert_true (bc_outbox_apply_changes (fixture->workbook, changes, 47, &error));
  g_assert_no_error (error);

  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_cmpint (bc_report_get_status (report), ==, BC_STATUS_RETURNED);
  g_assert_cmpstr (bc_report_get_review_comment (report), ==, "Bổ sung số liệu mục 4.");
  g_assert_cmpint (bc_outbox_get_cursor (fixture->workbook, &error), ==, 47);
  reviews = bc_outbox_get_reviews (fixture->workbook, REPORT_ID, &error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (reviews)), ==, 2);
  /* The return of the acknowledged revision is the decision in force; the
   * one on the older revision is history. */
  {
    g_autoptr(GPtrArray) list = bc_outbox_list_reviews (fixture->workbook, REPORT_ID, 0, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (list->len, ==, 2);
    g_assert_false (((BcReview *) g_ptr_array_index (list, 0))->current);
    g_assert_true (((BcReview *) g_ptr_array_index (list, 1))->current);
    g_assert_cmpstr (((BcReview *) g_ptr_array_index (list, 1))->reviewer, ==, "Nguyễn Văn A");
  }
  {
    g_autoptr(JsonNode) units = bc_outbox_get_units (fixture->workbook, &error);
    JsonObject *unit = json_array_get_object_element (json_node_get_array (units), 0);

    g_assert_cmpstr (json_object_get_string_member (unit, "name"), ==, "UBND huyện Sơn Tịnh");
    g_assert_true (json_object_get_null_member (unit, "valid_to"));
  }

  /* Returned is editable again, once taken back to draft; the same page
   * applied again changes nothing. */
  g_assert_true (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_DRAFT, NULL, &error));
  g_assert_no_error (error);
  changes = parse_changes (page, &again_root);
  g_assert_true (bc_outbox_apply_changes (fixture->workbook, changes, 47, &error));
  g_assert_cmpint (status_of (fixture->workbook, REPORT_ID), ==, BC_STATUS_DRAFT);
  g_assert_cmpint (query_int (fixture->workbook, "SELECT count(*) FROM reviews"), ==, 2);

  g_assert_true (bc_workbook_set_value (fixture->workbook, REPORT_ID, "count", 0, "9", &error));
  g_assert_true (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_READY, NULL, &error));
  g_assert_true (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_QUEUED, NULL, &error));
  g_assert_no_error (error);
  items = outbox (fixture->workbook);
  g_assert_cmpint (((BcOutboxItem *) g_ptr_array_index (items, 0))->base_revision, ==, revision);
  g_assert_cmpint (((BcOutboxItem *) g_ptr_array_index (items, 0))->revision, >, revision);
  /* Sent again: the return was answered, it is no longer in force. */
  {
    g_autoptr(GPtrArray) list = bc_outbox_list_reviews (fixture->workbook, REPORT_ID, 0, &error);

    g_assert_false (((BcReview *) g_ptr_array_index (list, 1))->current);
  }

  /* Its receipt comes by the feed this time (the push's answer was lost),
   * then the decision. */
  {
    gint64 next = ((BcOutboxItem *) g_ptr_array_index (items, 0))->revision;

    accepted = g_strdup_printf (
      "[{\"seq\": 50, \"kind\": \"receipt\", \"report_id\": \"" REPORT_ID "\", \"revision\": %" G_GINT64_FORMAT ","
      "  \"conflict\": false, \"receipt\": {\"number\": \"QNG-000050\", \"received_at\": \"2018-06-26T03:04:05Z\"}},"
      " {\"seq\": 51, \"kind\": \"review\", \"report_id\": \"" REPORT_ID "\", \"revision\": %" G_GINT64_FORMAT ","
      "  \"decision\": \"accepted\", \"comment\": null, \"reviewer\": \"Nguyễn Văn A\","
      "  \"decided_at\": \"2018-06-27T08:00:00Z\"}]",
      next, next);
  }
  changes = parse_changes (accepted, &accepted_root);
  g_assert_true (bc_outbox_apply_changes (fixture->workbook, changes, 51, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status_of (fixture->workbook, REPORT_ID), ==, BC_STATUS_ACCEPTED);
  g_clear_pointer (&items, g_ptr_array_unref);
  items = outbox (fixture->workbook);
  g_assert_cmpuint (items->len, ==, 0);

  /* Accepted with no comment: the return's comment is not the report's
   * comment any more, neither loaded nor stored. */
  g_clear_object (&report);
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_cmpstr (bc_report_get_review_comment (report), ==, NULL);
  g_assert_cmpint (query_int (fixture->workbook,
                              "SELECT count(*) FROM reports WHERE review_comment IS NULL"), ==, 1);
  {
    g_autoptr(GPtrArray) list = bc_outbox_list_reviews (fixture->workbook, REPORT_ID, 0, &error);
    g_autoptr(GPtrArray) since = bc_outbox_list_reviews (fixture->workbook, NULL, 47, &error);
    BcReview *last = g_ptr_array_index (list, 2);

    g_assert_cmpuint (list->len, ==, 3);
    g_assert_false (((BcReview *) g_ptr_array_index (list, 1))->current);
    g_assert_true (last->current);
    g_assert_cmpstr (last->decision, ==, "accepted");
    g_assert_null (last->comment);
    g_assert_cmpint (last->decided_at, ==, 1530086400000000);
    /* What a sync from cursor 47 received: the acceptance only. */
    g_assert_cmpuint (since->len, ==, 1);
    g_assert_cmpint (((BcReview *) g_ptr_array_index (since, 0))->seq, ==, 51);
    g_assert_cmpstr (((BcReview *) g_ptr_array_index (since, 0))->report_id, ==, REPORT_ID);
  }

  /* A workbook written before this rule kept the return's comment on the
   * accepted report: it loads with the acceptance's (none). */
  g_assert_finalize_object (g_steal_pointer (&fixture->workbook));
  raw_exec (fixture->path, "UPDATE reports SET review_comment = 'Bổ sung số liệu mục 4.'");
  fixture->workbook = bc_workbook_open (fixture->path, fixture->templates, 0, &error);
  g_assert_no_error (error);
  g_clear_object (&report);
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bc_report_get_review_comment (report), ==, NULL);
}

/* An acceptance with a comment: that comment is the report's, and its
 * receipt and reviews are listed for every report at once. */
static void
test_review_accept_comment (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(GPtrArray) reviews = NULL;
  g_autoptr(GHashTable) states = NULL;
  g_autofree char *page = NULL;
  BcSyncState *state;
  JsonArray *changes;
  gint64 revision;

  (void) data;

  make_ready (fixture->workbook, REPORT_ID, "QNG-SONTINH");
  queue_and_store (fixture, REPORT_ID, "QNG-000042");
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  revision = bc_report_get_revision (report);
  page = g_strdup_printf (
    "[{\"seq\": 7, \"kind\": \"review\", \"report_id\": \"" REPORT_ID "\", \"revision\": %" G_GINT64_FORMAT ","
    "  \"decision\": \"accepted\", \"comment\": \"Số liệu đầy đủ.\", \"reviewer\": null,"
    "  \"decided_at\": \"2018-06-25T08:00:00Z\"}]",
    revision);
  changes = parse_changes (page, &root);
  g_assert_true (bc_outbox_apply_changes (fixture->workbook, changes, 7, &error));
  g_assert_no_error (error);

  g_clear_object (&report);
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_cmpint (bc_report_get_status (report), ==, BC_STATUS_ACCEPTED);
  g_assert_cmpstr (bc_report_get_review_comment (report), ==, "Số liệu đầy đủ.");

  reviews = bc_outbox_list_reviews (fixture->workbook, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reviews->len, ==, 1);
  g_assert_true (((BcReview *) g_ptr_array_index (reviews, 0))->current);
  g_assert_null (((BcReview *) g_ptr_array_index (reviews, 0))->reviewer);

  states = bc_outbox_list_states (fixture->workbook, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (states), ==, 1);
  state = g_hash_table_lookup (states, REPORT_ID);
  g_assert_cmpstr (state->receipt_number, ==, "QNG-000042");
  g_assert_cmpint (state->received_at, ==, 1529550245000000);
  g_assert_cmpint (state->acked_revision, ==, revision);
}

static void
test_bad_page (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(BcReport) report = NULL;
  JsonArray *changes;

  (void) data;

  make_ready (fixture->workbook, REPORT_ID, "QNG-SONTINH");
  g_assert_true (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_QUEUED, NULL, &error));
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);

  /* A good receipt, then a change of the wrong shape: the page is applied
   * whole or not at all, the cursor with it. */
  {
    g_autofree char *page = g_strdup_printf (
      "[{\"seq\": 1, \"kind\": \"receipt\", \"report_id\": \"" REPORT_ID "\", \"revision\": %" G_GINT64_FORMAT ","
      "  \"receipt\": {\"number\": \"QNG-1\", \"received_at\": \"2018-06-21T03:04:05Z\"}},"
      " {\"seq\": 2, \"kind\": \"review\", \"report_id\": \"" REPORT_ID "\", \"revision\": \"7\","
      "  \"decision\": \"accepted\", \"decided_at\": \"2018-06-21T03:04:05Z\"}]",
      bc_report_get_revision (report));

    changes = parse_changes (page, &root);
  }
  g_assert_false (bc_outbox_apply_changes (fixture->workbook, changes, 2, &error));
  g_assert_error (error, BC_WIRE_ERROR, BC_WIRE_ERROR_BAD_SHAPE);
  g_assert_cmpint (status_of (fixture->workbook, REPORT_ID), ==, BC_STATUS_QUEUED);
  g_assert_cmpint (bc_outbox_get_cursor (fixture->workbook, NULL), ==, 0);
}

static void
test_settings (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *unit = NULL;

  (void) data;

  g_assert_null (bc_outbox_get_sync_setting (fixture->workbook, BC_SYNC_SETTING_SERVER_URL));
  g_assert_true (bc_outbox_set_sync_settings (fixture->workbook, &error,
                                              BC_SYNC_SETTING_SERVER_URL, "https://baocao.quangngai.gov.vn",
                                              BC_SYNC_SETTING_UNIT, "QNG-SONTINH",
                                              NULL));
  g_assert_no_error (error);
  url = bc_outbox_get_sync_setting (fixture->workbook, BC_SYNC_SETTING_SERVER_URL);
  unit = bc_outbox_get_sync_setting (fixture->workbook, BC_SYNC_SETTING_UNIT);
  g_assert_cmpstr (url, ==, "https://baocao.quangngai.gov.vn");
  g_assert_cmpstr (unit, ==, "QNG-SONTINH");
  g_assert_true (bc_outbox_set_sync_setting (fixture->workbook, BC_SYNC_SETTING_UNIT, NULL, &error));
  g_assert_null (bc_outbox_get_sync_setting (fixture->workbook, BC_SYNC_SETTING_UNIT));
}

static void
test_store_template (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *source = g_test_build_filename (G_TEST_DIST, "templates", "workbook", "wbtest-v2.json", NULL);
  g_autofree char *text = NULL;
  g_autofree char *folder = g_build_filename (fixture->dir, "received", NULL);
  g_autoptr(JsonNode) definition = NULL;
  g_autoptr(BcTemplate) stored = NULL;
  g_autoptr(BcTemplateRegistry) registry = bc_template_registry_new ();

  (void) data;

  g_assert_true (g_file_get_contents (source, &text, NULL, &error));
  definition = json_from_string (text, &error);
  g_assert_no_error (error);

  /* A version that is not what the file says, or an id that could leave
   * the folder, is refused. */
  g_assert_null (bc_outbox_store_template (folder, "wbtest", 3, definition, &error));
  g_assert_error (error, BC_WIRE_ERROR, BC_WIRE_ERROR_BAD_SHAPE);
  g_clear_error (&error);
  g_assert_null (bc_outbox_store_template (folder, "../wbtest", 2, definition, &error));
  g_assert_error (error, BC_WIRE_ERROR, BC_WIRE_ERROR_BAD_SHAPE);
  g_clear_error (&error);

  stored = bc_outbox_store_template (folder, "wbtest", 2, definition, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bc_template_get_version (stored), ==, 2);
  g_assert_cmpuint (bc_outbox_load_user_templates (registry, folder), ==, 1);
  g_assert_nonnull (bc_template_registry_lookup (registry, "wbtest", 2, NULL));
  /* Already there: not added twice. */
  g_assert_cmpuint (bc_outbox_load_user_templates (registry, folder), ==, 0);
}

static void
test_store_plan (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *source = g_build_filename (g_getenv ("BAOCAO_TEMPLATE_DIR"),
                                              "qng-kh-61-2019.plan.json", NULL);
  g_autofree char *text = NULL;
  g_autofree char *folder = g_build_filename (fixture->dir, "received", NULL);
  g_autofree char *path = g_build_filename (folder, "qng-kh-61-2019.plan.json", NULL);
  g_autoptr(JsonNode) definition = NULL;
  g_autoptr(BcPlan) stored = NULL;
  g_autoptr(BcTemplateRegistry) registry = bc_template_registry_new ();
  GDate due;

  (void) data;

  g_assert_true (g_file_get_contents (source, &text, NULL, &error));
  definition = json_from_string (text, &error);
  g_assert_no_error (error);

  /* A plan id that is not what the file says, or one that could leave the
   * folder, is refused, and nothing is written. */
  g_assert_null (bc_outbox_store_plan (folder, "qng-kh-62-2019", definition, &error));
  g_assert_error (error, BC_WIRE_ERROR, BC_WIRE_ERROR_BAD_SHAPE);
  g_clear_error (&error);
  g_assert_null (bc_outbox_store_plan (folder, "../qng-kh-61-2019", definition, &error));
  g_assert_error (error, BC_WIRE_ERROR, BC_WIRE_ERROR_BAD_SHAPE);
  g_clear_error (&error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  stored = bc_outbox_store_plan (folder, "qng-kh-61-2019", definition, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bc_plan_get_id (stored), ==, "qng-kh-61-2019");
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  /* Loaded from the folder as a plan (not set aside as a broken form):
   * reports get its due dates. */
  g_assert_false (bc_template_registry_due_date (registry, "2019Q3", "QNG-SONTINH", &due));
  g_assert_cmpuint (bc_outbox_load_user_templates (registry, folder), ==, 1);
  g_assert_true (bc_template_registry_due_date (registry, "2019Q3", "QNG-SONTINH", &due));
  g_assert_cmpint (g_date_get_day (&due), ==, 19);
  g_assert_cmpint (g_date_get_month (&due), ==, 9);
  /* Already there: not added twice. */
  g_assert_cmpuint (bc_outbox_load_user_templates (registry, folder), ==, 0);
  g_assert_cmpuint (bc_template_registry_get_plans (registry)->len, ==, 1);
}

/* ------------------------------------------------------------------------ */
/* Killed between queuing and receipt                                       */

/* The child (outbox-crash-child) queues reports and records their receipts
 * until killed, printing "q ID" after each queue and "s ID" after each
 * receipt committed. Whatever the moment: every report is either queued
 * with exactly one outbox row and no receipt, or sent with its receipt and
 * no outbox row; everything printed is there. */
static void
verify_crash (const char *path,
              GHashTable *printed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcWorkbook) workbook = bc_workbook_open (path, NULL, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_autoptr(GPtrArray) reports = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_assert_no_error (error);
  g_assert_true (bc_workbook_check (workbook, &error));
  reports = bc_workbook_list_reports (workbook, &error);
  g_assert_no_error (error);

  g_assert_cmpint (query_int (workbook, "SELECT count(*) FROM outbox o JOIN reports r "
                                        "ON r.id = o.report_id WHERE r.status <> 'queued'"), ==, 0);
  g_assert_cmpint (query_int (workbook, "SELECT count(*) FROM reports r WHERE status = 'queued' "
                                        "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.report_id = r.id)"), ==, 0);
  g_assert_cmpint (query_int (workbook, "SELECT count(*) FROM reports r WHERE status = 'sent' "
                                        "AND NOT EXISTS (SELECT 1 FROM sync_state s WHERE s.report_id = r.id "
                                        "AND s.receipt_number = 'R-' || r.id)"), ==, 0);
  g_assert_cmpint (query_int (workbook, "SELECT count(*) FROM sync_state s JOIN reports r "
                                        "ON r.id = s.report_id WHERE r.status <> 'sent'"), ==, 0);
  g_assert_cmpint (query_int (workbook, "SELECT count(*) FROM receipts"), ==,
                   query_int (workbook, "SELECT count(*) FROM reports WHERE status = 'sent'"));

  g_hash_table_iter_init (&iter, printed);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autoptr(BcReport) report = bc_workbook_load_report (workbook, key, &error);

      g_assert_no_error (error);
      if (GPOINTER_TO_INT (value) == 's')
        g_assert_cmpint (bc_report_get_status (report), ==, BC_STATUS_SENT);
      else
        g_assert_cmpint (bc_report_get_status (report), >=, BC_STATUS_QUEUED);
    }
}

static void
test_crash (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *child = g_test_build_filename (G_TEST_BUILT, "outbox-crash-child" EXE_SUFFIX, NULL);
  g_autofree char *templates = g_test_build_filename (G_TEST_DIST, "templates", "workbook", NULL);
  g_autoptr(GHashTable) printed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GRand) rand = g_rand_new ();
  const char *env = g_getenv ("BAOCAO_OUTBOX_CRASH_ITERATIONS");
  guint iterations = env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : DEFAULT_CRASH_ITERATIONS;
  guint killed_between = 0;

  (void) data;
  g_assert_finalize_object (g_steal_pointer (&fixture->workbook));

  for (guint i = 0; i < iterations; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GBytes) out = NULL;
      g_autofree char *offset = g_strdup_printf ("%u", i * 1000);
      g_auto(GStrv) lines = NULL;
      const char *text;
      gsize length;

      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, child, fixture->path,
                                  templates, offset, NULL);
      g_assert_no_error (error);

      /* Once it is at work (its first line: slow starts, as under a
       * sanitizer, do not use up the delay), kill it a random moment later. */
      {
        GInputStream *pipe = g_subprocess_get_stdout_pipe (process);
        g_autoptr(GByteArray) all = g_byte_array_new ();
        guint8 buffer[4096];
        gssize n;

        do
          {
            n = g_input_stream_read (pipe, buffer, sizeof buffer, NULL, &error);
            g_assert_no_error (error);
            g_byte_array_append (all, buffer, (guint) MAX (n, 0));
          }
        while (n > 0 && memchr (all->data, '\n', all->len) == NULL);

        g_usleep (g_rand_int_range (rand, 0, MAX_DELAY_US));
        g_subprocess_force_exit (process);
        while ((n = g_input_stream_read (pipe, buffer, sizeof buffer, NULL, NULL)) > 0)
          g_byte_array_append (all, buffer, (guint) n);
        g_subprocess_wait (process, NULL, NULL);
        out = g_byte_array_free_to_bytes (g_steal_pointer (&all));
      }

      text = g_bytes_get_data (out, &length);
      {
        /* The bytes read are not NUL-terminated. */
        g_autofree char *copy = g_strndup (length > 0 ? text : "", length);

        lines = g_strsplit (copy, "\n", -1);
      }
      for (guint j = 0; lines[j] != NULL; j++)
        {
          /* Only whole lines: the last may be cut. */
          if (lines[j + 1] == NULL || strlen (lines[j]) < 3)
            continue;
          g_hash_table_insert (printed, g_strdup (lines[j] + 2), GINT_TO_POINTER (lines[j][0]));
        }

      verify_crash (fixture->path, printed);
    }

  /* The kill landed between a queue and its receipt at least once, or the
   * test proved little. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(BcWorkbook) workbook = bc_workbook_open (fixture->path, NULL, BC_WORKBOOK_OPEN_DEFAULT, &error);

    g_assert_no_error (error);
    killed_between = (guint) query_int (workbook, "SELECT count(*) FROM reports WHERE status = 'queued'");
    g_test_message ("%u reports, %u left queued by a kill",
                    (guint) query_int (workbook, "SELECT count(*) FROM reports"), killed_between);
  }
  if (iterations >= DEFAULT_CRASH_ITERATIONS)
    g_assert_cmpuint (killed_between, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/core/outbox/migrate-v1", test_migrate_v1);
  ADD ("/core/outbox/queue", test_queue);
  ADD ("/core/outbox/receipt", test_receipt);
  ADD ("/core/outbox/refused", test_refused);
  ADD ("/core/outbox/review", test_review);
  ADD ("/core/outbox/review-accept-comment", test_review_accept_comment);
  ADD ("/core/outbox/bad-page", test_bad_page);
  ADD ("/core/outbox/settings", test_settings);
  ADD ("/core/outbox/store-template", test_store_template);
  ADD ("/core/outbox/store-plan", test_store_plan);
  ADD ("/core/outbox/crash", test_crash);

  return g_test_run ();
}
