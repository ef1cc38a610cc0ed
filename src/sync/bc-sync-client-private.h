/* bc-sync-client-private.h: what the bundle code shares with the sync engine.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bc-sync-client.h"

G_BEGIN_DECLS

/* Queues every ready report of the enrolled `unit` (its status and outbox
 * row in one commit), as a sync or a bundle does before it pushes. Reports
 * of another unit stay ready, and each is added to `not_sent`
 * (BcSyncNotSent*): nothing from this workbook will ever send them. */
gboolean _bc_sync_queue_ready (BcWorkbook  *workbook,
                               const char  *unit,
                               GPtrArray   *not_sent,
                               GError     **error);

/* Applies a reply bundle's push results and feed exactly as a sync applies
 * a push's results and a pull's pages: each result moves its report; the
 * changes past the workbook's cursor are applied (templates stored first)
 * and the cursor moves to the page's if that is further and the page (asked
 * `since`) leaves no gap after the workbook's cursor; drafts carry over.
 * Takes `results` (BcSyncPushResult*); they end in `summary->results`. */
gboolean _bc_sync_apply_reply (BcWorkbook     *workbook,
                               GPtrArray      *results,
                               BcSyncChanges  *page,
                               gint64          since,
                               BcSyncSummary  *summary,
                               GError        **error);

G_END_DECLS
