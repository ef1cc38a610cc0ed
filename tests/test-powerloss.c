/* test-powerloss.c: no committed edit is lost when the power goes.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The workbook is opened through a VFS (bc-faultvfs.c) that remembers what
 * each file held at its last fsync. Each round makes random changes, kept in
 * a model as they succeed, then cuts the power — after some operations, or
 * in the middle of one by making every write after the Nth fail — and puts
 * every file back to its last synced content. Reopened with the ordinary
 * VFS, the workbook must pass integrity_check and hold exactly what the
 * model says: every call that returned TRUE, and of a call that failed,
 * either all of it or nothing.
 *
 * A last test turns fsync off (synchronous=OFF) and checks that commits are
 * then lost: the VFS really drops what was not synced.
 */
#define G_LOG_DOMAIN "test-powerloss"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>

#include "bc-faultvfs.h"
#include "bc-workbook.h"
#include "bc-workbook-private.h"
#include "bc-test-util.h"

#define REPORT_ID "9b2f4a8e-6c1d-4e3b-a7f5-0d8c2e9b1a46"
#define TEMPLATE_ID "powerloss"
#define N_SCALARS 8
#define N_RULES 3
#define MAX_OPS 30
#define DEFAULT_ROUNDS 250
#define DEFAULT_SEED 20180621

/* ------------------------------------------------------------------------ */
/* The model: what the report must hold                                     */

typedef struct {
  GHashTable *values;          /* "key row" → value */
  GHashTable *justifications;  /* "rule row" → text */
  GArray     *rows;            /* gint64 ids of the "findings" table, in order */
  gint64      next_row_id;
  gint64      revision;
  BcStatus    status;
} Model;

static Model *
model_new (void)
{
  Model *model = g_new0 (Model, 1);

  model->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  model->justifications = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  model->rows = g_array_new (FALSE, FALSE, sizeof (gint64));
  model->next_row_id = 1;
  model->status = BC_STATUS_DRAFT;

  return model;
}

static void
model_free (Model *model)
{
  if (model == NULL)
    return;

  g_hash_table_unref (model->values);
  g_hash_table_unref (model->justifications);
  g_array_unref (model->rows);
  g_free (model);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Model, model_free)

static void
copy_entry (gpointer key,
            gpointer value,
            gpointer user_data)
{
  g_hash_table_insert (user_data, g_strdup (key), g_strdup (value));
}

static Model *
model_copy (const Model *model)
{
  Model *copy;

  if (model == NULL)
    return NULL;

  copy = model_new ();
  g_hash_table_foreach (model->values, copy_entry, copy->values);
  g_hash_table_foreach (model->justifications, copy_entry, copy->justifications);
  g_array_append_vals (copy->rows, model->rows->data, model->rows->len);
  copy->next_row_id = model->next_row_id;
  copy->revision = model->revision;
  copy->status = model->status;

  return copy;
}

static char *
cell_name (const char *key,
           gint64      row_id)
{
  return g_strdup_printf ("%s %" G_GINT64_FORMAT, key, row_id);
}

/* Sets or clears an entry; TRUE when that changed something. */
static gboolean
model_put (GHashTable *table,
           const char *key,
           gint64      row_id,
           const char *value)
{
  g_autofree char *name = cell_name (key, row_id);

  if (g_strcmp0 (g_hash_table_lookup (table, name), value) == 0)
    return FALSE;

  if (value == NULL)
    g_hash_table_remove (table, name);
  else
    g_hash_table_replace (table, g_steal_pointer (&name), g_strdup (value));

  return TRUE;
}

static int
model_row_index (const Model *model,
                 gint64       row_id)
{
  for (guint i = 0; i < model->rows->len; i++)
    if (g_array_index (model->rows, gint64, i) == row_id)
      return (int) i;

  return -1;
}

typedef struct {
  const Model *model;
  gboolean     equal;
  guint        n_values;
} CompareData;

static void
compare_value (const char *key,
               gint64      row_id,
               const char *value,
               gpointer    user_data)
{
  CompareData *data = user_data;
  g_autofree char *name = cell_name (key, row_id);

  data->n_values++;
  if (g_strcmp0 (g_hash_table_lookup (data->model->values, name), value) != 0)
    data->equal = FALSE;
}

/* Whether a loaded report (NULL: none) holds exactly what the model (NULL:
 * no report) says. */
static gboolean
model_matches (const Model *model,
               BcReport    *report)
{
  CompareData data = { model, TRUE, 0 };
  GHashTableIter iter;
  gpointer key, value;

  if (model == NULL || report == NULL)
    return model == NULL && report == NULL;

  if (bc_report_get_status (report) != model->status
      || bc_report_get_revision (report) != model->revision
      || bc_report_get_n_rows (report, "findings") != model->rows->len)
    return FALSE;

  for (guint i = 0; i < model->rows->len; i++)
    if (bc_report_get_row_id (report, "findings", i) != g_array_index (model->rows, gint64, i))
      return FALSE;

  bc_report_foreach_value (report, compare_value, &data);
  if (!data.equal || data.n_values != g_hash_table_size (model->values))
    return FALSE;

  /* Every justification the model has, and none on rules or rows it lacks. */
  g_hash_table_iter_init (&iter, model->justifications);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_auto(GStrv) parts = g_strsplit (key, " ", 2);

      if (g_strcmp0 (bc_report_get_justification (report, parts[0],
                                                  g_ascii_strtoll (parts[1], NULL, 10)),
                     value) != 0)
        return FALSE;
    }
  for (guint rule = 0; rule < N_RULES; rule++)
    for (gint64 row_id = 0; row_id <= model->next_row_id; row_id++)
      {
        g_autofree char *rule_id = g_strdup_printf ("r%u", rule);
        g_autofree char *name = cell_name (rule_id, row_id);

        if (bc_report_get_justification (report, rule_id, row_id) != NULL
            && !g_hash_table_contains (model->justifications, name))
          return FALSE;
      }

  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Operations                                                               */

typedef enum {
  OP_SET_VALUE,
  OP_ADD_ROW,
  OP_SET_CELL,
  OP_REMOVE_ROW,
  OP_MOVE_ROW,
  OP_JUSTIFY,
  OP_STATUS,
  OP_REOPEN,
} OpKind;

typedef struct {
  OpKind    kind;
  char      key[32];
  gint64    row_id;
  char      value[32];
  gboolean  blank;
  guint     index;
  BcStatus  status;
} Op;

/* A random operation that the model's report accepts. */
static void
op_random (GRand       *rand,
           const Model *model,
           gboolean     with_status,
           Op          *op)
{
  guint pick = g_rand_int_range (rand, 0, 100);

  memset (op, 0, sizeof *op);
  g_snprintf (op->value, sizeof op->value, "v%u", g_rand_int_range (rand, 0, 1000));
  op->blank = g_rand_int_range (rand, 0, 8) == 0;

  if (pick < 4)
    {
      op->kind = OP_REOPEN;
      return;
    }

  if (model->status != BC_STATUS_DRAFT || (with_status && pick < 12))
    {
      op->kind = OP_STATUS;
      switch (model->status)
        {
        case BC_STATUS_DRAFT:
          op->status = BC_STATUS_READY;
          break;
        case BC_STATUS_READY:
          op->status = g_rand_boolean (rand) ? BC_STATUS_QUEUED : BC_STATUS_DRAFT;
          break;
        default:
          op->status = BC_STATUS_DRAFT;
          break;
        }
      return;
    }

  if (model->rows->len == 0 && pick >= 50)
    pick = pick % 2 ? 45 : 20;

  if (pick < 40)
    {
      op->kind = OP_SET_VALUE;
      g_snprintf (op->key, sizeof op->key, "s%u", g_rand_int_range (rand, 0, N_SCALARS));
    }
  else if (pick < 50)
    op->kind = OP_ADD_ROW;
  else if (pick < 75)
    {
      op->kind = OP_SET_CELL;
      g_snprintf (op->key, sizeof op->key, "findings.%s", g_rand_boolean (rand) ? "topic" : "status");
    }
  else if (pick < 82)
    op->kind = OP_REMOVE_ROW;
  else if (pick < 90)
    {
      op->kind = OP_MOVE_ROW;
      op->index = g_rand_int_range (rand, 0, model->rows->len + 1);
    }
  else
    {
      op->kind = OP_JUSTIFY;
      g_snprintf (op->key, sizeof op->key, "r%u", g_rand_int_range (rand, 0, N_RULES));
    }

  if (op->kind == OP_SET_CELL || op->kind == OP_REMOVE_ROW || op->kind == OP_MOVE_ROW
      || (op->kind == OP_JUSTIFY && g_rand_boolean (rand)))
    op->row_id = g_array_index (model->rows, gint64,
                                g_rand_int_range (rand, 0, model->rows->len));
  if (op->kind == OP_JUSTIFY && model->rows->len == 0)
    op->row_id = 0;
}

/* What a successful operation does to the report. */
static void
model_apply (Model    *model,
             const Op *op)
{
  const char *value = op->blank ? NULL : op->value;
  gboolean changed = FALSE;
  int index;

  switch (op->kind)
    {
    case OP_SET_VALUE:
    case OP_SET_CELL:
      changed = model_put (model->values, op->key, op->row_id, value);
      break;

    case OP_ADD_ROW:
      g_array_append_val (model->rows, model->next_row_id);
      model->next_row_id++;
      changed = TRUE;
      break;

    case OP_REMOVE_ROW:
      index = model_row_index (model, op->row_id);
      g_array_remove_index (model->rows, index);
      model_put (model->values, "findings.topic", op->row_id, NULL);
      model_put (model->values, "findings.status", op->row_id, NULL);
      for (guint rule = 0; rule < N_RULES; rule++)
        {
          g_autofree char *rule_id = g_strdup_printf ("r%u", rule);

          model_put (model->justifications, rule_id, op->row_id, NULL);
        }
      changed = TRUE;
      break;

    case OP_MOVE_ROW:
      {
        guint to = MIN (op->index, model->rows->len - 1);

        index = model_row_index (model, op->row_id);
        if ((guint) index != to)
          {
            g_array_remove_index (model->rows, index);
            g_array_insert_val (model->rows, to, op->row_id);
            changed = TRUE;
          }
      }
      break;

    case OP_JUSTIFY:
      changed = model_put (model->justifications, op->key, op->row_id, value);
      break;

    case OP_STATUS:
      /* Not a change of content: the revision stays. */
      model->status = op->status;
      break;

    case OP_REOPEN:
      break;
    }

  if (changed)
    model->revision++;
}

typedef struct {
  char               *path;
  BcTemplateRegistry *templates;
  BcWorkbook         *workbook;
} Session;

static gboolean
session_open (Session             *session,
              const char          *vfs,
              BcWorkbookOpenFlags  flags)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (session->workbook);
  session->workbook = _bc_workbook_open_with_vfs (session->path, session->templates, flags,
                                                  vfs, &error);
  return session->workbook != NULL;
}

static gboolean
op_run (Session  *session,
        Model    *model,
        const Op *op)
{
  g_autoptr(GError) error = NULL;
  const char *value = op->blank ? NULL : op->value;
  BcWorkbook *workbook = session->workbook;
  gint64 row_id;
  gboolean ok = FALSE;

  switch (op->kind)
    {
    case OP_SET_VALUE:
    case OP_SET_CELL:
      ok = bc_workbook_set_value (workbook, REPORT_ID, op->key, op->row_id, value, &error);
      break;
    case OP_ADD_ROW:
      row_id = bc_workbook_add_row (workbook, REPORT_ID, "findings", &error);
      ok = row_id > 0;
      if (ok)
        g_assert_cmpint (row_id, ==, model->next_row_id);
      break;
    case OP_REMOVE_ROW:
      ok = bc_workbook_remove_row (workbook, REPORT_ID, "findings", op->row_id, &error);
      break;
    case OP_MOVE_ROW:
      ok = bc_workbook_move_row (workbook, REPORT_ID, "findings", op->row_id, op->index, &error);
      break;
    case OP_JUSTIFY:
      ok = bc_workbook_set_justification (workbook, REPORT_ID, op->key, op->row_id, value, &error);
      break;
    case OP_STATUS:
      ok = bc_workbook_set_status (workbook, REPORT_ID, op->status, NULL, &error);
      break;
    case OP_REOPEN:
      /* A clean close checkpoints into the main file and deletes the WAL. */
      g_clear_object (&session->workbook);
      ok = session_open (session, BC_FAULT_VFS_NAME, BC_WORKBOOK_OPEN_DEFAULT);
      break;
    }

  /* The only failures expected are the injected write errors. */
  if (!ok && error != NULL)
    g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_IO);

  return ok;
}

/* ------------------------------------------------------------------------ */
/* Rounds                                                                   */

typedef enum {
  CUT_AFTER_OPS,       /* the power goes between two operations */
  CUT_DURING_OP,       /* the disk fails mid-operation, then the power goes */
  CUT_DURING_CREATE,   /* the same while the workbook is being created */
  N_CUTS
} CutKind;

typedef struct {
  guint rounds;
  guint ops;
  guint status_changes;
  guint reopens;
  guint failed_ops;
  guint failed_ops_kept;   /* failed, yet all of it reached the disk */
} Totals;

/* Reopens after the power came back and checks the report against the
 * model of what was committed (or, for a failed call, what it would have
 * made). */
static gboolean
verify (Session     *session,
        const Model *committed,
        const Model *failed)
{
  gboolean kept_failed = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autofree char *check = NULL;

  g_assert_null (session->workbook);
  /* The app opens its workbook with OPEN_CREATE: a creation cut short must
   * leave something it can open. */
  g_assert_true (session_open (session, NULL, BC_WORKBOOK_OPEN_CREATE));
  bc_workbook_check (session->workbook, &error);
  g_assert_no_error (error);
  check = _bc_workbook_query_string (session->workbook, "PRAGMA integrity_check", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (check, ==, "ok");

  report = bc_workbook_load_report (session->workbook, REPORT_ID, &error);
  if (report == NULL)
    {
      g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND);
      g_clear_error (&error);
    }

  if (!model_matches (committed, report))
    kept_failed = TRUE;
  if (kept_failed && (failed == NULL || !model_matches (failed, report)))
    g_error ("after the power cut the report is not what was committed "
             "(revision %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT ")",
             report != NULL ? bc_report_get_revision (report) : -1,
             committed != NULL ? committed->revision : -1);

  g_clear_object (&session->workbook);
  return kept_failed;
}

static void
run_round (Session *session,
           GRand   *rand,
           Totals  *totals)
{
  g_autoptr(Model) committed = NULL;
  g_autoptr(Model) failed = NULL;
  g_autoptr(GError) error = NULL;
  CutKind cut = g_rand_int_range (rand, 0, N_CUTS);
  guint n_ops = g_rand_int_range (rand, 0, MAX_OPS + 1);
  guint fail_at = g_rand_int_range (rand, 0, n_ops + 1);
  gboolean dead = FALSE;

  bc_fault_vfs_reset ();
  if (cut == CUT_DURING_CREATE)
    bc_fault_vfs_fail_writes_after (g_rand_int_range (rand, 0, 30));

  if (!session_open (session, BC_FAULT_VFS_NAME, BC_WORKBOOK_OPEN_CREATE))
    dead = TRUE;
  else if (bc_workbook_create_report_with_id (session->workbook, REPORT_ID, TEMPLATE_ID, "2018Q2",
                                              "Huyện A", &error))
    committed = model_new ();
  else
    {
      g_assert_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_IO);
      failed = model_new ();
      dead = TRUE;
    }

  for (guint i = 0; i < n_ops && !dead; i++)
    {
      Op op;

      if (cut == CUT_DURING_OP && i == fail_at)
        bc_fault_vfs_fail_writes_after (g_rand_int_range (rand, 0, 25));

      op_random (rand, committed, session->templates != NULL, &op);
      totals->ops++;
      totals->status_changes += op.kind == OP_STATUS;
      totals->reopens += op.kind == OP_REOPEN;
      if (op_run (session, committed, &op))
        model_apply (committed, &op);
      else
        {
          totals->failed_ops++;
          failed = model_copy (committed);
          model_apply (failed, &op);
          dead = TRUE;
        }
    }

  /* The power goes: nothing more reaches the disk, not even the close. */
  bc_fault_vfs_power_off ();
  g_clear_object (&session->workbook);
  bc_fault_vfs_reboot (g_rand_boolean (rand));

  if (verify (session, committed, failed))
    totals->failed_ops_kept++;
  totals->rounds++;

  bc_test_remove_tree (session->path);
  {
    const char *suffixes[] = { "-wal", "-shm", "-journal" };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *extra = g_strconcat (session->path, suffixes[i], NULL);

        g_remove (extra);
      }
  }
}

static BcTemplateRegistry *
load_templates (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplateRegistry) templates = NULL;
  g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "templates", "workbook", NULL);

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return NULL;

  templates = bc_template_registry_new ();
  bc_template_registry_add_directory (templates, dir, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&templates);
}

static void
test_power_cuts (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-powerloss-XXXXXX", &error);
  const char *rounds_env = g_getenv ("BAOCAO_POWERLOSS_ROUNDS");
  const char *seed_env = g_getenv ("BAOCAO_POWERLOSS_SEED");
  guint rounds = rounds_env != NULL ? (guint) g_ascii_strtoull (rounds_env, NULL, 10) : DEFAULT_ROUNDS;
  guint32 seed = seed_env != NULL ? (guint32) g_ascii_strtoull (seed_env, NULL, 10) : DEFAULT_SEED;
  Session session = { 0 };
  Totals totals = { 0 };

  g_assert_no_error (error);
  bc_fault_vfs_register ();
  g_test_message ("seed %u (BAOCAO_POWERLOSS_SEED), %u rounds (BAOCAO_POWERLOSS_ROUNDS)",
                  seed, rounds);
  rand = g_rand_new_with_seed (seed);
  session.path = g_build_filename (dir, "powerloss.baocao", NULL);
  session.templates = load_templates ();
  g_assert_nonnull (session.templates);

  for (guint i = 0; i < rounds; i++)
    run_round (&session, rand, &totals);

  g_test_message ("%u power cuts after %u operations (%u status changes, %u clean reopens); "
                  "%u cut mid-operation (%u of them kept whole, the others not at all); "
                  "every committed one found",
                  totals.rounds, totals.ops, totals.status_changes, totals.reopens,
                  totals.failed_ops, totals.failed_ops_kept);
  /* The faults did happen: mid-operation cuts are a third of the rounds. */
  g_assert_cmpuint (totals.failed_ops, >, rounds / 10);

  g_clear_object (&session.templates);
  g_free (session.path);
  bc_test_remove_tree (dir);
}

/* With fsync off, the same VFS loses committed changes: proof that it does
 * drop what was not synced, and so that the test above can fail. */
static void
test_without_sync_loses (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-powerloss-XXXXXX", &error);
  g_autoptr(BcReport) report = NULL;
  Session session = { 0 };
  const guint n_changes = 10;

  g_assert_no_error (error);
  bc_fault_vfs_register ();
  bc_fault_vfs_reset ();
  session.path = g_build_filename (dir, "nosync.baocao", NULL);

  /* A durable workbook with an empty report (closed cleanly). */
  g_assert_true (session_open (&session, BC_FAULT_VFS_NAME, BC_WORKBOOK_OPEN_CREATE));
  bc_workbook_create_report_with_id (session.workbook, REPORT_ID, TEMPLATE_ID, "2018Q2", "A", &error);
  g_assert_no_error (error);
  g_clear_object (&session.workbook);

  /* Committed, but never synced. */
  g_assert_true (session_open (&session, BC_FAULT_VFS_NAME, _BC_WORKBOOK_OPEN_NO_SYNC));
  for (guint i = 0; i < n_changes; i++)
    {
      g_autofree char *value = g_strdup_printf ("%u", i);

      g_assert_true (bc_workbook_set_value (session.workbook, REPORT_ID, "s0", 0, value, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpint (bc_fault_vfs_get_n_writes (), >, 0);

  bc_fault_vfs_power_off ();
  g_clear_object (&session.workbook);
  bc_fault_vfs_reboot (FALSE);

  g_assert_true (session_open (&session, NULL, BC_WORKBOOK_OPEN_DEFAULT));
  report = bc_workbook_load_report (session.workbook, REPORT_ID, &error);
  g_assert_no_error (error);
  g_test_message ("synchronous=OFF: %" G_GINT64_FORMAT " of %u commits survived",
                  bc_report_get_revision (report), n_changes);
  g_assert_cmpint (bc_report_get_revision (report), <, n_changes);

  g_clear_object (&session.workbook);
  g_free (session.path);
  bc_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/workbook/powerloss/cuts", test_power_cuts);
  g_test_add_func ("/core/workbook/powerloss/without-sync-loses", test_without_sync_loses);

  return g_test_run ();
}
