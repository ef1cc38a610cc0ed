/* test-fault-proxy.c: the fault-injecting proxy against a small echo server.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The sync tests believe the proxy when it says it cut, stalled or
 * throttled a link; these tests earn that belief byte by byte.
 */
#define G_LOG_DOMAIN "test-fault-proxy"

#include "config.h"

#include <gio/gio.h>

#include "bc-fault-proxy.h"

/* An echo server in threads of its own: each connection sends back what
 * it reads; `received` counts every byte that reached it. */
typedef struct {
  GSocketListener *listener;
  GCancellable    *cancellable;
  GThread         *thread;
  guint16          port;
  gint             received;   /* atomic */
  GMutex           mutex;
  GPtrArray       *threads;    /* GThread*, joined at the end */
} Echo;

static gpointer
echo_conn_thread (gpointer data)
{
  g_autoptr(GSocketConnection) connection = data;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  Echo *echo = g_object_get_data (G_OBJECT (connection), "echo");
  guint8 buffer[4096];

  for (;;)
    {
      gssize n = g_input_stream_read (in, buffer, sizeof buffer, echo->cancellable, NULL);

      if (n <= 0)
        break;
      g_atomic_int_add (&echo->received, (gint) n);
      if (!g_output_stream_write_all (out, buffer, n, NULL, echo->cancellable, NULL))
        break;
    }
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return NULL;
}

static gpointer
echo_accept_thread (gpointer data)
{
  Echo *echo = data;

  for (;;)
    {
      GSocketConnection *connection = g_socket_listener_accept (echo->listener, NULL,
                                                                echo->cancellable, NULL);

      if (connection == NULL)
        break;
      g_object_set_data (G_OBJECT (connection), "echo", echo);
      g_mutex_lock (&echo->mutex);
      g_ptr_array_add (echo->threads, g_thread_new ("echo", echo_conn_thread, connection));
      g_mutex_unlock (&echo->mutex);
    }
  return NULL;
}

static Echo *
echo_start (void)
{
  Echo *echo = g_new0 (Echo, 1);
  g_autoptr(GError) error = NULL;

  echo->listener = g_socket_listener_new ();
  echo->cancellable = g_cancellable_new ();
  echo->threads = g_ptr_array_new ();
  g_mutex_init (&echo->mutex);
  echo->port = g_socket_listener_add_any_inet_port (echo->listener, NULL, &error);
  g_assert_no_error (error);
  echo->thread = g_thread_new ("echo-accept", echo_accept_thread, echo);
  return echo;
}

static void
echo_stop (Echo *echo)
{
  g_cancellable_cancel (echo->cancellable);
  g_thread_join (echo->thread);
  g_socket_listener_close (echo->listener);
  g_object_unref (echo->listener);
  for (guint i = 0; i < echo->threads->len; i++)
    g_thread_join (g_ptr_array_index (echo->threads, i));
  g_ptr_array_unref (echo->threads);
  g_mutex_clear (&echo->mutex);
  g_object_unref (echo->cancellable);
  g_free (echo);
}

typedef struct {
  Echo         *echo;
  BcFaultProxy *proxy;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->echo = echo_start ();
  fixture->proxy = bc_fault_proxy_new ("127.0.0.1", fixture->echo->port, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  bc_fault_proxy_stop (fixture->proxy);
  g_assert_finalize_object (fixture->proxy);
  echo_stop (fixture->echo);
}

static GSocketConnection *
connect_proxy (Fixture *fixture)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1",
                                                bc_fault_proxy_get_port (fixture->proxy),
                                                NULL, &error);
  g_assert_no_error (error);
  /* No read in these tests may hang the suite. */
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 10);
  return connection;
}

static void
send_bytes (GSocketConnection *connection,
            const void        *data,
            gsize              length)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             data, length, NULL, NULL, &error);
  g_assert_no_error (error);
}

/* Reads until `want` bytes, the end of the stream, or an error (kept in
 * `error`); returns how many bytes came. */
static gsize
receive_bytes (GSocketConnection  *connection,
               guint8             *buffer,
               gsize               want,
               GError            **error)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  gsize got = 0;

  while (got < want)
    {
      gssize n = g_input_stream_read (in, buffer + got, want - got, NULL, error);

      if (n <= 0)
        break;
      got += n;
    }
  return got;
}

static void
wait_received (Echo *echo,
               gint  bytes)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_atomic_int_get (&echo->received) < bytes && g_get_monotonic_time () < deadline)
    g_usleep (1000);
}

static guint8 *
pattern (gsize length)
{
  guint8 *data = g_malloc (length);

  for (gsize i = 0; i < length; i++)
    data[i] = (guint8) (i * 7 + i / 251);
  return data;
}

static void
test_forward (Fixture       *fixture,
              gconstpointer  data)
{
  const gsize length = 200 * 1000;
  g_autofree guint8 *out = pattern (length);
  g_autofree guint8 *in = g_malloc (length);
  g_autoptr(GSocketConnection) connection = connect_proxy (fixture);
  g_autoptr(GError) error = NULL;

  send_bytes (connection, out, length);
  g_assert_cmpuint (receive_bytes (connection, in, length, &error), ==, length);
  g_assert_no_error (error);
  g_assert_cmpmem (in, length, out, length);
  g_assert_cmpuint (bc_fault_proxy_get_bytes (fixture->proxy, BC_FAULT_UP), ==, length);
  g_assert_cmpuint (bc_fault_proxy_get_bytes (fixture->proxy, BC_FAULT_DOWN), ==, length);
  g_assert_cmpuint (bc_fault_proxy_get_connections (fixture->proxy), ==, 1);
  g_assert_cmpuint (bc_fault_proxy_get_faults_fired (fixture->proxy), ==, 0);
}

static void
test_drop_up (Fixture       *fixture,
              gconstpointer  data)
{
  BcFaultPlan plan = { .kind = BC_FAULT_DROP, .direction = BC_FAULT_UP, .after_bytes = 300 };
  g_autofree guint8 *out = pattern (1000);
  guint8 in[1000];
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  gsize got;

  bc_fault_proxy_set_plan (fixture->proxy, &plan);
  connection = connect_proxy (fixture);
  send_bytes (connection, out, 1000);
  got = receive_bytes (connection, in, sizeof in, &error);

  /* The server saw exactly 300 bytes, and the client a clean end (FIN). */
  g_assert_no_error (error);
  g_assert_cmpuint (got, <=, 300);
  g_assert_cmpmem (in, got, out, got);
  /* The echo server counts in its own thread: the client can see the end first. */
  wait_received (fixture->echo, 300);
  g_assert_cmpint (g_atomic_int_get (&fixture->echo->received), ==, 300);
  g_assert_cmpuint (bc_fault_proxy_get_bytes (fixture->proxy, BC_FAULT_UP), ==, 300);
  g_assert_cmpuint (bc_fault_proxy_get_faults_fired (fixture->proxy), ==, 1);
}

static void
test_drop_down (Fixture       *fixture,
                gconstpointer  data)
{
  BcFaultPlan plan = { .kind = BC_FAULT_DROP, .direction = BC_FAULT_DOWN, .after_bytes = 500 };
  g_autofree guint8 *out = pattern (1000);
  guint8 in[1000];
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  bc_fault_proxy_set_plan (fixture->proxy, &plan);
  connection = connect_proxy (fixture);
  send_bytes (connection, out, 1000);
  g_assert_cmpuint (receive_bytes (connection, in, sizeof in, &error), ==, 500);
  g_assert_no_error (error);
  g_assert_cmpmem (in, 500, out, 500);
  g_assert_cmpuint (bc_fault_proxy_get_bytes (fixture->proxy, BC_FAULT_DOWN), ==, 500);
}

static void
test_reset (Fixture       *fixture,
            gconstpointer  data)
{
  BcFaultPlan plan = { .kind = BC_FAULT_RESET, .direction = BC_FAULT_DOWN, .after_bytes = 100 };
  g_autofree guint8 *out = pattern (1000);
  guint8 in[1000];
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  gsize got;

  bc_fault_proxy_set_plan (fixture->proxy, &plan);
  connection = connect_proxy (fixture);
  send_bytes (connection, out, 1000);
  got = receive_bytes (connection, in, sizeof in, &error);

  /* A reset is an error on the client's side, not a clean end of stream:
   * what tells it apart from a drop. */
  g_assert_cmpuint (got, <=, 100);
  g_assert_nonnull (error);
  g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  g_assert_cmpuint (bc_fault_proxy_get_faults_fired (fixture->proxy), ==, 1);
}

static void
test_stall (Fixture       *fixture,
            gconstpointer  data)
{
  BcFaultPlan plan = { .kind = BC_FAULT_STALL, .direction = BC_FAULT_UP,
                       .after_bytes = 10, .stall_usec = 300 * 1000 };
  g_autofree guint8 *out = pattern (20);
  guint8 in[20];
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  bc_fault_proxy_set_plan (fixture->proxy, &plan);
  connection = connect_proxy (fixture);
  start = g_get_monotonic_time ();
  send_bytes (connection, out, 20);
  g_assert_cmpuint (receive_bytes (connection, in, 20, &error), ==, 20);
  g_assert_no_error (error);
  g_assert_cmpmem (in, 20, out, 20);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 300 * 1000);
}

static void
test_stall_forever (Fixture       *fixture,
                    gconstpointer  data)
{
  BcFaultPlan plan = { .kind = BC_FAULT_STALL, .direction = BC_FAULT_DOWN,
                       .after_bytes = 5, .stall_usec = -1 };
  g_autofree guint8 *out = pattern (20);
  guint8 in[20];
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  bc_fault_proxy_set_plan (fixture->proxy, &plan);
  connection = connect_proxy (fixture);
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 1);
  send_bytes (connection, out, 20);
  g_assert_cmpuint (receive_bytes (connection, in, 20, &error), ==, 5);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_clear_error (&error);
  wait_received (fixture->echo, 20);
  g_assert_cmpint (g_atomic_int_get (&fixture->echo->received), ==, 20);

  /* A new plan ends the stall: the rest arrives. */
  bc_fault_proxy_set_plan (fixture->proxy, NULL);
  g_assert_cmpuint (receive_bytes (connection, in + 5, 15, &error), ==, 15);
  g_assert_no_error (error);
  g_assert_cmpmem (in, 20, out, 20);
}

static void
test_trickle (Fixture       *fixture,
              gconstpointer  data)
{
  /* 8,000 bytes at 64 kbit/s take 1 s on each link, the echo starts back
   * as the first bytes arrive: the last byte is back after
   * 1 s + 2 × 300 ms = 1.6 s. */
  BcFaultPlan plan = { .bandwidth_bps = 64000, .latency_usec = 300 * 1000 };
  g_autofree guint8 *out = pattern (8000);
  guint8 in[8000];
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start, first_back = 0, elapsed;
  GInputStream *input;
  gsize got = 0;

  bc_fault_proxy_set_plan (fixture->proxy, &plan);
  connection = connect_proxy (fixture);
  input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  start = g_get_monotonic_time ();
  send_bytes (connection, out, 8000);
  while (got < 8000)
    {
      gssize n = g_input_stream_read (input, in + got, 8000 - got, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      if (got == 0)
        first_back = g_get_monotonic_time () - start;
      got += n;
    }
  elapsed = g_get_monotonic_time () - start;
  g_assert_cmpmem (in, 8000, out, 8000);
  g_test_message ("first byte back after %.3f s, all after %.3f s",
                  first_back / 1e6, elapsed / 1e6);

  /* The first 80-byte piece: 10 ms on each link plus 300 ms each way. */
  g_assert_cmpint (first_back, >=, 620 * 1000);
  g_assert_cmpint (elapsed, >=, 1600 * 1000);
  /* Loose above: a busy machine is late, never early. */
  g_assert_cmpint (elapsed, <, 2600 * 1000);
}

static void
test_lose_response (Fixture       *fixture,
                    gconstpointer  data)
{
  BcFaultPlan plan = { .kind = BC_FAULT_LOSE_RESPONSE, .after_request = "POST /push" };
  const char *info = "GET /info\r\n";
  const char *push = "POST /push HTTP/1.1\r\n\r\n{\"items\":[]}";
  guint8 in[100];
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  bc_fault_proxy_set_plan (fixture->proxy, &plan);
  connection = connect_proxy (fixture);

  /* Another request's answer goes through. */
  send_bytes (connection, info, strlen (info));
  g_assert_cmpuint (receive_bytes (connection, in, strlen (info), &error), ==, strlen (info));
  g_assert_no_error (error);

  /* The push reaches the server whole; not a byte of its answer comes back. */
  send_bytes (connection, push, strlen (push));
  g_assert_cmpuint (receive_bytes (connection, in, sizeof in, &error), ==, 0);
  g_assert_no_error (error);
  wait_received (fixture->echo, strlen (info) + strlen (push));
  g_assert_cmpint (g_atomic_int_get (&fixture->echo->received), ==, strlen (info) + strlen (push));
  g_assert_cmpuint (bc_fault_proxy_get_bytes (fixture->proxy, BC_FAULT_DOWN), ==, strlen (info));
  g_assert_cmpuint (bc_fault_proxy_get_faults_fired (fixture->proxy), ==, 1);
}

static void
test_queue_and_once (Fixture       *fixture,
                     gconstpointer  data)
{
  BcFaultPlan drop = { .kind = BC_FAULT_DROP, .direction = BC_FAULT_UP, .after_bytes = 0 };
  g_autofree guint8 *out = pattern (50);
  guint8 in[50];

  /* A queued plan is the next connection's only. */
  bc_fault_proxy_queue_plan (fixture->proxy, &drop);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GSocketConnection) connection = connect_proxy (fixture);
      g_autoptr(GError) error = NULL;

      send_bytes (connection, out, 50);
      g_assert_cmpuint (receive_bytes (connection, in, 50, &error), ==, i == 0 ? 0 : 50);
      g_assert_no_error (error);
    }
  g_assert_cmpuint (bc_fault_proxy_get_faults_fired (fixture->proxy), ==, 1);

  /* A plan that fires once: the first connection is cut, later ones are not. */
  drop.once = TRUE;
  bc_fault_proxy_set_plan (fixture->proxy, &drop);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GSocketConnection) connection = connect_proxy (fixture);
      g_autoptr(GError) error = NULL;

      send_bytes (connection, out, 50);
      g_assert_cmpuint (receive_bytes (connection, in, 50, &error), ==, i == 0 ? 0 : 50);
      g_assert_no_error (error);
    }
  g_assert_cmpuint (bc_fault_proxy_get_faults_fired (fixture->proxy), ==, 2);
  g_assert_cmpuint (bc_fault_proxy_get_connections (fixture->proxy), ==, 6);
}

static void
test_plan_at_run_time (Fixture       *fixture,
                       gconstpointer  data)
{
  /* A plan set on an open connection counts its bytes from then on. */
  BcFaultPlan drop = { .kind = BC_FAULT_DROP, .direction = BC_FAULT_DOWN, .after_bytes = 30 };
  g_autofree guint8 *out = pattern (100);
  guint8 in[100];
  g_autoptr(GSocketConnection) connection = connect_proxy (fixture);
  g_autoptr(GError) error = NULL;

  send_bytes (connection, out, 100);
  g_assert_cmpuint (receive_bytes (connection, in, 100, &error), ==, 100);
  bc_fault_proxy_set_plan (fixture->proxy, &drop);
  send_bytes (connection, out, 100);
  g_assert_cmpuint (receive_bytes (connection, in, 100, &error), ==, 30);
  g_assert_no_error (error);
  g_assert_cmpuint (bc_fault_proxy_get_bytes (fixture->proxy, BC_FAULT_DOWN), ==, 130);

  /* And the upstream can move (a server restarted on another port). */
  bc_fault_proxy_set_plan (fixture->proxy, NULL);
  bc_fault_proxy_set_upstream (fixture->proxy, "127.0.0.1", 1);
  {
    g_autoptr(GSocketConnection) refused = connect_proxy (fixture);

    g_assert_cmpuint (receive_bytes (refused, in, 10, &error), ==, 0);
  }
}

/* A server that takes seconds to answer (as one taking in a large push over
 * a slow link says nothing until it has it all): the proxy keeps the
 * connection open for up to 10 s of silence (its bound, so that
 * connections whose client gave up do not pile up). */
static void
test_silent_server (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GSocketConnection) client = NULL;
  g_autoptr(GSocketConnection) upstream = NULL;
  g_autoptr(GError) error = NULL;
  guint8 in[4] = { 0 };
  guint16 port;

  (void) data;

  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  bc_fault_proxy_set_upstream (fixture->proxy, "127.0.0.1", port);

  client = connect_proxy (fixture);
  send_bytes (client, "ask", 3);
  upstream = g_socket_listener_accept (listener, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (receive_bytes (upstream, in, 3, &error), ==, 3);
  g_assert_no_error (error);

  /* Past the ten seconds the proxy gives a connection to its server. */
  g_usleep (8 * G_USEC_PER_SEC);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (upstream)),
                             "late", 4, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (receive_bytes (client, in, 4, &error), ==, 4);
  g_assert_no_error (error);
  g_assert_cmpmem (in, 4, "late", 4);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/sync/proxy/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("forward", test_forward);
  ADD ("drop-up", test_drop_up);
  ADD ("drop-down", test_drop_down);
  ADD ("reset", test_reset);
  ADD ("stall", test_stall);
  ADD ("stall-forever", test_stall_forever);
  ADD ("trickle", test_trickle);
  ADD ("lose-response", test_lose_response);
  ADD ("queue-and-once", test_queue_and_once);
  ADD ("plan-at-run-time", test_plan_at_run_time);
  ADD ("silent-server", test_silent_server);
#undef ADD

  return g_test_run ();
}
