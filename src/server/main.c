/* main.c: the entry point of baocao-server.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-server"

#include "config.h"

#include <locale.h>

#include <glib.h>

#include "bc-server-admin.h"

int
main (int    argc,
      char **argv)
{
#ifdef G_OS_WIN32
  g_auto(GStrv) utf8_argv = g_win32_get_command_line ();

  setlocale (LC_ALL, "");
  return bc_server_admin_run (g_strv_length (utf8_argv), utf8_argv);
#else
  setlocale (LC_ALL, "");
  return bc_server_admin_run (argc, argv);
#endif
}
