#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Scene taste (issue 10) through recutd: a viewer who mostly skips the
# intense scenes of four movies, with some actions the other way, gets a
# calmer highlights cut of a fifth than a viewer without history -- and no
# scene of any movie carries a label, so only the learned taste for arousal
# and pace (lib/core/taste.h) can make the difference.  The taste is kept in
# the viewer's nb hash as a few x: fields, and a restarted recutd (empty
# cache) gives the same cut from Redis.  The profile shows the taste.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli curl python3

h_start_redis
H_NO_KAFKA=1 h_write_config "$H_TMP/recutd.conf"
h_start_recutd "$H_TMP/recutd.conf"

# Five unlabelled movies of 24 scenes: intense ones (arousal ~0.9, fast
# cutting) and calm ones (~0.15, slow) in a fixed shuffled order, with
# lengths of 8..15 s; features[] as recut-analyze writes them.
"$SYS_PYTHON3" - "$H_TMP" <<'PY'
import json, random, sys
rnd = random.Random(10)
for m in range(1, 6):
    scenes, feats, t = [], [], 0.0
    for i in range(24):
        intense = rnd.random() < 0.5
        d = float(rnd.randint(8, 15))
        a = round(rnd.uniform(0.82, 0.97) if intense else rnd.uniform(0.08, 0.22), 3)
        scenes.append({"start": t, "end": t + d, "arousal": a,
                       "valence": round(rnd.uniform(-0.3, 0.3), 3)})
        feats.append({"cut_rate": round(rnd.uniform(0.8, 1.2) if intense else
                                        rnd.uniform(0.1, 0.25), 3),
                      "motion": 0.5 if intense else 0.05})
        t += d
    doc = {"id": "m%d" % m, "title": "Movie %d" % m, "duration": t,
           "genres": ["Drama"], "scenes": scenes, "features": feats}
    with open("%s/m%d.json" % (sys.argv[1], m), "w") as f:
        json.dump(doc, f)
PY
for m in 1 2 3 4 5; do
    h_http PUT "/v1/movies/m$m" "$H_TMP/m$m.json"
    case $H_STATUS in 2??) ;; *) h_fail "PUT m$m: $H_STATUS $(head -c 300 "$H_BODY")" ;; esac
done

# the calm viewer's actions on movies 1-4: skip intense scenes, rewatch or
# like calm ones; one action in five the other way (noise)
read -r n_events w_events < <("$SYS_PYTHON3" - "$H_TMP" <<'PY'
import json, sys
# [weights] defaults: skip -1, like 2, rewatch 1.5
weight = {"skip": 1.0, "like": 2.0, "rewatch": 1.5}
ts, n, w, out = 1700000000000, 0, 0.0, []
for m in range(1, 5):
    doc = json.load(open("%s/m%d.json" % (sys.argv[1], m)))
    for i, s in enumerate(doc["scenes"]):
        intense = s["arousal"] > 0.5
        if (i + m) % 5 == 0:
            intense = not intense
        kind = "skip" if intense else ("like" if i % 3 == 0 else "rewatch")
        ts += 1000
        n += 1
        w += weight[kind]
        out.append(json.dumps({"user": "calm", "type": kind, "ts": ts, "movie": "m%d" % m,
                               "scene": i, "id": "st-%d" % n}))
open("%s/ev.json" % sys.argv[1], "w").write("\n".join(out) + "\n")
print(n, w)
PY
)

mean_arousal() { # CUT.json MOVIE.json
    "$SYS_PYTHON3" - "$1" "$2" <<'PY'
import json, sys
cut, movie = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
kept = [movie["scenes"][s["index"]] for s in cut["scenes"]]
d = sum(s["end"] - s["start"] for s in kept)
print("%.4f" % (sum(s["arousal"] * (s["end"] - s["start"]) for s in kept) / d if d else -1))
PY
}

cut_query="budget=80&editor=highlights"

case_learn() {
    h_http POST /v1/events "$H_TMP/ev.json"
    h_assert_eq "$H_STATUS" 200 "POST /v1/events" || return 1
    h_wait_metric recut_events_applied_total "$n_events" ||
        { h_check_failed "events not applied"; return 1; }
}

case_calmer_cut() {
    h_http GET "/v1/users/calm/cuts/m5?$cut_query"
    h_assert_eq "$H_STATUS" 200 "cut of m5 for the calm viewer" || return 1
    cp "$H_BODY" "$H_TMP/calm.json"
    h_http GET "/v1/users/newcomer/cuts/m5?$cut_query"
    h_assert_eq "$H_STATUS" 200 "cut of m5 for a viewer without history" || return 1
    cp "$H_BODY" "$H_TMP/generic.json"
    local a_calm a_gen
    a_calm=$(mean_arousal "$H_TMP/calm.json" "$H_TMP/m5.json")
    a_gen=$(mean_arousal "$H_TMP/generic.json" "$H_TMP/m5.json")
    h_log "mean arousal of the kept scenes: calm viewer $a_calm, generic $a_gen"
    h_assert_true "calm viewer's cut ($a_calm) calmer than the generic one ($a_gen) by 0.2" \
        awk -v a="$a_calm" -v b="$a_gen" 'BEGIN { exit !(a >= 0 && a + 0.2 < b) }'
}

case_stored_compactly() {
    local n
    n=$(h_viewer 'calm' nb | grep -c '^x:')
    h_log "taste fields in recut:{u:calm}:nb: $n"
    h_assert_true "taste fields stored (1..27, got $n)" test "$n" -ge 1 -a "$n" -le 27 || return 1
    # x:A00 sums the actions' weights; only present dimensions are written
    # (no faces, no speech in these movies: no x:..4/x:..5 field)
    h_assert_true "x:A00 is the actions' total weight $w_events" \
        awk -v a="$(h_viewer 'calm' nb x:A00)" -v w="$w_events" \
        'BEGIN { exit !(a - w < 1e-9 && w - a < 1e-9) }' || return 1
    h_assert_eq "$(h_viewer 'calm' nb | grep -c '^x:.*[45]')" 0 \
        "fields of absent dimensions (faces, speech)"
}

case_profile() {
    h_http GET /v1/users/calm/profile
    h_assert_eq "$H_STATUS" 200 "profile of the calm viewer" || return 1
    h_log "scene_taste: $(h_json "$H_BODY" 'd["scene_taste"]')"
    h_assert_eq "$(h_json "$H_BODY" 'sorted(d["scene_taste"])')" \
        '["arousal", "faces", "pace", "speech", "valence", "weight"]' "scene_taste keys" || return 1
    h_assert_eq "$(h_json "$H_BODY" '(d["scene_taste"]["arousal"] < 0 and
        abs(d["scene_taste"]["weight"] - '"$w_events"') < 1e-9 and
        d["scene_taste"]["faces"] == 0 and d["scene_taste"]["speech"] == 0)')" true \
        "a negative arousal weight, on all the actions, nothing on absent dimensions"
}

case_restart_same_cut() {
    h_stop_recutd
    h_start_recutd "$H_TMP/recutd.conf"
    h_http GET "/v1/users/calm/cuts/m5?$cut_query"
    h_assert_eq "$H_STATUS" 200 "cut of m5 after a restart" || return 1
    h_assert_eq "$(h_json "$H_BODY" '[s["index"] for s in d["scenes"]]')" \
        "$(h_json "$H_TMP/calm.json" '[s["index"] for s in d["scenes"]]')" \
        "the calm viewer's cut after a restart (taste read back from Redis)"
}

h_case "scene actions on four movies are applied" case_learn
h_case "the calm viewer gets a calmer cut of a fifth movie" case_calmer_cut
h_case "the taste is a few x: fields of the nb hash" case_stored_compactly
h_case "the profile shows the learned scene taste" case_profile
h_case "a restarted recutd gives the same cut" case_restart_same_cut
h_done
