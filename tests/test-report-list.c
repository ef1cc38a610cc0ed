/* test-report-list.c: tests of the list model of a workbook's reports.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-report-list"

#include "config.h"

#include <locale.h>

#include <glib/gstdio.h>

#include "bc-report-list.h"
#include "bc-workbook.h"

typedef struct {
  char               *dir;
  char               *path;
  BcTemplateRegistry *templates;
  BcWorkbook         *workbook;
  BcReportList       *list;
  /* items-changed calls, as "position:removed:added" */
  GPtrArray          *changes;
} Fixture;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *fixture)
{
  g_ptr_array_add (fixture->changes, g_strdup_printf ("%u:%u:%u", position, removed, added));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-report-list-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "wb.baocao", NULL);
  fixture->templates = bc_template_registry_new_default (&error);
  g_assert_no_error (error);
  fixture->workbook = bc_workbook_open (fixture->path, fixture->templates,
                                        BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);
  fixture->list = bc_report_list_new (fixture->workbook, "en");
  fixture->changes = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (fixture->list, "items-changed", G_CALLBACK (items_changed_cb), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (fixture->path, "-shm", NULL);

  g_assert_finalize_object (fixture->list);
  bc_workbook_close (fixture->workbook);
  g_assert_finalize_object (fixture->workbook);
  g_clear_object (&fixture->templates);
  g_ptr_array_unref (fixture->changes);
  g_remove (wal);
  g_remove (shm);
  g_remove (fixture->path);
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static void
refresh_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean *done = user_data;

  g_assert_true (bc_report_list_refresh_finish (BC_REPORT_LIST (source), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

/* Refreshes and waits: the list only ever changes on the caller's thread. */
static void
refresh (Fixture *fixture)
{
  gboolean done = FALSE;

  bc_report_list_refresh_async (fixture->list, NULL, refresh_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
count_cb (guint *counter)
{
  (*counter)++;
}

static char *
create (Fixture    *fixture,
        const char *template_id,
        const char *period_id,
        const char *unit)
{
  g_autoptr(GError) error = NULL;
  char *id = bc_workbook_create_report (fixture->workbook, template_id, period_id, unit, &error);

  g_assert_no_error (error);
  g_assert_nonnull (id);
  return id;
}

static BcReportItem *
item_at (Fixture *fixture,
         guint    position)
{
  BcReportItem *item = g_list_model_get_item (G_LIST_MODEL (fixture->list), position);

  g_assert_nonnull (item);
  /* The list keeps its own reference. */
  g_object_unref (item);
  return item;
}

static void
test_sorted_by_period (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autofree char *q1 = create (fixture, "egov-quarterly", "2018Q1", "UBND-QNG");
  g_autofree char *q2b = create (fixture, "egov-quarterly", "2018Q2", "UBND-B");
  g_autofree char *insp = create (fixture, "inspection-remediation", "2018Q2", "UBND-QNG");
  g_autofree char *q2a = create (fixture, "egov-quarterly", "2018Q2", "UBND-A");
  BcReportItem *item;

  g_assert_false (bc_report_list_get_loaded (fixture->list));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 0);

  refresh (fixture);

  g_assert_true (bc_report_list_get_loaded (fixture->list));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 4);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (fixture->list)) == BC_TYPE_REPORT_ITEM);

  /* Newest period first; then title ("Inspection…" before "Quarterly…"),
   * then unit: a view can head each period once. */
  g_assert_cmpstr (bc_report_item_get_id (item_at (fixture, 0)), ==, insp);
  g_assert_cmpstr (bc_report_item_get_id (item_at (fixture, 1)), ==, q2a);
  g_assert_cmpstr (bc_report_item_get_id (item_at (fixture, 2)), ==, q2b);
  g_assert_cmpstr (bc_report_item_get_id (item_at (fixture, 3)), ==, q1);

  item = item_at (fixture, 1);
  g_assert_cmpstr (bc_report_item_get_title (item), ==, "Quarterly e-government progress report");
  g_assert_cmpstr (bc_report_item_get_template_id (item), ==, "egov-quarterly");
  /* The version for 2018 (the Resolution 36a years), not the newest. */
  g_assert_cmpint (bc_report_item_get_template_version (item), ==, 2);
  g_assert_cmpstr (bc_report_item_get_period_id (item), ==, "2018Q2");
  g_assert_cmpstr (bc_report_item_get_period_label (item), ==, "Quarter II/2018");
  g_assert_cmpstr (bc_report_item_get_unit (item), ==, "UBND-A");
  g_assert_cmpint (bc_report_item_get_status (item), ==, BC_STATUS_DRAFT);
  g_assert_cmpint (bc_report_item_get_submitted_at (item), ==, 0);
  g_assert_cmpint (bc_report_item_get_revision (item), >=, 0);

  g_assert_true (bc_report_list_find (fixture->list, q1, NULL) == item_at (fixture, 3));
  {
    guint position = 99;

    g_assert_nonnull (bc_report_list_find (fixture->list, q2b, &position));
    g_assert_cmpuint (position, ==, 2);
  }
  g_assert_null (bc_report_list_find (fixture->list, "no-such-report", NULL));
}

static void
test_vietnamese_titles (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autofree char *id = create (fixture, "egov-quarterly", "2018Q2", "UBND-QNG");
  g_autoptr(BcReportList) vi = bc_report_list_new (fixture->workbook, "vi");
  gboolean done = FALSE;
  g_autoptr(BcReportItem) item = NULL;

  bc_report_list_refresh_async (vi, NULL, refresh_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  item = g_list_model_get_item (G_LIST_MODEL (vi), 0);
  g_assert_cmpstr (bc_report_item_get_title (item), ==,
                   "Báo cáo tình hình triển khai Chính quyền điện tử hằng quý");
  g_assert_cmpstr (bc_report_item_get_period_label (item), ==, "Quý II/2018");
}

static void
test_refresh_keeps_items (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autofree char *q1 = create (fixture, "egov-quarterly", "2018Q1", "UBND-QNG");
  g_autofree char *q3 = create (fixture, "egov-quarterly", "2018Q3", "UBND-QNG");
  g_autofree char *q2 = NULL;
  g_autoptr(GError) error = NULL;
  BcReportItem *first;
  BcReportItem *last;
  guint revision_notes = 0;
  gint64 revision;

  refresh (fixture);
  g_assert_cmpuint (fixture->changes->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->changes, 0), ==, "0:0:2");
  g_ptr_array_set_size (fixture->changes, 0);

  first = item_at (fixture, 0);
  last = item_at (fixture, 1);
  g_assert_cmpstr (bc_report_item_get_id (first), ==, q3);
  revision = bc_report_item_get_revision (first);

  /* An edit changes the item in place, and nothing moves. */
  g_assert_true (bc_workbook_set_value (fixture->workbook, q3, "doc_place", 0, "Quảng Ngãi", &error));
  g_assert_no_error (error);
  {
    gulong handler = g_signal_connect_swapped (first, "notify::revision",
                                               G_CALLBACK (count_cb), &revision_notes);

    refresh (fixture);
    g_signal_handler_disconnect (first, handler);
  }
  g_assert_cmpuint (fixture->changes->len, ==, 0);
  g_assert_true (item_at (fixture, 0) == first);
  g_assert_cmpint (bc_report_item_get_revision (first), >, revision);
  g_assert_cmpuint (revision_notes, ==, 1);

  /* A new report in the middle: only that position is signalled, so a
   * view keeps its selection. */
  q2 = create (fixture, "egov-quarterly", "2018Q2", "UBND-QNG");
  refresh (fixture);
  g_assert_cmpuint (fixture->changes->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->changes, 0), ==, "1:0:1");
  g_assert_true (item_at (fixture, 0) == first);
  g_assert_cmpstr (bc_report_item_get_id (item_at (fixture, 1)), ==, q2);
  g_assert_true (item_at (fixture, 2) == last);
  g_ptr_array_set_size (fixture->changes, 0);

  /* A deleted report goes, and only it. */
  g_assert_true (bc_workbook_delete_report (fixture->workbook, q2, &error));
  g_assert_no_error (error);
  refresh (fixture);
  g_assert_cmpuint (fixture->changes->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->changes, 0), ==, "1:1:0");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 2);
  g_assert_null (bc_report_list_find (fixture->list, q2, NULL));
  g_assert_nonnull (bc_report_list_find (fixture->list, q1, NULL));
}

static void
test_timeliness (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *q1 = create (fixture, "egov-quarterly", "2020Q1", "UBND-QNG");
  g_autofree char *q2 = create (fixture, "egov-quarterly", "2020Q2", "UBND-QNG");
  g_autofree char *q3 = create (fixture, "egov-quarterly", "2020Q3", "UBND-QNG");
  /* Before Plan 61/KH-UBND was in force, and a unit of another province:
   * no plan sets a due date, so nothing is due or late. */
  g_autofree char *old = create (fixture, "egov-quarterly", "2018Q2", "UBND-QNG");
  g_autofree char *older = create (fixture, "egov-quarterly", "2016Q2", "UBND-QNG");
  g_autofree char *elsewhere = create (fixture, "egov-quarterly", "2020Q2", "UBND-HCM");
  GDate today;
  const GDate *due;

  /* 15 June 2020: under Plan 61, Q2 is due on the 19th, Q1 was due in March. */
  g_date_clear (&today, 1);
  g_date_set_dmy (&today, 15, G_DATE_JUNE, 2020);
  bc_report_list_set_today (fixture->list, &today);
  refresh (fixture);

  g_assert_cmpint (bc_report_item_get_timeliness (bc_report_list_find (fixture->list, q1, NULL)), ==, BC_TIMELINESS_LATE);
  g_assert_cmpint (bc_report_item_get_timeliness (bc_report_list_find (fixture->list, q2, NULL)), ==, BC_TIMELINESS_DUE);
  g_assert_cmpint (bc_report_item_get_timeliness (bc_report_list_find (fixture->list, q3, NULL)), ==, BC_TIMELINESS_OPEN);

  due = bc_report_item_get_due_date (bc_report_list_find (fixture->list, q2, NULL));
  g_assert_nonnull (due);
  g_assert_cmpint (g_date_get_day (due), ==, 19);
  g_assert_cmpint (g_date_get_month (due), ==, G_DATE_JUNE);
  g_assert_cmpint (g_date_get_year (due), ==, 2020);

  g_assert_cmpint (bc_report_item_get_timeliness (bc_report_list_find (fixture->list, old, NULL)), ==, BC_TIMELINESS_NO_DUE_DATE);
  g_assert_null (bc_report_item_get_due_date (bc_report_list_find (fixture->list, old, NULL)));
  g_assert_cmpint (bc_report_item_get_timeliness (bc_report_list_find (fixture->list, older, NULL)), ==, BC_TIMELINESS_NO_DUE_DATE);
  g_assert_null (bc_report_item_get_due_date (bc_report_list_find (fixture->list, older, NULL)));
  g_assert_cmpint (bc_report_item_get_timeliness (bc_report_list_find (fixture->list, elsewhere, NULL)), ==, BC_TIMELINESS_NO_DUE_DATE);
  g_assert_null (bc_report_item_get_due_date (bc_report_list_find (fixture->list, elsewhere, NULL)));

  /* A day later the list says so at the next refresh. */
  g_date_set_dmy (&today, 20, G_DATE_JUNE, 2020);
  bc_report_list_set_today (fixture->list, &today);
  refresh (fixture);
  g_assert_cmpint (bc_report_item_get_timeliness (bc_report_list_find (fixture->list, q2, NULL)), ==, BC_TIMELINESS_LATE);
  g_assert_cmpint (bc_report_item_get_timeliness (bc_report_list_find (fixture->list, old, NULL)), ==, BC_TIMELINESS_NO_DUE_DATE);
}

static void
test_search (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autofree char *id = create (fixture, "inspection-remediation", "2018Q3", "UBND huyện Đức Phổ");
  g_autoptr(BcReportList) vi = bc_report_list_new (fixture->workbook, "vi");
  gboolean done = FALSE;
  g_autoptr(BcReportItem) en_item = NULL;
  g_autoptr(BcReportItem) vi_item = NULL;

  refresh (fixture);
  bc_report_list_refresh_async (vi, NULL, refresh_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  en_item = g_list_model_get_item (G_LIST_MODEL (fixture->list), 0);
  vi_item = g_list_model_get_item (G_LIST_MODEL (vi), 0);

  g_assert_true (bc_report_item_matches (en_item, NULL));
  g_assert_true (bc_report_item_matches (en_item, ""));
  g_assert_true (bc_report_item_matches (en_item, "  "));
  g_assert_true (bc_report_item_matches (en_item, "inspection"));
  g_assert_true (bc_report_item_matches (en_item, "REMED"));
  g_assert_true (bc_report_item_matches (en_item, "quarter iii"));
  g_assert_true (bc_report_item_matches (en_item, "2018q3"));
  g_assert_false (bc_report_item_matches (en_item, "quarterly"));
  g_assert_false (bc_report_item_matches (en_item, "2018q2"));

  /* Vietnamese, with or without diacritics. */
  g_assert_true (bc_report_item_matches (vi_item, "kết luận"));
  g_assert_true (bc_report_item_matches (vi_item, "ket luan"));
  g_assert_true (bc_report_item_matches (vi_item, "quy iii/2018"));
  g_assert_true (bc_report_item_matches (vi_item, "quý 3/2018"));
  g_assert_true (bc_report_item_matches (vi_item, "Q3"));
  g_assert_false (bc_report_item_matches (vi_item, "quý 2/2018"));
  g_assert_false (bc_report_item_matches (vi_item, "quý 3/2019"));
  /* Numbers are whole words: a year is typed in full. */
  g_assert_false (bc_report_item_matches (vi_item, "201"));
  g_assert_true (bc_report_item_matches (vi_item, "2018"));
  g_assert_true (bc_report_item_matches (vi_item, "Đức Phổ"));
  g_assert_true (bc_report_item_matches (vi_item, "duc pho"));
  g_assert_true (bc_report_item_matches (vi_item, "huyen duc"));
  g_assert_false (bc_report_item_matches (vi_item, "chính quyền"));
  g_assert_false (bc_report_item_matches (vi_item, "nghia hanh"));
}

static void
refresh_fails_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GError **error = user_data;

  g_assert_false (bc_report_list_refresh_finish (BC_REPORT_LIST (source), result, error));
  g_assert_nonnull (*error);
}

static void
test_refresh_closed (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autofree char *id = create (fixture, "egov-quarterly", "2018Q2", "UBND-QNG");
  g_autoptr(BcWorkbook) other = NULL;
  g_autoptr(BcReportList) list = NULL;
  g_autoptr(GError) error = NULL;

  other = bc_workbook_open (fixture->path, fixture->templates, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  list = bc_report_list_new (other, "en");
  refresh (fixture);

  /* A closed workbook: the refresh fails with a reason, the list stays as
   * it was (empty and not loaded here). */
  bc_workbook_close (other);
  bc_report_list_refresh_async (list, NULL, refresh_fails_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (bc_report_list_get_loaded (list));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/core/report-list/sorted-by-period", test_sorted_by_period);
  ADD ("/core/report-list/vietnamese-titles", test_vietnamese_titles);
  ADD ("/core/report-list/refresh-keeps-items", test_refresh_keeps_items);
  ADD ("/core/report-list/timeliness", test_timeliness);
  ADD ("/core/report-list/search", test_search);
  ADD ("/core/report-list/refresh-closed", test_refresh_closed);

#undef ADD

  return g_test_run ();
}
