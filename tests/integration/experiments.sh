#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A/B experiments end to end ([experiment.NAME], daemon/experiments.c): a
# live recutd with two experiments serves viewers, a seeded simulated
# audience likes what it was shown (more often in arm b of "ab", alike in
# both arms of the A/A "aa"), and GET /v1/experiments must count exactly
# the exposures and outcomes sent, find b better than a with a small p, and
# find no difference between the A/A arms.  Answers carry the arms,
# exposure records reach the topic, assignment survives a restart, /metrics
# has the counters, a bad section stops recutd (and a reload) with
# FILE:LINE, and published lists carry the arms too.
. "$srcdir/helpers/harness.sh"

NV=240 # viewers
h_require_tools redis-server redis-cli kcat curl python3
h_require_mockkafka
h_start_redis
h_start_kafka recut.events:2 recut.catalog recut.published recut.deadletter recut.exposures
CONF=$H_TMP/recutd.conf
h_write_config "$CONF"
# published lists are served lists too (exposures): none here, so the
# counts are exactly the audience's
cat >>"$CONF" <<'EOF'

[publish]
recommendations = no

[experiment]
exposure_topic = recut.exposures

[experiment.ab]
arms = a:50, b:50
salt = test-1
window_s = 3600
b.models.blend_popularity = 0.1
b.cuts.editor = trailer

[experiment.aa]
arms = x:50, y:50
salt = aa-1
EOF
sed -i 's/^load = highlights,redis,kafka$/load = highlights,trailer,redis,kafka/' "$CONF"
h_start_recutd "$CONF"
for i in $(seq 1 12); do
    h_put_movie "m$i" 1200 6 "G$((i % 3))"
done

# The audience: every viewer gets 5 recommendations, likes each with p 0.2
# in arm a and 0.5 in arm b of "ab" (whatever its "aa" arm), skips some of
# the rest, and views one movie it was never shown (no outcome).  Writes
# the events to post and the counts GET /v1/experiments must show.
cat >"$H_TMP/audience.py" <<'EOF'
import json, random, sys, urllib.request
port, nv, tmp = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rnd = random.Random(20261206)
exp = {"ab": {}, "aa": {}}
def add(x, arm, k, n=1):
    exp[x].setdefault(arm, {"exposures": 0, "conversions": 0, "negatives": 0})[k] += n
arms, lines, ts = {}, [], 1700000000000
for v in range(nv):
    user = "v%d" % v
    with urllib.request.urlopen("http://127.0.0.1:%d/v1/users/%s/recommendations?n=5" % (port, user)) as r:
        d = json.load(r)
    tags = {t["name"]: t["arm"] for t in d["experiments"]}
    arms[user] = tags
    items = [i["movie"] for i in d["items"]]
    assert len(items) == 5, d
    for x in ("ab", "aa"):
        add(x, tags[x], "exposures", len(items))
    p = 0.5 if tags["ab"] == "b" else 0.2
    for m in items:
        ts += 1000
        if rnd.random() < p:
            lines.append({"user": user, "type": "like", "movie": m, "ts": ts})
            for x in ("ab", "aa"):
                add(x, tags[x], "conversions")
        elif rnd.random() < 0.3:
            lines.append({"user": user, "type": "skip", "movie": m, "ts": ts})
            for x in ("ab", "aa"):
                add(x, tags[x], "negatives")
    unseen = [("m%d" % i) for i in range(1, 13) if "m%d" % i not in items]
    lines.append({"user": user, "type": "view", "movie": rnd.choice(unseen), "ts": ts + 500})
with open(tmp + "/events.ndjson", "w") as f:
    for l in lines:
        f.write(json.dumps(l) + "\n")
json.dump({"expected": exp, "arms": arms}, open(tmp + "/expected.json", "w"))
EOF
"$SYS_PYTHON3" "$H_TMP/audience.py" "$H_HTTP_PORT" "$NV" "$H_TMP" || h_fail "the audience failed"
h_http POST /v1/events "$H_TMP/events.ndjson"
[ "$H_STATUS" = 200 ] || h_fail "POST /v1/events answered $H_STATUS: $(head -c 300 "$H_BODY")"

# GET /v1/experiments as {experiment: {arm: counts}}
counts_now() {
    h_http GET /v1/experiments
    [ "$H_STATUS" = 200 ] || return 1
    h_json "$H_BODY" '{x["name"]: {a["name"]: {k: a[k] for k in ("exposures", "conversions", "negatives")} for a in x["arms"]} for x in d["experiments"]}'
}
expected=$(h_json "$H_TMP/expected.json" 'd["expected"]')
counts_settled() { [ "$(counts_now)" = "$expected" ]; }

case_counts() {
    h_wait_for "$H_TIMEOUT" "the counts of GET /v1/experiments" counts_settled ||
        h_check_failed "counts $(counts_now), expected $expected" || return 1
    h_log "counts: $expected"
}

case_ab_significant() {
    h_http GET /v1/experiments
    h_assert_eq "$H_STATUS" 200 "GET /v1/experiments" || return 1
    cp "$H_BODY" "$H_TMP/report.json"
    local c
    c=$(h_json "$H_TMP/report.json" '[x["comparisons"][0] for x in d["experiments"] if x["name"] == "ab"][0]')
    h_log "ab: $c"
    h_assert_true "b vs a, diff > 0 with p < 0.001 and a CI above 0" h_json_true "$H_TMP/report.json" \
        '[c for x in d["experiments"] if x["name"] == "ab" for c in x["comparisons"] if c["arm"] == "b" and c["vs"] == "a" and c["diff"] > 0 and c["p"] < 0.001 and c["ci"][0] > 0 and c["z"] > 3]'
    # each arm's rate inside its own interval, the shares as configured
    h_assert_true "rates within their Wilson intervals" h_json_true "$H_TMP/report.json" \
        'all(a["ci"][0] <= a["rate"] <= a["ci"][1] and a["share"] == 50 for x in d["experiments"] for a in x["arms"])'
}

case_aa_not_significant() {
    local c
    c=$(h_json "$H_TMP/report.json" '[x["comparisons"][0] for x in d["experiments"] if x["name"] == "aa"][0]')
    h_log "aa: $c"
    h_assert_true "A/A: y vs x, p > 0.05 and a CI holding 0" h_json_true "$H_TMP/report.json" \
        '[c for x in d["experiments"] if x["name"] == "aa" for c in x["comparisons"] if c["p"] > 0.05 and c["ci"][0] < 0 < c["ci"][1]]'
}

h_json_true() { [ "$(h_json "$1" "bool($2)")" = true ]; }

case_answers_carry_arms() {
    h_http GET "/v1/users/v1/recommendations?n=3"
    h_assert_eq "$H_STATUS" 200 "recommendations" || return 1
    local want got
    want=$(h_json "$H_TMP/expected.json" 'sorted([[k, v] for k, v in d["arms"]["v1"].items()])')
    got=$(h_json "$H_BODY" 'sorted([[t["name"], t["arm"]] for t in d["experiments"]])')
    h_assert_eq "$got" "$want" "arms of v1 in the recommendations" || return 1
    # a cut: the arm's editor by default (b: trailer), and the arms
    local vb
    vb=$(h_json "$H_TMP/expected.json" '[u for u, t in sorted(d["arms"].items()) if t["ab"] == "b"][0]')
    h_http GET "/v1/users/$vb/cuts/m2?budget=300"
    h_assert_eq "$H_STATUS" 200 "cut of $vb" || return 1
    h_assert_eq "$(h_json "$H_BODY" 'd["editor"]')" trailer "the b arm's editor" || return 1
    h_assert_eq "$(h_json "$H_BODY" '[t["arm"] for t in d["experiments"] if t["name"] == "ab"][0]')" b \
        "the cut's ab arm" || return 1
    local va
    va=$(h_json "$H_TMP/expected.json" '[u for u, t in sorted(d["arms"].items()) if t["ab"] == "a"][0]')
    h_http GET "/v1/users/$va/cuts/m2?budget=300"
    h_assert_eq "$(h_json "$H_BODY" 'd["editor"]')" highlights "the a arm's editor" || return 1
    # an explicit editor still wins
    h_http GET "/v1/users/$vb/cuts/m2?budget=300&editor=highlights"
    h_assert_eq "$(h_json "$H_BODY" 'd["editor"]')" highlights "editor= over the arm" || return 1
}

case_exposure_records() {
    # one record per served list and experiment: 2 x NV lists, plus the cuts
    exposures_there() { [ "$(h_topic_count recut.exposures)" -ge $((2 * NV)) ]; }
    h_wait_for "$H_TIMEOUT" "exposure records" exposures_there ||
        h_check_failed "$(h_topic_count recut.exposures) exposure records, wanted >= $((2 * NV))" || return 1
    h_consume recut.exposures "$H_TMP/exposures.txt" '%s\n'
    "$SYS_PYTHON3" - "$H_TMP/exposures.txt" "$H_TMP/expected.json" <<'EOF' || h_check_failed "exposure records"
import json, sys
arms = json.load(open(sys.argv[2]))["arms"]
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
lists = [r for r in recs if r["kind"] == "recommendations" and r["viewer"] in arms]
assert len([r for r in lists if r["experiment"] == "ab"]) >= len(arms), len(lists)
for r in recs:
    assert set(r) >= {"viewer", "experiment", "arm", "kind", "items", "ts"}, r
    assert r["arm"] == arms[r["viewer"]][r["experiment"]], r
cuts = [r for r in recs if r["kind"] == "cut"]
assert cuts and all(r["items"] == ["m2"] and isinstance(r["scenes"], list) for r in cuts), cuts
EOF
}

case_metrics() {
    local n
    n=$(h_metric 'recut_experiment_exposures_total{experiment="ab",arm="b"}')
    h_assert_eq "$n" "$(h_json "$H_TMP/expected.json" 'd["expected"]["ab"]["b"]["exposures"]')" \
        "exposures of ab/b in /metrics" || return 1
    n=$(h_metric 'recut_experiment_conversions_total{experiment="aa",arm="x"}')
    h_assert_eq "$n" "$(h_json "$H_TMP/expected.json" 'd["expected"]["aa"]["x"]["conversions"]')" \
        "conversions of aa/x in /metrics" || return 1
    h_assert_true "the xp hash expires with the window" \
        test "$(h_redis TTL 'recut:{u:v1}:xp')" -gt 3000
}

case_restart() {
    local before u want got
    before=$(counts_now)
    h_stop_recutd
    h_start_recutd "$CONF"
    # the counts live in Redis: the same after the restart
    h_assert_eq "$(counts_now)" "$before" "the counts after a restart" || return 1
    for u in v0 v7 v42 v199; do
        want=$(h_json "$H_TMP/expected.json" "sorted([[k, v] for k, v in d['arms']['$u'].items()])")
        h_http GET "/v1/users/$u/recommendations?n=2"
        got=$(h_json "$H_BODY" 'sorted([[t["name"], t["arm"]] for t in d["experiments"]])')
        h_assert_eq "$got" "$want" "arms of $u after a restart" || return 1
    done
}

case_forget() {
    h_http DELETE /v1/users/v3
    h_assert_eq "$H_STATUS" 200 "DELETE v3" || return 1
    h_assert_eq "$(h_redis EXISTS 'recut:{u:v3}:xp')" 0 "v3's exposures erased"
}

case_bad_config() {
    cp "$CONF" "$H_TMP/bad.conf"
    printf '\n[experiment.bad]\narms = a:60, b:30\n' >>"$H_TMP/bad.conf"
    local line
    line=$(wc -l <"$H_TMP/bad.conf")
    "$H_RECUTD" -t -c "$H_TMP/bad.conf" >/dev/null 2>"$H_TMP/bad.err"
    h_assert_true "shares summing to 90: $H_TMP/bad.conf:$line" grep -q "bad.conf:$line: arms: the shares sum to 90" "$H_TMP/bad.err" || return 1
    cp "$CONF" "$H_TMP/bad.conf"
    printf '\n[experiment.bad]\narms = a:50, b:50\nb.models.alpha = 2\n' >>"$H_TMP/bad.conf"
    line=$(wc -l <"$H_TMP/bad.conf")
    "$H_RECUTD" -t -c "$H_TMP/bad.conf" >/dev/null 2>"$H_TMP/bad.err"
    h_assert_true "an override that is not allowed: line $line" grep -q "bad.conf:$line: models.alpha cannot be overridden" "$H_TMP/bad.err"
}

case_reload() {
    local n
    cp "$CONF" "$H_TMP/conf.bak"
    printf '\n[experiment.more]\narms = p:50, q:60\n' >>"$CONF"
    kill -HUP "$H_RECUTD_PID"
    h_wait_for 20 "the reload refused" grep -q "reload refused.*arms: the shares sum to 110" "$H_RECUTD_LOG" ||
        { cp "$H_TMP/conf.bak" "$CONF"; h_check_failed "a bad experiment did not refuse the reload"; return 1; }
    cp "$H_TMP/conf.bak" "$CONF"
    printf '\n[experiment.more]\narms = p:50, q:50\n' >>"$CONF"
    n=$(h_metric recut_reloads_total)
    kill -HUP "$H_RECUTD_PID"
    h_wait_metric recut_reloads_total $((n + 1)) || { cp "$H_TMP/conf.bak" "$CONF"; return 1; }
    cp "$H_TMP/conf.bak" "$CONF"
    h_http GET /v1/experiments
    h_assert_eq "$(h_json "$H_BODY" '[x["name"] for x in d["experiments"]]')" '["ab", "aa"]' \
        "the running experiments after a reload"
}

case_published_lists() {
    h_stop_recutd
    h_start_recutd "$CONF" --set publish.recommendations=yes
    h_http_body POST /v1/events "$(h_event v5 like m1 pub-1)"
    h_assert_eq "$H_STATUS" 200 "an event of v5" || return 1
    recs_there() { [ -n "$(h_redis GET 'recut:{u:v5}:recs')" ]; }
    h_wait_for "$H_TIMEOUT" "v5's published recommendations" recs_there ||
        { h_check_failed "nothing published for v5"; return 1; }
    h_redis GET 'recut:{u:v5}:recs' >"$H_TMP/recs.json"
    local want got
    want=$(h_json "$H_TMP/expected.json" 'sorted([[k, v] for k, v in d["arms"]["v5"].items()])')
    got=$(h_json "$H_TMP/recs.json" 'sorted([[t["name"], t["arm"]] for t in d["experiments"]])')
    h_assert_eq "$got" "$want" "arms of v5 in the published list"
}

case_none_configured() {
    h_stop_recutd
    h_write_config "$H_TMP/plain.conf"
    h_start_recutd "$H_TMP/plain.conf"
    h_http GET /v1/experiments
    h_assert_eq "$H_STATUS" 404 "GET /v1/experiments without experiments" || return 1
    h_assert_true "a JSON error" h_json_true "$H_BODY" '"experiment" in d["error"]' || return 1
    h_http GET "/v1/users/v1/recommendations?n=2"
    h_assert_eq "$(h_json "$H_BODY" '"experiments" in d')" false "no arms in the answer"
}

case_no_kept_answers() {
    local hits
    hits=$(h_metric recut_http_answers_cached_total)
    h_http GET "/v1/users/v1/recommendations?n=3"
    h_http GET "/v1/users/v1/recommendations?n=3"
    h_assert_eq "$(h_metric recut_http_answers_cached_total)" "$hits" \
        "answers given again while an experiment runs"
}

h_case "exposures and outcomes are counted exactly" case_counts
h_case "arm b beats arm a significantly" case_ab_significant
h_case "an A/A split shows no difference" case_aa_not_significant
h_case "/metrics counts by experiment and arm" case_metrics
h_case "no answer is kept while an experiment runs" case_no_kept_answers
h_case "answers carry the arms and use their settings" case_answers_carry_arms
h_case "exposure records reach the topic" case_exposure_records
h_case "assignment and counts survive a restart" case_restart
h_case "erasing a viewer erases their exposures" case_forget
h_case "a bad experiment stops recutd with FILE:LINE" case_bad_config
h_case "a reload checks the sections and keeps the running experiments" case_reload
h_case "published lists carry the arms" case_published_lists
h_case "no experiment: 404 and no arms" case_none_configured
h_done
