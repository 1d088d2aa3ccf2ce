/* SPDX-License-Identifier: Apache-2.0 */
/* test-nb.c -- naive Bayes unit tests (sklearn agreement is tests/peer). */
#include "config.h"

#include "nb.h"
#include "expect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const classes[2] = { "dislike", "like" };

/* By hand: alpha 1, like: {a:3, b:1}, 2 samples; dislike: {c:2}, 1 sample. */
static nb_model *small_model(void)
{
    char err[256];
    nb_model *m = nb_new(classes, 2, 1.0, err, sizeof err);
    const char *f1[] = { "genre:a", "genre:b" };
    const double w1[] = { 2, 1 };
    EXPECT_TRUE(nb_add_sample(m, 1, f1, w1, 2, err, sizeof err) == 0);
    const char *f2[] = { "genre:a" };
    EXPECT_TRUE(nb_add_sample(m, 1, f2, NULL, 1, err, sizeof err) == 0);
    const char *f3[] = { "genre:c" };
    const double w3[] = { 2 };
    EXPECT_TRUE(nb_add_sample(m, 0, f3, w3, 1, err, sizeof err) == 0);
    return m;
}

static void test_by_hand(void)
{
    nb_model *m = small_model();
    char err[256];
    EXPECT_TRUE(nb_n_features(m) == 3);
    EXPECT_TRUE(nb_class_samples(m, 1) == 2 && nb_class_samples(m, 0) == 1);
    EXPECT_TRUE(nb_class_total(m, 1) == 4 && nb_class_total(m, 0) == 2);
    /* log P(a|like) = log(3+1) - log(4 + 3) */
    EXPECT_NEAR(nb_feature_log_prob(m, 1, "genre:a"), log(4.0 / 7.0), 1e-15);
    EXPECT_NEAR(nb_feature_log_prob(m, 0, "genre:a"), log(1.0 / 5.0), 1e-15);
    /* unknown feature: smoothed zero count */
    EXPECT_NEAR(nb_feature_log_prob(m, 0, "nope"), log(1.0 / 5.0), 1e-15);
    EXPECT_NEAR(nb_feature_log_odds(m, "genre:a", 1, 0), log(4.0 / 7.0) - log(1.0 / 5.0), 1e-15);
    EXPECT_TRUE(nb_feature_log_odds(m, "genre:c", 1, 0) < 0);
    EXPECT_TRUE(isnan(nb_feature_log_odds(m, "genre:a", 1, 7)));
    EXPECT_NEAR(nb_class_log_prior(m, 1), log(2.0 / 3.0), 1e-15);
    /* jll of {a:1, c:2} */
    const char *q[] = { "genre:a", "genre:c", "unknown:x" };
    const double qw[] = { 1, 2, 5 };
    double jll[2], lp[2];
    EXPECT_TRUE(nb_joint_log_likelihood(m, q, qw, 3, jll, err, sizeof err) == 0);
    EXPECT_NEAR(jll[1], log(2.0 / 3) + log(4.0 / 7) + 2 * log(1.0 / 7), 1e-13);
    EXPECT_NEAR(jll[0], log(1.0 / 3) + log(1.0 / 5) + 2 * log(3.0 / 5), 1e-13);
    EXPECT_TRUE(nb_log_proba(m, q, qw, 3, lp, err, sizeof err) == 0);
    EXPECT_NEAR(exp(lp[0]) + exp(lp[1]), 1.0, 1e-15);
    EXPECT_NEAR(lp[0] - lp[1], jll[0] - jll[1], 1e-13);
    size_t cls;
    EXPECT_TRUE(nb_predict(m, q, qw, 3, &cls, err, sizeof err) == 0 && cls == 0);
    /* dense form agrees */
    double x[3] = { 1, 0, 2 }, jd[2];
    EXPECT_TRUE(nb_joint_log_likelihood_dense(m, x, 3, jd, err, sizeof err) == 0);
    EXPECT_NEAR(jd[0], jll[0], 1e-13);
    EXPECT_NEAR(jd[1], jll[1], 1e-13);
    /* top features for "like" */
    size_t top[2];
    double lo[2];
    EXPECT_TRUE(nb_top_features(m, 1, 0, 2, top, lo) == 2);
    EXPECT_TRUE(strcmp(nb_feature_name(m, top[0]), "genre:a") == 0 && lo[0] >= lo[1]);
    nb_free(m);
}

/* The bare-count formulas (for counts kept outside a model, viewer.c) are
 * what the model's own queries compute. */
static void test_counts(void)
{
    nb_model *m = small_model();
    EXPECT_NEAR(nb_log_prob_counts(3, 4, 1.0, 3), log(4.0 / 7.0), 1e-15);
    EXPECT_NEAR(nb_log_prob_counts(0, 2, 0.5, 3), log(0.5 / 3.5), 1e-15);
    EXPECT_TRUE(nb_log_prob_counts(3, 4, 1.0, 3) == nb_feature_log_prob(m, 1, "genre:a"));
    EXPECT_TRUE(nb_log_prob_counts(0, 2, 1.0, 3) == nb_feature_log_prob(m, 0, "nope"));
    EXPECT_NEAR(nb_log_prior_counts(2, 3, 0, 2), log(2.0 / 3.0), 1e-15);
    EXPECT_TRUE(nb_log_prior_counts(2, 3, 0, 2) == nb_class_log_prior(m, 1));
    /* prior smoothing: (S_c + a) / (sum S + a k) */
    EXPECT_NEAR(nb_log_prior_counts(2, 3, 1.0, 2), log(3.0 / 5.0), 1e-15);
    EXPECT_NEAR(nb_log_prior_counts(0, 3, 0.5, 3), log(0.5 / 4.5), 1e-15);
    EXPECT_TRUE(nb_set_prior_alpha(m, 1.0) == 0);
    EXPECT_TRUE(nb_log_prior_counts(1, 3, 1.0, 2) == nb_class_log_prior(m, 0));
    /* no samples: uniform */
    EXPECT_NEAR(nb_log_prior_counts(0, 0, 0, 4), -log(4.0), 1e-15);
    nb_free(m);
}

static void test_bad_input(void)
{
    char err[256];
    const char *one[] = { "x" };
    EXPECT_TRUE(nb_new(one, 1, 1.0, err, sizeof err) == NULL);
    EXPECT_TRUE(nb_new(classes, 2, 0.0, err, sizeof err) == NULL);
    EXPECT_TRUE(nb_new(classes, 2, NAN, err, sizeof err) == NULL);
    const char *bad[] = { "a|b", "c" };
    EXPECT_TRUE(nb_new(bad, 2, 1.0, err, sizeof err) == NULL);
    const char *dup[] = { "a", "a" };
    EXPECT_TRUE(nb_new(dup, 2, 1.0, err, sizeof err) == NULL);
    nb_model *m = nb_new(classes, 2, 0.5, err, sizeof err);
    EXPECT_TRUE(nb_add(m, 1, "f", NAN, err, sizeof err) == -1);
    EXPECT_TRUE(nb_add(m, 1, "f", INFINITY, err, sizeof err) == -1);
    EXPECT_TRUE(nb_add(m, 1, "f", -1, err, sizeof err) == -1);
    EXPECT_TRUE(nb_add(m, 2, "f", 1, err, sizeof err) == -1);
    EXPECT_TRUE(nb_add(m, 1, "", 1, err, sizeof err) == -1);
    /* the bulk form is all or nothing */
    const char *fs[] = { "ok", "bad" };
    const double ws[] = { 1, NAN };
    EXPECT_TRUE(nb_add_sample(m, 0, fs, ws, 2, err, sizeof err) == -1);
    EXPECT_TRUE(nb_n_features(m) == 0 && nb_class_samples(m, 0) == 0);
    /* query: empty vector on an empty model gives the uniform prior */
    double lp[2];
    EXPECT_TRUE(nb_log_proba(m, NULL, NULL, 0, lp, err, sizeof err) == 0);
    EXPECT_NEAR(lp[0], log(0.5), 1e-15);
    EXPECT_NEAR(lp[1], log(0.5), 1e-15);
    const double qn[] = { NAN };
    EXPECT_TRUE(nb_log_proba(m, fs, qn, 1, lp, err, sizeof err) == -1);
    /* one class seen only: sklearn gives -inf for the other; prior_alpha
     * keeps it finite */
    EXPECT_TRUE(nb_add_sample(m, 1, fs, NULL, 1, err, sizeof err) == 0);
    EXPECT_TRUE(isinf(nb_class_log_prior(m, 0)) && nb_class_log_prior(m, 0) < 0);
    EXPECT_TRUE(nb_log_proba(m, fs, NULL, 1, lp, err, sizeof err) == 0);
    EXPECT_TRUE(lp[1] == 0.0 && isinf(lp[0]));
    EXPECT_TRUE(nb_set_prior_alpha(m, 1.0) == 0);
    EXPECT_NEAR(nb_class_log_prior(m, 0), log(1.0 / 3.0), 1e-15);
    nb_free(m);
}

static void test_fields(void)
{
    nb_model *m = small_model();
    char err[256], name[128];
    EXPECT_TRUE(nb_field_format(m, 1, "tag:dark|grim", name, sizeof name) > 0);
    EXPECT_TRUE(strcmp(name, "f|like|tag:dark|grim") == 0);
    EXPECT_TRUE(nb_field_format(m, 0, NULL, name, sizeof name) > 0 &&
                strcmp(name, "s|dislike") == 0);
    EXPECT_TRUE(nb_field_format(m, 0, "x", name, 4) == -1);
    EXPECT_TRUE(nb_field_format(m, 5, "x", name, sizeof name) == -1);

    /* what a daemon would have stored: one HINCRBYFLOAT per count */
    const char *fields[] = { "s|like",    "f|like|genre:a",    "f|like|genre:b",
                             "s|dislike", "f|dislike|genre:c", "f|like|tag:dark|grim" };
    const char *values[] = { "2", "3", "1", "1", "2", "0.5" };
    nb_model *r = nb_from_fields(classes, 2, 1.0, fields, values, 6, err, sizeof err);
    EXPECT_TRUE(r != NULL);
    if (r) {
        size_t f;
        EXPECT_TRUE(nb_feature_lookup(r, "tag:dark|grim", &f) == 0 && nb_count(r, 1, f) == 0.5);
        EXPECT_TRUE(nb_class_total(r, 1) == 4.5);
        EXPECT_TRUE(nb_feature_lookup(r, "genre:a", &f) == 0 && nb_count(r, 1, f) == 3);
        EXPECT_NEAR(nb_feature_log_odds(r, "genre:c", 0, 1), log(3.0 / 6) - log(1.0 / 8.5), 1e-14);
        nb_free(r);
    }
    const char *badf[] = { "s|like", "x|like|a" };
    const char *badv[] = { "1", "1" };
    EXPECT_TRUE(nb_from_fields(classes, 2, 1.0, badf, badv, 2, err, sizeof err) == NULL);
    const char *badf2[] = { "f|nobody|a" };
    EXPECT_TRUE(nb_from_fields(classes, 2, 1.0, badf2, badv, 1, err, sizeof err) == NULL);
    const char *goodf[] = { "f|like|a" };
    const char *badv2[] = { "1e999" };
    EXPECT_TRUE(nb_from_fields(classes, 2, 1.0, goodf, badv2, 1, err, sizeof err) == NULL);
    const char *badv3[] = { "-1" };
    EXPECT_TRUE(nb_from_fields(classes, 2, 1.0, goodf, badv3, 1, err, sizeof err) == NULL);
    const char *badv4[] = { "3x" };
    EXPECT_TRUE(nb_from_fields(classes, 2, 1.0, goodf, badv4, 1, err, sizeof err) == NULL);
    nb_free(m);
}

static void test_serialize(void)
{
    nb_model *m = small_model();
    nb_set_prior_alpha(m, 0.25);
    unsigned char *buf;
    size_t len;
    char err[256];
    EXPECT_TRUE(nb_serialize(m, &buf, &len, err, sizeof err) == 0);
    nb_model *r = nb_deserialize(buf, len, err, sizeof err);
    EXPECT_TRUE(r != NULL);
    if (r) {
        EXPECT_TRUE(nb_n_features(r) == nb_n_features(m));
        for (size_t f = 0; f < nb_n_features(m); f++)
            for (size_t c = 0; c < 2; c++)
                EXPECT_TRUE(nb_count(r, c, f) == nb_count(m, c, f));
        EXPECT_TRUE(nb_class_log_prior(r, 0) == nb_class_log_prior(m, 0));
        EXPECT_TRUE(nb_feature_log_odds(r, "genre:b", 1, 0) ==
                    nb_feature_log_odds(m, "genre:b", 1, 0));
        nb_free(r);
    }
    /* truncated and corrupted blobs are refused */
    EXPECT_TRUE(nb_deserialize(buf, len - 1, err, sizeof err) == NULL);
    EXPECT_TRUE(strstr(err, "truncated") != NULL);
    buf[len - 3] ^= 1;
    EXPECT_TRUE(nb_deserialize(buf, len, err, sizeof err) == NULL);
    EXPECT_TRUE(strstr(err, "checksum") != NULL);
    free(buf);
    nb_free(m);
}

/* A blob written by the nb.c of recut 0.1.0 (before its feature index was
 * a strmap): alpha 0.5, prior_alpha 1; like: one sample {genre:a 2,
 * tag:b|c 0.25}; dislike: one sample {genre:a 1}.  It must stay readable,
 * and a model writes the same bytes again. */
static const unsigned char golden_blob[] = {
    0x52, 0x43, 0x4d, 0x42, 0x01, 0x00, 0x01, 0x00, 0x81, 0x00, 0x00, 0x00, 0xfe, 0xab, 0xf1,
    0x94, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe0, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xf0, 0x3f, 0x02, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x64, 0x69, 0x73, 0x6c, 0x69,
    0x6b, 0x65, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0xf0, 0x3f, 0x04, 0x00, 0x00, 0x00, 0x6c, 0x69, 0x6b, 0x65, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0xf0, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x40, 0x02, 0x00, 0x00,
    0x00, 0x07, 0x00, 0x00, 0x00, 0x67, 0x65, 0x6e, 0x72, 0x65, 0x3a, 0x61, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0xf0, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x07, 0x00,
    0x00, 0x00, 0x74, 0x61, 0x67, 0x3a, 0x62, 0x7c, 0x63, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xd0, 0x3f
};

static void test_golden_blob(void)
{
    char err[256];
    nb_model *m = nb_deserialize(golden_blob, sizeof golden_blob, err, sizeof err);
    EXPECT(m != NULL, "golden blob: %s", err);
    if (!m)
        return;
    size_t a, b;
    EXPECT_TRUE(nb_n_classes(m) == 2 && strcmp(nb_class_name(m, 0), "dislike") == 0 &&
                strcmp(nb_class_name(m, 1), "like") == 0);
    EXPECT_TRUE(nb_alpha(m) == 0.5 && nb_n_features(m) == 2);
    EXPECT_TRUE(nb_feature_lookup(m, "genre:a", &a) == 0 && a == 0 &&
                nb_feature_lookup(m, "tag:b|c", &b) == 0 && b == 1);
    EXPECT_TRUE(nb_count(m, 1, a) == 2 && nb_count(m, 0, a) == 1 && nb_count(m, 1, b) == 0.25 &&
                nb_count(m, 0, b) == 0);
    EXPECT_TRUE(nb_class_samples(m, 0) == 1 && nb_class_samples(m, 1) == 1 &&
                nb_class_total(m, 1) == 2.25 && nb_class_total(m, 0) == 1);
    EXPECT_NEAR(nb_class_log_prior(m, 1), log(0.5), 1e-15); /* prior_alpha 1 */
    unsigned char *buf = NULL;
    size_t len = 0;
    EXPECT_TRUE(nb_serialize(m, &buf, &len, err, sizeof err) == 0);
    EXPECT_TRUE(len == sizeof golden_blob && memcmp(buf, golden_blob, len) == 0);
    free(buf);
    nb_free(m);
}

static void test_scale_clone(void)
{
    nb_model *m = small_model();
    nb_model *c = nb_clone(m);
    EXPECT_TRUE(c && nb_n_features(c) == 3);
    EXPECT_TRUE(nb_scale(m, 0.5) == 0);
    EXPECT_TRUE(nb_class_samples(m, 1) == 1 && nb_class_total(m, 1) == 2);
    EXPECT_TRUE(nb_class_samples(c, 1) == 2); /* clone unaffected */
    EXPECT_TRUE(nb_scale(m, 0) == -1 && nb_scale(m, 1.5) == -1);
    nb_free(c);
    nb_free(m);
}

/* Many features force rehashing; lookups stay right. */
static void test_many_features(void)
{
    char err[256], name[32];
    nb_model *m = nb_new(classes, 2, 1.0, err, sizeof err);
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof name, "tag:%d", i);
        EXPECT_TRUE(nb_add(m, (size_t)(i % 2), name, i, err, sizeof err) == 0);
    }
    EXPECT_TRUE(nb_n_features(m) == 5000);
    int wrong = 0;
    for (int i = 0; i < 5000; i++) {
        size_t f;
        snprintf(name, sizeof name, "tag:%d", i);
        if (nb_feature_lookup(m, name, &f) != 0 || nb_count(m, (size_t)(i % 2), f) != i ||
            strcmp(nb_feature_name(m, f), name) != 0)
            wrong++;
    }
    EXPECT_TRUE(wrong == 0);
    nb_free(m);
}

int main(void)
{
    test_by_hand();
    test_counts();
    test_bad_input();
    test_fields();
    test_serialize();
    test_golden_blob();
    test_scale_clone();
    test_many_features();
    return expect_report();
}
