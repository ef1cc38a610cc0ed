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

#include <X11/keysym.h>

#include "bc-field-editor.h"
#include "bc-form-test.h"
#include "bc-i18n.h"
#include "bc-table-editor.h"

static char *test_home;

static gboolean
focus_moved (gpointer user_data)
{
  gpointer *pair = user_data;

  return gtk_root_get_focus (GTK_ROOT (pair[0])) != pair[1];
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
  walk (&f, FALSE);
  walk (&f, TRUE);
  bc_form_test_close (&f);
}

/* --- names ------------------------------------------------------------------ */

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
        base = g_strdup_printf ("Row %u: %s", bc_field_editor_get_row (BC_FIELD_EDITOR (editor)) + 1, label);
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
          guint index = 0;

          for (GtkWidget *w = gtk_widget_get_prev_sibling (entry); w != NULL; w = gtk_widget_get_prev_sibling (w))
            index++;
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
      const char *table_label = bc_text_get (&bc_table_editor_get_field (table)->label, lang);
      guint n;

      if (sscanf (tip, "Move row %u up", &n) == 1 && g_str_has_suffix (tip, " up"))
        return g_strdup_printf ("%s, row %u: move up", table_label, n);
      if (sscanf (tip, "Move row %u down", &n) == 1)
        return g_strdup_printf ("%s, row %u: move down", table_label, n);
      if (sscanf (tip, "Remove row %u", &n) == 1)
        return g_strdup_printf ("%s, row %u: remove", table_label, n);
    }

  if (GTK_IS_BUTTON (stop) && gtk_widget_get_ancestor (stop, BC_TYPE_TABLE_EDITOR) != NULL)
    {
      BcTableEditor *table = BC_TABLE_EDITOR (gtk_widget_get_ancestor (stop, BC_TYPE_TABLE_EDITOR));

      return g_strdup_printf ("Add a row to %s",
                              bc_text_get (&bc_table_editor_get_field (table)->label, lang));
    }

  return NULL;
}

static void
test_names (gconstpointer data)
{
  BcFormTest f;
  g_autoptr(GPtrArray) stops = NULL;
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  bc_form_test_open (&f, test_home, data, 1000, 760);
  stops = bc_form_test_tab_stops (bc_form_test_content (&f));

  for (guint i = 0; i < stops->len; i++)
    {
      GtkWidget *stop = g_ptr_array_index (stops, i);
      g_autofree char *what = bc_form_test_describe (stop);
      g_autofree char *name = expected_name (f.template_, stop);
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
  bc_form_test_close (&f);
}

int
main (int    argc,
      char **argv)
{
  int status;

  test_home = bc_gui_test_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/app/form-keyboard/walk/egov-quarterly", "egov-quarterly", test_walk);
  g_test_add_data_func ("/app/form-keyboard/walk/inspection-remediation", "inspection-remediation",
                        test_walk);

  g_test_add_data_func ("/app/form-keyboard/names/egov-quarterly", "egov-quarterly", test_names);
  g_test_add_data_func ("/app/form-keyboard/names/inspection-remediation", "inspection-remediation",
                        test_names);

  status = g_test_run ();

  bc_test_remove_tree (test_home);
  g_free (test_home);

  return status;
}
