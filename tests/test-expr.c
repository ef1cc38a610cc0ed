/* test-expr.c: tests of the expression language (parse, evaluate, limits).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-expr"

#include "config.h"

#include <math.h>
#include <string.h>

#include "bc-expr.h"

/* A small report, as a template's resolver would see it: scalar fields, the
 * previous quarter's values, a `findings` table (status, done, due) with four
 * rows, a `units` table, an empty table and two large ones. */

typedef struct {
  const char *status;  /* NULL: blank */
  const char *done;    /* NULL: blank */
  const char *due;     /* NULL: blank */
} Finding;

static const Finding findings[] = {
  { "done", "3", "2018-09-30" },
  { "open", "0", "2018-12-31" },
  { "done", "5", NULL },
  { NULL,   NULL, "2018-08-31" },
};

static const char * const unit_staff[] = { "4", "12" };

#define BIG_ROWS      10000000
#define THOUSAND_ROWS 1000

typedef struct {
  guint       n_lookups;
  guint       n_row_lookups;  /* lookups made inside a row context */
  char        last_row_table[32]; /* a copy: the name belongs to the expression */
  guint       last_row;
} Report;

static void
set_from_text (BcValue    *out,
               const char *kind,
               const char *text)
{
  if (text == NULL)
    bc_value_set_blank (out);
  else if (g_str_equal (kind, "number"))
    bc_value_set_number (out, g_ascii_strtod (text, NULL));
  else if (g_str_equal (kind, "date"))
    {
      GDate date;

      g_date_clear (&date, 1);
      g_date_set_parse (&date, text);
      g_assert_true (g_date_valid (&date));
      bc_value_set_date (out, g_date_get_julian (&date));
    }
  else
    bc_value_set_text (out, text);
}

static gboolean
report_lookup (gpointer     user_data,
               const char  *name,
               const char  *row_table,
               guint        row,
               gboolean     previous,
               BcValue     *out,
               GError     **error)
{
  Report *report = user_data;

  report->n_lookups++;
  if (row_table != NULL)
    {
      report->n_row_lookups++;
      g_strlcpy (report->last_row_table, row_table, sizeof report->last_row_table);
      report->last_row = row;
    }

  /* Columns of the row context come first; other names are scalars. */
  if (g_strcmp0 (row_table, "findings") == 0 && row < G_N_ELEMENTS (findings))
    {
      if (g_str_equal (name, "status"))
        {
          set_from_text (out, "text", findings[row].status);
          return TRUE;
        }
      if (g_str_equal (name, "done"))
        {
          set_from_text (out, "number", findings[row].done);
          return TRUE;
        }
      if (g_str_equal (name, "due"))
        {
          set_from_text (out, "date", findings[row].due);
          return TRUE;
        }
    }
  if (g_strcmp0 (row_table, "units") == 0 && row < G_N_ELEMENTS (unit_staff)
      && g_str_equal (name, "staff"))
    {
      set_from_text (out, "number", unit_staff[row]);
      return TRUE;
    }
  if ((g_strcmp0 (row_table, "big") == 0 || g_strcmp0 (row_table, "thousand") == 0)
      && g_str_equal (name, "v"))
    {
      bc_value_set_number (out, 1);
      return TRUE;
    }

  if (previous)
    {
      if (g_str_equal (name, "services_total"))
        bc_value_set_number (out, 90);
      else if (g_str_equal (name, "services.level3"))
        bc_value_set_number (out, 100);
      else
        bc_value_set_blank (out); /* no value last period */
      return TRUE;
    }

  if (g_str_equal (name, "dossiers_received"))
    bc_value_set_number (out, 710);
  else if (g_str_equal (name, "dossiers_resolved"))
    bc_value_set_number (out, 650);
  else if (g_str_equal (name, "services_total"))
    bc_value_set_number (out, 94);
  else if (g_str_equal (name, "level3") || g_str_equal (name, "services.level3"))
    bc_value_set_number (out, 120);
  else if (g_str_equal (name, "threshold"))
    bc_value_set_number (out, 1);
  else if (g_str_equal (name, "zero"))
    bc_value_set_number (out, 0);
  else if (g_str_equal (name, "empty"))
    bc_value_set_blank (out);
  else if (g_str_equal (name, "unit_name"))
    bc_value_set_text (out, "Sở Thông tin và Truyền thông");
  else if (g_str_equal (name, "signed_on"))
    set_from_text (out, "date", "2018-06-21");
  else if (g_str_equal (name, "digital_signature"))
    bc_value_set_boolean (out, TRUE);
  else if (g_str_equal (name, "bad_date_text"))
    bc_value_set_text (out, "21/6/2018");
  else if (g_str_equal (name, "nan_field"))
    {
      /* A careless resolver: the evaluator must not compute with NaN. */
      out->kind = BC_VALUE_NUMBER;
      out->number = NAN;
    }
  else if (g_str_equal (name, "broken_text"))
    {
      out->kind = BC_VALUE_TEXT;
      out->text = g_strdup ("ab\xF0");
    }
  else if (g_str_equal (name, "long_text"))
    bc_value_take_text (out, g_strnfill (20000, 'x'));
  else if (g_str_equal (name, "silent_failure"))
    return FALSE; /* no GError: the evaluator must still say what failed */
  else
    {
      g_set_error (error, BC_EXPR_ERROR, BC_EXPR_ERROR_UNKNOWN_NAME,
                   "The form has no field “%s”.", name);
      return FALSE;
    }
  return TRUE;
}

static guint
report_n_rows (gpointer    user_data,
               const char *table,
               gboolean    previous)
{
  if (g_str_equal (table, "findings"))
    return G_N_ELEMENTS (findings);
  if (g_str_equal (table, "units"))
    return G_N_ELEMENTS (unit_staff);
  if (g_str_equal (table, "big"))
    return BIG_ROWS;
  if (g_str_equal (table, "thousand"))
    return THOUSAND_ROWS;
  return 0; /* `empty_table` and unknown tables */
}

static const BcExprResolver resolver = { report_lookup, report_n_rows };

/* A resolver whose field `nested` is itself computed, as a computed field
 * is by bc-validate: by evaluating `inner` with the caller's budget. */
typedef struct {
  Report        report;
  BcExpr       *inner;
  BcExprBudget *budget;
  guint         n_nested;
} Nesting;

static gboolean
nesting_lookup (gpointer     user_data,
                const char  *name,
                const char  *row_table,
                guint        row,
                gboolean     previous,
                BcValue     *out,
                GError     **error)
{
  Nesting *nesting = user_data;

  if (g_str_equal (name, "nested"))
    {
      nesting->n_nested++;
      return bc_expr_evaluate_with_budget (nesting->inner, &resolver, &nesting->report,
                                           NULL, 0, nesting->budget, out, error);
    }

  return report_lookup (&nesting->report, name, row_table, row, previous, out, error);
}

static guint
nesting_n_rows (gpointer    user_data,
                const char *table,
                gboolean    previous)
{
  Nesting *nesting = user_data;

  return report_n_rows (&nesting->report, table, previous);
}

static const BcExprResolver nesting_resolver = { nesting_lookup, nesting_n_rows };

/* Helpers ---------------------------------------------------------------- */

static gboolean
try_eval (const char  *source,
          Report      *report,
          BcValue     *result,
          GError     **error)
{
  g_autoptr(BcExpr) expr = bc_expr_parse (source, error);

  if (expr == NULL)
    return FALSE;
  g_assert_cmpstr (bc_expr_get_source (expr), ==, source);
  return bc_expr_evaluate (expr, &resolver, report, result, error);
}

static char *
eval_to_string (const char  *source,
                BcValueKind *kind)
{
  Report report = { 0 };
  g_auto(BcValue) value = BC_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  if (!try_eval (source, &report, &value, &error))
    g_error ("“%s” failed: %s", source, error->message);
  if (kind != NULL)
    *kind = value.kind;
  return bc_value_to_string (&value);
}

#define assert_eval(source, expected) \
  G_STMT_START { \
    g_autofree char *_got = eval_to_string ((source), NULL); \
    if (g_strcmp0 (_got, (expected)) != 0) \
      g_error ("%s:%d: “%s” gave “%s”, expected “%s”", \
               __FILE__, __LINE__, (source), _got, (expected)); \
  } G_STMT_END

#define assert_eval_kind(source, expected, expected_kind) \
  G_STMT_START { \
    BcValueKind _kind; \
    g_autofree char *_got = eval_to_string ((source), &_kind); \
    if (g_strcmp0 (_got, (expected)) != 0 || _kind != (expected_kind)) \
      g_error ("%s:%d: “%s” gave “%s” (kind %d), expected “%s” (kind %d)", \
               __FILE__, __LINE__, (source), _got, _kind, (expected), (expected_kind)); \
  } G_STMT_END

#define assert_blank(source) assert_eval_kind ((source), "", BC_VALUE_BLANK)

/* TRUE when the message names exactly this column (not 12 for 1). */
static gboolean
message_has_column (const char *message,
                    int         column)
{
  g_autofree char *needle = g_strdup_printf ("column %d", column);
  const char *p = message;

  while ((p = strstr (p, needle)) != NULL)
    {
      p += strlen (needle);
      if (!g_ascii_isdigit (*p))
        return TRUE;
    }
  return FALSE;
}

static void
assert_error_at (const char *source,
                 int         code,
                 int         column,
                 const char *fragment)
{
  Report report = { 0 };
  g_auto(BcValue) value = BC_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  if (try_eval (source, &report, &value, &error))
    g_error ("“%s” should have failed", source);
  g_assert_nonnull (error);
  if (!g_error_matches (error, BC_EXPR_ERROR, code))
    g_error ("“%s”: expected code %d, got %s %d: %s", source, code,
             g_quark_to_string (error->domain), error->code, error->message);
  if (column > 0 && !message_has_column (error->message, column))
    g_error ("“%s”: the message “%s” does not name column %d", source, error->message, column);
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("“%s”: the message “%s” does not contain “%s”", source, error->message, fragment);
}

static void
assert_parse_error (const char *source,
                    int         code,
                    int         column)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcExpr) expr = bc_expr_parse (source, &error);

  if (expr != NULL)
    g_error ("“%s” should not parse", source);
  g_assert_error (error, BC_EXPR_ERROR, code);
  if (column > 0 && !message_has_column (error->message, column))
    g_error ("“%s”: the message “%s” does not name column %d", source, error->message, column);
}

static char *
repeat (const char *piece,
        guint       n,
        const char *tail)
{
  GString *s = g_string_sized_new (strlen (piece) * n + strlen (tail) + 1);

  for (guint i = 0; i < n; i++)
    g_string_append (s, piece);
  g_string_append (s, tail);
  return g_string_free (s, FALSE);
}

/* Tests ------------------------------------------------------------------ */

static void
test_values (void)
{
  g_auto(BcValue) v = BC_VALUE_INIT;
  g_auto(BcValue) copy = BC_VALUE_INIT;
  g_autofree char *s = NULL;
  static const struct {
    double      number;
    const char *text;
  } numbers[] = {
    { 12, "12" },
    { 12.5, "12.5" },
    { -3, "-3" },
    { 0.1 + 0.2, "0.3" },
    { 1.0 / 3.0, "0.333333333333333" },
    { 200.0 / 3.0, "66.6666666666667" },
    { 1e20, "1e+20" },
    /* Binary noise never reaches a message … */
    { 1.0000000000000001e+300, "1e+300" },
    { 1.1 * 3, "3.3" },
    /* … while every digit a person can write does: đồng amounts. */
    { 1234567890123.5, "1234567890123.5" },
    { 999999999999999.0, "999999999999999" },
    { 710, "710" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      g_autofree char *text = NULL;

      bc_value_set_number (&v, numbers[i].number);
      text = bc_value_to_string (&v);
      g_assert_cmpstr (text, ==, numbers[i].text);
    }

  /* -0 prints as 0; NaN and infinities are blank. */
  bc_value_set_number (&v, -0.0);
  s = bc_value_to_string (&v);
  g_assert_cmpstr (s, ==, "0");
  g_clear_pointer (&s, g_free);
  bc_value_set_number (&v, NAN);
  g_assert_true (bc_value_is_blank (&v));
  bc_value_set_number (&v, INFINITY);
  g_assert_true (bc_value_is_blank (&v));

  bc_value_set_boolean (&v, TRUE);
  s = bc_value_to_string (&v);
  g_assert_cmpstr (s, ==, "true");
  g_clear_pointer (&s, g_free);
  g_assert_true (bc_value_truthy (&v));

  bc_value_set_date (&v, 736866); /* 2018-06-21 */
  s = bc_value_to_string (&v);
  g_assert_cmpstr (s, ==, "2018-06-21");
  g_clear_pointer (&s, g_free);

  bc_value_set_blank (&v);
  s = bc_value_to_string (&v);
  g_assert_cmpstr (s, ==, "");
  g_clear_pointer (&s, g_free);
  g_assert_false (bc_value_truthy (&v));

  bc_value_set_text (&v, NULL);
  g_assert_true (bc_value_is_blank (&v));
  bc_value_set_text (&v, "");
  g_assert_false (bc_value_is_blank (&v));
  g_assert_false (bc_value_truthy (&v));
  bc_value_set_number (&v, 0);
  g_assert_false (bc_value_truthy (&v));

  bc_value_set_text (&v, "Quảng Ngãi");
  bc_value_copy (&v, &copy);
  bc_value_set_blank (&v);
  g_assert_cmpint (copy.kind, ==, BC_VALUE_TEXT);
  g_assert_cmpstr (copy.text, ==, "Quảng Ngãi");
  g_assert_true (bc_value_truthy (&copy));
}

static void
test_literals (void)
{
  assert_eval_kind ("12", "12", BC_VALUE_NUMBER);
  assert_eval ("12.5", "12.5");
  assert_eval ("1e3", "1000");
  assert_eval ("1.5E-3", "0.0015");
  assert_eval ("0.25", "0.25");
  assert_eval_kind ("\"Quảng Ngãi\"", "Quảng Ngãi", BC_VALUE_TEXT);
  assert_eval ("'Quảng Ngãi'", "Quảng Ngãi");
  assert_eval ("\"say \\\"hi\\\"\"", "say \"hi\"");
  assert_eval ("'it\\'s'", "it's");
  assert_eval ("'a\\\\b'", "a\\b");
  assert_eval ("\"single ' inside\"", "single ' inside");
  assert_eval ("''", "");
  assert_eval_kind ("true", "true", BC_VALUE_BOOLEAN);
  assert_eval ("FALSE", "false");
  assert_eval ("True", "true");
  /* Spacing copied from a word processor: tabs, new lines, no-break spaces. */
  assert_eval ("level3\u00a0>\t100\n and\u00a0true", "true");
  assert_blank ("blank");
  assert_blank ("BLANK");
  assert_eval_kind ("date(\"2018-06-21\")", "2018-06-21", BC_VALUE_DATE);
}

static void
test_precedence (void)
{
  assert_eval ("1 + 2 * 3", "7");
  assert_eval ("(1 + 2) * 3", "9");
  assert_eval ("10 - 4 - 3", "3");         /* left to right */
  assert_eval ("10 - (4 - 3)", "9");
  assert_eval ("100 / 10 / 5", "2");
  assert_eval ("2 * 3 % 4", "2");          /* (2 * 3) % 4 */
  assert_eval ("2 + 3 % 4", "5");
  assert_eval ("-2 * 3", "-6");
  assert_eval ("-(2 + 3)", "-5");
  assert_eval ("- - 2", "2");
  assert_eval ("+2", "2");
  assert_eval ("2 - -2", "4");
  assert_eval ("1 + 2 = 3", "true");       /* arithmetic before comparison */
  assert_eval ("2 * 3 > 5 and 1 < 2", "true");
  assert_eval ("not 1 = 2", "true");       /* not (1 = 2) */
  assert_eval ("true or false and false", "true");   /* true or (false and false) */
  assert_eval ("(true or false) and false", "false");
  assert_eval ("not true or true", "true");          /* (not true) or true */
  assert_eval ("not (true or true)", "false");
  assert_eval ("not not true", "true");
  assert_eval ("false and true or true", "true");    /* (false and true) or true */
}

static void
test_comparison_chain (void)
{
  /* Comparisons do not associate: a < b < c is a mistake, not (a < b) < c. */
  assert_parse_error ("1 < 2 < 3", BC_EXPR_ERROR_SYNTAX, 7);
  assert_parse_error ("1 = 1 = true", BC_EXPR_ERROR_SYNTAX, 7);
  assert_eval ("(1 < 2) = true", "true");
}

static void
test_arithmetic (void)
{
  assert_eval ("7 + 5", "12");
  assert_eval ("7 - 10", "-3");
  assert_eval ("7 * 5", "35");
  assert_eval ("7 / 2", "3.5");
  assert_eval ("7 % 3", "1");
  assert_eval ("-7 % 3", "-1");
  assert_eval ("7.5 % 2", "1.5");
  assert_eval ("dossiers_resolved / dossiers_received * 100", "91.5492957746479");
  assert_eval ("0.1 + 0.2", "0.3");

  /* Division by zero, overflow: blank, not an error. */
  assert_blank ("1 / 0");
  assert_blank ("1 / zero");
  assert_blank ("5 % 0");
  assert_blank ("1e308 * 10");
  assert_blank ("nan_field + 1");

  /* Text + text joins; other mixes are errors. */
  assert_eval ("\"Quý \" + \"II\"", "Quý II");
  assert_eval ("unit_name + \" (\" + 'tỉnh' + \")\"", "Sở Thông tin và Truyền thông (tỉnh)");
  assert_error_at ("\"a\" + 1", BC_EXPR_ERROR_ARGUMENTS, 5, "a text");
  assert_error_at ("\"a\" - \"b\"", BC_EXPR_ERROR_ARGUMENTS, 5, NULL);
  assert_error_at ("2 * true", BC_EXPR_ERROR_ARGUMENTS, 3, "yes/no");
  assert_error_at ("1 + 2 + 3 * unit_name", BC_EXPR_ERROR_ARGUMENTS, 11, NULL);
  assert_error_at ("-unit_name", BC_EXPR_ERROR_ARGUMENTS, 1, NULL);
}

static void
test_blank (void)
{
  /* Arithmetic with a blank is blank. */
  assert_blank ("empty + 1");
  assert_blank ("1 - empty");
  assert_blank ("empty * 0");
  assert_blank ("empty / 2");
  assert_blank ("2 % empty");
  assert_blank ("-empty");
  assert_blank ("empty + \"text\"");
  assert_blank ("blank + 1");

  /* Comparison with a blank is blank … */
  assert_blank ("empty > 1");
  assert_blank ("empty = 1");
  assert_blank ("empty != 1");
  assert_blank ("1 <= empty");
  assert_blank ("empty = empty");
  assert_blank ("empty < blank");
  assert_blank ("unit_name = empty");

  /* … except = and != against the literal blank, which test blankness. */
  assert_eval ("empty = blank", "true");
  assert_eval ("empty == blank", "true");
  assert_eval ("blank = empty", "true");
  assert_eval ("empty != blank", "false");
  assert_eval ("empty <> blank", "false");
  assert_eval ("level3 = blank", "false");
  assert_eval ("level3 != blank", "true");
  assert_eval ("blank = blank", "true");
  assert_eval ("empty + 1 = blank", "true");
  assert_eval ("1 / 0 = blank", "true");
  assert_eval ("unit_name != BLANK", "true");
  assert_eval ("(blank) = empty", "true");

  /* A rule's check that is blank is not broken: the resolved-vs-received rule. */
  assert_eval ("dossiers_resolved <= dossiers_received", "true");
  assert_blank ("empty <= dossiers_received");
  assert_eval ("blank(empty) or empty <= dossiers_received", "true");
}

static void
test_logic (void)
{
  /* The full three-valued tables: t, f, b. */
  static const struct {
    const char *source;
    const char *expected;
  } table[] = {
    { "true and true", "true" },
    { "true and false", "false" },
    { "true and blank", "" },
    { "false and true", "false" },
    { "false and false", "false" },
    { "false and blank", "false" },
    { "blank and true", "" },
    { "blank and false", "false" },
    { "blank and blank", "" },
    { "true or true", "true" },
    { "true or false", "true" },
    { "true or blank", "true" },
    { "false or true", "true" },
    { "false or false", "false" },
    { "false or blank", "" },
    { "blank or true", "true" },
    { "blank or false", "" },
    { "blank or blank", "" },
    { "not true", "false" },
    { "not false", "true" },
    { "not blank", "" },
    { "not empty", "" },
    { "true and true and blank", "" },
    { "blank and true and false", "false" },
    { "false or false or true", "true" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (table); i++)
    assert_eval (table[i].source, table[i].expected);

  assert_eval ("TRUE AND NOT FALSE", "true");
  assert_eval ("true Or false", "true");

  /* Values other than yes/no: 0 and "" are false. */
  assert_eval ("1 and \"x\"", "true");
  assert_eval ("0 or \"\"", "false");
  assert_eval ("not 0", "true");
  assert_eval ("not unit_name", "false");

  /* Evaluation stops once the result is known, so a guard protects the rest. */
  assert_eval ("false and no_such_field > 1", "false");
  assert_eval ("true or no_such_field > 1", "true");
  assert_eval ("present(empty) and empty / zero > 1", "false");
  assert_error_at ("true and no_such_field > 1", BC_EXPR_ERROR_UNKNOWN_NAME, 10, "no_such_field");
}

static void
test_comparison (void)
{
  assert_eval ("1 = 1", "true");
  assert_eval ("1 == 1", "true");
  assert_eval ("1 != 2", "true");
  assert_eval ("1 <> 1", "false");
  assert_eval ("1 < 2", "true");
  assert_eval ("2 <= 2", "true");
  assert_eval ("3 > 2", "true");
  assert_eval ("2 >= 3", "false");
  /* Sums of decimals compare as written. */
  assert_eval ("0.1 + 0.2 = 0.3", "true");
  assert_eval ("0.1 + 0.2 <= 0.3", "true");
  assert_eval ("0.1 + 0.2 > 0.3", "false");
  assert_eval ("25.5 + 70 = 95.5", "true");
  assert_eval ("1000000 = 1000001", "false");
  /* Whole numbers compare exactly, however large (budgets in đồng). */
  assert_eval ("12000000000000 = 12000000000001", "false");
  assert_eval ("12000000000000 + 1 > 12000000000000", "true");
  assert_eval ("0.1 * 3 = 0.3", "true");

  /* Text: exact for = and !=, the user's collation for order. */
  assert_eval ("\"done\" = \"done\"", "true");
  assert_eval ("\"done\" = \"Done\"", "false");
  assert_eval ("\"done\" != \"done \"", "true");
  assert_eval ("\"apple\" < \"banana\"", "true");
  assert_eval ("\"b\" >= \"a\"", "true");
  assert_eval ("\"a\" <= \"a\"", "true");

  /* Yes/no values are equal or not; they have no order. */
  assert_eval ("digital_signature = true", "true");
  assert_eval ("digital_signature != false", "true");
  assert_error_at ("digital_signature > false", BC_EXPR_ERROR_ARGUMENTS, 19, NULL);

  /* Mixed kinds are a mistake in the template. */
  assert_error_at ("level3 = \"120\"", BC_EXPR_ERROR_ARGUMENTS, 8,
                   "Cannot compare a number with a text");
  assert_error_at ("\"120\" < level3", BC_EXPR_ERROR_ARGUMENTS, 7,
                   "Cannot compare a text with a number");
  assert_error_at ("signed_on > 2018", BC_EXPR_ERROR_ARGUMENTS, 11, "a date");
  assert_error_at ("digital_signature = 1", BC_EXPR_ERROR_ARGUMENTS, 19, NULL);
}

static void
test_text (void)
{
  assert_eval ("len(\"Quảng Ngãi\")", "10");
  assert_eval ("len('')", "0");
  assert_eval ("len(unit_name)", "28");
  assert_blank ("len(empty)");
  assert_error_at ("len(12)", BC_EXPR_ERROR_ARGUMENTS, 1, "a text");
  /* A resolver's invalid UTF-8 is repaired, not read past its end. */
  assert_eval ("len(broken_text)", "3");
}

static void
test_dates (void)
{
  assert_eval ("date(\"2018-06-21\")", "2018-06-21");
  assert_eval ("date(\"2018-06-21\") - date(\"2018-01-01\")", "171");
  assert_eval ("date(\"2018-01-01\") - date(\"2018-06-21\")", "-171");
  assert_eval_kind ("date(\"2018-06-21\") + 10", "2018-07-01", BC_VALUE_DATE);
  assert_eval ("10 + date(\"2018-06-21\")", "2018-07-01");
  assert_eval ("date(\"2018-03-01\") - 1", "2018-02-28");
  assert_eval ("date(\"2020-03-01\") - 1", "2020-02-29");
  assert_eval ("signed_on = date(\"2018-06-21\")", "true");
  assert_eval ("signed_on < date(\"2018-07-01\")", "true");
  assert_eval ("signed_on >= date(\"2018-06-22\")", "false");
  assert_eval ("date(signed_on)", "2018-06-21");
  assert_blank ("date(empty)");
  assert_blank ("signed_on + empty");
  assert_blank ("signed_on + 1e12");   /* beyond the calendar */

  /* A date written in the expression is checked when it is parsed. */
  assert_parse_error ("date(\"2018-02-30\")", BC_EXPR_ERROR_ARGUMENTS, 6);
  assert_parse_error ("date(\"21/6/2018\")", BC_EXPR_ERROR_ARGUMENTS, 6);
  assert_parse_error ("date(\"2018-6-21\")", BC_EXPR_ERROR_ARGUMENTS, 6);
  /* A date from a field is checked when it is evaluated. */
  assert_error_at ("date(bad_date_text)", BC_EXPR_ERROR_ARGUMENTS, 6, "21/6/2018");
  assert_error_at ("date(12)", BC_EXPR_ERROR_ARGUMENTS, 1, NULL);
  assert_error_at ("signed_on + signed_on", BC_EXPR_ERROR_ARGUMENTS, 11, NULL);
  assert_error_at ("signed_on * 2", BC_EXPR_ERROR_ARGUMENTS, 11, NULL);
}

static void
test_functions (void)
{
  assert_eval ("blank(empty)", "true");
  assert_eval ("blank(level3)", "false");
  assert_eval ("blank(\"\")", "false");
  assert_eval ("present(level3)", "true");
  assert_eval ("present(empty)", "false");
  assert_eval ("Blank(empty)", "true");
  assert_eval ("PRESENT(empty)", "false");

  assert_eval ("coalesce(empty, 5)", "5");
  assert_eval ("coalesce(level3, 5)", "120");
  assert_eval ("coalesce(empty, blank, \"x\")", "x");
  assert_blank ("coalesce(empty)");
  assert_eval ("coalesce(level3, no_such_field)", "120"); /* stops at the first */

  assert_eval ("if(level3 > 100, \"many\", \"few\")", "many");
  assert_eval ("if(level3 > 200, \"many\", \"few\")", "few");
  assert_eval ("if(empty > 1, 1, 2)", "2");   /* a blank condition takes the else */
  assert_eval ("IF(true, 1, no_such_field)", "1");
  assert_error_at ("if(false, 1, no_such_field)", BC_EXPR_ERROR_UNKNOWN_NAME, 14, NULL);

  assert_eval ("min(3, 1, 2)", "1");
  assert_eval ("max(3, 1, 2)", "3");
  assert_eval ("min(empty, 4, blank)", "4");
  assert_eval ("max(7)", "7");
  assert_blank ("max(empty, blank)");
  assert_eval ("max(signed_on, date(\"2018-01-01\"))", "2018-06-21");
  assert_error_at ("min(1, signed_on)", BC_EXPR_ERROR_ARGUMENTS, 1, "mix");
  assert_error_at ("max(1, \"a\")", BC_EXPR_ERROR_ARGUMENTS, 1, NULL);

  assert_eval ("abs(-3.5)", "3.5");
  assert_eval ("abs(2)", "2");
  assert_blank ("abs(empty)");
  assert_error_at ("abs(\"x\")", BC_EXPR_ERROR_ARGUMENTS, 1, NULL);

  /* round(): half away from zero, including decimals stored inexactly. */
  assert_eval ("round(2.5)", "3");
  assert_eval ("round(-2.5)", "-3");
  assert_eval ("round(2.4)", "2");
  assert_eval ("round(0.5)", "1");
  assert_eval ("round(2.675, 2)", "2.68");
  assert_eval ("round(1.005, 2)", "1.01");
  assert_eval ("round(-1.005, 2)", "-1.01");
  assert_eval ("round(1234.5678, 1)", "1234.6");
  assert_eval ("round(1250, -2)", "1300");
  assert_eval ("round(650 / 710 * 100, 1)", "91.5");
  assert_eval ("round(1e300)", "1e+300");
  assert_blank ("round(empty)");
  assert_blank ("round(2.5, empty)");
  assert_error_at ("round(2.5, 1.5)", BC_EXPR_ERROR_ARGUMENTS, 1, NULL);
  assert_error_at ("round(2.5, 16)", BC_EXPR_ERROR_ARGUMENTS, 1, NULL);
  assert_error_at ("round(\"2\")", BC_EXPR_ERROR_ARGUMENTS, 1, NULL);

  /* Argument counts are checked when the expression is parsed. */
  assert_parse_error ("if(1, 2)", BC_EXPR_ERROR_ARGUMENTS, 1);
  assert_parse_error ("1 + blank()", BC_EXPR_ERROR_ARGUMENTS, 5);
  assert_parse_error ("abs(1, 2)", BC_EXPR_ERROR_ARGUMENTS, 1);
  assert_parse_error ("round(1, 2, 3)", BC_EXPR_ERROR_ARGUMENTS, 1);
  assert_parse_error ("coalesce()", BC_EXPR_ERROR_ARGUMENTS, 1);
  assert_parse_error ("any(findings)", BC_EXPR_ERROR_ARGUMENTS, 1);
  assert_parse_error ("count(findings, 1, 2)", BC_EXPR_ERROR_ARGUMENTS, 1);
}

static void
test_aggregates (void)
{
  assert_eval ("count(findings)", "4");
  assert_eval ("count(findings, status = \"done\")", "2");
  assert_eval ("count(findings, status = 'open')", "1");
  assert_eval ("count(findings, status = blank)", "1");
  assert_eval ("count(findings, status = \"done\") / count(findings) * 100", "50");
  assert_eval ("COUNT(findings, done > 0)", "2");   /* the blank row is not counted */

  assert_eval ("sum(findings.done)", "8");
  assert_eval ("sum(findings, done)", "8");
  assert_eval ("sum(findings, done * 2 + 1)", "19"); /* blank rows are skipped */
  assert_eval ("Sum(findings, if(status = \"done\", done, 0))", "8");
  assert_eval ("avg(findings.done)", "2.66666666666667");
  assert_eval ("avg(findings, done * 3)", "8");
  assert_eval ("min_of(findings.done)", "0");
  assert_eval ("max_of(findings.done)", "5");
  assert_eval ("min_of(findings, due)", "2018-08-31");
  assert_eval ("max_of(findings.due)", "2018-12-31");
  assert_eval ("any(findings, status = \"open\")", "true");
  assert_eval ("any(findings, done > 10)", "false");
  assert_eval ("all(findings, present(status) or present(due))", "true");
  assert_eval ("all(findings, status = \"done\")", "false");
  /* A row whose condition is blank does not count as true. */
  assert_eval ("all(findings, done >= 0)", "false");

  /* Empty tables. */
  assert_eval ("count(empty_table)", "0");
  assert_eval ("count(empty_table, true)", "0");
  assert_eval_kind ("sum(empty_table.x)", "0", BC_VALUE_NUMBER);
  assert_blank ("avg(empty_table.x)");
  assert_blank ("min_of(empty_table.x)");
  assert_blank ("max_of(empty_table, x)");
  assert_eval ("any(empty_table, true)", "false");
  assert_eval ("all(empty_table, false)", "true");

  /* The share of findings resolved, as the remediation form computes it. */
  assert_eval ("round(count(findings, status = \"done\") / count(findings) * 100, 1)", "50");
  assert_blank ("count(empty_table, status = \"done\") / count(empty_table) * 100");

  assert_error_at ("sum(findings.status)", BC_EXPR_ERROR_ARGUMENTS, 1, "findings");
  assert_error_at ("max_of(findings, status)", BC_EXPR_ERROR_ARGUMENTS, 1, NULL);
  assert_error_at ("sum(findings, nothing_here)", BC_EXPR_ERROR_UNKNOWN_NAME, 15, NULL);
  assert_error_at ("sum(findings.nothing_here)", BC_EXPR_ERROR_UNKNOWN_NAME, 14, NULL);

  assert_parse_error ("sum(findings)", BC_EXPR_ERROR_ARGUMENTS, 1);
  assert_parse_error ("count(1 + 2)", BC_EXPR_ERROR_ARGUMENTS, 7);
  assert_parse_error ("sum(\"findings\", done)", BC_EXPR_ERROR_ARGUMENTS, 5);
  assert_parse_error ("count(prev(findings))", BC_EXPR_ERROR_ARGUMENTS, 12);
}

static void
test_row_context (void)
{
  Report report = { 0 };
  g_auto(BcValue) value = BC_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(BcExpr) expr = NULL;
  g_autofree char *text = NULL;

  /* `done` is a column of the row, `threshold` a scalar of the report. */
  assert_eval ("count(findings, done >= threshold)", "2");
  assert_eval ("count(findings, done >= threshold and level3 > 100)", "2");

  /* The resolver is asked with the row context. */
  g_assert_true (try_eval ("sum(findings, done)", &report, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (report.last_row_table, ==, "findings");
  g_assert_cmpuint (report.last_row, ==, 3);
  g_assert_cmpuint (report.n_row_lookups, ==, 4);

  /* Outside a row context a column name is unknown. */
  assert_error_at ("done + 1", BC_EXPR_ERROR_UNKNOWN_NAME, 1, "done");

  /* Nested aggregates over another table, and over the same table. */
  assert_eval ("count(findings, done < max_of(units.staff) / 2)", "3");
  assert_eval ("count(findings, done > avg(findings.done))", "2");
  assert_eval ("sum(units, staff * count(findings, done >= threshold))", "32");

  /* Per-row evaluation: a per-row rule or a computed column. */
  expr = bc_expr_parse ("done * 2 + threshold", &error);
  g_assert_no_error (error);
  report = (Report) { 0 };
  g_assert_true (bc_expr_evaluate_in_row (expr, &resolver, &report, "findings", 2, &value, &error));
  g_assert_no_error (error);
  text = bc_value_to_string (&value);
  g_assert_cmpstr (text, ==, "11");
  g_assert_cmpstr (report.last_row_table, ==, "findings");
  g_assert_cmpuint (report.last_row, ==, 2);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&expr, bc_expr_unref);

  /* An aggregate inside a per-row expression switches to its own table. */
  expr = bc_expr_parse ("status = \"open\" and done < max_of(units.staff)", &error);
  g_assert_no_error (error);
  g_assert_true (bc_expr_evaluate_in_row (expr, &resolver, &report, "findings", 1, &value, &error));
  g_assert_no_error (error);
  text = bc_value_to_string (&value);
  g_assert_cmpstr (text, ==, "true");
  g_clear_pointer (&text, g_free);
  g_assert_true (bc_expr_evaluate_in_row (expr, &resolver, &report, "findings", 0, &value, &error));
  text = bc_value_to_string (&value);
  g_assert_cmpstr (text, ==, "false");
}

static void
test_prev (void)
{
  assert_eval ("prev(services_total)", "90");
  assert_eval ("PREV(services.level3)", "100");
  assert_blank ("prev(dossiers_received)");
  assert_eval ("blank(prev(services_total)) or services_total >= prev(services_total)", "true");
  assert_eval ("blank(prev(dossiers_received)) or dossiers_received >= prev(dossiers_received)", "true");
  assert_eval ("services_total - prev(services_total)", "4");
  assert_eval ("level3 < prev(services.level3)", "false");

  /* The argument must be a plain name. */
  assert_parse_error ("prev(1 + 2)", BC_EXPR_ERROR_ARGUMENTS, 1);
  assert_parse_error ("prev(prev(services_total))", BC_EXPR_ERROR_ARGUMENTS, 1);
  assert_parse_error ("prev(sum(findings.done))", BC_EXPR_ERROR_ARGUMENTS, 1);
  assert_parse_error ("prev()", BC_EXPR_ERROR_ARGUMENTS, 1);
}

static void
collect_reference (BcExprRefKind  kind,
                   const char    *name,
                   const char    *column,
                   gboolean       previous,
                   gpointer       user_data)
{
  GString *out = user_data;
  static const char * const kinds[] = { "field", "table", "column" };

  g_string_append_printf (out, "%s:%s%s%s%s;", kinds[kind], name,
                          column != NULL ? "/" : "", column != NULL ? column : "",
                          previous ? ":prev" : "");
}

static void
assert_references (const char *source,
                   const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcExpr) expr = bc_expr_parse (source, &error);
  g_autoptr(GString) out = g_string_new (NULL);

  g_assert_no_error (error);
  bc_expr_foreach_reference (expr, collect_reference, out);
  g_assert_cmpstr (out->str, ==, expected);
}

static void
test_references (void)
{
  assert_references ("1 + 2", "");
  assert_references ("dossiers_resolved <= dossiers_received",
                     "field:dossiers_resolved;field:dossiers_received;");
  assert_references ("services.level3 + level4",
                     "field:services.level3;field:level4;");
  assert_references ("count(findings, status = \"done\") / count(findings) * 100",
                     "table:findings;field:status;table:findings;");
  assert_references ("sum(findings.done)", "column:findings/done;");
  assert_references ("avg(inspection.findings.done)", "column:inspection.findings/done;");
  assert_references ("sum(findings, done * rate)", "table:findings;field:done;field:rate;");
  assert_references ("blank(prev(services_total)) or services_total >= prev(services_total)",
                     "field:services_total:prev;field:services_total;field:services_total:prev;");
  assert_references ("count(findings, done < max_of(units.staff))",
                     "table:findings;field:done;column:units/staff;");
  assert_references ("if(a, b, c)", "field:a;field:b;field:c;");
}

static void
test_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcExpr) expr = NULL;

  /* An unknown function: where, what, and which ones exist. */
  expr = bc_expr_parse ("summ(findings.done)", &error);
  g_assert_null (expr);
  g_assert_error (error, BC_EXPR_ERROR, BC_EXPR_ERROR_UNKNOWN_NAME);
  g_assert_true (message_has_column (error->message, 1));
  g_assert_nonnull (strstr (error->message, "summ"));
  g_assert_nonnull (strstr (error->message, "Known functions"));
  g_assert_nonnull (strstr (error->message, "sum, avg"));
  g_clear_error (&error);

  assert_parse_error ("level3 + Summ(x)", BC_EXPR_ERROR_UNKNOWN_NAME, 10);
  assert_parse_error ("services.total(1)", BC_EXPR_ERROR_UNKNOWN_NAME, 1);

  /* Syntax, with the column in characters (the Vietnamese text counts as such). */
  assert_parse_error ("", BC_EXPR_ERROR_SYNTAX, 1);
  assert_parse_error ("   ", BC_EXPR_ERROR_SYNTAX, 1);
  assert_parse_error ("1 +", BC_EXPR_ERROR_SYNTAX, 4);
  assert_parse_error ("(1 + 2", BC_EXPR_ERROR_SYNTAX, 7);
  assert_parse_error ("(1 + 2))", BC_EXPR_ERROR_SYNTAX, 8);
  assert_parse_error ("(1 + 2 3)", BC_EXPR_ERROR_SYNTAX, 8);
  assert_parse_error ("1 2", BC_EXPR_ERROR_SYNTAX, 3);
  assert_parse_error ("* 2", BC_EXPR_ERROR_SYNTAX, 1);
  assert_parse_error ("\"Quảng Ngãi\" = x y", BC_EXPR_ERROR_SYNTAX, 18);
  assert_parse_error ("\"abc", BC_EXPR_ERROR_SYNTAX, 1);
  assert_parse_error ("x = 'abc", BC_EXPR_ERROR_SYNTAX, 5);
  assert_parse_error ("\"a\\nb\"", BC_EXPR_ERROR_SYNTAX, 3);
  assert_parse_error ("12abc", BC_EXPR_ERROR_SYNTAX, 1);
  assert_parse_error ("1.2.3", BC_EXPR_ERROR_SYNTAX, 1);
  assert_parse_error ("1e", BC_EXPR_ERROR_SYNTAX, 1);
  assert_parse_error ("1e999", BC_EXPR_ERROR_SYNTAX, 1);
  assert_parse_error ("x & y", BC_EXPR_ERROR_SYNTAX, 3);
  assert_parse_error ("x || y", BC_EXPR_ERROR_SYNTAX, 3);
  assert_parse_error ("!x", BC_EXPR_ERROR_SYNTAX, 1);
  assert_parse_error ("status = “done”", BC_EXPR_ERROR_SYNTAX, 10);
  assert_parse_error ("a..b", BC_EXPR_ERROR_SYNTAX, 2);
  assert_parse_error ("findings.", BC_EXPR_ERROR_SYNTAX, 9);
  assert_parse_error ("sum(findings.done", BC_EXPR_ERROR_SYNTAX, 18);
  assert_parse_error ("max(1 2)", BC_EXPR_ERROR_SYNTAX, 7);
  assert_parse_error ("max(1,)", BC_EXPR_ERROR_SYNTAX, 7);
  assert_parse_error ("and", BC_EXPR_ERROR_SYNTAX, 1);
  assert_parse_error ("not", BC_EXPR_ERROR_SYNTAX, 4);

  /* A Vietnamese-style decimal comma gets a hint. */
  expr = bc_expr_parse ("x > 12,5", &error);
  g_assert_null (expr);
  g_assert_error (error, BC_EXPR_ERROR, BC_EXPR_ERROR_SYNTAX);
  g_assert_true (message_has_column (error->message, 7));
  g_assert_nonnull (strstr (error->message, "12.5"));
  g_clear_error (&error);

  /* Invalid UTF-8 is a syntax error that says where. */
  assert_parse_error ("x = \"ab\xC3\x28\"", BC_EXPR_ERROR_SYNTAX, 8);
  assert_parse_error ("\xFF", BC_EXPR_ERROR_SYNTAX, 1);

  /* Evaluation errors name the column too. */
  assert_error_at ("level3 + no_such_field", BC_EXPR_ERROR_UNKNOWN_NAME, 10, "no_such_field");
  assert_error_at ("1 + silent_failure", BC_EXPR_ERROR_UNKNOWN_NAME, 5, "silent_failure");
}

static void
test_limits (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *source = NULL;
  g_autoptr(BcExpr) expr = NULL;
  Report report = { 0 };
  g_auto(BcValue) value = BC_VALUE_INIT;
  g_autofree char *open = g_strnfill (100000, '(');
  g_autofree char *close = g_strnfill (100000, ')');

  /* Far beyond every limit: refused, not crashed. */
  source = g_strconcat (open, "1", close, NULL);
  assert_parse_error (source, BC_EXPR_ERROR_TOO_COMPLEX, 0);
  g_clear_pointer (&source, g_free);

  source = repeat ("not ", 100000, "true");
  assert_parse_error (source, BC_EXPR_ERROR_TOO_COMPLEX, 0);
  g_clear_pointer (&source, g_free);

  source = repeat ("1+", 512 * 1024, "1");
  g_assert_cmpuint (strlen (source), >, 1000000);
  assert_parse_error (source, BC_EXPR_ERROR_TOO_COMPLEX, 0);
  g_clear_pointer (&source, g_free);

  /* Within the length limit, nesting stops at BC_EXPR_MAX_DEPTH. */
  source = g_strdup_printf ("%.*s1%.*s", BC_EXPR_MAX_DEPTH, open, BC_EXPR_MAX_DEPTH, close);
  assert_eval (source, "1");
  g_clear_pointer (&source, g_free);
  source = g_strdup_printf ("%.*s1%.*s", BC_EXPR_MAX_DEPTH + 1, open, BC_EXPR_MAX_DEPTH + 1, close);
  assert_parse_error (source, BC_EXPR_ERROR_TOO_COMPLEX, BC_EXPR_MAX_DEPTH + 1);
  g_clear_pointer (&source, g_free);

  source = repeat ("not ", BC_EXPR_MAX_DEPTH, "true");
  assert_eval (source, "true");
  g_clear_pointer (&source, g_free);
  source = repeat ("not ", 1000, "true");
  assert_parse_error (source, BC_EXPR_ERROR_TOO_COMPLEX, 4 * BC_EXPR_MAX_DEPTH + 1);
  g_clear_pointer (&source, g_free);
  source = repeat ("- ", 2000, "level3");
  assert_parse_error (source, BC_EXPR_ERROR_TOO_COMPLEX, 0);
  g_clear_pointer (&source, g_free);
  source = repeat ("abs(", 1000, "1");
  assert_parse_error (source, BC_EXPR_ERROR_TOO_COMPLEX, 0);
  g_clear_pointer (&source, g_free);

  /* A long flat sum is fine (a sum of many indicators) … */
  source = repeat ("1+", 1000, "1");
  assert_eval (source, "1001");
  g_clear_pointer (&source, g_free);
  /* … up to BC_EXPR_MAX_NODES parts. */
  source = repeat ("1+", 2047, "1");
  g_assert_cmpuint (strlen (source), <=, BC_EXPR_MAX_SOURCE_LENGTH);
  assert_parse_error (source, BC_EXPR_ERROR_TOO_COMPLEX, 0);
  g_clear_pointer (&source, g_free);

  /* Exactly the maximum length parses; one byte more does not. */
  source = g_strnfill (BC_EXPR_MAX_SOURCE_LENGTH, ' ');
  source[0] = '1';
  assert_eval (source, "1");
  g_clear_pointer (&source, g_free);
  source = g_strnfill (BC_EXPR_MAX_SOURCE_LENGTH + 1, ' ');
  source[0] = '1';
  assert_parse_error (source, BC_EXPR_ERROR_TOO_COMPLEX, 0);
  g_clear_pointer (&source, g_free);

  /* Ten million rows: the step budget refuses before looking at them. */
  g_assert_false (try_eval ("count(big, v = 1)", &report, &value, &error));
  g_assert_error (error, BC_EXPR_ERROR, BC_EXPR_ERROR_BUDGET);
  g_assert_true (message_has_column (error->message, 1));
  g_assert_cmpuint (report.n_lookups, <=, BC_EXPR_MAX_STEPS);
  g_clear_error (&error);

  report = (Report) { 0 };
  g_assert_false (try_eval ("level3 + sum(big.v)", &report, &value, &error));
  g_assert_error (error, BC_EXPR_ERROR, BC_EXPR_ERROR_BUDGET);
  g_assert_true (message_has_column (error->message, 10));
  g_clear_error (&error);

  /* Joining long texts over and over runs out of steps, not of memory. */
  assert_eval ("len(long_text + long_text)", "40000");
  source = repeat ("long_text + ", 300, "long_text");
  report = (Report) { 0 };
  g_assert_false (try_eval (source, &report, &value, &error));
  g_assert_error (error, BC_EXPR_ERROR, BC_EXPR_ERROR_BUDGET);
  g_clear_error (&error);
  g_clear_pointer (&source, g_free);

  /* Counting the rows needs no visit. */
  assert_eval ("count(big)", "10000000");

  /* A million steps, spread over nested loops, also ends with an error,
   * having done no more than a million lookups. */
  report = (Report) { 0 };
  g_assert_false (try_eval ("count(thousand, count(thousand, v = 1) > 0)", &report, &value, &error));
  g_assert_error (error, BC_EXPR_ERROR, BC_EXPR_ERROR_BUDGET);
  g_assert_cmpuint (report.n_lookups, <=, BC_EXPR_MAX_STEPS);
  g_assert_cmpuint (report.n_lookups, >, 1000);
  g_clear_error (&error);

  /* The budget is per evaluation: the same expression evaluates again. */
  expr = bc_expr_parse ("sum(thousand.v)", &error);
  g_assert_no_error (error);
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *text = NULL;

      g_assert_true (bc_expr_evaluate (expr, &resolver, &report, &value, &error));
      g_assert_no_error (error);
      text = bc_value_to_string (&value);
      g_assert_cmpstr (text, ==, "1000");
    }
}

static void
test_shared_budget (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcExpr) inner = bc_expr_parse ("sum(thousand.v)", &error);
  g_autoptr(BcExpr) outer = bc_expr_parse ("nested + nested", &error);
  g_autoptr(BcExpr) one = bc_expr_parse ("1", &error);
  g_autoptr(BcExpr) rows = bc_expr_parse ("count(big, v = 1)", &error);
  g_auto(BcValue) value = BC_VALUE_INIT;
  BcExprBudget budget = BC_EXPR_BUDGET_INIT (BC_EXPR_MAX_STEPS);
  Nesting nesting = { { 0 }, inner, &budget, 0 };
  guint64 inner_cost;
  guint64 outer_cost;

  g_assert_no_error (error);

  /* What the inner expression costs on its own. */
  g_assert_true (bc_expr_evaluate_with_budget (inner, &resolver, &nesting.report, NULL, 0,
                                               &budget, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (value.number, ==, THOUSAND_ROWS);
  inner_cost = BC_EXPR_MAX_STEPS - budget.steps_left;
  g_assert_cmpuint (inner_cost, >=, THOUSAND_ROWS);

  /* Nested evaluations draw from the caller's budget: the outer expression
   * pays for its own three parts and for both inner sums. */
  budget.steps_left = BC_EXPR_MAX_STEPS;
  g_assert_true (bc_expr_evaluate_with_budget (outer, &nesting_resolver, &nesting, NULL, 0,
                                               &budget, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (value.number, ==, 2 * THOUSAND_ROWS);
  g_assert_cmpuint (nesting.n_nested, ==, 2);
  outer_cost = BC_EXPR_MAX_STEPS - budget.steps_left;
  g_assert_cmpuint (outer_cost, ==, 3 + 2 * inner_cost);

  /* Too little for both inner sums: the second runs out, and the error is
   * the budget's, told once at the outer reference (column 10). */
  budget.steps_left = inner_cost + inner_cost / 2;
  nesting.n_nested = 0;
  g_assert_false (bc_expr_evaluate_with_budget (outer, &nesting_resolver, &nesting, NULL, 0,
                                                &budget, &value, &error));
  g_assert_error (error, BC_EXPR_ERROR, BC_EXPR_ERROR_BUDGET);
  g_assert_true (message_has_column (error->message, 10));
  g_assert_null (strstr (error->message, "At column"));
  g_assert_cmpuint (nesting.n_nested, ==, 2);
  g_clear_error (&error);

  /* A spent budget stays spent: whatever else shares it stops at once. */
  g_assert_cmpuint (budget.steps_left, ==, 0);
  g_assert_false (bc_expr_evaluate_with_budget (one, &resolver, &nesting.report, NULL, 0,
                                                &budget, &value, &error));
  g_assert_error (error, BC_EXPR_ERROR, BC_EXPR_ERROR_BUDGET);
  g_clear_error (&error);

  /* However large the budget, work without bound is refused, and before
   * the rows are visited: ten million rows, ten million steps. */
  nesting.report = (Report) { 0 };
  budget.steps_left = (guint64) BC_EXPR_MAX_STEPS * 10;
  g_assert_false (bc_expr_evaluate_with_budget (rows, &resolver, &nesting.report, NULL, 0,
                                                &budget, &value, &error));
  g_assert_error (error, BC_EXPR_ERROR, BC_EXPR_ERROR_BUDGET);
  g_assert_true (message_has_column (error->message, 1));
  g_assert_cmpuint (nesting.report.n_lookups, ==, 0);
  g_clear_error (&error);

  /* A row context, as bc_expr_evaluate_in_row gives. */
  budget.steps_left = BC_EXPR_MAX_STEPS;
  nesting.report = (Report) { 0 };
  g_assert_true (bc_expr_evaluate_with_budget (one, &resolver, &nesting.report, "findings", 2,
                                               &budget, &value, &error));
  g_assert_no_error (error);
  g_clear_pointer (&rows, bc_expr_unref);
  rows = bc_expr_parse ("done + 1", &error);
  g_assert_true (bc_expr_evaluate_with_budget (rows, &resolver, &nesting.report, "findings", 2,
                                               &budget, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (value.number, ==, 6);
  g_assert_cmpstr (nesting.report.last_row_table, ==, "findings");
  g_assert_cmpuint (nesting.report.last_row, ==, 2);
}

static gpointer
evaluate_many (gpointer data)
{
  BcExpr *expr = data;
  Report report = { 0 };

  for (int i = 0; i < 200; i++)
    {
      g_auto(BcValue) value = BC_VALUE_INIT;
      g_autofree char *text = NULL;

      if (!bc_expr_evaluate (expr, &resolver, &report, &value, NULL))
        return GINT_TO_POINTER (FALSE);
      text = bc_value_to_string (&value);
      if (!g_str_equal (text, "50 %"))
        return GINT_TO_POINTER (FALSE);
    }
  return GINT_TO_POINTER (TRUE);
}

static void
test_threads (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcExpr) expr = NULL;
  GThread *threads[4];

  /* One parsed expression, evaluated from several threads at once. */
  expr = bc_expr_parse ("if(count(findings) > 0, \"50 %\", \"none\")", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("evaluate", evaluate_many, bc_expr_ref (expr));
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_assert_true (GPOINTER_TO_INT (g_thread_join (threads[i])));
      bc_expr_unref (expr);
    }
  g_assert_cmpstr (bc_expr_get_source (expr), ==, "if(count(findings) > 0, \"50 %\", \"none\")");
}

static void
test_documented_examples (void)
{
  /* The examples of docs/rules.md, over the test report. */
  assert_eval ("dossiers_resolved <= dossiers_received", "true");
  assert_eval ("count(findings, status = \"done\") / count(findings) * 100", "50");
  assert_eval ("blank(prev(services_total)) or services_total >= prev(services_total)", "true");
  assert_eval ("round(dossiers_resolved / dossiers_received * 100, 1)", "91.5");
  assert_eval ("services.level3 > 0", "true");
  assert_eval ("sum(findings.done)", "8");
  assert_eval ("signed_on <= date(\"2018-06-20\") or present(unit_name)", "true");
  assert_eval ("coalesce(empty, 0) + level3", "120");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/expr/values", test_values);
  g_test_add_func ("/core/expr/literals", test_literals);
  g_test_add_func ("/core/expr/precedence", test_precedence);
  g_test_add_func ("/core/expr/comparison-chain", test_comparison_chain);
  g_test_add_func ("/core/expr/arithmetic", test_arithmetic);
  g_test_add_func ("/core/expr/blank", test_blank);
  g_test_add_func ("/core/expr/logic", test_logic);
  g_test_add_func ("/core/expr/comparison", test_comparison);
  g_test_add_func ("/core/expr/text", test_text);
  g_test_add_func ("/core/expr/dates", test_dates);
  g_test_add_func ("/core/expr/functions", test_functions);
  g_test_add_func ("/core/expr/aggregates", test_aggregates);
  g_test_add_func ("/core/expr/row-context", test_row_context);
  g_test_add_func ("/core/expr/prev", test_prev);
  g_test_add_func ("/core/expr/references", test_references);
  g_test_add_func ("/core/expr/errors", test_errors);
  g_test_add_func ("/core/expr/limits", test_limits);
  g_test_add_func ("/core/expr/shared-budget", test_shared_budget);
  g_test_add_func ("/core/expr/threads", test_threads);
  g_test_add_func ("/core/expr/documented-examples", test_documented_examples);

  return g_test_run ();
}
