/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_editlist.c -- the JSON, CMX 3600 EDL and ffconcat exports of a cut:
 * exact documents for a known cut, timecode arithmetic at 24, 25, 29.97 NDF
 * and 30 fps (expected values worked out by hand in the comments), record
 * timecodes that add up over many random cuts, quoting, and bad input.
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "editlist.h"

#include "expect.h"

static struct recut_scene scenes5[5] = {
    { .start = 0.0, .end = 5.0 },   { .start = 5.0, .end = 12.0 },  { .start = 12.0, .end = 18.5 },
    { .start = 18.5, .end = 30.0 }, { .start = 30.0, .end = 82.0 },
};
static struct recut_movie movie5 = {
    .id = "m1", .title = "Example", .duration = 90.0, .scenes = scenes5, .n_scenes = 5
};

/* The highlights cut of m1 for u1 that most cases format: scenes 2 and 4. */
static const size_t kept_m1[] = { 2, 4 };
static const struct editlist el_m1 = { .viewer = "u1",
                                       .movie = &movie5,
                                       .editor = "highlights",
                                       .budget = 60.0,
                                       .score = 0.82,
                                       .scenes = kept_m1,
                                       .n_scenes = 2 };

static void test_json(void)
{
    struct editlist el = el_m1;
    char err[256] = "";
    char *s = editlist_json(&el, err, sizeof err);
    const char *want = "{\"viewer\":\"u1\",\"movie\":\"m1\",\"editor\":\"highlights\","
                       "\"budget\":60.0,\"duration\":58.5,\"score\":0.82,\"scenes\":["
                       "{\"index\":2,\"start\":12.0,\"end\":18.5},"
                       "{\"index\":4,\"start\":30.0,\"end\":82.0}]}";
    EXPECT(s && strcmp(s, want) == 0, "json:\n got  %s\n want %s", s ? s : err, want);
    free(s);
    EXPECT(editlist_duration(&el) == 58.5, "duration %g", editlist_duration(&el));

    /* empty cut: a valid document with no scenes */
    el.n_scenes = 0;
    s = editlist_json(&el, err, sizeof err);
    EXPECT(s && strstr(s, "\"duration\":0.0") && strstr(s, "\"scenes\":[]"), "empty: %s",
           s ? s : err);
    free(s);

    /* ids needing escapes survive a round trip */
    el.n_scenes = 2;
    el.viewer = "v\"q\\\xc3\xa9\n";
    s = editlist_json(&el, err, sizeof err);
    json_error_t je;
    json_t *j = s ? json_loads(s, 0, &je) : NULL;
    EXPECT(j && strcmp(json_string_value(json_object_get(j, "viewer")), el.viewer) == 0,
           "escaped viewer: %s", s ? s : err);
    json_decref(j);
    free(s);

    /* bad input */
    el.viewer = "bad\xff";
    s = editlist_json(&el, err, sizeof err);
    EXPECT(s == NULL && strstr(err, "UTF-8"), "invalid UTF-8 accepted: %s", err);
    free(s);
    el.viewer = "u1";
    el.score = NAN;
    s = editlist_json(&el, err, sizeof err);
    EXPECT(s == NULL && strstr(err, "finite"), "NaN score accepted: %s", err);
    free(s);
    el.score = 0.5;
    size_t out_of_range[] = { 1, 5 };
    el.scenes = out_of_range;
    s = editlist_json(&el, err, sizeof err);
    EXPECT(s == NULL && strstr(err, "out of range"), "index 5 accepted: %s", err);
    free(s);
    EXPECT(editlist_duration(&el) == -1.0, "duration of an invalid list");
    size_t unsorted[] = { 3, 1 };
    el.scenes = unsorted;
    s = editlist_json(&el, err, sizeof err);
    EXPECT(s == NULL && strstr(err, "ascending"), "unsorted accepted: %s", err);
    free(s);
    el.scenes = kept_m1;
    el.editor = NULL;
    s = editlist_json(&el, err, sizeof err);
    EXPECT(s == NULL && err[0], "no editor accepted");
    free(s);
    EXPECT(editlist_json(NULL, err, sizeof err) == NULL && err[0], "NULL list accepted");
}

/* One-scene EDL: the event line for [start, end) at fps. */
static void expect_event(double start, double end, double fps, const char *line)
{
    struct recut_scene sc[2] = { { .start = 0.0, .end = start }, { .start = start, .end = end } };
    struct recut_movie m = {
        .id = "tc", .title = "TC", .duration = end, .scenes = sc, .n_scenes = 2
    };
    size_t kept[] = { 1 };
    struct editlist el = { .viewer = "u",
                           .movie = &m,
                           .editor = "e",
                           .budget = 1e6,
                           .score = 1,
                           .scenes = kept,
                           .n_scenes = 1 };
    char err[256] = "";
    char *s = editlist_edl(&el, fps, NULL, err, sizeof err);
    EXPECT(s && strstr(s, line), "%.3f..%.3f at %g fps: want \"%s\" in:\n%s", start, end, fps, line,
           s ? s : err);
    free(s);
}

static void test_edl_timecodes(void)
{
    /* 24 fps: 12 s = frame 288 = 00:00:12:00; 18.5 s = 444 = 18 s + 12 f;
     * 6.5 s = 156 f = 6 s 12 f after 01:00:00:00. */
    expect_event(12.0, 18.5, 24,
                 "001  AX       AA/V  C        00:00:12:00 00:00:18:12 01:00:00:00 01:00:06:12");
    /* 25 fps: 3661.04 s = 91526 f = 1 h (90000) + 1526 f = 1 min 1 s 1 f;
     * 3725.52 s = 93138 f = 1 h + 3138 f = 2 min 5 s 13 f; length 1612 f =
     * 64 s 12 f = 00:01:04:12 after the record start. */
    expect_event(3661.04, 3725.52, 25,
                 "001  AX       AA/V  C        01:01:01:01 01:02:05:13 01:00:00:00 01:01:04:12");
    /* 30 fps: 59.9 s = 1797 f = 59 s 27 f; 61.1 s = 1833 f = 61 s 3 f;
     * 36 f = 1 s 6 f. */
    expect_event(59.9, 61.1, 30,
                 "001  AX       AA/V  C        00:00:59:27 00:01:01:03 01:00:00:00 01:00:01:06");
    /* 29.97 drop-frame (30000/1001 frames/s; labels ;00 and ;01 skipped
     * each minute except minutes 0, 10, 20, ...): 60 s = 1798.2 -> 1798 f =
     * 00:00:59;28; 600 s = 17982.02 -> 17982 f = 00:10:00;00 exactly (ten
     * minutes drop 9 * 2 = 18 labels); the record starts at 01:00:00;00 =
     * frame 107892 and ends 16184 f later at 124076 = 01:09:00;02. */
    expect_event(60.0, 600.0, 29.97,
                 "001  AX       AA/V  C        00:00:59;28 00:10:00;00 01:00:00;00 01:09:00;02");
    /* frame 1799 = 00:00:59;29 and the next, 1800, is 00:01:00;02 */
    expect_event(1799 * 1001 / 30000.0, 1800 * 1001 / 30000.0, 29.97,
                 "00:00:59;29 00:01:00;02 01:00:00;00 01:00:00;01");
    /* ... but minute 10 keeps its ;00: frames 17981, 17982 */
    expect_event(17981 * 1001 / 30000.0, 17982 * 1001 / 30000.0, 29.97, "00:09:59;29 00:10:00;00");
    /* drop-frame follows the clock: 3600 s = 107892 f = 01:00:00;00 */
    expect_event(0.5, 3600.0, 29.97, "00:00:00;15 01:00:00;00");
    /* 59.94 drops four labels: frame 3600 = 00:01:00;04, frame 3599 =
     * 00:00:59;59; 600 s = 35964 f = 00:10:00;00; record start 01:00:00;00 */
    expect_event(3599 * 1001 / 60000.0, 3600 * 1001 / 60000.0, 59.94,
                 "00:00:59;59 00:01:00;04 01:00:00;00 01:00:00;01");
    expect_event(1.0, 600.0, 59.94, "FCM: DROP FRAME");
    expect_event(1.0, 600.0, 59.94, "00:00:01;00 00:10:00;00");
    expect_event(1.0, 2.0, 29.97, "FCM: DROP FRAME");
    expect_event(1.0, 2.0, 25, "FCM: NON-DROP FRAME");
    /* 23.976: 10 s = 239.76 -> 240 f = 10 s 0 f at base 24; 20 s = 479.52
     * -> 480 f = 20 s. */
    expect_event(10.0, 20.0, 23.976, "00:00:10:00 00:00:20:00 01:00:00:00 01:00:10:00");
}

/* Parses "HH:MM:SS:FF" at base frames/s, or drop-frame "HH:MM:SS;FF" when
 * drop labels a minute are skipped: the frame count is the label count
 * less the labels skipped in every minute that is not a multiple of 10. */
static long long tc_frames(const char *tc, int base, int drop)
{
    int h, m, s, f;
    char sep;
    if (sscanf(tc, "%d:%d:%d%c%d", &h, &m, &s, &sep, &f) != 5 || sep != (drop ? ';' : ':'))
        return -1;
    if (drop && s == 0 && m % 10 != 0 && f < drop)
        return -1; /* a label drop-frame never uses */
    long long minutes = (long long)h * 60 + m;
    return ((long long)h * 3600 + m * 60 + s) * base + f - drop * (minutes - minutes / 10);
}

static uint64_t rng_state = 12345;
static double rnd(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* Random cuts: events numbered 1.., record timecodes contiguous from
 * 01:00:00:00, each record length equal to its source length, source in/out
 * at the nearest frame of the scene, total = sum of rounded lengths. */
static void test_edl_random(void)
{
    const double rates[] = { 24, 25, 29.97, 30, 23.976, 50, 59.94, 60 };
    for (size_t c = 0; c < 200; c++) {
        double fps = rates[c % (sizeof rates / sizeof rates[0])];
        int base = (int)ceil(fps);
        double real = fabs(fps - base) < 1e-9 ? fps : base * 1000.0 / 1001.0;
        int drop = (fps == 29.97 || fps == 59.94) ? base / 15 : 0;
        size_t n = 1 + (size_t)(rnd() * 80);
        struct recut_scene *sc = calloc(n, sizeof *sc);
        size_t *kept = malloc(n * sizeof *kept), nk = 0;
        if (!sc || !kept)
            abort();
        double t = rnd() * 100;
        for (size_t i = 0; i < n; i++) {
            sc[i].start = t;
            t += 0.5 + rnd() * 120;
            sc[i].end = t;
            if (rnd() < 0.5)
                kept[nk++] = i;
        }
        struct recut_movie m = { .id = "r",
                                 .title = "Random\nTitle\twith \"odd\" bytes \xc3\xa9",
                                 .duration = t,
                                 .scenes = sc,
                                 .n_scenes = n };
        struct editlist el = { .viewer = "u",
                               .movie = &m,
                               .editor = "e",
                               .budget = t,
                               .score = 0.5,
                               .scenes = kept,
                               .n_scenes = nk };
        char err[256];
        char *s = editlist_edl(&el, fps, "REEL_01", err, sizeof err);
        if (s == NULL) {
            EXPECT(0, "random EDL %zu: %s", c, err);
            free(sc);
            free(kept);
            continue;
        }
        char header[200];
        snprintf(header, sizeof header,
                 "TITLE: Random_Title_with \"odd\" bytes __ - e cut for u\nFCM: %s\n\n",
                 drop ? "DROP FRAME" : "NON-DROP FRAME");
        EXPECT(strncmp(s, header, strlen(header)) == 0, "header:\n%.120s", s);
        long long rec = tc_frames(drop ? "01:00:00;00" : "01:00:00:00", base, drop);
        size_t events = 0, k = 0;
        int lines_ok = 1;
        for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
            if (strncmp(line, "TITLE: ", 7) == 0 || strncmp(line, "FCM: ", 5) == 0 ||
                strcmp(line, "* FROM CLIP NAME: Random_Title_with \"odd\" bytes __") == 0 ||
                strncmp(line, "* COMMENT: RECUT SCENE ", 23) == 0)
                continue;
            unsigned num;
            char reel[16], tc[4][16];
            if (sscanf(line, "%3u  %8s AA/V  C        %11s %11s %11s %11s", &num, reel, tc[0],
                       tc[1], tc[2], tc[3]) != 6 ||
                strlen(line) != 76) {
                lines_ok = 0;
                EXPECT(0, "random EDL %zu: unexpected line \"%s\"", c, line);
                break;
            }
            while (k < nk && llround(sc[kept[k]].end * real) <= llround(sc[kept[k]].start * real))
                k++;
            if (k == nk) {
                EXPECT(0, "random EDL %zu: more events than scenes", c);
                break;
            }
            long long in = tc_frames(tc[0], base, drop), out = tc_frames(tc[1], base, drop);
            long long rin = tc_frames(tc[2], base, drop), rout = tc_frames(tc[3], base, drop);
            EXPECT(num == ++events && strcmp(reel, "REEL_01") == 0, "event %u", num);
            EXPECT(in == llround(sc[kept[k]].start * real) &&
                       out == llround(sc[kept[k]].end * real),
                   "random EDL %zu @%g: source %s %s for %.4f..%.4f", c, fps, tc[0], tc[1],
                   sc[kept[k]].start, sc[kept[k]].end);
            EXPECT(rin == rec && rout - rin == out - in,
                   "random EDL %zu @%g: record %s %s, expected start frame %lld", c, fps, tc[2],
                   tc[3], rec);
            rec = rout;
            k++;
        }
        if (lines_ok) {
            while (k < nk && llround(sc[kept[k]].end * real) <= llround(sc[kept[k]].start * real))
                k++;
            EXPECT(k == nk, "random EDL %zu: %zu of %zu scenes have events", c, k, nk);
        }
        free(s);
        free(sc);
        free(kept);
    }
}

static void test_edl_bad(void)
{
    struct editlist el = el_m1;
    char err[256];
    const double bad_fps[] = { 0, -25, NAN, INFINITY, 23.5, 1000 };
    for (size_t i = 0; i < sizeof bad_fps / sizeof bad_fps[0]; i++) {
        char *s = editlist_edl(&el, bad_fps[i], NULL, err, sizeof err);
        EXPECT(s == NULL && strstr(err, "fps"), "fps %g accepted (%s)", bad_fps[i], err);
        free(s);
    }
    const char *bad_reel[] = { "", "TOOLONGREEL", "A B", "a\n" };
    for (size_t i = 0; i < sizeof bad_reel / sizeof bad_reel[0]; i++) {
        char *s = editlist_edl(&el, 25, bad_reel[i], err, sizeof err);
        EXPECT(s == NULL && strstr(err, "reel"), "reel \"%s\" accepted", bad_reel[i]);
        free(s);
    }
    /* 24 h of timecode is the limit */
    struct recut_scene late[1] = { { .start = 86000.0, .end = 86500.0 } };
    struct recut_movie lm = { .id = "late", .duration = 86500, .scenes = late, .n_scenes = 1 };
    size_t k0[] = { 0 };
    struct editlist ll = { .viewer = "u",
                           .movie = &lm,
                           .editor = "e",
                           .budget = 1e6,
                           .score = 0,
                           .scenes = k0,
                           .n_scenes = 1 };
    char *s = editlist_edl(&ll, 25, NULL, err, sizeof err);
    EXPECT(s == NULL && strstr(err, "timecode"), "a timecode past 24 h accepted");
    free(s);
}

/* The catalog entry's "source" (what recut-analyze saw in the file) gives
 * the EDL its frame rate and tells a movie without sound: V events. */
static void test_edl_from_catalog(void)
{
    const char *entry = "{\"id\":\"ntsc\",\"title\":\"N\",\"duration\":700,"
                        "\"source\":{\"fps\":29.97002997,\"audio\":false},"
                        "\"scenes\":[{\"start\":0,\"end\":60.06},{\"start\":60.06,"
                        "\"end\":600}]}";
    char err[256] = "";
    struct catalog_movie *cm = catalog_movie_parse(entry, strlen(entry), NULL, err, sizeof err);
    EXPECT(cm != NULL, "catalog entry: %s", err);
    if (cm == NULL)
        return;
    EXPECT(fabs(cm->fps - 29.97002997) < 1e-9 && cm->audio == 0, "source: fps %g audio %d", cm->fps,
           cm->audio);
    size_t kept[] = { 1 };
    struct editlist el = { .viewer = "u",
                           .movie = &cm->m,
                           .editor = "e",
                           .budget = 1e6,
                           .score = 1,
                           .scenes = kept,
                           .n_scenes = 1,
                           .video_only = cm->audio == 0 };
    char *s = editlist_edl(&el, editlist_fps_snap(cm->fps), NULL, err, sizeof err);
    EXPECT(s && strstr(s, "FCM: DROP FRAME\n") &&
               strstr(s, "001  AX       V     C        00:01:00;02 00:10:00;00 01:00:00;00 "
                         "01:08:59;28\n"),
           "EDL at the catalog's rate:\n%s", s ? s : err);
    free(s);
    catalog_movie_free(cm);

    /* measured averages snap to the timecode rate they are */
    const double measured[][2] = { { 29.97, 30000 / 1001.0 },
                                   { 29.971, 30000 / 1001.0 },
                                   { 24.0, 24 },
                                   { 23.976, 24000 / 1001.0 },
                                   { 24.003, 24 },
                                   { 59.94, 60000 / 1001.0 },
                                   { 25.0, 25 },
                                   { 27.3, 0 },
                                   { 29.985, 0 },
                                   { 0, 0 },
                                   { NAN, 0 },
                                   { 1000, 0 } };
    for (size_t i = 0; i < sizeof measured / sizeof measured[0]; i++)
        EXPECT(fabs(editlist_fps_snap(measured[i][0]) - measured[i][1]) < 1e-9,
               "snap %g: %.9g, want %.9g", measured[i][0], editlist_fps_snap(measured[i][0]),
               measured[i][1]);

    const char *plain = "{\"id\":\"p\",\"duration\":10,\"scenes\":[]}";
    cm = catalog_movie_parse(plain, strlen(plain), NULL, err, sizeof err);
    EXPECT(cm && cm->fps == 0 && cm->audio == -1, "no source: fps %g audio %d", cm ? cm->fps : -1,
           cm ? cm->audio : -2);
    catalog_movie_free(cm);
    const char *bad[] = {
        "{\"id\":\"b\",\"duration\":10,\"scenes\":[],\"source\":{\"fps\":0}}",
        "{\"id\":\"b\",\"duration\":10,\"scenes\":[],\"source\":{\"fps\":\"25\"}}",
        "{\"id\":\"b\",\"duration\":10,\"scenes\":[],\"source\":{\"fps\":1e9}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cm = catalog_movie_parse(bad[i], strlen(bad[i]), NULL, err, sizeof err);
        EXPECT(cm && cm->fps == 0, "odd source.fps used: %s (%s)", bad[i], err);
        catalog_movie_free(cm);
    }
}

static void test_ffconcat(void)
{
    struct editlist el = el_m1;
    char err[256] = "";
    char *s = editlist_ffconcat(&el, "/media/it's here.mp4", err, sizeof err);
    const char *want = "ffconcat version 1.0\n"
                       "# recut: highlights cut of m1 for u1\n"
                       "# scene 2\n"
                       "file '/media/it'\\''s here.mp4'\n"
                       "inpoint 12.000000\n"
                       "outpoint 18.500000\n"
                       "# scene 4\n"
                       "file '/media/it'\\''s here.mp4'\n"
                       "inpoint 30.000000\n"
                       "outpoint 82.000000\n";
    EXPECT(s && strcmp(s, want) == 0, "ffconcat:\n got\n%s\n want\n%s", s ? s : err, want);
    free(s);
    /* scenes 1, 2, 3 touch: one span 5..30; scene 0 is not kept */
    static const size_t run3[] = { 1, 2, 3 };
    el.scenes = run3;
    el.n_scenes = 3;
    s = editlist_ffconcat(&el, "m.mp4", err, sizeof err);
    want = "ffconcat version 1.0\n"
           "# recut: highlights cut of m1 for u1\n"
           "# scenes 1-3\n"
           "file 'm.mp4'\n"
           "inpoint 5.000000\n"
           "outpoint 30.000000\n";
    EXPECT(s && strcmp(s, want) == 0, "merged ffconcat:\n got\n%s\n want\n%s", s ? s : err, want);
    free(s);
    /* 0, 1 merge; 3, 4 merge; the gap at 2 splits them */
    static const size_t two_runs[] = { 0, 1, 3, 4 };
    el.scenes = two_runs;
    el.n_scenes = 4;
    s = editlist_ffconcat(&el, "m.mp4", err, sizeof err);
    want = "ffconcat version 1.0\n"
           "# recut: highlights cut of m1 for u1\n"
           "# scenes 0-1\n"
           "file 'm.mp4'\n"
           "inpoint 0.000000\n"
           "outpoint 12.000000\n"
           "# scenes 3-4\n"
           "file 'm.mp4'\n"
           "inpoint 18.500000\n"
           "outpoint 82.000000\n";
    EXPECT(s && strcmp(s, want) == 0, "two runs:\n got\n%s\n want\n%s", s ? s : err, want);
    free(s);
    el = el_m1;
    /* a viewer id cannot inject a directive through the comment line */
    el.viewer = "u1\nfile '/etc/passwd'";
    s = editlist_ffconcat(&el, "movie.mp4", err, sizeof err);
    EXPECT(s && !strstr(s, "\nfile '/etc"), "comment injection:\n%s", s ? s : err);
    free(s);
    el.viewer = "u1";
    s = editlist_ffconcat(&el, "a\nb.mp4", err, sizeof err);
    EXPECT(s == NULL && strstr(err, "line break"), "newline in path accepted");
    free(s);
    s = editlist_ffconcat(&el, "", err, sizeof err);
    EXPECT(s == NULL && err[0], "empty path accepted");
    free(s);
    s = editlist_ffconcat(&el, NULL, err, sizeof err);
    EXPECT(s == NULL && err[0], "NULL path accepted");
    free(s);
    el.n_scenes = 0;
    s = editlist_ffconcat(&el, "movie.mp4", err, sizeof err);
    EXPECT(s == NULL && strstr(err, "empty"), "empty cut accepted");
    free(s);
}

int main(void)
{
    test_json();
    test_edl_timecodes();
    test_edl_random();
    test_edl_bad();
    test_edl_from_catalog();
    test_ffconcat();
    return expect_report();
}
