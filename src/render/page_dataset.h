#pragma once
// synth_pages: an infinite dataset of ECG-paper images rendered on the fly, for training
// digitisers. Register it with register_render_datasets(); config `data: {name:
// synth_pages, ...}` (options: `ecgtorch list datasets -v`).
//
// Example i: the signal is synthesised (class classes[i % C], seed derived from (seed, i))
// or, with `records: DIR`, record i % N of that folder (a `synth_fraction` share of the
// indices, drawn per index, is synthesised instead: a mix of both); the page is rendered with the
// preset's page options and artefacts (seeded by (seed, i)) and resized to the training
// resolution width x height. Everything depends only on (options, i): any worker thread
// builds the same bytes.
//
//   input   [3 | 1, height, width] float in [0, 1] (RGB, or grey with grayscale=true)
//   target  [12, output_width] mV of the standard leads (I, II, III, aVR, aVL, aVF, V1-V6)
//           at the image columns x_c = (c + 0.5) * width / output_width - 0.5, read off
//           each lead's (non-rhythm) panel by interpolating between the samples that
//           bracket x_c; NaN where the lead is not plotted or the printer clipped it.
//   extras  y_px        [12, output_width] the plotted trace row at those columns (NaN alike)
//           baseline_px [12] the row of 0 mV of each lead in the image (median of
//                       y + mV * gain * px_per_mm over its samples; NaN when absent)
//           px_per_mm   [] the vertical grid scale of the training image
//           panel_s     [12, 2] each lead's panel: start time in the record and duration,
//                       seconds (NaN when absent); `ecgtorch predict` places leads with it
//           keypoints   [K, 4] (lead index, wave P 0 | Q 1 | R 2 | S 3 | T 4, x, y) in
//                       training pixels (synthesised signals only; else [0, 4])
//           mask        [12, height, width] uint8 per-lead trace masks (masks=true)
// With target=keypoints the target is instead the `detr` loss's [max_keypoints, 3]:
//   (wave P 0 | Q 1 | R 2 | S 3 | T 4, x / width, y / height) of the keypoints of
//   keypoint_leads (all when empty), the leftmost first, class -1 rows padding, in place of
//   the traces target (the extras stay). Synthesised signals, or records with a
//   delineation file beside them (`annotations: ii` reads LUDB's `<record>.ii`, see
//   data/delineation.h); other records have no fiducials and their target is all padding.
// With records, `crop_s` renders windows of that length: example i is record i % N,
// window (i / N) % W of its W whole windows (keypoints re-based to the window).
// With target=classes (synthesised signals only) the target is the multi-hot of the
// synthesiser's labels over synth_classes(), and the extras carry the multimodal model's
// inputs: image (the page), signal [12, duration * signal_fs_hz] mV, numeric [3] (age,
// height cm, weight kg; NaN = unknown, 10 % each), categorical [2] int64 (sex, site;
// -1 = unknown) and present [3]; each modality is absent (zeros / NaN / -1 and present 0)
// with probability p_missing, never all three. The metadata carries no class signal.

#include <memory>

#include "data/dataset.h"

namespace ecg::render {

/// Registers synth_pages into a dataset registry.
void register_render_datasets(data::DatasetRegistry& registry);

}  // namespace ecg::render
