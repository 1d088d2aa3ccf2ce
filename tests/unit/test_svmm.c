/* SPDX-License-Identifier: Apache-2.0 */
/* test-svmm.c -- SVM wrapper unit tests (LibSVM agreement is tests/peer). */
#include "config.h"

#include "svmm.h"
#include "expect.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#define DIM 4
#define N 120

struct data {
    double x[N][DIM];
    int y[N];
};

static void make_data(struct data *d, unsigned long seed, int n_classes)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    for (int i = 0; i < N; i++) {
        int c = i % n_classes;
        d->y[i] = c == 0 ? -1 : c; /* labels -1, 1, 2 */
        for (int j = 0; j < DIM; j++)
            d->x[i][j] = (j == c ? 2.5 : 0.0) + gsl_ran_gaussian(r, 0.7);
    }
    gsl_rng_free(r);
}

static svmm_model *train(const struct data *d, enum svmm_kernel k, int prob, int *rc)
{
    svmm_problem *pb = svmm_problem_new();
    char err[256];
    for (int i = 0; i < N; i++)
        svmm_problem_add_dense(pb, d->y[i], d->x[i], DIM, err, sizeof err);
    struct svmm_params p;
    svmm_params_default(&p);
    p.kernel = k;
    p.probability = prob;
    svmm_model *m = NULL;
    *rc = svmm_train(pb, &p, &m, err, sizeof err);
    svmm_problem_free(pb); /* the model must not need the problem any more */
    return m;
}

static void test_train_roundtrip(enum svmm_kernel kern, int n_classes)
{
    struct data d;
    make_data(&d, 42 + (unsigned long)n_classes, n_classes);
    int rc;
    svmm_model *m = train(&d, kern, 0, &rc);
    EXPECT_TRUE(rc == SVMM_OK && m);
    if (!m)
        return;
    EXPECT_TRUE(svmm_n_classes(m) == n_classes && svmm_n_sv(m) > 0);
    EXPECT_TRUE(!svmm_has_probability(m));
    int labels[3];
    svmm_labels(m, labels);
    size_t nd = (size_t)(n_classes * (n_classes - 1) / 2);
    int correct = 0;
    char err[256];
    unsigned char *buf;
    size_t len;
    EXPECT_TRUE(svmm_serialize(m, &buf, &len, err, sizeof err) == SVMM_OK);
    svmm_model *r = NULL;
    EXPECT_TRUE(svmm_deserialize(buf, len, &r, err, sizeof err) == SVMM_OK && r);
    int identical = 1;
    for (int i = 0; i < N; i++) {
        double dec[3], dec2[3];
        int lab, lab2;
        EXPECT_TRUE(svmm_decision_dense(m, d.x[i], DIM, dec, nd, &lab, err, sizeof err) == 0);
        correct += lab == d.y[i];
        if (n_classes == 2)
            EXPECT_TRUE(lab == (dec[0] > 0 ? labels[0] : labels[1]));
        if (r) {
            svmm_decision_dense(r, d.x[i], DIM, dec2, nd, &lab2, err, sizeof err);
            if (memcmp(dec, dec2, nd * sizeof(double)) != 0 || lab != lab2)
                identical = 0;
        }
    }
    EXPECT_TRUE(identical);
    EXPECT_TRUE(correct >= N * 9 / 10);
    /* sparse queries agree with dense ones */
    int idx[DIM];
    double val[DIM], dd[3], ds[3];
    for (int j = 0; j < DIM; j++) {
        idx[j] = j + 1;
        val[j] = d.x[5][j];
    }
    svmm_decision_dense(m, d.x[5], DIM, dd, nd, NULL, err, sizeof err);
    EXPECT_TRUE(svmm_decision_sparse(m, idx, val, DIM, ds, nd, NULL, err, sizeof err) == 0);
    EXPECT_TRUE(memcmp(dd, ds, nd * sizeof(double)) == 0);
    EXPECT_TRUE(svmm_decision_dense(m, d.x[5], DIM, dd, nd - 1, NULL, err, sizeof err) ==
                SVMM_E_INVALID);
    /* damaged blobs */
    svmm_model *bad = NULL;
    EXPECT_TRUE(svmm_deserialize(buf, len - 1, &bad, err, sizeof err) == SVMM_E_CORRUPT && !bad);
    EXPECT_TRUE(svmm_deserialize(buf, 10, &bad, err, sizeof err) == SVMM_E_CORRUPT && !bad);
    buf[len / 3] ^= 0x01;
    EXPECT_TRUE(svmm_deserialize(buf, len, &bad, err, sizeof err) == SVMM_E_CORRUPT && !bad);
    free(buf);
    svmm_free(r);
    svmm_free(m);
}

static void test_bad_input(void)
{
    char err[256];
    svmm_problem *pb = svmm_problem_new();
    svmm_model *m = NULL;
    EXPECT_TRUE(svmm_train(pb, NULL, &m, err, sizeof err) == SVMM_E_EMPTY && !m);
    double x[2] = { 1, NAN };
    EXPECT_TRUE(svmm_problem_add_dense(pb, 1, x, 2, err, sizeof err) == SVMM_E_NONFINITE);
    x[1] = -INFINITY;
    EXPECT_TRUE(svmm_problem_add_dense(pb, 1, x, 2, err, sizeof err) == SVMM_E_NONFINITE);
    EXPECT_TRUE(svmm_problem_size(pb) == 0);
    int idx[2] = { 2, 2 };
    double val[2] = { 1, 1 };
    EXPECT_TRUE(svmm_problem_add_sparse(pb, 1, idx, val, 2, err, sizeof err) == SVMM_E_INVALID);
    idx[0] = 0;
    EXPECT_TRUE(svmm_problem_add_sparse(pb, 1, idx, val, 2, err, sizeof err) == SVMM_E_INVALID);
    /* one class only */
    for (int i = 0; i < 10; i++) {
        x[0] = i;
        x[1] = 1;
        EXPECT_TRUE(svmm_problem_add_dense(pb, 7, x, 2, err, sizeof err) == SVMM_OK);
    }
    EXPECT_TRUE(svmm_train(pb, NULL, &m, err, sizeof err) == SVMM_E_ONE_CLASS && !m);
    EXPECT_TRUE(strstr(err, "one class") != NULL);
    /* too few per class for probability estimates; fine without */
    for (int i = 0; i < SVMM_PROB_MIN_PER_CLASS - 1; i++) {
        x[0] = i;
        x[1] = -1;
        svmm_problem_add_dense(pb, 3, x, 2, err, sizeof err);
    }
    struct svmm_params p;
    svmm_params_default(&p);
    p.probability = 1;
    EXPECT_TRUE(svmm_train(pb, &p, &m, err, sizeof err) == SVMM_E_TOO_FEW && !m);
    p.probability = 0;
    EXPECT_TRUE(svmm_train(pb, &p, &m, err, sizeof err) == SVMM_OK && m);
    double probs[2];
    int lab;
    EXPECT_TRUE(svmm_predict_probability_dense(m, x, 2, probs, &lab, err, sizeof err) ==
                SVMM_E_NO_PROB);
    EXPECT_TRUE(svmm_predict_dense(m, x, 2, &lab, err, sizeof err) == SVMM_OK && lab == 3);
    x[0] = NAN;
    EXPECT_TRUE(svmm_predict_dense(m, x, 2, &lab, err, sizeof err) == SVMM_E_NONFINITE);
    svmm_free(m);
    /* an empty query vector is a valid (all-zero) point */
    double dec;
    svmm_params_default(&p);
    EXPECT_TRUE(svmm_train(pb, &p, &m, err, sizeof err) == SVMM_OK);
    EXPECT_TRUE(svmm_decision_sparse(m, NULL, NULL, 0, &dec, 1, &lab, err, sizeof err) == SVMM_OK &&
                isfinite(dec));
    p.C = -1;
    svmm_model *m2 = NULL;
    EXPECT_TRUE(svmm_train(pb, &p, &m2, err, sizeof err) == SVMM_E_INVALID && !m2);
    svmm_free(m);
    svmm_problem_free(pb);
}

static void test_probability(void)
{
    struct data d;
    make_data(&d, 9, 2);
    int rc;
    svmm_model *m = train(&d, SVMM_RBF, 1, &rc);
    EXPECT_TRUE(rc == SVMM_OK && m && svmm_has_probability(m));
    if (!m)
        return;
    char err[256];
    int labels[2], agree = 0;
    svmm_labels(m, labels);
    unsigned char *buf;
    size_t len;
    svmm_model *r = NULL;
    EXPECT_TRUE(svmm_serialize(m, &buf, &len, err, sizeof err) == 0);
    EXPECT_TRUE(svmm_deserialize(buf, len, &r, err, sizeof err) == 0 && svmm_has_probability(r));
    for (int i = 0; i < N; i++) {
        double p[2], q[2];
        int lab, lab2;
        EXPECT_TRUE(svmm_predict_probability_dense(m, d.x[i], DIM, p, &lab, err, sizeof err) == 0);
        EXPECT_NEAR(p[0] + p[1], 1.0, 1e-12);
        agree += (p[0] > p[1] ? labels[0] : labels[1]) == d.y[i];
        svmm_predict_probability_dense(r, d.x[i], DIM, q, &lab2, err, sizeof err);
        EXPECT_TRUE(memcmp(p, q, sizeof p) == 0 && lab == lab2);
    }
    EXPECT_TRUE(agree >= N * 9 / 10);
    free(buf);
    svmm_free(r);
    svmm_free(m);
}

static void test_policy(void)
{
    struct svmm_retrain_policy p;
    svmm_retrain_policy_default(&p);
    EXPECT_TRUE(svmm_should_retrain(5, 5, &p) == 0);   /* below min_total */
    EXPECT_TRUE(svmm_should_retrain(10, 10, &p) == 1); /* first model */
    EXPECT_TRUE(svmm_should_retrain(0, 100, &p) == 0); /* nothing new */
    EXPECT_TRUE(svmm_should_retrain(1, 11, &p) == 0);  /* below the floor */
    EXPECT_TRUE(svmm_should_retrain(2, 12, &p) == 1);  /* 2 >= 10% of 12 */
    EXPECT_TRUE(svmm_should_retrain(5, 100, &p) == 0);
    EXPECT_TRUE(svmm_should_retrain(10, 100, &p) == 1);  /* 10% */
    EXPECT_TRUE(svmm_should_retrain(20, 1000, &p) == 1); /* min_new */
    EXPECT_TRUE(svmm_should_retrain(19, 1000, &p) == 0);
    EXPECT_TRUE(svmm_should_retrain(20, 10, &p) == 0); /* inconsistent input */
    EXPECT_TRUE(svmm_should_retrain(10, 10, NULL) == 1);
}

/* Independent models trained concurrently equal sequentially trained ones. */
struct job {
    struct data d;
    double dec[N];
    int rc;
};

static void *job_run(void *arg)
{
    struct job *j = arg;
    svmm_model *m = train(&j->d, SVMM_RBF, 0, &j->rc);
    for (int i = 0; m && i < N; i++)
        svmm_decision_dense(m, j->d.x[i], DIM, &j->dec[i], 1, NULL, NULL, 0);
    svmm_free(m);
    return NULL;
}

static void test_threads(void)
{
    enum {
        T = 4
    };
    static struct job par[T], seq[T];
    pthread_t th[T];
    for (int t = 0; t < T; t++) {
        make_data(&par[t].d, 100 + (unsigned long)t, 2);
        seq[t] = par[t];
        job_run(&seq[t]);
    }
    for (int t = 0; t < T; t++)
        pthread_create(&th[t], NULL, job_run, &par[t]);
    for (int t = 0; t < T; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < T; t++) {
        EXPECT_TRUE(par[t].rc == SVMM_OK);
        EXPECT_TRUE(memcmp(par[t].dec, seq[t].dec, sizeof par[t].dec) == 0);
    }
}

int main(void)
{
    test_train_roundtrip(SVMM_LINEAR, 2);
    test_train_roundtrip(SVMM_RBF, 2);
    test_train_roundtrip(SVMM_RBF, 3);
    test_bad_input();
    test_probability();
    test_policy();
    test_threads();
    return expect_report();
}
