/* bc-new-report-dialog.h: starts a report: form, period and unit.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bc-workbook.h"

G_BEGIN_DECLS

#define BC_TYPE_NEW_REPORT_DIALOG (bc_new_report_dialog_get_type ())
G_DECLARE_FINAL_TYPE (BcNewReportDialog, bc_new_report_dialog, BC, NEW_REPORT_DIALOG, AdwWindow)

/* Emits "report-created" (the new report's id) and closes once the report
 * is in the workbook. `settings` gives the default unit. */
BcNewReportDialog *bc_new_report_dialog_new (GtkWindow  *parent,
                                             BcWorkbook *workbook,
                                             GSettings  *settings);
/* The day the current period is taken from; today by default. */
void               bc_new_report_dialog_set_today (BcNewReportDialog *self,
                                                   const GDate       *today);

G_END_DECLS
