/* bc-window.h: the main window: a workbook's reports beside the open report.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bc-application.h"
#include "bc-form-view.h"
#include "bc-report-list.h"
#include "bc-sync-controller.h"
#include "bc-workbook.h"

G_BEGIN_DECLS

#define BC_TYPE_WINDOW (bc_window_get_type ())
G_DECLARE_FINAL_TYPE (BcWindow, bc_window, BC, WINDOW, AdwApplicationWindow)

BcWindow     *bc_window_new           (BcApplication *application);
/* Opens a workbook off the UI thread; NULL opens (creating it when
 * missing) the user's own workbook. */
void          bc_window_open_workbook (BcWindow      *self,
                                       GFile         *file);
/* Opens the demo workbook: shows the user's copy as it is (nothing
 * happens when it is already shown), or installs a fresh copy of the
 * shipped one the first time. Only "Reset Demo…" replaces a copy. */
void          bc_window_open_demo     (BcWindow      *self);
/* Replaces the demo copy with the shipped one, then opens it (--demo). */
void          bc_window_open_fresh_demo (BcWindow    *self);
/* Whether the workbook shown is a demo (training data). */
gboolean      bc_window_get_demo      (BcWindow      *self);
/* The open workbook's sync (enrolment, sending), or NULL. */
BcSyncController *bc_window_get_sync_controller (BcWindow *self);
/* The open workbook ("workbook" property), NULL while opening. */
BcWorkbook   *bc_window_get_workbook  (BcWindow      *self);
/* Its reports, NULL while opening. */
BcReportList *bc_window_get_reports   (BcWindow      *self);
/* TRUE while a workbook is being opened or its list first loaded
 * ("busy" property). */
gboolean      bc_window_get_busy      (BcWindow      *self);
BcFormView   *bc_window_get_form_view (BcWindow      *self);
/* The report shown, or NULL. */
const char   *bc_window_get_report_id (BcWindow      *self);
/* Shows a report, selecting it in the list; FALSE when the list has none
 * with that id. */
gboolean      bc_window_select_report (BcWindow      *self,
                                       const char    *report_id);

G_END_DECLS
