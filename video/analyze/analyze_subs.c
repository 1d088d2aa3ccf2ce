/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_subs.c -- what is said in each scene, from subtitles.
 *
 * Why: motion and loudness cannot tell a love scene from a quarrel; the
 * words can.  Cues come from FFmpeg's text subtitle decoders (SubRip, ASS,
 * mov_text, WebVTT...) through avcodec_decode_subtitle2, either from the
 * movie's first text subtitle stream or from a sidecar file libavformat
 * demuxes.  Their text is reduced to plain words (ASS override blocks
 * {...}, \N line breaks and the dialogue-line fields dropped).
 *
 * A cue belongs to the scene it overlaps most; the scene's `subtitle` is its
 * cues' text in order, and `subcover` the share of the scene the cues
 * cover.  Tags are the scene's words (lowercased by the comment model's
 * tokenizer, stop words, numbers and words under three letters dropped)
 * ranked by count times log(1 + scenes / scenes with the word), at most
 * ANALYZE_TAGS.  Sentiment is the shipped comment model (lib/models
 * nbtext) read with equal class priors: tanh(llr / 2), llr the sum of the
 * words' log-likelihood ratios positive vs negative, i.e. the model's
 * log-odds minus its prior log-odds (the model was trained on far more
 * positive than negative comments, which would make every line positive);
 * a scene none of whose words the model knows gets no sentiment. */
#include "analyze_subs.h"
#include "nbtext.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int analyze_subs_pick(const AVFormatContext *fmt, int *others)
{
    *others = 0;
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        const AVCodecParameters *par = fmt->streams[i]->codecpar;
        if (par->codec_type != AVMEDIA_TYPE_SUBTITLE)
            continue;
        const AVCodecDescriptor *desc = avcodec_descriptor_get(par->codec_id);
        if (desc && (desc->props & AV_CODEC_PROP_TEXT_SUB) && avcodec_find_decoder(par->codec_id))
            return (int)i;
        (*others)++;
    }
    return -1;
}

int analyze_subs_open(struct analyze_subs *s, AVFormatContext *fmt, int si, double t0, char *errstr,
                      size_t errstr_size)
{
    memset(s, 0, sizeof *s);
    const AVStream *st = fmt->streams[si];
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    const AVCodecDescriptor *desc = avcodec_descriptor_get(st->codecpar->codec_id);
    if (!codec || !desc || !(desc->props & AV_CODEC_PROP_TEXT_SUB)) {
        snprintf(errstr, errstr_size, "subtitle stream %d (%s) is not text FFmpeg decodes", si,
                 desc ? desc->name : "unknown codec");
        return -1;
    }
    s->dec = avcodec_alloc_context3(codec);
    if (!s->dec || avcodec_parameters_to_context(s->dec, st->codecpar) < 0) {
        snprintf(errstr, errstr_size, "out of memory");
        avcodec_free_context(&s->dec);
        return -1;
    }
    s->dec->pkt_timebase = st->time_base;
    if (avcodec_open2(s->dec, codec, NULL) < 0) {
        snprintf(errstr, errstr_size, "cannot open the %s subtitle decoder", desc->name);
        avcodec_free_context(&s->dec);
        return -1;
    }
    s->tb = av_q2d(st->time_base);
    s->t0 = t0;
    return 0;
}

void analyze_subs_close(struct analyze_subs *s)
{
    avcodec_free_context(&s->dec);
}

/* Plain text of one ASS dialogue line or plain text rect, appended to out. */
static void analyze_subs_plain(const char *src, int ass, char *out, size_t n, size_t *len)
{
    if (ass) { /* ReadOrder,Layer,Style,Name,MarginL,MarginR,MarginV,Effect,Text */
        for (int commas = 0; *src && commas < 8; src++)
            commas += *src == ',';
    }
    int space = *len == 0;
    for (const char *p = src; *p && *len + 2 < n; p++) {
        char c = *p;
        if (ass && c == '{') {
            const char *e = strchr(p, '}');
            if (e) {
                p = e;
                continue;
            }
        }
        if (ass && c == '\\' && (p[1] == 'N' || p[1] == 'n' || p[1] == 'h')) {
            p++;
            c = ' ';
        }
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
        if (c == ' ') {
            if (!space)
                out[(*len)++] = ' ';
            space = 1;
            continue;
        }
        /* whole UTF-8 sequences only, so that a full buffer cuts between
         * characters */
        unsigned char u = (unsigned char)c;
        size_t seq = u < 0xC0 ? 1 : (u < 0xE0 ? 2 : (u < 0xF0 ? 3 : 4));
        if (*len + seq + 2 > n)
            break;
        size_t i = 0;
        for (; i < seq && p[i]; i++)
            out[(*len)++] = p[i];
        p += i - 1;
        space = 0;
    }
    out[*len] = '\0';
}

static int analyze_subs_add(struct analyze_movie *m, double start, double end, const char *text)
{
    if (m->ncues == m->capcues) {
        size_t ncap = m->capcues ? m->capcues * 2 : 64;
        struct analyze_cue *c = realloc(m->cues, ncap * sizeof *c);
        if (!c)
            return -1;
        m->cues = c;
        m->capcues = ncap;
    }
    char *t = strdup(text);
    if (!t)
        return -1;
    /* keep time order (packets are demuxed in order; a late one moves back) */
    size_t i = m->ncues;
    while (i > 0 && m->cues[i - 1].start > start) {
        m->cues[i] = m->cues[i - 1];
        i--;
    }
    m->cues[i] = (struct analyze_cue){ start, end, t };
    m->ncues++;
    return 0;
}

int analyze_subs_packet(struct analyze_subs *s, const AVPacket *pkt, struct analyze_movie *m,
                        char *errstr, size_t errstr_size)
{
    AVSubtitle sub;
    int got = 0;
    m->has_subs = 1;
    if (pkt->pts == AV_NOPTS_VALUE) {
        s->damaged++;
        return 1;
    }
    int ret = avcodec_decode_subtitle2(s->dec, &sub, &got, (AVPacket *)pkt);
    if (ret < 0) {
        s->damaged++;
        return 1;
    }
    if (!got)
        return 0;
    double start = (double)pkt->pts * s->tb - s->t0 + sub.start_display_time / 1000.0;
    double end = sub.end_display_time > sub.start_display_time && sub.end_display_time != UINT32_MAX
                     ? (double)pkt->pts * s->tb - s->t0 + sub.end_display_time / 1000.0
                     : start + (pkt->duration > 0 ? (double)pkt->duration * s->tb : 2.0);
    char text[4096];
    size_t len = 0;
    text[0] = '\0';
    for (unsigned i = 0; i < sub.num_rects; i++) {
        const AVSubtitleRect *r = sub.rects[i];
        if (r->type == SUBTITLE_ASS && r->ass)
            analyze_subs_plain(r->ass, 1, text, sizeof text, &len);
        else if (r->type == SUBTITLE_TEXT && r->text)
            analyze_subs_plain(r->text, 0, text, sizeof text, &len);
        else if (r->type == SUBTITLE_BITMAP)
            s->bitmap++;
        if (len > 0 && len + 2 < sizeof text && text[len - 1] != ' ')
            text[len++] = ' ', text[len] = '\0';
    }
    avsubtitle_free(&sub);
    while (len > 0 && text[len - 1] == ' ')
        text[--len] = '\0';
    if (len == 0 || !(end > start))
        return 0;
    if (start < 0)
        start = 0;
    if (analyze_subs_add(m, start, end, text) != 0) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    return 0;
}

int analyze_subs_load(const char *path, struct analyze_movie *m, char *errstr, size_t errstr_size)
{
    AVFormatContext *fmt = NULL;
    AVPacket *pkt = av_packet_alloc();
    struct analyze_subs s;
    memset(&s, 0, sizeof s);
    char e[256];
    int rc = -1, ret;
    if (!pkt) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    if ((ret = avformat_open_input(&fmt, path, NULL, NULL)) < 0) {
        av_strerror(ret, e, sizeof e);
        snprintf(errstr, errstr_size, "%s: cannot read as subtitles: %s", path, e);
        goto out;
    }
    if (avformat_find_stream_info(fmt, NULL) < 0) {
        snprintf(errstr, errstr_size, "%s: not a subtitle file FFmpeg reads", path);
        goto out;
    }
    int si = av_find_best_stream(fmt, AVMEDIA_TYPE_SUBTITLE, -1, -1, NULL, 0);
    if (si < 0) {
        snprintf(errstr, errstr_size, "%s: not a subtitle file (no subtitle stream, format %s)",
                 path, fmt->iformat->name);
        goto out;
    }
    if (analyze_subs_open(&s, fmt, si, 0.0, e, sizeof e) != 0) {
        snprintf(errstr, errstr_size, "%s: %s", path, e);
        goto out;
    }
    /* the sidecar replaces what the movie carries */
    for (size_t i = 0; i < m->ncues; i++)
        free(m->cues[i].text);
    m->ncues = 0;
    for (;;) {
        ret = av_read_frame(fmt, pkt);
        if (ret == AVERROR_EOF)
            break;
        if (ret < 0) {
            av_strerror(ret, e, sizeof e);
            snprintf(errstr, errstr_size, "%s: read error: %s", path, e);
            goto out;
        }
        int r = 0;
        if (pkt->stream_index == si)
            r = analyze_subs_packet(&s, pkt, m, errstr, errstr_size);
        av_packet_unref(pkt);
        if (r < 0)
            goto out;
        if (r > 0) {
            snprintf(errstr, errstr_size, "%s: a cue does not decode (bad text or encoding)", path);
            goto out;
        }
    }
    if (m->ncues == 0) {
        snprintf(errstr, errstr_size, "%s: no subtitle cues found", path);
        goto out;
    }
    m->has_subs = 1;
    rc = 0;
out:
    analyze_subs_close(&s);
    avformat_close_input(&fmt);
    av_packet_free(&pkt);
    return rc;
}

/* ---- per scene: text, tags, sentiment ---------------------------------- */

static const char *const analyze_subs_stop[] = {
    "about",   "above",    "after",   "again",  "all",    "also",   "and",     "any",     "are",
    "aren",    "because",  "been",    "before", "being",  "below",  "between", "both",    "but",
    "can",     "cannot",   "could",   "did",    "didn",   "does",   "doesn",   "doing",   "don",
    "dont",    "down",     "during",  "each",   "few",    "for",    "from",    "further", "get",
    "gets",    "got",      "had",     "has",    "have",   "having", "her",     "here",    "hers",
    "herself", "him",      "himself", "his",    "how",    "into",   "isn",     "its",     "itself",
    "just",    "let",      "lets",    "like",   "more",   "most",   "must",    "myself",  "not",
    "now",     "off",      "once",    "one",    "only",   "other",  "our",     "ours",    "out",
    "over",    "own",      "same",    "she",    "should", "some",   "such",    "than",    "that",
    "thats",   "the",      "their",   "theirs", "them",   "then",   "there",   "these",   "they",
    "this",    "those",    "through", "too",    "under",  "until",  "very",    "was",     "wasn",
    "well",    "were",     "what",    "when",   "where",  "which",  "while",   "who",     "whom",
    "why",     "will",     "with",    "won",    "would",  "yes",    "yet",     "you",     "your",
    "yours",   "yourself", "im",      "ive",    "ill",    "youre",  "hes",     "shes",    "its",
    "weve",    "theyre",   "okay",    "yeah",   "hey",    "oh",     "gonna",   "wanna",   "say",
    "said",    "know",     "go",      "going",  "come",
};

static int analyze_subs_is_stop(const char *w, size_t len)
{
    if (len < 3)
        return 1;
    size_t digits = 0;
    for (size_t i = 0; i < len; i++)
        digits += w[i] >= '0' && w[i] <= '9';
    if (digits == len)
        return 1;
    for (size_t i = 0; i < sizeof analyze_subs_stop / sizeof analyze_subs_stop[0]; i++)
        if (strlen(analyze_subs_stop[i]) == len && memcmp(analyze_subs_stop[i], w, len) == 0)
            return 1;
    return 0;
}

struct analyze_subs_word {
    char w[32];
    int count, first;
    double score;
};

struct analyze_subs_bag {
    struct analyze_subs_word *v;
    size_t n, cap;
    int order, oom;
};

static int analyze_subs_collect(const char *tok, size_t len, void *ud)
{
    struct analyze_subs_bag *b = ud;
    if (analyze_subs_is_stop(tok, len) || len >= sizeof b->v[0].w)
        return 0;
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->v[i].w, tok) == 0) {
            b->v[i].count++;
            return 0;
        }
    if (b->n == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 32;
        struct analyze_subs_word *v = realloc(b->v, ncap * sizeof *v);
        if (!v) {
            b->oom = 1;
            return 1;
        }
        b->v = v, b->cap = ncap;
    }
    struct analyze_subs_word *w = &b->v[b->n++];
    memcpy(w->w, tok, len + 1);
    w->count = 1;
    w->first = b->order++;
    return 0;
}

/* Sentiment with equal priors; 0 and *known = 0 when no word is known. */
static double analyze_subs_sentiment(const nbtext_model *nb, const char *text, int *known)
{
    double p[3] = { 0, 0, 0 }, p0[3] = { 0, 0, 0 };
    char e[128];
    *known = 0;
    if (nbtext_classify(nb, text, strlen(text), p, NULL, e, sizeof e) != 0 ||
        nbtext_classify(nb, "", 0, p0, NULL, e, sizeof e) != 0)
        return 0.0;
    if (p[NBTEXT_POSITIVE] <= 0 || p[NBTEXT_NEGATIVE] <= 0 || p0[NBTEXT_POSITIVE] <= 0 ||
        p0[NBTEXT_NEGATIVE] <= 0)
        return 0.0;
    double llr = log(p[NBTEXT_POSITIVE] / p[NBTEXT_NEGATIVE]) -
                 log(p0[NBTEXT_POSITIVE] / p0[NBTEXT_NEGATIVE]);
    if (fabs(llr) < 1e-9)
        return 0.0;
    *known = 1;
    return tanh(llr / 2.0);
}

static int analyze_subs_word_cmp(const void *a, const void *b)
{
    const struct analyze_subs_word *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return x->first - y->first;
}

static int analyze_subs_str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int analyze_subs_scenes(struct analyze_movie *m, const char *model_path, int model_required,
                        int quiet, char *errstr, size_t errstr_size)
{
    if (m->ncues == 0 || m->nscenes == 0)
        return 0;
    nbtext_model *nb = NULL;
    if (model_path) {
        char e[256];
        nb = nbtext_load(model_path, e, sizeof e);
        if (!nb && model_required) {
            snprintf(errstr, errstr_size, "--text-model: %s", e);
            return -1;
        }
        if (!nb && !quiet)
            fprintf(stderr, "recut-analyze: warning: no text model (%s): no sentiment\n", e);
    }
    const char **all = NULL;
    size_t *len = calloc(m->nscenes, sizeof *len);
    struct analyze_subs_bag *bags = calloc(m->nscenes, sizeof *bags);
    if (!len || !bags)
        goto oom;
    /* each cue to the scene it overlaps most */
    for (size_t c = 0, s0 = 0; c < m->ncues; c++) {
        const struct analyze_cue *q = &m->cues[c];
        while (s0 + 1 < m->nscenes && m->scenes[s0].end <= q->start)
            s0++;
        size_t best = m->nscenes;
        double bov = 0;
        for (size_t s = s0; s < m->nscenes && m->scenes[s].start < q->end; s++) {
            struct analyze_scene *sc = &m->scenes[s];
            double ov = fmin(q->end, sc->end) - fmax(q->start, sc->start);
            if (ov <= 0)
                continue;
            sc->subcover += ov / (sc->end - sc->start);
            if (ov > bov)
                bov = ov, best = s;
        }
        if (best == m->nscenes)
            continue;
        struct analyze_scene *sc = &m->scenes[best];
        size_t tl = strlen(q->text);
        char *t = realloc(sc->subtitle, len[best] + tl + 2);
        if (!t)
            goto oom;
        sc->subtitle = t;
        if (len[best])
            t[len[best]++] = ' ';
        memcpy(t + len[best], q->text, tl + 1);
        len[best] += tl;
    }
    for (size_t s = 0; s < m->nscenes; s++) {
        struct analyze_scene *sc = &m->scenes[s];
        if (sc->subcover > 1.0)
            sc->subcover = 1.0;
        if (!sc->subtitle)
            continue;
        nbtext_tokenize(sc->subtitle, len[s], analyze_subs_collect, &bags[s]);
        if (bags[s].oom)
            goto oom;
        if (nb)
            sc->sentiment = analyze_subs_sentiment(nb, sc->subtitle, &sc->has_sentiment);
    }
    /* document frequency of each word over the scenes (the words of all
     * scenes sorted: a word's run is its number of scenes), then tf-idf */
    size_t nall = 0;
    for (size_t s = 0; s < m->nscenes; s++)
        nall += bags[s].n;
    all = malloc((nall ? nall : 1) * sizeof *all);
    if (!all)
        goto oom;
    nall = 0;
    for (size_t s = 0; s < m->nscenes; s++)
        for (size_t i = 0; i < bags[s].n; i++)
            all[nall++] = bags[s].v[i].w;
    qsort(all, nall, sizeof *all, analyze_subs_str_cmp);
    for (size_t s = 0; s < m->nscenes; s++) {
        struct analyze_subs_bag *b = &bags[s];
        for (size_t i = 0; i < b->n; i++) {
            const char *key = b->v[i].w;
            const char **hit = bsearch(&key, all, nall, sizeof *all, analyze_subs_str_cmp);
            size_t df = 1;
            if (hit) {
                const char **a = hit, **z = hit;
                while (a > all && strcmp(a[-1], key) == 0)
                    a--;
                while (z + 1 < all + nall && strcmp(z[1], key) == 0)
                    z++;
                df = (size_t)(z - a) + 1;
            }
            b->v[i].score = (double)b->v[i].count * log(1.0 + (double)m->nscenes / (double)df);
        }
        qsort(b->v, b->n, sizeof *b->v, analyze_subs_word_cmp);
        struct analyze_scene *sc = &m->scenes[s];
        for (size_t i = 0; i < b->n && sc->ntags < ANALYZE_TAGS; i++)
            snprintf(sc->tags[sc->ntags++], sizeof sc->tags[0], "%s", b->v[i].w);
    }
    free(all);
    for (size_t s = 0; s < m->nscenes; s++)
        free(bags[s].v);
    free(bags);
    free(len);
    nbtext_free(nb);
    return 0;
oom:
    free(all);
    if (bags)
        for (size_t s = 0; s < m->nscenes; s++)
            free(bags[s].v);
    free(bags);
    free(len);
    nbtext_free(nb);
    snprintf(errstr, errstr_size, "out of memory");
    return -1;
}
