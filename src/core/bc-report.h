/* bc-report.h: one report as loaded from a workbook, and its status machine.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A BcReport is an immutable snapshot: the workbook hands out a new one after
 * every change. Values are canonical stored texts (see bc_field_parse_value());
 * a scalar field is keyed by its id, a table cell by "table.column" and the
 * row's stable id. Rows have stable ids (never reused within a report) and a
 * position; the "findings[2]" of a path is the row at position 2, from 1.
 */
#pragma once

#include <glib-object.h>

#include "bc-period.h"

G_BEGIN_DECLS

typedef enum {
  BC_STATUS_DRAFT,
  BC_STATUS_READY,
  BC_STATUS_QUEUED,
  BC_STATUS_SENT,
  BC_STATUS_ACCEPTED,
  BC_STATUS_RETURNED,
} BcStatus;

#define BC_STATUS_LAST BC_STATUS_RETURNED

const char *bc_status_to_string      (BcStatus     status); /* "draft", "ready", … */
gboolean    bc_status_from_string    (const char  *string,
                                      BcStatus    *out);
/* Translated, for people: "Nháp", "Sẵn sàng gửi", … */
const char *bc_status_label          (BcStatus     status);
/* draft → ready → queued → sent → accepted | returned; ready → draft;
 * queued → draft (not yet sent); returned → draft. */
gboolean    bc_status_can_transition (BcStatus     from,
                                      BcStatus     to);

#define BC_TYPE_REPORT (bc_report_get_type ())
G_DECLARE_FINAL_TYPE (BcReport, bc_report, BC, REPORT, GObject)

/* Used by the workbook and by tests that build reports in memory. */
BcReport    *bc_report_new               (const char   *id,
                                          const char   *template_id,
                                          int           template_version,
                                          const char   *period_id,
                                          const char   *unit);
void         bc_report_set_status        (BcReport     *self,
                                          BcStatus      status);
void         bc_report_set_revision      (BcReport     *self,
                                          gint64        revision);
void         bc_report_set_times         (BcReport     *self,
                                          gint64        created_at,
                                          gint64        updated_at,
                                          gint64        submitted_at);
void         bc_report_set_review_comment(BcReport     *self,
                                          const char   *comment);
/* row_id 0 for a scalar field. `value` NULL removes it (blank). */
void         bc_report_set_value         (BcReport     *self,
                                          const char   *key,
                                          gint64        row_id,
                                          const char   *value);
/* Appends a row id at the end of `table`'s rows. */
void         bc_report_append_row        (BcReport     *self,
                                          const char   *table,
                                          gint64        row_id);
void         bc_report_set_justification (BcReport     *self,
                                          const char   *rule_id,
                                          gint64        row_id,
                                          const char   *text);

const char  *bc_report_get_id            (BcReport     *self);
const char  *bc_report_get_template_id   (BcReport     *self);
int          bc_report_get_template_version (BcReport  *self);
const char  *bc_report_get_period_id     (BcReport     *self);
const char  *bc_report_get_unit          (BcReport     *self);
BcStatus     bc_report_get_status        (BcReport     *self);
gint64       bc_report_get_revision      (BcReport     *self);
gint64       bc_report_get_created_at    (BcReport     *self); /* µs since the epoch, UTC */
gint64       bc_report_get_updated_at    (BcReport     *self);
gint64       bc_report_get_submitted_at  (BcReport     *self); /* 0 until first queued */
const char  *bc_report_get_review_comment(BcReport     *self); /* of the latest decision (returned, accepted), or NULL */
/* NULL when blank. */
const char  *bc_report_get_value         (BcReport     *self,
                                          const char   *key,
                                          gint64        row_id);
guint        bc_report_get_n_rows        (BcReport     *self,
                                          const char   *table);
/* The stable id of the row at `index` (0-based), 0 when out of range. */
gint64       bc_report_get_row_id        (BcReport     *self,
                                          const char   *table,
                                          guint         index);
/* The 0-based index of a row id, -1 when the table has no such row. */
int          bc_report_find_row          (BcReport     *self,
                                          const char   *table,
                                          gint64        row_id);
/* NULL when the warning has no justification. */
const char  *bc_report_get_justification (BcReport     *self,
                                          const char   *rule_id,
                                          gint64        row_id);
/* Every stored value: calls func (key, row_id, value) in key order. */
typedef void (*BcReportValueFunc) (const char *key, gint64 row_id, const char *value, gpointer user_data);
void         bc_report_foreach_value     (BcReport     *self,
                                          BcReportValueFunc func,
                                          gpointer      user_data);

G_END_DECLS
