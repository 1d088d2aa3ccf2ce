/* SPDX-License-Identifier: Apache-2.0 */
/* strbuf.h -- a growable string (or byte) buffer with printf-append.
 *
 * Several modules build a text or a record in memory by appending pieces
 * (the metrics page, text models, edit lists, co-occurrence rows) and each
 * used to carry its own copy of the same realloc loop.  This is the one
 * copy.  Out of memory is sticky: the first failed append marks the buffer
 * failed, later appends do nothing and return -1, and strbuf_take then
 * returns NULL; so a writer appends freely and checks once at the end.
 * A NULL buffer (strbuf_new out of memory) behaves as a failed one. */
#ifndef RECUT_UTIL_STRBUF_H
#define RECUT_UTIL_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf;

/* An empty buffer; NULL on out of memory (every function below accepts
 * NULL as a failed buffer). */
struct strbuf *strbuf_new(void);

/* Append len bytes (may contain NUL) / a C string / printf output.
 * 0, or -1 when the buffer is or becomes failed. */
int strbuf_append(struct strbuf *b, const void *data, size_t len);
int strbuf_puts(struct strbuf *b, const char *s);
int strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int strbuf_vprintf(struct strbuf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* 1 if an append failed (or b is NULL), else 0. */
int strbuf_failed(const struct strbuf *b);
/* The bytes so far, always NUL-terminated ("" when empty or failed). */
const char *strbuf_data(const struct strbuf *b);
size_t strbuf_len(const struct strbuf *b);

/* Empty b for reuse, keeping its storage; a failed b is usable again. */
void strbuf_reset(struct strbuf *b);

/* Free b and hand over its contents (NUL-terminated, the caller frees it),
 * the length in *len if len is not NULL.  NULL if b failed. */
char *strbuf_take(struct strbuf *b, size_t *len);
void strbuf_free(struct strbuf *b);

#endif
