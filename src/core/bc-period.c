/* bc-period.c: periods and their arithmetic (due dates are a plan's: bc-plan.c).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-period"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "bc-period.h"

#define MIN_YEAR 1900
#define MAX_YEAR 9999

/* The cut-off day: a window starts on the 15th and ends on the 14th. */
#define WINDOW_START_DAY 15
#define WINDOW_END_DAY   14
/* Until this day of a period's last month the period that just closed is
 * the one being written (bc_period_to_report()). */
#define STILL_WRITING_DAY 19

G_DEFINE_QUARK (bc-period-error-quark, bc_period_error)

static const char * const roman_quarters[] = { NULL, "I", "II", "III", "IV" };

static gboolean
period_is_valid (const BcPeriod *period)
{
  if (period == NULL || period->year < MIN_YEAR || period->year > MAX_YEAR)
    return FALSE;

  switch (period->type)
    {
    case BC_PERIOD_QUARTER:
      return period->quarter >= 1 && period->quarter <= 4;
    case BC_PERIOD_YEAR:
      return period->quarter == 0;
    case BC_PERIOD_ONE_OFF:
      return period->quarter == 0 && period->month >= 1 && period->month <= 12 &&
             period->day >= 1 && period->day <= 31 &&
             g_date_valid_dmy ((GDateDay) period->day, (GDateMonth) period->month,
                               (GDateYear) period->year);
    default:
      return FALSE;
    }
}

static void
set_one_off (BcPeriod    *out,
             const GDate *date)
{
  out->type = BC_PERIOD_ONE_OFF;
  out->year = g_date_get_year (date);
  out->quarter = 0;
  out->month = g_date_get_month (date);
  out->day = g_date_get_day (date);
}

/* "2016-10-05": a one-off period. FALSE unless the text has that shape. */
static gboolean
parse_one_off (const char *id,
               int         year,
               BcPeriod   *out)
{
  const char *p = id + 4;
  int month, day;

  if (p[0] != '-' || !g_ascii_isdigit (p[1]) || !g_ascii_isdigit (p[2]) || p[3] != '-' ||
      !g_ascii_isdigit (p[4]) || !g_ascii_isdigit (p[5]) || p[6] != '\0')
    return FALSE;

  month = (p[1] - '0') * 10 + (p[2] - '0');
  day = (p[4] - '0') * 10 + (p[5] - '0');
  out->type = BC_PERIOD_ONE_OFF;
  out->year = year;
  out->quarter = 0;
  out->month = month;
  out->day = day;

  return period_is_valid (out);
}

static void
set_invalid_error (GError     **error,
                   const char  *id)
{
  g_autofree char *shown = NULL;

  if (*id == '\0')
    {
      g_set_error_literal (error, BC_PERIOD_ERROR, BC_PERIOD_ERROR_INVALID,
                           _("The period is empty. Use a period such as 2018Q2 for a quarter or 2018 for a year."));
      return;
    }

  /* The id may come from a file or a command line: never echo invalid UTF-8. */
  shown = g_utf8_make_valid (id, -1);
  g_set_error (error, BC_PERIOD_ERROR, BC_PERIOD_ERROR_INVALID,
               _("“%s” is not a valid period. Use a period such as 2018Q2 for a quarter or 2018 for a year."),
               shown);
}

gboolean
bc_period_parse (const char  *id,
                 BcPeriod    *out,
                 GError     **error)
{
  const char *p;
  int year = 0;
  int quarter = 0;
  guint i;

  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Exactly four ASCII digits: "18Q2" and "02018" are mistakes, not years. */
  for (i = 0; i < 4; i++)
    {
      if (!g_ascii_isdigit (id[i]))
        {
          set_invalid_error (error, id);
          return FALSE;
        }
      year = year * 10 + (id[i] - '0');
    }
  p = id + 4;

  /* A date: a one-off period. */
  if (p[0] == '-' && g_ascii_isdigit (p[1]))
    {
      if (year >= MIN_YEAR && parse_one_off (id, year, out))
        return TRUE;
      set_invalid_error (error, id);
      return FALSE;
    }

  if (*p != '\0')
    {
      if (*p == '-')
        p++;
      if (*p != 'Q' && *p != 'q')
        {
          set_invalid_error (error, id);
          return FALSE;
        }
      p++;
      if (*p < '1' || *p > '4' || p[1] != '\0')
        {
          set_invalid_error (error, id);
          return FALSE;
        }
      quarter = *p - '0';
    }

  if (year < MIN_YEAR)
    {
      g_set_error (error, BC_PERIOD_ERROR, BC_PERIOD_ERROR_INVALID,
                   _("“%s” is not a valid period: the year must be between 1900 and 9999. Use a period such as 2018Q2 for a quarter or 2018 for a year."),
                   id);
      return FALSE;
    }

  out->type = quarter == 0 ? BC_PERIOD_YEAR : BC_PERIOD_QUARTER;
  out->year = year;
  out->quarter = quarter;
  out->month = 0;
  out->day = 0;

  return TRUE;
}

char *
bc_period_to_id (const BcPeriod *period)
{
  g_return_val_if_fail (period_is_valid (period), NULL);

  if (period->type == BC_PERIOD_YEAR)
    return g_strdup_printf ("%d", period->year);

  if (period->type == BC_PERIOD_ONE_OFF)
    return g_strdup_printf ("%04d-%02d-%02d", period->year, period->month, period->day);

  return g_strdup_printf ("%dQ%d", period->year, period->quarter);
}

char *
bc_period_label (const BcPeriod *period,
                 const char     *lang)
{
  gboolean vi;

  g_return_val_if_fail (period_is_valid (period), NULL);

  /* Labels follow the language of the form, not the UI catalogue, so that a
   * Vietnamese document reads "Quý II/2018" whatever the user's locale. */
  vi = lang != NULL && g_str_equal (lang, "vi");

  if (period->type == BC_PERIOD_YEAR)
    return g_strdup_printf (vi ? "Năm %d" : "Year %d", period->year);

  if (period->type == BC_PERIOD_ONE_OFF)
    return g_strdup_printf (vi ? "Đột xuất %02d/%02d/%d" : "One-off %02d/%02d/%d",
                            period->day, period->month, period->year);

  return g_strdup_printf (vi ? "Quý %s/%d" : "Quarter %s/%d",
                          roman_quarters[period->quarter], period->year);
}

gboolean
bc_period_equal (const BcPeriod *a,
                 const BcPeriod *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  return a->type == b->type && a->year == b->year && a->quarter == b->quarter &&
         (a->type != BC_PERIOD_ONE_OFF || (a->month == b->month && a->day == b->day));
}

int
bc_period_compare (const BcPeriod *a,
                   const BcPeriod *b)
{
  GDate a_start, a_end, b_start, b_end;
  int cmp;

  g_return_val_if_fail (period_is_valid (a), 0);
  g_return_val_if_fail (period_is_valid (b), 0);

  bc_period_window (a, &a_start, &a_end);
  bc_period_window (b, &b_start, &b_end);

  /* A year starts on the same day as its first quarter: the shorter window
   * (the quarter) comes first, so the order is total and stable. */
  cmp = g_date_compare (&a_start, &b_start);
  if (cmp == 0)
    cmp = g_date_compare (&a_end, &b_end);
  if (cmp == 0)
    cmp = (int) a->type - (int) b->type;

  return cmp < 0 ? -1 : cmp > 0 ? 1 : 0;
}

/* At either end of the supported years the period stays where it is rather
 * than producing one that bc_period_parse() would refuse. */
void
bc_period_previous (const BcPeriod *period,
                    BcPeriod       *out)
{
  BcPeriod result;

  g_return_if_fail (period_is_valid (period));
  g_return_if_fail (out != NULL);

  result = *period;
  if (result.type == BC_PERIOD_ONE_OFF)
    {
      GDate date;

      g_date_clear (&date, 1);
      g_date_set_dmy (&date, (GDateDay) result.day, (GDateMonth) result.month, (GDateYear) result.year);
      if (result.year > MIN_YEAR || result.month > 1 || result.day > 1)
        g_date_subtract_days (&date, 1);
      set_one_off (&result, &date);
    }
  else if (result.type == BC_PERIOD_YEAR)
    {
      if (result.year > MIN_YEAR)
        result.year--;
    }
  else if (result.quarter > 1)
    result.quarter--;
  else if (result.year > MIN_YEAR)
    {
      result.year--;
      result.quarter = 4;
    }

  *out = result;
}

void
bc_period_next (const BcPeriod *period,
                BcPeriod       *out)
{
  BcPeriod result;

  g_return_if_fail (period_is_valid (period));
  g_return_if_fail (out != NULL);

  result = *period;
  if (result.type == BC_PERIOD_ONE_OFF)
    {
      GDate date;

      g_date_clear (&date, 1);
      g_date_set_dmy (&date, (GDateDay) result.day, (GDateMonth) result.month, (GDateYear) result.year);
      if (result.year < MAX_YEAR || result.month < 12 || result.day < 31)
        g_date_add_days (&date, 1);
      set_one_off (&result, &date);
    }
  else if (result.type == BC_PERIOD_YEAR)
    {
      if (result.year < MAX_YEAR)
        result.year++;
    }
  else if (result.quarter < 4)
    result.quarter++;
  else if (result.year < MAX_YEAR)
    {
      result.year++;
      result.quarter = 1;
    }

  *out = result;
}

void
bc_period_window (const BcPeriod *period,
                  GDate          *start,
                  GDate          *end)
{
  int last_month;

  g_return_if_fail (period_is_valid (period));
  g_return_if_fail (start != NULL);
  g_return_if_fail (end != NULL);

  last_month = period->type == BC_PERIOD_YEAR ? 12 : period->quarter * 3;

  g_date_clear (start, 1);
  g_date_clear (end, 1);

  /* A one-off report answers one letter: its data and its due date are its
   * day. */
  if (period->type == BC_PERIOD_ONE_OFF)
    {
      g_date_set_dmy (start, (GDateDay) period->day, (GDateMonth) period->month,
                      (GDateYear) period->year);
      *end = *start;
      return;
    }

  /* The window opens on the 15th of the month before the period's first
   * month, which for Q1 and for a year is December of the previous year. */
  if (period->type == BC_PERIOD_YEAR || period->quarter == 1)
    g_date_set_dmy (start, WINDOW_START_DAY, G_DATE_DECEMBER, period->year - 1);
  else
    g_date_set_dmy (start, WINDOW_START_DAY, (GDateMonth) (last_month - 3), period->year);

  g_date_set_dmy (end, WINDOW_END_DAY, (GDateMonth) last_month, period->year);
}

/* The last day on which the period that just closed is still the one
 * being written: the 19th of its last month, a one-off period's own day. */
static void
still_writing_until (const BcPeriod *period,
                     GDate          *day)
{
  int last_month = period->type == BC_PERIOD_YEAR ? 12 : period->quarter * 3;

  g_date_clear (day, 1);
  if (period->type == BC_PERIOD_ONE_OFF)
    g_date_set_dmy (day, (GDateDay) period->day, (GDateMonth) period->month,
                    (GDateYear) period->year);
  else
    g_date_set_dmy (day, STILL_WRITING_DAY, (GDateMonth) last_month, period->year);
}

/* A date before the first supported window or after the last one gives the
 * first or last period: a wrong system clock must not crash the calendar. */
void
bc_period_for_date (BcPeriodType  type,
                    const GDate  *date,
                    BcPeriod     *out)
{
  int year, month, day, quarter;

  g_return_if_fail (type == BC_PERIOD_QUARTER || type == BC_PERIOD_YEAR ||
                    type == BC_PERIOD_ONE_OFF);
  g_return_if_fail (date != NULL && g_date_valid (date));
  g_return_if_fail (out != NULL);

  out->month = 0;
  out->day = 0;
  if (type == BC_PERIOD_ONE_OFF)
    {
      GDate clamped = *date;

      if (g_date_get_year (&clamped) < MIN_YEAR)
        g_date_set_dmy (&clamped, 1, G_DATE_JANUARY, MIN_YEAR);
      set_one_off (out, &clamped);
      return;
    }

  year = g_date_get_year (date);
  month = g_date_get_month (date);
  day = g_date_get_day (date);

  /* From the 15th of a quarter's last month, the date belongs to the next
   * quarter's window; from 15 December, to the next year's Q1. */
  quarter = (month - 1) / 3 + 1;
  if (month % 3 == 0 && day >= WINDOW_START_DAY)
    quarter++;
  if (quarter == 5)
    {
      quarter = 1;
      year++;
    }

  if (year < MIN_YEAR)
    {
      year = MIN_YEAR;
      quarter = 1;
    }
  else if (year > MAX_YEAR)
    {
      year = MAX_YEAR;
      quarter = 4;
    }

  out->type = type;
  out->year = year;
  out->quarter = type == BC_PERIOD_QUARTER ? quarter : 0;
}

void
bc_period_to_report (BcPeriodType  type,
                     const GDate  *today,
                     BcPeriod     *out)
{
  BcPeriod previous;
  GDate until;

  g_return_if_fail (type == BC_PERIOD_QUARTER || type == BC_PERIOD_YEAR ||
                    type == BC_PERIOD_ONE_OFF);
  g_return_if_fail (today != NULL && g_date_valid (today));
  g_return_if_fail (out != NULL);

  /* A one-off report is due on a day of its own: today until said otherwise. */
  if (type == BC_PERIOD_ONE_OFF)
    {
      bc_period_for_date (type, today, out);
      return;
    }

  /* From the 15th to the 19th of a quarter's last month the data window is
   * already the next quarter's, but the quarter that just closed is still
   * being written: that is the report an officer sits down to write. */
  bc_period_for_date (type, today, out);
  bc_period_previous (out, &previous);
  if (bc_period_equal (&previous, out))
    return;

  still_writing_until (&previous, &until);
  if (g_date_compare (today, &until) <= 0)
    *out = previous;
}

const char *
bc_timeliness_to_string (BcTimeliness timeliness)
{
  switch (timeliness)
    {
    case BC_TIMELINESS_OPEN:
      return "open";
    case BC_TIMELINESS_DUE:
      return "due";
    case BC_TIMELINESS_LATE:
      return "late";
    case BC_TIMELINESS_ON_TIME:
      return "on-time";
    case BC_TIMELINESS_SUBMITTED_LATE:
      return "submitted-late";
    case BC_TIMELINESS_NO_DUE_DATE:
      return "no-due-date";
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
bc_timeliness_label (BcTimeliness timeliness)
{
  switch (timeliness)
    {
    case BC_TIMELINESS_OPEN:
      /* TRANSLATORS: a report that is not due yet */
      return _("Not due yet");
    case BC_TIMELINESS_DUE:
      /* TRANSLATORS: a report due within the next 7 days */
      return _("Due soon");
    case BC_TIMELINESS_LATE:
      /* TRANSLATORS: a report not submitted and past its due date */
      return _("Overdue");
    case BC_TIMELINESS_ON_TIME:
      return _("Submitted on time");
    case BC_TIMELINESS_SUBMITTED_LATE:
      return _("Submitted late");
    case BC_TIMELINESS_NO_DUE_DATE:
      /* TRANSLATORS: no plan in force sets a due date for this report */
      return _("No due date set");
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
bc_period_type_to_string (BcPeriodType type)
{
  switch (type)
    {
    case BC_PERIOD_QUARTER:
      return "quarter";
    case BC_PERIOD_YEAR:
      return "year";
    case BC_PERIOD_ONE_OFF:
      return "one_off";
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
bc_period_type_from_string (const char   *string,
                            BcPeriodType *out)
{
  g_return_val_if_fail (string != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (g_str_equal (string, "quarter"))
    *out = BC_PERIOD_QUARTER;
  else if (g_str_equal (string, "year"))
    *out = BC_PERIOD_YEAR;
  else if (g_str_equal (string, "one_off"))
    *out = BC_PERIOD_ONE_OFF;
  else
    return FALSE;

  return TRUE;
}
