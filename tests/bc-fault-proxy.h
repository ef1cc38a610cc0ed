/* bc-fault-proxy.h: a TCP proxy for tests that cuts, stalls, resets and throttles links.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Listens on 127.0.0.1 (a port of its own) and forwards each connection to
 * an upstream address, applying a fault plan: drop the connection after N
 * bytes in one direction, reset it (TCP RST), stall one direction for a
 * while or until the plan changes, lose the response to a request the
 * server has already taken whole, and shape both directions to a bandwidth
 * and a one-way latency. It runs in threads of its own, so it keeps
 * forwarding while the test's thread blocks (a spawned baocao-cli, a
 * synchronous call).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  BC_FAULT_UP,    /* client → server */
  BC_FAULT_DOWN,  /* server → client */
} BcFaultDirection;

typedef enum {
  BC_FAULT_NONE,
  /* Forward `after_bytes` in `direction`, then close both sides (FIN). */
  BC_FAULT_DROP,
  /* The same, but both sides are closed with a TCP reset (RST). */
  BC_FAULT_RESET,
  /* Forward `after_bytes` in `direction`, then forward nothing more that
   * way for `stall_usec` (-1: until the plan changes or the proxy stops). */
  BC_FAULT_STALL,
  /* Forward every request whole; once a request starting with
   * `after_request` (any request when NULL) has gone through, close both
   * sides as soon as the server starts answering, forwarding none of it:
   * the server committed, the client never hears. */
  BC_FAULT_LOSE_RESPONSE,
} BcFaultKind;

typedef enum {
  BC_FAULT_SHAPE_BOTH,   /* shape both directions alike */
  BC_FAULT_SHAPE_UP,     /* only client → server */
  BC_FAULT_SHAPE_DOWN,   /* only server → client */
} BcFaultShape;

typedef struct {
  BcFaultKind       kind;
  BcFaultDirection  direction;
  gint64            after_bytes;     /* counted from when the plan reached the connection */
  gint64            stall_usec;
  const char       *after_request;   /* copied */
  gboolean          once;            /* fire on one connection only, then keep only the shaping */
  /* Shaping, each direction alike; 0 = none. A byte leaves the link at
   * (bytes ahead of it on the link × 8 / bandwidth) and arrives
   * latency_usec later. */
  guint64           bandwidth_bps;
  gint64            latency_usec;
  BcFaultShape      shape;
} BcFaultPlan;

#define BC_TYPE_FAULT_PROXY (bc_fault_proxy_get_type ())
G_DECLARE_FINAL_TYPE (BcFaultProxy, bc_fault_proxy, BC, FAULT_PROXY, GObject)

/* Listens on 127.0.0.1, port chosen by the system, forwarding to
 * upstream_host:upstream_port (which need not listen yet). */
BcFaultProxy *bc_fault_proxy_new              (const char        *upstream_host,
                                               guint16            upstream_port,
                                               GError           **error);
guint16       bc_fault_proxy_get_port         (BcFaultProxy      *self);
/* "http://127.0.0.1:PORT" */
char         *bc_fault_proxy_dup_uri          (BcFaultProxy      *self);
/* New connections go there from now on (a restarted server on a new port). */
void          bc_fault_proxy_set_upstream     (BcFaultProxy      *self,
                                               const char        *host,
                                               guint16            port);

/* The plan of every connection, open or to come (NULL: no fault, no
 * shaping). Open connections count after_bytes from now; a stall ends. */
void          bc_fault_proxy_set_plan         (BcFaultProxy      *self,
                                               const BcFaultPlan *plan);
/* A plan for the next connection accepted only (queued in order); the
 * others keep the plan of bc_fault_proxy_set_plan(). */
void          bc_fault_proxy_queue_plan       (BcFaultProxy      *self,
                                               const BcFaultPlan *plan);
/* Cuts every open connection now (reset: with RST). */
void          bc_fault_proxy_cut_all          (BcFaultProxy      *self,
                                               gboolean           reset);

/* Bytes forwarded in a direction, connections accepted, faults fired. */
guint64       bc_fault_proxy_get_bytes        (BcFaultProxy      *self,
                                               BcFaultDirection   direction);
guint         bc_fault_proxy_get_connections  (BcFaultProxy      *self);
guint         bc_fault_proxy_get_faults_fired (BcFaultProxy      *self);
void          bc_fault_proxy_reset_counters   (BcFaultProxy      *self);

/* Stops listening, cuts every connection and waits for its threads. Also
 * done when the last reference goes. */
void          bc_fault_proxy_stop             (BcFaultProxy      *self);

/* A random plan for one sync of a few reports: a good link (a quarter of
 * the time), a drop or a reset up or down somewhere in the first few
 * kilobytes, the answer to a push or to a feed page (or to any request)
 * lost after the server took it, or a stall shorter than a client's
 * bound. */
void          bc_fault_plan_random            (GRand             *rand,
                                               BcFaultPlan       *plan);

G_END_DECLS
