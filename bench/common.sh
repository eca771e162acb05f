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
