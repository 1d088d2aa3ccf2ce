#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Measure an HLS directory written by recut-render --hls / --hls-prepare.

usage: hls-facts.py --ffmpeg PATH --ffprobe PATH --source MOVIE DIR

Prints JSON facts the tests in tests/video assert on: the playlist's tags
and segments (EXTINF, discontinuity before it), each segment's first video
timestamp and frame count, whether the decoded frames of each segment are
bit-identical to the source's frames at the same times (the source's own
frames, copied) and what ffmpeg and ffprobe say when they read the playlist
back.  Why a script: the same facts are needed for several checks and
every one of them needs a few ffprobe runs.
"""
import argparse
import json
import os
import subprocess

OFFSET = 10.0  # recut-render adds it to every timestamp (none negative)


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def frame_hashes(ffmpeg, path):
    """[(time, md5)] of the decoded video frames."""
    out = run([ffmpeg, "-nostdin", "-v", "error", "-copyts", "-i", path, "-map", "0:v:0",
               "-f", "framemd5", "-"])
    tb = None
    frames = []
    for line in out.splitlines():
        if line.startswith("#tb 0:"):
            n, d = line.split(":", 1)[1].strip().split("/")
            tb = int(n) / int(d)
        if line.startswith("#") or not line.strip():
            continue
        f = [x.strip() for x in line.split(",")]
        frames.append((int(f[1]) * tb, f[5]))
    return frames


def playlist(path):
    segs, tags, disc = [], [], False
    for line in open(path).read().splitlines():
        if line.startswith("#EXT-X-DISCONTINUITY"):
            disc = True
        elif line.startswith("#EXTINF:"):
            dur = float(line[8:].split(",")[0])
        elif line.startswith("#"):
            tags.append(line)
        elif line.strip():
            segs.append({"uri": line, "extinf": dur, "disc": disc})
            disc = False
    return tags, segs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ffmpeg", default="ffmpeg")
    ap.add_argument("--ffprobe", default="ffprobe")
    ap.add_argument("--source", required=True)
    ap.add_argument("dir")
    a = ap.parse_args()
    index = os.path.join(a.dir, "index.m3u8")
    tags, segs = playlist(index)
    src = {round(t, 4): h for t, h in frame_hashes(a.ffmpeg, a.source)}
    for s in segs:
        fr = frame_hashes(a.ffmpeg, os.path.join(a.dir, s["uri"]))
        s["frames"] = len(fr)
        s["first"] = round(fr[0][0] - OFFSET, 4) if fr else None
        s["identical"] = bool(fr) and all(src.get(round(t - OFFSET, 4)) == h for t, h in fr)
        st = json.loads(run([a.ffprobe, "-v", "error", "-show_entries", "stream=codec_type",
                             "-of", "json", os.path.join(a.dir, s["uri"])]))
        s["streams"] = sorted(x["codec_type"] for x in st["streams"])
    back = subprocess.run([a.ffmpeg, "-nostdin", "-v", "error", "-i", index, "-f", "null", "-"],
                          capture_output=True, text=True)
    fmt = json.loads(run([a.ffprobe, "-v", "error", "-show_entries", "format=duration",
                          "-of", "json", index]))
    nframes = len(frame_hashes(a.ffmpeg, index))
    print(json.dumps({"tags": tags, "segments": segs, "ffmpeg_rc": back.returncode,
                      "ffmpeg_err": back.stderr[-2000:], "duration": float(fmt["format"]["duration"]),
                      "frames_read_back": nframes,
                      "manifest": json.load(open(os.path.join(a.dir, "hls.json")))}, indent=1))


main()
