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
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.keep", FALSE);
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
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.keep", TRUE);
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
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.keep", FALSE);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  bc_sync_controller_fetch_report_async (self->controller, self->report_id, self->cancellable,
                                         fetch_done_cb, g_object_ref (self));
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  start_fetch (BC_CONFLICT_DIALOG (widget));
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
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.keep", TRUE);
      return;
    }

  g_signal_emit (self, signals[SIGNAL_RESOLVED], 0, self->report_id);
  bc_sync_controller_send_now (self->controller);
  gtk_window_close (GTK_WINDOW (self));
}

static void
keep_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  BcConflictDialog *self = BC_CONFLICT_DIALOG (widget);
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
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.keep", FALSE);
  task = g_task_new (self, self->cancellable, resolve_done_cb, NULL);
  g_task_set_source_tag (task, keep_action);
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
  gtk_widget_dispose_template (GTK_WIDGET (self), BC_TYPE_CONFLICT_DIALOG);
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

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/baocao/Baocao/bc-conflict-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, BcConflictDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, BcConflictDialog, error_page);
  gtk_widget_class_bind_template_child (widget_class, BcConflictDialog, list);
  gtk_widget_class_bind_template_child (widget_class, BcConflictDialog, error_label);

  gtk_widget_class_install_action (widget_class, "dialog.keep", NULL, keep_action);
  gtk_widget_class_install_action (widget_class, "dialog.retry", NULL, retry_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
bc_conflict_dialog_init (BcConflictDialog *self)
{
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
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
