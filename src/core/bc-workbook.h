/* bc-workbook.h: a user's reports in one crash-safe SQLite file.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every change is its own committed transaction (WAL, synchronous=FULL)
 * before the call returns TRUE, and is recorded in the edit history. A
 * BcWorkbook is safe to use from several threads (calls are serialised), so
 * the app runs them off its UI thread with the _async variants.
 *
 * Arguments that come from people or files (report ids, keys, values,
 * texts, units, periods) are checked and refused with a GError, never with
 * a critical: text that is not UTF-8 is BC_WORKBOOK_ERROR_INVALID. Only
 * programming errors (a NULL workbook or string) are g_return_if_fail().
 */
#pragma once

#include <gio/gio.h>

#include "bc-report.h"
#include "bc-template.h"

G_BEGIN_DECLS

#define BC_WORKBOOK_ERROR (bc_workbook_error_quark ())

typedef enum {
  BC_WORKBOOK_ERROR_NOT_A_WORKBOOK, /* not SQLite, another application's database, or not a
                                     * regular file (a folder, a device, a pipe) */
  BC_WORKBOOK_ERROR_TOO_NEW,        /* made by a newer Baocao */
  BC_WORKBOOK_ERROR_CORRUPT,        /* fails integrity_check */
  BC_WORKBOOK_ERROR_IO,             /* cannot read or write the file (also: read-only) */
  BC_WORKBOOK_ERROR_NOT_FOUND,      /* no such report or row */
  BC_WORKBOOK_ERROR_EXISTS,         /* a report for this template, period and unit exists */
  BC_WORKBOOK_ERROR_TRANSITION,     /* the status machine does not allow it */
  BC_WORKBOOK_ERROR_READ_ONLY,      /* the report is not a draft (cannot change or go) */
  BC_WORKBOOK_ERROR_NOT_READY,      /* errors remain or warnings are not justified */
  BC_WORKBOOK_ERROR_TEMPLATE,       /* the report's template (version) is not known */
  BC_WORKBOOK_ERROR_INVALID,        /* an argument does not fit: bad period, unit, id, key */
  BC_WORKBOOK_ERROR_WOULD_LOSE,     /* carrying over would lose values not agreed to go */
} BcWorkbookError;

/* SQLite's application_id of a workbook: "BCWB". */
#define BC_WORKBOOK_APPLICATION_ID 0x42435742
/* The schema this Baocao writes (PRAGMA user_version). */
#define BC_WORKBOOK_SCHEMA_VERSION 2

typedef enum {
  BC_WORKBOOK_KIND_USER,
  BC_WORKBOOK_KIND_DEMO,  /* training data: never sent to the provincial server */
} BcWorkbookKind;

typedef enum {
  BC_WORKBOOK_OPEN_DEFAULT = 0,
  BC_WORKBOOK_OPEN_CREATE  = 1 << 0,  /* create the file when missing */
} BcWorkbookOpenFlags;

/* One row of the report list. */
typedef struct {
  char     *id;
  char     *template_id;
  int       template_version;
  char     *period_id;
  char     *unit;
  BcStatus  status;
  gint64    revision;
  gint64    created_at;    /* µs since the epoch, UTC */
  gint64    updated_at;
  gint64    submitted_at;  /* 0 until first queued */
} BcReportSummary;

void bc_report_summary_free (BcReportSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcReportSummary, bc_report_summary_free)

/* One recorded change, for "what changed". Row operations have key = the
 * table id: adding a row is old NULL, new "added"; removing one is old NULL,
 * new "removed" (after one edit per removed cell, with its old value, and
 * one per justification of the row's warnings); moving one has the old and
 * new 0-based positions ("2" → "0"). A warning's justification written,
 * changed or removed has key = BC_EDIT_JUSTIFICATION_PREFIX and the rule's
 * id ("!pct_electronic"), row_id = the row of a per-row rule, and the old
 * and new texts (bc_edit_get_justification_rule()). */
typedef struct {
  gint64    id;
  char     *report_id;
  char     *key;
  gint64    row_id;
  char     *old_value;   /* NULL = blank */
  char     *new_value;
  gint64    at;          /* µs since the epoch, UTC */
  gint64    revision;    /* the report's revision after the change */
} BcEdit;

#define BC_EDIT_JUSTIFICATION_PREFIX "!"

/* The rule whose justification `edit` changed, or NULL for any other edit. */
const char *bc_edit_get_justification_rule (const BcEdit *edit);
void bc_edit_free (BcEdit *edit);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcEdit, bc_edit_free)

#define BC_TYPE_WORKBOOK (bc_workbook_get_type ())
G_DECLARE_FINAL_TYPE (BcWorkbook, bc_workbook, BC, WORKBOOK, GObject)

GQuark          bc_workbook_error_quark       (void);

/* The default workbook: <user data dir>/baocao/workbook.baocao. */
char           *bc_workbook_default_path      (void);

/* Opens (and with OPEN_CREATE creates) a workbook, running schema migrations
 * in one transaction. `templates` is used to validate before "ready", to
 * carry findings forward and to carry drafts over to a new template version.
 * Anything that is not a workbook (also anything that is not a regular file,
 * such as /dev/null), or one from a newer Baocao, fails with a clear error
 * and is left untouched. A missing file without OPEN_CREATE fails with
 * G_IO_ERROR_NOT_FOUND. A workbook in a read-only file or folder cannot be
 * opened (SQLite writes beside it even to read): BC_WORKBOOK_ERROR_IO, saying
 * so.
 *
 * `templates` may be NULL (storage-only use, tests): then creating a report
 * accepts any template id (at version 1) and any period that parses, keys
 * are only checked for their shape, and marking ready and carrying over fail
 * with BC_WORKBOOK_ERROR_TEMPLATE. */
BcWorkbook     *bc_workbook_open              (const char           *path,
                                               BcTemplateRegistry   *templates,
                                               BcWorkbookOpenFlags   flags,
                                               GError              **error);
void            bc_workbook_open_async        (const char           *path,
                                               BcTemplateRegistry   *templates,
                                               BcWorkbookOpenFlags   flags,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
BcWorkbook     *bc_workbook_open_finish       (GAsyncResult         *result,
                                               GError              **error);
/* Closes the database; later calls fail. Also done on finalize. */
void            bc_workbook_close             (BcWorkbook           *self);
/* Runs SQLite's full integrity check: BC_WORKBOOK_ERROR_CORRUPT when the
 * file is damaged. (Opening checks only after an unclean shutdown.) */
gboolean        bc_workbook_check             (BcWorkbook           *self,
                                               GError              **error);

const char     *bc_workbook_get_path          (BcWorkbook           *self);
BcTemplateRegistry *bc_workbook_get_templates (BcWorkbook           *self);
BcWorkbookKind  bc_workbook_get_kind          (BcWorkbook           *self);
gboolean        bc_workbook_set_kind          (BcWorkbook           *self,
                                               BcWorkbookKind        kind,
                                               GError              **error);
/* Free-form settings kept in the workbook (e.g. "unit"). NULL when unset
 * (or when `key` is not UTF-8). */
char           *bc_workbook_get_setting       (BcWorkbook           *self,
                                               const char           *key);
gboolean        bc_workbook_set_setting       (BcWorkbook           *self,
                                               const char           *key,
                                               const char           *value,
                                               GError              **error);

/* A unit's name as the workbook stores and compares it (see
 * create_report), or NULL with INVALID: for filters such as `list --unit`. */
char           *bc_workbook_normalize_unit    (const char           *unit,
                                               GError              **error);

/* Creates a draft on the newest installed version of the template and
 * returns its new UUID. The unit is stored normalized: NFC, without white
 * space around it, 1–64 characters, no control, line-separator, format
 * (zero-width, bidi), private-use or unassigned characters (else INVALID),
 * so differently composed spellings of one name are one unit and invisible
 * characters cannot make a look-alike one. Refuses a second
 * report for the same template, period and unit.
 *
 * Carrying forward: tables whose template declares carry_forward_if get the
 * rows of the same unit's most recent earlier report of the same template
 * (not only the previous period's: a unit may have skipped one), copied with
 * their values under new row ids. A row is carried unless its condition is
 * definitely false (false or 0); it is evaluated with that report's own
 * template version, and its cells are stored under the keys of the new
 * version (through the migrations). When that version is not installed,
 * every row is carried. */
char           *bc_workbook_create_report     (BcWorkbook           *self,
                                               const char           *template_id,
                                               const char           *period_id,
                                               const char           *unit,
                                               GError              **error);
/* Like create_report, with a given id (demo data). Carries forward too. */
gboolean        bc_workbook_create_report_with_id (BcWorkbook       *self,
                                               const char           *id,
                                               const char           *template_id,
                                               const char           *period_id,
                                               const char           *unit,
                                               GError              **error);
/* Creates a draft with the given id on exactly version `template_version`
 * of the template (any installed version, not only the newest: TEMPLATE when
 * it is not installed; without a registry any version ≥ 1), and carries
 * nothing forward: an imported report brings its own rows. Otherwise the
 * checks of create_report (id, period type, unit, duplicate). */
gboolean        bc_workbook_import_report     (BcWorkbook           *self,
                                               const char           *id,
                                               const char           *template_id,
                                               int                   template_version,
                                               const char           *period_id,
                                               const char           *unit,
                                               GError              **error);
/* Deletes a draft. Any other status fails with READ_ONLY: a report that was
 * made ready, queued or sent is kept for the record. */
gboolean        bc_workbook_delete_report     (BcWorkbook           *self,
                                               const char           *report_id,
                                               GError              **error);
BcReport       *bc_workbook_load_report       (BcWorkbook           *self,
                                               const char           *report_id,
                                               GError              **error);
void            bc_workbook_load_report_async (BcWorkbook           *self,
                                               const char           *report_id,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
BcReport       *bc_workbook_load_report_finish(BcWorkbook           *self,
                                               GAsyncResult         *result,
                                               GError              **error);
/* The id of the report for template, period and unit (normalized as
 * create_report does), or NULL. */
char           *bc_workbook_find_report       (BcWorkbook           *self,
                                               const char           *template_id,
                                               const char           *period_id,
                                               const char           *unit,
                                               GError              **error);
/* The same unit's report of the same template for the immediately previous
 * period, or NULL: what prev() means in checks ("last quarter's values").
 * Carrying forward looks further back (see create_report). */
BcReport       *bc_workbook_load_previous     (BcWorkbook           *self,
                                               BcReport             *report,
                                               GError              **error);
/* Every report, newest period first, then unit. BcReportSummary*. */
GPtrArray      *bc_workbook_list_reports      (BcWorkbook           *self,
                                               GError              **error);
void            bc_workbook_list_reports_async (BcWorkbook          *self,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
GPtrArray      *bc_workbook_list_reports_finish (BcWorkbook         *self,
                                               GAsyncResult         *result,
                                               GError              **error);

/* Sets one value (`value` canonical, NULL = blank; row_id 0 for a scalar
 * field, else the row's id) in its own committed transaction, recording the
 * edit and bumping the revision. Only drafts can change. Setting the value it
 * already has changes nothing and records nothing. Callers check the value
 * against the template first (bc_field_parse_value()). */
gboolean        bc_workbook_set_value         (BcWorkbook           *self,
                                               const char           *report_id,
                                               const char           *key,
                                               gint64                row_id,
                                               const char           *value,
                                               GError              **error);
void            bc_workbook_set_value_async   (BcWorkbook           *self,
                                               const char           *report_id,
                                               const char           *key,
                                               gint64                row_id,
                                               const char           *value,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean        bc_workbook_set_value_finish  (BcWorkbook           *self,
                                               GAsyncResult         *result,
                                               GError              **error);
/* Appends a row and returns its stable id (> 0), or 0 on error. */
gint64          bc_workbook_add_row           (BcWorkbook           *self,
                                               const char           *report_id,
                                               const char           *table,
                                               GError              **error);
/* Adds a row with a given id at `index` (0-based; past the end means last),
 * recorded as add_row's is: a row of another copy of the report (the
 * province's, in a conflict) keeps the id that the wire and the comparison
 * match it by. An id that a row of this report has now, in any table, is
 * INVALID (an id of a row removed here is allowed: the province may have
 * kept that row); add_row later hands out ids above it. */
gboolean        bc_workbook_add_row_with_id   (BcWorkbook           *self,
                                               const char           *report_id,
                                               const char           *table,
                                               gint64                row_id,
                                               guint                 index,
                                               GError              **error);
/* Removes a row and its cells (recorded in the history with their values). */
gboolean        bc_workbook_remove_row        (BcWorkbook           *self,
                                               const char           *report_id,
                                               const char           *table,
                                               gint64                row_id,
                                               GError              **error);
/* Moves a row to `index` (0-based), shifting the others. */
gboolean        bc_workbook_move_row          (BcWorkbook           *self,
                                               const char           *report_id,
                                               const char           *table,
                                               gint64                row_id,
                                               guint                 index,
                                               GError              **error);
/* The written justification of a warning, stored without the white space
 * around it. `text` NULL, empty or only white space removes it. For a
 * per-row rule, `row_id` must be a row of the rule's table. Only a warning
 * rule of the report's template takes one: a rule the template lacks is
 * NOT_FOUND, an error rule INVALID (an error is corrected, not justified),
 * and a template that is not installed TEMPLATE. */
gboolean        bc_workbook_set_justification (BcWorkbook           *self,
                                               const char           *report_id,
                                               const char           *rule_id,
                                               gint64                row_id,
                                               const char           *text,
                                               GError              **error);
/* Moves a report along the status machine (bc_status_can_transition()).
 * To READY only when bc_validate_ready() passes against the report's
 * template. `comment` is kept with the change (the reviewer's, when
 * RETURNED). An illegal transition fails and changes nothing. */
gboolean        bc_workbook_set_status        (BcWorkbook           *self,
                                               const char           *report_id,
                                               BcStatus              status,
                                               const char           *comment,
                                               GError              **error);
/* Forgets a report's edit history (any status): every recorded old and new
 * value, so that a value cleared from the report is no longer in the file
 * (the freed space is overwritten and the WAL checkpointed). The report's
 * content, revision and status changes stay. */
gboolean        bc_workbook_purge_history     (BcWorkbook           *self,
                                               const char           *report_id,
                                               GError              **error);
/* The edits of a report, oldest first. BcEdit*. */
GPtrArray      *bc_workbook_get_history       (BcWorkbook           *self,
                                               const char           *report_id,
                                               GError              **error);
/* Carries a draft over to the newest version of its template, applying that
 * version's migrations (renamed keys, defaults for new fields, removed keys)
 * in one transaction. Does nothing when it is already on the newest. Renames
 * may swap keys; a migration that would put two old keys into one new key,
 * or turn a field into a table's column (or the other way), fails with
 * TEMPLATE and changes nothing. */
gboolean        bc_workbook_carry_over        (BcWorkbook           *self,
                                               const char           *report_id,
                                               GError              **error);
/* Carrying over never loses a value without being told: a value whose key
 * the newest version has no stored field for (removed by a migration, or
 * renamed without one) is a loss. carry_over() refuses any loss with
 * WOULD_LOSE, naming the keys and changing nothing; carry_over_dropping()
 * lets go of the keys in `drop` (keys of the draft's version) and refuses
 * the others. Values let go are cleared with an edit each. */
gboolean        bc_workbook_carry_over_dropping (BcWorkbook         *self,
                                               const char           *report_id,
                                               const char * const   *drop,
                                               GError              **error);
/* What carrying a draft over would do, for a preview before it is done. */
typedef enum {
  BC_CARRY_OVER_MOVES,  /* a stored value moves from old_key to new_key (a rename) */
  BC_CARRY_OVER_NEW,    /* new_key is a field the draft's version did not have */
  BC_CARRY_OVER_LOST,   /* the value(s) under old_key would be lost (see carry_over_dropping) */
} BcCarryOverKind;

typedef struct {
  BcCarryOverKind  kind;
  char            *old_key;  /* NULL for NEW */
  char            *new_key;  /* NULL for LOST */
} BcCarryOverChange;

void            bc_carry_over_change_free     (BcCarryOverChange    *change);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcCarryOverChange, bc_carry_over_change_free)

/* The changes carrying over would make, changing nothing: moved keys and
 * lost keys (with stored values), then new fields, in form order. Empty
 * when the draft is on the newest version that is for it. BcCarryOverChange*. */
GPtrArray      *bc_workbook_carry_over_preview (BcWorkbook          *self,
                                               const char           *report_id,
                                               GError              **error);
/* The keys (of the draft's version) whose values carrying over would lose,
 * sorted; empty when none or when the draft is on the newest version. */
GStrv           bc_workbook_carry_over_losses (BcWorkbook           *self,
                                               const char           *report_id,
                                               GError              **error);

G_END_DECLS
