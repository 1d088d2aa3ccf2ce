#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Restart: recutd drains and exits 0 on SIGTERM with its offsets committed; a
# new recutd on the same Redis serves the same profiles and recommendations,
# picks up what was produced while it was down, and applies nothing twice
# (some events carry no id, so a re-delivery would be counted twice).
. "$srcdir/helpers/harness.sh"
CONF=$H_TMP/recutd.conf
h_start_stack 4 "$CONF"
GROUP=recutd-$H_NAME
h_start_recutd "$CONF"

for m in $(seq 1 20); do
    case $((m % 3)) in 0) g=Action ;; 1) g=Drama ;; *) g=Comedy ;; esac
    h_put_movie "m$m" 2400 12 "$g"
done

# gen_events PREFIX COUNT USERS...: COUNT events per user on m1..m7 (so
# m8..m20 are left to recommend); every third has no id.
gen_events() {
    local prefix=$1 count=$2 u i m k=0
    shift 2
    for u in "$@"; do
        k=$((k + 2))
        for i in $(seq 1 "$count"); do
            m=m$(((i * 3 + k) % 7 + 1))
            if [ $((i % 3)) -eq 0 ]; then
                printf '%s\t%s\n' "$u" "$(h_event "$u" view "$m" "" '"value":0.5')"
            else
                printf '%s\t%s\n' "$u" "$(h_event "$u" rating "$m" "$prefix-$u-$i" "\"value\":$((i % 5 + 1))")"
            fi
        done
    done
}

gen_events a 9 u1 u2 u3 >"$H_TMP/batch-a.tsv"
gen_events b 6 u1 u4 >"$H_TMP/batch-b.tsv"
N_A=$(wc -l <"$H_TMP/batch-a.tsv" | tr -d ' ')
N_B=$(wc -l <"$H_TMP/batch-b.tsv" | tr -d ' ')

# Canonical JSON of the last answer: without the volatile "generated_at",
# and items of equal score in movie order (ties may come in any order).
canonical() {
    h_json "$H_BODY" '{k: (sorted(v, key=lambda i: (-i["score"], i["movie"])) if k == "items" else v)
                       for k, v in d.items() if k != "generated_at"}'
}

snapshot() { # DIR: profiles and recommendations of u1..u3
    local dir=$1 u
    mkdir -p "$dir"
    for u in u1 u2 u3; do
        h_http GET "/v1/users/$u/profile"
        [ "$H_STATUS" = 200 ] || { h_check_failed "profile of $u: $H_STATUS"; return 1; }
        canonical >"$dir/$u.profile"
        h_http GET "/v1/users/$u/recommendations?n=50"
        [ "$H_STATUS" = 200 ] || { h_check_failed "recommendations of $u: $H_STATUS"; return 1; }
        canonical >"$dir/$u.recs"
        [ "$(h_json "$H_BODY" 'len(d["items"])')" -gt 0 ] ||
            { h_check_failed "no recommendations for $u (nothing to compare)"; return 1; }
    done
}

case_first_run() {
    h_produce recut.events <"$H_TMP/batch-a.tsv"
    h_wait_metric recut_events_applied_total "$N_A" || { h_check_failed "batch A not applied"; return 1; }
    snapshot "$H_TMP/before" || return 1
    # SIGTERM right away: the daemon must commit what it applied on the way out
    h_stop_recutd
    h_assert_eq "$H_RC" 0 "exit status after SIGTERM" || return 1
    h_assert_eq "$(h_committed "$GROUP" recut.events)" "$N_A $N_A" "committed vs end offsets after shutdown"
}

case_same_state() {
    h_start_recutd "$CONF"
    snapshot "$H_TMP/after" || return 1
    local f
    for f in u1.profile u1.recs u2.profile u2.recs u3.profile u3.recs; do
        cmp -s "$H_TMP/before/$f" "$H_TMP/after/$f" ||
            h_check_failed "$f differs after restart: $(diff "$H_TMP/before/$f" "$H_TMP/after/$f" | head -5)"
    done
    h_stop_recutd
    h_assert_eq "$H_RC" 0 "exit status of the second run"
}

case_catch_up() {
    # produced while no recutd runs
    h_produce recut.events <"$H_TMP/batch-b.tsv"
    h_start_recutd "$CONF"
    h_wait_metric recut_events_applied_total "$N_B" || { h_check_failed "batch B not applied"; return 1; }
    committed_all_() { [ "$(h_committed "$GROUP" recut.events)" = "$((N_A + N_B)) $((N_A + N_B))" ]; }
    h_wait_for "$H_TIMEOUT" "offsets committed up to the end" committed_all_ ||
        { h_check_failed "committed/end: $(h_committed "$GROUP" recut.events)"; return 1; }
    h_assert_eq "$(h_metric recut_events_applied_total)" "$N_B" "events applied by the third run" || return 1
    h_assert_eq "$(h_metric recut_events_duplicate_total)" 0 "nothing re-delivered from before" || return 1
    local u want
    for u in u1 u2 u3 u4; do
        want=$(cat "$H_TMP/batch-a.tsv" "$H_TMP/batch-b.tsv" | awk -F'\t' -v u="$u" '$1 == u' | wc -l | tr -d ' ')
        h_assert_eq "$(h_viewer "$u" meta events)" "$want" "meta.events of $u" || return 1
    done
    h_stop_recutd
    h_assert_eq "$H_RC" 0 "exit status of the third run"
}

h_case "first run applies, drains and commits on SIGTERM" case_first_run
h_case "after a restart, profiles and recommendations are identical" case_same_state
h_case "events produced while down are applied once after restart" case_catch_up
h_done
