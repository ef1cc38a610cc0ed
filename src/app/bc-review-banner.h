/* bc-review-banner.h: above a report, what the province said: its receipt,
 * and what changed since it was sent.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bc-form-view.h"

G_BEGIN_DECLS

#define BC_TYPE_REVIEW_BANNER (bc_review_banner_get_type ())
G_DECLARE_FINAL_TYPE (BcReviewBanner, bc_review_banner, BC, REVIEW_BANNER, GtkWidget)

/* Property "form-view": the form it follows (its "report"). */
void        bc_review_banner_set_form_view (BcReviewBanner *self,
                                            BcFormView     *form_view);
/* The receipt line ("Received by the province: No. … at …"), or NULL. */
const char *bc_review_banner_get_receipt   (BcReviewBanner *self);
/* Whether the receipt and changes are being read after the report (or
 * a saved edit of it) came. */
gboolean    bc_review_banner_get_loading   (BcReviewBanner *self);

G_END_DECLS
