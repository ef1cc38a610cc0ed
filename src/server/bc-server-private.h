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

G_END_DECLS
