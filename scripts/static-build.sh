#!/usr/bin/env bash
# Builds vigil with the Swift runtime linked in (--static-swift-stdlib) and checks that the
# binary needs only system libraries: no libswift*, libFoundation*, libdispatch or libBlocks in
# `ldd`, and it runs (`--version`, a headless frame of the demo) with no Swift toolchain on
# LD_LIBRARY_PATH or PATH. Prints what the binary still links against.
#
#   scripts/static-build.sh            # build, then check
#   scripts/static-build.sh --check    # check an existing .build/release/vigil
#
# A release build takes several minutes (about 12 on a loaded 2-core machine), so this is a
# script, not part of Tests/run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != "--check" ]; then
  swift build -c release --static-swift-stdlib --product vigil
fi
bin=.build/release/vigil
[ -x "$bin" ] || { echo "no $bin: build it first"; exit 1; }

echo "== ldd $bin"
libs=$(ldd "$bin")
echo "$libs"
if echo "$libs" | grep -E 'libswift|libFoundation|libdispatch|libBlocksRuntime|not found'; then
  echo "FAIL: the binary needs Swift runtime libraries (or a library is missing)"
  exit 1
fi

echo "== runs without the toolchain"
# A minimal environment: no PATH to swift, no LD_LIBRARY_PATH.
env -i HOME=/tmp TERM=xterm-256color LANG=C.UTF-8 PATH=/usr/bin:/bin "$bin" --version
frame=$(env -i HOME=/tmp LANG=C.UTF-8 PATH=/usr/bin:/bin "$bin" --headless --size 80x24)
echo "$frame" | head -3
echo "$frame" | grep -q "Checkout latency" || { echo "FAIL: no dashboard in the headless frame"; exit 1; }

echo "== newest symbol versions needed (the oldest glibc / libstdc++ the host may have)"
objdump -T "$bin" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1
objdump -T "$bin" | grep -o 'GLIBCXX_[0-9.]*' | sort -uV | tail -1

echo "== size"
ls -l "$bin" | awk '{ printf "%.1f MB\n", $5 / 1e6 }'
echo "OK: $bin needs only the system libraries above"
