/* SPDX-License-Identifier: Apache-2.0 */
/* analyze.c -- recut-analyze: decode a movie and write its catalog entry
 * (shots, scenes, per-scene features, arousal/valence, labels, emotion).
 * See recut-analyze(1). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include "analyze.h"
#include "analyze_affect.h"
#include "analyze_decode.h"
#include "analyze_faces.h"
#include "analyze_json.h"
#include "analyze_people.h"
#include "analyze_plot.h"
#include "analyze_scenes.h"
#include "analyze_shots.h"
#include "analyze_sound.h"
#include "analyze_subs.h"
#include "av_cut.h"
#include "av_outfile.h"

#include <errno.h>
#include <getopt.h>
#include <libavutil/log.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void analyze_movie_free(struct analyze_movie *m)
{
    free(m->f);
    free(m->g);
    free(m->loud_sum);
    free(m->loud_cnt);
    free(m->cuts);
    free(m->shots);
    free(m->tl_arousal);
    free(m->tl_valence);
    analyze_people_free(m->people);
    free(m->snd);
    for (size_t i = 0; i < m->ncues; i++)
        free(m->cues[i].text);
    free(m->cues);
    for (size_t i = 0; i < m->nscenes; i++)
        free(m->scenes[i].subtitle);
    free(m->scenes);
    memset(m, 0, sizeof *m);
}

/* --dump-frames: the per-frame numbers and blend candidates, for tuning. */
static int analyze_dump(const char *path, const struct analyze_movie *m)
{
    FILE *fp = fopen(path, "w");
    if (!fp)
        return -1;
    fprintf(fp, "# frame t d1 d2 d3 d4 motion luma luma_sd colorful sat\n");
    for (size_t i = 0; i < m->nf; i++) {
        const struct analyze_fstat *f = &m->f[i];
        fprintf(fp, "%zu %.4f %.4f %.4f %.4f %.4f %.5f %.4f %.4f %.4f %.4f\n", i, f->t, f->d[0],
                f->d[1], f->d[2], f->d[3], f->motion, f->luma, f->luma_sd, f->colorful, f->sat);
    }
    for (size_t i = 0; i < m->ng; i++)
        fprintf(fp, "# blend %zu-%zu %.3f-%.3f change %.4f resid %.4f\n", m->g[i].s, m->g[i].e,
                m->f[m->g[i].s].t, m->f[m->g[i].e].t, m->g[i].change, m->g[i].resid);
    return fclose(fp);
}

static void analyze_usage(FILE *fp)
{
    fputs(
        "usage: recut-analyze MOVIE --id ID [--title T] [--genres a,b] [--tags a,b]\n"
        "                     [-o catalog.json] [--quiet] [--plot timeline.svg [--cut cut.json]]\n"
        "                     [--min-shot S] [--min-scene S] [--max-scene S] [--scene-sim X]\n"
        "                     [--smooth S] [--faces on|off] [--cascades DIR]\n"
        "                     [--subtitles FILE] [--text-model FILE.nbm]\n"
        "Writes the movie's catalog entry (JSON) to catalog.json or standard output.\n",
        fp);
}

static int analyze_number(const char *opt, const char *s, double lo, double hi, double *out)
{
    char *e;
    errno = 0;
    double v = strtod(s, &e);
    if (e == s || *e || errno || !(v >= lo && v <= hi)) {
        fprintf(stderr, "recut-analyze: %s: expected a number in [%g, %g], got \"%s\"\n", opt, lo,
                hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    enum {
        O_ID = 256,
        O_TITLE,
        O_GENRES,
        O_TAGS,
        O_PLOT,
        O_CUT,
        O_MINSHOT,
        O_MINSCENE,
        O_MAXSCENE,
        O_SIM,
        O_SMOOTH,
        O_DUMP,
        O_FACES,
        O_CASCADES,
        O_SUBS,
        O_TEXTMODEL
    };
    static const struct option longopts[] = {
        { "id", required_argument, NULL, O_ID },
        { "title", required_argument, NULL, O_TITLE },
        { "genres", required_argument, NULL, O_GENRES },
        { "tags", required_argument, NULL, O_TAGS },
        { "output", required_argument, NULL, 'o' },
        { "quiet", no_argument, NULL, 'q' },
        { "plot", required_argument, NULL, O_PLOT },
        { "cut", required_argument, NULL, O_CUT },
        { "min-shot", required_argument, NULL, O_MINSHOT },
        { "min-scene", required_argument, NULL, O_MINSCENE },
        { "max-scene", required_argument, NULL, O_MAXSCENE },
        { "scene-sim", required_argument, NULL, O_SIM },
        { "smooth", required_argument, NULL, O_SMOOTH },
        { "dump-frames", required_argument, NULL, O_DUMP },
        { "faces", required_argument, NULL, O_FACES },
        { "cascades", required_argument, NULL, O_CASCADES },
        { "subtitles", required_argument, NULL, O_SUBS },
        { "text-model", required_argument, NULL, O_TEXTMODEL },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct analyze_json_meta meta = { NULL, NULL, NULL, NULL };
    struct analyze_opts opts = { .min_shot = 0.4,
                                 .min_scene = 8.0,
                                 .max_scene = 90.0,
                                 .scene_sim = 0.6,
                                 .smooth = 4.0,
                                 .quiet = 0 };
    const char *out_path = NULL, *plot_path = NULL, *cut_path = NULL, *dump_path = NULL;
    const char *cascades = ANALYZE_FACES_DIR;
    int faces = -1; /* -1: on when the cascades are there */
    const char *subs_path = NULL, *model_path = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case O_ID:
            meta.id = optarg;
            break;
        case O_TITLE:
            meta.title = optarg;
            break;
        case O_GENRES:
            meta.genres = optarg;
            break;
        case O_TAGS:
            meta.tags = optarg;
            break;
        case 'o':
            out_path = optarg;
            break;
        case 'q':
            opts.quiet = 1;
            break;
        case O_PLOT:
            plot_path = optarg;
            break;
        case O_CUT:
            cut_path = optarg;
            break;
        case O_DUMP:
            dump_path = optarg;
            break;
        case O_FACES:
            faces = strcmp(optarg, "on") == 0 ? 1 : (strcmp(optarg, "off") == 0 ? 0 : -2);
            if (faces == -2) {
                fprintf(stderr, "recut-analyze: --faces: expected on or off, got \"%s\"\n", optarg);
                bad = 1;
            }
            break;
        case O_CASCADES:
            cascades = optarg;
            if (faces == -1)
                faces = 1; /* asked for: a missing cascade is an error */
            break;
        case O_SUBS:
            subs_path = optarg;
            break;
        case O_TEXTMODEL:
            model_path = optarg;
            break;
        case O_MINSHOT:
            bad = analyze_number("--min-shot", optarg, 0.0, 60.0, &opts.min_shot);
            break;
        case O_MINSCENE:
            bad = analyze_number("--min-scene", optarg, 0.0, 3600.0, &opts.min_scene);
            break;
        case O_MAXSCENE:
            bad = analyze_number("--max-scene", optarg, 1.0, 86400.0, &opts.max_scene);
            break;
        case O_SIM:
            bad = analyze_number("--scene-sim", optarg, 0.0, 1.0, &opts.scene_sim);
            break;
        case O_SMOOTH:
            bad = analyze_number("--smooth", optarg, 0.0, 600.0, &opts.smooth);
            break;
        case 'h':
            analyze_usage(stdout);
            return 0;
        default:
            analyze_usage(stderr);
            return 2;
        }
        if (bad)
            return 2;
    }
    if (optind != argc - 1 || !meta.id) {
        fprintf(stderr, "recut-analyze: %s\n",
                optind != argc - 1 ? "need exactly one MOVIE" : "--id is required");
        analyze_usage(stderr);
        return 2;
    }
    size_t idlen = strlen(meta.id);
    if (idlen == 0 || idlen > 128) {
        fprintf(stderr, "recut-analyze: --id must be 1..128 bytes\n");
        return 2;
    }
    if (cut_path && !plot_path) {
        fprintf(stderr, "recut-analyze: --cut only makes sense with --plot\n");
        return 2;
    }
    if (opts.min_scene > opts.max_scene) {
        fprintf(stderr, "recut-analyze: --min-scene is larger than --max-scene\n");
        return 2;
    }
    const char *movie = argv[optind];
    av_log_set_level(AV_LOG_QUIET);

    char err[512];
    int rc = 1;
    struct av_cut cut = { NULL, 0 };
    struct analyze_movie m;
    memset(&m, 0, sizeof m);
    struct av_outfile jf, pf;
    memset(&jf, 0, sizeof jf);
    memset(&pf, 0, sizeof pf);
    char *json = NULL;
    if (cut_path && av_cut_load_json(cut_path, &cut, err, sizeof err) != 0)
        goto fail;
    if (faces == -1) {
        char face[4096], smile[4096];
        snprintf(face, sizeof face, "%s/%s", cascades, ANALYZE_FACES_FACE);
        snprintf(smile, sizeof smile, "%s/%s", cascades, ANALYZE_FACES_SMILE);
        faces = access(face, R_OK) == 0 && access(smile, R_OK) == 0;
    }
    if (faces && analyze_people_open(&m.people, cascades, err, sizeof err) != 0) {
        size_t len = strlen(err);
        snprintf(err + len, sizeof err - len, " (--cascades DIR, or --faces off)");
        goto fail;
    }
    if (analyze_decode_run(movie, &m, opts.quiet, err, sizeof err) != 0 ||
        (dump_path && analyze_dump(dump_path, &m) != 0 &&
         snprintf(err, sizeof err, "%s: cannot write", dump_path) > 0) ||
        analyze_shots_detect(&m, &opts, err, sizeof err) != 0 ||
        (subs_path && analyze_subs_load(subs_path, &m, err, sizeof err) != 0) ||
        analyze_scenes_build(&m, &opts, err, sizeof err) != 0)
        goto fail;
    if (m.nsnd)
        analyze_sound_scenes(&m);
    if (analyze_subs_scenes(&m, model_path ? model_path : PKGDATADIR "/comment-sentiment.nbm",
                            model_path != NULL, opts.quiet, err, sizeof err) != 0 ||
        analyze_affect_compute(&m, &opts, err, sizeof err) != 0 ||
        (m.people && analyze_people_scenes(m.people, &m, err, sizeof err) != 0))
        goto fail;
    analyze_sound_labels(&m);
    if (!opts.quiet && m.rotation)
        fprintf(stderr, "recut-analyze: %s: video is rotated by %d degrees (display matrix)\n",
                movie, m.rotation);
    json = analyze_json_dump(&m, &meta, err, sizeof err);
    if (!json)
        goto fail;
    if (plot_path) {
        if (av_outfile_open(&pf, plot_path, 1, err, sizeof err) != 0 ||
            analyze_plot_write(pf.fp, &m, meta.title ? meta.title : meta.id, cut_path ? &cut : NULL,
                               err, sizeof err) != 0)
            goto fail;
    }
    if (out_path) {
        if (av_outfile_open(&jf, out_path, 1, err, sizeof err) != 0)
            goto fail;
        fputs(json, jf.fp);
    }
    if (plot_path && av_outfile_commit(&pf, err, sizeof err) != 0)
        goto fail;
    if (out_path) {
        if (av_outfile_commit(&jf, err, sizeof err) != 0)
            goto fail;
    } else if (fputs(json, stdout) == EOF || fflush(stdout) != 0) {
        snprintf(err, sizeof err, "cannot write to standard output");
        goto fail;
    }
    if (!opts.quiet) {
        size_t ngrad = 0;
        for (size_t i = 0; i < m.ncuts; i++)
            ngrad += m.cuts[i].gradual != 0;
        fprintf(stderr, "recut-analyze: %s: %.1f s, %zu shots (%zu gradual cuts), %zu scenes\n",
                movie, m.duration, m.nshots, ngrad, m.nscenes);
    }
    rc = 0;
    goto done;
fail:
    fprintf(stderr, "recut-analyze: %s\n", err);
    av_outfile_abort(&jf);
    av_outfile_abort(&pf);
done:
    free(json);
    av_cut_free(&cut);
    analyze_movie_free(&m);
    return rc;
}
