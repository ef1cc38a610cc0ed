/* bc-application.c: the Baocao application: windows, app actions, settings.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-app"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "bc-application.h"
#include "bc-outbox.h"
#include "bc-preferences-window.h"
#include "bc-window.h"

struct _BcApplication
{
  AdwApplication      parent_instance;

  GSettings          *settings;
  BcTemplateRegistry *templates;
  /* Tasks waiting for the templates while they load (GTask*); NULL when
   * no load is running. */
  GPtrArray          *template_waiters;
  /* Set by --demo in the first instance: activate opens the demo. */
  gboolean            start_demo;
};

G_DEFINE_FINAL_TYPE (BcApplication, bc_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "demo", 'd', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Open a fresh copy of the demo workbook (training data, never sent)"), NULL },
  { "version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and exit"), NULL },
  { NULL }
};

void
bc_application_apply_language_override (void)
{
  GSettingsSchemaSource *source;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *language = NULL;

  if (g_getenv ("BAOCAO_LANGUAGE") != NULL)
    return;

  /* An uninstalled build without GSETTINGS_SCHEMA_DIR has no schema; the
   * system language applies then. */
  source = g_settings_schema_source_get_default ();
  if (source == NULL)
    return;
  schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);
  if (schema == NULL)
    return;

  settings = g_settings_new_full (schema, NULL, NULL);
  language = g_settings_get_string (settings, "language");
  if (*language == '\0')
    return;

  g_setenv ("BAOCAO_LANGUAGE", language, TRUE);
  g_setenv ("LANGUAGE", language, TRUE);
}

static BcWindow *
get_or_create_window (BcApplication *self,
                      gboolean      *created)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  *created = window == NULL;
  if (window == NULL)
    window = GTK_WINDOW (bc_window_new (self));

  return BC_WINDOW (window);
}

static void
bc_application_activate (GApplication *application)
{
  BcApplication *self = BC_APPLICATION (application);
  gboolean created = FALSE;
  BcWindow *window = get_or_create_window (self, &created);

  /* Shown first: a shown window opens its workbook after its first frame. */
  gtk_window_present (GTK_WINDOW (window));
  if (created)
    {
      const char *path = g_getenv ("BAOCAO_WORKBOOK");

      /* `baocao --demo` starts on a fresh copy, as its help says. */
      if (self->start_demo)
        bc_window_open_fresh_demo (window);
      else if (path != NULL && *path != '\0')
        {
          g_autoptr(GFile) file = g_file_new_for_path (path);

          bc_window_open_workbook (window, file);
        }
      else
        bc_window_open_workbook (window, NULL);
    }
  else if (self->start_demo)
    bc_window_open_demo (window);

  self->start_demo = FALSE;
}

static void
bc_application_open (GApplication  *application,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  BcApplication *self = BC_APPLICATION (application);

  /* One window per workbook. */
  for (int i = 0; i < n_files; i++)
    {
      BcWindow *window = bc_window_new (self);

      gtk_window_present (GTK_WINDOW (window));
      bc_window_open_workbook (window, files[i]);
    }
}

static int
bc_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  BcApplication *self = BC_APPLICATION (application);
  g_autoptr(GError) error = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("baocao %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_contains (options, "demo"))
    {
      if (!g_application_register (application, NULL, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }

      /* A running Baocao opens the demo in its window; otherwise this one
       * starts on it. */
      if (g_application_get_is_remote (application))
        {
          g_action_group_activate_action (G_ACTION_GROUP (application), "open-demo", NULL);
          return 0;
        }
      self->start_demo = TRUE;
    }

  return G_APPLICATION_CLASS (bc_application_parent_class)->handle_local_options (application, options);
}

static void
open_demo_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  BcApplication *self = user_data;
  gboolean created = FALSE;
  BcWindow *window = get_or_create_window (self, &created);

  gtk_window_present (GTK_WINDOW (window));
  bc_window_open_demo (window);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  BcApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  BcPreferencesWindow *preferences = bc_preferences_window_new (self->settings);

  /* Over a demo, the preferences say so too. */
  if (BC_IS_WINDOW (parent) && bc_window_get_demo (BC_WINDOW (parent)))
    g_object_set (preferences, "demo", TRUE, NULL);
  if (BC_IS_WINDOW (parent))
    bc_preferences_window_set_sync_controller (preferences,
                                               bc_window_get_sync_controller (BC_WINDOW (parent)));
  gtk_window_set_transient_for (GTK_WINDOW (preferences), parent);
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  BcApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  const char *developers[] = { "Baocao developers", NULL };

  adw_show_about_window (parent,
                         "application-name", _("Baocao"),
                         "application-icon", APPLICATION_ID,
                         "developer-name", _("Baocao developers"),
                         "version", PACKAGE_VERSION,
                         "comments", _("Fill in the periodic reports of your unit offline, and send them to the province when a connection appears."),
                         "website", "https://github.com/baocao/baocao",
                         "issue-url", "https://github.com/baocao/baocao/issues",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "developers", developers,
                         /* TRANSLATORS: your name, one per line */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  BcApplication *self = user_data;
  g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  /* Closing, not destroying, so that each window stores where it was. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
}

static const GActionEntry app_actions[] = {
  { "open-demo", open_demo_action },
  { "preferences", preferences_action },
  { "about", about_action },
  { "quit", quit_action },
};

static void
bc_application_startup (GApplication *application)
{
  BcApplication *self = BC_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *new_report_accels[] = { "<Control>n", NULL };
  static const char *search_accels[] = { "<Control>f", NULL };
  static const char *mark_ready_accels[] = { "<Control>Return", NULL };
  static const char *show_problems_accels[] = { "<Control>e", NULL };
  static const char *next_problem_accels[] = { "F8", NULL };
  static const char *previous_problem_accels[] = { "<Shift>F8", NULL };
  static const char *shortcuts_accels[] = { "<Control>question", NULL };

  G_APPLICATION_CLASS (bc_application_parent_class)->startup (application);

  self->settings = g_settings_new (APPLICATION_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);

  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.new-report", new_report_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.search", search_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.mark-ready", mark_ready_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-problems", show_problems_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.next-problem", next_problem_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.previous-problem", previous_problem_accels);
  /* The shortcuts window is each window's own, built after its first
   * frame (bc-window.c); GTK's gtk/help-overlay.ui would build it before. */
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-help-overlay", shortcuts_accels);

  gtk_window_set_default_icon_name (APPLICATION_ID);

  /* The templates are read when the first window has drawn its first
   * frame (bc-window.c): read beside GTK's start-up, they slowed that
   * frame on a machine with few cores more than they sped the list. */
}

static void
bc_application_dispose (GObject *object)
{
  BcApplication *self = BC_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->templates);
  g_clear_pointer (&self->template_waiters, g_ptr_array_unref);

  G_OBJECT_CLASS (bc_application_parent_class)->dispose (object);
}

static void
bc_application_class_init (BcApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = bc_application_dispose;

  app_class->activate = bc_application_activate;
  app_class->open = bc_application_open;
  app_class->startup = bc_application_startup;
  app_class->handle_local_options = bc_application_handle_local_options;
}

static void
bc_application_init (BcApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[WORKBOOK…]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Fill in your unit’s periodic reports offline."));
}

BcApplication *
bc_application_new (void)
{
  return g_object_new (BC_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/baocao/Baocao",
                       NULL);
}

GSettings *
bc_application_get_settings (BcApplication *self)
{
  g_return_val_if_fail (BC_IS_APPLICATION (self), NULL);

  return self->settings;
}

static void
load_templates_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  GError *error = NULL;
  BcTemplateRegistry *templates = bc_template_registry_new_default (&error);

  if (templates == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* And the forms and plans the province published, where sync stored
   * them: received once, they are there at every start, as for the CLI. */
  bc_outbox_load_user_templates (templates, NULL);
  g_task_return_pointer (task, templates, g_object_unref);
}

static void
load_templates_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  BcApplication *self = BC_APPLICATION (source);
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->template_waiters);
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplateRegistry) templates = g_task_propagate_pointer (G_TASK (result), &error);

  if (templates != NULL)
    g_set_object (&self->templates, templates);

  for (guint i = 0; waiters != NULL && i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (g_task_return_error_if_cancelled (task))
        continue;
      if (templates != NULL)
        g_task_return_pointer (task, g_object_ref (templates), g_object_unref);
      else
        g_task_return_error (task, g_error_copy (error));
    }
}

void
bc_application_load_templates_async (BcApplication       *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BC_IS_APPLICATION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_application_load_templates_async);

  if (self->templates != NULL)
    {
      g_task_return_pointer (task, g_object_ref (self->templates), g_object_unref);
      return;
    }

  /* One load at a time; everyone who asks meanwhile gets its result. */
  if (self->template_waiters == NULL)
    {
      g_autoptr(GTask) load = g_task_new (self, NULL, load_templates_cb, NULL);

      self->template_waiters = g_ptr_array_new_with_free_func (g_object_unref);
      g_task_run_in_thread (load, load_templates_thread);
    }
  g_ptr_array_add (self->template_waiters, g_steal_pointer (&task));
}

BcTemplateRegistry *
bc_application_load_templates_finish (BcApplication  *self,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  g_return_val_if_fail (BC_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
