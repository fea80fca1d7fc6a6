#!/usr/bin/env bash
# make experiment NAME=classify: resnet1d and multimodal trained on synthetic labelled
# 12-lead data, scored on the real PTB-XL records of ../shared/data against their labels.
cd "$(dirname "$0")/../.."
source experiments/common.sh
require_data ptbxl/ptbxl_database.csv ptbxl/records500
OUT=runs/experiments/classify
rm -rf "$OUT"; mkdir -p "$OUT"
PTBXL="{name: wfdb_folder, root: $DATA/ptbxl, subdir: records500, labels: synth, fs_hz: 100, length_s: 10}"
PTBXL_MM="{name: wfdb_folder, root: $DATA/ptbxl, subdir: records500, labels: synth, fs_hz: 100, length_s: 10, image_size: [128, 256]}"

timed train_resnet1d "$ECG" train --config experiments/classify/resnet1d_synth.yaml run_dir="$OUT/resnet1d" > "$OUT/resnet1d.log" 2>&1
"$ECG" eval --checkpoint "$OUT/resnet1d/checkpoints/best.pt" > "$OUT/resnet1d.synth.json"
"$ECG" eval --checkpoint "$OUT/resnet1d/checkpoints/best.pt" "val_data=$PTBXL" trainer.batch_size=14 > "$OUT/resnet1d.ptbxl.json"
"$ECG" predict --model "$OUT/resnet1d/checkpoints/best.pt" --input "$DATA/ptbxl/records500" --out "$OUT/resnet1d_pred" -q

timed train_multimodal "$ECG" train --config experiments/classify/multimodal_synth.yaml run_dir="$OUT/multimodal" > "$OUT/multimodal.log" 2>&1
"$ECG" eval --checkpoint "$OUT/multimodal/checkpoints/best.pt" > "$OUT/multimodal.synth.json"
"$ECG" eval --checkpoint "$OUT/multimodal/checkpoints/best.pt" "val_data=$PTBXL_MM" trainer.batch_size=14 > "$OUT/multimodal.ptbxl.json"
"$ECG" predict --model "$OUT/multimodal/checkpoints/best.pt" --input "$DATA/ptbxl/records500" --out "$OUT/multimodal_pred" -q

json_object experiments/classify/metrics.json \
  resnet1d_synthetic_val "$OUT/resnet1d.synth.json" resnet1d_ptbxl "$OUT/resnet1d.ptbxl.json" \
  multimodal_synthetic_val "$OUT/multimodal.synth.json" multimodal_ptbxl "$OUT/multimodal.ptbxl.json"
for m in resnet1d multimodal; do
  jq -r --arg m "$m" '.classes as $c | .records[] | "\($m) \(.input | split("/") | last) top3: \([.scores, $c] | transpose | sort_by(-.[0]) | .[0:3] | map("\(.[1]) \(.[0] * 100 | round)%") | join(", "))"' \
    "$OUT/${m}_pred/predictions.json" 2>/dev/null || true
done | tee "$OUT/summary.txt"
cat "$OUT/times.txt"
