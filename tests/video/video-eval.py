#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Score shot boundaries against a ground truth made by video-gen.py.

usage: video-eval.py GT.json CATALOG.json [GT.json CATALOG.json ...] [--times]
                     [--tol FRAMES] [--min-hard-f1 X] [--min-grad-f1 X] [--quiet]

CATALOG.json is recut-analyze output (boundaries = shots[1:].start, kind from
"transition"); with --times it is a text file of boundary times (one per
line, taken as hard cuts) from another detector.  A hard cut matches a
detection within TOL frames (default 1); a gradual transition matches a
detection inside its interval widened by TOL frames.  Matching is one to
one, nearest first.  Recall is per ground-truth class; an unmatched detection
is a false positive of the class it claims.  Several GT/CATALOG pairs are
scored as one (counts summed over the movies).  Prints one JSON line; exits 1
when a --min-* bound is not met.
"""
import json
import sys


def detections(path, times):
    if times:
        out = []
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    out.append((float(line), "hard"))
        return out
    with open(path) as f:
        cat = json.load(f)
    return [(s["start"], "gradual" if s.get("transition") == "gradual" else "hard")
            for s in cat["shots"][1:]]


def score(gt, dets, tol_frames=1):
    tol = tol_frames / gt["fps"] + 1e-6
    items = [("hard", t, t) for t in gt["hard"]] + [("gradual", a, b) for a, b in gt["gradual"]]
    used = [False] * len(dets)
    tp = {"hard": 0, "gradual": 0}
    pairs = []
    for kind, a, b in items:
        for k, (t, _) in enumerate(dets):
            if a - tol <= t <= b + tol:
                dist = 0.0 if a <= t <= b else min(abs(t - a), abs(t - b))
                pairs.append((dist, k, kind, a, b))
    pairs.sort()
    taken = set()
    for dist, k, kind, a, b in pairs:
        if used[k] or (kind, a, b) in taken:
            continue
        used[k] = True
        taken.add((kind, a, b))
        tp[kind] += 1
    fp = {"hard": 0, "gradual": 0}
    for k, (t, kind) in enumerate(dets):
        if not used[k]:
            fp[kind] += 1
    res = {}
    for kind in ("hard", "gradual"):
        n = len(gt[kind])
        p = tp[kind] / (tp[kind] + fp[kind]) if tp[kind] + fp[kind] else 1.0
        r = tp[kind] / n if n else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        res[kind] = {"gt": n, "tp": tp[kind], "fp": fp[kind], "fn": n - tp[kind],
                     "precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4)}
    TP = tp["hard"] + tp["gradual"]
    FP = fp["hard"] + fp["gradual"]
    N = len(items)
    p = TP / (TP + FP) if TP + FP else 1.0
    r = TP / N if N else 1.0
    res["all"] = {"gt": N, "tp": TP, "fp": FP, "precision": round(p, 4), "recall": round(r, 4),
                  "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4)}
    res["unmatched"] = [round(t, 3) for k, (t, _) in enumerate(dets) if not used[k]]
    res["missed"] = [[kind, a, b] for kind, a, b in items if (kind, a, b) not in taken]
    return res


def pool(acc, res):
    """Sum two score() results (several movies scored as one)."""
    if acc is None:
        return res
    out = {"unmatched": acc["unmatched"] + res["unmatched"], "missed": acc["missed"] + res["missed"]}
    for kind in ("hard", "gradual", "all"):
        n = {k: acc[kind][k] + res[kind][k] for k in ("gt", "tp", "fp")}
        p = n["tp"] / (n["tp"] + n["fp"]) if n["tp"] + n["fp"] else 1.0
        r = n["tp"] / n["gt"] if n["gt"] else 1.0
        n.update(precision=round(p, 4), recall=round(r, 4),
                 f1=round(2 * p * r / (p + r) if p + r else 0.0, 4))
        if kind != "all":
            n["fn"] = n["gt"] - n["tp"]
        out[kind] = n
    return out


def main():
    argv = sys.argv[1:]
    opts = {"--tol": 1.0, "--min-hard-f1": None, "--min-grad-f1": None}
    times = quiet = False
    pos = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--times":
            times = True
        elif a == "--quiet":
            quiet = True
        elif a in opts:
            opts[a] = float(argv[i + 1])
            i += 1
        else:
            pos.append(a)
        i += 1
    if len(pos) < 2 or len(pos) % 2:
        sys.exit(__doc__)
    res = None
    for g, c in zip(pos[::2], pos[1::2]):
        with open(g) as f:
            gt = json.load(f)
        res = pool(res, score(gt, detections(c, times), opts["--tol"]))
    if not quiet:
        print(json.dumps(res))
    ok = True
    if opts["--min-hard-f1"] is not None and res["hard"]["f1"] < opts["--min-hard-f1"]:
        print(f"hard-cut F1 {res['hard']['f1']} < {opts['--min-hard-f1']}", file=sys.stderr)
        ok = False
    if opts["--min-grad-f1"] is not None and res["gradual"]["f1"] < opts["--min-grad-f1"]:
        print(f"gradual F1 {res['gradual']['f1']} < {opts['--min-grad-f1']}", file=sys.stderr)
        ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
