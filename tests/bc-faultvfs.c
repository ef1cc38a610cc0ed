/* bc-faultvfs.c: an SQLite VFS that simulates write errors and power loss.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-faultvfs"

#include "config.h"

#include <errno.h>

#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "bc-faultvfs.h"

typedef struct {
  sqlite3_int64  offset;
  GBytes        *old;
} UndoEntry;

/* What the disk knows of one file, by path. */
typedef struct {
  char          *path;
  gboolean       durable;      /* its directory entry survives a power loss */
  sqlite3_int64  synced_size;
  GArray        *undo;         /* UndoEntry, oldest first, since the last sync */
} FileState;

typedef struct {
  sqlite3_file   base;
  sqlite3_file  *real;
  char          *path;         /* NULL: not tracked (temporary files) */
  gboolean       dirsync;      /* SQLite fsyncs the directory on its first sync */
} FaultFile;

#define REAL_OFFSET ((sizeof (FaultFile) + 7) & ~(gsize) 7)

static GMutex lock;
static sqlite3_vfs *real_vfs;
static GHashTable *states;     /* path → FileState */
static gint64 n_writes;
static gint64 fail_after = -1;
static gboolean powered_off;
static gboolean disk_full;

static void
undo_entry_clear (gpointer data)
{
  UndoEntry *entry = data;

  g_bytes_unref (entry->old);
}

static void
file_state_free (FileState *state)
{
  g_free (state->path);
  g_array_unref (state->undo);
  g_free (state);
}

static FileState *
lookup_state (const FaultFile *file)
{
  return file->path != NULL ? g_hash_table_lookup (states, file->path) : NULL;
}

/* Saves the bytes of [offset, offset + length) that are within the synced
 * size, so that a power loss can put them back. */
static void
save_undo (FaultFile     *file,
           FileState     *state,
           sqlite3_int64  offset,
           sqlite3_int64  length)
{
  sqlite3_int64 end = MIN (offset + length, state->synced_size);
  UndoEntry entry;
  guint8 *old;
  int rc;

  if (end <= offset)
    return;

  old = g_malloc0 (end - offset);
  /* A short read fills the rest with zeros, which is what is there. */
  rc = file->real->pMethods->xRead (file->real, old, (int) (end - offset), offset);
  g_assert (rc == SQLITE_OK || rc == SQLITE_IOERR_SHORT_READ);

  entry.offset = offset;
  entry.old = g_bytes_new_take (old, end - offset);
  g_array_append_val (state->undo, entry);
}

/* Counts a write and says whether it may go to disk. */
static gboolean
write_allowed (void)
{
  if (powered_off)
    return FALSE;

  n_writes++;
  return fail_after < 0 || n_writes <= fail_after;
}

static int
fault_close (sqlite3_file *base)
{
  FaultFile *file = (FaultFile *) base;
  int rc = file->real->pMethods->xClose (file->real);

  g_clear_pointer (&file->path, g_free);
  return rc;
}

static int
fault_read (sqlite3_file  *base,
            void          *buffer,
            int            amount,
            sqlite3_int64  offset)
{
  FaultFile *file = (FaultFile *) base;

  return file->real->pMethods->xRead (file->real, buffer, amount, offset);
}

static int
fault_write (sqlite3_file  *base,
             const void    *buffer,
             int            amount,
             sqlite3_int64  offset)
{
  FaultFile *file = (FaultFile *) base;
  FileState *state;

  g_mutex_lock (&lock);
  if (!write_allowed ())
    {
      g_mutex_unlock (&lock);
      return SQLITE_IOERR_WRITE;
    }
  state = lookup_state (file);
  if (state != NULL)
    save_undo (file, state, offset, amount);
  g_mutex_unlock (&lock);

  return file->real->pMethods->xWrite (file->real, buffer, amount, offset);
}

static int
fault_truncate (sqlite3_file  *base,
                sqlite3_int64  size)
{
  FaultFile *file = (FaultFile *) base;
  FileState *state;
  sqlite3_int64 current = 0;

  g_mutex_lock (&lock);
  if (!write_allowed ())
    {
      g_mutex_unlock (&lock);
      return SQLITE_IOERR_TRUNCATE;
    }
  state = lookup_state (file);
  if (state != NULL && file->real->pMethods->xFileSize (file->real, &current) == SQLITE_OK
      && current > size)
    save_undo (file, state, size, current - size);
  g_mutex_unlock (&lock);

  return file->real->pMethods->xTruncate (file->real, size);
}

static int
fault_sync (sqlite3_file *base,
            int           flags)
{
  FaultFile *file = (FaultFile *) base;
  FileState *state;
  int rc;

  g_mutex_lock (&lock);
  if (powered_off)
    {
      g_mutex_unlock (&lock);
      return SQLITE_IOERR_FSYNC;
    }

  /* Durability is what this model says, not what the disk does: a real
   * fsync would only make the test slow. Untracked files sync for real. */
  state = lookup_state (file);
  rc = state != NULL ? SQLITE_OK : file->real->pMethods->xSync (file->real, flags);
  if (rc == SQLITE_OK && state != NULL)
    {
      sqlite3_int64 size = 0;

      if (file->real->pMethods->xFileSize (file->real, &size) == SQLITE_OK)
        {
          state->synced_size = size;
          g_array_set_size (state->undo, 0);
          state->durable = TRUE;
        }

      /* The unix VFS fsyncs the directory here: every entry in it is safe. */
      if (file->dirsync)
        {
          GHashTableIter iter;
          gpointer value;

          g_hash_table_iter_init (&iter, states);
          while (g_hash_table_iter_next (&iter, NULL, &value))
            ((FileState *) value)->durable = TRUE;
          file->dirsync = FALSE;
        }
    }
  g_mutex_unlock (&lock);

  return rc;
}

static int
fault_file_size (sqlite3_file  *base,
                 sqlite3_int64 *size)
{
  FaultFile *file = (FaultFile *) base;

  return file->real->pMethods->xFileSize (file->real, size);
}

static int
fault_lock (sqlite3_file *base,
            int           level)
{
  FaultFile *file = (FaultFile *) base;

  return file->real->pMethods->xLock (file->real, level);
}

static int
fault_unlock (sqlite3_file *base,
              int           level)
{
  FaultFile *file = (FaultFile *) base;

  return file->real->pMethods->xUnlock (file->real, level);
}

static int
fault_check_reserved_lock (sqlite3_file *base,
                           int          *out)
{
  FaultFile *file = (FaultFile *) base;

  return file->real->pMethods->xCheckReservedLock (file->real, out);
}

static int
fault_file_control (sqlite3_file *base,
                    int           op,
                    void         *arg)
{
  FaultFile *file = (FaultFile *) base;

  return file->real->pMethods->xFileControl (file->real, op, arg);
}

static int
fault_sector_size (sqlite3_file *base)
{
  FaultFile *file = (FaultFile *) base;

  return file->real->pMethods->xSectorSize (file->real);
}

static int
fault_device_characteristics (sqlite3_file *base)
{
  FaultFile *file = (FaultFile *) base;

  return file->real->pMethods->xDeviceCharacteristics (file->real);
}

static int
fault_shm_map (sqlite3_file  *base,
               int            page,
               int            page_size,
               int            extend,
               void volatile **out)
{
  FaultFile *file = (FaultFile *) base;

  /* A full disk cannot grow the -shm file: SQLite says "disk I/O error". */
  if (g_atomic_int_get (&disk_full))
    return SQLITE_IOERR_SHMSIZE;

  return file->real->pMethods->xShmMap (file->real, page, page_size, extend, out);
}

static int
fault_shm_lock (sqlite3_file *base,
                int           offset,
                int           n,
                int           flags)
{
  FaultFile *file = (FaultFile *) base;

  return file->real->pMethods->xShmLock (file->real, offset, n, flags);
}

static void
fault_shm_barrier (sqlite3_file *base)
{
  FaultFile *file = (FaultFile *) base;

  file->real->pMethods->xShmBarrier (file->real);
}

static int
fault_shm_unmap (sqlite3_file *base,
                 int           delete_flag)
{
  FaultFile *file = (FaultFile *) base;

  return file->real->pMethods->xShmUnmap (file->real, delete_flag);
}

static int
fault_fetch (sqlite3_file   *base,
             sqlite3_int64   offset,
             int             amount,
             void          **out)
{
  FaultFile *file = (FaultFile *) base;

  return file->real->pMethods->xFetch (file->real, offset, amount, out);
}

static int
fault_unfetch (sqlite3_file  *base,
               sqlite3_int64  offset,
               void          *page)
{
  FaultFile *file = (FaultFile *) base;

  return file->real->pMethods->xUnfetch (file->real, offset, page);
}

static const sqlite3_io_methods fault_io_methods = {
  3,
  fault_close,
  fault_read,
  fault_write,
  fault_truncate,
  fault_sync,
  fault_file_size,
  fault_lock,
  fault_unlock,
  fault_check_reserved_lock,
  fault_file_control,
  fault_sector_size,
  fault_device_characteristics,
  fault_shm_map,
  fault_shm_lock,
  fault_shm_barrier,
  fault_shm_unmap,
  fault_fetch,
  fault_unfetch,
};

static int
fault_open (sqlite3_vfs  *vfs,
            const char   *name,
            sqlite3_file *base,
            int           flags,
            int          *out_flags)
{
  FaultFile *file = (FaultFile *) base;
  gboolean tracked = name != NULL && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL
                                               | SQLITE_OPEN_MAIN_JOURNAL));
  gboolean existed = FALSE;
  int rc;

  memset (file, 0, sizeof *file);
  file->real = (sqlite3_file *) ((char *) base + REAL_OFFSET);

  if (tracked)
    real_vfs->xAccess (real_vfs, name, SQLITE_ACCESS_EXISTS, &existed);

  rc = real_vfs->xOpen (real_vfs, name, file->real, flags, out_flags);
  if (rc != SQLITE_OK)
    {
      /* No methods: SQLite will not call xClose. */
      if (file->real->pMethods != NULL)
        file->real->pMethods->xClose (file->real);
      base->pMethods = NULL;
      return rc;
    }

  base->pMethods = &fault_io_methods;
  if (!tracked)
    return SQLITE_OK;

  file->path = g_strdup (name);
  file->dirsync = !existed && (flags & (SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL));

  g_mutex_lock (&lock);
  if (!g_hash_table_contains (states, name))
    {
      FileState *state = g_new0 (FileState, 1);

      state->path = g_strdup (name);
      state->undo = g_array_new (FALSE, FALSE, sizeof (UndoEntry));
      g_array_set_clear_func (state->undo, undo_entry_clear);
      /* A file that was there before is as durable as it is now. */
      state->durable = existed;
      if (existed)
        file->real->pMethods->xFileSize (file->real, &state->synced_size);
      g_hash_table_insert (states, state->path, state);
    }
  g_mutex_unlock (&lock);

  return SQLITE_OK;
}

static int
fault_delete (sqlite3_vfs *vfs,
              const char  *name,
              int          sync_dir)
{
  int rc;

  g_mutex_lock (&lock);
  if (powered_off)
    {
      g_mutex_unlock (&lock);
      return SQLITE_IOERR_DELETE;
    }
  rc = real_vfs->xDelete (real_vfs, name, sync_dir);
  if (rc == SQLITE_OK || rc == SQLITE_IOERR_DELETE_NOENT)
    g_hash_table_remove (states, name);
  g_mutex_unlock (&lock);

  return rc;
}

static int
fault_access (sqlite3_vfs *vfs,
              const char  *name,
              int          flags,
              int         *out)
{
  return real_vfs->xAccess (real_vfs, name, flags, out);
}

static int
fault_full_pathname (sqlite3_vfs *vfs,
                     const char  *name,
                     int          size,
                     char        *out)
{
  return real_vfs->xFullPathname (real_vfs, name, size, out);
}

static void *
fault_dl_open (sqlite3_vfs *vfs,
               const char  *name)
{
  return real_vfs->xDlOpen (real_vfs, name);
}

static void
fault_dl_error (sqlite3_vfs *vfs,
                int          size,
                char        *out)
{
  real_vfs->xDlError (real_vfs, size, out);
}

static void (*
fault_dl_sym (sqlite3_vfs *vfs,
              void        *handle,
              const char  *symbol)) (void)
{
  return real_vfs->xDlSym (real_vfs, handle, symbol);
}

static void
fault_dl_close (sqlite3_vfs *vfs,
                void        *handle)
{
  real_vfs->xDlClose (real_vfs, handle);
}

static int
fault_randomness (sqlite3_vfs *vfs,
                  int          size,
                  char        *out)
{
  return real_vfs->xRandomness (real_vfs, size, out);
}

static int
fault_sleep (sqlite3_vfs *vfs,
             int          microseconds)
{
  return real_vfs->xSleep (real_vfs, microseconds);
}

static int
fault_current_time (sqlite3_vfs *vfs,
                    double      *out)
{
  return real_vfs->xCurrentTime (real_vfs, out);
}

static int
fault_get_last_error (sqlite3_vfs *vfs,
                      int          size,
                      char        *out)
{
  if (g_atomic_int_get (&disk_full))
    return ENOSPC;

  return real_vfs->xGetLastError (real_vfs, size, out);
}

static int
fault_current_time_int64 (sqlite3_vfs   *vfs,
                          sqlite3_int64 *out)
{
  return real_vfs->xCurrentTimeInt64 (real_vfs, out);
}

static sqlite3_vfs fault_vfs = {
  2,
  0,                /* szOsFile, set on registration */
  0,                /* mxPathname */
  NULL,
  BC_FAULT_VFS_NAME,
  NULL,
  fault_open,
  fault_delete,
  fault_access,
  fault_full_pathname,
  fault_dl_open,
  fault_dl_error,
  fault_dl_sym,
  fault_dl_close,
  fault_randomness,
  fault_sleep,
  fault_current_time,
  fault_get_last_error,
  fault_current_time_int64,
  NULL,
  NULL,
  NULL,
};

void
bc_fault_vfs_register (void)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered))
    {
      real_vfs = sqlite3_vfs_find (NULL);
      g_assert (real_vfs != NULL && real_vfs->iVersion >= 2);
      fault_vfs.szOsFile = (int) (REAL_OFFSET + real_vfs->szOsFile);
      fault_vfs.mxPathname = real_vfs->mxPathname;
      states = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                      (GDestroyNotify) file_state_free);
      g_assert_cmpint (sqlite3_vfs_register (&fault_vfs, 0), ==, SQLITE_OK);
      g_once_init_leave (&registered, 1);
    }
}

void
bc_fault_vfs_reset (void)
{
  g_mutex_lock (&lock);
  g_hash_table_remove_all (states);
  n_writes = 0;
  fail_after = -1;
  powered_off = FALSE;
  g_mutex_unlock (&lock);
}

gint64
bc_fault_vfs_get_n_writes (void)
{
  gint64 n;

  g_mutex_lock (&lock);
  n = n_writes;
  g_mutex_unlock (&lock);

  return n;
}

void
bc_fault_vfs_set_disk_full (gboolean full)
{
  g_atomic_int_set (&disk_full, full);
}

void
bc_fault_vfs_fail_writes_after (gint64 n)
{
  g_mutex_lock (&lock);
  fail_after = n < 0 ? -1 : n_writes + n;
  g_mutex_unlock (&lock);
}

void
bc_fault_vfs_power_off (void)
{
  g_mutex_lock (&lock);
  powered_off = TRUE;
  g_mutex_unlock (&lock);
}

/* Puts one file back to its last synced content, through the real VFS (no
 * fsync: the "disk" is what the model says). */
static void
restore_file (FileState *state)
{
  sqlite3_file *real = g_malloc0 (real_vfs->szOsFile);
  int exists = 0;
  int rc;

  /* Deleted for good since: nothing to restore. */
  real_vfs->xAccess (real_vfs, state->path, SQLITE_ACCESS_EXISTS, &exists);
  if (!exists)
    {
      g_free (real);
      return;
    }

  rc = real_vfs->xOpen (real_vfs, state->path, real,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_MAIN_DB, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);

  for (guint i = state->undo->len; i > 0; i--)
    {
      const UndoEntry *entry = &g_array_index (state->undo, UndoEntry, i - 1);
      gsize size = 0;
      gconstpointer old = g_bytes_get_data (entry->old, &size);

      rc = real->pMethods->xWrite (real, old, (int) size, entry->offset);
      g_assert_cmpint (rc, ==, SQLITE_OK);
    }

  /* What was appended since the sync is lost. (A file cut shorter got its
   * bytes back from the undo log.) */
  rc = real->pMethods->xTruncate (real, state->synced_size);
  g_assert_cmpint (rc, ==, SQLITE_OK);

  real->pMethods->xClose (real);
  g_free (real);
}

void
bc_fault_vfs_reboot (gboolean drop_shm)
{
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&lock);
  g_assert (powered_off);

  g_hash_table_iter_init (&iter, states);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      FileState *state = value;

      if (state->durable)
        restore_file (state);
      else
        g_remove (state->path);

      if (drop_shm)
        {
          g_autofree char *shm = g_strconcat (state->path, "-shm", NULL);

          g_remove (shm);
        }
    }

  g_hash_table_remove_all (states);
  n_writes = 0;
  fail_after = -1;
  powered_off = FALSE;
  g_mutex_unlock (&lock);
}
