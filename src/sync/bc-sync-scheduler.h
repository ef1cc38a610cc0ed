/* bc-sync-scheduler.h: runs sync when online, on a schedule, on demand.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No GTK: it lives in the thread-default main context it was made in.
 * A sync runs when GNetworkMonitor says the network came up, every
 * `interval` seconds, and when asked (bc_sync_scheduler_sync_now). After a
 * failure that may pass (bc_sync_error_is_transient) it tries again after an
 * exponential backoff with full jitter, never sooner than the server's
 * Retry-After; a failure that needs a person (wrong password, revoked
 * device, certificate, protocol) stops the schedule until sync_now.
 */
#pragma once

#include "bc-sync-client.h"

G_BEGIN_DECLS

#define BC_SYNC_BACKOFF_BASE 5     /* seconds, first retry */
#define BC_SYNC_BACKOFF_MAX  3600  /* seconds, the longest wait */

#define BC_TYPE_SYNC_SCHEDULER (bc_sync_scheduler_get_type ())
G_DECLARE_FINAL_TYPE (BcSyncScheduler, bc_sync_scheduler, BC, SYNC_SCHEDULER, GObject)

/* Signal "finished" (BcSyncSummary *summary or NULL, GError *error or NULL)
 * after each sync. Properties: "client" (construct-only), "interval"
 * (seconds between syncs; 0 = only when online and on demand), read-only
 * "running" and "failures" (consecutive). */
BcSyncScheduler *bc_sync_scheduler_new          (BcSyncClient    *client,
                                                 guint            interval);
/* Watches the network and arms the schedule; a sync starts at once when
 * the network is up. */
void             bc_sync_scheduler_start        (BcSyncScheduler *self);
/* Stops the schedule and cancels a sync in progress. */
void             bc_sync_scheduler_stop         (BcSyncScheduler *self);
/* Syncs now (or as soon as the running one ends), forgetting the backoff. */
void             bc_sync_scheduler_sync_now     (BcSyncScheduler *self);
gboolean         bc_sync_scheduler_get_running  (BcSyncScheduler *self);
guint            bc_sync_scheduler_get_failures (BcSyncScheduler *self);
/* Seconds until the next planned sync, or -1 when none is planned. */
gint64           bc_sync_scheduler_get_next_in  (BcSyncScheduler *self);

/* The wait before retry number `failures` (≥ 1): a random time in
 * [d/2, d] with d = base × 2^(failures−1) capped at `max`, and at least
 * `retry_after`. `random` in [0, 1). Pure, for tests. */
guint            bc_sync_backoff_delay          (guint            failures,
                                                 guint            retry_after,
                                                 guint            base,
                                                 guint            max,
                                                 double           random);

G_END_DECLS
