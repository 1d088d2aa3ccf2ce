/* SPDX-License-Identifier: Apache-2.0 */
/* test_eval_metrics.c -- recut-eval's exposure and diversity metrics
 * (eval/eval_metrics.c) on cases small enough to compute by hand, so a
 * table of recut-eval can be trusted before it is compared. */
#include "config.h"

#include "eval_metrics.h"
#include "expect.h"

#include <string.h>

static void test_gini(void)
{
    uint64_t equal[4] = { 3, 3, 3, 3 };
    EXPECT_NEAR(eval_metrics_gini(equal, 4), 0.0, 1e-12);
    /* one item of four gets every slot: (n-1)/n */
    uint64_t one[4] = { 0, 7, 0, 0 };
    EXPECT_NEAR(eval_metrics_gini(one, 4), 0.75, 1e-12);
    /* 1,2,3 unsorted: sum (2i-n-1)x = -2*1 + 0*2 + 2*3 = 4; 4 / (3*6) */
    uint64_t three[3] = { 3, 1, 2 };
    EXPECT_NEAR(eval_metrics_gini(three, 3), 4.0 / 18.0, 1e-12);
    uint64_t none[2] = { 0, 0 };
    EXPECT_NEAR(eval_metrics_gini(none, 2), 0.0, 1e-12);
    EXPECT_NEAR(eval_metrics_gini(NULL, 0), 0.0, 1e-12);
}

static void test_pop_percentile(void)
{
    EXPECT_NEAR(eval_metrics_pop_percentile(0, 5), 1.0, 1e-12);
    EXPECT_NEAR(eval_metrics_pop_percentile(4, 5), 0.0, 1e-12);
    EXPECT_NEAR(eval_metrics_pop_percentile(1, 5), 0.75, 1e-12);
    EXPECT_NEAR(eval_metrics_pop_percentile(0, 1), 1.0, 1e-12);
}

static void test_ild(void)
{
    /* {a,b} vs {b,c}: 1 - 1/3; identical sets 0; disjoint 1; empty 0 */
    EXPECT_NEAR(eval_metrics_genre_distance(0x3, 0x6), 2.0 / 3.0, 1e-12);
    EXPECT_NEAR(eval_metrics_genre_distance(0x5, 0x5), 0.0, 1e-12);
    EXPECT_NEAR(eval_metrics_genre_distance(0x1, 0x2), 1.0, 1e-12);
    EXPECT_NEAR(eval_metrics_genre_distance(0, 0), 0.0, 1e-12);
    EXPECT_NEAR(eval_metrics_genre_distance(0, 0x1), 1.0, 1e-12);
    const uint64_t genres[4] = { 0x3, 0x6, 0x3, 0x8 };
    /* list 0,1,2: pairs (0,1) 2/3, (0,2) 0, (1,2) 2/3 -> mean 4/9 */
    const uint32_t list[3] = { 0, 1, 2 };
    EXPECT_NEAR(eval_metrics_ild(genres, list, 3), 4.0 / 9.0, 1e-12);
    const uint32_t two[2] = { 0, 3 };
    EXPECT_NEAR(eval_metrics_ild(genres, two, 2), 1.0, 1e-12);
    EXPECT_TRUE(eval_metrics_ild(genres, list, 1) < 0);
}

static void add(struct catalog *c, const char *json)
{
    char err[256];
    struct catalog_movie *cm = catalog_movie_parse(json, strlen(json), NULL, err, sizeof err);
    EXPECT(cm != NULL, "parse %s: %s", json, err);
    if (cm && catalog_put(c, cm) != 0)
        catalog_movie_free(cm);
}

static void test_genre_masks(void)
{
    struct catalog c;
    catalog_init(&c);
    add(&c, "{\"id\":\"1\",\"title\":\"A\",\"duration\":60,\"genres\":[\"Drama\",\"Comedy\"],"
            "\"tags\":[\"x\"],\"scenes\":[]}");
    add(&c, "{\"id\":\"2\",\"title\":\"B\",\"duration\":60,\"genres\":[\"comedy\",\"War\"],"
            "\"tags\":[],\"scenes\":[]}");
    add(&c, "{\"id\":\"3\",\"title\":\"C\",\"duration\":60,\"genres\":[],"
            "\"tags\":[\"drama\"],\"scenes\":[]}");
    uint64_t m[3];
    EXPECT_TRUE(c.n == 3);
    if (c.n == 3) {
        EXPECT_TRUE(eval_metrics_genre_masks(&c, m) == 3);
        /* genres by first appearance; tags are not genres */
        EXPECT(m[0] == 0x3 && m[1] == 0x6 && m[2] == 0, "masks %llx %llx %llx",
               (unsigned long long)m[0], (unsigned long long)m[1], (unsigned long long)m[2]);
    }
    catalog_free(&c);
}

int main(void)
{
    test_gini();
    test_pop_percentile();
    test_ild();
    test_genre_masks();
    return expect_report();
}
