/* test-window-shell.c: the window around the form, driven by real keys.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The problems panel (Ctrl+E) and F8 / Shift+F8, the Mark Ready refusal in
 * the form's words, the report list as one Tab stop, a workbook changed by
 * another program, closing with a refused value, `--demo`'s fresh copy, and
 * the window at 360 px. Keys and clicks go through the X server
 * (bc_gui_test_press_key), as a person's do. Run under xvfb-run and
 * dbus-run-session (see tests/meson.build).
 */
#define G_LOG_DOMAIN "test-window-shell"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "bc-application.h"
#include "bc-demo.h"
#include "bc-entry.h"
#include "bc-gui-test.h"
#include "bc-issue-list.h"
#include "bc-window.h"
#include "bc-test-util.h"

#define DEADLINE_MS 30000

static BcApplication *app;

typedef struct {
  BcWindow *window;
  char     *dir;
  char     *path;
} Fixture;

static gboolean
window_ready (gpointer data)
{
  BcWindow *window = data;
  BcReportList *reports = bc_window_get_reports (window);

  return !bc_window_get_busy (window) && bc_window_get_workbook (window) != NULL &&
         reports != NULL && bc_report_list_get_loaded (reports);
}

static gboolean
form_loaded (gpointer data)
{
  BcWindow *window = data;
  BcReport *report = bc_form_view_get_report (bc_window_get_form_view (window));

  return report != NULL &&
         g_strcmp0 (bc_report_get_id (report), bc_window_get_report_id (window)) == 0 &&
         bc_form_view_is_complete (bc_window_get_form_view (window));
}

static char *
draft_of (BcWindow   *window,
          const char *template_id)
{
  BcReportList *reports = bc_window_get_reports (window);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (reports)); i++)
    {
      g_autoptr(BcReportItem) item = g_list_model_get_item (G_LIST_MODEL (reports), i);

      if (g_str_equal (bc_report_item_get_template_id (item), template_id) &&
          bc_report_item_get_status (item) == BC_STATUS_DRAFT)
        return g_strdup (bc_report_item_get_id (item));
    }

  g_assert_not_reached ();
  return NULL;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  int width = GPOINTER_TO_INT (user_data);

  fixture->dir = g_dir_make_tmp ("test-shell-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "training.baocao", NULL);
  g_assert_true (bc_demo_install (fixture->path, &error));
  g_assert_no_error (error);

  fixture->window = bc_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), width > 0 ? width : 1280, 760);
  gtk_window_present (GTK_WINDOW (fixture->window));
  file = g_file_new_for_path (fixture->path);
  bc_window_open_workbook (fixture->window, file);
  g_assert_true (bc_gui_test_wait (window_ready, fixture->window, DEADLINE_MS));
}

static void
close_dialogs (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i - 1);

      if (ADW_IS_MESSAGE_DIALOG (window))
        gtk_window_destroy (window);
    }
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  close_dialogs ();
  if (fixture->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  bc_gui_test_spin (100);
  bc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static void
open_draft (Fixture    *fixture,
            const char *template_id)
{
  g_autofree char *id = draft_of (fixture->window, template_id);

  g_assert_true (bc_window_select_report (fixture->window, id));
  g_assert_true (bc_gui_test_wait (form_loaded, fixture->window, DEADLINE_MS));
  bc_gui_test_spin (200);
}

static GtkWidget *
named (Fixture    *fixture,
       const char *name)
{
  GtkWidget *widget = bc_gui_test_find_by_name (GTK_WIDGET (fixture->window), name);

  if (widget == NULL)
    g_error ("No widget named “%s”", name);
  return widget;
}

static GtkWidget *
focus_of (Fixture *fixture)
{
  return gtk_root_get_focus (GTK_ROOT (fixture->window));
}

/* The focused widget lies inside the form's visible area. */
static void
assert_focus_in_view (Fixture *fixture)
{
  GtkWidget *focus = focus_of (fixture);
  GtkWidget *form = GTK_WIDGET (bc_window_get_form_view (fixture->window));
  GtkWidget *scrolled = NULL;
  graphene_rect_t bounds;

  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, form));
  /* The form's own scrolled window: the outermost one around the focus. */
  for (GtkWidget *w = focus; w != NULL && w != form; w = gtk_widget_get_parent (w))
    if (GTK_IS_SCROLLED_WINDOW (w))
      scrolled = w;
  g_assert_nonnull (scrolled);
  g_assert_true (gtk_widget_compute_bounds (focus, scrolled, &bounds));
  g_assert_cmpfloat (bounds.origin.y, >=, -1);
  g_assert_cmpfloat (bounds.origin.y, <, gtk_widget_get_height (scrolled));
}

static gboolean
focus_path_is (gpointer data)
{
  gpointer *args = data;
  Fixture *fixture = args[0];

  return g_strcmp0 (bc_form_view_get_focus_path (bc_window_get_form_view (fixture->window)),
                    args[1]) == 0;
}

static gboolean
flap_revealed (gpointer flap)
{
  return adw_flap_get_reveal_flap (flap);
}

static gboolean
flap_hidden (gpointer flap)
{
  return !adw_flap_get_reveal_flap (flap);
}

/* Ctrl+E shows the problems, F8 and Shift+F8 go from one to the next, the
 * field focused and in view. */
static void
test_problems_keys (Fixture       *fixture,
                    gconstpointer  user_data)
{
  GtkWidget *window = GTK_WIDGET (fixture->window);
  AdwFlap *flap;
  BcIssueList *list;
  guint n;

  if (!bc_gui_test_real_input_available ())
    return;

  open_draft (fixture, "inspection-remediation");
  flap = ADW_FLAP (named (fixture, "problems-flap"));
  list = BC_ISSUE_LIST (named (fixture, "problems-list"));
  g_assert_false (adw_flap_get_reveal_flap (flap));

  bc_gui_test_press_key (window, GDK_KEY_e, GDK_CONTROL_MASK);
  g_assert_true (bc_gui_test_wait (flap_revealed, flap, DEADLINE_MS));
  /* …and stays: its rows, once built, must not make it fold away. */
  bc_gui_test_spin (500);
  g_assert_true (adw_flap_get_reveal_flap (flap));
  n = bc_issue_list_get_n_items (list);
  g_assert_cmpuint (n, >=, 3);
  /* The first problem's row has the focus: Enter would go to it. */
  g_assert_true (gtk_widget_is_ancestor (focus_of (fixture), GTK_WIDGET (list)));

  /* In the words of the form: no field id, no path. */
  for (guint i = 0; i < n; i++)
    {
      const BcIssue *issue = bc_issue_list_get_issue (list, i);
      g_autofree char *place = bc_issue_dup_place (bc_issue_list_get_template (list), issue,
                                                   bc_issue_list_get_lang (list));

      g_assert_null (strchr (place, '['));
      g_assert_null (strstr (place, issue->key));
      g_assert_nonnull (strstr (place, " › "));
    }

  /* F8: the first problem; again: the second; Shift+F8: back to the first. */
  for (guint step = 0; step < 3; step++)
    {
      guint expected = step == 1 ? 1 : 0;
      gpointer args[2] = { fixture, (gpointer) bc_issue_list_get_path (list, expected) };

      bc_gui_test_press_key (window, GDK_KEY_F8, step == 2 ? GDK_SHIFT_MASK : 0);
      g_assert_true (bc_gui_test_wait (focus_path_is, args, DEADLINE_MS));
      bc_gui_test_spin (300);
      assert_focus_in_view (fixture);
      /* Over the form (a narrow form pane), the panel gives way to the field. */
      if (adw_flap_get_folded (flap))
        g_assert_false (adw_flap_get_reveal_flap (flap));
    }

  /* Ctrl+E shows the panel, and again hides it. */
  if (!adw_flap_get_reveal_flap (flap))
    {
      bc_gui_test_press_key (window, GDK_KEY_e, GDK_CONTROL_MASK);
      g_assert_true (bc_gui_test_wait (flap_revealed, flap, DEADLINE_MS));
    }
  bc_gui_test_press_key (window, GDK_KEY_e, GDK_CONTROL_MASK);
  g_assert_true (bc_gui_test_wait (flap_hidden, flap, DEADLINE_MS));
}

static gboolean
inside_list (Fixture *fixture)
{
  GtkWidget *focus = focus_of (fixture);

  return focus != NULL && gtk_widget_is_ancestor (focus, named (fixture, "report-list"));
}

/* The reports are one Tab stop: Tab and Shift+Tab leave the list from any
 * row, the arrows move inside it. */
static void
test_list_one_tab_stop (Fixture       *fixture,
                        gconstpointer  user_data)
{
  GtkWidget *window = GTK_WIDGET (fixture->window);
  GtkWidget *list = named (fixture, "report-list");
  GtkWidget *first_focus;

  if (!bc_gui_test_real_input_available ())
    return;

  g_assert_true (gtk_widget_child_focus (list, GTK_DIR_TAB_FORWARD));
  bc_gui_test_spin (100);
  g_assert_true (inside_list (fixture));
  first_focus = focus_of (fixture);

  bc_gui_test_press_key (window, GDK_KEY_Down, 0);
  bc_gui_test_spin (100);
  g_assert_true (inside_list (fixture));
  g_assert_true (focus_of (fixture) != first_focus);

  bc_gui_test_press_key (window, GDK_KEY_Tab, 0);
  bc_gui_test_spin (100);
  g_assert_false (inside_list (fixture));

  g_assert_true (gtk_widget_child_focus (list, GTK_DIR_TAB_FORWARD));
  bc_gui_test_press_key (window, GDK_KEY_Down, 0);
  bc_gui_test_spin (100);
  g_assert_true (inside_list (fixture));
  bc_gui_test_press_key (window, GDK_KEY_Tab, GDK_SHIFT_MASK);
  bc_gui_test_spin (100);
  g_assert_false (inside_list (fixture));
}

static gboolean
report_listed (gpointer data)
{
  gpointer *args = data;
  Fixture *fixture = args[0];

  return bc_report_list_find (bc_window_get_reports (fixture->window), args[1], NULL) != NULL;
}

static gboolean
listed_ready (gpointer data)
{
  gpointer *args = data;
  Fixture *fixture = args[0];
  BcReportItem *item = bc_report_list_find (bc_window_get_reports (fixture->window), args[1], NULL);

  return item != NULL && bc_report_item_get_status (item) == BC_STATUS_READY;
}

static gboolean
form_ready (gpointer data)
{
  Fixture *fixture = data;
  BcReport *report = bc_form_view_get_report (bc_window_get_form_view (fixture->window));

  return report != NULL && bc_report_get_status (report) == BC_STATUS_READY;
}

/* Another program marks the report shown ready: the window follows. */
static void
test_follows_other_program (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(BcTemplateRegistry) templates = NULL;
  g_autoptr(BcWorkbook) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  gint64 start;
  gpointer args[2];

  /* The other program: a connection of its own to the same file. It adds
   * a complete draft (the Q1/2018 sample, which passes validation, as a
   * Q4/2017 draft) that the window shows. */
  templates = bc_template_registry_new_default (&error);
  g_assert_no_error (error);
  other = bc_workbook_open (fixture->path, templates, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  {
    g_autofree char *sample = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "..", "data", "demo",
                                                "quang-ngai-2018q2.json", NULL);
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonArray *reports;
    JsonObject *complete = NULL;

    g_assert_true (json_parser_load_from_file (parser, sample, &error));
    reports = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "reports");
    for (guint i = 0; i < json_array_get_length (reports); i++)
      {
        JsonObject *report = json_array_get_object_element (reports, i);

        if (g_str_equal (json_object_get_string_member (report, "period"), "2018Q1"))
          complete = json_object_ref (report);
      }
    g_assert_nonnull (complete);
    id = g_strdup ("11111111-2222-4333-8444-666666666666");
    json_object_set_string_member (complete, "id", id);
    json_object_set_string_member (complete, "period", "2017Q4");
    json_object_set_string_member (complete, "status", "draft");
    while (json_array_get_length (reports) > 0)
      json_array_remove_element (reports, 0);
    json_array_add_object_element (reports, complete);
    g_assert_cmpuint (bc_workbook_import_json (other, json_parser_get_root (parser), &error), ==, 1);
    g_assert_no_error (error);
  }

  /* The new report appears in the list without anything done here. */
  {
    gpointer listed[2] = { fixture, id };

    g_assert_true (bc_gui_test_wait (report_listed, listed, DEADLINE_MS));
  }
  g_assert_true (bc_window_select_report (fixture->window, id));
  g_assert_true (bc_gui_test_wait (form_loaded, fixture->window, DEADLINE_MS));
  {
    BcReport *report = bc_form_view_get_report (bc_window_get_form_view (fixture->window));

    g_assert_cmpint (bc_report_get_status (report), ==, BC_STATUS_DRAFT);
  }

  /* Once the form is drawn and the window idle, as when a person reads it. */
  bc_gui_test_spin (1500);
  start = g_get_monotonic_time ();
  g_assert_true (bc_workbook_set_status (other, id, BC_STATUS_READY, NULL, &error));
  g_assert_no_error (error);

  args[0] = fixture;
  args[1] = id;
  g_assert_true (bc_gui_test_wait (listed_ready, args, DEADLINE_MS));
  g_assert_true (bc_gui_test_wait (form_ready, fixture, DEADLINE_MS));
  g_test_message ("the window showed the change after %.0f ms",
                  (g_get_monotonic_time () - start) / 1000.0);
  bc_gui_test_spin (100);
  g_assert_false (gtk_widget_get_visible (named (fixture, "mark-ready-button")));
  g_assert_true (gtk_widget_get_visible (named (fixture, "back-to-draft-button")));
  bc_workbook_close (other);
}

static gboolean
window_gone (gpointer data)
{
  GWeakRef *ref = data;
  g_autoptr(GObject) object = g_weak_ref_get (ref);

  return object == NULL || !gtk_widget_get_visible (GTK_WIDGET (object));
}

static AdwMessageDialog *
find_dialog (const char *name)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && g_strcmp0 (gtk_widget_get_name (GTK_WIDGET (window)), name) == 0 &&
          gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }

  return NULL;
}

static gboolean
dialog_shown (gpointer name)
{
  return find_dialog (name) != NULL;
}

/* 150 in a percentage is refused; closing then asks, like an editor with
 * unsaved changes, and only "Discard" closes. */
static void
test_refused_close (Fixture       *fixture,
                    gconstpointer  user_data)
{
  GtkWidget *window = GTK_WIDGET (fixture->window);
  BcFormView *view = bc_window_get_form_view (fixture->window);
  GtkWidget *input;
  AdwMessageDialog *dialog;
  GWeakRef ref;

  if (!bc_gui_test_real_input_available ())
    return;

  open_draft (fixture, "egov-quarterly");
  input = bc_gui_test_find_by_label (GTK_WIDGET (view), "Documents exchanged fully electronically");
  g_assert_nonnull (input);
  /* Typed with real keys into the focused field. */
  g_assert_true (gtk_widget_grab_focus (input));
  bc_gui_test_spin (100);
  bc_gui_test_press_key (window, GDK_KEY_a, GDK_CONTROL_MASK);
  bc_gui_test_key_type (window, "150");
  bc_gui_test_spin (400);
  g_assert_true (bc_form_view_has_refused_input (view));

  /* Ctrl+W / the close button: asks, and the window stays. */
  gtk_window_close (GTK_WINDOW (window));
  g_assert_true (bc_gui_test_wait (dialog_shown, (gpointer) "discard-refused-dialog", DEADLINE_MS));
  g_assert_true (gtk_widget_get_visible (window));
  dialog = find_dialog ("discard-refused-dialog");
  /* As its button does: the answer, then the dialog closes. */
  adw_message_dialog_response (dialog, "back");
  gtk_window_close (GTK_WINDOW (dialog));
  bc_gui_test_spin (200);
  g_assert_true (gtk_widget_get_visible (window));
  g_assert_true (bc_form_view_has_refused_input (view));

  gtk_window_close (GTK_WINDOW (window));
  g_assert_true (bc_gui_test_wait (dialog_shown, (gpointer) "discard-refused-dialog", DEADLINE_MS));
  g_weak_ref_init (&ref, window);
  dialog = find_dialog ("discard-refused-dialog");
  adw_message_dialog_response (dialog, "discard");
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (bc_gui_test_wait (window_gone, &ref, DEADLINE_MS));
  g_weak_ref_clear (&ref);
  fixture->window = NULL;
}

static gboolean
refused_dialog_shown_or_closed (gpointer data)
{
  return dialog_shown ((gpointer) "discard-refused-dialog") || window_gone (data);
}

static gboolean
shows_report (gpointer data)
{
  gpointer *args = data;

  return form_loaded (args[0]) &&
         g_strcmp0 (bc_window_get_report_id (args[0]), args[1]) == 0;
}

/* The row of the report list that names `title`. */
static GtkWidget *
list_row_titled (Fixture    *fixture,
                 const char *title)
{
  GtkWidget *label = bc_gui_test_find_label (named (fixture, "report-list"), title);

  g_assert_nonnull (label);

  return label;
}

/* Another report chosen in the list while a value is refused: the window
 * asks, as on closing; "Go Back" stays on the value, "Discard" moves on. */
static void
test_refused_switch (Fixture       *fixture,
                     gconstpointer  user_data)
{
  GtkWidget *window = GTK_WIDGET (fixture->window);
  BcFormView *view = bc_window_get_form_view (fixture->window);
  g_autofree char *egov = NULL;
  g_autofree char *remediation = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *input, *focus;
  BcReportItem *selected;
  gpointer args[2];

  if (!bc_gui_test_real_input_available ())
    return;

  egov = draft_of (fixture->window, "egov-quarterly");
  remediation = draft_of (fixture->window, "inspection-remediation");
  open_draft (fixture, "egov-quarterly");
  input = bc_gui_test_find_by_label (GTK_WIDGET (view), "Documents exchanged fully electronically");
  g_assert_nonnull (input);
  g_assert_true (gtk_widget_grab_focus (input));
  bc_gui_test_spin (100);
  bc_gui_test_press_key (window, GDK_KEY_a, GDK_CONTROL_MASK);
  bc_gui_test_key_type (window, "150");
  bc_gui_test_spin (400);
  g_assert_true (bc_form_view_has_refused_input (view));

  /* A click on the other report: the window asks, and stays. */
  bc_gui_test_click (list_row_titled (fixture, "Inspection remediation report"));
  g_assert_true (bc_gui_test_wait (dialog_shown, (gpointer) "discard-refused-dialog", DEADLINE_MS));
  dialog = find_dialog ("discard-refused-dialog");
  adw_message_dialog_response (dialog, "back");
  gtk_window_close (GTK_WINDOW (dialog));
  bc_gui_test_spin (300);
  g_assert_cmpstr (bc_window_get_report_id (fixture->window), ==, egov);
  g_assert_true (bc_form_view_has_refused_input (view));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (input)), ==, "150");
  /* The list is back on the report shown, the focus on the value. */
  selected = gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (gtk_list_view_get_model (GTK_LIST_VIEW (named (fixture, "report-list")))));
  g_assert_nonnull (selected);
  g_assert_cmpstr (bc_report_item_get_id (selected), ==, egov);
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_true (focus == input || (focus != NULL && gtk_widget_is_ancestor (focus, input)));

  /* bc_window_select_report() (as a notification would) asks too. */
  g_assert_true (bc_window_select_report (fixture->window, remediation));
  g_assert_true (bc_gui_test_wait (dialog_shown, (gpointer) "discard-refused-dialog", DEADLINE_MS));
  g_assert_cmpstr (bc_window_get_report_id (fixture->window), ==, egov);
  dialog = find_dialog ("discard-refused-dialog");
  adw_message_dialog_response (dialog, "discard");
  gtk_window_close (GTK_WINDOW (dialog));
  args[0] = fixture->window;
  args[1] = remediation;
  g_assert_true (bc_gui_test_wait (shows_report, args, DEADLINE_MS));
  g_assert_false (bc_form_view_has_refused_input (view));

  /* Nothing refused now: moving on does not ask. */
  g_assert_true (bc_window_select_report (fixture->window, egov));
  args[1] = egov;
  g_assert_true (bc_gui_test_wait (shows_report, args, DEADLINE_MS));
  g_assert_null (find_dialog ("discard-refused-dialog"));
  g_assert_cmpstr (bc_report_get_value (bc_form_view_get_report (view), "docs_fully_electronic_pct", 0),
                   !=, "150");
}

/* A label shown whole: not ellipsized, and inside the window. */
static void
assert_label_whole (Fixture    *fixture,
                    const char *name)
{
  GtkWidget *label = named (fixture, name);
  graphene_rect_t bounds;

  g_assert_true (bc_gui_test_is_shown (label));
  if (pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (label))))
    g_error ("“%s” is cut (%s)", gtk_label_get_text (GTK_LABEL (label)), name);
  g_assert_true (gtk_widget_compute_bounds (label, GTK_WIDGET (fixture->window), &bounds));
  if (bounds.origin.x + bounds.size.width > gtk_widget_get_width (GTK_WIDGET (fixture->window)) + 0.5)
    g_error ("“%s” ends past the window's edge (%s)", gtk_label_get_text (GTK_LABEL (label)), name);
}

static gboolean
save_state_is (gpointer data)
{
  gpointer *args = data;

  return (int) bc_form_view_get_save_state (bc_window_get_form_view (args[0])) == GPOINTER_TO_INT (args[1]);
}

static void
assert_header_whole (Fixture    *fixture,
                     const char *when)
{
  g_test_message ("the header %s", when);
  bc_gui_test_spin (300);
  assert_label_whole (fixture, "status-badge");
  assert_label_whole (fixture, "period-label");
  assert_label_whole (fixture, "save-label");
}

/* At the window's default size (1,100 px), and at 1.5× text, the header
 * shows the status, the period and the save state whole: "Saved", and
 * "Not saved" with a refused value (the reason in the tooltip). */
static void
test_header_whole (Fixture       *fixture,
                   gconstpointer  user_data)
{
  GtkWidget *window = GTK_WIDGET (fixture->window);
  BcFormView *view = bc_window_get_form_view (fixture->window);
  GtkSettings *settings = gtk_settings_get_default ();
  gpointer args[2] = { fixture->window, NULL };
  GtkWidget *input;
  int dpi = 0;

  if (!bc_gui_test_real_input_available ())
    return;

  open_draft (fixture, "egov-quarterly");
  g_assert_cmpint (gtk_widget_get_width (window), <=, 1100);

  /* Beside the sidebar's title, the sync status keeps most of its words. */
  {
    GtkWidget *label = bc_gui_test_find_by_type (named (fixture, "sync-indicator"), GTK_TYPE_LABEL);
    int natural = 0;

    g_assert_nonnull (label);
    g_assert_true (bc_gui_test_is_shown (label));
    gtk_widget_measure (label, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
    if (gtk_widget_get_width (label) < natural / 3)
      g_error ("the sync status “%s” is cut to %d px of %d", gtk_label_get_text (GTK_LABEL (label)),
               gtk_widget_get_width (label), natural);
  }

  bc_gui_test_type_keys (bc_gui_test_find_by_label (GTK_WIDGET (view), "Place"), "Tam Ky");
  args[1] = GINT_TO_POINTER (BC_SAVE_STATE_SAVED);
  g_assert_true (bc_gui_test_wait (save_state_is, args, DEADLINE_MS));
  assert_header_whole (fixture, "saved");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (named (fixture, "save-label"))), ==, "Saved");

  input = bc_gui_test_find_by_label (GTK_WIDGET (view), "Documents exchanged fully electronically");
  bc_gui_test_type_keys (input, "150");
  bc_gui_test_press_key (window, GDK_KEY_Tab, 0);
  args[1] = GINT_TO_POINTER (BC_SAVE_STATE_FAILED);
  g_assert_true (bc_gui_test_wait (save_state_is, args, DEADLINE_MS));
  assert_header_whole (fixture, "with a refused value");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (named (fixture, "save-label"))), ==, "Not saved");
  /* The reason is a pointer's rest away, and read out with the state. */
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (named (fixture, "save-indicator")),
                            "does not fit"));

  g_object_get (settings, "gtk-xft-dpi", &dpi, NULL);
  g_object_set (settings, "gtk-xft-dpi", 96 * 1024 * 3 / 2, NULL);
  bc_gui_test_spin (500);
  assert_header_whole (fixture, "at 1.5× text");
  g_object_set (settings, "gtk-xft-dpi", dpi, NULL);
  bc_gui_test_spin (300);
}

/* The problems panel opening beside the form narrows it and its text
 * flows longer: the field the person was at stays in view. */
static void
test_panel_keeps_field (Fixture       *fixture,
                        gconstpointer  user_data)
{
  BcFormView *view = bc_window_get_form_view (fixture->window);
  AdwFlap *flap = ADW_FLAP (named (fixture, "problems-flap"));
  GtkWidget *target;

  open_draft (fixture, "egov-quarterly");
  g_assert_true (bc_form_view_focus_path (view, "services_level3"));
  target = bc_gui_test_find_by_name (GTK_WIDGET (view), "services_level3");
  g_assert_true (bc_gui_test_wait (bc_gui_test_fully_in_view, target, DEADLINE_MS));
  bc_gui_test_spin (200);
  /* At the bottom of the view, where the text above pushes it out first. */
  {
    GtkWidget *scrolled = gtk_widget_get_ancestor (target, GTK_TYPE_SCROLLED_WINDOW);
    GtkWidget *content = gtk_viewport_get_child (GTK_VIEWPORT (gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled))));
    GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
    graphene_rect_t bounds;

    g_assert_true (gtk_widget_compute_bounds (target, content, &bounds));
    gtk_adjustment_set_value (adjustment, bounds.origin.y + bounds.size.height -
                                          gtk_adjustment_get_page_size (adjustment) + 4);
    bc_gui_test_spin (200);
    g_assert_true (bc_gui_test_fully_in_view (target));
  }

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-problems", NULL);
  g_assert_true (bc_gui_test_wait (flap_revealed, flap, DEADLINE_MS));
  g_assert_false (adw_flap_get_folded (flap));
  bc_gui_test_spin (1000);
  g_assert_true (bc_gui_test_fully_in_view (target));

  /* Closed again (Ctrl+E), the panel gives the focus back to that field,
   * not to the form's first input. */
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (fixture->window));

    g_assert_false (focus != NULL && (focus == target || gtk_widget_is_ancestor (focus, target)));
    gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-problems", NULL);
    focus = gtk_root_get_focus (GTK_ROOT (fixture->window));
    g_assert_nonnull (focus);
    g_assert_true (focus == target || gtk_widget_is_ancestor (focus, target));
    /* The flap closing and the view settling take a few frames. */
    g_assert_true (bc_gui_test_wait (bc_gui_test_fully_in_view, target, DEADLINE_MS));
  }
}

/* Nothing refused: closing does not ask. */
static void
test_plain_close (Fixture       *fixture,
                  gconstpointer  user_data)
{
  GWeakRef ref;

  open_draft (fixture, "egov-quarterly");
  g_weak_ref_init (&ref, fixture->window);
  gtk_window_close (GTK_WINDOW (fixture->window));
  g_assert_true (bc_gui_test_wait (refused_dialog_shown_or_closed, &ref, DEADLINE_MS));
  g_assert_null (find_dialog ("discard-refused-dialog"));
  g_weak_ref_clear (&ref);
  fixture->window = NULL;
}

/* At 360 px: everything around the form fits, the list folds away with a
 * back button, and the demo banner takes at most two lines. */
static void
test_narrow (Fixture       *fixture,
             gconstpointer  user_data)
{
  GtkWidget *content = adw_application_window_get_content (ADW_APPLICATION_WINDOW (fixture->window));
  AdwLeaflet *leaflet = ADW_LEAFLET (bc_gui_test_find_by_type (GTK_WIDGET (fixture->window), ADW_TYPE_LEAFLET));
  GtkWidget *banner = named (fixture, "demo-banner-label");
  PangoLayout *layout;
  int minimum = 0;

  /* (The remediation form's findings are still wider: the form editor's.) */
  open_draft (fixture, "egov-quarterly");
  gtk_widget_measure (content, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  g_assert_cmpint (gtk_widget_get_width (content), ==, 360);
  g_assert_cmpint (minimum, <=, 360);
  g_assert_true (adw_leaflet_get_folded (leaflet));

  adw_leaflet_set_visible_child_name (leaflet, "content");
  bc_gui_test_spin (300);
  g_assert_true (bc_gui_test_is_shown (bc_gui_test_find_by_label (GTK_WIDGET (fixture->window),
                                                                  "Back to the reports")));
  g_assert_true (bc_gui_test_is_shown (named (fixture, "period-label")));
  g_assert_true (bc_gui_test_is_shown (named (fixture, "problems-button")));
  g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (named (fixture, "period-label")))));

  layout = gtk_label_get_layout (GTK_LABEL (banner));
  g_assert_cmpint (pango_layout_get_line_count (layout), <=, 2);

  /* Nothing of the window's own is cut or broken letter by letter (the
   * report's title in the header bar ellipsizes, as titles do; the form's
   * fields are the form editor's). */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-problems", NULL);
  bc_gui_test_spin (500);
  {
    const char *parts[] = { "report-bar", "problems-panel", "demo-banner" };

    for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
      {
        g_autofree char *bad = bc_gui_test_check_sizes (named (fixture, parts[i]));

        if (bad != NULL)
          g_error ("at 360 px, in %s:\n%s", parts[i], bad);
      }
  }
}

/* `baocao --demo` opens a fresh copy: earlier edits are gone. */
static void
test_fresh_demo (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *demo = bc_demo_default_path ();
  g_autoptr(BcTemplateRegistry) templates = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *before = NULL;

  templates = bc_template_registry_new_default (&error);
  g_assert_no_error (error);

  /* A copy used in an earlier class, with an edit in it. */
  g_assert_true (bc_demo_install (demo, &error));
  g_assert_no_error (error);
  {
    g_autoptr(BcWorkbook) workbook = bc_workbook_open (demo, templates, BC_WORKBOOK_OPEN_DEFAULT, &error);
    g_autoptr(GPtrArray) reports = NULL;

    g_assert_no_error (error);
    reports = bc_workbook_list_reports (workbook, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < reports->len && id == NULL; i++)
      {
        BcReportSummary *summary = g_ptr_array_index (reports, i);

        if (summary->status == BC_STATUS_DRAFT && g_str_equal (summary->template_id, "egov-quarterly"))
          id = g_strdup (summary->id);
      }
    g_assert_nonnull (id);
    g_assert_true (bc_workbook_set_value (workbook, id, "doc_place", 0, "Lớp học trước", &error));
    g_assert_no_error (error);
    bc_workbook_close (workbook);
  }

  /* The menu's Open Demo Workbook keeps it… */
  bc_window_open_demo (fixture->window);
  g_assert_true (bc_gui_test_wait (window_ready, fixture->window, DEADLINE_MS));
  g_assert_true (bc_window_select_report (fixture->window, id));
  g_assert_true (bc_gui_test_wait (form_loaded, fixture->window, DEADLINE_MS));
  before = g_strdup (bc_report_get_value (bc_form_view_get_report (bc_window_get_form_view (fixture->window)),
                                          "doc_place", 0));
  g_assert_cmpstr (before, ==, "Lớp học trước");

  /* …`--demo` starts afresh. */
  bc_window_open_fresh_demo (fixture->window);
  g_assert_true (bc_gui_test_wait (window_ready, fixture->window, DEADLINE_MS));
  g_assert_true (bc_window_select_report (fixture->window, id));
  g_assert_true (bc_gui_test_wait (form_loaded, fixture->window, DEADLINE_MS));
  g_assert_cmpstr (bc_report_get_value (bc_form_view_get_report (bc_window_get_form_view (fixture->window)),
                                        "doc_place", 0), !=, "Lớp học trước");
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *home = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_setenv ("BAOCAO_LANGUAGE", "en", TRUE);
  home = bc_gui_test_init ();
  g_test_init (&argc, &argv, NULL);
  bc_test_allow_short_frame_warning ();

  app = bc_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_hold (G_APPLICATION (app));

#define ADD(path, width, func) \
  g_test_add (path, Fixture, GINT_TO_POINTER (width), fixture_set_up, func, fixture_tear_down)

  ADD ("/window-shell/problems-keys", 1280, test_problems_keys);
  ADD ("/window-shell/list-one-tab-stop", 1280, test_list_one_tab_stop);
  ADD ("/window-shell/follows-other-program", 1280, test_follows_other_program);
  ADD ("/window-shell/refused-close", 1280, test_refused_close);
  ADD ("/window-shell/plain-close", 1280, test_plain_close);
  ADD ("/window-shell/refused-switch", 1280, test_refused_switch);
  ADD ("/window-shell/header-whole", 1100, test_header_whole);
  ADD ("/window-shell/panel-keeps-field", 1280, test_panel_keeps_field);
  ADD ("/window-shell/narrow", 360, test_narrow);
  ADD ("/window-shell/fresh-demo", 1280, test_fresh_demo);

#undef ADD

  status = g_test_run ();

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  bc_test_remove_tree (home);
  return status;
}
