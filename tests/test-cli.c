/* test-cli.c: baocao-cli end to end, as an administrator or a script uses it.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-cli"

#include "config.h"
#include "bc-test-util.h"
#include "bc-cli-test.h"

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

typedef struct
{
  char *dir;
  char *workbook;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("baocao-cli-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->workbook = g_build_filename (fixture->dir, "test.baocao", NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  bc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->workbook);
}

/* Runs baocao-cli on the fixture's workbook; `language` "vi" or NULL. */
static void
run_cli_v (Fixture    *fixture,
           const char *language,
           BcCliRun   *run,
           const char *first,
           va_list     args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *cli = g_getenv ("BAOCAO_CLI");
  const char *arg;

  g_assert_nonnull (cli);

  g_ptr_array_add (argv, (char *) cli);
  g_ptr_array_add (argv, (char *) "--workbook");
  g_ptr_array_add (argv, fixture->workbook);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", fixture->dir, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "BAOCAO_LANGUAGE");
  if (language != NULL)
    {
      g_subprocess_launcher_setenv (launcher, "LANGUAGE", language, TRUE);
      g_subprocess_launcher_setenv (launcher, "LANG", "C.UTF-8", TRUE);
      g_subprocess_launcher_unsetenv (launcher, "LC_ALL");
      g_subprocess_launcher_unsetenv (launcher, "LC_MESSAGES");
    }
  else
    {
      g_subprocess_launcher_setenv (launcher, "LANGUAGE", "en", TRUE);
      g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
    }

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
  g_test_message ("exit %d\nstdout: %s\nstderr: %s", run->status, run->out, run->err);
}

G_GNUC_NULL_TERMINATED
static int
cli (Fixture    *fixture,
     BcCliRun   *run,
     const char *first,
     ...)
{
  va_list args;

  bc_cli_run_clear (run);
  va_start (args, first);
  run_cli_v (fixture, NULL, run, first, args);
  va_end (args);

  return run->status;
}

G_GNUC_NULL_TERMINATED
static int
cli_vi (Fixture    *fixture,
        BcCliRun   *run,
        const char *first,
        ...)
{
  va_list args;

  bc_cli_run_clear (run);
  va_start (args, first);
  run_cli_v (fixture, "vi", run, first, args);
  va_end (args);

  return run->status;
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

static JsonNode *
show_json (Fixture    *fixture,
           const char *id)
{
  g_auto(BcCliRun) run = { 0 };

  g_assert_cmpint (cli (fixture, &run, "show", id, "--json", NULL), ==, 0);

  return parse_json (run.out);
}

static char *
new_report (Fixture    *fixture,
            const char *template_id,
            const char *period)
{
  g_auto(BcCliRun) run = { 0 };

  g_assert_cmpint (cli (fixture, &run, "new", template_id, "--period", period, "--unit", "UBND-QNG", NULL), ==, 0);
  g_strchomp (run.out);
  g_assert_true (g_uuid_string_is_valid (run.out));

  return g_strdup (run.out);
}

static const char *
stored_value (JsonNode   *report,
              const char *field)
{
  JsonObject *values = json_object_get_object_member (json_node_get_object (report), "values");

  if (!json_object_has_member (values, field))
    return NULL;

  return json_object_get_string_member (values, field);
}

static gint64
revision_of (Fixture    *fixture,
             const char *id)
{
  g_autoptr(JsonNode) report = show_json (fixture, id);

  return json_object_get_int_member (json_node_get_object (report), "revision");
}

static void
test_templates (Fixture       *fixture,
                gconstpointer  data)
{
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) list = NULL;
  gboolean quarterly = FALSE, remediation = FALSE;
  JsonArray *array;

  g_assert_cmpint (cli (fixture, &run, "templates", "--json", NULL), ==, 0);
  list = parse_json (run.out);
  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *t = json_array_get_object_element (array, i);
      const char *id = json_object_get_string_member (t, "id");

      quarterly |= g_str_equal (id, "egov-quarterly");
      remediation |= g_str_equal (id, "inspection-remediation");
      /* Every form carries Vietnamese and English titles. */
      g_assert_cmpstr (json_object_get_string_member (t, "title_vi"), !=, "");
      g_assert_cmpstr (json_object_get_string_member (t, "title_en"), !=, "");
    }
  g_assert_true (quarterly);
  g_assert_true (remediation);
}

static void
test_new_set_show (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *id = new_report (fixture, "egov-quarterly", "2018Q2");
  g_autofree char *prefix = g_strndup (id, 8);
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) report = NULL;

  g_assert_cmpint (cli (fixture, &run, "set", id, "docs_fully_electronic_pct", "25%", NULL), ==, 0);
  /* The section-qualified path and an id prefix work as well. */
  g_assert_cmpint (cli (fixture, &run, "set", prefix, "services.services_level3", "1,200", NULL), ==, 0);
  g_assert_cmpint (cli (fixture, &run, "set", id, "doc_date", "21/6/2018", NULL), ==, 0);

  report = show_json (fixture, id);
  g_assert_cmpstr (stored_value (report, "docs_fully_electronic_pct"), ==, "25");
  g_assert_cmpstr (stored_value (report, "services_level3"), ==, "1200");
  g_assert_cmpstr (stored_value (report, "doc_date"), ==, "2018-06-21");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (report), "period"), ==, "2018Q2");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (report), "status"), ==, "draft");

  /* Clearing is a change like any other. */
  g_assert_cmpint (cli (fixture, &run, "clear", id, "doc_date", NULL), ==, 0);
  g_clear_pointer (&report, json_node_unref);
  report = show_json (fixture, id);
  g_assert_null (stored_value (report, "doc_date"));

  /* The human view names the period as people write it. */
  g_assert_cmpint (cli (fixture, &run, "show", id, NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "II/2018"));

  /* A second report for the same form, period and unit is refused. */
  g_assert_cmpint (cli (fixture, &run, "new", "egov-quarterly", "--period", "2018Q2", "--unit", "UBND-QNG", NULL), ==, 1);
}

static void
test_bad_input_changes_nothing (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autofree char *id = new_report (fixture, "egov-quarterly", "2018Q2");
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autofree char *history_before = NULL;
  gint64 revision;

  g_assert_cmpint (cli (fixture, &run, "set", id, "services_level3", "94", NULL), ==, 0);
  revision = revision_of (fixture, id);
  g_assert_cmpint (cli (fixture, &run, "history", id, "--json", NULL), ==, 0);
  history_before = g_strdup (run.out);

  /* Each refusal: exit 1, a message naming the problem, nothing changed. */
  g_assert_cmpint (cli (fixture, &run, "set", id, "services_levle3", "94", NULL), ==, 1);
  g_assert_nonnull (strstr (run.err, "services_levle3"));
  g_assert_cmpint (cli (fixture, &run, "set", id, "services_level3", "abc", NULL), ==, 1);
  g_assert_cmpstr (run.err, !=, "");
  g_assert_cmpint (cli (fixture, &run, "set", id, "services_level3", "12.5", NULL), ==, 1);
  g_assert_cmpint (cli (fixture, &run, "set", id, "docs_fully_electronic_pct", "150", NULL), ==, 1);
  g_assert_nonnull (strstr (run.err, "100"));
  g_assert_cmpint (cli (fixture, &run, "set", id, "doc_date", "31/2/2018", NULL), ==, 1);
  g_assert_cmpint (cli (fixture, &run, "set", id, "eoffice_deployed", "maybe", NULL), ==, 1);
  g_assert_cmpint (cli (fixture, &run, "set", id, "services_total", "5", NULL), ==, 1);
  g_assert_cmpint (cli (fixture, &run, "set", id, "policy_documents[1].number", "1", NULL), ==, 1);
  g_assert_cmpint (cli (fixture, &run, "add-row", id, "no_such_table", NULL), ==, 1);
  g_assert_cmpint (cli (fixture, &run, "set", "ffffffff-0000-4000-8000-000000000000", "services_level3", "1", NULL), ==, 1);
  g_assert_cmpint (cli (fixture, &run, "new", "egov-quarterly", "--period", "2018Q5", "--unit", "X", NULL), ==, 1);
  g_assert_nonnull (strstr (run.err, "2018Q5"));
  g_assert_cmpint (cli (fixture, &run, "new", "no-such-form", "--period", "2018Q2", "--unit", "X", NULL), ==, 1);
  g_assert_cmpint (cli (fixture, &run, "justify", id, "docs_shares_within_100", "x", NULL), ==, 1);

  g_assert_cmpint (revision_of (fixture, id), ==, revision);
  g_assert_cmpint (cli (fixture, &run, "history", id, "--json", NULL), ==, 0);
  g_assert_cmpstr (run.out, ==, history_before);
  g_assert_cmpint (cli (fixture, &run, "list", "--json", NULL), ==, 0);
  after = parse_json (run.out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (after)), ==, 1);

  /* A command line it does not understand is exit 2. */
  g_assert_cmpint (cli (fixture, &run, "frobnicate", NULL), ==, 2);
  g_assert_cmpint (cli (fixture, &run, "set", id, NULL), ==, 2);
}

/* Fills every required, entered field of a form with a plain valid value. */
static void
fill_required (Fixture    *fixture,
               const char *template_id,
               const char *id)
{
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) fields = NULL;
  JsonArray *array;

  g_assert_cmpint (cli (fixture, &run, "fields", template_id, "--json", NULL), ==, 0);
  fields = parse_json (run.out);
  array = json_node_get_array (fields);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *field = json_array_get_object_element (array, i);
      const char *path = json_object_get_string_member (field, "path");
      const char *type = json_object_get_string_member (field, "type");
      const char *value;

      if (!json_object_get_boolean_member (field, "required") ||
          json_object_get_boolean_member (field, "computed") ||
          strchr (path, '[') != NULL)
        continue;

      if (g_str_equal (type, "integer") || g_str_equal (type, "decimal") || g_str_equal (type, "percentage"))
        value = "0";
      else if (g_str_equal (type, "date"))
        value = "21/6/2018";
      else if (g_str_equal (type, "yes_no"))
        value = "có";
      else if (g_str_equal (type, "choice"))
        value = json_array_get_string_element (json_object_get_array_member (field, "choices"), 0);
      else if (g_str_equal (type, "document_ref"))
        value = "312/KL-Ttra | 31/5/2018 | Kết luận thanh tra";
      else
        value = "Quảng Ngãi";

      g_assert_cmpint (cli (fixture, &run, "set", id, path, value, NULL), ==, 0);
    }
}

static void
justify_warnings (Fixture    *fixture,
                  const char *id)
{
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) result = NULL;
  JsonArray *issues;

  cli (fixture, &run, "validate", id, "--json", NULL);
  result = parse_json (run.out);
  issues = json_object_get_array_member (json_node_get_object (result), "issues");
  for (guint i = 0; i < json_array_get_length (issues); i++)
    {
      JsonObject *issue = json_array_get_object_element (issues, i);

      if (g_str_equal (json_object_get_string_member (issue, "severity"), "warning"))
        g_assert_cmpint (cli (fixture, &run, "justify", id,
                              json_object_get_string_member (issue, "rule"),
                              "Số liệu đã được kiểm tra lại.", NULL), ==, 0);
    }
}

static void
test_validate_and_ready (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *id = new_report (fixture, "egov-quarterly", "2018Q2");
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) report = NULL;

  /* A fresh report has required fields left: not valid, not ready. */
  g_assert_cmpint (cli (fixture, &run, "validate", id, NULL), ==, 1);
  g_assert_cmpint (cli (fixture, &run, "ready", id, NULL), ==, 1);
  g_assert_nonnull (strstr (run.err, "doc_number"));
  report = show_json (fixture, id);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (report), "status"), ==, "draft");

  fill_required (fixture, "egov-quarterly", id);

  /* An error across fields blocks it; fixing it clears the way. */
  g_assert_cmpint (cli (fixture, &run, "set", id, "docs_fully_electronic_pct", "40", NULL), ==, 0);
  g_assert_cmpint (cli (fixture, &run, "set", id, "docs_parallel_paper_pct", "70", NULL), ==, 0);
  g_assert_cmpint (cli (fixture, &run, "validate", id, NULL), ==, 1);
  g_assert_nonnull (strstr (run.out, "docs_"));
  g_assert_cmpint (cli (fixture, &run, "set", id, "docs_parallel_paper_pct", "60", NULL), ==, 0);

  justify_warnings (fixture, id);
  g_assert_cmpint (cli (fixture, &run, "validate", id, NULL), ==, 0);
  g_assert_cmpint (cli (fixture, &run, "ready", id, NULL), ==, 0);

  /* A ready report cannot change until it is taken back to draft. */
  g_assert_cmpint (cli (fixture, &run, "set", id, "services_level3", "5", NULL), ==, 1);
  g_assert_cmpint (cli (fixture, &run, "ready", id, NULL), ==, 1);
  g_assert_cmpint (cli (fixture, &run, "draft", id, NULL), ==, 0);
  g_assert_cmpint (cli (fixture, &run, "set", id, "services_level3", "5", NULL), ==, 0);
  g_assert_cmpint (cli (fixture, &run, "draft", id, NULL), ==, 1);
}

static void
test_rows (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *id = new_report (fixture, "inspection-remediation", "2018Q3");
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) report = NULL;
  JsonArray *rows;

  g_assert_cmpint (cli (fixture, &run, "add-row", id, "findings", NULL), ==, 0);
  g_assert_cmpstr (run.out, ==, "1\n");
  g_assert_cmpint (cli (fixture, &run, "add-row", id, "findings", NULL), ==, 0);
  g_assert_cmpstr (run.out, ==, "2\n");
  g_assert_cmpint (cli (fixture, &run, "add-row", id, "remediation.findings", NULL), ==, 0);
  g_assert_cmpstr (run.out, ==, "3\n");

  g_assert_cmpint (cli (fixture, &run, "set", id, "findings[1].unit", "Văn phòng UBND tỉnh", NULL), ==, 0);
  g_assert_cmpint (cli (fixture, &run, "set", id, "findings[2].unit", "UBND huyện Lý Sơn", NULL), ==, 0);
  g_assert_cmpint (cli (fixture, &run, "set", id, "findings[2].status", "resolved", NULL), ==, 0);
  g_assert_cmpint (cli (fixture, &run, "set", id, "findings[2].figure_done", "4,500", NULL), ==, 0);
  g_assert_cmpint (cli (fixture, &run, "set", id, "findings[4].status", "resolved", NULL), ==, 1);
  g_assert_cmpint (cli (fixture, &run, "set", id, "findings[2].status", "fixed-ish", NULL), ==, 1);

  /* Removing row 1 moves the Lý Sơn finding up, with its values. */
  g_assert_cmpint (cli (fixture, &run, "remove-row", id, "findings", "1", NULL), ==, 0);
  report = show_json (fixture, id);
  rows = json_object_get_array_member (json_object_get_object_member (json_node_get_object (report), "tables"),
                                       "findings");
  g_assert_cmpuint (json_array_get_length (rows), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0), "unit"), ==,
                   "UBND huyện Lý Sơn");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0), "figure_done"), ==,
                   "4500");

  g_assert_cmpint (cli (fixture, &run, "move-row", id, "findings", "1", "2", NULL), ==, 0);
  g_clear_pointer (&report, json_node_unref);
  report = show_json (fixture, id);
  rows = json_object_get_array_member (json_object_get_object_member (json_node_get_object (report), "tables"),
                                       "findings");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 1), "unit"), ==,
                   "UBND huyện Lý Sơn");
  g_assert_cmpint (cli (fixture, &run, "remove-row", id, "findings", "3", NULL), ==, 1);

  /* The history keeps every step. */
  g_assert_cmpint (cli (fixture, &run, "history", id, NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "4500"));
}

static void
test_carry_forward (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *q3 = new_report (fixture, "inspection-remediation", "2018Q3");
  g_autofree char *q4 = NULL;
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) report = NULL;
  JsonArray *rows;

  cli (fixture, &run, "add-row", q3, "findings", NULL);
  cli (fixture, &run, "add-row", q3, "findings", NULL);
  g_assert_cmpint (cli (fixture, &run, "set", q3, "findings[1].unit", "Sở Xây dựng", NULL), ==, 0);
  g_assert_cmpint (cli (fixture, &run, "set", q3, "findings[1].status", "resolved", NULL), ==, 0);
  g_assert_cmpint (cli (fixture, &run, "set", q3, "findings[2].unit", "UBND huyện Đức Phổ", NULL), ==, 0);
  g_assert_cmpint (cli (fixture, &run, "set", q3, "findings[2].status", "in_progress", NULL), ==, 0);
  g_assert_cmpint (cli (fixture, &run, "set", q3, "findings[2].remaining", "Chưa bố trí kinh phí.", NULL), ==, 0);

  /* The next quarter starts with the unresolved finding only. */
  q4 = new_report (fixture, "inspection-remediation", "2018Q4");
  report = show_json (fixture, q4);
  rows = json_object_get_array_member (json_object_get_object_member (json_node_get_object (report), "tables"),
                                       "findings");
  g_assert_cmpuint (json_array_get_length (rows), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0), "unit"), ==,
                   "UBND huyện Đức Phổ");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0), "remaining"), ==,
                   "Chưa bố trí kinh phí.");
}

static void
test_vietnamese (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *id = new_report (fixture, "egov-quarterly", "2018Q2");
  g_auto(BcCliRun) run = { 0 };
  g_autofree char *english = NULL;

  g_assert_cmpint (cli (fixture, &run, "set", id, "docs_fully_electronic_pct", "150", NULL), ==, 1);
  english = g_strdup (run.err);

  /* Under a Vietnamese locale the same refusal is in Vietnamese. */
  g_assert_cmpint (cli_vi (fixture, &run, "set", id, "docs_fully_electronic_pct", "150", NULL), ==, 1);
  g_assert_cmpstr (run.err, !=, english);
  g_assert_nonnull (strstr (run.err, "Tỷ lệ"));
  g_assert_nonnull (strstr (run.err, "100"));

  g_assert_cmpint (cli_vi (fixture, &run, "frobnicate", NULL), ==, 2);
  g_assert_nonnull (strstr (run.err, "frobnicate"));
  g_assert_null (strstr (run.err, "Unknown command"));
}

/* A figure reads back as the command line shows it, in each language: a
 * budget of 1.250 (million đồng) typed the way `show` writes it is not
 * 1,25. */
static void
test_numbers_read_back (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *id = new_report (fixture, "egov-quarterly", "2018Q2");
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) report = NULL;
  g_autofree char *history_before = NULL;
  gint64 revision;
  static const struct { const char *input; const char *stored; const char *shown; } vi[] = {
    { "1250", "1250", "Kinh phí được bố trí trong năm: 1.250\n" },
    { "1.250", "1250", "Kinh phí được bố trí trong năm: 1.250\n" },
    { "1.250,5", "1250.5", "Kinh phí được bố trí trong năm: 1.250,5\n" },
    { "1,25", "1.25", "Kinh phí được bố trí trong năm: 1,25\n" },
    { "1.25", "1.25", "Kinh phí được bố trí trong năm: 1,25\n" },
    { "1,125", "1.125", "Kinh phí được bố trí trong năm: 1,125\n" },
  };
  static const struct { const char *input; const char *stored; const char *shown; } en[] = {
    { "1,250", "1250", "Budget allocated for the year: 1,250\n" },
    { "1,250.5", "1250.5", "Budget allocated for the year: 1,250.5\n" },
    { "1.25", "1.25", "Budget allocated for the year: 1.25\n" },
    { "1.125", "1.125", "Budget allocated for the year: 1.125\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (vi); i++)
    {
      const char *shown;

      g_test_message ("vi: “%s”", vi[i].input);
      g_assert_cmpint (cli_vi (fixture, &run, "set", id, "budget_allocated", vi[i].input, NULL), ==, 0);
      g_clear_pointer (&report, json_node_unref);
      report = show_json (fixture, id);
      g_assert_cmpstr (stored_value (report, "budget_allocated"), ==, vi[i].stored);
      g_assert_cmpint (cli_vi (fixture, &run, "show", id, NULL), ==, 0);
      g_assert_nonnull (strstr (run.out, vi[i].shown));

      /* What `show` printed, typed back, is the same value. */
      shown = strchr (vi[i].shown, ':') + 2;
      {
        g_autofree char *typed = g_strndup (shown, strlen (shown) - 1);

        g_assert_cmpint (cli_vi (fixture, &run, "set", id, "budget_allocated", typed, NULL), ==, 0);
        g_clear_pointer (&report, json_node_unref);
        report = show_json (fixture, id);
        g_assert_cmpstr (stored_value (report, "budget_allocated"), ==, vi[i].stored);
      }
    }

  for (guint i = 0; i < G_N_ELEMENTS (en); i++)
    {
      g_test_message ("en: “%s”", en[i].input);
      g_assert_cmpint (cli (fixture, &run, "set", id, "budget_allocated", en[i].input, NULL), ==, 0);
      g_clear_pointer (&report, json_node_unref);
      report = show_json (fixture, id);
      g_assert_cmpstr (stored_value (report, "budget_allocated"), ==, en[i].stored);
      g_assert_cmpint (cli (fixture, &run, "show", id, NULL), ==, 0);
      g_assert_nonnull (strstr (run.out, en[i].shown));
    }

  /* Integers read "1.250" as the decimal fields do. */
  g_assert_cmpint (cli_vi (fixture, &run, "set", id, "dossiers_received", "1.250", NULL), ==, 0);
  g_clear_pointer (&report, json_node_unref);
  report = show_json (fixture, id);
  g_assert_cmpstr (stored_value (report, "dossiers_received"), ==, "1250");

  /* A whole number with the decimal mark before three digits is refused,
   * in the user's language, saying how to write it; nothing changes. */
  revision = revision_of (fixture, id);
  g_assert_cmpint (cli (fixture, &run, "history", id, "--json", NULL), ==, 0);
  history_before = g_strdup (run.out);

  g_assert_cmpint (cli_vi (fixture, &run, "set", id, "dossiers_received", "2,500", NULL), ==, 1);
  g_assert_nonnull (strstr (run.err, "dấu phẩy"));
  g_assert_nonnull (strstr (run.err, "2.500 hoặc 2500"));
  g_assert_cmpint (cli (fixture, &run, "set", id, "dossiers_received", "2.500", NULL), ==, 1);
  g_assert_nonnull (strstr (run.err, "2,500 or 2500"));

  g_assert_cmpint (revision_of (fixture, id), ==, revision);
  g_assert_cmpint (cli (fixture, &run, "history", id, "--json", NULL), ==, 0);
  g_assert_cmpstr (run.out, ==, history_before);
}

static void
test_not_a_workbook (Fixture       *fixture,
                     gconstpointer  data)
{
  static const char text[] = "Số: 140/BC-UBND\nnot a workbook\n";
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_file_set_contents (fixture->workbook, text, -1, &error);
  g_assert_no_error (error);

  g_assert_cmpint (cli (fixture, &run, "list", NULL), ==, 1);
  g_assert_nonnull (strstr (run.err, "test.baocao"));

  g_file_get_contents (fixture->workbook, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, text);
}

static void
test_demo_workbook (Fixture       *fixture,
                    gconstpointer  data)
{
  const char *demo = g_getenv ("BAOCAO_DEMO_WORKBOOK");
  g_autoptr(GFile) source = NULL;
  g_autoptr(GFile) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) list = NULL;
  JsonArray *reports;
  gboolean quarterly = FALSE, remediation = FALSE;

  g_assert_nonnull (demo);
  source = g_file_new_for_path (demo);
  copy = g_file_new_for_path (fixture->workbook);
  g_file_copy (source, copy, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (cli (fixture, &run, "list", "--json", NULL), ==, 0);
  list = parse_json (run.out);
  reports = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (reports); i++)
    {
      JsonObject *r = json_array_get_object_element (reports, i);
      const char *template_id = json_object_get_string_member (r, "template");
      const char *period = json_object_get_string_member (r, "period");

      quarterly |= g_str_equal (template_id, "egov-quarterly") && g_str_equal (period, "2018Q2");

      /* The demo's reports are of 2018, before Plan 61/KH-UBND was in force:
       * no plan sets them a due date, so none is on time or late (the
       * accepted Q1 report included). test_plan_due_dates_and_targets has a
       * report under the plan. */
      g_assert_cmpstr (json_object_get_string_member (r, "timeliness"), ==, "no-due-date");
      remediation |= g_str_equal (template_id, "inspection-remediation");

      /* Every sample report opens and shows. */
      g_assert_cmpint (cli (fixture, &run, "show", json_object_get_string_member (r, "id"), NULL), ==, 0);
    }
  g_assert_true (quarterly);
  g_assert_true (remediation);
}


static char *
write_file (Fixture    *fixture,
            const char *name,
            const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (fixture->dir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);

  return path;
}

static void
test_import (Fixture       *fixture,
             gconstpointer  data)
{
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(GString) deep = g_string_new ("{\"format\": 1, \"reports\": ");
  g_autofree char *good = write_file (fixture, "good.json",
    "{\"format\": 1, \"reports\": [{\"template\": \"egov-quarterly\", \"period\": \"2018Q2\","
    " \"unit\": \"UBND-QNG\", \"values\": {\"doc_number\": \"140/BC-UBND\", \"doc_date\": \"21/6/2018\"}}]}");
  g_autofree char *sent = write_file (fixture, "sent.json",
    "{\"format\": 1, \"reports\": [{\"template\": \"egov-quarterly\", \"period\": \"2018Q3\","
    " \"unit\": \"UBND-QNG\", \"status\": \"sent\"}]}");
  g_autofree char *bad_version = write_file (fixture, "version.json",
    "{\"format\": 1, \"reports\": [{\"template\": \"egov-quarterly\", \"template_version\": {},"
    " \"period\": \"2018Q4\", \"unit\": \"UBND-QNG\"}]}");
  g_autofree char *bad_format = write_file (fixture, "format.json", "{\"format\": [1], \"reports\": []}");
  g_autofree char *deep_path = NULL;

  g_assert_cmpint (cli (fixture, &run, "import", good, NULL), ==, 0);

  /* A user's workbook never takes a report as sent: only the server says so. */
  g_assert_cmpint (cli (fixture, &run, "import", sent, NULL), ==, 1);
  g_assert_cmpint (cli (fixture, &run, "import", bad_version, NULL), ==, 1);
  g_assert_nonnull (strstr (run.err, "template_version"));
  g_assert_cmpint (cli (fixture, &run, "import", bad_format, NULL), ==, 1);

  /* Absurdly deep nesting is refused before the parser sees it. */
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  deep_path = write_file (fixture, "deep.json", deep->str);
  g_assert_cmpint (cli (fixture, &run, "import", deep_path, NULL), ==, 1);

  g_assert_cmpint (cli (fixture, &run, "list", "--json", NULL), ==, 0);
  list = parse_json (run.out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 1);
}

/* An imported file holds values as `show --json` writes them, "." being
 * the decimal mark whatever the language: 1.125 stays 1.125. */
static void
test_import_numbers (Fixture       *fixture,
                     gconstpointer  data)
{
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autofree char *file = write_file (fixture, "numbers.json",
    "{\"format\": 1, \"reports\": [{\"template\": \"egov-quarterly\", \"period\": \"2018Q2\","
    " \"unit\": \"UBND-QNG\", \"values\": {\"budget_allocated\": \"1.125\", \"budget_spent\": 0.5,"
    " \"dossiers_received\": \"1250\"}}]}");
  const char *id;

  g_assert_cmpint (cli_vi (fixture, &run, "import", file, NULL), ==, 0);
  g_assert_cmpint (cli (fixture, &run, "list", "--json", NULL), ==, 0);
  list = parse_json (run.out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 1);
  id = json_object_get_string_member (json_array_get_object_element (json_node_get_array (list), 0), "id");
  report = show_json (fixture, id);
  g_assert_cmpstr (stored_value (report, "budget_allocated"), ==, "1.125");
  g_assert_cmpstr (stored_value (report, "budget_spent"), ==, "0.5");
  g_assert_cmpstr (stored_value (report, "dossiers_received"), ==, "1250");
}

static void
test_free_text_values (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *id = new_report (fixture, "egov-quarterly", "2018Q2");
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) report = NULL;

  /* What looks like an option is a value: stored, never help and exit 0. */
  g_assert_cmpint (cli (fixture, &run, "set", id, "doc_title", "--help", NULL), ==, 0);
  g_assert_cmpint (cli (fixture, &run, "set", id, "recipients", "- Như trên;\n- Lưu: VT.", NULL), ==, 0);
  report = show_json (fixture, id);
  g_assert_cmpstr (stored_value (report, "doc_title"), ==, "--help");
  g_assert_cmpstr (stored_value (report, "recipients"), ==, "- Như trên;\n- Lưu: VT.");
}

static void
test_workbook_not_created_by_mistake (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_auto(BcCliRun) run = { 0 };

  /* Reading a workbook that does not exist does not make an empty one. */
  g_assert_cmpint (cli (fixture, &run, "list", NULL), ==, 1);
  g_assert_false (g_file_test (fixture->workbook, G_FILE_TEST_EXISTS));

  g_assert_cmpint (cli (fixture, &run, "calendar", "2018Q2", "--date", "2018-06-2x", NULL), ==, 2);
  g_assert_cmpint (cli (fixture, &run, "calendar", "2018Q2", "--date", "2018-06-19", "--json", NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "\"due\""));
}

static void
test_create_demo_keeps_real_workbooks (Fixture       *fixture,
                                       gconstpointer  data)
{
  g_autofree char *id = new_report (fixture, "egov-quarterly", "2018Q2");
  g_autofree char *sample = write_file (fixture, "sample.json", "{\"format\": 1, \"reports\": []}");
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) list = NULL;

  /* create-demo never replaces a workbook that holds real reports. */
  g_assert_cmpint (cli (fixture, &run, "create-demo", fixture->workbook, sample, NULL), ==, 1);
  g_assert_cmpint (cli (fixture, &run, "list", "--json", NULL), ==, 0);
  list = parse_json (run.out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 1);
}

/* The issue of `rule` in `validate --json`'s answer, or NULL. */
static JsonObject *
find_issue (JsonNode   *result,
            const char *rule)
{
  JsonArray *issues = json_object_get_array_member (json_node_get_object (result), "issues");

  for (guint i = 0; i < json_array_get_length (issues); i++)
    {
      JsonObject *issue = json_array_get_object_element (issues, i);

      if (g_str_equal (json_object_get_string_member (issue, "rule"), rule))
        return issue;
    }

  return NULL;
}

/* An error is corrected, not justified: the core refuses the justification
 * whichever way it comes (the justify command, an imported document), and
 * one already in the file (as an older Baocao took it) does not make the
 * report ready. */
static void
test_error_not_justified (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *id = new_report (fixture, "egov-quarterly", "2018Q2");
  g_autofree char *document = write_file (fixture, "justified.json",
    "{\"format\": 1, \"reports\": [{\"template\": \"egov-quarterly\", \"period\": \"2018Q3\","
    " \"unit\": \"UBND-QNG\", \"values\": {\"docs_fully_electronic_pct\": \"40\","
    " \"docs_parallel_paper_pct\": \"70\"},"
    " \"justifications\": {\"docs_shares_within_100\": \"Số liệu của Sở.\"}}]}");
  g_autofree char *sql = NULL;
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) result = NULL;
  JsonObject *issue;
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (cli (fixture, &run, "import", document, NULL), ==, 1);
  g_assert_nonnull (strstr (run.err, "docs_shares_within_100"));
  g_assert_cmpint (cli (fixture, &run, "list", "--json", NULL), ==, 0);
  list = parse_json (run.out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 1);

  /* The report is complete but for one error across two fields. */
  fill_required (fixture, "egov-quarterly", id);
  g_assert_cmpint (cli (fixture, &run, "set", id, "docs_fully_electronic_pct", "40", NULL), ==, 0);
  g_assert_cmpint (cli (fixture, &run, "set", id, "docs_parallel_paper_pct", "70", NULL), ==, 0);
  justify_warnings (fixture, id);
  g_assert_cmpint (cli (fixture, &run, "justify", id, "docs_shares_within_100", "Số liệu của Sở.", NULL), ==, 1);
  g_assert_nonnull (strstr (run.err, "docs_shares_within_100"));

  /* Written into the file behind the core's back. */
  sql = g_strdup_printf ("INSERT INTO justifications (report_id, rule_id, row_id, text) "
                         "VALUES ('%s', 'docs_shares_within_100', 0, 'Số liệu của Sở.')", id);
  g_assert_cmpint (sqlite3_open (fixture->workbook, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s", message);
  sqlite3_close (db);

  g_assert_cmpint (cli (fixture, &run, "validate", id, "--json", NULL), ==, 1);
  result = parse_json (run.out);
  issue = find_issue (result, "docs_shares_within_100");
  g_assert_nonnull (issue);
  g_assert_cmpstr (json_object_get_string_member (issue, "severity"), ==, "error");

  g_assert_cmpint (cli (fixture, &run, "ready", id, NULL), ==, 1);
  g_assert_nonnull (strstr (run.err, "docs_fully_electronic_pct"));
  g_clear_pointer (&list, json_node_unref);
  g_assert_cmpint (cli (fixture, &run, "show", id, "--json", NULL), ==, 0);
  list = parse_json (run.out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (list), "status"), ==, "draft");

  /* Corrected, it goes. */
  g_assert_cmpint (cli (fixture, &run, "set", id, "docs_parallel_paper_pct", "60", NULL), ==, 0);
  g_assert_cmpint (cli (fixture, &run, "ready", id, NULL), ==, 0);
}

/* A form whose warning compares a text with a number: the check cannot be
 * evaluated once the text is filled in. */
static const char broken_form[] =
  "{\"format\": 1, \"id\": \"broken-form\", \"version\": 1, \"period_type\": \"quarter\","
  " \"title\": {\"vi\": \"Biểu mẫu lỗi\", \"en\": \"Broken form\"},"
  " \"sections\": [{\"id\": \"main\", \"title\": {\"vi\": \"Chung\", \"en\": \"General\"},"
  "   \"fields\": [{\"id\": \"name\", \"type\": \"text\", \"label\": {\"vi\": \"Tên\", \"en\": \"Name\"}}]}],"
  " \"rules\": [{\"id\": \"name_long\", \"severity\": \"warning\", \"check\": \"name > 5\","
  "   \"fields\": [\"name\"], \"message\": {\"vi\": \"Tên quá ngắn.\", \"en\": \"The name is short.\"}}]}";

static void
test_check_not_evaluated (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *forms = g_build_filename (fixture->dir, "forms", NULL);
  g_autofree char *form = g_build_filename (forms, "broken-form-v1.json", NULL);
  g_autofree char *shipped = g_strdup (g_getenv ("BAOCAO_TEMPLATE_DIR"));
  g_autofree char *dirs = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_auto(BcCliRun) run = { 0 };
  JsonObject *issue;

  g_assert_nonnull (shipped);
  g_assert_cmpint (g_mkdir_with_parents (forms, 0700), ==, 0);
  g_file_set_contents (form, broken_form, -1, &error);
  g_assert_no_error (error);
  dirs = g_strjoin (G_SEARCHPATH_SEPARATOR_S, shipped, forms, NULL);
  g_setenv ("BAOCAO_TEMPLATE_DIR", dirs, TRUE);

  id = new_report (fixture, "broken-form", "2018Q2");
  g_assert_cmpint (cli (fixture, &run, "validate", id, NULL), ==, 0);
  g_assert_cmpint (cli (fixture, &run, "set", id, "name", "Sở Thông tin và Truyền thông", NULL), ==, 0);

  /* Said, as an error, with the reason. */
  g_assert_cmpint (cli (fixture, &run, "validate", id, "--json", NULL), ==, 1);
  result = parse_json (run.out);
  issue = find_issue (result, "name_long");
  g_assert_nonnull (issue);
  g_assert_cmpstr (json_object_get_string_member (issue, "severity"), ==, "error");
  g_assert_nonnull (strstr (json_object_get_string_member (issue, "message"), "could not be evaluated"));

  /* The rule is a warning of the form, so it takes a justification, but a
   * check that was never made does not become ready through it. */
  g_assert_cmpint (cli (fixture, &run, "justify", id, "name_long", "Đã kiểm tra.", NULL), ==, 0);
  g_assert_cmpint (cli (fixture, &run, "ready", id, NULL), ==, 1);
  g_assert_nonnull (strstr (run.err, "could not be evaluated"));

  g_setenv ("BAOCAO_TEMPLATE_DIR", shipped, TRUE);
}

/* Due dates and targets are those of the plan in force for the report's
 * unit and period: Plan 61/KH-UBND for Quảng Ngãi from Q2/2019 to 2025,
 * none for a 2016 report or another province's. */
static void
test_plan_due_dates_and_targets (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autofree char *old_id = new_report (fixture, "egov-quarterly", "2016Q2");
  g_autofree char *new_id = new_report (fixture, "egov-quarterly", "2020Q2");
  g_autofree char *forms = g_build_filename (fixture->dir, "plans", NULL);
  g_autofree char *broken = g_build_filename (forms, "broken.plan.json", NULL);
  g_autofree char *shipped = g_strdup (g_getenv ("BAOCAO_TEMPLATE_DIR"));
  g_autofree char *dirs = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_auto(BcCliRun) run = { 0 };
  JsonObject *entry;

  g_assert_cmpint (cli (fixture, &run, "set", old_id, "docs_fully_electronic_pct", "25", NULL), ==, 0);
  g_assert_cmpint (cli (fixture, &run, "set", new_id, "docs_fully_electronic_pct", "25", NULL), ==, 0);

  /* 2016: no due date, no target. */
  g_assert_cmpint (cli (fixture, &run, "show", old_id, NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "Due:"));
  g_assert_nonnull (strstr (run.out, "No due date set"));
  g_assert_null (strstr (run.out, "target"));
  g_assert_null (strstr (run.out, "Plan 61"));

  /* 2020: Plan 61's due date and its 2019–2020 target. */
  g_assert_cmpint (cli (fixture, &run, "show", new_id, NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "19/06/2020 (Plan 61/KH-UBND)"));
  g_assert_nonnull (strstr (run.out, "25%  (target ≥ 90, Plan 61/KH-UBND, 2019–2020)"));

  g_assert_cmpint (cli (fixture, &run, "list", "--json", NULL), ==, 0);
  list = parse_json (run.out);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    {
      entry = json_array_get_object_element (json_node_get_array (list), i);
      if (g_str_equal (json_object_get_string_member (entry, "period"), "2016Q2"))
        g_assert_cmpstr (json_object_get_string_member (entry, "timeliness"), ==, "no-due-date");
      else
        g_assert_cmpstr (json_object_get_string_member (entry, "timeliness"), !=, "no-due-date");
    }

  /* The calendar: through the plan in force for the unit. */
  g_assert_cmpint (cli (fixture, &run, "calendar", "2016Q2", "--unit", "UBND-QNG", "--date", "2016-06-01", NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "no plan in force"));
  g_assert_cmpint (cli (fixture, &run, "calendar", "2020Q2", "--unit", "UBND-QNG", "--date", "2020-06-15", NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "data 15/03/2020 – 14/06/2020, due by 19/06/2020  Due soon (Plan 61/KH-UBND)"));
  g_assert_cmpint (cli (fixture, &run, "calendar", "2020Q2", "--unit", "UBND-HCM", NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "no plan in force"));
  g_assert_cmpint (cli (fixture, &run, "calendar", "2020Q2", "--unit", "QNG-SONTINH", "--json", NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "\"plan\" : \"qng-kh-61-2019\""));
  g_assert_nonnull (strstr (run.out, "\"due\" : \"2020-06-19\""));
  g_assert_cmpint (cli (fixture, &run, "calendar", "2016Q2", "--json", NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "\"due\" : null"));
  g_assert_nonnull (strstr (run.out, "\"timeliness\" : \"no-due-date\""));

  /* A broken plan file is set aside with its name and cause; the rest goes on. */
  g_assert_nonnull (shipped);
  g_assert_cmpint (g_mkdir_with_parents (forms, 0700), ==, 0);
  g_file_set_contents (broken, "{\"format\": 1, \"id\": \"x\", \"name\": \"X\"}\n", -1, &error);
  g_assert_no_error (error);
  dirs = g_strjoin (G_SEARCHPATH_SEPARATOR_S, shipped, forms, NULL);
  g_setenv ("BAOCAO_TEMPLATE_DIR", dirs, TRUE);
  g_assert_cmpint (cli (fixture, &run, "show", new_id, NULL), ==, 0);
  g_assert_nonnull (strstr (run.err, "warning: a plan was set aside"));
  g_assert_nonnull (strstr (run.err, "broken.plan.json: the key “title” is missing"));
  g_assert_nonnull (strstr (run.out, "19/06/2020 (Plan 61/KH-UBND)"));
  g_setenv ("BAOCAO_TEMPLATE_DIR", shipped, TRUE);
}

/* `new` puts a report on the form's version for its period: under
 * Resolution 36a (to 2019Q1) the quarterly figures are optional, from
 * 2019Q2 they are required, and `ready` says which are missing. */
static void
test_new_picks_version_by_year (Fixture       *fixture,
                                gconstpointer  data)
{
  static const char * const document[][2] = {
    { "issuing_body", "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI" },
    { "doc_number", "99/BC-UBND" },
    { "doc_place", "Quảng Ngãi" },
    { "doc_date", "12/9/2016" },
    { "doc_title", "Về tình hình triển khai Chính phủ điện tử" },
    { "addressee", "Văn phòng Chính phủ" },
    { "signer_title", "PHÓ CHỦ TỊCH" },
    { "signer_name", "Nguyễn Văn A" },
    { "eoffice_deployed", "có" },
  };
  g_autofree char *old_id = new_report (fixture, "egov-quarterly", "2016Q3");
  g_autofree char *last_36a = new_report (fixture, "egov-quarterly", "2019Q1");
  g_autofree char *first_61 = new_report (fixture, "egov-quarterly", "2019Q2");
  g_autofree char *new_id = new_report (fixture, "egov-quarterly", "2020Q2");
  g_autoptr(JsonNode) list = NULL;
  g_auto(BcCliRun) run = { 0 };

  g_assert_cmpint (cli (fixture, &run, "show", old_id, NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "Template:      2 "));
  g_assert_cmpint (cli (fixture, &run, "show", new_id, NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "Template:      3 "));

  g_assert_cmpint (cli (fixture, &run, "list", "--json", NULL), ==, 0);
  list = parse_json (run.out);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    {
      JsonObject *entry = json_array_get_object_element (json_node_get_array (list), i);
      const char *id = json_object_get_string_member (entry, "id");
      gint64 version = json_object_get_int_member (entry, "template_version");

      if (g_str_equal (id, old_id) || g_str_equal (id, last_36a))
        g_assert_cmpint (version, ==, 2);
      else if (g_str_equal (id, first_61) || g_str_equal (id, new_id))
        g_assert_cmpint (version, ==, 3);
    }

  for (guint i = 0; i < G_N_ELEMENTS (document); i++)
    {
      g_assert_cmpint (cli (fixture, &run, "set", old_id, document[i][0], document[i][1], NULL), ==, 0);
      g_assert_cmpint (cli (fixture, &run, "set", new_id, document[i][0], document[i][1], NULL), ==, 0);
    }

  /* 2016: a figure the report states goes in; the others may stay blank. */
  g_assert_cmpint (cli (fixture, &run, "set", old_id, "dossiers_received", "1,200", NULL), ==, 0);
  g_assert_cmpint (cli (fixture, &run, "validate", old_id, NULL), ==, 0);
  g_assert_null (strstr (run.out, "services_level3"));
  g_assert_cmpint (cli (fixture, &run, "ready", old_id, NULL), ==, 0);

  /* 2020: each figure is asked for, by name. */
  g_assert_cmpint (cli (fixture, &run, "ready", new_id, NULL), ==, 1);
  g_assert_nonnull (strstr (run.err, "8 problems remain"));
  g_assert_nonnull (strstr (run.err, "Services at level 3 (services_level3)"));
  g_assert_nonnull (strstr (run.err, "Online dossiers received (dossiers_received)"));
  g_assert_null (strstr (run.err, "issuing_body"));
}

/* The command list's summaries stand in one column in both languages:
 * "…" and Vietnamese letters count as one character each, and a command
 * whose arguments do not fit has its summary on the next line, in that
 * column. */
static void
test_help_columns (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *languages[] = { "en", "vi" };

  (void) data;

  for (guint l = 0; l < G_N_ELEMENTS (languages); l++)
    {
      BcCliRun run = { 0 };
      g_auto(GStrv) lines = NULL;
      gboolean in_commands = FALSE;
      guint n_commands = 0;
      const guint column = 2 + 13 + 1 + 38 + 1;

      if (g_str_equal (languages[l], "vi"))
        g_assert_cmpint (cli_vi (fixture, &run, "--help", NULL), ==, 0);
      else
        g_assert_cmpint (cli (fixture, &run, "--help", NULL), ==, 0);

      lines = g_strsplit (run.out, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          const char *line = lines[i];
          const char *at;

          if (!in_commands)
            {
              in_commands = g_str_has_suffix (line, ":") && !g_str_has_prefix (line, " ");
              continue;
            }
          if (*line == '\0')
            break;
          g_assert_true (g_str_has_prefix (line, "  "));
          if ((guint) g_utf8_strlen (line, -1) <= column)
            {
              /* A command whose arguments are too long: its summary follows. */
              g_assert_nonnull (lines[i + 1]);
              g_assert_true (g_str_has_prefix (lines[i + 1], "                        "));
              n_commands++;
              continue;
            }
          at = g_utf8_offset_to_pointer (line, column);
          if (at[-1] != ' ' || at[0] == ' ')
            g_error ("%s: the summary is out of its column in “%s”", languages[l], line);
          if (line[2] != ' ')
            n_commands++;
        }
      g_assert_cmpuint (n_commands, >, 25);
      bc_cli_run_clear (&run);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/cli/templates", test_templates);
  ADD ("/cli/help-columns", test_help_columns);
  ADD ("/cli/new-set-show", test_new_set_show);
  ADD ("/cli/bad-input-changes-nothing", test_bad_input_changes_nothing);
  ADD ("/cli/validate-and-ready", test_validate_and_ready);
  ADD ("/cli/rows", test_rows);
  ADD ("/cli/carry-forward", test_carry_forward);
  ADD ("/cli/vietnamese", test_vietnamese);
  ADD ("/cli/numbers-read-back", test_numbers_read_back);
  ADD ("/cli/not-a-workbook", test_not_a_workbook);
  ADD ("/cli/demo-workbook", test_demo_workbook);
  ADD ("/cli/import", test_import);
  ADD ("/cli/import-numbers", test_import_numbers);
  ADD ("/cli/free-text-values", test_free_text_values);
  ADD ("/cli/workbook-not-created-by-mistake", test_workbook_not_created_by_mistake);
  ADD ("/cli/create-demo-keeps-real-workbooks", test_create_demo_keeps_real_workbooks);
  ADD ("/cli/error-not-justified", test_error_not_justified);
  ADD ("/cli/check-not-evaluated", test_check_not_evaluated);
  ADD ("/cli/plan-due-dates-and-targets", test_plan_due_dates_and_targets);
  ADD ("/cli/new-picks-version-by-year", test_new_picks_version_by_year);
#undef ADD

  return g_test_run ();
}
