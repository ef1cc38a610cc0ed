/* bc-sync-harness.c: a real baocao-server process, workbooks with reports to send, and a sync run to its end.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-sync-harness"

#include "config.h"

#include <string.h>

#include <signal.h>

#include <glib/gstdio.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "bc-entry.h"
#include "bc-outbox.h"
#include "bc-sync-harness.h"

struct _BcTestServer {
  char        *data_dir;
  char        *cert;
  char        *key;
  guint16      port;
  char        *url;
  GSubprocess *process;
};

static const char *
server_binary (void)
{
  const char *path = g_getenv ("BAOCAO_SERVER");

  if (path == NULL)
    g_error ("BAOCAO_SERVER must name the baocao-server binary");
  return path;
}

#ifdef __linux__
/* A server outlives no test that aborts: it dies with its parent. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}
#endif

static GSubprocessLauncher *
launcher_new (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
#endif
  /* Messages in English, so that their words can be looked for. */
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", "en", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  return launcher;
}

/* A data folder, or a PostgreSQL store's libpq URI. */
static gboolean
is_store_uri (const char *where)
{
  return g_str_has_prefix (where, "postgresql:") || g_str_has_prefix (where, "postgres:");
}

static const char *
store_option (const char *where)
{
  return is_store_uri (where) ? "--store" : "--data";
}

char *
bc_test_server_admin (const char *data_dir,
                      const char *first_arg,
                      ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher =
    launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) server_binary ());
  va_start (args, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, (gpointer) store_option (data_dir));
  g_ptr_array_add (argv, (gpointer) data_dir);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    g_error ("baocao-server %s failed: %s%s", first_arg, out, err);
  return g_steal_pointer (&out);
}

void
bc_test_server_prepare (const char *data_dir)
{
  g_autoptr(GError) error = NULL;
  /* A store's URI has no folder of its own for the two files. */
  g_autofree char *files = is_store_uri (data_dir) ? g_dir_make_tmp ("bc-harness-XXXXXX", &error)
                                                   : g_strdup (data_dir);
  g_autofree char *units = g_build_filename (files, "units.json", NULL);
  g_autofree char *password = g_build_filename (files, "password", NULL);
  g_autofree char *out = NULL;
  const char *units_json =
    "{ \"units\": ["
    "  { \"code\": \"QNG\", \"name\": \"Tỉnh Quảng Ngãi\", \"level\": \"province\","
    "    \"valid_from\": \"2015-01-01\" },"
    "  { \"code\": \"" BC_HARNESS_UNIT "\", \"name\": \"UBND tỉnh Quảng Ngãi\","
    "    \"level\": \"department\", \"parent\": \"QNG\", \"valid_from\": \"2015-01-01\" },"
    "  { \"code\": \"" BC_HARNESS_OTHER_UNIT "\", \"name\": \"UBND huyện Sơn Tịnh\","
    "    \"level\": \"district\", \"parent\": \"QNG\", \"valid_from\": \"2015-01-01\" } ] }";

  g_assert_no_error (error);
  g_mkdir_with_parents (files, 0700);
  g_file_set_contents (units, units_json, -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (password, BC_HARNESS_PASSWORD "\n", -1, &error);
  g_assert_no_error (error);

  g_free (bc_test_server_admin (data_dir, "units", "load", units, NULL));
  out = bc_test_server_admin (data_dir, "users", "add", "user-0", "--unit", BC_HARNESS_UNIT,
                              "--password-file", password, NULL);
  g_free (bc_test_server_admin (data_dir, "users", "add", "user-1", "--unit", BC_HARNESS_OTHER_UNIT,
                                "--password-file", password, NULL));
  if (is_store_uri (data_dir))
    {
      g_remove (units);
      g_remove (password);
      g_rmdir (files);
    }
}

static void
server_spawn (BcTestServer *server)
{
  g_autoptr(GSubprocessLauncher) launcher = launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", server->port);
  g_autofree char *line = NULL;
  const char *http;
  const char *argv[] = {
    server_binary (), "serve", store_option (server->data_dir), server->data_dir, "--listen", listen,
    "--rate-limit", "0", NULL, NULL, NULL, NULL, NULL,
  };

  if (server->cert != NULL)
    {
      argv[8] = "--tls-cert";
      argv[9] = server->cert;
      argv[10] = "--tls-key";
      argv[11] = server->key;
    }

  g_clear_object (&server->process);
  server->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  /* "Listening on http://127.0.0.1:PORT" once it takes connections. */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL || (http = strstr (line, "http")) == NULL)
    g_error ("baocao-server serve did not start: %s", line != NULL ? line : "(no output)");
  g_free (server->url);
  server->url = g_strdup (http);
  g_strchomp (server->url);
  if (server->port == 0)
    {
      const char *colon = strrchr (server->url, ':');

      g_assert_nonnull (colon);
      server->port = (guint16) g_ascii_strtoull (colon + 1, NULL, 10);
    }
}

BcTestServer *
bc_test_server_start (const char *data_dir,
                      guint16     port,
                      const char *cert,
                      const char *key)
{
  BcTestServer *server = g_new0 (BcTestServer, 1);

  server->data_dir = g_strdup (data_dir);
  server->port = port;
  server->cert = g_strdup (cert);
  server->key = g_strdup (key);
  server_spawn (server);
  return server;
}

guint16
bc_test_server_get_port (BcTestServer *server)
{
  return server->port;
}

const char *
bc_test_server_get_url (BcTestServer *server)
{
  return server->url;
}

void
bc_test_server_kill (BcTestServer *server)
{
  g_subprocess_force_exit (server->process);
  g_subprocess_wait (server->process, NULL, NULL);
}

void
bc_test_server_restart (BcTestServer *server)
{
  /* The port may stay busy for a moment after the kill. */
  for (guint i = 0;; i++)
    {
      g_autoptr(GSocketListener) probe = g_socket_listener_new ();
      g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, server->port);

      if (g_socket_listener_add_address (probe, address, G_SOCKET_TYPE_STREAM,
                                         G_SOCKET_PROTOCOL_TCP, NULL, NULL, NULL) || i == 200)
        break;
      g_usleep (10 * 1000);
    }
  server_spawn (server);
}

void
bc_test_server_free (BcTestServer *server)
{
  if (server->process != NULL && g_subprocess_get_identifier (server->process) != NULL)
    {
#ifdef G_OS_UNIX
      g_subprocess_send_signal (server->process, SIGTERM);
#else
      g_subprocess_force_exit (server->process);
#endif
      g_subprocess_wait (server->process, NULL, NULL);
    }
  g_clear_object (&server->process);
  g_free (server->data_dir);
  g_free (server->cert);
  g_free (server->key);
  g_free (server->url);
  g_free (server);
}

/* Certificates --------------------------------------------------------- */

static void
openssl (const char *dir,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  va_list args;
  int status;

  g_ptr_array_add (argv, (gpointer) "openssl");
  va_start (args, dir);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (dir, (char **) argv->pdata, NULL,
                G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("openssl %s failed: %s", (const char *) argv->pdata[1], err);
}

static void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
signed_certificate (const char *dir,
                    const char *name,
                    const char *common_name,
                    const char *alt_names)
{
  g_autofree char *key = g_strconcat (name, ".key", NULL);
  g_autofree char *csr = g_strconcat (name, ".csr", NULL);
  g_autofree char *pem = g_strconcat (name, ".pem", NULL);
  g_autofree char *ext_name = g_strconcat (name, ".ext", NULL);
  g_autofree char *ext = g_strdup_printf ("subjectAltName=%s\nbasicConstraints=CA:FALSE\n"
                                          "extendedKeyUsage=serverAuth\n", alt_names);
  g_autofree char *subject = g_strconcat ("/CN=", common_name, NULL);

  write_file (dir, ext_name, ext);
  openssl (dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
           "-keyout", key, "-out", csr, "-subj", subject, NULL);
  openssl (dir, "x509", "-req", "-in", csr, "-CA", "ca.pem", "-CAkey", "ca.key",
           "-CAcreateserial", "-out", pem, "-days", "2", "-extfile", ext_name, NULL);
}

gboolean
bc_test_make_certificates (const char *dir)
{
  g_autofree char *program = g_find_program_in_path ("openssl");

  if (program == NULL)
    return FALSE;

  openssl (dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
           "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
           "-subj", "/CN=Baocao Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
           "-addext", "keyUsage=critical,keyCertSign,cRLSign", NULL);
  signed_certificate (dir, "good", "127.0.0.1", "IP:127.0.0.1,DNS:localhost");
  signed_certificate (dir, "wronghost", "baocao.example", "DNS:baocao.example");
  openssl (dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
           "-nodes", "-keyout", "self.key", "-out", "self.pem", "-days", "2",
           "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", NULL);
  return TRUE;
}

/* Workbooks ------------------------------------------------------------ */

BcWorkbook *
bc_test_workbook_new (const char *dir,
                      const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplateRegistry) templates = bc_template_registry_new_default (&error);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  BcWorkbook *workbook;

  g_assert_no_error (error);
  workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);
  return workbook;
}

/* The demo's 2018Q2 quarterly report (a draft), parsed once. */
static JsonObject *
demo_report (void)
{
  static JsonObject *report;

  if (g_once_init_enter (&report))
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      const char *dir = g_getenv ("BAOCAO_DEMO_DIR");
      g_autofree char *path = g_build_filename (dir != NULL ? dir : SOURCE_ROOT "/data/demo",
                                                "quang-ngai-2018q2.json", NULL);
      JsonArray *reports;
      JsonObject *found = NULL;

      json_parser_load_from_file (parser, path, &error);
      g_assert_no_error (error);
      reports = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                              "reports");
      for (guint i = 0; i < json_array_get_length (reports); i++)
        {
          JsonObject *object = json_array_get_object_element (reports, i);

          if (g_str_equal (json_object_get_string_member (object, "period"), "2018Q2"))
            found = object;
        }
      g_assert_nonnull (found);
      g_once_init_leave (&report, json_object_ref (found));
    }
  return report;
}

/* A deep copy (json_node_copy() shares objects) of the demo report. */
static JsonNode *
demo_copy (void)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;
  JsonNode *copy;

  json_node_set_object (node, demo_report ());
  text = json_to_string (node, FALSE);
  copy = json_from_string (text, NULL);
  g_assert_nonnull (copy);
  return copy;
}

char *
bc_test_period (guint index)
{
  return g_strdup_printf ("%uQ%u", 2000 + index / 2, 1 + 2 * (index % 2));
}

GPtrArray *
bc_test_queue_many (BcWorkbook *workbook,
                    guint       first,
                    guint       n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) file = json_object_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  JsonArray *reports = json_array_new ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonNode) copy = demo_copy ();
      g_autofree char *period = bc_test_period (first + i);
      JsonObject *report, *values, *justifications;
      char *id = g_uuid_string_random ();

      report = json_node_get_object (copy);
      json_object_set_string_member (report, "id", id);
      json_object_set_string_member (report, "period", period);
      json_object_set_string_member (report, "status", "ready");
      /* As bc_test_new_draft() completes it. */
      values = json_object_get_object_member (report, "values");
      json_object_set_string_member (values, "services_level3", "92");
      json_object_set_string_member (values, "services_level4", "2");
      justifications = json_object_get_object_member (report, "justifications");
      json_object_set_string_member (justifications, "sectors_match_total",
                                     "Bảng chỉ liệt kê các lĩnh vực chính.");
      json_array_add_element (reports, g_steal_pointer (&copy));
      g_ptr_array_add (ids, id);
    }
  json_object_set_int_member (file, "format", 1);
  json_object_set_array_member (file, "reports", reports);
  json_node_set_object (root, file);
  {
    guint imported = bc_workbook_import_json (workbook, root, &error);

    g_assert_no_error (error);
    g_assert_cmpint (imported, ==, n);
  }

  for (guint i = 0; i < n; i++)
    {
      bc_workbook_set_status (workbook, g_ptr_array_index (ids, i), BC_STATUS_QUEUED, NULL, &error);
      g_assert_no_error (error);
    }
  return ids;
}

char *
bc_test_new_draft (BcWorkbook *workbook,
                   const char *period,
                   const char *unit)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) copy = demo_copy ();
  g_autoptr(JsonObject) file = json_object_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonArray *reports = json_array_new ();
  JsonObject *report;
  char *id = g_uuid_string_random ();

  report = json_node_get_object (copy);
  json_object_set_string_member (report, "id", id);
  json_object_set_string_member (report, "period", period);
  json_object_set_string_member (report, "unit", unit != NULL ? unit : BC_HARNESS_UNIT);
  json_object_set_string_member (report, "status", "draft");
  json_array_add_element (reports, json_node_copy (copy));
  json_object_set_int_member (file, "format", 1);
  json_object_set_array_member (file, "reports", reports);
  json_node_set_object (root, file);

  g_assert_cmpint (bc_workbook_import_json (workbook, root, &error), ==, 1);
  g_assert_no_error (error);
  /* What the demo draft still misses before it can be ready: the level 3
   * and 4 counts (94 services received dossiers), and a word on why its
   * table lists only 70 of them by sector. */
  bc_workbook_set_value (workbook, id, "services_level3", 0, "92", &error);
  g_assert_no_error (error);
  bc_workbook_set_value (workbook, id, "services_level4", 0, "2", &error);
  g_assert_no_error (error);
  bc_workbook_set_justification (workbook, id, "sectors_match_total", 0,
                                 "Bảng chỉ liệt kê các lĩnh vực chính.", &error);
  g_assert_no_error (error);
  return id;
}

void
bc_test_ready_and_queue (BcWorkbook *workbook,
                         const char *report_id)
{
  g_autoptr(GError) error = NULL;

  bc_workbook_set_status (workbook, report_id, BC_STATUS_READY, NULL, &error);
  g_assert_no_error (error);
  bc_workbook_set_status (workbook, report_id, BC_STATUS_QUEUED, NULL, &error);
  g_assert_no_error (error);
}

char *
bc_test_queue_new_report (BcWorkbook *workbook,
                          const char *period,
                          const char *unit)
{
  char *id = bc_test_new_draft (workbook, period, unit);

  bc_test_ready_and_queue (workbook, id);
  return id;
}

void
bc_test_edit_and_queue (BcWorkbook *workbook,
                        const char *report_id,
                        const char *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = bc_workbook_load_report (workbook, report_id, &error);

  g_assert_no_error (error);
  if (bc_report_get_status (report) == BC_STATUS_RETURNED)
    {
      bc_workbook_set_status (workbook, report_id, BC_STATUS_DRAFT, NULL, &error);
      g_assert_no_error (error);
    }
  bc_workbook_set_value (workbook, report_id, "difficulties_text", 0, value, &error);
  g_assert_no_error (error);
  bc_test_ready_and_queue (workbook, report_id);
}

/* Clients -------------------------------------------------------------- */

BcSyncClient *
bc_test_client_new (BcWorkbook *workbook,
                    const char *dir)
{
  BcSyncClient *client = bc_sync_client_new (workbook);
  g_autofree char *token = g_build_filename (dir, "token", NULL);

  bc_sync_client_set_token_file (client, token);
  return client;
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GMainContext  *context,
          GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (context, TRUE);
  return *result;
}

gboolean
bc_test_client_enrol (BcSyncClient  *client,
                      const char    *url,
                      const char    *user,
                      GError       **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(BcSyncEnrolment) enrolment = NULL;

  g_main_context_push_thread_default (context);
  bc_sync_client_enrol_async (client, url, user, BC_HARNESS_PASSWORD, "test", NULL,
                              on_done, &result);
  enrolment = bc_sync_client_enrol_finish (client, wait_for (context, &result), error);
  g_main_context_pop_thread_default (context);
  return enrolment != NULL;
}

BcSyncSummary *
bc_test_client_sync (BcSyncClient  *client,
                     GError       **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  BcSyncSummary *summary = NULL;

  g_main_context_push_thread_default (context);
  for (guint attempt = 0; summary == NULL; attempt++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) local_error = NULL;

      bc_sync_client_sync_async (client, NULL, on_done, &result);
      summary = bc_sync_client_sync_finish (client, wait_for (context, &result), &local_error);
      /* The client says it is still busy for a moment after the previous
       * sync's callback (its worker thread lets go of the task last): a
       * caller that syncs again at once must wait that moment. */
      if (summary == NULL
          && (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_BUSY) || attempt == 500))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          break;
        }
      if (summary == NULL)
        g_usleep (10 * 1000);
    }
  g_main_context_pop_thread_default (context);
  return summary;
}

/* Checks --------------------------------------------------------------- */

static void
queued_clear (BcTestQueued *queued)
{
  g_free (queued->hash);
}

BcTestTracked *
bc_test_tracked_new (const char *report_id)
{
  BcTestTracked *tracked = g_new0 (BcTestTracked, 1);

  tracked->id = g_strdup (report_id);
  tracked->queued = g_array_new (FALSE, FALSE, sizeof (BcTestQueued));
  g_array_set_clear_func (tracked->queued, (GDestroyNotify) queued_clear);
  return tracked;
}

void
bc_test_tracked_free (BcTestTracked *tracked)
{
  g_free (tracked->id);
  g_array_unref (tracked->queued);
  g_free (tracked);
}

void
bc_test_tracked_add (BcTestTracked *tracked,
                     gint64         revision,
                     const char    *hash)
{
  BcTestQueued queued = { revision, g_strdup (hash) };

  g_assert_nonnull (hash);
  g_array_append_val (tracked->queued, queued);
  tracked->returned = FALSE;
}

const BcTestQueued *
bc_test_tracked_last (const BcTestTracked *tracked)
{
  g_assert_cmpuint (tracked->queued->len, >, 0);
  return &g_array_index (tracked->queued, BcTestQueued, tracked->queued->len - 1);
}

/* The workbook's outbox items (BcOutboxItem*, owned) by report id. */
static GHashTable *
outbox_by_report (BcWorkbook *workbook)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = bc_outbox_list (workbook, &error);
  GHashTable *outbox = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                              (GDestroyNotify) bc_outbox_item_free);

  g_assert_no_error (error);
  /* The items leave the array for the table. */
  g_ptr_array_set_free_func (items, NULL);
  for (guint i = 0; i < items->len; i++)
    g_hash_table_insert (outbox, ((BcOutboxItem *) g_ptr_array_index (items, i))->report_id,
                         g_ptr_array_index (items, i));
  return outbox;
}

void
bc_test_note_queued (BcWorkbook           *workbook,
                     BcTestTracked * const *tracked,
                     guint                 n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) outbox = outbox_by_report (workbook);
  for (guint i = 0; i < n; i++)
    {
      BcOutboxItem *item = g_hash_table_lookup (outbox, tracked[i]->id);

      if (item == NULL)
        g_error ("report %s was queued but is not in the outbox", tracked[i]->id);
      bc_test_tracked_add (tracked[i], item->revision, item->content_hash);
    }
}

void
bc_test_check_nothing_forgotten (BcWorkbook  *workbook,
                                 GPtrArray   *reports,
                                 const char  *who,
                                 BcTestTally *tally)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) outbox = outbox_by_report (workbook);
  for (guint i = 0; i < reports->len; i++)
    {
      BcTestTracked *tracked = g_ptr_array_index (reports, i);
      const BcTestQueued *last = bc_test_tracked_last (tracked);
      BcOutboxItem *item = g_hash_table_lookup (outbox, tracked->id);
      g_autoptr(BcSyncState) state = NULL;

      if (item != NULL)
        {
          if (item->revision != last->revision || g_strcmp0 (item->content_hash, last->hash) != 0)
            tally->wrong++;
          continue;
        }
      state = bc_outbox_get_state (workbook, tracked->id, &error);
      g_assert_no_error (error);
      if (state == NULL || state->acked_revision < last->revision)
        {
          g_test_message ("%s: report %s revision %" G_GINT64_FORMAT " is neither in the outbox "
                          "nor acknowledged", who, tracked->id, last->revision);
          tally->losses++;
        }
    }
}

GHashTable *
bc_test_feed_receipts (BcServerStore *store,
                       const char    *unit,
                       BcTestTally   *tally)
{
  GHashTable *feed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) numbers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  gint64 since = 0;

  for (;;)
    {
      g_autoptr(JsonArray) changes = bc_server_store_changes (store, unit, since, 500, &error);
      guint n;

      g_assert_no_error (error);
      n = json_array_get_length (changes);
      for (guint i = 0; i < n; i++)
        {
          JsonObject *change = json_array_get_object_element (changes, i);
          g_autofree char *key = NULL;
          const char *number;

          g_assert_cmpint (json_object_get_int_member (change, "seq"), >, since);
          since = json_object_get_int_member (change, "seq");
          if (!g_str_equal (json_object_get_string_member (change, "kind"), "receipt"))
            continue;
          key = g_strdup_printf ("%s@%" G_GINT64_FORMAT,
                                 json_object_get_string_member (change, "report_id"),
                                 json_object_get_int_member (change, "revision"));
          g_hash_table_insert (feed, g_strdup (key),
                               GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (feed, key)) + 1));
          number = json_object_get_string_member (json_object_get_object_member (change, "receipt"),
                                                  "number");
          if (!g_hash_table_add (numbers, g_strdup (number)))
            {
              g_test_message ("receipt %s given twice", number);
              tally->duplicates++;
            }
        }
      if (n < 500)
        break;
    }
  return feed;
}

void
bc_test_check_report (BcServerStore       *store,
                      const char          *unit,
                      GHashTable          *feed,
                      BcWorkbook          *workbook,
                      const BcTestTracked *tracked,
                      const char          *who,
                      BcTestTally         *tally)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) report = bc_server_store_get_report (store, unit, tracked->id, &error);
  g_autoptr(BcSyncState) state = NULL;
  const BcTestQueued *last = bc_test_tracked_last (tracked);
  const char *last_receipt = NULL;
  JsonArray *revisions;

  g_assert_no_error (error);
  if (report == NULL)
    {
      g_test_message ("%s: report %s is not on the server", who, tracked->id);
      tally->losses += tracked->queued->len;
      return;
    }
  revisions = json_object_get_array_member (report, "revisions");

  /* Each queued revision on the server once, with its content, and one
   * receipt for it in the feed. */
  for (guint q = 0; q < tracked->queued->len; q++)
    {
      const BcTestQueued *queued = &g_array_index (tracked->queued, BcTestQueued, q);
      g_autofree char *key = g_strdup_printf ("%s@%" G_GINT64_FORMAT, tracked->id, queued->revision);
      guint in_feed = GPOINTER_TO_UINT (g_hash_table_lookup (feed, key));
      guint found = 0;

      for (guint r = 0; r < json_array_get_length (revisions); r++)
        {
          JsonObject *revision = json_array_get_object_element (revisions, r);

          if (json_object_get_int_member (revision, "revision") != queued->revision)
            continue;
          found++;
          if (!g_str_equal (json_object_get_string_member (revision, "content_hash"), queued->hash))
            tally->wrong++;
          if (json_object_get_boolean_member (revision, "conflict"))
            tally->conflicts++;
          if (queued->revision == last->revision)
            last_receipt = json_object_get_string_member (
              json_object_get_object_member (revision, "receipt"), "number");
        }
      if (found != 1 || in_feed != 1)
        g_test_message ("%s: report %s revision %" G_GINT64_FORMAT " is on the server %u times, "
                        "with %u receipts in the feed", who, tracked->id, queued->revision,
                        found, in_feed);
      tally->losses += found == 0 ? 1 : 0;
      tally->duplicates += found > 1 ? found - 1 : 0;
      tally->losses += in_feed == 0 && found > 0 ? 1 : 0;
      tally->duplicates += in_feed > 1 ? in_feed - 1 : 0;
    }
  /* Nothing the workbook never queued. */
  if (json_array_get_length (revisions) > tracked->queued->len)
    tally->duplicates += json_array_get_length (revisions) - tracked->queued->len;

  /* The workbook holds the receipt the server gave for the last one. */
  state = bc_outbox_get_state (workbook, tracked->id, &error);
  g_assert_no_error (error);
  if (state == NULL || state->acked_revision != last->revision)
    {
      g_test_message ("%s: report %s revision %" G_GINT64_FORMAT " has no receipt in the workbook",
                      who, tracked->id, last->revision);
      tally->losses++;
    }
  else if (g_strcmp0 (state->receipt_number, last_receipt) != 0)
    {
      g_test_message ("%s: report %s: the workbook's receipt %s, the server's %s", who,
                      tracked->id, state->receipt_number, last_receipt);
      tally->wrong++;
    }
}

void
bc_test_tally_assert_clean (const BcTestTally *tally)
{
  g_test_message ("duplicates %u, losses %u, wrong %u, conflicts %u",
                  tally->duplicates, tally->losses, tally->wrong, tally->conflicts);
  g_assert_cmpuint (tally->duplicates, ==, 0);
  g_assert_cmpuint (tally->losses, ==, 0);
  g_assert_cmpuint (tally->wrong, ==, 0);
  g_assert_cmpuint (tally->conflicts, ==, 0);
}
