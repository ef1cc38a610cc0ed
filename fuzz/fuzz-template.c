/* fuzz-template.c: libFuzzer entry point for the template and plan loaders and field values.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loads the input as a template file; when it loads, looks every field up by
 * its names and runs a set of awkward inputs through each field's value
 * parser, formatter and conversion. The same input is loaded as a plan
 * (*.plan.json, same folders): when it loads, its calendar and targets are
 * asked for a range of periods. Any crash, sanitizer report, critical
 * warning or broken invariant is a bug.
 */
#define G_LOG_DOMAIN "fuzz-template"

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "bc-plan.h"
#include "bc-template.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static const char * const inputs[] = {
  "", "  ", "0", "-3", "1.200", "1,200", "1 200", "12.5", "12,5", "1.234,5", "150", "25%",
  "100", "-0", "99999999999999999999", "abc", "yes", "Không", "CÓ", "21/6/2018",
  "2018-06-21", "31/2/2018", "done", "open", "a\nb", "a\r\nb", "140/BC-UBND | 21/06/2018 | Báo cáo",
  "{\"number\":\"1\",\"date\":\"2018-06-21\",\"title\":\"t\"}", "{\"number\":[[[[]]]]}", "{", "|||",
};

static void
check_field (BcTemplate    *template_,
             const BcField *field)
{
  g_autofree char *key = bc_field_dup_key (field);
  const BcField *found = bc_template_lookup_field (template_, key);

  g_assert (field->id != NULL && *field->id != '\0');
  g_assert (field->type <= BC_FIELD_TABLE);
  g_assert (bc_field_type_to_string (field->type) != NULL);
  g_assert (bc_text_get (&field->label, "vi") != NULL);
  g_assert (bc_text_get (&field->label, "en") != NULL);
  /* A column is found as "table.column"; a group summary by its id. */
  g_assert (found == field);
  g_assert (field->type != BC_FIELD_CHOICE || (field->choices != NULL && field->choices->len > 0));
  g_assert (!field->has_min || !field->has_max || field->min <= field->max);

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *canonical = NULL;
      g_autofree char *again = NULL;
      g_autofree char *vi = NULL;
      g_autofree char *en = NULL;
      g_auto(BcValue) value = BC_VALUE_INIT;

      if (!bc_field_parse_value (field, inputs[i], &canonical, &error))
        {
          g_assert (canonical == NULL);
          g_assert (error != NULL && error->domain == BC_TEMPLATE_ERROR &&
                    error->code == BC_TEMPLATE_ERROR_VALUE);
          g_assert (g_utf8_validate (error->message, -1, NULL));
          continue;
        }
      g_assert (error == NULL);
      if (canonical == NULL)
        continue;

      /* The stored form reads back as itself. */
      g_assert (g_utf8_validate (canonical, -1, NULL));
      g_assert (bc_field_parse_value (field, canonical, &again, &error));
      g_assert (g_strcmp0 (again, canonical) == 0);

      vi = bc_field_format_value (field, canonical, "vi");
      en = bc_field_format_value (field, canonical, "en");
      g_assert (vi != NULL && g_utf8_validate (vi, -1, NULL));
      g_assert (en != NULL && g_utf8_validate (en, -1, NULL));

      /* Every stored value of an entered field means something. */
      bc_field_stored_to_value (field, canonical, &value);
      g_assert (value.kind != BC_VALUE_BLANK);
    }
}

static void
check_template (BcTemplate *template_)
{
  GPtrArray *sections = bc_template_get_sections (template_);
  GPtrArray *fields = bc_template_get_fields (template_);
  GPtrArray *rules = bc_template_get_rules (template_);
  guint n_fields = 0;

  g_assert (bc_template_get_id (template_) != NULL);
  g_assert (bc_template_get_version (template_) >= 1);
  g_assert (sections->len > 0);

  for (guint s = 0; s < sections->len; s++)
    {
      const BcSection *section = g_ptr_array_index (sections, s);

      for (guint f = 0; f < section->fields->len; f++)
        {
          const BcField *field = g_ptr_array_index (section->fields, f);
          g_autofree char *path = g_strconcat (section->id, ".", field->id, NULL);

          g_assert (field == g_ptr_array_index (fields, n_fields++));
          g_assert (field->section == section);
          g_assert (bc_template_lookup_field (template_, path) == field);
          check_field (template_, field);

          if (field->type != BC_FIELD_TABLE)
            continue;
          for (guint c = 0; c < field->columns->len; c++)
            {
              const BcField *column = g_ptr_array_index (field->columns, c);

              g_assert (column->table == field);
              check_field (template_, column);
            }
          for (guint g = 0; field->group_summaries != NULL && g < field->group_summaries->len; g++)
            {
              const BcField *summary = g_ptr_array_index (field->group_summaries, g);

              g_assert (summary->compute != NULL);
              check_field (template_, summary);
            }
        }
    }
  g_assert (n_fields == fields->len);

  for (guint r = 0; r < rules->len; r++)
    {
      const BcRule *rule = g_ptr_array_index (rules, r);

      g_assert (bc_template_lookup_rule (template_, rule->id) == rule);
      g_assert (rule->check != NULL);
      g_assert (rule->fields != NULL && rule->fields[0] != NULL);
      g_assert (bc_severity_to_string (rule->severity) != NULL);
    }

  for (int v = 0; v < bc_template_get_version (template_) && v < 1000; v++)
    {
      const BcMigration *migration = bc_template_get_migration (template_, v);

      g_assert (migration == NULL || migration->from_version == v);
    }
}

static void
check_plan (const uint8_t *data,
            size_t         size)
{
  static const char * const periods[] = {
    "1900Q1", "2016Q2", "2019", "2019Q1", "2019Q2", "2020Q4", "2025", "2026Q1", "9999Q4",
    "2016-10-05", "not a period",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(BcPlan) plan = bc_plan_new_from_data ((const char *)data, (gssize)size, "fuzz.plan.json", &error);

  if (plan == NULL)
    {
      g_assert (error != NULL);
      g_assert (error->domain == BC_TEMPLATE_ERROR && error->code == BC_TEMPLATE_ERROR_INVALID);
      g_assert (g_str_has_prefix (error->message, "fuzz.plan.json"));
      g_assert (g_utf8_validate (error->message, -1, NULL));
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (periods); i++)
    {
      BcPeriod period;
      GDate start, end, due;

      (void) bc_plan_in_force (plan, periods[i], "QNG-SONTINH");
      (void) bc_plan_lookup_target (plan, "egov-quarterly", "docs_fully_electronic_pct", periods[i]);
      if (!bc_period_parse (periods[i], &period, NULL))
        continue;
      if (bc_plan_window (plan, &period, &start, &end))
        g_assert (g_date_valid (&start) && g_date_valid (&end));
      if (bc_plan_due_date (plan, &period, &due))
        g_assert (g_date_valid (&due));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static gboolean initialized = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplate) template_ = NULL;

  if (!initialized)
    {
      /* A critical warning (a failed precondition) is a bug too. */
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
      initialized = TRUE;
    }

  check_plan (data, size);

  template_ = bc_template_new_from_data ((const char *)data, (gssize)size, "fuzz.json", &error);
  if (template_ == NULL)
    {
      g_assert (error != NULL);
      g_assert (error->domain == BC_TEMPLATE_ERROR && error->code == BC_TEMPLATE_ERROR_INVALID);
      g_assert (g_str_has_prefix (error->message, "fuzz.json"));
      g_assert (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }
  g_assert (error == NULL);

  check_template (template_);

  return 0;
}
