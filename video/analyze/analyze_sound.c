/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_sound.c -- speech, music and silence from the soundtrack.
 *
 * Why a spectral method: no voice activity detector packaged in Debian is
 * usable from C without pulling in a second audio stack, and what recut
 * needs is coarse (shares of a scene), so a few classic features of the
 * speech/music literature (Scheirer & Slaney 1997) do.
 *
 * The channels are mixed to mono and cut into frames of n samples, n the
 * largest power of two not above 32 ms (1024 at 44.1 and 48 kHz).  Per
 * frame: RMS level, zero-crossing rate, and the cosine similarity of its
 * Hann-windowed magnitude spectrum (100 Hz .. 8 kHz) to the previous one.
 *   - silence: RMS below -50 dBFS;
 *   - the other frames are speech or music by the 1.5 s of audio around
 *     their 0.5 s block: speech alternates syllables and short pauses, so
 *     many of its frames are far below the block's mean level (the
 *     "low-energy frame" share, frames under half the mean RMS) and its
 *     spectrum keeps changing (low median similarity between frames) and
 *     its zero-crossing rate varies (voiced vs unvoiced sounds), while a
 *     held note or chord keeps its spectrum.  A block is speech when the
 *     median similarity is below 0.95 and either the low-energy share is
 *     at least 0.2 with a zero-crossing-rate coefficient of variation of
 *     at least 0.3, or (no pauses: speech over a music bed) the median
 *     similarity is below 0.9 with that variation at least 0.45 (pink
 *     noise reaches 0.3).
 * The thresholds were chosen on espeak-ng speech (six voices and languages,
 * three speeds, with and without a noise or chord bed) against synthetic
 * melodies, decaying piano-like notes, chords with tremolo, drums and
 * noise (tests/video/analyze-dialogue.sh keeps a part of it); speech under
 * a louder music bed counts as music, and percussive music can partly pass
 * for speech: recut-analyze(1) states these limits. */
#include "analyze_sound.h"

#include <libavutil/mem.h>
#include <libavutil/tx.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ANALYZE_SOUND_SILENT 0.0031623f /* -50 dBFS RMS */

int analyze_sound_init(struct analyze_sound *s, int rate, char *errstr, size_t errstr_size)
{
    memset(s, 0, sizeof *s);
    if (rate < 4000) {
        snprintf(errstr, errstr_size, "audio: sample rate %d Hz is too low to classify", rate);
        return -1;
    }
    s->rate = rate;
    s->n = 64;
    while (s->n * 2 <= (int)(rate * 0.032))
        s->n *= 2;
    float scale = 1.0f;
    s->buf = calloc((size_t)s->n, sizeof *s->buf);
    s->win = calloc((size_t)s->n, sizeof *s->win);
    s->prev = calloc((size_t)s->n / 2, sizeof *s->prev);
    s->cin = av_malloc((size_t)s->n * sizeof(AVComplexFloat));
    s->cout = av_malloc((size_t)s->n * sizeof(AVComplexFloat));
    if (!s->buf || !s->win || !s->prev || !s->cin || !s->cout ||
        av_tx_init(&s->tx, &s->fft, AV_TX_FLOAT_FFT, 0, s->n, &scale, 0) < 0) {
        analyze_sound_free(s);
        snprintf(errstr, errstr_size, "audio: cannot set up the spectrum (%d samples)", s->n);
        return -1;
    }
    for (int i = 0; i < s->n; i++)
        s->win[i] = 0.5f - 0.5f * cosf(2.0f * (float)M_PI * (float)i / (float)s->n);
    return 0;
}

void analyze_sound_free(struct analyze_sound *s)
{
    av_tx_uninit(&s->tx);
    free(s->buf);
    free(s->win);
    free(s->prev);
    av_free(s->cin);
    av_free(s->cout);
    free(s->rms);
    free(s->sim);
    free(s->zcr);
    memset(s, 0, sizeof *s);
}

static int analyze_sound_reserve(struct analyze_sound *s, size_t k)
{
    if (k < s->capfr)
        return 0;
    size_t ncap = s->capfr ? s->capfr : 4096;
    while (ncap <= k)
        ncap *= 2;
    float *r = realloc(s->rms, ncap * sizeof *r);
    if (!r)
        return -1;
    s->rms = r;
    float *q = realloc(s->sim, ncap * sizeof *q);
    if (!q)
        return -1;
    s->sim = q;
    float *z = realloc(s->zcr, ncap * sizeof *z);
    if (!z)
        return -1;
    s->zcr = z;
    for (size_t i = s->capfr; i < ncap; i++)
        s->rms[i] = -1.0f, s->sim[i] = 1.0f, s->zcr[i] = 0.0f;
    s->capfr = ncap;
    return 0;
}

/* One full frame in s->buf: its features at index k. */
static void analyze_sound_frame(struct analyze_sound *s, size_t k)
{
    int n = s->n;
    double e = 0.0;
    int zc = 0;
    AVComplexFloat *in = s->cin, *out = s->cout;
    for (int i = 0; i < n; i++) {
        float x = s->buf[i];
        e += (double)x * x;
        if (i > 0 && ((x >= 0.0f) != (s->buf[i - 1] >= 0.0f)))
            zc++;
        in[i].re = x * s->win[i];
        in[i].im = 0.0f;
    }
    s->rms[k] = (float)sqrt(e / n);
    s->zcr[k] = (float)zc / (float)n;
    s->fft(s->tx, out, in, sizeof(AVComplexFloat));
    int lo = (int)(100.0 * n / s->rate), hi = (int)(8000.0 * n / s->rate);
    if (lo < 1)
        lo = 1;
    if (hi > n / 2)
        hi = n / 2;
    double dot = 0.0, na = 0.0, nb = 0.0;
    for (int b = lo; b < hi; b++) {
        float mag = sqrtf(out[b].re * out[b].re + out[b].im * out[b].im);
        dot += (double)mag * s->prev[b];
        na += (double)mag * mag;
        nb += (double)s->prev[b] * s->prev[b];
        s->prev[b] = mag;
    }
    s->sim[k] = na > 0 && nb > 0 ? (float)(dot / sqrt(na * nb)) : 1.0f;
}

int analyze_sound_push(struct analyze_sound *s, const float *const *planes, int nch, int n,
                       double t, char *errstr, size_t errstr_size)
{
    int64_t at = (int64_t)llround(t * s->rate);
    if (at < 0)
        at = 0;
    /* follow the timestamps across gaps of more than a frame */
    if (!s->have_pos || llabs(at - s->pos) > s->n) {
        s->pos = at;
        s->fill = (int)(at % s->n);
        memset(s->buf, 0, (size_t)s->fill * sizeof *s->buf);
        s->have_pos = 1;
    }
    float g = 1.0f / (float)nch;
    for (int i = 0; i < n; i++) {
        float x = 0.0f;
        for (int c = 0; c < nch; c++)
            x += planes[c][i];
        s->buf[s->fill++] = x * g;
        s->pos++;
        if (s->fill == s->n) {
            size_t k = (size_t)((s->pos - 1) / s->n);
            if (analyze_sound_reserve(s, k) != 0) {
                snprintf(errstr, errstr_size, "out of memory");
                return -1;
            }
            analyze_sound_frame(s, k);
            if (k + 1 > s->nfr)
                s->nfr = k + 1;
            s->fill = 0;
        }
    }
    return 0;
}

static int analyze_sound_cmp(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Speech (1) or music (0), judged on the frames [wa, wb). */
static int analyze_sound_block(const struct analyze_sound *s, size_t wa, size_t wb, float *tmp)
{
    double sum = 0.0;
    size_t n = 0, loud = 0;
    for (size_t k = wa; k < wb; k++)
        if (s->rms[k] >= 0.0f)
            sum += s->rms[k], n++;
    if (n < 4)
        return 0;
    double mean = sum / (double)n, zs = 0.0, zs2 = 0.0;
    size_t low = 0;
    for (size_t k = wa; k < wb; k++) {
        if (s->rms[k] < 0.0f)
            continue;
        if (s->rms[k] < 0.5 * mean)
            low++;
        if (s->rms[k] >= ANALYZE_SOUND_SILENT) {
            tmp[loud++] = s->sim[k];
            zs += s->zcr[k], zs2 += (double)s->zcr[k] * s->zcr[k];
        }
    }
    double ler = (double)low / (double)n;
    double simmed = 1.0, zcv = 0.0;
    if (loud >= 3) {
        qsort(tmp, loud, sizeof *tmp, analyze_sound_cmp);
        simmed = tmp[loud / 2];
        double zm = zs / (double)loud, zv = zs2 / (double)loud - zm * zm;
        zcv = zm > 0 ? sqrt(zv > 0 ? zv : 0) / zm : 0.0;
    }
    int speech = simmed < 0.95 && ((ler >= 0.2 && zcv >= 0.3) || (simmed < 0.9 && zcv >= 0.45));
    if (getenv("RECUT_SOUND_DEBUG"))
        fprintf(stderr, "sound %.2f-%.2f ler %.3f sim %.3f zcv %.3f -> %s\n",
                (double)wa * s->n / s->rate, (double)wb * s->n / s->rate, ler, simmed, zcv,
                speech ? "speech" : "music");
    return speech;
}

int analyze_sound_finish(struct analyze_sound *s, struct analyze_movie *m, char *errstr,
                         size_t errstr_size)
{
    m->snd_hop = (double)s->n / s->rate;
    m->nsnd = s->nfr;
    m->snd = calloc(s->nfr ? s->nfr : 1, 1);
    size_t blk = (size_t)lround(0.5 / m->snd_hop), ctx = blk; /* 0.5 s blocks, +-0.5 s */
    float *tmp = malloc((blk + 2 * ctx + 1) * sizeof *tmp);
    if (!m->snd || !tmp) {
        free(tmp);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    for (size_t a = 0; a < s->nfr; a += blk) {
        size_t b = a + blk < s->nfr ? a + blk : s->nfr;
        size_t wa = a > ctx ? a - ctx : 0, wb = b + ctx < s->nfr ? b + ctx : s->nfr;
        int speech = -1;
        for (size_t k = a; k < b; k++) {
            if (s->rms[k] < 0.0f)
                m->snd[k] = ANALYZE_SND_NONE;
            else if (s->rms[k] < ANALYZE_SOUND_SILENT)
                m->snd[k] = ANALYZE_SND_SILENCE;
            else {
                if (speech < 0)
                    speech = analyze_sound_block(s, wa, wb, tmp);
                m->snd[k] = speech ? ANALYZE_SND_SPEECH : ANALYZE_SND_MUSIC;
            }
        }
    }
    free(tmp);
    return 0;
}

void analyze_sound_scenes(struct analyze_movie *m)
{
    for (size_t i = 0; i < m->nscenes; i++) {
        struct analyze_scene *sc = &m->scenes[i];
        double cnt[4] = { 0, 0, 0, 0 };
        for (size_t k = (size_t)(sc->start / m->snd_hop); k < m->nsnd; k++) {
            double a = (double)k * m->snd_hop, b = a + m->snd_hop;
            if (a >= sc->end)
                break;
            double ov = fmin(b, sc->end) - fmax(a, sc->start);
            if (ov > 0)
                cnt[m->snd[k]] += ov;
        }
        double d = sc->end - sc->start;
        sc->silence = d > 0 ? fmin(1.0, cnt[ANALYZE_SND_SILENCE] / d) : 0.0;
        sc->speech = d > 0 ? fmin(1.0, cnt[ANALYZE_SND_SPEECH] / d) : 0.0;
        sc->music = d > 0 ? fmin(1.0, cnt[ANALYZE_SND_MUSIC] / d) : 0.0;
    }
}

void analyze_sound_label(struct analyze_scene *sc, const char *label)
{
    for (int i = 0; i < sc->nlabels; i++)
        if (strcmp(sc->labels[i], label) == 0)
            return;
    if (sc->nlabels < (int)(sizeof sc->labels / sizeof sc->labels[0]))
        snprintf(sc->labels[sc->nlabels++], sizeof sc->labels[0], "%s", label);
}

void analyze_sound_labels(struct analyze_movie *m)
{
    for (size_t i = 0; i < m->nscenes; i++) {
        struct analyze_scene *sc = &m->scenes[i];
        int snd = m->nsnd > 0;
        if ((snd && sc->speech >= 0.25) || sc->subcover >= 0.3)
            analyze_sound_label(sc, "dialogue");
        if (snd && sc->music >= 0.4)
            analyze_sound_label(sc, "music");
        if (snd && sc->silence >= 0.6)
            analyze_sound_label(sc, "quiet");
    }
}

void analyze_sound_plot(FILE *fp, const struct analyze_movie *m, double x0, double x1, double y,
                        double h)
{
    static const char *const colour[4] = { NULL, "#cfcfcf", "#2a9d8f", "#e76f51" };
    fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\">sound</text>\n",
            x0 - 6, y + h - 2);
    if (!m->nsnd || m->duration <= 0) {
        fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#777\">no audio</text>\n",
                x0 + 4, y + h - 2);
        return;
    }
    /* runs of one class as rectangles */
    size_t k = 0;
    while (k < m->nsnd) {
        size_t e = k + 1;
        while (e < m->nsnd && m->snd[e] == m->snd[k])
            e++;
        if (m->snd[k] != ANALYZE_SND_NONE) {
            double a = x0 + (x1 - x0) * fmin(1.0, (double)k * m->snd_hop / m->duration);
            double b = x0 + (x1 - x0) * fmin(1.0, (double)e * m->snd_hop / m->duration);
            if (b > a)
                fprintf(fp,
                        "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" "
                        "fill=\"%s\"/>\n",
                        a, y, b - a, h, colour[m->snd[k]]);
        }
        k = e;
    }
    fprintf(fp,
            "<g font-size=\"11\"><rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" "
            "fill=\"%s\"/><text x=\"%.1f\" y=\"%.1f\">speech</text>"
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
            "<text x=\"%.1f\" y=\"%.1f\">music</text>"
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
            "<text x=\"%.1f\" y=\"%.1f\">silence</text></g>\n",
            x1 - 200, y + h + 4, colour[2], x1 - 186, y + h + 13, x1 - 130, y + h + 4, colour[3],
            x1 - 116, y + h + 13, x1 - 64, y + h + 4, colour[1], x1 - 50, y + h + 13);
}
