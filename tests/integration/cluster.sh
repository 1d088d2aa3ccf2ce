#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Redis Cluster, as far as recutd goes today: a cluster of three masters and
# three replicas (h_start_redis_cluster) agrees with recutd's key layout --
# every key of a viewer in one slot, the catalog's keys in one slot, the 16
# popularity shards spread over the masters -- and recutd, which does not
# route by slot yet, refuses to start on a cluster node with a clear error
# instead of looping on -MOVED.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli python3

h_start_redis_cluster

slot() { redis-cli -h 127.0.0.1 -p "$H_REDIS_PORT" cluster keyslot "$1"; }
# the master serving a slot, as host:port
master_of() { # SLOT
    redis-cli -h 127.0.0.1 -p "$H_REDIS_PORT" --raw cluster slots |
        "$SYS_PYTHON3" -c '
import sys
lines = [l.strip() for l in sys.stdin if l.strip()]
want = int(sys.argv[1])
# --raw prints each range as: start, end, host, port, id, (metadata...), replicas...
i = 0
while i + 3 < len(lines):
    try:
        a, b = int(lines[i]), int(lines[i + 1])
    except ValueError:
        i += 1
        continue
    if a <= want <= b and not lines[i + 2].isdigit():
        print("%s:%s" % (lines[i + 2], lines[i + 3]))
        break
    i += 1
' "$1"
}

case_viewer_one_slot() {
    local k s want
    want=$(slot 'recut:{u:v1}:meta')
    for k in nb seen scenes emo hist ids keys svm recs cut:m1; do
        s=$(slot "recut:{u:v1}:$k")
        h_assert_eq "$s" "$want" "slot of recut:{u:v1}:$k" || return 1
    done
    want=$(slot 'recut:{catalog}:movies')
    for k in version movie:m1 movie:zz; do
        h_assert_eq "$(slot "recut:{catalog}:$k")" "$want" "slot of recut:{catalog}:$k" || return 1
    done
    h_assert_eq "$(slot 'recut:{i:m1}:co')" "$(slot 'recut:{i:m1}:col')" "a co-occurrence row and its log" || return 1
    # recutd's own CRC16 agrees with the cluster (test_rcluster has more)
    h_assert_eq "$(slot 'recut:{u:42}:meta')" 8980 "CLUSTER KEYSLOT recut:{u:42}:meta"
}

case_pop_spread() {
    local k slots="" masters=""
    for k in $(seq 0 15); do
        s=$(slot "recut:{pop:$k}")
        slots="$slots $s"
        masters="$masters $(master_of "$s")"
    done
    h_assert_eq "$(printf '%s\n' $slots | sort -u | wc -l | tr -d ' ')" 16 "16 shards, 16 slots" || return 1
    h_assert_eq "$(printf '%s\n' $masters | sort -u | wc -l | tr -d ' ')" 3 "the shards on all three masters"
}

case_refused() {
    h_write_config "$H_TMP/recutd.conf"
    local rc=0
    H_NO_KAFKA=1 timeout 30 "$H_RECUTD" -c "$H_TMP/recutd.conf" --set kafka.brokers= \
        >"$H_TMP/refused.out" 2>"$H_TMP/refused.log" || rc=$?
    h_assert_ne "$rc" 0 "exit status on a cluster node" || return 1
    h_assert_ne "$rc" 124 "recutd exits rather than hanging" || return 1
    grep -q 'is a Redis Cluster node' "$H_TMP/refused.log" ||
        { h_check_failed "no clear error: $(cat "$H_TMP/refused.log")"; return 1; }
}

h_case "a viewer's keys, the catalog's, a co-occurrence row's share one slot" case_viewer_one_slot
h_case "the popularity shards spread over every master" case_pop_spread
h_case "recutd refuses a Redis Cluster node with a clear error" case_refused
h_done
