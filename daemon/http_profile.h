/* SPDX-License-Identifier: Apache-2.0 */
/* http_profile.h -- the document of GET /v1/users/{id}/profile. */
#ifndef RECUTD_HTTP_PROFILE_H
#define RECUTD_HTTP_PROFILE_H

#include <jansson.h>

#include "viewer.h"

struct recutd;

/* What the models learned about v, readable; NULL on out of memory. */
json_t *http_profile_doc(struct recutd *d, const recut_viewer *v);

#endif
