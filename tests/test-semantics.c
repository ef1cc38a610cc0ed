/* test-semantics.c: what hidden fields and rules mean (issue 8, part 1).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A hidden field counts as blank in every expression; a rule runs unless
 * all of its fields are hidden; a broken template file is set aside while
 * the others load.
 */
#define G_LOG_DOMAIN "test-semantics"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>

#include "bc-entry.h"
#include "bc-period.h"
#include "bc-plan.h"
#include "bc-template.h"
#include "bc-validate.h"
#include "bc-workbook.h"
#include "bc-test-util.h"

static const char form[] =
  "{\"format\": 1, \"id\": \"hidden\", \"version\": 1, \"period_type\": \"quarter\",\n"
  " \"title\": \"Hidden\",\n"
  " \"sections\": [{\"id\": \"s\", \"title\": \"S\", \"fields\": [\n"
  "   {\"id\": \"has_system\", \"type\": \"yes_no\", \"label\": \"Has a system\"},\n"
  "   {\"id\": \"system_name\", \"type\": \"text\", \"label\": \"System\",\n"
  "    \"visible_if\": \"has_system\"},\n"
  "   {\"id\": \"system_url\", \"type\": \"text\", \"label\": \"Address\", \"required\": true,\n"
  "    \"visible_if\": \"not blank(system_name)\"},\n"
  "   {\"id\": \"count\", \"type\": \"integer\", \"label\": \"Count\"},\n"
  "   {\"id\": \"name_length\", \"type\": \"integer\", \"label\": \"Twice\",\n"
  "    \"compute\": \"if(blank(system_name), 0, 1)\"},\n"
  "   {\"id\": \"a\", \"type\": \"integer\", \"label\": \"A\", \"visible_if\": \"blank(b) or b > 0\"},\n"
  "   {\"id\": \"b\", \"type\": \"integer\", \"label\": \"B\", \"visible_if\": \"blank(a) or a > 0\"}\n"
  " ]}],\n"
  " \"rules\": [\n"
  "   {\"id\": \"first_hidden\", \"severity\": \"error\", \"check\": \"count > 0\",\n"
  "    \"fields\": [\"system_name\", \"count\"], \"message\": \"Count must be positive.\"},\n"
  "   {\"id\": \"all_hidden\", \"severity\": \"error\", \"check\": \"false\",\n"
  "    \"fields\": [\"system_name\", \"system_url\"], \"message\": \"Never while hidden.\"},\n"
  "   {\"id\": \"reads_hidden\", \"severity\": \"warning\",\n"
  "    \"check\": \"blank(system_name) or count > 5\",\n"
  "    \"fields\": [\"count\"], \"message\": \"Few for a system.\"}\n"
  " ]}\n";

static BcTemplate *
load_form (void)
{
  g_autoptr(GError) error = NULL;
  BcTemplate *template_ = bc_template_new_from_data (form, -1, "hidden-v1.json", &error);

  g_assert_no_error (error);
  return template_;
}

static gboolean
has_issue (GPtrArray  *issues,
           const char *rule_id)
{
  for (guint i = 0; i < issues->len; i++)
    {
      const BcIssue *issue = g_ptr_array_index (issues, i);

      if (g_strcmp0 (issue->rule_id, rule_id) == 0)
        return TRUE;
    }
  return FALSE;
}

static const BcIssue *
find_issue (GPtrArray  *issues,
            const char *rule_id)
{
  for (guint i = 0; i < issues->len; i++)
    {
      const BcIssue *issue = g_ptr_array_index (issues, i);

      if (g_strcmp0 (issue->rule_id, rule_id) == 0)
        return issue;
    }
  return NULL;
}

static void
test_hidden_is_blank (void)
{
  g_autoptr(BcTemplate) template_ = load_form ();
  g_autoptr(BcReport) report = bc_report_new ("7a1e0d6c-0000-4000-8000-000000000001", "hidden", 1,
                                              "2018Q2", "U");
  g_autoptr(GPtrArray) issues = NULL;
  g_auto(BcValue) value = BC_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  /* A system was named, then the person said there is none: the name is
   * still stored, but hidden. */
  bc_report_set_value (report, "has_system", 0, "no");
  bc_report_set_value (report, "system_name", 0, "eOffice");
  bc_report_set_value (report, "count", 0, "1");

  /* The address is not shown (its condition reads the hidden name as
   * blank), so it is not required. */
  g_assert_false (bc_report_field_visible (template_, report, NULL,
                                           bc_template_lookup_field (template_, "system_url"), 0));
  issues = bc_validate_report (template_, report, NULL, "en");
  g_assert_false (has_issue (issues, "required:system_url"));
  for (guint i = 0; i < issues->len; i++)
    g_assert_cmpstr (((BcIssue *) g_ptr_array_index (issues, i))->key, !=, "system_url");

  /* A rule reading the hidden name sees it blank: no warning. */
  g_assert_false (has_issue (issues, "reads_hidden"));

  /* A computed field reading it too. */
  g_assert_true (bc_report_field_value (template_, report, NULL,
                                        bc_template_lookup_field (template_, "name_length"), 0,
                                        &value, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (value.number, ==, 0);

  /* Shown again, the stored name counts again. */
  g_clear_pointer (&issues, g_ptr_array_unref);
  bc_report_set_value (report, "has_system", 0, "yes");
  issues = bc_validate_report (template_, report, NULL, "en");
  g_assert_true (has_issue (issues, "reads_hidden"));
  g_assert_true (bc_report_field_visible (template_, report, NULL,
                                          bc_template_lookup_field (template_, "system_url"), 0));
}

static void
test_rule_runs_unless_all_hidden (void)
{
  g_autoptr(BcTemplate) template_ = load_form ();
  g_autoptr(BcReport) report = bc_report_new ("7a1e0d6c-0000-4000-8000-000000000001", "hidden", 1,
                                              "2018Q2", "U");
  g_autoptr(GPtrArray) issues = NULL;
  const BcIssue *issue;

  bc_report_set_value (report, "has_system", 0, "no");
  bc_report_set_value (report, "count", 0, "0");

  /* Its first field is hidden but "count" is shown: the rule runs, and its
   * issue stands beside the field that is shown. */
  issues = bc_validate_report (template_, report, NULL, "en");
  issue = find_issue (issues, "first_hidden");
  g_assert_nonnull (issue);
  g_assert_cmpstr (issue != NULL ? issue->key : NULL, ==, "count");

  /* All its fields hidden: the rule does not run. */
  g_assert_false (has_issue (issues, "all_hidden"));
}

static void
test_conditions_in_a_loop (void)
{
  g_autoptr(BcTemplate) template_ = load_form ();
  g_autoptr(BcReport) report = bc_report_new ("7a1e0d6c-0000-4000-8000-000000000001", "hidden", 1,
                                              "2018Q2", "U");
  g_autoptr(GPtrArray) issues = NULL;

  /* a shows when b is blank or positive, b when a is: each reads the other
   * while its own visibility is being decided. It ends, and decides. */
  bc_report_set_value (report, "a", 0, "-1");
  bc_report_set_value (report, "b", 0, "-1");
  issues = bc_validate_report (template_, report, NULL, "en");
  g_assert_nonnull (issues);
  (void) bc_report_field_visible (template_, report, NULL, bc_template_lookup_field (template_, "a"), 0);
}

/* --- a broken template file is set aside --------------------------------------- */

static void
test_broken_set_aside (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-semantics-XXXXXX", &error);
  g_autofree char *good = g_build_filename (dir, "hidden-v1.json", NULL);
  g_autofree char *broken = g_build_filename (dir, "broken-v1.json", NULL);
  g_autoptr(BcTemplateRegistry) registry = bc_template_registry_new ();
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) latest = NULL;
  const GError *problem;

  g_assert_no_error (error);
  g_file_set_contents (good, form, -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (broken, "{\"format\": 1,\n \"id\": \"broken\",\n \"version\": 1,,\n}", -1,
                       &error);
  g_assert_no_error (error);

  /* The strict call still fails on the first bad file. */
  g_assert_false (bc_template_registry_add_directory (registry, dir, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* The lenient one loads the others and says what it set aside. */
  problems = bc_template_registry_load_directory (registry, dir);
  g_assert_cmpuint (problems->len, ==, 1);
  problem = g_ptr_array_index (problems, 0);
  g_assert_nonnull (strstr (problem->message, "broken-v1.json"));
  g_assert_nonnull (strstr (problem->message, ":3:"));
  g_assert_nonnull (bc_template_registry_lookup (registry, "hidden", 1, &error));
  g_assert_no_error (error);
  latest = bc_template_registry_list_latest (registry);
  g_assert_cmpuint (latest->len, ==, 1);

  /* The registry keeps what it set aside, for the CLI and the window. */
  g_assert_cmpuint (bc_template_registry_get_problems (registry)->len, ==, 1);

  bc_test_remove_tree (dir);
}

/* --- carry-over never drops a value unasked ------------------------------------ */

#define RENAME_FORM(version, second) \
  "{\"format\": 1, \"id\": \"renamer\", \"version\": " #version ", \"period_type\": \"quarter\",\n" \
  " \"title\": \"Renamer\", \"sections\": [{\"id\": \"s\", \"title\": \"S\", \"fields\": [\n" \
  "   {\"id\": \"a\", \"type\": \"integer\", \"label\": \"A\"},\n" \
  "   {\"id\": \"" second "\", \"type\": \"integer\", \"label\": \"Second\"}]}]}"

static void
test_carry_over_renamed_without_migration (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-semantics-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "wb.baocao", NULL);
  g_autoptr(BcTemplateRegistry) old_registry = bc_template_registry_new ();
  g_autoptr(BcTemplateRegistry) new_registry = bc_template_registry_new ();
  g_autoptr(BcTemplate) v1 = bc_template_new_from_data (RENAME_FORM (1, "b"), -1, "r1.json", &error);
  g_autoptr(BcTemplate) v2 = bc_template_new_from_data (RENAME_FORM (2, "c"), -1, "r2.json", &error);
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autofree char *id = NULL;
  g_auto(GStrv) losses = NULL;
  const char * const drop[] = { "b", NULL };

  g_assert_no_error (error);
  bc_template_registry_add (old_registry, v1);
  bc_template_registry_add (new_registry, v1);
  bc_template_registry_add (new_registry, v2);

  workbook = bc_workbook_open (path, old_registry, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);
  id = bc_workbook_create_report (workbook, "renamer", "2018Q2", "U", &error);
  g_assert_no_error (error);
  g_assert_true (bc_workbook_set_value (workbook, id, "a", 0, "1", &error));
  g_assert_true (bc_workbook_set_value (workbook, id, "b", 0, "2", &error));
  g_assert_no_error (error);
  g_clear_object (&workbook);

  /* Version 2 renamed b to c and said nothing: b's value has nowhere to go. */
  workbook = bc_workbook_open (path, new_registry, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  losses = bc_workbook_carry_over_losses (workbook, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (losses), ==, 1);
  g_assert_cmpstr (losses[0], ==, "b");

  g_assert_false (bc_workbook_carry_over (workbook, id, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_WOULD_LOSE);
  g_clear_error (&error);
  report = bc_workbook_load_report (workbook, id, &error);
  g_assert_cmpint (bc_report_get_template_version (report), ==, 1);
  g_assert_cmpstr (bc_report_get_value (report, "b", 0), ==, "2");
  g_clear_object (&report);

  /* Told that b may go, it goes, recorded in the history. */
  g_assert_true (bc_workbook_carry_over_dropping (workbook, id, drop, &error));
  g_assert_no_error (error);
  report = bc_workbook_load_report (workbook, id, &error);
  g_assert_cmpint (bc_report_get_template_version (report), ==, 2);
  g_assert_cmpstr (bc_report_get_value (report, "a", 0), ==, "1");
  g_assert_null (bc_report_get_value (report, "b", 0));

  g_clear_object (&report);
  g_clear_object (&workbook);
  bc_test_remove_tree (dir);
}

/* --- the quarterly form's levels 1–4 against its total ----------------------- */

static void
test_quarterly_levels (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplateRegistry) templates = bc_template_registry_new_default (&error);
  BcTemplate *template_;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(GPtrArray) issues = NULL;
  const BcIssue *issue;

  g_assert_no_error (error);
  template_ = bc_template_registry_lookup_latest (templates, "egov-quarterly", &error);
  g_assert_no_error (error);
  report = bc_report_new ("7a1e0d6c-0000-4000-8000-000000000001", "egov-quarterly",
                          bc_template_get_version (template_), "2016Q2", "UBND");

  /* A 2016 report: 120 services in all, of which it counts levels 1–4. */
  bc_report_set_value (report, "services_reported_total", 0, "120");
  bc_report_set_value (report, "services_level1", 0, "40");
  bc_report_set_value (report, "services_level2", 0, "70");
  bc_report_set_value (report, "services_level3", 0, "8");
  bc_report_set_value (report, "services_level4", 0, "1");
  issues = bc_validate_report (template_, report, NULL, "en");
  issue = find_issue (issues, "services_levels_match_total");
  g_assert_nonnull (issue);
  g_assert_cmpint (issue != NULL ? issue->severity : BC_SEVERITY_ERROR, ==, BC_SEVERITY_WARNING);
  g_clear_pointer (&issues, g_ptr_array_unref);

  /* A written justification clears it for "ready"; adding up clears it. */
  bc_report_set_justification (report, "services_levels_match_total", 0, "Level 1 counted per sector.");
  issues = bc_validate_report (template_, report, NULL, "en");
  issue = find_issue (issues, "services_levels_match_total");
  g_assert_nonnull (issue);
  g_assert_cmpstr (issue != NULL ? issue->justification : NULL, ==, "Level 1 counted per sector.");
  g_clear_pointer (&issues, g_ptr_array_unref);

  bc_report_set_value (report, "services_level2", 0, "71");
  issues = bc_validate_report (template_, report, NULL, "en");
  g_assert_false (has_issue (issues, "services_levels_match_total"));
  g_clear_pointer (&issues, g_ptr_array_unref);

  /* Deployed of total per kind of unit: more deployed than there are is an error. */
  bc_report_set_value (report, "shared_communes_deployed", 0, "185");
  bc_report_set_value (report, "shared_communes_total", 0, "184");
  issues = bc_validate_report (template_, report, NULL, "en");
  issue = find_issue (issues, "shared_communes_within_total");
  g_assert_nonnull (issue);
  g_assert_cmpint (issue != NULL ? issue->severity : BC_SEVERITY_WARNING, ==, BC_SEVERITY_ERROR);
}

/* --- the quarterly form's versions divide the years ---------------------------- */

/* The figures v1 requires, which reports of 2015 to Q1/2019 did not carry
 * as numbers (docs/templates.md). */
static const char * const quarterly_figures[] = {
  "docs_fully_electronic_pct", "docs_parallel_paper_pct", "one_stop_units_deployed",
  "services_level3", "services_level4", "services_new_this_quarter",
  "services_with_dossiers", "dossiers_received", NULL
};

/* Everything a quarterly report needs but those figures. */
static void
fill_quarterly_document (BcWorkbook *workbook,
                         const char *report_id)
{
  static const char * const values[][2] = {
    { "issuing_body", "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI" },
    { "doc_number", "99/BC-UBND" },
    { "doc_place", "Quảng Ngãi" },
    { "doc_date", "2016-09-12" },
    { "doc_title", "Về tình hình triển khai Chính phủ điện tử" },
    { "addressee", "Văn phòng Chính phủ" },
    { "signer_title", "PHÓ CHỦ TỊCH" },
    { "signer_name", "Nguyễn Văn A" },
    { "eoffice_deployed", "yes" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (bc_workbook_set_value (workbook, report_id, values[i][0], 0, values[i][1], &error));
      g_assert_no_error (error);
    }
}

static GPtrArray *
validate_in (BcWorkbook *workbook,
             const char *report_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = bc_workbook_load_report (workbook, report_id, &error);
  BcTemplate *template_;

  g_assert_no_error (error);
  template_ = bc_workbook_get_report_template (workbook, report, &error);
  g_assert_no_error (error);

  return bc_validate_report (template_, report, NULL, "en");
}

static int
version_of (BcWorkbook *workbook,
            const char *report_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = bc_workbook_load_report (workbook, report_id, &error);

  g_assert_no_error (error);
  return bc_report_get_template_version (report);
}

static void
test_quarterly_versions_by_year (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplateRegistry) templates = bc_template_registry_new_default (&error);
  g_autofree char *dir = g_dir_make_tmp ("test-semantics-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "wb.baocao", NULL);
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(GPtrArray) issues = NULL;
  g_autofree char *old_id = NULL;
  g_autofree char *new_id = NULL;
  static const struct { const char *period; const char *unit; int version; } picks[] = {
    { "2015Q4", "UBND-QNG", 2 }, { "2016Q3", "UBND-QNG", 2 }, { "2018Q2", "UBND-BDH", 2 },
    { "2019Q1", "UBND-QNG", 2 }, { "2019Q2", "UBND-QNG", 3 }, { "2020Q2", "UBND-BDH", 3 },
    { "2025Q4", "UBND-QNG", 3 },
  };

  g_assert_no_error (error);

  /* Resolution 36a's years up to 2019Q1 get v2; from 2019Q2, v3. */
  for (guint i = 0; i < G_N_ELEMENTS (picks); i++)
    {
      BcTemplate *picked = bc_template_registry_lookup_for (templates, "egov-quarterly", picks[i].period,
                                                            picks[i].unit, &error);

      g_assert_no_error (error);
      g_assert_nonnull (picked);
      if (bc_template_get_version (picked) != picks[i].version)
        g_error ("%s got version %d of egov-quarterly, not %d", picks[i].period,
                 bc_template_get_version (picked), picks[i].version);
    }

  workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);
  old_id = bc_workbook_create_report (workbook, "egov-quarterly", "2016Q3", "UBND-QNG", &error);
  g_assert_no_error (error);
  new_id = bc_workbook_create_report (workbook, "egov-quarterly", "2020Q2", "UBND-QNG", &error);
  g_assert_no_error (error);
  g_assert_cmpint (version_of (workbook, old_id), ==, 2);
  g_assert_cmpint (version_of (workbook, new_id), ==, 3);
  fill_quarterly_document (workbook, old_id);
  fill_quarterly_document (workbook, new_id);

  /* 2016: the figures are there to fill, but none is asked for, and the
   * report is ready without an invented number. */
  issues = validate_in (workbook, old_id);
  for (guint i = 0; i < issues->len; i++)
    {
      const BcIssue *issue = g_ptr_array_index (issues, i);

      g_assert_cmpint (issue->severity, !=, BC_SEVERITY_ERROR);
    }
  g_clear_pointer (&issues, g_ptr_array_unref);
  g_assert_nonnull (bc_template_lookup_field (bc_template_registry_lookup (templates, "egov-quarterly", 2, NULL),
                                              "services_level3"));
  g_assert_true (bc_workbook_set_status (workbook, old_id, BC_STATUS_READY, NULL, &error));
  g_assert_no_error (error);

  /* 2020: every one of them is required, and "ready" is refused. */
  issues = validate_in (workbook, new_id);
  for (guint i = 0; quarterly_figures[i] != NULL; i++)
    {
      g_autofree char *rule_id = g_strconcat ("required:", quarterly_figures[i], NULL);
      const BcIssue *issue = find_issue (issues, rule_id);

      if (issue == NULL)
        g_error ("a 2020 report is not asked for %s", quarterly_figures[i]);
      g_assert_cmpint (issue->severity, ==, BC_SEVERITY_ERROR);
    }
  g_clear_pointer (&issues, g_ptr_array_unref);
  g_assert_false (bc_workbook_set_status (workbook, new_id, BC_STATUS_READY, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* Given the figures, it is. */
  for (guint i = 0; quarterly_figures[i] != NULL; i++)
    {
      g_assert_true (bc_workbook_set_value (workbook, new_id, quarterly_figures[i], 0, "0", &error));
      g_assert_no_error (error);
    }
  g_assert_true (bc_workbook_set_status (workbook, new_id, BC_STATUS_READY, NULL, &error));
  g_assert_no_error (error);

  g_clear_object (&workbook);
  bc_test_remove_tree (dir);
}

/* Drafts already on v1 (which requires the figures for every year) keep
 * their values and carry over to the version for their own period. */
static void
test_quarterly_v1_carries_over_by_year (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplateRegistry) templates = bc_template_registry_new_default (&error);
  g_autofree char *dir = g_dir_make_tmp ("test-semantics-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "wb.baocao", NULL);
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(BcReport) report = NULL;
  const char *old_id = "7a1e0d6c-0000-4000-8000-000000000018";
  const char *new_id = "7a1e0d6c-0000-4000-8000-000000000020";

  g_assert_no_error (error);
  workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);
  g_assert_true (bc_workbook_import_report (workbook, old_id, "egov-quarterly", 1, "2018Q2", "UBND-QNG", &error));
  g_assert_no_error (error);
  g_assert_true (bc_workbook_import_report (workbook, new_id, "egov-quarterly", 1, "2020Q2", "UBND-QNG", &error));
  g_assert_no_error (error);
  g_assert_true (bc_workbook_set_value (workbook, old_id, "dossiers_received", 0, "710", &error));
  g_assert_true (bc_workbook_set_value (workbook, new_id, "dossiers_received", 0, "1200", &error));
  g_assert_no_error (error);

  /* On v1, the 2018 draft is still asked for the level counts. */
  {
    g_autoptr(GPtrArray) issues = validate_in (workbook, old_id);

    g_assert_true (has_issue (issues, "required:services_level3"));
  }

  g_assert_true (bc_workbook_carry_over (workbook, old_id, &error));
  g_assert_no_error (error);
  g_assert_true (bc_workbook_carry_over (workbook, new_id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (version_of (workbook, old_id), ==, 2);
  g_assert_cmpint (version_of (workbook, new_id), ==, 3);

  report = bc_workbook_load_report (workbook, old_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bc_report_get_value (report, "dossiers_received", 0), ==, "710");
  g_clear_object (&report);
  report = bc_workbook_load_report (workbook, new_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bc_report_get_value (report, "dossiers_received", 0), ==, "1200");
  g_clear_object (&report);

  {
    g_autoptr(GPtrArray) issues = validate_in (workbook, old_id);

    g_assert_false (has_issue (issues, "required:services_level3"));
    g_clear_pointer (&issues, g_ptr_array_unref);
    issues = validate_in (workbook, new_id);
    g_assert_true (has_issue (issues, "required:services_level3"));
  }

  g_clear_object (&workbook);
  bc_test_remove_tree (dir);
}

/* --- targets only where their plan is in force --------------------------------- */

#define TARGET_FORM(from_to) \
  "{\"format\": 1, \"id\": \"targets\", \"version\": 1, \"period_type\": \"quarter\",\n" \
  " \"title\": \"Targets\", \"sections\": [{\"id\": \"s\", \"title\": \"S\", \"fields\": [\n" \
  "   {\"id\": \"pct\", \"type\": \"percentage\", \"label\": \"Pct\",\n" \
  "    \"target\": {\"op\": \">=\", \"value\": 90, \"source\": \"Plan 61\"" from_to "}}]}]}"

static void
test_target_in_force (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplate) plan = bc_template_new_from_data (TARGET_FORM (", \"from\": \"2019\", \"to\": \"2020\""),
                                                          -1, "t.json", &error);
  g_autoptr(BcTemplate) always = NULL;
  g_autoptr(BcTemplate) bad = NULL;
  const BcTarget *target;

  g_assert_no_error (error);
  target = bc_template_lookup_field (plan, "pct")->target;
  g_assert_false (bc_target_in_force (target, "2016Q2"));
  g_assert_false (bc_target_in_force (target, "2018Q4"));
  g_assert_true (bc_target_in_force (target, "2019Q1"));
  g_assert_true (bc_target_in_force (target, "2019"));
  g_assert_true (bc_target_in_force (target, "2020Q4"));
  g_assert_false (bc_target_in_force (target, "2021Q1"));
  g_assert_false (bc_target_in_force (target, "not a period"));

  always = bc_template_new_from_data (TARGET_FORM (""), -1, "t.json", &error);
  g_assert_no_error (error);
  g_assert_true (bc_target_in_force (bc_template_lookup_field (always, "pct")->target, "2016Q2"));

  bad = bc_template_new_from_data (TARGET_FORM (", \"from\": \"2021\", \"to\": \"2019\""), -1, "t.json", &error);
  g_assert_null (bad);
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID);
  g_clear_error (&error);
  bad = bc_template_new_from_data (TARGET_FORM (", \"from\": \"soon\""), -1, "t.json", &error);
  g_assert_null (bad);
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID);
}

/* --- versions that say which periods and units they are for -------------------- */

#define APPLIES_FORM(version, applies) \
  "{\"format\": 1, \"id\": \"yearly\", \"version\": " #version ", \"period_type\": \"quarter\",\n" \
  " \"applies\": " applies ",\n" \
  " \"title\": \"Yearly\", \"sections\": [{\"id\": \"s\", \"title\": \"S\", \"fields\": [\n" \
  "   {\"id\": \"a\", \"type\": \"integer\", \"label\": \"A\", \"required\": true}]}]}"

static void
test_versions_apply (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-semantics-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "wb.baocao", NULL);
  g_autoptr(BcTemplateRegistry) registry = bc_template_registry_new ();
  g_autoptr(BcTemplate) old = bc_template_new_from_data (APPLIES_FORM (1, "{\"to\": \"2018\"}"),
                                                         -1, "y1.json", &error);
  g_autoptr(BcTemplate) plan = bc_template_new_from_data (
    APPLIES_FORM (2, "{\"from\": \"2019\", \"issuers\": [\"UBND-QNG\", \"S\u1edf TT&TT Qu\u1ea3ng Ng\u00e3i\"]}"),
    -1, "y2.json", &error);
  g_autoptr(BcTemplate) bad = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autofree char *old_id = NULL;
  g_autofree char *new_id = NULL;
  g_autofree char *none = NULL;

  g_assert_no_error (error);
  bc_template_registry_add (registry, old);
  bc_template_registry_add (registry, plan);

  g_assert_true (bc_template_registry_lookup_for (registry, "yearly", "2016Q2", "X", NULL) == old);
  g_assert_true (bc_template_registry_lookup_for (registry, "yearly", "2019Q3", "UBND-QNG", NULL) == plan);
  g_assert_null (bc_template_registry_lookup_for (registry, "yearly", "2019Q3", "UBND-XYZ", &error));
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* New reports take the version for their period and unit. */
  workbook = bc_workbook_open (path, registry, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);
  old_id = bc_workbook_create_report (workbook, "yearly", "2016Q2", "UBND-QNG", &error);
  g_assert_no_error (error);
  new_id = bc_workbook_create_report (workbook, "yearly", "2019Q3", " UBND-QNG ", &error);
  g_assert_no_error (error);
  none = bc_workbook_create_report (workbook, "yearly", "2019Q3", "UBND-XYZ", &error);
  g_assert_null (none);
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE);
  g_clear_error (&error);

  report = bc_workbook_load_report (workbook, old_id, &error);
  g_assert_cmpint (bc_report_get_template_version (report), ==, 1);
  g_clear_object (&report);
  report = bc_workbook_load_report (workbook, new_id, &error);
  g_assert_cmpint (bc_report_get_template_version (report), ==, 2);
  g_clear_object (&report);

  /* Carrying the 2016 draft over keeps it on the version for 2016. */
  g_assert_true (bc_workbook_carry_over (workbook, old_id, &error));
  g_assert_no_error (error);
  report = bc_workbook_load_report (workbook, old_id, &error);
  g_assert_cmpint (bc_report_get_template_version (report), ==, 1);
  g_clear_object (&report);
  g_clear_object (&workbook);

  bad = bc_template_new_from_data (APPLIES_FORM (3, "{\"from\": \"later\"}"), -1, "y3.json", &error);
  g_assert_null (bad);
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID);
  g_clear_error (&error);
  bad = bc_template_new_from_data (APPLIES_FORM (3, "{\"issuers\": [1]}"), -1, "y3.json", &error);
  g_assert_null (bad);
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID);

  bc_test_remove_tree (dir);
}

/* --- a one-off period: a report answering a letter ------------------------------ */

static void
test_one_off_period (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *label_vi = NULL;
  g_autofree char *label_en = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-semantics-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "wb.baocao", NULL);
  g_autofree char *report_id = NULL;
  g_autofree char *refused = NULL;
  g_autoptr(BcTemplateRegistry) registry = bc_template_registry_new ();
  g_autoptr(BcTemplate) letter = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(BcReport) report = NULL;
  BcPeriod period, other, quarter;
  GDate start, end, due, today;

  g_assert_true (bc_period_parse ("2016-10-05", &period, &error));
  g_assert_no_error (error);
  g_assert_cmpint (period.type, ==, BC_PERIOD_ONE_OFF);
  id = bc_period_to_id (&period);
  g_assert_cmpstr (id, ==, "2016-10-05");
  label_vi = bc_period_label (&period, "vi");
  label_en = bc_period_label (&period, "en");
  g_assert_cmpstr (label_vi, ==, "Đột xuất 05/10/2016");
  g_assert_cmpstr (label_en, ==, "One-off 05/10/2016");

  /* Its day is its window and its due date, under no plan as under any. */
  bc_period_window (&period, &start, &end);
  g_assert_true (bc_template_registry_due_date (registry, "2016-10-05", "UBND-QNG", &due));
  g_assert_cmpint (g_date_get_day (&start), ==, 5);
  g_assert_cmpint (g_date_compare (&start, &end), ==, 0);
  g_assert_cmpint (g_date_compare (&start, &due), ==, 0);
  g_date_clear (&today, 1);
  g_date_set_dmy (&today, 6, 10, 2016);
  g_assert_cmpint (bc_template_registry_timeliness (registry, "2016-10-05", "UBND-QNG", &today, NULL),
                   ==, BC_TIMELINESS_LATE);

  bc_period_previous (&period, &other);
  g_assert_cmpint (other.day, ==, 4);
  g_assert_false (bc_period_equal (&period, &other));
  g_assert_cmpint (bc_period_compare (&other, &period), <, 0);
  /* Ordered by where its window starts: after 2016Q4's (15 Sep), before 2017Q1's. */
  g_assert_true (bc_period_parse ("2016Q4", &quarter, NULL));
  g_assert_cmpint (bc_period_compare (&period, &quarter), >, 0);
  g_assert_true (bc_period_parse ("2017Q1", &quarter, NULL));
  g_assert_cmpint (bc_period_compare (&period, &quarter), <, 0);

  g_assert_false (bc_period_parse ("2016-02-30", &other, &error));
  g_assert_error (error, BC_PERIOD_ERROR, BC_PERIOD_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (bc_period_parse ("2016-1-5", &other, NULL));
  g_assert_true (bc_period_parse ("2016-Q4", &other, NULL));
  g_assert_cmpint (other.type, ==, BC_PERIOD_QUARTER);

  /* A one-off form takes a day, and refuses a quarter. */
  letter = bc_template_new_from_data (
    "{\"format\": 1, \"id\": \"letter\", \"version\": 1, \"period_type\": \"one_off\",\n"
    " \"title\": \"Letter\", \"sections\": [{\"id\": \"s\", \"title\": \"S\", \"fields\": [\n"
    "   {\"id\": \"a\", \"type\": \"long_text\", \"label\": \"Answer\"}]}]}", -1, "l.json", &error);
  g_assert_no_error (error);
  bc_template_registry_add (registry, letter);
  workbook = bc_workbook_open (path, registry, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);
  report_id = bc_workbook_create_report (workbook, "letter", "2016-10-05", "UBND", &error);
  g_assert_no_error (error);
  report = bc_workbook_load_report (workbook, report_id, &error);
  g_assert_cmpstr (bc_report_get_period_id (report), ==, "2016-10-05");
  refused = bc_workbook_create_report (workbook, "letter", "2016Q4", "UBND", &error);
  g_assert_null (refused);
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID);

  g_clear_object (&report);
  g_clear_object (&workbook);
  bc_test_remove_tree (dir);
}

/* --- month and month-range fields ----------------------------------------------- */

static void
test_month_fields (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplate) template_ = bc_template_new_from_data (
    "{\"format\": 1, \"id\": \"months\", \"version\": 1, \"period_type\": \"quarter\",\n"
    " \"title\": \"Months\", \"sections\": [{\"id\": \"s\", \"title\": \"S\", \"fields\": [\n"
    "   {\"id\": \"since\", \"type\": \"month\", \"label\": \"Since\"},\n"
    "   {\"id\": \"when\", \"type\": \"month_range\", \"label\": \"When\"}]}]}",
    -1, "m.json", &error);
  const BcField *month, *range;
  const struct { const char *input; const char *canonical; const char *shown; } months[] = {
    { "10/2015", "2015-10", "10/2015" },
    { "tháng 8/2018", "2018-08", "8/2018" },
    { "Tháng 08/2018", "2018-08", "8/2018" },
    { "2015-10", "2015-10", "10/2015" },
    { "10.2015", "2015-10", "10/2015" },
  };
  const struct { const char *input; const char *canonical; const char *shown; } ranges[] = {
    { "10–11/2015", "2015-10/2015-11", "10–11/2015" },
    { "10-11/2015", "2015-10/2015-11", "10–11/2015" },
    { "10/2015 – 2/2016", "2015-10/2016-02", "10/2015–2/2016" },
    { "2015-10/2015-11", "2015-10/2015-11", "10–11/2015" },
    { "10/2015", "2015-10", "10/2015" },
  };
  const char *bad_months[] = { "13/2015", "10/15", "10–11/2015", "October", "0/2015" };
  const char *bad_ranges[] = { "11–10/2015", "2/2016-10/2015", "10-13/2015", "soon" };

  g_assert_no_error (error);
  month = bc_template_lookup_field (template_, "since");
  range = bc_template_lookup_field (template_, "when");
  g_assert_cmpstr (bc_field_get_type_name (month), ==, "month");
  g_assert_cmpstr (bc_field_get_type_name (range), ==, "month_range");

  for (guint i = 0; i < G_N_ELEMENTS (months); i++)
    {
      g_autofree char *canonical = NULL;
      g_autofree char *shown = NULL;

      g_assert_true (bc_field_parse_value (month, months[i].input, &canonical, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (canonical, ==, months[i].canonical);
      shown = bc_field_format_value (month, canonical, "vi");
      g_assert_cmpstr (shown, ==, months[i].shown);
    }
  for (guint i = 0; i < G_N_ELEMENTS (ranges); i++)
    {
      g_autofree char *canonical = NULL;
      g_autofree char *shown = NULL;
      g_autofree char *again = NULL;

      g_assert_true (bc_field_parse_value (range, ranges[i].input, &canonical, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (canonical, ==, ranges[i].canonical);
      shown = bc_field_format_value (range, canonical, "vi");
      g_assert_cmpstr (shown, ==, ranges[i].shown);
      /* What is shown can be entered again, to the same value. */
      g_assert_true (bc_field_parse_value (range, shown, &again, &error));
      g_assert_cmpstr (again, ==, canonical);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_months); i++)
    {
      g_autofree char *canonical = NULL;

      g_assert_false (bc_field_parse_value (month, bad_months[i], &canonical, &error));
      g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_VALUE);
      g_clear_error (&error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_ranges); i++)
    {
      g_autofree char *canonical = NULL;

      g_assert_false (bc_field_parse_value (range, bad_ranges[i], &canonical, &error));
      g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_VALUE);
      g_clear_error (&error);
    }
}

/* --- a preview of carrying over ------------------------------------------------- */

static const BcCarryOverChange *
find_change (GPtrArray       *changes,
             BcCarryOverKind  kind,
             const char      *key)
{
  for (guint i = 0; i < changes->len; i++)
    {
      const BcCarryOverChange *change = g_ptr_array_index (changes, i);

      if (change->kind == kind &&
          g_strcmp0 (kind == BC_CARRY_OVER_NEW ? change->new_key : change->old_key, key) == 0)
        return change;
    }
  return NULL;
}

static void
test_carry_over_preview (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-semantics-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "wb.baocao", NULL);
  g_autofree char *forms = g_test_build_filename (G_TEST_DIST, "templates", "workbook", NULL);
  g_autofree char *v1_path = g_build_filename (forms, "wbtest-v1.json", NULL);
  g_autoptr(GFile) v1_file = g_file_new_for_path (v1_path);
  g_autoptr(BcTemplate) v1 = bc_template_new_from_file (v1_file, &error);
  g_autoptr(BcTemplateRegistry) old_registry = bc_template_registry_new ();
  g_autoptr(BcTemplateRegistry) registry = bc_template_registry_new ();
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autofree char *id = NULL;
  const BcCarryOverChange *change;
  gint64 row;

  g_assert_no_error (error);
  bc_template_registry_add (old_registry, v1);
  g_assert_true (bc_template_registry_add_directory (registry, forms, &error));
  g_assert_no_error (error);

  workbook = bc_workbook_open (path, old_registry, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);
  id = bc_workbook_create_report (workbook, "wbtest", "2018Q2", "A", &error);
  g_assert_no_error (error);
  g_assert_true (bc_workbook_set_value (workbook, id, "old_total", 0, "7", &error));
  g_assert_true (bc_workbook_set_value (workbook, id, "obsolete", 0, "bỏ đi", &error));
  row = bc_workbook_add_row (workbook, id, "items", &error);
  g_assert_true (bc_workbook_set_value (workbook, id, "items.label", row, "Việc", &error));
  g_assert_no_error (error);
  g_clear_object (&workbook);

  workbook = bc_workbook_open (path, registry, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  changes = bc_workbook_carry_over_preview (workbook, id, &error);
  g_assert_no_error (error);

  change = find_change (changes, BC_CARRY_OVER_MOVES, "old_total");
  g_assert_nonnull (change);
  g_assert_cmpstr (change != NULL ? change->new_key : NULL, ==, "total");
  change = find_change (changes, BC_CARRY_OVER_MOVES, "items.label");
  g_assert_cmpstr (change != NULL ? change->new_key : NULL, ==, "items.title");
  g_assert_nonnull (find_change (changes, BC_CARRY_OVER_LOST, "obsolete"));
  g_assert_nonnull (find_change (changes, BC_CARRY_OVER_NEW, "region"));
  g_assert_nonnull (find_change (changes, BC_CARRY_OVER_NEW, "items.priority"));
  /* Neither the renamed target nor a kept field is "new". */
  g_assert_null (find_change (changes, BC_CARRY_OVER_NEW, "total"));
  g_assert_null (find_change (changes, BC_CARRY_OVER_NEW, "name"));

  /* Nothing changed. */
  report = bc_workbook_load_report (workbook, id, &error);
  g_assert_cmpint (bc_report_get_template_version (report), ==, 1);
  g_assert_cmpint (bc_report_get_revision (report), ==, 4);

  g_clear_object (&report);
  g_clear_object (&workbook);
  bc_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/semantics/hidden-is-blank", test_hidden_is_blank);
  g_test_add_func ("/core/semantics/rule-runs-unless-all-hidden", test_rule_runs_unless_all_hidden);
  g_test_add_func ("/core/semantics/conditions-in-a-loop", test_conditions_in_a_loop);
  g_test_add_func ("/core/semantics/broken-template-set-aside", test_broken_set_aside);

  g_test_add_func ("/core/semantics/quarterly-levels", test_quarterly_levels);
  g_test_add_func ("/core/semantics/quarterly-versions-by-year", test_quarterly_versions_by_year);
  g_test_add_func ("/core/semantics/quarterly-v1-carries-over-by-year", test_quarterly_v1_carries_over_by_year);
  g_test_add_func ("/core/semantics/target-in-force", test_target_in_force);
  g_test_add_func ("/core/semantics/versions-apply", test_versions_apply);
  g_test_add_func ("/core/semantics/one-off-period", test_one_off_period);
  g_test_add_func ("/core/semantics/month-fields", test_month_fields);
  g_test_add_func ("/core/semantics/carry-over-preview", test_carry_over_preview);
  g_test_add_func ("/core/semantics/carry-over-renamed-without-migration",
                   test_carry_over_renamed_without_migration);

  return g_test_run ();
}
