#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# layering.sh -- the arrows point one way.  lib/util includes nothing of
# lib/models, lib/redis or lib/core, lib/models and lib/redis nothing of
# each other or of lib/core, and nothing in
# lib/ includes a header of the programs above it (daemon/, ctl/, video/,
# eval/); inside daemon/, the include graph between modules has no cycle
# except through recutd.c's wiring (scripts/daemon-include-graph.py).
: "${top_srcdir:?run through make check}"
cd "$top_srcdir" || exit 99
rc=0
headers_of() { find "$@" -name '*.h' -exec basename {} \; | sort -u; }
# check_dir DIR FORBIDDEN-DIRS...: no file of DIR includes a header of those
check_dir() {
    dir=$1
    shift
    for h in $(headers_of "$@"); do
        hits=$(grep -rl --include='*.[ch]' "^#include \"$h\"" "$dir")
        if [ -n "$hits" ]; then
            echo "not ok: $(echo "$hits" | tr '\n' ' ')include $h, a header of a layer above ($*)"
            rc=1
        fi
    done
}
check_dir lib/util lib/models lib/core lib/redis daemon ctl video eval
check_dir lib/redis lib/models lib/core daemon ctl video eval
check_dir lib/models lib/core lib/redis daemon ctl video eval
check_dir lib/core daemon ctl video eval
[ "$rc" -eq 0 ] && echo "ok: lib/util < lib/models, lib/redis < lib/core < programs"
if "${SYS_PYTHON3:-python3}" scripts/daemon-include-graph.py daemon >"${TMPDIR:-/tmp}/layering.$$" 2>&1; then
    echo "ok: $(tail -n 1 "${TMPDIR:-/tmp}/layering.$$")"
else
    cat "${TMPDIR:-/tmp}/layering.$$"
    echo "not ok: an include cycle between daemon modules"
    rc=1
fi
rm -f "${TMPDIR:-/tmp}/layering.$$"
exit $rc
