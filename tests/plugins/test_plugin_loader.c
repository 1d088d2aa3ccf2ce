/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_plugin_loader.c -- loading the editor plugins through the stub host:
 *   - the stamp rule recutd applies (plugin_stamp_check): a larger struct of
 *     the same ABI is accepted, a smaller one refused;
 *   - plugins whose stamp has ABI version + 1, another build signature or a
 *     wrong magic are refused with "not binary compatible";
 *   - every editor .so loads, is an editor with its own name, and exports
 *     nothing but recut_plugin_entry (its helpers are not visible);
 *   - configuration: a bad option value fails init with a message naming the
 *     key; [plugin.trailer] spoiler_tail is the default the trailer uses when
 *     the request says 0; plugins log through the host API.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_stamp.h"
#include "stub_host.h"

#ifndef TEST_LIB_DIR
#error "TEST_LIB_DIR must name the directory of the test plugins"
#endif

#include "expect.h"

static const char *const editor_names[] = { "highlights", "storyline", "trailer", "mood" };

static void test_refused(void)
{
    const char *const bad[] = { "bad_abi", "bad_sig", "bad_magic" };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char path[512], err[512] = "";
        snprintf(path, sizeof path, "%s/%s.so", TEST_LIB_DIR, bad[k]);
        struct stub_host_plugin pl;
        int rc = stub_host_load(path, &pl, err, sizeof err);
        EXPECT(rc == -1, "%s was loaded", bad[k]);
        EXPECT(strstr(err, "not binary compatible") != NULL, "%s: message \"%s\"", bad[k], err);
        EXPECT(pl.dl == NULL && pl.p == NULL, "%s: half-loaded", bad[k]);
        printf("refused %s: %s\n", bad[k], err);
        if (rc == 0)
            stub_host_unload(&pl);
    }
    /* A control: the same source with the right stamp would be accepted, so
     * the refusals above are about the stamp, not about the file. */
    char err[512];
    struct stub_host_plugin pl;
    char path[512];
    snprintf(path, sizeof path, "%s/good_stamp.so", TEST_LIB_DIR);
    EXPECT(stub_host_load(path, &pl, err, sizeof err) == 0, "good_stamp refused: %s", err);
    stub_host_unload(&pl);
}

/* The rule itself (lib/core/plugin_stamp.c, what recutd's loader and the
 * stub host both call), on stamps built in memory: the same ABI and
 * signature with a larger struct (a newer minor header that appended
 * fields) is accepted; a smaller struct, another ABI or signature, a
 * missing signature or a wrong magic is refused. */
static void test_stamp_rule(void)
{
    static const struct {
        const char *what;
        uint32_t magic, abi;
        const char *sig;
        long size_delta;
        int ok;
    } cases[] = {
        { "the host's own stamp", RECUT_PLUGIN_MAGIC, RECUT_PLUGIN_ABI_VERSION,
          RECUT_PLUGIN_SIGNATURE, 0, 1 },
        { "a larger struct (newer minor)", RECUT_PLUGIN_MAGIC, RECUT_PLUGIN_ABI_VERSION,
          RECUT_PLUGIN_SIGNATURE, 64, 1 },
        { "a smaller struct (fields missing)", RECUT_PLUGIN_MAGIC, RECUT_PLUGIN_ABI_VERSION,
          RECUT_PLUGIN_SIGNATURE, -(long)sizeof(void *), 0 },
        { "struct size 0", RECUT_PLUGIN_MAGIC, RECUT_PLUGIN_ABI_VERSION, RECUT_PLUGIN_SIGNATURE,
          -(long)sizeof(struct recut_plugin), 0 },
        { "ABI + 1", RECUT_PLUGIN_MAGIC, RECUT_PLUGIN_ABI_VERSION + 1, RECUT_PLUGIN_SIGNATURE, 0,
          0 },
        { "ABI - 1", RECUT_PLUGIN_MAGIC, RECUT_PLUGIN_ABI_VERSION - 1, RECUT_PLUGIN_SIGNATURE, 0,
          0 },
        { "another signature", RECUT_PLUGIN_MAGIC, RECUT_PLUGIN_ABI_VERSION, "recut:1:p4:d8:B", 0,
          0 },
        { "no signature", RECUT_PLUGIN_MAGIC, RECUT_PLUGIN_ABI_VERSION, NULL, 0, 0 },
        { "wrong magic", 0x4e4f5045u, RECUT_PLUGIN_ABI_VERSION, RECUT_PLUGIN_SIGNATURE, 0, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct recut_plugin p = { RECUT_PLUGIN_V1, .name = "x", .kind = RECUT_PLUGIN_EDITOR };
        p.magic = cases[i].magic;
        p.abi_version = cases[i].abi;
        p.signature = cases[i].sig;
        p.struct_size = (size_t)((long)sizeof(struct recut_plugin) + cases[i].size_delta);
        char err[512] = "";
        int rc = plugin_stamp_check(&p, err, sizeof err);
        EXPECT(rc == (cases[i].ok ? 0 : -1), "%s: %s (%s)", cases[i].what,
               rc == 0 ? "accepted" : "refused", err);
        if (!cases[i].ok)
            EXPECT(strstr(err, "not binary compatible") != NULL, "%s: message \"%s\"",
                   cases[i].what, err);
    }
    char err[512] = "";
    EXPECT(plugin_stamp_check(NULL, err, sizeof err) == -1, "a NULL plugin accepted");
}

static void test_editors_load(void)
{
    const char *const hidden[] = { "editor_chain_solve", "editor_util_validate",
                                   "editor_highlights_edit", "editor_trailer_edit" };
    for (size_t e = 0; e < sizeof editor_names / sizeof editor_names[0]; e++) {
        char path[512], err[512];
        struct stub_host_plugin pl;
        stub_host_plugin_path(editor_names[e], path, sizeof path);
        if (stub_host_load(path, &pl, err, sizeof err) < 0) {
            EXPECT(0, "load %s: %s", editor_names[e], err);
            continue;
        }
        EXPECT(pl.p->kind == RECUT_PLUGIN_EDITOR, "%s: kind %d", path, (int)pl.p->kind);
        EXPECT(strcmp(pl.p->name, editor_names[e]) == 0, "%s: name %s", path, pl.p->name);
        EXPECT(pl.p->description && pl.p->description[0], "%s: no description", path);
        EXPECT(strcmp(pl.p->signature, RECUT_PLUGIN_SIGNATURE) == 0, "%s: signature", path);
        for (size_t h = 0; h < sizeof hidden / sizeof hidden[0]; h++)
            EXPECT(dlsym(pl.dl, hidden[h]) == NULL, "%s exports %s", path, hidden[h]);
        stub_host_unload(&pl);
    }
}

static void test_bad_config(void)
{
    static const struct {
        const char *plugin, *key, *value;
    } bad[] = {
        { "highlights", "min_score", "2" },      { "storyline", "spread_weight", "lots" },
        { "trailer", "spoiler_tail", "0.3x" },   { "mood", "end_weight", "-1" },
        { "trailer", "reject_feedback", "nan" }, { "highlights", "solver", "greedy" },
        { "storyline", "method", "fast" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        stub_host_config_clear();
        stub_host_config_set(bad[k].plugin, bad[k].key, bad[k].value);
        char path[512], err[512] = "";
        struct stub_host_plugin pl;
        stub_host_plugin_path(bad[k].plugin, path, sizeof path);
        int rc = stub_host_load(path, &pl, err, sizeof err);
        EXPECT(rc == -1 && strstr(err, bad[k].key) != NULL, "%s: %s = %s: rc %d, message \"%s\"",
               bad[k].plugin, bad[k].key, bad[k].value, rc, err);
        if (rc == 0)
            stub_host_unload(&pl);
    }
    stub_host_config_clear();
}

/* Latest end among the trailer's scenes, as a fraction of the movie. */
static double trailer_reach(const char *tail_config, const struct recut_edit_request *req)
{
    stub_host_config_clear();
    if (tail_config)
        stub_host_config_set("trailer", "spoiler_tail", tail_config);
    char path[512], err[512];
    struct stub_host_plugin pl;
    stub_host_plugin_path("trailer", path, sizeof path);
    if (stub_host_load(path, &pl, err, sizeof err) < 0) {
        EXPECT(0, "trailer with spoiler_tail %s: %s", tail_config ? tail_config : "-", err);
        return -1.0;
    }
    size_t cut[64], n = 0;
    double score;
    size_t logs = stub_host_log_count();
    int rc = stub_host_edit(&pl, req, cut, &n, &score, err, sizeof err);
    EXPECT(rc == 0, "trailer: %s", err);
    EXPECT(stub_host_log_count() > logs, "trailer logged nothing through the host API");
    double reach = 0.0;
    for (size_t k = 0; k < n; k++)
        if (req->movie->scenes[cut[k]].end > reach)
            reach = req->movie->scenes[cut[k]].end;
    stub_host_unload(&pl);
    stub_host_config_clear();
    return reach / req->movie->duration;
}

static void test_trailer_config(void)
{
    /* 40 scenes of 10 s whose arousal and score rise to the end: the
     * trailer wants the latest scenes it may use. */
    enum {
        N = 40
    };
    struct recut_scene sc[N];
    double scores[N];
    for (size_t i = 0; i < N; i++) {
        sc[i] = (struct recut_scene){ .start = 10.0 * (double)i,
                                      .end = 10.0 * (double)(i + 1),
                                      .arousal = (double)i / N,
                                      .valence = 0.0 };
        scores[i] = 0.2 + 0.8 * (double)i / N;
    }
    struct recut_movie m = { .id = "ramp", .duration = 10.0 * N, .scenes = sc, .n_scenes = N };
    struct recut_edit_request req = { .version = 1,
                                      .movie = &m,
                                      .scene_scores = scores,
                                      .budget = 60,
                                      .min_fragment = 1,
                                      .spoiler_tail = -1.0 };
    double dflt = trailer_reach(NULL, &req);
    double half = trailer_reach("0.5", &req);
    double none = trailer_reach("0", &req);
    printf("trailer reach: default %.3f, spoiler_tail=0.5 %.3f, spoiler_tail=0 %.3f\n", dflt, half,
           none);
    EXPECT(dflt <= 0.75 && dflt > 0.7, "default spoiler tail: reaches %.3f", dflt);
    EXPECT(half <= 0.5 && half > 0.45, "spoiler_tail 0.5: reaches %.3f", half);
    EXPECT(none > 0.95, "spoiler_tail 0: reaches only %.3f", none);
    /* The request's own value wins over the configuration, 0 included. */
    req.spoiler_tail = 0.6;
    double req_tail = trailer_reach("0.1", &req);
    EXPECT(req_tail <= 0.4 && req_tail > 0.35, "request spoiler_tail 0.6: reaches %.3f", req_tail);
    req.spoiler_tail = 0.0;
    double req_none = trailer_reach("0.5", &req);
    EXPECT(req_none > 0.95, "request spoiler_tail 0: reaches only %.3f", req_none);
}

int main(void)
{
    test_stamp_rule();
    test_refused();
    test_editors_load();
    test_bad_config();
    test_trailer_config();
    return expect_report();
}
