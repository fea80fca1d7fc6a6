#include "train/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/Generator.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <sstream>

#include "core/atomic_file.h"
#include "core/error.h"

namespace fs = std::filesystem;

namespace ecg::train {
namespace {

constexpr const char* kFormat = "ecgtorch-checkpoint";

torch::Tensor bytes_tensor(const std::string& s) {
  auto t = torch::empty({static_cast<int64_t>(s.size())}, torch::kUInt8);
  std::copy(s.begin(), s.end(), t.data_ptr<uint8_t>());
  return t;
}

std::string tensor_bytes(const torch::Tensor& t) {
  const auto c = t.to(torch::kCPU).contiguous();
  return std::string(reinterpret_cast<const char*>(c.data_ptr<uint8_t>()), static_cast<size_t>(c.numel()));
}

nlohmann::json read_meta(torch::serialize::InputArchive& archive, const fs::path& path) {
  torch::Tensor m;
  ECG_CHECK(archive.try_read("meta", m, true), path.string(), ": not an ecgtorch checkpoint (no 'meta')");
  nlohmann::json meta;
  try {
    meta = nlohmann::json::parse(tensor_bytes(m));
  } catch (const std::exception& e) {
    throw Error(str(path.string(), ": checkpoint meta is not valid JSON: ", e.what()));
  }
  ECG_CHECK(meta.value("format", "") == kFormat, path.string(), ": not an ecgtorch checkpoint (format '",
            meta.value("format", ""), "')");
  const int version = meta.value("version", 0);
  ECG_CHECK(version >= 1 && version <= kCheckpointVersion, path.string(), ": checkpoint version ", version,
            " is not supported by this ecgtorch (reads 1..", kCheckpointVersion, ")");
  return meta;
}

void open_archive(torch::serialize::InputArchive& archive, const fs::path& path) {
  ECG_CHECK(fs::is_regular_file(path), path.string(), ": no such checkpoint file");
  try {
    archive.load_from(path.string());
  } catch (const c10::Error& e) {
    throw Error(str(path.string(), ": cannot read the checkpoint (truncated or not a LibTorch archive): ",
                    e.what_without_backtrace()));
  }
}

// Module::load() would take a tensor of another shape without a word; this checks every
// parameter and buffer (name and shape) and names the first that does not fit.
void load_module(torch::nn::Module& m, torch::serialize::InputArchive& a, const std::string& prefix,
                 const fs::path& path) {
  torch::NoGradGuard no_grad;
  auto one = [&](const std::string& key, torch::Tensor& t, bool buffer) {
    torch::Tensor v;
    ECG_CHECK(a.try_read(key, v, buffer), path.string(), ": the checkpoint has no ", buffer ? "buffer" : "parameter",
              " '", prefix + key, "' (does it belong to another model or config?)");
    ECG_CHECK(v.sizes() == t.sizes(), path.string(), ": '", prefix + key, "' has shape ", v.sizes(),
              " in the checkpoint but ", t.sizes(), " in the model");
    t.copy_(v);
  };
  for (auto& p : m.named_parameters(false)) one(p.key(), p.value(), false);
  for (auto& b : m.named_buffers(false)) one(b.key(), b.value(), true);
  for (auto& c : m.named_children()) {
    torch::serialize::InputArchive sub;
    ECG_CHECK(a.try_read(c.key(), sub), path.string(), ": the checkpoint has no module '", prefix + c.key(), "'");
    load_module(*c.value(), sub, prefix + c.key() + ".", path);
  }
}

}  // namespace

std::string step_checkpoint_name(int64_t step) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "step_%08lld.pt", static_cast<long long>(step));
  return buf;
}

void save_checkpoint(const fs::path& path, const CheckpointParts& parts) {
  torch::serialize::OutputArchive archive;
  nlohmann::json meta = parts.meta != nullptr ? *parts.meta : nlohmann::json::object();
  meta["format"] = kFormat;
  meta["version"] = kCheckpointVersion;
  archive.write("meta", bytes_tensor(meta.dump()), true);
  if (parts.model != nullptr) {
    torch::serialize::OutputArchive a;
    parts.model->save(a);
    archive.write("model", a);
  }
  if (parts.optimizer != nullptr) {
    torch::serialize::OutputArchive a;
    parts.optimizer->save(a);
    archive.write("optimizer", a);
  }
  if (parts.ema != nullptr) {
    torch::serialize::OutputArchive a;
    parts.ema->save(a);
    archive.write("ema", a);
  }
  if (parts.rng) {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    archive.write("rng/cpu", gen.get_state(), true);
  }
  std::ostringstream out;
  archive.save_to(out);
  write_file_atomic(path, out.str());
}

nlohmann::json read_checkpoint_meta(const fs::path& path) {
  torch::serialize::InputArchive archive;
  open_archive(archive, path);
  return read_meta(archive, path);
}

void load_checkpoint(const fs::path& path, const CheckpointParts& parts) {
  torch::serialize::InputArchive archive;
  open_archive(archive, path);
  const nlohmann::json meta = read_meta(archive, path);
  if (parts.meta != nullptr) *parts.meta = meta;
  auto sub = [&](const char* key, torch::serialize::InputArchive& a) {
    ECG_CHECK(archive.try_read(key, a), path.string(), ": the checkpoint has no '", key, "'");
  };
  try {
    if (parts.model != nullptr) {
      torch::serialize::InputArchive a;
      sub("model", a);
      load_module(*parts.model, a, "", path);
    }
    if (parts.optimizer != nullptr) {
      torch::serialize::InputArchive a;
      sub("optimizer", a);
      parts.optimizer->load(a);
    }
  } catch (const c10::Error& e) {
    throw Error(str(path.string(), ": the checkpoint does not fit this model/optimizer: ", e.what_without_backtrace()));
  }
  if (parts.ema != nullptr) {
    torch::serialize::InputArchive a;
    sub("ema", a);
    parts.ema->load(a);
  }
  if (parts.rng) {
    torch::Tensor state;
    ECG_CHECK(archive.try_read("rng/cpu", state, true), path.string(), ": the checkpoint has no 'rng/cpu'");
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(state);
  }
}

std::vector<fs::path> list_step_checkpoints(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (n.size() == 16 && n.rfind("step_", 0) == 0 && n.substr(13) == ".pt" &&
        std::all_of(n.begin() + 5, n.begin() + 13, [](char c) { return c >= '0' && c <= '9'; })) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

void prune_step_checkpoints(const fs::path& dir, int64_t keep) {
  auto all = list_step_checkpoints(dir);
  const int64_t n = static_cast<int64_t>(all.size());
  for (int64_t i = 0; i + keep < n; ++i) {
    std::error_code ec;
    fs::remove(all[static_cast<size_t>(i)], ec);
  }
}

}  // namespace ecg::train
