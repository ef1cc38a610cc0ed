/* bc-test-pg.c: a throwaway PostgreSQL cluster for the server's tests and benchmark.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-test-pg"

#include "config.h"

#include <stdlib.h>

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <unistd.h>

#include "bc-test-pg.h"
#include "bc-test-util.h"

struct _BcTestPg {
  char  *dir;
  char  *bindir;
  char  *socket;
  guint  n_databases;
  uid_t  uid;         /* who runs the cluster; 0: ourselves */
  gid_t  gid;
};

/* The newest /usr/lib/postgresql/N/bin with initdb, or initdb on PATH. */
static char *
find_bindir (void)
{
  const char *env = g_getenv ("BC_TEST_PG_BINDIR");
  g_autoptr(GDir) versions = NULL;
  g_autofree char *on_path = NULL;
  char *best = NULL;
  int best_version = 0;
  const char *name;

  if (env != NULL)
    {
      g_autofree char *initdb = g_build_filename (env, "initdb", NULL);

      return g_file_test (initdb, G_FILE_TEST_IS_EXECUTABLE) ? g_strdup (env) : NULL;
    }
  versions = g_dir_open ("/usr/lib/postgresql", 0, NULL);
  while (versions != NULL && (name = g_dir_read_name (versions)) != NULL)
    {
      g_autofree char *initdb = g_build_filename ("/usr/lib/postgresql", name, "bin", "initdb", NULL);
      int version = atoi (name);

      if (version > best_version && g_file_test (initdb, G_FILE_TEST_IS_EXECUTABLE))
        {
          g_free (best);
          best = g_path_get_dirname (initdb);
          best_version = version;
        }
    }
  if (best != NULL)
    return best;
  on_path = g_find_program_in_path ("initdb");
  return on_path != NULL ? g_path_get_dirname (on_path) : NULL;
}

static void
run (BcTestPg    *pg,
     const char  *program,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  va_list args;

  if (pg->uid != 0)
    {
      /* setpriv (util-linux) drops to the cluster's user for this one command. */
      g_ptr_array_add (argv, g_strdup ("setpriv"));
      g_ptr_array_add (argv, g_strdup_printf ("--reuid=%u", (unsigned) pg->uid));
      g_ptr_array_add (argv, g_strdup_printf ("--regid=%u", (unsigned) pg->gid));
      g_ptr_array_add (argv, g_strdup ("--clear-groups"));
    }
  g_ptr_array_add (argv, g_build_filename (pg->bindir, program, NULL));
  va_start (args, program);
  for (const char *arg = va_arg (args, const char *); arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (pg->dir, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("%s failed: %s\n%s%s", program, error->message, out, err);
}

BcTestPg *
bc_test_pg_start (gboolean   durable,
                  char     **missing)
{
  g_autofree char *bindir = find_bindir ();
  g_autofree char *data = NULL;
  g_autofree char *log = NULL;
  g_autofree char *options = NULL;
  g_autofree char *watchdog = NULL;
  g_autofree char *as_user = NULL;
  g_autoptr(GError) error = NULL;
  BcTestPg *pg;

  if (bindir == NULL)
    {
      *missing = g_strdup ("PostgreSQL is not installed (no initdb in $BC_TEST_PG_BINDIR, /usr/lib/postgresql/*/bin or on PATH): install the postgresql package to run these tests");
      return NULL;
    }
  pg = g_new0 (BcTestPg, 1);
  pg->bindir = g_steal_pointer (&bindir);
  /* Short: the socket's path must fit in 107 bytes. */
  pg->dir = g_dir_make_tmp ("bcpg-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (pg->dir, 0755), ==, 0);
  pg->socket = g_strdup (pg->dir);
  if (geteuid () == 0)
    {
      struct passwd *user = getpwnam ("postgres");

      pg->uid = user != NULL ? user->pw_uid : 65534;
      pg->gid = user != NULL ? user->pw_gid : 65534;
      g_assert_cmpint (chown (pg->dir, pg->uid, pg->gid), ==, 0);
    }
  data = g_build_filename (pg->dir, "data", NULL);
  log = g_build_filename (pg->dir, "log", NULL);
  run (pg, "initdb", "-D", data, "-U", "baocao", "-A", "trust", "-E", "UTF8", "--locale=C",
       "--no-sync", NULL);
  options = g_strdup_printf ("-c listen_addresses='' -c unix_socket_directories='%s'"
                             " -c max_connections=200 -c shared_buffers=64MB%s",
                             pg->socket, durable ? "" : " -c fsync=off -c synchronous_commit=off");
  run (pg, "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "-t", "60", "start", NULL);

  /* Stops the cluster if this process dies without stopping it. */
  as_user = pg->uid != 0 ? g_strdup_printf ("setpriv --reuid=%u --regid=%u --clear-groups ",
                                            (unsigned) pg->uid, (unsigned) pg->gid)
                         : g_strdup ("");
  watchdog = g_strdup_printf ("while kill -0 %d 2>/dev/null; do sleep 1; done;"
                              " %s%s/pg_ctl -D %s -m immediate stop >/dev/null 2>&1; rm -rf %s",
                              (int) getpid (),
                              as_user,
                              pg->bindir, data, pg->dir);
  {
    const char *argv[] = { "/bin/sh", "-c", watchdog, NULL };

    g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                   NULL, NULL, NULL, NULL);
  }
  return pg;
}

static PGconn *
connect_admin (BcTestPg *pg)
{
  g_autofree char *uri = g_strdup_printf ("postgresql:///postgres?host=%s&user=baocao", pg->socket);
  PGconn *conn = PQconnectdb (uri);

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("cannot connect to the test cluster: %s", PQerrorMessage (conn));
  return conn;
}

char *
bc_test_pg_new_database (BcTestPg *pg)
{
  PGconn *conn = connect_admin (pg);
  g_autofree char *name = g_strdup_printf ("t%u", ++pg->n_databases);
  g_autofree char *sql = g_strdup_printf ("CREATE DATABASE %s", name);
  PGresult *res = PQexec (conn, sql);

  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  PQclear (res);
  PQfinish (conn);
  return g_strdup_printf ("postgresql:///%s?host=%s&user=baocao", name, pg->socket);
}

gint64
bc_test_pg_database_size (BcTestPg   *pg,
                          const char *uri)
{
  PGconn *conn = PQconnectdb (uri);
  PGresult *res = PQexec (conn, "SELECT pg_database_size (current_database ())");
  gint64 size = PQresultStatus (res) == PGRES_TUPLES_OK
                ? g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10) : -1;

  PQclear (res);
  PQfinish (conn);
  return size;
}

void
bc_test_pg_stop (BcTestPg *pg)
{
  g_autofree char *data = NULL;

  if (pg == NULL)
    return;
  data = g_build_filename (pg->dir, "data", NULL);
  run (pg, "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop", NULL);
  bc_test_remove_tree (pg->dir);
  g_free (pg->dir);
  g_free (pg->bindir);
  g_free (pg->socket);
  g_free (pg);
}
