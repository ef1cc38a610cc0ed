/* bc-server-admin.h: baocao-server's commands (serve, and the administrator's).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses of baocao-server. */
enum {
  BC_SERVER_EXIT_OK = 0,
  BC_SERVER_EXIT_FAILED = 1,   /* refused or failed; the message says why */
  BC_SERVER_EXIT_USAGE = 2,
};

int bc_server_admin_run (int    argc,
                         char **argv);

G_END_DECLS
