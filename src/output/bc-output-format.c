/* bc-output-format.c: values written the way Vietnamese documents write them.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-output-format"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "bc-entry.h"
#include "bc-output-format.h"
#include "bc-validate.h"

G_DEFINE_QUARK (bc-output-error-quark, bc_output_error)

const char *
bc_output_training_mark (void)
{
  return _("TRAINING SAMPLE – NOT AN OFFICIAL DOCUMENT");
}

static gboolean
parse_stored_date (const char *stored,
                   int        *year,
                   int        *month,
                   int        *day)
{
  if (stored == NULL || sscanf (stored, "%4d-%2d-%2d", year, month, day) != 3)
    return FALSE;

  return g_date_valid_dmy (*day, *month, *year);
}

char *
bc_output_format_date (const char *stored)
{
  int year, month, day;

  if (!parse_stored_date (stored, &year, &month, &day))
    return NULL;

  /* Decree 30/2020: days below 10 and the months 1 and 2 take a leading zero. */
  return g_strdup_printf ("%02d/%s%d/%d", day, month <= 2 ? "0" : "", month, year);
}

char *
bc_output_format_dateline (const char *place,
                           const char *stored_date)
{
  int year, month, day;

  if (place == NULL || *place == '\0')
    place = BC_OUTPUT_BLANK;

  if (!parse_stored_date (stored_date, &year, &month, &day))
    return g_strdup_printf ("%s, ngày …… tháng …… năm ……", place);

  return g_strdup_printf ("%s, ngày %02d tháng %s%d năm %d", place, day,
                          month <= 2 ? "0" : "", month, year);
}

/* "5253/VPCP-KSTT ngày 05/6/2018 về việc báo cáo …", as a body cites a document. */
static char *
format_document_ref (const char *stored)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  const char *number, *date, *title;
  GString *out;

  if (!json_parser_load_from_data (parser, stored, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return g_strdup (stored);

  object = json_node_get_object (json_parser_get_root (parser));
  number = json_object_get_string_member_with_default (object, "number", NULL);
  date = json_object_get_string_member_with_default (object, "date", NULL);
  title = json_object_get_string_member_with_default (object, "title", NULL);

  out = g_string_new (number != NULL ? number : BC_OUTPUT_BLANK);
  if (date != NULL)
    {
      g_autofree char *formatted = bc_output_format_date (date);

      g_string_append_printf (out, " ngày %s", formatted != NULL ? formatted : date);
    }
  if (title != NULL && *title != '\0')
    {
      gunichar first = g_utf8_get_char (title);
      const char *rest = g_utf8_next_char (title);
      char lower[8] = { 0 };

      /* A subject follows "về việc" in lower case: "về việc báo cáo Quý II/2018";
       * one that starts "Về …" already says it. */
      g_unichar_to_utf8 (g_unichar_tolower (first), lower);
      if (g_str_has_prefix (title, "Về ") || g_str_has_prefix (title, "về ") ||
          g_str_has_prefix (title, "V/v "))
        g_string_append_printf (out, " %s%s", lower, rest);
      else
        g_string_append_printf (out, " về việc %s%s", lower, rest);
    }

  return g_string_free (out, FALSE);
}

char *
bc_output_format_value (const BcField *field,
                        const char    *stored)
{
  g_return_val_if_fail (field != NULL, NULL);

  if (stored == NULL)
    return NULL;

  switch (field->type)
    {
    case BC_FIELD_PERCENTAGE:
      {
        g_autofree char *shown = bc_field_format_value (field, stored, "vi");

        /* Vietnamese puts a (non-breaking) space before the sign: "25,5 %". */
        if (g_str_has_suffix (shown, "%"))
          shown[strlen (shown) - 1] = '\0';
        return g_strconcat (shown, "\u00a0%", NULL);
      }

    case BC_FIELD_DATE:
      {
        char *shown = bc_output_format_date (stored);

        return shown != NULL ? shown : g_strdup (stored);
      }

    case BC_FIELD_DOCUMENT_REF:
      return format_document_ref (stored);

    case BC_FIELD_INTEGER:
    case BC_FIELD_DECIMAL:
    case BC_FIELD_TEXT:
    case BC_FIELD_LONG_TEXT:
    case BC_FIELD_CHOICE:
    case BC_FIELD_YES_NO:
    case BC_FIELD_TABLE:
    default:
      return bc_field_format_value (field, stored, "vi");
    }
}

char *
bc_output_field_value (BcTemplate    *template_,
                       BcReport      *report,
                       BcReport      *previous,
                       const BcField *field,
                       guint          row)
{
  BcValue value = BC_VALUE_INIT;
  char *stored;

  g_return_val_if_fail (BC_IS_TEMPLATE (template_), NULL);
  g_return_val_if_fail (BC_IS_REPORT (report), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  if (field->compute == NULL)
    {
      g_autofree char *key = bc_field_dup_key (field);
      gint64 row_id = field->table != NULL ? bc_report_get_row_id (report, field->table->id, row) : 0;

      if (field->table != NULL && row_id == 0)
        return NULL;
      return g_strdup (bc_report_get_value (report, key, row_id));
    }

  /* A value that cannot be computed prints blank, never invented. */
  if (!bc_report_field_value (template_, report, previous, field, row, &value, NULL))
    return NULL;

  stored = bc_field_value_to_canonical (field, &value);
  bc_value_clear (&value);
  return stored;
}
