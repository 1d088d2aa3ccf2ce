#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generate film-like test movies with known shot boundaries.

usage: video-film.py [--ffmpeg PATH] OUTDIR SET [KIND...]

video-gen.py's synthetic patterns are easy for a shot detector: every shot
is a different test card.  Film is harder, so these movies are built from
sources that behave like it: real photographs (python3-skimage's astronaut,
camera, coffee, chelsea) panned and zoomed like a camera would, cuts between
two framings of the same photograph, cellular automata and film grain that
change every frame, slow colour gradients, text cards, variable frame rate
and NTSC's 30000/1001 fps.  Transitions are hard cuts and gradual ones made
with ffmpeg's xfade (fade, pixel dissolve, fade through black or white) or a
fade-out / fade-in; each is rendered as its own clip of a known number of
frames, so the ground truth follows from frame counts alone.

SET is "test" (320x180, a few seconds each, for `make check`) or "bench"
(640x360, longer).  KIND restricts the movies made to those kinds.  For
every movie NAME.mp4 a NAME.gt.json holds the ground truth in video-gen.py's
format (fps, duration, hard cut times, gradual intervals, no flashes) plus
"kind".  Everything is deterministic (fixed seeds, explicit colours,
x264 on one thread).
"""
import glob
import importlib.util
import json
import os
import random
import subprocess
import sys
from fractions import Fraction

FFMPEG = "ffmpeg"
FONT_DIRS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation"]
PHOTOS = ["astronaut", "camera", "coffee", "chelsea"]
WORDS = ["CHAPTER ONE", "THE NEXT DAY", "MEANWHILE", "PARIS 1962", "THE END?", "LATER",
         "NORTH", "AT SEA", "HOME AGAIN", "TWO YEARS ON", "INTERMISSION", "EPILOGUE"]
COLOURS = ["0x2050c0", "0xc03020", "0x30a040", "0xd0a020", "0x804090", "0x20a0b0"]


def photo_path(name):
    spec = importlib.util.find_spec("skimage")
    base = os.path.dirname(spec.origin) if spec and spec.origin else \
        "/usr/lib/python3/dist-packages/skimage"
    path = os.path.join(base, "data", name + ".png")
    if not os.path.exists(path):
        sys.exit(f"video-film.py: {path} missing (install python3-skimage)")
    return path


def font_path():
    for d in FONT_DIRS:
        found = sorted(glob.glob(os.path.join(d, "*Sans-Bold.ttf")) +
                       glob.glob(os.path.join(d, "*Sans*.ttf")))
        if found:
            return found[0]
    sys.exit("video-film.py: no TrueType font (install fonts-dejavu-core)")


def photo(s, w, h, r, n):
    """A photograph cropped to the frame's aspect, zoomed from z0 to z1 and
    panned from (x0, y0) to (x1, y1) (fractions of the free room) over n
    frames; optional film grain that changes every frame."""
    z0, z1 = s.get("zoom", (1.0, 1.0))
    x0, y0, x1, y1 = s.get("pan", (0.5, 0.5, 0.5, 0.5))
    p = f"(on/{max(n - 1, 1)})"
    chain = (f"movie={photo_path(s['photo'])},loop=loop=-1:size=1:start=0,settb={tb_of(r)},setpts=N,"
             f"format=yuv444p,crop='min(iw,ih*{w}/{h})':'min(ih,iw*{h}/{w})',scale={2 * w}:{2 * h},"
             f"zoompan=z='{z0}+({z1 - z0})*{p}':x='(iw-iw/zoom)*({x0}+({x1 - x0})*{p})'"
             f":y='(ih-ih/zoom)*({y0}+({y1 - y0})*{p})':d=1:s={w}x{h}:fps={r}")
    if s.get("grain"):
        chain += f",noise=alls={s['grain']}:allf=t"
    return chain


def source(s, w, h, r, n):
    kind = s["kind"]
    rnd = random.Random(s["seed"])
    if kind == "photo":
        return photo(s, w, h, r, n)
    if kind == "cellauto":
        return (f"cellauto=s={w}x{h}:r={r}:rule={s.get('rule', rnd.choice([18, 30, 90, 110]))}"
                f":seed={s['seed']}:scroll=1:start_full=1")
    if kind == "life":
        return (f"life=s={w}x{h}:r={r}:mold=10:ratio={rnd.uniform(0.15, 0.4):.2f}:seed={s['seed']}"
                f":life_color={rnd.choice(['#ffff00', '#00ff80', '#ff40ff', '#ffffff'])}"
                f":death_color={rnd.choice(['#602020', '#202060', '#000000'])}:mold_color=#203060"
                # past the first generations, where a random field collapses
                f",trim=start_frame=40,setpts=PTS-STARTPTS")
    if kind == "noise":
        # a flat field under strong grain: nothing stays from frame to frame
        return f"color=c={rnd.choice(COLOURS)}:s={w}x{h}:r={r},noise=alls={s.get('grain', 40)}:allf=t+u"
    if kind == "gradients":
        # explicit colours: FFmpeg 5.1 draws unset ones from the clock
        n = rnd.choice([2, 3, 4])
        colours = ":".join(f"c{i}=0x{rnd.randrange(1 << 24):06x}" for i in range(n))
        return f"gradients=s={w}x{h}:r={r}:speed={s.get('speed', 0.004)}:seed={s['seed']}:n={n}:{colours}"
    if kind == "text":
        text = s.get("text", rnd.choice(WORDS))
        chain = (f"color=c={s.get('bg', '0x101010')}:s={w}x{h}:r={r},drawtext=fontfile={font_path()}"
                 f":text='{text}':fontsize={h // 7}:fontcolor={s.get('fg', 'white')}"
                 f":x='(w-text_w)/2':y='(h-text_h)/2'")
        if s.get("grain"):
            chain += f",noise=alls={s['grain']}:allf=t"
        return chain
    raise ValueError(kind)


def tb_of(r):
    fr = Fraction(r)
    return f"{fr.denominator}/{fr.numerator}"


def build(path, shots, w, h, r, kind, drop=(), extra_args=()):
    """shots: list of dicts {kind, frames, seed, ..., trans (to the next
    shot): ("cut",) | ("xfade", frames, name) with name an xfade transition
    (fade, dissolve, fadeblack, fadewhite) | ("fadeoutin", frames)}.
    drop: (from, to) time ranges (s) inside shots where every other frame
    is dropped (variable frame rate).  Returns the ground truth."""
    fr = Fraction(r)
    tb = f"settb={tb_of(r)},setpts=N"
    args = [FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    fc, segs = [], []
    head = [0] * len(shots)
    tail = [0] * len(shots)
    for i in range(len(shots) - 1):
        t = shots[i].get("trans", ("cut",))
        if t[0] == "xfade":
            tail[i] = head[i + 1] = t[1]
        elif t[0] == "fadeoutin":
            tail[i] = head[i + 1] = t[1] // 2
    for i, s in enumerate(shots):
        args += ["-f", "lavfi", "-i", source(s, w, h, r, s["frames"])]
        fc.append(f"[{i}:v]trim=end_frame={s['frames']},format=yuv420p,setsar=1,{tb},"
                  f"split=3[x{i}][y{i}][z{i}]")
        b0, b1 = head[i], s["frames"] - tail[i]
        fc.append(f"[x{i}]trim=start_frame={b0}:end_frame={b1},{tb}[b{i}]")
        fc.append(f"[y{i}]trim=end_frame={max(head[i], 1)},{tb}[h{i}]")
        fc.append(f"[z{i}]trim=start_frame={s['frames'] - max(tail[i], 1)},{tb}[t{i}]")
        t = shots[i - 1].get("trans", ("cut",)) if i > 0 else ("cut",)
        if i > 0 and t[0] == "xfade":
            d = head[i]
            fc.append(f"[t{i - 1}][h{i}]xfade=transition={t[2]}:duration={float(d / fr):.6f}"
                      f":offset=0,format=yuv420p,{tb}[m{i}]")
            segs.append((f"m{i}", d))
        elif i > 0 and t[0] == "fadeoutin":
            d = head[i]
            fc.append(f"[t{i - 1}]fade=t=out:s=0:n={d}[fo{i}]")
            fc.append(f"[h{i}]fade=t=in:s=0:n={d}[m{i}]")
            segs += [(f"fo{i}", d), (f"m{i}", d)]
        else:
            if i > 0:
                fc.append(f"[t{i - 1}]nullsink")
            fc.append(f"[h{i}]nullsink")
        segs.append((f"b{i}", b1 - b0))
    fc.append(f"[t{len(shots) - 1}]nullsink")
    starts, pos = {}, 0
    for label, frames in segs:
        starts[label] = pos
        pos += frames
    gt = {"kind": kind, "fps": float(fr), "hard": [], "gradual": [], "flashes": [], "beeps": []}
    for i in range(1, len(shots)):
        t = shots[i - 1].get("trans", ("cut",))
        b = round(float(starts[f"b{i}"] / fr), 6)
        if t[0] == "cut":
            gt["hard"].append(b)
        else:
            a = starts[f"fo{i}"] if t[0] == "fadeoutin" else starts[f"m{i}"]
            gt["gradual"].append([round(float(a / fr), 6), b])
    gt["duration"] = round(float(pos / fr), 6)
    out = "[cat]"
    fc.append("".join(f"[{label}]" for label, _ in segs) + f"concat=n={len(segs)}:v=1:a=0,{tb}{out}")
    if drop:
        keep = "*".join(f"not(between(t,{a:.4f},{b:.4f})*mod(n,2))" for a, b in drop)
        fc.append(f"{out}select='{keep}'[vfr]")
        out = "[vfr]"
    args += ["-filter_complex", ";".join(fc), "-map", out, "-c:v", "libx264", "-preset", "veryfast",
             "-threads:v", "1",  # x264 is deterministic with one thread only
             "-crf", "20", "-g", "50", "-pix_fmt", "yuv420p"]
    if drop:
        args += ["-fps_mode", "vfr", "-video_track_timescale", "1000"]
    args += list(extra_args) + [path]
    subprocess.run(args, check=True)
    with open(os.path.splitext(path)[0] + ".gt.json", "w") as f:
        json.dump(gt, f, indent=1)
    return gt


def trans_of(rnd, r, grad_share, allowed=("fade", "dissolve", "fadeblack", "fadewhite", "fadeoutin")):
    if rnd.random() >= grad_share:
        return ("cut",)
    name = rnd.choice(allowed)
    d = int(rnd.uniform(0.5, 1.2) * float(Fraction(r)))
    return ("fadeoutin", d) if name == "fadeoutin" else ("xfade", d, name)


def photo_shot(rnd, name=None):
    """A camera move over a photograph: slow pan, push in or pull out."""
    z0 = rnd.uniform(1.0, 1.6)
    z1 = z0 + rnd.choice([-1, 1]) * rnd.uniform(0.0, 0.5)
    z1 = max(1.0, z1)
    return {"kind": "photo", "photo": name or rnd.choice(PHOTOS), "zoom": (round(z0, 3), round(z1, 3)),
            "pan": tuple(round(rnd.uniform(0.1, 0.9), 3) for _ in range(4))}


def plan(kind, rnd, n, r, min_s, max_s, grad_share):
    """n shots of one source kind."""
    shots = []
    prev_photo = None
    for i in range(n):
        frames = int(rnd.uniform(min_s, max_s) * float(Fraction(r)))
        if kind == "photos":
            s = photo_shot(rnd, rnd.choice([p for p in PHOTOS if p != prev_photo]))
            prev_photo = s["photo"]
        elif kind == "samephoto":
            # two framings of the same photograph, alternating: wide and close
            s = photo_shot(rnd, PHOTOS[(i // 4) % len(PHOTOS)])
            s["zoom"] = (1.0, 1.15) if i % 2 == 0 else (2.2, 2.5)
        elif kind == "automata":
            s = {"kind": "cellauto" if i % 2 else "life"}
        elif kind == "grain":
            s = photo_shot(rnd) if i % 2 else {"kind": "noise", "grain": 50}
            if i % 2:
                s["grain"] = 45
        elif kind == "gradients":
            s = {"kind": "gradients", "speed": round(rnd.uniform(0.001, 0.006), 4)}
        elif kind == "text":
            s = {"kind": "text", "text": WORDS[i % len(WORDS)],
                 "bg": rnd.choice(["0x101010", "0x101010", "0x000030"]), "grain": rnd.choice([0, 0, 10])}
        elif kind in ("vfr", "ntsc"):
            s = rnd.choice([lambda: photo_shot(rnd), lambda: {"kind": "life"},
                            lambda: {"kind": "gradients", "speed": 0.003},
                            lambda: {"kind": "text", "text": rnd.choice(WORDS)}])()
        else:
            raise ValueError(kind)
        s["seed"] = rnd.randrange(1, 10 ** 6)
        s["trans"] = trans_of(rnd, r, grad_share)
        # the shot's own frames (its body) come on top of the frames it
        # shares with the transitions at its ends
        for t in ((shots[-1]["trans"],) if shots else ()) + (s["trans"],):
            frames += 0 if t[0] == "cut" else t[1] // 2 if t[0] == "fadeoutin" else t[1]
        s["frames"] = frames
        shots.append(s)
    return shots


def vfr_drops(gt, rnd):
    """Ranges strictly inside shot bodies where every other frame goes."""
    edges = sorted([t for t in gt["hard"]] + [t for a, b in gt["gradual"] for t in (a, b)])
    edges = [0.0] + edges + [gt["duration"]]
    out = []
    for a, b in zip(edges, edges[1:]):
        if b - a > 1.0 and rnd.random() < 0.6:
            out.append((a + 0.2, b - 0.2))
    return out


KINDS = ["photos", "samephoto", "automata", "grain", "gradients", "text", "vfr", "ntsc"]


def make(out, set_name, kind):
    rnd = random.Random(f"{set_name}-{kind}")
    if set_name == "test":
        w, h, n, lo, hi = 320, 180, 9, 0.9, 2.2
    else:
        w, h, n, lo, hi = 640, 360, 24, 1.0, 3.0
    r = "30000/1001" if kind == "ntsc" else 25
    shots = plan(kind, rnd, n, r, lo, hi, 0.35)
    path = os.path.join(out, f"film-{kind}.mp4")
    if kind != "vfr":
        return build(path, shots, w, h, r, kind)
    # plan the drops on the constant-rate ground truth, then build again
    gt = build(path, shots, w, h, r, kind)
    return build(path, shots, w, h, r, kind, drop=vfr_drops(gt, rnd))


def main():
    global FFMPEG
    argv = sys.argv[1:]
    if len(argv) >= 2 and argv[0] == "--ffmpeg":
        FFMPEG = argv[1]
        argv = argv[2:]
    if len(argv) < 2 or argv[1] not in ("test", "bench") or any(k not in KINDS for k in argv[2:]):
        sys.exit(__doc__)
    os.makedirs(argv[0], exist_ok=True)
    for kind in argv[2:] or KINDS:
        make(argv[0], argv[1], kind)


if __name__ == "__main__":
    main()
