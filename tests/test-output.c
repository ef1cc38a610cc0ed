/* test-output.c: the official output — PDF pages, XLSX cells, CSV records.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a reader sees is checked with the tools a reader's computer has:
 * poppler's pdftotext, pdffonts and pdfinfo for the PDF, openpyxl for the
 * spreadsheet. The demo reports are rendered to PNG pages kept in
 * $G_TEST_BUILDDIR/output-pages for a person to look at.
 */
#define G_LOG_DOMAIN "test-output"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "bc-document.h"
#include "bc-entry.h"
#include "bc-output-format.h"
#include "bc-spreadsheet.h"
#include "bc-test-util.h"
#include "bc-workbook.h"

static const char *template_json =
  "{ \"format\": 1, \"id\": \"print-test\", \"version\": 1, \"period_type\": \"quarter\","
  "  \"title\": { \"vi\": \"Mẫu thử in\" },"
  "  \"sections\": ["
  "    { \"id\": \"document\", \"title\": \"Thông tin văn bản\", \"fields\": ["
  "      { \"id\": \"issuing_body\", \"type\": \"text\", \"label\": \"Cơ quan ban hành\" },"
  "      { \"id\": \"doc_number\", \"type\": \"text\", \"label\": \"Số\" },"
  "      { \"id\": \"doc_place\", \"type\": \"text\", \"label\": \"Địa danh\" },"
  "      { \"id\": \"doc_date\", \"type\": \"date\", \"label\": \"Ngày\" },"
  "      { \"id\": \"doc_title\", \"type\": \"text\", \"label\": \"Trích yếu\" },"
  "      { \"id\": \"addressee\", \"type\": \"text\", \"label\": \"Kính gửi\" },"
  "      { \"id\": \"recipients\", \"type\": \"long_text\", \"label\": \"Nơi nhận\" },"
  "      { \"id\": \"signer_authority\", \"type\": \"text\", \"label\": \"Ký thay\" },"
  "      { \"id\": \"signer_title\", \"type\": \"text\", \"label\": \"Chức vụ\" },"
  "      { \"id\": \"signer_name\", \"type\": \"text\", \"label\": \"Người ký\" } ] },"
  "    { \"id\": \"figures\", \"title\": \"1. Số liệu trong kỳ\", \"fields\": ["
  "      { \"id\": \"dossiers\", \"type\": \"integer\", \"label\": \"Số hồ sơ tiếp nhận\", \"unit\": \"hồ sơ\" },"
  "      { \"id\": \"area\", \"type\": \"decimal\", \"label\": \"Diện tích\" },"
  "      { \"id\": \"share\", \"type\": \"percentage\", \"label\": \"Tỷ lệ văn bản điện tử\","
  "        \"target\": { \"op\": \">=\", \"value\": 90, \"source\": \"Kế hoạch 61/KH-UBND\" } },"
  "      { \"id\": \"since\", \"type\": \"date\", \"label\": \"Ngày vận hành\" },"
  "      { \"id\": \"signed\", \"type\": \"yes_no\", \"label\": \"Đã tích hợp chữ ký số\" },"
  "      { \"id\": \"incidents\", \"type\": \"integer\", \"label\": \"Số sự cố chưa báo cáo\" },"
  "      { \"id\": \"double\", \"type\": \"integer\", \"label\": \"Gấp đôi số hồ sơ\", \"compute\": \"dossiers * 2\" },"
  "      { \"id\": \"note\", \"type\": \"long_text\", \"label\": \"Ghi chú\" } ] },"
  "    { \"id\": \"list\", \"title\": \"2. Danh sách tồn tại\", \"fields\": ["
  "      { \"id\": \"items\", \"type\": \"table\", \"label\": \"Bảng tồn tại\", \"columns\": ["
  "        { \"id\": \"what\", \"type\": \"text\", \"label\": \"Nội dung tồn tại XYZ\" },"
  "        { \"id\": \"count\", \"type\": \"integer\", \"label\": \"Số lượng\" },"
  "        { \"id\": \"due\", \"type\": \"date\", \"label\": \"Hạn hoàn thành\" } ] } ] } ],"
  "  \"print\": { \"issuing_body\": \"issuing_body\", \"number\": \"doc_number\", \"place\": \"doc_place\","
  "    \"date\": \"doc_date\", \"subject\": \"doc_title\", \"addressee\": \"addressee\","
  "    \"recipients\": \"recipients\","
  "    \"signer\": { \"authority\": \"signer_authority\", \"title\": \"signer_title\", \"name\": \"signer_name\" },"
  "    \"closing\": \"Kính báo cáo./.\" } }";

static char *
tmp_path (const char *dir,
          const char *name)
{
  return g_build_filename (dir, name, NULL);
}

/* Runs a program and returns its standard output, failing the test when it fails. */
static char *
run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
  return out;
}

/* Whitespace runs as one space, no-break spaces too: justified lines and
 * line ends do not matter to what a reader reads. */
static char *
normalize (const char *text)
{
  GString *out = g_string_new (NULL);
  gboolean space = FALSE;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || c == 0x00A0 || c == '\f')
        space = TRUE;
      else
        {
          if (space && out->len > 0)
            g_string_append_c (out, ' ');
          space = FALSE;
          g_string_append_unichar (out, c);
        }
    }

  return g_string_free (out, FALSE);
}

static char *
pdf_text (const char *pdf,
          int         page)
{
  g_autofree char *first = g_strdup_printf ("%d", page);
  const char *all[] = { "pdftotext", "-layout", pdf, "-", NULL };
  const char *one[] = { "pdftotext", "-layout", "-f", first, "-l", first, pdf, "-", NULL };
  g_autofree char *raw = run (page > 0 ? one : all);

  return normalize (raw);
}

/* The text in the order it is drawn, so that a table cell's lines read on
 * as one text instead of being interleaved with the cells beside it. */
static char *
pdf_raw_text (const char *pdf)
{
  const char *argv[] = { "pdftotext", "-raw", pdf, "-", NULL };
  g_autofree char *raw = run (argv);

  return normalize (raw);
}

/* Each of `needles` appears in `haystack`, in this order. */
static void
assert_in_order (const char         *haystack,
                 const char * const *needles)
{
  const char *at = haystack;

  for (guint i = 0; needles[i] != NULL; i++)
    {
      const char *found = strstr (at, needles[i]);

      if (found == NULL)
        g_error ("“%s” is not in the text after “%.60s”:\n%s", needles[i], at, haystack);
      at = found + strlen (needles[i]);
    }
}

static guint
count (const char *haystack,
       const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + strlen (needle), needle))
    n++;
  return n;
}

static BcTemplate *
test_template (void)
{
  g_autoptr(GError) error = NULL;
  BcTemplate *template_ = bc_template_new_from_data (template_json, -1, "print-test.json", &error);

  g_assert_no_error (error);
  return template_;
}

static BcReport *
test_report (guint n_rows)
{
  BcReport *report = bc_report_new ("11111111-2222-3333-4444-555555555555", "print-test", 1,
                                    "2016Q1", "UBND-XA");

  bc_report_set_value (report, "issuing_body", 0, "Ủy ban nhân dân xã Tịnh Ấn Tây");
  bc_report_set_value (report, "doc_number", 0, "07/BC-UBND");
  bc_report_set_value (report, "doc_place", 0, "Tịnh Ấn Tây");
  bc_report_set_value (report, "doc_date", 0, "2016-03-04");
  bc_report_set_value (report, "doc_title", 0, "Về kết quả ứng dụng công nghệ thông tin Quý I/2016");
  bc_report_set_value (report, "addressee", 0, "UBND huyện Sơn Tịnh");
  bc_report_set_value (report, "recipients", 0, "Như trên;\nLưu: VT.");
  bc_report_set_value (report, "signer_authority", 0, "KT. CHỦ TỊCH");
  bc_report_set_value (report, "signer_title", 0, "PHÓ CHỦ TỊCH");
  bc_report_set_value (report, "signer_name", 0, "Lê Thị Ánh");
  bc_report_set_value (report, "dossiers", 0, "1816");
  bc_report_set_value (report, "area", 0, "1234.5");
  bc_report_set_value (report, "share", 0, "25.5");
  bc_report_set_value (report, "since", 0, "2016-02-01");
  bc_report_set_value (report, "signed", 0, "yes");
  bc_report_set_value (report, "note", 0, "Ghi chú có dấu phẩy, \"ngoặc kép\"\nvà một dòng mới.");

  for (guint r = 1; r <= n_rows; r++)
    {
      g_autofree char *what = g_strdup_printf ("Tồn tại số %u", r);
      g_autofree char *number = g_strdup_printf ("%u", r * 10);

      bc_report_append_row (report, "items", 100 + r);
      bc_report_set_value (report, "items.what", 100 + r, what);
      bc_report_set_value (report, "items.count", 100 + r, number);
      bc_report_set_value (report, "items.due", 100 + r, "2016-12-31");
    }

  return report;
}

static void
write_pdf (BcTemplate *template_,
           BcReport   *report,
           const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcDocument) document = bc_document_new (template_, report, NULL, &error);

  g_assert_no_error (error);
  bc_document_write_pdf (document, path, &error);
  g_assert_no_error (error);
}

typedef struct {
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-output-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  bc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* ------------------------------------------------------------------------ */

static void
test_format (void)
{
  g_autofree char *march = bc_output_format_date ("2016-03-04");
  g_autofree char *february = bc_output_format_date ("2019-02-15");
  g_autofree char *december = bc_output_format_date ("2018-12-21");
  g_autofree char *dateline = bc_output_format_dateline ("Quảng Ngãi", "2018-06-21");
  g_autofree char *blank = bc_output_format_dateline (NULL, NULL);

  g_assert_cmpstr (march, ==, "04/3/2016");
  g_assert_cmpstr (february, ==, "15/02/2019");
  g_assert_cmpstr (december, ==, "21/12/2018");
  g_assert_cmpstr (dateline, ==, "Quảng Ngãi, ngày 21 tháng 6 năm 2018");
  g_assert_nonnull (strstr (blank, "ngày …… tháng …… năm ……"));
}

static void
test_pdf_order (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(BcTemplate) template_ = test_template ();
  g_autoptr(BcReport) report = test_report (2);
  g_autofree char *path = tmp_path (fixture->dir, "report.pdf");
  g_autofree char *text = NULL;
  const char * const expected[] = {
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 07/BC-UBND",
    "Tịnh Ấn Tây, ngày 04 tháng 3 năm 2016",
    "BÁO CÁO",
    "Về kết quả ứng dụng công nghệ thông tin Quý I/2016",
    "Kính gửi: UBND huyện Sơn Tịnh",
    "1. Số liệu trong kỳ",
    "- Số hồ sơ tiếp nhận: 1.816 hồ sơ.",
    "- Diện tích: 1.234,5.",
    "- Tỷ lệ văn bản điện tử: 25,5 % (chỉ tiêu ≥ 90 % theo Kế hoạch 61/KH-UBND).",
    "- Ngày vận hành: 01/02/2016.",
    "- Đã tích hợp chữ ký số: Có.",
    "- Số sự cố chưa báo cáo: ………………",
    "- Gấp đôi số hồ sơ: 3.632.",
    "- Ghi chú: Ghi chú có dấu phẩy, \"ngoặc kép\"",
    "và một dòng mới.",
    "2. Danh sách tồn tại",
    "Nội dung tồn tại XYZ",
    "1 Tồn tại số 1 10 31/12/2016",
    "2 Tồn tại số 2 20 31/12/2016",
    "Kính báo cáo./.",
    "Nơi nhận:",
    "KT. CHỦ TỊCH",
    "- Như trên;",
    "PHÓ CHỦ TỊCH",
    "- Lưu: VT.",
    "Lê Thị Ánh",
    NULL
  };

  write_pdf (template_, report, path);
  text = pdf_text (path, 0);
  assert_in_order (text, expected);
  /* The issuing body is upper case in the masthead (on two lines beside the
   * national name), and nothing is invented. */
  g_assert_nonnull (strstr (text, "ỦY BAN NHÂN DÂN"));
  g_assert_nonnull (strstr (text, "XÃ TỊNH"));
  g_assert_nonnull (strstr (text, "ẤN TÂY"));
  g_assert_null (strstr (text, "chưa báo cáo: 0"));

  /* Several addressees: one a line after "Kính gửi:". */
  {
    g_autofree char *several = tmp_path (fixture->dir, "several.pdf");
    g_autofree char *several_text = NULL;

    bc_report_set_value (report, "addressee", 0, "UBND huyện Sơn Tịnh; Sở Thông tin và Truyền thông");
    write_pdf (template_, report, several);
    several_text = pdf_text (several, 0);
    assert_in_order (several_text, (const char * const[]) { "Kính gửi: - UBND huyện Sơn Tịnh;",
                                                            "- Sở Thông tin và Truyền thông.",
                                                            "1. Số liệu trong kỳ", NULL });
  }
}

static void
test_pdf_a4_fonts (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(BcTemplate) template_ = test_template ();
  g_autoptr(BcReport) report = test_report (2);
  g_autofree char *path = tmp_path (fixture->dir, "fonts.pdf");
  const char *info[] = { "pdfinfo", NULL, NULL };
  const char *fonts[] = { "pdffonts", NULL, NULL };
  g_autofree char *info_text = NULL;
  g_autofree char *fonts_text = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_fonts = 0;

  write_pdf (template_, report, path);
  info[1] = fonts[1] = path;
  info_text = run (info);
  fonts_text = run (fonts);

  g_assert_nonnull (strstr (info_text, "595.276 x 841.89 pts (A4)"));

  /* pdffonts: two heading lines, then one line per font with "emb" = yes. */
  lines = g_strsplit (fonts_text, "\n", -1);
  for (guint i = 2; lines[i] != NULL; i++)
    {
      g_auto(GStrv) columns = NULL;
      guint n = 0;

      if (*lines[i] == '\0')
        continue;
      columns = g_regex_split_simple ("\\s+", lines[i], 0, 0);
      n = g_strv_length (columns);
      g_assert_cmpuint (n, >=, 7);
      /* name type… encoding emb sub uni object ID: emb is the fifth from the end. */
      g_assert_cmpstr (columns[n - 5], ==, "yes");
      g_assert_true (g_str_has_prefix (strchr (columns[0], '+') != NULL ? strchr (columns[0], '+') + 1 : columns[0],
                                       "LiberationSerif"));
      n_fonts++;
    }
  g_assert_cmpuint (n_fonts, >, 0);
}

static void
test_pdf_long_table (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(BcTemplate) template_ = test_template ();
  g_autoptr(BcReport) report = test_report (300);
  g_autoptr(GError) error = NULL;
  g_autoptr(BcDocument) document = bc_document_new (template_, report, NULL, &error);
  g_autofree char *path = tmp_path (fixture->dir, "long.pdf");
  guint n_pages, pages_with_rows = 0;
  guint next_row = 1;

  g_assert_no_error (error);
  bc_document_write_pdf (document, path, &error);
  g_assert_no_error (error);
  n_pages = bc_document_get_n_pages (document);
  g_assert_cmpuint (n_pages, >=, 4);

  for (guint page = 1; page <= n_pages; page++)
    {
      g_autofree char *text = pdf_text (path, page);
      g_autofree char *number = g_strdup_printf ("%u ", page);
      guint first_row = next_row;

      /* Page numbers at the top, from the second page on. */
      if (page > 1)
        g_assert_true (g_str_has_prefix (text, number));
      else
        g_assert_true (g_str_has_prefix (text, "ỦY BAN"));

      /* The rows come in order; every page that has some has the header once, above them. */
      for (;;)
        {
          guint n = next_row * 10;
          g_autofree char *shown = n >= 1000 ? g_strdup_printf ("%u.%03u", n / 1000, n % 1000)
                                             : g_strdup_printf ("%u", n);
          g_autofree char *row = g_strdup_printf (" %u Tồn tại số %u %s ", next_row, next_row, shown);

          if (next_row > 300 || strstr (text, row) == NULL)
            break;
          g_assert_true (strstr (text, "Nội dung tồn tại XYZ") < strstr (text, row));
          next_row++;
        }
      if (next_row > first_row)
        {
          pages_with_rows++;
          g_assert_cmpuint (count (text, "Nội dung tồn tại XYZ"), ==, 1);
        }
      else
        g_assert_cmpuint (count (text, "Nội dung tồn tại XYZ"), ==, 0);
    }

  g_assert_cmpuint (next_row, ==, 301);
  g_assert_cmpuint (pages_with_rows, >=, 4);
}

static void
test_pdf_blank (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(BcTemplate) template_ = test_template ();
  g_autoptr(BcReport) report = bc_report_new ("22222222-2222-3333-4444-555555555555", "print-test", 1,
                                              "2016Q1", "UBND-XA");
  g_autofree char *path = tmp_path (fixture->dir, "blank.pdf");
  g_autofree char *text = NULL;
  const char * const expected[] = {
    "Số: ………………",
    "……………, ngày …… tháng …… năm ……",
    "- Số hồ sơ tiếp nhận: ………………",
    "- Tỷ lệ văn bản điện tử: ………………",
    "- Gấp đôi số hồ sơ: ………………",
    "Nội dung tồn tại XYZ",
    "Nơi nhận:",
    NULL
  };

  write_pdf (template_, report, path);
  text = pdf_text (path, 0);
  assert_in_order (text, expected);
  g_assert_null (strstr (text, ": 0"));
}

static void
test_layout_errors (void)
{
  struct { const char *print; const char *message; } cases[] = {
    { "{ \"number\": \"doc_numbr\" }", "print.number: unknown field “doc_numbr”" },
    { "{ \"numbr\": \"doc_number\" }", "print: unknown key “numbr”" },
    { "{ \"date\": \"doc_number\" }", "print.date: “doc_number” is not a date field" },
    { "{ \"number\": \"items\" }", "print.number: “items” is a table" },
    { "{ \"body\": [ { \"sections\": [\"figures\", \"figures\"] } ] }", "the section “figures” is printed twice" },
    { "{ \"opening\": \"Thực hiện {nothing}\" }", "print.opening: “{nothing}”" },
    { "{ \"tables\": { \"items\": { \"columns\": [\"whot\"] } } }", "the table “items” has no column “whot”" },
    { "{ \"fields\": { \"note\": \"bold\" } }", "print.fields.note: must be" },
    { "{ \"tables\": { \"items\": { \"columns\": [ { \"label\": \"Số\", \"text\": \"{count}/{totl}\" } ] } } }",
      "print.tables.items.columns[0]: the table “items” has no column “totl”" },
    { "{ \"tables\": { \"items\": { \"columns\": [ { \"text\": \"{count}\" } ] } } }",
      "print.tables.items.columns[0]: must be a column id, or" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GString) json = g_string_new (template_json);
      g_autoptr(BcTemplate) template_ = NULL;
      g_autoptr(BcReport) report = test_report (0);
      g_autoptr(BcDocument) document = NULL;
      char *print = strstr (json->str, "\"print\":");

      g_string_truncate (json, print - json->str);
      g_string_append_printf (json, "\"print\": %s }", cases[i].print);
      template_ = bc_template_new_from_data (json->str, -1, "bad.json", &error);
      g_assert_no_error (error);

      document = bc_document_new (template_, report, NULL, &error);
      g_assert_null (document);
      g_assert_error (error, BC_OUTPUT_ERROR, BC_OUTPUT_ERROR_LAYOUT);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("“%s” does not say “%s”", error->message, cases[i].message);
    }

  /* The core refuses a "print" that is not an object. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) json = g_string_new (template_json);
    g_autoptr(BcTemplate) template_ = NULL;
    char *print = strstr (json->str, "\"print\":");

    g_string_truncate (json, print - json->str);
    g_string_append (json, "\"print\": [] }");
    template_ = bc_template_new_from_data (json->str, -1, "bad.json", &error);
    g_assert_null (template_);
    g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID);
  }
}

/* ------------------------------------------------------------------------ */
/* Spreadsheets                                                             */

static const char *dump_xlsx =
  "import json, sys, datetime, openpyxl\n"
  "book = openpyxl.load_workbook(sys.argv[1])\n"
  "out = {}\n"
  "for sheet in book.worksheets:\n"
  "    rows = []\n"
  "    for row in sheet.iter_rows():\n"
  "        cells = []\n"
  "        for c in row:\n"
  "            v = c.value\n"
  "            t = type(v).__name__\n"
  "            if isinstance(v, datetime.datetime): v = v.strftime('%Y-%m-%d')\n"
  "            cells.append({'v': v, 't': t, 'f': c.number_format})\n"
  "        rows.append(cells)\n"
  "    out[sheet.title] = rows\n"
  "print(json.dumps(out))\n";

static JsonObject *
read_xlsx (const char *path,
           JsonParser *parser)
{
  const char *python = g_getenv ("BAOCAO_PYTHON");
  const char *argv[] = { python != NULL ? python : "python3", "-c", dump_xlsx, path, NULL };
  g_autofree char *json = run (argv);
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static JsonObject *
cell (JsonObject *book,
      const char *sheet,
      guint       row,
      guint       column)
{
  JsonArray *rows = json_object_get_array_member (book, sheet);

  g_assert_cmpuint (row, <, json_array_get_length (rows));
  return json_array_get_object_element (json_array_get_array_element (rows, row), column);
}

/* The row of the "Báo cáo" sheet whose "Mã trường" (column E) is `id`. */
static guint
field_row (JsonObject *book,
           const char *id)
{
  JsonArray *rows = json_object_get_array_member (book, "Báo cáo");

  for (guint r = 0; r < json_array_get_length (rows); r++)
    {
      JsonArray *row = json_array_get_array_element (rows, r);

      if (json_array_get_length (row) >= 5 &&
          g_strcmp0 (json_object_get_string_member_with_default (json_array_get_object_element (row, 4), "v", NULL), id) == 0)
        return r;
    }

  g_error ("no row for %s", id);
  return 0;
}

static void
assert_cell (JsonObject *book,
             const char *sheet,
             guint       row,
             guint       column,
             const char *type,
             const char *value,
             const char *format)
{
  JsonObject *c = cell (book, sheet, row, column);
  JsonNode *v = json_object_get_member (c, "v");
  g_autofree char *shown = NULL;

  g_assert_cmpstr (json_object_get_string_member (c, "t"), ==, type);
  if (JSON_NODE_HOLDS_NULL (v))
    shown = NULL;
  else if (json_node_get_value_type (v) == G_TYPE_STRING)
    shown = g_strdup (json_node_get_string (v));
  else if (json_node_get_value_type (v) == G_TYPE_BOOLEAN)
    shown = g_strdup (json_node_get_boolean (v) ? "true" : "false");
  else
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      shown = g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.10g", json_node_get_double (v)));
    }
  g_assert_cmpstr (shown, ==, value);
  if (format != NULL)
    g_assert_cmpstr (json_object_get_string_member (c, "f"), ==, format);
}

static void
test_xlsx_report (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(BcTemplate) template_ = test_template ();
  g_autoptr(BcReport) report = test_report (3);
  g_autoptr(BcExportItem) item = bc_export_item_new (template_, report, NULL);
  g_autofree char *path = tmp_path (fixture->dir, "report.xlsx");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *book;

  bc_report_write_xlsx (item, path, &error);
  g_assert_no_error (error);
  book = read_xlsx (path, parser);

  assert_cell (book, "Báo cáo", field_row (book, "dossiers"), 2, "int", "1816", "#,##0");
  assert_cell (book, "Báo cáo", field_row (book, "dossiers"), 3, "str", "hồ sơ", NULL);
  assert_cell (book, "Báo cáo", field_row (book, "area"), 2, "float", "1234.5", NULL);
  assert_cell (book, "Báo cáo", field_row (book, "share"), 2, "float", "0.255", "0.0#########%");
  assert_cell (book, "Báo cáo", field_row (book, "since"), 2, "datetime", "2016-02-01", "dd/mm/yyyy");
  assert_cell (book, "Báo cáo", field_row (book, "signed"), 2, "bool", "true", NULL);
  assert_cell (book, "Báo cáo", field_row (book, "incidents"), 2, "NoneType", NULL, NULL);
  assert_cell (book, "Báo cáo", field_row (book, "double"), 2, "int", "3632", NULL);
  assert_cell (book, "Báo cáo", field_row (book, "doc_number"), 2, "str", "07/BC-UBND", NULL);
  assert_cell (book, "Báo cáo", field_row (book, "note"), 2, "str",
               "Ghi chú có dấu phẩy, \"ngoặc kép\"\nvà một dòng mới.", NULL);

  /* The table's own sheet: a header, then one typed row per row. */
  assert_cell (book, "Bảng tồn tại", 0, 1, "str", "Nội dung tồn tại XYZ", NULL);
  for (guint r = 1; r <= 3; r++)
    {
      g_autofree char *what = g_strdup_printf ("Tồn tại số %u", r);
      g_autofree char *number = g_strdup_printf ("%u", r * 10);
      g_autofree char *position = g_strdup_printf ("%u", r);

      assert_cell (book, "Bảng tồn tại", r, 0, "int", position, NULL);
      assert_cell (book, "Bảng tồn tại", r, 1, "str", what, NULL);
      assert_cell (book, "Bảng tồn tại", r, 2, "int", number, NULL);
      assert_cell (book, "Bảng tồn tại", r, 3, "datetime", "2016-12-31", NULL);
    }
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (book, "Bảng tồn tại")), ==, 4);
}

/* RFC 4180 records of a CSV text (no BOM). */
static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GStrvBuilder) record = g_strv_builder_new ();
  g_autoptr(GString) field = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      if (*p == '"')
        {
          for (p++; !(*p == '"' && p[1] != '"'); p++)
            {
              g_assert_true (*p != '\0');
              if (*p == '"')
                p++;
              g_string_append_c (field, *p);
            }
          p++;
        }
      else
        while (*p != ',' && *p != '\r' && *p != '\0')
          {
            g_assert_true (*p != '\n' && *p != '"');
            g_string_append_c (field, *p++);
          }

      g_strv_builder_add (record, field->str);
      g_string_truncate (field, 0);
      if (*p == ',')
        p++;
      else
        {
          g_assert_true (p[0] == '\r' && p[1] == '\n');
          p += 2;
          g_ptr_array_add (records, g_strv_builder_end (record));
          g_clear_pointer (&record, g_strv_builder_unref);
          record = g_strv_builder_new ();
        }
    }

  return records;
}

static char *
read_text (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

typedef struct {
  GHashTable *seen;
  BcReport   *report;
  guint       n_values;
} StoredCheck;

static void
check_stored (const char *key,
              gint64      row_id,
              const char *value,
              gpointer    user_data)
{
  StoredCheck *check = user_data;
  const char *dot = strchr (key, '.');
  g_autofree char *path = NULL;

  if (dot == NULL)
    path = g_strdup (key);
  else
    {
      g_autofree char *table = g_strndup (key, dot - key);

      path = g_strdup_printf ("%s[%d].%s", table, bc_report_find_row (check->report, table, row_id) + 1, dot + 1);
    }
  g_assert_cmpstr (g_hash_table_lookup (check->seen, path), ==, value);
  check->n_values++;
}

static void
test_csv_report (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(BcTemplate) template_ = test_template ();
  g_autoptr(BcReport) report = test_report (3);
  g_autoptr(BcExportItem) item = bc_export_item_new (template_, report, NULL);
  g_autofree char *path = tmp_path (fixture->dir, "report.csv");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  StoredCheck check = { seen, report, 0 };
  const char * const header[] = { "path", "section", "label", "value", "unit", "computed", NULL };

  bc_report_write_csv (item, path, &error);
  g_assert_no_error (error);
  text = read_text (path);
  g_assert_true (g_str_has_prefix (text, "\xEF\xBB\xBF"));
  records = parse_csv (text + 3);

  g_assert_true (g_strv_equal (g_ptr_array_index (records, 0), header));
  for (guint i = 1; i < records->len; i++)
    {
      char **record = g_ptr_array_index (records, i);

      g_assert_cmpuint (g_strv_length (record), ==, 6);
      g_assert_false (g_hash_table_contains (seen, record[0]));
      if (g_str_equal (record[5], "no") && *record[3] != '\0')
        g_hash_table_insert (seen, record[0], record[3]);
      if (g_str_equal (record[0], "double"))
        {
          g_assert_cmpstr (record[3], ==, "3632");
          g_assert_cmpstr (record[5], ==, "yes");
        }
    }

  /* Every stored value comes back, at its path, exactly as stored. */
  bc_report_foreach_value (report, check_stored, &check);
  g_assert_cmpuint (check.n_values, ==, g_hash_table_size (seen));
  g_assert_cmpstr (g_hash_table_lookup (seen, "note"), ==, "Ghi chú có dấu phẩy, \"ngoặc kép\"\nvà một dòng mới.");
  g_assert_cmpstr (g_hash_table_lookup (seen, "items[3].what"), ==, "Tồn tại số 3");
}

/* ------------------------------------------------------------------------ */
/* A period across units, from a workbook                                    */

static BcWorkbook *
period_workbook (const char          *dir,
                 BcTemplateRegistry **out_registry)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplateRegistry) registry = bc_template_registry_new ();
  g_autoptr(BcTemplate) template_ = test_template ();
  g_autofree char *path = tmp_path (dir, "period.baocao");
  BcWorkbook *workbook;
  const char *units[] = { "XA-C", "XA-A", "XA-B" };
  const char *dossiers[] = { "30", "1200", NULL };
  const char *shares[] = { "12.5", "100", "57.7" };

  bc_template_registry_add (registry, template_);
  workbook = bc_workbook_open (path, registry, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    {
      g_autofree char *id = bc_workbook_create_report (workbook, "print-test", "2018Q2", units[i], &error);

      g_assert_no_error (error);
      if (dossiers[i] != NULL)
        bc_workbook_enter_value (workbook, id, "dossiers", dossiers[i], &error);
      g_assert_no_error (error);
      bc_workbook_enter_value (workbook, id, "share", shares[i], &error);
      g_assert_no_error (error);
      bc_workbook_enter_value (workbook, id, "since", "4/3/2016", &error);
      g_assert_no_error (error);
    }

  /* Another period's report stays out. */
  g_free (bc_workbook_create_report (workbook, "print-test", "2018Q1", "XA-A", &error));
  g_assert_no_error (error);

  *out_registry = g_steal_pointer (&registry);
  return workbook;
}

static void
test_period (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(BcTemplateRegistry) registry = NULL;
  g_autoptr(BcWorkbook) workbook = period_workbook (fixture->dir, &registry);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = bc_export_items_for_period (workbook, "2018Q2", NULL, &error);
  g_autofree char *csv = tmp_path (fixture->dir, "period.csv");
  g_autofree char *xlsx = tmp_path (fixture->dir, "period.xlsx");
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) none = NULL;
  JsonObject *book;
  char **ids;
  guint dossiers = 0, share = 0, since = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 3);

  bc_period_write_csv (items, csv, &error);
  g_assert_no_error (error);
  text = read_text (csv);
  records = parse_csv (text + 3);
  g_assert_cmpuint (records->len, ==, 2 + 3);
  ids = g_ptr_array_index (records, 0);
  for (guint c = 0; ids[c] != NULL; c++)
    {
      if (g_str_equal (ids[c], "dossiers"))
        dossiers = c;
      else if (g_str_equal (ids[c], "share"))
        share = c;
      else if (g_str_equal (ids[c], "since"))
        since = c;
    }
  g_assert_cmpstr (ids[0], ==, "unit");
  g_assert_cmpuint (dossiers * share * since, >, 0);
  g_assert_cmpstr (((char **) g_ptr_array_index (records, 1))[dossiers], ==, "Số hồ sơ tiếp nhận");
  /* One row per unit, sorted by unit. */
  g_assert_cmpstr (((char **) g_ptr_array_index (records, 2))[0], ==, "XA-A");
  g_assert_cmpstr (((char **) g_ptr_array_index (records, 2))[dossiers], ==, "1200");
  g_assert_cmpstr (((char **) g_ptr_array_index (records, 2))[share], ==, "100");
  g_assert_cmpstr (((char **) g_ptr_array_index (records, 3))[0], ==, "XA-B");
  g_assert_cmpstr (((char **) g_ptr_array_index (records, 3))[dossiers], ==, "");
  g_assert_cmpstr (((char **) g_ptr_array_index (records, 4))[0], ==, "XA-C");
  g_assert_cmpstr (((char **) g_ptr_array_index (records, 4))[share], ==, "12.5");
  g_assert_cmpstr (((char **) g_ptr_array_index (records, 4))[since], ==, "2016-03-04");

  bc_period_write_xlsx (items, "2018Q2", xlsx, &error);
  g_assert_no_error (error);
  book = read_xlsx (xlsx, parser);
  assert_cell (book, "print-test", 1, 0, "str", "Đơn vị", NULL);
  assert_cell (book, "print-test", 2, 0, "str", "XA-A", NULL);
  assert_cell (book, "print-test", 2, dossiers, "int", "1200", "#,##0");
  assert_cell (book, "print-test", 2, share, "int", "1", "0%");
  assert_cell (book, "print-test", 3, dossiers, "NoneType", NULL, NULL);
  /* The fraction of the digits stored, not 0.5770000000000001. */
  assert_cell (book, "print-test", 3, share, "float", "0.577", "0.0#########%");
  g_assert_cmpfloat (json_object_get_double_member (cell (book, "print-test", 3, share), "v"), ==, 0.577);
  assert_cell (book, "print-test", 4, 0, "str", "XA-C", NULL);
  assert_cell (book, "print-test", 4, share, "float", "0.125", "0.0#########%");
  assert_cell (book, "print-test", 4, since, "datetime", "2016-03-04", "dd/mm/yyyy");
  assert_cell (book, "print-test", 2, 1, "str", "Nháp", NULL);
  /* The totals: counts add up (as a formula), shares and dates do not. */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (book, "print-test")), ==, 6);
  assert_cell (book, "print-test", 5, 0, "str", "Tổng cộng", NULL);
  {
    JsonObject *total = cell (book, "print-test", 5, dossiers);
    char column = 'A' + dossiers;
    g_autofree char *formula = g_strdup_printf ("=SUM(%c3:%c5)", column, column);

    g_assert_cmpstr (json_object_get_string_member (total, "v"), ==, formula);
    g_assert_cmpstr (json_object_get_string_member (total, "f"), ==, "#,##0");
  }
  assert_cell (book, "print-test", 5, share, "NoneType", NULL, NULL);
  assert_cell (book, "print-test", 5, since, "NoneType", NULL, NULL);

  none = bc_export_items_for_period (workbook, "2017Q4", NULL, &error);
  g_assert_null (none);
  g_assert_error (error, BC_OUTPUT_ERROR, BC_OUTPUT_ERROR_EMPTY);

  bc_workbook_close (workbook);
}


/* The remediation form's findings: what the officer entered apart
 * (figures, their unit, the legal basis) is on paper, as the report itself
 * writes it: "thu hồi hơn 4.500/7.800 hộp thư". */
static void
test_pdf_remediation_figures (Fixture       *fixture,
                              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplateRegistry) registry = bc_template_registry_new_default (&error);
  BcTemplate *template_ = NULL;
  g_autoptr(BcReport) report = bc_report_new ("33333333-2222-3333-4444-555555555555", "inspection-remediation", 1,
                                              "2018Q3", "UBND-QNG");
  g_autofree char *path = tmp_path (fixture->dir, "remediation.pdf");
  g_autofree char *text = NULL;
  struct { const char *unit, *topic, *basis, *done, *total, *counted, *status; } rows[] = {
    { "Văn phòng UBND tỉnh", "official_email", "Quyết định số 51/2015/QĐ-UBND", "4500", "7800", "hộp thư", "in_progress" },
    { "UBND huyện Lý Sơn", "online_services", NULL, "141", "183", "thủ tục", "in_progress" },
    { "UBND huyện Lý Sơn", "portal_content", "Điều 10 Nghị định số 43/2011/NĐ-CP", NULL, NULL, NULL, "resolved" },
  };

  g_assert_no_error (error);
  template_ = bc_template_registry_lookup (registry, "inspection-remediation", 1, &error);
  g_assert_no_error (error);

  bc_report_set_value (report, "issuing_body", 0, "Ủy ban nhân dân tỉnh Quảng Ngãi");
  bc_report_set_value (report, "doc_number", 0, "184/BC-UBND");
  for (guint r = 0; r < G_N_ELEMENTS (rows); r++)
    {
      gint64 id = 200 + r;
      g_autofree char *finding = g_strdup_printf ("Tồn tại thứ %u", r + 1);

      bc_report_append_row (report, "findings", id);
      bc_report_set_value (report, "findings.unit", id, rows[r].unit);
      bc_report_set_value (report, "findings.topic", id, rows[r].topic);
      bc_report_set_value (report, "findings.finding", id, finding);
      /* What was done, in words alone: the figures are only in their fields. */
      bc_report_set_value (report, "findings.action_taken", id, "Đã rà soát và thu hồi.");
      bc_report_set_value (report, "findings.legal_basis", id, rows[r].basis);
      bc_report_set_value (report, "findings.figure_done", id, rows[r].done);
      bc_report_set_value (report, "findings.figure_total", id, rows[r].total);
      bc_report_set_value (report, "findings.figure_unit", id, rows[r].counted);
      bc_report_set_value (report, "findings.remaining", id, "Tiếp tục thực hiện.");
      bc_report_set_value (report, "findings.status", id, rows[r].status);
    }

  write_pdf (template_, report, path);
  text = pdf_raw_text (path);
  assert_in_order (text, (const char * const[]) {
                     "1. Văn phòng UBND tỉnh",
                     "Tồn tại thứ 1", "Căn cứ: Quyết định số 51/2015/",
                     "4.500/7.800 hộp thư (57,7 %)",
                     "2. UBND huyện Lý Sơn",
                     "Tồn tại thứ 2", "141/183 thủ tục (77 %)",
                     "Tồn tại thứ 3", "Căn cứ: Điều 10 Nghị định số 43/2011/NĐ-CP",
                     NULL });
  /* A finding without a legal basis or figures has no dotted blanks for them. */
  g_assert_cmpuint (count (text, "Căn cứ:"), ==, 2);
  g_assert_null (strstr (text, "………………/"));
  g_assert_null (strstr (text, "(………………)"));
}

/* Reports whose body ends at every height of the page: the page with the
 * signature and "Nơi nhận" always holds the last paragraph and the
 * closing, and every paragraph is printed once, whole. */
static const char *signature_template_json =
  "{ \"format\": 1, \"id\": \"signature-test\", \"version\": 1, \"period_type\": \"quarter\","
  "  \"title\": \"Mẫu thử trang ký\","
  "  \"sections\": ["
  "    { \"id\": \"document\", \"title\": \"Thông tin văn bản\", \"fields\": ["
  "      { \"id\": \"recipients\", \"type\": \"long_text\", \"label\": \"Nơi nhận\" },"
  "      { \"id\": \"signer_title\", \"type\": \"text\", \"label\": \"Chức vụ\" },"
  "      { \"id\": \"signer_name\", \"type\": \"text\", \"label\": \"Người ký\" } ] },"
  "    { \"id\": \"body\", \"title\": \"I. Kết quả\", \"fields\": ["
  "      { \"id\": \"results\", \"type\": \"long_text\", \"label\": \"Kết quả\" },"
  "      { \"id\": \"proposals\", \"type\": \"long_text\", \"label\": \"II. Kiến nghị\" } ] } ],"
  "  \"print\": { \"recipients\": \"recipients\","
  "    \"signer\": { \"title\": \"signer_title\", \"name\": \"signer_name\" },"
  "    \"fields\": { \"results\": \"plain\", \"proposals\": \"heading\" },"
  "    \"closing\": \"Kính báo cáo./.\" } }";

static void
test_pdf_signature_page (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplate) template_ = bc_template_new_from_data (signature_template_json, -1,
                                                               "signature-test.json", &error);
  guint moved = 0;

  g_assert_no_error (error);

  /* One more line of results each time moves the end of the body down the
   * first and second pages; the last case has a last paragraph longer
   * than a page. */
  for (guint lines = 20; lines <= 100; lines += 3)
    {
      g_autoptr(BcReport) report = bc_report_new ("44444444-2222-3333-4444-555555555555", "signature-test", 1,
                                                  "2018Q2", "UBND-XA");
      g_autoptr(GString) results = g_string_new (NULL);
      g_autoptr(GString) proposal = g_string_new ("Đoạn cuối bắt đầu.");
      g_autoptr(BcDocument) document = NULL;
      g_autofree char *path = tmp_path (fixture->dir, "signature.pdf");
      g_autofree char *last = NULL;
      g_autofree char *all = NULL;
      guint n_pages;

      for (guint i = 1; i <= lines; i++)
        g_string_append_printf (results, "%sDòng kết quả số %u.", i > 1 ? "\n" : "", i);
      if (lines > 95)
        for (guint i = 0; i < 120; i++)
          g_string_append (proposal, " Nội dung kiến nghị rất dài.");
      g_string_append (proposal, " Đoạn cuối kết thúc.");
      bc_report_set_value (report, "results", 0, results->str);
      bc_report_set_value (report, "proposals", 0, proposal->str);
      bc_report_set_value (report, "recipients", 0, "Như trên;\nLưu: VT.");
      bc_report_set_value (report, "signer_title", 0, "CHỦ TỊCH");
      bc_report_set_value (report, "signer_name", 0, "Lê Thị Ánh");

      document = bc_document_new (template_, report, NULL, &error);
      g_assert_no_error (error);
      bc_document_write_pdf (document, path, &error);
      g_assert_no_error (error);
      n_pages = bc_document_get_n_pages (document);

      last = pdf_text (path, n_pages);
      assert_in_order (last, (const char * const[]) { "Đoạn cuối kết thúc.", "Kính báo cáo./.", "Nơi nhận:",
                                                      "CHỦ TỊCH", "- Lưu: VT.", "Lê Thị Ánh", NULL });
      if (lines <= 95 && strstr (last, "Đoạn cuối bắt đầu.") != NULL && strstr (last, "II. Kiến nghị") == NULL)
        g_error ("with %u lines, the heading “II. Kiến nghị” stays behind its paragraph", lines);
      if (n_pages > 1 && strstr (last, "Dòng kết quả") == NULL)
        moved++;

      /* Nothing cut, nothing twice. */
      all = pdf_text (path, 0);
      for (guint i = 1; i <= lines; i++)
        {
          g_autofree char *line = g_strdup_printf ("Dòng kết quả số %u.", i);

          g_assert_cmpuint (count (all, line), ==, 1);
        }
      g_assert_cmpuint (count (all, "Đoạn cuối bắt đầu."), ==, 1);
      g_assert_cmpuint (count (all, "Kính báo cáo./."), ==, 1);
      g_assert_cmpuint (count (all, "Lê Thị Ánh"), ==, 1);
    }

  /* Some of these lengths put the signature on a page of its own before. */
  g_assert_cmpuint (moved, >, 0);
}

/* A document from a demo workbook says on every page that it is a training
 * sample; an ordinary one says nothing of the kind. */
static void
test_pdf_training_mark (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplateRegistry) registry = bc_template_registry_new_default (&error);
  g_autofree char *copy = tmp_path (fixture->dir, "demo.baocao");
  g_autofree char *pdf = tmp_path (fixture->dir, "demo.pdf");
  g_autofree char *xlsx = tmp_path (fixture->dir, "demo.xlsx");
  g_autofree char *plain_pdf = tmp_path (fixture->dir, "plain.pdf");
  g_autofree char *plain_xlsx = tmp_path (fixture->dir, "plain.xlsx");
  g_autofree char *plain_text = NULL;
  g_autoptr(GFile) source = g_file_new_for_path (g_getenv ("BAOCAO_DEMO_WORKBOOK"));
  g_autoptr(GFile) target = g_file_new_for_path (copy);
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(BcExportItem) item = NULL;
  g_autoptr(BcDocument) document = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) plain_parser = json_parser_new ();
  g_autofree char *id = NULL;
  const char *mark = bc_output_training_mark ();
  JsonObject *book;

  g_assert_no_error (error);
  g_file_copy (source, target, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  workbook = bc_workbook_open (copy, registry, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bc_workbook_get_kind (workbook), ==, BC_WORKBOOK_KIND_DEMO);
  id = bc_workbook_find_report (workbook, "inspection-remediation", "2018Q3", "UBND-QNG", &error);
  g_assert_no_error (error);
  item = bc_export_item_load (workbook, id, &error);
  g_assert_no_error (error);
  g_assert_true (item->training);

  document = bc_document_new (item->template_, item->report, item->previous, &error);
  g_assert_no_error (error);
  bc_document_set_training (document, item->training);
  bc_document_write_pdf (document, pdf, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bc_document_get_n_pages (document), >, 2);
  for (guint page = 1; page <= bc_document_get_n_pages (document); page++)
    {
      g_autofree char *text = pdf_text (pdf, page);

      if (strstr (text, mark) == NULL)
        g_error ("page %u of a demo report has no “%s”:\n%s", page, mark, text);
    }

  bc_report_write_xlsx (item, xlsx, &error);
  g_assert_no_error (error);
  book = read_xlsx (xlsx, parser);
  assert_cell (book, "Báo cáo", 0, 2, "str", mark, NULL);
  {
    JsonArray *header = json_array_get_array_element (json_object_get_array_member (book, "Tồn tại và kết quả khắc phục"), 0);
    JsonObject *last = json_array_get_object_element (header, json_array_get_length (header) - 1);

    g_assert_cmpstr (json_object_get_string_member (last, "v"), ==, mark);
  }

  /* The period's spreadsheet says so in each sheet's title. */
  {
    g_autoptr(GPtrArray) items = bc_export_items_for_period (workbook, "2018Q3", NULL, &error);
    g_autofree char *period_xlsx = tmp_path (fixture->dir, "period.xlsx");
    g_autoptr(JsonParser) period_parser = json_parser_new ();
    JsonObject *period_book;

    g_assert_no_error (error);
    bc_period_write_xlsx (items, "2018Q3", period_xlsx, &error);
    g_assert_no_error (error);
    period_book = read_xlsx (period_xlsx, period_parser);
    g_assert_nonnull (strstr (json_object_get_string_member (cell (period_book, "inspection-remediation", 0, 0), "v"),
                              mark));
  }

  /* The same report from an ordinary workbook. */
  item->training = FALSE;
  write_pdf (item->template_, item->report, plain_pdf);
  plain_text = pdf_text (plain_pdf, 0);
  g_assert_nonnull (strstr (plain_text, "Số: 184/BC-UBND"));
  g_assert_null (strstr (plain_text, mark));
  bc_report_write_xlsx (item, plain_xlsx, &error);
  g_assert_no_error (error);
  {
    g_autofree char *dump = NULL;

    read_xlsx (plain_xlsx, plain_parser);
    dump = json_to_string (json_parser_get_root (plain_parser), FALSE);
    g_assert_null (strstr (dump, mark));
  }

  bc_workbook_close (workbook);
}

/* ------------------------------------------------------------------------ */
/* The demo reports, as a person sees them                                  */

static void
test_demo_pages (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplateRegistry) registry = bc_template_registry_new_default (&error);
  g_autofree char *copy = tmp_path (fixture->dir, "demo.baocao");
  g_autofree char *pages = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "output-pages", NULL);
  g_autoptr(GFile) source = g_file_new_for_path (g_getenv ("BAOCAO_DEMO_WORKBOOK"));
  g_autoptr(GFile) target = g_file_new_for_path (copy);
  g_autoptr(BcWorkbook) workbook = NULL;
  struct { const char *template_id; const char *period; const char *name; const char *needle; } demos[] = {
    { "egov-quarterly", "2018Q2", "egov-quarterly-2018q2", "Số: 140/BC-UBND" },
    { "inspection-remediation", "2018Q3", "inspection-remediation-2018q3", "Số: 184/BC-UBND" },
  };

  g_assert_no_error (error);
  g_file_copy (source, target, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  workbook = bc_workbook_open (copy, registry, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_mkdir_with_parents (pages, 0755);

  for (guint i = 0; i < G_N_ELEMENTS (demos); i++)
    {
      g_autofree char *id = bc_workbook_find_report (workbook, demos[i].template_id, demos[i].period,
                                                     "UBND-QNG", &error);
      g_autoptr(BcExportItem) item = NULL;
      g_autoptr(BcDocument) document = NULL;
      g_autofree char *pdf = NULL;
      g_autofree char *prefix = g_build_filename (pages, demos[i].name, NULL);
      g_autofree char *text = NULL;
      const char *argv[] = { "pdftoppm", "-r", "60", "-png", NULL, prefix, NULL };

      g_assert_no_error (error);
      g_assert_nonnull (id);
      item = bc_export_item_load (workbook, id, &error);
      g_assert_no_error (error);
      document = bc_document_new (item->template_, item->report, item->previous, &error);
      g_assert_no_error (error);
      pdf = g_strconcat (prefix, ".pdf", NULL);
      bc_document_write_pdf (document, pdf, &error);
      g_assert_no_error (error);

      text = pdf_text (pdf, 0);
      g_assert_nonnull (strstr (text, demos[i].needle));

      argv[4] = pdf;
      g_free (run (argv));
      for (guint page = 1; page <= bc_document_get_n_pages (document); page++)
        {
          g_autofree char *png = g_strdup_printf ("%s-%0*u.png", prefix,
                                                  bc_document_get_n_pages (document) >= 10 ? 2 : 1, page);

          g_assert_true (g_file_test (png, G_FILE_TEST_EXISTS));
        }
      g_test_message ("%u pages of %s in %s", bc_document_get_n_pages (document), demos[i].name, pages);
    }

  bc_workbook_close (workbook);
}

/* baocao-cli export, end to end, on a copy of the demo workbook. */
static int
run_cli (const char * const *args,
         char              **out,
         char              **err)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  int status = 0;

  g_strv_builder_add (builder, g_getenv ("BAOCAO_CLI"));
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);
  g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error);
  g_assert_no_error (error);
  if (g_spawn_check_wait_status (status, &error))
    return 0;
  g_assert_error (error, G_SPAWN_EXIT_ERROR, error->code);
  return error->code;
}

static void
test_cli (Fixture       *fixture,
          gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *copy = tmp_path (fixture->dir, "demo.baocao");
  g_autofree char *pdf = tmp_path (fixture->dir, "q2.pdf");
  g_autofree char *xlsx = tmp_path (fixture->dir, "q2.xlsx");
  g_autofree char *csv = tmp_path (fixture->dir, "q2.csv");
  g_autofree char *period_csv = tmp_path (fixture->dir, "period.csv");
  g_autofree char *missing = tmp_path (fixture->dir, "no-such-folder/q2.pdf");
  g_autoptr(GFile) source = g_file_new_for_path (g_getenv ("BAOCAO_DEMO_WORKBOOK"));
  g_autoptr(GFile) target = g_file_new_for_path (copy);
  g_autofree char *text = NULL;
  g_autofree char *csv_text = NULL;
  char *out = NULL, *err = NULL;

  g_file_copy (source, target, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  {
    const char *args[] = { "--workbook", copy, "export", "10ca", "--pdf", pdf, "--xlsx", xlsx, "--csv", csv, NULL };

    g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
    /* Parts 8–12 of the form (shared systems … the unit's own assessment)
     * print too, blank ones as dotted lines to fill in. */
    g_assert_nonnull (strstr (out, ": 5 pages"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  text = pdf_text (pdf, 0);
  assert_in_order (text, (const char * const[]) { "Số: 140/BC-UBND", "Quảng Ngãi, ngày 21 tháng 6 năm 2018",
                                                  "Kính gửi: Văn phòng Chính phủ", "25 %", "710 hồ sơ",
                                                  "KT. CHỦ TỊCH", "Phạm Trường Thọ", NULL });
  /* The demo's report is of Q2/2018, before Plan 61/KH-UBND was in force:
   * no targets on paper. */
  g_assert_null (strstr (text, "chỉ tiêu"));
  g_assert_true (g_file_test (xlsx, G_FILE_TEST_IS_REGULAR));
  /* The demo workbook's report is a training sample on every page, in the
   * reader's language. */
  for (guint page = 1; page <= 5; page++)
    {
      g_autofree char *page_text = pdf_text (pdf, page);

      g_assert_nonnull (strstr (page_text, "TRAINING SAMPLE – NOT AN OFFICIAL DOCUMENT"));
    }
  {
    const char *args[] = { "--workbook", copy, "export", "10ca", "--pdf", pdf, NULL };
    g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "BAOCAO_LANGUAGE", "vi", TRUE);
    g_auto(GStrv) argv = NULL;
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
    g_autofree char *vi_text = NULL;
    int status = 0;

    g_strv_builder_add (builder, g_getenv ("BAOCAO_CLI"));
    g_strv_builder_addv (builder, args);
    argv = g_strv_builder_end (builder);
    g_spawn_sync (NULL, argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    vi_text = pdf_text (pdf, 5);
    g_assert_nonnull (strstr (vi_text, "TÀI LIỆU TẬP HUẤN – KHÔNG CÓ GIÁ TRỊ PHÁP LÝ"));
  }
  csv_text = read_text (csv);
  g_assert_nonnull (strstr (csv_text, "\r\ndoc_number,Thông tin văn bản,\"Số, ký hiệu\",140/BC-UBND,,no\r\n"));

  {
    const char *args[] = { "--workbook", copy, "export", "--period", "2018Q2", "--csv", period_csv, NULL };
    g_autofree char *period_text = NULL;

    g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    period_text = read_text (period_csv);
    g_assert_nonnull (strstr (period_text, "\r\nUBND-QNG,draft,"));
  }

  /* A 2020 report of the same unit prints Plan 61's target for 2019–2020. */
  {
    const char *create[] = { "--workbook", copy, "new", "egov-quarterly", "--period", "2020Q2", "--unit", "UBND-QNG", NULL };
    g_autofree char *pdf_2020 = tmp_path (fixture->dir, "2020q2.pdf");
    g_autofree char *text_2020 = NULL;
    g_autofree char *id = NULL;

    g_assert_cmpint (run_cli (create, &out, &err), ==, 0);
    id = g_strstrip (g_steal_pointer (&out));
    g_clear_pointer (&err, g_free);
    {
      const char *set[] = { "--workbook", copy, "set", id, "docs_fully_electronic_pct", "40", NULL };
      const char *export[] = { "--workbook", copy, "export", id, "--pdf", pdf_2020, NULL };

      g_assert_cmpint (run_cli (set, &out, &err), ==, 0);
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (run_cli (export, &out, &err), ==, 0);
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
    }
    text_2020 = pdf_text (pdf_2020, 0);
    g_assert_nonnull (strstr (text_2020, "40 % (chỉ tiêu ≥ 90 % theo Kế hoạch 61/KH-UBND, 2019–2020)"));
  }

  /* No format, a format the period cannot have, a folder that is not there. */
  {
    const char *no_format[] = { "--workbook", copy, "export", "10ca", NULL };
    const char *period_pdf[] = { "--workbook", copy, "export", "--period", "2018Q2", "--pdf", pdf, NULL };
    const char *bad_path[] = { "--workbook", copy, "export", "10ca", "--pdf", missing, NULL };
    const char *empty[] = { "--workbook", copy, "export", "--period", "2017Q1", "--xlsx", xlsx, NULL };

    g_assert_cmpint (run_cli (no_format, &out, &err), ==, 2);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_cli (period_pdf, &out, &err), ==, 2);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_cli (bad_path, &out, &err), ==, 1);
    g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_cli (empty, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "2017Q1"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/output/format", test_format);
  g_test_add ("/output/pdf/order", Fixture, NULL, fixture_set_up, test_pdf_order, fixture_tear_down);
  g_test_add ("/output/pdf/a4-fonts", Fixture, NULL, fixture_set_up, test_pdf_a4_fonts, fixture_tear_down);
  g_test_add ("/output/pdf/long-table", Fixture, NULL, fixture_set_up, test_pdf_long_table, fixture_tear_down);
  g_test_add ("/output/pdf/blank", Fixture, NULL, fixture_set_up, test_pdf_blank, fixture_tear_down);
  g_test_add_func ("/output/pdf/layout-errors", test_layout_errors);
  g_test_add ("/output/xlsx/report", Fixture, NULL, fixture_set_up, test_xlsx_report, fixture_tear_down);
  g_test_add ("/output/csv/report", Fixture, NULL, fixture_set_up, test_csv_report, fixture_tear_down);
  g_test_add ("/output/period", Fixture, NULL, fixture_set_up, test_period, fixture_tear_down);
  g_test_add ("/output/cli", Fixture, NULL, fixture_set_up, test_cli, fixture_tear_down);
  g_test_add ("/output/demo-pages", Fixture, NULL, fixture_set_up, test_demo_pages, fixture_tear_down);
  g_test_add ("/output/pdf/remediation-figures", Fixture, NULL, fixture_set_up, test_pdf_remediation_figures,
              fixture_tear_down);
  g_test_add ("/output/pdf/signature-page", Fixture, NULL, fixture_set_up, test_pdf_signature_page,
              fixture_tear_down);
  g_test_add ("/output/training-mark", Fixture, NULL, fixture_set_up, test_pdf_training_mark,
              fixture_tear_down);

  return g_test_run ();
}
