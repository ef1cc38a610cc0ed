/* test-report.c: report snapshots and the status machine.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-report"

#include "config.h"

#include "bc-report.h"

static void
test_status_machine (void)
{
  /* Every pair: exactly the brief's machine is allowed, nothing else. */
  static const struct { BcStatus from; BcStatus to; } allowed[] = {
    { BC_STATUS_DRAFT, BC_STATUS_READY },
    { BC_STATUS_READY, BC_STATUS_QUEUED },
    { BC_STATUS_READY, BC_STATUS_DRAFT },
    { BC_STATUS_QUEUED, BC_STATUS_SENT },
    { BC_STATUS_QUEUED, BC_STATUS_DRAFT },
    { BC_STATUS_SENT, BC_STATUS_ACCEPTED },
    { BC_STATUS_SENT, BC_STATUS_RETURNED },
    { BC_STATUS_RETURNED, BC_STATUS_DRAFT },
  };

  for (BcStatus from = 0; from <= BC_STATUS_LAST; from++)
    {
      for (BcStatus to = 0; to <= BC_STATUS_LAST; to++)
        {
          gboolean expected = FALSE;

          for (guint i = 0; i < G_N_ELEMENTS (allowed); i++)
            expected |= allowed[i].from == from && allowed[i].to == to;

          g_test_message ("%s → %s", bc_status_to_string (from), bc_status_to_string (to));
          g_assert_cmpint (bc_status_can_transition (from, to), ==, expected);
        }
    }

  /* An accepted report is final; a sent one cannot be pulled back. */
  g_assert_false (bc_status_can_transition (BC_STATUS_ACCEPTED, BC_STATUS_DRAFT));
  g_assert_false (bc_status_can_transition (BC_STATUS_SENT, BC_STATUS_DRAFT));
  g_assert_false (bc_status_can_transition (BC_STATUS_DRAFT, BC_STATUS_QUEUED));
}

static void
test_status_names (void)
{
  for (BcStatus status = 0; status <= BC_STATUS_LAST; status++)
    {
      BcStatus parsed = BC_STATUS_LAST;

      g_assert_true (bc_status_from_string (bc_status_to_string (status), &parsed));
      g_assert_cmpint (parsed, ==, status);
      g_assert_nonnull (bc_status_label (status));
    }

  g_assert_cmpstr (bc_status_to_string (BC_STATUS_RETURNED), ==, "returned");
  {
    BcStatus parsed = BC_STATUS_DRAFT;

    g_assert_false (bc_status_from_string ("sending", &parsed));
    g_assert_false (bc_status_from_string (NULL, &parsed));
    g_assert_cmpint (parsed, ==, BC_STATUS_DRAFT);
  }
}

static void
test_values_and_rows (void)
{
  g_autoptr(BcReport) report = bc_report_new ("0b6f3c1e-2f4c-4a8e-9d55-6b1f2f3c4d5e",
                                              "inspection-remediation", 1, "2018Q3", "UBND-QNG");

  g_assert_cmpstr (bc_report_get_template_id (report), ==, "inspection-remediation");
  g_assert_cmpint (bc_report_get_status (report), ==, BC_STATUS_DRAFT);

  bc_report_set_value (report, "conclusion_number", 0, "312/KL-Ttra");
  bc_report_append_row (report, "findings", 7);
  bc_report_append_row (report, "findings", 3);
  bc_report_set_value (report, "findings.status", 7, "resolved");
  bc_report_set_value (report, "findings.status", 3, "in_progress");

  g_assert_cmpstr (bc_report_get_value (report, "conclusion_number", 0), ==, "312/KL-Ttra");
  /* A scalar and a cell never meet, even with the same row id. */
  g_assert_null (bc_report_get_value (report, "conclusion_number", 7));
  g_assert_cmpstr (bc_report_get_value (report, "findings.status", 3), ==, "in_progress");

  /* Rows keep their order of position, not of id. */
  g_assert_cmpuint (bc_report_get_n_rows (report, "findings"), ==, 2);
  g_assert_cmpint (bc_report_get_row_id (report, "findings", 0), ==, 7);
  g_assert_cmpint (bc_report_get_row_id (report, "findings", 1), ==, 3);
  g_assert_cmpint (bc_report_get_row_id (report, "findings", 2), ==, 0);
  g_assert_cmpint (bc_report_find_row (report, "findings", 3), ==, 1);
  g_assert_cmpint (bc_report_find_row (report, "findings", 4), ==, -1);
  g_assert_cmpuint (bc_report_get_n_rows (report, "policies"), ==, 0);

  bc_report_set_value (report, "findings.status", 3, NULL);
  g_assert_null (bc_report_get_value (report, "findings.status", 3));
}

static void
collect_value (const char *key,
               gint64      row_id,
               const char *value,
               gpointer    user_data)
{
  g_ptr_array_add (user_data, g_strdup_printf ("%s/%" G_GINT64_FORMAT "=%s", key, row_id, value));
}

static void
test_foreach_value (void)
{
  g_autoptr(BcReport) report = bc_report_new ("a", "t", 1, "2018Q2", "U");
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);

  bc_report_set_value (report, "zeta", 0, "1");
  bc_report_set_value (report, "alpha", 0, "Quảng Ngãi");
  bc_report_set_value (report, "findings.done", 2, "4500");

  bc_report_foreach_value (report, collect_value, seen);

  g_assert_cmpuint (seen->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "alpha/0=Quảng Ngãi");
  g_assert_cmpstr (g_ptr_array_index (seen, 1), ==, "findings.done/2=4500");
  g_assert_cmpstr (g_ptr_array_index (seen, 2), ==, "zeta/0=1");
}

static void
test_justifications (void)
{
  g_autoptr(BcReport) report = bc_report_new ("a", "t", 1, "2018Q2", "U");

  bc_report_set_justification (report, "fell_since_last_quarter", 0,
                               "Hai đơn vị tạm ngừng dịch vụ để nâng cấp.");
  bc_report_set_justification (report, "action_when_resolved", 4, "Đã có văn bản.");

  g_assert_cmpstr (bc_report_get_justification (report, "fell_since_last_quarter", 0), ==,
                   "Hai đơn vị tạm ngừng dịch vụ để nâng cấp.");
  g_assert_null (bc_report_get_justification (report, "action_when_resolved", 0));
  g_assert_cmpstr (bc_report_get_justification (report, "action_when_resolved", 4), ==, "Đã có văn bản.");

  bc_report_set_justification (report, "fell_since_last_quarter", 0, NULL);
  g_assert_null (bc_report_get_justification (report, "fell_since_last_quarter", 0));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/report/status-machine", test_status_machine);
  g_test_add_func ("/core/report/status-names", test_status_names);
  g_test_add_func ("/core/report/values-and-rows", test_values_and_rows);
  g_test_add_func ("/core/report/foreach-value", test_foreach_value);
  g_test_add_func ("/core/report/justifications", test_justifications);

  return g_test_run ();
}
