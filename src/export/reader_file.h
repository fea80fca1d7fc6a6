#pragma once
// A trained trace reader as a digitize TraceReader: `ecgtorch digitize --reader FILE`.
// The file is a checkpoint of the trace_reader model (models/trace_reader_net.h) trained
// on trace_strips; the strips are cut with the options of its own data section
// (digitize::strip_options_of), so serving cuts what training cut.
//
//   auto reader = open_trace_reader("runs/reader/checkpoints/best.pt", *regs);
//   digitize::read_page(bgr, *reader, options);

#include <filesystem>
#include <memory>

#include "digitize/trace_reader.h"
#include "train/registries.h"

namespace ecg::exporting {

/// Throws ecg::Error naming the file when it is not a checkpoint, its model is not
/// trace_reader, or its data section is not trace_strips.
std::shared_ptr<const digitize::TraceReader> open_trace_reader(const std::filesystem::path& path,
                                                               const train::Registries& regs);

}  // namespace ecg::exporting
