#!/usr/bin/env bash
# `attest check` of the whole T1114 pack (all expectations and detections of its 6 scenarios,
# one pass) over ~1 GB of Sysmon XML.
#
# Builds /tmp/attest-check-bench-<SIZE>mb.xml (never in the repo; bench/common.sh sysmon_xml),
# then runs
#   attest check --pack scenarios/t1114 --telemetry FILE --quiet
# under /usr/bin/time -v and prints wall time, MB/s, events and peak RSS. Target: >= 100 MB/s.
#
# usage: bench/check_bench.sh [ATTEST_BINARY] [SIZE_MB]   (default: build-release/attest, 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
BIN=$(release_binary "${1:-}")
SIZE_MB=${2:-1000}
OUT=/tmp/attest-check-bench-${SIZE_MB}mb.xml
sysmon_xml "$OUT" "$SIZE_MB"
BYTES=$(stat -c %s "$OUT")
LOG=$(mktemp)
OUTDIR=$(mktemp -d /tmp/attest-check-bench-out.XXXXXX)
set +e
/usr/bin/time -v "$BIN" check --pack scenarios/t1114 --telemetry "$OUT" --out "$OUTDIR" --quiet 2> "$LOG"
RC=$?
set -e
WALL=$(grep 'Elapsed (wall clock)' "$LOG" | awk '{print $NF}')
RSS_KB=$(grep 'Maximum resident set size' "$LOG" | awk '{print $NF}')
CPU=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$LOG")
SECS=$(python3 -c "
p='$WALL'.split(':'); s=0.0
for x in p: s=s*60+float(x)
print(s)")
EVENTS=$(python3 -c "import json;print(json.load(open('$OUTDIR/results.json'))['run']['telemetry_stats']['events'])")
VERDICTS=$(python3 -c "import json;d=json.load(open('$OUTDIR/results.json'));print(' '.join(f'{k}={v}' for k,v in d['totals'].items()))")
python3 - <<PY
b, s, rss, ev = $BYTES, $SECS, $RSS_KB, $EVENTS
print(f"input        {b/1e6:.0f} MB Sysmon XML, {ev} events")
print(f"wall         {s:.2f} s (attest check exit {$RC}: 1 = scenarios not all passed, expected here)")
print(f"throughput   {b/1e6/s:.1f} MB/s, {ev/s:,.0f} events/s (wall)")
cpu = $CPU
print(f"cpu          {cpu:.2f} s user+sys: {b/1e6/cpu:.1f} MB per CPU-second (load average now: {open('/proc/loadavg').read().split()[0]})")
print(f"peak RSS     {rss/1024:.1f} MB")
print("verdicts     $VERDICTS")
PY
rm -rf "$LOG" "$OUTDIR"
