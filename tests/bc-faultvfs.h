/* bc-faultvfs.h: an SQLite VFS that simulates write errors and power loss.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * It wraps the default VFS. For every file opened through it, it keeps the
 * file's size at its last xSync and an undo log of every region overwritten
 * since, and whether the file's directory entry is durable. Cutting the
 * power returns every file to what it was at its last sync, as a disk that
 * honours fsync but loses its cache would.
 *
 * The model of the disk:
 * - xSync of a file makes its content and its own directory entry durable.
 * - SQLite fsyncs the directory after the first xSync of a WAL or rollback
 *   journal it created; that makes every file then existing durable.
 * - A file that is not durable vanishes.
 * - Deleting a file is durable at once (SQLite deletes only files it no
 *   longer needs, and recovers from them either way).
 * - The -shm file is shared memory, not data: it may survive or not.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BC_FAULT_VFS_NAME "bc-fault"

/* Registers the VFS (once); it is not made the default. */
void    bc_fault_vfs_register         (void);

/* Forgets every tracked file, as after a clean shutdown: what is on disk now
 * counts as durable. Also clears any planned failure. */
void    bc_fault_vfs_reset            (void);

/* The number of xWrite and xTruncate calls so far. */
gint64  bc_fault_vfs_get_n_writes     (void);

/* Every xWrite and xTruncate after the next `n_writes` (counted from now)
 * fails with SQLITE_IOERR, like a disk that stops taking writes; -1 never. */
void    bc_fault_vfs_fail_writes_after (gint64 n_writes);

/* A full disk: every -shm mapping fails with an I/O error, and the system
 * error behind it (sqlite3_system_errno()) is ENOSPC, as SQLite's own VFS
 * reports a disk that filled up. FALSE puts it back. */
void    bc_fault_vfs_set_disk_full    (gboolean full);

/* Cuts the power: from now on every write, truncate, sync and delete fails,
 * so connections still open can be closed without touching the disk. */
void    bc_fault_vfs_power_off        (void);

/* Once the connections of the dead session are closed: puts every tracked
 * file back to its content at its last sync, removes files that were never
 * durable (and, with `drop_shm`, the -shm files), then powers on with
 * nothing tracked. */
void    bc_fault_vfs_reboot           (gboolean drop_shm);

G_END_DECLS
