#!/usr/bin/env bash
# make experiment NAME=loss_ablation: the digitiser trained with mse, mse + spectral,
# mse + mr_stft and the SNR loss, 3 seeds each, as one grid sweep; mean +- std per loss.
# `run.sh --summarise` only re-evaluates the trials of a finished sweep in its run folder and
# rebuilds metrics.json.
cd "$(dirname "$0")/../.."
source experiments/common.sh
OUT=runs/experiments/loss_ablation
if [ "${1:-}" != "--summarise" ]; then
  rm -rf "$OUT"; mkdir -p "$OUT"
  timed sweep "$ECG" sweep --config experiments/loss_ablation/config.yaml --sampler grid \
    --param "loss=choice(mse,mse_spectral,mse_mr_stft,snr)" --param "seed=choice(0,1,2)" \
    --dir "$OUT/sweep" --parallel 1 | tee "$OUT/sweep.log"
fi
"$ECG" sweep --status "$OUT/sweep" > "$OUT/status.txt"
# Per trial: its final weights evaluated on its validation pages (both SNRs and the MAE;
# the same numbers as the run's last validation row, with the current metrics).
for t in "$OUT"/sweep/trials/trial_*; do
  id=${t##*_}; id=$((10#$id))
  "$ECG" eval --checkpoint "$(last_checkpoint "$t/run")" > "$t/eval.json"
  jq -c --argjson id "$id" --slurpfile s "$OUT/sweep/sweep.json" \
    '{trial: $id, loss: ($s[0].trials[$id].params.loss), seed: ($s[0].trials[$id].params.seed), step,
      snr_kaggle_db: .metrics["val/snr_kaggle_db"], snr_challenge_db: .metrics["val/snr_challenge_db"],
      mae_uv: .metrics["val/mae_uv"]}' "$t/eval.json"
done > "$OUT/trials.jsonl"
# Mean and sample standard deviation per loss.
jq -s 'def stats(f): (map(f)) as $v | ($v | add / length) as $m
         | {mean: $m, std: (if ($v | length) > 1 then (($v | map((. - $m) * (. - $m)) | add) / (($v | length) - 1) | sqrt) else 0 end)};
       {trials: ., by_loss: (group_by(.loss) | map({key: .[0].loss, value: {n: length,
         snr_kaggle_db: stats(.snr_kaggle_db), snr_challenge_db: stats(.snr_challenge_db), mae_uv: stats(.mae_uv)}}) | from_entries)}' \
  "$OUT/trials.jsonl" > experiments/loss_ablation/metrics.json
jq -r '.by_loss | to_entries[] | "\(.key) n=\(.value.n) kaggle \(.value.snr_kaggle_db.mean * 100 | round / 100) +- \(.value.snr_kaggle_db.std * 100 | round / 100) dB, challenge \(.value.snr_challenge_db.mean * 100 | round / 100) +- \(.value.snr_challenge_db.std * 100 | round / 100) dB, mae \(.value.mae_uv.mean | round) +- \(.value.mae_uv.std | round) uV"' \
  experiments/loss_ablation/metrics.json | tee "$OUT/summary.txt"
cat "$OUT/times.txt" 2>/dev/null || true
