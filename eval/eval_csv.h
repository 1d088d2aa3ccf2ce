/* SPDX-License-Identifier: Apache-2.0 */
/* eval_csv.h -- a small RFC 4180 CSV reader for recut-eval: quoted fields
 * with "" escapes, commas and newlines inside quotes, CRLF or LF line ends,
 * an optional UTF-8 byte order mark.  Anything else (a quote inside an
 * unquoted field, text after a closing quote, an unterminated quote, a NUL
 * byte) is an error naming the file and line. */
#ifndef RECUT_EVAL_CSV_H
#define RECUT_EVAL_CSV_H

#include <stddef.h>
#include <stdio.h>

struct eval_csv {
    FILE *f;
    char path[512];
    long line; /* line the current record started on */
    long next_line;
    char *buf; /* field bytes, each NUL-terminated */
    size_t len, cap;
    size_t *off; /* field start offsets into buf */
    size_t n_fields, cap_fields;
    char **fields; /* valid after eval_csv_next() returned 1 */
    int first;
};

int eval_csv_open(struct eval_csv *c, const char *path, char *errstr, size_t errstr_size);
/* 1: a record in c->fields[0..n_fields), 0: end of file, -1: error. */
int eval_csv_next(struct eval_csv *c, char *errstr, size_t errstr_size);
/* Index of a header field named `name` in the current record, or -1. */
int eval_csv_column(const struct eval_csv *c, const char *name);
void eval_csv_close(struct eval_csv *c);

#endif
