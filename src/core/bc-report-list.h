/* bc-report-list.h: a workbook's reports as a GListModel, for lists of reports.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * BcReportList holds one BcReportItem per report of a workbook, sorted by
 * period (newest first), then title, then unit, so that a view can show the
 * reports grouped by period. It is filled and refreshed from
 * bc_workbook_list_reports_async(), so SQLite never runs on the caller's
 * thread. A refresh keeps the items of reports that are still there (their
 * properties change in place) and signals only the positions that changed;
 * "refreshed" follows every refresh applied.
 */
#pragma once

#include <gio/gio.h>

#include "bc-period.h"
#include "bc-report.h"
#include "bc-workbook.h"

G_BEGIN_DECLS

#define BC_TYPE_REPORT_ITEM (bc_report_item_get_type ())
G_DECLARE_FINAL_TYPE (BcReportItem, bc_report_item, BC, REPORT_ITEM, GObject)

const char   *bc_report_item_get_id               (BcReportItem *self);
const char   *bc_report_item_get_template_id      (BcReportItem *self);
int           bc_report_item_get_template_version (BcReportItem *self);
/* The template's title in the list's language (the template id when the
 * template is not known). */
const char   *bc_report_item_get_title            (BcReportItem *self);
const char   *bc_report_item_get_period_id        (BcReportItem *self);
/* "Quý II/2018"; the period id when it cannot be parsed. */
const char   *bc_report_item_get_period_label     (BcReportItem *self);
const char   *bc_report_item_get_unit             (BcReportItem *self);
BcStatus      bc_report_item_get_status           (BcReportItem *self);
/* Against the list's "today" and the due date of the plan in force for the
 * report's unit and period; NO_DUE_DATE when no plan in force sets one (or
 * the period id cannot be parsed). */
BcTimeliness  bc_report_item_get_timeliness       (BcReportItem *self);
/* The last on-time day under the plan in force, or NULL when there is none. */
const GDate  *bc_report_item_get_due_date         (BcReportItem *self);
gint64        bc_report_item_get_revision         (BcReportItem *self);
gint64        bc_report_item_get_updated_at       (BcReportItem *self); /* µs since the epoch, UTC */
gint64        bc_report_item_get_submitted_at     (BcReportItem *self); /* 0 until first queued */
/* TRUE when every word of `query` starts a word of the title, unit or
 * period (label, id, or the quarter's number), ignoring case and Vietnamese
 * diacritics: "quy ii" and "quý 2/2018" find "Quý II/2018", "duc pho" finds
 * "Đức Phổ". A number must be a whole word ("2" does not find "2018"). An
 * empty or NULL query matches everything. */
gboolean      bc_report_item_matches          (BcReportItem *self,
                                               const char   *query);

#define BC_TYPE_REPORT_LIST (bc_report_list_get_type ())
G_DECLARE_FINAL_TYPE (BcReportList, bc_report_list, BC, REPORT_LIST, GObject)

/* `lang` is the language of titles and period labels ("vi" or "en"; NULL
 * for bc_i18n_language()). The list is empty until the first refresh. */
BcReportList *bc_report_list_new              (BcWorkbook          *workbook,
                                               const char          *lang);
BcWorkbook   *bc_report_list_get_workbook     (BcReportList        *self);
/* TRUE once a refresh has completed ("loaded" property). */
gboolean      bc_report_list_get_loaded       (BcReportList        *self);
/* The day timeliness is computed against; NULL sets today (local time),
 * which is also the default. Takes effect at the next refresh. */
void          bc_report_list_set_today        (BcReportList        *self,
                                               const GDate         *today);
void          bc_report_list_refresh_async    (BcReportList        *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean      bc_report_list_refresh_finish   (BcReportList        *self,
                                               GAsyncResult        *result,
                                               GError             **error);
/* The item of `report_id` (transfer none) and its position, or NULL. */
BcReportItem *bc_report_list_find             (BcReportList        *self,
                                               const char          *report_id,
                                               guint               *position);

G_END_DECLS
