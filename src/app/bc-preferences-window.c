/* bc-preferences-window.c: the provincial server, the user's unit, the language.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-preferences"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "bc-preferences-window.h"

struct _BcPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  AdwEntryRow          *server_row;
  AdwEntryRow          *unit_row;
  GtkWidget            *demo_mark;
  AdwComboRow          *language_row;

  GSettings            *settings;
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
