/* bc-outbox-private.h: the workbook's hooks into the outbox.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bc-workbook.c calls these inside its own transactions: the schema
 * migration to version 2, and every status change (so that queuing a report
 * and creating its outbox row are one transaction).
 */
#pragma once

#include <sqlite3.h>

#include "bc-workbook.h"

G_BEGIN_DECLS

gboolean _bc_outbox_migrate_to_2   (BcWorkbook  *workbook,
                                    sqlite3     *db,
                                    GError     **error);

/* READY → QUEUED adds the outbox row (content frozen when the template is
 * installed); QUEUED → DRAFT removes it, and is refused once a push of it
 * was attempted; QUEUED → SENT by hand (an import) removes it. */
gboolean _bc_outbox_status_changed (BcWorkbook  *workbook,
                                    sqlite3     *db,
                                    const char  *report_id,
                                    BcStatus     from,
                                    BcStatus     to,
                                    gint64       now,
                                    GError     **error);

/* Resolving a conflict (bc-conflict.c), inside its batch. reopen: a report
 * that is `sent` and whose last receipt was a conflict goes back to draft
 * (recorded as a status change), outside the status machine: only for this.
 * rebase: the report's revision becomes at least `min_revision` (a number
 * the server has not used), to be called before it is queued. after_queue:
 * its outbox row is based on `server_revision` (the server's current one,
 * so the push is a normal `stored`) and the state no longer says conflict. */
gboolean _bc_outbox_reopen_conflict (BcWorkbook  *workbook,
                                     const char  *report_id,
                                     const char  *comment,
                                     GError     **error);
gboolean _bc_outbox_raise_revision  (BcWorkbook  *workbook,
                                     const char  *report_id,
                                     gint64       min_revision,
                                     GError     **error);
gboolean _bc_outbox_rebase_queued   (BcWorkbook  *workbook,
                                     const char  *report_id,
                                     gint64       server_revision,
                                     GError     **error);

G_END_DECLS
