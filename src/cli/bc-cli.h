/* bc-cli.h: baocao-cli, the core without a window.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs one command line; returns the process exit status. */
int bc_cli_run (int    argc,
                char **argv);

G_END_DECLS
