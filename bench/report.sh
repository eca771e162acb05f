#!/usr/bin/env bash
# Report rendering figures: 500 scenarios x 10 expectations by default (args: SCENARIOS
# EXPECTATIONS). Builds report_bench in build/ (or $BUILD_DIR) and writes the reports under
# /tmp/attest-report-bench. Fails if the HTML takes over 1 s or 10 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja >/dev/null
cmake --build "$BUILD_DIR" --target report_bench >/dev/null
"$BUILD_DIR/bench/report_bench" "${1:-500}" "${2:-10}" /tmp/attest-report-bench
