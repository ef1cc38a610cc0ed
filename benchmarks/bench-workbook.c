/* bench-workbook.c: how fast the workbook commits, opens and lists.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints its figures; never fails because a machine is slow. Runs in a
 * temporary folder of $BAOCAO_BENCH_DIR, else of the system's temporary
 * folder (which should be a real disk, not tmpfs, for commit latency).
 *
 *   bench-workbook commit      latency of one committed set_value
 *   bench-workbook open-list   open a workbook of 10,000 reports and list them
 */
#define G_LOG_DOMAIN "bench-workbook"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "bc-workbook.h"
#include "bc-workbook-private.h"
#include "bc-test-util.h"

#define N_COMMITS        2000
#define N_REPORTS        10000
#define VALUES_PER_REPORT 8

static char *
make_bench_dir (void)
{
  g_autoptr(GError) error = NULL;
  const char *base = g_getenv ("BAOCAO_BENCH_DIR");
  char *dir;

  if (base != NULL && *base != '\0')
    {
      g_autofree char *template_ = g_build_filename (base, "bench-workbook-XXXXXX", NULL);

      dir = g_mkdtemp (g_steal_pointer (&template_));
      if (dir == NULL)
        g_error ("Cannot make a folder in %s: %s", base, g_strerror (errno));
    }
  else
    {
      dir = g_dir_make_tmp ("bench-workbook-XXXXXX", &error);
      if (dir == NULL)
        g_error ("%s", error->message);
    }

  return dir;
}

static void
bench_commit (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(GArray) samples = g_array_sized_new (FALSE, FALSE, sizeof (gint64), N_COMMITS);
  g_autofree char *dir = make_bench_dir ();
  g_autofree char *path = g_build_filename (dir, "commit.baocao", NULL);
  g_autofree char *id = NULL;

  workbook = bc_workbook_open (path, NULL, BC_WORKBOOK_OPEN_CREATE, &error);
  if (workbook == NULL)
    g_error ("%s", error->message);
  id = bc_workbook_create_report (workbook, "egov-quarterly", "2018Q2", "Huyện A", &error);
  if (id == NULL)
    g_error ("%s", error->message);

  /* Like typing: each change is a new value of one of a few dozen fields. */
  for (guint i = 0; i < N_COMMITS; i++)
    {
      char key[16], value[16];
      gint64 start, elapsed;

      g_snprintf (key, sizeof key, "field%02u", i % 40);
      g_snprintf (value, sizeof value, "%u", i);
      start = g_get_monotonic_time ();
      if (!bc_workbook_set_value (workbook, id, key, 0, value, &error))
        g_error ("%s", error->message);
      elapsed = g_get_monotonic_time () - start;
      g_array_append_val (samples, elapsed);
    }

  printf ("commit latency: median %.2f ms, p99 %.2f ms, max %.2f ms (n=%u, in %s)\n",
          bc_test_quantile_ms (samples, 0.5), bc_test_quantile_ms (samples, 0.99), bc_test_quantile_ms (samples, 1.0),
          samples->len, dir);

  g_clear_object (&workbook);
  bc_test_remove_tree (dir);
}

static void
build_big_workbook (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  gint64 start = g_get_monotonic_time ();

  /* Set-up only: without fsync, so that building takes seconds, not minutes. */
  workbook = _bc_workbook_open_with_vfs (path, NULL,
                                         BC_WORKBOOK_OPEN_CREATE | _BC_WORKBOOK_OPEN_NO_SYNC,
                                         NULL, &error);
  if (workbook == NULL)
    g_error ("%s", error->message);

  for (guint i = 0; i < N_REPORTS; i++)
    {
      g_autofree char *unit = g_strdup_printf ("Đơn vị %03u", i % 250);
      g_autofree char *period = g_strdup_printf ("%uQ%u", 2009 + i / 250 / 4, 1 + i / 250 % 4);
      g_autofree char *id = NULL;

      id = bc_workbook_create_report (workbook, "egov-quarterly", period, unit, &error);
      if (id == NULL)
        g_error ("%s", error->message);

      for (guint v = 0; v < VALUES_PER_REPORT; v++)
        {
          char key[16], value[16];

          g_snprintf (key, sizeof key, "field%02u", v);
          g_snprintf (value, sizeof value, "%u", i * v);
          if (!bc_workbook_set_value (workbook, id, key, 0, value, &error))
            g_error ("%s", error->message);
        }
    }

  printf ("built a workbook of %u reports (%u values each) in %.1f s\n", N_REPORTS,
          VALUES_PER_REPORT, (g_get_monotonic_time () - start) / 1e6);
}

static void
bench_open_list (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *dir = make_bench_dir ();
  g_autofree char *path = g_build_filename (dir, "big.baocao", NULL);
  g_autofree char *check = NULL;
  GStatBuf st;
  gint64 t0, t1, t2, t3, t4;

  build_big_workbook (path);
  g_stat (path, &st);

  t0 = g_get_monotonic_time ();
  workbook = bc_workbook_open (path, NULL, BC_WORKBOOK_OPEN_DEFAULT, &error);
  if (workbook == NULL)
    g_error ("%s", error->message);
  t1 = g_get_monotonic_time ();
  list = bc_workbook_list_reports (workbook, &error);
  if (list == NULL)
    g_error ("%s", error->message);
  t2 = g_get_monotonic_time ();

  printf ("open + list %u reports: %.1f ms (open %.1f ms, list %.1f ms; file %.1f MB)\n",
          list->len, (t2 - t0) / 1000.0, (t1 - t0) / 1000.0, (t2 - t1) / 1000.0,
          st.st_size / 1e6);

  /* What the checks would cost on open: quick_check runs only after an
   * unclean shutdown, the full one on demand. */
  check = _bc_workbook_query_string (workbook, "PRAGMA quick_check", &error);
  t3 = g_get_monotonic_time ();
  if (!bc_workbook_check (workbook, &error))
    g_error ("%s", error->message);
  t4 = g_get_monotonic_time ();
  printf ("quick_check: %.1f ms (%s); integrity_check: %.1f ms\n",
          (t3 - t2) / 1000.0, check, (t4 - t3) / 1000.0);

  g_clear_object (&workbook);
  bc_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");

  if (argc == 2 && g_str_equal (argv[1], "commit"))
    bench_commit ();
  else if (argc == 2 && g_str_equal (argv[1], "open-list"))
    bench_open_list ();
  else
    {
      fprintf (stderr, "usage: bench-workbook commit|open-list\n");
      return 2;
    }

  return 0;
}
