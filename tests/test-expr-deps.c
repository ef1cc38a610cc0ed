/* test-expr-deps.c: which fields an expression reads (bc_expr_dup_field_ids).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-expr-deps"

#include "config.h"

#include "bc-expr.h"

static void
check (const char  *source,
       const char **expected)
{
  g_autoptr(GError) error = NULL;
  BcExpr *expr = bc_expr_parse (source, &error);
  g_auto(GStrv) ids = NULL;

  g_assert_no_error (error);
  ids = bc_expr_dup_field_ids (expr);
  g_assert_nonnull (ids);
  if (!g_strv_equal ((const char * const *) ids, expected))
    {
      g_autofree char *got = g_strjoinv (", ", ids);

      g_error ("%s reads [%s]", source, got);
    }
  bc_expr_unref (expr);
}

static void
test_field_ids (void)
{
  check ("1 + 2", (const char *[]) { NULL });
  check ("level3 + level4", (const char *[]) { "level3", "level4", NULL });
  check ("services.level3 * 2 + level3", (const char *[]) { "level3", NULL });
  check ("sum(findings.done)", (const char *[]) { "findings", "done", NULL });
  check ("round(count(findings, status = \"resolved\") / count(findings) * 100, 1)",
         (const char *[]) { "findings", "status", NULL });
  check ("docs_pct >= prev(docs_pct) or prev(other) = 0",
         (const char *[]) { "docs_pct", "other", NULL });
  check ("if(a > 0, b, c)", (const char *[]) { "a", "b", "c", NULL });
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/expr/field-ids", test_field_ids);

  return g_test_run ();
}
