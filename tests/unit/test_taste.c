/* SPDX-License-Identifier: Apache-2.0 */
/* test_taste.c -- the scene-content taste (lib/core/taste.h): scene vectors
 * from a catalog entry (absent features are neutral), the fields a scene
 * skip adds through update.c, a ridge solve that recovers a known taste from
 * noisy actions and shrinks toward 0 on few, and scene scores that prefer
 * calm scenes for a viewer who skipped intense ones, with no label. */
#include "config.h"

#include "catalog.h"
#include "conf.h"
#include "expect.h"
#include "recommend.h"
#include "taste.h"
#include "viewer_fields.h"
#include "update.h"
#include "viewer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static struct catalog_movie *movie(const char *json)
{
    char err[256] = "";
    struct catalog_movie *cm = catalog_movie_parse(json, strlen(json), NULL, err, sizeof err);
    EXPECT(cm != NULL, "parse: %s", err);
    return cm;
}

static void test_vectors(void)
{
    struct catalog_movie *cm =
        movie("{\"id\":\"m\",\"duration\":30,\"scenes\":["
              "{\"start\":0,\"end\":10,\"arousal\":1,\"valence\":-0.5},"
              "{\"start\":10,\"end\":20,\"arousal\":0},{\"start\":20,\"end\":30}],"
              "\"features\":[{\"cut_rate\":1.5,\"faces\":0,\"speech\":0.75},"
              "{\"cut_rate\":0.25,\"face_share\":0.1},{\"motion\":0.3}]}");
    if (!cm)
        return;
    const double *x = cm->taste_x;
    EXPECT_TRUE(x != NULL);
    /* scene 0: everything present */
    EXPECT_NEAR(x[TASTE_BIAS], 1, 1e-12);
    EXPECT_NEAR(x[TASTE_AROUSAL], 1, 1e-12);
    EXPECT_NEAR(x[TASTE_VALENCE], -0.5, 1e-12);
    EXPECT_NEAR(x[TASTE_PACE], 1, 1e-12);
    EXPECT_NEAR(x[TASTE_FACES], -1, 1e-12);
    EXPECT_NEAR(x[TASTE_SPEECH], 0.5, 1e-12);
    /* scene 1: face_share stands in for faces, no speech */
    x += TASTE_DIM;
    EXPECT_NEAR(x[TASTE_AROUSAL], -1, 1e-12);
    EXPECT_NEAR(x[TASTE_PACE], -0.5, 1e-12);
    EXPECT_NEAR(x[TASTE_FACES], 0, 1e-12);
    EXPECT_NEAR(x[TASTE_SPEECH], 0, 1e-12);
    /* scene 2: default arousal 0.5 and no known feature: all neutral */
    x += TASTE_DIM;
    for (int k = 1; k < TASTE_DIM; k++)
        EXPECT(x[k] == 0, "scene 2 dim %s = %g", taste_dim_names[k], x[k]);
    catalog_movie_free(cm);
}

static void test_terms(void)
{
    double x[TASTE_DIM] = { 1, 0.5, 0, -1, 0, 0 };
    struct taste_term t[TASTE_TERMS];
    size_t n = taste_terms(x, 2, -1, t);
    /* products among the 3 non-zero dims: 6, and 3 of b */
    EXPECT(n == 9, "n = %zu", n);
    int seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(t[i].field, "x:A13") == 0) {
            EXPECT_NEAR(t[i].value, -1, 1e-12);
            seen++;
        }
        if (strcmp(t[i].field, "x:b1") == 0) {
            EXPECT_NEAR(t[i].value, -1, 1e-12);
            seen++;
        }
        if (strcmp(t[i].field, "x:A00") == 0) {
            EXPECT_NEAR(t[i].value, 2, 1e-12);
            seen++;
        }
    }
    EXPECT(seen == 3, "seen %d of x:A13, x:b1, x:A00", seen);
    EXPECT_TRUE(taste_terms(x, 0, 1, t) == 0);
}

/* Skips of intense scenes through update.c and viewer.c: the viewer learns
 * a negative arousal weight, more confidently with more actions. */
static void test_learn(const struct recut_config *cfg)
{
    struct catalog cat;
    catalog_init(&cat);
    char json[8192];
    size_t len =
        (size_t)snprintf(json, sizeof json, "{\"id\":\"m1\",\"duration\":400,\"scenes\":[");
    for (int i = 0; i < 40; i++)
        len += (size_t)snprintf(json + len, sizeof json - len,
                                "%s{\"start\":%d,\"end\":%d,\"arousal\":%g,\"valence\":%g}",
                                i ? "," : "", i * 10, i * 10 + 10, i % 2 ? 0.9 : 0.1,
                                (i % 5) / 5.0 - 0.4);
    snprintf(json + len, sizeof json - len, "]}");
    struct catalog_movie *cm = movie(json);
    if (!cm || catalog_put(&cat, cm) < 0)
        return;
    recut_viewer few, many;
    viewer_init(&few, "few", 1);
    viewer_init(&many, "many", 1);
    struct update u;
    update_init(&u);
    for (int i = 0; i < 40; i++) {
        struct vevent ev;
        memset(&ev, 0, sizeof ev);
        snprintf(ev.user, sizeof ev.user, "u");
        snprintf(ev.movie, sizeof ev.movie, "m1");
        ev.scene = i;
        ev.t = -1;
        /* skip intense, rewatch calm; every 4th action the other way */
        int intense = i % 2, flip = i % 4 == 3;
        ev.type = intense != flip ? VEVENT_SKIP : VEVENT_REWATCH;
        const char **p;
        size_t np;
        EXPECT_TRUE(update_compute(&u, cfg, &cat, &ev, NULL, NULL) == 0);
        int has_x = 0;
        for (size_t k = 0; k < u.n_ops; k++)
            has_x |= u.ops[k].code == UPD_NB && strncmp(u.ops[k].field, "x:", 2) == 0;
        EXPECT(has_x, "scene %d: no taste op", i);
        if (i < 4)
            EXPECT_TRUE(viewer_apply(&few, &u, 10, 10, &p, &np) == 1);
        EXPECT_TRUE(viewer_apply(&many, &u, 10, 10, &p, &np) == 1);
    }
    viewer_finish(&few);
    viewer_finish(&many);
    /* the taste fields are not naive Bayes features */
    EXPECT(many.vocab == 0, "vocab %g", many.vocab);
    double tf[TASTE_DIM], tm[TASTE_DIM];
    EXPECT_TRUE(taste_theta(&few, TASTE_PRIOR, tf) > 0);
    EXPECT_TRUE(taste_theta(&many, TASTE_PRIOR, tm) > 0);
    EXPECT(tm[TASTE_AROUSAL] < -0.2, "arousal weight %g", tm[TASTE_AROUSAL]);
    EXPECT(fabs(tf[TASTE_AROUSAL]) < fabs(tm[TASTE_AROUSAL]), "few %g many %g", tf[TASTE_AROUSAL],
           tm[TASTE_AROUSAL]);
    /* the prior: no actions, no taste */
    recut_viewer none;
    viewer_init(&none, "none", 1);
    double t0[TASTE_DIM];
    EXPECT_TRUE(taste_theta(&none, TASTE_PRIOR, t0) == 0 && t0[TASTE_AROUSAL] == 0);
    /* a calm scene outscores an intense one in another movie, no labels */
    struct catalog_movie *m2 =
        movie("{\"id\":\"m2\",\"duration\":20,\"scenes\":[{\"start\":0,\"end\":10,"
              "\"arousal\":0.95},{\"start\":10,\"end\":20,\"arousal\":0.05}]}");
    if (m2) {
        double sc[2], sn[2];
        recommend_scene_scores(cfg, &many, m2, m2->taste_x, TASTE_BLEND, sc);
        EXPECT(sc[1] > sc[0] + 0.2, "calm %g intense %g", sc[1], sc[0]);
        recommend_scene_scores(cfg, &none, m2, m2->taste_x, TASTE_BLEND, sn);
        EXPECT(sn[0] == sn[1], "no taste: %g %g", sn[0], sn[1]);
        recommend_scene_scores(cfg, &many, m2, NULL, TASTE_BLEND, sn);
        EXPECT(sn[0] == sn[1], "no vectors: %g %g", sn[0], sn[1]);
        catalog_movie_free(m2);
    }
    /* a scene's words count as the viewer learned them (tag:WORD) */
    struct catalog_movie *m3 =
        movie("{\"id\":\"m3\",\"duration\":20,\"scenes\":[{\"start\":0,\"end\":10,"
              "\"tags\":[\"treasure\"]},{\"start\":10,\"end\":20,\"tags\":[\"storm\"]}]}");
    if (m3) {
        recut_viewer t;
        viewer_init(&t, "t", 1);
        struct update tu;
        update_init(&tu);
        /* one like of a scene with "treasure", one dislike of one with
         * "storm", as the naive Bayes fields update.c writes */
        struct update_op ops[6];
        memset(ops, 0, sizeof ops);
        const struct {
            enum viewer_field_kind kind;
            enum viewer_class cls;
            const char *feature;
        } fs[6] = {
            { VIEWER_FIELD_SAMPLES, VIEWER_LIKE, NULL },
            { VIEWER_FIELD_TOTAL, VIEWER_LIKE, NULL },
            { VIEWER_FIELD_FEATURE, VIEWER_LIKE, "tag:treasure" },
            { VIEWER_FIELD_SAMPLES, VIEWER_DISLIKE, NULL },
            { VIEWER_FIELD_TOTAL, VIEWER_DISLIKE, NULL },
            { VIEWER_FIELD_FEATURE, VIEWER_DISLIKE, "tag:storm" },
        };
        for (int k = 0; k < 6; k++) {
            ops[k].code = UPD_NB;
            ops[k].value = 1;
            viewer_field_format(ops[k].field, sizeof ops[k].field, fs[k].kind, fs[k].cls,
                                fs[k].feature);
        }
        tu.ops = ops;
        tu.n_ops = 6;
        struct vevent tev = { .ts = 1 };
        tu.ev = &tev;
        const char **p;
        size_t np;
        EXPECT_TRUE(viewer_apply(&t, &tu, 10, 10, &p, &np) == 1);
        viewer_finish(&t);
        double st[2];
        recommend_scene_scores(cfg, &t, m3, NULL, 0, st);
        EXPECT(st[0] > st[1], "treasure %g storm %g", st[0], st[1]);
        viewer_free(&t);
        catalog_movie_free(m3);
    }
    update_free(&u);
    viewer_free(&few);
    viewer_free(&many);
    viewer_free(&none);
    catalog_free(&cat);
}

int main(void)
{
    struct recut_config cfg;
    if (conf_init(&cfg) < 0)
        return 99;
    test_vectors();
    test_terms();
    test_learn(&cfg);
    conf_free(&cfg);
    return expect_report();
}
