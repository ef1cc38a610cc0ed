/* bc-conflict-dialog.h: a report in conflict, this computer's copy beside
 * the province's, one choice per difference.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bc-sync-controller.h"
#include "bc-workbook.h"

G_BEGIN_DECLS

#define BC_TYPE_CONFLICT_DIALOG (bc_conflict_dialog_get_type ())
G_DECLARE_FINAL_TYPE (BcConflictDialog, bc_conflict_dialog, BC, CONFLICT_DIALOG, AdwWindow)

/* Fetches the province's copy (through `controller`, off the UI thread),
 * compares it with this workbook's and shows one row per difference: the
 * field in the form's words and two toggle buttons, "This computer: …"
 * (chosen at first) and "Province: …". "Keep These" resolves the conflict
 * with the choices (bc_conflict_resolve(), off the UI thread), asks the
 * controller to send, and closes; signal "resolved" (report id) first. A
 * copy that cannot be fetched (offline…) is said in plain words, with
 * "Try Again". */
BcConflictDialog *bc_conflict_dialog_new       (GtkWindow        *parent,
                                                BcWorkbook       *workbook,
                                                BcSyncController *controller,
                                                const char       *report_id);
/* TRUE once the differences (or why they cannot be shown) are on screen. */
gboolean          bc_conflict_dialog_get_ready (BcConflictDialog *self);
/* Why the province's copy could not be fetched or the choice not kept, in
 * plain words, or NULL. */
const char       *bc_conflict_dialog_get_error (BcConflictDialog *self);

G_END_DECLS
