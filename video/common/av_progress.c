/* SPDX-License-Identifier: Apache-2.0 */
/* av_progress.c -- progress bar on stderr when stderr is a terminal. */
#include "av_progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double av_progress_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void av_progress_init(struct av_progress *p, const char *label, double total, int quiet)
{
    p->enabled = !quiet && isatty(STDERR_FILENO);
    p->total = total;
    p->last_draw = 0.0;
    p->started = av_progress_now();
    p->label = label;
}

static void av_progress_draw(struct av_progress *p, double done, double now)
{
    enum {
        WIDTH = 30
    };
    double elapsed = now - p->started;
    double speed = elapsed > 0 ? done / elapsed : 0.0;
    if (p->total > 0) {
        double frac = done / p->total;
        if (frac < 0)
            frac = 0;
        if (frac > 1)
            frac = 1;
        char bar[WIDTH + 1];
        int fill = (int)(frac * WIDTH + 0.5);
        for (int i = 0; i < WIDTH; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[WIDTH] = '\0';
        fprintf(stderr, "\r%s [%s] %3.0f%% %7.1f/%.1fs %5.1fx ", p->label, bar, frac * 100.0, done,
                p->total, speed);
    } else {
        fprintf(stderr, "\r%s %7.1fs %5.1fx ", p->label, done, speed);
    }
    fflush(stderr);
}

void av_progress_update(struct av_progress *p, double done)
{
    if (!p->enabled)
        return;
    double now = av_progress_now();
    if (now - p->last_draw < 0.2)
        return;
    p->last_draw = now;
    av_progress_draw(p, done, now);
}

void av_progress_finish(struct av_progress *p)
{
    if (!p->enabled)
        return;
    av_progress_draw(p, p->total > 0 ? p->total : 0.0, av_progress_now());
    fputc('\n', stderr);
    fflush(stderr);
}
