/* bench-output.c: time and bytes of the PDF of a report.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two figures: the PDF of the largest report of the demo workbook (the
 * inspection-remediation report, with its findings across eight units), and
 * of an inspection-remediation report of 1,000 findings (ten units of a
 * hundred, with texts as long as the demo's). Layout and writing are timed
 * apart, the median of a few runs. Prints its figures; never fails because a
 * machine is slow.
 */
#define G_LOG_DOMAIN "bench-output"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "bc-document.h"
#include "bc-spreadsheet.h"
#include "bc-test-util.h"

#define N_RUNS 3

static void
measure (const char *name,
         BcTemplate *template_,
         BcReport   *report,
         BcReport   *previous,
         const char *dir)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.pdf", dir, name);
  gint64 layout[N_RUNS], write[N_RUNS];
  guint n_pages = 0;
  GStatBuf st;

  for (guint run = 0; run < N_RUNS; run++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BcDocument) document = NULL;
      gint64 start = g_get_monotonic_time ();

      document = bc_document_new (template_, report, previous, &error);
      if (document == NULL)
        g_error ("%s", error->message);
      layout[run] = g_get_monotonic_time () - start;

      start = g_get_monotonic_time ();
      if (!bc_document_write_pdf (document, path, &error))
        g_error ("%s", error->message);
      write[run] = g_get_monotonic_time () - start;
      n_pages = bc_document_get_n_pages (document);
    }

  qsort (layout, N_RUNS, sizeof (gint64), bc_test_compare_gint64);
  qsort (write, N_RUNS, sizeof (gint64), bc_test_compare_gint64);
  if (g_stat (path, &st) != 0)
    g_error ("no PDF at %s", path);

  printf ("%s: %u rows, %u pages; layout %.1f ms, writing %.1f ms (median of %d); %lld bytes (%.1f KiB per page)\n",
          name, bc_report_get_n_rows (report, "findings") + bc_report_get_n_rows (report, "policy_documents"),
          n_pages, layout[N_RUNS / 2] / 1000.0, write[N_RUNS / 2] / 1000.0, N_RUNS,
          (long long) st.st_size, st.st_size / 1024.0 / MAX (n_pages, 1));
}

static void
add_size (const char *key,
          gint64      row_id,
          const char *value,
          gpointer    user_data)
{
  *(guint *) user_data += strlen (value);
}

/* The document's own values (masthead, texts), not the rows. */
static void
copy_scalar (const char *key,
             gint64      row_id,
             const char *value,
             gpointer    user_data)
{
  if (row_id == 0)
    bc_report_set_value (user_data, key, 0, value);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplateRegistry) templates = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(GPtrArray) summaries = NULL;
  g_autoptr(BcExportItem) largest = NULL;
  g_autoptr(BcReport) big = NULL;
  g_autoptr(GFile) source = NULL;
  g_autoptr(GFile) copy = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  guint largest_values = 0;
  BcTemplate *inspection;

  setlocale (LC_ALL, "");

  if (argc != 2)
    {
      fprintf (stderr, "usage: bench-output DEMO.baocao\n");
      return 2;
    }

  templates = bc_template_registry_new_default (&error);
  dir = g_dir_make_tmp ("bench-output-XXXXXX", &error);
  if (templates == NULL || dir == NULL)
    g_error ("%s", error->message);

  /* A copy: opening a workbook may write to it. */
  path = g_build_filename (dir, "demo.baocao", NULL);
  source = g_file_new_for_path (argv[1]);
  copy = g_file_new_for_path (path);
  if (!g_file_copy (source, copy, G_FILE_COPY_NONE, NULL, NULL, NULL, &error) ||
      (workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_DEFAULT, &error)) == NULL ||
      (summaries = bc_workbook_list_reports (workbook, &error)) == NULL)
    g_error ("%s", error->message);

  for (guint i = 0; i < summaries->len; i++)
    {
      const BcReportSummary *summary = g_ptr_array_index (summaries, i);
      g_autoptr(BcExportItem) item = bc_export_item_load (workbook, summary->id, &error);
      guint size = 0;

      if (item == NULL)
        g_error ("%s", error->message);
      /* The largest: the one with the most text stored. */
      bc_report_foreach_value (item->report, add_size, &size);
      if (size > largest_values)
        {
          largest_values = size;
          bc_export_item_free (largest);
          largest = g_steal_pointer (&item);
        }
    }

  measure ("pdf-demo-largest", largest->template_, largest->report, largest->previous, dir);

  /* 1,000 findings: the demo's findings again and again, in ten units. */
  inspection = bc_template_registry_lookup_latest (templates, "inspection-remediation", &error);
  if (inspection == NULL)
    g_error ("%s", error->message);
  big = bc_report_new ("00000000-0000-4000-8000-000000001000", "inspection-remediation",
                       bc_template_get_version (inspection), "2018Q3", "UBND-QNG");
  {
    g_autoptr(BcExportItem) demo = NULL;
    GPtrArray *demo_summaries = summaries;
    const char *columns[] = { "topic", "legal_basis", "finding", "action_taken", "figure_done",
                              "figure_total", "figure_unit", "remaining", "planned_completion", "status" };
    BcReport *model = NULL;

    for (guint i = 0; i < demo_summaries->len && model == NULL; i++)
      {
        const BcReportSummary *summary = g_ptr_array_index (demo_summaries, i);

        if (g_str_equal (summary->template_id, "inspection-remediation"))
          {
            demo = bc_export_item_load (workbook, summary->id, &error);
            if (demo == NULL)
              g_error ("%s", error->message);
            model = demo->report;
          }
      }

    bc_report_foreach_value (model, copy_scalar, big);
    for (guint r = 0; r < 1000; r++)
      {
        guint n_model = bc_report_get_n_rows (model, "findings");
        gint64 from = bc_report_get_row_id (model, "findings", r % n_model);
        g_autofree char *unit = g_strdup_printf ("Đơn vị được thanh tra số %u", r / 100 + 1);

        bc_report_append_row (big, "findings", r + 1);
        bc_report_set_value (big, "findings.unit", r + 1, unit);
        for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
          {
            g_autofree char *key = g_strconcat ("findings.", columns[c], NULL);

            bc_report_set_value (big, key, r + 1, bc_report_get_value (model, key, from));
          }
      }
  }

  measure ("pdf-1000-findings", inspection, big, NULL, dir);

  bc_workbook_close (workbook);
  g_clear_object (&workbook);
  bc_test_remove_tree (dir);
  return 0;
}
