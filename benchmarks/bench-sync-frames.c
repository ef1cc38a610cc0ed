/* bench-sync-frames.c: typing in the window while it syncs 100 reports over a slow link.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A user workbook with 100 distinct reports ready to send (each with
 * narrative of its own in three long answers) and one draft,
 * opened in the real window under a virtual display. The window enrols
 * with a real `baocao-server serve` process ($BAOCAO_SERVER) reached
 * through the fault proxy, which shapes the link to 64 kbit/s each way
 * with 300 ms of latency each way; enrolled, it sends by itself. While that
 * sync runs, real key presses (XTest, 10 a second from a timeout, not
 * waiting for the window between them) type into a text field of the open
 * draft. A tick callback records the gaps between frames while the sync
 * runs; the frame clock's after-paint records, for each key, the time from
 * its press to the first frame painted with its letter in the field.
 *
 * BENCH_BANDWIDTH_BPS, BENCH_LATENCY_MS and BENCH_PROSE_CHARS (characters
 * of narrative in each of three long answers) try other links and sizes.
 *
 * Prints figures; never fails because a machine is slow. Fails only when
 * the sync does not complete (every report received by the province) or
 * the typed text is not in the field and in the workbook afterwards.
 */
#define G_LOG_DOMAIN "bench-sync-frames"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <gdk/x11/gdkx.h>
#include <X11/extensions/XTest.h>

#include "bc-application.h"
#include "bc-entry.h"
#include "bc-fault-proxy.h"
#include "bc-form-view.h"
#include "bc-gui-test.h"
#include "bc-i18n.h"
#include "bc-outbox.h"
#include "bc-sync-controller.h"
#include "bc-sync-harness.h"
#include "bc-window.h"

#define N_REPORTS      100
#define BANDWIDTH_BPS  64000
#define LATENCY_USEC   (300 * 1000)
#define KEY_PERIOD_MS  100
/* The title takes at most this many before it refuses more: a slow link
 * whose pushes are cut and sent again in smaller batches can make the
 * sync outlast it. Frames are still measured after the last key. */
#define MAX_KEYS       200
#define FIELD_ID       "doc_title"
#define DEADLINE_SEC   900
/* Characters of narrative in each of three long answers of each report:
 * about 1.6 kB a report on the wire, 160 kB for the push of all 100. */
#define PROSE_CHARS    1000

typedef struct {
  BcWindow         *window;
  BcSyncController *controller;
  GtkWidget        *entry;
  Display          *dpy;

  gboolean  measuring;
  gint64    last_frame;
  GArray   *gaps;          /* gint64 µs between frames while the sync runs */

  GString  *typed;         /* what the key presses should have typed */
  GArray   *pressed_at;    /* gint64, one per key */
  guint     n_seen;        /* keys whose letter has been painted */
  GArray   *latencies;     /* gint64 µs, press → painted */
  glong     initial_chars;
  guint     key_source;

  gboolean  enrolled;
  GError   *enrol_error;
} Bench;

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  Bench *b = data;
  gint64 now = g_get_monotonic_time ();

  (void) widget;
  (void) clock;

  if (b->measuring && b->last_frame != 0)
    {
      gint64 gap = now - b->last_frame;

      g_array_append_val (b->gaps, gap);
    }
  b->last_frame = now;
  return G_SOURCE_CONTINUE;
}

/* After a frame was painted: the keys whose letter it shows for the first
 * time reached the screen now. */
static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       data)
{
  Bench *b = data;
  gint64 now = g_get_monotonic_time ();
  glong shown;

  (void) clock;

  if (b->entry == NULL)
    return;
  shown = g_utf8_strlen (gtk_editable_get_text (GTK_EDITABLE (b->entry)), -1) - b->initial_chars;
  while (shown > 0 && b->n_seen < (guint) shown && b->n_seen < b->pressed_at->len)
    {
      gint64 latency = now - g_array_index (b->pressed_at, gint64, b->n_seen);

      g_array_append_val (b->latencies, latency);
      b->n_seen++;
    }
}

/* One key press and release, sent without waiting for the window: a person
 * typing does not wait either. */
static gboolean
key_cb (gpointer data)
{
  Bench *b = data;
  static const char letters[] = "abcdefghijklmnopqrstuvwxyz";
  char c = letters[b->typed->len % (sizeof letters - 1)];
  KeyCode code = XKeysymToKeycode (b->dpy, (KeySym) c);
  gint64 now;

  if (b->typed->len >= MAX_KEYS)
    return G_SOURCE_CONTINUE;

  g_assert_cmpuint (code, !=, 0);
  now = g_get_monotonic_time ();
  XTestFakeKeyEvent (b->dpy, code, True, CurrentTime);
  XTestFakeKeyEvent (b->dpy, code, False, CurrentTime);
  XFlush (b->dpy);
  g_array_append_val (b->pressed_at, now);
  g_string_append_c (b->typed, c);
  return G_SOURCE_CONTINUE;
}

static void
on_enrolled (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Bench *b = data;

  if (!bc_sync_controller_enrol_finish (BC_SYNC_CONTROLLER (source), result, &b->enrol_error))
    g_assert_nonnull (b->enrol_error);
  b->enrolled = TRUE;
}

/* A figure from the environment (to try other links and sizes), or `fallback`. */
static guint
env_uint (const char *name,
          guint       fallback)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' ? (guint) g_ascii_strtoull (value, NULL, 10) : fallback;
}

/* Words that look like Vietnamese prose to a compressor: syllables of an
 * onset, a vowel and a coda, drawn at random (a few thousand of them). */
static char *
prose (GRand *rand,
       guint  n_chars)
{
  static const char *onsets[] = { "b", "c", "ch", "d", "đ", "g", "gi", "h", "k", "kh", "l", "m", "n",
                                  "ng", "nh", "ph", "qu", "s", "t", "th", "tr", "v", "x" };
  static const char *vowels[] = { "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y",
                                  "oa", "uô", "ươ", "iê", "á", "à", "ả", "ạ", "ế", "ộ", "ữ" };
  static const char *codas[] = { "", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "u" };
  GString *out = g_string_new (NULL);

  while (out->len < n_chars)
    {
      if (out->len > 0)
        g_string_append (out, g_rand_int_range (rand, 0, 12) == 0 ? ". " : " ");
      g_string_append (out, onsets[g_rand_int_range (rand, 0, G_N_ELEMENTS (onsets))]);
      g_string_append (out, vowels[g_rand_int_range (rand, 0, G_N_ELEMENTS (vowels))]);
      g_string_append (out, codas[g_rand_int_range (rand, 0, G_N_ELEMENTS (codas))]);
    }
  g_string_append_c (out, '.');
  return g_string_free (out, FALSE);
}

/* N_REPORTS complete reports of the harness's unit, each with narrative
 * of its own in three long answers (as a unit's reports differ), made
 * ready and queued; their ids. */
static GPtrArray *
queue_distinct (BcWorkbook *workbook)
{
  static const char *fields[] = { "difficulties_text", "self_assessment_text", "next_tasks_text" };
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  guint prose_chars = env_uint ("BENCH_PROSE_CHARS", PROSE_CHARS);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < N_REPORTS; i++)
    {
      g_autofree char *period = bc_test_period (i);
      char *id = bc_test_new_draft (workbook, period, NULL);

      for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
        {
          g_autofree char *text = prose (rand, prose_chars);

          if (!bc_workbook_set_value (workbook, id, fields[f], 0, text, &error))
            g_error ("%s", error->message);
        }
      bc_test_ready_and_queue (workbook, id);
      g_ptr_array_add (ids, id);
    }
  return ids;
}

static gboolean
window_ready (gpointer data)
{
  Bench *b = data;
  BcReportList *reports = bc_window_get_reports (b->window);
  BcSyncController *controller = bc_window_get_sync_controller (b->window);

  return !bc_window_get_busy (b->window) && reports != NULL && bc_report_list_get_loaded (reports)
         && controller != NULL && bc_sync_controller_get_ready (controller);
}

static gboolean
enrolled (gpointer data)
{
  return ((Bench *) data)->enrolled;
}

static gboolean
sync_done (gpointer data)
{
  Bench *b = data;

  return bc_sync_controller_get_n_synced (b->controller) > 0
         && !bc_sync_controller_get_running (b->controller);
}

static gboolean
saved (gpointer data)
{
  BcFormView *view = data;

  return bc_form_view_get_save_state (view) != BC_SAVE_STATE_SAVING;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcApplication) app = NULL;
  g_autoptr(BcFaultProxy) proxy = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *data = NULL;
  g_autofree char *path = NULL;
  g_autofree char *url = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *draft = NULL;
  g_autofree char *period = NULL;
  g_autofree char *before = NULL;
  BcTestServer *server;
  BcFaultPlan plan = {
    .kind = BC_FAULT_NONE,
    .bandwidth_bps = env_uint ("BENCH_BANDWIDTH_BPS", BANDWIDTH_BPS),
    .latency_usec = (gint64) env_uint ("BENCH_LATENCY_MS", LATENCY_USEC / 1000) * 1000,
    .shape = BC_FAULT_SHAPE_BOTH,
  };
  BcTemplate *template_;
  const BcField *field;
  BcFormView *view;
  Bench b = { 0 };
  gint64 started, ended;
  guint received = 0;

  (void) argc;
  (void) argv;

  g_setenv ("BAOCAO_LANGUAGE", "en", TRUE);
  dir = bc_gui_test_init ();
  if (!GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    {
      g_print ("no X11 display: nothing measured\n");
      return 77;
    }
  b.dpy = gdk_x11_display_get_xdisplay (gdk_display_get_default ());
  b.gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  b.pressed_at = g_array_new (FALSE, FALSE, sizeof (gint64));
  b.latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  b.typed = g_string_new (NULL);

  /* The province: a real server process, behind a slow, distant link. */
  data = g_build_filename (dir, "server", NULL);
  bc_test_server_prepare (data);
  server = bc_test_server_start (data, 0, NULL, NULL);
  proxy = bc_fault_proxy_new ("127.0.0.1", bc_test_server_get_port (server), &error);
  g_assert_no_error (error);
  bc_fault_proxy_set_plan (proxy, &plan);
  url = bc_fault_proxy_dup_uri (proxy);

  /* The unit's workbook: 100 reports ready to send, and a draft to type in. */
  workbook = bc_test_workbook_new (dir, "officer.baocao");
  path = g_strdup (bc_workbook_get_path (workbook));
  ids = queue_distinct (workbook);
  period = bc_test_period (N_REPORTS + 1);
  draft = bc_test_new_draft (workbook, period, NULL);
  bc_workbook_close (workbook);
  g_clear_object (&workbook);

  app = bc_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_hold (G_APPLICATION (app));

  b.window = bc_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (b.window), 1200, 760);
  gtk_window_present (GTK_WINDOW (b.window));
  file = g_file_new_for_path (path);
  bc_window_open_workbook (b.window, file);
  bc_gui_test_wait_or_fail (window_ready, &b, 60000, "the window opens the workbook");
  b.controller = bc_window_get_sync_controller (b.window);
  g_assert_false (bc_sync_controller_get_demo (b.controller));
  g_assert_false (bc_sync_controller_get_enrolled (b.controller));
  token_file = g_build_filename (dir, "token", NULL);
  bc_sync_controller_set_token_file (b.controller, token_file);

  /* The draft open, the cursor at the end of its title. */
  g_assert_true (bc_window_select_report (b.window, draft));
  view = bc_window_get_form_view (b.window);
  bc_gui_test_wait_loaded (view);
  template_ = bc_workbook_get_report_template (bc_window_get_workbook (b.window),
                                               bc_form_view_get_report (view), &error);
  g_assert_no_error (error);
  field = bc_template_lookup_field (template_, FIELD_ID);
  g_assert_nonnull (field);
  b.entry = bc_gui_test_find_by_label (GTK_WIDGET (b.window), bc_text_get (&field->label, bc_i18n_language ()));
  g_assert_nonnull (b.entry);
  bc_gui_test_click (b.entry);
  bc_gui_test_press_key (GTK_WIDGET (b.window), GDK_KEY_End, 0);
  g_assert_true (gtk_widget_has_focus (b.entry) || gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (b.window)), b.entry));
  before = g_strdup (gtk_editable_get_text (GTK_EDITABLE (b.entry)));
  b.initial_chars = g_utf8_strlen (before, -1);

  gtk_widget_add_tick_callback (GTK_WIDGET (b.window), tick_cb, &b, NULL);
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (b.window)), "after-paint",
                    G_CALLBACK (after_paint_cb), &b);

  /* Enrolled, the window sends by itself. */
  bc_sync_controller_enrol_async (b.controller, url, "user-0", BC_HARNESS_PASSWORD, NULL, on_enrolled, &b);
  bc_gui_test_wait_or_fail (enrolled, &b, 120000, "enrolment answered");
  g_assert_no_error (b.enrol_error);
  if (!bc_sync_controller_get_running (b.controller) && bc_sync_controller_get_n_synced (b.controller) == 0)
    bc_sync_controller_send_now (b.controller);

  started = g_get_monotonic_time ();
  b.measuring = TRUE;
  b.last_frame = 0;
  b.key_source = g_timeout_add (KEY_PERIOD_MS, key_cb, &b);
  {
    gint64 next_note = started + 10 * G_USEC_PER_SEC;

    while (!sync_done (&b) && g_get_monotonic_time () - started < DEADLINE_SEC * G_USEC_PER_SEC)
      {
        g_main_context_iteration (NULL, TRUE);
        if (g_get_monotonic_time () >= next_note)
          {
            const char *last_error = bc_sync_controller_get_last_error (b.controller);

            next_note += 10 * G_USEC_PER_SEC;
            g_print ("  %.0f s: %u of %u items, %" G_GUINT64_FORMAT " bytes up, %" G_GUINT64_FORMAT
                     " down, %u connections%s%s\n",
                     (g_get_monotonic_time () - started) / 1e6,
                     bc_sync_controller_get_items_done (b.controller),
                     bc_sync_controller_get_items_total (b.controller),
                     bc_fault_proxy_get_bytes (proxy, BC_FAULT_UP),
                     bc_fault_proxy_get_bytes (proxy, BC_FAULT_DOWN),
                     bc_fault_proxy_get_connections (proxy),
                     last_error != NULL ? ", last error: " : "", last_error != NULL ? last_error : "");
          }
      }
  }
  ended = g_get_monotonic_time ();
  b.measuring = FALSE;
  g_source_remove (b.key_source);

  /* Every key pressed reaches the field (wait for the last ones). */
  for (gint64 until = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
       b.n_seen < b.pressed_at->len && g_get_monotonic_time () < until;)
    g_main_context_iteration (NULL, TRUE);
  bc_gui_test_wait (saved, view, 20000);

  if (!sync_done (&b))
    g_error ("The sync did not end within %d s", DEADLINE_SEC);
  if (bc_sync_controller_get_last_error (b.controller) != NULL)
    g_error ("The sync failed: %s", bc_sync_controller_get_last_error (b.controller));

  {
    g_autofree char *expected = g_strconcat (before, b.typed->str, NULL);

    if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (b.entry)), expected) != 0)
      g_error ("Typed text lost: the field reads \"%s\", expected \"%s\"",
               gtk_editable_get_text (GTK_EDITABLE (b.entry)), expected);
    g_assert_cmpint (bc_form_view_get_save_state (view), ==, BC_SAVE_STATE_SAVED);

    gtk_window_destroy (GTK_WINDOW (b.window));
    bc_gui_test_drain ();
    bc_gui_test_spin (200);

    /* In the workbook too, and every report has the province's receipt. */
    {
      g_autoptr(BcTemplateRegistry) templates = bc_template_registry_new_default (&error);
      g_autoptr(BcReport) report = NULL;
      g_autoptr(GPtrArray) outbox = NULL;

      g_assert_no_error (error);
      workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_DEFAULT, &error);
      g_assert_no_error (error);
      report = bc_workbook_load_report (workbook, draft, &error);
      g_assert_no_error (error);
      if (g_strcmp0 (bc_report_get_value (report, FIELD_ID, 0), expected) != 0)
        g_error ("Typed text lost: the workbook holds \"%s\", expected \"%s\"",
                 bc_report_get_value (report, FIELD_ID, 0), expected);
      for (guint i = 0; i < ids->len; i++)
        {
          g_autoptr(BcSyncState) state = bc_outbox_get_state (workbook, ids->pdata[i], &error);

          g_assert_no_error (error);
          if (state != NULL && state->receipt_number != NULL)
            received++;
        }
      outbox = bc_outbox_list (workbook, &error);
      g_assert_no_error (error);
      if (received != N_REPORTS || outbox->len != 0)
        g_error ("The sync did not complete: %u of %u reports received, %u still to send",
                 received, N_REPORTS, outbox->len);
      bc_workbook_close (workbook);
    }
  }

  g_print ("link: %" G_GUINT64_FORMAT " kbit/s each way, %" G_GINT64_FORMAT " ms latency each way (fault proxy)\n",
           plan.bandwidth_bps / 1000, plan.latency_usec / 1000);
  g_print ("reports sent: %u (received by the province, with receipts)\n", received);
  g_print ("sync duration: %.1f s (%" G_GUINT64_FORMAT " bytes up, %" G_GUINT64_FORMAT " down)\n",
           (ended - started) / 1e6, bc_fault_proxy_get_bytes (proxy, BC_FAULT_UP),
           bc_fault_proxy_get_bytes (proxy, BC_FAULT_DOWN));
  g_print ("frames during the sync: %u\n", b.gaps->len + 1);
  g_print ("worst frame gap: %.1f ms\n", bc_test_quantile_ms (b.gaps, 1.0));
  g_print ("p95 frame gap: %.1f ms (median %.1f ms)\n", bc_test_quantile_ms (b.gaps, 0.95), bc_test_quantile_ms (b.gaps, 0.5));
  g_print ("keys typed: %u, all in the field and the workbook\n", b.pressed_at->len);
  g_print ("worst key-to-screen latency: %.1f ms (p95 %.1f ms, median %.1f ms)\n",
           bc_test_quantile_ms (b.latencies, 1.0), bc_test_quantile_ms (b.latencies, 0.95), bc_test_quantile_ms (b.latencies, 0.5));

  bc_fault_proxy_stop (proxy);
  bc_test_server_free (server);
  g_application_release (G_APPLICATION (app));
  g_array_unref (b.gaps);
  g_array_unref (b.pressed_at);
  g_array_unref (b.latencies);
  g_string_free (b.typed, TRUE);
  bc_test_remove_tree (dir);
  return 0;
}
