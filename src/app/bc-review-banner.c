/* bc-review-banner.c: above a report, what the province said: its receipt,
 * and what changed since it was sent.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Follows the form view's report. The receipt (number and time) and, for a
 * returned report (returned, or a draft or ready report being corrected),
 * the changes since the revision the province has (bc_changes_since_sent())
 * are read from the workbook off the UI thread, again after every saved
 * edit: typing never waits for them. Each change is a button that takes the
 * form to its field. (The reviewer's comment is shown above, by the
 * window's status banner.)
 */
#define G_LOG_DOMAIN "bc-review-banner"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "bc-changes.h"
#include "bc-conflict-dialog.h"
#include "bc-i18n.h"
#include "bc-outbox.h"
#include "bc-review-banner.h"
#include "bc-window.h"

struct _BcReviewBanner
{
  GtkWidget     parent_instance;

  GtkWidget    *box;
  GtkLabel     *receipt_label;
  GtkWidget    *changes_box;
  GtkWidget    *changes_list;
  GtkWidget    *more_button;
  gboolean      expanded;      /* every change shown, not the first few */
  GtkWidget    *conflict_box;
  BcFormView   *form_view;
  GCancellable *cancellable;
  char         *receipt;
  char         *shown_id;      /* the report the lines above are for */
  GPtrArray    *changes;       /* Change*, NULL: not a report being corrected */
  gboolean      loading;
  gboolean      conflict;      /* sent, and kept beside a version changed elsewhere */
};

/* The changes shown until the officer asks for all: the form stays in
 * view under them. */
#define N_COLLAPSED 5

/* One change, as read aloud and where it is. */
typedef struct {
  char *text;
  char *path;
} Change;

static void
change_free (Change *change)
{
  g_free (change->text);
  g_free (change->path);
  g_free (change);
}

typedef struct {
  BcSyncState *state;
  GPtrArray   *changes;   /* Change*, NULL when not asked for */
} Found;

static void
found_free (Found *found)
{
  g_clear_pointer (&found->state, bc_sync_state_free);
  g_clear_pointer (&found->changes, g_ptr_array_unref);
  g_free (found);
}

G_DEFINE_FINAL_TYPE (BcReviewBanner, bc_review_banner, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_FORM_VIEW, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
change_clicked_cb (GtkButton      *button,
                   BcReviewBanner *self)
{
  const char *path = g_object_get_data (G_OBJECT (button), "path");

  if (self->form_view != NULL && path != NULL)
    bc_form_view_focus_path (self->form_view, path);
}

static void show_changes (BcReviewBanner *self);

static void
more_clicked_cb (BcReviewBanner *self)
{
  self->expanded = !self->expanded;
  show_changes (self);
}

static void
compare_clicked_cb (BcReviewBanner *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  BcWorkbook *workbook = BC_IS_WINDOW (root) ? bc_window_get_workbook (BC_WINDOW (root)) : NULL;
  BcSyncController *controller = BC_IS_WINDOW (root)
                                 ? bc_window_get_sync_controller (BC_WINDOW (root)) : NULL;
  BcConflictDialog *dialog;

  if (workbook == NULL || controller == NULL || self->shown_id == NULL)
    return;
  dialog = bc_conflict_dialog_new (GTK_WINDOW (root), workbook, controller, self->shown_id);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_changes (BcReviewBanner *self)
{
  GtkWidget *child;
  guint n = self->changes != NULL ? self->changes->len : 0;
  guint shown = self->expanded ? n : MIN (n, N_COLLAPSED);

  while ((child = gtk_widget_get_first_child (self->changes_list)) != NULL)
    gtk_box_remove (GTK_BOX (self->changes_list), child);

  for (guint i = 0; i < shown; i++)
    {
      const Change *change = g_ptr_array_index (self->changes, i);
      GtkWidget *button = gtk_button_new ();
      GtkWidget *label = gtk_label_new (change->text);

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_button_set_child (GTK_BUTTON (button), label);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_add_css_class (button, "change");
      gtk_widget_set_tooltip_text (button, _("Go to this field"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, change->text,
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("Go to this field"),
                                      -1);
      g_object_set_data_full (G_OBJECT (button), "path", g_strdup (change->path), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (change_clicked_cb), self);
      gtk_box_append (GTK_BOX (self->changes_list), button);
    }

  if (n > N_COLLAPSED)
    {
      g_autofree char *more = self->expanded
        ? g_strdup (_("Show Fewer"))
        : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Show All %u Change", "Show All %u Changes", n), n);

      gtk_button_set_label (GTK_BUTTON (self->more_button), more);
    }
  gtk_widget_set_visible (self->more_button, n > N_COLLAPSED);
  gtk_widget_set_visible (self->changes_box, n > 0);
}

static void
show (BcReviewBanner *self)
{
  gboolean has_changes = self->changes != NULL && self->changes->len > 0;

  gtk_label_set_label (self->receipt_label, self->receipt != NULL ? self->receipt : "");
  gtk_widget_set_visible (GTK_WIDGET (self->receipt_label), self->receipt != NULL);
  gtk_widget_set_visible (self->conflict_box, self->conflict);
  show_changes (self);
  gtk_widget_set_visible (GTK_WIDGET (self), self->receipt != NULL || has_changes || self->conflict);
}

/* "Label: old → new", in the language of the form. */
static GPtrArray *
describe_changes (BcWorkbook *workbook,
                  BcReport   *report,
                  GPtrArray  *changes)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) change_free);
  BcTemplateRegistry *templates = bc_workbook_get_templates (workbook);
  BcTemplate *template_ = NULL;
  const char *lang = bc_i18n_language ();

  if (templates != NULL)
    template_ = bc_template_registry_lookup (templates, bc_report_get_template_id (report),
                                             bc_report_get_template_version (report), NULL);

  for (guint i = 0; i < changes->len; i++)
    {
      const BcChange *change = g_ptr_array_index (changes, i);
      g_autofree char *label = bc_change_dup_label (change, template_, lang);
      g_autofree char *old_text = bc_change_dup_old_text (change, template_, lang);
      g_autofree char *new_text = bc_change_dup_new_text (change, template_, lang);
      Change *entry = g_new0 (Change, 1);

      switch (change->kind)
        {
        case BC_CHANGE_ROW_ADDED:
          /* TRANSLATORS: a table row added since the report was sent: where, then its cells */
          entry->text = g_strdup_printf (_("%s (added): %s"), label, new_text);
          break;
        case BC_CHANGE_ROW_REMOVED:
          /* TRANSLATORS: a table row removed since the report was sent: where, then its cells */
          entry->text = g_strdup_printf (_("%s (removed): %s"), label, old_text);
          break;
        case BC_CHANGE_VALUE:
        default:
          /* TRANSLATORS: a field changed since the report was sent: where, the value sent, the value
           * now. The spaces around the arrow do not break: the arrow stays with the values. */
          entry->text = g_strdup_printf (_("%s: %s → %s"), label, old_text, new_text);
          break;
        }
      entry->path = g_strdup (change->path);
      g_ptr_array_add (out, entry);
    }
  return out;
}

static void
state_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  BcWorkbook *workbook = task_data;
  const char *report_id = g_object_get_data (G_OBJECT (task), "report-id");
  BcReport *report = g_object_get_data (G_OBJECT (task), "report");
  gboolean corrected = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "corrected"));
  g_autoptr(GError) error = NULL;
  Found *found = g_new0 (Found, 1);

  (void) source;
  (void) cancellable;

  found->state = bc_outbox_get_state (workbook, report_id, &error);
  if (error == NULL && corrected && found->state != NULL)
    {
      g_autoptr(GError) changes_error = NULL;
      g_autoptr(GPtrArray) changes = bc_changes_since_sent (workbook, report_id, NULL, &changes_error);

      /* Without them (the form's version is not installed: the form says
       * so) the receipt is still shown. */
      if (changes != NULL)
        found->changes = describe_changes (workbook, report, changes);
      else
        g_debug ("No changes since sent: %s", changes_error->message);
    }
  if (error != NULL)
    {
      found_free (found);
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else
    g_task_return_pointer (task, found, (GDestroyNotify) found_free);
}

static void
state_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  BcReviewBanner *self = BC_REVIEW_BANNER (source);
  Found *found;
  BcSyncState *state;
  g_autoptr(GError) error = NULL;

  (void) user_data;

  found = g_task_propagate_pointer (G_TASK (result), &error);
  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_warning ("Could not read the report's sync state: %s", error->message);
          self->loading = FALSE;
        }
      return;
    }
  self->loading = FALSE;
  state = found->state;

  g_clear_pointer (&self->changes, g_ptr_array_unref);
  self->changes = g_steal_pointer (&found->changes);
  g_clear_pointer (&self->receipt, g_free);
  self->conflict = state != NULL && state->conflict
                   && GPOINTER_TO_INT (g_object_get_data (G_OBJECT (result), "sent"));
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
  found_free (found);
  show (self);
}

/* A returned report, or one being corrected after it was returned. */
static gboolean
is_corrected (BcReport *report)
{
  BcStatus status = bc_report_get_status (report);
  const char *comment = bc_report_get_review_comment (report);

  return status == BC_STATUS_RETURNED
         || ((status == BC_STATUS_DRAFT || status == BC_STATUS_READY) && comment != NULL && *comment != '\0');
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

  if (self->form_view != NULL)
    g_object_get (self->form_view, "report", &report, NULL);

  /* Another report: what was shown is not its. The same one (an edit was
   * saved): the lines stay until the new ones are read, without a flicker. */
  if (report == NULL || g_strcmp0 (self->shown_id, bc_report_get_id (report)) != 0)
    {
      g_clear_pointer (&self->receipt, g_free);
      g_clear_pointer (&self->changes, g_ptr_array_unref);
      self->conflict = FALSE;
      g_free (self->shown_id);
      self->shown_id = report != NULL ? g_strdup (bc_report_get_id (report)) : NULL;
      self->expanded = FALSE;
    }
  show (self);
  self->loading = FALSE;
  if (report == NULL)
    return;

  root = gtk_widget_get_root (GTK_WIDGET (self));
  workbook = BC_IS_WINDOW (root) ? bc_window_get_workbook (BC_WINDOW (root)) : NULL;
  if (workbook == NULL)
    return;
  self->loading = TRUE;
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, state_done_cb, NULL);
  g_task_set_source_tag (task, report_changed_cb);
  g_object_set_data_full (G_OBJECT (task), "report-id", g_strdup (bc_report_get_id (report)), g_free);
  g_object_set_data_full (G_OBJECT (task), "report", g_object_ref (report), g_object_unref);
  g_object_set_data (G_OBJECT (task), "corrected", GINT_TO_POINTER (is_corrected (report)));
  g_object_set_data (G_OBJECT (task), "sent",
                     GINT_TO_POINTER (bc_report_get_status (report) == BC_STATUS_SENT));
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

gboolean
bc_review_banner_get_loading (BcReviewBanner *self)
{
  g_return_val_if_fail (BC_IS_REVIEW_BANNER (self), FALSE);
  return self->loading;
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
  g_free (self->shown_id);
  g_clear_pointer (&self->changes, g_ptr_array_unref);

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

  /* A conflict: changed here and elsewhere; both versions compared on
   * request, one choice per field. */
  self->conflict_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_name (self->conflict_box, "conflict");
  {
    GtkWidget *label = gtk_label_new (_("This report was also changed on another computer. "
                                        "Compare the two versions and choose, field by field, "
                                        "which values to keep."));
    GtkWidget *button = gtk_button_new_with_mnemonic (_("_Compare…"));

    gtk_label_set_wrap (GTK_LABEL (label), TRUE);
    gtk_label_set_xalign (GTK_LABEL (label), 0);
    gtk_widget_set_hexpand (label, TRUE);
    gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
    gtk_widget_set_name (button, "conflict-compare");
    g_signal_connect_swapped (button, "clicked", G_CALLBACK (compare_clicked_cb), self);
    gtk_box_append (GTK_BOX (self->conflict_box), label);
    gtk_box_append (GTK_BOX (self->conflict_box), button);
  }
  gtk_widget_set_visible (self->conflict_box, FALSE);
  gtk_box_append (GTK_BOX (self->box), self->conflict_box);

  /* What changed since sent: a heading and one button per change. */
  self->changes_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_name (self->changes_box, "changes-since-sent");
  gtk_widget_add_css_class (self->changes_box, "changes-since-sent");
  {
    GtkWidget *heading = gtk_label_new (_("Changed since sent"));

    gtk_widget_add_css_class (heading, "heading");
    gtk_label_set_xalign (GTK_LABEL (heading), 0);
    gtk_label_set_wrap (GTK_LABEL (heading), TRUE);
    gtk_box_append (GTK_BOX (self->changes_box), heading);
    self->changes_list = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->changes_list),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, _("Changed since sent"), -1);
    gtk_accessible_update_relation (GTK_ACCESSIBLE (self->changes_list),
                                    GTK_ACCESSIBLE_RELATION_LABELLED_BY, heading, NULL, -1);
    gtk_box_append (GTK_BOX (self->changes_box), self->changes_list);
  }
  self->more_button = gtk_button_new ();
  gtk_widget_set_halign (self->more_button, GTK_ALIGN_START);
  gtk_widget_add_css_class (self->more_button, "flat");
  gtk_widget_add_css_class (self->more_button, "more");
  g_signal_connect_swapped (self->more_button, "clicked", G_CALLBACK (more_clicked_cb), self);
  gtk_box_append (GTK_BOX (self->changes_box), self->more_button);
  gtk_widget_set_visible (self->changes_box, FALSE);
  gtk_box_append (GTK_BOX (self->box), self->changes_box);

  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}
