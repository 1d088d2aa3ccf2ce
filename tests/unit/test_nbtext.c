/* SPDX-License-Identifier: Apache-2.0 */
/* test-nbtext.c -- tokenizer, text model, .nbm format, shipped model. */
#include "config.h"

#include "blob.h"
#include "nbtext.h"
#include "expect.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct toks {
    char all[1024];
    size_t n;
};

static int collect(const char *tok, size_t len, void *ud)
{
    struct toks *t = ud;
    size_t used = strlen(t->all);
    if (used + len + 2 < sizeof t->all) {
        if (used)
            t->all[used++] = ' ';
        memcpy(t->all + used, tok, len + 1);
    }
    t->n++;
    return 0;
}

static int tokens_are(const char *text, const char *expect)
{
    struct toks t = { "", 0 };
    nbtext_tokenize(text, strlen(text), collect, &t);
    if (strcmp(t.all, expect) != 0) {
        fprintf(stderr, "tokenize(\"%s\") = \"%s\", expected \"%s\"\n", text, t.all, expect);
        return 0;
    }
    return 1;
}

static void test_tokenizer(void)
{
    EXPECT_TRUE(tokens_are("Hello, World!", "hello world"));
    EXPECT_TRUE(tokens_are("I don't like it", "dont like it"));
    EXPECT_TRUE(tokens_are("I don\xe2\x80\x99t like it", "dont like it"));
    EXPECT_TRUE(tokens_are("'quoted' rock'n'roll", "quoted rocknroll"));
    EXPECT_TRUE(tokens_are("Caf\xc3\xa9 \xc3\x89"
                           "COLE na\xc3\xafve",
                           "caf\xc3\xa9 \xc3\xa9"
                           "cole na\xc3\xafve"));
    EXPECT_TRUE(
        tokens_are("\xd0\x9f\xd0\xa0\xd0\x98\xd0\x92\xd0\x95\xd0\xa2 \xd0\xbc\xd0\xb8\xd1\x80",
                   "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \xd0\xbc\xd0\xb8\xd1\x80"));
    /* CJK stays whole; the ideographic full stop separates */
    EXPECT_TRUE(tokens_are("\xe6\x97\xa5\xe6\x9c\xac\xe3\x80\x82\xe8\xaa\x9e\xe8\xaa\x9e",
                           "\xe6\x97\xa5\xe6\x9c\xac \xe8\xaa\x9e\xe8\xaa\x9e"));
    EXPECT_TRUE(tokens_are("foo\xe2\x80\x94"
                           "bar",
                           "foo bar"));                                   /* em dash */
    EXPECT_TRUE(tokens_are("great\xf0\x9f\x98\x80movie", "great movie")); /* emoji */
    EXPECT_TRUE(tokens_are("ab\xff"
                           "cd",
                           "ab cd"));              /* invalid byte */
    EXPECT_TRUE(tokens_are("ab\xc3", "ab"));       /* cut sequence */
    EXPECT_TRUE(tokens_are("ab\xc3(cd", "ab cd")); /* bad continuation */
    EXPECT_TRUE(tokens_are("x y z ok", "ok"));
    EXPECT_TRUE(tokens_are("\xc3\xa9 \xc3\xa9\xc3\xa9", "\xc3\xa9\xc3\xa9")); /* 1 char dropped */
    EXPECT_TRUE(tokens_are("10/10 A+", "10 10"));
    EXPECT_TRUE(tokens_are("", ""));
    char longtok[200];
    memset(longtok, 'a', 100);
    memcpy(longtok + 100, " ok", 4);
    EXPECT_TRUE(tokens_are(longtok, "ok"));
    /* never splits a multibyte character, whatever the length limit */
    char multi[200];
    for (int i = 0; i < 40; i++)
        memcpy(multi + 2 * i, "\xc3\xa9", 2);
    multi[80] = '\0';
    struct toks t = { "", 0 };
    nbtext_tokenize(multi, strlen(multi), collect, &t);
    EXPECT_TRUE(t.n == 0); /* 80 bytes > NBTEXT_MAX_TOKEN: dropped, not cut */
}

static nbtext_model *toy_model(int neutral)
{
    char err[256];
    nbtext_model *m = nbtext_new(neutral, 1.0, err, sizeof err);
    static const char *pos[] = { "great fun, loved it", "brilliant and fun", "loved the great cast",
                                 "a brilliant classic" };
    static const char *neg[] = { "boring and awful", "awful waste of time", "boring, so boring",
                                 "a waste" };
    for (size_t i = 0; i < 4; i++) {
        EXPECT_TRUE(nbtext_train(m, NBTEXT_POSITIVE, pos[i], strlen(pos[i]), err, sizeof err) == 0);
        EXPECT_TRUE(nbtext_train(m, NBTEXT_NEGATIVE, neg[i], strlen(neg[i]), err, sizeof err) == 0);
    }
    if (neutral) {
        const char *n = "it was okay";
        EXPECT_TRUE(nbtext_train(m, NBTEXT_NEUTRAL, n, strlen(n), err, sizeof err) == 0);
    }
    return m;
}

static void test_classify(void)
{
    nbtext_model *m = toy_model(0);
    char err[256];
    double p[3];
    enum nbtext_class c;
    const char *t1 = "What a GREAT, fun film!";
    EXPECT_TRUE(nbtext_classify(m, t1, strlen(t1), p, &c, err, sizeof err) == 0);
    EXPECT_TRUE(c == NBTEXT_POSITIVE && p[NBTEXT_POSITIVE] > 0.8);
    EXPECT_NEAR(p[0] + p[1], 1.0, 1e-12);
    const char *t2 = "awful. boring.";
    EXPECT_TRUE(nbtext_classify(m, t2, strlen(t2), p, &c, err, sizeof err) == 0);
    EXPECT_TRUE(c == NBTEXT_NEGATIVE);
    EXPECT_TRUE(nbtext_sentiment(m, t2, strlen(t2)) < -0.5);
    EXPECT_TRUE(nbtext_sentiment(m, t1, strlen(t1)) > 0.5);
    /* nothing known: the prior (balanced here) */
    EXPECT_NEAR(nbtext_sentiment(m, "zzz qqq", 7), 0.0, 1e-12);
    EXPECT_TRUE(nbtext_train(m, NBTEXT_NEUTRAL, "x", 1, err, sizeof err) == -1);
    nbtext_free(m);

    m = toy_model(1);
    EXPECT_TRUE(nbtext_n_classes(m) == 3);
    EXPECT_TRUE(nbtext_classify(m, "okay, okay", 10, p, &c, err, sizeof err) == 0 &&
                c == NBTEXT_NEUTRAL);
    EXPECT_NEAR(p[0] + p[1] + p[2], 1.0, 1e-12);
    nbtext_free(m);
}

static void test_format(void)
{
    nbtext_model *m = toy_model(1);
    char err[256], *text;
    size_t len;
    EXPECT_TRUE(nbtext_format(m, &text, &len, err, sizeof err) == 0);
    EXPECT_TRUE(strncmp(text, "recut-nbtext 1\n", 15) == 0);
    nbtext_model *r = nbtext_parse(text, len, err, sizeof err);
    EXPECT_TRUE(r != NULL);
    if (r) {
        const char *q = "great but boring, okay";
        double a[3], b[3];
        nbtext_classify(m, q, strlen(q), a, NULL, NULL, 0);
        nbtext_classify(r, q, strlen(q), b, NULL, NULL, 0);
        EXPECT_TRUE(a[0] == b[0] && a[1] == b[1] && a[2] == b[2]);
        nbtext_free(r);
    }
    /* every truncation fails cleanly */
    int accepted = 0;
    for (size_t n = 0; n < len; n++) {
        nbtext_model *t = nbtext_parse(text, n, err, sizeof err);
        if (t) {
            accepted++;
            nbtext_free(t);
        }
    }
    EXPECT_TRUE(accepted == 0);
    /* a changed count is caught by the checksum */
    char *copy = malloc(len + 1);
    memcpy(copy, text, len + 1);
    char *line = strstr(copy, "\nfeatures ");
    line = strchr(line + 1, '\n') + 1;
    line[0] = line[0] == '9' ? '8' : '9';
    EXPECT_TRUE(nbtext_parse(copy, len, err, sizeof err) == NULL);
    EXPECT_TRUE(strstr(err, "checksum") != NULL);
    /* a newer version with a valid checksum is refused as such */
    memcpy(copy, text, len + 1);
    copy[13] = '2';
    char *crcline = strstr(copy, "crc32 ");
    char hex[9];
    snprintf(hex, sizeof hex, "%08" PRIx32, blob_crc32(0, copy, (size_t)(crcline - copy)));
    memcpy(crcline + 6, hex, 8);
    EXPECT_TRUE(nbtext_parse(copy, len, err, sizeof err) == NULL);
    EXPECT_TRUE(strstr(err, "version 2") != NULL);
    free(copy);
    free(text);

    /* save / load, and a failing save leaves nothing behind */
    const char *tmp = getenv("TMPDIR");
    char path[512], bad[600];
    snprintf(path, sizeof path, "%s/test-nbtext-%ld.nbm", tmp ? tmp : "/tmp", (long)getpid());
    EXPECT_TRUE(nbtext_save(m, path, err, sizeof err) == 0);
    nbtext_model *l = nbtext_load(path, err, sizeof err);
    EXPECT_TRUE(l != NULL && nb_n_features(nbtext_nb(l)) == nb_n_features(nbtext_nb(m)));
    nbtext_free(l);
    unlink(path);
    snprintf(bad, sizeof bad, "%s.missing-dir/x.nbm", path);
    EXPECT_TRUE(nbtext_save(m, bad, err, sizeof err) == -1);
    EXPECT_TRUE(nbtext_load(bad, err, sizeof err) == NULL);
    nbtext_free(m);
}

/* The model shipped in models/comment-sentiment.nbm loads and behaves. */
static void test_shipped(void)
{
    const char *path = getenv("RECUT_COMMENT_MODEL");
    if (!path) {
        printf("RECUT_COMMENT_MODEL not set: shipped model not checked\n");
        return;
    }
    char err[512];
    nbtext_model *m = nbtext_load(path, err, sizeof err);
    EXPECT_TRUE(m != NULL);
    if (!m) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    const nb_model *nb = nbtext_nb(m);
    EXPECT_TRUE(nb_n_features(nb) > 100);
    EXPECT_TRUE(nb_class_samples(nb, NBTEXT_POSITIVE) > 0 &&
                nb_class_samples(nb, NBTEXT_NEGATIVE) > 0);
    double p[3];
    const char *q = "funny, great soundtrack";
    EXPECT_TRUE(nbtext_classify(m, q, strlen(q), p, NULL, err, sizeof err) == 0);
    double s = 0;
    for (size_t c = 0; c < nbtext_n_classes(m); c++)
        s += p[c];
    EXPECT_NEAR(s, 1.0, 1e-12);
    nbtext_free(m);
}

int main(void)
{
    test_tokenizer();
    test_classify();
    test_format();
    test_shipped();
    return expect_report();
}
