/* bc-sync-token.c: where a device's token is kept (keyring, or a named file).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-sync"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "bc-sync-error.h"
#include "bc-sync-token.h"

#define TOKEN_FILE_MAX 4096

static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    "org.baocao.Token", SECRET_SCHEMA_NONE,
    {
      { "server_id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "url", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };

  return &schema;
}

static void
set_no_keyring (const GError  *cause,
                GError       **error)
{
  g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_NO_KEYRING,
               _("There is no desktop keyring to keep this device's token in (%s). Name a "
                 "file to keep it in instead, with --token-file FILE: only you can read it."),
               cause != NULL ? cause->message : "");
}

gboolean
bc_sync_token_store (const char    *server_id,
                     const char    *url,
                     const char    *token,
                     const char    *token_file,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_return_val_if_fail (server_id != NULL, FALSE);
  g_return_val_if_fail (url != NULL, FALSE);
  g_return_val_if_fail (token != NULL, FALSE);

  if (token_file != NULL)
    {
      g_autofree char *text = g_strconcat (token, "\n", NULL);

      /* Mode 0600 from the moment the file exists (GLib writes a temporary
       * file with this mode and renames it; on Windows the mode is the
       * user's own profile's ACL). */
      return g_file_set_contents_full (token_file, text, -1,
                                       G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
    }

  {
    g_autoptr(GError) local_error = NULL;
    g_autofree char *label = g_strdup_printf (_("Baocao token for %s"), url);

    if (!secret_password_store_sync (token_schema (), SECRET_COLLECTION_DEFAULT, label, token,
                                     cancellable, &local_error,
                                     "server_id", server_id, "url", url, NULL))
      {
        if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
          g_propagate_error (error, g_steal_pointer (&local_error));
        else
          set_no_keyring (local_error, error);
        return FALSE;
      }
  }

  return TRUE;
}

static char *
read_token_file (const char  *token_file,
                 GError     **error)
{
  g_autofree char *text = NULL;
  gsize length;
  char *end;

#ifndef G_OS_WIN32
  {
    GStatBuf buf;

    if (g_stat (token_file, &buf) == 0 && (buf.st_mode & 077) != 0)
      {
        g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_NOT_ENROLLED,
                     _("Others may read the token file “%s”. Make it readable by you only "
                       "(chmod 600), or enrol again to make a new one."),
                     token_file);
        return NULL;
      }
  }
#endif

  if (!g_file_get_contents (token_file, &text, &length, error))
    {
      if (error != NULL && g_error_matches (*error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_clear_error (error);
          g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_NOT_ENROLLED,
                       _("There is no token file “%s”. Enrol this device first: "
                         "baocao-cli enrol URL --user USER --token-file FILE."),
                       token_file);
        }
      return NULL;
    }

  end = strpbrk (text, "\r\n");
  if (end != NULL)
    *end = '\0';
  if (length > TOKEN_FILE_MAX || *text == '\0' || strlen (text) != strcspn (text, " \t")
      || !g_str_is_ascii (text))
    {
      g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_NOT_ENROLLED,
                   _("The token file “%s” does not hold a token. Enrol this device again."),
                   token_file);
      return NULL;
    }

  return g_steal_pointer (&text);
}

char *
bc_sync_token_lookup (const char    *server_id,
                      const char    *url,
                      const char    *token_file,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  char *token;

  g_return_val_if_fail (server_id != NULL, NULL);
  g_return_val_if_fail (url != NULL, NULL);

  if (token_file != NULL)
    return read_token_file (token_file, error);

  token = secret_password_lookup_sync (token_schema (), cancellable, &local_error,
                                       "server_id", server_id, "url", url, NULL);
  if (local_error != NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        set_no_keyring (local_error, error);
      return NULL;
    }
  if (token == NULL)
    {
      g_set_error (error, BC_SYNC_ERROR, BC_SYNC_ERROR_NOT_ENROLLED,
                   _("This device has no token for the server %s. Enrol it again: "
                     "baocao-cli enrol URL --user USER."),
                   url);
      return NULL;
    }

  {
    char *copy = g_strdup (token);

    secret_password_free (token);
    return copy;
  }
}

gboolean
bc_sync_token_clear (const char    *server_id,
                     const char    *url,
                     const char    *token_file,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (server_id != NULL, FALSE);
  g_return_val_if_fail (url != NULL, FALSE);

  if (token_file != NULL)
    {
      if (g_remove (token_file) != 0 && errno != ENOENT)
        {
          int saved = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("Could not remove the token file “%s”: %s."),
                       token_file, g_strerror (saved));
          return FALSE;
        }
      return TRUE;
    }

  secret_password_clear_sync (token_schema (), cancellable, &local_error,
                              "server_id", server_id, "url", url, NULL);
  if (local_error != NULL)
    {
      set_no_keyring (local_error, error);
      return FALSE;
    }

  return TRUE;
}
