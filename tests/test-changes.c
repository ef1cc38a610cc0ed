/* test-changes.c: what changed in a returned report since it was sent.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A report is sent (its content frozen in the outbox, a receipt back),
 * returned by the province, taken back to draft and corrected; the
 * changes since sent are the edits made after the receipt's revision,
 * field by field and row by row, with the template's labels.
 */
#define G_LOG_DOMAIN "test-changes"

#include "config.h"

#include <string.h>

#include "bc-changes.h"
#include "bc-i18n.h"
#include "bc-outbox.h"
#include "bc-test-util.h"
#include "bc-wire.h"
#include "bc-workbook.h"

#define REPORT_ID "5d0c7f0e-8a47-4b0e-9a4b-0d6f2c6f1a11"

typedef struct {
  char               *dir;
  BcTemplateRegistry *templates;
  BcWorkbook         *workbook;
  BcTemplate         *template_;
  gint64              row_id[3];   /* the sent rows A, B, C */
  char               *sent;        /* the outbox's canonical JSON */
  gint64              revision;    /* the revision sent */
} Fixture;

static void
set (Fixture    *fixture,
     const char *key,
     gint64      row_id,
     const char *value)
{
  g_autoptr(GError) error = NULL;

  gboolean ok = bc_workbook_set_value (fixture->workbook, REPORT_ID, key, row_id, value, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
}

/* A wbtest report with three tasks, sent, received and returned, then
 * taken back to draft. */
static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_test_build_filename (G_TEST_DIST, "templates", "workbook", "wbtest-v1.json", NULL);
  g_autoptr(GFile) gfile = g_file_new_for_path (file);
  g_autoptr(BcTemplate) loaded = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(JsonNode) page = NULL;
  g_autofree char *changes = NULL;
  const char *labels[] = { "Kiểm tra A", "Kiểm tra B", "Kiểm tra C" };
  g_autofree char *path = NULL;

  (void) data;
  fixture->dir = g_dir_make_tmp ("baocao-changes-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "test.baocao", NULL);
  fixture->templates = bc_template_registry_new ();
  /* Version 1 only: new reports are made on it. */
  loaded = bc_template_new_from_file (gfile, &error);
  g_assert_no_error (error);
  bc_template_registry_add (fixture->templates, loaded);
  fixture->template_ = bc_template_registry_lookup (fixture->templates, "wbtest", 1, &error);
  g_assert_no_error (error);
  fixture->workbook = bc_workbook_open (path, fixture->templates, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);

  bc_workbook_create_report_with_id (fixture->workbook, REPORT_ID, "wbtest", "2018Q2", "QNG-SONTINH", &error);
  g_assert_no_error (error);
  set (fixture, "name", 0, "UBND xã Tịnh Hà");
  set (fixture, "count", 0, "7");
  for (guint i = 0; i < 3; i++)
    {
      fixture->row_id[i] = bc_workbook_add_row (fixture->workbook, REPORT_ID, "items", &error);
      g_assert_no_error (error);
      set (fixture, "items.label", fixture->row_id[i], labels[i]);
      set (fixture, "items.done", fixture->row_id[i], "no");
    }
  g_assert_true (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_READY, NULL, &error));
  g_assert_true (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_QUEUED, NULL, &error));
  g_assert_no_error (error);

  items = bc_outbox_list (fixture->workbook, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 1);
  fixture->sent = g_strdup (((BcOutboxItem *) g_ptr_array_index (items, 0))->content);
  fixture->revision = ((BcOutboxItem *) g_ptr_array_index (items, 0))->revision;
  g_assert_nonnull (fixture->sent);

  g_assert_true (bc_outbox_record_stored (fixture->workbook, REPORT_ID, fixture->revision, "QNG-000042",
                                          1529550245000000, FALSE, fixture->revision, &error));
  g_assert_no_error (error);
  changes = g_strdup_printf ("[{\"seq\": 1, \"kind\": \"review\", \"report_id\": \"" REPORT_ID "\","
                             " \"revision\": %" G_GINT64_FORMAT ", \"decision\": \"returned\","
                             " \"comment\": \"Bổ sung số liệu.\", \"reviewer\": \"A\","
                             " \"decided_at\": \"2018-06-25T08:00:00Z\"}]", fixture->revision);
  page = json_from_string (changes, &error);
  g_assert_no_error (error);
  g_assert_true (bc_outbox_apply_changes (fixture->workbook, json_node_get_array (page), 1, &error));
  g_assert_no_error (error);
  report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_assert_cmpint (bc_report_get_status (report), ==, BC_STATUS_RETURNED);
  g_assert_true (bc_workbook_set_status (fixture->workbook, REPORT_ID, BC_STATUS_DRAFT, NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  (void) data;
  g_assert_finalize_object (fixture->workbook);
  g_clear_object (&fixture->templates);
  bc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->sent);
}

static GPtrArray *
changes_of (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  gint64 revision = -1;
  GPtrArray *changes = bc_changes_since_sent (fixture->workbook, REPORT_ID, &revision, &error);

  g_assert_no_error (error);
  g_assert_nonnull (changes);
  g_assert_cmpint (revision, ==, fixture->revision);
  return changes;
}

static char *
describe (Fixture        *fixture,
          const BcChange *change,
          const char     *lang)
{
  g_autofree char *label = bc_change_dup_label (change, fixture->template_, lang);
  g_autofree char *old_text = bc_change_dup_old_text (change, fixture->template_, lang);
  g_autofree char *new_text = bc_change_dup_new_text (change, fixture->template_, lang);

  return g_strdup_printf ("%s: %s → %s", label, old_text, new_text);
}

/* The content rebuilt for the sent revision is, byte for byte, what the
 * outbox sent. */
static void
assert_rebuilt_is_sent (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);
  g_autoptr(GPtrArray) history = bc_workbook_get_history (fixture->workbook, REPORT_ID, &error);
  g_autoptr(JsonNode) then = NULL;
  g_autofree char *canonical = NULL;

  g_assert_no_error (error);
  then = bc_changes_content_at (fixture->template_, report, history, fixture->revision);
  canonical = bc_wire_canonical_json (then);
  g_assert_cmpstr (canonical, ==, fixture->sent);
}

static void
test_nothing_changed (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;

  (void) data;

  changes = changes_of (fixture);
  g_assert_cmpuint (changes->len, ==, 0);

  /* A value changed and put back, a row added and removed again: the
   * content is what was sent. */
  set (fixture, "count", 0, "8");
  set (fixture, "count", 0, "7");
  {
    gint64 row = bc_workbook_add_row (fixture->workbook, REPORT_ID, "items", &error);

    g_assert_no_error (error);
    set (fixture, "items.label", row, "Tạm");
    g_assert_true (bc_workbook_remove_row (fixture->workbook, REPORT_ID, "items", row, &error));
    g_assert_no_error (error);
  }
  g_clear_pointer (&changes, g_ptr_array_unref);
  changes = changes_of (fixture);
  g_assert_cmpuint (changes->len, ==, 0);
  assert_rebuilt_is_sent (fixture);
}

static void
test_changed_field (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) changes = NULL;
  g_autofree char *en = NULL;
  g_autofree char *vi = NULL;
  BcChange *change;

  (void) data;

  set (fixture, "count", 0, "9");
  set (fixture, "count", 0, "12");
  changes = changes_of (fixture);
  g_assert_cmpuint (changes->len, ==, 1);
  change = g_ptr_array_index (changes, 0);
  g_assert_cmpint (change->kind, ==, BC_CHANGE_VALUE);
  g_assert_cmpstr (change->key, ==, "count");
  g_assert_cmpstr (change->path, ==, "count");
  g_assert_null (change->table);
  g_assert_cmpstr (change->old_value, ==, "7");
  g_assert_cmpstr (change->new_value, ==, "12");
  en = describe (fixture, change, "en");
  vi = describe (fixture, change, "vi");
  g_assert_cmpstr (en, ==, "General › Count: 7 → 12");
  g_assert_cmpstr (vi, ==, "Chung › Số lượng: 7 → 12");
  assert_rebuilt_is_sent (fixture);
}

static void
test_cleared_field (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) changes = NULL;
  g_autofree char *en = NULL;
  BcChange *change;

  (void) data;

  set (fixture, "name", 0, "");
  changes = changes_of (fixture);
  g_assert_cmpuint (changes->len, ==, 1);
  change = g_ptr_array_index (changes, 0);
  g_assert_cmpstr (change->key, ==, "name");
  g_assert_cmpstr (change->old_value, ==, "UBND xã Tịnh Hà");
  g_assert_null (change->new_value);
  en = describe (fixture, change, "en");
  g_assert_cmpstr (en, ==, "General › Unit name: UBND xã Tịnh Hà → —");
  assert_rebuilt_is_sent (fixture);
}

static void
test_added_row (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *en = NULL;
  g_autofree char *vi = NULL;
  BcChange *change;
  gint64 row;

  (void) data;

  row = bc_workbook_add_row (fixture->workbook, REPORT_ID, "items", &error);
  g_assert_no_error (error);
  set (fixture, "items.label", row, "Kiểm tra D");
  set (fixture, "items.done", row, "yes");
  changes = changes_of (fixture);
  g_assert_cmpuint (changes->len, ==, 1);
  change = g_ptr_array_index (changes, 0);
  g_assert_cmpint (change->kind, ==, BC_CHANGE_ROW_ADDED);
  g_assert_cmpstr (change->table, ==, "items");
  g_assert_cmpint (change->row_id, ==, row);
  g_assert_cmpuint (change->old_row, ==, 0);
  g_assert_cmpuint (change->new_row, ==, 4);
  g_assert_cmpstr (change->path, ==, "items[4].label");
  en = describe (fixture, change, "en");
  vi = describe (fixture, change, "vi");
  g_assert_cmpstr (en, ==, "General › Tasks › Row 4: — → Kiểm tra D; Yes");
  g_assert_cmpstr (vi, ==, "Chung › Các việc › Dòng 4: — → Kiểm tra D; Có");
  assert_rebuilt_is_sent (fixture);
}

/* Rows are matched by their id: removing the second row is one removed
 * row, not the third row's cells moved into the second. */
static void
test_removed_row (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *en = NULL;
  BcChange *change;

  (void) data;

  g_assert_true (bc_workbook_remove_row (fixture->workbook, REPORT_ID, "items", fixture->row_id[1], &error));
  g_assert_no_error (error);
  changes = changes_of (fixture);
  g_assert_cmpuint (changes->len, ==, 1);
  change = g_ptr_array_index (changes, 0);
  g_assert_cmpint (change->kind, ==, BC_CHANGE_ROW_REMOVED);
  g_assert_cmpint (change->row_id, ==, fixture->row_id[1]);
  g_assert_cmpuint (change->old_row, ==, 2);
  g_assert_cmpuint (change->new_row, ==, 0);
  g_assert_cmpstr (change->path, ==, "items");
  en = describe (fixture, change, "en");
  g_assert_cmpstr (en, ==, "General › Tasks › Row 2: Kiểm tra B; No → —");
  assert_rebuilt_is_sent (fixture);
}

static void
test_changed_cell (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *en = NULL;
  g_autofree char *vi = NULL;
  BcChange *change;

  (void) data;

  /* The first row goes, and the third (now the second) is done: its cell
   * is named by where it is now. */
  g_assert_true (bc_workbook_remove_row (fixture->workbook, REPORT_ID, "items", fixture->row_id[0], &error));
  g_assert_no_error (error);
  set (fixture, "items.done", fixture->row_id[2], "yes");
  changes = changes_of (fixture);
  g_assert_cmpuint (changes->len, ==, 2);

  change = g_ptr_array_index (changes, 0);
  g_assert_cmpint (change->kind, ==, BC_CHANGE_VALUE);
  g_assert_cmpstr (change->key, ==, "items.done");
  g_assert_cmpstr (change->table, ==, "items");
  g_assert_cmpstr (change->column, ==, "done");
  g_assert_cmpint (change->row_id, ==, fixture->row_id[2]);
  g_assert_cmpuint (change->old_row, ==, 3);
  g_assert_cmpuint (change->new_row, ==, 2);
  g_assert_cmpstr (change->old_value, ==, "no");
  g_assert_cmpstr (change->new_value, ==, "yes");
  g_assert_cmpstr (change->path, ==, "items[2].done");
  en = describe (fixture, change, "en");
  vi = describe (fixture, change, "vi");
  g_assert_cmpstr (en, ==, "General › Tasks › Row 2 › Done: No → Yes");
  g_assert_cmpstr (vi, ==, "Chung › Các việc › Dòng 2 › Đã xong: Không → Có");

  change = g_ptr_array_index (changes, 1);
  g_assert_cmpint (change->kind, ==, BC_CHANGE_ROW_REMOVED);
  g_assert_cmpint (change->row_id, ==, fixture->row_id[0]);
  g_assert_cmpuint (change->old_row, ==, 1);
  assert_rebuilt_is_sent (fixture);
}

/* A moved row is the same row: its cells did not change. */
static void
test_moved_row (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;
  BcChange *change;

  (void) data;

  g_assert_true (bc_workbook_move_row (fixture->workbook, REPORT_ID, "items", fixture->row_id[2], 0, &error));
  g_assert_no_error (error);
  set (fixture, "items.label", fixture->row_id[2], "Kiểm tra C2");
  changes = changes_of (fixture);
  g_assert_cmpuint (changes->len, ==, 1);
  change = g_ptr_array_index (changes, 0);
  g_assert_cmpstr (change->path, ==, "items[1].label");
  g_assert_cmpuint (change->old_row, ==, 3);
  g_assert_cmpstr (change->old_value, ==, "Kiểm tra C");
  g_assert_cmpstr (change->new_value, ==, "Kiểm tra C2");
  assert_rebuilt_is_sent (fixture);
}

/* Never sent: no changes, and no sent revision. */
static void
test_never_sent (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  gint64 revision = -1;

  (void) data;

  bc_workbook_create_report_with_id (fixture->workbook, "0b7c8a44-2f7e-4f51-8e0c-3f1a4d5e6b7c",
                                     "wbtest", "2018Q3", "QNG-SONTINH", &error);
  g_assert_no_error (error);
  g_assert_true (bc_workbook_set_value (fixture->workbook, "0b7c8a44-2f7e-4f51-8e0c-3f1a4d5e6b7c",
                                        "count", 0, "3", &error));
  changes = bc_changes_since_sent (fixture->workbook, "0b7c8a44-2f7e-4f51-8e0c-3f1a4d5e6b7c",
                                   &revision, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 0);
  g_assert_cmpint (revision, ==, 0);
}

/* Two contents compared directly: rows without ids are matched by place. */
static void
test_compare_without_row_ids (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) sent = json_from_string (
    "{\"values\": {\"count\": \"7\"}, \"tables\": {\"items\": [{\"label\": \"A\"}, {\"label\": \"B\"}]}}", &error);
  g_autoptr(JsonNode) now = json_from_string (
    "{\"values\": {\"count\": \"7\", \"extra\": \"x\"}, \"tables\": {\"items\": [{\"label\": \"A\"}, {\"label\": \"B2\"}, {}]}}",
    &error);
  g_autoptr(GPtrArray) changes = NULL;
  BcChange *change;

  g_assert_no_error (error);
  changes = bc_changes_compare (fixture->template_, sent, now);
  g_assert_cmpuint (changes->len, ==, 3);
  /* In form order, then what the form does not have. */
  change = g_ptr_array_index (changes, 0);
  g_assert_cmpstr (change->path, ==, "items[2].label");
  g_assert_cmpstr (change->new_value, ==, "B2");
  change = g_ptr_array_index (changes, 1);
  g_assert_cmpint (change->kind, ==, BC_CHANGE_ROW_ADDED);
  g_assert_cmpuint (change->new_row, ==, 3);
  change = g_ptr_array_index (changes, 2);
  g_assert_cmpstr (change->key, ==, "extra");
  (void) data;
}

/* A warning's justification written after sending is a change of its
 * own, under the field the warning is shown beside; the content rebuilt
 * for the sent revision has none, as was sent. Rewritten then removed,
 * it is no change at all. */
static void
test_justification (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *en = NULL;
  g_autofree char *vi = NULL;
  BcChange *change;

  (void) data;

  set (fixture, "count", 0, "0");
  g_assert_true (bc_workbook_set_justification (fixture->workbook, REPORT_ID, "count_positive", 0,
                                                "Không có hồ sơ trong quý.", &error));
  g_assert_no_error (error);
  changes = changes_of (fixture);
  g_assert_cmpuint (changes->len, ==, 2);
  change = g_ptr_array_index (changes, 0);
  g_assert_cmpint (change->kind, ==, BC_CHANGE_VALUE);
  g_assert_cmpstr (change->key, ==, "count");
  change = g_ptr_array_index (changes, 1);
  g_assert_cmpint (change->kind, ==, BC_CHANGE_JUSTIFICATION);
  g_assert_cmpstr (change->key, ==, "count_positive");
  g_assert_null (change->table);
  g_assert_cmpint (change->row_id, ==, 0);
  g_assert_null (change->old_value);
  g_assert_cmpstr (change->new_value, ==, "Không có hồ sơ trong quý.");
  g_assert_cmpstr (change->path, ==, "count");
  en = describe (fixture, change, "en");
  vi = describe (fixture, change, "vi");
  g_assert_cmpstr (en, ==, "General › Count › Justification: — → Không có hồ sơ trong quý.");
  g_assert_cmpstr (vi, ==, "Chung › Số lượng › Giải trình: — → Không có hồ sơ trong quý.");
  assert_rebuilt_is_sent (fixture);
  g_clear_pointer (&changes, g_ptr_array_unref);

  /* Rewritten, then taken away again: as sent. */
  g_assert_true (bc_workbook_set_justification (fixture->workbook, REPORT_ID, "count_positive", 0,
                                                "Quý này không có hồ sơ.", &error));
  g_assert_no_error (error);
  g_assert_true (bc_workbook_set_justification (fixture->workbook, REPORT_ID, "count_positive", 0,
                                                NULL, &error));
  g_assert_no_error (error);
  set (fixture, "count", 0, "7");
  changes = changes_of (fixture);
  g_assert_cmpuint (changes->len, ==, 0);
  assert_rebuilt_is_sent (fixture);
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("BAOCAO_LANGUAGE", "en", TRUE);
  bc_i18n_init ();
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/changes/nothing-changed", test_nothing_changed);
  ADD ("/changes/changed-field", test_changed_field);
  ADD ("/changes/cleared-field", test_cleared_field);
  ADD ("/changes/added-row", test_added_row);
  ADD ("/changes/removed-row", test_removed_row);
  ADD ("/changes/changed-cell", test_changed_cell);
  ADD ("/changes/moved-row", test_moved_row);
  ADD ("/changes/never-sent", test_never_sent);
  ADD ("/changes/compare-without-row-ids", test_compare_without_row_ids);
  ADD ("/changes/justification", test_justification);
#undef ADD

  return g_test_run ();
}
