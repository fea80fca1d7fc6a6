#include "data/loader.h"

#include <torch/torch.h>

#include <chrono>

#include "core/error.h"

namespace ecg::data {
namespace {

std::string shape(const torch::Tensor& t) {
  return t.defined() ? c10::str(t.sizes()) : "undefined";
}

}  // namespace

Batch collate(std::vector<Example> examples, std::vector<int64_t> indices) {
  ECG_CHECK(!examples.empty(), "collate: no examples");
  ECG_CHECK(indices.size() == examples.size(), "collate: ", examples.size(), " examples but ", indices.size(),
            " indices");
  Batch b;
  auto stack = [&](const char* what, auto get) {
    std::vector<torch::Tensor> ts;
    const torch::Tensor& first = get(examples[0]);
    for (size_t i = 0; i < examples.size(); ++i) {
      const torch::Tensor& t = get(examples[i]);
      ECG_CHECK(t.defined() == first.defined() && (!t.defined() || t.sizes() == first.sizes()), "collate: example ",
                indices[i], " has ", what, " of shape ", shape(t), ", the batch's first has ", shape(first));
      if (t.defined()) ts.push_back(t);
    }
    return ts.empty() ? torch::Tensor() : torch::stack(ts);
  };
  b.input = stack("input", [](const Example& e) -> const torch::Tensor& { return e.input; });
  b.target = stack("target", [](const Example& e) -> const torch::Tensor& { return e.target; });
  for (const auto& [name, first] : examples[0].extras) {
    std::vector<torch::Tensor> ts;
    bool same = true;
    for (size_t i = 0; i < examples.size(); ++i) {
      auto it = examples[i].extras.find(name);
      ECG_CHECK(it != examples[i].extras.end(), "collate: example ", indices[i], " has no '", name,
                "', the batch's first has");
      same = same && it->second.sizes() == first.sizes() && it->second.dtype() == first.dtype();
      ts.push_back(it->second);
    }
    if (same)
      b.extras[name] = torch::stack(ts);
    else
      b.lists[name] = std::move(ts);
  }
  b.indices = std::move(indices);
  return b;
}

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> order, LoaderOptions options)
    : dataset_(std::move(dataset)), order_(std::move(order)), options_(options) {
  ECG_CHECK(dataset_ != nullptr, "DataLoader: no dataset");
  ECG_CHECK(options_.batch_size > 0, "DataLoader: batch_size must be > 0, got ", options_.batch_size);
  ECG_CHECK(options_.workers >= 0, "DataLoader: workers must be >= 0, got ", options_.workers);
  ECG_CHECK(options_.prefetch > 0, "DataLoader: prefetch must be > 0, got ", options_.prefetch);
  const auto n = static_cast<int64_t>(order_.size());
  num_batches_ = options_.drop_last ? n / options_.batch_size : (n + options_.batch_size - 1) / options_.batch_size;
  for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this] { work(); });
}

DataLoader::~DataLoader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  room_.notify_all();
  for (auto& t : threads_) t.join();
}

Batch DataLoader::build(int64_t k) const {
  const int64_t begin = k * options_.batch_size;
  const int64_t end = std::min<int64_t>(begin + options_.batch_size, static_cast<int64_t>(order_.size()));
  std::vector<Example> examples;
  std::vector<int64_t> indices;
  for (int64_t i = begin; i < end; ++i) {
    indices.push_back(order_[static_cast<size_t>(i)]);
    examples.push_back(dataset_->get(indices.back()));
  }
  return collate(std::move(examples), std::move(indices));
}

void DataLoader::work() {
  torch::NoGradGuard no_grad;
  for (;;) {
    int64_t k;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      room_.wait(lock, [&] {
        return stop_ || next_to_build_ >= num_batches_ || next_to_build_ < next_to_return_ + options_.prefetch;
      });
      if (stop_ || next_to_build_ >= num_batches_) return;
      k = next_to_build_++;
    }
    std::optional<Batch> batch;
    std::exception_ptr error;
    try {
      batch = build(k);
    } catch (...) {
      error = std::current_exception();
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (error)
        failed_[k] = error;
      else
        done_[k] = std::move(*batch);
    }
    ready_.notify_all();
  }
}

std::optional<Batch> DataLoader::next() {
  if (next_to_return_ >= num_batches_) return std::nullopt;
  const int64_t k = next_to_return_;
  if (threads_.empty()) {
    ++next_to_return_;
    const auto t0 = std::chrono::steady_clock::now();
    Batch b = build(k);
    wait_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return b;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  const auto t0 = std::chrono::steady_clock::now();
  ready_.wait(lock, [&] { return done_.count(k) != 0 || failed_.count(k) != 0; });
  wait_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ++next_to_return_;
  room_.notify_all();
  if (auto f = failed_.find(k); f != failed_.end()) {
    const std::exception_ptr e = f->second;
    failed_.erase(f);
    std::rethrow_exception(e);
  }
  Batch b = std::move(done_.at(k));
  done_.erase(k);
  return b;
}

}  // namespace ecg::data
