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

G_END_DECLS
