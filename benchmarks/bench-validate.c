/* bench-validate.c: how long validating a full quarterly report takes.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Imports the demo data (the Quảng Ngãi Q2/2018 report and its Q1 report,
 * so prev() checks run) into a temporary workbook, then validates the Q2
 * report many times: every required field, computed field, condition and
 * rule of the egov-quarterly form. Prints its figures; never fails because a
 * machine is slow.
 */
#define G_LOG_DOMAIN "bench-validate"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "bc-entry.h"
#include "bc-test-util.h"

#define N_RUNS 1000

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplateRegistry) templates = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(BcReport) report = NULL;
  g_autoptr(BcReport) previous = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *id = NULL;
  g_autofree gint64 *times = g_new (gint64, N_RUNS);
  BcTemplate *template_;
  guint n_issues = 0;
  gint64 total = 0;

  setlocale (LC_ALL, "");

  if (argc != 2)
    {
      fprintf (stderr, "usage: bench-validate DEMO.json\n");
      return 2;
    }

  templates = bc_template_registry_new_default (&error);
  dir = g_dir_make_tmp ("bench-validate-XXXXXX", &error);
  if (templates == NULL || dir == NULL)
    g_error ("%s", error->message);

  path = g_build_filename (dir, "bench.baocao", NULL);
  workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_CREATE, &error);
  /* The demo data holds reports already sent and accepted (the previous
   * quarter's), which only a demo workbook may import. */
  if (workbook == NULL ||
      !bc_workbook_set_kind (workbook, BC_WORKBOOK_KIND_DEMO, &error) ||
      !json_parser_load_from_file (parser, argv[1], &error) ||
      bc_workbook_import_json (workbook, json_parser_get_root (parser), &error) == 0)
    g_error ("%s", error->message);

  id = bc_workbook_find_report (workbook, "egov-quarterly", "2018Q2", "UBND-QNG", &error);
  if (id == NULL)
    g_error ("The demo data has no egov-quarterly report for 2018Q2 and UBND-QNG");

  report = bc_workbook_load_report (workbook, id, &error);
  if (report == NULL)
    g_error ("%s", error->message);
  previous = bc_workbook_load_previous (workbook, report, &error);
  template_ = bc_workbook_get_report_template (workbook, report, &error);
  if (template_ == NULL)
    g_error ("%s", error->message);

  for (guint i = 0; i < N_RUNS; i++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr(GPtrArray) issues = bc_validate_report (template_, report, previous, "vi");

      times[i] = g_get_monotonic_time () - start;
      total += times[i];
      n_issues = issues->len;
    }

  qsort (times, N_RUNS, sizeof (gint64), bc_test_compare_gint64);
  printf ("validate a full quarterly report: median %.3f ms, p99 %.3f ms, mean %.3f ms "
          "(n=%d, %u issues, previous period %s)\n",
          times[N_RUNS / 2] / 1000.0, times[N_RUNS * 99 / 100] / 1000.0,
          total / 1000.0 / N_RUNS, N_RUNS, n_issues, previous != NULL ? "present" : "absent");

  bc_workbook_close (workbook);
  g_remove (path);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_remove (wal);
    g_remove (shm);
  }
  g_rmdir (dir);

  return 0;
}
