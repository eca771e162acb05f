#!/usr/bin/env bash
# Throughput and peak memory of the time-ordered stream (telemetry/stream) on out-of-order
# input, through `attest query`.
#
# Builds a >= 300 MB wevtutil-style Sysmon XML file under /tmp whose events carry shuffled
# timestamps (the events of ../shared/data/xml, or the project's synthetic example, with varied
# record ids and a random SystemTime each), then runs
# `attest query --eql 'process where false' FILE` (every event is read, merged and matched;
# no hit is printed) under /usr/bin/time -v and prints MB/s and peak RSS. The same for an
# in-order copy of the file (the fast path: no spill). Target: < 256 MB peak RSS out of order.
#
# usage: bench/stream_bench.sh [ATTEST_BINARY] [SIZE_MB]   (default: build-release/attest, 300)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
BIN=$(release_binary "${1:-}")
SIZE_MB=${2:-300}
SHUFFLED=/tmp/attest-stream-bench-${SIZE_MB}mb-shuffled.xml
ORDERED=/tmp/attest-stream-bench-${SIZE_MB}mb-ordered.xml
SAMPLES=(../shared/data/xml/*.libevtx.xml)
[ -e "${SAMPLES[0]}" ] || SAMPLES=(examples/telemetry/*.xml)

if [ ! -s "$SHUFFLED" ] || [ ! -s "$ORDERED" ]; then
  python3 - "$SHUFFLED" "$ORDERED" "$SIZE_MB" "${SAMPLES[@]}" <<'PY'
import random, re, sys
shuffled, ordered, size_mb, paths = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
events = []
for p in paths:
    text = open(p, encoding="utf-8").read()
    for m in re.finditer(r"<Event[ >].*?</Event>", text, re.S):
        e = re.sub(r">\s+<", "><", m.group(0))
        if "SystemTime=" in e:
            events.append(e)
if not events:
    sys.exit("no events in the samples")
rng = random.Random(42)
target = size_mb * 1000 * 1000
def stamp(i, sep="T", tail="0000Z"):
    # One event per millisecond from 2024-03-01, in a shuffled order below.
    s, ms = divmod(i, 1000)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    d, h = divmod(h, 24)
    return "2024-03-%02d%s%02d:%02d:%02d.%03d%s" % (1 + d, sep, h, m, s, ms, tail)
def render(e, record, i):
    e = re.sub(r"<EventRecordID>\d+</EventRecordID>", "<EventRecordID>%d</EventRecordID>" % record, e, count=1)
    # Sysmon's own UtcTime is the event time (@timestamp) when present; TimeCreated otherwise.
    e = re.sub(r"(<Data Name=.UtcTime.>)[^<]*", lambda m: m.group(1) + stamp(i, " ", ""), e)
    return re.sub(r"SystemTime='[^']*'|SystemTime=\"[^\"]*\"", "SystemTime='%s'" % stamp(i), e, count=1) + "\r\n"
lines, written = [], 0
while written < target:
    e = events[len(lines) % len(events)]
    lines.append(e)
    written += len(e) + 40
order = list(range(len(lines)))
rng.shuffle(order)
with open(shuffled, "w", encoding="utf-8") as f:
    for record, i in enumerate(order, 1):
        f.write(render(lines[i], record, i))
with open(ordered, "w", encoding="utf-8") as f:
    for i in range(len(lines)):
        f.write(render(lines[i], i + 1, i))
PY
fi

measure() {
  local label=$1 file=$2
  local bytes timefile wall rss
  bytes=$(stat -c %s "$file")
  timefile=$(mktemp)
  /usr/bin/time -v "$BIN" query --eql 'process where false' "$file" > /dev/null 2> "$timefile" || true
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$timefile")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$timefile")
  rm -f "$timefile"
  python3 - "$label" "$bytes" "$wall" "$rss" <<'PY'
import sys
label, b, wall, rss = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
w = 0.0
for part in wall.split(":"):
    w = w * 60 + float(part)
print(f"{label:10s} {b/1e6:.1f} MB in {w:.2f} s -> {b/1e6/w:.1f} MB/s, peak RSS {rss/1024:.1f} MB")
PY
}
echo "attest query over wevtutil-style Sysmon XML ($BIN)"
measure ordered "$ORDERED"
measure shuffled "$SHUFFLED"
echo "target: shuffled peak RSS < 256 MB; ordered as fast as before (no spill)"
