/* bc-window.c: the main window: a workbook's reports beside the open report.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window never waits on SQLite: opening, listing, status changes and
 * creating reports all run off the UI thread, and every callback checks
 * that the window still shows the workbook it was started for.
 */
#define G_LOG_DOMAIN "bc-window"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "bc-carry-over-dialog.h"
#include "bc-demo.h"
#include "bc-export.h"
#include "bc-i18n.h"
#include "bc-issue-list.h"
#include "bc-new-report-dialog.h"
#include "bc-report-row.h"
#include "bc-review-banner.h"
#include "bc-sync-indicator.h"
#include "bc-validate.h"
#include "bc-window.h"

struct _BcWindow
{
  AdwApplicationWindow  parent_instance;

  /* template children */
  AdwToastOverlay      *toast_overlay;
  AdwToast             *status_toast;   /* weak: the toast of the last status change */
  char                 *status_toast_report;
  BcStatus              status_toast_status;
  gboolean              status_toast_listed; /* the list has shown that status */
  gint64                status_toast_at;     /* when it was added */
  guint                 status_toast_check;
  AdwLeaflet           *leaflet;
  BcSyncIndicator      *sync_indicator;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkStack             *sidebar_stack;
  GtkListView          *report_list_view;
  AdwWindowTitle       *report_title;
  GtkLabel             *status_badge;
  GtkWidget            *report_bar;
  GtkLabel             *period_label;
  GtkWidget            *sidebar_header;
  GtkWidget            *content;
  GtkWidget            *mark_ready_button;
  GtkWidget            *mark_ready_icon_button;
  GtkWidget            *back_to_draft_icon_button;
  AdwFlap              *problems_flap;
  GtkLabel             *problems_title;
  BcIssueList          *problems_list;
  GtkWidget            *problems_button;
  GtkWidget            *problems_error_icon;
  GtkLabel             *problems_error_label;
  GtkWidget            *problems_warning_icon;
  GtkLabel             *problems_warning_label;
  GtkWidget            *back_to_draft_button;
  GtkWidget            *save_indicator;
  GtkSpinner           *save_spinner;
  GtkImage             *save_icon;
  GtkLabel             *save_label;
  GtkRevealer          *demo_banner;
  GtkWidget            *reset_demo_button;
  GtkRevealer          *review_revealer;
  GtkLabel             *review_label;
  GtkRevealer          *templates_banner;
  GtkLabel             *templates_banner_label;
  GtkRevealer          *carry_over_revealer;
  GtkLabel             *carry_over_label;
  GtkWidget            *carry_over_button;
  GtkStack             *content_stack;
  AdwStatusPage        *error_page;
  BcFormView           *form_view;

  GSettings            *settings;
  /* Cancelled when another workbook is opened or the window goes. */
  GCancellable         *cancellable;
  char                 *path;           /* of the workbook shown or being opened */
  BcWorkbook           *workbook;
  /* Its kind, read once when it opened: the UI thread never waits on it. */
  gboolean              demo;
  BcReportList         *reports;
  GtkCustomFilter      *filter;
  GtkFilterListModel   *filtered;
  GtkSingleSelection   *selection;
  char                 *query;
  /* The list items bound to a row, to redo period headings after changes. */
  GHashTable           *bound_items;
  guint                 headings_idle;
  /* The place is written a moment after the last move, not on each one. */
  guint                 remember_timeout;

  char                 *report_id;      /* shown in the form view */
  BcReportItem         *item;           /* its list item, followed for status */
  /* Where to put the focus once the form has loaded (reopening). */
  char                 *pending_focus_path;
  gboolean              busy;
  gboolean              status_changing;
  /* One list refresh at a time; edits made meanwhile ask for one more. */
  gboolean              refreshing;
  gboolean              refresh_again;

  /* The problem F8 went to last, for the next F8 when focus moved away. */
  int                   problem_index;

  /* Another program (baocao-cli, a sync) changing the workbook: its file
   * and its write-ahead log are watched, and the list and the report
   * shown are read again a moment after the last change. */
  GFileMonitor         *monitor;
  GFileMonitor         *wal_monitor;
  guint                 external_timeout;

  /* The window shows before its workbook: a shown window starts opening
   * it once it has drawn its first frame (start_task), so that reading the
   * templates competes with nothing drawing it, and a workbook opened
   * before that frame waits for it (opened_task, opened_workbook), so that
   * laying out a thousand reports never holds that frame back. */
  gboolean              drawn;
  GTask                *start_task;
  GTask                *opened_task;
  BcWorkbook           *opened_workbook;
  /* Also built after it: the shortcuts window (Ctrl+?). */
  guint                 first_frame_idle;
};

enum {
  PROP_0,
  PROP_WORKBOOK,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (BcWindow, bc_window, ADW_TYPE_APPLICATION_WINDOW)

static void bc_window_update_actions (BcWindow *self);
static void refresh_list             (BcWindow *self);
static gboolean report_list_key_cb   (BcWindow        *self,
                                      guint            keyval,
                                      guint            keycode,
                                      GdkModifierType  state);
static void stop_watching            (BcWindow *self);
static void start_watching           (BcWindow *self);
static void reload_if_changed_elsewhere (BcWindow *self);
static void bc_window_show_report    (BcWindow   *self,
                                      const char *report_id);
static void sync_selection           (BcWindow *self);
static void finish_waiting_open      (BcWindow *self);
static void start_waiting_open       (BcWindow *self);

/* --- small helpers ------------------------------------------------------- */

/* --- leaving the report shown ---------------------------------------------- */

typedef void (*LeaveFunc) (BcWindow *self,
                           gpointer  data);

typedef struct {
  BcWindow       *self;
  LeaveFunc       then;
  gpointer        data;
  GDestroyNotify  destroy;
} Leave;

static void
leave_free (Leave *leave)
{
  if (leave->destroy != NULL)
    leave->destroy (leave->data);
  g_object_unref (leave->self);
  g_free (leave);
}

static void
leave_confirmed_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Leave *leave = user_data;

  if (bc_form_view_confirm_discard_finish (BC_FORM_VIEW (source), result, NULL))
    leave->then (leave->self, leave->data);
  else
    /* Staying: the list goes back to the report shown. */
    sync_selection (leave->self);

  leave_free (leave);
}

/* Runs `then` now, or, when the report shown holds a value typed but
 * refused (150 in a percentage), once the person has agreed to lose it,
 * as closing the window does: nothing typed is lost without a word. */
static void
leave_report_then (BcWindow       *self,
                   LeaveFunc       then,
                   gpointer        data,
                   GDestroyNotify  destroy)
{
  Leave *leave;

  if (self->report_id == NULL || !bc_form_view_has_refused_input (self->form_view))
    {
      then (self, data);
      if (destroy != NULL)
        destroy (data);
      return;
    }

  leave = g_new0 (Leave, 1);
  leave->self = g_object_ref (self);
  leave->then = then;
  leave->data = data;
  leave->destroy = destroy;
  bc_form_view_confirm_discard_async (self->form_view, NULL, leave_confirmed_cb, leave);
}

static void
show_report_then (BcWindow *self,
                  gpointer  report_id)
{
  /* The list may have changed while the person was asked. */
  if (self->reports == NULL || bc_report_list_find (self->reports, report_id, NULL) == NULL)
    {
      sync_selection (self);
      return;
    }

  g_clear_pointer (&self->pending_focus_path, g_free);
  bc_window_show_report (self, report_id);
}

static void
set_busy (BcWindow *self,
          gboolean  busy)
{
  if (self->busy == busy)
    return;

  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
toast (BcWindow   *self,
       const char *message)
{
  AdwToast *t = adw_toast_new (message);

  adw_toast_set_timeout (t, 4);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

/* libadwaita 1.2 frees a toast that is dismissed while it is still
 * sliding in over another one (500 ms) before that slide ends, and then
 * crashes. A status toast is let be for this long after it was added. */
#define STATUS_TOAST_SETTLE_US (600 * G_TIME_SPAN_MILLISECOND)

static void
dismiss_status_toast (BcWindow *self)
{
  if (self->status_toast != NULL)
    adw_toast_dismiss (self->status_toast);
  g_clear_weak_pointer (&self->status_toast);
  g_clear_pointer (&self->status_toast_report, g_free);
  g_clear_handle_id (&self->status_toast_check, g_source_remove);
}

/* Dismissed by the person (Escape, its close button) or by its time. */
static void
status_toast_dismissed_cb (BcWindow *self,
                           AdwToast *toast)
{
  if (self->status_toast != toast)
    return;
  g_clear_weak_pointer (&self->status_toast);
  g_clear_pointer (&self->status_toast_report, g_free);
  g_clear_handle_id (&self->status_toast_check, g_source_remove);
}

static gboolean
status_toast_settled (BcWindow *self)
{
  return g_get_monotonic_time () - self->status_toast_at >= STATUS_TOAST_SETTLE_US;
}

/* A status change's toast says what the report is now. It goes, shown or
 * still queued, as soon as that is no longer true: at the next status
 * change here, or when another program or a sync moves the report on once
 * the list has shown the status the toast announced. */
static void
status_toast (BcWindow   *self,
              const char *report_id,
              const char *message,
              BcStatus    status)
{
  AdwToast *t;

  /* One that has only just come says the new status instead. */
  if (self->status_toast != NULL && !status_toast_settled (self))
    {
      adw_toast_set_title (self->status_toast, message);
      g_free (self->status_toast_report);
      self->status_toast_report = g_strdup (report_id);
      self->status_toast_status = status;
      self->status_toast_listed = FALSE;
      return;
    }

  dismiss_status_toast (self);
  t = adw_toast_new (message);
  adw_toast_set_timeout (t, 4);
  g_set_weak_pointer (&self->status_toast, t);
  g_signal_connect_object (t, "dismissed", G_CALLBACK (status_toast_dismissed_cb), self, G_CONNECT_SWAPPED);
  self->status_toast_report = g_strdup (report_id);
  self->status_toast_status = status;
  self->status_toast_listed = FALSE;
  self->status_toast_at = g_get_monotonic_time ();
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

static void check_status_toast (BcWindow *self);

static gboolean
check_status_toast_cb (gpointer user_data)
{
  BcWindow *self = user_data;

  self->status_toast_check = 0;
  check_status_toast (self);

  return G_SOURCE_REMOVE;
}

static void
check_status_toast (BcWindow *self)
{
  BcReportItem *item;

  if (self->status_toast == NULL || self->reports == NULL)
    return;

  item = bc_report_list_find (self->reports, self->status_toast_report, NULL);
  if (item != NULL && bc_report_item_get_status (item) == self->status_toast_status)
    {
      self->status_toast_listed = TRUE;
      return;
    }
  /* Not yet listed as changed, or moved on since (or deleted). */
  if (item != NULL && !self->status_toast_listed)
    return;

  if (status_toast_settled (self))
    dismiss_status_toast (self);
  else if (self->status_toast_check == 0)
    self->status_toast_check =
      g_timeout_add (STATUS_TOAST_SETTLE_US / G_TIME_SPAN_MILLISECOND + 1, check_status_toast_cb, self);
}

static void
show_message (BcWindow   *self,
              const char *heading,
              const char *body)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  gtk_widget_set_name (dialog, "message-dialog");
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_body_use_markup (ADW_MESSAGE_DIALOG (dialog), FALSE);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* --- where the user was: last report and field, per workbook -------------- */

static void
remember_place (BcWindow *self)
{
  g_autoptr(GVariant) places = NULL;
  GVariantBuilder builder;
  GVariantIter iter;
  const char *path;
  const char *report_id;
  const char *focus_path;
  const char *current_focus = NULL;
  guint kept = 0;

  if (self->path == NULL || self->settings == NULL || self->workbook == NULL)
    return;

  if (self->report_id != NULL &&
      g_strcmp0 (bc_form_view_get_report_id (self->form_view), self->report_id) == 0)
    current_focus = bc_form_view_get_focus_path (self->form_view);
  else if (self->pending_focus_path != NULL)
    current_focus = self->pending_focus_path;

  places = g_settings_get_value (self->settings, "last-places");
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{s(ss)}"));
  g_variant_builder_add (&builder, "{s(ss)}", self->path,
                         self->report_id != NULL ? self->report_id : "",
                         current_focus != NULL ? current_focus : "");

  /* Keep a few other workbooks' places, most recent first. */
  g_variant_iter_init (&iter, places);
  while (g_variant_iter_next (&iter, "{&s(&s&s)}", &path, &report_id, &focus_path))
    {
      if (g_str_equal (path, self->path) || kept >= 15)
        continue;
      g_variant_builder_add (&builder, "{s(ss)}", path, report_id, focus_path);
      kept++;
    }

  g_settings_set_value (self->settings, "last-places", g_variant_builder_end (&builder));
}

static gboolean
remember_place_cb (gpointer user_data)
{
  BcWindow *self = user_data;

  self->remember_timeout = 0;
  remember_place (self);
  return G_SOURCE_REMOVE;
}

/* Focus moves with every Tab: each one would rewrite the settings file. */
static void
remember_place_later (BcWindow *self)
{
  g_clear_handle_id (&self->remember_timeout, g_source_remove);
  self->remember_timeout = g_timeout_add_seconds (1, remember_place_cb, self);
}

/* Writes a place still waiting, before the window or workbook changes. */
static void
remember_place_now (BcWindow *self)
{
  if (self->remember_timeout == 0)
    return;

  g_clear_handle_id (&self->remember_timeout, g_source_remove);
  remember_place (self);
}

static gboolean
lookup_place (BcWindow  *self,
              char     **report_id,
              char     **focus_path)
{
  g_autoptr(GVariant) places = g_settings_get_value (self->settings, "last-places");
  const char *id = NULL;
  const char *focus = NULL;

  if (self->path == NULL ||
      !g_variant_lookup (places, self->path, "(&s&s)", &id, &focus) ||
      *id == '\0')
    return FALSE;

  *report_id = g_strdup (id);
  *focus_path = *focus != '\0' ? g_strdup (focus) : NULL;
  return TRUE;
}

/* --- the header: status, save state, review notice ------------------------ */

/* --- carrying a draft over, and form files set aside ------------------------ */

/* The newer version of the form that is for the draft shown (its period and
 * unit), or NULL. *out_installed: whether the draft's own version is. */
static BcTemplate *
carry_over_target (BcWindow *self,
                   gboolean *out_installed)
{
  BcTemplateRegistry *templates = self->workbook != NULL ? bc_workbook_get_templates (self->workbook) : NULL;
  BcTemplate *target;
  const char *id;
  int version;

  *out_installed = TRUE;
  if (templates == NULL || self->item == NULL ||
      bc_report_item_get_status (self->item) != BC_STATUS_DRAFT)
    return NULL;

  id = bc_report_item_get_template_id (self->item);
  version = bc_report_item_get_template_version (self->item);
  *out_installed = bc_template_registry_lookup (templates, id, version, NULL) != NULL;
  target = bc_template_registry_lookup_for (templates, id, bc_report_item_get_period_id (self->item),
                                            bc_report_item_get_unit (self->item), NULL);

  return target != NULL && bc_template_get_version (target) > version ? target : NULL;
}

/* A draft whose version was removed, or that a newer version is for, is
 * offered "Move to Version N…" above the form (or above why it cannot open). */
static void
update_carry_over (BcWindow *self)
{
  gboolean installed;
  BcTemplate *target = carry_over_target (self, &installed);
  g_autofree char *text = NULL;
  g_autofree char *button = NULL;

  if (target != NULL)
    {
      int from = bc_report_item_get_template_version (self->item);
      int to = bc_template_get_version (target);

      text = installed
        ? g_strdup_printf (_("Version %d of this form is now the one for this report’s period; the draft is on version %d. Move it when you are ready: you will see first what moves and what would be lost."),
                           to, from)
        : g_strdup_printf (_("Version %d of this form is no longer installed, so the draft cannot be opened as it is. Move it to version %d: you will see first what moves and what would be lost."),
                           from, to);
      /* TRANSLATORS: a button; %d is a form's version number */
      button = g_strdup_printf (_("_Move to Version %d…"), to);
      gtk_label_set_text (self->carry_over_label, text);
      gtk_button_set_label (GTK_BUTTON (self->carry_over_button), button);
    }
  gtk_revealer_set_reveal_child (self->carry_over_revealer, target != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.carry-over", target != NULL);
}

static void
carried_over_cb (BcCarryOverDialog *dialog,
                 const char        *report_id,
                 BcWindow          *self)
{
  g_autofree char *message = g_strdup_printf (_("Moved to version %d of the form."),
                                              bc_carry_over_dialog_get_target_version (dialog));

  /* Shown afresh, on the new version's fields. */
  if (g_strcmp0 (report_id, self->report_id) == 0 && self->workbook != NULL)
    {
      bc_form_view_load (self->form_view, self->workbook, NULL);
      bc_form_view_load (self->form_view, self->workbook, report_id);
    }
  refresh_list (self);
  toast (self, message);
}

static void
carry_over_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  BcWindow *self = BC_WINDOW (widget);
  BcCarryOverDialog *dialog;
  gboolean installed;

  if (self->workbook == NULL || self->report_id == NULL ||
      carry_over_target (self, &installed) == NULL)
    return;

  dialog = bc_carry_over_dialog_new (GTK_WINDOW (self), self->workbook, self->report_id);
  g_signal_connect_object (dialog, "carried-over", G_CALLBACK (carried_over_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The form files set aside when the templates were loaded: each named with
 * its line and cause, so that it can be fixed or passed on. */
static void
show_templates_problems (BcWindow           *self,
                         BcTemplateRegistry *templates)
{
  GPtrArray *problems = templates != NULL ? bc_template_registry_get_problems (templates) : NULL;
  guint n = problems != NULL ? problems->len : 0;
  g_autoptr(GString) text = NULL;
  const guint most = 5;

  if (n == 0)
    {
      gtk_revealer_set_reveal_child (self->templates_banner, FALSE);
      return;
    }

  text = g_string_new (NULL);
  g_string_append_printf (text,
                          g_dngettext (GETTEXT_PACKAGE,
                                       "A form file could not be read and was set aside. Every other form works as usual.",
                                       "%u form files could not be read and were set aside. Every other form works as usual.",
                                       n),
                          n);
  for (guint i = 0; i < n && i < most; i++)
    {
      const GError *error = g_ptr_array_index (problems, i);

      g_string_append_printf (text, "\n• %s", error->message);
    }
  if (n > most)
    {
      g_string_append_c (text, '\n');
      g_string_append_printf (text,
                              g_dngettext (GETTEXT_PACKAGE, "…and %u more.", "…and %u more.", n - most),
                              n - most);
    }
  g_string_append_c (text, '\n');
  g_string_append (text, _("Reports on a form set aside cannot be opened until its file is corrected. Send this message to whoever gave you the file (your province’s IT office) and ask for a corrected one."));

  gtk_label_set_text (self->templates_banner_label, text->str);
  gtk_revealer_set_reveal_child (self->templates_banner, TRUE);
}

static void
hide_templates_banner_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  gtk_revealer_set_reveal_child (BC_WINDOW (widget)->templates_banner, FALSE);
}

static void
update_status (BcWindow *self)
{
  gboolean has_item = self->item != NULL;
  BcStatus status = has_item ? bc_report_item_get_status (self->item) : BC_STATUS_DRAFT;
  BcReport *report = bc_form_view_get_report (self->form_view);
  const char *comment = NULL;

  check_status_toast (self);

  gtk_widget_set_visible (self->report_bar, has_item);
  if (has_item)
    {
      g_auto(GStrv) classes = gtk_widget_get_css_classes (GTK_WIDGET (self->status_badge));

      for (guint i = 0; classes[i] != NULL; i++)
        if (g_str_has_prefix (classes[i], "status-"))
          gtk_widget_remove_css_class (GTK_WIDGET (self->status_badge), classes[i]);
      gtk_widget_add_css_class (GTK_WIDGET (self->status_badge), bc_status_css_class (status));
      gtk_label_set_text (self->status_badge, bc_status_label (status));

      adw_window_title_set_title (self->report_title, bc_report_item_get_title (self->item));
      adw_window_title_set_subtitle (self->report_title, bc_report_item_get_unit (self->item));
      /* The period has a line of its own, never cut: at a large text size
       * "Quý I/2018" and "Quý II/2018" must not both read "Quý I…". */
      gtk_label_set_text (self->period_label, bc_report_item_get_period_label (self->item));
    }
  else
    {
      adw_window_title_set_title (self->report_title, "");
      adw_window_title_set_subtitle (self->report_title, "");
    }

  gtk_widget_set_visible (self->mark_ready_button, has_item && status == BC_STATUS_DRAFT);
  gtk_widget_set_visible (self->mark_ready_icon_button, has_item && status == BC_STATUS_DRAFT);
  gtk_widget_set_visible (self->back_to_draft_button,
                          has_item && status != BC_STATUS_DRAFT &&
                          bc_status_can_transition (status, BC_STATUS_DRAFT));
  gtk_widget_set_visible (self->back_to_draft_icon_button,
                          gtk_widget_get_visible (self->back_to_draft_button));

  if (report != NULL && g_strcmp0 (bc_report_get_id (report), self->report_id) == 0 &&
      (bc_report_get_status (report) == BC_STATUS_RETURNED ||
       bc_report_get_status (report) == BC_STATUS_DRAFT ||
       bc_report_get_status (report) == BC_STATUS_READY))
    comment = bc_report_get_review_comment (report);
  if (has_item && status == BC_STATUS_RETURNED)
    {
      g_autofree char *text = NULL;

      /* The comment on a line of its own: it ends with its own full stop. */
      if (comment != NULL && *comment != '\0')
        text = g_strdup_printf (_("Returned by the province: “%s”\nTake the report back to draft to correct it, then mark it ready again."), comment);
      else
        text = g_strdup (_("Returned by the province. Take the report back to draft to correct it, then mark it ready again."));
      gtk_label_set_text (self->review_label, text);
    }
  else if (has_item && comment != NULL && *comment != '\0' &&
           (status == BC_STATUS_DRAFT || status == BC_STATUS_READY))
    {
      /* Being corrected: the comment stays on top until it is sent again
       * (the changes since sent are listed under it). */
      g_autofree char *text = g_strdup_printf (_("Returned by the province: “%s”\nCorrect the report, then mark it ready again."),
                                               comment);

      gtk_label_set_text (self->review_label, text);
    }
  else
    comment = NULL;
  gtk_revealer_set_reveal_child (self->review_revealer,
                                 has_item && (status == BC_STATUS_RETURNED || comment != NULL));

  update_carry_over (self);
  bc_window_update_actions (self);
}

static void
update_save_state (BcWindow *self)
{
  BcSaveState state = bc_form_view_get_save_state (self->form_view);
  const char *error_text = bc_form_view_get_save_error (self->form_view);
  g_autofree char *text = NULL;
  g_autofree char *details = NULL;

  gtk_widget_remove_css_class (self->save_indicator, "error");

  switch (state)
    {
    case BC_SAVE_STATE_SAVING:
      gtk_widget_set_visible (GTK_WIDGET (self->save_spinner), TRUE);
      gtk_spinner_start (self->save_spinner);
      gtk_widget_set_visible (GTK_WIDGET (self->save_icon), FALSE);
      text = g_strdup (_("Saving…"));
      break;
    case BC_SAVE_STATE_SAVED:
      gtk_spinner_stop (self->save_spinner);
      gtk_widget_set_visible (GTK_WIDGET (self->save_spinner), FALSE);
      gtk_image_set_from_icon_name (self->save_icon, "emblem-ok-symbolic");
      gtk_widget_set_visible (GTK_WIDGET (self->save_icon), TRUE);
      text = g_strdup (_("Saved"));
      break;
    case BC_SAVE_STATE_FAILED:
      gtk_spinner_stop (self->save_spinner);
      gtk_widget_set_visible (GTK_WIDGET (self->save_spinner), FALSE);
      gtk_image_set_from_icon_name (self->save_icon, "dialog-warning-symbolic");
      gtk_widget_set_visible (GTK_WIDGET (self->save_icon), TRUE);
      gtk_widget_add_css_class (self->save_indicator, "error");
      /* Short, so that the header shows it whole at any size; the reason
       * is beside the field, in the tooltip and read out with it. */
      text = g_strdup (_("Not saved"));
      /* TRANSLATORS: the save indicator, with the reason */
      details = g_strdup_printf (_("Not saved: %s"),
                                 error_text != NULL ? error_text : _("the workbook could not be written"));
      break;
    case BC_SAVE_STATE_IDLE:
    default:
      gtk_spinner_stop (self->save_spinner);
      break;
    }

  gtk_widget_set_visible (self->save_indicator, text != NULL);
  gtk_label_set_text (self->save_label, text != NULL ? text : "");
  gtk_widget_set_tooltip_text (self->save_indicator, details != NULL ? details : text);
  if (text != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->save_indicator),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                    -1);
  if (details != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->save_indicator),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, details,
                                    -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self->save_indicator),
                                   GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

/* --- the problems: the panel, F8, the counts ------------------------------ */

static void
update_problem_counts (BcWindow *self)
{
  guint n_errors = bc_form_view_get_n_errors (self->form_view);
  guint n_warnings = bc_form_view_get_n_warnings (self->form_view);
  g_autofree char *errors = NULL;
  g_autofree char *warnings = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *button_label = NULL;
  g_autofree char *number = NULL;

  errors = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u error", "%u errors", n_errors), n_errors);
  warnings = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u warning", "%u warnings", n_warnings),
                              n_warnings);
  if (n_errors == 0 && n_warnings == 0)
    summary = g_strdup (_("No errors or warnings"));
  else if (n_warnings == 0)
    summary = g_strdup (errors);
  else if (n_errors == 0)
    summary = g_strdup (warnings);
  else
    /* TRANSLATORS: "2 errors, 1 warning" */
    summary = g_strdup_printf (_("%s, %s"), errors, warnings);

  /* The counts stay on screen whatever the width: an icon and a number
   * each; the words are in the tooltip and for screen readers. */
  number = g_strdup_printf ("%u", n_errors);
  gtk_label_set_text (self->problems_error_label, number);
  g_free (number);
  number = g_strdup_printf ("%u", n_warnings);
  gtk_label_set_text (self->problems_warning_label, number);
  gtk_widget_set_visible (self->problems_error_icon, n_errors > 0 || n_warnings == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->problems_error_label), n_errors > 0 || n_warnings == 0);
  gtk_widget_set_visible (self->problems_warning_icon, n_warnings > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->problems_warning_label), n_warnings > 0);
  if (n_errors == 0 && n_warnings == 0)
    {
      gtk_image_set_from_icon_name (GTK_IMAGE (self->problems_error_icon), "object-select-symbolic");
      gtk_widget_remove_css_class (self->problems_error_icon, "error");
      gtk_widget_add_css_class (self->problems_error_icon, "success");
    }
  else
    {
      gtk_image_set_from_icon_name (GTK_IMAGE (self->problems_error_icon), "dialog-error-symbolic");
      gtk_widget_remove_css_class (self->problems_error_icon, "success");
      gtk_widget_add_css_class (self->problems_error_icon, "error");
    }

  /* TRANSLATORS: the problems button: "2 errors, 1 warning: show the problems (Ctrl+E)" */
  button_label = g_strdup_printf (_("%s: show the problems (Ctrl+E)"), summary);
  gtk_widget_set_tooltip_text (self->problems_button, button_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->problems_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, button_label, -1);
  gtk_label_set_text (self->problems_title, summary);
}

/* The panel follows the form's own list of issues. */
static void
form_issues_changed_cb (BcWindow    *self,
                        BcIssueList *source)
{
  bc_issue_list_set_issues (self->problems_list,
                            bc_issue_list_get_template (source),
                            bc_issue_list_get_issues (source),
                            bc_issue_list_get_lang (source));
  update_problem_counts (self);
}

/* Puts the focus on the field of problem `index`, in view; says which it is. */
static void
go_to_problem (BcWindow *self,
               guint     index)
{
  guint n = bc_issue_list_get_n_items (self->problems_list);
  const char *path = bc_issue_list_get_path (self->problems_list, index);
  BcTemplate *template_ = bc_issue_list_get_template (self->problems_list);
  GtkWidget *row = bc_issue_list_get_row (self->problems_list, index);
  const BcIssue *issue = bc_issue_list_get_issue (self->problems_list, index);
  g_autofree char *place = NULL;
  g_autofree char *text = NULL;

  if (path == NULL)
    return;

  self->problem_index = index;

  /* Over the form on a narrow window, the panel would hide the field. */
  if (adw_flap_get_folded (self->problems_flap))
    adw_flap_set_reveal_flap (self->problems_flap, FALSE);

  if (row != NULL)
    gtk_list_box_select_row (GTK_LIST_BOX (gtk_widget_get_parent (row)), GTK_LIST_BOX_ROW (row));

  if (issue != NULL && template_ != NULL)
    place = bc_issue_dup_place (template_, issue, bc_issue_list_get_lang (self->problems_list));

  if (!bc_form_view_focus_path (self->form_view, path))
    {
      /* TRANSLATORS: a problem whose field the form does not show now */
      text = g_strdup_printf (_("%s is not shown in the form now"), place != NULL ? place : path);
      toast (self, text);
      return;
    }

  /* TRANSLATORS: after a jump to a problem: "Problem 2 of 5: Document details › Signer: This field is required." */
  text = g_strdup_printf (_("Problem %u of %u: %s: %s"), index + 1, n,
                          place != NULL ? place : path,
                          issue != NULL ? issue->message : "");
  toast (self, text);
}

static void
problem_activated_cb (BcWindow    *self,
                      const char  *path,
                      BcIssueList *list)
{
  guint n = bc_issue_list_get_n_items (list);

  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (bc_issue_list_get_path (list, i), path) == 0)
      {
        go_to_problem (self, i);
        return;
      }
}

static void
step_problem (BcWindow *self,
              int       step)
{
  guint n = bc_issue_list_get_n_items (self->problems_list);
  const char *focus = bc_form_view_get_focus_path (self->form_view);
  int index = -1;

  if (self->report_id == NULL)
    return;
  if (n == 0)
    {
      toast (self, _("No errors or warnings"));
      return;
    }

  /* From the problem whose field has the focus, else from the last one. */
  for (guint i = 0; focus != NULL && i < n; i++)
    if (g_strcmp0 (bc_issue_list_get_path (self->problems_list, i), focus) == 0)
      {
        index = i;
        break;
      }
  if (index < 0 && self->problem_index >= 0 && (guint) self->problem_index < n)
    index = self->problem_index;

  if (index < 0)
    index = step > 0 ? 0 : (int) n - 1;
  else
    index = ((index + step) % (int) n + (int) n) % (int) n;

  go_to_problem (self, index);
}

static void
next_problem_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  step_problem (BC_WINDOW (widget), 1);
}

static void
previous_problem_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  step_problem (BC_WINDOW (widget), -1);
}

static void
show_problems_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  BcWindow *self = BC_WINDOW (widget);
  gboolean reveal = !adw_flap_get_reveal_flap (self->problems_flap);

  if (self->report_id == NULL)
    return;

  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "content");
  adw_flap_set_reveal_flap (self->problems_flap, reveal);

  if (reveal)
    {
      GtkWidget *row = bc_issue_list_get_row (self->problems_list, 0);

      if (row != NULL)
        gtk_widget_grab_focus (row);
    }
  else
    {
      GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
      const char *path = bc_form_view_get_focus_path (self->form_view);

      /* Back where the person was: the field focused last (or the one a
       * problem took them to), not the form's first input. */
      if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->form_view)))
        return;
      if (path == NULL || !bc_form_view_focus_path (self->form_view, path))
        gtk_widget_child_focus (GTK_WIDGET (self->form_view), GTK_DIR_TAB_FORWARD);
    }
}

/* The refusal of Mark Ready: the same list, only what stops it, scrolling
 * when long, so that its buttons stay on a 768 px screen. */
typedef struct {
  BcWindow  *window;    /* weak */
  GtkWidget *dialog;
  char      *path;      /* chosen in the dialog's list */
} NotReady;

static void
not_ready_free (gpointer  data,
                GClosure *closure)
{
  NotReady *not_ready = data;

  g_clear_weak_pointer (&not_ready->window);
  g_free (not_ready->path);
  g_free (not_ready);
}

static void
not_ready_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       NotReady         *not_ready)
{
  BcWindow *self = not_ready->window;

  if (self != NULL && not_ready->path != NULL)
    problem_activated_cb (self, not_ready->path, self->problems_list);
  else if (self != NULL && g_strcmp0 (response, "show") == 0)
    {
      adw_flap_set_reveal_flap (self->problems_flap, FALSE);
      show_problems_action (GTK_WIDGET (self), NULL, NULL);
    }
}

static void
not_ready_path_cb (BcIssueList *list,
                   const char  *path,
                   NotReady    *not_ready)
{
  g_free (not_ready->path);
  not_ready->path = g_strdup (path);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (not_ready->dialog), "close");
}

static void
show_not_ready (BcWindow   *self,
                const char *fallback)
{
  BcIssueList *source = bc_form_view_get_issue_list (self->form_view);
  GPtrArray *issues = source != NULL ? bc_issue_list_get_issues (source) : NULL;
  BcTemplate *template_ = source != NULL ? bc_issue_list_get_template (source) : NULL;
  GtkWidget *dialog;
  GtkWidget *list;
  GtkWidget *scrolled;
  NotReady *not_ready;
  g_autofree char *body = NULL;
  guint n = 0;
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  for (guint i = 0; issues != NULL && i < issues->len; i++)
    if (bc_issue_is_blocking (g_ptr_array_index (issues, i)))
      n++;

  if (n == 0 || template_ == NULL)
    {
      show_message (self, _("The Report Is Not Ready"), fallback);
      return;
    }

  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "This problem stops it: correct the error, or write a justification for the warning. Choose it to go to its field.",
                                       "These %u problems stop it: correct each error, and write a justification for each warning. Choose one to go to its field.",
                                       n), n);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("The Report Is Not Ready"), body);
  gtk_widget_set_name (dialog, "not-ready-dialog");
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "show", _("_Show the Problems"),
                                    "close", _("_Close"),
                                    NULL);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");

  list = bc_issue_list_new ();
  gtk_widget_set_name (list, "not-ready-list");
  bc_issue_list_set_blocking_only (BC_ISSUE_LIST (list), TRUE);
  bc_issue_list_set_issues (BC_ISSUE_LIST (list), template_, issues, bc_issue_list_get_lang (source));

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  /* The heading, the text and the buttons take about 300 px. */
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled),
                                              CLAMP (height - 320, 160, 380));
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scrolled);

  not_ready = g_new0 (NotReady, 1);
  g_set_weak_pointer (&not_ready->window, self);
  not_ready->dialog = dialog;
  g_signal_connect (list, "activate-path", G_CALLBACK (not_ready_path_cb), not_ready);
  g_signal_connect_data (dialog, "response", G_CALLBACK (not_ready_response_cb), not_ready,
                         not_ready_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* --- actions ------------------------------------------------------------- */

static void
bc_window_update_actions (BcWindow *self)
{
  gboolean open = self->workbook != NULL;
  gboolean has_item = open && self->item != NULL;
  BcStatus status = has_item ? bc_report_item_get_status (self->item) : BC_STATUS_DRAFT;
  gboolean demo = open && self->demo;
  BcReport *report = bc_form_view_get_report (self->form_view);
  /* A status change goes through the form: only once it shows the report. */
  gboolean shown = has_item && report != NULL &&
                   g_strcmp0 (bc_report_get_id (report), self->report_id) == 0;
  g_autofree char *demo_path = bc_demo_default_path ();

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-report", open);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.mark-ready",
                                 shown && !self->status_changing && status == BC_STATUS_DRAFT);
  /* A greyed-out button says why. */
  {
    const char *why;

    if (self->status_changing)
      why = _("Wait: the report’s status is being changed");
    else if (has_item && !shown)
      why = _("Wait: the report is still opening");
    else
      why = _("Check the report and mark it ready to send (Ctrl+Enter)");
    gtk_widget_set_tooltip_text (self->mark_ready_button, why);
    gtk_widget_set_tooltip_text (self->mark_ready_icon_button, why);
  }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back-to-draft",
                                 shown && !self->status_changing &&
                                 bc_status_can_transition (status, BC_STATUS_DRAFT));
  /* Resetting only ever replaces the app's own copy of the demo. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reset-demo",
                                 demo && g_strcmp0 (self->path, demo_path) == 0);
  /* A demo workbook opened from elsewhere is not reset here: no greyed-out
   * button that cannot say why, as in the menu. */
  gtk_widget_set_visible (self->reset_demo_button, demo && g_strcmp0 (self->path, demo_path) == 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-user-workbook", demo);
}

static void
status_changed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data);

/* What a status change was started for, to tell the user afterwards. */
typedef struct {
  BcWindow     *window;   /* weak: the window may go first */
  GApplication *application;
  GCancellable *cancellable;  /* the window's, for the workbook shown then */
  char         *report_id;
  BcStatus      status;
} StatusChange;

static void
status_change_free (StatusChange *change)
{
  g_clear_weak_pointer (&change->window);
  if (change->application != NULL)
    g_application_release (change->application);
  g_clear_object (&change->application);
  g_clear_object (&change->cancellable);
  g_free (change->report_id);
  g_free (change);
}

static void
change_status (BcWindow *self,
               BcStatus  status)
{
  GApplication *application = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  StatusChange *change;

  if (self->workbook == NULL || self->report_id == NULL || self->status_changing)
    return;

  /* An edit that could not be saved would be missing from the report. */
  if (status == BC_STATUS_READY &&
      bc_form_view_get_save_state (self->form_view) == BC_SAVE_STATE_FAILED)
    {
      show_message (self, _("The Report Is Not Ready"),
                    _("The last change could not be saved, so the report was not marked ready. Correct the field and try again."));
      return;
    }

  change = g_new0 (StatusChange, 1);
  g_set_weak_pointer (&change->window, self);
  change->cancellable = g_object_ref (self->cancellable);
  change->report_id = g_strdup (self->report_id);
  change->status = status;
  /* Quitting waits for the change to reach the workbook. */
  change->application = application != NULL ? g_object_ref (application) : NULL;
  if (change->application != NULL)
    g_application_hold (change->application);

  self->status_changing = TRUE;
  bc_window_update_actions (self);

  /* The form orders the change after the edits typed so far, for the
   * report it shows now. */
  bc_form_view_change_status_async (self->form_view, status, NULL,
                                    status_changed_cb, change);
}

static void
refresh_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data);

static void
refresh_list (BcWindow *self);

static void
show_open_error (BcWindow     *self,
                 const GError *error);

static void
status_changed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  StatusChange *change = user_data;
  BcWindow *self = change->window;
  BcStatus status = change->status;
  g_autofree char *report_id = g_strdup (change->report_id);
  g_autoptr(GError) error = NULL;
  gboolean ok = bc_form_view_change_status_finish (BC_FORM_VIEW (source), result, &error);

  /* The window is gone, or shows another workbook now. */
  if (self == NULL || g_cancellable_is_cancelled (change->cancellable))
    {
      status_change_free (change);
      return;
    }
  status_change_free (change);
  change = NULL;

  self->status_changing = FALSE;
  bc_window_update_actions (self);

  if (!ok)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (g_error_matches (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_READY) ||
          g_error_matches (error, BC_VALIDATE_ERROR, BC_VALIDATE_ERROR_NOT_READY))
        show_not_ready (self, error->message);
      else
        show_message (self, _("The Status Could Not Be Changed"), error->message);
      return;
    }

  if (status == BC_STATUS_READY)
    status_toast (self, report_id, _("Marked ready to send"), status);
  else if (status == BC_STATUS_DRAFT)
    status_toast (self, report_id, _("Back to draft: the report can be changed again"), status);
  refresh_list (self);
}

static void
refresh_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data);

static void
refresh_list (BcWindow *self)
{
  if (self->reports == NULL)
    return;

  if (self->refreshing)
    {
      self->refresh_again = TRUE;
      return;
    }

  self->refreshing = TRUE;
  bc_report_list_refresh_async (self->reports, self->cancellable,
                                refresh_cb, g_object_ref (self));
}

static void
mark_ready_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  change_status (BC_WINDOW (widget), BC_STATUS_READY);
}

static void
back_to_draft_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  change_status (BC_WINDOW (widget), BC_STATUS_DRAFT);
}

static void
report_created_cb (BcNewReportDialog *dialog,
                   const char        *report_id,
                   BcWindow          *self)
{
  g_free (self->pending_focus_path);
  self->pending_focus_path = NULL;
  bc_window_show_report (self, report_id);
  refresh_list (self);
  toast (self, _("New report created"));
}

static void
new_report_then (BcWindow *self,
                 gpointer  data)
{
  BcNewReportDialog *dialog;

  if (self->workbook == NULL)
    return;

  dialog = bc_new_report_dialog_new (GTK_WINDOW (self), self->workbook, self->settings);
  g_signal_connect_object (dialog, "report-created", G_CALLBACK (report_created_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
new_report_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  BcWindow *self = BC_WINDOW (widget);

  if (self->workbook == NULL)
    return;

  leave_report_then (self, new_report_then, NULL, NULL);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  BcWindow *self = BC_WINDOW (widget);

  adw_leaflet_set_visible_child_name (self->leaflet, "sidebar");
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
show_reports_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  adw_leaflet_set_visible_child_name (BC_WINDOW (widget)->leaflet, "sidebar");
}

static void
open_user_workbook_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  bc_window_open_workbook (BC_WINDOW (widget), NULL);
}

static void reset_demo (BcWindow *self);

static void
reset_demo_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        BcWindow         *self)
{
  if (g_strcmp0 (response, "reset") == 0)
    reset_demo (self);
}

static void
reset_demo_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  BcWindow *self = BC_WINDOW (widget);
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self),
                                   _("Reset the Demo Workbook?"),
                                   _("Every change made in the demo workbook is lost, and its sample reports return to their starting state. Your own workbook is not touched."));
  gtk_widget_set_name (dialog, "reset-demo-dialog");
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "reset", _("_Reset"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "reset",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (reset_demo_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* --- the list of reports -------------------------------------------------- */

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  BcWindow *self = user_data;

  return bc_report_item_matches (item, self->query);
}

static void
update_sidebar_page (BcWindow *self)
{
  const char *page;

  if (self->reports == NULL || !bc_report_list_get_loaded (self->reports))
    page = self->workbook == NULL && self->path == NULL ? "none" : "loading";
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->reports)) == 0)
    page = "empty";
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) == 0)
    page = "no-results";
  else
    page = "list";

  gtk_stack_set_visible_child_name (self->sidebar_stack, page);
}

/* Selects the shown report in the list when it is there (after a refresh or
 * a search), without ever unloading the form because of a filter. */
static void
sync_selection (BcWindow *self)
{
  guint n;

  if (self->selection == NULL)
    return;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  for (guint i = 0; self->report_id != NULL && i < n; i++)
    {
      g_autoptr(BcReportItem) item = g_list_model_get_item (G_LIST_MODEL (self->filtered), i);

      if (g_str_equal (bc_report_item_get_id (item), self->report_id))
        {
          if (gtk_single_selection_get_selected (self->selection) != i)
            gtk_single_selection_set_selected (self->selection, i);
          return;
        }
    }

  if (gtk_single_selection_get_selected (self->selection) != GTK_INVALID_LIST_POSITION)
    gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
}

static gboolean
row_shows_period (BcWindow *self,
                  guint     position)
{
  g_autoptr(BcReportItem) item = NULL;
  g_autoptr(BcReportItem) previous = NULL;

  if (position == 0)
    return TRUE;

  item = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);
  previous = g_list_model_get_item (G_LIST_MODEL (self->filtered), position - 1);
  if (item == NULL || previous == NULL)
    return TRUE;

  return g_strcmp0 (bc_report_item_get_period_id (item),
                    bc_report_item_get_period_id (previous)) != 0;
}

static void
update_row_heading (BcWindow    *self,
                    GtkListItem *list_item)
{
  GtkWidget *row = gtk_list_item_get_child (list_item);
  guint position = gtk_list_item_get_position (list_item);

  if (row == NULL || self->filtered == NULL || position == GTK_INVALID_LIST_POSITION)
    return;

  bc_report_row_set_show_period (BC_REPORT_ROW (row), row_shows_period (self, position));
}

static gboolean
update_headings_idle (gpointer user_data)
{
  BcWindow *self = user_data;
  GHashTableIter iter;
  gpointer list_item;

  self->headings_idle = 0;

  g_hash_table_iter_init (&iter, self->bound_items);
  while (g_hash_table_iter_next (&iter, &list_item, NULL))
    update_row_heading (self, list_item);

  return G_SOURCE_REMOVE;
}

static void
filtered_items_changed_cb (BcWindow *self)
{
  /* A row's heading depends on the row before it, which a change elsewhere
   * in the list can replace: recheck the bound rows once things settle. */
  if (self->headings_idle == 0)
    self->headings_idle = g_idle_add (update_headings_idle, self);

  update_sidebar_page (self);
  sync_selection (self);
}

static void
list_item_position_cb (GtkListItem *list_item,
                       GParamSpec  *pspec,
                       BcWindow    *self)
{
  update_row_heading (self, list_item);
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              BcWindow                 *self)
{
  gtk_list_item_set_child (list_item, bc_report_row_new ());
  g_signal_connect_object (list_item, "notify::position",
                           G_CALLBACK (list_item_position_cb), self, 0);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             BcWindow                 *self)
{
  BcReportRow *row = BC_REPORT_ROW (gtk_list_item_get_child (list_item));

  bc_report_row_set_item (row, gtk_list_item_get_item (list_item));
  g_hash_table_add (self->bound_items, list_item);
  update_row_heading (self, list_item);
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               BcWindow                 *self)
{
  BcReportRow *row = BC_REPORT_ROW (gtk_list_item_get_child (list_item));

  g_hash_table_remove (self->bound_items, list_item);
  bc_report_row_set_item (row, NULL);
}

static void
teardown_row_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 BcWindow                 *self)
{
  g_hash_table_remove (self->bound_items, list_item);
}

static void
selection_changed_cb (BcWindow *self)
{
  BcReportItem *item = gtk_single_selection_get_selected_item (self->selection);

  /* Nothing selected happens when a search hides the report: keep it. */
  if (item == NULL)
    return;

  if (g_strcmp0 (bc_report_item_get_id (item), self->report_id) != 0)
    leave_report_then (self, show_report_then, g_strdup (bc_report_item_get_id (item)), g_free);

  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "content");
}

static void
search_changed_cb (BcWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  g_free (self->query);
  self->query = g_strdup (text);

  if (self->filter != NULL)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
search_stop_cb (BcWindow *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

static void
search_activate_cb (BcWindow *self)
{
  /* Enter opens the first match. */
  if (self->filtered != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0)
    {
      gtk_single_selection_set_selected (self->selection, 0);
      gtk_widget_grab_focus (GTK_WIDGET (self->report_list_view));
    }
}

/* --- the report shown ---------------------------------------------------- */

static void
item_notify_cb (BcWindow *self)
{
  update_status (self);
}

static void
set_item (BcWindow     *self,
          BcReportItem *item)
{
  if (self->item == item)
    return;

  if (self->item != NULL)
    g_signal_handlers_disconnect_by_func (self->item, item_notify_cb, self);
  g_set_object (&self->item, item);
  if (self->item != NULL)
    g_signal_connect_swapped (self->item, "notify", G_CALLBACK (item_notify_cb), self);

  update_status (self);
}

static void
bc_window_show_report (BcWindow   *self,
                       const char *report_id)
{
  BcReportItem *item = NULL;

  if (g_strcmp0 (self->report_id, report_id) != 0)
    {
      g_free (self->report_id);
      self->report_id = g_strdup (report_id);
      bc_form_view_load (self->form_view, report_id != NULL ? self->workbook : NULL, report_id);
    }

  if (report_id != NULL && self->reports != NULL)
    item = bc_report_list_find (self->reports, report_id, NULL);
  set_item (self, item);

  gtk_stack_set_visible_child_name (self->content_stack, report_id != NULL ? "form" : "empty");
  sync_selection (self);
  remember_place_later (self);
}

static void
form_report_cb (BcWindow *self)
{
  BcReport *report = bc_form_view_get_report (self->form_view);

  update_status (self);

  /* Reopening: once the report is on screen, go back to the field. */
  if (report != NULL && self->pending_focus_path != NULL &&
      g_strcmp0 (bc_report_get_id (report), self->report_id) == 0)
    {
      g_autofree char *path = g_steal_pointer (&self->pending_focus_path);

      bc_form_view_focus_path (self->form_view, path);
    }
}

static void
form_save_state_cb (BcWindow *self)
{
  BcSaveState state = bc_form_view_get_save_state (self->form_view);

  update_save_state (self);

  /* A saved edit changes the report's revision and time in the list. */
  if (state == BC_SAVE_STATE_SAVED)
    refresh_list (self);
}

static void
form_focus_path_cb (BcWindow *self)
{
  if (self->pending_focus_path == NULL)
    remember_place_later (self);
}

/* --- opening a workbook ---------------------------------------------------- */

static void
refresh_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(BcWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = bc_report_list_refresh_finish (BC_REPORT_LIST (source), result, &error);

  /* A list of a workbook no longer shown: its window has moved on. */
  if (BC_REPORT_LIST (source) != self->reports)
    return;

  self->refreshing = FALSE;
  if (self->refresh_again)
    {
      self->refresh_again = FALSE;
      refresh_list (self);
    }

  if (!ok)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("refreshing the list failed: %s", error->message);
      /* Opening: the list never came, so say why instead of spinning. */
      if (self->busy && !bc_report_list_get_loaded (self->reports))
        show_open_error (self, error);
      else
        toast (self, error->message);
      set_busy (self, FALSE);
      return;
    }

  update_sidebar_page (self);

  if (self->report_id != NULL)
    set_item (self, bc_report_list_find (self->reports, self->report_id, NULL));
  sync_selection (self);
  reload_if_changed_elsewhere (self);
  check_status_toast (self);

  if (self->busy)
    {
      g_autofree char *report_id = NULL;
      g_autofree char *focus_path = NULL;

      set_busy (self, FALSE);

      if (self->report_id == NULL &&
          lookup_place (self, &report_id, &focus_path) &&
          bc_report_list_find (self->reports, report_id, NULL) != NULL)
        {
          g_free (self->pending_focus_path);
          self->pending_focus_path = g_steal_pointer (&focus_path);
          bc_window_show_report (self, report_id);
        }
    }
}

/* --- closing a workbook off the UI thread ---------------------------------- */

/* sqlite3_close checkpoints and syncs the file, which can take seconds on a
 * slow disk. A workbook the window lets go keeps a toggle reference here:
 * once everything else (the form's edit queue, a list refresh, a dialog)
 * has dropped it, so that no edit still queued is cut off, it is closed
 * and finalized in a worker thread, with the application held meanwhile. */
typedef struct {
  BcWorkbook   *workbook;
  char         *path;
  GApplication *application;
  gint          started;
} WorkbookCloser;

/* Workbooks being closed, by path: opening one of them again waits for
 * its close, or SQLite would find the file still locked. */
typedef struct {
  guint      n_closing;
  GPtrArray *waiting;   /* of GTask: opens to resume */
} Closing;

static GHashTable *closing_paths;

static void open_with_templates (GTask *task);

static void
closing_free (Closing *closing)
{
  g_ptr_array_unref (closing->waiting);
  g_free (closing);
}

static void
closing_begin (const char *path)
{
  Closing *closing;

  if (closing_paths == NULL)
    closing_paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) closing_free);

  closing = g_hash_table_lookup (closing_paths, path);
  if (closing == NULL)
    {
      closing = g_new0 (Closing, 1);
      closing->waiting = g_ptr_array_new ();
      g_hash_table_insert (closing_paths, g_strdup (path), closing);
    }
  closing->n_closing++;
}

static void
closing_end (const char *path)
{
  Closing *closing = closing_paths != NULL ? g_hash_table_lookup (closing_paths, path) : NULL;
  g_autoptr(GPtrArray) waiting = NULL;

  if (closing == NULL || --closing->n_closing > 0)
    return;

  waiting = g_ptr_array_ref (closing->waiting);
  g_hash_table_remove (closing_paths, path);
  for (guint i = 0; i < waiting->len; i++)
    open_with_templates (g_ptr_array_index (waiting, i));
}

/* TRUE when `task` was put aside until `path` is closed. */
static gboolean
closing_wait (const char *path,
              GTask      *task)
{
  Closing *closing = closing_paths != NULL ? g_hash_table_lookup (closing_paths, path) : NULL;

  if (closing == NULL)
    return FALSE;

  g_ptr_array_add (closing->waiting, task);
  return TRUE;
}

static void workbook_toggle_cb (gpointer  data,
                                GObject  *object,
                                gboolean  is_last_ref);

static void
close_workbook_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  WorkbookCloser *closer = task_data;

  bc_workbook_close (closer->workbook);
  g_object_remove_toggle_ref (G_OBJECT (g_steal_pointer (&closer->workbook)),
                              workbook_toggle_cb, closer);
  g_task_return_boolean (task, TRUE);
}

static void
workbook_closed_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  WorkbookCloser *closer = user_data;

  closing_end (closer->path);
  g_free (closer->path);
  if (closer->application != NULL)
    {
      g_application_release (closer->application);
      g_object_unref (closer->application);
    }
  g_free (closer);
}

static gboolean
start_close_cb (gpointer data)
{
  WorkbookCloser *closer = data;
  g_autoptr(GTask) task = g_task_new (NULL, NULL, workbook_closed_cb, closer);

  g_task_set_source_tag (task, start_close_cb);
  g_task_set_task_data (task, closer, NULL);
  g_task_run_in_thread (task, close_workbook_thread);
  return G_SOURCE_REMOVE;
}

static void
workbook_toggle_cb (gpointer  data,
                    GObject  *object,
                    gboolean  is_last_ref)
{
  WorkbookCloser *closer = data;

  /* The last other reference may go on any thread; tasks start on the
   * UI thread's context. */
  if (is_last_ref && g_atomic_int_compare_and_exchange (&closer->started, 0, 1))
    g_main_context_invoke (NULL, start_close_cb, closer);
}

static void
close_workbook_later (BcWindow   *self,
                      BcWorkbook *workbook)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));
  WorkbookCloser *closer = g_new0 (WorkbookCloser, 1);

  closer->workbook = workbook;
  closer->path = g_strdup (bc_workbook_get_path (workbook));
  closing_begin (closer->path);
  if (application != NULL)
    {
      closer->application = G_APPLICATION (g_object_ref (application));
      g_application_hold (closer->application);
    }

  /* Trade the window's reference for the toggle one. */
  g_object_add_toggle_ref (G_OBJECT (workbook), workbook_toggle_cb, closer);
  g_object_unref (workbook);
}

static void
clear_workbook (BcWindow *self)
{
  remember_place_now (self);
  stop_watching (self);
  adw_flap_set_reveal_flap (self->problems_flap, FALSE);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  /* Cancelled just now: these give up an open waiting for the first frame. */
  finish_waiting_open (self);
  start_waiting_open (self);

  self->status_changing = FALSE;
  self->refreshing = FALSE;
  self->refresh_again = FALSE;
  g_clear_pointer (&self->pending_focus_path, g_free);
  g_clear_pointer (&self->report_id, g_free);
  set_item (self, NULL);
  bc_form_view_load (self->form_view, NULL, NULL);

  gtk_list_view_set_model (self->report_list_view, NULL);
  g_hash_table_remove_all (self->bound_items);
  if (self->filtered != NULL)
    g_signal_handlers_disconnect_by_data (self->filtered, self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_clear_object (&self->selection);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->reports);

  self->demo = FALSE;
  if (self->workbook != NULL)
    {
      close_workbook_later (self, g_steal_pointer (&self->workbook));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WORKBOOK]);
    }

  gtk_revealer_set_reveal_child (self->demo_banner, FALSE);
  bc_window_update_actions (self);
}

static void
show_open_error (BcWindow     *self,
                 const GError *error)
{
  adw_status_page_set_description (self->error_page, error->message);
  gtk_stack_set_visible_child_name (self->content_stack, "error");
  gtk_stack_set_visible_child_name (self->sidebar_stack, "none");
  set_busy (self, FALSE);
}

static void
set_workbook (BcWindow   *self,
              BcWorkbook *workbook)
{
  GtkListItemFactory *factory;
  gboolean demo = bc_workbook_get_kind (workbook) == BC_WORKBOOK_KIND_DEMO;

  self->workbook = g_object_ref (workbook);
  self->demo = demo;
  self->reports = bc_report_list_new (workbook, bc_i18n_language ());
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->reports)),
                                              g_object_ref (GTK_FILTER (self->filter)));
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->filtered)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);

  g_signal_connect_swapped (self->filtered, "items-changed",
                            G_CALLBACK (filtered_items_changed_cb), self);
  g_signal_connect_swapped (self->selection, "notify::selected",
                            G_CALLBACK (selection_changed_cb), self);

  factory = gtk_list_view_get_factory (self->report_list_view);
  if (factory == NULL)
    {
      factory = gtk_signal_list_item_factory_new ();
      g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), self);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), self);
      g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), self);
      g_signal_connect (factory, "teardown", G_CALLBACK (teardown_row_cb), self);
      gtk_list_view_set_factory (self->report_list_view, factory);
      g_object_unref (factory);
    }
  gtk_list_view_set_model (self->report_list_view, GTK_SELECTION_MODEL (self->selection));

  /* Training data must look like training data at all times. */
  gtk_revealer_set_reveal_child (self->demo_banner, demo);
  /* The banner above says it in full, over both panes; the list's header
   * keeps its room for the sync status. */
  if (demo)
    gtk_widget_add_css_class (GTK_WIDGET (self), "demo");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "demo");

  gtk_stack_set_visible_child_name (self->content_stack, "empty");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WORKBOOK]);
  bc_window_update_actions (self);

  start_watching (self);
  refresh_list (self);
}

typedef struct {
  char       *path;
  gboolean    create;
  gboolean    fresh_demo;
  /* The connection to close before a fresh demo copy replaces its file. */
  BcWorkbook *close_first;
  /* Closed by then: no need to wait for the window's own closing of it. */
  gboolean    closed_first;
  BcTemplateRegistry *templates;
} OpenRequest;

static void
open_request_free (OpenRequest *request)
{
  g_free (request->path);
  g_clear_object (&request->close_first);
  g_clear_object (&request->templates);
  g_free (request);
}

/* Shows the workbook an open task got, unless it was given up meanwhile. */
static void
finish_open (GTask      *task,
             BcWorkbook *workbook)
{
  BcWindow *self = g_task_get_source_object (task);

  if (g_task_return_error_if_cancelled (task))
    return;

  set_workbook (self, workbook);
  g_task_return_boolean (task, TRUE);
}

static void templates_loaded_cb (GObject      *source,
                                 GAsyncResult *result,
                                 gpointer      user_data);

/* Starts the open task a shown window kept for after its first frame;
 * one given up meanwhile returns cancelled. */
static void
start_waiting_open (BcWindow *self)
{
  GTask *task = g_steal_pointer (&self->start_task);

  if (task == NULL)
    return;
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  bc_application_load_templates_async (BC_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))),
                                       g_task_get_cancellable (task), templates_loaded_cb, task);
}

static void
finish_waiting_open (BcWindow *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->opened_task);
  g_autoptr(BcWorkbook) workbook = g_steal_pointer (&self->opened_workbook);

  if (task != NULL)
    finish_open (task, workbook);
}

static gboolean
after_first_frame_cb (gpointer user_data)
{
  BcWindow *self = user_data;
  g_autoptr(GtkBuilder) builder = NULL;

  self->first_frame_idle = 0;

  /* GTK would build it with the window, from gtk/help-overlay.ui: a
   * window of a hundred widgets nobody sees at start. */
  if (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (self)) == NULL)
    {
      builder = gtk_builder_new_from_resource ("/io/github/baocao/Baocao/bc-shortcuts-window.ui");
      gtk_application_window_set_help_overlay (GTK_APPLICATION_WINDOW (self),
                                               GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "help_overlay")));
    }

  finish_waiting_open (self);
  start_waiting_open (self);
  return G_SOURCE_REMOVE;
}

static void
first_frame_cb (GdkFrameClock *clock,
                BcWindow      *self)
{
  g_signal_handlers_disconnect_by_func (clock, first_frame_cb, self);
  self->drawn = TRUE;

  /* From the main loop, once this frame's own handlers have all run;
   * before the next frame (a spinner asks for them), not after. */
  if (self->first_frame_idle == 0)
    self->first_frame_idle = g_idle_add_full (G_PRIORITY_DEFAULT, after_first_frame_cb, self, NULL);
}

static void
workbook_opened_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BcWindow *self = g_task_get_source_object (task);
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(GError) error = NULL;

  workbook = bc_workbook_open_finish (result, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (workbook == NULL)
    {
      show_open_error (self, error);
      g_task_return_boolean (task, FALSE);
      return;
    }

  /* An earlier open still waiting was given up when this one started. */
  finish_waiting_open (self);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && !self->drawn)
    {
      self->opened_task = g_steal_pointer (&task);
      self->opened_workbook = g_steal_pointer (&workbook);
      return;
    }

  finish_open (task, workbook);
}

static void
open_with_templates (GTask *task)
{
  OpenRequest *request = g_task_get_task_data (task);

  if (!request->closed_first && closing_wait (request->path, task))
    return;

  bc_workbook_open_async (request->path, request->templates,
                          request->create ? BC_WORKBOOK_OPEN_CREATE : BC_WORKBOOK_OPEN_DEFAULT,
                          g_task_get_cancellable (task),
                          workbook_opened_cb, task);
}

static void
install_demo_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  OpenRequest *request = task_data;
  GError *error = NULL;

  /* Waits for the old connection's last write, so not on the UI thread. */
  if (request->close_first != NULL)
    bc_workbook_close (request->close_first);

  if (bc_demo_install (request->path, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
demo_installed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  BcWindow *self = g_task_get_source_object (task);
  OpenRequest *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_task_return_error_if_cancelled (task))
        {
          show_open_error (self, error);
          g_task_return_boolean (task, FALSE);
        }
      g_object_unref (task);
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  /* Closed already: this lets the window's closing of it finish. */
  if (request->close_first != NULL)
    request->closed_first = TRUE;
  g_clear_object (&request->close_first);
  open_with_templates (task);
}

static void
templates_loaded_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  BcWindow *self = g_task_get_source_object (task);
  OpenRequest *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  request->templates = bc_application_load_templates_finish (BC_APPLICATION (source), result, &error);
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  if (request->templates == NULL)
    {
      show_open_error (self, error);
      g_task_return_boolean (task, FALSE);
      g_object_unref (task);
      return;
    }
  show_templates_problems (self, request->templates);

  if (request->fresh_demo)
    {
      g_autoptr(GTask) install = g_task_new (self, g_task_get_cancellable (task),
                                             demo_installed_cb, task);

      g_task_set_source_tag (install, install_demo_thread);
      /* The request outlives this inner task: the outer one owns it. */
      g_task_set_task_data (install, request, NULL);
      g_task_run_in_thread (install, install_demo_thread);
      return;
    }

  open_with_templates (task);
}

static void
open_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  /* Errors were shown where they happened; cancellation is silent. */
}

/* Starts opening `path`, dropping the workbook shown. A fresh demo copy
 * replaces the file first. */
static void
start_open_then (BcWindow *self,
                 gpointer  data)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  const OpenRequest *asked = data;
  g_autofree char *path = g_strdup (asked->path);
  OpenRequest *request = g_new0 (OpenRequest, 1);
  GTask *task;

  request->path = g_strdup (asked->path);
  request->create = asked->create;
  request->fresh_demo = asked->fresh_demo;

  if (request->fresh_demo && self->workbook != NULL &&
      g_strcmp0 (bc_workbook_get_path (self->workbook), path) == 0)
    request->close_first = g_object_ref (self->workbook);

  clear_workbook (self);

  g_free (self->path);
  self->path = g_steal_pointer (&path);

  set_busy (self, TRUE);
  gtk_stack_set_visible_child_name (self->content_stack, "loading");
  gtk_stack_set_visible_child_name (self->sidebar_stack, "loading");

  task = g_task_new (self, self->cancellable, open_done_cb, NULL);
  g_task_set_source_tag (task, start_open_then);
  g_task_set_task_data (task, request, (GDestroyNotify) open_request_free);

  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && !self->drawn)
    {
      self->start_task = task;
      return;
    }

  bc_application_load_templates_async (BC_APPLICATION (app), self->cancellable,
                                       templates_loaded_cb, task);
}

/* Opens a workbook, once whatever was refused in the report shown is
 * given up (leave_report_then()). */
static void
start_open (BcWindow   *self,
            const char *path,
            gboolean    create,
            gboolean    fresh_demo)
{
  OpenRequest *request = g_new0 (OpenRequest, 1);

  request->path = g_strdup (path);
  request->create = create;
  request->fresh_demo = fresh_demo;
  leave_report_then (self, start_open_then, request, (GDestroyNotify) open_request_free);
}

void
bc_window_open_workbook (BcWindow *self,
                         GFile    *file)
{
  g_autofree char *path = NULL;

  g_return_if_fail (BC_IS_WINDOW (self));
  g_return_if_fail (file == NULL || G_IS_FILE (file));

  if (file == NULL)
    {
      path = bc_workbook_default_path ();
      start_open (self, path, TRUE, FALSE);
      return;
    }

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                             _("Baocao can only open workbooks stored on this computer. Copy the file to a local folder first."));
      clear_workbook (self);
      show_open_error (self, error);
      return;
    }

  start_open (self, path, FALSE, FALSE);
}

void
bc_window_open_demo (BcWindow *self)
{
  g_autofree char *path = bc_demo_default_path ();

  g_return_if_fail (BC_IS_WINDOW (self));

  /* Shown (or on its way): a class in the middle of an exercise keeps it. */
  if (g_strcmp0 (self->path, path) == 0 &&
      (self->workbook != NULL || self->busy))
    return;

  /* Only "Reset Demo…", which asks, replaces a copy in use; the first
   * time there is none yet. */
  start_open (self, path, FALSE, !g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
reset_demo (BcWindow *self)
{
  g_autofree char *path = bc_demo_default_path ();

  start_open (self, path, FALSE, TRUE);
}

void
bc_window_open_fresh_demo (BcWindow *self)
{
  g_return_if_fail (BC_IS_WINDOW (self));

  reset_demo (self);
}

/* --- keyboard and narrow windows ----------------------------------------- */

/* Tab leaves the list of reports at once, whichever row has the focus;
 * the arrow keys, Home and End move inside it (GtkListView's own keys). */
static gboolean
report_list_key_cb (BcWindow        *self,
                    guint            keyval,
                    guint            keycode,
                    GdkModifierType  state)
{
  gboolean backward;

  if (keyval != GDK_KEY_Tab && keyval != GDK_KEY_KP_Tab && keyval != GDK_KEY_ISO_Left_Tab)
    return FALSE;
  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return FALSE;

  backward = keyval == GDK_KEY_ISO_Left_Tab || (state & GDK_SHIFT_MASK) != 0;
  if (backward)
    {
      if (gtk_search_bar_get_search_mode (self->search_bar) &&
          gtk_widget_grab_focus (GTK_WIDGET (self->search_entry)))
        return TRUE;
      return gtk_widget_child_focus (self->sidebar_header, GTK_DIR_TAB_BACKWARD);
    }

  if (!adw_leaflet_get_folded (self->leaflet) &&
      gtk_widget_child_focus (self->content, GTK_DIR_TAB_FORWARD))
    return TRUE;

  /* Folded, the form is off screen: round to the top of the sidebar. */
  return gtk_widget_child_focus (self->sidebar_header, GTK_DIR_TAB_FORWARD);
}

/* --- another program changing the workbook -------------------------------- */

static gboolean
external_change_cb (gpointer user_data)
{
  BcWindow *self = user_data;

  self->external_timeout = 0;
  refresh_list (self);
  return G_SOURCE_REMOVE;
}

static void
workbook_file_changed_cb (GFileMonitor      *monitor,
                          GFile             *file,
                          GFile             *other_file,
                          GFileMonitorEvent  event,
                          BcWindow          *self)
{
  if (event != G_FILE_MONITOR_EVENT_CHANGED &&
      event != G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT &&
      event != G_FILE_MONITOR_EVENT_CREATED &&
      event != G_FILE_MONITOR_EVENT_DELETED)
    return;

  g_debug ("workbook file changed (%d) at %" G_GINT64_FORMAT " ms", event, g_get_monotonic_time () / 1000);
  /* A commit writes in bursts: read once they stop. */
  g_clear_handle_id (&self->external_timeout, g_source_remove);
  self->external_timeout = g_timeout_add (50, external_change_cb, self);
}

static void
stop_watching (BcWindow *self)
{
  g_clear_handle_id (&self->external_timeout, g_source_remove);
  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
  if (self->wal_monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->wal_monitor, self);
      g_file_monitor_cancel (self->wal_monitor);
      g_clear_object (&self->wal_monitor);
    }
}

static GFileMonitor *
watch_file (BcWindow   *self,
            const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  GFileMonitor *monitor = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, &error);

  if (monitor == NULL)
    {
      g_debug ("cannot watch %s: %s", path, error->message);
      return NULL;
    }

  g_file_monitor_set_rate_limit (monitor, 100);
  g_signal_connect (monitor, "changed", G_CALLBACK (workbook_file_changed_cb), self);
  return monitor;
}

static void
start_watching (BcWindow *self)
{
  const char *path = bc_workbook_get_path (self->workbook);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);

  stop_watching (self);
  self->monitor = watch_file (self, path);
  self->wal_monitor = watch_file (self, wal);
}

/* After a list refresh: the report shown was changed by someone else
 * (its revision moved on while this window had nothing on its way). */
static void
reload_if_changed_elsewhere (BcWindow *self)
{
  BcReport *report = bc_form_view_get_report (self->form_view);

  if (self->item == NULL || report == NULL || self->status_changing ||
      g_strcmp0 (bc_report_get_id (report), self->report_id) != 0)
    return;
  if (bc_form_view_get_save_state (self->form_view) == BC_SAVE_STATE_SAVING)
    return;
  if (bc_report_item_get_revision (self->item) <= bc_report_get_revision (report) &&
      bc_report_item_get_status (self->item) == bc_report_get_status (report))
    return;

  g_debug ("at %" G_GINT64_FORMAT " ms: report %s changed elsewhere (revision %" G_GINT64_FORMAT " → %" G_GINT64_FORMAT "): reloading",
           g_get_monotonic_time () / 1000, self->report_id, bc_report_get_revision (report), bc_report_item_get_revision (self->item));
  bc_form_view_reload (self->form_view);
}

/* --- GObject ------------------------------------------------------------- */

static gboolean
bc_window_close_request (GtkWindow *window)
{
  BcWindow *self = BC_WINDOW (window);
  int width, height;

  /* A value typed but refused is not lost without a word. */
  if (bc_form_view_hold_close (self->form_view, window))
    return TRUE;

  g_clear_handle_id (&self->remember_timeout, g_source_remove);
  remember_place (self);

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));

  return GTK_WINDOW_CLASS (bc_window_parent_class)->close_request (window);
}

static void
bc_window_realize (GtkWidget *widget)
{
  BcWindow *self = BC_WINDOW (widget);

  GTK_WIDGET_CLASS (bc_window_parent_class)->realize (widget);

  if (!self->drawn)
    g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint",
                      G_CALLBACK (first_frame_cb), self);
}

static void
bc_window_unmap (GtkWidget *widget)
{
  BcWindow *self = BC_WINDOW (widget);

  /* Hidden before its first frame: no frame is coming to wait for. */
  if (!self->drawn)
    first_frame_cb (gtk_widget_get_frame_clock (widget), self);

  GTK_WIDGET_CLASS (bc_window_parent_class)->unmap (widget);
}

static void
bc_window_dispose (GObject *object)
{
  BcWindow *self = BC_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  /* Cancelled just now: these return their tasks without showing them. */
  finish_waiting_open (self);
  start_waiting_open (self);
  g_clear_handle_id (&self->first_frame_idle, g_source_remove);
  stop_watching (self);
  g_clear_handle_id (&self->headings_idle, g_source_remove);
  g_clear_handle_id (&self->remember_timeout, g_source_remove);
  if (self->form_view != NULL)
    g_signal_handlers_disconnect_by_data (self->form_view, self);
  if (self->filtered != NULL)
    g_signal_handlers_disconnect_by_data (self->filtered, self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  set_item (self, NULL);
  dismiss_status_toast (self);
  gtk_list_view_set_model (self->report_list_view, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), BC_TYPE_WINDOW);

  g_clear_object (&self->selection);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->reports);
  if (self->workbook != NULL)
    close_workbook_later (self, g_steal_pointer (&self->workbook));
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (bc_window_parent_class)->dispose (object);
}

static void
bc_window_finalize (GObject *object)
{
  BcWindow *self = BC_WINDOW (object);

  g_clear_pointer (&self->bound_items, g_hash_table_unref);
  g_free (self->path);
  g_free (self->query);
  g_free (self->report_id);
  g_free (self->pending_focus_path);

  G_OBJECT_CLASS (bc_window_parent_class)->finalize (object);
}

static void
bc_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  BcWindow *self = BC_WINDOW (object);

  switch (prop_id)
    {
    case PROP_WORKBOOK:
      g_value_set_object (value, self->workbook);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_window_class_init (BcWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = bc_window_dispose;
  object_class->finalize = bc_window_finalize;
  object_class->get_property = bc_window_get_property;
  window_class->close_request = bc_window_close_request;
  widget_class->realize = bc_window_realize;
  widget_class->unmap = bc_window_unmap;

  properties[PROP_WORKBOOK] =
    g_param_spec_object ("workbook", NULL, NULL, BC_TYPE_WORKBOOK,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (BC_TYPE_FORM_VIEW);
  g_type_ensure (BC_TYPE_SYNC_INDICATOR);
  g_type_ensure (BC_TYPE_REVIEW_BANNER);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/baocao/Baocao/bc-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BcWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, sync_indicator);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, report_list_view);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, report_title);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, status_badge);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, report_bar);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, period_label);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, sidebar_header);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, content);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, mark_ready_icon_button);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, back_to_draft_icon_button);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, problems_flap);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, problems_title);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, problems_list);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, problems_button);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, problems_error_icon);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, problems_error_label);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, problems_warning_icon);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, problems_warning_label);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, mark_ready_button);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, back_to_draft_button);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, save_indicator);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, save_spinner);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, save_icon);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, save_label);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, demo_banner);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, reset_demo_button);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, review_revealer);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, review_label);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, templates_banner);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, templates_banner_label);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, carry_over_revealer);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, carry_over_label);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, carry_over_button);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, form_view);

  gtk_widget_class_install_action (widget_class, "win.new-report", NULL, new_report_action);
  gtk_widget_class_install_action (widget_class, "win.mark-ready", NULL, mark_ready_action);
  gtk_widget_class_install_action (widget_class, "win.back-to-draft", NULL, back_to_draft_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.show-reports", NULL, show_reports_action);
  gtk_widget_class_install_action (widget_class, "win.reset-demo", NULL, reset_demo_action);
  gtk_widget_class_install_action (widget_class, "win.open-user-workbook", NULL, open_user_workbook_action);
  gtk_widget_class_install_action (widget_class, "win.show-problems", NULL, show_problems_action);
  gtk_widget_class_install_action (widget_class, "win.carry-over", NULL, carry_over_action);
  gtk_widget_class_install_action (widget_class, "win.hide-templates-banner", NULL, hide_templates_banner_action);
  gtk_widget_class_install_action (widget_class, "win.next-problem", NULL, next_problem_action);
  gtk_widget_class_install_action (widget_class, "win.previous-problem", NULL, previous_problem_action);

  g_type_ensure (BC_TYPE_ISSUE_LIST);
}

static void
bc_window_init (BcWindow *self)
{
  self->cancellable = g_cancellable_new ();
  self->bound_items = g_hash_table_new (NULL, NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The field the person was at stays in view as the problems panel
   * opens or closes beside the form. */
  g_signal_connect_swapped (self->problems_flap, "notify::reveal-flap",
                            G_CALLBACK (bc_form_view_keep_focus_in_view), self->form_view);

  g_signal_connect_swapped (self->search_entry, "search-changed",
                            G_CALLBACK (search_changed_cb), self);
  g_signal_connect_swapped (self->search_entry, "stop-search",
                            G_CALLBACK (search_stop_cb), self);
  g_signal_connect_swapped (self->search_entry, "activate",
                            G_CALLBACK (search_activate_cb), self);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));

  g_signal_connect_swapped (self->form_view, "notify::report",
                            G_CALLBACK (form_report_cb), self);
  g_signal_connect_swapped (self->form_view, "notify::save-state",
                            G_CALLBACK (form_save_state_cb), self);
  g_signal_connect_swapped (self->form_view, "notify::save-error",
                            G_CALLBACK (update_save_state), self);
  g_signal_connect_swapped (self->form_view, "notify::focus-path",
                            G_CALLBACK (form_focus_path_cb), self);
  g_signal_connect_swapped (self->form_view, "notify::n-errors",
                            G_CALLBACK (update_problem_counts), self);
  g_signal_connect_swapped (self->form_view, "notify::n-warnings",
                            G_CALLBACK (update_problem_counts), self);
  g_signal_connect_object (bc_form_view_get_issue_list (self->form_view), "issues-changed",
                           G_CALLBACK (form_issues_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_swapped (self->problems_list, "activate-path",
                            G_CALLBACK (problem_activated_cb), self);
  self->problem_index = -1;
  update_problem_counts (self);

  /* The list of reports is one Tab stop; arrows move inside it. */
  {
    GtkEventController *keys = gtk_event_controller_key_new ();

    gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
    g_signal_connect_swapped (keys, "key-pressed", G_CALLBACK (report_list_key_cb), self);
    gtk_widget_add_controller (GTK_WIDGET (self->report_list_view), keys);
  }

  gtk_stack_set_visible_child_name (self->content_stack, "empty");
  bc_window_update_actions (self);
  bc_export_install (self);
}

BcWindow *
bc_window_new (BcApplication *application)
{
  BcWindow *self;

  g_return_val_if_fail (BC_IS_APPLICATION (application), NULL);

  self = g_object_new (BC_TYPE_WINDOW, "application", application, NULL);

  self->settings = g_object_ref (bc_application_get_settings (application));
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  return self;
}

BcWorkbook *
bc_window_get_workbook (BcWindow *self)
{
  g_return_val_if_fail (BC_IS_WINDOW (self), NULL);

  return self->workbook;
}

BcReportList *
bc_window_get_reports (BcWindow *self)
{
  g_return_val_if_fail (BC_IS_WINDOW (self), NULL);

  return self->reports;
}

gboolean
bc_window_get_demo (BcWindow *self)
{
  g_return_val_if_fail (BC_IS_WINDOW (self), FALSE);

  return self->workbook != NULL && self->demo;
}

BcSyncController *
bc_window_get_sync_controller (BcWindow *self)
{
  g_return_val_if_fail (BC_IS_WINDOW (self), NULL);

  return bc_sync_indicator_get_controller (self->sync_indicator);
}

gboolean
bc_window_get_busy (BcWindow *self)
{
  g_return_val_if_fail (BC_IS_WINDOW (self), FALSE);

  return self->busy;
}

BcFormView *
bc_window_get_form_view (BcWindow *self)
{
  g_return_val_if_fail (BC_IS_WINDOW (self), NULL);

  return self->form_view;
}

const char *
bc_window_get_report_id (BcWindow *self)
{
  g_return_val_if_fail (BC_IS_WINDOW (self), NULL);

  return self->report_id;
}

gboolean
bc_window_select_report (BcWindow   *self,
                         const char *report_id)
{
  g_return_val_if_fail (BC_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (report_id != NULL, FALSE);

  if (self->reports == NULL || bc_report_list_find (self->reports, report_id, NULL) == NULL)
    return FALSE;

  if (g_strcmp0 (report_id, self->report_id) != 0)
    leave_report_then (self, show_report_then, g_strdup (report_id), g_free);
  return TRUE;
}
