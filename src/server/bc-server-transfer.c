/* bc-server-transfer.c: a province's data moved between stores (SQLite ↔ PostgreSQL).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both stores have the same tables and columns (schema 1); this file reads
 * and writes them directly, below the store interface, which has no
 * business exposing raw rows. Every value is written in one form whatever
 * the store (integers as numbers, flags as booleans, NULL as null), so a
 * table's hash is the same in SQLite and in PostgreSQL.
 */
#define G_LOG_DOMAIN "bc-server-transfer"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "bc-server-store.h"
#include "bc-server-transfer.h"

#define EXPORT_FORMAT "baocao-server-export"
#define EXPORT_VERSION 1

/* types: t text (or NULL), i integer, b flag */
typedef struct {
  const char *name;
  const char *columns;
  const char *types;
  const char *order;
} Table;

static const Table tables[] = {
  { "meta", "key, value", "tt", "key" },
  { "units", "code, name, level, parent, valid_from, valid_to, position", "ttttttI", "position" },
  { "users", "id, name, unit, password_hash, created_at", "itttI", "id" },
  { "devices", "id, user_id, name, token_hash, created_at, last_seen, revoked_at", "tittiii", "id" },
  { "templates", "template, version, definition, published_at", "titi", "template, version" },
  { "reports", "unit, report_id, current_revision, state, template, template_version, period",
    "ttitti" "t", "unit, report_id" },
  { "revisions", "unit, report_id, revision, content_hash, content, conflict, server_revision,"
    " receipt, receipt_number, received_at, device_id", "ttittbiitit", "receipt" },
  { "reviews", "id, unit, report_id, revision, decision, comment, reviewer, decided_at",
    "ittitttI", "id" },
  { "changes", "seq, kind, unit, body", "ittt", "seq" },
};

/* The meta rows that belong to one store, not to the province's data. */
static const char *local_meta[] = { "schema_version" };

static gboolean
is_local_meta (const Table *table,
               JsonArray   *row)
{
  if (!g_str_equal (table->name, "meta"))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (local_meta); i++)
    if (g_strcmp0 (json_array_get_string_element (row, 0), local_meta[i]) == 0)
      return TRUE;
  return FALSE;
}

static char
column_type (const Table *table,
             guint        column)
{
  return g_ascii_tolower (table->types[column]);
}

static gboolean
set_failed (GError    **error,
            const char *detail)
{
  g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_FAILED,
               _("The server's database failed: %s"), detail);
  return FALSE;
}

/* Reading: every table into a JsonArray of rows (each an array). */

static JsonArray *
dump_sqlite (sqlite3      *db,
             const Table  *table,
             GError      **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM %s ORDER BY %s", table->columns,
                                          table->name, table->order);
  g_autoptr(JsonArray) rows = json_array_new ();
  sqlite3_stmt *stmt = NULL;
  guint n = (guint) strlen (table->types);
  int rc;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_failed (error, sqlite3_errmsg (db));
      return NULL;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonArray *row = json_array_new ();

      for (guint c = 0; c < n; c++)
        {
          if (sqlite3_column_type (stmt, (int) c) == SQLITE_NULL)
            json_array_add_null_element (row);
          else if (column_type (table, c) == 'i')
            json_array_add_int_element (row, sqlite3_column_int64 (stmt, (int) c));
          else if (column_type (table, c) == 'b')
            json_array_add_boolean_element (row, sqlite3_column_int (stmt, (int) c) != 0);
          else
            json_array_add_string_element (row, (const char *) sqlite3_column_text (stmt, (int) c));
        }
      if (is_local_meta (table, row))
        json_array_unref (row);
      else
        json_array_add_array_element (rows, row);
    }
  if (rc != SQLITE_DONE)
    set_failed (error, sqlite3_errmsg (db));
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&rows) : NULL;
}

static JsonArray *
dump_postgres (PGconn       *conn,
               const Table  *table,
               GError      **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM %s ORDER BY %s", table->columns,
                                          table->name, table->order);
  g_autoptr(JsonArray) rows = json_array_new ();
  PGresult *res = PQexec (conn, sql);
  guint n = (guint) strlen (table->types);

  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    {
      set_failed (error, PQerrorMessage (conn));
      PQclear (res);
      return NULL;
    }
  for (int r = 0; r < PQntuples (res); r++)
    {
      JsonArray *row = json_array_new ();

      for (guint c = 0; c < n; c++)
        {
          const char *value = PQgetvalue (res, r, (int) c);

          if (PQgetisnull (res, r, (int) c))
            json_array_add_null_element (row);
          else if (column_type (table, c) == 'i')
            json_array_add_int_element (row, g_ascii_strtoll (value, NULL, 10));
          else if (column_type (table, c) == 'b')
            json_array_add_boolean_element (row, value[0] == 't');
          else
            json_array_add_string_element (row, value);
        }
      if (is_local_meta (table, row))
        json_array_unref (row);
      else
        json_array_add_array_element (rows, row);
    }
  PQclear (res);
  return g_steal_pointer (&rows);
}

static PGconn *
connect_postgres (const char  *uri,
                  GError     **error)
{
  PGconn *conn = PQconnectdb (uri);

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_FAILED,
                   _("Cannot connect to the database %s: %s"), uri, PQerrorMessage (conn));
      PQfinish (conn);
      return NULL;
    }
  return conn;
}

static sqlite3 *
open_sqlite (const char  *data_dir,
             gboolean     writable,
             GError     **error)
{
  g_autofree char *path = g_build_filename (data_dir, "server.db", NULL);
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db, writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY,
                       NULL) != SQLITE_OK)
    {
      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_FAILED,
                   _("Cannot open %s: %s"), path, sqlite3_errmsg (db));
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 5000);
  return db;
}

/* Every table, from one snapshot: { name: rows }. */
static JsonObject *
dump_store (const char  *data_dir,
            const char  *uri,
            GError     **error)
{
  g_autoptr(JsonObject) dump = json_object_new ();

  if (uri != NULL)
    {
      PGconn *conn = connect_postgres (uri, error);

      if (conn == NULL)
        return NULL;
      PQclear (PQexec (conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
      for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
        {
          JsonArray *rows = dump_postgres (conn, &tables[t], error);

          if (rows == NULL)
            {
              PQfinish (conn);
              return NULL;
            }
          json_object_set_array_member (dump, tables[t].name, rows);
        }
      PQfinish (conn);
    }
  else
    {
      sqlite3 *db = open_sqlite (data_dir, FALSE, error);

      if (db == NULL)
        return NULL;
      sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
      for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
        {
          JsonArray *rows = dump_sqlite (db, &tables[t], error);

          if (rows == NULL)
            {
              sqlite3_close (db);
              return NULL;
            }
          json_object_set_array_member (dump, tables[t].name, rows);
        }
      sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
      sqlite3_close (db);
    }
  return g_steal_pointer (&dump);
}

/* A table's SHA-256: of each row's compact JSON, one a line. */
static char *
rows_hash (JsonArray *rows)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint r = 0; r < json_array_get_length (rows); r++)
    {
      g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (),
                                                       json_array_get_array_element (rows, r));
      g_autofree char *text = json_to_string (node, FALSE);

      g_checksum_update (checksum, (const guchar *) text, (gssize) strlen (text));
      g_checksum_update (checksum, (const guchar *) "\n", 1);
    }
  return g_strdup (g_checksum_get_string (checksum));
}

static void
summary_line (GString    *summary,
              const char *table,
              guint       n_rows,
              const char *hash)
{
  /* TRANSLATORS: a table's name, its number of rows and its SHA-256 */
  g_string_append_printf (summary, _("%-10s %8u rows  sha256 %s\n"), table, n_rows, hash);
}

gboolean
bc_server_transfer_export (const char  *data_dir,
                           const char  *uri,
                           const char  *path,
                           GString     *summary,
                           GError     **error)
{
  g_autoptr(JsonObject) dump = NULL;
  g_autoptr(JsonObject) root = json_object_new ();
  g_autoptr(JsonArray) out_tables = json_array_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail ((data_dir == NULL) != (uri == NULL), FALSE);

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_EXISTS,
                   _("%s exists already. Name a new file for the export."), path);
      return FALSE;
    }
  dump = dump_store (data_dir, uri, error);
  if (dump == NULL)
    return FALSE;
  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      JsonArray *rows = json_object_get_array_member (dump, tables[t].name);
      g_autofree char *hash = rows_hash (rows);
      JsonObject *table = json_object_new ();

      json_object_set_string_member (table, "name", tables[t].name);
      json_object_set_string_member (table, "columns", tables[t].columns);
      json_object_set_int_member (table, "count", json_array_get_length (rows));
      json_object_set_string_member (table, "sha256", hash);
      json_object_set_array_member (table, "rows", json_array_ref (rows));
      json_array_add_object_element (out_tables, table);
      summary_line (summary, tables[t].name, json_array_get_length (rows), hash);
    }
  json_object_set_string_member (root, "format", EXPORT_FORMAT);
  json_object_set_int_member (root, "version", EXPORT_VERSION);
  json_object_set_array_member (root, "tables", g_steal_pointer (&out_tables));
  node = json_node_init_object (json_node_alloc (), root);
  text = json_to_string (node, FALSE);
  return g_file_set_contents (path, text, -1, error);
}

/* Writing */

static gboolean
load_sqlite (sqlite3      *db,
             const Table  *table,
             JsonArray    *rows,
             GError      **error)
{
  guint n = (guint) strlen (table->types);
  g_autoptr(GString) sql = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  g_string_printf (sql, "INSERT OR REPLACE INTO %s (%s) VALUES (", table->name, table->columns);
  for (guint c = 0; c < n; c++)
    g_string_append (sql, c > 0 ? ", ?" : "?");
  g_string_append (sql, ")");
  if (sqlite3_prepare_v2 (db, sql->str, -1, &stmt, NULL) != SQLITE_OK)
    return set_failed (error, sqlite3_errmsg (db));
  for (guint r = 0; r < json_array_get_length (rows); r++)
    {
      JsonArray *row = json_array_get_array_element (rows, r);

      sqlite3_reset (stmt);
      for (guint c = 0; c < n; c++)
        {
          JsonNode *value = json_array_get_element (row, c);

          if (JSON_NODE_HOLDS_NULL (value))
            sqlite3_bind_null (stmt, (int) c + 1);
          else if (column_type (table, c) == 'i')
            sqlite3_bind_int64 (stmt, (int) c + 1, json_node_get_int (value));
          else if (column_type (table, c) == 'b')
            sqlite3_bind_int (stmt, (int) c + 1, json_node_get_boolean (value));
          else
            sqlite3_bind_text (stmt, (int) c + 1, json_node_get_string (value), -1, SQLITE_TRANSIENT);
        }
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          set_failed (error, sqlite3_errmsg (db));
          sqlite3_finalize (stmt);
          return FALSE;
        }
    }
  sqlite3_finalize (stmt);
  return TRUE;
}

static gboolean
load_postgres (PGconn       *conn,
               const Table  *table,
               JsonArray    *rows,
               GError      **error)
{
  guint n = (guint) strlen (table->types);
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autofree const char **params = g_new0 (const char *, n);
  g_autofree char **owned = g_new0 (char *, n);

  g_string_printf (sql, "INSERT INTO %s (%s) VALUES (", table->name, table->columns);
  for (guint c = 0; c < n; c++)
    g_string_append_printf (sql, "%s$%u", c > 0 ? ", " : "", c + 1);
  g_string_append (sql, ")");
  /* The target's own server_id makes way for the province's. */
  if (g_str_equal (table->name, "meta"))
    g_string_append (sql, " ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  for (guint r = 0; r < json_array_get_length (rows); r++)
    {
      JsonArray *row = json_array_get_array_element (rows, r);
      PGresult *res;
      gboolean ok;

      for (guint c = 0; c < n; c++)
        {
          JsonNode *value = json_array_get_element (row, c);

          g_clear_pointer (&owned[c], g_free);
          if (JSON_NODE_HOLDS_NULL (value))
            params[c] = NULL;
          else if (column_type (table, c) == 'i')
            params[c] = owned[c] = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));
          else if (column_type (table, c) == 'b')
            params[c] = json_node_get_boolean (value) ? "true" : "false";
          else
            params[c] = json_node_get_string (value);
        }
      res = PQexecParams (conn, sql->str, (int) n, NULL, params, NULL, NULL, 0);
      ok = PQresultStatus (res) == PGRES_COMMAND_OK;
      if (!ok)
        set_failed (error, PQerrorMessage (conn));
      PQclear (res);
      if (!ok)
        {
          for (guint c = 0; c < n; c++)
            g_free (owned[c]);
          return FALSE;
        }
    }
  for (guint c = 0; c < n; c++)
    g_free (owned[c]);
  return TRUE;
}

/* The file's tables, each checked against its count and hash. */
static JsonObject *
read_export (const char  *path,
             GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonObject) dump = json_object_new ();
  JsonObject *root;
  JsonArray *file_tables;

  if (!json_parser_load_from_mapped_file (parser, path, error))
    return NULL;
  root = JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
         ? json_node_get_object (json_parser_get_root (parser)) : NULL;
  if (root == NULL ||
      g_strcmp0 (json_object_get_string_member_with_default (root, "format", NULL), EXPORT_FORMAT) != 0 ||
      json_object_get_int_member_with_default (root, "version", 0) != EXPORT_VERSION ||
      !json_object_has_member (root, "tables"))
    {
      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_INVALID,
                   _("%s is not a file written by baocao-server export (or by a newer one)."), path);
      return NULL;
    }
  file_tables = json_object_get_array_member (root, "tables");
  for (guint i = 0; i < json_array_get_length (file_tables); i++)
    {
      JsonObject *table = json_array_get_object_element (file_tables, i);
      JsonArray *rows = json_object_get_array_member (table, "rows");
      g_autofree char *hash = rows != NULL ? rows_hash (rows) : NULL;
      const char *name = json_object_get_string_member_with_default (table, "name", "");

      if (rows == NULL ||
          json_object_get_int_member_with_default (table, "count", -1) != json_array_get_length (rows) ||
          g_strcmp0 (json_object_get_string_member_with_default (table, "sha256", NULL), hash) != 0)
        {
          g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_INVALID,
                       _("Table %s in %s does not match its count or hash: the file is damaged. Export it again."),
                       name, path);
          return NULL;
        }
      json_object_set_array_member (dump, name, json_array_ref (rows));
    }
  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    if (!json_object_has_member (dump, tables[t].name))
      {
        g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_INVALID,
                     _("%s is not a file written by baocao-server export (or by a newer one)."), path);
        return NULL;
      }
  return g_steal_pointer (&dump);
}

gboolean
bc_server_transfer_import (const char  *data_dir,
                           const char  *uri,
                           const char  *path,
                           GString     *summary,
                           GError     **error)
{
  g_autoptr(JsonObject) wanted = NULL;
  g_autoptr(JsonObject) got = NULL;
  g_autoptr(BcServerStore) store = NULL;
  static const char empty_check[] =
    "SELECT (SELECT count(*) FROM units) + (SELECT count(*) FROM users)"
    " + (SELECT count(*) FROM reports) + (SELECT count(*) FROM changes)"
    " + (SELECT count(*) FROM templates)";
  gboolean empty = FALSE;

  g_return_val_if_fail ((data_dir == NULL) != (uri == NULL), FALSE);

  wanted = read_export (path, error);
  if (wanted == NULL)
    return FALSE;
  /* Opening the store creates its schema, or refuses a newer one. */
  store = uri != NULL ? bc_server_store_open_postgres (uri, error)
                      : bc_server_store_open_sqlite (data_dir, error);
  if (store == NULL)
    return FALSE;
  g_clear_pointer (&store, bc_server_store_free);

  if (uri != NULL)
    {
      PGconn *conn = connect_postgres (uri, error);
      PGresult *res;
      gboolean ok = TRUE;

      if (conn == NULL)
        return FALSE;
      res = PQexec (conn, empty_check);
      empty = PQresultStatus (res) == PGRES_TUPLES_OK && g_str_equal (PQgetvalue (res, 0, 0), "0");
      PQclear (res);
      if (empty)
        {
          PQclear (PQexec (conn, "BEGIN"));
          for (guint t = 0; t < G_N_ELEMENTS (tables) && ok; t++)
            ok = load_postgres (conn, &tables[t],
                                json_object_get_array_member (wanted, tables[t].name), error);
          if (ok)
            {
              /* Ids taken from now on follow the imported ones. */
              res = PQexec (conn, "SELECT setval (pg_get_serial_sequence ('users', 'id'),"
                                  "  (SELECT coalesce (max (id), 0) + 1 FROM users), false);"
                                  "SELECT setval (pg_get_serial_sequence ('reviews', 'id'),"
                                  "  (SELECT coalesce (max (id), 0) + 1 FROM reviews), false);"
                                  "COMMIT");
              ok = PQresultStatus (res) == PGRES_COMMAND_OK;
              if (!ok)
                set_failed (error, PQerrorMessage (conn));
              PQclear (res);
            }
        }
      PQfinish (conn);
      if (empty && !ok)
        return FALSE;
    }
  else
    {
      sqlite3 *db = open_sqlite (data_dir, TRUE, error);
      sqlite3_stmt *stmt = NULL;
      gboolean ok = TRUE;

      if (db == NULL)
        return FALSE;
      if (sqlite3_prepare_v2 (db, empty_check, -1, &stmt, NULL) == SQLITE_OK &&
          sqlite3_step (stmt) == SQLITE_ROW)
        empty = sqlite3_column_int64 (stmt, 0) == 0;
      sqlite3_finalize (stmt);
      if (empty)
        {
          ok = sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ||
               set_failed (error, sqlite3_errmsg (db));
          for (guint t = 0; t < G_N_ELEMENTS (tables) && ok; t++)
            ok = load_sqlite (db, &tables[t],
                              json_object_get_array_member (wanted, tables[t].name), error);
          if (ok && sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            ok = set_failed (error, sqlite3_errmsg (db));
          if (!ok)
            sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
        }
      sqlite3_close (db);
      if (empty && !ok)
        return FALSE;
    }
  if (!empty)
    {
      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_EXISTS,
                   _("The store already holds units, accounts or reports: import only into a new, empty store."));
      return FALSE;
    }

  /* Read back: every table as the file has it. */
  got = dump_store (data_dir, uri, error);
  if (got == NULL)
    return FALSE;
  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      JsonArray *want_rows = json_object_get_array_member (wanted, tables[t].name);
      JsonArray *got_rows = json_object_get_array_member (got, tables[t].name);
      g_autofree char *want_hash = rows_hash (want_rows);
      g_autofree char *got_hash = rows_hash (got_rows);

      if (json_array_get_length (want_rows) != json_array_get_length (got_rows) ||
          !g_str_equal (want_hash, got_hash))
        {
          g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_FAILED,
                       _("Table %s reads back as %u rows (sha256 %s) instead of %u (sha256 %s). Do not use this store."),
                       tables[t].name, json_array_get_length (got_rows), got_hash,
                       json_array_get_length (want_rows), want_hash);
          return FALSE;
        }
      summary_line (summary, tables[t].name, json_array_get_length (got_rows), got_hash);
    }
  return TRUE;
}
