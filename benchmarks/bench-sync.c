/* bench-sync.c: what syncing costs: bytes per report, time on loopback, a slow link, many clients.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * meson test --benchmark -C _build --verbose sync-…; each prints its figures
 * and never fails because a machine is slow.
 *
 *   wire-size   bytes on the wire per quarterly report, gzip vs plain JSON
 *   push-1000   1,000 reports pushed to a baocao-server process on loopback
 *   slow-link   20 reports through the proxy at 64 kbit/s and 300 ms each
 *               way, as a ratio to the wire minimum
 *   clients-200 200 clients syncing at once: latency p50/p99 and errors
 *
 * The server is a real `baocao-server serve` process ($BAOCAO_SERVER), with
 * its rate limit off; clients are BcSyncClient in this process.
 */
#define G_LOG_DOMAIN "bench-sync"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "bc-entry.h"
#include "bc-fault-proxy.h"
#include "bc-sync-harness.h"
#include "bc-test-util.h"
#include "bc-wire.h"

typedef struct {
  char         *dir;        /* the clients' workbooks */
  char         *server_dir;
  char         *data_dir;
  BcTestServer *server;
} Bench;

/* Client workbooks go to memory (/dev/shm) where there is one: filling a
 * thousand of them is set-up, not what is measured, and each of their
 * commits waits for the disk. The server's data goes to the temporary
 * folder's disk (server_in_memory: to memory too, to show what the disk
 * costs). */
static void
bench_start (Bench      *bench,
             const char *name,
             gboolean    server_in_memory)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *template_ = g_strconcat ("bench-sync-", name, "-XXXXXX", NULL);
  gboolean shm = g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR);
  g_autofree char *memory = shm ? g_build_filename ("/dev/shm", template_, NULL) : NULL;

  bench->dir = shm ? g_mkdtemp (g_strdup (memory)) : g_dir_make_tmp (template_, &error);
  if (bench->dir == NULL)
    g_error ("%s", error != NULL ? error->message : g_strerror (errno));
  bench->server_dir = server_in_memory && shm ? g_mkdtemp (g_strdup (memory))
                                              : g_dir_make_tmp (template_, &error);
  if (bench->server_dir == NULL)
    g_error ("%s", error != NULL ? error->message : g_strerror (errno));
  bench->data_dir = g_build_filename (bench->server_dir, "server", NULL);
  bc_test_server_prepare (bench->data_dir);
  bench->server = bc_test_server_start (bench->data_dir, 0, NULL, NULL);
}

static void
bench_stop (Bench *bench)
{
  bc_test_server_free (bench->server);
  bc_test_remove_tree (bench->dir);
  bc_test_remove_tree (bench->server_dir);
  g_free (bench->data_dir);
  g_free (bench->server_dir);
  g_free (bench->dir);
}

/* A workbook in bench->dir/sub enrolled at `url` as user-0. */
static BcSyncClient *
enrolled_client (Bench       *bench,
                 const char  *sub,
                 const char  *url,
                 BcWorkbook **workbook_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (bench->dir, sub, NULL);
  BcWorkbook *workbook;
  BcSyncClient *client;

  g_mkdir_with_parents (dir, 0700);
  workbook = bc_test_workbook_new (dir, "client.baocao");
  client = bc_test_client_new (workbook, dir);
  if (!bc_test_client_enrol (client, url, "user-0", &error))
    g_error ("enrol: %s", error->message);
  *workbook_out = workbook;
  return client;
}

/* Copies the client's workbook and token from `from` to a folder on
 * disk and opens them there. */
static BcSyncClient *
client_on_disk (const char  *from,
                const char  *to,
                BcWorkbook **workbook_out)
{
  const char *names[] = { "client.baocao", "token" };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *source = g_build_filename (from, names[i], NULL);
      g_autofree char *dest = g_build_filename (to, names[i], NULL);
      g_autoptr(GFile) source_file = g_file_new_for_path (source);
      g_autoptr(GFile) dest_file = g_file_new_for_path (dest);

      if (!g_file_copy (source_file, dest_file, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error))
        g_error ("%s", error->message);
    }
  *workbook_out = bc_test_workbook_new (to, "client.baocao");
  return bc_test_client_new (*workbook_out, to);
}

static void
push_1000 (gboolean client_in_memory,
           gboolean server_in_memory)
{
  const guint n = 1000;
  g_autoptr(GError) error = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(BcSyncClient) client = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(BcSyncSummary) summary = NULL;
  g_autofree char *memory_dir = NULL;
  g_autofree char *disk_dir = NULL;
  gint64 start, setup, elapsed;
  guint stored = 0;
  Bench bench = { 0 };

  bench_start (&bench, "push", server_in_memory);
  client = enrolled_client (&bench, "client", bc_test_server_get_url (bench.server), &workbook);
  start = g_get_monotonic_time ();
  ids = bc_test_queue_many (workbook, 0, n);
  setup = g_get_monotonic_time () - start;
  if (!client_in_memory)
    {
      /* Filled in memory, then moved to disk: where a person's workbook is. */
      memory_dir = g_build_filename (bench.dir, "client", NULL);
      disk_dir = g_build_filename (bench.server_dir, "client", NULL);
      g_mkdir_with_parents (disk_dir, 0700);
      bc_workbook_close (workbook);
      g_clear_object (&workbook);
      g_clear_object (&client);
      client = client_on_disk (memory_dir, disk_dir, &workbook);
    }

  start = g_get_monotonic_time ();
  summary = bc_test_client_sync (client, &error);
  elapsed = g_get_monotonic_time () - start;
  if (summary == NULL)
    g_error ("sync: %s", error->message);
  for (guint i = 0; i < summary->results->len; i++)
    stored += ((BcSyncPushResult *) g_ptr_array_index (summary->results, i))->result == BC_SYNC_RESULT_STORED;

  printf ("%u reports pushed on loopback in %.3f s (%.2f ms a report; goal under 2 s), "
          "workbook %s, server data %s: %u stored, %" G_GUINT64_FORMAT " bytes sent, %"
          G_GUINT64_FORMAT " received (queueing them took %.2f s, not counted)\n",
          n, elapsed / 1e6, elapsed / 1e3 / n,
          client_in_memory ? "in memory" : "on disk",
          server_in_memory ? "in memory" : "on disk", stored,
          bc_sync_client_get_bytes_sent (client), bc_sync_client_get_bytes_received (client),
          setup / 1e6);

  bc_workbook_close (workbook);
  bench_stop (&bench);
}

static int
bench_push_1000 (void)
{
  /* As a person has it (both on disk), then without the client's disk,
   * then without any disk: where the time goes. */
  push_1000 (FALSE, FALSE);
  push_1000 (TRUE, FALSE);
  push_1000 (TRUE, TRUE);
  return 0;
}

static int
bench_slow_link (void)
{
  const guint n = 20;
  const guint64 bandwidth = 64000;
  const gint64 latency = 300 * 1000;
  g_autoptr(GError) error = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(BcSyncClient) client = NULL;
  g_autoptr(BcFaultProxy) proxy = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autofree char *url = NULL;
  BcFaultPlan plan = { .bandwidth_bps = bandwidth, .latency_usec = latency };
  Bench bench = { 0 };

  bench_start (&bench, "slow", FALSE);
  proxy = bc_fault_proxy_new ("127.0.0.1", bc_test_server_get_port (bench.server), &error);
  if (proxy == NULL)
    g_error ("%s", error->message);
  url = bc_fault_proxy_dup_uri (proxy);
  client = enrolled_client (&bench, "client", url, &workbook);
  ids = bc_test_queue_many (workbook, 0, n);

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(BcSyncSummary) summary = NULL;
      guint64 up, down;
      gint64 start, elapsed;
      double minimum;

      /* The first round sends the 20; the second has nothing to send:
       * what a sync costs on such a link when the outbox is empty. */
      bc_fault_proxy_reset_counters (proxy);
      bc_fault_proxy_set_plan (proxy, &plan);
      start = g_get_monotonic_time ();
      summary = bc_test_client_sync (client, &error);
      elapsed = g_get_monotonic_time () - start;
      bc_fault_proxy_set_plan (proxy, NULL);
      if (summary == NULL)
        g_error ("sync: %s", error->message);
      up = bc_fault_proxy_get_bytes (proxy, BC_FAULT_UP);
      down = bc_fault_proxy_get_bytes (proxy, BC_FAULT_DOWN);
      /* The wire minimum: every byte at the bandwidth, plus two round trips. */
      minimum = (double) (up + down) * 8 / bandwidth + 4.0 * latency / G_USEC_PER_SEC;
      printf ("%s at 64 kbit/s, 300 ms each way: %.2f s; %" G_GUINT64_FORMAT " bytes up, %"
              G_GUINT64_FORMAT " down, %u connection(s); wire minimum %.2f s; "
              "ratio %.2f (goal ≤ 1.2)\n",
              round == 0 ? "20 reports" : "a sync with nothing to send",
              elapsed / 1e6, up, down, bc_fault_proxy_get_connections (proxy), minimum,
              elapsed / 1e6 / minimum);
    }

  bc_workbook_close (workbook);
  bc_fault_proxy_stop (proxy);
  bench_stop (&bench);
  return 0;
}

typedef struct {
  BcSyncClient *client;
  GMutex       *mutex;
  GCond        *cond;
  gboolean     *go;
  gint64        latency;
  gboolean      failed;
  char         *message;
} Runner;

static gpointer
runner_thread (gpointer data)
{
  Runner *runner = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BcSyncSummary) summary = NULL;
  gint64 start;

  g_mutex_lock (runner->mutex);
  while (!*runner->go)
    g_cond_wait (runner->cond, runner->mutex);
  g_mutex_unlock (runner->mutex);

  start = g_get_monotonic_time ();
  summary = bc_test_client_sync (runner->client, &error);
  runner->latency = g_get_monotonic_time () - start;
  runner->failed = summary == NULL || summary->results->len != 1
                   || ((BcSyncPushResult *) g_ptr_array_index (summary->results, 0))->result
                      != BC_SYNC_RESULT_STORED;
  if (error != NULL)
    runner->message = g_strdup (error->message);
  return NULL;
}

static void clients_in_processes (Bench *bench,
                                  guint  n);

static int
bench_clients_200 (void)
{
  const guint n = 200;
  g_autofree Runner *runners = g_new0 (Runner, n);
  g_autofree GThread **threads = g_new0 (GThread *, n);
  g_autofree gint64 *latencies = g_new0 (gint64, n);
  g_autoptr(GPtrArray) workbooks = g_ptr_array_new_with_free_func (g_object_unref);
  GMutex mutex;
  GCond cond;
  gboolean go = FALSE;
  guint errors = 0;
  gint64 start, wall, enrol_start, enrol_time;
  Bench bench = { 0 };

  g_mutex_init (&mutex);
  g_cond_init (&cond);
  bench_start (&bench, "clients", FALSE);

  /* 200 devices, each enrolled (an Argon2id check each on the server) and
   * holding one report of its own. */
  enrol_start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *sub = g_strdup_printf ("client-%03u", i);
      BcWorkbook *workbook = NULL;
      g_autoptr(GPtrArray) ids = NULL;

      runners[i].client = enrolled_client (&bench, sub, bc_test_server_get_url (bench.server),
                                           &workbook);
      ids = bc_test_queue_many (workbook, i, 1);
      g_ptr_array_add (workbooks, workbook);
      runners[i].mutex = &mutex;
      runners[i].cond = &cond;
      runners[i].go = &go;
    }
  enrol_time = g_get_monotonic_time () - enrol_start;

  for (guint i = 0; i < n; i++)
    threads[i] = g_thread_new ("client", runner_thread, &runners[i]);
  g_usleep (200 * 1000);
  start = g_get_monotonic_time ();
  g_mutex_lock (&mutex);
  go = TRUE;
  g_cond_broadcast (&cond);
  g_mutex_unlock (&mutex);
  for (guint i = 0; i < n; i++)
    g_thread_join (threads[i]);
  wall = g_get_monotonic_time () - start;

  for (guint i = 0; i < n; i++)
    {
      latencies[i] = runners[i].latency;
      if (runners[i].failed)
        {
          if (errors++ < 5)
            fprintf (stderr, "client %u: %s\n", i,
                     runners[i].message != NULL ? runners[i].message : "not stored");
        }
      g_free (runners[i].message);
      g_object_unref (runners[i].client);
    }
  qsort (latencies, n, sizeof (gint64), bc_test_compare_gint64);
  printf ("%u clients syncing at once, threads of one process (one new report each): p50 %.0f ms, p99 %.0f ms, "
          "max %.0f ms, all done in %.2f s; %u errors (goal 0) "
          "(enrolling them took %.1f s, not counted)\n",
          n, latencies[n / 2] / 1e3, latencies[n * 99 / 100] / 1e3, latencies[n - 1] / 1e3,
          wall / 1e6, errors, enrol_time / 1e6);

  /* Again with one process per client, each with a new report: what the
   * server sees from 200 machines (their start-up is not counted: each
   * reports when it is ready, and all start on one word). */
  for (guint i = 0; i < workbooks->len; i++)
    {
      g_autoptr(GPtrArray) ids = bc_test_queue_many (g_ptr_array_index (workbooks, i), n + i, 1);

      bc_workbook_close (g_ptr_array_index (workbooks, i));
    }
  clients_in_processes (&bench, n);

  bench_stop (&bench);
  g_mutex_clear (&mutex);
  g_cond_clear (&cond);
  return 0;
}

static const char *self_path;

/* bench-sync clients-child DIR: one client of clients-200 in a process. */
static int
clients_child (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcWorkbook) workbook = bc_test_workbook_new (dir, "client.baocao");
  g_autoptr(BcSyncClient) client = bc_test_client_new (workbook, dir);
  g_autoptr(BcSyncSummary) summary = NULL;
  char line[16];
  gint64 start, latency;
  gboolean ok;

  printf ("ready\n");
  fflush (stdout);
  if (fgets (line, sizeof line, stdin) == NULL)
    return 1;
  start = g_get_monotonic_time ();
  summary = bc_test_client_sync (client, &error);
  latency = g_get_monotonic_time () - start;
  ok = summary != NULL && summary->results->len == 1
       && ((BcSyncPushResult *) g_ptr_array_index (summary->results, 0))->result == BC_SYNC_RESULT_STORED;
  printf ("%" G_GINT64_FORMAT " %s\n", latency,
          ok ? "ok" : error != NULL ? error->message : "not stored");
  bc_workbook_close (workbook);
  return 0;
}

static void
clients_in_processes (Bench *bench,
                      guint  n)
{
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) outs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree gint64 *latencies = g_new0 (gint64, n);
  guint errors = 0;
  gint64 start, wall;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *dir = g_strdup_printf ("%s/client-%03u", bench->dir, i);
      const char *argv[] = { self_path, "clients-child", dir, NULL };
      GSubprocess *child = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE
                                                    | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);

      if (child == NULL)
        g_error ("%s", error->message);
      g_ptr_array_add (children, child);
      g_ptr_array_add (outs, g_data_input_stream_new (g_subprocess_get_stdout_pipe (child)));
    }
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (g_ptr_array_index (outs, i),
                                                                  NULL, NULL, NULL);

      if (g_strcmp0 (line, "ready") != 0)
        g_error ("client process %u did not start", i);
    }

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      GOutputStream *in = g_subprocess_get_stdin_pipe (g_ptr_array_index (children, i));

      g_output_stream_write_all (in, "go\n", 3, NULL, NULL, NULL);
      g_output_stream_flush (in, NULL, NULL);
    }
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (g_ptr_array_index (outs, i),
                                                                  NULL, NULL, NULL);
      char *rest = NULL;

      latencies[i] = line != NULL ? g_ascii_strtoll (line, &rest, 10) : 0;
      if (line == NULL || rest == NULL || !g_str_equal (rest, " ok"))
        {
          if (errors++ < 5)
            fprintf (stderr, "client process %u: %s\n", i, line != NULL ? line : "(no answer)");
        }
      g_subprocess_wait (g_ptr_array_index (children, i), NULL, NULL);
    }
  wall = g_get_monotonic_time () - start;

  qsort (latencies, n, sizeof (gint64), bc_test_compare_gint64);
  printf ("%u clients syncing at once, one process each (one new report each): p50 %.0f ms, "
          "p99 %.0f ms, max %.0f ms, all done in %.2f s; %u errors (goal 0)\n",
          n, latencies[n / 2] / 1e3, latencies[n * 99 / 100] / 1e3, latencies[n - 1] / 1e3,
          wall / 1e6, errors);
}

static gsize
gzip_size (const char *data,
           gsize       length)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1);
  g_autoptr(GInputStream) plain = g_memory_input_stream_new_from_data (data, length, NULL);
  g_autoptr(GInputStream) gz = g_converter_input_stream_new (plain, G_CONVERTER (compressor));
  g_autoptr(GError) error = NULL;
  char buffer[16384];
  gsize total = 0;
  gssize n;

  while ((n = g_input_stream_read (gz, buffer, sizeof buffer, NULL, &error)) > 0)
    total += n;
  if (n < 0)
    g_error ("gzip: %s", error->message);
  return total;
}

/* The push body of one item, as docs/sync-protocol.md gives it. */
static char *
push_body (JsonNode *content,
           gint64    revision)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *hash = bc_wire_content_hash (content);
  JsonObject *object = json_node_get_object (content);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "items");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "report_id");
  json_builder_add_string_value (builder, json_object_get_string_member (object, "id"));
  json_builder_set_member_name (builder, "revision");
  json_builder_add_int_value (builder, revision);
  json_builder_set_member_name (builder, "base_revision");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "content_hash");
  json_builder_add_string_value (builder, hash);
  json_builder_set_member_name (builder, "content");
  json_builder_add_value (builder, json_node_copy (content));
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return bc_wire_canonical_json (root);
}

/* Loads a demo file into a temporary workbook and returns the report's
 * content as pushed. */
static JsonNode *
demo_content (const char *demo_file,
              const char *template_id,
              const char *period,
              const char *unit,
              char      **dir_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplateRegistry) templates = bc_template_registry_new_default (&error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-sync-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *id = NULL;
  BcTemplate *template_;
  JsonNode *content;

  if (templates == NULL || dir == NULL)
    g_error ("%s", error->message);
  path = g_build_filename (dir, "bench.baocao", NULL);
  workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_CREATE, &error);
  /* The demo data holds sent reports, which only a demo workbook takes;
   * here it is only the source of a realistic report's content. */
  if (workbook == NULL
      || !bc_workbook_set_kind (workbook, BC_WORKBOOK_KIND_DEMO, &error)
      || !json_parser_load_from_file (parser, demo_file, &error)
      || bc_workbook_import_json (workbook, json_parser_get_root (parser), &error) == 0)
    g_error ("%s", error->message);
  id = bc_workbook_find_report (workbook, template_id, period, unit, &error);
  if (id == NULL)
    g_error ("%s has no %s report for %s and %s", demo_file, template_id, period, unit);
  report = bc_workbook_load_report (workbook, id, &error);
  if (report == NULL || (template_ = bc_workbook_get_report_template (workbook, report, &error)) == NULL)
    g_error ("%s", error->message);
  content = bc_wire_report_content (template_, report);
  bc_workbook_close (workbook);
  *dir_out = g_steal_pointer (&dir);
  return content;
}

/* What the client really sends, counted by the proxy: a sync with one
 * report to send, then one with nothing (/info and the feed only); the
 * difference is the report's cost on the wire, headers included. */
static void
wire_size_measured (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(BcSyncClient) client = NULL;
  g_autoptr(BcFaultProxy) proxy = NULL;
  g_autofree char *url = NULL;
  guint64 up[2], down[2];
  Bench bench = { 0 };

  bench_start (&bench, "wire", FALSE);
  proxy = bc_fault_proxy_new ("127.0.0.1", bc_test_server_get_port (bench.server), &error);
  if (proxy == NULL)
    g_error ("%s", error->message);
  url = bc_fault_proxy_dup_uri (proxy);
  client = enrolled_client (&bench, "client", url, &workbook);
  g_ptr_array_unref (bc_test_queue_many (workbook, 0, 1));

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(BcSyncSummary) summary = NULL;

      bc_fault_proxy_reset_counters (proxy);
      summary = bc_test_client_sync (client, &error);
      if (summary == NULL)
        g_error ("sync: %s", error->message);
      up[round] = bc_fault_proxy_get_bytes (proxy, BC_FAULT_UP);
      down[round] = bc_fault_proxy_get_bytes (proxy, BC_FAULT_DOWN);
    }
  printf ("on the wire (HTTP, counted by the proxy): a sync sending one quarterly report "
          "%" G_GUINT64_FORMAT " bytes up, %" G_GUINT64_FORMAT " down; with nothing to send "
          "%" G_GUINT64_FORMAT " up, %" G_GUINT64_FORMAT " down; the report's push costs %"
          G_GINT64_FORMAT " bytes up and %" G_GINT64_FORMAT " down\n",
          up[0], down[0], up[1], down[1], (gint64) (up[0] - up[1]), (gint64) (down[0] - down[1]));

  bc_workbook_close (workbook);
  bc_fault_proxy_stop (proxy);
  bench_stop (&bench);
}

static int
bench_wire_size (const char *demo_dir)
{
  g_autofree char *file = g_build_filename (demo_dir, "quang-ngai-2018q2.json", NULL);
  g_autofree char *dir = NULL;
  g_autoptr(JsonNode) content = demo_content (file, "egov-quarterly", "2018Q2", "UBND-QNG", &dir);
  g_autofree char *canonical = bc_wire_canonical_json (content);
  g_autofree char *body = push_body (content, 1);
  gsize plain = strlen (body), gz = gzip_size (body, plain);

  printf ("quarterly report (demo Quảng Ngãi 2018Q2): content %zu bytes of canonical JSON\n",
          strlen (canonical));
  printf ("push body of one report: plain JSON %zu bytes, gzip %zu bytes (%.1f%% of plain, %.1fx smaller)\n",
          plain, gz, 100.0 * gz / plain, (double) plain / gz);
  bc_test_remove_tree (dir);
  wire_size_measured ();
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  const char *demo_dir = g_getenv ("BAOCAO_DEMO_DIR");

  setlocale (LC_ALL, "");
  if (argc < 2)
    {
      fprintf (stderr, "usage: bench-sync wire-size|push-1000|slow-link|clients-200\n");
      return 2;
    }
  if (demo_dir == NULL)
    demo_dir = SOURCE_ROOT "/data/demo";

  if (g_str_equal (argv[1], "wire-size"))
    return bench_wire_size (demo_dir);
  if (g_str_equal (argv[1], "push-1000"))
    return bench_push_1000 ();
  if (g_str_equal (argv[1], "slow-link"))
    return bench_slow_link ();
  self_path = argv[0];
  if (g_str_equal (argv[1], "clients-200"))
    return bench_clients_200 ();
  if (g_str_equal (argv[1], "clients-child") && argc == 3)
    return clients_child (argv[2]);

  fprintf (stderr, "bench-sync: unknown benchmark %s\n", argv[1]);
  return 2;
}
