/* bc-sync-decode.c: the client's decoder of server answers (bounded, strict).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-sync"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "bc-sync-decode.h"
#include "bc-sync-error.h"
#include "bc-wire.h"

G_DEFINE_QUARK (bc-sync-error-quark, bc_sync_error)

gboolean
bc_sync_error_is_transient (const GError *error)
{
  if (error == NULL || error->domain != BC_SYNC_ERROR)
    return FALSE;

  switch ((BcSyncError) error->code)
    {
    case BC_SYNC_ERROR_OFFLINE:
    case BC_SYNC_ERROR_TIMEOUT:
    case BC_SYNC_ERROR_RATE_LIMITED:
    case BC_SYNC_ERROR_SERVER:
    case BC_SYNC_ERROR_INTERRUPTED:
      return TRUE;
    default:
      return FALSE;
    }
}

void
bc_sync_info_free (BcSyncInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->server);
  g_free (info->version);
  g_free (info->server_id);
  g_free (info->name);
  g_free (info);
}

void
bc_sync_enrolment_free (BcSyncEnrolment *enrolment)
{
  if (enrolment == NULL)
    return;
  g_free (enrolment->token);
  g_free (enrolment->device_id);
  g_free (enrolment->user);
  g_free (enrolment->server_id);
  g_free (enrolment->unit_code);
  g_free (enrolment->unit_name);
  g_free (enrolment->unit_level);
  g_free (enrolment->unit_parent);
  g_free (enrolment);
}

void
bc_sync_push_result_free (BcSyncPushResult *result)
{
  if (result == NULL)
    return;
  g_free (result->report_id);
  g_free (result->receipt_number);
  g_free (result->error_code);
  g_free (result->error_message);
  g_free (result);
}

void
bc_sync_changes_free (BcSyncChanges *changes)
{
  if (changes == NULL)
    return;
  g_clear_pointer (&changes->root, json_node_unref);
  g_free (changes);
}

const char *
bc_sync_result_kind_to_string (BcSyncResultKind kind)
{
  switch (kind)
    {
    case BC_SYNC_RESULT_STORED:
      return "stored";
    case BC_SYNC_RESULT_CONFLICT:
      return "conflict";
    case BC_SYNC_RESULT_REFUSED:
    default:
      return "refused";
    }
}

/* ------------------------------------------------------------------------ */

static void
set_bad_answer (GError     **error,
                const char  *what)
{
  g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_PROTOCOL,
               _("The server's answer is not what Baocao expects (%s). The address may not be "
                 "a Baocao server, or it may need a newer Baocao."),
               what);
}

static JsonObject *
parse_object (const char  *data,
              gsize        length,
              JsonNode   **root,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  /* An empty body may come as NULL data (an empty GBytes). */
  if (data == NULL)
    data = "";

  *root = bc_wire_parse (data, length, BC_SYNC_MAX_RESPONSE, BC_WIRE_MAX_DEPTH, &local_error);
  if (*root == NULL)
    {
      set_bad_answer (error, local_error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (*root))
    {
      g_clear_pointer (root, json_node_unref);
      set_bad_answer (error, _("not a JSON object"));
      return NULL;
    }

  return json_node_get_object (*root);
}

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static gboolean
get_int (JsonObject *object,
         const char *name,
         gint64     *out)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;

  *out = json_node_get_int (node);
  return TRUE;
}

static gboolean
get_bool (JsonObject *object,
          const char *name,
          gboolean   *out)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return FALSE;

  *out = json_node_get_boolean (node);
  return TRUE;
}

static JsonObject *
get_object (JsonObject *object,
            const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

static JsonArray *
get_array (JsonObject *object,
           const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  return json_node_get_array (node);
}

/* ------------------------------------------------------------------------ */

BcSyncInfo *
bc_sync_decode_info (const char  *data,
                     gsize        length,
                     GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(BcSyncInfo) info = g_new0 (BcSyncInfo, 1);
  JsonObject *object = parse_object (data, length, &root, error);

  if (object == NULL)
    return NULL;

  if (get_string (object, "server_id") == NULL
      || !get_int (object, "protocol_min", &info->protocol_min)
      || !get_int (object, "protocol_max", &info->protocol_max)
      || info->protocol_min > info->protocol_max)
    {
      set_bad_answer (error, "info");
      return NULL;
    }

  info->server = g_strdup (get_string (object, "server"));
  info->version = g_strdup (get_string (object, "version"));
  info->server_id = g_strdup (get_string (object, "server_id"));
  info->name = g_strdup (get_string (object, "name"));
  {
    JsonNode *training = json_object_get_member (object, "training");

    info->training = training != NULL && JSON_NODE_HOLDS_VALUE (training)
                     && json_node_get_value_type (training) == G_TYPE_BOOLEAN
                     && json_node_get_boolean (training);
  }

  return g_steal_pointer (&info);
}

BcSyncEnrolment *
bc_sync_decode_enrolment (const char  *data,
                          gsize        length,
                          GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(BcSyncEnrolment) enrolment = g_new0 (BcSyncEnrolment, 1);
  JsonObject *object = parse_object (data, length, &root, error);
  JsonObject *unit;

  if (object == NULL)
    return NULL;

  unit = get_object (object, "unit");
  if (get_string (object, "token") == NULL || get_string (object, "server_id") == NULL
      || unit == NULL || get_string (unit, "code") == NULL)
    {
      set_bad_answer (error, "enrol");
      return NULL;
    }

  /* The token goes into an HTTP header and a file: printable ASCII only. */
  for (const char *p = get_string (object, "token"); *p != '\0'; p++)
    if (*p <= ' ' || *p > '~')
      {
        set_bad_answer (error, "token");
        return NULL;
      }

  enrolment->token = g_strdup (get_string (object, "token"));
  enrolment->device_id = g_strdup (get_string (object, "device_id"));
  enrolment->user = g_strdup (get_string (object, "user"));
  enrolment->server_id = g_strdup (get_string (object, "server_id"));
  enrolment->unit_code = g_strdup (get_string (unit, "code"));
  enrolment->unit_name = g_strdup (get_string (unit, "name"));
  enrolment->unit_level = g_strdup (get_string (unit, "level"));
  enrolment->unit_parent = g_strdup (get_string (unit, "parent"));

  return g_steal_pointer (&enrolment);
}

static BcSyncPushResult *
decode_result (JsonObject   *item,
               const char   *report_id,
               gint64        revision,
               GError      **error)
{
  g_autoptr(BcSyncPushResult) result = g_new0 (BcSyncPushResult, 1);
  const char *kind = get_string (item, "result");
  gint64 item_revision;

  /* Results come in the order of the items; each names its item too (a
   * refused one may name none, when the item had no usable id). */
  if ((g_strcmp0 (get_string (item, "report_id"), report_id) != 0
       && !(g_strcmp0 (kind, "refused") == 0 && json_object_has_member (item, "report_id")
            && JSON_NODE_HOLDS_NULL (json_object_get_member (item, "report_id"))))
      || !get_int (item, "revision", &item_revision) || item_revision != revision
      || kind == NULL)
    {
      set_bad_answer (error, "push result");
      return NULL;
    }

  result->report_id = g_strdup (report_id);
  result->revision = revision;
  if (!get_bool (item, "replayed", &result->replayed))
    result->replayed = FALSE;
  if (!get_int (item, "server_revision", &result->server_revision))
    result->server_revision = 0;

  if (g_str_equal (kind, "stored") || g_str_equal (kind, "conflict"))
    {
      JsonObject *receipt = get_object (item, "receipt");
      const char *received_at = get_string (receipt, "received_at");

      result->result = g_str_equal (kind, "stored") ? BC_SYNC_RESULT_STORED
                                                     : BC_SYNC_RESULT_CONFLICT;
      if (get_string (receipt, "number") == NULL || received_at == NULL
          || (result->received_at = bc_wire_parse_time (received_at)) < 0)
        {
          set_bad_answer (error, "receipt");
          return NULL;
        }
      result->receipt_number = g_strdup (get_string (receipt, "number"));
    }
  else if (g_str_equal (kind, "refused"))
    {
      JsonObject *err = get_object (item, "error");

      result->result = BC_SYNC_RESULT_REFUSED;
      result->error_code = g_strdup (get_string (err, "code"));
      result->error_message = g_strdup (get_string (err, "message"));
      if (result->error_code == NULL)
        result->error_code = g_strdup ("bad_request");
    }
  else
    {
      set_bad_answer (error, "push result");
      return NULL;
    }

  return g_steal_pointer (&result);
}

GPtrArray *
bc_sync_decode_push (const char          *data,
                     gsize                length,
                     const char * const  *report_ids,
                     const gint64        *revisions,
                     guint                n_items,
                     GError             **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) results = NULL;
  JsonObject *object = parse_object (data, length, &root, error);
  JsonArray *array;

  if (object == NULL)
    return NULL;

  array = get_array (object, "results");
  if (array == NULL || json_array_get_length (array) != n_items)
    {
      set_bad_answer (error, "push results");
      return NULL;
    }

  results = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_sync_push_result_free);
  for (guint i = 0; i < n_items; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      BcSyncPushResult *result;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          set_bad_answer (error, "push result");
          return NULL;
        }
      result = decode_result (json_node_get_object (node), report_ids[i], revisions[i], error);
      if (result == NULL)
        return NULL;
      g_ptr_array_add (results, result);
    }

  return g_steal_pointer (&results);
}

BcSyncChanges *
bc_sync_decode_changes (const char  *data,
                        gsize        length,
                        gint64       since,
                        GError     **error)
{
  g_autoptr(BcSyncChanges) changes = g_new0 (BcSyncChanges, 1);
  JsonObject *object = parse_object (data, length, &changes->root, error);
  gint64 last = since;

  if (object == NULL)
    return NULL;

  changes->changes = get_array (object, "changes");
  if (changes->changes == NULL || !get_int (object, "cursor", &changes->cursor)
      || !get_bool (object, "more", &changes->more))
    {
      set_bad_answer (error, "changes");
      return NULL;
    }

  for (guint i = 0; i < json_array_get_length (changes->changes); i++)
    {
      JsonNode *node = json_array_get_element (changes->changes, i);
      JsonObject *change = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      gint64 seq;

      if (change == NULL || get_string (change, "kind") == NULL
          || !get_int (change, "seq", &seq) || seq <= last)
        {
          set_bad_answer (error, "change");
          return NULL;
        }
      last = seq;
    }

  /* A cursor that goes back, or a page that says "more" without moving,
   * would make the client ask forever. */
  if (changes->cursor < last || (changes->more && changes->cursor <= since))
    {
      set_bad_answer (error, "cursor");
      return NULL;
    }

  return g_steal_pointer (&changes);
}

gboolean
bc_sync_decode_error (const char  *data,
                      gsize        length,
                      char       **code,
                      char       **message,
                      gint64      *protocol_min,
                      gint64      *protocol_max)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonObject *err;

  *code = NULL;
  *message = NULL;
  *protocol_min = -1;
  *protocol_max = -1;

  object = parse_object (data, length, &root, NULL);
  err = get_object (object, "error");
  if (err == NULL || get_string (err, "code") == NULL)
    return FALSE;

  *code = g_strdup (get_string (err, "code"));
  *message = g_strdup (get_string (err, "message"));
  /* The protocol's bounds may sit beside "error" or inside it. */
  if (!get_int (object, "protocol_min", protocol_min))
    get_int (err, "protocol_min", protocol_min);
  if (!get_int (object, "protocol_max", protocol_max))
    get_int (err, "protocol_max", protocol_max);

  return TRUE;
}
