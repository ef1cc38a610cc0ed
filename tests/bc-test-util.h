/* bc-test-util.h: small helpers the tests and benchmarks share.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Removes a file or a folder with everything in it (temporary test folders). */
void bc_test_remove_tree (const char *path);

/* Orders gint64 samples (qsort / g_array_sort). */
int    bc_test_compare_gint64 (gconstpointer a,
                               gconstpointer b);
/* The value at fraction `q` (0 … 1) of `samples` (µs, sorted here), in
 * milliseconds; 0 when there are none. */
double bc_test_quantile_ms    (GArray       *samples,
                               double        q);

/* In the tests that open the whole window: every warning stays fatal but
 * one that GTK gives, rarely and only on a loaded machine, about a frame
 * drawn short (see bc-test-util.c). Call after g_test_init(). */
void bc_test_allow_short_frame_warning (void);

G_END_DECLS
