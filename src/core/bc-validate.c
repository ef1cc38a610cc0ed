/* bc-validate.c: evaluating a template's expressions over a report.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-validate"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "bc-i18n.h"
#include "bc-template-private.h"
#include "bc-validate.h"

/* Computed fields may refer to other computed fields; the template loader
 * refuses cycles and chains longer than this, so it only bounds what a
 * loader bug could let through. */
#define MAX_COMPUTE_DEPTH BC_MAX_COMPUTE_CHAIN

/* One pass of evaluation over an immutable snapshot of a report: every
 * expression evaluated in it draws from one step budget, and each computed
 * value is worked out once. A chain of computed fields that each use the
 * previous one twice would otherwise double its work at every link. */
typedef struct
{
  BcTemplate   *template_;
  BcReport     *report;
  BcReport     *previous;
  /* `report` is the previous period's, reached through prev(…). */
  gboolean      in_previous;
  /* A group summary sees only the rows of its group. */
  const char   *filter_table;
  GArray       *filter_rows;   /* guint row indexes into filter_table */
  guint         depth;
  BcExprBudget *budget;
  /* ComputedKey → BcValue, shared with the previous period's context. */
  GHashTable   *computed;
  /* ComputedKey → VISIBLE, HIDDEN or DECIDING: whether a field is shown,
   * worked out once per pass (also for fields that are not computed). */
  GHashTable   *visible;
} EvalContext;

enum { VISIBILITY_VISIBLE = 1, VISIBILITY_HIDDEN, VISIBILITY_DECIDING };

/* What a computed value depends on besides the snapshot: a column's row
 * (0 for scalar fields), which period, and the group filter in force. */
typedef struct
{
  const BcField *field;
  guint          row;
  gboolean       in_previous;
  gconstpointer  filter;
} ComputedKey;

G_DEFINE_QUARK (bc-validate-error-quark, bc_validate_error)

void
bc_issue_free (BcIssue *issue)
{
  if (issue == NULL)
    return;

  g_free (issue->rule_id);
  g_free (issue->path);
  g_free (issue->key);
  g_free (issue->message);
  g_free (issue->justification);
  g_free (issue);
}

void
bc_group_summary_free (BcGroupSummary *summary)
{
  if (summary == NULL)
    return;

  g_free (summary->group);
  for (guint i = 0; i < summary->n_values; i++)
    bc_value_clear (&summary->values[i]);
  g_free (summary->values);
  g_free (summary);
}

static guint
computed_key_hash (gconstpointer data)
{
  const ComputedKey *key = data;
  guint hash = g_direct_hash (key->field);

  hash = hash * 31 + key->row;
  hash = hash * 31 + (key->in_previous ? 1 : 0);
  hash = hash * 31 + g_direct_hash (key->filter);

  return hash;
}

static gboolean
computed_key_equal (gconstpointer a,
                    gconstpointer b)
{
  const ComputedKey *x = a, *y = b;

  return x->field == y->field && x->row == y->row
         && x->in_previous == y->in_previous && x->filter == y->filter;
}

static void
computed_value_free (gpointer data)
{
  BcValue *value = data;

  bc_value_clear (value);
  g_free (value);
}

static void
context_init (EvalContext  *ctx,
              BcTemplate   *template_,
              BcReport     *report,
              BcReport     *previous,
              BcExprBudget *budget)
{
  memset (ctx, 0, sizeof *ctx);
  ctx->template_ = template_;
  ctx->report = report;
  ctx->previous = previous;
  ctx->budget = budget;
  ctx->computed = g_hash_table_new_full (computed_key_hash, computed_key_equal,
                                         g_free, computed_value_free);
  ctx->visible = g_hash_table_new_full (computed_key_hash, computed_key_equal, g_free, NULL);
}

static void
context_clear (EvalContext *ctx)
{
  g_clear_pointer (&ctx->computed, g_hash_table_unref);
  g_clear_pointer (&ctx->visible, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EvalContext, context_clear)

static guint
real_row (EvalContext *ctx,
          const char  *table,
          guint        row)
{
  if (ctx->filter_rows != NULL && g_strcmp0 (table, ctx->filter_table) == 0)
    {
      if (row >= ctx->filter_rows->len)
        return G_MAXUINT;
      return g_array_index (ctx->filter_rows, guint, row);
    }

  return row;
}

static gboolean field_value (EvalContext    *ctx,
                             const BcField  *field,
                             guint           row,
                             BcValue        *result,
                             GError        **error);
static gboolean field_shown (EvalContext    *ctx,
                             const BcField  *field,
                             guint           row);

static gboolean
resolver_lookup (gpointer     user_data,
                 const char  *name,
                 const char  *row_table,
                 guint        row,
                 gboolean     previous,
                 BcValue     *out,
                 GError     **error)
{
  EvalContext *ctx = user_data;
  const BcField *field = NULL;

  if (row_table != NULL && strchr (name, '.') == NULL)
    {
      g_autofree char *column = g_strconcat (row_table, ".", name, NULL);

      field = bc_template_lookup_field (ctx->template_, column);
    }

  if (field == NULL)
    {
      field = bc_template_lookup_field (ctx->template_, name);

      if (field != NULL && (field->table != NULL || field->type == BC_FIELD_TABLE))
        {
          g_set_error (error, BC_EXPR_ERROR, BC_EXPR_ERROR_ARGUMENTS,
                       _("“%s” is a table or a column; use it inside count(), sum() or another function over its table."),
                       name);
          return FALSE;
        }
    }

  if (field == NULL)
    {
      g_set_error (error, BC_EXPR_ERROR, BC_EXPR_ERROR_UNKNOWN_NAME,
                   _("The form has no field “%s”."), name);
      return FALSE;
    }

  if (previous)
    {
      /* Same budget and memo: prev(…) is part of this pass's work. */
      EvalContext prev_ctx = *ctx;

      if (ctx->previous == NULL)
        {
          bc_value_set_blank (out);
          return TRUE;
        }

      prev_ctx.report = ctx->previous;
      prev_ctx.previous = NULL;
      prev_ctx.in_previous = TRUE;
      /* The previous report is a whole report: no group filter applies. */
      prev_ctx.filter_table = NULL;
      prev_ctx.filter_rows = NULL;

      /* What the person could not see in that report counts as blank too. */
      if (!field_shown (&prev_ctx, field, field->table != NULL ? row : 0))
        {
          bc_value_set_blank (out);
          return TRUE;
        }

      return field_value (&prev_ctx, field, row, out, error);
    }

  /* A hidden field counts as blank in every expression: its stored value,
   * which the person cannot see, must not make another field required,
   * shown, computed or wrong. */
  if (!field_shown (ctx, field, field->table != NULL ? row : 0))
    {
      bc_value_set_blank (out);
      return TRUE;
    }

  return field_value (ctx, field, row, out, error);
}

static guint
resolver_n_rows (gpointer    user_data,
                 const char *table,
                 gboolean    previous)
{
  EvalContext *ctx = user_data;
  BcReport *report = previous ? ctx->previous : ctx->report;

  if (report == NULL)
    return 0;

  if (!previous && ctx->filter_rows != NULL && g_strcmp0 (table, ctx->filter_table) == 0)
    return ctx->filter_rows->len;

  return bc_report_get_n_rows (report, table);
}

static const BcExprResolver resolver = {
  resolver_lookup,
  resolver_n_rows,
};

static gboolean
evaluate (EvalContext  *ctx,
          BcExpr       *expr,
          const char   *table,
          guint         row,
          BcValue      *result,
          GError      **error)
{
  return bc_expr_evaluate_with_budget (expr, &resolver, ctx, table, row, ctx->budget,
                                       result, error);
}

static gboolean
field_value (EvalContext    *ctx,
             const BcField  *field,
             guint           row,
             BcValue        *result,
             GError        **error)
{
  const char *table = field->table != NULL ? field->table->id : NULL;

  if (ctx->report == NULL)
    {
      bc_value_set_blank (result);
      return TRUE;
    }

  if (field->compute != NULL)
    {
      ComputedKey key = { field, table != NULL ? row : 0, ctx->in_previous, ctx->filter_rows };
      const BcValue *known = g_hash_table_lookup (ctx->computed, &key);
      gboolean ok;

      if (known != NULL)
        {
          bc_value_copy (known, result);
          return TRUE;
        }

      if (ctx->depth >= MAX_COMPUTE_DEPTH)
        {
          g_set_error (error, BC_EXPR_ERROR, BC_EXPR_ERROR_TOO_COMPLEX,
                       _("Computed fields refer to each other too deeply at “%s”."),
                       field->id);
          return FALSE;
        }

      ctx->depth++;
      ok = evaluate (ctx, field->compute, table, row, result, error);
      ctx->depth--;

      /* Failures are not kept: they come from a spent budget or a broken
       * expression, and fail again at once. */
      if (ok)
        {
          BcValue *copy = g_new0 (BcValue, 1);

          bc_value_copy (result, copy);
          g_hash_table_insert (ctx->computed, g_memdup2 (&key, sizeof key), copy);
        }

      return ok;
    }

  if (table != NULL)
    {
      g_autofree char *key = bc_field_dup_key (field);
      guint index = real_row (ctx, table, row);
      gint64 row_id = bc_report_get_row_id (ctx->report, table, index);

      bc_field_stored_to_value (field,
                                row_id > 0 ? bc_report_get_value (ctx->report, key, row_id) : NULL,
                                result);
      return TRUE;
    }

  bc_field_stored_to_value (field, bc_report_get_value (ctx->report, field->id, 0), result);

  return TRUE;
}

gboolean
bc_report_evaluate (BcTemplate  *template_,
                    BcReport    *report,
                    BcReport    *previous,
                    BcExpr      *expr,
                    const char  *table,
                    guint        row,
                    BcValue     *result,
                    GError     **error)
{
  BcExprBudget budget = BC_EXPR_BUDGET_INIT (BC_EXPR_MAX_STEPS);
  g_auto(EvalContext) ctx = { 0 };

  g_return_val_if_fail (BC_IS_TEMPLATE (template_), FALSE);
  g_return_val_if_fail (BC_IS_REPORT (report), FALSE);
  g_return_val_if_fail (previous == NULL || BC_IS_REPORT (previous), FALSE);
  g_return_val_if_fail (expr != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  context_init (&ctx, template_, report, previous, &budget);

  return evaluate (&ctx, expr, table, row, result, error);
}

gboolean
bc_report_field_value (BcTemplate     *template_,
                       BcReport       *report,
                       BcReport       *previous,
                       const BcField  *field,
                       guint           row,
                       BcValue        *result,
                       GError        **error)
{
  BcExprBudget budget = BC_EXPR_BUDGET_INIT (BC_EXPR_MAX_STEPS);
  g_auto(EvalContext) ctx = { 0 };

  g_return_val_if_fail (BC_IS_TEMPLATE (template_), FALSE);
  g_return_val_if_fail (BC_IS_REPORT (report), FALSE);
  g_return_val_if_fail (field != NULL, FALSE);
  g_return_val_if_fail (field->type != BC_FIELD_TABLE, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  context_init (&ctx, template_, report, previous, &budget);

  return field_value (&ctx, field, row, result, error);
}

static gboolean
condition_holds (EvalContext *ctx,
                 BcExpr      *expr,
                 const char  *table,
                 guint        row)
{
  g_auto(BcValue) value = BC_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  if (expr == NULL)
    return TRUE;

  /* A condition that cannot be evaluated hides nothing: showing a field is
   * the safe side, and the failing expression is reported by validation. */
  if (!evaluate (ctx, expr, table, row, &value, &error))
    return TRUE;

  return bc_value_truthy (&value);
}

static gboolean
field_visible (EvalContext   *ctx,
               const BcField *field,
               guint          row)
{
  const BcField *outer = field->table != NULL ? field->table : field;

  if (outer->section != NULL && !condition_holds (ctx, outer->section->visible_if, NULL, 0))
    return FALSE;

  if (field->table != NULL && !condition_holds (ctx, field->table->visible_if, NULL, 0))
    return FALSE;

  return condition_holds (ctx, field->visible_if,
                          field->table != NULL ? field->table->id : NULL, row);
}

/* field_visible(), worked out once per field (and row) in a pass. Conditions
 * may read fields whose own conditions read back (a shows when b is set, b
 * when a is): a field whose visibility is being decided counts as shown to
 * the conditions that ask during that decision, which ends the loop. */
static gboolean
field_shown (EvalContext   *ctx,
             const BcField *field,
             guint          row)
{
  ComputedKey key = { field, row, ctx->in_previous, ctx->filter_rows };
  gpointer known = g_hash_table_lookup (ctx->visible, &key);
  gboolean shown;

  if (known != NULL)
    return GPOINTER_TO_INT (known) != VISIBILITY_HIDDEN;

  g_hash_table_insert (ctx->visible, g_memdup2 (&key, sizeof key),
                       GINT_TO_POINTER (VISIBILITY_DECIDING));
  shown = field_visible (ctx, field, row);
  g_hash_table_insert (ctx->visible, g_memdup2 (&key, sizeof key),
                       GINT_TO_POINTER (shown ? VISIBILITY_VISIBLE : VISIBILITY_HIDDEN));

  return shown;
}

gboolean
bc_report_field_visible (BcTemplate    *template_,
                         BcReport      *report,
                         BcReport      *previous,
                         const BcField *field,
                         guint          row)
{
  BcExprBudget budget = BC_EXPR_BUDGET_INIT (BC_EXPR_MAX_STEPS);
  g_auto(EvalContext) ctx = { 0 };

  g_return_val_if_fail (BC_IS_TEMPLATE (template_), FALSE);
  g_return_val_if_fail (BC_IS_REPORT (report), FALSE);
  g_return_val_if_fail (field != NULL, FALSE);

  context_init (&ctx, template_, report, previous, &budget);

  return field_visible (&ctx, field, row);
}

char *
bc_report_cell_path (const BcField *field,
                     guint          row)
{
  g_return_val_if_fail (field != NULL, NULL);

  if (field->table != NULL)
    return g_strdup_printf ("%s[%u].%s", field->table->id, row + 1, field->id);

  return g_strdup (field->id);
}

static BcIssue *
issue_new (const char    *rule_id,
           BcSeverity     severity,
           const BcField *field,
           guint          row,
           gint64         row_id,
           char          *message)
{
  BcIssue *issue = g_new0 (BcIssue, 1);

  issue->rule_id = g_strdup (rule_id);
  issue->severity = severity;
  issue->path = bc_report_cell_path (field, row);
  issue->key = bc_field_dup_key (field);
  issue->row_id = row_id;
  issue->message = message;

  return issue;
}

static void
check_field (EvalContext   *ctx,
             const BcField *field,
             guint          row,
             gint64         row_id,
             const char    *lang,
             GPtrArray     *issues)
{
  g_autofree char *key = bc_field_dup_key (field);
  const char *stored;
  const char *label = bc_text_get (&field->label, lang);

  if (field->compute != NULL)
    return;

  stored = bc_report_get_value (ctx->report, key, row_id);

  if (stored == NULL)
    {
      if (field->required)
        {
          g_autofree char *rule_id = g_strconcat ("required:", key, NULL);

          g_ptr_array_add (issues,
                           issue_new (rule_id, BC_SEVERITY_ERROR, field, row, row_id,
                                      g_strdup_printf (_("“%s” is required."), label)));
        }
      return;
    }

  /* A value stored under an older template version, or by an older Baocao,
   * may no longer fit: say so rather than trusting it. */
  {
    g_autofree char *canonical = NULL;
    g_autoptr(GError) error = NULL;

    if (!bc_field_parse_stored_lang (field, stored, lang, &canonical, &error))
      {
        g_autofree char *rule_id = g_strconcat ("invalid:", key, NULL);

        g_ptr_array_add (issues,
                         issue_new (rule_id, BC_SEVERITY_ERROR, field, row, row_id,
                                    g_strdup (error->message)));
      }
  }
}

static void
check_table (EvalContext   *ctx,
             const BcField *table,
             const char    *lang,
             GPtrArray     *issues)
{
  guint n_rows = bc_report_get_n_rows (ctx->report, table->id);
  const char *label = bc_text_get (&table->label, lang);

  if (table->min_rows > 0 && n_rows < table->min_rows)
    {
      g_autofree char *rule_id = g_strconcat ("min_rows:", table->id, NULL);
      BcIssue *issue = g_new0 (BcIssue, 1);

      issue->rule_id = g_steal_pointer (&rule_id);
      issue->severity = BC_SEVERITY_ERROR;
      issue->path = g_strdup (table->id);
      issue->key = g_strdup (table->id);
      issue->message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                     "“%s” needs at least %u row.",
                                                     "“%s” needs at least %u rows.",
                                                     table->min_rows),
                                        label, table->min_rows);
      g_ptr_array_add (issues, issue);
    }

  if (table->max_rows > 0 && n_rows > table->max_rows)
    {
      g_autofree char *rule_id = g_strconcat ("max_rows:", table->id, NULL);
      BcIssue *issue = g_new0 (BcIssue, 1);

      issue->rule_id = g_steal_pointer (&rule_id);
      issue->severity = BC_SEVERITY_ERROR;
      issue->path = g_strdup (table->id);
      issue->key = g_strdup (table->id);
      issue->message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                     "“%s” can have at most %u row.",
                                                     "“%s” can have at most %u rows.",
                                                     table->max_rows),
                                        label, table->max_rows);
      g_ptr_array_add (issues, issue);
    }

  for (guint row = 0; row < n_rows; row++)
    {
      gint64 row_id = bc_report_get_row_id (ctx->report, table->id, row);

      for (guint c = 0; c < table->columns->len; c++)
        {
          const BcField *column = g_ptr_array_index (table->columns, c);

          if (condition_holds (ctx, column->visible_if, table->id, row))
            check_field (ctx, column, row, row_id, lang, issues);
        }
    }
}

/* The field a rule's issue is shown beside: the first of its fields that is
 * shown (in that row), else its first. */
static const BcField *
rule_anchor (EvalContext  *ctx,
             const BcRule *rule,
             guint         row)
{
  const BcField *first = NULL;

  for (guint i = 0; rule->fields != NULL && rule->fields[i] != NULL; i++)
    {
      g_autofree char *column = rule->table != NULL
        ? g_strconcat (rule->table, ".", rule->fields[i], NULL) : NULL;
      const BcField *field = bc_template_lookup_field (ctx->template_,
                                                       column != NULL ? column : rule->fields[i]);

      if (field == NULL)
        continue;
      if (first == NULL)
        first = field;
      if (field_shown (ctx, field, field->table != NULL ? row : 0))
        return field;
    }

  return first;
}

static void
check_rule_at (EvalContext   *ctx,
               const BcRule  *rule,
               const char    *table,
               guint          row,
               const char    *lang,
               GPtrArray     *issues)
{
  g_auto(BcValue) value = BC_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  const BcField *field;
  gint64 row_id = 0;
  BcIssue *issue;
  char *message;

  field = rule_anchor (ctx, rule, row);
  if (table != NULL)
    row_id = bc_report_get_row_id (ctx->report, table, row);

  g_assert (field != NULL);

  if (rule->when != NULL)
    {
      g_auto(BcValue) when = BC_VALUE_INIT;

      if (!evaluate (ctx, rule->when, table, row, &when, &error))
        goto failed;
      if (!bc_value_truthy (&when))
        return;
    }

  if (!evaluate (ctx, rule->check, table, row, &value, &error))
    goto failed;

  if (bc_value_is_blank (&value) || bc_value_truthy (&value))
    return;

  message = g_strdup (bc_text_get (&rule->message, lang));
  issue = issue_new (rule->id, rule->severity, field, row, row_id, message);
  issue->justification = g_strdup (bc_report_get_justification (ctx->report, rule->id, row_id));
  g_ptr_array_add (issues, issue);
  return;

failed:
  /* A broken rule must not pass silently: it blocks like an error. */
  message = g_strdup_printf (_("The check “%s” could not be evaluated: %s"),
                             rule->id, error->message);
  g_ptr_array_add (issues, issue_new (rule->id, BC_SEVERITY_ERROR, field, row, row_id, message));
}

/* A rule runs unless every field it is about is hidden (in that row, for a
 * per-row rule): a rule about a hidden part of the form is not the user's
 * concern, but one about a field still shown is, whichever of its fields
 * comes first in its list. */
static gboolean
rule_is_shown (EvalContext  *ctx,
               const BcRule *rule,
               guint         row)
{
  guint n_known = 0;

  if (rule->table != NULL)
    {
      const BcField *table = bc_template_lookup_field (ctx->template_, rule->table);

      if (table != NULL && !field_shown (ctx, table, 0))
        return FALSE;
    }

  for (guint i = 0; rule->fields != NULL && rule->fields[i] != NULL; i++)
    {
      g_autofree char *column = rule->table != NULL
        ? g_strconcat (rule->table, ".", rule->fields[i], NULL) : NULL;
      const BcField *field = bc_template_lookup_field (ctx->template_,
                                                       column != NULL ? column : rule->fields[i]);

      if (field == NULL)
        continue;
      n_known++;
      if (field_shown (ctx, field, field->table != NULL ? row : 0))
        return TRUE;
    }

  return n_known == 0;
}

GPtrArray *
bc_validate_report (BcTemplate *template_,
                    BcReport   *report,
                    BcReport   *previous,
                    const char *lang)
{
  g_autoptr(GPtrArray) issues = NULL;
  /* One budget for the whole pass bounds the whole validation, however the
   * template's rules and computed fields are written. */
  BcExprBudget budget = BC_EXPR_BUDGET_INIT (BC_VALIDATE_MAX_STEPS);
  g_auto(EvalContext) ctx = { 0 };
  GPtrArray *sections;
  GPtrArray *rules;

  g_return_val_if_fail (BC_IS_TEMPLATE (template_), NULL);
  g_return_val_if_fail (BC_IS_REPORT (report), NULL);
  g_return_val_if_fail (previous == NULL || BC_IS_REPORT (previous), NULL);

  if (lang == NULL)
    lang = bc_i18n_language ();

  context_init (&ctx, template_, report, previous, &budget);
  issues = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_issue_free);

  sections = bc_template_get_sections (template_);
  for (guint s = 0; s < sections->len; s++)
    {
      const BcSection *section = g_ptr_array_index (sections, s);

      if (!condition_holds (&ctx, section->visible_if, NULL, 0))
        continue;

      for (guint f = 0; f < section->fields->len; f++)
        {
          const BcField *field = g_ptr_array_index (section->fields, f);

          if (!condition_holds (&ctx, field->visible_if, NULL, 0))
            continue;

          if (field->type == BC_FIELD_TABLE)
            check_table (&ctx, field, lang, issues);
          else
            check_field (&ctx, field, 0, 0, lang, issues);
        }
    }

  rules = bc_template_get_rules (template_);
  for (guint r = 0; r < rules->len; r++)
    {
      const BcRule *rule = g_ptr_array_index (rules, r);

      if (rule->table != NULL)
        {
          guint n_rows = bc_report_get_n_rows (report, rule->table);

          for (guint row = 0; row < n_rows; row++)
            {
              if (rule_is_shown (&ctx, rule, row))
                check_rule_at (&ctx, rule, rule->table, row, lang, issues);
            }
        }
      else if (rule_is_shown (&ctx, rule, 0))
        check_rule_at (&ctx, rule, NULL, 0, lang, issues);
    }

  return g_steal_pointer (&issues);
}

gboolean
bc_validate_ready (BcTemplate  *template_,
                   BcReport    *report,
                   BcReport    *previous,
                   GError     **error)
{
  g_autoptr(GPtrArray) issues = NULL;
  g_autoptr(GString) reasons = NULL;
  const char *lang = bc_i18n_language ();
  guint n_blocking = 0;

  g_return_val_if_fail (BC_IS_TEMPLATE (template_), FALSE);
  g_return_val_if_fail (BC_IS_REPORT (report), FALSE);

  issues = bc_validate_report (template_, report, previous, lang);
  reasons = g_string_new (NULL);

  for (guint i = 0; i < issues->len; i++)
    {
      const BcIssue *issue = g_ptr_array_index (issues, i);
      const BcField *field;

      if (issue->severity == BC_SEVERITY_WARNING && issue->justification != NULL)
        continue;

      field = issue->key != NULL ? bc_template_lookup_field (template_, issue->key) : NULL;

      n_blocking++;
      g_string_append (reasons, "\n");
      /* People know their fields by label; the path, as the CLI takes it,
       * follows for finding the cell. */
      if (field == NULL)
        {
          if (issue->severity == BC_SEVERITY_ERROR)
            /* TRANSLATORS: one line of the reasons a report cannot be marked ready: the field's path and the message. */
            g_string_append_printf (reasons, _("• %s: %s"), issue->path, issue->message);
          else
            g_string_append_printf (reasons, _("• %s: %s (a warning: write a justification for it)"),
                                    issue->path, issue->message);
        }
      else if (issue->severity == BC_SEVERITY_ERROR)
        /* TRANSLATORS: one line of the reasons a report cannot be marked ready: the field's label, its path such as findings[2].status, and the message. */
        g_string_append_printf (reasons, _("• %s (%s): %s"),
                                bc_text_get (&field->label, lang), issue->path, issue->message);
      else
        /* TRANSLATORS: as “• %s (%s): %s”, for a warning that has no justification yet. */
        g_string_append_printf (reasons, _("• %s (%s): %s (a warning: write a justification for it)"),
                                bc_text_get (&field->label, lang), issue->path, issue->message);
    }

  if (n_blocking > 0)
    {
      g_set_error (error, BC_VALIDATE_ERROR, BC_VALIDATE_ERROR_NOT_READY,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The report cannot be marked ready: %u problem remains.%s",
                                "The report cannot be marked ready: %u problems remain.%s",
                                n_blocking),
                   n_blocking, reasons->str);
      return FALSE;
    }

  return TRUE;
}

GPtrArray *
bc_report_group_summaries (BcTemplate    *template_,
                           BcReport      *report,
                           BcReport      *previous,
                           const BcField *table,
                           GError       **error)
{
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GHashTable) rows_by_group = NULL;
  g_autofree char *group_key = NULL;
  g_autoptr(GArray) all_rows = NULL;
  BcExprBudget budget = BC_EXPR_BUDGET_INIT (BC_VALIDATE_MAX_STEPS);
  g_auto(EvalContext) ctx = { 0 };
  guint n_rows;

  g_return_val_if_fail (BC_IS_TEMPLATE (template_), NULL);
  g_return_val_if_fail (BC_IS_REPORT (report), NULL);
  g_return_val_if_fail (table != NULL && table->type == BC_FIELD_TABLE, NULL);

  groups = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_group_summary_free);
  if (table->group_summaries == NULL || table->group_summaries->len == 0)
    return g_steal_pointer (&groups);

  n_rows = bc_report_get_n_rows (report, table->id);
  names = g_ptr_array_new_with_free_func (g_free);
  rows_by_group = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_array_unref);
  all_rows = g_array_new (FALSE, FALSE, sizeof (guint));

  if (table->group_by != NULL)
    group_key = g_strconcat (table->id, ".", table->group_by, NULL);

  /* One pass: the groups share one budget; the group filter is part of the
   * memo's key, so each group's values stay its own. */
  context_init (&ctx, template_, report, previous, &budget);
  ctx.filter_table = table->id;

  /* Groups in the order they first appear, as the report lists them. */
  for (guint row = 0; row < n_rows; row++)
    {
      gint64 row_id = bc_report_get_row_id (report, table->id, row);
      const char *value = group_key != NULL ? bc_report_get_value (report, group_key, row_id) : NULL;
      GArray *rows;

      g_array_append_val (all_rows, row);

      if (group_key == NULL)
        continue;

      if (value == NULL)
        value = "";

      rows = g_hash_table_lookup (rows_by_group, value);
      if (rows == NULL)
        {
          rows = g_array_new (FALSE, FALSE, sizeof (guint));
          g_hash_table_insert (rows_by_group, g_strdup (value), rows);
          g_ptr_array_add (names, g_strdup (value));
        }
      g_array_append_val (rows, row);
    }

  for (guint g = 0; g <= names->len; g++)
    {
      gboolean overall = g == names->len;
      g_autoptr(BcGroupSummary) summary = g_new0 (BcGroupSummary, 1);

      ctx.filter_rows = overall ? all_rows : g_hash_table_lookup (rows_by_group,
                                                                  g_ptr_array_index (names, g));

      summary->group = overall ? NULL : g_strdup (g_ptr_array_index (names, g));
      summary->n_rows = ctx.filter_rows->len;
      summary->n_values = table->group_summaries->len;
      summary->values = g_new0 (BcValue, summary->n_values);

      for (guint i = 0; i < table->group_summaries->len; i++)
        {
          const BcField *field = g_ptr_array_index (table->group_summaries, i);

          if (!evaluate (&ctx, field->compute, NULL, 0, &summary->values[i], error))
            return NULL;
        }

      g_ptr_array_add (groups, g_steal_pointer (&summary));
    }

  return g_steal_pointer (&groups);
}

gint64
bc_report_row_at (BcReport    *report,
                  const char  *table,
                  const char  *index_text,
                  guint       *out_row,
                  GError     **error)
{
  guint n_rows;
  guint64 index = 0;

  g_return_val_if_fail (BC_IS_REPORT (report), 0);
  g_return_val_if_fail (table != NULL, 0);
  g_return_val_if_fail (index_text != NULL, 0);

  n_rows = bc_report_get_n_rows (report, table);
  if (!g_ascii_string_to_unsigned (index_text, 10, 1, G_MAXUINT, &index, NULL) || index > n_rows)
    {
      g_set_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_NOT_FOUND,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The table “%s” has no row %s: it has %u row, counted from 1.",
                                "The table “%s” has no row %s: it has %u rows, counted from 1.",
                                n_rows),
                   table, index_text, n_rows);
      return 0;
    }

  if (out_row != NULL)
    *out_row = (guint) index - 1;

  return bc_report_get_row_id (report, table, (guint) index - 1);
}

gboolean
bc_report_resolve_path (BcTemplate     *template_,
                        BcReport       *report,
                        const char     *path,
                        const BcField **out_field,
                        gint64         *out_row_id,
                        guint          *out_row,
                        GError        **error)
{
  const char *open;
  const BcField *field;
  gint64 row_id = 0;
  guint row = 0;

  g_return_val_if_fail (BC_IS_TEMPLATE (template_), FALSE);
  g_return_val_if_fail (BC_IS_REPORT (report), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  open = strchr (path, '[');
  if (open == NULL)
    {
      field = bc_template_lookup_field (template_, path);
      if (field == NULL)
        goto unknown;
      if (field->table != NULL)
        {
          g_set_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_NOT_FOUND,
                       _("“%s” is a column of the table “%s”: name a row, as in %s[1].%s."),
                       path, field->table->id, field->table->id, field->id);
          return FALSE;
        }
    }
  else
    {
      g_autofree char *table_name = g_strndup (path, open - path);
      const BcField *table = bc_template_lookup_field (template_, table_name);
      const char *close = strchr (open, ']');
      g_autofree char *index_text = NULL;
      g_autofree char *column = NULL;

      if (table == NULL || table->type != BC_FIELD_TABLE)
        goto unknown;

      if (close == NULL || close[1] != '.' || close[2] == '\0')
        {
          g_set_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_NOT_FOUND,
                       _("“%s” is not a field path. Name a cell as %s[ROW].COLUMN, rows counted from 1."),
                       path, table->id);
          return FALSE;
        }

      index_text = g_strndup (open + 1, close - open - 1);
      row_id = bc_report_row_at (report, table->id, index_text, &row, error);
      if (row_id == 0)
        return FALSE;
      column = g_strconcat (table->id, ".", close + 2, NULL);
      field = bc_template_lookup_field (template_, column);
      if (field == NULL)
        goto unknown;
    }

  if (out_field != NULL)
    *out_field = field;
  if (out_row_id != NULL)
    *out_row_id = row_id;
  if (out_row != NULL)
    *out_row = row;

  return TRUE;

unknown:
  g_set_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_NOT_FOUND,
               _("The form “%s” has no field “%s”. Check the field's name in the form."),
               bc_template_get_id (template_), path);
  return FALSE;
}
