/* bc-i18n.c: translations and the language of form labels.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-i18n"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "bc-i18n.h"

void
bc_i18n_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      const char *dir = g_getenv ("BAOCAO_LOCALEDIR");
      g_autofree char *installed = g_build_filename (LOCALEDIR, "vi", "LC_MESSAGES",
                                                     GETTEXT_PACKAGE ".mo", NULL);

      /* Uninstalled runs (build-aux/dev run) read the catalogue the build made. */
      if (dir == NULL || *dir == '\0')
        dir = g_file_test (installed, G_FILE_TEST_EXISTS) ? LOCALEDIR : BUILD_LOCALEDIR;

      bindtextdomain (GETTEXT_PACKAGE, dir);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&initialized, 1);
    }
}

const char *
bc_i18n_language (void)
{
  const char *forced = g_getenv ("BAOCAO_LANGUAGE");
  const char * const *names;

  if (forced != NULL && (g_str_equal (forced, "vi") || g_str_equal (forced, "en")))
    return forced;

  /* The first of the user's languages decides, as it does for gettext. */
  names = g_get_language_names ();
  if (names != NULL && names[0] != NULL && g_str_has_prefix (names[0], "vi"))
    return "vi";

  return "en";
}
