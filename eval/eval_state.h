/* SPDX-License-Identifier: Apache-2.0 */
/* eval_state.h -- what recut-eval learns while it replays events: every
 * viewer's state (viewer.c, updated through update_compute + viewer_apply as
 * recutd does in Redis), the global popularity and co-occurrence counts
 * (recommend_mem), and the most-popular-so-far order for the baseline; and
 * the top-k lists of the three methods. */
#ifndef RECUT_EVAL_STATE_H
#define RECUT_EVAL_STATE_H

#include <stdint.h>

#include "eval_data.h"
#include "recommend.h"
#include "svm_viewer.h"
#include "update.h"
#include "viewer.h"

struct eval_state {
    const struct eval_data *d;
    const struct recut_config *cfg;
    recut_viewer *viewers; /* one per user of d */
    struct recommend_mem mem;
    /* most popular so far: positive events per catalog index, the indices
     * sorted by (count desc, index asc), and each index's position there */
    uint32_t *count, *order, *pos;
    struct update u;
    update_sentiment_fn sentiment;
    void *sentiment_ctx;
    uint64_t rng;
    unsigned char *mark; /* scratch, one byte per catalog item */
    /* the viewers' SVMs, trained synchronously under recutd's policy
     * ([svm], daemon/svm_scorer.c) when [models] blend_svm > 0: new
     * labels per viewer since the last attempt; an attempt every
     * retrain_labels of them */
    uint32_t *svm_new;
    struct svmv_config svm;
    struct svmv_sample *svm_samples;
    size_t svm_cap;
    size_t svm_trained, svm_few;
    double svm_seconds;
};

int eval_state_init(struct eval_state *s, const struct eval_data *d, const struct recut_config *cfg,
                    uint64_t seed, char *errstr, size_t errstr_size);
void eval_state_free(struct eval_state *s);
/* Learn one event (a rating, or a tag as a comment). */
int eval_state_learn(struct eval_state *s, const struct eval_event *ev, char *errstr,
                     size_t errstr_size);
/* Top k catalog indices for `user` (unseen items only); return how many. */
size_t eval_state_recut(struct eval_state *s, uint32_t user, uint32_t *out, size_t k);
size_t eval_state_popular(struct eval_state *s, uint32_t user, uint32_t *out, size_t k);
size_t eval_state_random(struct eval_state *s, uint32_t user, uint32_t *out, size_t k);

#endif
