/* bc-wrap-layout.h: two children side by side where they fit, else one under the other.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For a label and its input (or a document's number and date): on a wide
 * form they share a line; on a 360 px screen or with large text the second
 * goes under the first rather than squeezing the first below its minimum
 * (a label breaking its words, a placeholder cut). Children after the
 * second are not laid out.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BC_TYPE_WRAP_LAYOUT (bc_wrap_layout_get_type ())
G_DECLARE_FINAL_TYPE (BcWrapLayout, bc_wrap_layout, BC, WRAP_LAYOUT, GtkLayoutManager)

GtkLayoutManager *bc_wrap_layout_new (int spacing);

G_END_DECLS
