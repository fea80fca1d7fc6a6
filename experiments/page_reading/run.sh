#!/usr/bin/env bash
# make experiment NAME=page_reading: `ecgtorch digitize` with the classical reader on
# ecg-image-kit's pages of real PTB-XL records (clean and distorted), scored per page with
# both SNRs, from the image alone and with the JSON's scale and layout; the real scans with
# overlays; the one-core bench. About 2 min on 2 CPU cores.
cd "$(dirname "$0")/../.."
source experiments/common.sh
require_data ptbxl/records500/00000 $KIT/clean $KIT/distorted images/real-scans
OUT=runs/experiments/page_reading
rm -rf "$OUT"; mkdir -p "$OUT"
for set in clean distorted; do
  timed "digitize_$set" "$ECG" digitize "$DATA/$KIT/$set" --out "$OUT/$set" --format kaggle,json --plots -q
  for m in kaggle challenge2024; do kit_score "$OUT/$set" $set $m > "$OUT/$set.$m.json"; done
done
# The same pages with the scale and layout taken from their JSON (the clean pages only:
# the distorted pages' JSON pixels are those before rotation).
timed digitize_clean_truth "$ECG" digitize "$DATA/$KIT/clean" --out "$OUT/clean_truth" --use-truth scale,layout -q
for m in kaggle challenge2024; do kit_score "$OUT/clean_truth" clean $m > "$OUT/clean_truth.$m.json"; done
# The real scans: no ground truth; the overlays stay in $OUT/scans (the scans are not
# part of this repository). Two of the ten find no trace rows: the run goes on.
timed digitize_scans "$ECG" digitize "$DATA/images/real-scans" --out "$OUT/scans" --format kaggle,json --plots \
  --threads 1 -q 2> "$OUT/scans.err" || true
build/bench/digitize_bench --pages "$DATA/$KIT/clean" > "$OUT/bench.md"
json_object experiments/page_reading/metrics.json \
  clean_kaggle "$OUT/clean.kaggle.json" clean_challenge "$OUT/clean.challenge2024.json" \
  distorted_kaggle "$OUT/distorted.kaggle.json" distorted_challenge "$OUT/distorted.challenge2024.json" \
  clean_truth_kaggle "$OUT/clean_truth.kaggle.json" clean_truth_challenge "$OUT/clean_truth.challenge2024.json"
# Overlays of what was read against the record (the optional Python cross-check): the
# worst pages of each set.
kit_overlays "$OUT/%s" experiments/page_reading/plots clean:00002 clean:00017 distorted:00050
for f in clean distorted clean_truth; do
  jq -r --arg f "$f" '"\($f) kaggle_db=\(.score_db)"' "$OUT/$f.kaggle.json"
  jq -r --arg f "$f" '"\($f) challenge_db=\(.score_db)"' "$OUT/$f.challenge2024.json"
done | tee "$OUT/summary.txt"
cat "$OUT/scans.err" "$OUT/bench.md" "$OUT/times.txt"
