/* fuzz-expr.c: libFuzzer entry point for the expression parser and evaluator.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Parses the input; when it parses, lists its references and evaluates it in
 * scalar context and in a row context against a small fixed report. Any
 * crash, sanitizer report, critical warning or broken invariant is a bug.
 */
#define G_LOG_DOMAIN "fuzz-expr"

#include "config.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "bc-expr.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

#define N_ROWS 3

static gboolean
fuzz_lookup (gpointer     user_data,
             const char  *name,
             const char  *row_table,
             guint        row,
             gboolean     previous,
             BcValue     *out,
             GError     **error)
{
  static const char * const status[N_ROWS] = { "done", "open", NULL };
  static const double done[N_ROWS] = { 3, 0, -1 };

  g_assert (name != NULL && *name != '\0');

  if (g_strcmp0 (row_table, "findings") == 0)
    {
      g_assert (row < N_ROWS);

      if (g_str_equal (name, "status"))
        {
          bc_value_set_text (out, status[row]);
          return TRUE;
        }
      if (g_str_equal (name, "done"))
        {
          if (done[row] >= 0)
            bc_value_set_number (out, done[row]);
          return TRUE;
        }
      if (g_str_equal (name, "due"))
        {
          bc_value_set_date (out, 736966 + row * 30);
          return TRUE;
        }
    }

  if (g_str_equal (name, "level3") || g_str_equal (name, "services.level3"))
    bc_value_set_number (out, previous ? 100 : 120);
  else if (g_str_equal (name, "received"))
    bc_value_set_number (out, 710.5);
  else if (g_str_equal (name, "zero"))
    bc_value_set_number (out, 0);
  else if (g_str_equal (name, "huge"))
    bc_value_set_number (out, 1.7e308);
  else if (g_str_equal (name, "unit"))
    bc_value_set_text (out, "Quảng Ngãi");
  else if (g_str_equal (name, "empty_text"))
    bc_value_set_text (out, "");
  else if (g_str_equal (name, "signed_on"))
    bc_value_set_date (out, 736866);
  else if (g_str_equal (name, "flag"))
    bc_value_set_boolean (out, TRUE);
  else if (g_str_equal (name, "empty"))
    bc_value_set_blank (out);
  else
    {
      g_set_error (error, BC_EXPR_ERROR, BC_EXPR_ERROR_UNKNOWN_NAME,
                   "No field “%s”.", name);
      return FALSE;
    }
  return TRUE;
}

static guint
fuzz_n_rows (gpointer    user_data,
             const char *table,
             gboolean    previous)
{
  if (g_str_equal (table, "findings"))
    return N_ROWS;
  if (g_str_equal (table, "many"))
    return 20000000; /* beyond the step budget */
  return 0;
}

static const BcExprResolver fuzz_resolver = { fuzz_lookup, fuzz_n_rows };

static void
count_reference (BcExprRefKind  kind,
                 const char    *name,
                 const char    *column,
                 gboolean       previous,
                 gpointer       user_data)
{
  guint *n = user_data;

  g_assert (name != NULL && *name != '\0');
  g_assert ((kind == BC_EXPR_REF_TABLE_COLUMN) == (column != NULL));
  g_assert (column == NULL || (*column != '\0' && strchr (column, '.') == NULL));
  g_assert (!previous || kind == BC_EXPR_REF_FIELD);
  (*n)++;
}

static void
check_result (gboolean       ok,
              const BcValue *value,
              GError        *error)
{
  g_autofree char *text = NULL;

  if (!ok)
    {
      g_assert (error != NULL && error->message != NULL);
      g_assert (value->kind == BC_VALUE_BLANK);
      return;
    }

  g_assert (error == NULL);
  text = bc_value_to_string (value);
  g_assert (text != NULL);
  g_assert (g_utf8_validate (text, -1, NULL));
  switch (value->kind)
    {
    case BC_VALUE_BLANK:
      g_assert (*text == '\0');
      break;
    case BC_VALUE_TEXT:
      g_assert (value->text != NULL);
      break;
    case BC_VALUE_NUMBER:
      g_assert (isfinite (value->number));
      break;
    case BC_VALUE_BOOLEAN:
    case BC_VALUE_DATE:
    default:
      break;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static gboolean initialized = FALSE;
  g_autofree char *source = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BcExpr) expr = NULL;
  g_auto(BcValue) value = BC_VALUE_INIT;
  guint n_references = 0;
  gboolean ok;

  if (!initialized)
    {
      /* A critical warning (a failed precondition) is a bug too. */
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
      initialized = TRUE;
    }

  source = g_malloc (size + 1);
  if (size > 0)
    memcpy (source, data, size);
  source[size] = '\0';

  expr = bc_expr_parse (source, &error);
  if (expr == NULL)
    {
      g_assert (error != NULL && error->domain == BC_EXPR_ERROR);
      g_assert (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }
  g_assert (error == NULL);
  g_assert (strcmp (bc_expr_get_source (expr), source) == 0);

  bc_expr_foreach_reference (expr, count_reference, &n_references);

  ok = bc_expr_evaluate (expr, &fuzz_resolver, NULL, &value, &error);
  check_result (ok, &value, error);
  g_clear_error (&error);

  for (guint row = 0; row < N_ROWS; row++)
    {
      ok = bc_expr_evaluate_in_row (expr, &fuzz_resolver, NULL, "findings", row, &value, &error);
      check_result (ok, &value, error);
      g_clear_error (&error);
    }

  return 0;
}
