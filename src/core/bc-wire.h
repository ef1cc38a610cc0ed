/* bc-wire.h: the pieces of the sync protocol both sides share.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/sync-protocol.md is the contract; this is its code: a report's
 * content as sent, the canonical JSON its hash is taken over, and parsing a
 * body with its depth checked before json-glib sees it.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "bc-report.h"
#include "bc-template.h"

G_BEGIN_DECLS

#define BC_WIRE_PROTOCOL_VERSION   1
#define BC_WIRE_MAX_DEPTH          32
#define BC_WIRE_MAX_BODY           (8 * 1024 * 1024)
#define BC_WIRE_MAX_INFLATED_BODY  (32 * 1024 * 1024)
#define BC_WIRE_MAX_PUSH_ITEMS     100

#define BC_WIRE_ERROR (bc_wire_error_quark ())

typedef enum {
  BC_WIRE_ERROR_NOT_JSON,     /* not UTF-8, a NUL byte, or not JSON */
  BC_WIRE_ERROR_TOO_DEEP,     /* nested deeper than allowed */
  BC_WIRE_ERROR_TOO_LARGE,
  BC_WIRE_ERROR_BAD_SHAPE,    /* JSON, but not the shape the protocol gives */
} BcWireError;

GQuark    bc_wire_error_quark       (void);

/* The report's own content (docs/sync-protocol.md, "push"): id, template,
 * template_version, period, unit, values, tables (rows with row_id) and
 * justifications; nothing derived. */
JsonNode *bc_wire_report_content    (BcTemplate  *template_,
                                     BcReport    *report);

/* The canonical JSON text of a node: members sorted bytewise by key, no
 * white space, minimal escapes. Floating-point numbers are written with
 * %.17g, but content never holds any. */
char     *bc_wire_canonical_json    (JsonNode    *node);

/* "sha256:" and the lowercase hex SHA-256 of the canonical JSON. */
char     *bc_wire_content_hash      (JsonNode    *content);

/* Scans `data` (not parsed) and fails with BC_WIRE_ERROR_TOO_DEEP when its
 * arrays and objects nest deeper than `max_depth`. Cheap: one pass over the
 * bytes, minding strings and escapes. */
gboolean  bc_wire_check_depth       (const char  *data,
                                     gsize        length,
                                     guint        max_depth,
                                     GError     **error);

/* Checks length, UTF-8, NUL bytes and depth, then parses. Duplicate keys in
 * an object are refused (json-glib would silently keep the last). */
JsonNode *bc_wire_parse             (const char  *data,
                                     gsize        length,
                                     gsize        max_length,
                                     guint        max_depth,
                                     GError     **error);

/* RFC 3339 UTC with seconds from µs since the epoch, and back (-1 on error). */
char     *bc_wire_format_time       (gint64       usec);
gint64    bc_wire_parse_time        (const char  *text);

G_END_DECLS
