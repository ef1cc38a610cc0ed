/* bc-training.c: the training server, in the calling process, for demo workbooks.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-training"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "bc-outbox.h"
#include "bc-server-auth.h"
#include "bc-server-private.h"
#include "bc-training.h"

#define SETTING_DIR "training_dir"

struct _BcTrainingServer {
  BcServer *server;
  char     *directory;
  char     *url;
  char     *token_file;
};

/* The training reviewer: returns a report's first revision with a comment,
 * accepts any later one. Runs in the server's worker thread right after the
 * revision is stored, so its decision follows the receipt in the feed. */
static void
training_review (BcServer      *server,
                 BcServerStore *store,
                 const char    *unit,
                 const char    *report_id,
                 gint64         revision,
                 gpointer       user_data)
{
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *revisions;
  gboolean first;

  (void) server;
  (void) revision;
  (void) user_data;

  report = bc_server_store_get_report (store, unit, report_id, &error);
  if (report == NULL)
    {
      g_warning ("Training reviewer: %s", error != NULL ? error->message : report_id);
      return;
    }
  revisions = json_object_get_array_member (report, "revisions");
  first = revisions == NULL || json_array_get_length (revisions) <= 1;

  if (!bc_server_store_review (store, unit, report_id, first ? "returned" : "accepted",
                               first ? _("Training: check the figures against your records, "
                                         "correct what is wrong and send the report again.")
                                     : NULL,
                               _("Training reviewer"), g_get_real_time (), &error))
    g_warning ("Training reviewer: %s", error->message);
}

static gboolean
seed (BcServerStore  *store,
      GError        **error)
{
  g_autoptr(JsonArray) units = json_array_new ();
  g_autofree char *hash = NULL;
  JsonObject *unit = json_object_new ();

  json_object_set_string_member (unit, "code", BC_TRAINING_UNIT);
  json_object_set_string_member (unit, "name", "UBND tỉnh Quảng Ngãi");
  json_object_set_string_member (unit, "level", "province");
  json_object_set_null_member (unit, "parent");
  json_object_set_null_member (unit, "valid_from");
  json_object_set_null_member (unit, "valid_to");
  json_array_add_object_element (units, unit);

  hash = bc_server_hash_password (BC_TRAINING_PASSWORD);
  if (hash == NULL)
    {
      g_set_error_literal (error, BC_SERVER_ERROR, BC_SERVER_ERROR_STORE,
                           _("Not enough memory to set up the training server."));
      return FALSE;
    }

  return bc_server_store_set_meta (store, "name", _("Training server (no real reports)"), error)
         && bc_server_store_load_units (store, units, g_get_real_time (), error)
         && bc_server_store_add_user (store, BC_TRAINING_USER, BC_TRAINING_UNIT, hash,
                                      g_get_real_time (), error)
         && bc_server_store_set_meta (store, "training_seeded", "1", error);
}

BcTrainingServer *
bc_training_server_start (const char  *directory,
                          GError     **error)
{
  g_autoptr(BcTrainingServer) self = g_new0 (BcTrainingServer, 1);
  g_autoptr(BcTemplateRegistry) shipped = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *seeded = NULL;
  BcServerStore *store;

  self->directory = directory != NULL ? g_strdup (directory)
                                      : g_dir_make_tmp ("baocao-training-XXXXXX", error);
  if (self->directory == NULL)
    return NULL;

  store = bc_server_store_open_sqlite (self->directory, error);
  if (store == NULL)
    return NULL;
  seeded = bc_server_store_get_meta (store, "training_seeded", &local_error);
  if (seeded == NULL && local_error == NULL && !seed (store, &local_error))
    {
      bc_server_store_free (store);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (local_error != NULL)
    {
      bc_server_store_free (store);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  shipped = bc_template_registry_new_default (NULL);
  if (shipped == NULL)
    shipped = bc_template_registry_new ();
  self->server = bc_server_new (store, shipped, error);
  if (self->server == NULL)
    return NULL;
  _bc_server_set_training (self->server, training_review, NULL);
  bc_server_set_rate_limit (self->server, 0, 0);
  if (!bc_server_listen (self->server, "127.0.0.1:0", NULL, error))
    return NULL;
  self->url = bc_server_get_url (self->server);

  return g_steal_pointer (&self);
}

/* Enrols `workbook` in-process: a device of the demo account, its token in a
 * file of the server's folder, the server and unit in the workbook. */
static gboolean
enrol (BcTrainingServer  *self,
       BcWorkbook        *workbook,
       GError           **error)
{
  BcServerStore *store = _bc_server_get_store (self->server);
  g_autoptr(BcStoreUser) user = NULL;
  g_autofree char *token = bc_server_new_token ();
  g_autofree char *token_hash = bc_server_token_hash (token);
  g_autofree char *text = g_strconcat (token, "\n", NULL);
  g_autofree char *device_id = NULL;
  g_autofree char *server_id = NULL;
  g_autofree char *name = NULL;

  user = bc_server_store_find_user (store, BC_TRAINING_USER, error);
  if (user == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, BC_SERVER_ERROR, BC_SERVER_ERROR_STORE,
                             _("The training server has no demo account. Reset the demo "
                               "workbook to start a new training server."));
      return FALSE;
    }
  device_id = bc_server_store_add_device (store, user->id, _("Training computer"), token_hash,
                                          g_get_real_time (), error);
  server_id = bc_server_store_get_meta (store, "server_id", error);
  name = bc_server_store_get_meta (store, "name", NULL);
  if (device_id == NULL || server_id == NULL)
    return FALSE;

  if (!g_file_set_contents_full (self->token_file, text, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                 0600, error))
    return FALSE;

  return bc_outbox_set_sync_settings (workbook, error,
                                      BC_SYNC_SETTING_SERVER_URL, self->url,
                                      BC_SYNC_SETTING_SERVER_ID, server_id,
                                      BC_SYNC_SETTING_SERVER_NAME, name,
                                      BC_SYNC_SETTING_UNIT, BC_TRAINING_UNIT,
                                      BC_SYNC_SETTING_UNIT_NAME, "UBND tỉnh Quảng Ngãi",
                                      BC_SYNC_SETTING_USER, BC_TRAINING_USER,
                                      BC_SYNC_SETTING_DEVICE_ID, device_id,
                                      "token_file", self->token_file,
                                      "cursor", "0",
                                      NULL);
}

BcTrainingServer *
bc_training_server_open_for_workbook (BcWorkbook  *workbook,
                                      GError     **error)
{
  g_autoptr(BcTrainingServer) self = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *server_id = NULL;
  g_autofree char *enrolled_id = NULL;
  g_autofree char *enrolled_file = NULL;

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), NULL);

  if (bc_workbook_get_kind (workbook) != BC_WORKBOOK_KIND_DEMO)
    {
      g_set_error_literal (error, BC_SERVER_ERROR, BC_SERVER_ERROR_ADDRESS,
                           _("Only a demo workbook syncs with the training server. This "
                             "workbook holds real reports: sync it with your province's server."));
      return NULL;
    }

  /* The folder this workbook trained with, if it is still there (a reset
   * workbook, or a cleaned temporary folder, starts a new one). */
  directory = bc_outbox_get_sync_setting (workbook, SETTING_DIR);
  if (directory != NULL && !g_file_test (directory, G_FILE_TEST_IS_DIR))
    g_clear_pointer (&directory, g_free);

  self = bc_training_server_start (directory, error);
  if (self == NULL)
    return NULL;
  self->token_file = g_build_filename (self->directory, "token", NULL);

  server_id = bc_server_store_get_meta (_bc_server_get_store (self->server), "server_id", error);
  if (server_id == NULL)
    return NULL;
  enrolled_id = bc_outbox_get_sync_setting (workbook, BC_SYNC_SETTING_SERVER_ID);
  enrolled_file = bc_outbox_get_sync_setting (workbook, "token_file");

  if (g_strcmp0 (enrolled_id, server_id) == 0 && g_strcmp0 (enrolled_file, self->token_file) == 0
      && g_file_test (self->token_file, G_FILE_TEST_IS_REGULAR))
    {
      /* Enrolled before: only the port changed. */
      if (!bc_outbox_set_sync_setting (workbook, BC_SYNC_SETTING_SERVER_URL, self->url, error))
        return NULL;
    }
  else if (!enrol (self, workbook, error)
           || !bc_outbox_set_sync_setting (workbook, SETTING_DIR, self->directory, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
bc_training_server_get_url (BcTrainingServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->url;
}

const char *
bc_training_server_get_directory (BcTrainingServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->directory;
}

const char *
bc_training_server_get_token_file (BcTrainingServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->token_file;
}

void
bc_training_server_free (BcTrainingServer *self)
{
  if (self == NULL)
    return;
  if (self->server != NULL)
    bc_server_stop (self->server);
  g_clear_object (&self->server);
  g_free (self->directory);
  g_free (self->url);
  g_free (self->token_file);
  g_free (self);
}
