#!/usr/bin/env bash
# attest ship and the search_after export against the Elasticsearch stand-in
# (tests/standin/elastic_standin.cpp; Elasticsearch itself cannot run here).
#
# Builds /tmp/attest-elastic-bench-<N>.ndjson (never in the repo): N normalized Sysmon events
# (`attest events` of the real samples in ../shared/data/xml, else the pack's synthetic ones,
# repeated with 1 ms between consecutive @timestamps), then, with attest pinned to CPU 0 and the
# stand-in to CPU 1 (taskset):
#   attest ship --elastic ... --index logs-bench-default FILE     -> documents/s
#   attest events --elastic ... --index logs-bench-* --page-size 5000 -> documents/s exported
# Target: ship >= 50k documents/s.
#
# usage: bench/elastic_bench.sh [BUILD_DIR] [N]   (default: build, 200000)
# BUILD_DIR must hold attest and elastic-standin (scripts/build.sh builds both).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
N=${2:-200000}
BIN=$BUILD/attest
STANDIN=$BUILD/elastic-standin
[ -x "$BIN" ] && [ -x "$STANDIN" ] || { echo "build first: bash scripts/build.sh" >&2; exit 2; }
TMP=$(mktemp -d /tmp/attest-elastic-bench.XXXXXX)
trap '[ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT

DATA=/tmp/attest-elastic-bench-$N.ndjson
if [ ! -s "$DATA" ]; then
  SAMPLES=(../shared/data/xml/AutomatedTestingTools_PanacheSysmon_vs_AtomicRedTeam01.libevtx.xml)
  [ -e "${SAMPLES[0]}" ] || SAMPLES=(tests/data/t1114/synthetic_s*_sysmon.xml)
  "$BIN" events "${SAMPLES[@]}" > "$TMP/seed.ndjson"
  python3 - "$TMP/seed.ndjson" "$DATA" "$N" <<'PY'
import datetime, json, sys
seed = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
n, t, step = int(sys.argv[3]), datetime.datetime(2026, 11, 1), datetime.timedelta(milliseconds=1)
with open(sys.argv[2], "w") as f:
    for i in range(n):
        e = dict(seed[i % len(seed)])
        e["@timestamp"] = (t + i * step).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        f.write(json.dumps(e, separators=(",", ":")) + "\n")
PY
fi
BYTES=$(stat -c %s "$DATA")

cd "$TMP"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -out cert.pem \
  -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost 2>/dev/null
taskset -c 1 "$OLDPWD/$STANDIN" --cert cert.pem --key key.pem --port-file port &
PID=$!
for _ in $(seq 100); do [ -s port ] && break; sleep 0.05; done
URL=https://localhost:$(cat port)
cd "$OLDPWD"

now() { date +%s.%N; }
t0=$(now)
taskset -c 0 "$BIN" ship --elastic "$URL" --ca-file "$TMP/cert.pem" --index logs-bench-default "$DATA" 2> "$TMP/ship.err"
t1=$(now)
cat "$TMP/ship.err" >&2
taskset -c 0 "$BIN" events --elastic "$URL" --ca-file "$TMP/cert.pem" --index 'logs-bench-*' --page-size 5000 > "$TMP/export.ndjson"
t2=$(now)
EXPORTED=$(wc -l < "$TMP/export.ndjson")
python3 - "$N" "$BYTES" "$t0" "$t1" "$t2" "$EXPORTED" <<'PY'
import sys
n, size, t0, t1, t2, exported = int(sys.argv[1]), int(sys.argv[2]), *map(float, sys.argv[3:6]), int(sys.argv[6])
print(f"ship:   {n} documents ({size / 1e6:.0f} MB NDJSON) in {t1 - t0:.2f} s = {n / (t1 - t0):,.0f} docs/s, {size / 1e6 / (t1 - t0):.0f} MB/s")
print(f"export: {exported} documents in {t2 - t1:.2f} s = {exported / (t2 - t1):,.0f} docs/s (search_after pages of 5000)")
PY
