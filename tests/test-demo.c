/* test-demo.c: tests of fresh copies of the demo workbook.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-demo"

#include "config.h"

#include <locale.h>

#include <glib/gstdio.h>

#include "bc-demo.h"
#include "bc-workbook.h"
#include "bc-test-util.h"

typedef struct {
  char *dir;
  char *shipped;
  char *dest;
} Fixture;

static void
write_file (const char *path,
            const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-demo-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->shipped = g_build_filename (fixture->dir, "shipped.baocao", NULL);
  fixture->dest = g_build_filename (fixture->dir, "user", "baocao", "demo.baocao", NULL);
  write_file (fixture->shipped, "the shipped demo");
  g_setenv ("BAOCAO_DEMO_WORKBOOK", fixture->shipped, TRUE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_unsetenv ("BAOCAO_DEMO_WORKBOOK");
  bc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->shipped);
  g_free (fixture->dest);
}

static void
test_shipped_path (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *found = bc_demo_shipped_path ();
  g_autofree char *missing = g_build_filename (fixture->dir, "missing.baocao", NULL);
  g_autofree char *none = NULL;
  g_autofree char *user = bc_demo_default_path ();

  g_assert_cmpstr (found, ==, fixture->shipped);

  /* A wrong BAOCAO_DEMO_WORKBOOK is not silently replaced by another file. */
  g_setenv ("BAOCAO_DEMO_WORKBOOK", missing, TRUE);
  none = bc_demo_shipped_path ();
  g_assert_null (none);

  g_assert_true (g_str_has_prefix (user, g_get_user_data_dir ()));
  g_assert_true (g_str_has_suffix (user, G_DIR_SEPARATOR_S "baocao" G_DIR_SEPARATOR_S "demo.baocao"));
}

static void
test_install_replaces (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *wal = g_strconcat (fixture->dest, "-wal", NULL);
  g_autofree char *shm = g_strconcat (fixture->dest, "-shm", NULL);
  g_autofree char *tmp = g_strconcat (fixture->dest, ".new", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *again = NULL;

  /* A first copy makes the folders. */
  g_assert_true (bc_demo_install (fixture->dest, &error));
  g_assert_no_error (error);
  contents = read_file (fixture->dest);
  g_assert_cmpstr (contents, ==, "the shipped demo");

  /* A trained-on copy, with SQLite's journal files beside it. */
  write_file (fixture->dest, "a copy changed in class");
  write_file (wal, "stale write-ahead log");
  write_file (shm, "stale shared memory");

  g_assert_true (bc_demo_install (fixture->dest, &error));
  g_assert_no_error (error);
  again = read_file (fixture->dest);
  g_assert_cmpstr (again, ==, "the shipped demo");
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (shm, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
}

static void
test_install_missing (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename (fixture->dir, "missing.baocao", NULL);
  g_autofree char *parent = g_path_get_dirname (fixture->dest);
  g_autofree char *contents = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  write_file (fixture->dest, "a copy changed in class");
  g_setenv ("BAOCAO_DEMO_WORKBOOK", missing, TRUE);

  /* Nothing to copy: the user's copy stays as it was. */
  g_assert_false (bc_demo_install (fixture->dest, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  contents = read_file (fixture->dest);
  g_assert_cmpstr (contents, ==, "a copy changed in class");
}

static void
test_install_built_demo (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplateRegistry) templates = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(GPtrArray) reports = NULL;

  if (!g_file_test (BUILD_DEMO_WORKBOOK, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("the build has not made demo.baocao");
      return;
    }
  g_setenv ("BAOCAO_DEMO_WORKBOOK", BUILD_DEMO_WORKBOOK, TRUE);

  g_assert_true (bc_demo_install (fixture->dest, &error));
  g_assert_no_error (error);

  templates = bc_template_registry_new_default (&error);
  g_assert_no_error (error);
  workbook = bc_workbook_open (fixture->dest, templates, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_no_error (error);

  /* Training data, marked as such in the file itself. */
  g_assert_cmpint (bc_workbook_get_kind (workbook), ==, BC_WORKBOOK_KIND_DEMO);
  reports = bc_workbook_list_reports (workbook, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reports->len, >=, 2);
  bc_workbook_close (workbook);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/core/demo/shipped-path", test_shipped_path);
  ADD ("/core/demo/install-replaces", test_install_replaces);
  ADD ("/core/demo/install-missing", test_install_missing);
  ADD ("/core/demo/install-built-demo", test_install_built_demo);

#undef ADD

  return g_test_run ();
}
