#!/usr/bin/env bash
# The C++ vs Python train-step comparison (README, "C++ vs Python, same LibTorch"):
# ROUNDS interleaved rounds (default 5) of build/bench/step_compare and the Python twin
# of each model, with the allocator tuned in both. Python (Debian's python3-torch) is a
# comparison only.
#   bench/step_compare.sh [ROUNDS] [MODEL...]   MODEL: signal_cnn1d resnet1d digitizer_unet
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BUILD:-build}/bench/step_compare
[ -x "$BIN" ] || { echo "step_compare.sh: $BIN not found; run 'make build' first" >&2; exit 1; }
/usr/bin/python3 -c 'import torch' 2>/dev/null \
  || { echo "step_compare.sh: /usr/bin/python3 has no torch (apt-get install python3-torch)" >&2; exit 1; }
export MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=1073741824 MALLOC_TOP_PAD_=268435456
ROUNDS=${1:-5}; shift || true
MODELS=("$@"); [ ${#MODELS[@]} -gt 0 ] || MODELS=(signal_cnn1d resnet1d digitizer_unet)
for ((r = 1; r <= ROUNDS; ++r)); do
  for m in "${MODELS[@]}"; do
    "$BIN" "$m"
    py=$m; [ "$m" = digitizer_unet ] && py=digitizer
    (cd bench && /usr/bin/python3 "${py}_step.py")
  done
done
