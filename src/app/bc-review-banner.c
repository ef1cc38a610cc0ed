/* bc-review-banner.c: above a report, what the province said: its receipt.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Follows the form view's report. The receipt (number and time) is read
 * from the workbook's sync state off the UI thread. (The reviewer's comment
 * of a returned report is shown by the window's status banner.)
 */
#define G_LOG_DOMAIN "bc-review-banner"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "bc-outbox.h"
#include "bc-review-banner.h"
#include "bc-window.h"

struct _BcReviewBanner
{
  GtkWidget     parent_instance;

  GtkWidget    *box;
  GtkLabel     *receipt_label;
  BcFormView   *form_view;
  GCancellable *cancellable;
  char         *receipt;
};

G_DEFINE_FINAL_TYPE (BcReviewBanner, bc_review_banner, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_FORM_VIEW, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
show (BcReviewBanner *self)
{
  gtk_label_set_label (self->receipt_label, self->receipt != NULL ? self->receipt : "");
  gtk_widget_set_visible (GTK_WIDGET (self->receipt_label), self->receipt != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self), self->receipt != NULL);
}

static void
state_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  BcWorkbook *workbook = task_data;
  const char *report_id = g_object_get_data (G_OBJECT (task), "report-id");
  g_autoptr(GError) error = NULL;
  BcSyncState *state;

  (void) source;
  (void) cancellable;

  state = bc_outbox_get_state (workbook, report_id, &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, state, (GDestroyNotify) bc_sync_state_free);
}

static void
state_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  BcReviewBanner *self = BC_REVIEW_BANNER (source);
  g_autoptr(BcSyncState) state = NULL;
  g_autoptr(GError) error = NULL;

  (void) user_data;

  state = g_task_propagate_pointer (G_TASK (result), &error);
  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not read the report's sync state: %s", error->message);
      return;
    }

  g_clear_pointer (&self->receipt, g_free);
  if (state != NULL && state->receipt_number != NULL)
    {
      g_autoptr(GDateTime) at = g_date_time_new_from_unix_local (state->received_at / G_USEC_PER_SEC);
      g_autofree char *when = g_date_time_format (at, "%H:%M %d/%m/%Y");

      self->receipt = state->conflict
        /* TRANSLATORS: %s are the receipt number and a date and time */
        ? g_strdup_printf (_("Received by the province: receipt %s at %s, kept beside a version changed elsewhere."),
                           state->receipt_number, when)
        /* TRANSLATORS: %s are the receipt number and a date and time */
        : g_strdup_printf (_("Received by the province: receipt %s at %s."),
                           state->receipt_number, when);
    }
  show (self);
}

static void
report_changed_cb (BcReviewBanner *self)
{
  g_autoptr(BcReport) report = NULL;
  g_autoptr(GTask) task = NULL;
  GtkRoot *root;
  BcWorkbook *workbook;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->receipt, g_free);

  if (self->form_view != NULL)
    g_object_get (self->form_view, "report", &report, NULL);
  if (report == NULL)
    {
      show (self);
      return;
    }

  /* The reviewer's comment of a returned report is already on top of the
   * form (the window's status banner); this one adds the receipt. */
  show (self);

  root = gtk_widget_get_root (GTK_WIDGET (self));
  workbook = BC_IS_WINDOW (root) ? bc_window_get_workbook (BC_WINDOW (root)) : NULL;
  if (workbook == NULL)
    return;
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, state_done_cb, NULL);
  g_task_set_source_tag (task, report_changed_cb);
  g_object_set_data_full (G_OBJECT (task), "report-id", g_strdup (bc_report_get_id (report)), g_free);
  g_task_set_task_data (task, g_object_ref (workbook), g_object_unref);
  g_task_run_in_thread (task, state_thread);
}

void
bc_review_banner_set_form_view (BcReviewBanner *self,
                                BcFormView     *form_view)
{
  g_return_if_fail (BC_IS_REVIEW_BANNER (self));
  g_return_if_fail (form_view == NULL || BC_IS_FORM_VIEW (form_view));

  if (self->form_view == form_view)
    return;
  if (self->form_view != NULL)
    g_signal_handlers_disconnect_by_data (self->form_view, self);
  g_set_object (&self->form_view, form_view);
  if (form_view != NULL)
    g_signal_connect_swapped (form_view, "notify::report", G_CALLBACK (report_changed_cb), self);
  report_changed_cb (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FORM_VIEW]);
}

const char *
bc_review_banner_get_receipt (BcReviewBanner *self)
{
  g_return_val_if_fail (BC_IS_REVIEW_BANNER (self), NULL);
  return self->receipt;
}

static void
bc_review_banner_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_FORM_VIEW:
      bc_review_banner_set_form_view (BC_REVIEW_BANNER (object), g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_review_banner_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_FORM_VIEW:
      g_value_set_object (value, BC_REVIEW_BANNER (object)->form_view);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_review_banner_dispose (GObject *object)
{
  BcReviewBanner *self = BC_REVIEW_BANNER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->form_view != NULL)
    g_signal_handlers_disconnect_by_data (self->form_view, self);
  g_clear_object (&self->form_view);
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (bc_review_banner_parent_class)->dispose (object);
}

static void
bc_review_banner_finalize (GObject *object)
{
  BcReviewBanner *self = BC_REVIEW_BANNER (object);

  g_free (self->receipt);

  G_OBJECT_CLASS (bc_review_banner_parent_class)->finalize (object);
}

static void
bc_review_banner_class_init (BcReviewBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->set_property = bc_review_banner_set_property;
  object_class->get_property = bc_review_banner_get_property;
  object_class->dispose = bc_review_banner_dispose;
  object_class->finalize = bc_review_banner_finalize;

  properties[PROP_FORM_VIEW] =
    g_param_spec_object ("form-view", NULL, NULL, BC_TYPE_FORM_VIEW,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "reviewbanner");
}

static void
bc_review_banner_init (BcReviewBanner *self)
{
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_add_css_class (self->box, "review-banner");
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  gtk_widget_set_margin_start (self->box, 12);
  gtk_widget_set_margin_end (self->box, 12);
  gtk_widget_set_margin_top (self->box, 6);
  gtk_widget_set_margin_bottom (self->box, 6);

  self->receipt_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (self->receipt_label), "receipt");
  gtk_label_set_wrap (self->receipt_label, TRUE);
  gtk_label_set_xalign (self->receipt_label, 0);
  gtk_label_set_selectable (self->receipt_label, TRUE);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->receipt_label));

  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}
