#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# What recut keeps about people.  Dead letters never carry emotion readings
# (nor the comment text of an emotion event): a refused emotion event, or a
# message that may be one, reaches the dead-letter topic as metadata and a
# note only, whatever the viewer's consent; other refused events still go
# verbatim.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli kcat curl python3
h_require_mockkafka

h_start_redis
h_start_kafka recut.events:2 recut.catalog recut.published recut.deadletter
h_write_config "$H_TMP/recutd.conf"
h_start_recutd "$H_TMP/recutd.conf"
for m in 1 2 3; do h_put_movie "m$m" 1200 6 Drama; done

# readings with digits found nowhere else, so a leak is easy to grep
SECRETS="2.4321 0.6789 0.5555 0.7373 sadness fear joy calm"

dl_ge_() {
    h_consume recut.deadletter "$H_TMP/dl.txt" '%k\t%h\t%s\n' || return 1
    [ "$(wc -l <"$H_TMP/dl.txt")" -ge "$1" ]
}

case_dead_letters_redacted() {
    {
        # out of range: refused before consent is known (dave never consented)
        printf 'dave\t%s\n' "$(h_event dave emotion m1 d-1 '"scene":2,"emotion":{"joy":2.4321,"fear":0.1}')"
        # valid, but for a movie not in the catalog
        printf 'dave\t%s\n' "$(h_event dave emotion nomovie d-2 '"emotion":{"calm":0.6789},"text":"a secret remark"')"
        # does not parse at all, and names emotion
        printf 'dave\t%s\n' '{"user":"dave","type":"emotion","emotion":{"sadness":0.5555}'
        # an emotion member on another type, its name spelled with an escape
        printf 'dave\t%s\n' "$(h_event dave view m1 d-4 '"\u0065motion":{"joy":0.7373},"value":"x"')"
        # not an emotion event: verbatim, so it can be replayed
        printf 'dave\t%s\n' "$(h_event dave rating m2 d-5 '"value":"high"')"
    } >"$H_TMP/in.tsv"
    h_produce recut.events <"$H_TMP/in.tsv"
    # and over HTTP
    h_http_body POST /v1/events "$(h_event erin emotion m3 e-1 '"emotion":{"fear":-0.7373}')"
    h_assert_eq "$H_STATUS" 400 "POST of a bad emotion event" || return 1
    h_wait_for "$H_TIMEOUT" "6 dead letters" dl_ge_ 6 ||
        { h_check_failed "recut.deadletter holds $(wc -l <"$H_TMP/dl.txt")"; return 1; }
    h_assert_eq "$(wc -l <"$H_TMP/dl.txt")" 6 "dead letters" || return 1
    local s
    for s in $SECRETS "secret remark"; do
        if grep -qi -- "$s" "$H_TMP/dl.txt"; then
            h_check_failed "'$s' is on the dead-letter topic: $(grep -i -- "$s" "$H_TMP/dl.txt")"
            return 1
        fi
        if grep -qi -- "$s" "$H_RECUTD_LOG"; then
            h_check_failed "'$s' is in recutd's log: $(grep -i -- "$s" "$H_RECUTD_LOG")"
            return 1
        fi
    done
    "$SYS_PYTHON3" - "$H_TMP/dl.txt" "$H_TMP/in.tsv" <<'PY' || { h_check_failed "dead letters (see above)"; return 1; }
import json, sys
recs = [l.rstrip("\n").split("\t", 2) for l in open(sys.argv[1], encoding="utf-8")]
rating = [l.rstrip("\n").split("\t", 1)[1] for l in open(sys.argv[2]) if '"rating"' in l][0]
bad = 0
def fail(msg):
    global bad
    bad += 1
    print("  " + msg)
verbatim = [r for r in recs if r[2] == rating]
if len(verbatim) != 1:
    fail("the malformed rating is not on the topic verbatim")
red = [json.loads(r[2]) for r in recs if r[2] != rating]
if len(red) != 5:
    fail("%d redacted dead letters, expected 5" % len(red))
for d in red:
    if "redacted" not in d or "bytes" not in d:
        fail("not a redacted dead letter: %r" % d)
    extra = set(d) - {"redacted", "bytes", "user", "type", "ts", "id", "movie", "scene"}
    if extra:
        fail("redacted dead letter with %s: %r" % (sorted(extra), d))
ids = {d.get("id"): d for d in red}
d1 = ids.get("d-1", {})
if (d1.get("user"), d1.get("type"), d1.get("movie"), d1.get("scene")) != ("dave", "emotion", "m1", 2) \
        or not isinstance(d1.get("ts"), int):
    fail("metadata of d-1: %r" % d1)
if ids.get("d-2", {}).get("movie") != "nomovie":
    fail("metadata of d-2: %r" % ids.get("d-2"))
if ids.get("e-1", {}).get("user") != "erin":
    fail("metadata of the HTTP one: %r" % ids.get("e-1"))
if not any(set(d) == {"redacted", "bytes"} for d in red):
    fail("the unparsable one kept more than its size")
reasons = sorted(r[1] for r in recs)
print("  headers: %s" % reasons)
if not any("unknown_movie" in h for h in reasons):
    fail("no unknown_movie reason")
sys.exit(1 if bad else 0)
PY
}

h_case "dead letters of emotion events carry no reading" case_dead_letters_redacted
h_done
