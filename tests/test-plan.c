/* test-plan.c: plans: the reporting calendar and targets, only where in force.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-plan"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>

#include "bc-plan.h"
#include "bc-test-util.h"

#define PLAN_61 "qng-kh-61-2019"

static BcTemplateRegistry *
shipped (void)
{
  g_autoptr(GError) error = NULL;
  BcTemplateRegistry *registry = bc_template_registry_new_default (&error);

  g_assert_no_error (error);
  g_assert_cmpuint (bc_template_registry_get_problems (registry)->len, ==, 0);
  return registry;
}

static BcPeriod
period (const char *id)
{
  BcPeriod p;
  g_autoptr(GError) error = NULL;

  g_assert_true (bc_period_parse (id, &p, &error));
  g_assert_no_error (error);
  return p;
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

/* --- the shipped plan ------------------------------------------------------ */

static void
test_shipped_plan (void)
{
  g_autoptr(BcTemplateRegistry) registry = shipped ();
  GPtrArray *plans = bc_template_registry_get_plans (registry);
  BcPlan *plan;

  g_assert_cmpuint (plans->len, ==, 1);
  plan = g_ptr_array_index (plans, 0);
  g_assert_cmpstr (bc_plan_get_id (plan), ==, PLAN_61);
  g_assert_cmpstr (bc_text_get (bc_plan_get_name (plan), "vi"), ==, "Kế hoạch 61/KH-UBND");
  g_assert_cmpstr (bc_text_get (bc_plan_get_issuer (plan), "vi"), ==, "Ủy ban nhân dân tỉnh Quảng Ngãi");
  g_assert_cmpstr (bc_plan_get_from (plan), ==, "2019Q2");
  g_assert_cmpstr (bc_plan_get_to (plan), ==, "2025");
}

/* In force for Quảng Ngãi's units from Q2/2019 (issued 10/4/2019) to 2025,
 * and nowhere else. */
static void
test_in_force_only_within_its_years (void)
{
  g_autoptr(BcTemplateRegistry) registry = shipped ();
  BcPlan *plan = g_ptr_array_index (bc_template_registry_get_plans (registry), 0);
  const char *in_force[] = { "2019Q2", "2019Q4", "2020Q2", "2020", "2023Q3", "2025Q4", "2025" };
  const char *not_in_force[] = { "2015Q4", "2016Q2", "2016", "2018Q2", "2018", "2019Q1",
                                 "2026Q1", "2026", "not a period" };

  for (guint i = 0; i < G_N_ELEMENTS (in_force); i++)
    {
      g_test_message ("%s", in_force[i]);
      g_assert_true (bc_plan_in_force (plan, in_force[i], "UBND-QNG"));
      g_assert_true (bc_template_registry_lookup_plan (registry, in_force[i], "UBND-QNG") == plan);
    }
  for (guint i = 0; i < G_N_ELEMENTS (not_in_force); i++)
    {
      g_test_message ("%s", not_in_force[i]);
      g_assert_false (bc_plan_in_force (plan, not_in_force[i], "UBND-QNG"));
      g_assert_null (bc_template_registry_lookup_plan (registry, not_in_force[i], "UBND-QNG"));
    }

  /* The province's units, by code and by the beginning of their codes. */
  g_assert_true (bc_plan_in_force (plan, "2020Q2", "QNG"));
  g_assert_true (bc_plan_in_force (plan, "2020Q2", "QNG-SONTINH"));
  g_assert_true (bc_plan_in_force (plan, "2020Q2", " UBND-QNG "));
  /* Another province's unit gets no plan rather than Quảng Ngãi's. */
  g_assert_false (bc_plan_in_force (plan, "2020Q2", "UBND-HCM"));
  g_assert_false (bc_plan_in_force (plan, "2020Q2", "QNGX"));
  g_assert_false (bc_plan_in_force (plan, "2020Q2", NULL));
  g_assert_null (bc_template_registry_lookup_plan (registry, "2020Q2", "UBND-HCM"));
}

/* Section VI.7.a: data Q1 = 15/12 of the year before – 14/3, …; due before
 * the 20th of the quarter's last month. */
static void
test_calendar_2020 (void)
{
  g_autoptr(BcTemplateRegistry) registry = shipped ();
  BcPlan *plan = bc_template_registry_lookup_plan (registry, "2020Q1", "UBND-QNG");
  struct { const char *id; int sd, sm, sy, ed, em, dd, dm; } cases[] = {
    { "2020Q1", 15, 12, 2019, 14, 3, 19, 3 },
    { "2020Q2", 15, 3, 2020, 14, 6, 19, 6 },
    { "2020Q3", 15, 6, 2020, 14, 9, 19, 9 },
    { "2020Q4", 15, 9, 2020, 14, 12, 19, 12 },
  };

  g_assert_nonnull (plan);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      BcPeriod p = period (cases[i].id);
      GDate start, end, due;

      g_assert_true (bc_plan_window (plan, &p, &start, &end));
      assert_date (&start, cases[i].sd, cases[i].sm, cases[i].sy);
      assert_date (&end, cases[i].ed, cases[i].em, 2020);
      g_assert_true (bc_plan_due_date (plan, &p, &due));
      assert_date (&due, cases[i].dd, cases[i].dm, 2020);
      g_assert_true (bc_template_registry_due_date (registry, cases[i].id, "UBND-QNG", &due));
      assert_date (&due, cases[i].dd, cases[i].dm, 2020);
    }

  /* The plan asks for a yearly evaluation but sets it no date: none. */
  {
    BcPeriod y = period ("2020");
    GDate due;

    g_assert_false (bc_plan_due_date (plan, &y, &due));
    g_assert_false (g_date_valid (&due));
  }
}

/* A 2016 or 2018 report, or another province's: no due date, never late. */
static void
test_no_plan_no_due_date (void)
{
  g_autoptr(BcTemplateRegistry) registry = shipped ();
  const char *periods[] = { "2016Q2", "2018Q2", "2019Q1" };
  GDate today, due;
  g_autofree char *text = NULL;

  g_date_clear (&today, 1);
  g_date_set_dmy (&today, 1, G_DATE_JANUARY, 2026);
  for (guint i = 0; i < G_N_ELEMENTS (periods); i++)
    {
      g_assert_false (bc_template_registry_due_date (registry, periods[i], "UBND-QNG", &due));
      g_assert_false (g_date_valid (&due));
      g_assert_cmpint (bc_template_registry_timeliness (registry, periods[i], "UBND-QNG", &today, NULL),
                       ==, BC_TIMELINESS_NO_DUE_DATE);
      g_assert_cmpint (bc_template_registry_timeliness (registry, periods[i], "UBND-QNG", &today, &today),
                       ==, BC_TIMELINESS_NO_DUE_DATE);
    }
  g_assert_false (bc_template_registry_due_date (registry, "2020Q2", "UBND-HCM", &due));

  text = bc_plan_format_due_date (&due);
  g_assert_cmpstr (text, ==, "No due date set");
}

static void
check_timeliness (BcTemplateRegistry *registry,
                  const char         *period_id,
                  int                 day,
                  int                 month,
                  int                 year,
                  BcTimeliness        expected)
{
  GDate today;

  g_date_clear (&today, 1);
  g_date_set_dmy (&today, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
  g_test_message ("%s on %d/%d/%d", period_id, day, month, year);
  g_assert_cmpint (bc_template_registry_timeliness (registry, period_id, "UBND-QNG", &today, NULL),
                   ==, expected);
}

static void
test_timeliness_not_submitted (void)
{
  g_autoptr(BcTemplateRegistry) registry = shipped ();

  /* Q2/2020 is due on 19 June 2020: "due" the seven days before. */
  check_timeliness (registry, "2020Q2", 15, 3, 2020, BC_TIMELINESS_OPEN);
  check_timeliness (registry, "2020Q2", 11, 6, 2020, BC_TIMELINESS_OPEN);
  check_timeliness (registry, "2020Q2", 12, 6, 2020, BC_TIMELINESS_DUE);
  check_timeliness (registry, "2020Q2", 18, 6, 2020, BC_TIMELINESS_DUE);
  check_timeliness (registry, "2020Q2", 19, 6, 2020, BC_TIMELINESS_DUE);
  check_timeliness (registry, "2020Q2", 20, 6, 2020, BC_TIMELINESS_LATE);
  check_timeliness (registry, "2020Q2", 1, 1, 2021, BC_TIMELINESS_LATE);
}

static void
test_timeliness_submitted (void)
{
  g_autoptr(BcTemplateRegistry) registry = shipped ();
  g_autoptr(GDate) today = g_date_new_dmy (10, 3, 2021);
  g_autoptr(GDate) early = g_date_new_dmy (1, 10, 2020);
  g_autoptr(GDate) last_day = g_date_new_dmy (19, 12, 2020);
  g_autoptr(GDate) day_after = g_date_new_dmy (20, 12, 2020);

  /* Once submitted, only the submission date matters, not today. */
  g_assert_cmpint (bc_template_registry_timeliness (registry, "2020Q4", "UBND-QNG", today, early), ==, BC_TIMELINESS_ON_TIME);
  g_assert_cmpint (bc_template_registry_timeliness (registry, "2020Q4", "UBND-QNG", today, last_day), ==, BC_TIMELINESS_ON_TIME);
  g_assert_cmpint (bc_template_registry_timeliness (registry, "2020Q4", "UBND-QNG", today, day_after), ==, BC_TIMELINESS_SUBMITTED_LATE);
  g_assert_cmpint (bc_template_registry_timeliness (registry, "2020Q4", "UBND-QNG", NULL, day_after), ==, BC_TIMELINESS_SUBMITTED_LATE);
}

/* --- targets ---------------------------------------------------------------- */

static const BcTarget *
target_for (BcTemplateRegistry *registry,
            const char         *field_id,
            const char         *period_id,
            const char         *unit)
{
  BcTemplate *egov = bc_template_registry_lookup_latest (registry, "egov-quarterly", NULL);
  const BcField *field;

  g_assert_nonnull (egov);
  field = bc_template_lookup_field (egov, field_id);
  g_assert_nonnull (field);
  return bc_template_registry_lookup_target (registry, egov, field, period_id, unit);
}

static void
test_targets_only_in_force (void)
{
  g_autoptr(BcTemplateRegistry) registry = shipped ();
  const char *fields[] = { "docs_fully_electronic_pct", "one_stop_dossiers_pct",
                           "services_level4_share", "dossiers_online_share" };
  const BcTarget *target;

  /* A 2016 or 2018 report, before the plan: no targets at all. */
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_assert_null (target_for (registry, fields[i], "2016Q2", "UBND-QNG"));
      g_assert_null (target_for (registry, fields[i], "2018Q2", "UBND-QNG"));
      g_assert_null (target_for (registry, fields[i], "2020Q2", "UBND-HCM"));
    }

  /* A 2020 report: Plan 61's 2019–2020 targets. */
  target = target_for (registry, "docs_fully_electronic_pct", "2020Q2", "UBND-QNG");
  g_assert_nonnull (target);
  g_assert_cmpint (target->op, ==, BC_TARGET_AT_LEAST);
  g_assert_cmpfloat (target->value, ==, 90);
  g_assert_cmpstr (bc_text_get (&target->source, "vi"), ==, "Kế hoạch 61/KH-UBND, 2019–2020");
  g_assert_cmpstr (bc_text_get (&target->source, "en"), ==, "Plan 61/KH-UBND, 2019–2020");
  target = target_for (registry, "one_stop_dossiers_pct", "2020Q2", "QNG-SONTINH");
  g_assert_nonnull (target);
  g_assert_cmpint (target->op, ==, BC_TARGET_EQUAL);
  g_assert_cmpfloat (target->value, ==, 100);
  target = target_for (registry, "services_level4_share", "2019Q3", "UBND-QNG");
  g_assert_nonnull (target);
  g_assert_cmpfloat (target->value, ==, 30);
  target = target_for (registry, "dossiers_online_share", "2020Q4", "UBND-QNG");
  g_assert_nonnull (target);
  g_assert_cmpfloat (target->value, ==, 10);

  /* 2021–2025: the plan's targets for those years, not 2020's. */
  g_assert_null (target_for (registry, "docs_fully_electronic_pct", "2022Q1", "UBND-QNG"));
  target = target_for (registry, "dossiers_online_share", "2022Q1", "UBND-QNG");
  g_assert_nonnull (target);
  g_assert_cmpfloat (target->value, ==, 50);
  g_assert_cmpstr (bc_text_get (&target->source, "vi"), ==, "Kế hoạch 61/KH-UBND, 2021–2025");

  /* And none once it is over. */
  g_assert_null (target_for (registry, "dossiers_online_share", "2026Q1", "UBND-QNG"));
}

/* --- files ------------------------------------------------------------------ */

#define SMALL_TEMPLATE \
  "{\"format\": 1, \"id\": \"small\", \"version\": 1, \"period_type\": \"quarter\",\n" \
  " \"title\": \"Small\", \"sections\": [{\"id\": \"s\", \"title\": \"S\", \"fields\": [\n" \
  "   {\"id\": \"pct\", \"type\": \"percentage\", \"label\": \"Pct\"}]}]}\n"

#define GOOD_PLAN \
  "{\"format\": 1, \"id\": \"test-plan\", \"name\": \"KH 1\", \"title\": \"Test plan\",\n" \
  " \"issuer\": \"UBND tỉnh A\", \"in_force\": {\"from\": \"2020\", \"to\": \"2021\"},\n" \
  " \"calendar\": {\"quarter\": {\"due\": {\"month\": 1, \"day\": 5}}},\n" \
  " \"targets\": [{\"field\": \"pct\", \"op\": \">=\", \"value\": 50}]}\n"

static void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/* A broken plan file is set aside, named with its cause; the templates and
 * the other plans load and work. */
static void
test_broken_plan_set_aside (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-plan-XXXXXX", &error);
  g_autoptr(BcTemplateRegistry) registry = bc_template_registry_new ();
  g_autoptr(BcTemplateRegistry) strict = bc_template_registry_new ();
  g_autoptr(GPtrArray) problems = NULL;
  const GError *problem;
  BcTemplate *small;
  const BcTarget *target;
  GDate due;

  g_assert_no_error (error);
  write_file (dir, "small-v1.json", SMALL_TEMPLATE);
  write_file (dir, "good.plan.json", GOOD_PLAN);
  write_file (dir, "broken.plan.json",
              "{\"format\": 1, \"id\": \"broken\", \"name\": \"B\", \"title\": \"B\",\n"
              " \"issuer\": \"B\", \"in_force\": {\"from\": \"2020\"}}\n");
  write_file (dir, "syntax.plan.json", "{\"format\": 1,\n  \"id\": }\n");

  problems = bc_template_registry_load_directory (registry, dir);
  g_assert_cmpuint (problems->len, ==, 2);
  g_assert_cmpuint (bc_template_registry_get_problems (registry)->len, ==, 2);
  problem = g_ptr_array_index (problems, 0);
  g_assert_error (problem, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID);
  g_assert_nonnull (strstr (problem->message, "broken.plan.json: in_force: the key “to” is missing"));
  problem = g_ptr_array_index (problems, 1);
  g_assert_nonnull (strstr (problem->message, "syntax.plan.json:2:"));

  /* Everything else goes on. */
  small = bc_template_registry_lookup_latest (registry, "small", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bc_template_registry_get_plans (registry)->len, ==, 1);
  g_assert_true (bc_template_registry_due_date (registry, "2020Q4", "any unit", &due));
  assert_date (&due, 5, 1, 2021);
  target = bc_template_registry_lookup_target (registry, small, bc_template_lookup_field (small, "pct"),
                                               "2021Q2", "any unit");
  g_assert_nonnull (target);
  g_assert_cmpfloat (target->value, ==, 50);
  g_assert_cmpstr (bc_text_get (&target->source, "vi"), ==, "KH 1, 2020–2021");
  g_assert_null (bc_template_registry_lookup_target (registry, small, bc_template_lookup_field (small, "pct"),
                                                     "2019Q4", "any unit"));

  /* The strict loader for tools refuses the folder, naming the file. */
  g_assert_false (bc_template_registry_add_directory (strict, dir, &error));
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "broken.plan.json"));

  bc_test_remove_tree (dir);
}

static void
test_plan_errors (void)
{
  struct { const char *json; const char *message; } cases[] = {
    { "{\"format\": 2}", "<plan>: format: this plan is not in format 1" },
    { "{\"format\": 1, \"id\": \"p\", \"name\": \"P\", \"title\": \"P\", \"issuer\": \"P\","
      " \"in_force\": {\"from\": \"2021\", \"to\": \"2020\"}}",
      "<plan>: in_force.to: the plan ends (2020) before it starts (2021)" },
    { "{\"format\": 1, \"id\": \"p\", \"name\": \"P\", \"title\": \"P\", \"issuer\": \"P\","
      " \"in_force\": {\"from\": \"2020\", \"to\": \"2021\"}, \"units\": [\"*\"]}",
      "<plan>: units[0]: a unit must be" },
    { "{\"format\": 1, \"id\": \"p\", \"name\": \"P\", \"title\": \"P\", \"issuer\": \"P\","
      " \"in_force\": {\"from\": \"2020\", \"to\": \"2021\"},"
      " \"calendar\": {\"quarter\": {\"window\": {\"start\": {\"month\": -3, \"day\": 15}}}}}",
      "<plan>: calendar.quarter.window: a window needs both “start” and “end”" },
    { "{\"format\": 1, \"id\": \"p\", \"name\": \"P\", \"title\": \"P\", \"issuer\": \"P\","
      " \"in_force\": {\"from\": \"2020\", \"to\": \"2021\"},"
      " \"calendar\": {\"quarter\": {\"window\": {\"start\": {\"month\": 0, \"day\": 15}, \"end\": {\"month\": 0, \"day\": 14}}}}}",
      "<plan>: calendar.quarter.window: the window ends before it starts" },
    { "{\"format\": 1, \"id\": \"p\", \"name\": \"P\", \"title\": \"P\", \"issuer\": \"P\","
      " \"in_force\": {\"from\": \"2020\", \"to\": \"2021\"},"
      " \"calendar\": {\"quarter\": {\"due\": {\"month\": 0, \"day\": 32}}}}",
      "<plan>: calendar.quarter.due.day: must be between 1 and 31" },
    { "{\"format\": 1, \"id\": \"p\", \"name\": \"P\", \"title\": \"P\", \"issuer\": \"P\","
      " \"in_force\": {\"from\": \"2020\", \"to\": \"2021\"},"
      " \"targets\": [{\"field\": \"x\", \"op\": \">=\", \"value\": 1, \"from\": \"2023\", \"to\": \"2024\"}]}",
      "<plan>: targets[0]: the target (2023–2024) is outside the plan's years (2020–2021)" },
    { "{\"format\": 1, \"id\": \"p\", \"name\": \"P\", \"title\": \"P\", \"issuer\": \"P\","
      " \"in_force\": {\"from\": \"2020\", \"to\": \"2021\"}, \"deadline\": 1}",
      "<plan>: unknown key “deadline”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BcPlan) plan = bc_plan_new_from_data (cases[i].json, -1, NULL, &error);

      g_test_message ("case %u: %s", i, error != NULL ? error->message : "(loaded)");
      g_assert_null (plan);
      g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID);
      g_assert_true (g_str_has_prefix (error->message, cases[i].message));
    }
}

/* A form's own target where its years hold the period; a table column's is
 * the form's only (a plan names fields). */
static void
test_template_targets (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplate) form = bc_template_new_from_data (
    "{\"format\": 1, \"id\": \"own\", \"version\": 1, \"period_type\": \"quarter\",\n"
    " \"title\": \"Own\", \"sections\": [{\"id\": \"s\", \"title\": \"S\", \"fields\": [\n"
    "   {\"id\": \"pct\", \"type\": \"percentage\", \"label\": \"Pct\",\n"
    "    \"target\": {\"op\": \">=\", \"value\": 20, \"from\": \"2019\", \"to\": \"2020\"}},\n"
    "   {\"id\": \"t\", \"type\": \"table\", \"label\": \"T\", \"columns\": [\n"
    "     {\"id\": \"share\", \"type\": \"percentage\", \"label\": \"Share\",\n"
    "      \"target\": {\"op\": \"<=\", \"value\": 5, \"from\": \"2019\", \"to\": \"2020\"}}]}]}]}",
    -1, "own-v1.json", &error);
  g_autoptr(BcTemplateRegistry) registry = bc_template_registry_new ();
  const BcField *pct, *share;
  const BcTarget *target;

  g_assert_no_error (error);
  bc_template_registry_add (registry, form);
  pct = bc_template_lookup_field (form, "pct");
  share = bc_template_lookup_field (form, "t.share");
  g_assert_nonnull (share);

  /* No plan: the form's own, in its years only. */
  target = bc_template_registry_lookup_target (registry, form, pct, "2020Q1", "U");
  g_assert_nonnull (target);
  g_assert_cmpfloat (target->value, ==, 20);
  g_assert_null (bc_template_registry_lookup_target (registry, form, pct, "2018Q4", "U"));
  g_assert_nonnull (bc_template_registry_lookup_target (registry, form, share, "2020Q1", "U"));
  g_assert_null (bc_template_registry_lookup_target (registry, form, share, "2021Q1", "U"));
}

/* A due date past the end of a short month is its last day. */
static void
test_due_day_clamped (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcPlan) plan = bc_plan_new_from_data (
    "{\"format\": 1, \"id\": \"p\", \"name\": \"P\", \"title\": \"P\", \"issuer\": \"P\","
    " \"in_force\": {\"from\": \"2020\", \"to\": \"2021\"},"
    " \"calendar\": {\"quarter\": {\"due\": {\"month\": -1, \"day\": 31}}}}", -1, NULL, &error);
  BcPeriod q1 = period ("2020Q1");
  GDate due;

  g_assert_no_error (error);
  g_assert_true (bc_plan_due_date (plan, &q1, &due));
  assert_date (&due, 29, 2, 2020);
}

/* --- from two threads ------------------------------------------------------ */

#define N_ADDED 2000

typedef struct {
  BcTemplateRegistry *registry;
  GPtrArray          *plans;
  gint                done;
} Adder;

static gpointer
add_plans_thread (gpointer data)
{
  Adder *adder = data;

  for (guint i = 0; i < adder->plans->len; i++)
    g_assert_true (bc_template_registry_add_plan (adder->registry, g_ptr_array_index (adder->plans, i)));
  g_atomic_int_set (&adder->done, 1);
  return NULL;
}

/* Sync adds the plans (and forms) the province publishes from its worker
 * thread while the window looks up due dates: the lookups see whole lists,
 * never one being grown (the sanitized run catches a read of a freed one). */
static void
test_lookups_while_sync_adds (void)
{
  g_autoptr(BcTemplateRegistry) registry = shipped ();
  g_autoptr(GPtrArray) plans = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  Adder adder = { registry, plans, 0 };
  GThread *thread;
  guint n_lookups = 0;

  g_assert_nonnull (bc_template_registry_get_plan (registry, PLAN_61));
  path = g_build_filename (g_getenv ("BAOCAO_TEMPLATE_DIR"), PLAN_61 ".plan.json", NULL);
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  /* Copies under other ids: each in force where Plan 61 is, but Plan 61,
   * which starts no earlier, stays the one looked up. */
  for (guint i = 0; i < N_ADDED; i++)
    {
      g_autofree char *id = g_strdup_printf ("\"id\": \"added-%u\"", i);
      g_autoptr(GString) copy = g_string_new (text);
      BcPlan *plan;

      g_string_replace (copy, "\"id\": \"" PLAN_61 "\"", id, 1);
      plan = bc_plan_new_from_data (copy->str, (gssize) copy->len, "added.plan.json", &error);
      g_assert_no_error (error);
      g_ptr_array_add (plans, plan);
    }

  thread = g_thread_new ("adds-plans", add_plans_thread, &adder);
  while (!g_atomic_int_get (&adder.done) || n_lookups < 100)
    {
      GDate due;

      g_assert_true (bc_template_registry_due_date (registry, "2020Q2", "UBND-QNG", &due));
      g_assert_nonnull (bc_template_registry_get_plan (registry, PLAN_61));
      n_lookups++;
    }
  g_thread_join (thread);
  g_assert_cmpuint (bc_template_registry_get_plans (registry)->len, >=, N_ADDED + 1);
  g_test_message ("%u lookups while %u plans were added", n_lookups, N_ADDED);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/plan/shipped", test_shipped_plan);
  g_test_add_func ("/core/plan/in-force-only-within-its-years", test_in_force_only_within_its_years);
  g_test_add_func ("/core/plan/calendar-2020", test_calendar_2020);
  g_test_add_func ("/core/plan/no-plan-no-due-date", test_no_plan_no_due_date);
  g_test_add_func ("/core/plan/timeliness/not-submitted", test_timeliness_not_submitted);
  g_test_add_func ("/core/plan/timeliness/submitted", test_timeliness_submitted);
  g_test_add_func ("/core/plan/targets-only-in-force", test_targets_only_in_force);
  g_test_add_func ("/core/plan/broken-plan-set-aside", test_broken_plan_set_aside);
  g_test_add_func ("/core/plan/errors", test_plan_errors);
  g_test_add_func ("/core/plan/due-day-clamped", test_due_day_clamped);
  g_test_add_func ("/core/plan/template-targets", test_template_targets);
  g_test_add_func ("/core/plan/lookups-while-sync-adds", test_lookups_while_sync_adds);

  return g_test_run ();
}
