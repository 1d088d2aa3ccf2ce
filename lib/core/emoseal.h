/* SPDX-License-Identifier: Apache-2.0 */
/*
 * emoseal.h -- a viewer's emotion sums (the emo hash, viewer_fields.h) as
 * one sealed value.
 *
 * Why one value and not one per field: the field names themselves say
 * which labels a viewer felt ("e:fear") and on which movies and scenes;
 * sealing only the numbers would leave that in clear.  So the whole map is
 * written as the single field EMOSEAL_FIELD of PREFIX:{u:ID}:emo, its value
 * a seal.h value of the JSON object {field: number, ...}, with the viewer id
 * and the field name as associated data (a value copied to another viewer
 * does not open).  recutd writes it (store_emo.c) and loads it; recutctl
 * rotate-key re-seals it and seals emo hashes written in clear by older
 * versions.
 */
#ifndef RECUT_EMOSEAL_H
#define RECUT_EMOSEAL_H

#include "seal.h"
#include "strmap.h"

#include <stddef.h>

#define EMOSEAL_FIELD "sealed"

/* Seal the map emo (field -> number) of user: *out malloc'd, to free.
 * 0, or -1 with errstr. */
int emoseal_pack(const struct seal_ring *ring, const char *user, const struct strmap *emo,
                 char **out, size_t *out_len, char *errstr, size_t errstr_size);
/* Open user's sealed value and set its fields in emo.  0, or -1 with
 * errstr. */
int emoseal_unpack(const struct seal_ring *ring, const char *user, const char *value, size_t len,
                   struct strmap *emo, char *errstr, size_t errstr_size);
/* Re-seal a value with the ring's write key (for rotation): *out malloc'd.
 * 0, or -1 with errstr. */
int emoseal_reseal(const struct seal_ring *ring, const char *user, const char *value, size_t len,
                   char **out, size_t *out_len, char *errstr, size_t errstr_size);

#endif
