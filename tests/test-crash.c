/* test-crash.c: no committed edit is lost when the process is killed.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A child process (crash-child) sets values as fast as it can and reports
 * each one after bc_workbook_set_value() returned TRUE. It is killed at a
 * random moment; the workbook must then pass integrity_check and hold, for
 * every key, the last value reported or a later one the child committed but
 * had no time to report. The same workbook is used across iterations, so the
 * next child (and the check) recover the WAL the killed one left.
 */
#define G_LOG_DOMAIN "test-crash"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>

#include "bc-workbook.h"
#include "bc-workbook-private.h"
#include "bc-test-util.h"

#define REPORT_ID "7c9e6679-7425-40de-944b-e07fc1f90ae7"
#define N_KEYS 64
#define DEFAULT_ITERATIONS 200
#define MAX_DELAY_US 30000

#ifdef G_OS_WIN32
#define EXE_SUFFIX ".exe"
#else
#define EXE_SUFFIX ""
#endif

/* Records every complete "kNN counter" line of `output` in `reported`. */
static guint
parse_output (const GString *output,
              gint64        *reported)
{
  g_auto(GStrv) lines = NULL;
  const char *end = strrchr (output->str, '\n');
  g_autofree char *complete = NULL;
  guint n_lines = 0;

  if (end == NULL)
    return 0;

  /* Only whole lines: a line is printed after its commit, in one write. */
  complete = g_strndup (output->str, end - output->str);
  lines = g_strsplit (complete, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 key;
      gint64 counter;
      char *after;

      g_assert_true (lines[i][0] == 'k');
      key = g_ascii_strtoull (lines[i] + 1, &after, 10);
      g_assert_true (*after == ' ');
      counter = g_ascii_strtoll (after + 1, NULL, 10);
      g_assert_cmpuint (key, <, N_KEYS);
      g_assert_cmpint (counter % N_KEYS, ==, (gint64) key);
      /* Reported in commit order. */
      g_assert_cmpint (counter, >, reported[key]);
      reported[key] = counter;
      n_lines++;
    }

  return n_lines;
}

/* Checks the workbook against what the child reported, and returns the
 * counter the next child starts from. */
static gint64
verify (const char   *path,
        const gint64 *reported)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autofree char *n_edits = NULL;
  g_autofree char *max_revision = NULL;
  gint64 next = 0;

  workbook = bc_workbook_open (path, NULL, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  bc_workbook_check (workbook, &error);
  g_assert_no_error (error);

  report = bc_workbook_load_report (workbook, REPORT_ID, &error);
  g_assert_no_error (error);

  for (guint key = 0; key < N_KEYS; key++)
    {
      char name[16];
      const char *stored;
      gint64 value;

      g_snprintf (name, sizeof name, "k%02u", key);
      stored = bc_report_get_value (report, name, 0);
      if (reported[key] < 0)
        {
          if (stored == NULL)
            continue;
        }
      else
        g_assert_nonnull (stored);

      value = g_ascii_strtoll (stored, NULL, 10);
      /* The last reported value, or a later one of this key. */
      g_assert_cmpint (value, >=, reported[key]);
      g_assert_cmpint (value % N_KEYS, ==, key);
      next = MAX (next, value + 1);
    }

  /* Each committed change is one edit and one revision, none half-done. */
  n_edits = _bc_workbook_query_string (workbook, "SELECT count(*) FROM edits", &error);
  g_assert_no_error (error);
  max_revision = _bc_workbook_query_string (workbook, "SELECT max(revision) FROM edits", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_ascii_strtoll (n_edits, NULL, 10), ==, bc_report_get_revision (report));
  if (bc_report_get_revision (report) > 0)
    g_assert_cmpint (g_ascii_strtoll (max_revision, NULL, 10), ==, bc_report_get_revision (report));

  return next;
}

static void
test_kill (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-crash-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "crash.baocao", NULL);
  g_autofree char *child = g_test_build_filename (G_TEST_BUILT, "crash-child" EXE_SUFFIX, NULL);
  const char *env = g_getenv ("BAOCAO_CRASH_ITERATIONS");
  guint iterations = env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : DEFAULT_ITERATIONS;
  gint64 reported[N_KEYS];
  gint64 next = 0;
  guint64 n_reported = 0;

  g_assert_no_error (error);
  g_assert_true (g_file_test (child, G_FILE_TEST_IS_EXECUTABLE));

  workbook = bc_workbook_open (path, NULL, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);
  bc_workbook_create_report_with_id (workbook, REPORT_ID, "egov-quarterly", "2018Q2", "A", &error);
  g_assert_no_error (error);
  g_clear_object (&workbook);

  for (guint key = 0; key < N_KEYS; key++)
    reported[key] = -1;

  for (guint i = 0; i < iterations; i++)
    {
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GString) output = g_string_new (NULL);
      g_autofree char *first = g_strdup_printf ("%" G_GINT64_FORMAT, next);
      GInputStream *stdout_pipe;
      guint delay_us = (guint) g_test_rand_int_range (0, MAX_DELAY_US + 1);
      char buffer[4096];
      gssize n_read;

      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                  child, path, REPORT_ID, G_STRINGIFY (N_KEYS), first, NULL);
      g_assert_no_error (error);
      stdout_pipe = g_subprocess_get_stdout_pipe (process);

      /* Wait until it is producing, let it run a random while, kill it. */
      n_read = g_input_stream_read (stdout_pipe, buffer, sizeof buffer, NULL, &error);
      g_assert_no_error (error);
      if (n_read == 0)
        {
          g_subprocess_wait (process, NULL, NULL);
          g_error ("crash-child exited before writing anything (status %d)",
                   g_subprocess_get_status (process));
        }
      g_string_append_len (output, buffer, n_read);

      g_usleep (delay_us);
      g_subprocess_force_exit (process);

      while ((n_read = g_input_stream_read (stdout_pipe, buffer, sizeof buffer, NULL, &error)) > 0)
        g_string_append_len (output, buffer, n_read);
      g_assert_no_error (error);
      g_subprocess_wait (process, NULL, &error);
      g_assert_no_error (error);
#ifdef G_OS_UNIX
      /* It was killed, not stopped by an error of its own. */
      g_assert_true (g_subprocess_get_if_signaled (process));
#endif

      n_reported += parse_output (output, reported);
      next = verify (path, reported);
    }

  g_test_message ("%u kills, %" G_GUINT64_FORMAT " reported commits, every one found",
                  iterations, n_reported);
  g_assert_cmpuint (n_reported, >=, iterations);

  bc_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/workbook/crash/kill", test_kill);

  return g_test_run ();
}
