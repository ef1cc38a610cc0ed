/* bc-changes.h: what changed in a report since the revision that was sent.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A returned report is corrected and sent again; before sending, the
 * officer sees field by field and row by row what they changed since the
 * revision the province has (docs/workbook.md, "Changed since sent"). The
 * comparison is between two report contents as the wire gives them
 * (bc_wire_report_content(): values, and tables whose rows carry their
 * row_id); the content that was sent is rebuilt from the report now and its
 * edit history, undoing every edit made after that revision.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "bc-report.h"
#include "bc-template.h"
#include "bc-workbook.h"

G_BEGIN_DECLS

typedef enum {
  BC_CHANGE_VALUE,        /* a field's or a table cell's value */
  BC_CHANGE_ROW_ADDED,    /* a row that the sent content did not have */
  BC_CHANGE_ROW_REMOVED,  /* a row of the sent content that is gone */
  BC_CHANGE_JUSTIFICATION, /* a warning's justification written, changed or removed */
} BcChangeKind;

typedef struct {
  BcChangeKind  kind;
  char         *key;        /* "level3", "findings.status"; a row's table id;
                             * a justification's rule id */
  char         *table;      /* the table id of a cell or row; NULL for a field */
  char         *column;     /* the column id of a cell; else NULL */
  gint64        row_id;     /* the row's id (or, for rows without ids, its index + 1); 0 for a field */
  guint         old_row;    /* the row's position in the sent content, from 1; 0: not there */
  guint         new_row;    /* its position now, from 1; 0: not there */
  char         *old_value;  /* canonical stored text; NULL = blank (always NULL for a row) */
  char         *new_value;
  JsonObject   *row;        /* ROW_ADDED / ROW_REMOVED: the row's cells (as on the wire) */
  char         *path;       /* where the form shows it: "level3", "findings[2].status";
                             * an added row's first cell; a removed row's table id */
} BcChange;

void bc_change_free (BcChange *change);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcChange, bc_change_free)

/* The changes from `sent` to `now`, two report contents (as
 * bc_wire_report_content() makes them, or as parsed from an outbox item's
 * canonical JSON). Fields and tables come in the template's form order,
 * then any key the template does not know, by key; a table's rows are
 * matched by their `row_id` (by position when the rows have none): each row
 * of `now` in order, its changed cells or that it was added, then the rows
 * that were removed. Justifications are not compared. Returns BcChange*, empty when
 * nothing changed. `template_` gives the order; NULL: by key. */
GPtrArray  *bc_changes_compare        (BcTemplate  *template_,
                                       JsonNode    *sent,
                                       JsonNode    *now);

/* The content `report` had at `revision`, rebuilt from the report as it is
 * and its edit history (`history`: BcEdit*, oldest first, as
 * bc_workbook_get_history() gives it) by undoing, newest first, every edit
 * made after `revision`: a value gets its old value back, an added row
 * goes, a removed row comes back (at the place its row id sorts among the
 * others: the history does not keep where it was), a moved row moves back.
 * Justifications are those of now (the history does not record them). */
JsonNode   *bc_changes_content_at     (BcTemplate  *template_,
                                       BcReport    *report,
                                       GPtrArray   *history,
                                       gint64       revision);

/* What changed in a report since the revision the province has (its last
 * receipt): BcChange*, empty when it was never sent or nothing changed.
 * bc_changes_compare()'s changes, then the justifications of warnings
 * written, changed or removed (BC_CHANGE_JUSTIFICATION), by rule in the
 * form's order; one of a row added or removed goes with its row.
 * `sent_revision` (optional) gets that revision, 0 if none. Reads the
 * workbook (report, sync state, history); any thread. A history purged
 * after sending (bc_workbook_purge_history()) cannot be undone: the
 * changes made before the purge are then not seen. */
GPtrArray  *bc_changes_since_sent     (BcWorkbook  *workbook,
                                       const char  *report_id,
                                       gint64      *sent_revision,
                                       GError     **error);

/* Where the change is, for people, in `lang` ("vi" or "en"): the section,
 * the table and its row, the field: "Tiếp nhận hồ sơ › Số hồ sơ",
 * "Kết quả kiểm tra › Dòng 2 › Tình trạng". Falls back to the key for a
 * field the template does not have. */
char       *bc_change_dup_label       (const BcChange *change,
                                       BcTemplate     *template_,
                                       const char     *lang);
/* The value before and after, for people (bc_field_format_value()); "—"
 * for a blank. For a row: a summary of its cells, the side it is not on
 * "—". */
char       *bc_change_dup_old_text    (const BcChange *change,
                                       BcTemplate     *template_,
                                       const char     *lang);
char       *bc_change_dup_new_text    (const BcChange *change,
                                       BcTemplate     *template_,
                                       const char     *lang);

G_END_DECLS
