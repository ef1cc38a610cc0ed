/* main.c: the entry point of baocao, the desktop app.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-app"

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "bc-application.h"
#include "bc-i18n.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(BcApplication) app = NULL;

  /* The language chosen in Preferences applies from the next start: it has
   * to be in the environment before gettext reads it. */
  bc_application_apply_language_override ();

  setlocale (LC_ALL, "");
  bc_i18n_init ();
  textdomain (GETTEXT_PACKAGE);

  app = bc_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
