/* bc-server-store-pg.c: the store on PostgreSQL (libpq), shared by several servers.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same tables and guarantees as the SQLite store, for a database that
 * several baocao-server processes use at once. Each function takes a
 * connection from a small pool (one per worker thread at most), runs one
 * transaction in READ COMMITTED and gives the connection back.
 *
 * Two kinds of transaction-scoped advisory locks order the writers of all
 * processes:
 *  - a report's lock (class 2, a hash of unit and report id) around the
 *    whole push of one item or a review, so that the same item sent to two
 *    servers at once is stored once and the other answer is the replay;
 *  - the feed's lock (class 1, key 1), taken just before a transaction
 *    numbers its receipt and its change and held until its commit. Numbers
 *    are max + 1 under it, so they are gap-free and in commit order: a
 *    reader can never see seq N + 1 while N is still to come, which is
 *    what keeps pull cursors from skipping an item (docs/server.md).
 */
#define G_LOG_DOMAIN "bc-server-store"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libpq-fe.h>

#include "bc-server-store.h"
#include "bc-wire.h"

#define SCHEMA_VERSION 1
#define MAX_IDLE_CONNECTIONS 16

#define LOCK_CLASS_STORE  1   /* key 0: migrations; key 1: the feed */
#define LOCK_CLASS_REPORT 2

typedef struct {
  BcServerStore  parent;
  char          *uri;
  GMutex         lock;
  GQueue         idle;   /* PGconn*, each idle outside a transaction */
} BcPgStore;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

static const char schema_v1[] =
  "CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);"
  "CREATE TABLE units (code text PRIMARY KEY, name text NOT NULL, level text NOT NULL,"
  "  parent text, valid_from text, valid_to text, position integer NOT NULL);"
  "CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE,"
  "  unit text NOT NULL, password_hash text NOT NULL, created_at bigint NOT NULL);"
  "CREATE TABLE devices (id text PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id),"
  "  name text NOT NULL, token_hash text NOT NULL UNIQUE, created_at bigint NOT NULL,"
  "  last_seen bigint NOT NULL DEFAULT 0, revoked_at bigint NOT NULL DEFAULT 0);"
  "CREATE TABLE templates (template text NOT NULL, version bigint NOT NULL,"
  "  definition text NOT NULL, published_at bigint NOT NULL, PRIMARY KEY (template, version));"
  "CREATE TABLE reports (unit text NOT NULL, report_id text NOT NULL,"
  "  current_revision bigint NOT NULL, state text NOT NULL, template text NOT NULL,"
  "  template_version bigint NOT NULL, period text NOT NULL,"
  "  PRIMARY KEY (unit, report_id));"
  "CREATE INDEX reports_by_id ON reports (report_id);"
  "CREATE INDEX reports_by_period ON reports (period, unit);"
  "CREATE TABLE revisions (unit text NOT NULL, report_id text NOT NULL,"
  "  revision bigint NOT NULL, content_hash text NOT NULL, content text NOT NULL,"
  "  conflict boolean NOT NULL, server_revision bigint NOT NULL,"
  "  receipt bigint NOT NULL UNIQUE, receipt_number text NOT NULL,"
  "  received_at bigint NOT NULL, device_id text,"
  "  PRIMARY KEY (unit, report_id, revision));"
  "CREATE TABLE reviews (id bigserial PRIMARY KEY, unit text NOT NULL, report_id text NOT NULL,"
  "  revision bigint NOT NULL, decision text NOT NULL, comment text, reviewer text,"
  "  decided_at bigint NOT NULL);"
  /* seq is numbered under the feed's lock, not by a sequence: see above. */
  "CREATE TABLE changes (seq bigint PRIMARY KEY, kind text NOT NULL,"
  "  unit text, body text NOT NULL);"
  "CREATE INDEX changes_by_unit ON changes (unit, seq);";

static BcPgStore *
PG_STORE (BcServerStore *store)
{
  return (BcPgStore *) store;
}

/* Lock timeouts, serialisation failures, deadlocks and a lost connection
 * are worth a retry: BUSY, which the server answers 503. */
static gboolean
fail (PGconn          *conn,
      const PGresult  *res,
      GError         **error)
{
  const char *state = res != NULL ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;
  const char *message = res != NULL ? PQresultErrorMessage (res) : PQerrorMessage (conn);
  g_autofree char *text = g_strstrip (g_strdup (message != NULL && *message ? message
                                                                            : PQerrorMessage (conn)));
  gboolean busy = state == NULL || g_str_has_prefix (state, "40") ||
                  g_str_has_prefix (state, "08") || g_str_equal (state, "55P03") ||
                  g_str_equal (state, "57014") || g_str_has_prefix (state, "57P") ||
                  PQstatus (conn) != CONNECTION_OK;

  g_set_error (error, BC_SERVER_STORE_ERROR,
               busy ? BC_SERVER_STORE_ERROR_BUSY : BC_SERVER_STORE_ERROR_FAILED,
               _("The server's database failed: %s"), text);
  return FALSE;
}

static gboolean
is_state (const PGresult *res,
          const char     *state)
{
  return res != NULL && g_strcmp0 (PQresultErrorField (res, PG_DIAG_SQLSTATE), state) == 0;
}

/* One statement with text parameters (NULL is SQL NULL). NULL on failure,
 * with `*failed` holding the result for is_state() when asked for. */
static PGresult *
query_full (PGconn             *conn,
            const char         *sql,
            int                 n_params,
            const char * const *params,
            PGresult          **failed,
            GError            **error)
{
  PGresult *res;
  ExecStatusType status;

  if (conn == NULL)   /* acquire() failed and said why */
    return NULL;
  res = PQexecParams (conn, sql, n_params, NULL, params, NULL, NULL, 0);
  status = res != NULL ? PQresultStatus (res) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
    return res;
  fail (conn, res, error);
  if (failed != NULL)
    *failed = res;
  else
    PQclear (res);
  return NULL;
}

static PGresult *
query (PGconn             *conn,
       const char         *sql,
       int                 n_params,
       const char * const *params,
       GError            **error)
{
  return query_full (conn, sql, n_params, params, NULL, error);
}

/* Statements without parameters, several at once (the simple protocol). */
static gboolean
exec (PGconn      *conn,
      const char  *sql,
      GError     **error)
{
  g_autoptr(PGresult) res = NULL;
  ExecStatusType status;

  if (conn == NULL)
    return FALSE;
  res = PQexec (conn, sql);
  status = res != NULL ? PQresultStatus (res) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
    return TRUE;
  return fail (conn, res, error);
}

static void
rollback (PGconn *conn)
{
  if (conn != NULL && PQtransactionStatus (conn) != PQTRANS_IDLE)
    PQclear (PQexec (conn, "ROLLBACK"));
}

static gboolean
commit (PGconn  *conn,
        GError **error)
{
  if (!exec (conn, "COMMIT", error))
    {
      rollback (conn);
      return FALSE;
    }
  return TRUE;
}

static char *
int_text (gint64 value)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

static gint64
get_int (const PGresult *res,
         int             row,
         int             column)
{
  return g_ascii_strtoll (PQgetvalue (res, row, column), NULL, 10);
}

static char *
get_dup (const PGresult *res,
         int             row,
         int             column)
{
  return PQgetisnull (res, row, column) ? NULL : g_strdup (PQgetvalue (res, row, column));
}

static gboolean
get_bool (const PGresult *res,
          int             row,
          int             column)
{
  return PQgetvalue (res, row, column)[0] == 't';
}

/* The pool */

static PGconn *
connect_new (BcPgStore  *self,
             GError    **error)
{
  /* connect_timeout first: one in the URI overrides it. */
  const char *keywords[] = { "connect_timeout", "application_name", "dbname", NULL };
  const char *values[] = { "10", "baocao-server", self->uri, NULL };
  PGconn *conn = PQconnectdbParams (keywords, values, 1);

  if (conn == NULL || PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *text = g_strstrip (g_strdup (conn != NULL ? PQerrorMessage (conn) : ""));

      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_BUSY,
                   _("Cannot connect to the database %s: %s"), self->uri, text);
      PQfinish (conn);
      return NULL;
    }
  /* Every commit durable at return (sync() is then a no-op); waits for a
   * lock bounded like SQLite's busy timeout; nothing runs for ever. */
  if (!exec (conn, "SET synchronous_commit = on; SET lock_timeout = '5s';"
                   " SET statement_timeout = '60s'; SET client_min_messages = warning;"
                   " SET default_transaction_isolation = 'read committed'", error))
    {
      PQfinish (conn);
      return NULL;
    }
  return conn;
}

static PGconn *
acquire (BcPgStore  *self,
         GError    **error)
{
  PGconn *conn;

  g_mutex_lock (&self->lock);
  conn = g_queue_pop_head (&self->idle);
  g_mutex_unlock (&self->lock);
  /* A connection lost while idle (the database restarted, a failover) is
   * replaced by a new one with the session's settings. */
  if (conn != NULL && PQstatus (conn) != CONNECTION_OK)
    g_clear_pointer (&conn, PQfinish);
  if (conn == NULL)
    conn = connect_new (self, error);
  return conn;
}

static void
release (BcPgStore *self,
         PGconn    *conn)
{
  if (conn == NULL)
    return;
  rollback (conn);
  g_mutex_lock (&self->lock);
  if (PQstatus (conn) == CONNECTION_OK && self->idle.length < MAX_IDLE_CONNECTIONS)
    {
      g_queue_push_head (&self->idle, conn);
      conn = NULL;
    }
  g_mutex_unlock (&self->lock);
  if (conn != NULL)
    PQfinish (conn);
}

typedef struct {
  BcPgStore *store;
  PGconn    *conn;
} Borrowed;

static void
borrowed_release (Borrowed *borrowed)
{
  release (borrowed->store, borrowed->conn);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Borrowed, borrowed_release)

/* A declaration: when no connection can be had, `error` is set and every
 * statement on the NULL connection fails without touching it again. */
#define BORROW(name, self, error) \
  g_auto(Borrowed) name = { (self), acquire ((self), (error)) }

static gboolean
lock_feed (PGconn  *conn,
           GError **error)
{
  return exec (conn, "SELECT pg_advisory_xact_lock (1, 1)", error);
}

static gboolean
lock_report (PGconn      *conn,
             const char  *unit,
             const char  *report_id,
             GError     **error)
{
  const char *params[] = { unit, report_id };
  g_autoptr(PGresult) res = query (conn, "SELECT pg_advisory_xact_lock (2, hashtext ($1 || '/' || $2))",
                                   2, params, error);

  return res != NULL;
}

/* Call with the feed's lock held; commit soon after. */
static gboolean
add_change (PGconn      *conn,
            const char  *kind,
            const char  *unit,
            JsonNode    *body,
            GError     **error)
{
  g_autofree char *text = json_to_string (body, FALSE);
  const char *params[] = { kind, unit, text };
  g_autoptr(PGresult) res = query (conn, "INSERT INTO changes (seq, kind, unit, body)"
                                         " SELECT coalesce (max (seq), 0) + 1, $1, $2, $3"
                                         " FROM changes", 3, params, error);

  return res != NULL;
}

/* Migrations: one step per version, each in the transaction that records
 * the new version in meta.schema_version. Servers starting at once wait
 * for each other on the migration lock. */
static gboolean
migrate (BcPgStore  *self,
         PGconn     *conn,
         GError    **error)
{
  g_autoptr(PGresult) exists = NULL;
  g_autoptr(PGresult) version_row = NULL;
  int version = 0;

  if (!exec (conn, "BEGIN", error))
    return FALSE;
  if (!exec (conn, "SELECT pg_advisory_xact_lock (1, 0)", error))
    goto failed;
  exists = query (conn, "SELECT to_regclass ('meta') IS NOT NULL", 0, NULL, error);
  if (exists == NULL)
    goto failed;
  if (get_bool (exists, 0, 0))
    {
      version_row = query (conn, "SELECT value FROM meta WHERE key = 'schema_version'", 0, NULL,
                           error);
      if (version_row == NULL)
        goto failed;
      version = PQntuples (version_row) > 0 ? (int) get_int (version_row, 0, 0) : 0;
    }
  if (version > SCHEMA_VERSION)
    {
      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_VERSION,
                   _("The data in %s was written by a newer baocao-server (schema %d; this one knows %d). Run the newer server, or restore a backup."),
                   self->uri, version, SCHEMA_VERSION);
      goto failed;
    }
  if (version < 1)
    {
      g_autofree char *server_id = g_uuid_string_random ();
      g_autofree char *sql = g_strdup_printf ("INSERT INTO meta VALUES ('server_id', '%s'),"
                                              " ('schema_version', '1');", server_id);

      if (!exec (conn, schema_v1, error) || !exec (conn, sql, error))
        goto failed;
    }
  /* Later versions: if (version < 2) { ALTER …; UPDATE meta SET value = '2' …; } */
  return commit (conn, error);

failed:
  rollback (conn);
  return FALSE;
}

static void
pg_free (BcServerStore *store)
{
  BcPgStore *self = PG_STORE (store);
  PGconn *conn;

  while ((conn = g_queue_pop_head (&self->idle)) != NULL)
    PQfinish (conn);
  g_mutex_clear (&self->lock);
  g_free (self->uri);
  g_free (self);
}

static char *
pg_get_meta (BcServerStore *store, const char *key, GError **error)
{
  BORROW (b, PG_STORE (store), error);
  const char *params[] = { key };
  g_autoptr(PGresult) res = query (b.conn, "SELECT value FROM meta WHERE key = $1", 1, params, error);

  if (res == NULL || PQntuples (res) == 0)
    return NULL;
  return get_dup (res, 0, 0);
}

static gboolean
pg_set_meta (BcServerStore *store, const char *key, const char *value, GError **error)
{
  BORROW (b, PG_STORE (store), error);
  const char *params[] = { key, value };
  g_autoptr(PGresult) res = query (b.conn, "INSERT INTO meta VALUES ($1, $2)"
                                           " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                   2, params, error);

  return res != NULL;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  return json_node_get_string (node);
}

static gboolean
pg_load_units (BcServerStore *store, JsonArray *units, gint64 now, GError **error)
{
  BORROW (b, PG_STORE (store), error);
  g_autoptr(GHashTable) codes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(PGresult) used = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  for (guint i = 0; i < json_array_get_length (units); i++)
    g_hash_table_add (codes, (gpointer) member_string (json_array_get_object_element (units, i),
                                                       "code"));

  if (!exec (b.conn, "BEGIN", error) || !lock_feed (b.conn, error))
    goto failed;

  /* A unit that has sent reports or has accounts keeps existing. */
  used = query (b.conn, "SELECT unit FROM reports UNION SELECT unit FROM users", 0, NULL, error);
  if (used == NULL)
    goto failed;
  for (int r = 0; r < PQntuples (used); r++)
    {
      const char *code = PQgetvalue (used, r, 0);

      if (!g_hash_table_contains (codes, code))
        {
          g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_INVALID,
                       _("Unit %s has reports or accounts on this server and cannot be left out of the list. Keep it, with a valid_to date if it was merged or closed."),
                       code);
          goto failed;
        }
    }

  if (!exec (b.conn, "DELETE FROM units", error))
    goto failed;
  for (guint i = 0; i < json_array_get_length (units); i++)
    {
      JsonObject *unit = json_array_get_object_element (units, i);
      g_autofree char *position = int_text (i);
      const char *params[] = {
        member_string (unit, "code"), member_string (unit, "name"), member_string (unit, "level"),
        member_string (unit, "parent"), member_string (unit, "valid_from"),
        member_string (unit, "valid_to"), position,
      };
      g_autoptr(PGresult) res = query (b.conn, "INSERT INTO units VALUES ($1, $2, $3, $4, $5, $6, $7)",
                                       7, params, error);

      if (res == NULL)
        goto failed;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, "units");
  json_builder_set_member_name (builder, "units");
  json_builder_add_value (builder, json_node_init_array (json_node_alloc (), units));
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  if (!add_change (b.conn, "units", NULL, body, error))
    goto failed;
  return commit (b.conn, error);

failed:
  rollback (b.conn);
  return FALSE;
}

static JsonArray *
pg_list_units (BcServerStore *store, GError **error)
{
  BORROW (b, PG_STORE (store), error);
  g_autoptr(PGresult) res = NULL;
  g_autoptr(JsonArray) units = json_array_new ();
  static const char *names[] = { "code", "name", "level", "parent", "valid_from", "valid_to" };

  res = query (b.conn, "SELECT code, name, level, parent, valid_from, valid_to FROM units"
                       " ORDER BY position", 0, NULL, error);
  if (res == NULL)
    return NULL;
  for (int r = 0; r < PQntuples (res); r++)
    {
      JsonObject *unit = json_object_new ();

      for (guint c = 0; c < G_N_ELEMENTS (names); c++)
        {
          if (PQgetisnull (res, r, (int) c))
            json_object_set_null_member (unit, names[c]);
          else
            json_object_set_string_member (unit, names[c], PQgetvalue (res, r, (int) c));
        }
      json_array_add_object_element (units, unit);
    }
  return g_steal_pointer (&units);
}

static gboolean
pg_add_user (BcServerStore *store, const char *name, const char *unit,
             const char *password_hash, gint64 now, GError **error)
{
  BORROW (b, PG_STORE (store), error);
  g_autofree char *created = int_text (now);
  const char *params[] = { name, unit, password_hash, created };
  g_autoptr(PGresult) failed = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PGresult) res = query_full (b.conn, "INSERT INTO users (name, unit, password_hash, created_at)"
                                                " VALUES ($1, $2, $3, $4)", 4, params,
                                        &failed, &local_error);

  if (res != NULL)
    return TRUE;
  if (b.conn == NULL)
    return FALSE;
  if (is_state (failed, "23505"))
    {
      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_EXISTS,
                   _("There is already an account named %s."), name);
      return FALSE;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

#define USER_COLUMNS "SELECT u.id, u.name, u.unit, u.password_hash, u.created_at," \
  " (SELECT count(*) FROM devices d WHERE d.user_id = u.id AND d.revoked_at = 0) FROM users u"

static BcStoreUser *
user_from_row (const PGresult *res,
               int             r)
{
  BcStoreUser *user = g_new0 (BcStoreUser, 1);

  user->id = get_int (res, r, 0);
  user->name = get_dup (res, r, 1);
  user->unit = get_dup (res, r, 2);
  user->password_hash = get_dup (res, r, 3);
  user->created_at = get_int (res, r, 4);
  user->n_devices = (guint) get_int (res, r, 5);
  return user;
}

static BcStoreUser *
pg_find_user (BcServerStore *store, const char *name, GError **error)
{
  BORROW (b, PG_STORE (store), error);
  const char *params[] = { name };
  g_autoptr(PGresult) res = query (b.conn, USER_COLUMNS " WHERE u.name = $1", 1, params, error);

  if (res == NULL || PQntuples (res) == 0)
    return NULL;
  return user_from_row (res, 0);
}

static GPtrArray *
pg_list_users (BcServerStore *store, GError **error)
{
  BORROW (b, PG_STORE (store), error);
  g_autoptr(PGresult) res = query (b.conn, USER_COLUMNS " ORDER BY u.name", 0, NULL, error);
  GPtrArray *users;

  if (res == NULL)
    return NULL;
  users = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_store_user_free);
  for (int r = 0; r < PQntuples (res); r++)
    g_ptr_array_add (users, user_from_row (res, r));
  return users;
}

static char *
pg_add_device (BcServerStore *store, gint64 user_id, const char *name,
               const char *token_hash, gint64 now, GError **error)
{
  BORROW (b, PG_STORE (store), error);
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *user = int_text (user_id);
  g_autofree char *created = int_text (now);
  const char *params[] = { id, user, name, token_hash, created };
  g_autoptr(PGresult) res = query (b.conn, "INSERT INTO devices (id, user_id, name, token_hash, created_at)"
                                           " VALUES ($1, $2, $3, $4, $5)", 5, params, error);

  if (res == NULL)
    return NULL;
  return g_steal_pointer (&id);
}

#define DEVICE_COLUMNS "SELECT d.id, d.name, u.name, u.unit, d.created_at, d.last_seen," \
  " d.revoked_at FROM devices d JOIN users u ON u.id = d.user_id"

static BcStoreDevice *
device_from_row (const PGresult *res,
                 int             r)
{
  BcStoreDevice *device = g_new0 (BcStoreDevice, 1);

  device->id = get_dup (res, r, 0);
  device->name = get_dup (res, r, 1);
  device->user = get_dup (res, r, 2);
  device->unit = get_dup (res, r, 3);
  device->created_at = get_int (res, r, 4);
  device->last_seen = get_int (res, r, 5);
  device->revoked_at = get_int (res, r, 6);
  return device;
}

static BcStoreDevice *
pg_find_token (BcServerStore *store, const char *token_hash, gint64 now, GError **error)
{
  BORROW (b, PG_STORE (store), error);
  const char *params[] = { token_hash };
  g_autoptr(PGresult) res = query (b.conn, DEVICE_COLUMNS " WHERE d.token_hash = $1"
                                           " AND d.revoked_at = 0", 1, params, error);
  BcStoreDevice *device;

  if (res == NULL || PQntuples (res) == 0)
    return NULL;
  device = device_from_row (res, 0);

  /* Last seen to the minute; a failure here does not refuse the request. */
  if (now - device->last_seen > 60 * G_USEC_PER_SEC)
    {
      g_autofree char *seen = int_text (now);
      const char *touch[] = { seen, device->id };

      PQclear (query (b.conn, "UPDATE devices SET last_seen = $1 WHERE id = $2", 2, touch, NULL));
    }
  return device;
}

static gboolean
pg_revoke_device (BcServerStore *store, const char *device_id, gint64 now, GError **error)
{
  BORROW (b, PG_STORE (store), error);
  g_autofree char *revoked = int_text (now);
  const char *params[] = { revoked, device_id };
  g_autoptr(PGresult) res = query (b.conn, "UPDATE devices SET revoked_at = $1"
                                           " WHERE id = $2 AND revoked_at = 0", 2, params, error);

  if (res == NULL)
    return FALSE;
  if (g_str_equal (PQcmdTuples (res), "0"))
    {
      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_NOT_FOUND,
                   _("There is no active device %s. See `baocao-server devices list`."),
                   device_id);
      return FALSE;
    }
  return TRUE;
}

/* bundles: the key of an active device (NULL, no error, when there is none) */
static char *
pg_device_token_hash (BcServerStore *store, const char *device_id, GError **error)
{
  BORROW (b, PG_STORE (store), error);
  const char *params[] = { device_id };
  g_autoptr(PGresult) res = query (b.conn, "SELECT token_hash FROM devices"
                                           " WHERE id = $1 AND revoked_at = 0", 1, params, error);

  if (res == NULL || PQntuples (res) == 0)
    return NULL;
  return get_dup (res, 0, 0);
}

static GPtrArray *
pg_list_devices (BcServerStore *store, GError **error)
{
  BORROW (b, PG_STORE (store), error);
  g_autoptr(PGresult) res = query (b.conn, DEVICE_COLUMNS " ORDER BY u.name, d.created_at",
                                   0, NULL, error);
  GPtrArray *devices;

  if (res == NULL)
    return NULL;
  devices = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_store_device_free);
  for (int r = 0; r < PQntuples (res); r++)
    g_ptr_array_add (devices, device_from_row (res, r));
  return devices;
}

static gboolean
pg_publish_template (BcServerStore *store, const char *template_id, gint64 version,
                     const char *definition, gint64 now, GError **error)
{
  BORROW (b, PG_STORE (store), error);
  g_autofree char *version_text = int_text (version);
  g_autofree char *published = int_text (now);
  const char *find_params[] = { template_id, version_text };
  const char *insert_params[] = { template_id, version_text, definition, published };
  g_autoptr(PGresult) find = NULL;
  g_autoptr(PGresult) insert = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, definition, -1, error))
    return FALSE;
  if (!exec (b.conn, "BEGIN", error) || !lock_feed (b.conn, error))
    goto failed;
  find = query (b.conn, "SELECT definition FROM templates WHERE template = $1 AND version = $2",
                2, find_params, error);
  if (find == NULL)
    goto failed;
  if (PQntuples (find) > 0)
    {
      gboolean same = g_str_equal (PQgetvalue (find, 0, 0), definition);

      rollback (b.conn);
      if (same)
        return TRUE;
      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_EXISTS,
                   _("Version %d of template %s is already published with other content. Publish the change as a new version."),
                   (int) version, template_id);
      return FALSE;
    }
  insert = query (b.conn, "INSERT INTO templates VALUES ($1, $2, $3, $4)", 4, insert_params, error);
  if (insert == NULL)
    goto failed;

  body = _bc_server_store_published_change ("template", template_id, version,
                                            json_parser_get_root (parser));
  if (!add_change (b.conn, "template", NULL, body, error))
    goto failed;
  return commit (b.conn, error);

failed:
  rollback (b.conn);
  return FALSE;
}

static char *
pg_get_template (BcServerStore *store, const char *template_id, gint64 version, GError **error)
{
  BORROW (b, PG_STORE (store), error);
  g_autofree char *version_text = int_text (version);
  const char *params[] = { template_id, version_text };
  g_autoptr(PGresult) res = query (b.conn, "SELECT definition FROM templates"
                                           " WHERE template = $1 AND version = $2",
                                   2, params, error);

  if (res == NULL || PQntuples (res) == 0)
    return NULL;
  return get_dup (res, 0, 0);
}

/* The definitions published under `plan_id` (NULL: every plan's), from
 * the feed (a plan has no table: its change is its record), in the order
 * published; NULL on error. */
static JsonArray *
scan_plans (PGconn      *conn,
            const char  *plan_id,
            GError     **error)
{
  g_autoptr(PGresult) res = query (conn, "SELECT body FROM changes WHERE kind = 'plan'"
                                         " AND unit IS NULL ORDER BY seq", 0, NULL, error);
  JsonArray *found;

  if (res == NULL)
    return NULL;
  found = json_array_new ();
  for (int r = 0; r < PQntuples (res); r++)
    {
      JsonNode *definition = _bc_server_store_plan_definition (PQgetvalue (res, r, 0), plan_id);

      if (definition != NULL)
        json_array_add_element (found, definition);
    }
  return found;
}

static gboolean
pg_publish_plan (BcServerStore *store, const char *plan_id, JsonNode *definition, GError **error)
{
  BORROW (b, PG_STORE (store), error);
  g_autoptr(JsonArray) published = NULL;
  g_autoptr(JsonNode) body = NULL;

  if (b.conn == NULL)
    return FALSE;
  if (!exec (b.conn, "BEGIN", error) || !lock_feed (b.conn, error))
    goto failed;
  published = scan_plans (b.conn, plan_id, error);
  if (published == NULL)
    goto failed;
  if (json_array_get_length (published) > 0)
    {
      rollback (b.conn);
      if (json_node_equal (json_array_get_element (published, 0), definition))
        return TRUE;
      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_EXISTS,
                   _("The plan %s is already published with other content. A published plan is final: publish the changed plan under an id of its own."),
                   plan_id);
      return FALSE;
    }

  body = _bc_server_store_published_change ("plan", plan_id, 0, definition);
  if (!add_change (b.conn, "plan", NULL, body, error))
    goto failed;
  return commit (b.conn, error);

failed:
  rollback (b.conn);
  return FALSE;
}

static char *
pg_get_plan (BcServerStore *store, const char *plan_id, GError **error)
{
  BORROW (b, PG_STORE (store), error);
  g_autoptr(JsonArray) published = NULL;

  if (b.conn == NULL)
    return NULL;
  published = scan_plans (b.conn, plan_id, error);
  if (published == NULL || json_array_get_length (published) == 0)
    return NULL;
  return json_to_string (json_array_get_element (published, 0), FALSE);
}

static JsonArray *
pg_list_plans (BcServerStore *store, GError **error)
{
  BORROW (b, PG_STORE (store), error);

  if (b.conn == NULL)
    return NULL;
  return scan_plans (b.conn, NULL, error);
}

static JsonNode *
receipt_change (const char *report_id,
                gint64      revision,
                gboolean    conflict,
                const char *number,
                gint64      received_at)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *time = bc_wire_format_time (received_at);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, "receipt");
  json_builder_set_member_name (builder, "report_id");
  json_builder_add_string_value (builder, report_id);
  json_builder_set_member_name (builder, "revision");
  json_builder_add_int_value (builder, revision);
  json_builder_set_member_name (builder, "conflict");
  json_builder_add_boolean_value (builder, conflict);
  json_builder_set_member_name (builder, "receipt");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "number");
  json_builder_add_string_value (builder, number);
  json_builder_set_member_name (builder, "received_at");
  json_builder_add_string_value (builder, time);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
pg_push (BcServerStore *store, const char *unit, const char *device_id,
         const BcStorePushItem *item, gint64 now, BcStorePushResult *result,
         GError **error)
{
  BORROW (b, PG_STORE (store), error);
  PGconn *conn = b.conn;
  g_autofree char *revision = int_text (item->revision);
  const char *key[] = { unit, item->report_id, revision };
  g_autoptr(PGresult) held = NULL;
  g_autoptr(PGresult) report = NULL;
  g_autoptr(PGresult) insert = NULL;
  g_autoptr(PGresult) current = NULL;
  g_autoptr(JsonNode) change = NULL;
  gboolean has_current = FALSE;
  gint64 current_revision = 0;
  gboolean conflict;

  memset (result, 0, sizeof *result);
  if (!exec (conn, "BEGIN", error) || !lock_report (conn, unit, item->report_id, error))
    goto failed;

  /* Replay: this revision is held already. Under the report's lock, this
   * statement sees whatever another server committed for the same item. */
  held = query (conn, "SELECT content_hash, conflict, server_revision, receipt_number, received_at"
                      " FROM revisions WHERE unit = $1 AND report_id = $2 AND revision = $3",
                3, key, error);
  if (held == NULL)
    goto failed;
  if (PQntuples (held) > 0)
    {
      if (!g_str_equal (PQgetvalue (held, 0, 0), item->content_hash))
        result->outcome = BC_STORE_PUSH_REFUSED_REUSED;
      else
        {
          result->outcome = get_bool (held, 0, 1) ? BC_STORE_PUSH_CONFLICT : BC_STORE_PUSH_STORED;
          result->replayed = TRUE;
          result->server_revision = get_int (held, 0, 2);
          result->receipt_number = get_dup (held, 0, 3);
          result->received_at = get_int (held, 0, 4);
        }
      rollback (conn);
      return TRUE;
    }

  report = query (conn, "SELECT current_revision, state FROM reports"
                        " WHERE unit = $1 AND report_id = $2", 2, key, error);
  if (report == NULL)
    goto failed;
  if (PQntuples (report) > 0)
    {
      has_current = TRUE;
      current_revision = get_int (report, 0, 0);
      if (g_str_equal (PQgetvalue (report, 0, 1), "accepted"))
        {
          result->outcome = BC_STORE_PUSH_REFUSED_ACCEPTED;
          result->server_revision = current_revision;
          rollback (conn);
          return TRUE;
        }
    }
  conflict = has_current && current_revision != item->base_revision;

  result->outcome = conflict ? BC_STORE_PUSH_CONFLICT : BC_STORE_PUSH_STORED;
  result->server_revision = conflict ? current_revision : item->revision;
  result->received_at = now - now % G_USEC_PER_SEC;

  /* The report's row needs no number: written before the feed's lock,
   * under the report's own, so that less waits in line for the feed. */
  if (!conflict)
    {
      g_autofree char *template_version = int_text (item->template_version);
      const char *params[] = { unit, item->report_id, revision, item->template_id,
                               template_version, item->period };

      current = query (conn, has_current
                       ? "UPDATE reports SET current_revision = $3, state = 'received',"
                         " template = $4, template_version = $5, period = $6"
                         " WHERE unit = $1 AND report_id = $2"
                       : "INSERT INTO reports VALUES ($1, $2, $3, 'received', $4, $5, $6)",
                       6, params, error);
      if (current == NULL)
        goto failed;
    }

  /* From here to the commit, this transaction holds the feed: its receipt
   * and its change are numbered after every committed one. Three round
   * trips in line: the lock, the revision with its receipt, the change
   * (and the commit). */
  if (!lock_feed (conn, error))
    goto failed;
  {
    g_autofree char *server_revision = int_text (result->server_revision);
    g_autofree char *received = int_text (result->received_at);
    const char *params[] = {
      unit, item->report_id, revision, item->content_hash, item->content,
      conflict ? "true" : "false", server_revision, received, device_id,
    };

    /* The receipt's number as the SQLite store prints it ("%s-%06d"). */
    insert = query (conn, "INSERT INTO revisions"
                          " SELECT $1, $2, $3::bigint, $4, $5, $6::boolean, $7::bigint, n.receipt,"
                          "  coalesce ((SELECT value FROM meta WHERE key = 'receipt_prefix'), 'BC')"
                          "  || '-' || CASE WHEN n.receipt < 1000000 THEN lpad (n.receipt::text, 6, '0')"
                          "                 ELSE n.receipt::text END,"
                          "  $8::bigint, $9"
                          " FROM (SELECT coalesce (max (receipt), 0) + 1 AS receipt FROM revisions) n"
                          " RETURNING receipt_number", 9, params, error);
    if (insert == NULL)
      goto failed;
    result->receipt_number = get_dup (insert, 0, 0);
  }

  change = receipt_change (item->report_id, item->revision, conflict,
                           result->receipt_number, result->received_at);
  if (!add_change (conn, "receipt", unit, change, error))
    goto failed;
  if (!commit (conn, error))
    {
      bc_store_push_result_clear (result);
      return FALSE;
    }
  return TRUE;

failed:
  rollback (conn);
  bc_store_push_result_clear (result);
  return FALSE;
}

/* Every commit is durable at return (synchronous_commit = on). */
static gboolean
pg_sync (BcServerStore *store, GError **error)
{
  return TRUE;
}

static JsonArray *
pg_changes (BcServerStore *store, const char *unit, gint64 since, guint limit, GError **error)
{
  BORROW (b, PG_STORE (store), error);
  g_autofree char *since_text = int_text (since);
  g_autofree char *limit_text = int_text (limit);
  const char *params[] = { since_text, unit, limit_text };
  g_autoptr(PGresult) res = query (b.conn, "SELECT seq, body FROM changes WHERE seq > $1"
                                           " AND (unit IS NULL OR unit = $2) ORDER BY seq LIMIT $3",
                                   3, params, error);
  g_autoptr(JsonArray) changes = json_array_new ();

  if (res == NULL)
    return NULL;
  for (int r = 0; r < PQntuples (res); r++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *body;
      JsonObject *change;
      GList *members;

      if (!json_parser_load_from_data (parser, PQgetvalue (res, r, 1), -1, error))
        return NULL;
      body = json_node_get_object (json_parser_get_root (parser));
      change = json_object_new ();
      json_object_set_int_member (change, "seq", get_int (res, r, 0));
      members = json_object_get_members (body);
      for (GList *l = members; l != NULL; l = l->next)
        json_object_set_member (change, l->data,
                                json_node_copy (json_object_get_member (body, l->data)));
      g_list_free (members);
      json_array_add_object_element (changes, change);
    }
  return g_steal_pointer (&changes);
}

static GStrv
pg_report_units (BcServerStore *store, const char *report_id, GError **error)
{
  BORROW (b, PG_STORE (store), error);
  const char *params[] = { report_id };
  g_autoptr(PGresult) res = query (b.conn, "SELECT unit FROM reports WHERE report_id = $1"
                                           " ORDER BY unit", 1, params, error);
  g_autoptr(GStrvBuilder) units = g_strv_builder_new ();

  if (res == NULL)
    return NULL;
  for (int r = 0; r < PQntuples (res); r++)
    g_strv_builder_add (units, PQgetvalue (res, r, 0));
  return g_strv_builder_end (units);
}

static JsonNode *
receipt_node (const char *number,
              gint64      received_at)
{
  JsonObject *receipt = json_object_new ();
  g_autofree char *time = bc_wire_format_time (received_at);

  json_object_set_string_member (receipt, "number", number);
  json_object_set_string_member (receipt, "received_at", time);
  return json_node_init_object (json_node_alloc (), receipt);
}

static JsonObject *
pg_get_report (BcServerStore *store, const char *unit, const char *report_id, GError **error)
{
  BORROW (b, PG_STORE (store), error);
  const char *params[] = { unit, report_id };
  g_autoptr(PGresult) head = NULL;
  g_autoptr(PGresult) revs = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(JsonArray) revisions = json_array_new ();
  g_autoptr(JsonNode) content = NULL;
  gint64 current;

  /* One snapshot for both statements. */
  if (!exec (b.conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", error))
    return NULL;
  head = query (b.conn, "SELECT current_revision, state FROM reports"
                        " WHERE unit = $1 AND report_id = $2", 2, params, error);
  if (head == NULL || PQntuples (head) == 0)
    return NULL;
  current = get_int (head, 0, 0);
  report = json_object_new ();
  json_object_set_string_member (report, "report_id", report_id);
  json_object_set_string_member (report, "unit", unit);
  json_object_set_int_member (report, "current_revision", current);
  json_object_set_string_member (report, "state", PQgetvalue (head, 0, 1));

  revs = query (b.conn, "SELECT revision, content_hash, conflict, receipt_number,"
                        " received_at, content FROM revisions"
                        " WHERE unit = $1 AND report_id = $2 ORDER BY revision", 2, params, error);
  if (revs == NULL)
    return NULL;
  for (int r = 0; r < PQntuples (revs); r++)
    {
      JsonObject *revision = json_object_new ();

      json_object_set_int_member (revision, "revision", get_int (revs, r, 0));
      json_object_set_string_member (revision, "content_hash", PQgetvalue (revs, r, 1));
      json_object_set_boolean_member (revision, "conflict", get_bool (revs, r, 2));
      json_object_set_member (revision, "receipt",
                              receipt_node (PQgetvalue (revs, r, 3), get_int (revs, r, 4)));
      json_array_add_object_element (revisions, revision);
      if (get_int (revs, r, 0) == current)
        {
          g_clear_pointer (&content, json_node_unref);
          content = json_from_string (PQgetvalue (revs, r, 5), error);
          if (content == NULL)
            return NULL;
        }
    }
  json_object_set_array_member (report, "revisions", g_steal_pointer (&revisions));
  json_object_set_member (report, "content",
                          content != NULL ? g_steal_pointer (&content)
                                          : json_node_new (JSON_NODE_NULL));
  return g_steal_pointer (&report);
}

static GPtrArray *
pg_list_reports (BcServerStore *store, const char *period, const char *unit, GError **error)
{
  BORROW (b, PG_STORE (store), error);
  const char *params[] = { period, unit };
  g_autoptr(PGresult) res = NULL;
  GPtrArray *reports;

  res = query (b.conn,
               "SELECT r.unit, r.report_id, r.template, r.template_version, r.period,"
               " r.current_revision, r.state, c.receipt_number, c.received_at,"
               " v.first, v.n, v.n_conflicts, c.content"
               " FROM reports r JOIN revisions c ON c.unit = r.unit"
               "  AND c.report_id = r.report_id AND c.revision = r.current_revision"
               " CROSS JOIN LATERAL (SELECT min (received_at) AS first, count(*) AS n,"
               "   count(*) FILTER (WHERE conflict) AS n_conflicts FROM revisions x"
               "   WHERE x.unit = r.unit AND x.report_id = r.report_id) v"
               " WHERE ($1::text IS NULL OR r.period = $1) AND ($2::text IS NULL OR r.unit = $2)"
               " ORDER BY r.period, r.unit, r.report_id", 2, params, error);
  if (res == NULL)
    return NULL;
  reports = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_store_report_free);
  for (int r = 0; r < PQntuples (res); r++)
    {
      BcStoreReport *report = g_new0 (BcStoreReport, 1);

      report->unit = get_dup (res, r, 0);
      report->report_id = get_dup (res, r, 1);
      report->template_id = get_dup (res, r, 2);
      report->template_version = get_int (res, r, 3);
      report->period = get_dup (res, r, 4);
      report->current_revision = get_int (res, r, 5);
      report->state = get_dup (res, r, 6);
      report->receipt_number = get_dup (res, r, 7);
      report->received_at = get_int (res, r, 8);
      report->first_received_at = get_int (res, r, 9);
      report->n_revisions = (guint) get_int (res, r, 10);
      report->n_conflicts = (guint) get_int (res, r, 11);
      report->content = get_dup (res, r, 12);
      g_ptr_array_add (reports, report);
    }
  return reports;
}

static gboolean
pg_review (BcServerStore *store, const char *unit, const char *report_id,
           const char *decision, const char *comment, const char *reviewer,
           gint64 now, GError **error)
{
  BORROW (b, PG_STORE (store), error);
  const char *key[] = { unit, report_id };
  g_autoptr(PGresult) head = NULL;
  g_autoptr(PGresult) insert = NULL;
  g_autoptr(PGresult) update = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) change = NULL;
  g_autofree char *decided_at = NULL;
  g_autofree char *revision_text = NULL;
  g_autofree char *now_text = NULL;
  gint64 revision;

  now -= now % G_USEC_PER_SEC;
  now_text = int_text (now);
  if (!exec (b.conn, "BEGIN", error) || !lock_report (b.conn, unit, report_id, error))
    goto failed;
  head = query (b.conn, "SELECT current_revision, state FROM reports"
                        " WHERE unit = $1 AND report_id = $2", 2, key, error);
  if (head == NULL)
    goto failed;
  if (PQntuples (head) == 0)
    {
      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_NOT_FOUND,
                   _("There is no report %s of unit %s on this server."), report_id, unit);
      goto failed;
    }
  revision = get_int (head, 0, 0);
  revision_text = int_text (revision);
  if (g_str_equal (PQgetvalue (head, 0, 1), "accepted"))
    {
      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_INVALID,
                   _("Report %s was accepted already; an accepted report is final."), report_id);
      goto failed;
    }

  {
    const char *params[] = { unit, report_id, revision_text, decision, comment, reviewer, now_text };

    insert = query (b.conn, "INSERT INTO reviews (unit, report_id, revision, decision, comment,"
                            " reviewer, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    7, params, error);
    if (insert == NULL)
      goto failed;
  }
  {
    const char *params[] = { decision, unit, report_id };

    update = query (b.conn, "UPDATE reports SET state = $1 WHERE unit = $2 AND report_id = $3",
                    3, params, error);
    if (update == NULL)
      goto failed;
  }

  decided_at = bc_wire_format_time (now);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, "review");
  json_builder_set_member_name (builder, "report_id");
  json_builder_add_string_value (builder, report_id);
  json_builder_set_member_name (builder, "revision");
  json_builder_add_int_value (builder, revision);
  json_builder_set_member_name (builder, "decision");
  json_builder_add_string_value (builder, decision);
  json_builder_set_member_name (builder, "comment");
  if (comment != NULL)
    json_builder_add_string_value (builder, comment);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "reviewer");
  if (reviewer != NULL)
    json_builder_add_string_value (builder, reviewer);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "decided_at");
  json_builder_add_string_value (builder, decided_at);
  json_builder_end_object (builder);
  change = json_builder_get_root (builder);
  if (!lock_feed (b.conn, error) || !add_change (b.conn, "review", unit, change, error))
    goto failed;
  return commit (b.conn, error);

failed:
  rollback (b.conn);
  return FALSE;
}

static gboolean
pg_backup (BcServerStore *store, const char *path, GError **error)
{
  g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_INVALID,
               _("A PostgreSQL store is backed up by PostgreSQL: use pg_dump, or a streaming replica (see docs/server.md)."));
  return FALSE;
}

static const BcServerStoreClass pg_class = {
  .name = "postgresql",
  .free = pg_free,
  .get_meta = pg_get_meta,
  .set_meta = pg_set_meta,
  .load_units = pg_load_units,
  .list_units = pg_list_units,
  .add_user = pg_add_user,
  .find_user = pg_find_user,
  .list_users = pg_list_users,
  .add_device = pg_add_device,
  .find_token = pg_find_token,
  .revoke_device = pg_revoke_device,
  .list_devices = pg_list_devices,
  .device_token_hash = pg_device_token_hash,
  .publish_template = pg_publish_template,
  .get_template = pg_get_template,
  .publish_plan = pg_publish_plan,
  .get_plan = pg_get_plan,
  .list_plans = pg_list_plans,
  .push = pg_push,
  .changes = pg_changes,
  .report_units = pg_report_units,
  .get_report = pg_get_report,
  .list_reports = pg_list_reports,
  .review = pg_review,
  .backup = pg_backup,
  .sync = pg_sync,
};

BcServerStore *
bc_server_store_open_postgres (const char  *uri,
                               GError     **error)
{
  BcPgStore *self;
  PGconn *conn;

  g_return_val_if_fail (uri != NULL, NULL);

  self = g_new0 (BcPgStore, 1);
  self->parent.klass = &pg_class;
  self->uri = g_strdup (uri);
  g_mutex_init (&self->lock);
  g_queue_init (&self->idle);

  conn = connect_new (self, error);
  if (conn == NULL || !migrate (self, conn, error))
    {
      PQfinish (conn);
      pg_free (&self->parent);
      return NULL;
    }
  release (self, conn);
  return &self->parent;
}
