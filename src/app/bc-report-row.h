/* bc-report-row.h: one report in the sidebar: title, unit, status, timeliness.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "bc-report-list.h"

G_BEGIN_DECLS

#define BC_TYPE_REPORT_ROW (bc_report_row_get_type ())
G_DECLARE_FINAL_TYPE (BcReportRow, bc_report_row, BC, REPORT_ROW, GtkWidget)

GtkWidget    *bc_report_row_new             (void);
/* The item shown (NULL for none); the row follows its changes. */
void          bc_report_row_set_item        (BcReportRow  *self,
                                             BcReportItem *item);
BcReportItem *bc_report_row_get_item        (BcReportRow  *self);
/* The first row of a period carries the period's heading, since GTK 4.8's
 * list views have no sections. */
void          bc_report_row_set_show_period (BcReportRow  *self,
                                             gboolean      show_period);
gboolean      bc_report_row_get_show_period (BcReportRow  *self);
/* The CSS class of a status badge: "status-draft", … */
const char   *bc_status_css_class           (BcStatus      status);

G_END_DECLS
