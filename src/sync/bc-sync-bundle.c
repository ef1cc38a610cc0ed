/* bc-sync-bundle.c: the outbox to a bundle file, and a reply bundle back in.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-sync-bundle"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "bc-outbox.h"
#include "bc-sync-bundle.h"
#include "bc-sync-client-private.h"
#include "bc-sync-token.h"
#include "bc-wire.h"

/* A random id kept in the workbook: a reply is for the workbook that made
 * the bundle, not another one enrolled for the same unit. */
#define SETTING_WORKBOOK_ID "workbook_id"

void
bc_bundle_export_free (BcBundleExport *export_)
{
  if (export_ == NULL)
    return;
  g_free (export_->bundle_id);
  g_clear_pointer (&export_->not_sent, g_ptr_array_unref);
  g_free (export_);
}

static char *
workbook_id (BcWorkbook  *workbook,
             GError     **error)
{
  char *id = bc_outbox_get_sync_setting (workbook, SETTING_WORKBOOK_ID);

  if (id != NULL)
    return id;
  id = g_uuid_string_random ();
  if (!bc_outbox_set_sync_setting (workbook, SETTING_WORKBOOK_ID, id, error))
    g_clear_pointer (&id, g_free);
  return id;
}

/* The device's signing key, or NULL when it has no token here. */
static char *
device_key (const char *server_id,
            const char *url,
            const char *token_file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = bc_sync_token_lookup (server_id, url, token_file, NULL, &error);

  if (token == NULL)
    {
      g_debug ("No token to sign with: %s", error->message);
      return NULL;
    }
  return bc_bundle_key_from_token (token);
}

static gboolean
not_enrolled (GError **error)
{
  g_set_error_literal (error, BC_SYNC_ERROR, BC_SYNC_ERROR_NOT_ENROLLED,
                       _("This workbook is not enrolled with a server, so Baocao does not know "
                         "where a bundle would go. Enrol it once where there is a link: "
                         "baocao-cli enrol URL --user USER."));
  return FALSE;
}

BcBundleExport *
bc_sync_bundle_export (BcWorkbook  *workbook,
                       const char  *token_file,
                       const char  *path,
                       GError     **error)
{
  g_autofree char *server_id = NULL;
  g_autofree char *url = NULL;
  g_autofree char *unit = NULL;
  g_autofree char *device_id = NULL;
  g_autofree char *wb_id = NULL;
  g_autofree char *key = NULL;
  g_autofree char *now = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(JsonObject) bundle = json_object_new ();
  g_autoptr(BcBundleExport) result = g_new0 (BcBundleExport, 1);
  JsonArray *array = json_array_new ();
  gint64 cursor;

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  json_object_set_array_member (bundle, "items", array);

  server_id = bc_outbox_get_sync_setting (workbook, BC_SYNC_SETTING_SERVER_ID);
  url = bc_outbox_get_sync_setting (workbook, BC_SYNC_SETTING_SERVER_URL);
  unit = bc_outbox_get_sync_setting (workbook, BC_SYNC_SETTING_UNIT);
  device_id = bc_outbox_get_sync_setting (workbook, BC_SYNC_SETTING_DEVICE_ID);
  if (server_id == NULL || url == NULL || unit == NULL)
    {
      not_enrolled (error);
      return NULL;
    }
  if (bc_workbook_get_kind (workbook) == BC_WORKBOOK_KIND_DEMO)
    {
      g_set_error_literal (error, BC_SYNC_ERROR, BC_SYNC_ERROR_DEMO,
                           _("This is a demo workbook: its reports never leave it in a bundle. "
                             "Open your own workbook to export its outbox."));
      return NULL;
    }

  wb_id = workbook_id (workbook, error);
  result->not_sent = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_sync_not_sent_free);
  if (wb_id == NULL || !_bc_sync_queue_ready (workbook, unit, result->not_sent, error)
      || !bc_outbox_freeze (workbook, error))
    return NULL;
  cursor = bc_outbox_get_cursor (workbook, error);
  items = cursor >= 0 ? bc_outbox_list (workbook, error) : NULL;
  if (items == NULL)
    return NULL;

  for (guint i = 0; i < items->len; i++)
    {
      BcOutboxItem *item = g_ptr_array_index (items, i);
      g_autoptr(JsonNode) content = NULL;
      JsonObject *object;

      /* What a sync would skip, a bundle skips too (the sync says why). */
      if (item->content == NULL || g_strcmp0 (item->unit, unit) != 0)
        continue;
      content = bc_wire_parse (item->content, strlen (item->content), BC_BUNDLE_MAX_SIZE,
                               BC_WIRE_MAX_DEPTH, error);
      if (content == NULL)
        return NULL;
      /* The frozen text is canonical: written again it is the same bytes. */
      object = json_object_new ();
      json_object_set_int_member (object, "base_revision", item->base_revision);
      json_object_set_member (object, "content", g_steal_pointer (&content));
      json_object_set_string_member (object, "content_hash", item->content_hash);
      json_object_set_string_member (object, "report_id", item->report_id);
      json_object_set_int_member (object, "revision", item->revision);
      json_array_add_object_element (array, object);
      g_ptr_array_add (ids, item->report_id);
    }

  /* Committed before the file exists: from now on these reports may reach
   * the server, so they cannot go back to draft (bc-outbox.h). */
  if (ids->len > 0 && !bc_outbox_begin_attempt (workbook, ids, error))
    return NULL;

  key = device_key (server_id, url, token_file);
  now = bc_wire_format_time (g_get_real_time ());
  result->bundle_id = g_uuid_string_random ();
  json_object_set_string_member (bundle, "format", BC_BUNDLE_FORMAT);
  json_object_set_int_member (bundle, "version", BC_BUNDLE_VERSION);
  json_object_set_string_member (bundle, "kind", BC_BUNDLE_KIND_OUTBOX);
  json_object_set_string_member (bundle, "bundle_id", result->bundle_id);
  json_object_set_string_member (bundle, "server_id", server_id);
  json_object_set_string_member (bundle, "unit", unit);
  if (device_id != NULL && key != NULL)
    json_object_set_string_member (bundle, "device_id", device_id);
  else
    json_object_set_null_member (bundle, "device_id");
  json_object_set_string_member (bundle, "workbook_id", wb_id);
  json_object_set_string_member (bundle, "created_at", now);
  json_object_set_int_member (bundle, "cursor", cursor);

  text = bc_bundle_seal (bundle, device_id != NULL ? key : NULL);
  if (!bc_bundle_write_file (path, text, error))
    return NULL;

  result->n_items = ids->len;
  result->signed_ = device_id != NULL && key != NULL;
  return g_steal_pointer (&result);
}

static gboolean
wrong_place (GError    **error,
             const char *message)
{
  g_set_error_literal (error, BC_BUNDLE_ERROR, BC_BUNDLE_ERROR_WRONG_PLACE, message);
  return FALSE;
}

/* The checks before anything is applied. */
static gboolean
check_reply (BcWorkbook  *workbook,
             const char  *token_file,
             JsonObject  *bundle,
             GError     **error)
{
  g_autofree char *server_id = bc_outbox_get_sync_setting (workbook, BC_SYNC_SETTING_SERVER_ID);
  g_autofree char *url = bc_outbox_get_sync_setting (workbook, BC_SYNC_SETTING_SERVER_URL);
  g_autofree char *unit = bc_outbox_get_sync_setting (workbook, BC_SYNC_SETTING_UNIT);
  g_autofree char *wb_id = bc_outbox_get_sync_setting (workbook, SETTING_WORKBOOK_ID);
  g_autofree char *key = NULL;

  if (server_id == NULL || url == NULL || unit == NULL)
    return not_enrolled (error);
  if (g_strcmp0 (bc_bundle_get_string (bundle, "kind"), BC_BUNDLE_KIND_REPLY) != 0)
    return wrong_place (error, _("This is not a reply bundle but a unit's outbox. Deliver it to "
                                 "the server: baocao-server import-bundle, or baocao-cli bundle "
                                 "import on a computer enrolled for that unit or the one above it."));
  if (g_strcmp0 (bc_bundle_get_string (bundle, "server_id"), server_id) != 0)
    return wrong_place (error, _("This reply bundle comes from another server than this "
                                 "workbook's. Nothing was imported."));
  if (g_strcmp0 (bc_bundle_get_string (bundle, "unit"), unit) != 0)
    return wrong_place (error, _("This reply bundle is for another unit. Nothing was imported: "
                                 "take it to that unit's computer."));
  if (wb_id == NULL || g_strcmp0 (bc_bundle_get_string (bundle, "workbook_id"), wb_id) != 0)
    return wrong_place (error, _("This reply bundle answers a bundle of another workbook. "
                                 "Nothing was imported: open the workbook that exported it."));
  if (bc_bundle_get_array (bundle, "results") == NULL
      || bc_bundle_get_array (bundle, "changes") == NULL
      || bc_bundle_get_int (bundle, "since", -1) < 0
      || bc_bundle_get_int (bundle, "cursor", -1) < 0)
    {
      g_set_error_literal (error, BC_BUNDLE_ERROR, BC_BUNDLE_ERROR_DAMAGED,
                           _("The reply bundle lacks its results, changes or cursor. Ask for it "
                             "again."));
      return FALSE;
    }

  /* With a token here, only a reply signed with it is believed: receipts
   * and decisions are not taken from anyone who can write a file. */
  key = device_key (server_id, url, token_file);
  if (key != NULL)
    return bc_bundle_check_signature (bundle, key, error);
  if (bc_bundle_is_signed (bundle))
    {
      g_set_error_literal (error, BC_BUNDLE_ERROR, BC_BUNDLE_ERROR_SIGNATURE,
                           _("The reply bundle is signed, but this computer has no token to "
                             "check it with. Give the token file (--token-file) or enrol "
                             "again."));
      return FALSE;
    }
  return TRUE;
}

BcSyncSummary *
bc_sync_bundle_apply_reply (BcWorkbook  *workbook,
                            const char  *token_file,
                            JsonObject  *bundle,
                            GError     **error)
{
  g_autoptr(BcSyncSummary) summary = g_new0 (BcSyncSummary, 1);
  g_autoptr(JsonObject) results_object = json_object_new ();
  g_autoptr(JsonObject) changes_object = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GArray) revisions = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(BcSyncChanges) page = NULL;
  g_autofree char *text = NULL;
  JsonArray *kept = json_array_new ();
  JsonArray *all;

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), NULL);
  g_return_val_if_fail (bundle != NULL, NULL);

  summary->results = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_sync_push_result_free);
  summary->not_sent = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_sync_not_sent_free);
  json_object_set_array_member (results_object, "results", kept);
  if (!check_reply (workbook, token_file, bundle, error))
    return NULL;
  summary->server_name = bc_outbox_get_sync_setting (workbook, BC_SYNC_SETTING_SERVER_NAME);

  /* Results are decoded as a push's: the same checks, the same shapes. A
   * refused item without a usable id concerns no report here. */
  all = bc_bundle_get_array (bundle, "results");
  for (guint i = 0; i < json_array_get_length (all); i++)
    {
      JsonNode *result = json_array_get_element (all, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (result) ? json_node_get_object (result) : NULL;
      const char *report_id = object != NULL ? bc_bundle_get_string (object, "report_id") : NULL;
      gint64 revision = object != NULL ? bc_bundle_get_int (object, "revision", -1) : -1;

      if (report_id == NULL || revision < 0)
        continue;
      json_array_add_element (kept, json_node_ref (result));
      g_ptr_array_add (ids, (gpointer) report_id);
      g_array_append_val (revisions, revision);
    }
  node = json_node_init_object (json_node_alloc (), json_object_ref (results_object));
  text = bc_wire_canonical_json (node);
  results = bc_sync_decode_push (text, strlen (text), (const char * const *) ids->pdata,
                                 (const gint64 *) (gpointer) revisions->data, ids->len, error);
  if (results == NULL)
    return NULL;

  json_object_set_array_member (changes_object, "changes",
                                json_array_ref (bc_bundle_get_array (bundle, "changes")));
  json_object_set_int_member (changes_object, "cursor", bc_bundle_get_int (bundle, "cursor", 0));
  json_object_set_boolean_member (changes_object, "more", FALSE);
  g_clear_pointer (&node, json_node_unref);
  g_clear_pointer (&text, g_free);
  node = json_node_init_object (json_node_alloc (), json_object_ref (changes_object));
  text = bc_wire_canonical_json (node);
  page = bc_sync_decode_changes (text, strlen (text), bc_bundle_get_int (bundle, "since", 0), error);
  if (page == NULL)
    return NULL;

  if (!_bc_sync_apply_reply (workbook, g_steal_pointer (&results), page,
                             bc_bundle_get_int (bundle, "since", 0), summary, error))
    return NULL;
  return g_steal_pointer (&summary);
}

/* ------------------------------------------------------------------------ */
/* Off the caller's thread                                                  */

typedef struct {
  char *token_file;
  char *path;
} Job;

static void
job_free (Job *job)
{
  g_free (job->token_file);
  g_free (job->path);
  g_free (job);
}

static GTask *
job_task (BcWorkbook          *workbook,
          const char          *token_file,
          const char          *path,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data,
          gpointer             source_tag)
{
  GTask *task = g_task_new (workbook, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  job->token_file = g_strdup (token_file);
  job->path = g_strdup (path);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  return task;
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  BcBundleExport *done;

  (void) cancellable;
  done = bc_sync_bundle_export (source_object, job->token_file, job->path, &error);
  if (done == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, done, (GDestroyNotify) bc_bundle_export_free);
}

void
bc_sync_bundle_export_async (BcWorkbook          *workbook,
                             const char          *token_file,
                             const char          *path,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BC_IS_WORKBOOK (workbook));
  g_return_if_fail (path != NULL);

  task = job_task (workbook, token_file, path, cancellable, callback, user_data,
                   bc_sync_bundle_export_async);
  g_task_run_in_thread (task, export_thread);
}

BcBundleExport *
bc_sync_bundle_export_finish (BcWorkbook    *workbook,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, workbook), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  g_autoptr(JsonObject) bundle = NULL;
  BcSyncSummary *summary = NULL;

  (void) cancellable;
  bundle = bc_bundle_open_file (job->path, &error);
  if (bundle != NULL)
    summary = bc_sync_bundle_apply_reply (source_object, job->token_file, bundle, &error);
  if (summary == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, summary, (GDestroyNotify) bc_sync_summary_free);
}

void
bc_sync_bundle_import_reply_async (BcWorkbook          *workbook,
                                   const char          *token_file,
                                   const char          *path,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BC_IS_WORKBOOK (workbook));
  g_return_if_fail (path != NULL);

  task = job_task (workbook, token_file, path, cancellable, callback, user_data,
                   bc_sync_bundle_import_reply_async);
  g_task_run_in_thread (task, import_thread);
}

BcSyncSummary *
bc_sync_bundle_import_reply_finish (BcWorkbook    *workbook,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, workbook), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
