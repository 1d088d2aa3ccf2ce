/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_editor_props.c -- property tests for the four editor plugins over
 * many seeded random movies, scores and budgets, run through the stub host
 * (dlopen of the built .so files, no daemon):
 *   - a cut exists whenever some scene could be kept, else a clear error;
 *   - whole scenes, story order, total <= budget, no scene < min_fragment;
 *   - deterministic (same input twice -> same output);
 *   - highlights/storyline leave no scene out that would still fit;
 *   - storyline keeps the first and last scene when they fit together and
 *     spreads its cuts (no big holes when all scores are equal);
 *   - trailer never uses the spoiler tail and its arousal never decreases;
 *   - mood's distance to the target never grows along the cut;
 *   - bad input (no scenes, budget <= 0, NaN, ...) is refused with a message.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "movie_gen.h"
#include "stub_host.h"

#define N_CASES 400
#define CONFIG_TAIL 0.35 /* [plugin.trailer] spoiler_tail for this test */

#include "expect.h"

static const char *const editor_names[] = { "highlights", "storyline", "trailer", "mood" };
#define N_EDITORS (sizeof editor_names / sizeof editor_names[0])

static double movie_length(const struct recut_movie *m)
{
    double len = m->scenes[m->n_scenes - 1].end;
    return m->duration > len ? m->duration : len;
}

static double effective_tail(const struct recut_edit_request *req)
{
    return req->spoiler_tail >= 0.0 ? req->spoiler_tail : CONFIG_TAIL;
}

static int can_keep(const char *editor, const struct recut_edit_request *req, size_t i)
{
    const struct recut_scene *s = &req->movie->scenes[i];
    double d = s->end - s->start;
    if (!(d > 0.0 && d >= req->min_fragment && d <= req->budget))
        return 0;
    if (strcmp(editor, "trailer") == 0)
        return s->end <= (1.0 - effective_tail(req)) * movie_length(req->movie);
    return 1;
}

static double va_distance(const struct recut_scene *s, double ta, double tv)
{
    double da = s->arousal - ta, dv = (s->valence - tv) / 2.0;
    return sqrt(da * da + dv * dv) / sqrt(2.0);
}

static void check_specific(const char *editor, const struct recut_edit_request *req,
                           const size_t *cut, size_t n, double score, const char *tag)
{
    const struct recut_movie *m = req->movie;
    unsigned char *in = calloc(m->n_scenes, 1);
    if (in == NULL)
        abort();
    double total = 0.0, value = 0.0;
    for (size_t k = 0; k < n; k++) {
        in[cut[k]] = 1;
        double d = movie_gen_duration(&m->scenes[cut[k]]);
        total += d;
        value += req->scene_scores[cut[k]] * d;
    }
    if (strcmp(editor, "highlights") == 0 || strcmp(editor, "storyline") == 0) {
        for (size_t j = 0; j < m->n_scenes; j++) {
            if (in[j] || !can_keep(editor, req, j))
                continue;
            double d = movie_gen_duration(&m->scenes[j]);
            EXPECT(total + d > req->budget, "%s %s: scene %zu (%.3f s) still fits the %.3f s left",
                   editor, tag, j, d, req->budget - total);
        }
        EXPECT(fabs(score - value / req->budget) < 1e-9, "%s %s: score %g != %g", editor, tag,
               score, value / req->budget);
    }
    if (strcmp(editor, "storyline") == 0) {
        size_t last = m->n_scenes - 1;
        double both =
            movie_gen_duration(&m->scenes[0]) + (last ? movie_gen_duration(&m->scenes[last]) : 0.0);
        if (can_keep(editor, req, 0) && can_keep(editor, req, last) && both <= req->budget)
            EXPECT(in[0] && in[last], "%s %s: opening/ending not kept though they fit", editor,
                   tag);
    }
    if (strcmp(editor, "trailer") == 0) {
        double cutoff = (1.0 - effective_tail(req)) * movie_length(m);
        for (size_t k = 0; k < n; k++) {
            EXPECT(m->scenes[cut[k]].end <= cutoff,
                   "%s %s: scene %zu ends at %.3f, in the spoiler tail (cutoff %.3f)", editor, tag,
                   cut[k], m->scenes[cut[k]].end, cutoff);
            if (k > 0)
                EXPECT(m->scenes[cut[k]].arousal >= m->scenes[cut[k - 1]].arousal,
                       "%s %s: arousal drops from %.3f to %.3f", editor, tag,
                       m->scenes[cut[k - 1]].arousal, m->scenes[cut[k]].arousal);
        }
    }
    if (strcmp(editor, "mood") == 0) {
        for (size_t k = 1; k < n; k++) {
            double a =
                va_distance(&m->scenes[cut[k - 1]], req->target_arousal, req->target_valence);
            double b = va_distance(&m->scenes[cut[k]], req->target_arousal, req->target_valence);
            EXPECT(b <= a + 1e-12, "%s %s: distance to target grows %.4f -> %.4f", editor, tag, a,
                   b);
        }
    }
    free(in);
}

static void random_case(struct movie_gen_rng *r, struct movie_gen *g, double **scores,
                        struct recut_edit_request *req, size_t case_no)
{
    struct movie_gen_params p = {
        .n_scenes = 1 + movie_gen_below(r, case_no % 10 == 0 ? 150 : 40),
        .min_len = 1.0,
        .max_len = movie_gen_range(r, 5.0, 120.0),
        .short_p = 0.1,
        .gap_p = 0.2,
    };
    char id[32];
    snprintf(id, sizeof id, "m%zu", case_no);
    if (movie_gen_make(g, r, &p, id) < 0)
        abort();
    size_t n = g->movie.n_scenes;
    *scores = malloc(n * sizeof **scores);
    if (*scores == NULL)
        abort();
    double mode = movie_gen_uniform(r);
    for (size_t i = 0; i < n; i++) {
        if (mode < 0.1)
            (*scores)[i] = 0.5; /* all equal */
        else if (mode < 0.4)
            (*scores)[i] = (double)movie_gen_below(r, 5) / 4.0; /* many ties */
        else
            (*scores)[i] = movie_gen_uniform(r);
    }
    double total = g->scenes[n - 1].end;
    *req = (struct recut_edit_request){
        .version = 1,
        .movie = &g->movie,
        .viewer = NULL,
        .scene_scores = *scores,
        .budget = movie_gen_range(r, 0.02, 1.2) * total,
        .min_fragment = movie_gen_uniform(r) < 0.3 ? 0.0 : movie_gen_range(r, 0.0, 20.0),
        .target_arousal = movie_gen_uniform(r),
        .target_valence = movie_gen_range(r, -1.0, 1.0),
        .spoiler_tail = movie_gen_uniform(r) < 0.3   ? -1.0
                        : movie_gen_uniform(r) < 0.1 ? 0.0
                                                     : movie_gen_range(r, 0.05, 0.6),
    };
}

static void run_random(const char *editor, const struct stub_host_plugin *pl, uint64_t seed)
{
    struct movie_gen_rng r;
    movie_gen_seed(&r, seed);
    size_t ok = 0, refused = 0;
    for (size_t c = 0; c < N_CASES; c++) {
        struct movie_gen g;
        double *scores;
        struct recut_edit_request req;
        random_case(&r, &g, &scores, &req, c);
        size_t n = g.movie.n_scenes;
        size_t *cut = malloc(n * sizeof *cut), *again = malloc(n * sizeof *again);
        double *scores2 = malloc(n * sizeof *scores2);
        if (cut == NULL || again == NULL || scores2 == NULL)
            abort();
        char err[256], err2[256], tag[48];
        snprintf(tag, sizeof tag, "case %zu", c);
        size_t n_cut = 0, n_again = 0;
        double score = 0.0, score2 = 0.0;
        int rc = stub_host_edit(pl, &req, cut, &n_cut, &score, err, sizeof err);

        size_t possible = 0;
        for (size_t i = 0; i < n; i++)
            possible += (size_t)can_keep(editor, &req, i);
        if (rc == 0) {
            ok++;
            char msg[200];
            int bad = movie_gen_check_cut(&req, cut, n_cut, score, msg, sizeof msg);
            EXPECT(bad == 0, "%s %s: %s", editor, tag, msg);
            if (bad == 0)
                check_specific(editor, &req, cut, n_cut, score, tag);
        } else {
            refused++;
            EXPECT(rc == -1 && err[0] != '\0', "%s %s: rc %d without a message", editor, tag, rc);
            EXPECT(possible == 0, "%s %s: refused (%s) though %zu scenes could be kept", editor,
                   tag, err, possible);
        }
        /* Same input again (fresh copy of the scores): same answer. */
        memcpy(scores2, scores, n * sizeof *scores2);
        req.scene_scores = scores2;
        int rc2 = stub_host_edit(pl, &req, again, &n_again, &score2, err2, sizeof err2);
        EXPECT(rc2 == rc && n_again == n_cut && score2 == score &&
                   (n_cut == 0 || memcmp(cut, again, n_cut * sizeof *cut) == 0),
               "%s %s: not deterministic", editor, tag);
        free(cut);
        free(again);
        free(scores2);
        free(scores);
        movie_gen_free(&g);
    }
    printf("%-10s %zu random cases: %zu cuts, %zu refused (nothing could be kept)\n", editor,
           (size_t)N_CASES, ok, refused);
    EXPECT(ok > N_CASES / 2, "%s: only %zu of %d random cases produced a cut", editor, ok, N_CASES);
}

/* Bad input is refused with a message, and nothing is returned. */
static void run_bad_input(const char *editor, const struct stub_host_plugin *pl)
{
    struct recut_scene sc[3] = {
        { .start = 0, .end = 10, .arousal = 0.2, .valence = 0 },
        { .start = 10, .end = 25, .arousal = 0.5, .valence = 0.1 },
        { .start = 25, .end = 40, .arousal = 0.9, .valence = -0.2 },
    };
    struct recut_movie m = { .id = "bad", .duration = 100, .scenes = sc, .n_scenes = 3 };
    double scores[3] = { 0.5, 0.6, 0.7 };
    struct recut_edit_request good = {
        .version = 1,
        .movie = &m,
        .scene_scores = scores,
        .budget = 30,
        .min_fragment = 1,
        .target_arousal = 0.5,
        .target_valence = 0,
        .spoiler_tail = 0.1,
    };
    size_t cut[3], n_cut;
    double score;
    char err[256];
    EXPECT(stub_host_edit(pl, &good, cut, &n_cut, &score, err, sizeof err) == 0,
           "%s: valid small request refused: %s", editor, err);

    struct {
        const char *what, *expect;
        struct recut_edit_request req;
        int nan_score, overlap;
    } bad[] = {
        { "no scenes", "no scenes", good, 0, 0 },
        { "budget 0", "budget", good, 0, 0 },
        { "negative budget", "budget", good, 0, 0 },
        { "NaN budget", "budget", good, 0, 0 },
        { "NaN score", "score", good, 1, 0 },
        { "negative min_fragment", "min_fragment", good, 0, 0 },
        { "overlapping scenes", "overlap", good, 0, 1 },
        { "no movie", "movie", good, 0, 0 },
    };
    struct recut_movie empty = m;
    empty.n_scenes = 0;
    bad[0].req.movie = &empty;
    bad[1].req.budget = 0.0;
    bad[2].req.budget = -5.0;
    bad[3].req.budget = NAN;
    bad[5].req.min_fragment = -1.0;
    bad[7].req.movie = NULL;
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        double s2[3] = { 0.5, bad[k].nan_score ? NAN : 0.6, 0.7 };
        struct recut_scene sc2[3];
        memcpy(sc2, sc, sizeof sc2);
        if (bad[k].overlap)
            sc2[1].start = 5.0;
        struct recut_movie m2 = m;
        m2.scenes = sc2;
        if (bad[k].req.movie == &m)
            bad[k].req.movie = &m2;
        bad[k].req.scene_scores = s2;
        n_cut = 99;
        int rc = stub_host_edit(pl, &bad[k].req, cut, &n_cut, &score, err, sizeof err);
        EXPECT(rc == -1, "%s: %s accepted", editor, bad[k].what);
        EXPECT(err[0] != '\0' && strstr(err, bad[k].expect) != NULL,
               "%s: %s: message \"%s\" does not mention \"%s\"", editor, bad[k].what, err,
               bad[k].expect);
        EXPECT(n_cut == 0, "%s: %s: returned %zu scenes with the error", editor, bad[k].what,
               n_cut);
    }
    if (strcmp(editor, "mood") == 0) {
        struct recut_edit_request r = good;
        r.target_arousal = NAN;
        EXPECT(stub_host_edit(pl, &r, cut, &n_cut, &score, err, sizeof err) == -1 &&
                   strstr(err, "target") != NULL,
               "mood: NaN target accepted (%s)", err);
    }
    if (strcmp(editor, "trailer") == 0) {
        struct recut_edit_request r = good;
        r.spoiler_tail = 1.5;
        EXPECT(stub_host_edit(pl, &r, cut, &n_cut, &score, err, sizeof err) == -1 &&
                   strstr(err, "spoiler_tail") != NULL,
               "trailer: spoiler_tail 1.5 accepted (%s)", err);
    }
    /* Nothing fits: a clear error, not an empty success. */
    struct recut_edit_request tiny = good;
    tiny.budget = 5.0;
    EXPECT(stub_host_edit(pl, &tiny, cut, &n_cut, &score, err, sizeof err) == -1 &&
               strstr(err, "nothing to keep") != NULL,
           "%s: budget below every scene: \"%s\"", editor, err);
}

/* Equal scores: storyline spreads the dropped scenes over the movie. */
static void run_storyline_spread(const struct stub_host_plugin *pl)
{
    enum {
        N = 100
    };
    struct recut_scene sc[N];
    double scores[N];
    for (size_t i = 0; i < N; i++) {
        sc[i] = (struct recut_scene){ .start = 60.0 * (double)i,
                                      .end = 60.0 * (double)(i + 1),
                                      .arousal = 0.5 };
        scores[i] = 0.5;
    }
    struct recut_movie m = { .id = "even", .duration = 60.0 * N, .scenes = sc, .n_scenes = N };
    const double fractions[] = { 0.3, 0.5, 0.7, 0.9 };
    for (size_t f = 0; f < sizeof fractions / sizeof fractions[0]; f++) {
        struct recut_edit_request req = {
            .version = 1, .movie = &m, .scene_scores = scores, .budget = fractions[f] * 60.0 * N
        };
        size_t cut[N], n_cut;
        double score;
        char err[256];
        if (stub_host_edit(pl, &req, cut, &n_cut, &score, err, sizeof err) < 0) {
            EXPECT(0, "storyline spread %.1f: %s", fractions[f], err);
            continue;
        }
        size_t max_run = 0;
        for (size_t k = 0; k + 1 < n_cut; k++) {
            size_t run = cut[k + 1] - cut[k] - 1;
            if (run > max_run)
                max_run = run;
        }
        size_t dropped = N - n_cut;
        size_t even = (dropped + n_cut - 2) / (n_cut - 1); /* ceil(dropped / gaps) */
        printf("storyline  equal scores, budget %.0f%%: kept %zu/%d, longest run of dropped "
               "scenes %zu (even spread: %zu)\n",
               100 * fractions[f], n_cut, N, max_run, even);
        EXPECT(cut[0] == 0 && cut[n_cut - 1] == N - 1, "storyline spread: ends not kept");
        EXPECT(max_run <= even + 1, "storyline spread %.1f: a hole of %zu scenes (even: %zu)",
               fractions[f], max_run, even);
    }
}

int main(void)
{
    stub_host_config_set("trailer", "spoiler_tail", "0.35");
    for (size_t e = 0; e < N_EDITORS; e++) {
        char path[512], err[256];
        struct stub_host_plugin pl;
        stub_host_plugin_path(editor_names[e], path, sizeof path);
        if (stub_host_load(path, &pl, err, sizeof err) < 0) {
            EXPECT(0, "load %s: %s", editor_names[e], err);
            continue;
        }
        EXPECT(pl.p->kind == RECUT_PLUGIN_EDITOR && strcmp(pl.p->name, editor_names[e]) == 0,
               "%s: wrong kind or name", path);
        run_random(editor_names[e], &pl, 0x5eed0000u + e);
        run_bad_input(editor_names[e], &pl);
        if (strcmp(editor_names[e], "storyline") == 0)
            run_storyline_spread(&pl);
        stub_host_unload(&pl);
    }
    return expect_report();
}
