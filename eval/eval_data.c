/* SPDX-License-Identifier: Apache-2.0 */
/* eval_data.c -- MovieLens directory -> catalog + events (see eval_data.h). */
#include "config.h"
#include "eval_data.h"
#include "eval_csv.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EVAL_DATA_TOP_TAGS 10

/* A movie while the directory is read (before it becomes a catalog entry). */
struct eval_data_movie {
    char *id, *title, *genres;
    struct strmap tags; /* lower-cased tag -> count */
};

struct eval_data_load {
    struct eval_data *d;
    const struct eval_data_opts *o;
    struct eval_data_movie *movies;
    size_t n_movies, cap_movies;
    struct strmap movie_index; /* id -> index + 1 (in num) */
    struct eval_event *ev;
    size_t n_ev, cap_ev;
};

void eval_data_free(struct eval_data *d)
{
    catalog_free(&d->cat);
    free(d->events);
    for (size_t i = 0; i < d->n_users; i++)
        free(d->user_ids[i]);
    free(d->user_ids);
    strmap_clear(&d->user_index, NULL);
    for (size_t i = 0; i < d->n_tags; i++)
        free(d->tags[i]);
    free(d->tags);
    memset(d, 0, sizeof *d);
}

static void eval_data_load_free(struct eval_data_load *l)
{
    for (size_t i = 0; i < l->n_movies; i++) {
        free(l->movies[i].id);
        free(l->movies[i].title);
        free(l->movies[i].genres);
        strmap_clear(&l->movies[i].tags, NULL);
    }
    free(l->movies);
    strmap_clear(&l->movie_index, NULL);
    free(l->ev);
}

/* A bad row: an error, or a counted skip with skip_bad.  Returns -1 to stop. */
static int eval_data_bad(struct eval_data_load *l, const struct eval_csv *c, char *errstr,
                         size_t errstr_size, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int eval_data_bad(struct eval_data_load *l, const struct eval_csv *c, char *errstr,
                         size_t errstr_size, const char *fmt, ...)
{
    if (l->o->skip_bad) {
        l->d->skipped++;
        return 0;
    }
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    snprintf(errstr, errstr_size, "%s:%ld: %s", c->path, c->line, why);
    return -1;
}

static int eval_data_int(const char *s, long long lo, long long *out)
{
    if (!*s || strlen(s) > 18)
        return -1;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p) && !(p == s && *p == '-'))
            return -1;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < lo)
        return -1;
    *out = v;
    return 0;
}

/* Columns of a file's header, by name; -1 with a message if one is missing. */
static int eval_data_header(struct eval_csv *c, const char *const *names, int *cols, size_t n,
                            char *errstr, size_t errstr_size)
{
    int r = eval_csv_next(c, errstr, errstr_size);
    if (r < 0)
        return -1;
    if (r == 0) {
        snprintf(errstr, errstr_size, "%s: empty file (no header line)", c->path);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        cols[i] = eval_csv_column(c, names[i]);
        if (cols[i] < 0) {
            snprintf(errstr, errstr_size, "%s:1: header has no '%s' column", c->path, names[i]);
            return -1;
        }
    }
    return 0;
}

static int eval_data_path(char *out, size_t n, const char *dir, const char *file, char *errstr,
                          size_t errstr_size)
{
    int w = snprintf(out, n, "%s/%s", dir, file);
    if (w < 0 || (size_t)w >= n) {
        snprintf(errstr, errstr_size, "%s: path too long", dir);
        return -1;
    }
    return 0;
}

static int eval_data_movies(struct eval_data_load *l, const char *dir, char *errstr,
                            size_t errstr_size)
{
    char path[1024];
    if (eval_data_path(path, sizeof path, dir, "movies.csv", errstr, errstr_size) < 0)
        return -1;
    struct eval_csv c;
    if (eval_csv_open(&c, path, errstr, errstr_size) < 0)
        return -1;
    static const char *const names[] = { "movieId", "title", "genres" };
    int col[3];
    int rc = eval_data_header(&c, names, col, 3, errstr, errstr_size);
    int r;
    while (rc == 0 && (r = eval_csv_next(&c, errstr, errstr_size)) != 0) {
        if (r < 0) {
            rc = -1;
            break;
        }
        if (c.n_fields != 3) {
            rc =
                eval_data_bad(l, &c, errstr, errstr_size, "expected 3 fields, got %zu", c.n_fields);
            continue;
        }
        const char *id = c.fields[col[0]];
        long long num;
        if (eval_data_int(id, 0, &num) < 0) {
            rc = eval_data_bad(l, &c, errstr, errstr_size, "movieId '%.64s' is not a number", id);
            continue;
        }
        struct strmap_entry *e = strmap_put(&l->movie_index, id);
        if (!e) {
            snprintf(errstr, errstr_size, "out of memory");
            rc = -1;
            break;
        }
        if (e->num > 0) {
            rc = eval_data_bad(l, &c, errstr, errstr_size, "movieId %s appears twice", id);
            continue;
        }
        if (l->n_movies == l->cap_movies) {
            size_t ncap = l->cap_movies ? 2 * l->cap_movies : 1024;
            struct eval_data_movie *nm = realloc(l->movies, ncap * sizeof *nm);
            if (!nm) {
                snprintf(errstr, errstr_size, "out of memory");
                rc = -1;
                break;
            }
            l->movies = nm;
            l->cap_movies = ncap;
        }
        struct eval_data_movie *m = &l->movies[l->n_movies++];
        m->id = strdup(id);
        m->title = strdup(c.fields[col[1]]);
        m->genres = strdup(c.fields[col[2]]);
        strmap_init(&m->tags);
        e->num = (double)l->n_movies;
        if (!m->id || !m->title || !m->genres) {
            snprintf(errstr, errstr_size, "out of memory");
            rc = -1;
        }
    }
    eval_csv_close(&c);
    if (rc == 0 && l->n_movies == 0) {
        snprintf(errstr, errstr_size, "%s: no movies", path);
        rc = -1;
    }
    return rc;
}

static int eval_data_push(struct eval_data_load *l, const struct eval_event *ev)
{
    if (l->n_ev == l->cap_ev) {
        size_t ncap = l->cap_ev ? 2 * l->cap_ev : 4096;
        struct eval_event *n = realloc(l->ev, ncap * sizeof *n);
        if (!n)
            return -1;
        l->ev = n;
        l->cap_ev = ncap;
    }
    l->ev[l->n_ev++] = *ev;
    return 0;
}

static int eval_data_user(struct eval_data *d, long long uid, uint32_t *out)
{
    char id[32];
    snprintf(id, sizeof id, "u%lld", uid);
    struct strmap_entry *e = strmap_put(&d->user_index, id);
    if (!e)
        return -1;
    if (e->num == 0) {
        if (d->n_users == d->cap_users) {
            size_t ncap = d->cap_users ? 2 * d->cap_users : 256;
            char **n = realloc(d->user_ids, ncap * sizeof *n);
            if (!n)
                return -1;
            d->user_ids = n;
            d->cap_users = ncap;
        }
        if (!(d->user_ids[d->n_users] = strdup(id)))
            return -1;
        e->num = (double)++d->n_users;
    }
    *out = (uint32_t)(e->num - 1);
    return 0;
}

/* Lower-case (ASCII) and trim a tag in place; returns it. */
static char *eval_data_tag_norm(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    for (char *p = s; *p; p++)
        if ((unsigned char)*p < 0x80)
            *p = (char)tolower((unsigned char)*p);
    return s;
}

/* ratings.csv (tag = 0) or tags.csv (tag = 1) */
static int eval_data_events(struct eval_data_load *l, const char *dir, int tag, char *errstr,
                            size_t errstr_size)
{
    char path[1024];
    if (eval_data_path(path, sizeof path, dir, tag ? "tags.csv" : "ratings.csv", errstr,
                       errstr_size) < 0)
        return -1;
    if (tag && !l->o->need_tags && access(path, F_OK) != 0)
        return 0;
    struct eval_csv c;
    if (eval_csv_open(&c, path, errstr, errstr_size) < 0)
        return -1;
    static const char *const rnames[] = { "userId", "movieId", "rating", "timestamp" };
    static const char *const tnames[] = { "userId", "movieId", "tag", "timestamp" };
    int col[4];
    int rc = eval_data_header(&c, tag ? tnames : rnames, col, 4, errstr, errstr_size);
    int r;
    struct eval_data *d = l->d;
    while (rc == 0 && (r = eval_csv_next(&c, errstr, errstr_size)) != 0) {
        if (r < 0) {
            rc = -1;
            break;
        }
        if (c.n_fields != 4) {
            rc =
                eval_data_bad(l, &c, errstr, errstr_size, "expected 4 fields, got %zu", c.n_fields);
            continue;
        }
        long long id_num, ts;
        const char *movie = c.fields[col[1]];
        if (eval_data_int(c.fields[col[0]], 0, &id_num) < 0) {
            rc = eval_data_bad(l, &c, errstr, errstr_size, "userId '%.64s' is not a number",
                               c.fields[col[0]]);
            continue;
        }
        if (eval_data_int(c.fields[col[3]], 0, &ts) < 0) {
            rc = eval_data_bad(l, &c, errstr, errstr_size, "timestamp '%.64s' is not a number",
                               c.fields[col[3]]);
            continue;
        }
        struct strmap_entry *me = strmap_get(&l->movie_index, movie);
        if (!me) {
            rc = eval_data_bad(l, &c, errstr, errstr_size, "movie '%.64s' is not in movies.csv",
                               movie);
            continue;
        }
        struct eval_event ev = {
            .ts = ts, .seq = (uint32_t)l->n_ev, .movie = (uint32_t)(me->num - 1), .tag = -1
        };
        if (!tag) {
            char *end;
            double v = strtod(c.fields[col[2]], &end);
            if (end == c.fields[col[2]] || *end || !isfinite(v) || v < 0.5 || v > 5) {
                rc = eval_data_bad(l, &c, errstr, errstr_size,
                                   "rating '%.64s' is not a number in 0.5..5", c.fields[col[2]]);
                continue;
            }
            ev.value = (float)v;
        } else {
            char *t = eval_data_tag_norm(c.fields[col[2]]);
            if (!*t)
                continue; /* empty tag: nothing to learn */
            if (strlen(t) <= 256) {
                struct strmap_entry *te = strmap_put(&l->movies[ev.movie].tags, t);
                if (!te) {
                    snprintf(errstr, errstr_size, "out of memory");
                    rc = -1;
                    break;
                }
                te->num += 1;
            }
            if (d->n_tags == d->cap_tags) {
                size_t ncap = d->cap_tags ? 2 * d->cap_tags : 256;
                char **n = realloc(d->tags, ncap * sizeof *n);
                if (!n) {
                    snprintf(errstr, errstr_size, "out of memory");
                    rc = -1;
                    break;
                }
                d->tags = n;
                d->cap_tags = ncap;
            }
            if (!(d->tags[d->n_tags] = strdup(t))) {
                snprintf(errstr, errstr_size, "out of memory");
                rc = -1;
                break;
            }
            ev.tag = (int32_t)d->n_tags++;
        }
        if (eval_data_user(d, id_num, &ev.user) < 0 || eval_data_push(l, &ev) < 0) {
            snprintf(errstr, errstr_size, "out of memory");
            rc = -1;
            break;
        }
        if (!tag)
            d->n_ratings++;
    }
    eval_csv_close(&c);
    return rc;
}

struct eval_data_tagcount {
    const char *tag;
    double n;
};

static int eval_data_tagcmp(const void *a, const void *b)
{
    const struct eval_data_tagcount *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return strcmp(x->tag, y->tag);
}

static int eval_data_catalog(struct eval_data_load *l, char *errstr, size_t errstr_size)
{
    for (size_t i = 0; i < l->n_movies; i++) {
        struct eval_data_movie *m = &l->movies[i];
        json_t *genres = json_array(), *tags = json_array();
        char *g = m->genres;
        while (genres && g && *g) {
            char *bar = strchr(g, '|');
            if (bar)
                *bar = '\0';
            if (*g && strcmp(g, "(no genres listed)") != 0 && strlen(g) <= 256)
                json_array_append_new(genres, json_string(g));
            g = bar ? bar + 1 : NULL;
        }
        if (l->o->tag_features && m->tags.len && tags) {
            struct eval_data_tagcount *tc = calloc(m->tags.len, sizeof *tc);
            size_t n = 0, it = 0;
            struct strmap_entry *e;
            while (tc && (e = strmap_next(&m->tags, &it)))
                tc[n++] = (struct eval_data_tagcount){ e->key, e->num };
            if (tc)
                qsort(tc, n, sizeof *tc, eval_data_tagcmp);
            for (size_t k = 0; tc && k < n && k < EVAL_DATA_TOP_TAGS; k++)
                json_array_append_new(tags, json_string(tc[k].tag));
            free(tc);
        }
        json_t *doc = json_pack("{s:s,s:s,s:f,s:o,s:o,s:[]}", "id", m->id, "title", m->title,
                                "duration", 6000.0, "genres", genres, "tags", tags, "scenes");
        char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
        json_decref(doc);
        if (!text) {
            snprintf(errstr, errstr_size,
                     "movie %s: cannot build its catalog entry "
                     "(title or genre not UTF-8?)",
                     m->id);
            return -1;
        }
        char why[256];
        struct catalog_movie *cm = catalog_movie_parse(text, strlen(text), NULL, why, sizeof why);
        free(text);
        if (!cm) {
            snprintf(errstr, errstr_size, "movie %s: %s", m->id, why);
            return -1;
        }
        if (catalog_put(&l->d->cat, cm) < 0) {
            catalog_movie_free(cm);
            snprintf(errstr, errstr_size, "out of memory");
            return -1;
        }
    }
    return 0;
}

static int eval_data_evcmp(const void *a, const void *b)
{
    const struct eval_event *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int eval_data_load(struct eval_data *d, const char *dir, const struct eval_data_opts *o,
                   char *errstr, size_t errstr_size)
{
    memset(d, 0, sizeof *d);
    catalog_init(&d->cat);
    strmap_init(&d->user_index);
    struct eval_data_load l = { .d = d, .o = o };
    strmap_init(&l.movie_index);
    int rc = eval_data_movies(&l, dir, errstr, errstr_size);
    if (rc == 0)
        rc = eval_data_events(&l, dir, 0, errstr, errstr_size);
    if (rc == 0)
        rc = eval_data_events(&l, dir, 1, errstr, errstr_size);
    if (rc == 0)
        rc = eval_data_catalog(&l, errstr, errstr_size);
    if (rc == 0 && d->n_ratings == 0) {
        snprintf(errstr, errstr_size, "%s/ratings.csv: no ratings", dir);
        rc = -1;
    }
    if (rc == 0) {
        qsort(l.ev, l.n_ev, sizeof *l.ev, eval_data_evcmp);
        d->events = l.ev;
        d->n_events = l.n_ev;
        l.ev = NULL;
    }
    eval_data_load_free(&l);
    if (rc < 0)
        eval_data_free(d);
    return rc;
}

static int eval_data_write_kv(const char *path, int events, const struct eval_data *d, size_t limit,
                              char *errstr, size_t errstr_size)
{
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(errstr, errstr_size, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    if (!events) {
        for (size_t i = 0; i < d->cat.n; i++)
            fprintf(f, "%s\t%s\n", d->cat.list[i]->m.id, d->cat.list[i]->json);
    } else {
        size_t ratings = 0;
        for (size_t i = 0; i < d->n_events && (!limit || ratings < limit); i++) {
            const struct eval_event *ev = &d->events[i];
            if (ev->tag >= 0)
                continue;
            ratings++;
            const char *user = d->user_ids[ev->user];
            const char *movie = d->cat.list[ev->movie]->m.id;
            char id[96];
            snprintf(id, sizeof id, "r-%s-%s", user + 1, movie);
            json_t *doc = json_pack("{s:s,s:s,s:I,s:s,s:s,s:f}", "user", user, "type", "rating",
                                    "ts", (json_int_t)(ev->ts * 1000), "id", id, "movie", movie,
                                    "value", (double)ev->value);
            char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
            json_decref(doc);
            if (!text) {
                fclose(f);
                unlink(tmp);
                snprintf(errstr, errstr_size, "out of memory");
                return -1;
            }
            fprintf(f, "%s\t%s\n", user, text);
            free(text);
        }
    }
    if (ferror(f) | fclose(f)) {
        snprintf(errstr, errstr_size, "%s: write error", tmp);
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, path) < 0) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int eval_data_export(const struct eval_data *d, const char *dir, size_t limit, char *errstr,
                     size_t errstr_size)
{
    char cat[1024], ev[1024];
    if (eval_data_path(cat, sizeof cat, dir, "catalog.kv", errstr, errstr_size) < 0 ||
        eval_data_path(ev, sizeof ev, dir, "events.kv", errstr, errstr_size) < 0)
        return -1;
    if (eval_data_write_kv(cat, 0, d, limit, errstr, errstr_size) < 0)
        return -1;
    if (eval_data_write_kv(ev, 1, d, limit, errstr, errstr_size) < 0) {
        unlink(cat);
        return -1;
    }
    return 0;
}
