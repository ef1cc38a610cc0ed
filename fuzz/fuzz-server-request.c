/* fuzz-server-request.c: libFuzzer entry point for the server's request decoder.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte picks what the rest is: bit 0 a push (else an enrolment),
 * bit 1 a body sent with Content-Encoding: gzip as it is, bit 2 a body the
 * fuzzer gzips first (so the decoder behind gzip is reached too). The rest
 * runs through what the server does to a body before its store sees it:
 * media type, bounded gunzip, depth scan, JSON parse, and for a push every
 * item's shape, content hash, unit and values against the shipped templates.
 * Any crash, sanitizer report, critical warning or unexpected status is a bug.
 */
#define G_LOG_DOMAIN "fuzz-server-request"

#include "config.h"

#include <stdint.h>

#include <gio/gio.h>

#include "bc-server-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static BcServerTemplates *
templates (void)
{
  static BcServerTemplates *shared = NULL;

  if (shared == NULL)
    {
      g_autoptr(BcTemplateRegistry) registry = bc_template_registry_new_default (NULL);

      shared = bc_server_templates_new (NULL, registry);
    }
  return shared;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) packed = NULL;
  const guint8 *body;
  gsize length;
  guint mode;
  guint status;

  if (size == 0)
    return 0;
  mode = data[0];
  body = data + 1;
  length = size - 1;

  if (mode & 4)
    {
      g_autoptr(GZlibCompressor) gzip = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 1);
      g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
      g_autoptr(GOutputStream) out = g_converter_output_stream_new (memory, G_CONVERTER (gzip));

      g_output_stream_write_all (out, body, length, NULL, NULL, NULL);
      g_output_stream_close (out, NULL, NULL);
      packed = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
      body = g_bytes_get_data (packed, &length);
    }

  status = _bc_server_check_request (templates (), mode & 1,
                                     (mode & 6) != 0 ? "gzip" : NULL,
                                     "QNG-SONTINH", body, length);
  g_assert (status == 200 || status == 400 || status == 413 || status == 415);
  return 0;
}
