#!/usr/bin/env bash
# make experiment NAME=digitize: a digitiser trained on our synthetic pages (PTB-XL and
# synthesised signals), scored with both SNRs on ecg-image-kit's pages of real PTB-XL
# records, and run on the real scans; overlays of both.
cd "$(dirname "$0")/../.."
source experiments/common.sh
KIT=images/ecg-image-kit-dev
require_data ptbxl/records500 $KIT/clean $KIT/distorted images/real-scans
OUT=runs/experiments/digitize
# `run.sh --evaluate` keeps the trained run and redoes everything after training.
if [ "${1:-}" != "--evaluate" ]; then
rm -rf "$OUT"; mkdir -p "$OUT/train_records" "$OUT/kit_clean_heldout" "$OUT/kit_clean_seen"
# Held out: the 6 records of the distorted dev pages. Trained on: the other 8.
HELD="00008 00017 00026 00030 00041 00050"
for hea in "$DATA"/ptbxl/records500/00000/*_hr.hea; do
  id=$(basename "$hea" _hr.hea)
  if [[ " $HELD " == *" $id "* ]]; then
    ln -s "$(realpath "$DATA/$KIT/clean/${id}_hr-0.png")" "$OUT/kit_clean_heldout/"
    ln -s "$(realpath "$DATA/$KIT/clean/${id}_hr-0.json")" "$OUT/kit_clean_heldout/"
  else
    ln -s "$(realpath "$hea")" "$(realpath "${hea%.hea}.dat")" "$OUT/train_records/"
    ln -s "$(realpath "$DATA/$KIT/clean/${id}_hr-0.png")" "$OUT/kit_clean_seen/"
    ln -s "$(realpath "$DATA/$KIT/clean/${id}_hr-0.json")" "$OUT/kit_clean_seen/"
  fi
done
timed train "$ECG" train --config experiments/digitize/config.yaml run_dir="$OUT/run" > "$OUT/train.log" 2>&1
fi
CKPT="$OUT/run/checkpoints/best.pt"
kit() { echo "{name: image_pages, root: $1, records: $DATA/ptbxl/records500, width: 512, height: 384}"; }
"$ECG" eval --checkpoint "$CKPT" > "$OUT/synthetic.json"
for set in kit_clean_heldout kit_clean_seen; do
  timed "eval_$set" "$ECG" eval --checkpoint "$CKPT" "val_data=$(kit "$OUT/$set")" trainer.val_batches=0 \
    --per-example --plots "$OUT/plots/$set" --max-plots 20 > "$OUT/$set.json"
done
timed eval_kit_distorted "$ECG" eval --checkpoint "$CKPT" "val_data=$(kit "$DATA/$KIT/distorted")" trainer.val_batches=0 \
  --per-example --plots "$OUT/plots/kit_distorted" --max-plots 20 > "$OUT/kit_distorted.json"
timed predict_scans "$ECG" predict --model "$CKPT" --input "$DATA/images/real-scans" --out "$OUT/scans" --plots -q
json_object experiments/digitize/metrics.json synthetic_val "$OUT/synthetic.json" \
  kit_clean_heldout "$OUT/kit_clean_heldout.json" kit_distorted "$OUT/kit_distorted.json" \
  kit_clean_seen "$OUT/kit_clean_seen.json"
mkdir -p experiments/digitize/plots
for id in 00008 00017; do
  cp "$OUT/plots/kit_distorted/${id}_hr-0.png" "experiments/digitize/plots/kit_distorted_$id.png"
  cp "$OUT/plots/kit_clean_heldout/${id}_hr-0.png" "experiments/digitize/plots/kit_clean_$id.png"
done
# The scans themselves stay out of the repository (../shared/data is never committed):
# the overlays (page + traces) are in $OUT/scans/*_plot.png; only the traces read off two
# of them are kept here.
"$ECG" predict --model "$CKPT" --input "$DATA/images/real-scans" --out "$OUT/scans_traces" --plots --no-plot-page -q
for s in ecg00003 ecg00012; do cp "$OUT/scans_traces/${s}_plot.png" "experiments/digitize/plots/scan_${s}_traces.png"; done
for f in synthetic kit_clean_heldout kit_distorted kit_clean_seen; do
  jq -r --arg f "$f" '"\($f) n=\(.examples) snr_kaggle_db=\(.metrics["val/snr_kaggle_db"]) snr_challenge_db=\(.metrics["val/snr_challenge_db"]) mae_uv=\(.metrics["val/mae_uv"])"' "$OUT/$f.json"
done | tee "$OUT/summary.txt"
cat "$OUT/times.txt"
