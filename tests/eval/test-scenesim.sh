#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test-scenesim.sh -- recut-eval --scene-sim (make check): over the simulated
# population the personal cut of the fifth movie is worth more to the
# viewers than the generic one and than the label-only one, never more than
# the oracle, and the viewers who skip intense scenes get calmer cuts than
# the generic one; seeds give their own figures and the same seed the same.
# Environment (set by tests/eval/Makefile.am): RECUT_EVAL, SYS_PYTHON3.
NAME=test-scenesim
. "${srcdir:-.}/eval-lib.sh"

for seed in 1 7; do
    if ! "$RECUT_EVAL" --scene-sim --json --seed "$seed" >"$tmp/s$seed.json" 2>"$tmp/err"; then
        fail "seed $seed: exit status $?: $(cat "$tmp/err")"
        continue
    fi
    r=$(json "$tmp/s$seed.json" '(d["viewers"] > 0 and
        d["personal"]["utility"] > d["generic"]["utility"] and
        d["personal"]["utility"] > d["labels"]["utility"] and
        d["oracle"]["utility"] >= d["personal"]["utility"] and
        d["oracle"]["ratio"] == 1 and d["personal_beats_generic"] > 0.5)')
    [ "$r" = true ] && ok "seed $seed: personal beats generic and labels on average, not the oracle" ||
        fail "seed $seed: utilities $(cat "$tmp/s$seed.json")"
    r=$(json "$tmp/s$seed.json" '(d["skips_intense"]["viewers"] > 0 and
        d["skips_intense"]["theta_arousal"] < 0 and
        d["skips_intense"]["arousal_personal"] < d["skips_intense"]["arousal_generic"] and
        d["skips_intense"]["arousal_personal"] < d["skips_intense"]["arousal_labels"])')
    [ "$r" = true ] && ok "seed $seed: viewers who skip intense scenes get calmer cuts" ||
        fail "seed $seed: skips_intense $(cat "$tmp/s$seed.json")"
done
"$RECUT_EVAL" --scene-sim --json --seed 1 >"$tmp/again.json" 2>/dev/null
cmp -s "$tmp/s1.json" "$tmp/again.json" && ok "the same seed gives the same figures" ||
    fail "seed 1 twice differs"
cmp -s "$tmp/s1.json" "$tmp/s7.json" && fail "seeds 1 and 7 give the same figures" ||
    ok "another seed, other figures"

# more noise: still better than generic, less than with less noise
if "$RECUT_EVAL" --scene-sim --json --flip 0.4 >"$tmp/f40.json" 2>"$tmp/err"; then
    r=$(json "$tmp/f40.json" '(d["flip"] == 0.4 and
        d["personal"]["utility"] > d["generic"]["utility"])')
    [ "$r" = true ] && ok "--flip 0.4: personal still beats generic" || fail "--flip 0.4: $(cat "$tmp/f40.json")"
    r=$("$SYS_PYTHON3" -c 'import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
print(a["personal"]["ratio"] > b["personal"]["ratio"])' "$tmp/s1.json" "$tmp/f40.json")
    [ "$r" = True ] && ok "more flipped actions, a worse personal cut" || fail "flip 0.25 vs 0.4"
else
    fail "--flip 0.4: $(cat "$tmp/err")"
fi
for bad in 0.5 -0.1 x; do
    if "$RECUT_EVAL" --scene-sim --flip "$bad" >/dev/null 2>"$tmp/err"; then
        fail "--flip $bad accepted"
    else
        grep -q -- "--flip must be" "$tmp/err" && ok "--flip $bad refused" || fail "--flip $bad: $(cat "$tmp/err")"
    fi
done
"$RECUT_EVAL" --flip 0.1 "$tmp" >/dev/null 2>"$tmp/err" && fail "--flip without --scene-sim accepted" ||
    { grep -q "needs --scene-sim" "$tmp/err" && ok "--flip needs --scene-sim" || fail "$(cat "$tmp/err")"; }

# the table form names every cut
if "$RECUT_EVAL" --scene-sim >"$tmp/table" 2>"$tmp/err"; then
    for m in generic labels personal oracle; do
        grep -q "^$m " "$tmp/table" || fail "table has no row $m"
    done
    ok "table rows"
else
    fail "table: $(cat "$tmp/err")"
fi
# a MovieLens directory makes no sense with it
if "$RECUT_EVAL" --scene-sim "$tmp" >/dev/null 2>"$tmp/err"; then
    fail "--scene-sim with a directory succeeded"
else
    grep -q usage "$tmp/err" && ok "--scene-sim with a directory: usage" ||
        fail "no usage message: $(cat "$tmp/err")"
fi
[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
exit 0
