/* bc-template.c: loading and checking a form template from its JSON file.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loading is done in two passes. The first walks the JSON, checks every key,
 * type and id and builds the records, parsing each expression on the way.
 * The second, once every field is known, checks the names the expressions
 * use and looks for computed fields that depend on themselves.
 */
#define G_LOG_DOMAIN "bc-template"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "bc-i18n.h"
#include "bc-period.h"
#include "bc-template.h"
#include "bc-json-reader.h"
#include "bc-template-private.h"

/* A template is a few kilobytes; this only keeps a wrong file from eating memory. */
#define MAX_FILE_SIZE (8 * 1024 * 1024)
#define MAX_ID_LENGTH 64

struct _BcTemplate
{
  GObject       parent_instance;

  char         *id;
  int           version;
  BcText        title;
  BcText        description;
  BcPeriodType  period_type;
  char         *filename;
  GPtrArray    *sections;       /* BcSection*, owned */
  GPtrArray    *rules;          /* BcRule*, owned */
  GPtrArray    *migrations;     /* BcMigration*, owned */
  GPtrArray    *fields;         /* BcField*, borrowed from the sections: form order */
  GHashTable   *field_index;    /* id → BcField*: scalars, tables and group summaries */
  GHashTable   *section_index;  /* id → BcSection* */
  GHashTable   *rule_index;     /* id → BcRule* */
  char         *print_json;     /* the "print" object as JSON text, or NULL */
  /* "applies": the periods (canonical ids, NULL: open) and the issuing
   * units (NFC, trimmed; NULL: any) this version is for. */
  char         *applies_from;
  char         *applies_to;
  GStrv         applies_issuers;
};

G_DEFINE_FINAL_TYPE (BcTemplate, bc_template, G_TYPE_OBJECT)

G_DEFINE_QUARK (bc-template-error-quark, bc_template_error)

/* ------------------------------------------------------------------------ */
/* Records                                                                  */

#define text_clear(text) _bc_text_clear (text)

static void
choice_free (BcChoice *choice)
{
  g_free (choice->value);
  text_clear (&choice->label);
  g_free (choice);
}

static void
field_free (BcField *field)
{
  g_free (field->id);
  text_clear (&field->label);
  text_clear (&field->help);
  text_clear (&field->unit);
  g_clear_pointer (&field->choices, g_ptr_array_unref);
  g_clear_pointer (&field->visible_if, bc_expr_unref);
  g_clear_pointer (&field->compute, bc_expr_unref);
  if (field->target != NULL)
    {
      text_clear (&field->target->source);
      g_free (field->target->from);
      g_free (field->target->to);
      g_free (field->target);
    }
  g_clear_pointer (&field->columns, g_ptr_array_unref);
  text_clear (&field->row_label);
  g_clear_pointer (&field->carry_forward_if, bc_expr_unref);
  g_free (field->group_by);
  g_clear_pointer (&field->group_summaries, g_ptr_array_unref);
  g_free (field);
}

static void
section_free (BcSection *section)
{
  g_free (section->id);
  text_clear (&section->title);
  text_clear (&section->help);
  g_clear_pointer (&section->visible_if, bc_expr_unref);
  g_clear_pointer (&section->fields, g_ptr_array_unref);
  g_free (section);
}

static void
rule_free (BcRule *rule)
{
  g_free (rule->id);
  g_clear_pointer (&rule->when, bc_expr_unref);
  g_clear_pointer (&rule->check, bc_expr_unref);
  text_clear (&rule->message);
  g_free (rule->table);
  g_strfreev (rule->fields);
  g_free (rule);
}

static void
migration_free (BcMigration *migration)
{
  g_clear_pointer (&migration->renamed, g_hash_table_unref);
  g_clear_pointer (&migration->defaults, g_hash_table_unref);
  g_strfreev (migration->removed);
  g_free (migration);
}

static void
bc_template_finalize (GObject *object)
{
  BcTemplate *self = (BcTemplate *)object;

  g_free (self->id);
  text_clear (&self->title);
  text_clear (&self->description);
  g_free (self->filename);
  g_free (self->print_json);
  g_clear_pointer (&self->field_index, g_hash_table_unref);
  g_clear_pointer (&self->section_index, g_hash_table_unref);
  g_clear_pointer (&self->rule_index, g_hash_table_unref);
  g_clear_pointer (&self->fields, g_ptr_array_unref);
  g_clear_pointer (&self->rules, g_ptr_array_unref);
  g_clear_pointer (&self->migrations, g_ptr_array_unref);
  g_clear_pointer (&self->sections, g_ptr_array_unref);
  g_clear_pointer (&self->applies_from, g_free);
  g_clear_pointer (&self->applies_to, g_free);
  g_clear_pointer (&self->applies_issuers, g_strfreev);

  G_OBJECT_CLASS (bc_template_parent_class)->finalize (object);
}

static void
bc_template_class_init (BcTemplateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bc_template_finalize;
}

static void
bc_template_init (BcTemplate *self)
{
  self->sections = g_ptr_array_new_with_free_func ((GDestroyNotify)section_free);
  self->rules = g_ptr_array_new_with_free_func ((GDestroyNotify)rule_free);
  self->migrations = g_ptr_array_new_with_free_func ((GDestroyNotify)migration_free);
  self->fields = g_ptr_array_new ();
  self->field_index = g_hash_table_new (g_str_hash, g_str_equal);
  self->section_index = g_hash_table_new (g_str_hash, g_str_equal);
  self->rule_index = g_hash_table_new (g_str_hash, g_str_equal);
}

/* ------------------------------------------------------------------------ */
/* JSON text checks shared with bc-field.c                                  */

void
_bc_text_position (const char *data,
                   gsize       offset,
                   guint      *line,
                   guint      *column)
{
  const char *line_start = data;
  guint n_lines = 1;
  gsize i;

  for (i = 0; i < offset; i++)
    {
      if (data[i] == '\n')
        {
          n_lines++;
          line_start = data + i + 1;
        }
    }

  *line = n_lines;
  /* Count characters, not bytes; a partial sequence counts as one. */
  *column = 1;
  for (const char *p = line_start; p < data + offset; p++)
    if (((guchar)*p & 0xC0) != 0x80)
      (*column)++;
}

gssize
_bc_json_find_nul_escape (const char *data,
                          gsize       length)
{
  for (gsize i = 0; i + 1 < length; i++)
    {
      if (data[i] != '\\')
        continue;
      if (length - i >= 6 && memcmp (data + i + 1, "u0000", 5) == 0)
        return (gssize)i;
      /* Skip the escaped character, which may be a backslash itself. */
      i++;
    }

  return -1;
}

gboolean
_bc_json_check_depth (const char *data,
                      gsize       length,
                      guint       max_depth,
                      guint      *line,
                      guint      *column)
{
  enum { NORMAL, DOUBLE_QUOTED, SINGLE_QUOTED, COMMENT } state = NORMAL;
  gboolean escaped = FALSE;
  guint depth = 0;
  gsize i;

  /* json-glib's scanner also takes 'strings' and C comments; skip them the
   * same way so that brackets inside them are not counted, and count
   * conservatively where the scanner would fail anyway. */
  for (i = 0; i < length; i++)
    {
      char c = data[i];

      switch (state)
        {
        case DOUBLE_QUOTED:
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            state = NORMAL;
          break;

        case SINGLE_QUOTED:
          if (c == '\'')
            state = NORMAL;
          break;

        case COMMENT:
          if (c == '*' && i + 1 < length && data[i + 1] == '/')
            {
              state = NORMAL;
              i++;
            }
          break;

        case NORMAL:
        default:
          if (c == '"')
            state = DOUBLE_QUOTED;
          else if (c == '\'')
            state = SINGLE_QUOTED;
          else if (c == '/' && i + 1 < length && data[i + 1] == '*')
            {
              state = COMMENT;
              i++;
            }
          else if (c == '[' || c == '{')
            {
              if (++depth > max_depth)
                {
                  _bc_text_position (data, i, line, column);
                  return FALSE;
                }
            }
          else if ((c == ']' || c == '}') && depth > 0)
            depth--;
          break;
        }
    }

  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* The loader                                                               */

/* An expression met in the first pass, checked in the second. */
typedef struct
{
  BcExpr   *expr;     /* borrowed from its record */
  char     *path;     /* "sections[4].fields[2].compute" */
  BcField  *table;    /* the table of a row context, else NULL */
  BcField  *owner;    /* the field this computes, else NULL */
} ExprSite;

typedef struct
{
  BcTemplate  *self;
  BcJsonReader json;           /* the file's name, the error to set */
  GHashTable  *field_paths;    /* BcField* → path of its JSON object */
  GHashTable  *section_paths;  /* BcSection* → path */
  GHashTable  *columns_by_id;  /* column id → GPtrArray of BcField* of any table */
  GPtrArray   *sites;          /* ExprSite* */
  GPtrArray   *computed;       /* BcField* with a compute, in form order */
  GHashTable  *compute_sites;  /* BcField* → ExprSite* of its compute */
} Loader;

/* The JSON getters of bc-json-reader.h, on the loader's file. */
#define fail(loader, ...) _bc_json_fail (&(loader)->json, __VA_ARGS__)
#define missing(loader, path, key) _bc_json_missing (&(loader)->json, (path), (key))
#define check_keys(loader, ...) _bc_json_check_keys (&(loader)->json, __VA_ARGS__)
#define get_object_node(loader, ...) _bc_json_get_object_node (&(loader)->json, __VA_ARGS__)
#define get_string(loader, ...) _bc_json_get_string (&(loader)->json, __VA_ARGS__)
#define get_integer(loader, ...) _bc_json_get_integer (&(loader)->json, __VA_ARGS__)
#define get_number(loader, ...) _bc_json_get_number (&(loader)->json, __VA_ARGS__)
#define get_boolean(loader, ...) _bc_json_get_boolean (&(loader)->json, __VA_ARGS__)
#define get_array(loader, ...) _bc_json_get_array (&(loader)->json, __VA_ARGS__)
#define get_text(loader, ...) _bc_json_get_text (&(loader)->json, __VA_ARGS__)
#define child_path _bc_json_child_path
#define get_member _bc_json_member
#define node_is_string _bc_json_is_string
#define node_is_number _bc_json_is_number

static void
expr_site_free (ExprSite *site)
{
  g_free (site->path);
  g_free (site);
}

static void
loader_init (Loader      *loader,
             BcTemplate  *self,
             const char  *filename,
             GError     **error)
{
  loader->self = self;
  loader->json.filename = filename;
  loader->json.error = error;
  loader->field_paths = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  loader->section_paths = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  loader->columns_by_id = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                 (GDestroyNotify)g_ptr_array_unref);
  loader->sites = g_ptr_array_new_with_free_func ((GDestroyNotify)expr_site_free);
  loader->computed = g_ptr_array_new ();
  loader->compute_sites = g_hash_table_new (NULL, NULL);
}

static void
loader_clear (Loader *loader)
{
  g_clear_pointer (&loader->field_paths, g_hash_table_unref);
  g_clear_pointer (&loader->section_paths, g_hash_table_unref);
  g_clear_pointer (&loader->columns_by_id, g_hash_table_unref);
  g_clear_pointer (&loader->sites, g_ptr_array_unref);
  g_clear_pointer (&loader->computed, g_ptr_array_unref);
  g_clear_pointer (&loader->compute_sites, g_hash_table_unref);
}

static char *
element_path (const char *path,
              const char *key,
              guint       index)
{
  if (path == NULL || *path == '\0')
    return g_strdup_printf ("%s[%u]", key, index);
  return g_strdup_printf ("%s.%s[%u]", path, key, index);
}

static gboolean
is_valid_id (const char *id)
{
  gsize i;

  if (!g_ascii_islower (id[0]))
    return FALSE;

  for (i = 1; id[i] != '\0'; i++)
    if (!g_ascii_islower (id[i]) && !g_ascii_isdigit (id[i]) && id[i] != '_')
      return FALSE;

  return i <= MAX_ID_LENGTH;
}

static gboolean
is_valid_template_id (const char *id)
{
  gsize i;

  for (i = 0; id[i] != '\0'; i++)
    if (!g_ascii_islower (id[i]) && !g_ascii_isdigit (id[i]) && id[i] != '-')
      return FALSE;

  return i > 0 && i <= MAX_ID_LENGTH;
}
/* A text is { "vi": …, "en": … }, or a plain string used for both. */
static gboolean
get_expr (Loader      *loader,
          JsonObject  *object,
          const char  *path,
          const char  *key,
          BcField     *table,
          BcField     *owner,
          BcExpr     **out)
{
  g_autofree char *source = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *where = child_path (path, key);
  ExprSite *site;

  if (!get_string (loader, object, path, key, FALSE, &source))
    return FALSE;
  if (source == NULL)
    return TRUE;

  *out = bc_expr_parse (source, &local_error);
  if (*out == NULL)
    return fail (loader, where, "%s", local_error->message);

  site = g_new0 (ExprSite, 1);
  site->expr = *out;
  site->path = g_steal_pointer (&where);
  site->table = table;
  site->owner = owner;
  g_ptr_array_add (loader->sites, site);
  if (owner != NULL)
    g_hash_table_insert (loader->compute_sites, owner, site);

  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Fields                                                                   */

static const struct {
  const char  *name;
  BcFieldType  type;
} field_types[] = {
  { "integer", BC_FIELD_INTEGER },
  { "decimal", BC_FIELD_DECIMAL },
  { "percentage", BC_FIELD_PERCENTAGE },
  { "text", BC_FIELD_TEXT },
  { "long_text", BC_FIELD_LONG_TEXT },
  { "date", BC_FIELD_DATE },
  { "choice", BC_FIELD_CHOICE },
  { "yes_no", BC_FIELD_YES_NO },
  { "document_ref", BC_FIELD_DOCUMENT_REF },
  { "table", BC_FIELD_TABLE },
};

const char *
bc_field_type_to_string (BcFieldType type)
{
  for (guint i = 0; i < G_N_ELEMENTS (field_types); i++)
    if (field_types[i].type == type)
      return field_types[i].name;

  g_return_val_if_reached (NULL);
}

const char *
bc_field_get_type_name (const BcField *field)
{
  g_return_val_if_fail (field != NULL, NULL);

  if (field->type == BC_FIELD_TEXT && field->text_format == BC_TEXT_MONTH)
    return "month";
  if (field->type == BC_FIELD_TEXT && field->text_format == BC_TEXT_MONTH_RANGE)
    return "month_range";

  return bc_field_type_to_string (field->type);
}

const char *
bc_severity_to_string (BcSeverity severity)
{
  switch (severity)
    {
    case BC_SEVERITY_ERROR:
      return "error";
    case BC_SEVERITY_WARNING:
      return "warning";
    default:
      g_return_val_if_reached (NULL);
    }
}

static gboolean
is_number_type (BcFieldType type)
{
  return type == BC_FIELD_INTEGER || type == BC_FIELD_DECIMAL || type == BC_FIELD_PERCENTAGE;
}

/* Which types a key applies to, beyond the keys every field has. */
static gboolean
key_applies (const char  *key,
             BcFieldType  type)
{
  if (g_str_equal (key, "required"))
    return type != BC_FIELD_TABLE;
  if (g_str_equal (key, "min") || g_str_equal (key, "max") || g_str_equal (key, "target"))
    return is_number_type (type);
  if (g_str_equal (key, "max_length"))
    return type == BC_FIELD_TEXT || type == BC_FIELD_LONG_TEXT;
  if (g_str_equal (key, "choices"))
    return type == BC_FIELD_CHOICE;
  if (g_str_equal (key, "compute"))
    return is_number_type (type) || type == BC_FIELD_TEXT || type == BC_FIELD_YES_NO;
  if (g_str_equal (key, "columns") || g_str_equal (key, "min_rows") ||
      g_str_equal (key, "max_rows") || g_str_equal (key, "carry_forward_if") ||
      g_str_equal (key, "group_by") || g_str_equal (key, "group_summaries") ||
      g_str_equal (key, "row_label"))
    return type == BC_FIELD_TABLE;
  return TRUE;
}

static gboolean
parse_choices (Loader     *loader,
               JsonObject *object,
               const char *path,
               BcField    *field)
{
  static const char * const keys[] = { "value", "label", NULL };
  g_autoptr(GHashTable) values = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *where = child_path (path, "choices");
  JsonArray *array;
  guint n;

  if (!get_array (loader, object, path, "choices", TRUE, &array))
    return FALSE;

  n = json_array_get_length (array);
  if (n == 0)
    return fail (loader, where, _("a choice field needs at least one choice"));

  field->choices = g_ptr_array_new_with_free_func ((GDestroyNotify)choice_free);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *choice_path = element_path (path, "choices", i);
      g_autofree char *value_path = child_path (choice_path, "value");
      JsonObject *choice_object = NULL;
      BcChoice *choice;

      if (!get_object_node (loader, json_array_get_element (array, i), choice_path, &choice_object) ||
          !check_keys (loader, choice_object, choice_path, keys))
        return FALSE;

      choice = g_new0 (BcChoice, 1);
      g_ptr_array_add (field->choices, choice);
      if (!get_string (loader, choice_object, choice_path, "value", TRUE, &choice->value) ||
          !get_text (loader, choice_object, choice_path, "label", TRUE, &choice->label))
        return FALSE;

      if (!is_valid_id (choice->value))
        return fail (loader, value_path,
                     _("“%s” is not a valid choice value: use lower case letters, digits and “_”, starting with a letter"),
                     choice->value);

      if (g_hash_table_contains (values, choice->value))
        return fail (loader, value_path, _("the choice value “%s” appears twice"), choice->value);
      g_hash_table_add (values, choice->value);
    }

  return TRUE;
}

static gboolean
parse_target (Loader     *loader,
              JsonObject *object,
              const char *path,
              BcField    *field)
{
  static const char * const keys[] = { "op", "value", "source", "from", "to", NULL };
  g_autofree char *where = child_path (path, "target");
  g_autofree char *op = NULL;
  g_autofree char *op_path = NULL;
  JsonObject *target_object = NULL;
  BcTarget *target;

  if (!get_object_node (loader, get_member (object, "target"), where, &target_object) ||
      !check_keys (loader, target_object, where, keys))
    return FALSE;

  target = field->target = g_new0 (BcTarget, 1);
  if (!get_string (loader, target_object, where, "op", TRUE, &op) ||
      !get_number (loader, target_object, where, "value", TRUE, &target->value, NULL) ||
      !get_text (loader, target_object, where, "source", FALSE, &target->source))
    return FALSE;

  op_path = child_path (where, "op");
  if (g_str_equal (op, ">="))
    target->op = BC_TARGET_AT_LEAST;
  else if (g_str_equal (op, "<="))
    target->op = BC_TARGET_AT_MOST;
  else if (g_str_equal (op, "="))
    target->op = BC_TARGET_EQUAL;
  else
    return fail (loader, op_path, _("unknown operator “%s”; use “>=”, “<=” or “=”"), op);

  if (field->type == BC_FIELD_PERCENTAGE && (target->value < 0 || target->value > 100))
    {
      g_autofree char *value_path = child_path (where, "value");

      return fail (loader, value_path, _("a percentage target must be between 0 and 100"));
    }

  /* The plan that sets a target is in force for some years only: a report
   * of another period gets no target rather than a wrong one. */
  for (guint i = 0; i < 2; i++)
    {
      const char *name = i == 0 ? "from" : "to";
      char **slot = i == 0 ? &target->from : &target->to;
      g_autofree char *text = NULL;
      BcPeriod period;

      if (!get_string (loader, target_object, where, name, FALSE, &text))
        return FALSE;
      if (text == NULL)
        continue;
      if (!bc_period_parse (text, &period, NULL))
        {
          g_autofree char *period_path = child_path (where, name);

          return fail (loader, period_path,
                       _("“%s” is not a period; write a year such as 2019 or a quarter such as 2019Q2"),
                       text);
        }
      *slot = bc_period_to_id (&period);
    }

  if (target->from != NULL && target->to != NULL)
    {
      BcPeriod from, to;
      GDate from_start, from_end, to_start, to_end;

      bc_period_parse (target->from, &from, NULL);
      bc_period_parse (target->to, &to, NULL);
      bc_period_window (&from, &from_start, &from_end);
      bc_period_window (&to, &to_start, &to_end);
      if (g_date_compare (&to_end, &from_start) < 0)
        {
          g_autofree char *to_path = child_path (where, "to");

          return fail (loader, to_path, _("the target ends (%s) before it starts (%s)"),
                       target->to, target->from);
        }
    }

  return TRUE;
}

gboolean
bc_target_in_force (const BcTarget *target,
                    const char     *period_id)
{
  BcPeriod period, bound;
  GDate start, end, bound_start, bound_end;

  g_return_val_if_fail (target != NULL, FALSE);

  if (target->from == NULL && target->to == NULL)
    return TRUE;
  if (period_id == NULL || !bc_period_parse (period_id, &period, NULL))
    return FALSE;

  bc_period_window (&period, &start, &end);
  if (target->from != NULL && bc_period_parse (target->from, &bound, NULL))
    {
      bc_period_window (&bound, &bound_start, &bound_end);
      if (g_date_compare (&end, &bound_start) < 0)
        return FALSE;
    }
  if (target->to != NULL && bc_period_parse (target->to, &bound, NULL))
    {
      bc_period_window (&bound, &bound_start, &bound_end);
      if (g_date_compare (&start, &bound_end) > 0)
        return FALSE;
    }

  return TRUE;
}

static BcField *
find_column (const BcField *table,
             const char    *column_id)
{
  if (table == NULL || table->columns == NULL)
    return NULL;

  for (guint i = 0; i < table->columns->len; i++)
    {
      BcField *column = g_ptr_array_index (table->columns, i);

      if (column->id != NULL && g_str_equal (column->id, column_id))
        return column;
    }

  return NULL;
}

typedef enum {
  FIELD_SCALAR,   /* a field of a section, or a table */
  FIELD_COLUMN,   /* a column of `table` */
  FIELD_SUMMARY,  /* a group summary of `table` */
} FieldKind;

static gboolean parse_field (Loader     *loader,
                             JsonNode   *node,
                             const char *path,
                             BcSection  *section,
                             BcField    *table,
                             FieldKind   kind,
                             GPtrArray  *into);

static gboolean
register_field_id (Loader     *loader,
                   BcField    *field,
                   const char *path,
                   BcField    *table,
                   FieldKind   kind)
{
  g_autofree char *id_path = child_path (path, "id");

  if (kind == FIELD_COLUMN)
    {
      BcField *other = find_column (table, field->id);
      GPtrArray *same_id;

      if (other != NULL && other != field)
        return fail (loader, id_path, _("the column id “%s” is already used in this table by %s"),
                     field->id, (const char *)g_hash_table_lookup (loader->field_paths, other));

      same_id = g_hash_table_lookup (loader->columns_by_id, field->id);
      if (same_id == NULL)
        {
          same_id = g_ptr_array_new ();
          g_hash_table_insert (loader->columns_by_id, field->id, same_id);
        }
      g_ptr_array_add (same_id, field);
    }
  else
    {
      BcField *other = g_hash_table_lookup (loader->self->field_index, field->id);

      if (other != NULL)
        return fail (loader, id_path, _("the field id “%s” is already used by %s; field ids must be unique in the whole template"),
                     field->id, (const char *)g_hash_table_lookup (loader->field_paths, other));

      g_hash_table_insert (loader->self->field_index, field->id, field);
    }

  return TRUE;
}

static gboolean
parse_table (Loader     *loader,
             JsonObject *object,
             const char *path,
             BcField    *field)
{
  JsonArray *columns;
  JsonArray *summaries;
  gint64 min_rows = 0;
  gint64 max_rows = 0;
  gboolean has_max_rows;
  guint n;

  if (!get_array (loader, object, path, "columns", TRUE, &columns))
    return FALSE;

  n = json_array_get_length (columns);
  if (n == 0)
    {
      g_autofree char *where = child_path (path, "columns");

      return fail (loader, where, _("a table needs at least one column"));
    }

  field->columns = g_ptr_array_new_with_free_func ((GDestroyNotify)field_free);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *column_path = element_path (path, "columns", i);

      if (!parse_field (loader, json_array_get_element (columns, i), column_path,
                        (BcSection *)field->section, field, FIELD_COLUMN, field->columns))
        return FALSE;
    }

  if (!get_integer (loader, object, path, "min_rows", FALSE, 0, G_MAXINT, &min_rows, NULL) ||
      !get_integer (loader, object, path, "max_rows", FALSE, 1, G_MAXINT, &max_rows, &has_max_rows))
    return FALSE;

  if (has_max_rows && min_rows > max_rows)
    {
      g_autofree char *where = child_path (path, "min_rows");

      return fail (loader, where, _("min_rows (%d) is greater than max_rows (%d)"),
                   (int)min_rows, (int)max_rows);
    }
  field->min_rows = (guint)min_rows;
  field->max_rows = (guint)max_rows;

  if (!get_text (loader, object, path, "row_label", FALSE, &field->row_label))
    return FALSE;

  if (!get_expr (loader, object, path, "carry_forward_if", field, NULL, &field->carry_forward_if) ||
      !get_string (loader, object, path, "group_by", FALSE, &field->group_by))
    return FALSE;

  if (field->group_by != NULL && find_column (field, field->group_by) == NULL)
    {
      g_autofree char *where = child_path (path, "group_by");

      return fail (loader, where, _("“%s” is not a column of this table"), field->group_by);
    }

  if (!get_array (loader, object, path, "group_summaries", FALSE, &summaries))
    return FALSE;

  if (summaries != NULL)
    {
      field->group_summaries = g_ptr_array_new_with_free_func ((GDestroyNotify)field_free);
      for (guint i = 0; i < json_array_get_length (summaries); i++)
        {
          g_autofree char *summary_path = element_path (path, "group_summaries", i);

          if (!parse_field (loader, json_array_get_element (summaries, i), summary_path,
                            (BcSection *)field->section, field, FIELD_SUMMARY,
                            field->group_summaries))
            return FALSE;
        }
    }

  return TRUE;
}

static gboolean
parse_field (Loader     *loader,
             JsonNode   *node,
             const char *path,
             BcSection  *section,
             BcField    *table,
             FieldKind   kind,
             GPtrArray  *into)
{
  static const char * const keys[] = {
    "id", "type", "label", "help", "unit", "required", "min", "max", "max_length",
    "choices", "visible_if", "compute", "target", "columns", "min_rows", "max_rows",
    "carry_forward_if", "group_by", "group_summaries", "row_label", NULL
  };
  g_autoptr(GList) members = NULL;
  g_autofree char *type_name = NULL;
  g_autofree char *id_path = child_path (path, "id");
  g_autofree char *type_path = child_path (path, "type");
  JsonObject *object = NULL;
  BcField *field;
  BcField *row_table;
  gboolean known_type = FALSE;
  gint64 max_length = 0;

  if (!get_object_node (loader, node, path, &object) ||
      !check_keys (loader, object, path, keys))
    return FALSE;

  field = g_new0 (BcField, 1);
  field->section = section;
  field->table = kind == FIELD_COLUMN ? table : NULL;
  g_ptr_array_add (into, field);
  g_hash_table_insert (loader->field_paths, field, g_strdup (path));

  if (!get_string (loader, object, path, "id", TRUE, &field->id))
    return FALSE;
  if (!is_valid_id (field->id))
    return fail (loader, id_path,
                 _("“%s” is not a valid id: use at most 64 lower case letters, digits and “_”, starting with a letter"),
                 field->id);
  if (!register_field_id (loader, field, path, table, kind))
    return FALSE;

  if (!get_string (loader, object, path, "type", TRUE, &type_name))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (field_types); i++)
    {
      if (g_str_equal (type_name, field_types[i].name))
        {
          field->type = field_types[i].type;
          known_type = TRUE;
        }
    }
  /* A month ("10/2015") and a range of months ("10–11/2015") are texts of a
   * checked shape: every part of Baocao that shows or edits a text field
   * handles them, with the checking done here in the core. */
  if (g_str_equal (type_name, "month") || g_str_equal (type_name, "month_range"))
    {
      field->type = BC_FIELD_TEXT;
      field->text_format = g_str_equal (type_name, "month") ? BC_TEXT_MONTH : BC_TEXT_MONTH_RANGE;
      known_type = TRUE;
    }
  if (!known_type)
    return fail (loader, type_path,
                 _("unknown type “%s”; the types are: integer, decimal, percentage, text, long_text, date, month, month_range, choice, yes_no, document_ref, table"),
                 type_name);

  if (field->type == BC_FIELD_TABLE && kind == FIELD_COLUMN)
    return fail (loader, type_path, _("a column of a table cannot itself be a table"));
  if (field->type == BC_FIELD_TABLE && kind == FIELD_SUMMARY)
    return fail (loader, type_path, _("a group summary cannot be a table"));

  members = json_object_get_members (object);
  for (const GList *l = members; l != NULL; l = l->next)
    {
      if (!key_applies (l->data, field->type))
        {
          g_autofree char *where = child_path (path, l->data);

          return fail (loader, where, _("“%s” does not apply to a field of type “%s”"),
                       (const char *)l->data, type_name);
        }
    }

  if (!get_text (loader, object, path, "label", TRUE, &field->label) ||
      !get_text (loader, object, path, "help", FALSE, &field->help) ||
      !get_text (loader, object, path, "unit", FALSE, &field->unit) ||
      !get_boolean (loader, object, path, "required", &field->required) ||
      !get_number (loader, object, path, "min", FALSE, &field->min, &field->has_min) ||
      !get_number (loader, object, path, "max", FALSE, &field->max, &field->has_max) ||
      !get_integer (loader, object, path, "max_length", FALSE, 1, G_MAXINT, &max_length, NULL))
    return FALSE;
  field->max_length = (guint)max_length;

  if (field->type == BC_FIELD_PERCENTAGE)
    {
      if (field->has_min && (field->min < 0 || field->min > 100))
        {
          g_autofree char *where = child_path (path, "min");

          return fail (loader, where, _("a percentage is between 0 and 100, so its limits must be too"));
        }
      if (field->has_max && (field->max < 0 || field->max > 100))
        {
          g_autofree char *where = child_path (path, "max");

          return fail (loader, where, _("a percentage is between 0 and 100, so its limits must be too"));
        }
    }
  if (field->has_min && field->has_max && field->min > field->max)
    {
      g_autofree char *where = child_path (path, "min");
      char min_text[G_ASCII_DTOSTR_BUF_SIZE];
      char max_text[G_ASCII_DTOSTR_BUF_SIZE];

      _bc_format_number (field->min, min_text, sizeof min_text);
      _bc_format_number (field->max, max_text, sizeof max_text);
      return fail (loader, where, _("min (%s) is greater than max (%s)"), min_text, max_text);
    }

  if (field->type == BC_FIELD_CHOICE && !parse_choices (loader, object, path, field))
    return FALSE;

  /* Columns are evaluated with their row as the context; everything else,
   * group summaries included, in the context of the whole report. */
  row_table = kind == FIELD_COLUMN ? table : NULL;
  if (!get_expr (loader, object, path, "visible_if", row_table, NULL, &field->visible_if) ||
      !get_expr (loader, object, path, "compute", row_table, field, &field->compute))
    return FALSE;

  if (field->compute != NULL)
    g_ptr_array_add (loader->computed, field);
  else if (kind == FIELD_SUMMARY)
    return missing (loader, path, "compute");

  if (get_member (object, "target") != NULL && !parse_target (loader, object, path, field))
    return FALSE;

  if (field->type == BC_FIELD_TABLE && !parse_table (loader, object, path, field))
    return FALSE;

  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Sections, rules and migrations                                           */

static gboolean
parse_section (Loader     *loader,
               JsonNode   *node,
               const char *path)
{
  static const char * const keys[] = { "id", "title", "help", "visible_if", "fields", NULL };
  g_autofree char *id_path = child_path (path, "id");
  JsonObject *object = NULL;
  JsonArray *fields;
  BcSection *section;

  if (!get_object_node (loader, node, path, &object) ||
      !check_keys (loader, object, path, keys))
    return FALSE;

  section = g_new0 (BcSection, 1);
  section->fields = g_ptr_array_new_with_free_func ((GDestroyNotify)field_free);
  g_ptr_array_add (loader->self->sections, section);
  g_hash_table_insert (loader->section_paths, section, g_strdup (path));

  if (!get_string (loader, object, path, "id", TRUE, &section->id))
    return FALSE;
  if (!is_valid_id (section->id))
    return fail (loader, id_path,
                 _("“%s” is not a valid id: use at most 64 lower case letters, digits and “_”, starting with a letter"),
                 section->id);
  if (g_hash_table_contains (loader->self->section_index, section->id))
    {
      BcSection *other = g_hash_table_lookup (loader->self->section_index, section->id);

      return fail (loader, id_path, _("the section id “%s” is already used by %s"), section->id,
                   (const char *)g_hash_table_lookup (loader->section_paths, other));
    }
  g_hash_table_insert (loader->self->section_index, section->id, section);

  if (!get_text (loader, object, path, "title", TRUE, &section->title) ||
      !get_text (loader, object, path, "help", FALSE, &section->help) ||
      !get_expr (loader, object, path, "visible_if", NULL, NULL, &section->visible_if) ||
      !get_array (loader, object, path, "fields", TRUE, &fields))
    return FALSE;

  for (guint i = 0; i < json_array_get_length (fields); i++)
    {
      g_autofree char *field_path = element_path (path, "fields", i);

      if (!parse_field (loader, json_array_get_element (fields, i), field_path,
                        section, NULL, FIELD_SCALAR, section->fields))
        return FALSE;
      g_ptr_array_add (loader->self->fields, g_ptr_array_index (section->fields, i));
    }

  return TRUE;
}

static gboolean
parse_rule (Loader     *loader,
            JsonNode   *node,
            const char *path)
{
  static const char * const keys[] = { "id", "severity", "check", "when", "table", "fields", "message", NULL };
  g_autofree char *id_path = child_path (path, "id");
  g_autofree char *severity = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const BcField *table = NULL;
  JsonObject *object = NULL;
  JsonArray *fields;
  BcRule *rule;
  guint n_fields;

  if (!get_object_node (loader, node, path, &object) ||
      !check_keys (loader, object, path, keys))
    return FALSE;

  rule = g_new0 (BcRule, 1);
  g_ptr_array_add (loader->self->rules, rule);

  if (!get_string (loader, object, path, "id", TRUE, &rule->id))
    return FALSE;
  if (!is_valid_id (rule->id))
    return fail (loader, id_path,
                 _("“%s” is not a valid id: use at most 64 lower case letters, digits and “_”, starting with a letter"),
                 rule->id);
  if (g_hash_table_contains (loader->self->rule_index, rule->id))
    return fail (loader, id_path, _("the rule id “%s” is already used by another rule"), rule->id);
  g_hash_table_insert (loader->self->rule_index, rule->id, rule);

  if (!get_string (loader, object, path, "severity", TRUE, &severity))
    return FALSE;
  if (g_str_equal (severity, "error"))
    rule->severity = BC_SEVERITY_ERROR;
  else if (g_str_equal (severity, "warning"))
    rule->severity = BC_SEVERITY_WARNING;
  else
    {
      g_autofree char *where = child_path (path, "severity");

      return fail (loader, where, _("unknown severity “%s”; use “error” or “warning”"), severity);
    }

  if (!get_string (loader, object, path, "table", FALSE, &rule->table))
    return FALSE;
  if (rule->table != NULL)
    {
      g_autofree char *where = child_path (path, "table");

      table = g_hash_table_lookup (loader->self->field_index, rule->table);
      if (table == NULL)
        return fail (loader, where, _("unknown table “%s”"), rule->table);
      if (table->type != BC_FIELD_TABLE)
        return fail (loader, where, _("“%s” is not a table"), rule->table);
    }

  if (!get_expr (loader, object, path, "check", (BcField *)table, NULL, &rule->check) ||
      !get_expr (loader, object, path, "when", (BcField *)table, NULL, &rule->when) ||
      !get_text (loader, object, path, "message", TRUE, &rule->message) ||
      !get_array (loader, object, path, "fields", TRUE, &fields))
    return FALSE;
  if (rule->check == NULL)
    return missing (loader, path, "check");

  n_fields = json_array_get_length (fields);
  if (n_fields == 0)
    {
      g_autofree char *where = child_path (path, "fields");

      return fail (loader, where, _("a rule must name at least one field to show its message beside"));
    }

  for (guint i = 0; i < n_fields; i++)
    {
      g_autofree char *where = element_path (path, "fields", i);
      JsonNode *element = json_array_get_element (fields, i);
      const char *name;

      if (!node_is_string (element))
        return fail (loader, where, _("must be a string in double quotes"));
      name = json_node_get_string (element);

      if (table != NULL)
        {
          const BcField *column = find_column (table, name);

          if (column == NULL)
            column = bc_template_lookup_field (loader->self, name);
          if (column == NULL || column->table != table)
            return fail (loader, where, _("the table “%s” has no column “%s”"), table->id, name);

          /* Stored as the column's id, whether or not it was written
           * "table.column": the row gives the table. */
          name = column->id;
        }
      else if (bc_template_lookup_field (loader->self, name) == NULL)
        {
          return fail (loader, where, _("unknown field “%s”"), name);
        }

      g_strv_builder_add (builder, name);
    }
  rule->fields = g_strv_builder_end (builder);

  return TRUE;
}

/* The field stored under `key` ("id" or "table.column"), or NULL. */
static const BcField *
lookup_storage_key (BcTemplate *self,
                    const char *key)
{
  const char *dot = strchr (key, '.');
  const BcField *field;

  if (dot != NULL)
    {
      g_autofree char *table_id = g_strndup (key, dot - key);

      field = g_hash_table_lookup (self->field_index, table_id);
      if (field == NULL || field->type != BC_FIELD_TABLE)
        return NULL;
      field = find_column (field, dot + 1);
    }
  else
    {
      field = g_hash_table_lookup (self->field_index, key);
    }

  if (field == NULL || field->type == BC_FIELD_TABLE || field->compute != NULL)
    return NULL;

  return field;
}

/* A storage key as written: "id", or "table.column" for a column. Old keys
 * name fields of another file, so only their form can be checked. */
static gboolean
is_valid_storage_key (const char *key)
{
  const char *dot = strchr (key, '.');
  g_autofree char *table = NULL;

  if (dot == NULL)
    return is_valid_id (key);

  table = g_strndup (key, dot - key);
  return is_valid_id (table) && is_valid_id (dot + 1);
}

/* The table part of a storage key, or NULL for a scalar field's key. */
static char *
storage_key_table (const char *key)
{
  const char *dot = strchr (key, '.');

  return dot != NULL ? g_strndup (key, dot - key) : NULL;
}

static gboolean
get_string_map (Loader      *loader,
                JsonObject  *object,
                const char  *path,
                const char  *key,
                GHashTable **out)
{
  JsonNode *node = get_member (object, key);
  g_autofree char *where = child_path (path, key);
  g_autoptr(GList) members = NULL;
  JsonObject *map = NULL;

  *out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (node == NULL)
    return TRUE;

  if (!get_object_node (loader, node, where, &map))
    return FALSE;

  members = json_object_get_members (map);
  for (const GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *value = json_object_get_member (map, l->data);

      if (!node_is_string (value))
        {
          g_autofree char *value_path = child_path (where, l->data);

          return fail (loader, value_path, _("must be a string in double quotes"));
        }
      g_hash_table_insert (*out, g_strdup (l->data), g_strdup (json_node_get_string (value)));
    }

  return TRUE;
}

/* The keys of a migration's map, in file order (empty when absent). */
static GList *
migration_members (JsonObject *object,
                   const char *key)
{
  JsonNode *node = get_member (object, key);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_object_get_members (json_node_get_object (node));
}

/* Renames must not lose a value. The workbook reads every old value before
 * it writes any new one, so a swap ({"a": "b", "b": "a"}) is safe; but two
 * old keys going to one new key would keep only one value, a chain
 * ({"a": "b", "b": "c"}) or a longer cycle is most likely a mistake that
 * nobody can tell from what was meant, and a value cannot move into, out
 * of or between tables, whose rows are stored apart. */
static gboolean
check_renames (Loader      *loader,
               GHashTable  *renamed,
               const GList *members,
               const char  *renamed_path)
{
  g_autoptr(GHashTable) sources = g_hash_table_new (g_str_hash, g_str_equal); /* new → old */

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *old_key = l->data;
      const char *new_key = g_hash_table_lookup (renamed, old_key);
      g_autofree char *where = child_path (renamed_path, old_key);
      g_autofree char *old_table = storage_key_table (old_key);
      g_autofree char *new_table = storage_key_table (new_key);
      const char *other_old, *next;

      if (!is_valid_storage_key (old_key))
        return fail (loader, where,
                     _("“%s” is not a field’s key (write “id”, or “table.column” for a column)"),
                     old_key);

      if (lookup_storage_key (loader->self, new_key) == NULL)
        return fail (loader, where,
                     _("“%s” is not a stored field of this version (write “id”, or “table.column” for a column)"),
                     new_key);

      if (g_str_equal (old_key, new_key))
        return fail (loader, where, _("“%s” is renamed to itself; leave it out of “renamed”"), old_key);

      if ((old_table == NULL) != (new_table == NULL))
        return fail (loader, where,
                     _("“%s” cannot be renamed to “%s”: a value cannot move into or out of a table"),
                     old_key, new_key);
      if (old_table != NULL && !g_str_equal (old_table, new_table))
        return fail (loader, where,
                     _("“%s” cannot be renamed to “%s”: a column cannot move to another table"),
                     old_key, new_key);

      other_old = g_hash_table_lookup (sources, new_key);
      if (other_old != NULL)
        return fail (loader, where,
                     _("“%s” and “%s” are both renamed to “%s”, which can hold the value of only one of them"),
                     other_old, old_key, new_key);
      g_hash_table_insert (sources, (gpointer)new_key, (gpointer)old_key);

      next = g_hash_table_lookup (renamed, new_key);
      if (next != NULL && !g_str_equal (next, old_key))
        return fail (loader, where,
                     _("“%s” is renamed to “%s”, which is itself renamed to “%s”; renames in one migration may swap two fields but not form a chain"),
                     old_key, new_key, next);
    }

  return TRUE;
}

static gboolean
parse_migration (Loader     *loader,
                 JsonNode   *node,
                 const char *path)
{
  static const char * const keys[] = { "from_version", "renamed", "defaults", "removed", NULL };
  g_autoptr(GStrvBuilder) removed = g_strv_builder_new ();
  g_autofree char *from_path = child_path (path, "from_version");
  g_autofree char *renamed_path = child_path (path, "renamed");
  g_autofree char *defaults_path = child_path (path, "defaults");
  g_autoptr(GHashTable) checked_defaults = NULL;
  g_autoptr(GList) renamed_members = NULL;
  g_autoptr(GList) defaults_members = NULL;
  JsonObject *object = NULL;
  JsonArray *removed_array;
  BcMigration *migration;
  gint64 from_version = 0;

  if (!get_object_node (loader, node, path, &object) ||
      !check_keys (loader, object, path, keys))
    return FALSE;

  migration = g_new0 (BcMigration, 1);
  g_ptr_array_add (loader->self->migrations, migration);

  if (!get_integer (loader, object, path, "from_version", TRUE, 1, G_MAXINT, &from_version, NULL))
    return FALSE;
  migration->from_version = (int)from_version;
  if (migration->from_version >= loader->self->version)
    return fail (loader, from_path, _("a migration must come from an older version than this one (%d)"),
                 loader->self->version);
  for (guint i = 0; i + 1 < loader->self->migrations->len; i++)
    {
      BcMigration *other = g_ptr_array_index (loader->self->migrations, i);

      if (other->from_version == migration->from_version)
        return fail (loader, from_path, _("there is already a migration from version %d"),
                     migration->from_version);
    }

  if (!get_string_map (loader, object, path, "renamed", &migration->renamed) ||
      !get_string_map (loader, object, path, "defaults", &migration->defaults) ||
      !get_array (loader, object, path, "removed", FALSE, &removed_array))
    return FALSE;

  /* In file order, so that the problem reported is the first one there. */
  renamed_members = migration_members (object, "renamed");
  defaults_members = migration_members (object, "defaults");

  if (!check_renames (loader, migration->renamed, renamed_members, renamed_path))
    return FALSE;

  checked_defaults = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (const GList *l = defaults_members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      const char *value = g_hash_table_lookup (migration->defaults, key);
      g_autofree char *where = child_path (defaults_path, key);
      g_autoptr(GError) local_error = NULL;
      g_autofree char *canonical = NULL;
      const BcField *field = lookup_storage_key (loader->self, key);

      if (field == NULL)
        return fail (loader, where,
                     _("“%s” is not a stored field of this version (write “id”, or “table.column” for a column)"),
                     key);
      if (!bc_field_parse_stored_lang (field, value, NULL, &canonical, &local_error))
        return fail (loader, where, "%s", local_error->message);
      if (canonical != NULL)
        g_hash_table_insert (checked_defaults, g_strdup (key), g_steal_pointer (&canonical));
    }
  g_hash_table_unref (migration->defaults);
  migration->defaults = g_steal_pointer (&checked_defaults);

  if (removed_array != NULL)
    {
      for (guint i = 0; i < json_array_get_length (removed_array); i++)
        {
          JsonNode *element = json_array_get_element (removed_array, i);
          g_autofree char *where = element_path (path, "removed", i);
          const char *key, *new_key;

          if (!node_is_string (element))
            return fail (loader, where, _("must be a string in double quotes"));
          key = json_node_get_string (element);

          if (!is_valid_storage_key (key))
            return fail (loader, where,
                         _("“%s” is not a field’s key (write “id”, or “table.column” for a column)"),
                         key);
          /* Removing a key this version still stores would throw away what
           * the officer typed into a field that is still on the form. */
          if (lookup_storage_key (loader->self, key) != NULL)
            return fail (loader, where,
                         _("“%s” is still a field of this version, so its values cannot be removed; list only fields this version no longer has"),
                         key);
          new_key = g_hash_table_lookup (migration->renamed, key);
          if (new_key != NULL)
            return fail (loader, where,
                         _("“%s” is renamed to “%s” in this migration, so it cannot also be removed"),
                         key, new_key);
          g_strv_builder_add (removed, key);
        }
    }
  migration->removed = g_strv_builder_end (removed);

  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Second pass: names in expressions and cycles among computed fields       */

typedef struct
{
  Loader    *loader;
  ExprSite  *site;
  char      *problem;  /* the first problem found */
  GPtrArray *deps;     /* computed BcField* the site's owner uses */
} RefCheck;

static void
add_dependency (RefCheck      *check,
                const BcField *field)
{
  if (field != NULL && field->compute != NULL)
    g_ptr_array_add (check->deps, (gpointer)field);
}

static void
add_column_dependencies (RefCheck   *check,
                         const char *column_id)
{
  GPtrArray *columns = g_hash_table_lookup (check->loader->columns_by_id, column_id);

  for (guint i = 0; columns != NULL && i < columns->len; i++)
    add_dependency (check, g_ptr_array_index (columns, i));
}

static void
check_reference (BcExprRefKind  kind,
                 const char    *name,
                 const char    *column,
                 gboolean       previous,
                 gpointer       user_data)
{
  RefCheck *check = user_data;
  BcTemplate *self = check->loader->self;
  const BcField *field;

  if (check->problem != NULL)
    return;

  switch (kind)
    {
    case BC_EXPR_REF_FIELD:
      {
        const BcField *row_column = find_column (check->site->table, name);
        gboolean any_column = g_hash_table_contains (check->loader->columns_by_id, name);

        field = bc_template_lookup_field (self, name);
        if (field == NULL && !any_column)
          {
            check->problem = g_strdup_printf (_("unknown field “%s”"), name);
            return;
          }
        if (row_column == NULL && field != NULL && field->type == BC_FIELD_TABLE)
          {
            check->problem = g_strdup_printf (_("“%s” is a table; use it in count(), sum() or another function over rows"),
                                              name);
            return;
          }

        /* The previous period's value does not depend on this report. */
        if (previous)
          return;
        if (row_column != NULL)
          add_dependency (check, row_column);
        else if (field != NULL)
          add_dependency (check, field);
        else
          add_column_dependencies (check, name);
      }
      break;

    case BC_EXPR_REF_TABLE:
      field = bc_template_lookup_field (self, name);
      if (field == NULL)
        check->problem = g_strdup_printf (_("unknown table “%s”"), name);
      else if (field->type != BC_FIELD_TABLE)
        check->problem = g_strdup_printf (_("“%s” is not a table"), name);
      break;

    case BC_EXPR_REF_TABLE_COLUMN:
      {
        const BcField *table_column;

        field = bc_template_lookup_field (self, name);
        if (field == NULL)
          {
            check->problem = g_strdup_printf (_("unknown table “%s”"), name);
            return;
          }
        if (field->type != BC_FIELD_TABLE)
          {
            check->problem = g_strdup_printf (_("“%s” is not a table"), name);
            return;
          }
        table_column = find_column (field, column != NULL ? column : "");
        if (table_column == NULL)
          {
            check->problem = g_strdup_printf (_("the table “%s” has no column “%s”"),
                                              name, column != NULL ? column : "");
            return;
          }
        if (!previous)
          add_dependency (check, table_column);
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

static gboolean
check_references (Loader     *loader,
                  GHashTable *deps)
{
  for (guint i = 0; i < loader->sites->len; i++)
    {
      ExprSite *site = g_ptr_array_index (loader->sites, i);
      RefCheck check = { loader, site, NULL, g_ptr_array_new () };

      bc_expr_foreach_reference (site->expr, check_reference, &check);
      if (check.problem != NULL)
        {
          g_autofree char *problem = check.problem;

          g_ptr_array_unref (check.deps);
          return fail (loader, site->path, "%s", problem);
        }

      if (site->owner != NULL)
        g_hash_table_insert (deps, site->owner, check.deps);
      else
        g_ptr_array_unref (check.deps);
    }

  return TRUE;
}

/* Repeatedly drops the computed fields that depend on no remaining computed
 * field; whatever remains sits on or behind a cycle, and walking remaining
 * dependencies from any of them must come back to a field already seen. */
static gboolean
check_cycles (Loader     *loader,
              GHashTable *deps)
{
  GPtrArray *nodes = loader->computed;
  guint n = nodes->len;
  g_autoptr(GHashTable) index = g_hash_table_new (NULL, NULL);
  g_autofree guint *pending = g_new0 (guint, n);   /* remaining dependencies */
  g_autofree gboolean *removed = g_new0 (gboolean, n);
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);
  g_autoptr(GArray) queue = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) walk = NULL;
  g_autofree int *seen_at = NULL;
  g_autoptr(GString) names = NULL;
  guint start = n;
  guint first;
  guint cycle_start;
  ExprSite *site;

  for (guint i = 0; i < n; i++)
    {
      g_hash_table_insert (index, g_ptr_array_index (nodes, i), GUINT_TO_POINTER (i + 1));
      g_ptr_array_add (users, g_array_new (FALSE, FALSE, sizeof (guint)));
    }

  for (guint i = 0; i < n; i++)
    {
      GPtrArray *uses = g_hash_table_lookup (deps, g_ptr_array_index (nodes, i));

      for (guint j = 0; uses != NULL && j < uses->len; j++)
        {
          guint target = GPOINTER_TO_UINT (g_hash_table_lookup (index, g_ptr_array_index (uses, j)));

          if (target == 0)
            continue;
          pending[i]++;
          g_array_append_val (g_ptr_array_index (users, target - 1), i);
        }
      if (pending[i] == 0)
        g_array_append_val (queue, i);
    }

  for (guint q = 0; q < queue->len; q++)
    {
      guint done = g_array_index (queue, guint, q);
      GArray *done_users = g_ptr_array_index (users, done);

      removed[done] = TRUE;
      for (guint j = 0; j < done_users->len; j++)
        {
          guint user = g_array_index (done_users, guint, j);

          if (--pending[user] == 0)
            g_array_append_val (queue, user);
        }
    }

  for (guint i = 0; i < n && start == n; i++)
    if (!removed[i])
      start = i;
  if (start == n)
    {
      /* No cycle: the queue holds every computed field after those it uses.
       * Evaluation follows at most BC_MAX_COMPUTE_CHAIN computed fields
       * deep, so a longer chain is refused here, naming its last field,
       * rather than loaded to fail on every report. */
      g_autofree guint *length = g_new0 (guint, n);

      for (guint q = 0; q < queue->len; q++)
        {
          guint i = g_array_index (queue, guint, q);
          GPtrArray *uses = g_hash_table_lookup (deps, g_ptr_array_index (nodes, i));
          guint longest = 0;

          for (guint j = 0; uses != NULL && j < uses->len; j++)
            {
              guint target = GPOINTER_TO_UINT (g_hash_table_lookup (index, g_ptr_array_index (uses, j)));

              if (target != 0)
                longest = MAX (longest, length[target - 1]);
            }
          length[i] = longest + 1;

          if (length[i] > BC_MAX_COMPUTE_CHAIN)
            {
              BcField *field = g_ptr_array_index (nodes, i);

              site = g_hash_table_lookup (loader->compute_sites, field);
              return fail (loader, site->path,
                           _("“%s” ends a chain of %u computed fields that use one another; at most %d are allowed. Compute it from fewer steps"),
                           field->id, length[i], BC_MAX_COMPUTE_CHAIN);
            }
        }
      return TRUE;
    }

  walk = g_array_new (FALSE, FALSE, sizeof (guint));
  seen_at = g_new (int, n);
  for (guint i = 0; i < n; i++)
    seen_at[i] = -1;

  cycle_start = 0;
  for (guint current = start;;)
    {
      GPtrArray *uses = g_hash_table_lookup (deps, g_ptr_array_index (nodes, current));
      guint next = n;

      seen_at[current] = walk->len;
      g_array_append_val (walk, current);
      for (guint j = 0; uses != NULL && j < uses->len && next == n; j++)
        {
          guint target = GPOINTER_TO_UINT (g_hash_table_lookup (index, g_ptr_array_index (uses, j)));

          if (target != 0 && !removed[target - 1])
            next = target - 1;
        }
      g_assert (next < n);
      current = next;
      if (seen_at[current] >= 0)
        {
          cycle_start = seen_at[current];
          break;
        }
    }

  /* Name the cycle from its field that comes first in the form. */
  first = cycle_start;
  for (guint k = cycle_start; k < walk->len; k++)
    if (g_array_index (walk, guint, k) < g_array_index (walk, guint, first))
      first = k;

  names = g_string_new (NULL);
  for (guint k = 0; k <= walk->len - cycle_start; k++)
    {
      guint position = cycle_start + (first - cycle_start + k) % (walk->len - cycle_start);
      BcField *field = g_ptr_array_index (nodes, g_array_index (walk, guint, position));

      if (k > 0)
        g_string_append (names, " → ");
      g_string_append (names, field->id);
    }

  site = g_hash_table_lookup (loader->compute_sites,
                              g_ptr_array_index (nodes, g_array_index (walk, guint, first)));
  return fail (loader, site->path, _("the computed fields depend on each other in a circle: %s"),
               names->str);
}

static gboolean
check_section_ids (Loader *loader)
{
  for (guint i = 0; i < loader->self->sections->len; i++)
    {
      BcSection *section = g_ptr_array_index (loader->self->sections, i);
      BcField *field = g_hash_table_lookup (loader->self->field_index, section->id);

      if (field != NULL)
        {
          g_autofree char *where = child_path (g_hash_table_lookup (loader->section_paths, section), "id");

          return fail (loader, where,
                       _("the section id “%s” is also the id of the field at %s; a section and a field cannot share an id"),
                       section->id, (const char *)g_hash_table_lookup (loader->field_paths, field));
        }
    }

  return TRUE;
}

/* A unit's name as it is compared: NFC, without the white space around. */
static char *
normalize_issuer (const char *unit)
{
  g_autofree char *nfc = g_utf8_normalize (unit, -1, G_NORMALIZE_NFC);

  return nfc != NULL ? g_strstrip (g_steal_pointer (&nfc)) : NULL;
}

/* "applies": { "from": "2019", "to": "2020Q4", "issuers": ["UBND-QNG"] } */
static gboolean
parse_applies (Loader     *loader,
               JsonObject *object)
{
  static const char * const keys[] = { "from", "to", "issuers", NULL };
  BcTemplate *self = loader->self;
  JsonObject *applies = NULL;
  JsonArray *issuers = NULL;

  if (!get_object_node (loader, get_member (object, "applies"), "applies", &applies) ||
      !check_keys (loader, applies, "applies", keys))
    return FALSE;

  for (guint i = 0; i < 2; i++)
    {
      const char *name = i == 0 ? "from" : "to";
      char **slot = i == 0 ? &self->applies_from : &self->applies_to;
      g_autofree char *text = NULL;
      BcPeriod period;

      if (!get_string (loader, applies, "applies", name, FALSE, &text))
        return FALSE;
      if (text == NULL)
        continue;
      if (!bc_period_parse (text, &period, NULL))
        {
          g_autofree char *where = child_path ("applies", name);

          return fail (loader, where,
                       _("“%s” is not a period; write a year such as 2019 or a quarter such as 2019Q2"),
                       text);
        }
      *slot = bc_period_to_id (&period);
    }

  if (!get_array (loader, applies, "applies", "issuers", FALSE, &issuers))
    return FALSE;
  if (issuers != NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; i < json_array_get_length (issuers); i++)
        {
          JsonNode *element = json_array_get_element (issuers, i);
          g_autofree char *normalized = NULL;

          if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING
              || (normalized = normalize_issuer (json_node_get_string (element))) == NULL
              || *normalized == '\0')
            {
              g_autofree char *where = element_path ("applies", "issuers", i);

              return fail (loader, where, _("an issuer must be the name of a unit, as a text"));
            }
          g_strv_builder_add (builder, normalized);
        }
      self->applies_issuers = g_strv_builder_end (builder);
    }

  return TRUE;
}

gboolean
bc_template_applies_to (BcTemplate *self,
                        const char *period_id,
                        const char *unit)
{
  BcTarget span = { 0 };

  g_return_val_if_fail (BC_IS_TEMPLATE (self), FALSE);

  /* The same test as a target's: the period's window meets the span. */
  span.from = self->applies_from;
  span.to = self->applies_to;
  if (!bc_target_in_force (&span, period_id))
    return FALSE;

  if (self->applies_issuers != NULL)
    {
      g_autofree char *normalized = unit != NULL ? normalize_issuer (unit) : NULL;

      return normalized != NULL
        && g_strv_contains ((const char * const *) self->applies_issuers, normalized);
    }

  return TRUE;
}

static gboolean
parse_template (Loader   *loader,
                JsonNode *root)
{
  static const char * const keys[] = {
    "format", "id", "version", "period_type", "title", "description", "sections", "rules",
    "migrations", "print",
    "applies",
    NULL
  };
  BcTemplate *self = loader->self;
  g_autofree char *period_type = NULL;
  g_autoptr(GHashTable) deps = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)g_ptr_array_unref);
  JsonObject *object = NULL;
  JsonArray *sections;
  JsonArray *rules;
  JsonArray *migrations;
  gint64 format = 0;
  gint64 version = 0;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return fail (loader, NULL, _("a template must be a JSON object { … }"));
  object = json_node_get_object (root);

  /* The format first: a file of a newer format deserves that message, not
   * a complaint about one of its keys. */
  if (!get_integer (loader, object, "", "format", TRUE, G_MININT64, G_MAXINT64, &format, NULL))
    return FALSE;
  if (format != 1)
    return fail (loader, "format",
                 _("this file is in format %d, but this version of Baocao reads format 1 only"),
                 (int)CLAMP (format, G_MININT, G_MAXINT));

  if (!check_keys (loader, object, "", keys) ||
      !get_string (loader, object, "", "id", TRUE, &self->id))
    return FALSE;
  if (!is_valid_template_id (self->id))
    return fail (loader, "id",
                 _("“%s” is not a valid template id: use at most 64 lower case letters, digits and “-”"),
                 self->id);

  if (!get_integer (loader, object, "", "version", TRUE, 1, G_MAXINT, &version, NULL))
    return FALSE;
  self->version = (int)version;

  if (!get_string (loader, object, "", "period_type", TRUE, &period_type))
    return FALSE;
  if (g_str_equal (period_type, "quarter"))
    self->period_type = BC_PERIOD_QUARTER;
  else if (g_str_equal (period_type, "year"))
    self->period_type = BC_PERIOD_YEAR;
  else if (g_str_equal (period_type, "one_off"))
    self->period_type = BC_PERIOD_ONE_OFF;
  else
    return fail (loader, "period_type",
                 _("unknown period type “%s”; use “quarter”, “year” or “one_off”"),
                 period_type);

  if (get_member (object, "applies") != NULL && !parse_applies (loader, object))
    return FALSE;

  if (!get_text (loader, object, "", "title", TRUE, &self->title) ||
      !get_text (loader, object, "", "description", FALSE, &self->description) ||
      !get_array (loader, object, "", "sections", TRUE, &sections) ||
      !get_array (loader, object, "", "rules", FALSE, &rules) ||
      !get_array (loader, object, "", "migrations", FALSE, &migrations))
    return FALSE;

  if (json_array_get_length (sections) == 0)
    return fail (loader, "sections", _("a template needs at least one section"));

  for (guint i = 0; i < json_array_get_length (sections); i++)
    {
      g_autofree char *path = element_path ("", "sections", i);

      if (!parse_section (loader, json_array_get_element (sections, i), path))
        return FALSE;
    }

  if (!check_section_ids (loader))
    return FALSE;

  for (guint i = 0; rules != NULL && i < json_array_get_length (rules); i++)
    {
      g_autofree char *path = element_path ("", "rules", i);

      if (!parse_rule (loader, json_array_get_element (rules, i), path))
        return FALSE;
    }

  for (guint i = 0; migrations != NULL && i < json_array_get_length (migrations); i++)
    {
      g_autofree char *path = element_path ("", "migrations", i);

      if (!parse_migration (loader, json_array_get_element (migrations, i), path))
        return FALSE;
    }

  /* How the form lays itself out on paper belongs to the output library,
   * which checks it (docs/templates.md, "Print layout"); here it is only
   * kept, so that a template stays one file. */
  {
    JsonNode *print = get_member (object, "print");
    JsonObject *print_object;

    if (print != NULL)
      {
        if (!get_object_node (loader, print, "print", &print_object))
          return FALSE;
        self->print_json = json_to_string (print, FALSE);
      }
  }

  return check_references (loader, deps) && check_cycles (loader, deps);
}

/* ------------------------------------------------------------------------ */
/* JSON syntax                                                              */

typedef struct
{
  GHashTable *counts;      /* JsonObject* → members seen */
  char       *duplicate;   /* the first key seen twice in one object */
  guint       line;
  guint       column;
} DuplicateCheck;

static void
on_object_member (JsonParser *parser,
                  JsonObject *object,
                  const char *name,
                  gpointer    user_data)
{
  DuplicateCheck *check = user_data;
  guint seen = GPOINTER_TO_UINT (g_hash_table_lookup (check->counts, object)) + 1;

  /* json-glib keeps the last of two equal keys without a word; the object
   * then holds fewer members than were parsed into it. */
  g_hash_table_insert (check->counts, object, GUINT_TO_POINTER (seen));
  if (check->duplicate == NULL && seen != json_object_get_size (object))
    {
      check->duplicate = g_utf8_make_valid (name, -1);
      check->line = json_parser_get_current_line (parser);
      check->column = json_parser_get_current_pos (parser);
    }
}

static gboolean
too_large (const char  *name,
           GError     **error)
{
  g_set_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID,
               _("%s: the file is too large to be a template"), name);
  return FALSE;
}

static JsonNode *
parse_json (const char  *data,
            gsize        length,
            const char  *filename,
            GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  DuplicateCheck check = { NULL, NULL, 0, 0 };
  const char *end = NULL;
  JsonNode *root;
  guint line, column;
  gssize nul;

  if (length > MAX_FILE_SIZE)
    {
      too_large (filename, error);
      return NULL;
    }

  if (!g_utf8_validate_len (data, length, &end))
    {
      _bc_text_position (data, end - data, &line, &column);
      g_set_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID,
                   _("%s:%u:%u: the file is not UTF-8 text; save it with the UTF-8 encoding"),
                   filename, line, column);
      return NULL;
    }

  nul = _bc_json_find_nul_escape (data, length);
  if (nul >= 0)
    {
      _bc_text_position (data, nul, &line, &column);
      g_set_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID,
                   _("%s:%u:%u: \\u0000 (a NUL character) cannot appear in a template; remove it"),
                   filename, line, column);
      return NULL;
    }

  if (!_bc_json_check_depth (data, length, BC_JSON_MAX_DEPTH, &line, &column))
    {
      g_set_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID,
                   _("%s:%u:%u: arrays and objects are nested more than %d deep"),
                   filename, line, column, BC_JSON_MAX_DEPTH);
      return NULL;
    }

  parser = json_parser_new ();
  check.counts = g_hash_table_new (NULL, NULL);
  g_signal_connect (parser, "object-member", G_CALLBACK (on_object_member), &check);
  json_parser_load_from_data (parser, data, length, &local_error);
  g_clear_pointer (&check.counts, g_hash_table_unref);

  if (local_error != NULL)
    {
      /* json-glib may cut a quoted string in the middle of a character. */
      g_autofree char *valid = g_utf8_make_valid (local_error->message, -1);
      const char *message = valid;

      g_free (check.duplicate);
      /* json-glib says "<data>:LINE:COL: …"; name the file instead. */
      if (g_str_has_prefix (message, "<data>:"))
        g_set_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID,
                     "%s:%s", filename, message + strlen ("<data>:"));
      else
        g_set_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID,
                     "%s: %s", filename, message);
      return NULL;
    }

  if (check.duplicate != NULL)
    {
      g_set_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID,
                   _("%s:%u:%u: the key “%s” appears twice in the same object"),
                   filename, check.line, check.column, check.duplicate);
      g_free (check.duplicate);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID,
                   _("%s: the file is empty"), filename);
      return NULL;
    }

  return json_node_copy (root);
}

/* json-glib turns an unpaired "\ud800" escape into bytes that are not
 * UTF-8, so every string and key is checked once, before anything uses it. */
static gboolean
check_strings (Loader     *loader,
               JsonNode   *node,
               const char *path)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);

      for (const GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *where = NULL;

          if (!g_utf8_validate (l->data, -1, NULL))
            return fail (loader, path, _("a key holds a \\u escape that is not a character"));

          where = child_path (path, l->data);
          if (!check_strings (loader, json_object_get_member (object, l->data), where))
            return FALSE;
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *where = g_strdup_printf ("%s[%u]", path, i);

          if (!check_strings (loader, json_array_get_element (array, i), where))
            return FALSE;
        }
    }
  else if (node_is_string (node) && !g_utf8_validate (json_node_get_string (node), -1, NULL))
    {
      return fail (loader, path, _("the string holds a \\u escape that is not a character"));
    }

  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Public API                                                               */

BcTemplate *
bc_template_new_from_data (const char  *data,
                           gssize       length,
                           const char  *filename,
                           GError     **error)
{
  g_autoptr(BcTemplate) self = NULL;
  g_autoptr(JsonNode) root = NULL;
  Loader loader;
  gboolean ok;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (filename == NULL)
    filename = "<template>";
  if (length < 0)
    length = strlen (data);

  root = parse_json (data != NULL ? data : "", length, filename, error);
  if (root == NULL)
    return NULL;

  self = g_object_new (BC_TYPE_TEMPLATE, NULL);
  self->filename = g_strdup (filename);

  loader_init (&loader, self, filename, error);
  ok = check_strings (&loader, root, "") && parse_template (&loader, root);
  loader_clear (&loader);

  if (!ok)
    return NULL;

  return g_steal_pointer (&self);
}

/* Reads at most MAX_FILE_SIZE bytes: the size is asked first so that a huge
 * file is refused without reading it, and the read stops there anyway in
 * case the file grows meanwhile or is not a regular file. */
static GBytes *
read_template_file (GFile       *file,
                    const char  *name,
                    GError     **error)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GByteArray) contents = NULL;
  guint8 chunk[65536];

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE, NULL, error);
  if (info == NULL)
    return NULL;
  if (g_file_info_get_size (info) > MAX_FILE_SIZE)
    {
      too_large (name, error);
      return NULL;
    }

  stream = g_file_read (file, NULL, error);
  if (stream == NULL)
    return NULL;

  contents = g_byte_array_sized_new ((guint)MAX (g_file_info_get_size (info), 0));
  for (;;)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (stream), chunk, sizeof chunk, NULL, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      if (contents->len + (gsize)n > MAX_FILE_SIZE)
        {
          too_large (name, error);
          return NULL;
        }
      g_byte_array_append (contents, chunk, (guint)n);
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&contents));
}

JsonNode *
_bc_json_parse_file_data (const char  *data,
                          gsize        length,
                          const char  *filename,
                          GError     **error)
{
  return parse_json (data != NULL ? data : "", length, filename, error);
}

GBytes *
_bc_json_read_file (GFile       *file,
                    const char  *name,
                    GError     **error)
{
  return read_template_file (file, name, error);
}

gboolean
_bc_json_check_strings (JsonNode    *root,
                        const char  *filename,
                        GError     **error)
{
  Loader loader;
  gboolean ok;

  loader_init (&loader, NULL, filename, error);
  ok = check_strings (&loader, root, "");
  loader_clear (&loader);

  return ok;
}

char *
_bc_normalize_issuer (const char *unit)
{
  return normalize_issuer (unit);
}

BcTemplate *
bc_template_new_from_file (GFile   *file,
                           GError **error)
{
  g_autoptr(GBytes) contents = NULL;
  g_autofree char *name = NULL;
  gsize length;
  const char *data;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  name = g_file_get_parse_name (file);
  contents = read_template_file (file, name, error);
  if (contents == NULL)
    return NULL;

  data = g_bytes_get_data (contents, &length);
  return bc_template_new_from_data (length > 0 ? data : "", length, name, error);
}

const char *
bc_text_get (const BcText *text,
             const char   *lang)
{
  g_return_val_if_fail (text != NULL, NULL);

  if (lang == NULL)
    lang = bc_i18n_language ();

  if (g_str_equal (lang, "en") && text->en != NULL && *text->en != '\0')
    return text->en;
  if (text->vi != NULL)
    return text->vi;
  return "";
}

const char *
bc_template_get_id (BcTemplate *self)
{
  g_return_val_if_fail (BC_IS_TEMPLATE (self), NULL);

  return self->id;
}

int
bc_template_get_version (BcTemplate *self)
{
  g_return_val_if_fail (BC_IS_TEMPLATE (self), 0);

  return self->version;
}

const BcText *
bc_template_get_title (BcTemplate *self)
{
  g_return_val_if_fail (BC_IS_TEMPLATE (self), NULL);

  return &self->title;
}

const BcText *
bc_template_get_description (BcTemplate *self)
{
  g_return_val_if_fail (BC_IS_TEMPLATE (self), NULL);

  return &self->description;
}

BcPeriodType
bc_template_get_period_type (BcTemplate *self)
{
  g_return_val_if_fail (BC_IS_TEMPLATE (self), BC_PERIOD_QUARTER);

  return self->period_type;
}

const char *
bc_template_get_filename (BcTemplate *self)
{
  g_return_val_if_fail (BC_IS_TEMPLATE (self), NULL);

  return self->filename;
}

GPtrArray *
bc_template_get_sections (BcTemplate *self)
{
  g_return_val_if_fail (BC_IS_TEMPLATE (self), NULL);

  return self->sections;
}

GPtrArray *
bc_template_get_rules (BcTemplate *self)
{
  g_return_val_if_fail (BC_IS_TEMPLATE (self), NULL);

  return self->rules;
}

GPtrArray *
bc_template_get_fields (BcTemplate *self)
{
  g_return_val_if_fail (BC_IS_TEMPLATE (self), NULL);

  return self->fields;
}

const BcField *
bc_template_lookup_field (BcTemplate *self,
                          const char *name)
{
  const BcField *field;
  const char *dot;

  g_return_val_if_fail (BC_IS_TEMPLATE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  field = g_hash_table_lookup (self->field_index, name);
  if (field != NULL)
    return field;

  dot = strchr (name, '.');
  if (dot != NULL)
    {
      g_autofree char *first = g_strndup (name, dot - name);
      const char *rest = dot + 1;
      const BcSection *section = g_hash_table_lookup (self->section_index, first);

      if (section != NULL)
        {
          field = g_hash_table_lookup (self->field_index, rest);
          if (field != NULL && field->section == section)
            return field;
          return NULL;
        }

      field = g_hash_table_lookup (self->field_index, first);
      if (field != NULL && field->type == BC_FIELD_TABLE)
        return find_column (field, rest);
    }

  return NULL;
}

const BcRule *
bc_template_lookup_rule (BcTemplate *self,
                         const char *rule_id)
{
  g_return_val_if_fail (BC_IS_TEMPLATE (self), NULL);
  g_return_val_if_fail (rule_id != NULL, NULL);

  return g_hash_table_lookup (self->rule_index, rule_id);
}

const BcMigration *
bc_template_get_migration (BcTemplate *self,
                           int         from_version)
{
  g_return_val_if_fail (BC_IS_TEMPLATE (self), NULL);

  for (guint i = 0; i < self->migrations->len; i++)
    {
      const BcMigration *migration = g_ptr_array_index (self->migrations, i);

      if (migration->from_version == from_version)
        return migration;
    }

  return NULL;
}

const char *
bc_template_get_print_json (BcTemplate *self)
{
  g_return_val_if_fail (BC_IS_TEMPLATE (self), NULL);

  return self->print_json;
}

char *
bc_field_dup_key (const BcField *field)
{
  g_return_val_if_fail (field != NULL, NULL);

  if (field->table != NULL)
    return g_strdup_printf ("%s.%s", field->table->id, field->id);

  return g_strdup (field->id);
}
