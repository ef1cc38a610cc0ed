/* bc-server-bundle.c: outbox bundles applied on the server, reply bundles made.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-server-bundle"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "bc-bundle.h"
#include "bc-server-bundle.h"
#include "bc-server-i18n.h"
#include "bc-server-private.h"
#include "bc-wire.h"

#define CHANGES_PAGE 500

/* The unit list's entry for `code`, or NULL. */
static JsonObject *
find_unit (JsonArray  *units,
           const char *code)
{
  for (guint i = 0; i < json_array_get_length (units); i++)
    {
      JsonObject *unit = json_array_get_object_element (units, i);

      if (g_strcmp0 (bc_bundle_get_string (unit, "code"), code) == 0)
        return unit;
    }
  return NULL;
}

/* Whether `relay` is `unit` or above it in the current hierarchy. */
static gboolean
may_relay (JsonArray  *units,
           const char *relay,
           const char *unit)
{
  const char *code = unit;

  for (guint steps = 0; code != NULL && steps <= json_array_get_length (units); steps++)
    {
      JsonObject *object;

      if (g_str_equal (code, relay))
        return TRUE;
      object = find_unit (units, code);
      code = object != NULL ? bc_bundle_get_string (object, "parent") : NULL;
    }
  return FALSE;
}

static void
set_wrong_place (GError    **error,
                 const char *lang,
                 const char *message)
{
  g_set_error_literal (error, BC_BUNDLE_ERROR, BC_BUNDLE_ERROR_WRONG_PLACE,
                       bc_server_translate (lang, message));
}

char *
bc_server_bundle_apply (BcServer    *server,
                        const char  *lang,
                        JsonObject  *bundle,
                        const char  *relay_unit,
                        gboolean     trust_unsigned,
                        guint       *n_items,
                        guint       *n_new,
                        GError     **error)
{
  BcServerStore *store;
  g_autofree char *server_id = NULL;
  g_autofree char *key = NULL;
  g_autofree char *now_text = NULL;
  g_autoptr(JsonArray) units = NULL;
  g_autoptr(JsonArray) results = json_array_new ();
  g_autoptr(JsonArray) changes = json_array_new ();
  g_autoptr(JsonObject) reply = NULL;
  const char *unit, *device_id;
  JsonArray *items;
  gint64 since, cursor;
  guint fresh = 0;

  g_return_val_if_fail (BC_IS_SERVER (server), NULL);
  g_return_val_if_fail (bundle != NULL, NULL);

  store = _bc_server_get_store (server);
  server_id = bc_server_store_get_meta (store, "server_id", error);
  if (server_id == NULL)
    return NULL;
  units = bc_server_store_list_units (store, error);
  if (units == NULL)
    return NULL;

  unit = bc_bundle_get_string (bundle, "unit");
  device_id = bc_bundle_get_string (bundle, "device_id");
  items = bc_bundle_get_array (bundle, "items");
  since = bc_bundle_get_int (bundle, "cursor", -1);

  if (g_strcmp0 (bc_bundle_get_string (bundle, "kind"), BC_BUNDLE_KIND_OUTBOX) != 0)
    {
      set_wrong_place (error, lang, N_("This is a reply bundle, for the unit's own computer. "
                                       "Import it there with baocao-cli bundle import."));
      return NULL;
    }
  if (unit == NULL || items == NULL || since < 0)
    {
      g_set_error_literal (error, BC_BUNDLE_ERROR, BC_BUNDLE_ERROR_DAMAGED,
                           bc_server_translate (lang, N_("The bundle lacks its unit, items or cursor. Export it again.")));
      return NULL;
    }
  if (g_strcmp0 (bc_bundle_get_string (bundle, "server_id"), server_id) != 0)
    {
      set_wrong_place (error, lang, N_("This bundle was made for another server. Deliver it to the server its workbook is enrolled with."));
      return NULL;
    }
  /* A relay sees another unit's bundle as nothing at all. */
  if (find_unit (units, unit) == NULL
      || (relay_unit != NULL && !may_relay (units, relay_unit, unit)))
    {
      if (relay_unit != NULL)
        g_set_error_literal (error, BC_BUNDLE_ERROR, BC_BUNDLE_ERROR_REFUSED,
                             bc_server_translate (lang, N_("There is no such report on the server.")));
      else
        set_wrong_place (error, lang, N_("The bundle's unit is not in this server's unit list."));
      return NULL;
    }

  if (!bc_bundle_is_signed (bundle) && device_id != NULL)
    {
      g_set_error_literal (error, BC_BUNDLE_ERROR, BC_BUNDLE_ERROR_SIGNATURE,
                           bc_server_translate (lang, N_("The bundle names a device but carries no signature: it was altered on its way. Nothing was imported.")));
      return NULL;
    }
  if (!bc_bundle_is_signed (bundle) && (relay_unit != NULL || !trust_unsigned))
    {
      g_set_error_literal (error, BC_BUNDLE_ERROR, BC_BUNDLE_ERROR_UNSIGNED,
                           bc_server_translate (lang, relay_unit != NULL
                                                ? N_("A relayed bundle must be signed by an enrolled device of its unit. Have the server's administrator import it instead.")
                                                : N_("The bundle is not signed by an enrolled device, so its origin cannot be checked. If you know where it comes from, import it with --trust-unsigned.")));
      return NULL;
    }

  if (bc_bundle_is_signed (bundle))
    {
      g_autoptr(GError) local_error = NULL;

      key = device_id != NULL ? bc_server_store_device_token_hash (store, device_id, error) : NULL;
      if (key == NULL && error != NULL && *error != NULL)
        return NULL;
      if (key == NULL)
        {
          g_set_error_literal (error, BC_BUNDLE_ERROR, BC_BUNDLE_ERROR_SIGNATURE,
                               bc_server_translate (lang, N_("The device that signed this bundle is unknown or was revoked. Enrol the unit's computer again and export a new bundle.")));
          return NULL;
        }
      if (!bc_bundle_check_signature (bundle, key, &local_error))
        {
          g_set_error_literal (error, BC_BUNDLE_ERROR, local_error->code,
                               bc_server_translate (lang, N_("The bundle's signature does not match its unit's device: it was altered, or it was not made by that unit. Nothing was imported.")));
          return NULL;
        }
      /* The device's own unit must be the bundle's: the key proves who. */
      {
        g_autoptr(GPtrArray) devices = bc_server_store_list_devices (store, error);
        gboolean same = FALSE;

        if (devices == NULL)
          return NULL;
        for (guint i = 0; i < devices->len; i++)
          {
            BcStoreDevice *d = g_ptr_array_index (devices, i);

            same |= g_strcmp0 (d->id, device_id) == 0 && g_strcmp0 (d->unit, unit) == 0;
          }
        if (!same)
          {
            g_set_error_literal (error, BC_BUNDLE_ERROR, BC_BUNDLE_ERROR_SIGNATURE,
                                 bc_server_translate (lang, N_("The bundle's signature does not match its unit's device: it was altered, or it was not made by that unit. Nothing was imported.")));
            return NULL;
          }
      }
    }

  /* Each item exactly as a push of the unit: replays answer their first
   * receipt, whichever way the item came first. */
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *result = _bc_server_push_one (server, lang, unit, key != NULL ? device_id : NULL,
                                                json_array_get_element (items, i), error);
      JsonNode *replayed;

      if (result == NULL)
        return NULL;
      replayed = json_object_get_member (result, "replayed");
      if (replayed != NULL && !json_node_get_boolean (replayed))
        fresh++;
      json_array_add_object_element (results, result);
    }
  if (!bc_server_store_sync (store, error))
    return NULL;

  /* The unit's feed since the bundle's cursor, receipts just made included. */
  cursor = since;
  for (;;)
    {
      g_autoptr(JsonArray) page = bc_server_store_changes (store, unit, cursor, CHANGES_PAGE, error);
      guint n;

      if (page == NULL)
        return NULL;
      n = json_array_get_length (page);
      for (guint i = 0; i < n; i++)
        json_array_add_element (changes, json_node_copy (json_array_get_element (page, i)));
      if (n > 0)
        cursor = json_object_get_int_member (json_array_get_object_element (page, n - 1), "seq");
      if (n < CHANGES_PAGE)
        break;
    }

  now_text = bc_wire_format_time (g_get_real_time ());
  reply = json_object_new ();
  json_object_set_string_member (reply, "format", BC_BUNDLE_FORMAT);
  json_object_set_int_member (reply, "version", BC_BUNDLE_VERSION);
  json_object_set_string_member (reply, "kind", BC_BUNDLE_KIND_REPLY);
  json_object_set_string_member (reply, "server_id", server_id);
  json_object_set_string_member (reply, "unit", unit);
  if (device_id != NULL)
    json_object_set_string_member (reply, "device_id", device_id);
  else
    json_object_set_null_member (reply, "device_id");
  if (bc_bundle_get_string (bundle, "workbook_id") != NULL)
    json_object_set_string_member (reply, "workbook_id", bc_bundle_get_string (bundle, "workbook_id"));
  else
    json_object_set_null_member (reply, "workbook_id");
  if (bc_bundle_get_string (bundle, "bundle_id") != NULL)
    json_object_set_string_member (reply, "in_reply_to", bc_bundle_get_string (bundle, "bundle_id"));
  else
    json_object_set_null_member (reply, "in_reply_to");
  json_object_set_string_member (reply, "bundle_id", g_uuid_string_random ());
  json_object_set_string_member (reply, "created_at", now_text);
  json_object_set_int_member (reply, "since", since);
  json_object_set_int_member (reply, "cursor", cursor);
  json_object_set_array_member (reply, "results", g_steal_pointer (&results));
  json_object_set_array_member (reply, "changes", g_steal_pointer (&changes));

  if (n_items != NULL)
    *n_items = json_array_get_length (items);
  if (n_new != NULL)
    *n_new = fresh;
  return bc_bundle_seal (reply, key);
}

JsonNode *
_bc_server_bundle_relay (BcServer    *server,
                         const char  *lang,
                         const char  *relay_unit,
                         JsonNode    *root,
                         guint       *status,
                         char       **code,
                         char       **message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) bundle = NULL;
  g_autoptr(JsonNode) reply = NULL;
  g_autofree char *canonical = bc_wire_canonical_json (root);
  g_autofree char *text = NULL;
  g_autofree char *sealed = NULL;

  /* The body is the bundle's JSON: its checksum covers its canonical form. */
  text = g_strconcat (canonical, "\n", NULL);
  bundle = bc_bundle_open (text, strlen (text), &error);
  if (bundle != NULL)
    sealed = bc_server_bundle_apply (server, lang, bundle, relay_unit, FALSE, NULL, NULL, &error);
  if (sealed == NULL)
    {
      if (g_error_matches (error, BC_BUNDLE_ERROR, BC_BUNDLE_ERROR_REFUSED))
        {
          *status = SOUP_STATUS_NOT_FOUND;
          *code = g_strdup ("not_found");
          *message = NULL;
        }
      else if (error->domain == BC_BUNDLE_ERROR)
        {
          *status = SOUP_STATUS_BAD_REQUEST;
          *code = g_strdup ("bad_request");
          *message = g_strdup (error->message);
        }
      else
        {
          *status = g_error_matches (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_BUSY)
                    ? SOUP_STATUS_SERVICE_UNAVAILABLE : SOUP_STATUS_INTERNAL_SERVER_ERROR;
          *code = g_strdup (*status == SOUP_STATUS_SERVICE_UNAVAILABLE ? "unavailable" : "internal");
          *message = NULL;
        }
      return NULL;
    }

  reply = bc_wire_parse (sealed, strlen (sealed) - 1, BC_BUNDLE_MAX_SIZE, BC_WIRE_MAX_DEPTH, &error);
  g_assert (reply != NULL);
  return g_steal_pointer (&reply);
}
