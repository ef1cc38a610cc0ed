/* bc-table-editor.h: a table of a form (a findings list) as a list of row cards.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each row is a card holding one BcFieldEditor per column, with buttons to
 * move it up or down and to remove it (a long compact table makes only the
 * cards near the view); "Add row" is under the last card and
 * the table's group summaries under that. Row operations are asked for
 * through signals; the rows shown follow the report given to
 * bc_table_editor_set_rows(), matched by their stable ids.
 */
#pragma once

#include <adwaita.h>

#include "bc-field-editor.h"
#include "bc-report.h"
#include "bc-validate.h"

G_BEGIN_DECLS

#define BC_TYPE_TABLE_EDITOR (bc_table_editor_get_type ())
G_DECLARE_FINAL_TYPE (BcTableEditor, bc_table_editor, BC, TABLE_EDITOR, GtkWidget)

/* `table` must outlive the editor (it belongs to its template). */
GtkWidget     *bc_table_editor_new           (const BcField  *table,
                                              const char     *lang);
const BcField *bc_table_editor_get_field     (BcTableEditor  *self);
/* The editor of the table's header (label, help, issues of the whole table). */
BcFieldEditor *bc_table_editor_get_header    (BcTableEditor  *self);
/* Shows the rows of `report`, in order: new rows get cards (and
 * "editor-added" for each of their cells), removed rows lose theirs. */
void           bc_table_editor_set_rows      (BcTableEditor  *self,
                                              BcReport       *report);
guint          bc_table_editor_get_n_rows    (BcTableEditor  *self);
gint64         bc_table_editor_get_row_id    (BcTableEditor  *self,
                                              guint           row);
/* The editor of a cell, by the row's stable id or its position (0-based). */
BcFieldEditor *bc_table_editor_get_cell      (BcTableEditor  *self,
                                              gint64          row_id,
                                              const char     *column);
BcFieldEditor *bc_table_editor_get_cell_at   (BcTableEditor  *self,
                                              guint           row,
                                              const char     *column);
/* Every cell editor, row by row. */
void           bc_table_editor_foreach_cell  (BcTableEditor  *self,
                                              GFunc           func,
                                              gpointer        user_data);
/* BcGroupSummary*, as bc_report_group_summaries() returns them. */
void           bc_table_editor_set_summaries (BcTableEditor  *self,
                                              GPtrArray      *summaries);
void           bc_table_editor_set_read_only (BcTableEditor  *self,
                                              gboolean        read_only);
/* While a row operation is on its way, the rows' move and remove buttons
 * are insensitive: the positions they would act on may be about to change. */
void           bc_table_editor_set_busy      (BcTableEditor  *self,
                                              gboolean        busy);
/* A table of many columns (a findings list) shows a row as a line, its
 * fields once opened: shows a row's fields ("row-shown" when new). */
gboolean       bc_table_editor_show_row      (BcTableEditor  *self,
                                              gint64          row_id);
/* Marks the compact rows that have errors or unjustified warnings
 * (BcIssue*, the report's issues). */
void           bc_table_editor_set_row_problems (BcTableEditor *self,
                                                 GPtrArray     *issues);
/* The line of a compact row, after one of its values changed. */
void           bc_table_editor_refresh_summary (BcTableEditor *self,
                                                BcReport      *report,
                                                gint64         row_id);

/* What a row is called, for people and screen readers: the template's
 * word for a row and its number ("Finding 12"), or the table's label and
 * the number ("Findings, row 12"); `number` counts from 1. */
char          *bc_table_editor_dup_row_name  (const BcField  *table,
                                              guint           number,
                                              const char     *lang);
/* Scrolls the form so that the row (0-based) is in view, if it is not. */
void           bc_table_editor_scroll_to_row (BcTableEditor  *self,
                                              guint           row);
G_END_DECLS
