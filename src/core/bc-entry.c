/* bc-entry.c: data entry by path, and reports as JSON.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-entry"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "bc-entry.h"
#include "bc-wire.h"
#include "bc-i18n.h"
#include "bc-template-private.h"
#include "bc-workbook-private.h"

BcTemplate *
bc_workbook_get_report_template (BcWorkbook  *self,
                                 BcReport    *report,
                                 GError     **error)
{
  BcTemplateRegistry *templates;

  g_return_val_if_fail (BC_IS_WORKBOOK (self), NULL);
  g_return_val_if_fail (BC_IS_REPORT (report), NULL);

  templates = bc_workbook_get_templates (self);
  if (templates == NULL)
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE,
                   _("No form templates are loaded."));
      return NULL;
    }

  return bc_template_registry_lookup (templates,
                                      bc_report_get_template_id (report),
                                      bc_report_get_template_version (report),
                                      error);
}

char *
bc_workbook_resolve_report_id (BcWorkbook  *self,
                               const char  *id_or_prefix,
                               GError     **error)
{
  g_autoptr(GPtrArray) reports = NULL;
  g_autofree char *prefix = NULL;
  const char *found = NULL;
  guint n_found = 0;

  g_return_val_if_fail (BC_IS_WORKBOOK (self), NULL);
  g_return_val_if_fail (id_or_prefix != NULL, NULL);

  reports = bc_workbook_list_reports (self, error);
  if (reports == NULL)
    return NULL;

  prefix = g_ascii_strdown (id_or_prefix, -1);

  for (guint i = 0; i < reports->len; i++)
    {
      const BcReportSummary *summary = g_ptr_array_index (reports, i);

      if (g_str_equal (summary->id, prefix))
        return g_strdup (summary->id);

      if (strlen (prefix) >= 4 && g_str_has_prefix (summary->id, prefix))
        {
          found = summary->id;
          n_found++;
        }
    }

  if (n_found == 1)
    return g_strdup (found);

  if (n_found > 1)
    g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND,
                 _("More than one report starts with “%s”. Give more of the report's id."),
                 id_or_prefix);
  else
    g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_NOT_FOUND,
                 _("There is no report “%s” in this workbook. Check its id in the list of reports."),
                 id_or_prefix);

  return NULL;
}

gboolean
bc_workbook_enter_value (BcWorkbook  *self,
                         const char  *report_id,
                         const char  *path,
                         const char  *input,
                         GError     **error)
{
  g_autoptr(BcReport) report = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *key = NULL;
  const BcField *field = NULL;
  BcTemplate *template_;
  gint64 row_id = 0;

  g_return_val_if_fail (BC_IS_WORKBOOK (self), FALSE);
  g_return_val_if_fail (report_id != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  report = bc_workbook_load_report (self, report_id, error);
  if (report == NULL)
    return FALSE;

  template_ = bc_workbook_get_report_template (self, report, error);
  if (template_ == NULL)
    return FALSE;

  if (!bc_report_resolve_path (template_, report, path, &field, &row_id, NULL, error))
    return FALSE;

  if (field->type == BC_FIELD_TABLE)
    {
      g_set_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_VALUE,
                   _("“%s” is a table: add rows to it and set their cells, as in %s[1].%s."),
                   field->id, field->id,
                   field->columns->len > 0 ? ((BcField *) g_ptr_array_index (field->columns, 0))->id : "");
      return FALSE;
    }

  if (!bc_field_parse_value (field, input != NULL ? input : "", &canonical, error))
    return FALSE;

  key = bc_field_dup_key (field);

  return bc_workbook_set_value (self, report_id, key, row_id, canonical, error);
}

static char *
format_time (gint64 usec)
{
  g_autoptr(GDateTime) time = NULL;

  if (usec <= 0)
    return NULL;

  time = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  if (time == NULL)
    return NULL;

  return g_date_time_format_iso8601 (time);
}

static void
add_string_member (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_time_member (JsonBuilder *builder,
                 const char  *name,
                 gint64       usec)
{
  g_autofree char *text = format_time (usec);

  add_string_member (builder, name, text);
}

char *
bc_field_value_to_canonical (const BcField *field,
                             const BcValue *value)
{
  g_return_val_if_fail (field != NULL, NULL);
  g_return_val_if_fail (value != NULL, NULL);

  switch (value->kind)
    {
    case BC_VALUE_BLANK:
      return NULL;
    case BC_VALUE_BOOLEAN:
      if (field->type == BC_FIELD_YES_NO)
        return g_strdup (value->boolean ? "yes" : "no");
      return bc_value_to_string (value);
    case BC_VALUE_NUMBER:
      if (field->type == BC_FIELD_INTEGER)
        {
          BcValue rounded = *value;

          /* A computed whole number is shown as one, however it was computed. */
          rounded.number = value->number < 0 ? -(double) (gint64) (-value->number + 0.5)
                                             : (double) (gint64) (value->number + 0.5);
          return bc_value_to_string (&rounded);
        }
      else if (field->type == BC_FIELD_DECIMAL || field->type == BC_FIELD_PERCENTAGE)
        {
          char buffer[G_ASCII_DTOSTR_BUF_SIZE];
          BcValue rounded = *value;

          /* Ten significant digits: no 33.299999999999997 for people to read. */
          rounded.number = g_ascii_strtod (g_ascii_formatd (buffer, sizeof buffer, "%.10g", value->number), NULL);
          return bc_value_to_string (&rounded);
        }
      return bc_value_to_string (value);
    case BC_VALUE_TEXT:
    case BC_VALUE_DATE:
    default:
      return bc_value_to_string (value);
    }
}

static void
add_value_member (JsonBuilder   *builder,
                  const char    *name,
                  const BcField *field,
                  const BcValue *value)
{
  g_autofree char *text = bc_field_value_to_canonical (field, value);

  add_string_member (builder, name, text);
}

JsonNode *
bc_issues_to_json (GPtrArray *issues)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (issues != NULL, NULL);

  json_builder_begin_array (builder);
  for (guint i = 0; i < issues->len; i++)
    {
      const BcIssue *issue = g_ptr_array_index (issues, i);

      json_builder_begin_object (builder);
      add_string_member (builder, "severity", bc_severity_to_string (issue->severity));
      add_string_member (builder, "rule", issue->rule_id);
      add_string_member (builder, "path", issue->path);
      add_string_member (builder, "message", issue->message);
      add_string_member (builder, "justification", issue->justification);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  return json_builder_get_root (builder);
}

JsonNode *
bc_report_to_json (BcTemplate *template_,
                   BcReport   *report,
                   BcReport   *previous,
                   gboolean    with_issues,
                   const char *lang)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *period_label = NULL;
  g_autoptr(JsonNode) content_node = NULL;
  JsonObject *content;
  GPtrArray *fields;
  BcPeriod period;

  g_return_val_if_fail (BC_IS_TEMPLATE (template_), NULL);
  g_return_val_if_fail (BC_IS_REPORT (report), NULL);

  content_node = bc_wire_report_content (template_, report);
  content = json_node_get_object (content_node);

  if (lang == NULL)
    lang = bc_i18n_language ();

  if (bc_period_parse (bc_report_get_period_id (report), &period, NULL))
    period_label = bc_period_label (&period, lang);

  fields = bc_template_get_fields (template_);

  json_builder_begin_object (builder);
  add_string_member (builder, "id", bc_report_get_id (report));
  add_string_member (builder, "template", bc_report_get_template_id (report));
  json_builder_set_member_name (builder, "template_version");
  json_builder_add_int_value (builder, bc_report_get_template_version (report));
  add_string_member (builder, "title", bc_text_get (bc_template_get_title (template_), lang));
  add_string_member (builder, "period", bc_report_get_period_id (report));
  add_string_member (builder, "period_label", period_label);
  add_string_member (builder, "unit", bc_report_get_unit (report));
  add_string_member (builder, "status", bc_status_to_string (bc_report_get_status (report)));
  add_string_member (builder, "status_label", bc_status_label (bc_report_get_status (report)));
  json_builder_set_member_name (builder, "revision");
  json_builder_add_int_value (builder, bc_report_get_revision (report));
  add_time_member (builder, "created_at", bc_report_get_created_at (report));
  add_time_member (builder, "updated_at", bc_report_get_updated_at (report));
  add_time_member (builder, "submitted_at", bc_report_get_submitted_at (report));
  add_string_member (builder, "review_comment", bc_report_get_review_comment (report));

  /* The stored content exactly as sync sends it (bc-wire): one place
   * decides what a report's values, rows and justifications are. */
  json_builder_set_member_name (builder, "values");
  json_builder_add_value (builder, json_object_dup_member (content, "values"));
  json_builder_set_member_name (builder, "tables");
  json_builder_add_value (builder, json_object_dup_member (content, "tables"));

  json_builder_set_member_name (builder, "computed");
  json_builder_begin_object (builder);
  for (guint i = 0; i < fields->len; i++)
    {
      const BcField *field = g_ptr_array_index (fields, i);
      g_auto(BcValue) value = BC_VALUE_INIT;

      if (field->type == BC_FIELD_TABLE || field->compute == NULL)
        continue;

      if (bc_report_field_value (template_, report, previous, field, 0, &value, NULL))
        add_value_member (builder, field->id, field, &value);
    }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "summaries");
  json_builder_begin_object (builder);
  for (guint i = 0; i < fields->len; i++)
    {
      const BcField *field = g_ptr_array_index (fields, i);
      g_autoptr(GPtrArray) groups = NULL;

      if (field->type != BC_FIELD_TABLE || field->group_summaries == NULL)
        continue;

      groups = bc_report_group_summaries (template_, report, previous, field, NULL);
      if (groups == NULL)
        continue;

      json_builder_set_member_name (builder, field->id);
      json_builder_begin_array (builder);
      for (guint g = 0; g < groups->len; g++)
        {
          const BcGroupSummary *summary = g_ptr_array_index (groups, g);

          json_builder_begin_object (builder);
          add_string_member (builder, "group", summary->group);
          json_builder_set_member_name (builder, "rows");
          json_builder_add_int_value (builder, summary->n_rows);
          for (guint v = 0; v < summary->n_values; v++)
            {
              const BcField *column = g_ptr_array_index (field->group_summaries, v);

              add_value_member (builder, column->id, column, &summary->values[v]);
            }
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "justifications");
  json_builder_add_value (builder, json_object_dup_member (content, "justifications"));

  if (with_issues)
    {
      g_autoptr(GPtrArray) issues = bc_validate_report (template_, report, previous, lang);

      json_builder_set_member_name (builder, "issues");
      json_builder_add_value (builder, bc_issues_to_json (issues));
    }

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static gboolean
invalid_document (GError     **error,
                  const char  *where,
                  const char  *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               /* TRANSLATORS: an import file is wrong; first %s is where (e.g. reports[0].values), second what */
               _("The import file is not valid at %s: %s"), where, what);
  return FALSE;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* Reads an integer member; FALSE when it is there but not a whole number. */
static gboolean
member_int (JsonObject *object,
            const char *name,
            gint64      min,
            gint64      max,
            gint64     *out)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) < min || json_node_get_int (node) > max)
    return FALSE;

  *out = json_node_get_int (node);
  return TRUE;
}

static gboolean
enter_canonical (BcWorkbook     *self,
                 BcTemplate     *template_,
                 const char     *report_id,
                 const BcField  *field,
                 gint64          row_id,
                 JsonNode       *node,
                 const char     *where,
                 GError        **error)
{
  g_autofree char *canonical = NULL;
  g_autofree char *key = NULL;
  g_autofree char *input = NULL;
  g_autoptr(GError) local_error = NULL;

  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    input = g_strdup (json_node_get_string (node));
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    input = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      input = g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (node)));
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    input = g_strdup (json_node_get_boolean (node) ? "yes" : "no");
  else if (JSON_NODE_HOLDS_OBJECT (node) && field->type == BC_FIELD_DOCUMENT_REF)
    input = json_to_string (node, FALSE);
  else
    return invalid_document (error, where, _("a value must be a string, a number or a document reference"));

  if (field->compute != NULL)
    return TRUE;  /* computed values in an export are recomputed, never stored */

  if (!bc_field_parse_stored_lang (field, input, NULL, &canonical, &local_error))
    return invalid_document (error, where, local_error->message);

  key = bc_field_dup_key (field);

  return bc_workbook_set_value (self, report_id, key, row_id, canonical, error);
}

static gboolean
import_values (BcWorkbook  *self,
               BcTemplate  *template_,
               const char  *report_id,
               JsonObject  *report_object,
               const char  *where,
               GError     **error)
{
  JsonNode *values_node = json_object_get_member (report_object, "values");
  JsonNode *tables_node = json_object_get_member (report_object, "tables");

  if (values_node != NULL && !JSON_NODE_HOLDS_NULL (values_node))
    {
      g_autoptr(GList) names = NULL;
      JsonObject *values;

      if (!JSON_NODE_HOLDS_OBJECT (values_node))
        return invalid_document (error, where, _("“values” must be an object"));

      values = json_node_get_object (values_node);
      names = json_object_get_members (values);
      for (const GList *l = names; l != NULL; l = l->next)
        {
          const char *path = l->data;
          const BcField *field = bc_template_lookup_field (template_, path);
          g_autofree char *here = g_strdup_printf ("%s.values.%s", where, path);

          if (field == NULL || field->table != NULL || field->type == BC_FIELD_TABLE)
            return invalid_document (error, here, _("the form has no such field"));

          if (!enter_canonical (self, template_, report_id, field, 0,
                                json_object_get_member (values, path), here, error))
            return FALSE;
        }
    }

  if (tables_node != NULL && !JSON_NODE_HOLDS_NULL (tables_node))
    {
      g_autoptr(GList) names = NULL;
      JsonObject *tables;

      if (!JSON_NODE_HOLDS_OBJECT (tables_node))
        return invalid_document (error, where, _("“tables” must be an object"));

      tables = json_node_get_object (tables_node);
      names = json_object_get_members (tables);
      for (const GList *l = names; l != NULL; l = l->next)
        {
          const char *table_id = l->data;
          const BcField *table = bc_template_lookup_field (template_, table_id);
          JsonNode *rows_node = json_object_get_member (tables, table_id);
          JsonArray *rows;

          if (table == NULL || table->type != BC_FIELD_TABLE)
            {
              g_autofree char *here = g_strdup_printf ("%s.tables.%s", where, table_id);

              return invalid_document (error, here, _("the form has no such table"));
            }

          if (!JSON_NODE_HOLDS_ARRAY (rows_node))
            {
              g_autofree char *here = g_strdup_printf ("%s.tables.%s", where, table_id);

              return invalid_document (error, here, _("a table must be a list of rows"));
            }

          rows = json_node_get_array (rows_node);
          for (guint r = 0; r < json_array_get_length (rows); r++)
            {
              JsonNode *row_node = json_array_get_element (rows, r);
              g_autofree char *row_where = g_strdup_printf ("%s.tables.%s[%u]", where, table_id, r);
              g_autoptr(GList) columns = NULL;
              JsonObject *row;
              gint64 row_id;

              if (!JSON_NODE_HOLDS_OBJECT (row_node))
                return invalid_document (error, row_where, _("a row must be an object"));

              row_id = bc_workbook_add_row (self, report_id, table_id, error);
              if (row_id == 0)
                return FALSE;

              row = json_node_get_object (row_node);
              columns = json_object_get_members (row);
              for (const GList *c = columns; c != NULL; c = c->next)
                {
                  const char *column_id = c->data;
                  g_autofree char *key = g_strconcat (table_id, ".", column_id, NULL);
                  g_autofree char *here = g_strdup_printf ("%s.%s", row_where, column_id);
                  const BcField *column;

                  if (g_str_equal (column_id, "row_id"))
                    continue;

                  column = bc_template_lookup_field (template_, key);
                  if (column == NULL)
                    return invalid_document (error, here, _("the table has no such column"));

                  if (!enter_canonical (self, template_, report_id, column, row_id,
                                        json_object_get_member (row, column_id), here, error))
                    return FALSE;
                }
            }
        }
    }

  return TRUE;
}

static gboolean
import_justifications (BcWorkbook  *self,
                       BcTemplate  *template_,
                       const char  *report_id,
                       JsonObject  *report_object,
                       const char  *where,
                       GError     **error)
{
  JsonNode *node = json_object_get_member (report_object, "justifications");
  g_autoptr(BcReport) report = NULL;
  g_autoptr(GList) names = NULL;
  JsonObject *justifications;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid_document (error, where, _("“justifications” must be an object"));

  report = bc_workbook_load_report (self, report_id, error);
  if (report == NULL)
    return FALSE;

  justifications = json_node_get_object (node);
  names = json_object_get_members (justifications);
  for (const GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      g_autofree char *here = g_strdup_printf ("%s.justifications.%s", where, name);
      g_auto(GStrv) parts = g_strsplit (name, "@", 2);
      const char *text = member_string (justifications, name);
      const BcRule *rule = bc_template_lookup_rule (template_, parts[0]);
      gint64 row_id = 0;

      if (rule == NULL)
        return invalid_document (error, here, _("the form has no such rule"));

      if (text == NULL)
        return invalid_document (error, here, _("a justification must be a text"));

      if (rule->table != NULL)
        {
          if (parts[1] == NULL)
            return invalid_document (error, here,
                                     _("a per-row rule needs its row, as in rule@2"));

          row_id = bc_report_row_at (report, rule->table, parts[1], NULL, NULL);
          if (row_id == 0)
            return invalid_document (error, here,
                                     _("a per-row rule needs its row, as in rule@2"));
        }

      if (!bc_workbook_set_justification (self, report_id, rule->id, row_id, text, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
import_status (BcWorkbook  *self,
               const char  *report_id,
               BcStatus     target,
               const char  *comment,
               GError     **error)
{
  static const BcStatus to_sent[] = { BC_STATUS_READY, BC_STATUS_QUEUED, BC_STATUS_SENT };
  guint n_steps;

  /* Walk the status machine as a person would, so an imported report in a
   * later state has passed the same checks. */
  switch (target)
    {
    case BC_STATUS_DRAFT:
      return TRUE;
    case BC_STATUS_READY:
      n_steps = 1;
      break;
    case BC_STATUS_QUEUED:
      n_steps = 2;
      break;
    case BC_STATUS_SENT:
    case BC_STATUS_ACCEPTED:
    case BC_STATUS_RETURNED:
    default:
      n_steps = 3;
      break;
    }

  for (guint i = 0; i < n_steps; i++)
    {
      if (!bc_workbook_set_status (self, report_id, to_sent[i], NULL, error))
        return FALSE;
    }

  if (target == BC_STATUS_ACCEPTED || target == BC_STATUS_RETURNED)
    return bc_workbook_set_status (self, report_id, target, comment, error);

  return TRUE;
}

static gboolean
import_report (BcWorkbook  *self,
               JsonNode    *node,
               const char  *where,
               GError     **error)
{
  BcTemplateRegistry *templates = bc_workbook_get_templates (self);
  g_autofree char *id = NULL;
  JsonObject *object;
  const char *template_id;
  const char *period;
  const char *unit;
  const char *status_name;
  BcTemplate *template_;
  BcStatus status = BC_STATUS_DRAFT;
  gint64 version = 0;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid_document (error, where, _("a report must be an object"));

  object = json_node_get_object (node);
  template_id = member_string (object, "template");
  period = member_string (object, "period");
  unit = member_string (object, "unit");
  status_name = member_string (object, "status");

  if (template_id == NULL || period == NULL || unit == NULL)
    return invalid_document (error, where, _("a report needs “template”, “period” and “unit”"));

  if (status_name != NULL && !bc_status_from_string (status_name, &status))
    return invalid_document (error, where, _("unknown “status”"));

  /* Only the provincial server can say that a report was sent, accepted or
   * returned; a user's workbook takes imports as drafts or ready reports.
   * Demo workbooks hold such reports so that trainers can show them. */
  if (status > BC_STATUS_READY && bc_workbook_get_kind (self) != BC_WORKBOOK_KIND_DEMO)
    return invalid_document (error, where,
                             _("only a demo workbook can hold reports imported as queued, sent, accepted or returned; import it as “draft” or “ready”"));

  if (!member_int (object, "template_version", 1, G_MAXINT, &version))
    return invalid_document (error, where, _("“template_version” must be a whole number from 1"));

  if (templates == NULL)
    {
      g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE,
                   _("No form templates are loaded."));
      return FALSE;
    }

  template_ = version > 0
    ? bc_template_registry_lookup (templates, template_id, (int) version, error)
    : bc_template_registry_lookup_latest (templates, template_id, error);
  if (template_ == NULL)
    return FALSE;

  /* An imported report carries its own rows: nothing is carried forward
   * into it, and it stays on the template version it was written on. */
  id = member_string (object, "id") != NULL
    ? g_ascii_strdown (member_string (object, "id"), -1)
    : g_uuid_string_random ();
  if (!bc_workbook_import_report (self, id, template_id, bc_template_get_version (template_),
                                  period, unit, error))
    return FALSE;

  /* A failure leaves nothing behind: the whole document is one transaction
   * (import_document), rolled back on the first error. */
  if (!import_values (self, template_, id, object, where, error) ||
      !import_justifications (self, template_, id, object, where, error) ||
      !import_status (self, id, status, member_string (object, "review_comment"), error))
    return FALSE;

  /* A report submitted long ago keeps its date, so that it is not shown as
   * submitted late on the day of the import. */
  if (status >= BC_STATUS_QUEUED && member_string (object, "submitted_at") != NULL)
    {
      g_autoptr(GDateTime) submitted = g_date_time_new_from_iso8601 (member_string (object, "submitted_at"), NULL);

      if (submitted == NULL)
        return invalid_document (error, where, _("“submitted_at” must be a date and time such as 2018-03-16T09:00:00+07:00"));

      if (!_bc_workbook_set_submitted_at (self, id, g_date_time_to_unix (submitted) * G_USEC_PER_SEC, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
import_document (BcWorkbook  *self,
                 JsonNode    *root,
                 guint       *n_imported,
                 GError     **error)
{
  JsonObject *object;
  JsonArray *reports;
  gint64 format = 0;

  *n_imported = 0;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return invalid_document (error, "$", _("the document must be an object"));

  object = json_node_get_object (root);
  if (!member_int (object, "format", 0, G_MAXINT, &format) || format != 1)
    return invalid_document (error, "format", _("only format 1 is known"));

  if (!json_object_has_member (object, "reports") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "reports")))
    return invalid_document (error, "reports", _("a list of reports is needed"));

  /* All of the document or nothing: one transaction, so that a failing
   * report, a full disk or a killed process leaves no report of it behind
   * (not even half of one), and importing the file again works. */
  if (!_bc_workbook_begin_batch (self, error))
    return FALSE;

  reports = json_object_get_array_member (object, "reports");
  for (guint i = 0; i < json_array_get_length (reports); i++)
    {
      g_autofree char *where = g_strdup_printf ("reports[%u]", i);

      if (!import_report (self, json_array_get_element (reports, i), where, error))
        {
          _bc_workbook_end_batch (self, FALSE, NULL);
          return FALSE;
        }
    }

  if (!_bc_workbook_end_batch (self, TRUE, error))
    return FALSE;

  *n_imported = json_array_get_length (reports);
  return TRUE;
}

guint
bc_workbook_import_json (BcWorkbook  *self,
                         JsonNode    *root,
                         GError     **error)
{
  guint n_imported = 0;

  g_return_val_if_fail (BC_IS_WORKBOOK (self), 0);
  g_return_val_if_fail (root != NULL, 0);

  if (!import_document (self, root, &n_imported, error))
    return 0;

  return n_imported;
}

/* Counts the members json-glib has read into each object: a member whose
 * name the object already had leaves the count above the object's size. */
typedef struct {
  GHashTable *members;  /* JsonObject * → members read, as a pointer */
  char       *name;     /* the first duplicate's name, or NULL */
  guint       line;
} DuplicateMember;

static void
on_object_member (JsonParser *parser,
                  JsonObject *object,
                  const char *name,
                  gpointer    user_data)
{
  DuplicateMember *dup = user_data;
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (dup->members, object)) + 1;

  g_hash_table_insert (dup->members, object, GUINT_TO_POINTER (n));
  if (dup->name == NULL && n > json_object_get_size (object))
    {
      dup->name = g_strdup (name);
      dup->line = json_parser_get_current_line (parser);
    }
}

static gboolean
text_is_blank (const char *text)
{
  for (; *text != '\0'; text++)
    {
      if (!g_ascii_isspace (*text))
        return FALSE;
    }
  return TRUE;
}

gboolean
bc_workbook_import_file (BcWorkbook  *self,
                         const char  *path,
                         guint       *n_imported,
                         GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInfo) info = NULL;
  g_autofree char *contents = NULL;
  DuplicateMember dup = { NULL, NULL, 0 };
  gsize length = 0;
  guint line = 0, column = 0;
  gboolean loaded;
  gssize nul;
  guint n;

  g_return_val_if_fail (BC_IS_WORKBOOK (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (n_imported != NULL)
    *n_imported = 0;

  /* Refuse a file far larger than any report before reading it: parsed,
   * its text takes three times its size in memory. */
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                            NULL, NULL);
  if (info != NULL && g_file_info_get_size (info) > BC_IMPORT_MAX_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s: the file is larger than %d MB, more than any import file of reports. "
                     "Check that it is the right file, or split it into smaller files."),
                   path, BC_IMPORT_MAX_BYTES / (1024 * 1024));
      return FALSE;
    }

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", local_error->message);
      return FALSE;
    }

  if (!g_utf8_validate_len (contents, length, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s: the file is not UTF-8 text. Save it as UTF-8 and import it again."), path);
      return FALSE;
    }

  /* json-glib recurses without bound: measure before parsing. */
  if (!_bc_json_check_depth (contents, length, BC_JSON_MAX_DEPTH, &line, &column))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s:%u:%u: the file nests more than %d levels deep; it is not a Baocao import file."),
                   path, line, column, BC_JSON_MAX_DEPTH);
      return FALSE;
    }

  /* json-glib hands strings out as C strings: a NUL inside one would cut
   * the value (or the unit, template or period) short without a word. */
  nul = _bc_json_find_nul_escape (contents, length);
  if (nul >= 0)
    {
      _bc_text_position (contents, nul, &line, &column);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s:%u:%u: the text holds a NUL character (\\u0000), which no report "
                     "value may hold. Remove it and import the file again."),
                   path, line, column);
      return FALSE;
    }

  if (length == 0 || text_is_blank (contents))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s: the file is empty. Choose a file exported by Baocao."), path);
      return FALSE;
    }

  /* json-glib keeps the last of two members with one name: a document that
   * says two things about one field is refused instead. */
  dup.members = g_hash_table_new (NULL, NULL);
  g_signal_connect (parser, "object-member", G_CALLBACK (on_object_member), &dup);
  loaded = json_parser_load_from_data (parser, contents, length, &local_error);
  g_clear_pointer (&dup.members, g_hash_table_unref);
  if (!loaded)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", path, local_error->message);
      g_free (dup.name);
      return FALSE;
    }
  if (dup.name != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s:%u: the member “%s” appears twice in one object. Keep only one of "
                     "them and import the file again."),
                   path, dup.line, dup.name);
      g_free (dup.name);
      return FALSE;
    }

  if (!import_document (self, json_parser_get_root (parser), &n, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code, "%s: %s", path, local_error->message);
      return FALSE;
    }

  if (n_imported != NULL)
    *n_imported = n;

  return TRUE;
}
