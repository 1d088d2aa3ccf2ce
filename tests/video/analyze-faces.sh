#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# analyze-faces.sh -- faces and people in recut-analyze, on movies made from
# real photographs (python3-skimage's astronaut, coffee, chelsea, camera and
# faces of its LFW subset), panned and zoomed with ffmpeg's scale and crop:
# which scenes have faces and which have nobody, a close-up, a group, a
# smile, the same person coming back after another one, --faces off, the
# --plot faces lane, and a missing cascade directory.
. "$srcdir/video-lib.sh"

CASCADES=/usr/share/opencv4/haarcascades
if ! "$PYTHON" -c "import skimage, numpy" 2>/dev/null; then
	echo "SKIP: python3-skimage is not installed"
	exit 77
fi
if [ ! -r "$CASCADES/haarcascade_frontalface_alt2.xml" ]; then
	echo "SKIP: OpenCV's cascades (opencv-data) are not installed"
	exit 77
fi

# The photographs, and three faces of the LFW subset (25 x 25, scaled up).
D=$("$PYTHON" -c "import os, skimage.data; print(os.path.dirname(skimage.data.__file__))")
"$PYTHON" - "$D" "$work" <<'EOF' || { echo "FAIL: cannot make the pictures"; exit 1; }
import sys
import numpy as np
from skimage import io, transform
d, out = sys.argv[1], sys.argv[2]
a = np.load(d + "/lfw_subset.npy")
def up(i, n):
    return (transform.resize(a[i], (n, n), order=3) * 255).clip(0, 255).astype("uint8")
io.imsave(out + "/lfw0.png", up(0, 300), check_contrast=False)
io.imsave(out + "/group.png", np.hstack([up(0, 200), up(1, 200), up(50, 200)]), check_contrast=False)
EOF

# shot OUT PICTURE FILTER: 4 s of 640x360 at 25 fps from a still picture
shot() {
	"$FFMPEG" -nostdin -v error -loop 1 -framerate 25 -t 4 -i "$2" -vf "$3,format=yuv420p" \
		-c:v libx264 -threads:v 1 -preset veryfast -crf 20 -an -y "$work/$1.mp4"
}
# movie OUT SHOT...: the shots one after the other (hard cuts)
movie() {
	out=$1
	shift
	: >"$work/$out.txt"
	for s in "$@"; do echo "file '$work/$s.mp4'" >>"$work/$out.txt"; done
	"$FFMPEG" -nostdin -v error -f concat -safe 0 -i "$work/$out.txt" -c copy -y "$work/$out.mp4"
}
A=$D/astronaut.png
set -e
# astronaut, whole portrait, panning down (a face, not a close-up)
shot wide "$A" "scale=-2:400,crop=400:360:0:'20*t/4',pad=640:360:120:0"
shot coffee "$D/coffee.png" "scale=640:-2,crop=640:360:0:'40*t/4'"
# a tight crop of the astronaut's face, panning right (close-up, smiling)
shot close "$A" "crop=320:180:'63+10*t/4':30,scale=640:360"
shot chelsea "$D/chelsea.png" "scale=640:-2,crop=640:360:0:'20*t/4'"
shot group "$work/group.png" "pad=640:360:20:80"
# the cameraman is in profile: the frontal cascade does not see him
shot camera "$D/camera.png" "scale=-2:360,pad=640:360:140:0"
shot other "$work/lfw0.png" "pad=640:360:170:30"
# the astronaut again, framed and moving differently
shot again "$A" "scale=-2:480,crop=480:360:0:'60-40*t/4',pad=640:360:80:0"
movie labels wide coffee close chelsea group camera
movie people wide other again
set +e

# one scene per shot
run() { # MOVIE OUT [ARGS...]
	m=$1 o=$2
	shift 2
	analyze "$work/$m.mp4" --id "$m" --min-scene 1 --scene-sim 1 --quiet -o "$work/$o.json" "$@"
}
check "analyze the labels movie" run labels labels --plot "$work/labels.svg"
check "six scenes, one per shot" py 'len(j(1)["scenes"]) == 6' "$work/labels.json"
has() { # JSON SCENE LABEL: the scene has the label
	py "'$3' in j(1)['scenes'][$2]['labels']" "$1"
}
hasnt() { ! has "$@"; }
L=$work/labels.json
check "scene 0 (astronaut) has faces" has "$L" 0 faces
check "scene 0 (the whole portrait) is not a close-up" hasnt "$L" 0 close-up
check "scene 1 (coffee) has no people" has "$L" 1 no-people
check "scene 2 (the astronaut's face) is a close-up" has "$L" 2 close-up
check "scene 2 (the astronaut's face) has faces" has "$L" 2 faces
check "scene 2: the astronaut smiles" has "$L" 2 smile
check "scene 3 (chelsea the cat) has no people" has "$L" 3 no-people
check "scene 4 (three faces side by side) is a group" has "$L" 4 group
check "scene 4 (three faces) has faces, not no-people" hasnt "$L" 4 no-people
check "scene 5 (a profile, camera.png) has no people (frontal faces only)" has "$L" 5 no-people
check "no scene has both faces and no-people" \
	py 'not any("faces" in s["labels"] and "no-people" in s["labels"] for s in j(1)["scenes"])' "$L"
check "features: faces, face_share and smile per scene" \
	py 'all(isinstance(f["faces"], int) and 0 <= f["face_share"] <= 1 and 0 <= f["smile"] <= 1 for f in j(1)["features"])' "$L"
check "features: one face in scene 0, three in scene 4, none in scene 1" \
	py 'f = j(1)["features"]; f[0]["faces"] == 1 and f[4]["faces"] >= 3 and f[1]["faces"] == 0' "$L"
check "features: the close-up's face is larger than the portrait's" \
	py 'f = j(1)["features"]; f[2]["face_share"] > 2 * f[0]["face_share"]' "$L"
check "--plot draws a faces lane" grep -q '>faces</text>' "$work/labels.svg"

check "analyze the people movie" run people people --plot "$work/people.svg"
check "--plot: the faces lane names the people of the scenes (P1, P2)" \
	py 'import re; t = open(sys.argv[1]).read(); set(re.findall(r">(P[0-9]+)</text>", t)) == {"P1", "P2"}' "$work/people.svg"
P=$work/people.json
persons() { # JSON SCENE -> the person:N labels of the scene, one line
	"$PYTHON" -c 'import json, sys; print(" ".join(l for l in json.load(open(sys.argv[1]))["scenes"][int(sys.argv[2])]["labels"] if l.startswith("person:")))' "$1" "$2"
}
p0=$(persons "$P" 0)
p1=$(persons "$P" 1)
p2=$(persons "$P" 2)
echo "# people: scene 0 [$p0], scene 1 [$p1], scene 2 [$p2]"
check "scene 0 (astronaut) is person:1 (first seen)" test "$p0" = person:1
check "scene 1 (another face) is person:2" test "$p1" = person:2
check "scene 2 (the astronaut again) is person:1 again" test "$p2" = person:1

check "--faces off" run people off --faces off
check "--faces off: no face labels or features" \
	py 'not any(l in ("faces", "no-people") or l.startswith("person:") for s in j(1)["scenes"] for l in s["labels"]) and not any("faces" in f for f in j(1)["features"])' "$work/off.json"

# bad input: a missing cascade directory with --faces on
analyze "$work/people.mp4" --id x --faces on --cascades "$work/nowhere" -o "$work/bad.json" \
	--plot "$work/bad.svg" >"$work/out" 2>"$work/err"
rc=$?
check "--faces on with a missing cascade directory fails" test "$rc" -ne 0
check "... saying which cascade file is missing" grep -q "nowhere/haarcascade_frontalface_alt2.xml" "$work/err"
check "... and writes no output file" test ! -e "$work/bad.json" -a ! -e "$work/bad.svg"
analyze "$work/people.mp4" --id x --faces maybe >"$work/out" 2>"$work/err"
rc=$?
check "--faces maybe is a usage error (2)" test "$rc" -eq 2
finish
