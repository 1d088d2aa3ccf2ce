/* SPDX-License-Identifier: Apache-2.0 */
/* recommend.h -- ranking movies for a viewer: a blend of the viewer's Naive
 * Bayes genre/tag model, item-to-item co-occurrence with the viewer's recent
 * positives, and popularity; every item explains itself. */
#ifndef RECUT_RECOMMEND_H
#define RECUT_RECOMMEND_H

#include "catalog.h"
#include "conf.h"
#include "viewer.h"

struct svmv_config;
/* The viewers' SVM settings of [svm] (recutd and recut-eval train alike). */
void recommend_svm_config(const struct recut_config *cfg, struct svmv_config *c);

/* One partner of a co-occurrence row: its catalog index and the count. */
struct recommend_partner {
    size_t index;
    double count;
};

/* Global (not per-viewer) statistics. */
struct recommend_globals {
    /* number of viewers positive on a movie */
    double (*pop)(void *ctx, const char *movie);
    double max_pop;
    /* co-occurrence counts of a movie with others (partner -> count), or NULL */
    const struct strmap *(*cooc)(void *ctx, const char *movie);
    void *ctx;
    /* Optional (NULL: recommend_top scans the catalog for it): the movie at
     * `rank` (0-based) of every movie with a positive popularity, ordered by
     * popularity descending then id ascending (strcmp), with its popularity
     * in *pop; NULL past the end. */
    const char *(*popular_at)(void *ctx, size_t rank, double *pop);
    /* Optional: when recommend_top is given this very catalog, the entries
     * of the cooc maps carry the partner's catalog entry in ptr (NULL: not
     * in the catalog), and pop_index(ctx, i) is the popularity of the
     * catalog's movie i -- both save hash look-ups (recut-eval). */
    const struct catalog *cooc_cat;
    double (*pop_index)(void *ctx, size_t index);
    /* Optional, with cooc_cat and pop_index: movie's co-occurrence row as
     * an array of *n partners in that catalog (by index), or NULL (no
     * row).  A ranking walks the rows of up to 16 recent positives, each
     * of up to thousands of partners: an array read in order costs less
     * than the hash map's slots and each partner's catalog entry. */
    const struct recommend_partner *(*cooc_row)(void *ctx, const char *movie, size_t *n);
    /* Optional: memory reused from one call to the next (one thread at a
     * time); NULL: each call allocates and zeroes its own, a few hundred
     * KB for a catalog of 10,000 movies. */
    struct recommend_work *work;
};

/* Scratch memory for recommend_top calls of one thread (the daemon's event
 * loop keeps one): what a call touched is reset after it, so a call costs
 * what the viewer's candidates cost, not the catalog's size. */
struct recommend_work *recommend_work_new(void);
void recommend_work_free(struct recommend_work *w);

/* In-memory globals (recut-eval, tests; the daemon reads Redis instead). */
struct recommend_mem {
    struct strmap pop;  /* movie -> count (ptr: its rank + 1) */
    struct strmap cooc; /* movie -> struct strmap* */
    double max_pop;
    /* movies by popularity descending, then id (keys borrowed from pop) */
    const char **rank;
    size_t n_rank, cap_rank;
    /* set by recommend_mem_use_catalog() */
    const struct catalog *cat;
    double *pop_by_index;
};
void recommend_mem_init(struct recommend_mem *g);
void recommend_mem_free(struct recommend_mem *g);
int recommend_mem_positive(struct recommend_mem *g, const char *movie, const char *const *partners,
                           size_t n_partners);
void recommend_mem_globals(struct recommend_mem *g, struct recommend_globals *out);
/* Tie g to a catalog that will not change while g is used (before the
 * first recommend_mem_positive): lookups then go by catalog index. */
int recommend_mem_use_catalog(struct recommend_mem *g, const struct catalog *cat);

struct recommend_item {
    const struct catalog_movie *movie;
    double score, nb, cooc, pop;
    double svm;          /* the viewer's SVM: P(like), or -1 (no model, or blend_svm 0) */
    const char *because; /* movie id behind the co-occurrence part, or NULL */
    double diversity;    /* taken off the score by the diversity re-ranking (0: none) */
};

/* Top n for v into out[n]; returns how many were written.  Movies the viewer
 * has seen are skipped unless include_seen; ids in exclude (may be NULL) are
 * skipped.  Candidates are the movies co-occurring with the viewer's recent
 * positives and the 200 most popular ones (the whole catalog when these give
 * fewer than n); score = blend_nb * NB + blend_cooc * cooc + blend_popularity
 * * popularity (+ blend_svm * P(like) when the viewer has an SVM attached,
 * viewer.h: 0.5 for a movie it cannot score), ties by movie id, so the order does not depend on the
 * catalog's insertion order.  With [models] diversity > 0 the top
 * min(4n, n + 100) of that order are re-ranked by maximal marginal relevance
 * over genre similarity (recommend.c, recommend_mmr): score then includes
 * -diversity, so the list is still by score; the filters above hold. */
size_t recommend_top(const struct recut_config *cfg, const struct catalog *cat,
                     const recut_viewer *v, const struct recommend_globals *g,
                     const struct strmap *exclude, int include_seen, struct recommend_item *out,
                     size_t n);
/* How many of the viewer's most recent positives recommend_top reads the
 * co-occurrences of (at most [models] cooc_window): a caller loading them
 * from a store needs no more. */
size_t recommend_cooc_reads(const struct recut_config *cfg);
/* Human-readable reasons for an item into buf ("; "-separated). */
void recommend_reasons(const struct recommend_item *it, const recut_viewer *v,
                       const struct catalog *cat, char reasons[][160], size_t *n_reasons,
                       size_t max_reasons);
/* Per-scene scores in 0..1 for the editors: the sigmoid of the naive Bayes
 * log-odds of the scene's labels, emotions and words (its "tags", learned
 * as tag:WORD), + blend_affect x the match
 * with the viewer's emotion readings, + taste_blend x the viewer's learned
 * taste for the scene's content (taste.h; taste_x the movie's scene
 * vectors, catalog_movie.taste_x, or NULL; recutd uses TASTE_BLEND),
 * + 3 x the viewer's own feedback on the scene. */
void recommend_scene_scores(const struct recut_config *cfg, const recut_viewer *v,
                            const struct catalog_movie *cm, const double *taste_x,
                            double taste_blend, double *scores);

#endif
