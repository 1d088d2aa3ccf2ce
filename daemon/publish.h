/* SPDX-License-Identifier: Apache-2.0 */
/* publish.h -- handing documents to the publisher plugins: a viewer's
 * recommendations after their events changed (coalesced), and building
 * the recommendations document that GET /v1/users/{id}/recommendations
 * answers with.  Told about changes by recutd.c (the store's on_applied
 * hook); reads viewers through the store. */
#ifndef RECUTD_PUBLISH_H
#define RECUTD_PUBLISH_H

#include <stddef.h>

#include "daemon.h"
#include "recommend.h"
#include "strmap.h"
#include "viewer.h"

struct publish *publish_new(struct recutd *d);
void publish_free(struct publish *p);
/* The viewer's events were applied: publish their recommendations soon. */
void publish_viewer_changed(struct publish *p, const char *user);
/* After SIGHUP: follow a changed delay_ms. */
void publish_reload(struct publish *p);
/* Viewers changed and not yet published (a queue depth for GET /metrics). */
size_t publish_pending(const struct publish *p);
/* Build the recommendations document of a loaded viewer. */
/* store_load_viewer's flags for a recommendation list: the viewers' SVMs
 * are read only when a blend (or an experiment's arm) may use them. */
unsigned publish_load_flags(const struct recutd *d);
char *publish_recs_json(struct recutd *d, const recut_viewer *v, const struct recommend_globals *g,
                        size_t n, const struct strmap *exclude, int include_seen);

#endif
