/* SPDX-License-Identifier: Apache-2.0 */
/* secret.c -- a password read from its own file (see secret.h). */
#include "config.h"
#include "secret.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void util_secret_wipe(char *secret)
{
    if (secret) {
        volatile char *v = secret;
        for (size_t i = 0; v[i]; i++)
            v[i] = 0;
        free(secret);
    }
}

int util_secret_read(const char *what, const char *path, char **out, char *errstr,
                     size_t errstr_size)
{
    *out = NULL;
    if (!path || !path[0])
        return 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errstr, errstr_size, "%s %s: %s", what, path, strerror(errno));
        return -1;
    }
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    int err = ferror(f), more = !feof(f) && fgetc(f) != EOF;
    fclose(f);
    if (err || more) {
        memset(buf, 0, sizeof buf);
        snprintf(errstr, errstr_size, "%s %s: %s", what, path,
                 err ? "read error" : "longer than 1023 bytes");
        return -1;
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--; /* one trailing newline, as editors write it */
    buf[n] = '\0';
    if (n == 0 || memchr(buf, '\n', n)) {
        memset(buf, 0, sizeof buf);
        snprintf(errstr, errstr_size, "%s %s: %s", what, path, n ? "more than one line" : "empty");
        return -1;
    }
    *out = strdup(buf);
    memset(buf, 0, sizeof buf);
    if (!*out) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    return 0;
}
