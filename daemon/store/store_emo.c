/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_emo.c -- a viewer's emotion sums in Redis, sealed.
 *
 * Emotion readings are personal data that a Redis dump, a replica or a
 * backup must not give away, so the emo hash holds one field, the whole
 * map sealed with [privacy] key_file's first key (lib/core/emoseal.h): the
 * write path replaces it whole whenever the map changed, the read path
 * opens it.  Without a key file no emotion reading is kept at all: the
 * events' emotion operations are stripped as they enter a batch and
 * counted as dropped (recut_emotion_dropped_total).  An emo hash written
 * in clear by an older version still loads; it is sealed on the viewer's
 * next emotion reading, or by recutctl rotate-key.
 */
#include "config.h"
#include "store-internal.h"
#include "store_emo.h"
#include "emoseal.h"

#include <stdlib.h>
#include <string.h>

/* The key ring of this process (one configuration, read by
 * store_viewer_reply, which has no store at hand). */
static const struct seal_ring *store_emo_ring;

void store_emo_init(struct store *s)
{
    store_emo_ring = s->d->seal;
}

int store_emo_keeps(const struct store *s, char code)
{
    return s->d->seal || code != UPD_EMO;
}

int store_emo_reply_field(recut_viewer *v, const redisReply *k, const redisReply *val)
{
    if (k->len != strlen(EMOSEAL_FIELD) || memcmp(k->str, EMOSEAL_FIELD, k->len) != 0)
        return 0;
    char err[256];
    if (!store_emo_ring) {
        log_warn("emotion data of %s is sealed but there is no [privacy] key_file: not loaded",
                 v->id);
        return 1;
    }
    if (emoseal_unpack(store_emo_ring, v->id, val->str, val->len, &v->emo, err, sizeof err) < 0)
        log_err("emotion data of %s not loaded: %s", v->id, err);
    return 1;
}

static void store_emo_untouched(void *arg, const char *field, size_t len, double value)
{
    (void)arg;
    (void)field;
    (void)len;
    (void)value;
}

int store_emo_write(struct store *s, struct store_resp *r, const char *kp, size_t kpl,
                    recut_viewer *v)
{
    if (!viewer_changes_count(v, 'E'))
        return 0;
    viewer_changes_take(v, 'E', store_emo_untouched, NULL); /* the map goes whole */
    if (!s->d->seal)
        return 0; /* nothing new without a key: only an old clear hash */
    char *sealed, err[256];
    size_t len;
    if (emoseal_pack(s->d->seal, v->id, &v->emo, &sealed, &len, err, sizeof err) < 0) {
        log_err("emotion data of %s not written: %s", v->id, err);
        return -1;
    }
    int rc = 0;
    /* DEL: fields in clear from an older version go */
    store_resp_cmd(r, 2);
    store_resp_str(r, "DEL", 3);
    store_resp_key(r, kp, kpl, "emo");
    rc |= store_resp_send(s, r, NULL, NULL);
    store_resp_cmd(r, 4);
    store_resp_str(r, "HSET", 4);
    store_resp_key(r, kp, kpl, "emo");
    store_resp_strz(r, EMOSEAL_FIELD);
    store_resp_str(r, sealed, len);
    rc |= store_resp_send(s, r, NULL, NULL);
    free(sealed);
    return rc;
}
