/* bc-period.h: periods and their arithmetic.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Period ids are "2018Q2" for a quarter, "2018" for a year and "2016-10-05"
 * for a one-off report. Due dates, data windows for people and timeliness
 * belong to the plan in force for a report (bc-plan.h), not to the period:
 * a report under no plan has no due date.
 *
 * bc_period_window() is the span used to order periods and to compare them
 * with the from/to of templates, targets and plans. It keeps fixed cut-off
 * days (those of Plan 61/KH-UBND: a quarter from the 15th of the month
 * before its first month to the 14th of its last month; a year from 15
 * December of the previous year to 14 December), so that a period's place
 * among others does not depend on which plan is installed. The data window
 * shown to people is the plan's (bc_plan_window()).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BC_PERIOD_ERROR (bc_period_error_quark ())

typedef enum {
  BC_PERIOD_ERROR_INVALID,
} BcPeriodError;

typedef enum {
  BC_PERIOD_QUARTER,
  BC_PERIOD_YEAR,
  BC_PERIOD_ONE_OFF,  /* a one-off report (answering a letter): one day, its due date */
} BcPeriodType;

/* A plain value type: copy it by assignment. */
typedef struct {
  BcPeriodType type;
  int          year;     /* 1900 … 9999 */
  int          quarter;  /* 1 … 4 for QUARTER, 0 for YEAR and ONE_OFF */
  int          month;    /* ONE_OFF: 1 … 12; else 0 */
  int          day;      /* ONE_OFF: 1 … 31; else 0 */
} BcPeriod;

typedef enum {
  BC_TIMELINESS_OPEN,            /* not submitted, more than 7 days before the due date */
  BC_TIMELINESS_DUE,             /* not submitted, due within 7 days (or today) */
  BC_TIMELINESS_LATE,            /* not submitted, past the due date */
  BC_TIMELINESS_ON_TIME,         /* submitted on or before the due date */
  BC_TIMELINESS_SUBMITTED_LATE,  /* submitted after the due date */
  BC_TIMELINESS_NO_DUE_DATE,     /* no plan in force sets a due date for it */
} BcTimeliness;

GQuark        bc_period_error_quark      (void);

/* Accepts "2018Q2", "2018q2", "2018-Q2", "2018" (a year) and "2016-10-05"
 * (a one-off period: the day the report is due). */
gboolean      bc_period_parse            (const char       *id,
                                          BcPeriod         *out,
                                          GError          **error);
/* "2018Q2" / "2018" / "2016-10-05" */
char         *bc_period_to_id            (const BcPeriod   *period);
/* lang "vi": "Quý II/2018", "Năm 2018", "Đột xuất 05/10/2016"; otherwise
 * "Quarter II/2018", "Year 2018", "One-off 05/10/2016". */
char         *bc_period_label            (const BcPeriod   *period,
                                          const char       *lang);
gboolean      bc_period_equal            (const BcPeriod   *a,
                                          const BcPeriod   *b);
int           bc_period_compare          (const BcPeriod   *a,
                                          const BcPeriod   *b);
void          bc_period_previous         (const BcPeriod   *period,
                                          BcPeriod         *out);
void          bc_period_next             (const BcPeriod   *period,
                                          BcPeriod         *out);
/* The data cut-off window, both ends inclusive (a one-off period: its day). */
void          bc_period_window           (const BcPeriod   *period,
                                          GDate            *start,
                                          GDate            *end);
/* The period of `type` whose cut-off window holds `date`. */
void          bc_period_for_date         (BcPeriodType      type,
                                          const GDate      *date,
                                          BcPeriod         *out);
/* The period whose report is being written on `today`: the one whose window
 * holds today, except from the 15th to the 19th of a quarter's last month
 * (and of December for years), when the period that just closed is still
 * being written. New reports default to it; it is a default to offer, not a
 * due date. */
void          bc_period_to_report        (BcPeriodType      type,
                                          const GDate      *today,
                                          BcPeriod         *out);
const char   *bc_timeliness_to_string    (BcTimeliness      timeliness); /* "open", "due", "late", "on-time", "submitted-late", "no-due-date" */
/* Translated, for people: "Sắp đến hạn", "Quá hạn", "Chưa có hạn nộp", … */
const char   *bc_timeliness_label        (BcTimeliness      timeliness);
const char   *bc_period_type_to_string   (BcPeriodType      type); /* "quarter", "year", "one_off" */
gboolean      bc_period_type_from_string (const char       *string,
                                          BcPeriodType     *out);

G_END_DECLS
