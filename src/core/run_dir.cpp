#include "core/run_dir.h"

#include <unistd.h>

#include <ctime>
#include <random>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/strings.h"
#include "core/yaml_io.h"

namespace fs = std::filesystem;

namespace ecg {

std::string run_dir_name(std::chrono::system_clock::time_point now) {
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  localtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
  std::random_device rd;
  char hex[8];
  std::snprintf(hex, sizeof(hex), "%06x", rd() & 0xffffffu);
  return std::string(stamp) + "-" + hex;
}

RunDir RunDir::create(const RunOptions& options, std::chrono::system_clock::time_point now) {
  fs::path path;
  std::error_code ec;
  if (options.run_dir()) {
    path = *options.run_dir();
    ECG_CHECK(!fs::exists(path, ec) || (fs::is_directory(path, ec) && fs::is_empty(path, ec)), path.string(),
              ": run directory already exists and is not empty (choose another run_dir)");
  } else {
    ECG_CHECK(!options.experiment().empty() && options.experiment().find('/') == std::string::npos, "experiment name '",
              options.experiment(), "' must be non-empty and have no '/'");
    path = fs::path(options.runs_root()) / options.experiment() / run_dir_name(now);
    ECG_CHECK(!fs::exists(path, ec), path.string(), ": run directory already exists");
  }
  fs::create_directories(path, ec);
  ECG_CHECK(!ec, path.string(), ": cannot create run directory: ", ec.message());
  return RunDir(path);
}

void RunDir::write_config(const config::ConfigNode& resolved) const {
  write_file_atomic(path_ / "config.yaml", config::to_yaml(resolved));
}

void RunDir::write_command(const std::vector<std::string>& argv) const {
  std::vector<std::string> quoted;
  for (const auto& a : argv) quoted.push_back(shell_quote(a));
  write_file_atomic(path_ / "command.txt", join(quoted, " ") + "\n");
}

void RunDir::write_env(const nlohmann::json& env) const {
  write_file_atomic(path_ / "env.json", env.dump(2) + "\n");
}

nlohmann::json run_env_json(const RunContext& ctx, const BuildInfo& build) {
  char host[256] = {0};
  if (::gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  nlohmann::json j;
  j["ecgtorch_version"] = build.version;
  j["git_sha"] = build.git_sha;
  j["libtorch_version"] = build.torch_version;
  j["opencv_version"] = build.opencv_version;
  j["compiler"] = build.compiler;
  j["host"] = host;
  j["device"] = ctx.device.str();
  j["cuda_devices"] = build.cuda_devices;
  j["seed"] = ctx.seed;
  j["threads"] = ctx.threads;
  j["rank"] = ctx.rank;
  j["world_size"] = ctx.world_size;
  return j;
}

}  // namespace ecg
