#include "sweep/sweep_state.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iomanip>
#include <sstream>

#include "core/atomic_file.h"
#include "core/csv.h"
#include "core/error.h"
#include "core/strings.h"

namespace fs = std::filesystem;

namespace ecg::sweep {
namespace {

constexpr int kVersion = 1;

nlohmann::json spec_to_json(const SweepSpec& s) {
  nlohmann::json space = nlohmann::json::object();
  for (const auto& p : s.space.params) space[p.path] = p.describe();
  std::vector<std::string> order;
  for (const auto& p : s.space.params) order.push_back(p.path);
  return {{"config", s.config},
          {"config_dirs", s.config_dirs},
          {"overrides", s.overrides},
          {"space", space},
          {"space_order", order},
          {"sampler", s.sampler},
          {"seed", s.sampler_options.seed},
          {"grid_points", s.sampler_options.grid_points},
          {"tpe_startup", s.sampler_options.startup},
          {"tpe_gamma", s.sampler_options.gamma},
          {"tpe_candidates", s.sampler_options.candidates},
          {"trials", s.trials},
          {"metric", s.metric},
          {"mode", s.mode},
          {"prune", s.prune ? "asha" : "none"},
          {"asha_min_steps", s.asha.min_steps},
          {"asha_eta", s.asha.eta}};
}

SweepSpec spec_from_json(const nlohmann::json& j, const std::string& source) {
  SweepSpec s;
  s.config = j.at("config").get<std::string>();
  s.overrides = j.at("overrides").get<std::vector<std::string>>();
  s.config_dirs = j.value("config_dirs", std::vector<std::string>{});
  for (const auto& path : j.at("space_order")) {
    const std::string p = path.get<std::string>();
    s.space.add(parse_distribution(p, j.at("space").at(p).get<std::string>(), source + ": spec.space"));
  }
  s.sampler = j.at("sampler").get<std::string>();
  s.sampler_options.seed = j.at("seed").get<uint64_t>();
  s.sampler_options.grid_points = j.at("grid_points").get<int64_t>();
  s.sampler_options.startup = j.at("tpe_startup").get<int64_t>();
  s.sampler_options.gamma = j.at("tpe_gamma").get<double>();
  s.sampler_options.candidates = j.at("tpe_candidates").get<int64_t>();
  s.trials = j.at("trials").get<int64_t>();
  s.metric = j.at("metric").get<std::string>();
  s.mode = j.at("mode").get<std::string>();
  s.prune = j.at("prune").get<std::string>() == "asha";
  s.asha.min_steps = j.at("asha_min_steps").get<int64_t>();
  s.asha.eta = j.at("asha_eta").get<double>();
  return s;
}

std::string cell(const std::optional<double>& v) {
  if (!v) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", *v);
  return buf;
}

}  // namespace

fs::path trial_dir(const fs::path& dir, int64_t id) {
  std::ostringstream name;
  name << "trial_" << std::setw(4) << std::setfill('0') << id;
  return dir / "trials" / name.str();
}

nlohmann::json state_to_json(const SweepState& s) {
  nlohmann::json trials = nlohmann::json::array();
  for (const auto& t : s.trials) {
    nlohmann::json rungs = nlohmann::json::object();
    for (const auto& [k, v] : t.rungs) rungs[std::to_string(k)] = v;
    nlohmann::json j = {{"id", t.id},
                        {"x", t.x},
                        {"params", t.params},
                        {"status", t.status},
                        {"owner", t.owner},
                        {"pid", t.pid},
                        {"exit_status", t.exit_status},
                        {"value_step", t.value_step},
                        {"curve", t.curve},
                        {"rungs", rungs},
                        {"pruned_at_step", t.pruned_at_step},
                        {"started", t.started},
                        {"ended", t.ended},
                        {"log_tail", t.log_tail}};
    j["value"] = t.value ? nlohmann::json(*t.value) : nlohmann::json(nullptr);
    trials.push_back(std::move(j));
  }
  return {{"format", "ecgtorch-sweep"}, {"version", kVersion}, {"spec", spec_to_json(s.spec)}, {"trials", trials}};
}

SweepState state_from_json(const nlohmann::json& j, const std::string& source) {
  ECG_CHECK(j.value("format", "") == "ecgtorch-sweep", source, ": not an ecgtorch sweep state");
  ECG_CHECK(j.value("version", 0) == kVersion, source, ": sweep state version ", j.value("version", 0),
            " is not supported (expected ", kVersion, ")");
  SweepState s;
  try {
    s.spec = spec_from_json(j.at("spec"), source);
    for (const auto& e : j.at("trials")) {
      Trial t;
      t.id = e.at("id").get<int64_t>();
      t.x = e.at("x").get<std::vector<double>>();
      t.params = e.at("params").get<std::map<std::string, std::string>>();
      t.status = e.at("status").get<std::string>();
      t.owner = e.value("owner", "");
      t.pid = e.value("pid", int64_t{0});
      t.exit_status = e.value("exit_status", 0);
      if (!e.at("value").is_null()) t.value = e.at("value").get<double>();
      t.value_step = e.value("value_step", int64_t{0});
      t.curve = e.at("curve").get<std::vector<std::pair<int64_t, double>>>();
      for (const auto& [k, v] : e.at("rungs").items()) t.rungs[std::stoll(k)] = v.get<double>();
      t.pruned_at_step = e.value("pruned_at_step", int64_t{0});
      t.started = e.value("started", "");
      t.ended = e.value("ended", "");
      t.log_tail = e.value("log_tail", std::vector<std::string>{});
      s.trials.push_back(std::move(t));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(str(source, ": damaged sweep state: ", e.what()));
  }
  return s;
}

SweepState read_state(const fs::path& dir) {
  const fs::path file = dir / "sweep.json";
  std::error_code ec;
  ECG_CHECK(fs::is_regular_file(file, ec), file.string(),
            ": no sweep here (start one with ecgtorch sweep --config ...)");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(file));
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(str(file.string(), ": invalid JSON at byte ", e.byte));
  }
  return state_from_json(j, file.string());
}

void write_state(const fs::path& dir, const SweepState& s) {
  write_file_atomic(dir / "sweep.json", state_to_json(s).dump(1) + "\n");
}

SweepLock::SweepLock(const fs::path& dir) {
  fd_ = ::open((dir / "sweep.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ECG_CHECK(fd_ >= 0, (dir / "sweep.lock").string(), ": cannot open: ", std::strerror(errno));
  while (::flock(fd_, LOCK_EX) != 0) {
    ECG_CHECK(errno == EINTR, (dir / "sweep.lock").string(), ": cannot lock: ", std::strerror(errno));
  }
}

SweepLock::~SweepLock() {
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
}

std::vector<const Trial*> ranked(const SweepState& s) {
  std::vector<const Trial*> out;
  for (const auto& t : s.trials) out.push_back(&t);
  const bool maximize = s.spec.mode == "max";
  auto group = [](const Trial* t) {
    return t->status == "completed" && t->value ? 0 : t->status == "pruned" && t->value ? 1 : 2;
  };
  std::stable_sort(out.begin(), out.end(), [&](const Trial* a, const Trial* b) {
    const int ga = group(a), gb = group(b);
    if (ga != gb) return ga < gb;
    if (ga == 2) return a->id < b->id;
    return maximize ? *a->value > *b->value : *a->value < *b->value;
  });
  return out;
}

std::string results_markdown(const SweepState& s) {
  std::string out = "| rank | trial | status | " + s.spec.metric + " | step |";
  std::string rule = "| --- | --- | --- | --- | --- |";
  for (const auto& p : s.spec.space.params) {
    out += " " + p.path + " |";
    rule += " --- |";
  }
  out += "\n" + rule + "\n";
  int64_t rank = 0;
  for (const Trial* t : ranked(s)) {
    ++rank;
    std::string status = t->status;
    if (t->status == "pruned") status += str(" @", t->pruned_at_step);
    if (t->status == "failed") status += str(" (exit ", t->exit_status, ")");
    out += str("| ", rank, " | ", t->id, " | ", status, " | ", cell(t->value), " | ",
               t->value ? std::to_string(t->value_step) : "", " |");
    for (const auto& p : s.spec.space.params) {
      const auto it = t->params.find(p.path);
      out += " " + (it == t->params.end() ? std::string() : it->second) + " |";
    }
    out += "\n";
  }
  return out;
}

std::string results_csv(const SweepState& s, const fs::path& dir) {
  std::string out = "rank,trial,status,value,step";
  for (const auto& p : s.spec.space.params) out += "," + csv_field(p.path);
  out += ",run_dir\n";
  int64_t rank = 0;
  for (const Trial* t : ranked(s)) {
    out += str(++rank, ",", t->id, ",", t->status, ",", cell(t->value), ",",
               t->value ? std::to_string(t->value_step) : "");
    for (const auto& p : s.spec.space.params) {
      const auto it = t->params.find(p.path);
      out += "," + csv_field(it == t->params.end() ? std::string() : it->second);
    }
    out += "," + csv_field((trial_dir(dir, t->id) / "run").string()) + "\n";
  }
  return out;
}

void write_results(const fs::path& dir, const SweepState& s) {
  write_file_atomic(dir / "results.csv", results_csv(s, dir));
  write_file_atomic(dir / "results.md", results_markdown(s) + "\n");
  const auto r = ranked(s);
  if (r.empty() || r[0]->status != "completed" || !r[0]->value) return;
  const fs::path config = trial_dir(dir, r[0]->id) / "run" / "config.yaml";
  std::error_code ec;
  if (!fs::is_regular_file(config, ec)) return;
  std::string head = str("# Best trial of the sweep in ", fs::absolute(dir).string(), ": trial ", r[0]->id, ", ",
                         s.spec.metric, " = ", cell(r[0]->value), " (", s.spec.mode, ")\n");
  for (const auto& [k, v] : r[0]->params) head += "#   " + k + "=" + v + "\n";
  head += "# Train it again with: ecgtorch train --config best_config.yaml\n";
  YAML::Node cfg = YAML::Load(read_file(config));
  cfg["run_dir"] = YAML::Node(YAML::NodeType::Null);  // a new run gets a new directory
  YAML::Emitter emit;
  emit << cfg;
  write_file_atomic(dir / "best_config.yaml", head + emit.c_str() + "\n");
}

}  // namespace ecg::sweep
