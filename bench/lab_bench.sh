#!/usr/bin/env bash
# Per-scenario overhead of the VM lab (labs/qemu.yaml's guest under QEMU; TCG without
# /dev/kvm): N trivial scenarios (`true`), each after a snapshot revert. Prints, per scenario
# after the first (which starts the VM): revert seconds (loadvm), readiness seconds (until sshd
# and the lab's readiness command answer), and orchestration ms: the time from readiness to
# the verdict (in run.log) that attest spends itself, i.e. minus the time it waited on the
# target (timing.transport_seconds: every ssh command and file transfer, timed by the runner).
# Targets: revert + readiness <= 10 s under TCG, orchestration <= 50 ms. Builds the lab image first when it is absent (scripts/lab-image.sh).
#   bench/lab_bench.sh [N]   (default 6)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
attest="${ATTEST:-$here/build/attest}"
n="${1:-6}"
bash "$here/scripts/lab-image.sh" >/dev/null
work="$(mktemp -d /tmp/attest-lab-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/pack/atomics/T1114.001"
{
    echo "attack_technique: T1114.001"
    echo "display_name: 'Email Collection: Local Email Collection'"
    echo "atomic_tests:"
    for i in $(seq 1 "$n"); do
        printf -- "- name: trivial %s\n  auto_generated_guid: 5e1f0000-0000-4000-8000-%012d\n" "$i" "$i"
        printf "  description: does nothing\n  supported_platforms: [linux]\n"
        printf "  executor:\n    name: sh\n    elevation_required: false\n    command: 'true'\n"
    done
} > "$work/pack/atomics/T1114.001/T1114.001.yaml"
sed -e "s|image: images/debian12|image: $here/labs/images/debian12|" \
    -e "s|rules: pack|rules: $here/scenarios/t1114/lab/auditd.rules|" \
    "$here/labs/qemu.yaml" > "$work/lab.yaml"

"$attest" run --quiet --lab "$work/lab.yaml" --pack "$work/pack" \
    --out "$work/out" || true

python3 - "$work" <<'PY'
import json, re, statistics, sys
from datetime import datetime
work = sys.argv[1]
def ts(s):
    return datetime.strptime(s.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
res = json.load(open(work + "/out/results.json"))
verdict_at = {}
for line in open(work + "/out/run.log"):
    stamp, _, msg = line.partition(" ")
    m = re.match(r"\[(\S+)\] (.*): (passed|failed|error|inconclusive|skipped|executed)\b", msg)
    if m:
        verdict_at[m.group(2)] = ts(stamp)
rows = []
for s in res["scenarios"]:
    r = s.get("revert") or {}
    if "readiness_seconds" not in r or s["name"] not in verdict_at:
        continue
    ready = ts(r["started"]) + r["seconds"] + r["readiness_seconds"]
    end = verdict_at[s["name"]]
    in_ssh = s["timing"]["transport_seconds"]
    rows.append((s["name"], r["outcome"], r["seconds"], r["readiness_seconds"],
                 (end - ready - in_ssh) * 1000, s["verdict"]))
print(f"{'scenario':<12} {'revert':<22} {'revert s':>9} {'ready s':>8} {'orch ms':>8}")
for name, outcome, rev, rdy, orch, verdict in rows:
    print(f"{name:<12} {outcome:<22} {rev:9.2f} {rdy:8.2f} {orch:8.1f}")
steady = [r for r in rows if r[1] == "reverted"]
if steady:
    rr = [r[2] + r[3] for r in steady]
    orch = [r[4] for r in steady]
    print(f"reverted scenarios: {len(steady)}; revert + readiness median {statistics.median(rr):.2f} s "
          f"(max {max(rr):.2f}) -> {'OK' if statistics.median(rr) <= 10 else 'OVER'} (<= 10 s)")
    print(f"orchestration median {statistics.median(orch):.1f} ms (max {max(orch):.1f}) -> "
          f"{'OK' if statistics.median(orch) <= 50 else 'OVER'} (<= 50 ms)")
PY
