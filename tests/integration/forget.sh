#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Forgetting a viewer (DELETE /v1/users/{id} or a "forget" event) removes
# every key of that viewer from Redis and nothing of anyone else's.
. "$srcdir/helpers/harness.sh"
h_start_stack 2 "$H_TMP/recutd.conf"
h_key_file "$H_TMP/keys" k1 # so the emotion readings are kept, and must go
h_config_keys "$H_TMP/recutd.conf" "$H_TMP/keys"
h_start_recutd "$H_TMP/recutd.conf"
for m in 1 2 3 4; do h_put_movie "m$m" 1200 6 Drama Comedy; done

# Events that touch every kind of viewer state: ratings, scene feedback,
# consent and an emotion reading, a comment.
viewer_events() { # USER TAG
    local u=$1 t=$2
    h_event "$u" consent "" "$t-1" '"value":1'
    h_event "$u" rating m1 "$t-2" '"value":5'
    h_event "$u" like m2 "$t-3" '"scene":1'
    h_event "$u" skip m3 "$t-4" '"t":250.5'
    h_event "$u" emotion m2 "$t-5" '"scene":2,"emotion":{"joy":0.8,"fear":0.1}'
    h_event "$u" comment m4 "$t-6" '"text":"what a film"'
    h_event "$u" view m4 "$t-7" '"value":1'
}
to_tsv() { awk -v u="$1" '{ printf "%s\t%s\n", u, $0 }'; }
{ viewer_events alice a | to_tsv alice; viewer_events bob b | to_tsv bob; viewer_events carol c | to_tsv carol; } |
    h_produce recut.events

keys_of() { h_redis_scan "*{u:$1}*"; }
has_recs_() { [ "$(h_redis EXISTS "recut:{u:$1}:recs")" = 1 ]; }

case_state_exists() {
    h_wait_metric recut_events_applied_total 21 || { h_check_failed "events not applied"; return 1; }
    local u
    for u in alice bob carol; do
        # wait for the publisher too, so nothing is written after the delete
        h_wait_for "$H_TIMEOUT" "recommendations of $u in Redis" has_recs_ "$u" ||
            { h_check_failed "recut:{u:$u}:recs never written"; return 1; }
        h_assert_num "$(keys_of "$u" | wc -l)" ">=" 4 "keys of $u before forgetting ($(keys_of "$u" | tr '\n' ' '))" || return 1
        h_assert_eq "$(h_redis EXISTS "recut:{u:$u}:emo")" 1 "emotion state of $u before forgetting" || return 1
    done
}

case_delete() {
    keys_of bob >"$H_TMP/bob.before"
    h_http DELETE /v1/users/alice
    case $H_STATUS in 2??) ;; *) h_check_failed "DELETE answered $H_STATUS: $(cat "$H_BODY")"; return 1 ;; esac
    h_assert_eq "$(keys_of alice | tr '\n' ' ')" "" "keys of alice after DELETE" || return 1
    # nothing comes back once pending work (publishing) has run
    sleep 1.5
    h_assert_eq "$(keys_of alice | tr '\n' ' ')" "" "keys of alice 1.5 s after DELETE" || return 1
    keys_of bob >"$H_TMP/bob.after"
    cmp -s "$H_TMP/bob.before" "$H_TMP/bob.after" || h_check_failed "bob's keys changed: $(diff "$H_TMP/bob.before" "$H_TMP/bob.after")"
    h_http GET /v1/users/alice/profile
    case $H_STATUS in
    404) ;;
    200) h_assert_eq "$(h_json "$H_BODY" 'd.get("events", 0)')" 0 "events in alice's profile after DELETE" ;;
    *) h_check_failed "profile after DELETE: $H_STATUS" ;;
    esac
}

bob_gone_() { [ -z "$(keys_of bob)" ]; }

case_forget_event() {
    printf 'bob\t%s\n' "$(h_event bob forget "" b-forget)" | h_produce recut.events
    h_wait_for "$H_TIMEOUT" "bob's keys to go" bob_gone_ ||
        { h_check_failed "keys of bob after a forget event: $(keys_of bob | tr '\n' ' ')"; return 1; }
    sleep 1.5
    h_assert_eq "$(keys_of bob | tr '\n' ' ')" "" "keys of bob 1.5 s after forget" || return 1
    h_assert_num "$(keys_of carol | wc -l)" ">=" 4 "carol's keys untouched"
}

case_fresh_start() {
    # a forgotten viewer who comes back starts from zero
    printf 'alice\t%s\n' "$(h_event alice rating m3 a-new '"value":4')" | h_produce recut.events
    alice_back_() { [ "$(h_viewer 'alice' meta events)" = 1 ]; }
    h_wait_for "$H_TIMEOUT" "alice's new event" alice_back_ ||
        h_check_failed "meta.events of alice after coming back: $(h_viewer 'alice' meta events)"
}

h_case "three viewers have state in Redis" case_state_exists
h_case "DELETE /v1/users/alice removes every key of alice only" case_delete
h_case "a forget event over Kafka removes every key of bob" case_forget_event
h_case "a forgotten viewer starts afresh" case_fresh_start
h_done
