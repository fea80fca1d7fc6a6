#!/usr/bin/env bash
# make experiment NAME=digitize_reader: the learned trace reader (configs/digitize_reader.yaml)
# trained on synthesised pages, then `ecgtorch digitize --reader CHECKPOINT` on ecg-image-kit's
# pages of real PTB-XL records, per page and side by side with the classical reader and the
# hybrid (--fallback classical); the same readers on 24 of our own validation-style pages
# (the domain gap); the real scans with overlays; one page's time on one core.
#   run.sh               train (3,000 steps, 56 min on 2 CPU cores), then evaluate
#   run.sh --evaluate    evaluate runs/experiments/digitize_reader/run as it is
cd "$(dirname "$0")/../.."
source experiments/common.sh
require_data ptbxl/records500/00000 $KIT/clean $KIT/distorted images/real-scans
OUT=runs/experiments/digitize_reader
RUN=$OUT/run
if [ "${1:-}" != "--evaluate" ]; then
  rm -rf "$OUT"; mkdir -p "$OUT"
  timed train "$ECG" train --config configs/digitize_reader.yaml run_dir="$RUN" > "$OUT/train.log" 2>&1
fi
mkdir -p "$OUT"
rm -f "$OUT/times.txt"
CKPT=${READER_CHECKPOINT:-$RUN/checkpoints/best.pt}
READERS="learned hybrid classical"
reader_args() {
  case $1 in
    learned) echo --reader "$CKPT" ;;
    hybrid) echo --reader "$CKPT" --fallback classical ;;
    classical) echo --reader classical ;;
  esac
}
for set in clean distorted; do
  for reader in $READERS; do
    rm -rf "$OUT/$set.$reader"
    # shellcheck disable=SC2046
    timed "digitize_${set}_$reader" "$ECG" digitize "$DATA/$KIT/$set" --out "$OUT/$set.$reader" $(reader_args $reader) \
      --format kaggle --threads 1 -q || true
    for m in kaggle challenge2024; do kit_score "$OUT/$set.$reader" $set $m > "$OUT/$set.$reader.$m.json"; done
  done
done
# Our own pages of the validation data's kind (preset mixed, seed 1000): the domain gap.
rm -rf "$OUT/synth"
"$ECG" synth --generate 24 --preset mixed --seed 1000 --out "$OUT/synth" -q
for reader in $READERS; do
  rm -rf "$OUT/synth.$reader"
  # shellcheck disable=SC2046
  "$ECG" digitize "$OUT/synth" --out "$OUT/synth.$reader" $(reader_args $reader) --format kaggle -q 2> /dev/null || true
  for m in kaggle challenge2024; do
    "$ECG" score --pred "$OUT/synth.$reader" --truth "$OUT/synth" --windows "$OUT/synth" --metric $m --json > "$OUT/synth.$reader.$m.json"
  done
done
rm -rf "$OUT/scans"
timed digitize_scans "$ECG" digitize "$DATA/images/real-scans" --out "$OUT/scans" --reader "$CKPT" --format kaggle,json \
  --plots --threads 1 -q 2> "$OUT/scans.err" || true
json_object experiments/digitize_reader/metrics.json \
  clean_learned_kaggle "$OUT/clean.learned.kaggle.json" clean_learned_challenge "$OUT/clean.learned.challenge2024.json" \
  distorted_learned_kaggle "$OUT/distorted.learned.kaggle.json" \
  distorted_learned_challenge "$OUT/distorted.learned.challenge2024.json" \
  clean_classical_kaggle "$OUT/clean.classical.kaggle.json" \
  clean_classical_challenge "$OUT/clean.classical.challenge2024.json" \
  distorted_classical_kaggle "$OUT/distorted.classical.kaggle.json" \
  distorted_classical_challenge "$OUT/distorted.classical.challenge2024.json" \
  clean_hybrid_kaggle "$OUT/clean.hybrid.kaggle.json" clean_hybrid_challenge "$OUT/clean.hybrid.challenge2024.json" \
  distorted_hybrid_kaggle "$OUT/distorted.hybrid.kaggle.json" \
  distorted_hybrid_challenge "$OUT/distorted.hybrid.challenge2024.json" \
  synth_learned_kaggle "$OUT/synth.learned.kaggle.json" synth_learned_challenge "$OUT/synth.learned.challenge2024.json" \
  synth_hybrid_kaggle "$OUT/synth.hybrid.kaggle.json" synth_hybrid_challenge "$OUT/synth.hybrid.challenge2024.json" \
  synth_classical_kaggle "$OUT/synth.classical.kaggle.json" \
  synth_classical_challenge "$OUT/synth.classical.challenge2024.json"
kit_overlays "$OUT/%s.learned" experiments/digitize_reader/plots clean:00008 clean:00011 distorted:00050
for set in clean distorted synth; do
  for reader in $READERS; do
    for m in kaggle challenge2024; do
      jq -r --arg f "$set $reader $m" '"\($f) \(.score_db)"' "$OUT/$set.$reader.$m.json"
    done
  done
done | tee "$OUT/summary.txt"
cat "$OUT/scans.err" "$OUT/times.txt"
