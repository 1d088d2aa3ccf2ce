/* SPDX-License-Identifier: Apache-2.0 */
/* analyze.h -- shared data of recut-analyze: what the decoder pass collects
 * per frame and per audio slot, and what the later passes derive. */
#ifndef ANALYZE_H
#define ANALYZE_H
#include <stddef.h>
#include <stdint.h>

#define ANALYZE_BACK 4   /* frame distances kept: to 1..4 frames back */
#define ANALYZE_SIG 32   /* colour signature bins (scene grouping) */
#define ANALYZE_SLOT 0.1 /* audio loudness slot, seconds */
#define ANALYZE_TAGS 5   /* subtitle words kept per scene */

#define ANALYZE_LABELS 16 /* labels per scene at most */

struct analyze_people; /* analyze_people.h */

/* One decoded video frame, reduced to a few numbers. */
struct analyze_fstat {
    double t;                 /* presentation time, s from movie start */
    float d[ANALYZE_BACK];    /* d[n-1]: content distance to frame i-n (0..1) */
    float motion;             /* mean |dY| of the block grid vs frame i-1, 0..1 */
    float luma;               /* mean luma 0..1 */
    float luma_sd;            /* spatial luma standard deviation 0..1 */
    float colorful;           /* Hasler-Suesstrunk colourfulness (0..~1) */
    float sat;                /* mean HSV saturation 0..1 */
    uint8_t sig[ANALYZE_SIG]; /* colour signature, bins sum to ~255 */
};

/* A gradual-transition candidate from the linear blend test (frame indices). */
struct analyze_grad {
    size_t s, e;  /* first and last frame of the blend window */
    float change; /* content change across the window */
    float resid;  /* blend model residual relative to the change */
};

/* A detected shot boundary. */
struct analyze_cutpt {
    double t;      /* boundary time (first frame of the new shot) */
    double t0, t1; /* transition span (t0 == t1 for a hard cut) */
    int gradual;
    float strength;
};

struct analyze_shot {
    double start, end;
    size_t f0, f1; /* frames [f0, f1) */
};

struct analyze_cue {
    double start, end;
    char *text; /* plain text, tags stripped */
};

struct analyze_feat {
    double duration, motion, cut_rate, luminance, saturation, colorfulness;
    double loudness, loudness_var; /* LUFS, LU; valid when has_audio */
    int shots;
    double alternation; /* share of shots that repeat the one two back */
    int faces;          /* faces at once (most in one sampled frame) */
    double face_share;  /* largest face area / frame area, 0..1 */
    double smile;       /* share of face detections with a smile */
};

struct analyze_scene {
    double start, end;
    size_t shot0, shot1; /* shots [shot0, shot1) */
    struct analyze_feat feat;
    double arousal, valence;
    double emotion[4]; /* joy, tension, sadness, calm */
    char labels[ANALYZE_LABELS][16];
    int nlabels;
    /* dialogue (analyze_sound, analyze_subs) */
    double speech, music, silence; /* shares of the duration, when m->nsnd */
    double subcover;               /* share covered by subtitle cues */
    char *subtitle;                /* text of the cues in the scene, or NULL */
    char tags[ANALYZE_TAGS][32];
    int ntags, has_sentiment;
    double sentiment; /* -1..1 from the subtitle text */
};

struct analyze_movie {
    struct analyze_fstat *f;
    size_t nf, capf;
    struct analyze_grad *g;
    size_t ng, capg;
    double *loud_sum;   /* per 100 ms slot k: mean square of block k..k+3 */
    uint32_t *loud_cnt; /* 1 when ebur128 metered that block */
    size_t nslot, capslot;

    double duration;
    int has_audio;
    int width, height, rotation;
    double fps; /* average frame rate */
    int vfr;
    int corrupt, decode_errors, truncated;

    struct analyze_cutpt *cuts;
    size_t ncuts;
    struct analyze_shot *shots;
    size_t nshots;
    struct analyze_scene *scenes;
    size_t nscenes;
    /* timeline for smoothing and the plot, 1 s bins */
    double *tl_arousal, *tl_valence;
    size_t ntl;
    struct analyze_people *people; /* faces and people; NULL with --faces off */
    /* sound classes per audio frame of snd_hop s (analyze_sound.h) */
    uint8_t *snd;
    size_t nsnd;
    double snd_hop;
    /* subtitle cues, in time order (analyze_subs.h) */
    struct analyze_cue *cues;
    size_t ncues, capcues;
    int has_subs;
};

struct analyze_opts {
    double min_shot; /* s */
    double min_scene, max_scene;
    double scene_sim; /* colour similarity to join shots, 0..1 */
    double smooth;    /* Gaussian sigma of the affect curves, s */
    int quiet;
};

void analyze_movie_free(struct analyze_movie *m);

#endif
