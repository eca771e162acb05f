#!/usr/bin/env bash
# Configures and builds attest into build/ (binary: build/attest).
# ATTEST_SANITIZE=1 builds with AddressSanitizer and UBSan into build-asan/.
set -euo pipefail
cd "$(dirname "$0")/.."
# Relative paths in the cache key: a fresh clone on the same machine reuses the compile cache.
export CCACHE_BASEDIR="$(pwd)"
# -g puts the working directory into the hash unless told otherwise: without this, every
# worktree and fresh clone missed the cache.
export CCACHE_NOHASHDIR=1
BUILD_DIR=${BUILD_DIR:-build}
EXTRA=()
if [ "${ATTEST_SANITIZE:-0}" = 1 ]; then
  BUILD_DIR=${BUILD_DIR_ASAN:-build-asan}
  EXTRA+=(-DATTEST_SANITIZE=ON -DATTEST_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug)
fi
cmake -S . -B "$BUILD_DIR" -G Ninja "${EXTRA[@]}" >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
