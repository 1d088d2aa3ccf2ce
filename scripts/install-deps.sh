#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Install everything recut needs to build, test and run its demo on Debian 12.
# Idempotent; run as root (or with sudo available).
set -eu
PKGS="build-essential autoconf automake libtool pkg-config
 libevent-dev libhiredis-dev librdkafka-dev libsvm-dev libgsl-dev
 libjansson-dev libinih-dev libsystemd-dev libxxhash-dev zlib1g-dev libssl-dev libsodium-dev
 libavformat-dev libavcodec-dev libswscale-dev libswresample-dev libavutil-dev libavfilter-dev
 libopencv-objdetect-dev libopencv-imgproc-dev libopencv-core-dev opencv-data python3-skimage
 redis-server kcat ffmpeg python3 openssl stunnel4 python3-sklearn python3-numpy libsvm-tools
 python3-yaml python3-jsonschema chromium
 fonts-dejavu-core espeak-ng
 curl wrk valgrind clang-format
 debhelper dpkg-dev fakeroot lintian"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Node.js and npm (the browser test's playwright-core): Debian's packages
# only when the machine has none of its own (a Node.js from elsewhere, with
# its npm, conflicts with Debian's npm package).
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
  echo "install-deps: installing:$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
# The console's browser test (tests/integration/console.sh) drives Debian's
# chromium with playwright-core, installed from the lock file.
top=$(cd "$(dirname "$0")/.." && pwd)
if [ -f "$top/tests/browser/package-lock.json" ]; then
  (cd "$top/tests/browser" && npm ci --no-audit --no-fund --loglevel=error)
fi
# Debian starts redis-server as a service on install; recut's tests run their
# own instances on private ports, so the system one is not needed.
echo "install-deps: all dependencies present"
