/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_vevent.c -- libFuzzer harness for the event parser.
 *
 * Every Kafka message and every line of an NDJSON POST reaches
 * vevent_parse() first, so it sees the most hostile input recut gets.  The
 * parser has two paths (a one-pass fast path for plain flat events, jansson
 * for the rest): beyond "no crash, no leak, no undefined behaviour", the
 * harness checks that both paths agree on every input -- same verdict, and
 * for an accepted event the same fields.  A disagreement aborts, which the
 * fuzzer reports as a crash with the input that shows it. */
#include "config.h"
#include "vevent.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_BYTES 65536

static void fuzz_vevent_disagree(const char *what, const uint8_t *data, size_t size)
{
    fprintf(stderr, "fuzz_vevent: the fast path and jansson disagree on %s for %zu bytes: %.*s\n",
            what, size, (int)(size > 200 ? 200 : size), (const char *)data);
    abort();
}

static int fuzz_vevent_same(const struct vevent *a, const struct vevent *b)
{
    if (a->type != b->type || strcmp(a->user, b->user) || strcmp(a->id, b->id) ||
        strcmp(a->movie, b->movie) || a->ts != b->ts || a->scene != b->scene ||
        a->has_value != b->has_value || a->n_emotions != b->n_emotions)
        return 0;
    /* doubles: both paths must produce the same number (NaN never passes) */
    if (memcmp(&a->t, &b->t, sizeof a->t) ||
        (a->has_value && memcmp(&a->value, &b->value, sizeof a->value)))
        return 0;
    if ((a->text == NULL) != (b->text == NULL) || (a->text && strcmp(a->text, b->text)))
        return 0;
    for (size_t i = 0; i < a->n_emotions; i++)
        if (strcmp(a->emotions[i].label, b->emotions[i].label) ||
            a->emotions[i].p != b->emotions[i].p)
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vevent fast, full;
    char err1[256], err2[256];
    /* the first byte, when there is one, chooses whether a Kafka key is
     * given: the key must then equal "user" */
    const char *key = NULL;
    size_t key_len = 0;
    if (size > 0 && (data[0] & 1)) {
        key = "u1";
        key_len = 2;
    }
    enum vevent_error a = vevent_parse(&fast, (const char *)data, size, key, key_len,
                                       FUZZ_MAX_BYTES, err1, sizeof err1);
    enum vevent_error b = vevent_parse_full(&full, (const char *)data, size, key, key_len,
                                            FUZZ_MAX_BYTES, err2, sizeof err2);
    if ((a == VEVENT_OK) != (b == VEVENT_OK))
        fuzz_vevent_disagree("the verdict", data, size);
    if (a != VEVENT_OK && (!err1[0] || !err2[0]))
        fuzz_vevent_disagree("an error without a message", data, size);
    if (a == VEVENT_OK && !fuzz_vevent_same(&fast, &full))
        fuzz_vevent_disagree("the fields", data, size);
    vevent_clear(&fast);
    vevent_clear(&full);
    return 0;
}
