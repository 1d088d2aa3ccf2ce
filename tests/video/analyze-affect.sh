#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Affect model: a dim, static, quiet half and a loud half of fast cuts and
# motion must come out calm and aroused, in that order; --plot draws it.
. "${srcdir:-.}/video-lib.sh"

cat > "$work/cut.json" <<'JSON'
{"viewer":"u1","movie":"affect","editor":"highlights","budget":6.0,"duration":6.0,"score":0.8,
 "scenes":[{"index":0,"start":2.0,"end":5.0},{"index":1,"start":14.0,"end":17.0}]}
JSON
analyze "$MEDIA/affect.mp4" --id affect -o "$work/affect.json" --plot "$work/t.svg" \
	--cut "$work/cut.json" --quiet
check "analyze affect.mp4" "$PYTHON" "$srcdir/video-check.py" "$work/affect.json"
check "more than one scene" py 'len(j(1)["scenes"]) >= 2' "$work/affect.json"
check "calm half less aroused than the busy half" py '
s = j(1)["scenes"]
s[0]["arousal"] + 0.2 < s[-1]["arousal"]' "$work/affect.json"
check "labels: calm / dark / quiet first, action / loud last" py '
s = j(1)["scenes"]
{"calm", "dark", "quiet"} <= set(s[0]["labels"]) and {"action", "loud"} <= set(s[-1]["labels"])' \
	"$work/affect.json"
check "emotion: calm dominates first, tension or joy last" py '
s = j(1)["scenes"]
(max(s[0]["emotion"], key=s[0]["emotion"].get) in ("calm", "sadness") and
max(s[-1]["emotion"], key=s[-1]["emotion"].get) in ("tension", "joy"))' "$work/affect.json"
check "busy half: higher loudness, motion and cut rate" py '
f = j(1)["features"]
(f[-1]["loudness"] > f[0]["loudness"] + 20 and f[-1]["motion"] > f[0]["motion"] and
f[-1]["cut_rate"] > f[0]["cut_rate"])' "$work/affect.json"

check "SVG is well-formed XML" "$PYTHON" -c "import xml.etree.ElementTree as E; E.parse('$work/t.svg')"
check "SVG has both curves and the cut's two scenes" py '
import xml.etree.ElementTree as E
ns = "{http://www.w3.org/2000/svg}"
r = E.parse(sys.argv[1]).getroot()
lines = r.findall(f".//{ns}polyline")
hl = [x for x in r.iter(f"{ns}rect") if x.get("fill") == "#ffb000" and x.get("height") != "12"]
len(lines) == 2 and len(hl) == 2 and all(len(p.get("points").split()) >= 20 for p in lines)' "$work/t.svg"

echo '{"scenes": [{"start": "x"}]}' > "$work/badcut.json"
analyze "$MEDIA/affect.mp4" --id affect -o "$work/a2.json" --plot "$work/t2.svg" \
	--cut "$work/badcut.json" --quiet 2> "$work/err"
check "bad --cut: non-zero exit" test $? -ne 0
check "bad --cut: no SVG, no JSON" test ! -e "$work/t2.svg" -a ! -e "$work/a2.json"

# loudness is calibrated: a 1 kHz sine at -20 dBFS in both channels is -20 LUFS
analyze "$MEDIA/tone.mp4" --id tone -o "$work/tone.json" --quiet
check "BS.1770 loudness of a -20 dBFS 1 kHz tone is -20 LUFS (+-0.5)" py '
f = j(1)["features"]
all(abs(x["loudness"] + 20) <= 0.5 and x["loudness_var"] < 0.5 for x in f)' "$work/tone.json"
finish
