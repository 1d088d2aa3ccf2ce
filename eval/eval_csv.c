/* SPDX-License-Identifier: Apache-2.0 */
/* eval_csv.c -- CSV reader (see eval_csv.h). */
#include "config.h"
#include "eval_csv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int eval_csv_open(struct eval_csv *c, const char *path, char *errstr, size_t errstr_size)
{
    memset(c, 0, sizeof *c);
    snprintf(c->path, sizeof c->path, "%s", path);
    c->f = fopen(path, "rb");
    if (!c->f) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        return -1;
    }
    c->next_line = 1;
    c->first = 1;
    return 0;
}

void eval_csv_close(struct eval_csv *c)
{
    if (c->f)
        fclose(c->f);
    free(c->buf);
    free(c->off);
    free(c->fields);
    memset(c, 0, sizeof *c);
}

static int eval_csv_putc(struct eval_csv *c, char ch)
{
    if (c->len == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 256;
        char *n = realloc(c->buf, ncap);
        if (!n)
            return -1;
        c->buf = n;
        c->cap = ncap;
    }
    c->buf[c->len++] = ch;
    return 0;
}

static int eval_csv_start_field(struct eval_csv *c)
{
    if (c->n_fields == c->cap_fields) {
        size_t ncap = c->cap_fields ? c->cap_fields * 2 : 16;
        size_t *n = realloc(c->off, ncap * sizeof *n);
        if (!n)
            return -1;
        c->off = n;
        char **nf = realloc(c->fields, ncap * sizeof *nf);
        if (!nf)
            return -1;
        c->fields = nf;
        c->cap_fields = ncap;
    }
    c->off[c->n_fields++] = c->len;
    return 0;
}

static int eval_csv_fail(struct eval_csv *c, char *errstr, size_t errstr_size, const char *why)
{
    snprintf(errstr, errstr_size, "%s:%ld: %s", c->path, c->next_line, why);
    return -1;
}

int eval_csv_next(struct eval_csv *c, char *errstr, size_t errstr_size)
{
    for (;;) {
        c->len = 0;
        c->n_fields = 0;
        c->line = c->next_line;
        int ch = getc(c->f);
        if (c->first) {
            c->first = 0;
            if (ch == 0xEF) { /* UTF-8 byte order mark */
                if (getc(c->f) != 0xBB || getc(c->f) != 0xBF)
                    return eval_csv_fail(c, errstr, errstr_size, "bad byte order mark");
                ch = getc(c->f);
            }
        }
        if (ch == EOF) {
            if (ferror(c->f))
                return eval_csv_fail(c, errstr, errstr_size, "read error");
            return 0;
        }
        if (ch == '\n') { /* blank line */
            c->next_line++;
            continue;
        }
        if (ch == '\r') {
            if (getc(c->f) != '\n')
                return eval_csv_fail(c, errstr, errstr_size, "stray carriage return");
            c->next_line++;
            continue;
        }
        int end = 0;
        while (!end) {
            if (eval_csv_start_field(c) < 0)
                return eval_csv_fail(c, errstr, errstr_size, "out of memory");
            if (ch == '"') {
                for (;;) {
                    ch = getc(c->f);
                    if (ch == EOF) {
                        c->next_line = c->line;
                        return eval_csv_fail(c, errstr, errstr_size,
                                             "quoted field never closed (end of file)");
                    }
                    if (ch == '\n')
                        c->next_line++;
                    if (ch == '"') {
                        ch = getc(c->f);
                        if (ch != '"')
                            break;
                    }
                    if (ch == 0)
                        return eval_csv_fail(c, errstr, errstr_size, "NUL byte");
                    if (eval_csv_putc(c, (char)ch) < 0)
                        return eval_csv_fail(c, errstr, errstr_size, "out of memory");
                }
                /* ch is what follows the closing quote */
                if (ch != ',' && ch != '\n' && ch != '\r' && ch != EOF)
                    return eval_csv_fail(c, errstr, errstr_size,
                                         "text after the closing quote of a field");
            } else {
                while (ch != ',' && ch != '\n' && ch != '\r' && ch != EOF) {
                    if (ch == '"')
                        return eval_csv_fail(c, errstr, errstr_size,
                                             "quote inside an unquoted field");
                    if (ch == 0)
                        return eval_csv_fail(c, errstr, errstr_size, "NUL byte");
                    if (eval_csv_putc(c, (char)ch) < 0)
                        return eval_csv_fail(c, errstr, errstr_size, "out of memory");
                    ch = getc(c->f);
                }
            }
            if (eval_csv_putc(c, '\0') < 0)
                return eval_csv_fail(c, errstr, errstr_size, "out of memory");
            if (ch == ',') {
                ch = getc(c->f);
                continue;
            }
            if (ch == '\r' && getc(c->f) != '\n')
                return eval_csv_fail(c, errstr, errstr_size, "stray carriage return");
            if (ch == EOF && ferror(c->f))
                return eval_csv_fail(c, errstr, errstr_size, "read error");
            if (ch != EOF)
                c->next_line++;
            end = 1;
        }
        for (size_t i = 0; i < c->n_fields; i++)
            c->fields[i] = c->buf + c->off[i];
        return 1;
    }
}

int eval_csv_column(const struct eval_csv *c, const char *name)
{
    for (size_t i = 0; i < c->n_fields; i++)
        if (strcmp(c->fields[i], name) == 0)
            return (int)i;
    return -1;
}
