#!/usr/bin/env bash
# Many rules over Sysmon XML in one pass: `attest check --rules DIR` with 1 rule, then with
# N rules (default 1,000: Sigma, KQL and EQL, generated from ../shared/data/rules/{sigma,elastic}
# by varying their values, bench/gen_rules.py), over the same ~SIZE_MB MB of Sysmon XML
# (bench/common.sh sysmon_xml). Each run is
#   attest check --pack scenarios/t1114 --scenario <its first test> --telemetry FILE \
#                --rules DIR --quiet
# (the scenario's own expectations and detections are evaluated in both runs) under
# /usr/bin/time; it prints events/s (wall and per CPU-second) and peak RSS for each, and their
# ratio. Target: N rules no slower than the single rule divided by 10 (the rules are tried on an
# event through the value index, expectations/eql/value_index.h, not one by one).
#
# usage: bench/rules_bench.sh [ATTEST_BINARY] [SIZE_MB] [N_RULES]
#        (default: build-release/attest, 1000, 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
BIN=$(release_binary "${1:-}")
SIZE_MB=${2:-1000}
N=${3:-1000}
XML=/tmp/attest-check-bench-${SIZE_MB}mb.xml
WORK=$(mktemp -d /tmp/attest-rules-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
if [ ! -d ../shared/data/rules/sigma ]; then
  echo "../shared/data/rules absent: nothing to generate the rules from; skipping"
  exit 0
fi
sysmon_xml "$XML" "$SIZE_MB"
BYTES=$(stat -c %s "$XML")
SCENARIO=$(grep -m1 -oE '^  [0-9a-f-]{36}:' scenarios/t1114/expectations.yaml | tr -d ' :')

python3 bench/gen_rules.py "$WORK/many" "$N" ../shared/data/rules/sigma ../shared/data/rules/elastic
mkdir -p "$WORK/one"
cp ../shared/data/rules/sigma/proc_creation_win_regedit_export_keys.yml "$WORK/one/"

# run NAME DIR: prints "NAME rules events wall_s cpu_s rss_mb fired"
run() {
  local name=$1 dir=$2 out="$WORK/out-$1"
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/time-$name" "$BIN" check --pack scenarios/t1114 \
    --scenario "$SCENARIO" --telemetry "$XML" --rules "$dir" --out "$out" --quiet \
    >/dev/null 2>"$WORK/stderr-$name" || [ $? -eq 1 ]
  python3 - "$name" "$dir" "$out/results.json" "$WORK/time-$name" <<'PY'
import json, os, sys
name, rules, results, timing = sys.argv[1:]
d = json.load(open(results))
events = d["run"]["telemetry_stats"]["events"]
fired = sum(1 for s in d["scenarios"] for x in s.get("detections", [])
            if x.get("expected") == "informational")
wall, user, sys_, rss = (float(x) for x in open(timing).read().split())
print(name, len(os.listdir(rules)), events, wall, user + sys_, rss / 1024, fired)
PY
}

ONE=$(run one "$WORK/one")
MANY=$(run many "$WORK/many")
python3 - "$BYTES" "$ONE" "$MANY" <<'PY'
import sys
size = int(sys.argv[1])
rows = [r.split() for r in sys.argv[2:]]
print(f"input: {size/1e6:.0f} MB Sysmon XML; load average {open('/proc/loadavg').read().split()[0]}")
print(f"{'rules':>6} {'events':>10} {'wall s':>8} {'events/s':>12} {'events/CPU-s':>13} {'peak RSS':>10} {'fired':>6}")
rates = []
for name, rules, events, wall, cpu, rss, fired in rows:
    events, wall, cpu = int(events), float(wall), float(cpu)
    rates.append(events / cpu)
    print(f"{rules:>6} {events:>10} {wall:>8.2f} {events/wall:>12,.0f} {events/cpu:>13,.0f} {float(rss):>8.1f}MB {fired:>6}")
print(f"slowdown {rates[0]/rates[1]:.2f}x per CPU-second for {rows[1][1]} rules (target: <= 10x)")
PY
