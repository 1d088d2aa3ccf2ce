/* SPDX-License-Identifier: Apache-2.0 */
/* render_hls.c -- recut-render --hls / --hls-prepare: plan the segments of
 * each kept range on the source's own frame and keyframe grid, write them
 * (render_hls_seg.c), then the playlist and hls.json.
 *
 * Why a packet index first: where whole GOPs start and end inside a range
 * decides which frames can be copied and which must be re-encoded, and the
 * segment durations written in the playlist must be the frames' own times
 * (an EXTINF off by a frame at each join would add up over a cut).  One
 * pass over the packets, without decoding, gives every frame's time and
 * which ones are keyframes.  The output goes into a temp directory beside
 * DIR that is renamed into place at the end, so a failed run leaves no
 * half-written DIR, and an existing DIR is only replaced when recut-render
 * wrote it. */
#include "render_hls.h"
#include "av_decoder.h"
#include "av_progress.h"
#include "render_hls_seg.h"
#include "render_input.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct render_hls_frame {
    double t;
    double lead; /* a keyframe: the earliest time of it and of the pictures
                  * after it in decoding order (its leading pictures, open
                  * GOPs); else t */
    int key;
};

struct render_hls_index {
    struct render_hls_frame *f; /* video frames by presentation time */
    size_t n;
    double end; /* end of the last frame */
};

struct render_hls_plan {
    struct render_hls_seg sg;
    size_t range;   /* which kept range */
    int first;      /* first segment of its range */
    int disc;       /* EXT-X-DISCONTINUITY before it in DIR's playlist */
    int disc_range; /* ... and within its range (hls.json) */
    char uri[32];
};

static int render_hls_cmp(const void *a, const void *b)
{
    double x = ((const struct render_hls_frame *)a)->t, y = ((const struct render_hls_frame *)b)->t;
    return x < y ? -1 : x > y;
}

static int render_hls_index_build(struct render_in *in, struct render_hls_index *x, char *errstr,
                                  size_t errstr_size)
{
    memset(x, 0, sizeof *x);
    if (render_input_seek(in, 0.0, errstr, errstr_size) != 0)
        return -1;
    AVRational tb = in->fmt->streams[in->vi]->time_base;
    size_t cap = 0, cur_key = SIZE_MAX;
    x->end = 0.0;
    while (av_read_frame(in->fmt, in->pkt) >= 0) {
        AVPacket *p = in->pkt;
        if (p->stream_index == in->vi && p->pts != AV_NOPTS_VALUE) {
            if (x->n == cap) {
                cap = cap ? 2 * cap : 4096;
                void *nf = realloc(x->f, cap * sizeof *x->f);
                if (!nf) {
                    av_packet_unref(p);
                    snprintf(errstr, errstr_size, "out of memory");
                    return -1;
                }
                x->f = nf;
            }
            double t = (double)p->pts * av_q2d(tb) - in->t0;
            double d = p->duration > 0 ? (double)p->duration * av_q2d(tb) : 1.0 / in->fps;
            x->f[x->n].t = x->f[x->n].lead = t;
            x->f[x->n].key = (p->flags & AV_PKT_FLAG_KEY) != 0;
            if (x->f[x->n].key)
                cur_key = x->n;
            else if (cur_key != SIZE_MAX && t < x->f[cur_key].lead)
                x->f[cur_key].lead = t;
            x->n++;
            if (t + d > x->end)
                x->end = t + d;
        }
        av_packet_unref(p);
    }
    if (x->n == 0) {
        snprintf(errstr, errstr_size, "the source has no video packets with timestamps");
        return -1;
    }
    qsort(x->f, x->n, sizeof *x->f, render_hls_cmp);
    return 0;
}

static double render_hls_T(const struct render_hls_index *x, size_t i)
{
    return i < x->n ? x->f[i].t : x->end;
}

/* Where a copy that ends before the keyframe at i ends: its leading
 * pictures come after it. */
static double render_hls_L(const struct render_hls_index *x, size_t i)
{
    return i < x->n ? x->f[i].lead : x->end;
}

/* The first frame at or after t - half. */
static size_t render_hls_lower(const struct render_hls_index *x, double t)
{
    size_t lo = 0, hi = x->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->f[mid].t < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Does a GOP start (or the stream end) at frame i? */
static int render_hls_is_key(const struct render_hls_index *x, size_t i)
{
    return i >= x->n || x->f[i].key;
}

struct render_hls_planner {
    const struct render_hls_index *x;
    struct render_hls_plan *p;
    size_t n, cap, range, in_range; /* in_range: segments so far in this range */
    int range_first;
};

static int render_hls_add(struct render_hls_planner *pl, const struct render_hls_seg *sg)
{
    int copy = sg->copy;
    if (pl->n == pl->cap) {
        pl->cap = pl->cap ? 2 * pl->cap : 64;
        void *np = realloc(pl->p, pl->cap * sizeof *pl->p);
        if (!np)
            return -1;
        pl->p = np;
    }
    struct render_hls_plan *q = &pl->p[pl->n];
    memset(q, 0, sizeof *q);
    q->sg = *sg;
    q->range = pl->range;
    q->first = pl->range_first;
    const struct render_hls_plan *prev = pl->n > 0 ? &pl->p[pl->n - 1] : NULL;
    /* a new timeline, or another encoding sequence (an encoder's output
     * next to the source's, or two encoder runs) */
    q->disc_range = !q->first && !(prev && prev->sg.copy && copy);
    q->disc = prev && (q->first || q->disc_range);
    if (q->first)
        pl->in_range = 0;
    snprintf(q->uri, sizeof q->uri, "r%04zu-%02zu.ts", pl->range + 1, pl->in_range++);
    pl->range_first = 0;
    pl->n++;
    return 0;
}

static int render_hls_add_encode(struct render_hls_planner *pl, double a, double b)
{
    struct render_hls_seg sg = { .a = a, .b = b, .copy = 0 };
    return render_hls_add(pl, &sg);
}

/* Frames [i0, i1) of one kept range: re-encoded up to its first keyframe,
 * whole GOPs copied (runs of up to target seconds), re-encoded after the
 * last whole GOP (and its leading pictures, with open GOPs). */
static int render_hls_plan_range(struct render_hls_planner *pl, size_t i0, size_t i1, double target)
{
    const struct render_hls_index *x = pl->x;
    const double eps = 1e-6, t0 = render_hls_T(x, i0), t1 = render_hls_T(x, i1);
    size_t k1 = i0;
    while (k1 < i1 && !x->f[k1].key)
        k1++;
    /* the last keyframe (or the end) whose GOP before it ends inside */
    size_t kc = 0;
    for (size_t j = k1 + 1; k1 < i1 && j <= x->n && render_hls_T(x, j) <= t1 + 60.0; j++)
        if (render_hls_is_key(x, j) && render_hls_L(x, j) <= t1 + eps &&
            render_hls_L(x, j) > render_hls_T(x, k1) + eps)
            kc = j;
    pl->range_first = 1;
    if (k1 >= i1 || kc == 0)
        return render_hls_add_encode(pl, t0, t1);
    if (k1 > i0 && render_hls_add_encode(pl, t0, render_hls_T(x, k1)) != 0)
        return -1;
    struct render_hls_seg sg = { .a = render_hls_T(x, k1), .copy = 1, .drop_leading = 1 };
    size_t cur = k1, last = k1;
    for (size_t j = k1 + 1; j <= kc; j++) {
        /* a segment may only start on a keyframe without leading pictures:
         * those need the GOP before, which a player that starts there lacks */
        if (!render_hls_is_key(x, j) || (j < x->n && x->f[j].lead < x->f[j].t - eps))
            continue;
        if (render_hls_L(x, j) - sg.a > target + eps && last > cur) {
            sg.b = render_hls_L(x, last);
            sg.ka = render_hls_T(x, cur);
            sg.kb = render_hls_T(x, last);
            if (render_hls_add(pl, &sg) != 0)
                return -1;
            sg.a = sg.b;
            sg.drop_leading = 0;
            cur = last;
        }
        last = j;
    }
    sg.b = render_hls_L(x, kc);
    sg.ka = render_hls_T(x, cur);
    sg.kb = render_hls_T(x, kc);
    if (render_hls_add(pl, &sg) != 0)
        return -1;
    if (t1 > sg.b + eps && render_hls_add_encode(pl, sg.b, t1) != 0)
        return -1;
    return 0;
}

/* ---- the directory ------------------------------------------------------- */

/* The temp directory in flight and the names that may be in it, removed by
 * the signal handler (unlink and rmdir only: async-signal-safe). */
static char render_hls_pending[4096];
static const struct render_hls_plan *render_hls_pending_plan;
static size_t render_hls_pending_n;
static volatile sig_atomic_t render_hls_have_pending;

static void render_hls_unlink_in(const char *name)
{
    char path[4200];
    size_t a = strlen(render_hls_pending), b = strlen(name);
    if (a + 1 + b >= sizeof path)
        return;
    memcpy(path, render_hls_pending, a);
    path[a] = '/';
    memcpy(path + a + 1, name, b + 1);
    unlink(path);
}

static void render_hls_on_signal(int sig)
{
    if (render_hls_have_pending) {
        for (size_t i = 0; i < render_hls_pending_n; i++)
            render_hls_unlink_in(render_hls_pending_plan[i].uri);
        render_hls_unlink_in("index.m3u8");
        render_hls_unlink_in("hls.json");
        rmdir(render_hls_pending);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

/* mkdtemp(tmp) with the handler armed for it: no signal can land between
 * the two. */
static int render_hls_mkdtemp(char *tmp, const struct render_hls_plan *p, size_t n)
{
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &old);
    int ok = mkdtemp(tmp) != NULL;
    int saved = errno;
    if (ok) {
        snprintf(render_hls_pending, sizeof render_hls_pending, "%s", tmp);
        render_hls_pending_plan = p;
        render_hls_pending_n = n;
        render_hls_have_pending = 1;
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    errno = saved;
    return ok ? 0 : -1;
}

static void render_hls_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = render_hls_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* Delete the files in dir, then dir (it holds no subdirectories). */
static void render_hls_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *de;
        char path[4096];
        while ((de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, de->d_name) < sizeof path)
                unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* DIR may be replaced: absent, empty, or written by recut-render before. */
static int render_hls_replaceable(const char *dir, char *errstr, size_t errstr_size)
{
    struct stat st;
    if (lstat(dir, &st) != 0)
        return 0;
    if (S_ISLNK(st.st_mode)) {
        snprintf(errstr, errstr_size, "%s is a symbolic link; name the directory itself", dir);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(errstr, errstr_size, "%s exists and is not a directory", dir);
        return -1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/hls.json", dir);
    if (access(path, F_OK) == 0)
        return 0;
    DIR *d = opendir(dir);
    int empty = 1;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            empty = 0;
    if (d)
        closedir(d);
    if (!empty) {
        snprintf(errstr, errstr_size,
                 "%s holds files recut-render did not write (no hls.json); not replacing it", dir);
        return -1;
    }
    return 0;
}

static int render_hls_commit(const char *tmp, const char *dir, char *errstr, size_t errstr_size)
{
    char old[4096];
    struct stat st;
    int had = lstat(dir, &st) == 0;
    if (had) {
        snprintf(old, sizeof old, "%s.old-XXXXXX", dir);
        if (!mkdtemp(old) || rename(dir, old) != 0) {
            snprintf(errstr, errstr_size, "%s: cannot move the old one aside: %s", dir,
                     strerror(errno));
            return -1;
        }
    }
    if (rename(tmp, dir) != 0) {
        snprintf(errstr, errstr_size, "%s: %s", dir, strerror(errno));
        if (had)
            rename(old, dir);
        return -1;
    }
    if (had)
        render_hls_rmdir(old);
    return 0;
}

/* ---- playlist and hls.json ----------------------------------------------- */

static int render_hls_write_text(const char *tmp, const char *name, const char *text, char *errstr,
                                 size_t errstr_size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    FILE *fp = fopen(path, "w");
    if (!fp || fputs(text, fp) == EOF || fclose(fp) != 0) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int render_hls_playlist(const char *tmp, const struct render_hls_plan *p, size_t n,
                               char *errstr, size_t errstr_size)
{
    double longest = 0;
    for (size_t i = 0; i < n; i++)
        if (p[i].sg.b - p[i].sg.a > longest)
            longest = p[i].sg.b - p[i].sg.a;
    size_t cap = 256 + n * 96;
    char *s = malloc(cap);
    if (!s) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    size_t o = (size_t)snprintf(s, cap,
                                "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:%d\n"
                                "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n",
                                (int)ceil(longest - 1e-6));
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(s + o, cap - o, "%s#EXTINF:%.6f,\n%s\n",
                              p[i].disc ? "#EXT-X-DISCONTINUITY\n" : "", p[i].sg.b - p[i].sg.a,
                              p[i].uri);
    snprintf(s + o, cap - o, "#EXT-X-ENDLIST\n");
    int rc = render_hls_write_text(tmp, "index.m3u8", s, errstr, errstr_size);
    free(s);
    return rc;
}

static int render_hls_manifest(const char *tmp, const struct av_cut *ranges,
                               const struct render_hls_plan *p, size_t n, int prepare, char *errstr,
                               size_t errstr_size)
{
    json_t *root = json_object(), *arr = json_array();
    json_object_set_new(root, "version", json_integer(1));
    json_object_set_new(root, "kind", json_string(prepare ? "scenes" : "cut"));
    json_object_set_new(root, "ranges", arr);
    for (size_t r = 0, i = 0; r < ranges->n; r++) {
        json_t *jr = json_object(), *segs = json_array();
        json_object_set_new(jr, "start", json_real(ranges->seg[r].start));
        json_object_set_new(jr, "end", json_real(ranges->seg[r].end));
        json_object_set_new(jr, "segments", segs);
        for (; i < n && p[i].range == r; i++) {
            json_t *js = json_object();
            json_object_set_new(js, "uri", json_string(p[i].uri));
            json_object_set_new(js, "duration", json_real(p[i].sg.b - p[i].sg.a));
            json_object_set_new(js, "copied", json_boolean(p[i].sg.copy));
            json_object_set_new(js, "discontinuity", json_boolean(p[i].disc_range));
            json_array_append_new(segs, js);
        }
        json_array_append_new(arr, jr);
    }
    char *s = json_dumps(root, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
    json_decref(root);
    if (!s) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    int rc = render_hls_write_text(tmp, "hls.json", s, errstr, errstr_size);
    free(s);
    return rc;
}

/* ---- the run ------------------------------------------------------------- */

/* The kept ranges as frame spans; touching ones merged unless prepare. */
static int render_hls_plan_all(struct render_hls_planner *pl, const struct av_cut *cut,
                               struct av_cut *ranges, const struct render_hls_opts *o, double half,
                               char *errstr, size_t errstr_size)
{
    const struct render_hls_index *x = pl->x;
    size_t *span = calloc(2 * cut->n + 1, sizeof *span);
    ranges->seg = calloc(cut->n + 1, sizeof *ranges->seg);
    ranges->n = 0;
    if (!span || !ranges->seg) {
        free(span);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    size_t m = 0;
    for (size_t k = 0; k < cut->n; k++) {
        size_t i0 = render_hls_lower(x, cut->seg[k].start - half);
        size_t i1 = render_hls_lower(x, cut->seg[k].end - half);
        if (cut->seg[k].end > x->end + 2.0 * half + 1e-6) {
            snprintf(errstr, errstr_size,
                     "segment %zu (%.3f-%.3f) ends beyond the source's last frame (%.3f s)", k + 1,
                     cut->seg[k].start, cut->seg[k].end, x->end);
            free(span);
            return -1;
        }
        if (i1 <= i0) {
            snprintf(errstr, errstr_size, "segment %zu (%.3f-%.3f) holds no frame of the source",
                     k + 1, cut->seg[k].start, cut->seg[k].end);
            free(span);
            return -1;
        }
        if (!o->prepare && m > 0 && i0 <= span[2 * m - 1]) {
            span[2 * m - 1] = i1;
            ranges->seg[m - 1].end = cut->seg[k].end;
            continue;
        }
        span[2 * m] = i0;
        span[2 * m + 1] = i1;
        ranges->seg[m] = cut->seg[k];
        m++;
    }
    ranges->n = m;
    int rc = 0;
    for (size_t r = 0; r < m && rc == 0; r++) {
        pl->range = r;
        rc = render_hls_plan_range(pl, span[2 * r], span[2 * r + 1], o->target);
    }
    free(span);
    if (rc != 0)
        snprintf(errstr, errstr_size, "out of memory");
    return rc;
}

static int render_hls_write_all(struct render_in *in, const char *tmp,
                                const struct render_hls_planner *pl,
                                const struct render_hls_opts *o, double *total, long *copied,
                                long *encoded, char *errstr, size_t errstr_size)
{
    AVRational vtb = in->fmt->streams[in->vi]->time_base;
    int64_t frames = 0;
    struct render_hls_enc enc = { .crf = o->crf,
                                  .preset = o->preset,
                                  .half = 0.5 / in->fps,
                                  .offset = llround(10.0 / av_q2d(vtb)),
                                  .frames = &frames };
    double sum = 0;
    for (size_t i = 0; i < pl->n; i++)
        sum += pl->p[i].sg.b - pl->p[i].sg.a;
    struct av_progress prog;
    av_progress_init(&prog, "rendering HLS", sum, o->quiet);
    double done = 0;
    *copied = *encoded = 0;
    for (size_t i = 0; i < pl->n; i++) {
        const struct render_hls_plan *q = &pl->p[i];
        char path[4096], e[384];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", tmp, q->uri) >= sizeof path) {
            snprintf(errstr, errstr_size, "%s: path too long", tmp);
            return -1;
        }
        frames = 0;
        if (render_hls_seg_write(in, path, &q->sg, &enc, e, sizeof e) != 0) {
            snprintf(errstr, errstr_size, "segment %s (%.3f-%.3f s): %s", q->uri, q->sg.a, q->sg.b,
                     e);
            return -1;
        }
        *(q->sg.copy ? copied : encoded) += (long)frames;
        done += q->sg.b - q->sg.a;
        av_progress_update(&prog, done);
    }
    av_progress_finish(&prog);
    *total = sum;
    return 0;
}

int render_hls_run(struct render_in *in, const struct av_cut *cut, const struct render_hls_opts *o,
                   double *total, long *copied, long *encoded, char *errstr, size_t errstr_size)
{
    if (render_hls_seg_check(in, errstr, errstr_size) != 0 ||
        render_hls_replaceable(o->dir, errstr, errstr_size) != 0)
        return -1;
    size_t dm = 0;
    if (av_stream_get_side_data(in->fmt->streams[in->vi], AV_PKT_DATA_DISPLAYMATRIX, &dm) &&
        !o->quiet)
        fprintf(stderr, "recut-render: warning: MPEG-TS cannot carry the source's rotation "
                        "(display matrix): players will show the picture unrotated\n");
    /* for the parts re-encoded; no audio decoder: audio is copied */
    if (!in->vdec &&
        av_decoder_open(in->fmt->streams[in->vi], 0, &in->vdec, errstr, errstr_size) != 0)
        return -1;
    struct render_hls_index x;
    struct render_hls_planner pl;
    memset(&pl, 0, sizeof pl);
    struct av_cut ranges = { NULL, 0 };
    char tmp[4096];
    int rc = -1, made = 0;
    if (render_hls_index_build(in, &x, errstr, errstr_size) != 0)
        goto done;
    pl.x = &x;
    if (render_hls_plan_all(&pl, cut, &ranges, o, 0.5 / in->fps, errstr, errstr_size) != 0)
        goto done;
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", o->dir) >= sizeof tmp) {
        snprintf(errstr, errstr_size, "%s: path too long", o->dir);
        goto done;
    }
    render_hls_install();
    if (render_hls_mkdtemp(tmp, pl.p, pl.n) != 0) {
        snprintf(errstr, errstr_size, "%s: cannot create a directory beside it: %s", o->dir,
                 strerror(errno));
        goto done;
    }
    made = 1;
    if (render_hls_write_all(in, tmp, &pl, o, total, copied, encoded, errstr, errstr_size) != 0 ||
        render_hls_playlist(tmp, pl.p, pl.n, errstr, errstr_size) != 0 ||
        render_hls_manifest(tmp, &ranges, pl.p, pl.n, o->prepare, errstr, errstr_size) != 0)
        goto done;
    chmod(tmp, 0755);
    render_hls_have_pending = 0; /* from here a signal leaves what it finds */
    if (render_hls_commit(tmp, o->dir, errstr, errstr_size) != 0)
        goto done;
    made = 0;
    rc = 0;
done:
    render_hls_have_pending = 0;
    if (made)
        render_hls_rmdir(tmp);
    free(x.f);
    free(pl.p);
    av_cut_free(&ranges);
    return rc;
}
