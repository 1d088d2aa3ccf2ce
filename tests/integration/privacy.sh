#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# What recut keeps about people.
# - Dead letters never carry emotion readings (nor the comment text of an
#   emotion event): a refused emotion event, or a message that may be one,
#   reaches the dead-letter topic as metadata and a note only, whatever the
#   viewer's consent; other refused events still go verbatim.
# - No reading or comment text is anywhere in Redis in clear (a dump of
#   every key is searched); the emotion state is one sealed value.
# - recutctl rotate-key re-seals every value with a new first key (and
#   seals a hash left in clear); a value moved to another viewer does not
#   open.
# - Consent withdrawn erases the viewer's emotion state; DELETE erases
#   every key and leaves an audit line (no data) in the log.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli kcat curl python3
h_require_mockkafka

h_start_redis
h_start_kafka recut.events:2 recut.catalog recut.published recut.deadletter
h_write_config "$H_TMP/recutd.conf"
h_key_file "$H_TMP/keys" k1
h_config_keys "$H_TMP/recutd.conf" "$H_TMP/keys"
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

# Every key of Redis with its type and contents, one line each.
dump_redis() { # OUT
    local k t
    : >"$1"
    while IFS= read -r k; do
        t=$(h_redis TYPE "$k")
        printf '%s %s: ' "$t" "$k"
        case $t in
        hash) h_redis HGETALL "$k" ;;
        string) h_redis GET "$k" ;;
        list) h_redis LRANGE "$k" 0 -1 ;;
        set) h_redis SMEMBERS "$k" ;;
        zset) h_redis ZRANGE "$k" 0 -1 WITHSCORES ;;
        *) echo "(unknown type)" ;;
        esac | tr '\n' ' '
        echo
    done < <(redis-cli -h 127.0.0.1 -p "$H_REDIS_PORT" --raw --scan) >>"$1"
}

# clear readings and texts of pat (labels the catalog does not use)
PAT_SECRETS="4321 2468 1357 joy sadness fear zanzibar quokka marmalade"

pat_published_() { h_redis GET 'recut:{u:pat}:recs' | grep -q '"events":5,'; }

case_nothing_in_clear() {
    local applied
    applied=$(h_metric recut_events_applied_total)
    {
        h_event pat consent "" p-1 '"value":1'
        h_event pat emotion m1 p-2 '"scene":1,"emotion":{"joy":0.4321,"sadness":0.2468}'
        h_event pat emotion m2 p-3 '"emotion":{"fear":0.1357}'
        h_event pat comment m3 p-4 '"text":"zanzibar quokka marmalade, a great film"'
        h_event pat like m3 p-5
    } | awk '{ printf "pat\t%s\n", $0 }' | h_produce recut.events
    h_wait_metric recut_events_applied_total $((applied + 5)) || { h_check_failed "events not applied"; return 1; }
    h_assert_eq "$(h_metric recut_emotion_dropped_total)" 0 "readings dropped (pat consented, a key is there)" || return 1
    # the publisher writes pat's list after the state: the dump takes it too
    h_wait_for "$H_TIMEOUT" "pat's list with 5 events published" pat_published_ ||
        { h_check_failed "pat's list: $(h_redis GET 'recut:{u:pat}:recs' | cut -c1-100)"; return 1; }
    dump_redis "$H_TMP/dump1.txt"
    h_assert_num "$(grep -c '{u:pat}' "$H_TMP/dump1.txt")" ">=" 4 "keys of pat in the dump" || return 1
    local s
    # the sealed values are random base64: a short word can turn up in one
    # by chance ("...U5joYW..."), so they are left out of the search
    sed -E 's#v1:k[0-9]+:[A-Za-z0-9+/=_-]+#<sealed>#g' "$H_TMP/dump1.txt" >"$H_TMP/dump1.clear"
    for s in $PAT_SECRETS; do
        if grep -qi -- "$s" "$H_TMP/dump1.clear"; then
            h_check_failed "'$s' is in Redis: $(grep -i -- "$s" "$H_TMP/dump1.clear" | cut -c1-200)"
            return 1
        fi
    done
    h_assert_eq "$(h_redis HKEYS 'recut:{u:pat}:emo' | tr '\n' ' ')" "sealed " "fields of pat's emo hash" || return 1
    h_assert_eq "$(h_redis HGET 'recut:{u:pat}:emo' sealed | cut -d: -f1-2)" "v1:k1" "pat's sealed value" || return 1
}

emo_ids() { # the key ids of every sealed emo value, sorted and counted
    local k
    for k in $(h_redis_scan 'recut:{u:*}:emo'); do
        h_redis HGET "$k" sealed | cut -d: -f2
    done | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }'
}

case_rotate() {
    # a hash left in clear by an older recutd
    h_redis HSET 'recut:{u:old1}:emo' n 1 e:joy 0.9753 >/dev/null
    # k2 seals from now on; k1 still opens.  recutd restarts to take it.
    h_stop_recutd
    {
        printf 'k2 %s\n' "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
        cat "$H_TMP/keys"
    } >"$H_TMP/keys.new" && chmod 600 "$H_TMP/keys.new" && mv "$H_TMP/keys.new" "$H_TMP/keys"
    h_start_recutd "$H_TMP/recutd.conf"
    grep -q "sealed in Redis with key 'k2'" "$H_RECUTD_LOG" || { h_check_failed "recutd does not seal with k2"; return 1; }
    "$top_builddir/ctl/recutctl" rotate-key --redis "127.0.0.1:$H_REDIS_PORT" --prefix recut \
        --key-file "$H_TMP/keys" >"$H_TMP/rotate.out" 2>"$H_TMP/rotate.err" ||
        { h_check_failed "rotate-key failed: $(cat "$H_TMP/rotate.out" "$H_TMP/rotate.err")"; return 1; }
    h_log "$(cat "$H_TMP/rotate.out")"
    h_assert_eq "$(cat "$H_TMP/rotate.out")" \
        "rotate-key: key 'k2': 1 re-sealed, 1 sealed from clear, 0 already current, 0 failed" "rotate-key" || return 1
    h_assert_eq "$(emo_ids)" "k2=2 " "key ids of the sealed values" || return 1
    dump_redis "$H_TMP/dump2.txt"
    grep -q 9753 "$H_TMP/dump2.txt" && { h_check_failed "old1's reading is still in clear"; return 1; }
    # every value opens without k1: a ring of k3 and k2 re-seals them all
    {
        printf 'k3 %s\n' "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
        grep '^k2 ' "$H_TMP/keys"
    } >"$H_TMP/keys3" && chmod 600 "$H_TMP/keys3"
    "$top_builddir/ctl/recutctl" rotate-key --redis "127.0.0.1:$H_REDIS_PORT" \
        --key-file "$H_TMP/keys3" >"$H_TMP/rotate3.out" 2>"$H_TMP/rotate3.err" ||
        { h_check_failed "rotate-key without k1 failed: $(cat "$H_TMP/rotate3.out" "$H_TMP/rotate3.err")"; return 1; }
    h_assert_eq "$(cat "$H_TMP/rotate3.out")" \
        "rotate-key: key 'k3': 2 re-sealed, 0 sealed from clear, 0 already current, 0 failed" "rotate-key without k1" || return 1
    # a sealed value copied to another viewer does not open
    h_redis HSET 'recut:{u:mallory}:emo' sealed "$(h_redis HGET 'recut:{u:pat}:emo' sealed)" >/dev/null
    if "$top_builddir/ctl/recutctl" rotate-key --redis "127.0.0.1:$H_REDIS_PORT" \
        --key-file "$H_TMP/keys3" >"$H_TMP/rotate4.out" 2>"$H_TMP/rotate4.err"; then
        h_check_failed "pat's value opened as mallory's: $(cat "$H_TMP/rotate4.out")"
        return 1
    fi
    grep -q "mallory" "$H_TMP/rotate4.err" || { h_check_failed "no word of mallory: $(cat "$H_TMP/rotate4.err")"; return 1; }
    h_redis DEL 'recut:{u:mallory}:emo' >/dev/null
}

case_consent_withdrawn() {
    # recutd (ring k2, k1) loads pat's state (sealed with k3 now: not
    # openable) -- so first bring recutd to the k3 ring
    h_stop_recutd
    cp "$H_TMP/keys3" "$H_TMP/keys" && chmod 600 "$H_TMP/keys"
    h_start_recutd "$H_TMP/recutd.conf"
    local applied
    applied=$(h_metric recut_events_applied_total)
    {
        h_event pat emotion m3 p-6 '"emotion":{"joy":0.5}'
    } | awk '{ printf "pat\t%s\n", $0 }' | h_produce recut.events
    h_wait_metric recut_events_applied_total $((applied + 1)) || { h_check_failed "event not applied"; return 1; }
    if grep -q "not loaded" "$H_RECUTD_LOG"; then
        h_check_failed "recutd could not load pat's state: $(grep "not loaded" "$H_RECUTD_LOG")"
        return 1
    fi
    h_assert_eq "$(h_redis HGET 'recut:{u:pat}:emo' sealed | cut -d: -f1-2)" "v1:k3" "pat's value after a new reading" || return 1
    printf 'pat\t%s\n' "$(h_event pat consent "" p-7 '"value":0')" | h_produce recut.events
    h_wait_metric recut_events_applied_total $((applied + 2)) || { h_check_failed "consent event not applied"; return 1; }
    h_assert_eq "$(h_redis EXISTS 'recut:{u:pat}:emo')" 0 "pat's emo hash after consent withdrawn" || return 1
    h_assert_eq "$(h_viewer 'pat' meta consent)" 0 "pat's consent" || return 1
    # a reading now is dropped and leaves nothing
    printf 'pat\t%s\n' "$(h_event pat emotion m1 p-8 '"emotion":{"joy":0.9}')" | h_produce recut.events
    h_wait_metric recut_events_applied_total $((applied + 3)) || { h_check_failed "event not applied"; return 1; }
    h_assert_eq "$(h_redis EXISTS 'recut:{u:pat}:emo')" 0 "pat's emo hash after a reading without consent" || return 1
}

case_delete_audited() {
    h_http DELETE /v1/users/pat
    h_assert_eq "$H_STATUS" 200 "DELETE /v1/users/pat" || return 1
    h_assert_eq "$(h_redis_scan '*{u:pat}*' | tr '\n' ' ')" "" "keys of pat after DELETE" || return 1
    dump_redis "$H_TMP/dump3.txt"
    grep -q '{u:pat}' "$H_TMP/dump3.txt" && { h_check_failed "pat is still in Redis"; return 1; }
    grep -q "audit: viewer 'pat' erased at 20[0-9-]*T[0-9:]*Z via DELETE /v1/users/{id} by 127.0.0.1:" \
        "$H_RECUTD_LOG" || { h_check_failed "no audit line: $(grep -i audit "$H_RECUTD_LOG")"; return 1; }
    # at notice, and with no data of pat
    grep "audit: viewer 'pat'" "$H_RECUTD_LOG" | grep -q '^<5>' ||
        { h_check_failed "the audit line is not at notice: $(grep "audit:" "$H_RECUTD_LOG")"; return 1; }
}

h_case "dead letters of emotion events carry no reading" case_dead_letters_redacted
h_case "no reading nor comment text is in Redis in clear" case_nothing_in_clear
h_case "rotate-key re-seals every value with the new key" case_rotate
h_case "consent withdrawn erases the viewer's emotion state" case_consent_withdrawn
h_case "DELETE erases every key of the viewer and is audited" case_delete_audited
h_done
