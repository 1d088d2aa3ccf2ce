/* SPDX-License-Identifier: Apache-2.0 */
/* ctl_uri.c -- building request URIs with percent-encoded segments and
 * query values, so that ids and options with any bytes reach recutd intact;
 * a failed allocation is remembered and reported once (ctl_uri_ok). */
#include "config.h"
#include "ctl.h"

#include <event2/http.h>
#include <stdlib.h>
#include <string.h>

void ctl_uri_raw(struct ctl_uri *u, const char *s)
{
    size_t l = strlen(s);
    if (u->oom)
        return;
    if (u->len + l + 1 > u->cap) {
        size_t ncap = (u->len + l + 1) * 2;
        char *n = realloc(u->s, ncap);
        if (!n) {
            u->oom = 1;
            return;
        }
        u->s = n;
        u->cap = ncap;
    }
    memcpy(u->s + u->len, s, l + 1);
    u->len += l;
}

/* "/" + the percent-encoded segment. */
void ctl_uri_seg(struct ctl_uri *u, const char *seg)
{
    char *e = evhttp_uriencode(seg, -1, 0);
    ctl_uri_raw(u, "/");
    if (!e)
        u->oom = 1;
    else
        ctl_uri_raw(u, e);
    free(e);
}

void ctl_uri_query(struct ctl_uri *u, const char *name, const char *value)
{
    if (!value)
        return;
    char *e = evhttp_uriencode(value, -1, 0);
    ctl_uri_raw(u, u->nquery++ ? "&" : "?");
    ctl_uri_raw(u, name);
    ctl_uri_raw(u, "=");
    if (!e)
        u->oom = 1;
    else
        ctl_uri_raw(u, e);
    free(e);
}

int ctl_uri_ok(struct ctl_uri *u)
{
    if (u->oom || !u->s) {
        ctl_out_err("out of memory");
        return 0;
    }
    return 1;
}
