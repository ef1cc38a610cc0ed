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

#include <X11/keysym.h>

#include "bc-form-test.h"

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

  status = g_test_run ();

  bc_test_remove_tree (test_home);
  g_free (test_home);

  return status;
}
