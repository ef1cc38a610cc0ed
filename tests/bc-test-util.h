/* bc-test-util.h: small helpers the tests and benchmarks share.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Removes a file or a folder with everything in it (temporary test folders). */
void bc_test_remove_tree (const char *path);

/* In the tests that open the whole window: every warning stays fatal but
 * one that GTK gives, rarely and only on a loaded machine, about a frame
 * drawn short (see bc-test-util.c). Call after g_test_init(). */
void bc_test_allow_short_frame_warning (void);

G_END_DECLS
