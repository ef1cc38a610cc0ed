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

#ifdef HAVE_XTEST
#include <gdk/x11/gdkx.h>
#include <X11/XKBlib.h>
#include <X11/extensions/XTest.h>
#include <X11/keysym.h>
#endif

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

void
bc_gui_test_wait_or_fail (BcGuiTestCondition  condition,
                          gpointer            user_data,
                          guint               timeout_ms,
                          const char         *what)
{
  if (!bc_gui_test_wait (condition, user_data, timeout_ms))
    g_error ("Timed out after %u ms waiting for: %s", timeout_ms, what);
}

void
bc_gui_test_drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
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

static void
collect (GtkWidget *root,
         GType      type,
         GPtrArray *out)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    g_ptr_array_add (out, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect (child, type, out);
}

GPtrArray *
bc_gui_test_collect_by_type (GtkWidget *root,
                             GType      type)
{
  GPtrArray *out = g_ptr_array_new ();

  collect (root, type, out);
  return out;
}

GtkWindow *
bc_gui_test_find_toplevel (GType type)
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

void
bc_gui_test_save_png (GtkWidget  *window,
                      const char *name)
{
  const char *dir = g_getenv ("BAOCAO_SHOT_DIR");
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  int width, height;

  if (dir == NULL)
    return;

  /* Revealers and a dialog's first layout settle. */
  bc_gui_test_spin (600);
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  file = g_strdup_printf ("%s-%s.png", name, g_getenv ("BAOCAO_LANGUAGE"));
  path = g_build_filename (dir, file, NULL);
  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    return;
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("wrote %s", path);
}

gboolean
bc_gui_test_window_ready (BcWindow *window)
{
  BcReportList *reports = bc_window_get_reports (window);

  return !bc_window_get_busy (window) && bc_window_get_workbook (window) != NULL &&
         reports != NULL && bc_report_list_get_loaded (reports);
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

/* A person cannot type into a greyed-out or read-only input, so neither may
 * a test: GtkEditable's API would write there all the same. */
static void
assert_takes_text (GtkWidget *widget)
{
  if (!gtk_widget_is_sensitive (widget))
    g_error ("typing into %s, which is greyed out", G_OBJECT_TYPE_NAME (widget));
  if (GTK_IS_EDITABLE (widget) && !gtk_editable_get_editable (GTK_EDITABLE (widget)))
    g_error ("typing into %s, which is read-only", G_OBJECT_TYPE_NAME (widget));
  if (GTK_IS_TEXT_VIEW (widget) && !gtk_text_view_get_editable (GTK_TEXT_VIEW (widget)))
    g_error ("typing into %s, which is read-only", G_OBJECT_TYPE_NAME (widget));
}

void
bc_gui_test_type (GtkWidget  *editable,
                  const char *text)
{
  g_assert_true (GTK_IS_EDITABLE (editable));
  assert_takes_text (editable);

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
  assert_takes_text (text_view);

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
         g_strcmp0 (bc_report_get_id (report), bc_form_view_get_report_id (view)) == 0 &&
         bc_form_view_is_complete (view);
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

/* --- Real input ------------------------------------------------------------ */

#ifdef HAVE_XTEST
static Display *
x_display (void)
{
  GdkDisplay *display = gdk_display_get_default ();

  if (display == NULL || !GDK_IS_X11_DISPLAY (display))
    return NULL;

  return gdk_x11_display_get_xdisplay (display);
}
#endif

gboolean
bc_gui_test_real_input_available (void)
{
#ifdef HAVE_XTEST
  int event_base, error_base, major, minor;
  Display *dpy = x_display ();

  if (dpy != NULL && XTestQueryExtension (dpy, &event_base, &error_base, &major, &minor))
    return TRUE;
#endif

  g_test_skip ("real input needs an X11 display with the XTEST extension");
  return FALSE;
}

#ifdef HAVE_XTEST
/* Waits until the X server has handled what was sent, then dispatches what
 * came back. GDK reads every queued X event into its own queue and hands
 * them out one per main loop iteration; a round with nothing pending after
 * a round trip means every event caused by the input has been handled. */
static void
settle (Display *dpy)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  guint quiet = 0;

  while (quiet < 3 && g_get_monotonic_time () < deadline)
    {
      XSync (dpy, False);
      if (g_main_context_pending (NULL))
        {
          quiet = 0;
          while (g_main_context_pending (NULL) && g_get_monotonic_time () < deadline)
            g_main_context_iteration (NULL, FALSE);
        }
      else
        {
          quiet++;
          g_usleep (2000);
        }
    }
}

static Window
native_xid (GtkNative *native)
{
  GdkSurface *surface = gtk_native_get_surface (native);

  g_assert_nonnull (surface);
  return gdk_x11_surface_get_xid (surface);
}

/* Gives the window the X keyboard focus as a click on it would: without a
 * window manager nobody else does. */
static void
focus_window (Display   *dpy,
              GtkWidget *window)
{
  GtkRoot *root = gtk_widget_get_root (window);
  Window xid;

  g_assert_true (GTK_IS_WINDOW (root));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (root)));

  if (gtk_window_is_active (GTK_WINDOW (root)))
    return;

  xid = native_xid (GTK_NATIVE (root));
  XRaiseWindow (dpy, xid);
  XSetInputFocus (dpy, xid, RevertToParent, CurrentTime);
  settle (dpy);
}

static const struct {
  GdkModifierType mask;
  KeySym          keysym;
} modifier_keys[] = {
  { GDK_SHIFT_MASK,   XK_Shift_L },
  { GDK_CONTROL_MASK, XK_Control_L },
  { GDK_ALT_MASK,     XK_Alt_L },
};

static void
press_modifiers (Display         *dpy,
                 GdkModifierType  modifiers,
                 gboolean         down)
{
  for (guint i = 0; i < G_N_ELEMENTS (modifier_keys); i++)
    if (modifiers & modifier_keys[i].mask)
      {
        KeyCode code = XKeysymToKeycode (dpy, modifier_keys[i].keysym);

        g_assert_cmpuint (code, !=, 0);
        XTestFakeKeyEvent (dpy, code, down, CurrentTime);
      }
}

static void
tap (Display         *dpy,
     KeyCode          code,
     GdkModifierType  modifiers)
{
  press_modifiers (dpy, modifiers, True);
  XTestFakeKeyEvent (dpy, code, True, CurrentTime);
  XTestFakeKeyEvent (dpy, code, False, CurrentTime);
  press_modifiers (dpy, modifiers, False);
  settle (dpy);
}

/* The keycode that gives `keysym`, and whether Shift is needed for it;
 * 0 when the keyboard map has no key for it. */
static KeyCode
find_key (Display  *dpy,
          KeySym    keysym,
          gboolean *shift)
{
  KeyCode code = XKeysymToKeycode (dpy, keysym);

  *shift = FALSE;
  if (code == 0)
    return 0;

  if (XkbKeycodeToKeysym (dpy, code, 0, 0) == keysym)
    return code;
  if (XkbKeycodeToKeysym (dpy, code, 0, 1) == keysym)
    {
      *shift = TRUE;
      return code;
    }

  return 0;
}

/* A keycode that the keyboard map leaves empty, to bind a missing
 * character to for one key press. */
static KeyCode
spare_keycode (Display *dpy)
{
  int min_code, max_code, per_code;
  KeySym *map;
  KeyCode spare = 0;

  XDisplayKeycodes (dpy, &min_code, &max_code);
  map = XGetKeyboardMapping (dpy, (KeyCode) min_code, max_code - min_code + 1, &per_code);
  for (int code = max_code; code >= min_code && spare == 0; code--)
    {
      gboolean empty = TRUE;

      for (int i = 0; i < per_code; i++)
        if (map[(code - min_code) * per_code + i] != NoSymbol)
          empty = FALSE;
      if (empty)
        spare = (KeyCode) code;
    }
  XFree (map);

  g_assert_cmpuint (spare, !=, 0);
  return spare;
}

static void
bind_keycode (Display *dpy,
              KeyCode  code,
              KeySym   keysym)
{
  KeySym syms[2] = { keysym, keysym };

  XChangeKeyboardMapping (dpy, code, 2, syms, 1);
  /* GDK rereads its keymap on the notify that follows. */
  settle (dpy);
}
#endif

void
bc_gui_test_press_key (GtkWidget       *window,
                       guint            keyval,
                       GdkModifierType  modifiers)
{
#ifdef HAVE_XTEST
  Display *dpy = x_display ();
  gboolean shift;
  KeyCode code;

  g_assert_nonnull (dpy);
  focus_window (dpy, window);

  code = find_key (dpy, keyval, &shift);
  if (code == 0)
    g_error ("no key for keyval %s in the keyboard map", gdk_keyval_name (keyval));
  /* Tab is Tab at level 0; Shift+Tab is sent as Shift and the Tab key. */
  tap (dpy, code, modifiers | (shift ? GDK_SHIFT_MASK : 0));
#else
  g_test_skip ("real input needs XTEST");
#endif
}

void
bc_gui_test_key_type (GtkWidget  *window,
                      const char *text)
{
#ifdef HAVE_XTEST
  Display *dpy = x_display ();
  KeyCode spare = 0;

  g_assert_nonnull (dpy);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  focus_window (dpy, window);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      KeySym keysym = c == '\n' ? XK_Return : gdk_unicode_to_keyval (c);
      gboolean shift;
      KeyCode code = find_key (dpy, keysym, &shift);

      if (code == 0)
        {
          if (spare == 0)
            spare = spare_keycode (dpy);
          bind_keycode (dpy, spare, keysym);
          code = spare;
          shift = FALSE;
        }
      tap (dpy, code, shift ? GDK_SHIFT_MASK : 0);
    }

  if (spare != 0)
    bind_keycode (dpy, spare, NoSymbol);
#else
  g_test_skip ("real input needs XTEST");
#endif
}

gboolean
bc_gui_test_fully_in_view (gpointer user_data)
{
  GtkWidget *widget = user_data;
  GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  graphene_rect_t bounds;

  return gtk_widget_get_height (widget) > 0 &&
         gtk_widget_compute_bounds (widget, scrolled, &bounds) && bounds.origin.y >= 0 &&
         bounds.origin.y + bounds.size.height <= gtk_adjustment_get_page_size (adjustment);
}

#ifdef HAVE_XTEST
/* The middle of `widget` is inside every scrolled window around it, as laid
 * out now. */
static gboolean
in_view (gpointer user_data)
{
  GtkWidget *widget = user_data;

  for (GtkWidget *w = gtk_widget_get_parent (widget); w != NULL; w = gtk_widget_get_parent (w))
    {
      graphene_point_t middle, there;

      if (!GTK_IS_SCROLLED_WINDOW (w))
        continue;

      graphene_point_init (&middle, gtk_widget_get_width (widget) / 2.0,
                           gtk_widget_get_height (widget) / 2.0);
      if (!gtk_widget_compute_point (widget, w, &middle, &there) ||
          there.x < 0 || there.y < 0 ||
          there.x >= gtk_widget_get_width (w) || there.y >= gtk_widget_get_height (w))
        return FALSE;
    }

  return TRUE;
}

/* Scrolls every scrolled window around `widget` so that its middle shows,
 * as a person scrolls to what they want to click. */
static void
scroll_into_view (GtkWidget *widget)
{
  for (GtkWidget *w = gtk_widget_get_parent (widget); w != NULL; w = gtk_widget_get_parent (w))
    {
      graphene_rect_t bounds;
      GtkAdjustment *adjustment;
      double page;

      if (!GTK_IS_SCROLLED_WINDOW (w) || !gtk_widget_compute_bounds (widget, w, &bounds))
        continue;

      adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (w));
      page = gtk_widget_get_height (w);
      if (bounds.origin.y < 0 || bounds.origin.y + bounds.size.height > page)
        gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment)
                                              + bounds.origin.y - (page - bounds.size.height) / 2);

      adjustment = gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (w));
      page = gtk_widget_get_width (w);
      if (bounds.origin.x < 0 || bounds.origin.x + bounds.size.width > page)
        gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment)
                                              + bounds.origin.x - (page - bounds.size.width) / 2);
    }

  /* The new positions take effect at the next layout: wait for it, or a
   * click would land where the widget was. */
  if (!bc_gui_test_wait (in_view, widget, 5000))
    g_error ("%s cannot be scrolled into view", G_OBJECT_TYPE_NAME (widget));
}
#endif

void
bc_gui_test_click (GtkWidget *widget)
{
#ifdef HAVE_XTEST
  Display *dpy = x_display ();
  GtkNative *native = gtk_widget_get_native (widget);
  graphene_point_t middle, in_native;
  double surface_x, surface_y;
  int scale, root_x, root_y;
  Window child;

  g_assert_nonnull (dpy);
  g_assert_nonnull (native);
  if (!bc_gui_test_is_shown (widget) || !gtk_widget_get_mapped (widget))
    g_error ("cannot click %s: it is not shown", G_OBJECT_TYPE_NAME (widget));
  if (!gtk_widget_is_sensitive (widget))
    g_error ("cannot click %s: it is greyed out", G_OBJECT_TYPE_NAME (widget));

  focus_window (dpy, GTK_WIDGET (gtk_widget_get_root (widget)));
  scroll_into_view (widget);

  graphene_point_init (&middle, gtk_widget_get_width (widget) / 2.0,
                       gtk_widget_get_height (widget) / 2.0);
  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native), &middle, &in_native));
  gtk_native_get_surface_transform (native, &surface_x, &surface_y);
  scale = gdk_surface_get_scale_factor (gtk_native_get_surface (native));
  XTranslateCoordinates (dpy, native_xid (native), DefaultRootWindow (dpy),
                         (int) ((in_native.x + surface_x) * scale),
                         (int) ((in_native.y + surface_y) * scale),
                         &root_x, &root_y, &child);

  /* What a person's click would hit there must be this widget (or inside
   * it): another widget on top would take the click. */
  {
    GtkWidget *picked = gtk_widget_pick (GTK_WIDGET (native), in_native.x, in_native.y,
                                         GTK_PICK_DEFAULT);

    if (picked == NULL || (picked != widget && !gtk_widget_is_ancestor (picked, widget)))
      g_error ("a click on the middle of %s would hit %s", G_OBJECT_TYPE_NAME (widget),
               picked != NULL ? G_OBJECT_TYPE_NAME (picked) : "nothing");
  }

  XTestFakeMotionEvent (dpy, DefaultScreen (dpy), root_x, root_y, CurrentTime);
  settle (dpy);
  XTestFakeButtonEvent (dpy, 1, True, CurrentTime);
  XTestFakeButtonEvent (dpy, 1, False, CurrentTime);
  settle (dpy);
#else
  g_test_skip ("real input needs XTEST");
#endif
}

/* The entry or text view that `widget` is, or is part of: for a GtkText
 * inside a GtkEntry or GtkSpinButton, the outer widget. */
static GtkWidget *
editable_of (GtkWidget *widget)
{
  for (GtkWidget *w = widget; w != NULL; w = gtk_widget_get_parent (w))
    {
      if (GTK_IS_TEXT_VIEW (w))
        return w;
      if (GTK_IS_EDITABLE (w))
        {
          while (gtk_widget_get_parent (w) != NULL && GTK_IS_EDITABLE (gtk_widget_get_parent (w)))
            w = gtk_widget_get_parent (w);
          return w;
        }
    }

  return NULL;
}

void
bc_gui_test_assert_editable (GtkWidget *widget)
{
  GtkWidget *editable = editable_of (widget);

  if (editable == NULL)
    g_error ("%s takes no text: it is not an entry or a text view", G_OBJECT_TYPE_NAME (widget));
  if (!bc_gui_test_is_shown (editable))
    g_error ("%s is not shown", G_OBJECT_TYPE_NAME (editable));
  if (!gtk_widget_is_sensitive (editable))
    g_error ("%s is greyed out", G_OBJECT_TYPE_NAME (editable));
  if (GTK_IS_EDITABLE (editable) && !gtk_editable_get_editable (GTK_EDITABLE (editable)))
    g_error ("%s is read-only: typing there changes nothing", G_OBJECT_TYPE_NAME (editable));
  if (GTK_IS_TEXT_VIEW (editable) && !gtk_text_view_get_editable (GTK_TEXT_VIEW (editable)))
    g_error ("%s is read-only: typing there changes nothing", G_OBJECT_TYPE_NAME (editable));
}

void
bc_gui_test_type_keys (GtkWidget  *widget,
                       const char *text)
{
  GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (widget));
  GtkWidget *editable = editable_of (widget);
  GtkWidget *focus;

  bc_gui_test_assert_editable (widget);
  bc_gui_test_click (editable);
  focus = gtk_root_get_focus (GTK_ROOT (root));
  if (focus == NULL || (focus != editable && !gtk_widget_is_ancestor (focus, editable)))
    g_error ("a click on %s did not give it the focus (%s in %s has it)", G_OBJECT_TYPE_NAME (editable),
             focus != NULL ? G_OBJECT_TYPE_NAME (focus) : "nothing",
             focus != NULL && gtk_widget_get_parent (focus) != NULL ? G_OBJECT_TYPE_NAME (gtk_widget_get_parent (focus)) : "-");

  bc_gui_test_press_key (root, GDK_KEY_a, GDK_CONTROL_MASK);
  bc_gui_test_key_type (root, text);

  if (GTK_IS_EDITABLE (editable))
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (editable)), ==, text);
}

/* The widget that stands for `focus` in a report: the editable or the
 * focusable ancestor that `focus` is part of (an entry's inner GtkText). */
static GtkWidget *
focus_owner (GtkWidget *focus)
{
  GtkWidget *editable = focus != NULL ? editable_of (focus) : NULL;

  return editable != NULL ? editable : focus;
}

GPtrArray *
bc_gui_test_walk_focus (GtkWidget  *container,
                        GtkWidget  *start,
                        gboolean    backward,
                        guint       max_presses,
                        GtkWidget **out_stuck)
{
  GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (container));
  g_autoptr(GPtrArray) visited = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  GtkWidget *focus;

  g_return_val_if_fail (out_stuck != NULL, NULL);
  *out_stuck = NULL;

  gtk_widget_grab_focus (start);
  focus = gtk_root_get_focus (GTK_ROOT (root));
  g_assert_nonnull (focus);
  g_assert_true (focus == start || gtk_widget_is_ancestor (focus, start));
  g_ptr_array_add (visited, focus_owner (focus));
  g_hash_table_add (seen, focus);

  for (guint presses = 0; ; presses++)
    {
      GtkWidget *next;

      if (presses == max_presses)
        {
          *out_stuck = focus_owner (focus);
          break;
        }

      bc_gui_test_press_key (root, GDK_KEY_Tab, backward ? GDK_SHIFT_MASK : 0);
      next = gtk_root_get_focus (GTK_ROOT (root));

      if (next == focus)
        {
          *out_stuck = focus_owner (focus);
          break;
        }
      if (next == NULL || (next != container && !gtk_widget_is_ancestor (next, container)))
        break;
      if (g_hash_table_contains (seen, next))
        break;

      g_hash_table_add (seen, next);
      g_ptr_array_add (visited, focus_owner (next));
      focus = next;
    }

  return g_steal_pointer (&visited);
}

/* --- Sizes ----------------------------------------------------------------- */

static int
text_width (GtkWidget  *label,
            const char *text)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (label, text);
  PangoAttrList *attrs = gtk_label_get_attributes (GTK_LABEL (label));
  int width, height;

  if (attrs != NULL)
    pango_layout_set_attributes (layout, attrs);
  pango_layout_get_pixel_size (layout, &width, &height);

  return width;
}

static int
longest_word_width (GtkWidget  *label,
                    const char *text)
{
  g_auto(GStrv) words = g_strsplit_set (text, " \t\n", -1);
  int widest = 0;

  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      widest = MAX (widest, text_width (label, words[i]));

  return widest;
}

/* Popovers are children of the widget they point at, so a popover's
 * labels are checked with the rest: a popover too narrow for its text
 * shows as its labels breaking their words (GTK gives a popover the
 * natural width of its content, so the popover itself never looks short). */
static void
check_sizes (GtkWidget *widget,
             GString   *report)
{
  if (!gtk_widget_get_mapped (widget))
    return;

  if (GTK_IS_LABEL (widget))
    {
      const char *text = gtk_label_get_text (GTK_LABEL (widget));
      int width = gtk_widget_get_width (widget);

      if (gtk_label_get_ellipsize (GTK_LABEL (widget)) != PANGO_ELLIPSIZE_NONE &&
          !gtk_label_get_wrap (GTK_LABEL (widget)))
        {
          int natural;

          gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
          if (width < natural)
            g_string_append_printf (report, "label “%s” is cut: %d px wide, its text needs %d px\n",
                                    text, width, natural);
        }
      else if (*text != '\0')
        {
          int needed = longest_word_width (widget, text);

          if (width < needed)
            g_string_append_printf (report,
                                    "label “%s” breaks its words: %d px wide, its longest word needs %d px\n",
                                    text, width, needed);
        }
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    check_sizes (child, report);
}

static gboolean
allocated (gpointer user_data)
{
  return gtk_widget_get_width (user_data) > 0 && gtk_widget_get_height (user_data) > 0;
}

/* Every shown label with text has had its first allocation. */
static gboolean
labels_allocated (gpointer user_data)
{
  GtkWidget *widget = user_data;

  if (!gtk_widget_get_mapped (widget))
    return TRUE;
  if (GTK_IS_LABEL (widget) && *gtk_label_get_text (GTK_LABEL (widget)) != '\0' &&
      gtk_widget_get_width (widget) == 0)
    return FALSE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (!labels_allocated (child))
      return FALSE;
  return TRUE;
}

char *
bc_gui_test_check_sizes (GtkWidget *root)
{
  g_autoptr(GString) report = g_string_new (NULL);

  /* A window just shown has its sizes at its first frame; widgets a form
   * has just built get theirs a frame or more later on a busy machine.
   * A label still at no width after that is reported below. */
  g_assert_true (bc_gui_test_wait (allocated, root, 5000));
  bc_gui_test_wait (labels_allocated, root, 5000);
  check_sizes (root, report);

  if (report->len == 0)
    return NULL;

  return g_string_free (g_steal_pointer (&report), FALSE);
}
