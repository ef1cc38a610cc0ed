/* bc-output-format.h: values written the way Vietnamese documents write them.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The official output (PDF, spreadsheets) shares these: numbers with "." for
 * thousands and "," for decimals ("1.816", "12,5"), percentages "25,5 %",
 * dates "04/3/2016" (day below 10 and months 1–2 with a leading zero, as
 * Decree 30/2020/NĐ-CP writes them) and the dateline
 * "Quảng Ngãi, ngày 21 tháng 6 năm 2018".
 */
#pragma once

#include "bc-template.h"
#include "bc-report.h"

G_BEGIN_DECLS

#define BC_OUTPUT_ERROR (bc_output_error_quark ())

typedef enum {
  BC_OUTPUT_ERROR_LAYOUT,  /* a template's "print" section is not valid */
  BC_OUTPUT_ERROR_WRITE,   /* the output file cannot be written */
  BC_OUTPUT_ERROR_EMPTY,   /* nothing to export (no report in the period) */
} BcOutputError;

/* What a blank field shows on paper: a dotted space to fill by hand. */
#define BC_OUTPUT_BLANK "………………"

GQuark  bc_output_error_quark        (void);

/* What every page or sheet exported from a demo (training) workbook says,
 * in the reader's language: it must not pass for an official document. */
const char *bc_output_training_mark  (void);

/* A stored value for print, in Vietnamese; NULL when `stored` is NULL (blank). */
char   *bc_output_format_value       (const BcField *field,
                                      const char    *stored);
/* "2016-03-04" → "04/3/2016"; NULL for a text that is not a stored date. */
char   *bc_output_format_date        (const char    *stored);
/* "Quảng Ngãi, ngày 21 tháng 6 năm 2018", blanks dotted. */
char   *bc_output_format_dateline    (const char    *place,
                                      const char    *stored_date);
/* The value of `field` (computed when it is computed) at `row` as canonical
 * stored text, NULL when blank or when it cannot be computed. */
char   *bc_output_field_value        (BcTemplate    *template_,
                                      BcReport      *report,
                                      BcReport      *previous,
                                      const BcField *field,
                                      guint          row);

G_END_DECLS
