# Sourced by the bench scripts (from the repository root).
# release_binary [BIN]: prints BIN when it is an executable, else builds a Release `attest`
# into build-release/ and prints its path.
release_binary() {
  local bin=${1:-build-release/attest}
  if [ ! -x "$bin" ]; then
    echo "building a Release binary into build-release/ ..." >&2
    cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DATTEST_TESTS=OFF -DATTEST_BENCH=OFF >/dev/null
    cmake --build build-release --target attest >/dev/null
    bin=build-release/attest
  fi
  echo "$bin"
}

# sysmon_xml OUT SIZE_MB: writes OUT (unless it exists) with about SIZE_MB MB of Sysmon event
# XML, the events of the T1114 pack's synthetic telemetry (tests/data/t1114/synthetic_*_sysmon.xml)
# and of the real Sysmon samples in ../shared/data/xml (when present) repeated, with one
# millisecond between consecutive events so that the file is in time order.
sysmon_xml() {
  local OUT=$1 SIZE_MB=$2
  [ -s "$OUT" ] && return 0
  local SAMPLES=(tests/data/t1114/synthetic_s*_sysmon.xml)
  for f in ../shared/data/xml/AutomatedTestingTools_PanacheSysmon_vs_AtomicRedTeam01.libevtx.xml \
           ../shared/data/xml/Execution_exec_persist_rundll32_mshta_scheduledtask_sysmon_1_3_11.libevtx.xml; do
    [ -e "$f" ] && SAMPLES+=("$f")
  done
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
}
