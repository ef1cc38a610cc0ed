/* bc-demo.h: the shipped demo workbook, and fresh copies of it for training.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The build makes demo.baocao from the sample reports and installs it in
 * the package data dir. Trainers never work in that file: they get a copy
 * in their own data dir, which a reset replaces with the shipped one.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The shipped demo workbook: $BAOCAO_DEMO_WORKBOOK when set, else the
 * installed one, else the one in the build tree (uninstalled runs). NULL
 * when none exists. */
char     *bc_demo_shipped_path   (void);
/* Where the user's copy lives: <user data dir>/baocao/demo.baocao. */
char     *bc_demo_default_path   (void);
/* Replaces `dest` (and its -wal and -shm files) with a fresh copy of the
 * shipped demo workbook. The copy is written beside `dest` and renamed over
 * it, so `dest` is never half-written. No one may have `dest` open.
 * Blocking: run it off a UI thread. */
gboolean  bc_demo_install        (const char           *dest,
                                  GError              **error);

G_END_DECLS
