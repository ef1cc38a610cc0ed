/* bc-test-pg.h: a throwaway PostgreSQL cluster for the server's tests and benchmark.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * initdb and pg_ctl in a temporary folder, listening on a Unix socket only.
 * PostgreSQL refuses to run as root (CI runs as root): then the cluster runs
 * as the `postgres` user, or as nobody, in a folder that user owns.
 * $BC_TEST_PG_BINDIR names the folder of initdb and pg_ctl (else the newest
 * /usr/lib/postgresql/N/bin, else PATH); without them the tests skip.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _BcTestPg BcTestPg;

/* NULL with `*missing` set to a reason when PostgreSQL is not installed
 * (the caller skips); aborts when it is installed but will not start.
 * `durable`: FALSE runs with fsync=off (tests), TRUE as a real server. */
BcTestPg *bc_test_pg_start        (gboolean    durable,
                                   char      **missing);
/* A new empty database's libpq URI; each call makes another. */
char     *bc_test_pg_new_database (BcTestPg   *pg);
/* The size on disk of a database named in a URI from bc_test_pg_new_database(). */
gint64    bc_test_pg_database_size (BcTestPg  *pg,
                                    const char *uri);
/* Stops the cluster at once and removes its folder. */
void      bc_test_pg_stop         (BcTestPg   *pg);

G_END_DECLS
