/* bc-sync-controller.h: the window's sync — client, scheduler, training server.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "bc-workbook.h"

G_BEGIN_DECLS

#define BC_TYPE_SYNC_CONTROLLER (bc_sync_controller_get_type ())
G_DECLARE_FINAL_TYPE (BcSyncController, bc_sync_controller, BC, SYNC_CONTROLLER, GObject)

/* Signal "changed": anything the indicator shows changed.
 * Signal "synced": a sync or a bundle import changed the workbook. */
BcSyncController *bc_sync_controller_new             (BcWorkbook       *workbook);
BcWorkbook       *bc_sync_controller_get_workbook    (BcSyncController *self);
/* A file for the token instead of the keyring (tests, or no keyring). */
void              bc_sync_controller_set_token_file  (BcSyncController *self,
                                                      const char       *token_file);
gboolean          bc_sync_controller_get_ready       (BcSyncController *self);
gboolean          bc_sync_controller_get_enrolled    (BcSyncController *self);
gboolean          bc_sync_controller_get_demo        (BcSyncController *self);
gboolean          bc_sync_controller_get_running     (BcSyncController *self);
gboolean          bc_sync_controller_get_paused      (BcSyncController *self);
guint             bc_sync_controller_get_items_done  (BcSyncController *self);
guint             bc_sync_controller_get_items_total (BcSyncController *self);
/* µs since the epoch of the last sync that succeeded, 0 if none. */
gint64            bc_sync_controller_get_last_synced (BcSyncController *self);
/* The last failure in plain words with what to do next, or NULL. */
const char       *bc_sync_controller_get_last_error  (BcSyncController *self);
const char       *bc_sync_controller_get_server_name (BcSyncController *self);
/* The address it was enrolled with, or NULL. */
const char       *bc_sync_controller_get_server_url  (BcSyncController *self);
const char       *bc_sync_controller_get_unit_name   (BcSyncController *self);
guint             bc_sync_controller_get_n_synced    (BcSyncController *self);

void              bc_sync_controller_send_now        (BcSyncController *self);
/* Cancels a sync in progress and stops the schedule until "Send now". */
void              bc_sync_controller_cancel          (BcSyncController *self);

void              bc_sync_controller_enrol_async     (BcSyncController    *self,
                                                      const char          *url,
                                                      const char          *user,
                                                      const char          *password,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean          bc_sync_controller_enrol_finish    (BcSyncController    *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

void              bc_sync_controller_export_bundle_async  (BcSyncController    *self,
                                                           const char          *path,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
/* The number of reports written, or -1 with an error. */
int               bc_sync_controller_export_bundle_finish (BcSyncController    *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
void              bc_sync_controller_import_bundle_async  (BcSyncController    *self,
                                                           const char          *path,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean          bc_sync_controller_import_bundle_finish (BcSyncController    *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

/* Fetches the province's copy of a report (to compare after a conflict):
 * the finish gives a BcSyncServerReport* (bc-sync-client.h; free with
 * bc_sync_server_report_free()), or NULL with a sync error. */
void              bc_sync_controller_fetch_report_async  (BcSyncController    *self,
                                                          const char          *report_id,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gpointer          bc_sync_controller_fetch_report_finish (BcSyncController    *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);

/* A sync error in plain words with what to do next. */
char             *bc_sync_controller_describe_error  (const GError     *error);

G_END_DECLS
