#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Build the Debian packages (recutd, recut-tools, librecut-plugin-dev) from
# the committed tree, in a scratch copy so that the work tree stays clean,
# and check them with lintian (any error fails).  The .deb files land in
# OUTDIR (default: ./debs).
# Usage: scripts/build-debs.sh [OUTDIR]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$top/debs}" && cd "${1:-$top/debs}" && pwd)
"$top/scripts/install-deps.sh" >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/recut-debs.XXXXXX")
trap 'rm -rf "$work"' EXIT
# the committed tree only: what a clean clone builds
git -C "$top" archive --format=tar --prefix=recut/ HEAD | tar -x -C "$work"
(cd "$work/recut" && dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1) || {
    tail -n 60 "$work/build.log"
    echo "build-debs: dpkg-buildpackage failed" >&2
    exit 1
}
for p in recutd recut-tools librecut-plugin-dev; do
    ls "$work"/${p}_*.deb >/dev/null 2>&1 || { echo "build-debs: no $p package" >&2; exit 1; }
done
# lintian: errors fail the build; warnings are printed
lintian --tag-display-limit 0 "$work"/recut_*.changes >"$work/lintian.txt" 2>&1 || true
cat "$work/lintian.txt"
if grep -q '^E:' "$work/lintian.txt"; then
    echo "build-debs: lintian found errors" >&2
    exit 1
fi
cp "$work"/*.deb "$out"/
echo "build-debs: $(ls "$work"/*.deb | wc -l) packages in $out"
