/* bc-server.h: the sync protocol's HTTP side, on libsoup's SoupServer.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/sync-protocol.md is the contract. The main loop only routes and
 * checks headers; everything that touches the store, a password hash or a
 * large body runs in a worker thread while the message is paused.
 */
#pragma once

#include <gio/gio.h>

#include "bc-server-store.h"
#include "bc-template.h"

G_BEGIN_DECLS

#define BC_SERVER_ERROR (bc_server_error_quark ())

typedef enum {
  BC_SERVER_ERROR_ADDRESS,   /* the listening address is not usable */
  BC_SERVER_ERROR_TLS,       /* no certificate where one is needed, or a bad one */
  BC_SERVER_ERROR_STORE,
} BcServerError;

#define BC_TYPE_SERVER (bc_server_get_type ())
G_DECLARE_FINAL_TYPE (BcServer, bc_server, BC, SERVER, GObject)

GQuark     bc_server_error_quark         (void);

/* Takes ownership of `store`. `shipped` (may be NULL) are the templates
 * installed with the server; published ones come from the store. */
BcServer  *bc_server_new                 (BcServerStore      *store,
                                          BcTemplateRegistry *shipped,
                                          GError            **error);
/* Requests a token may make: `per_minute` on average, `burst` at once.
 * 0 per minute turns the limit off (benchmarks, fault-injection runs). */
void       bc_server_set_rate_limit      (BcServer           *self,
                                          double              per_minute,
                                          guint               burst);
/* Listens on "ADDR:PORT" ("127.0.0.1:0" picks a free port; "[::1]:8443").
 * With a certificate, HTTPS; without one only on a loopback address. */
gboolean   bc_server_listen              (BcServer           *self,
                                          const char         *address,
                                          GTlsCertificate    *certificate,
                                          GError            **error);
/* "https://127.0.0.1:8443" — the address really listened on. */
char      *bc_server_get_url             (BcServer           *self);
/* Stops accepting and closes connections. Requests whose store work has
 * started still finish it (the store is freed with the last of them). */
void       bc_server_stop                (BcServer           *self);
/* Requests being worked on in threads. */
guint      bc_server_get_n_pending       (BcServer           *self);

G_END_DECLS
