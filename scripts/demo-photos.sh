#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The demo's movie, made from real photographs so that its scenes have faces
# or not (recut-analyze's faces and people): python3-skimage's astronaut
# (wide, in a close-up of her face, and closer still), coffee, chelsea the
# cat, three faces of its LFW subset side by side, and the cameraman (a
# profile, which recut-analyze does not see).  Seven shots of 6 s at 480x270,
# 25 fps, stills panned and zoomed with scale and crop, and a tone.
# Usage: scripts/demo-photos.sh OUT.mp4
set -euo pipefail
out=$1
py=/usr/bin/python3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/recut-photos.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
d=$("$py" -c "import os, skimage.data; print(os.path.dirname(skimage.data.__file__))")
"$py" - "$d" "$tmp" <<'PY'
import sys
import numpy as np
from skimage import io, transform
d, out = sys.argv[1], sys.argv[2]
a = np.load(d + "/lfw_subset.npy")
up = [(transform.resize(a[i], (200, 200), order=3) * 255).clip(0, 255).astype("uint8")
      for i in (0, 1, 50)]
io.imsave(out + "/group.png", np.hstack(up), check_contrast=False)
PY
pics=("$d/astronaut.png" "$d/coffee.png" "$d/astronaut.png" "$d/chelsea.png"
      "$tmp/group.png" "$d/astronaut.png" "$d/camera.png")
vf=("scale=-2:300,crop=300:270:0:'20*t/6',pad=480:270:90:0"
    "scale=480:-2,crop=480:270:0:'50*t/6'"
    "crop=320:180:'63+10*t/6':30,scale=480:270"
    "scale=480:-2,crop=480:270:0:'49*t/6'"
    "pad=640:360:20:80,scale=480:270"
    "crop=256:144:'90-10*t/6':50,scale=480:270"
    "scale=-2:270,pad=480:270:105:0")
args=() graph="" cat=""
for i in "${!pics[@]}"; do
  args+=(-loop 1 -framerate 25 -t 6 -i "${pics[$i]}")
  graph+="[$i:v]${vf[$i]},setsar=1,format=yuv420p[v$i];"
  cat+="[v$i]"
done
n=${#pics[@]}
ffmpeg -nostdin -loglevel error -y "${args[@]}" -f lavfi -i "sine=frequency=440:duration=$((6 * n))" \
  -filter_complex "${graph}${cat}concat=n=$n:v=1:a=0[v]" \
  -map "[v]" -map "$n:a" -c:v libx264 -preset veryfast -c:a aac -shortest "$out"
