#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Find beeps (audio) and white flash frames (video) in a movie.

usage: video-sync.py [--ffmpeg PATH] [--ffprobe PATH] MOVIE

Prints JSON {"beeps": [onset times], "flashes": [frame times]} so a test
can check that a beep rendered from the source lands where it should and
together with its flash.
"""
import json
import struct
import subprocess
import sys


def beeps(ffmpeg, path, rate=48000):
    raw = subprocess.run([ffmpeg, "-nostdin", "-v", "error", "-i", path, "-map", "0:a:0", "-ac", "1",
                          "-ar", str(rate), "-f", "f32le", "-"], check=True, capture_output=True).stdout
    n = len(raw) // 4
    samples = struct.unpack(f"<{n}f", raw[: n * 4])
    out = []
    quiet_since = 0
    for i, v in enumerate(samples):
        if abs(v) > 0.25:
            if i - quiet_since > rate // 5:
                out.append(round(i / rate, 4))
            quiet_since = i
    return out


def flashes(ffprobe, path):
    txt = subprocess.run([ffprobe, "-v", "error", "-f", "lavfi", f"movie={path},signalstats",
                          "-show_entries", "frame=pts_time:frame_tags=lavfi.signalstats.YAVG",
                          "-of", "csv=p=0"], check=True, capture_output=True, text=True).stdout
    out = []
    prev = False
    for line in txt.split("\n"):
        parts = line.strip().split(",")
        if len(parts) < 2:
            continue
        t, y = float(parts[0]), float(parts[1])
        bright = y > 200
        if bright and not prev:
            out.append(round(t, 4))
        prev = bright
    return out


def main():
    argv = sys.argv[1:]
    ffmpeg, ffprobe = "ffmpeg", "ffprobe"
    while len(argv) > 1 and argv[0] in ("--ffmpeg", "--ffprobe"):
        if argv[0] == "--ffmpeg":
            ffmpeg = argv[1]
        else:
            ffprobe = argv[1]
        argv = argv[2:]
    if len(argv) != 1:
        sys.exit(__doc__)
    print(json.dumps({"beeps": beeps(ffmpeg, argv[0]), "flashes": flashes(ffprobe, argv[0])}))


if __name__ == "__main__":
    main()
