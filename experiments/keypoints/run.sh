#!/usr/bin/env bash
# make experiment NAME=keypoints: vit_detr on synthetic fiducials, scored on the
# delineation of LUDB record 1 (errors in ms per wave).
cd "$(dirname "$0")/../.."
source experiments/common.sh
require_data ludb/1.ii
OUT=runs/experiments/keypoints
rm -rf "$OUT"; mkdir -p "$OUT"
timed train "$ECG" train --config experiments/keypoints/config.yaml run_dir="$OUT/run" > "$OUT/train.log" 2>&1
CKPT="$OUT/run/checkpoints/best.pt"
LUDB="{name: synth_pages, records: $DATA/ludb, crop_s: 4, annotations: ii, preset: clean, seed: 0, width: 512, height: 256, overrides: [page.layout=2x1, page.header=false, page.speed_mm_s=50, page.gain_mm_mv=20], target: keypoints, keypoint_leads: [II], max_keypoints: 32}"
"$ECG" eval --checkpoint "$CKPT" --plots "$OUT/plots/synthetic" --max-plots 2 > "$OUT/synthetic.json"
# Two windows (seconds 0-4 and 4-8): one batch of 2.
for tol in 50 150; do
  "$ECG" eval --checkpoint "$CKPT" "val_data=$LUDB" trainer.batch_size=2 trainer.val_batches=1 \
    metrics.0.tolerance_ms=$tol --per-example --plots "$OUT/plots/ludb" > "$OUT/ludb_tol$tol.json"
done
mkdir -p experiments/keypoints/plots
cp "$OUT/plots/ludb/0.png" experiments/keypoints/plots/ludb1_0-4s.png
cp "$OUT/plots/ludb/1.png" experiments/keypoints/plots/ludb1_4-8s.png
cp "$OUT/plots/synthetic/0.png" experiments/keypoints/plots/synthetic_0.png
json_object experiments/keypoints/metrics.json synthetic_val "$OUT/synthetic.json" \
  ludb1_tol50ms "$OUT/ludb_tol50.json" ludb1_tol150ms "$OUT/ludb_tol150.json"
for f in synthetic ludb_tol50 ludb_tol150; do
  jq -r --arg f "$f" '.metrics as $m | ["P","Q","R","S","T"] | to_entries | map(
      "\($f) \(.value) error_ms=\($m["val/kp_error_ms/\(.key)"] // "-") recall=\($m["val/kp_recall/\(.key)"] // "-") precision=\($m["val/kp_precision/\(.key)"] // "-")") | .[]' \
    "$OUT/$f.json"
done | tee "$OUT/summary.txt"
cat "$OUT/times.txt"
