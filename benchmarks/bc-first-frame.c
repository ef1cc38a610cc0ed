/* bc-first-frame.c: preloaded into any GTK 4 app, says when it first drew.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bench-startup measures Baocao against another GTK 4 app (gnome-text-editor)
 * the same way: each is started with LD_PRELOAD naming this module, which
 * prints "first-frame <CLOCK_MONOTONIC µs>" on the standard output when
 * the first window has painted its first frame, then ends the process
 * (when BC_FIRST_FRAME_EXIT is set), so that neither app's own code is
 * needed to time it. Linux only, as LD_PRELOAD is.
 */
#define G_LOG_DOMAIN "bc-first-frame"

#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include <gtk/gtk.h>

static gboolean painted;

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  if (painted)
    return;
  painted = TRUE;

  printf ("first-frame %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  fflush (stdout);
  if (g_getenv ("BC_FIRST_FRAME_EXIT") != NULL)
    _exit (0);
}

static gboolean
realize_hook (GSignalInvocationHint *hint,
              guint                  n_values,
              const GValue          *values,
              gpointer               user_data)
{
  GObject *object = g_value_get_object (&values[0]);

  if (GTK_IS_WINDOW (object) && !painted)
    {
      GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (object));

      if (clock != NULL)
        g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), NULL);
    }

  return TRUE;
}

__attribute__((constructor)) static void
bc_first_frame_init (void)
{
  GTypeClass *klass = g_type_class_ref (GTK_TYPE_WIDGET);

  g_signal_add_emission_hook (g_signal_lookup ("realize", GTK_TYPE_WIDGET), 0,
                              realize_hook, NULL, NULL);
  g_type_class_unref (klass);
}
