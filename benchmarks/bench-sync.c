/* bench-sync.c: what syncing costs: bytes per report, time on loopback, a slow link, many clients.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * meson test --benchmark -C _build --verbose sync-…; each prints its figures
 * and never fails because a machine is slow.
 *
 *   wire-size   bytes on the wire per quarterly report, gzip vs plain JSON
 */
#define G_LOG_DOMAIN "bench-sync"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "bc-entry.h"
#include "bc-test-util.h"
#include "bc-wire.h"

static gsize
gzip_size (const char *data,
           gsize       length)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1);
  g_autoptr(GInputStream) plain = g_memory_input_stream_new_from_data (data, length, NULL);
  g_autoptr(GInputStream) gz = g_converter_input_stream_new (plain, G_CONVERTER (compressor));
  g_autoptr(GError) error = NULL;
  char buffer[16384];
  gsize total = 0;
  gssize n;

  while ((n = g_input_stream_read (gz, buffer, sizeof buffer, NULL, &error)) > 0)
    total += n;
  if (n < 0)
    g_error ("gzip: %s", error->message);
  return total;
}

/* The push body of one item, as docs/sync-protocol.md gives it. */
static char *
push_body (JsonNode *content,
           gint64    revision)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *hash = bc_wire_content_hash (content);
  JsonObject *object = json_node_get_object (content);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "items");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "report_id");
  json_builder_add_string_value (builder, json_object_get_string_member (object, "id"));
  json_builder_set_member_name (builder, "revision");
  json_builder_add_int_value (builder, revision);
  json_builder_set_member_name (builder, "base_revision");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "content_hash");
  json_builder_add_string_value (builder, hash);
  json_builder_set_member_name (builder, "content");
  json_builder_add_value (builder, json_node_copy (content));
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return bc_wire_canonical_json (root);
}

/* Loads a demo file into a temporary workbook and returns the report's
 * content as pushed. */
static JsonNode *
demo_content (const char *demo_file,
              const char *template_id,
              const char *period,
              const char *unit,
              char      **dir_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplateRegistry) templates = bc_template_registry_new_default (&error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-sync-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *id = NULL;
  BcTemplate *template_;
  JsonNode *content;

  if (templates == NULL || dir == NULL)
    g_error ("%s", error->message);
  path = g_build_filename (dir, "bench.baocao", NULL);
  workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_CREATE, &error);
  /* The demo data holds sent reports, which only a demo workbook takes;
   * here it is only the source of a realistic report's content. */
  if (workbook == NULL
      || !bc_workbook_set_kind (workbook, BC_WORKBOOK_KIND_DEMO, &error)
      || !json_parser_load_from_file (parser, demo_file, &error)
      || bc_workbook_import_json (workbook, json_parser_get_root (parser), &error) == 0)
    g_error ("%s", error->message);
  id = bc_workbook_find_report (workbook, template_id, period, unit, &error);
  if (id == NULL)
    g_error ("%s has no %s report for %s and %s", demo_file, template_id, period, unit);
  report = bc_workbook_load_report (workbook, id, &error);
  if (report == NULL || (template_ = bc_workbook_get_report_template (workbook, report, &error)) == NULL)
    g_error ("%s", error->message);
  content = bc_wire_report_content (template_, report);
  bc_workbook_close (workbook);
  *dir_out = g_steal_pointer (&dir);
  return content;
}

static int
bench_wire_size (const char *demo_dir)
{
  g_autofree char *file = g_build_filename (demo_dir, "quang-ngai-2018q2.json", NULL);
  g_autofree char *dir = NULL;
  g_autoptr(JsonNode) content = demo_content (file, "egov-quarterly", "2018Q2", "UBND-QNG", &dir);
  g_autofree char *canonical = bc_wire_canonical_json (content);
  g_autofree char *body = push_body (content, 1);
  gsize plain = strlen (body), gz = gzip_size (body, plain);

  printf ("quarterly report (demo Quảng Ngãi 2018Q2): content %zu bytes of canonical JSON\n",
          strlen (canonical));
  printf ("push body of one report: plain JSON %zu bytes, gzip %zu bytes (%.1f%% of plain, %.1fx smaller)\n",
          plain, gz, 100.0 * gz / plain, (double) plain / gz);
  bc_test_remove_tree (dir);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  const char *demo_dir = g_getenv ("BAOCAO_DEMO_DIR");

  setlocale (LC_ALL, "");
  if (argc < 2)
    {
      fprintf (stderr, "usage: bench-sync wire-size\n");
      return 2;
    }
  if (demo_dir == NULL)
    demo_dir = SOURCE_ROOT "/data/demo";

  if (g_str_equal (argv[1], "wire-size"))
    return bench_wire_size (demo_dir);

  fprintf (stderr, "bench-sync: unknown benchmark %s\n", argv[1]);
  return 2;
}
