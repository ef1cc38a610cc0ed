/* bc-json-reader.h: reading the checked JSON files of the core (templates,
 * plans): members by key, with errors that name the file and the path.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Private to libbaocao-core. Each getter returns FALSE with the error set
 * ("FILE: PATH: message", in the user's language) so that a loader reads
 * `if (!_bc_json_get_string (…)) return FALSE;`. A JSON null counts as absent.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "bc-template.h"

G_BEGIN_DECLS

typedef struct {
  const char  *filename;
  GError     **error;   /* BC_TEMPLATE_ERROR_INVALID */
} BcJsonReader;

gboolean   _bc_json_fail            (BcJsonReader       *reader,
                                     const char         *path,
                                     const char         *format,
                                     ...) G_GNUC_PRINTF (3, 4);
/* "path.key", or "key" at the top. */
char      *_bc_json_child_path      (const char         *path,
                                     const char         *key);
/* The member, or NULL when absent or null. */
JsonNode  *_bc_json_member          (JsonObject         *object,
                                     const char         *key);
gboolean   _bc_json_is_string       (JsonNode           *node);
gboolean   _bc_json_is_number       (JsonNode           *node);
gboolean   _bc_json_missing         (BcJsonReader       *reader,
                                     const char         *path,
                                     const char         *key);
/* Refuses a key of `object` not in `allowed` (NULL-terminated). */
gboolean   _bc_json_check_keys      (BcJsonReader       *reader,
                                     JsonObject         *object,
                                     const char         *path,
                                     const char * const *allowed);
gboolean   _bc_json_get_object_node (BcJsonReader       *reader,
                                     JsonNode           *node,
                                     const char         *path,
                                     JsonObject        **out);
/* `*out` NULL when absent and not required. */
gboolean   _bc_json_get_object      (BcJsonReader       *reader,
                                     JsonObject         *object,
                                     const char         *path,
                                     const char         *key,
                                     gboolean            required,
                                     JsonObject        **out);
/* Replaces `*out` when present. */
gboolean   _bc_json_get_string      (BcJsonReader       *reader,
                                     JsonObject         *object,
                                     const char         *path,
                                     const char         *key,
                                     gboolean            required,
                                     char              **out);
/* A whole number within [min, max]; `present` (may be NULL) says whether
 * it was there. */
gboolean   _bc_json_get_integer     (BcJsonReader       *reader,
                                     JsonObject         *object,
                                     const char         *path,
                                     const char         *key,
                                     gboolean            required,
                                     gint64              min,
                                     gint64              max,
                                     gint64             *out,
                                     gboolean           *present);
/* A finite number below 10^15 in magnitude. */
gboolean   _bc_json_get_number      (BcJsonReader       *reader,
                                     JsonObject         *object,
                                     const char         *path,
                                     const char         *key,
                                     gboolean            required,
                                     double             *out,
                                     gboolean           *present);
gboolean   _bc_json_get_boolean     (BcJsonReader       *reader,
                                     JsonObject         *object,
                                     const char         *path,
                                     const char         *key,
                                     gboolean           *out);
gboolean   _bc_json_get_array       (BcJsonReader       *reader,
                                     JsonObject         *object,
                                     const char         *path,
                                     const char         *key,
                                     gboolean            required,
                                     JsonArray         **out);
/* A text is { "vi": …, "en": … }, or a plain string used for both; a
 * required one must not be blank. Replaces `*out` when present. */
gboolean   _bc_json_get_text        (BcJsonReader       *reader,
                                     JsonObject         *object,
                                     const char         *path,
                                     const char         *key,
                                     gboolean            required,
                                     BcText             *out);
/* Frees both languages of `text`, leaving it empty. */
void       _bc_text_clear           (BcText             *text);

G_END_DECLS
