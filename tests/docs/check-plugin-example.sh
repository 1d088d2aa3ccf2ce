#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check-plugin-example.sh -- the example plugin of recut-plugin(3) compiles
# warning-free against <recut/plugin.h>, exports only recut_plugin_entry,
# and carries the stamp this recutd accepts (magic, ABI version, build
# signature as printed by `recutd --version`, kind and name).
#
# Environment (set by man/Makefile.am): MAN3, CC, PLUGIN_CPPFLAGS, RECUTD,
# SYS_PYTHON3.  Exit 0 pass, 1 fail, 77 skip (no nm), 99 hard error.

: "${MAN3:?}" "${CC:?}" "${PLUGIN_CPPFLAGS:?}" "${RECUTD:?}" "${SYS_PYTHON3:?}"
[ -x "$RECUTD" ] || { echo "ERROR: $RECUTD is not built"; exit 99; }
command -v nm >/dev/null 2>&1 || { echo "SKIP: no nm"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-plugin-example.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# The example, from between its markers, with the roff escapes undone.
sed -n '/^\.\\" example first\.c begin$/,/^\.\\" example first\.c end$/p' "$MAN3" |
    sed -e '1d' -e '$d' | sed -e '/^\.nf$/d' -e '/^\.fi$/d' \
        -e 's/\\(aq/'"'"'/g' -e 's/\\-/-/g' -e 's/^\\&//' -e 's/\\e/\\/g' >"$tmp/first.c"
[ -s "$tmp/first.c" ] || { echo "FAIL: no example between the markers in $MAN3"; exit 1; }
grep -q 'recut_plugin_entry' "$tmp/first.c" || { echo "FAIL: the example has no recut_plugin_entry"; exit 1; }

# shellcheck disable=SC2086
if ! $CC -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror \
        -shared -fPIC -fvisibility=hidden $PLUGIN_CPPFLAGS "$tmp/first.c" -o "$tmp/first.so" 2>"$tmp/cc.err"; then
    echo "FAIL: the example of recut-plugin(3) does not compile:"
    cat "$tmp/cc.err"
    exit 1
fi
echo "ok - the example compiles with -Wall -Wextra -Werror"

syms=$(nm -D --defined-only "$tmp/first.so" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sort | tr '\n' ' ')
if [ "$syms" != "recut_plugin_entry " ]; then
    echo "FAIL: the example exports '$syms', expected only recut_plugin_entry"
    exit 1
fi
echo "ok - it exports only recut_plugin_entry"

sig=$("$RECUTD" --version | sed -n 's/.*plugin ABI \([0-9][0-9]*\), \([^)]*\)).*/\1 \2/p')
[ -n "$sig" ] || { echo "ERROR: cannot read the ABI from recutd --version"; exit 99; }
"$SYS_PYTHON3" - "$tmp/first.so" $sig <<'PY' || exit 1
import ctypes, sys
so, abi, sig = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lib = ctypes.CDLL(so)
entry = lib.recut_plugin_entry
entry.restype = ctypes.c_void_p
class Plugin(ctypes.Structure):
    _fields_ = [("magic", ctypes.c_uint32), ("abi_version", ctypes.c_uint32),
                ("signature", ctypes.c_char_p), ("struct_size", ctypes.c_size_t),
                ("name", ctypes.c_char_p), ("description", ctypes.c_char_p),
                ("kind", ctypes.c_int)]
p = Plugin.from_address(entry())
problems = []
if p.magic != 0x52435554: problems.append("magic %#x" % p.magic)
if p.abi_version != abi: problems.append("ABI %d, recutd wants %d" % (p.abi_version, abi))
psig = p.signature.decode() if p.signature else "(none)"
if psig != sig: problems.append("signature %s, recutd wants %s" % (psig, sig))
if p.name != b"first" or p.kind != 2: problems.append("name %r kind %d" % (p.name, p.kind))
if problems:
    print("FAIL: the example's stamp: " + "; ".join(problems))
    sys.exit(1)
print("ok - its stamp matches recutd (ABI %d, %s)" % (abi, sig))
PY
echo "PASS"
