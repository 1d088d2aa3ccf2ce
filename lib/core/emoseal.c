/* SPDX-License-Identifier: Apache-2.0 */
/*
 * emoseal.c -- the emo hash as one sealed JSON object (see emoseal.h).
 *
 * The associated data is "ID\0emo\0sealed": the viewer id and the field,
 * NUL-separated (a viewer id holds no NUL: the event parser refuses it).
 */
#include "config.h"
#include "emoseal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

/* The associated data of user's value into buf: its length, or -1. */
static int emoseal_ad(char *buf, size_t size, const char *user)
{
    static const char tail[] = "\0emo\0" EMOSEAL_FIELD;
    size_t ul = strlen(user);
    if (ul + sizeof tail > size)
        return -1;
    memcpy(buf, user, ul);
    memcpy(buf + ul, tail, sizeof tail - 1);
    return (int)(ul + sizeof tail - 1);
}

int emoseal_pack(const struct seal_ring *ring, const char *user, const struct strmap *emo,
                 char **out, size_t *out_len, char *errstr, size_t errstr_size)
{
    char ad[512];
    int adl = emoseal_ad(ad, sizeof ad, user);
    if (adl < 0) {
        snprintf(errstr, errstr_size, "viewer id too long");
        return -1;
    }
    json_t *o = json_object();
    struct strmap_entry *e;
    int rc = -1;
    if (!o)
        goto nomem;
    for (size_t i = 0; (e = strmap_next(emo, &i));)
        if (json_object_set_new(o, e->key, json_real(e->num)) < 0)
            goto nomem;
    char *js = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(17));
    if (!js)
        goto nomem;
    rc = seal_seal(ring, ad, (size_t)adl, js, strlen(js), out, out_len, errstr, errstr_size);
    free(js);
    json_decref(o);
    return rc;
nomem:
    json_decref(o);
    snprintf(errstr, errstr_size, "out of memory");
    return -1;
}

int emoseal_unpack(const struct seal_ring *ring, const char *user, const char *value, size_t len,
                   struct strmap *emo, char *errstr, size_t errstr_size)
{
    char ad[512];
    int adl = emoseal_ad(ad, sizeof ad, user);
    if (adl < 0) {
        snprintf(errstr, errstr_size, "viewer id too long");
        return -1;
    }
    char *plain;
    size_t pl;
    if (seal_open(ring, ad, (size_t)adl, value, len, &plain, &pl, errstr, errstr_size) < 0)
        return -1;
    json_t *o = json_loadb(plain, pl, 0, NULL);
    free(plain);
    if (!json_is_object(o)) {
        json_decref(o);
        snprintf(errstr, errstr_size, "sealed emotion state is not a JSON object");
        return -1;
    }
    const char *k;
    json_t *v;
    int rc = 0;
    json_object_foreach(o, k, v)
    {
        if (!json_is_number(v))
            continue;
        struct strmap_entry *e = strmap_put(emo, k);
        if (!e) {
            snprintf(errstr, errstr_size, "out of memory");
            rc = -1;
            break;
        }
        e->num = json_number_value(v);
    }
    json_decref(o);
    return rc;
}

int emoseal_reseal(const struct seal_ring *ring, const char *user, const char *value, size_t len,
                   char **out, size_t *out_len, char *errstr, size_t errstr_size)
{
    char ad[512];
    int adl = emoseal_ad(ad, sizeof ad, user);
    if (adl < 0) {
        snprintf(errstr, errstr_size, "viewer id too long");
        return -1;
    }
    char *plain;
    size_t pl;
    if (seal_open(ring, ad, (size_t)adl, value, len, &plain, &pl, errstr, errstr_size) < 0)
        return -1;
    int rc = seal_seal(ring, ad, (size_t)adl, plain, pl, out, out_len, errstr, errstr_size);
    free(plain);
    return rc;
}
