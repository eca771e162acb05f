#!/usr/bin/env bash
# The main job on the built-in default: installs, builds, then runs the T1114 pack on this
# machine (labs/local.yaml) with real Linux audit telemetry. The Linux scenarios execute and are
# checked; the Windows ones are skipped with the reason. Results and reports (report.html,
# junit.xml, navigator.json, attire.json, results.json) land in out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
rm -rf out/demo
bash scripts/run-local-lab.sh --out out/demo --record out/demo/telemetry --get-prereqs
echo "reports: $(ls out/demo | tr '\n' ' ')"
