/* test-conflict.c: resolving a conflict with the province's copy, per field.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A report was sent and came back a conflict: the province holds another
 * device's revision as current. The officer takes some differences from
 * the province's copy and keeps the others; the report is then queued as
 * one new revision based on the province's current one, and the values it
 * replaced stay in the edit history.
 */
#define G_LOG_DOMAIN "test-conflict"

#include "config.h"

#include <string.h>

#include "bc-conflict.h"
#include "bc-i18n.h"
#include "bc-outbox.h"
#include "bc-test-util.h"
#include "bc-wire.h"
#include "bc-workbook.h"

#define REPORT_ID "7a0c7f0e-8a47-4b0e-9a4b-0d6f2c6f1a22"
#define SERVER_REVISION 12

typedef struct {
  char               *dir;
  BcTemplateRegistry *templates;
  BcWorkbook         *workbook;
  gint64              row_id[3];   /* rows A, B, C */
  gint64              revision;    /* the revision sent, kept beside */
  JsonNode           *province;    /* the server's current content */
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

static JsonObject *
row_with_id (JsonArray *rows,
             gint64     row_id)
{
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);

      if (json_object_get_int_member (row, "row_id") == row_id)
        return row;
    }
  return NULL;
}

/* Sent as a conflict. The province's copy (another device's): another
 * name and count, row A's label changed, row B removed, a row D added. */
static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_test_build_filename (G_TEST_DIST, "templates", "workbook", "wbtest-v1.json", NULL);
  g_autoptr(GFile) gfile = g_file_new_for_path (file);
  g_autoptr(BcTemplate) loaded = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *path = NULL;
  const char *labels[] = { "Kiểm tra A", "Kiểm tra B", "Kiểm tra C" };
  BcOutboxItem *item;
  JsonObject *content, *values, *row;
  JsonArray *rows;

  (void) data;
  fixture->dir = g_dir_make_tmp ("baocao-conflict-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "test.baocao", NULL);
  fixture->templates = bc_template_registry_new ();
  loaded = bc_template_new_from_file (gfile, &error);
  g_assert_no_error (error);
  bc_template_registry_add (fixture->templates, loaded);
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
  item = g_ptr_array_index (items, 0);
  fixture->revision = item->revision;
  g_assert_cmpint (fixture->revision, <, SERVER_REVISION);

  /* The server kept it beside its current revision. */
  g_assert_true (bc_outbox_record_stored (fixture->workbook, REPORT_ID, fixture->revision, "QNG-000043",
                                          1529550245000000, TRUE, SERVER_REVISION, &error));
  g_assert_no_error (error);

  fixture->province = json_from_string (item->content, &error);
  g_assert_no_error (error);
  content = json_node_get_object (fixture->province);
  values = json_object_get_object_member (content, "values");
  json_object_set_string_member (values, "name", "UBND xã Tịnh Hà (bản tỉnh)");
  json_object_set_string_member (values, "count", "9");
  rows = json_object_get_array_member (json_object_get_object_member (content, "tables"), "items");
  json_object_set_string_member (row_with_id (rows, fixture->row_id[0]), "label", "Kiểm tra A (sửa)");
  for (guint i = 0; i < json_array_get_length (rows); i++)
    if (json_object_get_int_member (json_array_get_object_element (rows, i), "row_id") == fixture->row_id[1])
      {
        json_array_remove_element (rows, i);
        break;
      }
  row = json_object_new ();
  json_object_set_int_member (row, "row_id", 40);
  json_object_set_string_member (row, "label", "Kiểm tra D");
  json_object_set_string_member (row, "done", "yes");
  json_array_add_object_element (rows, row);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  (void) data;
  g_assert_finalize_object (fixture->workbook);
  g_clear_object (&fixture->templates);
  g_clear_pointer (&fixture->province, json_node_unref);
  bc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static GPtrArray *
compare (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *changes = bc_conflict_compare (fixture->workbook, REPORT_ID, fixture->province, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (changes);
  return changes;
}

static char *
ids_of (GPtrArray *changes)
{
  GString *ids = g_string_new (NULL);

  for (guint i = 0; i < changes->len; i++)
    {
      g_autofree char *id = bc_conflict_change_id (g_ptr_array_index (changes, i));

      g_string_append_printf (ids, "%s%s", i > 0 ? " " : "", id);
    }
  return g_string_free (ids, FALSE);
}

static const char *
status_of (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);

  g_assert_no_error (error);
  return bc_status_to_string (bc_report_get_status (report));
}

/* Side by side: mine on the old side, the province's on the new, each
 * difference with a name to choose it by. */
static void
test_compare (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) changes = compare (fixture);
  g_autofree char *ids = ids_of (changes);
  g_autofree char *expected = g_strdup_printf ("name count items#%" G_GINT64_FORMAT ".label "
                                               "items#40 items#%" G_GINT64_FORMAT,
                                               fixture->row_id[0], fixture->row_id[1]);
  BcChange *count = g_ptr_array_index (changes, 1);

  (void) data;
  g_assert_cmpstr (ids, ==, expected);
  g_assert_cmpstr (count->old_value, ==, "7");
  g_assert_cmpstr (count->new_value, ==, "9");
}

/* Count, row A's label and row D from the province; the name and row B
 * kept: one new revision above every revision the server holds, queued on
 * the province's current one, and what was replaced is in the history. */
static void
test_resolve_mix (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(JsonNode) sent = NULL;
  g_autoptr(BcSyncState) state = NULL;
  g_autofree char *label_a = g_strdup_printf ("items#%" G_GINT64_FORMAT ".label", fixture->row_id[0]);
  const char *take[] = { "count", label_a, "items#40", NULL };
  BcOutboxItem *item;
  JsonObject *values;
  JsonArray *rows;
  gboolean found_count = FALSE, found_label = FALSE, found_row = FALSE;

  (void) data;
  g_assert_true (bc_conflict_resolve (fixture->workbook, REPORT_ID, fixture->province, SERVER_REVISION,
                                      SERVER_REVISION, take, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (status_of (fixture), ==, "queued");

  items = bc_outbox_list (fixture->workbook, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 1);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpint (item->base_revision, ==, SERVER_REVISION);
  g_assert_cmpint (item->revision, >, SERVER_REVISION);
  g_assert_nonnull (item->content);

  /* What will be sent: the mix. */
  sent = json_from_string (item->content, &error);
  g_assert_no_error (error);
  values = json_object_get_object_member (json_node_get_object (sent), "values");
  g_assert_cmpstr (json_object_get_string_member (values, "name"), ==, "UBND xã Tịnh Hà");
  g_assert_cmpstr (json_object_get_string_member (values, "count"), ==, "9");
  rows = json_object_get_array_member (json_object_get_object_member (json_node_get_object (sent), "tables"),
                                       "items");
  g_assert_cmpuint (json_array_get_length (rows), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (row_with_id (rows, fixture->row_id[0]), "label"), ==,
                   "Kiểm tra A (sửa)");
  g_assert_cmpstr (json_object_get_string_member (row_with_id (rows, fixture->row_id[1]), "label"), ==,
                   "Kiểm tra B");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 3), "label"), ==,
                   "Kiểm tra D");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 3), "done"), ==,
                   "yes");
  /* Row D is sent under the province's row id: the server's copy gets the
   * same row back, not a second one beside it. */
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (rows, 3), "row_id"), ==, 40);

  /* Against the same province's copy, only what was kept still differs. */
  {
    g_autoptr(GPtrArray) left = compare (fixture);
    g_autofree char *ids = ids_of (left);
    g_autofree char *expected = g_strdup_printf ("name items#%" G_GINT64_FORMAT, fixture->row_id[1]);

    g_assert_cmpstr (ids, ==, expected);
  }

  /* What changed since this copy was sent: the province's row is one row
   * added, under its id, and no row is removed. */
  {
    g_autoptr(GPtrArray) since = bc_changes_since_sent (fixture->workbook, REPORT_ID, NULL, &error);
    g_autofree char *ids = NULL;
    g_autofree char *expected = g_strdup_printf ("count items#%" G_GINT64_FORMAT ".label items#40",
                                                 fixture->row_id[0]);

    g_assert_no_error (error);
    ids = ids_of (since);
    g_assert_cmpstr (ids, ==, expected);
    g_assert_cmpint (((BcChange *) g_ptr_array_index (since, 2))->kind, ==, BC_CHANGE_ROW_ADDED);
  }

  /* No longer in conflict here. */
  state = bc_outbox_get_state (fixture->workbook, REPORT_ID, &error);
  g_assert_no_error (error);
  g_assert_false (state->conflict);

  /* This copy's old values are not lost: the history has them. */
  history = bc_workbook_get_history (fixture->workbook, REPORT_ID, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < history->len; i++)
    {
      BcEdit *edit = g_ptr_array_index (history, i);

      if (g_str_equal (edit->key, "count") && g_strcmp0 (edit->old_value, "7") == 0
          && g_strcmp0 (edit->new_value, "9") == 0)
        found_count = TRUE;
      if (g_str_equal (edit->key, "items.label") && edit->row_id == fixture->row_id[0]
          && g_strcmp0 (edit->old_value, "Kiểm tra A") == 0)
        found_label = TRUE;
      if (g_str_equal (edit->key, "items") && edit->row_id == 40
          && g_strcmp0 (edit->new_value, "added") == 0)
        found_row = TRUE;
    }
  g_assert_true (found_count);
  g_assert_true (found_label);
  g_assert_true (found_row);
}

static void
append_row (JsonArray  *rows,
            guint       index,
            gint64      row_id,
            const char *label)
{
  JsonObject *row = json_object_new ();
  JsonNode *node = json_node_init_object (json_node_alloc (), row);
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  json_object_set_int_member (row, "row_id", row_id);
  json_object_set_string_member (row, "label", label);
  json_object_set_string_member (row, "done", "no");
  json_object_unref (row);

  /* JsonArray inserts only at the end: move the rows after `index` out and back. */
  while (json_array_get_length (rows) > index)
    {
      g_ptr_array_add (kept, json_node_copy (json_array_get_element (rows, index)));
      json_array_remove_element (rows, index);
    }
  json_array_add_element (rows, node);
  for (guint i = 0; i < kept->len; i++)
    json_array_add_element (rows, json_node_copy (g_ptr_array_index (kept, i)));
}

static gint64
row_at (Fixture *fixture,
        guint    index)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = bc_workbook_load_report (fixture->workbook, REPORT_ID, &error);

  g_assert_no_error (error);
  return bc_report_get_row_id (report, "items", index);
}

/* Rows of the province's, taken, go where they are there: a row E
 * between A and C goes right after A (B, which the province removed and
 * this copy keeps, after it); D, last there, after C. */
static void
test_province_rows_in_place (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) left = NULL;
  JsonArray *rows = json_object_get_array_member (
    json_object_get_object_member (json_node_get_object (fixture->province), "tables"), "items");
  const char *take[] = { "items#40", "items#41", NULL };

  (void) data;
  append_row (rows, 1, 41, "Kiểm tra E");
  g_assert_true (bc_conflict_resolve (fixture->workbook, REPORT_ID, fixture->province, SERVER_REVISION,
                                      SERVER_REVISION, take, &error));
  g_assert_no_error (error);

  g_assert_cmpint (row_at (fixture, 0), ==, fixture->row_id[0]);
  g_assert_cmpint (row_at (fixture, 1), ==, 41);
  g_assert_cmpint (row_at (fixture, 2), ==, fixture->row_id[1]);
  g_assert_cmpint (row_at (fixture, 3), ==, fixture->row_id[2]);
  g_assert_cmpint (row_at (fixture, 4), ==, 40);
  g_assert_cmpint (row_at (fixture, 5), ==, 0);

  left = compare (fixture);
  g_assert_cmpuint (left->len, ==, 4);  /* name, count, row A's label, row B */
}

/* The other ways a row can differ: taking the province's removal of row B
 * removes it here, and keeping this copy's side of D (a row only the
 * province has) adds nothing; nothing else moves. */
static void
test_rows_other_sides (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) left = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(JsonNode) sent = NULL;
  g_autofree char *row_b = g_strdup_printf ("items#%" G_GINT64_FORMAT, fixture->row_id[1]);
  g_autofree char *label_a = g_strdup_printf ("items#%" G_GINT64_FORMAT ".label", fixture->row_id[0]);
  g_autofree char *ids = NULL;
  g_autofree char *expected = NULL;
  const char *take[] = { row_b, NULL };
  JsonArray *rows;

  (void) data;
  g_assert_true (bc_conflict_resolve (fixture->workbook, REPORT_ID, fixture->province, SERVER_REVISION,
                                      SERVER_REVISION, take, &error));
  g_assert_no_error (error);

  g_assert_cmpint (row_at (fixture, 0), ==, fixture->row_id[0]);
  g_assert_cmpint (row_at (fixture, 1), ==, fixture->row_id[2]);
  g_assert_cmpint (row_at (fixture, 2), ==, 0);

  items = bc_outbox_list (fixture->workbook, &error);
  g_assert_no_error (error);
  sent = json_from_string (((BcOutboxItem *) g_ptr_array_index (items, 0))->content, &error);
  g_assert_no_error (error);
  rows = json_object_get_array_member (json_object_get_object_member (json_node_get_object (sent), "tables"),
                                       "items");
  g_assert_cmpuint (json_array_get_length (rows), ==, 2);
  g_assert_null (row_with_id (rows, fixture->row_id[1]));
  g_assert_null (row_with_id (rows, 40));

  left = compare (fixture);
  ids = ids_of (left);
  expected = g_strdup_printf ("name count %s items#40", label_a);
  g_assert_cmpstr (ids, ==, expected);
}

/* Keeping every value of this copy still makes a new revision: sending the
 * one kept beside again would only replay the conflict. */
static void
test_keep_all_mine (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  BcOutboxItem *item;

  (void) data;
  g_assert_true (bc_conflict_resolve (fixture->workbook, REPORT_ID, fixture->province, SERVER_REVISION,
                                      SERVER_REVISION + 3, NULL, &error));
  g_assert_no_error (error);
  items = bc_outbox_list (fixture->workbook, &error);
  g_assert_no_error (error);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpint (item->revision, ==, SERVER_REVISION + 4);
  g_assert_cmpint (item->base_revision, ==, SERVER_REVISION);
  g_assert_nonnull (strstr (item->content, "\"count\":\"7\""));
}

/* A name that is not a difference, or a report not in conflict: refused,
 * and nothing changes (the report stays sent, in conflict). */
static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcSyncState) state = NULL;
  const char *typo[] = { "count", "cuont", NULL };

  (void) data;
  g_assert_false (bc_conflict_resolve (fixture->workbook, REPORT_ID, fixture->province, SERVER_REVISION,
                                       SERVER_REVISION, typo, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "cuont"));
  g_clear_error (&error);
  g_assert_cmpstr (status_of (fixture), ==, "sent");
  state = bc_outbox_get_state (fixture->workbook, REPORT_ID, &error);
  g_assert_true (state->conflict);

  /* A count the form refuses (over 1000): nothing of the mix is kept. */
  json_object_set_string_member (json_object_get_object_member (json_node_get_object (fixture->province),
                                                                "values"), "count", "5000");
  {
    const char *take[] = { "name", "count", NULL };
    g_autoptr(GPtrArray) history = bc_workbook_get_history (fixture->workbook, REPORT_ID, &error);
    g_autoptr(GPtrArray) after = NULL;
    guint edits = history->len;

    g_assert_false (bc_conflict_resolve (fixture->workbook, REPORT_ID, fixture->province, SERVER_REVISION,
                                         SERVER_REVISION, take, &error));
    g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_READY);
    g_clear_error (&error);
    g_assert_cmpstr (status_of (fixture), ==, "sent");
    after = bc_workbook_get_history (fixture->workbook, REPORT_ID, &error);
    g_assert_cmpuint (after->len, ==, edits);
  }

  /* Once resolved, there is nothing left to resolve. */
  g_assert_true (bc_conflict_resolve (fixture->workbook, REPORT_ID, fixture->province, SERVER_REVISION,
                                      SERVER_REVISION, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (bc_conflict_resolve (fixture->workbook, REPORT_ID, fixture->province, SERVER_REVISION,
                                       SERVER_REVISION, NULL, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TRANSITION);
}

/* Two devices count row ids each on its own: the province's copy added a
 * task under the id of a note this copy has and the province's lacks.
 * Taking the task while keeping the note is refused, changing nothing;
 * taking both sides (the note's removal too) gives the province's rows. */
static void
test_row_id_of_another_row (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("baocao-conflict-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "test.baocao", NULL);
  g_autofree char *file = g_test_build_filename (G_TEST_DIST, "templates", "conflict", "twotables-v1.json",
                                                 NULL);
  g_autoptr(GFile) gfile = g_file_new_for_path (file);
  g_autoptr(BcTemplateRegistry) templates = bc_template_registry_new ();
  g_autoptr(BcTemplate) loaded = bc_template_new_from_file (gfile, &error);
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(JsonNode) province = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autofree char *ids = NULL;
  g_autofree char *task_name = NULL;
  g_autofree char *note_name = NULL;
  g_autofree char *expected = NULL;
  const char *take_task[] = { NULL, NULL };
  const char *take_both[] = { NULL, NULL, NULL };
  JsonObject *tables, *task;
  gint64 mine_task, note;
  guint n_edits;

  g_assert_no_error (error);
  bc_template_registry_add (templates, loaded);
  workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);
  bc_workbook_create_report_with_id (workbook, REPORT_ID, "twotables", "2018Q2", "QNG-SONTINH", &error);
  g_assert_no_error (error);
  mine_task = bc_workbook_add_row (workbook, REPORT_ID, "items", &error);
  note = bc_workbook_add_row (workbook, REPORT_ID, "notes", &error);
  g_assert_no_error (error);
  g_assert_true (bc_workbook_set_value (workbook, REPORT_ID, "items.label", mine_task, "Kiểm tra A", &error));
  g_assert_true (bc_workbook_set_value (workbook, REPORT_ID, "notes.text", note, "Ghi chú của máy này", &error));
  g_assert_true (bc_workbook_set_status (workbook, REPORT_ID, BC_STATUS_READY, NULL, &error));
  g_assert_true (bc_workbook_set_status (workbook, REPORT_ID, BC_STATUS_QUEUED, NULL, &error));
  g_assert_no_error (error);
  items = bc_outbox_list (workbook, &error);
  g_assert_no_error (error);
  g_assert_true (bc_outbox_record_stored (workbook, REPORT_ID, ((BcOutboxItem *) g_ptr_array_index (items, 0))->revision,
                                          "QNG-000044", 1529550245000000, TRUE, SERVER_REVISION, &error));
  g_assert_no_error (error);

  /* The province's copy: no note, and a task under the note's id. */
  province = json_from_string (((BcOutboxItem *) g_ptr_array_index (items, 0))->content, &error);
  g_assert_no_error (error);
  tables = json_object_get_object_member (json_node_get_object (province), "tables");
  json_object_set_array_member (tables, "notes", json_array_new ());
  task = json_object_new ();
  json_object_set_int_member (task, "row_id", note);
  json_object_set_string_member (task, "label", "Kiểm tra B");
  json_array_add_object_element (json_object_get_array_member (tables, "items"), task);

  changes = bc_conflict_compare (workbook, REPORT_ID, province, NULL, &error);
  g_assert_no_error (error);
  ids = ids_of (changes);
  task_name = g_strdup_printf ("items#%" G_GINT64_FORMAT, note);
  note_name = g_strdup_printf ("notes#%" G_GINT64_FORMAT, note);
  expected = g_strdup_printf ("%s %s", task_name, note_name);
  g_assert_cmpstr (ids, ==, expected);

  /* The task without the note's removal: refused, naming both. */
  take_task[0] = task_name;
  history = bc_workbook_get_history (workbook, REPORT_ID, &error);
  n_edits = history->len;
  g_assert_false (bc_conflict_resolve (workbook, REPORT_ID, province, SERVER_REVISION, SERVER_REVISION,
                                       take_task, &error));
  g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, task_name));
  g_assert_nonnull (strstr (error->message, note_name));
  g_clear_error (&error);
  report = bc_workbook_load_report (workbook, REPORT_ID, &error);
  g_assert_cmpint (bc_report_get_status (report), ==, BC_STATUS_SENT);
  g_clear_object (&report);
  g_clear_pointer (&history, g_ptr_array_unref);
  history = bc_workbook_get_history (workbook, REPORT_ID, &error);
  g_assert_cmpuint (history->len, ==, n_edits);

  /* Both, in the order the differences are listed: the note goes first,
   * then the task comes under its id. */
  take_both[0] = task_name;
  take_both[1] = note_name;
  g_assert_true (bc_conflict_resolve (workbook, REPORT_ID, province, SERVER_REVISION, SERVER_REVISION,
                                      take_both, &error));
  g_assert_no_error (error);
  report = bc_workbook_load_report (workbook, REPORT_ID, &error);
  g_assert_cmpuint (bc_report_get_n_rows (report, "notes"), ==, 0);
  g_assert_cmpint (bc_report_get_row_id (report, "items", 1), ==, note);
  g_assert_cmpstr (bc_report_get_value (report, "items.label", note), ==, "Kiểm tra B");
  after = bc_conflict_compare (workbook, REPORT_ID, province, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (after->len, ==, 0);

  g_clear_object (&report);
  g_clear_pointer (&history, g_ptr_array_unref);
  g_clear_pointer (&items, g_ptr_array_unref);
  g_assert_finalize_object (g_steal_pointer (&workbook));
  bc_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("BAOCAO_LANGUAGE", "en", TRUE);
  bc_i18n_init ();
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/conflict/compare", test_compare);
  ADD ("/conflict/resolve-mix", test_resolve_mix);
  ADD ("/conflict/province-rows-in-place", test_province_rows_in_place);
  ADD ("/conflict/rows-other-sides", test_rows_other_sides);
  ADD ("/conflict/keep-all-mine", test_keep_all_mine);
  ADD ("/conflict/refused", test_refused);
  g_test_add_func ("/conflict/row-id-of-another-row", test_row_id_of_another_row);

  return g_test_run ();
}
