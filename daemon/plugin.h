/* SPDX-License-Identifier: Apache-2.0 */
/* plugin.h -- the loaded plugins (scorers, editors, publishers) as the
 * rest of recutd sees them. */
#ifndef RECUTD_PLUGIN_H
#define RECUTD_PLUGIN_H

#include <stddef.h>

#include "daemon.h"
#include <recut/plugin.h>
#include "viewer.h"

struct plugins *plugins_load(struct recutd *d, char *errstr, size_t errstr_size);
void plugins_free(struct plugins *p);
const struct recut_plugin *plugins_editor(const struct plugins *p, const char *name, void **state);
size_t plugins_count(const struct plugins *p, int kind);
/* Send to every publisher; returns number of failures. */
int plugins_publish(struct plugins *p, const char *viewer, const char *kind, const char *key,
                    const char *json, size_t len);
/* Weighted sum of the scorer plugins' scores for a movie (0 if none is
 * loaded); the strongest plugin's reason into reason. */
double plugins_score_movie(struct plugins *p, const recut_viewer *v, const struct recut_movie *m,
                           char *reason, size_t reason_size);
/* Blend the scorer plugins' scene scores (0..1) into scores, by weight. */
void plugins_score_scenes(struct plugins *p, const recut_viewer *v, const struct recut_movie *m,
                          double *scores);
const char *plugins_list_json(const struct plugins *p);

#endif
