/* bc-test-util.c: small helpers the tests and benchmarks share.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-test-util"

#include "config.h"

#include <glib/gstdio.h>

#include "bc-test-util.h"

void
bc_test_remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          bc_test_remove_tree (child);
        }
    }

  g_remove (path);
}
