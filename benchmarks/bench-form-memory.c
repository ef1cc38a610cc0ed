/* bench-form-memory.c: memory and time to open the largest form in the form view.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Imports the demo reports (the JSON files of data/demo, as the demo workbook is made),
 * opens the one with the most values in a BcFormView in a real window, and
 * prints the resident memory before and after, the time until the form is
 * built and until its first frame is drawn, and how long validating the
 * report takes (the form does it after every commit, off the UI thread).
 * It never fails because a machine is slow.
 *
 *   bench-form-memory [--hold SECONDS [--findings] [--focus PATH]]
 *
 * --hold keeps the window open on the quarterly report (--findings: on
 * the findings list) for screenshots, scrolled to --focus.
 */
#define G_LOG_DOMAIN "bench-form-memory"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "bc-gui-test.h"

/* Resident memory in KiB, or -1 where it is not measured. */
static gint64
resident_kib (void)
{
#ifdef G_OS_UNIX
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  if (line == NULL)
    return -1;

  return g_ascii_strtoll (line + 6, NULL, 10);
#else
  return -1;
#endif
}

static void
print_rss (const char *when,
           gint64      kib)
{
  if (kib < 0)
    printf ("  resident memory %s: not measured on this system\n", when);
  else
    printf ("  resident memory %s: %.1f MiB\n", when, kib / 1024.0);
}

static void
count_one (const char *key,
           gint64      row_id,
           const char *value,
           gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static gboolean
loaded (gpointer user_data)
{
  BcFormView *view = user_data;
  BcReport *report = bc_form_view_get_report (view);

  return report != NULL &&
         g_strcmp0 (bc_report_get_id (report), bc_form_view_get_report_id (view)) == 0;
}

static gint64 first_frame_at;

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       user_data)
{
  if (first_frame_at == 0)
    first_frame_at = g_get_monotonic_time ();
}

static gboolean
drawn (gpointer user_data)
{
  return first_frame_at != 0;
}

static gboolean
complete (gpointer user_data)
{
  return bc_form_view_is_complete (user_data);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *home = NULL;
  g_autofree char *path = NULL;
  g_autofree char *best_id = NULL;
  g_autofree char *egov_id = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplateRegistry) templates = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(GPtrArray) reports = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *demo_dir = g_getenv ("BAOCAO_DEMO_DIR");
  const char *name;
  const char *focus = NULL;
  double hold = 0;
  guint hold_on = 0;
  guint best_n = 0;
  gint64 rss_before, rss_after = -1, started, built, completed;
  GtkWidget *window;
  BcFormView *view;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--hold") && i + 1 < argc)
        hold = g_ascii_strtod (argv[++i], NULL);
      else if (g_str_equal (argv[i], "--focus") && i + 1 < argc)
        focus = argv[++i];
      else if (g_str_equal (argv[i], "--findings"))
        hold_on = 1;
    }

  home = bc_gui_test_init ();

  if (demo_dir == NULL)
    demo_dir = BUILD_TEMPLATEDIR "/../demo";

  templates = bc_template_registry_new_default (&error);
  g_assert_no_error (error);
  path = g_build_filename (home, "demo.baocao", NULL);
  workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);

  /* Sample reports come in every state; only a demo workbook takes those. */
  bc_workbook_set_kind (workbook, BC_WORKBOOK_KIND_DEMO, &error);
  g_assert_no_error (error);

  dir = g_dir_open (demo_dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *file = g_build_filename (demo_dir, name, NULL);

      if (!g_str_has_suffix (name, ".json"))
        continue;
      json_parser_load_from_file (parser, file, &error);
      g_assert_no_error (error);
      bc_workbook_import_json (workbook, json_parser_get_root (parser), &error);
      g_assert_no_error (error);
    }

  /* The largest form: the report with the most values. */
  reports = bc_workbook_list_reports (workbook, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < reports->len; i++)
    {
      const BcReportSummary *summary = g_ptr_array_index (reports, i);
      g_autoptr(BcReport) report = bc_workbook_load_report (workbook, summary->id, &error);
      guint n = 0;

      g_assert_no_error (error);
      if (g_str_equal (summary->template_id, "egov-quarterly") &&
          g_str_equal (summary->period_id, "2018Q2"))
        egov_id = g_strdup (summary->id);
      bc_report_foreach_value (report, count_one, &n);
      if (n > best_n)
        {
          best_n = n;
          g_free (best_id);
          best_id = g_strdup (summary->id);
        }
    }
  g_assert_nonnull (best_id);

  /* Validation, as the form runs it after each commit. */
  {
    g_autoptr(BcReport) report = bc_workbook_load_report (workbook, best_id, &error);
    g_autoptr(BcReport) previous = bc_workbook_load_previous (workbook, report, NULL);
    BcTemplate *template_ = bc_workbook_get_report_template (workbook, report, &error);
    const guint rounds = 200;
    gint64 start = g_get_monotonic_time ();

    g_assert_no_error (error);
    for (guint i = 0; i < rounds; i++)
      g_ptr_array_unref (bc_validate_report (template_, report, previous, NULL));
    printf ("report: %s %s %s, %u values\n", bc_report_get_template_id (report),
            bc_report_get_period_id (report), bc_report_get_unit (report), best_n);
    printf ("validating it: %.3f ms\n", (g_get_monotonic_time () - start) / 1000.0 / rounds);
  }

  window = bc_gui_test_window_new (&view);
  bc_gui_test_spin (200);
  rss_before = resident_kib ();
  print_rss ("with an empty window", rss_before);

  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (on_after_paint), NULL);

  /* The form with the most fields (the quarterly report, as the demo has
   * it), then the report with the most values (the findings list). */
  {
    const char *ids[] = { egov_id, best_id, egov_id };
    const char *what[] = { "the largest form (egov-quarterly 2018Q2, demo data)",
                           "the report with the most values", "the largest form again, warm" };

    for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
      {
        if (ids[i] == NULL)
          continue;

        printf ("%s:\n", what[i]);
        first_frame_at = 0;
        started = g_get_monotonic_time ();
        bc_form_view_load (view, workbook, ids[i]);
        if (!bc_gui_test_wait (loaded, view, 60000))
          g_error ("the report did not load");
        built = g_get_monotonic_time ();
        /* The next frame is the first one with the form in it. */
        first_frame_at = 0;
        gtk_widget_queue_draw (window);
        bc_gui_test_wait (drawn, NULL, 60000);
        /* The first frame has the top of the form; the rest follows. */
        bc_gui_test_wait (complete, view, 60000);
        completed = g_get_monotonic_time ();
        bc_gui_test_spin (300);
        rss_after = resident_kib ();

        printf ("  form built (load, snapshot, widgets): %.1f ms\n", (built - started) / 1000.0);
        if (first_frame_at != 0)
          printf ("  first frame drawn: %.1f ms after the load began%s\n",
                  (first_frame_at - started) / 1000.0,
                  i == 2 ? " (target: < 150 ms)" : "");
        printf ("  every section built: %.1f ms after the load began\n",
                (completed - started) / 1000.0);
        print_rss ("after opening it", rss_after);
        if (rss_before >= 0 && rss_after >= 0)
          printf ("  more than the empty window: %.1f MiB\n", (rss_after - rss_before) / 1024.0);
        if (i == hold_on && hold > 0)
          break;
      }
  }

  if (hold > 0)
    {
      if (focus != NULL)
        bc_form_view_focus_path (view, focus);
      printf ("holding the window for %.0f s\n", hold);
      fflush (stdout);
      bc_gui_test_spin ((guint) (hold * 1000));
    }

  gtk_window_destroy (GTK_WINDOW (window));
  bc_gui_test_spin (100);
  g_clear_object (&workbook);
  bc_test_remove_tree (home);

  return 0;
}
