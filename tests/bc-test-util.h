/* bc-test-util.h: small helpers the tests and benchmarks share.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Removes a file or a folder with everything in it (temporary test folders). */
void bc_test_remove_tree (const char *path);

G_END_DECLS
