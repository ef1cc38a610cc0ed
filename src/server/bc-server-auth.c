/* bc-server-auth.c: passwords, device tokens and their hashes.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-server"

#include "config.h"

#include <string.h>

#include <sodium.h>

#include "bc-server-auth.h"

gboolean
bc_server_auth_init (void)
{
  return sodium_init () >= 0;
}

char *
bc_server_hash_password (const char *password)
{
  char hash[crypto_pwhash_STRBYTES];

  g_return_val_if_fail (password != NULL, NULL);

  if (crypto_pwhash_str (hash, password, strlen (password),
                         crypto_pwhash_OPSLIMIT_INTERACTIVE,
                         crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return NULL;
  return g_strdup (hash);
}

gboolean
bc_server_verify_password (const char *hash,
                           const char *password)
{
  g_return_val_if_fail (hash != NULL && password != NULL, FALSE);

  return crypto_pwhash_str_verify (hash, password, strlen (password)) == 0;
}

char *
bc_server_new_token (void)
{
  guchar secret[32];
  char encoded[sodium_base64_ENCODED_LEN (32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  char *token;

  randombytes_buf (secret, sizeof secret);
  sodium_bin2base64 (encoded, sizeof encoded, secret, sizeof secret,
                     sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero (secret, sizeof secret);
  token = g_strconcat (BC_SERVER_TOKEN_PREFIX, encoded, NULL);
  sodium_memzero (encoded, sizeof encoded);
  return token;
}

char *
bc_server_token_hash (const char *token)
{
  g_return_val_if_fail (token != NULL, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}
