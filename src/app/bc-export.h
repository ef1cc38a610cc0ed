/* bc-export.h: the window's Export… (PDF, XLSX, CSV) and Print of the report shown.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Adds an "export" action group to a window: export.pdf, export.xlsx,
 * export.csv ask for a file with the system's file chooser and write it off
 * the UI thread; export.print lays the report out off the UI thread and
 * opens the print dialog (with its preview), which draws the same pages as
 * the PDF. The actions are enabled while a report is shown.
 */
#pragma once

#include "bc-window.h"

G_BEGIN_DECLS

void  bc_export_install  (BcWindow  *window);

G_END_DECLS
