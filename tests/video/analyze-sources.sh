#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# recut-analyze's shot detector on film-like footage (video-film.py, small
# and short): photographs panned and zoomed, two framings of one photograph,
# cellular automata and grain that change every frame, slow gradients, text
# cards, variable frame rate, 29.97 fps; hard cuts and xfade fades,
# dissolves, fades through black and white.  Hard-cut F1 >= 0.98 and
# gradual F1 >= 0.90 at +-1 frame over all of them (the bar), and no
# kind falls far below it on its own.
. "${srcdir:-.}/video-lib.sh"

kinds="photos samephoto automata grain gradients text vfr ntsc"
if ! "$PYTHON" "$srcdir/video-film.py" --ffmpeg "$FFMPEG" "$work" test $kinds; then
	fail "generate the film-like movies (python3-skimage, fonts-dejavu-core installed?)"
	finish
fi
pairs=""
for k in $kinds; do
	analyze "$work/film-$k.mp4" --id "film-$k" -o "$work/$k.json" --quiet
	check "analyze film-$k.mp4" "$PYTHON" "$srcdir/video-check.py" "$work/$k.json"
	check "$k: hard and gradual F1 >= 0.8 on its own" "$PYTHON" "$srcdir/video-eval.py" \
		"$work/film-$k.gt.json" "$work/$k.json" --min-hard-f1 0.8 --min-grad-f1 0.8
	pairs="$pairs $work/film-$k.gt.json $work/$k.json"
done
# shellcheck disable=SC2086
check "all kinds: hard F1 >= 0.98 and gradual F1 >= 0.90 at +-1 frame" \
	"$PYTHON" "$srcdir/video-eval.py" $pairs --min-hard-f1 0.98 --min-grad-f1 0.90
"$FFPROBE" -v error -select_streams v -show_entries frame=pts_time -of default=nw=1:nk=1 \
	"$work/film-vfr.mp4" > "$work/vfr-pts.txt"
check "the VFR movie has frame durations 1/25 and 2/25 s" py '
t = sorted(float(x) for x in open(sys.argv[1]).read().split())
sorted(set(round(b - a, 2) for a, b in zip(t, t[1:]))) == [0.04, 0.08]' "$work/vfr-pts.txt"
check "the NTSC movie runs at 30000/1001 fps" \
	test "$($FFPROBE -v error -select_streams v -show_entries stream=r_frame_rate -of csv=p=0 \
		"$work/film-ntsc.mp4")" = "30000/1001"
finish
