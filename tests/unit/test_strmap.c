/* SPDX-License-Identifier: Apache-2.0 */
/* test_strmap.c -- the string map (insert, find, delete with backward shift,
 * growth, many keys) and its keyed hash: the seed must change the hash, or
 * ids crafted to collide would collide in every process. */
#include "config.h"

#include "expect.h"
#include "hash.h"
#include "strmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define N_KEYS 20000

static void test_basic(void)
{
    struct strmap m;
    strmap_init(&m);
    EXPECT_TRUE(strmap_get(&m, "a") == NULL);
    EXPECT_TRUE(strmap_del(&m, "a", NULL) == -1);
    struct strmap_entry *e = strmap_put(&m, "movie:1");
    EXPECT_TRUE(e && strcmp(e->key, "movie:1") == 0 && e->num == 0 && e->ptr == NULL);
    e->num = 2.5;
    EXPECT_TRUE(strmap_put(&m, "movie:1") == e && m.len == 1);
    EXPECT_TRUE(strmap_get(&m, "movie:1") && strmap_get(&m, "movie:1")->num == 2.5);
    /* keys with embedded NULs and prefixes are distinct keys */
    EXPECT_TRUE(strmap_putn(&m, "ab\0c", 4) != NULL);
    EXPECT_TRUE(strmap_putn(&m, "ab", 2) != NULL);
    EXPECT_TRUE(m.len == 3);
    EXPECT_TRUE(strmap_getn(&m, "ab\0c", 4) != strmap_getn(&m, "ab", 2));
    EXPECT_TRUE(strmap_get(&m, "ab") == strmap_getn(&m, "ab", 2));
    EXPECT_TRUE(strmap_getn(&m, "ab\0d", 4) == NULL);
    /* an entry found through its known hash */
    e = strmap_get(&m, "movie:1");
    EXPECT_TRUE(e->hash == strmap_hash("movie:1", 7));
    EXPECT_TRUE(strmap_geth(&m, "movie:1", 7, e->hash) == e);
    EXPECT_TRUE(strmap_del(&m, "movie:1", NULL) == 0 && m.len == 2);
    EXPECT_TRUE(strmap_get(&m, "movie:1") == NULL);
    strmap_clear(&m, NULL);
    EXPECT_TRUE(m.len == 0 && m.cap == 0 && strmap_get(&m, "ab") == NULL);
}

static int freed;
static void count_free(void *p)
{
    freed++;
    free(p);
}

/* Many keys: every one is found after growth, deletes of every third key
 * leave the others reachable (backward shift keeps clusters intact), and
 * iteration visits each live key exactly once. */
static void test_many(void)
{
    struct strmap m;
    strmap_init(&m);
    char k[32];
    int ok = 1;
    for (int i = 0; i < N_KEYS; i++) {
        snprintf(k, sizeof k, "viewer-%d", i);
        struct strmap_entry *e = strmap_put(&m, k);
        if (!e) {
            ok = 0;
            break;
        }
        e->num = i;
        e->ptr = malloc(1);
    }
    EXPECT_TRUE(ok && m.len == N_KEYS);
    EXPECT(m.cap >= N_KEYS * 4 / 3 && (m.cap & (m.cap - 1)) == 0,
           "capacity %zu: a power of two above the load limit", m.cap);
    int found = 0;
    for (int i = 0; i < N_KEYS; i++) {
        snprintf(k, sizeof k, "viewer-%d", i);
        struct strmap_entry *e = strmap_get(&m, k);
        found += e && e->num == i;
    }
    EXPECT(found == N_KEYS, "%d of %d keys found", found, N_KEYS);
    int deleted = 0;
    for (int i = 0; i < N_KEYS; i += 3) {
        snprintf(k, sizeof k, "viewer-%d", i);
        deleted += strmap_del(&m, k, count_free) == 0;
    }
    EXPECT_TRUE(freed == deleted && m.len == (size_t)(N_KEYS - deleted));
    int right = 0;
    for (int i = 0; i < N_KEYS; i++) {
        snprintf(k, sizeof k, "viewer-%d", i);
        struct strmap_entry *e = strmap_get(&m, k);
        right += i % 3 == 0 ? e == NULL : (e && e->num == i);
    }
    EXPECT(right == N_KEYS, "%d of %d keys right after deletes", right, N_KEYS);
    unsigned char *seen = calloc(N_KEYS, 1);
    size_t it = 0, visits = 0;
    int dup = 0;
    struct strmap_entry *e;
    while (seen && (e = strmap_next(&m, &it))) {
        int i = (int)e->num;
        dup += seen[i]++ != 0 || i % 3 == 0;
        visits++;
    }
    EXPECT_TRUE(seen && visits == m.len && dup == 0);
    free(seen);
    freed = 0;
    strmap_clear(&m, count_free);
    EXPECT_TRUE(freed == N_KEYS - deleted);
}

/* The hash is keyed: the same key under two seeds hashes differently, the
 * process seed is the one util_hash uses, and strmap hashes with it. */
static void test_keyed(void)
{
    const char *keys[] = { "", "a", "movie:42", "f:like:genre:Comedy" };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        size_t l = strlen(keys[i]);
        uint64_t a = util_hash_keyed(keys[i], l, 1), b = util_hash_keyed(keys[i], l, 2);
        EXPECT(a != b, "'%s' hashes alike under seeds 1 and 2", keys[i]);
        EXPECT_TRUE(util_hash_keyed(keys[i], l, 1) == a); /* but is a function */
        uint64_t h = util_hash(keys[i], l);
        EXPECT_TRUE(h == util_hash_keyed(keys[i], l, util_hash_seed()));
        uint32_t f = (uint32_t)(h ^ (h >> 32));
        EXPECT_TRUE(strmap_hash(keys[i], l) == (f ? f : 1));
    }
    /* the seed is drawn once */
    EXPECT_TRUE(util_hash_seed() == util_hash_seed());
}

/* Two processes draw different seeds.  Runs first, before this process has
 * drawn its seed, so that the child does not inherit it. */
static void test_seed_per_process(void)
{
    int fd[2];
    EXPECT_TRUE(pipe(fd) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        uint64_t s = util_hash_seed();
        _exit(write(fd[1], &s, sizeof s) == (ssize_t)sizeof s ? 0 : 1);
    }
    uint64_t child = 0;
    EXPECT_TRUE(pid > 0 && read(fd[0], &child, sizeof child) == (ssize_t)sizeof child);
    int st = 0;
    EXPECT_TRUE(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    close(fd[0]);
    close(fd[1]);
    EXPECT(util_hash_seed() != child, "parent and child drew the same seed %llx",
           (unsigned long long)child);
}

int main(void)
{
    test_seed_per_process();
    test_basic();
    test_many();
    test_keyed();
    return expect_report();
}
