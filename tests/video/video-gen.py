#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generate test movies with known shot boundaries using ffmpeg's lavfi sources.

usage: video-gen.py [--ffmpeg PATH] OUTDIR SET

SET is "test" (small 320x180 files for `make check`) or "bench" (longer
files incl. a 1080p one).  For every movie NAME.mp4 a NAME.gt.json holds the
ground truth: frame rate, duration, hard cut times, gradual transition
intervals, flash times, beep times.  Everything is deterministic (fixed seeds,
explicit colours, x264 on one thread): every run makes the same files.
"""
import json
import os
import random
import subprocess
import sys

FFMPEG = "ffmpeg"


# x264 with several threads is not deterministic (its output changes from run
# to run, and with the number of CPUs): one thread makes the same media on
# every machine, every time.
X264_THREADS = "1"


def life(w, h, r, seed, ratio, colour):
    """Conway's life at the given initial density, living cells in colour."""
    return (f"life=s={w}x{h}:r={r}:mold=10:ratio={ratio}:seed={seed}:life_color={colour}"
            f":death_color=#602020:mold_color=#203060")


def gradients(w, h, r, speed, seed, colours):
    """FFmpeg's gradients source between the given colours, always given:
    FFmpeg 5.1 draws unset ones ("random") from the clock, not from seed=."""
    cs = ":".join(f"c{i}={c}" for i, c in enumerate(colours))
    return f"gradients=s={w}x{h}:r={r}:speed={speed}:seed={seed}:n={len(colours)}:{cs}"


def source(kind, w, h, r, seed, opts=None):
    """A lavfi video source expression of one kind of content; opts may fix
    the gradients' "colours", a grain field's "colour" and, for "gradlit",
    the "light" ramp (start and length in seconds)."""
    opts = opts or {}
    rnd = random.Random(seed)
    colours = ["0x2050c0", "0xc03020", "0x30a040", "0xd0a020", "0x804090", "0x20a0b0"]
    if kind == "testsrc2":
        return f"testsrc2=s={w}x{h}:r={r}"
    if kind == "testsrc2neg":
        return f"testsrc2=s={w}x{h}:r={r},negate"
    if kind == "mandelbrot":
        return (f"mandelbrot=s={w}x{h}:r={r}:maxiter=96:start_scale={rnd.uniform(1.0, 3.0):.2f}"
                f":end_scale=0.3:start_x=-0.743643887037151:start_y=0.13182590420533")
    if kind == "bars":
        return f"smptehdbars=s={w}x{h}:r={r}"
    if kind == "cellauto":
        return f"cellauto=s={w}x{h}:r={r}:rule={rnd.choice([18, 30, 90, 110])}:seed={seed}"
    if kind == "life":
        return life(w, h, r, seed, 0.2, rnd.choice(["#ffff00", "#00ff80", "#ff40ff"]))
    if kind == "noise":
        c = opts.get("colour") or rnd.choice(colours)
        return f"color=c={c}:s={w}x{h}:r={r},noise=alls=24:allf=t+u"
    if kind == "gradients":
        n = rnd.choice([2, 3, 4])
        return gradients(w, h, r, 0.015, seed, [f"0x{rnd.randrange(1 << 24):06x}" for _ in range(n)])
    if kind in ("flatgrad", "gradlit"):
        # a soft gradient between the given colours; "gradlit" then gains
        # light as an exposure change would (brighter and more saturated,
        # the same hues): not a transition
        chain = gradients(w, h, r, 0.005, seed, opts["colours"])
        if kind == "gradlit":
            a, d = opts["light"]
            ramp = f"clip((t-{a})/{d},0,1)"
            chain += f",eq=brightness='0.2*{ramp}':eval=frame,hue=s='1+0.6*{ramp}'"
        return chain
    if kind == "rgbtest":
        return f"rgbtestsrc=s={w}x{h}:r={r}"
    if kind == "sierpinski":
        return f"sierpinski=s={w}x{h}:r={r}:seed={seed}:jump=50"
    if kind == "pan":
        # a fast camera pan to and fro over a large test pattern
        return (f"testsrc2=s={2 * w}x{2 * h}:r={r},crop={w}:{h}:"
                f"x='{w}/2*(1+sin(t*{rnd.uniform(1.0, 2.5):.2f}))':y='{h}/2*(1+sin(t*0.7))'")
    if kind == "flicker":
        # lighting that pulses (not a transition)
        return f"smptehdbars=s={w}x{h}:r={r},eq=brightness='0.15*sin(t*{rnd.uniform(4, 9):.2f})':eval=frame"
    if kind == "lifeb":
        return life(w, h, r, seed, 0.3, "#ffff00")
    if kind == "dim":
        return f"color=c=0x1c2430:s={w}x{h}:r={r}"
    if kind == "spectrum":
        return f"colorspectrum=s={w}x{h}:r={r},hue=h=t*40"
    raise ValueError(kind)


KINDS = ["testsrc2", "mandelbrot", "bars", "cellauto", "life", "noise", "gradients",
         "rgbtest", "sierpinski", "spectrum", "testsrc2neg"]


def build(path, shots, w, h, r, audio=None, vfr_rates=None, rotate=None, gop=50,
          fade_in_start=0.0, fade_out_end=0.0, src_scale=None, preset="veryfast",
          extra_args=(), beeps=()):
    """shots: list of dicts {kind, frames, seed, trans (to the next shot):
    ("cut",) | ("dissolve", frames) | ("fadeblack", frames) (fade out, a few
    black frames, fade in) | ("fadeoutin", frames) (fade out, fade in),
    flash: frame index within the shot or None}.

    Every transition is rendered as its own clip of a known number of frames
    (blend of the two shots' overlapping frames, or fades) and all clips are
    concatenated, so the ground truth follows from frame counts alone.
    Returns the ground truth."""
    args = [FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    fc = []
    gt = {"hard": [], "gradual": [], "flashes": [], "fps": r, "beeps": list(beeps)}
    gw, gh = (src_scale if src_scale else (w, h))
    rates = [vfr_rates[i % len(vfr_rates)] if vfr_rates else r for i in range(len(shots))]
    tb = "settb=1/1000" if vfr_rates else f"settb=1/{r}"
    n_in = 0

    def add_input(spec):
        nonlocal n_in
        args.extend(["-f", "lavfi", "-i", spec])
        n_in += 1
        return n_in - 1

    # overlap with the previous / next shot, in frames
    head = [0] * len(shots)
    tail = [0] * len(shots)
    for i in range(len(shots) - 1):
        t = shots[i].get("trans", ("cut",))
        if t[0] != "cut":
            tail[i] = head[i + 1] = t[1] if t[0] == "dissolve" else t[1] // 2 if t[0] == "fadeoutin" \
                else (t[1] - 4) // 2
    segs = []  # (label, frames, rate)
    for i, s in enumerate(shots):
        k = add_input(source(s["kind"], gw, gh, rates[i], s["seed"], s.get("opts")))
        chain = f"[{k}:v]trim=end_frame={s['frames']},setpts=PTS-STARTPTS"
        if src_scale:
            chain += f",scale={w}:{h}:flags=bicubic"
        chain += f",format=yuv420p,setsar=1,{tb}"
        if s.get("flash") is not None:
            f = s["flash"]
            chain += f",drawbox=c=white:t=fill:enable='between(n,{f},{f + 1})'"
        fc.append(chain + f",split=3[x{i}][y{i}][z{i}]")
        body0, body1 = head[i], s["frames"] - tail[i]
        fc.append(f"[x{i}]trim=start_frame={body0}:end_frame={body1},setpts=PTS-STARTPTS[b{i}]")
        fc.append(f"[y{i}]trim=end_frame={max(head[i], 1)},setpts=PTS-STARTPTS[h{i}]")
        fc.append(f"[z{i}]trim=start_frame={s['frames'] - max(tail[i], 1)},setpts=PTS-STARTPTS[t{i}]")
        if i > 0:
            t = shots[i - 1].get("trans", ("cut",))
            if t[0] == "dissolve":
                d = head[i]
                fc.append(f"[t{i - 1}][h{i}]blend=all_expr='A*(1-(T*{r}+1)/{d + 1})+B*(T*{r}+1)/{d + 1}'[m{i}]")
                segs.append((f"m{i}", d, r))
            elif t[0] in ("fadeblack", "fadeoutin"):
                d = head[i]
                fc.append(f"[t{i - 1}]fade=t=out:s=0:n={d}[fo{i}]")
                segs.append((f"fo{i}", d, r))
                if t[0] == "fadeblack":
                    k = add_input(f"color=c=black:s={w}x{h}:r={r}")
                    fc.append(f"[{k}:v]trim=end_frame=4,format=yuv420p,setsar=1,{tb}[bk{i}]")
                    segs.append((f"bk{i}", 4, r))
                fc.append(f"[h{i}]fade=t=in:s=0:n={d}[fi{i}]")
                segs.append((f"fi{i}", d, r))
            else:
                fc.append(f"[t{i - 1}]nullsink")
                fc.append(f"[h{i}]nullsink")
        else:
            fc.append(f"[h{i}]nullsink")
        segs.append((f"b{i}", body1 - body0, rates[i]))
        if i == len(shots) - 1:
            fc.append(f"[t{i}]nullsink")
    # ground truth from the clip lengths
    pos = 0.0
    idx = 0
    starts = {}
    for label, frames, rate in segs:
        starts[label] = pos
        pos += frames / rate
    length = pos
    for i, s in enumerate(shots):
        if i > 0:
            t = shots[i - 1].get("trans", ("cut",))
            if t[0] == "cut":
                gt["hard"].append(round(starts[f"b{i}"], 6))
            elif t[0] == "dissolve":
                gt["gradual"].append([round(starts[f"m{i}"], 6), round(starts[f"b{i}"], 6)])
            else:
                gt["gradual"].append([round(starts[f"fo{i}"], 6), round(starts[f"b{i}"], 6)])
        if s.get("flash") is not None:
            gt["flashes"].append(round(starts[f"b{i}"] + (s["flash"] - head[i]) / rates[i], 6))
    fc.append("".join(f"[{label}]" for label, _, _ in segs) + f"concat=n={len(segs)}:v=1:a=0,{tb}[cat]")
    cur = "cat"
    if fade_in_start or fade_out_end:
        chain = f"[{cur}]"
        if fade_in_start:
            chain += f"fade=t=in:st=0:d={fade_in_start}"
        if fade_out_end:
            chain += ("," if fade_in_start else "") + \
                f"fade=t=out:st={length - fade_out_end:.6f}:d={fade_out_end}"
        fc.append(chain + "[vout]")
        cur = "vout"
    del idx
    gt["duration"] = round(length, 6)
    maps = ["-map", f"[{cur}]"]
    if audio:
        if audio == "affect":
            # quiet tone for the first half, loud noise for the second
            half = round(length / 2, 6)
            k = add_input(f"aevalsrc='if(lt(t,{half}),0.01*sin(2*PI*220*t),0.5*(2*random(0)-1))'"
                          f":s=48000:c=mono:d={length:.6f}")
            maps += ["-map", f"{k}:a"]
        elif audio == "beeps":
            expr = "+".join(f"between(t,{b},{b + 0.05})*0.8*sin(2*PI*1000*t)" for b in beeps) or "0"
            k = add_input(f"aevalsrc='{expr}':s=48000:c=stereo:d={length:.6f}")
            maps += ["-map", f"{k}:a"]
        else:
            k1 = add_input(f"anoisesrc=c=pink:a=0.08:r=48000:d={length:.6f}:seed=7")
            k2 = add_input(f"sine=f=330:r=48000:d={length:.6f}")
            fc.append(f"[{k1}:a][{k2}:a]amix=inputs=2:normalize=0,"
                      f"volume='0.4+0.6*abs(sin(t*0.7))':eval=frame[aout]")
            maps += ["-map", "[aout]"]
    args += ["-filter_complex", ";".join(fc)] + maps
    args += ["-c:v", "libx264", "-threads:v", X264_THREADS, "-preset", preset, "-crf", "20",
             "-g", str(gop), "-pix_fmt", "yuv420p"]
    if vfr_rates:
        args += ["-fps_mode", "vfr", "-video_track_timescale", "1000"]
    if audio:
        args += ["-c:a", "aac", "-b:a", "96k"]
    args += ["-movflags", "+faststart"] + list(extra_args) + [path]
    subprocess.run(args, check=True)
    if rotate is not None:
        tmp = path + ".rot.mp4"
        subprocess.run([FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", path,
                        "-c", "copy", "-metadata:s:v:0", f"rotate={rotate}", tmp], check=True)
        os.replace(tmp, path)
    with open(os.path.splitext(path)[0] + ".gt.json", "w") as f:
        json.dump(gt, f, indent=1)
    return gt


def random_shots(rnd, n, r, min_s, max_s, trans_weights, kinds=None, allow_same=False):
    shots = []
    prev = None
    names, weights = zip(*trans_weights)
    for i in range(n):
        kind = rnd.choice([k for k in (kinds or KINDS) if allow_same or k != prev])
        prev = kind
        frames = int(rnd.uniform(min_s, max_s) * r)
        t = rnd.choices(names, weights)[0]
        if t == "cut":
            trans = ("cut",)
        else:
            trans = (t, int(rnd.uniform(0.5, 1.4) * r))
            frames = max(frames, 2 * trans[1] + r)
        flash = int(frames * 0.5) if rnd.random() < 0.08 else None
        shots.append({"kind": kind, "frames": frames, "seed": rnd.randrange(1, 10 ** 6),
                      "trans": trans, "flash": flash})
    return shots


def set_test(out):
    r = 25
    w, h = 320, 180
    # hard cuts, a flash, audio
    hard = [("testsrc2", 60), ("bars", 50), ("life", 70), ("noise", 45), ("mandelbrot", 60),
            ("cellauto", 55), ("gradients", 65), ("rgbtest", 40), ("testsrc2neg", 60),
            ("sierpinski", 50), ("spectrum", 55), ("noise", 50)]
    shots = [{"kind": k, "frames": f, "seed": 100 + i} for i, (k, f) in enumerate(hard)]
    shots[0]["flash"] = 30
    shots[5]["flash"] = 25
    build(os.path.join(out, "cuts.mp4"), shots, w, h, r, audio="noise")
    # gradual transitions (and some cuts), fade in from black, fade out to black
    grad = [("testsrc2", 75, ("dissolve", 25)), ("mandelbrot", 70, ("fadeblack", 24)),
            ("life", 60, ("cut",)), ("bars", 65, ("fadeoutin", 20)),
            ("gradients", 70, ("dissolve", 15)), ("noise", 65, ("dissolve", 30)),
            ("spectrum", 70, ("cut",)), ("cellauto", 60, ("fadeblack", 30)),
            ("testsrc2neg", 70, ("dissolve", 20)), ("rgbtest", 60, ("fadeoutin", 26)),
            ("sierpinski", 65, ("cut",))]
    shots = [{"kind": k, "frames": f, "seed": 200 + i, "trans": t} for i, (k, f, t) in enumerate(grad)]
    build(os.path.join(out, "gradual.mp4"), shots, w, h, r, audio="noise",
          fade_in_start=1, fade_out_end=1)
    # pictures too flat for a luma pattern: a soft gradient dissolves into a
    # grain field of another hue (a boundary), then the same gradient gains
    # light over 0.6 s (not one)
    flat = {"colours": ["0xc31524", "0xaa195d", "0x7620d3"]}
    shots = [{"kind": "flatgrad", "frames": 60, "seed": 700, "trans": ("dissolve", 15), "opts": flat},
             {"kind": "noise", "frames": 60, "seed": 701, "opts": {"colour": "0xd0a020"}},
             {"kind": "gradlit", "frames": 75, "seed": 702, "opts": dict(flat, light=(1.0, 0.6))}]
    build(os.path.join(out, "flat.mp4"), shots, w, h, r, audio="noise")
    # affect: a calm dim static half, then fast cuts with loud noise
    shots = [{"kind": "dim", "frames": 300, "seed": 600}]
    fast = ["life", "cellauto", "testsrc2", "noise", "sierpinski", "testsrc2neg"]
    shots += [{"kind": fast[i % len(fast)], "frames": 15, "seed": 610 + i} for i in range(20)]
    build(os.path.join(out, "affect.mp4"), shots, w, h, r, audio="affect")
    # video only
    shots = [{"kind": k, "frames": 40, "seed": 300 + i} for i, k in
             enumerate(["bars", "testsrc2", "life", "noise"])]
    build(os.path.join(out, "noaudio.mp4"), shots, w, h, r)
    # variable frame rate: shots alternate 25 and 10 fps
    shots = [{"kind": k, "frames": f, "seed": 400 + i} for i, (k, f) in
             enumerate([("testsrc2", 50), ("bars", 20), ("noise", 50), ("life", 20), ("mandelbrot", 50)])]
    build(os.path.join(out, "vfr.mp4"), shots, w, h, r, vfr_rates=[25, 10], audio="noise")
    # rotation metadata
    shots = [{"kind": k, "frames": 40, "seed": 500 + i} for i, k in enumerate(["testsrc2", "bars"])]
    build(os.path.join(out, "rotated.mp4"), shots, w, h, r, rotate=90, audio="noise")
    # render source: beeps at known times, a white flash frame on each beep
    beeps = [1.0, 2.6, 4.0, 6.2, 8.8]
    shots = [{"kind": "testsrc2", "frames": 250, "seed": 1}]
    gt = build(os.path.join(out, "beeps.mp4"), shots, w, h, r, audio="beeps", beeps=beeps)
    del gt
    src = os.path.join(out, "beeps.mp4")
    marked = os.path.join(out, "beeps-marked.mp4")
    enable = "+".join(f"between(t,{b - 0.001},{b + 0.039})" for b in beeps)
    subprocess.run([FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", src,
                    "-vf", f"drawbox=c=white:t=fill:enable='{enable}'", "-c:v", "libx264",
                    "-threads:v", X264_THREADS, "-preset", "veryfast", "-crf", "20", "-g", "50",
                    "-c:a", "copy", marked], check=True)
    os.replace(marked, src)
    # loudness calibration: 1 kHz sine, peak 0.1 (-20 dBFS) in both channels
    # is -20 LUFS by ITU-R BS.1770
    subprocess.run([FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
                    "-i", f"smptehdbars=s={w}x{h}:r={r}:d=6", "-f", "lavfi",
                    "-i", "aevalsrc='0.1*sin(2*PI*1000*t)|0.1*sin(2*PI*1000*t)':s=48000:d=6",
                    "-c:v", "libx264", "-threads:v", X264_THREADS, "-preset", "veryfast",
                    "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "192k", os.path.join(out, "tone.mp4")], check=True)
    # audio only, text, truncated, corrupt
    subprocess.run([FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
                    "-i", "sine=f=440:d=2", "-c:a", "aac", os.path.join(out, "audio-only.m4a")], check=True)
    with open(os.path.join(out, "text.txt"), "w") as f:
        f.write("this is not a movie\n" * 50)
    with open(os.path.join(out, "garbage.mp4"), "wb") as f:
        f.write(random.Random(5).randbytes(200000))
    data = open(os.path.join(out, "cuts.mp4"), "rb").read()
    with open(os.path.join(out, "truncated.mp4"), "wb") as f:
        f.write(data[: len(data) * 55 // 100])
    rnd = random.Random(9)
    buf = bytearray(data)
    for _ in range(40):
        pos = rnd.randrange(len(buf) // 5, len(buf) - 1000)
        for k in range(64):
            buf[pos + k] = rnd.randrange(256)
    with open(os.path.join(out, "corrupt.mp4"), "wb") as f:
        f.write(buf)


def set_bench(out):
    rnd = random.Random(2024)
    r = 25
    mix = [("cut", 6), ("dissolve", 2), ("fadeblack", 1), ("fadeoutin", 1)]
    shots = random_shots(rnd, 80, r, 1.0, 5.0, mix)
    build(os.path.join(out, "bench-mixed.mp4"), shots, 640, 360, r, audio="noise")
    shots = random_shots(rnd, 60, r, 0.6, 3.0, [("cut", 1)])
    build(os.path.join(out, "bench-fastcuts.mp4"), shots, 640, 360, r, audio="noise")
    # harder: cuts between shots of the same kind, fast pans, pulsing light,
    # short dissolves
    hard_kinds = ["pan", "flicker", "lifeb", "gradients", "noise", "mandelbrot", "pan", "gradients"]
    shots = random_shots(rnd, 60, r, 1.0, 4.0, mix, kinds=hard_kinds, allow_same=True)
    build(os.path.join(out, "bench-hard.mp4"), shots, 640, 360, r, audio="noise")
    shots = random_shots(rnd, 16, r, 2.0, 5.0, mix)
    build(os.path.join(out, "bench-1080p.mp4"), shots, 1920, 1080, r, audio="noise",
          src_scale=(480, 270), preset="fast")


def main():
    global FFMPEG
    argv = sys.argv[1:]
    if len(argv) >= 2 and argv[0] == "--ffmpeg":
        FFMPEG = argv[1]
        argv = argv[2:]
    if len(argv) != 2 or argv[1] not in ("test", "bench"):
        sys.exit(__doc__)
    os.makedirs(argv[0], exist_ok=True)
    (set_test if argv[1] == "test" else set_bench)(argv[0])


if __name__ == "__main__":
    main()
