/* test-gui-input.c: real key presses and clicks, the focus chain and sizes.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The helpers of bc-gui-test.c send input through the X server, as a person
 * does. These tests first show on small windows that the helpers see what
 * widget APIs hide (a read-only entry, a keyboard trap, a squeezed label),
 * then drive the shipped quarterly form of the demo workbook with them.
 */
#define G_LOG_DOMAIN "test-gui-input"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "bc-demo.h"
#include "bc-gui-test.h"
#include "bc-i18n.h"
#include "bc-table-editor.h"

static char *test_home;

/* Issue 7: Tab sticks at the quarterly form's computed fields. While this
 * is 1, a trap in the real form is reported as an incomplete test (TODO in
 * TAP, "incomplete" in the CI summary) instead of a failure. Set it to 0
 * once the fix (branch window7) is merged, so that a new trap fails. */
#define KNOWN_TRAP_ISSUE_7 0
/* Issue 7 too: the problems popover is ~170 px wide and breaks its words
 * letter by letter. Set to 0 once the fix (branch window7b) is merged. */
#define KNOWN_SQUEEZED_POPOVER_ISSUE_7 0

static GtkWidget *
window_with (GtkWidget *child)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 600, 400);
  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (bc_gui_test_wait ((BcGuiTestCondition) gtk_widget_get_mapped, window, 5000));
  bc_gui_test_spin (50);

  return window;
}

static GtkWidget *
named_entry (const char *name)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_widget_set_name (entry, name);
  return entry;
}

/* --- the helpers, on small windows ------------------------------------------ */

static void
test_keys_reach_entry (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *entry = named_entry ("entry");
  GtkWidget *locked = named_entry ("locked");
  GtkWidget *window;

  if (!bc_gui_test_real_input_available ())
    return;

  gtk_editable_set_editable (GTK_EDITABLE (locked), FALSE);
  gtk_editable_set_text (GTK_EDITABLE (locked), "140");
  gtk_box_append (GTK_BOX (box), entry);
  gtk_box_append (GTK_BOX (box), locked);
  window = window_with (box);

  /* Letters, digits, capitals and Vietnamese letters missing from the
   * keyboard map all arrive as typed. */
  bc_gui_test_type_keys (entry, "Số 140/BC-UBND");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "Số 140/BC-UBND");

  /* Ctrl+A then typing replaces, as for a person. */
  bc_gui_test_type_keys (entry, "12");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "12");

  /* Keys do not write into a read-only entry (gtk_editable_insert_text
   * would have). */
  bc_gui_test_click (locked);
  bc_gui_test_key_type (window, "9");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (locked)), ==, "140");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_assert_editable_refuses_read_only (void)
{
  if (g_test_subprocess ())
    {
      GtkWidget *entry = named_entry ("locked");
      GtkWidget *window;

      gtk_editable_set_editable (GTK_EDITABLE (entry), FALSE);
      window = window_with (entry);
      bc_gui_test_assert_editable (entry);
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*read-only*");
}

/* bc_gui_test_type() writes through GtkEditable, which a read-only entry
 * accepts: the helper refuses, as the keyboard would. */
static void
test_type_refuses_read_only (void)
{
  if (g_test_subprocess ())
    {
      GtkWidget *entry = named_entry ("locked");
      GtkWidget *window;

      gtk_editable_set_editable (GTK_EDITABLE (entry), FALSE);
      window = window_with (entry);
      bc_gui_test_type (entry, "9");
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*read-only*");
}

static void
clicked (GtkButton *button,
         guint     *n_clicks)
{
  (*n_clicks)++;
}

static void
test_click (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *button = gtk_button_new_with_label ("Thêm dòng");
  GtkWidget *other = gtk_button_new_with_label ("Xoá");
  GtkWidget *window;
  guint n_clicks = 0, n_other = 0;

  if (!bc_gui_test_real_input_available ())
    return;

  g_signal_connect (button, "clicked", G_CALLBACK (clicked), &n_clicks);
  g_signal_connect (other, "clicked", G_CALLBACK (clicked), &n_other);
  gtk_box_append (GTK_BOX (box), button);
  gtk_box_append (GTK_BOX (box), other);
  window = window_with (box);

  bc_gui_test_click (button);
  g_assert_cmpuint (n_clicks, ==, 1);
  g_assert_cmpuint (n_other, ==, 0);
  bc_gui_test_click (other);
  g_assert_cmpuint (n_clicks, ==, 1);
  g_assert_cmpuint (n_other, ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Three inputs with a read-only value between the first two, shown the
 * way Baocao shows a computed field: a selectable label. With `trap`, the
 * label is left as GTK 4.8 makes it a trap: selectable but not focusable,
 * so its focus handler claims Tab without taking the focus. */
static GtkWidget *
form_box (gboolean trap)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *value = gtk_label_new ("94");

  gtk_box_append (GTK_BOX (box), named_entry ("first"));
  if (trap)
    {
      gtk_label_set_selectable (GTK_LABEL (value), TRUE);
      gtk_widget_set_focusable (value, FALSE);
    }
  gtk_box_append (GTK_BOX (box), value);
  gtk_box_append (GTK_BOX (box), named_entry ("second"));
  gtk_box_append (GTK_BOX (box), named_entry ("third"));

  return box;
}

static void
test_focus_walk (void)
{
  for (guint trap = 0; trap <= 1; trap++)
    {
      GtkWidget *outer = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      GtkWidget *box = form_box (trap);
      GtkWidget *after = gtk_button_new_with_label ("Sau");
      GtkWidget *first, *third, *stuck = NULL;
      g_autoptr(GPtrArray) forward = NULL;
      g_autoptr(GPtrArray) backward = NULL;
      GtkWidget *window;

      if (!bc_gui_test_real_input_available ())
        return;

      gtk_box_append (GTK_BOX (outer), box);
      gtk_box_append (GTK_BOX (outer), after);
      window = window_with (outer);
      first = bc_gui_test_find_by_name (box, "first");
      third = bc_gui_test_find_by_name (box, "third");

      forward = bc_gui_test_walk_focus (box, first, FALSE, 20, &stuck);
      if (trap)
        {
          /* Stuck at the input before the read-only value. */
          g_assert_true (stuck == first);
          g_assert_cmpuint (forward->len, ==, 1);
        }
      else
        {
          g_assert_null (stuck);
          g_assert_cmpuint (forward->len, ==, 3);
          g_assert_true (g_ptr_array_index (forward, 2) == third);
        }

      backward = bc_gui_test_walk_focus (box, third, TRUE, 20, &stuck);
      if (trap)
        g_assert_true (stuck == bc_gui_test_find_by_name (box, "second"));
      else
        {
          g_assert_null (stuck);
          g_assert_cmpuint (backward->len, ==, 3);
          g_assert_true (g_ptr_array_index (backward, 2) == first);
        }

      gtk_window_destroy (GTK_WINDOW (window));
    }
}

static void
test_sizes (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *narrow = gtk_label_new ("Subject of the inspection");
  GtkWidget *wide = gtk_label_new ("Subject of the inspection");
  GtkWidget *window;
  g_autofree char *report = NULL;

  gtk_label_set_wrap (GTK_LABEL (narrow), TRUE);
  gtk_label_set_wrap (GTK_LABEL (wide), TRUE);
  gtk_box_append (GTK_BOX (box), wide);
  window = window_with (box);

  report = bc_gui_test_check_sizes (window);
  g_assert_cmpstr (report, ==, NULL);

  /* Squeezed into 20 px and broken letter by letter, as the issue list's
   * popover was. */
  gtk_label_set_wrap_mode (GTK_LABEL (narrow), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_size_request (narrow, 20, -1);
  gtk_widget_set_hexpand (narrow, FALSE);
  gtk_label_set_max_width_chars (GTK_LABEL (narrow), 1);
  gtk_box_append (GTK_BOX (box), narrow);
  bc_gui_test_spin (100);
  report = bc_gui_test_check_sizes (window);
  g_assert_nonnull (report);
  g_assert_nonnull (strstr (report, "breaks its words"));
  gtk_box_remove (GTK_BOX (box), narrow);
  g_clear_pointer (&report, g_free);

  /* A popover too narrow for its text: found once it is open. */
  if (!bc_gui_test_real_input_available ())
    {
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }
  {
    GtkWidget *button = gtk_menu_button_new ();
    GtkWidget *popover = gtk_popover_new ();
    GtkWidget *text = gtk_label_new ("“Subject” is required.");

    gtk_label_set_wrap (GTK_LABEL (text), TRUE);
    gtk_label_set_wrap_mode (GTK_LABEL (text), PANGO_WRAP_WORD_CHAR);
    gtk_label_set_max_width_chars (GTK_LABEL (text), 1);
    gtk_popover_set_child (GTK_POPOVER (popover), text);
    gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);
    gtk_menu_button_set_label (GTK_MENU_BUTTON (button), "3 errors");
    gtk_box_append (GTK_BOX (box), button);
    bc_gui_test_spin (50);

    report = bc_gui_test_check_sizes (window);
    g_assert_cmpstr (report, ==, NULL);
    bc_gui_test_click (button);
    g_assert_true (gtk_widget_get_mapped (popover));
    report = bc_gui_test_check_sizes (window);
    g_assert_nonnull (report);
    g_assert_nonnull (strstr (report, "“Subject” is required."));
    /* Closed as a person closes it, so that its grab ends. */
    bc_gui_test_press_key (window, GDK_KEY_Escape, 0);
    g_assert_false (gtk_widget_get_mapped (popover));
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* --- the shipped quarterly form, on the demo workbook ------------------------ */

typedef struct {
  char               *dir;
  BcTemplateRegistry *templates;
  BcWorkbook         *workbook;
  char               *report_id;
  BcTemplate         *template_;
  GtkWidget          *window;
  BcFormView         *view;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const char *template_id = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) reports = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autofree char *path = NULL;

  f->dir = g_build_filename (test_home, "XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (f->dir));
  path = g_build_filename (f->dir, "demo.baocao", NULL);
  g_assert_true (bc_demo_install (path, &error));
  g_assert_no_error (error);

  f->templates = bc_template_registry_new_default (&error);
  g_assert_no_error (error);
  f->workbook = bc_workbook_open (path, f->templates, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_no_error (error);

  /* The demo's newest report of the form: a draft a trainee fills in. */
  reports = bc_workbook_list_reports (f->workbook, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < reports->len && f->report_id == NULL; i++)
    {
      BcReportSummary *summary = g_ptr_array_index (reports, i);

      if (g_str_equal (summary->template_id, template_id))
        {
          g_assert_cmpint (summary->status, ==, BC_STATUS_DRAFT);
          f->report_id = g_strdup (summary->id);
        }
    }
  g_assert_nonnull (f->report_id);

  report = bc_workbook_load_report (f->workbook, f->report_id, &error);
  g_assert_no_error (error);
  f->template_ = bc_workbook_get_report_template (f->workbook, report, &error);
  g_assert_no_error (error);

  f->window = bc_gui_test_window_new (&f->view);
  bc_form_view_load (f->view, f->workbook, f->report_id);
  bc_gui_test_wait_loaded (f->view);
  bc_gui_test_spin (100);
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

static GtkWidget *
input (Fixture    *f,
       const char *field_id)
{
  const BcField *field = bc_template_lookup_field (f->template_, field_id);
  GtkWidget *widget;

  g_assert_nonnull (field);
  widget = bc_gui_test_find_by_label (f->window, bc_text_get (&field->label, bc_i18n_language ()));
  if (widget == NULL)
    g_error ("no input named for %s", field_id);

  return widget;
}

static char *
stored (Fixture    *f,
        const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = bc_workbook_load_report (f->workbook, f->report_id, &error);

  g_assert_no_error (error);
  return g_strdup (bc_report_get_value (report, key, 0));
}

static void
test_typing_reaches_workbook (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *number = NULL;
  g_autofree char *place = NULL;
  g_autofree char *received = NULL;

  if (!bc_gui_test_real_input_available ())
    return;

  bc_gui_test_type_keys (input (f, "doc_number"), "215/BC-UBND");
  bc_gui_test_type_keys (input (f, "doc_place"), "Lý Sơn");
  bc_gui_test_type_keys (input (f, "dossiers_received"), "812");
  /* Leaving the field by Tab commits it, as for a person. */
  bc_gui_test_press_key (f->window, GDK_KEY_Tab, 0);
  bc_gui_test_wait_saved (f->view);

  place = stored (f, "doc_place");
  g_assert_cmpstr (place, ==, "Lý Sơn");
  number = stored (f, "doc_number");
  received = stored (f, "dossiers_received");
  g_assert_cmpstr (number, ==, "215/BC-UBND");
  g_assert_cmpstr (received, ==, "812");
}

/* The inputs a person fills in, in widget (reading) order. */
static void
collect_inputs (GtkWidget *widget,
                GPtrArray *inputs)
{
  if (!gtk_widget_get_visible (widget))
    return;

  if ((GTK_IS_EDITABLE (widget) && !GTK_IS_TEXT (widget)) || GTK_IS_TEXT_VIEW (widget))
    {
      if (gtk_widget_is_sensitive (widget) && bc_gui_test_is_shown (widget))
        g_ptr_array_add (inputs, widget);
      return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_inputs (child, inputs);
}

/* Fails the test unless every one of `inputs` is in `walked` (in the same
 * order when `in_order`). */
static void
assert_all_reached (GPtrArray  *inputs,
                    GPtrArray  *walked,
                    gboolean    in_order,
                    const char *keys)
{
  for (guint i = 0, w = 0; i < inputs->len; i++)
    {
      GtkWidget *wanted = g_ptr_array_index (inputs, i);
      guint found;

      if (!g_ptr_array_find (walked, wanted, &found))
        {
          g_test_fail_printf ("%s never reached input %u of %u (a %s)", keys, i + 1, inputs->len,
                              G_OBJECT_TYPE_NAME (wanted));
          return;
        }
      if (in_order && found < w)
        {
          g_test_fail_printf ("%s reached input %u of %u (a %s) out of reading order", keys,
                              i + 1, inputs->len, G_OBJECT_TYPE_NAME (wanted));
          return;
        }
      w = found;
    }
}

/* How many inputs `field` has at the least when shown: one if it is typed
 * into (three for a document reference), none for a computed value (a
 * label), a drop-down or a table (its cells are fields of their own). */
static guint
typed_inputs (const BcField *field)
{
  if (field->compute != NULL)
    return 0;

  switch (field->type)
    {
    case BC_FIELD_INTEGER:
    case BC_FIELD_DECIMAL:
    case BC_FIELD_PERCENTAGE:
    case BC_FIELD_TEXT:
    case BC_FIELD_LONG_TEXT:
    case BC_FIELD_DATE:
      return 1;
    case BC_FIELD_DOCUMENT_REF:
      return 3;
    case BC_FIELD_CHOICE:
    case BC_FIELD_YES_NO:
    case BC_FIELD_TABLE:
    default:
      return 0;
    }
}

/* The id of the field whose editor holds `widget`. */
static const char *
field_of (GtkWidget *widget)
{
  for (; widget != NULL; widget = gtk_widget_get_parent (widget))
    if (BC_IS_FIELD_EDITOR (widget))
      return bc_field_editor_get_field (BC_FIELD_EDITOR (widget))->id;

  return NULL;
}

static void
assert_field_inputs (const BcField *field,
                     GHashTable    *counts,
                     guint         *promised)
{
  guint wanted = typed_inputs (field);
  guint found = GPOINTER_TO_UINT (g_hash_table_lookup (counts, field->id));

  if (field->visible_if != NULL)
    return;
  if (found < wanted)
    g_test_fail_printf ("field %s shows %u inputs, not %u", field->id, found, wanted);
  *promised += wanted;
}

/* Every field the template always shows has its inputs among `inputs`, and
 * so do the cells of one open row of `open_table`: what the form promises,
 * not a count guessed from one version of the form or of the demo. */
static void
assert_inputs_of_template (BcTemplate    *template_,
                           const BcField *open_table,
                           GPtrArray     *inputs)
{
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *sections = bc_template_get_sections (template_);
  guint promised = 0;

  for (guint i = 0; i < inputs->len; i++)
    {
      const char *id = field_of (g_ptr_array_index (inputs, i));

      if (id != NULL)
        g_hash_table_insert (counts, (gpointer) id,
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, id)) + 1));
    }

  for (guint i = 0; i < sections->len; i++)
    {
      const BcSection *section = g_ptr_array_index (sections, i);

      if (section->visible_if != NULL)
        continue;
      for (guint j = 0; j < section->fields->len; j++)
        {
          const BcField *field = g_ptr_array_index (section->fields, j);

          assert_field_inputs (field, counts, &promised);
          if (field == open_table && field->visible_if == NULL)
            for (guint k = 0; k < field->columns->len; k++)
              assert_field_inputs (g_ptr_array_index (field->columns, k), counts, &promised);
        }
    }

  g_test_message ("%u inputs, %u promised by the template", inputs->len, promised);
  /* A form of a few fields would not prove much about the walk. */
  g_assert_cmpuint (promised, >, 10);
}

static void
test_tab_walks_form (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) inputs = g_ptr_array_new ();
  g_autoptr(GPtrArray) walked = NULL;
  g_autoptr(GPtrArray) back = NULL;
  GtkWidget *form = GTK_WIDGET (f->view);
  GtkWidget *stuck = NULL;
  GtkWidget *first;

  GtkWidget *table;
  const BcField *open_table = NULL;

  if (!bc_gui_test_real_input_available ())
    return;

  /* A compact table shows its rows closed; the walk crosses an open one
   * too, as after a person opens a finding. */
  table = bc_gui_test_find_by_type (form, BC_TYPE_TABLE_EDITOR);
  if (table != NULL && bc_table_editor_get_n_rows (BC_TABLE_EDITOR (table)) > 0)
    {
      BcTableEditor *editor = BC_TABLE_EDITOR (table);

      g_assert_true (bc_table_editor_show_row (editor, bc_table_editor_get_row_id (editor, 0)));
      bc_gui_test_spin (200);
      open_table = bc_table_editor_get_field (editor);
    }

  collect_inputs (form, inputs);
  /* Every field a person types into is there (hidden ones may add more). */
  assert_inputs_of_template (f->template_, open_table, inputs);
  if (g_test_failed ())
    return;
  first = g_ptr_array_index (inputs, 0);

  walked = bc_gui_test_walk_focus (form, first, FALSE, 2000, &stuck);
  if (stuck != NULL)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf ("Tab is stuck at the %s of “%s” after %u stops: the keyboard "
                                 "trap at computed fields of issue 7 (fixed on branch window7; "
                                 "KNOWN_TRAP_ISSUE_7 0 or BAOCAO_EXPECT_NO_TRAP=1 fail on it)",
                                 G_OBJECT_TYPE_NAME (stuck),
                                 bc_form_view_get_focus_path (f->view), walked->len);
      /* Known and being fixed: not a failure of CI until the fix is
       * merged, but shown in the summary as an incomplete test. */
      if (KNOWN_TRAP_ISSUE_7 && g_getenv ("BAOCAO_EXPECT_NO_TRAP") == NULL)
        {
          g_test_incomplete (message);
          return;
        }
      g_test_fail_printf ("%s", message);
      return;
    }

  /* Every stop takes input: a read-only value is a label, not an entry
   * that Tab must cross. */
  for (guint i = 0; i < walked->len; i++)
    {
      GtkWidget *stop = g_ptr_array_index (walked, i);

      if (GTK_IS_EDITABLE (stop) && !gtk_editable_get_editable (GTK_EDITABLE (stop)))
        g_test_fail_printf ("Tab stops at a read-only %s (stop %u)", G_OBJECT_TYPE_NAME (stop), i + 1);
      if (GTK_IS_TEXT_VIEW (stop) && !gtk_text_view_get_editable (GTK_TEXT_VIEW (stop)))
        g_test_fail_printf ("Tab stops at a read-only %s (stop %u)", G_OBJECT_TYPE_NAME (stop), i + 1);
    }

  /* And back: Shift+Tab from the last input to the first. */
  back = bc_gui_test_walk_focus (form, g_ptr_array_index (inputs, inputs->len - 1), TRUE,
                                 2000, &stuck);
  if (stuck != NULL)
    {
      g_test_fail_printf ("Shift+Tab is stuck at the %s of “%s”", G_OBJECT_TYPE_NAME (stuck),
                          bc_form_view_get_focus_path (f->view));
      return;
    }

  /* Every input was reached both ways; forward in reading order. */
  assert_all_reached (inputs, walked, TRUE, "Tab");
  assert_all_reached (inputs, back, FALSE, "Shift+Tab");
}

static gboolean
popover_shown (gpointer user_data)
{
  GtkWidget *popover = GTK_WIDGET (gtk_menu_button_get_popover (user_data));

  return popover != NULL && gtk_widget_get_mapped (popover);
}

/* The menu button whose tooltip is `tooltip`. */
static GtkWidget *
find_menu_button (GtkWidget  *root,
                  const char *tooltip)
{
  if (GTK_IS_MENU_BUTTON (root) && g_strcmp0 (gtk_widget_get_tooltip_text (root), tooltip) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_menu_button (child, tooltip);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* What a person reads is not squeezed: the form's labels at the default
 * size, and the list of problems that a click on the footer opens. */
static void
test_sizes_readable (Fixture       *f,
                     gconstpointer  data)
{
  GtkWidget *button = find_menu_button (f->window, _("Errors and warnings of this report"));
  g_autofree char *form_report = NULL;
  g_autofree char *popover_report = NULL;

  if (!bc_gui_test_real_input_available ())
    return;

  form_report = bc_gui_test_check_sizes (f->window);
  if (form_report != NULL)
    g_test_fail_printf ("squeezed in the form:\n%s", form_report);

  g_assert_nonnull (button);
  /* The footer shows once the report's problems are counted. */
  g_assert_true (bc_gui_test_wait ((BcGuiTestCondition) bc_gui_test_is_shown, button, 5000));
  bc_gui_test_click (button);
  g_assert_true (bc_gui_test_wait (popover_shown, button, 5000));
  bc_gui_test_spin (100);
  popover_report = bc_gui_test_check_sizes (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button))));
  bc_gui_test_press_key (f->window, GDK_KEY_Escape, 0);
  g_assert_false (popover_shown (button));
  if (popover_report != NULL)
    {
      g_autofree char *first_line = g_strndup (popover_report, strcspn (popover_report, "\n"));

      g_test_message ("%s", popover_report);
      if (KNOWN_SQUEEZED_POPOVER_ISSUE_7 && g_getenv ("BAOCAO_EXPECT_READABLE_POPOVER") == NULL)
        g_test_incomplete_printf ("the problems popover is squeezed (issue 7, fixed on branch "
                                  "window7b): %s", first_line);
      else
        g_test_fail_printf ("squeezed in the problems popover:\n%s", popover_report);
    }
}

int
main (int    argc,
      char **argv)
{
  int status;

  test_home = bc_gui_test_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gui/input/keys-reach-entry", test_keys_reach_entry);
  g_test_add_func ("/gui/input/assert-editable", test_assert_editable_refuses_read_only);
  g_test_add_func ("/gui/input/type-refuses-read-only", test_type_refuses_read_only);
  g_test_add_func ("/gui/input/click", test_click);
  g_test_add_func ("/gui/input/focus-walk", test_focus_walk);
  g_test_add_func ("/gui/input/sizes", test_sizes);
  g_test_add ("/gui/input/quarterly/typing-reaches-workbook", Fixture, "egov-quarterly",
              fixture_set_up, test_typing_reaches_workbook, fixture_tear_down);
  g_test_add ("/gui/input/quarterly/tab-walks-form", Fixture, "egov-quarterly",
              fixture_set_up, test_tab_walks_form, fixture_tear_down);
  g_test_add ("/gui/input/quarterly/sizes-readable", Fixture, "egov-quarterly",
              fixture_set_up, test_sizes_readable, fixture_tear_down);
  g_test_add ("/gui/input/remediation/tab-walks-form", Fixture, "inspection-remediation",
              fixture_set_up, test_tab_walks_form, fixture_tear_down);

  status = g_test_run ();

  bc_test_remove_tree (test_home);
  g_free (test_home);

  return status;
}
