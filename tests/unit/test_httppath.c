/* SPDX-License-Identifier: Apache-2.0 */
/* test_httppath.c -- the HTTP request target parser: a table of paths and
 * query strings with the route and ids each must give, or the piece of the
 * reason each must be refused for.  The %00 cases are the bug this parser
 * exists for: an id must never be cut where a decoded NUL was. */
#include "config.h"

#include "httppath.h"
#include "expect.h"

#include <string.h>

struct path_case {
    const char *path, *query;
    int ok; /* 1: parsed (route, ids below); 0: refused with `why` */
    enum httppath_route route;
    const char *user, *movie, *why;
};

#define L129                                                                                       \
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
#define L128                                                                                       \
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

static const struct path_case cases[] = {
    /* routes */
    { "/metrics", NULL, 1, HTTPPATH_METRICS, "", "", NULL },
    { "/v1/health", NULL, 1, HTTPPATH_HEALTH, "", "", NULL },
    { "//v1//health/", NULL, 1, HTTPPATH_HEALTH, "", "", NULL },
    { "/v1/events", NULL, 1, HTTPPATH_EVENTS, "", "", NULL },
    { "/v1/plugins", NULL, 1, HTTPPATH_PLUGINS, "", "", NULL },
    { "/v1/movies/m1", NULL, 1, HTTPPATH_MOVIE, "", "m1", NULL },
    { "/v1/movies/m%201", NULL, 1, HTTPPATH_MOVIE, "", "m 1", NULL },
    { "/v1/movies/%C3%A9t%C3%A9", NULL, 1, HTTPPATH_MOVIE, "", "\xc3\xa9t\xc3\xa9", NULL },
    { "/v1/users/u1", NULL, 1, HTTPPATH_USER, "u1", "", NULL },
    { "/v1/users/u1/recommendations", "n=3", 1, HTTPPATH_USER_RECS, "u1", "", NULL },
    { "/v1/users/u1/profile", NULL, 1, HTTPPATH_USER_PROFILE, "u1", "", NULL },
    { "/v1/users/u1/cuts/m1", "budget=15%25", 1, HTTPPATH_USER_CUT, "u1", "m1", NULL },
    { "/v1/users/u1/cuts/m1/publish", NULL, 1, HTTPPATH_USER_PUBLISH, "u1", "m1", NULL },
    { "/v1/movies/m1/media", NULL, 1, HTTPPATH_MOVIE_MEDIA, "", "m1", NULL },
    { "/v1/movies/m1/neighbours", NULL, 1, HTTPPATH_MOVIE_NEIGHBOURS, "", "m1", NULL },
    { "/v1/movies/m1/neighbour", NULL, 1, HTTPPATH_NOT_FOUND, "", "", NULL },
    { "/ui", NULL, 1, HTTPPATH_UI, "", "", NULL },
    { "/ui/viewers/u1", NULL, 1, HTTPPATH_UI, "", "", NULL },
    { "/ui/app.js", "v=1", 1, HTTPPATH_UI, "", "", NULL },
    { "/v1/users/" L128, NULL, 1, HTTPPATH_USER, L128, "", NULL },
    { "/v1/users/a+b", NULL, 1, HTTPPATH_USER, "a+b", "", NULL }, /* '+' is a '+' in a path */
    /* well-formed, but no such resource */
    { "/", NULL, 1, HTTPPATH_NOT_FOUND, "", "", NULL },
    { "/nope", NULL, 1, HTTPPATH_NOT_FOUND, "", "", NULL },
    { "/v1/nope", NULL, 1, HTTPPATH_NOT_FOUND, "", "", NULL },
    { "/v2/health", NULL, 1, HTTPPATH_NOT_FOUND, "", "", NULL },
    { "/v1/users/u1/nope", NULL, 1, HTTPPATH_NOT_FOUND, "", "", NULL },
    { "/v1/users/u1/cuts/m1/nope", NULL, 1, HTTPPATH_NOT_FOUND, "", "", NULL },
    { "/v1/users/u1/cuts/m1/publish/x/y", NULL, 1, HTTPPATH_NOT_FOUND, "", "", NULL },
    { "/v1/health" L129, NULL, 1, HTTPPATH_NOT_FOUND, "", "", NULL },
    { "/metrics/x", NULL, 1, HTTPPATH_NOT_FOUND, "", "", NULL },
    { "/v1/movies/m1/media/x", NULL, 1, HTTPPATH_NOT_FOUND, "", "", NULL },
    { "/v1/movies/m1/nope", NULL, 1, HTTPPATH_NOT_FOUND, "", "", NULL },
    { "/uix", NULL, 1, HTTPPATH_NOT_FOUND, "", "", NULL },
    /* the bug: a decoded NUL cut the id */
    { "/v1/users/csrfw%00junk", NULL, 0, 0, NULL, NULL, "invalid viewer id: it holds a NUL byte" },
    { "/v1/users/u1%00x/profile", NULL, 0, 0, NULL, NULL, "invalid viewer id: it holds a NUL" },
    { "/v1/movies/m1%00", NULL, 0, 0, NULL, NULL, "invalid movie id: it holds a NUL" },
    { "/v1/users/u1/cuts/m1%00x", NULL, 0, 0, NULL, NULL, "invalid movie id: it holds a NUL" },
    { "/v1/health%00", NULL, 0, 0, NULL, NULL, "segment 2 holds a NUL" },
    /* other bad ids and segments */
    { "/v1/users/u%0a1", NULL, 0, 0, NULL, NULL, "invalid viewer id: it holds a control" },
    { "/v1/users/u%7f", NULL, 0, 0, NULL, NULL, "control character" },
    { "/v1/users/%ff", NULL, 0, 0, NULL, NULL, "invalid viewer id: it is not valid UTF-8" },
    { "/v1/users/%C0%AF", NULL, 0, 0, NULL, NULL, "not valid UTF-8" }, /* overlong '/' */
    { "/v1/users/" L129, NULL, 0, 0, NULL, NULL, "invalid viewer id: longer than 128 bytes" },
    { "/v1/users/" L129 "/profile", NULL, 0, 0, NULL, NULL, "longer than 128" },
    { "/v1/movies/" L128 "%41", NULL, 0, 0, NULL, NULL, "invalid movie id: longer than 128" },
    { "/v1/users/u1/cuts/" L129, NULL, 0, 0, NULL, NULL, "invalid movie id: longer" },
    { "/v1/users/u%zz", NULL, 0, 0, NULL, NULL, "bad %-escape in segment 3" },
    { "/v1/users/u%4", NULL, 0, 0, NULL, NULL, "bad %-escape" },
    { "/v1/users/u%", NULL, 0, 0, NULL, NULL, "bad %-escape" },
    { "/v1/users/u1%2Fx", NULL, 1, HTTPPATH_USER, "u1/x", "", NULL }, /* an encoded '/' */
    /* query strings */
    { "/v1/users/u1/recommendations", "exclude=m1,m2&n=3", 1, HTTPPATH_USER_RECS, "u1", "", NULL },
    { "/v1/users/u1/recommendations", "exclude=m1%00x", 0, 0, NULL, NULL,
      "query parameter 'exclude' holds a NUL byte" },
    { "/v1/users/u1/recommendations", "exclude=m1," L129, 0, 0, NULL, NULL,
      "invalid id in 'exclude': longer than 128" },
    { "/v1/users/u1/recommendations", "n=3%00", 0, 0, NULL, NULL, "'n' holds a NUL" },
    { "/v1/users/u1/cuts/m1", "source=a%0Afile%20x", 0, 0, NULL, NULL,
      "'source' holds a control character" },
    { "/v1/users/u1/cuts/m1", "editor=%ff", 0, 0, NULL, NULL, "'editor' is not valid UTF-8" },
    { "/v1/users/u1/cuts/m1", "budget=%zz", 0, 0, NULL, NULL, "'budget': bad %-escape" },
    { "/v1/users/u1/cuts/m1", "=x", 0, 0, NULL, NULL, "without a name" },
    { "/v1/users/u1/cuts/m1", "a%00b=x", 0, 0, NULL, NULL, "name holds a NUL" },
    { "/v1/health", "a&b&c&d&e&f&g&h&i&j&k&l&m&n&o&p&q&r&s&t&u&v&w&x&y&z&A&B&C&D&E&F&G", 0, 0, NULL,
      NULL, "more than 32 query parameters" },
    /* the path is refused before the query is read */
    { "/v1/users/u%00", "n=3%00", 0, 0, NULL, NULL, "invalid viewer id" },
};

static void test_table(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const struct path_case *c = &cases[i];
        struct httppath p;
        char err[256];
        int rc = httppath_parse(&p, c->path, c->query, err, sizeof err);
        if (c->ok) {
            EXPECT(rc == 0 && p.route == c->route && strcmp(p.user, c->user) == 0 &&
                       strcmp(p.movie, c->movie) == 0,
                   "'%s?%s': rc %d route %d user '%s' movie '%s' (%s), expected route %d user "
                   "'%s' movie '%s'",
                   c->path, c->query ? c->query : "", rc, (int)p.route, p.user, p.movie, err,
                   (int)c->route, c->user, c->movie);
        } else {
            EXPECT(rc == -1 && strstr(err, c->why), "'%s?%s': rc %d, reason '%s', expected '%s'",
                   c->path, c->query ? c->query : "", rc, err, c->why);
        }
        httppath_clear(&p);
    }
}

static void test_params(void)
{
    struct httppath p;
    char err[256];
    int rc = httppath_parse(&p, "/v1/users/u1/cuts/m1",
                            "budget=15%25&editor=a+b&format=&x&budget=99&source=%2Ftmp%2Fm.mp4",
                            err, sizeof err);
    EXPECT(rc == 0, "rc %d: %s", rc, err);
    const char *b = httppath_param(&p, "budget"), *e = httppath_param(&p, "editor");
    const char *f = httppath_param(&p, "format"), *x = httppath_param(&p, "x");
    const char *s = httppath_param(&p, "source");
    /* the first of repeated parameters counts; '+' is a space in a query */
    EXPECT(b && strcmp(b, "15%") == 0, "budget '%s'", b ? b : "(null)");
    EXPECT(e && strcmp(e, "a b") == 0, "editor '%s'", e ? e : "(null)");
    EXPECT(f && f[0] == '\0' && x && x[0] == '\0', "empty values");
    EXPECT(s && strcmp(s, "/tmp/m.mp4") == 0, "source '%s'", s ? s : "(null)");
    EXPECT_TRUE(httppath_param(&p, "nope") == NULL);
    EXPECT_TRUE(p.n_params == 6);
    httppath_clear(&p);

    /* a value of exactly HTTPPATH_VALUE_MAX bytes passes, one more does not */
    char q[2 * HTTPPATH_VALUE_MAX];
    memcpy(q, "source=", 7);
    memset(q + 7, 'a', HTTPPATH_VALUE_MAX);
    q[7 + HTTPPATH_VALUE_MAX] = '\0';
    EXPECT_TRUE(httppath_parse(&p, "/v1/health", q, err, sizeof err) == 0);
    httppath_clear(&p);
    memcpy(q + 7 + HTTPPATH_VALUE_MAX, "a", 2);
    EXPECT_TRUE(httppath_parse(&p, "/v1/health", q, err, sizeof err) == -1 &&
                strstr(err, "longer than 1023 bytes"));
    httppath_clear(&p);

    /* check_id is what the handlers' other ids go through */
    EXPECT_TRUE(httppath_check_id("u1", 2, "viewer id", err, sizeof err) == 0);
    EXPECT_TRUE(httppath_check_id("u1\0x", 4, "viewer id", err, sizeof err) == -1 &&
                strstr(err, "NUL"));
    EXPECT_TRUE(httppath_check_id("", 0, "viewer id", err, sizeof err) == -1 &&
                strstr(err, "empty"));
    EXPECT_TRUE(httppath_check_id("x", 1, "viewer id", NULL, 0) == 0);
}

int main(void)
{
    test_table();
    test_params();
    return expect_report();
}
