/* bc-form-test.h: a demo report in a form view, driven by real X key events.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The key presses go through the X server (XTest), so GTK sees them as it
 * sees a person's: its focus chain, its key bindings, its input methods.
 * Used by the form editor's keyboard, naming and size tests.
 */
#pragma once

#include "bc-gui-test.h"

G_BEGIN_DECLS

typedef struct {
  char       *dir;
  BcTemplateRegistry *templates;
  BcWorkbook *workbook;
  char       *report_id;
  BcTemplate *template_;
  GtkWidget  *window;
  BcFormView *view;
} BcFormTest;

/* A fresh copy of the shipped demo workbook, its report of `template_id`
 * shown in a window of width × height, which has the X input focus. */
void        bc_form_test_open        (BcFormTest  *f,
                                      const char  *home,
                                      const char  *template_id,
                                      int          width,
                                      int          height);
void        bc_form_test_close       (BcFormTest  *f);

/* The form's scrolled content: what Tab walks. */
GtkWidget  *bc_form_test_content     (BcFormTest  *f);
/* Every widget under `root` that Tab can stop at (focusable, sensitive,
 * shown), in widget order. */
GPtrArray  *bc_form_test_tab_stops   (GtkWidget   *root);
/* A short description of a widget for failure messages. */
char       *bc_form_test_describe    (GtkWidget   *widget);

/* Presses and releases a key (an X keysym) through the X server, with
 * Shift held if asked, and lets GTK handle it. */
void        bc_form_test_key         (BcFormTest  *f,
                                      guint        keysym,
                                      gboolean     shift);
/* Types ASCII text key by key through the X server. */
void        bc_form_test_type        (BcFormTest  *f,
                                      const char  *text);
/* The widget with the keyboard focus. */
GtkWidget  *bc_form_test_focus       (BcFormTest  *f);

G_END_DECLS
