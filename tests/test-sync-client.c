/* test-sync-client.c: the sync engine's time bounds, backoff, scheduler, progress.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Time bounds are tested against sockets that misbehave on purpose (one
 * that never answers, one that trickles a body a byte at a time): every
 * request must end within its bound. Progress and the whole sync run
 * against a real baocao-server process.
 */
#define G_LOG_DOMAIN "test-sync-client"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include <libsoup/soup.h>

#include "bc-outbox.h"
#include "bc-wire.h"
#include "bc-sync-client.h"
#include "bc-sync-scheduler.h"
#include "bc-test-util.h"

typedef struct {
  char       *dir;
  char       *token_file;
  BcWorkbook *workbook;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  (void) data;
  fixture->dir = g_dir_make_tmp ("baocao-sync-client-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "test.baocao", NULL);
  fixture->token_file = g_build_filename (fixture->dir, "token", NULL);
  fixture->workbook = bc_workbook_open (path, NULL, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  (void) data;
  /* A finished task's worker thread lets go of the client (and so the
   * workbook) a moment after the callback ran. */
  for (guint i = 0; i < 500 && G_OBJECT (fixture->workbook)->ref_count > 1; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (10000);
    }
  g_assert_finalize_object (fixture->workbook);
  bc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->token_file);
}

/* As if enrolled at `url`: settings and a token file. */
static void
pretend_enrolled (Fixture    *fixture,
                  const char *url)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (bc_outbox_set_sync_settings (fixture->workbook, &error,
                                              BC_SYNC_SETTING_SERVER_URL, url,
                                              BC_SYNC_SETTING_SERVER_ID, "0c6b",
                                              BC_SYNC_SETTING_UNIT, "QNG-SONTINH",
                                              NULL));
  g_assert_true (g_file_set_contents_full (fixture->token_file, "bct1.test\n", -1,
                                           G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error));
  g_assert_no_error (error);
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  (void) source;
  *out = g_object_ref (result);
}

static void
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* Waits at most 10 s: a sync that does not end by then fails the test. */
static BcSyncSummary *
sync_and_wait (BcSyncClient  *client,
               GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  gboolean too_long = FALSE;
  guint watchdog = g_timeout_add_once (10000, set_flag, &too_long);

  bc_sync_client_sync_async (client, NULL, got_result, &result);
  while (result == NULL && !too_long)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (too_long);
  g_source_remove (watchdog);

  return bc_sync_client_sync_finish (client, result, error);
}

/* ------------------------------------------------------------------------ */
/* Misbehaving sockets                                                      */

typedef enum {
  SILENT,    /* reads the request, never answers */
  TRICKLE,   /* answers headers, then one byte of body every 200 ms */
} Behaviour;

typedef struct {
  Behaviour  behaviour;
  gint       stop;  /* atomic */
} Misbehaving;

static gboolean
misbehave (GThreadedSocketService *service,
           GSocketConnection      *connection,
           GObject                *source_object,
           gpointer                user_data)
{
  Misbehaving *server = user_data;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  static const char headers[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                "Baocao-Protocol: 1\r\nContent-Length: 1000000\r\n\r\n";

  (void) service;
  (void) source_object;

  if (server->behaviour == TRICKLE
      && !g_output_stream_write_all (out, headers, strlen (headers), NULL, NULL, NULL))
    return TRUE;

  while (!g_atomic_int_get (&server->stop))
    {
      g_usleep (200 * 1000);
      if (server->behaviour == TRICKLE
          && !g_output_stream_write_all (out, " ", 1, NULL, NULL, NULL))
        break;
    }

  return TRUE;
}

static void
test_time_bound (Fixture       *fixture,
                 gconstpointer  data)
{
  Behaviour behaviour = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketService) service = g_threaded_socket_service_new (4);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(BcSyncClient) client = NULL;
  g_autoptr(BcSyncSummary) summary = NULL;
  g_autofree char *url = NULL;
  Misbehaving server = { behaviour, 0 };
  gint64 start, elapsed;

  g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "run", G_CALLBACK (misbehave), &server);
  g_socket_service_start (service);
  url = g_strdup_printf ("http://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  pretend_enrolled (fixture, url);

  client = bc_sync_client_new (fixture->workbook);
  bc_sync_client_set_token_file (client, fixture->token_file);
  /* The trickle keeps the socket busy: only the whole-request bound ends it. */
  bc_sync_client_set_timeouts (client, 1, 2);

  start = g_get_monotonic_time ();
  summary = sync_and_wait (client, &error);
  elapsed = g_get_monotonic_time () - start;
  g_test_message ("ended after %.1f s: %s", elapsed / 1e6, error != NULL ? error->message : "");

  g_assert_null (summary);
  g_assert_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_TIMEOUT);
  g_assert_true (bc_sync_error_is_transient (error));
  /* io-timeout 1 s, request bound 2 s: well within 5 s either way. */
  g_assert_cmpint (elapsed, <, 5 * G_USEC_PER_SEC);
  if (behaviour == TRICKLE)
    g_assert_cmpint (elapsed, >=, 2 * G_USEC_PER_SEC - 200000);

  g_atomic_int_set (&server.stop, 1);
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketService) service = g_threaded_socket_service_new (4);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(BcSyncClient) client = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(BcSyncSummary) summary = NULL;
  g_autofree char *url = NULL;
  Misbehaving server = { SILENT, 0 };
  gint64 start;

  (void) data;

  g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "run", G_CALLBACK (misbehave), &server);
  g_socket_service_start (service);
  url = g_strdup_printf ("http://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  pretend_enrolled (fixture, url);

  client = bc_sync_client_new (fixture->workbook);
  bc_sync_client_set_token_file (client, fixture->token_file);

  /* Default bounds (30 s, 60 s): cancelling ends it at once. */
  start = g_get_monotonic_time ();
  bc_sync_client_sync_async (client, cancellable, got_result, &result);
  g_timeout_add_once (300, (GSourceOnceFunc) g_cancellable_cancel, cancellable);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  summary = bc_sync_client_sync_finish (client, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);

  g_atomic_int_set (&server.stop, 1);
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
}

/* ------------------------------------------------------------------------ */

static void
test_backoff (void)
{
  guint previous_max = 0;

  /* The first retry waits between half the base and the base. */
  g_assert_cmpuint (bc_sync_backoff_delay (1, 0, 8, 3600, 0.0), ==, 4);
  g_assert_cmpuint (bc_sync_backoff_delay (1, 0, 8, 3600, 0.999), <=, 8);
  g_assert_cmpuint (bc_sync_backoff_delay (1, 0, 8, 3600, 0.999), >=, 7);

  /* It doubles each time, up to the cap, never beyond. */
  for (guint failures = 1; failures < 40; failures++)
    {
      guint low = bc_sync_backoff_delay (failures, 0, 5, 3600, 0.0);
      guint high = bc_sync_backoff_delay (failures, 0, 5, 3600, 0.9999);

      g_assert_cmpuint (low, <=, high);
      g_assert_cmpuint (high, <=, 3600);
      g_assert_cmpuint (high, >=, previous_max);
      previous_max = high;
    }
  g_assert_cmpuint (previous_max, ==, 3599);

  /* Jitter spreads clients cut off together. */
  g_assert_cmpuint (bc_sync_backoff_delay (6, 0, 5, 3600, 0.1), !=,
                    bc_sync_backoff_delay (6, 0, 5, 3600, 0.9));

  /* Retry-After is honoured, even above the cap. */
  g_assert_cmpuint (bc_sync_backoff_delay (1, 120, 5, 3600, 0.5), ==, 120);
  g_assert_cmpuint (bc_sync_backoff_delay (2, 7200, 5, 3600, 0.5), ==, 7200);
}

static void
on_finished (BcSyncScheduler *scheduler,
             BcSyncSummary   *summary,
             GError          *error,
             gpointer         user_data)
{
  GError **out = user_data;

  (void) scheduler;
  g_assert_null (summary);
  g_assert_nonnull (error);
  g_clear_error (out);
  *out = g_error_copy (error);
}

static void
test_scheduler_backs_off (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(BcSyncClient) client = NULL;
  g_autoptr(BcSyncScheduler) scheduler = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) failure = NULL;
  g_autofree char *url = NULL;
  guint failures;
  gint64 next;

  (void) data;

  /* A port nobody listens on (bound, then closed). */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  url = g_strdup_printf ("http://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);
  pretend_enrolled (fixture, url);

  client = bc_sync_client_new (fixture->workbook);
  bc_sync_client_set_token_file (client, fixture->token_file);
  scheduler = bc_sync_scheduler_new (client, 0);
  g_signal_connect (scheduler, "finished", G_CALLBACK (on_finished), &failure);

  /* Started, and asked at once: it fails offline (once, or twice when the
   * network monitor also said "online"), then plans a retry after a
   * backoff instead of trying again at once. */
  bc_sync_scheduler_start (scheduler);
  bc_sync_scheduler_sync_now (scheduler);
  g_assert_true (bc_sync_scheduler_get_running (scheduler));
  while (bc_sync_scheduler_get_running (scheduler) || bc_sync_scheduler_get_next_in (scheduler) < 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (failure, BC_SYNC_ERROR, BC_SYNC_ERROR_OFFLINE);
  failures = bc_sync_scheduler_get_failures (scheduler);
  g_assert_cmpuint (failures, >=, 1);
  g_assert_cmpuint (failures, <=, 2);
  next = bc_sync_scheduler_get_next_in (scheduler);
  g_assert_cmpint (next, >=, (BC_SYNC_BACKOFF_BASE << (failures - 1)) / 2 - 1);
  g_assert_cmpint (next, <=, BC_SYNC_BACKOFF_BASE << (failures - 1));

  /* Stopped: nothing planned. */
  bc_sync_scheduler_stop (scheduler);
  g_assert_cmpint (bc_sync_scheduler_get_next_in (scheduler), ==, -1);
}

static void
test_not_enrolled (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcSyncClient) client = bc_sync_client_new (fixture->workbook);
  g_autoptr(BcSyncSummary) summary = NULL;
  g_autofree char *checked = NULL;

  (void) data;

  summary = sync_and_wait (client, &error);
  g_assert_null (summary);
  g_assert_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_NOT_ENROLLED);
  g_clear_error (&error);

  /* Plain http only to this computer itself. */
  g_assert_null (bc_sync_client_check_url ("http://baocao.quangngai.gov.vn", &error));
  g_assert_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_CERTIFICATE);
  g_clear_error (&error);
  g_assert_null (bc_sync_client_check_url ("ftp://127.0.0.1", &error));
  g_assert_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_NOT_ENROLLED);
  g_clear_error (&error);
  g_assert_null (bc_sync_client_check_url ("https://user:pw@example.org", &error));
  g_clear_error (&error);
  checked = bc_sync_client_check_url ("https://baocao.quangngai.gov.vn/", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (checked, ==, "https://baocao.quangngai.gov.vn");
  g_free (g_steal_pointer (&checked));
  checked = bc_sync_client_check_url ("http://[::1]:8080", &error);
  g_assert_no_error (error);

  /* A demo workbook never goes to a real server. */
  g_assert_true (bc_workbook_set_kind (fixture->workbook, BC_WORKBOOK_KIND_DEMO, &error));
  pretend_enrolled (fixture, "https://baocao.quangngai.gov.vn");
  bc_sync_client_set_token_file (client, fixture->token_file);
  summary = sync_and_wait (client, &error);
  g_assert_null (summary);
  g_assert_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_DEMO);
}

/* A web server that is not what this client speaks: no /api/v1/info (an
 * old server, or another site), or an info of other protocol versions. */
static void
answer_info (SoupServer        *server,
             SoupServerMessage *message,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  const char *info = user_data;

  (void) server;
  (void) query;

  if (info == NULL || !g_str_equal (path, "/api/v1/info"))
    {
      soup_server_message_set_status (message, 404, NULL);
      return;
    }
  soup_server_message_set_status (message, 200, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY,
                                    info, strlen (info));
}

/* Serves `info` (NULL: none) at /api/v1/info on this computer and enrols
 * the fixture's workbook with it; returns the client for it and, in
 * `url`, its address. */
static BcSyncClient *
enrol_with_info_server (Fixture     *fixture,
                        SoupServer  *server,
                        const char  *info,
                        char       **url)
{
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;
  BcSyncClient *client;

  soup_server_add_handler (server, NULL, answer_info, (gpointer) info, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  *url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  pretend_enrolled (fixture, *url);

  client = bc_sync_client_new (fixture->workbook);
  bc_sync_client_set_token_file (client, fixture->token_file);

  return client;
}

static void
test_protocol_check (Fixture       *fixture,
                     gconstpointer  data)
{
  static const struct {
    const char *info;
    int         code;
  } cases[] = {
    { NULL, BC_SYNC_ERROR_SERVER_TOO_OLD },
    { "{\"server_id\": \"0c6b\", \"protocol_min\": 2, \"protocol_max\": 3}",
      BC_SYNC_ERROR_SERVER_TOO_NEW },
    { "{\"server_id\": \"0c6b\", \"protocol_min\": 0, \"protocol_max\": 0}",
      BC_SYNC_ERROR_SERVER_TOO_OLD },
    { "<html>Đây không phải máy chủ Baocao</html>", BC_SYNC_ERROR_PROTOCOL },
    { "", BC_SYNC_ERROR_PROTOCOL },
  };

  (void) data;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
      g_autoptr(BcSyncClient) client = NULL;
      g_autoptr(BcSyncSummary) summary = NULL;
      g_autofree char *url = NULL;

      client = enrol_with_info_server (fixture, server, cases[i].info, &url);
      summary = sync_and_wait (client, &error);
      g_assert_null (summary);
      g_assert_error (error, BC_SYNC_ERROR, cases[i].code);
      g_test_message ("%s", error->message);
    }
}

/* A server that answers at the enrolled address under another id (a new
 * server, or someone else's) gets nothing: not the outbox, not a bundle,
 * not a question about a report. */
static void
test_another_server (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(BcSyncClient) client = NULL;
  g_autoptr(BcSyncSummary) summary = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) bundle = g_bytes_new_static ("{}", 2);
  g_autofree char *url = NULL;
  g_autofree char *info = g_strdup_printf ("{\"server_id\": \"9f1e\", \"name\": \"Another\", "
                                           "\"protocol_min\": %d, \"protocol_max\": %d}",
                                           BC_WIRE_PROTOCOL_VERSION, BC_WIRE_PROTOCOL_VERSION);

  (void) data;

  client = enrol_with_info_server (fixture, server, info, &url);

  summary = sync_and_wait (client, &error);
  g_assert_null (summary);
  g_assert_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_UNAUTHORIZED);
  g_assert_nonnull (strstr (error->message, url));
  g_clear_error (&error);

  bc_sync_client_relay_bundle_async (client, bundle, NULL, got_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (bc_sync_client_relay_bundle_finish (client, result, &error));
  g_assert_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
  g_clear_object (&result);

  bc_sync_client_fetch_report_async (client, "0bf075a4-45f8-43fb-a5dc-58ffadfd684f", NULL,
                                     got_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (bc_sync_client_fetch_report_finish (client, result, &error));
  g_assert_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_UNAUTHORIZED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sync/client/backoff", test_backoff);
  g_test_add ("/sync/client/not-enrolled", Fixture, NULL, fixture_setup, test_not_enrolled,
              fixture_teardown);
  g_test_add ("/sync/client/time-bound/silent", Fixture, GINT_TO_POINTER (SILENT), fixture_setup,
              test_time_bound, fixture_teardown);
  g_test_add ("/sync/client/time-bound/trickle", Fixture, GINT_TO_POINTER (TRICKLE), fixture_setup,
              test_time_bound, fixture_teardown);
  g_test_add ("/sync/client/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
  g_test_add ("/sync/client/another-server", Fixture, NULL, fixture_setup, test_another_server,
              fixture_teardown);
  g_test_add ("/sync/client/protocol-check", Fixture, NULL, fixture_setup, test_protocol_check,
              fixture_teardown);
  g_test_add ("/sync/client/scheduler-backs-off", Fixture, NULL, fixture_setup,
              test_scheduler_backs_off, fixture_teardown);

  return g_test_run ();
}
