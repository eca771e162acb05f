#!/usr/bin/env bash
# Orchestration overhead of `attest run`: 200 runs of a trivial scenario (10 tests x 20 local
# targets), one thread (lab concurrency 1). Per scenario, overhead = its share of the wall
# time (gap between consecutive verdicts in run.log, which includes preflight, journaling
# and evaluation) minus its command time (execution.end - execution.start).
# Inputs are generated under /tmp; prints the median, p90 and mean overhead.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
attest="${ATTEST:-$here/build/attest}"
work="$(mktemp -d /tmp/attest-run-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/pack/atomics/T1114.001"
{
    echo "attack_technique: T1114.001"
    echo "display_name: 'Email Collection: Local Email Collection'"
    echo "atomic_tests:"
    for i in $(seq 0 9); do
        cat <<T
- name: trivial $i
  auto_generated_guid: 5e1f0000-0000-4000-8000-00000000000$i
  description: does nothing
  supported_platforms: [linux]
  executor:
    name: sh
    elevation_required: false
    command: |
      true
T
    done
} > "$work/pack/atomics/T1114.001/T1114.001.yaml"
{
    echo "lab: bench"
    echo "concurrency: 1"
    echo "targets:"
    for t in $(seq -w 1 20); do
        printf -- "- name: t%s\n  platform: linux\n  transport: local\n" "$t"
    done
} > "$work/lab.yaml"

start=$(date +%s.%N)
"$attest" run --quiet --lab "$work/lab.yaml" --pack "$work/pack" --out "$work/out" || true
end=$(date +%s.%N)

python3 - "$work/out" "$start" "$end" <<'PY'
import json, re, statistics, sys
from datetime import datetime
out, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
def ts(s):
    return datetime.strptime(s.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
res = json.load(open(out + "/results.json"))
exec_time = {}
for s in res["scenarios"]:
    e = s["execution"]
    exec_time[(s["target"], s["name"])] = ts(e["end"]) - ts(e["start"])
verdicts, first = [], None
for line in open(out + "/run.log"):
    stamp, _, msg = line.partition(" ")
    if first is None:
        first = ts(stamp)
    m = re.match(r"\[(\S+)\] (.*): (passed|failed|error|inconclusive|skipped|executed)(?: \(|;|$)", msg)
    if m:
        verdicts.append((ts(stamp), (m.group(1), m.group(2))))
overheads, prev = [], first
for t, key in verdicts:
    overheads.append((t - prev - exec_time[key]) * 1000)
    prev = t
n = len(overheads)
overheads.sort()
print(f"scenarios run:            {n} (results: {len(res['scenarios'])})")
print(f"wall time (attest run):   {end - start:.2f} s")
print(f"command time, mean:       {statistics.mean(exec_time.values()) * 1000:.1f} ms")
print(f"overhead per scenario:    median {statistics.median(overheads):.1f} ms, "
      f"p90 {overheads[int(n * 0.9) - 1]:.1f} ms, mean {statistics.mean(overheads):.1f} ms")
print(f"budget:                   median <= 50 ms -> {'OK' if statistics.median(overheads) <= 50 else 'OVER'}")
PY
