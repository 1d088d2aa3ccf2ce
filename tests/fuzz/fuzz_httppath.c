/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_httppath.c -- libFuzzer harness for the HTTP request target parser.
 *
 * Every request's path and query string reach httppath_parse() before any
 * handler, from anyone who can connect.  The input is a request target as
 * on the request line (path, then '?' and the query string); NUL bytes in
 * it end the C string the server would see.  Beyond "no crash, no leak, no
 * undefined behaviour", what the parser accepts must keep its promises:
 * ids non-empty, within VEVENT_ID_MAX, clean UTF-8 without a control byte,
 * present exactly when the route names them; parameters clean and within
 * HTTPPATH_VALUE_MAX.  A broken promise aborts, which the fuzzer reports
 * as a crash with the input that shows it. */
#include "config.h"
#include "httppath.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_httppath_broken(const char *what, const char *target)
{
    fprintf(stderr, "fuzz_httppath: %s for target '%.200s'\n", what, target);
    abort();
}

static int fuzz_httppath_clean(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max || !vevent_utf8_valid(s, n))
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *target = malloc(size + 1);
    if (!target)
        return 0;
    memcpy(target, data, size);
    target[size] = '\0';
    char *query = strchr(target, '?');
    if (query)
        *query++ = '\0';
    struct httppath p;
    char err[256];
    int rc = httppath_parse(&p, target, query, err, sizeof err);
    if (rc < 0 && !err[0])
        fuzz_httppath_broken("a refusal without a reason", target);
    if (rc == 0) {
        int has_user = p.route >= HTTPPATH_USER && p.route <= HTTPPATH_USER_PUBLISH;
        int has_movie = p.route == HTTPPATH_MOVIE || p.route == HTTPPATH_USER_CUT ||
                        p.route == HTTPPATH_USER_PUBLISH;
        if (has_user != (p.user[0] != '\0') || has_movie != (p.movie[0] != '\0'))
            fuzz_httppath_broken("an id present without its route, or missing", target);
        if (!fuzz_httppath_clean(p.user, VEVENT_ID_MAX) ||
            !fuzz_httppath_clean(p.movie, VEVENT_ID_MAX))
            fuzz_httppath_broken("an unclean id", target);
        if (p.n_params > HTTPPATH_PARAMS_MAX)
            fuzz_httppath_broken("too many parameters", target);
        for (size_t i = 0; i < p.n_params; i++)
            if (!p.params[i].name[0] || !fuzz_httppath_clean(p.params[i].name, (size_t)-1) ||
                !fuzz_httppath_clean(p.params[i].value, HTTPPATH_VALUE_MAX))
                fuzz_httppath_broken("an unclean parameter", target);
        if (httppath_param(&p, "exclude") && strlen(httppath_param(&p, "exclude")) > 0) {
            /* every item of the list passes as an id */
            char *dup = strdup(httppath_param(&p, "exclude")), *save = NULL;
            for (char *t = dup ? strtok_r(dup, ",", &save) : NULL; t;
                 t = strtok_r(NULL, ",", &save))
                if (httppath_check_id(t, strlen(t), "id", NULL, 0) < 0)
                    fuzz_httppath_broken("a bad id in exclude=", target);
            free(dup);
        }
    }
    httppath_clear(&p);
    free(target);
    return 0;
}
