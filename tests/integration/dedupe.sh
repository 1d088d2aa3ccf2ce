#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# De-duplication: an event id is applied once per viewer, whether the copy
# comes again over Kafka (same or later batch) or over HTTP.
. "$srcdir/helpers/harness.sh"
h_start_stack 2 "$H_TMP/recutd.conf"
h_start_recutd "$H_TMP/recutd.conf"
h_put_movie m1 1800 10 Drama
h_put_movie m2 1800 10 Action

E1=$(h_event u1 rating m1 dup-1 '"value":4.5')
E2=$(h_event u1 view m2 dup-2 '"value":1')
E3=$(h_event u1 like m2 "")          # no id: never de-duplicated
events_of() { h_viewer "$1" meta events; }

case_kafka_twice() {
    printf 'u1\t%s\nu1\t%s\nu1\t%s\nu1\t%s\n' "$E1" "$E1" "$E2" "$E3" | h_produce recut.events
    h_wait_metric recut_events_applied_total 3 || { h_check_failed "events not applied"; return 1; }
    h_wait_metric recut_events_duplicate_total 1 || { h_check_failed "duplicate not counted"; return 1; }
    h_assert_eq "$(events_of u1)" 3 "meta.events of u1" || return 1
    h_assert_eq "$(h_metric recut_events_applied_total)" 3 "applied" || return 1
    # a later batch repeating both ids changes nothing
    printf 'u1\t%s\nu1\t%s\n' "$E2" "$E1" | h_produce recut.events
    h_wait_metric recut_events_duplicate_total 3 || { h_check_failed "later duplicates not counted"; return 1; }
    h_assert_eq "$(events_of u1)" 3 "meta.events of u1 after a repeated batch" || return 1
    h_assert_eq "$(h_metric recut_events_applied_total)" 3 "applied after a repeated batch"
}

case_http_twice() {
    local e4
    e4=$(h_event u1 rating m2 dup-4 '"value":2')
    h_http_body POST /v1/events "$E1"
    case $H_STATUS in 2??) ;; *) h_check_failed "POST of a known id answered $H_STATUS"; return 1 ;; esac
    h_http_body POST /v1/events "$E1"
    case $H_STATUS in 2??) ;; *) h_check_failed "second POST answered $H_STATUS"; return 1 ;; esac
    h_http_body POST /v1/events "$e4"
    case $H_STATUS in 2??) ;; *) h_check_failed "POST of a new event answered $H_STATUS"; return 1 ;; esac
    h_http_body POST /v1/events "$e4"
    case $H_STATUS in 2??) ;; *) h_check_failed "POST of the same new event answered $H_STATUS"; return 1 ;; esac
    h_wait_metric recut_events_applied_total 4 || { h_check_failed "new event not applied"; return 1; }
    h_wait_metric recut_events_duplicate_total 6 || { h_check_failed "HTTP duplicates not counted"; return 1; }
    h_assert_eq "$(events_of u1)" 4 "meta.events of u1 after HTTP copies" || return 1
    h_assert_eq "$(h_metric recut_events_applied_total)" 4 "applied after HTTP copies"
}

case_ndjson_dupes() {
    # the same id twice inside one NDJSON body, plus one fresh event
    local e5
    e5=$(h_event u1 share m1 dup-5)
    printf '%s\n%s\n%s\n' "$e5" "$e5" "$E2" >"$H_TMP/nd.json"
    h_http POST /v1/events "$H_TMP/nd.json"
    case $H_STATUS in 2??) ;; *) h_check_failed "NDJSON POST answered $H_STATUS"; return 1 ;; esac
    h_wait_metric recut_events_applied_total 5 || { h_check_failed "NDJSON event not applied"; return 1; }
    h_wait_metric recut_events_duplicate_total 8 || { h_check_failed "NDJSON duplicates not counted"; return 1; }
    h_assert_eq "$(events_of u1)" 5 "meta.events of u1 after NDJSON" || return 1
}

case_ids_per_viewer() {
    # ids are remembered per viewer: u2 may use u1's id
    printf 'u2\t%s\n' "$(h_event u2 rating m1 dup-1 '"value":4')" | h_produce recut.events
    h_wait_metric recut_events_applied_total 6 || { h_check_failed "u2's event not applied"; return 1; }
    h_assert_eq "$(events_of u2)" 1 "meta.events of u2" || return 1
    h_assert_eq "$(events_of u1)" 5 "meta.events of u1 unchanged"
}

h_case "the same event twice over Kafka counts once" case_kafka_twice
h_case "the same event posted twice over HTTP counts once" case_http_twice
h_case "duplicates inside one NDJSON body count once" case_ndjson_dupes
h_case "event ids are per viewer" case_ids_per_viewer
h_done
