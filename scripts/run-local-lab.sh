#!/usr/bin/env bash
# Runs the T1114 pack on this machine (labs/local.yaml) with real Linux audit telemetry. attest
# itself starts auditd when needed, loads the pack's audit rules and removes them afterwards
# (the lab's `rules: pack, start: true`); this is only the command with its usual options.
# Needs root (or sudo -n). Arguments are passed to `attest run`, e.g.
#   scripts/run-local-lab.sh --out runs/local --record runs/local/telemetry
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
exec "${ATTEST:-$here/build/attest}" run --lab "$here/labs/local.yaml" \
    --pack "${PACK:-$here/scenarios/t1114}" --get-prereqs "$@"
