#pragma once
// RunDir: the directory a run writes to, by default
//   <runs_root>/<experiment>/<YYYYmmdd-HHMMSS>-<6 hex>/
// holding config.yaml (the resolved config), command.txt, env.json and log.txt.
// Every file is written atomically.
//
//   RunDir dir = RunDir::create(opts, std::chrono::system_clock::now());
//   dir.write_config(cfg); dir.write_command(argv); dir.write_env(run_env_json(ctx, build_info()));

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/build_info.h"
#include "core/config_node.h"
#include "core/run_context.h"
#include "core/run_options.h"

namespace ecg {

class RunDir {
 public:
  /// Creates the directory. With options.run_dir() set, that path is used, and it must
  /// not exist yet or be empty (a run never writes over another). Throws ecg::Error.
  static RunDir create(const RunOptions& options, std::chrono::system_clock::time_point now);

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path log_path() const { return path_ / "log.txt"; }

  void write_config(const config::ConfigNode& resolved) const;     // config.yaml
  void write_command(const std::vector<std::string>& argv) const;  // command.txt, shell-quoted
  void write_env(const nlohmann::json& env) const;                 // env.json

 private:
  explicit RunDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

/// "20261121-104637-3fa9c1": local time and 6 random hex digits.
std::string run_dir_name(std::chrono::system_clock::time_point now);

/// env.json: git SHA, library versions, host, device, seed, threads and rank.
nlohmann::json run_env_json(const RunContext& ctx, const BuildInfo& build);

}  // namespace ecg
