/* fuzz-sync-response.c: libFuzzer entry point for the client's response decoder.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte picks the answer being decoded (info, enrol, push results
 * of a three-item batch, a changes page, an error body); the rest is the
 * body as a server might send it. Any crash, sanitizer report, critical
 * warning, or a decoded value that breaks the decoder's promises is a bug.
 */
#define G_LOG_DOMAIN "fuzz-sync-response"

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "bc-sync-decode.h"
#include "bc-sync-error.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static const char * const report_ids[] = {
  "5d0c7f0e-8a47-4b0e-9a4b-0d6f2c6f1a11",
  "9a1c7f0e-1111-4b0e-9a4b-0d6f2c6f1a11",
  "0b7c8a44-2f7e-4f51-8e0c-3f1a4d5e6b7c",
};
static const gint64 revisions[] = { 7, 1, 3 };

static void
check_error (GError *error)
{
  g_assert (error != NULL);
  g_assert (error->domain == BC_SYNC_ERROR);
  g_assert (error->code == BC_SYNC_ERROR_PROTOCOL);
  g_assert (g_utf8_validate (error->message, -1, NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  const char *body;
  gsize length;

  if (size < 1)
    return 0;
  body = (const char *) data + 1;
  length = size - 1;

  switch (data[0] % 5)
    {
    case 0:
      {
        g_autoptr(BcSyncInfo) info = bc_sync_decode_info (body, length, &error);

        if (info == NULL)
          check_error (error);
        else
          g_assert (info->server_id != NULL && info->protocol_min <= info->protocol_max);
      }
      break;

    case 1:
      {
        g_autoptr(BcSyncEnrolment) enrolment = bc_sync_decode_enrolment (body, length, &error);

        if (enrolment == NULL)
          check_error (error);
        else
          {
            g_assert (enrolment->token != NULL && *enrolment->token != '\0');
            for (const char *p = enrolment->token; *p != '\0'; p++)
              g_assert (*p > ' ' && *p <= '~');
            g_assert (enrolment->unit_code != NULL && enrolment->server_id != NULL);
          }
      }
      break;

    case 2:
      {
        g_autoptr(GPtrArray) results = bc_sync_decode_push (body, length, report_ids, revisions,
                                                            G_N_ELEMENTS (report_ids), &error);

        if (results == NULL)
          check_error (error);
        else
          {
            g_assert (results->len == G_N_ELEMENTS (report_ids));
            for (guint i = 0; i < results->len; i++)
              {
                BcSyncPushResult *result = g_ptr_array_index (results, i);

                g_assert (g_str_equal (result->report_id, report_ids[i]));
                g_assert (result->revision == revisions[i]);
                if (result->result == BC_SYNC_RESULT_REFUSED)
                  g_assert (result->error_code != NULL);
                else
                  g_assert (result->receipt_number != NULL && result->received_at >= 0);
              }
          }
      }
      break;

    case 3:
      {
        g_autoptr(BcSyncChanges) changes = bc_sync_decode_changes (body, length, 40, &error);

        if (changes == NULL)
          check_error (error);
        else
          {
            g_assert (changes->cursor >= 40);
            for (guint i = 0; i < json_array_get_length (changes->changes); i++)
              g_assert (JSON_NODE_HOLDS_OBJECT (json_array_get_element (changes->changes, i)));
          }
      }
      break;

    default:
      {
        g_autofree char *code = NULL;
        g_autofree char *message = NULL;
        gint64 protocol_min, protocol_max;

        if (bc_sync_decode_error (body, length, &code, &message, &protocol_min, &protocol_max))
          g_assert (code != NULL);
        else
          g_assert (code == NULL && message == NULL);
      }
      break;
    }

  return 0;
}
