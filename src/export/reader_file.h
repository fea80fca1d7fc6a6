#pragma once
// A trained trace reader as a digitize TraceReader: `ecgtorch digitize --reader FILE`.
// FILE is any model file `ecgtorch predict` opens (export/predictor.h): a checkpoint of
// the trace_reader model (models/trace_reader_net.h) trained on trace_strips, or its
// TorchScript or ONNX export. The strips are cut with the options the reader was trained
// on, which travel in its ModelIo (`strip`, `size_multiple`: export/model_io.h), so
// serving cuts what training cut. An export runs at the size it was traced at, so each
// strip is read in windows of that many columns (64 read but not kept at either side);
// a checkpoint reads whole strips.
//
//   auto reader = open_trace_reader("runs/reader/checkpoints/best.pt", *regs);
//   digitize::read_page(bgr, *reader, options);

#include <filesystem>
#include <memory>

#include "digitize/trace_reader.h"
#include "train/registries.h"

namespace ecg::exporting {

/// `fallback` (may be null) reads the columns under the reader's confidence threshold,
/// and with fallback_beyond_mm > 0 those where the two disagree by more than that
/// (digitize/learned_reader.h). Throws ecg::Error naming the file when it is not a model
/// file, or its model is not a trace reader (no strip options in its ModelIo: not
/// trained on trace_strips).
std::shared_ptr<const digitize::TraceReader> open_trace_reader(
    const std::filesystem::path& path, const train::Registries& regs,
    std::shared_ptr<const digitize::TraceReader> fallback = nullptr, double fallback_beyond_mm = 0);

}  // namespace ecg::exporting
