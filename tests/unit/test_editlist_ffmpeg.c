/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_editlist_ffmpeg.c -- FFmpeg's concat demuxer accepts what
 * editlist_ffconcat writes, and plays exactly the kept scenes:
 *   1. make an 8 s, 25 fps MJPEG clip with `ffmpeg -f lavfi -i testsrc2`
 *      (named with a quote and a space, to exercise the quoting);
 *   2. export a 3-scene cut of it (4.8 s = 120 frames) as ffconcat;
 *   3. `ffmpeg -f concat -safe 0 -i list.ffconcat -f null -` must succeed,
 *      and decoding it to framecrc must give 120 frames (+-1 per segment);
 *   4. control: a broken script (inpoint before any file) must be refused;
 *   5. an MPEG-4 clip with a keyframe every second and a cut of touching
 *      scenes 1..3 plus 5 (4.2 + 2.0 s = 155 frames): the touching scenes
 *      are one entry that starts on a keyframe, so `ffmpeg -f null` logs no
 *      "non monotonically increasing dts" (one entry per scene gives ~15:
 *      inpoints 2.6 and 5.2 fall between keyframes) and decodes 155 frames.
 * Skipped (exit 77) when $(FFMPEG) cannot run or lacks lavfi.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "editlist.h"

#ifndef FFMPEG
#define FFMPEG "ffmpeg"
#endif

extern char **environ;

static char dir[64];
static char logpath[128];

/* Runs argv with stdout/stderr appended to the log; the exit status, or -1. */
static int run(char *const argv[])
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, logpath, O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1;
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void show_log(void)
{
    FILE *f = fopen(logpath, "r");
    if (f == NULL)
        return;
    char line[512];
    fprintf(stderr, "---- %s\n", logpath);
    while (fgets(line, sizeof line, f))
        fputs(line, stderr);
    fclose(f);
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    int ok = fputs(text, f) >= 0;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

static long count_frames(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    char line[512];
    long n = 0;
    while (fgets(line, sizeof line, f))
        if (line[0] != '#' && line[0] != '\n')
            n++;
    fclose(f);
    return n;
}

/* Whether the log holds needle. */
static int log_has(const char *needle)
{
    FILE *f = fopen(logpath, "r");
    if (f == NULL)
        return 0;
    char line[1024];
    int found = 0;
    while (!found && fgets(line, sizeof line, f))
        found = strstr(line, needle) != NULL;
    fclose(f);
    return found;
}

static void cleanup(const char *clip)
{
    const char *files[] = { "list.ffconcat", "broken.ffconcat", "gop.ffconcat",
                            "gop.mkv",       "out.crc",         "ffmpeg.log" };
    char p[256];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    unlink(clip);
    rmdir(dir);
}

int main(void)
{
    char *const version[] = { FFMPEG, "-hide_banner", "-version", NULL };
    snprintf(dir, sizeof dir, "editlist-ffmpeg.XXXXXX");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 99;
    }
    snprintf(logpath, sizeof logpath, "%s/ffmpeg.log", dir);
    char cwd[512], clip[1024], list[600], crc[600];
    if (getcwd(cwd, sizeof cwd) == NULL)
        return 99;
    snprintf(clip, sizeof clip, "%s/%s/it's a clip.mkv", cwd, dir);
    snprintf(list, sizeof list, "%s/list.ffconcat", dir);
    snprintf(crc, sizeof crc, "%s/out.crc", dir);
    if (run(version) != 0) {
        printf("SKIP: %s cannot run\n", FFMPEG);
        cleanup(clip);
        return 77;
    }
    char *const make[] = { FFMPEG,      "-nostdin", "-hide_banner",
                           "-loglevel", "error",    "-f",
                           "lavfi",     "-i",       "testsrc2=size=64x48:rate=25:duration=8",
                           "-c:v",      "mjpeg",    "-y",
                           clip,        NULL };
    if (run(make) != 0) {
        show_log();
        printf("SKIP: %s cannot make a test clip with lavfi/mjpeg\n", FFMPEG);
        cleanup(clip);
        return 77;
    }

    /* scenes of the clip; keep 1, 3, 5: 1.6 + 1.2 + 2.0 s = 120 frames */
    struct recut_scene sc[6] = { { .start = 0.0, .end = 1.0 }, { .start = 1.0, .end = 2.6 },
                                 { .start = 2.6, .end = 4.0 }, { .start = 4.0, .end = 5.2 },
                                 { .start = 5.2, .end = 6.0 }, { .start = 6.0, .end = 8.0 } };
    struct recut_movie m = {
        .id = "clip", .title = "clip", .duration = 8, .scenes = sc, .n_scenes = 6
    };
    size_t kept[] = { 1, 3, 5 };
    struct editlist el = { .viewer = "u",
                           .movie = &m,
                           .editor = "highlights",
                           .budget = 5,
                           .score = 1,
                           .scenes = kept,
                           .n_scenes = 3 };
    char err[256];
    char *script = editlist_ffconcat(&el, clip, err, sizeof err);
    int failures = 0;
    if (script == NULL || write_file(list, script) < 0) {
        fprintf(stderr, "FAIL: ffconcat: %s\n", script ? "cannot write the list" : err);
        free(script);
        cleanup(clip);
        return 1;
    }
    free(script);

    char *const play[] = { FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error",
                           "-f",   "concat",   "-safe",        "0",         "-i",
                           list,   "-f",       "null",         "-",         NULL };
    if (run(play) != 0) {
        fprintf(stderr, "FAIL: ffmpeg -f concat refused the ffconcat script\n");
        show_log();
        failures++;
    }
    char *const decode[] = { FFMPEG,  "-nostdin", "-hide_banner", "-loglevel",
                             "error", "-f",       "concat",       "-safe",
                             "0",     "-i",       list,           "-map",
                             "0:v",   "-f",       "framecrc",     "-y",
                             crc,     NULL };
    long frames = run(decode) == 0 ? count_frames(crc) : -1;
    printf("concat of 3 scenes (4.8 s at 25 fps = 120 frames): %ld frames decoded\n", frames);
    if (frames < 117 || frames > 123) {
        fprintf(stderr, "FAIL: expected 120 +- 3 frames, got %ld\n", frames);
        show_log();
        failures++;
    }

    /* control: the same player refuses a broken script */
    char broken[600];
    snprintf(broken, sizeof broken, "%s/broken.ffconcat", dir);
    if (write_file(broken, "ffconcat version 1.0\ninpoint 1.0\nfile 'x.mkv'\n") < 0)
        return 99;
    char *const play_broken[] = { FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error",
                                  "-f",   "concat",   "-safe",        "0",         "-i",
                                  broken, "-f",       "null",         "-",         NULL };
    if (run(play_broken) == 0) {
        fprintf(stderr, "FAIL: ffmpeg accepted a broken script; the check above proves nothing\n");
        failures++;
    }

    /* 5: touching scenes merged, no DTS going backwards */
    char gop[600], gop_list[600];
    snprintf(gop, sizeof gop, "%s/%s/gop.mkv", cwd, dir);
    snprintf(gop_list, sizeof gop_list, "%s/gop.ffconcat", dir);
    char *const make_gop[] = { FFMPEG,      "-nostdin", "-hide_banner",
                               "-loglevel", "error",    "-f",
                               "lavfi",     "-i",       "testsrc2=size=64x48:rate=25:duration=8",
                               "-c:v",      "mpeg4",    "-g",
                               "25",        "-bf",      "0",
                               "-y",        gop,        NULL };
    size_t touching[] = { 1, 2, 3, 5 };
    el.scenes = touching;
    el.n_scenes = 4;
    if (run(make_gop) != 0) {
        show_log();
        fprintf(stderr, "FAIL: %s cannot make an MPEG-4 clip\n", FFMPEG);
        failures++;
    } else if ((script = editlist_ffconcat(&el, gop, err, sizeof err)) == NULL ||
               write_file(gop_list, script) < 0) {
        fprintf(stderr, "FAIL: ffconcat of touching scenes: %s\n", script ? "write" : err);
        free(script);
        failures++;
    } else {
        free(script);
        unlink(logpath);
        char *const play_gop[] = { FFMPEG,    "-nostdin", "-hide_banner", "-loglevel",
                                   "warning", "-f",       "concat",       "-safe",
                                   "0",       "-i",       gop_list,       "-map",
                                   "0:v",     "-f",       "framecrc",     "-y",
                                   crc,       NULL };
        frames = run(play_gop) == 0 ? count_frames(crc) : -1;
        printf("concat of scenes 1-3 and 5 (6.2 s = 155 frames): %ld frames decoded\n", frames);
        if (frames < 152 || frames > 158) {
            fprintf(stderr, "FAIL: expected 155 +- 3 frames, got %ld\n", frames);
            show_log();
            failures++;
        }
        /* framecrc accepts any DTS; the null muxer is the one that checks */
        unlink(logpath);
        char *const null_gop[] = { FFMPEG,   "-nostdin", "-hide_banner", "-loglevel", "warning",
                                   "-f",     "concat",   "-safe",        "0",         "-i",
                                   gop_list, "-f",       "null",         "-",         NULL };
        if (run(null_gop) != 0) {
            fprintf(stderr, "FAIL: ffmpeg -f null refused the merged list\n");
            show_log();
            failures++;
        }
        if (log_has("non monotonically increasing dts")) {
            fprintf(stderr, "FAIL: ffmpeg saw DTS going backwards in the merged list\n");
            show_log();
            failures++;
        }
    }
    cleanup(clip);
    printf("%d failures\n", failures);
    return failures ? 1 : 0;
}
