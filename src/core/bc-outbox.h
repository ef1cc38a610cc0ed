/* bc-outbox.h: the workbook's outbox, per-report sync state and feed cursor.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The storage half of sync (docs/sync-protocol.md, docs/workbook.md,
 * schema version 2), with no network: the client engine (src/sync/) calls
 * these, each one a committed workbook transaction.
 *
 * Exactly once: a report is queued with its content frozen (canonical JSON
 * and its hash) at revision R; that exact text is what every push of it
 * sends, byte for byte, until a result comes back. Before a push, the items
 * it carries are marked attempted (committed first). From then on the
 * report cannot be taken back to draft: the server may hold revision R
 * already, and a changed report sent again as R would be refused (same
 * revision, other content) or, worse, look new. It leaves the outbox only
 * by a result: `stored` or `conflict` (→ sent, with its receipt), `refused`
 * (→ draft, with the server's message: the server stored nothing), or a
 * receipt for R arriving in the feed.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "bc-plan.h"
#include "bc-workbook.h"

G_BEGIN_DECLS

/* One report waiting to be sent. */
typedef struct {
  char   *report_id;
  gint64  revision;
  gint64  base_revision;    /* the revision the server last acknowledged, 0 if none */
  char   *content;          /* the canonical JSON sent; NULL until frozen */
  char   *content_hash;     /* "sha256:…"; NULL until frozen */
  gint64  queued_at;        /* µs since the epoch, UTC */
  int     attempts;         /* pushes that carried it (committed before each push) */
  gint64  last_attempt_at;  /* 0 if never */
  char   *last_error;       /* why the last attempt got no result, or NULL */
  char   *template_id;      /* of the report, for listing */
  char   *period_id;
  char   *unit;
} BcOutboxItem;

void bc_outbox_item_free (BcOutboxItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcOutboxItem, bc_outbox_item_free)

/* What the server said about a report. */
typedef struct {
  char     *report_id;
  gint64    acked_revision;   /* the revision of the last receipt, 0 if none */
  char     *receipt_number;   /* NULL if none */
  gint64    received_at;      /* µs, 0 if none */
  gboolean  conflict;         /* the last receipt was for a revision kept beside another */
  gint64    server_revision;  /* the server's current revision when it answered */
  char     *last_error;       /* the server's message when it refused the report */
} BcSyncState;

void bc_sync_state_free (BcSyncState *state);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcSyncState, bc_sync_state_free)

/* One decision of the province on one revision of a report, as the feed
 * gave it (the workbook's `reviews`). */
typedef struct {
  char     *report_id;
  gint64    seq;              /* its place in the feed */
  gint64    revision;         /* the revision decided on */
  char     *decision;         /* "accepted" or "returned" */
  char     *comment;          /* NULL if none */
  char     *reviewer;         /* NULL if the server named none */
  gint64    decided_at;       /* µs since the epoch, UTC */
  gboolean  current;          /* the decision the report stands on now: the
                               * newest on the revision of its last receipt,
                               * and the report (accepted, returned, or a
                               * returned one being corrected: draft, ready)
                               * was not sent again since. FALSE: history */
} BcReview;

void bc_review_free (BcReview *review);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcReview, bc_review_free)

/* Workbook-level sync settings (bc_outbox_get/set_sync_setting keys). */
#define BC_SYNC_SETTING_SERVER_URL  "server_url"
#define BC_SYNC_SETTING_SERVER_ID   "server_id"
#define BC_SYNC_SETTING_SERVER_NAME "server_name"
#define BC_SYNC_SETTING_UNIT        "unit"       /* the unit code enrolment gave */
#define BC_SYNC_SETTING_UNIT_NAME   "unit_name"
#define BC_SYNC_SETTING_USER        "user"
#define BC_SYNC_SETTING_DEVICE_ID   "device_id"
/* When the last sync that reached the server ended: microseconds since
 * 1970 (UTC), decimal. The window says "Last synced at …" from it after
 * a restart. */
#define BC_SYNC_SETTING_LAST_SYNCED "last_synced"

/* Every outbox item, oldest queued first. BcOutboxItem*. */
GPtrArray   *bc_outbox_list               (BcWorkbook    *workbook,
                                           GError       **error);
/* Freezes the content of items queued while their template was not
 * installed (or by a schema-1 workbook): queued reports cannot change, so
 * the content now is the content then. Items whose template is still
 * missing stay unfrozen (and are not sent). */
gboolean     bc_outbox_freeze             (BcWorkbook    *workbook,
                                           GError       **error);
/* Marks the items about to be pushed as attempted (attempts + 1, now), in
 * one transaction that commits before the request leaves. `report_ids`:
 * char*. */
gboolean     bc_outbox_begin_attempt      (BcWorkbook    *workbook,
                                           GPtrArray     *report_ids,
                                           GError       **error);
/* Notes why the attempt of these items got no result (kept for `outbox`). */
gboolean     bc_outbox_record_failure     (BcWorkbook    *workbook,
                                           GPtrArray     *report_ids,
                                           const char    *message,
                                           GError       **error);
/* A `stored` or `conflict` result (or a feed receipt) for `revision`: in one
 * transaction the item leaves the outbox, the report becomes sent and its
 * state keeps the receipt. For a revision the outbox does not hold (a
 * receipt seen twice) only a newer receipt is kept; nothing moves. */
gboolean     bc_outbox_record_stored      (BcWorkbook    *workbook,
                                           const char    *report_id,
                                           gint64         revision,
                                           const char    *receipt_number,
                                           gint64         received_at,
                                           gboolean       conflict,
                                           gint64         server_revision,
                                           GError       **error);
/* A `refused` result: the server stored nothing, so the report goes back to
 * draft with `message` (kept in its history and state). */
gboolean     bc_outbox_record_refused     (BcWorkbook    *workbook,
                                           const char    *report_id,
                                           gint64         revision,
                                           const char    *message,
                                           GError       **error);
/* Many of the calls above as ONE transaction, one flush to disk: a push's
 * hundred results, or a sync's queueing of every ready report. Each call
 * inside is still all or nothing; none is durable or visible to another
 * program before end_batch commits (`commit` TRUE; FALSE rolls all back).
 * Other threads' workbook calls wait meanwhile. */
gboolean     bc_outbox_begin_batch        (BcWorkbook    *workbook,
                                           GError       **error);
gboolean     bc_outbox_end_batch          (BcWorkbook    *workbook,
                                           gboolean       commit,
                                           GError       **error);
/* NULL (and no error) when the server never answered for this report. */
BcSyncState *bc_outbox_get_state          (BcWorkbook    *workbook,
                                           const char    *report_id,
                                           GError       **error);

char        *bc_outbox_get_sync_setting   (BcWorkbook    *workbook,
                                           const char    *key);
/* Whether a report for `unit` can ever be sent from this workbook: any
 * unit before it is enrolled; once it is, only the unit it was enrolled
 * for (the server takes nothing else from this device). Otherwise FALSE
 * with BC_WORKBOOK_ERROR_INVALID saying which unit it sends for. */
gboolean     bc_outbox_check_unit         (BcWorkbook    *workbook,
                                           const char    *unit,
                                           GError       **error);
/* `value` NULL removes the setting. */
gboolean     bc_outbox_set_sync_setting   (BcWorkbook    *workbook,
                                           const char    *key,
                                           const char    *value,
                                           GError       **error);
/* Sets several settings in one transaction: key, value, …, NULL. */
gboolean     bc_outbox_set_sync_settings  (BcWorkbook    *workbook,
                                           GError       **error,
                                           const char    *first_key,
                                           ...) G_GNUC_NULL_TERMINATED;

/* The feed cursor: the last change applied (0 at first). */
gint64       bc_outbox_get_cursor         (BcWorkbook    *workbook,
                                           GError       **error);
/* Applies one page of the feed and stores `cursor`, in one transaction:
 * receipts (as bc_outbox_record_stored), reviews (sent → accepted or
 * returned, review_comment becoming the decision's comment or NULL, when
 * for the revision the server last acknowledged; always recorded in the
 * review history), unit lists (stored whole). Template and plan changes
 * are not applied here: the caller stores their files first
 * (bc_outbox_store_template, bc_outbox_store_plan) so that a crash between
 * the two only stores a file again. A change applied twice changes nothing.
 * Changes not of the expected shape fail with BC_WIRE_ERROR_BAD_SHAPE and
 * nothing is applied. `changes`: the page's JsonArray. */
gboolean     bc_outbox_apply_changes      (BcWorkbook    *workbook,
                                           JsonArray     *changes,
                                           gint64         cursor,
                                           GError       **error);

/* The reviews received for a report, oldest first: JSON objects as in the
 * feed (revision, decision, comment, reviewer, decided_at). */
JsonNode    *bc_outbox_get_reviews        (BcWorkbook    *workbook,
                                           const char    *report_id,
                                           GError       **error);
/* The reviews of `report_id` (NULL: of every report) received after the
 * feed position `after` (0: all), oldest first: BcReview*. A sync that
 * started at cursor C received those after C. */
GPtrArray   *bc_outbox_list_reviews       (BcWorkbook    *workbook,
                                           const char    *report_id,
                                           gint64         after,
                                           GError       **error);
/* What the server said about each report it answered for: report id →
 * BcSyncState* (as bc_outbox_get_state), for listing many reports. */
GHashTable  *bc_outbox_list_states        (BcWorkbook    *workbook,
                                           GError       **error);
/* The unit list last received: a JSON array as in the feed, or NULL. */
JsonNode    *bc_outbox_get_units          (BcWorkbook    *workbook,
                                           GError       **error);

/* The folder where templates and plans published by the server are kept:
 * <user data dir>/baocao/templates. */
char        *bc_outbox_user_template_dir  (void);
/* Writes a published template definition to `directory` as
 * <id>-v<version>.json (atomically, replacing an earlier copy of the same
 * version), after checking it loads as that id and version. Returns the
 * loaded template. */
BcTemplate  *bc_outbox_store_template     (const char    *directory,
                                           const char    *template_id,
                                           int            version,
                                           JsonNode      *definition,
                                           GError       **error);

/* Writes a published plan definition to `directory` as <id>.plan.json
 * (atomically, replacing an earlier copy), after checking it loads as that
 * plan id. Returns the loaded plan. */
BcPlan      *bc_outbox_store_plan         (const char    *directory,
                                           const char    *plan_id,
                                           JsonNode      *definition,
                                           GError       **error);

/* Adds the templates and plans (`*.plan.json`) of the user's template
 * folder (those the server published) to `registry`, skipping an id and
 * version, or a plan id, it already holds (a shipped copy wins) and, with a
 * warning in the log, a file that does not load: a damaged download must
 * not keep Baocao from starting. A missing folder is nothing to add.
 * Returns how many were added. */
guint        bc_outbox_load_user_templates (BcTemplateRegistry *registry,
                                            const char         *directory);

G_END_DECLS
