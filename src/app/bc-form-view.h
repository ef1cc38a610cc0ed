/* bc-form-view.h: the form editor, drawn from a report's template.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shows one report of a workbook as the form its template describes, and
 * commits every edit to the workbook off the UI thread. The window embeds
 * it; everything it knows about forms comes from the core.
 */
#pragma once

#include <adwaita.h>

#include "bc-issue-list.h"
#include "bc-workbook.h"

G_BEGIN_DECLS

typedef enum {
  BC_SAVE_STATE_IDLE,     /* nothing loaded, or nothing edited yet */
  BC_SAVE_STATE_SAVING,   /* an edit is on its way to the workbook */
  BC_SAVE_STATE_SAVED,    /* every edit shown has been committed */
  BC_SAVE_STATE_FAILED,   /* the last edit could not be committed: see "save-error" */
} BcSaveState;

#define BC_TYPE_SAVE_STATE (bc_save_state_get_type ())
GType bc_save_state_get_type (void) G_GNUC_CONST;

#define BC_TYPE_FORM_VIEW (bc_form_view_get_type ())
G_DECLARE_FINAL_TYPE (BcFormView, bc_form_view, BC, FORM_VIEW, GtkWidget)

GtkWidget   *bc_form_view_new            (void);
/* Loads `report_id` from `workbook` asynchronously (NULL to show nothing). */
void         bc_form_view_load           (BcFormView  *self,
                                          BcWorkbook  *workbook,
                                          const char  *report_id);
const char  *bc_form_view_get_report_id  (BcFormView  *self);
/* The snapshot after the last committed change ("report" property). */
BcReport    *bc_form_view_get_report     (BcFormView  *self);
/* Whether the report is shown with every section of its form: the first
 * screenful is built before the first frame, the rest just after. */
gboolean     bc_form_view_is_complete    (BcFormView  *self);
BcSaveState  bc_form_view_get_save_state (BcFormView  *self);
/* Why the last save failed, in the user's language, or NULL. */
const char  *bc_form_view_get_save_error (BcFormView  *self);
guint        bc_form_view_get_n_errors   (BcFormView  *self);
guint        bc_form_view_get_n_warnings (BcFormView  *self); /* unjustified ones */
/* The path of the field that has the focus ("findings[2].status"), so the
 * window can reopen the report at the same place ("focus-path" property). */
const char  *bc_form_view_get_focus_path (BcFormView  *self);
/* Scrolls to and focuses a field; FALSE when the path is not shown. */
gboolean     bc_form_view_focus_path     (BcFormView  *self,
                                          const char  *path);
/* Moves the loaded report to `status` through the same ordered queue as its
 * edits: after every edit typed so far has been committed, and bound to
 * the report loaded at the time of the call (switching reports meanwhile
 * does not redirect it). The inputs are read-only from the call on, so
 * nothing typed meanwhile can be lost; they come back when the change
 * fails or leaves the report a draft. Fails, changing nothing, when an edit
 * could not be saved or a field holds a value that does not fit. */
void         bc_form_view_change_status_async  (BcFormView          *self,
                                                BcStatus             status,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean     bc_form_view_change_status_finish (BcFormView          *self,
                                                GAsyncResult        *result,
                                                GError             **error);
/* Signal "background-save-failed" (const char *report_id, const char *message):
 * an edit of a report that is no longer shown could not be saved. The
 * form shows the failure again when that report is loaded. */

/* Whether a field holds what was typed but refused (150 in a percentage):
 * not saved, it would be lost on closing ("has-refused-input" property). */
gboolean     bc_form_view_has_refused_input    (BcFormView          *self);
/* Asks whether to lose the refused values: TRUE to go on (at once when
 * there are none); FALSE when the person went back to the field, which
 * then has the focus. */
void         bc_form_view_confirm_discard_async  (BcFormView          *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean     bc_form_view_confirm_discard_finish (BcFormView          *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
/* For a window's close-request: TRUE (hold the close) while a refused
 * value waits for the person's answer; closes `window` again if they
 * choose to discard it. */
gboolean     bc_form_view_hold_close           (BcFormView          *self,
                                                GtkWindow           *window);

/* Reloads the report (after a status change made elsewhere). */
void         bc_form_view_reload         (BcFormView  *self);

/* The form's errors and warnings, which the window shows in its own panel
 * too (follow its "issues-changed" signal). */
/* The field last focused, when it is in view, stays in view while the
 * form's width changes (the problems panel opening or closing beside it)
 * and its text flows anew. */
void         bc_form_view_keep_focus_in_view (BcFormView *self);
BcIssueList *bc_form_view_get_issue_list (BcFormView *self);

G_END_DECLS
