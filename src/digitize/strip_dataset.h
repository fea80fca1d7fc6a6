#pragma once
// trace_strips: row strips of rendered pages, cut as `digitize` cuts them, with what each
// strip should read: the training data of a learned trace reader (models/trace_reader_net.h).
// Register with register_strip_datasets(); config
//   data: {name: trace_strips, preset: mixed, records: DIR, synth_fraction: 0.5, window_s: 2}
// (options: `ecgtorch list datasets -v`).
//
// Example i is a strip of page i / rows_per_page (page_source.h: the signal, preset,
// artefacts and seeds of synth_pages). The page is read as `digitize` reads it, from the
// image alone (page_reader.h: geometry, canonical warp, ink, layout), and cut into strips
// (strip_cutter.h); a page on which no row is found, or no strip holds a truth lead, is
// replaced by the next page p + 7919 k (k = 1, 2, ...; at most 64 tries). The strip is drawn
// from (seed, i) among the rows that hold a lead, and a window of window_s seconds from
// (seed, i) within the strip's columns (the whole strip when window_s is 0 or longer).
//
//   input   [2, height_px, W] f32 (strip_cutter.h channels), W = round(window_s * columns_per_s)
//   target  [3, W] f32 (losses/strip_trace_losses.h): 0 the strip row of this row's own
//           trace per column, NaN where none; 1 its mV, (baseline_row - row) / rows_per_mv;
//           2 rows_per_mv in every column
//   extras  baseline_row []  f32 the strip row of 0 mV
//           rows_per_mv  []  f32 strip rows per mV
//           page         []  int64 the page index used
// Recent pages are kept (8), so consecutive indices cut one page once.

#include "core/config_node.h"
#include "data/dataset.h"
#include "digitize/strip_cutter.h"

namespace ecg::digitize {

/// The strip options of a trace_strips data section (a trained reader's config), its
/// defaults filled in: how `digitize` must cut strips for that reader. Throws ecg::Error
/// for a section that is not trace_strips or does not check.
StripOptions strip_options_of(const config::ConfigNode& data_section);

/// Registers trace_strips into a dataset registry.
void register_strip_datasets(data::DatasetRegistry& registry);

}  // namespace ecg::digitize
