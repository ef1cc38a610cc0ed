/* bc-i18n.h: translations and the language of form labels.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Binds the message catalogue: $BAOCAO_LOCALEDIR when set (tests), else the
 * installed locale dir, else the build tree's (uninstalled runs). With
 * BAOCAO_LANGUAGE=vi|en set, every message follows it too (LANGUAGE is set,
 * and a C locale becomes C.UTF-8 for messages). Call it from the main
 * thread before any other thread starts; safe to call more than once. */
void        bc_i18n_init     (void);
/* The language of form labels: "vi" when the user's first language is
 * Vietnamese, else "en". BAOCAO_LANGUAGE=vi|en overrides both. */
const char *bc_i18n_language (void);

G_END_DECLS
