/* test-sync-plans.c: a plan the province publishes takes effect in an open workbook.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real baocao-server with a published plan, and a workbook as the window
 * holds it open: after one sync, the workbook's own registry gives its
 * reports the plan's due dates, with no restart; the plan is kept in the
 * user's template folder for the next start.
 */
#define G_LOG_DOMAIN "test-sync-plans"

#include "config.h"

#include <string.h>

#include "bc-outbox.h"
#include "bc-plan.h"
#include "bc-sync-harness.h"
#include "bc-test-util.h"

/* Plan 12 of 2022, for the harness's unit: quarterly reports due on the
 * 10th of the month after the quarter. */
static const char plan_12[] =
  "{ \"format\": 1, \"id\": \"qng-kh-12-2022\","
  "  \"name\": { \"vi\": \"Kế hoạch 12/KH-UBND\", \"en\": \"Plan 12/KH-UBND\" },"
  "  \"title\": { \"vi\": \"Kế hoạch số 12/KH-UBND\", \"en\": \"Plan No. 12/KH-UBND\" },"
  "  \"issuer\": { \"vi\": \"Ủy ban nhân dân tỉnh Quảng Ngãi\","
  "                \"en\": \"Quảng Ngãi Provincial People's Committee\" },"
  "  \"in_force\": { \"from\": \"2022Q1\", \"to\": \"2025\" },"
  "  \"units\": [\"" BC_HARNESS_UNIT "\"],"
  "  \"calendar\": { \"quarter\": { \"due\": { \"month\": 1, \"day\": 10 } } } }\n";

typedef struct {
  char         *dir;
  char         *data_dir;
  BcTestServer *server;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *plan = NULL;

  (void) data;
  fixture->dir = g_dir_make_tmp ("baocao-sync-plans-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->data_dir = g_build_filename (fixture->dir, "server", NULL);
  bc_test_server_prepare (fixture->data_dir);
  plan = g_build_filename (fixture->dir, "qng-kh-12-2022.plan.json", NULL);
  g_assert_true (g_file_set_contents (plan, plan_12, -1, &error));
  g_free (bc_test_server_admin (fixture->data_dir, "plans", "publish", plan, NULL));
  fixture->server = bc_test_server_start (fixture->data_dir, 0, NULL, NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  (void) data;
  g_clear_pointer (&fixture->server, bc_test_server_free);
  bc_test_remove_tree (fixture->dir);
  g_free (fixture->data_dir);
  g_free (fixture->dir);
}

/* The due date of a Q1/2022 report of the harness's unit, "dd/mm/yyyy",
 * or "No due date set". */
static char *
due_q1_2022 (BcTemplateRegistry *registry)
{
  GDate due;

  bc_template_registry_due_date (registry, "2022Q1", BC_HARNESS_UNIT, &due);
  return bc_plan_format_due_date (&due);
}

static void
test_take_effect (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcWorkbook) workbook = bc_test_workbook_new (fixture->dir, "unit.baocao");
  g_autoptr(BcSyncClient) client = bc_test_client_new (workbook, fixture->dir);
  g_autoptr(BcSyncSummary) first = NULL;
  g_autoptr(BcSyncSummary) second = NULL;
  g_autoptr(BcTemplateRegistry) restarted = NULL;
  g_autofree char *folder = bc_outbox_user_template_dir ();
  g_autofree char *stored = g_build_filename (folder, "qng-kh-12-2022.plan.json", NULL);
  BcTemplateRegistry *registry = bc_workbook_get_templates (workbook);
  char *due;

  (void) data;

  /* Plan 61, installed: the 19th of the quarter's last month. */
  due = due_q1_2022 (registry);
  g_assert_cmpstr (due, ==, "19/03/2022");
  g_free (due);

  bc_test_client_enrol (client, bc_test_server_get_url (fixture->server), "user-0", &error);
  g_assert_no_error (error);
  first = bc_test_client_sync (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (first->n_plans, ==, 1);

  /* The open workbook's registry follows Plan 12 at once. */
  g_assert_cmpstr (bc_plan_get_id (bc_template_registry_lookup_plan (registry, "2022Q1",
                                                                     BC_HARNESS_UNIT)),
                   ==, "qng-kh-12-2022");
  due = due_q1_2022 (registry);
  g_assert_cmpstr (due, ==, "10/04/2022");
  g_free (due);

  /* Kept for the next start; a second sync stores nothing again. */
  g_assert_true (g_file_test (stored, G_FILE_TEST_IS_REGULAR));
  second = bc_test_client_sync (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (second->n_plans, ==, 0);
  restarted = bc_template_registry_new_default (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (bc_outbox_load_user_templates (restarted, NULL), ==, 1);
  due = due_q1_2022 (restarted);
  g_assert_cmpstr (due, ==, "10/04/2022");
  g_free (due);
}

int
main (int   argc,
      char *argv[])
{
  /* Received plans go to the user's data folder: a scratch one, set
   * before GLib reads it. (G_TEST_OPTION_ISOLATE_DIRS would hide the
   * system's data folders, and with them the GSettings schemas.) */
  g_autofree char *home = g_dir_make_tmp ("baocao-sync-plans-home-XXXXXX", NULL);
  int status;

  g_assert_nonnull (home);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/sync/plans/take-effect", Fixture, NULL, fixture_setup, test_take_effect,
              fixture_teardown);

  status = g_test_run ();
  bc_test_remove_tree (home);
  return status;
}
