/* bc-cli-test.h: baocao-cli and a real baocao-server, driven from a test.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A temporary folder with a server data directory (two districts of Quảng
 * Ngãi and one account loaded with the server's admin commands), a
 * `baocao-server serve` on 127.0.0.1, and an officer's workbook that
 * baocao-cli works on. Used by the sync-cli and bundle tests; BcCliRun also
 * by the cli test.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BC_CLI_TEST_USER      "ubnd-son-tinh"
#define BC_CLI_TEST_PASSWORD  "mật-khẩu đúng 1"
#define BC_CLI_TEST_UNIT      "QNG-SONTINH"

/* baocao-cli's exit statuses (docs/cli.md). */
#define BC_CLI_TEST_EXIT_OFFLINE       10
#define BC_CLI_TEST_EXIT_BAD_PASSWORD  12
#define BC_CLI_TEST_EXIT_REVOKED       13

typedef struct
{
  char        *dir;
  char        *data;
  char        *workbook;
  char        *token_file;
  char        *url;
  GSubprocess *server;
} BcCliFixture;

/* What a program printed and how it ended. */
typedef struct
{
  int   status;
  char *out;
  char *err;
} BcCliRun;

void bc_cli_run_clear (BcCliRun *run);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BcCliRun, bc_cli_run_clear)

/* Makes the folder (from the g_dir_make_tmp() template `tmpl`), loads the
 * units and the account into the server's data and starts the server. */
void      bc_cli_test_setup            (BcCliFixture        *fixture,
                                        const char          *tmpl);
/* Stops the server and removes the folder. */
void      bc_cli_test_teardown         (BcCliFixture        *fixture);

/* Runs `argv` (NULL-terminated), the fixture's folder as XDG_DATA_HOME and
 * TMPDIR, no session bus, no display, in English or in `language`. */
void      bc_cli_test_run_program      (BcCliFixture        *fixture,
                                        const char          *language,
                                        BcCliRun            *run,
                                        const char * const  *argv);
/* baocao-cli on the fixture's workbook, in English / in Vietnamese;
 * returns its exit status. */
int       bc_cli_test_cli              (BcCliFixture        *fixture,
                                        BcCliRun            *run,
                                        const char          *first,
                                        ...) G_GNUC_NULL_TERMINATED;
int       bc_cli_test_cli_vi           (BcCliFixture        *fixture,
                                        BcCliRun            *run,
                                        const char          *first,
                                        ...) G_GNUC_NULL_TERMINATED;
/* A baocao-server admin command on the fixture's data directory: its exit
 * status, or (bc_cli_test_admin) it must succeed. */
int       bc_cli_test_admin_run        (BcCliFixture        *fixture,
                                        BcCliRun            *run,
                                        const char          *first,
                                        ...) G_GNUC_NULL_TERMINATED;
void      bc_cli_test_admin            (BcCliFixture        *fixture,
                                        const char          *first,
                                        ...) G_GNUC_NULL_TERMINATED;

JsonNode *bc_cli_test_parse_json       (const char          *text);
/* Writes `contents` to `name` in the fixture's folder; returns its path. */
char     *bc_cli_test_write_file       (BcCliFixture        *fixture,
                                        const char          *name,
                                        const char          *contents);

/* Writes a plan of Quảng Ngãi, number `number` (its id "qng-kh-NUMBER-YEAR",
 * named "Plan NUMBER/KH-UBND"), for its districts ("QNG-*") from period
 * `from` to 2025: quarterly reports due on the 10th of the month after the
 * quarter. Returns its path. */
char     *bc_cli_test_write_plan       (BcCliFixture        *fixture,
                                        const char          *number,
                                        const char          *from);

/* Starts `baocao-server serve` on a port the system picks (with TLS when
 * `cert` is not NULL) and reads its URL from the line it prints. */
void      bc_cli_test_start_server_tls (BcCliFixture        *fixture,
                                        const char          *cert,
                                        const char          *key);
void      bc_cli_test_start_server     (BcCliFixture        *fixture);
void      bc_cli_test_stop_server      (BcCliFixture        *fixture);

/* Enrols the workbook with the server as the fixture's account. */
void      bc_cli_test_enrol            (BcCliFixture        *fixture);

/* A quarterly report of `unit` (new, every required field filled, every
 * warning justified, marked ready); returns its id. */
char       *bc_cli_test_ready_report   (BcCliFixture        *fixture,
                                        const char          *period,
                                        const char          *unit);
/* `baocao-cli sync --json`, which must succeed: its object, in `root`. */
JsonObject *bc_cli_test_sync_json      (BcCliFixture        *fixture,
                                        JsonNode           **root);
/* The status `baocao-cli show --json` gives the report `id` (in `root`). */
const char *bc_cli_test_report_status  (BcCliFixture        *fixture,
                                        const char          *id,
                                        JsonNode           **root);
/* The reports the server holds, as `reports list --json` gives them. */
JsonArray  *bc_cli_test_server_reports (BcCliFixture        *fixture,
                                        JsonNode           **root);

G_END_DECLS
