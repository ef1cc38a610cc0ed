/* fuzz-bundle.c: libFuzzer entry point for opening a bundle file.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A bundle comes from a USB stick: any bytes at all. Opening must either
 * refuse them with a BC_BUNDLE_ERROR whose message is UTF-8, or return an
 * object that seals back to exactly the same bytes (what was opened is what
 * was checked). A signature check on what opened must not crash either.
 */
#define G_LOG_DOMAIN "fuzz-bundle"

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "bc-bundle.h"
#include "bc-wire.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) bundle = bc_bundle_open ((const char *) data, size, &error);

  if (bundle == NULL)
    {
      g_assert (error != NULL);
      g_assert (error->domain == BC_BUNDLE_ERROR);
      g_assert (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }

  g_assert (error == NULL);
  {
    g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), json_object_ref (bundle));
    g_autofree char *text = bc_wire_canonical_json (node);

    g_assert (strlen (text) + 1 == size);
    g_assert (memcmp (text, data, size - 1) == 0);
  }
  if (!bc_bundle_check_signature (bundle, "0000", &error))
    g_assert (error != NULL && error->domain == BC_BUNDLE_ERROR);
  bc_bundle_get_string (bundle, "unit");
  bc_bundle_get_int (bundle, "cursor", -1);
  bc_bundle_get_array (bundle, "items");
  return 0;
}
