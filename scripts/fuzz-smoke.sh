#!/usr/bin/env bash
# Short fuzz runs for CI: builds the libFuzzer targets into build-fuzz/ with clang and runs each
# for ~30 s (FUZZ_SECONDS) on a scratch copy of its corpus, so the committed corpus is only read.
# Idempotent. The long runs are described in fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
BUILD_DIR=${BUILD_DIR_FUZZ:-build-fuzz}
CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -G Ninja \
  -DATTEST_FUZZ=ON -DATTEST_TESTS=OFF -DATTEST_BENCH=OFF >/dev/null

# run_fuzzer NAME [libFuzzer options]: builds fuzz/NAME_fuzz.cpp, runs it on fuzz/corpus/NAME.
run_fuzzer() {
  local name=$1
  shift
  cmake --build "$BUILD_DIR" --target "${name}_fuzz" >/dev/null
  local scratch
  scratch=$(mktemp -d)
  echo "== fuzz ${name} (${FUZZ_SECONDS} s)"
  "$BUILD_DIR/fuzz/${name}_fuzz" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "$@" "$scratch" $([ -d "fuzz/corpus/${name}" ] && echo "fuzz/corpus/${name}") \
    2>&1 | tail -n 12
  rm -rf "$scratch"
}

# --- EQL parser, checks, compiler and matcher (expectations/eql) ---
run_fuzzer eql -max_len=4096 -dict=fuzz/eql.dict
# --- KQL parser, compiler and matcher, kuery rule TOML (expectations/kql, expectations/rules) ---
run_fuzzer kql -max_len=4096 -dict=fuzz/kql.dict
# --- other fuzzers: one block each below ---

# --- Sigma loader, modifiers, conditions, correlations (expectations/sigma) ---
run_fuzzer sigma -max_len=8192

# --- Windows event XML and Sysmon for Linux (collectors/winevent_xml*, sysmon_linux, winevent) ---
run_fuzzer winevent_xml -max_len=65536

# --- o365, mde and auditd collectors (collectors/o365*, mde*, auditd*, json_stream*, csv*) ---
run_fuzzer collectors -max_len=65536

# --- EVTX chunk and binary XML decoder (collectors/evtx_chunk.cpp) ---
# Seeds are cut from the shared real recordings at run time (not kept in the repo).
evtx_seeds="$BUILD_DIR/corpus/evtx"
mkdir -p "$evtx_seeds"
for f in ../shared/data/evtx/*.evtx; do
  [ -f "$f" ] || continue
  head -c $((4096 + 6144)) "$f" | tail -c 6144 > "$evtx_seeds/$(basename "$f" .evtx).chunk"
done
run_fuzzer evtx -max_len=65536 "$evtx_seeds"

# --- scenario packs: atomics / expectations.yaml loader, placeholder substitution (scenarios/, expectations/) ---
run_fuzzer packs -max_len=16384
