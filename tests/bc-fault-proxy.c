/* bc-fault-proxy.c: a TCP proxy for tests that cuts, stalls, resets and throttles links.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each connection has four threads: per direction, a reader that takes
 * bytes off the source as they come (stamping their arrival time) and a
 * writer that forwards them when the link model says they arrive, applying
 * the plan's fault. Blocking I/O in threads keeps the timing plain and
 * frees the proxy from whatever the test's main context is doing; a GIO
 * stream may be read and written from two threads at once. One mutex
 * guards the plan and the counters; one condition wakes sleeping writers
 * when a plan changes or a connection is cut.
 */
#define G_LOG_DOMAIN "bc-fault-proxy"

#include "config.h"

#include <gio/gnetworking.h>

#include "bc-fault-proxy.h"

typedef struct _Conn Conn;

typedef enum {
  CHUNK_DATA,
  CHUNK_EOF,
  CHUNK_CUT,
} ChunkKind;

typedef struct {
  ChunkKind  kind;
  gint64     arrival;  /* monotonic µs */
  gsize      length;
  guint8     data[];
} Chunk;

typedef struct {
  Conn             *conn;
  BcFaultDirection  direction;
  GAsyncQueue      *queue;       /* Chunk */
  guint64           forwarded;   /* bytes written to the destination */
  guint64           baseline;    /* `forwarded` when the plan reached the connection */
  gint64            link_free;   /* when the shaped link has sent all it holds */
  GString          *scan;        /* the tail of what went up, for after_request */
} Pipe;

struct _Conn {
  gatomicrefcount    ref;
  BcFaultProxy      *proxy;      /* not owned: the proxy waits for every connection */
  GSocketConnection *client;
  GSocketConnection *server;
  GCancellable      *cancellable;
  Pipe               pipes[2];
  BcFaultPlan        plan;       /* after_request owned */
  guint              generation; /* grows with each plan the connection gets */
  gboolean           fired;      /* this connection's fault has happened */
  gboolean           armed;      /* LOSE_RESPONSE: the request went through */
  gboolean           cut;
  gboolean           reset;
  guint              eofs;       /* directions half-closed */
};

struct _BcFaultProxy {
  GObject          parent_instance;

  GSocketListener *listener;
  guint16          port;
  GCancellable    *cancellable;
  GThread         *accept_thread;

  GMutex           mutex;
  GCond            cond;
  char            *upstream_host;
  guint16          upstream_port;
  BcFaultPlan      plan;         /* after_request owned */
  GQueue           queued;       /* BcFaultPlan*, owned */
  GPtrArray       *conns;        /* Conn*, not owned: removed when they end */
  guint            threads;      /* connection threads running */
  guint64          bytes[2];
  guint            connections;
  guint            faults;
  gboolean         stopped;
};

G_DEFINE_FINAL_TYPE (BcFaultProxy, bc_fault_proxy, G_TYPE_OBJECT)

static void
plan_copy (BcFaultPlan       *dest,
           const BcFaultPlan *src)
{
  g_free ((char *) dest->after_request);
  if (src == NULL)
    {
      memset (dest, 0, sizeof *dest);
      return;
    }
  *dest = *src;
  dest->after_request = g_strdup (src->after_request);
}

static void
plan_clear (BcFaultPlan *plan)
{
  g_clear_pointer ((char **) &plan->after_request, g_free);
}

static BcFaultPlan *
plan_dup (const BcFaultPlan *plan)
{
  BcFaultPlan *copy = g_new0 (BcFaultPlan, 1);

  plan_copy (copy, plan);
  return copy;
}

static void
plan_free (BcFaultPlan *plan)
{
  plan_clear (plan);
  g_free (plan);
}

static Chunk *
chunk_new (ChunkKind    kind,
           const void  *data,
           gsize        length)
{
  Chunk *chunk = g_malloc (sizeof (Chunk) + length);

  chunk->kind = kind;
  chunk->arrival = g_get_monotonic_time ();
  chunk->length = length;
  if (length > 0)
    memcpy (chunk->data, data, length);
  return chunk;
}

static Conn *
conn_ref (Conn *conn)
{
  g_atomic_ref_count_inc (&conn->ref);
  return conn;
}

static void
set_linger_zero (GSocketConnection *connection)
{
  GSocket *socket = g_socket_connection_get_socket (connection);
  /* GIO's g_socket_set_option() passes an int, and SO_LINGER takes a
   * struct linger, so this one option is set on the descriptor itself
   * (gnetworking.h has the socket API on both Unix and Windows). */
  struct linger linger = { .l_onoff = 1, .l_linger = 0 };

  if (setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER,
                  (const void *) &linger, sizeof linger) != 0)
    g_debug ("SO_LINGER: %s", g_strerror (errno));
}

static void
conn_unref (Conn *conn)
{
  if (!g_atomic_ref_count_dec (&conn->ref))
    return;

  for (guint i = 0; i < 2; i++)
    {
      GSocketConnection *connection = i == 0 ? conn->client : conn->server;

      if (connection == NULL)
        continue;
      if (conn->reset)
        set_linger_zero (connection);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      g_object_unref (connection);
    }
  for (guint i = 0; i < 2; i++)
    {
      Chunk *chunk;

      while ((chunk = g_async_queue_try_pop (conn->pipes[i].queue)) != NULL)
        g_free (chunk);
      g_async_queue_unref (conn->pipes[i].queue);
      g_string_free (conn->pipes[i].scan, TRUE);
    }
  plan_clear (&conn->plan);
  g_object_unref (conn->cancellable);
  g_free (conn);
}

/* Called with the mutex held. */
static void
conn_cut_locked (Conn     *conn,
                 gboolean  reset)
{
  if (conn->cut)
    return;
  conn->cut = TRUE;
  conn->reset = reset;
  g_cancellable_cancel (conn->cancellable);
  for (guint i = 0; i < 2; i++)
    g_async_queue_push_front (conn->pipes[i].queue, chunk_new (CHUNK_CUT, NULL, 0));
  g_cond_broadcast (&conn->proxy->cond);
}

/* Called with the mutex held; the plan reaches the connection now. */
static void
conn_set_plan_locked (Conn              *conn,
                      const BcFaultPlan *plan)
{
  plan_copy (&conn->plan, plan);
  conn->generation++;
  conn->fired = FALSE;
  conn->armed = FALSE;
  for (guint i = 0; i < 2; i++)
    {
      conn->pipes[i].baseline = conn->pipes[i].forwarded;
      g_string_truncate (conn->pipes[i].scan, 0);
    }
}

/* Called with the mutex held, when `conn`'s fault happens. */
static void
fire_locked (Conn *conn)
{
  BcFaultProxy *self = conn->proxy;

  conn->fired = TRUE;
  self->faults++;
  if (conn->plan.once)
    {
      /* The fault is spent: every connection keeps only the shaping. */
      self->plan.kind = BC_FAULT_NONE;
      for (guint i = 0; i < self->conns->len; i++)
        {
          Conn *other = g_ptr_array_index (self->conns, i);

          if (other != conn && other->plan.once)
            other->plan.kind = BC_FAULT_NONE;
        }
    }
}

static void
thread_done (Conn *conn)
{
  BcFaultProxy *self = conn->proxy;

  g_mutex_lock (&self->mutex);
  self->threads--;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
  conn_unref (conn);
}

/* Waits, with the mutex held, until `deadline` (-1: for ever), the
 * connection is cut, or (when `until_new_plan`) it gets a new plan. FALSE
 * when it was cut. */
static gboolean
sleep_until_locked (Conn     *conn,
                    gint64    deadline,
                    gboolean  until_new_plan)
{
  BcFaultProxy *self = conn->proxy;
  guint generation = conn->generation;

  while (!conn->cut && (deadline < 0 || g_get_monotonic_time () < deadline)
         && !(until_new_plan && conn->generation != generation))
    {
      if (deadline < 0)
        g_cond_wait (&self->cond, &self->mutex);
      else
        g_cond_wait_until (&self->cond, &self->mutex, deadline);
    }
  return !conn->cut;
}

static gboolean
find_bytes (const GString *haystack,
            const char    *needle)
{
  gsize n = strlen (needle);

  if (n == 0)
    return TRUE;
  for (gsize i = 0; i + n <= haystack->len; i++)
    if (memcmp (haystack->str + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

/* After `data` went up: arm LOSE_RESPONSE once the request it waits for
 * has gone through. Mutex held. */
static void
scan_up_locked (Conn          *conn,
                const guint8  *data,
                gsize          length)
{
  Pipe *pipe = &conn->pipes[BC_FAULT_UP];
  const char *needle = conn->plan.after_request;
  gsize keep;

  if (conn->plan.kind != BC_FAULT_LOSE_RESPONSE || conn->armed || conn->fired)
    return;
  if (needle == NULL)
    {
      conn->armed = TRUE;
      return;
    }
  g_string_append_len (pipe->scan, (const char *) data, length);
  if (find_bytes (pipe->scan, needle))
    {
      conn->armed = TRUE;
      g_string_truncate (pipe->scan, 0);
      return;
    }
  keep = MIN (pipe->scan->len, strlen (needle));
  g_string_erase (pipe->scan, 0, pipe->scan->len - keep);
}

static gpointer
writer_thread (gpointer data)
{
  Pipe *pipe = data;
  Conn *conn = pipe->conn;
  BcFaultProxy *self = conn->proxy;
  GSocketConnection *dest = pipe->direction == BC_FAULT_UP ? conn->server : conn->client;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (dest));

  for (;;)
    {
      g_autofree Chunk *chunk = g_async_queue_pop (pipe->queue);
      gsize offset = 0;

      if (chunk->kind == CHUNK_CUT)
        break;
      if (chunk->kind == CHUNK_EOF)
        {
          gboolean both;

          g_socket_shutdown (g_socket_connection_get_socket (dest), FALSE, TRUE, NULL);
          g_mutex_lock (&self->mutex);
          both = ++conn->eofs == 2;
          if (both)
            conn_cut_locked (conn, FALSE);
          g_mutex_unlock (&self->mutex);
          break;
        }

      while (offset < chunk->length)
        {
          g_autoptr(GError) error = NULL;
          gsize n = chunk->length - offset;
          BcFaultPlan *plan = &conn->plan;
          gboolean shaped;

          g_mutex_lock (&self->mutex);
          if (conn->cut)
            {
              g_mutex_unlock (&self->mutex);
              goto out;
            }

          if (plan->kind == BC_FAULT_LOSE_RESPONSE && pipe->direction == BC_FAULT_DOWN
              && conn->armed && !conn->fired)
            {
              fire_locked (conn);
              conn_cut_locked (conn, FALSE);
              g_mutex_unlock (&self->mutex);
              goto out;
            }

          if ((plan->kind == BC_FAULT_DROP || plan->kind == BC_FAULT_RESET
               || plan->kind == BC_FAULT_STALL)
              && plan->direction == pipe->direction && !conn->fired)
            {
              guint64 done = pipe->forwarded - pipe->baseline;
              guint64 limit = (guint64) MAX (plan->after_bytes, 0);

              if (done >= limit)
                {
                  fire_locked (conn);
                  if (plan->kind != BC_FAULT_STALL)
                    {
                      conn_cut_locked (conn, plan->kind == BC_FAULT_RESET);
                      g_mutex_unlock (&self->mutex);
                      goto out;
                    }
                  if (!sleep_until_locked (conn, plan->stall_usec < 0
                                                 ? -1
                                                 : g_get_monotonic_time () + plan->stall_usec,
                                          TRUE))
                    {
                      g_mutex_unlock (&self->mutex);
                      goto out;
                    }
                  /* The stall is over (or the plan changed): the link
                   * takes up from now, as a real one would. */
                  chunk->arrival = MAX (chunk->arrival, g_get_monotonic_time ());
                  g_mutex_unlock (&self->mutex);
                  continue;
                }
              n = MIN (n, limit - done);
            }

          shaped = plan->shape == BC_FAULT_SHAPE_BOTH
                   || (plan->shape == BC_FAULT_SHAPE_UP && pipe->direction == BC_FAULT_UP)
                   || (plan->shape == BC_FAULT_SHAPE_DOWN && pipe->direction == BC_FAULT_DOWN);
          if (shaped && plan->bandwidth_bps > 0)
            {
              /* Pieces of about 10 ms on the link, so that a reader sees
               * a steady trickle rather than bursts. */
              gsize piece = MAX (plan->bandwidth_bps / 8 / 100, 1);
              gint64 start;

              n = MIN (n, piece);
              start = MAX (chunk->arrival, pipe->link_free);
              pipe->link_free = start + (gint64) (n * 8 * G_USEC_PER_SEC / plan->bandwidth_bps);
              if (!sleep_until_locked (conn, pipe->link_free + plan->latency_usec, FALSE))
                {
                  g_mutex_unlock (&self->mutex);
                  goto out;
                }
            }
          else if (shaped && plan->latency_usec > 0
                   && !sleep_until_locked (conn, chunk->arrival + plan->latency_usec, FALSE))
            {
              g_mutex_unlock (&self->mutex);
              goto out;
            }
          /* Counted before the write, so that a plan set by someone who
           * has just read these bytes counts from after them. */
          pipe->forwarded += n;
          self->bytes[pipe->direction] += n;
          if (pipe->direction == BC_FAULT_UP)
            scan_up_locked (conn, chunk->data + offset, n);
          g_mutex_unlock (&self->mutex);

          if (!g_output_stream_write_all (out, chunk->data + offset, n, NULL,
                                          conn->cancellable, &error))
            {
              g_mutex_lock (&self->mutex);
              conn_cut_locked (conn, FALSE);
              g_mutex_unlock (&self->mutex);
              goto out;
            }
          offset += n;
        }
    }

out:
  thread_done (conn);
  return NULL;
}

static void
read_loop (Pipe *pipe)
{
  Conn *conn = pipe->conn;
  BcFaultProxy *self = conn->proxy;
  GSocketConnection *source = pipe->direction == BC_FAULT_UP ? conn->client : conn->server;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (source));
  g_autofree guint8 *buffer = g_malloc (64 * 1024);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_input_stream_read (in, buffer, 64 * 1024, conn->cancellable, &error);

      if (n > 0)
        {
          g_async_queue_push (pipe->queue, chunk_new (CHUNK_DATA, buffer, n));
          continue;
        }
      if (n == 0)
        {
          g_async_queue_push (pipe->queue, chunk_new (CHUNK_EOF, NULL, 0));
          break;
        }
      /* A peer's reset (or our own cut): the other side goes too. */
      g_mutex_lock (&self->mutex);
      conn_cut_locked (conn, FALSE);
      g_mutex_unlock (&self->mutex);
      break;
    }
}

static gpointer
reader_thread (gpointer data)
{
  Pipe *pipe = data;

  read_loop (pipe);
  thread_done (pipe->conn);
  return NULL;
}

static void
start_thread (Conn        *conn,
              const char  *name,
              GThreadFunc  func,
              gpointer     data)
{
  BcFaultProxy *self = conn->proxy;

  g_mutex_lock (&self->mutex);
  self->threads++;
  g_mutex_unlock (&self->mutex);
  conn_ref (conn);
  g_thread_unref (g_thread_new (name, func, data));
}

static void
conn_remove (Conn *conn)
{
  BcFaultProxy *self = conn->proxy;

  g_mutex_lock (&self->mutex);
  g_ptr_array_remove (self->conns, conn);
  g_mutex_unlock (&self->mutex);
}

/* The first thread of a connection: connects upstream, starts the others,
 * then reads what the client sends. */
static gpointer
conn_thread (gpointer data)
{
  Conn *conn = data;
  BcFaultProxy *self = conn->proxy;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  guint16 port;

  g_mutex_lock (&self->mutex);
  host = g_strdup (self->upstream_host);
  port = self->upstream_port;
  g_mutex_unlock (&self->mutex);

  g_socket_client_set_timeout (client, 10);
  g_socket_client_set_enable_proxy (client, FALSE);
  conn->server = g_socket_client_connect_to_host (client, host, port, conn->cancellable, &error);
  if (conn->server == NULL)
    {
      /* Upstream is down: the client sees its connection closed. */
      g_debug ("upstream %s:%u: %s", host, port, error->message);
      g_mutex_lock (&self->mutex);
      conn_cut_locked (conn, FALSE);
      g_mutex_unlock (&self->mutex);
      conn_remove (conn);
      thread_done (conn);
      return NULL;
    }
  g_socket_set_option (g_socket_connection_get_socket (conn->server),
                       IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  /* The client's timeout bounds the connect; a socket it made keeps it for
   * every read, and a server may say nothing for longer (one taking in a
   * push over a slow link answers only once it has it all). Still bounded:
   * a connection whose client gave up while its server waits is closed
   * after this, or a long randomised run runs out of file descriptors. */
  g_socket_set_timeout (g_socket_connection_get_socket (conn->server), 10);

  start_thread (conn, "proxy-up-write", writer_thread, &conn->pipes[BC_FAULT_UP]);
  start_thread (conn, "proxy-down-write", writer_thread, &conn->pipes[BC_FAULT_DOWN]);
  start_thread (conn, "proxy-down-read", reader_thread, &conn->pipes[BC_FAULT_DOWN]);
  read_loop (&conn->pipes[BC_FAULT_UP]);

  /* Wait for the writers before leaving the list, so that a plan set
   * while the connection lives still reaches it. */
  g_mutex_lock (&self->mutex);
  while (!conn->cut)
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);
  conn_remove (conn);
  thread_done (conn);
  return NULL;
}

static gpointer
accept_thread (gpointer data)
{
  BcFaultProxy *self = data;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      GSocketConnection *connection = g_socket_listener_accept (self->listener, NULL,
                                                                self->cancellable, &error);
      Conn *conn;
      BcFaultPlan *queued;

      if (connection == NULL)
        {
          if (g_cancellable_is_cancelled (self->cancellable))
            break;
          g_debug ("accept: %s", error->message);
          continue;
        }
      g_socket_set_option (g_socket_connection_get_socket (connection),
                           IPPROTO_TCP, TCP_NODELAY, 1, NULL);

      conn = g_new0 (Conn, 1);
      g_atomic_ref_count_init (&conn->ref);
      conn->proxy = self;
      conn->client = connection;
      conn->cancellable = g_cancellable_new ();
      for (guint i = 0; i < 2; i++)
        {
          conn->pipes[i].conn = conn;
          conn->pipes[i].direction = i;
          conn->pipes[i].queue = g_async_queue_new ();
          conn->pipes[i].scan = g_string_new (NULL);
        }

      g_mutex_lock (&self->mutex);
      if (self->stopped)
        conn_cut_locked (conn, FALSE);
      queued = g_queue_pop_head (&self->queued);
      conn_set_plan_locked (conn, queued != NULL ? queued : &self->plan);
      g_clear_pointer (&queued, plan_free);
      self->connections++;
      g_ptr_array_add (self->conns, conn);
      self->threads++;
      g_mutex_unlock (&self->mutex);

      /* conn_thread takes the first reference. */
      g_thread_unref (g_thread_new ("proxy-conn", conn_thread, conn));
    }
  return NULL;
}

BcFaultProxy *
bc_fault_proxy_new (const char  *upstream_host,
                    guint16      upstream_port,
                    GError     **error)
{
  g_autoptr(BcFaultProxy) self = g_object_new (BC_TYPE_FAULT_PROXY, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;

  g_return_val_if_fail (upstream_host != NULL, NULL);

  self->upstream_host = g_strdup (upstream_host);
  self->upstream_port = upstream_port;
  if (!g_socket_listener_add_address (self->listener, address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
    return NULL;
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  self->accept_thread = g_thread_new ("proxy-accept", accept_thread, self);
  return g_steal_pointer (&self);
}

guint16
bc_fault_proxy_get_port (BcFaultProxy *self)
{
  g_return_val_if_fail (BC_IS_FAULT_PROXY (self), 0);
  return self->port;
}

char *
bc_fault_proxy_dup_uri (BcFaultProxy *self)
{
  g_return_val_if_fail (BC_IS_FAULT_PROXY (self), NULL);
  return g_strdup_printf ("http://127.0.0.1:%u", self->port);
}

void
bc_fault_proxy_set_upstream (BcFaultProxy *self,
                             const char   *host,
                             guint16       port)
{
  g_return_if_fail (BC_IS_FAULT_PROXY (self));
  g_return_if_fail (host != NULL);

  g_mutex_lock (&self->mutex);
  g_free (self->upstream_host);
  self->upstream_host = g_strdup (host);
  self->upstream_port = port;
  g_mutex_unlock (&self->mutex);
}

void
bc_fault_proxy_set_plan (BcFaultProxy      *self,
                         const BcFaultPlan *plan)
{
  g_return_if_fail (BC_IS_FAULT_PROXY (self));

  g_mutex_lock (&self->mutex);
  plan_copy (&self->plan, plan);
  for (guint i = 0; i < self->conns->len; i++)
    conn_set_plan_locked (g_ptr_array_index (self->conns, i), &self->plan);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

void
bc_fault_proxy_queue_plan (BcFaultProxy      *self,
                           const BcFaultPlan *plan)
{
  BcFaultPlan none = { 0 };

  g_return_if_fail (BC_IS_FAULT_PROXY (self));

  g_mutex_lock (&self->mutex);
  g_queue_push_tail (&self->queued, plan_dup (plan != NULL ? plan : &none));
  g_mutex_unlock (&self->mutex);
}

void
bc_fault_proxy_cut_all (BcFaultProxy *self,
                        gboolean      reset)
{
  g_return_if_fail (BC_IS_FAULT_PROXY (self));

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->conns->len; i++)
    conn_cut_locked (g_ptr_array_index (self->conns, i), reset);
  g_mutex_unlock (&self->mutex);
}

guint64
bc_fault_proxy_get_bytes (BcFaultProxy     *self,
                          BcFaultDirection  direction)
{
  guint64 bytes;

  g_return_val_if_fail (BC_IS_FAULT_PROXY (self), 0);
  g_return_val_if_fail (direction <= BC_FAULT_DOWN, 0);

  g_mutex_lock (&self->mutex);
  bytes = self->bytes[direction];
  g_mutex_unlock (&self->mutex);
  return bytes;
}

guint
bc_fault_proxy_get_connections (BcFaultProxy *self)
{
  guint n;

  g_return_val_if_fail (BC_IS_FAULT_PROXY (self), 0);

  g_mutex_lock (&self->mutex);
  n = self->connections;
  g_mutex_unlock (&self->mutex);
  return n;
}

guint
bc_fault_proxy_get_faults_fired (BcFaultProxy *self)
{
  guint n;

  g_return_val_if_fail (BC_IS_FAULT_PROXY (self), 0);

  g_mutex_lock (&self->mutex);
  n = self->faults;
  g_mutex_unlock (&self->mutex);
  return n;
}

void
bc_fault_proxy_reset_counters (BcFaultProxy *self)
{
  g_return_if_fail (BC_IS_FAULT_PROXY (self));

  g_mutex_lock (&self->mutex);
  self->bytes[0] = self->bytes[1] = 0;
  self->connections = 0;
  self->faults = 0;
  g_mutex_unlock (&self->mutex);
}

void
bc_fault_proxy_stop (BcFaultProxy *self)
{
  g_return_if_fail (BC_IS_FAULT_PROXY (self));

  if (self->accept_thread != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      g_thread_join (g_steal_pointer (&self->accept_thread));
    }
  g_socket_listener_close (self->listener);

  g_mutex_lock (&self->mutex);
  self->stopped = TRUE;
  for (guint i = 0; i < self->conns->len; i++)
    conn_cut_locked (g_ptr_array_index (self->conns, i), FALSE);
  while (self->threads > 0)
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);
}

static void
bc_fault_proxy_finalize (GObject *object)
{
  BcFaultProxy *self = BC_FAULT_PROXY (object);

  bc_fault_proxy_stop (self);
  g_object_unref (self->listener);
  g_object_unref (self->cancellable);
  g_ptr_array_unref (self->conns);
  g_queue_clear_full (&self->queued, (GDestroyNotify) plan_free);
  plan_clear (&self->plan);
  g_free (self->upstream_host);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (bc_fault_proxy_parent_class)->finalize (object);
}

static void
bc_fault_proxy_class_init (BcFaultProxyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bc_fault_proxy_finalize;
}

static void
bc_fault_proxy_init (BcFaultProxy *self)
{
  self->listener = g_socket_listener_new ();
  self->cancellable = g_cancellable_new ();
  self->conns = g_ptr_array_new ();
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  g_queue_init (&self->queued);
}

/* Random plans ------------------------------------------------------- */

void
bc_fault_plan_random (GRand       *rand,
                      BcFaultPlan *plan)
{
  memset (plan, 0, sizeof *plan);
  switch (g_rand_int_range (rand, 0, 8))
    {
    case 0:
    case 1:
      break;   /* a good link */
    case 2:
      plan->kind = BC_FAULT_DROP;
      plan->direction = BC_FAULT_UP;
      plan->after_bytes = g_rand_int_range (rand, 0, 6000);
      break;
    case 3:
      plan->kind = BC_FAULT_DROP;
      plan->direction = BC_FAULT_DOWN;
      plan->after_bytes = g_rand_int_range (rand, 0, 3000);
      break;
    case 4:
      plan->kind = BC_FAULT_RESET;
      plan->direction = g_rand_boolean (rand) ? BC_FAULT_UP : BC_FAULT_DOWN;
      plan->after_bytes = g_rand_int_range (rand, 0, plan->direction == BC_FAULT_UP ? 6000 : 2500);
      break;
    case 5:
      plan->kind = BC_FAULT_LOSE_RESPONSE;
      plan->after_request = "POST /api/v1/push";
      break;
    case 6:
      plan->kind = BC_FAULT_LOSE_RESPONSE;
      plan->after_request = g_rand_boolean (rand) ? "GET /api/v1/changes" : NULL;
      break;
    case 7:
      /* Stalls shorter than the bound: slow, not broken. */
      plan->kind = BC_FAULT_STALL;
      plan->direction = g_rand_boolean (rand) ? BC_FAULT_UP : BC_FAULT_DOWN;
      plan->after_bytes = g_rand_int_range (rand, 0, 3000);
      plan->stall_usec = g_rand_int_range (rand, 1000, 200 * 1000);
      break;
    default:
      g_assert_not_reached ();
    }
}
