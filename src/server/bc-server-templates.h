/* bc-server-templates.h: the template versions a server knows, shipped and published.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A server knows the templates installed with it and every version an
 * administrator published into its store (`templates publish`), including
 * those published by another process while it serves. Thread-safe.
 */
#pragma once

#include "bc-server-store.h"
#include "bc-template.h"

G_BEGIN_DECLS

typedef struct _BcServerTemplates BcServerTemplates;

/* `shipped` may be NULL (only published versions). Borrows `store`, which
 * may be NULL (only shipped versions: the fuzzer). */
BcServerTemplates *bc_server_templates_new    (BcServerStore      *store,
                                               BcTemplateRegistry *shipped);
void               bc_server_templates_free   (BcServerTemplates  *self);
/* A new reference, or NULL with BC_TEMPLATE_ERROR_NOT_FOUND. */
BcTemplate        *bc_server_templates_lookup (BcServerTemplates  *self,
                                               const char         *template_id,
                                               gint64              version,
                                               GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcServerTemplates, bc_server_templates_free)

G_END_DECLS
