/* SPDX-License-Identifier: Apache-2.0 */
/* test_recommend.c -- the diversity re-ranking of recommend_top ([models]
 * diversity): off it leaves a list of one genre as it is; on it spreads the
 * list over genres, keeps the list sorted by score, and never brings back a
 * movie the viewer excluded or has seen.  A reused work area
 * (recommend_work) gives every viewer the list a fresh one gives, whatever
 * was ranked before and after the catalog grows, and so do co-occurrence
 * rows given as arrays by catalog index (recommend_globals.cooc_row). */
#include "config.h"

#include "eval_metrics.h"
#include "expect.h"
#include "recommend.h"
#include "update.h"

#include <stdio.h>
#include <string.h>

static void add(struct catalog *c, const char *id, const char *genre)
{
    char json[256], err[256];
    snprintf(json, sizeof json,
             "{\"id\":\"%s\",\"title\":\"%s\",\"duration\":60,\"genres\":[\"%s\"],"
             "\"tags\":[],\"scenes\":[]}",
             id, id, genre);
    struct catalog_movie *cm = catalog_movie_parse(json, strlen(json), NULL, err, sizeof err);
    EXPECT(cm != NULL, "parse %s: %s", id, err);
    if (cm && catalog_put(c, cm) != 0)
        catalog_movie_free(cm);
}

/* the list's ids ("a2 c1 ...") and its intra-list genre diversity */
static double list_ild(const struct catalog *c, const struct recommend_item *it, size_t n,
                       char *ids, size_t ids_size)
{
    uint64_t genres[16];
    uint32_t idx[16];
    eval_metrics_genre_masks(c, genres);
    ids[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        idx[i] = (uint32_t)it[i].movie->index;
        size_t l = strlen(ids);
        snprintf(ids + l, ids_size - l, "%s%s", i ? " " : "", it[i].movie->m.id);
    }
    return eval_metrics_ild(genres, idx, n);
}

static void test_diversity(void)
{
    static const char *const ids[] = { "a1", "a2", "a3", "a4", "a5", "a6",
                                       "a7", "a8", "c1", "d1", "w1", "h1" };
    static const char *const genres[] = { "Action", "Action", "Action", "Action",
                                          "Action", "Action", "Action", "Action",
                                          "Comedy", "Drama",  "War",    "Horror" };
    struct catalog cat;
    catalog_init(&cat);
    for (size_t i = 0; i < 12; i++)
        add(&cat, ids[i], genres[i]);
    EXPECT_TRUE(cat.n == 12);
    struct recommend_mem mem;
    recommend_mem_init(&mem);
    /* popularity: a1 20 down to a8 13, then c1 10, d1 9, w1 8, h1 7 */
    for (size_t i = 0; i < 12; i++) {
        int p = i < 8 ? 20 - (int)i : 18 - (int)i;
        for (int k = 0; k < p; k++)
            recommend_mem_positive(&mem, ids[i], NULL, 0);
    }
    struct recommend_globals g;
    recommend_mem_globals(&mem, &g);
    struct recut_config cfg;
    EXPECT_TRUE(conf_init(&cfg) == 0);
    recut_viewer v;
    viewer_init(&v, "u1", cfg.nb_alpha);
    strmap_put(&v.seen, "a1")->num = 1;
    viewer_finish(&v);
    struct strmap exclude;
    strmap_init(&exclude);
    strmap_put(&exclude, "c1");

    struct recommend_item out[5];
    char list[128];
    size_t n = recommend_top(&cfg, &cat, &v, &g, &exclude, 0, out, 5);
    double ild0 = list_ild(&cat, out, n, list, sizeof list);
    EXPECT(n == 5 && strcmp(list, "a2 a3 a4 a5 a6") == 0 && ild0 == 0, "diversity 0: %s", list);
    for (size_t i = 0; i < n; i++)
        EXPECT_TRUE(out[i].diversity == 0);

    cfg.diversity = 0.8;
    n = recommend_top(&cfg, &cat, &v, &g, &exclude, 0, out, 5);
    double ild = list_ild(&cat, out, n, list, sizeof list);
    EXPECT(n == 5 && ild > ild0 + 0.5, "diversity 0.8: %s (ild %.3f)", list, ild);
    EXPECT(strcmp(list, "a2 d1 w1 h1 a3") == 0, "diversity 0.8: %s", list);
    for (size_t i = 0; i < n; i++) {
        EXPECT(strcmp(out[i].movie->m.id, "c1") != 0, "excluded c1 at %zu", i);
        EXPECT(strcmp(out[i].movie->m.id, "a1") != 0, "seen a1 at %zu", i);
        EXPECT(i == 0 || out[i].score <= out[i - 1].score, "not by score at %zu", i);
    }
    EXPECT_TRUE(out[0].diversity == 0 && out[4].diversity > 0);

    /* every movie of the catalog asked for: still none of the filtered */
    struct recommend_item all[12];
    n = recommend_top(&cfg, &cat, &v, &g, &exclude, 0, all, 12);
    EXPECT(n == 10, "%zu of 12 (c1 excluded, a1 seen)", n);
    for (size_t i = 0; i < n; i++)
        EXPECT_TRUE(strcmp(all[i].movie->m.id, "c1") != 0 && strcmp(all[i].movie->m.id, "a1") != 0);

    strmap_clear(&exclude, NULL);
    viewer_free(&v);
    conf_free(&cfg);
    recommend_mem_free(&mem);
    catalog_free(&cat);
}

/* Viewers with histories drawn from a seeded generator, ranked with and
 * without one shared work area, in one order and then another, and again
 * after the catalog grew: the lists must be the same, item for item. */
static uint64_t tw_rng = 99;
static unsigned tw_rand(unsigned n)
{
    tw_rng = tw_rng * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)((tw_rng >> 33) % n);
}

static int same_lists(const struct recommend_item *a, size_t na, const struct recommend_item *b,
                      size_t nb)
{
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (a[i].movie != b[i].movie || a[i].score != b[i].score || a[i].because != b[i].because)
            return 0;
    return 1;
}

/* recommend_globals.cooc_row over a recommend_mem's maps: the row as an
 * array of catalog indices, in the reverse of the map's order (the
 * ranking must not depend on it); one row at a time, as the ranking asks. */
struct packed_ctx {
    struct recommend_mem *mem;
    const struct catalog *cat;
    struct recommend_partner row[128];
    size_t rows_given;
};

static const struct recommend_partner *packed_row(void *ctx, const char *movie, size_t *n)
{
    struct packed_ctx *p = ctx;
    struct strmap_entry *r = strmap_get(&p->mem->cooc, movie);
    if (!r)
        return NULL;
    size_t k = 0, it = 0;
    struct strmap_entry *e;
    while ((e = strmap_next(r->ptr, &it))) {
        const struct catalog_movie *m = catalog_get(p->cat, e->key);
        if (m && k < sizeof p->row / sizeof p->row[0])
            p->row[k++] = (struct recommend_partner){ m->index, e->num };
    }
    for (size_t i = 0; i < k / 2; i++) {
        struct recommend_partner t = p->row[i];
        p->row[i] = p->row[k - 1 - i];
        p->row[k - 1 - i] = t;
    }
    p->rows_given++;
    *n = k;
    return p->row;
}

static double packed_pop(void *ctx, const char *movie)
{
    struct packed_ctx *p = ctx;
    struct strmap_entry *e = strmap_get(&p->mem->pop, movie);
    return e ? e->num : 0;
}

static double packed_pop_index(void *ctx, size_t i)
{
    struct packed_ctx *p = ctx;
    return packed_pop(ctx, p->cat->list[i]->m.id);
}

static const char *packed_popular_at(void *ctx, size_t rank, double *pop)
{
    struct packed_ctx *p = ctx;
    struct recommend_globals g;
    recommend_mem_globals(p->mem, &g);
    return g.popular_at(p->mem, rank, pop);
}

static void test_work_reuse(void)
{
    struct catalog cat;
    catalog_init(&cat);
    static const char *const genres[] = { "Drama", "Comedy", "Horror", "Action" };
    char id[16];
    for (int i = 0; i < 60; i++) {
        snprintf(id, sizeof id, "w%d", i);
        add(&cat, id, genres[i % 4]);
    }
    struct recut_config cfg;
    EXPECT_TRUE(conf_init(&cfg) == 0);
    enum {
        NV = 25
    };
    recut_viewer vs[NV];
    struct recommend_mem mem;
    recommend_mem_init(&mem);
    struct update u;
    update_init(&u);
    for (int k = 0; k < NV; k++) {
        char uid[16];
        snprintf(uid, sizeof uid, "v%d", k);
        viewer_init(&vs[k], uid, cfg.nb_alpha);
        int n_ev = 1 + (int)tw_rand(k % 5 == 0 ? 2 : 15);
        for (int e = 0; e < n_ev; e++) {
            struct vevent ev;
            memset(&ev, 0, sizeof ev);
            snprintf(ev.user, sizeof ev.user, "%s", uid);
            snprintf(ev.movie, sizeof ev.movie, "w%u", tw_rand(k % 3 ? 20 : 60));
            ev.type = tw_rand(4) ? VEVENT_LIKE : VEVENT_DISLIKE;
            ev.scene = -1;
            ev.t = -1;
            const char **partners;
            size_t np;
            EXPECT_TRUE(update_compute(&u, &cfg, &cat, &ev, NULL, NULL) == 0);
            if (viewer_apply(&vs[k], &u, cfg.history_max, 10, &partners, &np) == 1 &&
                ev.type == VEVENT_LIKE)
                recommend_mem_positive(&mem, ev.movie, partners, np);
        }
        viewer_finish(&vs[k]);
    }
    update_free(&u);
    struct recommend_globals fresh, reused;
    recommend_mem_globals(&mem, &fresh);
    reused = fresh;
    reused.work = recommend_work_new();
    EXPECT_TRUE(reused.work != NULL);
    /* the rows as arrays by catalog index (as recutd's store gives them) */
    struct packed_ctx pc = { .mem = &mem, .cat = &cat };
    struct recommend_globals packed = { .pop = packed_pop,
                                        .max_pop = fresh.max_pop,
                                        .ctx = &pc,
                                        .popular_at = packed_popular_at,
                                        .cooc_cat = &cat,
                                        .pop_index = packed_pop_index,
                                        .cooc_row = packed_row };
    struct recommend_item a[12], b[12], c[12];
    for (int round = 0; round < 3; round++) {
        if (round == 2) { /* the catalog grows: the work area is sized again */
            for (int i = 60; i < 70; i++) {
                snprintf(id, sizeof id, "w%d", i);
                add(&cat, id, genres[i % 4]);
            }
        }
        for (int j = 0; j < NV; j++) {
            int k = round == 1 ? NV - 1 - j : j;
            int seen = (j + round) % 3 == 0;
            size_t na = recommend_top(&cfg, &cat, &vs[k], &fresh, NULL, seen, a, 12);
            size_t nb = recommend_top(&cfg, &cat, &vs[k], &reused, NULL, seen, b, 12);
            EXPECT(na > 0 && same_lists(a, na, b, nb),
                   "round %d viewer %d: %zu items fresh, %zu with the reused work area", round, k,
                   na, nb);
            packed.work = round == 1 ? reused.work : NULL;
            size_t nc = recommend_top(&cfg, &cat, &vs[k], &packed, NULL, seen, c, 12);
            EXPECT(same_lists(a, na, c, nc),
                   "round %d viewer %d: %zu items from the maps, %zu from rows by index", round, k,
                   na, nc);
        }
    }
    EXPECT(pc.rows_given > 100, "the ranking read %zu rows by index", pc.rows_given);
    recommend_work_free(reused.work);
    for (int k = 0; k < NV; k++)
        viewer_free(&vs[k]);
    recommend_mem_free(&mem);
    catalog_free(&cat);
}

int main(void)
{
    test_diversity();
    test_work_reuse();
    return expect_report();
}
