/* bc-form-test.c: a demo report in a form view, driven by real X key events.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-form-test"

#include "config.h"

#include <string.h>

#include <gdk/x11/gdkx.h>
#include <X11/Xlib.h>
#include <X11/XKBlib.h>
#include <X11/keysym.h>
#include <X11/extensions/XTest.h>

#include "bc-demo.h"
#include "bc-form-test.h"

static gboolean
is_mapped (gpointer user_data)
{
  return gtk_widget_get_mapped (user_data);
}

static Display *
x_display (void)
{
  GdkDisplay *display = gdk_display_get_default ();

  if (!GDK_IS_X11_DISPLAY (display))
    g_error ("these tests send X events: run them under Xvfb with GDK_BACKEND=x11");

  return gdk_x11_display_get_xdisplay (display);
}

static gboolean
is_active (gpointer user_data)
{
  return gtk_window_is_active (user_data);
}

void
bc_form_test_open (BcFormTest *f,
                   const char *home,
                   const char *template_id,
                   int         width,
                   int         height)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) reports = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autofree char *path = NULL;
  Display *dpy = x_display ();
  Window xid;

  memset (f, 0, sizeof *f);
  f->dir = g_build_filename (home, "XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (f->dir));
  path = g_build_filename (f->dir, "demo.baocao", NULL);

  g_assert_true (bc_demo_install (path, &error));
  g_assert_no_error (error);
  f->templates = bc_template_registry_new_default (&error);
  g_assert_no_error (error);
  f->workbook = bc_workbook_open (path, f->templates, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_no_error (error);

  reports = bc_workbook_list_reports (f->workbook, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < reports->len && f->report_id == NULL; i++)
    {
      BcReportSummary *summary = g_ptr_array_index (reports, i);

      if (g_str_equal (summary->template_id, template_id) && summary->status == BC_STATUS_DRAFT)
        f->report_id = g_strdup (summary->id);
    }
  if (f->report_id == NULL)
    g_error ("the demo workbook has no draft of %s", template_id);

  report = bc_workbook_load_report (f->workbook, f->report_id, &error);
  g_assert_no_error (error);
  f->template_ = bc_workbook_get_report_template (f->workbook, report, &error);
  g_assert_no_error (error);

  f->window = bc_gui_test_window_new (&f->view);
  gtk_window_set_default_size (GTK_WINDOW (f->window), width, height);
  g_assert_true (bc_gui_test_wait (is_mapped, f->window, 10000));

  /* No window manager under Xvfb: give the window the keyboard. */
  xid = gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (f->window)));
  XSync (dpy, False);
  XSetInputFocus (dpy, xid, RevertToParent, CurrentTime);
  XSync (dpy, False);
  g_assert_true (bc_gui_test_wait (is_active, f->window, 10000));

  bc_form_view_load (f->view, f->workbook, f->report_id);
  bc_gui_test_wait_loaded (f->view);
  bc_gui_test_spin (100);
}

static gboolean
not_saving (gpointer user_data)
{
  return bc_form_view_get_save_state (user_data) != BC_SAVE_STATE_SAVING;
}

void
bc_form_test_close (BcFormTest *f)
{
  g_assert_true (bc_gui_test_wait (not_saving, f->view, 20000));
  gtk_window_destroy (GTK_WINDOW (f->window));
  bc_gui_test_spin (50);

  g_clear_object (&f->workbook);
  g_clear_object (&f->templates);
  g_clear_pointer (&f->report_id, g_free);
  bc_test_remove_tree (f->dir);
  g_clear_pointer (&f->dir, g_free);
}

GtkWidget *
bc_form_test_content (BcFormTest *f)
{
  GtkWidget *field = bc_gui_test_find_by_type (GTK_WIDGET (f->view), g_type_from_name ("BcFieldEditor"));
  GtkWidget *scrolled = field != NULL ? gtk_widget_get_ancestor (field, GTK_TYPE_SCROLLED_WINDOW) : NULL;

  g_assert_nonnull (scrolled);

  return scrolled;
}

static void
collect_stops (GtkWidget *widget,
               GPtrArray *stops)
{
  /* What GTK's focus chain skips, with all it holds. */
  if (!gtk_widget_get_visible (widget) || !gtk_widget_is_sensitive (widget) ||
      !gtk_widget_get_can_focus (widget))
    return;
  if (GTK_IS_POPOVER (widget) || GTK_IS_SCROLLBAR (widget))
    return;

  if (gtk_widget_get_focusable (widget))
    g_ptr_array_add (stops, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_stops (child, stops);
}

GPtrArray *
bc_form_test_tab_stops (GtkWidget *root)
{
  GPtrArray *stops = g_ptr_array_new ();

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_stops (child, stops);

  return stops;
}

char *
bc_form_test_describe (GtkWidget *widget)
{
  GtkWidget *field;
  GString *text;

  if (widget == NULL)
    return g_strdup ("(nothing)");

  text = g_string_new (G_OBJECT_TYPE_NAME (widget));
  field = gtk_widget_get_ancestor (widget, g_type_from_name ("BcFieldEditor"));
  if (field != NULL)
    g_string_append_printf (text, " in field %s (row %s)", gtk_widget_get_name (field),
                            gtk_widget_get_name (gtk_widget_get_parent (field)));
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (text, " “%s”", gtk_label_get_text (GTK_LABEL (widget)));
  if (GTK_IS_BUTTON (widget) && gtk_widget_get_tooltip_text (widget) != NULL)
    g_string_append_printf (text, " “%s”", gtk_widget_get_tooltip_text (widget));

  return g_string_free (text, FALSE);
}

GtkWidget *
bc_form_test_focus (BcFormTest *f)
{
  return gtk_root_get_focus (GTK_ROOT (f->window));
}

static void
fake_key (Display *dpy,
          KeyCode  code,
          gboolean press)
{
  XTestFakeKeyEvent (dpy, code, press, CurrentTime);
}

static void
process_x_events (void)
{
  Display *dpy = x_display ();

  /* Until GTK has read what the server now holds for it. */
  XSync (dpy, False);
  for (guint i = 0; i < 50 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

void
bc_form_test_key (BcFormTest *f,
                  guint       keysym,
                  gboolean    shift)
{
  Display *dpy = x_display ();
  KeyCode code = XKeysymToKeycode (dpy, keysym);
  KeyCode shift_code = XKeysymToKeycode (dpy, XK_Shift_L);

  g_assert_cmpuint (code, !=, 0);

  if (shift)
    fake_key (dpy, shift_code, TRUE);
  fake_key (dpy, code, TRUE);
  fake_key (dpy, code, FALSE);
  if (shift)
    fake_key (dpy, shift_code, FALSE);

  process_x_events ();
}

void
bc_form_test_type (BcFormTest *f,
                   const char *text)
{
  Display *dpy = x_display ();

  for (const char *p = text; *p != '\0'; p++)
    {
      guint keysym = (guchar) *p;
      KeyCode code;
      gboolean shift;

      g_assert_true (g_ascii_isprint (*p));
      if (*p == ' ')
        keysym = XK_space;
      code = XKeysymToKeycode (dpy, keysym);
      g_assert_cmpuint (code, !=, 0);
      /* The keysym at level 0 of the key, else it needs Shift. */
      shift = XkbKeycodeToKeysym (dpy, code, 0, 0) != keysym;
      bc_form_test_key (f, keysym, shift);
    }

  bc_gui_test_spin (20);
}
