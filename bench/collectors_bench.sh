#!/usr/bin/env bash
# Collector throughput and memory: generates >= 100 MiB inputs under /tmp for o365 (JSON array,
# Export-Csv, ConvertTo-Json of Search-UnifiedAuditLog, Sentinel OfficeActivity NDJSON), mde
# (streaming-export NDJSON), auditd (raw log with interleaved serials) and sysmon_linux (syslog
# with Sysmon for Linux XML lines among other programs' lines), the Windows event JSON renderings
# (EvtxECmd, evtx_dump, Get-WinEvent), OTRF host JSON, Sentinel SecurityEvent/WindowsEvent rows
# and Winlogbeat hits, the Log Analytics CSV export, wevtutil-style Sysmon XML, generic normalized
# NDJSON and (from the samples in ../shared/data/evtx, when present) an .evtx file, then runs
# `attest events --threads 1 --source X FILE > /dev/null` on each and prints MiB/s and peak RSS.
# Targets: >= 100 MB/s and <= 64 MB RSS per collector. Both wall-clock and CPU (user+sys)
# throughput are printed: on a loaded machine the wall figure mostly measures the others.
#
# usage: bench/collectors_bench.sh [SIZE_MB] [INPUT...]   (env: BUILD_DIR=build, RUNS=1)
#   INPUT names rows to run (e.g. `otrf auditd sentinel-csv`); default: all. With RUNS > 1 each
#   command runs RUNS times and the run with the least CPU time is reported.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
SIZE_MB=${1:-128}
shift || true
ONLY=" $* "
RUNS=${RUNS:-1}
WORK=${TMPDIR:-/tmp}/attest-collectors-bench

cmake -S . -B "$BUILD_DIR" -G Ninja >/dev/null
cmake --build "$BUILD_DIR" --target attest collectors_bench evtx_bench >/dev/null
mkdir -p "$WORK"

measure() {  # prints "seconds cpu_seconds max_rss_kb" of the run with the least CPU time of $RUNS
  local best="" cur
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/stderr.txt" || {
      echo "failed: $*" >&2; head -5 "$WORK/stderr.txt" >&2; exit 1; }
    if [ -s "$WORK/stderr.txt" ]; then echo "diagnostics from $*:" >&2; head -3 "$WORK/stderr.txt" >&2; fi
    cur=$(awk '{ print $1, $2 + $3, $4 }' "$WORK/time.txt")
    if [ -z "$best" ] || awk -v a="$cur" -v b="$best" 'BEGIN { split(a, x); split(b, y); exit !(x[2] < y[2]) }'; then
      best=$cur
    fi
  done
  echo "$best"
}

generate() {  # generate KIND FILE: the input, unless a large enough one is already there
  local kind=$1 file=$2
  if [ -f "$file" ] && [ $(( $(stat -c %s "$file") >> 20 )) -ge "$SIZE_MB" ]; then return 0; fi
  if [ "$kind" = evtx ]; then
    "$BUILD_DIR"/bench/evtx_bench "$file" "$SIZE_MB" ../shared/data/evtx/*.evtx >/dev/null
  else
    "$BUILD_DIR"/bench/collectors_bench "$kind" "$file" "$SIZE_MB" >/dev/null
  fi
}

printf "%-12s %-20s %5s %8s %7s %7s %7s %8s %7s\n" source input MiB events wall_s "MiB/s" cpu_s "cpuMiB/s" "RSS MB"
for spec in o365:o365-json:json o365:o365-csv:csv o365:o365-convertto:json o365:o365-sentinel:ndjson \
            mde:mde:ndjson auditd:auditd:log sysmon_linux:sysmon-linux:log \
            winevent_json:evtxecmd:jsonl winevent_json:evtx-dump:jsonl winevent_json:getwinevent:json \
            otrf:otrf:json sentinel:sentinel:jsonl sentinel:sentinel-csv:csv winlogbeat:winlogbeat:ndjson \
            winevent_xml:sysmon-xml:xml evtx:evtx:evtx ndjson:ndjson:ndjson; do
  IFS=: read -r source kind ext <<<"$spec"
  [ "$ONLY" = "  " ] || [[ "$ONLY" == *" $kind "* ]] || continue
  if [ "$kind" = evtx ] && ! ls ../shared/data/evtx/*.evtx >/dev/null 2>&1; then
    echo "evtx: skipped (no samples in ../shared/data/evtx)" >&2; continue
  fi
  file=$WORK/$kind.$ext
  generate "$kind" "$file"
  cat "$file" >/dev/null  # page cache: measure parsing, not the disk
  read -r secs cpu kb < <(measure "$BUILD_DIR"/attest events --threads 1 --source "$source" "$file")
  events=$("$BUILD_DIR"/attest events --summary --source "$source" "$file" 2>/dev/null |
           grep -o '[0-9]* events' | head -1 | cut -d' ' -f1)
  mb=$(( $(stat -c %s "$file") >> 20 ))
  awk -v s="$source" -v k="$kind.$ext" -v mb="$mb" -v ev="$events" -v t="$secs" -v c="$cpu" -v kb="$kb" 'BEGIN {
    printf "%-12s %-20s %5d %8d %7.2f %7.1f %7.2f %8.1f %7.1f\n", s, k, mb, ev, t, mb / (t > 0 ? t : 0.01), c, mb / (c > 0 ? c : 0.01), kb / 1024 }'
done
