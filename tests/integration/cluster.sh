#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Redis Cluster, as far as recutd goes today: a cluster of three masters and
# three replicas (h_start_redis_cluster) agrees with recutd's key layout --
# every key of a viewer in one slot, the catalog's keys in one slot, the 16
# popularity shards spread over the masters -- and recutd, which does not
# route by slot yet, refuses to start on a cluster node with a clear error
# instead of looping on -MOVED.  recutctl rotate-key, which talks to Redis
# itself (lib/redis/rblock.c), re-seals the emotion hashes on every master,
# given the seed list or any one node.
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

# every viewer's emo hash, on every master: "KEY sealed-key-id" or "KEY clear"
emo_state() {
    local p k
    for p in $H_CLUSTER_PORTS; do
        [ "$(redis-cli -h 127.0.0.1 -p "$p" role | head -1)" = master ] || continue
        for k in $(redis-cli -h 127.0.0.1 -p "$p" --scan --pattern 'recut:{u:*}:emo'); do
            if [ "$(redis-cli -h 127.0.0.1 -p "$p" hexists "$k" sealed)" = 1 ]; then
                printf '%s %s\n' "$k" "$(redis-cli -h 127.0.0.1 -p "$p" hget "$k" sealed | cut -d: -f2)"
            else
                printf '%s clear\n' "$k"
            fi
        done
    done | sort
}

case_rotate_key() {
    local i p n masters="" out=$H_TMP/rotate.out
    # 24 viewers' hashes in clear (as an older recutd left them), spread
    # over the masters
    for i in $(seq 1 24); do
        redis-cli -c -h 127.0.0.1 -p "$H_REDIS_PORT" hset "recut:{u:rk$i}:emo" n 1 e:joy "0.86$i" >/dev/null
    done
    for p in $H_CLUSTER_PORTS; do
        [ "$(redis-cli -h 127.0.0.1 -p "$p" role | head -1)" = master ] || continue
        n=$(redis-cli -h 127.0.0.1 -p "$p" --scan --pattern 'recut:{u:rk*}:emo' | wc -l)
        [ "$n" -gt 0 ] && masters="$masters $p"
    done
    h_assert_eq "$(printf '%s\n' $masters | wc -l)" 3 "the viewers on three masters" || return 1
    h_key_file "$H_TMP/keys" k1
    "$top_builddir/ctl/recutctl" rotate-key --redis "$H_CLUSTER_ADDR" --prefix recut \
        --key-file "$H_TMP/keys" >"$out" 2>&1 ||
        { h_check_failed "rotate-key on the seeds failed: $(cat "$out")"; return 1; }
    h_assert_eq "$(cat "$out")" \
        "rotate-key: key 'k1': 0 re-sealed, 24 sealed from clear, 0 already current, 0 failed" \
        "rotate-key given the seeds" || return 1
    h_assert_eq "$(emo_state | awk '{ print $2 }' | sort | uniq -c | awk '{ print $2 "=" $1 }')" "k1=24" \
        "every hash sealed with k1, on every node" || return 1
    emo_state | grep -q 0.86 && { h_check_failed "a reading is still in clear"; return 1; }
    # a new first key; any one node is enough to find the others
    h_key_file "$H_TMP/keys2.all" k2
    cat "$H_TMP/keys" >>"$H_TMP/keys2.all"
    "$top_builddir/ctl/recutctl" rotate-key --redis "127.0.0.1:$H_REDIS_PORT" --prefix recut \
        --key-file "$H_TMP/keys2.all" >"$out" 2>&1 ||
        { h_check_failed "rotate-key on one node failed: $(cat "$out")"; return 1; }
    h_assert_eq "$(cat "$out")" \
        "rotate-key: key 'k2': 24 re-sealed, 0 sealed from clear, 0 already current, 0 failed" \
        "rotate-key given one node" || return 1
    h_assert_eq "$(emo_state | awk '{ print $2 }' | sort | uniq -c | awk '{ print $2 "=" $1 }')" "k2=24" \
        "every hash re-sealed with k2" || return 1
}

h_case "a viewer's keys, the catalog's, a co-occurrence row's share one slot" case_viewer_one_slot
h_case "the popularity shards spread over every master" case_pop_spread
h_case "recutd refuses a Redis Cluster node with a clear error" case_refused
h_case "recutctl rotate-key re-seals the hashes on every master" case_rotate_key
h_done
