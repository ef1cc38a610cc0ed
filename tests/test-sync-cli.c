/* test-sync-cli.c: baocao-cli enrol, sync and outbox against a real baocao-server.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test starts its own `baocao-server serve` on 127.0.0.1 (a port the
 * system picks) with a fresh data directory, loads units and an account
 * with the server's admin commands, and drives baocao-cli as an officer
 * would: enrol, fill a report, sync, read the province's decision.
 */
#define G_LOG_DOMAIN "test-sync-cli"

#include "config.h"
#include "bc-test-util.h"
#include "bc-cli-test.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

static void
fixture_setup (BcCliFixture  *fixture,
               gconstpointer  data)
{
  (void) data;
  bc_cli_test_setup (fixture, "baocao-sync-cli-XXXXXX");
}

static void
fixture_teardown (BcCliFixture  *fixture,
                  gconstpointer  data)
{
  (void) data;
  bc_cli_test_teardown (fixture);
}


/* ------------------------------------------------------------------------ */

static void
test_round_trip (BcCliFixture  *fixture,
                 gconstpointer  data)
{
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(JsonNode) third = NULL;
  g_autoptr(JsonNode) last = NULL;
  g_autoptr(JsonNode) on_server = NULL;
  g_autoptr(JsonNode) shown = NULL;
  g_autoptr(JsonNode) outbox = NULL;
  g_autofree char *id = NULL;
  g_autofree char *receipt = NULL;
  JsonObject *result;
  JsonArray *results;

  (void) data;

  bc_cli_test_enrol (fixture);
  id = bc_cli_test_ready_report (fixture, "2018Q2", BC_CLI_TEST_UNIT);

  /* Nothing waits in the outbox yet: sync queues what is ready. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "outbox", "--json", NULL), ==, 0);
  outbox = bc_cli_test_parse_json (run.out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (outbox)), ==, 0);

  /* The first sync sends it and prints its receipt, at the local time in
   * the officer's format (not ISO UTC). */
  g_assert_cmpint (bc_cli_test_cli_vi (fixture, &run, "sync", NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, id));
  g_assert_true (g_regex_match_simple ("biên nhận [A-Z]+-[0-9]+ lúc [0-9]{2}/[0-9]{2}/[0-9]{4} "
                                       "[0-9]{2}:[0-9]{2}\n", run.out, 0, 0));
  g_assert_cmpstr (bc_cli_test_report_status (fixture, id, &shown), ==, "sent");
  g_clear_pointer (&shown, json_node_unref);

  /* The receipt stays the officer's proof: `show` prints it. */
  g_assert_cmpint (bc_cli_test_cli_vi (fixture, &run, "show", id, NULL), ==, 0);
  g_assert_true (g_regex_match_simple ("\nBiên nhận: +[A-Z]+-[0-9]+ lúc [0-9]{2}/[0-9]{2}/[0-9]{4} "
                                       "[0-9]{2}:[0-9]{2}\n", run.out, 0, 0));
  g_assert_cmpuint (json_array_get_length (bc_cli_test_server_reports (fixture, &on_server)), ==, 1);
  g_clear_pointer (&on_server, json_node_unref);

  /* The second sends nothing, and the server still holds one report; it
   * still spoke to the server (progress counts bytes both ways). */
  result = bc_cli_test_sync_json (fixture, &first);
  g_assert_cmpint (json_object_get_int_member (result, "bytes_sent"), >, 0);
  g_assert_cmpint (json_object_get_int_member (result, "bytes_received"), >, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (result, "results")), ==, 0);
  g_assert_cmpuint (json_array_get_length (bc_cli_test_server_reports (fixture, &on_server)), ==, 1);
  g_clear_pointer (&on_server, json_node_unref);

  /* The province returns it with a comment: after sync it is returned,
   * with the comment, and editable once taken back to draft. */
  bc_cli_test_admin (fixture, "review", "return", id, "--comment", "Bổ sung số liệu mục 4.",
                     "--reviewer", "Nguyễn Văn A", NULL);
  result = bc_cli_test_sync_json (fixture, &second);
  g_assert_cmpint (json_object_get_int_member (result, "reviews"), ==, 1);
  {
    JsonArray *reviewed = json_object_get_array_member (result, "reviewed");
    JsonObject *review;

    g_assert_cmpuint (json_array_get_length (reviewed), ==, 1);
    review = json_array_get_object_element (reviewed, 0);
    g_assert_cmpstr (json_object_get_string_member (review, "report_id"), ==, id);
    g_assert_cmpstr (json_object_get_string_member (review, "decision"), ==, "returned");
    g_assert_cmpstr (json_object_get_string_member (review, "reviewer"), ==, "Nguyễn Văn A");
  }
  g_assert_cmpstr (bc_cli_test_report_status (fixture, id, &shown), ==, "returned");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (shown), "review_comment"), ==,
                   "Bổ sung số liệu mục 4.");
  {
    JsonObject *review = json_object_get_object_member (json_node_get_object (shown), "review");

    g_assert_cmpstr (json_object_get_string_member (review, "decision"), ==, "returned");
    g_assert_true (json_object_get_boolean_member (review, "current"));
  }
  g_clear_pointer (&shown, json_node_unref);
  /* The comment under its own name, with who wrote it and when. */
  g_assert_cmpint (bc_cli_test_cli_vi (fixture, &run, "show", id, NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "\nÝ kiến người duyệt: Bổ sung số liệu mục 4. (Nguyễn Văn A, "));
  g_assert_nonnull (strstr (run.out, "\nKết quả duyệt: Bị trả lại, lần sửa "));
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "changes", id, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "Nothing changed since revision "));
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "draft", id, NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "set", id, "services_level3", "5", NULL), ==, 0);

  /* What changed since the revision the province has: that one field. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "changes", id, NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "Services at level 3: 0 → 5\n"));
  g_assert_cmpint (bc_cli_test_cli_vi (fixture, &run, "changes", id, NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "Số dịch vụ công trực tuyến mức độ 3: 0 → 5\n"));
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "changes", id, "--json", NULL), ==, 0);
  {
    g_autoptr(JsonNode) changed = bc_cli_test_parse_json (run.out);
    JsonObject *root = json_node_get_object (changed);
    JsonArray *list = json_object_get_array_member (root, "changes");
    JsonObject *change;

    g_assert_cmpint (json_object_get_int_member (root, "sent_revision"), >, 0);
    g_assert_cmpint (json_object_get_int_member (root, "revision"), >,
                     json_object_get_int_member (root, "sent_revision"));
    g_assert_cmpuint (json_array_get_length (list), ==, 1);
    change = json_array_get_object_element (list, 0);
    g_assert_cmpstr (json_object_get_string_member (change, "kind"), ==, "value");
    g_assert_cmpstr (json_object_get_string_member (change, "path"), ==, "services_level3");
    g_assert_cmpstr (json_object_get_string_member (change, "old"), ==, "0");
    g_assert_cmpstr (json_object_get_string_member (change, "new"), ==, "5");
  }
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "ready", id, NULL), ==, 0);

  /* Sent again as a new revision based on the one the server holds. */
  result = bc_cli_test_sync_json (fixture, &third);
  results = json_object_get_array_member (result, "results");
  g_assert_cmpuint (json_array_get_length (results), ==, 1);
  g_assert_cmpint (json_object_get_int_member (result, "items_total"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (result, "items_done"), ==, 1);
  result = json_array_get_object_element (results, 0);
  g_assert_cmpstr (json_object_get_string_member (result, "result"), ==, "stored");
  g_assert_false (json_object_get_boolean_member (result, "replayed"));
  receipt = g_strdup (json_object_get_string_member (json_object_get_object_member (result, "receipt"),
                                                     "number"));
  g_assert_cmpstr (bc_cli_test_report_status (fixture, id, &shown), ==, "sent");
  g_clear_pointer (&shown, json_node_unref);
  /* Sent again: the return is history, labelled with its revision. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "show", id, NULL), ==, 0);
  g_assert_null (strstr (run.out, "Reviewer's comment:"));
  g_assert_true (g_regex_match_simple ("\nEarlier review: Returned, revision [0-9]+ "
                                       "\\(Nguyễn Văn A, [0-9/]+ [0-9:]+\\): Bổ sung số liệu mục 4.\n",
                                       run.out, 0, 0));

  /* Accepted on the server: accepted here after sync, and final; the sync
   * says which report and what was decided. */
  bc_cli_test_admin (fixture, "review", "accept", id, "--reviewer", "Trần Thị B", NULL);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", NULL), ==, 0);
  {
    g_autofree char *short_id = g_strndup (id, 8);
    g_autofree char *line = g_strdup_printf ("  %s ", short_id);
    const char *at = strstr (run.out, line);

    g_assert_nonnull (at);
    g_assert_nonnull (strstr (at, ", QNG-SONTINH: Accepted, revision "));
    g_assert_nonnull (strstr (at, " (Trần Thị B, "));
  }
  g_assert_cmpstr (bc_cli_test_report_status (fixture, id, &shown), ==, "accepted");
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "draft", id, NULL), ==, 1);

  /* No return comment presented as current: review_comment is the
   * acceptance's (none), the review member says accepted, and the
   * receipt of the accepted revision is there. */
  {
    JsonObject *object = json_node_get_object (shown);
    JsonObject *review = json_object_get_object_member (object, "review");
    JsonObject *shown_receipt = json_object_get_object_member (object, "receipt");

    g_assert_true (json_object_get_null_member (object, "review_comment"));
    g_assert_cmpstr (json_object_get_string_member (review, "decision"), ==, "accepted");
    g_assert_true (json_object_get_null_member (review, "comment"));
    g_assert_cmpstr (json_object_get_string_member (review, "reviewer"), ==, "Trần Thị B");
    g_assert_true (json_object_get_boolean_member (review, "current"));
    g_assert_cmpint (json_object_get_int_member (review, "revision"), ==,
                     json_object_get_int_member (object, "revision"));
    g_assert_cmpstr (json_object_get_string_member (shown_receipt, "number"), ==, receipt);
    g_assert_true (g_str_has_suffix (json_object_get_string_member (shown_receipt, "received_at"), "Z"));
  }
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "show", id, NULL), ==, 0);
  g_assert_null (strstr (run.out, "Reviewer's comment:"));
  g_assert_nonnull (strstr (run.out, "\nReview:        Accepted, revision "));
  g_assert_nonnull (strstr (run.out, "\nEarlier review: Returned, revision "));
  {
    g_autofree char *receipt_line = g_strdup_printf ("\nReceipt:       %s at ", receipt);

    g_assert_nonnull (strstr (run.out, receipt_line));
  }
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "list", "--json", NULL), ==, 0);
  {
    g_autoptr(JsonNode) listed = bc_cli_test_parse_json (run.out);
    JsonObject *entry = json_array_get_object_element (json_node_get_array (listed), 0);

    g_assert_cmpstr (json_object_get_string_member (entry, "id"), ==, id);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (entry, "receipt"),
                                                    "number"), ==, receipt);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (entry, "review"),
                                                    "decision"), ==, "accepted");
  }

  /* And a sync after that has nothing to do. */
  result = bc_cli_test_sync_json (fixture, &last);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (result, "results")), ==, 0);
  g_assert_cmpint (json_object_get_int_member (result, "changes"), ==, 0);
  g_assert_nonnull (receipt);
}

static void
test_token_file (BcCliFixture  *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_auto(BcCliRun) run = { 0 };

  (void) data;

  bc_cli_test_enrol (fixture);
  g_assert_true (g_file_get_contents (fixture->token_file, &token, NULL, &error));
  g_assert_true (g_str_has_prefix (token, "bct1."));
#ifndef G_OS_WIN32
  {
    GStatBuf buf;

    g_assert_cmpint (g_stat (fixture->token_file, &buf), ==, 0);
    g_assert_cmpint (buf.st_mode & 0777, ==, 0600);
  }

  /* A token file others may read is refused, not used. */
  g_assert_cmpint (g_chmod (fixture->token_file, 0644), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", NULL), !=, 0);
  g_assert_nonnull (strstr (run.err, "chmod 600"));
  g_assert_cmpint (g_chmod (fixture->token_file, 0600), ==, 0);
#endif

  /* The password is kept nowhere: not in the workbook, not in the token. */
  {
    g_autofree char *workbook = NULL;
    gsize length;

    g_assert_true (g_file_get_contents (fixture->workbook, &workbook, &length, &error));
    g_assert_null (g_strstr_len (workbook, (gssize) length, BC_CLI_TEST_PASSWORD));
    g_assert_null (strstr (token, BC_CLI_TEST_PASSWORD));
  }

  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", NULL), ==, 0);
}

static void
test_wrong_password (BcCliFixture  *fixture,
                     gconstpointer  data)
{
  g_auto(BcCliRun) run = { 0 };
  g_autofree char *wrong = bc_cli_test_write_file (fixture, "wrong", "mật-khẩu-sai\n");

  (void) data;

  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "enrol", fixture->url, "--user", BC_CLI_TEST_USER,
                                    "--password-file", wrong, "--token-file", fixture->token_file, NULL),
                   ==, BC_CLI_TEST_EXIT_BAD_PASSWORD);
  g_assert_nonnull (strstr (run.err, "password is wrong"));
  g_assert_false (g_file_test (fixture->token_file, G_FILE_TEST_EXISTS));

  /* An unknown user answers alike. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "enrol", fixture->url, "--user", "khong-co",
                                    "--password-file", wrong, "--token-file", fixture->token_file, NULL),
                   ==, BC_CLI_TEST_EXIT_BAD_PASSWORD);

  /* Not enrolled: sync says so. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", NULL), !=, 0);
  g_assert_nonnull (strstr (run.err, "not enrolled"));
}

static void
test_revoked (BcCliFixture  *fixture,
              gconstpointer  data)
{
  g_auto(BcCliRun) run = { 0 };
  g_autofree char *id = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) fields = NULL;
  const char *argv[] = { g_getenv ("BAOCAO_SERVER"), "devices", "list", "--data", NULL, NULL };

  (void) data;

  bc_cli_test_enrol (fixture);
  id = bc_cli_test_ready_report (fixture, "2018Q2", BC_CLI_TEST_UNIT);

  argv[4] = fixture->data;
  bc_cli_test_run_program (fixture, NULL, &run, argv);
  g_assert_cmpint (run.status, ==, 0);
  lines = g_strsplit (run.out, "\n", -1);
  fields = g_strsplit (lines[0], " ", 2);
  bc_cli_test_admin (fixture, "devices", "revoke", fields[0], NULL);

  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", NULL), ==, BC_CLI_TEST_EXIT_REVOKED);
  g_assert_nonnull (strstr (run.err, "revoked"));
  g_assert_nonnull (strstr (run.err, "enrol"));

  /* Nothing was stored: the report waits in the outbox with the reason,
   * and the server holds nothing. */
  {
    g_autoptr(JsonNode) on_server = NULL;
    g_autoptr(JsonNode) shown = NULL;
    g_autoptr(JsonNode) outbox = NULL;
    JsonObject *item;

    g_assert_cmpuint (json_array_get_length (bc_cli_test_server_reports (fixture, &on_server)), ==, 0);
    g_assert_cmpstr (bc_cli_test_report_status (fixture, id, &shown), ==, "queued");
    g_assert_cmpint (bc_cli_test_cli (fixture, &run, "outbox", "--json", NULL), ==, 0);
    outbox = bc_cli_test_parse_json (run.out);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (outbox)), ==, 1);
    item = json_array_get_object_element (json_node_get_array (outbox), 0);
    g_assert_cmpstr (json_object_get_string_member (item, "report_id"), ==, id);
    g_assert_cmpint (json_object_get_int_member (item, "attempts"), ==, 1);
    g_assert_nonnull (strstr (json_object_get_string_member (item, "last_error"), "revoked"));
  }
}

static void
test_server_down (BcCliFixture  *fixture,
                  gconstpointer  data)
{
  g_auto(BcCliRun) run = { 0 };
  g_autofree char *id = NULL;
  g_autoptr(JsonNode) shown = NULL;
  g_autoptr(JsonNode) again = NULL;

  (void) data;

  bc_cli_test_enrol (fixture);
  id = bc_cli_test_ready_report (fixture, "2018Q2", BC_CLI_TEST_UNIT);
  bc_cli_test_stop_server (fixture);

  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", NULL), ==, BC_CLI_TEST_EXIT_OFFLINE);
  g_assert_nonnull (strstr (run.err, "Cannot reach the server"));
  g_assert_cmpint (bc_cli_test_cli_vi (fixture, &run, "sync", NULL), ==, BC_CLI_TEST_EXIT_OFFLINE);
  g_assert_nonnull (strstr (run.err, "Không kết nối được máy chủ"));
  g_assert_cmpstr (bc_cli_test_report_status (fixture, id, &shown), ==, "ready");

  /* Back up on the same data and port range: the report goes, once. */
  {
    g_autofree char *old_url = g_steal_pointer (&fixture->url);
    g_autoptr(JsonNode) on_server = NULL;
    g_autofree char *password = g_build_filename (fixture->dir, "password", NULL);

    bc_cli_test_start_server (fixture);
    /* A new port: enrol again (the same server id keeps the cursor). */
    g_assert_cmpint (bc_cli_test_cli (fixture, &run, "enrol", fixture->url, "--user", BC_CLI_TEST_USER,
                                      "--password-file", password, "--token-file", fixture->token_file, NULL),
                     ==, 0);
    g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", NULL), ==, 0);
    g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", NULL), ==, 0);
    g_assert_cmpstr (bc_cli_test_report_status (fixture, id, &again), ==, "sent");

    /* Enrolling again signed the previous token out: one device active. */
    {
      const char *argv[] = { g_getenv ("BAOCAO_SERVER"), "devices", "list", "--data",
                             fixture->data, NULL };
      g_auto(GStrv) lines = NULL;
      guint active = 0, revoked = 0;

      bc_cli_test_run_program (fixture, NULL, &run, argv);
      g_assert_cmpint (run.status, ==, 0);
      lines = g_strsplit (g_strstrip (run.out), "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          active += strstr (lines[i], "active") != NULL;
          revoked += strstr (lines[i], "revoked") != NULL;
        }
      g_assert_cmpuint (active, ==, 1);
      g_assert_cmpuint (revoked, ==, 1);
    }
    g_assert_cmpuint (json_array_get_length (bc_cli_test_server_reports (fixture, &on_server)), ==, 1);
    g_assert_nonnull (old_url);
  }
}

/* Runs openssl in the fixture's folder; FALSE when there is no openssl. */
static gboolean
openssl (BcCliFixture *fixture,
         const char   *arguments)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *command = g_strdup_printf ("openssl %s", arguments);
  g_auto(GStrv) argv = NULL;
  g_autofree char *program = g_find_program_in_path ("openssl");
  int status;

  if (program == NULL)
    return FALSE;
  g_shell_parse_argv (command, NULL, &argv, &error);
  g_assert_no_error (error);
  g_spawn_sync (fixture->dir, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL
                | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return TRUE;
}

/* A certificate for `name` (SAN `san`) signed by the fixture's CA. */
static void
make_certificate (BcCliFixture *fixture,
                  const char   *name,
                  const char   *san)
{
  g_autofree char *ext = g_strdup_printf ("subjectAltName=%s\nbasicConstraints=CA:FALSE\n"
                                          "extendedKeyUsage=serverAuth\n", san);
  g_autofree char *ext_text = g_strcompress (ext);
  g_autofree char *ext_name = g_strdup_printf ("%s.ext", name);
  g_autofree char *ext_path = bc_cli_test_write_file (fixture, ext_name, ext_text);
  g_autofree char *request = g_strdup_printf ("req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                                              "-nodes -keyout %s.key -out %s.csr -subj /CN=%s",
                                              name, name, name);
  g_autofree char *sign = g_strdup_printf ("x509 -req -in %s.csr -CA ca.pem -CAkey ca.key "
                                           "-CAcreateserial -out %s.pem -days 30 -extfile %s",
                                           name, name, ext_path);

  g_assert_true (openssl (fixture, request));
  g_assert_true (openssl (fixture, sign));
}

static void
test_tls (BcCliFixture  *fixture,
          gconstpointer  data)
{
  g_auto(BcCliRun) run = { 0 };
  g_autofree char *password = g_build_filename (fixture->dir, "password", NULL);
  g_autofree char *ca = g_build_filename (fixture->dir, "ca.pem", NULL);
  g_autofree char *good_cert = g_build_filename (fixture->dir, "good.pem", NULL);
  g_autofree char *good_key = g_build_filename (fixture->dir, "good.key", NULL);
  g_autofree char *wrong_cert = g_build_filename (fixture->dir, "wrong.pem", NULL);
  g_autofree char *wrong_key = g_build_filename (fixture->dir, "wrong.key", NULL);
  g_autofree char *id = NULL;

  (void) data;

  if (!openssl (fixture, "version"))
    {
      g_test_skip ("openssl is not installed");
      return;
    }
  g_assert_true (openssl (fixture, "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                                   "-keyout ca.key -out ca.pem -days 30 -subj /CN=Baocao-Test-CA "
                                   "-addext basicConstraints=critical,CA:TRUE "
                                   "-addext keyUsage=critical,keyCertSign,cRLSign"));
  make_certificate (fixture, "good", "IP:127.0.0.1");
  make_certificate (fixture, "wrong", "DNS:other.example");

  /* A certificate of a CA the system does not know: refused. */
  bc_cli_test_stop_server (fixture);
  bc_cli_test_start_server_tls (fixture, good_cert, good_key);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "enrol", fixture->url, "--user", BC_CLI_TEST_USER, "--password-file",
                                    password, "--token-file", fixture->token_file, NULL), ==, 11);
  g_assert_nonnull (strstr (run.err, "certificate"));
  g_assert_false (g_file_test (fixture->token_file, G_FILE_TEST_EXISTS));

  /* With that CA configured: accepted, and remembered for sync. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "enrol", fixture->url, "--user", BC_CLI_TEST_USER, "--password-file",
                                    password, "--token-file", fixture->token_file, "--ca-file", ca, NULL), ==, 0);
  id = bc_cli_test_ready_report (fixture, "2018Q2", BC_CLI_TEST_UNIT);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, id));

  /* A certificate of that CA for another host: refused all the same. */
  bc_cli_test_stop_server (fixture);
  bc_cli_test_start_server_tls (fixture, wrong_cert, wrong_key);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "enrol", fixture->url, "--user", BC_CLI_TEST_USER, "--password-file",
                                    password, "--token-file", fixture->token_file, "--ca-file", ca, NULL), ==, 11);
  g_assert_nonnull (strstr (run.err, "certificate"));
}

static void
test_template_published (BcCliFixture  *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) template_ = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(JsonNode) listed = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *source = g_build_filename (g_getenv ("BAOCAO_TEMPLATE_DIR"),
                                              "egov-quarterly-v3.json", NULL);
  g_autofree char *text = NULL;
  g_autofree char *v4 = NULL;
  g_autofree char *published = NULL;
  g_autofree char *stored = g_build_filename (fixture->dir, "baocao", "templates",
                                              "egov-quarterly-v4.json", NULL);
  g_autofree char *draft = NULL;
  g_autofree char *old_draft = NULL;
  g_auto(BcCliRun) run = { 0 };
  JsonObject *object;
  JsonObject *result;
  JsonArray *reports;

  (void) data;

  /* The province publishes version 4 of the quarterly form (for the
   * years of version 3, which ships with Baocao). */
  g_assert_true (g_file_get_contents (source, &text, NULL, &error));
  template_ = bc_cli_test_parse_json (text);
  object = json_node_get_object (template_);
  json_object_set_int_member (object, "version", 4);
  json_object_set_array_member (object, "migrations", json_array_new ());
  {
    JsonObject *migration = json_object_new ();

    json_object_set_int_member (migration, "from_version", 3);
    json_array_add_object_element (json_object_get_array_member (object, "migrations"), migration);
  }
  json_generator_set_root (generator, template_);
  v4 = json_generator_to_data (generator, NULL);
  published = bc_cli_test_write_file (fixture, "egov-quarterly-v4.json", v4);
  bc_cli_test_admin (fixture, "templates", "publish", published, NULL);

  bc_cli_test_enrol (fixture);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "new", "egov-quarterly", "--period", "2020Q3", "--unit", BC_CLI_TEST_UNIT,
                                    NULL), ==, 0);
  draft = g_strstrip (g_strdup (run.out));
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "new", "egov-quarterly", "--period", "2018Q3", "--unit", BC_CLI_TEST_UNIT,
                                    NULL), ==, 0);
  old_draft = g_strstrip (g_strdup (run.out));

  /* Sync stores it in the user's form folder, and the draft moves to it;
   * the 2018 draft stays on the version for 2018, and is not counted. */
  result = bc_cli_test_sync_json (fixture, &first);
  g_assert_cmpint (json_object_get_int_member (result, "templates"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (result, "carried_over"), ==, 1);
  g_assert_true (g_file_test (stored, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "list", "--json", NULL), ==, 0);
  listed = bc_cli_test_parse_json (run.out);
  reports = json_node_get_array (listed);
  g_assert_cmpuint (json_array_get_length (reports), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *report = json_array_get_object_element (reports, i);

      g_assert_cmpint (json_object_get_int_member (report, "template_version"), ==,
                       g_str_equal (json_object_get_string_member (report, "id"), draft) ? 4 : 2);
    }

  /* Every command loads it; a second sync stores nothing again. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "fields", "egov-quarterly", "--version", "4", NULL), ==, 0);
  result = bc_cli_test_sync_json (fixture, &second);
  g_assert_cmpint (json_object_get_int_member (result, "templates"), ==, 0);
  g_assert_nonnull (draft);
  g_assert_nonnull (old_draft);
}

/* The due date `calendar PERIOD --json` gives the workbook's unit. */
static char *
calendar_due (BcCliFixture *fixture,
              const char   *period)
{
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *row;

  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "calendar", period, "--json", NULL), ==, 0);
  root = bc_cli_test_parse_json (run.out);
  row = json_array_get_object_element (json_node_get_array (root), 0);
  return g_strdup (json_object_get_string_member (row, "due"));
}

static void
test_plan_published (BcCliFixture  *fixture,
                     gconstpointer  data)
{
  /* A plan the province issues after Plan 61, for its districts. */
  g_autofree char *published = bc_cli_test_write_plan (fixture, "12", "2022Q1");
  g_autofree char *shipped = g_build_filename (g_getenv ("BAOCAO_TEMPLATE_DIR"),
                                               "qng-kh-61-2019.plan.json", NULL);
  g_autofree char *stored = g_build_filename (fixture->dir, "baocao", "templates",
                                              "qng-kh-12-2022.plan.json", NULL);
  g_autofree char *stored_61 = g_build_filename (fixture->dir, "baocao", "templates",
                                                 "qng-kh-61-2019.plan.json", NULL);
  g_autofree char *id = NULL;
  g_autofree char *due = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_auto(BcCliRun) run = { 0 };
  JsonObject *result;

  (void) data;

  bc_cli_test_enrol (fixture);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "new", "egov-quarterly", "--period", "2022Q1",
                                    "--unit", BC_CLI_TEST_UNIT, NULL), ==, 0);
  id = g_strstrip (g_strdup (run.out));

  /* Under Plan 61, the one installed, Q1/2022 is due on 19 March. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "show", id, NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "19/03/2022 (Plan 61/KH-UBND)"));

  /* The province publishes Plan 12, and Plan 61 again as installed (which
   * every client keeps: nothing to store). */
  bc_cli_test_admin (fixture, "plans", "publish", published, NULL);
  bc_cli_test_admin (fixture, "plans", "publish", shipped, NULL);

  /* One sync: the report is due when Plan 12 says, at once and in every
   * later command; the plan is kept in the user's form folder. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "1 new plan received"));
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "show", id, NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "10/04/2022 (Plan 12/KH-UBND)"));
  g_assert_null (strstr (run.out, "19/03/2022"));
  due = calendar_due (fixture, "2022Q1");
  g_assert_cmpstr (due, ==, "2022-04-10");
  g_clear_pointer (&due, g_free);
  /* Before Plan 12, Plan 61 still sets the date. */
  due = calendar_due (fixture, "2021Q4");
  g_assert_cmpstr (due, ==, "2021-12-19");
  g_assert_true (g_file_test (stored, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (stored_61, G_FILE_TEST_EXISTS));

  /* A second sync stores nothing again. */
  result = bc_cli_test_sync_json (fixture, &first);
  g_assert_cmpint (json_object_get_int_member (result, "plans"), ==, 0);

  /* Another plan later: the JSON counts it. */
  {
    g_autofree char *later = bc_cli_test_write_plan (fixture, "30", "2023Q1");

    bc_cli_test_admin (fixture, "plans", "publish", later, NULL);
  }
  result = bc_cli_test_sync_json (fixture, &second);
  g_assert_cmpint (json_object_get_int_member (result, "plans"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (result, "templates"), ==, 0);
}

/* Waits (at most 10 s) until the workbook's outbox holds an attempted item,
 * or `process` has ended. Reads the file beside the running sync (WAL). */
static void
wait_for_attempt (const char  *workbook,
                  GSubprocess *process)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  gboolean attempted = FALSE;

  g_assert_cmpint (sqlite3_open_v2 (workbook, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 1000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM outbox WHERE attempts > 0", -1,
                                       &stmt, NULL), ==, SQLITE_OK);
  while (!attempted && g_get_monotonic_time () < deadline)
    {
      if (sqlite3_step (stmt) == SQLITE_ROW)
        attempted = sqlite3_column_int (stmt, 0) > 0;
      sqlite3_reset (stmt);
      if (!attempted)
        {
          /* Ended already (nothing left to push): no point waiting. */
          if (g_subprocess_get_identifier (process) == NULL)
            break;
          g_usleep (1000);
        }
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* Killed (SIGKILL) at random moments while syncing, round after round of
 * new reports, then synced to the end: every report is on the server once,
 * with one receipt each, and sent here. */
#define ROUNDS    6
#define PER_ROUND 40

static void
test_killed_mid_sync (BcCliFixture  *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new ();
  g_autofree char *model_text = NULL;
  g_autoptr(JsonNode) on_server = NULL;
  g_autoptr(JsonNode) listed = NULL;
  g_autofree char *id = NULL;
  g_auto(BcCliRun) run = { 0 };
  const char *cli_path = g_getenv ("BAOCAO_CLI");
  JsonArray *reports;
  guint max_receipt = 0;
  guint killed_with_output = 0;
  guint attempted_unanswered = 0;

  (void) data;

  bc_cli_test_enrol (fixture);
  id = bc_cli_test_ready_report (fixture, "2018Q2", BC_CLI_TEST_UNIT);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "show", id, "--json", NULL), ==, 0);
  model_text = g_strdup (run.out);

  /* Rounds of 40 more like it (other quarters), imported ready, then a
   * sync killed at a random moment. */
  for (guint round = 0; round < ROUNDS; round++)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) document = NULL;
      g_autoptr(GSubprocessLauncher) launcher = NULL;
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GBytes) out = NULL;
      g_autofree char *text = NULL;
      g_autofree char *import = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "format");
      json_builder_add_int_value (builder, 1);
      json_builder_set_member_name (builder, "reports");
      json_builder_begin_array (builder);
      for (guint i = 0; i < PER_ROUND; i++)
        {
          /* Parsed again each time: json_node_copy() shares the object. */
          g_autoptr(JsonNode) copy = bc_cli_test_parse_json (model_text);
          g_autofree char *uuid = g_uuid_string_random ();
          guint k = round * PER_ROUND + i;
          g_autofree char *period = g_strdup_printf ("%uQ%u", 2030 + k / 4, 1 + k % 4);
          JsonObject *object = json_node_get_object (copy);

          json_object_set_string_member (object, "id", uuid);
          json_object_set_string_member (object, "period", period);
          json_builder_add_value (builder, g_steal_pointer (&copy));
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      document = json_builder_get_root (builder);
      json_generator_set_root (generator, document);
      text = json_generator_to_data (generator, NULL);
      import = bc_cli_test_write_file (fixture, "import.json", text);
      g_assert_cmpint (bc_cli_test_cli (fixture, &run, "import", import, NULL), ==, 0);

      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                            | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
      g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", fixture->dir, TRUE);
      process = g_subprocess_launcher_spawn (launcher, &error, cli_path, "--workbook",
                                             fixture->workbook, "sync", NULL);
      g_assert_no_error (error);
      /* Once a push has left (its items marked attempted, committed), kill
       * it a random moment later: before, during or after the results. */
      wait_for_attempt (fixture->workbook, process);
      g_usleep (g_rand_int_range (rand, 0, 15000));
      g_subprocess_force_exit (process);
      g_subprocess_communicate (process, NULL, NULL, &out, NULL, &error);
      g_assert_no_error (error);
      g_subprocess_wait (process, NULL, NULL);
      if (g_bytes_get_size (out) > 0)
        killed_with_output++;

      /* How far it got: items attempted (committed before a push left). */
      {
        g_autoptr(JsonNode) outbox = NULL;
        JsonArray *items;

        g_assert_cmpint (bc_cli_test_cli (fixture, &run, "outbox", "--json", NULL), ==, 0);
        outbox = bc_cli_test_parse_json (run.out);
        items = json_node_get_array (outbox);
        for (guint i = 0; i < json_array_get_length (items); i++)
          if (json_object_get_int_member (json_array_get_object_element (items, i), "attempts") > 0)
            attempted_unanswered++;
      }
    }
  g_test_message ("%u of %u killed syncs had finished; %u items were left attempted "
                   "without an answer", killed_with_output, ROUNDS, attempted_unanswered);
  /* Some kill landed between a push and its results, or this proved less. */
  g_assert_cmpuint (attempted_unanswered, >, 0);

  /* Then synced to the end. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", "--json", NULL), ==, 0);

  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "list", "--json", NULL), ==, 0);
  listed = bc_cli_test_parse_json (run.out);
  reports = json_node_get_array (listed);
  g_assert_cmpuint (json_array_get_length (reports), ==, 1 + ROUNDS * PER_ROUND);
  for (guint i = 0; i < json_array_get_length (reports); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (reports, i),
                                                    "status"), ==, "sent");

  reports = bc_cli_test_server_reports (fixture, &on_server);
  g_assert_cmpuint (json_array_get_length (reports), ==, 1 + ROUNDS * PER_ROUND);
  for (guint i = 0; i < json_array_get_length (reports); i++)
    {
      JsonObject *report = json_array_get_object_element (reports, i);
      const char *receipt = json_object_get_string_member (report, "receipt");
      const char *digits = receipt + strcspn (receipt, "0123456789");

      g_assert_cmpint (json_object_get_int_member (report, "conflicts"), ==, 0);
      max_receipt = MAX (max_receipt, (guint) g_ascii_strtoull (digits, NULL, 10));
    }
  /* Receipts are numbered in sequence: one receipt per report, none twice. */
  g_assert_cmpuint (max_receipt, ==, 1 + ROUNDS * PER_ROUND);
}

static void
test_no_keyring (BcCliFixture  *fixture,
                 gconstpointer  data)
{
  g_auto(BcCliRun) run = { 0 };
  g_autofree char *password = g_build_filename (fixture->dir, "password", NULL);
  const char *argv[] = { g_getenv ("BAOCAO_SERVER"), "devices", "list", "--data", NULL, NULL };

  (void) data;

  /* No session bus here, so no keyring: enrol says so before signing in,
   * and tells how to go on. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "enrol", fixture->url, "--user", BC_CLI_TEST_USER,
                                    "--password-file", password, NULL), ==, 18);
  g_assert_nonnull (strstr (run.err, "no desktop keyring"));
  g_assert_nonnull (strstr (run.err, "--token-file"));
  /* A token file that cannot be made: said before signing in too. */
  {
    g_autofree char *nowhere = g_build_filename (fixture->dir, "no-such-folder", "token", NULL);

    g_assert_cmpint (bc_cli_test_cli (fixture, &run, "enrol", fixture->url, "--user", BC_CLI_TEST_USER,
                                      "--password-file", password, "--token-file", nowhere, NULL), ==, 18);
    g_assert_nonnull (strstr (run.err, "folder does not exist"));
  }

  /* Neither signed in: the server has no device. */
  argv[4] = fixture->data;
  bc_cli_test_run_program (fixture, NULL, &run, argv);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (g_strstrip (run.out), ==, "");
}

/* Two copies of one workbook (a copy taken to another machine) change the
 * same report after the province returned it: the first to send is
 * stored, the second is a conflict, kept beside it, and said so (exit 14). */
static void
test_conflict (BcCliFixture  *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(BcCliRun) run = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *copy = g_build_filename (fixture->dir, "copy.baocao", NULL);
  g_autofree char *original = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(JsonNode) on_server = NULL;
  g_autoptr(JsonNode) shown = NULL;
  gsize length;
  JsonArray *reports;

  (void) data;

  bc_cli_test_enrol (fixture);
  id = bc_cli_test_ready_report (fixture, "2018Q2", BC_CLI_TEST_UNIT);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", NULL), ==, 0);
  bc_cli_test_admin (fixture, "review", "return", id, "--comment", "Sửa mục 4.", NULL);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", NULL), ==, 0);

  /* The copy: the same file, closed, elsewhere. */
  g_assert_true (g_file_get_contents (fixture->workbook, &contents, &length, &error));
  g_assert_true (g_file_set_contents (copy, contents, (gssize) length, &error));
  g_assert_no_error (error);

  /* Here: one change, sent first. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "draft", id, NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "set", id, "services_level3", "5", NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "ready", id, NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", NULL), ==, 0);

  /* There: two other changes, based on the same returned revision. */
  original = g_steal_pointer (&fixture->workbook);
  fixture->workbook = g_strdup (copy);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "draft", id, NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "set", id, "services_level3", "7", NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "set", id, "services_level4", "2", NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "ready", id, NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", NULL), ==, 14);
  g_assert_nonnull (strstr (run.out, "conflict"));
  g_assert_nonnull (strstr (run.err, "both are kept"));
  g_assert_cmpstr (bc_cli_test_report_status (fixture, id, &shown), ==, "sent");

  /* The server kept both: the first as current, the other beside it. */
  reports = bc_cli_test_server_reports (fixture, &on_server);
  g_assert_cmpuint (json_array_get_length (reports), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (reports, 0),
                                               "conflicts"), ==, 1);

  /* Nothing left to send; the next sync is quiet. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", NULL), ==, 0);
  g_free (fixture->workbook);
  fixture->workbook = g_steal_pointer (&original);
}

/* The report as the server holds it (`reports show`): its current
 * revision's content and every revision kept. */
static JsonObject *
server_report (BcCliFixture  *fixture,
               const char    *id,
               JsonNode     **root)
{
  g_auto(BcCliRun) run = { 0 };

  g_assert_cmpint (bc_cli_test_admin_run (fixture, &run, "reports", "show", id, NULL), ==, 0);
  *root = bc_cli_test_parse_json (run.out);
  return json_node_get_object (*root);
}

static const char *
server_value (JsonObject *report,
              const char *key)
{
  JsonObject *values = json_object_get_object_member (json_object_get_object_member (report, "content"),
                                                      "values");

  return json_object_get_string_member_with_default (values, key, NULL);
}

/* Two workbooks with the same report: A sends an edit, B (based on the
 * older revision) sends another and gets a conflict. B compares side by
 * side, takes the province's policies and keeps its own architecture and
 * difficulties; after sync the server's current revision is the mix, and
 * every earlier revision is still there. */
static void
test_conflict_resolve (BcCliFixture  *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(BcCliRun) run = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *copy = g_build_filename (fixture->dir, "copy.baocao", NULL);
  g_autofree char *original = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(JsonNode) shown = NULL;
  g_autoptr(JsonNode) listed = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autoptr(JsonNode) synced = NULL;
  JsonObject *report, *result;
  JsonArray *differences;
  gint64 a_revision;
  gsize length;

  (void) data;

  bc_cli_test_enrol (fixture);
  id = bc_cli_test_ready_report (fixture, "2018Q2", BC_CLI_TEST_UNIT);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", NULL), ==, 0);
  bc_cli_test_admin (fixture, "review", "return", id, "--comment", "Sửa mục 2.", NULL);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", NULL), ==, 0);
  g_assert_true (g_file_get_contents (fixture->workbook, &contents, &length, &error));
  g_assert_true (g_file_set_contents (copy, contents, (gssize) length, &error));
  g_assert_no_error (error);

  /* A: two fields, sent first. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "draft", id, NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "set", id, "policies_text", "Bản A: chính sách", NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "set", id, "architecture_text", "Bản A: kiến trúc", NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "ready", id, NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", NULL), ==, 0);
  a_revision = json_object_get_int_member (server_report (fixture, id, &before), "current_revision");
  g_clear_pointer (&before, json_node_unref);

  /* B: three fields, on the same returned revision: a conflict. */
  original = g_steal_pointer (&fixture->workbook);
  fixture->workbook = g_strdup (copy);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "draft", id, NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "set", id, "policies_text", "Bản B: chính sách", NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "set", id, "architecture_text", "Bản B: kiến trúc", NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "set", id, "difficulties_text", "Bản B: khó khăn", NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "ready", id, NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", NULL), ==, 14);
  g_assert_nonnull (strstr (run.err, "baocao-cli conflict"));

  /* Side by side, in the form's words, with the field to name. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "conflict", id, NULL), ==, 0);
  g_test_message ("%s", run.out);
  g_assert_nonnull (strstr (run.out, "(policies_text)\n"
                                     "      this computer: Bản B: chính sách\n"
                                     "      province:      Bản A: chính sách\n"));
  g_assert_nonnull (strstr (run.out, "      this computer: Bản B: khó khăn\n"));
  g_assert_cmpint (bc_cli_test_cli_vi (fixture, &run, "conflict", id, NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "máy này: Bản B: chính sách"));
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "conflict", id, "--json", NULL), ==, 0);
  listed = bc_cli_test_parse_json (run.out);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (listed), "server_revision"), ==,
                   a_revision);
  differences = json_object_get_array_member (json_node_get_object (listed), "differences");
  g_assert_cmpuint (json_array_get_length (differences), ==, 3);

  /* Undecided differences, or a field that is not one: refused, nothing changes. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "conflict", id, "--take-province", "policies_text",
                                    NULL), ==, 2);
  g_assert_nonnull (strstr (run.err, "--keep-mine-rest"));
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "conflict", id, "--take-province", "policy_text",
                                    "--keep-mine-rest", NULL), ==, 1);
  g_assert_nonnull (strstr (run.err, "policy_text"));
  g_assert_cmpstr (bc_cli_test_report_status (fixture, id, &shown), ==, "sent");
  g_clear_pointer (&shown, json_node_unref);

  /* Resolved: queued, and sent as the province's current revision. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "conflict", id, "--take-province", "policies_text",
                                    "--keep-mine-rest", NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "Resolved: 1 difference taken from the province's copy, 2 kept"));
  g_assert_cmpstr (bc_cli_test_report_status (fixture, id, &shown), ==, "queued");
  g_clear_pointer (&shown, json_node_unref);
  result = bc_cli_test_sync_json (fixture, &synced);
  result = json_array_get_object_element (json_object_get_array_member (result, "results"), 0);
  g_assert_cmpstr (json_object_get_string_member (result, "result"), ==, "stored");

  report = server_report (fixture, id, &after);
  g_assert_cmpint (json_object_get_int_member (report, "current_revision"), >, a_revision);
  g_assert_cmpstr (server_value (report, "policies_text"), ==, "Bản A: chính sách");
  g_assert_cmpstr (server_value (report, "architecture_text"), ==, "Bản B: kiến trúc");
  g_assert_cmpstr (server_value (report, "difficulties_text"), ==, "Bản B: khó khăn");
  /* Neither version lost: the returned one, A's, B's beside it, the mix. */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (report, "revisions")), ==, 4);

  /* Here, B's own policies are in the history; nothing is left to resolve. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "history", id, NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "Bản B: chính sách"));
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "conflict", id, NULL), ==, 1);
  g_assert_nonnull (strstr (run.err, "not in conflict"));

  g_free (fixture->workbook);
  fixture->workbook = g_steal_pointer (&original);
}

/* A report made before enrolling, for another unit than the one the
 * device enrolled for, can never be sent from here: sync names it and why,
 * and exits 23, instead of saying there is nothing to send while the report
 * waits as ready for ever. Once enrolled, `new` refuses such a unit and
 * makes nothing; without --unit it takes the enrolled one. */
static void
test_other_unit (BcCliFixture  *fixture,
                 gconstpointer  data)
{
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) listed = NULL;
  g_autofree char *other = NULL;
  g_autofree char *ours = NULL;
  JsonObject *result;
  JsonArray *not_sent;

  (void) data;

  /* Lower case: another code, as far as the server is concerned. */
  other = bc_cli_test_ready_report (fixture, "2018Q2", "qng-sontinh");
  bc_cli_test_enrol (fixture);

  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", NULL), ==, 23);
  g_assert_nonnull (strstr (run.out, other));
  g_assert_nonnull (strstr (run.out, "not sent: The report of Quarter II/2018 ("));
  g_assert_nonnull (strstr (run.out, ") is for the unit “qng-sontinh”, but this "
                                     "workbook sends for “" BC_CLI_TEST_UNIT "”"));
  g_assert_null (strstr (run.out, "Nothing to send"));
  g_assert_cmpint (bc_cli_test_cli_vi (fixture, &run, "sync", NULL), ==, 23);
  g_assert_nonnull (strstr (run.out, "không gửi được: Báo cáo Quý II/2018 ("));
  g_assert_nonnull (strstr (run.out, ") là của đơn vị “qng-sontinh”"));
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", "--json", NULL), ==, 23);
  root = bc_cli_test_parse_json (run.out);
  result = json_node_get_object (root);
  not_sent = json_object_get_array_member (result, "not_sent");
  g_assert_cmpuint (json_array_get_length (not_sent), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (not_sent, 0), "report_id"),
                   ==, other);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (not_sent, 0), "unit"),
                   ==, "qng-sontinh");
  g_assert_cmpstr (bc_cli_test_report_status (fixture, other, &listed), ==, "ready");
  g_clear_pointer (&listed, json_node_unref);

  /* Enrolled: a report for another unit is refused and nothing is made. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "new", "egov-quarterly", "--period", "2018Q3",
                                    "--unit", "QNG-LYSON", NULL), ==, 1);
  g_assert_nonnull (strstr (run.err, "This workbook sends reports for the unit “" BC_CLI_TEST_UNIT "”"));
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "list", "--json", NULL), ==, 0);
  listed = bc_cli_test_parse_json (run.out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (listed)), ==, 1);
  g_clear_pointer (&listed, json_node_unref);

  /* Without --unit: the enrolled unit's, which sync sends. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "new", "egov-quarterly", "--period", "2018Q3", NULL), ==, 0);
  ours = g_strstrip (g_strdup (run.out));
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "show", ours, "--json", NULL), ==, 0);
  listed = bc_cli_test_parse_json (run.out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (listed), "unit"), ==, BC_CLI_TEST_UNIT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, BcCliFixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/sync/cli/round-trip", test_round_trip);
  ADD ("/sync/cli/token-file", test_token_file);
  ADD ("/sync/cli/wrong-password", test_wrong_password);
  ADD ("/sync/cli/revoked", test_revoked);
  ADD ("/sync/cli/server-down", test_server_down);
  ADD ("/sync/cli/tls", test_tls);
  ADD ("/sync/cli/template-published", test_template_published);
  ADD ("/sync/cli/plan-published", test_plan_published);
  ADD ("/sync/cli/killed-mid-sync", test_killed_mid_sync);
  ADD ("/sync/cli/no-keyring", test_no_keyring);
  ADD ("/sync/cli/conflict", test_conflict);
  ADD ("/sync/cli/conflict-resolve", test_conflict_resolve);
  ADD ("/sync/cli/other-unit", test_other_unit);

  return g_test_run ();
}
