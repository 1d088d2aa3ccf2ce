/* SPDX-License-Identifier: Apache-2.0 */
/* store_emo.h -- the emo hash sealed (store_emo.c), for the store's files. */
#ifndef RECUTD_STORE_EMO_H
#define RECUTD_STORE_EMO_H

#include <stddef.h>

#include "store-internal.h"

/* Take the process's key ring (s->d->seal) for the read path. */
void store_emo_init(struct store *s);
/* Whether an operation of this code is kept: without a key ring, emotion
 * operations are dropped as they enter a batch. */
int store_emo_keeps(const struct store *s, char code);
/* A field k of v's emo hash: 1 if it was the sealed one (opened into v's
 * map, or logged), 0 if it is a field in clear. */
int store_emo_reply_field(recut_viewer *v, const redisReply *k, const redisReply *val);
/* Queue the writes of v's emo map if it changed (DEL, HSET of the sealed
 * value) into r, inside the caller's transaction.  0, or -1. */
int store_emo_write(struct store *s, struct store_resp *r, const char *kp, size_t kpl,
                    recut_viewer *v);

#endif
