/* bc-wire.c: canonical JSON, content hashes and bounded parsing for sync.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-wire"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "bc-wire.h"

G_DEFINE_QUARK (bc-wire-error-quark, bc_wire_error)

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
add_table_rows (JsonBuilder   *builder,
                BcReport      *report,
                const BcField *table)
{
  guint n_rows = bc_report_get_n_rows (report, table->id);

  json_builder_set_member_name (builder, table->id);
  json_builder_begin_array (builder);
  for (guint row = 0; row < n_rows; row++)
    {
      gint64 row_id = bc_report_get_row_id (report, table->id, row);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "row_id");
      json_builder_add_int_value (builder, row_id);
      for (guint c = 0; c < table->columns->len; c++)
        {
          const BcField *column = g_ptr_array_index (table->columns, c);
          g_autofree char *key = NULL;
          const char *value;

          if (column->compute != NULL)
            continue;
          key = bc_field_dup_key (column);
          value = bc_report_get_value (report, key, row_id);
          if (value != NULL)
            add_string (builder, column->id, value);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

JsonNode *
bc_wire_report_content (BcTemplate *template_,
                        BcReport   *report)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  GPtrArray *fields;
  GPtrArray *rules;

  g_return_val_if_fail (BC_IS_TEMPLATE (template_), NULL);
  g_return_val_if_fail (BC_IS_REPORT (report), NULL);

  fields = bc_template_get_fields (template_);
  rules = bc_template_get_rules (template_);

  json_builder_begin_object (builder);
  add_string (builder, "id", bc_report_get_id (report));
  add_string (builder, "template", bc_report_get_template_id (report));
  json_builder_set_member_name (builder, "template_version");
  json_builder_add_int_value (builder, bc_report_get_template_version (report));
  add_string (builder, "period", bc_report_get_period_id (report));
  add_string (builder, "unit", bc_report_get_unit (report));

  json_builder_set_member_name (builder, "values");
  json_builder_begin_object (builder);
  for (guint i = 0; i < fields->len; i++)
    {
      const BcField *field = g_ptr_array_index (fields, i);
      const char *value;

      if (field->type == BC_FIELD_TABLE || field->compute != NULL)
        continue;
      value = bc_report_get_value (report, field->id, 0);
      if (value != NULL)
        add_string (builder, field->id, value);
    }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "tables");
  json_builder_begin_object (builder);
  for (guint i = 0; i < fields->len; i++)
    {
      const BcField *field = g_ptr_array_index (fields, i);

      if (field->type == BC_FIELD_TABLE)
        add_table_rows (builder, report, field);
    }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "justifications");
  json_builder_begin_object (builder);
  for (guint r = 0; r < rules->len; r++)
    {
      const BcRule *rule = g_ptr_array_index (rules, r);

      if (rule->table == NULL)
        {
          const char *text = bc_report_get_justification (report, rule->id, 0);

          if (text != NULL)
            add_string (builder, rule->id, text);
          continue;
        }

      for (guint row = 0; row < bc_report_get_n_rows (report, rule->table); row++)
        {
          gint64 row_id = bc_report_get_row_id (report, rule->table, row);
          const char *text = bc_report_get_justification (report, rule->id, row_id);
          g_autofree char *name = NULL;

          if (text == NULL)
            continue;
          name = g_strdup_printf ("%s@%u", rule->id, row + 1);
          add_string (builder, name, text);
        }
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
write_string (GString    *out,
              const char *s)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) s; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"':  g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        default:
          if (*p < 0x20)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
        }
    }
  g_string_append_c (out, '"');
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
write_node (GString  *out,
            JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr(GList) members = json_object_get_members (object);
        g_autoptr(GPtrArray) keys = g_ptr_array_new ();

        for (GList *l = members; l != NULL; l = l->next)
          g_ptr_array_add (keys, l->data);
        g_ptr_array_sort (keys, compare_keys);

        g_string_append_c (out, '{');
        for (guint i = 0; i < keys->len; i++)
          {
            const char *key = g_ptr_array_index (keys, i);

            if (i > 0)
              g_string_append_c (out, ',');
            write_string (out, key);
            g_string_append_c (out, ':');
            write_node (out, json_object_get_member (object, key));
          }
        g_string_append_c (out, '}');
        break;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            write_node (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
        break;
      }

    case JSON_NODE_NULL:
      g_string_append (out, "null");
      break;

    case JSON_NODE_VALUE:
    default:
      {
        GType type = json_node_get_value_type (node);

        if (type == G_TYPE_STRING)
          write_string (out, json_node_get_string (node));
        else if (type == G_TYPE_BOOLEAN)
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
        else if (type == G_TYPE_INT64)
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
        else
          {
            char buffer[G_ASCII_DTOSTR_BUF_SIZE];

            g_string_append (out, g_ascii_formatd (buffer, sizeof buffer, "%.17g",
                                                   json_node_get_double (node)));
          }
        break;
      }
    }
}

char *
bc_wire_canonical_json (JsonNode *node)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (node != NULL, NULL);

  write_node (out, node);
  return g_string_free (out, FALSE);
}

char *
bc_wire_content_hash (JsonNode *content)
{
  g_autofree char *canonical = NULL;
  g_autofree char *hex = NULL;

  g_return_val_if_fail (content != NULL, NULL);

  canonical = bc_wire_canonical_json (content);
  hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, canonical, -1);
  return g_strconcat ("sha256:", hex, NULL);
}

/* A scan of the bytes that follows strings (so that brackets inside them do
 * not count), measures nesting, and collects each object's keys to refuse
 * duplicates. It does not check the grammar: json-glib does that after. */
typedef struct {
  const char  *p;
  const char  *end;
} Scan;

static gboolean
scan_string (Scan     *scan,
             GString  *decoded,
             GError  **error)
{
  g_assert (*scan->p == '"');
  scan->p++;

  while (scan->p < scan->end)
    {
      char c = *scan->p++;

      if (c == '"')
        return TRUE;
      if (c != '\\')
        {
          if (decoded != NULL)
            g_string_append_c (decoded, c);
          continue;
        }
      if (scan->p >= scan->end)
        break;
      c = *scan->p++;
      if (c == 'u')
        {
          gunichar u = 0;

          if (scan->end - scan->p < 4)
            break;
          for (int i = 0; i < 4; i++)
            {
              int digit = g_ascii_xdigit_value (scan->p[i]);

              if (digit < 0)
                goto bad;
              u = u * 16 + (gunichar) digit;
            }
          scan->p += 4;
          if (decoded != NULL)
            g_string_append_unichar (decoded, u);
        }
      else if (decoded != NULL)
        {
          switch (c)
            {
            case 'n': g_string_append_c (decoded, '\n'); break;
            case 'r': g_string_append_c (decoded, '\r'); break;
            case 't': g_string_append_c (decoded, '\t'); break;
            case 'b': g_string_append_c (decoded, '\b'); break;
            case 'f': g_string_append_c (decoded, '\f'); break;
            default:  g_string_append_c (decoded, c); break;
            }
        }
    }

bad:
  g_set_error (error, BC_WIRE_ERROR, BC_WIRE_ERROR_NOT_JSON,
               _("The data is not valid JSON: a text is not closed or has a bad escape."));
  return FALSE;
}

static const char *
skip_space (const char *p,
            const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
    p++;
  return p;
}

gboolean
bc_wire_check_depth (const char  *data,
                     gsize        length,
                     guint        max_depth,
                     GError     **error)
{
  g_autoptr(GPtrArray) objects = g_ptr_array_new ();
  Scan scan = { data, data + length };

  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  while (scan.p < scan.end)
    {
      char c = *scan.p;

      if (c == '"')
        {
          GHashTable *keys = objects->len > 0 ? g_ptr_array_index (objects, objects->len - 1) : NULL;
          g_autoptr(GString) decoded = NULL;
          const char *after;

          /* A string followed by ':' inside an object is a key. */
          decoded = keys != NULL ? g_string_new (NULL) : NULL;
          if (!scan_string (&scan, decoded, error))
            goto fail;
          after = skip_space (scan.p, scan.end);
          if (keys != NULL && after < scan.end && *after == ':')
            {
              if (g_hash_table_contains (keys, decoded->str))
                {
                  g_set_error (error, BC_WIRE_ERROR, BC_WIRE_ERROR_BAD_SHAPE,
                               _("The data names “%s” twice in one object."), decoded->str);
                  goto fail;
                }
              g_hash_table_add (keys, g_string_free (g_steal_pointer (&decoded), FALSE));
            }
          continue;
        }

      if (c == '{' || c == '[')
        {
          if (objects->len >= max_depth)
            {
              g_set_error (error, BC_WIRE_ERROR, BC_WIRE_ERROR_TOO_DEEP,
                           _("The data is nested deeper than %u levels."), max_depth);
              goto fail;
            }
          g_ptr_array_add (objects, c == '{' ? g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL)
                                             : NULL);
        }
      else if (c == '}' || c == ']')
        {
          if (objects->len > 0)
            {
              GHashTable *keys = g_ptr_array_steal_index (objects, objects->len - 1);

              g_clear_pointer (&keys, g_hash_table_unref);
            }
        }
      scan.p++;
    }

  for (guint i = 0; i < objects->len; i++)
    g_clear_pointer ((GHashTable **) &objects->pdata[i], g_hash_table_unref);
  return TRUE;

fail:
  for (guint i = 0; i < objects->len; i++)
    g_clear_pointer ((GHashTable **) &objects->pdata[i], g_hash_table_unref);
  return FALSE;
}

JsonNode *
bc_wire_parse (const char  *data,
               gsize        length,
               gsize        max_length,
               guint        max_depth,
               GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length > max_length)
    {
      g_autofree char *limit = g_format_size (max_length);

      g_set_error (error, BC_WIRE_ERROR, BC_WIRE_ERROR_TOO_LARGE,
                   _("The data is larger than %s, the most that is accepted."), limit);
      return NULL;
    }
  if (memchr (data, '\0', length) != NULL || !g_utf8_validate (data, (gssize) length, NULL))
    {
      g_set_error (error, BC_WIRE_ERROR, BC_WIRE_ERROR_NOT_JSON,
                   _("The data is not valid JSON: it is not UTF-8 text."));
      return NULL;
    }
  if (!bc_wire_check_depth (data, length, max_depth, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, &local_error) ||
      json_parser_get_root (parser) == NULL)
    {
      /* json-glib's message quotes the input around the error and may cut
       * a character in half: keep the message UTF-8, as every message is
       * (it goes into error bodies and onto screens). */
      g_autofree char *detail = local_error != NULL
                                ? g_utf8_make_valid (local_error->message, -1) : NULL;

      g_set_error (error, BC_WIRE_ERROR, BC_WIRE_ERROR_NOT_JSON,
                   _("The data is not valid JSON: %s"),
                   detail != NULL ? detail : _("it is empty"));
      return NULL;
    }

  return json_node_ref (json_parser_get_root (parser));
}

char *
bc_wire_format_time (gint64 usec)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);

  if (time == NULL)
    return NULL;
  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

gint64
bc_wire_parse_time (const char *text)
{
  g_autoptr(GDateTime) time = NULL;

  if (text == NULL)
    return -1;
  time = g_date_time_new_from_iso8601 (text, NULL);
  if (time == NULL)
    return -1;
  return g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
}
