/* bc-spreadsheet.c: reports as spreadsheets (XLSX with typed cells) and CSV.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-spreadsheet"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n-lib.h>
#include <xlsxwriter.h>

#include "bc-entry.h"
#include "bc-output-format.h"
#include "bc-spreadsheet.h"

/* Excel's limit on a sheet's name. */
#define SHEET_NAME_MAX 31

BcExportItem *
bc_export_item_new (BcTemplate *template_,
                    BcReport   *report,
                    BcReport   *previous)
{
  BcExportItem *item;

  g_return_val_if_fail (BC_IS_TEMPLATE (template_), NULL);
  g_return_val_if_fail (BC_IS_REPORT (report), NULL);

  item = g_new0 (BcExportItem, 1);
  item->template_ = g_object_ref (template_);
  item->report = g_object_ref (report);
  item->previous = previous != NULL ? g_object_ref (previous) : NULL;
  return item;
}

void
bc_export_item_free (BcExportItem *item)
{
  if (item == NULL)
    return;

  g_clear_object (&item->template_);
  g_clear_object (&item->report);
  g_clear_object (&item->previous);
  g_free (item);
}

BcExportItem *
bc_export_item_load (BcWorkbook  *workbook,
                     const char  *report_id,
                     GError     **error)
{
  g_autoptr(BcReport) report = NULL;
  g_autoptr(BcReport) previous = NULL;
  g_autoptr(GError) local_error = NULL;
  BcExportItem *item;
  BcTemplate *template_;

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), NULL);
  g_return_val_if_fail (report_id != NULL, NULL);

  report = bc_workbook_load_report (workbook, report_id, error);
  if (report == NULL)
    return NULL;
  template_ = bc_workbook_get_report_template (workbook, report, error);
  if (template_ == NULL)
    return NULL;
  previous = bc_workbook_load_previous (workbook, report, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  item = bc_export_item_new (template_, report, previous);
  item->training = bc_workbook_get_kind (workbook) == BC_WORKBOOK_KIND_DEMO;
  return item;
}

GPtrArray *
bc_export_items_for_period (BcWorkbook  *workbook,
                            const char  *period_id,
                            const char  *template_id,
                            GError     **error)
{
  g_autoptr(GPtrArray) summaries = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_export_item_free);

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), NULL);
  g_return_val_if_fail (period_id != NULL, NULL);

  summaries = bc_workbook_list_reports (workbook, error);
  if (summaries == NULL)
    return NULL;

  for (guint i = 0; i < summaries->len; i++)
    {
      const BcReportSummary *summary = g_ptr_array_index (summaries, i);
      BcExportItem *item;

      if (!g_str_equal (summary->period_id, period_id) ||
          (template_id != NULL && !g_str_equal (summary->template_id, template_id)))
        continue;

      item = bc_export_item_load (workbook, summary->id, error);
      if (item == NULL)
        return NULL;
      g_ptr_array_add (items, item);
    }

  if (items->len == 0)
    {
      g_set_error (error, BC_OUTPUT_ERROR, BC_OUTPUT_ERROR_EMPTY,
                   _("The workbook has no report for the period %s. Check the period, or run `baocao-cli list` to see the reports."),
                   period_id);
      return NULL;
    }

  return g_steal_pointer (&items);
}

static gboolean
is_indicator (const BcField *field)
{
  switch (field->type)
    {
    case BC_FIELD_INTEGER:
    case BC_FIELD_DECIMAL:
    case BC_FIELD_PERCENTAGE:
    case BC_FIELD_DATE:
    case BC_FIELD_CHOICE:
    case BC_FIELD_YES_NO:
      return TRUE;
    case BC_FIELD_TEXT:
    case BC_FIELD_LONG_TEXT:
    case BC_FIELD_DOCUMENT_REF:
    case BC_FIELD_TABLE:
    default:
      return FALSE;
    }
}

GPtrArray *
bc_template_dup_indicators (BcTemplate *template_)
{
  GPtrArray *fields = bc_template_get_fields (template_);
  GPtrArray *indicators = g_ptr_array_new ();

  for (guint i = 0; i < fields->len; i++)
    if (is_indicator (g_ptr_array_index (fields, i)))
      g_ptr_array_add (indicators, g_ptr_array_index (fields, i));

  return indicators;
}

/* ------------------------------------------------------------------------ */
/* XLSX                                                                     */

typedef struct {
  lxw_workbook *workbook;
  char         *partial;    /* written here, then moved to the path asked for */
  lxw_format   *heading;
  lxw_format   *title;
  lxw_format   *integer;
  lxw_format   *decimal;
  lxw_format   *percent;
  lxw_format   *percent_decimal;
  lxw_format   *date;
  lxw_format   *wrap;
  lxw_format   *integer_total;
  lxw_format   *decimal_total;
  lxw_format   *training;   /* the demo mark; NULL when not a demo */
  GHashTable   *sheet_names;
} Xlsx;

static lxw_format *
add_format (lxw_workbook *workbook,
            const char   *number_format,
            gboolean      bold,
            gboolean      wrap)
{
  lxw_format *format = workbook_add_format (workbook);

  if (number_format != NULL)
    format_set_num_format (format, number_format);
  if (bold)
    format_set_bold (format);
  if (wrap)
    {
      format_set_text_wrap (format);
      format_set_align (format, LXW_ALIGN_VERTICAL_TOP);
    }
  return format;
}

static gboolean
xlsx_open (Xlsx        *xlsx,
           const char  *path,
           gboolean     training,
           GError     **error)
{
  /* Beside the file, so that a failure never leaves half a spreadsheet
   * in its place, and the move is a rename. */
  xlsx->partial = g_strconcat (path, ".partial", NULL);
  xlsx->workbook = workbook_new (xlsx->partial);
  if (xlsx->workbook == NULL)
    {
      g_autofree char *name = g_filename_display_name (path);

      g_set_error (error, BC_OUTPUT_ERROR, BC_OUTPUT_ERROR_WRITE,
                   _("Could not start the spreadsheet “%s”. Check that the folder exists and can be written to."),
                   name);
      g_clear_pointer (&xlsx->partial, g_free);
      return FALSE;
    }

  xlsx->heading = add_format (xlsx->workbook, NULL, TRUE, TRUE);
  xlsx->title = add_format (xlsx->workbook, NULL, TRUE, FALSE);
  xlsx->integer = add_format (xlsx->workbook, "#,##0", FALSE, FALSE);
  xlsx->decimal = add_format (xlsx->workbook, "#,##0.##########", FALSE, FALSE);
  xlsx->percent = add_format (xlsx->workbook, "0%", FALSE, FALSE);
  xlsx->percent_decimal = add_format (xlsx->workbook, "0.0#########%", FALSE, FALSE);
  xlsx->date = add_format (xlsx->workbook, "dd/mm/yyyy", FALSE, FALSE);
  xlsx->wrap = add_format (xlsx->workbook, NULL, FALSE, TRUE);
  xlsx->integer_total = add_format (xlsx->workbook, "#,##0", TRUE, FALSE);
  xlsx->decimal_total = add_format (xlsx->workbook, "#,##0.##########", TRUE, FALSE);
  xlsx->sheet_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (training)
    {
      xlsx->training = add_format (xlsx->workbook, NULL, TRUE, FALSE);
      format_set_font_color (xlsx->training, LXW_COLOR_RED);
    }
  return TRUE;
}

static gboolean
xlsx_close (Xlsx        *xlsx,
            const char  *path,
            GError     **error)
{
  lxw_error status = workbook_close (xlsx->workbook);
  g_autofree char *partial = g_steal_pointer (&xlsx->partial);
  g_autoptr(GFile) source = g_file_new_for_path (partial);
  g_autoptr(GFile) target = g_file_new_for_path (path);

  g_clear_pointer (&xlsx->sheet_names, g_hash_table_unref);
  if (status != LXW_NO_ERROR)
    {
      g_autofree char *name = g_filename_display_name (path);

      g_file_delete (source, NULL, NULL);
      g_set_error (error, BC_OUTPUT_ERROR, BC_OUTPUT_ERROR_WRITE,
                   _("Could not write the spreadsheet “%s” (%s). Check that the disk has room and the folder can be written to."),
                   name, lxw_strerror (status));
      return FALSE;
    }

  if (!g_file_move (source, target, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error))
    {
      g_file_delete (source, NULL, NULL);
      return FALSE;
    }

  return TRUE;
}

/* A sheet named after `name`, cut to Excel's 31 characters without the
 * characters Excel refuses, and made unique. */
static lxw_worksheet *
xlsx_add_sheet (Xlsx       *xlsx,
                const char *name)
{
  g_autoptr(GString) clean = g_string_new (NULL);
  g_autofree char *unique = NULL;
  lxw_worksheet *sheet;

  for (const char *p = name; *p != '\0' && g_utf8_strlen (clean->str, -1) < SHEET_NAME_MAX - 3; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_string_append_unichar (clean, strchr ("[]:*?/\\'", (int) (c < 128 ? c : 'a')) != NULL ? '_' : c);
    }

  /* Cut at a word, not inside one: "Văn bản đã ban hành, triển". */
  if (g_utf8_strlen (name, -1) > (glong) g_utf8_strlen (clean->str, -1))
    {
      char *space = strrchr (clean->str, ' ');

      if (space != NULL && space > clean->str)
        g_string_truncate (clean, space - clean->str);
      while (clean->len > 0 && strchr (",;.- ", clean->str[clean->len - 1]) != NULL)
        g_string_truncate (clean, clean->len - 1);
    }

  unique = g_strdup (clean->str);
  for (guint n = 2; g_hash_table_contains (xlsx->sheet_names, unique); n++)
    {
      g_free (unique);
      unique = g_strdup_printf ("%s %u", clean->str, n);
    }
  g_hash_table_add (xlsx->sheet_names, g_strdup (unique));

  sheet = workbook_add_worksheet (xlsx->workbook, unique);
  /* A demo's sheets say so on paper too, at the top of every page. */
  if (xlsx->training != NULL)
    {
      g_autofree char *header = g_strdup_printf ("&C&\"-,Bold\"%s", bc_output_training_mark ());

      worksheet_set_header (sheet, header);
      worksheet_set_tab_color (sheet, LXW_COLOR_RED);
    }
  return sheet;
}

/* The demo mark on a sheet's title or heading row, at `column`. */
static void
xlsx_write_training (Xlsx          *xlsx,
                     lxw_worksheet *sheet,
                     lxw_row_t      row,
                     lxw_col_t      column)
{
  if (xlsx->training != NULL)
    worksheet_write_string (sheet, row, column, bc_output_training_mark (), xlsx->training);
}

/* Writes a stored value as the cell type its field means. */
static void
xlsx_write_value (Xlsx           *xlsx,
                  lxw_worksheet  *sheet,
                  lxw_row_t       row,
                  lxw_col_t       col,
                  const BcField  *field,
                  const char     *stored)
{
  if (stored == NULL)
    return;

  switch (field->type)
    {
    case BC_FIELD_INTEGER:
      worksheet_write_number (sheet, row, col, g_ascii_strtod (stored, NULL), xlsx->integer);
      break;

    case BC_FIELD_DECIMAL:
      worksheet_write_number (sheet, row, col, g_ascii_strtod (stored, NULL), xlsx->decimal);
      break;

    case BC_FIELD_PERCENTAGE:
      {
        char buffer[G_ASCII_DTOSTR_BUF_SIZE];
        double fraction = g_ascii_strtod (stored, NULL) / 100.0;

        /* 25.5 on the form is 0.255 shown as 25,5% by the spreadsheet; the
         * digits of the stored text, not 0.25500000000000006. */
        fraction = g_ascii_strtod (g_ascii_formatd (buffer, sizeof buffer, "%.12g", fraction), NULL);
        worksheet_write_number (sheet, row, col, fraction,
                                strchr (stored, '.') != NULL ? xlsx->percent_decimal : xlsx->percent);
      }
      break;

    case BC_FIELD_DATE:
      {
        lxw_datetime when = { 0 };

        if (sscanf (stored, "%4d-%2d-%2d", &when.year, &when.month, &when.day) == 3)
          worksheet_write_datetime (sheet, row, col, &when, xlsx->date);
        else
          worksheet_write_string (sheet, row, col, stored, NULL);
      }
      break;

    case BC_FIELD_YES_NO:
      worksheet_write_boolean (sheet, row, col, g_str_equal (stored, "yes"), NULL);
      break;

    case BC_FIELD_CHOICE:
    case BC_FIELD_DOCUMENT_REF:
    case BC_FIELD_TEXT:
    case BC_FIELD_LONG_TEXT:
    case BC_FIELD_TABLE:
    default:
      {
        g_autofree char *shown = bc_field_format_value (field, stored, "vi");

        worksheet_write_string (sheet, row, col, shown,
                                field->type == BC_FIELD_LONG_TEXT ? xlsx->wrap : NULL);
      }
      break;
    }
}

/* The status as a Vietnamese reader of the spreadsheet reads it, whatever
 * the language of the program that wrote it (the window's words). */
static const char *
status_label_vi (BcStatus status)
{
  static const char * const labels[] = {
    [BC_STATUS_DRAFT] = "Nháp",
    [BC_STATUS_READY] = "Sẵn sàng gửi",
    [BC_STATUS_QUEUED] = "Chờ gửi",
    [BC_STATUS_SENT] = "Đã gửi",
    [BC_STATUS_ACCEPTED] = "Đã chấp nhận",
    [BC_STATUS_RETURNED] = "Bị trả lại",
  };

  return status <= BC_STATUS_LAST ? labels[status] : "";
}

static char *
item_value (BcExportItem  *item,
            const BcField *field,
            guint          row)
{
  return bc_output_field_value (item->template_, item->report, item->previous, field, row);
}

static void
xlsx_write_table (Xlsx          *xlsx,
                  BcExportItem  *item,
                  const BcField *table)
{
  lxw_worksheet *sheet = xlsx_add_sheet (xlsx, bc_text_get (&table->label, "vi"));
  guint n_rows = bc_report_get_n_rows (item->report, table->id);

  worksheet_write_string (sheet, 0, 0, "TT", xlsx->heading);
  worksheet_set_column (sheet, 0, 0, 5, NULL);
  for (guint c = 0; c < table->columns->len; c++)
    {
      const BcField *column = g_ptr_array_index (table->columns, c);

      worksheet_write_string (sheet, 0, c + 1, bc_text_get (&column->label, "vi"), xlsx->heading);
      worksheet_set_column (sheet, c + 1, c + 1, column->type == BC_FIELD_LONG_TEXT ? 50 : 16, NULL);
    }
  xlsx_write_training (xlsx, sheet, 0, table->columns->len + 1);
  worksheet_freeze_panes (sheet, 1, 0);

  for (guint r = 0; r < n_rows; r++)
    {
      worksheet_write_number (sheet, r + 1, 0, r + 1, NULL);
      for (guint c = 0; c < table->columns->len; c++)
        {
          const BcField *column = g_ptr_array_index (table->columns, c);
          g_autofree char *stored = item_value (item, column, r);

          xlsx_write_value (xlsx, sheet, r + 1, c + 1, column, stored);
        }
    }
}

static char *
period_label (const char *period_id)
{
  BcPeriod period;

  if (period_id == NULL || !bc_period_parse (period_id, &period, NULL))
    return g_strdup (period_id);
  return bc_period_label (&period, "vi");
}

gboolean
bc_report_write_xlsx (BcExportItem  *item,
                      const char    *path,
                      GError       **error)
{
  Xlsx xlsx = { 0 };
  GPtrArray *fields;
  lxw_worksheet *sheet;
  g_autofree char *period = NULL;
  lxw_row_t row = 0;

  g_return_val_if_fail (item != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!xlsx_open (&xlsx, path, item->training, error))
    return FALSE;

  period = period_label (bc_report_get_period_id (item->report));
  sheet = xlsx_add_sheet (&xlsx, "Báo cáo");
  worksheet_set_column (sheet, 0, 0, 28, NULL);
  worksheet_set_column (sheet, 1, 1, 50, NULL);
  worksheet_set_column (sheet, 2, 2, 40, NULL);
  worksheet_set_column (sheet, 3, 3, 12, NULL);
  worksheet_set_column (sheet, 4, 4, 28, NULL);

  worksheet_write_string (sheet, row, 0, bc_text_get (bc_template_get_title (item->template_), "vi"), xlsx.title);
  xlsx_write_training (&xlsx, sheet, row++, 2);
  worksheet_write_string (sheet, row, 0, "Đơn vị", NULL);
  worksheet_write_string (sheet, row++, 1, bc_report_get_unit (item->report), NULL);
  worksheet_write_string (sheet, row, 0, "Kỳ báo cáo", NULL);
  worksheet_write_string (sheet, row++, 1, period, NULL);
  worksheet_write_string (sheet, row, 0, "Trạng thái", NULL);
  worksheet_write_string (sheet, row++, 1, status_label_vi (bc_report_get_status (item->report)), NULL);
  row++;

  worksheet_write_string (sheet, row, 0, "Mục", xlsx.heading);
  worksheet_write_string (sheet, row, 1, "Chỉ tiêu", xlsx.heading);
  worksheet_write_string (sheet, row, 2, "Giá trị", xlsx.heading);
  worksheet_write_string (sheet, row, 3, "Đơn vị tính", xlsx.heading);
  worksheet_write_string (sheet, row, 4, "Mã trường", xlsx.heading);
  row++;

  fields = bc_template_get_fields (item->template_);
  for (guint i = 0; i < fields->len; i++)
    {
      const BcField *field = g_ptr_array_index (fields, i);
      g_autofree char *stored = NULL;

      if (field->type == BC_FIELD_TABLE)
        continue;

      stored = item_value (item, field, 0);
      worksheet_write_string (sheet, row, 0, bc_text_get (&field->section->title, "vi"), NULL);
      worksheet_write_string (sheet, row, 1, bc_text_get (&field->label, "vi"), xlsx.wrap);
      xlsx_write_value (&xlsx, sheet, row, 2, field, stored);
      if (field->unit.vi != NULL && *field->unit.vi != '\0')
        worksheet_write_string (sheet, row, 3, field->unit.vi, NULL);
      worksheet_write_string (sheet, row, 4, field->id, NULL);
      row++;
    }

  for (guint i = 0; i < fields->len; i++)
    {
      const BcField *field = g_ptr_array_index (fields, i);

      if (field->type == BC_FIELD_TABLE)
        xlsx_write_table (&xlsx, item, field);
    }

  return xlsx_close (&xlsx, path, error);
}

static gint
compare_items (gconstpointer a,
               gconstpointer b)
{
  const BcExportItem *x = *(BcExportItem **) a;
  const BcExportItem *y = *(BcExportItem **) b;
  int by_template = g_strcmp0 (bc_template_get_id (x->template_), bc_template_get_id (y->template_));

  return by_template != 0 ? by_template
                          : g_strcmp0 (bc_report_get_unit (x->report), bc_report_get_unit (y->report));
}

/* The items by form, then unit, borrowed from `items`. */
static GPtrArray *
sorted_items (GPtrArray *items)
{
  GPtrArray *sorted = g_ptr_array_sized_new (items->len);

  for (guint i = 0; i < items->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (items, i));
  g_ptr_array_sort (sorted, compare_items);
  return sorted;
}

/* "Tổng cộng": the sum of each count and amount over the units (rows 2 to
 * `end` - 1), as a formula with its value; shares and dates have no total. */
static void
write_totals (Xlsx          *xlsx,
              lxw_worksheet *sheet,
              GPtrArray     *indicators,
              GPtrArray     *items,
              lxw_row_t      end)
{
  worksheet_write_string (sheet, end, 0, "Tổng cộng", xlsx->title);

  for (guint c = 0; c < indicators->len; c++)
    {
      const BcField *field = g_ptr_array_index (indicators, c);
      char range[64], formula[80];
      double total = 0;

      if (field->type != BC_FIELD_INTEGER && field->type != BC_FIELD_DECIMAL)
        continue;

      for (guint i = 0; i < items->len; i++)
        {
          g_autofree char *stored = item_value (g_ptr_array_index (items, i), field, 0);

          if (stored != NULL)
            total += g_ascii_strtod (stored, NULL);
        }

      lxw_rowcol_to_range (range, 2, c + 2, end - 1, c + 2);
      g_snprintf (formula, sizeof formula, "=SUM(%s)", range);
      worksheet_write_formula_num (sheet, end, c + 2, formula,
                                   field->type == BC_FIELD_INTEGER ? xlsx->integer_total : xlsx->decimal_total,
                                   total);
    }
}

gboolean
bc_period_write_xlsx (GPtrArray   *items,
                      const char  *period_id,
                      const char  *path,
                      GError     **error)
{
  Xlsx xlsx = { 0 };
  g_autoptr(GPtrArray) sorted = NULL;
  g_autofree char *period = NULL;
  const char *template_id = NULL;
  lxw_worksheet *sheet = NULL;
  g_autoptr(GPtrArray) indicators = NULL;
  g_autoptr(GPtrArray) on_sheet = g_ptr_array_new ();
  lxw_row_t row = 0;

  g_return_val_if_fail (items != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  /* Items come from one workbook: a demo one marks them all. */
  if (!xlsx_open (&xlsx, path, items->len > 0 && ((BcExportItem *) g_ptr_array_index (items, 0))->training,
                  error))
    return FALSE;

  period = period_label (period_id);
  sorted = sorted_items (items);

  for (guint i = 0; i < sorted->len; i++)
    {
      BcExportItem *item = g_ptr_array_index (sorted, i);

      /* A sheet per form: its heading, then one row per unit, then the totals. */
      if (g_strcmp0 (template_id, bc_template_get_id (item->template_)) != 0)
        {
          g_autofree char *title = NULL;

          if (sheet != NULL)
            write_totals (&xlsx, sheet, indicators, on_sheet, row);
          g_ptr_array_set_size (on_sheet, 0);
          template_id = bc_template_get_id (item->template_);
          g_clear_pointer (&indicators, g_ptr_array_unref);
          indicators = bc_template_dup_indicators (item->template_);
          sheet = xlsx_add_sheet (&xlsx, template_id);
          title = g_strdup_printf ("%s — %s%s%s", bc_text_get (bc_template_get_title (item->template_), "vi"),
                                   period != NULL ? period : "", xlsx.training != NULL ? " — " : "",
                                   xlsx.training != NULL ? bc_output_training_mark () : "");
          worksheet_write_string (sheet, 0, 0, title, xlsx.training != NULL ? xlsx.training : xlsx.title);
          worksheet_write_string (sheet, 1, 0, "Đơn vị", xlsx.heading);
          worksheet_write_string (sheet, 1, 1, "Trạng thái", xlsx.heading);
          worksheet_set_column (sheet, 0, 1, 16, NULL);
          for (guint c = 0; c < indicators->len; c++)
            {
              const BcField *field = g_ptr_array_index (indicators, c);

              worksheet_write_string (sheet, 1, c + 2, bc_text_get (&field->label, "vi"), xlsx.heading);
              worksheet_set_column (sheet, c + 2, c + 2, 18, NULL);
            }
          worksheet_freeze_panes (sheet, 2, 1);
          row = 2;
        }

      worksheet_write_string (sheet, row, 0, bc_report_get_unit (item->report), NULL);
      worksheet_write_string (sheet, row, 1, status_label_vi (bc_report_get_status (item->report)), NULL);
      for (guint c = 0; c < indicators->len; c++)
        {
          const BcField *field = g_ptr_array_index (indicators, c);
          g_autofree char *stored = item_value (item, field, 0);

          xlsx_write_value (&xlsx, sheet, row, c + 2, field, stored);
        }
      g_ptr_array_add (on_sheet, item);
      row++;
    }

  if (sheet != NULL)
    write_totals (&xlsx, sheet, indicators, on_sheet, row);

  return xlsx_close (&xlsx, path, error);
}

/* ------------------------------------------------------------------------ */
/* CSV                                                                      */

/* RFC 4180: a field with a comma, a quote or a line break is quoted, its
 * quotes doubled; records end with CRLF. */
static void
csv_field (GString    *out,
           const char *text,
           gboolean    last)
{
  if (text == NULL)
    text = "";

  if (strpbrk (text, ",\"\r\n") != NULL)
    {
      g_string_append_c (out, '"');
      for (const char *p = text; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  else
    g_string_append (out, text);

  g_string_append (out, last ? "\r\n" : ",");
}

static gboolean
csv_save (GString     *out,
          const char  *path,
          GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  return g_file_replace_contents (file, out->str, out->len, NULL, FALSE,
                                  G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, error);
}

static void
csv_value_line (GString       *out,
                BcExportItem  *item,
                const BcField *field,
                guint          row)
{
  g_autofree char *path = bc_report_cell_path (field, row);
  g_autofree char *stored = item_value (item, field, row);
  const BcField *holder = field->table != NULL ? field->table : field;

  csv_field (out, path, FALSE);
  csv_field (out, bc_text_get (&holder->section->title, "vi"), FALSE);
  csv_field (out, bc_text_get (&field->label, "vi"), FALSE);
  csv_field (out, stored, FALSE);
  csv_field (out, bc_text_get (&field->unit, "vi"), FALSE);
  csv_field (out, field->compute != NULL ? "yes" : "no", TRUE);
}

gboolean
bc_report_write_csv (BcExportItem  *item,
                     const char    *path,
                     GError       **error)
{
  g_autoptr(GString) out = g_string_new ("\xEF\xBB\xBF");
  GPtrArray *fields;

  g_return_val_if_fail (item != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  csv_field (out, "path", FALSE);
  csv_field (out, "section", FALSE);
  csv_field (out, "label", FALSE);
  csv_field (out, "value", FALSE);
  csv_field (out, "unit", FALSE);
  csv_field (out, "computed", TRUE);

  fields = bc_template_get_fields (item->template_);
  for (guint i = 0; i < fields->len; i++)
    {
      const BcField *field = g_ptr_array_index (fields, i);

      if (field->type != BC_FIELD_TABLE)
        {
          csv_value_line (out, item, field, 0);
          continue;
        }

      for (guint r = 0; r < bc_report_get_n_rows (item->report, field->id); r++)
        for (guint c = 0; c < field->columns->len; c++)
          csv_value_line (out, item, g_ptr_array_index (field->columns, c), r);
    }

  return csv_save (out, path, error);
}

gboolean
bc_period_write_csv (GPtrArray   *items,
                     const char  *path,
                     GError     **error)
{
  g_autoptr(GString) out = g_string_new ("\xEF\xBB\xBF");
  g_autoptr(GPtrArray) sorted = NULL;
  g_autoptr(GPtrArray) indicators = NULL;
  BcExportItem *first;

  g_return_val_if_fail (items != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (items->len == 0)
    {
      g_set_error (error, BC_OUTPUT_ERROR, BC_OUTPUT_ERROR_EMPTY, _("There is no report to export."));
      return FALSE;
    }

  sorted = sorted_items (items);
  first = g_ptr_array_index (sorted, 0);
  for (guint i = 1; i < sorted->len; i++)
    {
      BcExportItem *item = g_ptr_array_index (sorted, i);

      if (!g_str_equal (bc_template_get_id (item->template_), bc_template_get_id (first->template_)))
        {
          g_set_error (error, BC_OUTPUT_ERROR, BC_OUTPUT_ERROR_EMPTY,
                       _("The period has reports of several forms (%s, %s); a CSV file holds one. Choose a form with --template, or export XLSX."),
                       bc_template_get_id (first->template_), bc_template_get_id (item->template_));
          return FALSE;
        }
    }

  /* The first line names the columns by field id, so that a script reads
   * them whatever the labels say; the second gives the labels. */
  indicators = bc_template_dup_indicators (first->template_);
  csv_field (out, "unit", FALSE);
  csv_field (out, "status", indicators->len == 0);
  for (guint c = 0; c < indicators->len; c++)
    csv_field (out, ((BcField *) g_ptr_array_index (indicators, c))->id, c + 1 == indicators->len);
  csv_field (out, "Đơn vị", FALSE);
  csv_field (out, "Trạng thái", indicators->len == 0);
  for (guint c = 0; c < indicators->len; c++)
    csv_field (out, bc_text_get (&((BcField *) g_ptr_array_index (indicators, c))->label, "vi"),
               c + 1 == indicators->len);

  for (guint i = 0; i < sorted->len; i++)
    {
      BcExportItem *item = g_ptr_array_index (sorted, i);

      csv_field (out, bc_report_get_unit (item->report), FALSE);
      csv_field (out, bc_status_to_string (bc_report_get_status (item->report)), indicators->len == 0);
      for (guint c = 0; c < indicators->len; c++)
        {
          g_autofree char *stored = item_value (item, g_ptr_array_index (indicators, c), 0);

          csv_field (out, stored, c + 1 == indicators->len);
        }
    }

  return csv_save (out, path, error);
}
