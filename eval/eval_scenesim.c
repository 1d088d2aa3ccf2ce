/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eval_scenesim.c -- the scene-taste simulation of recut-eval --scene-sim.
 *
 * Why a simulation: no public data set has viewers' skips and rewatches on
 * the scenes of films along with what is in those scenes, and the question
 * ("does a viewer who skips the intense scenes of four movies get a calmer
 * cut of a fifth?") needs the viewer's true taste to score a cut.  So the
 * viewers and the movies are generated, the viewers' (noisy) actions go
 * through recut's own update rules (update.c, viewer.c: the code recutd
 * runs) and the scene scores of recutd's cut path (recommend_scene_scores),
 * and every cut of the fifth movie is scored with the viewer's hidden taste.
 *
 * Movies: scenes of five kinds (action, dialogue, romance, landscape,
 * suspense), each with its own arousal, valence, cut rate, face count and
 * speech share plus noise; labels only partly say what a scene is
 * ("action" on 40 % of the action scenes, "dialogue" and "romance" on half
 * of theirs) and three more labels (night, city, family) are random.
 * Viewers: true score s = beta . labels + gamma . x (x the scene's taste
 * vector, taste.h), with a mix m ~ U(0, 1) between the two parts; every
 * fifth viewer "skips intense scenes" (gamma_arousal = -2.5, the rest
 * small).  The chance they enjoy a scene is p = sigmoid(2 s), and a cut is
 * worth sum(p d) / budget over its scenes (d the durations).  On movies 1-4
 * a viewer acts on a share `act` of the scenes: rewatch or like when s > 0,
 * skip otherwise, then a share `flip` of the actions turned into their
 * opposite (the noise).
 * Cuts of movie 5, all with the highlights editor's objective (maximise
 * sum(score d) within the budget, solved exactly on whole seconds):
 * generic (a viewer without history), labels (this viewer, taste blend 0:
 * the labels' naive Bayes only), personal (labels + taste, TASTE_BLEND) and
 * oracle (the true p).
 */
#include "config.h"
#include "eval_scenesim.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "recommend.h"
#include "taste.h"
#include "update.h"
#include "viewer.h"

#define SSIM_MOVIES 5
#define SSIM_KINDS 5
#define SSIM_LABELS 6
#define SSIM_METHODS 4

static const char *const ssim_labels[SSIM_LABELS] = { "action", "dialogue", "romance",
                                                      "night",  "city",     "family" };
static const char *const ssim_methods[SSIM_METHODS] = { "generic", "labels", "personal", "oracle" };

/* mean arousal, valence, cut rate, faces, speech of each kind */
static const double ssim_kind[SSIM_KINDS][5] = {
    { 0.80, -0.20, 0.90, 1, 0.15 }, /* action */
    { 0.30, 0.10, 0.25, 2, 0.85 },  /* dialogue */
    { 0.35, 0.60, 0.20, 2, 0.50 },  /* romance */
    { 0.15, 0.30, 0.10, 0, 0.05 },  /* landscape */
    { 0.70, -0.60, 0.45, 1, 0.20 }, /* suspense */
};

struct ssim_rng {
    uint64_t s;
};

static uint64_t ssim_next(struct ssim_rng *r)
{
    /* splitmix64 */
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double ssim_unif(struct ssim_rng *r)
{
    return (double)(ssim_next(r) >> 11) / 9007199254740992.0;
}

static double ssim_normal(struct ssim_rng *r)
{
    double u = ssim_unif(r), v = ssim_unif(r);
    return sqrt(-2 * log(u > 1e-300 ? u : 1e-300)) * cos(2 * M_PI * v);
}

static double ssim_clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void eval_scenesim_defaults(struct eval_scenesim_opts *o)
{
    *o = (struct eval_scenesim_opts){
        .seed = 1,
        .catalogs = 5,
        .viewers = 200,
        .scenes = 30,
        .flip = 0.25,
        .act = 0.6,
        .budget = 0.3,
    };
}

/* One generated movie as a catalog entry (JSON, parsed by catalog.c like
 * any other). */
static struct catalog_movie *ssim_movie(struct ssim_rng *r, const char *id, size_t n_scenes,
                                        char *errstr, size_t errstr_size)
{
    size_t cap = 512 + n_scenes * 400, len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    double t = 0;
    char scenes[1 << 16], feats[1 << 16];
    size_t sl = 0, fl = 0;
    scenes[0] = feats[0] = '\0';
    for (size_t i = 0; i < n_scenes && sl < sizeof scenes - 400 && fl < sizeof feats - 400; i++) {
        int k = (int)(ssim_unif(r) * SSIM_KINDS) % SSIM_KINDS;
        const double *m = ssim_kind[k];
        double d = 5 + floor(ssim_unif(r) * 56); /* whole seconds, 5..60 */
        double a = ssim_clamp(m[0] + 0.12 * ssim_normal(r), 0, 1);
        double v = ssim_clamp(m[1] + 0.2 * ssim_normal(r), -1, 1);
        double cr = ssim_clamp(m[2] + 0.12 * ssim_normal(r), 0, 2);
        double faces = ssim_clamp(floor(m[3] + 0.8 * ssim_normal(r) + 0.5), 0, 6);
        double sp = ssim_clamp(m[4] + 0.12 * ssim_normal(r), 0, 1);
        char labels[128] = "";
        size_t ll = 0;
        int has[SSIM_LABELS] = { k == 0 && ssim_unif(r) < 0.4, k == 1 && ssim_unif(r) < 0.5,
                                 k == 2 && ssim_unif(r) < 0.5, ssim_unif(r) < 0.3,
                                 ssim_unif(r) < 0.3,           ssim_unif(r) < 0.3 };
        for (int l = 0; l < SSIM_LABELS; l++)
            if (has[l])
                ll += (size_t)snprintf(labels + ll, sizeof labels - ll, "%s\"%s\"", ll ? "," : "",
                                       ssim_labels[l]);
        sl += (size_t)snprintf(scenes + sl, sizeof scenes - sl,
                               "%s{\"start\":%g,\"end\":%g,\"arousal\":%.4f,\"valence\":%.4f,"
                               "\"labels\":[%s]}",
                               i ? "," : "", t, t + d, a, v, labels);
        fl += (size_t)snprintf(feats + fl, sizeof feats - fl,
                               "%s{\"cut_rate\":%.4f,\"faces\":%g,\"face_share\":%.3f,"
                               "\"speech\":%.4f}",
                               i ? "," : "", cr, faces, faces > 0 ? 0.05 + 0.1 * ssim_unif(r) : 0.0,
                               sp);
        t += d;
    }
    len = (size_t)snprintf(buf, cap,
                           "{\"id\":\"%s\",\"duration\":%g,\"genres\":[\"Drama\"],"
                           "\"scenes\":[%s],\"features\":[%s]}",
                           id, t, scenes, feats);
    if (len >= cap) {
        free(buf);
        snprintf(errstr, errstr_size, "generated movie too large");
        return NULL;
    }
    struct catalog_movie *cm = catalog_movie_parse(buf, len, NULL, errstr, errstr_size);
    free(buf);
    return cm;
}

/* Best sum(value_i) with sum(d_i) <= budget over whole-second durations;
 * keep[i] set for the chosen scenes.  Ties go to the earlier scenes. */
static int ssim_knapsack(const struct recut_movie *m, const double *value, size_t budget,
                         unsigned char *keep)
{
    size_t n = m->n_scenes, w = budget + 1;
    double *best = calloc(w, sizeof *best);
    unsigned char *take = calloc(n * w, 1);
    if (!best || !take) {
        free(best);
        free(take);
        return -1;
    }
    for (size_t i = n; i-- > 0;) {
        size_t d = (size_t)llround(m->scenes[i].end - m->scenes[i].start);
        for (size_t c = budget + 1; c-- > d;) {
            double with = best[c - d] + value[i];
            if (with > best[c] + 1e-12) {
                best[c] = with;
                take[i * w + c] = 1;
            }
        }
    }
    size_t c = budget;
    for (size_t i = 0; i < n; i++) {
        keep[i] = take[i * w + c];
        if (keep[i])
            c -= (size_t)llround(m->scenes[i].end - m->scenes[i].start);
    }
    free(best);
    free(take);
    return 0;
}

struct ssim_viewer {
    double beta[SSIM_LABELS], gamma[TASTE_DIM];
    int skips_intense;
};

static void ssim_viewer_draw(struct ssim_rng *r, size_t idx, struct ssim_viewer *t)
{
    memset(t, 0, sizeof *t);
    t->skips_intense = idx % 5 == 0;
    double mix = ssim_unif(r), bl = t->skips_intense ? 0.3 : 1.5 * mix,
           ba = t->skips_intense ? 0.3 : 1.5 * (1 - mix);
    for (int l = 0; l < SSIM_LABELS; l++)
        t->beta[l] = bl * ssim_normal(r);
    for (int k = 1; k < TASTE_DIM; k++)
        t->gamma[k] = ba * ssim_normal(r);
    if (t->skips_intense)
        t->gamma[TASTE_AROUSAL] = -2.5;
}

/* The viewer's true score of scene i of cm. */
static double ssim_true(const struct ssim_viewer *t, const struct catalog_movie *cm, size_t i)
{
    const struct recut_scene *s = &cm->m.scenes[i];
    double z = 0;
    for (size_t k = 0; k < s->n_labels; k++)
        for (int l = 0; l < SSIM_LABELS; l++)
            if (strcmp(s->labels[k], ssim_labels[l]) == 0)
                z += t->beta[l];
    const double *x = cm->taste_x + i * TASTE_DIM;
    for (int k = 1; k < TASTE_DIM; k++)
        z += t->gamma[k] * x[k];
    return z;
}

static double ssim_sigmoid(double z)
{
    return 1 / (1 + exp(-z));
}

struct ssim_sums {
    double u[SSIM_METHODS];       /* sum over viewers of each cut's worth */
    double arousal[SSIM_METHODS]; /* skips-intense viewers: mean arousal kept */
    double theta_arousal;         /* their learned arousal weight */
    size_t wins, ties, n, n_intense;
};

/* One viewer: learn on movies 0..3, cut movie 4. */
static int ssim_one(const struct recut_config *cfg, const struct eval_scenesim_opts *o,
                    struct ssim_rng *r, const struct catalog *cat, size_t vi, struct update *u,
                    struct ssim_sums *sum)
{
    struct ssim_viewer t;
    ssim_viewer_draw(r, vi, &t);
    recut_viewer v, empty;
    char id[32];
    snprintf(id, sizeof id, "sim%zu", vi);
    viewer_init(&v, id, cfg->nb_alpha);
    viewer_init(&empty, "generic", cfg->nb_alpha);
    int rc = -1;
    for (size_t mi = 0; mi + 1 < SSIM_MOVIES; mi++) {
        const struct catalog_movie *cm = cat->list[mi];
        for (size_t i = 0; i < cm->m.n_scenes; i++) {
            if (ssim_unif(r) >= o->act)
                continue;
            int positive = ssim_true(&t, cm, i) > 0;
            if (ssim_unif(r) < o->flip)
                positive = !positive;
            struct vevent e;
            memset(&e, 0, sizeof e);
            snprintf(e.user, sizeof e.user, "%s", id);
            snprintf(e.movie, sizeof e.movie, "%s", cm->m.id);
            e.type = !positive ? VEVENT_SKIP : ssim_unif(r) < 0.67 ? VEVENT_REWATCH : VEVENT_LIKE;
            e.scene = (long)i;
            e.t = -1;
            const char **partners;
            size_t n_partners;
            if (update_compute(u, cfg, cat, &e, NULL, NULL) < 0 ||
                viewer_apply(&v, u, cfg->history_max, cfg->cooc_window, &partners, &n_partners) < 0)
                goto out;
        }
    }
    viewer_finish(&v);
    const struct catalog_movie *cm = cat->list[SSIM_MOVIES - 1];
    size_t n = cm->m.n_scenes;
    double *sc = calloc(n, sizeof *sc), *val = calloc(n, sizeof *val), *p = calloc(n, sizeof *p);
    unsigned char *keep = calloc(n, 1);
    if (!sc || !val || !p || !keep)
        goto free;
    size_t budget = (size_t)floor(o->budget * cm->m.duration);
    for (size_t i = 0; i < n; i++)
        p[i] = ssim_sigmoid(2 * ssim_true(&t, cm, i));
    double got[SSIM_METHODS];
    for (int meth = 0; meth < SSIM_METHODS; meth++) {
        if (meth == 0)
            recommend_scene_scores(cfg, &empty, cm, cm->taste_x, TASTE_BLEND, sc);
        else if (meth == 1)
            recommend_scene_scores(cfg, &v, cm, cm->taste_x, 0, sc);
        else if (meth == 2)
            recommend_scene_scores(cfg, &v, cm, cm->taste_x, TASTE_BLEND, sc);
        for (size_t i = 0; i < n; i++) {
            double d = cm->m.scenes[i].end - cm->m.scenes[i].start;
            val[i] = (meth == 3 ? p[i] : sc[i]) * d;
        }
        if (ssim_knapsack(&cm->m, val, budget, keep) < 0)
            goto free;
        double worth = 0, ar = 0, kept = 0;
        for (size_t i = 0; i < n; i++) {
            if (!keep[i])
                continue;
            double d = cm->m.scenes[i].end - cm->m.scenes[i].start;
            worth += p[i] * d;
            ar += cm->m.scenes[i].arousal * d;
            kept += d;
        }
        got[meth] = worth / (double)budget;
        sum->u[meth] += got[meth];
        if (t.skips_intense)
            sum->arousal[meth] += kept > 0 ? ar / kept : 0;
    }
    sum->n++;
    sum->wins += got[2] > got[0] + 1e-12;
    sum->ties += fabs(got[2] - got[0]) <= 1e-12;
    if (t.skips_intense) {
        double theta[TASTE_DIM];
        taste_theta(&v, TASTE_PRIOR, theta);
        sum->theta_arousal += theta[TASTE_AROUSAL];
        sum->n_intense++;
    }
    rc = 0;
free:
    free(sc);
    free(val);
    free(p);
    free(keep);
out:
    viewer_free(&v);
    viewer_free(&empty);
    return rc;
}

int eval_scenesim_run(const struct recut_config *cfg, const struct eval_scenesim_opts *o, int json,
                      FILE *out, char *errstr, size_t errstr_size)
{
    struct ssim_rng r = { o->seed * 0x2545f4914f6cdd1dULL + 1 };
    struct ssim_sums sum;
    memset(&sum, 0, sizeof sum);
    struct update u;
    update_init(&u);
    int rc = 0;
    for (size_t c = 0; c < o->catalogs && rc == 0; c++) {
        struct catalog cat;
        catalog_init(&cat);
        for (size_t mi = 0; mi < SSIM_MOVIES && rc == 0; mi++) {
            char id[32];
            snprintf(id, sizeof id, "c%zu-m%zu", c, mi + 1);
            struct catalog_movie *cm = ssim_movie(&r, id, o->scenes, errstr, errstr_size);
            if (!cm || catalog_put(&cat, cm) < 0) {
                if (cm) {
                    catalog_movie_free(cm);
                    snprintf(errstr, errstr_size, "out of memory");
                }
                rc = -1;
            }
        }
        for (size_t vi = 0; vi < o->viewers && rc == 0; vi++)
            if (ssim_one(cfg, o, &r, &cat, vi, &u, &sum) < 0) {
                snprintf(errstr, errstr_size, "out of memory");
                rc = -1;
            }
        catalog_free(&cat);
    }
    update_free(&u);
    if (rc < 0)
        return -1;
    double n = sum.n ? (double)sum.n : 1, ni = sum.n_intense ? (double)sum.n_intense : 1;
    double oracle = sum.u[3] / n;
    if (json) {
        fprintf(out, "{\"viewers\":%zu,\"flip\":%g,\"act\":%g,\"budget\":%g", sum.n, o->flip,
                o->act, o->budget);
        for (int m = 0; m < SSIM_METHODS; m++)
            fprintf(out, ",\"%s\":{\"utility\":%.6f,\"ratio\":%.6f}", ssim_methods[m], sum.u[m] / n,
                    oracle > 0 ? sum.u[m] / n / oracle : 0);
        fprintf(out,
                ",\"personal_beats_generic\":%.6f,\"skips_intense\":{\"viewers\":%zu,"
                "\"theta_arousal\":%.6f,\"arousal_generic\":%.6f,\"arousal_labels\":%.6f,"
                "\"arousal_personal\":%.6f,\"arousal_oracle\":%.6f}}\n",
                (double)sum.wins / n, sum.n_intense, sum.theta_arousal / ni, sum.arousal[0] / ni,
                sum.arousal[1] / ni, sum.arousal[2] / ni, sum.arousal[3] / ni);
        return 0;
    }
    fprintf(out,
            "scene-taste simulation: %zu catalogs x %zu viewers, %zu scenes a movie; "
            "actions on %.0f %% of scenes, %.0f %% flipped; budget %.0f %% of movie 5\n\n",
            o->catalogs, o->viewers, o->scenes, 100 * o->act, 100 * o->flip, 100 * o->budget);
    fprintf(out, "%-10s %9s %10s\n", "cut", "utility", "/ oracle");
    for (int m = 0; m < SSIM_METHODS; m++)
        fprintf(out, "%-10s %9.4f %10.3f\n", ssim_methods[m], sum.u[m] / n,
                oracle > 0 ? sum.u[m] / n / oracle : 0);
    fprintf(out, "\npersonal beats generic for %.1f %% of viewers (ties %.1f %%)\n",
            100.0 * (double)sum.wins / n, 100.0 * (double)sum.ties / n);
    fprintf(out,
            "viewers who skip intense scenes (%zu): learned arousal weight %+.3f; "
            "mean arousal kept: generic %.3f, labels %.3f, personal %.3f, oracle %.3f\n",
            sum.n_intense, sum.theta_arousal / ni, sum.arousal[0] / ni, sum.arousal[1] / ni,
            sum.arousal[2] / ni, sum.arousal[3] / ni);
    return 0;
}
