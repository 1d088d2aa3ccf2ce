/* SPDX-License-Identifier: Apache-2.0 */
/* test_viewer.c -- the field layout of a viewer's NB hash (viewer_fields.h)
 * builds and parses back; a viewer's naive Bayes read-out is lib/models/nb's
 * model on the counts of the viewer's nb map; viewer_apply keeps the derived
 * sums exactly as viewer_finish computes them from the map. */
#include "config.h"

#include "emotion.h"
#include "expect.h"
#include "nb.h"
#include "viewer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const classes[2] = { "dislike", "like" };

static void load(struct recut_viewer *v, const char *field, double value)
{
    char num[64];
    snprintf(num, sizeof num, "%.17g", value);
    EXPECT_TRUE(viewer_load_field(v, 'N', field, strlen(field), num) == 0);
}

/* like: {genre:a 3, genre:b 2} in 3 samples; dislike: {genre:a 1, tag:c 1}
 * in 1 sample; alpha 0.5. */
static void test_nb_readout(void)
{
    struct recut_viewer v;
    viewer_init(&v, "u1", 0.5);
    load(&v, "n:like", 3);
    load(&v, "n:dislike", 1);
    load(&v, "t:like", 5);
    load(&v, "t:dislike", 2);
    load(&v, "f:like:genre:a", 3);
    load(&v, "f:like:genre:b", 2);
    load(&v, "f:dislike:genre:a", 1);
    load(&v, "f:dislike:tag:c", 1);
    viewer_finish(&v);
    EXPECT_TRUE(v.vocab == 3 && v.n_like == 3 && v.t_dislike == 2);
    /* by hand: V = 3, alpha 0.5 */
    EXPECT_NEAR(viewer_feature(&v, "genre:a"), log(3.5 / 6.5) - log(1.5 / 3.5), 1e-15);

    char err[256];
    nb_model *m = nb_new(classes, 2, 0.5, err, sizeof err);
    EXPECT_TRUE(m != NULL);
    if (!m) {
        viewer_free(&v);
        return;
    }
    EXPECT_TRUE(nb_set_count(m, 1, "genre:a", 3, err, sizeof err) == 0 &&
                nb_set_count(m, 1, "genre:b", 2, err, sizeof err) == 0 &&
                nb_set_count(m, 0, "genre:a", 1, err, sizeof err) == 0 &&
                nb_set_count(m, 0, "tag:c", 1, err, sizeof err) == 0 &&
                nb_set_class_samples(m, 1, 3, err, sizeof err) == 0 &&
                nb_set_class_samples(m, 0, 1, err, sizeof err) == 0);
    EXPECT_TRUE(nb_n_features(m) == 3);
    /* every feature, the unknown one too, reads the same as nb's model */
    const char *f[] = { "genre:a", "genre:b", "tag:c", "unknown:x" };
    for (size_t i = 0; i < 4; i++)
        EXPECT(viewer_feature(&v, f[i]) == nb_feature_log_odds(m, f[i], 1, 0),
               "%s: viewer %.17g, nb %.17g", f[i], viewer_feature(&v, f[i]),
               nb_feature_log_odds(m, f[i], 1, 0));
    /* with the prior smoothed by 1, the log-odds of known features is the
     * model's jll difference */
    EXPECT_TRUE(nb_set_prior_alpha(m, 1.0) == 0);
    double jll[2];
    EXPECT_TRUE(nb_joint_log_likelihood(m, f, NULL, 3, jll, err, sizeof err) == 0);
    char *q[] = { "genre:a", "genre:b", "tag:c", "unknown:x" };
    EXPECT_NEAR(viewer_nb_logodds(&v, q, 3), jll[1] - jll[0], 1e-13);
    EXPECT_NEAR(viewer_nb_logodds(&v, q, 0), log(4.0 / 2.0), 1e-15);
    /* unlike nb's queries, a feature the viewer never met still counts, as
     * a smoothed zero in both classes */
    EXPECT_NEAR(viewer_nb_logodds(&v, q, 4),
                jll[1] - jll[0] + nb_feature_log_odds(m, "unknown:x", 1, 0), 1e-13);
    EXPECT_TRUE(viewer_feature(&v, "unknown:x") != 0);
    nb_free(m);
    viewer_free(&v);

    /* an empty viewer has no opinion */
    viewer_init(&v, "u2", 1.0);
    viewer_finish(&v);
    EXPECT_TRUE(viewer_feature(&v, "genre:a") == 0);
    EXPECT_TRUE(viewer_nb_logodds(&v, q, 2) == 0);
    viewer_free(&v);
}

static void op(struct update *u, struct update_op *ops, const char *field, double value)
{
    ops[u->n_ops].code = UPD_NB;
    snprintf(ops[u->n_ops].field, sizeof ops[u->n_ops].field, "%s", field);
    ops[u->n_ops].value = value;
    u->n_ops++;
}

/* viewer_apply's running sums equal viewer_finish's from the same map. */
static void test_apply_sums(void)
{
    struct vevent ev;
    memset(&ev, 0, sizeof ev);
    struct update_op ops[16];
    struct update u;
    memset(&u, 0, sizeof u);
    u.ev = &ev;
    u.ops = ops;
    op(&u, ops, "n:like", 2);
    op(&u, ops, "f:like:genre:a", 2);
    op(&u, ops, "f:like:tag:x y", 2);
    op(&u, ops, "t:like", 4);
    op(&u, ops, "n:dislike", 1);
    op(&u, ops, "f:dislike:genre:a", 1);
    op(&u, ops, "f:dislike:genre:b", 1);
    op(&u, ops, "t:dislike", 2);
    struct recut_viewer v;
    viewer_init(&v, "u3", 1.0);
    const char **partners;
    size_t n_partners;
    EXPECT_TRUE(viewer_apply(&v, &u, 10, 5, &partners, &n_partners) == 1);
    EXPECT_TRUE(viewer_apply(&v, &u, 10, 5, &partners, &n_partners) == 1);
    double got[5] = { v.n_like, v.n_dislike, v.t_like, v.t_dislike, v.vocab };
    EXPECT_TRUE(got[0] == 4 && got[1] == 2 && got[2] == 8 && got[3] == 4 && got[4] == 3);
    viewer_finish(&v);
    double want[5] = { v.n_like, v.n_dislike, v.t_like, v.t_dislike, v.vocab };
    for (size_t i = 0; i < 5; i++)
        EXPECT(got[i] == want[i], "sum %zu: applied %g, recomputed %g", i, got[i], want[i]);
    viewer_free(&v);
}

/* The field layout: built and split again, features with ':' included. */
static void test_fields(void)
{
    char b[VIEWER_FIELD_MAX];
    EXPECT_TRUE(viewer_field_format(b, sizeof b, VIEWER_FIELD_SAMPLES, VIEWER_LIKE, NULL) == 6 &&
                strcmp(b, "n:like") == 0);
    EXPECT_TRUE(viewer_field_format(b, sizeof b, VIEWER_FIELD_TOTAL, VIEWER_DISLIKE, "x") == 9 &&
                strcmp(b, "t:dislike") == 0);
    EXPECT_TRUE(viewer_field_format(b, sizeof b, VIEWER_FIELD_FEATURE, VIEWER_DISLIKE,
                                    "genre:sci:fi") == 22 &&
                strcmp(b, "f:dislike:genre:sci:fi") == 0);
    EXPECT_TRUE(viewer_field_format(b, 22, VIEWER_FIELD_FEATURE, VIEWER_DISLIKE, "genre:sci:fi") ==
                -1);
    EXPECT_TRUE(viewer_field_format(b, 7, VIEWER_FIELD_SAMPLES, VIEWER_LIKE, NULL) == 6);
    EXPECT_TRUE(viewer_field_format(b, 6, VIEWER_FIELD_SAMPLES, VIEWER_LIKE, NULL) == -1);
    EXPECT_TRUE(viewer_field_format(b, sizeof b, VIEWER_FIELD_FEATURE, VIEWER_LIKE, NULL) == -1);
    EXPECT_TRUE(viewer_field_format(b, sizeof b, (enum viewer_field_kind)'x', VIEWER_LIKE, NULL) ==
                -1);
    EXPECT_TRUE(strcmp(viewer_field_class_name(VIEWER_LIKE), "like") == 0 &&
                strcmp(viewer_field_class_name(VIEWER_DISLIKE), "dislike") == 0);

    static const struct {
        const char *field;
        int ok;
        enum viewer_field_kind kind;
        enum viewer_class cls;
        const char *feature;
    } cases[] = {
        { "n:like", 1, VIEWER_FIELD_SAMPLES, VIEWER_LIKE, NULL },
        { "n:dislike", 1, VIEWER_FIELD_SAMPLES, VIEWER_DISLIKE, NULL },
        { "t:like", 1, VIEWER_FIELD_TOTAL, VIEWER_LIKE, NULL },
        { "f:like:genre:comedy", 1, VIEWER_FIELD_FEATURE, VIEWER_LIKE, "genre:comedy" },
        { "f:dislike:tag:a:b", 1, VIEWER_FIELD_FEATURE, VIEWER_DISLIKE, "tag:a:b" },
        { "f:like:", 1, VIEWER_FIELD_FEATURE, VIEWER_LIKE, "" },
        { "f:like", 0, 0, 0, NULL },
        { "f:likes:x", 0, 0, 0, NULL },
        { "n:likes", 0, 0, 0, NULL },
        { "n:like:x", 0, 0, 0, NULL },
        { "n:lik", 0, 0, 0, NULL },
        { "x:like", 0, 0, 0, NULL },
        { "n|like", 0, 0, 0, NULL },
        { "", 0, 0, 0, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum viewer_field_kind kind;
        enum viewer_class cls;
        const char *f = "unset";
        int rc = viewer_field_parse(cases[i].field, strlen(cases[i].field), &kind, &cls, &f);
        EXPECT(rc == (cases[i].ok ? 0 : -1), "parse %s: %d", cases[i].field, rc);
        if (rc != 0 || !cases[i].ok)
            continue;
        EXPECT(kind == cases[i].kind && cls == cases[i].cls, "parse %s: kind %c class %d",
               cases[i].field, (char)kind, (int)cls);
        EXPECT(cases[i].feature ? f && strcmp(f, cases[i].feature) == 0 : f == NULL,
               "parse %s: feature %s", cases[i].field, f ? f : "(null)");
        /* and back */
        EXPECT_TRUE(viewer_field_format(b, sizeof b, kind, cls, f) == (int)strlen(cases[i].field) &&
                    strcmp(b, cases[i].field) == 0);
    }
    /* only len bytes count */
    enum viewer_field_kind kind;
    enum viewer_class cls;
    const char *f;
    EXPECT_TRUE(viewer_field_parse("n:likely", 6, &kind, &cls, &f) == 0 &&
                kind == VIEWER_FIELD_SAMPLES && cls == VIEWER_LIKE);

    struct strmap m;
    strmap_init(&m);
    struct strmap_entry *e = strmap_put(&m, "f:dislike:genre:x");
    EXPECT_TRUE(e != NULL);
    if (e)
        e->num = 2.5;
    EXPECT_TRUE(viewer_field_get(&m, VIEWER_FIELD_FEATURE, VIEWER_DISLIKE, "genre:x") == e);
    EXPECT_TRUE(viewer_field_value(&m, VIEWER_FIELD_FEATURE, VIEWER_DISLIKE, "genre:x") == 2.5);
    EXPECT_TRUE(viewer_field_value(&m, VIEWER_FIELD_FEATURE, VIEWER_LIKE, "genre:x") == 0);
    EXPECT_TRUE(viewer_field_get(&m, VIEWER_FIELD_SAMPLES, VIEWER_DISLIKE, NULL) == NULL);
    strmap_clear(&m, NULL);
}

/* The scenes and emo maps: what the update rules write is what the host
 * API reads back. */
static void test_scene_emo(void)
{
    char b[VIEWER_FIELD_MAX];
    EXPECT_TRUE(viewer_field_scene(b, sizeof b, "m:1", 12) == 6 && strcmp(b, "m:1:12") == 0);
    EXPECT_TRUE(viewer_field_scene(b, 6, "m:1", 12) == -1);

    struct vevent ev;
    memset(&ev, 0, sizeof ev);
    struct update_op ops[8];
    struct update u;
    memset(&u, 0, sizeof u);
    u.ev = &ev;
    u.ops = ops;
    ops[0].code = UPD_SCENE;
    viewer_field_scene(ops[0].field, sizeof ops[0].field, "m1", 3);
    ops[0].value = -1;
    ops[1].code = UPD_CONSENT;
    ops[1].value = 1;
    ops[2].code = UPD_EMO;
    snprintf(ops[2].field, sizeof ops[2].field, VIEWER_EMO_COUNT);
    ops[2].value = 1;
    ops[3].code = UPD_EMO;
    snprintf(ops[3].field, sizeof ops[3].field, VIEWER_EMO_VALENCE);
    ops[3].value = -0.25;
    ops[4].code = UPD_EMO;
    snprintf(ops[4].field, sizeof ops[4].field, VIEWER_EMO_AROUSAL);
    ops[4].value = 0.75;
    u.n_ops = 5;
    struct recut_viewer v;
    viewer_init(&v, "u4", 1.0);
    double ar, va;
    EXPECT_TRUE(viewer_affect(&v, &ar, &va) == -1 && ar == EMOTION_NEUTRAL_AROUSAL && va == 0);
    const char **partners;
    size_t n_partners;
    EXPECT_TRUE(viewer_apply(&v, &u, 10, 5, &partners, &n_partners) == 1);
    EXPECT_TRUE(viewer_apply(&v, &u, 10, 5, &partners, &n_partners) == 1);
    EXPECT_TRUE(viewer_scene_feedback(&v, "m1", 3) == -1); /* -2, clamped */
    EXPECT_TRUE(viewer_scene_feedback(&v, "m1", 2) == 0);
    EXPECT_TRUE(viewer_affect(&v, &ar, &va) == 0);
    EXPECT_NEAR(ar, 0.75, 1e-15);
    EXPECT_NEAR(va, -0.25, 1e-15);
    viewer_free(&v);
}

int main(void)
{
    test_scene_emo();
    test_fields();
    test_nb_readout();
    test_apply_sums();
    return expect_report();
}
