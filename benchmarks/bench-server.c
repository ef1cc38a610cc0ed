/* bench-server.c: units pushing one quarterly report each, through baocao-server processes.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints reports per second, the p99 of a push's round trip, the store's
 * size per report, and where the CPU time went (client, servers,
 * PostgreSQL), for 1, 2 and 4 server processes on one PostgreSQL database
 * and for one on SQLite. Never fails because a machine is slow.
 *
 * BAOCAO_BENCH_PG_FSYNC=off runs the cluster without fsync (to see what
 * the disk costs). BAOCAO_BENCH_UNITS sets the number of units (default 2,000; the issue's
 * figure is 10,000, which takes several minutes on two cores). Each unit
 * sends the demo's quarterly report (about 2 kB) as its own, one push
 * each, 32 in flight, spread round-robin over the servers. The PostgreSQL
 * cluster is a throwaway one (tests/bc-test-pg) with fsync on; the units,
 * accounts and devices are written straight into the store before the
 * clock starts.
 */
#define G_LOG_DOMAIN "bench-server"

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <libsoup/soup.h>
#include <sqlite3.h>

#include "bc-server-auth.h"
#include "bc-server-store.h"
#include "bc-test-pg.h"
#include "bc-test-util.h"
#include "bc-wire.h"

#define IN_FLIGHT 32
#define PERIOD "2018Q2"

static guint n_units = 2000;
static JsonObject *demo_report = NULL;

typedef struct {
  SoupSession *session;
  GPtrArray   *urls;
  char       **tokens;
  char       **units;
  guint        next;
  guint        n_done;
  guint        n_retries;
  gint64      *latencies;
} Run;

typedef struct {
  Run    *run;
  guint   index;
  gint64  started;
} Push;

static char *
unit_code (guint i)
{
  return g_strdup_printf ("QNG-X%05u", i);
}

static GBytes *
push_body (guint i)
{
  g_autofree char *unit = unit_code (i);
  g_autofree char *id = g_strdup_printf ("bench-%05u", i);
  g_autoptr(JsonObject) content = json_object_new ();
  g_autoptr(JsonNode) content_node = NULL;
  g_autoptr(JsonObject) item = json_object_new ();
  g_autoptr(JsonArray) items = json_array_new ();
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *hash = NULL;
  static const char *copied[] = { "template", "template_version", "period", "values", "tables",
                                  "justifications" };
  char *text;

  json_object_set_string_member (content, "id", id);
  json_object_set_string_member (content, "unit", unit);
  for (guint k = 0; k < G_N_ELEMENTS (copied); k++)
    json_object_set_member (content, copied[k],
                            json_node_copy (json_object_get_member (demo_report, copied[k])));
  json_object_set_string_member (content, "period", PERIOD);
  /* The workbook's rows carry their row_id on the wire (the demo file's do not). */
  {
    JsonObject *tables = json_object_get_object_member (content, "tables");
    g_autoptr(GList) names = json_object_get_members (tables);

    for (GList *l = names; l != NULL; l = l->next)
      {
        JsonArray *rows = json_object_get_array_member (tables, l->data);

        for (guint r = 0; r < json_array_get_length (rows); r++)
          json_object_set_int_member (json_array_get_object_element (rows, r), "row_id", r + 1);
      }
  }
  content_node = json_node_init_object (json_node_alloc (), content);
  hash = bc_wire_content_hash (content_node);
  json_object_set_string_member (item, "report_id", id);
  json_object_set_int_member (item, "revision", 1);
  json_object_set_int_member (item, "base_revision", 0);
  json_object_set_string_member (item, "content_hash", hash);
  json_object_set_member (item, "content", json_node_ref (content_node));
  json_array_add_object_element (items, g_steal_pointer (&item));
  json_object_set_array_member (body, "items", g_steal_pointer (&items));
  root = json_node_init_object (json_node_alloc (), json_object_ref (body));
  text = json_to_string (root, FALSE);
  return g_bytes_new_take (text, strlen (text));
}

static void push_start (Run *run, guint index);

static void
on_pushed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Push *push = user_data;
  Run *run = push->run;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  g_autofree char *text = body != NULL ? g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body))
                                       : NULL;

  if (error != NULL || soup_message_get_status (msg) != 200 ||
      strstr (text, "\"result\":\"stored\"") == NULL)
    {
      /* 503 (busy store): the client tries again, as the real one does. */
      run->n_retries++;
      if (run->n_retries > n_units)
        g_error ("push %u: %s", push->index, error != NULL ? error->message : text);
      push_start (run, push->index);
      g_free (push);
      return;
    }
  run->latencies[run->n_done++] = g_get_monotonic_time () - push->started;
  g_free (push);
  if (run->next < n_units)
    push_start (run, run->next++);
}

static void
push_start (Run   *run,
            guint  index)
{
  Push *push = g_new0 (Push, 1);
  g_autofree char *uri = g_strconcat (g_ptr_array_index (run->urls, index % run->urls->len),
                                      "/api/v1/push", NULL);
  g_autofree char *bearer = g_strdup_printf ("Bearer %s", run->tokens[index]);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", uri);
  g_autoptr(GBytes) body = push_body (index);

  push->run = run;
  push->index = index;
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Baocao-Protocol", "1");
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", bearer);
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  push->started = g_get_monotonic_time ();
  soup_session_send_and_read_async (run->session, msg, G_PRIORITY_DEFAULT, NULL, on_pushed, push);
}

/* The units, accounts and devices, straight into the store's tables in
 * one transaction (the admin commands would take an Argon2id hash and a
 * commit each: minutes for 10,000 units, and not what is measured). */
static void
seed_sql (GString *sql,
          char   **tokens)
{
  g_autofree char *hash = bc_server_hash_password ("mat-khau-dai-1");

  g_string_append (sql, "BEGIN;");
  for (guint i = 0; i < n_units; i++)
    {
      g_autofree char *unit = unit_code (i);
      g_autofree char *token_hash = bc_server_token_hash (tokens[i]);

      g_string_append_printf (sql, "INSERT INTO units VALUES ('%s', 'Xã %u', 'commune', 'QNG', '2015-01-01', NULL, %u);"
                                   "INSERT INTO users (id, name, unit, password_hash, created_at) VALUES (%u, 'u%u', '%s', '%s', 0);"
                                   "INSERT INTO devices (id, user_id, name, token_hash, created_at) VALUES ('d%u', %u, 'bench', '%s', 0);",
                              unit, i, i + 1, i + 1, i, unit, hash, i, i + 1, token_hash);
    }
  g_string_append (sql, "COMMIT;");
}

static gint64
process_cpu_us (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *close_paren;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (close_paren = strrchr (text, ')')) == NULL)
    return 0;
  fields = g_strsplit (close_paren + 2, " ", -1);
  /* utime and stime are fields 14 and 15 (1-based), 12 and 13 after ") ". */
  return (g_ascii_strtoll (fields[11], NULL, 10) + g_ascii_strtoll (fields[12], NULL, 10)) *
         G_USEC_PER_SEC / sysconf (_SC_CLK_TCK);
}

/* Every process named postgres: the cluster's backends. */
static gint64
postgres_cpu_us (void)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  gint64 total = 0;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *comm_path = g_strdup_printf ("/proc/%s/comm", name);
      g_autofree char *comm = NULL;

      if (g_ascii_isdigit (name[0]) && g_file_get_contents (comm_path, &comm, NULL, NULL) &&
          g_str_has_prefix (comm, "postgres"))
        total += process_cpu_us (atoi (name));
    }
  return total;
}

static gint64
self_cpu_us (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (gint64) usage.ru_utime.tv_sec * G_USEC_PER_SEC + usage.ru_utime.tv_usec +
         (gint64) usage.ru_stime.tv_sec * G_USEC_PER_SEC + usage.ru_stime.tv_usec;
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gint64) st.st_size : 0;
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
run_setup (BcTestPg   *pg,
           guint       n_servers,
           const char *server_binary)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) servers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autofree char *dir = g_dir_make_tmp ("bench-server-XXXXXX", &error);
  g_autofree char *uri = pg != NULL ? bc_test_pg_new_database (pg) : NULL;
  g_autofree char *db = g_build_filename (dir, "server.db", NULL);
  g_autofree char *wal = g_build_filename (dir, "server.db-wal", NULL);
  g_autofree gint64 *latencies = g_new0 (gint64, n_units);
  g_autoptr(JsonArray) units = json_array_new ();
  JsonObject *province = json_object_new ();
  BcServerStore *store;
  Run run = { 0 };
  gint64 size_before, size_after, start, elapsed;
  gint64 cpu_self, cpu_pg, cpu_servers = 0;
  g_autofree gint64 *cpu_servers_before = g_new0 (gint64, n_servers);

  /* The schema, and the province the communes belong to. */
  store = pg != NULL ? bc_server_store_open_postgres (uri, &error) : bc_server_store_open_sqlite (dir, &error);
  g_assert_no_error (error);
  json_object_set_string_member (province, "code", "QNG");
  json_object_set_string_member (province, "name", "UBND tỉnh Quảng Ngãi");
  json_object_set_string_member (province, "level", "province");
  json_object_set_null_member (province, "parent");
  json_object_set_string_member (province, "valid_from", "2015-01-01");
  json_object_set_null_member (province, "valid_to");
  json_array_add_object_element (units, province);
  g_assert_true (bc_server_store_load_units (store, units, g_get_real_time (), &error));
  g_assert_no_error (error);
  bc_server_store_free (store);

  run.tokens = g_new0 (char *, n_units + 1);
  for (guint i = 0; i < n_units; i++)
    run.tokens[i] = bc_server_new_token ();
  seed_sql (sql, run.tokens);
  if (pg != NULL)
    {
      PGconn *conn = PQconnectdb (uri);
      PGresult *res = PQexec (conn, sql->str);

      g_assert_cmpint (PQresultStatus (res), ==, PGRES_COMMAND_OK);
      PQclear (res);
      PQclear (PQexec (conn, "VACUUM ANALYZE; CHECKPOINT"));
      PQfinish (conn);
      size_before = bc_test_pg_database_size (pg, uri);
    }
  else
    {
      sqlite3 *conn = NULL;

      g_assert_cmpint (sqlite3_open (db, &conn), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (conn, sql->str, NULL, NULL, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (conn, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL), ==, SQLITE_OK);
      sqlite3_close (conn);
      size_before = file_size (db) + file_size (wal);
    }

  run.urls = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < n_servers; i++)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
      GSubprocess *serve;
      g_autoptr(GDataInputStream) out = NULL;
      g_autofree char *line = NULL;

      /* Servers go with the benchmark if it dies. */
      g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
      serve = g_subprocess_launcher_spawn (launcher, &error, server_binary,
                                           "serve", pg != NULL ? "--store" : "--data",
                                           pg != NULL ? uri : dir, "--listen", "127.0.0.1:0",
                                           "--rate-limit", "0", NULL);

      g_assert_no_error (error);
      out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (serve));
      line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (line);
      g_ptr_array_add (run.urls, g_strdup (strstr (line, "http://")));
      g_ptr_array_add (servers, serve);
    }

  run.session = soup_session_new_with_options ("timeout", 60, "max-conns", 256,
                                               "max-conns-per-host", IN_FLIGHT, NULL);
  run.latencies = latencies;
  for (guint i = 0; i < n_servers; i++)
    cpu_servers_before[i] = process_cpu_us (atoi (g_subprocess_get_identifier (g_ptr_array_index (servers, i))));
  cpu_self = self_cpu_us ();
  cpu_pg = pg != NULL ? postgres_cpu_us () : 0;
  start = g_get_monotonic_time ();
  for (run.next = 0; run.next < MIN (IN_FLIGHT, n_units);)
    push_start (&run, run.next++);
  while (run.n_done < n_units)
    g_main_context_iteration (NULL, TRUE);
  elapsed = g_get_monotonic_time () - start;
  cpu_self = self_cpu_us () - cpu_self;
  cpu_pg = pg != NULL ? postgres_cpu_us () - cpu_pg : 0;
  for (guint i = 0; i < n_servers; i++)
    cpu_servers += process_cpu_us (atoi (g_subprocess_get_identifier (g_ptr_array_index (servers, i)))) -
                   cpu_servers_before[i];

  for (guint i = 0; i < n_servers; i++)
    {
      g_subprocess_send_signal (g_ptr_array_index (servers, i), SIGTERM);
      g_subprocess_wait (g_ptr_array_index (servers, i), NULL, NULL);
    }
  if (pg != NULL)
    {
      PGconn *conn = PQconnectdb (uri);

      PQclear (PQexec (conn, "CHECKPOINT"));
      PQfinish (conn);
      size_after = bc_test_pg_database_size (pg, uri);
    }
  else
    size_after = file_size (db) + file_size (wal);

  qsort (latencies, n_units, sizeof (gint64), bc_test_compare_gint64);
  printf ("%-11s %u server%s: %6.0f reports/s, p50 %6.1f ms, p99 %7.1f ms, %5.1f kB/report,"
          " %u retries; CPU s: client %.1f, servers %.1f, postgres %.1f, wall %.1f\n",
          pg != NULL ? "PostgreSQL" : "SQLite", n_servers, n_servers > 1 ? "s" : " ",
          n_units / (elapsed / (double) G_USEC_PER_SEC),
          latencies[n_units / 2] / 1000.0, latencies[(n_units * 99) / 100] / 1000.0,
          (size_after - size_before) / 1024.0 / n_units, run.n_retries,
          cpu_self / 1e6, cpu_servers / 1e6, cpu_pg / 1e6, elapsed / 1e6);
  fflush (stdout);

  g_strfreev (run.tokens);
  g_ptr_array_unref (run.urls);
  g_object_unref (run.session);
  bc_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) demo = NULL;
  g_autofree char *demo_text = NULL;
  g_autofree char *missing = NULL;
  const char *server_binary = g_getenv ("BAOCAO_SERVER");
  const char *count = g_getenv ("BAOCAO_BENCH_UNITS");
  BcTestPg *pg;
  JsonArray *reports;

  setlocale (LC_ALL, "");
  g_assert_nonnull (server_binary);
  if (count != NULL && atoi (count) > 0)
    n_units = (guint) atoi (count);
  g_assert_true (bc_server_auth_init ());
  g_assert_true (g_file_get_contents (argv[1], &demo_text, NULL, &error));
  demo = json_from_string (demo_text, &error);
  g_assert_no_error (error);
  reports = json_object_get_array_member (json_node_get_object (demo), "reports");
  for (guint i = 0; i < json_array_get_length (reports) && demo_report == NULL; i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (reports, i), "template"),
                     "egov-quarterly"))
      demo_report = json_array_get_object_element (reports, i);
  g_assert_nonnull (demo_report);

  printf ("%u units, one quarterly report each, %d pushes in flight\n", n_units, IN_FLIGHT);
  /* BAOCAO_BENCH_PG_FSYNC=off: the same without waiting for the disk, to
   * see what the WAL flushes cost. */
  pg = bc_test_pg_start (g_strcmp0 (g_getenv ("BAOCAO_BENCH_PG_FSYNC"), "off") != 0, &missing);
  if (pg == NULL)
    printf ("PostgreSQL: skipped (%s)\n", missing);
  else
    {
      run_setup (pg, 1, server_binary);
      run_setup (pg, 2, server_binary);
      run_setup (pg, 4, server_binary);
      bc_test_pg_stop (pg);
    }
  run_setup (NULL, 1, server_binary);
  return 0;
}
