/* bc-new-report-dialog.c: starts a report: form, period and unit.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-new-report"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "bc-i18n.h"
#include "bc-new-report-dialog.h"
#include "bc-outbox.h"
#include "bc-period.h"
#include "bc-plan.h"

/* How many periods before the current one can be chosen: late reports for
 * last year still get written. */
#define N_PAST_PERIODS 4

struct _BcNewReportDialog
{
  AdwWindow     parent_instance;

  AdwComboRow  *template_row;
  AdwComboRow  *period_row;
  AdwEntryRow  *unit_row;
  GtkLabel     *due_label;
  GtkLabel     *error_label;
  GtkWidget    *create_button;
  GtkLabel     *create_hint;
  AdwWindowTitle *title_widget;

  BcWorkbook   *workbook;
  GSettings    *settings;
  GCancellable *cancellable;
  GPtrArray    *templates;     /* BcTemplate*, as in template_row */
  GArray       *periods;       /* BcPeriod, as in period_row */
  GDate         today;
  gboolean      creating;
  gboolean      demo;          /* training data: never a source of settings */
};

enum {
  SIGNAL_REPORT_CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BcNewReportDialog, bc_new_report_dialog, ADW_TYPE_WINDOW)

static char *
format_date (const GDate *date)
{
  /* TRANSLATORS: a date, as in 19/06/2018; see strftime for the codes */
  const char *format = _("%d/%m/%Y");
  char buffer[64];

  if (g_date_strftime (buffer, sizeof buffer, format, date) == 0)
    return g_strdup ("");

  return g_strdup (buffer);
}

static BcTemplate *
selected_template (BcNewReportDialog *self)
{
  guint i = adw_combo_row_get_selected (self->template_row);

  return i < self->templates->len ? g_ptr_array_index (self->templates, i) : NULL;
}

static const BcPeriod *
selected_period (BcNewReportDialog *self)
{
  guint i = adw_combo_row_get_selected (self->period_row);

  return i < self->periods->len ? &g_array_index (self->periods, BcPeriod, i) : NULL;
}

/* The forms in the drop-down: whole titles, on two lines when long. */
static void
setup_title_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_list_item_set_child (item, label);
}

static void
bind_title_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkStringObject *title = gtk_list_item_get_item (item);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), gtk_string_object_get_string (title));
}

/* Why no version of the chosen form is for the chosen period and unit, or
 * NULL when one is (the version the report would be made on). */
static char *
uncovered_reason (BcNewReportDialog *self,
                  const char        *unit)
{
  BcTemplate *template_ = selected_template (self);
  const BcPeriod *period = selected_period (self);
  BcTemplateRegistry *registry = bc_workbook_get_templates (self->workbook);
  g_autofree char *period_id = NULL;
  g_autofree char *label = NULL;

  if (template_ == NULL || period == NULL || registry == NULL)
    return NULL;
  period_id = bc_period_to_id (period);
  if (bc_template_registry_lookup_for (registry, bc_template_get_id (template_), period_id, unit, NULL) != NULL)
    return NULL;

  label = bc_period_label (period, bc_i18n_language ());
  return g_strdup_printf (_("No installed version of this form is for %s and “%s”. Choose another period or form, or ask your province for the version it issued for that period."),
                          label, unit);
}

static void
update_create (BcNewReportDialog *self)
{
  const char *unit = gtk_editable_get_text (GTK_EDITABLE (self->unit_row));
  g_autofree char *stripped = g_strstrip (g_strdup (unit));
  const char *why = NULL;
  g_autofree char *uncovered = NULL;

  /* A greyed-out Create says why, beside it and under the fields. */
  if (self->creating)
    why = _("Creating the report…");
  else if (selected_template (self) == NULL)
    why = _("Choose the form first.");
  else if (selected_period (self) == NULL)
    why = _("Choose the period first.");
  else if (*stripped == '\0')
    why = _("Write your unit’s name or code to create the report.");
  else if ((uncovered = uncovered_reason (self, stripped)) != NULL)
    why = uncovered;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.create", why == NULL);
  gtk_widget_set_tooltip_text (self->create_button, why);
  gtk_label_set_text (self->create_hint, why != NULL ? why : "");
  gtk_widget_set_visible (GTK_WIDGET (self->create_hint), why != NULL && !self->creating);
  if (why != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->create_button),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, why, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self->create_button),
                                   GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

/* The data window and due date are the plan's in force for the period and
 * the unit typed: none without one. */
static void
update_due (BcNewReportDialog *self)
{
  const BcPeriod *period = selected_period (self);
  BcTemplateRegistry *registry = bc_workbook_get_templates (self->workbook);
  g_autofree char *unit = NULL;
  g_autofree char *period_id = NULL;
  BcPlan *plan = NULL;
  GDate start, end, due;
  g_autofree char *start_text = NULL;
  g_autofree char *end_text = NULL;
  g_autofree char *due_text = NULL;
  g_autofree char *text = NULL;
  int days;

  if (period == NULL)
    {
      gtk_label_set_text (self->due_label, "");
      return;
    }

  unit = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->unit_row))));
  period_id = bc_period_to_id (period);
  if (registry != NULL)
    plan = bc_template_registry_lookup_plan (registry, period_id, unit);

  g_date_clear (&start, 1);
  g_date_clear (&end, 1);
  g_date_clear (&due, 1);
  if (plan == NULL || !bc_plan_due_date (plan, period, &due))
    {
      /* TRANSLATORS: the new report's period is under no plan that sets a due date */
      gtk_label_set_text (self->due_label, _("No due date set: no plan in force for this period and unit sets one."));
      return;
    }
  if (!bc_plan_window (plan, period, &start, &end))
    start = end = due;
  start_text = format_date (&start);
  end_text = format_date (&end);
  due_text = format_date (&due);
  days = g_date_days_between (&self->today, &due);

  if (days > 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Figures from %s to %s. Due by %s, in %d day.",
                                         "Figures from %s to %s. Due by %s, in %d days.",
                                         days),
                            start_text, end_text, due_text, days);
  else if (days == 0)
    text = g_strdup_printf (_("Figures from %s to %s. Due today, %s."),
                            start_text, end_text, due_text);
  else
    text = g_strdup_printf (_("Figures from %s to %s. It was due by %s: the report will be late."),
                            start_text, end_text, due_text);

  gtk_label_set_text (self->due_label, text);
}

/* The periods around the one being reported now (bc_period_to_report()),
 * of the template's kind, that one selected. */
static void
fill_periods (BcNewReportDialog *self)
{
  BcTemplate *template_ = selected_template (self);
  BcPeriodType type = template_ != NULL ? bc_template_get_period_type (template_) : BC_PERIOD_QUARTER;
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  const char *lang = bc_i18n_language ();
  BcPeriod current;
  BcPeriod period;

  bc_period_to_report (type, &self->today, &current);
  period = current;
  for (guint i = 0; i < N_PAST_PERIODS; i++)
    {
      BcPeriod previous;

      bc_period_previous (&period, &previous);
      period = previous;
    }

  g_array_set_size (self->periods, 0);
  for (guint i = 0; i < N_PAST_PERIODS + 2; i++)
    {
      g_autofree char *label = bc_period_label (&period, lang);
      BcPeriod next;

      g_array_append_val (self->periods, period);
      gtk_string_list_append (labels, label);
      bc_period_next (&period, &next);
      period = next;
    }

  adw_combo_row_set_model (self->period_row, G_LIST_MODEL (labels));
  adw_combo_row_set_selected (self->period_row, N_PAST_PERIODS);
  update_due (self);
  update_create (self);
}

static void
template_selected_cb (BcNewReportDialog *self)
{
  fill_periods (self);
}

static void
period_selected_cb (BcNewReportDialog *self)
{
  update_due (self);
  update_create (self);
}

static void
unit_changed_cb (BcNewReportDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  update_due (self);
  update_create (self);
}

/* --- creating ------------------------------------------------------------ */

typedef struct {
  BcWorkbook *workbook;
  char       *template_id;
  char       *period_id;
  char       *unit;
  GApplication *application;  /* held while the report is written */
} CreateRequest;

static void
create_request_free (CreateRequest *request)
{
  g_clear_object (&request->workbook);
  g_free (request->template_id);
  g_free (request->period_id);
  g_free (request->unit);
  g_free (request);
}

static void
create_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CreateRequest *request = task_data;
  GError *error = NULL;
  char *id;

  id = bc_outbox_check_unit (request->workbook, request->unit, &error)
    ? bc_workbook_create_report (request->workbook, request->template_id,
                                 request->period_id, request->unit, &error)
    : NULL;
  if (id == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, id, g_free);
}

static void
create_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  BcNewReportDialog *self = BC_NEW_REPORT_DIALOG (source);
  CreateRequest *request = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_task_propagate_pointer (G_TASK (result), &error);

  if (request->application != NULL)
    g_application_release (g_steal_pointer (&request->application));

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->creating = FALSE;

  /* The unit an officer types once is the one they report for: kept once
   * a report was made with it, and never from a demo's training data. */
  if (id != NULL && !self->demo && self->settings != NULL && *request->unit != '\0')
    {
      g_autofree char *saved = g_settings_get_string (self->settings, "unit");

      if (*saved == '\0')
        g_settings_set_string (self->settings, "unit", request->unit);
    }

  if (id == NULL)
    {
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      update_create (self);
      return;
    }

  g_signal_emit (self, signals[SIGNAL_REPORT_CREATED], 0, id);
  gtk_window_close (GTK_WINDOW (self));
}

static void
create_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  BcNewReportDialog *self = BC_NEW_REPORT_DIALOG (widget);
  BcTemplate *template_ = selected_template (self);
  const BcPeriod *period = selected_period (self);
  g_autoptr(GTask) task = NULL;
  CreateRequest *request;

  if (template_ == NULL || period == NULL || self->creating)
    return;

  request = g_new0 (CreateRequest, 1);
  request->workbook = g_object_ref (self->workbook);
  request->template_id = g_strdup (bc_template_get_id (template_));
  request->period_id = bc_period_to_id (period);
  request->unit = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->unit_row))));

  self->creating = TRUE;
  update_create (self);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);

  /* Quitting waits for the report to be written. */
  request->application = g_application_get_default ();
  if (request->application != NULL)
    g_application_hold (request->application);

  task = g_task_new (self, self->cancellable, create_cb, NULL);
  g_task_set_source_tag (task, create_action);
  g_task_set_task_data (task, request, (GDestroyNotify) create_request_free);
  g_task_run_in_thread (task, create_thread);
}

/* --- the default unit ------------------------------------------------------ */

static void
unit_setting_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  g_task_return_pointer (task, bc_workbook_get_setting (task_data, "unit"), g_free);
}

static void
unit_setting_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  BcNewReportDialog *self = BC_NEW_REPORT_DIALOG (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *unit = g_task_propagate_pointer (G_TASK (result), &error);

  if (error != NULL)
    return;

  /* Only fill in what the user has not started typing. */
  if (unit != NULL && *gtk_editable_get_text (GTK_EDITABLE (self->unit_row)) == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->unit_row), unit);
}

/* --- GObject ------------------------------------------------------------- */

static void
bc_new_report_dialog_dispose (GObject *object)
{
  BcNewReportDialog *self = BC_NEW_REPORT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), BC_TYPE_NEW_REPORT_DIALOG);
  g_clear_object (&self->workbook);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->templates, g_ptr_array_unref);
  g_clear_pointer (&self->periods, g_array_unref);

  G_OBJECT_CLASS (bc_new_report_dialog_parent_class)->dispose (object);
}

static void
bc_new_report_dialog_class_init (BcNewReportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bc_new_report_dialog_dispose;

  signals[SIGNAL_REPORT_CREATED] =
    g_signal_new ("report-created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/baocao/Baocao/bc-new-report-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, BcNewReportDialog, template_row);
  gtk_widget_class_bind_template_child (widget_class, BcNewReportDialog, period_row);
  gtk_widget_class_bind_template_child (widget_class, BcNewReportDialog, unit_row);
  gtk_widget_class_bind_template_child (widget_class, BcNewReportDialog, due_label);
  gtk_widget_class_bind_template_child (widget_class, BcNewReportDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, BcNewReportDialog, create_button);
  gtk_widget_class_bind_template_child (widget_class, BcNewReportDialog, create_hint);
  gtk_widget_class_bind_template_child (widget_class, BcNewReportDialog, title_widget);

  gtk_widget_class_install_action (widget_class, "dialog.create", NULL, create_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
bc_new_report_dialog_init (BcNewReportDialog *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  self->cancellable = g_cancellable_new ();
  self->periods = g_array_new (FALSE, FALSE, sizeof (BcPeriod));
  g_date_clear (&self->today, 1);
  g_date_set_dmy (&self->today,
                  g_date_time_get_day_of_month (now),
                  g_date_time_get_month (now),
                  g_date_time_get_year (now));

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_window_set_default_widget (GTK_WINDOW (self), self->create_button);
}

BcNewReportDialog *
bc_new_report_dialog_new (GtkWindow  *parent,
                          BcWorkbook *workbook,
                          GSettings  *settings)
{
  BcNewReportDialog *self;
  g_autoptr(GtkStringList) titles = gtk_string_list_new (NULL);
  const char *lang = bc_i18n_language ();
  g_autofree char *unit = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (BC_TYPE_NEW_REPORT_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->workbook = g_object_ref (workbook);
  self->settings = settings != NULL ? g_object_ref (settings) : NULL;
  self->demo = bc_workbook_get_kind (workbook) == BC_WORKBOOK_KIND_DEMO;
  /* Training data says so everywhere, this dialog included. */
  if (self->demo)
    {
      adw_window_title_set_subtitle (self->title_widget, _("Demo workbook — training data"));
      gtk_widget_add_css_class (GTK_WIDGET (self), "demo");
    }

  /* Templates are in memory once the workbook is open. */
  self->templates = bc_template_registry_list_latest (bc_workbook_get_templates (workbook));
  for (guint i = 0; i < self->templates->len; i++)
    gtk_string_list_append (titles, bc_text_get (bc_template_get_title (g_ptr_array_index (self->templates, i)), lang));
  adw_combo_row_set_model (self->template_row, G_LIST_MODEL (titles));
  {
    GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

    g_signal_connect (factory, "setup", G_CALLBACK (setup_title_cb), NULL);
    g_signal_connect (factory, "bind", G_CALLBACK (bind_title_cb), NULL);
    adw_combo_row_set_list_factory (self->template_row, factory);
    g_object_unref (factory);
  }
  adw_combo_row_set_selected (self->template_row, 0);
  fill_periods (self);

  g_signal_connect_swapped (self->template_row, "notify::selected",
                            G_CALLBACK (template_selected_cb), self);
  g_signal_connect_swapped (self->period_row, "notify::selected",
                            G_CALLBACK (period_selected_cb), self);
  g_signal_connect_swapped (self->unit_row, "changed",
                            G_CALLBACK (unit_changed_cb), self);

  if (self->settings != NULL)
    unit = g_settings_get_string (self->settings, "unit");
  if (unit != NULL && *unit != '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->unit_row), unit);
  else
    {
      g_autoptr(GTask) task = g_task_new (self, self->cancellable, unit_setting_cb, NULL);

      g_task_set_task_data (task, g_object_ref (workbook), g_object_unref);
      g_task_run_in_thread (task, unit_setting_thread);
    }

  update_create (self);

  return self;
}

void
bc_new_report_dialog_set_today (BcNewReportDialog *self,
                                const GDate       *today)
{
  g_return_if_fail (BC_IS_NEW_REPORT_DIALOG (self));
  g_return_if_fail (today != NULL && g_date_valid (today));

  self->today = *today;
  fill_periods (self);
}
