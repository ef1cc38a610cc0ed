/* bc-server.c: the sync protocol's HTTP side, on libsoup's SoupServer.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-server"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "bc-server.h"
#include "bc-server-auth.h"
#include "bc-server-private.h"
#include "bc-server-i18n.h"
#include "bc-server-templates.h"
#include "bc-wire.h"

#define API_PREFIX            "/api/v1/"
#define DEFAULT_RATE          120.0  /* a minute */
#define DEFAULT_BURST         30
#define SIGNIN_FAILURES       10
#define SIGNIN_WINDOW         (15 * 60 * G_USEC_PER_SEC)
#define BUSY_RETRY_AFTER      2
#define GZIP_MIN_RESPONSE     512
#define MAX_NAME_LENGTH       200
#define MAX_PASSWORD_LENGTH   1024
#define MAX_BUCKETS           10000

G_DEFINE_QUARK (bc-server-error-quark, bc_server_error)

typedef struct {
  double tokens;
  gint64 updated;
} Bucket;

struct _BcServer {
  GObject             parent_instance;

  SoupServer         *soup;
  BcServerStore      *store;
  BcServerTemplates  *templates;
  char               *server_id;
  char               *name;
  char               *dummy_hash;   /* verified for unknown users: same time as a wrong password */
  gboolean            tls;

  GMutex              limits_lock;
  double              rate_per_second;
  double              burst;
  GHashTable         *buckets;      /* token hash → Bucket */
  GHashTable         *signin_failures; /* user name → GArray of gint64 times */

  guint               n_pending;    /* main thread only */

  /* bc-training.c: the training server says so, and reviews by itself */
  gboolean            training;
  BcServerPushHook    push_hook;
  gpointer            push_hook_data;
};

G_DEFINE_FINAL_TYPE (BcServer, bc_server, G_TYPE_OBJECT)

typedef enum {
  ENDPOINT_INFO,
  ENDPOINT_ENROL,
  ENDPOINT_DEVICE_SELF,
  ENDPOINT_PUSH,
  ENDPOINT_CHANGES,
  ENDPOINT_REPORT,
  ENDPOINT_BUNDLES,
} Endpoint;

/* One request on its way through a worker thread. Everything the thread
 * reads is copied out of the message first: the message belongs to the
 * main loop. */
typedef struct {
  BcServer          *server;
  SoupServerMessage *msg;
  gboolean           gone;          /* the connection finished before the answer */
  Endpoint           endpoint;
  const char        *lang;
  char              *authorization;
  char              *report_id;
  char              *since;
  char              *limit;
  char              *content_type;
  char              *content_encoding;
  gboolean           accepts_gzip;
  GBytes            *body;
  /* the answer */
  guint              status;
  JsonNode          *reply;
  guint              retry_after;
  GBytes            *response;
  gboolean           response_gzipped;
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->server);
  g_clear_object (&job->msg);
  g_free (job->authorization);
  g_free (job->report_id);
  g_free (job->since);
  g_free (job->limit);
  g_free (job->content_type);
  g_free (job->content_encoding);
  g_clear_pointer (&job->body, g_bytes_unref);
  g_clear_pointer (&job->reply, json_node_unref);
  g_clear_pointer (&job->response, g_bytes_unref);
  g_free (job);
}

/* Error messages: N_() here, translated per request (bc-server-i18n.c). */
static const struct {
  const char *code;
  const char *message;
} error_messages[] = {
  { "bad_request", N_("The request is not what the protocol expects.") },
  { "protocol_unsupported", N_("This server does not speak the protocol version the client asked for. Update Baocao or the server.") },
  { "unauthorized", N_("This device is not signed in to the server, or its sign-in was revoked. Enrol the device again.") },
  { "bad_credentials", N_("The user name or the password is wrong.") },
  { "not_found", N_("There is no such report on the server.") },
  { "method_not_allowed", N_("This address does not take that method.") },
  { "conflict", N_("The server holds another version of this report.") },
  { "too_large", N_("The request is too large for the server. Send fewer reports at a time.") },
  { "length_required", N_("A request body must be sent with its length (Content-Length).") },
  { "unsupported_media_type", N_("The request body must be JSON, sent plain or with gzip.") },
  { "rate_limited", N_("Too many requests. Wait a little and try again.") },
  { "internal", N_("The server failed while answering. Nothing was changed by the failing part; try again later.") },
  { "unavailable", N_("The server is busy. Try again in a moment.") },
};

static const char *
error_message (const char *lang,
               const char *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_messages); i++)
    if (g_str_equal (error_messages[i].code, code))
      return bc_server_translate (lang, error_messages[i].message);
  g_assert_not_reached ();
}

static JsonObject *
error_object (const char *lang,
              const char *code,
              const char *message)
{
  JsonObject *error = json_object_new ();

  json_object_set_string_member (error, "code", code);
  json_object_set_string_member (error, "message",
                                 message != NULL ? message : error_message (lang, code));
  return error;
}

static JsonNode *
error_body (const char *lang,
            const char *code,
            const char *message)
{
  JsonObject *body = json_object_new ();

  json_object_set_object_member (body, "error", error_object (lang, code, message));
  if (g_str_equal (code, "protocol_unsupported"))
    {
      json_object_set_int_member (body, "protocol_min", BC_WIRE_PROTOCOL_VERSION);
      json_object_set_int_member (body, "protocol_max", BC_WIRE_PROTOCOL_VERSION);
    }
  return json_node_init_object (json_node_alloc (), body);
}

static void
job_fail (Job        *job,
          guint       status,
          const char *code,
          const char *message)
{
  job->status = status;
  g_clear_pointer (&job->reply, json_node_unref);
  job->reply = error_body (job->lang, code, message);
}

static void
job_fail_store (Job    *job,
                GError *error)
{
  if (g_error_matches (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_BUSY))
    {
      job_fail (job, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable", NULL);
      job->retry_after = BUSY_RETRY_AFTER;
      return;
    }
  g_warning ("%s", error->message);
  job_fail (job, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal", NULL);
}

/* Runs `converter` over all of `data`; fails with TOO_LARGE past `max_out`. */
static GBytes *
convert_all (GConverter  *converter,
             const guchar *data,
             gsize        length,
             gsize        max_out,
             GError     **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guchar buffer[16384];
  gsize in_pos = 0;

  for (;;)
    {
      gsize read = 0, written = 0;
      GConverterResult result;

      result = g_converter_convert (converter, data + in_pos, length - in_pos,
                                    buffer, sizeof buffer, G_CONVERTER_INPUT_AT_END,
                                    &read, &written, error);
      if (result == G_CONVERTER_ERROR)
        return NULL;
      in_pos += read;
      if (out->len + written > max_out)
        {
          g_set_error_literal (error, BC_WIRE_ERROR, BC_WIRE_ERROR_TOO_LARGE, "too large");
          return NULL;
        }
      g_byte_array_append (out, buffer, (guint) written);
      if (result == G_CONVERTER_FINISHED)
        break;
      if (read == 0 && written == 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, "truncated");
          return NULL;
        }
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* The body as JSON: media type, encoding, sizes and depth checked before
 * json-glib parses it. NULL with the job's answer set. */
static JsonNode *
job_parse_body (Job *job)
{
  g_autoptr(GBytes) inflated = NULL;
  g_autoptr(GError) error = NULL;
  const guchar *data;
  gsize length;
  JsonNode *root;

  if (job->content_type == NULL ||
      (g_ascii_strncasecmp (job->content_type, "application/json", 16) != 0) ||
      (job->content_type[16] != '\0' && job->content_type[16] != ';'))
    {
      job_fail (job, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", NULL);
      return NULL;
    }

  data = g_bytes_get_data (job->body, &length);
  if (job->content_encoding != NULL && g_ascii_strcasecmp (job->content_encoding, "identity") != 0)
    {
      g_autoptr(GZlibDecompressor) gunzip = NULL;

      if (g_ascii_strcasecmp (job->content_encoding, "gzip") != 0)
        {
          job_fail (job, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", NULL);
          return NULL;
        }
      gunzip = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
      inflated = convert_all (G_CONVERTER (gunzip), data, length, BC_WIRE_MAX_INFLATED_BODY, &error);
      if (inflated == NULL)
        {
          if (g_error_matches (error, BC_WIRE_ERROR, BC_WIRE_ERROR_TOO_LARGE))
            job_fail (job, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large", NULL);
          else
            job_fail (job, SOUP_STATUS_BAD_REQUEST, "bad_request",
                      bc_server_translate (job->lang, N_("The gzip body is damaged.")));
          return NULL;
        }
      data = g_bytes_get_data (inflated, &length);
    }

  /* An empty GBytes may have no data pointer at all. */
  if (data == NULL)
    data = (const guchar *) "";
  root = bc_wire_parse ((const char *) data, length, BC_WIRE_MAX_INFLATED_BODY,
                        BC_WIRE_MAX_DEPTH, &error);
  if (root == NULL)
    {
      if (g_error_matches (error, BC_WIRE_ERROR, BC_WIRE_ERROR_TOO_LARGE))
        job_fail (job, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large", NULL);
      else if (g_error_matches (error, BC_WIRE_ERROR, BC_WIRE_ERROR_TOO_DEEP))
        job_fail (job, SOUP_STATUS_BAD_REQUEST, "bad_request",
                  bc_server_translate (job->lang, N_("The JSON body is nested too deeply.")));
      else
        job_fail (job, SOUP_STATUS_BAD_REQUEST, "bad_request",
                  bc_server_translate (job->lang, N_("The body is not valid JSON.")));
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      json_node_unref (root);
      job_fail (job, SOUP_STATUS_BAD_REQUEST, "bad_request",
                bc_server_translate (job->lang, N_("The body must be a JSON object.")));
      return NULL;
    }
  return root;
}

/* A token bucket per token: FALSE (and the seconds to wait) when empty. */
static gboolean
take_token (BcServer   *self,
            const char *key,
            guint      *retry_after)
{
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->limits_lock);
  gint64 now = g_get_monotonic_time ();
  Bucket *bucket;

  if (self->rate_per_second <= 0)
    return TRUE;

  if (g_hash_table_size (self->buckets) > MAX_BUCKETS)
    {
      GHashTableIter iter;
      gpointer value;

      /* A bucket that has filled up again is the same as no bucket. */
      g_hash_table_iter_init (&iter, self->buckets);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Bucket *b = value;

          if (b->tokens + (now - b->updated) / 1e6 * self->rate_per_second >= self->burst)
            g_hash_table_iter_remove (&iter);
        }
    }

  bucket = g_hash_table_lookup (self->buckets, key);
  if (bucket == NULL)
    {
      bucket = g_new0 (Bucket, 1);
      bucket->tokens = self->burst;
      bucket->updated = now;
      g_hash_table_insert (self->buckets, g_strdup (key), bucket);
    }
  bucket->tokens = MIN (self->burst,
                        bucket->tokens + (now - bucket->updated) / 1e6 * self->rate_per_second);
  bucket->updated = now;
  if (bucket->tokens >= 1.0)
    {
      bucket->tokens -= 1.0;
      return TRUE;
    }
  *retry_after = (guint) MAX (1.0, ceil ((1.0 - bucket->tokens) / self->rate_per_second));
  return FALSE;
}

/* Sign-in failures per user name in the last window: FALSE when the name
 * is locked, with the seconds until its oldest failure leaves the window. */
static gboolean
signin_allowed (BcServer   *self,
                const char *user,
                guint      *retry_after)
{
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->limits_lock);
  GArray *failures = g_hash_table_lookup (self->signin_failures, user);
  gint64 now = g_get_monotonic_time ();

  if (failures == NULL)
    return TRUE;
  while (failures->len > 0 && g_array_index (failures, gint64, 0) < now - SIGNIN_WINDOW)
    g_array_remove_index (failures, 0);
  if (failures->len < SIGNIN_FAILURES)
    return TRUE;
  *retry_after = (guint) MAX (1, (g_array_index (failures, gint64, 0) + SIGNIN_WINDOW - now)
                                 / G_USEC_PER_SEC + 1);
  return FALSE;
}

static void
signin_failed (BcServer   *self,
               const char *user)
{
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->limits_lock);
  GArray *failures = g_hash_table_lookup (self->signin_failures, user);
  gint64 now = g_get_monotonic_time ();

  if (failures == NULL)
    {
      if (g_hash_table_size (self->signin_failures) > MAX_BUCKETS)
        g_hash_table_remove_all (self->signin_failures);
      failures = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (self->signin_failures, g_strdup (user), failures);
    }
  g_array_append_val (failures, now);
  if (failures->len > SIGNIN_FAILURES)
    g_array_remove_index (failures, 0);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
member_int (JsonObject *object,
            const char *name,
            gint64     *out)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

static JsonObject *
unit_object (JsonArray  *units,
             const char *code)
{
  for (guint i = 0; units != NULL && i < json_array_get_length (units); i++)
    {
      JsonObject *unit = json_array_get_object_element (units, i);

      if (g_strcmp0 (member_string (unit, "code"), code) == 0)
        return unit;
    }
  return NULL;
}

/* The device of the request's token, or NULL with the job's answer set:
 * no token, a malformed, unknown or revoked one, and a token of another
 * server all answer the same 401. */
static BcStoreDevice *
job_authenticate (Job *job)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  BcStoreDevice *device;
  const char *token;
  guint retry_after = 0;

  if (job->authorization == NULL ||
      g_ascii_strncasecmp (job->authorization, "Bearer ", 7) != 0)
    {
      job_fail (job, SOUP_STATUS_UNAUTHORIZED, "unauthorized", NULL);
      return NULL;
    }
  token = job->authorization + 7;
  while (*token == ' ')
    token++;
  hash = bc_server_token_hash (token);

  /* Counted before the store is asked, so a flood costs the store nothing. */
  if (!take_token (job->server, hash, &retry_after))
    {
      job_fail (job, 429, "rate_limited", NULL);
      job->retry_after = retry_after;
      return NULL;
    }

  device = bc_server_store_find_token (job->server->store, hash, g_get_real_time (), &error);
  if (error != NULL)
    {
      job_fail_store (job, error);
      return NULL;
    }
  if (device == NULL)
    job_fail (job, SOUP_STATUS_UNAUTHORIZED, "unauthorized", NULL);
  return device;
}

static void
handle_info (Job *job)
{
  JsonObject *info = json_object_new ();

  json_object_set_string_member (info, "server", "baocao-server");
  json_object_set_string_member (info, "version", PACKAGE_VERSION);
  json_object_set_string_member (info, "server_id", job->server->server_id);
  json_object_set_string_member (info, "name", job->server->name);
  json_object_set_int_member (info, "protocol_min", BC_WIRE_PROTOCOL_VERSION);
  json_object_set_int_member (info, "protocol_max", BC_WIRE_PROTOCOL_VERSION);
  /* A demo workbook syncs only with a training server, a real one never
   * (docs/sync-protocol.md): the client checks this member both ways. */
  if (job->server->training)
    json_object_set_boolean_member (info, "training", TRUE);
  job->status = SOUP_STATUS_OK;
  job->reply = json_node_init_object (json_node_alloc (), info);
}

static void
handle_enrol (Job *job)
{
  BcServer *self = job->server;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BcStoreUser) user = NULL;
  g_autoptr(JsonArray) units = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token_hash = NULL;
  g_autofree char *device_id = NULL;
  JsonObject *request, *reply, *unit, *known;
  const char *name, *password, *device;
  guint retry_after = 0;
  gboolean verified;

  root = job_parse_body (job);
  if (root == NULL)
    return;
  request = json_node_get_object (root);
  name = member_string (request, "user");
  password = member_string (request, "password");
  device = member_string (request, "device");
  if (name == NULL || *name == '\0' || g_utf8_strlen (name, -1) > MAX_NAME_LENGTH ||
      password == NULL || strlen (password) > MAX_PASSWORD_LENGTH ||
      device == NULL || g_utf8_strlen (device, -1) > MAX_NAME_LENGTH)
    {
      job_fail (job, SOUP_STATUS_BAD_REQUEST, "bad_request",
                bc_server_translate (job->lang, N_("Enrolment needs a user, a password and a device name.")));
      return;
    }

  if (!signin_allowed (self, name, &retry_after))
    {
      job_fail (job, 429, "rate_limited",
                bc_server_translate (job->lang, N_("Too many failed sign-ins for this user. Wait and try again.")));
      job->retry_after = retry_after;
      return;
    }

  user = bc_server_store_find_user (self->store, name, &error);
  if (error != NULL)
    {
      job_fail_store (job, error);
      return;
    }
  /* An unknown user costs the same hash as a wrong password. */
  verified = bc_server_verify_password (user != NULL ? user->password_hash : self->dummy_hash,
                                        password);
  if (user == NULL || !verified)
    {
      signin_failed (self, name);
      job_fail (job, SOUP_STATUS_UNAUTHORIZED, "bad_credentials", NULL);
      return;
    }

  token = bc_server_new_token ();
  token_hash = bc_server_token_hash (token);
  device_id = bc_server_store_add_device (self->store, user->id,
                                          *device != '\0' ? device : name,
                                          token_hash, g_get_real_time (), &error);
  if (device_id == NULL)
    {
      job_fail_store (job, error);
      return;
    }
  units = bc_server_store_list_units (self->store, NULL);
  known = unit_object (units, user->unit);

  unit = json_object_new ();
  json_object_set_string_member (unit, "code", user->unit);
  if (known != NULL)
    {
      json_object_set_member (unit, "name", json_node_copy (json_object_get_member (known, "name")));
      json_object_set_member (unit, "level", json_node_copy (json_object_get_member (known, "level")));
      json_object_set_member (unit, "parent", json_node_copy (json_object_get_member (known, "parent")));
    }
  else
    {
      json_object_set_null_member (unit, "name");
      json_object_set_null_member (unit, "level");
      json_object_set_null_member (unit, "parent");
    }

  reply = json_object_new ();
  json_object_set_string_member (reply, "token", token);
  json_object_set_string_member (reply, "device_id", device_id);
  json_object_set_string_member (reply, "user", user->name);
  json_object_set_object_member (reply, "unit", unit);
  json_object_set_string_member (reply, "server_id", self->server_id);
  job->status = SOUP_STATUS_CREATED;
  job->reply = json_node_init_object (json_node_alloc (), reply);
}

static void
handle_device_self (Job *job)
{
  g_autoptr(BcStoreDevice) device = job_authenticate (job);
  g_autoptr(GError) error = NULL;

  if (device == NULL)
    return;
  if (!bc_server_store_revoke_device (job->server->store, device->id, g_get_real_time (), &error))
    {
      job_fail_store (job, error);
      return;
    }
  job->status = SOUP_STATUS_NO_CONTENT;
}

static JsonObject *
refused (const char *lang,
         const char *report_id,
         gint64      revision,
         const char *code,
         const char *message)
{
  JsonObject *result = json_object_new ();

  if (report_id != NULL)
    json_object_set_string_member (result, "report_id", report_id);
  else
    json_object_set_null_member (result, "report_id");
  json_object_set_int_member (result, "revision", revision);
  json_object_set_string_member (result, "result", "refused");
  json_object_set_object_member (result, "error", error_object (lang, code, message));
  return result;
}

static gboolean
is_stored_value (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

/* Step 3: every value valid for its field. NULL if so, else the message. */
static char *
check_values (const char *lang,
              BcTemplate *template_,
              JsonObject *content)
{
  static const char *allowed[] = { "id", "template", "template_version", "period", "unit",
                                   "values", "tables", "justifications" };
  JsonNode *values = json_object_get_member (content, "values");
  JsonNode *tables = json_object_get_member (content, "tables");
  JsonNode *justifications = json_object_get_member (content, "justifications");
  g_autoptr(GList) members = json_object_get_members (content);
  g_autoptr(GList) names = NULL;

  for (GList *l = members; l != NULL; l = l->next)
    {
      gboolean known = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (allowed); i++)
        known |= g_str_equal (l->data, allowed[i]);
      if (!known)
        return g_strdup_printf (bc_server_translate (lang, N_("The report's content has an unknown member “%s”.")),
                                (const char *) l->data);
    }

  if (values == NULL || !JSON_NODE_HOLDS_OBJECT (values) ||
      tables == NULL || !JSON_NODE_HOLDS_OBJECT (tables) ||
      justifications == NULL || !JSON_NODE_HOLDS_OBJECT (justifications))
    return g_strdup (bc_server_translate (lang, N_("The report's content needs values, tables and justifications objects.")));

  names = json_object_get_members (json_node_get_object (values));
  for (GList *l = names; l != NULL; l = l->next)
    {
      const BcField *field = bc_template_lookup_field (template_, l->data);
      JsonNode *value = json_object_get_member (json_node_get_object (values), l->data);
      g_autofree char *canonical = NULL;
      g_autoptr(GError) error = NULL;

      if (field == NULL || field->type == BC_FIELD_TABLE || field->table != NULL ||
          field->compute != NULL || !g_str_equal (field->id, l->data))
        return g_strdup_printf (bc_server_translate (lang, N_("The form has no field “%s” to fill in.")),
                                (const char *) l->data);
      if (!is_stored_value (value))
        return g_strdup_printf (bc_server_translate (lang, N_("The value of field “%s” must be text.")),
                                (const char *) l->data);
      if (!bc_field_parse_stored_lang (field, json_node_get_string (value), lang, &canonical, &error))
        return g_strdup_printf ("%s: %s", (const char *) l->data, error->message);
    }
  g_clear_pointer (&names, g_list_free);

  names = json_object_get_members (json_node_get_object (tables));
  for (GList *l = names; l != NULL; l = l->next)
    {
      const BcField *table = bc_template_lookup_field (template_, l->data);
      JsonNode *rows = json_object_get_member (json_node_get_object (tables), l->data);
      g_autoptr(GHashTable) row_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

      if (table == NULL || table->type != BC_FIELD_TABLE || !g_str_equal (table->id, l->data))
        return g_strdup_printf (bc_server_translate (lang, N_("The form has no table “%s”.")),
                                (const char *) l->data);
      if (!JSON_NODE_HOLDS_ARRAY (rows))
        return g_strdup_printf (bc_server_translate (lang, N_("The rows of table “%s” must be a list.")),
                                (const char *) l->data);
      for (guint r = 0; r < json_array_get_length (json_node_get_array (rows)); r++)
        {
          JsonNode *row_node = json_array_get_element (json_node_get_array (rows), r);
          g_autoptr(GList) cells = NULL;
          JsonObject *row;
          gint64 row_id;

          if (!JSON_NODE_HOLDS_OBJECT (row_node) ||
              !member_int (json_node_get_object (row_node), "row_id", &row_id) ||
              g_hash_table_contains (row_ids, &row_id))
            return g_strdup_printf (bc_server_translate (lang, N_("Row %u of table “%s” needs its own row_id.")),
                                    r + 1, (const char *) l->data);
          g_hash_table_add (row_ids, g_memdup2 (&row_id, sizeof row_id));
          row = json_node_get_object (row_node);
          cells = json_object_get_members (row);
          for (GList *c = cells; c != NULL; c = c->next)
            {
              g_autofree char *key = NULL;
              const BcField *column;
              g_autofree char *canonical = NULL;
              g_autoptr(GError) error = NULL;
              JsonNode *cell = json_object_get_member (row, c->data);

              if (g_str_equal (c->data, "row_id"))
                continue;
              key = g_strdup_printf ("%s.%s", table->id, (const char *) c->data);
              column = bc_template_lookup_field (template_, key);
              if (column == NULL || column->table != table || column->compute != NULL)
                return g_strdup_printf (bc_server_translate (lang, N_("The form has no column “%s” to fill in.")),
                                        key);
              if (!is_stored_value (cell))
                return g_strdup_printf (bc_server_translate (lang, N_("The value of field “%s” must be text.")),
                                        key);
              if (!bc_field_parse_stored_lang (column, json_node_get_string (cell), lang,
                                               &canonical, &error))
                return g_strdup_printf ("%s[%u]: %s", key, r + 1, error->message);
            }
        }
    }
  g_clear_pointer (&names, g_list_free);

  names = json_object_get_members (json_node_get_object (justifications));
  for (GList *l = names; l != NULL; l = l->next)
    if (!is_stored_value (json_object_get_member (json_node_get_object (justifications), l->data)))
      return g_strdup_printf (bc_server_translate (lang, N_("The value of field “%s” must be text.")),
                              (const char *) l->data);
  return NULL;
}

/* Steps 1 to 3 of a push item: NULL when the item may go to the store
 * (`item` filled, borrowing from `item_node`; `*canonical` its content's
 * canonical JSON), else the item's "refused" result. */
static JsonObject *
check_item (const char        *lang,
            BcServerTemplates *templates,
            const char        *unit,
            JsonNode          *item_node,
            BcStorePushItem   *item,
            char             **canonical)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplate) template_ = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *problem = NULL;
  JsonObject *object, *content;
  JsonNode *content_node;
  const char *period_id;
  BcPeriod period;

  memset (item, 0, sizeof *item);
  if (!JSON_NODE_HOLDS_OBJECT (item_node))
    return refused (lang, NULL, 0, "bad_request",
                    bc_server_translate (lang, N_("A push item must be an object.")));
  object = json_node_get_object (item_node);
  item->report_id = member_string (object, "report_id");
  member_int (object, "revision", &item->revision);
  content_node = json_object_get_member (object, "content");
  if (item->report_id == NULL || *item->report_id == '\0' || strlen (item->report_id) > 100 ||
      !member_int (object, "revision", &item->revision) || item->revision < 1 ||
      !member_int (object, "base_revision", &item->base_revision) || item->base_revision < 0 ||
      (item->content_hash = member_string (object, "content_hash")) == NULL ||
      content_node == NULL || !JSON_NODE_HOLDS_OBJECT (content_node))
    return refused (lang, item->report_id, item->revision, "bad_request",
                    bc_server_translate (lang, N_("A push item needs report_id, revision, base_revision, content_hash and content.")));
  content = json_node_get_object (content_node);
  if (g_strcmp0 (member_string (content, "id"), item->report_id) != 0)
    return refused (lang, item->report_id, item->revision, "bad_request",
                    bc_server_translate (lang, N_("The content's id is not the item's report_id.")));
  hash = bc_wire_content_hash (content_node);
  if (!g_str_equal (hash, item->content_hash))
    return refused (lang, item->report_id, item->revision, "bad_request",
                    bc_server_translate (lang, N_("The content_hash is not the hash of the content.")));

  /* Step 2: another unit's report is not there at all. */
  if (g_strcmp0 (member_string (content, "unit"), unit) != 0)
    return refused (lang, item->report_id, item->revision, "not_found", NULL);

  /* Step 3. */
  item->template_id = member_string (content, "template");
  period_id = member_string (content, "period");
  if (item->template_id == NULL || period_id == NULL ||
      !member_int (content, "template_version", &item->template_version) ||
      !bc_period_parse (period_id, &period, NULL))
    return refused (lang, item->report_id, item->revision, "bad_request",
                    bc_server_translate (lang, N_("The report's content needs a template, its version and a period.")));
  template_ = bc_server_templates_lookup (templates, item->template_id,
                                          item->template_version, &error);
  if (template_ == NULL)
    {
      if (!g_error_matches (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_NOT_FOUND))
        g_warning ("%s", error->message);
      problem = g_strdup_printf (bc_server_translate (lang, N_("The server does not know version %d of template %s.")),
                                 (int) CLAMP (item->template_version, G_MININT, G_MAXINT),
                                 item->template_id);
      return refused (lang, item->report_id, item->revision, "bad_request", problem);
    }
  if (bc_template_get_period_type (template_) != period.type)
    return refused (lang, item->report_id, item->revision, "bad_request",
                    bc_server_translate (lang, N_("The period does not fit the template's reporting period.")));
  problem = check_values (lang, template_, content);
  if (problem != NULL)
    return refused (lang, item->report_id, item->revision, "bad_request", problem);

  item->period = period_id;
  *canonical = bc_wire_canonical_json (content_node);
  return NULL;
}

/* One item of a push: its result, or NULL when the store failed (then the
 * job's answer is set and the batch stops: what was committed stays, and
 * the client sends the rest again). */
static JsonObject *
push_item (Job           *job,
           BcStoreDevice *device,
           JsonNode      *item_node)
{
  g_autoptr(GError) error = NULL;
  JsonObject *result = _bc_server_push_one (job->server, job->lang, device->unit, device->id,
                                            item_node, &error);

  if (result == NULL)
    job_fail_store (job, error);
  return result;
}

JsonObject *
_bc_server_push_one (BcServer    *self,
                     const char  *lang,
                     const char  *unit,
                     const char  *device_id,
                     JsonNode    *item_node,
                     GError     **error)
{
  g_autofree char *canonical = NULL;
  g_autofree char *received_at = NULL;
  BcStorePushItem item;
  BcStorePushResult stored = { 0 };
  JsonObject *result, *receipt;

  result = check_item (lang, self->templates, unit, item_node, &item, &canonical);
  if (result != NULL)
    return result;

  item.content = canonical;
  if (!bc_server_store_push (self->store, unit, device_id, &item, g_get_real_time (),
                             &stored, error))
    return NULL;

  switch (stored.outcome)
    {
    case BC_STORE_PUSH_REFUSED_REUSED:
      return refused (lang, item.report_id, item.revision, "conflict",
                      bc_server_translate (lang, N_("The server holds this revision of the report with other content. A revision number must not be reused.")));
    case BC_STORE_PUSH_REFUSED_ACCEPTED:
      result = refused (lang, item.report_id, item.revision, "conflict",
                        bc_server_translate (lang, N_("The province has accepted this report; an accepted report is final.")));
      json_object_set_int_member (result, "server_revision", stored.server_revision);
      return result;
    case BC_STORE_PUSH_STORED:
    case BC_STORE_PUSH_CONFLICT:
    default:
      break;
    }

  /* The training reviewer decides as soon as a new revision is stored:
   * its decision follows the receipt in the feed. */
  if (self->push_hook != NULL && !stored.replayed)
    self->push_hook (self, self->store, unit, item.report_id, item.revision,
                     self->push_hook_data);

  received_at = bc_wire_format_time (stored.received_at);
  result = json_object_new ();
  json_object_set_string_member (result, "report_id", item.report_id);
  json_object_set_int_member (result, "revision", item.revision);
  json_object_set_string_member (result, "result",
                                 stored.outcome == BC_STORE_PUSH_STORED ? "stored" : "conflict");
  json_object_set_boolean_member (result, "replayed", stored.replayed);
  receipt = json_object_new ();
  json_object_set_string_member (receipt, "number", stored.receipt_number);
  json_object_set_string_member (receipt, "received_at", received_at);
  json_object_set_object_member (result, "receipt", receipt);
  json_object_set_int_member (result, "server_revision", stored.server_revision);
  bc_store_push_result_clear (&stored);
  return result;
}

static void
handle_push (Job *job)
{
  g_autoptr(BcStoreDevice) device = job_authenticate (job);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonArray) results = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *items;
  JsonObject *reply;

  if (device == NULL)
    return;
  root = job_parse_body (job);
  if (root == NULL)
    return;
  items = json_object_get_member (json_node_get_object (root), "items");
  if (items == NULL || !JSON_NODE_HOLDS_ARRAY (items))
    {
      job_fail (job, SOUP_STATUS_BAD_REQUEST, "bad_request",
                bc_server_translate (job->lang, N_("A push needs a list of items.")));
      return;
    }
  if (json_array_get_length (json_node_get_array (items)) > BC_WIRE_MAX_PUSH_ITEMS)
    {
      job_fail (job, SOUP_STATUS_BAD_REQUEST, "bad_request",
                bc_server_translate (job->lang, N_("A push may carry at most 100 items. Split the batch.")));
      return;
    }

  results = json_array_new ();
  for (guint i = 0; i < json_array_get_length (json_node_get_array (items)); i++)
    {
      JsonObject *result = push_item (job, device, json_array_get_element (json_node_get_array (items), i));

      if (result == NULL)
        return;
      json_array_add_object_element (results, result);
    }
  /* No receipt leaves before what it acknowledges is on disk. */
  if (!bc_server_store_sync (job->server->store, &error))
    {
      job_fail_store (job, error);
      return;
    }
  reply = json_object_new ();
  json_object_set_array_member (reply, "results", g_steal_pointer (&results));
  job->status = SOUP_STATUS_OK;
  job->reply = json_node_init_object (json_node_alloc (), reply);
}

static gboolean
parse_count (const char *text,
             gint64      fallback,
             gint64      min,
             gint64      max,
             gint64     *out)
{
  guint64 value;

  if (text == NULL)
    {
      *out = fallback;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, (guint64) min, (guint64) max, &value, NULL))
    return FALSE;
  *out = (gint64) value;
  return TRUE;
}

static void
handle_changes (Job *job)
{
  g_autoptr(BcStoreDevice) device = job_authenticate (job);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) changes = NULL;
  JsonObject *reply;
  gint64 since, limit, cursor;
  gboolean more = FALSE;
  guint n;

  if (device == NULL)
    return;
  if (!parse_count (job->since, 0, 0, G_MAXINT64, &since) ||
      !parse_count (job->limit, 100, 1, 500, &limit))
    {
      job_fail (job, SOUP_STATUS_BAD_REQUEST, "bad_request",
                bc_server_translate (job->lang, N_("since must be a sequence number and limit a number from 1 to 500.")));
      return;
    }
  changes = bc_server_store_changes (job->server->store, device->unit, since, (guint) limit + 1,
                                     &error);
  if (changes == NULL)
    {
      job_fail_store (job, error);
      return;
    }
  n = json_array_get_length (changes);
  if (n > limit)
    {
      json_array_remove_element (changes, n - 1);
      more = TRUE;
      n--;
    }
  cursor = n > 0 ? json_object_get_int_member (json_array_get_object_element (changes, n - 1), "seq")
                 : since;
  reply = json_object_new ();
  json_object_set_array_member (reply, "changes", g_steal_pointer (&changes));
  json_object_set_int_member (reply, "cursor", cursor);
  json_object_set_boolean_member (reply, "more", more);
  job->status = SOUP_STATUS_OK;
  job->reply = json_node_init_object (json_node_alloc (), reply);
}

/* Whether `viewer` may read `unit`'s reports: its own, and those of the
 * units below it in the current hierarchy (read only). */
static gboolean
may_read (JsonArray  *units,
          const char *viewer,
          const char *unit)
{
  const char *code = unit;

  for (guint steps = 0; code != NULL && steps <= json_array_get_length (units); steps++)
    {
      JsonObject *object;

      if (g_str_equal (code, viewer))
        return TRUE;
      object = unit_object (units, code);
      code = object != NULL ? member_string (object, "parent") : NULL;
    }
  return FALSE;
}

static void
handle_report (Job *job)
{
  BcServer *self = job->server;
  g_autoptr(BcStoreDevice) device = job_authenticate (job);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) holders = NULL;
  g_autoptr(JsonArray) units = NULL;
  JsonObject *report = NULL;

  if (device == NULL)
    return;
  /* Both lookups always run, so that another unit's report and none take
   * the same work to refuse. */
  holders = bc_server_store_report_units (self->store, job->report_id, &error);
  if (holders != NULL)
    units = bc_server_store_list_units (self->store, &error);
  if (holders == NULL || units == NULL)
    {
      job_fail_store (job, error);
      return;
    }
  for (guint i = 0; holders[i] != NULL; i++)
    if (may_read (units, device->unit, holders[i]))
      {
        report = bc_server_store_get_report (self->store, holders[i], job->report_id, &error);
        if (error != NULL)
          {
            job_fail_store (job, error);
            return;
          }
        break;
      }
  if (report == NULL)
    {
      job_fail (job, SOUP_STATUS_NOT_FOUND, "not_found", NULL);
      return;
    }
  job->status = SOUP_STATUS_OK;
  job->reply = json_node_init_object (json_node_alloc (), report);
}

/* POST /api/v1/bundles: a relayed outbox bundle (bc-server-bundle.c). */
static void
handle_bundles (Job *job)
{
  g_autoptr(BcStoreDevice) device = job_authenticate (job);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;
  guint status = 0;
  JsonNode *reply;

  if (device == NULL)
    return;
  root = job_parse_body (job);
  if (root == NULL)
    return;
  reply = _bc_server_bundle_relay (job->server, job->lang, device->unit, root, &status, &code,
                                   &message);
  if (reply == NULL)
    {
      job_fail (job, status, code, message);
      return;
    }
  job->status = SOUP_STATUS_OK;
  job->reply = reply;
}

static void
job_encode_reply (Job *job)
{
  g_autofree char *text = NULL;
  gsize length;

  if (job->reply == NULL)
    return;
  text = json_to_string (job->reply, FALSE);
  length = strlen (text);
  if (job->accepts_gzip && length >= GZIP_MIN_RESPONSE)
    {
      g_autoptr(GZlibCompressor) gzip = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);

      job->response = convert_all (G_CONVERTER (gzip), (const guchar *) text, length, G_MAXSIZE, NULL);
      job->response_gzipped = job->response != NULL;
    }
  if (job->response == NULL)
    job->response = g_bytes_new_take (g_steal_pointer (&text), length);
}

static void
job_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Job *job = task_data;

  switch (job->endpoint)
    {
    case ENDPOINT_INFO: handle_info (job); break;
    case ENDPOINT_ENROL: handle_enrol (job); break;
    case ENDPOINT_DEVICE_SELF: handle_device_self (job); break;
    case ENDPOINT_PUSH: handle_push (job); break;
    case ENDPOINT_CHANGES: handle_changes (job); break;
    case ENDPOINT_REPORT: handle_report (job); break;
    case ENDPOINT_BUNDLES: handle_bundles (job); break;
    default: g_assert_not_reached ();
    }
  job_encode_reply (job);
  g_task_return_boolean (task, TRUE);
}

static void
respond (SoupServerMessage *msg,
         guint              status,
         GBytes            *body,
         gboolean           gzipped,
         guint              retry_after)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_server_message_set_status (msg, status, NULL);
  soup_message_headers_replace (headers, "Baocao-Protocol", G_STRINGIFY (BC_WIRE_PROTOCOL_VERSION));
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_append (headers, "Vary", "Accept-Encoding");
  if (retry_after > 0)
    {
      g_autofree char *seconds = g_strdup_printf ("%u", retry_after);

      soup_message_headers_replace (headers, "Retry-After", seconds);
    }
  if (body != NULL)
    {
      gsize length;
      gconstpointer data = g_bytes_get_data (body, &length);

      if (gzipped)
        soup_message_headers_replace (headers, "Content-Encoding", "gzip");
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, data, length);
    }
}

static void
respond_error (SoupServerMessage *msg,
               const char        *lang,
               guint              status,
               const char        *code)
{
  g_autoptr(JsonNode) body = error_body (lang, code, NULL);
  char *text = json_to_string (body, FALSE);
  g_autoptr(GBytes) bytes = g_bytes_new_take (text, strlen (text));

  respond (msg, status, bytes, FALSE, 0);
}

static void
job_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Job *job = g_task_get_task_data (G_TASK (result));
  /* The job's reference goes now, not when the task is freed (which may be
   * on the worker thread, later): a server with nothing pending is free. */
  g_autoptr(BcServer) self = g_steal_pointer (&job->server);
  /* libsoup's objects belong to this thread: the message too is let go here. */
  g_autoptr(SoupServerMessage) msg = g_steal_pointer (&job->msg);

  self->n_pending--;
  if (job->gone)
    return;
  g_signal_handlers_disconnect_by_data (msg, job);
  respond (msg, job->status, job->response, job->response_gzipped, job->retry_after);
  soup_server_message_unpause (msg);
}

static void
message_gone (SoupServerMessage *msg,
              Job               *job)
{
  job->gone = TRUE;
  g_signal_handlers_disconnect_by_data (msg, job);
}

static gboolean
route (const char *path,
       Endpoint   *endpoint,
       char      **report_id)
{
  const char *rest;

  if (!g_str_has_prefix (path, API_PREFIX))
    return FALSE;
  rest = path + strlen (API_PREFIX);
  if (g_str_equal (rest, "info"))
    *endpoint = ENDPOINT_INFO;
  else if (g_str_equal (rest, "enrol"))
    *endpoint = ENDPOINT_ENROL;
  else if (g_str_equal (rest, "devices/self"))
    *endpoint = ENDPOINT_DEVICE_SELF;
  else if (g_str_equal (rest, "push"))
    *endpoint = ENDPOINT_PUSH;
  else if (g_str_equal (rest, "changes"))
    *endpoint = ENDPOINT_CHANGES;
  else if (g_str_equal (rest, "bundles"))
    *endpoint = ENDPOINT_BUNDLES;
  else if (g_str_has_prefix (rest, "reports/") && rest[8] != '\0' && strchr (rest + 8, '/') == NULL)
    {
      *report_id = g_uri_unescape_string (rest + 8, NULL);
      if (*report_id == NULL || **report_id == '\0')
        {
          g_clear_pointer (report_id, g_free);
          return FALSE;
        }
      *endpoint = ENDPOINT_REPORT;
    }
  else
    return FALSE;
  return TRUE;
}

static const char *
endpoint_method (Endpoint endpoint)
{
  switch (endpoint)
    {
    case ENDPOINT_ENROL:
    case ENDPOINT_PUSH:
    case ENDPOINT_BUNDLES:
      return SOUP_METHOD_POST;
    case ENDPOINT_DEVICE_SELF:
      return SOUP_METHOD_DELETE;
    case ENDPOINT_INFO:
    case ENDPOINT_CHANGES:
    case ENDPOINT_REPORT:
    default:
      return SOUP_METHOD_GET;
    }
}

static gboolean
speaks_protocol (const char *header)
{
  g_autofree char *value = NULL;
  guint64 version;

  if (header == NULL)
    return FALSE;
  value = g_strstrip (g_strdup (header));
  return g_ascii_string_to_unsigned (value, 10, BC_WIRE_PROTOCOL_VERSION,
                                     BC_WIRE_PROTOCOL_VERSION, &version, NULL);
}

static void
server_callback (SoupServer        *soup,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  BcServer *self = user_data;
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  const char *lang = bc_server_language_from_header (soup_message_headers_get_one (request_headers,
                                                                                   "Accept-Language"));
  const char *protocol = soup_message_headers_get_one (request_headers, "Baocao-Protocol");
  g_autofree char *report_id = NULL;
  g_autoptr(GTask) task = NULL;
  const char *encoding;
  Endpoint endpoint;
  Job *job;

  if (!route (path, &endpoint, &report_id))
    {
      respond_error (msg, lang, SOUP_STATUS_NOT_FOUND, "not_found");
      return;
    }
  if (!g_str_equal (soup_server_message_get_method (msg), endpoint_method (endpoint)))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    endpoint_method (endpoint));
      respond_error (msg, lang, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed");
      return;
    }
  /* /info answers whatever the client speaks: it is how a client learns. */
  if (endpoint != ENDPOINT_INFO && !speaks_protocol (protocol))
    {
      respond_error (msg, lang, SOUP_STATUS_BAD_REQUEST, "protocol_unsupported");
      return;
    }

  job = g_new0 (Job, 1);
  job->server = g_object_ref (self);
  job->msg = g_object_ref (msg);
  job->endpoint = endpoint;
  job->lang = lang;
  job->report_id = g_steal_pointer (&report_id);
  job->authorization = g_strdup (soup_message_headers_get_one (request_headers, "Authorization"));
  if (query != NULL)
    {
      job->since = g_strdup (g_hash_table_lookup (query, "since"));
      job->limit = g_strdup (g_hash_table_lookup (query, "limit"));
    }
  job->content_type = g_strdup (soup_message_headers_get_one (request_headers, "Content-Type"));
  job->content_encoding = g_strdup (soup_message_headers_get_one (request_headers, "Content-Encoding"));
  encoding = soup_message_headers_get_list (request_headers, "Accept-Encoding");
  job->accepts_gzip = encoding != NULL && soup_header_contains (encoding, "gzip");
  job->body = soup_message_body_flatten (soup_server_message_get_request_body (msg));

  g_signal_connect (msg, "finished", G_CALLBACK (message_gone), job);
  g_signal_connect (msg, "disconnected", G_CALLBACK (message_gone), job);
  soup_server_message_pause (msg);
  self->n_pending++;
  task = g_task_new (NULL, NULL, job_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, job_thread);
}

typedef struct {
  GIOStream *stream;
  GBytes    *bytes;
} Refusal;

static void
refusal_closed (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Refusal *refusal = user_data;

  g_io_stream_close_finish (G_IO_STREAM (source), result, NULL);
  g_object_unref (refusal->stream);
  g_bytes_unref (refusal->bytes);
  g_free (refusal);
}

static void
refusal_written (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Refusal *refusal = user_data;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL);
  g_io_stream_close_async (refusal->stream, G_PRIORITY_DEFAULT, NULL, refusal_closed, refusal);
}

/* Answers and closes the connection without reading the request's body.
 * libsoup 3.2 would read (and keep) the whole body after the early
 * handler even with a status set, unless the client sent "Expect:
 * 100-continue"; taking the connection over is how the body stays unread. */
static void
refuse_before_body (SoupServerMessage *msg,
                    const char        *lang,
                    guint              status,
                    const char        *code)
{
  g_autoptr(JsonNode) body = error_body (lang, code, NULL);
  g_autofree char *text = json_to_string (body, FALSE);
  g_autofree char *response = NULL;
  Refusal *refusal;
  GIOStream *stream;
  gsize length;

  stream = soup_server_message_steal_connection (msg);
  if (stream == NULL)
    return;
  response = g_strdup_printf ("HTTP/1.1 %u %s\r\n"
                              "Content-Type: application/json\r\n"
                              "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                              "Baocao-Protocol: %d\r\n"
                              "Cache-Control: no-store\r\n"
                              "Connection: close\r\n\r\n%s",
                              status, soup_status_get_phrase (status), strlen (text),
                              BC_WIRE_PROTOCOL_VERSION, text);
  refusal = g_new0 (Refusal, 1);
  refusal->stream = stream;
  length = strlen (response);
  refusal->bytes = g_bytes_new_take (g_steal_pointer (&response), length);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream),
                                   g_bytes_get_data (refusal->bytes, NULL),
                                   g_bytes_get_size (refusal->bytes), G_PRIORITY_DEFAULT, NULL,
                                   refusal_written, refusal);
}

/* Runs when the headers are in and the body is not: a body too large is
 * refused before a byte of it is read. */
static void
early_callback (SoupServer        *soup,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *lang = bc_server_language_from_header (soup_message_headers_get_one (headers,
                                                                                   "Accept-Language"));

  switch (soup_message_headers_get_encoding (headers))
    {
    case SOUP_ENCODING_CONTENT_LENGTH:
      if (soup_message_headers_get_content_length (headers) > BC_WIRE_MAX_BODY)
        refuse_before_body (msg, lang, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large");
      break;
    case SOUP_ENCODING_NONE:
      break;
    case SOUP_ENCODING_EOF:
    case SOUP_ENCODING_UNRECOGNIZED:
    case SOUP_ENCODING_CHUNKED:
    case SOUP_ENCODING_BYTERANGES:
    default:
      /* A body without a length could only be bounded while reading it. */
      refuse_before_body (msg, lang, SOUP_STATUS_LENGTH_REQUIRED, "length_required");
      break;
    }
}

static void
bc_server_finalize (GObject *object)
{
  BcServer *self = BC_SERVER (object);

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_pointer (&self->templates, bc_server_templates_free);
  g_clear_pointer (&self->store, bc_server_store_free);
  g_free (self->server_id);
  g_free (self->name);
  g_free (self->dummy_hash);
  g_hash_table_unref (self->buckets);
  g_hash_table_unref (self->signin_failures);
  g_mutex_clear (&self->limits_lock);

  G_OBJECT_CLASS (bc_server_parent_class)->finalize (object);
}

static void
bc_server_class_init (BcServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bc_server_finalize;
}

static void
bc_server_init (BcServer *self)
{
  g_mutex_init (&self->limits_lock);
  self->rate_per_second = DEFAULT_RATE / 60.0;
  self->burst = DEFAULT_BURST;
  self->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->signin_failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                 (GDestroyNotify) g_array_unref);
}

BcServer *
bc_server_new (BcServerStore      *store,
               BcTemplateRegistry *shipped,
               GError            **error)
{
  g_autoptr(BcServer) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *dummy = NULL;

  g_return_val_if_fail (store != NULL, NULL);

  self = g_object_new (BC_TYPE_SERVER, NULL);
  self->store = store;
  self->templates = bc_server_templates_new (store, shipped);
  if (!bc_server_auth_init ())
    {
      g_set_error_literal (error, BC_SERVER_ERROR, BC_SERVER_ERROR_STORE,
                           _("Cannot initialise the cryptography library (libsodium)."));
      return NULL;
    }
  self->server_id = bc_server_store_get_meta (store, "server_id", &local_error);
  if (self->server_id == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error_literal (error, BC_SERVER_ERROR, BC_SERVER_ERROR_STORE,
                             _("The server's data has no server id. Restore it from a backup."));
      return NULL;
    }
  self->name = bc_server_store_get_meta (store, "name", NULL);
  if (self->name == NULL)
    self->name = g_strdup ("Baocao");
  dummy = bc_server_new_token ();
  self->dummy_hash = bc_server_hash_password (dummy);

  self->soup = soup_server_new ("server-header", "baocao-server/" PACKAGE_VERSION " ", NULL);
  soup_server_add_early_handler (self->soup, NULL, early_callback, self, NULL);
  soup_server_add_handler (self->soup, NULL, server_callback, self, NULL);
  return g_steal_pointer (&self);
}

void
bc_server_set_rate_limit (BcServer *self,
                          double    per_minute,
                          guint     burst)
{
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = NULL;

  g_return_if_fail (BC_IS_SERVER (self));

  locker = g_mutex_locker_new (&self->limits_lock);
  self->rate_per_second = per_minute / 60.0;
  self->burst = MAX (1, burst);
  g_hash_table_remove_all (self->buckets);
}

gboolean
bc_server_listen (BcServer        *self,
                  const char      *address,
                  GTlsCertificate *certificate,
                  GError         **error)
{
  g_autoptr(GSocketConnectable) parsed = NULL;
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  const char *host;
  guint16 port;

  g_return_val_if_fail (BC_IS_SERVER (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

  parsed = g_network_address_parse (address, 0, NULL);
  host = parsed != NULL ? g_network_address_get_hostname (G_NETWORK_ADDRESS (parsed)) : NULL;
  inet = host != NULL ? g_inet_address_new_from_string (host) : NULL;
  if (inet == NULL || strrchr (address, ':') == NULL)
    {
      g_set_error (error, BC_SERVER_ERROR, BC_SERVER_ERROR_ADDRESS,
                   _("“%s” is not an address to listen on. Give an IP address and a port, such as 0.0.0.0:8443 or [::1]:8443."),
                   address);
      return FALSE;
    }
  port = g_network_address_get_port (G_NETWORK_ADDRESS (parsed));

  if (certificate == NULL && !g_inet_address_get_is_loopback (inet))
    {
      g_set_error (error, BC_SERVER_ERROR, BC_SERVER_ERROR_TLS,
                   _("Plain HTTP is allowed only on a loopback address. Give --tls-cert and --tls-key to listen on %s."),
                   address);
      return FALSE;
    }
  if (certificate != NULL)
    soup_server_set_tls_certificate (self->soup, certificate);
  self->tls = certificate != NULL;

  socket_address = g_inet_socket_address_new (inet, port);
  return soup_server_listen (self->soup, socket_address,
                             certificate != NULL ? SOUP_SERVER_LISTEN_HTTPS : 0, error);
}

char *
bc_server_get_url (BcServer *self)
{
  GSList *uris;
  char *url = NULL;

  g_return_val_if_fail (BC_IS_SERVER (self), NULL);

  uris = soup_server_get_uris (self->soup);
  if (uris != NULL)
    {
      GUri *uri = uris->data;
      const char *host = g_uri_get_host (uri);

      url = g_strdup_printf ("%s://%s%s%s:%d", self->tls ? "https" : "http",
                             strchr (host, ':') != NULL ? "[" : "", host,
                             strchr (host, ':') != NULL ? "]" : "", g_uri_get_port (uri));
    }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return url;
}

void
bc_server_stop (BcServer *self)
{
  g_return_if_fail (BC_IS_SERVER (self));

  soup_server_disconnect (self->soup);
}

guint
bc_server_get_n_pending (BcServer *self)
{
  g_return_val_if_fail (BC_IS_SERVER (self), 0);

  return self->n_pending;
}

guint
_bc_server_check_request (BcServerTemplates *templates,
                          gboolean           push,
                          const char        *content_encoding,
                          const char        *unit,
                          const guint8      *data,
                          gsize              length)
{
  Job *job = g_new0 (Job, 1);
  g_autoptr(JsonNode) root = NULL;
  JsonNode *items;
  guint status = SOUP_STATUS_OK;

  job->lang = "vi";
  job->content_type = g_strdup ("application/json");
  job->content_encoding = g_strdup (content_encoding);
  job->body = g_bytes_new_static (data, length);
  root = job_parse_body (job);
  if (root == NULL)
    status = job->status;
  else if (push)
    {
      items = json_object_get_member (json_node_get_object (root), "items");
      if (items == NULL || !JSON_NODE_HOLDS_ARRAY (items) ||
          json_array_get_length (json_node_get_array (items)) > BC_WIRE_MAX_PUSH_ITEMS)
        status = SOUP_STATUS_BAD_REQUEST;
      for (guint i = 0; status == SOUP_STATUS_OK && i < json_array_get_length (json_node_get_array (items)); i++)
        {
          g_autofree char *canonical = NULL;
          BcStorePushItem item;
          JsonObject *result = check_item (job->lang, templates, unit,
                                           json_array_get_element (json_node_get_array (items), i),
                                           &item, &canonical);

          /* An item that passes has a canonical text that hashes as it said. */
          if (result == NULL)
            {
              g_autoptr(JsonNode) again = json_from_string (canonical, NULL);
              g_autofree char *hash = again != NULL ? bc_wire_content_hash (again) : NULL;

              g_assert_cmpstr (hash, ==, item.content_hash);
            }
          g_clear_pointer (&result, json_object_unref);
        }
    }
  job_free (job);
  return status;
}

/* bc-server-bundle.c and bc-training.c */
BcServerStore *
_bc_server_get_store (BcServer *self)
{
  return self->store;
}

void
_bc_server_set_training (BcServer         *self,
                         BcServerPushHook  hook,
                         gpointer          user_data)
{
  self->training = TRUE;
  self->push_hook = hook;
  self->push_hook_data = user_data;
}
