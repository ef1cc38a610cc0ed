/* bc-print-layout.c: how a template lays itself out on paper (its "print" section).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-print-layout"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "bc-output-format.h"
#include "bc-print-layout.h"

static void
text_clear (BcText *text)
{
  g_clear_pointer (&text->vi, g_free);
  g_clear_pointer (&text->en, g_free);
}

static void
column_free (BcPrintColumn *column)
{
  text_clear (&column->label);
  text_clear (&column->text);
  g_clear_pointer (&column->fields, g_ptr_array_unref);
  g_free (column);
}

static BcPrintColumn *
column_new (const BcField *field)
{
  BcPrintColumn *column = g_new0 (BcPrintColumn, 1);

  column->field = field;
  return column;
}

static const BcField *
table_column (const BcField *table,
              const char    *id)
{
  for (guint c = 0; c < table->columns->len; c++)
    if (g_str_equal (((BcField *) g_ptr_array_index (table->columns, c))->id, id))
      return g_ptr_array_index (table->columns, c);
  return NULL;
}

static void
part_free (BcPrintPart *part)
{
  text_clear (&part->heading);
  g_clear_pointer (&part->sections, g_ptr_array_unref);
  g_free (part);
}

void
bc_print_layout_free (BcPrintLayout *layout)
{
  if (layout == NULL)
    return;

  text_clear (&layout->document_type);
  text_clear (&layout->opening);
  text_clear (&layout->closing);
  g_clear_pointer (&layout->parts, g_ptr_array_unref);
  g_clear_pointer (&layout->styles, g_hash_table_unref);
  g_clear_pointer (&layout->table_columns, g_hash_table_unref);
  g_clear_pointer (&layout->in_header, g_hash_table_unref);
  g_free (layout);
}

static gboolean G_GNUC_PRINTF (4, 5)
fail (BcTemplate  *template_,
      GError     **error,
      const char  *path,
      const char  *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, BC_OUTPUT_ERROR, BC_OUTPUT_ERROR_LAYOUT, "%s: print%s%s: %s",
               bc_template_get_filename (template_), *path != '\0' ? "." : "", path, message);
  return FALSE;
}

static gboolean
check_keys (BcTemplate          *template_,
            JsonObject          *object,
            const char          *path,
            const char * const  *allowed,
            GError             **error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      if (!g_strv_contains (allowed, l->data))
        {
          g_autofree char *list = g_strjoinv (", ", (char **) allowed);

          return fail (template_, error, path, _("unknown key “%s”; the keys allowed here are: %s"),
                       (const char *) l->data, list);
        }
    }

  return TRUE;
}

static gboolean
get_text (BcTemplate  *template_,
          JsonNode    *node,
          const char  *path,
          BcText      *out,
          GError     **error)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      out->vi = g_strdup (json_node_get_string (node));
      out->en = g_strdup (out->vi);
      return TRUE;
    }

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      static const char * const keys[] = { "vi", "en", NULL };
      const char *vi = json_object_get_string_member_with_default (object, "vi", NULL);
      const char *en = json_object_get_string_member_with_default (object, "en", NULL);

      if (!check_keys (template_, object, path, keys, error))
        return FALSE;
      if (vi == NULL)
        return fail (template_, error, path, _("a text needs its Vietnamese, “vi”"));
      out->vi = g_strdup (vi);
      out->en = g_strdup (en != NULL && *en != '\0' ? en : vi);
      return TRUE;
    }

  return fail (template_, error, path, _("must be a text: a string, or { \"vi\": …, \"en\": … }"));
}

/* A field that holds one value (no table, no column) named by `node`. */
static gboolean
get_scalar_field (BcTemplate     *template_,
                  JsonNode       *node,
                  const char     *path,
                  const BcField **out,
                  GError        **error)
{
  const char *id;
  const BcField *field;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fail (template_, error, path, _("must be a field id in double quotes"));

  id = json_node_get_string (node);
  field = bc_template_lookup_field (template_, id);
  if (field == NULL)
    return fail (template_, error, path, _("unknown field “%s”"), id);
  if (field->type == BC_FIELD_TABLE || field->table != NULL)
    return fail (template_, error, path,
                 _("“%s” is a table or one of its columns; name a field that holds one value"), id);

  *out = field;
  return TRUE;
}

static gboolean
check_placeholders (BcTemplate  *template_,
                    const char  *text,
                    const char  *path,
                    GHashTable  *in_header,
                    GError     **error)
{
  for (const char *p = strchr (text, '{'); p != NULL; p = strchr (p + 1, '{'))
    {
      const char *end = strchr (p, '}');
      g_autofree char *id = NULL;
      const BcField *field;

      if (end == NULL)
        return fail (template_, error, path, _("a “{” has no “}” to close it"));
      id = g_strndup (p + 1, end - p - 1);
      field = bc_template_lookup_field (template_, id);
      if (field == NULL || field->type == BC_FIELD_TABLE || field->table != NULL)
        return fail (template_, error, path,
                     _("“{%s}” does not name a field that holds one value"), id);
      g_hash_table_add (in_header, (gpointer) field);
    }

  return TRUE;
}

/* `text` with each {id} replaced by value_of (id): BC_OUTPUT_BLANK where
 * that is NULL. NULL when it has placeholders and none has a value. */
typedef char *(*ValueOf) (const char *id,
                          gpointer    data);

static char *
expand_placeholders (const char *text,
                     ValueOf     value_of,
                     gpointer    data)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean any = FALSE, placeholders = FALSE;
  const char *p = text;

  while (*p != '\0')
    {
      const char *open = strchr (p, '{');
      const char *close = open != NULL ? strchr (open, '}') : NULL;
      g_autofree char *id = NULL;
      g_autofree char *value = NULL;

      if (open == NULL || close == NULL)
        {
          g_string_append (out, p);
          break;
        }

      g_string_append_len (out, p, open - p);
      id = g_strndup (open + 1, close - open - 1);
      placeholders = TRUE;
      value = value_of (id, data);
      any |= value != NULL;
      g_string_append (out, value != NULL ? value : BC_OUTPUT_BLANK);
      p = close + 1;
    }

  if (placeholders && !any)
    return NULL;

  return g_string_free (g_steal_pointer (&out), FALSE);
}

typedef struct {
  BcTemplate        *template_;
  BcPrintExpandFunc  func;
  gpointer           user_data;
} FieldValues;

static char *
field_value (const char *id,
             gpointer    data)
{
  FieldValues *values = data;
  const BcField *field = bc_template_lookup_field (values->template_, id);

  return field != NULL ? values->func (field, values->user_data) : NULL;
}

char *
bc_print_layout_expand (BcTemplate        *template_,
                        const char        *text,
                        BcPrintExpandFunc  func,
                        gpointer           user_data)
{
  FieldValues values = { template_, func, user_data };

  g_return_val_if_fail (BC_IS_TEMPLATE (template_), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  return expand_placeholders (text, field_value, &values);
}

static gboolean
parse_part (BcTemplate     *template_,
            JsonNode       *node,
            const char     *path,
            GHashTable     *seen,
            BcPrintLayout  *layout,
            GError        **error)
{
  static const char * const keys[] = { "heading", "sections", "section_titles", NULL };
  g_autoptr(GString) where = g_string_new (NULL);
  BcPrintPart *part;
  JsonObject *object;
  JsonNode *member;
  JsonArray *sections;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (template_, error, path, _("must be an object { … }"));
  object = json_node_get_object (node);
  if (!check_keys (template_, object, path, keys, error))
    return FALSE;

  part = g_new0 (BcPrintPart, 1);
  part->sections = g_ptr_array_new ();
  part->section_titles = TRUE;
  g_ptr_array_add (layout->parts, part);

  if ((member = json_object_get_member (object, "heading")) != NULL)
    {
      g_string_printf (where, "%s.heading", path);
      if (!get_text (template_, member, where->str, &part->heading, error))
        return FALSE;
    }

  if ((member = json_object_get_member (object, "section_titles")) != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_BOOLEAN)
        {
          g_string_printf (where, "%s.section_titles", path);
          return fail (template_, error, where->str, _("must be true or false"));
        }
      part->section_titles = json_node_get_boolean (member);
    }

  member = json_object_get_member (object, "sections");
  g_string_printf (where, "%s.sections", path);
  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    return fail (template_, error, where->str, _("must be an array of section ids"));
  sections = json_node_get_array (member);

  for (guint i = 0; i < json_array_get_length (sections); i++)
    {
      JsonNode *element = json_array_get_element (sections, i);
      GPtrArray *all = bc_template_get_sections (template_);
      const BcSection *section = NULL;
      const char *id;

      g_string_printf (where, "%s.sections[%u]", path, i);
      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        return fail (template_, error, where->str, _("must be a section id in double quotes"));
      id = json_node_get_string (element);
      for (guint s = 0; s < all->len; s++)
        if (g_str_equal (((BcSection *) g_ptr_array_index (all, s))->id, id))
          section = g_ptr_array_index (all, s);
      if (section == NULL)
        return fail (template_, error, where->str, _("unknown section “%s”"), id);
      if (!g_hash_table_add (seen, (gpointer) section))
        return fail (template_, error, where->str, _("the section “%s” is printed twice"), id);
      g_ptr_array_add (part->sections, (gpointer) section);
    }

  return TRUE;
}

/* A column of `table`: its id, or a composed text
 * { "label": …, "text": "{figure_done}/{figure_total} {figure_unit}" }. */
static gboolean
parse_column (BcTemplate     *template_,
              const BcField  *table,
              JsonNode       *element,
              const char     *path,
              GPtrArray      *columns,
              GError        **error)
{
  static const char * const keys[] = { "label", "text", NULL };
  BcPrintColumn *column;
  JsonObject *object;
  JsonNode *label, *text;

  if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
    {
      const char *id = json_node_get_string (element);
      const BcField *field = table_column (table, id);

      if (field == NULL)
        return fail (template_, error, path, _("the table “%s” has no column “%s”"), table->id, id);
      g_ptr_array_add (columns, column_new (field));
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_OBJECT (element))
    return fail (template_, error, path,
                 _("must be a column id, or { \"label\": …, \"text\": \"{column_id} …\" }"));
  object = json_node_get_object (element);
  if (!check_keys (template_, object, path, keys, error))
    return FALSE;
  label = json_object_get_member (object, "label");
  text = json_object_get_member (object, "text");
  if (label == NULL || text == NULL)
    return fail (template_, error, path,
                 _("must be a column id, or { \"label\": …, \"text\": \"{column_id} …\" }"));

  column = column_new (NULL);
  column->fields = g_ptr_array_new ();
  g_ptr_array_add (columns, column);
  if (!get_text (template_, label, path, &column->label, error) ||
      !get_text (template_, text, path, &column->text, error))
    return FALSE;

  for (const char *p = strchr (column->text.vi, '{'); p != NULL; p = strchr (p + 1, '{'))
    {
      const char *end = strchr (p, '}');
      g_autofree char *id = NULL;

      if (end == NULL)
        return fail (template_, error, path, _("a “{” has no “}” to close it"));
      id = g_strndup (p + 1, end - p - 1);
      if (table_column (table, id) == NULL)
        return fail (template_, error, path, _("the table “%s” has no column “%s”"), table->id, id);
      g_ptr_array_add (column->fields, (gpointer) table_column (table, id));
    }

  return TRUE;
}

static gboolean
parse_layout (BcTemplate     *template_,
              JsonObject     *object,
              BcPrintLayout  *layout,
              GError        **error)
{
  static const char * const keys[] = {
    "document_type", "parent_body", "issuing_body", "number", "place", "date", "subject",
    "addressee", "recipients", "signer", "opening", "closing", "body", "fields", "tables", NULL
  };
  static const char * const signer_keys[] = { "on_behalf", "authority", "title", "name", NULL };
  struct { const char *key; const BcField **out; } header[] = {
    { "parent_body", &layout->parent_body },
    { "issuing_body", &layout->issuing_body },
    { "number", &layout->number },
    { "place", &layout->place },
    { "date", &layout->date },
    { "subject", &layout->subject },
    { "addressee", &layout->addressee },
    { "recipients", &layout->recipients },
  };
  struct { const char *key; const BcField **out; } signer[] = {
    { "on_behalf", &layout->signer_on_behalf },
    { "authority", &layout->signer_authority },
    { "title", &layout->signer_title },
    { "name", &layout->signer_name },
  };
  JsonNode *member;

  if (!check_keys (template_, object, "", keys, error))
    return FALSE;

  if ((member = json_object_get_member (object, "document_type")) != NULL)
    {
      text_clear (&layout->document_type);
      if (!get_text (template_, member, "document_type", &layout->document_type, error))
        return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (header); i++)
    if ((member = json_object_get_member (object, header[i].key)) != NULL &&
        !get_scalar_field (template_, member, header[i].key, header[i].out, error))
      return FALSE;

  if (layout->date != NULL && layout->date->type != BC_FIELD_DATE)
    return fail (template_, error, "date", _("“%s” is not a date field"), layout->date->id);

  if ((member = json_object_get_member (object, "signer")) != NULL)
    {
      JsonObject *signer_object;

      if (!JSON_NODE_HOLDS_OBJECT (member))
        return fail (template_, error, "signer", _("must be an object { … }"));
      signer_object = json_node_get_object (member);
      if (!check_keys (template_, signer_object, "signer", signer_keys, error))
        return FALSE;
      for (guint i = 0; i < G_N_ELEMENTS (signer); i++)
        {
          g_autofree char *path = g_strconcat ("signer.", signer[i].key, NULL);

          if ((member = json_object_get_member (signer_object, signer[i].key)) != NULL &&
              !get_scalar_field (template_, member, path, signer[i].out, error))
            return FALSE;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (header); i++)
    if (*header[i].out != NULL)
      g_hash_table_add (layout->in_header, (gpointer) *header[i].out);
  for (guint i = 0; i < G_N_ELEMENTS (signer); i++)
    if (*signer[i].out != NULL)
      g_hash_table_add (layout->in_header, (gpointer) *signer[i].out);

  if ((member = json_object_get_member (object, "opening")) != NULL &&
      (!get_text (template_, member, "opening", &layout->opening, error) ||
       !check_placeholders (template_, layout->opening.vi, "opening", layout->in_header, error)))
    return FALSE;
  if ((member = json_object_get_member (object, "closing")) != NULL &&
      (!get_text (template_, member, "closing", &layout->closing, error) ||
       !check_placeholders (template_, layout->closing.vi, "closing", layout->in_header, error)))
    return FALSE;

  if ((member = json_object_get_member (object, "body")) != NULL)
    {
      g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
      JsonArray *parts;

      if (!JSON_NODE_HOLDS_ARRAY (member))
        return fail (template_, error, "body", _("must be an array of parts [ … ]"));
      parts = json_node_get_array (member);
      for (guint i = 0; i < json_array_get_length (parts); i++)
        {
          g_autofree char *path = g_strdup_printf ("body[%u]", i);

          if (!parse_part (template_, json_array_get_element (parts, i), path, seen, layout, error))
            return FALSE;
        }
    }

  if ((member = json_object_get_member (object, "fields")) != NULL)
    {
      static const char * const styles[] = { "auto", "plain", "heading", "hidden", NULL };
      g_autoptr(GList) ids = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (member))
        return fail (template_, error, "fields", _("must be an object { \"field_id\": \"style\" }"));
      ids = json_object_get_members (json_node_get_object (member));
      for (const GList *l = ids; l != NULL; l = l->next)
        {
          JsonNode *value = json_object_get_member (json_node_get_object (member), l->data);
          const BcField *field = bc_template_lookup_field (template_, l->data);
          g_autofree char *path = g_strconcat ("fields.", l->data, NULL);
          const char *style;
          guint index;

          if (field == NULL)
            return fail (template_, error, path, _("unknown field “%s”"), (const char *) l->data);
          if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
            return fail (template_, error, path, _("must be “auto”, “plain”, “heading” or “hidden”"));
          style = json_node_get_string (value);
          if (!g_strv_contains (styles, style))
            return fail (template_, error, path, _("must be “auto”, “plain”, “heading” or “hidden”"));
          for (index = 0; !g_str_equal (styles[index], style); index++)
            ;
          g_hash_table_insert (layout->styles, (gpointer) field, GUINT_TO_POINTER (index));
        }
    }

  if ((member = json_object_get_member (object, "tables")) != NULL)
    {
      g_autoptr(GList) ids = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (member))
        return fail (template_, error, "tables", _("must be an object { \"table_id\": { \"columns\": […] } }"));
      ids = json_object_get_members (json_node_get_object (member));
      for (const GList *l = ids; l != NULL; l = l->next)
        {
          static const char * const table_keys[] = { "columns", NULL };
          JsonNode *value = json_object_get_member (json_node_get_object (member), l->data);
          const BcField *table = bc_template_lookup_field (template_, l->data);
          g_autofree char *path = g_strconcat ("tables.", l->data, NULL);
          g_autofree char *columns_path = g_strconcat (path, ".columns", NULL);
          GPtrArray *columns;
          JsonNode *list;

          if (table == NULL || table->type != BC_FIELD_TABLE)
            return fail (template_, error, path, _("“%s” is not a table"), (const char *) l->data);
          if (!JSON_NODE_HOLDS_OBJECT (value))
            return fail (template_, error, path, _("must be an object { … }"));
          if (!check_keys (template_, json_node_get_object (value), path, table_keys, error))
            return FALSE;
          list = json_object_get_member (json_node_get_object (value), "columns");
          if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list) || json_array_get_length (json_node_get_array (list)) == 0)
            return fail (template_, error, columns_path, _("must be a non-empty array of column ids"));

          columns = g_ptr_array_new_with_free_func ((GDestroyNotify) column_free);
          g_hash_table_insert (layout->table_columns, (gpointer) table, columns);
          for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
            {
              JsonNode *element = json_array_get_element (json_node_get_array (list), i);
              g_autofree char *where = g_strdup_printf ("%s[%u]", columns_path, i);

              if (!parse_column (template_, table, element, where, columns, error))
                return FALSE;
            }
        }
    }

  return TRUE;
}

BcPrintLayout *
bc_print_layout_new (BcTemplate  *template_,
                     GError     **error)
{
  g_autoptr(BcPrintLayout) layout = g_new0 (BcPrintLayout, 1);
  const char *json;

  g_return_val_if_fail (BC_IS_TEMPLATE (template_), NULL);

  layout->document_type.vi = g_strdup ("BÁO CÁO");
  layout->document_type.en = g_strdup ("REPORT");
  layout->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) part_free);
  layout->styles = g_hash_table_new (NULL, NULL);
  layout->table_columns = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  layout->in_header = g_hash_table_new (NULL, NULL);

  json = bc_template_get_print_json (template_);
  if (json != NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      /* The core loader parsed this text already: it cannot fail here. */
      if (!json_parser_load_from_data (parser, json, -1, error))
        return NULL;
      if (!parse_layout (template_, json_node_get_object (json_parser_get_root (parser)), layout, error))
        return NULL;
    }

  if (layout->parts->len == 0)
    {
      GPtrArray *sections = bc_template_get_sections (template_);
      BcPrintPart *part = g_new0 (BcPrintPart, 1);

      part->sections = g_ptr_array_new ();
      part->section_titles = TRUE;
      for (guint i = 0; i < sections->len; i++)
        g_ptr_array_add (part->sections, g_ptr_array_index (sections, i));
      g_ptr_array_add (layout->parts, part);
    }

  return g_steal_pointer (&layout);
}

BcPrintStyle
bc_print_layout_style (BcPrintLayout *layout,
                       const BcField *field)
{
  g_return_val_if_fail (layout != NULL, BC_PRINT_STYLE_AUTO);

  return GPOINTER_TO_UINT (g_hash_table_lookup (layout->styles, field));
}

GPtrArray *
bc_print_layout_columns (BcPrintLayout *layout,
                         const BcField *table)
{
  GPtrArray *columns;

  g_return_val_if_fail (layout != NULL, NULL);
  g_return_val_if_fail (table != NULL && table->type == BC_FIELD_TABLE, NULL);

  columns = g_hash_table_lookup (layout->table_columns, table);
  if (columns != NULL)
    return columns;

  columns = g_ptr_array_new_with_free_func ((GDestroyNotify) column_free);
  for (guint i = 0; i < table->columns->len; i++)
    {
      const BcField *column = g_ptr_array_index (table->columns, i);

      if (table->group_by == NULL || !g_str_equal (column->id, table->group_by))
        g_ptr_array_add (columns, column_new (column));
    }
  g_hash_table_insert (layout->table_columns, (gpointer) table, columns);
  return columns;
}

const char *
bc_print_column_label (const BcPrintColumn *column)
{
  g_return_val_if_fail (column != NULL, NULL);

  if (column->label.vi != NULL)
    return column->label.vi;
  return column->field != NULL ? bc_text_get (&column->field->label, "vi") : "";
}

typedef struct {
  const BcField   *table;
  guint            row;
  BcPrintCellFunc  func;
  gpointer         user_data;
} CellValues;

static char *
cell_value (const char *id,
            gpointer    data)
{
  CellValues *values = data;
  const BcField *field = table_column (values->table, id);

  return field != NULL ? values->func (field, values->row, values->user_data) : NULL;
}

char *
bc_print_column_expand (const BcPrintColumn *column,
                        const BcField       *table,
                        guint                row,
                        BcPrintCellFunc      func,
                        gpointer             user_data)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  CellValues values = { table, row, func, user_data };

  g_return_val_if_fail (column != NULL && column->text.vi != NULL, NULL);
  g_return_val_if_fail (table != NULL && table->type == BC_FIELD_TABLE, NULL);

  lines = g_strsplit (column->text.vi, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *line = expand_placeholders (lines[i], cell_value, &values);

      /* A line with nothing entered is left out, not printed as dots. */
      if (line == NULL)
        continue;
      g_strstrip (line);
      if (out->len > 0)
        g_string_append_c (out, '\n');
      g_string_append (out, line);
    }

  if (out->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}
