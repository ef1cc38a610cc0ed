/* bc-bundle.c: the bundle file format, sealed and opened (no network).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-bundle"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "bc-bundle.h"
#include "bc-wire.h"

G_DEFINE_QUARK (bc-bundle-error-quark, bc_bundle_error)

char *
bc_bundle_key_from_token (const char *token)
{
  g_return_val_if_fail (token != NULL, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}

/* The canonical JSON of `bundle` without the members named (NULL-ended). */
static char *
canonical_without (JsonObject *bundle,
                   const char *first,
                   ...)
{
  g_autoptr(JsonObject) copy = json_object_new ();
  g_autoptr(GList) members = json_object_get_members (bundle);
  g_autoptr(JsonNode) node = NULL;

  for (GList *l = members; l != NULL; l = l->next)
    {
      gboolean skip = FALSE;
      va_list args;

      va_start (args, first);
      for (const char *name = first; name != NULL; name = va_arg (args, const char *))
        skip |= g_str_equal (name, l->data);
      va_end (args);
      if (!skip)
        json_object_set_member (copy, l->data,
                                json_node_ref (json_object_get_member (bundle, l->data)));
    }
  node = json_node_init_object (json_node_alloc (), copy);
  return bc_wire_canonical_json (node);
}

static char *
signature_of (JsonObject *bundle,
              const char *key)
{
  g_autofree char *text = canonical_without (bundle, "checksum", "signature", NULL);

  return g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *) key, strlen (key),
                                    text, -1);
}

static char *
checksum_of (JsonObject *bundle)
{
  g_autofree char *text = canonical_without (bundle, "checksum", NULL);
  g_autofree char *hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);

  return g_strconcat ("sha256:", hex, NULL);
}

char *
bc_bundle_seal (JsonObject *bundle,
                const char *key)
{
  g_autofree char *checksum = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (bundle != NULL, NULL);

  json_object_remove_member (bundle, "checksum");
  if (key != NULL)
    {
      g_autofree char *value = signature_of (bundle, key);
      JsonObject *signature = json_object_new ();

      json_object_set_string_member (signature, "alg", "hmac-sha256");
      json_object_set_string_member (signature, "value", value);
      json_object_set_object_member (bundle, "signature", signature);
    }
  else
    json_object_set_null_member (bundle, "signature");

  checksum = checksum_of (bundle);
  json_object_set_string_member (bundle, "checksum", checksum);

  node = json_node_init_object (json_node_alloc (), json_object_ref (bundle));
  text = bc_wire_canonical_json (node);
  return g_strconcat (text, "\n", NULL);
}

static void
set_damaged (GError **error)
{
  g_set_error (error, BC_BUNDLE_ERROR, BC_BUNDLE_ERROR_DAMAGED,
               _("The bundle file is damaged or incomplete (it was changed or cut short on its "
                 "way). Nothing was imported. Export the bundle again and copy it anew."));
}

JsonObject *
bc_bundle_open (const char  *data,
                gsize        length,
                GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *checksum = NULL;
  JsonObject *bundle;
  JsonNode *version;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length > BC_BUNDLE_MAX_SIZE)
    {
      g_set_error (error, BC_BUNDLE_ERROR, BC_BUNDLE_ERROR_DAMAGED,
                   _("The file is larger than any bundle Baocao writes. It is not a bundle, "
                     "or it is damaged."));
      return NULL;
    }
  if (length == 0 || data[length - 1] != '\n')
    {
      set_damaged (error);
      return NULL;
    }

  root = bc_wire_parse (data, length - 1, BC_BUNDLE_MAX_SIZE, BC_WIRE_MAX_DEPTH, &local_error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      set_damaged (error);
      return NULL;
    }

  /* Byte for byte what sealing writes: no change hides in white space, an
   * escape or a member order. */
  canonical = bc_wire_canonical_json (root);
  bundle = json_node_get_object (root);
  if (strlen (canonical) != length - 1 || memcmp (canonical, data, length - 1) != 0)
    {
      set_damaged (error);
      return NULL;
    }

  checksum = checksum_of (bundle);
  if (g_strcmp0 (bc_bundle_get_string (bundle, "checksum"), checksum) != 0)
    {
      set_damaged (error);
      return NULL;
    }

  version = json_object_get_member (bundle, "version");
  if (g_strcmp0 (bc_bundle_get_string (bundle, "format"), BC_BUNDLE_FORMAT) != 0
      || version == NULL || !JSON_NODE_HOLDS_VALUE (version)
      || json_node_get_value_type (version) != G_TYPE_INT64)
    {
      g_set_error (error, BC_BUNDLE_ERROR, BC_BUNDLE_ERROR_VERSION,
                   _("This file is not a Baocao bundle."));
      return NULL;
    }
  if (json_node_get_int (version) != BC_BUNDLE_VERSION)
    {
      g_set_error (error, BC_BUNDLE_ERROR, BC_BUNDLE_ERROR_VERSION,
                   _("This bundle was written by a newer Baocao (bundle format %d). Update "
                     "Baocao, then import it again."),
                   (int) CLAMP (json_node_get_int (version), G_MININT, G_MAXINT));
      return NULL;
    }

  return json_object_ref (bundle);
}

JsonObject *
bc_bundle_open_file (const char  *path,
                     GError     **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) input = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize length;
  const char *data;

  g_return_val_if_fail (path != NULL, NULL);

  file = g_file_new_for_path (path);
  input = g_file_read (file, NULL, error);
  if (input == NULL)
    return NULL;
  /* One byte past the limit tells a too-large file from one at the limit. */
  bytes = g_input_stream_read_bytes (G_INPUT_STREAM (input), BC_BUNDLE_MAX_SIZE + 1, NULL, error);
  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &length);

  return bc_bundle_open (data != NULL ? data : "", length, error);
}

gboolean
bc_bundle_is_signed (JsonObject *bundle)
{
  JsonNode *signature;

  g_return_val_if_fail (bundle != NULL, FALSE);

  signature = json_object_get_member (bundle, "signature");
  return signature != NULL && JSON_NODE_HOLDS_OBJECT (signature);
}

gboolean
bc_bundle_check_signature (JsonObject  *bundle,
                           const char  *key,
                           GError     **error)
{
  g_autofree char *expected = NULL;
  JsonObject *signature;
  const char *value;
  guint8 difference = 0;

  g_return_val_if_fail (bundle != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (!bc_bundle_is_signed (bundle))
    {
      g_set_error (error, BC_BUNDLE_ERROR, BC_BUNDLE_ERROR_UNSIGNED,
                   _("The bundle is not signed by an enrolled device, so its origin cannot be "
                     "checked. Enrol the unit's computer, export the bundle again, or have the "
                     "server's administrator import it."));
      return FALSE;
    }

  signature = json_object_get_object_member (bundle, "signature");
  value = bc_bundle_get_string (signature, "value");
  expected = signature_of (bundle, key);
  if (value == NULL || g_strcmp0 (bc_bundle_get_string (signature, "alg"), "hmac-sha256") != 0
      || strlen (value) != strlen (expected))
    difference = 1;
  else
    for (gsize i = 0; expected[i] != '\0'; i++)
      difference |= (guint8) (expected[i] ^ value[i]);

  if (difference != 0)
    {
      g_set_error (error, BC_BUNDLE_ERROR, BC_BUNDLE_ERROR_SIGNATURE,
                   _("The bundle's signature does not match its unit's device: it was altered, "
                     "or it was not made by that unit. Nothing was imported."));
      return FALSE;
    }
  return TRUE;
}

const char *
bc_bundle_get_string (JsonObject *bundle,
                      const char *member)
{
  JsonNode *node;

  g_return_val_if_fail (bundle != NULL, NULL);

  node = json_object_get_member (bundle, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gint64
bc_bundle_get_int (JsonObject *bundle,
                   const char *member,
                   gint64      fallback)
{
  JsonNode *node;

  g_return_val_if_fail (bundle != NULL, fallback);

  node = json_object_get_member (bundle, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return fallback;
  return json_node_get_int (node);
}

JsonArray *
bc_bundle_get_array (JsonObject *bundle,
                     const char *member)
{
  JsonNode *node;

  g_return_val_if_fail (bundle != NULL, NULL);

  node = json_object_get_member (bundle, member);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  return json_node_get_array (node);
}

gboolean
bc_bundle_write_file (const char  *path,
                      const char  *text,
                      GError     **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  return g_file_set_contents_full (path, text, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0644, error);
}
