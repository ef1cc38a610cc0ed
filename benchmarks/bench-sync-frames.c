/* bench-sync-frames.c: the window's worst frame while it syncs 100 reports.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A demo workbook with 100 reports ready to send, opened in the real window
 * under a virtual display; its sync runs with the in-process training
 * server. A tick callback keeps the frame clock running and records the
 * longest gap between two frames while the sync runs: what typing would
 * feel. Prints figures; never fails because a machine is slow.
 */
#define G_LOG_DOMAIN "bench-sync-frames"

#include "config.h"

#include <locale.h>

#include <json-glib/json-glib.h>

#include "bc-application.h"
#include "bc-demo.h"
#include "bc-entry.h"
#include "bc-i18n.h"
#include "bc-sync-indicator.h"
#include "bc-window.h"
#include "bc-test-util.h"

#define N_REPORTS 100

static gint64 last_frame;
static gint64 worst_gap;
static guint n_frames;
static BcSyncController *controller;
static gint64 sync_started;
static gint64 sync_ended;

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  gint64 now = g_get_monotonic_time ();

  (void) widget;
  (void) clock;
  (void) data;

  if (controller != NULL && bc_sync_controller_get_running (controller))
    {
      if (sync_started == 0)
        sync_started = now;
      sync_ended = now;
    }
  if (controller != NULL && bc_sync_controller_get_running (controller) && last_frame != 0)
    {
      worst_gap = MAX (worst_gap, now - last_frame);
      n_frames++;
    }
  last_frame = now;
  return G_SOURCE_CONTINUE;
}

static char *
prepare_workbook (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "training.baocao", NULL);
  g_autofree char *sample = g_build_filename (g_getenv ("BAOCAO_DEMO_DIR"), "quang-ngai-2018q2.json", NULL);
  g_autoptr(BcTemplateRegistry) templates = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonNode) copy = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *reports;
  JsonObject *complete = NULL;
  JsonArray *many;
  g_autofree char *text = NULL;
  guint n;

  if (!bc_demo_install (path, &error))
    g_error ("%s", error->message);
  templates = bc_template_registry_new_default (&error);
  workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_DEFAULT, &error);
  if (workbook == NULL)
    g_error ("%s", error->message);
  if (!json_parser_load_from_file (parser, sample, &error))
    g_error ("%s", error->message);
  reports = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "reports");
  for (guint i = 0; i < json_array_get_length (reports); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (reports, i), "period"), "2018Q1"))
      complete = json_array_get_object_element (reports, i);
  g_assert (complete != NULL);
  {
    g_autoptr(JsonNode) one = json_node_init_object (json_node_alloc (), complete);

    text = json_to_string (one, FALSE);
  }

  copy = json_node_copy (json_parser_get_root (parser));
  many = json_array_new ();
  json_object_set_array_member (json_node_get_object (copy), "reports", many);
  for (guint i = 0; i < N_REPORTS; i++)
    {
      JsonNode *node = json_from_string (text, NULL);
      JsonObject *report;
      g_autofree char *id = g_strdup_printf ("00000000-0000-4000-8000-%012u", i + 1);
      g_autofree char *period = g_strdup_printf ("%uQ%u", 1990 + i / 4, i % 4 + 1);

      report = json_node_get_object (node);
      json_object_set_string_member (report, "id", id);
      json_object_set_string_member (report, "period", period);
      json_object_set_string_member (report, "status", "ready");
      json_array_add_element (many, node);
    }
  n = bc_workbook_import_json (workbook, copy, &error);
  if (error != NULL)
    g_error ("%s", error->message);
  g_print ("reports ready to send: %u\n", n);
  bc_workbook_close (workbook);
  return g_steal_pointer (&path);
}

static gboolean
window_ready (BcWindow *window)
{
  BcReportList *reports = bc_window_get_reports (window);
  GtkWidget *indicator = NULL;

  if (bc_window_get_busy (window) || reports == NULL || !bc_report_list_get_loaded (reports))
    return FALSE;
  indicator = g_object_get_data (G_OBJECT (window), "indicator");
  return indicator != NULL && bc_sync_indicator_get_controller (BC_SYNC_INDICATOR (indicator)) != NULL
         && bc_sync_controller_get_ready (bc_sync_indicator_get_controller (BC_SYNC_INDICATOR (indicator)));
}

static GtkWidget *
find_type (GtkWidget *root,
           GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcApplication) app = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  BcWindow *window;
  gint64 deadline;

  dir = g_dir_make_tmp ("bench-sync-XXXXXX", &error);
  g_setenv ("HOME", dir, TRUE);
  g_setenv ("XDG_DATA_HOME", dir, TRUE);
  g_setenv ("XDG_CONFIG_HOME", dir, TRUE);
  g_setenv ("BAOCAO_LANGUAGE", "en", TRUE);
  setlocale (LC_ALL, "");
  bc_i18n_init ();
  gtk_init ();
  (void) argc;
  (void) argv;

  path = prepare_workbook (dir);
  app = bc_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_application_hold (G_APPLICATION (app));

  window = bc_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_add_tick_callback (GTK_WIDGET (window), tick_cb, NULL, NULL);
  g_object_set_data (G_OBJECT (window), "indicator", find_type (GTK_WIDGET (window), BC_TYPE_SYNC_INDICATOR));
  file = g_file_new_for_path (path);
  bc_window_open_workbook (window, file);
  deadline = g_get_monotonic_time () + 300 * G_USEC_PER_SEC;
  /* The demo workbook syncs by itself as soon as it is open (the network
   * monitor permitting; "Send Now" otherwise): frames are measured while
   * that sync runs. */
  while (g_get_monotonic_time () < deadline
         && (controller == NULL || bc_sync_controller_get_n_synced (controller) == 0
             || bc_sync_controller_get_running (controller)))
    {
      GtkWidget *indicator = g_object_get_data (G_OBJECT (window), "indicator");

      if (controller == NULL && indicator != NULL && window_ready (window))
        {
          controller = bc_sync_indicator_get_controller (BC_SYNC_INDICATOR (indicator));
          if (!bc_sync_controller_get_running (controller) && bc_sync_controller_get_n_synced (controller) == 0)
            bc_sync_controller_send_now (controller);
        }
      g_main_context_iteration (NULL, TRUE);
    }
  if (controller == NULL)
    g_error ("The window has no sync controller");

  g_print ("sync (as seen by the frame clock): %.2f s, syncs done %u, last error: %s\n",
           (sync_ended - sync_started) / 1e6, bc_sync_controller_get_n_synced (controller),
           bc_sync_controller_get_last_error (controller) != NULL ? bc_sync_controller_get_last_error (controller) : "none");
  g_print ("frames during the sync: %u, worst frame gap: %.1f ms\n", n_frames, worst_gap / 1000.0);

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_application_release (G_APPLICATION (app));
  bc_test_remove_tree (dir);
  return 0;
}
