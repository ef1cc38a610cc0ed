/* bc-server-auth.h: passwords, device tokens and their hashes.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Passwords are kept only as Argon2id hashes (libsodium crypto_pwhash_str,
 * its "interactive" limits); tokens only as the hex SHA-256 of their text.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BC_SERVER_TOKEN_PREFIX "bct1."

/* Initialises libsodium; FALSE if it cannot (no randomness source). */
gboolean  bc_server_auth_init           (void);
/* NULL when out of memory for the hash's limits. */
char     *bc_server_hash_password       (const char  *password);
gboolean  bc_server_verify_password     (const char  *hash,
                                         const char  *password);
/* "bct1." and 43 characters of base64url: 32 random bytes. */
char     *bc_server_new_token           (void);
/* The hex SHA-256 of a token, as the store keeps it. */
char     *bc_server_token_hash          (const char  *token);

G_END_DECLS
