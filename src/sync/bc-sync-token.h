/* bc-sync-token.h: where a device's token is kept (keyring, or a named file).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The token enrolment gave is kept in the desktop keyring (libsecret,
 * schema "org.baocao.Token", keyed by the server's id and URL). Where there
 * is no keyring, BC_SYNC_ERROR_NO_KEYRING says so, and the token is kept
 * only in a file the person names: created with mode 0600 (owner only), and
 * refused when others may read it. The password is never stored. These
 * calls block (D-Bus, files): run them off the UI thread.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* `token_file` NULL: the keyring. */
gboolean  bc_sync_token_store   (const char    *server_id,
                                 const char    *url,
                                 const char    *token,
                                 const char    *token_file,
                                 GCancellable  *cancellable,
                                 GError       **error);
/* BC_SYNC_ERROR_NOT_ENROLLED when there is no token. */
char     *bc_sync_token_lookup  (const char    *server_id,
                                 const char    *url,
                                 const char    *token_file,
                                 GCancellable  *cancellable,
                                 GError       **error);
/* Removes the token; no token is not an error. */
gboolean  bc_sync_token_clear   (const char    *server_id,
                                 const char    *url,
                                 const char    *token_file,
                                 GCancellable  *cancellable,
                                 GError       **error);

G_END_DECLS
