/* bench-startup.c: time from launch to the window's first frame, and memory.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Makes a workbook of 1,000 reports (plus the demo's inspection report, the
 * largest form), then starts the real app on it in a child process several
 * times. Each child reports, on CLOCK_MONOTONIC (shared by all processes
 * on the machine), when main() ran, when the window's first frame was
 * painted and when the frame showing the report list was; then it opens
 * the largest form and reports its resident memory. Then it times Baocao
 * against gnome-text-editor in the same run, each started the same way
 * with bc-first-frame.c preloaded ($BC_FIRST_FRAME_MODULE), runs
 * interleaved, from spawning to the first frame painted, and a bare
 * libadwaita window the same way in the same rounds: below that no GTK 4
 * app goes on the machine. Prints figures; never fails because the
 * machine is slow.
 */
#define G_LOG_DOMAIN "bench-startup"

#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "bc-application.h"
#include "bc-entry.h"
#include "bc-i18n.h"
#include "bc-window.h"
#include "bc-test-util.h"

#define N_REPORTS 1000
#define N_RUNS    5
#define LARGEST_ID "0bf075a4-7d49-4b1c-9a51-2f3c8e6d1a70"

/* --- the child: the app itself ------------------------------------------- */

typedef struct {
  gint64    main_at;
  gint64    first_frame_at;
  gint64    list_frame_at;
  gboolean  list_loaded;
  gboolean  form_loaded;
  char     *largest_id;
  BcWindow *window;
} Child;

static Child child;

static gint64
resident_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  /* Linux only; elsewhere the figure is left out. */
  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  if (line == NULL)
    return -1;

  return g_ascii_strtoll (line + strlen ("VmRSS:"), NULL, 10);
}

static void
form_report_cb (BcFormView *form_view,
                GParamSpec *pspec,
                gpointer    user_data)
{
  BcReport *report = bc_form_view_get_report (form_view);

  if (report != NULL && g_strcmp0 (bc_report_get_id (report), child.largest_id) == 0)
    {
      child.form_loaded = TRUE;
      gtk_widget_queue_draw (GTK_WIDGET (child.window));
    }
}

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  GApplication *app = user_data;
  gint64 now = g_get_monotonic_time ();

  if (child.first_frame_at == 0)
    child.first_frame_at = now;

  if (child.list_loaded && child.list_frame_at == 0)
    {
      child.list_frame_at = now;

      /* Now open the largest form, for its memory. */
      if (child.largest_id != NULL)
        {
          g_signal_connect (bc_window_get_form_view (child.window), "notify::report",
                            G_CALLBACK (form_report_cb), NULL);
          bc_window_select_report (child.window, child.largest_id);
        }
      else
        child.form_loaded = TRUE;
      gtk_widget_queue_draw (GTK_WIDGET (child.window));
      return;
    }

  if (child.form_loaded && child.list_frame_at != 0)
    {
      g_print ("main %" G_GINT64_FORMAT "\n", child.main_at);
      g_print ("first-frame %" G_GINT64_FORMAT "\n", child.first_frame_at);
      g_print ("list-frame %" G_GINT64_FORMAT "\n", child.list_frame_at);
      g_print ("rss-kb %" G_GINT64_FORMAT "\n", resident_kb ());
      g_signal_handlers_disconnect_by_func (clock, after_paint_cb, user_data);
      g_application_quit (app);
    }
}

static void
window_busy_cb (BcWindow   *window,
                GParamSpec *pspec,
                gpointer    user_data)
{
  if (!bc_window_get_busy (window) && bc_window_get_reports (window) != NULL)
    {
      child.list_loaded = TRUE;
      /* Make sure a frame follows even if nothing else asks for one. */
      gtk_widget_queue_draw (GTK_WIDGET (window));
    }
}

static void
window_realize_cb (GtkWidget *window,
                   gpointer   app)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (after_paint_cb), app);
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 gpointer        user_data)
{
  if (!BC_IS_WINDOW (window) || child.window != NULL)
    return;

  child.window = BC_WINDOW (window);
  g_signal_connect (window, "realize", G_CALLBACK (window_realize_cb), app);
  g_signal_connect (window, "notify::busy", G_CALLBACK (window_busy_cb), NULL);
}

static int
run_child (const char *workbook,
           const char *largest_id)
{
  g_autoptr(BcApplication) app = NULL;
  char *argv[] = { (char *) "baocao", (char *) workbook, NULL };

  bc_application_apply_language_override ();
  setlocale (LC_ALL, "");
  bc_i18n_init ();
  textdomain (GETTEXT_PACKAGE);

  child.largest_id = g_strdup (largest_id);
  app = bc_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "window-added", G_CALLBACK (window_added_cb), NULL);

  return g_application_run (G_APPLICATION (app), 2, argv);
}

/* --- the yardstick: a bare libadwaita window ------------------------------- */

/* The same measure for an AdwApplicationWindow holding one label, at the
 * same size, so that Baocao's figure can be read against what this machine
 * and display cost any GTK 4 app. */
static void
floor_after_paint_cb (GdkFrameClock *clock,
                      gpointer       app)
{
  g_print ("main %" G_GINT64_FORMAT "\n", child.main_at);
  g_print ("first-frame %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  g_print ("rss-kb %" G_GINT64_FORMAT "\n", resident_kb ());
  g_signal_handlers_disconnect_by_func (clock, floor_after_paint_cb, app);
  g_application_quit (app);
}

static void
floor_realize_cb (GtkWidget *window,
                  gpointer   app)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (floor_after_paint_cb), app);
}

static void
floor_activate_cb (GApplication *app)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));

  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), gtk_label_new ("Baocao"));
  /* The size Baocao opens at: software rendering costs by the pixel. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  g_signal_connect (window, "realize", G_CALLBACK (floor_realize_cb), app);
  gtk_window_present (GTK_WINDOW (window));
}

static int
run_floor (void)
{
  g_autoptr(AdwApplication) app = adw_application_new ("io.github.baocao.Floor", G_APPLICATION_NON_UNIQUE);

  g_signal_connect (app, "activate", G_CALLBACK (floor_activate_cb), NULL);
  return g_application_run (G_APPLICATION (app), 0, NULL);
}

static gint64 median (GArray     *values);
static gint64 field  (const char *output,
                      const char *name);

/* --- Baocao against another GTK 4 app, timed the same way ------------------ */

/* Spawns `argv` with the first-frame module preloaded; the time from the
 * spawn to the first frame it painted, in µs, or -1. */
static gint64
time_first_frame (const char * const *argv,
                  const char          *module)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  gint64 spawned_at;
  gint64 frame;

  g_subprocess_launcher_setenv (launcher, "LD_PRELOAD", module, TRUE);
  g_subprocess_launcher_setenv (launcher, "BC_FIRST_FRAME_EXIT", "1", TRUE);
  spawned_at = g_get_monotonic_time ();
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (process == NULL ||
      !g_subprocess_communicate_utf8 (process, NULL, NULL, &output, NULL, &error))
    {
      g_printerr ("%s: %s\n", argv[0], error->message);
      return -1;
    }

  frame = field (output, "first-frame");
  return frame > 0 ? frame - spawned_at : -1;
}

static void
compare_with_text_editor (const char *self_path,
                          const char *workbook)
{
  const char *module = g_getenv ("BC_FIRST_FRAME_MODULE");
  g_autofree char *editor = g_find_program_in_path ("gnome-text-editor");
  g_autoptr(GArray) ours = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) theirs = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) bare = g_array_new (FALSE, FALSE, sizeof (gint64));
  const char *our_argv[] = { self_path, "--child", workbook, NULL };
  const char *bare_argv[] = { self_path, "--floor", NULL };
  const char *their_argv[] = { editor, "--standalone", "--ignore-session", NULL };

  if (module == NULL || editor == NULL)
    {
      g_print ("against gnome-text-editor: not measured (%s)\n",
               module == NULL ? "BC_FIRST_FRAME_MODULE is not set" : "gnome-text-editor is not installed");
      return;
    }

  /* Interleaved, so that a busy moment of the machine falls on both. */
  for (guint run = 0; run < N_RUNS; run++)
    {
      gint64 value = time_first_frame (our_argv, module);

      if (value > 0)
        g_array_append_val (ours, value);
      value = time_first_frame (their_argv, module);
      if (value > 0)
        g_array_append_val (theirs, value);
      value = time_first_frame (bare_argv, module);
      if (value > 0)
        g_array_append_val (bare, value);
    }

  if (ours->len == 0 || theirs->len == 0)
    {
      g_print ("against gnome-text-editor: not measured (no first frame seen)\n");
      return;
    }

  g_print ("against gnome-text-editor, spawn to first frame (GSK_RENDERER=%s, median of %u): "
           "Baocao %" G_GINT64_FORMAT " ms, gnome-text-editor %" G_GINT64_FORMAT " ms, ratio %.2f\n",
           g_getenv ("GSK_RENDERER") != NULL ? g_getenv ("GSK_RENDERER") : "default", ours->len,
           median (ours) / 1000, median (theirs) / 1000,
           (double) median (ours) / (double) median (theirs));
  /* What no GTK 4 app can go below on this machine and display: the
   * bare libadwaita window, timed the same way in the same rounds. */
  if (bare->len > 0)
    g_print ("a bare libadwaita window, timed the same way in the same rounds: %" G_GINT64_FORMAT " ms, "
             "ratio %.2f to gnome-text-editor; Baocao takes %" G_GINT64_FORMAT " ms more than it\n",
             median (bare) / 1000, (double) median (bare) / (double) median (theirs),
             (median (ours) - median (bare)) / 1000);
}

/* --- the parent: makes the workbook, starts and times the children -------- */

static char *
make_workbook (const char *dir,
               char      **largest_id)
{
  g_autofree char *path = g_build_filename (dir, "bench.baocao", NULL);
  g_autofree char *sample = g_build_filename (SOURCE_ROOT, "data", "demo",
                                              "quang-ngai-312-kl-ttra.json", NULL);
  g_autoptr(BcTemplateRegistry) templates = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  const char *templates_ids[] = { "egov-quarterly", "inspection-remediation" };
  guint made = 0;

  templates = bc_template_registry_new_default (&error);
  if (templates == NULL)
    g_error ("%s", error->message);
  workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_CREATE, &error);
  if (workbook == NULL)
    g_error ("%s", error->message);

  /* 1,000 reports: 25 quarters × 20 units × 2 forms. */
  for (int year = 2015; made < N_REPORTS; year++)
    for (int quarter = 1; quarter <= 4 && made < N_REPORTS; quarter++)
      for (guint unit = 1; unit <= 20 && made < N_REPORTS; unit++)
        for (guint t = 0; t < G_N_ELEMENTS (templates_ids) && made < N_REPORTS; t++)
          {
            g_autofree char *period = g_strdup_printf ("%dQ%d", year, quarter);
            g_autofree char *unit_name = g_strdup_printf ("UBND-X%02u", unit);
            g_autofree char *id = bc_workbook_create_report (workbook, templates_ids[t],
                                                             period, unit_name, &error);

            if (id == NULL)
              g_error ("%s", error->message);
            made++;
          }

  /* The largest form: the demo's remediation report, with its findings. */
  *largest_id = NULL;
  if (json_parser_load_from_file (parser, sample, NULL))
    {
      JsonObject *root = json_node_get_object (json_parser_get_root (parser));
      JsonArray *reports = json_object_get_array_member (root, "reports");
      JsonObject *report = json_array_get_object_element (reports, 0);

      json_object_set_string_member (report, "id", LARGEST_ID);
      json_object_set_string_member (report, "status", "draft");
      if (bc_workbook_import_json (workbook, json_parser_get_root (parser), &error) == 1)
        *largest_id = g_strdup (LARGEST_ID);
      else
        g_clear_error (&error);
    }

  bc_workbook_close (workbook);
  return g_steal_pointer (&path);
}

static gint64
median (GArray *values)
{
  g_array_sort (values, bc_test_compare_gint64);
  return g_array_index (values, gint64, values->len / 2);
}

static gint64
field (const char *output,
       const char *name)
{
  g_autofree char *key = g_strconcat ("\n", name, " ", NULL);
  g_autofree char *text = g_strconcat ("\n", output, NULL);
  const char *at = strstr (text, key);

  return at != NULL ? g_ascii_strtoll (at + strlen (key), NULL, 10) : -1;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *workbook = NULL;
  g_autofree char *largest_id = NULL;
  g_autoptr(GArray) first = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) from_main = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) list = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) floor_first = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) floor_from_main = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 rss_kb = -1;
  gint64 floor_rss_kb = -1;

  if (argc >= 3 && g_str_equal (argv[1], "--child"))
    {
      child.main_at = g_get_monotonic_time ();
      return run_child (argv[2], argc >= 4 ? argv[3] : NULL);
    }
  if (argc >= 2 && g_str_equal (argv[1], "--floor"))
    {
      child.main_at = g_get_monotonic_time ();
      return run_floor ();
    }

  setlocale (LC_ALL, "");
  dir = g_dir_make_tmp ("bench-startup-XXXXXX", &error);
  if (dir == NULL)
    g_error ("%s", error->message);
  g_setenv ("XDG_DATA_HOME", dir, TRUE);
  g_setenv ("XDG_CONFIG_HOME", dir, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  workbook = make_workbook (dir, &largest_id);

  for (guint run = 0; run < N_RUNS; run++)
    {
      g_autoptr(GSubprocess) process = NULL;
      g_autofree char *output = NULL;
      gint64 spawned_at;
      gint64 value;

      spawned_at = g_get_monotonic_time ();
      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                  argv[0], "--child", workbook, largest_id, NULL);
      if (process == NULL ||
          !g_subprocess_communicate_utf8 (process, NULL, NULL, &output, NULL, &error))
        g_error ("%s", error->message);
      if (!g_subprocess_get_successful (process) || field (output, "first-frame") < 0)
        g_error ("The app did not start: %s", output);

      value = field (output, "first-frame") - spawned_at;
      g_array_append_val (first, value);
      value = field (output, "first-frame") - field (output, "main");
      g_array_append_val (from_main, value);
      value = field (output, "list-frame") - spawned_at;
      g_array_append_val (list, value);
      rss_kb = field (output, "rss-kb");
    }

  for (guint run = 0; run < N_RUNS; run++)
    {
      g_autoptr(GSubprocess) process = NULL;
      g_autofree char *output = NULL;
      gint64 spawned_at = g_get_monotonic_time ();
      gint64 value;

      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, argv[0], "--floor", NULL);
      if (process == NULL ||
          !g_subprocess_communicate_utf8 (process, NULL, NULL, &output, NULL, &error))
        g_error ("%s", error->message);
      value = field (output, "first-frame") - spawned_at;
      g_array_append_val (floor_first, value);
      value = field (output, "first-frame") - field (output, "main");
      g_array_append_val (floor_from_main, value);
      floor_rss_kb = field (output, "rss-kb");
    }

  /* The median of the runs: the first one also warms the disk cache. */
  g_print ("startup to first frame: %" G_GINT64_FORMAT " ms (%d reports; %" G_GINT64_FORMAT " ms after main(); median of %d runs)\n",
           median (first) / 1000, N_REPORTS, median (from_main) / 1000, N_RUNS);
  g_print ("startup to the report list drawn: %" G_GINT64_FORMAT " ms (%d reports)\n",
           median (list) / 1000, N_REPORTS);
  if (rss_kb >= 0)
    g_print ("resident memory after opening the largest form%s: %.1f MB\n",
             largest_id != NULL ? " (the demo's inspection-remediation report)" : "",
             rss_kb / 1024.0);
  g_print ("for scale, a bare libadwaita window of the same size here: first frame %" G_GINT64_FORMAT " ms (%" G_GINT64_FORMAT " ms after main()), %.1f MB resident\n",
           median (floor_first) / 1000, median (floor_from_main) / 1000, floor_rss_kb / 1024.0);

  compare_with_text_editor (argv[0], workbook);

  {
    g_autofree char *wal = g_strconcat (workbook, "-wal", NULL);
    g_autofree char *shm = g_strconcat (workbook, "-shm", NULL);

    g_remove (wal);
    g_remove (shm);
    g_remove (workbook);
    /* Settings and demo folders the children may have made. */
    g_rmdir (dir);
  }

  return EXIT_SUCCESS;
}
