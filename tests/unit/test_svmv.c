/* SPDX-License-Identifier: Apache-2.0 */
/* test-svmv.c -- a viewer's SVM (svm_viewer.h): labels, hashed rows, the
 * problem built from rated movies, one-class viewers, training, scores and
 * the envelope's round trip and damage. */
#include "config.h"

#include "svm_viewer.h"
#include "blob.h"
#include "expect.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_labels(void)
{
    EXPECT_TRUE(svmv_label(0.5) == 1);
    EXPECT_TRUE(svmv_label(SVMV_LABEL_MIN) == 1);
    EXPECT_TRUE(svmv_label(0.2) == 0);
    EXPECT_TRUE(svmv_label(0) == 0);
    EXPECT_TRUE(svmv_label(-0.2) == 0);
    EXPECT_TRUE(svmv_label(-SVMV_LABEL_MIN) == -1);
    EXPECT_TRUE(svmv_label(-2) == -1);
    EXPECT_TRUE(svmv_label(NAN) == 0);
    EXPECT_TRUE(svmv_label(INFINITY) == 0);
}

static void test_rows(void)
{
    int ix[SVMV_DIM];
    double v[SVMV_DIM];
    /* FNV-1a("a") = 0xe40c292c (the published test vector): index 300 + 1 */
    char *a[] = { "a" };
    EXPECT_TRUE(svmv_row(a, 1, ix, v) == 1);
    EXPECT_TRUE(ix[0] == (int)(0xe40c292cu % SVMV_DIM) + 1);
    EXPECT_NEAR(v[0], 1.0, 1e-15);
    /* the same feature twice: one index, still unit length */
    char *aa[] = { "a", "a" };
    EXPECT_TRUE(svmv_row(aa, 2, ix, v) == 1);
    EXPECT_NEAR(v[0], 1.0, 1e-15);
    char *f[] = { "genre:comedy", "tag:funny", "", "genre:drama" };
    size_t n = svmv_row(f, 4, ix, v);
    EXPECT_TRUE(n == 3);
    double ss = 0;
    for (size_t i = 0; i < n; i++) {
        ss += v[i] * v[i];
        if (i)
            EXPECT_TRUE(ix[i] > ix[i - 1]);
        EXPECT_TRUE(ix[i] >= 1 && ix[i] <= SVMV_DIM);
    }
    EXPECT_NEAR(ss, 1.0, 1e-12);
    EXPECT_TRUE(svmv_row(f + 2, 1, ix, v) == 0);
    EXPECT_TRUE(svmv_row(NULL, 0, ix, v) == 0);
}

/* A viewer who likes comedies and dislikes horror films. */
#define NS 40
static char *g_comedy[] = { "genre:comedy", "tag:funny" };
static char *g_comedy2[] = { "genre:comedy", "genre:romance" };
static char *g_horror[] = { "genre:horror", "tag:scary" };
static char *g_horror2[] = { "genre:horror", "genre:thriller" };
static char *g_none[] = { "" };
static char ids[NS][16];

static void make_samples(struct svmv_sample *s, size_t *n)
{
    size_t k = 0;
    for (int i = 0; i < 12; i++, k++) {
        snprintf(ids[k], sizeof ids[k], "c%02d", i);
        s[k] = (struct svmv_sample){ ids[k], i % 2 ? g_comedy : g_comedy2, 2, 1.0 + 0.1 * i };
    }
    for (int i = 0; i < 8; i++, k++) {
        snprintf(ids[k], sizeof ids[k], "h%02d", i);
        s[k] = (struct svmv_sample){ ids[k], i % 2 ? g_horror : g_horror2, 2, -1.0 - 0.1 * i };
    }
    /* no label: too weak, not finite, no features */
    static char *const *wf[] = { g_horror, g_comedy, g_none, NULL };
    static const size_t wn[] = { 2, 2, 1, 0 };
    static const double ww[] = { 0.1, NAN, 3.0, -3.0 };
    for (int i = 0; i < 4; i++, k++) {
        snprintf(ids[k], sizeof ids[k], "w%d", i);
        s[k] = (struct svmv_sample){ ids[k], wf[i], wn[i], ww[i] };
    }
    *n = k;
}

static void test_problem(void)
{
    struct svmv_sample s[NS];
    size_t n, likes, dislikes;
    make_samples(s, &n);
    svmv_count(s, n, &likes, &dislikes);
    EXPECT_TRUE(likes == 12 && dislikes == 8);
    struct svmv_config c;
    svmv_config_default(&c);
    c.max_train = 0;
    svmm_problem *pb;
    char err[256];
    EXPECT_TRUE(svmv_problem(s, n, &c, &pb, &likes, &dislikes, err, sizeof err) == SVMV_OK);
    EXPECT_TRUE(likes == 12 && dislikes == 8);
    EXPECT_TRUE(pb && svmm_problem_size(pb) == 20);
    svmm_problem_free(pb);
    /* a cap of 10: five of each class */
    c.max_train = 10;
    EXPECT_TRUE(svmv_problem(s, n, &c, &pb, &likes, &dislikes, err, sizeof err) == SVMV_OK);
    EXPECT_TRUE(likes == 5 && dislikes == 5 && svmm_problem_size(pb) == 10);
    svmm_problem_free(pb);
    /* a cap of 18 with 8 dislikes: the likes fill the rest */
    c.max_train = 18;
    EXPECT_TRUE(svmv_problem(s, n, &c, &pb, &likes, &dislikes, err, sizeof err) == SVMV_OK);
    EXPECT_TRUE(likes == 10 && dislikes == 8);
    svmm_problem_free(pb);
    /* the strongest likes are kept: the weakest one alone has feature "zz",
     * whose index is the largest of all, and is left out by a cap */
    char weak[32];
    char *zz[] = { "genre:comedy", weak };
    int ix[SVMV_DIM];
    double v[SVMV_DIM];
    int top = 0;
    for (size_t i = 0; i < n; i++) {
        size_t nnz = svmv_row(s[i].features, s[i].n_features, ix, v);
        if (nnz && ix[nnz - 1] > top)
            top = ix[nnz - 1];
    }
    ix[0] = 0;
    for (int t = 0; t < 1000 && ix[0] <= top; t++) {
        snprintf(weak, sizeof weak, "zz-weak-%d", t);
        svmv_row(zz + 1, 1, ix, v);
    }
    if (ix[0] > top) {
        struct svmv_sample s2[NS + 1];
        memcpy(s2, s, n * sizeof *s);
        s2[n] = (struct svmv_sample){ "c-weak", zz, 2, 0.3 };
        c.max_train = 16;
        EXPECT_TRUE(svmv_problem(s2, n + 1, &c, &pb, &likes, &dislikes, err, sizeof err) ==
                    SVMV_OK);
        EXPECT_TRUE(svmm_problem_max_index(pb) < ix[0]);
        svmm_problem_free(pb);
        c.max_train = 0;
        EXPECT_TRUE(svmv_problem(s2, n + 1, &c, &pb, &likes, &dislikes, err, sizeof err) ==
                    SVMV_OK);
        EXPECT_TRUE(svmm_problem_max_index(pb) == ix[0]);
        svmm_problem_free(pb);
    } else {
        EXPECT_TRUE(!"no feature name hashes above the others");
    }
}

static void test_one_class(void)
{
    struct svmv_sample s[NS];
    size_t n;
    make_samples(s, &n);
    struct svmv_config c;
    svmv_config_default(&c);
    svmv_model *m = (svmv_model *)1;
    char err[256];
    /* likes only (the first 12) */
    EXPECT_TRUE(svmv_train(s, 12, &c, 0, &m, err, sizeof err) == SVMV_E_FEW_LABELS);
    EXPECT_TRUE(m == NULL);
    EXPECT_TRUE(strstr(err, "12 like(s) and 0 dislike(s)") != NULL);
    /* 12 likes, 3 dislikes, min_labels 5 */
    EXPECT_TRUE(svmv_train(s, 15, &c, 0, &m, err, sizeof err) == SVMV_E_FEW_LABELS);
    EXPECT_TRUE(m == NULL);
    /* min_labels 3: trained, without probability estimates (fewer than 5) */
    c.min_labels = 3;
    EXPECT_TRUE(svmv_train(s, 15, &c, 0, &m, err, sizeof err) == SVMV_OK);
    EXPECT_TRUE(m && !svmv_info(m)->probability);
    if (m) {
        double pc = svmv_score(m, g_comedy, 2), ph = svmv_score(m, g_horror, 2);
        EXPECT_TRUE(pc > 0.5 && ph < 0.5);
    }
    svmv_free(m);
    /* nothing at all */
    EXPECT_TRUE(svmv_train(NULL, 0, &c, 0, &m, err, sizeof err) == SVMV_E_FEW_LABELS);
}

static void test_train_roundtrip(enum svmm_kernel kernel)
{
    struct svmv_sample s[NS];
    size_t n;
    make_samples(s, &n);
    struct svmv_config c;
    svmv_config_default(&c);
    c.kernel = kernel;
    svmv_model *m = NULL;
    char err[256];
    EXPECT_TRUE(svmv_train(s, n, &c, 1700000000, &m, err, sizeof err) == SVMV_OK);
    if (!m) {
        fprintf(stderr, "train: %s\n", err);
        return;
    }
    const struct svmv_info *in = svmv_info(m);
    EXPECT_TRUE(in->likes == 12 && in->dislikes == 8 && in->labels == 20);
    EXPECT_TRUE(in->kernel == (int)kernel && in->probability == 1);
    EXPECT_NEAR(in->train_accuracy, 1.0, 0);
    EXPECT_TRUE(in->trained_at == 1700000000);
    EXPECT_TRUE(in->n_sv >= 2);
    double pc = svmv_score(m, g_comedy, 2), ph = svmv_score(m, g_horror2, 2);
    EXPECT_TRUE(pc > 0.6 && ph < 0.4);
    char *mixed[] = { "genre:comedy", "genre:horror" };
    double pm = svmv_score(m, mixed, 2);
    EXPECT_TRUE(pm > ph && pm < pc);
    EXPECT_TRUE(svmv_score(m, g_none, 1) == -1);
    char *unknown[] = { "genre:western" };
    double pu = svmv_score(m, unknown, 1);
    EXPECT_TRUE(pu >= 0 && pu <= 1);

    unsigned char *b = NULL;
    size_t bl = 0;
    EXPECT_TRUE(svmv_serialize(m, &b, &bl, err, sizeof err) == SVMV_OK);
    int type;
    uint16_t ver;
    EXPECT_TRUE(blob_peek(b, bl, &type, &ver) == BLOB_OK && type == BLOB_SVM_VIEWER && ver == 1);
    svmv_model *m2 = NULL;
    EXPECT_TRUE(svmv_deserialize(b, bl, &m2, err, sizeof err) == SVMV_OK);
    if (m2) {
        const struct svmv_info *i2 = svmv_info(m2);
        EXPECT_TRUE(memcmp(in, i2, sizeof *in) == 0);
        EXPECT_TRUE(svmv_score(m2, g_comedy, 2) == pc);
        EXPECT_TRUE(svmv_score(m2, g_horror2, 2) == ph);
        EXPECT_TRUE(svmv_score(m2, mixed, 2) == pm);
    }
    svmv_free(m2);
    /* the same samples give the same bytes (seeded probability folds) */
    svmv_model *m3 = NULL;
    unsigned char *b3 = NULL;
    size_t bl3 = 0;
    rand();
    EXPECT_TRUE(svmv_train(s, n, &c, 1700000000, &m3, err, sizeof err) == SVMV_OK);
    EXPECT_TRUE(m3 && svmv_serialize(m3, &b3, &bl3, err, sizeof err) == SVMV_OK);
    EXPECT_TRUE(b3 && bl3 == bl && memcmp(b3, b, bl) == 0);
    svmv_free(m3);
    free(b3);

    /* damage: every truncation, a flipped payload byte, a newer version, a
     * plain svmm blob, garbage -- all refused, none crashes */
    int refused = 0;
    for (size_t l = 0; l < bl; l++) {
        svmv_model *x = NULL;
        refused += svmv_deserialize(b, l, &x, err, sizeof err) == SVMV_E_CORRUPT && !x;
    }
    EXPECT_TRUE(refused == (int)bl);
    unsigned char *d = malloc(bl);
    memcpy(d, b, bl);
    d[bl / 2] ^= 0x40;
    svmv_model *x = NULL;
    EXPECT_TRUE(svmv_deserialize(d, bl, &x, err, sizeof err) == SVMV_E_CORRUPT && !x);
    EXPECT_TRUE(strstr(err, "checksum") != NULL);
    memcpy(d, b, bl);
    d[6] = 2; /* payload version 2: newer than this build */
    EXPECT_TRUE(svmv_deserialize(d, bl, &x, err, sizeof err) == SVMV_E_CORRUPT && !x);
    free(d);
    unsigned char *sb = NULL;
    size_t sl = 0;
    EXPECT_TRUE(svmm_serialize(svmv_svm(m), &sb, &sl, err, sizeof err) == SVMM_OK);
    EXPECT_TRUE(svmv_deserialize(sb, sl, &x, err, sizeof err) == SVMV_E_CORRUPT && !x);
    free(sb);
    EXPECT_TRUE(svmv_deserialize("not a model", 11, &x, err, sizeof err) == SVMV_E_CORRUPT);
    free(b);
    svmv_free(m);
}

/* An envelope written under another hashing scheme is refused. */
static void test_other_scheme(void)
{
    struct svmv_sample s[NS];
    size_t n;
    make_samples(s, &n);
    struct svmv_config c;
    svmv_config_default(&c);
    svmv_model *m = NULL;
    char err[256];
    EXPECT_TRUE(svmv_train(s, n, &c, 0, &m, err, sizeof err) == SVMV_OK);
    if (!m)
        return;
    unsigned char *sb = NULL, *b = NULL;
    size_t sl = 0, bl = 0;
    svmm_serialize(svmv_svm(m), &sb, &sl, err, sizeof err);
    for (int bad = 0; bad < 2; bad++) {
        struct blob_writer w;
        blob_writer_init(&w, BLOB_SVM_VIEWER, 1);
        blob_put_u32(&w, bad == 0 ? SVMV_SCHEME + 1 : SVMV_SCHEME);
        blob_put_u32(&w, SVMV_DIM);
        blob_put_u32(&w, 12);
        blob_put_u32(&w, 8);
        blob_put_u32(&w, 20);
        blob_put_f64(&w, bad == 1 ? 1.5 : 1.0); /* accuracy > 1 */
        blob_put_u64(&w, 0);
        blob_put_u32(&w, (uint32_t)sl);
        blob_put_bytes(&w, sb, sl);
        EXPECT_TRUE(blob_writer_finish(&w, &b, &bl, err, sizeof err) == BLOB_OK);
        svmv_model *x = NULL;
        EXPECT_TRUE(svmv_deserialize(b, bl, &x, err, sizeof err) == SVMV_E_CORRUPT && !x);
        EXPECT_TRUE(strstr(err, bad == 0 ? "another scheme" : "inconsistent") != NULL);
        free(b);
    }
    free(sb);
    svmv_free(m);
}

int main(void)
{
    test_labels();
    test_rows();
    test_problem();
    test_one_class();
    test_train_roundtrip(SVMM_RBF);
    test_train_roundtrip(SVMM_LINEAR);
    test_other_scheme();
    return expect_report();
}
