/* bc-issue-list.h: every error and warning of a report, in form order.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Activating an item emits "activate-path" with the issue's path
 * ("findings[2].status"), so the form can scroll to the field and focus it.
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
guint      bc_issue_list_get_n_items (BcIssueList *self);
/* The path of item `index` (tests and keyboard users). */
const char *bc_issue_list_get_path  (BcIssueList *self,
                                     guint        index);

G_END_DECLS
