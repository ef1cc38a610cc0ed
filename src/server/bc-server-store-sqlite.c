/* bc-server-store-sqlite.c: the embedded store, one SQLite file in the data directory.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The workbook's discipline: WAL, synchronous=FULL, a busy timeout, and one
 * IMMEDIATE transaction per change (per push item). One connection per
 * process, used by one thread at a time; admin commands open their own, and
 * SQLite's locks order their writes with the server's. The schema's version
 * is in user_version; migrate() brings an older file up to date.
 */
#define G_LOG_DOMAIN "bc-server-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#ifdef G_OS_UNIX
#include <unistd.h>
#else
#include <io.h>
#endif

#include "bc-server-store.h"
#include "bc-wire.h"

#define SCHEMA_VERSION 1
#define BUSY_TIMEOUT_MS 5000

typedef struct {
  BcServerStore  parent;
  sqlite3       *db;
  GMutex         lock;
  char          *path;
  gboolean       directory_synced;
} BcSqliteStore;

static const char schema_v1[] =
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
  "CREATE TABLE units (code TEXT PRIMARY KEY, name TEXT NOT NULL, level TEXT NOT NULL,"
  "  parent TEXT, valid_from TEXT, valid_to TEXT, position INTEGER NOT NULL);"
  "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
  "  unit TEXT NOT NULL, password_hash TEXT NOT NULL, created_at INTEGER NOT NULL);"
  "CREATE TABLE devices (id TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id),"
  "  name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL,"
  "  last_seen INTEGER NOT NULL DEFAULT 0, revoked_at INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE templates (template TEXT NOT NULL, version INTEGER NOT NULL,"
  "  definition TEXT NOT NULL, published_at INTEGER NOT NULL, PRIMARY KEY (template, version));"
  /* Reports are filed per unit: the unit a report was sent from, for ever. */
  "CREATE TABLE reports (unit TEXT NOT NULL, report_id TEXT NOT NULL,"
  "  current_revision INTEGER NOT NULL, state TEXT NOT NULL, template TEXT NOT NULL,"
  "  template_version INTEGER NOT NULL, period TEXT NOT NULL,"
  "  PRIMARY KEY (unit, report_id));"
  "CREATE INDEX reports_by_id ON reports (report_id);"
  "CREATE INDEX reports_by_period ON reports (period, unit);"
  /* Every revision received, current or a conflict copy, with the answer it got. */
  "CREATE TABLE revisions (unit TEXT NOT NULL, report_id TEXT NOT NULL,"
  "  revision INTEGER NOT NULL, content_hash TEXT NOT NULL, content TEXT NOT NULL,"
  "  conflict INTEGER NOT NULL, server_revision INTEGER NOT NULL,"
  "  receipt INTEGER NOT NULL UNIQUE, receipt_number TEXT NOT NULL,"
  "  received_at INTEGER NOT NULL, device_id TEXT,"
  "  PRIMARY KEY (unit, report_id, revision));"
  "CREATE TABLE reviews (id INTEGER PRIMARY KEY, unit TEXT NOT NULL, report_id TEXT NOT NULL,"
  "  revision INTEGER NOT NULL, decision TEXT NOT NULL, comment TEXT, reviewer TEXT,"
  "  decided_at INTEGER NOT NULL);"
  /* The feed: a unit's own changes (unit set) and everyone's (unit NULL). */
  "CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,"
  "  unit TEXT, body TEXT NOT NULL);"
  "CREATE INDEX changes_by_unit ON changes (unit, seq);";

static BcSqliteStore *
SQLITE_STORE (BcServerStore *store)
{
  return (BcSqliteStore *) store;
}

static gboolean
fail (sqlite3  *db,
      int       rc,
      GError  **error)
{
  int code = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED
             ? BC_SERVER_STORE_ERROR_BUSY : BC_SERVER_STORE_ERROR_FAILED;

  g_set_error (error, BC_SERVER_STORE_ERROR, code,
               _("The server's database failed: %s"), sqlite3_errmsg (db));
  return FALSE;
}

static gboolean
exec (sqlite3     *db,
      const char  *sql,
      GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return fail (db, rc, error);
  return TRUE;
}

static sqlite3_stmt *
prepare (sqlite3     *db,
         const char  *sql,
         GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      fail (db, rc, error);
      return NULL;
    }
  return stmt;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           index)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, index));
}

static gboolean
step_done (sqlite3       *db,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return fail (db, rc, error);
  return TRUE;
}

static gboolean
begin (BcSqliteStore  *self,
       GError        **error)
{
  return exec (self->db, "BEGIN IMMEDIATE", error);
}

static gboolean
commit (BcSqliteStore  *self,
        GError        **error)
{
  if (!exec (self->db, "COMMIT", error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return TRUE;
}

static void
rollback (BcSqliteStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

static gboolean
add_change (BcSqliteStore  *self,
            const char     *kind,
            const char     *unit,
            JsonNode       *body,
            GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *text = json_to_string (body, FALSE);

  stmt = prepare (self->db, "INSERT INTO changes (kind, unit, body) VALUES (?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, kind);
  bind_text (stmt, 2, unit);
  bind_text (stmt, 3, text);
  return step_done (self->db, stmt, error);
}

static int
get_user_version (sqlite3 *db)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    return -1;
  return sqlite3_column_int (stmt, 0);
}

/* Brings the schema up to SCHEMA_VERSION, one step per version, each in
 * the transaction that also sets user_version. */
static gboolean
migrate (BcSqliteStore  *self,
         GError        **error)
{
  int version;

  if (!begin (self, error))
    return FALSE;
  version = get_user_version (self->db);
  if (version < 0)
    {
      rollback (self);
      return fail (self->db, SQLITE_ERROR, error);
    }
  if (version > SCHEMA_VERSION)
    {
      rollback (self);
      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_VERSION,
                   _("The data in %s was written by a newer baocao-server (schema %d; this one knows %d). Run the newer server, or restore a backup."),
                   self->path, version, SCHEMA_VERSION);
      return FALSE;
    }
  if (version < 1)
    {
      g_autofree char *server_id = g_uuid_string_random ();
      g_autofree char *sql = g_strdup_printf ("INSERT INTO meta VALUES ('server_id', '%s');"
                                              "PRAGMA user_version = 1;", server_id);

      if (!exec (self->db, schema_v1, error) || !exec (self->db, sql, error))
        {
          rollback (self);
          return FALSE;
        }
    }
  /* Later versions: if (version < 2) { ALTER …; PRAGMA user_version = 2; } */
  return commit (self, error);
}

static void
sqlite_free (BcServerStore *store)
{
  BcSqliteStore *self = SQLITE_STORE (store);

  sqlite3_close (self->db);
  g_mutex_clear (&self->lock);
  g_free (self->path);
  g_free (self);
}

static char *
sqlite_get_meta (BcServerStore *store, const char *key, GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = prepare (self->db, "SELECT value FROM meta WHERE key = ?", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return column_dup (stmt, 0);
  if (rc != SQLITE_DONE)
    fail (self->db, rc, error);
  return NULL;
}

static gboolean
sqlite_set_meta (BcServerStore *store, const char *key, const char *value, GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = prepare (self->db,
                                          "INSERT OR REPLACE INTO meta VALUES (?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, key);
  bind_text (stmt, 2, value);
  return step_done (self->db, stmt, error);
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
sqlite_load_units (BcServerStore *store, JsonArray *units, gint64 now, GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  g_autoptr(GHashTable) codes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(sqlite3_stmt) used = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  int rc;

  for (guint i = 0; i < json_array_get_length (units); i++)
    g_hash_table_add (codes, (gpointer) member_string (json_array_get_object_element (units, i),
                                                       "code"));

  if (!begin (self, error))
    return FALSE;

  /* A unit that has sent reports or has accounts keeps existing: it may be
   * renamed or closed (valid_to), never dropped, so its history stays filed. */
  used = prepare (self->db, "SELECT unit FROM reports UNION SELECT unit FROM users", error);
  if (used == NULL)
    goto failed;
  while ((rc = sqlite3_step (used)) == SQLITE_ROW)
    {
      const char *code = (const char *) sqlite3_column_text (used, 0);

      if (!g_hash_table_contains (codes, code))
        {
          g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_INVALID,
                       _("Unit %s has reports or accounts on this server and cannot be left out of the list. Keep it, with a valid_to date if it was merged or closed."),
                       code);
          goto failed;
        }
    }
  if (rc != SQLITE_DONE)
    {
      fail (self->db, rc, error);
      goto failed;
    }

  if (!exec (self->db, "DELETE FROM units", error))
    goto failed;
  insert = prepare (self->db, "INSERT INTO units VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (insert == NULL)
    goto failed;
  for (guint i = 0; i < json_array_get_length (units); i++)
    {
      JsonObject *unit = json_array_get_object_element (units, i);

      sqlite3_reset (insert);
      bind_text (insert, 1, member_string (unit, "code"));
      bind_text (insert, 2, member_string (unit, "name"));
      bind_text (insert, 3, member_string (unit, "level"));
      bind_text (insert, 4, member_string (unit, "parent"));
      bind_text (insert, 5, member_string (unit, "valid_from"));
      bind_text (insert, 6, member_string (unit, "valid_to"));
      sqlite3_bind_int (insert, 7, (int) i);
      if (!step_done (self->db, insert, error))
        goto failed;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, "units");
  json_builder_set_member_name (builder, "units");
  json_builder_add_value (builder, json_node_init_array (json_node_alloc (), units));
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  if (!add_change (self, "units", NULL, body, error))
    goto failed;
  return commit (self, error);

failed:
  rollback (self);
  return FALSE;
}

static JsonArray *
sqlite_list_units (BcServerStore *store, GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonArray) units = json_array_new ();
  static const char *names[] = { "code", "name", "level", "parent", "valid_from", "valid_to" };
  int rc;

  stmt = prepare (self->db, "SELECT code, name, level, parent, valid_from, valid_to FROM units"
                            " ORDER BY position", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonObject *unit = json_object_new ();

      for (guint c = 0; c < G_N_ELEMENTS (names); c++)
        {
          if (sqlite3_column_type (stmt, c) == SQLITE_NULL)
            json_object_set_null_member (unit, names[c]);
          else
            json_object_set_string_member (unit, names[c],
                                           (const char *) sqlite3_column_text (stmt, c));
        }
      json_array_add_object_element (units, unit);
    }
  if (rc != SQLITE_DONE)
    {
      fail (self->db, rc, error);
      return NULL;
    }
  return g_steal_pointer (&units);
}

static gboolean
sqlite_add_user (BcServerStore *store, const char *name, const char *unit,
                 const char *password_hash, gint64 now, GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = prepare (self->db, "INSERT INTO users (name, unit, password_hash, created_at)"
                            " VALUES (?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, name);
  bind_text (stmt, 2, unit);
  bind_text (stmt, 3, password_hash);
  sqlite3_bind_int64 (stmt, 4, now);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT || sqlite3_extended_errcode (self->db) == SQLITE_CONSTRAINT_UNIQUE)
    {
      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_EXISTS,
                   _("There is already an account named %s."), name);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return fail (self->db, rc, error);
  return TRUE;
}

static BcStoreUser *
user_from_row (sqlite3_stmt *stmt)
{
  BcStoreUser *user = g_new0 (BcStoreUser, 1);

  user->id = sqlite3_column_int64 (stmt, 0);
  user->name = column_dup (stmt, 1);
  user->unit = column_dup (stmt, 2);
  user->password_hash = column_dup (stmt, 3);
  user->created_at = sqlite3_column_int64 (stmt, 4);
  user->n_devices = (guint) sqlite3_column_int (stmt, 5);
  return user;
}

#define USER_COLUMNS "SELECT u.id, u.name, u.unit, u.password_hash, u.created_at," \
  " (SELECT count(*) FROM devices d WHERE d.user_id = u.id AND d.revoked_at = 0) FROM users u"

static BcStoreUser *
sqlite_find_user (BcServerStore *store, const char *name, GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = prepare (self->db, USER_COLUMNS " WHERE u.name = ?", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, name);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return user_from_row (stmt);
  if (rc != SQLITE_DONE)
    fail (self->db, rc, error);
  return NULL;
}

static GPtrArray *
sqlite_list_users (BcServerStore *store, GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = prepare (self->db, USER_COLUMNS " ORDER BY u.name", error);
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_store_user_free);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (users, user_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      fail (self->db, rc, error);
      return NULL;
    }
  return g_steal_pointer (&users);
}

static char *
sqlite_add_device (BcServerStore *store, gint64 user_id, const char *name,
                   const char *token_hash, gint64 now, GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *id = g_uuid_string_random ();

  stmt = prepare (self->db, "INSERT INTO devices (id, user_id, name, token_hash, created_at)"
                            " VALUES (?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, user_id);
  bind_text (stmt, 3, name);
  bind_text (stmt, 4, token_hash);
  sqlite3_bind_int64 (stmt, 5, now);
  if (!step_done (self->db, stmt, error))
    return NULL;
  return g_steal_pointer (&id);
}

#define DEVICE_COLUMNS "SELECT d.id, d.name, u.name, u.unit, d.created_at, d.last_seen," \
  " d.revoked_at FROM devices d JOIN users u ON u.id = d.user_id"

static BcStoreDevice *
device_from_row (sqlite3_stmt *stmt)
{
  BcStoreDevice *device = g_new0 (BcStoreDevice, 1);

  device->id = column_dup (stmt, 0);
  device->name = column_dup (stmt, 1);
  device->user = column_dup (stmt, 2);
  device->unit = column_dup (stmt, 3);
  device->created_at = sqlite3_column_int64 (stmt, 4);
  device->last_seen = sqlite3_column_int64 (stmt, 5);
  device->revoked_at = sqlite3_column_int64 (stmt, 6);
  return device;
}

static BcStoreDevice *
sqlite_find_token (BcServerStore *store, const char *token_hash, gint64 now, GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(BcStoreDevice) device = NULL;
  int rc;

  stmt = prepare (self->db, DEVICE_COLUMNS " WHERE d.token_hash = ? AND d.revoked_at = 0", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, token_hash);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      fail (self->db, rc, error);
      return NULL;
    }
  device = device_from_row (stmt);

  /* Last seen to the minute: enough for `devices list`, and most requests
   * write nothing. A failure here (a busy writer) does not refuse the request. */
  if (now - device->last_seen > 60 * G_USEC_PER_SEC)
    {
      g_autoptr(sqlite3_stmt) touch = prepare (self->db, "UPDATE devices SET last_seen = ?"
                                                         " WHERE id = ?", NULL);

      if (touch != NULL)
        {
          sqlite3_bind_int64 (touch, 1, now);
          bind_text (touch, 2, device->id);
          sqlite3_step (touch);
        }
    }
  return g_steal_pointer (&device);
}

/* bundles: the key of an active device */
static char *
sqlite_device_token_hash (BcServerStore *store, const char *device_id, GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = prepare (self->db, "SELECT token_hash FROM devices WHERE id = ? AND revoked_at = 0", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, device_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      fail (self->db, rc, error);
      return NULL;
    }
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

static gboolean
sqlite_revoke_device (BcServerStore *store, const char *device_id, gint64 now, GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = prepare (self->db, "UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at = 0",
                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  bind_text (stmt, 2, device_id);
  if (!step_done (self->db, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_NOT_FOUND,
                   _("There is no active device %s. See `baocao-server devices list`."),
                   device_id);
      return FALSE;
    }
  return TRUE;
}

static GPtrArray *
sqlite_list_devices (BcServerStore *store, GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = prepare (self->db, DEVICE_COLUMNS
                                          " ORDER BY u.name, d.created_at", error);
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_store_device_free);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (devices, device_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      fail (self->db, rc, error);
      return NULL;
    }
  return g_steal_pointer (&devices);
}

static gboolean
sqlite_publish_template (BcServerStore *store, const char *template_id, gint64 version,
                         const char *definition, gint64 now, GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) find = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  int rc;

  if (!json_parser_load_from_data (parser, definition, -1, error))
    return FALSE;
  if (!begin (self, error))
    return FALSE;
  find = prepare (self->db, "SELECT definition FROM templates WHERE template = ? AND version = ?",
                  error);
  if (find == NULL)
    goto failed;
  bind_text (find, 1, template_id);
  sqlite3_bind_int64 (find, 2, version);
  rc = sqlite3_step (find);
  if (rc == SQLITE_ROW)
    {
      gboolean same = g_str_equal ((const char *) sqlite3_column_text (find, 0), definition);

      rollback (self);
      if (same)
        return TRUE;
      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_EXISTS,
                   _("Version %d of template %s is already published with other content. Publish the change as a new version."),
                   (int) version, template_id);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      fail (self->db, rc, error);
      goto failed;
    }

  insert = prepare (self->db, "INSERT INTO templates VALUES (?, ?, ?, ?)", error);
  if (insert == NULL)
    goto failed;
  bind_text (insert, 1, template_id);
  sqlite3_bind_int64 (insert, 2, version);
  bind_text (insert, 3, definition);
  sqlite3_bind_int64 (insert, 4, now);
  if (!step_done (self->db, insert, error))
    goto failed;

  body = _bc_server_store_published_change ("template", template_id, version,
                                            json_parser_get_root (parser));
  if (!add_change (self, "template", NULL, body, error))
    goto failed;
  return commit (self, error);

failed:
  rollback (self);
  return FALSE;
}

static char *
sqlite_get_template (BcServerStore *store, const char *template_id, gint64 version, GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = prepare (self->db, "SELECT definition FROM templates WHERE template = ? AND version = ?",
                  error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, template_id);
  sqlite3_bind_int64 (stmt, 2, version);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return column_dup (stmt, 0);
  if (rc != SQLITE_DONE)
    fail (self->db, rc, error);
  return NULL;
}

/* The definitions published under `plan_id` (NULL: every plan's), from
 * the feed (a plan has no table: its change is its record), in the order
 * published; NULL on error. */
static JsonArray *
scan_plans (BcSqliteStore  *self,
            const char     *plan_id,
            GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonArray) found = json_array_new ();
  int rc;

  stmt = prepare (self->db, "SELECT body FROM changes WHERE kind = 'plan' AND unit IS NULL"
                            " ORDER BY seq", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonNode *definition = _bc_server_store_plan_definition ((const char *) sqlite3_column_text (stmt, 0),
                                                               plan_id);

      if (definition != NULL)
        json_array_add_element (found, definition);
    }
  if (rc != SQLITE_DONE)
    {
      fail (self->db, rc, error);
      return NULL;
    }
  return g_steal_pointer (&found);
}

static gboolean
sqlite_publish_plan (BcServerStore *store, const char *plan_id, JsonNode *definition,
                     GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  g_autoptr(JsonArray) published = NULL;
  g_autoptr(JsonNode) body = NULL;

  if (!begin (self, error))
    return FALSE;
  published = scan_plans (self, plan_id, error);
  if (published == NULL)
    goto failed;
  if (json_array_get_length (published) > 0)
    {
      rollback (self);
      if (json_node_equal (json_array_get_element (published, 0), definition))
        return TRUE;
      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_EXISTS,
                   _("The plan %s is already published with other content. A published plan is final: publish the changed plan under an id of its own."),
                   plan_id);
      return FALSE;
    }

  body = _bc_server_store_published_change ("plan", plan_id, 0, definition);
  if (!add_change (self, "plan", NULL, body, error))
    goto failed;
  return commit (self, error);

failed:
  rollback (self);
  return FALSE;
}

static char *
sqlite_get_plan (BcServerStore *store, const char *plan_id, GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  g_autoptr(JsonArray) published = scan_plans (self, plan_id, error);

  if (published == NULL || json_array_get_length (published) == 0)
    return NULL;
  return json_to_string (json_array_get_element (published, 0), FALSE);
}

static JsonArray *
sqlite_list_plans (BcServerStore *store, GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);

  return scan_plans (self, NULL, error);
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
push_item (BcSqliteStore *self, const char *unit, const char *device_id,
           const BcStorePushItem *item, gint64 now, BcStorePushResult *result,
           GError **error)
{
  g_autoptr(sqlite3_stmt) held = NULL;
  g_autoptr(sqlite3_stmt) report = NULL;
  g_autoptr(sqlite3_stmt) counter = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(sqlite3_stmt) current = NULL;
  g_autoptr(JsonNode) change = NULL;
  g_autofree char *prefix = NULL;
  gboolean has_current = FALSE;
  gint64 current_revision = 0;
  gboolean conflict;
  gint64 receipt;
  int rc;

  memset (result, 0, sizeof *result);
  if (!begin (self, error))
    return FALSE;

  /* Replay: this revision is held already. */
  held = prepare (self->db, "SELECT content_hash, conflict, server_revision, receipt_number,"
                            " received_at FROM revisions"
                            " WHERE unit = ? AND report_id = ? AND revision = ?", error);
  if (held == NULL)
    goto failed;
  bind_text (held, 1, unit);
  bind_text (held, 2, item->report_id);
  sqlite3_bind_int64 (held, 3, item->revision);
  rc = sqlite3_step (held);
  if (rc == SQLITE_ROW)
    {
      if (!g_str_equal ((const char *) sqlite3_column_text (held, 0), item->content_hash))
        {
          result->outcome = BC_STORE_PUSH_REFUSED_REUSED;
        }
      else
        {
          result->outcome = sqlite3_column_int (held, 1) ? BC_STORE_PUSH_CONFLICT
                                                         : BC_STORE_PUSH_STORED;
          result->replayed = TRUE;
          result->server_revision = sqlite3_column_int64 (held, 2);
          result->receipt_number = column_dup (held, 3);
          result->received_at = sqlite3_column_int64 (held, 4);
        }
      rollback (self);
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    {
      fail (self->db, rc, error);
      goto failed;
    }

  report = prepare (self->db, "SELECT current_revision, state FROM reports"
                              " WHERE unit = ? AND report_id = ?", error);
  if (report == NULL)
    goto failed;
  bind_text (report, 1, unit);
  bind_text (report, 2, item->report_id);
  rc = sqlite3_step (report);
  if (rc == SQLITE_ROW)
    {
      has_current = TRUE;
      current_revision = sqlite3_column_int64 (report, 0);
      if (g_str_equal ((const char *) sqlite3_column_text (report, 1), "accepted"))
        {
          result->outcome = BC_STORE_PUSH_REFUSED_ACCEPTED;
          result->server_revision = current_revision;
          rollback (self);
          return TRUE;
        }
    }
  else if (rc != SQLITE_DONE)
    {
      fail (self->db, rc, error);
      goto failed;
    }

  /* A revision based on one the server no longer holds as current is kept
   * beside the current one. With no current revision there is nothing to
   * overwrite, and the item becomes the current one. */
  conflict = has_current && current_revision != item->base_revision;

  counter = prepare (self->db, "SELECT coalesce(max(receipt), 0) + 1 FROM revisions", error);
  if (counter == NULL || sqlite3_step (counter) != SQLITE_ROW)
    {
      if (counter != NULL)
        fail (self->db, SQLITE_ERROR, error);
      goto failed;
    }
  receipt = sqlite3_column_int64 (counter, 0);
  sqlite3_reset (counter);

  result->outcome = conflict ? BC_STORE_PUSH_CONFLICT : BC_STORE_PUSH_STORED;
  result->server_revision = conflict ? current_revision : item->revision;
  result->received_at = now - now % G_USEC_PER_SEC;
  /* The meta lookup takes no lock of ours: the connection's mutex is held. */
  {
    g_autoptr(sqlite3_stmt) meta = prepare (self->db, "SELECT value FROM meta WHERE key = 'receipt_prefix'", NULL);

    if (meta != NULL && sqlite3_step (meta) == SQLITE_ROW)
      prefix = column_dup (meta, 0);
  }
  result->receipt_number = g_strdup_printf ("%s-%06" G_GINT64_FORMAT,
                                            prefix != NULL ? prefix : "BC", receipt);

  insert = prepare (self->db, "INSERT INTO revisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    error);
  if (insert == NULL)
    goto failed;
  bind_text (insert, 1, unit);
  bind_text (insert, 2, item->report_id);
  sqlite3_bind_int64 (insert, 3, item->revision);
  bind_text (insert, 4, item->content_hash);
  bind_text (insert, 5, item->content);
  sqlite3_bind_int (insert, 6, conflict);
  sqlite3_bind_int64 (insert, 7, result->server_revision);
  sqlite3_bind_int64 (insert, 8, receipt);
  bind_text (insert, 9, result->receipt_number);
  sqlite3_bind_int64 (insert, 10, result->received_at);
  bind_text (insert, 11, device_id);
  if (!step_done (self->db, insert, error))
    goto failed;

  if (!conflict)
    {
      current = prepare (self->db, has_current
                         ? "UPDATE reports SET current_revision = ?3, state = 'received',"
                           " template = ?4, template_version = ?5, period = ?6"
                           " WHERE unit = ?1 AND report_id = ?2"
                         : "INSERT INTO reports VALUES (?1, ?2, ?3, 'received', ?4, ?5, ?6)",
                         error);
      if (current == NULL)
        goto failed;
      bind_text (current, 1, unit);
      bind_text (current, 2, item->report_id);
      sqlite3_bind_int64 (current, 3, item->revision);
      bind_text (current, 4, item->template_id);
      sqlite3_bind_int64 (current, 5, item->template_version);
      bind_text (current, 6, item->period);
      if (!step_done (self->db, current, error))
        goto failed;
    }

  change = receipt_change (item->report_id, item->revision, conflict,
                           result->receipt_number, result->received_at);
  if (!add_change (self, "receipt", unit, change, error))
    goto failed;
  if (!commit (self, error))
    {
      bc_store_push_result_clear (result);
      return FALSE;
    }
  return TRUE;

failed:
  rollback (self);
  bc_store_push_result_clear (result);
  return FALSE;
}

/* A pushed item commits without waiting for the disk (synchronous=NORMAL:
 * in WAL mode still atomic and consistent after a power loss), and
 * sqlite_sync() flushes the log once for the whole batch before the
 * receipts leave. Every other write keeps synchronous=FULL. */
static gboolean
sqlite_push (BcServerStore *store, const char *unit, const char *device_id,
             const BcStorePushItem *item, gint64 now, BcStorePushResult *result,
             GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  gboolean ok;

  if (!exec (self->db, "PRAGMA synchronous = NORMAL", error))
    return FALSE;
  ok = push_item (self, unit, device_id, item, now, result, error);
  if (!exec (self->db, "PRAGMA synchronous = FULL", ok ? error : NULL))
    {
      bc_store_push_result_clear (result);
      return FALSE;
    }
  return ok;
}

static gboolean
fsync_path (const char  *path,
            int          flags,
            gboolean     missing_ok,
            GError     **error)
{
  int fd = g_open (path, flags, 0);
  int saved_errno;

  if (fd < 0)
    {
      saved_errno = errno;
      if (missing_ok && saved_errno == ENOENT)
        return TRUE;
    }
  else if (g_fsync (fd) == 0)
    {
      close (fd);
      return TRUE;
    }
  else
    {
      saved_errno = errno;
      close (fd);
    }
  g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_FAILED,
               _("The server's database failed: %s"), g_strerror (saved_errno));
  return FALSE;
}

static gboolean
sqlite_sync (BcServerStore *store, GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  g_autofree char *wal = g_strconcat (self->path, "-wal", NULL);

  /* fsync() flushes the file, whichever descriptor asks. No log at all
   * means everything was checkpointed into the database, which the
   * checkpoint synced. */
  if (!fsync_path (wal, O_RDWR, TRUE, error))
    return FALSE;
#ifdef G_OS_UNIX
  /* The log may be new since the store opened: its name must be on disk too. */
  if (!self->directory_synced)
    {
      g_autofree char *directory = g_path_get_dirname (self->path);

      if (!fsync_path (directory, O_RDONLY, FALSE, error))
        return FALSE;
      self->directory_synced = TRUE;
    }
#endif
  return TRUE;
}

static JsonArray *
sqlite_changes (BcServerStore *store, const char *unit, gint64 since, guint limit, GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonArray) changes = json_array_new ();
  int rc;

  stmt = prepare (self->db, "SELECT seq, body FROM changes WHERE seq > ?"
                            " AND (unit IS NULL OR unit = ?) ORDER BY seq LIMIT ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, since);
  bind_text (stmt, 2, unit);
  sqlite3_bind_int64 (stmt, 3, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *body;
      JsonObject *change = json_object_new ();
      GList *members;

      if (!json_parser_load_from_data (parser, (const char *) sqlite3_column_text (stmt, 1),
                                       -1, error))
        {
          json_object_unref (change);
          return NULL;
        }
      body = json_node_get_object (json_parser_get_root (parser));
      json_object_set_int_member (change, "seq", sqlite3_column_int64 (stmt, 0));
      members = json_object_get_members (body);
      for (GList *l = members; l != NULL; l = l->next)
        json_object_set_member (change, l->data,
                                json_node_copy (json_object_get_member (body, l->data)));
      g_list_free (members);
      json_array_add_object_element (changes, change);
    }
  if (rc != SQLITE_DONE)
    {
      fail (self->db, rc, error);
      return NULL;
    }
  return g_steal_pointer (&changes);
}

static GStrv
sqlite_report_units (BcServerStore *store, const char *report_id, GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GStrvBuilder) units = g_strv_builder_new ();
  int rc;

  stmt = prepare (self->db, "SELECT unit FROM reports WHERE report_id = ? ORDER BY unit", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, report_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (units, (const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      fail (self->db, rc, error);
      return NULL;
    }
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
sqlite_get_report (BcServerStore *store, const char *unit, const char *report_id, GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) head = NULL;
  g_autoptr(sqlite3_stmt) revs = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(JsonArray) revisions = json_array_new ();
  g_autoptr(JsonNode) content = NULL;
  gint64 current;
  int rc;

  head = prepare (self->db, "SELECT current_revision, state FROM reports"
                            " WHERE unit = ? AND report_id = ?", error);
  if (head == NULL)
    return NULL;
  bind_text (head, 1, unit);
  bind_text (head, 2, report_id);
  rc = sqlite3_step (head);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      fail (self->db, rc, error);
      return NULL;
    }
  current = sqlite3_column_int64 (head, 0);
  report = json_object_new ();
  json_object_set_string_member (report, "report_id", report_id);
  json_object_set_string_member (report, "unit", unit);
  json_object_set_int_member (report, "current_revision", current);
  json_object_set_string_member (report, "state", (const char *) sqlite3_column_text (head, 1));

  revs = prepare (self->db, "SELECT revision, content_hash, conflict, receipt_number,"
                            " received_at, content FROM revisions"
                            " WHERE unit = ? AND report_id = ? ORDER BY revision", error);
  if (revs == NULL)
    return NULL;
  bind_text (revs, 1, unit);
  bind_text (revs, 2, report_id);
  while ((rc = sqlite3_step (revs)) == SQLITE_ROW)
    {
      JsonObject *revision = json_object_new ();

      json_object_set_int_member (revision, "revision", sqlite3_column_int64 (revs, 0));
      json_object_set_string_member (revision, "content_hash",
                                     (const char *) sqlite3_column_text (revs, 1));
      json_object_set_boolean_member (revision, "conflict", sqlite3_column_int (revs, 2));
      json_object_set_member (revision, "receipt",
                              receipt_node ((const char *) sqlite3_column_text (revs, 3),
                                            sqlite3_column_int64 (revs, 4)));
      json_array_add_object_element (revisions, revision);
      if (sqlite3_column_int64 (revs, 0) == current)
        content = json_from_string ((const char *) sqlite3_column_text (revs, 5), error);
    }
  if (rc != SQLITE_DONE)
    {
      fail (self->db, rc, error);
      return NULL;
    }
  json_object_set_array_member (report, "revisions", g_steal_pointer (&revisions));
  json_object_set_member (report, "content",
                          content != NULL ? g_steal_pointer (&content)
                                          : json_node_new (JSON_NODE_NULL));
  return g_steal_pointer (&report);
}

static GPtrArray *
sqlite_list_reports (BcServerStore *store, const char *period, const char *unit, GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) reports = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_store_report_free);
  int rc;

  stmt = prepare (self->db,
                  "SELECT r.unit, r.report_id, r.template, r.template_version, r.period,"
                  " r.current_revision, r.state, c.receipt_number, c.received_at,"
                  " (SELECT min(received_at) FROM revisions v WHERE v.unit = r.unit"
                  "   AND v.report_id = r.report_id),"
                  " (SELECT count(*) FROM revisions v WHERE v.unit = r.unit"
                  "   AND v.report_id = r.report_id),"
                  " (SELECT count(*) FROM revisions v WHERE v.unit = r.unit"
                  "   AND v.report_id = r.report_id AND v.conflict),"
                  " c.content"
                  " FROM reports r JOIN revisions c ON c.unit = r.unit"
                  "  AND c.report_id = r.report_id AND c.revision = r.current_revision"
                  " WHERE (?1 IS NULL OR r.period = ?1) AND (?2 IS NULL OR r.unit = ?2)"
                  " ORDER BY r.period, r.unit, r.report_id", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, period);
  bind_text (stmt, 2, unit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      BcStoreReport *report = g_new0 (BcStoreReport, 1);

      report->unit = column_dup (stmt, 0);
      report->report_id = column_dup (stmt, 1);
      report->template_id = column_dup (stmt, 2);
      report->template_version = sqlite3_column_int64 (stmt, 3);
      report->period = column_dup (stmt, 4);
      report->current_revision = sqlite3_column_int64 (stmt, 5);
      report->state = column_dup (stmt, 6);
      report->receipt_number = column_dup (stmt, 7);
      report->received_at = sqlite3_column_int64 (stmt, 8);
      report->first_received_at = sqlite3_column_int64 (stmt, 9);
      report->n_revisions = (guint) sqlite3_column_int (stmt, 10);
      report->n_conflicts = (guint) sqlite3_column_int (stmt, 11);
      report->content = column_dup (stmt, 12);
      g_ptr_array_add (reports, report);
    }
  if (rc != SQLITE_DONE)
    {
      fail (self->db, rc, error);
      return NULL;
    }
  return g_steal_pointer (&reports);
}

static gboolean
sqlite_review (BcServerStore *store, const char *unit, const char *report_id,
               const char *decision, const char *comment, const char *reviewer,
               gint64 now, GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) head = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(sqlite3_stmt) update = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) change = NULL;
  g_autofree char *decided_at = NULL;
  gint64 revision;
  int rc;

  now -= now % G_USEC_PER_SEC;
  if (!begin (self, error))
    return FALSE;
  head = prepare (self->db, "SELECT current_revision, state FROM reports"
                            " WHERE unit = ? AND report_id = ?", error);
  if (head == NULL)
    goto failed;
  bind_text (head, 1, unit);
  bind_text (head, 2, report_id);
  rc = sqlite3_step (head);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_NOT_FOUND,
                   _("There is no report %s of unit %s on this server."), report_id, unit);
      goto failed;
    }
  if (rc != SQLITE_ROW)
    {
      fail (self->db, rc, error);
      goto failed;
    }
  revision = sqlite3_column_int64 (head, 0);
  if (g_str_equal ((const char *) sqlite3_column_text (head, 1), "accepted"))
    {
      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_INVALID,
                   _("Report %s was accepted already; an accepted report is final."), report_id);
      goto failed;
    }

  insert = prepare (self->db, "INSERT INTO reviews (unit, report_id, revision, decision, comment,"
                              " reviewer, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (insert == NULL)
    goto failed;
  bind_text (insert, 1, unit);
  bind_text (insert, 2, report_id);
  sqlite3_bind_int64 (insert, 3, revision);
  bind_text (insert, 4, decision);
  bind_text (insert, 5, comment);
  bind_text (insert, 6, reviewer);
  sqlite3_bind_int64 (insert, 7, now);
  if (!step_done (self->db, insert, error))
    goto failed;
  update = prepare (self->db, "UPDATE reports SET state = ? WHERE unit = ? AND report_id = ?",
                    error);
  if (update == NULL)
    goto failed;
  bind_text (update, 1, decision);
  bind_text (update, 2, unit);
  bind_text (update, 3, report_id);
  if (!step_done (self->db, update, error))
    goto failed;

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
  if (!add_change (self, "review", unit, change, error))
    goto failed;
  return commit (self, error);

failed:
  rollback (self);
  return FALSE;
}

static gboolean
sqlite_backup (BcServerStore *store, const char *path, GError **error)
{
  BcSqliteStore *self = SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_EXISTS,
                   _("%s exists already. Name a new file for the backup."), path);
      return FALSE;
    }
  /* VACUUM INTO reads one snapshot in a read transaction: the server keeps
   * writing meanwhile (WAL), and the copy is consistent and compact. */
  stmt = prepare (self->db, "VACUUM INTO ?", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, path);
  return step_done (self->db, stmt, error);
}

static const BcServerStoreClass sqlite_class = {
  .name = "sqlite",
  .free = sqlite_free,
  .get_meta = sqlite_get_meta,
  .set_meta = sqlite_set_meta,
  .load_units = sqlite_load_units,
  .list_units = sqlite_list_units,
  .add_user = sqlite_add_user,
  .find_user = sqlite_find_user,
  .list_users = sqlite_list_users,
  .add_device = sqlite_add_device,
  .find_token = sqlite_find_token,
  .revoke_device = sqlite_revoke_device,
  .list_devices = sqlite_list_devices,
  .publish_template = sqlite_publish_template,
  .get_template = sqlite_get_template,
  .publish_plan = sqlite_publish_plan,
  .get_plan = sqlite_get_plan,
  .list_plans = sqlite_list_plans,
  .push = sqlite_push,
  .changes = sqlite_changes,
  .report_units = sqlite_report_units,
  .get_report = sqlite_get_report,
  .list_reports = sqlite_list_reports,
  .review = sqlite_review,
  .backup = sqlite_backup,
  .sync = sqlite_sync,
  .device_token_hash = sqlite_device_token_hash,
};

BcServerStore *
bc_server_store_open_sqlite (const char  *directory,
                             GError     **error)
{
  BcSqliteStore *self;
  int rc;

  g_return_val_if_fail (directory != NULL, NULL);

  if (g_mkdir_with_parents (directory, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_FAILED,
                   _("Cannot create the data directory %s: %s"), directory,
                   g_strerror (saved_errno));
      return NULL;
    }

  self = g_new0 (BcSqliteStore, 1);
  self->parent.klass = &sqlite_class;
  g_mutex_init (&self->lock);
  self->path = g_build_filename (directory, "server.db", NULL);
  rc = sqlite3_open_v2 (self->path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_FAILED,
                   _("Cannot open %s: %s"), self->path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      sqlite_free (&self->parent);
      return NULL;
    }
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
  if (!exec (self->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                       " PRAGMA foreign_keys = ON;", error) ||
      !migrate (self, error))
    {
      sqlite_free (&self->parent);
      return NULL;
    }
  return &self->parent;
}
