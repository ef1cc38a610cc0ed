/* test-form-keyboard.c: both shipped forms, walked by the keyboard alone.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each demo report is opened in a form view; Tab (and Shift+Tab) are
 * pressed through the X server, as a person presses them, from the first
 * input to the last. Every press must move the focus to the next input in
 * reading order (the widget order), never stay put, and every input of the
 * form must be reached.
 */
#define G_LOG_DOMAIN "test-form-keyboard"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <X11/keysym.h>

#include "bc-field-editor.h"
#include "bc-form-test.h"
#include "bc-i18n.h"
#include "bc-table-editor.h"
#include "bc-test-util.h"

static char *test_home;

static gboolean
focus_moved (gpointer user_data)
{
  gpointer *pair = user_data;

  return gtk_root_get_focus (GTK_ROOT (pair[0])) != pair[1];
}

static void
open_some_rows (BcFormTest *f)
{
  /* In a compact table, open rows too: the first, one inside, the last. */
  {
    BcTableEditor *table = BC_TABLE_EDITOR (bc_gui_test_find_by_type (GTK_WIDGET (f->view), BC_TYPE_TABLE_EDITOR));
    guint n = bc_table_editor_get_n_rows (table);

    if (n > 2)
      {
        bc_table_editor_show_row (table, bc_table_editor_get_row_id (table, 0));
        bc_table_editor_show_row (table, bc_table_editor_get_row_id (table, n / 2));
        bc_table_editor_show_row (table, bc_table_editor_get_row_id (table, n - 1));
        bc_gui_test_spin (200);
      }
  }

}

static void
walk (BcFormTest *f,
      gboolean    backward)
{
  GtkWidget *content = bc_form_test_content (f);
  g_autoptr(GPtrArray) stops = bc_form_test_tab_stops (content);
  g_autoptr(GPtrArray) last = NULL;
  g_autoptr(GHashTable) visited = g_hash_table_new (NULL, NULL);
  GtkWidget *current;
  guint steps = 0;

  g_assert_cmpuint (stops->len, >, 20);
  current = g_ptr_array_index (stops, backward ? stops->len - 1 : 0);
  gtk_widget_grab_focus (current);
  bc_gui_test_spin (50);
  g_assert_true (bc_form_test_focus (f) == current);
  g_hash_table_add (visited, current);

  for (;;)
    {
      g_autoptr(GPtrArray) now = bc_form_test_tab_stops (content);
      gpointer pair[2] = { f->window, current };
      GtkWidget *expected, *reached;
      guint index;

      /* Recounted at each step: leaving a field may show or hide issues. */
      if (!g_ptr_array_find (now, current, &index))
        {
          g_autofree char *what = bc_form_test_describe (current);

          g_error ("the focus is on %s, which Tab cannot reach", what);
        }
      if (backward ? index == 0 : index + 1 == now->len)
        break;
      expected = g_ptr_array_index (now, backward ? index - 1 : index + 1);

      bc_form_test_key (f, XK_Tab, backward);
      if (!bc_gui_test_wait (focus_moved, pair, 3000))
        {
          g_autofree char *what = bc_form_test_describe (current);

          g_error ("%s stuck on %s after %u steps", backward ? "Shift+Tab" : "Tab", what, steps);
        }

      reached = bc_form_test_focus (f);
      if (reached != expected)
        {
          g_autofree char *from = bc_form_test_describe (current);
          g_autofree char *to = bc_form_test_describe (reached);
          g_autofree char *wanted = bc_form_test_describe (expected);

          g_error ("%s from %s went to %s, not to %s", backward ? "Shift+Tab" : "Tab",
                   from, to, wanted);
        }

      g_hash_table_add (visited, reached);
      current = reached;
      g_assert_cmpuint (++steps, <, 5000);
    }

  /* Every input the form shows was reached. */
  last = bc_form_test_tab_stops (content);
  for (guint i = 0; i < last->len; i++)
    {
      GtkWidget *stop = g_ptr_array_index (last, i);

      if (!g_hash_table_contains (visited, stop))
        {
          g_autofree char *what = bc_form_test_describe (stop);

          g_error ("%s was never reached", what);
        }
      /* Values that are read, not typed, are no Tab stops. */
      if (GTK_IS_LABEL (stop))
        {
          g_autofree char *what = bc_form_test_describe (stop);

          g_error ("%s takes the focus", what);
        }
    }
  g_test_message ("%u Tab stops walked %s", last->len, backward ? "backwards" : "forwards");
}

static void
test_walk (gconstpointer data)
{
  BcFormTest f;

  bc_form_test_open (&f, test_home, data, 1000, 760);

  open_some_rows (&f);

  walk (&f, FALSE);
  walk (&f, TRUE);
  bc_form_test_close (&f);
}

/* --- names ------------------------------------------------------------------ */

/* What a row is called: the template's word for a row and its number
 * ("Finding 3"), else the table's label and the number. */
static char *
row_name (const BcField *table,
          guint          n)
{
  const char *word = bc_text_get (&table->row_label, bc_i18n_language ());

  if (*word != '\0')
    return g_strdup_printf ("%s %u", word, n);

  return g_strdup_printf ("%s, row %u", bc_text_get (&table->label, bc_i18n_language ()), n);
}

/* The name a Tab stop must have, built from what the form shows: the
 * field's label, after the row's title ("Row 3") in a table. */
static gboolean
is_section (BcTemplate *template_,
            const char *id)
{
  GPtrArray *sections = bc_template_get_sections (template_);

  for (guint s = 0; s < sections->len; s++)
    if (g_strcmp0 (((const BcSection *) g_ptr_array_index (sections, s))->id, id) == 0)
      return TRUE;

  return FALSE;
}

static void
collect_entries (GtkWidget *widget,
                 GPtrArray *entries)
{
  if (GTK_IS_ENTRY (widget))
    g_ptr_array_add (entries, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_entries (child, entries);
}

static gboolean
label_repeats (BcTemplate *template_,
               const char *label)
{
  GPtrArray *sections = bc_template_get_sections (template_);
  guint n = 0;

  for (guint s = 0; s < sections->len; s++)
    {
      const BcSection *section = g_ptr_array_index (sections, s);

      for (guint f = 0; f < section->fields->len; f++)
        n += g_str_equal (bc_text_get (&((const BcField *) g_ptr_array_index (section->fields, f))->label,
                                       bc_i18n_language ()), label);
    }

  return n > 1;
}

static char *
expected_name (BcTemplate *template_,
               GtkWidget  *stop)
{
  GtkWidget *editor = gtk_widget_get_ancestor (stop, BC_TYPE_FIELD_EDITOR);
  GtkWidget *entry = gtk_widget_get_ancestor (stop, GTK_TYPE_ENTRY);
  GtkWidget *parent = gtk_widget_get_parent (stop);
  const char *lang = bc_i18n_language ();
  g_autofree char *base = NULL;

  if (editor != NULL && bc_field_editor_get_field (BC_FIELD_EDITOR (editor))->type != BC_FIELD_TABLE)
    {
      const BcField *field = bc_field_editor_get_field (BC_FIELD_EDITOR (editor));
      const char *label = bc_text_get (&field->label, lang);

      if (field->table != NULL)
        {
          g_autofree char *row = row_name (field->table, bc_field_editor_get_row (BC_FIELD_EDITOR (editor)) + 1);

          base = g_strdup_printf ("%s: %s", row, label);
        }
      else
        {
          /* A label that repeats in the form comes with its section's title. */
          GtkWidget *section = gtk_widget_get_ancestor (gtk_widget_get_parent (editor), GTK_TYPE_BOX);
          GtkWidget *title;

          while (section != NULL && !is_section (template_, gtk_widget_get_name (section)))
            section = gtk_widget_get_ancestor (gtk_widget_get_parent (section), GTK_TYPE_BOX);
          g_assert_nonnull (section);
          title = gtk_widget_get_first_child (section);
          base = label_repeats (template_, label)
                 ? g_strdup_printf ("%s — %s", label, gtk_label_get_text (GTK_LABEL (title)))
                 : g_strdup (label);
        }

      if (entry != NULL && g_strcmp0 (gtk_widget_get_name (entry), "justification") == 0)
        {
          /* The field, then the warning's own words shown just above the input. */
          GtkWidget *line = gtk_widget_get_first_child (gtk_widget_get_parent (entry));
          GtkWidget *message = gtk_widget_get_last_child (line);

          g_assert_true (GTK_IS_LABEL (message));
          return g_strdup_printf ("Justification for %s: %s", base, gtk_label_get_text (GTK_LABEL (message)));
        }

      if (field->type == BC_FIELD_DOCUMENT_REF)
        {
          static const char *parts[] = { "number", "date", "subject" };
          g_autoptr(GPtrArray) entries = g_ptr_array_new ();
          guint index = 0;

          collect_entries (editor, entries);
          g_assert_true (g_ptr_array_find (entries, entry, &index));
          g_assert_cmpuint (index, <, 3);
          return g_strdup_printf ("%s: %s", base, parts[index]);
        }
      if (GTK_IS_TOGGLE_BUTTON (stop) && GTK_IS_MENU_BUTTON (parent))
        return g_strdup_printf ("Choose a date: %s", base);
      if (GTK_IS_TEXT (stop) || GTK_IS_TEXT_VIEW (stop) ||
          (GTK_IS_TOGGLE_BUTTON (stop) && GTK_IS_DROP_DOWN (parent)))
        return g_steal_pointer (&base);
    }

  if (GTK_IS_BUTTON (stop) && gtk_widget_get_tooltip_text (stop) != NULL &&
      gtk_widget_get_ancestor (stop, BC_TYPE_TABLE_EDITOR) != NULL)
    {
      /* Row buttons: what their tooltips say ("Remove row 3"), with the table. */
      BcTableEditor *table = BC_TABLE_EDITOR (gtk_widget_get_ancestor (stop, BC_TYPE_TABLE_EDITOR));
      const char *tip = gtk_widget_get_tooltip_text (stop);
      const BcField *field = bc_table_editor_get_field (table);
      g_autofree char *row = NULL;
      guint n;

      if (sscanf (tip, "Move row %u up", &n) == 1 && g_str_has_suffix (tip, " up"))
        return g_strdup_printf ("%s: move up", (row = row_name (field, n)));
      if (sscanf (tip, "Move row %u down", &n) == 1)
        return g_strdup_printf ("%s: move down", (row = row_name (field, n)));
      if (sscanf (tip, "Remove row %u", &n) == 1)
        return g_strdup_printf ("%s: remove", (row = row_name (field, n)));
      if (sscanf (tip, "Show row %u", &n) == 1)
        return g_strdup_printf ("%s: show", (row = row_name (field, n)));
      if (sscanf (tip, "Hide row %u", &n) == 1)
        return g_strdup_printf ("%s: hide", (row = row_name (field, n)));
    }

  if (GTK_IS_BUTTON (stop) && gtk_widget_get_ancestor (stop, BC_TYPE_TABLE_EDITOR) != NULL)
    {
      BcTableEditor *table = BC_TABLE_EDITOR (gtk_widget_get_ancestor (stop, BC_TYPE_TABLE_EDITOR));

      return g_strdup_printf ("Add a row to %s",
                              bc_text_get (&bc_table_editor_get_field (table)->label, lang));
    }

  return NULL;
}

/* Every Tab stop of the form has the name its row and label give it, and
 * no two share one. */
static void
check_names (BcFormTest *f)
{
  g_autoptr(GPtrArray) stops = bc_form_test_tab_stops (bc_form_test_content (f));
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < stops->len; i++)
    {
      GtkWidget *stop = g_ptr_array_index (stops, i);
      g_autofree char *what = bc_form_test_describe (stop);
      g_autofree char *name = expected_name (f->template_, stop);
      g_autofree char *mismatch = NULL;
      GtkWidget *named = stop;

      if (name == NULL)
        g_error ("%s takes the focus but is no input the test knows", what);

      /* The text inside an entry is announced as the entry. */
      if (GTK_IS_TEXT (stop) && GTK_IS_ENTRY (gtk_widget_get_parent (stop)))
        named = gtk_widget_get_parent (stop);

      if (!gtk_test_accessible_has_property (GTK_ACCESSIBLE (named), GTK_ACCESSIBLE_PROPERTY_LABEL))
        g_error ("%s has no accessible name (it should be “%s”)", what, name);
      mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (named),
                                                     GTK_ACCESSIBLE_PROPERTY_LABEL, name);
      if (mismatch != NULL)
        g_error ("%s is named “%s”, not “%s”", what, mismatch, name);

      if (!g_hash_table_add (names, g_steal_pointer (&name)))
        g_error ("%s shares its name with another control", what);
    }

  g_test_message ("%u controls named, every name unique", stops->len);
}

static void
test_names (gconstpointer data)
{
  BcFormTest f;

  bc_form_test_open (&f, test_home, data, 1000, 760);
  open_some_rows (&f);
  check_names (&f);
  bc_form_test_close (&f);
}

/* --- refused values, reopening, required ------------------------------------ */

static GtkWidget *
text_of (BcFormTest *f,
         const char *field_id)
{
  GtkWidget *editor = bc_gui_test_find_by_name (GTK_WIDGET (f->view), field_id);
  GtkWidget *text;

  g_assert_nonnull (editor);
  text = bc_gui_test_find_by_type (editor, GTK_TYPE_TEXT);
  g_assert_nonnull (text);

  return text;
}

static gboolean
has_refused (gpointer user_data)
{
  return bc_form_view_has_refused_input (user_data);
}

static GtkWidget *
find_toplevel (const char *name)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (g_strcmp0 (gtk_widget_get_name (window), name) == 0 && gtk_widget_get_visible (window))
        return window;
    }

  return NULL;
}

static gboolean
dialog_shown (gpointer user_data)
{
  GtkWidget *dialog = find_toplevel ("discard-refused-dialog");

  return dialog != NULL && gtk_widget_get_mapped (dialog) && gtk_window_is_active (GTK_WINDOW (dialog));
}

static gboolean
dialog_gone (gpointer user_data)
{
  return find_toplevel ("discard-refused-dialog") == NULL;
}

static gboolean
on_close_request (GtkWindow  *window,
                  BcFormView *view)
{
  /* What BcWindow does. */
  return bc_form_view_hold_close (view, window);
}

/* The field is focused with the caret after its text, nothing selected,
 * and in view. */
static void
assert_caret_at_end (BcFormTest *f,
                     GtkWidget  *text)
{
  GtkWidget *scrolled = bc_form_test_content (f);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  graphene_rect_t bounds;
  int start, end;

  g_assert_true (gtk_widget_has_focus (text));
  g_assert_false (gtk_editable_get_selection_bounds (GTK_EDITABLE (text), &start, &end));
  g_assert_cmpint (gtk_editable_get_position (GTK_EDITABLE (text)), ==,
                   g_utf8_strlen (gtk_editable_get_text (GTK_EDITABLE (text)), -1));

  bc_gui_test_wait (bc_gui_test_fully_in_view, text, 2000);
  g_assert_true (gtk_widget_compute_bounds (text, scrolled, &bounds));
  g_assert_cmpfloat (bounds.origin.y, >=, 0);
  g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, gtk_adjustment_get_page_size (adjustment));
}

static void
test_refused_close (void)
{
  BcFormTest f;
  GtkWidget *text, *dialog;
  GtkWidget *window;
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autofree char *before = NULL;

  bc_form_test_open (&f, test_home, "egov-quarterly", 1000, 760);
  g_signal_connect (f.window, "close-request", G_CALLBACK (on_close_request), f.view);
  report = bc_workbook_load_report (f.workbook, f.report_id, &error);
  g_assert_no_error (error);
  before = g_strdup (bc_report_get_value (report, "docs_fully_electronic_pct", 0));

  /* 150 in a percentage, typed, then Tab: refused, not saved. */
  text = text_of (&f, "docs_fully_electronic_pct");
  gtk_widget_grab_focus (text);
  bc_form_test_key (&f, XK_End, FALSE);
  for (guint i = 0; i < 8; i++)
    bc_form_test_key (&f, XK_BackSpace, FALSE);
  bc_form_test_type (&f, "150");
  bc_form_test_key (&f, XK_Tab, FALSE);
  g_assert_true (bc_gui_test_wait (has_refused, f.view, 5000));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (text)), ==, "150");

  /* Closing asks; Escape goes back to the value, caret after it. */
  gtk_window_close (GTK_WINDOW (f.window));
  g_assert_true (bc_gui_test_wait (dialog_shown, NULL, 5000));
  dialog = find_toplevel ("discard-refused-dialog");
  {
    const char *body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog));

    g_assert_nonnull (strstr (body, "150"));
    g_assert_nonnull (strstr (body, "Documents exchanged fully electronically"));
  }
  bc_form_test_key (&f, XK_Escape, FALSE);
  g_assert_true (bc_gui_test_wait (dialog_gone, NULL, 5000));
  g_assert_true (gtk_widget_get_visible (f.window));
  assert_caret_at_end (&f, text);

  /* Asked again; discarding closes the window, and the workbook keeps
   * what it had. */
  window = f.window;
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_close (GTK_WINDOW (f.window));
  g_assert_true (bc_gui_test_wait (dialog_shown, NULL, 5000));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (find_toplevel ("discard-refused-dialog")), "discard");
  bc_gui_test_spin (200);
  g_assert_null (window);

  g_clear_object (&report);
  report = bc_workbook_load_report (f.workbook, f.report_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bc_report_get_value (report, "docs_fully_electronic_pct", 0), ==, before);

  g_clear_object (&f.workbook);
  g_clear_object (&f.templates);
  g_free (f.report_id);
  bc_test_remove_tree (f.dir);
  g_free (f.dir);
}

static void
test_reopen_caret (void)
{
  BcFormTest f;
  GtkWidget *text;

  bc_form_test_open (&f, test_home, "egov-quarterly", 1000, 500);

  /* A field far down, reopened (as the window does with the last place). */
  g_assert_true (bc_form_view_focus_path (f.view, "signer_name"));
  text = text_of (&f, "signer_name");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (text)), !=, "");
  assert_caret_at_end (&f, text);

  /* The first key adds to the text, not replaces it. */
  {
    g_autofree char *was = g_strdup (gtk_editable_get_text (GTK_EDITABLE (text)));
    g_autofree char *want = g_strconcat (was, "x", NULL);

    bc_form_test_type (&f, "x");
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (text)), ==, want);
    bc_form_test_key (&f, XK_BackSpace, FALSE);
  }

  g_assert_true (bc_form_view_focus_path (f.view, "security_text"));
  {
    GtkWidget *editor = bc_gui_test_find_by_name (GTK_WIDGET (f.view), "security_text");
    GtkWidget *view = bc_gui_test_find_by_type (editor, GTK_TYPE_TEXT_VIEW);
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
    GtkTextIter cursor, end;

    g_assert_true (gtk_widget_has_focus (view));
    g_assert_false (gtk_text_buffer_get_has_selection (buffer));
    gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
    gtk_text_buffer_get_end_iter (buffer, &end);
    g_assert_true (gtk_text_iter_equal (&cursor, &end));
  }

  bc_form_test_close (&f);
}

/* Labels saying "… is required." that a person can see. */
static void
count_required_shown (GtkWidget *widget,
                      guint     *n)
{
  if (!gtk_widget_get_visible (widget))
    return;
  if (GTK_IS_LABEL (widget) && g_str_has_suffix (gtk_label_get_text (GTK_LABEL (widget)), "” is required."))
    (*n)++;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    count_required_shown (child, n);
}

static void
ready_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GError **error = user_data;

  g_assert_false (bc_form_view_change_status_finish (BC_FORM_VIEW (source), result, error));
}

static gboolean
is_set (gpointer user_data)
{
  return *(GError **) user_data != NULL;
}

static void
test_required_after_leaving (void)
{
  BcFormTest f;
  g_autoptr(GError) error = NULL;
  g_autofree char *blank = NULL;
  GtkWidget *content;
  guint n = 0, n_before, n_errors;

  bc_form_test_open (&f, test_home, "egov-quarterly", 1000, 760);
  /* A 2019Q4 report: on the form's version that requires its figures. */
  blank = bc_workbook_create_report (f.workbook, "egov-quarterly", "2019Q4", "UBND-TEST", &error);
  g_assert_no_error (error);
  bc_form_view_load (f.view, f.workbook, blank);
  bc_gui_test_wait_loaded (f.view);
  bc_gui_test_spin (100);
  content = bc_form_test_content (&f);

  /* Nothing said beside the fields yet; the count says it all. */
  n_errors = bc_form_view_get_n_errors (f.view);
  g_assert_cmpuint (n_errors, >=, 10);
  count_required_shown (content, &n);
  g_assert_cmpuint (n, ==, 0);

  /* Left blank: that field says so, no other. */
  gtk_widget_grab_focus (text_of (&f, "doc_number"));
  bc_gui_test_spin (100);
  n = 0;
  count_required_shown (content, &n);
  g_assert_null (bc_gui_test_find_label (bc_gui_test_find_by_name (content, "doc_number"), "“"));
  n_before = n;
  bc_form_test_key (&f, XK_Tab, FALSE);
  bc_gui_test_spin (100);
  n = 0;
  count_required_shown (content, &n);
  g_assert_cmpuint (n, ==, n_before + 1);
  g_assert_nonnull (bc_gui_test_find_label (bc_gui_test_find_by_name (content, "doc_number"), "“"));

  /* Asked to be ready: every field says what it lacks. */
  bc_form_view_change_status_async (f.view, BC_STATUS_READY, NULL, ready_cb, &error);
  g_assert_true (bc_gui_test_wait (is_set, &error, 10000));
  bc_gui_test_spin (100);
  n = 0;
  count_required_shown (content, &n);
  g_assert_cmpuint (n, >=, 10);
  g_assert_cmpuint (n, <=, n_errors);

  bc_form_test_close (&f);
}

/* --- 30 findings by keyboard --------------------------------------------------- */

static gboolean
has_focus_in_row (gpointer user_data)
{
  gpointer *args = user_data;
  BcFormTest *f = args[0];
  const char *name = args[1];
  GtkWidget *focus = bc_form_test_focus (f);
  GtkWidget *entry = focus != NULL ? gtk_widget_get_ancestor (focus, GTK_TYPE_ENTRY) : NULL;
  g_autofree char *mismatch = NULL;

  if (entry == NULL || !gtk_test_accessible_has_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL))
    return FALSE;
  mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, name);

  return mismatch == NULL;
}

static void
test_thirty_findings (void)
{
  BcFormTest f;
  g_autoptr(GError) error = NULL;
  g_autofree char *blank = NULL;
  g_autoptr(BcReport) report = NULL;
  GtkWidget *add, *scrolled;
  GtkAdjustment *adjustment;
  gint64 start;

  bc_form_test_open (&f, test_home, "inspection-remediation", 1000, 760);
  blank = bc_workbook_create_report (f.workbook, "inspection-remediation", "2018Q4", "UBND-TEST", &error);
  g_assert_no_error (error);
  bc_form_view_load (f.view, f.workbook, blank);
  bc_gui_test_wait_loaded (f.view);
  scrolled = bc_form_test_content (&f);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  add = bc_gui_test_find_by_label (GTK_WIDGET (f.view), "Add a row to Findings and remediation");
  g_assert_nonnull (add);

  start = g_get_monotonic_time ();
  for (guint i = 1; i <= 30; i++)
    {
      g_autofree char *name = g_strdup_printf ("Finding %u: Inspected unit", i);
      g_autofree char *unit = g_strdup_printf ("unit %u", i);
      gpointer args[2] = { &f, name };
      GtkWidget *focus;
      graphene_rect_t bounds;

      /* Space on the focused Add row button. */
      gtk_widget_grab_focus (add);
      bc_form_test_key (&f, XK_space, FALSE);
      if (!bc_gui_test_wait (has_focus_in_row, args, 10000))
        {
          g_autofree char *what = bc_form_test_describe (bc_form_test_focus (&f));

          g_error ("after adding row %u the focus is on %s", i, what);
        }

      /* The view is on the new row too (once the frame is drawn). */
      focus = bc_form_test_focus (&f);
      bc_gui_test_wait (bc_gui_test_fully_in_view, focus, 2000);
      g_assert_true (gtk_widget_compute_bounds (focus, scrolled, &bounds));
      if (bounds.origin.y < 0 || bounds.origin.y + bounds.size.height > gtk_adjustment_get_page_size (adjustment))
        g_error ("row %u's first input is out of view (y %.0f of %.0f)", i, bounds.origin.y,
                 gtk_adjustment_get_page_size (adjustment));

      bc_form_test_type (&f, unit);
      /* And on to the next input. */
      bc_form_test_key (&f, XK_Tab, FALSE);
    }
  g_test_message ("30 findings added and typed in by keyboard in %.1f s",
                  (g_get_monotonic_time () - start) / 1e6);

  bc_gui_test_wait_saved (f.view);
  report = bc_workbook_load_report (f.workbook, blank, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bc_report_get_n_rows (report, "findings"), ==, 30);
  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *unit = g_strdup_printf ("unit %u", i + 1);

      g_assert_cmpstr (bc_report_get_value (report, "findings.unit", bc_report_get_row_id (report, "findings", i)),
                       ==, unit);
    }

  bc_form_test_close (&f);
}

/* --- small screens ------------------------------------------------------------ */

/* Every shown widget of the form has at least its minimum size and stays
 * inside the form's width: nothing is cut. */
static void
check_not_clipped (GtkWidget *widget,
                   GtkWidget *content,
                   double     width,
                   GString   *problems)
{
  int minimum, allocated;
  GtkAllocation allocation;
  graphene_rect_t bounds;

  if (!gtk_widget_get_visible (widget) || !gtk_widget_get_child_visible (widget) ||
      GTK_IS_POPOVER (widget) || GTK_IS_SCROLLBAR (widget))
    return;

  /* Measured sizes count the margins and CSS boxes; so does this. */
  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  gtk_widget_get_allocation (widget, &allocation);
  allocated = allocation.width + gtk_widget_get_margin_start (widget) + gtk_widget_get_margin_end (widget);
  if (allocated < minimum)
    {
      g_autofree char *what = bc_form_test_describe (widget);

      g_string_append_printf (problems, "%s is %d px wide, less than its minimum %d\n",
                              what, allocated, minimum);
    }
  if (gtk_widget_compute_bounds (widget, content, &bounds) &&
      (bounds.origin.x < -0.5 || bounds.origin.x + bounds.size.width > width + 0.5))
    {
      g_autofree char *what = bc_form_test_describe (widget);

      g_string_append_printf (problems, "%s reaches from %.0f to %.0f, outside 0–%.0f\n", what,
                              bounds.origin.x, bounds.origin.x + bounds.size.width, width);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    check_not_clipped (child, content, width, problems);
}

static gboolean
is_choice_cut (GtkWidget  *widget,
               const char *line)
{
  if (GTK_IS_DROP_DOWN (widget))
    {
      GtkStringObject *item = gtk_drop_down_get_selected_item (GTK_DROP_DOWN (widget));
      g_autofree char *expected = NULL;

      if (item == NULL)
        return FALSE;
      expected = g_strdup_printf ("label “%s” is cut", gtk_string_object_get_string (item));
      return g_str_has_prefix (line, expected) &&
             g_strcmp0 (gtk_widget_get_tooltip_text (widget), gtk_string_object_get_string (item)) == 0;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (is_choice_cut (child, line))
      return TRUE;

  return FALSE;
}

static void
save_png (GtkWidget  *window,
          const char *name,
          const char *part)
{
  g_autofree char *file = g_strdup_printf ("%s-%s.png", name, part);
  g_autofree char *path = g_build_filename (g_getenv ("BAOCAO_FORM_TEST_SHOTS"), file, NULL);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  int width = gtk_widget_get_width (window), height = gtk_widget_get_height (window);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("saved %s", path);
}

static gboolean
has_width (gpointer user_data)
{
  gpointer *args = user_data;

  return gtk_widget_get_width (args[0]) == GPOINTER_TO_INT (args[1]);
}

static void
test_narrow (gconstpointer data)
{
  const char *template_id = data;
  gboolean large_text = strstr (g_test_get_path (), "large-text") != NULL;
  GtkSettings *settings = gtk_settings_get_default ();
  int dpi;
  BcFormTest f;
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autofree char *sizes = NULL;
  GtkWidget *content;
  int minimum;

  g_object_get (settings, "gtk-xft-dpi", &dpi, NULL);
  if (large_text)
    /* What the desktop's text scaling factor of 1.5 does. */
    g_object_set (settings, "gtk-xft-dpi", 96 * 1024 * 3 / 2, NULL);

  bc_form_test_open (&f, test_home, template_id, 360, 700);
  content = bc_form_test_content (&f);

  /* The window can be 360 px wide with the form in it. */
  gtk_widget_measure (f.window, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  if (minimum > 360)
    g_error ("the window cannot be narrower than %d px", minimum);
  {
    gpointer args[2] = { f.window, GINT_TO_POINTER (360) };

    g_assert_true (bc_gui_test_wait (has_width, args, 5000));
  }
  bc_gui_test_spin (200);

  check_not_clipped (content, content, gtk_widget_get_width (content), problems);
  if (problems->len > 0)
    g_error ("at 360 px%s:\n%s", large_text ? " and 1.5× text" : "", problems->str);

  sizes = bc_gui_test_check_sizes (content);
  if (sizes != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (sizes, "\n", -1);
      g_autoptr(GString) kept = g_string_new (NULL);

      /* A long choice on a drop-down's button is cut with "…" by design
       * (its list and tooltip show it whole); nothing else may be. */
      for (guint i = 0; lines[i] != NULL; i++)
        if (*lines[i] != '\0' && !is_choice_cut (content, lines[i]))
          g_string_append_printf (kept, "%s\n", lines[i]);
      if (kept->len > 0)
        g_error ("at 360 px%s:\n%s", large_text ? " and 1.5× text" : "", kept->str);
    }

  /* For people to look at: BAOCAO_FORM_TEST_SHOTS=DIR keeps PNGs of the
   * top of the form and of its first table. */
  if (g_getenv ("BAOCAO_FORM_TEST_SHOTS") != NULL)
    {
      g_autofree char *name = g_strdup_printf ("%s-360%s-%s", template_id, large_text ? "-large" : "",
                                               bc_i18n_language ());
      GtkWidget *table = bc_gui_test_find_by_type (content, BC_TYPE_TABLE_EDITOR);

      save_png (f.window, name, "top");
      if (table != NULL)
        {
          GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (content));
          graphene_rect_t bounds;

          g_assert_true (gtk_widget_compute_bounds (table, gtk_widget_get_first_child (content), &bounds));
          gtk_adjustment_set_value (adjustment, bounds.origin.y);
          bc_gui_test_spin (300);
          save_png (f.window, name, "table");
        }
    }

  bc_form_test_close (&f);
  g_object_set (settings, "gtk-xft-dpi", dpi, NULL);
}

/* --- a long table ----------------------------------------------------------- */

static guint
count_cards (GtkWidget *widget)
{
  guint n = 0;
  const char *tip = gtk_widget_get_tooltip_text (widget);

  if (GTK_IS_BUTTON (widget) && tip != NULL && g_str_has_prefix (tip, "Remove row "))
    n++;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_cards (child);

  return n;
}

static gboolean
named_shown (gpointer user_data)
{
  gpointer *args = user_data;
  GtkWidget *widget = bc_gui_test_find_by_label (args[0], args[1]);

  return widget != NULL && gtk_widget_get_mapped (widget);
}

/* The row number a row button's tooltip says ("Remove row 12"), or 0. */
static guint
focused_row (BcFormTest *f)
{
  GtkWidget *focus = bc_form_test_focus (f);
  const char *tip = focus != NULL ? gtk_widget_get_tooltip_text (focus) : NULL;
  guint n = 0;

  if (tip == NULL || gtk_widget_get_ancestor (focus, BC_TYPE_TABLE_EDITOR) == NULL)
    return 0;
  if (sscanf (tip, "Move row %u", &n) == 1 || sscanf (tip, "Remove row %u", &n) == 1 ||
      sscanf (tip, "Show row %u", &n) == 1 || sscanf (tip, "Hide row %u", &n) == 1)
    return n;

  return 0;
}

/* Scrolls to row 150 (again, should a scroll still on its way from the
 * form's opening undo it): its card is made and in view. */
static gboolean
row_150_shown (gpointer user_data)
{
  BcTableEditor *table = user_data;
  GtkWidget *show;

  bc_table_editor_scroll_to_row (table, 149);
  show = bc_gui_test_find_by_label (GTK_WIDGET (table), "Finding 150: show");

  return show != NULL && gtk_widget_get_mapped (show) && bc_gui_test_fully_in_view (show);
}

/* A report of 300 findings: it opens, makes only the cards near the view,
 * names each row's controls with its number, and Add row takes the focus
 * and the view to the new row 301. */
static void
long_table_shot (BcFormTest *f,
                 int         width,
                 const char *part)
{
  g_autofree char *name = NULL;

  /* For people to look at: BAOCAO_FORM_TEST_SHOTS=DIR keeps PNGs. */
  if (g_getenv ("BAOCAO_FORM_TEST_SHOTS") == NULL)
    return;
  bc_gui_test_spin (200);
  name = g_strdup_printf ("findings-300-%d", width);
  save_png (f->window, name, part);
}

static void
test_long_table (gconstpointer data)
{
  int width = GPOINTER_TO_INT (data);
  BcFormTest f;
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autofree char *id = NULL;
  BcTableEditor *table;
  GtkWidget *content, *add, *focus, *table_top;
  GtkAdjustment *adjustment;
  graphene_rect_t bounds;
  gpointer args[2];
  guint cards;
  gint64 start;

  bc_form_test_open (&f, test_home, "inspection-remediation", width, 760);
  id = bc_workbook_create_report (f.workbook, "inspection-remediation", "2018Q4", "UBND-LONG", &error);
  g_assert_no_error (error);
  for (guint i = 1; i <= 300; i++)
    {
      g_autofree char *unit = g_strdup_printf ("unit %u", i);
      gint64 row = bc_workbook_add_row (f.workbook, id, "findings", &error);

      g_assert_no_error (error);
      g_assert_true (bc_workbook_set_value (f.workbook, id, "findings.unit", row, unit, &error));
      g_assert_no_error (error);
    }

  start = g_get_monotonic_time ();
  bc_form_view_load (f.view, f.workbook, id);
  bc_gui_test_wait_loaded (f.view);
  bc_gui_test_spin (300);
  g_test_message ("300 findings loaded and shown in %.0f ms", (g_get_monotonic_time () - start) / 1000.0);
  table = BC_TABLE_EDITOR (bc_gui_test_find_by_type (GTK_WIDGET (f.view), BC_TYPE_TABLE_EDITOR));
  g_assert_cmpuint (bc_table_editor_get_n_rows (table), ==, 300);

  /* Only the rows near the view have cards: the cost on screen does not
   * grow with the table. */
  g_assert_cmpuint (count_cards (GTK_WIDGET (table)), <=, 60);

  /* Scrolled to the table, its first rows are there. */
  content = bc_form_test_content (&f);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (content));
  table_top = gtk_widget_get_first_child (content);
  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (table), table_top, &bounds));
  /* Bounds in the viewport are where it shows them: from its top. */
  bounds.origin.y += gtk_adjustment_get_value (adjustment);
  gtk_adjustment_set_value (adjustment, bounds.origin.y);
  args[0] = GTK_WIDGET (table);
  args[1] = (gpointer) "Finding 1: show";
  if (!bc_gui_test_wait (named_shown, args, 5000))
    g_error ("no card for row 1 at the top of the table");
  cards = count_cards (GTK_WIDGET (table));
  g_test_message ("%u of 300 rows have cards", cards);
  g_assert_cmpuint (cards, <=, 60);

  /* Every control there is named, uniquely, with its row's number. */
  check_names (&f);
  long_table_shot (&f, width, "top");

  /* Tab goes from row to row past the cards made at first, the view
   * following; Shift+Tab comes back. */
  {
    GtkWidget *show = bc_gui_test_find_by_label (GTK_WIDGET (table), "Finding 1: show");
    guint row = 1, presses = 0;

    gtk_widget_grab_focus (show);
    bc_gui_test_spin (100);
    while (row < 40)
      {
        guint now;

        bc_form_test_key (&f, XK_Tab, FALSE);
        now = focused_row (&f);
        if (now != row && now != row + 1)
          {
            g_autofree char *what = bc_form_test_describe (bc_form_test_focus (&f));

            g_error ("Tab from row %u went to %s (row %u)", row, what, now);
          }
        row = now;
        g_assert_cmpuint (++presses, <, 400);
      }
    if (!bc_gui_test_wait (bc_gui_test_fully_in_view, bc_form_test_focus (&f), 2000))
      g_error ("row 40, reached by Tab, is out of view");
    while (row > 30)
      {
        guint now;

        bc_form_test_key (&f, XK_Tab, TRUE);
        now = focused_row (&f);
        if (now != row && now + 1 != row)
          g_error ("Shift+Tab from row %u went to row %u", row, now);
        row = now;
        g_assert_cmpuint (++presses, <, 400);
      }
    g_assert_cmpuint (count_cards (GTK_WIDGET (table)), <=, 60);
  }

  /* Scrolled to the middle of the table, its rows are there, named. */
  if (!bc_gui_test_wait (row_150_shown, table, 5000))
    g_error ("no card for row 150 in the middle of the table");
  g_assert_cmpuint (count_cards (GTK_WIDGET (table)), <=, 60);
  check_names (&f);
  long_table_shot (&f, width, "middle");

  /* Add row, by keyboard: the focus and the view go to row 301. */
  add = bc_gui_test_find_by_label (GTK_WIDGET (f.view), "Add a row to Findings and remediation");
  g_assert_nonnull (add);
  gtk_widget_grab_focus (add);
  bc_gui_test_spin (100);
  start = g_get_monotonic_time ();
  bc_form_test_key (&f, XK_space, FALSE);
  args[0] = &f;
  args[1] = (gpointer) "Finding 301: Inspected unit";
  if (!bc_gui_test_wait (has_focus_in_row, args, 10000))
    {
      g_autofree char *what = bc_form_test_describe (bc_form_test_focus (&f));

      g_error ("after Add row the focus is on %s", what);
    }
  focus = bc_form_test_focus (&f);
  if (!bc_gui_test_wait (bc_gui_test_fully_in_view, focus, 2000))
    {
      g_assert_true (gtk_widget_compute_bounds (focus, content, &bounds));
      g_error ("row 301's first input is out of view (y %.0f of %.0f)", bounds.origin.y,
               gtk_adjustment_get_page_size (adjustment));
    }
  g_test_message ("Add row: focus and view on row 301 after %.0f ms",
                  (g_get_monotonic_time () - start) / 1000.0);
  bc_form_test_type (&f, "unit 301");
  bc_form_test_key (&f, XK_Tab, FALSE);
  bc_gui_test_wait_saved (f.view);
  long_table_shot (&f, width, "added");

  report = bc_workbook_load_report (f.workbook, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bc_report_get_n_rows (report, "findings"), ==, 301);
  g_assert_cmpstr (bc_report_get_value (report, "findings.unit", bc_report_get_row_id (report, "findings", 300)),
                   ==, "unit 301");
  check_names (&f);

  bc_form_test_close (&f);
}

int
main (int    argc,
      char **argv)
{
  int status;

  test_home = bc_gui_test_init ();
  g_test_init (&argc, &argv, NULL);
  bc_test_allow_short_frame_warning ();

  g_test_add_data_func ("/app/form-keyboard/walk/egov-quarterly", "egov-quarterly", test_walk);
  g_test_add_data_func ("/app/form-keyboard/walk/inspection-remediation", "inspection-remediation",
                        test_walk);

  g_test_add_data_func ("/app/form-keyboard/names/egov-quarterly", "egov-quarterly", test_names);
  g_test_add_data_func ("/app/form-keyboard/names/inspection-remediation", "inspection-remediation",
                        test_names);

  g_test_add_func ("/app/form-keyboard/refused-close", test_refused_close);
  g_test_add_func ("/app/form-keyboard/reopen-caret", test_reopen_caret);
  g_test_add_func ("/app/form-keyboard/required-after-leaving", test_required_after_leaving);
  g_test_add_func ("/app/form-keyboard/thirty-findings", test_thirty_findings);
  g_test_add_data_func ("/app/form-keyboard/long-table/1280", GINT_TO_POINTER (1280), test_long_table);
  g_test_add_data_func ("/app/form-keyboard/long-table/360", GINT_TO_POINTER (360), test_long_table);

  g_test_add_data_func ("/app/form-keyboard/narrow/egov-quarterly", "egov-quarterly", test_narrow);
  g_test_add_data_func ("/app/form-keyboard/narrow/inspection-remediation", "inspection-remediation",
                        test_narrow);
  g_test_add_data_func ("/app/form-keyboard/narrow/large-text/egov-quarterly", "egov-quarterly", test_narrow);
  g_test_add_data_func ("/app/form-keyboard/narrow/large-text/inspection-remediation",
                        "inspection-remediation", test_narrow);

  status = g_test_run ();

  bc_test_remove_tree (test_home);
  g_free (test_home);

  return status;
}
