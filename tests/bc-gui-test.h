/* bc-gui-test.h: helpers for tests that drive the real widgets in a window.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run under `xvfb-run -a dbus-run-session --`. Widgets are found the way a
 * screen reader finds them (by accessible name) or by widget name.
 *
 * Two ways to put text in: bc_gui_test_type() calls GtkEditable (quick; it
 * refuses a read-only input but skips focus, key bindings and the pointer),
 * and the "real input" helpers below, which send key and pointer events to
 * the X server as a keyboard and a mouse would. Prove what people meet
 * (typing, Tab, clicks) with the real ones.
 */
#pragma once

#include <adwaita.h>

#include "bc-entry.h"
#include "bc-form-view.h"
#include "bc-window.h"
#include "bc-test-util.h"

G_BEGIN_DECLS

/* Points HOME and XDG_* at a fresh temporary folder (returned), then
 * initialises GTK, libadwaita and the translations. */
char       *bc_gui_test_init          (void);

typedef gboolean (*BcGuiTestCondition) (gpointer user_data);
/* Runs the main loop until `condition` holds; FALSE after `timeout_ms`. */
gboolean    bc_gui_test_wait          (BcGuiTestCondition condition,
                                       gpointer     user_data,
                                       guint        timeout_ms);
/* Runs the main loop for `ms` milliseconds. */
void        bc_gui_test_spin          (guint        ms);
/* bc_gui_test_wait(), failing the test with `what` after `timeout_ms`. */
void        bc_gui_test_wait_or_fail  (BcGuiTestCondition condition,
                                       gpointer     user_data,
                                       guint        timeout_ms,
                                       const char  *what);
/* Waits up to a minute for `cond (data)`, naming the condition on failure. */
#define BC_GUI_TEST_WAIT_FOR(cond, data) \
  bc_gui_test_wait_or_fail ((BcGuiTestCondition) (cond), (data), 60000, #cond)
/* Dispatches whatever is pending, without waiting. */
void        bc_gui_test_drain         (void);

/* Depth-first, in widget order (which is Tab order in a form). Labels,
 * which GTK names by their own text, are not matched by accessible name. */
GtkWidget  *bc_gui_test_find_by_label (GtkWidget   *root,
                                       const char  *accessible_label);
GtkWidget  *bc_gui_test_find_by_name  (GtkWidget   *root,
                                       const char  *widget_name);
GtkWidget  *bc_gui_test_find_by_type  (GtkWidget   *root,
                                       GType        type);
/* A label under `root` whose text starts with `prefix`, visible or not. */
GtkWidget  *bc_gui_test_find_label    (GtkWidget   *root,
                                       const char  *prefix);
/* Every widget of `type` under `root`, in widget order. */
GPtrArray  *bc_gui_test_collect_by_type (GtkWidget *root,
                                         GType      type);
/* A visible toplevel window of `type` (a dialog, Preferences), or NULL. */
GtkWindow  *bc_gui_test_find_toplevel (GType        type);
/* With BAOCAO_SHOT_DIR set, `window` as GTK draws it, in
 * $BAOCAO_SHOT_DIR/NAME-$BAOCAO_LANGUAGE.png, for a person to look at
 * (nothing is checked on it). Without it, nothing. */
void        bc_gui_test_save_png      (GtkWidget   *window,
                                       const char  *name);
/* Visible, and so are all its ancestors up to the window. */
gboolean    bc_gui_test_is_shown      (GtkWidget   *widget);

/* Replaces the text of an entry the way typing does: clears it, then
 * inserts one character at a time at the cursor. Fails the test on a
 * greyed-out or read-only input (the API would write there; a person
 * cannot). Through GtkEditable, not key presses: see bc_gui_test_type_keys. */
void        bc_gui_test_type          (GtkWidget   *editable,
                                       const char  *text);
void        bc_gui_test_type_long     (GtkWidget   *text_view,
                                       const char  *text);

/* --- Real input ------------------------------------------------------------
 * Key presses and clicks go to the virtual display's X server (XTest), come
 * back as X events and travel GDK's event path like a person's: the window
 * must have the keyboard focus, the widget under the pointer is picked,
 * key bindings, read-only checks and focus handling all take part. Each
 * call returns once the X server has processed the events and the main
 * loop has dispatched what they caused. Under a display that is not X11
 * they mark the test skipped (g_test_skip) and do nothing; check
 * bc_gui_test_real_input_available() first and return. */

gboolean    bc_gui_test_real_input_available (void);
/* Presses and releases `keyval` (GDK_KEY_Tab, GDK_KEY_a, …) with
 * `modifiers` (GDK_SHIFT_MASK, GDK_CONTROL_MASK, GDK_ALT_MASK) held, on the
 * keyboard focus of `window` (raised and given the X focus first). */
void        bc_gui_test_press_key    (GtkWidget       *window,
                                      guint            keyval,
                                      GdkModifierType  modifiers);
/* Types `text`, a key press per character, into whatever has the focus.
 * A character the keyboard map lacks (Vietnamese letters) is bound to a
 * spare keycode for its key press, as xdotool does. */
void        bc_gui_test_key_type     (GtkWidget       *window,
                                      const char      *text);
/* Scrolls `widget` into view when it is not, moves the pointer to its
 * middle and clicks the primary button there. Fails the test when another
 * widget would take the click. */
void        bc_gui_test_click        (GtkWidget       *widget);
/* Fails the test unless a person can type into `widget`: shown, sensitive,
 * and an editable GtkEditable or GtkTextView (or inside one). */
void        bc_gui_test_assert_editable (GtkWidget    *widget);
/* The real-input bc_gui_test_type(): clicks `widget`, asserts that it took
 * the focus and is editable, selects all (Ctrl+A) and types `text` with key
 * presses. An entry's text must then read `text`. */
void        bc_gui_test_type_keys    (GtkWidget       *widget,
                                      const char      *text);

/* Walks the focus chain with real Tab presses (Shift+Tab when `backward`)
 * from the focus on `start` (given with gtk_widget_grab_focus()), until the
 * focus leaves `container` or comes back to a widget it already held.
 * Returns the widgets that held the focus, in order, `start` first; an
 * entry stands for the GtkText inside it. A press that leaves the focus where it was is a
 * keyboard trap: the walk stops and `*out_stuck` is that widget (else NULL).
 * More than `max_presses` presses inside `container` also count as stuck. */
GPtrArray  *bc_gui_test_walk_focus   (GtkWidget       *container,
                                      GtkWidget       *start,
                                      gboolean         backward,
                                      guint            max_presses,
                                      GtkWidget      **out_stuck);

/* Checks the allocated sizes under `root`, open popovers included: no
 * shown label narrower than the longest word of its text (broken letter by
 * letter, as in a popover too narrow for its content) or, when it
 * ellipsizes, than its whole text. Waits for `root`'s first allocation.
 * Returns NULL when all fit, else one line per offender. */
char       *bc_gui_test_check_sizes  (GtkWidget       *root);

/* The window has opened its workbook and listed its reports. */
gboolean    bc_gui_test_window_ready  (BcWindow    *window);

/* A window showing a form view, 1000×760. */
GtkWidget  *bc_gui_test_window_new    (BcFormView **out_view);
/* Waits until the view shows the report, or fails the test. */
void        bc_gui_test_wait_loaded   (BcFormView  *view);
/* Waits until the view says SAVED (fails on FAILED or timeout). */
void        bc_gui_test_wait_saved    (BcFormView  *view);

/* Whether all of `widget` is inside the scrolled window around it (a
 * gboolean (*)(gpointer) for bc_gui_test_wait()). */
gboolean bc_gui_test_fully_in_view (gpointer widget);

G_END_DECLS
