/* bc-sync-indicator.c: the header bar's sync status, "Send now", enrolment, bundles.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A menu button whose label says what sync is doing in a few words; its
 * popover says it at length (the last error with what to do next), offers
 * "Send Now" and "Cancel", and, for a workbook not yet enrolled, the
 * server address, user and password (asked once: the token goes to the
 * keyring). A demo workbook needs none of it: it syncs with the training
 * server in this process.
 */
#define G_LOG_DOMAIN "bc-sync-indicator"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "bc-form-view.h"
#include "bc-report-list.h"
#include "bc-sync-client.h"
#include "bc-sync-indicator.h"
#include "bc-window.h"

struct _BcSyncIndicator
{
  GtkWidget         parent_instance;

  GtkMenuButton    *button;
  GtkImage         *icon;
  GtkLabel         *label;
  GtkLabel         *detail;
  GtkProgressBar   *progress;
  GtkWidget        *send_button;
  GtkWidget        *cancel_button;
  GtkWidget        *enrol_box;
  GtkEditable      *url_entry;
  GtkEditable      *user_entry;
  GtkEditable      *password_entry;
  GtkWidget        *sign_in_button;
  GtkLabel         *enrol_error;

  BcWindow         *window;
  BcSyncController *controller;
  GSimpleActionGroup *actions;
  char             *status;
  char             *detail_text;
  gboolean          enrolling;
  gboolean          compact;
};

G_DEFINE_FINAL_TYPE (BcSyncIndicator, bc_sync_indicator, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_COMPACT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static guint
count_waiting (BcSyncIndicator *self)
{
  BcReportList *reports = self->window != NULL ? bc_window_get_reports (self->window) : NULL;
  guint n = 0;

  if (reports == NULL)
    return 0;
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (reports)); i++)
    {
      g_autoptr(BcReportItem) item = g_list_model_get_item (G_LIST_MODEL (reports), i);
      BcStatus status = bc_report_item_get_status (item);

      if (status == BC_STATUS_READY || status == BC_STATUS_QUEUED)
        n++;
    }
  return n;
}

static void
set_texts (BcSyncIndicator *self,
           const char      *icon,
           char            *status,
           char            *detail)
{
  g_free (self->status);
  self->status = status;
  g_free (self->detail_text);
  self->detail_text = detail;

  gtk_image_set_from_icon_name (self->icon, icon);
  gtk_label_set_label (self->label, self->status);
  if (self->detail != NULL)
    gtk_label_set_label (self->detail, self->detail_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->status,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->detail_text,
                                  -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), self->detail_text);
}

static void ensure_popover (BcSyncIndicator *self);

static void
update (BcSyncIndicator *self)
{
  BcSyncController *c = self->controller;
  gboolean enrolled = c != NULL && bc_sync_controller_get_enrolled (c);
  gboolean running = c != NULL && bc_sync_controller_get_running (c);
  guint waiting = count_waiting (self);
  const char *error = c != NULL ? bc_sync_controller_get_last_error (c) : NULL;
  g_autofree char *waiting_text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self), c != NULL);
  if (c == NULL)
    return;
  ensure_popover (self);

  gtk_widget_set_visible (self->enrol_box, !enrolled && !bc_sync_controller_get_demo (c)
                                           && bc_sync_controller_get_ready (c));
  gtk_widget_set_visible (GTK_WIDGET (self->progress), running);
  gtk_widget_set_visible (self->cancel_button, running);
  gtk_widget_set_sensitive (self->send_button, enrolled && !running);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions), "send-now")),
                               enrolled && !running);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions), "cancel")),
                               running);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions), "export-bundle")),
                               enrolled);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions), "import-bundle")),
                               enrolled);

  waiting_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u report waiting to send",
                                               "%u reports waiting to send", waiting), waiting);

  if (!bc_sync_controller_get_ready (c))
    set_texts (self, "content-loading-symbolic", g_strdup (_("Preparing to send…")), g_strdup (""));
  else if (running)
    {
      guint done = bc_sync_controller_get_items_done (c);
      guint total = bc_sync_controller_get_items_total (c);

      gtk_progress_bar_set_fraction (self->progress, total > 0 ? (double) done / total : 0.0);
      if (total > 0)
        gtk_progress_bar_pulse (self->progress);
      set_texts (self, "emblem-synchronizing-symbolic",
                 total > 0
                 /* TRANSLATORS: sending reports to the province, %u of %u */
                 ? g_strdup_printf (_("Sending %u of %u…"), done, total)
                 : g_strdup (_("Sending…")),
                 g_strdup (_("Sending to the province. You can keep working.")));
    }
  else if (!enrolled)
    set_texts (self, "network-offline-symbolic", g_strdup (_("Not set up")),
               g_strdup (_("This workbook does not send to the province yet. Enter the server address, "
                           "user name and password the province gave you.")));
  else if (error != NULL)
    set_texts (self, "dialog-warning-symbolic",
               g_strdup (waiting > 0 ? waiting_text : _("Not sent")),
               g_strdup (error));
  else if (bc_sync_controller_get_paused (c))
    set_texts (self, "media-playback-pause-symbolic", g_strdup (_("Paused")),
               g_strdup (_("Sending is paused. Choose Send Now to send again.")));
  else if (waiting > 0 && bc_sync_controller_get_last_synced (c) == 0)
    set_texts (self, "mail-send-symbolic", g_strdup (waiting_text), g_strdup (waiting_text));
  else if (bc_sync_controller_get_last_synced (c) != 0)
    {
      g_autoptr(GDateTime) at = g_date_time_new_from_unix_local (bc_sync_controller_get_last_synced (c) / G_USEC_PER_SEC);
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      /* The time is kept in the workbook: it may be days old. A day other
       * than today is shown as day/month, as Vietnamese dates are. */
      gboolean today = g_date_time_get_year (at) == g_date_time_get_year (now)
                       && g_date_time_get_day_of_year (at) == g_date_time_get_day_of_year (now);
      g_autofree char *time = g_date_time_format (at, "%H:%M");
      g_autofree char *day = g_date_time_format (at, "%d/%m/%Y");
      g_autofree char *when = today ? g_strdup (time) : g_strdup_printf ("%s %s", time, day);
      const char *server = bc_sync_controller_get_server_name (c);
      char *label;

      if (waiting > 0)
        label = g_strdup (waiting_text);
      else if (today)
        /* TRANSLATORS: %s is a time of day */
        label = g_strdup_printf (_("Synced at %s"), time);
      else
        {
          g_autofree char *short_day = g_date_time_format (at, "%d/%m");

          /* TRANSLATORS: %s is a date, day/month */
          label = g_strdup_printf (_("Synced on %s"), short_day);
        }

      set_texts (self, waiting > 0 ? "mail-send-symbolic" : "emblem-ok-symbolic", label,
                 /* TRANSLATORS: %s are a time of day (and a date if not today) and the server's name */
                 g_strdup_printf (_("Last synced at %s with %s."), when, server != NULL ? server : ""));
    }
  else
    set_texts (self, "emblem-synchronizing-symbolic", g_strdup (_("Not synced yet")),
               g_strdup (_("Baocao sends by itself when the network is there.")));
}

/* --- actions ----------------------------------------------------------------- */

static void
send_now_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  BcSyncIndicator *self = user_data;

  (void) action;
  (void) parameter;
  if (self->controller != NULL)
    bc_sync_controller_send_now (self->controller);
}

static void
cancel_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  BcSyncIndicator *self = user_data;

  (void) action;
  (void) parameter;
  if (self->controller != NULL)
    bc_sync_controller_cancel (self->controller);
}

static void
show_message (BcSyncIndicator *self,
              const char      *heading,
              const char      *body)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self->window), heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
exported_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(BcSyncIndicator) self = user_data;
  g_autoptr(GError) error = NULL;
  int n = bc_sync_controller_export_bundle_finish (BC_SYNC_CONTROLLER (source), result, &error);

  if (self->window == NULL)
    return;
  if (n < 0)
    show_message (self, _("The Bundle Could Not Be Written"), error->message);
  else
    {
      g_autofree char *body =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "%d report is in the bundle. Carry it to a computer with a link to the province.",
                                      "%d reports are in the bundle. Carry it to a computer with a link to the province.",
                                      n), n);
      show_message (self, _("Bundle Written"), body);
    }
}

static void
imported_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(BcSyncIndicator) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!bc_sync_controller_import_bundle_finish (BC_SYNC_CONTROLLER (source), result, &error))
    {
      if (self->window != NULL)
        show_message (self, _("The Bundle Was Not Imported"), error->message);
      return;
    }
  if (self->window != NULL)
    show_message (self, _("Bundle Imported"), _("The province's decisions are in the workbook now."));
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  BcSyncIndicator *self = user_data;
  gboolean saving = gtk_file_chooser_get_action (GTK_FILE_CHOOSER (chooser)) == GTK_FILE_CHOOSER_ACTION_SAVE;

  if (response == GTK_RESPONSE_ACCEPT && self->controller != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL && saving)
        bc_sync_controller_export_bundle_async (self->controller, path, exported_cb, g_object_ref (self));
      else if (path != NULL)
        bc_sync_controller_import_bundle_async (self->controller, path, imported_cb, g_object_ref (self));
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
  g_object_unref (self);
}

static void
choose_file (BcSyncIndicator *self,
             gboolean         save)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (save ? _("Export Outbox Bundle") : _("Import Bundle"),
                                         GTK_WINDOW (self->window),
                                         save ? GTK_FILE_CHOOSER_ACTION_SAVE : GTK_FILE_CHOOSER_ACTION_OPEN,
                                         save ? _("_Export") : _("_Import"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  if (save)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "outbox.baocao-bundle");
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
export_bundle_activated (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  (void) action;
  (void) parameter;
  choose_file (user_data, TRUE);
}

static void
import_bundle_activated (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  (void) action;
  (void) parameter;
  choose_file (user_data, FALSE);
}

/* --- enrolment ----------------------------------------------------------------- */

static void
enrolled_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(BcSyncIndicator) self = user_data;
  g_autoptr(GError) error = NULL;

  self->enrolling = FALSE;
  gtk_widget_set_sensitive (self->sign_in_button, TRUE);
  if (!bc_sync_controller_enrol_finish (BC_SYNC_CONTROLLER (source), result, &error))
    {
      g_autofree char *text = bc_sync_controller_describe_error (error);

      gtk_label_set_label (self->enrol_error, text);
      gtk_widget_set_visible (GTK_WIDGET (self->enrol_error), TRUE);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->enrol_error), FALSE);
  gtk_editable_set_text (self->password_entry, "");
  update (self);
}

static void
sign_in_clicked (BcSyncIndicator *self)
{
  const char *url = gtk_editable_get_text (self->url_entry);
  const char *user = gtk_editable_get_text (self->user_entry);
  g_autoptr(GError) error = NULL;
  g_autofree char *checked = NULL;

  if (self->controller == NULL || self->enrolling)
    return;

  checked = bc_sync_client_check_url (url, &error);
  if (checked == NULL || *user == '\0')
    {
      gtk_label_set_label (self->enrol_error,
                           error != NULL ? error->message : _("Enter the user name the province gave you."));
      gtk_widget_set_visible (GTK_WIDGET (self->enrol_error), TRUE);
      return;
    }

  self->enrolling = TRUE;
  gtk_widget_set_sensitive (self->sign_in_button, FALSE);
  bc_sync_controller_enrol_async (self->controller, url, user,
                                  gtk_editable_get_text (self->password_entry),
                                  NULL, enrolled_cb, g_object_ref (self));
}

/* --- following the window ------------------------------------------------------ */

static void
synced_cb (BcSyncIndicator *self)
{
  BcReportList *reports;
  BcFormView *form_view;

  if (self->window == NULL)
    return;
  reports = bc_window_get_reports (self->window);
  if (reports != NULL)
    bc_report_list_refresh_async (reports, NULL, NULL, NULL);
  form_view = bc_window_get_form_view (self->window);
  if (form_view != NULL && bc_form_view_get_report_id (form_view) != NULL)
    {
      BcReport *report = NULL;

      g_object_get (form_view, "report", &report, NULL);
      /* A draft being typed into is never reloaded under the officer. */
      if (report != NULL && bc_report_get_status (report) != BC_STATUS_DRAFT)
        bc_form_view_reload (form_view);
      g_clear_object (&report);
    }
}

static void
workbook_changed_cb (BcSyncIndicator *self)
{
  BcWorkbook *workbook = bc_window_get_workbook (self->window);

  if (self->controller != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->controller, self);
      g_clear_object (&self->controller);
    }
  if (workbook != NULL)
    {
      self->controller = bc_sync_controller_new (workbook);
      g_signal_connect_swapped (self->controller, "changed", G_CALLBACK (update), self);
      g_signal_connect_swapped (self->controller, "synced", G_CALLBACK (synced_cb), self);
      /* A status changed in place (a sync, Mark Ready, another program)
       * comes with "refreshed", not always with "items-changed". */
      if (bc_window_get_reports (self->window) != NULL)
        {
          g_signal_connect_object (bc_window_get_reports (self->window), "items-changed",
                                   G_CALLBACK (update), self, G_CONNECT_SWAPPED);
          g_signal_connect_object (bc_window_get_reports (self->window), "refreshed",
                                   G_CALLBACK (update), self, G_CONNECT_SWAPPED);
        }
    }
  update (self);
}

static void
root_changed_cb (BcSyncIndicator *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->window != NULL && GTK_ROOT (self->window) == root)
    return;
  if (self->window != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->window, self);
      gtk_widget_insert_action_group (GTK_WIDGET (self->window), "sync", NULL);
      g_clear_weak_pointer (&self->window);
    }
  if (BC_IS_WINDOW (root))
    {
      g_set_weak_pointer (&self->window, BC_WINDOW (root));
      gtk_widget_insert_action_group (GTK_WIDGET (self->window), "sync", G_ACTION_GROUP (self->actions));
      g_signal_connect_swapped (self->window, "notify::workbook", G_CALLBACK (workbook_changed_cb), self);
      workbook_changed_cb (self);
    }
}

/* --- building --------------------------------------------------------------------- */

static GtkEditable *
add_entry (GtkBox     *box,
           const char *label_text,
           gboolean    password)
{
  GtkWidget *label = gtk_label_new_with_mnemonic (label_text);
  GtkWidget *entry = password ? gtk_password_entry_new () : gtk_entry_new ();

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), entry);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  label, NULL, -1);
  if (password)
    gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
  gtk_box_append (box, label);
  gtk_box_append (box, entry);
  return GTK_EDITABLE (entry);
}

/* The popover is built when the indicator first shows, with a workbook:
 * none of it is on the window's first frame. */
static void
ensure_popover (BcSyncIndicator *self)
{
  GtkWidget *content, *popover, *buttons, *enrol;

  if (self->detail != NULL)
    return;

  popover = gtk_popover_new ();
  gtk_widget_add_css_class (popover, "sync-popover");
  content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_size_request (content, 280, -1);
  gtk_widget_set_margin_start (content, 6);
  gtk_widget_set_margin_end (content, 6);
  gtk_widget_set_margin_top (content, 6);
  gtk_widget_set_margin_bottom (content, 6);

  self->detail = GTK_LABEL (gtk_label_new (self->detail_text));
  gtk_widget_set_name (GTK_WIDGET (self->detail), "sync-detail");
  gtk_label_set_wrap (self->detail, TRUE);
  gtk_label_set_max_width_chars (self->detail, 36);
  gtk_label_set_xalign (self->detail, 0);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->detail));

  self->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->progress));

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  self->cancel_button = gtk_button_new_with_mnemonic (_("_Cancel Sending"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->cancel_button), "sync.cancel");
  self->send_button = gtk_button_new_with_mnemonic (_("_Send Now"));
  gtk_widget_add_css_class (self->send_button, "suggested-action");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->send_button), "sync.send-now");
  gtk_box_append (GTK_BOX (buttons), self->cancel_button);
  gtk_box_append (GTK_BOX (buttons), self->send_button);
  gtk_box_append (GTK_BOX (content), buttons);

  enrol = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  self->enrol_box = enrol;
  self->url_entry = add_entry (GTK_BOX (enrol), _("Server _address"), FALSE);
  gtk_editable_set_text (self->url_entry, "https://");
  self->user_entry = add_entry (GTK_BOX (enrol), _("_User name"), FALSE);
  self->password_entry = add_entry (GTK_BOX (enrol), _("_Password"), TRUE);
  g_signal_connect_swapped (self->password_entry, "activate", G_CALLBACK (sign_in_clicked), self);
  self->enrol_error = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->enrol_error, TRUE);
  gtk_label_set_max_width_chars (self->enrol_error, 36);
  gtk_label_set_xalign (self->enrol_error, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->enrol_error), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->enrol_error), FALSE);
  gtk_box_append (GTK_BOX (enrol), GTK_WIDGET (self->enrol_error));
  self->sign_in_button = gtk_button_new_with_mnemonic (_("Sign _In"));
  gtk_widget_add_css_class (self->sign_in_button, "suggested-action");
  gtk_widget_set_halign (self->sign_in_button, GTK_ALIGN_END);
  g_signal_connect_swapped (self->sign_in_button, "clicked", G_CALLBACK (sign_in_clicked), self);
  gtk_box_append (GTK_BOX (enrol), self->sign_in_button);
  gtk_box_append (GTK_BOX (content), enrol);

  gtk_popover_set_child (GTK_POPOVER (popover), content);
  gtk_menu_button_set_popover (self->button, popover);
}

static void
bc_sync_indicator_init (BcSyncIndicator *self)
{
  GtkWidget *box;
  const GActionEntry entries[] = {
    { "send-now", send_now_activated, NULL, NULL, NULL, { 0 } },
    { "cancel", cancel_activated, NULL, NULL, NULL, { 0 } },
    { "export-bundle", export_bundle_activated, NULL, NULL, NULL, { 0 } },
    { "import-bundle", import_bundle_activated, NULL, NULL, NULL, { 0 } },
  };

  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), entries, G_N_ELEMENTS (entries), self);

  self->button = GTK_MENU_BUTTON (gtk_menu_button_new ());
  gtk_widget_set_name (GTK_WIDGET (self->button), "sync-indicator");
  gtk_widget_set_parent (GTK_WIDGET (self->button), GTK_WIDGET (self));
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->icon = GTK_IMAGE (gtk_image_new ());
  self->label = GTK_LABEL (gtk_label_new (NULL));
  /* Ellipsized so that the window still fits 360 px; the icon, the tooltip
   * and the popover keep the words. Side by side, its longest states
   * ("12 reports waiting to send", "Đang chuẩn bị gửi…") fit whole. */
  gtk_label_set_ellipsize (self->label, PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (self->label, 28);
  /* Never cut to a bare "…" beside a wide sidebar title (a folded window
   * shows the icon only, see "compact"). */
  gtk_label_set_width_chars (self->label, 9);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->icon));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->label));
  gtk_menu_button_set_child (self->button, box);

  g_signal_connect (self, "notify::root", G_CALLBACK (root_changed_cb), NULL);
  set_texts (self, "emblem-synchronizing-symbolic", g_strdup (""), g_strdup (""));
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

static void
bc_sync_indicator_dispose (GObject *object)
{
  BcSyncIndicator *self = BC_SYNC_INDICATOR (object);

  if (self->controller != NULL)
    g_signal_handlers_disconnect_by_data (self->controller, self);
  g_clear_object (&self->controller);
  if (self->window != NULL)
    g_signal_handlers_disconnect_by_data (self->window, self);
  g_clear_weak_pointer (&self->window);
  if (self->button != NULL)
    gtk_widget_unparent (GTK_WIDGET (self->button));
  self->button = NULL;

  G_OBJECT_CLASS (bc_sync_indicator_parent_class)->dispose (object);
}

static void
bc_sync_indicator_finalize (GObject *object)
{
  BcSyncIndicator *self = BC_SYNC_INDICATOR (object);

  g_clear_object (&self->actions);
  g_free (self->status);
  g_free (self->detail_text);

  G_OBJECT_CLASS (bc_sync_indicator_parent_class)->finalize (object);
}

static void
bc_sync_indicator_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  BcSyncIndicator *self = BC_SYNC_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_COMPACT:
      g_value_set_boolean (value, self->compact);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_sync_indicator_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  BcSyncIndicator *self = BC_SYNC_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_COMPACT:
      if (self->compact != g_value_get_boolean (value))
        {
          self->compact = g_value_get_boolean (value);
          /* Icon only: the status in words stays in the tooltip and popover. */
          gtk_widget_set_visible (GTK_WIDGET (self->label), !self->compact);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_sync_indicator_class_init (BcSyncIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bc_sync_indicator_dispose;
  object_class->finalize = bc_sync_indicator_finalize;
  object_class->get_property = bc_sync_indicator_get_property;
  object_class->set_property = bc_sync_indicator_set_property;

  /* In a narrow window (the leaflet folded) only the icon shows. */
  properties[PROP_COMPACT] =
    g_param_spec_boolean ("compact", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

BcSyncController *
bc_sync_indicator_get_controller (BcSyncIndicator *self)
{
  g_return_val_if_fail (BC_IS_SYNC_INDICATOR (self), NULL);
  return self->controller;
}

const char *
bc_sync_indicator_get_status (BcSyncIndicator *self)
{
  g_return_val_if_fail (BC_IS_SYNC_INDICATOR (self), NULL);
  return self->status;
}

const char *
bc_sync_indicator_get_detail (BcSyncIndicator *self)
{
  g_return_val_if_fail (BC_IS_SYNC_INDICATOR (self), NULL);
  return self->detail_text;
}
