/* SPDX-License-Identifier: Apache-2.0 */
/* store_pop.c -- popularity, sharded.
 *
 * Every positive first-time event bumps its movie's popularity, so one
 * sorted set for all movies would be the hottest key recutd has, and on a
 * Redis Cluster one node would take every popularity write.  The counts
 * are therefore spread over STORE_POP_SHARDS sorted sets,
 * PREFIX:{pop:K} with K = CRC16(movie) mod STORE_POP_SHARDS, each its own
 * hash tag (so its own slot); a fold (store_outbox.c) sends one script
 * call per shard that has increments, and a reader reads every shard and
 * merges them.  The
 * single PREFIX:pop of earlier versions is still read (and added in) but
 * never written. */
#include "config.h"
#include "store-internal.h"
#include "clock.h"
#include "rcluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned store_pop_shard(const char *movie)
{
    return rcluster_crc16(movie, strlen(movie)) % STORE_POP_SHARDS;
}

int store_pop_flush(struct store *s, const struct strmap *pop, const char *fid, const char *now,
                    redisCallbackFn *fn, void *priv, struct store_args *markers)
{
    struct store_args a[STORE_POP_SHARDS];
    memset(a, 0, sizeof a);
    size_t it = 0;
    struct strmap_entry *e;
    while ((e = strmap_next(pop, &it))) {
        if (e->num == 0) /* (only a partner in the fold) */
            continue;
        unsigned k = store_pop_shard(e->key);
        struct store_args *x = &a[k];
        if (!x->n) {
            store_args_add(x, "EVALSHA");
            store_args_add(x, s->shas[STORE_LUA_ZINCR]);
            store_args_add(x, "2");
            store_args_addf(x, "%s:{pop:%u}", s->d->cfg.redis_prefix, k);
            store_args_addf(x, "%s:{pop:%u}:mk", s->d->cfg.redis_prefix, k);
            store_args_add(x, fid);
            store_args_add(x, now);
            store_args_addf(markers, "%s:{pop:%u}:mk", s->d->cfg.redis_prefix, k);
        }
        store_args_addn(x, e->key, e->len);
        store_args_addf(x, "%.0f", e->num);
    }
    int sent = 0, rc = 0;
    for (unsigned k = 0; k < STORE_POP_SHARDS; k++) {
        if (a[k].n && !a[k].oom && store_send_args(s, fn, priv, &a[k]) == 0)
            sent++;
        else if (a[k].n)
            rc = -1;
        store_args_free(&a[k]);
    }
    return rc < 0 ? -1 : sent;
}

void store_pop_load_begin(struct store *s)
{
    strmap_clear(&s->pop_next, NULL);
    strmap_init(&s->pop_next);
    s->pop_wait = 0;
    s->pop_failed = 0;
    s->pop_loading = 1;
}

void store_pop_load_sent(struct store *s)
{
    s->pop_wait++;
}

/* Every shard answered: the merged counts replace the old ones. */
static void store_pop_load_end(struct store *s)
{
    s->pop_loading = 0;
    if (s->pop_failed) {
        strmap_clear(&s->pop_next, NULL);
        strmap_init(&s->pop_next);
        return; /* keep the last good counts; read again next time */
    }
    strmap_clear(&s->pop, NULL);
    s->pop = s->pop_next;
    strmap_init(&s->pop_next);
    s->max_pop = 0;
    size_t it = 0;
    struct strmap_entry *e;
    while ((e = strmap_next(&s->pop, &it)))
        if (e->num > s->max_pop)
            s->max_pop = e->num;
    store_pop_sort(s);
    s->pop_gen++;
    s->pop_loaded_ms = clock_mono_ms();
}

int store_pop_load_reply(struct store *s, const redisReply *r)
{
    int ok = r && r->type == REDIS_REPLY_ARRAY;
    if (r && r->type == REDIS_REPLY_ERROR)
        log_err("redis: reading popularity: %s", r->str);
    for (size_t i = 0; ok && i + 1 < r->elements; i += 2) {
        if (!r->element[i]->str || !r->element[i + 1]->str)
            continue;
        struct strmap_entry *e = strmap_put(&s->pop_next, r->element[i]->str);
        if (!e) {
            ok = 0;
            break;
        }
        e->num += strtod(r->element[i + 1]->str, NULL);
    }
    if (!ok)
        s->pop_failed = 1;
    if (s->pop_wait && --s->pop_wait == 0)
        store_pop_load_end(s);
    return ok ? 0 : -1;
}

void store_pop_fini(struct store *s)
{
    strmap_clear(&s->pop_next, NULL);
}
