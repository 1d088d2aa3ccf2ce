/* SPDX-License-Identifier: Apache-2.0 */
/* update.h -- what one viewer event changes in the viewer's models, as a
 * small list of operations.  The daemon applies them atomically in Redis (one
 * Lua call per viewer and batch, see store_redis.c); recut-eval and the tests
 * apply them to an in-memory viewer (viewer.c).  Same code, same results. */
#ifndef RECUT_UPDATE_H
#define RECUT_UPDATE_H

#include "conf.h"
#include "catalog.h"
#include "vevent.h"

enum update_code {
    UPD_NB = 'N',      /* HINCRBYFLOAT nb field value */
    UPD_SCENE = 'S',   /* HINCRBYFLOAT scenes "movie:scene" value */
    UPD_EMO = 'A',     /* HINCRBYFLOAT emo field value, only with consent */
    UPD_CONSENT = 'Z', /* consent := value (0 also erases emo) */
    UPD_FORGET = 'F'   /* erase the viewer */
};

struct update_op {
    char code;
    char field[300];
    double value;
};

struct update {
    const struct vevent *ev;
    double weight; /* signed: > 0 like, < 0 dislike, 0 neutral */
    int has_seen;  /* record ev->movie in seen with `weight` */
    int positive;  /* push ev->movie to the positive history */
    struct update_op *ops;
    size_t n_ops, cap;
};

/* Optional sentiment of a comment in [-1, 1] (0 when unknown). */
typedef double (*update_sentiment_fn)(const char *text, void *ctx);

void update_init(struct update *u);
void update_free(struct update *u);
/* Compute the update of one valid event. */
int update_compute(struct update *u, const struct recut_config *cfg, const struct catalog *cat,
                   const struct vevent *ev, update_sentiment_fn sentiment, void *sentiment_ctx);
/* Signed weight of an event under cfg (0 if it carries no preference). */
double update_weight(const struct recut_config *cfg, const struct vevent *ev,
                     update_sentiment_fn sentiment, void *ctx);

#endif
