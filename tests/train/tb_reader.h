#pragma once
// The independent TensorBoard reader (tools/tb/tb_read.js: the `tfrecord` npm package
// for the framing and both CRCs, protobufjs with TensorBoard's Event schema) run from
// tests. Tests call tb_reader_missing() first and skip, saying why, when node or the
// packages (`make tb`) are absent.

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/cli_util.h"

namespace ecg::testing {

inline std::filesystem::path tb_read_script() {
  const char* src = std::getenv("ECGTORCH_SOURCE_DIR");
  return std::filesystem::path(src != nullptr ? src : ".") / "tools" / "tb" / "tb_read.js";
}

/// node as the ONNX Runtime bridge finds it: $ECGTORCH_NODE, else `node` on PATH.
inline std::string tb_node() {
  const char* v = std::getenv("ECGTORCH_NODE");
  return v != nullptr && *v != '\0' ? v : "node";
}

/// Why the reader cannot run, or nullopt when it can.
inline std::optional<std::string> tb_reader_missing() {
  if (run_process({tb_node(), "--version"}).status != 0)
    return tb_node() + " does not run (install nodejs, or set ECGTORCH_NODE)";
  const auto script = tb_read_script();
  if (!std::filesystem::is_regular_file(script)) return script.string() + " not found (set ECGTORCH_SOURCE_DIR)";
  if (!std::filesystem::is_directory(script.parent_path() / "node_modules" / "tfrecord")) {
    return "the tfrecord package is not installed in tools/tb (run `make tb`)";
  }
  return std::nullopt;
}

struct TbRead {
  int status = -1;                     // the reader's exit status
  std::vector<nlohmann::json> events;  // one per record, in file order
  std::string err;
};

/// Runs the reader on `file`.
inline TbRead tb_read(const std::filesystem::path& file) {
  const Result run = run_process({tb_node(), tb_read_script().string(), file.string()});
  TbRead r;
  r.status = run.status;
  std::istringstream lines(run.out);
  for (std::string line; std::getline(lines, line);) r.events.push_back(nlohmann::json::parse(line));
  r.err = run.err;
  return r;
}

}  // namespace ecg::testing
