/* bc-test-util.c: small helpers the tests and benchmarks share.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-test-util"

#include "config.h"

#include <glib/gstdio.h>

#include "bc-test-util.h"

#if defined(__SANITIZE_ADDRESS__) && defined(__ELF__)
#define BC_TEST_LSAN_INIT_WINDOW 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) && defined(__ELF__)
#define BC_TEST_LSAN_INIT_WINDOW 1
#endif
#endif

#ifdef BC_TEST_LSAN_INIT_WINDOW
#include <sanitizer/lsan_interface.h>

/* Under AddressSanitizer, LeakSanitizer does not track what the shared
 * libraries allocate in their own initialisers, before any of our code
 * runs. One such block is reported otherwise: GLib's constructor
 * (g_quark_init, gquark.c) allocates the first array of 2,048 quarks, and
 * GLib drops it without freeing when a program has more quarks than that
 * (a whole GTK window has), by design: lookups stay lock-free. Its stack
 * cannot be named by a suppression: g_quark_init is not an exported
 * symbol, and GLib has no frame pointers, so the fast unwinder stops at
 * g_malloc (and the slow one makes the GUI tests eight times slower).
 * The window is exactly the libraries' initialisers: it opens in this
 * executable's .preinit_array, which runs before any of them, and closes
 * in this executable's first constructor, which runs after all of them
 * and before the test's own code. */
static void
bc_test_lsan_init_window_open (void)
{
  __lsan_disable ();
}

__attribute__((section (".preinit_array"), used))
static void (*const bc_test_lsan_preinit) (void) = bc_test_lsan_init_window_open;

__attribute__((constructor (101)))
static void
bc_test_lsan_init_window_close (void)
{
  __lsan_enable ();
}
#endif

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

/* "Trying to snapshot GtkBox 0x… without a current allocation": traced to
 * the window's content pane, the leaflet's second page, once in a few runs
 * of test-window-shell on a loaded machine, as the window first comes up.
 * Its header's title buttons and back button follow the leaflet's
 * "folded", which libadwaita 1.2 changes while it allocates its pages; GTK
 * then skips drawing that pane in that one frame and draws it whole in the
 * next. Nothing the officer types or sees saved depends on it. GTK logs
 * it structured, where g_test_log_set_fatal_handler() is not asked: the
 * writer says it on the standard error, as a warning that does not stop
 * the test, and hands every other message to GLib's writer, fatal as
 * g_test_init() made it. */
static int short_frames_allowed = 1;

static GLogWriterOutput
short_frame_writer (GLogLevelFlags   log_level,
                    const GLogField *fields,
                    gsize            n_fields,
                    gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN") && fields[i].length < 0)
      domain = fields[i].value;
    else if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0)
      message = fields[i].value;

  /* That pane is a GtkBox, and it comes once: a second one, or another
   * widget, is something else (a row card dropped mid-frame, say). */
  if ((log_level & G_LOG_LEVEL_WARNING) != 0 &&
      g_strcmp0 (domain, "Gtk") == 0 &&
      message != NULL &&
      g_str_has_prefix (message, "Trying to snapshot GtkBox ") &&
      g_str_has_suffix (message, " without a current allocation") &&
      g_atomic_int_compare_and_exchange (&short_frames_allowed, 1, 0))
    return g_log_writer_standard_streams (log_level & ~G_LOG_FLAG_FATAL, fields, n_fields, user_data);

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

void
bc_test_allow_short_frame_warning (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      g_log_set_writer_func (short_frame_writer, NULL, NULL);
      g_once_init_leave (&once, 1);
    }
}

int
bc_test_compare_gint64 (gconstpointer a,
                        gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

double
bc_test_quantile_ms (GArray *samples,
                     double  q)
{
  guint index;

  if (samples->len == 0)
    return 0;
  g_array_sort (samples, bc_test_compare_gint64);
  index = (guint) (q * (samples->len - 1) + 0.5);
  return g_array_index (samples, gint64, MIN (index, samples->len - 1)) / 1000.0;
}
