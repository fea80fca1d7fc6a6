#pragma once
// The whole config pipeline behind every `--config FILE [overrides]` command:
//
//   1. parse the overrides;
//   2. compose FILE with its defaults lists, with group choices from the overrides;
//   3. apply the value overrides in order;
//   4. fill in the schema's defaults (so interpolations can refer to them);
//   5. resolve interpolations;
//   6. check strictly against the schema.
//
//   ConfigRequest req{"configs/quickstart.yaml", {"optimizer.lr=1e-3"}};
//   ConfigNode cfg = load_config(req, &job_schema);

#include <filesystem>
#include <string>
#include <vector>

#include "core/config_interpolate.h"
#include "core/config_node.h"
#include "core/config_schema.h"

namespace ecg::config {

struct ConfigRequest {
  std::filesystem::path file;
  std::vector<std::string> overrides;
  /// Where group files are looked up, after the directory of `file`.
  std::vector<std::filesystem::path> search_path;
  /// Environment for ${env:...}; empty means the process environment.
  EnvLookup env;
};

/// The directories searched for group files: dir of `file`, then `extra`, without repeats.
std::vector<std::filesystem::path> config_search_path(const std::filesystem::path& file,
                                                      const std::vector<std::filesystem::path>& extra);

/// Runs the pipeline above. `schema` may be null (no strict check: composition,
/// overrides and interpolation only). Throws ecg::Error with file:line and key.
ConfigNode load_config(const ConfigRequest& request, const Schema* schema);

}  // namespace ecg::config
