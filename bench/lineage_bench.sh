#!/usr/bin/env bash
# Process lineage + expectation evaluation over a large audit log with 1,000 tests' windows
# (telemetry/lineage.h in the expectations engine), in one pass.
#
# bench/lineage_bench.cpp generates a raw audit.log (clone + execve records of one host, pids
# wrapping at 32768; tests two at a time, each a tree of forks and execs among the host's own
# processes) and the run facts of its 1,000 tests, then evaluates every test's lineage-bound
# expectations (its executor, and each `tar` its tree ran, which the host's processes run too)
# through the time-ordered stream, checking every count against the generator's. Printed per
# size: MB/s and peak RSS (memory must stay flat in the input size), and the CPU seconds of
# each side: the stream parses the audit log on its own thread (the auditd collector) while
# the calling thread merges, tracks the lineage and evaluates, so the slower side bounds the
# wall-clock speed. Target: >= 100 MB/s.
# The inputs are generated in $TMPDIR and deleted afterwards.
#
# usage: bench/lineage_bench.sh [BUILD_DIR] [SIZES_MB...]   (default: build, 250 1000; the
# project's default build type, RelWithDebInfo, is optimized)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
shift || true
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(250 1000)
[ -f "$BUILD/CMakeCache.txt" ] || cmake -S . -B "$BUILD" -G Ninja >/dev/null
cmake --build "$BUILD" --target lineage_bench >/dev/null
DIR=$(mktemp -d "${TMPDIR:-/tmp}/attest-lineage-bench.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
for mb in "${SIZES[@]}"; do
  "$BUILD/bench/lineage_bench" generate "$DIR/audit.log" "$DIR/runs.txt" "$mb" >&2
  timefile="$DIR/time"
  /usr/bin/time -v "$BUILD/bench/lineage_bench" evaluate "$DIR/audit.log" "$DIR/runs.txt" 2> "$timefile" |
    sed "s/^/lineage+evaluation: /"
  # CPU seconds too: on a shared machine the wall clock also measures the neighbours.
  awk -F': ' -v mb="$mb" '/User time/ {u = $2} /System time/ {s = $2}
    /Maximum resident set size/ {r = $2}
    END {printf "  peak RSS %.0f MB; CPU %.1f s user + %.1f s sys: %.0f MB per CPU second\n", r / 1024, u, s, mb / (u + s)}' "$timefile"
  grep -v 'Command being timed\|Maximum resident\|^\s' "$timefile" >&2 || true
  rm -f "$DIR/audit.log" "$DIR/runs.txt"
done
