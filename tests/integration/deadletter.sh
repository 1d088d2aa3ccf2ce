#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Dead letters: 1,000 malformed messages of many kinds mixed among valid
# events.  Every malformed one is produced to the dead-letter topic with its
# original key and bytes (an emotion event's redacted to its metadata:
# lib/core/redact.h, privacy.sh) and a "reason" header, and counted in
# recut_events_dead_letter_total{reason}; every valid event is applied; the
# daemon stays healthy.  Events for a movie the catalog does not hold yet
# are dead-lettered as unknown_movie and apply once replayed after the
# catalog entry arrived.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli kcat curl python3
h_require_mockkafka

N_BAD=1000
N_GOOD=1000

h_start_redis
h_start_kafka recut.events:8 recut.catalog recut.published:2 recut.deadletter:4
h_write_config "$H_TMP/recutd.conf"
h_start_recutd "$H_TMP/recutd.conf"
for m in $(seq 1 20); do h_put_movie "m$m" 1200 6 Drama; done

# Generate the mixed stream (framed: KEY \x1f VALUE \x1e), the expected dead
# letters (key, sha1, length) and the expected per-viewer counts.
"$SYS_PYTHON3" - "$H_TMP" "$N_BAD" "$N_GOOD" <<'EOF' || h_fail "cannot generate test data"
import hashlib, json, random, sys
out, n_bad, n_good = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(20240521)
TS = 1700000000000

def ev(**kw):
    d = {"user": kw.pop("user"), "type": kw.pop("type", "view"), "ts": kw.pop("ts", TS)}
    d.update(kw)
    return d

def js(d):
    return json.dumps(d, separators=(",", ":")).encode()

def without(d, field):
    d = dict(d)
    del d[field]
    return d

# Each kind: function(user) -> payload bytes.  user doubles as the key.
def k_truncated(u): return js(ev(user=u, movie="m1"))[:-7]
def k_garbage(u): return b"not json at all " + u.encode()
def k_trailing_comma(u): return b'{"user":"' + u.encode() + b'","type":"view",}'
def k_single_quotes(u): return b"{'user':'" + u.encode() + b"','type':'view'}"
def k_whitespace(u): return b"   \t  "
def k_array(u): return b'[1,2,"' + u.encode() + b'"]'
def k_string(u): return json.dumps("event of " + u).encode()
def k_number(u): return b"42"
def k_null(u): return b"null"
def k_no_user(u): return js(without(ev(user=u, movie="m1"), "user"))
def k_no_type(u): return js(without(ev(user=u, movie="m1"), "type"))
def k_no_ts(u): return js(without(ev(user=u, movie="m1"), "ts"))
def k_user_number(u): return js(ev(user=12345, movie="m1"))
def k_type_number(u): return js(ev(user=u, type=7, movie="m1"))
def k_ts_string(u): return js(ev(user=u, ts="yesterday", movie="m1"))
def k_ts_float(u): return js(ev(user=u, ts=1.5, movie="m1"))
def k_movie_number(u): return js(ev(user=u, movie=318))
def k_value_string(u): return js(ev(user=u, type="rating", movie="m1", value="high"))
def k_emotion_string(u): return js(ev(user=u, type="emotion", movie="m1", emotion="happy"))
def k_unknown_type(u): return js(ev(user=u, type="teleport", movie="m1"))
def k_upper_type(u): return js(ev(user=u, type="VIEW", movie="m1"))
def k_utf8_ff(u): return js(ev(user=u, movie="m1")).replace(b'"m1"', b'"m\xff1"')
def k_utf8_overlong(u): return js(ev(user=u, movie="m1")).replace(b'"m1"', b'"m\xc0\xaf"')
def k_utf8_surrogate(u): return js(ev(user=u, type="comment", movie="m1", text="xx")).replace(b'"xx"', b'"\xed\xa0\x80"')
def k_utf8_cut(u): return js(ev(user=u, type="comment", movie="m1", text="xx")).replace(b'"xx"', b'"a\xe2\x82"')
def k_long_user(u): return js(ev(user=u + "a" * 130, movie="m1"))
def k_long_movie(u): return js(ev(user=u, movie="m" * 129))
def k_long_id(u): return js(ev(user=u, movie="m1", id="i" * 129))
def k_long_text(u): return js(ev(user=u, type="comment", movie="m1", text="t" * 4097))
def k_view_no_movie(u): return js(ev(user=u, type="view"))
def k_rating_no_value(u): return js(ev(user=u, type="rating", movie="m1"))
def k_comment_no_text(u): return js(ev(user=u, type="comment", movie="m1"))
def k_consent_two(u): return js(ev(user=u, type="consent", value=2))
def k_over_64k(u): return js(ev(user=u, movie="m1", pad="p" * (70 * 1024)))
def k_empty(u): return b""

kinds = [k for n, k in sorted(globals().items()) if n.startswith("k_")]
bad = []
# one message of exactly 1 MiB (valid JSON otherwise)
u = "bad-big"
base = js(ev(user=u, movie="m1", pad=""))
bad.append((u, base.replace(b'"pad":""', b'"pad":"' + b"p" * (1048576 - len(base)) + b'"')))
i = 0
while len(bad) < n_bad:
    u = "bad-%04d" % i
    bad.append((u, kinds[i % len(kinds)](u)))
    i += 1
# the long-user kind needs its key to be its user
bad = [(k + "a" * 130, p) if b'"user":"' + k.encode() + b"a" * 130 in p else (k, p) for k, p in bad]
assert len(bad[0][1]) == 1048576

good = []
users = ["v%02d" % j for j in range(40)]
types = ["rating", "view", "like", "share", "skip", "dislike", "rewatch"]
for j in range(n_good):
    u = users[j % len(users)]
    t = types[j % len(types)]
    d = ev(user=u, type=t, ts=TS + j, movie="m%d" % (j % 20 + 1))
    if j % 5:
        d["id"] = "g-%d" % j
    if t == "rating":
        d["value"] = [1, 2.5, 3.5, 4, 5][j % 5]
    if t == "view":
        d["value"] = 0.5
    good.append((u, js(d)))

stream = [("bad", k, p) for k, p in bad] + [("good", k, p) for k, p in good]
rnd.shuffle(stream)
with open(out + "/stream.bin", "wb") as f:
    for _, k, p in stream:
        assert b"\x1e" not in p and b"\x1f" not in p and b"\x1f" not in k.encode()
        f.write(k.encode() + b"\x1f" + p + b"\x1e")
# emotion events go redacted (lib/core/redact.h): metadata, size and a note
NOTE = "emotion readings withheld: never forwarded to the dead-letter topic"
def dead_letter(p):
    if b"emotion" not in p.lower():
        return p
    d = json.loads(p)
    r = {k: d[k] for k in ("user", "type", "ts", "id", "movie", "scene") if k in d}
    r.update(redacted=NOTE, bytes=len(p))
    return json.dumps(r, sort_keys=True, separators=(",", ":")).encode()
with open(out + "/bad.expected", "w") as f:
    for k, p in sorted(bad):
        p = dead_letter(p)
        f.write("%s\t%s\t%d\n" % (k, hashlib.sha1(p).hexdigest(), len(p)))
counts = {}
for u, _ in good:
    counts[u] = counts.get(u, 0) + 1
with open(out + "/good.counts", "w") as f:
    for u in sorted(counts):
        f.write("%s\t%d\n" % (u, counts[u]))
EOF

case_produce_and_apply() {
    h_produce_framed recut.events <"$H_TMP/stream.bin"
    h_assert_eq "$(h_topic_count recut.events)" $((N_BAD + N_GOOD)) "messages on recut.events" || return 1
    h_wait_metric recut_events_applied_total "$N_GOOD" || { h_check_failed "valid events not applied"; return 1; }
    h_wait_metric recut_events_dead_letter_total "$N_BAD" || { h_check_failed "dead letters not counted"; return 1; }
    h_assert_eq "$(h_metric recut_events_applied_total)" "$N_GOOD" "recut_events_applied_total" || return 1
    h_assert_eq "$(h_metric recut_events_duplicate_total)" 0 "recut_events_duplicate_total" || return 1
    local u n sum=0 bad=0
    while IFS="$(printf '\t')" read -r u n; do
        got=$(h_viewer "$u" meta events)
        [ "$got" = "$n" ] || { bad=$((bad + 1)); printf '  %s: meta.events %s, expected %s\n' "$u" "$got" "$n"; }
        sum=$((sum + ${got:-0}))
    done <"$H_TMP/good.counts"
    h_assert_eq "$bad" 0 "viewers with a wrong meta.events" || return 1
    h_assert_eq "$sum" "$N_GOOD" "sum of meta.events"
}

dl_count_ge_() { [ "$(h_topic_count recut.deadletter)" -ge "$N_BAD" ]; }

case_dead_letter_topic() {
    # on a timeout, go on: the comparison below says which ones are missing
    h_wait_for "$H_TIMEOUT" "$N_BAD messages on recut.deadletter" dl_count_ge_ ||
        h_check_failed "recut.deadletter holds $(h_topic_count recut.deadletter)"
    kcat -C -b "$H_KAFKA" -t recut.deadletter -e -o beginning -q -X fetch.message.max.bytes=4000000 \
        -K '\x1f' -D '\x1e' >"$H_TMP/dl.bin" 2>"$H_TMP/dl.err" || { h_check_failed "kcat -C failed"; return 1; }
    "$SYS_PYTHON3" - "$H_TMP" <<'EOF' || h_check_failed "dead letters differ from the malformed input (see above)"
import collections, hashlib, sys
d = sys.argv[1]
want = collections.Counter()
for line in open(d + "/bad.expected"):
    k, sha, n = line.rstrip("\n").split("\t")
    want[(k, sha)] += 1
got = collections.Counter()
data = open(d + "/dl.bin", "rb").read()
recs = data.split(b"\x1e")
assert recs[-1] == b"", "trailing bytes after the last record"
for r in recs[:-1]:
    k, _, p = r.partition(b"\x1f")
    got[(k.decode("utf-8", "replace"), hashlib.sha1(p).hexdigest())] += 1
missing = want - got
extra = got - want
for (k, _), c in sorted(missing.items())[:10]:
    print("  missing or altered dead letter for key %s (x%d)" % (k, c))
for (k, _), c in sorted(extra.items())[:10]:
    print("  unexpected dead letter with key %s (x%d)" % (k, c))
print("  dead letters: %d, expected %d, missing %d, extra %d"
      % (sum(got.values()), sum(want.values()), sum(missing.values()), sum(extra.values())))
sys.exit(1 if missing or extra else 0)
EOF
}

case_reasons() {
    kcat -C -b "$H_KAFKA" -t recut.deadletter -e -o beginning -q -X fetch.message.max.bytes=4000000 \
        -f '%k\t%h\n' >"$H_TMP/dl.headers" 2>>"$H_TMP/dl.err" || { h_check_failed "kcat -C failed"; return 1; }
    "$SYS_PYTHON3" - "$H_TMP/dl.headers" >"$H_TMP/reasons.txt" <<'EOF' || { h_check_failed "reason headers (see above)"; return 1; }
import collections, sys
reasons = collections.Counter()
bad = 0
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    k, _, h = line.rstrip("\n").partition("\t")
    r = [kv.split("=", 1)[1] for kv in h.split(",") if kv.startswith("reason=")]
    if len(r) != 1 or not r[0]:
        bad += 1
        if bad <= 5:
            print("  dead letter %s: headers %r" % (k, h), file=sys.stderr)
        continue
    reasons[r[0]] += 1
for r, c in sorted(reasons.items()):
    print("%s %d" % (r, c))
sys.exit(1 if bad else 0)
EOF
    h_log "reasons: $(tr '\n' ' ' <"$H_TMP/reasons.txt")"
    # the input has bad JSON, missing fields, wrong types, unknown types, bad
    # UTF-8, long fields, big and empty messages: they cannot share a reason
    h_assert_num "$(wc -l <"$H_TMP/reasons.txt")" ">=" 6 "distinct reasons" || return 1
    local r c m
    while read -r r c; do
        m=$(h_metric "recut_events_dead_letter_total{reason=\"$r\"}")
        h_assert_eq "$m" "$c" "recut_events_dead_letter_total{reason=\"$r\"}" || return 1
    done <"$H_TMP/reasons.txt"
    h_assert_eq "$(h_metric recut_events_dead_letter_total)" "$N_BAD" "recut_events_dead_letter_total"
}

case_healthy() {
    h_http GET /v1/health
    h_assert_eq "$H_STATUS" 200 "health after the dead letters" || return 1
    kill -0 "$H_RECUTD_PID" 2>/dev/null || h_check_failed "recutd is gone"
    # and it still applies new events
    printf 'v00\t%s\n' "$(h_event v00 like m3 after-1)" | h_produce recut.events
    h_wait_metric recut_events_applied_total $((N_GOOD + 1)) || h_check_failed "event after the dead letters not applied"
}

unknown_dl_ge_() { # N: dead letters with reason unknown_movie on the topic
    kcat -C -b "$H_KAFKA" -t recut.deadletter -e -o beginning -q -f '%k\t%h\t%s\n' \
        >"$H_TMP/dl.unknown.all" 2>>"$H_TMP/dl.err" || return 1
    grep -a "reason=unknown_movie" "$H_TMP/dl.unknown.all" >"$H_TMP/dl.unknown" || true
    [ "$(wc -l <"$H_TMP/dl.unknown")" -ge "$1" ]
}

case_unknown_movie() {
    # events for "late1" arrive before its catalog entry (another topic)
    local applied dead
    applied=$(h_metric recut_events_applied_total)
    dead=$(h_metric recut_events_dead_letter_total)
    {
        printf 'w1\t%s\n' "$(h_event w1 rating late1 late-1 '"value":5')"
        printf 'w1\t%s\n' "$(h_event w1 like late1 late-2)"
        printf 'w1\t%s\n' "$(h_event w1 view late1 late-3 '"value":0.9')"
    } | h_produce recut.events
    h_http_body POST /v1/events "$(h_event w1 share late1 late-4)"
    h_assert_eq "$H_STATUS" 400 "POST of an event for an unknown movie" || return 1
    h_assert_eq "$(h_json "$H_BODY" 'd["rejected"][0]["reason"]')" unknown_movie "its reason" || return 1
    h_wait_metric recut_events_unknown_movie_total 4 || { h_check_failed "not counted"; return 1; }
    h_wait_metric 'recut_events_dead_letter_total{reason="unknown_movie"}' 4 ||
        { h_check_failed "not counted as dead letters"; return 1; }
    h_assert_eq "$(h_metric recut_events_unknown_movie_total)" 4 "recut_events_unknown_movie_total" || return 1
    h_assert_eq "$(h_metric recut_events_dead_letter_total)" $((dead + 4)) "dead letters in all" || return 1
    h_wait_for "$H_TIMEOUT" "4 unknown_movie dead letters" unknown_dl_ge_ 4 ||
        { h_check_failed "recut.deadletter: $(wc -l <"$H_TMP/dl.unknown") with unknown_movie"; return 1; }
    # nothing of them was applied: no half-learned viewer
    h_assert_eq "$(h_metric recut_events_applied_total)" "$applied" "applied events" || return 1
    h_assert_eq "$(h_redis EXISTS 'recut:{u:w1}:state')" 0 "w1's meta before the replay" || return 1
    # the catalog entry comes, then the dead letters are replayed: all apply,
    # with the movie's features learned
    h_movie_json late1 1500 5 Western >"$H_TMP/late1.json"
    printf 'late1\t%s\n' "$(cat "$H_TMP/late1.json")" | h_produce recut.catalog
    h_wait_for "$H_TIMEOUT" "late1 in the catalog" movie_known_ late1 ||
        { h_check_failed "the catalog entry of late1 did not arrive"; return 1; }
    # (keyed by their user: the one that came over HTTP has no key)
    "$SYS_PYTHON3" -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    payload = line.rstrip("\n").split("\t", 2)[2]
    print("%s\t%s" % (json.loads(payload)["user"], payload))' "$H_TMP/dl.unknown" |
        h_produce recut.events
    h_wait_metric recut_events_applied_total $((applied + 4)) ||
        { h_check_failed "replayed events not applied"; return 1; }
    h_assert_eq "$(h_viewer 'w1' meta events)" 4 "w1's events after the replay" || return 1
    h_assert_num "$(h_viewer 'w1' nb | grep -ci western)" ">=" 1 \
        "nb fields of w1 naming late1's genre" || return 1
    h_assert_eq "$(h_metric recut_events_unknown_movie_total)" 4 "unknown after the replay"
}

movie_known_() {
    h_http GET "/v1/movies/$1"
    [ "$H_STATUS" = 200 ]
}

h_case "valid events among $N_BAD malformed ones are all applied" case_produce_and_apply
h_case "every malformed message is on the dead-letter topic, bytes and key intact" case_dead_letter_topic
h_case "reason headers and per-reason metrics agree" case_reasons
h_case "the daemon is healthy and still consuming" case_healthy
h_case "events for a movie not yet in the catalog are dead-lettered, and apply when replayed" case_unknown_movie
h_done
