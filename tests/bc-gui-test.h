/* bc-gui-test.h: helpers for tests that drive the real widgets in a window.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run under `xvfb-run -a dbus-run-session --`. Widgets are found the way a
 * screen reader finds them (by accessible name) or by widget name, and are
 * typed into through GtkEditable, so the same signal handlers run as when
 * a person types.
 */
#pragma once

#include <adwaita.h>

#include "bc-entry.h"
#include "bc-form-view.h"
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
/* Visible, and so are all its ancestors up to the window. */
gboolean    bc_gui_test_is_shown      (GtkWidget   *widget);

/* Replaces the text of an entry the way typing does: clears it, then
 * inserts one character at a time at the cursor. */
void        bc_gui_test_type          (GtkWidget   *editable,
                                       const char  *text);
void        bc_gui_test_type_long     (GtkWidget   *text_view,
                                       const char  *text);

/* A window showing a form view, 1000×760. */
GtkWidget  *bc_gui_test_window_new    (BcFormView **out_view);
/* Waits until the view shows the report, or fails the test. */
void        bc_gui_test_wait_loaded   (BcFormView  *view);
/* Waits until the view says SAVED (fails on FAILED or timeout). */
void        bc_gui_test_wait_saved    (BcFormView  *view);

G_END_DECLS
