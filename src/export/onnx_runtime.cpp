#include "export/onnx_runtime.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "core/atomic_file.h"
#include "core/error.h"

namespace ecg::exporting {
namespace {

namespace fs = std::filesystem;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::string(v) : std::string();
}

std::optional<fs::path> find_on_path(const std::string& name) {
  std::stringstream path(env("PATH"));
  std::string dir;
  while (std::getline(path, dir, ':')) {
    if (dir.empty()) continue;
    const fs::path p = fs::path(dir) / name;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return std::nullopt;
}

std::optional<fs::path> find_node() {
  if (const auto e = env("ECGTORCH_NODE"); !e.empty()) return fs::path(e);
  return find_on_path("node");
}

fs::path find_script() {
  if (const auto e = env("ECGTORCH_ORT_SCRIPT"); !e.empty()) return e;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = exe.parent_path().parent_path() / "share" / "ecgtorch" / "ort" / "ort_run.js";
    if (fs::is_regular_file(installed)) return installed;
  }
  return fs::path(ECGTORCH_SOURCE_DIR) / "tools" / "ort" / "ort_run.js";
}

fs::path find_node_modules(const fs::path& script) {
  if (const auto e = env("ECGTORCH_ORT_NODE_DIR"); !e.empty()) return e;
  return script.parent_path() / "node_modules";
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "ecgtorch-ort-XXXXXX").string();
    ECG_CHECK(::mkdtemp(tmpl.data()) != nullptr, "onnx runtime: cannot create a temporary directory");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

std::string read_all(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// Runs argv with stdout and stderr to files; returns the exit status (-1: not started).
int run(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err) {
  const pid_t pid = ::fork();
  ECG_CHECK(pid >= 0, "onnx runtime: fork failed");
  if (pid == 0) {
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (o < 0 || e < 0) ::_exit(127);
    ::dup2(o, 1);
    ::dup2(e, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

std::optional<std::string> onnx_runtime_missing() {
  const auto node = find_node();
  if (!node || ::access(node->c_str(), X_OK) != 0)
    return std::string("node not found (install nodejs, or set ECGTORCH_NODE)");
  const fs::path script = find_script();
  if (!fs::is_regular_file(script)) return "ort_run.js not found at " + script.string() + " (set ECGTORCH_ORT_SCRIPT)";
  const fs::path modules = find_node_modules(script);
  if (!fs::is_directory(modules / "onnxruntime-node"))
    return "onnxruntime-node not found in " + modules.string() + " (run: make ort, or npm install --prefix " +
           script.parent_path().string() + "; or set ECGTORCH_ORT_NODE_DIR)";
  return std::nullopt;
}

OrtRun run_onnx_runtime(const fs::path& model, const std::vector<std::string>& input_names,
                        const std::vector<torch::Tensor>& inputs, int repeat, int threads) {
  if (const auto why = onnx_runtime_missing()) throw Error("onnx runtime: " + *why);
  ECG_CHECK(input_names.size() == inputs.size(), "onnx runtime: ", input_names.size(), " names for ", inputs.size(),
            " inputs");
  TempDir tmp;
  nlohmann::json req;
  req["model"] = fs::absolute(model).string();
  req["threads"] = threads;
  req["repeat"] = repeat;
  req["output"] = (tmp.path / "output.bin").string();
  req["inputs"] = nlohmann::json::array();
  for (size_t i = 0; i < inputs.size(); ++i) {
    const bool is_long = inputs[i].scalar_type() == torch::kLong;
    const auto t = inputs[i].to(is_long ? torch::kLong : torch::kFloat).contiguous().cpu();
    const fs::path f = tmp.path / ("input" + std::to_string(i) + ".bin");
    write_file_atomic(f, std::string_view(static_cast<const char*>(t.data_ptr()), t.numel() * t.element_size()));
    req["inputs"].push_back({{"name", input_names[i]},
                             {"type", is_long ? "int64" : "float32"},
                             {"dims", t.sizes().vec()},
                             {"file", f.string()}});
  }
  const fs::path req_path = tmp.path / "request.json";
  write_file_atomic(req_path, req.dump());
  const fs::path script = find_script();
  ::setenv("ECGTORCH_ORT_NODE_DIR", find_node_modules(script).c_str(), 0);
  const int status = run({find_node()->string(), script.string(), req_path.string()}, tmp.path / "stdout.txt",
                         tmp.path / "stderr.txt");
  if (status != 0) {
    std::string err = read_all(tmp.path / "stderr.txt");
    while (!err.empty() && (err.back() == '\n' || err.back() == '\r')) err.pop_back();
    const auto nl = err.rfind('\n');
    throw Error(model.string() + ": ONNX Runtime failed (exit " + std::to_string(status) +
                "): " + (nl == std::string::npos ? err : err.substr(nl + 1)));
  }
  const auto info = nlohmann::json::parse(read_all(tmp.path / "stdout.txt"));
  std::vector<int64_t> dims = info.at("dims").get<std::vector<int64_t>>();
  const std::string bytes = read_all(tmp.path / "output.bin");
  auto out = torch::empty(dims, torch::kFloat);
  ECG_CHECK(static_cast<int64_t>(bytes.size()) == out.numel() * 4, "onnx runtime: output size mismatch");
  std::memcpy(out.data_ptr(), bytes.data(), bytes.size());
  OrtRun r;
  r.output = out;
  r.times_ms = info.value("times_ms", std::vector<double>{});
  return r;
}

}  // namespace ecg::exporting
