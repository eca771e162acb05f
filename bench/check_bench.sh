#!/usr/bin/env bash
# `attest check` of the whole T1114 pack (all expectations and detections of its 6 scenarios,
# one pass) over ~1 GB of Sysmon XML.
#
# Builds /tmp/attest-check-bench-<SIZE>mb.xml (never in the repo) from the events of the
# pack's synthetic telemetry (tests/data/t1114/synthetic_*_sysmon.xml) and the real Sysmon
# samples in ../shared/data/xml (when present), with one millisecond between consecutive
# events so that the file is in time order, then runs
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
SAMPLES=(tests/data/t1114/synthetic_s*_sysmon.xml)
for f in ../shared/data/xml/AutomatedTestingTools_PanacheSysmon_vs_AtomicRedTeam01.libevtx.xml \
         ../shared/data/xml/Execution_exec_persist_rundll32_mshta_scheduledtask_sysmon_1_3_11.libevtx.xml; do
  [ -e "$f" ] && SAMPLES+=("$f")
done

if [ ! -s "$OUT" ]; then
  echo "generating $OUT from ${#SAMPLES[@]} files ..." >&2
  python3 - "$OUT" "$SIZE_MB" "${SAMPLES[@]}" <<'PY'
import datetime, re, sys
out, size_mb, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
events = []
for p in paths:
    text = open(p, encoding="utf-8").read()
    for m in re.finditer(r"<Event[ >].*?</Event>", text, re.S):
        e = m.group(0)
        if "Microsoft-Windows-Sysmon" not in e:
            continue
        # Split around the two timestamps so each copy only formats them.
        e = re.sub(r'SystemTime="[^"]*"', 'SystemTime="@@S@@"', e)
        e = re.sub(r'(<Data Name="UtcTime">)[^<]*', r'\1@@U@@', e)
        e = re.sub(r'<EventRecordID>\d+', '<EventRecordID>@@R@@', e)
        events.append(e)
if not events:
    sys.exit("no events in the samples")
target = size_mb * 1000 * 1000
t = datetime.datetime(2026, 11, 1)
step = datetime.timedelta(milliseconds=1)
written, record = 0, 1
with open(out, "w", encoding="utf-8") as f:
    while written < target:
        chunk = []
        for e in events:
            ms = t.strftime("%Y-%m-%d %H:%M:%S.") + "%03d" % (t.microsecond // 1000)
            s = (e.replace("@@S@@", ms.replace(" ", "T") + "0000Z")
                  .replace("@@U@@", ms).replace("@@R@@", str(record)))
            chunk.append(s)
            t += step
            record += 1
        block = "\n".join(chunk) + "\n"
        f.write(block)
        written += len(block.encode("utf-8"))
PY
fi
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
