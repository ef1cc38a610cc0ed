/* bc-report-row.c: one report in the sidebar: title, unit, status, timeliness.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-report-row"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "bc-report-row.h"

struct _BcReportRow
{
  GtkWidget     parent_instance;

  GtkLabel     *period_label;
  GtkLabel     *title_label;
  GtkLabel     *unit_label;
  GtkLabel     *status_badge;
  GtkLabel     *timeliness_badge;

  BcReportItem *item;
  gboolean      show_period;
};

G_DEFINE_FINAL_TYPE (BcReportRow, bc_report_row, GTK_TYPE_WIDGET)

static const char * const status_classes[] = {
  [BC_STATUS_DRAFT]    = "status-draft",
  [BC_STATUS_READY]    = "status-ready",
  [BC_STATUS_QUEUED]   = "status-queued",
  [BC_STATUS_SENT]     = "status-sent",
  [BC_STATUS_ACCEPTED] = "status-accepted",
  [BC_STATUS_RETURNED] = "status-returned",
};

const char *
bc_status_css_class (BcStatus status)
{
  g_return_val_if_fail (status <= BC_STATUS_LAST, NULL);

  return status_classes[status];
}

static void
set_status_class (GtkWidget  *widget,
                  const char *prefix,
                  const char *css_class)
{
  g_auto(GStrv) classes = gtk_widget_get_css_classes (widget);

  for (guint i = 0; classes[i] != NULL; i++)
    if (g_str_has_prefix (classes[i], prefix) && g_strcmp0 (classes[i], css_class) != 0)
      gtk_widget_remove_css_class (widget, classes[i]);

  if (css_class != NULL)
    gtk_widget_add_css_class (widget, css_class);
}

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

static void
bc_report_row_update (BcReportRow *self)
{
  BcStatus status;
  BcTimeliness timeliness;
  const char *timeliness_class = NULL;
  g_autofree char *accessible = NULL;
  GtkWidget *parent;

  if (self->item == NULL)
    return;

  status = bc_report_item_get_status (self->item);
  timeliness = bc_report_item_get_timeliness (self->item);

  gtk_label_set_text (self->title_label, bc_report_item_get_title (self->item));
  gtk_label_set_text (self->unit_label, bc_report_item_get_unit (self->item));
  gtk_label_set_text (self->status_badge, bc_status_label (status));
  set_status_class (GTK_WIDGET (self->status_badge), "status-", bc_status_css_class (status));

  switch (timeliness)
    {
    case BC_TIMELINESS_DUE:
      timeliness_class = "timeliness-due";
      break;
    case BC_TIMELINESS_LATE:
    case BC_TIMELINESS_SUBMITTED_LATE:
      timeliness_class = "timeliness-late";
      break;
    case BC_TIMELINESS_OPEN:
    case BC_TIMELINESS_ON_TIME:
    case BC_TIMELINESS_NO_DUE_DATE:  /* no plan in force: nothing to be late for */
    default:
      /* Nothing to act on: no badge, the list stays calm. */
      break;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->timeliness_badge), timeliness_class != NULL);
  gtk_label_set_text (self->timeliness_badge, bc_timeliness_label (timeliness));
  set_status_class (GTK_WIDGET (self->timeliness_badge), "timeliness-", timeliness_class);

  if (self->show_period)
    {
      const GDate *due = bc_report_item_get_due_date (self->item);
      g_autofree char *heading = NULL;

      if (due != NULL)
        {
          g_autofree char *date = format_date (due);

          /* TRANSLATORS: a period heading in the list of reports, e.g.
           * "Quý II/2018 · due by 19/06/2018" */
          heading = g_strdup_printf (_("%s · due by %s"), bc_report_item_get_period_label (self->item), date);
        }
      else
        heading = g_strdup (bc_report_item_get_period_label (self->item));

      gtk_label_set_text (self->period_label, heading);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->period_label), self->show_period);

  /* TRANSLATORS: how a screen reader reads a report in the list: title,
   * unit, period, status */
  accessible = g_strdup_printf (_("%s, %s, %s, %s"),
                                bc_report_item_get_title (self->item),
                                bc_report_item_get_unit (self->item),
                                bc_report_item_get_period_label (self->item),
                                bc_status_label (status));
  if (timeliness_class != NULL)
    {
      g_autofree char *with_timeliness = g_strdup_printf ("%s, %s", accessible, bc_timeliness_label (timeliness));

      g_free (accessible);
      accessible = g_steal_pointer (&with_timeliness);
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
  /* GTK 4.8 has no gtk_list_item_set_accessible_label(): the row that
   * takes the focus is the list item's widget, our parent. */
  parent = gtk_widget_get_parent (GTK_WIDGET (self));
  if (parent != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (parent),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                    -1);
}

static void
item_notify_cb (BcReportRow *self)
{
  bc_report_row_update (self);
}

static void
bc_report_row_dispose (GObject *object)
{
  BcReportRow *self = BC_REPORT_ROW (object);

  GtkWidget *child;

  bc_report_row_set_item (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), BC_TYPE_REPORT_ROW);
  /* The template's unnamed children are ours to unparent too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (bc_report_row_parent_class)->dispose (object);
}

static void
bc_report_row_class_init (BcReportRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bc_report_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/baocao/Baocao/bc-report-row.ui");
  gtk_widget_class_bind_template_child (widget_class, BcReportRow, period_label);
  gtk_widget_class_bind_template_child (widget_class, BcReportRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, BcReportRow, unit_label);
  gtk_widget_class_bind_template_child (widget_class, BcReportRow, status_badge);
  gtk_widget_class_bind_template_child (widget_class, BcReportRow, timeliness_badge);
  gtk_widget_class_set_css_name (widget_class, "bcreportrow");
}

static void
bc_report_row_init (BcReportRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
bc_report_row_new (void)
{
  return g_object_new (BC_TYPE_REPORT_ROW, NULL);
}

void
bc_report_row_set_item (BcReportRow  *self,
                        BcReportItem *item)
{
  g_return_if_fail (BC_IS_REPORT_ROW (self));
  g_return_if_fail (item == NULL || BC_IS_REPORT_ITEM (item));

  if (self->item == item)
    return;

  if (self->item != NULL)
    g_signal_handlers_disconnect_by_func (self->item, item_notify_cb, self);
  g_set_object (&self->item, item);
  if (self->item != NULL)
    g_signal_connect_swapped (self->item, "notify", G_CALLBACK (item_notify_cb), self);

  bc_report_row_update (self);
}

BcReportItem *
bc_report_row_get_item (BcReportRow *self)
{
  g_return_val_if_fail (BC_IS_REPORT_ROW (self), NULL);

  return self->item;
}

void
bc_report_row_set_show_period (BcReportRow *self,
                               gboolean     show_period)
{
  g_return_if_fail (BC_IS_REPORT_ROW (self));

  show_period = !!show_period;
  if (self->show_period == show_period)
    return;

  self->show_period = show_period;
  bc_report_row_update (self);
}

gboolean
bc_report_row_get_show_period (BcReportRow *self)
{
  g_return_val_if_fail (BC_IS_REPORT_ROW (self), FALSE);

  return self->show_period;
}
