#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""recut-analyze benchmark: shot detection quality and speed, in one run,
against FFmpeg as the baseline.

usage: video-bench.py --analyze PATH --gen video-gen.py --eval video-eval.py
                      [--film video-film.py] [--ffmpeg PATH] [--work DIR]
                      [--repeat N]

1. Generates the bench movies (video-gen.py ... bench: 80 shots at 640x360
   with cuts, dissolves and fades; 60 fast cuts; 60 harder shots: same-kind
   cuts, fast pans, pulsing light; 16 shots at 1080p; with --film, one
   movie of 24 shots per film-like source kind from video-film.py ...
   bench: photographs panned and zoomed, two framings of one photograph,
   automata, grain, slow gradients, text cards, VFR, 29.97 fps), unless
   they are already in DIR.
2. Quality: precision / recall / F1 at +-1 frame for hard cuts and for
   gradual transitions, per movie (per source kind), for recut-analyze and
   for FFmpeg's scene score in the same run: select='gt(scene,0.3)'
   (+ showinfo) and scdet (threshold 10); then pooled over all movies and
   over the film-like ones.
3. Speed on the 1080p movie: frames per second of recut-analyze against
   `ffmpeg -i MOVIE -f null -` (decode only), best of N runs each, taken
   alternately; printed as a ratio (target >= 0.7), by wall clock and by
   CPU time (the CPU ratio is the stable one on a shared machine).
"""
import importlib.util
import json
import os
import re
import resource
import subprocess
import sys
import time


def run_timed(cmd):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr}")
    return wall, cpu, p


def ffmpeg_scene_times(ffmpeg, movie):
    """Boundary times from select='gt(scene,0.3)' and from scdet (threshold
    10), both in one decoding pass (split), told apart by showinfo's name."""
    fc = ("[0:v]split=2[a][b];[a]select='gt(scene,0.3)',showinfo@sel[o1];"
          "[b]scdet=threshold=10:sc_pass=1,showinfo@scd[o2]")
    p = subprocess.run([ffmpeg, "-nostdin", "-hide_banner", "-nostats", "-i", movie, "-an",
                        "-filter_complex", fc, "-map", "[o1]", "-f", "null", "-",
                        "-map", "[o2]", "-f", "null", "-"], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"ffmpeg scene detection failed: {p.stderr[-500:]}")
    return {how: [float(m) for m in re.findall(rf"showinfo@{how} .*?pts_time:\s*([0-9.]+)", p.stderr)]
            for how in ("sel", "scd")}


def frames_of(ffmpeg, movie):
    p = subprocess.run([ffmpeg, "-nostdin", "-hide_banner", "-i", movie, "-map", "0:v:0",
                        "-c", "copy", "-f", "null", "-"], capture_output=True, text=True)
    m = re.findall(r"frame=\s*([0-9]+)", p.stderr)
    return int(m[-1]) if m else 0


def main():
    args = {"--ffmpeg": "ffmpeg", "--work": "video-bench-media", "--repeat": "3"}
    argv = sys.argv[1:]
    for i in range(0, len(argv) - 1, 2):
        args[argv[i]] = argv[i + 1]
    for need in ("--analyze", "--gen", "--eval"):
        if need not in args:
            sys.exit(__doc__)
    sys.path.insert(0, os.path.dirname(os.path.abspath(args["--eval"])))
    spec = importlib.util.spec_from_file_location("video_eval", args["--eval"])
    ev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ev)
    ffmpeg, work, analyze = args["--ffmpeg"], args["--work"], args["--analyze"]
    movies = ["bench-mixed", "bench-fastcuts", "bench-hard", "bench-1080p"]
    if not all(os.path.exists(os.path.join(work, m + ".mp4")) for m in movies):
        print(f"generating the bench movies in {work} (takes a few minutes) ...", flush=True)
        subprocess.run([sys.executable, args["--gen"], "--ffmpeg", ffmpeg, work, "bench"], check=True)
    film = []
    if "--film" in args:
        spec = importlib.util.spec_from_file_location("video_film", args["--film"])
        vf = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(vf)
        film = ["film-" + k for k in vf.KINDS]
        if not all(os.path.exists(os.path.join(work, m + ".mp4")) for m in film):
            print(f"generating the film-like movies in {work} (takes a few minutes) ...", flush=True)
            subprocess.run([sys.executable, args["--film"], "--ffmpeg", ffmpeg, work, "bench"],
                           check=True)
    movies += film

    print("\n== shot boundary detection, +-1 frame (P / R / F1) ==")
    print(f"{'movie':16} {'detector':22} {'hard P':>7} {'hard R':>7} {'hard F1':>7} "
          f"{'grad P':>7} {'grad R':>7} {'grad F1':>7}")
    totals = {}
    for m in movies:
        path = os.path.join(work, m + ".mp4")
        with open(os.path.join(work, m + ".gt.json")) as f:
            gt = json.load(f)
        out = os.path.join(work, m + ".catalog.json")
        run_timed([analyze, path, "--id", m, "-o", out, "--quiet"])
        dets = {"recut-analyze": ev.detections(out, False)}
        ff = ffmpeg_scene_times(ffmpeg, path)
        for how, name in (("sel", "ffmpeg scene>0.3"), ("scd", "ffmpeg scdet t=10")):
            dets[name] = [(t, "hard") for t in ff[how]]
        for name, d in dets.items():
            r = ev.score(gt, d, 1)
            for group in ("ALL", "ALL film-like") if m in film else ("ALL",):
                tot = totals.setdefault((group, name), {"hard": [0, 0, 0], "gradual": [0, 0, 0]})
                for k in ("hard", "gradual"):
                    tot[k][0] += r[k]["tp"]
                    tot[k][1] += r[k]["fp"]
                    tot[k][2] += r[k]["gt"]
            print(f"{m:16} {name:22} {r['hard']['precision']:7.3f} {r['hard']['recall']:7.3f} "
                  f"{r['hard']['f1']:7.3f} {r['gradual']['precision']:7.3f} "
                  f"{r['gradual']['recall']:7.3f} {r['gradual']['f1']:7.3f}")
    print("-- pooled --")
    for (group, name), tot in totals.items():
        cells = []
        for k in ("hard", "gradual"):
            tp, fp, n = tot[k]
            p = tp / (tp + fp) if tp + fp else 1.0
            r = tp / n if n else 1.0
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            cells += [p, r, f1]
        print(f"{group:16} {name:22} " + " ".join(f"{c:7.3f}" for c in cells))

    print("\n== speed on the 1080p movie ==")
    path = os.path.join(work, "bench-1080p.mp4")
    frames = frames_of(ffmpeg, path)
    best = {"ffmpeg": [1e9, 1e9], "analyze": [1e9, 1e9]}
    for _ in range(int(args["--repeat"])):
        w, c, _ = run_timed([ffmpeg, "-nostdin", "-v", "error", "-i", path, "-f", "null", "-"])
        best["ffmpeg"] = [min(best["ffmpeg"][0], w), min(best["ffmpeg"][1], c)]
        # every analysis on: faces (an error if OpenCV's cascades are
        # missing), and the sound classes of the movie's audio track
        w, c, _ = run_timed([analyze, path, "--id", "speed", "-o", os.devnull, "--quiet",
                             "--faces", "on"])
        best["analyze"] = [min(best["analyze"][0], w), min(best["analyze"][1], c)]
    fw, fc = best["ffmpeg"]
    aw, ac = best["analyze"]
    print(f"frames: {frames} (recut-analyze with --faces on; speech/music/silence from the audio)")
    print(f"ffmpeg -f null (decode only): {fw:7.2f} s wall {frames / fw:7.1f} fps | "
          f"{fc:7.2f} s CPU {frames / fc:7.1f} fps/CPU")
    print(f"recut-analyze:                {aw:7.2f} s wall {frames / aw:7.1f} fps | "
          f"{ac:7.2f} s CPU {frames / ac:7.1f} fps/CPU")
    print(f"ratio recut-analyze / ffmpeg decode: wall {fw / aw:.2f}  CPU {fc / ac:.2f}  (target >= 0.7)")


if __name__ == "__main__":
    main()
