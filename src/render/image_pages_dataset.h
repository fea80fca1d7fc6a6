#pragma once
// image_pages: ECG page images on disk with their ground-truth JSON, scored against the
// records they were drawn from. For validating digitisers on pages that other tools drew
// (ecg-image-kit's `<record>-<k>.png` + `.json`) or on pages written by `ecgtorch synth`.
//
//   data: {name: image_pages, root: IMAGES_DIR, records: RECORDS_DIR, width: 512, height: 384}
//
// Examples are the images under `root` (.png, .jpg, .jpeg; searched recursively, sorted by
// path) that have a `<stem>.json` beside them (ground_truth.h reads ours and
// ecg-image-kit's). Each is matched with the record under `records` whose stem is the
// image stem, or the image stem without a trailing `-<digits>` (ecg-image-kit's page
// index): `00001_hr-0.png` -> `00001_hr.hea`. The image and its truth are resized to
// width x height, and the example is as synth_pages' (page_dataset.h):
//   input   [3 | 1, height, width] in [0, 1]
//   target  [12, output_width] mV (page_targets.h), NaN where a lead is not plotted
//   extras  y_px, baseline_px, px_per_mm, panel_s
// example_id() is the image stem. A missing record, an unreadable image or a malformed
// JSON throws ecg::Error naming the file.

#include "data/dataset.h"

namespace ecg::render {

void register_image_pages_dataset(data::DatasetRegistry& registry);

}  // namespace ecg::render
