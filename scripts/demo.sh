#!/usr/bin/env bash
# The main job on the built-in default: installs, builds, then normalizes the project's own
# sample telemetry and prints a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
./build/attest events --summary examples/telemetry/*
