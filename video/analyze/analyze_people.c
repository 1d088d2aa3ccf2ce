/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_people.c -- faces and recurring people in recut-analyze.
 *
 * Why this shape: shots are only known after the whole movie is decoded, and
 * a second decoding pass would halve the speed, so faces are looked for
 * during the one pass, on a sparse sample of frames (one per
 * ANALYZE_PEOPLE_STEP seconds, plus one ANALYZE_PEOPLE_AFTER seconds after
 * each likely cut so that short shots are seen too).  Each detection keeps
 * its box, its smile and its appearance descriptor (analyze_faces.h).
 *
 * Afterwards, within each shot, a face in one sample continues the track of
 * the face in the previous sample whose box overlaps it most (IoU >=
 * ANALYZE_PEOPLE_IOU).  A track seen in one sample only, in a shot where
 * the face could have been seen in more, is taken for a detector false
 * alarm and dropped.  The tracks' mean descriptors are grouped across the
 * movie by agglomerative clustering (average linkage, chi-square distance,
 * cut at ANALYZE_PEOPLE_SAME) with the nearest-neighbour chain algorithm;
 * the groups are numbered person:1, person:2 ... in order of first
 * appearance. */
#include "analyze_people.h"
#include "analyze_faces.h"

#include <libavutil/frame.h>
#include <libavutil/pixfmt.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define ANALYZE_PEOPLE_STEP 1.0     /* s between regular samples */
#define ANALYZE_PEOPLE_AFTER 0.2    /* s after a likely cut */
#define ANALYZE_PEOPLE_GAP 0.4      /* s, least distance between samples */
#define ANALYZE_PEOPLE_CUT 0.2f     /* frame distance taken for a likely cut */
#define ANALYZE_PEOPLE_IOU 0.25     /* box overlap that continues a track */
#define ANALYZE_PEOPLE_SAME 0.12    /* cluster cut: mean chi-square distance */
#define ANALYZE_PEOPLE_CLOSEUP 0.04 /* face area share for close-up */
#define ANALYZE_PEOPLE_GROUP 3      /* faces at once for group */
#define ANALYZE_PEOPLE_SMILE 0.5    /* smiling share of detections */
#define ANALYZE_PEOPLE_LABELS 3     /* person:N labels per scene at most */
#define ANALYZE_PEOPLE_CLUSTER 2000 /* tracks clustered exactly at most */

struct analyze_people_det {
    size_t sample;
    float x, y, w, h;
    int smile;
    size_t track;
};

struct analyze_people_track {
    size_t shot, n, first;
    double t0;
    int kept, person;
};

struct analyze_people {
    struct analyze_faces *fd;
    struct SwsContext *sws;
    uint8_t *grey;
    size_t grey_size;
    double next_t, last_t;
    double *st; /* sample times */
    size_t ns, caps;
    struct analyze_people_det *det;
    float *desc; /* ANALYZE_FACES_DESC per detection */
    size_t nd, capd;
    struct analyze_people_track *tr;
    size_t ntr;
    int npersons;
    struct analyze_faces_hit hits[ANALYZE_FACES_MAX];
    /* the detector's thread: one frame waits in the slot while the thread
     * works on the one before (in its own buffer) */
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int started, pending, stop, failed;
    uint8_t *slot, *work;
    size_t slot_size, work_size;
    int w, h;
    double t;
    char err[256];
};

int analyze_people_open(struct analyze_people **out, const char *dir, char *errstr,
                        size_t errstr_size)
{
    struct analyze_people *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    if (analyze_faces_open(&p->fd, dir, errstr, errstr_size) != 0) {
        free(p);
        return -1;
    }
    p->last_t = -1e9;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    *out = p;
    return 0;
}

/* Wait for the detector's thread to finish what it was given, and stop it. */
static void analyze_people_join(struct analyze_people *p)
{
    if (!p->started)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->th, NULL);
    p->started = 0;
}

void analyze_people_free(struct analyze_people *p)
{
    if (!p)
        return;
    analyze_people_join(p);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->slot);
    free(p->work);
    analyze_faces_close(p->fd);
    sws_freeContext(p->sws);
    free(p->grey);
    free(p->st);
    free(p->det);
    free(p->desc);
    free(p->tr);
    free(p);
}

/* The frame's luma plane, converted only when the format has none. */
static const uint8_t *analyze_people_grey(struct analyze_people *p, const struct AVFrame *fr,
                                          int *stride)
{
    switch (fr->format) {
    case AV_PIX_FMT_YUV420P:
    case AV_PIX_FMT_YUVJ420P:
    case AV_PIX_FMT_YUV422P:
    case AV_PIX_FMT_YUVJ422P:
    case AV_PIX_FMT_YUV444P:
    case AV_PIX_FMT_YUVJ444P:
    case AV_PIX_FMT_NV12:
    case AV_PIX_FMT_NV21:
    case AV_PIX_FMT_GRAY8:
        *stride = fr->linesize[0];
        return fr->data[0];
    default:
        break;
    }
    size_t need = (size_t)fr->width * (size_t)fr->height;
    if (need > p->grey_size) {
        uint8_t *g = realloc(p->grey, need);
        if (!g)
            return NULL;
        p->grey = g, p->grey_size = need;
    }
    p->sws = sws_getCachedContext(p->sws, fr->width, fr->height, fr->format, fr->width, fr->height,
                                  AV_PIX_FMT_GRAY8, SWS_POINT, NULL, NULL, NULL);
    if (!p->sws)
        return NULL;
    uint8_t *dst[4] = { p->grey, NULL, NULL, NULL };
    int dls[4] = { fr->width, 0, 0, 0 };
    if (sws_scale(p->sws, (const uint8_t *const *)fr->data, fr->linesize, 0, fr->height, dst,
                  dls) <= 0)
        return NULL;
    *stride = fr->width;
    return p->grey;
}

/* Detect faces in the frame in p->work (worker thread) and keep them. */
static int analyze_people_detect(struct analyze_people *p, double t, char *errstr,
                                 size_t errstr_size)
{
    int n = analyze_faces_detect(p->fd, p->work, p->w, p->h, p->w, p->hits, errstr, errstr_size);
    if (n < 0)
        return -1;
    if (p->ns == p->caps) {
        size_t cap = p->caps ? p->caps * 2 : 256;
        double *st = realloc(p->st, cap * sizeof *st);
        if (!st)
            goto oom;
        p->st = st, p->caps = cap;
    }
    if (p->nd + (size_t)n > p->capd) {
        size_t cap = p->capd ? p->capd * 2 : 256;
        while (cap < p->nd + (size_t)n)
            cap *= 2;
        struct analyze_people_det *d = realloc(p->det, cap * sizeof *d);
        if (!d)
            goto oom;
        p->det = d;
        float *desc = realloc(p->desc, cap * ANALYZE_FACES_DESC * sizeof *desc);
        if (!desc)
            goto oom;
        p->desc = desc, p->capd = cap;
    }
    for (int i = 0; i < n; i++) {
        struct analyze_people_det *d = &p->det[p->nd];
        memset(d, 0, sizeof *d);
        d->sample = p->ns;
        d->x = p->hits[i].x, d->y = p->hits[i].y, d->w = p->hits[i].w, d->h = p->hits[i].h;
        d->smile = p->hits[i].smile;
        memcpy(p->desc + p->nd * ANALYZE_FACES_DESC, p->hits[i].desc, sizeof p->hits[i].desc);
        p->nd++;
    }
    p->st[p->ns++] = t;
    return 0;
oom:
    snprintf(errstr, errstr_size, "out of memory");
    return -1;
}

/* The detector's thread: takes the frame in the slot, works on it while the
 * decoder goes on.  The samples and detections are only read after
 * analyze_people_join(). */
static void *analyze_people_thread(void *arg)
{
    struct analyze_people *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->pending && !p->stop)
            pthread_cond_wait(&p->cv, &p->mu);
        if (!p->pending)
            break; /* stopped, nothing left */
        uint8_t *b = p->work;
        size_t bs = p->work_size;
        p->work = p->slot, p->work_size = p->slot_size;
        p->slot = b, p->slot_size = bs;
        p->pending = 0;
        double t = p->t;
        int failed = p->failed;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        char e[256];
        int r = failed ? 0 : analyze_people_detect(p, t, e, sizeof e);
        pthread_mutex_lock(&p->mu);
        if (r != 0 && !p->failed) {
            p->failed = 1;
            snprintf(p->err, sizeof p->err, "%s", e);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int analyze_people_frame(struct analyze_people *p, const struct AVFrame *fr, double t,
                         const struct analyze_movie *m, char *errstr, size_t errstr_size)
{
    if (m->nf > 1 && m->f[m->nf - 1].d[0] >= ANALYZE_PEOPLE_CUT &&
        p->next_t > t + ANALYZE_PEOPLE_AFTER)
        p->next_t = t + ANALYZE_PEOPLE_AFTER; /* look at the new shot soon */
    if (t < p->next_t || t < p->last_t + ANALYZE_PEOPLE_GAP)
        return 0;
    p->next_t = t + ANALYZE_PEOPLE_STEP;
    p->last_t = t;
    int stride = 0;
    const uint8_t *grey = analyze_people_grey(p, fr, &stride);
    if (!grey) {
        snprintf(errstr, errstr_size, "cannot convert a frame for face detection");
        return -1;
    }
    if (!p->started) {
        if (pthread_create(&p->th, NULL, analyze_people_thread, p) != 0) {
            snprintf(errstr, errstr_size, "cannot start the face detection thread");
            return -1;
        }
        p->started = 1;
    }
    size_t need = (size_t)fr->width * (size_t)fr->height;
    pthread_mutex_lock(&p->mu);
    while (p->pending && !p->failed)
        pthread_cond_wait(&p->cv, &p->mu); /* the thread is behind: wait */
    if (p->failed) {
        snprintf(errstr, errstr_size, "%s", p->err);
        pthread_mutex_unlock(&p->mu);
        return -1;
    }
    if (need > p->slot_size) {
        uint8_t *b = realloc(p->slot, need);
        if (!b) {
            pthread_mutex_unlock(&p->mu);
            snprintf(errstr, errstr_size, "out of memory");
            return -1;
        }
        p->slot = b, p->slot_size = need;
    }
    for (int y = 0; y < fr->height; y++)
        memcpy(p->slot + (size_t)y * (size_t)fr->width, grey + (ptrdiff_t)y * stride,
               (size_t)fr->width);
    p->w = fr->width, p->h = fr->height, p->t = t;
    p->pending = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

static double analyze_people_iou(const struct analyze_people_det *a,
                                 const struct analyze_people_det *b)
{
    double x0 = fmax(a->x, b->x), y0 = fmax(a->y, b->y);
    double x1 = fmin(a->x + a->w, b->x + b->w), y1 = fmin(a->y + a->h, b->y + b->h);
    if (x1 <= x0 || y1 <= y0)
        return 0.0;
    double in = (x1 - x0) * (y1 - y0);
    return in / ((double)a->w * a->h + (double)b->w * b->h - in);
}

static size_t analyze_people_shot_of(const struct analyze_movie *m, double t, size_t from)
{
    size_t s = from;
    while (s + 1 < m->nshots && t >= m->shots[s + 1].start - 1e-9)
        s++;
    return s;
}

/* Link detections into tracks within shots; mark the kept ones. */
static int analyze_people_track(struct analyze_people *p, const struct analyze_movie *m)
{
    free(p->tr);
    p->tr = calloc(p->nd ? p->nd : 1, sizeof *p->tr);
    size_t *shot = calloc(p->ns ? p->ns : 1, sizeof *shot);
    size_t *last = calloc(p->nd ? p->nd : 1, sizeof *last); /* last det of each track */
    if (!p->tr || !shot || !last) {
        free(shot), free(last);
        return -1;
    }
    p->ntr = 0;
    for (size_t s = 0, sh = 0; s < p->ns; s++)
        shot[s] = sh = analyze_people_shot_of(m, p->st[s], sh);
    size_t d0 = 0, shot_first_track = 0;
    for (size_t s = 0; s < p->ns; s++) {
        if (s == 0 || shot[s] != shot[s - 1])
            shot_first_track = p->ntr;
        size_t d1 = d0;
        while (d1 < p->nd && p->det[d1].sample == s)
            d1++;
        size_t ntr_before = p->ntr;
        /* greedy: each detection takes the best-overlapping open track of
		 * the previous sample in this shot, largest faces first */
        for (size_t d = d0; d < d1; d++) {
            struct analyze_people_det *dt = &p->det[d];
            size_t best = SIZE_MAX;
            double best_iou = ANALYZE_PEOPLE_IOU;
            for (size_t k = shot_first_track; k < ntr_before; k++) {
                const struct analyze_people_det *l = &p->det[last[k]];
                if (s == 0 || l->sample != s - 1)
                    continue;
                double iou = analyze_people_iou(dt, l);
                if (iou >= best_iou)
                    best = k, best_iou = iou;
            }
            if (best != SIZE_MAX) {
                last[best] = d; /* one detection per track and sample */
                p->tr[best].n++;
                dt->track = best;
                continue;
            }
            struct analyze_people_track *t = &p->tr[p->ntr];
            t->shot = shot[s], t->n = 1, t->first = d, t->t0 = p->st[s], t->person = 0;
            last[p->ntr] = d;
            dt->track = p->ntr++;
        }
        d0 = d1;
    }
    /* samples per shot, for the false-alarm rule */
    size_t *per_shot = calloc(m->nshots ? m->nshots : 1, sizeof *per_shot);
    if (!per_shot) {
        free(shot), free(last);
        return -1;
    }
    for (size_t s = 0; s < p->ns; s++)
        per_shot[shot[s]]++;
    for (size_t k = 0; k < p->ntr; k++)
        p->tr[k].kept = p->tr[k].n >= 2 || per_shot[p->tr[k].shot] <= 2;
    free(per_shot);
    free(shot);
    free(last);
    return 0;
}

static size_t analyze_people_find(size_t *parent, size_t i)
{
    while (parent[i] != i)
        i = parent[i] = parent[parent[i]];
    return i;
}

/* Average-linkage clustering of the kept tracks (nearest-neighbour chain);
 * p->tr[k].person = cluster root + 1 (renumbered later). */
static int analyze_people_cluster(struct analyze_people *p)
{
    size_t n = 0;
    for (size_t k = 0; k < p->ntr; k++)
        n += p->tr[k].kept != 0;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    float *mean = calloc((n ? n : 1) * ANALYZE_FACES_DESC, sizeof *mean);
    if (!idx || !mean) {
        free(idx), free(mean);
        return -1;
    }
    n = 0;
    for (size_t k = 0; k < p->ntr; k++)
        if (p->tr[k].kept)
            p->tr[k].person = (int)n, idx[n++] = k; /* person: the track's row for now */
    for (size_t d = 0; d < p->nd; d++) {
        const struct analyze_people_track *t = &p->tr[p->det[d].track];
        if (!t->kept)
            continue;
        size_t i = (size_t)t->person;
        for (int b = 0; b < ANALYZE_FACES_DESC; b++)
            mean[i * ANALYZE_FACES_DESC + b] += p->desc[d * ANALYZE_FACES_DESC + b] / (float)t->n;
    }
    /* the longest tracks are clustered exactly; the rest join the nearest */
    size_t nc = n < ANALYZE_PEOPLE_CLUSTER ? n : ANALYZE_PEOPLE_CLUSTER;
    float *dm = malloc((nc ? nc * nc : 1) * sizeof *dm);
    size_t *parent = malloc((n ? n : 1) * sizeof *parent),
           *size = malloc((nc ? nc : 1) * sizeof *size);
    size_t *chain = malloc((nc ? nc : 1) * sizeof *chain);
    char *alive = malloc(nc ? nc : 1);
    if (!dm || !parent || !size || !chain || !alive) {
        free(idx), free(mean), free(dm), free(parent), free(size), free(chain), free(alive);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        parent[i] = i;
    for (size_t i = 0; i < nc; i++) {
        size[i] = 1, alive[i] = 1, dm[i * nc + i] = 0;
        for (size_t j = i + 1; j < nc; j++)
            dm[i * nc + j] = dm[j * nc + i] = (float)analyze_faces_distance(
                mean + i * ANALYZE_FACES_DESC, mean + j * ANALYZE_FACES_DESC);
    }
    size_t left = nc, top = 0;
    while (left > 1) {
        if (top == 0) {
            size_t a = 0;
            while (!alive[a])
                a++;
            chain[top++] = a;
        }
        size_t a = chain[top - 1], b = SIZE_MAX;
        float best = INFINITY;
        if (top >= 2)
            b = chain[top - 2], best = dm[a * nc + b];
        for (size_t c = 0; c < nc; c++)
            if (alive[c] && c != a && dm[a * nc + c] < best)
                best = dm[a * nc + c], b = c;
        if (top >= 2 && b == chain[top - 2]) {
            top -= 2;
            if (best <= ANALYZE_PEOPLE_SAME)
                parent[analyze_people_find(parent, b)] = analyze_people_find(parent, a);
            for (size_t c = 0; c < nc; c++)
                if (alive[c] && c != a && c != b) {
                    float v = ((float)size[a] * dm[a * nc + c] + (float)size[b] * dm[b * nc + c]) /
                              (float)(size[a] + size[b]);
                    dm[a * nc + c] = dm[c * nc + a] = v;
                }
            size[a] += size[b];
            alive[b] = 0;
            left--;
        } else {
            chain[top++] = b;
        }
    }
    for (size_t i = nc; i < n; i++) {
        size_t best = SIZE_MAX;
        double bd = ANALYZE_PEOPLE_SAME;
        for (size_t j = 0; j < nc; j++) {
            double dd = analyze_faces_distance(mean + i * ANALYZE_FACES_DESC,
                                               mean + j * ANALYZE_FACES_DESC);
            if (dd <= bd)
                bd = dd, best = j;
        }
        if (best != SIZE_MAX)
            parent[i] = analyze_people_find(parent, best);
    }
    for (size_t i = 0; i < n; i++)
        p->tr[idx[i]].person = (int)analyze_people_find(parent, i) + 1;
    free(idx), free(mean), free(dm), free(parent), free(size), free(chain), free(alive);
    return 0;
}

/* Number the people 1, 2, ... by first appearance. */
static void analyze_people_number(struct analyze_people *p)
{
    p->npersons = 0;
    for (size_t k = 0; k < p->ntr; k++) {
        /* tracks are in order of first appearance */
        if (!p->tr[k].kept || p->tr[k].person <= 0)
            continue;
        int old = p->tr[k].person;
        int id = ++p->npersons;
        for (size_t j = k; j < p->ntr; j++)
            if (p->tr[j].kept && p->tr[j].person == old)
                p->tr[j].person = -id;
    }
    for (size_t k = 0; k < p->ntr; k++)
        p->tr[k].person = p->tr[k].kept ? -p->tr[k].person : 0;
}

static void analyze_people_label(struct analyze_scene *sc, const char *l)
{
    if (sc->nlabels < ANALYZE_LABELS)
        snprintf(sc->labels[sc->nlabels++], sizeof sc->labels[0], "%s", l);
}

static void analyze_people_scene(const struct analyze_people *p, struct analyze_scene *sc)
{
    struct analyze_feat *f = &sc->feat;
    size_t samples = 0, dets = 0, smiles = 0;
    int faces = 0;
    double share = 0;
    int pid[ANALYZE_PEOPLE_LABELS * 4];
    size_t pcount[ANALYZE_PEOPLE_LABELS * 4];
    int np = 0;
    size_t d = 0;
    for (size_t s = 0; s < p->ns; s++) {
        while (d < p->nd && p->det[d].sample < s)
            d++;
        if (p->st[s] < sc->start - 1e-9 || p->st[s] >= sc->end - 1e-9)
            continue;
        samples++;
        int here = 0;
        for (size_t k = d; k < p->nd && p->det[k].sample == s; k++) {
            const struct analyze_people_det *dt = &p->det[k];
            const struct analyze_people_track *t = &p->tr[dt->track];
            if (!t->kept)
                continue;
            here++, dets++;
            smiles += dt->smile != 0;
            if ((double)dt->w * dt->h > share)
                share = (double)dt->w * dt->h;
            int i = 0;
            while (i < np && pid[i] != t->person)
                i++;
            if (i == np && np < (int)(sizeof pid / sizeof pid[0]))
                pid[np] = t->person, pcount[np++] = 0;
            if (i < np)
                pcount[i]++;
        }
        if (here > faces)
            faces = here;
    }
    f->faces = faces;
    f->face_share = share;
    f->smile = dets ? (double)smiles / (double)dets : 0.0;
    if (samples == 0)
        return; /* a scene too short to be sampled: nothing known */
    if (faces == 0) {
        analyze_people_label(sc, "no-people");
        return;
    }
    analyze_people_label(sc, "faces");
    if (share >= ANALYZE_PEOPLE_CLOSEUP)
        analyze_people_label(sc, "close-up");
    if (faces >= ANALYZE_PEOPLE_GROUP)
        analyze_people_label(sc, "group");
    if (f->smile >= ANALYZE_PEOPLE_SMILE)
        analyze_people_label(sc, "smile");
    /* the people seen most in the scene, by detections, then first seen */
    for (int k = 0; k < ANALYZE_PEOPLE_LABELS && k < np; k++) {
        int best = k;
        for (int i = k + 1; i < np; i++)
            if (pcount[i] > pcount[best])
                best = i;
        int ti = pid[k];
        size_t tc = pcount[k];
        pid[k] = pid[best], pcount[k] = pcount[best];
        pid[best] = ti, pcount[best] = tc;
        char l[16];
        snprintf(l, sizeof l, "person:%d", pid[k]);
        analyze_people_label(sc, l);
    }
}

int analyze_people_scenes(struct analyze_people *p, struct analyze_movie *m, char *errstr,
                          size_t errstr_size)
{
    analyze_people_join(p);
    if (p->failed) {
        snprintf(errstr, errstr_size, "%s", p->err);
        return -1;
    }
    if (analyze_people_track(p, m) != 0 || analyze_people_cluster(p) != 0) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    analyze_people_number(p);
    for (size_t s = 0; s < m->nscenes; s++)
        analyze_people_scene(p, &m->scenes[s]);
    return 0;
}

void analyze_people_plot(const struct analyze_people *p, const struct analyze_movie *m, FILE *fp,
                         double x0, double x1, double y, double h)
{
    static const char *const colours[] = { "#1b9e77", "#d95f02", "#7570b3", "#e7298a",
                                           "#66a61e", "#e6ab02", "#a6761d", "#666666" };
    fprintf(fp,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
            "stroke=\"#888\"/>\n<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"12\" "
            "fill=\"#444\">faces</text>\n",
            x0, y, x1 - x0, h, x0 - 6, y + h / 2 + 4);
    double span = m->duration > 0 ? m->duration : 1.0;
    size_t d = 0;
    for (size_t s = 0; s < p->ns; s++) {
        int n = 0, person = 0;
        float big = 0;
        for (; d < p->nd && p->det[d].sample == s; d++) {
            const struct analyze_people_track *t = &p->tr[p->det[d].track];
            if (!t->kept)
                continue;
            n++;
            if (p->det[d].w * p->det[d].h > big)
                big = p->det[d].w * p->det[d].h, person = t->person;
        }
        double x = x0 + (x1 - x0) * p->st[s] / span;
        if (n == 0) {
            fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ccc\"/>\n",
                    x, y + h - 2, x, y + h);
            continue;
        }
        double bar = (h - 4) * (n > 4 ? 4 : n) / 4.0;
        fprintf(fp,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"3\" height=\"%.1f\" fill=\"%s\">"
                "<title>%.1f s: %d face%s, largest %.1f%% of the frame, person:%d</title></rect>\n",
                x - 1.5, y + h - bar, bar, colours[(person - 1) & 7], p->st[s], n,
                n == 1 ? "" : "s", 100.0 * big, person);
    }
    /* the people of each scene, written when there is room */
    for (size_t s = 0; s < m->nscenes; s++) {
        const struct analyze_scene *sc = &m->scenes[s];
        char who[64] = "";
        size_t used = 0;
        for (int l = 0; l < sc->nlabels && used < sizeof who; l++)
            if (strncmp(sc->labels[l], "person:", 7) == 0) {
                int w = snprintf(who + used, sizeof who - used, "%sP%s", used ? " " : "",
                                 sc->labels[l] + 7);
                if (w < 0)
                    break;
                used += (size_t)w;
            }
        double a = x0 + (x1 - x0) * sc->start / span, b = x0 + (x1 - x0) * sc->end / span;
        if (who[0] && b - a > 7.0 * (double)strlen(who))
            fprintf(fp,
                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\" "
                    "fill=\"#333\">%s</text>\n",
                    (a + b) / 2, y + 10, who);
    }
}
