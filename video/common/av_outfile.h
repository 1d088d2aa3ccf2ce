/* SPDX-License-Identifier: Apache-2.0 */
/* av_outfile.h -- write a file atomically: temp file beside it, rename on
 * success, unlink on failure (also on SIGINT/SIGTERM/SIGHUP).  A target
 * that exists and is not a regular file (a device such as /dev/null, a
 * FIFO) is written directly. */
#ifndef AV_OUTFILE_H
#define AV_OUTFILE_H
#include <stddef.h>
#include <stdio.h>

struct av_outfile {
    char *final; /* target path */
    char *tmp;   /* temp path in the same directory */
    FILE *fp;    /* open stream when opened with want_stream */
    int direct;  /* target is not a regular file (/dev/null, a pipe):
			* written in place, never renamed over or deleted */
};

/* Create the temp file.  With want_stream the FILE is left open in o->fp,
 * otherwise the file exists but is closed (for writers that open by path). */
int av_outfile_open(struct av_outfile *o, const char *path, int want_stream, char *errstr,
                    size_t errstr_size);
/* Close (if open), give the file normal permissions and rename it. */
int av_outfile_commit(struct av_outfile *o, char *errstr, size_t errstr_size);
/* Close and delete the temp file; safe to call twice or on a zeroed struct. */
void av_outfile_abort(struct av_outfile *o);

#endif
