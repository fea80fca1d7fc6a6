#!/usr/bin/env bash
# make experiment NAME=beats: signal_cnn1d on MIT-BIH 100 and 208 plus synthetic beats,
# inter-patient, per-class sensitivity and PPV; then the exported model's latency.
cd "$(dirname "$0")/../.."
source experiments/common.sh
require_data mitdb/100.atr mitdb/208.atr
OUT=runs/experiments/beats
rm -rf "$OUT"; mkdir -p "$OUT"
M=mitdb_beats
fold() {  # fold NAME TRAIN TEST SYNTH
  timed "train_$1" "$ECG" train --config experiments/beats/config.yaml run_dir="$OUT/$1" \
    "data.records=[\"$2\"]" "val_data.records=[\"$3\"]" data.synth_records="$4" > "$OUT/$1.log" 2>&1
  "$ECG" eval --checkpoint "$(last_checkpoint "$OUT/$1")" > "$OUT/$1.eval.json"
  # The unseen record, beat by beat as a monitor sees it: detect, then EC57.
  timed "detect_$1" "$ECG" detect --model "$(last_checkpoint "$OUT/$1")" --input "$DATA/mitdb/$3.hea" \
    --out "$OUT/$1.detect" -q
}
fold train100_test208 100 208 400
fold train208_test100 208 100 400
fold train100_test208_nosynth 100 208 0
# Leave-one-record-out, scored by `ecgtorch score --metric beats` over both unseen records.
mkdir -p "$OUT/loo_pred" "$OUT/loo_truth"
cp "$OUT/train100_test208.detect/208.ecgtorch" "$OUT/train208_test100.detect/100.ecgtorch" "$OUT/loo_pred/"
for r in 100 208; do cp "$DATA/mitdb/$r.hea" "$DATA/mitdb/$r.atr" "$OUT/loo_truth/"; done
"$ECG" score --metric beats --pred "$OUT/loo_pred" --truth "$OUT/loo_truth" | tee "$OUT/ec57.txt"
"$ECG" score --metric beats --pred "$OUT/loo_pred" --truth "$OUT/loo_truth" --json > "$OUT/ec57.json"
build/bench/detect_bench --model "$(last_checkpoint "$OUT/train100_test208")" --record "$DATA/mitdb/208.hea" \
  | tee "$OUT/detect_bench.txt"
json_object experiments/beats/metrics.json \
  ec57_leave_one_out "$OUT/ec57.json" \
  train100_test208 "$OUT/train100_test208.eval.json" \
  train208_test100 "$OUT/train208_test100.eval.json" \
  train100_test208_nosynth "$OUT/train100_test208_nosynth.eval.json"
# Latency: the trained model exported and timed (batch 1, one thread).
"$ECG" export --checkpoint "$(last_checkpoint "$OUT/train100_test208")" --format onnx --out "$OUT/beats.onnx" \
  --dynamic-batch --verify > "$OUT/export_onnx.txt" 2>&1 || true
build/bench/latency_bench --runs 2000 > "$OUT/latency.md" 2>&1 || true
# Per class: sensitivity (Se) and PPV, in %.
for f in train100_test208 train208_test100 train100_test208_nosynth; do
  jq -r --arg f "$f" '.metrics as $m | ["N","S","V","F","Q"] | to_entries | map(
      "\($f) \(.value) n=\([range(0;5) as $j | $m["val/confusion/\(.key)/\($j)"]] | add) Se=\(($m["val/sensitivity/\(.key)"] // null) | if . == null then "-" else (. * 1000 | round / 10 | tostring) end) PPV=\(($m["val/ppv/\(.key)"] // null) | if . == null then "-" else (. * 1000 | round / 10 | tostring) end)") | .[]' \
    "$OUT/$f.eval.json"
done | tee "$OUT/summary.txt"
cat "$OUT/times.txt"
