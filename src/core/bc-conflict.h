/* bc-conflict.h: resolving a conflict with the province's copy of a report.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A report changed both here and on another device of the unit comes back
 * from a push as a `conflict` (docs/sync-protocol.md): the server kept this
 * revision beside its current one, and the report here is `sent` with its
 * sync state saying conflict. The officer compares the two copies field by
 * field (bc_conflict_compare(): BcChange from "mine" to "the province's")
 * and, for each difference, keeps theirs or takes the province's
 * (bc_conflict_resolve()). Neither version is lost: the server keeps every
 * revision, and the values replaced here stay in the report's edit history.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "bc-changes.h"
#include "bc-workbook.h"

G_BEGIN_DECLS

/* The differences between this workbook's copy of `report_id` (old side)
 * and `server_content` (new side, as GET /api/v1/reports/{id} gives it),
 * as bc_changes_compare() gives them: BcChange*. `template_out` (optional)
 * gets the report's template (owned by the workbook's registry). */
GPtrArray  *bc_conflict_compare     (BcWorkbook          *workbook,
                                     const char          *report_id,
                                     JsonNode            *server_content,
                                     BcTemplate         **template_out,
                                     GError             **error);

/* A stable name for one difference, for choosing it: a field's key
 * ("services_level3"), a cell as "TABLE#ROW_ID.COLUMN" ("findings#2.status"),
 * a row added or removed as "TABLE#ROW_ID". */
char       *bc_conflict_change_id   (const BcChange      *change);

/* Resolves the conflict of `report_id` against the server's copy
 * (`server_content`, its `server_revision` as current and `max_revision`
 * the highest it holds): for each difference named in `take_province`
 * (bc_conflict_change_id(); NULL-terminated, may be NULL) the province's
 * value, row or removal is applied, every other difference keeps this
 * copy. A row taken from the province's copy keeps its row_id (the next
 * push and later comparisons match rows by it) and its cells, and goes
 * just after the nearest row above it there that this copy has too. In ONE
 * workbook transaction: the report goes from `sent` back to draft, the
 * values are set as edits (recorded in the history), its revision rises
 * above every revision the server holds, it is marked ready and queued,
 * based on `server_revision`, so that the next push is stored as the
 * server's current one. A name that is not a difference fails with
 * BC_WORKBOOK_ERROR_INVALID, and so does taking a province's row whose
 * row_id a row of this copy has and keeps (only a row the province's copy
 * lacks can have it: take that removal too); a report not in conflict
 * with TRANSITION; a mix that does not pass the form's checks with
 * NOT_READY; each changes nothing. */
gboolean    bc_conflict_resolve     (BcWorkbook          *workbook,
                                     const char          *report_id,
                                     JsonNode            *server_content,
                                     gint64               server_revision,
                                     gint64               max_revision,
                                     const char * const  *take_province,
                                     GError             **error);

G_END_DECLS
