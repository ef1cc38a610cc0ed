/* test-wire.c: the shared pieces of the sync protocol (bc-wire).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-wire"

#include "config.h"

#include <locale.h>

#include "bc-entry.h"
#include "bc-test-util.h"
#include "bc-wire.h"

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = bc_wire_parse (text, strlen (text), BC_WIRE_MAX_BODY, BC_WIRE_MAX_DEPTH, &error);

  g_assert_no_error (error);
  return node;
}

static void
test_canonical (void)
{
  /* Keys sorted bytewise (so "Z" < "a" < "ă"), no white space, minimal escapes. */
  g_autoptr(JsonNode) node = parse ("{ \"b\": [1, true, null, \"x\\ty\\u0001\"],\n"
                                    "  \"ă\": \"Sở \\\"Thông tin\\\" \\\\\", \"a\": {\"z\": -3, \"Z\": false} }");
  g_autofree char *canonical = bc_wire_canonical_json (node);

  g_assert_cmpstr (canonical, ==,
                   "{\"a\":{\"Z\":false,\"z\":-3},\"b\":[1,true,null,\"x\\ty\\u0001\"],"
                   "\"ă\":\"Sở \\\"Thông tin\\\" \\\\\"}");
}

static void
test_hash (void)
{
  /* The same content written two ways has one hash; any change of a value
   * changes it. The vector is sha256 of {"a":"1"}. */
  g_autoptr(JsonNode) one = parse ("{\"a\":\"1\"}");
  g_autoptr(JsonNode) same = parse ("{ \"a\" : \"1\" }");
  g_autoptr(JsonNode) other = parse ("{\"a\":\"2\"}");
  g_autofree char *h1 = bc_wire_content_hash (one);
  g_autofree char *h2 = bc_wire_content_hash (same);
  g_autofree char *h3 = bc_wire_content_hash (other);

  g_assert_cmpstr (h1, ==, "sha256:9afeb0f2b203f254312ec8ded441d0318b7c34c57f8695ede42d2215a30c0960");
  g_assert_cmpstr (h1, ==, h2);
  g_assert_cmpstr (h1, !=, h3);
}

static void
test_depth (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(JsonNode) node = NULL;

  /* Brackets inside strings do not count. */
  node = parse ("{\"a\": \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}");
  g_clear_pointer (&node, json_node_unref);

  for (int i = 0; i < 33; i++)
    g_string_append_c (deep, '[');
  for (int i = 0; i < 33; i++)
    g_string_append_c (deep, ']');
  node = bc_wire_parse (deep->str, deep->len, BC_WIRE_MAX_BODY, BC_WIRE_MAX_DEPTH, &error);
  g_assert_error (error, BC_WIRE_ERROR, BC_WIRE_ERROR_TOO_DEEP);
  g_assert_null (node);
  g_clear_error (&error);

  /* 32 levels are allowed. */
  g_string_erase (deep, 0, 1);
  g_string_truncate (deep, deep->len - 1);
  node = bc_wire_parse (deep->str, deep->len, BC_WIRE_MAX_BODY, BC_WIRE_MAX_DEPTH, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
}

static void
test_refusals (void)
{
  static const struct { const char *text; gsize len; int code; } cases[] = {
    { "{\"a\": 1, \"a\": 2}", 0, BC_WIRE_ERROR_BAD_SHAPE },
    { "{\"a\": 1, \"\\u0061\": 2}", 0, BC_WIRE_ERROR_BAD_SHAPE },
    { "{\"a\": {\"b\": 1}, \"b\": {\"b\": 2}}", 0, -1 },   /* same key in two objects is fine */
    { "{\"a\": \"1\0002\"}", 12, BC_WIRE_ERROR_NOT_JSON },
    { "{\"a\": \"\xff\"}", 0, BC_WIRE_ERROR_NOT_JSON },
    { "{\"a\": ", 0, BC_WIRE_ERROR_NOT_JSON },
    { "", 0, BC_WIRE_ERROR_NOT_JSON },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gsize len = cases[i].len != 0 ? cases[i].len : strlen (cases[i].text);
      g_autoptr(JsonNode) node = bc_wire_parse (cases[i].text, len, BC_WIRE_MAX_BODY,
                                                BC_WIRE_MAX_DEPTH, &error);

      g_test_message ("case %u", i);
      if (cases[i].code < 0)
        {
          g_assert_no_error (error);
          g_assert_nonnull (node);
        }
      else
        {
          g_assert_error (error, BC_WIRE_ERROR, cases[i].code);
          g_assert_null (node);
        }
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = bc_wire_parse ("[1,2,3]", 7, 6, BC_WIRE_MAX_DEPTH, &error);

    g_assert_error (error, BC_WIRE_ERROR, BC_WIRE_ERROR_TOO_LARGE);
    g_assert_null (node);
  }
}

static void
test_time (void)
{
  g_autofree char *text = bc_wire_format_time (G_GINT64_CONSTANT (1529550245) * G_USEC_PER_SEC + 123);

  g_assert_cmpstr (text, ==, "2018-06-21T03:04:05Z");
  g_assert_cmpint (bc_wire_parse_time (text), ==, G_GINT64_CONSTANT (1529550245) * G_USEC_PER_SEC);
  g_assert_cmpint (bc_wire_parse_time ("yesterday"), ==, -1);
}

static void
test_report_content (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bc-wire-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "w.baocao", NULL);
  g_autoptr(BcTemplateRegistry) templates = bc_template_registry_new_default (&error);
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(JsonNode) content = NULL;
  g_autofree char *id = NULL;
  g_autofree char *hash1 = NULL;
  g_autofree char *hash2 = NULL;
  BcTemplate *template_;
  JsonObject *object;

  g_assert_no_error (error);
  workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);
  id = bc_workbook_create_report (workbook, "inspection-remediation", "2018Q2", "UBND-QNG", &error);
  g_assert_no_error (error);
  g_assert_true (bc_workbook_enter_value (workbook, id, "inspecting_body", "Thanh tra Bộ", &error));
  g_assert_no_error (error);
  report = bc_workbook_load_report (workbook, id, &error);
  g_assert_no_error (error);
  template_ = bc_workbook_get_report_template (workbook, report, &error);
  g_assert_no_error (error);

  content = bc_wire_report_content (template_, report);
  object = json_node_get_object (content);
  g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (object, "unit"), ==, "UBND-QNG");
  g_assert_cmpstr (json_object_get_string_member (object, "period"), ==, "2018Q2");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "values"),
                                                  "inspecting_body"), ==, "Thanh tra Bộ");
  /* Nothing derived: the status changes without changing the content. */
  g_assert_false (json_object_has_member (object, "status"));
  g_assert_false (json_object_has_member (object, "computed"));
  hash1 = bc_wire_content_hash (content);

  g_clear_object (&report);
  g_clear_pointer (&content, json_node_unref);
  g_assert_true (bc_workbook_enter_value (workbook, id, "inspecting_body", "Thanh tra Tỉnh", &error));
  report = bc_workbook_load_report (workbook, id, &error);
  g_assert_no_error (error);
  content = bc_wire_report_content (template_, report);
  hash2 = bc_wire_content_hash (content);
  g_assert_cmpstr (hash1, !=, hash2);

  bc_workbook_close (workbook);
  bc_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/wire/canonical", test_canonical);
  g_test_add_func ("/core/wire/hash", test_hash);
  g_test_add_func ("/core/wire/depth", test_depth);
  g_test_add_func ("/core/wire/refusals", test_refusals);
  g_test_add_func ("/core/wire/time", test_time);
  g_test_add_func ("/core/wire/report-content", test_report_content);

  return g_test_run ();
}
