/* test-sync-conflict.c: the province's copy of a report in conflict, fetched
 * from a real baocao-server, and the conflict resolved per field.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two copies of one workbook (a copy taken to another machine) change the
 * same returned report. The first to send is stored; the second is kept
 * beside it as a conflict. The second fetches the province's copy (GET
 * /api/v1/reports/{id}), takes one field from it and keeps its own others,
 * and sends again: stored, as the server's current revision, with every
 * earlier revision still on the server.
 */
#define G_LOG_DOMAIN "test-sync-conflict"

#include "config.h"

#include <string.h>

#include "bc-conflict.h"
#include "bc-outbox.h"
#include "bc-sync-harness.h"
#include "bc-test-util.h"

typedef struct {
  char         *dir;
  char         *data_dir;
  BcTestServer *server;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  (void) data;
  fixture->dir = g_dir_make_tmp ("baocao-sync-conflict-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->data_dir = g_build_filename (fixture->dir, "server", NULL);
  bc_test_server_prepare (fixture->data_dir);
  fixture->server = bc_test_server_start (fixture->data_dir, 0, NULL, NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  (void) data;
  g_clear_pointer (&fixture->server, bc_test_server_free);
  bc_test_remove_tree (fixture->dir);
  g_free (fixture->data_dir);
  g_free (fixture->dir);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  (void) source;
  *(GAsyncResult **) data = g_object_ref (result);
}

static BcSyncServerReport *
fetch (BcSyncClient  *client,
       const char    *report_id,
       GError       **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;
  BcSyncServerReport *report;

  g_main_context_push_thread_default (context);
  bc_sync_client_fetch_report_async (client, report_id, NULL, on_done, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  report = bc_sync_client_fetch_report_finish (client, result, error);
  g_main_context_pop_thread_default (context);
  return report;
}

static void
set (BcWorkbook *workbook,
     const char *id,
     const char *key,
     const char *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (bc_workbook_set_value (workbook, id, key, 0, value, &error));
  g_assert_no_error (error);
}

static const char *
value_of (BcSyncServerReport *report,
          const char         *key)
{
  JsonObject *values = json_object_get_object_member (json_node_get_object (report->content), "values");

  return json_object_get_string_member_with_default (values, key, NULL);
}

static const char *
only_result (BcSyncSummary *summary)
{
  g_assert_cmpuint (summary->results->len, ==, 1);
  return bc_sync_result_kind_to_string (((BcSyncPushResult *) g_ptr_array_index (summary->results, 0))->result);
}

/* Sent, returned by the province, and the workbook copied to another
 * machine: `a` and `b` hold the same returned report, the id returned. */
static char *
returned_in_two_copies (Fixture        *fixture,
                        BcWorkbook    **a,
                        BcWorkbook    **b,
                        gint64         *returned_revision)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path_a = g_build_filename (fixture->dir, "a.baocao", NULL);
  g_autofree char *path_b = g_build_filename (fixture->dir, "b.baocao", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(BcSyncClient) client = NULL;
  g_autoptr(BcSyncSummary) summary = NULL;
  g_autoptr(BcReport) report = NULL;
  char *id;
  gsize length;

  *a = bc_test_workbook_new (fixture->dir, "a.baocao");
  client = bc_test_client_new (*a, fixture->dir);
  bc_test_client_enrol (client, bc_test_server_get_url (fixture->server), "user-0", &error);
  g_assert_no_error (error);
  id = bc_test_queue_new_report (*a, "2018Q2", NULL);
  summary = bc_test_client_sync (client, &error);
  g_assert_no_error (error);
  g_clear_pointer (&summary, bc_sync_summary_free);
  g_free (bc_test_server_admin (fixture->data_dir, "review", "return", id, "--comment", "Sửa lại.", NULL));
  summary = bc_test_client_sync (client, &error);
  g_assert_no_error (error);
  report = bc_workbook_load_report (*a, id, &error);
  g_assert_cmpint (bc_report_get_status (report), ==, BC_STATUS_RETURNED);
  *returned_revision = bc_report_get_revision (report);

  g_clear_object (&client);
  bc_workbook_close (*a);
  g_clear_object (a);
  g_assert_true (g_file_get_contents (path_a, &contents, &length, &error));
  g_assert_true (g_file_set_contents (path_b, contents, (gssize) length, &error));
  g_assert_no_error (error);
  *a = bc_test_workbook_new (fixture->dir, "a.baocao");
  *b = bc_test_workbook_new (fixture->dir, "b.baocao");
  return id;
}

static void
test_fetch_and_resolve (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(BcWorkbook) a = NULL;
  g_autoptr(BcWorkbook) b = NULL;
  g_autoptr(BcSyncClient) client_a = NULL;
  g_autoptr(BcSyncClient) client_b = NULL;
  g_autoptr(BcSyncSummary) summary = NULL;
  g_autoptr(BcSyncServerReport) province = NULL;
  g_autoptr(BcSyncServerReport) after = NULL;
  g_autoptr(BcSyncServerReport) missing = NULL;
  g_autoptr(BcSyncState) state = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  const char *take[] = { "policies_text", NULL };
  gint64 returned_revision, a_revision, b_revision;

  (void) data;

  id = returned_in_two_copies (fixture, &a, &b, &returned_revision);
  client_a = bc_test_client_new (a, fixture->dir);
  client_b = bc_test_client_new (b, fixture->dir);

  /* Here (A): two fields changed, sent first: stored. */
  g_assert_true (bc_workbook_set_status (a, id, BC_STATUS_DRAFT, NULL, &error));
  set (a, id, "policies_text", "Bản A: chính sách");
  set (a, id, "architecture_text", "Bản A: kiến trúc");
  bc_test_ready_and_queue (a, id);
  summary = bc_test_client_sync (client_a, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (only_result (summary), ==, "stored");
  g_clear_pointer (&summary, bc_sync_summary_free);
  a_revision = returned_revision + 2;

  /* There (B): three fields, on the same returned revision: a conflict. */
  g_assert_true (bc_workbook_set_status (b, id, BC_STATUS_DRAFT, NULL, &error));
  set (b, id, "policies_text", "Bản B: chính sách");
  set (b, id, "architecture_text", "Bản B: kiến trúc");
  set (b, id, "difficulties_text", "Bản B: khó khăn");
  bc_test_ready_and_queue (b, id);
  summary = bc_test_client_sync (client_b, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (only_result (summary), ==, "conflict");
  g_clear_pointer (&summary, bc_sync_summary_free);
  b_revision = returned_revision + 3;
  state = bc_outbox_get_state (b, id, &error);
  g_assert_true (state->conflict);
  g_clear_pointer (&state, bc_sync_state_free);

  /* The province's copy: A's, current; B's kept beside. */
  province = fetch (client_b, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (province->current_revision, ==, a_revision);
  g_assert_cmpint (province->max_revision, ==, b_revision);
  g_assert_cmpuint (province->n_revisions, ==, 3);
  g_assert_cmpstr (value_of (province, "policies_text"), ==, "Bản A: chính sách");
  g_assert_cmpstr (value_of (province, "architecture_text"), ==, "Bản A: kiến trúc");

  /* Side by side: the three fields that differ. */
  changes = bc_conflict_compare (b, id, province->content, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 3);

  /* B takes the province's policies and keeps its architecture and
   * difficulties; sent again: stored, now the province's current. */
  g_assert_true (bc_conflict_resolve (b, id, province->content, province->current_revision,
                                      province->max_revision, take, &error));
  g_assert_no_error (error);
  summary = bc_test_client_sync (client_b, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (only_result (summary), ==, "stored");
  g_clear_pointer (&summary, bc_sync_summary_free);
  state = bc_outbox_get_state (b, id, &error);
  g_assert_false (state->conflict);

  after = fetch (client_b, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (after->current_revision, >, b_revision);
  g_assert_cmpstr (value_of (after, "policies_text"), ==, "Bản A: chính sách");
  g_assert_cmpstr (value_of (after, "architecture_text"), ==, "Bản B: kiến trúc");
  g_assert_cmpstr (value_of (after, "difficulties_text"), ==, "Bản B: khó khăn");
  /* Nothing lost on the server: the returned, A's, B's, and the mix. */
  g_assert_cmpuint (after->n_revisions, ==, 4);

  /* A report the server does not hold for this unit: said plainly. */
  missing = fetch (client_b, "00000000-0000-4000-8000-000000000000", &error);
  g_assert_null (missing);
  g_assert_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "does not hold"));
  g_clear_error (&error);

  /* No server: offline, in plain words. */
  bc_test_server_kill (fixture->server);
  missing = fetch (client_b, id, &error);
  g_assert_null (missing);
  g_assert_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_OFFLINE);
  g_test_message ("%s", error->message);

  g_clear_object (&client_a);
  g_clear_object (&client_b);
  bc_workbook_close (a);
  bc_workbook_close (b);
}

static JsonArray *
rows_of (JsonNode   *content,
         const char *table)
{
  return json_object_get_array_member (json_object_get_object_member (json_node_get_object (content),
                                                                      "tables"), table);
}

/* A row that another device added, taken from the province's copy, goes
 * back to the server under that device's row id: the server's current copy
 * has it once, and this copy and the province's no longer differ on it. */
static void
test_take_province_row (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *row_name = NULL;
  g_autoptr(BcWorkbook) a = NULL;
  g_autoptr(BcWorkbook) b = NULL;
  g_autoptr(BcSyncClient) client_a = NULL;
  g_autoptr(BcSyncClient) client_b = NULL;
  g_autoptr(BcSyncSummary) summary = NULL;
  g_autoptr(BcSyncServerReport) province = NULL;
  g_autoptr(BcSyncServerReport) after = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(BcReport) report = NULL;
  JsonArray *rows;
  guint n_rows;
  gint64 returned_revision, mistaken, added;

  (void) data;

  id = returned_in_two_copies (fixture, &a, &b, &returned_revision);
  client_a = bc_test_client_new (a, fixture->dir);
  client_b = bc_test_client_new (b, fixture->dir);
  report = bc_workbook_load_report (a, id, &error);
  n_rows = bc_report_get_n_rows (report, "policy_documents");
  g_clear_object (&report);

  /* There (A): a document added; sent first. */
  g_assert_true (bc_workbook_set_status (a, id, BC_STATUS_DRAFT, NULL, &error));
  added = bc_workbook_add_row (a, id, "policy_documents", &error);
  g_assert_no_error (error);
  g_assert_true (bc_workbook_set_value (a, id, "policy_documents.number", added, "15/KH-UBND", &error));
  g_assert_true (bc_workbook_set_value (a, id, "policy_documents.summary", added,
                                        "Kế hoạch chuyển đổi số năm 2018", &error));
  g_assert_no_error (error);
  bc_test_ready_and_queue (a, id);
  summary = bc_test_client_sync (client_a, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (only_result (summary), ==, "stored");
  g_clear_pointer (&summary, bc_sync_summary_free);

  /* Here (B), on the same returned revision: a document added and removed
   * again (the row id A gave its document, so this copy's next one is
   * another), and two fields; sent: a conflict. (More edits than A's, so
   * that B's revision is above A's, as in the test above.) */
  g_assert_true (bc_workbook_set_status (b, id, BC_STATUS_DRAFT, NULL, &error));
  mistaken = bc_workbook_add_row (b, id, "policy_documents", &error);
  g_assert_no_error (error);
  g_assert_cmpint (mistaken, ==, added);
  g_assert_true (bc_workbook_remove_row (b, id, "policy_documents", mistaken, &error));
  g_assert_no_error (error);
  set (b, id, "difficulties_text", "Bản B: khó khăn");
  set (b, id, "architecture_text", "Bản B: kiến trúc");
  bc_test_ready_and_queue (b, id);
  summary = bc_test_client_sync (client_b, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (only_result (summary), ==, "conflict");
  g_clear_pointer (&summary, bc_sync_summary_free);

  /* B takes A's document and keeps its own fields. */
  province = fetch (client_b, id, &error);
  g_assert_no_error (error);
  row_name = g_strdup_printf ("policy_documents#%" G_GINT64_FORMAT, added);
  {
    const char *take[] = { row_name, NULL };

    gboolean ok = bc_conflict_resolve (b, id, province->content, province->current_revision,
                                       province->max_revision, take, &error);

    g_assert_no_error (error);
    g_assert_true (ok);
  }
  summary = bc_test_client_sync (client_b, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (only_result (summary), ==, "stored");
  g_clear_pointer (&summary, bc_sync_summary_free);

  /* The server's current copy: the document once, under A's row id. */
  after = fetch (client_b, id, &error);
  g_assert_no_error (error);
  rows = rows_of (after->content, "policy_documents");
  g_assert_cmpuint (json_array_get_length (rows), ==, n_rows + 1);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      gboolean is_added = json_object_get_int_member (row, "row_id") == added;

      g_assert_cmpint (is_added, ==, g_strcmp0 (json_object_get_string_member_with_default (row, "number", NULL),
                                                "15/KH-UBND") == 0);
    }
  g_assert_cmpstr (value_of (after, "difficulties_text"), ==, "Bản B: khó khăn");

  /* Against A's copy, only B's own fields still differ. */
  changes = bc_conflict_compare (b, id, province->content, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 2);
  g_assert_cmpstr (((BcChange *) g_ptr_array_index (changes, 0))->key, ==, "architecture_text");
  g_assert_cmpstr (((BcChange *) g_ptr_array_index (changes, 1))->key, ==, "difficulties_text");

  g_clear_object (&client_a);
  g_clear_object (&client_b);
  bc_workbook_close (a);
  bc_workbook_close (b);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("BAOCAO_LANGUAGE", "en", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/sync/conflict/fetch-and-resolve", Fixture, NULL, fixture_setup,
              test_fetch_and_resolve, fixture_teardown);
  g_test_add ("/sync/conflict/take-province-row", Fixture, NULL, fixture_setup,
              test_take_province_row, fixture_teardown);

  return g_test_run ();
}
