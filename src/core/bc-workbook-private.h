/* bc-workbook-private.h: hooks into the workbook for tests and benchmarks.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not public API: the power-loss test opens workbooks through a
 * fault-injecting SQLite VFS, tests read the connection's pragmas, and an
 * import that fails half-way takes its report back out.
 */
#pragma once

#include <sqlite3.h>

#include "bc-workbook.h"

G_BEGIN_DECLS

/* A private open flag, above the public ones: synchronous=OFF, so commits
 * are not flushed to disk. Only for the test that proves the power-loss VFS
 * really drops unsynced writes, and for bulk set-up in benchmarks. Never for
 * a user's workbook. */
#define _BC_WORKBOOK_OPEN_NO_SYNC ((BcWorkbookOpenFlags) (1 << 16))

/* bc_workbook_open() through the SQLite VFS named `vfs_name` (NULL: the
 * default one), for the check and for the connection itself. */
BcWorkbook *_bc_workbook_open_with_vfs  (const char           *path,
                                         BcTemplateRegistry   *templates,
                                         BcWorkbookOpenFlags   flags,
                                         const char           *vfs_name,
                                         GError              **error);
/* Runs one SQL statement on the workbook's own connection and returns the
 * first column of its first row as text (NULL for no row or SQL NULL). */
char       *_bc_workbook_query_string   (BcWorkbook           *self,
                                         const char           *sql,
                                         GError              **error);
/* Deletes a report whatever its status, for undoing an import that failed
 * half-way (after its status was already walked forward). Never for what a
 * person asks to delete: that is bc_workbook_delete_report(), drafts only. */
gboolean    _bc_workbook_discard_report (BcWorkbook           *self,
                                         const char           *report_id,
                                         GError              **error);
/* Keeps the submission time an imported report carries (µs since the
 * epoch, UTC), instead of the moment of the import. Only for reports that
 * were submitted (queued or later). */
gboolean    _bc_workbook_set_submitted_at (BcWorkbook         *self,
                                           const char         *report_id,
                                           gint64              submitted_at,
                                           GError            **error);

/* For bc-outbox.c, which keeps the sync tables in the workbook's own
 * transactions. `func` runs with the workbook's mutex held and inside
 * BEGIN IMMEDIATE (`write`) or BEGIN; TRUE commits, FALSE rolls back. */
typedef gboolean (*BcWorkbookTransactionFunc) (BcWorkbook  *self,
                                               gpointer     data,
                                               GError     **error);
gboolean    _bc_workbook_transaction    (BcWorkbook               *self,
                                         gboolean                  write,
                                         BcWorkbookTransactionFunc func,
                                         gpointer                  data,
                                         GError                  **error);
/* The connection; only inside a transaction function. */
sqlite3    *_bc_workbook_get_db         (BcWorkbook           *self);
void        _bc_workbook_set_sqlite_error (BcWorkbook         *self,
                                           int                 rc,
                                           GError            **error);
/* Loads a report; only inside a transaction function. */
BcReport   *_bc_workbook_load_report_locked (BcWorkbook       *self,
                                             const char       *report_id,
                                             GError          **error);

G_END_DECLS
