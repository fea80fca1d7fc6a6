#include "train/distributed.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#if defined(USE_C10D_NCCL) && __has_include(<torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>)
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#define ECG_HAVE_NCCL 1
#else
#define ECG_HAVE_NCCL 0
#endif

#include <cstdlib>
#include <cstring>

#include "core/error.h"

namespace ecg::train {
namespace {

int64_t parse_int(const std::string& name, const std::string& text, int64_t lo, int64_t hi) {
  size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  ECG_CHECK(used == text.size() && !text.empty() && v >= lo && v <= hi, "environment variable ", name,
            ": expected an integer in [", lo, ", ", hi, "], got '", text, "'");
  return v;
}

// Works on a c10d::ProcessGroupGloo (1.13) or a c10d::Backend (2.x): both have the
// collectives with the same signatures.
template <class Backend>
class C10dGroup : public ProcessGroup {
 public:
  C10dGroup(c10::intrusive_ptr<c10d::Store> store, c10::intrusive_ptr<Backend> pg, c10::Device device)
      : store_(std::move(store)), pg_(std::move(pg)), device_(device) {}

  int64_t rank() const override { return pg_->getRank(); }
  int64_t world_size() const override { return pg_->getSize(); }

  void broadcast_module(torch::nn::Module& module) override {
    torch::NoGradGuard no_grad;
    std::vector<at::Tensor> all;
    for (auto& p : module.parameters()) all.push_back(p);
    for (auto& b : module.buffers()) all.push_back(b);
    for (auto& t : all) {
      std::vector<at::Tensor> v{t.data()};
      pg_->broadcast(v)->wait();
    }
  }

  void average_gradients(torch::nn::Module& module, double bucket_mb) override {
    torch::NoGradGuard no_grad;
    std::vector<at::Tensor> params;
    for (auto& p : module.parameters()) {
      if (p.requires_grad()) params.push_back(p);
    }
    const int64_t bucket_bytes = static_cast<int64_t>(bucket_mb * 1024 * 1024);
    std::vector<std::vector<at::Tensor>> buckets;
    std::vector<std::vector<size_t>> members;
    int64_t bytes = bucket_bytes;
    for (size_t i = 0; i < params.size(); ++i) {
      auto& p = params[i];
      if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
      const int64_t b = p.numel() * static_cast<int64_t>(p.element_size());
      if (bytes + b > bucket_bytes || buckets.empty() || buckets.back()[0].scalar_type() != p.scalar_type()) {
        buckets.emplace_back();
        members.emplace_back();
        bytes = 0;
      }
      buckets.back().push_back(p.grad().reshape(-1));
      members.back().push_back(i);
      bytes += b;
    }
    std::vector<std::vector<at::Tensor>> flat(buckets.size());
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    for (size_t k = 0; k < buckets.size(); ++k) {
      flat[k] = {torch::cat(buckets[k])};
      works.push_back(pg_->allreduce(flat[k]));
    }
    const double inv = 1.0 / static_cast<double>(world_size());
    for (size_t k = 0; k < buckets.size(); ++k) {
      works[k]->wait();
      flat[k][0].mul_(inv);
      int64_t offset = 0;
      for (size_t i : members[k]) {
        auto& g = params[i].mutable_grad();
        const int64_t n = g.numel();
        g.copy_(flat[k][0].narrow(0, offset, n).view_as(g));
        offset += n;
      }
    }
  }

  std::vector<double> sum(const std::vector<double>& values) override {
    if (values.empty()) return {};
    auto t = torch::tensor(values, torch::kFloat64).to(device_);
    std::vector<at::Tensor> v{t};
    pg_->allreduce(v)->wait();
    auto c = v[0].cpu();
    return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
  }

  std::vector<std::string> all_gather(const std::string& value) override {
    std::vector<at::Tensor> len{torch::tensor({static_cast<int64_t>(value.size())}, torch::kInt64).to(device_)};
    pg_->allreduce(len, c10d::AllreduceOptions{c10d::ReduceOp::MAX})->wait();
    const int64_t max_len = len[0].cpu().item<int64_t>() + 8;
    auto mine = torch::zeros({max_len}, torch::kUInt8);
    const int64_t size = static_cast<int64_t>(value.size());
    std::memcpy(mine.data_ptr<uint8_t>(), &size, 8);
    std::memcpy(mine.data_ptr<uint8_t>() + 8, value.data(), value.size());
    std::vector<at::Tensor> in{mine.to(device_)};
    std::vector<std::vector<at::Tensor>> out(1);
    for (int64_t r = 0; r < world_size(); ++r) out[0].push_back(torch::empty_like(in[0]));
    pg_->allgather(out, in)->wait();
    std::vector<std::string> result;
    for (auto& t : out[0]) {
      auto c = t.cpu();
      int64_t s = 0;
      std::memcpy(&s, c.data_ptr<uint8_t>(), 8);
      result.emplace_back(reinterpret_cast<const char*>(c.data_ptr<uint8_t>()) + 8, static_cast<size_t>(s));
    }
    return result;
  }

  void barrier() override { pg_->barrier()->wait(); }

 private:
  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<Backend> pg_;
  c10::Device device_;
};

}  // namespace

DistEnv dist_env_from_environment(const std::function<std::optional<std::string>(const std::string&)>& getenv_fn) {
  auto get = [&](const std::string& name) -> std::optional<std::string> {
    if (getenv_fn) return getenv_fn(name);
    const char* v = std::getenv(name.c_str());
    return v != nullptr ? std::optional<std::string>(v) : std::nullopt;
  };
  auto first = [&](const char* a, const char* b) {
    auto v = get(a);
    return v ? std::make_pair(std::string(a), v) : std::make_pair(std::string(b), get(b));
  };
  DistEnv env;
  const auto world = first("WORLD_SIZE", "SLURM_NTASKS");
  if (world.second) env.world_size = parse_int(world.first, *world.second, 1, 1 << 20);
  const auto rank = first("RANK", "SLURM_PROCID");
  if (rank.second) env.rank = parse_int(rank.first, *rank.second, 0, env.world_size - 1);
  const auto local = first("LOCAL_RANK", "SLURM_LOCALID");
  if (local.second) env.local_rank = parse_int(local.first, *local.second, 0, 1 << 20);
  if (auto a = get("MASTER_ADDR")) env.master_addr = *a;
  if (auto p = get("MASTER_PORT")) env.master_port = parse_int("MASTER_PORT", *p, 1, 65535);
  return env;
}

std::unique_ptr<ProcessGroup> ProcessGroup::create(const DistEnv& env, const c10::Device& device,
                                                   std::chrono::seconds timeout) {
  if (env.world_size <= 1) return nullptr;
  c10d::TCPStoreOptions so;
  so.port = static_cast<uint16_t>(env.master_port);
  so.isServer = env.rank == 0;
  so.numWorkers = static_cast<int>(env.world_size);
  so.timeout = timeout;
  c10::intrusive_ptr<c10d::Store> store;
  try {
    store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, so);
  } catch (const std::exception& e) {
    throw Error(str("distributed: rank ", env.rank, " cannot reach the store at ", env.master_addr, ":",
                    env.master_port, ": ", e.what()));
  }
  auto prefixed = c10::make_intrusive<c10d::PrefixStore>("ecgtorch", store);
  if (device.is_cuda()) {
#if ECG_HAVE_NCCL
    auto opts = c10d::ProcessGroupNCCL::Options::create();
    auto pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, env.rank, env.world_size, opts);
    return std::make_unique<C10dGroup<c10d::ProcessGroupNCCL>>(store, pg, device);
#else
    throw Error("distributed: this LibTorch has no NCCL; train on CPU (Gloo) or use a CUDA LibTorch");
#endif
  }
  ECG_CHECK(device.is_cpu(), "distributed: device ", device.str(), " has no c10d backend (cpu: gloo, cuda: nccl)");
  auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
  const bool local = env.master_addr == "127.0.0.1" || env.master_addr == "localhost";
  opts->devices.push_back(local ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                : c10d::ProcessGroupGloo::createDefaultDevice());
  try {
    auto pg = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, env.rank, env.world_size, opts);
    return std::make_unique<C10dGroup<c10d::ProcessGroupGloo>>(store, pg, device);
  } catch (const std::exception& e) {
    throw Error(str("distributed: rank ", env.rank, " of ", env.world_size, ": Gloo rendezvous failed: ", e.what()));
  }
}

}  // namespace ecg::train
