/* SPDX-License-Identifier: Apache-2.0 */
/* recut-eval -- prequential evaluation of recut's recommender on MovieLens
 * ratings against most-popular and random baselines (see recut-eval(1)). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "eval_data.h"
#include "eval_replay.h"
#include "eval_scenesim.h"
#include "eval_sweep.h"
#include "eval_xp.h"
#include "experiment.h"
#include "nbtext.h"

static void eval_usage(FILE *f)
{
    fprintf(f, "usage: recut-eval [options] MOVIELENS_DIR\n"
               "       recut-eval --scene-sim [--flip P] [--seed S] [--json] [--set ...]\n"
               "  --json               one JSON object keyed by method instead of a table\n"
               "  --k N                list length (default 10, at most 64)\n"
               "  --limit N            replay only the first N ratings in time order\n"
               "  --seed S             seed of the random baseline (default 1)\n"
               "  --relevant R         ratings >= R are test cases (default 4.0)\n"
               "  --config FILE        recutd.conf to take [models] and [weights] from\n"
               "  --set SECTION.KEY=V  override one configuration key (repeatable)\n"
               "  --no-tag-features    catalog entries without the movies' tags\n"
               "  --comments MODEL.nbm replay tags as comments, sentiment from MODEL\n"
               "  --skip-bad           skip (and count) bad CSV rows instead of failing\n"
               "  --dump-recs USERS    replay, then print recut's top k for USERS (u1,u2,...)\n"
               "  --export-kv DIR      write DIR/catalog.kv and DIR/events.kv for kcat\n"
               "  --diversity-sweep L  one replay per [models] diversity in L (0,0.1,...)\n"
               "  --plot FILE.svg      with --diversity-sweep: NDCG against coverage\n"
               "  --experiment FILE    replay the arms of FILE's [experiment.NAME] sections\n"
               "                       and print their table (--json: GET /v1/experiments)\n"
               "  --scene-sim          simulated viewers' scene actions on four generated\n"
               "                       movies, then generic, personal and oracle cuts of a\n"
               "                       fifth scored by their true taste (no MOVIELENS_DIR)\n"
               "  --flip P             with --scene-sim: share of actions flipped (0.25)\n");
}

static int eval_parse_size(const char *s, size_t lo, size_t hi, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < lo || v > hi)
        return -1;
    *out = (size_t)v;
    return 0;
}

static double eval_sentiment(const char *text, void *ctx)
{
    return nbtext_sentiment(ctx, text, strlen(text));
}

/* mean popularity percentile of the recommended items (recut-eval(1)) */
static double eval_pop(const struct eval_score *s)
{
    return s->slots ? s->pop / (double)s->slots : 0;
}

/* mean intra-list diversity over lists of two or more */
static double eval_ild(const struct eval_score *s)
{
    return s->ild_n ? s->ild / (double)s->ild_n : 0;
}

static void eval_print(const struct eval_result *r, const struct eval_opts *o,
                       const struct eval_data *d, int json)
{
    if (json) {
        printf("{");
        for (int m = 0; m < EVAL_N_METHODS; m++) {
            const struct eval_score *s = &r->m[m];
            double n = s->n ? (double)s->n : 1;
            printf("%s\"%s\":{\"hr@%zu\":%.6f,\"ndcg@%zu\":%.6f,\"coverage\":%.6f,\"gini\":%.6f,"
                   "\"popularity\":%.6f,\"ild\":%.6f,\"n\":%zu}",
                   m ? "," : "", eval_method_names[m], o->k, (double)s->hits / n, o->k, s->ndcg / n,
                   (double)s->distinct / (double)r->catalog, s->gini, eval_pop(s), eval_ild(s),
                   s->n);
        }
        printf("}\n");
        return;
    }
    printf("ratings replayed %zu, comments %zu, viewers %zu, catalog %zu, skipped rows %zu\n",
           r->ratings, r->comments, r->users, r->catalog, d->skipped);
    printf("test cases (rating >= %.1f): %zu; top %zu; replay %.1f s CPU\n", o->relevant, r->m[0].n,
           o->k, r->seconds);
    if (r->svm_trained || r->svm_few)
        printf(
            "viewer SVMs: %zu trained, %zu attempts with too few likes or dislikes; %.1f s CPU\n",
            r->svm_trained, r->svm_few, r->svm_seconds);
    printf("\n");
    printf("%-14s %8s %8s %9s %7s %7s %7s\n", "method", "HR@k", "NDCG@k", "coverage", "gini", "pop",
           "ild");
    for (int m = 0; m < EVAL_N_METHODS; m++) {
        const struct eval_score *s = &r->m[m];
        double n = s->n ? (double)s->n : 1;
        printf("%-14s %8.4f %8.4f %9.4f %7.4f %7.4f %7.4f\n", eval_method_names[m],
               (double)s->hits / n, s->ndcg / n, (double)s->distinct / (double)r->catalog, s->gini,
               eval_pop(s), eval_ild(s));
    }
    double pop = r->m[EVAL_POPULAR].ndcg;
    if (pop > 0)
        printf("\nrecut NDCG / most_popular NDCG = %.2f\n", r->m[EVAL_RECUT].ndcg / pop);
}

/* --diversity-sweep: one replay per value, then the table (and the plot) */
static int eval_run_sweep(const struct eval_data *d, struct recut_config *cfg,
                          const struct eval_opts *o, const double *v, size_t n, const char *plot)
{
    char err[1024];
    struct eval_result *r = calloc(n, sizeof *r);
    if (!r) {
        fprintf(stderr, "recut-eval: out of memory\n");
        return 1;
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        cfg->diversity = v[i];
        if (eval_replay_run(d, cfg, o, &r[i], err, sizeof err) < 0) {
            fprintf(stderr, "recut-eval: diversity %g: %s\n", v[i], err);
            rc = 1;
        }
    }
    if (rc == 0)
        eval_sweep_print(stdout, v, r, n, o->k);
    if (rc == 0 && plot && eval_sweep_svg(plot, v, r, n, o->k, err, sizeof err) < 0) {
        fprintf(stderr, "recut-eval: %s\n", err);
        rc = 1;
    }
    free(r);
    return rc;
}

enum {
    OPT_JSON = 256,
    OPT_K,
    OPT_LIMIT,
    OPT_SEED,
    OPT_RELEVANT,
    OPT_CONFIG,
    OPT_SET,
    OPT_NO_TAGS,
    OPT_COMMENTS,
    OPT_SKIP_BAD,
    OPT_DUMP,
    OPT_EXPORT,
    OPT_SWEEP,
    OPT_PLOT,
    OPT_EXPERIMENT,
    OPT_SCENE_SIM,
    OPT_FLIP,
    OPT_HELP
};

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "json", no_argument, NULL, OPT_JSON },
        { "k", required_argument, NULL, OPT_K },
        { "limit", required_argument, NULL, OPT_LIMIT },
        { "seed", required_argument, NULL, OPT_SEED },
        { "relevant", required_argument, NULL, OPT_RELEVANT },
        { "config", required_argument, NULL, OPT_CONFIG },
        { "set", required_argument, NULL, OPT_SET },
        { "no-tag-features", no_argument, NULL, OPT_NO_TAGS },
        { "comments", required_argument, NULL, OPT_COMMENTS },
        { "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
        { "dump-recs", required_argument, NULL, OPT_DUMP },
        { "export-kv", required_argument, NULL, OPT_EXPORT },
        { "diversity-sweep", required_argument, NULL, OPT_SWEEP },
        { "plot", required_argument, NULL, OPT_PLOT },
        { "experiment", required_argument, NULL, OPT_EXPERIMENT },
        { "scene-sim", no_argument, NULL, OPT_SCENE_SIM },
        { "flip", required_argument, NULL, OPT_FLIP },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 }
    };
    struct recut_config cfg;
    char err[1024];
    if (conf_init(&cfg) < 0) {
        fprintf(stderr, "recut-eval: out of memory\n");
        return 1;
    }
    struct eval_opts o = { .k = 10, .seed = 1, .relevant = 4.0 };
    struct eval_data_opts dopt = { .tag_features = 1 };
    int json = 0, rc = 1, opt;
    const char *comments = NULL, *dump = NULL, *export_dir = NULL, *plot = NULL;
    struct experiment_set xs = { 0 };
    int experiment = 0, scene_sim = 0;
    double flip = -1;
    double sweep[EVAL_SWEEP_MAX];
    size_t n_sweep = 0;
    nbtext_model *model = NULL;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        size_t v;
        char *end;
        switch (opt) {
        case OPT_JSON:
            json = 1;
            break;
        case OPT_K:
            if (eval_parse_size(optarg, 1, 64, &o.k) < 0) {
                fprintf(stderr, "recut-eval: --k must be 1..64, not '%s'\n", optarg);
                goto out;
            }
            break;
        case OPT_LIMIT:
            if (eval_parse_size(optarg, 1, (size_t)1 << 40, &o.limit) < 0) {
                fprintf(stderr, "recut-eval: --limit must be a positive number, not '%s'\n",
                        optarg);
                goto out;
            }
            break;
        case OPT_SEED:
            if (eval_parse_size(optarg, 0, (size_t)-1, &v) < 0) {
                fprintf(stderr, "recut-eval: --seed must be a number, not '%s'\n", optarg);
                goto out;
            }
            o.seed = v;
            break;
        case OPT_RELEVANT:
            o.relevant = strtod(optarg, &end);
            if (end == optarg || *end || !(o.relevant >= 0.5 && o.relevant <= 5)) {
                fprintf(stderr, "recut-eval: --relevant must be a rating in 0.5..5\n");
                goto out;
            }
            break;
        case OPT_CONFIG:
            if (conf_load_file(&cfg, optarg, err, sizeof err) < 0) {
                fprintf(stderr, "recut-eval: %s\n", err);
                goto out;
            }
            break;
        case OPT_SET:
            if (conf_set_arg(&cfg, optarg, err, sizeof err) < 0) {
                fprintf(stderr, "recut-eval: %s\n", err);
                goto out;
            }
            break;
        case OPT_NO_TAGS:
            dopt.tag_features = 0;
            break;
        case OPT_COMMENTS:
            comments = optarg;
            break;
        case OPT_SKIP_BAD:
            dopt.skip_bad = 1;
            break;
        case OPT_DUMP:
            dump = optarg;
            break;
        case OPT_EXPORT:
            export_dir = optarg;
            break;
        case OPT_SWEEP:
            if (eval_sweep_parse(optarg, sweep, &n_sweep, err, sizeof err) < 0) {
                fprintf(stderr, "recut-eval: %s\n", err);
                goto out;
            }
            break;
        case OPT_PLOT:
            plot = optarg;
            break;
        case OPT_EXPERIMENT:
            /* a recutd.conf fragment over the configuration read so far */
            if (conf_load_file(&cfg, optarg, err, sizeof err) < 0) {
                fprintf(stderr, "recut-eval: %s\n", err);
                goto out;
            }
            experiment = 1;
            break;
        case OPT_SCENE_SIM:
            scene_sim = 1;
            break;
        case OPT_FLIP:
            flip = strtod(optarg, &end);
            if (end == optarg || *end || !(flip >= 0 && flip < 0.5)) {
                fprintf(stderr,
                        "recut-eval: --flip must be a share in 0..0.5 (excluded), not '%s'\n",
                        optarg);
                goto out;
            }
            break;
        case OPT_HELP:
            eval_usage(stdout);
            rc = 0;
            goto out;
        default:
            eval_usage(stderr);
            goto out;
        }
    }
    if (scene_sim) {
        struct eval_scenesim_opts so;
        eval_scenesim_defaults(&so);
        so.seed = o.seed;
        if (flip >= 0)
            so.flip = flip;
        if (optind != argc) {
            eval_usage(stderr);
        } else if (conf_validate(&cfg, err, sizeof err) < 0) {
            fprintf(stderr, "recut-eval: configuration: %s\n", err);
        } else if (eval_scenesim_run(&cfg, &so, json, stdout, err, sizeof err) < 0) {
            fprintf(stderr, "recut-eval: %s\n", err);
        } else {
            rc = 0;
        }
        goto out;
    }
    if (flip >= 0) {
        fprintf(stderr, "recut-eval: --flip needs --scene-sim\n");
        goto out;
    }
    if (optind != argc - 1) {
        eval_usage(stderr);
        goto out;
    }
    if (plot && !n_sweep) {
        fprintf(stderr, "recut-eval: --plot needs --diversity-sweep\n");
        goto out;
    }
    if (conf_validate(&cfg, err, sizeof err) < 0) {
        fprintf(stderr, "recut-eval: configuration: %s\n", err);
        goto out;
    }
    if (experiment_set_load(&xs, &cfg, err, sizeof err) < 0) {
        fprintf(stderr, "recut-eval: %s\n", err);
        goto out;
    }
    if (experiment && xs.n == 0) {
        fprintf(stderr, "recut-eval: --experiment: no [experiment.NAME] section\n");
        goto out;
    }
    if (comments) {
        model = nbtext_load(comments, err, sizeof err);
        if (!model) {
            fprintf(stderr, "recut-eval: %s: %s\n", comments, err);
            goto out;
        }
        o.comments = 1;
        o.sentiment = eval_sentiment;
        o.sentiment_ctx = model;
        dopt.need_tags = 1;
    }
    struct eval_data d;
    if (eval_data_load(&d, argv[optind], &dopt, err, sizeof err) < 0) {
        fprintf(stderr, "recut-eval: %s\n", err);
        goto out;
    }
    if (export_dir) {
        if (eval_data_export(&d, export_dir, o.limit, err, sizeof err) < 0)
            fprintf(stderr, "recut-eval: %s\n", err);
        else
            rc = 0;
    } else if (dump) {
        if (eval_replay_dump(&d, &cfg, &o, dump, stdout, err, sizeof err) < 0)
            fprintf(stderr, "recut-eval: %s\n", err);
        else
            rc = 0;
    } else if (experiment) {
        if (eval_xp_run(&d, &cfg, &xs, &o, json, stdout, err, sizeof err) < 0)
            fprintf(stderr, "recut-eval: %s\n", err);
        else
            rc = 0;
    } else if (n_sweep) {
        rc = eval_run_sweep(&d, &cfg, &o, sweep, n_sweep, plot);
    } else {
        struct eval_result r;
        if (eval_replay_run(&d, &cfg, &o, &r, err, sizeof err) < 0) {
            fprintf(stderr, "recut-eval: %s\n", err);
        } else {
            eval_print(&r, &o, &d, json);
            rc = 0;
        }
    }
    eval_data_free(&d);
out:
    experiment_set_free(&xs);
    nbtext_free(model);
    conf_free(&cfg);
    if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout))) {
        fprintf(stderr, "recut-eval: write error on standard output\n");
        rc = 1;
    }
    return rc;
}
