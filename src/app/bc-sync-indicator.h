/* bc-sync-indicator.h: the header bar's sync status, "Send now", enrolment, bundles.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bc-sync-controller.h"

G_BEGIN_DECLS

#define BC_TYPE_SYNC_INDICATOR (bc_sync_indicator_get_type ())
G_DECLARE_FINAL_TYPE (BcSyncIndicator, bc_sync_indicator, BC, SYNC_INDICATOR, GtkWidget)

/* Placed anywhere inside a BcWindow (bc-window.ui), it follows the window's
 * workbook, owns its BcSyncController and adds the "sync." actions
 * (send-now, cancel, export-bundle, import-bundle) to the window. */
BcSyncController *bc_sync_indicator_get_controller (BcSyncIndicator *self);
/* The short status shown in the header ("3 waiting to send", …). */
const char       *bc_sync_indicator_get_status     (BcSyncIndicator *self);
/* The longer status: the last error in plain words, or what is happening. */
const char       *bc_sync_indicator_get_detail     (BcSyncIndicator *self);

G_END_DECLS
