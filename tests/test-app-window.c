/* test-app-window.c: GUI tests of the main window, run in-process.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs under xvfb-run and dbus-run-session (see tests/meson.build). Widgets
 * are found by widget name, type or accessible label by walking the tree,
 * and the tests wait for conditions by spinning the main loop, with a
 * generous deadline that fails the test: never with fixed sleeps.
 */
#define G_LOG_DOMAIN "test-app-window"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "bc-application.h"
#include "bc-demo.h"
#include "bc-entry.h"
#include "bc-i18n.h"
#include "bc-issue-list.h"
#include "bc-new-report-dialog.h"
#include "bc-plan.h"
#include "bc-preferences-window.h"
#include "bc-report-row.h"
#include "bc-window.h"
#include "bc-test-util.h"

/* Long enough for a loaded CI machine; only a hang reaches it. */
#define DEADLINE_SECONDS 30

#define COMPLETE_ID "11111111-2222-4333-8444-555555555555"

static BcApplication *app;
static char *tmp_home;

typedef struct {
  BcWindow *window;
  char     *dir;
} Fixture;

/* --- waiting ------------------------------------------------------------- */

typedef gboolean (*Condition) (gpointer data);

static gboolean
deadline_cb (gpointer data)
{
  gboolean *expired = data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

static void
spin_until_impl (Condition   condition,
                 gpointer    data,
                 const char *what)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add_seconds (DEADLINE_SECONDS, deadline_cb, &expired);

  while (!condition (data) && !expired)
    g_main_context_iteration (NULL, TRUE);

  if (expired)
    g_error ("Timed out after %d s waiting for: %s", DEADLINE_SECONDS, what);
  g_source_remove (id);
}

#define spin_until(cond, data) spin_until_impl ((Condition) (cond), (data), #cond)

/* Lets pending idles and redraws run, for checks that something did not
 * happen; nothing waits on it. */
static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* --- finding widgets ------------------------------------------------------- */

typedef gboolean (*WidgetMatch) (GtkWidget *widget, gconstpointer data);

static GtkWidget *
find_widget (GtkWidget     *root,
             WidgetMatch    match,
             gconstpointer  data)
{
  if (match (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, match, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
collect_widgets (GtkWidget     *root,
                 WidgetMatch    match,
                 gconstpointer  data,
                 GPtrArray     *out)
{
  if (match (root, data))
    g_ptr_array_add (out, root);

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_widgets (child, match, data, out);
}

static gboolean
match_name (GtkWidget     *widget,
            gconstpointer  name)
{
  return g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

static gboolean
match_type (GtkWidget     *widget,
            gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

static gboolean
match_accessible_label (GtkWidget     *widget,
                        gconstpointer  label)
{
  g_autofree char *mismatch = NULL;

  if (!gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL))
    return FALSE;

  mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                 GTK_ACCESSIBLE_PROPERTY_LABEL, label);
  return mismatch == NULL;
}

static gboolean
match_button_label (GtkWidget     *widget,
                    gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

/* Clicks the button with that label (mnemonic included), as a user would. */
static void
click (gpointer    root,
       const char *label)
{
  GtkWidget *button = find_widget (GTK_WIDGET (root), match_button_label, label);

  if (button == NULL)
    g_error ("No button “%s”", label);
  gtk_widget_activate (button);
}

static GtkWidget *
find_named (gpointer    root,
            const char *name)
{
  GtkWidget *widget = find_widget (GTK_WIDGET (root), match_name, name);

  if (widget == NULL)
    g_error ("No widget named “%s”", name);
  return widget;
}

/* A toplevel window of `type` other than the main window, or NULL. */
static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }

  return NULL;
}

static gboolean
match_editable_label (GtkWidget     *widget,
                      gconstpointer  label)
{
  return GTK_IS_EDITABLE (widget) && match_accessible_label (widget, label);
}

/* The input a screen reader calls `label`. */
static GtkWidget *
find_input (gpointer    root,
            const char *label)
{
  GtkWidget *input = find_widget (GTK_WIDGET (root), match_editable_label, label);

  if (input == NULL)
    g_error ("No input named “%s”", label);
  return input;
}

/* Replaces an entry's text one character at a time, as typing does. */
static void
type_text (GtkWidget  *editable,
           const char *text)
{
  gtk_widget_grab_focus (editable);
  gtk_editable_delete_text (GTK_EDITABLE (editable), 0, -1);
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      int position = gtk_editable_get_position (GTK_EDITABLE (editable));
      char one[8] = { 0 };

      g_unichar_to_utf8 (g_utf8_get_char (p), one);
      gtk_editable_insert_text (GTK_EDITABLE (editable), one, -1, &position);
      gtk_editable_set_position (GTK_EDITABLE (editable), position);
    }
}

/* --- the window ------------------------------------------------------------ */

static gboolean
window_ready (BcWindow *window)
{
  BcReportList *reports = bc_window_get_reports (window);

  return !bc_window_get_busy (window) &&
         bc_window_get_workbook (window) != NULL &&
         reports != NULL && bc_report_list_get_loaded (reports);
}

static gboolean
window_allocated (GtkWidget *window)
{
  return gtk_widget_get_width (window) > 0;
}

static gboolean
window_idle (BcWindow *window)
{
  return !bc_window_get_busy (window);
}

static GtkListView *
list_view (Fixture *fixture)
{
  return GTK_LIST_VIEW (find_named (fixture->window, "report-list"));
}

static guint
n_listed (Fixture *fixture)
{
  GtkSelectionModel *model = gtk_list_view_get_model (list_view (fixture));

  return model != NULL ? g_list_model_get_n_items (G_LIST_MODEL (model)) : 0;
}

static const char *
sidebar_page (Fixture *fixture)
{
  GtkWidget *list = GTK_WIDGET (list_view (fixture));
  GtkWidget *stack = gtk_widget_get_ancestor (list, GTK_TYPE_STACK);

  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

static GPtrArray *
rows (Fixture *fixture)
{
  GPtrArray *found = g_ptr_array_new ();

  collect_widgets (GTK_WIDGET (list_view (fixture)), match_type,
                   GSIZE_TO_POINTER (BC_TYPE_REPORT_ROW), found);
  return found;
}

static BcReportRow *
row_for (Fixture    *fixture,
         const char *report_id)
{
  g_autoptr(GPtrArray) all = rows (fixture);

  for (guint i = 0; i < all->len; i++)
    {
      BcReportRow *row = g_ptr_array_index (all, i);
      BcReportItem *item = bc_report_row_get_item (row);

      if (item != NULL && gtk_widget_get_mapped (GTK_WIDGET (row)) &&
          g_strcmp0 (bc_report_item_get_id (item), report_id) == 0)
        return row;
    }

  return NULL;
}

static gboolean
has_class_label (GtkWidget     *widget,
                 gconstpointer  css_class)
{
  return GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, css_class) &&
         gtk_widget_get_visible (widget);
}

static GtkLabel *
badge (BcReportRow *row,
       const char  *css_class)
{
  return GTK_LABEL (find_widget (GTK_WIDGET (row), has_class_label, css_class));
}

static BcStatus
listed_status (Fixture    *fixture,
               const char *report_id)
{
  BcReportItem *item = bc_report_list_find (bc_window_get_reports (fixture->window), report_id, NULL);

  g_assert_nonnull (item);
  return bc_report_item_get_status (item);
}

/* --- fixtures -------------------------------------------------------------- */

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GError) error = NULL;
  g_autofree char *demo = bc_demo_default_path ();
  g_autofree char *user = bc_workbook_default_path ();

  /* Every test starts from nothing: no settings, no workbooks. */
  g_settings_reset (settings, "last-places");
  g_settings_reset (settings, "unit");
  bc_test_remove_tree (demo);
  bc_test_remove_tree (user);

  fixture->dir = g_dir_make_tmp ("test-app-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->window = bc_window_new (app);
  gtk_window_present (GTK_WINDOW (fixture->window));
  spin_until (window_allocated, fixture->window);
}

static void
close_dialogs (void)
{
  GType types[] = { ADW_TYPE_MESSAGE_DIALOG, BC_TYPE_NEW_REPORT_DIALOG, BC_TYPE_PREFERENCES_WINDOW };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      GtkWindow *dialog;

      while ((dialog = find_toplevel (types[i])) != NULL)
        gtk_window_destroy (dialog);
    }
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  close_dialogs ();
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  drain ();
  bc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* A copy of the demo workbook with more reports, opened in the window:
 * another Q2/2018 report (so a period holds two) and a complete draft for
 * Q4/2017 (the Q1/2018 sample, which passes validation). */
static char *
prepare_workbook (Fixture *fixture)
{
  g_autofree char *path = g_build_filename (fixture->dir, "training.baocao", NULL);
  g_autofree char *sample = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "..", "data", "demo",
                                              "quang-ngai-2018q2.json", NULL);
  g_autoptr(BcTemplateRegistry) templates = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *second = NULL;
  JsonObject *root;
  JsonArray *reports;
  JsonObject *complete = NULL;

  g_assert_true (bc_demo_install (path, &error));
  g_assert_no_error (error);
  templates = bc_template_registry_new_default (&error);
  g_assert_no_error (error);
  workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_no_error (error);

  second = bc_workbook_create_report (workbook, "egov-quarterly", "2018Q2", "UBND-BTN", &error);
  g_assert_no_error (error);

  json_parser_load_from_file (parser, sample, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  reports = json_object_get_array_member (root, "reports");
  for (guint i = 0; i < json_array_get_length (reports); i++)
    {
      JsonObject *report = json_array_get_object_element (reports, i);

      if (g_str_equal (json_object_get_string_member (report, "period"), "2018Q1"))
        complete = report;
    }
  g_assert_nonnull (complete);
  json_object_set_string_member (complete, "id", COMPLETE_ID);
  json_object_set_string_member (complete, "period", "2017Q4");
  json_object_set_string_member (complete, "status", "draft");
  json_object_ref (complete);
  while (json_array_get_length (reports) > 0)
    json_array_remove_element (reports, 0);
  json_array_add_object_element (reports, complete);

  g_assert_cmpuint (bc_workbook_import_json (workbook, json_parser_get_root (parser), &error), ==, 1);
  g_assert_no_error (error);
  bc_workbook_close (workbook);

  return g_steal_pointer (&path);
}

static void
open_path (Fixture    *fixture,
           const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  bc_window_open_workbook (fixture->window, file);
  spin_until (window_ready, fixture->window);
}

/* --- tests ----------------------------------------------------------------- */

static void
test_opens_user_workbook (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autofree char *path = bc_workbook_default_path ();
  GtkRevealer *banner = GTK_REVEALER (find_named (fixture->window, "demo-banner"));

  bc_window_open_workbook (fixture->window, NULL);
  g_assert_true (bc_window_get_busy (fixture->window));
  spin_until (window_ready, fixture->window);

  /* The user's own workbook, made on first start; no training notice. */
  g_assert_cmpstr (bc_workbook_get_path (bc_window_get_workbook (fixture->window)), ==, path);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (bc_workbook_get_kind (bc_window_get_workbook (fixture->window)), ==, BC_WORKBOOK_KIND_USER);
  g_assert_false (gtk_revealer_get_reveal_child (banner));
  g_assert_cmpstr (sidebar_page (fixture), ==, "empty");
  g_assert_null (bc_window_get_report_id (fixture->window));
  /* GTK 4.8 cannot be asked whether an action is enabled; the button that
   * triggers it says. */
  g_assert_false (gtk_widget_get_sensitive (find_named (fixture->window, "reset-demo-button")));
}

static void
test_open_error (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "not-a-workbook.baocao", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  GtkWidget *error_page;

  g_file_set_contents (path, "this is a letter, not a workbook", -1, &error);
  g_assert_no_error (error);

  bc_window_open_workbook (fixture->window, file);
  spin_until (window_idle, fixture->window);

  /* Says so in the window, and leaves the file alone. */
  error_page = find_named (fixture->window, "error-page");
  spin_until (gtk_widget_get_mapped, error_page);
  g_assert_nonnull (adw_status_page_get_description (ADW_STATUS_PAGE (error_page)));
  g_assert_null (bc_window_get_workbook (fixture->window));
  g_assert_cmpstr (sidebar_page (fixture), ==, "none");
  {
    g_autofree char *contents = NULL;

    g_file_get_contents (path, &contents, NULL, NULL);
    g_assert_cmpstr (contents, ==, "this is a letter, not a workbook");
  }
}

static void
test_list_grouped_by_period (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autofree char *path = prepare_workbook (fixture);
  BcReportList *reports;
  g_autoptr(GPtrArray) all = NULL;
  const char *previous_period = NULL;

  open_path (fixture, path);
  reports = bc_window_get_reports (fixture->window);

  /* The three sample reports, one more for Q2/2018 and one for Q4/2017. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reports)), ==, 5);
  g_assert_cmpuint (n_listed (fixture), ==, 5);
  g_assert_cmpstr (sidebar_page (fixture), ==, "list");

  /* Wait for the rows to be drawn and their headings settled. */
  drain ();
  all = rows (fixture);
  g_assert_cmpuint (all->len, >=, 5);

  /* The list is in period order; the first row of each period, and only
   * it, carries the period's heading. */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (reports)); i++)
    {
      g_autoptr(BcReportItem) item = g_list_model_get_item (G_LIST_MODEL (reports), i);
      BcReportRow *row = row_for (fixture, bc_report_item_get_id (item));
      gboolean first = g_strcmp0 (previous_period, bc_report_item_get_period_id (item)) != 0;
      BcStatus status = bc_report_item_get_status (item);
      GtkLabel *status_badge;

      g_assert_nonnull (row);
      g_assert_cmpint (bc_report_row_get_show_period (row), ==, first);

      /* Each status has its badge, with its own style. */
      status_badge = badge (row, bc_status_css_class (status));
      g_assert_nonnull (status_badge);
      g_assert_cmpstr (gtk_label_get_text (status_badge), ==, bc_status_label (status));

      /* The demo's reports are of 2018, before Plan 61/KH-UBND was in
       * force: no plan sets them a due date, so no draft is called overdue
       * (test-report-list checks the badge's source for 2020). */
      g_assert_cmpint (bc_report_item_get_timeliness (item), ==, BC_TIMELINESS_NO_DUE_DATE);
      g_assert_null (badge (row, "timeliness-late"));
      g_assert_null (badge (row, "timeliness-due"));

      previous_period = bc_report_item_get_period_id (item);
    }

  /* The accepted Q1/2018 report, read out whole to a screen reader. */
  {
    g_autoptr(GPtrArray) accepted = g_ptr_array_new ();

    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (reports)); i++)
      {
        g_autoptr(BcReportItem) item = g_list_model_get_item (G_LIST_MODEL (reports), i);

        if (bc_report_item_get_status (item) == BC_STATUS_ACCEPTED)
          {
            BcTimeliness timeliness = bc_report_item_get_timeliness (item);
            g_autofree char *label = g_strdup_printf ("%s, %s, %s, %s",
                                                      bc_report_item_get_title (item),
                                                      bc_report_item_get_unit (item),
                                                      bc_report_item_get_period_label (item),
                                                      bc_status_label (BC_STATUS_ACCEPTED));

            /* The demo was "sent" when the build made it: late for 2018. */
            if (timeliness == BC_TIMELINESS_SUBMITTED_LATE)
              {
                g_autofree char *late = g_strdup_printf ("%s, %s", label, bc_timeliness_label (timeliness));

                g_free (label);
                label = g_steal_pointer (&late);
              }

            g_assert_nonnull (find_widget (GTK_WIDGET (list_view (fixture)),
                                           match_accessible_label, label));
            g_ptr_array_add (accepted, item);
          }
      }
    g_assert_cmpuint (accepted->len, ==, 1);
  }

  /* A demo copy that is not the app's own cannot be reset from here, but
   * it is still training data. */
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (find_named (fixture->window, "demo-banner"))));
}

static gboolean
n_listed_is (gpointer data)
{
  gpointer *args = data;

  return n_listed (args[0]) == GPOINTER_TO_UINT (args[1]);
}

static void
search_for (Fixture    *fixture,
            const char *text,
            guint       expected)
{
  GtkWidget *entry = find_named (fixture->window, "search-entry");
  gpointer args[2] = { fixture, GUINT_TO_POINTER (expected) };

  g_autofree char *what = g_strdup_printf ("%u reports listed for “%s”", expected, text);

  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  /* The entry reports changes after a short pause, as typing does. */
  spin_until_impl (n_listed_is, args, what);
}

static void
test_search (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autofree char *path = prepare_workbook (fixture);
  GtkSearchBar *bar;

  open_path (fixture, path);
  g_assert_cmpuint (n_listed (fixture), ==, 5);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.search", NULL);
  bar = GTK_SEARCH_BAR (gtk_widget_get_ancestor (find_named (fixture->window, "search-entry"), GTK_TYPE_SEARCH_BAR));
  g_assert_true (gtk_search_bar_get_search_mode (bar));

  /* By title, by period (label or id, any case), by unit. */
  search_for (fixture, "inspection", 1);
  search_for (fixture, "quarter iv", 1);
  search_for (fixture, "2018Q2", 2);
  search_for (fixture, "btn", 1);
  search_for (fixture, "quarterly ubnd", 4);

  /* Nothing found says so, and clearing the search shows everything. */
  search_for (fixture, "no such report", 0);
  g_assert_cmpstr (sidebar_page (fixture), ==, "no-results");
  search_for (fixture, "", 5);
  g_assert_cmpstr (sidebar_page (fixture), ==, "list");
}

static gboolean
report_shown_and_selected (Fixture *fixture)
{
  GtkSelectionModel *model = gtk_list_view_get_model (list_view (fixture));
  BcReportItem *selected;

  if (bc_window_get_report_id (fixture->window) == NULL || model == NULL)
    return FALSE;

  selected = gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (model));
  return selected != NULL &&
         g_strcmp0 (bc_report_item_get_id (selected), bc_window_get_report_id (fixture->window)) == 0;
}

static gboolean
dialog_gone (gpointer type)
{
  return find_toplevel (GPOINTER_TO_SIZE (type)) == NULL;
}

static gboolean
label_visible (GtkWidget *label)
{
  return gtk_widget_get_visible (label);
}

static void
test_new_report (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *path = prepare_workbook (fixture);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(BcReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *current_id = NULL;
  g_autofree char *current_label = NULL;
  g_autofree char *report_id = NULL;
  GtkWindow *dialog;
  AdwComboRow *template_row;
  AdwComboRow *period_row;
  GtkWidget *unit_row;
  GtkStringObject *chosen;
  GListModel *titles;
  BcPeriod current;
  GDate today;
  const char *due;

  open_path (fixture, path);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.new-report", NULL);
  dialog = find_toplevel (BC_TYPE_NEW_REPORT_DIALOG);
  g_assert_nonnull (dialog);

  /* The quarterly form… */
  template_row = ADW_COMBO_ROW (find_named (dialog, "template-row"));
  titles = adw_combo_row_get_model (template_row);
  for (guint i = 0; i < g_list_model_get_n_items (titles); i++)
    {
      g_autoptr(GtkStringObject) title = g_list_model_get_item (titles, i);

      if (g_str_equal (gtk_string_object_get_string (title), "Quarterly e-government progress report"))
        adw_combo_row_set_selected (template_row, i);
    }
  chosen = adw_combo_row_get_selected_item (template_row);
  g_assert_cmpstr (gtk_string_object_get_string (chosen), ==, "Quarterly e-government progress report");

  /* …for the current quarter, chosen already, its due date shown… */
  g_date_clear (&today, 1);
  g_date_set_dmy (&today, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
  bc_period_for_date (BC_PERIOD_QUARTER, &today, &current);
  current_id = bc_period_to_id (&current);
  current_label = bc_period_label (&current, bc_i18n_language ());
  period_row = ADW_COMBO_ROW (find_named (dialog, "period-row"));
  chosen = adw_combo_row_get_selected_item (period_row);
  g_assert_cmpstr (gtk_string_object_get_string (chosen), ==, current_label);
  /* …for a unit: Create waits for one. */
  unit_row = find_named (dialog, "unit-row");
  g_assert_false (gtk_widget_get_sensitive (find_named (dialog, "create-button")));
  /* Greyed out, it says why: under the fields and in its tooltip. */
  {
    GtkWidget *hint = find_named (dialog, "create-hint");
    const char *tip = gtk_widget_get_tooltip_text (find_named (dialog, "create-button"));

    g_assert_true (gtk_widget_get_visible (hint));
    g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (hint)), "unit"));
    g_assert_cmpstr (tip, ==, gtk_label_get_text (GTK_LABEL (hint)));
  }
  gtk_editable_set_text (GTK_EDITABLE (unit_row), "UBND-QNG");
  g_assert_true (gtk_widget_get_sensitive (find_named (dialog, "create-button")));

  /* Each period offered shows the due date of the plan in force for it and
   * the unit (Plan 61/KH-UBND until 2025), or says that none is set. */
  {
    BcTemplateRegistry *templates = bc_workbook_get_templates (bc_window_get_workbook (fixture->window));
    GListModel *periods = adw_combo_row_get_model (period_row);
    guint selected = adw_combo_row_get_selected (period_row);

    for (guint i = 0; i < g_list_model_get_n_items (periods); i++)
      {
        g_autoptr(GtkStringObject) shown = g_list_model_get_item (periods, i);
        GDate due_date;
        BcPeriod offered = current;
        g_autofree char *offered_id = NULL;

        adw_combo_row_set_selected (period_row, i);
        /* The periods run from four before the current one. */
        for (guint back = i; back < selected; back++)
          bc_period_previous (&offered, &offered);
        for (guint ahead = selected; ahead < i; ahead++)
          bc_period_next (&offered, &offered);
        offered_id = bc_period_to_id (&offered);
        due = gtk_label_get_text (GTK_LABEL (find_named (dialog, "due-label")));
        g_test_message ("%s (%s): %s", offered_id, gtk_string_object_get_string (shown), due);
        if (bc_template_registry_due_date (templates, offered_id, "UBND-QNG", &due_date))
          {
            char expected[32];

            g_date_strftime (expected, sizeof expected, "%d/%m/%Y", &due_date);
            g_assert_nonnull (strstr (due, expected));
          }
        else
          g_assert_true (g_str_has_prefix (due, "No due date set"));
      }
    adw_combo_row_set_selected (period_row, selected);
  }
  g_assert_false (gtk_widget_get_visible (find_named (dialog, "create-hint")));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.create", NULL);

  spin_until (dialog_gone, GSIZE_TO_POINTER (BC_TYPE_NEW_REPORT_DIALOG));
  spin_until (report_shown_and_selected, fixture);

  /* It is in the workbook as asked, and the list shows it, selected. */
  report_id = g_strdup (bc_window_get_report_id (fixture->window));
  report = bc_workbook_load_report (bc_window_get_workbook (fixture->window), report_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bc_report_get_template_id (report), ==, "egov-quarterly");
  g_assert_cmpstr (bc_report_get_period_id (report), ==, current_id);
  g_assert_cmpstr (bc_report_get_unit (report), ==, "UBND-QNG");
  g_assert_cmpint (bc_report_get_status (report), ==, BC_STATUS_DRAFT);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (bc_window_get_reports (fixture->window))), ==, 6);
  g_assert_cmpstr (bc_form_view_get_report_id (bc_window_get_form_view (fixture->window)), ==, report_id);

  /* The same report twice is refused in the dialog, which stays open. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.new-report", NULL);
  dialog = find_toplevel (BC_TYPE_NEW_REPORT_DIALOG);
  g_assert_nonnull (dialog);
  template_row = ADW_COMBO_ROW (find_named (dialog, "template-row"));
  for (guint i = 0; i < g_list_model_get_n_items (adw_combo_row_get_model (template_row)); i++)
    {
      g_autoptr(GtkStringObject) title = g_list_model_get_item (adw_combo_row_get_model (template_row), i);

      if (g_str_equal (gtk_string_object_get_string (title), "Quarterly e-government progress report"))
        adw_combo_row_set_selected (template_row, i);
    }
  /* (A demo copy: the unit is not remembered, see demo-new-report-keeps-settings.) */
  gtk_editable_set_text (GTK_EDITABLE (find_named (dialog, "unit-row")), "UBND-QNG");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.create", NULL);
  spin_until (label_visible, find_named (dialog, "new-report-error"));
  g_assert_true (find_toplevel (BC_TYPE_NEW_REPORT_DIALOG) == dialog);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (bc_window_get_reports (fixture->window))), ==, 6);
}

static gboolean
form_shows (gpointer data)
{
  gpointer *args = data;
  BcReport *report = bc_form_view_get_report (bc_window_get_form_view (args[0]));

  return report != NULL && g_strcmp0 (bc_report_get_id (report), args[1]) == 0 &&
         bc_form_view_is_complete (bc_window_get_form_view (args[0]));
}

static void
show_report (BcWindow   *window,
             const char *report_id)
{
  gpointer args[2] = { window, (gpointer) report_id };

  g_assert_true (bc_window_select_report (window, report_id));
  spin_until (form_shows, args);
}

static char *
stored_value (BcWindow   *window,
              const char *report_id,
              const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = bc_workbook_load_report (bc_window_get_workbook (window), report_id, &error);

  g_assert_no_error (error);
  return g_strdup (bc_report_get_value (report, key, 0));
}

static gboolean
header_says_saved (BcWindow *window)
{
  GtkWidget *label = find_named (window, "save-label");

  return gtk_widget_get_visible (find_named (window, "save-indicator")) &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (label)), "Saved") == 0;
}

static gboolean
status_is (gpointer data)
{
  gpointer *args = data;

  return (int) listed_status (args[0], args[1]) == GPOINTER_TO_INT (args[2]);
}

static gboolean
message_shown (gpointer data)
{
  return find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

static gboolean
message_gone (gpointer data)
{
  return !message_shown (data);
}

/* The button of an action is sensitive when the action is enabled. */
static gboolean
button_sensitive (gpointer data)
{
  gpointer *args = data;

  return gtk_widget_get_sensitive (find_named (args[0], args[1]));
}

/* The titles of the toasts on screen now (not those queued), each "|"
 * ended: "Marked ready to send|". */
static void
collect_toast_titles (GtkWidget *widget,
                      gboolean   in_toast,
                      GString   *out)
{
  in_toast = in_toast || g_str_equal (G_OBJECT_TYPE_NAME (widget), "AdwToastWidget");
  if (in_toast && GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget))
    g_string_append_printf (out, "%s|", gtk_label_get_text (GTK_LABEL (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_toast_titles (child, in_toast, out);
}

static gboolean
toast_shown (gpointer data)
{
  gpointer *args = data;
  g_autoptr(GString) titles = g_string_new (NULL);
  g_autofree char *wanted = g_strconcat (args[1], "|", NULL);

  collect_toast_titles (args[0], FALSE, titles);
  return strstr (titles->str, wanted) != NULL;
}

static gboolean
toast_gone (gpointer data)
{
  return !toast_shown (data);
}

static void
test_mark_ready (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *path = prepare_workbook (fixture);
  g_autofree char *empty_id = NULL;
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *message;
  const char *body;
  GtkWidget *mark_ready;
  GtkWidget *back_to_draft;
  gpointer enabled_args[2];
  gint64 toast_at;

  /* An empty report, made beside the window as another program would. */
  {
    g_autoptr(BcTemplateRegistry) templates = bc_template_registry_new_default (&error);
    g_autoptr(BcWorkbook) workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_DEFAULT, &error);

    g_assert_no_error (error);
    empty_id = bc_workbook_create_report (workbook, "egov-quarterly", "2018Q3", "UBND-QNG", &error);
    g_assert_no_error (error);
    bc_workbook_close (workbook);
  }
  open_path (fixture, path);
  mark_ready = find_named (fixture->window, "mark-ready-button");
  back_to_draft = find_named (fixture->window, "back-to-draft-button");
  enabled_args[0] = fixture->window;
  enabled_args[1] = (gpointer) "mark-ready-button";

  /* Refused for an empty report, with the reasons, and nothing changes. */
  show_report (fixture->window, empty_id);
  g_assert_true (gtk_widget_get_visible (mark_ready));
  g_assert_false (gtk_widget_get_visible (back_to_draft));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.mark-ready", NULL);
  spin_until (message_shown, NULL);
  message = ADW_MESSAGE_DIALOG (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  body = adw_message_dialog_get_body (message);
  g_assert_nonnull (body);
  /* The reasons are listed in the words of the form, at least two (several
   * required fields are blank), never by internal id. */
  {
    BcIssueList *reasons = BC_ISSUE_LIST (find_named (message, "not-ready-list"));
    guint n = bc_issue_list_get_n_items (reasons);

    g_assert_cmpuint (n, >=, 2);
    for (guint i = 0; i < n; i++)
      {
        BcTemplate *template_ = bc_issue_list_get_template (reasons);
        g_autofree char *place = bc_issue_dup_place (template_, bc_issue_list_get_issue (reasons, i), "en");

        g_assert_true (bc_issue_is_blocking (bc_issue_list_get_issue (reasons, i)));
        g_assert_null (strchr (place, '_'));
        g_assert_null (strchr (place, '['));
        g_assert_null (strstr (place, bc_issue_list_get_issue (reasons, i)->key));
      }
  }
  g_assert_cmpstr (adw_message_dialog_get_heading (message), ==, "The Report Is Not Ready");
  click (message, "_Close");
  spin_until (message_gone, NULL);
  g_assert_cmpint (listed_status (fixture, empty_id), ==, BC_STATUS_DRAFT);
  spin_until (button_sensitive, enabled_args);

  /* Accepted for a complete one, even straight after an edit: the edit
   * reaches the workbook first, and is in the report marked ready. */
  show_report (fixture->window, COMPLETE_ID);
  type_text (find_input (bc_window_get_form_view (fixture->window), "Place"), "Lý Sơn");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.mark-ready", NULL);
  {
    gpointer args[3] = { fixture, (gpointer) COMPLETE_ID, GINT_TO_POINTER (BC_STATUS_READY) };
    g_autofree char *place = NULL;

    spin_until (status_is, args);
    place = stored_value (fixture->window, COMPLETE_ID, "doc_place");
    g_assert_cmpstr (place, ==, "Lý Sơn");
    g_assert_cmpint (bc_form_view_get_save_state (bc_window_get_form_view (fixture->window)), !=, BC_SAVE_STATE_FAILED);
  }
  g_assert_null (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_false (gtk_widget_get_visible (mark_ready));
  g_assert_true (gtk_widget_get_visible (back_to_draft));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_named (fixture->window, "status-badge"))), ==,
                   bc_status_label (BC_STATUS_READY));
  g_assert_true (gtk_widget_has_css_class (find_named (fixture->window, "status-badge"), "status-ready"));

  {
    gpointer toast_args[2] = { fixture->window, (gpointer) "Marked ready to send" };

    spin_until (toast_shown, toast_args);
  }

  /* And back to draft, straight away: its toast replaces the one saying
   * the report is ready, instead of waiting behind it. */
  enabled_args[1] = (gpointer) "back-to-draft-button";
  spin_until (button_sensitive, enabled_args);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.back-to-draft", NULL);
  {
    gpointer args[3] = { fixture, (gpointer) COMPLETE_ID, GINT_TO_POINTER (BC_STATUS_DRAFT) };
    gpointer toast_args[2] = { fixture->window, (gpointer) "Back to draft: the report can be changed again" };

    spin_until (status_is, args);
    g_assert_true (toast_shown (toast_args));
    toast_at = g_get_monotonic_time ();
  }
  g_assert_true (gtk_widget_get_visible (mark_ready));
  g_assert_false (gtk_widget_get_visible (back_to_draft));

  /* Marked ready again by another program: the window follows, and the
   * toast saying it is a draft goes before its time is up. */
  {
    g_autoptr(BcTemplateRegistry) templates = bc_template_registry_new_default (&error);
    g_autoptr(BcWorkbook) workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_DEFAULT, &error);
    gpointer args[3] = { fixture, (gpointer) COMPLETE_ID, GINT_TO_POINTER (BC_STATUS_READY) };
    gpointer toast_args[2] = { fixture->window, (gpointer) "Back to draft: the report can be changed again" };
    gint64 followed_at;

    g_assert_no_error (error);
    g_assert_true (bc_workbook_set_status (workbook, COMPLETE_ID, BC_STATUS_READY, NULL, &error));
    g_assert_no_error (error);
    bc_workbook_close (workbook);
    spin_until (status_is, args);
    followed_at = g_get_monotonic_time ();
    spin_until (toast_gone, toast_args);
    /* The toast's own time is 4 s from when it showed, then 0.3 s to
     * hide: it must be gone before that time is up. Only when the window
     * took so long to follow that the toast was nearly due anyway does
     * this prove nothing (a slow machine never fails it). */
    if (followed_at - toast_at < 3 * G_USEC_PER_SEC)
      g_assert_cmpint (g_get_monotonic_time () - toast_at, <, 4 * G_USEC_PER_SEC);
    else
      g_test_message ("the window followed %" G_GINT64_FORMAT " ms after the toast: not timed",
                      (followed_at - toast_at) / 1000);
  }
}

/* Mark Ready goes to the report it was asked for, even when the user moves
 * to another report before the last edit is saved, and nothing typed while
 * the change runs is lost: the inputs stop taking edits at once. */
static void
test_mark_ready_stays_with_report (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  g_autofree char *path = prepare_workbook (fixture);
  g_autofree char *empty_id = NULL;
  g_autofree char *place = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *input;
  gpointer args[3] = { fixture, (gpointer) COMPLETE_ID, GINT_TO_POINTER (BC_STATUS_READY) };

  {
    g_autoptr(BcTemplateRegistry) templates = bc_template_registry_new_default (&error);
    g_autoptr(BcWorkbook) workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_DEFAULT, &error);

    g_assert_no_error (error);
    empty_id = bc_workbook_create_report (workbook, "egov-quarterly", "2018Q3", "UBND-QNG", &error);
    g_assert_no_error (error);
    bc_workbook_close (workbook);
  }
  open_path (fixture, path);
  show_report (fixture->window, COMPLETE_ID);

  input = find_input (bc_window_get_form_view (fixture->window), "Place");
  type_text (input, "Lý Sơn");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.mark-ready", NULL);
  /* Read-only from the click on. */
  g_assert_false (gtk_editable_get_editable (GTK_EDITABLE (input)) &&
                  gtk_widget_is_sensitive (input));

  /* Straight to another report, before anything has been committed. */
  g_assert_true (bc_window_select_report (fixture->window, empty_id));

  spin_until (status_is, args);
  place = stored_value (fixture->window, COMPLETE_ID, "doc_place");
  g_assert_cmpstr (place, ==, "Lý Sơn");
  drain ();
  /* The other report was never asked to change, so nothing refused it. */
  g_assert_cmpint (listed_status (fixture, empty_id), ==, BC_STATUS_DRAFT);
  g_assert_null (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
}

typedef struct {
  gboolean  gone;
  GThread  *thread;
} Finalized;

static void
workbook_finalized_cb (gpointer  data,
                       GObject  *where_the_object_was)
{
  Finalized *finalized = data;

  finalized->thread = g_thread_self ();
  g_atomic_int_set (&finalized->gone, TRUE);
}

static gboolean
finalized_seen (Finalized *finalized)
{
  return g_atomic_int_get (&finalized->gone);
}

/* Closing a workbook syncs its file: the window lets that happen in a
 * worker thread when it moves to another workbook, never on the UI thread. */
static void
test_closes_off_ui_thread (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autofree char *path = prepare_workbook (fixture);
  Finalized finalized = { FALSE, NULL };
  BcWorkbook *old;

  open_path (fixture, path);
  show_report (fixture->window, COMPLETE_ID);
  old = bc_window_get_workbook (fixture->window);
  g_object_weak_ref (G_OBJECT (old), workbook_finalized_cb, &finalized);

  bc_window_open_workbook (fixture->window, NULL);
  spin_until (window_ready, fixture->window);
  g_assert_cmpstr (bc_workbook_get_path (bc_window_get_workbook (fixture->window)), !=, path);

  spin_until (finalized_seen, &finalized);
  g_assert_true (finalized.thread != g_thread_self ());
}

static void
test_save_indicator (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autofree char *path = prepare_workbook (fixture);
  g_autofree char *stored = NULL;
  GtkWidget *indicator;
  GtkWidget *place;

  open_path (fixture, path);
  show_report (fixture->window, COMPLETE_ID);
  indicator = find_named (fixture->window, "save-indicator");

  /* Nothing typed yet: nothing to claim. */
  g_assert_false (gtk_widget_get_visible (indicator));

  place = find_input (bc_window_get_form_view (fixture->window), "Place");
  type_text (place, "Đức Phổ");

  /* While the edit is on its way the header says so… */
  g_assert_true (gtk_widget_get_visible (indicator));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_named (fixture->window, "save-label"))), ==, "Saving…");

  /* …and "Saved" only once the workbook has it. */
  spin_until (header_says_saved, fixture->window);
  stored = stored_value (fixture->window, COMPLETE_ID, "doc_place");
  g_assert_cmpstr (stored, ==, "Đức Phổ");
}

static gboolean
workbook_replaced (gpointer data)
{
  gpointer *args = data;

  return window_ready (args[0]) && bc_window_get_workbook (args[0]) != args[1];
}

static void
test_demo_reset (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *demo_path = bc_demo_default_path ();
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *added = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  GtkRevealer *banner = GTK_REVEALER (find_named (fixture->window, "demo-banner"));
  AdwMessageDialog *confirm;
  BcReportList *reports;

  bc_window_open_demo (fixture->window);
  spin_until (window_ready, fixture->window);
  /* Held, so that the new one cannot come at the same address. */
  workbook = g_object_ref (bc_window_get_workbook (fixture->window));
  reports = bc_window_get_reports (fixture->window);

  /* A fresh copy in the user's data folder, saying it is training data. */
  g_assert_cmpstr (bc_workbook_get_path (workbook), ==, demo_path);
  g_assert_cmpint (bc_workbook_get_kind (workbook), ==, BC_WORKBOOK_KIND_DEMO);
  g_assert_true (gtk_revealer_get_reveal_child (banner));
  spin_until (gtk_widget_get_mapped, find_named (fixture->window, "demo-banner-label"));
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (reports)); i++)
    {
      g_autoptr(BcReportItem) item = g_list_model_get_item (G_LIST_MODEL (reports), i);

      g_ptr_array_add (before, g_strdup (bc_report_item_get_id (item)));
    }
  g_assert_cmpuint (before->len, ==, 3);

  /* A class changes it: a new report. */
  added = bc_workbook_create_report (workbook, "egov-quarterly", "2019Q1", "UBND-QNG", &error);
  g_assert_no_error (error);

  /* Reset asks first; cancelling changes nothing. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.reset-demo", NULL);
  confirm = ADW_MESSAGE_DIALOG (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (confirm);
  click (confirm, "_Cancel");
  spin_until (message_gone, NULL);
  drain ();
  g_assert_true (bc_window_get_workbook (fixture->window) == workbook);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.reset-demo", NULL);
  confirm = ADW_MESSAGE_DIALOG (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (confirm);
  click (confirm, "_Reset");
  {
    gpointer args[2] = { fixture->window, workbook };

    spin_until (workbook_replaced, args);
  }

  /* The starting state: the same three reports, the class's one gone. */
  reports = bc_window_get_reports (fixture->window);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reports)), ==, 3);
  for (guint i = 0; i < before->len; i++)
    g_assert_nonnull (bc_report_list_find (reports, g_ptr_array_index (before, i), NULL));
  g_assert_null (bc_report_list_find (reports, added, NULL));
  g_assert_true (gtk_revealer_get_reveal_child (banner));
  g_assert_cmpint (bc_workbook_get_kind (bc_window_get_workbook (fixture->window)), ==, BC_WORKBOOK_KIND_DEMO);
}

/* "Open Demo Workbook" never throws away what a class did: shown already,
 * nothing happens; shown again later, it is the same copy. */
static void
test_demo_kept (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *demo_path = bc_demo_default_path ();
  g_autoptr(GError) error = NULL;
  g_autofree char *added = NULL;
  BcWorkbook *workbook;

  bc_window_open_demo (fixture->window);
  spin_until (window_ready, fixture->window);
  workbook = bc_window_get_workbook (fixture->window);
  added = bc_workbook_create_report (workbook, "egov-quarterly", "2019Q1", "UBND-QNG", &error);
  g_assert_no_error (error);

  bc_window_open_demo (fixture->window);
  drain ();
  g_assert_true (bc_window_get_workbook (fixture->window) == workbook);
  g_assert_false (bc_window_get_busy (fixture->window));

  bc_window_open_workbook (fixture->window, NULL);
  spin_until (window_ready, fixture->window);
  g_assert_cmpstr (bc_workbook_get_path (bc_window_get_workbook (fixture->window)), !=, demo_path);

  bc_window_open_demo (fixture->window);
  spin_until (window_ready, fixture->window);
  g_assert_cmpstr (bc_workbook_get_path (bc_window_get_workbook (fixture->window)), ==, demo_path);
  g_assert_nonnull (bc_report_list_find (bc_window_get_reports (fixture->window), added, NULL));
}

/* A report made in the demo leaves the user's settings alone: the unit
 * typed in a class is not the officer's own. */
static void
test_demo_new_report_keeps_settings (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autofree char *unit = NULL;
  GtkWindow *dialog;

  bc_window_open_demo (fixture->window);
  spin_until (window_ready, fixture->window);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.new-report", NULL);
  dialog = find_toplevel (BC_TYPE_NEW_REPORT_DIALOG);
  g_assert_nonnull (dialog);
  /* The dialog says it works on training data. */
  g_assert_cmpstr (adw_window_title_get_subtitle (ADW_WINDOW_TITLE (find_named (dialog, "new-report-title"))),
                   ==, "Demo workbook — training data");
  gtk_editable_set_text (GTK_EDITABLE (find_named (dialog, "unit-row")), "LOP-TAP-HUAN");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.create", NULL);
  spin_until (dialog_gone, GSIZE_TO_POINTER (BC_TYPE_NEW_REPORT_DIALOG));
  spin_until (report_shown_and_selected, fixture);

  unit = g_settings_get_string (settings, "unit");
  g_assert_cmpstr (unit, ==, "");

  /* In the officer's own workbook, the unit of a report made is kept and
   * offered next time. */
  bc_window_open_workbook (fixture->window, NULL);
  spin_until (window_ready, fixture->window);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.new-report", NULL);
  dialog = find_toplevel (BC_TYPE_NEW_REPORT_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_named (dialog, "unit-row"))), ==, "");
  g_assert_cmpstr (adw_window_title_get_subtitle (ADW_WINDOW_TITLE (find_named (dialog, "new-report-title"))),
                   ==, "");
  gtk_editable_set_text (GTK_EDITABLE (find_named (dialog, "unit-row")), "UBND-QNG");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.create", NULL);
  spin_until (dialog_gone, GSIZE_TO_POINTER (BC_TYPE_NEW_REPORT_DIALOG));
  spin_until (report_shown_and_selected, fixture);
  g_free (unit);
  unit = g_settings_get_string (settings, "unit");
  g_assert_cmpstr (unit, ==, "UBND-QNG");

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.new-report", NULL);
  dialog = find_toplevel (BC_TYPE_NEW_REPORT_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_named (dialog, "unit-row"))), ==, "UBND-QNG");
}

static gboolean
leaflet_folded (AdwLeaflet *leaflet)
{
  return adw_leaflet_get_folded (leaflet);
}

/* Training data says so at all times: in a narrow window the banner shows
 * over the list and over the form alike, and Preferences says it too. */
static void
test_demo_mark_everywhere (Fixture       *fixture,
                           gconstpointer  user_data)
{
  AdwLeaflet *leaflet;
  GtkWidget *label;
  GtkWindow *preferences;

  bc_window_open_demo (fixture->window);
  spin_until (window_ready, fixture->window);
  label = find_named (fixture->window, "demo-banner-label");
  leaflet = ADW_LEAFLET (find_widget (GTK_WIDGET (fixture->window), match_type,
                                      GSIZE_TO_POINTER (ADW_TYPE_LEAFLET)));

  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 360, 600);
  spin_until (leaflet_folded, leaflet);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-reports", NULL);
  spin_until (gtk_widget_get_mapped, label);

  {
    g_autoptr(BcReportItem) first = g_list_model_get_item (G_LIST_MODEL (bc_window_get_reports (fixture->window)), 0);

    show_report (fixture->window, bc_report_item_get_id (first));
  }
  adw_leaflet_set_visible_child_name (leaflet, "content");
  spin_until (gtk_widget_get_mapped, label);

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  preferences = find_toplevel (BC_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);
  g_assert_true (gtk_widget_get_visible (find_named (preferences, "demo-mark")));
  gtk_window_destroy (preferences);
  drain ();
}

typedef struct {
  const char *path;
  const char *report_id;
} Place;

static gboolean
place_stored (Place *place)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GVariant) places = g_settings_get_value (settings, "last-places");
  const char *id = NULL;
  const char *focus = NULL;

  return g_variant_lookup (places, place->path, "(&s&s)", &id, &focus) &&
         g_strcmp0 (id, place->report_id) == 0;
}

/* Moving around does not rewrite the settings at every step: the place is
 * stored a moment after the last move, and at once when the window closes. */
static void
test_place_written_later (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autofree char *path = prepare_workbook (fixture);
  g_autoptr(BcReportItem) first = NULL;
  g_autofree char *first_id = NULL;
  Place place = { path, COMPLETE_ID };

  open_path (fixture, path);
  first = g_list_model_get_item (G_LIST_MODEL (bc_window_get_reports (fixture->window)), 0);
  first_id = g_strdup (bc_report_item_get_id (first));
  g_assert_cmpstr (first_id, !=, COMPLETE_ID);

  /* No main loop turn in between: nothing can have been written yet. */
  g_assert_true (bc_window_select_report (fixture->window, COMPLETE_ID));
  g_assert_false (place_stored (&place));
  spin_until (place_stored, &place);

  g_assert_true (bc_window_select_report (fixture->window, first_id));
  place.report_id = first_id;
  g_assert_false (place_stored (&place));
  gtk_window_close (GTK_WINDOW (fixture->window));
  g_assert_true (place_stored (&place));

  /* A window closed is gone: the fixture's must not be closed twice. */
  fixture->window = bc_window_new (app);
}

/* A shown window opens its workbook once it has drawn its first frame; one
 * hidden before that frame (no frame is coming) opens it all the same. */
static void
test_hidden_before_first_frame (Fixture       *fixture,
                                gconstpointer  user_data)
{
  BcWindow *window = bc_window_new (app);

  gtk_window_present (GTK_WINDOW (window));
  bc_window_open_workbook (window, NULL);
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);

  spin_until (window_ready, window);
  g_assert_nonnull (bc_window_get_workbook (window));
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
sidebar_settled (Fixture *fixture)
{
  return !bc_window_get_busy (fixture->window);
}

/* A list that cannot be read while opening stops the spinner and says why,
 * instead of spinning for ever. */
static void
test_list_error_not_busy (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autofree char *path = prepare_workbook (fixture);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  sqlite3 *db = NULL;

  /* Damage only what the list reads, behind the app's back. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA legacy_alter_table = ON; ALTER TABLE reports RENAME TO reports_gone",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  bc_window_open_workbook (fixture->window, file);
  spin_until (sidebar_settled, fixture);
  g_assert_cmpstr (sidebar_page (fixture), !=, "loading");
}

static void
test_reopens_last_report (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autofree char *path = prepare_workbook (fixture);
  BcWindow *second;

  g_autofree char *focus_path = NULL;
  GtkWidget *focus;

  open_path (fixture, path);
  show_report (fixture->window, COMPLETE_ID);

  /* The officer was typing the place when the window went. */
  type_text (find_input (bc_window_get_form_view (fixture->window), "Place"), "Trà Bồng");
  spin_until (header_says_saved, fixture->window);
  focus_path = g_strdup (bc_form_view_get_focus_path (bc_window_get_form_view (fixture->window)));
  g_assert_nonnull (focus_path);
  gtk_window_close (GTK_WINDOW (fixture->window));

  /* The next start on this workbook shows that report again. */
  second = bc_window_new (app);
  gtk_window_present (GTK_WINDOW (second));
  {
    g_autoptr(GFile) file = g_file_new_for_path (path);

    bc_window_open_workbook (second, file);
  }
  spin_until (window_ready, second);
  g_assert_cmpstr (bc_window_get_report_id (second), ==, COMPLETE_ID);
  {
    gpointer args[2] = { second, (gpointer) COMPLETE_ID };

    spin_until (form_shows, args);
  }

  /* The same report, the same field, with the keyboard in it. */
  g_assert_cmpstr (bc_form_view_get_focus_path (bc_window_get_form_view (second)), ==, focus_path);
  focus = gtk_window_get_focus (GTK_WINDOW (second));
  g_assert_nonnull (focus);
  g_assert_true (focus == find_input (bc_window_get_form_view (second), "Place") ||
                 gtk_widget_is_ancestor (focus, find_input (bc_window_get_form_view (second), "Place")));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_input (bc_window_get_form_view (second), "Place"))), ==, "Trà Bồng");
  gtk_window_destroy (GTK_WINDOW (second));

  /* A window closed is gone: the fixture's must not be closed twice. */
  fixture->window = bc_window_new (app);
}

/* Every control a user can reach has a name a screen reader can say (and
 * a test can find): a label property, a labelling widget, or a text. */
static gboolean
is_control (GtkWidget     *widget,
            gconstpointer  data)
{
  return gtk_widget_get_mapped (widget) &&
         (GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) ||
          GTK_IS_EDITABLE (widget) || GTK_IS_SWITCH (widget) ||
          GTK_IS_DROP_DOWN (widget) || GTK_IS_CHECK_BUTTON (widget)) &&
         /* the text inside an entry is named by its entry */
         !(GTK_IS_TEXT (widget) && gtk_widget_get_ancestor (gtk_widget_get_parent (widget), GTK_TYPE_EDITABLE) != NULL);
}

static gboolean
has_text_label (GtkWidget     *widget,
                gconstpointer  data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget) &&
         *gtk_label_get_text (GTK_LABEL (widget)) != '\0';
}

static void
assert_controls_named (GtkWidget *root)
{
  g_autoptr(GPtrArray) controls = g_ptr_array_new ();

  collect_widgets (root, is_control, NULL, controls);
  g_assert_cmpuint (controls->len, >, 0);

  for (guint i = 0; i < controls->len; i++)
    {
      GtkWidget *control = g_ptr_array_index (controls, i);
      GtkAccessible *accessible = GTK_ACCESSIBLE (control);
      GtkWidget *parent = gtk_widget_get_parent (control);
      /* A button is always "labelled by" its child, even an icon, so the
       * relation only counts for entries (labelled by their title). */
      gboolean named =
        gtk_test_accessible_has_property (accessible, GTK_ACCESSIBLE_PROPERTY_LABEL) ||
        (GTK_IS_EDITABLE (control) &&
         gtk_test_accessible_has_relation (accessible, GTK_ACCESSIBLE_RELATION_LABELLED_BY)) ||
        (!GTK_IS_EDITABLE (control) && find_widget (control, has_text_label, NULL) != NULL) ||
        /* a menu button's inner toggle speaks for the menu button */
        (GTK_IS_MENU_BUTTON (parent) &&
         gtk_test_accessible_has_property (GTK_ACCESSIBLE (parent), GTK_ACCESSIBLE_PROPERTY_LABEL));

      if (!named)
        {
          g_error ("%s “%s” in %s has no accessible name",
                   G_OBJECT_TYPE_NAME (control), gtk_widget_get_name (control),
                   parent != NULL ? G_OBJECT_TYPE_NAME (parent) : "nothing");
        }
    }
}

static void
test_accessible_names (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autofree char *path = prepare_workbook (fixture);
  GtkWindow *dialog;

  open_path (fixture, path);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.search", NULL);
  g_assert_true (bc_window_select_report (fixture->window, COMPLETE_ID));
  drain ();

  assert_controls_named (GTK_WIDGET (fixture->window));
  g_assert_nonnull (find_widget (GTK_WIDGET (fixture->window), match_accessible_label, "New report"));
  g_assert_nonnull (find_widget (GTK_WIDGET (fixture->window), match_accessible_label, "Search reports by title, unit or period"));

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.new-report", NULL);
  dialog = find_toplevel (BC_TYPE_NEW_REPORT_DIALOG);
  g_assert_nonnull (dialog);
  drain ();
  assert_controls_named (GTK_WIDGET (dialog));
}

static void
test_shortcuts (Fixture       *fixture,
                gconstpointer  user_data)
{
  struct {
    const char *action;
    const char *accel;
  } expected[] = {
    { "win.new-report", "<Control>n" },
    { "win.search", "<Control>f" },
    { "app.quit", "<Control>q" },
    { "app.preferences", "<Control>comma" },
    { "win.show-help-overlay", "<Control>question" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), expected[i].action);

      g_assert_true (g_strv_contains ((const char * const *) accels, expected[i].accel));
    }

  /* Ctrl+F puts the keyboard in the search entry. */
  bc_window_open_workbook (fixture->window, NULL);
  spin_until (window_ready, fixture->window);

  /* The shortcuts window comes from the resources, once the window has
   * drawn its first frame (before its workbook shows). */
  g_assert_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (fixture->window)));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.search", NULL);
  g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (fixture->window)),
                                         find_named (fixture->window, "search-entry")));
}

static void
test_preferences (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autofree char *unit = NULL;
  g_autofree char *language = NULL;
  g_autofree char *server = NULL;
  GtkWindow *preferences;

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  preferences = find_toplevel (BC_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);

  gtk_editable_set_text (GTK_EDITABLE (find_named (preferences, "server-row")), "https://baocao.example.vn");
  gtk_editable_set_text (GTK_EDITABLE (find_named (preferences, "unit-preference-row")), "UBND-XYZ");
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_named (preferences, "language-row")), 1);

  server = g_settings_get_string (settings, "server-url");
  unit = g_settings_get_string (settings, "unit");
  language = g_settings_get_string (settings, "language");
  g_assert_cmpstr (server, ==, "https://baocao.example.vn");
  g_assert_cmpstr (unit, ==, "UBND-XYZ");
  g_assert_cmpstr (language, ==, "vi");

  /* An address that is not a web address is pointed out. */
  gtk_editable_set_text (GTK_EDITABLE (find_named (preferences, "server-row")), "baocao.example.vn");
  g_assert_true (gtk_widget_has_css_class (find_named (preferences, "server-row"), "error"));

  g_settings_reset (settings, "language");
  g_settings_reset (settings, "server-url");
}

static void
templates_loaded_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  BcTemplateRegistry **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = bc_application_load_templates_finish (BC_APPLICATION (source), result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*out);
}

static gboolean
registry_loaded (gpointer data)
{
  return *(BcTemplateRegistry **) data != NULL;
}

/* A form version the province published, stored by an earlier sync in the
 * user's data folder, is there when Baocao starts again: a report on it
 * opens, as in the CLI. */
static void
test_received_forms_at_start (Fixture       *fixture,
                              gconstpointer  user_data)
{
  g_autofree char *source = g_test_build_filename (G_TEST_DIST, "templates", "good", "other-v1.json", NULL);
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), "baocao", "templates", NULL);
  g_autofree char *copy = g_build_filename (folder, "other-v1.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BcApplication) started = NULL;
  g_autoptr(BcTemplateRegistry) templates = NULL;

  g_assert_true (g_file_get_contents (source, &text, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (copy, text, -1, &error));
  g_assert_no_error (error);

  /* Another start of the app, reading its forms afresh. */
  started = bc_application_new ();
  bc_application_load_templates_async (started, NULL, templates_loaded_cb, &templates);
  spin_until (registry_loaded, &templates);
  g_assert_nonnull (bc_template_registry_lookup (templates, "other", 1, &error));
  g_assert_no_error (error);
  /* The forms shipped with Baocao are there as well. */
  g_assert_nonnull (bc_template_registry_lookup_latest (templates, "egov-quarterly", &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_remove (copy), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *dirs[] = { "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME" };
  int status;

  /* Nothing of the user's is touched: a home of our own, before GLib
   * reads any of it. */
  tmp_home = g_dir_make_tmp ("test-app-home-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("HOME", tmp_home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", tmp_home, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir = g_build_filename (tmp_home, dirs[i], NULL);

      g_mkdir_with_parents (dir, 0700);
      g_setenv (dirs[i], dir, TRUE);
    }
  g_setenv ("BAOCAO_LANGUAGE", "en", TRUE);

  setlocale (LC_ALL, "");
  bc_i18n_init ();
  gtk_test_init (&argc, &argv, NULL);
  bc_test_allow_short_frame_warning ();

  app = bc_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  /* Keep the application alive between windows. */
  g_application_hold (G_APPLICATION (app));

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/app/window/opens-user-workbook", test_opens_user_workbook);
  ADD ("/app/window/open-error", test_open_error);
  ADD ("/app/window/list-grouped-by-period", test_list_grouped_by_period);
  ADD ("/app/window/search", test_search);
  ADD ("/app/window/new-report", test_new_report);
  ADD ("/app/window/mark-ready", test_mark_ready);
  ADD ("/app/window/mark-ready-stays-with-report", test_mark_ready_stays_with_report);
  ADD ("/app/window/closes-off-ui-thread", test_closes_off_ui_thread);
  ADD ("/app/window/save-indicator", test_save_indicator);
  ADD ("/app/window/demo-reset", test_demo_reset);
  ADD ("/app/window/demo-kept", test_demo_kept);
  ADD ("/app/window/demo-new-report-keeps-settings", test_demo_new_report_keeps_settings);
  ADD ("/app/window/demo-mark-everywhere", test_demo_mark_everywhere);
  ADD ("/app/window/place-written-later", test_place_written_later);
  ADD ("/app/window/list-error-not-busy", test_list_error_not_busy);
  ADD ("/app/window/received-forms-at-start", test_received_forms_at_start);
  ADD ("/app/window/reopens-last-report", test_reopens_last_report);
  ADD ("/app/window/accessible-names", test_accessible_names);
  ADD ("/app/window/shortcuts", test_shortcuts);
  ADD ("/app/window/preferences", test_preferences);
  ADD ("/app/window/hidden-before-first-frame", test_hidden_before_first_frame);

#undef ADD

  status = g_test_run ();

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  return status;
}
