/* bc-sync-controller.c: the window's sync — client, scheduler, training server.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One per open workbook. Everything that touches SQLite or the network runs
 * off the UI thread: the setup (reading the sync settings, starting the
 * training server for a demo workbook) in a GTask thread, the sync itself in
 * the client's thread, driven by the BcSyncScheduler.
 */
#define G_LOG_DOMAIN "bc-sync-controller"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "bc-outbox.h"
#include "bc-sync-bundle.h"
#include "bc-sync-client.h"
#include "bc-sync-controller.h"
#include "bc-sync-scheduler.h"
#include "bc-training.h"

/* Seconds between scheduled syncs. */
#define SYNC_INTERVAL 900

struct _BcSyncController
{
  GObject           parent_instance;

  BcWorkbook       *workbook;
  BcTrainingServer *training;
  BcSyncClient     *client;
  BcSyncScheduler  *scheduler;
  GCancellable     *cancellable;
  char             *token_file;
  char             *ca_file;
  char             *server_url;
  char             *server_name;
  char             *unit_name;
  char             *last_error;
  gint64            last_synced;
  guint             n_synced;
  gboolean          ready;
  gboolean          demo;
  gboolean          paused;
  gboolean          token_file_forced;
  gboolean          send_after_setup;  /* just enrolled: the officer waits for it */
};

G_DEFINE_FINAL_TYPE (BcSyncController, bc_sync_controller, G_TYPE_OBJECT)

enum { SIGNAL_CHANGED, SIGNAL_SYNCED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
emit_changed (BcSyncController *self)
{
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

char *
bc_sync_controller_describe_error (const GError *error)
{
  const char *next = NULL;

  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == BC_SYNC_ERROR)
    switch ((BcSyncError) error->code)
      {
      case BC_SYNC_ERROR_OFFLINE:
      case BC_SYNC_ERROR_TIMEOUT:
      case BC_SYNC_ERROR_INTERRUPTED:
        next = _("Nothing is lost: the reports wait here and go when the link comes back.");
        break;
      case BC_SYNC_ERROR_BAD_CREDENTIALS:
        /* The client's message says it already: check them and try again. */
        break;
      case BC_SYNC_ERROR_UNAUTHORIZED:
      case BC_SYNC_ERROR_NOT_ENROLLED:
        next = _("Set up sending again with your user name and password.");
        break;
      case BC_SYNC_ERROR_CERTIFICATE:
        next = _("Ask the province's IT staff whether the server address is right.");
        break;
      case BC_SYNC_ERROR_SERVER_TOO_NEW:
        next = _("Install the newest Baocao.");
        break;
      case BC_SYNC_ERROR_RATE_LIMITED:
      case BC_SYNC_ERROR_SERVER:
        next = _("Baocao tries again by itself later.");
        break;
      case BC_SYNC_ERROR_NO_KEYRING:
        next = _("Unlock or start the desktop keyring, then try again.");
        break;
      default:
        break;
      }

  if (next == NULL)
    return g_strdup (error->message);
  /* TRANSLATORS: what went wrong, then what to do next */
  return g_strdup_printf (_("%s %s"), error->message, next);
}

static void
fetch_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  BcSyncServerReport *report = bc_sync_client_fetch_report_finish (BC_SYNC_CLIENT (source), result, &error);

  if (report == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, report, (GDestroyNotify) bc_sync_server_report_free);
}

void
bc_sync_controller_fetch_report_async (BcSyncController    *self,
                                       const char          *report_id,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (BC_IS_SYNC_CONTROLLER (self));
  g_return_if_fail (report_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_sync_controller_fetch_report_async);
  if (self->client == NULL)
    {
      g_task_return_new_error (task, BC_SYNC_ERROR, BC_SYNC_ERROR_NOT_ENROLLED,
                               _("This workbook is not set up to send to the province yet."));
      g_object_unref (task);
      return;
    }
  bc_sync_client_fetch_report_async (self->client, report_id, cancellable, fetch_done_cb, task);
}

gpointer
bc_sync_controller_fetch_report_finish (BcSyncController  *self,
                                        GAsyncResult      *result,
                                        GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
set_last_error (BcSyncController *self,
                const GError     *error)
{
  g_clear_pointer (&self->last_error, g_free);
  if (error != NULL)
    self->last_error = bc_sync_controller_describe_error (error);
}

/* Ready reports nothing from here will send (another unit's): said in the
 * sync status, not left counted as waiting. */
static void
report_not_sent (BcSyncController *self,
                 GPtrArray        *not_sent)
{
  const BcSyncNotSent *first = g_ptr_array_index (not_sent, 0);
  guint n = not_sent->len;
  g_autoptr(GError) error = n == 1
    ? g_error_new_literal (BC_SYNC_ERROR, BC_SYNC_ERROR_REFUSED, first->message)
    /* TRANSLATORS: how many ready reports cannot be sent, then why the first one cannot */
    : g_error_new (BC_SYNC_ERROR, BC_SYNC_ERROR_REFUSED,
                   g_dngettext (GETTEXT_PACKAGE, "%u ready report cannot be sent from here. %s",
                                "%u ready reports cannot be sent from here. %s", n),
                   n, first->message);

  set_last_error (self, error);
}

/* --- the client and its scheduler ----------------------------------------- */

static void
client_progress_cb (BcSyncController *self)
{
  emit_changed (self);
}

static void
scheduler_finished_cb (BcSyncController    *self,
                       const BcSyncSummary *summary,
                       const GError        *error)
{
  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_last_error (self, NULL);
  else if (error == NULL && summary != NULL && summary->not_sent != NULL && summary->not_sent->len > 0)
    report_not_sent (self, summary->not_sent);
  else
    set_last_error (self, error);

  if (summary != NULL)
    {
      self->last_synced = summary->synced_at != 0 ? summary->synced_at : g_get_real_time ();
      self->n_synced++;
      if (summary->server_name != NULL)
        {
          g_free (self->server_name);
          self->server_name = g_strdup (summary->server_name);
        }
      g_signal_emit (self, signals[SIGNAL_SYNCED], 0);
    }
  emit_changed (self);
}

static void
scheduler_running_cb (BcSyncController *self)
{
  emit_changed (self);
}

static void
make_client (BcSyncController *self)
{
  g_clear_object (&self->scheduler);
  g_clear_object (&self->client);

  self->client = bc_sync_client_new (self->workbook);
  bc_sync_client_set_token_file (self->client, self->token_file);
  bc_sync_client_set_ca_file (self->client, self->ca_file);
  g_signal_connect_object (self->client, "notify::items-done",
                           G_CALLBACK (client_progress_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->client, "notify::items-total",
                           G_CALLBACK (client_progress_cb), self, G_CONNECT_SWAPPED);

  self->scheduler = bc_sync_scheduler_new (self->client, SYNC_INTERVAL);
  g_signal_connect_object (self->scheduler, "finished",
                           G_CALLBACK (scheduler_finished_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->scheduler, "notify::running",
                           G_CALLBACK (scheduler_running_cb), self, G_CONNECT_SWAPPED);
  /* A demo workbook sends only when asked: a class is walked through
   * "Send now" step by step, and marking a report ready must not make it
   * leave behind the trainer's back. */
  if (!self->paused && !self->demo)
    bc_sync_scheduler_start (self->scheduler);
}

/* --- setup, off the UI thread ---------------------------------------------- */

typedef struct {
  BcTrainingServer *training;
  char             *token_file;
  char             *ca_file;
  char             *server_url;
  char             *server_name;
  char             *unit_name;
  gint64            last_synced;
} Setup;

static void
setup_free (Setup *setup)
{
  g_clear_pointer (&setup->training, bc_training_server_free);
  g_free (setup->token_file);
  g_free (setup->ca_file);
  g_free (setup->server_url);
  g_free (setup->server_name);
  g_free (setup->unit_name);
  g_free (setup);
}

static void
setup_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  BcWorkbook *workbook = task_data;
  Setup *setup = g_new0 (Setup, 1);
  g_autoptr(GError) error = NULL;

  (void) source;
  (void) cancellable;

  /* A demo workbook talks only to the training server, in this process. */
  if (bc_workbook_get_kind (workbook) == BC_WORKBOOK_KIND_DEMO)
    {
      setup->training = bc_training_server_open_for_workbook (workbook, &error);
      if (setup->training == NULL)
        {
          setup_free (setup);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      setup->token_file = g_strdup (bc_training_server_get_token_file (setup->training));
    }
  else
    {
      setup->token_file = bc_outbox_get_sync_setting (workbook, "token_file");
      setup->ca_file = bc_outbox_get_sync_setting (workbook, "ca_file");
    }
  setup->server_url = bc_outbox_get_sync_setting (workbook, BC_SYNC_SETTING_SERVER_URL);
  setup->server_name = bc_outbox_get_sync_setting (workbook, BC_SYNC_SETTING_SERVER_NAME);
  setup->unit_name = bc_outbox_get_sync_setting (workbook, BC_SYNC_SETTING_UNIT_NAME);
  {
    g_autofree char *at = bc_outbox_get_sync_setting (workbook, BC_SYNC_SETTING_LAST_SYNCED);

    setup->last_synced = at != NULL ? MAX (g_ascii_strtoll (at, NULL, 10), 0) : 0;
  }

  g_task_return_pointer (task, setup, (GDestroyNotify) setup_free);
}

static void
apply_setup (BcSyncController *self,
             Setup            *setup)
{
  g_clear_pointer (&self->training, bc_training_server_free);
  self->training = g_steal_pointer (&setup->training);
  if (!self->token_file_forced || self->training != NULL)
    {
      g_free (self->token_file);
      self->token_file = g_steal_pointer (&setup->token_file);
    }
  g_free (self->ca_file);
  self->ca_file = g_steal_pointer (&setup->ca_file);
  g_free (self->server_url);
  self->server_url = g_steal_pointer (&setup->server_url);
  g_free (self->server_name);
  self->server_name = g_steal_pointer (&setup->server_name);
  g_free (self->unit_name);
  self->unit_name = g_steal_pointer (&setup->unit_name);
  /* A sync that ended while the setup ran is newer than the stored time. */
  self->last_synced = MAX (self->last_synced, setup->last_synced);
}

static void
setup_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  BcSyncController *self = BC_SYNC_CONTROLLER (source);
  g_autoptr(GError) error = NULL;
  Setup *setup;

  (void) user_data;

  setup = g_task_propagate_pointer (G_TASK (result), &error);
  if (setup == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          set_last_error (self, error);
          self->ready = TRUE;
          emit_changed (self);
        }
      return;
    }

  apply_setup (self, setup);
  setup_free (setup);
  self->ready = TRUE;
  if (self->server_url != NULL)
    make_client (self);
  if (self->send_after_setup && self->scheduler != NULL)
    bc_sync_scheduler_sync_now (self->scheduler);
  self->send_after_setup = FALSE;
  emit_changed (self);
}

static void
run_setup (BcSyncController *self)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, setup_done_cb, NULL);

  g_task_set_source_tag (task, run_setup);
  g_task_set_task_data (task, g_object_ref (self->workbook), g_object_unref);
  g_task_run_in_thread (task, setup_thread);
}

/* --- public ------------------------------------------------------------------ */

BcSyncController *
bc_sync_controller_new (BcWorkbook *workbook)
{
  BcSyncController *self;

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), NULL);

  self = g_object_new (BC_TYPE_SYNC_CONTROLLER, NULL);
  self->workbook = g_object_ref (workbook);
  self->demo = bc_workbook_get_kind (workbook) == BC_WORKBOOK_KIND_DEMO;
  run_setup (self);
  return self;
}

BcWorkbook *
bc_sync_controller_get_workbook (BcSyncController *self)
{
  g_return_val_if_fail (BC_IS_SYNC_CONTROLLER (self), NULL);
  return self->workbook;
}

void
bc_sync_controller_set_token_file (BcSyncController *self,
                                   const char       *token_file)
{
  g_return_if_fail (BC_IS_SYNC_CONTROLLER (self));

  g_free (self->token_file);
  self->token_file = g_strdup (token_file);
  self->token_file_forced = token_file != NULL;
  if (self->client != NULL)
    bc_sync_client_set_token_file (self->client, token_file);
}

gboolean
bc_sync_controller_get_ready (BcSyncController *self)
{
  g_return_val_if_fail (BC_IS_SYNC_CONTROLLER (self), FALSE);
  return self->ready;
}

gboolean
bc_sync_controller_get_enrolled (BcSyncController *self)
{
  g_return_val_if_fail (BC_IS_SYNC_CONTROLLER (self), FALSE);
  return self->client != NULL;
}

gboolean
bc_sync_controller_get_demo (BcSyncController *self)
{
  g_return_val_if_fail (BC_IS_SYNC_CONTROLLER (self), FALSE);
  return self->demo;
}

gboolean
bc_sync_controller_get_running (BcSyncController *self)
{
  g_return_val_if_fail (BC_IS_SYNC_CONTROLLER (self), FALSE);
  return self->scheduler != NULL && bc_sync_scheduler_get_running (self->scheduler);
}

gboolean
bc_sync_controller_get_paused (BcSyncController *self)
{
  g_return_val_if_fail (BC_IS_SYNC_CONTROLLER (self), FALSE);
  return self->paused;
}

guint
bc_sync_controller_get_items_done (BcSyncController *self)
{
  g_return_val_if_fail (BC_IS_SYNC_CONTROLLER (self), 0);
  return self->client != NULL ? bc_sync_client_get_items_done (self->client) : 0;
}

guint
bc_sync_controller_get_items_total (BcSyncController *self)
{
  g_return_val_if_fail (BC_IS_SYNC_CONTROLLER (self), 0);
  return self->client != NULL ? bc_sync_client_get_items_total (self->client) : 0;
}

gint64
bc_sync_controller_get_last_synced (BcSyncController *self)
{
  g_return_val_if_fail (BC_IS_SYNC_CONTROLLER (self), 0);
  return self->last_synced;
}

guint
bc_sync_controller_get_n_synced (BcSyncController *self)
{
  g_return_val_if_fail (BC_IS_SYNC_CONTROLLER (self), 0);
  return self->n_synced;
}

const char *
bc_sync_controller_get_last_error (BcSyncController *self)
{
  g_return_val_if_fail (BC_IS_SYNC_CONTROLLER (self), NULL);
  return self->last_error;
}

const char *
bc_sync_controller_get_server_name (BcSyncController *self)
{
  g_return_val_if_fail (BC_IS_SYNC_CONTROLLER (self), NULL);
  return self->server_name != NULL ? self->server_name : self->server_url;
}

const char *
bc_sync_controller_get_server_url (BcSyncController *self)
{
  g_return_val_if_fail (BC_IS_SYNC_CONTROLLER (self), NULL);
  return self->server_url;
}

const char *
bc_sync_controller_get_unit_name (BcSyncController *self)
{
  g_return_val_if_fail (BC_IS_SYNC_CONTROLLER (self), NULL);
  return self->unit_name;
}

void
bc_sync_controller_send_now (BcSyncController *self)
{
  g_return_if_fail (BC_IS_SYNC_CONTROLLER (self));

  if (self->scheduler == NULL)
    return;
  if (self->paused)
    {
      self->paused = FALSE;
      if (!self->demo)
        bc_sync_scheduler_start (self->scheduler);
    }
  bc_sync_scheduler_sync_now (self->scheduler);
  emit_changed (self);
}

void
bc_sync_controller_cancel (BcSyncController *self)
{
  g_return_if_fail (BC_IS_SYNC_CONTROLLER (self));

  if (self->scheduler == NULL)
    return;
  self->paused = TRUE;
  bc_sync_scheduler_stop (self->scheduler);
  emit_changed (self);
}

/* --- enrolment ------------------------------------------------------------- */

static void
enrolled_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BcSyncController *self = g_task_get_source_object (task);
  g_autoptr(BcSyncEnrolment) enrolment = NULL;
  g_autoptr(GError) error = NULL;

  enrolment = bc_sync_client_enrol_finish (BC_SYNC_CLIENT (source), result, &error);
  if (enrolment == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The client remembered server and unit in the workbook; read them back
   * (and the token file's path) off this thread, then start syncing. */
  self->paused = FALSE;
  g_clear_pointer (&self->last_error, g_free);
  g_clear_object (&self->scheduler);
  g_clear_object (&self->client);
  g_free (self->unit_name);
  self->unit_name = g_strdup (enrolment->unit_name != NULL ? enrolment->unit_name
                                                          : enrolment->unit_code);
  self->send_after_setup = TRUE;
  run_setup (self);
  g_task_return_boolean (task, TRUE);
}

void
bc_sync_controller_enrol_async (BcSyncController    *self,
                                const char          *url,
                                const char          *user,
                                const char          *password,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(BcSyncClient) client = NULL;
  GTask *task;

  g_return_if_fail (BC_IS_SYNC_CONTROLLER (self));
  g_return_if_fail (url != NULL && user != NULL && password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_sync_controller_enrol_async);

  client = bc_sync_client_new (self->workbook);
  bc_sync_client_set_token_file (client, self->token_file_forced ? self->token_file : NULL);
  /* No keyring (a desktop without one, Windows): the token goes to a file
   * of the user's own, one per workbook, rather than asking for a path. */
  {
    g_autofree char *key = g_compute_checksum_for_string (G_CHECKSUM_SHA256,
                                                          bc_workbook_get_path (self->workbook), -1);
    g_autofree char *name = g_strdup_printf ("%.16s.token", key);
    g_autofree char *fallback = g_build_filename (g_get_user_data_dir (), "baocao", "tokens",
                                                  name, NULL);

    bc_sync_client_set_fallback_token_file (client, fallback);
  }
  bc_sync_client_enrol_async (client, url, user, password, g_get_host_name (),
                              cancellable, enrolled_cb, task);
}

gboolean
bc_sync_controller_enrol_finish (BcSyncController  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- bundles ----------------------------------------------------------------- */

static void
exported_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(BcBundleExport) export_ = NULL;
  GError *error = NULL;

  export_ = bc_sync_bundle_export_finish (BC_WORKBOOK (source), result, &error);
  if (export_ == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (export_->not_sent != NULL && export_->not_sent->len > 0)
    {
      BcSyncController *self = g_task_get_source_object (task);

      report_not_sent (self, export_->not_sent);
      emit_changed (self);
    }
  g_task_return_int (task, export_->n_items);
}

void
bc_sync_controller_export_bundle_async (BcSyncController    *self,
                                        const char          *path,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (BC_IS_SYNC_CONTROLLER (self));
  g_return_if_fail (path != NULL);

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, bc_sync_controller_export_bundle_async);
  bc_sync_bundle_export_async (self->workbook, self->token_file, path, NULL, exported_cb, task);
}

int
bc_sync_controller_export_bundle_finish (BcSyncController  *self,
                                         GAsyncResult      *result,
                                         GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  return (int) g_task_propagate_int (G_TASK (result), error);
}

static void
imported_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BcSyncController *self = g_task_get_source_object (task);
  g_autoptr(BcSyncSummary) summary = NULL;
  GError *error = NULL;

  summary = bc_sync_bundle_import_reply_finish (BC_WORKBOOK (source), result, &error);
  if (summary == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_SYNCED], 0);
  g_task_return_boolean (task, TRUE);
}

void
bc_sync_controller_import_bundle_async (BcSyncController    *self,
                                        const char          *path,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (BC_IS_SYNC_CONTROLLER (self));
  g_return_if_fail (path != NULL);

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, bc_sync_controller_import_bundle_async);
  bc_sync_bundle_import_reply_async (self->workbook, self->token_file, path, NULL,
                                     imported_cb, task);
}

gboolean
bc_sync_controller_import_bundle_finish (BcSyncController  *self,
                                         GAsyncResult      *result,
                                         GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- GObject ----------------------------------------------------------------- */

static void
bc_sync_controller_dispose (GObject *object)
{
  BcSyncController *self = BC_SYNC_CONTROLLER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->scheduler != NULL)
    bc_sync_scheduler_stop (self->scheduler);
  g_clear_object (&self->scheduler);
  g_clear_object (&self->client);
  g_clear_pointer (&self->training, bc_training_server_free);

  G_OBJECT_CLASS (bc_sync_controller_parent_class)->dispose (object);
}

static void
bc_sync_controller_finalize (GObject *object)
{
  BcSyncController *self = BC_SYNC_CONTROLLER (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->workbook);
  g_free (self->token_file);
  g_free (self->ca_file);
  g_free (self->server_url);
  g_free (self->server_name);
  g_free (self->unit_name);
  g_free (self->last_error);

  G_OBJECT_CLASS (bc_sync_controller_parent_class)->finalize (object);
}

static void
bc_sync_controller_class_init (BcSyncControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bc_sync_controller_dispose;
  object_class->finalize = bc_sync_controller_finalize;

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_SYNCED] =
    g_signal_new ("synced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
bc_sync_controller_init (BcSyncController *self)
{
  self->cancellable = g_cancellable_new ();
}
