/* bc-export.c: the window's Export… (PDF, XLSX, CSV) and Print of the report shown.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-export"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "bc-document.h"
#include "bc-export.h"
#include "bc-spreadsheet.h"

typedef BcExportFormat ExportKind;
#define EXPORT_PDF  BC_EXPORT_PDF
#define EXPORT_XLSX BC_EXPORT_XLSX
#define EXPORT_CSV  BC_EXPORT_CSV

static const struct {
  const char *action;
  const char *extension;
  const char *mime_type;
  const char *title;        /* the file chooser's */
  const char *filter_name;
} kinds[] = {
  [EXPORT_PDF] = { "pdf", "pdf", "application/pdf", N_("Export Report as PDF"), N_("PDF documents") },
  [EXPORT_XLSX] = { "xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    N_("Export Report as Spreadsheet"), N_("Excel spreadsheets (XLSX)") },
  [EXPORT_CSV] = { "csv", "csv", "text/csv", N_("Export Report as CSV"), N_("Comma-separated values (CSV)") },
};

/* One export or print: what the worker thread needs. The window is not in
 * here: it goes to the callback, which runs (and lets it go) on the UI
 * thread, whichever thread drops the task last. */
typedef struct {
  BcWorkbook *workbook;   /* a reference */
  char       *report_id;
  ExportKind  kind;
  char       *path;
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->workbook);
  g_free (job->report_id);
  g_free (job->path);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)

static Job *
job_new (BcWindow   *window,
         ExportKind  kind)
{
  Job *job = g_new0 (Job, 1);

  job->workbook = g_object_ref (bc_window_get_workbook (window));
  job->report_id = g_strdup (bc_window_get_report_id (window));
  job->kind = kind;
  return job;
}

/* The window's toast overlay, found rather than asked for: the window keeps
 * its widgets to itself. */
static AdwToastOverlay *
find_toast_overlay (GtkWidget *widget)
{
  if (ADW_IS_TOAST_OVERLAY (widget))
    return ADW_TOAST_OVERLAY (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwToastOverlay *found = find_toast_overlay (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
tell (BcWindow   *window,
      const char *message)
{
  AdwToastOverlay *overlay = find_toast_overlay (GTK_WIDGET (window));

  if (overlay != NULL)
    adw_toast_overlay_add_toast (overlay, adw_toast_new (message));
}

static void
tell_error (BcWindow   *window,
            const char *heading,
            GError     *error)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (window), heading, error->message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* --- export to a file ------------------------------------------------------ */

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BcExportItem) item = bc_export_item_load (job->workbook, job->report_id, &error);
  gboolean done = FALSE;

  if (item != NULL)
    {
      switch (job->kind)
        {
        case EXPORT_PDF:
          {
            g_autoptr(BcDocument) document = bc_document_new_with_plans (item->template_, item->report,
                                                                         item->previous,
                                                                         bc_workbook_get_templates (job->workbook),
                                                                         &error);

            if (document != NULL)
              bc_document_set_training (document, item->training);
            done = document != NULL && bc_document_write_pdf (document, job->path, &error);
          }
          break;

        case EXPORT_XLSX:
          done = bc_report_write_xlsx (item, job->path, &error);
          break;

        case EXPORT_CSV:
          done = bc_report_write_csv (item, job->path, &error);
          break;

        default:
          g_assert_not_reached ();
        }
    }

  if (done)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

/* Tells the window how it went, then hands the result to the caller. */
static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  BcWindow *window = g_task_get_source_object (outer);
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *name = g_filename_display_basename (job->path);
      /* TRANSLATORS: %s is a file name */
      g_autofree char *message = g_strdup_printf (_("Exported “%s”"), name);

      tell (window, message);
      g_task_return_boolean (outer, TRUE);
    }
  else
    {
      tell_error (window, _("Could Not Export the Report"), error);
      g_task_return_error (outer, g_steal_pointer (&error));
    }
}

void
bc_export_write_async (BcWindow            *window,
                       BcExportFormat       format,
                       const char          *path,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  /* The outer task lives on the UI thread and holds the window; the inner
   * one carries only what the worker needs. */
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (BC_IS_WINDOW (window));
  g_return_if_fail (path != NULL);

  outer = g_task_new (window, NULL, callback, user_data);
  g_task_set_source_tag (outer, bc_export_write_async);

  if (bc_window_get_workbook (window) == NULL || bc_window_get_report_id (window) == NULL)
    {
      g_task_return_new_error (outer, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no report to export."));
      return;
    }

  job = job_new (window, format);
  job->path = g_strdup (path);
  task = g_task_new (NULL, NULL, export_done_cb, g_steal_pointer (&outer));
  g_task_set_source_tag (task, bc_export_write_async);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, export_thread);
}

gboolean
bc_export_write_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bc_export_write_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  BcWindow *window = BC_WINDOW (gtk_native_dialog_get_transient_for (chooser));
  ExportKind kind = GPOINTER_TO_INT (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = g_file_get_path (file);

      if (path == NULL)
        {
          g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                                 _("Baocao can only write to a folder on this computer. Choose a local folder."));

          tell_error (window, _("Could Not Export the Report"), error);
        }
      else
        bc_export_write_async (window, kind, path, NULL, NULL);
    }

  g_object_unref (chooser);
}

static char *
suggested_name (BcWindow   *window,
                const char *extension)
{
  BcReport *report = bc_form_view_get_report (bc_window_get_form_view (window));

  if (report == NULL)
    return g_strconcat ("baocao.", extension, NULL);

  return g_strdup_printf ("%s-%s-%s.%s", bc_report_get_template_id (report),
                          bc_report_get_period_id (report), bc_report_get_unit (report), extension);
}

static void
export_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer      user_data)
{
  BcWindow *window = user_data;
  const char *name = g_action_get_name (G_ACTION (action));
  ExportKind kind = EXPORT_PDF;
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *suggestion = NULL;

  if (bc_window_get_workbook (window) == NULL || bc_window_get_report_id (window) == NULL)
    return;

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    if (g_str_equal (kinds[k].action, name))
      kind = k;

  chooser = gtk_file_chooser_native_new (_(kinds[kind].title), GTK_WINDOW (window),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_filter_set_name (filter, _(kinds[kind].filter_name));
  gtk_file_filter_add_mime_type (filter, kinds[kind].mime_type);
  gtk_file_filter_add_suffix (filter, kinds[kind].extension);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  suggestion = suggested_name (window, kinds[kind].extension);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), suggestion);

  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), GINT_TO_POINTER (kind));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* --- print ----------------------------------------------------------------- */

static void
layout_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BcExportItem) item = bc_export_item_load (job->workbook, job->report_id, &error);
  BcDocument *document = NULL;

  if (item != NULL)
    document = bc_document_new_with_plans (item->template_, item->report, item->previous,
                                           bc_workbook_get_templates (job->workbook), &error);

  if (document != NULL)
    {
      /* The printer gets the same demo mark as the PDF. */
      bc_document_set_training (document, item->training);
      g_task_return_pointer (task, document, g_object_unref);
    }
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
draw_page_cb (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page,
              BcDocument        *document)
{
  /* In points from the paper's corner: the PDF's own coordinates. */
  bc_document_draw_page (document, gtk_print_context_get_cairo_context (context), page);
}

static void
print_done_cb (GtkPrintOperation       *operation,
               GtkPrintOperationResult  result,
               BcWindow                *window)
{
  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      g_autoptr(GError) error = NULL;

      gtk_print_operation_get_error (operation, &error);
      tell_error (window, _("Could Not Print the Report"), error);
    }

  g_object_set_data (G_OBJECT (operation), "bc-export-done", GINT_TO_POINTER (TRUE));
  g_object_unref (operation);
}

GtkPrintOperation *
bc_export_print_operation_new (BcDocument *document)
{
  g_autoptr(GtkPageSetup) setup = gtk_page_setup_new ();
  GtkPrintOperation *operation;

  g_return_val_if_fail (BC_IS_DOCUMENT (document), NULL);

  gtk_page_setup_set_paper_size (setup, gtk_paper_size_new (GTK_PAPER_NAME_A4));
  gtk_page_setup_set_orientation (setup, GTK_PAGE_ORIENTATION_PORTRAIT);

  operation = gtk_print_operation_new ();
  gtk_print_operation_set_default_page_setup (operation, setup);
  gtk_print_operation_set_n_pages (operation, (int) bc_document_get_n_pages (document));
  /* The PDF's own coordinates: points from the paper's corner. */
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  gtk_print_operation_set_use_full_page (operation, TRUE);
  gtk_print_operation_set_embed_page_setup (operation, FALSE);
  g_signal_connect_data (operation, "draw-page", G_CALLBACK (draw_page_cb),
                         g_object_ref (document), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  return operation;
}

static void
laid_out_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(BcWindow) window = user_data;
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(BcDocument) document = g_task_propagate_pointer (G_TASK (result), &error);
  GtkPrintOperation *operation;

  if (document == NULL)
    {
      tell_error (window, _("Could Not Print the Report"), error);
      return;
    }

  operation = bc_export_print_operation_new (document);
  gtk_print_operation_set_allow_async (operation, TRUE);
  gtk_print_operation_set_job_name (operation, job->report_id);
  g_signal_connect_object (operation, "done", G_CALLBACK (print_done_cb), window, 0);

  /* "done" lets the operation go, and may come before run() returns: a
   * reference of our own keeps it alive until then. */
  g_object_ref (operation);
  if (gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                               GTK_WINDOW (window), &error) == GTK_PRINT_OPERATION_RESULT_ERROR &&
      g_object_get_data (G_OBJECT (operation), "bc-export-done") == NULL)
    {
      tell_error (window, _("Could Not Print the Report"), error);
      g_object_unref (operation);
    }
  g_object_unref (operation);
}

static void
print_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer      user_data)
{
  BcWindow *window = user_data;
  g_autoptr(GTask) task = NULL;

  if (bc_window_get_workbook (window) == NULL || bc_window_get_report_id (window) == NULL)
    return;

  /* A long report takes a moment to lay out: not on the UI thread. */
  task = g_task_new (NULL, NULL, laid_out_cb, g_object_ref (window));
  g_task_set_source_tag (task, print_activated);
  g_task_set_task_data (task, job_new (window, EXPORT_PDF), (GDestroyNotify) job_free);
  g_task_run_in_thread (task, layout_thread);
}

/* --- install ----------------------------------------------------------------- */

static void
update_enabled (BcFormView   *form_view,
                GParamSpec   *pspec,
                GActionGroup *group)
{
  gboolean shown = bc_form_view_get_report (form_view) != NULL;
  const char *names[] = { "pdf", "xlsx", "csv", "print" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (group), names[i])),
                                 shown);
}

GActionGroup *
bc_export_install (BcWindow *window)
{
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  const GActionEntry entries[] = {
    { "pdf", export_activated, NULL, NULL, NULL, { 0 } },
    { "xlsx", export_activated, NULL, NULL, NULL, { 0 } },
    { "csv", export_activated, NULL, NULL, NULL, { 0 } },
    { "print", print_activated, NULL, NULL, NULL, { 0 } },
  };
  BcFormView *form_view;

  g_return_val_if_fail (BC_IS_WINDOW (window), NULL);

  g_action_map_add_action_entries (G_ACTION_MAP (group), entries, G_N_ELEMENTS (entries), window);
  gtk_widget_insert_action_group (GTK_WIDGET (window), "export", G_ACTION_GROUP (group));

  form_view = bc_window_get_form_view (window);
  g_signal_connect_object (form_view, "notify::report", G_CALLBACK (update_enabled), group, 0);
  update_enabled (form_view, NULL, G_ACTION_GROUP (group));
  return G_ACTION_GROUP (group);
}
