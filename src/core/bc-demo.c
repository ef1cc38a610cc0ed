/* bc-demo.c: the shipped demo workbook, and fresh copies of it for training.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-demo"

#include "config.h"

#include <errno.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "bc-demo.h"

char *
bc_demo_shipped_path (void)
{
  const char *env = g_getenv ("BAOCAO_DEMO_WORKBOOK");
  const char *candidates[] = {
    PKGDATADIR G_DIR_SEPARATOR_S "demo.baocao",
    BUILD_DEMO_WORKBOOK,
  };

  if (env != NULL && *env != '\0')
    return g_file_test (env, G_FILE_TEST_IS_REGULAR) ? g_strdup (env) : NULL;

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (g_file_test (candidates[i], G_FILE_TEST_IS_REGULAR))
      return g_strdup (candidates[i]);

  return NULL;
}

char *
bc_demo_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "baocao", "demo.baocao", NULL);
}

/* SQLite's journal files beside a workbook: a stale WAL must never be
 * replayed into the fresh copy. */
static gboolean
remove_if_exists (const char  *path,
                  GError     **error)
{
  int saved_errno;

  if (g_remove (path) == 0)
    return TRUE;

  saved_errno = errno;
  if (saved_errno == ENOENT)
    return TRUE;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _("Could not remove “%s”: %s. Close every program that uses it and try again."),
               path, g_strerror (saved_errno));
  return FALSE;
}

gboolean
bc_demo_install (const char  *dest,
                 GError     **error)
{
  g_autofree char *shipped = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *tmp_path = NULL;
  g_autofree char *wal = NULL;
  g_autofree char *shm = NULL;
  g_autoptr(GFile) source = NULL;
  g_autoptr(GFile) tmp = NULL;
  g_autoptr(GFile) target = NULL;

  g_return_val_if_fail (dest != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  shipped = bc_demo_shipped_path ();
  if (shipped == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The demo workbook is not installed. Reinstall Baocao, or set BAOCAO_DEMO_WORKBOOK to the demo.baocao file."));
      return FALSE;
    }

  parent = g_path_get_dirname (dest);
  if (g_mkdir_with_parents (parent, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the folder “%s”: %s."), parent, g_strerror (saved_errno));
      return FALSE;
    }

  tmp_path = g_strconcat (dest, ".new", NULL);
  wal = g_strconcat (dest, "-wal", NULL);
  shm = g_strconcat (dest, "-shm", NULL);
  source = g_file_new_for_path (shipped);
  tmp = g_file_new_for_path (tmp_path);
  target = g_file_new_for_path (dest);

  if (!g_file_copy (source, tmp, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error))
    return FALSE;

  if (!remove_if_exists (wal, error) ||
      !remove_if_exists (shm, error) ||
      !g_file_move (tmp, target, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error))
    {
      g_file_delete (tmp, NULL, NULL);
      return FALSE;
    }

  return TRUE;
}
