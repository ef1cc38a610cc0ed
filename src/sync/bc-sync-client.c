/* bc-sync-client.c: enrols a device and syncs a workbook with the server.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-sync"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "bc-i18n.h"
#include "bc-outbox.h"
#include "bc-period.h"
#include "bc-sync-client.h"
#include "bc-sync-client-private.h"
#include "bc-sync-token.h"
#include "bc-wire.h"

#define DEFAULT_IO_TIMEOUT       30
#define DEFAULT_REQUEST_TIMEOUT  60
#define CHANGES_PAGE             100
/* Room left in a push body for the items' wrapping. */
#define PUSH_BODY_BUDGET         (BC_WIRE_MAX_BODY - 64 * 1024)

struct _BcSyncClient
{
  GObject     parent_instance;

  BcWorkbook *workbook;
  char       *ca_file;
  char       *token_file;
  char       *fallback_token_file;  /* where the token goes without a keyring */
  guint       io_timeout;
  guint       request_timeout;

  /* Written by the worker, read anywhere. */
  GMutex      mutex;
  guint64     bytes_sent;
  guint64     bytes_received;
  guint       items_done;
  guint       items_total;
  guint       retry_after;
  gboolean    busy;
  /* How many items one push may carry now: halved after a push the link
   * cut, doubled back after one that got through. A link that drops every
   * few seconds still takes the outbox, a smaller batch at a time, instead
   * of losing the same large batch at every attempt. */
  guint       push_limit;
};

G_DEFINE_FINAL_TYPE (BcSyncClient, bc_sync_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_WORKBOOK,
  PROP_CA_FILE,
  PROP_TOKEN_FILE,
  PROP_IO_TIMEOUT,
  PROP_REQUEST_TIMEOUT,
  PROP_BYTES_SENT,
  PROP_BYTES_RECEIVED,
  PROP_ITEMS_DONE,
  PROP_ITEMS_TOTAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
bc_sync_not_sent_free (BcSyncNotSent *not_sent)
{
  if (not_sent == NULL)
    return;
  g_free (not_sent->report_id);
  g_free (not_sent->unit);
  g_free (not_sent->message);
  g_free (not_sent);
}

void
bc_sync_summary_free (BcSyncSummary *summary)
{
  if (summary == NULL)
    return;
  g_clear_pointer (&summary->results, g_ptr_array_unref);
  g_clear_pointer (&summary->not_sent, g_ptr_array_unref);
  g_free (summary->server_name);
  g_free (summary);
}

/* ------------------------------------------------------------------------ */
/* One run (an enrolment or a sync) in its worker thread                    */

typedef struct {
  BcSyncClient  *client;
  GMainContext  *context;       /* the caller's: progress, deadlines */
  GCancellable  *cancellable;   /* the caller's, may be NULL */
  SoupSession   *session;
  GTlsDatabase  *ca_database;   /* the extra CA, or NULL */
  char          *base_url;
  char          *token;
  char          *token_file;
  char          *fallback_token_file;
  gboolean       fell_back;     /* the token went to fallback_token_file */
  guint          io_timeout;
  guint          request_timeout;
  /* enrolment */
  char          *user;
  char          *password;
  char          *device;
} Run;

static void
run_free (Run *run)
{
  g_clear_object (&run->client);
  g_clear_pointer (&run->context, g_main_context_unref);
  g_clear_object (&run->cancellable);
  g_clear_object (&run->session);
  g_clear_object (&run->ca_database);
  g_free (run->base_url);
  if (run->token != NULL)
    memset (run->token, 0, strlen (run->token));
  g_free (run->token);
  g_free (run->token_file);
  g_free (run->fallback_token_file);
  g_free (run->user);
  if (run->password != NULL)
    memset (run->password, 0, strlen (run->password));
  g_free (run->password);
  g_free (run->device);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

static gboolean
emit_progress_idle (gpointer user_data)
{
  BcSyncClient *self = user_data;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_SENT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_RECEIVED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEMS_DONE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEMS_TOTAL]);
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0);

  return G_SOURCE_REMOVE;
}

static void
progress (Run     *run,
          guint64  sent,
          guint64  received,
          guint    done,
          gint     total)
{
  BcSyncClient *self = run->client;

  g_mutex_lock (&self->mutex);
  self->bytes_sent += sent;
  self->bytes_received += received;
  self->items_done += done;
  if (total >= 0)
    self->items_total = (guint) total;
  g_mutex_unlock (&self->mutex);

  g_main_context_invoke_full (run->context, G_PRIORITY_DEFAULT, emit_progress_idle,
                              g_object_ref (self), g_object_unref);
}

static void
set_retry_after (Run   *run,
                 guint  seconds)
{
  g_mutex_lock (&run->client->mutex);
  run->client->retry_after = seconds;
  g_mutex_unlock (&run->client->mutex);
}

/* ------------------------------------------------------------------------ */
/* Requests                                                                 */

/* A request's bound: `allowed_ms` after `start`, which the reader moves
 * on as the answer arrives (a long answer over a slow but living link is
 * not cut; a trickle earns almost nothing). Checked four times a second on
 * the caller's main context. */
typedef struct {
  GCancellable *cancellable;
  gint64        start;       /* monotonic µs */
  gint          allowed_ms;  /* atomic */
  gint          timed_out;   /* atomic */
} Deadline;

#define DEADLINE_CHECK_MS      250
#define SECONDS_PER_BYTE_SENT  (1.0 / 4096)   /* of the body as sent */
#define SECONDS_PER_BYTE_READ  (1.0 / 16384)  /* of the answer, decompressed */

static void
deadline_clear (gpointer data)
{
  Deadline *deadline = data;

  g_clear_object (&deadline->cancellable);
}

static void
deadline_release (gpointer data)
{
  g_rc_box_release_full (data, deadline_clear);
}

static gboolean
deadline_check (gpointer user_data)
{
  Deadline *deadline = user_data;
  gint64 elapsed_ms = (g_get_monotonic_time () - deadline->start) / 1000;

  if (elapsed_ms < g_atomic_int_get (&deadline->allowed_ms))
    return G_SOURCE_CONTINUE;

  g_atomic_int_set (&deadline->timed_out, 1);
  g_cancellable_cancel (deadline->cancellable);

  return G_SOURCE_REMOVE;
}

static void
forward_cancel (GCancellable *cancellable,
                gpointer      user_data)
{
  (void) cancellable;
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static gboolean
accept_certificate (SoupMessage          *message,
                    GTlsCertificate      *certificate,
                    GTlsCertificateFlags  errors,
                    gpointer              user_data)
{
  Run *run = user_data;
  g_autoptr(GSocketConnectable) identity = NULL;
  GUri *uri = soup_message_get_uri (message);
  GTlsCertificateFlags flags;

  (void) errors;

  if (run->ca_database == NULL)
    return FALSE;

  /* The system's CAs refused it: check it against the configured CA, host
   * name included (a wrong host stays refused). */
  identity = g_network_address_new (g_uri_get_host (uri), (guint16) MAX (g_uri_get_port (uri), 0));
  flags = g_tls_database_verify_chain (run->ca_database, certificate,
                                       G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER, identity,
                                       NULL, G_TLS_DATABASE_VERIFY_NONE, NULL, NULL);
  return flags == 0;
}

static void
set_transport_error (Run          *run,
                     const GError *cause,
                     gboolean      timed_out,
                     GError      **error)
{
  g_autofree char *host = NULL;
  GUri *uri = g_uri_parse (run->base_url, G_URI_FLAGS_NONE, NULL);

  host = g_strdup (uri != NULL ? g_uri_get_host (uri) : run->base_url);
  g_clear_pointer (&uri, g_uri_unref);

  if (g_cancellable_is_cancelled (run->cancellable))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Sync was cancelled."));
      return;
    }

  if (timed_out || g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_TIMEOUT,
                   _("The server %s took too long to answer. The link may be too slow or "
                     "cut: Baocao will try again; nothing was lost."),
                   host);
      return;
    }

  if (cause->domain == G_TLS_ERROR && run->ca_database != NULL)
    {
      g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_CERTIFICATE,
                   _("The certificate of %s was refused (%s), also by the CA certificate file "
                     "%s: this may not be your province's server, or its address may be wrong."),
                   host, cause->message, run->client->ca_file);
      return;
    }

  if (cause->domain == G_TLS_ERROR)
    {
      g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_CERTIFICATE,
                   _("The certificate of %s was refused (%s): this may not be your "
                     "province's server. If your administrator gave you a CA certificate "
                     "file, name it with --ca-file."),
                   host, cause->message);
      return;
    }

  if (cause->domain == G_RESOLVER_ERROR
      || g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED)
      || g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE)
      || g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE)
      || g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED)
      || g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND))
    {
      g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_OFFLINE,
                   _("Cannot reach the server %s (%s). Check the network connection; "
                     "your reports stay here and go at the first sync once it is back."),
                   host, cause->message);
      return;
    }

  g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_INTERRUPTED,
               _("The connection to %s was cut (%s). Sync again: what did not arrive is "
                 "sent again, nothing twice."),
               host, cause->message);
}

static GBytes *
gzip_bytes (GBytes *input)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) stream = g_converter_output_stream_new (memory, G_CONVERTER (compressor));
  gsize length;
  const void *data = g_bytes_get_data (input, &length);

  /* Writing to memory cannot fail. */
  if (!g_output_stream_write_all (stream, data, length, NULL, NULL, NULL)
      || !g_output_stream_close (stream, NULL, NULL))
    g_assert_not_reached ();

  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

static const char *
accept_language (void)
{
  const char * const *names = g_get_language_names ();

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_str_has_prefix (names[i], "vi"))
        return "vi";
      if (g_str_has_prefix (names[i], "en"))
        return "en";
    }

  return "vi";
}

/* Sends one request and reads its whole answer (at most
 * BC_SYNC_MAX_RESPONSE bytes), within its deadline. `body` is JSON or NULL.
 * Returns the body with *status set, or NULL with a BC_SYNC_ERROR (or
 * cancelled) when no complete answer came. */
static GBytes *
request (Run         *run,
         const char  *method,
         const char  *path,
         GBytes      *body,
         gboolean     idempotent,
         guint       *status,
         char       **retry_after,
         GError     **error)
{
  g_autofree char *url = g_strconcat (run->base_url, path, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GByteArray) answer = g_byte_array_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GSource) timer = NULL;
  Deadline *deadline = NULL;
  SoupMessageHeaders *headers;
  SoupMessageMetrics *metrics;
  gsize body_length = 0;
  gulong handler = 0;
  double base_ms;
  gboolean ok = TRUE;

  if (message == NULL)
    {
      g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_NOT_ENROLLED,
                   _("The server address “%s” is not valid. Enrol again with the right one."),
                   run->base_url);
      return NULL;
    }

  headers = soup_message_get_request_headers (message);
  soup_message_headers_replace (headers, "Baocao-Protocol", "1");
  soup_message_headers_replace (headers, "Accept", "application/json");
  soup_message_headers_replace (headers, "Accept-Language", accept_language ());
  if (run->token != NULL)
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", run->token, NULL);

      soup_message_headers_replace (headers, "Authorization", bearer);
    }
  if (body != NULL)
    {
      g_autoptr(GBytes) compressed = gzip_bytes (body);

      soup_message_headers_replace (headers, "Content-Encoding", "gzip");
      body_length = g_bytes_get_size (compressed);
      soup_message_set_request_body_from_bytes (message, "application/json", compressed);
    }
  /* Push is idempotent by the protocol: reusing the connection is safe,
   * and much faster. */
  soup_message_add_flags (message, SOUP_MESSAGE_COLLECT_METRICS
                          | (idempotent ? SOUP_MESSAGE_IDEMPOTENT : 0));
  g_signal_connect (message, "accept-certificate", G_CALLBACK (accept_certificate), run);

  if (run->cancellable != NULL)
    handler = g_cancellable_connect (run->cancellable, G_CALLBACK (forward_cancel),
                                     g_object_ref (cancellable), g_object_unref);

  /* Shared with the timer on the caller's thread, which may be checking it
   * while this thread returns: reference-counted, not on this stack. */
  deadline = g_rc_box_new0 (Deadline);
  deadline->cancellable = g_object_ref (cancellable);
  deadline->start = g_get_monotonic_time ();
  base_ms = (run->request_timeout + body_length * SECONDS_PER_BYTE_SENT) * 1000;
  g_atomic_int_set (&deadline->allowed_ms, (gint) MIN (base_ms, G_MAXINT));
  timer = g_timeout_source_new (DEADLINE_CHECK_MS);
  g_source_set_callback (timer, deadline_check, g_rc_box_acquire (deadline), deadline_release);
  g_source_attach (timer, run->context);

  stream = soup_session_send (run->session, message, cancellable, &local_error);
  while (stream != NULL && ok)
    {
      guint8 buffer[16384];
      gssize n = g_input_stream_read (stream, buffer, sizeof buffer, cancellable, &local_error);

      if (n < 0)
        ok = FALSE;
      else if (n == 0)
        break;
      else if (answer->len + (gsize) n > BC_SYNC_MAX_RESPONSE)
        {
          g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                       "answer larger than %d bytes", BC_SYNC_MAX_RESPONSE);
          ok = FALSE;
        }
      else
        {
          g_byte_array_append (answer, buffer, (guint) n);
          g_atomic_int_set (&deadline->allowed_ms,
                            (gint) MIN (base_ms + answer->len * SECONDS_PER_BYTE_READ * 1000,
                                        G_MAXINT));
        }
    }
  if (stream != NULL)
    g_input_stream_close (stream, NULL, NULL);

  g_source_destroy (timer);
  if (handler != 0)
    g_cancellable_disconnect (run->cancellable, handler);

  metrics = soup_message_get_metrics (message);
  if (metrics != NULL)
    progress (run,
              soup_message_metrics_get_request_header_bytes_sent (metrics)
              + soup_message_metrics_get_request_body_bytes_sent (metrics),
              soup_message_metrics_get_response_header_bytes_received (metrics)
              + soup_message_metrics_get_response_body_bytes_received (metrics),
              0, -1);

  if (stream == NULL || !ok)
    {
      set_transport_error (run, local_error, g_atomic_int_get (&deadline->timed_out), error);
      deadline_release (deadline);
      return NULL;
    }

  deadline_release (deadline);

  /* libsoup 3.2 takes a response cut inside its headers as a whole one
   * that ends where the connection ends. The protocol delimits every answer
   * (Content-Length or chunked), so such an answer is a cut link: a thing
   * to try again, not a server that speaks another protocol. */
  if (soup_message_headers_get_encoding (soup_message_get_response_headers (message)) == SOUP_ENCODING_EOF &&
      soup_message_get_status (message) != SOUP_STATUS_NO_CONTENT &&
      soup_message_get_status (message) != SOUP_STATUS_NOT_MODIFIED)
    {
      g_autoptr(GError) cut = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                                   "the connection ended inside the server's answer");

      set_transport_error (run, cut, FALSE, error);
      return NULL;
    }

  *status = soup_message_get_status (message);
  if (retry_after != NULL)
    *retry_after = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                           "Retry-After"));

  return g_byte_array_free_to_bytes (g_steal_pointer (&answer));
}

static guint
parse_retry_after (const char *text)
{
  guint64 seconds;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, 86400, &seconds, NULL))
    return 0;

  return (guint) seconds;
}

static void
set_protocol_error (gint64   protocol_min,
                    gint64   protocol_max,
                    GError **error)
{
  if (protocol_min > BC_WIRE_PROTOCOL_VERSION)
    g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_SERVER_TOO_NEW,
                 _("The server needs a newer Baocao (it speaks protocol %d and later; this "
                   "Baocao speaks %d). Update Baocao."),
                 (int) protocol_min, BC_WIRE_PROTOCOL_VERSION);
  else
    g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_SERVER_TOO_OLD,
                 _("The server is too old for this Baocao (it speaks protocol %d at most; this "
                   "Baocao needs %d). Ask the server's administrator to update it."),
                 (int) protocol_max, BC_WIRE_PROTOCOL_VERSION);
}

/* Turns a status of 400 or above into an error, from the error body. */
static void
set_status_error (Run         *run,
                  guint        status,
                  GBytes      *body,
                  const char  *retry_after,
                  GError     **error)
{
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;
  gint64 protocol_min, protocol_max;
  gsize length;
  const char *data = g_bytes_get_data (body, &length);
  gboolean decoded = bc_sync_decode_error (data, length, &code, &message,
                                           &protocol_min, &protocol_max);
  const char *said = message != NULL ? message : soup_status_get_phrase (status);

  if (!decoded)
    g_clear_pointer (&code, g_free);

  /* The server's own words add nothing to these two. */
  if (status == 401 && g_strcmp0 (code, "bad_credentials") == 0)
    g_set_error_literal (error, BC_SYNC_ERROR, BC_SYNC_ERROR_BAD_CREDENTIALS,
                         _("The user name or password is wrong. Check them and try again."));
  else if (status == 401)
    g_set_error_literal (error, BC_SYNC_ERROR, BC_SYNC_ERROR_UNAUTHORIZED,
                         _("The server no longer accepts this device: it may have been revoked. "
                           "Enrol it again: baocao-cli enrol URL --user USER."));
  else if (g_strcmp0 (code, "protocol_unsupported") == 0)
    set_protocol_error (protocol_min, protocol_max, error);
  else if (status == 429 || status == 503)
    {
      set_retry_after (run, parse_retry_after (retry_after));
      g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_RATE_LIMITED,
                   _("The server is busy (%s). Baocao will try again in %u seconds."),
                   said, parse_retry_after (retry_after));
    }
  else if (status >= 500)
    g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_SERVER,
                 _("The server failed (%u: %s). Nothing was lost: try again later, or tell "
                   "the server's administrator if it goes on."),
                 status, said);
  else
    g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_PROTOCOL,
                 _("The server refused the request (%u: %s)."), status, said);
}

static GBytes *
json_body (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  char *text = bc_wire_canonical_json (root);

  return g_bytes_new_take (text, strlen (text));
}

/* GET /api/v1/info and the protocol check. */
static BcSyncInfo *
get_info (Run     *run,
          GError **error)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *retry_after = NULL;
  g_autoptr(BcSyncInfo) info = NULL;
  guint status = 0;
  gsize length;
  const char *data;

  body = request (run, "GET", "/api/v1/info", NULL, TRUE, &status, &retry_after, error);
  if (body == NULL)
    return NULL;

  if (status == 404)
    {
      g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_SERVER_TOO_OLD,
                   _("The server at %s is too old for this Baocao, or is not a Baocao server "
                     "(it has no /api/v1/info). Ask the server's administrator."),
                   run->base_url);
      return NULL;
    }
  if (status >= 400 || status < 200)
    {
      set_status_error (run, status, body, retry_after, error);
      return NULL;
    }

  data = g_bytes_get_data (body, &length);
  info = bc_sync_decode_info (data, length, error);
  if (info == NULL)
    return NULL;

  if (info->protocol_min > BC_WIRE_PROTOCOL_VERSION
      || info->protocol_max < BC_WIRE_PROTOCOL_VERSION)
    {
      set_protocol_error (info->protocol_min, info->protocol_max, error);
      return NULL;
    }

  /* A demo workbook talks only to a training server, a real one never
   * (bc-training.h): checked on every enrolment and sync, whatever the
   * address, before anything is sent. */
  if (info->training != (bc_workbook_get_kind (run->client->workbook) == BC_WORKBOOK_KIND_DEMO))
    {
      if (info->training)
        g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_DEMO,
                     _("The server at %s is a training server: it takes only demo workbooks. "
                       "This workbook holds real reports; send them to your province's server."),
                     run->base_url);
      else
        g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_DEMO,
                     _("This is a demo workbook: it syncs only with the training server, never "
                       "with a real server such as %s. Open your own workbook to send reports."),
                     run->base_url);
      return NULL;
    }

  return g_steal_pointer (&info);
}

static gboolean
make_session (Run     *run,
              GError **error)
{
  run->session = soup_session_new_with_options ("timeout", run->io_timeout,
                                                "idle-timeout", run->io_timeout * 2,
                                                "user-agent", "Baocao/" PACKAGE_VERSION " ",
                                                NULL);
  if (run->client->ca_file != NULL)
    {
      run->ca_database = g_tls_file_database_new (run->client->ca_file, error);
      if (run->ca_database == NULL)
        {
          g_prefix_error (error, _("Cannot read the CA certificate file “%s”: "),
                          run->client->ca_file);
          return FALSE;
        }
    }

  return TRUE;
}

static Run *
run_new (BcSyncClient *self,
         GCancellable *cancellable)
{
  Run *run = g_new0 (Run, 1);

  run->client = g_object_ref (self);
  run->context = g_main_context_ref_thread_default ();
  run->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  run->token_file = g_strdup (self->token_file);
  run->fallback_token_file = g_strdup (self->fallback_token_file);
  run->io_timeout = self->io_timeout;
  run->request_timeout = self->request_timeout;

  g_mutex_lock (&self->mutex);
  self->bytes_sent = 0;
  self->bytes_received = 0;
  self->items_done = 0;
  self->items_total = 0;
  self->retry_after = 0;
  g_mutex_unlock (&self->mutex);

  return run;
}

/* ------------------------------------------------------------------------ */
/* URLs                                                                     */

static gboolean
is_loopback_host (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

char *
bc_sync_client_check_url (const char  *url,
                          GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  g_autofree char *text = NULL;

  g_return_val_if_fail (url != NULL, NULL);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || scheme == NULL || g_uri_get_host (uri) == NULL
      || *g_uri_get_host (uri) == '\0' || g_uri_get_userinfo (uri) != NULL
      || g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL
      || (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0))
    {
      g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_NOT_ENROLLED,
                   _("“%s” is not a server address. Give it as https://server.example.gov.vn "
                     "(the address your province gave you)."),
                   url);
      return NULL;
    }

  if (g_ascii_strcasecmp (scheme, "http") == 0 && !is_loopback_host (g_uri_get_host (uri)))
    {
      g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_CERTIFICATE,
                   _("“%s” is not encrypted (http://). Baocao sends reports only over https://, "
                     "except to this computer itself. Use the https:// address."),
                   url);
      return NULL;
    }

  text = g_uri_to_string (uri);
  while (g_str_has_suffix (text, "/"))
    text[strlen (text) - 1] = '\0';

  return g_steal_pointer (&text);
}

static gboolean
check_demo (BcWorkbook  *workbook,
            const char  *url,
            GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (bc_workbook_get_kind (workbook) != BC_WORKBOOK_KIND_DEMO
      || (uri != NULL && is_loopback_host (g_uri_get_host (uri))))
    return TRUE;

  g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_DEMO,
               _("This is a demo workbook: its reports are for training and never go to a "
                 "real server. Open your own workbook to send reports."));
  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* Enrolment                                                                */

static void
enrol_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  BcSyncClient *self = source_object;
  Run *run = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BcSyncInfo) info = NULL;
  g_autoptr(BcSyncEnrolment) enrolment = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autofree char *retry_after = NULL;
  g_autofree char *old_server_id = NULL;
  g_autofree char *old_url = NULL;
  g_autofree char *old_token = NULL;
  guint status = 0;
  gsize length;
  const char *data;

  (void) cancellable;

  if (!check_demo (self->workbook, run->base_url, &error) || !make_session (run, &error))
    goto out;

  /* Where the token will go must be there before the password leaves: a
   * token issued and then lost would be a device nobody can use. */
  if (run->token_file != NULL)
    {
      g_autofree char *folder = g_path_get_dirname (run->token_file);

      if (!g_file_test (folder, G_FILE_TEST_IS_DIR)
          || g_file_test (run->token_file, G_FILE_TEST_IS_DIR))
        {
          g_set_error (&error, BC_SYNC_ERROR, BC_SYNC_ERROR_NOT_ENROLLED,
                       _("The token file “%s” cannot be made there: its folder does not exist, "
                         "or it is a folder. Name a file in an existing folder."),
                       run->token_file);
          goto out;
        }
    }

  /* No keyring: say so before the password leaves, not after. */
  if (run->token_file == NULL)
    {
      g_autoptr(GError) probe_error = NULL;
      g_autofree char *probe = bc_sync_token_lookup ("-", run->base_url, NULL, run->cancellable,
                                                     &probe_error);

      if (g_error_matches (probe_error, BC_SYNC_ERROR, BC_SYNC_ERROR_NO_KEYRING)
          && run->fallback_token_file != NULL)
        {
          /* The window's own file (0600, in a 0700 folder) instead. */
          g_autofree char *folder = g_path_get_dirname (run->fallback_token_file);

          if (g_mkdir_with_parents (folder, 0700) != 0)
            {
              int saved = errno;

              g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (saved),
                           _("There is no desktop keyring, and the folder “%s” for this "
                             "device's key cannot be made: %s"),
                           folder, g_strerror (saved));
              goto out;
            }
          g_free (run->token_file);
          run->token_file = g_strdup (run->fallback_token_file);
          run->fell_back = TRUE;
        }
      else if (g_error_matches (probe_error, BC_SYNC_ERROR, BC_SYNC_ERROR_NO_KEYRING)
               || g_error_matches (probe_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (&error, g_steal_pointer (&probe_error));
          goto out;
        }
    }

  info = get_info (run, &error);
  if (info == NULL)
    goto out;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "user");
  json_builder_add_string_value (builder, run->user);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, run->password);
  json_builder_set_member_name (builder, "device");
  json_builder_add_string_value (builder, run->device);
  json_builder_end_object (builder);
  body = json_body (builder);
  g_clear_object (&builder);

  answer = request (run, "POST", "/api/v1/enrol", body, FALSE, &status, &retry_after, &error);
  /* The password is not needed any more: wipe the request's copy too. */
  memset ((char *) g_bytes_get_data (body, NULL), 0, g_bytes_get_size (body));
  if (answer == NULL)
    goto out;
  if (status != 201 && status != 200)
    {
      set_status_error (run, status, answer, retry_after, &error);
      goto out;
    }

  data = g_bytes_get_data (answer, &length);
  enrolment = bc_sync_decode_enrolment (data, length, &error);
  if (enrolment == NULL)
    goto out;
  if (g_strcmp0 (enrolment->server_id, info->server_id) != 0)
    {
      g_set_error (&error, BC_SYNC_ERROR, BC_SYNC_ERROR_PROTOCOL,
                   _("The server answered with another server's id. Ask the server's "
                     "administrator."));
      goto out;
    }

  /* The token this workbook had for this server, if any: signed out below
   * once the new one is kept, so the province sees no stale device. */
  old_server_id = bc_outbox_get_sync_setting (self->workbook, BC_SYNC_SETTING_SERVER_ID);
  old_url = bc_outbox_get_sync_setting (self->workbook, BC_SYNC_SETTING_SERVER_URL);
  if (old_url != NULL && g_strcmp0 (old_server_id, enrolment->server_id) == 0)
    old_token = bc_sync_token_lookup (old_server_id, old_url, run->token_file, run->cancellable,
                                      NULL);

  if (!bc_sync_token_store (enrolment->server_id, run->base_url, enrolment->token,
                            run->token_file, run->cancellable, &error))
    goto out;

  if (old_token != NULL && g_strcmp0 (old_token, enrolment->token) != 0)
    {
      g_autoptr(GBytes) signed_out = NULL;
      g_autoptr(GError) sign_out_error = NULL;
      guint sign_out_status = 0;

      run->token = g_steal_pointer (&old_token);
      signed_out = request (run, "DELETE", "/api/v1/devices/self", NULL, FALSE, &sign_out_status,
                            NULL, &sign_out_error);
      if (signed_out == NULL || sign_out_status != 204)
        g_debug ("The previous token was not signed out: %s",
                 sign_out_error != NULL ? sign_out_error->message
                                        : soup_status_get_phrase (sign_out_status));
    }

  /* A different server starts its feed from the beginning; the same one
   * keeps its cursor. */
  if (!bc_outbox_set_sync_settings (self->workbook, &error,
                                    BC_SYNC_SETTING_SERVER_URL, run->base_url,
                                    BC_SYNC_SETTING_SERVER_ID, enrolment->server_id,
                                    BC_SYNC_SETTING_SERVER_NAME, info->name,
                                    BC_SYNC_SETTING_UNIT, enrolment->unit_code,
                                    BC_SYNC_SETTING_UNIT_NAME, enrolment->unit_name,
                                    BC_SYNC_SETTING_USER, enrolment->user,
                                    BC_SYNC_SETTING_DEVICE_ID, enrolment->device_id,
                                    g_strcmp0 (old_server_id, enrolment->server_id) == 0
                                    ? NULL : "cursor", "0",
                                    NULL))
    goto out;
  /* Syncs find the token where it went, as after the CLI's --token-file. */
  if (run->fell_back)
    bc_outbox_set_sync_setting (self->workbook, "token_file", run->token_file, &error);

out:
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&enrolment),
                           (GDestroyNotify) bc_sync_enrolment_free);
}

void
bc_sync_client_enrol_async (BcSyncClient        *self,
                            const char          *url,
                            const char          *user,
                            const char          *password,
                            const char          *device,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base_url = NULL;
  Run *run;

  g_return_if_fail (BC_IS_SYNC_CLIENT (self));
  g_return_if_fail (url != NULL);
  g_return_if_fail (user != NULL);
  g_return_if_fail (password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_sync_client_enrol_async);

  base_url = bc_sync_client_check_url (url, &error);
  if (base_url == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  run = run_new (self, cancellable);
  run->base_url = g_steal_pointer (&base_url);
  run->user = g_strdup (user);
  run->password = g_strdup (password);
  run->device = g_strdup (device != NULL ? device : g_get_host_name ());
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, enrol_thread);
}

BcSyncEnrolment *
bc_sync_client_enrol_finish (BcSyncClient  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (BC_IS_SYNC_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Sync: push                                                               */

static void
append_string (GString    *out,
               const char *text)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), text);
  g_autofree char *quoted = bc_wire_canonical_json (node);

  g_string_append (out, quoted);
}

/* An item as sent: the frozen content byte for byte. */
static void
append_item (GString            *out,
             const BcOutboxItem *item)
{
  g_string_append (out, "{\"base_revision\":");
  g_string_append_printf (out, "%" G_GINT64_FORMAT, item->base_revision);
  g_string_append (out, ",\"content\":");
  g_string_append (out, item->content);
  g_string_append (out, ",\"content_hash\":");
  append_string (out, item->content_hash);
  g_string_append (out, ",\"report_id\":");
  append_string (out, item->report_id);
  g_string_append_printf (out, ",\"revision\":%" G_GINT64_FORMAT "}", item->revision);
}

/* Moves each report by its push result (a push's, or a reply bundle's). */
static gboolean
apply_results (BcWorkbook  *workbook,
               GPtrArray   *results,
               GError     **error)
{
  gboolean ok = TRUE;

  /* One commit for the whole answer: a hundred receipts are one flush to
   * disk, not a hundred. Until it commits the items stay queued and
   * attempted, so a crash before then sends them again and the server
   * answers with the receipts it gave the first time. */
  if (!bc_outbox_begin_batch (workbook, error))
    return FALSE;

  for (guint i = 0; ok && i < results->len; i++)
    {
      BcSyncPushResult *result = g_ptr_array_index (results, i);

      if (result->result == BC_SYNC_RESULT_REFUSED)
        ok = bc_outbox_record_refused (workbook, result->report_id, result->revision,
                                       result->error_message != NULL ? result->error_message
                                                                     : result->error_code,
                                       error);
      else
        ok = bc_outbox_record_stored (workbook, result->report_id, result->revision,
                                      result->receipt_number, result->received_at,
                                      result->result == BC_SYNC_RESULT_CONFLICT,
                                      result->server_revision != 0 ? result->server_revision
                                                                   : result->revision,
                                      error);
    }

  if (!bc_outbox_end_batch (workbook, ok, ok ? error : NULL))
    return FALSE;
  return ok;
}

static gboolean
push_batch (Run           *run,
            GPtrArray     *batch,
            BcSyncSummary *summary,
            GError       **error)
{
  BcWorkbook *workbook = run->client->workbook;
  g_autoptr(GString) text = g_string_new ("{\"items\":[");
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autofree gint64 *revisions = g_new (gint64, batch->len);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *retry_after = NULL;
  guint status = 0;
  gsize length;
  const char *data;

  for (guint i = 0; i < batch->len; i++)
    {
      BcOutboxItem *item = g_ptr_array_index (batch, i);

      if (i > 0)
        g_string_append_c (text, ',');
      append_item (text, item);
      g_ptr_array_add (ids, item->report_id);
      revisions[i] = item->revision;
    }
  g_string_append (text, "]}");
  body = g_string_free_to_bytes (g_steal_pointer (&text));

  /* Committed before the request leaves: from now on these reports may be
   * on the server, and cannot be taken back to draft. */
  if (!bc_outbox_begin_attempt (workbook, ids, error))
    return FALSE;

  answer = request (run, "POST", "/api/v1/push", body, TRUE, &status, &retry_after, &local_error);
  if (answer != NULL && status != 200)
    set_status_error (run, status, answer, retry_after, &local_error);
  if (answer != NULL && status == 200)
    {
      data = g_bytes_get_data (answer, &length);
      results = bc_sync_decode_push (data, length, (const char * const *) ids->pdata, revisions,
                                     ids->len, &local_error);
    }
  if (results == NULL)
    {
      /* No result: every item stays in the outbox unchanged, to be sent
       * again byte for byte — in smaller batches if the link gave out. */
      if (bc_sync_error_is_transient (local_error))
        {
          g_mutex_lock (&run->client->mutex);
          run->client->push_limit = MAX (batch->len / 2, 1);
          g_mutex_unlock (&run->client->mutex);
        }
      bc_outbox_record_failure (workbook, ids, local_error->message, NULL);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!apply_results (workbook, results, error))
    return FALSE;

  g_ptr_array_extend_and_steal (summary->results, g_steal_pointer (&results));
  progress (run, 0, 0, batch->len, -1);

  g_mutex_lock (&run->client->mutex);
  run->client->push_limit = MIN (run->client->push_limit * 2, BC_WIRE_MAX_PUSH_ITEMS);
  g_mutex_unlock (&run->client->mutex);

  return TRUE;
}

gboolean
_bc_sync_queue_ready (BcWorkbook  *workbook,
                      const char  *unit,
                      GPtrArray   *not_sent,
                      GError     **error)
{
  g_autoptr(GPtrArray) reports = bc_workbook_list_reports (workbook, error);

  gboolean ok = TRUE;

  if (reports == NULL)
    return FALSE;

  /* Every report's status and outbox row, in one commit. */
  if (!bc_outbox_begin_batch (workbook, error))
    return FALSE;

  for (guint i = 0; ok && i < reports->len; i++)
    {
      BcReportSummary *report = g_ptr_array_index (reports, i);
      g_autoptr(GError) local_error = NULL;

      if (report->status != BC_STATUS_READY)
        continue;
      if (g_strcmp0 (report->unit, unit) != 0)
        {
          BcSyncNotSent *item = g_new0 (BcSyncNotSent, 1);
          g_autofree char *short_id = g_strndup (report->id, 8);
          g_autofree char *period = NULL;
          BcPeriod parsed;

          if (bc_period_parse (report->period_id, &parsed, NULL))
            period = bc_period_label (&parsed, bc_i18n_language ());
          item->report_id = g_strdup (report->id);
          item->unit = g_strdup (report->unit);
          /* TRANSLATORS: the report's period ("Quarter II/2018") and short id, then units */
          item->message = g_strdup_printf (_("The report of %s (%s) is for the unit “%s”, but this "
                                             "workbook sends for “%s”, so it cannot be sent from "
                                             "here. Take it back to draft, make the report again "
                                             "for “%s” and delete this one."),
                                           period != NULL ? period : report->period_id, short_id,
                                           report->unit, unit, unit);
          g_ptr_array_add (not_sent, item);
          continue;
        }
      if (!bc_workbook_set_status (workbook, report->id, BC_STATUS_QUEUED, NULL, &local_error))
        {
          /* Taken back to draft meanwhile: it stays there. */
          if (g_error_matches (local_error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TRANSITION))
            continue;
          g_propagate_error (error, g_steal_pointer (&local_error));
          ok = FALSE;
        }
    }

  if (!bc_outbox_end_batch (workbook, ok, ok ? error : NULL))
    return FALSE;
  return ok;
}

static gboolean
push_outbox (Run           *run,
             const char    *unit,
             BcSyncSummary *summary,
             GError       **error)
{
  BcWorkbook *workbook = run->client->workbook;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) sendable = g_ptr_array_new ();
  g_autoptr(GPtrArray) batch = g_ptr_array_new ();
  gsize batch_bytes = 0;

  if (!_bc_sync_queue_ready (workbook, unit, summary->not_sent, error) || !bc_outbox_freeze (workbook, error))
    return FALSE;
  items = bc_outbox_list (workbook, error);
  if (items == NULL)
    return FALSE;

  for (guint i = 0; i < items->len; i++)
    {
      BcOutboxItem *item = g_ptr_array_index (items, i);
      g_autoptr(GPtrArray) one = g_ptr_array_new ();
      g_autofree char *why = NULL;

      if (item->content == NULL)
        why = g_strdup_printf (_("The form “%s” in the version of this report is not "
                                 "installed, so the report cannot be sent. Install the form, "
                                 "then sync again."),
                               item->template_id);
      else if (g_strcmp0 (item->unit, unit) != 0)
        why = g_strdup_printf (_("This report is for the unit “%s”, but this device is "
                                 "enrolled for “%s”. Take it back to draft and change its unit, "
                                 "or enrol for that unit."),
                               item->unit, unit);
      else if (strlen (item->content) > PUSH_BODY_BUDGET)
        why = g_strdup (_("This report is larger than the server accepts. Tell the server's "
                          "administrator."));

      if (why == NULL)
        {
          g_ptr_array_add (sendable, item);
          continue;
        }
      summary->n_skipped++;
      g_ptr_array_add (one, item->report_id);
      if (!bc_outbox_record_failure (workbook, one, why, error))
        return FALSE;
    }

  progress (run, 0, 0, 0, (gint) sendable->len);

  for (guint i = 0; i < sendable->len; i++)
    {
      BcOutboxItem *item = g_ptr_array_index (sendable, i);
      gsize size = strlen (item->content) + 512;
      guint limit;

      g_mutex_lock (&run->client->mutex);
      limit = run->client->push_limit;
      g_mutex_unlock (&run->client->mutex);

      if (batch->len > 0
          && (batch->len >= limit || batch_bytes + size > PUSH_BODY_BUDGET))
        {
          if (!push_batch (run, batch, summary, error))
            return FALSE;
          g_ptr_array_set_size (batch, 0);
          batch_bytes = 0;
        }
      g_ptr_array_add (batch, item);
      batch_bytes += size;
    }

  return batch->len == 0 || push_batch (run, batch, summary, error);
}

/* ------------------------------------------------------------------------ */
/* Sync: pull                                                               */

/* A string member, or NULL when absent or not a string (never a critical:
 * the server's JSON is not trusted). */
static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* A plan change: its file stored and the plan added to the workbook's
 * registry, so that due dates and targets follow it at once. */
static gboolean
store_plan (BcTemplateRegistry *templates,
            const char         *directory,
            JsonObject         *change,
            BcSyncSummary      *summary,
            GError            **error)
{
  JsonNode *definition = json_object_get_member (change, "definition");
  const char *id = string_member (change, "plan");
  g_autoptr(BcPlan) plan = NULL;

  if (id == NULL || definition == NULL || !JSON_NODE_HOLDS_OBJECT (definition))
    {
      g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_PROTOCOL,
                   _("The server published a plan Baocao cannot read. Tell the server's "
                     "administrator."));
      return FALSE;
    }

  /* One already installed (shipped with Baocao, or received before) is
   * kept: the server refuses other content under a plan's id. */
  if (templates != NULL && bc_template_registry_get_plan (templates, id) != NULL)
    return TRUE;

  plan = bc_outbox_store_plan (directory, id, definition, error);
  if (plan == NULL)
    return FALSE;
  if (templates != NULL)
    bc_template_registry_add_plan (templates, plan);
  summary->n_plans++;
  return TRUE;
}

/* Stores the template versions and plans a page of the feed publishes,
 * before the page is applied. */
static gboolean
store_published (BcWorkbook    *workbook,
                 JsonArray     *changes,
                 GPtrArray     *received,
                 BcSyncSummary *summary,
                 GError       **error)
{
  BcTemplateRegistry *templates = bc_workbook_get_templates (workbook);
  g_autofree char *directory = bc_outbox_user_template_dir ();

  for (guint i = 0; i < json_array_get_length (changes); i++)
    {
      JsonObject *change = json_array_get_object_element (changes, i);
      JsonNode *version_node = json_object_get_member (change, "version");
      JsonNode *definition = json_object_get_member (change, "definition");
      const char *kind = string_member (change, "kind");
      const char *id;
      g_autoptr(BcTemplate) template_ = NULL;
      int version;

      if (g_strcmp0 (kind, "plan") == 0)
        {
          if (!store_plan (templates, directory, change, summary, error))
            return FALSE;
          continue;
        }
      if (g_strcmp0 (kind, "template") != 0)
        continue;

      id = string_member (change, "template");
      if (id == NULL || version_node == NULL || !JSON_NODE_HOLDS_VALUE (version_node)
          || json_node_get_value_type (version_node) != G_TYPE_INT64
          || definition == NULL || !JSON_NODE_HOLDS_OBJECT (definition))
        {
          g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_PROTOCOL,
                       _("The server published a form Baocao cannot read. Tell the server's "
                         "administrator."));
          return FALSE;
        }
      version = (int) CLAMP (json_node_get_int (version_node), 0, G_MAXINT);

      /* One already installed (shipped with Baocao, or received before)
       * is kept: a version number names one definition. */
      if (templates != NULL && bc_template_registry_lookup (templates, id, version, NULL) != NULL)
        continue;

      template_ = bc_outbox_store_template (directory, id, version, definition, error);
      if (template_ == NULL)
        return FALSE;
      if (templates != NULL)
        bc_template_registry_add (templates, template_);
      g_ptr_array_add (received, g_strdup (id));
      summary->n_templates++;
    }

  return TRUE;
}

static gboolean
carry_over_drafts (BcWorkbook    *workbook,
                   GPtrArray     *template_ids,
                   BcSyncSummary *summary,
                   GError       **error)
{
  BcTemplateRegistry *templates = bc_workbook_get_templates (workbook);
  g_autoptr(GPtrArray) reports = NULL;

  if (template_ids->len == 0 || templates == NULL)
    return TRUE;

  reports = bc_workbook_list_reports (workbook, error);
  if (reports == NULL)
    return FALSE;

  for (guint i = 0; i < reports->len; i++)
    {
      BcReportSummary *report = g_ptr_array_index (reports, i);
      BcTemplate *latest;
      g_autoptr(GError) local_error = NULL;
      gboolean received = FALSE;

      for (guint j = 0; j < template_ids->len && !received; j++)
        received = g_str_equal (g_ptr_array_index (template_ids, j), report->template_id);
      if (!received || (report->status != BC_STATUS_DRAFT && report->status != BC_STATUS_RETURNED))
        continue;
      /* The newest version for the report's own period and unit (as
       * carry-over takes): a 2018 draft has none newer in a 2019 form. */
      latest = bc_template_registry_lookup_for (templates, report->template_id, report->period_id,
                                                report->unit, NULL);
      if (latest == NULL || bc_template_get_version (latest) <= report->template_version)
        continue;
      if (report->status != BC_STATUS_DRAFT)
        continue;

      /* The template's migrations say how; one that cannot be carried
       * stays on its version, and still works. */
      if (bc_workbook_carry_over (workbook, report->id, &local_error))
        summary->n_carried++;
      else
        g_debug ("Report %s stays on version %d: %s", report->id, report->template_version,
                 local_error->message);
    }

  return TRUE;
}

static gboolean
pull_feed (Run           *run,
           BcSyncSummary *summary,
           GError       **error)
{
  BcWorkbook *workbook = run->client->workbook;
  g_autoptr(GPtrArray) received = g_ptr_array_new_with_free_func (g_free);
  gint64 since = bc_outbox_get_cursor (workbook, error);
  gboolean more = TRUE;

  if (since < 0)
    return FALSE;

  while (more)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/changes?since=%" G_GINT64_FORMAT
                                               "&limit=%d", since, CHANGES_PAGE);
      g_autoptr(GBytes) answer = NULL;
      g_autoptr(BcSyncChanges) page = NULL;
      g_autofree char *retry_after = NULL;
      guint status = 0;
      gsize length;
      const char *data;

      answer = request (run, "GET", path, NULL, TRUE, &status, &retry_after, error);
      if (answer == NULL)
        return FALSE;
      if (status != 200)
        {
          set_status_error (run, status, answer, retry_after, error);
          return FALSE;
        }

      data = g_bytes_get_data (answer, &length);
      page = bc_sync_decode_changes (data, length, since, error);
      if (page == NULL
          || !store_published (workbook, page->changes, received, summary, error)
          || !bc_outbox_apply_changes (workbook, page->changes, page->cursor, error))
        return FALSE;

      summary->n_changes += json_array_get_length (page->changes);
      for (guint i = 0; i < json_array_get_length (page->changes); i++)
        if (g_strcmp0 (string_member (json_array_get_object_element (page->changes, i), "kind"),
                       "review") == 0)
          summary->n_reviews++;

      since = page->cursor;
      more = page->more;
    }

  summary->cursor = since;
  return carry_over_drafts (workbook, received, summary, error);
}

gboolean
_bc_sync_apply_reply (BcWorkbook     *workbook,
                      GPtrArray      *results_in,
                      BcSyncChanges  *page,
                      gint64          since,
                      BcSyncSummary  *summary,
                      GError        **error)
{
  g_autoptr(GPtrArray) results = results_in;
  g_autoptr(GPtrArray) received = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonArray) fresh = json_array_new ();
  gint64 cursor = bc_outbox_get_cursor (workbook, error);

  if (cursor < 0 || !apply_results (workbook, results, error))
    return FALSE;

  /* Only what this workbook has not applied yet: a network sync may have
   * pulled past the bundle's cursor since, and the cursor never goes back. */
  for (guint i = 0; i < json_array_get_length (page->changes); i++)
    {
      JsonNode *change = json_array_get_element (page->changes, i);

      if (json_object_get_int_member (json_node_get_object (change), "seq") > cursor)
        json_array_add_element (fresh, json_node_ref (change));
    }
  /* A page that starts past this workbook's cursor (a workbook restored
   * from an older copy) leaves a gap: its changes are applied, but the
   * cursor stays, and the next pull fills the gap (applying twice is
   * harmless). */
  if (since <= cursor)
    cursor = MAX (cursor, page->cursor);
  if (!store_published (workbook, fresh, received, summary, error)
      || !bc_outbox_apply_changes (workbook, fresh, cursor, error))
    return FALSE;

  summary->n_changes += json_array_get_length (fresh);
  for (guint i = 0; i < json_array_get_length (fresh); i++)
    if (g_strcmp0 (string_member (json_array_get_object_element (fresh, i), "kind"),
                   "review") == 0)
      summary->n_reviews++;
  summary->cursor = cursor;
  g_ptr_array_extend_and_steal (summary->results, g_steal_pointer (&results));
  return carry_over_drafts (workbook, received, summary, error);
}

/* Connects a run as the device enrolled in the workbook: the server's
 * address and id kept there, the demo check, the session, the device's
 * token, and the server's info, which must come from the server enrolled
 * with. `not_enrolled` says what the caller cannot do when the workbook is
 * not enrolled. Returns the server's info, or NULL with `error` set. */
static BcSyncInfo *
connect_enrolled (BcSyncClient  *self,
                  Run           *run,
                  const char    *not_enrolled,
                  GError       **error)
{
  g_autofree char *server_id = bc_outbox_get_sync_setting (self->workbook, BC_SYNC_SETTING_SERVER_ID);
  g_autoptr(BcSyncInfo) info = NULL;

  run->base_url = bc_outbox_get_sync_setting (self->workbook, BC_SYNC_SETTING_SERVER_URL);
  if (run->base_url == NULL || server_id == NULL)
    {
      g_set_error_literal (error, BC_SYNC_ERROR, BC_SYNC_ERROR_NOT_ENROLLED, not_enrolled);
      return NULL;
    }
  if (!check_demo (self->workbook, run->base_url, error) || !make_session (run, error))
    return NULL;
  run->token = bc_sync_token_lookup (server_id, run->base_url, run->token_file,
                                     run->cancellable, error);
  if (run->token == NULL)
    return NULL;
  info = get_info (run, error);
  if (info == NULL)
    return NULL;
  if (g_strcmp0 (info->server_id, server_id) != 0)
    {
      g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_UNAUTHORIZED,
                   _("Another server now answers at %s. Enrol this device again if it is "
                     "your province's new server."),
                   run->base_url);
      return NULL;
    }

  return g_steal_pointer (&info);
}

static void
sync_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  BcSyncClient *self = source_object;
  Run *run = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BcSyncSummary) summary = g_new0 (BcSyncSummary, 1);
  g_autoptr(BcSyncInfo) info = NULL;
  g_autofree char *unit = bc_outbox_get_sync_setting (self->workbook, BC_SYNC_SETTING_UNIT);
  const char *not_enrolled = _("This workbook is not enrolled with a server. Enrol it first: "
                               "baocao-cli enrol URL --user USER.");

  (void) cancellable;

  summary->results = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_sync_push_result_free);
  summary->not_sent = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_sync_not_sent_free);
  if (unit == NULL)
    {
      g_set_error_literal (&error, BC_SYNC_ERROR, BC_SYNC_ERROR_NOT_ENROLLED, not_enrolled);
      goto out;
    }
  info = connect_enrolled (self, run, not_enrolled, &error);
  if (info == NULL)
    goto out;
  summary->server_name = g_strdup (info->name);

  if (!push_outbox (run, unit, summary, &error) || !pull_feed (run, summary, &error))
    goto out;

  /* Kept in the workbook, so that "last synced at" survives a restart. A
   * failure to write it costs nothing the sync did: the next one writes it. */
  {
    g_autofree char *at = NULL;

    summary->synced_at = g_get_real_time ();
    at = g_strdup_printf ("%" G_GINT64_FORMAT, summary->synced_at);
    bc_outbox_set_sync_setting (self->workbook, BC_SYNC_SETTING_LAST_SYNCED, at, NULL);
  }

out:
  /* Free for the next sync before the callback runs: it may start one. */
  g_mutex_lock (&self->mutex);
  self->busy = FALSE;
  g_mutex_unlock (&self->mutex);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&summary), (GDestroyNotify) bc_sync_summary_free);
}

void
bc_sync_client_sync_async (BcSyncClient        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  gboolean busy;

  g_return_if_fail (BC_IS_SYNC_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_sync_client_sync_async);
  g_task_set_check_cancellable (task, FALSE);

  g_mutex_lock (&self->mutex);
  busy = self->busy;
  self->busy = TRUE;
  g_mutex_unlock (&self->mutex);

  /* Two syncs of one workbook at once would send the same items twice:
   * harmless (replays), but wasteful. */
  if (busy)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY,
                               _("A sync of this workbook is already running."));
      return;
    }

  g_task_set_task_data (task, run_new (self, cancellable), (GDestroyNotify) run_free);
  g_task_run_in_thread (task, sync_thread);
}

BcSyncSummary *
bc_sync_client_sync_finish (BcSyncClient  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (BC_IS_SYNC_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Relaying a bundle (bc-sync-bundle.h)                                     */

static void
relay_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  BcSyncClient *self = source_object;
  Run *run = task_data;
  GBytes *bundle = g_object_get_data (G_OBJECT (task), "bundle");
  g_autoptr(GError) error = NULL;
  g_autoptr(BcSyncInfo) info = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autofree char *retry_after = NULL;
  guint status = 0;

  (void) cancellable;

  info = connect_enrolled (self, run,
                           _("This workbook is not enrolled with a server, so it cannot pass a bundle "
                             "on. Enrol it first: baocao-cli enrol URL --user USER."),
                           &error);
  if (info == NULL)
    goto out;

  /* Idempotent: the server replays items it holds, so sending the bundle
   * again after a cut is safe. */
  answer = request (run, "POST", "/api/v1/bundles", bundle, TRUE, &status, &retry_after, &error);
  if (answer != NULL && (status == 400 || status == 404))
    {
      g_autofree char *code = NULL;
      g_autofree char *message = NULL;
      gint64 protocol_min, protocol_max;
      gsize length;
      const char *data = g_bytes_get_data (answer, &length);

      bc_sync_decode_error (data, length, &code, &message, &protocol_min, &protocol_max);
      g_set_error (&error, BC_SYNC_ERROR, BC_SYNC_ERROR_REFUSED,
                   _("The server refused the bundle: %s"),
                   status == 404 || message == NULL
                   ? _("it takes bundles only of this device's own unit and of the units below it.")
                   : message);
      g_clear_pointer (&answer, g_bytes_unref);
    }
  else if (answer != NULL && status != 200)
    {
      set_status_error (run, status, answer, retry_after, &error);
      g_clear_pointer (&answer, g_bytes_unref);
    }

out:
  g_mutex_lock (&self->mutex);
  self->busy = FALSE;
  g_mutex_unlock (&self->mutex);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&answer), (GDestroyNotify) g_bytes_unref);
}

void
bc_sync_client_relay_bundle_async (BcSyncClient        *self,
                                   GBytes              *bundle,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  gboolean busy;

  g_return_if_fail (BC_IS_SYNC_CLIENT (self));
  g_return_if_fail (bundle != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_sync_client_relay_bundle_async);
  g_task_set_check_cancellable (task, FALSE);

  g_mutex_lock (&self->mutex);
  busy = self->busy;
  self->busy = TRUE;
  g_mutex_unlock (&self->mutex);
  if (busy)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY,
                               _("A sync of this workbook is already running."));
      return;
    }

  g_object_set_data_full (G_OBJECT (task), "bundle", g_bytes_ref (bundle),
                          (GDestroyNotify) g_bytes_unref);
  g_task_set_task_data (task, run_new (self, cancellable), (GDestroyNotify) run_free);
  g_task_run_in_thread (task, relay_thread);
}

GBytes *
bc_sync_client_relay_bundle_finish (BcSyncClient  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (BC_IS_SYNC_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* The server's copy of one report                                          */

void
bc_sync_server_report_free (BcSyncServerReport *report)
{
  if (report == NULL)
    return;
  g_free (report->report_id);
  g_free (report->state);
  g_clear_pointer (&report->content, json_node_unref);
  g_free (report);
}

static BcSyncServerReport *
decode_server_report (const char  *data,
                      gsize        length,
                      const char  *report_id,
                      GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(BcSyncServerReport) report = g_new0 (BcSyncServerReport, 1);
  JsonObject *root;
  JsonNode *content, *revisions, *current;
  const char *state;

  if (!json_parser_load_from_data (parser, data, (gssize) length, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    goto bad;
  root = json_node_get_object (json_parser_get_root (parser));
  content = json_object_get_member (root, "content");
  revisions = json_object_get_member (root, "revisions");
  current = json_object_get_member (root, "current_revision");
  state = json_object_get_string_member_with_default (root, "state", NULL);
  if (content == NULL || !JSON_NODE_HOLDS_OBJECT (content)
      || current == NULL || json_node_get_value_type (current) != G_TYPE_INT64
      || g_strcmp0 (json_object_get_string_member_with_default (root, "report_id", NULL),
                    report_id) != 0)
    goto bad;

  report->report_id = g_strdup (report_id);
  report->current_revision = json_node_get_int (current);
  report->max_revision = report->current_revision;
  report->state = g_strdup (state);
  report->content = json_node_copy (content);
  if (revisions != NULL && JSON_NODE_HOLDS_ARRAY (revisions))
    {
      JsonArray *array = json_node_get_array (revisions);

      report->n_revisions = json_array_get_length (array);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_OBJECT (element))
            report->max_revision = MAX (report->max_revision,
                                        json_object_get_int_member_with_default (json_node_get_object (element),
                                                                                 "revision", 0));
        }
    }

  return g_steal_pointer (&report);

bad:
  g_set_error_literal (error, BC_SYNC_ERROR, BC_SYNC_ERROR_PROTOCOL,
                       _("The server's copy of the report is not what Baocao expects. "
                         "The server may need an update; ask its administrator."));
  return NULL;
}

static void
fetch_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  BcSyncClient *self = source_object;
  Run *run = task_data;
  const char *report_id = g_object_get_data (G_OBJECT (task), "report-id");
  g_autoptr(GError) error = NULL;
  g_autoptr(BcSyncInfo) info = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autofree char *retry_after = NULL;
  g_autofree char *path = NULL;
  BcSyncServerReport *report = NULL;
  guint status = 0;

  (void) cancellable;

  info = connect_enrolled (self, run,
                           _("This workbook is not enrolled with a server, so it cannot fetch the "
                             "province's copy. Enrol it first: baocao-cli enrol URL --user USER."),
                           &error);
  if (info == NULL)
    goto out;

  {
    g_autofree char *escaped = g_uri_escape_string (report_id, NULL, FALSE);

    path = g_strconcat ("/api/v1/reports/", escaped, NULL);
  }
  answer = request (run, "GET", path, NULL, TRUE, &status, &retry_after, &error);
  if (answer == NULL)
    goto out;
  if (status == 404)
    g_set_error_literal (&error, BC_SYNC_ERROR, BC_SYNC_ERROR_REFUSED,
                         _("The province's server does not hold this report for your unit."));
  else if (status != 200)
    set_status_error (run, status, answer, retry_after, &error);
  else
    {
      gsize length;
      const char *data = g_bytes_get_data (answer, &length);

      report = decode_server_report (data, length, report_id, &error);
    }

out:
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, report, (GDestroyNotify) bc_sync_server_report_free);
}

void
bc_sync_client_fetch_report_async (BcSyncClient        *self,
                                   const char          *report_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Run *run;

  g_return_if_fail (BC_IS_SYNC_CLIENT (self));
  g_return_if_fail (report_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_sync_client_fetch_report_async);
  g_task_set_check_cancellable (task, FALSE);

  /* Not a sync: it may run beside one, and leaves the progress alone. */
  run = g_new0 (Run, 1);
  run->client = g_object_ref (self);
  run->context = g_main_context_ref_thread_default ();
  run->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  run->token_file = g_strdup (self->token_file);
  run->io_timeout = self->io_timeout;
  run->request_timeout = self->request_timeout;

  g_object_set_data_full (G_OBJECT (task), "report-id", g_strdup (report_id), g_free);
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  g_task_run_in_thread (task, fetch_thread);
}

BcSyncServerReport *
bc_sync_client_fetch_report_finish (BcSyncClient  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (BC_IS_SYNC_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* The object                                                               */

BcSyncClient *
bc_sync_client_new (BcWorkbook *workbook)
{
  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), NULL);

  return g_object_new (BC_TYPE_SYNC_CLIENT, "workbook", workbook, NULL);
}

void
bc_sync_client_set_ca_file (BcSyncClient *self,
                            const char   *ca_file)
{
  g_autofree char *absolute = NULL;

  g_return_if_fail (BC_IS_SYNC_CLIENT (self));

  /* GTlsFileDatabase needs an absolute path. */
  if (ca_file != NULL)
    absolute = g_canonicalize_filename (ca_file, NULL);

  if (g_strcmp0 (absolute, self->ca_file) == 0)
    return;
  g_free (self->ca_file);
  self->ca_file = g_steal_pointer (&absolute);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CA_FILE]);
}

const char *
bc_sync_client_get_ca_file (BcSyncClient *self)
{
  g_return_val_if_fail (BC_IS_SYNC_CLIENT (self), NULL);

  return self->ca_file;
}

void
bc_sync_client_set_token_file (BcSyncClient *self,
                               const char   *token_file)
{
  g_return_if_fail (BC_IS_SYNC_CLIENT (self));

  if (g_strcmp0 (token_file, self->token_file) == 0)
    return;
  g_free (self->token_file);
  self->token_file = g_strdup (token_file);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN_FILE]);
}

void
bc_sync_client_set_fallback_token_file (BcSyncClient *self,
                                        const char   *token_file)
{
  g_return_if_fail (BC_IS_SYNC_CLIENT (self));

  g_free (self->fallback_token_file);
  self->fallback_token_file = g_strdup (token_file);
}

const char *
bc_sync_client_get_token_file (BcSyncClient *self)
{
  g_return_val_if_fail (BC_IS_SYNC_CLIENT (self), NULL);

  return self->token_file;
}

void
bc_sync_client_set_timeouts (BcSyncClient *self,
                             guint         io_timeout,
                             guint         request_timeout)
{
  g_return_if_fail (BC_IS_SYNC_CLIENT (self));
  g_return_if_fail (io_timeout >= 1 && request_timeout >= 1);

  g_object_set (self, "io-timeout", io_timeout, "request-timeout", request_timeout, NULL);
}

#define LOCKED_GETTER(type, name, field)          \
  type                                            \
  bc_sync_client_get_##name (BcSyncClient *self)  \
  {                                               \
    type value;                                   \
                                                  \
    g_return_val_if_fail (BC_IS_SYNC_CLIENT (self), 0); \
    g_mutex_lock (&self->mutex);                  \
    value = self->field;                          \
    g_mutex_unlock (&self->mutex);                \
    return value;                                 \
  }

LOCKED_GETTER (guint64, bytes_sent, bytes_sent)
LOCKED_GETTER (guint64, bytes_received, bytes_received)
LOCKED_GETTER (guint, items_done, items_done)
LOCKED_GETTER (guint, items_total, items_total)
LOCKED_GETTER (guint, retry_after, retry_after)

static void
bc_sync_client_finalize (GObject *object)
{
  BcSyncClient *self = (BcSyncClient *) object;

  g_clear_object (&self->workbook);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->token_file, g_free);
  g_clear_pointer (&self->fallback_token_file, g_free);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (bc_sync_client_parent_class)->finalize (object);
}

static void
bc_sync_client_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BcSyncClient *self = BC_SYNC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_WORKBOOK:
      g_value_set_object (value, self->workbook);
      break;
    case PROP_CA_FILE:
      g_value_set_string (value, self->ca_file);
      break;
    case PROP_TOKEN_FILE:
      g_value_set_string (value, self->token_file);
      break;
    case PROP_IO_TIMEOUT:
      g_value_set_uint (value, self->io_timeout);
      break;
    case PROP_REQUEST_TIMEOUT:
      g_value_set_uint (value, self->request_timeout);
      break;
    case PROP_BYTES_SENT:
      g_value_set_uint64 (value, bc_sync_client_get_bytes_sent (self));
      break;
    case PROP_BYTES_RECEIVED:
      g_value_set_uint64 (value, bc_sync_client_get_bytes_received (self));
      break;
    case PROP_ITEMS_DONE:
      g_value_set_uint (value, bc_sync_client_get_items_done (self));
      break;
    case PROP_ITEMS_TOTAL:
      g_value_set_uint (value, bc_sync_client_get_items_total (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_sync_client_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BcSyncClient *self = BC_SYNC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_WORKBOOK:
      self->workbook = g_value_dup_object (value);
      break;
    case PROP_CA_FILE:
      bc_sync_client_set_ca_file (self, g_value_get_string (value));
      break;
    case PROP_TOKEN_FILE:
      bc_sync_client_set_token_file (self, g_value_get_string (value));
      break;
    case PROP_IO_TIMEOUT:
      if (self->io_timeout != g_value_get_uint (value))
        {
          self->io_timeout = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_REQUEST_TIMEOUT:
      if (self->request_timeout != g_value_get_uint (value))
        {
          self->request_timeout = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_sync_client_class_init (BcSyncClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bc_sync_client_finalize;
  object_class->get_property = bc_sync_client_get_property;
  object_class->set_property = bc_sync_client_set_property;

  properties[PROP_WORKBOOK] =
    g_param_spec_object ("workbook", NULL, NULL, BC_TYPE_WORKBOOK,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CA_FILE] =
    g_param_spec_string ("ca-file", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOKEN_FILE] =
    g_param_spec_string ("token-file", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_IO_TIMEOUT] =
    g_param_spec_uint ("io-timeout", NULL, NULL, 1, 3600, DEFAULT_IO_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REQUEST_TIMEOUT] =
    g_param_spec_uint ("request-timeout", NULL, NULL, 1, 86400, DEFAULT_REQUEST_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BYTES_SENT] =
    g_param_spec_uint64 ("bytes-sent", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BYTES_RECEIVED] =
    g_param_spec_uint64 ("bytes-received", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ITEMS_DONE] =
    g_param_spec_uint ("items-done", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ITEMS_TOTAL] =
    g_param_spec_uint ("items-total", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
bc_sync_client_init (BcSyncClient *self)
{
  g_mutex_init (&self->mutex);
  self->io_timeout = DEFAULT_IO_TIMEOUT;
  self->request_timeout = DEFAULT_REQUEST_TIMEOUT;
  self->push_limit = BC_WIRE_MAX_PUSH_ITEMS;
}
