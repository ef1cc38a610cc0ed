/* test-cli-core8.c: baocao-cli for what issue 8 asked of it.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `set ID FIELD -- -1`, rule ids in `validate`, BAOCAO_LANGUAGE, carry-over
 * with --drop, delete, purge-history, list --unit, and a broken template
 * set aside. Runs the real binary ($BAOCAO_CLI) on a temporary workbook.
 */
#define G_LOG_DOMAIN "test-cli-core8"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "bc-test-util.h"

typedef struct
{
  char *dir;
  char *workbook;
  char *templates;  /* extra --templates folder, or NULL */
  int   status;
  char *out;
  char *err;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("baocao-cli8-XXXXXX", &error);
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
  g_free (fixture->templates);
  g_free (fixture->out);
  g_free (fixture->err);
}

/* Runs baocao-cli; `environment` is NULL or "NAME=VALUE" pairs to set. */
G_GNUC_NULL_TERMINATED
static int
run (Fixture            *fixture,
     const char * const *environment,
     const char         *first,
     ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("BAOCAO_CLI"));
  g_ptr_array_add (argv, (char *) "--workbook");
  g_ptr_array_add (argv, fixture->workbook);
  if (fixture->templates != NULL)
    {
      g_ptr_array_add (argv, (char *) "--templates");
      g_ptr_array_add (argv, fixture->templates);
    }
  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", fixture->dir, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "BAOCAO_LANGUAGE");
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", "en", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  for (guint i = 0; environment != NULL && environment[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (environment[i], "=", 2);

      if (pair[1] == NULL)
        g_subprocess_launcher_unsetenv (launcher, pair[0]);
      else
        g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_clear_pointer (&fixture->out, g_free);
  g_clear_pointer (&fixture->err, g_free);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &fixture->out, &fixture->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  fixture->status = g_subprocess_get_exit_status (process);
  g_test_message ("exit %d\nstdout: %s\nstderr: %s", fixture->status, fixture->out, fixture->err);

  return fixture->status;
}

static char *
new_report (Fixture    *fixture,
            const char *template_id,
            const char *unit)
{
  g_assert_cmpint (run (fixture, NULL, "new", template_id, "--period", "2018Q2", "--unit", unit,
                        NULL), ==, 0);
  return g_strstrip (g_strdup (fixture->out));
}

static void
test_set_end_of_options (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *id = new_report (fixture, "egov-quarterly", "UBND-QNG");

  /* "--" ends the options; -1 is then the value (refused by the form's
   * minimum, not as an option or a usage error). */
  g_assert_cmpint (run (fixture, NULL, "set", id, "services.services_level3", "--", "-1", NULL), ==, 1);
  g_assert_nonnull (strstr (fixture->err, "at least 0"));
  g_assert_cmpint (run (fixture, NULL, "set", id, "--", "services.services_level3", "12", NULL), ==, 0);
  g_assert_cmpint (run (fixture, NULL, "set", id, "services.services_level3", "-1", NULL), ==, 1);
  g_assert_nonnull (strstr (fixture->err, "at least 0"));
}

static void
test_validate_rule_ids (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *demo = g_strdup (g_getenv ("BAOCAO_DEMO_WORKBOOK"));
  g_autofree char *command = NULL;
  g_auto(GStrv) words = NULL;
  const char *line;

  g_assert_nonnull (demo);
  g_free (fixture->workbook);
  fixture->workbook = g_build_filename (fixture->dir, "demo.baocao", NULL);
  {
    g_autoptr(GFile) from = g_file_new_for_path (demo);
    g_autoptr(GFile) to = g_file_new_for_path (fixture->workbook);
    g_autoptr(GError) error = NULL;

    g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
  }

  /* The Q2/2018 report has a warning: its rule id is printed, with the
   * justify command that takes it. */
  g_assert_cmpint (run (fixture, NULL, "list", NULL), ==, 0);
  line = strstr (fixture->out, "2018Q2");
  g_assert_nonnull (line);
  {
    g_autofree char *id = g_strndup (fixture->out + (line - fixture->out) - 10, 8);

    g_strstrip (id);
    run (fixture, NULL, "validate", id, NULL);
    g_assert_nonnull (strstr (fixture->out, "[docs_fully_electronic_not_lower]"));
    line = strstr (fixture->out, "baocao-cli justify ");
    g_assert_nonnull (line);
    command = g_strndup (line, strchr (line, '\n') - line);
    words = g_strsplit (command, " ", -1);
    g_assert_cmpstr (words[3], ==, "docs_fully_electronic_not_lower");

    /* What it prints is what justify takes. */
    g_assert_cmpint (run (fixture, NULL, "justify", words[2], words[3], "Đổi hệ thống", NULL), ==, 0);
    run (fixture, NULL, "validate", id, NULL);
    g_assert_nonnull (strstr (fixture->out, "Đổi hệ thống"));
  }
}

static void
test_language (Fixture       *fixture,
               gconstpointer  data)
{
  const char *vi[] = { "BAOCAO_LANGUAGE=vi", "LANGUAGE", "LANG", "LC_ALL=C", NULL };
  const char *en[] = { "BAOCAO_LANGUAGE=en", "LANGUAGE=vi", "LC_ALL=C.UTF-8", NULL };

  /* Under the plain C locale and no LANGUAGE, BAOCAO_LANGUAGE=vi switches
   * messages, not only the forms' labels. */
  g_assert_cmpint (run (fixture, vi, "nosuchcommand", NULL), ==, 2);
  g_assert_nonnull (strstr (fixture->err, "Không có lệnh"));
  g_assert_cmpint (run (fixture, vi, "templates", NULL), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "Báo cáo"));

  g_assert_cmpint (run (fixture, en, "nosuchcommand", NULL), ==, 2);
  g_assert_nonnull (strstr (fixture->err, "Unknown command"));
}

static void
test_carry_over_drop (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *import = g_build_filename (fixture->dir, "import.json", NULL);
  g_autoptr(GError) error = NULL;

  fixture->templates = g_test_build_filename (G_TEST_DIST, "templates", "workbook", NULL);
  g_file_set_contents (import,
                       "{\"format\": 1, \"reports\": [{\"id\": \"5f0b1c9e-3a52-4c7e-9d1f-2b8a6c4d7e10\", "
                       "\"template\": \"wbtest\", \"template_version\": 1, \"period\": \"2018Q2\", "
                       "\"unit\": \"A\", \"values\": {\"name\": \"N\", \"obsolete\": \"bỏ đi\"}}]}",
                       -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run (fixture, NULL, "import", import, NULL), ==, 0);

  /* Version 3 removed "obsolete": the CLI names it, with its value, and
   * changes nothing. */
  g_assert_cmpint (run (fixture, NULL, "carry-over", "5f0b1c9e", NULL), ==, 1);
  g_assert_nonnull (strstr (fixture->err, "obsolete: bỏ đi"));
  g_assert_nonnull (strstr (fixture->err, "--drop"));
  g_assert_cmpint (run (fixture, NULL, "show", "5f0b1c9e", NULL), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "bỏ đi"));

  g_assert_cmpint (run (fixture, NULL, "carry-over", "5f0b1c9e", "--drop", "obsolete", NULL), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "version 3"));
}

static void
test_delete_and_purge (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *id = new_report (fixture, "egov-quarterly", "UBND-QNG");

  g_assert_cmpint (run (fixture, NULL, "set", id, "doc_number", "140/BC-UBND", NULL), ==, 0);
  g_assert_cmpint (run (fixture, NULL, "clear", id, "doc_number", NULL), ==, 0);
  g_assert_cmpint (run (fixture, NULL, "history", id, NULL), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "140/BC-UBND"));
  g_assert_cmpint (run (fixture, NULL, "purge-history", id, NULL), ==, 0);
  g_assert_cmpint (run (fixture, NULL, "history", id, NULL), ==, 0);
  g_assert_null (strstr (fixture->out, "140/BC-UBND"));

  g_assert_cmpint (run (fixture, NULL, "delete", id, NULL), ==, 0);
  g_assert_cmpint (run (fixture, NULL, "show", id, NULL), ==, 1);
  /* And a new draft of the same form, period and unit can be started. */
  g_free (new_report (fixture, "egov-quarterly", "UBND-QNG"));
}

static void
test_list_unit_normalized (Fixture       *fixture,
                           gconstpointer  data)
{
  /* Stored NFC; asked for NFD, with space around it. */
  g_free (new_report (fixture, "egov-quarterly", "S\xe1\xbb\x9f Th\xc3\xb4ng tin"));
  g_assert_cmpint (run (fixture, NULL, "list", "--unit", " S\xc6\xa1\xcc\x89 Tho\xcc\x82ng tin ", NULL), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "egov-quarterly"));
}

static void
test_broken_template (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *broken = NULL;
  g_autofree char *id = new_report (fixture, "egov-quarterly", "UBND-QNG");

  fixture->templates = g_build_filename (fixture->dir, "templates", NULL);
  g_mkdir (fixture->templates, 0700);
  broken = g_build_filename (fixture->templates, "broken-v1.json", NULL);
  g_file_set_contents (broken, "{\"format\": 1,\n \"id\": ,\n}", -1, &error);
  g_assert_no_error (error);

  /* Everything goes on; the file is named, with its line. */
  g_assert_cmpint (run (fixture, NULL, "templates", NULL), ==, 0);
  g_assert_nonnull (strstr (fixture->out, "egov-quarterly"));
  g_assert_nonnull (strstr (fixture->err, "broken-v1.json:2:"));
  g_assert_cmpint (run (fixture, NULL, "list", NULL), ==, 0);
  g_assert_cmpint (run (fixture, NULL, "show", id, NULL), ==, 0);
  g_assert_cmpint (run (fixture, NULL, "validate", id, NULL), ==, 1);  /* errors remain */
  g_assert_nonnull (strstr (fixture->out, "error"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/cli/core8/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("set-end-of-options", test_set_end_of_options);
  ADD ("validate-rule-ids", test_validate_rule_ids);
  ADD ("language", test_language);
  ADD ("carry-over-drop", test_carry_over_drop);
  ADD ("delete-and-purge", test_delete_and_purge);
  ADD ("list-unit-normalized", test_list_unit_normalized);
  ADD ("broken-template", test_broken_template);
#undef ADD

  return g_test_run ();
}
