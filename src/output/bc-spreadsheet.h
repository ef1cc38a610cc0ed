/* bc-spreadsheet.h: reports as spreadsheets (XLSX with typed cells) and CSV.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One report: XLSX with a sheet of its fields (numbers as numbers,
 * percentages as percentages, dates as dates) and a sheet per table; CSV of
 * one line per value, by path, with the stored values (so that it reads
 * back exactly). A period: one row per unit with the indicators of a form,
 * for the province to compile. CSV is RFC 4180, UTF-8 with a byte order
 * mark so that spreadsheet programs read the diacritics. Column headings
 * are Vietnamese, as the province reads them.
 */
#pragma once

#include "bc-report.h"
#include "bc-template.h"
#include "bc-workbook.h"

G_BEGIN_DECLS

/* One report and what its computed fields need. */
typedef struct {
  BcTemplate *template_;  /* a reference */
  BcReport   *report;
  BcReport   *previous;   /* may be NULL */
  gboolean    training;   /* from a demo workbook: marked as a training sample */
} BcExportItem;

BcExportItem *bc_export_item_new    (BcTemplate  *template_,
                                     BcReport    *report,
                                     BcReport    *previous);
void          bc_export_item_free   (BcExportItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcExportItem, bc_export_item_free)

/* Loads a report with its template and its previous period's report;
 * `training` is set when the workbook is a demo one. */
BcExportItem *bc_export_item_load   (BcWorkbook  *workbook,
                                     const char  *report_id,
                                     GError     **error);
/* The reports of `period_id` (and of `template_id` unless NULL), sorted by
 * unit; BC_OUTPUT_ERROR_EMPTY when there is none. */
GPtrArray    *bc_export_items_for_period (BcWorkbook  *workbook,
                                          const char  *period_id,
                                          const char  *template_id,
                                          GError     **error);

gboolean      bc_report_write_xlsx  (BcExportItem *item,
                                     const char   *path,
                                     GError      **error);
/* Columns: path, section, label, value (stored form), unit, computed. */
gboolean      bc_report_write_csv   (BcExportItem *item,
                                     const char   *path,
                                     GError      **error);
/* One sheet per form, one row per unit: unit, status, then every indicator
 * (numbers, percentages, dates, choices, yes/no), computed ones included. */
gboolean      bc_period_write_xlsx  (GPtrArray    *items,
                                     const char   *period_id,
                                     const char   *path,
                                     GError      **error);
/* The same as CSV; the items must all be of one form. */
gboolean      bc_period_write_csv   (GPtrArray    *items,
                                     const char   *path,
                                     GError      **error);

/* The fields a period's table has as columns, in form order. Borrowed. */
GPtrArray    *bc_template_dup_indicators (BcTemplate *template_);

G_END_DECLS
