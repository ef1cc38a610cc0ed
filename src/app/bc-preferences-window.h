/* bc-preferences-window.h: the provincial server, the user's unit, the language.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bc-sync-controller.h"

G_BEGIN_DECLS

#define BC_TYPE_PREFERENCES_WINDOW (bc_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (BcPreferencesWindow, bc_preferences_window, BC, PREFERENCES_WINDOW, AdwPreferencesWindow)

BcPreferencesWindow *bc_preferences_window_new (GSettings *settings);
/* The sync of the workbook in the window below: the Provincial Server
 * group says what it sends to, and enrols it when it is not set up. */
void                 bc_preferences_window_set_sync_controller (BcPreferencesWindow *self,
                                                                BcSyncController    *controller);

G_END_DECLS
