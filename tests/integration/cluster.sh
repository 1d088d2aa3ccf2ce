#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Redis Cluster: on a cluster of three masters and three replicas
# (h_start_redis_cluster) recutd's key layout keeps every key of a viewer,
# and the catalog's keys, in one slot and spreads the 16 popularity shards
# over the masters; recutd started with the seed list applies a stream of
# events, and a resharding (redis-cli --cluster reshard) and a master
# failover (CLUSTER FAILOVER on a replica) while the stream runs leave
# Redis holding exactly what an uninterrupted run on a standalone Redis
# holds, key for key (tests/helpers/redis_state.py); recutd starts when
# its first seed does not answer; DELETE leaves no key of the viewer on any
# node; recutctl rotate-key (lib/redis/rblock.c)
# re-seals the emotion hashes on every master, given the seed list or any
# one node; a master killed during a stream loses no viewer's event.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli python3

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


# The stream: NV viewers, each rating, viewing, liking, skipping or sharing
# ten distinct movies of NM, with unique ids and fixed timestamps, in
# chunks of 100 NDJSON lines; viewers interleaved, each one's own events in
# order.
NV=300
NM=40
"$SYS_PYTHON3" - "$NV" "$NM" "$H_TMP/chunks" <<'GEN'
import os, random, sys
nv, nm, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
os.makedirs(out, exist_ok=True)
rnd = random.Random(20261206)
per = []
ts = 1700000000000
for v in range(nv):
    evs = []
    for j, m in enumerate(rnd.sample(range(1, nm + 1), 10)):
        ts += 1000
        t = rnd.choice(["rating", "view", "like", "like", "skip", "share"])
        extra = {"rating": ',"value":%d' % rnd.randint(1, 5),
                 "view": ',"value":0.%d' % rnd.randint(1, 9),
                 "skip": ',"t":%d.0' % rnd.randint(1, 500)}.get(t, "")
        evs.append('{"user":"c%d","type":"%s","ts":%d,"movie":"m%d","id":"c%d-%d"%s}'
                   % (v, t, ts, m, v, j, extra))
    per.append(evs)
lines = []
while any(per):
    v = rnd.choice([i for i, e in enumerate(per) if e])
    lines.append(per[v].pop(0))
for i in range(0, len(lines), 100):
    with open(os.path.join(out, "chunk-%03d.ndjson" % (i // 100)), "w") as f:
        f.write("\n".join(lines[i:i + 100]) + "\n")
GEN
N_EVENTS=$((NV * 10))

# POST an NDJSON file of events; 200 expected
post_ndjson() { # FILE
    local code
    code=$(curl -s -m 60 -o "$H_TMP/post.out" -w '%{http_code}' \
        -H 'Content-Type: application/x-ndjson' --data-binary @"$1" \
        "http://127.0.0.1:$H_HTTP_PORT/v1/events")
    h_assert_eq "$code" 200 "POST $(basename "$1") ($(head -c 200 "$H_TMP/post.out"))"
}

# run_stream CONF TAG: start recutd, PUT the catalog, POST every chunk
# (HOOKS[k] runs in the background before chunk k; the last three wait for
# the hooks to be done), wait until all are
# applied, stop recutd (its drain writes what is pending) and keep the
# state of Redis in $H_TMP/TAG.json.
HOOKS=()
run_stream() {
    local conf=$1 tag=$2 k f p pids=""
    h_start_recutd "$conf"
    for k in $(seq 1 $NM); do h_put_movie "m$k" 1800 6 "G$((k % 4))"; done
    k=0
    local last=$(($(ls "$H_TMP"/chunks | wc -l) - 3))
    for f in "$H_TMP"/chunks/chunk-*.ndjson; do
        # the last chunks only once the hooks are done: they write to the
        # slots where they are now
        if [ "$k" = "$last" ] && [ -n "$pids" ]; then
            for p in $pids; do wait "$p" || { h_check_failed "a hook failed: $(cat "$H_TMP/hook.log")"; return 1; }; done
            pids=""
        fi
        if [ -n "${HOOKS[$k]:-}" ]; then
            ${HOOKS[$k]} &
            pids="$pids $!"
        fi
        post_ndjson "$f" || return 1
        k=$((k + 1))
    done
    for f in $pids; do wait "$f" || { h_check_failed "a hook failed: $(cat "$H_TMP/hook.log")"; return 1; }; done
    h_wait_metric recut_events_applied_total "$N_EVENTS" || return 1
    h_assert_eq "$(h_metric recut_events_applied_total)" "$N_EVENTS" "events applied" || return 1
    REDIRECTS=$(h_metric recut_redis_redirects_total)
    RESETS=$(grep -c 're-applying unfinished batches' "$H_RECUTD_LOG")
    h_stop_recutd
    h_assert_eq "${H_RC:-0}" 0 "recutd's drain" || return 1
    # not {models}: the k-means/FA worker's output, on its own clock
    "$SYS_PYTHON3" "$srcdir/helpers/redis_state.py" "$H_REDIS_PORT" recut \
        --exclude '\{models\}' >"$H_TMP/$tag.json"
}

# the stream on a standalone Redis, uninterrupted: the reference
case_reference() {
    h_start_redis
    H_NO_KAFKA=1 h_write_config "$H_TMP/ref.conf"
    printf '[plugins]\nload = highlights\n' >>"$H_TMP/ref.conf"
    run_stream "$H_TMP/ref.conf" ref || return 1
    h_assert_num "$(grep -c '"recut:{u:c[0-9]*}:meta"' "$H_TMP/ref.json")" == "$NV" \
        "viewers in the reference"
}

master_ports() { # (asking the first node that answers)
    local q
    for q in $H_CLUSTER_PORTS; do
        [ "$(redis-cli -h 127.0.0.1 -p "$q" ping 2>/dev/null)" = PONG ] && break
    done
    redis-cli -h 127.0.0.1 -p "$q" cluster nodes |
        awk '$3 ~ /master/ && $3 !~ /fail/ { split($2, a, "[:@]"); print a[2] }' | sort -n |
        while read -r q; do # (one that just handed over may still be listed)
            [ "$(redis-cli -h 127.0.0.1 -p "$q" role 2>/dev/null | head -1)" = master ] && echo "$q"
        done
}
node_id() { redis-cli -h 127.0.0.1 -p "$1" cluster myid; }
# how many masters hold a key matching PATTERN
masters_with() { # PATTERN
    local p n=0
    for p in $(master_ports); do
        [ -n "$(redis-cli -h 127.0.0.1 -p "$p" --scan --pattern "$1" | head -1)" ] && n=$((n + 1))
    done
    echo "$n"
}
replica_of() { # MASTER-PORT: the port of one of its replicas
    local id
    id=$(node_id "$1")
    redis-cli -h 127.0.0.1 -p "$1" cluster nodes |
        awk -v id="$id" '$4 == id && $3 ~ /slave/ { split($2, a, "[:@]"); print a[2]; exit }'
}

# move 1000 slots from the first master to the second while events flow
reshard() {
    local from to
    from=$(master_ports | sed -n 1p)
    to=$(master_ports | sed -n 2p)
    echo "$to" >"$H_TMP/reshard.to"
    redis-cli --cluster reshard "127.0.0.1:$from" --cluster-from "$(node_id "$from")" \
        --cluster-to "$(node_id "$to")" --cluster-slots 1000 --cluster-yes \
        >"$H_TMP/reshard.log" 2>&1 || { tail -3 "$H_TMP/reshard.log" >"$H_TMP/hook.log"; return 1; }
    touch "$H_TMP/reshard.done"
}
# a replica of the third master takes over (a manual, graceful failover)
failover() {
    local m r i
    # (not while redis-cli still reshards: it tells every master it knew
    # of each slot's new owner, and one of them would be a replica now)
    for i in $(seq 1 600); do
        [ -e "$H_TMP/reshard.done" ] && break
        sleep 0.2
    done
    m=$(master_ports | sed -n 3p)
    r=$(replica_of "$m")
    [ -n "$r" ] || { echo "no replica of $m" >"$H_TMP/hook.log"; return 1; }
    echo "$r" >"$H_TMP/failover.port"
    redis-cli -h 127.0.0.1 -p "$r" cluster failover >"$H_TMP/hook.log" 2>&1 || return 1
    # done when the two have swapped roles (the command only starts it)
    for i in $(seq 1 300); do
        [ "$(redis-cli -h 127.0.0.1 -p "$r" role | head -1)" = master ] &&
            [ "$(redis-cli -h 127.0.0.1 -p "$m" role | head -1)" = slave ] && return 0
        sleep 0.1
    done
    echo "the failover of $m to $r did not complete" >"$H_TMP/hook.log"
    return 1
}

case_cluster_stream() {
    H_NO_KAFKA=1 h_write_config "$H_TMP/cl.conf"
    printf '[plugins]\nload = highlights\n' >>"$H_TMP/cl.conf"
    sed -i "s|^address = .*|address = $H_CLUSTER_ADDR|" "$H_TMP/cl.conf"
    HOOKS=([4]=reshard [16]=failover)
    run_stream "$H_TMP/cl.conf" cluster || return 1
    HOOKS=()
    h_assert_eq "$(redis-cli -h 127.0.0.1 -p "$(cat "$H_TMP/failover.port")" role | head -1)" \
        master "the replica became a master" || return 1
    h_assert_num "$(grep -c '^Moving slot' "$H_TMP/reshard.log")" == 1000 "slots moved" || return 1
    if ! diff -u "$H_TMP/ref.json" "$H_TMP/cluster.json" >"$H_TMP/state.diff"; then
        h_check_failed "the cluster differs from the uninterrupted run: $(head -c 3000 "$H_TMP/state.diff")"
        return 1
    fi
    h_assert_eq "$(masters_with 'recut:{u:*')" 3 "masters holding viewers" || return 1
    # the moves happened while recutd was writing, and it followed them
    # without dropping a connection (a drop would re-apply batches)
    h_log "redirects followed: $REDIRECTS, batches re-applied: $RESETS"
    h_assert_num "$REDIRECTS" ">=" 1 "recut_redis_redirects_total" || return 1
    h_assert_eq "$RESETS" 0 "batches re-applied after a dropped connection"
}

case_delete_everywhere() {
    # (the first seed does not answer: recutd starts through the next one)
    local dead
    dead=$(h_free_port) || h_fail "no free port"
    h_start_recutd "$H_TMP/cl.conf" --set "redis.address=127.0.0.1:$dead,$H_CLUSTER_ADDR"
    local u
    for u in c1 c2 c3 c4 c5; do
        h_http DELETE "/v1/users/$u"
        case $H_STATUS in 2??) ;; *) h_check_failed "DELETE /v1/users/$u: $H_STATUS"; return 1 ;; esac
    done
    "$SYS_PYTHON3" "$srcdir/helpers/redis_state.py" "$H_REDIS_PORT" recut --keys >"$H_TMP/keys.after"
    if grep -E '^recut:\{u:c[1-5]\}' "$H_TMP/keys.after"; then
        h_check_failed "keys of deleted viewers are left"
        return 1
    fi
    grep -q '^recut:{u:c6}' "$H_TMP/keys.after" || { h_check_failed "c6 is gone too"; return 1; }
    h_stop_recutd
}

# A master dies (kill -9) while events flow: the cluster promotes its
# replica after cluster-node-timeout; recutd loses that connection, so it
# drops every node, reconnects through the seeds and re-applies what was
# not acknowledged.  Every event is applied once: each viewer's count is
# exact (the global counts summed in memory may not be: DELIVERY
# GUARANTEES in recutd(8)).
case_master_killed() {
    h_start_recutd "$H_TMP/cl.conf"
    local p victim="" pid k f code tries
    for p in $(master_ports); do
        redis-cli -h 127.0.0.1 -p "$p" get 'recut:{catalog}:version' | grep -q MOVED && victim=$p
    done
    [ -n "$victim" ] || { h_check_failed "no master to kill"; return 1; }
    "$SYS_PYTHON3" - "$H_TMP/kchunks" <<'GEN'
import os, sys
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for c in range(10):
    with open(os.path.join(out, "k-%02d.ndjson" % c), "w") as f:
        for v in range(60):
            f.write('{"user":"k%d","type":"like","ts":%d,"movie":"m%d","id":"k%d-%d"}\n'
                    % (v, 1800000000000 + c * 1000, c + 1, v, c))
GEN
    k=0
    for f in "$H_TMP"/kchunks/k-*.ndjson; do
        if [ "$k" = 3 ]; then
            pid=$(redis-cli -h 127.0.0.1 -p "$victim" info server | sed -n 's/^process_id:\([0-9]*\).*/\1/p')
            h_log "killing master $victim (pid $pid)"
            kill -9 "$pid"
        fi
        tries=0
        while :; do
            code=$(curl -s -m 60 -o "$H_TMP/post.out" -w '%{http_code}' \
                -H 'Content-Type: application/x-ndjson' --data-binary @"$f" \
                "http://127.0.0.1:$H_HTTP_PORT/v1/events")
            [ "$code" = 200 ] && break
            tries=$((tries + 1))
            [ "$tries" -lt 60 ] || { h_check_failed "POST $(basename "$f"): $code"; return 1; }
            sleep 1 # 503 while the cluster elects a new master: send it again
        done
        k=$((k + 1))
    done
    h_wait_metric recut_events_applied_total 600 || return 1
    local v n bad="" live=""
    for p in $(master_ports); do
        [ "$(redis-cli -h 127.0.0.1 -p "$p" ping 2>/dev/null)" = PONG ] && live=$p
    done
    for v in $(seq 0 59); do
        n=$(redis-cli -c -h 127.0.0.1 -p "$live" get "recut:{u:k$v}:state" | h_viewer_blob meta events)
        [ "$n" = 10 ] || bad="$bad k$v:$n"
    done
    h_assert_eq "$bad" "" "viewers whose event count is not exactly 10" || return 1
    h_health_ok || { h_check_failed "recutd not healthy after the failover"; return 1; }
    h_stop_recutd
}

# every viewer's emo hash, on every master: "KEY sealed-key-id" or "KEY clear"
emo_state() {
    local p k
    for p in $(master_ports); do
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
    local i out=$H_TMP/rotate.out
    # 24 viewers' hashes in clear (as an older recutd left them), spread
    # over the masters
    for i in $(seq 1 24); do
        redis-cli -c -h 127.0.0.1 -p "$H_REDIS_PORT" hset "recut:{u:rk$i}:emo" n 1 e:joy "0.86$i" >/dev/null
    done
    h_assert_eq "$(masters_with 'recut:{u:rk*}:emo')" 3 "the viewers on three masters" || return 1
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

# An ACL user on every node (recutd(8)'s suggested rights): recutd
# authenticates on each master's connection, its own and its workers'; a
# wrong password stops start-up with a clear error.
case_acl() {
    local p pw=Cl-s3cret-77 rc=0
    for p in $H_CLUSTER_PORTS; do
        redis-cli -h 127.0.0.1 -p "$p" acl setuser recut on ">$pw" '~recut:*' '&*' '+@all' \
            '-@dangerous' '+info' '+cluster' >/dev/null || { h_check_failed "ACL SETUSER on $p"; return 1; }
    done
    printf '%s\n' "$pw" >"$H_TMP/cl.pw"
    printf 'wrong-pw\n' >"$H_TMP/cl-bad.pw"
    chmod 600 "$H_TMP/cl.pw" "$H_TMP/cl-bad.pw"
    cp "$H_TMP/cl.conf" "$H_TMP/acl.conf"
    printf '[redis]\nuser = recut\npassword_file = %s\n' "$H_TMP/cl.pw" >>"$H_TMP/acl.conf"
    timeout 30 "$H_RECUTD" -c "$H_TMP/acl.conf" --set "redis.password_file=$H_TMP/cl-bad.pw" \
        --set "http.listen=127.0.0.1:$(h_free_port)" >"$H_TMP/bad.out" 2>"$H_TMP/bad.log" || rc=$?
    h_assert_ne "$rc" 0 "exit status with a wrong password" || return 1
    h_assert_ne "$rc" 124 "recutd exits rather than hanging" || return 1
    grep -q 'AUTH as user recut failed' "$H_TMP/bad.log" ||
        { h_check_failed "no start-up error naming the user: $(cat "$H_TMP/bad.log")"; return 1; }
    h_start_recutd "$H_TMP/acl.conf"
    local before
    before=$(h_metric recut_events_applied_total)
    # 30 viewers: some on every master (8 left one out about one run in ten)
    for p in $(seq 1 30); do h_event "acl$p" like "m$((p % 8 + 1))" "acl-$p"; done >"$H_TMP/acl.ndjson"
    post_ndjson "$H_TMP/acl.ndjson" || return 1
    h_wait_metric recut_events_applied_total $((before + 30)) || return 1
    h_health_ok || { h_check_failed "not healthy as an ACL user"; return 1; }
    # the connections recutd holds are the ACL user's, on every master
    for p in $(master_ports); do
        redis-cli -h 127.0.0.1 -p "$p" client list | grep -q ' user=recut ' ||
            { h_check_failed "no connection as user recut on master $p"; return 1; }
    done
    h_stop_recutd
}

# Every key of every master, values as redis-cli prints them.
dump_cluster() { # OUT
    local p k t
    : >"$1"
    for p in $(master_ports); do
        for k in $(redis-cli -h 127.0.0.1 -p "$p" --scan --pattern 'recut:*'); do
            t=$(redis-cli -h 127.0.0.1 -p "$p" type "$k")
            printf '%s %s: ' "$t" "$k"
            case $t in
            hash) redis-cli -h 127.0.0.1 -p "$p" --raw hgetall "$k" ;;
            string) redis-cli -h 127.0.0.1 -p "$p" --raw get "$k" ;;
            list) redis-cli -h 127.0.0.1 -p "$p" --raw lrange "$k" 0 -1 ;;
            set) redis-cli -h 127.0.0.1 -p "$p" --raw smembers "$k" ;;
            zset) redis-cli -h 127.0.0.1 -p "$p" --raw zrange "$k" 0 -1 withscores ;;
            esac
        done
    done >>"$1"
}

# Emotion readings and comment texts of consenting viewers spread over the
# masters: nothing of them in clear on any node.
case_privacy() {
    h_key_file "$H_TMP/cl.keys" k1
    cp "$H_TMP/cl.conf" "$H_TMP/priv.conf"
    h_config_keys "$H_TMP/priv.conf" "$H_TMP/cl.keys"
    h_start_recutd "$H_TMP/priv.conf"
    local v before
    before=$(h_metric recut_events_applied_total)
    for v in $(seq 1 30); do
        h_event "pv$v" consent "" "pv$v-1" '"value":1'
        h_event "pv$v" emotion m1 "pv$v-2" '"scene":1,"emotion":{"joy":0.73193577,"sadness":0.28466391}'
        h_event "pv$v" comment m2 "pv$v-3" '"text":"zanzibar quokka marmalade, a great film"'
    done >"$H_TMP/priv.ndjson"
    post_ndjson "$H_TMP/priv.ndjson" || return 1
    h_wait_metric recut_events_applied_total $((before + 90)) || return 1
    h_stop_recutd
    dump_cluster "$H_TMP/dump.txt"
    h_assert_eq "$(masters_with 'recut:{u:pv*}:emo')" 3 "masters holding sealed emotion state" || return 1
    # (long tokens only: a short one may turn up inside a sealed value)
    for v in 73193577 28466391 zanzibar quokka marmalade; do
        if grep -qi -- "$v" "$H_TMP/dump.txt"; then
            h_check_failed "'$v' is in Redis: $(grep -i -- "$v" "$H_TMP/dump.txt" | cut -c1-200)"
            return 1
        fi
    done
}

# a case that failed half-way may leave its recutd running: stop it, so
# the next case starts from a clean slate rather than failing too
cl_case() {
    h_case "$@"
    if [ -n "$H_RECUTD_PID" ]; then h_stop_recutd; fi
}

cl_case "an uninterrupted stream on a standalone Redis (the reference)" case_reference
h_start_redis_cluster
cl_case "a viewer's keys, the catalog's, a co-occurrence row's share one slot" case_viewer_one_slot
cl_case "the popularity shards spread over every master" case_pop_spread
cl_case "a stream through a reshard and a failover holds what the reference holds" case_cluster_stream
cl_case "a dead first seed; DELETE leaves no key of the viewer on any node" case_delete_everywhere
cl_case "recutctl rotate-key re-seals the hashes on every master" case_rotate_key
cl_case "an ACL user on every node; a wrong password is a clear start-up error" case_acl
cl_case "no emotion reading or comment text in clear on any node" case_privacy
cl_case "a master killed during a stream: every viewer's events applied once" case_master_killed
h_done
