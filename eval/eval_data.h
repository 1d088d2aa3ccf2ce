/* SPDX-License-Identifier: Apache-2.0 */
/* eval_data.h -- a MovieLens directory (ml-latest-small layout: movies.csv,
 * ratings.csv, tags.csv) as recut's catalog plus a time-ordered event list.
 *
 * Catalog entries are built as JSON and parsed by catalog_movie_parse(), so
 * recut-eval sees exactly the features recutd would: the genres ("(no genres
 * listed)" dropped) and the movie's 10 most frequent tags (lower-cased).
 * Viewer ids are "u" + userId, movie ids the movieId. */
#ifndef RECUT_EVAL_DATA_H
#define RECUT_EVAL_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "strmap.h"

struct eval_event {
    int64_t ts;     /* seconds */
    uint32_t seq;   /* input order, breaks ties in ts */
    uint32_t user;  /* index into user_ids */
    uint32_t movie; /* catalog index */
    int32_t tag;    /* -1: a rating of `value`; else index into tags */
    float value;
};

struct eval_data {
    struct catalog cat;
    struct eval_event *events; /* ratings and tags, by (ts, seq) */
    size_t n_events, n_ratings;
    char **user_ids; /* "u<userId>" */
    size_t n_users, cap_users;
    struct strmap user_index; /* "u<userId>" -> index */
    char **tags;              /* tag texts, for comment events */
    size_t n_tags, cap_tags;
    size_t skipped; /* bad rows skipped (skip_bad) */
};

struct eval_data_opts {
    int tag_features; /* the movie's tags become catalog tags */
    int skip_bad;     /* skip (count) bad rows instead of failing */
    int need_tags;    /* tags.csv must exist */
};

/* Load DIR; on error -1 with "file:line: reason" in errstr. */
int eval_data_load(struct eval_data *d, const char *dir, const struct eval_data_opts *o,
                   char *errstr, size_t errstr_size);
void eval_data_free(struct eval_data *d);
/* Write DIR/catalog.kv and DIR/events.kv (key TAB JSON lines, for kcat -K'\t')
 * holding the catalog and the first `limit` ratings (0: all), through temp
 * files renamed into place. */
int eval_data_export(const struct eval_data *d, const char *dir, size_t limit, char *errstr,
                     size_t errstr_size);

#endif
