#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test: the unit, end-to-end and VM-lab suites
# (label vm: builds the lab image on first use, cached in /var/cache/attest), then the unit
# suite again under AddressSanitizer + UBSan, then short fuzz runs.
# Quick loop without the slow tests: ctest --test-dir build -LE 'e2e|vm'
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
echo "== tests (unit + e2e + vm)"
ctest --test-dir build --output-on-failure -j "$(nproc)"
echo "== unit tests under AddressSanitizer + UBSan"
ATTEST_SANITIZE=1 bash scripts/build.sh
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -LE 'e2e|vm'
if [ -x scripts/fuzz-smoke.sh ]; then
  echo "== short fuzz runs"
  bash scripts/fuzz-smoke.sh
fi
