/* bc-server-i18n.h: the server's messages in the language each request asks for.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One process answers clients in Vietnamese and in English at the same time,
 * so the process locale cannot choose: the Vietnamese catalogue is read once
 * into a table, and each message is looked up for the request's language.
 * Messages are marked N_() in the sources, so po/vi.po holds them as usual.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "vi" or "en" from an Accept-Language header (NULL: "vi"). */
const char *bc_server_language_from_header (const char *accept_language);
/* `msgid` in `lang`: the Vietnamese of the catalogue, or `msgid` itself. */
const char *bc_server_translate            (const char *lang,
                                            const char *msgid) G_GNUC_FORMAT (2);

G_END_DECLS
