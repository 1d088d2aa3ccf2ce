/* SPDX-License-Identifier: Apache-2.0 */
/* vevent.h -- a viewer event: parsed from JSON, validated (docs/events.md). */
#ifndef RECUT_VEVENT_H
#define RECUT_VEVENT_H

#include <stddef.h>
#include <stdint.h>

#define VEVENT_ID_MAX 128
#define VEVENT_TEXT_MAX 4096
#define VEVENT_EMOTIONS_MAX 16

enum vevent_type {
    VEVENT_VIEW,
    VEVENT_SKIP,
    VEVENT_REWATCH,
    VEVENT_LIKE,
    VEVENT_DISLIKE,
    VEVENT_RATING,
    VEVENT_COMMENT,
    VEVENT_SHARE,
    VEVENT_EMOTION,
    VEVENT_CONSENT,
    VEVENT_FORGET,
    VEVENT_N_TYPES
};

/* Why an event was refused; also the metrics label. */
enum vevent_error {
    VEVENT_OK = 0,
    VEVENT_E_EMPTY,
    VEVENT_E_TOO_LARGE,
    VEVENT_E_JSON,
    VEVENT_E_UTF8,
    VEVENT_E_NOT_OBJECT,
    VEVENT_E_MISSING,
    VEVENT_E_TYPE,
    VEVENT_E_TOO_LONG,
    VEVENT_E_UNKNOWN_TYPE,
    VEVENT_E_RANGE,
    VEVENT_E_KEY,
    /* Not the event's fault: memory ran out while parsing or applying it.
     * The event may be good; retry it rather than dead-letter it. */
    VEVENT_E_NOMEM,
    VEVENT_E_UNKNOWN_MOVIE, /* valid, but its movie is not in the catalog (recutd) */
    /* valid, but its viewer's keys in Redis are damaged (recutd) */
    VEVENT_E_BAD_VIEWER_STATE,
    VEVENT_N_ERRORS
};

struct vevent_emotion {
    char label[33];
    double p;
};

struct vevent {
    enum vevent_type type;
    char user[VEVENT_ID_MAX + 1];
    char id[VEVENT_ID_MAX + 1];    /* "" when absent */
    char movie[VEVENT_ID_MAX + 1]; /* "" when absent */
    int64_t ts;
    long scene; /* -1 when absent */
    double t;   /* -1 when absent */
    double value;
    int has_value;
    char *text; /* heap, NULL when absent */
    struct vevent_emotion emotions[VEVENT_EMOTIONS_MAX];
    size_t n_emotions;
};

/* Parse one message.  `key`, if non-NULL, is the Kafka message key: when
 * given it must equal `user`.  On error returns the reason code and a human
 * message in errstr; *ev is then cleared. */
enum vevent_error vevent_parse(struct vevent *ev, const char *buf, size_t len, const char *key,
                               size_t key_len, size_t max_bytes, char *errstr, size_t errstr_size);
/* The same through jansson only, never the fast path (for tests). */
enum vevent_error vevent_parse_full(struct vevent *ev, const char *buf, size_t len, const char *key,
                                    size_t key_len, size_t max_bytes, char *errstr,
                                    size_t errstr_size);
void vevent_clear(struct vevent *ev);
const char *vevent_type_name(enum vevent_type t);
int vevent_type_parse(const char *s);
const char *vevent_error_name(enum vevent_error e);
/* The allocator vevent_parse uses for its own copies (NULL: malloc).  For
 * tests that inject allocation failures; jansson's allocations are set
 * with json_set_alloc_funcs. */
void vevent_set_alloc_hook(void *(*alloc)(size_t));
/* Validate UTF-8 (no overlongs, no surrogates). */
int vevent_utf8_valid(const char *s, size_t len);

#endif
