/* SPDX-License-Identifier: Apache-2.0 */
/* test_experiment.c -- [experiment.NAME] sections and the assignment of
 * viewers to arms.  The pinned points were computed by a separate Python
 * implementation (hashlib's BLAKE2b for the key, SipHash-2-4 written from
 * its paper): an assignment that changed with the process, the build or the
 * platform would break them, and recutd instances would disagree. */
#include "config.h"
#include "experiment.h"
#include "expect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64];

/* Load text as a configuration file; 0 or -1 with err. */
static int load(const char *text, struct recut_config *cfg, struct experiment_set *set, char *err,
                size_t n)
{
    snprintf(path, sizeof path, "%s/test_experiment.XXXXXX", getenv("TMPDIR") ? "/tmp" : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return -2;
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    conf_init(cfg);
    int rc = conf_load_file(cfg, path, err, n);
    if (rc == 0)
        rc = experiment_set_load(set, cfg, err, n);
    unlink(path);
    return rc;
}

/* The configuration must fail with an error naming path:line and holding what. */
static void expect_error(const char *text, int line, const char *what)
{
    struct recut_config cfg;
    struct experiment_set set;
    char err[1024] = "", want[128];
    int rc = load(text, &cfg, &set, err, sizeof err);
    snprintf(want, sizeof want, "%s:%d: ", path, line);
    EXPECT(rc == -1, "accepted: %s", text);
    EXPECT(strncmp(err, want, strlen(want)) == 0, "error '%s' does not start with '%s'", err, want);
    EXPECT(strstr(err, what) != NULL, "error '%s' does not say '%s'", err, what);
    if (rc == 0)
        experiment_set_free(&set);
    conf_free(&cfg);
}

int main(void)
{
    struct recut_config cfg;
    struct experiment_set set;
    char err[1024];
    int rc = load("[models]\ndiversity = 0.1\n"
                  "[experiment]\nexposure_topic = xp.topic\n"
                  "[experiment.blend]\n"
                  "diverse.models.diversity = 0.3\n"
                  "arms = control:50, diverse:50\n"
                  "diverse.cuts.editor = trailer\n"
                  "window_s = 3600\nsalt = 2026-12\n"
                  "[experiment.aa]\narms = a:30,b:70\nexposure_topic = own\n",
                  &cfg, &set, err, sizeof err);
    EXPECT(rc == 0, "load: %s", err);
    if (rc == 0) {
        EXPECT_TRUE(set.n == 2);
        const struct experiment *x = experiment_find(&set, "blend");
        EXPECT_TRUE(x && x->n_arms == 2 && x->window_s == 3600);
        EXPECT_TRUE(x && strcmp(x->exposure_topic, "xp.topic") == 0);
        EXPECT_TRUE(x && strcmp(x->arms[1].name, "diverse") == 0 && x->arms[1].n_ov == 2);
        const struct experiment *aa = experiment_find(&set, "aa");
        EXPECT_TRUE(aa && strcmp(aa->exposure_topic, "own") == 0 && aa->window_s == 86400);
        EXPECT_TRUE(aa && aa->arms[0].share == 30 && aa->arms[1].share == 70);
        if (x) {
            /* points pinned by the independent implementation */
            EXPECT_NEAR(experiment_point(x, "u1"), 0.44118170260757861, 1e-15);
            EXPECT_NEAR(experiment_point(x, "u2"), 0.67831648687422064, 1e-15);
            EXPECT_NEAR(experiment_point(x, "viewer-42"), 0.9763913792847988, 1e-15);
            EXPECT_NEAR(experiment_point(x, "alice"), 0.9170418063807525, 1e-15);
            EXPECT_TRUE(experiment_assign(x, "u1") == 0);
            EXPECT_TRUE(experiment_assign(x, "u2") == 1);
            /* overrides land on a shallow copy, the rest stays */
            struct recut_config c = cfg;
            experiment_apply(&x->arms[1], &c);
            EXPECT_NEAR(c.diversity, 0.3, 0);
            EXPECT_TRUE(strcmp(c.cut_editor, "trailer") == 0);
            EXPECT_NEAR(c.w_cooc, cfg.w_cooc, 0);
            c = cfg;
            experiment_apply(&x->arms[0], &c);
            EXPECT_NEAR(c.diversity, 0.1, 0);
            /* shares hold over many viewers; another salt reshuffles */
            size_t in_a = 0, moved = 0;
            struct experiment y = *x;
            y.key[0] ^= 1;
            for (int i = 0; i < 20000; i++) {
                char v[32];
                snprintf(v, sizeof v, "viewer%d", i);
                size_t arm = experiment_assign(aa, v);
                in_a += arm == 0;
                moved += experiment_assign(x, v) != experiment_assign(&y, v);
            }
            EXPECT(in_a > 5700 && in_a < 6300, "%zu of 20000 in a 30%% arm", in_a);
            EXPECT(moved > 9000 && moved < 11000, "%zu of 20000 moved with the key", moved);
        }
        experiment_set_free(&set);
    }
    conf_free(&cfg);

    /* no experiment: an empty set */
    EXPECT_TRUE(load("[models]\ndiversity = 0\n", &cfg, &set, err, sizeof err) == 0 && set.n == 0);
    experiment_set_free(&set);
    conf_free(&cfg);

    expect_error("[experiment.x]\narms = a:50,b:50\nwindow = 5\n", 3, "unknown key 'window'");
    expect_error("[experiment.x]\n\narms = a:50,b:40\n", 3, "sum to 90");
    expect_error("[experiment.x]\narms = a:100\n", 2, "at least two arms");
    expect_error("[experiment.x]\narms = a:50,a:50\n", 2, "listed twice");
    expect_error("[experiment.x]\nc.models.diversity = 0.2\narms = a:50,b:50\n", 2,
                 "arm 'c', which is not in arms");
    expect_error("[experiment.x]\narms = a:50,b:50\nb.models.alpha = 2\n", 3,
                 "cannot be overridden");
    expect_error("[experiment.x]\narms = a:50,b:50\nb.models.diversity = 2\n", 3, "out of range");
    expect_error("[experiment.x]\narms = a:50,b:50\nb.models.nosuch = 2\n", 3,
                 "cannot be overridden");
    expect_error("[experiment]\ntopic = t\n", 2, "unknown key 'topic' in section [experiment]");
    expect_error("[experiment.x]\narms = a:50,b:50\nwindow_s = 10\n", 3, "window_s");
    expect_error("[experiment.bad name]\narms = a:50,b:50\n", 2, "experiment name");
    return expect_report();
}
