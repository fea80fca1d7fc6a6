# Shared by the experiments' run.sh scripts (sourced from the repository root).
#   (tools/install-deps.sh installs the jq and bc they use)
#   ECG        the ecgtorch binary (ECGTORCH_BIN, default build/bin/ecgtorch)
#   DATA       the real-data folder (ECGTORCH_DATA_DIR, default ../shared/data)
set -euo pipefail
ECG=${ECGTORCH_BIN:-build/bin/ecgtorch}
DATA=${ECGTORCH_DATA_DIR:-../shared/data}
export ECGTORCH_DATA_DIR=$DATA
[ -x "$ECG" ] || { echo "experiment: $ECG not found; run 'make build' first" >&2; exit 1; }

# require_data PATH...: exits with a clear message when a path under DATA is missing.
require_data() {
  for p in "$@"; do
    [ -e "$DATA/$p" ] || { echo "experiment: needs $DATA/$p (set ECGTORCH_DATA_DIR to the folder with ptbxl/, mitdb/, ...)" >&2; exit 1; }
  done
}

# last_checkpoint RUN_DIR: the newest step checkpoint (the run's final weights).
last_checkpoint() { ls "$1"/checkpoints/step_*.pt | sort | tail -1; }

# json_object OUT KEY FILE [KEY FILE ...]: writes {"KEY": <FILE's JSON>, ...} to OUT atomically.
json_object() {
  local out=$1; shift
  local tmp; tmp=$(mktemp "$out.XXXXXX")
  { printf '{'; local sep=''
    while [ $# -gt 0 ]; do printf '%s\n"%s": ' "$sep" "$1"; cat "$2"; sep=','; shift 2; done
    printf '}\n'; } > "$tmp"
  mv "$tmp" "$out"
}

# timed LABEL CMD...: runs CMD and appends "LABEL <seconds>" to $OUT/times.txt.
timed() {
  local label=$1; shift
  local t0; t0=$(date +%s.%N)
  "$@"
  echo "$label $(echo "$(date +%s.%N) - $t0" | bc)" >> "$OUT/times.txt"
}
