/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_loud.c -- K-weighted, gated loudness after ITU-R BS.1770.
 *
 * K-weighting is two biquads: a high shelf (+4 dB above ~1.7 kHz, the
 * head's acoustic effect) and the RLB high-pass (~38 Hz).  Their analogue
 * prototypes are mapped to the stream's sample rate by the bilinear
 * transform, so any rate works.  The weighted mean square of each 100 ms
 * slot is kept; 400 ms blocks overlap by 75 % (one block per slot).
 * Gating: blocks below -70 LUFS are dropped, then blocks more than 10 LU
 * below the loudness of the remaining ones. */
#include "analyze_loud.h"

#include <libavutil/channel_layout.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANALYZE_LOUD_FLOOR (-70.0)

int analyze_loud_init(struct analyze_loud *l, int rate, const AVChannelLayout *layout, char *errstr,
                      size_t errstr_size)
{
    memset(l, 0, sizeof *l);
    if (rate <= 0 || layout->nb_channels <= 0) {
        snprintf(errstr, errstr_size, "audio: bad sample rate or channel count");
        return -1;
    }
    l->rate = rate;
    l->nch = layout->nb_channels;
    l->ch = calloc((size_t)l->nch, sizeof *l->ch);
    if (!l->ch) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    for (int c = 0; c < l->nch; c++) {
        enum AVChannel id = av_channel_layout_channel_from_index(layout, (unsigned)c);
        switch (id) {
        case AV_CHAN_LOW_FREQUENCY:
        case AV_CHAN_LOW_FREQUENCY_2:
            l->ch[c].weight = 0.0;
            break;
        case AV_CHAN_SIDE_LEFT:
        case AV_CHAN_SIDE_RIGHT:
        case AV_CHAN_BACK_LEFT:
        case AV_CHAN_BACK_RIGHT:
        case AV_CHAN_BACK_CENTER:
            l->ch[c].weight = 1.41;
            break;
        default:
            l->ch[c].weight = 1.0;
            break;
        }
    }
    /* Stage 0: high shelf. */
    double f0 = 1681.974450955533, G = 3.999843853973347, Q = 0.7071752369554196;
    double K = tan(M_PI * f0 / rate);
    double Vh = pow(10.0, G / 20.0);
    double Vb = pow(Vh, 0.4996667741545416);
    double a0 = 1.0 + K / Q + K * K;
    l->b[0][0] = (Vh + Vb * K / Q + K * K) / a0;
    l->b[0][1] = 2.0 * (K * K - Vh) / a0;
    l->b[0][2] = (Vh - Vb * K / Q + K * K) / a0;
    l->a[0][0] = 2.0 * (K * K - 1.0) / a0;
    l->a[0][1] = (1.0 - K / Q + K * K) / a0;
    /* Stage 1: RLB high-pass. */
    f0 = 38.13547087602444, Q = 0.5003270373238773;
    K = tan(M_PI * f0 / rate);
    a0 = 1.0 + K / Q + K * K;
    l->b[1][0] = 1.0, l->b[1][1] = -2.0, l->b[1][2] = 1.0;
    l->a[1][0] = 2.0 * (K * K - 1.0) / a0;
    l->a[1][1] = (1.0 - K / Q + K * K) / a0;
    return 0;
}

void analyze_loud_free(struct analyze_loud *l)
{
    free(l->ch);
    memset(l, 0, sizeof *l);
}

static int analyze_loud_reserve(struct analyze_movie *m, size_t slots, char *errstr,
                                size_t errstr_size)
{
    if (slots <= m->capslot)
        return 0;
    size_t ncap = m->capslot ? m->capslot : 1024;
    while (ncap < slots)
        ncap *= 2;
    double *s = realloc(m->loud_sum, ncap * sizeof *s);
    if (!s)
        goto oom;
    m->loud_sum = s;
    uint32_t *c = realloc(m->loud_cnt, ncap * sizeof *c);
    if (!c)
        goto oom;
    m->loud_cnt = c;
    memset(m->loud_sum + m->capslot, 0, (ncap - m->capslot) * sizeof *s);
    memset(m->loud_cnt + m->capslot, 0, (ncap - m->capslot) * sizeof *c);
    m->capslot = ncap;
    return 0;
oom:
    snprintf(errstr, errstr_size, "out of memory");
    return -1;
}

int analyze_loud_push(struct analyze_loud *l, const float *const *planes, int n, double t,
                      struct analyze_movie *m, char *errstr, size_t errstr_size)
{
    int64_t p = llround(t * l->rate);
    /* follow the timestamps, but ignore jitter below 10 ms */
    if (!l->have_pos || llabs(p - l->pos) > l->rate / 100) {
        l->pos = p;
        l->have_pos = 1;
    }
    int64_t first = l->pos, last = l->pos + n;
    l->pos = last;
    if (last <= 0)
        return 0;
    size_t maxslot = (size_t)((last * 10) / l->rate) + 1;
    if (analyze_loud_reserve(m, maxslot, errstr, errstr_size) != 0)
        return -1;
    if (maxslot > m->nslot)
        m->nslot = maxslot;
    /* filter channel by channel into per-slot sums */
    int64_t slot_len_num = l->rate; /* slot k covers samples [k*rate/10, (k+1)*rate/10) */
    for (int c = 0; c < l->nch; c++) {
        struct analyze_loud_ch *ch = &l->ch[c];
        const float *x = planes[c];
        double w = ch->weight;
        int64_t k = first >= 0 ? (first * 10) / slot_len_num : -1;
        int64_t next = k >= 0 ? ((k + 1) * slot_len_num + 9) / 10 : 0;
        double acc = 0.0;
        for (int i = 0; i < n; i++) {
            double v = x[i];
            for (int s = 0; s < 2; s++) {
                double y = l->b[s][0] * v + ch->z1[s];
                ch->z1[s] = l->b[s][1] * v - l->a[s][0] * y + ch->z2[s];
                ch->z2[s] = l->b[s][2] * v - l->a[s][1] * y;
                v = y;
            }
            int64_t pos = first + i;
            if (pos < 0)
                continue;
            if (pos >= next || k < 0) {
                if (k >= 0)
                    m->loud_sum[k] += w * acc;
                acc = 0.0;
                k = (pos * 10) / slot_len_num;
                next = ((k + 1) * slot_len_num + 9) / 10;
            }
            acc += v * v;
        }
        if (k >= 0)
            m->loud_sum[k] += w * acc;
    }
    /* sample counts per slot (once, not per channel) */
    for (int64_t pos = first < 0 ? 0 : first; pos < last;) {
        int64_t k = (pos * 10) / slot_len_num;
        int64_t next = ((k + 1) * slot_len_num + 9) / 10;
        int64_t end = next < last ? next : last;
        m->loud_cnt[k] += (uint32_t)(end - pos);
        pos = end;
    }
    return 0;
}

static double analyze_loud_lufs(double z)
{
    return z > 0.0 ? -0.691 + 10.0 * log10(z) : -INFINITY;
}

/* Mean square of the 400 ms block at slot k; -1 when the block lacks audio. */
static double analyze_loud_block(const struct analyze_movie *m, size_t k)
{
    if (k + 4 > m->nslot)
        return -1.0;
    double s = 0.0;
    uint64_t c = 0;
    for (size_t i = k; i < k + 4; i++)
        s += m->loud_sum[i], c += m->loud_cnt[i];
    if (c == 0)
        return -1.0;
    return s / (double)c;
}

double analyze_loud_momentary(const struct analyze_movie *m, size_t k)
{
    double z = analyze_loud_block(m, k);
    double L = z >= 0.0 ? analyze_loud_lufs(z) : ANALYZE_LOUD_FLOOR;
    return L < ANALYZE_LOUD_FLOOR ? ANALYZE_LOUD_FLOOR : L;
}

/* Mean square of the block at slot k within span [k0, k1); a span shorter
 * than a block gets one block over what it has. */
static double analyze_loud_span_block(const struct analyze_movie *m, size_t k, size_t k0, size_t k1)
{
    if (k + 4 <= k1)
        return analyze_loud_block(m, k);
    if (k != k0)
        return -1.0;
    double s = 0.0;
    uint64_t c = 0;
    for (size_t i = k0; i < k1 && i < m->nslot; i++)
        s += m->loud_sum[i], c += m->loud_cnt[i];
    return c ? s / (double)c : -1.0;
}

/* The blocks of slots k0..k1 at or above gate (LUFS): their number, the sum
 * of their mean squares, of their loudness and of its square. */
static size_t analyze_loud_blocks(const struct analyze_movie *m, size_t k0, size_t k1, double gate,
                                  double *sum_z, double *sum_l, double *sum_ll)
{
    size_t n = 0;
    *sum_z = *sum_l = *sum_ll = 0.0;
    for (size_t k = k0; k == k0 || k + 4 <= k1; k++) {
        double z = analyze_loud_span_block(m, k, k0, k1);
        if (z < 0.0)
            continue;
        double L = analyze_loud_lufs(z);
        if (L < gate)
            continue;
        *sum_z += z, *sum_l += L, *sum_ll += L * L, n++;
    }
    return n;
}

double analyze_loud_span(const struct analyze_movie *m, double t0, double t1, double *var)
{
    *var = 0.0;
    if (!m->has_audio || m->nslot == 0)
        return ANALYZE_LOUD_FLOOR;
    size_t k0 = t0 > 0 ? (size_t)floor(t0 / ANALYZE_SLOT + 0.5) : 0;
    size_t k1 = t1 > 0 ? (size_t)floor(t1 / ANALYZE_SLOT + 0.5) : 0;
    if (k1 > m->nslot)
        k1 = m->nslot;
    if (k1 <= k0)
        return ANALYZE_LOUD_FLOOR;
    double sum_z, sum_l, sum_ll;
    size_t nb = analyze_loud_blocks(m, k0, k1, ANALYZE_LOUD_FLOOR, &sum_z, &sum_l, &sum_ll);
    if (nb == 0)
        return ANALYZE_LOUD_FLOOR;
    double mean_l = sum_l / (double)nb;
    double v = sum_ll / (double)nb - mean_l * mean_l;
    *var = v > 0 ? sqrt(v) : 0.0;
    double gate = analyze_loud_lufs(sum_z / (double)nb) - 10.0;
    double gz, gl, gll;
    size_t gn = analyze_loud_blocks(
        m, k0, k1, gate > ANALYZE_LOUD_FLOOR ? gate : ANALYZE_LOUD_FLOOR, &gz, &gl, &gll);
    double L = gn ? analyze_loud_lufs(gz / (double)gn) : ANALYZE_LOUD_FLOOR;
    return L < ANALYZE_LOUD_FLOOR ? ANALYZE_LOUD_FLOOR : L;
}
