/* test-period.c: tests of periods and their arithmetic (due dates: test-plan.c).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-period"

#include "config.h"

#include <locale.h>
#include <string.h>

#include "bc-period.h"

static BcPeriod
quarter (int year,
         int q)
{
  BcPeriod p = { BC_PERIOD_QUARTER, year, q };

  return p;
}

static BcPeriod
year_period (int year)
{
  BcPeriod p = { BC_PERIOD_YEAR, year, 0 };

  return p;
}

static GDate *
date_new (int day,
          int month,
          int year)
{
  return g_date_new_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year);
}

static void
assert_date (const GDate *date,
             int          day,
             int          month,
             int          year)
{
  g_assert_true (g_date_valid (date));
  g_assert_cmpint (g_date_get_day (date), ==, day);
  g_assert_cmpint (g_date_get_month (date), ==, month);
  g_assert_cmpint (g_date_get_year (date), ==, year);
}

static void
assert_period (const BcPeriod *p,
               BcPeriodType    type,
               int             year,
               int             q)
{
  g_assert_cmpint (p->type, ==, type);
  g_assert_cmpint (p->year, ==, year);
  g_assert_cmpint (p->quarter, ==, q);
}

static void
test_parse_valid (void)
{
  struct { const char *id; BcPeriodType type; int year; int quarter; } cases[] = {
    { "2018Q2", BC_PERIOD_QUARTER, 2018, 2 },
    { "2018q2", BC_PERIOD_QUARTER, 2018, 2 },
    { "2018-Q2", BC_PERIOD_QUARTER, 2018, 2 },
    { "2018-q4", BC_PERIOD_QUARTER, 2018, 4 },
    { "2019Q1", BC_PERIOD_QUARTER, 2019, 1 },
    { "2018", BC_PERIOD_YEAR, 2018, 0 },
    { "1900", BC_PERIOD_YEAR, 1900, 0 },
    { "1900Q1", BC_PERIOD_QUARTER, 1900, 1 },
    { "9999Q4", BC_PERIOD_QUARTER, 9999, 4 },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      BcPeriod p = { BC_PERIOD_YEAR, 0, 0 };

      g_test_message ("parsing %s", cases[i].id);
      g_assert_true (bc_period_parse (cases[i].id, &p, &error));
      g_assert_no_error (error);
      assert_period (&p, cases[i].type, cases[i].year, cases[i].quarter);
    }
}

static void
test_parse_invalid (void)
{
  const char *bad[] = {
    "", "2018Q5", "2018Q0", "18Q2", "2018Q2x", "2018Q", "2018-", "2018-2",
    "2018Q22", "1899", "1899Q4", "0000", "99999", "10000Q1", " 2018Q2",
    "2018Q2 ", "Q2/2018", "2018 Q2", "2018--Q2", "20I8", "abcd", "2018\xff",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      BcPeriod p = { BC_PERIOD_QUARTER, 2000, 3 };

      g_test_message ("rejecting “%s”", bad[i]);
      g_assert_false (bc_period_parse (bad[i], &p, &error));
      g_assert_error (error, BC_PERIOD_ERROR, BC_PERIOD_ERROR_INVALID);
      /* The message tells the user what a valid id looks like. */
      g_assert_nonnull (strstr (error->message, "2018Q2"));
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      /* A refused id leaves the output alone. */
      assert_period (&p, BC_PERIOD_QUARTER, 2000, 3);
    }
}

static void
test_parse_error_message (void)
{
  g_autoptr(GError) error = NULL;
  BcPeriod p;

  g_assert_false (bc_period_parse ("2018Q5", &p, &error));
  g_assert_cmpstr (error->message, ==,
                   "“2018Q5” is not a valid period. Use a period such as 2018Q2 for a quarter or 2018 for a year.");
  g_clear_error (&error);

  g_assert_false (bc_period_parse ("", &p, &error));
  g_assert_cmpstr (error->message, ==,
                   "The period is empty. Use a period such as 2018Q2 for a quarter or 2018 for a year.");
  g_clear_error (&error);

  g_assert_false (bc_period_parse ("1899Q4", &p, &error));
  g_assert_nonnull (strstr (error->message, "between 1900 and 9999"));
}

static void
test_to_id (void)
{
  struct { BcPeriod p; const char *id; } cases[] = {
    { { BC_PERIOD_QUARTER, 2018, 2 }, "2018Q2" },
    { { BC_PERIOD_QUARTER, 1900, 1 }, "1900Q1" },
    { { BC_PERIOD_QUARTER, 9999, 4 }, "9999Q4" },
    { { BC_PERIOD_YEAR, 2018, 0 }, "2018" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *id = bc_period_to_id (&cases[i].p);
      BcPeriod back;

      g_assert_cmpstr (id, ==, cases[i].id);
      /* The id parses back to the same period. */
      g_assert_true (bc_period_parse (id, &back, NULL));
      g_assert_true (bc_period_equal (&back, &cases[i].p));
    }
}

static void
test_label (void)
{
  struct { BcPeriod p; const char *vi; const char *en; } cases[] = {
    { { BC_PERIOD_QUARTER, 2018, 1 }, "Quý I/2018", "Quarter I/2018" },
    { { BC_PERIOD_QUARTER, 2018, 2 }, "Quý II/2018", "Quarter II/2018" },
    { { BC_PERIOD_QUARTER, 2018, 3 }, "Quý III/2018", "Quarter III/2018" },
    { { BC_PERIOD_QUARTER, 2018, 4 }, "Quý IV/2018", "Quarter IV/2018" },
    { { BC_PERIOD_YEAR, 2019, 0 }, "Năm 2019", "Year 2019" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *vi = bc_period_label (&cases[i].p, "vi");
      g_autofree char *en = bc_period_label (&cases[i].p, "en");
      g_autofree char *other = bc_period_label (&cases[i].p, "fr");
      g_autofree char *none = bc_period_label (&cases[i].p, NULL);

      g_assert_cmpstr (vi, ==, cases[i].vi);
      g_assert_cmpstr (en, ==, cases[i].en);
      /* Any language but Vietnamese gets English. */
      g_assert_cmpstr (other, ==, cases[i].en);
      g_assert_cmpstr (none, ==, cases[i].en);
    }
}

static void
test_equal (void)
{
  BcPeriod a = quarter (2018, 2);
  BcPeriod b = quarter (2018, 2);
  BcPeriod c = quarter (2018, 3);
  BcPeriod d = quarter (2019, 2);
  BcPeriod y = year_period (2018);
  BcPeriod y2 = year_period (2018);

  g_assert_true (bc_period_equal (&a, &b));
  g_assert_false (bc_period_equal (&a, &c));
  g_assert_false (bc_period_equal (&a, &d));
  g_assert_false (bc_period_equal (&a, &y));
  g_assert_true (bc_period_equal (&y, &y2));
}

static void
test_compare (void)
{
  /* In chronological order of their windows' start, then end. */
  BcPeriod ordered[] = {
    quarter (2017, 3),
    quarter (2017, 4),
    quarter (2018, 1),
    year_period (2018),
    quarter (2018, 2),
    quarter (2018, 3),
    quarter (2018, 4),
    quarter (2019, 1),
    year_period (2019),
  };
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (ordered); i++)
    for (j = 0; j < G_N_ELEMENTS (ordered); j++)
      {
        int expected = i < j ? -1 : i > j ? 1 : 0;

        g_assert_cmpint (bc_period_compare (&ordered[i], &ordered[j]), ==, expected);
      }
}

static void
test_previous_next (void)
{
  struct { BcPeriod p; BcPeriod prev; BcPeriod next; } cases[] = {
    { quarter (2018, 2), quarter (2018, 1), quarter (2018, 3) },
    { quarter (2018, 1), quarter (2017, 4), quarter (2018, 2) },
    { quarter (2018, 4), quarter (2018, 3), quarter (2019, 1) },
    { year_period (2018), year_period (2017), year_period (2019) },
    /* The ends of the supported range stay put. */
    { quarter (1900, 1), quarter (1900, 1), quarter (1900, 2) },
    { quarter (9999, 4), quarter (9999, 3), quarter (9999, 4) },
    { year_period (1900), year_period (1900), year_period (1901) },
    { year_period (9999), year_period (9998), year_period (9999) },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      BcPeriod prev, next;

      bc_period_previous (&cases[i].p, &prev);
      bc_period_next (&cases[i].p, &next);
      g_assert_true (bc_period_equal (&prev, &cases[i].prev));
      g_assert_true (bc_period_equal (&next, &cases[i].next));
    }
}

static void
test_previous_next_in_place (void)
{
  BcPeriod p = quarter (2018, 1);

  /* The output may be the input itself. */
  bc_period_previous (&p, &p);
  assert_period (&p, BC_PERIOD_QUARTER, 2017, 4);
  bc_period_next (&p, &p);
  bc_period_next (&p, &p);
  assert_period (&p, BC_PERIOD_QUARTER, 2018, 2);
}

static void
test_window (void)
{
  struct { BcPeriod p; int sd, sm, sy, ed, em, ey; } cases[] = {
    /* Q1 starts in December of the previous year. */
    { quarter (2018, 1), 15, 12, 2017, 14, 3, 2018 },
    { quarter (2018, 2), 15, 3, 2018, 14, 6, 2018 },
    { quarter (2018, 3), 15, 6, 2018, 14, 9, 2018 },
    { quarter (2018, 4), 15, 9, 2018, 14, 12, 2018 },
    { quarter (2020, 1), 15, 12, 2019, 14, 3, 2020 },
    { year_period (2018), 15, 12, 2017, 14, 12, 2018 },
    { quarter (1900, 1), 15, 12, 1899, 14, 3, 1900 },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GDate start, end;

      bc_period_window (&cases[i].p, &start, &end);
      assert_date (&start, cases[i].sd, cases[i].sm, cases[i].sy);
      assert_date (&end, cases[i].ed, cases[i].em, cases[i].ey);
    }
}

static void
test_windows_tile (void)
{
  BcPeriod p = quarter (2016, 1);
  guint i;

  /* Consecutive windows meet without a gap or an overlap. */
  for (i = 0; i < 16; i++)
    {
      BcPeriod next;
      GDate start, end, next_start, next_end;

      bc_period_next (&p, &next);
      bc_period_window (&p, &start, &end);
      bc_period_window (&next, &next_start, &next_end);
      g_date_add_days (&end, 1);
      g_assert_cmpint (g_date_compare (&end, &next_start), ==, 0);
      p = next;
    }
}

static void
test_for_date (void)
{
  struct { int d, m, y; int year; int q; int year_of_year; } cases[] = {
    { 22, 11, 2026, 2026, 4, 2026 },
    { 15, 12, 2026, 2027, 1, 2027 },
    { 14, 12, 2026, 2026, 4, 2026 },
    { 31, 12, 2026, 2027, 1, 2027 },
    { 1, 1, 2027, 2027, 1, 2027 },
    { 14, 3, 2018, 2018, 1, 2018 },
    { 15, 3, 2018, 2018, 2, 2018 },
    { 14, 6, 2018, 2018, 2, 2018 },
    { 15, 6, 2018, 2018, 3, 2018 },
    { 21, 6, 2018, 2018, 3, 2018 },
    { 7, 8, 2018, 2018, 3, 2018 },
    { 14, 9, 2018, 2018, 3, 2018 },
    { 15, 9, 2018, 2018, 4, 2018 },
    { 29, 2, 2020, 2020, 1, 2020 },
    { 30, 4, 2018, 2018, 2, 2018 },
    /* Outside the supported years: the nearest period, not a crash. */
    { 1, 1, 1850, 1900, 1, 1900 },
    { 20, 12, 9999, 9999, 4, 9999 },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GDate) date = date_new (cases[i].d, cases[i].m, cases[i].y);
      BcPeriod p;

      bc_period_for_date (BC_PERIOD_QUARTER, date, &p);
      assert_period (&p, BC_PERIOD_QUARTER, cases[i].year, cases[i].q);
      bc_period_for_date (BC_PERIOD_YEAR, date, &p);
      assert_period (&p, BC_PERIOD_YEAR, cases[i].year_of_year, 0);
    }
}

static void
test_for_date_window_edges (void)
{
  BcPeriod p = quarter (2017, 1);
  guint i;

  /* Every window's first and last day map back to that period. */
  for (i = 0; i < 12; i++)
    {
      GDate start, end, before, after;
      BcPeriod got;

      bc_period_window (&p, &start, &end);
      bc_period_for_date (BC_PERIOD_QUARTER, &start, &got);
      g_assert_true (bc_period_equal (&got, &p));
      bc_period_for_date (BC_PERIOD_QUARTER, &end, &got);
      g_assert_true (bc_period_equal (&got, &p));

      before = start;
      g_date_subtract_days (&before, 1);
      bc_period_for_date (BC_PERIOD_QUARTER, &before, &got);
      g_assert_cmpint (bc_period_compare (&got, &p), <, 0);

      after = end;
      g_date_add_days (&after, 1);
      bc_period_for_date (BC_PERIOD_QUARTER, &after, &got);
      g_assert_cmpint (bc_period_compare (&got, &p), >, 0);

      bc_period_next (&p, &p);
    }
}

static void
test_timeliness_strings (void)
{
  struct { BcTimeliness t; const char *id; const char *label; } cases[] = {
    { BC_TIMELINESS_OPEN, "open", "Not due yet" },
    { BC_TIMELINESS_DUE, "due", "Due soon" },
    { BC_TIMELINESS_LATE, "late", "Overdue" },
    { BC_TIMELINESS_ON_TIME, "on-time", "Submitted on time" },
    { BC_TIMELINESS_SUBMITTED_LATE, "submitted-late", "Submitted late" },
    { BC_TIMELINESS_NO_DUE_DATE, "no-due-date", "No due date set" },
  };
  guint i;

  /* The test runs untranslated (LC_ALL is empty and only C is installed). */
  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_cmpstr (bc_timeliness_to_string (cases[i].t), ==, cases[i].id);
      g_assert_cmpstr (bc_timeliness_label (cases[i].t), ==, cases[i].label);
    }
}

static void
test_period_type_strings (void)
{
  BcPeriodType type = BC_PERIOD_YEAR;

  g_assert_cmpstr (bc_period_type_to_string (BC_PERIOD_QUARTER), ==, "quarter");
  g_assert_cmpstr (bc_period_type_to_string (BC_PERIOD_YEAR), ==, "year");

  g_assert_true (bc_period_type_from_string ("quarter", &type));
  g_assert_cmpint (type, ==, BC_PERIOD_QUARTER);
  g_assert_true (bc_period_type_from_string ("year", &type));
  g_assert_cmpint (type, ==, BC_PERIOD_YEAR);

  type = BC_PERIOD_QUARTER;
  g_assert_false (bc_period_type_from_string ("Quarter", &type));
  g_assert_false (bc_period_type_from_string ("month", &type));
  g_assert_false (bc_period_type_from_string ("", &type));
  g_assert_cmpint (type, ==, BC_PERIOD_QUARTER);
}

static void
test_invalid_period_struct (void)
{
  if (g_test_subprocess ())
    {
      BcPeriod bad = { BC_PERIOD_QUARTER, 2018, 5 };
      g_autofree char *id = bc_period_to_id (&bad);

      g_assert_null (id);
      return;
    }

  /* A programming error is reported as a critical, not a wrong answer. */
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*period_is_valid*");
}

static void
check_to_report (BcPeriodType  type,
                 int           year,
                 int           month,
                 int           day,
                 const char   *expected)
{
  g_autofree char *id = NULL;
  BcPeriod period;
  GDate today;

  g_date_clear (&today, 1);
  g_date_set_dmy (&today, day, month, year);
  bc_period_to_report (type, &today, &period);
  id = bc_period_to_id (&period);
  g_test_message ("%04d-%02d-%02d → %s", year, month, day, id);
  g_assert_cmpstr (id, ==, expected);
}

static void
test_to_report (void)
{
  /* Inside a quarter's window: that quarter. */
  check_to_report (BC_PERIOD_QUARTER, 2026, 11, 22, "2026Q4");
  check_to_report (BC_PERIOD_QUARTER, 2026, 12, 14, "2026Q4");
  /* 15–19 December: the window is 2027Q1's, but Q4 is still due. */
  check_to_report (BC_PERIOD_QUARTER, 2026, 12, 15, "2026Q4");
  check_to_report (BC_PERIOD_QUARTER, 2026, 12, 19, "2026Q4");
  check_to_report (BC_PERIOD_QUARTER, 2026, 12, 20, "2027Q1");
  check_to_report (BC_PERIOD_QUARTER, 2018, 6, 17, "2018Q2");
  check_to_report (BC_PERIOD_QUARTER, 2018, 6, 20, "2018Q3");
  /* Years likewise, around 15–19 December. */
  check_to_report (BC_PERIOD_YEAR, 2026, 12, 18, "2026");
  check_to_report (BC_PERIOD_YEAR, 2026, 12, 20, "2027");
  /* The first period has no previous one to fall back to. */
  check_to_report (BC_PERIOD_QUARTER, 1900, 1, 2, "1900Q1");
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/period/parse/valid", test_parse_valid);
  g_test_add_func ("/core/period/parse/invalid", test_parse_invalid);
  g_test_add_func ("/core/period/parse/error-message", test_parse_error_message);
  g_test_add_func ("/core/period/to-id", test_to_id);
  g_test_add_func ("/core/period/label", test_label);
  g_test_add_func ("/core/period/equal", test_equal);
  g_test_add_func ("/core/period/compare", test_compare);
  g_test_add_func ("/core/period/previous-next", test_previous_next);
  g_test_add_func ("/core/period/previous-next-in-place", test_previous_next_in_place);
  g_test_add_func ("/core/period/window", test_window);
  g_test_add_func ("/core/period/windows-tile", test_windows_tile);
  g_test_add_func ("/core/period/for-date", test_for_date);
  g_test_add_func ("/core/period/for-date-window-edges", test_for_date_window_edges);
  g_test_add_func ("/core/period/timeliness/strings", test_timeliness_strings);
  g_test_add_func ("/core/period/type-strings", test_period_type_strings);
  g_test_add_func ("/core/period/to-report", test_to_report);
  g_test_add_func ("/core/period/invalid-struct", test_invalid_period_struct);

  return g_test_run ();
}
