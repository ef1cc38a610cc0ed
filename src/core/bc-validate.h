/* bc-validate.h: evaluating a template's expressions over a report.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Computed fields, conditions and rules all run here, against one report and
 * (for prev(…)) the same unit's report of the previous period. Nothing here
 * touches storage: the workbook, the CLI and the app hand in snapshots.
 */
#pragma once

#include "bc-expr.h"
#include "bc-report.h"
#include "bc-template.h"

G_BEGIN_DECLS

#define BC_VALIDATE_ERROR (bc_validate_error_quark ())

/* The steps one call of bc_validate_report() or bc_report_group_summaries()
 * may take over every expression it evaluates, computed fields included
 * (docs/rules.md, "Limits"). The other calls, which evaluate one thing, may
 * take BC_EXPR_MAX_STEPS. */
#define BC_VALIDATE_MAX_STEPS (BC_EXPR_MAX_STEPS * 10)

typedef enum {
  BC_VALIDATE_ERROR_NOT_READY,   /* errors remain or a warning is not justified */
  BC_VALIDATE_ERROR_TEMPLATE,    /* the report does not match its template */
} BcValidateError;

typedef struct {
  char       *rule_id;     /* the rule, or "required:<key>" / "invalid:<key>" for field checks */
  BcSeverity  severity;
  char       *path;        /* where to show it: "level3", "findings[2].status" */
  char       *key;         /* storage key of that field: "level3", "findings.status" */
  gint64      row_id;      /* 0 for scalar fields */
  char       *message;     /* in the requested language */
  char       *justification; /* warnings: the written justification, or NULL */
} BcIssue;

void       bc_issue_free              (BcIssue *issue);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcIssue, bc_issue_free)

/* The summaries of one group of a table's rows (e.g. one inspected unit). */
typedef struct {
  char       *group;       /* the group column's stored value; NULL for the overall summary */
  guint       n_rows;
  guint       n_values;
  BcValue    *values;      /* one per field of the table's group_summaries */
} BcGroupSummary;

void       bc_group_summary_free      (BcGroupSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcGroupSummary, bc_group_summary_free)

GQuark     bc_validate_error_quark    (void);

/* Evaluates `expr` over `report` (and `previous`, may be NULL). With `table`
 * set, row `row` (0-based) of that table is the row context. Computed fields
 * referenced by the expression are computed on the way, each once, all
 * within one budget of BC_EXPR_MAX_STEPS. */
gboolean   bc_report_evaluate         (BcTemplate   *template_,
                                       BcReport     *report,
                                       BcReport     *previous,
                                       BcExpr       *expr,
                                       const char   *table,
                                       guint         row,
                                       BcValue      *result,
                                       GError      **error);
/* The value of a field, computed when it is a computed field: NULL-safe
 * canonical text in *out_text (NULL = blank). `row` is the 0-based row of a
 * column, ignored otherwise. */
gboolean   bc_report_field_value      (BcTemplate   *template_,
                                       BcReport     *report,
                                       BcReport     *previous,
                                       const BcField *field,
                                       guint         row,
                                       BcValue      *result,
                                       GError      **error);
/* Whether a field (and its section) is shown. Columns: for row `row`. */
gboolean   bc_report_field_visible    (BcTemplate   *template_,
                                       BcReport     *report,
                                       BcReport     *previous,
                                       const BcField *field,
                                       guint         row);

/* The group summaries of a table: one BcGroupSummary per distinct value of
 * its group_by column, in order of first appearance, then the overall one.
 * Empty when the table declares no group_summaries. All groups draw from
 * one budget of BC_VALIDATE_MAX_STEPS. */
GPtrArray *bc_report_group_summaries  (BcTemplate   *template_,
                                       BcReport     *report,
                                       BcReport     *previous,
                                       const BcField *table,
                                       GError      **error);
/* "level3", or "findings[2].status" for row 1 (0-based) of a column. */
char      *bc_report_cell_path        (const BcField *field,
                                       guint         row);
/* The stable id of row `index_text` of `table`, as people count rows (from
 * 1), with its 0-based position in *out_row; 0 with an error naming the
 * table and how many rows it has when there is no such row. */
gint64     bc_report_row_at           (BcReport     *report,
                                       const char   *table,
                                       const char   *index_text,
                                       guint        *out_row,
                                       GError      **error);
/* Resolves a path as people write it ("level3", "services.level3",
 * "findings[2].status", rows from 1) against a report's rows. */
gboolean   bc_report_resolve_path     (BcTemplate   *template_,
                                       BcReport     *report,
                                       const char   *path,
                                       const BcField **out_field,
                                       gint64       *out_row_id,
                                       guint        *out_row,
                                       GError      **error);

/* Every error and warning of the report, in form order: required fields that
 * are blank and shown, stored values that no longer fit their field, and
 * every rule (per row for per-row rules) whose check is false. An expression
 * that fails to evaluate is reported as an error naming the rule. The whole
 * pass works each computed value out once and draws from one budget of
 * BC_VALIDATE_MAX_STEPS: once it is spent, the checks still to come are
 * reported as errors that could not be evaluated. */
GPtrArray *bc_validate_report         (BcTemplate   *template_,
                                       BcReport     *report,
                                       BcReport     *previous,
                                       const char   *lang);
/* TRUE when the report can be marked ready: no errors, every warning
 * justified. Otherwise BC_VALIDATE_ERROR_NOT_READY with the reasons, one per
 * line, each naming the field by its label in the user's language and its
 * path: "• Services at level 3 (services_level3): …". */
gboolean   bc_validate_ready          (BcTemplate   *template_,
                                       BcReport     *report,
                                       BcReport     *previous,
                                       GError      **error);

G_END_DECLS
