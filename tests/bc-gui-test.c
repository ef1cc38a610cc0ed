/* bc-gui-test.c: helpers for tests that drive the real widgets in a window.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-gui-test"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "bc-gui-test.h"
#include "bc-i18n.h"

char *
bc_gui_test_init (void)
{
  g_autoptr(GError) error = NULL;
  char *home = g_dir_make_tmp ("baocao-gui-XXXXXX", &error);
  const char *dirs[] = { "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME" };

  g_assert_no_error (error);

  /* Nothing from the user running the tests may leak in or be touched. */
  g_setenv ("HOME", home, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir = g_build_filename (home, dirs[i], NULL);

      g_mkdir_with_parents (dir, 0700);
      g_setenv (dirs[i], dir, TRUE);
    }
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  setlocale (LC_ALL, "");
  bc_i18n_init ();
  /* The .ui templates are translated through the default domain. */
  textdomain (GETTEXT_PACKAGE);

  gtk_init ();
  adw_init ();

  return home;
}

static gboolean
wake_up (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
bc_gui_test_wait (BcGuiTestCondition condition,
                  gpointer           user_data,
                  guint              timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint wake = g_timeout_add (10, wake_up, NULL);
  gboolean held;

  while (!(held = condition (user_data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (wake);

  return held;
}

static gboolean
never (gpointer user_data)
{
  return FALSE;
}

void
bc_gui_test_spin (guint ms)
{
  bc_gui_test_wait (never, NULL, ms);
}

typedef gboolean (*Match) (GtkWidget *widget, gconstpointer data);

static GtkWidget *
find (GtkWidget     *root,
      Match          match,
      gconstpointer  data)
{
  if (match (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find (child, match, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
match_label (GtkWidget     *widget,
             gconstpointer  data)
{
  g_autofree char *mismatch = NULL;

  /* A label names itself by its text; what is looked for is what it names. */
  if (GTK_IS_LABEL (widget))
    return FALSE;

  if (!gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL))
    return FALSE;

  mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                 GTK_ACCESSIBLE_PROPERTY_LABEL, data);
  return mismatch == NULL;
}

GtkWidget *
bc_gui_test_find_by_label (GtkWidget  *root,
                           const char *accessible_label)
{
  return find (root, match_label, accessible_label);
}

static gboolean
match_name (GtkWidget     *widget,
            gconstpointer  data)
{
  return g_strcmp0 (gtk_widget_get_name (widget), data) == 0;
}

GtkWidget *
bc_gui_test_find_by_name (GtkWidget  *root,
                          const char *widget_name)
{
  return find (root, match_name, widget_name);
}

static gboolean
match_type (GtkWidget     *widget,
            gconstpointer  data)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (data));
}

GtkWidget *
bc_gui_test_find_by_type (GtkWidget *root,
                          GType      type)
{
  return find (root, match_type, GSIZE_TO_POINTER (type));
}

static gboolean
match_label_prefix (GtkWidget     *widget,
                    gconstpointer  data)
{
  return GTK_IS_LABEL (widget) &&
         g_str_has_prefix (gtk_label_get_text (GTK_LABEL (widget)), data);
}

GtkWidget *
bc_gui_test_find_label (GtkWidget  *root,
                        const char *prefix)
{
  return find (root, match_label_prefix, prefix);
}

gboolean
bc_gui_test_is_shown (GtkWidget *widget)
{
  for (; widget != NULL; widget = gtk_widget_get_parent (widget))
    {
      if (!gtk_widget_get_visible (widget))
        return FALSE;
      if (GTK_IS_REVEALER (widget) && !gtk_revealer_get_child_revealed (GTK_REVEALER (widget)))
        return FALSE;
      if (GTK_IS_STACK (gtk_widget_get_parent (widget)) &&
          gtk_stack_get_visible_child (GTK_STACK (gtk_widget_get_parent (widget))) != widget)
        return FALSE;
    }

  return TRUE;
}

void
bc_gui_test_type (GtkWidget  *editable,
                  const char *text)
{
  g_assert_true (GTK_IS_EDITABLE (editable));

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

void
bc_gui_test_type_long (GtkWidget  *text_view,
                       const char *text)
{
  GtkTextBuffer *buffer;

  if (!GTK_IS_TEXT_VIEW (text_view))
    g_error ("%s is not a text view", G_OBJECT_TYPE_NAME (text_view));

  gtk_widget_grab_focus (text_view);
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view));
  gtk_text_buffer_set_text (buffer, "", -1);
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    gtk_text_buffer_insert_at_cursor (buffer, p, (int) (g_utf8_next_char (p) - p));
}

GtkWidget *
bc_gui_test_window_new (BcFormView **out_view)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = bc_form_view_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 760);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));

  *out_view = BC_FORM_VIEW (view);

  return window;
}

static gboolean
loaded (gpointer user_data)
{
  BcFormView *view = user_data;
  BcReport *report = bc_form_view_get_report (view);

  return report != NULL &&
         g_strcmp0 (bc_report_get_id (report), bc_form_view_get_report_id (view)) == 0;
}

void
bc_gui_test_wait_loaded (BcFormView *view)
{
  g_assert_true (bc_gui_test_wait (loaded, view, 20000));
}

static gboolean
saved_or_failed (gpointer user_data)
{
  BcSaveState state = bc_form_view_get_save_state (user_data);

  return state == BC_SAVE_STATE_SAVED || state == BC_SAVE_STATE_FAILED;
}

void
bc_gui_test_wait_saved (BcFormView *view)
{
  g_assert_true (bc_gui_test_wait (saved_or_failed, view, 20000));
  g_assert_cmpstr (bc_form_view_get_save_error (view), ==, NULL);
  g_assert_cmpint (bc_form_view_get_save_state (view), ==, BC_SAVE_STATE_SAVED);
}
