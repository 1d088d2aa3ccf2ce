#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# lib/redis/rblock.c, the blocking Redis client of recut's worker threads
# and tools, against live servers: on a Redis Cluster of three masters and
# three replicas, keys are routed to all three masters; a slot moved by
# hand under an open client (CLUSTER SETSLOT IMPORTING/MIGRATING, MIGRATE,
# SETSLOT NODE) is followed through -ASK while it migrates and -MOVED
# after, for single commands and for a MULTI/EXEC pipeline in one slot;
# SCAN finds the keys of every master; an ACL user authenticates and a
# wrong password is a clear error; and one standalone node answers the
# same requests.  The client runs as one long-lived process
# (tests/helpers/rblock-probe) driven line by line.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli python3
PROBE=$top_builddir/tests/helpers/rblock-probe

h_start_redis_cluster

# probe_start SEEDS [USER PWFILE]: the client, as a coprocess
probe_start() {
    [ -z "${PROBE_P_PID:-}" ] || probe_stop
    coproc PROBE_P { "$PROBE" "$@" 2>"$H_TMP/probe.err"; }
    h_track "$PROBE_P_PID"
}
# ask REQUEST: the answer line in $R
ask() {
    printf '%s\n' "$*" >&"${PROBE_P[1]}"
    R=""
    IFS= read -r -t 60 R <&"${PROBE_P[0]}" || h_check_failed "no answer to '$*': $(cat "$H_TMP/probe.err")"
}
probe_stop() {
    exec {PROBE_P[1]}>&-
    wait "$PROBE_P_PID" 2>/dev/null
    h_untrack "$PROBE_P_PID"
    PROBE_P_PID=""
}
rc() { redis-cli -h 127.0.0.1 -p "$1" "${@:2}"; }
slot() { rc "$H_REDIS_PORT" cluster keyslot "$1"; }
# "PORT ID" of the master serving SLOT
owner() {
    rc "$H_REDIS_PORT" cluster nodes | "$SYS_PYTHON3" -c '
import sys
s = int(sys.argv[1])
for l in sys.stdin:
    f = l.split()
    if "master" not in f[2].split(","):
        continue
    for r in f[8:]:
        if r.startswith("["):
            continue
        a, _, b = r.partition("-")
        if int(a) <= s <= int(b or a):
            print(f[1].split("@")[0].rsplit(":", 1)[1], f[0])
' "$1"
}
# the masters serving slots (a replica may still look like a master for a
# moment after the cluster is created)
masters() { rc "$H_REDIS_PORT" cluster nodes | awk '$3 ~ /master/ && NF > 8 { split($2, a, "@"); n = split(a[1], b, ":"); print b[n] }'; }
# another master than PORT: "PORT ID"
other_master() {
    local p
    for p in $(masters); do
        [ "$p" = "$1" ] || { printf '%s %s\n' "$p" "$(rc "$p" cluster myid)"; return; }
    done
}
# move SLOT from its master to another one, by hand; KEYS_FIRST (optional)
# are migrated first and the function returns with the slot still
# migrating when STOP_MIGRATING=1
SRC_PORT="" SRC_ID="" DST_PORT="" DST_ID=""
move_begin() { # SLOT
    read -r SRC_PORT SRC_ID <<<"$(owner "$1")"
    read -r DST_PORT DST_ID <<<"$(other_master "$SRC_PORT")"
    rc "$DST_PORT" cluster setslot "$1" importing "$SRC_ID" >/dev/null
    rc "$SRC_PORT" cluster setslot "$1" migrating "$DST_ID" >/dev/null
}
move_key() { # KEY
    h_assert_eq "$(rc "$SRC_PORT" migrate 127.0.0.1 "$DST_PORT" "$1" 0 5000)" OK "MIGRATE $1"
}
move_end() { # SLOT
    local k p
    for k in $(rc "$SRC_PORT" cluster getkeysinslot "$1" 1000); do move_key "$k"; done
    for p in $DST_PORT $SRC_PORT $(masters); do
        rc "$p" cluster setslot "$1" node "$DST_ID" >/dev/null
    done
}

case_routing() {
    probe_start "$H_CLUSTER_ADDR"
    local i got p n=0
    for i in $(seq 1 30); do
        ask cmd SET "rb:{k$i}" "v$i"
        h_assert_eq "$R" OK "SET rb:{k$i}" || return 1
    done
    for p in $(masters); do
        got=$(rc "$p" --scan --pattern 'rb:*' | wc -l)
        h_log "master $p holds $got of the keys"
        h_assert_num "$got" ">" 0 "keys on master $p" || return 1
        n=$((n + got))
    done
    h_assert_eq "$n" 30 "keys over the masters" || return 1
    ask cmd GET "rb:{k17}"
    h_assert_eq "$R" v17 "GET rb:{k17}" || return 1
    ask spread $(for i in $(seq 1 30); do printf 'rb:{k%s} ' "$i"; done)
    h_assert_eq "$R" "$(for i in $(seq 1 30); do printf 'v%s ' "$i"; done | sed 's/ $//')" \
        "one pipeline of GETs over every master" || return 1
    ask scan 'rb:*'
    h_assert_eq "$R" 30 "SCAN over every master" || return 1
    ask masters
    h_assert_eq "$R" 3 "masters" || return 1
    ask stats
    h_assert_eq "$R" "moved=0 ask=0 tryagain=0 cluster=1" "no redirection yet" || return 1
}

case_ask_moved() {
    local s
    s=$(slot 'rb:{mv}')
    ask cmd SET 'rb:{mv}' one
    ask cmd SET 'rb:{mv}:b' two
    h_assert_eq "$R" OK "SET rb:{mv}:b" || return 1
    move_begin "$s"
    move_key 'rb:{mv}' || return 1
    h_log "slot $s migrating from $SRC_PORT to $DST_PORT, rb:{mv} moved already"
    ask cmd GET 'rb:{mv}'
    h_assert_eq "$R" one "GET of a migrated key (-ASK)" || return 1
    ask cmd GET 'rb:{mv}:b'
    h_assert_eq "$R" two "GET of a key not migrated yet" || return 1
    ask stats
    h_assert_eq "$R" "moved=0 ask=1 tryagain=0 cluster=1" "one -ASK followed" || return 1
    move_end "$s"
    ask cmd GET 'rb:{mv}:b'
    h_assert_eq "$R" two "GET after the slot moved (-MOVED)" || return 1
    ask cmd GET 'rb:{mv}'
    h_assert_eq "$R" one "GET again, on the new master directly" || return 1
    ask stats
    h_assert_eq "$R" "moved=1 ask=1 tryagain=0 cluster=1" "one -MOVED followed, the map updated" || return 1
    h_assert_eq "$(rc "$DST_PORT" get 'rb:{mv}:b')" two "the key is on the new master" || return 1
}

case_tx() {
    local s st
    s=$(slot 'rb:{tx}')
    # the slot migrating and its key not there yet: -ASK, the whole
    # transaction on the target after one ASKING
    move_begin "$s"
    ask tx 'rb:{tx}:a' 1
    h_assert_eq "$R" "[OK]" "MULTI/EXEC during a migration" || return 1
    h_assert_eq "$(printf 'ASKING\nGET rb:{tx}:a\n' | rc "$DST_PORT" | tail -1)" 1 \
        "the transaction ran on the importing master" || return 1
    # two keys, neither on the importing node: Redis answers -TRYAGAIN
    # until the migration ends; the client retries a bounded number of
    # times, then gives the error
    ask tx 'rb:{tx}:b' 2 'rb:{tx}:c' 3
    h_assert_eq "${R%% *}" "ERR:TRYAGAIN" "a multi-key transaction during a migration" || return 1
    ask stats
    st=${R#*tryagain=}
    h_assert_num "${st%% *}" ">=" 2 "-TRYAGAIN retried" || return 1
    move_end "$s"
    ask tx 'rb:{tx}:a' 3 'rb:{tx}:b' 4
    h_assert_eq "$R" "[OK,OK]" "MULTI/EXEC after the slot moved" || return 1
    ask stats
    h_assert_eq "${R%% *}" "moved=2" "the transaction redirected as a whole by -MOVED" || return 1
    h_assert_eq "$(rc "$DST_PORT" mget 'rb:{tx}:a' 'rb:{tx}:b' | tr '\n' ' ')" "3 4 " \
        "the values on the new master" || return 1
    ask scan 'rb:*'
    h_assert_eq "$R" 34 "SCAN after the moves" || return 1
}

# what rotate-key relies on: a transaction after a WATCH is not sent again
# to another master when its slot moved in between (the WATCH would not be
# there); the caller starts again from WATCH, which follows -MOVED
case_watched() {
    local s
    s=$(slot 'rb:{w}')
    ask cmd SET 'rb:{w}' old
    ask wbegin 'rb:{w}'
    h_assert_eq "$R" old "WATCH and GET" || return 1
    move_begin "$s"
    move_end "$s"
    rc "$DST_PORT" set 'rb:{w}' changed >/dev/null
    ask wcommit 'rb:{w}' new
    h_assert_eq "${R%% *}" "ERR:EXECABORT" "a WATCHed transaction after its slot moved" || return 1
    h_assert_eq "$(rc "$DST_PORT" get 'rb:{w}')" changed "the value changed meanwhile is kept" || return 1
    ask wbegin 'rb:{w}'
    h_assert_eq "$R" changed "WATCH again, on the new master" || return 1
    ask wcommit 'rb:{w}' new
    h_assert_eq "$R" "[OK]" "the transaction on the new master" || return 1
    h_assert_eq "$(rc "$DST_PORT" get 'rb:{w}')" new "the value written" || return 1
}

case_auth() {
    local p
    probe_stop
    for p in $H_CLUSTER_PORTS; do
        h_assert_eq "$(rc "$p" acl setuser rbuser on '>right-one' '~*' '&*' '+@all')" OK "ACL SETUSER on $p" || return 1
    done
    printf 'right-one\n' >"$H_TMP/pw.ok"
    printf 'not-the-password\n' >"$H_TMP/pw.bad"
    probe_start "$H_CLUSTER_ADDR" rbuser "$H_TMP/pw.ok"
    ask cmd ACL WHOAMI
    h_assert_eq "$R" rbuser "ACL WHOAMI" || return 1
    ask scan 'rb:*'
    h_assert_eq "$R" 35 "SCAN as rbuser" || return 1
    probe_stop
    local st=0
    "$PROBE" "$H_CLUSTER_ADDR" rbuser "$H_TMP/pw.bad" </dev/null 2>"$H_TMP/bad.err" || st=$?
    h_assert_eq "$st" 2 "exit status with a wrong password" || return 1
    h_log "$(cat "$H_TMP/bad.err")"
    grep -q "refused the password of user 'rbuser'" "$H_TMP/bad.err" ||
        { h_check_failed "no clear error: $(cat "$H_TMP/bad.err")"; return 1; }
    ! grep -q not-the-password "$H_TMP/bad.err" || { h_check_failed "the password is in the error"; return 1; }
}

case_standalone() {
    h_start_redis
    local a
    for a in "127.0.0.1:$H_REDIS_PORT" "unix:$H_REDIS_SOCK"; do
        rc "$H_REDIS_PORT" flushall >/dev/null
        probe_start "$a"
        ask cmd SET 'rb:{k1}' v1
        h_assert_eq "$R" OK "SET on $a" || return 1
        ask tx 'rb:{k2}' v2 'rb:{k3}' v3
        h_assert_eq "$R" "[OK,OK]" "MULTI/EXEC on $a" || return 1
        ask spread 'rb:{k1}' 'rb:{k2}' 'rb:{k3}'
        h_assert_eq "$R" "v1 v2 v3" "pipeline on $a" || return 1
        ask scan 'rb:*'
        h_assert_eq "$R" 3 "SCAN on $a" || return 1
        ask masters
        h_assert_eq "$R" 1 "masters of $a" || return 1
        ask stats
        h_assert_eq "$R" "moved=0 ask=0 tryagain=0 cluster=0" "standalone" || return 1
        probe_stop
    done
}

h_case "keys routed to all three masters; pipeline, SCAN and every master" case_routing
h_case "-ASK while a slot migrates, -MOVED after, under an open client" case_ask_moved
h_case "a MULTI/EXEC pipeline in one slot follows -ASK and -MOVED as a whole" case_tx
h_case "a WATCHed transaction is not redirected; WATCH again follows -MOVED" case_watched
h_case "an ACL user on every node; a wrong password is a clear error" case_auth
h_case "a standalone node (TCP and unix socket) answers the same" case_standalone
h_done
