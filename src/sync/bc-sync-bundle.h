/* bc-sync-bundle.h: the outbox to a bundle file, and a reply bundle back in.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For units with no link (docs/sync-protocol.md, "Bundles"). Exporting
 * writes every report waiting to be sent (ready reports are queued first,
 * as a sync queues them) to one file, the push items exactly as a push
 * would send them, signed with the device's token when it has one
 * (bc-bundle.h). It does not mark anything sent: the items stay in the
 * outbox, marked attempted (so they can no longer go back to draft: the
 * server may hold them). Whichever way an item reaches the server first —
 * this bundle, a later sync, the same bundle twice — the server stores it
 * once and answers the others as replays with the first receipt.
 *
 * The reply bundle (from `baocao-server import-bundle` or a relaying
 * client) is applied exactly as a sync applies a push's results and a pull:
 * receipts make reports sent, reviews accept or return them. A reply for
 * another server, unit or workbook, an unsigned reply in a workbook with a
 * token, or one whose signature does not match is refused and changes
 * nothing.
 *
 * No GTK. These calls block (workbook, files, the keyring): run them off
 * the UI thread (g_task_run_in_thread).
 */
#pragma once

#include <json-glib/json-glib.h>

#include "bc-bundle.h"
#include "bc-sync-client.h"

G_BEGIN_DECLS

typedef struct {
  guint     n_items;     /* push items in the bundle */
  gboolean  signed_;     /* signed with the device's token */
  char     *bundle_id;
  GPtrArray *not_sent;   /* BcSyncNotSent*: ready reports of another unit, left out */
} BcBundleExport;

void bc_bundle_export_free (BcBundleExport *export_);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcBundleExport, bc_bundle_export_free)

/* Writes the outbox of the enrolled unit to `path` (atomically).
 * `token_file`: where the token is, NULL for the keyring (no token: an
 * unsigned bundle, which only the server's administrator may import).
 * BC_SYNC_ERROR_NOT_ENROLLED when the workbook has no server or unit. An
 * empty outbox still makes a bundle: its reply brings the feed. */
BcBundleExport *bc_sync_bundle_export      (BcWorkbook   *workbook,
                                            const char   *token_file,
                                            const char   *path,
                                            GError      **error);

/* Applies the reply bundle `bundle` (opened with bc_bundle_open_file()).
 * Returns what was done, as a sync's summary (results and changes). */
BcSyncSummary  *bc_sync_bundle_apply_reply (BcWorkbook   *workbook,
                                            const char   *token_file,
                                            JsonObject   *bundle,
                                            GError      **error);

/* The same, off the caller's thread (for the window): the work runs in a
 * worker thread, the callback in the caller's thread-default context. */
void            bc_sync_bundle_export_async        (BcWorkbook          *workbook,
                                                    const char          *token_file,
                                                    const char          *path,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
BcBundleExport *bc_sync_bundle_export_finish       (BcWorkbook          *workbook,
                                                    GAsyncResult        *result,
                                                    GError             **error);
/* Opens the reply bundle file `path` (bc_bundle_open_file()) and applies it. */
void            bc_sync_bundle_import_reply_async  (BcWorkbook          *workbook,
                                                    const char          *token_file,
                                                    const char          *path,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
BcSyncSummary  *bc_sync_bundle_import_reply_finish (BcWorkbook          *workbook,
                                                    GAsyncResult        *result,
                                                    GError             **error);

G_END_DECLS
