#!/usr/bin/env bash
# The main job: installs, builds, builds the lab VM image on first use (cached outside the
# clone), then runs the T1114 pack in the built-in VM lab (labs/qemu.yaml): a Debian 12 guest
# that attest starts under QEMU, reverts to its clean snapshot before every scenario, provisions
# (the pack's audit rules) and powers off at the end. The Linux scenarios execute in the guest
# and are checked against the guest's own audit log; the Windows ones are skipped with the
# reason. Nothing on this machine changes beyond the installed packages and the caches.
# Results and reports (report.html, junit.xml, navigator.json, attire.json, results.json) land
# in out/demo/. LAB=labs/local.yaml runs the pack on this machine instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
lab="${LAB:-labs/qemu.yaml}"
[ "$lab" != labs/qemu.yaml ] || bash scripts/lab-image.sh >/dev/null
rm -rf out/demo
status=0
build/attest run --lab "$lab" --pack scenarios/t1114 --get-prereqs \
    --out out/demo --record out/demo/telemetry || status=$?
echo "reports: $(ls out/demo | tr '\n' ' ')"
exit $status
