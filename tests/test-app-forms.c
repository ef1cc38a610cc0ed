/* test-app-forms.c: GUI tests of the window with forms that do not fit:
 * a broken form file, a draft whose version was removed, a period that no
 * version of a form is for.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs under xvfb-run and dbus-run-session (see tests/meson.build), with
 * BAOCAO_TEMPLATE_DIR holding data/templates and tests/templates/forms/app:
 * cotest version 2 (for 2016 only: renames unit_name to name, has no place
 * for remark, adds region) and zz-broken.json, which must be set aside.
 * tests/templates/forms/old holds cotest version 1, which the window does
 * not have: the test starts a draft on it with a registry of its own.
 *
 * With BAOCAO_SHOT_DIR set, screenshots of the banner and the carry-over
 * dialog are saved there (BAOCAO_SHOT_LANGUAGE=vi for Vietnamese).
 */
#define G_LOG_DOMAIN "test-app-forms"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>

#include "bc-application.h"
#include "bc-carry-over-dialog.h"
#include "bc-gui-test.h"
#include "bc-i18n.h"
#include "bc-new-report-dialog.h"
#include "bc-period.h"
#include "bc-window.h"
#include "bc-test-util.h"


static BcApplication *app;
static char *tmp_home;
/* The draft on sup version 1, made by the last prepare_workbook(). */
static char *superseded_id;

typedef struct {
  BcWindow *window;
  char     *dir;
} Fixture;

/* --- waiting and finding (tests/bc-gui-test.h) ---------------------------------- */

#define spin_until(cond, data) BC_GUI_TEST_WAIT_FOR (cond, data)
#define drain() bc_gui_test_drain ()
#define spin_ms(ms) bc_gui_test_spin (ms)
#define find_toplevel(type) bc_gui_test_find_toplevel (type)
#define shot(window, name) bc_gui_test_save_png ((window), (name))

static GtkWidget *
find_named (gpointer    root,
            const char *name)
{
  GtkWidget *widget = bc_gui_test_find_by_name (GTK_WIDGET (root), name);

  if (widget == NULL)
    g_error ("No widget named “%s”", name);
  return widget;
}

static gboolean
dialog_gone (gpointer type)
{
  return find_toplevel (GPOINTER_TO_SIZE (type)) == NULL;
}

/* Visible, and so are all its ancestors, revealers revealing. */
static gboolean
is_shown (GtkWidget *widget)
{
  for (GtkWidget *w = widget; w != NULL; w = gtk_widget_get_parent (w))
    {
      if (!gtk_widget_get_visible (w))
        return FALSE;
      if (GTK_IS_REVEALER (w) && !gtk_revealer_get_reveal_child (GTK_REVEALER (w)))
        return FALSE;
    }
  return TRUE;
}

/* The text of the rows (title and subtitle) of a preferences group. */
static char *
group_text (GtkWidget *group)
{
  g_autoptr(GPtrArray) rows = NULL;
  GString *text = g_string_new (NULL);

  rows = bc_gui_test_collect_by_type (group, ADW_TYPE_ACTION_ROW);
  for (guint i = 0; i < rows->len; i++)
    {
      AdwActionRow *row = g_ptr_array_index (rows, i);

      g_string_append_printf (text, "%s | %s\n",
                              adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                              adw_action_row_get_subtitle (row) != NULL ? adw_action_row_get_subtitle (row) : "");
    }
  return g_string_free (text, FALSE);
}

/* --- the window ----------------------------------------------------------------------- */

#define window_ready bc_gui_test_window_ready

static gboolean
window_allocated (GtkWidget *window)
{
  return gtk_widget_get_width (window) > 0;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GError) error = NULL;

  g_settings_reset (settings, "last-places");
  g_settings_reset (settings, "unit");

  fixture->dir = g_dir_make_tmp ("test-app-forms-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->window = bc_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1100, 760);
  gtk_window_present (GTK_WINDOW (fixture->window));
  spin_until (window_allocated, fixture->window);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  GType types[] = { BC_TYPE_CARRY_OVER_DIALOG, BC_TYPE_NEW_REPORT_DIALOG, ADW_TYPE_MESSAGE_DIALOG };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      GtkWindow *dialog;

      while ((dialog = find_toplevel (types[i])) != NULL)
        gtk_window_destroy (dialog);
    }
  /* A dialog's task still running holds it: let it end while its parent
   * is still there. */
  spin_ms (300);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  drain ();
  bc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static char *
template_dir (const char *name)
{
  return g_build_filename (g_getenv ("G_TEST_SRCDIR"), "templates", "forms", name, NULL);
}

/* A workbook with a quarterly e-government report (2018Q2, on the shipped
 * form) and a cotest draft for 2016Q3 on version 1, holding a unit name
 * (renamed on version 2), a count and a remark (no place on version 2). */
static char *
prepare_workbook (Fixture  *fixture,
                  char    **out_egov,
                  char    **out_draft)
{
  g_autofree char *path = g_build_filename (fixture->dir, "forms.baocao", NULL);
  g_autofree char *shipped = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "..", "data", "templates", NULL);
  g_autofree char *old = template_dir ("old");
  g_autofree char *both = template_dir ("both");
  g_autoptr(BcTemplateRegistry) templates = bc_template_registry_new ();
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(GError) error = NULL;
  char *egov, *draft, *sup;

  g_assert_true (bc_template_registry_add_directory (templates, shipped, &error));
  g_assert_no_error (error);
  g_assert_true (bc_template_registry_add_directory (templates, old, &error));
  g_assert_no_error (error);
  g_assert_true (bc_template_registry_add_directory (templates, both, &error));
  g_assert_no_error (error);
  workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);

  egov = bc_workbook_create_report (workbook, "egov-quarterly", "2018Q2", "UBND-QNG", &error);
  g_assert_no_error (error);
  draft = bc_workbook_create_report (workbook, "cotest", "2016Q3", "UBND-QNG", &error);
  g_assert_no_error (error);
  g_assert_true (bc_workbook_set_value (workbook, draft, "unit_name", 0, "Sở TT&TT", &error));
  g_assert_no_error (error);
  g_assert_true (bc_workbook_set_value (workbook, draft, "count", 0, "12", &error));
  g_assert_no_error (error);
  g_assert_true (bc_workbook_set_value (workbook, draft, "remark", 0, "Ghi chú cần giữ", &error));
  g_assert_no_error (error);
  sup = bc_workbook_create_report (workbook, "sup", "2019Q1", "UBND-QNG", &error);
  g_assert_no_error (error);
  g_assert_true (bc_workbook_set_value (workbook, sup, "agency", 0, "Sở Nội vụ", &error));
  g_assert_no_error (error);
  g_assert_true (bc_workbook_set_value (workbook, sup, "note", 0, "Chỉ ghi cho mình", &error));
  g_assert_no_error (error);
  bc_workbook_close (workbook);

  g_free (superseded_id);
  superseded_id = sup;
  *out_egov = egov;
  *out_draft = draft;
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

static gboolean
form_shows (gpointer data)
{
  gpointer *args = data;
  BcReport *report = bc_form_view_get_report (bc_window_get_form_view (args[0]));

  return report != NULL && g_strcmp0 (bc_report_get_id (report), args[1]) == 0;
}

/* A click on a button, as a person's (its "clicked", at once: a keyboard
 * activation waits for the button to be drawn pressed). */
static void
click (GtkWidget *button)
{
  g_assert_true (GTK_IS_BUTTON (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static gboolean
revealed (gpointer revealer)
{
  return gtk_revealer_get_reveal_child (revealer);
}

static gboolean
hidden (gpointer revealer)
{
  return !gtk_revealer_get_reveal_child (revealer);
}

static gboolean
carry_over_dialog_shown (gpointer data)
{
  return find_toplevel (BC_TYPE_CARRY_OVER_DIALOG) != NULL;
}

/* The report as stored, read with a registry that knows both versions. */
static BcReport *
stored_report (Fixture    *fixture,
               const char *report_id)
{
  BcWorkbook *workbook = bc_window_get_workbook (fixture->window);
  g_autoptr(GError) error = NULL;
  BcReport *report = bc_workbook_load_report (workbook, report_id, &error);

  g_assert_no_error (error);
  return report;
}

/* --- tests -------------------------------------------------------------------------- */

/* A broken form file: the window opens, says which file, where and why, and
 * every other report opens as usual. */
static void
test_broken_template_banner (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autofree char *egov = NULL;
  g_autofree char *draft = NULL;
  g_autofree char *path = prepare_workbook (fixture, &egov, &draft);
  GtkWidget *banner = find_named (fixture->window, "templates-banner");
  const char *text;
  gpointer args[2] = { fixture->window, egov };

  open_path (fixture, path);
  spin_until (revealed, banner);

  text = gtk_label_get_text (GTK_LABEL (find_named (banner, "templates-banner-label")));
  g_test_message ("banner: %s", text);
  /* The file, its line (and column), and the cause. */
  g_assert_nonnull (strstr (text, "zz-broken.json:6:"));
  g_assert_nonnull (strstr (text, "Parse error"));
  /* The files that load are not named as broken. */
  g_assert_null (strstr (text, "cotest-v2.json"));
  g_assert_null (strstr (text, "egov-quarterly"));
  g_assert_true (is_shown (find_named (banner, "templates-banner-label")));

  /* Every report is listed, and one on a shipped form opens. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (bc_window_get_reports (fixture->window))), ==, 3);
  g_assert_true (bc_window_select_report (fixture->window, egov));
  spin_until (form_shows, args);

  shot (GTK_WIDGET (fixture->window), "templates-banner");

  /* It can be put away. */
  click (find_named (banner, "templates-banner-close"));
  spin_until (hidden, banner);
}

static gboolean
dialog_ready (gpointer dialog)
{
  return bc_carry_over_dialog_get_ready (dialog);
}

static BcCarryOverDialog *
open_carry_over (Fixture *fixture)
{
  BcCarryOverDialog *dialog;

  g_assert_true (is_shown (find_named (fixture->window, "carry-over-button")));
  click (find_named (fixture->window, "carry-over-button"));
  spin_until (carry_over_dialog_shown, NULL);
  dialog = BC_CARRY_OVER_DIALOG (find_toplevel (BC_TYPE_CARRY_OVER_DIALOG));
  g_assert_nonnull (dialog);
  spin_until (dialog_ready, dialog);
  g_assert_cmpint (bc_carry_over_dialog_get_target_version (dialog), ==, 2);
  return dialog;
}

static gboolean
moved_or_refused (gpointer dialog)
{
  return find_toplevel (BC_TYPE_CARRY_OVER_DIALOG) == NULL ||
         gtk_widget_get_visible (find_named (dialog, "carry-over-error"));
}

/* A draft whose version was removed is offered carry-over, sees what moves,
 * what is new and what would be lost, and loses nothing it did not tick. */
static void
test_carry_over_removed_version (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  g_autofree char *egov = NULL;
  g_autofree char *draft = NULL;
  g_autofree char *path = prepare_workbook (fixture, &egov, &draft);
  g_autofree char *lost = NULL;
  g_autofree char *moves = NULL;
  g_autofree char *added = NULL;
  g_autoptr(BcReport) before = NULL;
  g_autoptr(BcReport) after = NULL;
  GtkWidget *notice = find_named (fixture->window, "carry-over-notice");
  BcCarryOverDialog *dialog;
  GtkWidget *move;
  GtkWidget *check;
  gpointer args[2] = { fixture->window, draft };
  gpointer egov_args[2] = { fixture->window, egov };
  BcTemplate *v2;
  const char *lang = bc_i18n_language ();

  open_path (fixture, path);
  v2 = bc_template_registry_lookup (bc_workbook_get_templates (bc_window_get_workbook (fixture->window)),
                                    "cotest", 2, NULL);
  g_assert_nonnull (v2);
  g_assert_null (bc_template_registry_lookup (bc_workbook_get_templates (bc_window_get_workbook (fixture->window)),
                                              "cotest", 1, NULL));
  g_assert_true (bc_window_select_report (fixture->window, draft));
  spin_until (revealed, notice);
  g_assert_nonnull (strstr (gtk_button_get_label (GTK_BUTTON (find_named (notice, "carry-over-button"))), "2"));
  /* It is offered on the report that is on a version that is gone, not on the others. */
  g_assert_true (bc_window_select_report (fixture->window, egov));
  spin_until (form_shows, egov_args);
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (notice)));
  g_assert_true (bc_window_select_report (fixture->window, draft));
  spin_until (revealed, notice);
  shot (GTK_WIDGET (fixture->window), "carry-over-notice");

  /* The preview: the remark would be lost (its value shown), the unit name
   * moves to the agency name, the region is new. */
  dialog = open_carry_over (fixture);
  lost = group_text (find_named (dialog, "carry-over-lost"));
  moves = group_text (find_named (dialog, "carry-over-moves"));
  added = group_text (find_named (dialog, "carry-over-new"));
  g_test_message ("lost: %s\nmoves: %s\nnew: %s", lost, moves, added);
  g_assert_nonnull (strstr (lost, "remark | Ghi chú cần giữ"));
  g_assert_true (is_shown (find_named (dialog, "carry-over-lost")));
  g_assert_nonnull (strstr (moves, "Sở TT&TT"));
  g_assert_nonnull (strstr (moves, "unit_name"));
  g_assert_null (strstr (moves, "remark"));
  g_assert_nonnull (strstr (moves, bc_text_get (&bc_template_lookup_field (v2, "name")->label, lang)));
  g_assert_nonnull (strstr (added, bc_text_get (&bc_template_lookup_field (v2, "region")->label, lang)));
  g_assert_null (strstr (lost, "count"));
  g_assert_null (strstr (moves, "count"));

  /* Nothing ticked: it cannot be moved, and says why. */
  move = find_named (dialog, "carry-over-move");
  check = find_named (dialog, "carry-over-drop");
  g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
  g_assert_false (gtk_widget_get_sensitive (move));
  g_assert_true (is_shown (find_named (dialog, "carry-over-hint")));
  shot (GTK_WIDGET (dialog), "carry-over-dialog");
  gtk_widget_activate (move);   /* greyed: does nothing */
  spin_ms (400);
  g_assert_true (find_toplevel (BC_TYPE_CARRY_OVER_DIALOG) == GTK_WINDOW (dialog));
  gtk_window_close (GTK_WINDOW (dialog));
  spin_until (dialog_gone, GSIZE_TO_POINTER (BC_TYPE_CARRY_OVER_DIALOG));

  before = stored_report (fixture, draft);
  g_assert_cmpint (bc_report_get_template_version (before), ==, 1);
  g_assert_cmpstr (bc_report_get_value (before, "remark", 0), ==, "Ghi chú cần giữ");
  g_assert_cmpstr (bc_report_get_value (before, "unit_name", 0), ==, "Sở TT&TT");

  /* Ticked: it moves, the remark goes, the rest is kept, and it opens. */
  dialog = open_carry_over (fixture);
  move = find_named (dialog, "carry-over-move");
  check = find_named (dialog, "carry-over-drop");
  gtk_widget_activate (check);
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
  g_assert_true (gtk_widget_get_sensitive (move));
  g_assert_false (is_shown (find_named (dialog, "carry-over-hint")));
  shot (GTK_WIDGET (dialog), "carry-over-dialog-ticked");
  click (move);
  spin_until (moved_or_refused, dialog);
  g_assert_null (find_toplevel (BC_TYPE_CARRY_OVER_DIALOG));

  after = stored_report (fixture, draft);
  g_assert_cmpint (bc_report_get_template_version (after), ==, 2);
  g_assert_null (bc_report_get_value (after, "remark", 0));
  g_assert_cmpstr (bc_report_get_value (after, "name", 0), ==, "Sở TT&TT");
  g_assert_cmpstr (bc_report_get_value (after, "count", 0), ==, "12");

  spin_until (form_shows, args);
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (notice)));
}

/* A draft on a version that is still installed but superseded opens as it
 * is, and is offered the newer version, with the old version's labels. */
static void
test_carry_over_superseded (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autofree char *egov = NULL;
  g_autofree char *draft = NULL;
  g_autofree char *path = prepare_workbook (fixture, &egov, &draft);
  g_autofree char *lost = NULL;
  g_autofree char *added = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(BcReport) after = NULL;
  GtkWidget *notice = find_named (fixture->window, "carry-over-notice");
  BcTemplateRegistry *templates;
  BcCarryOverDialog *dialog;
  BcTemplate *v1, *v2;
  const char *lang = bc_i18n_language ();
  gpointer args[2] = { fixture->window, superseded_id };

  open_path (fixture, path);
  templates = bc_workbook_get_templates (bc_window_get_workbook (fixture->window));
  v1 = bc_template_registry_lookup (templates, "sup", 1, NULL);
  v2 = bc_template_registry_lookup (templates, "sup", 2, NULL);
  g_assert_nonnull (v1);
  g_assert_nonnull (v2);

  /* It opens on version 1, and version 2 is offered. */
  g_assert_true (bc_window_select_report (fixture->window, superseded_id));
  spin_until (form_shows, args);
  spin_until (revealed, notice);

  dialog = open_carry_over (fixture);
  lost = group_text (find_named (dialog, "carry-over-lost"));
  added = group_text (find_named (dialog, "carry-over-new"));
  g_test_message ("lost: %s\nnew: %s", lost, added);
  expected = g_strdup_printf ("%s | Chỉ ghi cho mình", bc_text_get (&bc_template_lookup_field (v1, "note")->label, lang));
  g_assert_nonnull (strstr (lost, expected));
  g_assert_nonnull (strstr (added, bc_text_get (&bc_template_lookup_field (v2, "phone")->label, lang)));
  g_assert_null (strstr (added, bc_text_get (&bc_template_lookup_field (v2, "agency")->label, lang)));
  g_assert_false (gtk_widget_get_visible (find_named (dialog, "carry-over-moves")));
  g_assert_false (gtk_widget_get_sensitive (find_named (dialog, "carry-over-move")));

  gtk_widget_activate (find_named (dialog, "carry-over-drop"));
  click (find_named (dialog, "carry-over-move"));
  spin_until (moved_or_refused, dialog);
  g_assert_null (find_toplevel (BC_TYPE_CARRY_OVER_DIALOG));

  after = stored_report (fixture, superseded_id);
  g_assert_cmpint (bc_report_get_template_version (after), ==, 2);
  g_assert_null (bc_report_get_value (after, "note", 0));
  g_assert_cmpstr (bc_report_get_value (after, "agency", 0), ==, "Sở Nội vụ");
  spin_until (form_shows, args);
  spin_until (hidden, notice);
}

/* No version of the chosen form is for the chosen period: Create is greyed
 * and a line says why and what to do. */
static void
test_new_report_uncovered (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autofree char *egov = NULL;
  g_autofree char *draft = NULL;
  g_autofree char *path = prepare_workbook (fixture, &egov, &draft);
  GtkWindow *dialog;
  AdwComboRow *template_row;
  AdwComboRow *period_row;
  GListModel *titles;
  GtkWidget *create;
  GtkWidget *hint;
  GtkStringObject *period;
  g_autofree char *cotest_title = NULL;
  guint cotest = G_MAXUINT, egov_index = G_MAXUINT;

  open_path (fixture, path);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.new-report", NULL);
  dialog = find_toplevel (BC_TYPE_NEW_REPORT_DIALOG);
  g_assert_nonnull (dialog);

  {
    BcTemplate *template_ = bc_template_registry_lookup_latest (bc_workbook_get_templates (bc_window_get_workbook (fixture->window)),
                                                                "cotest", NULL);
    g_assert_nonnull (template_);
    cotest_title = g_strdup (bc_text_get (bc_template_get_title (template_), bc_i18n_language ()));
  }
  template_row = ADW_COMBO_ROW (find_named (dialog, "template-row"));
  titles = adw_combo_row_get_model (template_row);
  for (guint i = 0; i < g_list_model_get_n_items (titles); i++)
    {
      g_autoptr(GtkStringObject) title = g_list_model_get_item (titles, i);

      if (g_str_equal (gtk_string_object_get_string (title), cotest_title))
        cotest = i;
      else if (g_str_has_prefix (gtk_string_object_get_string (title), bc_i18n_language ()[0] == 'v' ? "Báo cáo" : "Quarterly"))
        egov_index = i;
    }
  g_assert_cmpuint (cotest, !=, G_MAXUINT);
  g_assert_cmpuint (egov_index, !=, G_MAXUINT);

  adw_combo_row_set_selected (template_row, cotest);
  gtk_editable_set_text (GTK_EDITABLE (find_named (dialog, "unit-row")), "UBND-QNG");
  create = find_named (dialog, "create-button");
  hint = find_named (dialog, "create-hint");
  period_row = ADW_COMBO_ROW (find_named (dialog, "period-row"));
  period = adw_combo_row_get_selected_item (period_row);

  /* Version 2 is for 2016 only; the periods offered are around today. */
  g_assert_false (gtk_widget_get_sensitive (create));
  g_assert_true (is_shown (hint));
  g_test_message ("hint: %s", gtk_label_get_text (GTK_LABEL (hint)));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (hint)), gtk_string_object_get_string (period)));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (hint)), "UBND-QNG"));
  shot (GTK_WIDGET (dialog), "new-report-uncovered");

  /* A form that is for the period: Create is offered. */
  adw_combo_row_set_selected (template_row, egov_index);
  g_assert_true (gtk_widget_get_sensitive (create));
  g_assert_false (is_shown (hint));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *shipped = NULL;
  g_autofree char *app_dir = NULL;
  g_autofree char *both_dir = NULL;
  g_autofree char *dirs_value = NULL;
  const char *dirs[] = { "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME" };
  int status;

  tmp_home = g_dir_make_tmp ("test-app-forms-home-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("HOME", tmp_home, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir = g_build_filename (tmp_home, dirs[i], NULL);

      g_mkdir_with_parents (dir, 0700);
      g_setenv (dirs[i], dir, TRUE);
    }

  /* The shipped forms, cotest version 2 and a broken file. */
  shipped = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "..", "data", "templates", NULL);
  app_dir = template_dir ("app");
  both_dir = template_dir ("both");
  dirs_value = g_strjoin (G_SEARCHPATH_SEPARATOR_S, shipped, app_dir, both_dir, NULL);
  g_setenv ("BAOCAO_TEMPLATE_DIR", dirs_value, TRUE);

  /* An empty LC_ALL would keep gettext in the C locale (bc-i18n.c). */
  if (g_getenv ("BAOCAO_SHOT_LANGUAGE") != NULL)
    g_unsetenv ("LC_ALL");
  g_setenv ("BAOCAO_LANGUAGE", g_getenv ("BAOCAO_SHOT_LANGUAGE") != NULL ? g_getenv ("BAOCAO_SHOT_LANGUAGE") : "en", TRUE);

  setlocale (LC_ALL, "");
  bc_i18n_init ();
  gtk_test_init (&argc, &argv, NULL);
  bc_test_allow_short_frame_warning ();

  app = bc_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_hold (G_APPLICATION (app));

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/app/forms/broken-template-banner", test_broken_template_banner);
  ADD ("/app/forms/carry-over-removed-version", test_carry_over_removed_version);
  ADD ("/app/forms/carry-over-superseded", test_carry_over_superseded);
  ADD ("/app/forms/new-report-uncovered", test_new_report_uncovered);

#undef ADD

  status = g_test_run ();

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  bc_test_remove_tree (tmp_home);
  g_free (tmp_home);
  g_free (superseded_id);
  return status;
}
