/* bc-template-private.h: helpers shared by the template, registry and field units.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "bc-template.h"

G_BEGIN_DECLS

/* json-glib parses recursively and overflows the stack on deeply nested
 * input, so every text handed to it is measured first. */
#define BC_JSON_MAX_DEPTH 64

/* Returns FALSE when `data` (valid UTF-8) nests arrays and objects more than
 * `max_depth` deep, with the 1-based line and column of the bracket that goes
 * too deep. Strings and comments are skipped the way json-glib skips them. */
gboolean  _bc_json_check_depth        (const char  *data,
                                       gsize        length,
                                       guint        max_depth,
                                       guint       *line,
                                       guint       *column);
/* The 1-based line and column (in characters) of byte `offset`. */
void      _bc_text_position           (const char  *data,
                                       gsize        offset,
                                       guint       *line,
                                       guint       *column);
/* Parses "2018-06-21", "21/6/2018", "21/06/2018" or "21-6-2018".
 * Returns FALSE for text that is not a date; sets *exists to FALSE (and
 * returns TRUE) for a well-formed date that is not on the calendar, such as
 * 31/2/2018. */
gboolean  _bc_date_parse              (const char  *text,
                                       GDate       *date,
                                       gboolean    *exists);

G_END_DECLS
