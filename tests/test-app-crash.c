/* test-app-crash.c: killing the app while typing loses nothing shown as saved.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The test runs itself as a child (--child WORKBOOK REPORT_ID) that opens a
 * report in a form view in a real window and types into its fields without
 * end, through the widgets. Before typing a value it prints "typed KEY=VALUE";
 * every time the form view says SAVED it prints every value then shown, as
 * "saved KEY=VALUE … ." (a line counts only when complete). The parent kills
 * the child at random moments, round after round on the same workbook, then
 * opens the report in a form view itself: every field must show the value
 * last reported as saved, or one typed after that report (typing may have
 * been committed without the child living to say so). Values only grow, so
 * an older value showing up again would be caught too.
 */
#define G_LOG_DOMAIN "test-app-crash"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "bc-gui-test.h"
#include "bc-i18n.h"
#include "bc-field-editor.h"

#define N_ROUNDS 10

/* Integer fields of the quarterly report, and one text field. */
static const char *integer_fields[] = {
  "services_level3", "services_level4", "services_new_this_quarter",
  "services_with_dossiers", "dossiers_received", "security_incidents",
};
static const char *text_field = "doc_number";

static const char *self_path;

/* --- slow disks ------------------------------------------------------------ */

/* In the child, every write transaction waits SLOW_WRITE_MS before it
 * starts writing (a busy disk): the time between an edit handed to the
 * workbook and its commit becomes wide, so a view that said "saved" before
 * the commit would be caught by a kill as it says so. (A delay in fsync
 * would not do: what a killed process wrote is still in the OS's cache.)
 * A thin SQLite VFS over the default one; the workbook runs in WAL mode,
 * where a writer takes the WAL's write lock (shared-memory lock 0) first. */
#define SLOW_WRITE_MS 60

typedef struct {
  sqlite3_file  base;
  sqlite3_file *real;   /* follows this struct in the same allocation */
} SlowFile;

static sqlite3_vfs *real_vfs;
static sqlite3_vfs slow_vfs;
static sqlite3_io_methods slow_methods;

#define REAL(f) (((SlowFile *) (f))->real)

static int slow_close (sqlite3_file *f) { return REAL (f)->pMethods->xClose (REAL (f)); }
static int slow_read (sqlite3_file *f, void *b, int n, sqlite3_int64 o) { return REAL (f)->pMethods->xRead (REAL (f), b, n, o); }
static int slow_write (sqlite3_file *f, const void *b, int n, sqlite3_int64 o) { return REAL (f)->pMethods->xWrite (REAL (f), b, n, o); }
static int slow_truncate (sqlite3_file *f, sqlite3_int64 size) { return REAL (f)->pMethods->xTruncate (REAL (f), size); }
static int slow_file_size (sqlite3_file *f, sqlite3_int64 *size) { return REAL (f)->pMethods->xFileSize (REAL (f), size); }
static int slow_lock (sqlite3_file *f, int l) { return REAL (f)->pMethods->xLock (REAL (f), l); }
static int slow_unlock (sqlite3_file *f, int l) { return REAL (f)->pMethods->xUnlock (REAL (f), l); }
static int slow_check_reserved (sqlite3_file *f, int *out) { return REAL (f)->pMethods->xCheckReservedLock (REAL (f), out); }
static int slow_file_control (sqlite3_file *f, int op, void *arg) { return REAL (f)->pMethods->xFileControl (REAL (f), op, arg); }
static int slow_sector_size (sqlite3_file *f) { return REAL (f)->pMethods->xSectorSize (REAL (f)); }
static int slow_device (sqlite3_file *f) { return REAL (f)->pMethods->xDeviceCharacteristics (REAL (f)); }
static int slow_shm_map (sqlite3_file *f, int i, int size, int extend, void volatile **p) { return REAL (f)->pMethods->xShmMap (REAL (f), i, size, extend, p); }
static void slow_shm_barrier (sqlite3_file *f) { REAL (f)->pMethods->xShmBarrier (REAL (f)); }
static int slow_shm_unmap (sqlite3_file *f, int del) { return REAL (f)->pMethods->xShmUnmap (REAL (f), del); }
static int slow_fetch (sqlite3_file *f, sqlite3_int64 o, int n, void **p) { return REAL (f)->pMethods->xFetch (REAL (f), o, n, p); }
static int slow_unfetch (sqlite3_file *f, sqlite3_int64 o, void *p) { return REAL (f)->pMethods->xUnfetch (REAL (f), o, p); }

static int slow_sync (sqlite3_file *f, int flags) { return REAL (f)->pMethods->xSync (REAL (f), flags); }

static int
slow_shm_lock (sqlite3_file *f,
               int           offset,
               int           n,
               int           flags)
{
  int rc = REAL (f)->pMethods->xShmLock (REAL (f), offset, n, flags);

  if (rc == SQLITE_OK && offset == 0 &&
      (flags & (SQLITE_SHM_LOCK | SQLITE_SHM_EXCLUSIVE)) == (SQLITE_SHM_LOCK | SQLITE_SHM_EXCLUSIVE))
    g_usleep (SLOW_WRITE_MS * 1000);

  return rc;
}

static int
slow_open (sqlite3_vfs  *vfs,
           const char   *name,
           sqlite3_file *file,
           int           flags,
           int          *out_flags)
{
  SlowFile *slow = (SlowFile *) file;
  int rc;

  slow->real = (sqlite3_file *) (slow + 1);
  rc = real_vfs->xOpen (real_vfs, name, slow->real, flags, out_flags);
  /* SQLite calls xClose only when pMethods is set. */
  slow->base.pMethods = slow->real->pMethods != NULL ? &slow_methods : NULL;

  return rc;
}

static void
slow_vfs_install (void)
{
  real_vfs = sqlite3_vfs_find (NULL);
  g_assert_nonnull (real_vfs);

  slow_methods = (sqlite3_io_methods) {
    3, slow_close, slow_read, slow_write, slow_truncate, slow_sync, slow_file_size,
    slow_lock, slow_unlock, slow_check_reserved, slow_file_control, slow_sector_size,
    slow_device, slow_shm_map, slow_shm_lock, slow_shm_barrier, slow_shm_unmap,
    slow_fetch, slow_unfetch,
  };

  slow_vfs = *real_vfs;
  slow_vfs.zName = "bc-slow-write";
  slow_vfs.szOsFile = (int) sizeof (SlowFile) + real_vfs->szOsFile;
  slow_vfs.xOpen = slow_open;
  g_assert_cmpint (sqlite3_vfs_register (&slow_vfs, 1), ==, SQLITE_OK);
}

/* --- the child ------------------------------------------------------------- */

typedef struct {
  GtkWidget  *window;
  BcFormView *view;
  guint64     counter;
  guint       next;
  GRand      *rand;
} Child;

static GtkWidget *
child_input (Child      *child,
             const char *key)
{
  GtkWidget *editor = bc_gui_test_find_by_name (child->window, key);
  GtkWidget *entry;

  g_assert_nonnull (editor);
  entry = bc_gui_test_find_by_type (editor, GTK_TYPE_ENTRY);
  g_assert_nonnull (entry);

  return entry;
}

/* The number in a value as the child types it ("KH-12" → 12). */
static guint64
value_number (const char *value)
{
  while (*value != '\0' && !g_ascii_isdigit (*value))
    value++;

  return g_ascii_strtoull (value, NULL, 10);
}

static void
on_save_state (BcFormView *view,
               GParamSpec *pspec,
               Child      *child)
{
  g_autoptr(GString) line = NULL;

  if (bc_form_view_get_save_state (view) != BC_SAVE_STATE_SAVED)
    return;

  /* Everything shown is committed now: say so, all of it. */
  line = g_string_new ("saved");
  for (guint i = 0; i <= G_N_ELEMENTS (integer_fields); i++)
    {
      const char *key = i < G_N_ELEMENTS (integer_fields) ? integer_fields[i] : text_field;

      g_string_append_printf (line, " %s=%s", key,
                              gtk_editable_get_text (GTK_EDITABLE (child_input (child, key))));
    }
  g_string_append (line, " .\n");
  fputs (line->str, stdout);
  fflush (stdout);
}

static gboolean
type_next (gpointer user_data)
{
  Child *child = user_data;
  guint i = child->next++ % (G_N_ELEMENTS (integer_fields) + 1);
  const char *key = i < G_N_ELEMENTS (integer_fields) ? integer_fields[i] : text_field;
  g_autofree char *value = NULL;
  GtkWidget *entry = child_input (child, key);

  child->counter++;
  value = i < G_N_ELEMENTS (integer_fields)
          ? g_strdup_printf ("%" G_GUINT64_FORMAT, child->counter)
          : g_strdup_printf ("KH-%" G_GUINT64_FORMAT, child->counter);

  printf ("typed %s=%s .\n", key, value);
  fflush (stdout);

  bc_gui_test_type (entry, value);

  /* Sometimes Enter, sometimes a pause, sometimes straight on (the next
   * field takes the focus, which commits this one). */
  switch (g_rand_int_range (child->rand, 0, 3))
    {
    case 0:
      g_signal_emit_by_name (gtk_editable_get_delegate (GTK_EDITABLE (entry)), "activate");
      break;
    default:
      break;
    }

  g_timeout_add (g_rand_int_range (child->rand, 0, 2 * BC_FIELD_EDITOR_DEBOUNCE_MS),
                 type_next, child);

  return G_SOURCE_REMOVE;
}

static int
child_main (const char *path,
            const char *report_id,
            guint32     seed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplateRegistry) templates = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  Child child = { 0 };

  slow_vfs_install ();

  /* HOME and XDG_* are the parent's temporary ones. */
  bc_i18n_init ();
  textdomain (GETTEXT_PACKAGE);
  gtk_init ();
  adw_init ();

  templates = bc_template_registry_new_default (&error);
  g_assert_no_error (error);
  workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_no_error (error);

  child.rand = g_rand_new_with_seed (seed);
  child.window = bc_gui_test_window_new (&child.view);
  bc_form_view_load (child.view, workbook, report_id);
  bc_gui_test_wait_loaded (child.view);

  /* Go on from the largest value shown, so that values only grow. */
  for (guint i = 0; i <= G_N_ELEMENTS (integer_fields); i++)
    {
      const char *key = i < G_N_ELEMENTS (integer_fields) ? integer_fields[i] : text_field;

      child.counter = MAX (child.counter,
                           value_number (gtk_editable_get_text (GTK_EDITABLE (child_input (&child, key)))));
    }
  child.next = g_rand_int_range (child.rand, 0, G_N_ELEMENTS (integer_fields) + 1);

  g_signal_connect (child.view, "notify::save-state", G_CALLBACK (on_save_state), &child);
  g_idle_add (type_next, &child);

  /* Killed long before this; never left running if the parent dies. */
  bc_gui_test_spin (60000);

  return 1;
}

/* --- the parent ------------------------------------------------------------ */

typedef struct {
  GHashTable *saved;    /* key → value last reported saved */
  GHashTable *typed;    /* key → GPtrArray of values typed since that report */
  guint       n_saved;  /* "saved" lines in this round */
  guint       kill_at;  /* kill the child as it says "saved" this many times (0: later) */
  GSubprocess *child;
  gboolean    eof;
} Reports;

static void
reports_line (Reports    *reports,
              const char *line)
{
  g_auto(GStrv) words = g_strsplit (line, " ", -1);
  guint n = g_strv_length (words);

  /* A line cut by the kill is not a report. */
  if (n < 2 || !g_str_equal (words[n - 1], "."))
    return;

  if (g_str_equal (words[0], "typed"))
    {
      g_auto(GStrv) pair = g_strsplit (words[1], "=", 2);
      GPtrArray *typed = g_hash_table_lookup (reports->typed, pair[0]);

      if (typed == NULL)
        {
          typed = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (reports->typed, g_strdup (pair[0]), typed);
        }
      g_ptr_array_add (typed, g_strdup (pair[1]));
    }
  else if (g_str_equal (words[0], "saved"))
    {
      for (guint i = 1; i + 1 < n; i++)
        {
          g_auto(GStrv) pair = g_strsplit (words[i], "=", 2);

          g_hash_table_replace (reports->saved, g_strdup (pair[0]), g_strdup (pair[1]));
        }
      /* What was typed before this report is now either saved or replaced. */
      g_hash_table_remove_all (reports->typed);
      reports->n_saved++;

      /* The sharpest moment: right after "saved", before anything else.
       * Had the view said so before the commit, this would lose it. */
      if (reports->n_saved == reports->kill_at)
        g_subprocess_force_exit (reports->child);
    }
}

static void read_next_line (GDataInputStream *stream,
                            Reports          *reports);

static void
line_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Reports *reports = user_data;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  if (line == NULL)
    {
      reports->eof = TRUE;
      return;
    }

  reports_line (reports, line);
  read_next_line (G_DATA_INPUT_STREAM (source), reports);
}

static void
read_next_line (GDataInputStream *stream,
                Reports          *reports)
{
  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, NULL, line_read_cb, reports);
}

static gboolean
saved_at_least_once (gpointer user_data)
{
  Reports *reports = user_data;

  if (reports->kill_at > 0)
    return reports->eof;

  return reports->n_saved > 0 || reports->eof;
}

static gboolean
at_eof (gpointer user_data)
{
  return ((Reports *) user_data)->eof;
}

static char *
make_workbook (const char *dir,
               char      **out_report_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplateRegistry) templates = bc_template_registry_new_default (&error);
  g_autoptr(BcWorkbook) workbook = NULL;
  char *path = g_build_filename (dir, "crash.baocao", NULL);

  g_assert_no_error (error);
  workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);
  *out_report_id = bc_workbook_create_report (workbook, "egov-quarterly", "2018Q2", "UBND-QNG", &error);
  g_assert_no_error (error);

  return path;
}


/* A value the workbook may hold for `key`: the one last reported saved, or
 * one typed after that report. */
static gboolean
may_hold (Reports    *reports,
          const char *key,
          const char *value)
{
  const char *saved = g_hash_table_lookup (reports->saved, key);
  GPtrArray *typed = g_hash_table_lookup (reports->typed, key);

  if (saved == NULL)
    return TRUE;
  if (g_strcmp0 (value, saved) == 0)
    return TRUE;
  for (guint i = 0; typed != NULL && i < typed->len; i++)
    if (g_strcmp0 (value, g_ptr_array_index (typed, i)) == 0)
      return TRUE;

  return FALSE;
}

/* After each kill, with the core alone: nothing reported saved is lost. */
static void
check_workbook (const char *path,
                const char *report_id,
                Reports    *reports,
                guint       round)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplateRegistry) templates = bc_template_registry_new_default (&error);
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(BcReport) report = NULL;
  GHashTableIter iter;
  const char *key, *saved;

  g_assert_no_error (error);
  workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  report = bc_workbook_load_report (workbook, report_id, &error);
  g_assert_no_error (error);

  g_hash_table_iter_init (&iter, reports->saved);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, (gpointer *) &saved))
    {
      /* Blank is shown as an empty input. */
      const char *value = bc_report_get_value (report, key, 0);

      if (!may_hold (reports, key, value != NULL ? value : ""))
        g_error ("after round %u, the workbook holds %s = “%s”; it was last reported saved as “%s”",
                 round, key, value != NULL ? value : "", saved);
    }
}

static gboolean
loaded (gpointer user_data)
{
  return bc_form_view_get_report (user_data) != NULL && bc_form_view_is_complete (user_data);
}

static void
test_kill_while_typing (void)
{
  g_autofree char *dir = g_build_filename (g_get_home_dir (), "crash-XXXXXX", NULL);
  g_autofree char *path = NULL;
  g_autofree char *report_id = NULL;
  g_autoptr(GError) error = NULL;
  Reports reports = { 0 };
  guint total_saved = 0;

  g_assert_nonnull (g_mkdtemp (dir));
  path = make_workbook (dir, &report_id);
  reports.saved = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  reports.typed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_ptr_array_unref);

  for (guint round = 0; round < N_ROUNDS; round++)
    {
      g_autoptr(GSubprocess) child = NULL;
      g_autoptr(GDataInputStream) stream = NULL;
      g_autofree char *seed = g_strdup_printf ("%u", g_test_rand_int ());
      guint delay = g_test_rand_int_range (0, 1500);

      child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                self_path, "--child", path, report_id, seed, NULL);
      g_assert_no_error (error);

      reports.n_saved = 0;
      reports.eof = FALSE;
      reports.child = child;
      reports.kill_at = round % 3 != 2 ? (guint) g_test_rand_int_range (1, 4) : 0;
      stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
      read_next_line (stream, &reports);

      /* Kill it while it types: as it says "saved" for the first, second
       * or third time, or some time after the first. */
      g_assert_true (bc_gui_test_wait (saved_at_least_once, &reports, 60000));
      if (reports.kill_at == 0)
        {
          g_assert_false (reports.eof);
          bc_gui_test_spin (delay);
          g_subprocess_force_exit (child);
        }
      g_assert_true (bc_gui_test_wait (at_eof, &reports, 60000));
      g_subprocess_wait (child, NULL, &error);
      g_assert_no_error (error);
      /* Killed, not dead of its own accord. */
      g_assert_false (g_subprocess_get_if_exited (child));
      g_assert_cmpuint (reports.n_saved, >=, MAX (reports.kill_at, 1));
      check_workbook (path, report_id, &reports, round + 1);

      if (reports.kill_at > 0)
        g_test_message ("round %u: killed as it said saved, %u times", round + 1, reports.n_saved);
      else
        g_test_message ("round %u: killed %u ms after the first save; saved %u times",
                        round + 1, delay, reports.n_saved);
      total_saved += reports.n_saved;
    }

  g_assert_cmpuint (total_saved, >=, N_ROUNDS);
  g_assert_cmpuint (g_hash_table_size (reports.saved), ==, G_N_ELEMENTS (integer_fields) + 1);

  /* Reopen: every field shows what was last reported saved, or a value
   * typed after that report. */
  {
    g_autoptr(BcTemplateRegistry) templates = bc_template_registry_new_default (&error);
    g_autoptr(BcWorkbook) workbook = NULL;
    g_autoptr(BcReport) report = NULL;
    GHashTableIter iter;
    const char *key, *saved;
    GtkWidget *window;
    BcFormView *view;

    g_assert_no_error (error);
    workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_DEFAULT, &error);
    g_assert_no_error (error);
    window = bc_gui_test_window_new (&view);
    bc_form_view_load (view, workbook, report_id);
    g_assert_true (bc_gui_test_wait (loaded, view, 60000));
    report = bc_workbook_load_report (workbook, report_id, &error);
    g_assert_no_error (error);

    g_hash_table_iter_init (&iter, reports.saved);
    while (g_hash_table_iter_next (&iter, (gpointer *) &key, (gpointer *) &saved))
      {
        GtkWidget *editor = bc_gui_test_find_by_name (window, key);
        g_autofree char *text = bc_field_editor_dup_text (BC_FIELD_EDITOR (editor));
        g_autofree char *shown = NULL;

        /* Compared as values: the form may show 1234 as "1.234". */
        g_assert_true (bc_field_parse_value (bc_field_editor_get_field (BC_FIELD_EDITOR (editor)),
                                             text, &shown, NULL));
        if (shown == NULL)
          shown = g_strdup ("");
        if (!may_hold (&reports, key, shown))
          g_error ("%s shows “%s”; it was last reported saved as “%s”", key, shown, saved);
        g_assert_cmpuint (value_number (shown), >=, value_number (saved));
        /* What the form shows is what the workbook holds. */
        g_assert_cmpstr (bc_report_get_value (report, key, 0) != NULL
                         ? bc_report_get_value (report, key, 0) : "", ==, shown);
      }

    gtk_window_destroy (GTK_WINDOW (window));
    bc_gui_test_spin (50);
  }

  g_hash_table_unref (reports.saved);
  g_hash_table_unref (reports.typed);
  bc_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *home = NULL;
  int status;

  if (argc == 5 && g_str_equal (argv[1], "--child"))
    return child_main (argv[2], argv[3], (guint32) g_ascii_strtoull (argv[4], NULL, 10));

  self_path = argv[0];
  home = bc_gui_test_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app/crash/kill-while-typing", test_kill_while_typing);

  status = g_test_run ();
  bc_test_remove_tree (home);

  return status;
}
