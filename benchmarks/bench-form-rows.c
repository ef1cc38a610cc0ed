/* bench-form-rows.c: the form view with a long findings table.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Makes remediation reports of 300 and 1,000 findings (the demo report's 30,
 * repeated), opens each in a BcFormView in a real window and prints: the
 * time from the load to the first frame with the form, the resident memory
 * it adds (per 10 rows), what one saved edit costs the UI thread, and the
 * time from Add row to the next frame. Targets (issue 7): open 300 rows
 * < 1 s, 1,000 rows < 2 s; < 1 MB per 10 rows; an edit < 2 ms; add a row
 * < 50 ms. Printed, never asserted: a slow machine fails nothing.
 */
#define G_LOG_DOMAIN "bench-form-rows"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "bc-gui-test.h"
#include "bc-table-editor.h"

static gint64 painted_at;
static double edit_ms = -1;

static gint64
resident_kib (void)
{
#ifdef G_OS_UNIX
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line != NULL ? g_ascii_strtoll (line + 6, NULL, 10) : -1;
#else
  return -1;
#endif
}

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       user_data)
{
  painted_at = g_get_monotonic_time ();
}

static gboolean
painted (gpointer user_data)
{
  return painted_at != 0;
}

/* The form view says what each saved edit cost the UI thread. */
static void
log_handler (const char     *domain,
             GLogLevelFlags  level,
             const char     *message,
             gpointer        user_data)
{
  if (g_str_has_prefix (message, "edit shown in ") || g_str_has_prefix (message, "snapshot shown in ") ||
      g_str_has_prefix (message, "rows shown in "))
    edit_ms = g_ascii_strtod (strstr (message, " in ") + 4, NULL);
}

static gboolean
edit_done (gpointer user_data)
{
  return edit_ms >= 0;
}

static char *
make_report (BcWorkbook *workbook,
             guint       n_rows,
             const char *unit)
{
  g_autofree char *path = g_build_filename (g_getenv ("BAOCAO_DEMO_DIR"), "quang-ngai-312-kl-ttra.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *report;
  JsonArray *findings, *rows;
  char *id;

  if (!json_parser_load_from_file (parser, path, &error))
    g_error ("%s", error->message);
  report = json_array_get_object_element (json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "reports"), 0);
  json_object_remove_member (report, "id");
  json_object_set_string_member (report, "unit", unit);
  findings = json_object_get_array_member (json_object_get_object_member (report, "tables"), "findings");
  rows = json_array_new ();
  for (guint i = 0; i < n_rows; i++)
    json_array_add_element (rows, json_node_copy (json_array_get_element (findings, i % json_array_get_length (findings))));
  json_object_set_array_member (json_object_get_object_member (report, "tables"), "findings", rows);

  if (bc_workbook_import_json (workbook, json_parser_get_root (parser), &error) == 0)
    g_error ("%s", error->message);
  id = bc_workbook_find_report (workbook, "inspection-remediation", "2018Q3", unit, &error);
  g_assert_nonnull (id);

  return id;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Sorts `values` and gives the middle one. */
static double
median_of (double *values,
           guint   n)
{
  qsort (values, n, sizeof values[0], compare_double);
  return values[n / 2];
}

static void
bench_rows (GtkWidget  *window,
            BcFormView *view,
            BcWorkbook *workbook,
            guint       n_rows,
            gboolean    edits)
{
  g_autofree char *unit = g_strdup_printf ("BENCH-%u", n_rows);
  g_autofree char *id = make_report (workbook, n_rows, unit);
  gint64 before, after, started, built;
  BcTableEditor *table;

  bc_form_view_load (view, NULL, NULL);
  bc_gui_test_spin (300);
  before = resident_kib ();

  painted_at = 0;
  started = g_get_monotonic_time ();
  bc_form_view_load (view, workbook, id);
  bc_gui_test_wait_loaded (view);
  built = g_get_monotonic_time ();
  painted_at = 0;
  bc_gui_test_wait (painted, NULL, 60000);
  printf ("%u findings: first frame %.0f ms after the load began (target: %s)\n", n_rows,
          (painted_at - started) / 1000.0,
          n_rows < 300 ? "none" : n_rows <= 300 ? "< 1 s at 300" : "< 2 s at 1,000");
  printf ("  of which the report loaded and the form built: %.0f ms, then layout and drawing: %.0f ms\n",
          (built - started) / 1000.0, (painted_at - built) / 1000.0);
  bc_gui_test_spin (500);
  after = resident_kib ();
  if (before >= 0 && after >= 0 && !edits && n_rows < 300)
    printf ("  memory: %.1f MiB more (fonts, icons, styles and the form)\n", (after - before) / 1024.0);
  else if (before >= 0 && after >= 0)
    printf ("  memory: %.1f MiB more, %.2f MiB per 10 rows (target: < 1 MB)\n",
            (after - before) / 1024.0, (after - before) / 1024.0 / (n_rows / 10.0));

  if (!edits)
    return;

  /* One saved edit, as typed in a cell in the middle: what it costs the UI thread. */
  table = BC_TABLE_EDITOR (bc_gui_test_find_by_type (GTK_WIDGET (view), BC_TYPE_TABLE_EDITOR));
  {
    double times[20];

    /* The row is opened first (a compact table builds a row's fields then). */
    bc_table_editor_show_row (table, bc_table_editor_get_row_id (table, n_rows / 2));
    bc_gui_test_spin (200);

    for (guint i = 0; i < G_N_ELEMENTS (times); i++)
      {
        BcFieldEditor *cell = bc_table_editor_get_cell_at (table, n_rows / 2, "figure_done");
        GtkWidget *text = bc_gui_test_find_by_type (GTK_WIDGET (cell), GTK_TYPE_TEXT);
        g_autofree char *value = g_strdup_printf ("%u", 100 + i);

        edit_ms = -1;
        bc_gui_test_type (text, value);
        bc_field_editor_flush (cell);
        bc_gui_test_wait (edit_done, NULL, 20000);
        times[i] = edit_ms;
      }
    qsort (times, G_N_ELEMENTS (times), sizeof times[0], compare_double);
    printf ("  one saved edit on the UI thread: median %.2f ms, max %.2f ms (target: < 2 ms)\n",
            times[G_N_ELEMENTS (times) / 2], times[G_N_ELEMENTS (times) - 1]);
  }

  /* Add row: from the click to the next frame with the new row, ten
   * times (the median and the worst). */
  {
    GtkWidget *add = bc_gui_test_find_by_label (GTK_WIDGET (view), "Add a row to Findings and remediation");
    double total[10], waited[10], ui[10];

    if (add == NULL)
      add = bc_gui_test_find_by_label (GTK_WIDGET (view), "Thêm dòng vào Tồn tại và kết quả khắc phục");
    g_assert_nonnull (add);

    for (guint i = 0; i < G_N_ELEMENTS (total); i++)
      {
        guint n = bc_table_editor_get_n_rows (table);
        gint64 shown;

        edit_ms = -1;
        started = g_get_monotonic_time ();
        g_signal_emit_by_name (add, "clicked");
        while (bc_table_editor_get_n_rows (table) == n)
          g_main_context_iteration (NULL, TRUE);
        shown = g_get_monotonic_time ();
        painted_at = 0;
        bc_gui_test_wait (painted, NULL, 60000);
        total[i] = (painted_at - started) / 1000.0;
        waited[i] = (shown - started) / 1000.0 - MAX (edit_ms, 0);
        ui[i] = edit_ms;
        /* Whatever the add left to do (the check of the report) settles. */
        bc_gui_test_spin (200);
      }
    {
      double total_median = median_of (total, G_N_ELEMENTS (total));
      double waited_median = median_of (waited, G_N_ELEMENTS (waited));
      double ui_median = median_of (ui, G_N_ELEMENTS (ui));

      printf ("  add a row (%u rows): next frame %.1f ms after the click, median of %u; worst %.1f ms (target: < 50 ms)\n",
              n_rows, total_median, (guint) G_N_ELEMENTS (total), total[G_N_ELEMENTS (total) - 1]);
      printf ("    of which the row saved and reloaded off the UI thread: %.1f ms, the snapshot shown on it: %.1f ms,\n"
              "    then the new row built, laid out and drawn: %.1f ms (medians)\n",
              waited_median, ui_median, total_median - waited_median - ui_median);
    }
  }
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *home = bc_gui_test_init ();
  g_autofree char *path = g_build_filename (home, "bench.baocao", NULL);
  g_autoptr(BcTemplateRegistry) templates = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(GError) error = NULL;
  BcFormView *view;
  GtkWidget *window;

  g_log_set_handler ("bc-form-view", G_LOG_LEVEL_DEBUG, log_handler, NULL);
  g_setenv ("G_MESSAGES_DEBUG", "bc-form-view", TRUE);

  templates = bc_template_registry_new_default (&error);
  g_assert_no_error (error);
  workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);

  window = bc_gui_test_window_new (&view);
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (on_after_paint), NULL);
  bc_gui_test_spin (300);

  {
    gint64 start = g_get_monotonic_time ();

    /* The first form shown in the process pays for what every later one
     * finds ready (fonts, icons, styles): a 30-row report first, so that
     * the figures below are those of the table. */
    printf ("First form of the process (cold):\n  ");
    fflush (stdout);
    bench_rows (window, view, workbook, 30, FALSE);
    bench_rows (window, view, workbook, 300, TRUE);
    /* Ten times as long again would hold a shared CI machine for minutes:
     * only when it is quick enough, or asked for. */
    if (g_get_monotonic_time () - start < 20 * G_USEC_PER_SEC || g_getenv ("BAOCAO_BENCH_ALL") != NULL)
      bench_rows (window, view, workbook, 1000, FALSE);
    else
      printf ("1000 findings: not measured, 300 took %.0f s (BAOCAO_BENCH_ALL=1 measures it)\n",
              (g_get_monotonic_time () - start) / 1e6);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  bc_gui_test_spin (100);
  g_clear_object (&workbook);
  bc_test_remove_tree (home);

  return 0;
}
