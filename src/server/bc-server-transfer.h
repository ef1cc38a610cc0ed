/* bc-server-transfer.h: a province's data moved between stores (SQLite ↔ PostgreSQL).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `baocao-server export FILE` writes every table of a store, from one
 * snapshot taken while the server serves, with each table's row count and
 * SHA-256; `import FILE` checks the file against them, loads it into an
 * empty store in one transaction, reads the store back and compares
 * counts and hashes table by table. Ids, receipts and feed sequence
 * numbers move unchanged, so clients carry on with the new store.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The store is `data_dir` (SQLite) or `uri` (PostgreSQL): one of them.
 * `summary` gets one line per table: name, rows, SHA-256. */
gboolean bc_server_transfer_export (const char  *data_dir,
                                    const char  *uri,
                                    const char  *path,
                                    GString     *summary,
                                    GError     **error);
gboolean bc_server_transfer_import (const char  *data_dir,
                                    const char  *uri,
                                    const char  *path,
                                    GString     *summary,
                                    GError     **error);

G_END_DECLS
