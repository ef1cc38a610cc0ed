/* fuzz-run-corpus.c: runs a libFuzzer entry point over corpus files, as a test.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Linked with any fuzz-<target>.c. Each argument is a file or a directory
 * whose files are all run, in name order, so every input that once crashed
 * stays a regression test in builds without libFuzzer.
 */
#define G_LOG_DOMAIN "fuzz-run-corpus"

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static gboolean
run_file (const char *path,
          guint      *n_run)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }

  g_print ("%s\n", path);
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
  (*n_run)++;
  return TRUE;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
run_directory (const char *path,
               guint      *n_run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *file = g_build_filename (path, g_ptr_array_index (names, i), NULL);

      if (g_file_test (file, G_FILE_TEST_IS_REGULAR) && !run_file (file, n_run))
        return FALSE;
    }
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  guint n_run = 0;

  if (argc < 2)
    {
      g_printerr ("Usage: %s FILE-OR-DIRECTORY…\n", argv[0]);
      return EXIT_FAILURE;
    }

  for (int i = 1; i < argc; i++)
    {
      gboolean ok = g_file_test (argv[i], G_FILE_TEST_IS_DIR)
                    ? run_directory (argv[i], &n_run)
                    : run_file (argv[i], &n_run);

      if (!ok)
        return EXIT_FAILURE;
    }

  if (n_run == 0)
    {
      g_printerr ("No input files.\n");
      return EXIT_FAILURE;
    }

  g_print ("Ran %u inputs.\n", n_run);
  return EXIT_SUCCESS;
}
