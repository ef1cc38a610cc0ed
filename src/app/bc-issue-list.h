/* bc-issue-list.h: every error and warning of a report, in form order.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each item names its place in the words of the form ("II. Remediation by
 * inspected unit › Findings and remediation, row 3", then the field's
 * label), never an internal id. Activating an item emits "activate-path"
 * with the issue's path ("findings[2].status"), so the form can scroll to
 * the field and focus it. "issues-changed" is emitted after each
 * bc_issue_list_set_issues(), so that another list can follow this one.
 */
#pragma once

#include <adwaita.h>

#include "bc-validate.h"

G_BEGIN_DECLS

#define BC_TYPE_ISSUE_LIST (bc_issue_list_get_type ())
G_DECLARE_FINAL_TYPE (BcIssueList, bc_issue_list, BC, ISSUE_LIST, GtkWidget)

GtkWidget *bc_issue_list_new        (void);
/* `issues` (BcIssue*) is kept (a reference; not changed afterwards);
 * `template_` names the fields. The rows are built when the list is shown. */
void       bc_issue_list_set_issues (BcIssueList *self,
                                     BcTemplate  *template_,
                                     GPtrArray   *issues,
                                     const char  *lang);
/* Only what stops the report from being marked ready: errors and
 * warnings without a justification. */
void       bc_issue_list_set_blocking_only (BcIssueList *self,
                                            gboolean     blocking_only);
guint      bc_issue_list_get_n_items (BcIssueList *self);
/* The path of item `index` (tests and keyboard users). */
const char *bc_issue_list_get_path  (BcIssueList *self,
                                     guint        index);
/* Item `index` (in form order), or NULL. */
const BcIssue *bc_issue_list_get_issue (BcIssueList *self,
                                        guint        index);
/* The row of item `index`, or NULL. */
GtkWidget  *bc_issue_list_get_row   (BcIssueList *self,
                                     guint        index);
BcTemplate *bc_issue_list_get_template (BcIssueList *self);
GPtrArray  *bc_issue_list_get_issues   (BcIssueList *self);
const char *bc_issue_list_get_lang     (BcIssueList *self);

/* Where an issue is, in the form's words: the section, then the table's row
 * ("II. Remediation by inspected unit › Findings and remediation, row 3");
 * NULL when the issue names no field. */
char       *bc_issue_dup_where      (BcTemplate    *template_,
                                     const BcIssue *issue,
                                     const char    *lang);
/* The same followed by the field's label. */
char       *bc_issue_dup_place      (BcTemplate    *template_,
                                     const BcIssue *issue,
                                     const char    *lang);
/* An error, or a warning that has no justification yet. */
gboolean    bc_issue_is_blocking    (const BcIssue *issue);

G_END_DECLS
