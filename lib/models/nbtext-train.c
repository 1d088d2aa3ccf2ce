/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nbtext-train -- build the comment-sentiment model (comment-sentiment.nbm)
 * from MovieLens: every (user, movie) with tags becomes one "comment" (its
 * tags joined), labelled by the same user's rating of that movie: >= 3.5
 * positive, <= 2.5 negative, otherwise neutral (--neutral) or skipped.
 *
 *   nbtext-train --movielens DIR --out FILE [--alpha A] [--neutral] [--eval]
 *
 * --eval first reports held-out accuracy: an 80/20 split by user (users in
 * fold 0 of 5 held out) and the mean over all 5 user folds, each against
 * the majority class of its training part.  The output file is written
 * atomically; on any error nothing is written and the exit status is 1.
 */
#include "config.h"

#include "nbtext.h"
#include "strmap.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRAIN_FOLDS 5

struct train_doc {
    unsigned user;
    enum nbtext_class cls;
    char *text;
    size_t len;
};

struct train_set {
    struct strmap ratings; /* "user:movie" -> rating */
    struct train_doc *docs;
    size_t n_docs, cap_docs;
};

/* ---- CSV -------------------------------------------------------------- */

/* Parse one CSV record from *p (up to end) into at most max fields (quoted
 * fields with "" escapes; fields are NUL-terminated in place in a copy held
 * by line).  Returns the number of fields, -1 at end of input. */
static int train_csv_record(char **p, char *end, char **fields, int max)
{
    if (*p >= end)
        return -1;
    char *s = *p, *w = *p;
    int n = 0;
    fields[n++] = w;
    int quoted = 0;
    while (s < end) {
        char c = *s++;
        if (quoted) {
            if (c == '"') {
                if (s < end && *s == '"') {
                    *w++ = '"';
                    s++;
                } else {
                    quoted = 0;
                }
            } else {
                *w++ = c;
            }
        } else if (c == '"') {
            quoted = 1;
        } else if (c == ',') {
            *w++ = '\0';
            if (n < max)
                fields[n] = w;
            n++;
        } else if (c == '\n') {
            break;
        } else if (c != '\r') {
            *w++ = c;
        }
    }
    *w = '\0';
    *p = s;
    return n;
}

static char *train_slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "nbtext-train: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        if (n == cap) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n, fp);
        n += r;
        if (r == 0)
            break;
    }
    if (!buf || ferror(fp)) {
        fprintf(stderr, "nbtext-train: %s: read error\n", path);
        free(buf);
        fclose(fp);
        return NULL;
    }
    fclose(fp);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int train_uint(const char *s, unsigned *v)
{
    char *end;
    errno = 0;
    unsigned long x = strtoul(s, &end, 10);
    if (errno || end == s || *end || x == 0 || x > 0xFFFFFFFFul)
        return -1;
    *v = (unsigned)x;
    return 0;
}

/* ---- ratings: lib/util's map keyed "user:movie" ----------------------- */

static int train_rating_put(struct train_set *t, unsigned user, unsigned movie, double rating)
{
    char key[32];
    snprintf(key, sizeof key, "%u:%u", user, movie);
    struct strmap_entry *e = strmap_put(&t->ratings, key);
    if (!e)
        return -1;
    e->num = rating;
    return 0;
}

static int train_rating_get(const struct train_set *t, unsigned user, unsigned movie,
                            double *rating)
{
    char key[32];
    snprintf(key, sizeof key, "%u:%u", user, movie);
    const struct strmap_entry *e = strmap_get(&t->ratings, key);
    if (!e)
        return -1;
    *rating = e->num;
    return 0;
}

/* ---- loading ---------------------------------------------------------- */

static int train_load_ratings(struct train_set *t, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/ratings.csv", dir);
    size_t len;
    char *buf = train_slurp(path, &len);
    if (!buf)
        return -1;
    char *p = buf, *end = buf + len, *f[8];
    int nf, line = 0, rc = 0;
    while ((nf = train_csv_record(&p, end, f, 8)) >= 0) {
        if (line++ == 0 || (nf == 1 && !*f[0]))
            continue; /* header, blank line */
        unsigned user, movie;
        char *e;
        double r = nf >= 3 ? strtod(f[2], &e) : 0;
        if (nf < 3 || train_uint(f[0], &user) || train_uint(f[1], &movie) || *e ||
            !(r >= 0.5 && r <= 5)) {
            fprintf(stderr, "nbtext-train: %s:%d: malformed record\n", path, line);
            rc = -1;
            break;
        }
        if (train_rating_put(t, user, movie, r) != 0) {
            fprintf(stderr, "nbtext-train: out of memory\n");
            rc = -1;
            break;
        }
    }
    free(buf);
    return rc;
}

static struct train_doc *train_doc_for(struct train_set *t, unsigned user, unsigned movie,
                                       const uint64_t *keys)
{
    /* tags.csv is grouped by user and mostly by movie; look back a little */
    for (size_t i = t->n_docs; i-- > 0 && i + 64 >= t->n_docs;)
        if (keys[i] == ((uint64_t)user << 32 | movie))
            return &t->docs[i];
    return NULL;
}

static int train_load_tags(struct train_set *t, const char *dir, int with_neutral,
                           size_t *skipped_unrated, size_t *skipped_neutral)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tags.csv", dir);
    size_t len;
    char *buf = train_slurp(path, &len);
    if (!buf)
        return -1;
    uint64_t *keys = NULL;
    char *p = buf, *end = buf + len, *f[8];
    int nf, line = 0, rc = 0;
    while ((nf = train_csv_record(&p, end, f, 8)) >= 0) {
        if (line++ == 0 || (nf == 1 && !*f[0]))
            continue;
        unsigned user, movie;
        if (nf < 3 || train_uint(f[0], &user) || train_uint(f[1], &movie)) {
            fprintf(stderr, "nbtext-train: %s:%d: malformed record\n", path, line);
            rc = -1;
            break;
        }
        double r;
        if (train_rating_get(t, user, movie, &r) != 0) {
            (*skipped_unrated)++;
            continue;
        }
        enum nbtext_class cls = r >= 3.5   ? NBTEXT_POSITIVE
                                : r <= 2.5 ? NBTEXT_NEGATIVE
                                           : NBTEXT_NEUTRAL;
        if (cls == NBTEXT_NEUTRAL && !with_neutral) {
            (*skipped_neutral)++;
            continue;
        }
        struct train_doc *d = train_doc_for(t, user, movie, keys);
        size_t tl = strlen(f[2]);
        if (!d) {
            if (t->n_docs == t->cap_docs) {
                size_t cap = t->cap_docs ? t->cap_docs * 2 : 1024;
                struct train_doc *nd = realloc(t->docs, cap * sizeof *nd);
                uint64_t *nk = realloc(keys, cap * sizeof *nk);
                if (nd)
                    t->docs = nd;
                if (nk)
                    keys = nk;
                if (!nd || !nk) {
                    fprintf(stderr, "nbtext-train: out of memory\n");
                    rc = -1;
                    break;
                }
                t->cap_docs = cap;
            }
            keys[t->n_docs] = (uint64_t)user << 32 | movie;
            d = &t->docs[t->n_docs++];
            d->user = user;
            d->cls = cls;
            d->text = NULL;
            d->len = 0;
        }
        char *nt = realloc(d->text, d->len + tl + 3);
        if (!nt) {
            fprintf(stderr, "nbtext-train: out of memory\n");
            rc = -1;
            break;
        }
        d->text = nt;
        if (d->len) {
            memcpy(d->text + d->len, ". ", 2);
            d->len += 2;
        }
        memcpy(d->text + d->len, f[2], tl);
        d->len += tl;
        d->text[d->len] = '\0';
    }
    free(keys);
    free(buf);
    return rc;
}

/* ---- evaluation ------------------------------------------------------- */

/* A fixed mix of the user id: the same folds in every run (not a hash
 * table's hash, which lib/util seeds per process). */
static uint64_t train_mix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return k;
}

static unsigned train_fold(unsigned user)
{
    return (unsigned)(train_mix(user) % TRAIN_FOLDS);
}

struct train_eval {
    size_t n_test, correct, majority_correct;
    double balanced, majority_balanced;
};

static nbtext_model *train_model(const struct train_set *t, int with_neutral, double alpha,
                                 int skip_fold)
{
    char err[256];
    nbtext_model *m = nbtext_new(with_neutral, alpha, err, sizeof err);
    if (!m) {
        fprintf(stderr, "nbtext-train: %s\n", err);
        return NULL;
    }
    for (size_t i = 0; i < t->n_docs; i++) {
        const struct train_doc *d = &t->docs[i];
        if (skip_fold >= 0 && train_fold(d->user) == (unsigned)skip_fold)
            continue;
        if (nbtext_train(m, d->cls, d->text, d->len, err, sizeof err) != 0) {
            fprintf(stderr, "nbtext-train: %s\n", err);
            nbtext_free(m);
            return NULL;
        }
    }
    return m;
}

static int train_evaluate(const struct train_set *t, int with_neutral, double alpha, int fold,
                          struct train_eval *ev)
{
    nbtext_model *m = train_model(t, with_neutral, alpha, fold);
    if (!m)
        return -1;
    size_t nc = nbtext_n_classes(m), majority = 0;
    const nb_model *nb = nbtext_nb(m);
    for (size_t c = 1; c < nc; c++)
        if (nb_class_samples(nb, c) > nb_class_samples(nb, majority))
            majority = c;
    size_t per[3] = { 0 }, hit[3] = { 0 };
    memset(ev, 0, sizeof *ev);
    for (size_t i = 0; i < t->n_docs; i++) {
        const struct train_doc *d = &t->docs[i];
        if (train_fold(d->user) != (unsigned)fold)
            continue;
        enum nbtext_class pred;
        if (nbtext_classify(m, d->text, d->len, NULL, &pred, NULL, 0) != 0) {
            nbtext_free(m);
            return -1;
        }
        ev->n_test++;
        per[d->cls]++;
        if (pred == d->cls) {
            ev->correct++;
            hit[d->cls]++;
        }
        if ((size_t)d->cls == majority)
            ev->majority_correct++;
    }
    size_t present = 0;
    for (size_t c = 0; c < nc; c++)
        if (per[c]) {
            present++;
            ev->balanced += (double)hit[c] / (double)per[c];
            ev->majority_balanced += c == majority ? 1.0 : 0.0;
        }
    if (present) {
        ev->balanced /= (double)present;
        ev->majority_balanced /= (double)present;
    }
    nbtext_free(m);
    return 0;
}

static int train_report(const struct train_set *t, int with_neutral, double alpha)
{
    struct train_eval ev;
    if (train_evaluate(t, with_neutral, alpha, 0, &ev) != 0)
        return -1;
    printf("held-out (users of fold 0 of %d, %zu comments): accuracy %.3f, majority %.3f; "
           "balanced accuracy %.3f, majority %.3f\n",
           TRAIN_FOLDS, ev.n_test, ev.n_test ? (double)ev.correct / (double)ev.n_test : 0,
           ev.n_test ? (double)ev.majority_correct / (double)ev.n_test : 0, ev.balanced,
           ev.majority_balanced);
    double acc = 0, maj = 0, bal = 0, mbal = 0;
    size_t n = 0;
    for (int f = 0; f < TRAIN_FOLDS; f++) {
        if (train_evaluate(t, with_neutral, alpha, f, &ev) != 0)
            return -1;
        if (!ev.n_test)
            continue;
        n++;
        acc += (double)ev.correct / (double)ev.n_test;
        maj += (double)ev.majority_correct / (double)ev.n_test;
        bal += ev.balanced;
        mbal += ev.majority_balanced;
    }
    if (n)
        printf("%d-fold by user (mean of %zu folds): accuracy %.3f, majority %.3f; "
               "balanced accuracy %.3f, majority %.3f\n",
               TRAIN_FOLDS, n, acc / (double)n, maj / (double)n, bal / (double)n, mbal / (double)n);
    return 0;
}

static void train_usage(void)
{
    fprintf(stderr, "usage: nbtext-train --movielens DIR --out FILE [--alpha A] [--neutral] "
                    "[--eval]\n");
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *out = NULL;
    double alpha = 1.0;
    int with_neutral = 0, eval = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--movielens") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--alpha") == 0 && i + 1 < argc) {
            char *e;
            alpha = strtod(argv[++i], &e);
            if (*e || !(alpha > 0)) {
                train_usage();
                return 1;
            }
        } else if (strcmp(argv[i], "--neutral") == 0)
            with_neutral = 1;
        else if (strcmp(argv[i], "--eval") == 0)
            eval = 1;
        else {
            train_usage();
            return 1;
        }
    }
    if (!dir || !out) {
        train_usage();
        return 1;
    }
    struct train_set t = { 0 };
    strmap_init(&t.ratings);
    size_t unrated = 0, neutral = 0;
    int rc = 1;
    if (train_load_ratings(&t, dir) != 0 ||
        train_load_tags(&t, dir, with_neutral, &unrated, &neutral) != 0)
        goto out;
    size_t per[3] = { 0 };
    for (size_t i = 0; i < t.n_docs; i++)
        per[t.docs[i].cls]++;
    printf("comments: %zu (negative %zu, positive %zu, neutral %zu); tags skipped: %zu "
           "without rating, %zu neutral\n",
           t.n_docs, per[0], per[1], per[2], unrated, neutral);
    if (t.n_docs == 0) {
        fprintf(stderr, "nbtext-train: no labelled comments\n");
        goto out;
    }
    if (eval && train_report(&t, with_neutral, alpha) != 0)
        goto out;
    nbtext_model *m = train_model(&t, with_neutral, alpha, -1);
    if (!m)
        goto out;
    char err[512];
    if (nbtext_save(m, out, err, sizeof err) != 0)
        fprintf(stderr, "nbtext-train: %s\n", err);
    else {
        printf("wrote %s: %zu tokens\n", out, nb_n_features(nbtext_nb(m)));
        rc = 0;
    }
    nbtext_free(m);
out:
    for (size_t i = 0; i < t.n_docs; i++)
        free(t.docs[i].text);
    free(t.docs);
    strmap_clear(&t.ratings, NULL);
    return rc;
}
