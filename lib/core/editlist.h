/* SPDX-License-Identifier: Apache-2.0 */
/*
 * editlist.h -- a personal cut exported for other programs:
 *   - JSON edit list (the HTTP API, publishers, recut-render):
 *       {"viewer":"u1","movie":"m1","editor":"highlights","budget":60.0,
 *        "duration":58.5,"score":0.82,
 *        "scenes":[{"index":2,"start":12.0,"end":18.5}, ...]}
 *   - CMX 3600 EDL (imports into editing software), non-drop-frame
 *     timecodes at a given frame rate;
 *   - ffconcat script for FFmpeg's concat demuxer (inpoint/outpoint per
 *     kept scene).
 * Every function returns a heap string the caller frees, or NULL with a
 * message in errstr (bad input: scene index out of range or not ascending,
 * non-finite numbers, missing ids, invalid UTF-8, ...).
 */
#ifndef RECUT_EDITLIST_H
#define RECUT_EDITLIST_H

#include <stddef.h>

#include "recut/plugin.h"

struct editlist {
    const char *viewer;              /* viewer id */
    const struct recut_movie *movie; /* the movie the scenes index into */
    const char *editor;              /* editor plugin name */
    double budget;                   /* seconds asked for */
    double score;                    /* the editor's score */
    const size_t *scenes;            /* kept scene indices, strictly ascending */
    size_t n_scenes;
    int video_only; /* the movie has no sound: EDL events are "V", not "AA/V" */
};

/* The JSON edit list (compact, keys in the order above, numbers with up to
 * 15 significant digits). */
char *editlist_json(const struct editlist *el, char *errstr, size_t errstr_size);

/* CMX 3600 EDL: "TITLE:", "FCM: NON-DROP FRAME" (or "DROP FRAME"), one cut
 * event per kept scene (source in/out = the scene in the movie, record
 * in/out = its place in the cut, starting at 01:00:00:00), each followed by
 * "* FROM CLIP NAME: <movie title>".  The channel field is "AA/V" ("V" with
 * video_only): picture
 * plus audio channels 1 and 2 in the one event, the conventional CMX 3600
 * form for a clip whose stereo sound follows its picture (a separate "V"
 * and "AA" event per clip would double the count against the 999 limit and
 * number the same clip twice; "B" carries audio channel 1 only).
 * fps: an integer rate (24, 25, 30, ...) or an NTSC rate (23.976, 29.97,
 * 59.94 = N*1000/1001); 29.97 and 59.94 are written in drop-frame
 * timecode (HH:MM:SS;FF, labels ;00 ;01 (;02 ;03 at 59.94) skipped each
 * minute but every tenth), 23.976 in 24-frame non-drop.  Frames are the
 * scene times rounded to the nearest frame; a scene shorter than half a
 * frame gives no event.  reel: 1..8 characters [A-Za-z0-9_], NULL for
 * "AX".  At most 999 events. */
char *editlist_edl(const struct editlist *el, double fps, const char *reel, char *errstr,
                   size_t errstr_size);

/* The timecode rate nearest a measured frame rate (recut-analyze's
 * "source.fps", an average over the file): a whole rate or N*1000/1001
 * within 0.03 %, else 0 (variable or odd rate: no timecode base). */
double editlist_fps_snap(double fps);

/* ffconcat script: "ffconcat version 1.0", then per run of kept scenes
 * that touch (scene i + 1 kept right after i and starting where it ends)
 * "file '<source_path>'", "inpoint <start>", "outpoint <end>" (seconds).
 * The path is quoted for the concat demuxer; it must not contain newlines.
 * An empty cut is an error (FFmpeg would refuse the script). */
char *editlist_ffconcat(const struct editlist *el, const char *source_path, char *errstr,
                        size_t errstr_size);

/* Total duration of the kept scenes in seconds, -1 if the list is invalid. */
double editlist_duration(const struct editlist *el);

#endif
