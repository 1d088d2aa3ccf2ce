#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-unit.sh -- the generated recutd.service and recutd.conf: no
# placeholder left, the unit passes `systemd-analyze verify` (skipped when
# systemd-analyze is not installed), and the shipped configuration is valid
# both as shipped and with every key uncommented.
set -u
: "${top_builddir:?run through make check}"
: "${builddir:=$top_builddir/conf}"
: "${bindir:?run through make check}"
: "${sysconfdir:?run through make check}"

UNIT=$builddir/recutd.service
CONF=$builddir/recutd.conf
RECUTD=$top_builddir/daemon/recutd
fails=0
fail() { echo "not ok - $*"; fails=$((fails + 1)); }
pass() { echo "ok - $*"; }

T=$(mktemp -d "${TMPDIR:-/tmp}/test-unit.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT

for f in "$UNIT" "$CONF"; do
    [ -s "$f" ] || { echo "ERROR: $f is not built"; exit 99; }
    if grep -n '@[a-zA-Z_]*@' "$f"; then fail "$(basename "$f"): placeholder left"; else pass "$(basename "$f"): substituted"; fi
done

grep -qx "ExecStart=$bindir/recutd -c $sysconfdir/recut/recutd.conf" "$UNIT" &&
    pass "ExecStart runs \$bindir/recutd with \$sysconfdir/recut/recutd.conf" ||
    fail "ExecStart line: $(grep '^ExecStart=' "$UNIT")"
for kv in Type=notify 'ExecReload=/bin/kill -HUP $MAINPID' WatchdogSec=30 Restart=on-failure \
          NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes DynamicUser=yes; do
    grep -qxF -- "$kv" "$UNIT" && pass "unit has $kv" || fail "unit lacks $kv"
done
grep -q '^TimeoutStopSec=' "$UNIT" && pass "unit has TimeoutStopSec" || fail "unit lacks TimeoutStopSec"

# The shipped configuration parses, as shipped and with every key set to its
# default (uncommented).
if [ -x "$RECUTD" ]; then
    if "$RECUTD" --check-config -c "$CONF" >"$T/out" 2>&1; then
        pass "recutd --check-config accepts recutd.conf"
    else
        fail "recutd --check-config: $(cat "$T/out")"
    fi
    sed -e 's/^#\([a-z_][a-z_]* =\)/\1/' "$CONF" >"$T/all.conf"
    n=$(grep -c '^[a-z_][a-z_]* =' "$T/all.conf")
    if [ "$n" -gt 0 ] && "$RECUTD" --check-config -c "$T/all.conf" >"$T/out" 2>&1; then
        pass "recutd.conf with its $n keys uncommented is valid"
    else
        fail "recutd.conf uncommented: $(cat "$T/out")"
    fi
else
    echo "ERROR: $RECUTD is not built"
    exit 99
fi

# systemd-analyze verify wants ExecStart's binary to exist: point it at the
# built recutd.
if command -v systemd-analyze >/dev/null 2>&1; then
    sed -e "s|^\(ExecStart[A-Za-z]*=\)$bindir/|\1$top_builddir/daemon/|" "$UNIT" >"$T/recutd.service"
    if systemd-analyze verify --man=no "$T/recutd.service" >"$T/verify" 2>&1 && [ ! -s "$T/verify" ]; then
        pass "systemd-analyze verify"
    else
        fail "systemd-analyze verify: $(cat "$T/verify")"
    fi
else
    echo "# systemd-analyze not installed: unit not verified"
fi

[ "$fails" -eq 0 ] || { echo "FAIL: $fails"; exit 1; }
echo PASS
