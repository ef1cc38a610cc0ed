/* bc-plan.h: a plan that sets the reporting calendar and the targets.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A plan (Quảng Ngãi's Plan 61/KH-UBND is one) is data, loaded from a
 * `*.plan.json` file beside the templates (docs/plans.md). It says who
 * issued it, for which units and from which period to which it is in
 * force, each kind of period's data window and due date, and the targets
 * the indicators are shown against. A report gets a due date and targets
 * only from a plan in force for its unit and period: no due date and no
 * targets rather than another province's or another year's.
 *
 * A BcPlan is immutable once loaded; the records it hands out belong to it.
 */
#pragma once

#include <gio/gio.h>

#include "bc-period.h"
#include "bc-template.h"

G_BEGIN_DECLS

#define BC_TYPE_PLAN (bc_plan_get_type ())
G_DECLARE_FINAL_TYPE (BcPlan, bc_plan, BC, PLAN, GObject)

/* Errors are BC_TEMPLATE_ERROR_INVALID, naming the file, where in it
 * (line:column or the JSON path) and the cause. */
BcPlan       *bc_plan_new_from_file     (GFile          *file,
                                         GError        **error);
/* `filename` names the source in error messages. */
BcPlan       *bc_plan_new_from_data     (const char     *data,
                                         gssize          length,
                                         const char     *filename,
                                         GError        **error);
const char   *bc_plan_get_id            (BcPlan         *self);
/* "Kế hoạch 61/KH-UBND" / "Plan 61/KH-UBND": how a target names its source. */
const BcText *bc_plan_get_name          (BcPlan         *self);
const BcText *bc_plan_get_title         (BcPlan         *self);
const BcText *bc_plan_get_issuer        (BcPlan         *self);
const char   *bc_plan_get_filename      (BcPlan         *self);
/* The first and last periods it is in force for, canonical ("2019Q2", "2025"). */
const char   *bc_plan_get_from          (BcPlan         *self);
const char   *bc_plan_get_to            (BcPlan         *self);
/* Whether the plan is in force for a report of `period_id` by `unit`: the
 * period's data window (bc_period_window()) meets the span from the plan's
 * first period to its last, and the unit is one of the plan's `units` (all
 * units when it lists none). A period that does not parse is under no plan. */
gboolean      bc_plan_in_force          (BcPlan         *self,
                                         const char     *period_id,
                                         const char     *unit);
/* The plan's data window for `period` (its calendar for that kind of
 * period). FALSE, and the dates cleared, when the plan sets none. A one-off
 * period is its own day under every plan. */
gboolean      bc_plan_window            (BcPlan         *self,
                                         const BcPeriod *period,
                                         GDate          *start,
                                         GDate          *end);
/* The last on-time day of a report of `period` under the plan. FALSE, and
 * `due` cleared, when the plan sets no due date for that kind of period.
 * A one-off period is due on its own day. */
gboolean      bc_plan_due_date          (BcPlan         *self,
                                         const BcPeriod *period,
                                         GDate          *due);
/* The plan's target for field `field_id` of template `template_id` in a
 * report of `period_id`, or NULL. Borrowed. Does not check that the plan
 * is in force (bc_template_registry_lookup_target() does). */
const BcTarget *bc_plan_lookup_target   (BcPlan         *self,
                                         const char     *template_id,
                                         const char     *field_id,
                                         const char     *period_id);

/* Timeliness against a due date: `due` NULL (or not valid) is
 * BC_TIMELINESS_NO_DUE_DATE; `submitted` NULL is not submitted yet. */
BcTimeliness  bc_timeliness_for_due     (const GDate    *due,
                                         const GDate    *today,
                                         const GDate    *submitted);

/* The plan in force for a report of `period_id` by `unit`, or NULL; when
 * two are, the one that starts later. Borrowed, valid as long as the
 * registry. */
BcPlan       *bc_template_registry_lookup_plan     (BcTemplateRegistry *self,
                                                    const char         *period_id,
                                                    const char         *unit);
/* The due date of a report of `period_id` by `unit`: through the plan in
 * force (a one-off period is due on its own day, plan or not). FALSE (and
 * `due` cleared) when no plan in force sets one, or the period does not
 * parse. */
gboolean      bc_template_registry_due_date        (BcTemplateRegistry *self,
                                                    const char         *period_id,
                                                    const char         *unit,
                                                    GDate              *due);
/* bc_timeliness_for_due() with that due date. */
BcTimeliness  bc_template_registry_timeliness      (BcTemplateRegistry *self,
                                                    const char         *period_id,
                                                    const char         *unit,
                                                    const GDate        *today,
                                                    const GDate        *submitted);
/* The target `field` is shown against in a report of `period_id` by
 * `unit`: the plan in force's, else the template's own (a `target` written
 * in the template file) when its from/to hold the period, else NULL. A
 * table column's is the template's own only. `self` may be NULL (no plans).
 * Borrowed. */
const BcTarget *bc_template_registry_lookup_target (BcTemplateRegistry *self,
                                                    BcTemplate         *template_,
                                                    const BcField      *field,
                                                    const char         *period_id,
                                                    const char         *unit);
/* The plan of id `plan_id`, or NULL. Borrowed. */
BcPlan       *bc_template_registry_get_plan        (BcTemplateRegistry *self,
                                                    const char         *plan_id);
/* Adds `plan` (the registry takes a reference), unless the registry holds
 * a plan of its id already: then FALSE, and the registry keeps its own. */
gboolean      bc_template_registry_add_plan        (BcTemplateRegistry *self,
                                                    BcPlan             *plan);
/* Every plan loaded, in file name order (then those added). BcPlan*, borrowed:
 * the registry's own list, not for a thread other than the one that adds
 * plans (sync adds them from its worker: the window uses lookup_plan()). */
GPtrArray    *bc_template_registry_get_plans       (BcTemplateRegistry *self);

/* Translated, for people: "No due date set" when `due` is NULL or not
 * valid, else the date as "dd/mm/yyyy". */
char         *bc_plan_format_due_date   (const GDate    *due);

G_END_DECLS
