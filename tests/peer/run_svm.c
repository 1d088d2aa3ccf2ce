/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run_svm -- train recut's SVM wrapper on a LibSVM-format file and compare
 * it, on a test file, with a model file written by LibSVM's svm-train.
 *
 *   run_svm TRAIN TEST linear|rbf C GAMMA PROB REFMODEL
 *
 * For every test row prints our label, the decision values of our model,
 * of REFMODEL (loaded with svm_load_model) and of our model after a
 * serialize/deserialize round trip, as hex floats (%a); with PROB = 1 also
 * both models' probabilities.  Exits 2 on bad input.
 */
#include "config.h"

#include "svmm.h"
#include "peer_io.h"

#include <libsvm/svm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXF 256

struct row {
    int label;
    int idx[MAXF];
    double val[MAXF];
    size_t nnz;
};

static struct row *read_rows(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        peer_die("cannot open libsvm file");
    size_t cap = 64;
    struct row *rows = malloc(cap * sizeof *rows);
    char line[65536];
    *n = 0;
    while (fgets(line, sizeof line, fp)) {
        if (*n == cap) {
            cap *= 2;
            rows = realloc(rows, cap * sizeof *rows);
            if (!rows)
                peer_die("out of memory");
        }
        struct row *r = &rows[*n];
        char *p = line, *e;
        r->label = (int)strtol(p, &e, 10);
        if (e == p)
            continue; /* blank line */
        p = e;
        r->nnz = 0;
        for (;;) {
            while (*p == ' ' || *p == '\t')
                p++;
            if (*p == '\n' || *p == '\0')
                break;
            if (r->nnz == MAXF)
                peer_die("too many features");
            r->idx[r->nnz] = (int)strtol(p, &e, 10);
            if (e == p || *e != ':')
                peer_die("bad feature");
            p = e + 1;
            r->val[r->nnz] = strtod(p, &e);
            if (e == p)
                peer_die("bad value");
            p = e;
            r->nnz++;
        }
        (*n)++;
    }
    fclose(fp);
    return rows;
}

static void print_vec(const char *tag, const double *v, size_t n)
{
    printf(" %s", tag);
    for (size_t i = 0; i < n; i++)
        printf(" %a", v[i]);
}

int main(int argc, char **argv)
{
    if (argc != 8)
        peer_die("usage: run_svm TRAIN TEST linear|rbf C GAMMA PROB REFMODEL");
    size_t ntr, nte;
    struct row *tr = read_rows(argv[1], &ntr), *te = read_rows(argv[2], &nte);
    struct svmm_params p;
    svmm_params_default(&p);
    p.kernel = strcmp(argv[3], "linear") == 0 ? SVMM_LINEAR : SVMM_RBF;
    p.C = atof(argv[4]);
    p.gamma = atof(argv[5]);
    p.probability = atoi(argv[6]);
    p.cache_mb = 100; /* svm-train's default; does not change results */

    char err[256];
    svmm_problem *pb = svmm_problem_new();
    for (size_t i = 0; i < ntr; i++)
        if (svmm_problem_add_sparse(pb, tr[i].label, tr[i].idx, tr[i].val, tr[i].nnz, err,
                                    sizeof err) != SVMM_OK)
            peer_die(err);
    svmm_model *m = NULL;
    int rc = svmm_train(pb, &p, &m, err, sizeof err);
    svmm_problem_free(pb);
    if (rc != SVMM_OK)
        peer_die(err);
    struct svm_model *ref = svm_load_model(argv[7]);
    if (!ref)
        peer_die("cannot load reference model");
    unsigned char *blob;
    size_t blen;
    svmm_model *rt = NULL;
    if (svmm_serialize(m, &blob, &blen, err, sizeof err) != SVMM_OK ||
        svmm_deserialize(blob, blen, &rt, err, sizeof err) != SVMM_OK)
        peer_die(err);

    int k = svmm_n_classes(m);
    size_t nd = (size_t)(k * (k - 1) / 2);
    int labels[SVMM_MAX_CLASSES], ref_labels[SVMM_MAX_CLASSES];
    svmm_labels(m, labels);
    svm_get_labels(ref, ref_labels);
    printf("classes %d ref %d\n", k, svm_get_nr_class(ref));
    printf("labels");
    for (int c = 0; c < k; c++)
        printf(" %d/%d", labels[c], ref_labels[c]);
    printf("\nnsv %d ref %d\n", svmm_n_sv(m), svm_get_nr_sv(ref));
    printf("blob_bytes %zu\n", blen);
    double *dec = malloc(nd * sizeof *dec), *dref = malloc(nd * sizeof *dref),
           *drt = malloc(nd * sizeof *drt);
    double prob[SVMM_MAX_CLASSES], pref[SVMM_MAX_CLASSES];
    for (size_t i = 0; i < nte; i++) {
        int lab, lab_rt;
        if (svmm_decision_sparse(m, te[i].idx, te[i].val, te[i].nnz, dec, nd, &lab, err,
                                 sizeof err) != SVMM_OK ||
            svmm_decision_sparse(rt, te[i].idx, te[i].val, te[i].nnz, drt, nd, &lab_rt, err,
                                 sizeof err) != SVMM_OK)
            peer_die(err);
        struct svm_node x[MAXF + 1];
        for (size_t j = 0; j < te[i].nnz; j++) {
            x[j].index = te[i].idx[j];
            x[j].value = te[i].val[j];
        }
        x[te[i].nnz].index = -1;
        int lab_ref = (int)svm_predict_values(ref, x, dref);
        printf("row %zu %d %d %d", i, lab, lab_ref, lab_rt);
        print_vec("dec", dec, nd);
        print_vec("ref", dref, nd);
        print_vec("rt", drt, nd);
        if (p.probability) {
            if (svmm_predict_probability_sparse(m, te[i].idx, te[i].val, te[i].nnz, prob, &lab, err,
                                                sizeof err) != SVMM_OK)
                peer_die(err);
            svm_predict_probability(ref, x, pref);
            print_vec("prob", prob, (size_t)k);
            print_vec("pref", pref, (size_t)k);
            printf(" plab %d", lab);
        }
        printf("\n");
    }
    free(dec);
    free(dref);
    free(drt);
    free(blob);
    svm_free_and_destroy_model(&ref);
    svmm_free(rt);
    svmm_free(m);
    free(tr);
    free(te);
    return 0;
}
