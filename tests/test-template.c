/* test-template.c: loading, checking and using form templates.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-template"

#include "config.h"

#include <string.h>

#include "bc-template.h"
#include "bc-template-private.h"

/* Templates in C strings: ' stands for " and ` for \" (a quote inside an
 * expression), so that the JSON stays readable. */
static char *
json_text (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\'')
        g_string_append_c (out, '"');
      else if (*p == '`')
        g_string_append (out, "\\\"");
      else
        g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

static BcTemplate *
load_text (const char  *text,
           GError     **error)
{
  g_autofree char *data = json_text (text);

  return bc_template_new_from_data (data, -1, "inline.json", error);
}

static BcTemplate *
load_fixture (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "templates", "good", name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  BcTemplate *template_;

  template_ = bc_template_new_from_file (file, &error);
  g_assert_no_error (error);
  g_assert_nonnull (template_);

  return template_;
}

static const BcField *
field (BcTemplate *template_,
       const char *name)
{
  const BcField *found = bc_template_lookup_field (template_, name);

  if (found == NULL)
    g_error ("no field %s", name);

  return found;
}

#define TEMPLATE(body) "{'format':1,'id':'t','version':2,'period_type':'quarter','title':'T'," body "}"
#define SECTIONS(sections) TEMPLATE ("'sections':[" sections "]")
#define FIELDS(fields) SECTIONS ("{'id':'s','title':'S','fields':[" fields "]}")
#define FIELDS_RULES(fields, rules) \
  TEMPLATE ("'sections':[{'id':'s','title':'S','fields':[" fields "]}],'rules':[" rules "]")
#define FIELDS_MIGRATIONS(fields, migrations) \
  TEMPLATE ("'sections':[{'id':'s','title':'S','fields':[" fields "]}],'migrations':[" migrations "]")
#define A_FIELD "{'id':'a','type':'integer','label':'A'}"
#define T_TABLE "{'id':'t','type':'table','label':'T','columns':[{'id':'c','type':'integer','label':'C'},{'id':'d','type':'text','label':'D'}]}"

/* ------------------------------------------------------------------------ */
/* Valid templates                                                          */

static void
test_load_sample (void)
{
  g_autoptr(BcTemplate) template_ = load_fixture ("sample-v1.json");
  GPtrArray *sections = bc_template_get_sections (template_);
  GPtrArray *fields = bc_template_get_fields (template_);
  const BcSection *general;
  const BcField *area, *findings, *pct, *status, *summary;
  const BcChoice *choice;

  g_assert_cmpstr (bc_template_get_id (template_), ==, "sample");
  g_assert_cmpint (bc_template_get_version (template_), ==, 1);
  g_assert_cmpint (bc_template_get_period_type (template_), ==, BC_PERIOD_QUARTER);
  g_assert_cmpstr (bc_text_get (bc_template_get_title (template_), "vi"), ==, "Báo cáo mẫu");
  g_assert_cmpstr (bc_text_get (bc_template_get_title (template_), "en"), ==, "Sample report");
  /* No English description: English readers get the Vietnamese one. */
  g_assert_cmpstr (bc_text_get (bc_template_get_description (template_), "en"), ==,
                   "Một biểu mẫu nhỏ dùng để kiểm thử.");
  g_assert_true (g_str_has_suffix (bc_template_get_filename (template_), "sample-v1.json"));

  g_assert_cmpuint (sections->len, ==, 3);
  general = g_ptr_array_index (sections, 0);
  g_assert_cmpstr (general->id, ==, "general");
  g_assert_cmpstr (bc_text_get (&general->help, "en"), ==, "About the report document.");
  g_assert_null (general->visible_if);
  g_assert_nonnull (((BcSection *)g_ptr_array_index (sections, 2))->visible_if);

  /* Form order, tables but not their columns. */
  g_assert_cmpuint (fields->len, ==, 16);
  g_assert_cmpstr (((BcField *)g_ptr_array_index (fields, 0))->id, ==, "document");
  g_assert_cmpstr (((BcField *)g_ptr_array_index (fields, 6))->id, ==, "received");
  g_assert_cmpstr (((BcField *)g_ptr_array_index (fields, 13))->id, ==, "findings");
  g_assert_cmpstr (((BcField *)g_ptr_array_index (fields, 15))->id, ==, "tasks_done");

  /* By id, by section and id, and a column by table and column. */
  g_assert_true (field (template_, "received") == field (template_, "services.received"));
  g_assert_true (field (template_, "received")->section == g_ptr_array_index (sections, 1));
  g_assert_null (bc_template_lookup_field (template_, "general.received"));
  g_assert_null (bc_template_lookup_field (template_, "services.nope"));
  g_assert_null (bc_template_lookup_field (template_, "nope"));
  g_assert_null (bc_template_lookup_field (template_, "status"));
  g_assert_null (bc_template_lookup_field (template_, "findings.nope"));
  g_assert_null (bc_template_lookup_field (template_, "received.status"));

  findings = field (template_, "findings");
  status = field (template_, "findings.status");
  g_assert_cmpint (findings->type, ==, BC_FIELD_TABLE);
  g_assert_true (status->table == findings);
  g_assert_true (status->section == g_ptr_array_index (sections, 2));
  g_assert_cmpuint (findings->columns->len, ==, 7);
  g_assert_cmpuint (findings->min_rows, ==, 1);
  g_assert_cmpuint (findings->max_rows, ==, 50);
  g_assert_cmpstr (findings->group_by, ==, "unit");
  /* row_label is optional: a table without it loads, its rows called "Row n". */
  g_assert_null (findings->row_label.vi);
  g_assert_nonnull (findings->carry_forward_if);
  g_assert_cmpuint (findings->group_summaries->len, ==, 1);
  summary = g_ptr_array_index (findings->group_summaries, 0);
  g_assert_nonnull (summary->compute);
  g_assert_null (summary->table);
  /* A group summary is named like a field, so rules can use its overall value. */
  g_assert_true (field (template_, "resolved_share") == summary);
  g_assert_true (field (template_, "inspection.resolved_share") == summary);
  g_assert_nonnull (field (template_, "findings.remaining")->compute);

  area = field (template_, "area");
  g_assert_cmpint (area->type, ==, BC_FIELD_CHOICE);
  g_assert_cmpuint (area->choices->len, ==, 3);
  choice = g_ptr_array_index (area->choices, 2);
  g_assert_cmpstr (choice->value, ==, "commune");
  g_assert_cmpstr (choice->label.vi, ==, "Xã");
  g_assert_cmpstr (choice->label.en, ==, "Xã");

  g_assert_true (field (template_, "document")->required);
  g_assert_false (field (template_, "notes")->required);
  g_assert_cmpuint (field (template_, "signer")->max_length, ==, 20);
  g_assert_true (field (template_, "received")->has_min);
  g_assert_false (field (template_, "received")->has_max);
  g_assert_cmpfloat (field (template_, "received")->min, ==, 0);
  g_assert_cmpstr (bc_text_get (&field (template_, "received")->unit, "vi"), ==, "hồ sơ");
  g_assert_cmpstr (bc_text_get (&field (template_, "received")->help, "en"), ==, "");
  g_assert_nonnull (field (template_, "resolved")->visible_if);
  g_assert_null (field (template_, "received")->visible_if);

  pct = field (template_, "electronic_pct");
  g_assert_nonnull (pct->target);
  g_assert_cmpint (pct->target->op, ==, BC_TARGET_AT_LEAST);
  g_assert_cmpfloat (pct->target->value, ==, 80);
  g_assert_cmpstr (bc_text_get (&pct->target->source, "en"), ==, "Plan 61/KH-UBND");
  g_assert_null (field (template_, "paper_pct")->target);
  g_assert_nonnull (field (template_, "resolved_pct")->compute);
  g_assert_cmpstr (bc_expr_get_source (field (template_, "resolved_pct")->compute), ==,
                   "if(received > 0, round(resolved * 100 / received, 1), 0)");

  g_assert_null (bc_template_get_migration (template_, 0));
}

static void
test_rules (void)
{
  g_autoptr(BcTemplate) template_ = load_fixture ("sample-v1.json");
  GPtrArray *rules = bc_template_get_rules (template_);
  const BcRule *rule;

  g_assert_cmpuint (rules->len, ==, 3);

  rule = bc_template_lookup_rule (template_, "resolved_not_more_than_received");
  g_assert_true (rule == g_ptr_array_index (rules, 0));
  g_assert_cmpint (rule->severity, ==, BC_SEVERITY_ERROR);
  g_assert_null (rule->when);
  g_assert_null (rule->table);
  g_assert_cmpstrv (rule->fields, ((const char *[]) { "resolved", NULL }));
  g_assert_cmpstr (bc_text_get (&rule->message, "en"), ==,
                   "Dossiers resolved cannot exceed dossiers received.");

  rule = bc_template_lookup_rule (template_, "received_dropped");
  g_assert_cmpint (rule->severity, ==, BC_SEVERITY_WARNING);
  g_assert_nonnull (rule->when);
  /* No English message: the Vietnamese one stands in. */
  g_assert_cmpstr (bc_text_get (&rule->message, "en"), ==,
                   "Số hồ sơ tiếp nhận giảm hơn một nửa so với quý trước.");

  rule = bc_template_lookup_rule (template_, "done_within_total");
  g_assert_cmpstr (rule->table, ==, "findings");
  g_assert_cmpstrv (rule->fields, ((const char *[]) { "done_count", "total_count", NULL }));

  g_assert_null (bc_template_lookup_rule (template_, "nope"));
}

static void
test_migration (void)
{
  g_autoptr(BcTemplate) template_ = load_fixture ("sample-v2.json");
  const BcMigration *migration;

  g_assert_cmpint (bc_template_get_version (template_), ==, 2);
  g_assert_null (bc_template_get_migration (template_, 2));
  g_assert_null (bc_template_get_migration (template_, 3));

  migration = bc_template_get_migration (template_, 1);
  g_assert_nonnull (migration);
  g_assert_cmpint (migration->from_version, ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (migration->renamed, "balance"), ==, "difference");
  /* Defaults are stored canonical, as a draft would hold them. */
  g_assert_cmpstr (g_hash_table_lookup (migration->defaults, "new_services"), ==, "1200");
  g_assert_cmpstrv (migration->removed, ((const char *[]) { "cost", NULL }));
  g_assert_null (bc_template_lookup_field (template_, "cost"));
}

/* Renames that lose nothing load: a swap (the workbook reads every old
 * value before writing), a column renamed within its table, and the
 * stored values of a field that is now computed removed. */
static void
test_migration_safe_renames (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplate) template_ = NULL;
  const BcMigration *migration;

  template_ = load_text (FIELDS_MIGRATIONS (A_FIELD ",{'id':'b','type':'integer','label':'B'},"
                                            "{'id':'total','type':'integer','label':'Total','compute':'a + b'},"
                                            "{'id':'t','type':'table','label':'T','columns':[{'id':'c','type':'integer','label':'C'},"
                                            "{'id':'d','type':'integer','label':'D'},{'id':'e','type':'integer','label':'E'}]}",
                                            "{'from_version':1,'renamed':{'a':'b','b':'a','t.c':'t.d','t.d':'t.c','t.old':'t.e'},"
                                            "'removed':['total','t.gone','gone']}"),
                         &error);
  g_assert_no_error (error);
  migration = bc_template_get_migration (template_, 1);
  g_assert_nonnull (migration);
  g_assert_cmpstr (g_hash_table_lookup (migration->renamed, "a"), ==, "b");
  g_assert_cmpstr (g_hash_table_lookup (migration->renamed, "b"), ==, "a");
  g_assert_cmpstr (g_hash_table_lookup (migration->renamed, "t.d"), ==, "t.c");
  g_assert_cmpstr (g_hash_table_lookup (migration->renamed, "t.old"), ==, "t.e");
  g_assert_cmpstrv (migration->removed, ((const char *[]) { "total", "t.gone", "gone", NULL }));
}

static void
test_names (void)
{
  static const char * const names[] = {
    "integer", "decimal", "percentage", "text", "long_text", "date", "choice", "yes_no",
    "document_ref", "table",
  };
  BcText text = { (char *)"Tỉnh", (char *)"Province" };
  BcText vi_only = { (char *)"Xã", NULL };
  BcText empty = { NULL, NULL };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_cmpstr (bc_field_type_to_string ((BcFieldType)i), ==, names[i]);

  g_assert_cmpstr (bc_severity_to_string (BC_SEVERITY_ERROR), ==, "error");
  g_assert_cmpstr (bc_severity_to_string (BC_SEVERITY_WARNING), ==, "warning");

  g_assert_cmpstr (bc_text_get (&text, "vi"), ==, "Tỉnh");
  g_assert_cmpstr (bc_text_get (&text, "en"), ==, "Province");
  g_assert_cmpstr (bc_text_get (&text, "fr"), ==, "Tỉnh");
  g_assert_cmpstr (bc_text_get (&vi_only, "en"), ==, "Xã");
  g_assert_cmpstr (bc_text_get (&empty, "en"), ==, "");
}

static void
test_keys (void)
{
  g_autoptr(BcTemplate) template_ = load_fixture ("sample-v1.json");
  g_autofree char *scalar = bc_field_dup_key (field (template_, "services.received"));
  g_autofree char *column = bc_field_dup_key (field (template_, "findings.status"));
  g_autofree char *table = bc_field_dup_key (field (template_, "findings"));

  g_assert_cmpstr (scalar, ==, "received");
  g_assert_cmpstr (column, ==, "findings.status");
  g_assert_cmpstr (table, ==, "findings");
}

/* Things that look odd but are allowed by docs/templates.md. */
static void
test_valid_edges (void)
{
  static const char * const cases[] = {
    /* A column may share its id with a scalar field: the row context decides. */
    FIELDS (A_FIELD ",{'id':'t','type':'table','label':'T','columns':[{'id':'a','type':'text','label':'A'}]}"),
    /* Column ids of any table may appear in a condition over that table. */
    FIELDS (A_FIELD "," T_TABLE ",{'id':'n','type':'integer','label':'N','compute':'count(t, c > a)'}"),
    FIELDS (A_FIELD "," T_TABLE ",{'id':'n','type':'decimal','label':'N','compute':'sum(t, c * 2) + sum(t.c)'}"),
    /* The previous period's value of a field is not a cycle. */
    FIELDS ("{'id':'total','type':'integer','label':'T','compute':'coalesce(prev(total), 0) + 1'}"),
    /* Section and field, and JSON null for an absent key. */
    FIELDS (A_FIELD ",{'id':'b','type':'yes_no','label':'B','help':null,'compute':'s.a > 3'}"),
    /* A chain of computed fields that is not a cycle. */
    FIELDS ("{'id':'x','type':'integer','label':'X','compute':'y + z'},"
            "{'id':'y','type':'integer','label':'Y','compute':'z * 2'},"
            "{'id':'z','type':'integer','label':'Z'}"),
    /* A per-row rule names columns, with or without their table. */
    FIELDS_RULES (A_FIELD "," T_TABLE,
                  "{'id':'r','severity':'warning','table':'t','check':'c > a','fields':['c','t.d'],'message':'M'}"),
    /* A rule shown beside a table and a column. */
    FIELDS_RULES (T_TABLE, "{'id':'r','severity':'error','check':'count(t) > 0','fields':['t','t.c'],'message':'M'}"),
    /* Sections without fields, e.g. an introduction. */
    SECTIONS ("{'id':'intro','title':'I','help':'…','fields':[]},{'id':'s','title':'S','fields':[" A_FIELD "]}"),
    /* Text limits and number limits that touch. */
    FIELDS ("{'id':'p','type':'percentage','label':'P','min':0,'max':100}"),
    FIELDS ("{'id':'p','type':'integer','label':'P','min':5,'max':5}"),
    FIELDS_MIGRATIONS (A_FIELD, "{'from_version':1}"),
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BcTemplate) template_ = load_text (cases[i], &error);

      if (error != NULL)
        g_test_message ("case %u: %s", i, cases[i]);
      g_assert_no_error (error);
      g_assert_nonnull (template_);
    }
}

/* ------------------------------------------------------------------------ */
/* Invalid templates                                                        */

typedef struct
{
  const char *name;
  const char *json;
  const char *expected;  /* a substring of the message */
} InvalidCase;

static const InvalidCase invalid_cases[] = {
  /* Top level */
  { "not-object", "[1, 2]", "inline.json: a template must be a JSON object" },
  { "format-missing", "{'id':'t'}", "inline.json: the key “format” is missing" },
  { "format-newer", "{'format':2,'id':'t','colour':1}", "inline.json: format: this file is in format 2" },
  { "format-string", "{'format':'1'}", "inline.json: format: must be a number" },
  { "unknown-key", TEMPLATE ("'sectons':[]"), "inline.json: unknown key “sectons”; the keys allowed here are: format, id," },
  { "id-missing", "{'format':1,'version':1}", "inline.json: the key “id” is missing" },
  { "id-syntax", "{'format':1,'id':'Egov Quarterly'}", "inline.json: id: “Egov Quarterly” is not a valid template id" },
  { "id-type", "{'format':1,'id':7}", "inline.json: id: must be a string" },
  { "version-zero", "{'format':1,'id':'t','version':0}", "inline.json: version: must be between 1 and 2147483647" },
  { "version-fraction", "{'format':1,'id':'t','version':1.5}", "inline.json: version: must be a whole number" },
  { "period-type", "{'format':1,'id':'t','version':1,'period_type':'month'}", "inline.json: period_type: unknown period type “month”" },
  { "title-missing", "{'format':1,'id':'t','version':1,'period_type':'year','sections':[]}", "inline.json: the key “title” is missing" },
  { "title-empty", "{'format':1,'id':'t','version':1,'period_type':'year','title':{'vi':' '}}", "inline.json: title: must not be empty" },
  { "title-language", "{'format':1,'id':'t','version':1,'period_type':'year','title':{'vi':'a','fr':'b'}}", "inline.json: title: unknown key “fr”" },
  { "title-number", "{'format':1,'id':'t','version':1,'period_type':'year','title':3}", "inline.json: title: must be a text" },
  { "title-vi-missing", "{'format':1,'id':'t','version':1,'period_type':'year','title':{'en':'a'}}", "inline.json: title: the key “vi” is missing" },
  { "sections-missing", TEMPLATE ("'rules':[]"), "inline.json: the key “sections” is missing" },
  { "sections-empty", SECTIONS (""), "inline.json: sections: a template needs at least one section" },
  { "sections-object", TEMPLATE ("'sections':{}"), "inline.json: sections: must be an array" },
  { "duplicate-json-key", "{'format':1,\n'id':'t',\n'id':'u'}", "inline.json:3:" },
  { "empty", "", "inline.json: the file is empty" },
  { "blank", "  \n ", "inline.json: the file is empty" },
  { "syntax", "{'format':1,\n 'id': }", "inline.json:2:" },
  /* json-glib would hand these strings on as bytes that are not UTF-8. */
  { "lone-surrogate", FIELDS ("{'id':'a','type':'integer','label':{'vi':'\\udc00x'}}"),
    "inline.json: sections[0].fields[0].label.vi: the string holds a \\u escape that is not a character" },
  { "lone-surrogate-key", FIELDS ("{'id':'a','type':'integer','label':'A','\\udc00x':1}"),
    "inline.json: sections[0].fields[0]: a key holds a \\u escape that is not a character" },

  /* Sections */
  { "section-not-object", SECTIONS ("1"), "inline.json: sections[0]: must be an object" },
  { "section-title-missing", SECTIONS ("{'id':'s','fields':[]}"), "inline.json: sections[0]: the key “title” is missing" },
  { "section-id-missing", SECTIONS ("{'title':'S','fields':[]}"), "inline.json: sections[0]: the key “id” is missing" },
  { "section-fields-missing", SECTIONS ("{'id':'s','title':'S'}"), "inline.json: sections[0]: the key “fields” is missing" },
  { "section-id-syntax", SECTIONS ("{'id':'1st','title':'S','fields':[]}"), "inline.json: sections[0].id: “1st” is not a valid id" },
  { "section-id-long", SECTIONS ("{'id':'a12345678901234567890123456789012345678901234567890123456789012345','title':'S','fields':[]}"), "sections[0].id: “a1234567890" },
  { "section-unknown-key", SECTIONS ("{'id':'s','title':'S','fields':[],'visible':'true'}"), "inline.json: sections[0]: unknown key “visible”" },
  { "section-id-twice", SECTIONS ("{'id':'s','title':'S','fields':[]},{'id':'s','title':'S','fields':[]}"),
    "inline.json: sections[1].id: the section id “s” is already used by sections[0]" },
  { "section-id-is-field", SECTIONS ("{'id':'s','title':'S','fields':[]},{'id':'a','title':'A','fields':[" A_FIELD "]}"),
    "inline.json: sections[1].id: the section id “a” is also the id of the field at sections[1].fields[0]" },

  /* Fields */
  { "field-id-twice", SECTIONS ("{'id':'s','title':'S','fields':[" A_FIELD "]},{'id':'u','title':'U','fields':[" A_FIELD "]}"),
    "inline.json: sections[1].fields[0].id: the field id “a” is already used by sections[0].fields[0]" },
  { "field-id-syntax", FIELDS ("{'id':'Level3','type':'integer','label':'A'}"), "inline.json: sections[0].fields[0].id: “Level3” is not a valid id" },
  { "field-id-dash", FIELDS ("{'id':'level-3','type':'integer','label':'A'}"), "inline.json: sections[0].fields[0].id: “level-3” is not a valid id" },
  { "field-type-unknown", FIELDS ("{'id':'a','type':'number','label':'A'}"), "inline.json: sections[0].fields[0].type: unknown type “number”" },
  { "field-type-missing", FIELDS ("{'id':'a','label':'A'}"), "inline.json: sections[0].fields[0]: the key “type” is missing" },
  { "field-label-missing", FIELDS ("{'id':'a','type':'text'}"), "inline.json: sections[0].fields[0]: the key “label” is missing" },
  { "field-unknown-key", FIELDS (A_FIELD ",{'id':'b','type':'integer','label':'B','visble_if':'a > 1'}"),
    "inline.json: sections[0].fields[1]: unknown key “visble_if”" },
  { "min-on-text", FIELDS ("{'id':'a','type':'text','label':'A','min':1}"),
    "inline.json: sections[0].fields[0].min: “min” does not apply to a field of type “text”" },
  { "min-not-number", FIELDS ("{'id':'a','type':'integer','label':'A','min':'0'}"), "inline.json: sections[0].fields[0].min: must be a number" },
  { "min-huge", FIELDS ("{'id':'a','type':'integer','label':'A','min':1e999}"), "inline.json: sections[0].fields[0].min: the number is too large" },
  { "min-above-max", FIELDS (A_FIELD ",{'id':'b','type':'integer','label':'B','min':10,'max':5}"),
    "inline.json: sections[0].fields[1].min: min (10) is greater than max (5)" },
  { "percentage-max", FIELDS ("{'id':'p','type':'percentage','label':'P','max':150}"),
    "inline.json: sections[0].fields[0].max: a percentage is between 0 and 100" },
  { "percentage-min", FIELDS ("{'id':'p','type':'percentage','label':'P','min':-1}"),
    "inline.json: sections[0].fields[0].min: a percentage is between 0 and 100" },
  { "required-string", FIELDS ("{'id':'a','type':'integer','label':'A','required':'yes'}"),
    "inline.json: sections[0].fields[0].required: must be true or false" },
  { "required-on-table", FIELDS ("{'id':'t','type':'table','label':'T','required':true,'columns':[]}"),
    "inline.json: sections[0].fields[0].required: “required” does not apply to a field of type “table”" },
  { "max-length-zero", FIELDS ("{'id':'a','type':'text','label':'A','max_length':0}"),
    "inline.json: sections[0].fields[0].max_length: must be between 1 and" },
  { "max-length-on-integer", FIELDS ("{'id':'a','type':'integer','label':'A','max_length':10}"),
    "inline.json: sections[0].fields[0].max_length: “max_length” does not apply to a field of type “integer”" },
  { "label-empty", FIELDS ("{'id':'a','type':'integer','label':''}"), "inline.json: sections[0].fields[0].label: must not be empty" },
  { "choices-missing", FIELDS ("{'id':'a','type':'choice','label':'A'}"), "inline.json: sections[0].fields[0]: the key “choices” is missing" },
  { "choices-empty", FIELDS ("{'id':'a','type':'choice','label':'A','choices':[]}"),
    "inline.json: sections[0].fields[0].choices: a choice field needs at least one choice" },
  { "choices-twice", FIELDS ("{'id':'a','type':'choice','label':'A','choices':[{'value':'x','label':'X'},{'value':'x','label':'Y'}]}"),
    "inline.json: sections[0].fields[0].choices[1].value: the choice value “x” appears twice" },
  { "choice-value-syntax", FIELDS ("{'id':'a','type':'choice','label':'A','choices':[{'value':'Yes!','label':'X'}]}"),
    "inline.json: sections[0].fields[0].choices[0].value: “Yes!” is not a valid choice value" },
  { "choice-label-missing", FIELDS ("{'id':'a','type':'choice','label':'A','choices':[{'value':'x'}]}"),
    "inline.json: sections[0].fields[0].choices[0]: the key “label” is missing" },
  { "choices-on-text", FIELDS ("{'id':'a','type':'text','label':'A','choices':[]}"),
    "inline.json: sections[0].fields[0].choices: “choices” does not apply to a field of type “text”" },
  { "compute-on-date", FIELDS ("{'id':'a','type':'date','label':'A','compute':'1'}"),
    "inline.json: sections[0].fields[0].compute: “compute” does not apply to a field of type “date”" },
  { "compute-on-choice", FIELDS ("{'id':'a','type':'choice','label':'A','choices':[{'value':'x','label':'X'}],'compute':'1'}"),
    "inline.json: sections[0].fields[0].compute: “compute” does not apply to a field of type “choice”" },
  { "target-on-text", FIELDS ("{'id':'a','type':'text','label':'A','target':{'op':'>=','value':1}}"),
    "inline.json: sections[0].fields[0].target: “target” does not apply to a field of type “text”" },
  { "target-op", FIELDS ("{'id':'a','type':'integer','label':'A','target':{'op':'>','value':1}}"),
    "inline.json: sections[0].fields[0].target.op: unknown operator “>”" },
  { "target-value-missing", FIELDS ("{'id':'a','type':'integer','label':'A','target':{'op':'='}}"),
    "inline.json: sections[0].fields[0].target: the key “value” is missing" },
  { "target-percentage", FIELDS ("{'id':'a','type':'percentage','label':'A','target':{'op':'>=','value':120}}"),
    "inline.json: sections[0].fields[0].target.value: a percentage target must be between 0 and 100" },
  { "target-string", FIELDS ("{'id':'a','type':'integer','label':'A','target':'>= 90'}"),
    "inline.json: sections[0].fields[0].target: must be an object" },

  /* Tables */
  { "table-columns-missing", FIELDS ("{'id':'t','type':'table','label':'T'}"), "inline.json: sections[0].fields[0]: the key “columns” is missing" },
  { "table-columns-empty", FIELDS ("{'id':'t','type':'table','label':'T','columns':[]}"),
    "inline.json: sections[0].fields[0].columns: a table needs at least one column" },
  { "column-table", FIELDS ("{'id':'t','type':'table','label':'T','columns':[{'id':'u','type':'table','label':'U','columns':[]}]}"),
    "inline.json: sections[0].fields[0].columns[0].type: a column of a table cannot itself be a table" },
  { "column-twice", FIELDS ("{'id':'t','type':'table','label':'T','columns':[{'id':'c','type':'text','label':'C'},{'id':'c','type':'text','label':'D'}]}"),
    "inline.json: sections[0].fields[0].columns[1].id: the column id “c” is already used in this table by sections[0].fields[0].columns[0]" },
  { "column-unknown-key", FIELDS ("{'id':'t','type':'table','label':'T','columns':[{'id':'c','type':'text','label':'C','width':3}]}"),
    "inline.json: sections[0].fields[0].columns[0]: unknown key “width”" },
  { "group-by-unknown", FIELDS ("{'id':'t','type':'table','label':'T','group_by':'unit','columns':[{'id':'c','type':'text','label':'C'}]}"),
    "inline.json: sections[0].fields[0].group_by: “unit” is not a column of this table" },
  { "row-label-on-text", FIELDS ("{'id':'a','type':'text','label':'A','row_label':'B'}"),
    "inline.json: sections[0].fields[0].row_label: “row_label” does not apply to a field of type “text”" },
  { "row-label-not-text", FIELDS ("{'id':'t','type':'table','label':'T','row_label':3,'columns':[{'id':'c','type':'text','label':'C'}]}"),
    "inline.json: sections[0].fields[0].row_label: must be a text: { \"vi\": \"…\", \"en\": \"…\" } or a string" },
  { "group-by-on-text", FIELDS ("{'id':'a','type':'text','label':'A','group_by':'b'}"),
    "inline.json: sections[0].fields[0].group_by: “group_by” does not apply to a field of type “text”" },
  { "summary-not-computed", FIELDS ("{'id':'t','type':'table','label':'T','columns':[{'id':'c','type':'integer','label':'C'}],'group_summaries':[{'id':'n','type':'integer','label':'N'}]}"),
    "inline.json: sections[0].fields[0].group_summaries[0]: the key “compute” is missing" },
  { "summary-id-twice", FIELDS (A_FIELD ",{'id':'t','type':'table','label':'T','columns':[{'id':'c','type':'integer','label':'C'}],'group_summaries':[{'id':'a','type':'integer','label':'N','compute':'count(t)'}]}"),
    "inline.json: sections[0].fields[1].group_summaries[0].id: the field id “a” is already used by sections[0].fields[0]" },
  { "rows-limits", FIELDS ("{'id':'t','type':'table','label':'T','min_rows':5,'max_rows':2,'columns':[{'id':'c','type':'integer','label':'C'}]}"),
    "inline.json: sections[0].fields[0].min_rows: min_rows (5) is greater than max_rows (2)" },
  { "max-rows-zero", FIELDS ("{'id':'t','type':'table','label':'T','max_rows':0,'columns':[{'id':'c','type':'integer','label':'C'}]}"),
    "inline.json: sections[0].fields[0].max_rows: must be between 1 and" },
  { "min-rows-negative", FIELDS ("{'id':'t','type':'table','label':'T','min_rows':-1,'columns':[{'id':'c','type':'integer','label':'C'}]}"),
    "inline.json: sections[0].fields[0].min_rows: must be between 0 and" },

  /* Expressions */
  { "expr-syntax", FIELDS (A_FIELD ",{'id':'b','type':'integer','label':'B','compute':'a +'}"), "inline.json: sections[0].fields[1].compute: " },
  { "expr-not-string", FIELDS (A_FIELD ",{'id':'b','type':'integer','label':'B','compute':3}"), "inline.json: sections[0].fields[1].compute: must be a string" },
  { "expr-unknown-field", FIELDS (A_FIELD ",{'id':'b','type':'integer','label':'B','compute':'dossiers_recieved + 1'}"),
    "inline.json: sections[0].fields[1].compute: unknown field “dossiers_recieved”" },
  { "expr-unknown-visible-if", SECTIONS ("{'id':'s','title':'S','visible_if':'zz > 1','fields':[" A_FIELD "]}"),
    "inline.json: sections[0].visible_if: unknown field “zz”" },
  { "expr-unknown-field-visible-if", FIELDS (A_FIELD ",{'id':'b','type':'integer','label':'B','visible_if':'present(zz)'}"),
    "inline.json: sections[0].fields[1].visible_if: unknown field “zz”" },
  { "expr-unknown-prev", FIELDS (A_FIELD ",{'id':'b','type':'integer','label':'B','compute':'prev(zz)'}"),
    "inline.json: sections[0].fields[1].compute: unknown field “zz”" },
  { "expr-unknown-table", FIELDS (A_FIELD ",{'id':'n','type':'integer','label':'N','compute':'count(nope)'}"),
    "inline.json: sections[0].fields[1].compute: unknown table “nope”" },
  { "expr-not-table", FIELDS (A_FIELD ",{'id':'n','type':'integer','label':'N','compute':'count(a)'}"),
    "inline.json: sections[0].fields[1].compute: “a” is not a table" },
  { "expr-unknown-column", FIELDS (T_TABLE ",{'id':'n','type':'integer','label':'N','compute':'sum(t.nope)'}"),
    "inline.json: sections[0].fields[1].compute: the table “t” has no column “nope”" },
  { "expr-column-of-non-table", FIELDS (A_FIELD ",{'id':'n','type':'integer','label':'N','compute':'sum(a.c)'}"),
    "inline.json: sections[0].fields[1].compute: “a” is not a table" },
  { "expr-table-as-value", FIELDS (T_TABLE ",{'id':'n','type':'integer','label':'N','compute':'t + 1'}"),
    "inline.json: sections[0].fields[1].compute: “t” is a table" },
  { "expr-wrong-section", SECTIONS ("{'id':'s','title':'S','fields':[" A_FIELD "]},{'id':'u','title':'U','fields':[{'id':'b','type':'integer','label':'B','compute':'u.a'}]}"),
    "inline.json: sections[1].fields[0].compute: unknown field “u.a”" },
  { "expr-column-unknown", FIELDS ("{'id':'t','type':'table','label':'T','columns':[{'id':'c','type':'integer','label':'C','visible_if':'e > 1'}]}"),
    "inline.json: sections[0].fields[0].columns[0].visible_if: unknown field “e”" },
  { "expr-carry-forward", FIELDS ("{'id':'t','type':'table','label':'T','carry_forward_if':'statu != `done`','columns':[{'id':'status','type':'text','label':'S'}]}"),
    "inline.json: sections[0].fields[0].carry_forward_if: unknown field “statu”" },
  { "expr-summary", FIELDS ("{'id':'t','type':'table','label':'T','columns':[{'id':'c','type':'integer','label':'C'}],'group_summaries':[{'id':'n','type':'integer','label':'N','compute':'sum(t.e)'}]}"),
    "inline.json: sections[0].fields[0].group_summaries[0].compute: the table “t” has no column “e”" },

  /* Cycles among computed fields */
  { "cycle-self", FIELDS ("{'id':'a','type':'integer','label':'A','compute':'a + 1'}"),
    "inline.json: sections[0].fields[0].compute: the computed fields depend on each other in a circle: a → a" },
  { "cycle-two", FIELDS ("{'id':'a','type':'integer','label':'A','compute':'b + 1'},{'id':'b','type':'integer','label':'B','compute':'a - 1'}"),
    "inline.json: sections[0].fields[0].compute: the computed fields depend on each other in a circle: a → b → a" },
  { "cycle-behind-chain", FIELDS ("{'id':'x','type':'integer','label':'X','compute':'y'},"
                                  "{'id':'y','type':'integer','label':'Y','compute':'z + 1'},"
                                  "{'id':'z','type':'integer','label':'Z','compute':'s.y * 2'}"),
    "inline.json: sections[0].fields[1].compute: the computed fields depend on each other in a circle: y → z → y" },
  { "cycle-through-column", FIELDS ("{'id':'t','type':'table','label':'T','columns':[{'id':'c','type':'integer','label':'C','compute':'x + 1'}]},"
                                    "{'id':'x','type':'integer','label':'X','compute':'sum(t.c)'}"),
    "inline.json: sections[0].fields[0].columns[0].compute: the computed fields depend on each other in a circle: c → x → c" },
  { "cycle-in-row", FIELDS ("{'id':'t','type':'table','label':'T','columns':[{'id':'c','type':'integer','label':'C','compute':'d'},{'id':'d','type':'integer','label':'D','compute':'c'}]}"),
    "inline.json: sections[0].fields[0].columns[0].compute: the computed fields depend on each other in a circle: c → d → c" },

  /* Rules */
  { "rule-unknown-field", FIELDS_RULES (A_FIELD, "{'id':'r','severity':'error','check':'a > 0','fields':['zz'],'message':'M'}"),
    "inline.json: rules[0].fields[0]: unknown field “zz”" },
  { "rule-row-field", FIELDS_RULES (A_FIELD "," T_TABLE, "{'id':'r','severity':'error','table':'t','check':'c > 0','fields':['a'],'message':'M'}"),
    "inline.json: rules[0].fields[0]: the table “t” has no column “a”" },
  { "rule-table-unknown", FIELDS_RULES (A_FIELD, "{'id':'r','severity':'error','table':'zz','check':'a > 0','fields':['a'],'message':'M'}"),
    "inline.json: rules[0].table: unknown table “zz”" },
  { "rule-table-not-table", FIELDS_RULES (A_FIELD, "{'id':'r','severity':'error','table':'a','check':'a > 0','fields':['a'],'message':'M'}"),
    "inline.json: rules[0].table: “a” is not a table" },
  { "rule-severity", FIELDS_RULES (A_FIELD, "{'id':'r','severity':'fatal','check':'a > 0','fields':['a'],'message':'M'}"),
    "inline.json: rules[0].severity: unknown severity “fatal”" },
  { "rule-severity-missing", FIELDS_RULES (A_FIELD, "{'id':'r','check':'a > 0','fields':['a'],'message':'M'}"),
    "inline.json: rules[0]: the key “severity” is missing" },
  { "rule-fields-empty", FIELDS_RULES (A_FIELD, "{'id':'r','severity':'error','check':'a > 0','fields':[],'message':'M'}"),
    "inline.json: rules[0].fields: a rule must name at least one field" },
  { "rule-fields-missing", FIELDS_RULES (A_FIELD, "{'id':'r','severity':'error','check':'a > 0','message':'M'}"),
    "inline.json: rules[0]: the key “fields” is missing" },
  { "rule-check-missing", FIELDS_RULES (A_FIELD, "{'id':'r','severity':'error','fields':['a'],'message':'M'}"),
    "inline.json: rules[0]: the key “check” is missing" },
  { "rule-message-missing", FIELDS_RULES (A_FIELD, "{'id':'r','severity':'error','check':'a > 0','fields':['a']}"),
    "inline.json: rules[0]: the key “message” is missing" },
  { "rule-id-twice", FIELDS_RULES (A_FIELD, "{'id':'r','severity':'error','check':'a > 0','fields':['a'],'message':'M'},"
                                            "{'id':'r','severity':'error','check':'a < 9','fields':['a'],'message':'M'}"),
    "inline.json: rules[1].id: the rule id “r” is already used" },
  { "rule-check-unknown", FIELDS_RULES (A_FIELD, "{'id':'r','severity':'error','check':'zz > 0','fields':['a'],'message':'M'}"),
    "inline.json: rules[0].check: unknown field “zz”" },
  { "rule-when-unknown", FIELDS_RULES (A_FIELD, "{'id':'r','severity':'error','when':'present(zz)','check':'a > 0','fields':['a'],'message':'M'}"),
    "inline.json: rules[0].when: unknown field “zz”" },
  { "rule-unknown-key", FIELDS_RULES (A_FIELD, "{'id':'r','severity':'error','check':'a > 0','fields':['a'],'message':'M','level':1}"),
    "inline.json: rules[0]: unknown key “level”" },

  /* Migrations */
  { "migration-newer", FIELDS_MIGRATIONS (A_FIELD, "{'from_version':2}"),
    "inline.json: migrations[0].from_version: a migration must come from an older version than this one (2)" },
  { "migration-twice", FIELDS_MIGRATIONS (A_FIELD, "{'from_version':1},{'from_version':1}"),
    "inline.json: migrations[1].from_version: there is already a migration from version 1" },
  { "migration-renamed-unknown", FIELDS_MIGRATIONS (A_FIELD, "{'from_version':1,'renamed':{'old':'zz'}}"),
    "inline.json: migrations[0].renamed.old: “zz” is not a stored field of this version" },
  { "migration-renamed-computed", FIELDS_MIGRATIONS (A_FIELD ",{'id':'b','type':'integer','label':'B','compute':'a'}", "{'from_version':1,'renamed':{'old':'b'}}"),
    "inline.json: migrations[0].renamed.old: “b” is not a stored field of this version" },
  { "migration-default-unknown", FIELDS_MIGRATIONS (A_FIELD, "{'from_version':1,'defaults':{'zz':'1'}}"),
    "inline.json: migrations[0].defaults.zz: “zz” is not a stored field of this version" },
  { "migration-default-invalid", FIELDS_MIGRATIONS ("{'id':'p','type':'percentage','label':'Share'}", "{'from_version':1,'defaults':{'p':'150'}}"),
    "inline.json: migrations[0].defaults.p: “Share” must be between 0 and 100 percent" },
  { "migration-default-number", FIELDS_MIGRATIONS (A_FIELD, "{'from_version':1,'defaults':{'a':0}}"),
    "inline.json: migrations[0].defaults.a: must be a string" },
  { "migration-removed-number", FIELDS_MIGRATIONS (A_FIELD, "{'from_version':1,'removed':[1]}"),
    "inline.json: migrations[0].removed[0]: must be a string" },
  /* Migrations that would lose values */
  { "migration-renamed-collision", FIELDS_MIGRATIONS (A_FIELD, "{'from_version':1,'renamed':{'x':'a','y':'a'}}"),
    "inline.json: migrations[0].renamed.y: “x” and “y” are both renamed to “a”, which can hold the value of only one of them" },
  { "migration-renamed-column-collision", FIELDS_MIGRATIONS (T_TABLE, "{'from_version':1,'renamed':{'t.x':'t.c','t.y':'t.c'}}"),
    "inline.json: migrations[0].renamed.t.y: “t.x” and “t.y” are both renamed to “t.c”" },
  { "migration-renamed-chain", FIELDS_MIGRATIONS (A_FIELD ",{'id':'b','type':'integer','label':'B'},{'id':'c','type':'integer','label':'C'}",
                                                  "{'from_version':1,'renamed':{'a':'b','b':'c'}}"),
    "inline.json: migrations[0].renamed.a: “a” is renamed to “b”, which is itself renamed to “c”; renames in one migration may swap two fields but not form a chain" },
  { "migration-renamed-chain-reversed", FIELDS_MIGRATIONS (A_FIELD ",{'id':'b','type':'integer','label':'B'},{'id':'c','type':'integer','label':'C'}",
                                                           "{'from_version':1,'renamed':{'b':'c','a':'b'}}"),
    "inline.json: migrations[0].renamed.a: “a” is renamed to “b”, which is itself renamed to “c”" },
  { "migration-renamed-cycle", FIELDS_MIGRATIONS (A_FIELD ",{'id':'b','type':'integer','label':'B'},{'id':'c','type':'integer','label':'C'}",
                                                  "{'from_version':1,'renamed':{'a':'b','b':'c','c':'a'}}"),
    "inline.json: migrations[0].renamed.a: “a” is renamed to “b”, which is itself renamed to “c”" },
  { "migration-renamed-self", FIELDS_MIGRATIONS (A_FIELD, "{'from_version':1,'renamed':{'a':'a'}}"),
    "inline.json: migrations[0].renamed.a: “a” is renamed to itself" },
  { "migration-renamed-into-table", FIELDS_MIGRATIONS (A_FIELD "," T_TABLE, "{'from_version':1,'renamed':{'x':'t.c'}}"),
    "inline.json: migrations[0].renamed.x: “x” cannot be renamed to “t.c”: a value cannot move into or out of a table" },
  { "migration-renamed-out-of-table", FIELDS_MIGRATIONS (A_FIELD "," T_TABLE, "{'from_version':1,'renamed':{'t.x':'a'}}"),
    "inline.json: migrations[0].renamed.t.x: “t.x” cannot be renamed to “a”: a value cannot move into or out of a table" },
  { "migration-renamed-other-table", FIELDS_MIGRATIONS (T_TABLE, "{'from_version':1,'renamed':{'u.c':'t.c'}}"),
    "inline.json: migrations[0].renamed.u.c: “u.c” cannot be renamed to “t.c”: a column cannot move to another table" },
  { "migration-renamed-old-key", FIELDS_MIGRATIONS (A_FIELD, "{'from_version':1,'renamed':{'Old Name':'a'}}"),
    "inline.json: migrations[0].renamed.Old Name: “Old Name” is not a field’s key (write “id”, or “table.column” for a column)" },
  { "migration-removed-still-field", FIELDS_MIGRATIONS (A_FIELD, "{'from_version':1,'removed':['gone','a']}"),
    "inline.json: migrations[0].removed[1]: “a” is still a field of this version, so its values cannot be removed" },
  { "migration-removed-still-column", FIELDS_MIGRATIONS (T_TABLE, "{'from_version':1,'removed':['t.c']}"),
    "inline.json: migrations[0].removed[0]: “t.c” is still a field of this version" },
  { "migration-removed-rename-target", FIELDS_MIGRATIONS (A_FIELD, "{'from_version':1,'renamed':{'x':'a'},'removed':['a']}"),
    "inline.json: migrations[0].removed[0]: “a” is still a field of this version" },
  { "migration-removed-and-renamed", FIELDS_MIGRATIONS (A_FIELD, "{'from_version':1,'renamed':{'x':'a'},'removed':['x']}"),
    "inline.json: migrations[0].removed[0]: “x” is renamed to “a” in this migration, so it cannot also be removed" },
  { "migration-removed-key", FIELDS_MIGRATIONS (A_FIELD, "{'from_version':1,'removed':['t.']}"),
    "inline.json: migrations[0].removed[0]: “t.” is not a field’s key" },
};

static void
test_invalid (gconstpointer data)
{
  const InvalidCase *test_case = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplate) template_ = load_text (test_case->json, &error);

  g_assert_null (template_);
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID);
  if (strstr (error->message, test_case->expected) == NULL)
    g_error ("“%s” does not contain “%s”", error->message, test_case->expected);
}

static void
test_syntax_error_file (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "templates", "invalid", "syntax.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplate) template_ = bc_template_new_from_file (file, &error);
  g_autofree char *prefix = g_strconcat (path, ":5:", NULL);

  g_assert_null (template_);
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID);
  /* The file, then line and column, as compilers say it. */
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_assert_null (strstr (error->message, "<data>"));
}

static void
test_missing_file (void)
{
  g_autoptr(GFile) file = g_file_new_for_path ("/nonexistent/template.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplate) template_ = bc_template_new_from_file (file, &error);

  g_assert_null (template_);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

/* The bytes this process has read so far (Linux), or -1. */
static gint64
bytes_read (void)
{
  g_autofree char *io = NULL;
  const char *rchar;

  if (!g_file_get_contents ("/proc/self/io", &io, NULL, NULL))
    return -1;
  rchar = strstr (io, "rchar: ");
  if (rchar == NULL)
    return -1;

  return g_ascii_strtoll (rchar + strlen ("rchar: "), NULL, 10);
}

/* A file over the 8 MiB limit is refused by its size, without reading it
 * into memory first (a wrong file could be gigabytes). */
static void
test_large_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("baocao-template-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(BcTemplate) template_ = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *expected = NULL;
  gint64 before, after;

  g_assert_no_error (error);
  folder = g_file_new_for_path (dir);
  path = g_build_filename (dir, "huge.json", NULL);
  file = g_file_new_for_path (path);
  expected = g_strconcat (path, ": the file is too large to be a template", NULL);

  /* 64 MiB, sparse where the file system allows: quick to make. */
  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (G_OUTPUT_STREAM (out), "{", 1, NULL, NULL, &error);
  g_assert_no_error (error);
  g_seekable_truncate (G_SEEKABLE (out), 64 * 1024 * 1024, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error);
  g_assert_no_error (error);

  before = bytes_read ();
  template_ = bc_template_new_from_file (file, &error);
  after = bytes_read ();

  g_assert_null (template_);
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, expected);
  if (before >= 0 && after >= 0)
    g_assert_cmpint (after - before, <, 1024 * 1024);
  else
    g_test_message ("cannot count the bytes read here; only the error was checked");

  g_clear_error (&error);
  g_file_delete (file, NULL, &error);
  g_assert_no_error (error);
  g_file_delete (folder, NULL, &error);
  g_assert_no_error (error);
}

static void
test_hostile_json (void)
{
  g_autoptr(GString) deep = g_string_new ("{'format':1,'x':");
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplate) template_ = NULL;
  const char not_utf8[] = "{\"format\":1,\n \"id\":\"\xc3\x28\"}";

  /* json-glib recurses per level: this would overflow its stack. */
  for (guint i = 0; i < 200000; i++)
    g_string_append_c (deep, '[');
  template_ = load_text (deep->str, &error);
  g_assert_null (template_);
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "inline.json:1:"));
  g_assert_nonnull (strstr (error->message, "nested more than 64 deep"));
  g_clear_error (&error);

  /* Brackets inside strings and comments are not nesting. */
  g_string_assign (deep, "{'format':2, 'x': '");
  for (guint i = 0; i < 1000; i++)
    g_string_append_c (deep, '[');
  g_string_append (deep, "' /* [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ */}");
  template_ = load_text (deep->str, &error);
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "format 2"));
  g_clear_error (&error);

  template_ = bc_template_new_from_data (not_utf8, -1, "bytes.json", &error);
  g_assert_null (template_);
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "bytes.json:2:8: "));
  g_assert_nonnull (strstr (error->message, "UTF-8"));
  g_clear_error (&error);

  /* An embedded NUL is not text either. */
  template_ = bc_template_new_from_data ("{\"format\":1}\0{}", 15, "nul.json", &error);
  g_assert_null (template_);
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID);
  g_clear_error (&error);

  /* Nor is a \u0000 escape: json-glib would cut the label to "A" unseen. */
  template_ = bc_template_new_from_data ("{\"format\":1,\"id\":\"t\",\"version\":1,\"period_type\":\"quarter\",\"title\":\"T\",\n"
                                         "\"sections\":[{\"id\":\"s\",\"title\":\"S\",\"fields\":[\n"
                                         "  {\"id\":\"a\",\"type\":\"text\",\"label\":\"A\\u0000B\"}]}]}",
                                         -1, "nul-escape.json", &error);
  g_assert_null (template_);
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "nul-escape.json:3:37: \\u0000 (a NUL character) cannot appear in a template; remove it");
  g_clear_error (&error);

  /* An escaped backslash before "u0000" is only text. */
  template_ = bc_template_new_from_data ("{\"format\":1,\"id\":\"t\",\"version\":1,\"period_type\":\"quarter\",\"title\":\"T\",\n"
                                         "\"sections\":[{\"id\":\"s\",\"title\":\"S\",\"fields\":[\n"
                                         "  {\"id\":\"a\",\"type\":\"text\",\"label\":\"A\\\\u0000B\"}]}]}",
                                         -1, "backslash.json", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bc_text_get (&field (template_, "a")->label, "vi"), ==, "A\\u0000B");
}

/* ------------------------------------------------------------------------ */
/* Values                                                                   */

typedef struct
{
  const char *field;
  const char *input;
  const char *canonical;  /* NULL: blank */
} GoodValue;

static const GoodValue good_values[] = {
  /* Text */
  { "signer", "  Nguyễn Văn A  ", "Nguyễn Văn A" },
  { "signer", "Nguyễn Văn Anh Hùng", "Nguyễn Văn Anh Hùng" },
  /* Stored in NFC, whatever form it was typed in: decomposed marks, a
   * singleton (the Ohm sign is Ω), a Greek letter with its accent. */
  { "signer", "Nguye\xcc\x82\xcc\x83n", "Nguyễn" },
  { "signer", "\xe2\x84\xa6 \xe2\x80\x94 \xc3\xa9", "\xce\xa9 \xe2\x80\x94 \xc3\xa9" },
  { "signer", "\xce\xb1\xcc\x81", "\xce\xac" },
  { "signer", "a\tb", "a\tb" },
  /* The Enter key or a paste leaves a line end at the end of a line. */
  { "signer", "Nguyễn Văn A\n", "Nguyễn Văn A" },
  { "signer", "\r\nNguyễn Văn A\r\n", "Nguyễn Văn A" },
  { "signer", "Nguyễn Văn A \n\t", "Nguyễn Văn A" },
  { "notes", "dòng 1\r\ndòng 2\rdòng 3\n", "dòng 1\ndòng 2\ndòng 3" },
  { "notes", "\n  thụt lề\n\ncuối", "thụt lề\n\ncuối" },
  { "notes", "cột 1\tcột 2\nhàng 2", "cột 1\tcột 2\nhàng 2" },
  /* Right-to-left text itself is not refused, only the invisible controls. */
  { "notes", "\u05e9\u05dc\u05d5\u05dd", "\u05e9\u05dc\u05d5\u05dd" },
  { "findings.topic", "Hệ thống thư điện tử", "Hệ thống thư điện tử" },
  /* Dates */
  { "report_date", "2018-06-21", "2018-06-21" },
  { "report_date", "21/6/2018", "2018-06-21" },
  { "report_date", "21/06/2018", "2018-06-21" },
  { "report_date", "21-6-2018", "2018-06-21" },
  { "report_date", "1/2/2019", "2019-02-01" },
  { "report_date", "2019-2-1", "2019-02-01" },
  { "report_date", "29/2/2020", "2020-02-29" },
  { "report_date", "1/1/1900", "1900-01-01" },
  { "report_date", "9999-12-31", "9999-12-31" },
  { "findings.due", " 31/12/2020 ", "2020-12-31" },
  /* Choices by value, or by label in either language, in any case and
   * Unicode form. */
  { "area", "district", "district" },
  { "area", "DISTRICT", "district" },
  { "area", "Huyện", "district" },
  { "area", "HUYỆN", "district" },
  { "area", "Huy" "e\xcc\xa3\xcc\x82" "n", "district" },  /* ệ decomposed */
  { "area", "district ", "district" },
  { "area", "Province", "province" },
  { "area", "xã", "commune" },
  { "findings.status", "Chưa khắc phục", "open" },
  { "findings.status", "resolved", "done" },
  /* Yes and no */
  { "signature", "yes", "yes" },
  { "signature", "YES", "yes" },
  { "signature", "có", "yes" },
  { "signature", "Có", "yes" },
  { "signature", "CÓ", "yes" },
  { "signature", "co", "yes" },
  { "signature", "true", "yes" },
  { "signature", "1", "yes" },
  { "signature", "no", "no" },
  { "signature", "Không", "no" },
  { "signature", "KHÔNG", "no" },
  { "signature", "khong", "no" },
  { "signature", "False", "no" },
  { "signature", "0", "no" },
  /* Document references, as JSON or as "number | date | title". */
  { "document", "{\"number\": \"140/BC-UBND\", \"date\": \"21/6/2018\", \"title\": \"Tình hình, kết quả xây dựng Chính quyền điện tử\"}",
    "{\"number\":\"140/BC-UBND\",\"date\":\"2018-06-21\",\"title\":\"Tình hình, kết quả xây dựng Chính quyền điện tử\"}" },
  { "document", "{\"title\": \"Kế hoạch\", \"number\": \"61/KH-UBND\"}", "{\"number\":\"61/KH-UBND\",\"title\":\"Kế hoạch\"}" },
  { "document", "{\"number\": \" 61/KH-UBND \", \"date\": \"\", \"title\": null}", "{\"number\":\"61/KH-UBND\"}" },
  { "document", "140/BC-UBND | 21/06/2018 | Báo cáo quý II", "{\"number\":\"140/BC-UBND\",\"date\":\"2018-06-21\",\"title\":\"Báo cáo quý II\"}" },
  { "document", "140/BC-UBND|2018-06-21", "{\"number\":\"140/BC-UBND\",\"date\":\"2018-06-21\"}" },
  { "document", "140/BC-UBND", "{\"number\":\"140/BC-UBND\"}" },
  { "document", "140/BC-UBND | | Báo cáo", "{\"number\":\"140/BC-UBND\",\"title\":\"Báo cáo\"}" },
  { "document", "312/KL-TTra | 31/5/2018 | Kết luận | phần 2", "{\"number\":\"312/KL-TTra\",\"date\":\"2018-05-31\",\"title\":\"Kết luận | phần 2\"}" },
  { "document", " | | ", NULL },
  /* An escaped backslash before "u0000" is text, not a NUL. */
  { "document", "{\"number\": \"1\\\\u0000\"}", "{\"number\":\"1\\\\u0000\"}" },
  /* Empty input clears the value, whatever the type. */
  { "balance", "", NULL },
  { "cost", "   ", NULL },
  { "paper_pct", " \t", NULL },
  { "signer", "", NULL },
  { "notes", "\n\n", NULL },
  { "report_date", " ", NULL },
  { "area", "", NULL },
  { "signature", "", NULL },
  { "document", "", NULL },
};

/* Numbers as typed in each language (NULL: in both). In Vietnamese "."
 * separates thousands and "," is the decimal mark, in English the other
 * way round, as bc_field_format_value() writes them; a mark that cannot
 * separate thousands can only be a decimal mark. */
typedef struct
{
  const char *lang;
  const char *field;
  const char *input;
  const char *canonical;
} TypedNumber;

static const TypedNumber typed_numbers[] = {
  /* Integers, with Vietnamese, English and spaced thousands. */
  { NULL, "balance", "1200", "1200" },
  { "vi", "balance", "1.200", "1200" },
  { "en", "balance", "1,200", "1200" },
  { NULL, "balance", "1 200", "1200" },
  { NULL, "balance", "1\xc2\xa0" "200", "1200" },
  { NULL, "balance", "1.200.300", "1200300" },
  { NULL, "balance", "1,200,300", "1200300" },
  { NULL, "balance", "1.200.300,0", "1200300" },
  { NULL, "balance", "1,200,300.0", "1200300" },
  { NULL, "balance", "  -3 ", "-3" },
  { NULL, "balance", "+7", "7" },
  { NULL, "balance", "−7", "-7" },
  { "vi", "balance", "-1.250", "-1250" },
  { NULL, "balance", "0012", "12" },
  { NULL, "balance", "-0", "0" },
  { NULL, "balance", "12.0", "12" },
  { NULL, "balance", "12,0", "12" },
  { NULL, "balance", "999999999999999", "999999999999999" },
  /* A lone 0 before a mark is no thousands group: this is zero. */
  { NULL, "balance", "0.000", "0" },
  { NULL, "balance", "0,000", "0" },
  { NULL, "received", "0", "0" },
  /* Decimals. With both marks, the last one is the decimal mark. */
  { NULL, "cost", "1.234,5", "1234.5" },
  { NULL, "cost", "1,234.5", "1234.5" },
  { NULL, "cost", "1 234,5", "1234.5" },
  { NULL, "cost", "1 234.5", "1234.5" },
  { NULL, "cost", "1.234.567", "1234567" },
  { NULL, "cost", "1,234,567", "1234567" },
  /* A lone mark followed by three digits is what the display writes: in
   * Vietnamese "1.250" is one thousand two hundred and fifty and "1,125"
   * is 1.125; in English the other way round. */
  { "vi", "cost", "1.250", "1250" },
  { "vi", "cost", "1.000", "1000" },
  { "vi", "cost", "12.500", "12500" },
  { "vi", "cost", "-1.250", "-1250" },
  { "vi", "cost", "1.250,5", "1250.5" },
  { "vi", "cost", "1,250", "1.25" },
  { "vi", "cost", "1,125", "1.125" },
  { "en", "cost", "1.250", "1.25" },
  { "en", "cost", "1.000", "1" },
  { "en", "cost", "12.500", "12.5" },
  { "en", "cost", "1,250", "1250" },
  { "en", "cost", "1.125", "1.125" },
  { "en", "cost", "1,250.5", "1250.5" },
  /* A mark that cannot separate thousands is the decimal mark, whichever
   * it is: "1.25" and "0.5" as the English write them. */
  { NULL, "cost", "12.5", "12.5" },
  { NULL, "cost", "12,5", "12.5" },
  { NULL, "cost", "12,50", "12.5" },
  { NULL, "cost", "1.25", "1.25" },
  { NULL, "cost", "1,25", "1.25" },
  { NULL, "cost", "0.5", "0.5" },
  { NULL, "cost", "0,5", "0.5" },
  { NULL, "cost", ",5", "0.5" },
  { NULL, "cost", "-0,0", "0" },
  { NULL, "cost", "5.", "5" },
  { NULL, "cost", "1234.567", "1234.567" },
  { NULL, "cost", "0.000001", "0.000001" },
  { NULL, "cost", "0.500", "0.5" },
  { NULL, "cost", "0,500", "0.5" },
  /* Ten decimal places at most; trailing zeros do not count. */
  { NULL, "cost", "0.0123456789", "0.0123456789" },
  { NULL, "cost", "12.500000000000000000", "12.5" },
  /* Percentages, as numbers from 0 to 100, by the same rule. */
  { NULL, "paper_pct", "25", "25" },
  { NULL, "paper_pct", "25%", "25" },
  { NULL, "paper_pct", "25,5", "25.5" },
  { NULL, "paper_pct", "25.5", "25.5" },
  { NULL, "paper_pct", "25,5 %", "25.5" },
  { NULL, "paper_pct", "0", "0" },
  { NULL, "paper_pct", "100", "100" },
  { NULL, "paper_pct", "100,0%", "100" },
  { NULL, "paper_pct", "99,9999999999", "99.9999999999" },
  { "vi", "paper_pct", "12,125%", "12.125" },
  { "en", "paper_pct", "12.125%", "12.125" },
  { NULL, "electronic_pct", "90", "90" },
};

/* Refused in one language (NULL: in both), with what to write instead. */
static const TypedNumber ambiguous_numbers[] = {
  /* In an integer field, the language's decimal mark before three digits
   * would turn a whole number into a fraction ("1,250") or a thousand into
   * one ("1,000") for a reader of the other habit. */
  { "vi", "balance", "1,250", "the comma in “1,250” marks decimals. To write thousands, use a dot or nothing: 1.250 or 1250." },
  { "vi", "balance", "1,000", "1.000 or 1000" },
  { "vi", "balance", "-1,250", "-1.250 or -1250" },
  { "vi", "received", "12,500", "12.500 or 12500" },
  { "en", "balance", "1.250", "the point in “1.250” marks decimals. To write thousands, use a comma or nothing: 1,250 or 1250." },
  { "en", "balance", "1.000", "1,000 or 1000" },
  { "en", "received", "12.500", "12,500 or 12500" },
  /* A fraction is not a whole number in either language. */
  { NULL, "balance", "12.5", "has a fractional part" },
  { NULL, "balance", "12,5", "has a fractional part" },
  { NULL, "balance", "0.500", "has a fractional part" },
  { NULL, "balance", "1.250,5", "has a fractional part" },
  { NULL, "balance", "1,250.5", "has a fractional part" },
};

typedef struct
{
  const char *field;
  const char *input;
  const char *message;  /* a substring of the English message */
} BadValue;

static const BadValue bad_values[] = {
  { "balance", "abc", "“Balance” must be a whole number, such as 1200; “abc” is not a number." },
  { "balance", "12.5", "“Balance” must be a whole number; “12.5” has a fractional part." },
  { "balance", "12,5", "has a fractional part" },
  { "balance", "1.20", "has a fractional part" },
  { "balance", "1 2", "is not a number" },
  { "balance", "1.2.3", "is not a number" },
  { "balance", "1,200.300", "has a fractional part" },
  { "balance", "1e5", "is not a number" },
  { "balance", "0x10", "is not a number" },
  { "balance", "--3", "is not a number" },
  { "balance", "-", "is not a number" },
  { "balance", ".", "is not a number" },
  { "balance", "nan", "is not a number" },
  { "balance", "inf", "is not a number" },
  { "balance", "1 200.300", "has a fractional part" },
  { "balance", "1234567890123456", "“Balance” is too large" },
  /* "0.500" is a half, not five hundred. */
  { "balance", "0.500", "“Balance” must be a whole number; “0.500” has a fractional part." },
  { "balance", "0,500", "must be a whole number" },
  { "balance", "-0.500", "must be a whole number" },
  { "balance", "0.500.000", "“Balance” must be a whole number, such as 1200; “0.500.000” is not a number." },
  { "balance", "0 500", "must be a whole number" },
  { "balance", "01.200", "must be a whole number" },
  { "balance", "00000000000000000000000000000000000000000000000000000000000000001", "“Balance” is too long to be a number." },
  { "received", "-3", "“Dossiers received” must be at least 0." },
  { "cost", "abc", "“Cost” must be a number, such as 12 or 12.5; “abc” is not a number." },
  { "cost", "12.5.6", "is not a number" },
  { "cost", "1,2,3.4,5", "is not a number" },
  { "cost", "1.5,200", "is not a number" },
  { "cost", "NaN", "is not a number" },
  { "cost", "Infinity", "is not a number" },
  { "cost", "1e308", "is not a number" },
  { "cost", "0.00000000001", "“Cost” can have at most 10 decimal places; round “0.00000000001” to fewer." },
  { "cost", "1,23456789012", "at most 10 decimal places" },
  { "cost", "0.500.000", "is not a number" },
  { "paper_pct", "150", "“Paper documents” must be between 0 and 100 percent; “150” is not." },
  { "paper_pct", "100.5%", "must be between 0 and 100 percent" },
  { "paper_pct", "-1", "must be between 0 and 100 percent" },
  { "paper_pct", "%", "“Paper documents” must be a percentage between 0 and 100" },
  { "paper_pct", "25%%", "is not a number" },
  /* Past 100 by less than a double can tell. */
  { "paper_pct", "100,00000000000000000001", "at most 10 decimal places" },
  { "paper_pct", "100.00000000000000000001%", "at most 10 decimal places" },
  { "paper_pct", "100,0000000001", "“Paper documents” must be between 0 and 100 percent; “100,0000000001” is not." },
  { "paper_pct", "-0,0000000001", "must be between 0 and 100 percent" },
  { "paper_pct", "abc", "is not a number" },
  { "electronic_pct", "95", "“Electronic documents” must be at most 90%." },
  { "signer", "Nguyễn Văn Anh Hùng A", "“Signer” can hold at most 20 characters" },
  { "signer", "dòng 1\ndòng 2", "“Signer” must be a single line of text." },
  { "signer", "a\rb", "must be a single line of text" },
  { "signer", "a\x01" "b", "“Signer” contains an invisible control character (U+0001); remove it and type the text again." },
  { "signer", "dòng 1\r\ndòng 2\n", "“Signer” must be a single line of text." },
  /* Line and paragraph separators, and NEXT LINE, are line breaks too. */
  { "signer", "a\u2028b", "“Signer” must be a single line of text." },
  { "signer", "a\u2029b", "must be a single line of text" },
  { "signer", "a\xc2\x85" "b", "must be a single line of text" },
  /* C1 controls, and the bidirectional overrides and isolates that make a
   * name read differently from what is stored. */
  { "signer", "a\xc2\x80" "b", "invisible control character (U+0080)" },
  { "signer", "a\xc2\x9b" "b", "invisible control character (U+009B)" },
  { "signer", "a\x7f" "b", "invisible control character (U+007F)" },
  { "signer", "Nguy\u202en A", "invisible control character (U+202E)" },
  { "signer", "a\u202ab", "invisible control character (U+202A)" },
  { "signer", "a\u2066b", "invisible control character (U+2066)" },
  { "signer", "a\u2069b", "invisible control character (U+2069)" },
  { "notes", "a\n\u2028b", "“Notes” contains an invisible control character (U+2028)" },
  { "notes", "a\n\u2029b", "invisible control character (U+2029)" },
  { "notes", "a\xc2\x85" "b", "invisible control character (U+0085)" },
  { "notes", "a\n\u202db", "invisible control character (U+202D)" },
  { "notes", "a\u2067\nb", "invisible control character (U+2067)" },
  { "notes", "a\x0c" "b", "invisible control character (U+000C)" },
  { "signer", "\xc3\x28", "“Signer” must be text in UTF-8." },
  { "notes", "a\x1b" "b", "contains an invisible control character (U+001B)" },
  { "report_date", "31/2/2018", "“Report date” must be a real date; 31/2/2018 does not exist." },
  { "report_date", "2018-02-30", "2018-02-30 does not exist" },
  { "report_date", "29/2/2019", "does not exist" },
  { "report_date", "32/1/2018", "does not exist" },
  { "report_date", "1/13/2018", "does not exist" },
  { "report_date", "0/1/2018", "does not exist" },
  { "report_date", "1/1/1899", "“Report date” must be between the years 1900 and 9999; 1/1/1899 is not." },
  { "report_date", "0000-01-01", "must be between the years 1900 and 9999" },
  { "report_date", "31/12/1899", "must be between the years 1900 and 9999" },
  { "report_date", "abc", "“Report date” must be a date such as 21/06/2018; “abc” is not a date." },
  { "report_date", "21/06/18", "is not a date" },
  { "report_date", "2018/06/21", "is not a date" },
  { "report_date", "21/6-2018", "is not a date" },
  { "report_date", "21.6.2018", "is not a date" },
  { "report_date", "2018-06-21T10:00", "is not a date" },
  { "report_date", "121/6/2018", "is not a date" },
  { "area", "city", "“Level” cannot be “city”; choose one of: province (Province), district (District), commune (Xã)." },
  { "findings.status", "maybe", "choose one of: done (Resolved), open (Open)" },
  { "signature", "maybe", "“Digital signature integrated” must be yes or no; “maybe” is neither." },
  { "signature", "2", "must be yes or no" },
  { "signature", "y", "must be yes or no" },
  { "document", " | 21/6/2018 | Báo cáo", "“Document number” needs the document’s number and symbol" },
  { "document", "140/BC-UBND | 31/2/2018", "“Document number” must be a real date; 31/2/2018 does not exist." },
  { "document", "140/BC-UBND | hôm qua", "“Document number” must be a date such as 21/06/2018; “hôm qua” is not a date." },
  { "document", "{\"date\": \"2018-06-21\"}", "needs the document’s number and symbol" },
  { "document", "{\"number\": \"1\", \"signer\": \"A\"}", "not “signer”" },
  { "document", "{\"number\": 140}", "the “number” of a document reference must be text" },
  { "document", "{\"number\": \"1\", \"title\": \"\\udc00x\"}", "the “title” of a document reference must be text" },
  { "document", "{\"number\": \"1\"", "the JSON object given is not valid" },
  { "document", "{\"number\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
    "the JSON object given is not valid" },
  { "document", "140/BC-UBND | | Báo cáo\ncó hai dòng", "must be on a single line" },
  { "document", "140/BC-UBND | 1/1/1800", "“Document number” must be between the years 1900 and 9999" },
  /* json-glib would cut the text at the NUL and store "140/BC". */
  { "document", "{\"number\": \"140/BC\\u0000-UBND\"}", "“Document number” must be on a single line, without control characters." },
  { "document", "{\"number\": \"1\", \"title\": \"a\\u0000\"}", "must be on a single line" },
  { "document", "{\"number\": \"1\", \"title\": \"a\\u202eb\"}", "must be on a single line" },
  { "document", "140/BC-UBND | | a\u2066b", "must be on a single line" },
  { "findings", "3", "“Findings” is a table: add rows to it and fill in their cells instead." },
  { "resolved_pct", "50", "“Share of dossiers resolved” is computed and cannot be entered." },
  { "findings.remaining", "1", "“Tasks remaining” is computed and cannot be entered." },
  { "resolved_share", "", "is computed and cannot be entered" },
};

static void
test_parse_good_values (void)
{
  g_autoptr(BcTemplate) template_ = load_fixture ("sample-v1.json");

  for (guint i = 0; i < G_N_ELEMENTS (good_values); i++)
    {
      const GoodValue *value = &good_values[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *canonical = NULL;
      g_autofree char *again = NULL;
      gboolean ok;

      g_autofree char *escaped = g_strescape (value->input, NULL);

      g_test_message ("%s ← “%s”", value->field, escaped);
      ok = bc_field_parse_value (field (template_, value->field), value->input, &canonical, &error);
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpstr (canonical, ==, value->canonical);

      /* The stored form reads back as itself: stored values are checked
       * again (validation, import, the server). */
      if (canonical != NULL)
        {
          ok = bc_field_parse_stored_lang (field (template_, value->field), canonical, NULL, &again, &error);
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpstr (again, ==, canonical);
        }
    }
}

/* Reads `input` as typed in `lang`, and checks that what is stored reads
 * back as itself, both as stored and as the display shows it in `lang`. */
static void
assert_typed_number (const BcField *f,
                     const char    *lang,
                     const char    *input,
                     const char    *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *stored_again = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *shown_again = NULL;

  g_test_message ("%s: %s ← “%s”", lang, f->id, input);
  g_assert_true (bc_field_parse_value_lang (f, input, lang, &canonical, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (canonical, ==, expected);

  /* The path the window and the command line take: the user's language. */
  g_setenv ("BAOCAO_LANGUAGE", lang, TRUE);
  g_clear_pointer (&canonical, g_free);
  g_assert_true (bc_field_parse_value (f, input, &canonical, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (canonical, ==, expected);
  g_unsetenv ("BAOCAO_LANGUAGE");

  g_assert_true (bc_field_parse_stored_lang (f, canonical, lang, &stored_again, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (stored_again, ==, canonical);

  shown = bc_field_format_value (f, canonical, lang);
  g_assert_true (bc_field_parse_value_lang (f, shown, lang, &shown_again, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (shown_again, ==, canonical);
}

static void
test_parse_typed_numbers (void)
{
  g_autoptr(BcTemplate) template_ = load_fixture ("sample-v1.json");
  static const char * const langs[] = { "vi", "en" };

  for (guint i = 0; i < G_N_ELEMENTS (typed_numbers); i++)
    for (guint l = 0; l < G_N_ELEMENTS (langs); l++)
      if (typed_numbers[i].lang == NULL || g_str_equal (typed_numbers[i].lang, langs[l]))
        assert_typed_number (field (template_, typed_numbers[i].field), langs[l],
                             typed_numbers[i].input, typed_numbers[i].canonical);
}

/* What Baocao shows reads back as the same value, in each language: a
 * budget of 1.250 (million đồng) typed as shown is not 1,25. */
static void
test_display_reads_back (void)
{
  g_autoptr(BcTemplate) template_ = load_fixture ("sample-v1.json");
  static const struct { const char *field; const char *stored; const char *vi; const char *en; } cases[] = {
    { "balance", "1250", "1.250", "1,250" },
    { "balance", "1000", "1.000", "1,000" },
    { "balance", "-1250", "-1.250", "-1,250" },
    { "balance", "999999999999999", "999.999.999.999.999", "999,999,999,999,999" },
    { "balance", "125", "125", "125" },
    { "balance", "0", "0", "0" },
    { "cost", "1250", "1.250", "1,250" },
    { "cost", "1250.5", "1.250,5", "1,250.5" },
    { "cost", "1.25", "1,25", "1.25" },
    { "cost", "1.125", "1,125", "1.125" },
    { "cost", "0.5", "0,5", "0.5" },
    { "cost", "1000", "1.000", "1,000" },
    { "cost", "12500", "12.500", "12,500" },
    { "cost", "1234567.891", "1.234.567,891", "1,234,567.891" },
    { "cost", "-1250.75", "-1.250,75", "-1,250.75" },
    { "cost", "0.0000000001", "0,0000000001", "0.0000000001" },
    { "paper_pct", "12.125", "12,125%", "12.125%" },
    { "paper_pct", "100", "100%", "100%" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const BcField *f = field (template_, cases[i].field);
      g_autofree char *vi = bc_field_format_value (f, cases[i].stored, "vi");
      g_autofree char *en = bc_field_format_value (f, cases[i].stored, "en");

      g_assert_cmpstr (vi, ==, cases[i].vi);
      g_assert_cmpstr (en, ==, cases[i].en);
      assert_typed_number (f, "vi", vi, cases[i].stored);
      assert_typed_number (f, "en", en, cases[i].stored);
    }
}

static void
test_parse_ambiguous_numbers (void)
{
  g_autoptr(BcTemplate) template_ = load_fixture ("sample-v1.json");
  static const char * const langs[] = { "vi", "en" };

  g_setenv ("BAOCAO_LANGUAGE", "en", TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (ambiguous_numbers); i++)
    for (guint l = 0; l < G_N_ELEMENTS (langs); l++)
      {
        const TypedNumber *number = &ambiguous_numbers[i];
        const BcField *f = field (template_, number->field);
        g_autoptr(GError) error = NULL;
        char *canonical = (char *) "untouched";

        if (number->lang != NULL && !g_str_equal (number->lang, langs[l]))
          {
            g_autofree char *read = NULL;

            /* Where the language's thousands mark is there, it is read
             * as one. */
            g_assert_true (bc_field_parse_value_lang (f, number->input, langs[l], &read, &error));
            g_assert_no_error (error);
            continue;
          }

        g_test_message ("%s: %s ← “%s”", langs[l], number->field, number->input);
        g_assert_false (bc_field_parse_value_lang (f, number->input, langs[l], &canonical, &error));
        g_assert_null (canonical);
        g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_VALUE);
        if (strstr (error->message, number->canonical) == NULL)
          g_error ("“%s” does not contain “%s”", error->message, number->canonical);
      }
  g_unsetenv ("BAOCAO_LANGUAGE");
}

/* Stored values, imported files and the wire write numbers as programs
 * do, with "." as the decimal mark, and read the same in every language:
 * a stored 1.125 is not one thousand one hundred and twenty-five. */
static void
test_parse_stored_numbers (void)
{
  g_autoptr(BcTemplate) template_ = load_fixture ("sample-v1.json");
  static const struct { const char *field; const char *text; const char *canonical; } cases[] = {
    { "cost", "1.125", "1.125" },
    { "cost", "1.25", "1.25" },
    { "cost", "1.250", "1.25" },
    { "cost", "1250.5", "1250.5" },
    { "cost", "-0.5", "-0.5" },
    { "paper_pct", "12.125", "12.125" },
    { "balance", "1250", "1250" },
    /* Before numbers followed the language, a template's defaults and
     * imported files could write thousands this way; they still can. */
    { "balance", "1.200", "1200" },
    { "balance", "1,200", "1200" },
  };
  static const char * const langs[] = { "vi", "en" };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (guint l = 0; l < G_N_ELEMENTS (langs); l++)
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *canonical = NULL;

        g_test_message ("%s: %s ← “%s”", langs[l], cases[i].field, cases[i].text);
        g_assert_true (bc_field_parse_stored_lang (field (template_, cases[i].field), cases[i].text,
                                                   langs[l], &canonical, &error));
        g_assert_no_error (error);
        g_assert_cmpstr (canonical, ==, cases[i].canonical);
      }

  /* Its messages are in the language asked for, and it changes nothing. */
  {
    g_autoptr(GError) error = NULL;
    char *canonical = (char *) "untouched";

    g_assert_false (bc_field_parse_stored_lang (field (template_, "balance"), "12.5", "vi", &canonical, &error));
    g_assert_null (canonical);
    g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_VALUE);
    g_assert_nonnull (strstr (error->message, "“Chênh lệch”"));
  }
}

static void
test_parse_bad_values (void)
{
  g_autoptr(BcTemplate) template_ = load_fixture ("sample-v1.json");

  g_setenv ("BAOCAO_LANGUAGE", "en", TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (bad_values); i++)
    {
      const BadValue *value = &bad_values[i];
      g_autoptr(GError) error = NULL;
      char *canonical = (char *)"untouched";
      gboolean ok;

      g_autofree char *escaped = g_strescape (value->input, NULL);

      g_test_message ("%s ← “%s”", value->field, escaped);
      ok = bc_field_parse_value (field (template_, value->field), value->input, &canonical, &error);
      g_assert_false (ok);
      g_assert_null (canonical);
      g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_VALUE);
      if (strstr (error->message, value->message) == NULL)
        g_error ("“%s” does not contain “%s”", error->message, value->message);
    }
  g_unsetenv ("BAOCAO_LANGUAGE");
}

/* The message names the field as the user reads the form. */
static void
test_parse_error_language (void)
{
  g_autoptr(BcTemplate) template_ = load_fixture ("sample-v1.json");
  const BcField *received = field (template_, "received");
  g_autoptr(GError) error = NULL;
  g_autofree char *canonical = NULL;

  g_setenv ("BAOCAO_LANGUAGE", "vi", TRUE);
  g_assert_false (bc_field_parse_value (received, "nhiều", &canonical, &error));
  g_assert_nonnull (strstr (error->message, "“Số hồ sơ tiếp nhận”"));
  g_clear_error (&error);

  g_assert_false (bc_field_parse_value (received, "-5", &canonical, &error));
  g_assert_nonnull (strstr (error->message, "“Số hồ sơ tiếp nhận”"));
  g_clear_error (&error);

  /* Limits are written as the user writes numbers. */
  g_assert_false (bc_field_parse_value (field (template_, "electronic_pct"), "90,5", &canonical, &error));
  g_assert_nonnull (strstr (error->message, "“Tỷ lệ văn bản điện tử”"));
  g_assert_nonnull (strstr (error->message, "90%"));
  g_clear_error (&error);

  g_setenv ("BAOCAO_LANGUAGE", "en", TRUE);
  g_assert_false (bc_field_parse_value (received, "nhiều", &canonical, &error));
  g_assert_nonnull (strstr (error->message, "“Dossiers received”"));
  g_unsetenv ("BAOCAO_LANGUAGE");
}

/* Validation reports in the language it is asked for, whatever the
 * process's own: the label, the choices and the limits follow `lang`. */
static void
test_parse_error_requested_language (void)
{
  g_autoptr(BcTemplate) template_ = load_fixture ("sample-v1.json");
  g_autoptr(GError) error = NULL;
  g_autofree char *canonical = NULL;

  g_setenv ("BAOCAO_LANGUAGE", "vi", TRUE);
  g_assert_false (bc_field_parse_value_lang (field (template_, "received"), "nhiều", "en", &canonical, &error));
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_VALUE);
  g_assert_nonnull (strstr (error->message, "“Dossiers received”"));
  g_assert_null (canonical);
  g_clear_error (&error);

  g_assert_false (bc_field_parse_value_lang (field (template_, "area"), "city", "en", &canonical, &error));
  g_assert_nonnull (strstr (error->message, "“Level” cannot be “city”; choose one of: province (Province), district (District)"));
  g_clear_error (&error);

  /* NULL is the user's language; so is bc_field_parse_value(). */
  g_assert_false (bc_field_parse_value_lang (field (template_, "received"), "nhiều", NULL, &canonical, &error));
  g_assert_nonnull (strstr (error->message, "“Số hồ sơ tiếp nhận”"));
  g_clear_error (&error);

  g_setenv ("BAOCAO_LANGUAGE", "en", TRUE);
  g_assert_false (bc_field_parse_value_lang (field (template_, "electronic_pct"), "95", "vi", &canonical, &error));
  g_assert_nonnull (strstr (error->message, "“Tỷ lệ văn bản điện tử”"));
  g_clear_error (&error);

  g_assert_false (bc_field_parse_value_lang (field (template_, "report_date"), "1/1/1899", "vi", &canonical, &error));
  g_assert_nonnull (strstr (error->message, "“Ngày báo cáo”"));
  g_clear_error (&error);

  /* A value written the same way in both languages means the same. */
  g_assert_true (bc_field_parse_value_lang (field (template_, "balance"), "1 200", "en", &canonical, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (canonical, ==, "1200");
  g_clear_pointer (&canonical, g_free);
  g_assert_true (bc_field_parse_value_lang (field (template_, "balance"), "1 200", "vi", &canonical, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (canonical, ==, "1200");
  g_unsetenv ("BAOCAO_LANGUAGE");
}

/* Canonical number text, shared by fields, templates and expressions. */
static void
test_format_number (void)
{
  static const struct { double value; const char *text; } cases[] = {
    { 0, "0" },
    { -0.0, "0" },
    { 1200, "1200" },
    { -3, "-3" },
    { 12.5, "12.5" },
    { -1234.75, "-1234.75" },
    { 0.1, "0.1" },
    { 0.1 + 0.2, "0.3" },
    { 1.0 / 3, "0.333333333333333" },
    { 999999999999999, "999999999999999" },
    { 123456789012.5, "123456789012.5" },
    { 1e-7, "1e-07" },
  };
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpstr (_bc_format_number (cases[i].value, buffer, sizeof buffer), ==, cases[i].text);
}

static void
test_parse_date (void)
{
  static const struct { const char *text; BcDateProblem problem; guint day, month, year; } cases[] = {
    { "2018-06-21", BC_DATE_PROBLEM_NONE, 21, 6, 2018 },
    { "2018-6-1", BC_DATE_PROBLEM_NONE, 1, 6, 2018 },
    { "21/6/2018", BC_DATE_PROBLEM_NONE, 21, 6, 2018 },
    { "21/06/2018", BC_DATE_PROBLEM_NONE, 21, 6, 2018 },
    { "21-6-2018", BC_DATE_PROBLEM_NONE, 21, 6, 2018 },
    { "1/1/1900", BC_DATE_PROBLEM_NONE, 1, 1, 1900 },
    { "31/12/9999", BC_DATE_PROBLEM_NONE, 31, 12, 9999 },
    { "31/2/2018", BC_DATE_PROBLEM_NONEXISTENT, 0, 0, 0 },
    { "2018-13-01", BC_DATE_PROBLEM_NONEXISTENT, 0, 0, 0 },
    { "0/1/2018", BC_DATE_PROBLEM_NONEXISTENT, 0, 0, 0 },
    { "31/12/1899", BC_DATE_PROBLEM_OUT_OF_RANGE, 0, 0, 0 },
    { "0000-01-01", BC_DATE_PROBLEM_OUT_OF_RANGE, 0, 0, 0 },
    { "1/1/10000", BC_DATE_PROBLEM_MALFORMED, 0, 0, 0 },
    { "21.6.2018", BC_DATE_PROBLEM_MALFORMED, 0, 0, 0 },
    { "21/6-2018", BC_DATE_PROBLEM_MALFORMED, 0, 0, 0 },
    { "", BC_DATE_PROBLEM_MALFORMED, 0, 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      BcDateProblem problem = BC_DATE_PROBLEM_NONE;
      GDate date;
      gboolean ok;

      g_test_message ("“%s”", cases[i].text);
      ok = _bc_parse_date (cases[i].text, &date, &problem);
      g_assert_cmpint (problem, ==, cases[i].problem);
      g_assert_cmpint (ok, ==, cases[i].problem == BC_DATE_PROBLEM_NONE);
      if (ok)
        {
          g_assert_cmpuint (g_date_get_day (&date), ==, cases[i].day);
          g_assert_cmpuint (g_date_get_month (&date), ==, cases[i].month);
          g_assert_cmpuint (g_date_get_year (&date), ==, cases[i].year);
        }
      else
        {
          g_assert_false (g_date_valid (&date));
        }
      /* The problem is optional. */
      g_assert_cmpint (_bc_parse_date (cases[i].text, &date, NULL), ==, ok);
    }
}

static void
test_decimal_limits (void)
{
  g_autoptr(BcTemplate) template_ = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *canonical = NULL;

  template_ = load_text (FIELDS ("{'id':'rate','type':'decimal','label':'Rate','min':0.5,'max':1234.75}"), &error);
  g_assert_no_error (error);

  g_setenv ("BAOCAO_LANGUAGE", "en", TRUE);
  g_assert_false (bc_field_parse_value (field (template_, "rate"), "0,25", &canonical, &error));
  g_assert_nonnull (strstr (error->message, "“Rate” must be between 0.5 and 1,234.75."));
  g_clear_error (&error);

  g_setenv ("BAOCAO_LANGUAGE", "vi", TRUE);
  g_assert_false (bc_field_parse_value (field (template_, "rate"), "2000", &canonical, &error));
  g_assert_nonnull (strstr (error->message, "0,5"));
  g_assert_nonnull (strstr (error->message, "1.234,75"));
  g_clear_error (&error);
  g_unsetenv ("BAOCAO_LANGUAGE");

  g_assert_true (bc_field_parse_value (field (template_, "rate"), "1.234,75", &canonical, &error));
  g_assert_cmpstr (canonical, ==, "1234.75");
}

/* Limits compare with the digits typed, not with their nearest double. */
static void
test_exact_limits (void)
{
  g_autoptr(BcTemplate) template_ = NULL;
  g_autoptr(GError) error = NULL;
  const BcField *big, *small, *negative;

  template_ = load_text (FIELDS ("{'id':'big','type':'decimal','label':'Big','max':999999999999999},"
                                 "{'id':'small','type':'decimal','label':'Small','min':0.1,'max':0.3},"
                                 "{'id':'negative','type':'decimal','label':'Negative','min':-5.5}"), &error);
  g_assert_no_error (error);
  big = field (template_, "big");
  small = field (template_, "small");
  negative = field (template_, "negative");

  g_setenv ("BAOCAO_LANGUAGE", "en", TRUE);
  {
    static const struct { const char *field; const char *input; const char *canonical; } cases[] = {
      /* As doubles both are 999999999999999: the limit must still hold. */
      { "big", "999999999999999", "999999999999999" },
      { "big", "999999999999999,0000000001", NULL },
      { "big", "999999999999998.9999999999", "999999999999998.9999999999" },
      /* 0.1 and 0.3 are not exact in binary; as typed they are the limits. */
      { "small", "0.1", "0.1" },
      { "small", "0,3", "0.3" },
      { "small", "0.0999999999", NULL },
      { "small", "0.3000000001", NULL },
      { "negative", "-5.5", "-5.5" },
      { "negative", "-5.5000000001", NULL },
      { "negative", "-6", NULL },
      { "negative", "-0", "0" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autofree char *canonical = NULL;
        gboolean ok;

        g_test_message ("%s ← “%s”", cases[i].field, cases[i].input);
        ok = bc_field_parse_value (field (template_, cases[i].field), cases[i].input, &canonical, &error);
        g_assert_cmpstr (canonical, ==, cases[i].canonical);
        if (cases[i].canonical != NULL)
          {
            g_assert_no_error (error);
            g_assert_true (ok);
          }
        else
          {
            g_assert_false (ok);
            g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_VALUE);
            g_clear_error (&error);
          }
      }
  }

  /* The limits in the messages are the template's numbers. */
  {
    g_autofree char *canonical = NULL;

    g_assert_false (bc_field_parse_value (big, "999999999999999.5", &canonical, &error));
    g_assert_nonnull (strstr (error->message, "“Big” must be at most 999,999,999,999,999."));
    g_clear_error (&error);
    g_assert_false (bc_field_parse_value (small, "0,31", &canonical, &error));
    g_assert_nonnull (strstr (error->message, "“Small” must be between 0.1 and 0.3."));
    g_clear_error (&error);
    g_assert_false (bc_field_parse_value (negative, "-7", &canonical, &error));
    g_assert_nonnull (strstr (error->message, "“Negative” must be at least -5.5."));
    g_clear_error (&error);
  }
  g_unsetenv ("BAOCAO_LANGUAGE");
}

static void
test_text_limits (void)
{
  g_autoptr(BcTemplate) template_ = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *canonical = NULL;

  template_ = load_text (FIELDS ("{'id':'a','type':'text','label':'A'},{'id':'b','type':'long_text','label':'B'}"), &error);
  g_assert_no_error (error);

  /* Defaults: 500 characters on one line, 20000 on several. Characters,
   * not bytes: "ệ" is three bytes. */
  for (guint i = 0; i < 500; i++)
    g_string_append (text, "ệ");
  g_assert_true (bc_field_parse_value (field (template_, "a"), text->str, &canonical, &error));
  g_clear_pointer (&canonical, g_free);
  g_string_append (text, "x");
  g_assert_false (bc_field_parse_value (field (template_, "a"), text->str, &canonical, &error));
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_VALUE);
  g_clear_error (&error);

  g_string_truncate (text, 0);
  for (guint i = 0; i < 2000; i++)
    g_string_append (text, "123456789\n");
  g_assert_true (bc_field_parse_value (field (template_, "b"), text->str, &canonical, &error));
  g_clear_pointer (&canonical, g_free);
  g_string_append (text, "12");
  g_assert_false (bc_field_parse_value (field (template_, "b"), text->str, &canonical, &error));
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_VALUE);
}

static void
test_stored_to_value (void)
{
  g_autoptr(BcTemplate) template_ = load_fixture ("sample-v1.json");
  g_auto(BcValue) value = BC_VALUE_INIT;
  GDate date;

  bc_field_stored_to_value (field (template_, "balance"), "1200", &value);
  g_assert_cmpint (value.kind, ==, BC_VALUE_NUMBER);
  g_assert_cmpfloat (value.number, ==, 1200);

  bc_field_stored_to_value (field (template_, "cost"), "-12.5", &value);
  g_assert_cmpint (value.kind, ==, BC_VALUE_NUMBER);
  g_assert_cmpfloat (value.number, ==, -12.5);

  bc_field_stored_to_value (field (template_, "paper_pct"), "25.5", &value);
  g_assert_cmpint (value.kind, ==, BC_VALUE_NUMBER);
  g_assert_cmpfloat (value.number, ==, 25.5);

  bc_field_stored_to_value (field (template_, "balance"), NULL, &value);
  g_assert_cmpint (value.kind, ==, BC_VALUE_BLANK);

  bc_field_stored_to_value (field (template_, "balance"), "12abc", &value);
  g_assert_cmpint (value.kind, ==, BC_VALUE_BLANK);
  bc_field_stored_to_value (field (template_, "balance"), "", &value);
  g_assert_cmpint (value.kind, ==, BC_VALUE_BLANK);
  bc_field_stored_to_value (field (template_, "cost"), "nan", &value);
  g_assert_cmpint (value.kind, ==, BC_VALUE_BLANK);

  bc_field_stored_to_value (field (template_, "signer"), "Nguyễn Văn A", &value);
  g_assert_cmpint (value.kind, ==, BC_VALUE_TEXT);
  g_assert_cmpstr (value.text, ==, "Nguyễn Văn A");

  bc_field_stored_to_value (field (template_, "area"), "district", &value);
  g_assert_cmpint (value.kind, ==, BC_VALUE_TEXT);
  g_assert_cmpstr (value.text, ==, "district");
  bc_field_stored_to_value (field (template_, "area"), "city", &value);
  g_assert_cmpint (value.kind, ==, BC_VALUE_BLANK);

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, 21, G_DATE_JUNE, 2018);
  bc_field_stored_to_value (field (template_, "report_date"), "2018-06-21", &value);
  g_assert_cmpint (value.kind, ==, BC_VALUE_DATE);
  g_assert_cmpfloat (value.number, ==, g_date_get_julian (&date));
  bc_field_stored_to_value (field (template_, "report_date"), "21/06/2018", &value);
  g_assert_cmpint (value.kind, ==, BC_VALUE_BLANK);
  bc_field_stored_to_value (field (template_, "report_date"), "2018-02-30", &value);
  g_assert_cmpint (value.kind, ==, BC_VALUE_BLANK);

  bc_field_stored_to_value (field (template_, "signature"), "yes", &value);
  g_assert_cmpint (value.kind, ==, BC_VALUE_BOOLEAN);
  g_assert_true (value.boolean);
  bc_field_stored_to_value (field (template_, "signature"), "no", &value);
  g_assert_cmpint (value.kind, ==, BC_VALUE_BOOLEAN);
  g_assert_false (value.boolean);
  bc_field_stored_to_value (field (template_, "signature"), "có", &value);
  g_assert_cmpint (value.kind, ==, BC_VALUE_BLANK);

  bc_field_stored_to_value (field (template_, "document"),
                            "{\"number\":\"140/BC-UBND\",\"date\":\"2018-06-21\"}", &value);
  g_assert_cmpint (value.kind, ==, BC_VALUE_TEXT);
  g_assert_cmpstr (value.text, ==, "140/BC-UBND");
  bc_field_stored_to_value (field (template_, "document"), "140/BC-UBND", &value);
  g_assert_cmpint (value.kind, ==, BC_VALUE_BLANK);
  bc_field_stored_to_value (field (template_, "document"), "{\"title\":\"x\"}", &value);
  g_assert_cmpint (value.kind, ==, BC_VALUE_BLANK);
}

typedef struct
{
  const char *field;
  const char *stored;
  const char *vi;
  const char *en;
} Formatted;

static const Formatted formatted[] = {
  { "balance", "1200", "1.200", "1,200" },
  { "balance", "-1234567", "-1.234.567", "-1,234,567" },
  { "balance", "12", "12", "12" },
  { "balance", "0", "0", "0" },
  { "cost", "1234.5", "1.234,5", "1,234.5" },
  { "cost", "0.25", "0,25", "0.25" },
  { "paper_pct", "25", "25%", "25%" },
  { "paper_pct", "25.5", "25,5%", "25.5%" },
  { "report_date", "2018-06-21", "21/06/2018", "21/06/2018" },
  { "signature", "yes", "Có", "Yes" },
  { "signature", "no", "Không", "No" },
  { "area", "district", "Huyện", "District" },
  { "area", "commune", "Xã", "Xã" },
  { "findings.status", "open", "Chưa khắc phục", "Open" },
  { "signer", "Nguyễn Văn A", "Nguyễn Văn A", "Nguyễn Văn A" },
  { "notes", "a\nb", "a\nb", "a\nb" },
  { "document", "{\"number\":\"140/BC-UBND\",\"date\":\"2018-06-21\",\"title\":\"Báo cáo quý II\"}",
    "140/BC-UBND ngày 21/06/2018: Báo cáo quý II", "140/BC-UBND of 21/06/2018: Báo cáo quý II" },
  { "document", "{\"number\":\"140/BC-UBND\",\"date\":\"2018-06-21\"}",
    "140/BC-UBND ngày 21/06/2018", "140/BC-UBND of 21/06/2018" },
  { "document", "{\"number\":\"61/KH-UBND\",\"title\":\"Kế hoạch\"}", "61/KH-UBND: Kế hoạch", "61/KH-UBND: Kế hoạch" },
  { "document", "{\"number\":\"61/KH-UBND\"}", "61/KH-UBND", "61/KH-UBND" },
};

static void
test_format_value (void)
{
  g_autoptr(BcTemplate) template_ = load_fixture ("sample-v1.json");

  for (guint i = 0; i < G_N_ELEMENTS (formatted); i++)
    {
      const BcField *f = field (template_, formatted[i].field);
      g_autofree char *vi = bc_field_format_value (f, formatted[i].stored, "vi");
      g_autofree char *en = bc_field_format_value (f, formatted[i].stored, "en");

      g_assert_cmpstr (vi, ==, formatted[i].vi);
      g_assert_cmpstr (en, ==, formatted[i].en);
    }

  for (guint i = 0; i < G_N_ELEMENTS (formatted); i++)
    {
      g_autofree char *blank = bc_field_format_value (field (template_, formatted[i].field), NULL, "vi");

      g_assert_cmpstr (blank, ==, "");
    }
}

/* ------------------------------------------------------------------------ */
/* Registry                                                                 */

static char *
fixture_dir (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "templates", name, NULL);
}

static void
test_registry_lookup (void)
{
  g_autoptr(BcTemplateRegistry) registry = bc_template_registry_new ();
  g_autofree char *good = fixture_dir ("good");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) latest = NULL;
  BcTemplate *template_;

  g_assert_true (bc_template_registry_add_directory (registry, good, &error));
  g_assert_no_error (error);

  template_ = bc_template_registry_lookup_latest (registry, "sample", &error);
  g_assert_no_error (error);
  g_assert_cmpint (bc_template_get_version (template_), ==, 2);

  template_ = bc_template_registry_lookup (registry, "sample", 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bc_template_get_version (template_), ==, 1);
  g_assert_nonnull (bc_template_lookup_field (template_, "cost"));

  template_ = bc_template_registry_lookup (registry, "sample", 2, &error);
  g_assert_no_error (error);
  g_assert_null (bc_template_lookup_field (template_, "cost"));

  template_ = bc_template_registry_lookup (registry, "sample", 3, &error);
  g_assert_null (template_);
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_NOT_FOUND);
  /* The messages suit the window as well as the command line: they list
   * what is installed instead of naming a command to run. */
  g_assert_cmpstr (error->message, ==, "There is no version 3 of the form “sample”. Its installed versions are: 1, 2.");
  g_clear_error (&error);

  template_ = bc_template_registry_lookup_latest (registry, "nope", &error);
  g_assert_null (template_);
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "There is no form “nope”. The installed forms are: other, sample.");
  g_clear_error (&error);

  template_ = bc_template_registry_lookup (registry, "nope", 1, &error);
  g_assert_null (template_);
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "There is no form “nope”. The installed forms are: other, sample.");
  g_clear_error (&error);

  latest = bc_template_registry_list_latest (registry);
  g_assert_cmpuint (latest->len, ==, 2);
  g_assert_cmpstr (bc_template_get_id (g_ptr_array_index (latest, 0)), ==, "other");
  g_assert_cmpint (bc_template_get_period_type (g_ptr_array_index (latest, 0)), ==, BC_PERIOD_YEAR);
  g_assert_cmpstr (bc_template_get_id (g_ptr_array_index (latest, 1)), ==, "sample");
  g_assert_cmpint (bc_template_get_version (g_ptr_array_index (latest, 1)), ==, 2);

  g_assert_finalize_object (g_steal_pointer (&registry));
}

static void
test_registry_errors (void)
{
  g_autoptr(BcTemplateRegistry) registry = bc_template_registry_new ();
  g_autofree char *bad = fixture_dir ("bad");
  g_autofree char *duplicate = fixture_dir ("duplicate");
  g_autofree char *good = fixture_dir ("good");
  g_autoptr(GError) error = NULL;

  /* A bad file fails the folder, naming the file, and adds nothing. */
  g_assert_false (bc_template_registry_add_directory (registry, bad, &error));
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "zz-broken.json:6:"));
  g_clear_error (&error);
  g_assert_null (bc_template_registry_lookup_latest (registry, "okay", NULL));

  /* Two files for one version: both are named. */
  g_assert_false (bc_template_registry_add_directory (registry, duplicate, &error));
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "a.json and "));
  g_assert_nonnull (strstr (error->message, "b.json are both version 1 of the template “dup”"));
  g_clear_error (&error);
  g_assert_null (bc_template_registry_lookup_latest (registry, "dup", NULL));

  /* The same folder twice is the same versions twice. */
  g_assert_true (bc_template_registry_add_directory (registry, good, &error));
  g_assert_no_error (error);
  g_assert_false (bc_template_registry_add_directory (registry, good, &error));
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "are both version 1 of the template “other”"));
  g_clear_error (&error);

  g_assert_false (bc_template_registry_add_directory (registry, "/nonexistent/templates", &error));
  g_assert_nonnull (error);
}

static void
test_registry_add (void)
{
  g_autoptr(BcTemplateRegistry) registry = bc_template_registry_new ();
  g_autoptr(BcTemplate) first = load_fixture ("sample-v1.json");
  g_autoptr(BcTemplate) again = load_fixture ("sample-v1.json");
  g_autoptr(GPtrArray) latest = NULL;

  bc_template_registry_add (registry, first);
  g_assert_true (bc_template_registry_lookup (registry, "sample", 1, NULL) == first);

  /* Adding a template of the same id and version replaces the first. */
  bc_template_registry_add (registry, again);
  g_assert_true (bc_template_registry_lookup (registry, "sample", 1, NULL) == again);
  latest = bc_template_registry_list_latest (registry);
  g_assert_cmpuint (latest->len, ==, 1);
}

/* Lookups lend their templates: one replaced by another of the same id and
 * version must outlive the pointers callers still hold, until the registry
 * itself goes. */
static void
test_registry_replace_keeps_borrowed (void)
{
  g_autoptr(BcTemplateRegistry) registry = bc_template_registry_new ();
  BcTemplate *first = load_fixture ("sample-v1.json");
  g_autoptr(BcTemplate) again = load_fixture ("sample-v1.json");
  BcTemplate *borrowed;
  const BcField *cost;

  bc_template_registry_add (registry, first);
  g_object_add_weak_pointer (G_OBJECT (first), (gpointer *)&first);
  g_object_unref (first);  /* the registry's reference is the only one left */

  borrowed = bc_template_registry_lookup (registry, "sample", 1, NULL);
  g_assert_true (borrowed == first);
  cost = bc_template_lookup_field (borrowed, "cost");

  bc_template_registry_add (registry, again);
  g_assert_true (bc_template_registry_lookup (registry, "sample", 1, NULL) == again);
  g_assert_nonnull (first);
  g_assert_cmpstr (bc_template_get_id (borrowed), ==, "sample");
  g_assert_cmpstr (cost->id, ==, "cost");

  /* Adding the same object again changes nothing. */
  bc_template_registry_add (registry, again);
  g_assert_true (bc_template_registry_lookup (registry, "sample", 1, NULL) == again);

  g_assert_finalize_object (g_steal_pointer (&registry));
  g_assert_null (first);
}

/* Nothing installed at all. */
static void
test_registry_empty (void)
{
  g_autoptr(BcTemplateRegistry) registry = bc_template_registry_new ();
  g_autoptr(GError) error = NULL;

  g_assert_null (bc_template_registry_lookup_latest (registry, "egov-quarterly", &error));
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "There is no form “egov-quarterly”, and no forms are installed.");
}

static void
test_registry_default (void)
{
  g_autofree char *good = fixture_dir ("good");
  g_autofree char *more = fixture_dir ("more");
  g_autofree char *saved = g_strdup (g_getenv ("BAOCAO_TEMPLATE_DIR"));
  g_autofree char *path = g_strjoin (G_SEARCHPATH_SEPARATOR_S, good, "", more, NULL);
  g_autoptr(BcTemplateRegistry) registry = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("BAOCAO_TEMPLATE_DIR", path, TRUE);
  registry = bc_template_registry_new_default (&error);
  g_assert_no_error (error);
  g_assert_nonnull (bc_template_registry_lookup (registry, "sample", 2, NULL));
  g_assert_nonnull (bc_template_registry_lookup (registry, "third", 3, NULL));
  g_clear_object (&registry);

  g_setenv ("BAOCAO_TEMPLATE_DIR", "/nonexistent/templates", TRUE);
  registry = bc_template_registry_new_default (&error);
  g_assert_null (registry);
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* Unset, an uninstalled build finds the shipped forms in the source tree. */
  g_unsetenv ("BAOCAO_TEMPLATE_DIR");
  registry = bc_template_registry_new_default (&error);
  g_assert_no_error (error);
  g_assert_nonnull (bc_template_registry_lookup_latest (registry, "egov-quarterly", NULL));
  g_clear_object (&registry);

  if (saved != NULL)
    g_setenv ("BAOCAO_TEMPLATE_DIR", saved, TRUE);
  else
    g_unsetenv ("BAOCAO_TEMPLATE_DIR");
}

/* ------------------------------------------------------------------------ */
/* The shipped forms                                                        */

static void
check_percentages (const BcField *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *canonical = NULL;

  if (f->type == BC_FIELD_TABLE)
    {
      for (guint i = 0; i < f->columns->len; i++)
        check_percentages (g_ptr_array_index (f->columns, i));
      return;
    }

  if (f->type != BC_FIELD_PERCENTAGE || f->compute != NULL)
    return;

  g_assert_false (bc_field_parse_value (f, "150", &canonical, &error));
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_VALUE);
  g_assert_nonnull (strstr (error->message, "must be between 0 and 100 percent"));
  g_clear_error (&error);

  g_assert_true (bc_field_parse_value (f, "25,5%", &canonical, &error));
  g_assert_cmpstr (canonical, ==, "25.5");
}

static void
test_shipped (void)
{
  g_autoptr(BcTemplateRegistry) registry = NULL;
  g_autoptr(GPtrArray) latest = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *canonical = NULL;
  BcTemplate *egov, *inspection;
  const BcField *f;

  /* The test environment points BAOCAO_TEMPLATE_DIR at data/templates. */
  registry = bc_template_registry_new_default (&error);
  g_assert_no_error (error);

  latest = bc_template_registry_list_latest (registry);
  g_assert_cmpuint (latest->len, >=, 2);

  egov = bc_template_registry_lookup_latest (registry, "egov-quarterly", &error);
  g_assert_no_error (error);
  g_assert_cmpint (bc_template_get_period_type (egov), ==, BC_PERIOD_QUARTER);
  g_assert_nonnull (bc_template_registry_lookup (registry, "egov-quarterly", 1, NULL));

  f = field (egov, "docs_fully_electronic_pct");
  g_assert_true (f == field (egov, "eoffice.docs_fully_electronic_pct"));
  g_assert_cmpint (f->type, ==, BC_FIELD_PERCENTAGE);
  /* Its target is not the form's but Plan 61/KH-UBND's, where that plan is
   * in force (data/templates/qng-kh-61-2019.plan.json, test-plan.c). */
  g_assert_null (f->target);

  f = field (egov, "services.dossiers_received");
  g_assert_cmpint (f->type, ==, BC_FIELD_INTEGER);
  g_assert_true (bc_field_parse_value_lang (f, "1.200", "vi", &canonical, &error));
  g_assert_cmpstr (canonical, ==, "1200");
  g_clear_pointer (&canonical, g_free);

  g_assert_true (bc_field_parse_value (field (egov, "doc_date"), "21/6/2018", &canonical, &error));
  g_assert_cmpstr (canonical, ==, "2018-06-21");
  g_clear_pointer (&canonical, g_free);

  g_assert_nonnull (field (egov, "services_by_sector.sector_level4"));
  /* What one row of each shipped table is called, in both languages. */
  g_assert_cmpstr (bc_text_get (&field (egov, "services_by_sector")->row_label, "vi"), ==, "Lĩnh vực");
  g_assert_cmpstr (bc_text_get (&field (egov, "services_by_sector")->row_label, "en"), ==, "Sector");
  g_assert_cmpstr (bc_text_get (&field (egov, "policy_documents")->row_label, "en"), ==, "Document");
  g_assert_nonnull (field (egov, "services_total")->compute);
  g_assert_nonnull (bc_template_lookup_rule (egov, "dossiers_resolved_within_received"));

  inspection = bc_template_registry_lookup_latest (registry, "inspection-remediation", &error);
  g_assert_no_error (error);
  f = field (inspection, "remediation.findings");
  g_assert_cmpint (f->type, ==, BC_FIELD_TABLE);
  g_assert_cmpstr (f->group_by, ==, "unit");
  g_assert_nonnull (f->carry_forward_if);
  g_assert_nonnull (f->group_summaries);
  g_assert_cmpstr (bc_text_get (&f->row_label, "vi"), ==, "Tồn tại");
  g_assert_cmpstr (bc_text_get (&f->row_label, "en"), ==, "Finding");
  g_assert_true (field (inspection, "findings.status")->table == f);
  g_assert_true (bc_field_parse_value (field (inspection, "findings.status"), "resolved", &canonical, &error));
  g_assert_cmpstr (canonical, ==, "resolved");
  g_clear_pointer (&canonical, g_free);

  g_assert_false (bc_field_parse_value (field (inspection, "resolved_share"), "50", &canonical, &error));
  g_assert_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_VALUE);
  g_clear_error (&error);

  /* Every percentage that is entered refuses 150. */
  for (guint i = 0; i < latest->len; i++)
    {
      GPtrArray *fields = bc_template_get_fields (g_ptr_array_index (latest, i));

      for (guint j = 0; j < fields->len; j++)
        check_percentages (g_ptr_array_index (fields, j));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/template/load", test_load_sample);
  g_test_add_func ("/core/template/rules", test_rules);
  g_test_add_func ("/core/template/migration", test_migration);
  g_test_add_func ("/core/template/migration-safe-renames", test_migration_safe_renames);
  g_test_add_func ("/core/template/names", test_names);
  g_test_add_func ("/core/template/keys", test_keys);
  g_test_add_func ("/core/template/valid-edges", test_valid_edges);
  for (guint i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/core/template/invalid/", invalid_cases[i].name, NULL);

      g_test_add_data_func (path, &invalid_cases[i], test_invalid);
    }
  g_test_add_func ("/core/template/syntax-error-file", test_syntax_error_file);
  g_test_add_func ("/core/template/missing-file", test_missing_file);
  g_test_add_func ("/core/template/large-file", test_large_file);
  g_test_add_func ("/core/template/hostile-json", test_hostile_json);
  g_test_add_func ("/core/template/value/parse-good", test_parse_good_values);
  g_test_add_func ("/core/template/value/parse-bad", test_parse_bad_values);
  g_test_add_func ("/core/template/value/typed-numbers", test_parse_typed_numbers);
  g_test_add_func ("/core/template/value/display-reads-back", test_display_reads_back);
  g_test_add_func ("/core/template/value/ambiguous-numbers", test_parse_ambiguous_numbers);
  g_test_add_func ("/core/template/value/stored-numbers", test_parse_stored_numbers);
  g_test_add_func ("/core/template/value/error-language", test_parse_error_language);
  g_test_add_func ("/core/template/value/error-requested-language", test_parse_error_requested_language);
  g_test_add_func ("/core/template/value/decimal-limits", test_decimal_limits);
  g_test_add_func ("/core/template/value/exact-limits", test_exact_limits);
  g_test_add_func ("/core/template/value/format-number", test_format_number);
  g_test_add_func ("/core/template/value/parse-date", test_parse_date);
  g_test_add_func ("/core/template/value/text-limits", test_text_limits);
  g_test_add_func ("/core/template/value/stored", test_stored_to_value);
  g_test_add_func ("/core/template/value/format", test_format_value);
  g_test_add_func ("/core/template/registry/lookup", test_registry_lookup);
  g_test_add_func ("/core/template/registry/errors", test_registry_errors);
  g_test_add_func ("/core/template/registry/add", test_registry_add);
  g_test_add_func ("/core/template/registry/replace-keeps-borrowed", test_registry_replace_keeps_borrowed);
  g_test_add_func ("/core/template/registry/empty", test_registry_empty);
  g_test_add_func ("/core/template/registry/default", test_registry_default);
  g_test_add_func ("/core/template/shipped", test_shipped);

  return g_test_run ();
}
