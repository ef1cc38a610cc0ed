/* bc-print-layout.h: how a template lays itself out on paper (its "print" section).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/templates.md ("Print layout") documents the keys. Every field named
 * here is checked against the template, so a misspelt id is an error that
 * names the key, not a blank on paper.
 */
#pragma once

#include "bc-template.h"

G_BEGIN_DECLS

typedef enum {
  BC_PRINT_STYLE_AUTO,     /* a "- Label: value" line; a table as a table */
  BC_PRINT_STYLE_PLAIN,    /* the value alone, as paragraphs */
  BC_PRINT_STYLE_HEADING,  /* the label as a heading, then the value as paragraphs */
  BC_PRINT_STYLE_HIDDEN,   /* not printed */
} BcPrintStyle;

typedef struct {
  BcText      heading;         /* "I. Kết quả …"; empty: none */
  GPtrArray  *sections;        /* const BcSection*, borrowed from the template */
  gboolean    section_titles;  /* print each section's title (default TRUE) */
} BcPrintPart;

/* A column of a printed table: one of the table's columns, or a text
 * composed of several, such as "{figure_done}/{figure_total} {figure_unit}",
 * so that figures the officer entered apart read as one on paper. */
typedef struct {
  const BcField *field;  /* the column shown; NULL for a composed text */
  BcText         label;  /* the heading; a field's own label when empty */
  BcText         text;   /* composed: {column_id} placeholders, lines split by "\n" */
  GPtrArray     *fields; /* composed: the columns its text names (const BcField*) */
} BcPrintColumn;

typedef struct {
  BcText         document_type;   /* "BÁO CÁO" */
  const BcField *parent_body;
  const BcField *issuing_body;
  const BcField *number;
  const BcField *place;
  const BcField *date;
  const BcField *subject;
  const BcField *addressee;
  const BcField *recipients;
  const BcField *signer_on_behalf;
  const BcField *signer_authority;
  const BcField *signer_title;
  const BcField *signer_name;
  BcText         opening;         /* with {field_id} placeholders; empty: none */
  BcText         closing;
  GPtrArray     *parts;           /* BcPrintPart* */
  GHashTable    *styles;          /* const BcField* → BcPrintStyle */
  GHashTable    *table_columns;   /* const BcField* (table) → GPtrArray of BcPrintColumn* */
  GHashTable    *in_header;       /* const BcField* printed outside the body */
} BcPrintLayout;

/* The layout of `template_`: its "print" section, or a plain one (every
 * section in order, a blank masthead) when it has none. */
BcPrintLayout *bc_print_layout_new    (BcTemplate     *template_,
                                       GError        **error);
void           bc_print_layout_free   (BcPrintLayout  *layout);
BcPrintStyle   bc_print_layout_style  (BcPrintLayout  *layout,
                                       const BcField  *field);
/* The columns a table prints (BcPrintColumn*), in order: the layout's
 * choice, else all but its group_by column. Borrowed. */
GPtrArray     *bc_print_layout_columns(BcPrintLayout  *layout,
                                       const BcField  *table);
/* The heading of `column`, in Vietnamese. */
const char    *bc_print_column_label  (const BcPrintColumn *column);
/* The text of a composed column at `row` of `table`: each line of its text
 * with its {column} placeholders replaced by func's results (NULL: dotted
 * blank), a line whose placeholders are all blank left out; NULL when no
 * line is left. */
typedef char *(*BcPrintCellFunc) (const BcField *column, guint row, gpointer user_data);
char          *bc_print_column_expand (const BcPrintColumn *column,
                                       const BcField  *table,
                                       guint           row,
                                       BcPrintCellFunc func,
                                       gpointer        user_data);
/* Calls `func` for each {field} placeholder of `text`; used by the check
 * and by the expansion. */
typedef char *(*BcPrintExpandFunc) (const BcField *field, gpointer user_data);
/* `text` with each {field_id} replaced by func's result (NULL: dotted blank);
 * NULL when every placeholder was blank, so an opening with nothing to cite
 * is left out. */
char          *bc_print_layout_expand (BcTemplate     *template_,
                                       const char     *text,
                                       BcPrintExpandFunc func,
                                       gpointer        user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcPrintLayout, bc_print_layout_free)

G_END_DECLS
