/* SPDX-License-Identifier: Apache-2.0 */
/* av_outfile.c -- atomic output files (temp + rename). */
#include "av_outfile.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The one temp file in flight, removed by the signal handler. */
static char av_outfile_pending[4096];
static volatile sig_atomic_t av_outfile_have_pending;

static void av_outfile_on_signal(int sig)
{
    if (av_outfile_have_pending)
        unlink(av_outfile_pending);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void av_outfile_install_handlers(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = av_outfile_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

int av_outfile_open(struct av_outfile *o, const char *path, int want_stream, char *errstr,
                    size_t errstr_size)
{
    memset(o, 0, sizeof *o);
    size_t len = strlen(path);
    if (len == 0 || path[len - 1] == '/') {
        snprintf(errstr, errstr_size, "%s: not a file name", path);
        return -1;
    }
    struct stat st;
    int exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) {
        snprintf(errstr, errstr_size, "%s: is a directory", path);
        return -1;
    }
    o->final = strdup(path);
    o->tmp = malloc(len + 16);
    if (!o->final || !o->tmp) {
        snprintf(errstr, errstr_size, "out of memory");
        free(o->tmp);
        o->tmp = NULL;
        av_outfile_abort(o);
        return -1;
    }
    if (exists && !S_ISREG(st.st_mode)) {
        /* a device or a FIFO: never replace it, write into it */
        o->direct = 1;
        memcpy(o->tmp, path, len + 1);
        if (want_stream) {
            o->fp = fopen(path, "w");
            if (!o->fp) {
                snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
                av_outfile_abort(o);
                return -1;
            }
        }
        return 0;
    }
    /* Keep the extension out of the random part but leave the name
	 * recognisable: "<path>.tmp-XXXXXX". */
    snprintf(o->tmp, len + 16, "%s.tmp-XXXXXX", path);
    av_outfile_install_handlers();
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        snprintf(errstr, errstr_size, "%s: cannot create: %s", path, strerror(errno));
        free(o->tmp);
        o->tmp = NULL;
        av_outfile_abort(o);
        return -1;
    }
    if (strlen(o->tmp) < sizeof av_outfile_pending) {
        memcpy(av_outfile_pending, o->tmp, strlen(o->tmp) + 1);
        av_outfile_have_pending = 1;
    }
    if (want_stream) {
        o->fp = fdopen(fd, "w");
        if (!o->fp) {
            snprintf(errstr, errstr_size, "%s: %s", o->tmp, strerror(errno));
            close(fd);
            av_outfile_abort(o);
            return -1;
        }
    } else {
        close(fd);
    }
    return 0;
}

int av_outfile_commit(struct av_outfile *o, char *errstr, size_t errstr_size)
{
    if (o->fp) {
        int bad = ferror(o->fp);
        if (fclose(o->fp) != 0 || bad) {
            o->fp = NULL;
            snprintf(errstr, errstr_size, "%s: write error: %s", o->final, strerror(errno));
            av_outfile_abort(o);
            return -1;
        }
        o->fp = NULL;
    }
    if (o->direct) {
        free(o->tmp);
        free(o->final);
        o->tmp = o->final = NULL;
        o->direct = 0;
        return 0;
    }
    mode_t mask = umask(0);
    umask(mask);
    if (chmod(o->tmp, 0666 & ~mask) != 0 || rename(o->tmp, o->final) != 0) {
        snprintf(errstr, errstr_size, "%s: %s", o->final, strerror(errno));
        av_outfile_abort(o);
        return -1;
    }
    av_outfile_have_pending = 0;
    free(o->tmp);
    free(o->final);
    o->tmp = o->final = NULL;
    return 0;
}

void av_outfile_abort(struct av_outfile *o)
{
    if (o->fp) {
        fclose(o->fp);
        o->fp = NULL;
    }
    if (o->tmp) {
        if (!o->direct)
            unlink(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
    }
    if (!o->direct)
        av_outfile_have_pending = 0;
    o->direct = 0;
    free(o->final);
    o->final = NULL;
}
