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
# Comparison: class-balanced cross-entropy (the training data's own class counts, filled
# in by the trainer) instead of the recipe's plain cross-entropy, on the 100 -> 208 fold.
timed train_balanced "$ECG" train --config experiments/beats/config.yaml run_dir="$OUT/train100_test208_balanced" \
  'data.records=["100"]' 'val_data.records=["208"]' \
  'loss.terms=[{name: class_balanced, beta: 0.999, min_samples: 100, base: {name: cross_entropy}}]' \
  > "$OUT/train100_test208_balanced.log" 2>&1
"$ECG" eval --checkpoint "$(last_checkpoint "$OUT/train100_test208_balanced")" > "$OUT/train100_test208_balanced.eval.json"
"$ECG" detect --model "$(last_checkpoint "$OUT/train100_test208_balanced")" --input "$DATA/mitdb/208.hea" \
  --out "$OUT/balanced.detect" -q
mkdir -p "$OUT/balanced_pred" "$OUT/plain_pred"
cp "$OUT/balanced.detect/208.ecgtorch" "$OUT/balanced_pred/"
# Leave-one-record-out, scored by `ecgtorch score --metric beats` over both unseen records.
mkdir -p "$OUT/loo_pred" "$OUT/loo_truth"
cp "$OUT/train100_test208.detect/208.ecgtorch" "$OUT/train208_test100.detect/100.ecgtorch" "$OUT/loo_pred/"
for r in 100 208; do cp "$DATA/mitdb/$r.hea" "$DATA/mitdb/$r.atr" "$OUT/loo_truth/"; done
"$ECG" score --metric beats --pred "$OUT/loo_pred" --truth "$OUT/loo_truth" | tee "$OUT/ec57.txt"
"$ECG" score --metric beats --pred "$OUT/loo_pred" --truth "$OUT/loo_truth" --json > "$OUT/ec57.json"
cp "$OUT/train100_test208.detect/208.ecgtorch" "$OUT/plain_pred/"
"$ECG" score --metric beats --pred "$OUT/balanced_pred" --truth "$OUT/loo_truth" --json > "$OUT/ec57_208_balanced.json"
"$ECG" score --metric beats --pred "$OUT/plain_pred" --truth "$OUT/loo_truth" --json > "$OUT/ec57_208_plain.json"
# Another database's rates: 208 resampled to 128 Hz (as svdb) and 500 Hz (as PTB-XL), its
# reference beats moved along (`data convert --fs --annotations`), through the same model.
for fs in 128 500; do
  "$ECG" data convert "$DATA/mitdb/208.hea" --to wfdb --out "$OUT/at$fs/truth" --fs $fs --annotations atr > /dev/null
  "$ECG" detect --model "$(last_checkpoint "$OUT/train100_test208")" --input "$OUT/at$fs/truth/208.hea" \
    --out "$OUT/at$fs/pred" -q
  "$ECG" score --metric beats --pred "$OUT/at$fs/pred" --truth "$OUT/at$fs/truth" --json > "$OUT/ec57_208_at_$fs.json"
done
# Memory of a stream: the peak RSS of `detect --stream` over the first 5 min of 208 and over
# all 30 min (constant memory: the two are the same), and its rows against the offline run.
"$ECG" data convert "$DATA/mitdb/208.hea" --to csv --out "$OUT/208.csv" > /dev/null
tail -n +2 "$OUT/208.csv" | cut -d, -f1 > "$OUT/208_30min.txt"
head -n $((360 * 300)) "$OUT/208_30min.txt" > "$OUT/208_5min.txt"
for m in 5min 30min; do
  /usr/bin/time -f "%M" -o "$OUT/rss_kib_$m.txt" "$ECG" detect --model "$(last_checkpoint "$OUT/train100_test208")" \
    --stream --fs 360 --input "$OUT/208_$m.txt" > "$OUT/stream_$m.csv"
done
echo "stream rows $(($(wc -l < "$OUT/stream_30min.csv") - 1)), offline beats $(($(wc -l < "$OUT/train100_test208.detect/208.csv") - 1))," \
  "peak RSS 5 min $(cat "$OUT/rss_kib_5min.txt") KiB, 30 min $(cat "$OUT/rss_kib_30min.txt") KiB" | tee "$OUT/stream_memory.txt"
build/bench/detect_bench --model "$(last_checkpoint "$OUT/train100_test208")" --record "$DATA/mitdb/208.hea" \
  | tee "$OUT/detect_bench.txt"
json_object experiments/beats/metrics.json \
  ec57_leave_one_out "$OUT/ec57.json" \
  ec57_208_plain "$OUT/ec57_208_plain.json" \
  ec57_208_balanced "$OUT/ec57_208_balanced.json" \
  ec57_208_at_128hz "$OUT/ec57_208_at_128.json" \
  ec57_208_at_500hz "$OUT/ec57_208_at_500.json" \
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
