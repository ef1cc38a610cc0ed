/* test-app-export.c: the window's Export and Print, run in-process.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs under xvfb-run and dbus-run-session (see tests/meson.build): the real
 * window on a copy of the demo workbook. The file chooser and the print
 * dialog are the system's and are not driven here; what they lead to is:
 * the write that "Export" starts, and the print operation that Print runs,
 * here exporting to a PDF whose pages must be the PDF export's.
 */
#define G_LOG_DOMAIN "test-app-export"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>

#include "bc-application.h"
#include "bc-demo.h"
#include "bc-export.h"
#include "bc-i18n.h"
#include "bc-spreadsheet.h"
#include "bc-window.h"
#include "bc-test-util.h"

#define DEADLINE_SECONDS 30

static BcApplication *app;
static char *tmp_home;

typedef gboolean (*Condition) (gpointer data);

static gboolean
deadline_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
spin_until_impl (Condition   condition,
                 gpointer    data,
                 const char *what)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add_seconds (DEADLINE_SECONDS, deadline_cb, &expired);

  while (!condition (data) && !expired)
    g_main_context_iteration (NULL, TRUE);

  if (expired)
    g_error ("Timed out after %d s waiting for: %s", DEADLINE_SECONDS, what);
  g_source_remove (id);
}

#define spin_until(cond, data) spin_until_impl ((Condition) (cond), (data), #cond)

static gboolean
window_ready (BcWindow *window)
{
  return bc_window_get_workbook (window) != NULL && !bc_window_get_busy (window) &&
         bc_window_get_reports (window) != NULL &&
         g_list_model_get_n_items (G_LIST_MODEL (bc_window_get_reports (window))) > 0;
}

static gboolean
report_shown (BcWindow *window)
{
  BcReport *report = bc_form_view_get_report (bc_window_get_form_view (window));

  return report != NULL && g_strcmp0 (bc_report_get_id (report), bc_window_get_report_id (window)) == 0 &&
         bc_form_view_is_complete (bc_window_get_form_view (window));
}

static gboolean
is_set (gpointer *result)
{
  return *result != NULL;
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static char *
pdf_text (const char *pdf)
{
  const char *argv[] = { "pdftotext", "-layout", pdf, "-", NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

static BcWindow *
demo_window (const char *template_id)
{
  BcWindow *window = bc_window_new (app);
  BcReportList *reports;
  const char *id = NULL;

  gtk_window_present (GTK_WINDOW (window));
  bc_window_open_demo (window);
  spin_until (window_ready, window);

  reports = bc_window_get_reports (window);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (reports)) && id == NULL; i++)
    {
      g_autoptr(BcReportItem) item = g_list_model_get_item (G_LIST_MODEL (reports), i);

      if (g_str_equal (bc_report_item_get_template_id (item), template_id))
        id = g_intern_string (bc_report_item_get_id (item));
    }
  g_assert_nonnull (id);
  g_assert_true (bc_window_select_report (window, id));
  spin_until (report_shown, window);
  return window;
}

static void
test_write (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-app-export-XXXXXX", &error);
  g_autofree char *pdf = g_build_filename (dir, "báo cáo quý 2.pdf", NULL);
  g_autofree char *csv = g_build_filename (dir, "quy-2.csv", NULL);
  g_autofree char *text = NULL;
  g_autofree char *csv_text = NULL;
  BcWindow *window = demo_window ("egov-quarterly");
  GAsyncResult *result = NULL;

  g_assert_no_error (error);

  /* Export writes the report shown, off the UI thread, and says so. */
  bc_export_write_async (window, BC_EXPORT_PDF, pdf, store_result, &result);
  g_assert_null (result);
  spin_until (is_set, (gpointer *) &result);
  bc_export_write_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  text = pdf_text (pdf);
  g_assert_nonnull (strstr (text, "Số: 140/BC-UBND"));
  g_assert_nonnull (strstr (text, "Phạm Trường Thọ"));
  /* The demo workbook's export is a training sample, and says so on every
   * page (pdftotext ends each page with a form feed). */
  {
    guint marks = 0, pages = 0;

    for (const char *p = strstr (text, "TRAINING SAMPLE – NOT AN OFFICIAL DOCUMENT"); p != NULL;
         p = strstr (p + 1, "TRAINING SAMPLE – NOT AN OFFICIAL DOCUMENT"))
      marks++;
    for (const char *p = strchr (text, '\f'); p != NULL; p = strchr (p + 1, '\f'))
      pages++;
    g_assert_cmpuint (pages, >, 1);
    g_assert_cmpuint (marks, ==, pages);
  }

  bc_export_write_async (window, BC_EXPORT_CSV, csv, store_result, &result);
  spin_until (is_set, (gpointer *) &result);
  bc_export_write_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_file_get_contents (csv, &csv_text, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (csv_text, "\xEF\xBB\xBF" "path,"));

  /* A folder that is not there: an error, and no file. */
  {
    g_autofree char *missing = g_build_filename (dir, "missing", "x.xlsx", NULL);

    bc_export_write_async (window, BC_EXPORT_XLSX, missing, store_result, &result);
    spin_until (is_set, (gpointer *) &result);
    g_assert_false (bc_export_write_finish (result, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
    g_clear_object (&result);
    g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  bc_test_remove_tree (dir);
}

/* Print draws the pages the PDF export writes: the same print operation as
 * the print dialog runs, exporting to a file. */
static void
test_print_same_pages (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-app-print-XXXXXX", &error);
  g_autofree char *exported = g_build_filename (dir, "exported.pdf", NULL);
  g_autofree char *printed = g_build_filename (dir, "printed.pdf", NULL);
  g_autofree char *exported_text = NULL;
  g_autofree char *printed_text = NULL;
  BcWindow *window = demo_window ("inspection-remediation");
  g_autoptr(BcExportItem) item = NULL;
  g_autoptr(BcDocument) document = NULL;
  g_autoptr(GtkPrintOperation) operation = NULL;
  GtkPrintOperationResult outcome;

  g_assert_no_error (error);
  item = bc_export_item_load (bc_window_get_workbook (window), bc_window_get_report_id (window), &error);
  g_assert_no_error (error);
  document = bc_document_new (item->template_, item->report, item->previous, &error);
  g_assert_no_error (error);
  bc_document_write_pdf (document, exported, &error);
  g_assert_no_error (error);

  operation = bc_export_print_operation_new (document);
  gtk_print_operation_set_export_filename (operation, printed);
  outcome = gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_EXPORT, GTK_WINDOW (window), &error);
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, GTK_PRINT_OPERATION_RESULT_APPLY);

  exported_text = pdf_text (exported);
  printed_text = pdf_text (printed);
  g_assert_cmpuint (bc_document_get_n_pages (document), >, 1);
  g_assert_cmpstr (printed_text, ==, exported_text);

  gtk_window_destroy (GTK_WINDOW (window));
  bc_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *dirs[] = { "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME" };
  int status;

  /* Nothing of the user's is touched: a home of our own. */
  tmp_home = g_dir_make_tmp ("test-app-export-home-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("HOME", tmp_home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", tmp_home, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir = g_build_filename (tmp_home, dirs[i], NULL);

      g_mkdir_with_parents (dir, 0700);
      g_setenv (dirs[i], dir, TRUE);
    }
  g_setenv ("BAOCAO_LANGUAGE", "en", TRUE);

  setlocale (LC_ALL, "");
  bc_i18n_init ();
  gtk_test_init (&argc, &argv, NULL);
  bc_test_allow_short_frame_warning ();

  app = bc_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_hold (G_APPLICATION (app));

  g_test_add_func ("/app/export/write", test_write);
  g_test_add_func ("/app/export/print-same-pages", test_print_same_pages);

  status = g_test_run ();

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  bc_test_remove_tree (tmp_home);
  g_free (tmp_home);
  return status;
}
