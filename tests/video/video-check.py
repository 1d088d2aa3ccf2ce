#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Check a recut-analyze catalog entry against the catalog schema
(docs/events.md, "Catalog entries") and recut-analyze's own promises.

usage: video-check.py CATALOG.json [--duration SECONDS] [--tol SECONDS]

Exits 1 with the reasons on stderr when something is wrong.
"""
import json
import math
import sys


def check(cat, duration=None, tol=0.05):
    bad = []

    def need(cond, msg):
        if not cond:
            bad.append(msg)

    def num(x):
        return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)

    need(isinstance(cat, dict), "top level is not an object")
    if bad:
        return bad
    need(isinstance(cat.get("id"), str) and 1 <= len(cat["id"].encode()) <= 128, "id")
    need(isinstance(cat.get("title"), str), "title")
    d = cat.get("duration")
    need(num(d) and d > 0, "duration must be > 0")
    if duration is not None and num(d):
        need(abs(d - duration) <= tol, f"duration {d} != {duration}")
    for key in ("genres", "tags"):
        need(isinstance(cat.get(key), list) and all(isinstance(x, str) for x in cat[key]), key)
    scenes = cat.get("scenes")
    need(isinstance(scenes, list) and len(scenes) > 0, "scenes must be a non-empty list")
    if not isinstance(scenes, list) or not num(d):
        return bad
    prev_end = 0.0
    for i, s in enumerate(scenes):
        ok = isinstance(s, dict) and num(s.get("start")) and num(s.get("end"))
        need(ok, f"scene {i}: start/end")
        if not ok:
            continue
        need(0 <= s["start"] < s["end"] <= d + 1e-9, f"scene {i} outside [0, duration]")
        need(abs(s["start"] - prev_end) < 1e-6, f"scene {i} does not start where scene {i - 1} ends")
        prev_end = s["end"]
        need(num(s.get("arousal")) and 0 <= s["arousal"] <= 1, f"scene {i}: arousal in 0..1")
        need(num(s.get("valence")) and -1 <= s["valence"] <= 1, f"scene {i}: valence in -1..1")
        need(isinstance(s.get("labels"), list) and all(isinstance(x, str) for x in s["labels"]),
             f"scene {i}: labels")
        emo = s.get("emotion")
        need(isinstance(emo, dict) and emo and all(num(v) and 0 <= v <= 1 for v in emo.values()),
             f"scene {i}: emotion probabilities")
        if isinstance(emo, dict) and emo:
            need(abs(sum(emo.values()) - 1) < 0.01, f"scene {i}: emotion does not sum to 1")
    need(abs(prev_end - d) < 1e-6, "scenes do not cover the movie to its end")
    shots = cat.get("shots")
    need(isinstance(shots, list) and len(shots) > 0, "shots")
    if isinstance(shots, list) and shots:
        need(shots[0].get("start") == 0, "first shot must start at 0")
        for i in range(1, len(shots)):
            need(abs(shots[i]["start"] - shots[i - 1]["end"]) < 1e-6 and shots[i]["start"] < shots[i]["end"],
                 f"shot {i} not contiguous/sorted")
        need(abs(shots[-1]["end"] - d) < 1e-6, "shots do not cover the movie")
    feats = cat.get("features")
    need(isinstance(feats, list) and len(feats) == len(scenes), "one features object per scene")
    if isinstance(feats, list):
        for i, f in enumerate(feats):
            for key in ("motion", "cut_rate", "luminance", "saturation"):
                need(num(f.get(key)), f"features[{i}].{key}")
            if cat.get("source", {}).get("audio"):
                need(num(f.get("loudness")) and -70 <= f["loudness"] <= 0, f"features[{i}].loudness")
                need(num(f.get("loudness_var")) and f["loudness_var"] >= 0, f"features[{i}].loudness_var")
    return bad


def main():
    argv = sys.argv[1:]
    duration = None
    tol = 0.05
    pos = []
    i = 0
    while i < len(argv):
        if argv[i] == "--duration":
            duration = float(argv[i + 1])
            i += 1
        elif argv[i] == "--tol":
            tol = float(argv[i + 1])
            i += 1
        else:
            pos.append(argv[i])
        i += 1
    if len(pos) != 1:
        sys.exit(__doc__)
    with open(pos[0]) as f:
        cat = json.load(f)
    bad = check(cat, duration, tol)
    for b in bad:
        print(f"{pos[0]}: {b}", file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
