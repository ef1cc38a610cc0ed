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

/* The longest chain of computed fields that use one another: the loader
 * refuses longer ones, and evaluation stops at this depth (bc-validate.c). */
#define BC_MAX_COMPUTE_CHAIN 32

/* Returns FALSE when `data` (valid UTF-8) nests arrays and objects more than
 * `max_depth` deep, with the 1-based line and column of the bracket that goes
 * too deep. Strings and comments are skipped the way json-glib skips them. */
gboolean  _bc_json_check_depth        (const char  *data,
                                       gsize        length,
                                       guint        max_depth,
                                       guint       *line,
                                       guint       *column);
/* The byte offset of the first "\u0000" escape in JSON text, or -1.
 * json-glib hands strings out as C strings, so whatever follows a NUL would
 * silently go missing: such text is refused instead. An escaped backslash
 * ("\\u0000") is not a NUL. */
gssize    _bc_json_find_nul_escape    (const char  *data,
                                       gsize        length);
/* The 1-based line and column (in characters) of byte `offset`. */
void      _bc_text_position           (const char  *data,
                                       gsize        offset,
                                       guint       *line,
                                       guint       *column);
typedef enum {
  BC_DATE_PROBLEM_NONE,
  BC_DATE_PROBLEM_MALFORMED,     /* not written as a date at all */
  BC_DATE_PROBLEM_NONEXISTENT,   /* well formed but not on the calendar: 31/2/2018 */
  BC_DATE_PROBLEM_OUT_OF_RANGE,  /* a year before 1900 (years have four digits) */
} BcDateProblem;

/* Parses a date as docs/templates.md documents it: "2018-06-21" (also
 * "2018-6-21"), "21/6/2018", "21/06/2018" or "21-6-2018". Returns TRUE and
 * sets `out` only for a date on the calendar in the years 1900–9999, the
 * only dates Baocao stores; otherwise `problem` (may be NULL) says why. The
 * one date reader of the core: bc-field.c uses it for input and stored
 * values, and expressions' date("…") literals should too. */
gboolean  _bc_parse_date              (const char    *text,
                                       GDate         *out,
                                       BcDateProblem *problem);

/* Writes `value` as canonical number text: "1200", "-12.5", "0.1", never
 * "-0", a dot as the decimal mark whatever the locale, at most 15
 * significant digits (the digits a double holds exactly), whole numbers
 * below 10^15 in full. Larger magnitudes, which no field accepts, and
 * non-finite values use the C "%g" forms ("1e+20", "inf"). `size` must be
 * at least G_ASCII_DTOSTR_BUF_SIZE. Returns `buffer`. */
char     *_bc_format_number           (double         value,
                                       char          *buffer,
                                       gsize          size);

/* The JSON reading every data file of the template folders shares
 * (templates and plans): at most 8 MiB, UTF-8, no "\u0000", nested at
 * most BC_JSON_MAX_DEPTH, no key twice in an object; errors are
 * BC_TEMPLATE_ERROR_INVALID and name `filename` with line:column. */
JsonNode *_bc_json_parse_file_data    (const char    *data,
                                       gsize          length,
                                       const char    *filename,
                                       GError       **error);
GBytes   *_bc_json_read_file          (GFile         *file,
                                       const char    *name,
                                       GError       **error);
/* Every key and string of `root` is valid UTF-8 (a lone "\ud800" is not). */
gboolean  _bc_json_check_strings      (JsonNode      *root,
                                       const char    *filename,
                                       GError       **error);
/* A unit as applies/units compare it: NFC, without white space around. */
char     *_bc_normalize_issuer        (const char    *unit);

G_END_DECLS
