/* test-form-view.c: the form editor, driven through its widgets in a real window.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test creates a workbook with the core, opens a report in a
 * BcFormView, types into the inputs found by their accessible names, waits
 * until the view says "saved", and reads the workbook back with the core.
 */
#define G_LOG_DOMAIN "test-form-view"

#include "config.h"

#include <string.h>

#include "bc-gui-test.h"
#include "bc-i18n.h"
#include "bc-field-editor.h"
#include "bc-issue-list.h"
#include "bc-table-editor.h"

static char *test_home;

typedef struct {
  char               *dir;
  BcTemplateRegistry *templates;
  BcWorkbook         *workbook;
  char               *report_id;
  BcTemplate         *template_;
  GtkWidget          *window;
  BcFormView         *view;
  const char         *lang;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const char *template_id = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autofree char *path = NULL;

  f->dir = g_build_filename (test_home, "XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (f->dir));
  path = g_build_filename (f->dir, "test.baocao", NULL);

  f->templates = bc_template_registry_new_default (&error);
  g_assert_no_error (error);
  f->workbook = bc_workbook_open (path, f->templates, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);
  f->report_id = bc_workbook_create_report (f->workbook, template_id, "2018Q2", "UBND-QNG", &error);
  g_assert_no_error (error);

  report = bc_workbook_load_report (f->workbook, f->report_id, &error);
  g_assert_no_error (error);
  f->template_ = bc_workbook_get_report_template (f->workbook, report, &error);
  g_assert_no_error (error);
  f->lang = bc_i18n_language ();

  f->window = bc_gui_test_window_new (&f->view);
  g_assert_cmpint (bc_form_view_get_save_state (f->view), ==, BC_SAVE_STATE_IDLE);
  bc_form_view_load (f->view, f->workbook, f->report_id);
  bc_gui_test_wait_loaded (f->view);
  g_assert_cmpint (bc_form_view_get_save_state (f->view), ==, BC_SAVE_STATE_IDLE);
}

static gboolean
not_saving (gpointer user_data)
{
  return bc_form_view_get_save_state (user_data) != BC_SAVE_STATE_SAVING;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_true (bc_gui_test_wait (not_saving, f->view, 20000));
  gtk_window_destroy (GTK_WINDOW (f->window));
  bc_gui_test_spin (50);

  g_clear_object (&f->workbook);
  g_clear_object (&f->templates);
  g_free (f->report_id);
  bc_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* --- finding things -------------------------------------------------------- */

static const char *
label_of (Fixture    *f,
          const char *field_id)
{
  const BcField *field = bc_template_lookup_field (f->template_, field_id);

  g_assert_nonnull (field);

  return bc_text_get (&field->label, f->lang);
}

/* The input of a field, found by its accessible name as a screen reader would. */
static GtkWidget *
input (Fixture    *f,
       const char *field_id)
{
  GtkWidget *widget = bc_gui_test_find_by_label (f->window, label_of (f, field_id));

  if (widget == NULL)
    g_error ("no input named “%s” (%s)", label_of (f, field_id), field_id);

  return widget;
}

/* The input of a cell: "Sector 2: Status", named after the template's
 * word for a row. */
static GtkWidget *
cell_input (Fixture    *f,
            const char *column,
            guint       row)
{
  const BcField *table = bc_template_lookup_field (f->template_, column)->table;
  g_autofree char *name = g_strdup_printf ("%s %u: %s", bc_text_get (&table->row_label, f->lang),
                                           row, label_of (f, column));
  GtkWidget *widget = bc_gui_test_find_by_label (f->window, name);

  if (widget == NULL)
    g_error ("no input named “%s”", name);

  return widget;
}

static GtkWidget *
editor (Fixture    *f,
        const char *key)
{
  GtkWidget *widget = bc_gui_test_find_by_name (f->window, key);

  g_assert_true (BC_IS_FIELD_EDITOR (widget));

  return widget;
}

static char *
stored (Fixture    *f,
        const char *key,
        gint64      row_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = bc_workbook_load_report (f->workbook, f->report_id, &error);

  g_assert_no_error (error);

  return g_strdup (bc_report_get_value (report, key, row_id));
}

static BcReport *
load (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  BcReport *report = bc_workbook_load_report (f->workbook, f->report_id, &error);

  g_assert_no_error (error);

  return report;
}

/* What Enter does in an entry: its text emits "activate", and the entry
 * passes it on. */
static void
press_enter (GtkWidget *entry)
{
  g_signal_emit_by_name (gtk_editable_get_delegate (GTK_EDITABLE (entry)), "activate");
}

static void
type_and_save (Fixture    *f,
               const char *field_id,
               const char *text)
{
  bc_gui_test_type (input (f, field_id), text);
  bc_gui_test_wait_saved (f->view);
}

static void
assert_stored (Fixture    *f,
               const char *key,
               const char *expected)
{
  g_autofree char *value = stored (f, key, 0);

  g_assert_cmpstr (value, ==, expected);
}

typedef struct {
  GtkWidget *widget;
  gboolean   shown;
} ShownData;

static gboolean
shown_is (gpointer user_data)
{
  ShownData *data = user_data;

  return bc_gui_test_is_shown (data->widget) == data->shown;
}

static void
wait_shown (GtkWidget *widget,
            gboolean   shown)
{
  ShownData data = { widget, shown };

  g_assert_true (bc_gui_test_wait (shown_is, &data, 10000));
}

/* The visible message under a field that starts with `prefix`, or NULL. */
static GtkWidget *
message_under (Fixture    *f,
               const char *key,
               const char *prefix)
{
  GtkWidget *label = bc_gui_test_find_label (editor (f, key), prefix);

  return label != NULL && bc_gui_test_is_shown (label) ? label : NULL;
}

/* --- typing and saving ----------------------------------------------------- */

static void
test_types_and_saves (Fixture       *f,
                      gconstpointer  data)
{
  GtkWidget *level3;
  g_autofree char *reference = NULL;

  /* Text, committed after typing pauses. */
  type_and_save (f, "doc_number", "140/BC-UBND");
  assert_stored (f, "doc_number", "140/BC-UBND");

  /* A number input refuses letters as they are typed, and says so; Enter
   * commits at once. */
  level3 = input (f, "services_level3");
  bc_gui_test_type (level3, "1a2b0");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (level3)), ==, "120");
  g_assert_nonnull (message_under (f, "services_level3", "Only digits"));
  press_enter (level3);
  g_assert_cmpint (bc_form_view_get_save_state (f->view), ==, BC_SAVE_STATE_SAVING);
  bc_gui_test_wait_saved (f->view);
  assert_stored (f, "services_level3", "120");

  /* Thousands separators as people type them in the form's language:
   * "1,234" in English, "1.234" in Vietnamese. */
  type_and_save (f, "dossiers_received", g_str_equal (f->lang, "vi") ? "1.234" : "1,234");
  assert_stored (f, "dossiers_received", "1234");

  /* Dates as written in Vietnam. */
  type_and_save (f, "doc_date", "21/6/2018");
  assert_stored (f, "doc_date", "2018-06-21");

  /* Or picked in the calendar, which opens on the date typed. */
  {
    g_autofree char *name = g_strdup_printf ("Choose a date: %s", label_of (f, "doc_date"));
    GtkWidget *button = bc_gui_test_find_by_label (f->window, name);
    GtkWidget *calendar;
    g_autoptr(GDateTime) shown = NULL;
    g_autoptr(GDateTime) day = g_date_time_new_local (2018, 6, 25, 0, 0, 0);

    g_assert_true (GTK_IS_MENU_BUTTON (button));
    gtk_menu_button_popup (GTK_MENU_BUTTON (button));
    calendar = bc_gui_test_find_by_type (button, GTK_TYPE_CALENDAR);
    g_assert_nonnull (calendar);
    wait_shown (calendar, TRUE);
    shown = gtk_calendar_get_date (GTK_CALENDAR (calendar));
    g_assert_cmpint (g_date_time_get_day_of_month (shown), ==, 21);
    g_assert_cmpint (g_date_time_get_month (shown), ==, 6);

    gtk_calendar_select_day (GTK_CALENDAR (calendar), day);
    bc_gui_test_wait_saved (f->view);
    assert_stored (f, "doc_date", "2018-06-25");
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (input (f, "doc_date"))), ==, "25/06/2018");
    wait_shown (calendar, FALSE);
  }

  /* Yes/no is a drop-down that can stay blank. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (input (f, "eoffice_deployed")), 1);
  bc_gui_test_wait_saved (f->view);
  assert_stored (f, "eoffice_deployed", "yes");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (input (f, "eoffice_deployed")), 0);
  bc_gui_test_wait_saved (f->view);
  assert_stored (f, "eoffice_deployed", NULL);

  /* Long text keeps its lines. */
  bc_gui_test_type_long (input (f, "recipients"), "Như trên;\nLưu: VT, KGVX.");
  bc_gui_test_wait_saved (f->view);
  assert_stored (f, "recipients", "Như trên;\nLưu: VT, KGVX.");

  /* A document reference: three inputs, one canonical value. */
  {
    g_autofree char *number = g_strdup_printf ("%s: number", label_of (f, "reference_doc"));
    g_autofree char *date = g_strdup_printf ("%s: date", label_of (f, "reference_doc"));
    g_autofree char *title = g_strdup_printf ("%s: subject", label_of (f, "reference_doc"));

    bc_gui_test_type (bc_gui_test_find_by_label (f->window, number), "5253/VPCP-KSTT");
    bc_gui_test_type (bc_gui_test_find_by_label (f->window, date), "05/6/2018");
    bc_gui_test_type (bc_gui_test_find_by_label (f->window, title), "Báo cáo Quý II/2018");
    bc_gui_test_wait_saved (f->view);
  }
  reference = stored (f, "reference_doc", 0);
  g_assert_nonnull (reference);
  g_assert_nonnull (strstr (reference, "\"5253/VPCP-KSTT\""));
  g_assert_nonnull (strstr (reference, "\"2018-06-05\""));
  g_assert_nonnull (strstr (reference, "Báo cáo Quý II/2018"));

  /* Clearing an input blanks the value. */
  type_and_save (f, "doc_number", "");
  assert_stored (f, "doc_number", NULL);

  /* Every edit is in the history, in the order it was made. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) history = bc_workbook_get_history (f->workbook, f->report_id, &error);
    const BcEdit *first, *last;

    g_assert_no_error (error);
    g_assert_cmpuint (history->len, >=, 8);
    first = g_ptr_array_index (history, 0);
    last = g_ptr_array_index (history, history->len - 1);
    g_assert_cmpstr (first->key, ==, "doc_number");
    g_assert_cmpstr (first->new_value, ==, "140/BC-UBND");
    g_assert_cmpstr (last->key, ==, "doc_number");
    g_assert_cmpstr (last->new_value, ==, NULL);
  }
}

/* Edits to several fields made quickly are all committed, in order. */
static void
test_rapid_edits_in_order (Fixture       *f,
                           gconstpointer  data)
{
  const char *fields[] = { "services_level3", "services_level4", "services_new_this_quarter",
                           "services_with_dossiers", "dossiers_received" };

  for (guint round = 1; round <= 5; round++)
    for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
      {
        g_autofree char *text = g_strdup_printf ("%u", round * 10 + i);
        GtkWidget *entry = input (f, fields[i]);

        bc_gui_test_type (entry, text);
        press_enter (entry);
      }

  bc_gui_test_wait_saved (f->view);

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *expected = g_strdup_printf ("%u", 50 + i);

      assert_stored (f, fields[i], expected);
    }
}

/* --- errors while typing --------------------------------------------------- */

static gboolean
has_error_under_pct (gpointer user_data)
{
  Fixture *f = user_data;

  return message_under (f, "docs_fully_electronic_pct", "Not saved:") != NULL &&
         bc_form_view_get_save_state (f->view) != BC_SAVE_STATE_SAVING;
}

static void
test_invalid_percentage (Fixture       *f,
                         gconstpointer  data)
{
  GtkWidget *pct = input (f, "docs_fully_electronic_pct");
  g_autofree char *typed = NULL;

  type_and_save (f, "docs_fully_electronic_pct", "80");
  assert_stored (f, "docs_fully_electronic_pct", "80");

  /* 150 % is refused beside the field, at once, and not committed. */
  bc_gui_test_type (pct, "150");
  g_assert_nonnull (message_under (f, "docs_fully_electronic_pct", "Not saved:"));
  g_assert_true (bc_gui_test_wait (has_error_under_pct, f, 10000));
  bc_gui_test_spin (2 * BC_FIELD_EDITOR_DEBOUNCE_MS);
  assert_stored (f, "docs_fully_electronic_pct", "80");
  typed = g_strdup (gtk_editable_get_text (GTK_EDITABLE (pct)));
  g_assert_cmpstr (typed, ==, "150");
  g_assert_true (bc_field_editor_get_invalid (BC_FIELD_EDITOR (editor (f, "docs_fully_electronic_pct"))));
  g_assert_cmpuint (bc_form_view_get_n_errors (f->view), >=, 1);

  /* Leaving the field does not commit it either. */
  gtk_widget_grab_focus (input (f, "doc_number"));
  bc_gui_test_spin (50);
  assert_stored (f, "docs_fully_electronic_pct", "80");

  /* Fixing it saves it, and the message goes. */
  type_and_save (f, "docs_fully_electronic_pct", "95");
  assert_stored (f, "docs_fully_electronic_pct", "95");
  g_assert_null (message_under (f, "docs_fully_electronic_pct", "Not saved:"));
  g_assert_false (bc_field_editor_get_invalid (BC_FIELD_EDITOR (editor (f, "docs_fully_electronic_pct"))));

  /* A rule across fields shows beside its field after the commit. */
  type_and_save (f, "docs_parallel_paper_pct", "20");
  g_assert_nonnull (message_under (f, "docs_fully_electronic_pct", ""));
  {
    const BcRule *rule = bc_template_lookup_rule (f->template_, "docs_shares_within_100");

    g_assert_nonnull (bc_gui_test_find_label (editor (f, "docs_fully_electronic_pct"),
                                              bc_text_get (&rule->message, f->lang)));
  }
  type_and_save (f, "docs_parallel_paper_pct", "5");
  {
    const BcRule *rule = bc_template_lookup_rule (f->template_, "docs_shares_within_100");

    g_assert_null (bc_gui_test_find_label (editor (f, "docs_fully_electronic_pct"),
                                           bc_text_get (&rule->message, f->lang)));
  }
}

/* A date that does not exist is shown, and the form does not say "saved". */
static void
test_invalid_not_saved (Fixture       *f,
                        gconstpointer  data)
{
  type_and_save (f, "doc_number", "140/BC-UBND");

  bc_gui_test_type (input (f, "doc_date"), "31/02/2018");
  gtk_widget_grab_focus (input (f, "doc_number"));
  g_assert_true (bc_gui_test_wait (not_saving, f->view, 10000));
  bc_gui_test_spin (2 * BC_FIELD_EDITOR_DEBOUNCE_MS);
  g_assert_true (bc_field_editor_get_invalid (BC_FIELD_EDITOR (editor (f, "doc_date"))));
  g_assert_cmpint (bc_form_view_get_save_state (f->view), ==, BC_SAVE_STATE_FAILED);
  g_assert_nonnull (bc_form_view_get_save_error (f->view));
  assert_stored (f, "doc_date", NULL);

  /* Fixed: saved. */
  type_and_save (f, "doc_date", "21/6/2018");
  assert_stored (f, "doc_date", "2018-06-21");
}

static void
test_warning_justification (Fixture       *f,
                            gconstpointer  data)
{
  const BcRule *rule = bc_template_lookup_rule (f->template_, "dossiers_need_services");
  const char *message = bc_text_get (&rule->message, f->lang);
  g_autofree char *name = g_strdup_printf ("Justification for %s: %s",
                                           label_of (f, "services_with_dossiers"), message);
  g_autoptr(BcReport) report = NULL;
  GtkWidget *justification;

  type_and_save (f, "dossiers_received", "10");
  type_and_save (f, "services_with_dossiers", "0");

  /* The warning is beside its field and takes its justification in place. */
  g_assert_nonnull (bc_gui_test_find_label (editor (f, "services_with_dossiers"), message));
  g_assert_cmpuint (bc_form_view_get_n_warnings (f->view), ==, 1);
  justification = bc_gui_test_find_by_label (editor (f, "services_with_dossiers"), name);
  g_assert_nonnull (justification);
  g_assert_true (bc_gui_test_is_shown (justification));

  bc_gui_test_type (justification, "Các hồ sơ được tiếp nhận qua dịch vụ công của Bộ.");
  bc_gui_test_wait_saved (f->view);
  report = load (f);
  g_assert_cmpstr (bc_report_get_justification (report, "dossiers_need_services", 0), ==,
                   "Các hồ sơ được tiếp nhận qua dịch vụ công của Bộ.");
  g_assert_cmpuint (bc_form_view_get_n_warnings (f->view), ==, 0);

  /* The warning goes when its cause goes. */
  type_and_save (f, "services_with_dossiers", "3");
  g_assert_null (bc_gui_test_find_label (editor (f, "services_with_dossiers"), message));
}

/* --- computed fields, conditions, targets ---------------------------------- */

static void assert_computed (Fixture    *f,
                             const char *field_id,
                             const char *expected);

/* Targets are Plan 61/KH-UBND's, shown only where it is in force (Quảng
 * Ngãi, Q2/2019–2025), coloured once a value is there. */
static void
test_targets_of_plan (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *old_id = g_strdup (f->report_id);
  g_autofree char *id = bc_workbook_create_report (f->workbook, "egov-quarterly", "2020Q2", "UBND-QNG", &error);
  GtkWidget *target;

  g_assert_no_error (error);
  g_free (f->report_id);
  f->report_id = g_strdup (id);
  bc_form_view_load (f->view, f->workbook, id);
  bc_gui_test_wait_loaded (f->view);

  type_and_save (f, "services_level3", "10");
  type_and_save (f, "services_level4", "30");
  assert_computed (f, "services_level4_share", "75%");
  target = bc_gui_test_find_label (editor (f, "services_level4_share"), "Target ≥ 30% — Plan 61/KH-UBND, 2019–2020");
  g_assert_nonnull (target);
  g_assert_true (bc_gui_test_is_shown (target));
  g_assert_true (gtk_widget_has_css_class (target, "success"));   /* 75 % ≥ 30 % */
  type_and_save (f, "services_level4", "1");
  assert_computed (f, "services_level4_share", "9.1%");
  g_assert_true (gtk_widget_has_css_class (target, "warning"));   /* 9.1 % < 30 % */
  g_assert_false (gtk_widget_has_css_class (target, "success"));
  g_assert_true (bc_gui_test_is_shown (bc_gui_test_find_label (editor (f, "docs_fully_electronic_pct"),
                                                               "Target ≥ 90% — ")));

  /* Back on the 2018 report (on the form's version for 2018, built anew),
   * no target at all. */
  g_free (f->report_id);
  f->report_id = g_strdup (old_id);
  bc_form_view_load (f->view, f->workbook, old_id);
  bc_gui_test_wait_loaded (f->view);
  target = bc_gui_test_find_label (editor (f, "services_level4_share"), "Target ≥ 30%");
  g_assert_true (target == NULL || !bc_gui_test_is_shown (target));
}

static gboolean
computed_is (gpointer user_data)
{
  gpointer *args = user_data;
  g_autofree char *text = bc_field_editor_dup_text (args[0]);

  return g_strcmp0 (text, args[1]) == 0;
}

static void
assert_computed (Fixture    *f,
                 const char *field_id,
                 const char *expected)
{
  gpointer args[2] = { editor (f, field_id), (gpointer) expected };

  if (!bc_gui_test_wait (computed_is, args, 10000))
    {
      g_autofree char *text = bc_field_editor_dup_text (args[0]);

      g_error ("%s shows “%s”, not “%s”", field_id, text, expected);
    }
}

static void
test_computed_and_conditions (Fixture       *f,
                              gconstpointer  data)
{
  GtkWidget *scope = editor (f, "eoffice_scope");
  GtkWidget *handled = editor (f, "security_incidents_handled");
  GtkWidget *target;

  /* Computed fields follow every commit. */
  assert_computed (f, "services_total", "—");
  type_and_save (f, "services_level3", "10");
  type_and_save (f, "services_level4", "5");
  assert_computed (f, "services_total", "15");
  assert_computed (f, "services_level4_share", "33.3%");
  type_and_save (f, "services_level4", "30");
  assert_computed (f, "services_total", "40");
  assert_computed (f, "services_level4_share", "75%");

  /* A computed field is read-only: nothing to type into. */
  g_assert_null (bc_gui_test_find_by_type (editor (f, "services_total"), GTK_TYPE_TEXT));

  /* A report of 2018, before Plan 61/KH-UBND was in force, is shown no
   * target (test_targets_of_plan shows a 2020 one with its targets). */
  target = bc_gui_test_find_label (editor (f, "services_level4_share"), "Target");
  g_assert_true (target == NULL || !bc_gui_test_is_shown (target));
  type_and_save (f, "services_level4", "1");
  assert_computed (f, "services_level4_share", "9.1%");

  /* Conditions show and hide fields as values are committed. */
  g_assert_false (bc_gui_test_is_shown (scope));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (input (f, "eoffice_deployed")), 1);
  wait_shown (scope, TRUE);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (input (f, "eoffice_deployed")), 2);
  wait_shown (scope, FALSE);

  g_assert_false (bc_gui_test_is_shown (handled));
  type_and_save (f, "security_incidents", "2");
  wait_shown (handled, TRUE);
  type_and_save (f, "security_incidents_handled", "1");
  assert_stored (f, "security_incidents_handled", "1");
  type_and_save (f, "security_incidents", "0");
  wait_shown (handled, FALSE);
}

/* --- tables ---------------------------------------------------------------- */

static GtkWidget *
button_named (Fixture    *f,
              const char *name)
{
  GtkWidget *button = bc_gui_test_find_by_label (f->window, name);

  if (button == NULL)
    g_error ("no button named “%s”", name);

  return button;
}

static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_is_sensitive (button));
  /* A click focuses the button first, as the pointer does. */
  gtk_widget_grab_focus (button);
  g_signal_emit_by_name (button, "clicked");
}

static guint
n_rows (Fixture    *f,
        const char *table)
{
  g_autoptr(BcReport) report = load (f);

  return bc_report_get_n_rows (report, table);
}

/* The view's counts are those of the check of what is saved. */
static void
assert_counts_of_saved (Fixture *f)
{
  g_autoptr(BcReport) report = load (f);
  g_autoptr(GPtrArray) issues = bc_validate_report (f->template_, report, NULL, f->lang);
  guint n_errors = 0, n_warnings = 0;

  for (guint i = 0; i < issues->len; i++)
    {
      const BcIssue *issue = g_ptr_array_index (issues, i);

      if (issue->severity == BC_SEVERITY_ERROR)
        n_errors++;
      else if (issue->justification == NULL)
        n_warnings++;
    }
  g_assert_cmpuint (bc_form_view_get_n_errors (f->view), ==, n_errors);
  g_assert_cmpuint (bc_form_view_get_n_warnings (f->view), ==, n_warnings);
}

static char *
cell_value (Fixture    *f,
            const char *table,
            guint       row,
            const char *column)
{
  g_autoptr(BcReport) report = load (f);
  g_autofree char *key = g_strconcat (table, ".", column, NULL);

  return g_strdup (bc_report_get_value (report, key, bc_report_get_row_id (report, table, row)));
}

static guint
choice_index (Fixture    *f,
              const char *key,
              const char *value)
{
  const BcField *field = bc_template_lookup_field (f->template_, key);

  for (guint i = 0; i < field->choices->len; i++)
    if (g_str_equal (((BcChoice *) g_ptr_array_index (field->choices, i))->value, value))
      return i + 1;

  g_assert_not_reached ();
}

static void
test_findings_rows (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *add_name = g_strdup_printf ("Add a row to %s", label_of (f, "findings"));
  GtkWidget *add = button_named (f, add_name);
  g_autofree char *value = NULL;
  GtkWidget *summary;
  GtkWidget *focus;

  g_assert_cmpuint (n_rows (f, "findings"), ==, 0);

  /* Two rows; typing goes on in the row just added. */
  click (add);
  bc_gui_test_wait_saved (f->view);
  focus = gtk_root_get_focus (GTK_ROOT (f->window));
  g_assert_nonnull (focus);
  g_assert_true (focus == cell_input (f, "findings.unit", 1) ||
                 gtk_widget_is_ancestor (focus, cell_input (f, "findings.unit", 1)));
  bc_gui_test_type (cell_input (f, "findings.unit", 1), "Văn phòng UBND tỉnh");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (cell_input (f, "findings.status", 1)),
                              choice_index (f, "findings.status", "resolved"));
  bc_gui_test_wait_saved (f->view);

  click (add);
  bc_gui_test_wait_saved (f->view);
  g_assert_cmpuint (n_rows (f, "findings"), ==, 2);
  bc_gui_test_type (cell_input (f, "findings.unit", 2), "Sở Thông tin và Truyền thông");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (cell_input (f, "findings.status", 2)),
                              choice_index (f, "findings.status", "in_progress"));
  bc_gui_test_wait_saved (f->view);

  value = cell_value (f, "findings", 0, "status");
  g_assert_cmpstr (value, ==, "resolved");
  g_clear_pointer (&value, g_free);
  value = cell_value (f, "findings", 1, "status");
  g_assert_cmpstr (value, ==, "in_progress");
  g_clear_pointer (&value, g_free);

  /* The share resolved, per unit and overall, under the table. */
  summary = bc_gui_test_find_label (f->window, "50%");
  g_assert_nonnull (summary);
  g_assert_true (bc_gui_test_is_shown (summary));
  assert_computed (f, "resolved_share", "50%");

  /* A per-row rule shows beside its cell ("what remains" of an open finding). */
  {
    const BcRule *rule = bc_template_lookup_rule (f->template_, "open_needs_remaining");
    GtkWidget *remaining = gtk_widget_get_ancestor (cell_input (f, "findings.remaining", 2),
                                                    BC_TYPE_FIELD_EDITOR);

    g_assert_nonnull (bc_gui_test_find_label (remaining, bc_text_get (&rule->message, f->lang)));
  }

  /* Remove the first row: the second becomes row 1, with its values. */
  click (button_named (f, "Finding 1: remove"));
  bc_gui_test_wait_saved (f->view);
  g_assert_cmpuint (n_rows (f, "findings"), ==, 1);
  assert_counts_of_saved (f);
  /* What is computed from the rows follows: none of those left is resolved. */
  assert_computed (f, "resolved_share", "0%");
  value = cell_value (f, "findings", 0, "unit");
  g_assert_cmpstr (value, ==, "Sở Thông tin và Truyền thông");
  g_clear_pointer (&value, g_free);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (cell_input (f, "findings.unit", 1))), ==,
                   "Sở Thông tin và Truyền thông");
  g_assert_null (bc_gui_test_find_by_label (f->window, "Finding 2: remove"));

  /* Add one more and move it up. The new row is shown before the report
   * is checked again; the check follows, and counts the new row's
   * required fields. */
  {
    guint errors_before = bc_form_view_get_n_errors (f->view);

    click (add);
    bc_gui_test_wait_saved (f->view);
    assert_counts_of_saved (f);
    g_assert_cmpuint (bc_form_view_get_n_errors (f->view), >, errors_before);
  }
  bc_gui_test_type (cell_input (f, "findings.unit", 2), "UBND huyện Lý Sơn");
  bc_gui_test_wait_saved (f->view);
  g_assert_false (gtk_widget_is_sensitive (button_named (f, "Finding 1: move up")));
  g_assert_false (gtk_widget_is_sensitive (button_named (f, "Finding 2: move down")));
  click (button_named (f, "Finding 2: move up"));
  bc_gui_test_wait_saved (f->view);
  value = cell_value (f, "findings", 0, "unit");
  g_assert_cmpstr (value, ==, "UBND huyện Lý Sơn");
  g_clear_pointer (&value, g_free);
  value = cell_value (f, "findings", 1, "unit");
  g_assert_cmpstr (value, ==, "Sở Thông tin và Truyền thông");
  g_clear_pointer (&value, g_free);
  /* The cards follow, and so do their accessible names. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (cell_input (f, "findings.unit", 1))), ==,
                   "UBND huyện Lý Sơn");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (cell_input (f, "findings.unit", 2))), ==,
                   "Sở Thông tin và Truyền thông");

  /* And back down. Until the move is done, no row button acts on the
   * positions about to change: a second click, quicker than the move,
   * removes nothing and moves nothing back. */
  click (button_named (f, "Finding 1: move down"));
  click (button_named (f, "Finding 1: remove"));
  click (button_named (f, "Finding 2: move up"));
  bc_gui_test_wait_saved (f->view);
  g_assert_cmpuint (n_rows (f, "findings"), ==, 2);
  g_assert_true (gtk_widget_is_sensitive (button_named (f, "Finding 1: remove")));
  g_assert_true (gtk_widget_is_sensitive (button_named (f, "Finding 2: move up")));
  value = cell_value (f, "findings", 1, "unit");
  g_assert_cmpstr (value, ==, "UBND huyện Lý Sơn");
  g_clear_pointer (&value, g_free);

  /* A row added while the user goes on typing elsewhere does not take
   * the focus away. */
  click (add);
  gtk_widget_grab_focus (cell_input (f, "findings.unit", 1));
  focus = gtk_root_get_focus (GTK_ROOT (f->window));
  bc_gui_test_wait_saved (f->view);
  g_assert_cmpuint (n_rows (f, "findings"), ==, 3);
  g_assert_true (gtk_root_get_focus (GTK_ROOT (f->window)) == focus);
}

/* --- the issue list, focus, keyboard --------------------------------------- */

static void
test_issue_list_and_focus (Fixture       *f,
                           gconstpointer  data)
{
  BcIssueList *list = BC_ISSUE_LIST (bc_gui_test_find_by_type (f->window, BC_TYPE_ISSUE_LIST));
  GtkWidget *row = NULL;
  GtkWidget *focus;
  guint index = G_MAXUINT;

  g_assert_nonnull (list);

  /* A blank required field is listed; activating it focuses the field. */
  g_assert_cmpuint (bc_issue_list_get_n_items (list), >, 0);
  g_assert_cmpuint (bc_form_view_get_n_errors (f->view), >, 0);
  for (guint i = 0; i < bc_issue_list_get_n_items (list); i++)
    if (g_strcmp0 (bc_issue_list_get_path (list, i), "signer_name") == 0)
      index = i;
  g_assert_cmpuint (index, !=, G_MAXUINT);

  row = GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (bc_gui_test_find_by_type (GTK_WIDGET (list), GTK_TYPE_LIST_BOX)),
                                                   (int) index));
  gtk_widget_activate (row);
  bc_gui_test_spin (50);
  focus = gtk_root_get_focus (GTK_ROOT (f->window));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, editor (f, "signer_name")));
  g_assert_cmpstr (bc_form_view_get_focus_path (f->view), ==, "signer_name");

  /* Paths as people write them. */
  g_assert_true (bc_form_view_focus_path (f->view, "services.services_level3"));
  g_assert_cmpstr (bc_form_view_get_focus_path (f->view), ==, "services_level3");
  g_assert_false (bc_form_view_focus_path (f->view, "no_such_field"));
  /* A hidden field is not shown, so it cannot take the focus. */
  g_assert_false (bc_form_view_focus_path (f->view, "eoffice_scope"));
  g_assert_false (bc_form_view_focus_path (f->view, "services_by_sector[1].sector"));

  /* Tab walks the form in order. */
  g_assert_true (bc_form_view_focus_path (f->view, "doc_number"));
  {
    const char *expected[] = { "doc_place", "doc_date", "doc_title" };

    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        g_autofree char *before = g_strdup (bc_form_view_get_focus_path (f->view));
        guint steps = 0;

        /* The date's calendar button is one more stop in its field. */
        while (g_strcmp0 (bc_form_view_get_focus_path (f->view), before) == 0 && steps++ < 4)
          g_assert_true (gtk_widget_child_focus (f->window, GTK_DIR_TAB_FORWARD));
        g_assert_cmpstr (bc_form_view_get_focus_path (f->view), ==, expected[i]);
      }
  }
}

static void
check_named (GtkWidget *widget,
             guint     *n_checked)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    check_named (child, n_checked);

  if (!GTK_IS_ENTRY (widget) && !GTK_IS_DROP_DOWN (widget) && !GTK_IS_TEXT_VIEW (widget))
    return;
  if (gtk_widget_get_ancestor (widget, BC_TYPE_FIELD_EDITOR) == NULL)
    return;

  if (!gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL))
    g_error ("an input of %s has no accessible name",
             gtk_widget_get_name (gtk_widget_get_ancestor (widget, BC_TYPE_FIELD_EDITOR)));
  (*n_checked)++;
}

static void
test_every_input_named (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *add_name = g_strdup_printf ("Add a row to %s", label_of (f, "services_by_sector"));
  guint n_checked = 0;

  /* Cells too: "Sector 1: Sector". */
  click (button_named (f, add_name));
  bc_gui_test_wait_saved (f->view);
  g_assert_nonnull (cell_input (f, "services_by_sector.sector", 1));

  check_named (f->window, &n_checked);
  g_assert_cmpuint (n_checked, >=, 50);
}

/* --- ready, read-only, failed saves ---------------------------------------- */

static void
fill_required (Fixture *f)
{
  static const struct { const char *id; const char *text; } values[] = {
    { "issuing_body", "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI" },
    { "doc_number", "140/BC-UBND" },
    { "doc_place", "Quảng Ngãi" },
    { "doc_date", "21/6/2018" },
    { "doc_title", "Về tình hình thực hiện và kết quả triển khai xây dựng Chính phủ điện tử" },
    { "addressee", "Văn phòng Chính phủ" },
    { "signer_title", "PHÓ CHỦ TỊCH" },
    { "signer_name", "Phạm Trường Thọ" },
    { "docs_fully_electronic_pct", "85" },
    { "docs_parallel_paper_pct", "15" },
    { "one_stop_units_deployed", "20" },
    { "services_level3", "100" },
    { "services_level4", "10" },
    { "services_new_this_quarter", "5" },
    { "services_with_dossiers", "0" },
    { "dossiers_received", "900" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    bc_gui_test_type (input (f, values[i].id), values[i].text);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (input (f, "eoffice_deployed")), 1);
  bc_gui_test_wait_saved (f->view);
}

static gboolean
failed (gpointer user_data)
{
  return bc_form_view_get_save_state (user_data) == BC_SAVE_STATE_FAILED;
}

static void
test_ready_and_read_only (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  GtkWidget *justification;
  GtkWidget *banner;

  /* A blank report cannot be marked ready. */
  g_assert_false (bc_workbook_set_status (f->workbook, f->report_id, BC_STATUS_READY, NULL, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_READY);
  g_clear_error (&error);

  fill_required (f);
  g_assert_cmpuint (bc_form_view_get_n_errors (f->view), ==, 0);

  /* Dossiers received through no service: a warning, justified in place. */
  g_assert_cmpuint (bc_form_view_get_n_warnings (f->view), >, 0);
  while ((justification = bc_gui_test_find_by_name (f->window, "justification")) != NULL &&
         bc_form_view_get_n_warnings (f->view) > 0)
    {
      if (*gtk_editable_get_text (GTK_EDITABLE (justification)) != '\0')
        break;
      bc_gui_test_type (justification, "Hồ sơ được nhận qua dịch vụ công của Bộ, không qua dịch vụ của tỉnh.");
      bc_gui_test_wait_saved (f->view);
    }
  g_assert_cmpuint (bc_form_view_get_n_warnings (f->view), ==, 0);
  g_assert_cmpuint (bc_form_view_get_n_errors (f->view), ==, 0);

  /* What the form shows as clean, the core accepts. */
  g_assert_true (bc_workbook_set_status (f->workbook, f->report_id, BC_STATUS_READY, NULL, &error));
  g_assert_no_error (error);

  /* An edit made while the form still shows a draft fails, says why, and
   * keeps what was typed. */
  bc_gui_test_type (input (f, "doc_place"), "Trà Bồng");
  g_assert_true (bc_gui_test_wait (failed, f->view, 10000));
  g_assert_nonnull (bc_form_view_get_save_error (f->view));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (input (f, "doc_place"))), ==, "Trà Bồng");
  g_assert_nonnull (message_under (f, "doc_place", "Could not save:"));
  assert_stored (f, "doc_place", "Quảng Ngãi");

  /* The snapshot after the failure already shows the report read-only. */
  banner = bc_gui_test_find_label (f->window, "This report is ready");
  g_assert_nonnull (banner);
  wait_shown (banner, TRUE);
  g_assert_false (gtk_widget_is_sensitive (input (f, "doc_number")));
  g_assert_false (gtk_widget_is_sensitive (input (f, "eoffice_deployed")));

  /* Back to draft, reloaded: editable again. */
  g_assert_true (bc_workbook_set_status (f->workbook, f->report_id, BC_STATUS_DRAFT, NULL, &error));
  g_assert_no_error (error);
  bc_form_view_reload (f->view);
  wait_shown (banner, FALSE);
  g_assert_true (gtk_widget_is_sensitive (input (f, "doc_number")));
  report = load (f);
  g_assert_cmpint (bc_report_get_status (report), ==, BC_STATUS_DRAFT);

  /* The text that could not be saved is still there, still marked; Enter
   * tries again, and now it is saved. */
  g_assert_cmpint (bc_form_view_get_save_state (f->view), ==, BC_SAVE_STATE_FAILED);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (input (f, "doc_place"))), ==, "Trà Bồng");
  press_enter (input (f, "doc_place"));
  bc_gui_test_wait_saved (f->view);
  assert_stored (f, "doc_place", "Trà Bồng");
  g_assert_null (message_under (f, "doc_place", "Could not save:"));
}


typedef struct {
  GAsyncResult *result;
} ResultData;

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  ResultData *data = user_data;

  data->result = g_object_ref (result);
}

static gboolean
has_result (gpointer user_data)
{
  ResultData *data = user_data;

  return data->result != NULL;
}

static gboolean
change_status (Fixture   *f,
               BcStatus   status,
               gboolean   typed_read_only,
               GError   **error)
{
  ResultData data = { NULL };
  gboolean ok;

  bc_form_view_change_status_async (f->view, status, NULL, got_result, &data);
  if (typed_read_only)
    {
      /* Read-only from the call on: nothing typed meanwhile can be lost. */
      g_assert_false (gtk_widget_is_sensitive (input (f, "doc_place")));
      g_assert_false (gtk_widget_is_sensitive (input (f, "doc_number")));
    }
  g_assert_true (bc_gui_test_wait (has_result, &data, 20000));
  ok = bc_form_view_change_status_finish (f->view, data.result, error);
  g_object_unref (data.result);

  return ok;
}

static void
justify_warnings (Fixture *f)
{
  GtkWidget *justification;

  while ((justification = bc_gui_test_find_by_name (f->window, "justification")) != NULL &&
         bc_form_view_get_n_warnings (f->view) > 0)
    {
      if (*gtk_editable_get_text (GTK_EDITABLE (justification)) != '\0')
        break;
      bc_gui_test_type (justification, "Hồ sơ được nhận qua dịch vụ công của Bộ, không qua dịch vụ của tỉnh.");
      bc_gui_test_wait_saved (f->view);
    }
  g_assert_cmpuint (bc_form_view_get_n_warnings (f->view), ==, 0);
}

static void
test_change_status (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;

  fill_required (f);
  justify_warnings (f);

  /* A value that does not fit refuses the change, and nothing changes. */
  bc_gui_test_type (input (f, "doc_date"), "31/02/2018");
  g_assert_false (change_status (f, BC_STATUS_READY, FALSE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_true (gtk_widget_is_sensitive (input (f, "doc_place")));
  report = load (f);
  g_assert_cmpint (bc_report_get_status (report), ==, BC_STATUS_DRAFT);
  g_clear_object (&report);
  type_and_save (f, "doc_date", "21/6/2018");

  /* Typed and marked ready at once: the value is committed first, and the
   * form is read-only from the call on. */
  bc_gui_test_type (input (f, "doc_place"), "Trà Bồng");
  g_assert_true (change_status (f, BC_STATUS_READY, TRUE, &error));
  g_assert_no_error (error);
  report = load (f);
  g_assert_cmpint (bc_report_get_status (report), ==, BC_STATUS_READY);
  g_assert_cmpstr (bc_report_get_value (report, "doc_place", 0), ==, "Trà Bồng");
  g_clear_object (&report);
  g_assert_cmpint (bc_report_get_status (bc_form_view_get_report (f->view)), ==, BC_STATUS_READY);
  g_assert_false (gtk_widget_is_sensitive (input (f, "doc_place")));
  wait_shown (bc_gui_test_find_label (f->window, "This report is ready"), TRUE);

  /* Back to draft: editable again. */
  g_assert_true (change_status (f, BC_STATUS_DRAFT, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (gtk_widget_is_sensitive (input (f, "doc_place")));
  type_and_save (f, "doc_number", "141/BC-UBND");
  assert_stored (f, "doc_number", "141/BC-UBND");
}


static void
on_background_failed (BcFormView *view,
                      const char *report_id,
                      const char *message,
                      char      **out)
{
  g_assert_nonnull (message);
  g_free (*out);
  *out = g_strdup (report_id);
}

static gboolean
is_set (gpointer user_data)
{
  return *(char **) user_data != NULL;
}

/* An edit that fails after its report was left is told, and shown again
 * when the report comes back. */
static void
test_background_failure (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first_id = g_strdup (f->report_id);
  g_autofree char *second_id = NULL;
  g_autofree char *failed_id = NULL;

  fill_required (f);
  justify_warnings (f);
  second_id = bc_workbook_create_report (f->workbook, "egov-quarterly", "2018Q3", "UBND-QNG", &error);
  g_assert_no_error (error);
  g_signal_connect (f->view, "background-save-failed", G_CALLBACK (on_background_failed), &failed_id);

  /* Marked ready elsewhere: the next edit of the form fails, after the
   * form has moved on to another report. */
  g_assert_true (bc_workbook_set_status (f->workbook, first_id, BC_STATUS_READY, NULL, &error));
  g_assert_no_error (error);
  bc_gui_test_type (input (f, "doc_place"), "Trà Bồng");
  bc_form_view_load (f->view, f->workbook, second_id);
  bc_gui_test_wait_loaded (f->view);
  g_assert_true (bc_gui_test_wait (is_set, &failed_id, 10000));
  g_assert_cmpstr (failed_id, ==, first_id);
  g_assert_true (bc_gui_test_wait (not_saving, f->view, 10000));
  g_assert_cmpint (bc_form_view_get_save_state (f->view), !=, BC_SAVE_STATE_FAILED);
  assert_stored (f, "doc_place", "Quảng Ngãi");

  /* Back: the failure is there, beside its field. */
  bc_form_view_load (f->view, f->workbook, first_id);
  bc_gui_test_wait_loaded (f->view);
  g_assert_true (bc_gui_test_wait (not_saving, f->view, 10000));
  g_assert_cmpint (bc_form_view_get_save_state (f->view), ==, BC_SAVE_STATE_FAILED);
  g_assert_nonnull (bc_form_view_get_save_error (f->view));
  g_assert_nonnull (message_under (f, "doc_place", "Could not save:"));
}

/* --- several reports ------------------------------------------------------- */

static void
test_switch_reports (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first_id = g_strdup (f->report_id);
  g_autofree char *second_id = NULL;
  g_autofree char *value = NULL;
  GtkWidget *doc_number_editor = editor (f, "doc_number");

  second_id = bc_workbook_create_report (f->workbook, "egov-quarterly", "2018Q3", "UBND-QNG", &error);
  g_assert_no_error (error);

  /* Typed in the first report, and not yet committed when the second is
   * opened: it goes to the first. */
  bc_gui_test_type (input (f, "doc_number"), "140/BC-UBND");
  bc_gui_test_type (input (f, "docs_fully_electronic_pct"), "150");
  bc_form_view_load (f->view, f->workbook, second_id);
  bc_gui_test_wait_loaded (f->view);
  g_assert_cmpstr (bc_form_view_get_report_id (f->view), ==, second_id);

  /* The second report's values, nothing of the first's typing: not the
   * text, not its error. The widgets of the same template are kept. */
  g_assert_true (editor (f, "doc_number") == doc_number_editor);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (input (f, "doc_number"))), ==, "");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (input (f, "docs_fully_electronic_pct"))), ==, "");
  g_assert_null (message_under (f, "docs_fully_electronic_pct", "Not saved:"));
  g_assert_cmpint (bc_form_view_get_save_state (f->view), ==, BC_SAVE_STATE_IDLE);

  type_and_save (f, "doc_number", "200/BC-UBND");

  {
    g_autoptr(BcReport) first = bc_workbook_load_report (f->workbook, first_id, &error);
    g_autoptr(BcReport) second = bc_workbook_load_report (f->workbook, second_id, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (bc_report_get_value (first, "doc_number", 0), ==, "140/BC-UBND");
    g_assert_cmpstr (bc_report_get_value (first, "docs_fully_electronic_pct", 0), ==, NULL);
    g_assert_cmpstr (bc_report_get_value (second, "doc_number", 0), ==, "200/BC-UBND");
  }

  /* And back. */
  bc_form_view_load (f->view, f->workbook, first_id);
  bc_gui_test_wait_loaded (f->view);
  value = g_strdup (gtk_editable_get_text (GTK_EDITABLE (input (f, "doc_number"))));
  g_assert_cmpstr (value, ==, "140/BC-UBND");

  /* Left and chosen again before an edit of it is saved (quick arrow keys
   * in the report list): the edit is kept and shown once the report is. */
  bc_gui_test_type (input (f, "doc_number"), "141/BC-UBND");
  bc_form_view_load (f->view, f->workbook, second_id);
  bc_form_view_load (f->view, f->workbook, first_id);
  bc_gui_test_wait_loaded (f->view);
  g_assert_true (bc_gui_test_wait (not_saving, f->view, 10000));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (input (f, "doc_number"))), ==, "141/BC-UBND");
  assert_stored (f, "doc_number", "141/BC-UBND");

  /* Another template: another form. */
  {
    g_autofree char *inspection_id = bc_workbook_create_report (f->workbook, "inspection-remediation",
                                                                "2018Q3", "UBND-QNG", &error);

    g_assert_no_error (error);
    bc_form_view_load (f->view, f->workbook, inspection_id);
    bc_gui_test_wait_loaded (f->view);
    g_assert_null (bc_gui_test_find_by_name (f->window, "services_level3"));
    g_assert_nonnull (bc_gui_test_find_by_name (f->window, "findings"));
  }

  /* Nothing: the empty page. */
  bc_form_view_load (f->view, NULL, NULL);
  g_assert_null (bc_form_view_get_report (f->view));
  g_assert_null (bc_form_view_get_report_id (f->view));
  g_assert_cmpint (bc_form_view_get_save_state (f->view), ==, BC_SAVE_STATE_IDLE);
}

/* --- the first screenful first ----------------------------------------------- */

static gboolean
report_shown (gpointer user_data)
{
  BcFormView *view = user_data;
  BcReport *report = bc_form_view_get_report (view);

  return report != NULL &&
         g_strcmp0 (bc_report_get_id (report), bc_form_view_get_report_id (view)) == 0;
}

static gboolean
view_complete (gpointer user_data)
{
  return bc_form_view_is_complete (user_data);
}

static char *
text_of (GtkWidget  *window,
         const char *key)
{
  GtkWidget *widget = bc_gui_test_find_by_name (window, key);

  g_assert_true (BC_IS_FIELD_EDITOR (widget));

  return bc_field_editor_dup_text (BC_FIELD_EDITOR (widget));
}

/* The scalar fields' editors in widget order, which is Tab order. */
static void
collect_editor_names (GtkWidget *widget,
                      GPtrArray *names)
{
  if (BC_IS_TABLE_EDITOR (widget))
    return;
  if (BC_IS_FIELD_EDITOR (widget))
    {
      g_ptr_array_add (names, g_strdup (gtk_widget_get_name (widget)));
      return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_editor_names (child, names);
}

/* The largest form draws its first screenful without waiting for the rest,
 * which follows on its own, in reading order; a jump to a field further
 * down finds it at once, showing what the report holds. */
static void
test_first_screenful (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) expected = g_ptr_array_new ();
  GPtrArray *sections = bc_template_get_sections (f->template_);
  const struct { const char *key, *value; } values[] = {
    { "budget_text", "Provincial budget and a grant" },
    { "difficulties_text", "Too few IT staff in the communes" },
    { "recommendations_text", "Train the one-stop officers" },
  };
  BcFormView *view;
  GtkWidget *window, *focus, *target;

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      bc_workbook_set_value (f->workbook, f->report_id, values[i].key, 0, values[i].value, &error);
      g_assert_no_error (error);
    }

  window = bc_gui_test_window_new (&view);
  bc_form_view_load (view, f->workbook, f->report_id);
  g_assert_true (bc_gui_test_wait (report_shown, view, 20000));

  /* What the first frame holds: the top of the form, not all of it. */
  g_assert_nonnull (bc_gui_test_find_by_name (window, "doc_number"));
  g_assert_false (bc_form_view_is_complete (view));
  g_assert_null (bc_gui_test_find_by_name (window, "recommendations_text"));

  /* Tab from the last field built goes on into the next section, not out
   * of the form. */
  {
    const BcSection *first = g_ptr_array_index (sections, 0);
    const BcField *last = g_ptr_array_index (first->fields, first->fields->len - 1);
    GtkWidget *next_section;

    g_assert_true (bc_form_view_focus_path (view, last->id));
    g_assert_true (gtk_widget_child_focus (window, GTK_DIR_TAB_FORWARD));
    next_section = bc_gui_test_find_by_name (window, ((const BcSection *) g_ptr_array_index (sections, 1))->id);
    g_assert_nonnull (next_section);
    focus = gtk_root_get_focus (GTK_ROOT (window));
    g_assert_nonnull (focus);
    g_assert_true (gtk_widget_is_ancestor (focus, next_section));
  }

  /* A jump to a problem far down does not wait for the rest. */
  g_assert_true (bc_form_view_focus_path (view, "difficulties_text"));
  target = bc_gui_test_find_by_name (window, "difficulties_text");
  g_assert_nonnull (target);
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, target));
  g_assert_cmpstr (bc_form_view_get_focus_path (view), ==, "difficulties_text");
  {
    g_autofree char *text = text_of (window, "difficulties_text");

    g_assert_cmpstr (text, ==, values[1].value);
  }

  /* The rest comes on its own, with the report's values. */
  g_assert_true (bc_gui_test_wait (view_complete, view, 10000));
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *text = text_of (window, values[i].key);

      g_assert_cmpstr (text, ==, values[i].value);
    }
  /* The focus stayed where the jump put it. */
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_true (focus != NULL && gtk_widget_is_ancestor (focus, target));

  /* Every field, in the form's reading order (which Tab follows). */
  for (guint s = 0; s < sections->len; s++)
    {
      const BcSection *section = g_ptr_array_index (sections, s);

      for (guint i = 0; i < section->fields->len; i++)
        {
          const BcField *field = g_ptr_array_index (section->fields, i);

          if (field->type != BC_FIELD_TABLE)
            g_ptr_array_add (expected, field->id);
        }
    }
  collect_editor_names (window, names);
  g_assert_cmpuint (names->len, ==, expected->len);
  for (guint i = 0; i < names->len; i++)
    g_assert_cmpstr (g_ptr_array_index (names, i), ==, g_ptr_array_index (expected, i));

  gtk_window_destroy (GTK_WINDOW (window));
  bc_gui_test_spin (50);
}

/* The problems list and the Mark Ready refusal name a row as the form
 * does ("Finding 12"), never by internal id. */
static void
test_issue_place (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplateRegistry) registry = bc_template_registry_new_default (&error);
  BcTemplate *template_;
  BcIssue issue = {
    .rule_id = (char *) "required:findings.planned_completion",
    .severity = BC_SEVERITY_ERROR,
    .path = (char *) "findings[12].planned_completion",
    .key = (char *) "findings.planned_completion",
    .row_id = 12,
    .message = (char *) "",
  };
  g_autofree char *en = NULL;
  g_autofree char *vi = NULL;

  g_assert_no_error (error);
  template_ = bc_template_registry_lookup_latest (registry, "inspection-remediation", &error);
  g_assert_no_error (error);

  en = bc_issue_dup_place (template_, &issue, "en");
  g_assert_cmpstr (en, ==, "II. Remediation by inspected unit › Finding 12 › Planned completion");
  vi = bc_issue_dup_place (template_, &issue, "vi");
  g_assert_nonnull (strstr (vi, " › Tồn tại 12 › "));
  g_assert_null (strchr (vi, '['));
}

static gboolean
pointer_cleared (gpointer user_data)
{
  return *(gpointer *) user_data == NULL;
}

/* Another form replaces the one shown: the old widgets are off the window
 * at once and freed soon after, not kept. */
static void
test_old_form_freed (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *other = NULL;
  GtkWidget *old_editor = editor (f, "doc_number");

  g_object_add_weak_pointer (G_OBJECT (old_editor), (gpointer *) &old_editor);
  other = bc_workbook_create_report (f->workbook, "inspection-remediation", "2018Q3", "UBND-QNG", &error);
  g_assert_no_error (error);
  bc_form_view_load (f->view, f->workbook, other);
  bc_gui_test_wait_loaded (f->view);
  g_assert_true (old_editor == NULL || gtk_widget_get_root (old_editor) == NULL);
  g_assert_true (bc_gui_test_wait (pointer_cleared, &old_editor, 5000));
}

int
main (int    argc,
      char **argv)
{
  int status;

  test_home = bc_gui_test_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app/form-view/issue-place", test_issue_place);

  g_test_add ("/app/form-view/types-and-saves", Fixture, "egov-quarterly",
              fixture_set_up, test_types_and_saves, fixture_tear_down);
  g_test_add ("/app/form-view/rapid-edits-in-order", Fixture, "egov-quarterly",
              fixture_set_up, test_rapid_edits_in_order, fixture_tear_down);
  g_test_add ("/app/form-view/invalid-percentage", Fixture, "egov-quarterly",
              fixture_set_up, test_invalid_percentage, fixture_tear_down);
  g_test_add ("/app/form-view/invalid-not-saved", Fixture, "egov-quarterly",
              fixture_set_up, test_invalid_not_saved, fixture_tear_down);
  g_test_add ("/app/form-view/warning-justification", Fixture, "egov-quarterly",
              fixture_set_up, test_warning_justification, fixture_tear_down);
  g_test_add ("/app/form-view/computed-and-conditions", Fixture, "egov-quarterly",
              fixture_set_up, test_computed_and_conditions, fixture_tear_down);
  g_test_add ("/app/form-view/targets-of-plan", Fixture, "egov-quarterly",
              fixture_set_up, test_targets_of_plan, fixture_tear_down);
  g_test_add ("/app/form-view/findings-rows", Fixture, "inspection-remediation",
              fixture_set_up, test_findings_rows, fixture_tear_down);
  g_test_add ("/app/form-view/issue-list-and-focus", Fixture, "egov-quarterly",
              fixture_set_up, test_issue_list_and_focus, fixture_tear_down);
  g_test_add ("/app/form-view/every-input-named", Fixture, "egov-quarterly",
              fixture_set_up, test_every_input_named, fixture_tear_down);
  g_test_add ("/app/form-view/ready-and-read-only", Fixture, "egov-quarterly",
              fixture_set_up, test_ready_and_read_only, fixture_tear_down);
  g_test_add ("/app/form-view/change-status", Fixture, "egov-quarterly",
              fixture_set_up, test_change_status, fixture_tear_down);

  g_test_add ("/app/form-view/background-failure", Fixture, "egov-quarterly",
              fixture_set_up, test_background_failure, fixture_tear_down);
  g_test_add ("/app/form-view/switch-reports", Fixture, "egov-quarterly",
              fixture_set_up, test_switch_reports, fixture_tear_down);
  g_test_add ("/app/form-view/first-screenful", Fixture, "egov-quarterly",
              fixture_set_up, test_first_screenful, fixture_tear_down);
  g_test_add ("/app/form-view/old-form-freed", Fixture, "egov-quarterly",
              fixture_set_up, test_old_form_freed, fixture_tear_down);

  status = g_test_run ();

  bc_test_remove_tree (test_home);
  g_free (test_home);

  return status;
}
