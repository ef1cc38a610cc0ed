/* bc-sync-decode.h: the client's decoder of server answers (bounded, strict).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every response body the client reads goes through one of these before
 * anything acts on it: size, UTF-8, depth and shape are checked
 * (bc_wire_parse), and an answer that does not fit docs/sync-protocol.md
 * is BC_SYNC_ERROR_PROTOCOL. No network here: fuzz/fuzz-sync-response.c
 * feeds these arbitrary bytes.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The largest response body the client reads (decompressed). */
#define BC_SYNC_MAX_RESPONSE (32 * 1024 * 1024)

typedef struct {
  char   *server;
  char   *version;
  char   *server_id;
  char   *name;
  gint64  protocol_min;
  gint64  protocol_max;
  gboolean training;   /* "training": true, a training server (bc-training.h) */
} BcSyncInfo;

void        bc_sync_info_free          (BcSyncInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcSyncInfo, bc_sync_info_free)

typedef struct {
  char *token;
  char *device_id;
  char *user;
  char *server_id;
  char *unit_code;
  char *unit_name;
  char *unit_level;
  char *unit_parent;  /* NULL at the top */
} BcSyncEnrolment;

void        bc_sync_enrolment_free     (BcSyncEnrolment *enrolment);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcSyncEnrolment, bc_sync_enrolment_free)

typedef enum {
  BC_SYNC_RESULT_STORED,
  BC_SYNC_RESULT_CONFLICT,
  BC_SYNC_RESULT_REFUSED,
} BcSyncResultKind;

/* One item's result of a push. */
typedef struct {
  char             *report_id;
  gint64            revision;
  BcSyncResultKind  result;
  gboolean          replayed;
  char             *receipt_number;   /* stored, conflict */
  gint64            received_at;      /* µs; stored, conflict */
  gint64            server_revision;  /* 0 when not given */
  char             *error_code;       /* refused */
  char             *error_message;    /* refused */
} BcSyncPushResult;

void        bc_sync_push_result_free   (BcSyncPushResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcSyncPushResult, bc_sync_push_result_free)

typedef struct {
  JsonNode  *root;     /* owns what `changes` points into */
  JsonArray *changes;  /* each checked to be an object with a kind and a seq */
  gint64     cursor;
  gboolean   more;
} BcSyncChanges;

void        bc_sync_changes_free       (BcSyncChanges *changes);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcSyncChanges, bc_sync_changes_free)

const char *bc_sync_result_kind_to_string (BcSyncResultKind kind);

BcSyncInfo      *bc_sync_decode_info      (const char  *data,
                                           gsize        length,
                                           GError     **error);
BcSyncEnrolment *bc_sync_decode_enrolment (const char  *data,
                                           gsize        length,
                                           GError     **error);
/* The results of a push of `n_items` items: exactly that many, in order,
 * each naming the item's report and revision (`report_ids`, `revisions`:
 * the batch as sent). BcSyncPushResult*. */
GPtrArray       *bc_sync_decode_push      (const char  *data,
                                           gsize        length,
                                           const char * const *report_ids,
                                           const gint64 *revisions,
                                           guint        n_items,
                                           GError     **error);
/* A page of the feed asked for `since`: seqs strictly growing and above
 * `since`, a cursor not below the last seq nor below `since`. */
BcSyncChanges   *bc_sync_decode_changes   (const char  *data,
                                           gsize        length,
                                           gint64       since,
                                           GError     **error);
/* An error body ({"error": {"code", "message"}}); FALSE when it is not one.
 * protocol_min/max are -1 unless the body gives them. */
gboolean         bc_sync_decode_error     (const char  *data,
                                           gsize        length,
                                           char       **code,
                                           char       **message,
                                           gint64      *protocol_min,
                                           gint64      *protocol_max);

G_END_DECLS
