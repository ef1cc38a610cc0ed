/* bc-preferences-window.c: the provincial server, the user's unit, the language.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-preferences"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "bc-preferences-window.h"
#include "bc-sync-client.h"

struct _BcPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  AdwEntryRow          *server_row;
  AdwActionRow         *account_row;
  AdwEntryRow          *user_row;
  AdwEntryRow          *password_row;
  GtkWidget            *sign_in_row;
  GtkWidget            *sign_in_button;
  GtkLabel             *enrol_error;
  AdwEntryRow          *unit_row;
  GtkWidget            *demo_mark;
  AdwComboRow          *language_row;

  GSettings            *settings;
  BcSyncController     *controller;  /* the window's workbook's, or NULL */
  gboolean              enrolling;
};

G_DEFINE_FINAL_TYPE (BcPreferencesWindow, bc_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* In the order of the language row; "" follows the system. */
static const char * const languages[] = { "", "vi", "en" };

static gboolean
language_to_selected (GValue   *value,
                      GVariant *variant,
                      gpointer  user_data)
{
  const char *language = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    if (g_str_equal (language, languages[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }

  g_value_set_uint (value, 0);
  return TRUE;
}

static GVariant *
selected_to_language (const GValue       *value,
                      const GVariantType *expected_type,
                      gpointer            user_data)
{
  guint selected = g_value_get_uint (value);

  return g_variant_new_string (selected < G_N_ELEMENTS (languages) ? languages[selected] : "");
}

/* A server address is a web address; say so while it is typed. */
static void
server_changed_cb (BcPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->server_row));
  gboolean valid = *text == '\0' ||
                   g_str_has_prefix (text, "https://") ||
                   g_str_has_prefix (text, "http://");

  if (valid)
    gtk_widget_remove_css_class (GTK_WIDGET (self->server_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->server_row), "error");

  gtk_widget_set_tooltip_text (GTK_WIDGET (self->server_row),
                               valid ? NULL : _("Write the whole address, starting with https://"));
}

/* --- enrolling this workbook ------------------------------------------------- */

/* What the workbook of the window below sends to, or the rows to enrol it. */
static void
update_account (BcPreferencesWindow *self)
{
  BcSyncController *c = self->controller;
  gboolean enrolled = c != NULL && bc_sync_controller_get_enrolled (c);
  gboolean demo = c != NULL && bc_sync_controller_get_demo (c);
  gboolean can_enrol = c != NULL && bc_sync_controller_get_ready (c) && !enrolled && !demo;
  g_autofree char *subtitle = NULL;

  if (c == NULL)
    subtitle = g_strdup (_("No workbook is open."));
  else if (demo)
    subtitle = g_strdup (_("A demo workbook sends only to the training server inside Baocao."));
  else if (!bc_sync_controller_get_ready (c))
    subtitle = g_strdup (_("Reading the workbook’s sync settings…"));
  else if (enrolled)
    {
      const char *server = bc_sync_controller_get_server_name (c);
      const char *unit = bc_sync_controller_get_unit_name (c);

      /* TRANSLATORS: the server's name, its address, the unit's name */
      subtitle = g_strdup_printf (_("Sends to %s (%s) for %s."),
                                  server != NULL ? server : "",
                                  bc_sync_controller_get_server_url (c),
                                  unit != NULL ? unit : "");
    }
  else
    subtitle = g_strdup (_("Not set up: enter the user name and password the province gave you, "
                           "then Sign In."));

  adw_action_row_set_subtitle (self->account_row, subtitle);
  gtk_widget_set_visible (GTK_WIDGET (self->user_row), can_enrol);
  gtk_widget_set_visible (GTK_WIDGET (self->password_row), can_enrol);
  gtk_widget_set_visible (self->sign_in_row, can_enrol);
  gtk_widget_set_sensitive (self->sign_in_button, can_enrol && !self->enrolling);
  if (!can_enrol)
    gtk_widget_set_visible (GTK_WIDGET (self->enrol_error), FALSE);
}

static void
show_enrol_error (BcPreferencesWindow *self,
                  const char          *text)
{
  gtk_label_set_label (self->enrol_error, text);
  gtk_widget_set_visible (GTK_WIDGET (self->enrol_error), TRUE);
}

static void
enrolled_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(BcPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  self->enrolling = FALSE;
  if (!bc_sync_controller_enrol_finish (BC_SYNC_CONTROLLER (source), result, &error))
    {
      g_autofree char *text = bc_sync_controller_describe_error (error);

      show_enrol_error (self, text);
    }
  else
    {
      gtk_widget_set_visible (GTK_WIDGET (self->enrol_error), FALSE);
      gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
    }
  update_account (self);
}

static void
sign_in_clicked (BcPreferencesWindow *self)
{
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->server_row));
  const char *user = gtk_editable_get_text (GTK_EDITABLE (self->user_row));
  g_autoptr(GError) error = NULL;
  g_autofree char *checked = NULL;

  if (self->controller == NULL || self->enrolling)
    return;

  checked = bc_sync_client_check_url (url, &error);
  if (checked == NULL)
    {
      show_enrol_error (self, error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->server_row));
      return;
    }
  if (*user == '\0')
    {
      show_enrol_error (self, _("Enter the user name the province gave you."));
      gtk_widget_grab_focus (GTK_WIDGET (self->user_row));
      return;
    }

  self->enrolling = TRUE;
  update_account (self);
  bc_sync_controller_enrol_async (self->controller, url, user,
                                  gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                                  NULL, enrolled_cb, g_object_ref (self));
}

void
bc_preferences_window_set_sync_controller (BcPreferencesWindow *self,
                                           BcSyncController    *controller)
{
  g_return_if_fail (BC_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (controller == NULL || BC_IS_SYNC_CONTROLLER (controller));

  if (self->controller != NULL)
    g_signal_handlers_disconnect_by_data (self->controller, self);
  g_set_object (&self->controller, controller);
  if (controller != NULL)
    g_signal_connect_swapped (controller, "changed", G_CALLBACK (update_account), self);
  update_account (self);
}

/* "demo": opened over a demo workbook, so the window says so too. */
enum {
  PROP_0,
  PROP_DEMO,
  N_PROPS
};

static void
bc_preferences_window_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  BcPreferencesWindow *self = BC_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DEMO:
      gtk_widget_set_visible (self->demo_mark, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_preferences_window_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  BcPreferencesWindow *self = BC_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DEMO:
      g_value_set_boolean (value, gtk_widget_get_visible (self->demo_mark));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_preferences_window_dispose (GObject *object)
{
  BcPreferencesWindow *self = BC_PREFERENCES_WINDOW (object);

  /* A row that outlives the window must not follow the settings into it. */
  if (self->server_row != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->server_row, self);
      g_settings_unbind (self->server_row, "text");
    }
  if (self->unit_row != NULL)
    g_settings_unbind (self->unit_row, "text");
  if (self->language_row != NULL)
    g_settings_unbind (self->language_row, "selected");

  if (self->controller != NULL)
    g_signal_handlers_disconnect_by_data (self->controller, self);
  g_clear_object (&self->controller);
  gtk_widget_dispose_template (GTK_WIDGET (self), BC_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (bc_preferences_window_parent_class)->dispose (object);
}

static void
bc_preferences_window_class_init (BcPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bc_preferences_window_dispose;
  object_class->set_property = bc_preferences_window_set_property;
  object_class->get_property = bc_preferences_window_get_property;

  g_object_class_install_property (object_class, PROP_DEMO,
                                   g_param_spec_boolean ("demo", NULL, NULL, FALSE,
                                                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/baocao/Baocao/bc-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BcPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, BcPreferencesWindow, account_row);
  gtk_widget_class_bind_template_child (widget_class, BcPreferencesWindow, user_row);
  gtk_widget_class_bind_template_child (widget_class, BcPreferencesWindow, password_row);
  gtk_widget_class_bind_template_child (widget_class, BcPreferencesWindow, sign_in_row);
  gtk_widget_class_bind_template_child (widget_class, BcPreferencesWindow, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, BcPreferencesWindow, enrol_error);
  gtk_widget_class_bind_template_child (widget_class, BcPreferencesWindow, unit_row);
  gtk_widget_class_bind_template_child (widget_class, BcPreferencesWindow, language_row);
  gtk_widget_class_bind_template_child (widget_class, BcPreferencesWindow, demo_mark);
}

static void
bc_preferences_window_init (BcPreferencesWindow *self)
{
  /* Language names are written in their own language, so that anyone can
   * find theirs whatever the window's language is. */
  const char * const names[] = { _("Same as the system"), "Tiếng Việt", "English", NULL };
  g_autoptr(GtkStringList) model = gtk_string_list_new (names);

  gtk_widget_init_template (GTK_WIDGET (self));

  adw_combo_row_set_model (self->language_row, G_LIST_MODEL (model));
  g_signal_connect_swapped (self->server_row, "changed", G_CALLBACK (server_changed_cb), self);
  g_signal_connect_swapped (self->sign_in_button, "clicked", G_CALLBACK (sign_in_clicked), self);
  /* Enter in the password signs in, as in any sign-in form. */
  g_signal_connect_swapped (self->password_row, "entry-activated", G_CALLBACK (sign_in_clicked), self);
  update_account (self);
}

BcPreferencesWindow *
bc_preferences_window_new (GSettings *settings)
{
  BcPreferencesWindow *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (BC_TYPE_PREFERENCES_WINDOW, NULL);
  self->settings = g_object_ref (settings);

  g_settings_bind (settings, "server-url", self->server_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "unit", self->unit_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (settings, "language", self->language_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                language_to_selected, selected_to_language,
                                NULL, NULL);

  return self;
}
