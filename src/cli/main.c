/* main.c: the entry point of baocao-cli.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-cli"

#include "config.h"

#include <locale.h>

#include "bc-cli.h"

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");

  return bc_cli_run (argc, argv);
}
