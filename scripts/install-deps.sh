#!/usr/bin/env bash
# Installs everything attest needs to build, test and run, from Debian's packages only.
# Idempotent; runs as root with no prompts.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

PKGS=(
  build-essential cmake ninja-build ccache pkg-config clang libclang-rt-dev
  libboost1.81-dev libpugixml-dev nlohmann-json3-dev libyaml-cpp-dev libssl-dev
  libgtest-dev libgmock-dev libsqlite3-dev zlib1g-dev libmimalloc-dev
  # real components the tests and the default lab use
  auditd openssh-server openssh-client curl python3 libevtx-utils iproute2 procps
  chromium libxml2-utils util-linux
  # the VM lab (labs/qemu.yaml, scripts/lab-image.sh)
  qemu-system-x86 qemu-utils debootstrap e2fsprogs
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "install-deps: all dependencies present"
