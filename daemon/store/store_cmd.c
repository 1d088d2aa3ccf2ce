/* SPDX-License-Identifier: Apache-2.0 */
/* store_cmd.c -- single commands for the modules above the store
 * (store_command in store.h).
 *
 * The experiments keep exposures in the viewer's hash tag and counters in
 * their own; they go through the store's one connection (its
 * authentication, reconnects, timeout watchdog and pending count for the
 * drain) instead of opening another, and see the reply as plain C values so
 * that nothing above the store includes hiredis. */
#include "config.h"
#include "store-internal.h"

#include <stdlib.h>
#include <string.h>

struct store_cmd {
    store_command_fn cb;
    void *arg;
};

static void store_cmd_reply(redisAsyncContext *ac, void *reply, void *priv)
{
    struct store_cmd *x = priv;
    struct store *s = ac->data;
    store_replied(s);
    redisReply *r = reply;
    if (!r || r->type == REDIS_REPLY_ERROR) {
        if (r)
            log_err("redis: %s", r->str);
        x->cb(x->arg, 0, 0, NULL, NULL, 0);
    } else if (r->type == REDIS_REPLY_ARRAY) {
        size_t n = r->elements;
        const char **strs = calloc(n ? n : 1, sizeof *strs);
        size_t *lens = calloc(n ? n : 1, sizeof *lens);
        if (!strs || !lens) {
            x->cb(x->arg, 0, 0, NULL, NULL, 0);
        } else {
            for (size_t i = 0; i < n; i++) {
                const redisReply *e = r->element[i];
                if (e->type == REDIS_REPLY_STRING || e->type == REDIS_REPLY_STATUS) {
                    strs[i] = e->str;
                    lens[i] = e->len;
                }
            }
            x->cb(x->arg, 1, 0, strs, lens, n);
        }
        free(strs);
        free(lens);
    } else if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) {
        const char *str = r->str;
        size_t len = r->len;
        x->cb(x->arg, 1, 0, &str, &len, 1);
    } else {
        x->cb(x->arg, 1, r->type == REDIS_REPLY_INTEGER ? r->integer : 0, NULL, NULL, 0);
    }
    free(x);
}

int store_command(struct store *s, int argc, const char *const *argv, store_command_fn cb,
                  void *arg)
{
    if (!s->connected || argc <= 0)
        return -1;
    struct store_cmd *x = malloc(sizeof *x);
    if (!x)
        return -1;
    *x = (struct store_cmd){ cb, arg };
    struct store_args a = { 0 };
    for (int i = 0; i < argc; i++)
        store_args_add(&a, argv[i]);
    int rc = store_send_args(s, store_cmd_reply, x, &a);
    store_args_free(&a);
    if (rc < 0)
        free(x);
    return rc;
}
