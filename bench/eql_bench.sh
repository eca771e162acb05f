#!/usr/bin/env bash
# EQL engine benchmark. Prints:
#  1. the seed rule (tests/data/eql/seed_t1114.toml) over N generated Sysmon-like normalized
#     events held in memory, one core (target >= 3 M events/s);
#  2. a two-term sequence by host.name / process.entity_id with maxspan over 5,000 live join
#     keys, one core (target >= 1 M events/s);
#  3. 1,000,000 distinct join keys with maxspan=1s: RSS before/during/after (flat memory);
#  4. `attest query --rule` versus `attest events` over a large Sysmon XML file made from the
#     real Atomic Red Team recording with increasing timestamps (target >= 80% of its speed).
# Big inputs are generated under /tmp, never in the repository; 5 M in-memory events take about
# 8 GB of RAM (pass a smaller N_EVENTS on small machines). Wall and thread CPU time are printed:
# on a shared machine the CPU figure is the one that measures the engine.
#
# usage: bench/eql_bench.sh [N_EVENTS] [XML_REPEATS]   (env: BUILD_DIR=build)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
N=${1:-5000000}
REPEATS=${2:-100}
SAMPLE=${SAMPLE:-../shared/data/xml/AutomatedTestingTools_PanacheSysmon_vs_AtomicRedTeam01.libevtx.xml}
WORK=${TMPDIR:-/tmp}/attest-eql-bench
PIN=""
command -v taskset >/dev/null && PIN="taskset -c 0"

cmake -S . -B "$BUILD_DIR" -G Ninja >/dev/null
cmake --build "$BUILD_DIR" --target attest eql_bench >/dev/null
mkdir -p "$WORK"
B="$BUILD_DIR/bench/eql_bench"

echo "== 1. seed rule, in-memory events, one core"
$PIN "$B" seed tests/data/eql/seed_t1114.toml "$N"
echo "== 2. two-term sequence over 5,000 live keys, one core"
$PIN "$B" sequence 2000000 5000
echo "== 3. 1,000,000 distinct join keys with maxspan"
$PIN "$B" keys 1000000

echo "== 4. attest query --rule vs attest events over Sysmon XML"
if [ ! -r "$SAMPLE" ]; then
  echo "sample $SAMPLE absent; skipping"
  exit 0
fi
XML=$WORK/sysmon_big.xml
python3 - "$SAMPLE" "$XML" "$REPEATS" <<'PY'
import re, sys, datetime
src, dst, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(src, encoding="utf-8").read()
events = re.findall(r"<Event .*?</Event>", text, re.S)
t = datetime.datetime(2026, 1, 1)
with open(dst, "w", encoding="utf-8") as out:
    out.write("evtxexport 20181227\n\n")
    for r in range(reps):
        for e in events:
            t += datetime.timedelta(milliseconds=7)
            iso = t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"
            e = re.sub(r'SystemTime="[^"]*"', 'SystemTime="%s"' % iso, e)
            e = re.sub(r'(<Data Name="UtcTime">)[^<]*', r"\g<1>" + t.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3], e)
            out.write(e + "\n")
PY
cat "$XML" >/dev/null
measure() {  # prints "seconds max_rss_kb"
  /usr/bin/time -f '%e %M' -o "$WORK/time.txt" "$@" >"$WORK/out.txt" 2>"$WORK/stderr.txt" || [ $? -eq 1 ]
  tail -n 1 "$WORK/time.txt"  # time(1) prefixes "Command exited with non-zero status 1" (no hits)
}
read -r ev_s ev_kb < <(measure $PIN "$BUILD_DIR"/attest events --threads 1 --profile endpoint "$XML")
nev=$(wc -l <"$WORK/out.txt")
read -r q_s q_kb < <(measure $PIN "$BUILD_DIR"/attest query --rule tests/data/eql/seed_t1114.toml "$XML")
hits=$(wc -l <"$WORK/out.txt")
awk -v e="$ev_s" -v q="$q_s" -v ekb="$ev_kb" -v qkb="$q_kb" -v n="$nev" -v h="$hits" \
    -v mb="$(($(stat -c %s "$XML") >> 20))" 'BEGIN {
  printf "input: %d MiB Sysmon XML, %d events\n", mb, n
  printf "attest events --profile endpoint: %6.2f s  peak RSS %6.1f MB\n", e, ekb / 1024
  printf "attest query --rule seed_t1114:   %6.2f s  peak RSS %6.1f MB  (%d hits)\n", q, qkb / 1024, h
  printf "query speed relative to events: %.0f%% (target >= 80%%)\n", 100 * e / (q > 0 ? q : 0.01)
}'
