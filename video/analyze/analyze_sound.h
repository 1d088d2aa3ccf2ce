/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_sound.h -- speech, music and silence in the audio track: each
 * ~20-30 ms frame of the soundtrack is silent, speech or music, and a scene
 * gets the share of its duration in each class (see analyze_sound.c). */
#ifndef ANALYZE_SOUND_H
#define ANALYZE_SOUND_H
#include <stddef.h>
#include <stdio.h>

#include "analyze.h"

struct AVTXContext;

/* Per-frame classes in m->snd (one byte per frame of m->snd_hop s). */
enum {
    ANALYZE_SND_NONE = 0,
    ANALYZE_SND_SILENCE,
    ANALYZE_SND_SPEECH,
    ANALYZE_SND_MUSIC
};

struct analyze_sound {
    int rate, n; /* sample rate, frame length (a power of two) */
    struct AVTXContext *tx;
    void (*fft)(struct AVTXContext *, void *, void *, ptrdiff_t);
    float *buf, *win, *prev; /* mono frame being filled, Hann window, last spectrum */
    void *cin, *cout;        /* FFT buffers */
    int fill;                /* samples in buf */
    int64_t pos;             /* timeline index of the next sample */
    int have_pos;
    /* per frame k (time k * n / rate): features, rms < 0 where no audio */
    float *rms, *sim, *zcr;
    size_t nfr, capfr;
};

int analyze_sound_init(struct analyze_sound *s, int rate, char *errstr, size_t errstr_size);
/* n samples per channel of nch planar float channels starting at t (s). */
int analyze_sound_push(struct analyze_sound *s, const float *const *planes, int nch, int n,
                       double t, char *errstr, size_t errstr_size);
/* Classify the frames into m->snd / m->nsnd / m->snd_hop. */
int analyze_sound_finish(struct analyze_sound *s, struct analyze_movie *m, char *errstr,
                         size_t errstr_size);
void analyze_sound_free(struct analyze_sound *s);

/* Speech, music and silence shares of every scene (needs m->snd). */
void analyze_sound_scenes(struct analyze_movie *m);
/* Add a label once, if there is room. */
void analyze_sound_label(struct analyze_scene *sc, const char *label);
/* Labels dialogue / music / quiet from the shares and subtitle coverage. */
void analyze_sound_labels(struct analyze_movie *m);
/* The --plot lane: the classes along [x0, x1] at y, h high. */
void analyze_sound_plot(FILE *fp, const struct analyze_movie *m, double x0, double x1, double y,
                        double h);

#endif
