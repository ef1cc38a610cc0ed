/* bc-field-editor.h: the input of one field of a form, and what is said about it.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A BcFieldEditor shows one field (or one cell of a table row) as its
 * template describes it: label, help, unit, target, the input its type
 * calls for, the parse error of what is being typed, and the errors and
 * warnings that validation found. It checks input with
 * bc_field_parse_value() and hands checked values over through the
 * "commit" signal; it never touches the workbook.
 */
#pragma once

#include <adwaita.h>

#include "bc-validate.h"

G_BEGIN_DECLS

/* How long typing must pause before a value is handed over. */
#define BC_FIELD_EDITOR_DEBOUNCE_MS 250

#define BC_TYPE_FIELD_EDITOR (bc_field_editor_get_type ())
G_DECLARE_FINAL_TYPE (BcFieldEditor, bc_field_editor, BC, FIELD_EDITOR, GtkWidget)

/* `field` must outlive the editor (it belongs to its template). For a
 * table, the editor is only its header: label, help and the issues about
 * the table as a whole (BcTableEditor draws the rows). */
GtkWidget     *bc_field_editor_new             (const BcField  *field,
                                                const char     *lang);
const BcField *bc_field_editor_get_field       (BcFieldEditor  *self);
/* The target shown beside the indicator (coloured by whether the value
 * meets it), or NULL for none: the form gives the one of the plan in force
 * for the report (bc_template_registry_lookup_target()). Borrowed: it must
 * live as long as the editor. */
void           bc_field_editor_set_target      (BcFieldEditor  *self,
                                                const BcTarget *target);
/* Scalars have row id 0. A cell knows its row's stable id and its
 * position (0-based), which names it ("findings[2].status") and labels
 * it for assistive technologies ("Status, row 2"). */
void           bc_field_editor_set_row         (BcFieldEditor  *self,
                                                gint64          row_id,
                                                guint           row);
gint64         bc_field_editor_get_row_id      (BcFieldEditor  *self);
guint          bc_field_editor_get_row         (BcFieldEditor  *self);
char          *bc_field_editor_dup_path        (BcFieldEditor  *self);
/* Where the field is, for its accessible name when its label alone is
 * not unique in the form (a section's title): "Other progress — 3. …". */
void           bc_field_editor_set_context     (BcFieldEditor  *self,
                                                const char     *context);

/* The value the workbook holds (canonical, NULL = blank). The input shows
 * it unless the user is typing there, so a snapshot never overwrites what
 * is being typed. `force` replaces the input's text in any case. */
void           bc_field_editor_set_stored      (BcFieldEditor  *self,
                                                const char     *stored,
                                                gboolean        force);
/* Computed fields: the value to show (canonical, NULL = blank). */
void           bc_field_editor_set_computed    (BcFieldEditor  *self,
                                                const char     *value);
/* The errors and warnings about this field (BcIssue*, NULL for none). */
void           bc_field_editor_set_issues      (BcFieldEditor  *self,
                                                GPtrArray      *issues);
void           bc_field_editor_set_read_only   (BcFieldEditor  *self,
                                                gboolean        read_only);
/* Why the last commit of this field failed (NULL clears it). The input
 * keeps the user's text, and the next flush tries again. */
void           bc_field_editor_set_save_error  (BcFieldEditor  *self,
                                                const char     *message);

/* TRUE while there is typed text (value or justification) not yet handed over. */
gboolean       bc_field_editor_get_dirty       (BcFieldEditor  *self);
/* TRUE while the input holds text that does not parse (and is not saved). */
gboolean       bc_field_editor_get_invalid     (BcFieldEditor  *self);
/* Hands over what was typed now, instead of after the pause. */
void           bc_field_editor_flush           (BcFieldEditor  *self);
/* Focuses the input (the first one of a document reference). */
gboolean       bc_field_editor_focus_input     (BcFieldEditor  *self);
/* The name a screen reader reads for the field ("Row 3: Status"). */
char          *bc_field_editor_dup_name        (BcFieldEditor  *self);
/* What the input shows, as typed ("" when blank; a document reference
 * as "number | date | title"). */
char          *bc_field_editor_dup_text        (BcFieldEditor  *self);

/* Shows the separators of a card only between its visible editors. */
void           bc_field_editor_update_separators (GtkWidget     *box);

G_END_DECLS
