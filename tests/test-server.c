/* test-server.c: baocao-server over HTTP, in-process and as the built binary.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server listens on 127.0.0.1 (port 0) and a SoupSession drives it as a
 * client would: enrolment, exactly-once pushes, the change feed, the limits,
 * the authorisation matrix and TLS. The admin commands run the real binary
 * ($BAOCAO_SERVER) on a data directory that a served process uses too.
 * Several served processes share one store (/server/processes/…), the last
 * ones behind fault proxies with real client engines (bc-sync-harness.h).
 */
#define G_LOG_DOMAIN "test-server"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "bc-fault-proxy.h"
#include "bc-outbox.h"
#include "bc-server.h"
#include "bc-server-auth.h"
#include "bc-server-store.h"
#include "bc-sync-harness.h"
#include "bc-test-pg.h"
#include "bc-test-util.h"
#include "bc-wire.h"

#define PASSWORD "mat-khau-dai-1"
/* Under Plan 61/KH-UBND (Quảng Ngãi, Q2/2019–2025), which sets its due date. */
#define PERIOD "2020Q2"

/* BC_TEST_STORE=postgresql runs every test on a PostgreSQL store: one
 * database of a throwaway cluster for each data directory a test names. */
static BcTestPg *test_pg = NULL;
static GHashTable *test_pg_uris = NULL;   /* data directory → URI */

static const char *
store_uri (const char *dir)
{
  const char *uri;

  g_assert_nonnull (test_pg);
  uri = g_hash_table_lookup (test_pg_uris, dir);
  if (uri == NULL)
    {
      uri = bc_test_pg_new_database (test_pg);
      g_hash_table_insert (test_pg_uris, g_strdup (dir), (char *) uri);
    }
  return uri;
}

static BcServerStore *
open_test_store (const char  *dir,
                 GError     **error)
{
  if (test_pg != NULL)
    return bc_server_store_open_postgres (store_uri (dir), error);
  return bc_server_store_open_sqlite (dir, error);
}

/* The admin commands' option naming the store of `dir`. */
static void
add_store_args (GPtrArray  *argv,
                const char *dir)
{
  g_ptr_array_add (argv, (char *) (test_pg != NULL ? "--store" : "--data"));
  g_ptr_array_add (argv, (char *) (test_pg != NULL ? store_uri (dir) : dir));
}

typedef struct {
  char          *dir;
  BcServerStore *store;    /* borrowed: the server owns it */
  BcServer      *server;
  char          *url;
  SoupSession   *session;
} Fixture;

typedef struct {
  guint               status;
  GBytes             *body;      /* decompressed */
  gboolean            gzipped;   /* the answer came gzip-encoded */
  SoupMessageHeaders *headers;
  JsonNode           *json;
  GError             *error;
  gboolean            done;
} Reply;

enum {
  CALL_NO_PROTOCOL = 1 << 0,
  CALL_GZIP_BODY   = 1 << 1,
  CALL_ACCEPT_GZIP = 1 << 2,
  CALL_LANG_EN     = 1 << 3,
};

static void
reply_free (Reply *reply)
{
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_clear_pointer (&reply->headers, soup_message_headers_unref);
  g_clear_pointer (&reply->json, json_node_unref);
  g_clear_error (&reply->error);
  g_free (reply);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

static const char *
unit_json =
  "{\"units\": ["
  " {\"code\": \"QNG\", \"name\": \"UBND tỉnh Quảng Ngãi\", \"level\": \"province\", \"parent\": null,"
  "  \"valid_from\": \"2015-01-01\", \"valid_to\": null},"
  " {\"code\": \"QNG-SONTINH\", \"name\": \"UBND huyện Sơn Tịnh\", \"level\": \"district\", \"parent\": \"QNG\"},"
  " {\"code\": \"QNG-TRABONG\", \"name\": \"UBND huyện Trà Bồng\", \"level\": \"district\", \"parent\": \"QNG\"},"
  " {\"code\": \"QNG-ST-TINHHA\", \"name\": \"UBND xã Tịnh Hà\", \"level\": \"commune\", \"parent\": \"QNG-SONTINH\"}"
  "]}";

static GBytes *
gzip_bytes (const void *data,
            gsize       length)
{
  g_autoptr(GZlibCompressor) gzip = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (memory, G_CONVERTER (gzip));

  g_assert_true (g_output_stream_write_all (out, data, length, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

static GBytes *
gunzip_bytes (GBytes *bytes)
{
  g_autoptr(GZlibDecompressor) gunzip = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr(GInputStream) memory = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr(GInputStream) in = g_converter_input_stream_new (memory, G_CONVERTER (gunzip));
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  g_assert_cmpint (g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, NULL),
                   >=, 0);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Reply *reply = user_data;

  reply->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &reply->error);
  reply->done = TRUE;
}

static Reply *
call_full (SoupSession *session,
           const char  *url,
           const char  *method,
           const char  *path,
           const char  *token,
           const char  *body,
           guint        flags)
{
  g_autofree char *uri = g_strconcat (url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  Reply *reply = g_new0 (Reply, 1);
  const char *encoding;

  g_assert_nonnull (msg);
  if (!(flags & CALL_NO_PROTOCOL))
    soup_message_headers_replace (headers, "Baocao-Protocol", "1");
  if (token != NULL)
    {
      g_autofree char *bearer = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (headers, "Authorization", bearer);
    }
  soup_message_headers_replace (headers, "Accept-Language", (flags & CALL_LANG_EN) ? "en" : "vi");
  if (flags & CALL_ACCEPT_GZIP)
    soup_message_headers_replace (headers, "Accept-Encoding", "gzip");
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = NULL;

      if (flags & CALL_GZIP_BODY)
        {
          bytes = gzip_bytes (body, strlen (body));
          soup_message_headers_replace (headers, "Content-Encoding", "gzip");
        }
      else
        bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, on_read, reply);
  while (!reply->done)
    g_main_context_iteration (NULL, TRUE);
  if (reply->error != NULL)
    return reply;

  reply->status = soup_message_get_status (msg);
  reply->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  encoding = soup_message_headers_get_one (reply->headers, "Content-Encoding");
  if (g_strcmp0 (encoding, "gzip") == 0)
    {
      GBytes *plain = gunzip_bytes (reply->body);

      g_bytes_unref (reply->body);
      reply->body = plain;
      reply->gzipped = TRUE;
    }
  if (g_bytes_get_size (reply->body) > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      gsize length;
      const char *data = g_bytes_get_data (reply->body, &length);

      g_assert_true (json_parser_load_from_data (parser, data, (gssize) length, NULL));
      reply->json = json_node_ref (json_parser_get_root (parser));
    }
  return reply;
}

static Reply *
call (Fixture    *f,
      const char *method,
      const char *path,
      const char *token,
      const char *body,
      guint       flags)
{
  return call_full (f->session, f->url, method, path, token, body, flags);
}

static const char *
body_text (Reply *reply)
{
  return g_bytes_get_size (reply->body) > 0 ? g_bytes_get_data (reply->body, NULL) : "";
}

static const char *
error_code (Reply *reply)
{
  g_assert_nonnull (reply->json);
  return json_object_get_string_member (json_object_get_object_member (json_node_get_object (reply->json),
                                                                       "error"), "code");
}

static SoupSession *
new_session (void)
{
  SoupSession *session = soup_session_new_with_options ("timeout", 20, NULL);

  /* The test reads Content-Encoding itself. */
  soup_session_remove_feature_by_type (session, SOUP_TYPE_CONTENT_DECODER);
  return session;
}

static const char *
password_hash (void)
{
  static char *hash = NULL;

  if (hash == NULL)
    hash = bc_server_hash_password (PASSWORD);
  return hash;
}

static BcServer *
start_server (const char    *dir,
              BcServerStore **store_out,
              GTlsCertificate *certificate,
              char          **url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplateRegistry) shipped = bc_template_registry_new_default (&error);
  g_autoptr(JsonNode) units = json_from_string (unit_json, &error);
  static const char *users[][2] = {
    { "son", "QNG-SONTINH" }, { "tra", "QNG-TRABONG" }, { "qng", "QNG" }, { "xa", "QNG-ST-TINHHA" },
  };
  BcServerStore *store;
  BcServer *server;

  g_assert_no_error (error);
  g_assert_true (bc_server_auth_init ());
  store = open_test_store (dir, &error);
  g_assert_no_error (error);
  g_assert_true (bc_server_store_load_units (store, json_object_get_array_member (json_node_get_object (units), "units"),
                                             g_get_real_time (), &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    {
      g_assert_true (bc_server_store_add_user (store, users[i][0], users[i][1], password_hash (),
                                               g_get_real_time (), &error));
      g_assert_no_error (error);
    }
  server = bc_server_new (store, shipped, &error);
  g_assert_no_error (error);
  g_assert_true (bc_server_listen (server, "127.0.0.1:0", certificate, &error));
  g_assert_no_error (error);
  *url = bc_server_get_url (server);
  if (store_out != NULL)
    *store_out = store;
  return server;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("bc-server-XXXXXX", &error);
  g_assert_no_error (error);
  f->server = start_server (f->dir, &f->store, NULL, &f->url);
  f->session = new_session ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->session);
  bc_server_stop (f->server);
  while (bc_server_get_n_pending (f->server) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (f->server);
  bc_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->url);
}

static char *
enrol_at (SoupSession *session,
          const char  *url,
          const char  *user)
{
  g_autofree char *body = g_strdup_printf ("{\"user\": \"%s\", \"password\": \"%s\", \"device\": \"Máy %s\"}",
                                           user, PASSWORD, user);
  g_autoptr(Reply) reply = call_full (session, url, "POST", "/api/v1/enrol", NULL, body, 0);

  g_assert_no_error (reply->error);
  g_assert_cmpuint (reply->status, ==, 201);
  return g_strdup (json_object_get_string_member (json_node_get_object (reply->json), "token"));
}

static char *
enrol (Fixture    *f,
       const char *user)
{
  return enrol_at (f->session, f->url, user);
}

/* A push item of the quarterly e-government report, hashed as a client does. */
static JsonNode *
make_item (const char *report_id,
           const char *unit,
           gint64      revision,
           gint64      base_revision,
           const char *doc_number,
           const char *level3)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) content = NULL;
  g_autofree char *hash = NULL;
  JsonObject *item;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, report_id);
  json_builder_set_member_name (builder, "template");
  json_builder_add_string_value (builder, "egov-quarterly");
  json_builder_set_member_name (builder, "template_version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "period");
  json_builder_add_string_value (builder, PERIOD);
  json_builder_set_member_name (builder, "unit");
  json_builder_add_string_value (builder, unit);
  json_builder_set_member_name (builder, "values");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "doc_number");
  json_builder_add_string_value (builder, doc_number);
  json_builder_set_member_name (builder, "services_level3");
  json_builder_add_string_value (builder, level3);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "tables");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "policy_documents");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "row_id");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "number");
  json_builder_add_string_value (builder, "652/QĐ-UBND");
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "justifications");
  json_builder_begin_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  content = json_builder_get_root (builder);
  hash = bc_wire_content_hash (content);

  item = json_object_new ();
  json_object_set_string_member (item, "report_id", report_id);
  json_object_set_int_member (item, "revision", revision);
  json_object_set_int_member (item, "base_revision", base_revision);
  json_object_set_string_member (item, "content_hash", hash);
  json_object_set_member (item, "content", g_steal_pointer (&content));
  return json_node_init_object (json_node_alloc (), item);
}

static char *
push_body (JsonNode *first,
           ...)
{
  g_autoptr(JsonArray) items = json_array_new ();
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) root = NULL;
  va_list args;

  va_start (args, first);
  for (JsonNode *item = first; item != NULL; item = va_arg (args, JsonNode *))
    json_array_add_element (items, item);
  va_end (args);
  json_object_set_array_member (body, "items", g_steal_pointer (&items));
  root = json_node_init_object (json_node_alloc (), body);
  return json_to_string (root, FALSE);
}

/* Pushes one item and returns its result object (a new reference). */
static JsonObject *
push_one (Fixture  *f,
          const char *token,
          JsonNode *item)
{
  g_autofree char *body = push_body (item, NULL);
  g_autoptr(Reply) reply = call (f, "POST", "/api/v1/push", token, body, 0);
  JsonArray *results;

  g_assert_no_error (reply->error);
  g_assert_cmpuint (reply->status, ==, 200);
  results = json_object_get_array_member (json_node_get_object (reply->json), "results");
  g_assert_cmpuint (json_array_get_length (results), ==, 1);
  return json_object_ref (json_array_get_object_element (results, 0));
}

static const char *
receipt_number (JsonObject *result)
{
  return json_object_get_string_member (json_object_get_object_member (result, "receipt"), "number");
}

static const char *
receipt_time (JsonObject *result)
{
  return json_object_get_string_member (json_object_get_object_member (result, "receipt"), "received_at");
}

static void
test_info (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(Reply) reply = call (f, "GET", "/api/v1/info", NULL, NULL, CALL_NO_PROTOCOL);
  JsonObject *info;

  g_assert_no_error (reply->error);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_one (reply->headers, "Baocao-Protocol"), ==, "1");
  info = json_node_get_object (reply->json);
  g_assert_cmpstr (json_object_get_string_member (info, "server"), ==, "baocao-server");
  g_assert_cmpint (json_object_get_int_member (info, "protocol_min"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (info, "protocol_max"), ==, 1);
  g_assert_cmpuint (strlen (json_object_get_string_member (info, "server_id")), ==, 36);
}

static void
test_protocol (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(Reply) missing = call (f, "GET", "/api/v1/changes", NULL, NULL, CALL_NO_PROTOCOL);
  g_autoptr(Reply) unknown = call (f, "GET", "/api/v1/nothing", NULL, NULL, 0);
  g_autoptr(Reply) method = call (f, "GET", "/api/v1/push", NULL, NULL, 0);
  g_autoptr(Reply) english = call (f, "GET", "/api/v1/nothing", NULL, NULL, CALL_LANG_EN);
  JsonObject *body;

  g_assert_cmpuint (missing->status, ==, 400);
  g_assert_cmpstr (error_code (missing), ==, "protocol_unsupported");
  body = json_node_get_object (missing->json);
  g_assert_cmpint (json_object_get_int_member (body, "protocol_min"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (body, "protocol_max"), ==, 1);
  g_assert_cmpuint (unknown->status, ==, 404);
  g_assert_cmpstr (error_code (unknown), ==, "not_found");
  /* Each request in its own language, whatever the process's locale. */
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (unknown->json), "error"), "message"),
                   ==, "Không có báo cáo này trên máy chủ.");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (english->json), "error"), "message"),
                   ==, "There is no such report on the server.");
  g_assert_cmpuint (method->status, ==, 405);
  g_assert_cmpstr (error_code (method), ==, "method_not_allowed");
  g_assert_cmpstr (soup_message_headers_get_one (method->headers, "Allow"), ==, "POST");
}

static gint64
timed_enrol (Fixture    *f,
             const char *user,
             const char *password,
             Reply     **out)
{
  g_autofree char *body = g_strdup_printf ("{\"user\": \"%s\", \"password\": \"%s\", \"device\": \"d\"}",
                                           user, password);
  gint64 start = g_get_monotonic_time ();

  *out = call (f, "POST", "/api/v1/enrol", NULL, body, 0);
  return g_get_monotonic_time () - start;
}

static void
test_enrol (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *token = enrol (f, "son");
  g_autoptr(Reply) wrong = NULL;
  g_autoptr(Reply) unknown = NULL;
  g_autoptr(Reply) changes = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  gint64 t_wrong, t_unknown;

  g_assert_true (g_str_has_prefix (token, "bct1."));
  g_assert_cmpuint (strlen (token), ==, 5 + 43);
  changes = call (f, "GET", "/api/v1/changes", token, NULL, 0);
  g_assert_cmpuint (changes->status, ==, 200);

  /* An unknown user and a wrong password: the same answer, in about the
   * same time (both verify an Argon2id hash). */
  /* The fastest of three each: a busy machine slows some, never speeds one up. */
  t_wrong = t_unknown = G_MAXINT64;
  for (guint i = 0; i < 3; i++)
    {
      gint64 t;

      g_clear_pointer (&wrong, reply_free);
      g_clear_pointer (&unknown, reply_free);
      t = timed_enrol (f, "son", "not-the-password", &wrong);
      t_wrong = MIN (t_wrong, t);
      t = timed_enrol (f, "nobody", "not-the-password", &unknown);
      t_unknown = MIN (t_unknown, t);
    }
  g_assert_cmpuint (wrong->status, ==, 401);
  g_assert_cmpuint (unknown->status, ==, 401);
  g_assert_cmpstr (error_code (wrong), ==, "bad_credentials");
  g_assert_cmpstr (body_text (wrong), ==, body_text (unknown));
  g_assert_cmpint (t_unknown, >, t_wrong / 4);

  /* The store keeps the token's hash, never the token. */
  devices = bc_server_store_list_devices (f->store, NULL);
  g_assert_cmpuint (devices->len, ==, 1);
  {
    g_autofree char *hash = bc_server_token_hash (token);
    g_autofree char *db = g_build_filename (f->dir, "server.db", NULL);
    g_autofree char *contents = NULL;
    gsize length;

    if (test_pg == NULL)
      g_assert_true (g_file_get_contents (db, &contents, &length, NULL));
    else
      {
        /* Every row of the accounts and devices, as text. */
        PGconn *conn = PQconnectdb (store_uri (f->dir));
        PGresult *res = PQexec (conn, "SELECT (SELECT string_agg (u::text, ' ') FROM users u)"
                                      " || (SELECT string_agg (d::text, ' ') FROM devices d)");

        g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
        contents = g_strdup (PQgetvalue (res, 0, 0));
        length = strlen (contents);
        g_assert_nonnull (strstr (contents, hash));
        PQclear (res);
        PQfinish (conn);
      }
    g_assert_null (g_strstr_len (contents, (gssize) length, token + 5));
    g_assert_null (g_strstr_len (contents, (gssize) length, PASSWORD));
  }
}

static void
test_enrol_limit (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(Reply) locked = NULL;
  g_autoptr(Reply) other = NULL;
  g_autofree char *token = NULL;

  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(Reply) reply = NULL;

      timed_enrol (f, "tra", "wrong", &reply);
      g_assert_cmpuint (reply->status, ==, 401);
    }
  timed_enrol (f, "tra", PASSWORD, &locked);
  g_assert_cmpuint (locked->status, ==, 429);
  g_assert_cmpstr (error_code (locked), ==, "rate_limited");
  g_assert_cmpint (atoi (soup_message_headers_get_one (locked->headers, "Retry-After")), >, 0);
  /* Another name is not locked. */
  token = enrol (f, "son");
  g_assert_nonnull (token);
}

static void
test_push_exactly_once (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *token = enrol (f, "son");
  const char *id = "5d0c7f0e-0000-4000-8000-000000000001";
  g_autoptr(JsonObject) first = push_one (f, token, make_item (id, "QNG-SONTINH", 1, 0, "140/BC-UBND", "12"));
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(JsonObject) reused = NULL;
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(JsonObject) stale = NULL;
  g_autoptr(JsonObject) stale_again = NULL;
  g_autoptr(Reply) report = NULL;
  g_autofree char *path = g_strdup_printf ("/api/v1/reports/%s", id);
  JsonObject *object;
  JsonArray *revisions;

  g_assert_cmpstr (json_object_get_string_member (first, "result"), ==, "stored");
  g_assert_false (json_object_get_boolean_member (first, "replayed"));
  g_assert_cmpint (json_object_get_int_member (first, "server_revision"), ==, 1);
  g_assert_cmpint (bc_wire_parse_time (receipt_time (first)), >, 0);

  /* The same revision again: the first answer, nothing stored. */
  g_usleep (G_USEC_PER_SEC);
  again = push_one (f, token, make_item (id, "QNG-SONTINH", 1, 0, "140/BC-UBND", "12"));
  g_assert_cmpstr (json_object_get_string_member (again, "result"), ==, "stored");
  g_assert_true (json_object_get_boolean_member (again, "replayed"));
  g_assert_cmpstr (receipt_number (again), ==, receipt_number (first));
  g_assert_cmpstr (receipt_time (again), ==, receipt_time (first));

  /* The same revision with other content: refused. */
  reused = push_one (f, token, make_item (id, "QNG-SONTINH", 1, 0, "141/BC-UBND", "12"));
  g_assert_cmpstr (json_object_get_string_member (reused, "result"), ==, "refused");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (reused, "error"), "code"),
                   ==, "conflict");

  second = push_one (f, token, make_item (id, "QNG-SONTINH", 2, 1, "140/BC-UBND", "13"));
  g_assert_cmpstr (json_object_get_string_member (second, "result"), ==, "stored");
  g_assert_cmpstr (receipt_number (second), !=, receipt_number (first));

  /* Based on revision 1 while the server holds 2: kept beside, nothing overwritten. */
  stale = push_one (f, token, make_item (id, "QNG-SONTINH", 3, 1, "140/BC-UBND", "99"));
  g_assert_cmpstr (json_object_get_string_member (stale, "result"), ==, "conflict");
  g_assert_cmpint (json_object_get_int_member (stale, "server_revision"), ==, 2);
  stale_again = push_one (f, token, make_item (id, "QNG-SONTINH", 3, 1, "140/BC-UBND", "99"));
  g_assert_cmpstr (json_object_get_string_member (stale_again, "result"), ==, "conflict");
  g_assert_true (json_object_get_boolean_member (stale_again, "replayed"));
  g_assert_cmpstr (receipt_number (stale_again), ==, receipt_number (stale));

  report = call (f, "GET", path, token, NULL, 0);
  g_assert_cmpuint (report->status, ==, 200);
  object = json_node_get_object (report->json);
  g_assert_cmpint (json_object_get_int_member (object, "current_revision"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "received");
  revisions = json_object_get_array_member (object, "revisions");
  g_assert_cmpuint (json_array_get_length (revisions), ==, 3);
  g_assert_false (json_object_get_boolean_member (json_array_get_object_element (revisions, 1), "conflict"));
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (revisions, 2), "conflict"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_object_get_object_member (object, "content"), "values"),
                                                  "services_level3"), ==, "13");
}

static const char *
refusal (JsonObject *result)
{
  g_assert_cmpstr (json_object_get_string_member (result, "result"), ==, "refused");
  return json_object_get_string_member (json_object_get_object_member (result, "error"), "code");
}

static void
test_push_refused (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *token = enrol (f, "son");
  g_autoptr(JsonNode) bad_hash = make_item ("r1", "QNG-SONTINH", 1, 0, "1", "1");
  g_autoptr(JsonNode) bad_value = make_item ("r2", "QNG-SONTINH", 1, 0, "1", "mười hai");
  g_autofree char *body = NULL;
  g_autoptr(Reply) reply = NULL;
  g_autoptr(GString) many = g_string_new ("{\"items\": [");
  g_autoptr(Reply) too_many = NULL;
  JsonArray *results;

  json_object_set_string_member (json_node_get_object (bad_hash), "content_hash", "sha256:00");
  body = push_body (json_node_ref (bad_hash), json_node_ref (bad_value),
                    make_item ("r3", "QNG-TRABONG", 1, 0, "1", "1"),
                    make_item ("r4", "QNG-SONTINH", 1, 0, "1", "1"), NULL);
  reply = call (f, "POST", "/api/v1/push", token, body, 0);
  g_assert_cmpuint (reply->status, ==, 200);
  results = json_object_get_array_member (json_node_get_object (reply->json), "results");
  g_assert_cmpuint (json_array_get_length (results), ==, 4);
  g_assert_cmpstr (refusal (json_array_get_object_element (results, 0)), ==, "bad_request");
  g_assert_cmpstr (refusal (json_array_get_object_element (results, 1)), ==, "bad_request");
  g_assert_nonnull (strstr (json_object_get_string_member (json_object_get_object_member (json_array_get_object_element (results, 1), "error"), "message"),
                            "services_level3"));
  g_assert_cmpstr (refusal (json_array_get_object_element (results, 2)), ==, "not_found");
  /* A refused item does not stop the ones after it. */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (results, 3), "result"),
                   ==, "stored");

  for (guint i = 0; i < 101; i++)
    g_string_append (many, i == 0 ? "{}" : ",{}");
  g_string_append (many, "]}");
  too_many = call (f, "POST", "/api/v1/push", token, many->str, 0);
  g_assert_cmpuint (too_many->status, ==, 400);
  g_assert_cmpstr (error_code (too_many), ==, "bad_request");
}

static JsonArray *
changes_page (Fixture    *f,
              const char *token,
              gint64      since,
              guint       limit,
              gint64     *cursor,
              gboolean   *more)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/changes?since=%" G_GINT64_FORMAT "&limit=%u",
                                           since, limit);
  g_autoptr(Reply) reply = call (f, "GET", path, token, NULL, 0);
  JsonObject *object;

  g_assert_cmpuint (reply->status, ==, 200);
  object = json_node_get_object (reply->json);
  *cursor = json_object_get_int_member (object, "cursor");
  *more = json_object_get_boolean_member (object, "more");
  return json_array_ref (json_object_get_array_member (object, "changes"));
}

static guint
count_kind (JsonArray  *changes,
            const char *kind)
{
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (changes); i++)
    n += g_str_equal (json_object_get_string_member (json_array_get_object_element (changes, i), "kind"), kind);
  return n;
}

static void
test_changes (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *son = enrol (f, "son");
  g_autofree char *tra = enrol (f, "tra");
  g_autoptr(JsonObject) a = push_one (f, son, make_item ("a", "QNG-SONTINH", 1, 0, "1", "1"));
  g_autoptr(JsonObject) b = push_one (f, son, make_item ("b", "QNG-SONTINH", 1, 0, "1", "1"));
  g_autoptr(JsonObject) c = push_one (f, tra, make_item ("c", "QNG-TRABONG", 1, 0, "1", "1"));
  g_autoptr(JsonArray) page1 = NULL;
  g_autoptr(JsonArray) page2 = NULL;
  g_autoptr(JsonArray) after = NULL;
  g_autoptr(JsonArray) theirs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *definition = NULL;
  gint64 cursor1, cursor2, cursor3, cursor4;
  gboolean more;
  JsonObject *review = NULL;

  /* The unit list loaded at setup, then son's two receipts: one at a time. */
  page1 = changes_page (f, son, 0, 2, &cursor1, &more);
  g_assert_true (more);
  g_assert_cmpuint (json_array_get_length (page1), ==, 2);
  g_assert_cmpuint (count_kind (page1, "units"), ==, 1);
  page2 = changes_page (f, son, cursor1, 2, &cursor2, &more);
  g_assert_false (more);
  g_assert_cmpuint (json_array_get_length (page2), ==, 1);
  g_assert_cmpuint (count_kind (page2, "receipt"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (page2, 0), "report_id"), ==, "b");
  g_assert_cmpint (cursor2, >, cursor1);

  /* A review and a template reach the feed after the cursor; the other
   * unit's receipt never does. */
  g_assert_true (bc_server_store_review (f->store, "QNG-SONTINH", "a", "returned", "Bổ sung mục 4.",
                                         "Nguyễn Văn A", g_get_real_time (), &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (BUILD_TEMPLATEDIR "/egov-quarterly-v1.json", &definition, NULL, NULL));
  g_assert_true (bc_server_store_publish_template (f->store, "egov-quarterly", 1, definition,
                                                   g_get_real_time (), &error));
  g_assert_no_error (error);
  after = changes_page (f, son, cursor2, 100, &cursor3, &more);
  g_assert_false (more);
  g_assert_cmpuint (json_array_get_length (after), ==, 2);
  g_assert_cmpuint (count_kind (after, "receipt"), ==, 0);
  review = json_array_get_object_element (after, 0);
  g_assert_cmpstr (json_object_get_string_member (review, "kind"), ==, "review");
  g_assert_cmpstr (json_object_get_string_member (review, "decision"), ==, "returned");
  g_assert_cmpstr (json_object_get_string_member (review, "comment"), ==, "Bổ sung mục 4.");
  g_assert_cmpstr (json_object_get_string_member (review, "reviewer"), ==, "Nguyễn Văn A");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (after, 1), "kind"), ==, "template");

  theirs = changes_page (f, tra, 0, 500, &cursor4, &more);
  g_assert_cmpuint (count_kind (theirs, "receipt"), ==, 1);
  g_assert_cmpuint (count_kind (theirs, "review"), ==, 0);
  g_assert_cmpuint (count_kind (theirs, "template"), ==, 1);
  g_assert_cmpuint (count_kind (theirs, "units"), ==, 1);

  /* Nothing new: the cursor stays. */
  {
    g_autoptr(JsonArray) none = changes_page (f, son, cursor3, 100, &cursor4, &more);

    g_assert_cmpuint (json_array_get_length (none), ==, 0);
    g_assert_cmpint (cursor4, ==, cursor3);
  }
}

/* A published plan reaches every unit's feed once, with its definition;
 * the same plan again adds nothing, other content under its id is refused. */
static void
test_changes_plan (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *son = enrol (f, "son");
  g_autofree char *tra = enrol (f, "tra");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *compact = NULL;
  g_autofree char *stored = NULL;
  g_autoptr(JsonNode) definition = NULL;
  g_autoptr(JsonNode) stored_node = NULL;
  g_autoptr(JsonNode) changed = NULL;
  g_autoptr(JsonArray) before = NULL;
  g_autoptr(JsonArray) page = NULL;
  g_autoptr(JsonArray) theirs = NULL;
  g_autoptr(JsonArray) after = NULL;
  gint64 cursor, cursor2;
  gboolean more;
  JsonObject *change;

  (void) data;

  g_assert_true (g_file_get_contents (BUILD_TEMPLATEDIR "/qng-kh-61-2019.plan.json", &text, NULL, NULL));
  definition = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_null (bc_server_store_get_plan (f->store, "qng-kh-61-2019", &error));
  g_assert_no_error (error);
  before = changes_page (f, son, 0, 500, &cursor, &more);

  g_assert_true (bc_server_store_publish_plan (f->store, "qng-kh-61-2019", text, &error));
  g_assert_no_error (error);
  page = changes_page (f, son, cursor, 500, &cursor2, &more);
  g_assert_cmpuint (json_array_get_length (page), ==, 1);
  change = json_array_get_object_element (page, 0);
  g_assert_cmpstr (json_object_get_string_member (change, "kind"), ==, "plan");
  g_assert_cmpstr (json_object_get_string_member (change, "plan"), ==, "qng-kh-61-2019");
  g_assert_true (json_node_equal (json_object_get_member (change, "definition"), definition));
  theirs = changes_page (f, tra, 0, 500, &cursor, &more);
  g_assert_cmpuint (count_kind (theirs, "plan"), ==, 1);
  stored = bc_server_store_get_plan (f->store, "qng-kh-61-2019", &error);
  g_assert_no_error (error);
  stored_node = json_from_string (stored, &error);
  g_assert_true (json_node_equal (stored_node, definition));

  /* The same plan written otherwise (compact) is the same plan. */
  compact = json_to_string (definition, FALSE);
  g_assert_true (bc_server_store_publish_plan (f->store, "qng-kh-61-2019", compact, &error));
  g_assert_no_error (error);

  /* Other content under a published plan id: refused, nothing added. */
  changed = json_node_copy (definition);
  json_object_set_int_member (json_object_get_object_member (json_object_get_object_member (
    json_object_get_object_member (json_node_get_object (changed), "calendar"), "quarter"), "due"), "day", 20);
  g_clear_pointer (&compact, g_free);
  compact = json_to_string (changed, FALSE);
  g_assert_false (bc_server_store_publish_plan (f->store, "qng-kh-61-2019", compact, &error));
  g_assert_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_EXISTS);
  g_clear_error (&error);

  after = changes_page (f, son, cursor2, 500, &cursor, &more);
  g_assert_cmpuint (json_array_get_length (after), ==, 0);
  g_assert_cmpint (cursor, ==, cursor2);
}

/* A raw HTTP exchange from another thread (the server runs on this one). */
typedef struct {
  guint16   port;
  char     *request;
  GString  *response;
  gint64    elapsed;
  int       done;
} Raw;

static gpointer
raw_thread (gpointer data)
{
  Raw *raw = data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  char buffer[4096];
  gssize n;

  g_socket_client_set_timeout (client, 5);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", raw->port, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                            raw->request, strlen (raw->request), NULL, NULL, &error));
  while ((n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                   buffer, sizeof buffer, NULL, NULL)) > 0)
    {
      const char *end;

      g_string_append_len (raw->response, buffer, n);
      end = strstr (raw->response->str, "\r\n\r\n");
      if (end != NULL && strstr (raw->response->str, "}}") != NULL)
        break;
    }
  raw->elapsed = g_get_monotonic_time () - start;
  g_atomic_int_set (&raw->done, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

static char *
raw_exchange (Fixture    *f,
              const char *request,
              gint64     *elapsed)
{
  g_autoptr(GUri) uri = g_uri_parse (f->url, G_URI_FLAGS_NONE, NULL);
  Raw raw = { (guint16) g_uri_get_port (uri), (char *) request, g_string_new (NULL), 0, 0 };
  GThread *thread = g_thread_new ("raw", raw_thread, &raw);

  while (!g_atomic_int_get (&raw.done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
  *elapsed = raw.elapsed;
  return g_string_free (raw.response, FALSE);
}

static void
test_too_large (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *token = enrol (f, "son");
  g_autofree char *request = g_strdup_printf ("POST /api/v1/push HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                              "Baocao-Protocol: 1\r\nAuthorization: Bearer %s\r\n"
                                              "Content-Type: application/json\r\n"
                                              "Content-Length: %d\r\n\r\n", token, 100 * 1024 * 1024);
  g_autofree char *chunked = g_strdup_printf ("POST /api/v1/push HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                              "Baocao-Protocol: 1\r\nAuthorization: Bearer %s\r\n"
                                              "Content-Type: application/json\r\n"
                                              "Transfer-Encoding: chunked\r\n\r\n", token);
  g_autofree char *response = NULL;
  g_autofree char *response2 = NULL;
  gint64 elapsed;

  /* Only the headers are sent: the answer must come without the body. */
  response = raw_exchange (f, request, &elapsed);
  g_assert_true (g_str_has_prefix (response, "HTTP/1.1 413"));
  g_assert_nonnull (strstr (response, "\"too_large\""));
  g_assert_cmpint (elapsed, <, 4 * G_USEC_PER_SEC);

  response2 = raw_exchange (f, chunked, &elapsed);
  g_assert_true (g_str_has_prefix (response2, "HTTP/1.1 411"));
  g_assert_nonnull (strstr (response2, "\"length_required\""));
  g_assert_cmpint (elapsed, <, 4 * G_USEC_PER_SEC);
}

static void
test_depth (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *token = enrol (f, "son");
  g_autoptr(GString) deep = g_string_new ("{\"items\": ");
  g_autoptr(Reply) reply = NULL;
  g_autoptr(Reply) enrol_deep = NULL;

  for (guint i = 0; i < 40; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 40; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  reply = call (f, "POST", "/api/v1/push", token, deep->str, CALL_LANG_EN);
  g_assert_cmpuint (reply->status, ==, 400);
  g_assert_cmpstr (error_code (reply), ==, "bad_request");
  g_assert_nonnull (strstr (body_text (reply), "deep"));
  enrol_deep = call (f, "POST", "/api/v1/enrol", NULL, deep->str, 0);
  g_assert_cmpuint (enrol_deep->status, ==, 400);
}

static void
test_rate_limit (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *token = enrol (f, "son");
  g_autofree char *other = enrol (f, "tra");
  g_autoptr(Reply) limited = NULL;
  g_autoptr(Reply) fine = NULL;

  bc_server_set_rate_limit (f->server, 6, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(Reply) reply = call (f, "GET", "/api/v1/changes", token, NULL, 0);

      g_assert_cmpuint (reply->status, ==, 200);
    }
  limited = call (f, "GET", "/api/v1/changes", token, NULL, 0);
  g_assert_cmpuint (limited->status, ==, 429);
  g_assert_cmpstr (error_code (limited), ==, "rate_limited");
  /* One request in 10 s comes back: wait at least that long. */
  g_assert_cmpint (atoi (soup_message_headers_get_one (limited->headers, "Retry-After")), >=, 9);
  g_assert_cmpint (atoi (soup_message_headers_get_one (limited->headers, "Retry-After")), <=, 10);
  /* Per token: another device is not held up. */
  fine = call (f, "GET", "/api/v1/changes", other, NULL, 0);
  g_assert_cmpuint (fine->status, ==, 200);
}

/* Sends `body` as it is, with these headers; returns the status. */
static guint
send_body (Fixture    *f,
           const char *token,
           const char *encoding,
           const char *media_type,
           GBytes     *body)
{
  g_autofree char *uri = g_strconcat (f->url, "/api/v1/push", NULL);
  g_autofree char *bearer = g_strdup_printf ("Bearer %s", token);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", uri);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  Reply reply = { 0 };

  soup_message_headers_replace (headers, "Baocao-Protocol", "1");
  soup_message_headers_replace (headers, "Authorization", bearer);
  if (encoding != NULL)
    soup_message_headers_replace (headers, "Content-Encoding", encoding);
  soup_message_set_request_body_from_bytes (msg, media_type, body);
  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, on_read, &reply);
  while (!reply.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (reply.error);
  g_clear_pointer (&reply.body, g_bytes_unref);
  return soup_message_get_status (msg);
}

static void
test_gzip (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *token = enrol (f, "son");
  g_autofree char *body = push_body (make_item ("gz", "QNG-SONTINH", 1, 0, "1", "1"), NULL);
  g_autoptr(Reply) pushed = call (f, "POST", "/api/v1/push", token, body, CALL_GZIP_BODY);
  g_autoptr(Reply) plain = call (f, "GET", "/api/v1/changes", token, NULL, 0);
  g_autoptr(Reply) packed = call (f, "GET", "/api/v1/changes", token, NULL, CALL_ACCEPT_GZIP);
  g_autoptr(GBytes) spaces = NULL;
  g_autoptr(GBytes) bomb = NULL;
  g_autoptr(GBytes) small = g_bytes_new_static ("{\"items\": []}", 13);
  char *big;

  g_assert_cmpuint (pushed->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_object_get_array_member (json_node_get_object (pushed->json), "results"), 0), "result"),
                   ==, "stored");
  g_assert_false (plain->gzipped);
  g_assert_true (packed->gzipped);
  g_assert_true (g_bytes_equal (plain->body, packed->body));

  /* 33 MiB of spaces in 33 KiB: refused while inflating. */
  big = g_malloc (33 * 1024 * 1024);
  memset (big, ' ', 33 * 1024 * 1024);
  spaces = g_bytes_new_take (big, 33 * 1024 * 1024);
  bomb = gzip_bytes (g_bytes_get_data (spaces, NULL), g_bytes_get_size (spaces));
  g_assert_cmpuint (g_bytes_get_size (bomb), <, BC_WIRE_MAX_BODY);
  g_assert_cmpuint (send_body (f, token, "gzip", "application/json", bomb), ==, 413);

  /* Other encodings and media types. */
  g_assert_cmpuint (send_body (f, token, "br", "application/json", small), ==, 415);
  g_assert_cmpuint (send_body (f, token, NULL, "text/plain", small), ==, 415);
  g_assert_cmpuint (send_body (f, token, NULL, "application/json; charset=utf-8", small), ==, 200);
}

static Reply *
get_report (Fixture    *f,
            const char *token,
            const char *id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/reports/%s", id);

  return call (f, "GET", path, token, NULL, 0);
}

/* Every endpoint, with the tokens a unit must not get through with. */
static void
test_authorisation (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *son = enrol (f, "son");
  g_autofree char *tra = enrol (f, "tra");
  g_autofree char *revoked = enrol (f, "son");
  g_autofree char *province = enrol (f, "qng");
  g_autofree char *commune = enrol (f, "xa");
  g_autofree char *foreign = NULL;
  g_autoptr(JsonObject) stored = push_one (f, son, make_item ("son-report", "QNG-SONTINH", 1, 0, "1", "7"));
  g_autoptr(GPtrArray) devices = bc_server_store_list_devices (f->store, NULL);
  g_autofree char *other_dir = NULL;
  g_autofree char *other_url = NULL;
  g_autoptr(BcServer) other = NULL;
  g_autoptr(Reply) missing = NULL;
  g_autoptr(Reply) hidden = NULL;
  g_autoptr(Reply) own = NULL;
  g_autoptr(Reply) parent = NULL;
  g_autoptr(Reply) child = NULL;
  g_autoptr(JsonObject) foreign_push = NULL;
  g_autoptr(JsonObject) same_id = NULL;
  g_autoptr(Reply) after = NULL;
  g_autofree char *push = push_body (make_item ("x", "QNG-SONTINH", 1, 0, "1", "1"), NULL);
  const char *bad_tokens[5];
  const char *unauthorized_body = NULL;
  char *revoked_id = NULL;

  /* A token of another server: enrolled there, unknown here. */
  other_dir = g_dir_make_tmp ("bc-server-other-XXXXXX", NULL);
  other = start_server (other_dir, NULL, NULL, &other_url);
  foreign = enrol_at (f->session, other_url, "son");

  for (guint i = 0; i < devices->len; i++)
    {
      BcStoreDevice *device = g_ptr_array_index (devices, i);
      g_autofree char *hash = bc_server_token_hash (revoked);
      g_autoptr(BcStoreDevice) found = bc_server_store_find_token (f->store, hash, 0, NULL);

      if (found != NULL && g_str_equal (found->id, device->id))
        revoked_id = device->id;
    }
  g_assert_nonnull (revoked_id);
  g_assert_true (bc_server_store_revoke_device (f->store, revoked_id, g_get_real_time (), NULL));

  bad_tokens[0] = revoked;
  bad_tokens[1] = NULL;
  bad_tokens[2] = foreign;
  bad_tokens[3] = "bct1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  bad_tokens[4] = "not a token";
  for (guint t = 0; t < G_N_ELEMENTS (bad_tokens); t++)
    {
      g_autoptr(Reply) r1 = get_report (f, bad_tokens[t], "son-report");
      g_autoptr(Reply) r2 = call (f, "GET", "/api/v1/changes", bad_tokens[t], NULL, 0);
      g_autoptr(Reply) r3 = call (f, "POST", "/api/v1/push", bad_tokens[t], push, 0);
      g_autoptr(Reply) r4 = call (f, "DELETE", "/api/v1/devices/self", bad_tokens[t], NULL, 0);
      Reply *replies[] = { r1, r2, r3, r4 };

      for (guint r = 0; r < G_N_ELEMENTS (replies); r++)
        {
          g_assert_cmpuint (replies[r]->status, ==, 401);
          if (unauthorized_body == NULL)
            unauthorized_body = g_strdup (body_text (replies[r]));
          g_assert_cmpstr (body_text (replies[r]), ==, unauthorized_body);
        }
    }
  g_free ((char *) unauthorized_body);

  /* Another unit's report answers as one that does not exist. */
  missing = get_report (f, tra, "no-such-report");
  hidden = get_report (f, tra, "son-report");
  g_assert_cmpuint (missing->status, ==, 404);
  g_assert_cmpuint (hidden->status, ==, missing->status);
  g_assert_cmpstr (body_text (hidden), ==, body_text (missing));
  g_assert_cmpstr (soup_message_headers_get_one (hidden->headers, "Content-Length"), ==,
                   soup_message_headers_get_one (missing->headers, "Content-Length"));

  /* The hierarchy: the province reads its district's report; the district's
   * commune does not read up. */
  own = get_report (f, son, "son-report");
  parent = get_report (f, province, "son-report");
  child = get_report (f, commune, "son-report");
  g_assert_cmpuint (own->status, ==, 200);
  g_assert_cmpuint (parent->status, ==, 200);
  g_assert_cmpstr (body_text (parent), ==, body_text (own));
  g_assert_cmpuint (child->status, ==, 404);
  g_assert_cmpstr (body_text (child), ==, body_text (missing));

  /* Pushing as another unit: refused as not found, even by the parent. */
  foreign_push = push_one (f, province, make_item ("son-report", "QNG-SONTINH", 2, 1, "1", "8"));
  g_assert_cmpstr (refusal (foreign_push), ==, "not_found");
  /* The same id from another unit is that unit's own report; son's stays. */
  same_id = push_one (f, tra, make_item ("son-report", "QNG-TRABONG", 5, 0, "1", "9"));
  g_assert_cmpstr (json_object_get_string_member (same_id, "result"), ==, "stored");
  after = get_report (f, son, "son-report");
  g_assert_cmpstr (body_text (after), ==, body_text (own));

  /* Signing this device out refuses its token at once. */
  {
    g_autoptr(Reply) out = call (f, "DELETE", "/api/v1/devices/self", son, NULL, 0);
    g_autoptr(Reply) refused = call (f, "GET", "/api/v1/changes", son, NULL, 0);

    g_assert_cmpuint (out->status, ==, 204);
    g_assert_cmpuint (refused->status, ==, 401);
  }

  bc_server_stop (other);
  while (bc_server_get_n_pending (other) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&other);
  bc_test_remove_tree (other_dir);
}

static void
test_tls (void)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *dir = g_dir_make_tmp ("bc-server-tls-XXXXXX", NULL);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(BcServer) server = NULL;
  g_autoptr(BcServer) plain = NULL;
  g_autoptr(SoupSession) trusting = NULL;
  g_autoptr(SoupSession) wary = NULL;
  g_autoptr(Reply) ok = NULL;
  g_autoptr(Reply) refused = NULL;
  g_autoptr(BcTemplateRegistry) registry = bc_template_registry_new ();
  int status = 0;
  const char *argv[] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                         "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                         "-keyout", key, "-out", cert, NULL };

  if (openssl == NULL || !g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("needs openssl and glib-networking");
      return;
    }
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH |
                               G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  server = start_server (data, NULL, certificate, &url);
  g_assert_true (g_str_has_prefix (url, "https://127.0.0.1:"));

  database = g_tls_file_database_new (cert, &error);
  g_assert_no_error (error);
  trusting = new_session ();
  soup_session_set_tls_database (trusting, database);
  ok = call_full (trusting, url, "GET", "/api/v1/info", NULL, NULL, 0);
  g_assert_no_error (ok->error);
  g_assert_cmpuint (ok->status, ==, 200);

  /* A self-signed certificate whose CA is not configured is refused. */
  wary = new_session ();
  refused = call_full (wary, url, "GET", "/api/v1/info", NULL, NULL, 0);
  g_assert_error (refused->error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);

  /* Plain HTTP only on loopback. */
  {
    g_autofree char *data2 = g_build_filename (dir, "data2", NULL);
    BcServerStore *store = open_test_store (data2, &error);

    g_assert_no_error (error);
    plain = bc_server_new (store, registry, &error);
    g_assert_no_error (error);
    g_assert_false (bc_server_listen (plain, "0.0.0.0:0", NULL, &error));
    g_assert_error (error, BC_SERVER_ERROR, BC_SERVER_ERROR_TLS);
  }

  bc_server_stop (server);
  while (bc_server_get_n_pending (server) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&server);
  g_clear_object (&plain);
  bc_test_remove_tree (dir);
}

/* The admin commands: the built binary on a directory a served process uses. */

static char *
run_admin (int          expected_status,
           const char  *data_dir,
           const char  *first,
           ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err_text = NULL;
  char *out = NULL;
  int status = 0;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("BAOCAO_SERVER"));
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  add_store_args (argv, data_dir);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err_text, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL) ? expected_status == 0
      : expected_status != 0)
    g_error ("%s %s: expected exit %d, got %d; stderr: %s", (const char *) argv->pdata[1],
             (const char *) argv->pdata[2], expected_status, status, err_text);
  return out;
}

static JsonNode *
admin_json (const char *data_dir,
            const char *first,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  JsonNode *node;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("BAOCAO_SERVER"));
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, (char *) "--json");
  add_store_args (argv, data_dir);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, &out, NULL, &status, &error));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  node = json_from_string (out, &error);
  g_assert_no_error (error);
  return node;
}

static JsonObject *
find_row (JsonArray  *rows,
          const char *member,
          const char *value)
{
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (row, member, NULL), value) == 0)
        return row;
    }
  return NULL;
}

#ifdef __linux__
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}
#endif

static void
test_admin (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bc-server-admin-XXXXXX", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *units = g_build_filename (dir, "units.json", NULL);
  g_autofree char *fewer = g_build_filename (dir, "fewer.json", NULL);
  g_autofree char *password = g_build_filename (dir, "password", NULL);
  g_autofree char *changed = g_build_filename (dir, "changed.json", NULL);
  g_autofree char *csv = g_build_filename (dir, "out.csv", NULL);
  g_autofree char *backup = g_build_filename (dir, "backup.db", NULL);
  g_autofree char *restored = g_build_filename (dir, "restored", NULL);
  g_autofree char *restored_db = g_build_filename (restored, "server.db", NULL);
  g_autofree char *definition = NULL;
  g_autofree char *line = NULL;
  g_autofree char *url = NULL;
  g_autofree char *son = NULL;
  g_autofree char *tra = NULL;
  g_autofree char *csv_text = NULL;
  g_autofree char *backup_bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) serve = NULL;
  g_autoptr(GDataInputStream) serve_out = NULL;
  g_autoptr(SoupSession) session = new_session ();
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) restored_list = NULL;
  g_autoptr(JsonNode) completeness = NULL;
  g_autoptr(JsonNode) totals = NULL;
  g_autoptr(JsonNode) devices_before = NULL;
  g_autoptr(Reply) changes = NULL;
  g_autoptr(Reply) revoked = NULL;
  g_autoptr(GString) changed_definition = NULL;
  g_autoptr(GString) changed_plan = NULL;
  g_autofree char *plan_text = NULL;
  JsonObject *row;
  gsize length;

  if (g_getenv ("BAOCAO_SERVER") == NULL)
    {
      g_test_skip ("BAOCAO_SERVER is not set");
      return;
    }
  g_assert_true (g_file_set_contents (units, unit_json, -1, NULL));
  g_assert_true (g_file_set_contents (fewer, "[{\"code\": \"QNG\", \"name\": \"Quảng Ngãi\", \"level\": \"province\"}]", -1, NULL));
  g_assert_true (g_file_set_contents (password, PASSWORD "\n", -1, NULL));
  g_free (run_admin (0, data, "units", "load", units, NULL));
  g_free (run_admin (0, data, "users", "add", "son", "--unit", "QNG-SONTINH", "--password-file", password, NULL));
  g_free (run_admin (0, data, "users", "add", "tra", "--unit", "QNG-TRABONG", "--password-file", password, NULL));
  g_free (run_admin (1, data, "users", "add", "son", "--unit", "QNG-SONTINH", "--password-file", password, NULL));
  g_free (run_admin (1, data, "users", "add", "ghost", "--unit", "NOWHERE", "--password-file", password, NULL));
  g_free (run_admin (2, data, "users", "add", "son", NULL));

  /* A template version is published once; other content under it is refused. */
  g_assert_true (g_file_get_contents (BUILD_TEMPLATEDIR "/egov-quarterly-v1.json", &definition, NULL, NULL));
  g_free (run_admin (0, data, "templates", "publish", BUILD_TEMPLATEDIR "/egov-quarterly-v1.json", NULL));
  g_free (run_admin (0, data, "templates", "publish", BUILD_TEMPLATEDIR "/egov-quarterly-v1.json", NULL));
  changed_definition = g_string_new (definition);
  g_string_replace (changed_definition, "Báo cáo tình hình", "Báo cáo về tình hình", 1);
  g_assert_true (g_file_set_contents (changed, changed_definition->str, -1, NULL));
  g_free (run_admin (1, data, "templates", "publish", changed, NULL));
  g_assert_true (g_file_set_contents (changed, "{\"format\": 1}", -1, NULL));
  g_free (run_admin (1, data, "templates", "publish", changed, NULL));

  /* A plan likewise: published once; one that does not load is refused,
   * and so is other content under the id of a plan installed with Baocao
   * (clients keep their own copy of it). */
  g_assert_true (g_file_get_contents (BUILD_TEMPLATEDIR "/qng-kh-61-2019.plan.json", &plan_text, NULL, NULL));
  changed_plan = g_string_new (plan_text);
  g_assert_cmpuint (g_string_replace (changed_plan, "\"day\": 19", "\"day\": 20", 1), ==, 1);
  g_assert_true (g_file_set_contents (changed, changed_plan->str, -1, NULL));
  g_free (run_admin (1, data, "plans", "publish", changed, NULL));
  g_free (run_admin (0, data, "plans", "publish", BUILD_TEMPLATEDIR "/qng-kh-61-2019.plan.json", NULL));
  g_free (run_admin (0, data, "plans", "publish", BUILD_TEMPLATEDIR "/qng-kh-61-2019.plan.json", NULL));
  g_free (run_admin (1, data, "plans", "publish", changed, NULL));
  g_assert_cmpuint (g_string_replace (changed_plan, "qng-kh-61-2019", "qng-kh-61-2019-sua-doi", 1), ==, 1);
  g_assert_true (g_file_set_contents (changed, changed_plan->str, -1, NULL));
  g_free (run_admin (0, data, "plans", "publish", changed, NULL));
  g_assert_cmpuint (g_string_replace (changed_plan, "\"day\": 20", "\"day\": 21", 1), ==, 1);
  g_assert_true (g_file_set_contents (changed, changed_plan->str, -1, NULL));
  g_free (run_admin (1, data, "plans", "publish", changed, NULL));
  g_assert_true (g_file_set_contents (changed, "{\"format\": 1}", -1, NULL));
  g_free (run_admin (1, data, "plans", "publish", changed, NULL));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
#ifdef __linux__
  /* A failing assertion here must not leave the server running. */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
#endif
  serve = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("BAOCAO_SERVER"),
                                       "serve", test_pg != NULL ? "--store" : "--data",
                                       test_pg != NULL ? store_uri (data) : data,
                                       "--listen", "127.0.0.1:0", NULL);
  g_assert_no_error (error);
  serve_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (serve));
  line = g_data_input_stream_read_line_utf8 (serve_out, &length, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  url = g_strdup (strstr (line, "http://"));
  g_assert_nonnull (url);

  son = enrol_at (session, url, "son");
  tra = enrol_at (session, url, "tra");
  {
    g_autofree char *body1 = push_body (make_item ("adm-son", "QNG-SONTINH", 1, 0, "140/BC-UBND", "12"), NULL);
    g_autofree char *body2 = push_body (make_item ("adm-tra", "QNG-TRABONG", 1, 0, "=HYPERLINK(\"x\")", "30"), NULL);
    g_autoptr(Reply) r1 = call_full (session, url, "POST", "/api/v1/push", son, body1, 0);
    g_autoptr(Reply) r2 = call_full (session, url, "POST", "/api/v1/push", tra, body2, 0);

    g_assert_cmpuint (r1->status, ==, 200);
    g_assert_cmpuint (r2->status, ==, 200);
  }

  list = admin_json (data, "reports", "list", "--period", PERIOD, NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 2);
  row = find_row (json_node_get_array (list), "report_id", "adm-son");
  g_assert_nonnull (row);
  g_assert_cmpstr (json_object_get_string_member (row, "state"), ==, "received");
  g_assert_cmpstr (json_object_get_string_member (row, "unit"), ==, "QNG-SONTINH");
  g_free (run_admin (0, data, "reports", "show", "adm-son", NULL));
  g_free (run_admin (1, data, "reports", "show", "nothing", NULL));

  /* A review made by the admin command reaches the unit's feed. */
  g_free (run_admin (0, data, "review", "return", "adm-son", "--comment", "Bổ sung số liệu mục 4.",
                     "--reviewer", "Nguyễn Văn A", NULL));
  g_free (run_admin (2, data, "review", "return", "adm-tra", NULL));
  g_free (run_admin (0, data, "review", "accept", "adm-tra", NULL));
  g_free (run_admin (1, data, "review", "accept", "adm-tra", NULL));
  changes = call_full (session, url, "GET", "/api/v1/changes", son, NULL, 0);
  g_assert_cmpuint (changes->status, ==, 200);
  row = find_row (json_object_get_array_member (json_node_get_object (changes->json), "changes"), "kind", "review");
  g_assert_nonnull (row);
  g_assert_cmpstr (json_object_get_string_member (row, "comment"), ==, "Bổ sung số liệu mục 4.");
  g_assert_cmpstr (json_object_get_string_member (row, "decision"), ==, "returned");
  /* The two plans published by the commands, each once. */
  g_assert_cmpuint (count_kind (json_object_get_array_member (json_node_get_object (changes->json), "changes"),
                                "plan"), ==, 2);
  /* Accepted is final: another revision is refused. */
  {
    g_autofree char *body = push_body (make_item ("adm-tra", "QNG-TRABONG", 2, 1, "=HYPERLINK(\"x\")", "31"), NULL);
    g_autoptr(Reply) r = call_full (session, url, "POST", "/api/v1/push", tra, body, 0);
    JsonObject *result = json_array_get_object_element (json_object_get_array_member (json_node_get_object (r->json), "results"), 0);

    g_assert_cmpstr (refusal (result), ==, "conflict");
  }

  completeness = admin_json (data, "completeness", PERIOD, "--template", "egov-quarterly", NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (completeness)), ==, 4);
  row = find_row (json_node_get_array (completeness), "unit", "QNG-SONTINH");
  g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "returned");
  /* Received now, years after Plan 61's due date for Q2/2020. */
  g_assert_cmpstr (json_object_get_string_member (row, "timeliness"), ==, "submitted-late");
  row = find_row (json_node_get_array (completeness), "unit", "QNG-TRABONG");
  g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "accepted");
  row = find_row (json_node_get_array (completeness), "unit", "QNG-ST-TINHHA");
  g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "missing");
  g_assert_cmpstr (json_object_get_string_member (row, "timeliness"), ==, "late");
  g_clear_pointer (&completeness, json_node_unref);
  /* A period before the plan: no unit is late for a date no plan set. */
  completeness = admin_json (data, "completeness", "2018Q2", "--template", "egov-quarterly", NULL);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (completeness)); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (completeness), i),
                                                    "timeliness"), ==, "no-due-date");
  g_clear_pointer (&completeness, json_node_unref);
  /* A plan published for that year gives it one, as it does on the units'
   * machines: the unit that never reported is late. */
  g_assert_true (g_file_set_contents (changed,
    "{ \"format\": 1, \"id\": \"qng-kh-5-2018\","
    "  \"name\": { \"vi\": \"Kế hoạch 5/KH-UBND\", \"en\": \"Plan 5/KH-UBND\" },"
    "  \"title\": { \"vi\": \"Kế hoạch số 5/KH-UBND\", \"en\": \"Plan No. 5/KH-UBND\" },"
    "  \"issuer\": { \"vi\": \"UBND tỉnh Quảng Ngãi\", \"en\": \"Quảng Ngãi People's Committee\" },"
    "  \"in_force\": { \"from\": \"2018Q1\", \"to\": \"2018\" }, \"units\": [\"QNG-*\"],"
    "  \"calendar\": { \"quarter\": { \"due\": { \"month\": 1, \"day\": 10 } } } }", -1, NULL));
  g_free (run_admin (0, data, "plans", "publish", changed, NULL));
  completeness = admin_json (data, "completeness", "2018Q2", "--template", "egov-quarterly", NULL);
  row = find_row (json_node_get_array (completeness), "unit", "QNG-ST-TINHHA");
  g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "missing");
  g_assert_cmpstr (json_object_get_string_member (row, "timeliness"), ==, "late");

  totals = admin_json (data, "totals", PERIOD, NULL);
  row = find_row (json_node_get_array (totals), "field", "services_level3");
  g_assert_nonnull (row);
  g_assert_cmpfloat (json_object_get_double_member (row, "value"), ==, 42.0);
  g_assert_cmpint (json_object_get_int_member (row, "reports"), ==, 2);

  g_free (run_admin (0, data, "export-csv", PERIOD, csv, NULL));
  g_assert_true (g_file_get_contents (csv, &csv_text, NULL, NULL));
  g_assert_true (g_str_has_prefix (csv_text, "\xef\xbb\xbfunit,unit_name,report_id,"));
  g_assert_nonnull (strstr (csv_text, "QNG-SONTINH,UBND huyện Sơn Tịnh,adm-son,egov-quarterly,1,2020Q2,1,returned,"));
  g_assert_nonnull (strstr (csv_text, "adm-tra"));
  /* A value a spreadsheet would run as a formula stays text. */
  g_assert_nonnull (strstr (csv_text, ",\"'=HYPERLINK(\"\"x\"\")\","));

  /* A backup taken while the server serves is a whole store. PostgreSQL
   * is backed up by its own tools: the command says so and fails. */
  if (test_pg == NULL)
    {
      g_free (run_admin (0, data, "backup", backup, NULL));
      g_free (run_admin (1, data, "backup", backup, NULL));
      g_assert_true (g_mkdir_with_parents (restored, 0700) == 0);
      g_assert_true (g_file_get_contents (backup, &backup_bytes, &length, NULL));
      g_assert_true (g_file_set_contents (restored_db, backup_bytes, (gssize) length, NULL));
      restored_list = admin_json (restored, "reports", "list", NULL);
      g_assert_cmpuint (json_array_get_length (json_node_get_array (restored_list)), ==, 2);
    }
  else
    g_free (run_admin (1, data, "backup", backup, NULL));

  /* A unit with reports stays in the list (renamed or closed, never dropped). */
  g_free (run_admin (1, data, "units", "load", fewer, NULL));

  /* Revoking a device refuses its token on the next request. */
  {
    g_autofree char *out = run_admin (0, data, "devices", "list", NULL);
    g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
    g_autofree char *device_id = NULL;

    for (guint i = 0; lines[i] != NULL; i++)
      if (strstr (lines[i], " tra ") != NULL)
        device_id = g_strndup (lines[i], 36);
    g_assert_nonnull (device_id);
    g_free (run_admin (0, data, "devices", "revoke", device_id, NULL));
    g_free (run_admin (1, data, "devices", "revoke", device_id, NULL));
  }
  revoked = call_full (session, url, "GET", "/api/v1/changes", tra, NULL, 0);
  g_assert_cmpuint (revoked->status, ==, 401);

  g_subprocess_send_signal (serve, SIGTERM);
  g_assert_true (g_subprocess_wait_check (serve, NULL, &error));
  g_assert_no_error (error);
  bc_test_remove_tree (dir);
}

typedef struct {
  SoupMessage *msg;
  Reply       *reply;
} Pending;

/* Sends the same item from many connections at once: one is stored, the
 * others are replays of it, all with the same receipt. */
static void
test_push_concurrent (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *token = enrol (f, "son");
  g_autofree char *uri = g_strconcat (f->url, "/api/v1/push", NULL);
  g_autofree char *bearer = g_strdup_printf ("Bearer %s", token);
  g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func (g_object_unref);
  Pending pending[12];
  const char *number = NULL;
  guint n_stored = 0, n_replayed = 0;

  bc_server_set_rate_limit (f->server, 0, 1);
  for (guint i = 0; i < G_N_ELEMENTS (pending); i++)
    {
      SoupSession *session = new_session ();
      g_autoptr(GString) body = g_string_new ("{\"items\": [");
      g_autoptr(GBytes) bytes = NULL;

      /* The shared item among 30 of this request's own, so that the
       * requests' transactions overlap in the store. */
      for (guint k = 0; k < 31; k++)
        {
          g_autofree char *id = g_strdup_printf ("own-%u-%u", i, k);
          g_autoptr(JsonNode) item = make_item (k == 15 ? "same" : id, "QNG-SONTINH", 1, 0, "1", "5");
          g_autofree char *text = json_to_string (item, FALSE);

          g_string_append_printf (body, "%s%s", k > 0 ? "," : "", text);
        }
      g_string_append (body, "]}");
      bytes = g_bytes_new (body->str, body->len);

      g_ptr_array_add (sessions, session);
      pending[i].reply = g_new0 (Reply, 1);
      pending[i].msg = soup_message_new ("POST", uri);
      soup_message_headers_replace (soup_message_get_request_headers (pending[i].msg), "Baocao-Protocol", "1");
      soup_message_headers_replace (soup_message_get_request_headers (pending[i].msg), "Authorization", bearer);
      soup_message_set_request_body_from_bytes (pending[i].msg, "application/json", bytes);
      soup_session_send_and_read_async (session, pending[i].msg, G_PRIORITY_DEFAULT, NULL,
                                        on_read, pending[i].reply);
    }
  for (guint i = 0; i < G_N_ELEMENTS (pending); i++)
    {
      g_autoptr(JsonNode) root = NULL;
      JsonObject *result;

      while (!pending[i].reply->done)
        g_main_context_iteration (NULL, TRUE);
      g_assert_no_error (pending[i].reply->error);
      g_assert_cmpuint (soup_message_get_status (pending[i].msg), ==, 200);
      root = json_from_string (g_bytes_get_data (pending[i].reply->body, NULL), NULL);
      for (guint k = 0; k < 31; k++)
        {
          result = json_array_get_object_element (json_object_get_array_member (json_node_get_object (root), "results"), k);
          g_assert_cmpstr (json_object_get_string_member (result, "result"), ==, "stored");
          if (k != 15)
            g_assert_false (json_object_get_boolean_member (result, "replayed"));
        }
      result = json_array_get_object_element (json_object_get_array_member (json_node_get_object (root), "results"), 15);
      if (json_object_get_boolean_member (result, "replayed"))
        n_replayed++;
      else
        n_stored++;
      if (number == NULL)
        number = g_strdup (receipt_number (result));
      g_assert_cmpstr (receipt_number (result), ==, number);
      g_object_unref (pending[i].msg);
      reply_free (pending[i].reply);
    }
  g_assert_cmpuint (n_stored, ==, 1);
  g_assert_cmpuint (n_replayed, ==, G_N_ELEMENTS (pending) - 1);
  g_free ((char *) number);
}

/* Several server processes on one store, as behind a load balancer. Each
 * batch goes to two servers at once; pollers read each unit's feed from
 * any server while the pushes run; one server is killed during a push and
 * its client sends the batch again elsewhere. Every item is stored once,
 * with one receipt, and every poller sees every receipt exactly once. */

#define MULTI_UNITS 3
#define MULTI_REPORTS 40
#define MULTI_BATCH 10
#define MULTI_KILLED_ITEMS 60

typedef struct {
  GPtrArray   *urls;        /* NULL where the server was killed */
  SoupSession *session;
  GHashTable  *receipts;    /* report id → receipt number, from push replies */
  guint        n_sending;
  guint        n_retried;
} Multi;

typedef struct {
  Multi      *multi;
  char       *token;
  GBytes     *body;
  guint       server;
  guint       attempts;
  gboolean    done;
  gboolean    first_failed;
} Send;

typedef struct {
  Multi      *multi;
  char       *token;
  const char *unit;
  gint64      cursor;
  guint       next;
  GHashTable *seen;         /* report id → times seen in the feed */
  gboolean    stop;         /* the pushes are over: read to the end */
  gboolean    asked_after_stop; /* the page on its way was asked after that */
  gboolean    done;
  guint       polls;
} Poller;

static JsonNode *
bytes_json (GBytes  *bytes,
            GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  /* A body is not NUL-terminated: parse it by its length. */
  if (!json_parser_load_from_data (parser, data, (gssize) length, error))
    return NULL;
  return json_node_ref (json_parser_get_root (parser));
}

static guint
next_alive (Multi *m,
            guint  from)
{
  for (guint i = 0; i < m->urls->len; i++)
    {
      guint k = (from + i) % m->urls->len;

      if (g_ptr_array_index (m->urls, k) != NULL)
        return k;
    }
  g_assert_not_reached ();
}

static void send_start (Send *send);

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Send *send = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autoptr(JsonNode) root = NULL;
  JsonArray *results;

  if (error != NULL || soup_message_get_status (msg) != 200)
    {
      /* A killed server, or a busy store (503): the client tries again. */
      send->first_failed |= send->attempts == 1;
      g_assert_cmpuint (send->attempts, <, 40);
      send->multi->n_retried++;
      send->server = next_alive (send->multi, send->server + 1);
      send_start (send);
      return;
    }
  root = bytes_json (body, &error);
  g_assert_no_error (error);
  results = json_object_get_array_member (json_node_get_object (root), "results");
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *r = json_array_get_object_element (results, i);
      const char *id = json_object_get_string_member (r, "report_id");
      const char *number = receipt_number (r);
      const char *known;

      g_assert_cmpstr (json_object_get_string_member (r, "result"), ==, "stored");
      known = g_hash_table_lookup (send->multi->receipts, id);
      if (known != NULL)
        g_assert_cmpstr (known, ==, number);   /* a replay: the first receipt */
      else
        g_hash_table_insert (send->multi->receipts, g_strdup (id), g_strdup (number));
    }
  send->done = TRUE;
  send->multi->n_sending--;
}

static void
send_start (Send *send)
{
  g_autofree char *uri = g_strconcat (g_ptr_array_index (send->multi->urls, send->server),
                                      "/api/v1/push", NULL);
  g_autofree char *bearer = g_strdup_printf ("Bearer %s", send->token);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", uri);

  send->attempts++;
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Baocao-Protocol", "1");
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", bearer);
  soup_message_set_request_body_from_bytes (msg, "application/json", send->body);
  soup_session_send_and_read_async (send->multi->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    on_sent, send);
}

static Send *
send_new (Multi      *m,
          const char *token,
          const char *unit,
          const char *prefix,
          guint       first,
          guint       n,
          guint       server)
{
  Send *send = g_new0 (Send, 1);
  g_autoptr(GString) body = g_string_new ("{\"items\": [");

  for (guint k = first; k < first + n; k++)
    {
      g_autofree char *id = g_strdup_printf ("%s-%s-%u", prefix, unit, k);
      g_autoptr(JsonNode) item = make_item (id, unit, 1, 0, "1", "5");
      g_autofree char *text = json_to_string (item, FALSE);

      g_string_append_printf (body, "%s%s", k > first ? "," : "", text);
    }
  g_string_append (body, "]}");
  send->multi = m;
  send->token = g_strdup (token);
  send->body = g_bytes_new (body->str, body->len);
  send->server = server;
  m->n_sending++;
  send_start (send);
  return send;
}

static void
send_free (Send *send)
{
  g_free (send->token);
  g_bytes_unref (send->body);
  g_free (send);
}

static void poll_start (Poller *poller);

static gboolean
poll_again (gpointer user_data)
{
  poll_start (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_polled (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Poller *poller = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonArray *changes;
  /* A page asked while a push was still committing may miss it: only one
   * asked after the pushes were over can end the reading. */
  gboolean stopping = poller->asked_after_stop;

  poller->polls++;
  if (error != NULL || soup_message_get_status (msg) != 200)
    {
      g_timeout_add (5, poll_again, poller);
      return;
    }
  root = bytes_json (body, &error);
  g_assert_no_error (error);
  object = json_node_get_object (root);
  changes = json_object_get_array_member (object, "changes");
  for (guint i = 0; i < json_array_get_length (changes); i++)
    {
      JsonObject *change = json_array_get_object_element (changes, i);

      g_assert_cmpint (json_object_get_int_member (change, "seq"), >, poller->cursor);
      if (g_str_equal (json_object_get_string_member (change, "kind"), "receipt"))
        {
          const char *id = json_object_get_string_member (change, "report_id");

          g_hash_table_insert (poller->seen, g_strdup (id),
                               GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (poller->seen, id)) + 1));
        }
    }
  poller->cursor = json_object_get_int_member (object, "cursor");
  /* Done after a page that was asked once the pushes were over and had
   * nothing more. */
  if (stopping && !json_object_get_boolean_member (object, "more"))
    {
      poller->done = TRUE;
      return;
    }
  poll_start (poller);
}

static void
poll_start (Poller *poller)
{
  Multi *m = poller->multi;
  guint server = next_alive (m, poller->next++);
  g_autofree char *uri = g_strdup_printf ("%s/api/v1/changes?since=%" G_GINT64_FORMAT "&limit=7",
                                          (const char *) g_ptr_array_index (m->urls, server),
                                          poller->cursor);
  g_autofree char *bearer = g_strdup_printf ("Bearer %s", poller->token);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Baocao-Protocol", "1");
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", bearer);
  poller->asked_after_stop = poller->stop;
  soup_session_send_and_read_async (m->session, msg, G_PRIORITY_DEFAULT, NULL, on_polled, poller);
}

static void
test_processes (gconstpointer data)
{
  guint n_servers = GPOINTER_TO_UINT (data);
  g_autofree char *dir = g_dir_make_tmp ("bc-server-multi-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) units = json_from_string (unit_json, &error);
  g_autoptr(GPtrArray) servers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) sends = g_ptr_array_new_with_free_func ((GDestroyNotify) send_free);
  g_autoptr(GPtrArray) reports = NULL;
  static const char *users[][2] = { { "son", "QNG-SONTINH" }, { "tra", "QNG-TRABONG" },
                                    { "xa", "QNG-ST-TINHHA" } };
  Poller pollers[MULTI_UNITS] = { { 0 } };
  Multi m = { 0 };
  BcServerStore *store;
  Send *killed;

  if (g_getenv ("BAOCAO_SERVER") == NULL)
    {
      g_test_skip ("BAOCAO_SERVER is not set");
      return;
    }
  g_assert_true (bc_server_auth_init ());
  store = open_test_store (dir, &error);
  g_assert_no_error (error);
  g_assert_true (bc_server_store_load_units (store, json_object_get_array_member (json_node_get_object (units), "units"),
                                             g_get_real_time (), &error));
  for (guint u = 0; u < MULTI_UNITS; u++)
    g_assert_true (bc_server_store_add_user (store, users[u][0], users[u][1], password_hash (),
                                             g_get_real_time (), &error));
  g_assert_no_error (error);
  bc_server_store_free (store);

  m.urls = g_ptr_array_new_with_free_func (g_free);
  m.session = soup_session_new_with_options ("timeout", 20, "max-conns", 64,
                                            "max-conns-per-host", 16, NULL);
  m.receipts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < n_servers; i++)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
      GSubprocess *serve;
      g_autoptr(GDataInputStream) out = NULL;
      g_autofree char *line = NULL;

#ifdef __linux__
      g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
#endif
      serve = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("BAOCAO_SERVER"), "serve",
                                           test_pg != NULL ? "--store" : "--data",
                                           test_pg != NULL ? store_uri (dir) : dir,
                                           "--listen", "127.0.0.1:0", "--rate-limit", "0", NULL);
      g_assert_no_error (error);
      out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (serve));
      line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (line);
      g_assert_nonnull (strstr (line, "http://"));
      g_ptr_array_add (m.urls, g_strdup (strstr (line, "http://")));
      g_ptr_array_add (servers, serve);
    }

  for (guint u = 0; u < MULTI_UNITS; u++)
    {
      pollers[u].multi = &m;
      pollers[u].token = enrol_at (m.session, g_ptr_array_index (m.urls, u % n_servers), users[u][0]);
      pollers[u].unit = users[u][1];
      pollers[u].next = u;
      pollers[u].seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      poll_start (&pollers[u]);
    }

  /* Every batch to two servers at once. */
  for (guint u = 0; u < MULTI_UNITS; u++)
    for (guint b = 0; b < MULTI_REPORTS / MULTI_BATCH; b++)
      for (guint twice = 0; twice < 2; twice++)
        g_ptr_array_add (sends, send_new (&m, pollers[u].token, users[u][1], "m", b * MULTI_BATCH,
                                          MULTI_BATCH, (u + b + twice) % n_servers));
  while (m.n_sending > 0)
    g_main_context_iteration (NULL, TRUE);

  /* A server killed while it stores a batch: the client sends it again to
   * another one. */
  killed = send_new (&m, pollers[0].token, users[0][1], "k", 0, MULTI_KILLED_ITEMS, n_servers - 1);
  g_ptr_array_add (sends, killed);
  {
    gint64 until = g_get_monotonic_time () + 30 * G_TIME_SPAN_MILLISECOND;

    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE);
  }
  g_subprocess_force_exit (g_ptr_array_index (servers, n_servers - 1));
  g_assert_true (g_subprocess_wait (g_ptr_array_index (servers, n_servers - 1), NULL, NULL));
  g_free (g_ptr_array_steal_index (m.urls, n_servers - 1));
  g_ptr_array_insert (m.urls, (int) n_servers - 1, NULL);
  while (m.n_sending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_test_message ("the killed server's batch: %s on its first attempt; %u retries in all",
                  killed->first_failed ? "cut" : "answered", m.n_retried);

  /* Each item stored once, with one receipt. */
  store = open_test_store (dir, &error);
  g_assert_no_error (error);
  reports = bc_server_store_list_reports (store, PERIOD, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reports->len, ==, MULTI_UNITS * MULTI_REPORTS + MULTI_KILLED_ITEMS);
  g_assert_cmpuint (g_hash_table_size (m.receipts), ==, reports->len);
  for (guint i = 0; i < reports->len; i++)
    {
      BcStoreReport *report = g_ptr_array_index (reports, i);

      g_assert_cmpuint (report->n_revisions, ==, 1);
      g_assert_cmpuint (report->n_conflicts, ==, 0);
      g_assert_cmpstr (report->receipt_number, ==, g_hash_table_lookup (m.receipts, report->report_id));
      /* Either store writes its numbers the same way. */
      g_assert_true (g_regex_match_simple ("^BC-[0-9]{6}$", report->receipt_number, 0, 0));
    }
  bc_server_store_free (store);

  /* Each poller, reading while the pushes ran, saw every receipt of its
   * unit once: no skipped item, no repeated one. */
  for (guint u = 0; u < MULTI_UNITS; u++)
    pollers[u].stop = TRUE;
  for (guint u = 0; u < MULTI_UNITS; u++)
    {
      GHashTableIter iter;
      gpointer key, value;
      guint expected = MULTI_REPORTS + (u == 0 ? MULTI_KILLED_ITEMS : 0);

      while (!pollers[u].done)
        g_main_context_iteration (NULL, TRUE);
      g_test_message ("%s: %u polls", pollers[u].unit, pollers[u].polls);
      g_assert_cmpuint (g_hash_table_size (pollers[u].seen), ==, expected);
      g_hash_table_iter_init (&iter, pollers[u].seen);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_assert_cmpuint (GPOINTER_TO_UINT (value), ==, 1);
      g_hash_table_unref (pollers[u].seen);
      g_free (pollers[u].token);
    }

  for (guint i = 0; i + 1 < n_servers; i++)
    {
      g_subprocess_send_signal (g_ptr_array_index (servers, i), SIGTERM);
      g_assert_true (g_subprocess_wait_check (g_ptr_array_index (servers, i), NULL, &error));
      g_assert_no_error (error);
    }
  g_ptr_array_unref (m.urls);
  g_object_unref (m.session);
  g_hash_table_unref (m.receipts);
  bc_test_remove_tree (dir);
}

/* Several server processes on one store, each behind a fault proxy, and
 * devices syncing through them with the real client engine: each device
 * has its workbook, enrolled with the unit, and talks to one server's
 * proxy; whenever a sync fails it moves to the next server still running,
 * as a client behind a load balancer would find itself on another
 * backend. Each round every device queues new reports (and sends again the
 * ones the province returned), every proxy gets a random fault, and all
 * devices sync at once; in some rounds a server is SIGKILLed while it
 * stores a large batch of one of its devices (and started again the next
 * round). After each round the links are made clean and every device syncs
 * until its outbox is empty. Then the store, its feed and every workbook
 * must agree exactly: each revision a device queued stored once with its
 * content, one receipt for it in the feed, no revision nobody queued, every
 * outbox empty and every workbook holding the server's receipt.
 *
 * BAOCAO_MULTI_ROUNDS sets the rounds (6 by default; the slow suite makes
 * many more, and kills a server every fifth round). */

/* No fault here stalls for long (a random stall is under 0.2 s): bounds
 * with room for a machine busy with every server at once. */
#define FARM_IO_TIMEOUT       5
#define FARM_REQUEST_TIMEOUT  15
#define FARM_REPORTS          6     /* new reports a device queues each round */
#define FARM_KILL_BATCH       100   /* what the killed server's device has in flight */
#define FARM_KILL_EVERY       5

typedef struct {
  guint          index;
  BcWorkbook    *workbook;
  BcSyncClient  *client;
  guint          server;      /* whose proxy it talks to */
  guint          next_period;
  GPtrArray     *reports;     /* BcTestTracked* */
  /* One sync in a thread of its own. */
  GThread       *thread;
  BcSyncSummary *summary;
  GError        *error;
  gint           done;
} FarmDevice;

typedef struct {
  const char    *where;       /* the store: a data folder or a libpq URI */
  guint          n_servers;
  BcTestServer **servers;
  gboolean      *alive;
  BcFaultProxy **proxies;
  char         **urls;
  FarmDevice    *devices;
  guint          n_devices;
  BcServerStore *store;       /* the test's own connection, to check and to review */
  /* What happened, for the log. */
  guint          syncs_failed;
  guint          moves;
  guint          faults_fired;
  guint          killed_mid_batch;
  guint          not_stored;  /* push results other than "stored" */
} Farm;

/* New reports, and the returned ones changed and queued again; their ids. */
static GPtrArray *
farm_queue (FarmDevice *device,
            guint       n_new)
{
  g_autoptr(GPtrArray) ids = bc_test_queue_many (device->workbook, device->next_period, n_new);
  g_autoptr(GPtrArray) queued = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  device->next_period += n_new;
  for (guint i = 0; i < device->reports->len; i++)
    {
      BcTestTracked *tracked = g_ptr_array_index (device->reports, i);
      g_autoptr(BcReport) loaded = NULL;
      g_autofree char *value = NULL;

      if (!tracked->returned)
        continue;
      loaded = bc_workbook_load_report (device->workbook, tracked->id, &error);
      g_assert_no_error (error);
      /* Not until the device has heard of the return. */
      if (bc_report_get_status (loaded) != BC_STATUS_RETURNED)
        continue;
      value = g_strdup_printf ("Khó khăn, lần gửi %u.", tracked->queued->len + 1);
      bc_test_edit_and_queue (device->workbook, tracked->id, value);
      g_ptr_array_add (queued, tracked);
      g_ptr_array_add (ids, g_strdup (tracked->id));
    }
  for (guint i = 0; i < n_new; i++)
    {
      g_ptr_array_add (device->reports, bc_test_tracked_new (g_ptr_array_index (ids, i)));
      g_ptr_array_add (queued, g_ptr_array_index (device->reports, device->reports->len - 1));
    }
  bc_test_note_queued (device->workbook, (BcTestTracked * const *) queued->pdata, queued->len);
  return g_steal_pointer (&ids);
}

static gpointer
farm_sync_thread (gpointer data)
{
  FarmDevice *device = data;

  device->summary = bc_test_client_sync (device->client, &device->error);
  g_atomic_int_set (&device->done, TRUE);
  return NULL;
}

static void
farm_sync_start (FarmDevice *device)
{
  g_atomic_int_set (&device->done, FALSE);
  device->thread = g_thread_new ("device", farm_sync_thread, device);
}

static guint
farm_next_alive (Farm  *farm,
                 guint  from)
{
  for (guint i = 0; i < farm->n_servers; i++)
    {
      guint k = (from + i) % farm->n_servers;

      if (farm->alive[k])
        return k;
    }
  g_assert_not_reached ();
}

/* Points the device at server k's proxy (its workbook keeps the URL). */
static void
farm_move (Farm       *farm,
           FarmDevice *device,
           guint       k)
{
  g_autoptr(GError) error = NULL;

  if (device->server != k)
    farm->moves++;
  device->server = k;
  bc_outbox_set_sync_setting (device->workbook, BC_SYNC_SETTING_SERVER_URL, farm->urls[k], &error);
  g_assert_no_error (error);
}

/* Waits for the device's sync; TRUE if it succeeded. A failed device moves
 * to the next server still running. */
static gboolean
farm_sync_join (Farm       *farm,
                FarmDevice *device)
{
  gboolean ok;

  g_thread_join (device->thread);
  device->thread = NULL;
  ok = device->summary != NULL;
  if (ok)
    {
      for (guint i = 0; i < device->summary->results->len; i++)
        {
          BcSyncPushResult *result = g_ptr_array_index (device->summary->results, i);

          if (result->result != BC_SYNC_RESULT_STORED)
            {
              g_test_message ("device %u: %s revision %" G_GINT64_FORMAT " came back %s",
                              device->index, result->report_id, result->revision,
                              bc_sync_result_kind_to_string (result->result));
              farm->not_stored++;
            }
        }
    }
  else
    {
      g_test_message ("device %u: the sync through server %u failed: %s", device->index,
                      device->server, device->error->message);
      farm->syncs_failed++;
      farm_move (farm, device, farm_next_alive (farm, device->server + 1));
    }
  g_clear_pointer (&device->summary, bc_sync_summary_free);
  g_clear_error (&device->error);
  return ok;
}

/* How many of `ids` the store holds. */
static guint
farm_count_stored (Farm      *farm,
                   GPtrArray *ids)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) reports = bc_server_store_list_reports (farm->store, NULL, BC_HARNESS_UNIT,
                                                               &error);
  g_autoptr(GHashTable) held = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < reports->len; i++)
    g_hash_table_add (held, ((BcStoreReport *) g_ptr_array_index (reports, i))->report_id);
  for (guint i = 0; i < ids->len; i++)
    n += g_hash_table_contains (held, g_ptr_array_index (ids, i));
  return n;
}

/* Clean links; every device syncs until its outbox is empty (what is
 * still there after a few tries counts as lost). */
static void
farm_converge (Farm *farm)
{
  for (guint k = 0; k < farm->n_servers; k++)
    bc_fault_proxy_set_plan (farm->proxies[k], NULL);
  for (guint attempt = 0; attempt < 6; attempt++)
    {
      gboolean all = TRUE;

      for (guint d = 0; d < farm->n_devices; d++)
        farm_sync_start (&farm->devices[d]);
      for (guint d = 0; d < farm->n_devices; d++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GPtrArray) left = NULL;

          all &= farm_sync_join (farm, &farm->devices[d]);
          left = bc_outbox_list (farm->devices[d].workbook, &error);
          g_assert_no_error (error);
          all &= left->len == 0;
        }
      if (all)
        return;
    }
}

/* The store, its feed and every workbook agree exactly. */
static void
farm_check_converged (Farm        *farm,
                      BcTestTally *tally)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) feed = bc_test_feed_receipts (farm->store, BC_HARNESS_UNIT, tally);
  g_autoptr(GPtrArray) held = bc_server_store_list_reports (farm->store, NULL, NULL, &error);
  GHashTableIter iter;
  gpointer count;
  guint n_receipts = 0, n_revisions = 0, n_reports = 0;

  g_assert_no_error (error);
  g_hash_table_iter_init (&iter, feed);
  while (g_hash_table_iter_next (&iter, NULL, &count))
    n_receipts += GPOINTER_TO_UINT (count);

  for (guint d = 0; d < farm->n_devices; d++)
    {
      FarmDevice *device = &farm->devices[d];
      g_autoptr(GPtrArray) left = bc_outbox_list (device->workbook, &error);
      g_autofree char *who = g_strdup_printf ("device %u", d);

      g_assert_no_error (error);
      if (left->len > 0)
        g_test_message ("%s: %u items left in the outbox", who, left->len);
      tally->losses += left->len;
      for (guint i = 0; i < device->reports->len; i++)
        {
          BcTestTracked *tracked = g_ptr_array_index (device->reports, i);
          g_autoptr(BcReport) loaded = NULL;
          BcStatus status;

          n_reports++;
          n_revisions += tracked->queued->len;
          bc_test_check_report (farm->store, BC_HARNESS_UNIT, feed, device->workbook, tracked,
                                who, tally);

          /* Sent; or returned, the device told of it through the feed. */
          loaded = bc_workbook_load_report (device->workbook, tracked->id, &error);
          g_assert_no_error (error);
          status = bc_report_get_status (loaded);
          if (status != (tracked->returned ? BC_STATUS_RETURNED : BC_STATUS_SENT))
            {
              g_test_message ("%s: report %s is %s", who, tracked->id, bc_status_to_string (status));
              tally->wrong++;
            }
        }
    }

  /* Nothing that no device sent. */
  if (held->len != n_reports || n_receipts != n_revisions)
    g_test_message ("the store holds %u reports and %u receipts; the devices sent %u and %u",
                    held->len, n_receipts, n_reports, n_revisions);
  if (held->len > n_reports)
    tally->duplicates += held->len - n_reports;
  if (n_receipts > n_revisions)
    tally->duplicates += n_receipts - n_revisions;
}

static void
test_processes_faults (gconstpointer data)
{
  const char *env = g_getenv ("BAOCAO_MULTI_ROUNDS");
  guint rounds = env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : 6;
  g_autofree char *dir = g_dir_make_tmp ("bc-server-farm-XXXXXX", NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  g_autoptr(GError) error = NULL;
  gint killed = -1;
  gint64 start = g_get_monotonic_time ();
  BcTestTally tally = { 0 };
  Farm farm = { 0 };

  if (g_getenv ("BAOCAO_SERVER") == NULL)
    {
      g_test_skip ("BAOCAO_SERVER is not set");
      return;
    }
  g_assert_cmpuint (rounds, >=, 2);
  farm.n_servers = GPOINTER_TO_UINT (data);
  farm.n_devices = 2 * farm.n_servers;
  farm.where = test_pg != NULL ? store_uri (dir) : dir;
  bc_test_server_prepare (farm.where);
  farm.servers = g_new0 (BcTestServer *, farm.n_servers);
  farm.alive = g_new0 (gboolean, farm.n_servers);
  farm.proxies = g_new0 (BcFaultProxy *, farm.n_servers);
  farm.urls = g_new0 (char *, farm.n_servers + 1);
  for (guint k = 0; k < farm.n_servers; k++)
    {
      farm.servers[k] = bc_test_server_start (farm.where, 0, NULL, NULL);
      farm.alive[k] = TRUE;
      farm.proxies[k] = bc_fault_proxy_new ("127.0.0.1", bc_test_server_get_port (farm.servers[k]),
                                            &error);
      g_assert_no_error (error);
      farm.urls[k] = bc_fault_proxy_dup_uri (farm.proxies[k]);
    }
  farm.store = open_test_store (dir, &error);
  g_assert_no_error (error);

  /* Devices of one unit, spread over the servers. */
  farm.devices = g_new0 (FarmDevice, farm.n_devices);
  for (guint d = 0; d < farm.n_devices; d++)
    {
      FarmDevice *device = &farm.devices[d];
      g_autofree char *name = g_strdup_printf ("device-%u.baocao", d);
      g_autofree char *device_dir = g_strdup_printf ("%s/device-%u", dir, d);

      g_mkdir (device_dir, 0700);
      device->index = d;
      device->server = d % farm.n_servers;
      device->workbook = bc_test_workbook_new (dir, name);
      device->client = bc_test_client_new (device->workbook, device_dir);
      device->reports = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_test_tracked_free);
      bc_test_client_enrol (device->client, farm.urls[device->server], "user-0", &error);
      g_assert_no_error (error);
      bc_sync_client_set_timeouts (device->client, FARM_IO_TIMEOUT, FARM_REQUEST_TIMEOUT);
    }

  for (guint round = 0; round < rounds; round++)
    {
      gboolean kill_round = round % FARM_KILL_EVERY == 1;
      guint victim = (round / FARM_KILL_EVERY) % farm.n_servers;
      g_autoptr(GPtrArray) victim_ids = NULL;

      /* The server killed last round is back. */
      if (killed >= 0)
        {
          bc_test_server_restart (farm.servers[killed]);
          farm.alive[killed] = TRUE;
          killed = -1;
        }

      for (guint d = 0; d < farm.n_devices; d++)
        g_ptr_array_unref (farm_queue (&farm.devices[d], FARM_REPORTS));
      for (guint k = 0; k < farm.n_servers; k++)
        {
          BcFaultPlan plan;

          bc_fault_plan_random (rand, &plan);
          bc_fault_proxy_reset_counters (farm.proxies[k]);
          /* The server to be killed must get its batch whole. */
          bc_fault_proxy_set_plan (farm.proxies[k], kill_round && k == victim ? NULL : &plan);
        }
      if (kill_round)
        {
          /* A device of the victim's with a large batch (stored item by
           * item, so that the kill lands in its middle). */
          farm_move (&farm, &farm.devices[victim], victim);
          victim_ids = farm_queue (&farm.devices[victim], FARM_KILL_BATCH);
        }

      for (guint d = 0; d < farm.n_devices; d++)
        farm_sync_start (&farm.devices[d]);
      if (kill_round)
        {
          guint stored = 0;

          while (!g_atomic_int_get (&farm.devices[victim].done)
                 && (stored = farm_count_stored (&farm, victim_ids)) == 0)
            g_usleep (500);
          bc_test_server_kill (farm.servers[victim]);
          farm.alive[victim] = FALSE;
          killed = (gint) victim;
          stored = farm_count_stored (&farm, victim_ids);
          g_test_message ("round %u: server %u killed with %u of %u items of its batch stored",
                          round, victim, stored, victim_ids->len);
          if (stored > 0 && stored < victim_ids->len)
            farm.killed_mid_batch++;
        }
      for (guint d = 0; d < farm.n_devices; d++)
        farm_sync_join (&farm, &farm.devices[d]);
      for (guint k = 0; k < farm.n_servers; k++)
        farm.faults_fired += bc_fault_proxy_get_faults_fired (farm.proxies[k]);
      for (guint d = 0; d < farm.n_devices; d++)
        {
          g_autofree char *who = g_strdup_printf ("device %u", d);

          bc_test_check_nothing_forgotten (farm.devices[d].workbook, farm.devices[d].reports, who,
                                           &tally);
        }

      farm_converge (&farm);

      /* The province returns one report of each device (to come back as
       * a second revision, through whichever server). */
      if (round + 1 < rounds)
        for (guint d = 0; d < farm.n_devices; d++)
          {
            BcTestTracked *report = g_ptr_array_index (farm.devices[d].reports,
                                                    g_rand_int_range (rand, 0, (gint32) farm.devices[d].reports->len));

            if (report->returned)
              continue;
            /* A report the workbook holds as sent that the server lacks is lost. */
            if (!bc_server_store_review (farm.store, BC_HARNESS_UNIT, report->id, "returned",
                                         "Bổ sung số liệu.", "Người duyệt", g_get_real_time (),
                                         &error))
              {
                g_assert_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_NOT_FOUND);
                g_test_message ("device %u: %s is not on the server", d, report->id);
                tally.losses++;
                g_clear_error (&error);
                continue;
              }
            report->returned = TRUE;
          }
    }
  /* Every device hears of the last returns. */
  farm_converge (&farm);
  farm_check_converged (&farm, &tally);

  g_test_message ("%u servers, %u devices, %u rounds in %.1f s: %u faults fired, %u syncs failed, "
                  "%u moves to another server, %u kills mid-batch, %u results not stored",
                  farm.n_servers, farm.n_devices, rounds, (g_get_monotonic_time () - start) / 1e6,
                  farm.faults_fired, farm.syncs_failed, farm.moves, farm.killed_mid_batch,
                  farm.not_stored);
  bc_test_tally_assert_clean (&tally);
  g_assert_cmpuint (farm.not_stored, ==, 0);
  g_assert_cmpuint (farm.faults_fired, >, 0);
  g_assert_cmpuint (farm.killed_mid_batch, >=, 1);

  for (guint d = 0; d < farm.n_devices; d++)
    {
      FarmDevice *device = &farm.devices[d];

      g_clear_object (&device->client);
      bc_workbook_close (device->workbook);
      g_clear_object (&device->workbook);
      g_ptr_array_unref (device->reports);
    }
  g_free (farm.devices);
  bc_server_store_free (farm.store);
  for (guint k = 0; k < farm.n_servers; k++)
    {
      bc_fault_proxy_stop (farm.proxies[k]);
      g_object_unref (farm.proxies[k]);
      bc_test_server_free (farm.servers[k]);
    }
  g_free (farm.servers);
  g_free (farm.alive);
  g_free (farm.proxies);
  g_strfreev (farm.urls);
  bc_test_remove_tree (dir);
}

/* The sequence gap of change feeds, made to happen: item "slow" is held at
 * its commit (a deferred trigger waits for a lock the test holds) while
 * "fast" is pushed from another connection and the feed is read. Whatever
 * the reader sees then, "slow" must still reach it after its cursor: a
 * store numbering changes before commit, without ordering the commits,
 * gives "fast" the higher seq, the cursor passes "slow", and it is lost. */
typedef struct {
  BcServerStore *store;
  const char    *report_id;
  gboolean       ok;
  GError        *error;
} GapPush;

static gpointer
gap_push_thread (gpointer data)
{
  GapPush *push = data;
  g_autoptr(JsonNode) node = make_item (push->report_id, "QNG-SONTINH", 1, 0, "1", "5");
  JsonObject *item = json_node_get_object (node);
  g_autofree char *content = json_to_string (json_object_get_member (item, "content"), FALSE);
  BcStorePushItem store_item = {
    .report_id = push->report_id, .revision = 1, .base_revision = 0,
    .content_hash = json_object_get_string_member (item, "content_hash"), .content = content,
    .template_id = "egov-quarterly", .template_version = 1, .period = PERIOD,
  };
  BcStorePushResult result = { 0 };

  push->ok = bc_server_store_push (push->store, "QNG-SONTINH", NULL, &store_item,
                                   g_get_real_time (), &result, &push->error);
  bc_store_push_result_clear (&result);
  return NULL;
}

static guint
pg_count (PGconn     *conn,
          const char *sql)
{
  PGresult *res = PQexec (conn, sql);
  guint n;

  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  n = (guint) atoi (PQgetvalue (res, 0, 0));
  PQclear (res);
  return n;
}

static void
pg_exec (PGconn     *conn,
         const char *sql)
{
  PGresult *res = PQexec (conn, sql);

  if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  PQclear (res);
}

static gboolean
feed_has (JsonArray  *changes,
          const char *report_id)
{
  for (guint i = 0; i < json_array_get_length (changes); i++)
    if (g_strcmp0 (json_object_get_string_member_with_default (json_array_get_object_element (changes, i),
                                                               "report_id", NULL), report_id) == 0)
      return TRUE;
  return FALSE;
}

static void
test_feed_gap (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bc-server-gap-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) units = json_from_string (unit_json, &error);
  g_autoptr(JsonArray) before = NULL;
  g_autoptr(JsonArray) during = NULL;
  g_autoptr(JsonArray) after = NULL;
  GapPush slow = { 0 }, fast = { 0 };
  GThread *slow_thread, *fast_thread;
  BcServerStore *writer_a, *writer_b;
  PGconn *admin, *holder;
  gint64 cursor = 0;
  gint64 deadline;

  if (test_pg == NULL)
    {
      g_test_skip ("SQLite has one writer at a time: its commits come in seq order");
      return;
    }
  /* Two stores: two pools, as two server processes would have. */
  writer_a = open_test_store (dir, &error);
  g_assert_no_error (error);
  writer_b = open_test_store (dir, &error);
  g_assert_no_error (error);
  g_assert_true (bc_server_store_load_units (writer_a, json_object_get_array_member (json_node_get_object (units), "units"),
                                             g_get_real_time (), &error));
  g_assert_no_error (error);
  before = bc_server_store_changes (writer_a, "QNG-SONTINH", 0, 500, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (before); i++)
    cursor = MAX (cursor, json_object_get_int_member (json_array_get_object_element (before, i), "seq"));

  admin = PQconnectdb (store_uri (dir));
  pg_exec (admin, "CREATE FUNCTION pause_at_commit () RETURNS trigger LANGUAGE plpgsql AS"
                  " $$ BEGIN PERFORM pg_advisory_lock_shared (42, 42);"
                  " PERFORM pg_advisory_unlock_shared (42, 42); RETURN NULL; END $$");
  pg_exec (admin, "CREATE CONSTRAINT TRIGGER pause_slow AFTER INSERT ON changes"
                  " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
                  " WHEN (NEW.body LIKE '%\"report_id\":\"slow\"%')"
                  " EXECUTE FUNCTION pause_at_commit ()");
  holder = PQconnectdb (store_uri (dir));
  pg_exec (holder, "SELECT pg_advisory_lock (42, 42)");

  slow.store = writer_a;
  slow.report_id = "slow";
  slow_thread = g_thread_new ("slow", gap_push_thread, &slow);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (pg_count (admin, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                          " AND objid = 42 AND NOT granted") < 1)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (5000);
    }

  /* "fast" either commits (the store lets it pass "slow") or waits for
   * "slow" to commit first; either way, then read the feed. */
  fast.store = writer_b;
  fast.report_id = "fast";
  fast_thread = g_thread_new ("fast", gap_push_thread, &fast);
  deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline &&
         pg_count (admin, "SELECT count(*) FROM revisions WHERE report_id = 'fast'") == 0 &&
         pg_count (admin, "SELECT count(*) FROM pg_locks WHERE NOT granted") < 2)
    g_usleep (5000);
  during = bc_server_store_changes (writer_a, "QNG-SONTINH", cursor, 500, &error);
  g_assert_no_error (error);
  g_assert_false (feed_has (during, "slow"));
  for (guint i = 0; i < json_array_get_length (during); i++)
    cursor = MAX (cursor, json_object_get_int_member (json_array_get_object_element (during, i), "seq"));

  pg_exec (holder, "SELECT pg_advisory_unlock (42, 42)");
  g_thread_join (slow_thread);
  g_thread_join (fast_thread);
  g_assert_no_error (slow.error);
  g_assert_no_error (fast.error);
  g_assert_true (slow.ok && fast.ok);

  after = bc_server_store_changes (writer_a, "QNG-SONTINH", cursor, 500, &error);
  g_assert_no_error (error);
  g_assert_true (feed_has (during, "fast") || feed_has (after, "fast"));
  g_assert_true (feed_has (after, "slow"));

  PQfinish (holder);
  PQfinish (admin);
  bc_server_store_free (writer_a);
  bc_server_store_free (writer_b);
  bc_test_remove_tree (dir);
}

/* The admin binary with exactly these arguments; its standard output. */
static char *
run_exactly (int          expected_status,
             const char  *first,
             ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err_text = NULL;
  char *out = NULL;
  int status = 0;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("BAOCAO_SERVER"));
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err_text, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL) ? expected_status == 0 : expected_status != 0)
    g_error ("%s: expected exit %d, got %d; stderr: %s", first, expected_status, status, err_text);
  return out;
}

/* The table lines of an export's or import's summary. */
static char *
summary_tables (const char *out)
{
  const char *last = strrchr (g_strchomp ((char *) out), '\n');

  return g_strndup (out, last != NULL ? (gsize) (last - out) : 0);
}

/* export, then import into the other kind of store (SQLite → PostgreSQL
 * → SQLite when PostgreSQL runs; SQLite → SQLite otherwise): every table
 * reads back with the same count and hash, the reports list the same, and
 * a damaged file or a store in use is refused. */
static void
test_transfer (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *token = enrol (f, "son");
  g_autofree char *work = g_dir_make_tmp ("bc-server-transfer-XXXXXX", NULL);
  g_autofree char *file1 = g_build_filename (work, "one.json", NULL);
  g_autofree char *file2 = g_build_filename (work, "two.json", NULL);
  g_autofree char *damaged = g_build_filename (work, "damaged.json", NULL);
  g_autofree char *sqlite_dir = g_build_filename (work, "sqlite", NULL);
  g_autofree char *other_dir = g_build_filename (work, "other", NULL);
  g_autofree char *source_tables = NULL;
  g_autofree char *text = NULL;
  g_autofree char *plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) a1 = NULL;
  g_autoptr(JsonObject) a2 = NULL;
  g_autoptr(JsonObject) a3 = NULL;
  g_autoptr(JsonObject) b1 = NULL;
  g_autoptr(GString) damage = NULL;
  const char *source_kind = test_pg != NULL ? "--store" : "--data";
  const char *source = test_pg != NULL ? store_uri (f->dir) : f->dir;

  if (g_getenv ("BAOCAO_SERVER") == NULL)
    {
      g_test_skip ("BAOCAO_SERVER is not set");
      return;
    }
  a1 = push_one (f, token, make_item ("ta", "QNG-SONTINH", 1, 0, "1", "5"));
  a2 = push_one (f, token, make_item ("ta", "QNG-SONTINH", 2, 1, "2", "6"));
  a3 = push_one (f, token, make_item ("ta", "QNG-SONTINH", 3, 1, "3", "7"));   /* a conflict */
  b1 = push_one (f, token, make_item ("tb", "QNG-SONTINH", 1, 0, "1", "8"));
  g_assert_cmpstr (json_object_get_string_member (a3, "result"), ==, "conflict");
  g_assert_true (bc_server_store_review (f->store, "QNG-SONTINH", "tb", "returned", "Bổ sung.", "A",
                                         g_get_real_time (), &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (BUILD_TEMPLATEDIR "/qng-kh-61-2019.plan.json", &plan, NULL, NULL));
  g_assert_true (bc_server_store_publish_plan (f->store, "qng-kh-61-2019", plan, &error));
  g_assert_no_error (error);

  {
    g_autofree char *out = run_exactly (0, "export", file1, source_kind, source, NULL);

    source_tables = summary_tables (out);
    g_assert_nonnull (strstr (source_tables, "revisions"));
    g_free (run_exactly (1, "export", file1, source_kind, source, NULL));
  }

  /* Into SQLite. */
  {
    g_autofree char *in = run_exactly (0, "import", file1, "--data", sqlite_dir, NULL);
    g_autofree char *out = run_exactly (0, "export", file2, "--data", sqlite_dir, NULL);
    g_autofree char *in_tables = summary_tables (in);
    g_autofree char *out_tables = summary_tables (out);

    g_assert_cmpstr (in_tables, ==, source_tables);
    g_assert_cmpstr (out_tables, ==, source_tables);
    g_free (run_exactly (1, "import", file1, "--data", sqlite_dir, NULL));
  }
  /* The published plan moved with the feed. */
  {
    g_autoptr(BcServerStore) moved = bc_server_store_open_sqlite (sqlite_dir, &error);
    g_autofree char *definition = NULL;

    g_assert_no_error (error);
    definition = bc_server_store_get_plan (moved, "qng-kh-61-2019", &error);
    g_assert_no_error (error);
    g_assert_nonnull (definition);
  }
  /* And from there into PostgreSQL. */
  if (test_pg != NULL)
    {
      g_autofree char *in = run_exactly (0, "import", file2, "--store", store_uri (other_dir), NULL);
      g_autofree char *in_tables = summary_tables (in);
      g_autoptr(JsonNode) before = admin_json (f->dir, "reports", "list", NULL);
      g_autoptr(JsonNode) after = admin_json (other_dir, "reports", "list", NULL);
      g_autofree char *before_text = json_to_string (before, FALSE);
      g_autofree char *after_text = json_to_string (after, FALSE);

      g_assert_cmpstr (in_tables, ==, source_tables);
      g_assert_cmpstr (after_text, ==, before_text);
    }

  /* One changed character, and the file is refused. */
  g_assert_true (g_file_get_contents (file1, &text, NULL, NULL));
  damage = g_string_new (text);
  g_assert_cmpuint (g_string_replace (damage, "\"Bổ sung.\"", "\"Bỏ sung.\"", 0), >, 0);
  g_assert_true (g_file_set_contents (damaged, damage->str, -1, NULL));
  {
    g_autofree char *fresh = g_build_filename (work, "fresh", NULL);

    g_free (run_exactly (1, "import", damaged, "--data", fresh, NULL));
  }
  bc_test_remove_tree (work);
}

/* A data directory written by a newer server is refused, not misread. */
static void
test_store_newer_schema (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bc-server-schema-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "server.db", NULL);
  g_autofree char *fresh = g_build_filename (dir, "fresh", NULL);
  g_autoptr(GError) error = NULL;
  BcServerStore *store = open_test_store (dir, &error);

  g_assert_no_error (error);
  bc_server_store_free (store);
  if (test_pg == NULL)
    {
      sqlite3 *db = NULL;

      g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
      sqlite3_close (db);
    }
  else
    {
      PGconn *conn = PQconnectdb (store_uri (dir));
      PGresult *res = PQexec (conn, "UPDATE meta SET value = '99' WHERE key = 'schema_version'");

      g_assert_cmpint (PQresultStatus (res), ==, PGRES_COMMAND_OK);
      g_assert_cmpstr (PQcmdTuples (res), ==, "1");
      PQclear (res);
      PQfinish (conn);
    }
  store = open_test_store (dir, &error);
  g_assert_null (store);
  g_assert_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_VERSION);

  /* `migrate` and `serve` refuse it too (serve exits at once, before it
   * listens); migrate brings an empty store to the schema. */
  if (g_getenv ("BAOCAO_SERVER") != NULL)
    {
      g_autofree char *out = NULL;

      g_free (run_admin (1, dir, "migrate", NULL));
      g_free (run_admin (1, dir, "serve", "--listen", "127.0.0.1:0", NULL));
      g_free (run_admin (0, fresh, "migrate", NULL));
      out = run_admin (0, fresh, "users", "list", NULL);
    }
  bc_test_remove_tree (dir);
}

static gpointer
send_and_close_thread (gpointer data)
{
  Raw *raw = data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", raw->port, NULL, NULL);
  g_assert_nonnull (connection);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                            raw->request, strlen (raw->request), NULL, NULL, NULL));
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  g_atomic_int_set (&raw->done, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

static gboolean
flag_true (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* A client that hangs up while its request is in a worker thread: the
 * answer has nowhere to go, and the server carries on. */
static void
test_client_gone (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GUri) uri = g_uri_parse (f->url, G_URI_FLAGS_NONE, NULL);
  const char *body = "{\"user\": \"son\", \"password\": \"" PASSWORD "\", \"device\": \"d\"}";
  g_autofree char *request = g_strdup_printf ("POST /api/v1/enrol HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                              "Baocao-Protocol: 1\r\nContent-Type: application/json\r\n"
                                              "Content-Length: %zu\r\n\r\n%s", strlen (body), body);
  g_autoptr(Reply) info = NULL;
  gboolean seen_pending = FALSE;
  gboolean timed_out = FALSE;
  guint timeout;

  for (guint i = 0; i < 3; i++)
    {
      Raw raw = { (guint16) g_uri_get_port (uri), request, NULL, 0, 0 };
      GThread *thread = g_thread_new ("gone", send_and_close_thread, &raw);

      while (!g_atomic_int_get (&raw.done))
        g_main_context_iteration (NULL, TRUE);
      g_thread_join (thread);
    }
  /* Let the server read them, work on them, and find nobody to answer. */
  timeout = g_timeout_add (3000, flag_true, &timed_out);
  while (!timed_out && !(seen_pending && bc_server_get_n_pending (f->server) == 0))
    {
      g_main_context_iteration (NULL, TRUE);
      seen_pending |= bc_server_get_n_pending (f->server) > 0;
    }
  /* The flag lives on this stack: the timeout must not outlive it. */
  if (!timed_out)
    g_source_remove (timeout);
  g_assert_true (seen_pending);
  g_assert_cmpuint (bc_server_get_n_pending (f->server), ==, 0);
  info = call (f, "GET", "/api/v1/info", NULL, NULL, 0);
  g_assert_cmpuint (info->status, ==, 200);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *missing = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  if (g_strcmp0 (g_getenv ("BC_TEST_STORE"), "postgresql") == 0)
    {
      test_pg = bc_test_pg_start (TRUE, &missing);
      if (test_pg == NULL)
        {
          /* TAP: the whole plan skipped, with the reason. */
          printf ("1..0 # SKIP %s\n", missing);
          return 0;
        }
      test_pg_uris = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    }

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/server/info", test_info);
  ADD ("/server/protocol", test_protocol);
  ADD ("/server/enrol", test_enrol);
  ADD ("/server/enrol/limit", test_enrol_limit);
  ADD ("/server/push/exactly-once", test_push_exactly_once);
  ADD ("/server/push/refused", test_push_refused);
  ADD ("/server/push/concurrent", test_push_concurrent);
  ADD ("/server/changes", test_changes);
  ADD ("/server/changes/plan", test_changes_plan);
  ADD ("/server/limits/too-large", test_too_large);
  ADD ("/server/client-gone", test_client_gone);
  ADD ("/server/limits/depth", test_depth);
  ADD ("/server/limits/rate", test_rate_limit);
  ADD ("/server/limits/gzip", test_gzip);
  ADD ("/server/authorisation", test_authorisation);
  ADD ("/server/transfer", test_transfer);
#undef ADD
  g_test_add_func ("/server/tls", test_tls);
  g_test_add_func ("/server/store/newer-schema", test_store_newer_schema);
  g_test_add_func ("/server/admin", test_admin);
  g_test_add_func ("/server/feed/gap", test_feed_gap);
  g_test_add_data_func ("/server/processes/2", GUINT_TO_POINTER (2), test_processes);
  g_test_add_data_func ("/server/processes/4", GUINT_TO_POINTER (4), test_processes);
  g_test_add_data_func ("/server/processes/faults/2", GUINT_TO_POINTER (2), test_processes_faults);
  g_test_add_data_func ("/server/processes/faults/4", GUINT_TO_POINTER (4), test_processes_faults);

  status = g_test_run ();
  g_clear_pointer (&test_pg, bc_test_pg_stop);
  g_clear_pointer (&test_pg_uris, g_hash_table_unref);
  return status;
}
