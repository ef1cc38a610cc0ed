/* bc-document.h: a report laid out as a Vietnamese administrative document.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A BcDocument lays a report out on A4 pages once, when made, following its
 * template's print layout (bc-print-layout.h) and the document layout of
 * Decree 30/2020/NĐ-CP. Its pages can then be drawn, one by one, onto any
 * cairo_t whose unit is the point (1/72 inch): the PDF writer and the
 * window's print operation draw the same pages. It holds its own font map,
 * so it can be made in a worker thread and drawn in another (one at a time).
 */
#pragma once

#include <cairo.h>
#include <glib-object.h>

#include "bc-report.h"
#include "bc-template.h"

G_BEGIN_DECLS

/* The serif face used throughout: Times New Roman's metric clone, with every
 * Vietnamese letter (fonts-liberation2 on Debian); Times New Roman itself
 * where it is missing (Windows). */
#define BC_DOCUMENT_FONT "Liberation Serif, Times New Roman"

#define BC_TYPE_DOCUMENT (bc_document_get_type ())
G_DECLARE_FINAL_TYPE (BcDocument, bc_document, BC, DOCUMENT, GObject)

/* `previous` (may be NULL) is the unit's report of the period before, for
 * computed fields that use prev(…). Fails only on a template whose print
 * layout is not valid (BC_OUTPUT_ERROR_LAYOUT). */
BcDocument *bc_document_new            (BcTemplate  *template_,
                                        BcReport    *report,
                                        BcReport    *previous,
                                        GError     **error);
/* The same, with each indicator's target that of the plan in force for the
 * report's unit and period, found in `templates` (NULL: only targets the
 * template itself sets, where in force). bc_document_new() is this with
 * NULL. */
BcDocument *bc_document_new_with_plans (BcTemplate         *template_,
                                        BcReport           *report,
                                        BcReport           *previous,
                                        BcTemplateRegistry *templates,
                                        GError            **error);
/* Marks every page of a document printed from a demo (training) workbook
 * as a training sample, in the reader's language, across the page and at
 * its foot (bc_output_training_mark()), so that it cannot pass for an
 * official document. */
void        bc_document_set_training   (BcDocument  *self,
                                        gboolean     training);
gboolean    bc_document_get_training   (BcDocument  *self);
guint       bc_document_get_n_pages    (BcDocument  *self);
/* In points: A4 is 595.28 × 841.89. */
void        bc_document_get_page_size  (BcDocument  *self,
                                        double      *width,
                                        double      *height);
/* Draws page `page` (from 0) with its top left corner at the origin of `cr`,
 * one unit a point. */
void        bc_document_draw_page      (BcDocument  *self,
                                        cairo_t     *cr,
                                        guint        page);
/* Writes the whole document as a PDF with its fonts embedded; replaces
 * `path` only once the file is complete. */
gboolean    bc_document_write_pdf      (BcDocument  *self,
                                        const char  *path,
                                        GError     **error);

G_END_DECLS
