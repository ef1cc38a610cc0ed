/* crash-child.c: writes values into a workbook as fast as it can, until killed.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Used by test-crash: crash-child WORKBOOK REPORT_ID N_KEYS FIRST_COUNTER.
 * Sets key "k<counter % N_KEYS>" to <counter> for counter = FIRST_COUNTER,
 * FIRST_COUNTER + 1, …, and after each bc_workbook_set_value() has returned
 * TRUE (committed) prints "key counter\n" to stdout, flushed.
 */
#define G_LOG_DOMAIN "crash-child"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "bc-workbook.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  guint64 n_keys;
  gint64 counter;

  if (argc != 5)
    {
      fprintf (stderr, "usage: crash-child WORKBOOK REPORT_ID N_KEYS FIRST_COUNTER\n");
      return 2;
    }

  n_keys = g_ascii_strtoull (argv[3], NULL, 10);
  counter = g_ascii_strtoll (argv[4], NULL, 10);
  g_assert (n_keys > 0 && counter >= 0);

  workbook = bc_workbook_open (argv[1], NULL, BC_WORKBOOK_OPEN_DEFAULT, &error);
  if (workbook == NULL)
    {
      fprintf (stderr, "crash-child: %s\n", error->message);
      return 1;
    }

  for (;; counter++)
    {
      char key[32];
      char value[32];

      g_snprintf (key, sizeof key, "k%02" G_GUINT64_FORMAT, (guint64) counter % n_keys);
      g_snprintf (value, sizeof value, "%" G_GINT64_FORMAT, counter);

      if (!bc_workbook_set_value (workbook, argv[2], key, 0, value, &error))
        {
          fprintf (stderr, "crash-child: %s\n", error->message);
          return 1;
        }

      /* One short write per line: a pipe delivers it whole or not at all. */
      printf ("%s %s\n", key, value);
      fflush (stdout);
    }
}
