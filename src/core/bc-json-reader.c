/* bc-json-reader.c: reading the checked JSON files of the core (templates,
 * plans): members by key, with errors that name the file and the path.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-template"

#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "bc-json-reader.h"

void
_bc_text_clear (BcText *text)
{
  g_clear_pointer (&text->vi, g_free);
  g_clear_pointer (&text->en, g_free);
}

gboolean
_bc_json_fail (BcJsonReader *reader,
               const char   *path,
               const char   *format,
               ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (path == NULL || *path == '\0')
    g_set_error (reader->error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID,
                 "%s: %s", reader->filename, message);
  else
    g_set_error (reader->error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID,
                 "%s: %s: %s", reader->filename, path, message);

  return FALSE;
}

char *
_bc_json_child_path (const char *path,
                     const char *key)
{
  if (path == NULL || *path == '\0')
    return g_strdup (key);
  return g_strdup_printf ("%s.%s", path, key);
}

JsonNode *
_bc_json_member (JsonObject *object,
                 const char *key)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node != NULL && JSON_NODE_HOLDS_NULL (node))
    return NULL;

  return node;
}

gboolean
_bc_json_is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

gboolean
_bc_json_is_number (JsonNode *node)
{
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

gboolean
_bc_json_missing (BcJsonReader *reader,
                  const char   *path,
                  const char   *key)
{
  return _bc_json_fail (reader, path, _("the key “%s” is missing"), key);
}

gboolean
_bc_json_check_keys (BcJsonReader       *reader,
                     JsonObject         *object,
                     const char         *path,
                     const char * const *allowed)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;

      if (!g_strv_contains (allowed, key))
        {
          g_autofree char *list = g_strjoinv (", ", (char **)allowed);

          return _bc_json_fail (reader, path, _("unknown key “%s”; the keys allowed here are: %s"),
                       key, list);
        }
    }

  return TRUE;
}

gboolean
_bc_json_get_object_node (BcJsonReader  *reader,
                          JsonNode      *node,
                          const char    *path,
                          JsonObject   **out)
{
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return _bc_json_fail (reader, path, _("must be an object { … }"));

  *out = json_node_get_object (node);
  return TRUE;
}

gboolean
_bc_json_get_string (BcJsonReader  *reader,
                     JsonObject    *object,
                     const char    *path,
                     const char    *key,
                     gboolean       required,
                     char         **out)
{
  JsonNode *node = _bc_json_member (object, key);
  g_autofree char *where = NULL;

  if (node == NULL)
    return required ? _bc_json_missing (reader, path, key) : TRUE;

  if (!_bc_json_is_string (node))
    {
      where = _bc_json_child_path (path, key);
      return _bc_json_fail (reader, where, _("must be a string in double quotes"));
    }

  g_free (*out);
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

gboolean
_bc_json_get_integer (BcJsonReader *reader,
                      JsonObject   *object,
                      const char   *path,
                      const char   *key,
                      gboolean      required,
                      gint64        min,
                      gint64        max,
                      gint64       *out,
                      gboolean     *present)
{
  JsonNode *node = _bc_json_member (object, key);
  g_autofree char *where = _bc_json_child_path (path, key);
  gint64 value;

  if (present != NULL)
    *present = FALSE;

  if (node == NULL)
    return required ? _bc_json_missing (reader, path, key) : TRUE;

  if (!_bc_json_is_number (node))
    return _bc_json_fail (reader, where, _("must be a number"));

  if (json_node_get_value_type (node) != G_TYPE_INT64)
    return _bc_json_fail (reader, where, _("must be a whole number"));

  value = json_node_get_int (node);
  if (value < min || value > max)
    {
      g_autofree char *min_text = g_strdup_printf ("%" G_GINT64_FORMAT, min);
      g_autofree char *max_text = g_strdup_printf ("%" G_GINT64_FORMAT, max);

      return _bc_json_fail (reader, where, _("must be between %s and %s"), min_text, max_text);
    }

  *out = value;
  if (present != NULL)
    *present = TRUE;
  return TRUE;
}

gboolean
_bc_json_get_number (BcJsonReader *reader,
                     JsonObject   *object,
                     const char   *path,
                     const char   *key,
                     gboolean      required,
                     double       *out,
                     gboolean     *present)
{
  JsonNode *node = _bc_json_member (object, key);
  g_autofree char *where = _bc_json_child_path (path, key);
  double value;

  if (present != NULL)
    *present = FALSE;

  if (node == NULL)
    return required ? _bc_json_missing (reader, path, key) : TRUE;

  if (!_bc_json_is_number (node))
    return _bc_json_fail (reader, where, _("must be a number"));

  value = json_node_get_double (node);
  if (!isfinite (value) || fabs (value) >= 1e15)
    return _bc_json_fail (reader, where, _("the number is too large"));

  *out = value;
  if (present != NULL)
    *present = TRUE;
  return TRUE;
}

gboolean
_bc_json_get_boolean (BcJsonReader *reader,
                      JsonObject   *object,
                      const char   *path,
                      const char   *key,
                      gboolean     *out)
{
  JsonNode *node = _bc_json_member (object, key);
  g_autofree char *where = NULL;

  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      where = _bc_json_child_path (path, key);
      return _bc_json_fail (reader, where, _("must be true or false"));
    }

  *out = json_node_get_boolean (node);
  return TRUE;
}

gboolean
_bc_json_get_array (BcJsonReader  *reader,
                    JsonObject    *object,
                    const char    *path,
                    const char    *key,
                    gboolean       required,
                    JsonArray    **out)
{
  JsonNode *node = _bc_json_member (object, key);
  g_autofree char *where = NULL;

  *out = NULL;
  if (node == NULL)
    return required ? _bc_json_missing (reader, path, key) : TRUE;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      where = _bc_json_child_path (path, key);
      return _bc_json_fail (reader, where, _("must be an array [ … ]"));
    }

  *out = json_node_get_array (node);
  return TRUE;
}

gboolean
_bc_json_get_text (BcJsonReader *reader,
                   JsonObject   *object,
                   const char   *path,
                   const char   *key,
                   gboolean      required,
                   BcText       *out)
{
  static const char * const keys[] = { "vi", "en", NULL };
  JsonNode *node = _bc_json_member (object, key);
  g_autofree char *where = _bc_json_child_path (path, key);
  g_autofree char *vi = NULL;
  g_autofree char *en = NULL;

  if (node == NULL)
    return required ? _bc_json_missing (reader, path, key) : TRUE;

  if (_bc_json_is_string (node))
    {
      vi = g_strdup (json_node_get_string (node));
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *text = json_node_get_object (node);

      if (!_bc_json_check_keys (reader, text, where, keys) ||
          !_bc_json_get_string (reader, text, where, "vi", TRUE, &vi) ||
          !_bc_json_get_string (reader, text, where, "en", FALSE, &en))
        return FALSE;
    }
  else
    {
      return _bc_json_fail (reader, where,
                   _("must be a text: { \"vi\": \"…\", \"en\": \"…\" } or a string"));
    }

  if (required)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (vi));

      if (*stripped == '\0')
        return _bc_json_fail (reader, where, _("must not be empty"));
    }

  if (en == NULL || *en == '\0')
    {
      g_free (en);
      en = g_strdup (vi);
    }

  _bc_text_clear (out);
  out->vi = g_steal_pointer (&vi);
  out->en = g_steal_pointer (&en);
  return TRUE;
}

gboolean
_bc_json_get_object (BcJsonReader  *reader,
                     JsonObject    *object,
                     const char    *path,
                     const char    *key,
                     gboolean       required,
                     JsonObject   **out)
{
  JsonNode *node = _bc_json_member (object, key);
  g_autofree char *where = NULL;

  *out = NULL;
  if (node == NULL)
    return required ? _bc_json_missing (reader, path, key) : TRUE;

  where = _bc_json_child_path (path, key);
  return _bc_json_get_object_node (reader, node, where, out);
}
