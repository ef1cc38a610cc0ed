/* bc-entry.h: data entry by path, and reports as JSON.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the CLI, the window and imports have in common: find a report's
 * template, turn a path and a typed value into a checked change, and move
 * whole reports in and out as JSON (see docs/cli.md for the format).
 */
#pragma once

#include <json-glib/json-glib.h>

#include "bc-validate.h"
#include "bc-workbook.h"

G_BEGIN_DECLS

/* The template version a report was started on (transfer none). */
BcTemplate *bc_workbook_get_report_template (BcWorkbook   *self,
                                             BcReport     *report,
                                             GError      **error);
/* Accepts a full report id or an unambiguous prefix of one (at least 4
 * characters), as people copy them from `list`. Returns the full id. */
char       *bc_workbook_resolve_report_id   (BcWorkbook   *self,
                                             const char   *id_or_prefix,
                                             GError      **error);
/* Checks `input` against the field at `path` ("level3", "services.level3",
 * "findings[2].status") and stores it; an empty input clears the value.
 * A value that does not fit changes nothing and says why. */
gboolean    bc_workbook_enter_value         (BcWorkbook   *self,
                                             const char   *report_id,
                                             const char   *path,
                                             const char   *input,
                                             GError      **error);
/* The report as a JSON object: metadata, stored values by path, table rows,
 * computed values, justifications, and (with `issues`) its errors and
 * warnings. */
JsonNode   *bc_report_to_json               (BcTemplate   *template_,
                                             BcReport     *report,
                                             BcReport     *previous,
                                             gboolean      with_issues,
                                             const char   *lang);
/* Imports the reports of a JSON document ({"format": 1, "reports": […]}),
 * each in the state it names, walking the status machine (so a report
 * imported as "ready" must pass validation), in one transaction: when any
 * report fails, none of the document is kept. Returns the number imported
 * (0 on error). */
guint       bc_workbook_import_json         (BcWorkbook   *self,
                                             JsonNode     *root,
                                             GError      **error);
/* The largest import file read (a file of reports is far smaller). */
#define BC_IMPORT_MAX_BYTES (32 * 1024 * 1024)

/* Reads, checks (size, UTF-8, nesting depth, no NUL escapes, no member
 * named twice in one object) and imports one JSON file in one transaction:
 * all its reports or, on any error, none (*n_imported is 0). */
gboolean    bc_workbook_import_file         (BcWorkbook   *self,
                                             const char   *path,
                                             guint        *n_imported,
                                             GError      **error);
/* A value of `field` as its canonical stored text (NULL for blank), e.g. a
 * computed yes/no as "yes", a computed percentage as "33.3". */
char       *bc_field_value_to_canonical     (const BcField *field,
                                             const BcValue *value);
/* Errors and warnings as a JSON array of {severity, rule, path, message,
 * justification}. */
JsonNode   *bc_issues_to_json               (GPtrArray    *issues);

G_END_DECLS
