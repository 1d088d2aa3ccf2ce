/* recommend.h -- ranking movies for a viewer: a blend of the viewer's Naive
 * Bayes genre/tag model, item-to-item co-occurrence with the viewer's recent
 * positives, and popularity; every item explains itself. */
#ifndef RECUT_RECOMMEND_H
#define RECUT_RECOMMEND_H

#include "catalog.h"
#include "conf.h"
#include "viewer.h"

/* Global (not per-viewer) statistics. */
struct recommend_globals {
    /* number of viewers positive on a movie */
    double (*pop)(void *ctx, const char *movie);
    double max_pop;
    /* co-occurrence counts of a movie with others (partner -> count), or NULL */
    const struct strmap *(*cooc)(void *ctx, const char *movie);
    void *ctx;
};

/* In-memory globals (recut-eval, tests; the daemon reads Redis instead). */
struct recommend_mem {
    struct strmap pop;   /* movie -> count */
    struct strmap cooc;  /* movie -> struct strmap* */
    double max_pop;
};
void recommend_mem_init(struct recommend_mem *g);
void recommend_mem_free(struct recommend_mem *g);
int recommend_mem_positive(struct recommend_mem *g, const char *movie,
                           const char *const *partners, size_t n_partners);
void recommend_mem_globals(struct recommend_mem *g, struct recommend_globals *out);

struct recommend_item {
    const struct catalog_movie *movie;
    double score, nb, cooc, pop;
    const char *because;     /* movie id behind the co-occurrence part, or NULL */
};

/* Top n for v into out[n]; returns how many were written.  Movies the viewer
 * has seen are skipped unless include_seen; ids in exclude (may be NULL) are
 * skipped. */
size_t recommend_top(const struct recut_config *cfg, const struct catalog *cat,
                     const recut_viewer *v, const struct recommend_globals *g,
                     const struct strmap *exclude, int include_seen,
                     struct recommend_item *out, size_t n);
/* Human-readable reasons for an item into buf ("; "-separated). */
void recommend_reasons(const struct recommend_item *it, const recut_viewer *v,
                       const struct catalog *cat, char reasons[][160], size_t *n_reasons,
                       size_t max_reasons);
/* Per-scene scores in 0..1 for the editors. */
void recommend_scene_scores(const struct recut_config *cfg, const recut_viewer *v,
                            const struct recut_movie *m, double *scores);

#endif
