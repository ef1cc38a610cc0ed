/* bc-application.h: the Baocao application: windows, app actions, settings.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bc-template.h"

G_BEGIN_DECLS

#define BC_TYPE_APPLICATION (bc_application_get_type ())
G_DECLARE_FINAL_TYPE (BcApplication, bc_application, BC, APPLICATION, AdwApplication)

BcApplication      *bc_application_new                  (void);
GSettings          *bc_application_get_settings         (BcApplication       *self);
/* The shipped templates, loaded once off the UI thread and shared by
 * every window. */
void                bc_application_load_templates_async (BcApplication       *self,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
BcTemplateRegistry *bc_application_load_templates_finish (BcApplication      *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);
/* Puts the language chosen in Preferences into BAOCAO_LANGUAGE and
 * LANGUAGE, unless BAOCAO_LANGUAGE is already set. Call before setlocale(). */
void                bc_application_apply_language_override (void);

G_END_DECLS
