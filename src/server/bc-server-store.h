/* bc-server-store.h: what the server keeps, behind an interface any store can implement.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The HTTP layer (bc-server.c) and the admin commands know only these
 * functions; SQL lives in the implementations. SQLite (bc-server-store-sqlite.c)
 * is the embedded default; a PostgreSQL store is a second BcServerStoreClass.
 *
 * Every function may be called from any thread and blocks: the server calls
 * them from worker threads, never from its main loop. Times are µs since the
 * epoch (UTC). Each function is one transaction: it commits whole or changes
 * nothing.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BC_SERVER_STORE_ERROR (bc_server_store_error_quark ())

typedef enum {
  BC_SERVER_STORE_ERROR_FAILED,     /* the store failed (disk, corruption, …) */
  BC_SERVER_STORE_ERROR_BUSY,       /* locked by another writer past the timeout: try again */
  BC_SERVER_STORE_ERROR_NOT_FOUND,
  BC_SERVER_STORE_ERROR_EXISTS,
  BC_SERVER_STORE_ERROR_INVALID,    /* the data does not fit (a unit that must stay, …) */
  BC_SERVER_STORE_ERROR_VERSION,    /* written by a newer server */
} BcServerStoreError;

GQuark bc_server_store_error_quark (void);

typedef struct {
  gint64  id;
  char   *name;
  char   *unit;
  char   *password_hash;   /* crypto_pwhash_str */
  gint64  created_at;
  guint   n_devices;       /* active ones */
} BcStoreUser;

typedef struct {
  char   *id;
  char   *name;
  char   *user;
  char   *unit;
  gint64  created_at;
  gint64  last_seen;       /* 0: never */
  gint64  revoked_at;      /* 0: active */
} BcStoreDevice;

/* One item of a push, checked by the caller (shape, hash, unit, template). */
typedef struct {
  const char *report_id;
  gint64      revision;
  gint64      base_revision;
  const char *content_hash;
  const char *content;          /* canonical JSON */
  const char *template_id;
  gint64      template_version;
  const char *period;
} BcStorePushItem;

typedef enum {
  BC_STORE_PUSH_STORED,
  BC_STORE_PUSH_CONFLICT,
  BC_STORE_PUSH_REFUSED_REUSED,   /* this revision is held with other content */
  BC_STORE_PUSH_REFUSED_ACCEPTED, /* the current revision was accepted: final */
} BcStorePushOutcome;

typedef struct {
  BcStorePushOutcome outcome;
  gboolean           replayed;
  gint64             server_revision;
  char              *receipt_number;   /* STORED, CONFLICT */
  gint64             received_at;
} BcStorePushResult;

/* A report's current revision, as listed by the admin commands. */
typedef struct {
  char   *unit;
  char   *report_id;
  char   *template_id;
  gint64  template_version;
  char   *period;
  gint64  current_revision;
  char   *state;             /* "received", "accepted", "returned" */
  char   *receipt_number;    /* of the current revision */
  gint64  received_at;       /* of the current revision */
  gint64  first_received_at; /* the report's first receipt: when it was submitted */
  guint   n_revisions;
  guint   n_conflicts;
  char   *content;           /* canonical JSON of the current revision */
} BcStoreReport;

typedef struct _BcServerStore      BcServerStore;
typedef struct _BcServerStoreClass BcServerStoreClass;

struct _BcServerStoreClass {
  const char *name;
  void        (*free)             (BcServerStore *self);
  char       *(*get_meta)         (BcServerStore *self, const char *key, GError **error);
  gboolean    (*set_meta)         (BcServerStore *self, const char *key, const char *value,
                                   GError **error);
  /* units */
  gboolean    (*load_units)       (BcServerStore *self, JsonArray *units, gint64 now,
                                   GError **error);
  JsonArray  *(*list_units)       (BcServerStore *self, GError **error);
  /* accounts and devices */
  gboolean    (*add_user)         (BcServerStore *self, const char *name, const char *unit,
                                   const char *password_hash, gint64 now, GError **error);
  BcStoreUser *(*find_user)       (BcServerStore *self, const char *name, GError **error);
  GPtrArray  *(*list_users)       (BcServerStore *self, GError **error);
  char       *(*add_device)       (BcServerStore *self, gint64 user_id, const char *name,
                                   const char *token_hash, gint64 now, GError **error);
  BcStoreDevice *(*find_token)    (BcServerStore *self, const char *token_hash, gint64 now,
                                   GError **error);
  gboolean    (*revoke_device)    (BcServerStore *self, const char *device_id, gint64 now,
                                   GError **error);
  GPtrArray  *(*list_devices)     (BcServerStore *self, GError **error);
  /* templates */
  gboolean    (*publish_template) (BcServerStore *self, const char *template_id, gint64 version,
                                   const char *definition, gint64 now, GError **error);
  char       *(*get_template)     (BcServerStore *self, const char *template_id, gint64 version,
                                   GError **error);
  /* plans */
  gboolean    (*publish_plan)     (BcServerStore *self, const char *plan_id,
                                   JsonNode *definition, GError **error);
  char       *(*get_plan)         (BcServerStore *self, const char *plan_id, GError **error);
  JsonArray  *(*list_plans)       (BcServerStore *self, GError **error);
  /* reports */
  gboolean    (*push)             (BcServerStore *self, const char *unit, const char *device_id,
                                   const BcStorePushItem *item, gint64 now,
                                   BcStorePushResult *result, GError **error);
  JsonArray  *(*changes)          (BcServerStore *self, const char *unit, gint64 since,
                                   guint limit, GError **error);
  GStrv       (*report_units)     (BcServerStore *self, const char *report_id, GError **error);
  JsonObject *(*get_report)       (BcServerStore *self, const char *unit, const char *report_id,
                                   GError **error);
  GPtrArray  *(*list_reports)     (BcServerStore *self, const char *period, const char *unit,
                                   GError **error);
  gboolean    (*review)           (BcServerStore *self, const char *unit, const char *report_id,
                                   const char *decision, const char *comment,
                                   const char *reviewer, gint64 now, GError **error);
  gboolean    (*backup)           (BcServerStore *self, const char *path, GError **error);
  gboolean    (*sync)             (BcServerStore *self, GError **error);
  /* bundles (bc-server-bundle.c) */
  char       *(*device_token_hash) (BcServerStore *self, const char *device_id, GError **error);
};

struct _BcServerStore {
  const BcServerStoreClass *klass;
};

/* The SQLite store in `directory` (created if missing): directory/server.db. */
BcServerStore *bc_server_store_open_sqlite     (const char     *directory,
                                                GError        **error);
/* The PostgreSQL store at `uri`, a libpq connection URI
 * ("postgresql:///baocao?host=/run/postgresql"), migrated to this
 * server's schema. Several servers may share one database. */
BcServerStore *bc_server_store_open_postgres   (const char     *uri,
                                                GError        **error);
void           bc_server_store_free            (BcServerStore  *self);

char          *bc_server_store_get_meta        (BcServerStore  *self,
                                                const char     *key,
                                                GError        **error);
gboolean       bc_server_store_set_meta        (BcServerStore  *self,
                                                const char     *key,
                                                const char     *value,
                                                GError        **error);
/* Replaces the unit list by `units` (checked by bc_server_units_check())
 * and adds a "units" change to every feed. */
gboolean       bc_server_store_load_units      (BcServerStore  *self,
                                                JsonArray      *units,
                                                gint64          now,
                                                GError        **error);
/* The current list, each {code, name, level, parent, valid_from, valid_to}. */
JsonArray     *bc_server_store_list_units      (BcServerStore  *self,
                                                GError        **error);
gboolean       bc_server_store_add_user        (BcServerStore  *self,
                                                const char     *name,
                                                const char     *unit,
                                                const char     *password_hash,
                                                gint64          now,
                                                GError        **error);
/* NULL without an error when there is no such user. */
BcStoreUser   *bc_server_store_find_user       (BcServerStore  *self,
                                                const char     *name,
                                                GError        **error);
GPtrArray     *bc_server_store_list_users      (BcServerStore  *self,
                                                GError        **error);
/* Returns the new device's id. `token_hash` is the token's SHA-256 (hex). */
char          *bc_server_store_add_device      (BcServerStore  *self,
                                                gint64          user_id,
                                                const char     *name,
                                                const char     *token_hash,
                                                gint64          now,
                                                GError        **error);
/* The active device of a token, NULL without an error when there is none
 * (unknown or revoked). */
BcStoreDevice *bc_server_store_find_token      (BcServerStore  *self,
                                                const char     *token_hash,
                                                gint64          now,
                                                GError        **error);
gboolean       bc_server_store_revoke_device   (BcServerStore  *self,
                                                const char     *device_id,
                                                gint64          now,
                                                GError        **error);
GPtrArray     *bc_server_store_list_devices    (BcServerStore  *self,
                                                GError        **error);
/* Adds a "template" change. The same definition again is not an error and
 * adds nothing; another definition under a published version is EXISTS. */
gboolean       bc_server_store_publish_template (BcServerStore *self,
                                                const char     *template_id,
                                                gint64          version,
                                                const char     *definition,
                                                gint64          now,
                                                GError        **error);
/* NULL without an error when not published. */
char          *bc_server_store_get_template    (BcServerStore  *self,
                                                const char     *template_id,
                                                gint64          version,
                                                GError        **error);
/* Adds a "plan" change to every feed: {"kind": "plan", "plan": ID,
 * "definition": {…}}. A plan is published once: the same definition again
 * (equal as JSON) is not an error and adds nothing; another definition
 * under a published plan id is EXISTS. The feed's change is the plan's
 * only record: it needs no table of its own. */
gboolean       bc_server_store_publish_plan    (BcServerStore  *self,
                                                const char     *plan_id,
                                                const char     *definition,
                                                GError        **error);
/* The published definition of a plan (compact JSON), NULL without an error
 * when not published. */
char          *bc_server_store_get_plan        (BcServerStore  *self,
                                                const char     *plan_id,
                                                GError        **error);
/* Every published plan's definition (a JSON object), in the order
 * published. */
JsonArray     *bc_server_store_list_plans      (BcServerStore  *self,
                                                GError        **error);
/* Steps 4 to 7 of docs/sync-protocol.md's push, in one transaction. The
 * item is committed at return, and durable once bc_server_store_sync()
 * returns: a batch of items costs one flush to disk, not one per item. */
gboolean       bc_server_store_push            (BcServerStore  *self,
                                                const char     *unit,
                                                const char     *device_id,
                                                const BcStorePushItem *item,
                                                gint64          now,
                                                BcStorePushResult *result,
                                                GError        **error);
/* Up to `limit` changes after `since` that a token of `unit` sees, each
 * a change object with its "seq". */
JsonArray     *bc_server_store_changes         (BcServerStore  *self,
                                                const char     *unit,
                                                gint64          since,
                                                guint           limit,
                                                GError        **error);
/* The units that hold a report of this id (usually one, or none). */
GStrv          bc_server_store_report_units    (BcServerStore  *self,
                                                const char     *report_id,
                                                GError        **error);
/* The report as GET /api/v1/reports/{id} answers it; NULL without an
 * error when `unit` holds none of this id. */
JsonObject    *bc_server_store_get_report      (BcServerStore  *self,
                                                const char     *unit,
                                                const char     *report_id,
                                                GError        **error);
/* BcStoreReport*, sorted by period, unit, report id. NULL filters: all. */
GPtrArray     *bc_server_store_list_reports    (BcServerStore  *self,
                                                const char     *period,
                                                const char     *unit,
                                                GError        **error);
/* Records a decision ("accepted", "returned") on the current revision and
 * adds a "review" change to the unit's feed. */
gboolean       bc_server_store_review          (BcServerStore  *self,
                                                const char     *unit,
                                                const char     *report_id,
                                                const char     *decision,
                                                const char     *comment,
                                                const char     *reviewer,
                                                gint64          now,
                                                GError        **error);
/* Makes every push committed so far durable (on disk, whatever happens to
 * the power next). The server calls it before it answers a push: no
 * receipt leaves before what it acknowledges is on disk. Every other
 * function is durable at return. */
gboolean       bc_server_store_sync            (BcServerStore  *self,
                                                GError        **error);
/* A consistent copy of the whole store in `path`, taken while it serves. */
gboolean       bc_server_store_backup          (BcServerStore  *self,
                                                const char     *path,
                                                GError        **error);

/* The token hash of an active device (the key its bundles are signed
 * with, bc-bundle.h); NULL without an error when the device is unknown or
 * revoked. */
char          *bc_server_store_device_token_hash (BcServerStore *self,
                                                  const char    *device_id,
                                                  GError       **error);

/* For the stores: a "template" or "plan" change's body (`version` is
 * left out for a plan), and the definition a stored "plan" change body
 * publishes for `plan_id` (NULL when it is another plan's; any plan's when
 * `plan_id` is NULL). */
JsonNode      *_bc_server_store_published_change (const char   *kind,
                                                  const char   *id,
                                                  gint64        version,
                                                  JsonNode     *definition);
JsonNode      *_bc_server_store_plan_definition  (const char   *body,
                                                  const char   *plan_id);

void           bc_store_user_free              (BcStoreUser    *user);
void           bc_store_device_free            (BcStoreDevice  *device);
void           bc_store_report_free            (BcStoreReport  *report);
void           bc_store_push_result_clear      (BcStorePushResult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcServerStore, bc_server_store_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcStoreUser, bc_store_user_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcStoreDevice, bc_store_device_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcStoreReport, bc_store_report_free)

G_END_DECLS
