/* test-bundle.c: bundles on a USB stick, and the training server.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Bundles: baocao-cli bundle export / import and baocao-server
 * import-bundle, against a real baocao-server process (as test-sync-cli),
 * mixed with network sync in both orders, delivered twice, damaged, cut
 * short, tampered with, and for another unit: every report reaches the
 * server exactly once, and a bad bundle changes nothing.
 *
 * Training: a demo workbook walks the whole cycle through the in-process
 * training server (no server process, no network), and neither a demo
 * workbook nor a real one can reach the other kind of server.
 */
#define G_LOG_DOMAIN "test-bundle"

#include "config.h"
#include "bc-test-util.h"
#include "bc-cli-test.h"
#include "bc-bundle.h"
#include "bc-training.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

static void
fixture_setup (BcCliFixture  *fixture,
               gconstpointer  data)
{
  (void) data;
  bc_cli_test_setup (fixture, "baocao-bundle-XXXXXX");
}

static void
fixture_teardown (BcCliFixture  *fixture,
                  gconstpointer  data)
{
  (void) data;
  bc_cli_test_teardown (fixture);
}


/* ------------------------------------------------------------------------ */

static char *
path_in (BcCliFixture *fixture,
         const char   *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

static guint
outbox_length (BcCliFixture *fixture)
{
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) outbox = NULL;

  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "outbox", "--json", NULL), ==, 0);
  outbox = bc_cli_test_parse_json (run.out);
  return json_array_get_length (json_node_get_array (outbox));
}

/* The server's single report: asserts there is exactly one, with no
 * conflicting copy, and returns its receipt number. */
static char *
only_server_receipt (BcCliFixture *fixture)
{
  g_autoptr(JsonNode) root = NULL;
  JsonArray *reports = bc_cli_test_server_reports (fixture, &root);
  JsonObject *report;

  g_assert_cmpuint (json_array_get_length (reports), ==, 1);
  report = json_array_get_object_element (reports, 0);
  g_assert_cmpint (json_object_get_int_member (report, "conflicts"), ==, 0);
  return g_strdup (json_object_get_string_member (report, "receipt"));
}

static guint
server_report_count (BcCliFixture *fixture)
{
  g_autoptr(JsonNode) root = NULL;

  return json_array_get_length (bc_cli_test_server_reports (fixture, &root));
}

/* A bundle file's object (read as plain JSON, for looking inside). */
static JsonObject *
read_bundle (const char  *path,
             JsonNode   **root)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  *root = bc_cli_test_parse_json (text);
  return json_node_get_object (*root);
}

/* The first result of a reply bundle. */
static JsonObject *
reply_result (const char  *path,
              JsonNode   **root)
{
  JsonObject *bundle = read_bundle (path, root);
  JsonArray *results = json_object_get_array_member (bundle, "results");

  g_assert_cmpuint (json_array_get_length (results), ==, 1);
  return json_array_get_object_element (results, 0);
}

static const char *
result_receipt (JsonObject *result)
{
  return json_object_get_string_member (json_object_get_object_member (result, "receipt"), "number");
}

/* What the workbook holds that a bundle could change: its reports (status,
 * revision) and its outbox, as the CLI prints them. */
static char *
workbook_state (BcCliFixture *fixture)
{
  g_auto(BcCliRun) run = { 0 };
  g_autofree char *list = NULL;

  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "list", "--json", NULL), ==, 0);
  list = g_strdup (run.out);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "outbox", "--json", NULL), ==, 0);
  return g_strconcat (list, run.out, NULL);
}

/* Export → import on the server → reply home: the report is sent with the
 * server's receipt; delivering the same bundle again and applying the reply
 * again change nothing and store nothing more. */
static void
test_bundle_exactly_once (BcCliFixture  *fixture,
                          gconstpointer  data)
{
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) shown = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(JsonNode) bundle_root = NULL;
  g_autofree char *id = NULL;
  g_autofree char *bundle = path_in (fixture, "outbox.bundle");
  g_autofree char *reply = path_in (fixture, "outbox.bundle.reply");
  g_autofree char *reply2 = path_in (fixture, "again.reply");
  g_autofree char *receipt = NULL;
  g_autofree char *before = NULL;
  JsonObject *result;

  (void) data;

  bc_cli_test_enrol (fixture);
  id = bc_cli_test_ready_report (fixture, "2018Q2", BC_CLI_TEST_UNIT);

  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "bundle", "export", bundle, NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "1 report"));
  /* Exporting sends nothing and marks nothing sent. */
  g_assert_cmpstr (bc_cli_test_report_status (fixture, id, &shown), ==, "queued");
  g_clear_pointer (&shown, json_node_unref);
  g_assert_cmpuint (outbox_length (fixture), ==, 1);
  g_assert_cmpuint (server_report_count (fixture), ==, 0);
  /* Signed by the device: the token never leaves in it. */
  g_assert_nonnull (json_object_get_object_member (read_bundle (bundle, &bundle_root), "signature"));

  g_assert_cmpint (bc_cli_test_admin_run (fixture, &run, "import-bundle", bundle, NULL), ==, 0);
  receipt = only_server_receipt (fixture);
  result = reply_result (reply, &first);
  g_assert_cmpstr (json_object_get_string_member (result, "result"), ==, "stored");
  g_assert_false (json_object_get_boolean_member (result, "replayed"));
  g_assert_cmpstr (result_receipt (result), ==, receipt);

  /* The same bundle delivered again: a replay with the first receipt. */
  g_assert_cmpint (bc_cli_test_admin_run (fixture, &run, "import-bundle", bundle, "--reply", reply2, NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "0 new"));
  result = reply_result (reply2, &second);
  g_assert_true (json_object_get_boolean_member (result, "replayed"));
  g_assert_cmpstr (result_receipt (result), ==, receipt);
  g_free (only_server_receipt (fixture));

  /* The reply home: sent, with the receipt; out of the outbox. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "bundle", "import", reply, NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, receipt));
  g_assert_cmpstr (bc_cli_test_report_status (fixture, id, &shown), ==, "sent");
  g_clear_pointer (&shown, json_node_unref);
  g_assert_cmpuint (outbox_length (fixture), ==, 0);

  /* Both replies again, and a sync: nothing moves, nothing is sent. */
  before = workbook_state (fixture);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "bundle", "import", reply, NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "bundle", "import", reply2, NULL), ==, 0);
  {
    g_autofree char *after = workbook_state (fixture);

    g_assert_cmpstr (after, ==, before);
  }
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "Nothing to send"));
  g_free (only_server_receipt (fixture));
}

/* A plan the province published reaches a unit with no link in the reply
 * bundle: its reports are due when the plan says. */
static void
test_bundle_plan (BcCliFixture  *fixture,
                  gconstpointer  data)
{
  g_auto(BcCliRun) run = { 0 };
  g_autofree char *bundle = path_in (fixture, "outbox.bundle");
  g_autofree char *reply = path_in (fixture, "outbox.bundle.reply");
  g_autofree char *plan = NULL;
  g_autofree char *id = NULL;

  (void) data;

  bc_cli_test_enrol (fixture);
  id = bc_cli_test_ready_report (fixture, "2022Q1", BC_CLI_TEST_UNIT);
  plan = bc_cli_test_write_plan (fixture, "12", "2022Q1");
  bc_cli_test_admin (fixture, "plans", "publish", plan, NULL);

  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "bundle", "export", bundle, NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_admin_run (fixture, &run, "import-bundle", bundle, NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "show", id, NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "19/03/2022 (Plan 61/KH-UBND)"));

  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "bundle", "import", reply, NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "1 new plan received"));
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "show", id, NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "10/04/2022 (Plan 12/KH-UBND)"));
}

/* The same revision by network first, then by bundle: the bundle is a
 * replay, and its reply agrees with what the sync already recorded. */
static void
test_bundle_after_network (BcCliFixture  *fixture,
                           gconstpointer  data)
{
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) shown = NULL;
  g_autoptr(JsonNode) replied = NULL;
  g_autofree char *id = NULL;
  g_autofree char *bundle = path_in (fixture, "outbox.bundle");
  g_autofree char *reply = path_in (fixture, "outbox.bundle.reply");
  g_autofree char *receipt = NULL;
  JsonObject *result;

  (void) data;

  bc_cli_test_enrol (fixture);
  id = bc_cli_test_ready_report (fixture, "2018Q2", BC_CLI_TEST_UNIT);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "bundle", "export", bundle, NULL), ==, 0);
  /* A link appears before the stick leaves: the sync sends the item. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", NULL), ==, 0);
  g_assert_cmpstr (bc_cli_test_report_status (fixture, id, &shown), ==, "sent");
  g_clear_pointer (&shown, json_node_unref);
  receipt = only_server_receipt (fixture);

  /* The stick arrives anyway. */
  g_assert_cmpint (bc_cli_test_admin_run (fixture, &run, "import-bundle", bundle, NULL), ==, 0);
  result = reply_result (reply, &replied);
  g_assert_true (json_object_get_boolean_member (result, "replayed"));
  g_assert_cmpstr (result_receipt (result), ==, receipt);
  g_free (only_server_receipt (fixture));

  /* The province returns it; the reply of a later bundle brings the review. */
  bc_cli_test_admin (fixture, "review", "return", id, "--comment", "Bổ sung số liệu.", NULL);
  g_assert_cmpint (bc_cli_test_admin_run (fixture, &run, "import-bundle", bundle, NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "bundle", "import", reply, NULL), ==, 0);
  /* It says which report was returned, and why. */
  g_assert_nonnull (strstr (run.out, ": Returned, revision "));
  g_assert_nonnull (strstr (run.out, "): Bổ sung số liệu.\n"));
  g_assert_cmpstr (bc_cli_test_report_status (fixture, id, &shown), ==, "returned");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (shown), "review_comment"),
                   ==, "Bổ sung số liệu.");
  g_free (only_server_receipt (fixture));
}

/* By bundle first, then by network: the sync's push of the same item is a
 * replay with the bundle's receipt, and the late reply changes nothing. */
static void
test_network_after_bundle (BcCliFixture  *fixture,
                           gconstpointer  data)
{
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) shown = NULL;
  g_autoptr(JsonNode) synced = NULL;
  g_autofree char *id = NULL;
  g_autofree char *bundle = path_in (fixture, "outbox.bundle");
  g_autofree char *reply = path_in (fixture, "outbox.bundle.reply");
  g_autofree char *receipt = NULL;
  JsonObject *result;
  JsonArray *results;

  (void) data;

  bc_cli_test_enrol (fixture);
  id = bc_cli_test_ready_report (fixture, "2018Q2", BC_CLI_TEST_UNIT);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "bundle", "export", bundle, NULL), ==, 0);
  /* A report exported cannot go back to draft: the server may hold it. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "draft", id, NULL), !=, 0);
  g_assert_cmpint (bc_cli_test_admin_run (fixture, &run, "import-bundle", bundle, NULL), ==, 0);
  receipt = only_server_receipt (fixture);

  result = bc_cli_test_sync_json (fixture, &synced);
  results = json_object_get_array_member (result, "results");
  g_assert_cmpuint (json_array_get_length (results), ==, 1);
  result = json_array_get_object_element (results, 0);
  g_assert_true (json_object_get_boolean_member (result, "replayed"));
  g_assert_cmpstr (result_receipt (result), ==, receipt);
  g_assert_cmpstr (bc_cli_test_report_status (fixture, id, &shown), ==, "sent");
  g_clear_pointer (&shown, json_node_unref);

  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "bundle", "import", reply, NULL), ==, 0);
  g_assert_cmpstr (bc_cli_test_report_status (fixture, id, &shown), ==, "sent");
  g_free (only_server_receipt (fixture));
}

/* Writes `path` with one byte changed (XOR 0x01) at `offset`, or cut to
 * `cut` bytes. */
static void
damage (const char *from,
        const char *to,
        gssize      offset,
        gssize      cut)
{
  g_autofree char *text = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (from, &text, &length, NULL));
  if (offset >= 0)
    text[offset] ^= 0x01;
  if (cut >= 0)
    length = (gsize) cut;
  g_assert_true (g_file_set_contents (to, text, (gssize) length, NULL));
}

/* One flipped byte anywhere, a cut file, content changed with a checksum
 * made anew: refused with a clear message, and nothing stored or moved. */
static void
test_bundle_damaged (BcCliFixture  *fixture,
                     gconstpointer  data)
{
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) shown = NULL;
  g_autofree char *id = NULL;
  g_autofree char *bundle = path_in (fixture, "outbox.bundle");
  g_autofree char *bad = path_in (fixture, "bad.bundle");
  g_autofree char *reply = path_in (fixture, "outbox.bundle.reply");
  g_autofree char *before = NULL;
  g_autofree char *text = NULL;
  gsize length;
  /* Offsets spread over the file: structure, a value, the checksum. */
  const double where[] = { 0.0, 0.1, 0.37, 0.5, 0.81, 0.99 };

  (void) data;

  bc_cli_test_enrol (fixture);
  id = bc_cli_test_ready_report (fixture, "2018Q2", BC_CLI_TEST_UNIT);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "bundle", "export", bundle, NULL), ==, 0);
  g_assert_true (g_file_get_contents (bundle, &text, &length, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (where); i++)
    {
      damage (bundle, bad, (gssize) (where[i] * (double) (length - 2)), -1);
      g_assert_cmpint (bc_cli_test_admin_run (fixture, &run, "import-bundle", bad, NULL), ==, 1);
      g_assert_nonnull (strstr (run.err, "damaged"));
    }
  damage (bundle, bad, -1, (gssize) length / 2);
  g_assert_cmpint (bc_cli_test_admin_run (fixture, &run, "import-bundle", bad, NULL), ==, 1);
  g_assert_nonnull (strstr (run.err, "damaged"));
  damage (bundle, bad, -1, (gssize) length - 1);
  g_assert_cmpint (bc_cli_test_admin_run (fixture, &run, "import-bundle", bad, NULL), ==, 1);

  /* Tampered: a value changed and the checksum made anew (anyone can);
   * the signature, keyed by the device's token, no longer matches. Nor
   * does stripping the signature help. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonObject) object = bc_bundle_open_file (bundle, &error);
    g_autofree char *forged_key = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "guess", -1);
    g_autofree char *forged = NULL;
    g_autofree char *stripped = NULL;
    JsonObject *content;

    g_assert_no_error (error);
    content = json_object_get_object_member (json_array_get_object_element (
                json_object_get_array_member (object, "items"), 0), "content");
    json_object_set_string_member (content, "period", "2018Q3");
    forged = bc_bundle_seal (object, forged_key);
    g_assert_true (g_file_set_contents (bad, forged, -1, NULL));
    g_assert_cmpint (bc_cli_test_admin_run (fixture, &run, "import-bundle", bad, NULL), ==, 1);
    g_assert_nonnull (strstr (run.err, "signature"));

    stripped = bc_bundle_seal (object, NULL);
    g_assert_true (g_file_set_contents (bad, stripped, -1, NULL));
    g_assert_cmpint (bc_cli_test_admin_run (fixture, &run, "import-bundle", bad, "--trust-unsigned", NULL), ==, 1);
    g_assert_nonnull (strstr (run.err, "names a device"));

    /* Without its device too: unsigned, taken only on the administrator's word. */
    g_clear_pointer (&stripped, g_free);
    json_object_set_null_member (object, "device_id");
    stripped = bc_bundle_seal (object, NULL);
    g_assert_true (g_file_set_contents (bad, stripped, -1, NULL));
    g_assert_cmpint (bc_cli_test_admin_run (fixture, &run, "import-bundle", bad, NULL), ==, 1);
    g_assert_nonnull (strstr (run.err, "not signed"));
  }

  g_assert_cmpuint (server_report_count (fixture), ==, 0);
  g_assert_false (g_file_test (reply, G_FILE_TEST_EXISTS));

  /* A damaged reply changes nothing in the workbook either. */
  g_assert_cmpint (bc_cli_test_admin_run (fixture, &run, "import-bundle", bundle, NULL), ==, 0);
  g_free (only_server_receipt (fixture));
  before = workbook_state (fixture);
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (reply, &text, &length, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (where); i++)
    {
      damage (reply, bad, (gssize) (where[i] * (double) (length - 2)), -1);
      g_assert_cmpint (bc_cli_test_cli (fixture, &run, "bundle", "import", bad, NULL), ==, 22);
      g_assert_nonnull (strstr (run.err, "damaged"));
    }
  damage (reply, bad, -1, (gssize) length / 3);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "bundle", "import", bad, NULL), ==, 22);
  /* In the officer's language. */
  g_assert_cmpint (bc_cli_test_cli_vi (fixture, &run, "bundle", "import", bad, NULL), ==, 22);
  g_assert_nonnull (strstr (run.err, "hỏng"));
  g_assert_cmpstr (bc_cli_test_report_status (fixture, id, &shown), ==, "queued");
  g_clear_pointer (&shown, json_node_unref);
  g_assert_cmpuint (outbox_length (fixture), ==, 1);
  {
    g_autofree char *after = workbook_state (fixture);

    g_assert_cmpstr (after, ==, before);
  }

  /* The whole reply still works. */
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "bundle", "import", reply, NULL), ==, 0);
  g_assert_cmpstr (bc_cli_test_report_status (fixture, id, &shown), ==, "sent");
}


/* Enrols the fixture's current workbook as `user` (password BC_CLI_TEST_PASSWORD). */
static void
enrol_as (BcCliFixture *fixture,
          const char   *user,
          const char   *token_file)
{
  g_auto(BcCliRun) run = { 0 };
  g_autofree char *password = g_build_filename (fixture->dir, "password", NULL);

  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "enrol", fixture->url, "--user", user,
                                    "--password-file", password, "--token-file", token_file, NULL), ==, 0);
}

/* Another unit's bundle is nobody else's: a reply for Sơn Tịnh refused in
 * Bình Sơn's workbook, Sơn Tịnh's outbox refused when Bình Sơn relays it,
 * taken when the province's computer relays it; a reply bundle is no
 * server's to import. */
static void
test_bundle_other_unit (BcCliFixture  *fixture,
                        gconstpointer  data)
{
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) shown = NULL;
  g_autofree char *password = path_in (fixture, "password");
  g_autofree char *commune = g_strdup (fixture->workbook);
  g_autofree char *other = path_in (fixture, "binhson.baocao");
  g_autofree char *province = path_in (fixture, "province.baocao");
  g_autofree char *other_token = path_in (fixture, "binhson.token");
  g_autofree char *province_token = path_in (fixture, "province.token");
  g_autofree char *bundle = path_in (fixture, "sontinh.bundle");
  g_autofree char *relayed = path_in (fixture, "relayed.reply");
  g_autofree char *reply = path_in (fixture, "sontinh.bundle.reply");
  g_autofree char *before = NULL;
  g_autofree char *id = NULL;

  (void) data;

  bc_cli_test_admin (fixture, "users", "add", "ubnd-binh-son", "--unit", "QNG-BINHSON",
                     "--password-file", password, NULL);
  bc_cli_test_admin (fixture, "users", "add", "ubnd-tinh", "--unit", "QNG", "--password-file", password, NULL);

  bc_cli_test_enrol (fixture);
  id = bc_cli_test_ready_report (fixture, "2018Q2", BC_CLI_TEST_UNIT);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "bundle", "export", bundle, NULL), ==, 0);

  /* Bình Sơn's computer cannot pass Sơn Tịnh's bundle on: to it, as to a
   * report of another unit, there is no such thing. */
  g_free (fixture->workbook);
  fixture->workbook = g_strdup (other);
  enrol_as (fixture, "ubnd-binh-son", other_token);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "bundle", "import", bundle, "--reply", relayed, NULL), ==, 21);
  g_assert_nonnull (strstr (run.err, "refused the bundle"));
  g_assert_false (g_file_test (relayed, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (server_report_count (fixture), ==, 0);

  /* The province's computer oversees Sơn Tịnh: it relays the bundle. */
  g_free (fixture->workbook);
  fixture->workbook = g_strdup (province);
  enrol_as (fixture, "ubnd-tinh", province_token);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "bundle", "import", bundle, "--reply", relayed, NULL), ==, 0);
  g_assert_true (g_file_test (relayed, G_FILE_TEST_EXISTS));
  g_free (only_server_receipt (fixture));
  /* The province's own workbook took nothing of it. */
  g_assert_cmpuint (outbox_length (fixture), ==, 0);

  /* The reply is Sơn Tịnh's: refused in Bình Sơn's workbook, unchanged. */
  g_free (fixture->workbook);
  fixture->workbook = g_strdup (other);
  before = workbook_state (fixture);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "bundle", "import", relayed, NULL), ==, 22);
  g_assert_nonnull (strstr (run.err, "another unit"));
  {
    g_autofree char *after = workbook_state (fixture);

    g_assert_cmpstr (after, ==, before);
  }

  /* A reply bundle is for the unit, not for a server. */
  g_assert_cmpint (bc_cli_test_admin_run (fixture, &run, "import-bundle", relayed, "--reply", reply, NULL), ==, 1);
  g_assert_nonnull (strstr (run.err, "reply bundle"));

  /* At home, the relayed reply makes the report sent. */
  g_free (fixture->workbook);
  fixture->workbook = g_strdup (commune);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "bundle", "import", relayed, NULL), ==, 0);
  g_assert_cmpstr (bc_cli_test_report_status (fixture, id, &shown), ==, "sent");
  g_assert_cmpuint (outbox_length (fixture), ==, 0);
}


/* A reply belongs to the workbook that made the bundle, even in the same
 * unit; a revoked device's bundle is refused. */
static void
test_bundle_other_workbook_revoked (BcCliFixture  *fixture,
                                    gconstpointer  data)
{
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *first = g_strdup (fixture->workbook);
  g_autofree char *second = path_in (fixture, "second.baocao");
  g_autofree char *second_token = path_in (fixture, "second.token");
  g_autofree char *bundle = path_in (fixture, "outbox.bundle");
  g_autofree char *reply = path_in (fixture, "outbox.bundle.reply");
  g_autofree char *before = NULL;
  g_autofree char *device = NULL;
  g_autofree char *id = NULL;

  (void) data;

  bc_cli_test_enrol (fixture);
  id = bc_cli_test_ready_report (fixture, "2018Q2", BC_CLI_TEST_UNIT);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "bundle", "export", bundle, NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_admin_run (fixture, &run, "import-bundle", bundle, NULL), ==, 0);
  device = g_strdup (json_object_get_string_member (read_bundle (bundle, &root), "device_id"));
  g_assert_nonnull (device);

  /* Another computer of the same unit: not its reply. */
  g_free (fixture->workbook);
  fixture->workbook = g_strdup (second);
  enrol_as (fixture, BC_CLI_TEST_USER, second_token);
  before = workbook_state (fixture);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "bundle", "import", reply, NULL), ==, 22);
  g_assert_nonnull (strstr (run.err, "another workbook"));
  {
    g_autofree char *after = workbook_state (fixture);

    g_assert_cmpstr (after, ==, before);
  }

  /* The first device is revoked: its bundle is not taken any more. */
  bc_cli_test_admin (fixture, "devices", "revoke", device, NULL);
  g_assert_cmpint (bc_cli_test_admin_run (fixture, &run, "import-bundle", bundle, NULL), ==, 1);
  g_assert_nonnull (strstr (run.err, "revoked"));

  g_free (fixture->workbook);
  fixture->workbook = g_strdup (first);
}

/* ------------------------------------------------------------------------ */
/* The training server                                                      */

static void
make_demo (BcCliFixture *fixture)
{
  g_auto(BcCliRun) run = { 0 };
  g_autofree char *demo = path_in (fixture, "demo.baocao");
  g_autofree char *dir = g_build_filename (g_getenv ("BAOCAO_TEMPLATE_DIR"), "..", "demo", NULL);
  g_autofree char *q2 = g_build_filename (dir, "quang-ngai-2018q2.json", NULL);
  g_autofree char *inspection = g_build_filename (dir, "quang-ngai-312-kl-ttra.json", NULL);
  const char *argv[] = { g_getenv ("BAOCAO_CLI"), "create-demo", demo, q2, inspection, NULL };

  bc_cli_test_run_program (fixture, NULL, &run, argv);
  g_assert_cmpint (run.status, ==, 0);
  g_free (fixture->workbook);
  fixture->workbook = g_steal_pointer (&demo);
}

/* A trainee's whole cycle with no server process and no network: sync →
 * returned with the training reviewer's comment → fix → ready → sync →
 * accepted. */
static void
test_training_cycle (BcCliFixture  *fixture,
                     gconstpointer  data)
{
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(JsonNode) shown = NULL;
  g_auto(BcCliRun) run = { 0 };
  g_autofree char *id = NULL;
  JsonObject *result;
  JsonArray *results;

  (void) data;

  /* No server for this one: the demo workbook brings its own. */
  bc_cli_test_stop_server (fixture);
  make_demo (fixture);
  id = bc_cli_test_ready_report (fixture, "2019Q1", "UBND-QNG");

  result = bc_cli_test_sync_json (fixture, &first);
  results = json_object_get_array_member (result, "results");
  g_assert_cmpuint (json_array_get_length (results), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (results, 0), "result"),
                   ==, "stored");
  g_assert_cmpint (json_object_get_int_member (result, "reviews"), ==, 1);
  g_assert_cmpstr (bc_cli_test_report_status (fixture, id, &shown), ==, "returned");
  g_assert_nonnull (strstr (json_object_get_string_member (json_node_get_object (shown), "review_comment"),
                            "Training"));
  g_clear_pointer (&shown, json_node_unref);

  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "draft", id, NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "set", id, "services_level3", "5", NULL), ==, 0);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "ready", id, NULL), ==, 0);

  result = bc_cli_test_sync_json (fixture, &second);
  results = json_object_get_array_member (result, "results");
  g_assert_cmpuint (json_array_get_length (results), ==, 1);
  g_assert_false (json_object_get_boolean_member (json_array_get_object_element (results, 0), "replayed"));
  g_assert_cmpint (json_object_get_int_member (result, "reviews"), ==, 1);
  g_assert_cmpstr (bc_cli_test_report_status (fixture, id, &shown), ==, "accepted");
  /* Accepted: the training return's comment is history, not the report's. */
  g_assert_true (json_object_get_null_member (json_node_get_object (shown), "review_comment"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (shown),
                                                                                 "review"),
                                                  "decision"), ==, "accepted");
}

typedef struct {
  gboolean  done;
  char     *err;
  int       status;
} AsyncRun;

static void
communicated (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  AsyncRun *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &out, &run->err, &error);
  g_assert_no_error (error);
  run->status = g_subprocess_get_exit_status (G_SUBPROCESS (source));
  run->done = TRUE;
}

/* A demo workbook refuses a real server (here on this computer, so the
 * address alone would pass), and a real workbook refuses the training
 * server (running in this test's process, answering while the CLI runs). */
static void
test_training_refusals (BcCliFixture  *fixture,
                        gconstpointer  data)
{
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTrainingServer) training = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *password = path_in (fixture, "password");
  g_autofree char *real = path_in (fixture, "real.baocao");
  g_autofree char *token = path_in (fixture, "real.token");
  AsyncRun async = { 0 };

  (void) data;

  make_demo (fixture);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "enrol", fixture->url, "--user", BC_CLI_TEST_USER,
                                    "--password-file", password, "--token-file", fixture->token_file, NULL),
                   ==, 18);
  g_assert_nonnull (strstr (run.err, "demo workbook"));
  g_assert_false (g_file_test (fixture->token_file, G_FILE_TEST_EXISTS));

  training = bc_training_server_start (NULL, &error);
  g_assert_no_error (error);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", fixture->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", "en", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("BAOCAO_CLI"), "--workbook", real,
                                         "enrol", bc_training_server_get_url (training),
                                         "--user", BC_TRAINING_USER, "--password-file", password,
                                         "--token-file", token, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicated, &async);
  while (!async.done)
    g_main_context_iteration (NULL, TRUE);
  g_test_message ("enrol with the training server: %d, %s", async.status, async.err);
  g_assert_cmpint (async.status, ==, 18);
  g_assert_nonnull (strstr (async.err, "training server"));
  g_assert_false (g_file_test (token, G_FILE_TEST_EXISTS));
  g_free (async.err);

  /* The training server itself takes no real workbook either. */
  {
    g_autoptr(BcWorkbook) workbook = bc_workbook_open (real, NULL, BC_WORKBOOK_OPEN_CREATE, &error);
    g_autoptr(BcTrainingServer) refused = NULL;

    g_assert_no_error (error);
    refused = bc_training_server_open_for_workbook (workbook, &error);
    g_assert_null (refused);
    g_assert_nonnull (error);
  }

  {
    g_autofree char *store = g_strdup (bc_training_server_get_directory (training));

    g_clear_pointer (&training, bc_training_server_free);
    bc_test_remove_tree (store);
  }
}

/* A ready report of another unit (made before enrolling) cannot travel
 * in this workbook's bundle either: export names it and exits 23, and
 * carries the unit's own report as before. */
static void
test_bundle_not_sent (BcCliFixture  *fixture,
                      gconstpointer  data)
{
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) shown = NULL;
  g_autofree char *bundle = path_in (fixture, "sontinh.bundle");
  g_autofree char *other = NULL;
  g_autofree char *ours = NULL;

  (void) data;

  other = bc_cli_test_ready_report (fixture, "2018Q2", "QNG-BINHSON");
  bc_cli_test_enrol (fixture);
  ours = bc_cli_test_ready_report (fixture, "2018Q3", BC_CLI_TEST_UNIT);
  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "bundle", "export", bundle, NULL), ==, 23);
  g_assert_nonnull (strstr (run.out, "Wrote 1 report to "));
  g_assert_nonnull (strstr (run.out, other));
  g_assert_nonnull (strstr (run.out, "is for the unit “QNG-BINHSON”"));
  g_assert_cmpstr (bc_cli_test_report_status (fixture, other, &shown), ==, "ready");
  g_clear_pointer (&shown, json_node_unref);
  g_assert_cmpstr (bc_cli_test_report_status (fixture, ours, &shown), ==, "queued");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, BcCliFixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/sync/bundle/exactly-once", test_bundle_exactly_once);
  ADD ("/sync/bundle/after-network", test_bundle_after_network);
  ADD ("/sync/bundle/plan", test_bundle_plan);
  ADD ("/sync/bundle/network-after-bundle", test_network_after_bundle);
  ADD ("/sync/bundle/damaged", test_bundle_damaged);
  ADD ("/sync/bundle/other-unit", test_bundle_other_unit);
  ADD ("/sync/bundle/not-sent", test_bundle_not_sent);
  ADD ("/sync/bundle/other-workbook-revoked", test_bundle_other_workbook_revoked);
  ADD ("/sync/training/cycle", test_training_cycle);
  ADD ("/sync/training/refusals", test_training_refusals);

  return g_test_run ();
}
