#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# People in cuts: recut-analyze labels each scene with the people in it
# (person:N, recut-analyze(1)), and recutd needs nothing new for them: a
# rewatch of a scene teaches the viewer's model that scene's labels, and a
# cut scores scenes by their labels.  So a viewer who rewatches the scenes
# of one person in one movie gets more of that person in the cut of the
# next; a viewer who rewatches the other person's scenes gets fewer.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli kcat curl python3
h_require_mockkafka

h_start_redis
h_start_kafka recut.events recut.catalog recut.published recut.deadletter
h_write_config "$H_TMP/recutd.conf"
h_start_recutd "$H_TMP/recutd.conf"

# Two movies as recut-analyze writes them: 60 s scenes; in m1 person:1 and
# person:2 take turns; in m2 person:1 is in every third scene, person:2 in
# the next one, the third has nobody.  Affect is the same everywhere, so
# only the labels tell the scenes apart.
"$SYS_PYTHON3" - "$H_TMP" <<'EOF'
import json, sys
t = sys.argv[1]
def movie(mid, labels):
    scenes = [{"start": 60.0 * i, "end": 60.0 * (i + 1), "labels": l,
               "arousal": 0.5, "valence": 0.0} for i, l in enumerate(labels)]
    json.dump({"id": mid, "title": mid, "duration": 60.0 * len(labels), "genres": ["Drama"],
               "scenes": scenes}, open("%s/%s.json" % (t, mid), "w"))
p1, p2, nobody = ["faces", "person:1"], ["faces", "close-up", "person:2"], ["no-people"]
movie("m1", [p1 if i % 2 == 0 else p2 for i in range(10)])
movie("m2", [[p1, p2, nobody][i % 3] for i in range(21)])
EOF
for m in m1 m2; do
    h_http PUT "/v1/movies/$m" "$H_TMP/$m.json"
    h_assert_eq "$H_STATUS" 200 "PUT /v1/movies/$m" >/dev/null || h_fail "cannot store $m"
done

# u1 rewatches the person:1 scenes of m1 (even scenes), u2 the person:2 ones
{
    for i in 0 2 4 6 8; do h_event u1 rewatch m1 "u1-$i" "\"scene\":$i"; done
    for i in 1 3 5 7 9; do h_event u2 rewatch m1 "u2-$i" "\"scene\":$i"; done
} >"$H_TMP/events.json"

# person:1 scenes of m2 in USER's cut (scene index % 3 == 0)
person1_in_cut() { # USER
    h_http GET "/v1/users/$1/cuts/m2?budget=420&editor=highlights" || return 1
    [ "$H_STATUS" = 200 ] || { echo "status $H_STATUS"; return 1; }
    h_json "$H_BODY" 'sum(1 for s in d["scenes"] if round(s["start"] / 60) % 3 == 0)'
}

case_rewatches_apply() {
    h_http POST /v1/events "$H_TMP/events.json"
    h_assert_eq "$H_STATUS" 200 "POST /v1/events" || return 1
    h_wait_metric recut_events_applied_total 10 || { h_check_failed "events not applied"; return 1; }
}

case_person_in_cut() {
    local a b
    a=$(person1_in_cut u1) || { h_check_failed "cut of u1: $a"; return 1; }
    b=$(person1_in_cut u2) || { h_check_failed "cut of u2: $b"; return 1; }
    h_log "person:1 scenes in a 7-scene cut of m2: u1 $a, u2 $b (of 7)"
    # 7 person:1 scenes in m2, 7 scenes in the budget
    h_assert_true "u1 (rewatched person:1) gets at least 6 of the 7 person:1 scenes" \
        [ "$a" -ge 6 ] || return 1
    h_assert_true "u2 (rewatched person:2) gets fewer person:1 scenes than u1" [ "$b" -lt "$a" ]
}

h_case "scene rewatches are applied" case_rewatches_apply
h_case "rewatching a person's scenes brings more of that person into a cut" case_person_in_cut
h_done
