/* SPDX-License-Identifier: Apache-2.0 */
/* av_progress.h -- a one-line progress bar on stderr (only on a terminal). */
#ifndef AV_PROGRESS_H
#define AV_PROGRESS_H

struct av_progress {
    int enabled;
    double total;     /* seconds of media to go through, <= 0 if unknown */
    double last_draw; /* monotonic wall time of the last redraw */
    double started;
    const char *label;
};

void av_progress_init(struct av_progress *p, const char *label, double total, int quiet);
void av_progress_update(struct av_progress *p, double done);
void av_progress_finish(struct av_progress *p);

#endif
