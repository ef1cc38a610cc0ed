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

#include "bc-document.h"
#include "bc-window.h"

G_BEGIN_DECLS

typedef enum {
  BC_EXPORT_PDF,
  BC_EXPORT_XLSX,
  BC_EXPORT_CSV,
} BcExportFormat;

/* Adds the actions; returns their group (owned by the window). */
GActionGroup      *bc_export_install              (BcWindow           *window);
/* Writes the report shown in `window` to `path` in a worker thread, then
 * says so in the window (a toast, or a dialog with the error). What the
 * file chooser's "Export" runs. */
void               bc_export_write_async          (BcWindow           *window,
                                                   BcExportFormat      format,
                                                   const char         *path,
                                                   GAsyncReadyCallback callback,
                                                   gpointer            user_data);
gboolean           bc_export_write_finish         (GAsyncResult       *result,
                                                   GError            **error);
/* A print operation that prints `document`'s pages, A4, one point a unit,
 * from the paper's corner: what Print runs with the print dialog. */
GtkPrintOperation *bc_export_print_operation_new  (BcDocument         *document);

G_END_DECLS
