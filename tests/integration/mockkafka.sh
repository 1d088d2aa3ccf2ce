#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# recut-mockkafka speaks enough real Kafka for recutd: metadata with the
# requested partitions, produce/fetch keeping keys and bytes, consumer groups
# with offset commit/fetch, and it exits 0 on SIGTERM.
. "$srcdir/helpers/harness.sh"
h_require_tools kcat python3
h_require_mockkafka

h_start_kafka grid.a:3 grid.b

case_metadata() {
    h_assert_eq "$(head -n 1 "$H_TMP/kafka.out")" "$H_KAFKA" "stdout line vs bootstraps file" || return 1
    kcat -L -b "$H_KAFKA" >"$H_TMP/meta.txt" 2>&1 || { h_check_failed "kcat -L failed"; return 1; }
    grep -q 'topic "grid.a" with 3 partitions' "$H_TMP/meta.txt" ||
        h_check_failed "grid.a should have 3 partitions: $(cat "$H_TMP/meta.txt")"
    grep -q 'topic "grid.b" with 1 partitions' "$H_TMP/meta.txt" ||
        h_check_failed "grid.b should have 1 partition"
}

case_roundtrip() {
    # keys, multi-line values, non-UTF-8 bytes and an empty value survive
    printf 'k1\x1fhello\x1ek2\x1fline1\nline2\x1ek3\x1f\xff\xfe\x1ek4\x1f\x1e' |
        h_produce_framed grid.b
    kcat -C -b "$H_KAFKA" -t grid.b -e -o beginning -q -K '\x1f' -D '\x1e' >"$H_TMP/rt.out" ||
        { h_check_failed "kcat -C failed"; return 1; }
    printf 'k1\x1fhello\x1ek2\x1fline1\nline2\x1ek3\x1f\xff\xfe\x1ek4\x1f\x1e' >"$H_TMP/rt.want"
    cmp -s "$H_TMP/rt.out" "$H_TMP/rt.want" ||
        h_check_failed "consumed bytes differ: $(od -c "$H_TMP/rt.out" | head -5)"
}

case_group_commit() {
    local i
    for i in $(seq 1 30); do printf 'u%d\tv%d\n' $((i % 7)) "$i"; done | h_produce grid.a
    # a group member reads everything and commits on close
    timeout 60 kcat -b "$H_KAFKA" -G tgroup -X session.timeout.ms=6000 \
        -X auto.offset.reset=earliest -e -q -f '%s\n' grid.a >"$H_TMP/g1.out" 2>"$H_TMP/g1.err" ||
        { h_check_failed "group consumer failed: $(cat "$H_TMP/g1.err")"; return 1; }
    h_assert_eq "$(wc -l <"$H_TMP/g1.out" | tr -d ' ')" 30 "messages read by the group" || return 1
    h_assert_eq "$(h_committed tgroup grid.a)" "30 30" "committed vs end offsets" || return 1
    # the next member of the group resumes at the committed offsets
    for i in 31 32 33; do printf 'u%d\tv%d\n' "$i" "$i"; done | h_produce grid.a
    timeout 60 kcat -b "$H_KAFKA" -G tgroup -X session.timeout.ms=6000 \
        -X auto.offset.reset=earliest -e -q -f '%s\n' grid.a >"$H_TMP/g2.out" 2>"$H_TMP/g2.err" ||
        { h_check_failed "second group consumer failed: $(cat "$H_TMP/g2.err")"; return 1; }
    h_assert_eq "$(sort "$H_TMP/g2.out" | tr '\n' ' ')" "v31 v32 v33 " "second session reads only new messages" || return 1
    h_assert_eq "$(h_committed tgroup grid.a)" "33 33" "committed after second session"
}

case_offsets_errors() {
    "$H_MOCKKAFKA" offsets "$H_KAFKA" tgroup no.such.topic >/dev/null 2>&1
    h_assert_eq $? 1 "offsets of an unknown topic" || return 1
    # the query must not have created the topic
    kcat -L -b "$H_KAFKA" 2>/dev/null | grep -q no.such.topic &&
        h_check_failed "offsets auto-created the topic"
    "$H_MOCKKAFKA" --brokers 0 >/dev/null 2>&1
    h_assert_eq $? 2 "--brokers 0" || return 1
    "$H_MOCKKAFKA" --topic 'a b' >/dev/null 2>&1
    h_assert_eq $? 2 "bad topic name" || return 1
    "$H_MOCKKAFKA" --topic x:0 >/dev/null 2>&1
    h_assert_eq $? 2 "zero partitions"
}

case_sigterm() {
    kill -TERM "$H_KAFKA_PID"
    h_wait_exit "$H_KAFKA_PID" 20 || { h_check_failed "no exit within 20s of SIGTERM"; return 1; }
    h_untrack "$H_KAFKA_PID"
    h_assert_eq "$H_RC" 0 "exit status after SIGTERM" || return 1
    [ ! -e "$H_TMP/kafka.boot" ] || h_check_failed "bootstraps file left behind"
}

h_case "metadata lists the requested topics and partitions" case_metadata
h_case "produce/consume keep keys and bytes" case_roundtrip
h_case "consumer group commits and resumes at committed offsets" case_group_commit
h_case "offsets subcommand and bad arguments fail cleanly" case_offsets_errors
h_case "SIGTERM: exit 0, bootstraps file removed" case_sigterm
h_done
