/* test-validate.c: computed fields, conditions, rules and readiness.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-validate"

#include "config.h"

#include <string.h>

#include "bc-validate.h"

/* A small form with one of everything validation has to handle. */
static const char form_json[] =
  "{"
  "  \"format\": 1, \"id\": \"test-form\", \"version\": 1, \"period_type\": \"quarter\","
  "  \"title\": {\"vi\": \"Biểu mẫu thử\", \"en\": \"Test form\"},"
  "  \"sections\": ["
  "    {\"id\": \"services\", \"title\": {\"vi\": \"Dịch vụ\", \"en\": \"Services\"},"
  "     \"fields\": ["
  "       {\"id\": \"level3\", \"type\": \"integer\", \"required\": true, \"min\": 0,"
  "        \"label\": {\"vi\": \"Mức độ 3\", \"en\": \"Level 3\"}},"
  "       {\"id\": \"level4\", \"type\": \"integer\", \"min\": 0,"
  "        \"label\": {\"vi\": \"Mức độ 4\", \"en\": \"Level 4\"}},"
  "       {\"id\": \"total\", \"type\": \"integer\", \"compute\": \"level3 + level4\","
  "        \"label\": {\"vi\": \"Tổng\", \"en\": \"Total\"}},"
  "       {\"id\": \"level4_share\", \"type\": \"percentage\", \"compute\": \"round(level4 / total * 100, 1)\","
  "        \"target\": {\"op\": \">=\", \"value\": 30, \"source\": {\"vi\": \"Kế hoạch 61\", \"en\": \"Plan 61\"}},"
  "        \"label\": {\"vi\": \"Tỷ lệ mức độ 4\", \"en\": \"Level 4 share\"}},"
  "       {\"id\": \"received\", \"type\": \"integer\", \"label\": {\"vi\": \"Hồ sơ tiếp nhận\", \"en\": \"Received\"}},"
  "       {\"id\": \"resolved\", \"type\": \"integer\", \"label\": {\"vi\": \"Hồ sơ giải quyết\", \"en\": \"Resolved\"}},"
  "       {\"id\": \"signed\", \"type\": \"yes_no\", \"label\": {\"vi\": \"Có chữ ký số\", \"en\": \"Digitally signed\"}},"
  "       {\"id\": \"signer\", \"type\": \"text\", \"required\": true, \"visible_if\": \"signed = true\","
  "        \"label\": {\"vi\": \"Người ký\", \"en\": \"Signer\"}}"
  "     ]},"
  "    {\"id\": \"remediation\", \"title\": {\"vi\": \"Khắc phục\", \"en\": \"Remediation\"},"
  "     \"fields\": ["
  "       {\"id\": \"findings\", \"type\": \"table\", \"min_rows\": 1,"
  "        \"label\": {\"vi\": \"Tồn tại\", \"en\": \"Findings\"},"
  "        \"group_by\": \"unit\","
  "        \"carry_forward_if\": \"status != 'resolved'\","
  "        \"columns\": ["
  "          {\"id\": \"unit\", \"type\": \"text\", \"required\": true, \"label\": {\"vi\": \"Đơn vị\", \"en\": \"Unit\"}},"
  "          {\"id\": \"status\", \"type\": \"choice\", \"required\": true, \"label\": {\"vi\": \"Tình trạng\", \"en\": \"Status\"},"
  "           \"choices\": [{\"value\": \"resolved\", \"label\": {\"vi\": \"Đã khắc phục\", \"en\": \"Resolved\"}},"
  "                         {\"value\": \"open\", \"label\": {\"vi\": \"Chưa khắc phục\", \"en\": \"Open\"}}]},"
  "          {\"id\": \"done\", \"type\": \"integer\", \"label\": {\"vi\": \"Đã làm\", \"en\": \"Done\"}},"
  "          {\"id\": \"planned\", \"type\": \"text\", \"visible_if\": \"status = 'open'\", \"required\": true,"
  "           \"label\": {\"vi\": \"Thời hạn\", \"en\": \"Planned\"}}"
  "        ],"
  "        \"group_summaries\": ["
  "          {\"id\": \"resolved_share\", \"type\": \"percentage\","
  "           \"compute\": \"count(findings, status = 'resolved') / count(findings) * 100\","
  "           \"label\": {\"vi\": \"Tỷ lệ đã khắc phục\", \"en\": \"Share resolved\"}}"
  "        ]}"
  "     ]}"
  "  ],"
  "  \"rules\": ["
  "    {\"id\": \"resolved_le_received\", \"severity\": \"error\", \"check\": \"resolved <= received\","
  "     \"fields\": [\"resolved\"],"
  "     \"message\": {\"vi\": \"Số hồ sơ giải quyết không thể lớn hơn số tiếp nhận.\", \"en\": \"Resolved cannot exceed received.\"}},"
  "    {\"id\": \"total_not_fallen\", \"severity\": \"warning\", \"check\": \"blank(prev(total)) or total >= prev(total)\","
  "     \"fields\": [\"level3\"],"
  "     \"message\": {\"vi\": \"Tổng số dịch vụ giảm so với quý trước.\", \"en\": \"The total fell since last quarter.\"}},"
  "    {\"id\": \"done_when_resolved\", \"severity\": \"warning\", \"table\": \"findings\","
  "     \"when\": \"status = 'resolved'\", \"check\": \"present(done)\", \"fields\": [\"done\"],"
  "     \"message\": {\"vi\": \"Nêu kết quả đã làm.\", \"en\": \"Say what was done.\"}}"
  "  ]"
  "}";

static BcTemplate *
load_form (void)
{
  g_autoptr(GError) error = NULL;
  BcTemplate *template_;

  template_ = bc_template_new_from_data (form_json, -1, "test-form.json", &error);
  g_assert_no_error (error);
  g_assert_nonnull (template_);

  return template_;
}

static BcReport *
new_report (const char *period)
{
  return bc_report_new ("7a1e0d6c-0000-4000-8000-000000000001", "test-form", 1, period, "UBND-QNG");
}

static const BcIssue *
find_issue (GPtrArray  *issues,
            const char *rule_id,
            const char *path)
{
  for (guint i = 0; i < issues->len; i++)
    {
      const BcIssue *issue = g_ptr_array_index (issues, i);

      if (g_str_equal (issue->rule_id, rule_id) && (path == NULL || g_str_equal (issue->path, path)))
        return issue;
    }

  return NULL;
}

static void
add_finding (BcReport   *report,
             gint64      row_id,
             const char *unit,
             const char *status,
             const char *done,
             const char *planned)
{
  bc_report_append_row (report, "findings", row_id);
  bc_report_set_value (report, "findings.unit", row_id, unit);
  bc_report_set_value (report, "findings.status", row_id, status);
  bc_report_set_value (report, "findings.done", row_id, done);
  bc_report_set_value (report, "findings.planned", row_id, planned);
}

static void
test_computed_fields (void)
{
  g_autoptr(BcTemplate) template_ = load_form ();
  g_autoptr(BcReport) report = new_report ("2018Q2");
  g_auto(BcValue) value = BC_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  const BcField *total = bc_template_lookup_field (template_, "total");
  const BcField *share = bc_template_lookup_field (template_, "services.level4_share");

  g_assert_nonnull (total);
  g_assert_nonnull (share);

  /* Blank inputs give a blank total, not zero. */
  g_assert_true (bc_report_field_value (template_, report, NULL, total, 0, &value, &error));
  g_assert_no_error (error);
  g_assert_true (bc_value_is_blank (&value));

  bc_report_set_value (report, "level3", 0, "70");
  bc_report_set_value (report, "level4", 0, "24");
  g_assert_true (bc_report_field_value (template_, report, NULL, total, 0, &value, &error));
  g_assert_cmpint (value.kind, ==, BC_VALUE_NUMBER);
  g_assert_cmpfloat (value.number, ==, 94);

  /* A computed field built on another computed field. */
  g_assert_true (bc_report_field_value (template_, report, NULL, share, 0, &value, &error));
  g_assert_cmpfloat_with_epsilon (value.number, 25.5, 0.001);
}

static void
test_required_and_visibility (void)
{
  g_autoptr(BcTemplate) template_ = load_form ();
  g_autoptr(BcReport) report = new_report ("2018Q2");
  g_autoptr(GPtrArray) issues = NULL;
  const BcField *signer = bc_template_lookup_field (template_, "signer");
  const BcIssue *issue;

  issues = bc_validate_report (template_, report, NULL, "en");
  g_assert_nonnull (find_issue (issues, "required:level3", "level3"));
  /* The signer is hidden while "signed" is not yes, so it is not required. */
  g_assert_false (bc_report_field_visible (template_, report, NULL, signer, 0));
  g_assert_null (find_issue (issues, "required:signer", NULL));
  /* An empty findings table breaks min_rows. */
  g_assert_nonnull (find_issue (issues, "min_rows:findings", "findings"));
  g_clear_pointer (&issues, g_ptr_array_unref);

  bc_report_set_value (report, "signed", 0, "yes");
  g_assert_true (bc_report_field_visible (template_, report, NULL, signer, 0));
  issues = bc_validate_report (template_, report, NULL, "vi");
  issue = find_issue (issues, "required:signer", "signer");
  g_assert_nonnull (issue);
  /* The message names the field by its label in the language asked for. */
  g_assert_nonnull (strstr (issue->message, "Người ký"));
}

static void
test_rules (void)
{
  g_autoptr(BcTemplate) template_ = load_form ();
  g_autoptr(BcReport) report = new_report ("2018Q2");
  g_autoptr(GPtrArray) issues = NULL;
  const BcIssue *issue;

  bc_report_set_value (report, "received", 0, "710");
  bc_report_set_value (report, "resolved", 0, "711");
  issues = bc_validate_report (template_, report, NULL, "vi");
  issue = find_issue (issues, "resolved_le_received", "resolved");
  g_assert_nonnull (issue);
  g_assert_cmpint (issue->severity, ==, BC_SEVERITY_ERROR);
  g_assert_cmpstr (issue->message, ==, "Số hồ sơ giải quyết không thể lớn hơn số tiếp nhận.");
  g_clear_pointer (&issues, g_ptr_array_unref);

  /* Fixed: the rule holds. Blank: a rule whose check is blank is not broken. */
  bc_report_set_value (report, "resolved", 0, "700");
  issues = bc_validate_report (template_, report, NULL, "en");
  g_assert_null (find_issue (issues, "resolved_le_received", NULL));
  g_clear_pointer (&issues, g_ptr_array_unref);

  bc_report_set_value (report, "received", 0, NULL);
  issues = bc_validate_report (template_, report, NULL, "en");
  g_assert_null (find_issue (issues, "resolved_le_received", NULL));
}

static void
test_previous_period (void)
{
  g_autoptr(BcTemplate) template_ = load_form ();
  g_autoptr(BcReport) previous = new_report ("2018Q1");
  g_autoptr(BcReport) report = new_report ("2018Q2");
  g_autoptr(GPtrArray) issues = NULL;
  const BcIssue *issue;

  bc_report_set_value (previous, "level3", 0, "80");
  bc_report_set_value (previous, "level4", 0, "20");
  bc_report_set_value (report, "level3", 0, "70");
  bc_report_set_value (report, "level4", 0, "24");

  /* Without a previous report there is nothing to compare with. */
  issues = bc_validate_report (template_, report, NULL, "en");
  g_assert_null (find_issue (issues, "total_not_fallen", NULL));
  g_clear_pointer (&issues, g_ptr_array_unref);

  /* 94 < 100 last quarter: a warning, which needs a justification. */
  issues = bc_validate_report (template_, report, previous, "en");
  issue = find_issue (issues, "total_not_fallen", "level3");
  g_assert_nonnull (issue);
  g_assert_cmpint (issue->severity, ==, BC_SEVERITY_WARNING);
  g_assert_null (issue->justification);
  g_clear_pointer (&issues, g_ptr_array_unref);

  bc_report_set_justification (report, "total_not_fallen", 0, "Hai dịch vụ chuyển về cấp tỉnh.");
  issues = bc_validate_report (template_, report, previous, "en");
  issue = find_issue (issues, "total_not_fallen", "level3");
  g_assert_nonnull (issue);
  g_assert_cmpstr (issue->justification, ==, "Hai dịch vụ chuyển về cấp tỉnh.");
}

static void
test_table_rows (void)
{
  g_autoptr(BcTemplate) template_ = load_form ();
  g_autoptr(BcReport) report = new_report ("2018Q3");
  g_autoptr(GPtrArray) issues = NULL;
  const BcIssue *issue;

  add_finding (report, 11, "UBND huyện Lý Sơn", "resolved", "141", NULL);
  add_finding (report, 12, "UBND huyện Lý Sơn", "open", NULL, NULL);
  add_finding (report, 13, "Văn phòng UBND tỉnh", "resolved", NULL, NULL);

  issues = bc_validate_report (template_, report, NULL, "en");

  /* Row 2 is open, so its planned date is shown and required. */
  issue = find_issue (issues, "required:findings.planned", "findings[2].planned");
  g_assert_nonnull (issue);
  g_assert_cmpint (issue->row_id, ==, 12);
  g_assert_null (find_issue (issues, "required:findings.planned", "findings[1].planned"));

  /* The per-row warning fires on the resolved row without figures only. */
  issue = find_issue (issues, "done_when_resolved", "findings[3].done");
  g_assert_nonnull (issue);
  g_assert_cmpint (issue->row_id, ==, 13);
  g_assert_null (find_issue (issues, "done_when_resolved", "findings[1].done"));
  g_assert_null (find_issue (issues, "min_rows:findings", NULL));
}

static void
test_group_summaries (void)
{
  g_autoptr(BcTemplate) template_ = load_form ();
  g_autoptr(BcReport) report = new_report ("2018Q3");
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GError) error = NULL;
  const BcField *findings = bc_template_lookup_field (template_, "findings");
  const BcGroupSummary *summary;

  add_finding (report, 1, "UBND huyện Lý Sơn", "resolved", "141", NULL);
  add_finding (report, 2, "Văn phòng UBND tỉnh", "open", NULL, "Quý IV/2018");
  add_finding (report, 3, "UBND huyện Lý Sơn", "open", NULL, "Quý IV/2018");
  add_finding (report, 4, "UBND huyện Lý Sơn", "resolved", "4500", NULL);

  groups = bc_report_group_summaries (template_, report, NULL, findings, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (groups->len, ==, 3);

  /* Per unit, in the order they first appear, then overall. */
  summary = g_ptr_array_index (groups, 0);
  g_assert_cmpstr (summary->group, ==, "UBND huyện Lý Sơn");
  g_assert_cmpuint (summary->n_rows, ==, 3);
  g_assert_cmpfloat_with_epsilon (summary->values[0].number, 200.0 / 3.0, 0.001);

  summary = g_ptr_array_index (groups, 1);
  g_assert_cmpstr (summary->group, ==, "Văn phòng UBND tỉnh");
  g_assert_cmpfloat (summary->values[0].number, ==, 0);

  summary = g_ptr_array_index (groups, 2);
  g_assert_null (summary->group);
  g_assert_cmpuint (summary->n_rows, ==, 4);
  g_assert_cmpfloat (summary->values[0].number, ==, 50);
}

static void
test_ready (void)
{
  g_autoptr(BcTemplate) template_ = load_form ();
  g_autoptr(BcReport) previous = new_report ("2018Q1");
  g_autoptr(BcReport) report = new_report ("2018Q2");
  g_autoptr(GError) error = NULL;

  g_assert_false (bc_validate_ready (template_, report, NULL, &error));
  g_assert_error (error, BC_VALIDATE_ERROR, BC_VALIDATE_ERROR_NOT_READY);
  /* Every reason is listed by the field's label, with where it is. */
  g_assert_nonnull (strstr (error->message, "• Level 3 (level3): "));
  g_assert_nonnull (strstr (error->message, "• Findings (findings): "));
  g_clear_error (&error);

  /* The labels follow the user's language. */
  g_setenv ("BAOCAO_LANGUAGE", "vi", TRUE);
  g_assert_false (bc_validate_ready (template_, report, NULL, &error));
  g_unsetenv ("BAOCAO_LANGUAGE");
  g_assert_nonnull (strstr (error->message, "Mức độ 3 (level3)"));
  g_assert_nonnull (strstr (error->message, "Tồn tại (findings)"));
  g_clear_error (&error);

  bc_report_set_value (report, "level3", 0, "70");
  bc_report_set_value (report, "level4", 0, "24");
  add_finding (report, 1, "UBND huyện Lý Sơn", "resolved", "141", NULL);
  bc_report_set_value (previous, "level3", 0, "100");
  bc_report_set_value (previous, "level4", 0, "0");

  /* Only an unjustified warning is left: still not ready. */
  g_assert_false (bc_validate_ready (template_, report, previous, &error));
  g_assert_nonnull (strstr (error->message, "• Level 3 (level3): "));
  g_assert_nonnull (strstr (error->message, "justification"));
  g_clear_error (&error);

  /* A cell is named by its column's label and its row. */
  bc_report_set_value (report, "findings.status", 1, "open");
  g_assert_false (bc_validate_ready (template_, report, previous, &error));
  g_assert_nonnull (strstr (error->message, "• Planned (findings[1].planned): "));
  g_clear_error (&error);
  bc_report_set_value (report, "findings.status", 1, "resolved");

  bc_report_set_justification (report, "total_not_fallen", 0, "Chuyển hai dịch vụ về tỉnh.");
  g_assert_true (bc_validate_ready (template_, report, previous, &error));
  g_assert_no_error (error);
}

static void
test_resolve_path (void)
{
  g_autoptr(BcTemplate) template_ = load_form ();
  g_autoptr(BcReport) report = new_report ("2018Q3");
  g_autoptr(GError) error = NULL;
  const BcField *field = NULL;
  gint64 row_id = -1;
  guint row = 99;

  add_finding (report, 5, "A", "open", NULL, NULL);
  add_finding (report, 9, "B", "open", NULL, NULL);

  g_assert_true (bc_report_resolve_path (template_, report, "services.level3", &field, &row_id, &row, &error));
  g_assert_cmpstr (field->id, ==, "level3");
  g_assert_cmpint (row_id, ==, 0);

  g_assert_true (bc_report_resolve_path (template_, report, "findings[2].status", &field, &row_id, &row, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (field->id, ==, "status");
  g_assert_cmpint (row_id, ==, 9);
  g_assert_cmpuint (row, ==, 1);

  g_assert_false (bc_report_resolve_path (template_, report, "findings[3].status", &field, &row_id, &row, &error));
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (bc_report_resolve_path (template_, report, "findings[0].status", NULL, NULL, NULL, &error));
  g_clear_error (&error);
  g_assert_false (bc_report_resolve_path (template_, report, "findings[1].nope", NULL, NULL, NULL, &error));
  g_clear_error (&error);
  g_assert_false (bc_report_resolve_path (template_, report, "status", NULL, NULL, NULL, &error));
  g_clear_error (&error);
  g_assert_false (bc_report_resolve_path (template_, report, "levle3", NULL, NULL, NULL, &error));
  g_assert_nonnull (strstr (error->message, "levle3"));
}

/* A form whose computed fields double at every link: c_k = c_(k-1) + c_(k-1),
 * 32 links, a rule on the last one and a group summary that reads a
 * computed field. Worked out naively, a link costs twice the one before it. */
#define CHAIN_LINKS 32

static BcTemplate *
load_chain_form (void)
{
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  BcTemplate *template_;

  g_string_append (json,
                   "{\"format\": 1, \"id\": \"chain-form\", \"version\": 1, \"period_type\": \"quarter\","
                   " \"title\": {\"vi\": \"Chuỗi\", \"en\": \"Chain\"},"
                   " \"sections\": [{\"id\": \"chain\", \"title\": {\"vi\": \"Chuỗi\", \"en\": \"Chain\"},"
                   "  \"fields\": ["
                   "   {\"id\": \"c0\", \"type\": \"integer\", \"label\": {\"vi\": \"Gốc\", \"en\": \"Start\"}},");
  for (guint k = 1; k <= CHAIN_LINKS; k++)
    g_string_append_printf (json,
                            "   {\"id\": \"c%u\", \"type\": \"integer\", \"compute\": \"c%u + c%u\","
                            "    \"label\": {\"vi\": \"Mắt %u\", \"en\": \"Link %u\"}},",
                            k, k - 1, k - 1, k, k);
  g_string_append (json,
                   "   {\"id\": \"open_count\", \"type\": \"integer\", \"compute\": \"count(items, open = true)\","
                   "    \"label\": {\"vi\": \"Số chưa xong\", \"en\": \"Open items\"}},"
                   "   {\"id\": \"items\", \"type\": \"table\", \"group_by\": \"unit\","
                   "    \"label\": {\"vi\": \"Việc\", \"en\": \"Items\"},"
                   "    \"columns\": ["
                   "      {\"id\": \"unit\", \"type\": \"text\", \"label\": {\"vi\": \"Đơn vị\", \"en\": \"Unit\"}},"
                   "      {\"id\": \"open\", \"type\": \"yes_no\", \"label\": {\"vi\": \"Chưa xong\", \"en\": \"Open\"}}"
                   "    ],"
                   "    \"group_summaries\": ["
                   "      {\"id\": \"open_twice\", \"type\": \"integer\", \"compute\": \"open_count + open_count\","
                   "       \"label\": {\"vi\": \"Gấp đôi\", \"en\": \"Twice\"}}"
                   "    ]}"
                   "  ]}],"
                   " \"rules\": ["
                   "   {\"id\": \"chain_end\", \"severity\": \"error\", \"check\": \"c32 != c0 * 4294967296\","
                   "    \"fields\": [\"c32\"],"
                   "    \"message\": {\"vi\": \"Mắt cuối gấp 2^32 lần gốc.\", \"en\": \"The last link is 2^32 times the start.\"}}"
                   " ]}");

  template_ = bc_template_new_from_data (json->str, json->len, "chain-form.json", &error);
  g_assert_no_error (error);
  g_assert_nonnull (template_);

  return template_;
}

static void
test_computed_chain (void)
{
  g_autoptr(BcTemplate) template_ = load_chain_form ();
  g_autoptr(BcReport) report = bc_report_new ("7a1e0d6c-0000-4000-8000-000000000002", "chain-form", 1,
                                              "2018Q2", "UBND-QNG");
  g_autoptr(BcReport) previous = bc_report_new ("7a1e0d6c-0000-4000-8000-000000000003", "chain-form", 1,
                                                "2018Q1", "UBND-QNG");
  g_autoptr(GPtrArray) issues = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(BcValue) value = BC_VALUE_INIT;
  g_autofree char *last_id = g_strdup_printf ("c%u", CHAIN_LINKS);
  const BcField *last = bc_template_lookup_field (template_, last_id);
  const BcIssue *issue;

  g_assert_nonnull (last);
  bc_report_set_value (report, "c0", 0, "3");
  bc_report_set_value (previous, "c0", 0, "5");

  /* Each link is worked out once, so the whole chain fits in one
   * expression's budget and the value is exact: 3 × 2^32. */
  g_assert_true (bc_report_field_value (template_, report, previous, last, 0, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpint (value.kind, ==, BC_VALUE_NUMBER);
  g_assert_cmpfloat (value.number, ==, 3.0 * 4294967296.0);

  /* Validation ends, and the rule on the last link was really evaluated:
   * its check is false because the value is right (not an error saying the
   * check could not be evaluated). */
  issues = bc_validate_report (template_, report, previous, "en");
  issue = find_issue (issues, "chain_end", last_id);
  g_assert_nonnull (issue);
  g_assert_cmpint (issue->severity, ==, BC_SEVERITY_ERROR);
  g_assert_cmpstr (issue->message, ==, "The last link is 2^32 times the start.");
  g_clear_pointer (&issues, g_ptr_array_unref);

  /* A wrong start changes the end: nothing is remembered across passes. */
  bc_report_set_value (report, "c0", 0, "4");
  g_assert_true (bc_report_field_value (template_, report, previous, last, 0, &value, &error));
  g_assert_cmpfloat (value.number, ==, 4.0 * 4294967296.0);
}

static void
test_memo_per_group (void)
{
  g_autoptr(BcTemplate) template_ = load_chain_form ();
  g_autoptr(BcReport) report = bc_report_new ("7a1e0d6c-0000-4000-8000-000000000004", "chain-form", 1,
                                              "2018Q2", "UBND-QNG");
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GError) error = NULL;
  const BcField *items = bc_template_lookup_field (template_, "items");
  const BcGroupSummary *summary;
  static const struct {
    const char *unit;
    const char *open;
  } rows[] = {
    { "UBND huyện Lý Sơn", "yes" },
    { "Văn phòng UBND tỉnh", "no" },
    { "UBND huyện Lý Sơn", "yes" },
    { "Sở Nội vụ", "yes" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      bc_report_append_row (report, "items", i + 1);
      bc_report_set_value (report, "items.unit", i + 1, rows[i].unit);
      bc_report_set_value (report, "items.open", i + 1, rows[i].open);
    }

  /* A computed field read by a group summary counts that group's rows
   * only: what one group worked out must not leak into the next. */
  groups = bc_report_group_summaries (template_, report, NULL, items, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (groups->len, ==, 4);
  summary = g_ptr_array_index (groups, 0);
  g_assert_cmpstr (summary->group, ==, "UBND huyện Lý Sơn");
  g_assert_cmpfloat (summary->values[0].number, ==, 4);
  summary = g_ptr_array_index (groups, 1);
  g_assert_cmpfloat (summary->values[0].number, ==, 0);
  summary = g_ptr_array_index (groups, 2);
  g_assert_cmpfloat (summary->values[0].number, ==, 2);
  summary = g_ptr_array_index (groups, 3);
  g_assert_null (summary->group);
  g_assert_cmpfloat (summary->values[0].number, ==, 6);
}

/* A justification clears a warning, never an error: a report with a
 * failing error rule is not ready, whatever is written beside it. */
static void
test_justified_error_blocks (void)
{
  g_autoptr(BcTemplate) template_ = load_form ();
  g_autoptr(BcReport) previous = new_report ("2018Q1");
  g_autoptr(BcReport) report = new_report ("2018Q2");
  g_autoptr(GPtrArray) issues = NULL;
  g_autoptr(GError) error = NULL;
  const BcIssue *issue;

  bc_report_set_value (report, "level3", 0, "70");
  bc_report_set_value (report, "level4", 0, "24");
  add_finding (report, 1, "UBND huyện Lý Sơn", "resolved", "141", NULL);
  /* The error: more resolved than received. */
  bc_report_set_value (report, "received", 0, "10");
  bc_report_set_value (report, "resolved", 0, "12");
  bc_report_set_justification (report, "resolved_le_received", 0, "Số liệu của Sở.");

  issues = bc_validate_report (template_, report, previous, "en");
  issue = find_issue (issues, "resolved_le_received", "resolved");
  g_assert_nonnull (issue);
  g_assert_cmpint (issue->severity, ==, BC_SEVERITY_ERROR);

  g_assert_false (bc_validate_ready (template_, report, previous, &error));
  g_assert_error (error, BC_VALIDATE_ERROR, BC_VALIDATE_ERROR_NOT_READY);
  g_assert_nonnull (strstr (error->message, "Resolved cannot exceed received."));
  /* Said as an error, not as a warning that wants a justification. */
  g_assert_null (strstr (error->message, "justification"));
  g_clear_error (&error);

  /* Corrected, it is ready; the justification left beside it is harmless. */
  bc_report_set_value (report, "resolved", 0, "10");
  g_assert_true (bc_validate_ready (template_, report, previous, &error));
  g_assert_no_error (error);
}

/* Rules whose check, or whose condition, fails at run time: comparing a
 * text with a number is an error of the form's author that the loader
 * cannot see, since the field may be blank. */
static const char broken_form_json[] =
  "{"
  "  \"format\": 1, \"id\": \"broken-form\", \"version\": 1, \"period_type\": \"quarter\","
  "  \"title\": {\"vi\": \"Biểu mẫu lỗi\", \"en\": \"Broken form\"},"
  "  \"sections\": ["
  "    {\"id\": \"main\", \"title\": {\"vi\": \"Chung\", \"en\": \"General\"},"
  "     \"fields\": ["
  "       {\"id\": \"name\", \"type\": \"text\", \"label\": {\"vi\": \"Tên\", \"en\": \"Name\"}},"
  "       {\"id\": \"count\", \"type\": \"integer\", \"label\": {\"vi\": \"Số\", \"en\": \"Count\"}}"
  "     ]}"
  "  ],"
  "  \"rules\": ["
  "    {\"id\": \"name_long\", \"severity\": \"warning\", \"check\": \"name > 5\","
  "     \"fields\": [\"name\"],"
  "     \"message\": {\"vi\": \"Tên quá ngắn.\", \"en\": \"The name is short.\"}},"
  "    {\"id\": \"count_when_named\", \"severity\": \"warning\", \"when\": \"name > 5\","
  "     \"check\": \"present(count)\", \"fields\": [\"count\"],"
  "     \"message\": {\"vi\": \"Nhập số.\", \"en\": \"Enter the count.\"}}"
  "  ]"
  "}";

/* A rule that cannot be evaluated must not pass silently, nor be waved
 * through as a warning: it is an error issue, on its first field, saying
 * why, and it blocks readiness even when a justification is written for
 * the (warning) rule. */
static void
test_broken_rule_is_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplate) template_ = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(GPtrArray) issues = NULL;
  const char *rules[] = { "name_long", "count_when_named" };
  const char *paths[] = { "name", "count" };

  template_ = bc_template_new_from_data (broken_form_json, -1, "broken-form.json", &error);
  g_assert_no_error (error);
  report = bc_report_new ("7a1e0d6c-0000-4000-8000-000000000009", "broken-form", 1, "2018Q2", "UBND-QNG");

  /* Blank: nothing to compare, both rules hold. */
  issues = bc_validate_report (template_, report, NULL, "en");
  g_assert_cmpuint (issues->len, ==, 0);
  g_clear_pointer (&issues, g_ptr_array_unref);
  g_assert_true (bc_validate_ready (template_, report, NULL, &error));
  g_assert_no_error (error);

  bc_report_set_value (report, "name", 0, "Sở Thông tin và Truyền thông");
  bc_report_set_value (report, "count", 0, "3");
  issues = bc_validate_report (template_, report, NULL, "en");
  g_assert_cmpuint (issues->len, ==, 2);
  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    {
      const BcIssue *issue = find_issue (issues, rules[i], NULL);

      if (issue == NULL)
        g_error ("no issue for the rule %s that could not be evaluated", rules[i]);
      g_assert_cmpint (issue->severity, ==, BC_SEVERITY_ERROR);
      g_assert_cmpstr (issue->path, ==, paths[i]);
      g_assert_nonnull (strstr (issue->message, "could not be evaluated"));
      g_assert_nonnull (strstr (issue->message, rules[i]));
      /* The reason, from the expression language. */
      g_assert_nonnull (strstr (issue->message, "compare"));
    }
  g_clear_pointer (&issues, g_ptr_array_unref);

  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    bc_report_set_justification (report, rules[i], 0, "Đã kiểm tra.");
  g_assert_false (bc_validate_ready (template_, report, NULL, &error));
  g_assert_error (error, BC_VALIDATE_ERROR, BC_VALIDATE_ERROR_NOT_READY);
  g_assert_nonnull (strstr (error->message, "could not be evaluated"));
  g_assert_null (strstr (error->message, "justification"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/validate/computed", test_computed_fields);
  g_test_add_func ("/core/validate/required-and-visibility", test_required_and_visibility);
  g_test_add_func ("/core/validate/rules", test_rules);
  g_test_add_func ("/core/validate/previous-period", test_previous_period);
  g_test_add_func ("/core/validate/table-rows", test_table_rows);
  g_test_add_func ("/core/validate/group-summaries", test_group_summaries);
  g_test_add_func ("/core/validate/ready", test_ready);
  g_test_add_func ("/core/validate/resolve-path", test_resolve_path);
  g_test_add_func ("/core/validate/computed-chain", test_computed_chain);
  g_test_add_func ("/core/validate/memo-per-group", test_memo_per_group);
  g_test_add_func ("/core/validate/justified-error-blocks", test_justified_error_blocks);
  g_test_add_func ("/core/validate/broken-rule-is-error", test_broken_rule_is_error);

  return g_test_run ();
}
