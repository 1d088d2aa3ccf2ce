/* SPDX-License-Identifier: Apache-2.0 */
/* experiment.h -- A/B experiments on recutd's per-request settings: the
 * [experiment.NAME] sections of recutd.conf read into arms with traffic
 * shares and overrides, and the assignment of a viewer to an arm.
 *
 * The assignment is a keyed hash of the experiment's name and the viewer id
 * under a key derived from the experiment's salt (SipHash-2-4 through
 * libsodium's crypto_shorthash), never the per-process seed of util_hash:
 * every instance and every restart puts a viewer in the same arm, and a new
 * salt reshuffles the viewers for a new run.  Kept in lib/core, beside the
 * configuration table whose rows the overrides name, so recutd and
 * recut-eval read and assign alike. */
#ifndef RECUT_EXPERIMENT_H
#define RECUT_EXPERIMENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "conf.h"

#define EXPERIMENT_ARMS_MAX 8
#define EXPERIMENT_NAME_MAX 48

/* One overridden setting of an arm: a row of conf_table and its value. */
struct experiment_override {
    const struct conf_row *row;
    double d;
    int i;
    char *s;
};

struct experiment_arm {
    char name[EXPERIMENT_NAME_MAX + 1];
    double share; /* percent of the viewers; the arms' shares sum to 100 */
    struct experiment_override *ov;
    size_t n_ov;
};

struct experiment {
    char name[EXPERIMENT_NAME_MAX + 1];
    char *salt;
    char *exposure_topic; /* this experiment's, else [experiment] exposure_topic */
    int window_s;         /* outcomes count within this long of the exposure */
    unsigned char key[16];
    struct experiment_arm arms[EXPERIMENT_ARMS_MAX];
    size_t n_arms;
};

struct experiment_set {
    struct experiment *x;
    size_t n;
};

/* Read every [experiment.NAME] section (and [experiment]) of cfg's free-form
 * keys into set, in the order the sections first appear.  -1 with "FILE:LINE:
 * reason" in errstr for an unknown key or override, a bad value, arms whose
 * shares do not sum to 100, an override of an arm not listed. */
int experiment_set_load(struct experiment_set *set, const struct recut_config *cfg, char *errstr,
                        size_t errstr_size);
void experiment_set_free(struct experiment_set *set);
/* The experiment called name, or NULL. */
const struct experiment *experiment_find(const struct experiment_set *set, const char *name);
/* The arm (index) of viewer under experiment x. */
size_t experiment_assign(const struct experiment *x, const char *viewer);
/* The point in [0, 1) a viewer hashes to under x (the assignment's input). */
double experiment_point(const struct experiment *x, const char *viewer);
/* Write the arm's overrides into cfg, a shallow copy of the running
 * configuration (its strings then point into the arm: use it only while the
 * set lives, never conf_free it). */
void experiment_apply(const struct experiment_arm *arm, struct recut_config *cfg);
/* Whether conf_table's section.key may be overridden by an arm. */
int experiment_overridable(const char *section, const char *key);

/* What an arm counted: exposures, conversions, negatives. */
enum experiment_count {
    EXPERIMENT_EXPOSURES,
    EXPERIMENT_CONVERSIONS,
    EXPERIMENT_NEGATIVES
};
/* The report of experiment x from its arms' counts (counts[arm][enum
 * experiment_count]): {"name", "window_s", "arms": [{"name", "share",
 * "exposures", "conversions", "negatives", "rate", "ci": [lo, hi]}],
 * "comparisons": [{"arm", "vs", "diff", "ci", "z", "p"}]}, every arm after
 * the first against the first (abstats.h).  NULL when out of memory. */
json_t *experiment_report(const struct experiment *x, const uint64_t counts[][3]);
/* The same report as a text table. */
void experiment_report_print(FILE *out, const json_t *report);

#endif
