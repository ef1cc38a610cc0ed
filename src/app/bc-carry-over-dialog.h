/* bc-carry-over-dialog.h: moves a draft to the version of its form that is
 * for it, after showing what moves, what is new and what would be lost.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bc-workbook.h"

G_BEGIN_DECLS

#define BC_TYPE_CARRY_OVER_DIALOG (bc_carry_over_dialog_get_type ())
G_DECLARE_FINAL_TYPE (BcCarryOverDialog, bc_carry_over_dialog, BC, CARRY_OVER_DIALOG, AdwWindow)

/* Works out the preview off the UI thread (bc_workbook_carry_over_preview())
 * and shows it; "Move" carries the draft over, dropping only the values
 * whose box the person ticked, and is greyed until every value that would
 * be lost is ticked. Signal "carried-over" (report id) once it is done; the
 * dialog then closes. */
BcCarryOverDialog *bc_carry_over_dialog_new          (GtkWindow  *parent,
                                                      BcWorkbook *workbook,
                                                      const char *report_id);
/* TRUE once the preview is on screen (or could not be worked out). */
gboolean           bc_carry_over_dialog_get_ready    (BcCarryOverDialog *self);
/* The version the draft would move to, 0 until the preview is ready. */
int                bc_carry_over_dialog_get_target_version (BcCarryOverDialog *self);

G_END_DECLS
