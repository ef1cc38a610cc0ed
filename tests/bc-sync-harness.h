/* bc-sync-harness.h: a real baocao-server process, workbooks with reports to send, and a sync run to its end.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the sync tests and benchmarks share: starting, killing and
 * restarting `baocao-server serve` on a data folder of its own (the binary
 * named by $BAOCAO_SERVER), its admin commands, certificates made with the
 * `openssl` command, and client workbooks filled with valid quarterly
 * reports (the demo Quảng Ngãi report under new ids and periods).
 */
#pragma once

#include <gio/gio.h>

#include "bc-server-store.h"
#include "bc-sync-client.h"
#include "bc-workbook.h"

G_BEGIN_DECLS

/* The unit every harness account reports for (the demo data's). */
#define BC_HARNESS_UNIT       "UBND-QNG"
#define BC_HARNESS_OTHER_UNIT "UBND-SONTINH"
#define BC_HARNESS_PASSWORD   "mat-khau-thu-nghiem"

typedef struct _BcTestServer BcTestServer;

/* Everywhere here, `data_dir` may instead be a PostgreSQL store's libpq
 * URI ("postgresql://…"): the server and its commands then get --store.
 *
 * Makes `data_dir` a server's data: the unit list (a province, BC_HARNESS_UNIT
 * and BC_HARNESS_OTHER_UNIT under it) and one account per unit, "user-0"
 * for BC_HARNESS_UNIT, "user-1" for the other, password BC_HARNESS_PASSWORD. */
void           bc_test_server_prepare      (const char    *data_dir);
/* Runs an admin command of baocao-server on `data_dir` (NULL-terminated
 * arguments after the command's words), asserts exit 0, returns stdout. */
char          *bc_test_server_admin        (const char    *data_dir,
                                            const char    *first_arg,
                                            ...) G_GNUC_NULL_TERMINATED;

/* Starts `baocao-server serve` on 127.0.0.1 (port 0: any), with no rate
 * limit, and waits until it listens. `cert`/`key` NULL: plain HTTP. */
BcTestServer  *bc_test_server_start        (const char    *data_dir,
                                            guint16        port,
                                            const char    *cert,
                                            const char    *key);
guint16        bc_test_server_get_port     (BcTestServer  *server);
const char    *bc_test_server_get_url      (BcTestServer  *server);
/* SIGKILL, waited for. */
void           bc_test_server_kill         (BcTestServer  *server);
/* Starts it again on the same port (after a kill). */
void           bc_test_server_restart      (BcTestServer  *server);
/* SIGTERM, waited for, freed. */
void           bc_test_server_free         (BcTestServer  *server);

/* In `dir`: a CA (ca.pem), a certificate it signed for 127.0.0.1 and
 * localhost (good.pem/good.key), one it signed for another host only
 * (wronghost.pem/.key), and a self-signed one for 127.0.0.1
 * (self.pem/.key). FALSE (test skipped) when there is no openssl. */
gboolean       bc_test_make_certificates   (const char    *dir);

/* A user workbook at dir/name. */
BcWorkbook    *bc_test_workbook_new        (const char    *dir,
                                            const char    *name);
/* A valid quarterly report of BC_HARNESS_UNIT (unless `unit`) for `period`
 * (e.g. "2011Q3"), made ready and queued; returns its id. */
char          *bc_test_queue_new_report    (BcWorkbook    *workbook,
                                            const char    *period,
                                            const char    *unit);
/* A draft of the same (not queued). */
char          *bc_test_new_draft           (BcWorkbook    *workbook,
                                            const char    *period,
                                            const char    *unit);
/* `n` valid quarterly reports of BC_HARNESS_UNIT for the periods of
 * indexes first … first + n - 1 (every other quarter from 2000Q1, so that
 * no report has a previous one), imported ready in one go and queued; their
 * ids (char*). Fast enough for a thousand. */
GPtrArray     *bc_test_queue_many          (BcWorkbook    *workbook,
                                            guint          first,
                                            guint          n);
/* The period of index i, as bc_test_queue_many() numbers them. */
char          *bc_test_period              (guint          index);
/* Changes a value of a draft or returned report (returned goes to draft
 * first), marks it ready and queues it again. */
void           bc_test_edit_and_queue      (BcWorkbook    *workbook,
                                            const char    *report_id,
                                            const char    *value);
void           bc_test_ready_and_queue     (BcWorkbook    *workbook,
                                            const char    *report_id);

/* A client of `workbook` keeping its token in dir/token. */
BcSyncClient  *bc_test_client_new          (BcWorkbook    *workbook,
                                            const char    *dir);
/* Enrols and syncs, iterating a main context of their own until done. */
gboolean       bc_test_client_enrol        (BcSyncClient  *client,
                                            const char    *url,
                                            const char    *user,
                                            GError       **error);
BcSyncSummary *bc_test_client_sync         (BcSyncClient  *client,
                                            GError       **error);

/* Checks: what workbooks queued against what the server holds. */

/* One revision a workbook queued. */
typedef struct {
  gint64  revision;
  char   *hash;
} BcTestQueued;

/* What a workbook queued of one report, in order. */
typedef struct {
  char     *id;
  GArray   *queued;     /* BcTestQueued */
  guint     edits;
  gboolean  returned;   /* the province returned it; not sent again since */
} BcTestTracked;

/* Faults found: each must end at 0. */
typedef struct {
  guint duplicates;   /* revisions, receipts or feed entries beyond one */
  guint losses;       /* queued revisions the server lacks, or a workbook forgot */
  guint wrong;        /* receipts or content that differ */
  guint conflicts;
} BcTestTally;

BcTestTracked *bc_test_tracked_new             (const char          *report_id);
void           bc_test_tracked_free            (BcTestTracked       *tracked);
/* Notes a revision queued (and that the report is no longer returned). */
void           bc_test_tracked_add             (BcTestTracked       *tracked,
                                                gint64               revision,
                                                const char          *hash);
const BcTestQueued *bc_test_tracked_last       (const BcTestTracked *tracked);

/* Notes, for each of the `n` reports, the revision the workbook's outbox
 * holds as queued (it must hold one). */
void           bc_test_note_queued             (BcWorkbook          *workbook,
                                                BcTestTracked * const *tracked,
                                                guint                n);
/* Between syncs: the last queued revision of each of `reports`
 * (BcTestTracked*) is acknowledged, or still in the workbook's outbox as
 * queued (a cut must not make a workbook forget one). `who` names the
 * workbook in messages. */
void           bc_test_check_nothing_forgotten (BcWorkbook          *workbook,
                                                GPtrArray           *reports,
                                                const char          *who,
                                                BcTestTally         *tally);
/* The receipts in `unit`'s feed: "report_id@revision" → how many times
 * (GUINT_TO_POINTER). A receipt number given twice is a duplicate. */
GHashTable    *bc_test_feed_receipts           (BcServerStore       *store,
                                                const char          *unit,
                                                BcTestTally         *tally);
/* After convergence, one report: each revision queued is on the server
 * once, with its content and no conflict, and has one receipt in `feed`;
 * the server has no revision that was not queued; the workbook holds the
 * server's receipt for the last one. */
void           bc_test_check_report            (BcServerStore       *store,
                                                const char          *unit,
                                                GHashTable          *feed,
                                                BcWorkbook          *workbook,
                                                const BcTestTracked *tracked,
                                                const char          *who,
                                                BcTestTally         *tally);
/* Logs the tally and asserts it is clean. */
void           bc_test_tally_assert_clean      (const BcTestTally   *tally);

G_END_DECLS
