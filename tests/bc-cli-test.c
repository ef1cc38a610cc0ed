/* bc-cli-test.c: baocao-cli and a real baocao-server, driven from a test.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-cli-test"

#include "config.h"
#include "bc-cli-test.h"
#include "bc-test-util.h"

#include <string.h>

#ifdef __linux__
#include <signal.h>
#include <sys/prctl.h>
#endif

void
bc_cli_run_clear (BcCliRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

void
bc_cli_test_run_program (BcCliFixture       *fixture,
                         const char         *language,
                         BcCliRun           *run,
                         const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  bc_cli_run_clear (run);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", fixture->dir, TRUE);
  /* The training server's throwaway store goes with the fixture. */
  g_subprocess_launcher_setenv (launcher, "TMPDIR", fixture->dir, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "BAOCAO_LANGUAGE");
  /* No session bus: the keyring is never reached by accident. */
  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
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

  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
  g_test_message ("%s %s → exit %d\nstdout: %s\nstderr: %s", argv[0], argv[1], run->status,
                  run->out, run->err);
}

static int
run_va (BcCliFixture *fixture,
        const char   *language,
        BcCliRun     *run,
        gboolean      server,
        const char   *first,
        va_list       args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;

  if (server)
    g_ptr_array_add (argv, (char *) g_getenv ("BAOCAO_SERVER"));
  else
    {
      g_ptr_array_add (argv, (char *) g_getenv ("BAOCAO_CLI"));
      g_ptr_array_add (argv, (char *) "--workbook");
      g_ptr_array_add (argv, fixture->workbook);
    }
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  if (server)
    {
      g_ptr_array_add (argv, (char *) "--data");
      g_ptr_array_add (argv, fixture->data);
    }
  g_ptr_array_add (argv, NULL);
  g_assert_nonnull (g_ptr_array_index (argv, 0));

  bc_cli_test_run_program (fixture, language, run, (const char * const *) argv->pdata);
  return run->status;
}

int
bc_cli_test_cli (BcCliFixture *fixture,
                 BcCliRun     *run,
                 const char   *first,
                 ...)
{
  va_list args;
  int status;

  va_start (args, first);
  status = run_va (fixture, NULL, run, FALSE, first, args);
  va_end (args);

  return status;
}

int
bc_cli_test_cli_vi (BcCliFixture *fixture,
                    BcCliRun     *run,
                    const char   *first,
                    ...)
{
  va_list args;
  int status;

  va_start (args, first);
  status = run_va (fixture, "vi", run, FALSE, first, args);
  va_end (args);

  return status;
}

int
bc_cli_test_admin_run (BcCliFixture *fixture,
                       BcCliRun     *run,
                       const char   *first,
                       ...)
{
  va_list args;
  int status;

  va_start (args, first);
  status = run_va (fixture, NULL, run, TRUE, first, args);
  va_end (args);
  return status;
}

void
bc_cli_test_admin (BcCliFixture *fixture,
                   const char   *first,
                   ...)
{
  g_auto(BcCliRun) run = { 0 };
  va_list args;

  va_start (args, first);
  run_va (fixture, NULL, &run, TRUE, first, args);
  va_end (args);
  g_assert_cmpint (run.status, ==, 0);
}

JsonNode *
bc_cli_test_parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

char *
bc_cli_test_write_file (BcCliFixture *fixture,
                        const char   *name,
                        const char   *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (fixture->dir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

char *
bc_cli_test_write_plan (BcCliFixture *fixture,
                        const char   *number,
                        const char   *from)
{
  g_autofree char *id = g_strdup_printf ("qng-kh-%s-%.4s", number, from);
  g_autofree char *name = g_strdup_printf ("%s.plan.json", id);
  g_autofree char *text = g_strdup_printf (
    "{ \"format\": 1, \"id\": \"%s\","
    "  \"name\": { \"vi\": \"Kế hoạch %s/KH-UBND\", \"en\": \"Plan %s/KH-UBND\" },"
    "  \"title\": { \"vi\": \"Kế hoạch số %s/KH-UBND\", \"en\": \"Plan No. %s/KH-UBND\" },"
    "  \"issuer\": { \"vi\": \"Ủy ban nhân dân tỉnh Quảng Ngãi\","
    "                \"en\": \"Quảng Ngãi Provincial People's Committee\" },"
    "  \"in_force\": { \"from\": \"%s\", \"to\": \"2025\" },"
    "  \"units\": [\"QNG-*\"],"
    "  \"calendar\": { \"quarter\": {"
    "    \"window\": { \"start\": { \"month\": -2, \"day\": 1 }, \"end\": { \"month\": 0, \"day\": 31 } },"
    "    \"due\": { \"month\": 1, \"day\": 10 } } } }\n",
    id, number, number, number, number, from);

  return bc_cli_test_write_file (fixture, name, text);
}

/* A failed assertion aborts the test without its teardown: the server must
 * not outlive it. */
G_GNUC_UNUSED static void
die_with_parent (gpointer user_data)
{
  (void) user_data;
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

void
bc_cli_test_start_server_tls (BcCliFixture *fixture,
                              const char   *cert,
                              const char   *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  const char *argv[] = { g_getenv ("BAOCAO_SERVER"), "serve", "--data", fixture->data,
                         "--listen", "127.0.0.1:0", "--rate-limit", "0",
                         cert != NULL ? "--tls-cert" : NULL, cert, "--tls-key", key, NULL };

  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

#ifdef G_OS_UNIX
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
#endif
  fixture->server = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fixture->server));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, cert != NULL ? "Listening on https://127.0.0.1:"
                                                      : "Listening on http://127.0.0.1:"));
  g_free (fixture->url);
  fixture->url = g_strdup (line + strlen ("Listening on "));
}

void
bc_cli_test_start_server (BcCliFixture *fixture)
{
  bc_cli_test_start_server_tls (fixture, NULL, NULL);
}

void
bc_cli_test_stop_server (BcCliFixture *fixture)
{
  if (fixture->server == NULL)
    return;

  g_subprocess_send_signal (fixture->server, 15);
  g_subprocess_wait (fixture->server, NULL, NULL);
  g_clear_object (&fixture->server);
}

void
bc_cli_test_setup (BcCliFixture *fixture,
                   const char   *tmpl)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *units = NULL;
  g_autofree char *password = NULL;

  fixture->dir = g_dir_make_tmp (tmpl, &error);
  g_assert_no_error (error);
  fixture->data = g_build_filename (fixture->dir, "server", NULL);
  fixture->workbook = g_build_filename (fixture->dir, "officer.baocao", NULL);
  fixture->token_file = g_build_filename (fixture->dir, "token", NULL);

  units = bc_cli_test_write_file (fixture, "units.json",
                                  "{\"units\": ["
                                  " {\"code\": \"QNG\", \"name\": \"UBND tỉnh Quảng Ngãi\", \"level\": \"province\"},"
                                  " {\"code\": \"QNG-SONTINH\", \"name\": \"UBND huyện Sơn Tịnh\", \"level\": \"district\","
                                  "  \"parent\": \"QNG\"},"
                                  " {\"code\": \"QNG-BINHSON\", \"name\": \"UBND huyện Bình Sơn\", \"level\": \"district\","
                                  "  \"parent\": \"QNG\"}]}");
  password = bc_cli_test_write_file (fixture, "password", BC_CLI_TEST_PASSWORD "\n");
  bc_cli_test_admin (fixture, "units", "load", units, NULL);
  bc_cli_test_admin (fixture, "users", "add", BC_CLI_TEST_USER, "--unit", BC_CLI_TEST_UNIT,
                     "--password-file", password, NULL);
  bc_cli_test_start_server (fixture);
}

void
bc_cli_test_teardown (BcCliFixture *fixture)
{
  bc_cli_test_stop_server (fixture);
  bc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->data);
  g_free (fixture->workbook);
  g_free (fixture->token_file);
  g_free (fixture->url);
}

void
bc_cli_test_enrol (BcCliFixture *fixture)
{
  g_auto(BcCliRun) run = { 0 };
  g_autofree char *password = g_build_filename (fixture->dir, "password", NULL);

  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "enrol", fixture->url, "--user", BC_CLI_TEST_USER,
                                    "--password-file", password, "--token-file", fixture->token_file,
                                    "--device", "Máy phòng Văn hóa", NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "UBND huyện Sơn Tịnh"));
}

/* A quarterly report of the unit, every required field filled and every
 * warning justified, marked ready. */
char *
bc_cli_test_ready_report (BcCliFixture *fixture,
                          const char   *period,
                          const char   *unit)
{
  g_auto(BcCliRun) run = { 0 };
  g_autoptr(JsonNode) fields = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autofree char *id = NULL;
  JsonArray *array;
  JsonArray *issues;

  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "new", "egov-quarterly", "--period", period, "--unit", unit,
                                    NULL), ==, 0);
  id = g_strstrip (g_strdup (run.out));

  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "fields", "egov-quarterly", "--json", NULL), ==, 0);
  fields = bc_cli_test_parse_json (run.out);
  array = json_node_get_array (fields);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *field = json_array_get_object_element (array, i);
      const char *path = json_object_get_string_member (field, "path");
      const char *type = json_object_get_string_member (field, "type");
      const char *value;

      if (!json_object_get_boolean_member (field, "required")
          || json_object_get_boolean_member (field, "computed") || strchr (path, '[') != NULL)
        continue;

      if (g_str_equal (type, "integer") || g_str_equal (type, "decimal")
          || g_str_equal (type, "percentage"))
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
      g_assert_cmpint (bc_cli_test_cli (fixture, &run, "set", id, path, value, NULL), ==, 0);
    }

  bc_cli_test_cli (fixture, &run, "validate", id, "--json", NULL);
  result = bc_cli_test_parse_json (run.out);
  issues = json_object_get_array_member (json_node_get_object (result), "issues");
  for (guint i = 0; i < json_array_get_length (issues); i++)
    {
      JsonObject *issue = json_array_get_object_element (issues, i);

      if (g_str_equal (json_object_get_string_member (issue, "severity"), "warning"))
        g_assert_cmpint (bc_cli_test_cli (fixture, &run, "justify", id,
                                          json_object_get_string_member (issue, "rule"),
                                          "Số liệu đã được kiểm tra lại.", NULL), ==, 0);
    }

  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "ready", id, NULL), ==, 0);
  return g_steal_pointer (&id);
}

JsonObject *
bc_cli_test_sync_json (BcCliFixture  *fixture,
                       JsonNode     **root)
{
  g_auto(BcCliRun) run = { 0 };

  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "sync", "--json", NULL), ==, 0);
  *root = bc_cli_test_parse_json (run.out);
  return json_node_get_object (*root);
}

const char *
bc_cli_test_report_status (BcCliFixture  *fixture,
                           const char    *id,
                           JsonNode     **root)
{
  g_auto(BcCliRun) run = { 0 };

  g_assert_cmpint (bc_cli_test_cli (fixture, &run, "show", id, "--json", NULL), ==, 0);
  *root = bc_cli_test_parse_json (run.out);
  return json_object_get_string_member (json_node_get_object (*root), "status");
}

/* The reports the server holds, as `reports list --json` gives them. */
JsonArray *
bc_cli_test_server_reports (BcCliFixture  *fixture,
                            JsonNode     **root)
{
  g_auto(BcCliRun) run = { 0 };
  const char *argv[] = { g_getenv ("BAOCAO_SERVER"), "reports", "list", "--json",
                         "--data", fixture->data, NULL };

  bc_cli_test_run_program (fixture, NULL, &run, argv);
  g_assert_cmpint (run.status, ==, 0);
  *root = bc_cli_test_parse_json (run.out);
  if (JSON_NODE_HOLDS_OBJECT (*root))
    return json_object_get_array_member (json_node_get_object (*root), "reports");
  return json_node_get_array (*root);
}
