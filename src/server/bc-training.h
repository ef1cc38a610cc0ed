/* bc-training.h: the training server, in the calling process, for demo workbooks.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Trainers teach the whole sync cycle in a room with no network: a demo
 * workbook syncs only with this server, which runs the real server code
 * (bc-server.c) inside the calling process on 127.0.0.1 (a port the system
 * picks), with its own throwaway store in a temporary folder, seeded with
 * the demo units (UBND-QNG, the province of the demo reports) and a demo
 * account, and a *training reviewer*: the first revision of each report it
 * receives is returned with a comment, any later one is accepted.
 *
 * It is a training server on the wire too: GET /api/v1/info answers
 * "training": true. The sync engine (bc-sync-client.c) refuses a demo
 * workbook with any server that does not say so, and a real workbook with
 * any server that does: neither can reach the other by mistake, whatever
 * address is configured.
 *
 * No GTK. The server answers from the thread-default main context of the
 * thread that started it: that context must be iterated while a client
 * syncs (the sync itself runs in a worker thread). Starting blocks (a
 * store, one Argon2id hash at the first start; `baocao-cli sync` on a demo
 * workbook takes about 0.7 s in all here): a window starts it from a worker
 * thread that has pushed no context of its own, so that the server's
 * sources attach to the global default context its UI thread iterates, and
 * keeps it while the demo workbook is open.
 */
#pragma once

#include <gio/gio.h>

#include "bc-workbook.h"

G_BEGIN_DECLS

#define BC_TRAINING_UNIT      "UBND-QNG"
#define BC_TRAINING_USER      "demo"
#define BC_TRAINING_PASSWORD  "demo"

typedef struct _BcTrainingServer BcTrainingServer;

/* Starts a training server on the store in `directory` (created and seeded
 * when new; NULL: a new temporary folder). */
BcTrainingServer *bc_training_server_start      (const char        *directory,
                                                 GError           **error);
/* For a demo workbook: starts the training server this workbook used
 * before (its folder is remembered in the workbook) or a fresh one, and
 * enrols the workbook with it in-process when needed (server, unit and a
 * token file in the server's folder; no password, no keyring). The
 * workbook's sync settings then point at it: a BcSyncClient made after this
 * call syncs with it. Refuses a workbook that is not a demo. */
BcTrainingServer *bc_training_server_open_for_workbook (BcWorkbook  *workbook,
                                                        GError     **error);
/* "http://127.0.0.1:PORT". */
const char       *bc_training_server_get_url    (BcTrainingServer  *self);
/* The store's folder. */
const char       *bc_training_server_get_directory (BcTrainingServer *self);
/* The token file of the enrolled workbook (open_for_workbook), or NULL. */
const char       *bc_training_server_get_token_file (BcTrainingServer *self);
/* Stops the server; the store's folder stays for the next sync. */
void              bc_training_server_free       (BcTrainingServer  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcTrainingServer, bc_training_server_free)

G_END_DECLS
