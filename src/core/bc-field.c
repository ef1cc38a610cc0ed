/* bc-field.c: checking, storing and showing the value of a template field.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Officers type numbers the Vietnamese way ("1.200" is one thousand two
 * hundred, "12,5" twelve and a half) as often as the English way, so input
 * is read generously and stored in one canonical form ("1200", "12.5",
 * "2018-06-21", "yes") that the rest of Baocao compares and computes with.
 * Generously, but never against the way Baocao itself shows numbers in the
 * language it speaks: what it shows reads back as the same value.
 */
#define G_LOG_DOMAIN "bc-field"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "bc-i18n.h"
#include "bc-template.h"
#include "bc-template-private.h"

#define MAX_NUMBER_INPUT      64     /* characters */
#define MAX_NUMBER_DIGITS     15     /* before the decimal mark: exact in a double */
#define MAX_FRACTION_DIGITS   10     /* after it, trailing zeros aside */
#define DEFAULT_TEXT_LENGTH   500
#define DEFAULT_LONG_LENGTH   20000
#define MAX_DOCUMENT_INPUT    4096   /* bytes */
#define MAX_DOCUMENT_NUMBER   100    /* characters */
#define MAX_DOCUMENT_TITLE    1000   /* characters */

/* The field as the user reads the form, in `lang`. */
static const char *
field_name (const BcField *field,
            const char    *lang)
{
  return bc_text_get (&field->label, lang);
}

static gboolean value_error (GError     **error,
                             const char  *format,
                             ...) G_GNUC_PRINTF (2, 3);

static gboolean
value_error (GError     **error,
             const char  *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error_literal (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_VALUE, message);

  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* Numbers                                                                  */

typedef enum {
  NUMBER_OK,
  NUMBER_INVALID,    /* not a number at all */
  NUMBER_TOO_LARGE,
  NUMBER_AMBIGUOUS,  /* a whole number or a fraction, as the reader's habit goes */
} NumberResult;

/* How a lone "." or "," is read. People type in the convention of the
 * language Baocao speaks to them, which is also how it shows numbers
 * (localize_number()); stored values, imported files and the wire carry
 * numbers as programs write them, with "." as the decimal mark. */
typedef enum {
  NUMBERS_STORED,
  NUMBERS_VIETNAMESE,  /* "1.234,5" */
  NUMBERS_ENGLISH,     /* "1,234.5" */
} NumberConvention;

static NumberConvention
typed_convention (const char *lang)
{
  /* The same test as localize_number()'s, so that parse and display agree. */
  return g_strcmp0 (lang, "en") != 0 ? NUMBERS_VIETNAMESE : NUMBERS_ENGLISH;
}

/* A number as digits, so that "12,50" becomes "12.5" without a trip
 * through binary floating point. */
typedef struct
{
  gboolean  negative;
  GString  *whole;     /* no leading zeros; empty for zero */
  GString  *fraction;  /* no trailing zeros */
} Digits;

static void
digits_clear (Digits *digits)
{
  if (digits->whole != NULL)
    g_string_free (digits->whole, TRUE);
  if (digits->fraction != NULL)
    g_string_free (digits->fraction, TRUE);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Digits, digits_clear)

/* Checks "1.200.300" style grouping: a first group of 1 to 3 digits, then
 * groups of exactly 3, separated by `separator`. Appends the digits. A
 * first group starting with 0 ("0.500", "01.200") is not grouping: nobody
 * writes thousands that way, and "0.500" means a half. */
static gboolean
read_grouped (const char *text,
              gsize       length,
              char        separator,
              GString    *out)
{
  gsize group = 0;
  gboolean first = TRUE;

  for (gsize i = 0; i < length; i++)
    {
      if (text[i] == separator)
        {
          if (group == 0 || group > 3 || (!first && group != 3))
            return FALSE;
          if (first && text[0] == '0')
            return FALSE;
          first = FALSE;
          group = 0;
        }
      else if (g_ascii_isdigit (text[i]))
        {
          g_string_append_c (out, text[i]);
          group++;
        }
      else
        {
          return FALSE;
        }
    }

  return group > 0 && (first || group == 3);
}

static gboolean
read_plain (const char *text,
            gsize       length,
            GString    *out)
{
  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      g_string_append_c (out, text[i]);
    }

  return TRUE;
}

/* Reads a number. When both marks appear, the last one is the decimal mark;
 * a repeated mark separates thousands. Spaces only ever separate thousands.
 *
 * A lone mark followed by groups of three digits ("1.200") is where the
 * two conventions disagree, and the display's convention decides. Its
 * thousands mark ("." in Vietnamese, "," in English) separates thousands
 * in every field. Its decimal mark is the decimal mark in a decimal field,
 * as the display writes 1.125 ("1,125" in Vietnamese); in an integer field
 * (`whole_expected`) it would read "1,250" as a fraction and "1,000" as 1
 * where someone used to the other convention meant thousands, so it is
 * refused as ambiguous. A lone mark that cannot separate thousands ("1.25",
 * "0,5") can only be a decimal mark.
 *
 * Stored numbers keep the reading that wrote them: a lone mark is the
 * decimal mark, except in an integer field where it separates thousands. */
static NumberResult
read_number (const char       *input,
             gboolean          whole_expected,
             NumberConvention  convention,
             Digits           *out)
{
  g_autoptr(GString) body = g_string_new (NULL);
  const char *p = input;
  const char *last_dot, *last_comma;
  char decimal_mark = 0;
  char thousands = 0;
  gsize n_dots = 0, n_commas = 0, n_spaces = 0;
  gsize whole_length;
  const char *fraction_text = NULL;

  out->negative = FALSE;
  out->whole = g_string_new (NULL);
  out->fraction = g_string_new (NULL);

  if (*p == '-' || *p == '+')
    out->negative = *p++ == '-';
  else if (g_str_has_prefix (p, "−"))  /* U+2212 MINUS SIGN */
    {
      out->negative = TRUE;
      p += strlen ("−");
    }

  /* Non-breaking and thin spaces are what spreadsheets paste as thousands
   * separators. */
  while (*p != '\0')
    {
      if (g_str_has_prefix (p, "\xc2\xa0"))
        {
          g_string_append_c (body, ' ');
          n_spaces++;
          p += 2;
        }
      else if (g_str_has_prefix (p, "\xe2\x80\xaf") || g_str_has_prefix (p, "\xe2\x80\x89"))
        {
          g_string_append_c (body, ' ');
          n_spaces++;
          p += 3;
        }
      else
        {
          char c = *p++;

          if (c == '.')
            n_dots++;
          else if (c == ',')
            n_commas++;
          else if (c == ' ')
            n_spaces++;
          else if (!g_ascii_isdigit (c))
            return NUMBER_INVALID;
          g_string_append_c (body, c);
        }
    }

  if (body->len == 0)
    return NUMBER_INVALID;

  last_dot = strrchr (body->str, '.');
  last_comma = strrchr (body->str, ',');

  if (n_dots > 0 && n_commas > 0)
    {
      decimal_mark = last_dot > last_comma ? '.' : ',';
      thousands = decimal_mark == '.' ? ',' : '.';
      if ((decimal_mark == '.' ? n_dots : n_commas) != 1 || n_spaces > 0)
        return NUMBER_INVALID;
    }
  else if (n_dots + n_commas > 0)
    {
      char mark = n_dots > 0 ? '.' : ',';
      gsize count = n_dots + n_commas;

      if (count > 1)
        thousands = mark;
      else
        {
          g_autoptr(GString) scratch = g_string_new (NULL);
          gboolean grouped = n_spaces == 0 && read_grouped (body->str, body->len, mark, scratch);
          char group_mark = 0;

          if (convention == NUMBERS_VIETNAMESE)
            group_mark = '.';
          else if (convention == NUMBERS_ENGLISH)
            group_mark = ',';

          if (!grouped)
            decimal_mark = mark;
          else if (convention == NUMBERS_STORED)
            {
              if (whole_expected)
                thousands = mark;
              else
                decimal_mark = mark;
            }
          else if (mark == group_mark)
            thousands = mark;
          else if (whole_expected)
            return NUMBER_AMBIGUOUS;
          else
            decimal_mark = mark;
        }

      if (thousands != 0 && n_spaces > 0)
        return NUMBER_INVALID;
    }

  if (n_spaces > 0)
    thousands = ' ';

  whole_length = body->len;
  if (decimal_mark != 0)
    {
      const char *mark = strchr (body->str, decimal_mark);

      whole_length = mark - body->str;
      fraction_text = mark + 1;
    }

  if (whole_length > 0)
    {
      gboolean ok;

      if (thousands != 0 && memchr (body->str, thousands, whole_length) != NULL)
        ok = read_grouped (body->str, whole_length, thousands, out->whole);
      else
        ok = read_plain (body->str, whole_length, out->whole);
      if (!ok)
        return NUMBER_INVALID;
    }

  if (fraction_text != NULL && !read_plain (fraction_text, strlen (fraction_text), out->fraction))
    return NUMBER_INVALID;

  if (out->whole->len == 0 && out->fraction->len == 0)
    return NUMBER_INVALID;

  /* Canonical digits: no leading zeros, no trailing zeros, no "-0". */
  while (out->whole->len > 0 && out->whole->str[0] == '0')
    g_string_erase (out->whole, 0, 1);
  while (out->fraction->len > 0 && out->fraction->str[out->fraction->len - 1] == '0')
    g_string_truncate (out->fraction, out->fraction->len - 1);
  if (out->whole->len == 0 && out->fraction->len == 0)
    out->negative = FALSE;

  if (out->whole->len > MAX_NUMBER_DIGITS)
    return NUMBER_TOO_LARGE;

  return NUMBER_OK;
}

static char *
digits_to_canonical (const Digits *digits)
{
  GString *out = g_string_new (NULL);

  if (digits->negative)
    g_string_append_c (out, '-');
  g_string_append (out, digits->whole->len > 0 ? digits->whole->str : "0");
  if (digits->fraction->len > 0)
    {
      g_string_append_c (out, '.');
      g_string_append (out, digits->fraction->str);
    }

  return g_string_free (out, FALSE);
}

char *
_bc_format_number (double  value,
                   char   *buffer,
                   gsize   size)
{
  g_return_val_if_fail (buffer != NULL, NULL);
  g_return_val_if_fail (size >= G_ASCII_DTOSTR_BUF_SIZE, NULL);

  /* Adding 0.0 turns -0 into 0. */
  if (isfinite (value) && value == floor (value) && fabs (value) < 1e15)
    g_snprintf (buffer, size, "%.0f", value + 0.0);
  else
    g_ascii_formatd (buffer, size, "%.15g", value + 0.0);

  return buffer;
}

/* A template's limit as exact digits, to compare input with it without a
 * trip through binary floating point: 15 significant digits are what the
 * template's author wrote ("0.1", not 0.1000000000000000055…). */
static void
limit_to_digits (double  value,
                 Digits *out)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  char mantissa[16];
  const char *p;
  gsize n = 0;
  int point;

  g_assert (isfinite (value));

  out->whole = g_string_new (NULL);
  out->fraction = g_string_new (NULL);

  /* "-1.23450000000000e+03": a digit, a dot, 14 digits, an exponent. */
  g_ascii_formatd (buffer, sizeof buffer, "%.14e", value);
  p = buffer;
  out->negative = *p == '-';
  if (*p == '-')
    p++;
  for (; *p != 'e' && n < sizeof mantissa - 1; p++)
    if (g_ascii_isdigit (*p))
      mantissa[n++] = *p;
  mantissa[n] = '\0';
  g_assert (*p == 'e');
  point = 1 + (int)g_ascii_strtoll (p + 1, NULL, 10);

  if (point <= 0)
    {
      for (int i = point; i < 0; i++)
        g_string_append_c (out->fraction, '0');
      g_string_append (out->fraction, mantissa);
    }
  else if ((gsize)point >= n)
    {
      g_string_append (out->whole, mantissa);
      for (gsize i = n; i < (gsize)point; i++)
        g_string_append_c (out->whole, '0');
    }
  else
    {
      g_string_append_len (out->whole, mantissa, point);
      g_string_append (out->fraction, mantissa + point);
    }

  while (out->whole->len > 0 && out->whole->str[0] == '0')
    g_string_erase (out->whole, 0, 1);
  while (out->fraction->len > 0 && out->fraction->str[out->fraction->len - 1] == '0')
    g_string_truncate (out->fraction, out->fraction->len - 1);
  if (out->whole->len == 0 && out->fraction->len == 0)
    out->negative = FALSE;
}

/* Compares two canonical numbers (no leading or trailing zeros, no -0):
 * <0, 0 or >0 as `a` is less than, equal to or greater than `b`. */
static int
compare_digits (const Digits *a,
                const Digits *b)
{
  int magnitude = 0;

  if (a->negative != b->negative)
    return a->negative ? -1 : 1;

  if (a->whole->len != b->whole->len)
    magnitude = a->whole->len < b->whole->len ? -1 : 1;
  else
    magnitude = strcmp (a->whole->str, b->whole->str);

  for (gsize i = 0; magnitude == 0 && (i < a->fraction->len || i < b->fraction->len); i++)
    {
      char digit_a = i < a->fraction->len ? a->fraction->str[i] : '0';
      char digit_b = i < b->fraction->len ? b->fraction->str[i] : '0';

      magnitude = digit_a - digit_b;
    }

  return a->negative ? -magnitude : magnitude;
}

static int
compare_to_limit (const Digits *digits,
                  double        limit)
{
  g_auto(Digits) limit_digits = { FALSE, NULL, NULL };

  if (!isfinite (limit))
    return limit > 0 ? -1 : 1;

  limit_to_digits (limit, &limit_digits);
  return compare_digits (digits, &limit_digits);
}

/* "-1234.5" → "-1.234,5" (vi) or "-1,234.5" (en). Anything else is returned
 * as it is. */
static char *
localize_number (const char *canonical,
                 const char *lang)
{
  gboolean vi = g_strcmp0 (lang, "en") != 0;
  char group_mark = vi ? '.' : ',';
  char decimal_mark = vi ? ',' : '.';
  const char *p = canonical;
  const char *whole, *dot;
  gsize whole_length;
  GString *out;

  if (*p == '-')
    p++;
  whole = p;
  while (g_ascii_isdigit (*p))
    p++;
  whole_length = p - whole;
  dot = p;
  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        return g_strdup (canonical);
      while (g_ascii_isdigit (*p))
        p++;
    }
  if (whole_length == 0 || *p != '\0')
    return g_strdup (canonical);

  out = g_string_new (canonical[0] == '-' ? "-" : NULL);
  for (gsize i = 0; i < whole_length; i++)
    {
      if (i > 0 && (whole_length - i) % 3 == 0)
        g_string_append_c (out, group_mark);
      g_string_append_c (out, whole[i]);
    }
  if (*dot == '.')
    {
      g_string_append_c (out, decimal_mark);
      g_string_append (out, dot + 1);
    }

  return g_string_free (out, FALSE);
}

static char *
format_limit (const BcField *field,
              double         value,
              const char    *lang)
{
  char canonical[G_ASCII_DTOSTR_BUF_SIZE];
  char *text = localize_number (_bc_format_number (value, canonical, sizeof canonical), lang);

  if (field->type == BC_FIELD_PERCENTAGE)
    {
      char *with_sign = g_strconcat (text, "%", NULL);

      g_free (text);
      return with_sign;
    }

  return text;
}

/* "1,250" → "1.250" and "1250": the whole number a reader of the other
 * habit meant by an ambiguous input. */
static gboolean
ambiguous_number_error (const BcField     *field,
                        const char        *input,
                        NumberConvention   convention,
                        const char        *lang,
                        GError           **error)
{
  const char *name = field_name (field, lang);
  char decimal_mark = convention == NUMBERS_ENGLISH ? '.' : ',';
  char group_mark = convention == NUMBERS_ENGLISH ? ',' : '.';
  g_autofree char *grouped = g_strdup (input);
  GString *plain = g_string_new (NULL);
  g_autofree char *plain_text = NULL;

  g_assert (convention != NUMBERS_STORED);

  for (char *p = grouped; *p != '\0'; p++)
    {
      if (*p == decimal_mark)
        *p = group_mark;
      else
        g_string_append_c (plain, *p);
    }
  plain_text = g_string_free (plain, FALSE);

  if (convention == NUMBERS_ENGLISH)
    return value_error (error, _("“%s” must be a whole number, and in English the point in “%s” marks decimals. "
                                 "To write thousands, use a comma or nothing: %s or %s."),
                        name, input, grouped, plain_text);

  return value_error (error, _("“%s” must be a whole number, and in Vietnamese the comma in “%s” marks decimals. "
                               "To write thousands, use a dot or nothing: %s or %s."),
                      name, input, grouped, plain_text);
}

static gboolean
parse_number (const BcField     *field,
              const char        *input,
              const char        *lang,
              NumberConvention   convention,
              char             **canonical,
              GError           **error)
{
  g_auto(Digits) digits = { FALSE, NULL, NULL };
  g_autofree char *text = g_strdup (input);
  const char *name = field_name (field, lang);
  NumberResult result;

  if (g_utf8_strlen (input, -1) > MAX_NUMBER_INPUT)
    return value_error (error, _("“%s” is too long to be a number."), name);

  if (field->type == BC_FIELD_PERCENTAGE && g_str_has_suffix (text, "%"))
    {
      text[strlen (text) - 1] = '\0';
      g_strchomp (text);
    }

  result = read_number (text, field->type == BC_FIELD_INTEGER, convention, &digits);
  if (result == NUMBER_AMBIGUOUS)
    return ambiguous_number_error (field, input, convention, lang, error);
  if (result == NUMBER_TOO_LARGE)
    return value_error (error, _("“%s” is too large: it must be less than a million billion."), name);
  if (result != NUMBER_OK)
    {
      switch (field->type)
        {
        case BC_FIELD_INTEGER:
          return value_error (error, _("“%s” must be a whole number, such as 1200; “%s” is not a number."),
                              name, input);
        case BC_FIELD_PERCENTAGE:
          return value_error (error, _("“%s” must be a percentage between 0 and 100, such as 25 or 25.5; “%s” is not a number."),
                              name, input);
        default:
          return value_error (error, _("“%s” must be a number, such as 12 or 12.5; “%s” is not a number."),
                              name, input);
        }
    }

  if (field->type == BC_FIELD_INTEGER && digits.fraction->len > 0)
    return value_error (error, _("“%s” must be a whole number; “%s” has a fractional part."),
                        name, input);

  /* Digits beyond what a double tells apart would let a limit compare
   * equal to a value past it, and no report needs them. */
  if (digits.fraction->len > MAX_FRACTION_DIGITS)
    return value_error (error, _("“%s” can have at most %d decimal places; round “%s” to fewer."),
                        name, MAX_FRACTION_DIGITS, input);

  /* Limits are compared on the exact digits: "100,00000000000000000001"
   * is more than 100 even though no double says so. */
  if (field->type == BC_FIELD_PERCENTAGE &&
      (compare_to_limit (&digits, 0) < 0 || compare_to_limit (&digits, 100) > 0))
    return value_error (error, _("“%s” must be between 0 and 100 percent; “%s” is not."),
                        name, input);

  if ((field->has_min && compare_to_limit (&digits, field->min) < 0) ||
      (field->has_max && compare_to_limit (&digits, field->max) > 0))
    {
      g_autofree char *min = field->has_min ? format_limit (field, field->min, lang) : NULL;
      g_autofree char *max = field->has_max ? format_limit (field, field->max, lang) : NULL;

      if (min != NULL && max != NULL)
        return value_error (error, _("“%s” must be between %s and %s."), name, min, max);
      if (min != NULL)
        return value_error (error, _("“%s” must be at least %s."), name, min);
      return value_error (error, _("“%s” must be at most %s."), name, max);
    }

  *canonical = digits_to_canonical (&digits);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Dates                                                                    */

/* Reads 1 to `max` digits; returns the position after them, or NULL. */
static const char *
read_digits (const char *p,
             guint       min,
             guint       max,
             guint      *value)
{
  guint n = 0;

  *value = 0;
  while (g_ascii_isdigit (*p) && n < max)
    {
      *value = *value * 10 + (*p++ - '0');
      n++;
    }

  if (n < min || g_ascii_isdigit (*p))
    return NULL;

  return p;
}

gboolean
_bc_parse_date (const char    *text,
                GDate         *out,
                BcDateProblem *problem)
{
  BcDateProblem dummy;
  guint day, month, year;
  const char *p;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (problem == NULL)
    problem = &dummy;
  g_date_clear (out, 1);
  *problem = BC_DATE_PROBLEM_MALFORMED;

  /* 2018-06-21 */
  p = read_digits (text, 4, 4, &year);
  if (p != NULL && *p == '-')
    {
      p = read_digits (p + 1, 1, 2, &month);
      if (p == NULL || *p != '-')
        return FALSE;
      p = read_digits (p + 1, 1, 2, &day);
      if (p == NULL || *p != '\0')
        return FALSE;
    }
  else
    {
      /* 21/6/2018, 21/06/2018, 21-6-2018 */
      char separator;

      p = read_digits (text, 1, 2, &day);
      if (p == NULL || (*p != '/' && *p != '-'))
        return FALSE;
      separator = *p;
      p = read_digits (p + 1, 1, 2, &month);
      if (p == NULL || *p != separator)
        return FALSE;
      p = read_digits (p + 1, 4, 4, &year);
      if (p == NULL || *p != '\0')
        return FALSE;
    }

  /* Four digits cannot go past 9999. */
  if (year < 1900)
    {
      *problem = BC_DATE_PROBLEM_OUT_OF_RANGE;
      return FALSE;
    }

  if (day < 1 || month < 1 || month > 12 ||
      !g_date_valid_dmy ((GDateDay)day, (GDateMonth)month, (GDateYear)year))
    {
      *problem = BC_DATE_PROBLEM_NONEXISTENT;
      return FALSE;
    }

  g_date_set_dmy (out, (GDateDay)day, (GDateMonth)month, (GDateYear)year);
  *problem = BC_DATE_PROBLEM_NONE;
  return TRUE;
}

static char *
date_to_canonical (const GDate *date)
{
  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (date),
                          g_date_get_month (date), g_date_get_day (date));
}

/* Reads a stored "YYYY-MM-DD" and nothing else. */
static gboolean
stored_date (const char *stored,
             GDate      *date)
{
  if (strlen (stored) != 10 || stored[4] != '-' || stored[7] != '-')
    return FALSE;

  return _bc_parse_date (stored, date, NULL);
}

static gboolean
parse_date_value (const char  *name,
                  const char  *input,
                  char       **canonical,
                  GError     **error)
{
  BcDateProblem problem;
  GDate date;

  if (!_bc_parse_date (input, &date, &problem))
    {
      switch (problem)
        {
        case BC_DATE_PROBLEM_OUT_OF_RANGE:
          return value_error (error, _("“%s” must be between the years 1900 and 9999; %s is not."),
                              name, input);
        case BC_DATE_PROBLEM_NONEXISTENT:
          return value_error (error, _("“%s” must be a real date; %s does not exist."), name, input);
        case BC_DATE_PROBLEM_MALFORMED:
        case BC_DATE_PROBLEM_NONE:
        default:
          return value_error (error, _("“%s” must be a date such as 21/06/2018; “%s” is not a date."),
                              name, input);
        }
    }

  *canonical = date_to_canonical (&date);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Text                                                                     */

/* Case and accent forms as people type them: "CÓ", "có" and a decomposed
 * "có" all compare equal. */
static char *
fold (const char *text)
{
  g_autofree char *normalized = g_utf8_normalize (text, -1, G_NORMALIZE_DEFAULT_COMPOSE);
  g_autofree char *folded = NULL;

  if (normalized == NULL)
    return g_strdup ("");

  folded = g_utf8_casefold (normalized, -1);
  return g_utf8_normalize (folded, -1, G_NORMALIZE_DEFAULT_COMPOSE);
}

static gboolean
is_line_break (gunichar c)
{
  return c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 || c == 0x2029;
}

/* The first character a text may not hold, or 0. Tabs are allowed and, in
 * several lines, "\n". C0 and C1 controls come in with pasted text and show
 * as nothing; U+2028 and U+2029 break lines where nobody expects a break;
 * the bidirectional overrides and isolates make a text read differently
 * from what is stored (a number or a name spoofed by reordering). */
static gunichar
find_forbidden_character (const char *text,
                          gboolean    multi_line)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\t' || (c == '\n' && multi_line))
        continue;
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
          c == 0x2028 || c == 0x2029 ||
          (c >= 0x202a && c <= 0x202e) ||
          (c >= 0x2066 && c <= 0x2069))
        return c;
    }

  return 0;
}

/* Whether valid UTF-8 is already in NFC, told by its characters alone:
 * none combines with another or decomposes (ASCII, the precomposed Latin
 * letters, Vietnamese among them, and general punctuation). Most stored
 * text is, and normalizing it again is the most of checking a long table. */
static gboolean
is_plainly_nfc (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x300 || (c >= 0x1e00 && c <= 0x1eff) || (c >= 0x2010 && c <= 0x205e))
        continue;
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_text (const BcField  *field,
            const char     *input,
            const char     *lang,
            char          **canonical,
            GError        **error)
{
  gboolean multi_line = field->type == BC_FIELD_LONG_TEXT;
  guint limit = field->max_length > 0 ? field->max_length
                : multi_line ? DEFAULT_LONG_LENGTH : DEFAULT_TEXT_LENGTH;
  const char *name = field_name (field, lang);
  g_autofree char *text = NULL;
  gunichar forbidden;
  glong length;

  /* Stored in NFC: the composed and decomposed spellings of "Sở Thông tin"
   * are one text (one group in a table's summaries, one match in a search). */
  g_autofree char *nfc = g_utf8_validate (input, -1, NULL) && is_plainly_nfc (input)
                         ? g_strdup (input)
                         : g_utf8_normalize (input, -1, G_NORMALIZE_NFC);

  if (nfc == NULL)
    return value_error (error, _("“%s” is not valid text."), name);

  if (multi_line)
    {
      g_auto(GStrv) lines = g_regex_split_simple ("\r\n|\r", nfc, 0, 0);

      text = g_strjoinv ("\n", lines);
    }
  else
    {
      text = g_steal_pointer (&nfc);
    }
  /* A line end at either end is what a paste or the Enter key leaves
   * there; only one inside the text makes it several lines. */
  g_strstrip (text);

  forbidden = find_forbidden_character (text, multi_line);
  if (forbidden != 0 && !multi_line && is_line_break (forbidden))
    return value_error (error, _("“%s” must be a single line of text."), name);
  if (forbidden != 0)
    return value_error (error, _("“%s” contains an invisible control character (U+%04X); remove it and type the text again."),
                        name, (guint)forbidden);

  length = g_utf8_strlen (text, -1);
  if (length > (glong)limit)
    return value_error (error,
                        g_dngettext (GETTEXT_PACKAGE,
                                     "“%s” can hold at most %u character; this text has %ld.",
                                     "“%s” can hold at most %u characters; this text has %ld.",
                                     limit),
                        name, limit, length);

  *canonical = g_steal_pointer (&text);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Months and ranges of months                                              */

/* One month: "10/2015", "10.2015", "2015-10" (also "10-2015"). Returns the
 * month as year * 12 + (month - 1), or -1. */
static int
parse_one_month (const char *text)
{
  g_autoptr(GRegex) regex = g_regex_new ("^(?:(\\d{1,2})[/.-](\\d{4})|(\\d{4})-(\\d{1,2}))$", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *month_text = NULL;
  g_autofree char *year_text = NULL;
  int month, year;

  if (!g_regex_match (regex, text, 0, &match))
    return -1;

  month_text = g_match_info_fetch (match, 1);
  year_text = g_match_info_fetch (match, 2);
  if (month_text == NULL || *month_text == '\0')
    {
      g_free (month_text);
      g_free (year_text);
      year_text = g_match_info_fetch (match, 3);
      month_text = g_match_info_fetch (match, 4);
    }
  month = atoi (month_text);
  year = atoi (year_text);
  if (month < 1 || month > 12 || year < 1900 || year > 9999)
    return -1;

  return year * 12 + (month - 1);
}

static char *
month_to_canonical (int months)
{
  return g_strdup_printf ("%04d-%02d", months / 12, months % 12 + 1);
}

/* "tháng 10/2015", "10–11/2015", "10/2015 – 2/2016", "2015-10/2015-11". */
static gboolean
parse_months (const BcField  *field,
              const char     *input,
              const char     *lang,
              char          **canonical,
              GError        **error)
{
  const char *name = field_name (field, lang);
  gboolean range = field->text_format == BC_TEXT_MONTH_RANGE;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *lower = g_utf8_strdown (input, -1);
  const char *p = lower;
  int first = -1, last = -1;

  /* Words people put before a month, dashes of every kind, and spaces. */
  if (g_str_has_prefix (p, "tháng"))
    p += strlen ("tháng");
  else if (g_str_has_prefix (p, "thang"))
    p += strlen ("thang");
  for (; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c))
        continue;
      if (c == 0x2013 || c == 0x2014 || c == 0x2012 || c == 0x2212)
        c = '-';
      g_string_append_unichar (text, c);
    }

  first = parse_one_month (text->str);
  if (first >= 0)
    last = first;
  else if (range)
    {
      g_autoptr(GRegex) same_year = g_regex_new ("^(\\d{1,2})-(\\d{1,2})[/.](\\d{4})$", 0, 0, NULL);
      g_autoptr(GMatchInfo) match = NULL;

      if (g_regex_match (same_year, text->str, 0, &match))
        {
          g_autofree char *m1 = g_match_info_fetch (match, 1);
          g_autofree char *m2 = g_match_info_fetch (match, 2);
          g_autofree char *year = g_match_info_fetch (match, 3);
          g_autofree char *a = g_strconcat (m1, "/", year, NULL);
          g_autofree char *b = g_strconcat (m2, "/", year, NULL);

          first = parse_one_month (a);
          last = parse_one_month (b);
        }
      else
        {
          /* Two whole months: "10/2015-2/2016" or "2015-10/2015-11". */
          const char *separator = strchr (text->str, '/') != NULL
            && g_regex_match_simple ("^\\d{4}-\\d{1,2}/\\d{4}-\\d{1,2}$", text->str, 0, 0)
            ? strchr (text->str, '/') : NULL;

          if (separator == NULL)
            {
              /* The dash between two "M/YYYY": the one after the first year. */
              g_autoptr(GRegex) two = g_regex_new ("^(\\d{1,2}[/.]\\d{4})-(\\d{1,2}[/.]\\d{4})$", 0, 0, NULL);
              g_autoptr(GMatchInfo) both = NULL;

              if (g_regex_match (two, text->str, 0, &both))
                {
                  g_autofree char *a = g_match_info_fetch (both, 1);
                  g_autofree char *b = g_match_info_fetch (both, 2);

                  first = parse_one_month (a);
                  last = parse_one_month (b);
                }
            }
          else
            {
              g_autofree char *a = g_strndup (text->str, separator - text->str);

              first = parse_one_month (a);
              last = parse_one_month (separator + 1);
            }
        }
    }

  if (first < 0 || last < 0)
    {
      if (range)
        return value_error (error, _("“%s” must be a month or a range of months, such as 10/2015 or 10–11/2015."), name);
      return value_error (error, _("“%s” must be a month, such as 10/2015."), name);
    }

  if (last < first)
    return value_error (error, _("The range of months in “%s” ends before it starts."), name);

  if (first == last)
    *canonical = month_to_canonical (first);
  else
    {
      g_autofree char *a = month_to_canonical (first);
      g_autofree char *b = month_to_canonical (last);

      *canonical = g_strconcat (a, "/", b, NULL);
    }
  return TRUE;
}

/* "2015-10" → "10/2015"; "2015-10/2015-11" → "10–11/2015";
 * "2015-10/2016-02" → "10/2015–2/2016". */
static char *
format_months (const char *stored)
{
  int first, last;
  const char *slash = strchr (stored, '/');
  g_autofree char *a = slash != NULL ? g_strndup (stored, slash - stored) : g_strdup (stored);

  first = parse_one_month (a);
  last = slash != NULL ? parse_one_month (slash + 1) : first;
  if (first < 0 || last < 0)
    return g_strdup (stored);

  if (first == last)
    return g_strdup_printf ("%d/%d", first % 12 + 1, first / 12);
  if (first / 12 == last / 12)
    return g_strdup_printf ("%d–%d/%d", first % 12 + 1, last % 12 + 1, first / 12);
  return g_strdup_printf ("%d/%d–%d/%d", first % 12 + 1, first / 12, last % 12 + 1, last / 12);
}

/* ------------------------------------------------------------------------ */
/* Choices and yes/no                                                       */

static const BcChoice *
find_choice (const BcField *field,
             const char    *value)
{
  for (guint i = 0; field->choices != NULL && i < field->choices->len; i++)
    {
      const BcChoice *choice = g_ptr_array_index (field->choices, i);

      if (g_str_equal (choice->value, value))
        return choice;
    }

  return NULL;
}

static gboolean
parse_choice (const BcField  *field,
              const char     *input,
              const char     *lang,
              char          **canonical,
              GError        **error)
{
  g_autofree char *folded = NULL;
  g_autoptr(GString) list = NULL;

  /* A stored value is a choice's own value: found without folding every
   * label (a check of a long table does this for each of its rows). */
  for (guint i = 0; field->choices != NULL && i < field->choices->len; i++)
    if (g_str_equal (input, ((const BcChoice *) g_ptr_array_index (field->choices, i))->value))
      {
        *canonical = g_strdup (input);
        return TRUE;
      }

  folded = fold (input);
  for (guint i = 0; field->choices != NULL && i < field->choices->len; i++)
    {
      const BcChoice *choice = g_ptr_array_index (field->choices, i);
      g_autofree char *value = fold (choice->value);
      g_autofree char *vi = fold (bc_text_get (&choice->label, "vi"));
      g_autofree char *en = fold (bc_text_get (&choice->label, "en"));

      if (g_str_equal (folded, value) || g_str_equal (folded, vi) || g_str_equal (folded, en))
        {
          *canonical = g_strdup (choice->value);
          return TRUE;
        }
    }

  list = g_string_new (NULL);
  for (guint i = 0; field->choices != NULL && i < field->choices->len; i++)
    {
      const BcChoice *choice = g_ptr_array_index (field->choices, i);

      if (i > 0)
        g_string_append (list, ", ");
      g_string_append_printf (list, "%s (%s)", choice->value, bc_text_get (&choice->label, lang));
    }

  return value_error (error, _("“%s” cannot be “%s”; choose one of: %s."),
                      field_name (field, lang), input, list->str);
}

static gboolean
parse_yes_no (const BcField  *field,
              const char     *input,
              const char     *lang,
              char          **canonical,
              GError        **error)
{
  static const char * const yes[] = { "yes", "có", "co", "true", "1", NULL };
  static const char * const no[] = { "no", "không", "khong", "false", "0", NULL };
  g_autofree char *folded = fold (input);

  if (g_strv_contains (yes, folded))
    *canonical = g_strdup ("yes");
  else if (g_strv_contains (no, folded))
    *canonical = g_strdup ("no");
  else
    return value_error (error, _("“%s” must be yes or no; “%s” is neither."),
                        field_name (field, lang), input);

  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Document references                                                      */

typedef struct
{
  char *number;
  char *date;    /* canonical, or NULL */
  char *title;   /* or NULL */
} DocumentRef;

static void
document_ref_clear (DocumentRef *ref)
{
  g_clear_pointer (&ref->number, g_free);
  g_clear_pointer (&ref->date, g_free);
  g_clear_pointer (&ref->title, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DocumentRef, document_ref_clear)

static JsonNode *
parse_json_object (const char *text)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  guint line, column;

  if (!g_utf8_validate (text, -1, NULL) || _bc_json_find_nul_escape (text, strlen (text)) >= 0 ||
      !_bc_json_check_depth (text, strlen (text), BC_JSON_MAX_DEPTH, &line, &column))
    return NULL;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, -1, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  return json_node_copy (root);
}

/* Takes a part of a reference: trimmed, NULL when empty. */
static char *
take_part (const char *text)
{
  char *part = g_strstrip (g_strdup (text));

  if (*part == '\0')
    g_clear_pointer (&part, g_free);

  return part;
}

/* A string member as a part; NULL when absent, null or not a string. */
static char *
take_member (JsonObject *object,
             const char *key)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING ||
      !g_utf8_validate (json_node_get_string (node), -1, NULL))
    return NULL;

  return take_part (json_node_get_string (node));
}

/* Splits the input into its parts, without checking them. */
static gboolean
read_document_ref (const BcField *field,
                   const char    *input,
                   const char    *lang,
                   DocumentRef   *ref,
                   GError       **error)
{
  if (input[0] == '{')
    {
      static const char * const keys[] = { "number", "date", "title", NULL };
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(GList) members = NULL;
      JsonObject *object;

      if (_bc_json_find_nul_escape (input, strlen (input)) >= 0)
        return value_error (error, _("“%s” must be on a single line, without control characters."),
                            field_name (field, lang));

      root = parse_json_object (input);
      if (root == NULL)
        return value_error (error, _("“%s” must be a document reference such as “140/BC-UBND | 21/06/2018 | title”; the JSON object given is not valid."),
                            field_name (field, lang));

      object = json_node_get_object (root);
      members = json_object_get_members (object);
      for (const GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *node = json_object_get_member (object, l->data);

          if (!g_strv_contains (keys, l->data))
            {
              g_autofree char *key = g_utf8_make_valid (l->data, -1);

              return value_error (error, _("“%s”: a document reference has a number, a date and a title, not “%s”."),
                                  field_name (field, lang), key);
            }
          if (JSON_NODE_HOLDS_NULL (node))
            continue;
          /* json-glib lets an unpaired "\ud800" escape through as bytes
           * that are not UTF-8. */
          if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
              !g_utf8_validate (json_node_get_string (node), -1, NULL))
            return value_error (error, _("“%s”: the “%s” of a document reference must be text."),
                                field_name (field, lang), (const char *)l->data);
        }

      ref->number = take_member (object, "number");
      ref->date = take_member (object, "date");
      ref->title = take_member (object, "title");
    }
  else
    {
      g_auto(GStrv) parts = g_strsplit (input, "|", 3);
      guint n = g_strv_length (parts);

      /* The title, last, may itself hold a "|". */
      ref->number = n > 0 ? take_part (parts[0]) : NULL;
      ref->date = n > 1 ? take_part (parts[1]) : NULL;
      ref->title = n > 2 ? take_part (parts[2]) : NULL;
    }

  return TRUE;
}

static gboolean
parse_document_ref (const BcField  *field,
                    const char     *input,
                    const char     *lang,
                    char          **canonical,
                    GError        **error)
{
  g_auto(DocumentRef) ref = { NULL, NULL, NULL };
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *name = field_name (field, lang);

  if (strlen (input) > MAX_DOCUMENT_INPUT)
    return value_error (error, _("“%s” is too long for a document reference."), name);

  if (!read_document_ref (field, input, lang, &ref, error))
    return FALSE;

  if (ref.number == NULL && ref.date == NULL && ref.title == NULL)
    return TRUE;

  if (ref.number == NULL)
    return value_error (error, _("“%s” needs the document’s number and symbol, such as 140/BC-UBND, before its date and title."),
                        name);

  if (find_forbidden_character (ref.number, FALSE) != 0 ||
      (ref.title != NULL && find_forbidden_character (ref.title, FALSE) != 0))
    return value_error (error, _("“%s” must be on a single line, without control characters."), name);

  if (g_utf8_strlen (ref.number, -1) > MAX_DOCUMENT_NUMBER ||
      (ref.title != NULL && g_utf8_strlen (ref.title, -1) > MAX_DOCUMENT_TITLE))
    return value_error (error, _("“%s” is too long for a document reference."), name);

  if (ref.date != NULL)
    {
      g_autofree char *date = NULL;

      if (!parse_date_value (name, ref.date, &date, error))
        return FALSE;
      g_free (ref.date);
      ref.date = g_steal_pointer (&date);
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "number");
  json_builder_add_string_value (builder, ref.number);
  if (ref.date != NULL)
    {
      json_builder_set_member_name (builder, "date");
      json_builder_add_string_value (builder, ref.date);
    }
  if (ref.title != NULL)
    {
      json_builder_set_member_name (builder, "title");
      json_builder_add_string_value (builder, ref.title);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  *canonical = json_generator_to_data (generator, NULL);

  return TRUE;
}

/* Reads a stored reference; FALSE when it is not one. */
static gboolean
stored_document_ref (const char  *stored,
                     DocumentRef *ref)
{
  g_autoptr(JsonNode) root = parse_json_object (stored);
  JsonObject *object;

  if (root == NULL)
    return FALSE;

  object = json_node_get_object (root);
  ref->number = take_member (object, "number");
  if (ref->number == NULL)
    return FALSE;
  ref->date = take_member (object, "date");
  ref->title = take_member (object, "title");

  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Public API                                                               */

gboolean
bc_field_parse_value (const BcField  *field,
                      const char     *input,
                      char          **canonical,
                      GError        **error)
{
  return bc_field_parse_value_lang (field, input, bc_i18n_language (), canonical, error);
}

static gboolean
parse_value (const BcField     *field,
             const char        *input,
             const char        *lang,
             NumberConvention   convention,
             char             **canonical,
             GError           **error)
{
  g_autofree char *trimmed = NULL;
  const char *name;

  g_assert (lang != NULL);

  *canonical = NULL;
  name = field_name (field, lang);

  if (!g_utf8_validate (input, -1, NULL))
    return value_error (error, _("“%s” must be text in UTF-8."), name);

  if (field->type == BC_FIELD_TABLE)
    return value_error (error, _("“%s” is a table: add rows to it and fill in their cells instead."), name);

  if (field->compute != NULL)
    return value_error (error, _("“%s” is computed and cannot be entered."), name);

  trimmed = g_strstrip (g_strdup (input));
  if (*trimmed == '\0')
    return TRUE;

  switch (field->type)
    {
    case BC_FIELD_INTEGER:
    case BC_FIELD_DECIMAL:
    case BC_FIELD_PERCENTAGE:
      return parse_number (field, trimmed, lang, convention, canonical, error);

    case BC_FIELD_TEXT:
      if (field->text_format != BC_TEXT_PLAIN)
        return parse_months (field, trimmed, lang, canonical, error);
      return parse_text (field, input, lang, canonical, error);

    case BC_FIELD_LONG_TEXT:
      return parse_text (field, input, lang, canonical, error);

    case BC_FIELD_DATE:
      return parse_date_value (name, trimmed, canonical, error);

    case BC_FIELD_CHOICE:
      return parse_choice (field, trimmed, lang, canonical, error);

    case BC_FIELD_YES_NO:
      return parse_yes_no (field, trimmed, lang, canonical, error);

    case BC_FIELD_DOCUMENT_REF:
      return parse_document_ref (field, trimmed, lang, canonical, error);

    case BC_FIELD_TABLE:
    default:
      g_return_val_if_reached (FALSE);
    }
}

gboolean
bc_field_parse_value_lang (const BcField  *field,
                           const char     *input,
                           const char     *lang,
                           char          **canonical,
                           GError        **error)
{
  g_return_val_if_fail (field != NULL, FALSE);
  g_return_val_if_fail (input != NULL, FALSE);
  g_return_val_if_fail (canonical != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (lang == NULL)
    lang = bc_i18n_language ();

  return parse_value (field, input, lang, typed_convention (lang), canonical, error);
}

gboolean
bc_field_parse_stored_lang (const BcField  *field,
                            const char     *text,
                            const char     *lang,
                            char          **canonical,
                            GError        **error)
{
  g_return_val_if_fail (field != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (canonical != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (lang == NULL)
    lang = bc_i18n_language ();

  return parse_value (field, text, lang, NUMBERS_STORED, canonical, error);
}

/* A stored number: the whole text must be one finite number. */
static gboolean
stored_number (const char *stored,
               double     *value)
{
  char *end = NULL;

  if (*stored == '\0' || g_ascii_isspace (*stored))
    return FALSE;

  *value = g_ascii_strtod (stored, &end);
  return end != NULL && *end == '\0' && isfinite (*value);
}

void
bc_field_stored_to_value (const BcField *field,
                          const char    *stored,
                          BcValue       *out)
{
  DocumentRef ref = { NULL, NULL, NULL };
  double number;
  GDate date;

  g_return_if_fail (field != NULL);
  g_return_if_fail (out != NULL);

  bc_value_set_blank (out);
  if (stored == NULL)
    return;

  switch (field->type)
    {
    case BC_FIELD_INTEGER:
    case BC_FIELD_DECIMAL:
    case BC_FIELD_PERCENTAGE:
      if (stored_number (stored, &number))
        bc_value_set_number (out, number);
      break;

    case BC_FIELD_TEXT:
    case BC_FIELD_LONG_TEXT:
      bc_value_set_text (out, stored);
      break;

    case BC_FIELD_CHOICE:
      if (find_choice (field, stored) != NULL)
        bc_value_set_text (out, stored);
      break;

    case BC_FIELD_DATE:
      if (stored_date (stored, &date))
        bc_value_set_date (out, g_date_get_julian (&date));
      break;

    case BC_FIELD_YES_NO:
      if (g_str_equal (stored, "yes"))
        bc_value_set_boolean (out, TRUE);
      else if (g_str_equal (stored, "no"))
        bc_value_set_boolean (out, FALSE);
      break;

    case BC_FIELD_DOCUMENT_REF:
      if (stored_document_ref (stored, &ref))
        bc_value_take_text (out, g_steal_pointer (&ref.number));
      document_ref_clear (&ref);
      break;

    case BC_FIELD_TABLE:
    default:
      break;
    }
}

static char *
format_date (const char *stored)
{
  GDate date;

  if (!stored_date (stored, &date))
    return g_strdup (stored);

  return g_strdup_printf ("%02u/%02u/%04u", g_date_get_day (&date),
                          g_date_get_month (&date), g_date_get_year (&date));
}

char *
bc_field_format_value (const BcField *field,
                       const char    *stored,
                       const char    *lang)
{
  gboolean english;

  g_return_val_if_fail (field != NULL, NULL);

  if (stored == NULL)
    return g_strdup ("");

  if (lang == NULL)
    lang = bc_i18n_language ();
  english = g_str_equal (lang, "en");

  switch (field->type)
    {
    case BC_FIELD_INTEGER:
    case BC_FIELD_DECIMAL:
      return localize_number (stored, lang);

    case BC_FIELD_PERCENTAGE:
      {
        g_autofree char *number = localize_number (stored, lang);

        return g_strconcat (number, "%", NULL);
      }

    case BC_FIELD_DATE:
      return format_date (stored);

    case BC_FIELD_YES_NO:
      if (g_str_equal (stored, "yes"))
        return g_strdup (english ? "Yes" : "Có");
      if (g_str_equal (stored, "no"))
        return g_strdup (english ? "No" : "Không");
      return g_strdup (stored);

    case BC_FIELD_CHOICE:
      {
        const BcChoice *choice = find_choice (field, stored);

        return g_strdup (choice != NULL ? bc_text_get (&choice->label, lang) : stored);
      }

    case BC_FIELD_DOCUMENT_REF:
      {
        g_auto(DocumentRef) ref = { NULL, NULL, NULL };
        GString *out;

        if (!stored_document_ref (stored, &ref))
          return g_strdup (stored);

        /* The layout of a Vietnamese administrative citation:
         * "140/BC-UBND ngày 21/06/2018: title". */
        out = g_string_new (ref.number);
        if (ref.date != NULL)
          {
            g_autofree char *date = format_date (ref.date);

            g_string_append_printf (out, english ? " of %s" : " ngày %s", date);
          }
        if (ref.title != NULL)
          g_string_append_printf (out, ": %s", ref.title);

        return g_string_free (out, FALSE);
      }

    case BC_FIELD_TEXT:
      if (field->text_format != BC_TEXT_PLAIN)
        return format_months (stored);
      return g_strdup (stored);

    case BC_FIELD_LONG_TEXT:
    case BC_FIELD_TABLE:
    default:
      return g_strdup (stored);
    }
}
