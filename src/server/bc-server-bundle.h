/* bc-server-bundle.h: outbox bundles applied on the server, reply bundles made.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A bundle (bc-bundle.h, docs/sync-protocol.md "Bundles") reaches the
 * server two ways: `baocao-server import-bundle FILE` on the server's own
 * machine, or POST /api/v1/bundles from a connected client that relays it.
 * Either way each item is applied exactly as a push of the bundle's unit
 * (the same checks, the same replay by report, revision and hash: a bundle
 * delivered twice, or items already sent over the network, are replays),
 * and the answer is a reply bundle: one result per item and the unit's feed
 * since the bundle's cursor.
 *
 * Who may deliver:
 * - the administrator (import-bundle): a bundle for this server whose
 *   unit exists, signed by an active device of that unit; an unsigned one
 *   (made where the device had no token) only when the administrator says
 *   so (`--trust-unsigned`), and never one that names a device but carries
 *   no signature (a signature stripped on the way);
 * - a relaying client: only signed bundles of an active device of the
 *   relaying token's own unit or of a unit below it in the hierarchy;
 *   anything else answers 404 not_found, as another unit's report would.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "bc-server.h"

G_BEGIN_DECLS

/* Applies the outbox bundle `bundle` (already opened by bc_bundle_open(),
 * checksum checked). `relay_unit`: the relaying token's unit, or NULL for
 * the administrator. `trust_unsigned`: the administrator takes an unsigned
 * bundle on their word (ignored for a relay). Returns the reply bundle's text (sealed with the
 * bundle's device key when the bundle was signed), or NULL with a
 * BC_BUNDLE_ERROR (nothing applied; BC_BUNDLE_ERROR_REFUSED: not the
 * relay's to deliver, which the endpoint answers as 404 not_found) or a store error (items before the
 * failure stay applied; delivering the bundle again replays them).
 * `n_items`, `n_new`: items, and those not replays. Blocking. */
char *bc_server_bundle_apply (BcServer    *server,
                              const char  *lang,
                              JsonObject  *bundle,
                              const char  *relay_unit,
                              gboolean     trust_unsigned,
                              guint       *n_items,
                              guint       *n_new,
                              GError     **error);

G_END_DECLS
