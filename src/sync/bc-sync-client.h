/* bc-sync-client.h: enrols a device and syncs a workbook with the server.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The client engine of docs/sync-protocol.md, without GTK: the CLI uses it
 * now, the window next. One sync is: GET /api/v1/info (protocol check, and
 * the server id the workbook was enrolled with), queue every ready report
 * of the enrolled unit (ready → queued + outbox row, one transaction each),
 * push the outbox in batches (≤ 100 items, bodies < 8 MiB, gzip; items are
 * marked attempted before each push leaves), apply each item's result in
 * its own workbook transaction, then pull the feed from the workbook's
 * cursor until `more` is false (each page and the cursor in one
 * transaction; template versions and plans stored first, drafts carried
 * over after).
 * Outbox items that cannot be sent (template not installed, another unit)
 * stay, with the reason in their last_error. Two syncs of one client never
 * run at once (the second fails with G_IO_ERROR_BUSY).
 *
 * Threads: the _async calls run their network and workbook work in a worker
 * thread; the callback, the progress signal and property notifications run
 * in the thread-default main context of the caller, which must be iterated
 * (it also runs the deadline timers).
 *
 * Time bounds: every request has SoupSession:timeout (no byte for
 * `io-timeout` seconds ends it; a stalled body too) and a total deadline of
 * `request-timeout` seconds plus one second per 4 KiB of request body sent
 * and per 16 KiB of answer received (a push or a long feed page over a slow
 * link has time to go; a trickling answer earns almost nothing and ends):
 * past it the request is cancelled and the sync fails with
 * BC_SYNC_ERROR_TIMEOUT. The answer is capped at BC_SYNC_MAX_RESPONSE.
 *
 * Errors are BC_SYNC_ERROR (bc-sync-error.h), G_IO_ERROR_CANCELLED, or the
 * workbook's. After a 429 or 503, bc_sync_client_get_retry_after() gives the
 * server's Retry-After.
 */
#pragma once

#include <gio/gio.h>

#include "bc-sync-decode.h"
#include "bc-sync-error.h"
#include "bc-workbook.h"

G_BEGIN_DECLS

/* A ready report this workbook cannot send, and why: it is for another
 * unit than the one the device is enrolled for. It stays ready. */
typedef struct {
  char *report_id;
  char *unit;
  char *message;   /* what is wrong and what to do, translated */
} BcSyncNotSent;

void bc_sync_not_sent_free (BcSyncNotSent *not_sent);

/* What one sync did. */
typedef struct {
  GPtrArray *results;      /* BcSyncPushResult*, in the order sent */
  GPtrArray *not_sent;     /* BcSyncNotSent*: ready reports it cannot send */
  guint      n_skipped;    /* outbox items not sent (not frozen, another unit, too large) */
  guint      n_changes;    /* feed changes applied */
  guint      n_reviews;
  guint      n_templates;  /* template versions stored */
  guint      n_plans;      /* plans stored */
  guint      n_carried;    /* drafts carried over to a new template version */
  gint64     cursor;       /* the feed cursor after the sync */
  gint64     synced_at;    /* when it ended, g_get_real_time () (also kept as
                            * BC_SYNC_SETTING_LAST_SYNCED) */
  char      *server_name;
} BcSyncSummary;

void bc_sync_summary_free (BcSyncSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcSyncSummary, bc_sync_summary_free)

#define BC_TYPE_SYNC_CLIENT (bc_sync_client_get_type ())
G_DECLARE_FINAL_TYPE (BcSyncClient, bc_sync_client, BC, SYNC_CLIENT, GObject)

/* Properties: "workbook" (construct-only), "ca-file" (an extra CA
 * certificate file trusted beside the system's, made absolute), "token-file"
 * (keep the token in this file instead of the keyring), "io-timeout" and
 * "request-timeout" (seconds, ≥ 1; defaults 30 and 60), and read-only
 * progress: "bytes-sent", "bytes-received" (on the wire, headers included),
 * "items-done", "items-total" (outbox items of this sync). Signal
 * "progress" (no arguments) after each change of those. */
BcSyncClient  *bc_sync_client_new              (BcWorkbook           *workbook);

void           bc_sync_client_set_ca_file      (BcSyncClient         *self,
                                                const char           *ca_file);
const char    *bc_sync_client_get_ca_file      (BcSyncClient         *self);
void           bc_sync_client_set_token_file   (BcSyncClient         *self,
                                                const char           *token_file);
const char    *bc_sync_client_get_token_file   (BcSyncClient         *self);
/* Where enrolment keeps the token when there is no desktop keyring and no
 * token file was named (the window names one in the user's data folder;
 * the CLI asks for --token-file instead). The file's path is then kept in
 * the workbook, as the CLI's --token-file is. */
void           bc_sync_client_set_fallback_token_file (BcSyncClient  *self,
                                                       const char    *token_file);
void           bc_sync_client_set_timeouts     (BcSyncClient         *self,
                                                guint                 io_timeout,
                                                guint                 request_timeout);

guint64        bc_sync_client_get_bytes_sent     (BcSyncClient       *self);
guint64        bc_sync_client_get_bytes_received (BcSyncClient       *self);
guint          bc_sync_client_get_items_done     (BcSyncClient       *self);
guint          bc_sync_client_get_items_total    (BcSyncClient       *self);
/* Seconds the server asked to wait (Retry-After) in the last failure, or 0. */
guint          bc_sync_client_get_retry_after    (BcSyncClient       *self);

/* Signs this device in at `url` (https://, or http:// to a loopback
 * address) as `user`, stores the token (keyring or token file; a missing
 * keyring is found before the password is sent) and the server, its id
 * and the unit in the workbook. The password is not kept. `device`: a name
 * the administrator sees (NULL: the host name). */
void           bc_sync_client_enrol_async      (BcSyncClient         *self,
                                                const char           *url,
                                                const char           *user,
                                                const char           *password,
                                                const char           *device,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
/* The enrolment (unit and server), or NULL with an error. */
BcSyncEnrolment *bc_sync_client_enrol_finish   (BcSyncClient         *self,
                                                GAsyncResult         *result,
                                                GError              **error);

void           bc_sync_client_sync_async       (BcSyncClient         *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
/* What was done, or NULL with an error. Items the server refused or kept as
 * conflicts are in the summary's results: the sync itself succeeded. */
BcSyncSummary *bc_sync_client_sync_finish      (BcSyncClient         *self,
                                                GAsyncResult         *result,
                                                GError              **error);

/* Passes a unit's outbox bundle (its bytes, as read from the file) on to
 * this workbook's server (POST /api/v1/bundles, with this device's token)
 * and returns the reply bundle's bytes, to be carried back. The server
 * takes only bundles signed by a device of this device's unit or of a unit
 * below it (bc-server-bundle.h); anything else fails as BC_SYNC_ERROR_REFUSED
 * (or, for a unit this device does not oversee, as a missing report would).
 * Sending it again is safe: the server replays items it holds. */
void           bc_sync_client_relay_bundle_async  (BcSyncClient        *self,
                                                   GBytes              *bundle,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
GBytes        *bc_sync_client_relay_bundle_finish (BcSyncClient        *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* The server's copy of one of this unit's reports (GET
 * /api/v1/reports/{report_id}). */
typedef struct {
  char     *report_id;
  gint64    current_revision;  /* the revision the server holds as current */
  gint64    max_revision;      /* the highest revision it holds (conflicts kept beside) */
  guint     n_revisions;       /* how many revisions it holds */
  char     *state;             /* "received", "accepted" or "returned" */
  JsonNode *content;           /* the current revision's content (as pushed) */
} BcSyncServerReport;

void bc_sync_server_report_free (BcSyncServerReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcSyncServerReport, bc_sync_server_report_free)

/* Fetches the server's current copy of `report_id` (to compare it with this
 * workbook's, after a conflict), time-bounded like every request. Runs
 * beside a sync (it changes nothing here). A report the server does not
 * hold for this unit fails as BC_SYNC_ERROR_REFUSED, in plain words; no
 * network as BC_SYNC_ERROR_OFFLINE. */
void           bc_sync_client_fetch_report_async  (BcSyncClient        *self,
                                                   const char          *report_id,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
BcSyncServerReport *bc_sync_client_fetch_report_finish (BcSyncClient   *self,
                                                        GAsyncResult   *result,
                                                        GError        **error);

/* Checks that `url` may be used: https://, or http:// to 127.0.0.0/8, ::1
 * or localhost; no user info, query or fragment. Returns it without a
 * trailing slash. */
char          *bc_sync_client_check_url        (const char           *url,
                                                GError              **error);

G_END_DECLS
