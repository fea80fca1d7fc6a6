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

# ecg-image-kit's dev pages of real PTB-XL records (page_reading, digitize_reader).
KIT=images/ecg-image-kit-dev
KIT_RECORDS=$DATA/ptbxl/records500/00000
# kit_score PRED_DIR SET METRIC: `ecgtorch score` of a folder read off $KIT/SET, each lead over
# its page's window, as JSON.
kit_score() {
  "$ECG" score --pred "$1" --truth "$KIT_RECORDS" --windows "$DATA/$KIT/$2" --metric "$3" --json
}
# kit_overlays PRED_DIR_OF_SET PLOT_DIR SET:ID...: the first 2.5 s of each lead read (red) over
# the record (black), by the optional Python cross-check; skipped without numpy / matplotlib.
# PRED_DIR_OF_SET holds a '%s' that becomes the set.
kit_overlays() {
  local pred=$1 plots=$2; shift 2
  /usr/bin/python3 -c "import numpy, matplotlib" 2> /dev/null || { echo "overlays: no numpy / matplotlib, skipped"; return 0; }
  mkdir -p "$plots"
  for p in "$@"; do
    local set=${p%%:*} id=${p##*:}
    # shellcheck disable=SC2059
    /usr/bin/python3 bench/digitize_overlay.py --pred "$(printf "$pred" "$set")/${id}_hr-0.csv" \
      --page-json "$DATA/$KIT/$set/${id}_hr-0.json" --record "$KIT_RECORDS/${id}_hr" --seconds 2.5 \
      --out "$plots/${set}_$id.png"
  done
}
