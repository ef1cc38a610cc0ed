/* bc-conflict-dialog.c: a report in conflict, this computer's copy beside
 * the province's, one choice per difference.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The province's copy is fetched by the sync controller's client, the
 * comparison and the resolution run in GTask threads: the window never
 * waits on the network or the workbook.
 */
#define G_LOG_DOMAIN "bc-conflict-dialog"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "bc-conflict.h"
#include "bc-conflict-dialog.h"
#include "bc-i18n.h"
#include "bc-sync-client.h"

struct _BcConflictDialog
{
  AdwWindow           parent_instance;

  BcWorkbook         *workbook;
  BcSyncController   *controller;
  char               *report_id;
  GCancellable       *cancellable;
  BcSyncServerReport *province;
  GPtrArray          *diffs;       /* Diff* */

  GtkStack           *stack;
  AdwStatusPage      *error_page;
  GtkWidget          *list;
  GtkLabel           *error_label;
  GtkWidget          *keep_button;
  char               *error;
  gboolean            ready;
  gboolean            resolving;
};

G_DEFINE_FINAL_TYPE (BcConflictDialog, bc_conflict_dialog, ADW_TYPE_WINDOW)

enum { SIGNAL_RESOLVED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* One difference, as shown. */
typedef struct {
  char      *id;
  char      *label;
  char      *mine;
  char      *province;
  GtkWidget *province_toggle;   /* not owned */
} Diff;

static void
diff_free (Diff *diff)
{
  g_free (diff->id);
  g_free (diff->label);
  g_free (diff->mine);
  g_free (diff->province);
  g_free (diff);
}

static void
set_error (BcConflictDialog *self,
           const char       *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
}

static void start_fetch (BcConflictDialog *self);

/* --- the rows -------------------------------------------------------------- */

static GtkWidget *
choice_button (const char *text,
               const char *field_label)
{
  GtkWidget *button = gtk_toggle_button_new ();
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_button_set_child (GTK_BUTTON (button), label);
  gtk_widget_set_hexpand (button, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, field_label,
                                  -1);
  return button;
}

static void
show_diffs (BcConflictDialog *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->list), child);

  for (guint i = 0; i < self->diffs->len; i++)
    {
      Diff *diff = g_ptr_array_index (self->diffs, i);
      GtkWidget *row = gtk_list_box_row_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      GtkWidget *heading = gtk_label_new (diff->label);
      GtkWidget *choices = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
      g_autofree char *mine_text = NULL;
      g_autofree char *province_text = NULL;
      GtkWidget *mine, *province;

      /* TRANSLATORS: a choice in a conflict: this computer's value of the field */
      mine_text = g_strdup_printf (_("This computer: %s"), diff->mine);
      /* TRANSLATORS: a choice in a conflict: the province's value of the field */
      province_text = g_strdup_printf (_("Province: %s"), diff->province);

      gtk_widget_set_margin_start (box, 12);
      gtk_widget_set_margin_end (box, 12);
      gtk_widget_set_margin_top (box, 10);
      gtk_widget_set_margin_bottom (box, 10);
      gtk_label_set_wrap (GTK_LABEL (heading), TRUE);
      gtk_label_set_xalign (GTK_LABEL (heading), 0);
      gtk_widget_add_css_class (heading, "heading");
      gtk_box_append (GTK_BOX (box), heading);

      mine = choice_button (mine_text, diff->label);
      province = choice_button (province_text, diff->label);
      gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (province), GTK_TOGGLE_BUTTON (mine));
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (mine), TRUE);
      gtk_box_set_homogeneous (GTK_BOX (choices), TRUE);
      gtk_widget_add_css_class (choices, "linked");
      gtk_box_append (GTK_BOX (choices), mine);
      gtk_box_append (GTK_BOX (choices), province);
      gtk_box_append (GTK_BOX (box), choices);
      diff->province_toggle = province;

      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      diff->label, -1);
      gtk_list_box_append (GTK_LIST_BOX (self->list), row);
    }
}

/* --- comparing ----------------------------------------------------------- */

static void
compare_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  BcConflictDialog *self = source;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  GPtrArray *diffs;
  BcTemplate *template_ = NULL;
  const char *lang = bc_i18n_language ();

  (void) task_data;
  (void) cancellable;

  changes = bc_conflict_compare (self->workbook, self->report_id, self->province->content,
                                 &template_, &error);
  if (changes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  diffs = g_ptr_array_new_with_free_func ((GDestroyNotify) diff_free);
  for (guint i = 0; i < changes->len; i++)
    {
      const BcChange *change = g_ptr_array_index (changes, i);
      Diff *diff = g_new0 (Diff, 1);

      diff->id = bc_conflict_change_id (change);
      diff->label = bc_change_dup_label (change, template_, lang);
      diff->mine = bc_change_dup_old_text (change, template_, lang);
      diff->province = bc_change_dup_new_text (change, template_, lang);
      g_ptr_array_add (diffs, diff);
    }
  g_task_return_pointer (task, diffs, (GDestroyNotify) g_ptr_array_unref);
}

static void
show_error_page (BcConflictDialog *self,
                 const char       *message)
{
  set_error (self, message);
  adw_status_page_set_description (self->error_page, message);
  gtk_stack_set_visible_child_name (self->stack, "error");
  gtk_widget_set_sensitive (self->keep_button, FALSE);
  self->ready = TRUE;
}

static void
compare_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  BcConflictDialog *self = BC_CONFLICT_DIALOG (source);
  g_autoptr(GError) error = NULL;
  GPtrArray *diffs = g_task_propagate_pointer (G_TASK (result), &error);

  (void) user_data;

  if (diffs == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error_page (self, error->message);
      return;
    }
  g_clear_pointer (&self->diffs, g_ptr_array_unref);
  self->diffs = diffs;
  show_diffs (self);
  set_error (self, NULL);
  gtk_stack_set_visible_child_name (self->stack, "list");
  gtk_widget_set_sensitive (self->keep_button, TRUE);
  self->ready = TRUE;
}

/* --- fetching ---------------------------------------------------------------- */

static void
fetch_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(BcConflictDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  BcSyncServerReport *province;

  province = bc_sync_controller_fetch_report_finish (BC_SYNC_CONTROLLER (source), result, &error);
  if (province == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* The client's words already say what to do (the controller's
       * addition is about reports waiting to be sent). */
      show_error_page (self, error->message);
      return;
    }
  g_clear_pointer (&self->province, bc_sync_server_report_free);
  self->province = province;

  task = g_task_new (self, self->cancellable, compare_done_cb, NULL);
  g_task_set_source_tag (task, fetch_done_cb);
  g_task_run_in_thread (task, compare_thread);
}

static void
start_fetch (BcConflictDialog *self)
{
  self->ready = FALSE;
  set_error (self, NULL);
  gtk_widget_set_sensitive (self->keep_button, FALSE);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  bc_sync_controller_fetch_report_async (self->controller, self->report_id, self->cancellable,
                                         fetch_done_cb, g_object_ref (self));
}

/* --- resolving --------------------------------------------------------------- */

static void
resolve_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  BcConflictDialog *self = source;
  GStrv take = task_data;
  g_autoptr(GError) error = NULL;

  (void) cancellable;

  if (bc_conflict_resolve (self->workbook, self->report_id, self->province->content,
                           self->province->current_revision, self->province->max_revision,
                           (const char * const *) take, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
resolve_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  BcConflictDialog *self = BC_CONFLICT_DIALOG (source);
  g_autoptr(GError) error = NULL;

  (void) user_data;

  self->resolving = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_error (self, error->message);
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      gtk_widget_set_sensitive (self->keep_button, TRUE);
      return;
    }

  g_signal_emit (self, signals[SIGNAL_RESOLVED], 0, self->report_id);
  bc_sync_controller_send_now (self->controller);
  gtk_window_close (GTK_WINDOW (self));
}

static void
keep_clicked_cb (BcConflictDialog *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GTask) task = NULL;

  if (self->province == NULL || self->diffs == NULL || self->resolving)
    return;

  for (guint i = 0; i < self->diffs->len; i++)
    {
      Diff *diff = g_ptr_array_index (self->diffs, i);

      if (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (diff->province_toggle)))
        g_strv_builder_add (builder, diff->id);
    }

  self->resolving = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_widget_set_sensitive (self->keep_button, FALSE);
  task = g_task_new (self, self->cancellable, resolve_done_cb, NULL);
  g_task_set_source_tag (task, keep_clicked_cb);
  g_task_set_task_data (task, g_strv_builder_end (builder), (GDestroyNotify) g_strfreev);
  g_task_run_in_thread (task, resolve_thread);
}

/* --- the object --------------------------------------------------------------- */

gboolean
bc_conflict_dialog_get_ready (BcConflictDialog *self)
{
  g_return_val_if_fail (BC_IS_CONFLICT_DIALOG (self), FALSE);
  return self->ready;
}

const char *
bc_conflict_dialog_get_error (BcConflictDialog *self)
{
  g_return_val_if_fail (BC_IS_CONFLICT_DIALOG (self), NULL);
  return self->error;
}

static void
bc_conflict_dialog_dispose (GObject *object)
{
  BcConflictDialog *self = BC_CONFLICT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  G_OBJECT_CLASS (bc_conflict_dialog_parent_class)->dispose (object);
}

static void
bc_conflict_dialog_finalize (GObject *object)
{
  BcConflictDialog *self = BC_CONFLICT_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->workbook);
  g_clear_object (&self->controller);
  g_free (self->report_id);
  g_free (self->error);
  g_clear_pointer (&self->province, bc_sync_server_report_free);
  g_clear_pointer (&self->diffs, g_ptr_array_unref);

  G_OBJECT_CLASS (bc_conflict_dialog_parent_class)->finalize (object);
}

static void
bc_conflict_dialog_class_init (BcConflictDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bc_conflict_dialog_dispose;
  object_class->finalize = bc_conflict_dialog_finalize;

  signals[SIGNAL_RESOLVED] =
    g_signal_new ("resolved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
bc_conflict_dialog_init (BcConflictDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  GtkWidget *loading = adw_status_page_new ();
  GtkWidget *spinner = gtk_spinner_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  GtkWidget *retry = gtk_button_new_with_mnemonic (_("_Try Again"));
  GtkWidget *intro;

  self->cancellable = g_cancellable_new ();

  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (self), 640, 620);
  gtk_window_set_title (GTK_WINDOW (self), _("Compare with the Province’s Copy"));
  gtk_widget_set_name (GTK_WIDGET (self), "conflict-dialog");

  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header),
                                   adw_window_title_new (_("Compare with the Province’s Copy"), NULL));
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "window.close");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);

  self->keep_button = gtk_button_new_with_mnemonic (_("_Keep These"));
  gtk_widget_set_name (self->keep_button, "conflict-keep");
  gtk_widget_add_css_class (self->keep_button, "suggested-action");
  gtk_widget_set_sensitive (self->keep_button, FALSE);
  g_signal_connect_swapped (self->keep_button, "clicked", G_CALLBACK (keep_clicked_cb), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->keep_button);
  gtk_box_append (GTK_BOX (box), header);

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);

  gtk_spinner_start (GTK_SPINNER (spinner));
  gtk_widget_set_size_request (spinner, 32, 32);
  adw_status_page_set_title (ADW_STATUS_PAGE (loading), _("Fetching the Province’s Copy…"));
  adw_status_page_set_child (ADW_STATUS_PAGE (loading), spinner);
  gtk_stack_add_named (self->stack, loading, "loading");

  self->error_page = ADW_STATUS_PAGE (adw_status_page_new ());
  gtk_widget_set_name (GTK_WIDGET (self->error_page), "conflict-error-page");
  adw_status_page_set_icon_name (self->error_page, "network-offline-symbolic");
  adw_status_page_set_title (self->error_page, _("The Province’s Copy Cannot Be Fetched Now"));
  gtk_widget_set_halign (retry, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (retry, "pill");
  g_signal_connect_swapped (retry, "clicked", G_CALLBACK (start_fetch), self);
  adw_status_page_set_child (self->error_page, retry);
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->error_page), "error");

  gtk_widget_set_margin_start (content, 18);
  gtk_widget_set_margin_end (content, 18);
  gtk_widget_set_margin_top (content, 18);
  gtk_widget_set_margin_bottom (content, 24);

  intro = gtk_label_new (_("This report was changed here and on another computer of your unit. "
                           "For each difference, choose the value to keep. The other is not lost: "
                           "the province keeps both versions, and this computer's values stay in "
                           "the report's history."));
  gtk_label_set_wrap (GTK_LABEL (intro), TRUE);
  gtk_label_set_xalign (GTK_LABEL (intro), 0);
  gtk_box_append (GTK_BOX (content), intro);

  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (self->error_label), "conflict-error");
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_xalign (self->error_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->error_label));

  self->list = gtk_list_box_new ();
  gtk_widget_set_name (self->list, "conflict-differences");
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (self->list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Differences"), -1);
  gtk_box_append (GTK_BOX (content), self->list);

  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 720);
  adw_clamp_set_child (ADW_CLAMP (clamp), content);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_stack_add_named (self->stack, scrolled, "list");
  gtk_stack_set_visible_child_name (self->stack, "loading");

  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));
  adw_window_set_content (ADW_WINDOW (self), box);
  gtk_window_set_default_widget (GTK_WINDOW (self), self->keep_button);
}

BcConflictDialog *
bc_conflict_dialog_new (GtkWindow        *parent,
                        BcWorkbook       *workbook,
                        BcSyncController *controller,
                        const char       *report_id)
{
  BcConflictDialog *self;

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), NULL);
  g_return_val_if_fail (BC_IS_SYNC_CONTROLLER (controller), NULL);
  g_return_val_if_fail (report_id != NULL, NULL);

  self = g_object_new (BC_TYPE_CONFLICT_DIALOG, NULL);
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  self->workbook = g_object_ref (workbook);
  self->controller = g_object_ref (controller);
  self->report_id = g_strdup (report_id);
  start_fetch (self);

  return self;
}
