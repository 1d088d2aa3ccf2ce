/* SPDX-License-Identifier: Apache-2.0 */
/* test_seal.c -- sealed values: a round trip, the format and key id, a
 * fresh nonce per value, refusal under other associated data, a tampered
 * byte or an unknown key, rotation (a second key file whose first key is
 * new opens the old values), key files that must stop start-up with
 * "file:line: reason" and no key in the message; and a viewer's emotion
 * map sealed whole (emoseal): it opens as that viewer's only, every field
 * and number intact, and re-seals with a new first key. */
#include "config.h"

#include "expect.h"
#include "emoseal.h"
#include "seal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define K1 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define K2 "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"

static char dir[256];

static const char *write_file(const char *name, const char *text, int mode)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    chmod(path, (mode_t)mode);
    return path;
}

static struct seal_ring *load(const char *text, char *err, size_t n)
{
    return seal_ring_load(write_file("keys", text, 0600), err, n);
}

static void test_round_trip(void)
{
    char err[256];
    struct seal_ring *r = load("# recut keys\n\nk1 " K1 "\n", err, sizeof err);
    EXPECT_TRUE(r != NULL);
    if (!r)
        return;
    EXPECT_TRUE(strcmp(seal_ring_write_id(r), "k1") == 0);
    char *a = NULL, *b = NULL, *p = NULL;
    size_t al, bl, pl;
    EXPECT_TRUE(seal_seal(r, "u1\0emo", 6, "n=0.4321", 8, &a, &al, err, sizeof err) == 0);
    EXPECT_TRUE(seal_seal(r, "u1\0emo", 6, "n=0.4321", 8, &b, &bl, err, sizeof err) == 0);
    EXPECT_TRUE(a && b && strncmp(a, "v1:k1:", 6) == 0 && strlen(a) == al);
    EXPECT_TRUE(a && b && strcmp(a, b) != 0); /* a fresh nonce each time */
    EXPECT_TRUE(a && !strstr(a, "0.4321"));
    char id[SEAL_ID_MAX + 1];
    EXPECT_TRUE(seal_is_sealed(a, al) && seal_key_id(a, al, id, sizeof id) == 0 &&
                strcmp(id, "k1") == 0);
    EXPECT_TRUE(!seal_is_sealed("0.5", 3) && seal_key_id("0.5", 3, id, sizeof id) == -1);
    EXPECT_TRUE(seal_open(r, "u1\0emo", 6, a, al, &p, &pl, err, sizeof err) == 0);
    EXPECT_TRUE(p && pl == 8 && strcmp(p, "n=0.4321") == 0);
    free(p);
    /* another viewer's associated data */
    EXPECT_TRUE(seal_open(r, "u2\0emo", 6, a, al, &p, &pl, err, sizeof err) == -1 && !p);
    /* one byte of the ciphertext changed */
    a[al - 3] = a[al - 3] == 'A' ? 'B' : 'A';
    EXPECT_TRUE(seal_open(r, "u1\0emo", 6, a, al, &p, &pl, err, sizeof err) == -1 && !p);
    /* rotation: k2 now seals, k1 still opens */
    struct seal_ring *r2 = load("k2 " K2 "\nk1 " K1 "\n", err, sizeof err);
    EXPECT_TRUE(r2 && strcmp(seal_ring_write_id(r2), "k2") == 0);
    if (r2) {
        EXPECT_TRUE(seal_open(r2, "u1\0emo", 6, b, bl, &p, &pl, err, sizeof err) == 0 && p &&
                    strcmp(p, "n=0.4321") == 0);
        free(p);
        char *c = NULL;
        size_t cl;
        EXPECT_TRUE(seal_seal(r2, "x", 1, "y", 1, &c, &cl, err, sizeof err) == 0 &&
                    strncmp(c, "v1:k2:", 6) == 0);
        /* a ring without k2 cannot open it, and says which key */
        EXPECT_TRUE(seal_open(r, "x", 1, c, cl, &p, &pl, err, sizeof err) == -1 &&
                    strstr(err, "'k2'"));
        free(c);
        seal_ring_free(r2);
    }
    free(a);
    free(b);
    seal_ring_free(r);
}

static void expect_refused(const char *text, int mode, const char *want)
{
    char err[256] = "";
    struct seal_ring *r = seal_ring_load(write_file("bad", text, mode), err, sizeof err);
    EXPECT(r == NULL && strstr(err, want) != NULL && !strstr(err, "00112233"),
           "key file %s: got \"%s\", want \"%s\"", text, err, want);
    seal_ring_free(r);
}

static void test_bad_files(void)
{
    expect_refused("k1 " K1 "\nk2 abcd\n", 0600, "bad:2: the key must be 64 hex digits");
    expect_refused("k1\n", 0600, "bad:1: expected 'KEYID HEX'");
    expect_refused("k/1 " K1 "\n", 0600, "bad:1: a key id is");
    expect_refused("k1 " K1 "\nk1 " K2 "\n", 0600, "bad:2: key id 'k1' given twice");
    expect_refused("# nothing\n", 0600, "bad: no key");
    expect_refused("k1 " K1 "zz\n", 0600, "bad:1: the key must be");
    expect_refused("k1 " K1 "\n", 0644, "readable or writable by others");
    char err[256];
    EXPECT_TRUE(seal_ring_load("/nonexistent/keys", err, sizeof err) == NULL &&
                strstr(err, "/nonexistent/keys: "));
}

static void test_emoseal(void)
{
    char err[256];
    struct seal_ring *r = load("k1 " K1 "\n", err, sizeof err);
    struct seal_ring *r2 =
        seal_ring_load(write_file("keys2", "k2 " K2 "\nk1 " K1 "\n", 0600), err, sizeof err);
    EXPECT_TRUE(r && r2);
    if (!r || !r2)
        return;
    struct strmap m, got;
    strmap_init(&m);
    strmap_init(&got);
    strmap_put(&m, "n")->num = 3;
    strmap_put(&m, "e:fear")->num = 0.1357;
    strmap_put(&m, "s:m1:2:v")->num = -0.7071067811865476;
    char *v = NULL, *v2 = NULL;
    size_t vl, vl2;
    EXPECT_TRUE(emoseal_pack(r, "alice", &m, &v, &vl, err, sizeof err) == 0);
    EXPECT_TRUE(v && !strstr(v, "fear") && !strstr(v, "1357") && strncmp(v, "v1:k1:", 6) == 0);
    EXPECT_TRUE(emoseal_unpack(r, "alice", v, vl, &got, err, sizeof err) == 0);
    EXPECT_TRUE(got.len == 3 && strmap_get(&got, "n") && strmap_get(&got, "n")->num == 3);
    EXPECT_TRUE(strmap_get(&got, "e:fear") && strmap_get(&got, "e:fear")->num == 0.1357);
    EXPECT_TRUE(strmap_get(&got, "s:m1:2:v") &&
                strmap_get(&got, "s:m1:2:v")->num == -0.7071067811865476);
    /* another viewer's */
    EXPECT_TRUE(emoseal_unpack(r, "bob", v, vl, &got, err, sizeof err) == -1);
    /* rotation: k2 seals, the map is the same */
    EXPECT_TRUE(emoseal_reseal(r2, "alice", v, vl, &v2, &vl2, err, sizeof err) == 0 && v2 &&
                strncmp(v2, "v1:k2:", 6) == 0);
    strmap_clear(&got, NULL);
    strmap_init(&got);
    EXPECT_TRUE(v2 && emoseal_unpack(r2, "alice", v2, vl2, &got, err, sizeof err) == 0 &&
                got.len == 3 && strmap_get(&got, "e:fear")->num == 0.1357);
    EXPECT_TRUE(v2 && emoseal_unpack(r, "alice", v2, vl2, &got, err, sizeof err) == -1);
    free(v);
    free(v2);
    strmap_clear(&m, NULL);
    strmap_clear(&got, NULL);
    seal_ring_free(r);
    seal_ring_free(r2);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/test_seal.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir))
        return 99;
    test_round_trip();
    test_bad_files();
    test_emoseal();
    char p[512];
    snprintf(p, sizeof p, "%s/keys", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/bad", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/keys2", dir);
    unlink(p);
    rmdir(dir);
    return expect_report();
}
