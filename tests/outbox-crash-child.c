/* outbox-crash-child.c: queues reports and records receipts until killed.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Used by test-outbox: outbox-crash-child WORKBOOK TEMPLATE_DIR FIRST.
 * For i = FIRST, FIRST + 1, …: makes a ready report of unit "U<i>", queues
 * it and prints "q ID" once that committed, marks it attempted and records
 * its receipt "R-ID" and prints "s ID" once that committed.
 */
#define G_LOG_DOMAIN "outbox-crash-child"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "bc-outbox.h"
#include "bc-workbook.h"

static void
check (gboolean  ok,
       GError   *error)
{
  if (!ok)
    {
      fprintf (stderr, "outbox-crash-child: %s\n", error != NULL ? error->message : "failed");
      exit (1);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(BcTemplateRegistry) templates = bc_template_registry_new ();
  gint64 i;

  if (argc != 4)
    {
      fprintf (stderr, "usage: outbox-crash-child WORKBOOK TEMPLATE_DIR FIRST\n");
      return 2;
    }

  check (bc_template_registry_add_directory (templates, argv[2], &error), error);
  workbook = bc_workbook_open (argv[1], templates, BC_WORKBOOK_OPEN_CREATE, &error);
  check (workbook != NULL, error);

  for (i = g_ascii_strtoll (argv[3], NULL, 10);; i++)
    {
      g_autofree char *unit = g_strdup_printf ("U%" G_GINT64_FORMAT, i);
      g_autofree char *id = bc_workbook_create_report (workbook, "wbtest", "2018Q2", unit, &error);
      g_autofree char *receipt = NULL;
      g_autoptr(GPtrArray) ids = g_ptr_array_new ();
      g_autoptr(BcReport) report = NULL;

      check (id != NULL, error);
      check (bc_workbook_set_value (workbook, id, "name", 0, "Tịnh Hà", &error), error);
      check (bc_workbook_set_status (workbook, id, BC_STATUS_READY, NULL, &error), error);
      check (bc_workbook_set_status (workbook, id, BC_STATUS_QUEUED, NULL, &error), error);
      printf ("q %s\n", id);
      fflush (stdout);

      g_ptr_array_add (ids, id);
      check (bc_outbox_begin_attempt (workbook, ids, &error), error);
      report = bc_workbook_load_report (workbook, id, &error);
      check (report != NULL, error);
      receipt = g_strconcat ("R-", id, NULL);
      check (bc_outbox_record_stored (workbook, id, bc_report_get_revision (report), receipt,
                                      g_get_real_time (), FALSE, bc_report_get_revision (report),
                                      &error),
             error);
      printf ("s %s\n", id);
      fflush (stdout);
    }
}
