/* bc-bundle.h: the bundle file format, sealed and opened (no network).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A bundle carries sync on a USB stick (docs/sync-protocol.md, "Bundles"):
 * an *outbox* bundle holds a unit's push items exactly as a push would send
 * them; a *reply* bundle holds the server's results for them and the unit's
 * feed since the outbox bundle's cursor. Both are one JSON object written as
 * its canonical JSON (bc_wire_canonical_json()) and a newline, with
 *
 * - "checksum": "sha256:" + hex SHA-256 of the canonical JSON of the object
 *   without "checksum" — finds any damaged or cut file;
 * - "signature": null, or { "alg": "hmac-sha256", "value": hex } — an
 *   HMAC-SHA256 of the canonical JSON of the object without "checksum" and
 *   "signature", keyed by the ASCII hex SHA-256 of the device's token
 *   (bc_bundle_key_from_token()): the device knows its token, the server
 *   keeps exactly this hash of it, and no one else has either, so another
 *   unit can neither forge nor alter a signed bundle.
 *
 * Opening checks, in order: size, JSON, that the file is byte for byte the
 * canonical form of what it holds (so no byte can change unnoticed), the
 * checksum, the format and its version. The signature is checked by whoever
 * holds the key (bc_bundle_check_signature()).
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BC_BUNDLE_FORMAT   "baocao-bundle"
#define BC_BUNDLE_VERSION  1
/* The largest bundle read: well above 1,000 quarterly reports. */
#define BC_BUNDLE_MAX_SIZE (64 * 1024 * 1024)

#define BC_BUNDLE_KIND_OUTBOX "outbox"
#define BC_BUNDLE_KIND_REPLY  "reply"

#define BC_BUNDLE_ERROR (bc_bundle_error_quark ())

typedef enum {
  BC_BUNDLE_ERROR_DAMAGED,     /* not a whole bundle: cut, changed bytes, bad checksum */
  BC_BUNDLE_ERROR_VERSION,     /* not a bundle, or a newer format than this Baocao reads */
  BC_BUNDLE_ERROR_SIGNATURE,   /* the signature does not match: altered or forged */
  BC_BUNDLE_ERROR_UNSIGNED,    /* a signature is needed and there is none */
  BC_BUNDLE_ERROR_WRONG_PLACE, /* for another unit, workbook or server, or the wrong kind */
  BC_BUNDLE_ERROR_REFUSED,     /* the server refused the bundle as a whole */
} BcBundleError;

GQuark      bc_bundle_error_quark       (void);

/* The signing key of a device: the hex SHA-256 of its token. */
char       *bc_bundle_key_from_token    (const char   *token);

/* Adds "signature" (HMAC with `key`, or null when `key` is NULL) and
 * "checksum" to `bundle` and returns the file's text (canonical JSON and a
 * newline). */
char       *bc_bundle_seal              (JsonObject   *bundle,
                                         const char   *key);

/* Opens a bundle's bytes: every check above except the signature. Returns
 * the bundle object. */
JsonObject *bc_bundle_open              (const char   *data,
                                         gsize         length,
                                         GError      **error);
/* Reads and opens a bundle file (at most BC_BUNDLE_MAX_SIZE bytes). */
JsonObject *bc_bundle_open_file         (const char   *path,
                                         GError      **error);

/* Whether the bundle carries a signature. */
gboolean    bc_bundle_is_signed         (JsonObject   *bundle);
/* Checks the signature against `key` (constant time): UNSIGNED when there
 * is none, SIGNATURE when it does not match. */
gboolean    bc_bundle_check_signature   (JsonObject   *bundle,
                                         const char   *key,
                                         GError      **error);

/* A string member, or NULL when missing or not a string. */
const char *bc_bundle_get_string        (JsonObject   *bundle,
                                         const char   *member);
/* An integer member, or `fallback`. */
gint64      bc_bundle_get_int           (JsonObject   *bundle,
                                         const char   *member,
                                         gint64        fallback);
/* An array member, or NULL. */
JsonArray  *bc_bundle_get_array         (JsonObject   *bundle,
                                         const char   *member);

/* Writes `text` to `path` atomically (a temporary file renamed over it), so
 * a stick pulled out mid-write leaves no half bundle under the name. */
gboolean    bc_bundle_write_file        (const char   *path,
                                         const char   *text,
                                         GError      **error);

G_END_DECLS
