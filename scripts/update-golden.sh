#!/usr/bin/env bash
# Regenerates the golden NDJSON files (tests/data/golden/) from the current `attest events`
# output of every shared sample and fixture. Review `git diff tests/data/golden` before committing:
# every change there is a change of the events users get.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake --build "$BUILD_DIR" --target attest_collectors_tests >/dev/null
ATTEST_UPDATE_GOLDEN=1 "$BUILD_DIR"/tests/attest_collectors_tests --gtest_filter='AllSamples/Golden.*' >/dev/null
git status --short tests/data/golden
