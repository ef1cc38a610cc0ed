/* bc-i18n.c: translations and the language of form labels.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-i18n"

#include "config.h"

#include <locale.h>

#include <glib/gi18n-lib.h>

#include "bc-i18n.h"

/* BAOCAO_LANGUAGE=vi|en chooses the language of every string, not only of
 * the forms' labels: gettext reads LANGUAGE, but ignores it under the C
 * locale, so a C locale becomes C.UTF-8 for messages (which every glibc
 * has) when a language is forced. */
static void
apply_forced_language (void)
{
  const char *forced = g_getenv ("BAOCAO_LANGUAGE");

  if (forced == NULL || !(g_str_equal (forced, "vi") || g_str_equal (forced, "en")))
    return;

  g_setenv ("LANGUAGE", forced, TRUE);

#ifdef LC_MESSAGES
  {
    const char *current = setlocale (LC_MESSAGES, NULL);

    if (current != NULL && (g_str_equal (current, "C") || g_str_equal (current, "POSIX")) &&
        setlocale (LC_MESSAGES, "C.UTF-8") != NULL && g_getenv ("LC_ALL") == NULL)
      /* GTK calls setlocale (LC_ALL, "") again when it starts: keep it. */
      g_setenv ("LC_MESSAGES", "C.UTF-8", TRUE);
  }
#endif
}

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
      apply_forced_language ();
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
