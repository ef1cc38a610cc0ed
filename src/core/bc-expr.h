/* bc-expr.h: the expression language of conditions, computed fields and rules.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See docs/rules.md for the language. An expression is parsed once into an
 * immutable, reference-counted tree and evaluated any number of times against
 * a resolver that supplies field values. Parsing and evaluation are bounded:
 * no input, however long, deep or malformed, crashes or runs without bound.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BC_EXPR_ERROR (bc_expr_error_quark ())

typedef enum {
  BC_EXPR_ERROR_SYNTAX,       /* the text is not an expression */
  BC_EXPR_ERROR_TOO_COMPLEX,  /* longer, deeper or larger than the limits */
  BC_EXPR_ERROR_UNKNOWN_NAME, /* unknown function (parse) or field (evaluate) */
  BC_EXPR_ERROR_ARGUMENTS,    /* wrong number or kind of arguments */
  BC_EXPR_ERROR_BUDGET,       /* evaluation took more steps than allowed */
} BcExprError;

/* Limits, documented in docs/rules.md. */
#define BC_EXPR_MAX_SOURCE_LENGTH 4096
#define BC_EXPR_MAX_DEPTH         64
#define BC_EXPR_MAX_NODES         2048
#define BC_EXPR_MAX_STEPS         1000000

typedef enum {
  BC_VALUE_BLANK,
  BC_VALUE_NUMBER,
  BC_VALUE_TEXT,
  BC_VALUE_BOOLEAN,
  BC_VALUE_DATE,
} BcValueKind;

/* A value during evaluation. `text` is owned (g_free) and set only for TEXT.
 * A DATE is held in `number` as a GDate Julian day number. */
typedef struct {
  BcValueKind kind;
  double      number;
  gboolean    boolean;
  char       *text;
} BcValue;

#define BC_VALUE_INIT { BC_VALUE_BLANK, 0.0, FALSE, NULL }

void      bc_value_clear       (BcValue       *value);
void      bc_value_copy        (const BcValue *src,
                                BcValue       *dest);
void      bc_value_set_blank   (BcValue       *value);
void      bc_value_set_number  (BcValue       *value,
                                double         number);
void      bc_value_set_text    (BcValue       *value,
                                const char    *text);
void      bc_value_take_text   (BcValue       *value,
                                char          *text);
void      bc_value_set_boolean (BcValue       *value,
                                gboolean       boolean);
void      bc_value_set_date    (BcValue       *value,
                                guint32        julian_day);
/* Blank is false, numbers are true unless 0, text unless empty. */
gboolean  bc_value_truthy      (const BcValue *value);
gboolean  bc_value_is_blank    (const BcValue *value);
/* A plain rendering for messages and tests: "12.5", "abc", "true", "2018-06-21", "". */
char     *bc_value_to_string   (const BcValue *value);

/* How an expression names a thing, reported by bc_expr_foreach_reference() so a
 * template loader can check every name when it loads the template. */
typedef enum {
  BC_EXPR_REF_FIELD,          /* `level3`, `services.level3`, a column inside a row context */
  BC_EXPR_REF_TABLE,          /* first argument of count()/sum()/… : `findings` */
  BC_EXPR_REF_TABLE_COLUMN,   /* `sum(findings.done)`: table "findings", column "done" */
} BcExprRefKind;

typedef void (*BcExprReferenceFunc) (BcExprRefKind  kind,
                                     const char    *name,    /* field or table */
                                     const char    *column,  /* TABLE_COLUMN only, else NULL */
                                     gboolean       previous,/* inside prev(…) */
                                     gpointer       user_data);

/* Supplies values to the evaluator.
 *
 * lookup: the value of `name` (a field id or a dotted "section.field" path).
 *   When row_table is not NULL the evaluator is inside a row context (the
 *   condition of count(findings, status = "open"), the column expression of
 *   sum(findings, done), or a per-row rule) and `row` is the 0-based row
 *   index: a name that is a column of row_table means that row's cell; other
 *   names mean scalar fields. previous = TRUE asks for the value in the same
 *   unit's report of the previous period (blank when there is none).
 *   Returns FALSE with error set for an unknown name.
 * n_rows: the number of rows of a table (0 for an unknown table). */
typedef struct {
  gboolean (*lookup) (gpointer     user_data,
                      const char  *name,
                      const char  *row_table,
                      guint        row,
                      gboolean     previous,
                      BcValue     *out,
                      GError     **error);
  guint    (*n_rows) (gpointer     user_data,
                      const char  *table,
                      gboolean     previous);
} BcExprResolver;

typedef struct _BcExpr BcExpr;

/* A step budget shared by evaluations that belong together: a rule and the
 * computed fields it reads, or a whole validation pass. Each step taken by
 * any evaluation given the same budget comes out of `steps_left`; once it
 * reaches 0 every further evaluation with it fails with BC_EXPR_ERROR_BUDGET,
 * so nested evaluations (a resolver that evaluates other expressions) cannot
 * multiply the work. */
typedef struct {
  guint64 steps_left;
} BcExprBudget;

#define BC_EXPR_BUDGET_INIT(steps) { (steps) }

GQuark      bc_expr_error_quark          (void);

BcExpr     *bc_expr_parse                (const char             *source,
                                          GError                **error);
BcExpr     *bc_expr_ref                  (BcExpr                 *expr);
void        bc_expr_unref                (BcExpr                 *expr);
const char *bc_expr_get_source           (BcExpr                 *expr);
void        bc_expr_foreach_reference    (BcExpr                 *expr,
                                          BcExprReferenceFunc     func,
                                          gpointer                user_data);
/* The ids of the fields and tables `expr` reads, each once, in the order
 * first named: "level3" for `services.level3`, "findings" and "done" for
 * `sum(findings.done)`, a column named in a row context too; inside prev(…)
 * as well. So that a form knows which fields an edit can change. Free with
 * g_strfreev(). */
char      **bc_expr_dup_field_ids        (BcExpr                 *expr);
/* Evaluates in scalar context. */
gboolean    bc_expr_evaluate             (BcExpr                 *expr,
                                          const BcExprResolver   *resolver,
                                          gpointer                user_data,
                                          BcValue                *result,
                                          GError                **error);
/* Evaluates with row `row` of `table` as the row context (per-row rules,
 * conditions and computed columns). */
gboolean    bc_expr_evaluate_in_row      (BcExpr                 *expr,
                                          const BcExprResolver   *resolver,
                                          gpointer                user_data,
                                          const char             *table,
                                          guint                   row,
                                          BcValue                *result,
                                          GError                **error);
/* Evaluates with steps drawn from `budget` instead of a fresh budget of
 * BC_EXPR_MAX_STEPS. `table` NULL is scalar context, otherwise row `row` of
 * `table` is the row context. A resolver that evaluates other expressions
 * passes them the same budget. */
gboolean    bc_expr_evaluate_with_budget (BcExpr                 *expr,
                                          const BcExprResolver   *resolver,
                                          gpointer                user_data,
                                          const char             *table,
                                          guint                   row,
                                          BcExprBudget           *budget,
                                          BcValue                *result,
                                          GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcExpr, bc_expr_unref)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BcValue, bc_value_clear)

G_END_DECLS
