/* SPDX-License-Identifier: Apache-2.0 */
/* ctl_out.c -- where recutctl's results go: messages on stderr, bodies on
 * stdout (pretty when it is a terminal) or into -o FILE, replaced
 * atomically, and the files it reads (catalog entries, events).  Apart from
 * the HTTP client so that neither knows the other's details. */
#include "config.h"
#include "ctl.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void ctl_out_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("recutctl: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* getopt has printed what is wrong; add the hint. */

/* Write all of buf to fd; -1 on error (errno set). */
static int ctl_out_write_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t w = write(fd, buf, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Write to a temporary file next to path, then rename over it: a reader
 * sees the old file or the whole new one, never a part. */
static int ctl_out_write_file(const char *path, const char *buf, size_t len)
{
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 16);
    if (!tmp) {
        ctl_out_err("out of memory");
        return RECUTCTL_EXIT_SERVER;
    }
    memcpy(tmp, path, pl);
    memcpy(tmp + pl, ".tmp.XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        ctl_out_err("%s: cannot create a temporary file: %s", path, strerror(errno));
        free(tmp);
        return RECUTCTL_EXIT_SERVER;
    }
    mode_t mask = umask(0);
    umask(mask);
    int rc = fchmod(fd, 0666 & ~mask);
    if (rc == 0)
        rc = ctl_out_write_all(fd, buf, len);
    if (rc == 0)
        rc = fsync(fd);
    int saved = errno;
    if (close(fd) < 0 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    if (rc == 0 && rename(tmp, path) < 0) {
        rc = -1;
        saved = errno;
    }
    if (rc < 0) {
        ctl_out_err("%s: %s", path, strerror(saved));
        unlink(tmp);
    }
    free(tmp);
    return rc < 0 ? RECUTCTL_EXIT_SERVER : 0;
}

/* Deliver a body: to -o FILE exactly as received; to stdout with a final
 * newline, JSON pretty-printed when stdout is a terminal. */
int ctl_out_emit(const struct recutctl *c, const char *body, size_t len, int is_json)
{
    if (c->out_path)
        return ctl_out_write_file(c->out_path, body, len);
    char *pretty = NULL;
    if (is_json && isatty(STDOUT_FILENO)) {
        json_t *doc = json_loadb(body, len, JSON_DECODE_ANY, NULL);
        if (doc)
            pretty = json_dumps(doc, JSON_INDENT(2) | JSON_ENCODE_ANY);
        json_decref(doc);
        if (pretty) {
            body = pretty;
            len = strlen(pretty);
        }
    }
    int rc = fwrite(body, 1, len, stdout) == len ? 0 : -1;
    if (rc == 0 && (len == 0 || body[len - 1] != '\n'))
        rc = fputc('\n', stdout) == EOF ? -1 : 0;
    if (fflush(stdout) != 0)
        rc = -1;
    free(pretty);
    if (rc < 0) {
        ctl_out_err("writing to stdout: %s", strerror(errno));
        return RECUTCTL_EXIT_SERVER;
    }
    return 0;
}


/* Read a whole file ("-": stdin); NULL after printing why. */
char *ctl_out_slurp(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        ctl_out_err("%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        cap *= 2;
        char *nb = realloc(buf, cap + 1);
        if (!nb) {
            free(buf);
            buf = NULL;
        }
        buf = nb;
    }
    int failed = !buf || ferror(f);
    if (!buf)
        ctl_out_err("%s: out of memory", path);
    else if (ferror(f))
        ctl_out_err("%s: read error", path);
    if (f != stdin)
        fclose(f);
    if (failed) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}
