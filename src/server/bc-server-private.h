/* bc-server-private.h: the server's internals that tests and fuzzers reach.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bc-server.h"
#include "bc-server-templates.h"

G_BEGIN_DECLS

/* The request decoder alone, as the server runs it on a body before its
 * store sees anything: media type, gzip (bounded), size, depth, JSON; for
 * a push also every item's shape, hash and values against `templates`
 * (steps 1 to 3; items must be of unit `unit`). Returns the HTTP status
 * the server would answer with (200 when the body would reach the store). */
guint _bc_server_check_request (BcServerTemplates *templates,
                                gboolean           push,
                                const char        *content_encoding,
                                const char        *unit,
                                const guint8      *data,
                                gsize              length);

/* Steps 1 to 7 of one push item of `unit`, as POST /api/v1/push runs it:
 * its result object, or NULL when the store failed (what was committed
 * stays). The caller flushes with bc_server_store_sync() before it tells
 * anyone. Blocking: a worker thread, or a command. */
JsonObject    *_bc_server_push_one     (BcServer    *self,
                                        const char  *lang,
                                        const char  *unit,
                                        const char  *device_id,
                                        JsonNode    *item_node,
                                        GError     **error);
BcServerStore *_bc_server_get_store    (BcServer    *self);

/* Called (in the worker thread) after a push stored a new revision. */
typedef void (*BcServerPushHook) (BcServer      *server,
                                  BcServerStore *store,
                                  const char    *unit,
                                  const char    *report_id,
                                  gint64         revision,
                                  gpointer       user_data);
/* Makes this a training server: /api/v1/info says "training": true, and
 * `hook` runs after each new revision stored (bc-training.c). */
void           _bc_server_set_training (BcServer         *self,
                                        BcServerPushHook  hook,
                                        gpointer          user_data);

/* POST /api/v1/bundles (bc-server-bundle.c): applies a relayed outbox
 * bundle sent with a token of `relay_unit`; the reply bundle as the
 * answer, or NULL with the HTTP status, error code and message. */
JsonNode      *_bc_server_bundle_relay (BcServer    *self,
                                        const char  *lang,
                                        const char  *relay_unit,
                                        JsonNode    *bundle,
                                        guint       *status,
                                        char       **code,
                                        char       **message);

G_END_DECLS
