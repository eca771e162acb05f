#!/usr/bin/env bash
# Throughput and memory of the winevent_xml collector through `attest events`.
#
# Builds a >= 200 MB wevtutil-style Sysmon XML file under /tmp (one event per line, no root)
# by repeating the events of the real samples in ../shared/data/xml (or, without them, the
# project's synthetic example) with varied record ids, then runs
# `attest events FILE > /dev/null` under /usr/bin/time -v and prints MB/s, events/s and peak
# RSS. Targets: >= 150 MB/s on one core, <= 64 MB peak RSS.
#
# usage: bench/xml_bench.sh [ATTEST_BINARY] [SIZE_MB]   (default: build-release/attest, 220)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
BIN=$(release_binary "${1:-}")
SIZE_MB=${2:-220}
OUT=/tmp/attest-xml-bench-${SIZE_MB}mb.xml
SAMPLES=(../shared/data/xml/*.libevtx.xml)
[ -e "${SAMPLES[0]}" ] || SAMPLES=(examples/telemetry/*.xml)

if [ ! -s "$OUT" ]; then
  python3 - "$OUT" "$SIZE_MB" "${SAMPLES[@]}" <<'PY'
import re, sys
out, size_mb, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
events = []
for p in paths:
    text = open(p, encoding="utf-8").read()
    for m in re.finditer(r"<Event[ >].*?</Event>", text, re.S):
        # wevtutil prints one event per line: drop the pretty-printing between elements.
        events.append(re.sub(r">\s+<", "><", m.group(0)))
if not events:
    sys.exit("no events in the samples")
target = size_mb * 1000 * 1000
written, record = 0, 1
with open(out, "w", encoding="utf-8") as f:
    while written < target:
        for e in events:
            line = re.sub(r"<EventRecordID>\d+</EventRecordID>", "<EventRecordID>%d</EventRecordID>" % record, e, count=1) + "\r\n"
            record += 1
            f.write(line)
            written += len(line.encode("utf-8"))
            if written >= target:
                break
PY
fi

BYTES=$(stat -c %s "$OUT")
EVENTS=$(grep -c '<Event ' "$OUT" || true)
TIMEFILE=$(mktemp)
# One core: taskset when available (the collector is single-threaded anyway).
PIN=()
command -v taskset >/dev/null && PIN=(taskset -c 0)
"${PIN[@]}" /usr/bin/time -v "$BIN" events "$OUT" > /dev/null 2> "$TIMEFILE"
WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$TIMEFILE")
USER_S=$(awk -F': ' '/User time \(seconds\)/ {print $2}' "$TIMEFILE")
SYS_S=$(awk -F': ' '/System time \(seconds\)/ {print $2}' "$TIMEFILE")
RSS_KB=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$TIMEFILE")
rm -f "$TIMEFILE"
python3 - "$BYTES" "$EVENTS" "$WALL" "$USER_S" "$SYS_S" "$RSS_KB" <<'PY'
import sys
b, n, wall, user, sys_s, rss = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
w = 0.0
for part in wall.split(":"):
    w = w * 60 + float(part)
cpu = user + sys_s
print(f"input:      {b/1e6:.1f} MB, {n} events (wevtutil-style Sysmon XML), NDJSON to /dev/null")
print(f"wall:       {w:.2f} s  -> {b/1e6/w:.1f} MB/s, {n/w:,.0f} events/s")
print(f"cpu:        {cpu:.2f} s (user {user:.2f} + sys {sys_s:.2f}) -> {b/1e6/cpu:.1f} MB/s, {n/cpu:,.0f} events/s on one core")
print(f"            (single-threaded: wall equals cpu on an idle machine; target >= 150 MB/s)")
print(f"peak RSS:   {rss/1024:.1f} MB   (target <= 64 MB)")
PY
