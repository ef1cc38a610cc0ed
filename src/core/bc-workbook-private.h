/* bc-workbook-private.h: hooks into the workbook for tests and benchmarks.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not public API: the power-loss test opens workbooks through a
 * fault-injecting SQLite VFS, tests read the connection's pragmas, and an
 * import that fails half-way takes its report back out.
 */
#pragma once

#include <stdarg.h>
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

/* One transaction around many calls (an import: all of a file or nothing).
 * From begin to end the calling thread holds the workbook: its calls run as
 * savepoints inside the batch (each still all or nothing) and other threads
 * wait. end_batch commits when `commit` is TRUE (FALSE if the commit fails,
 * which rolls back), else rolls everything back; either way the batch is
 * over. Nothing of a batch is durable, or visible to another connection,
 * before end_batch commits. */
gboolean    _bc_workbook_begin_batch    (BcWorkbook           *self,
                                         GError              **error);
gboolean    _bc_workbook_end_batch      (BcWorkbook           *self,
                                         gboolean              commit,
                                         GError              **error);

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
/* Binds the arguments that follow in `args` to `stmt`'s parameters 1, 2, …
 * as `types` describes them: 's' a const char * (NULL binds NULL), 'x' a
 * gint64, 'd' an int. */
void        _bc_workbook_bind_valist    (sqlite3_stmt         *stmt,
                                         const char           *types,
                                         va_list               args);
/* Loads a report; only inside a transaction function. */
BcReport   *_bc_workbook_load_report_locked (BcWorkbook       *self,
                                             const char       *report_id,
                                             GError          **error);

G_END_DECLS
