#!/usr/bin/env bash
# Installs the Debian 12 packages ecgtorch builds and tests with. Idempotent:
# packages already installed are skipped, and nothing runs apt when all are present.
# Usage: tools/install-deps.sh [--dry-run]
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev libopencv-dev libyaml-cpp-dev nlohmann-json3-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcurl4-openssl-dev libonnx-dev
  libarchive-dev libcli11-dev libpoppler-cpp-dev libgloo-dev libgoogle-glog-dev libopenblas0-openmp
  fonts-dejavu-core nodejs jq bc
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
if [ "${1:-}" = "--dry-run" ]; then exit 0; fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
