#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Redis AUTH with an ACL user: recutd (and its redis publisher) authenticate
# as [redis] user with the secret of [redis] password_file on every
# connection, reconnects included; a wrong password stops recutd at start
# with an error naming the user; the password shows in no log line and not
# in --dump-config; SIGHUP reads a rotated password.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli kcat curl python3
h_require_mockkafka

PW='s3cret-Pw-4711'
PW2='r0tated-Pw-0815'
BAD='wr0ng-Pw-9999'
# the default user is off: nothing gets in without AUTH.  recut has the
# ACL recutd(8) suggests; the test itself talks as "admin".
H_REDIS_CLI_ARGS="--user admin --pass adminpw --no-auth-warning"
h_start_redis --user default off --user admin on '>adminpw' '~*' '&*' '+@all' \
    --user recut on ">$PW" '~recut:*' '&*' '+@all' '-@dangerous' '+info'
h_start_kafka recut.events:2 recut.catalog recut.published recut.deadletter
CONF=$H_TMP/recutd.conf
h_write_config "$CONF"
printf '%s\n' "$PW" >"$H_TMP/redis.pw"
chmod 600 "$H_TMP/redis.pw"
cat >>"$CONF" <<EOF2
[redis]
user = recut
password_file = $H_TMP/redis.pw
EOF2
# (a second [redis] section adds to the first)
h_start_recutd "$CONF"
h_put_movie m1 2400 12 Drama
h_put_movie m2 2400 12 Comedy

produce() { # USER ID MOVIE
    printf '%s\t%s\n' "$1" "$(h_event "$1" rating "$3" "$2" '"value":5')" | h_produce recut.events
}
events_are() { [ "$(h_viewer "$1" meta events)" = "$2" ]; }
recs_exist() { [ "$(h_redis EXISTS "recut:{u:$1}:recs")" = 1 ]; }
kill_clients() { # every connection but redis-cli's own
    h_redis CLIENT KILL TYPE normal SKIPME yes >/dev/null
}

case_noauth_refused() {
    # the server really wants AUTH, and the password works for recut
    h_assert_eq "$(redis-cli -h 127.0.0.1 -p "$H_REDIS_PORT" ping 2>&1 | grep -c NOAUTH)" 1 \
        "PING without AUTH refused" || return 1
    h_assert_eq "$(redis-cli -h 127.0.0.1 -p "$H_REDIS_PORT" --user recut --pass "$PW" \
        --no-auth-warning ping 2>&1)" PONG "PING as recut"
}

case_right_password() {
    produce a1 a1-1 m1
    h_wait_for "$H_TIMEOUT" "a1's event applied" events_are a1 1 || return 1
    h_wait_for "$H_TIMEOUT" "a1's recommendations published to Redis" recs_exist a1
}

case_reconnect_auths() {
    kill_clients
    produce a2 a2-1 m2
    h_wait_for "$H_TIMEOUT" "a2's event applied after the connections were killed" events_are a2 1 || return 1
    h_wait_for "$H_TIMEOUT" "health 200" h_health_ok
}

case_rotated_password() {
    h_redis ACL SETUSER recut resetpass ">$PW2" >/dev/null
    printf '%s\n' "$PW2" >"$H_TMP/redis.pw"
    kill -HUP "$H_RECUTD_PID"
    h_wait_metric recut_reloads_total 1 || return 1
    kill_clients
    produce a3 a3-1 m1
    h_wait_for "$H_TIMEOUT" "a3's event applied with the rotated password" events_are a3 1 || return 1
    h_wait_for "$H_TIMEOUT" "a3's recommendations published with the rotated password" recs_exist a3
}

case_wrong_password() {
    printf '%s\n' "$BAD" >"$H_TMP/bad.pw"
    local rc=0
    timeout 30 "$H_RECUTD" -c "$CONF" --set "redis.password_file=$H_TMP/bad.pw" \
        --set "http.listen=127.0.0.1:$(h_free_port)" >"$H_TMP/bad.out" 2>"$H_TMP/bad.log" || rc=$?
    h_assert_ne "$rc" 0 "exit status with a wrong password" || return 1
    h_assert_ne "$rc" 124 "recutd exits rather than hanging" || return 1
    grep -q 'AUTH as user recut failed' "$H_TMP/bad.log" ||
        { h_check_failed "no start-up error naming the user: $(cat "$H_TMP/bad.log")"; return 1; }
    ! grep -qF "$BAD" "$H_TMP/bad.log" "$H_TMP/bad.out" ||
        { h_check_failed "the wrong password is in the output"; return 1; }
}

case_check_config() {
    local rc=0
    "$H_RECUTD" -c "$CONF" --set "redis.password_file=$H_TMP/missing.pw" --check-config \
        >"$H_TMP/check.out" 2>&1 || rc=$?
    h_assert_ne "$rc" 0 "--check-config with a missing password file" || return 1
    grep -q 'redis.password_file' "$H_TMP/check.out" ||
        { h_check_failed "no error naming redis.password_file: $(cat "$H_TMP/check.out")"; return 1; }
    rc=0
    "$H_RECUTD" -c "$CONF" --check-config >"$H_TMP/check.out" 2>&1 || rc=$?
    h_assert_eq "$rc" 0 "--check-config with the password file"
}

case_secret_nowhere() {
    "$H_RECUTD" -c "$CONF" --dump-config >"$H_TMP/dump" 2>&1
    grep -q "password_file = $H_TMP/redis.pw" "$H_TMP/dump" ||
        { h_check_failed "--dump-config does not show password_file"; return 1; }
    local f
    for f in "$H_TMP/dump" "$H_TMP"/recutd.*.log*; do
        ! grep -qF -e "$PW" -e "$PW2" "$f" || { h_check_failed "a password is in $f"; return 1; }
    done
}

case_rotate_key_auths() {
    # recutctl rotate-key talks to Redis itself, as the same ACL user
    local rk=$H_TMP/rotate.conf out=$H_TMP/rotate.out rc=0
    h_key_file "$H_TMP/keys" k1
    cp "$CONF" "$rk" && h_config_keys "$rk" "$H_TMP/keys"
    "$top_builddir/ctl/recutctl" rotate-key --config "$rk" >"$out" 2>&1 || rc=$?
    h_assert_eq "$rc" 0 "rotate-key exit status with the right password ($(cat "$out"))" || return 1
    grep -q "rotate-key: key 'k1'" "$out" ||
        { h_check_failed "no rotate-key summary: $(cat "$out")"; return 1; }
    printf 'not-the-password\n' >"$H_TMP/wrong.pw"
    sed "s|^password_file = .*|password_file = $H_TMP/wrong.pw|" "$rk" >"$rk.bad"
    rc=0
    "$top_builddir/ctl/recutctl" rotate-key --config "$rk.bad" >"$out" 2>&1 || rc=$?
    h_assert_eq "$rc" 2 "rotate-key exit status with a wrong password" || return 1
    grep -q "user 'recut'" "$out" || { h_check_failed "no error naming the user: $(cat "$out")"; return 1; }
    ! grep -qF "not-the-password" "$out" || { h_check_failed "the password is in the output"; return 1; }
}

h_case "Redis refuses clients without AUTH" case_noauth_refused
h_case "with the right password events are applied and published" case_right_password
h_case "every reconnect authenticates again" case_reconnect_auths
h_case "SIGHUP reads a rotated password" case_rotated_password
h_case "a wrong password is a clear start-up error naming the user" case_wrong_password
h_case "--check-config refuses a password file it cannot read" case_check_config
h_case "the password is in no log line nor --dump-config" case_secret_nowhere
h_case "recutctl rotate-key authenticates as [redis] user" case_rotate_key_auths
h_stop_recutd
h_done
