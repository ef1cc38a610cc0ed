/* bc-sync-error.h: what can go wrong while syncing, one code per cause.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each code is a different thing for the person to do (the CLI gives each
 * its own exit status, docs/cli.md). Cancellation is G_IO_ERROR_CANCELLED.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BC_SYNC_ERROR (bc_sync_error_quark ())

typedef enum {
  BC_SYNC_ERROR_OFFLINE,         /* no network, or the server cannot be reached */
  BC_SYNC_ERROR_CERTIFICATE,     /* the server's TLS certificate was refused */
  BC_SYNC_ERROR_BAD_CREDENTIALS, /* enrolment: unknown user or wrong password */
  BC_SYNC_ERROR_UNAUTHORIZED,    /* the device's token was revoked or is unknown */
  BC_SYNC_ERROR_CONFLICT,        /* a report conflicts with the server's copy */
  BC_SYNC_ERROR_SERVER_TOO_OLD,  /* the server speaks only older protocols */
  BC_SYNC_ERROR_SERVER_TOO_NEW,  /* the server needs a newer Baocao */
  BC_SYNC_ERROR_TIMEOUT,         /* a request took longer than its bound */
  BC_SYNC_ERROR_RATE_LIMITED,    /* 429 or 503: try again after Retry-After */
  BC_SYNC_ERROR_SERVER,          /* the server failed (5xx) */
  BC_SYNC_ERROR_PROTOCOL,        /* an answer that is not what the protocol says */
  BC_SYNC_ERROR_NOT_ENROLLED,    /* this workbook has no server, or no token */
  BC_SYNC_ERROR_NO_KEYRING,      /* no desktop keyring: name a token file */
  BC_SYNC_ERROR_REFUSED,         /* the server refused a report (bad_request, …) */
  BC_SYNC_ERROR_DEMO,            /* a demo workbook never goes to a real server */
  BC_SYNC_ERROR_INTERRUPTED,     /* the connection was cut mid-request: try again */
} BcSyncError;

GQuark bc_sync_error_quark (void);

/* Whether trying again later may succeed (the scheduler backs off and
 * retries these; the others need a person). */
gboolean bc_sync_error_is_transient (const GError *error);

G_END_DECLS
