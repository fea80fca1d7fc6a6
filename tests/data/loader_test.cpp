#include "data/loader.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <thread>

#include "test_util.h"

namespace ecg::data {
namespace {

// input [i], target 2i, extras: "scale" [] = i / 10 and "points" [i % 3, 2] (ragged).
class Toy : public Dataset {
 public:
  explicit Toy(int64_t n, int64_t broken = -1, int sleep_ms = 0) : n_(n), broken_(broken), sleep_ms_(sleep_ms) {}
  std::optional<int64_t> size() const override { return n_; }
  Example get(int64_t i) const override {
    if (sleep_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms_));
    ECG_CHECK(i != broken_, "toy: example ", i, " is broken");
    Example e{torch::tensor({static_cast<float>(i)}), torch::tensor(2 * i), {}};
    e.extras["scale"] = torch::tensor(static_cast<float>(i) / 10);
    e.extras["points"] = torch::full({i % 3, 2}, static_cast<float>(i));
    return e;
  }

 private:
  int64_t n_, broken_;
  int sleep_ms_;
};

std::vector<int64_t> range(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = i;
  return v;
}

TEST(DataLoader, BatchesInOrderWhateverTheWorkers) {
  const auto ds = std::make_shared<Toy>(10);
  std::vector<int64_t> order = {9, 3, 0, 7, 1, 8, 2, 6, 5, 4};
  for (int workers : {0, 1, 3}) {
    DataLoader loader(ds, order, LoaderOptions{4, workers, 2, false});
    EXPECT_EQ(loader.num_batches(), 3);
    std::vector<int64_t> seen;
    int batches = 0;
    while (auto b = loader.next()) {
      ++batches;
      const int64_t n = b->input.size(0);
      EXPECT_EQ(b->input.sizes(), (std::vector<int64_t>{n, 1}));
      for (int64_t j = 0; j < n; ++j) {
        const int64_t i = b->indices[static_cast<size_t>(j)];
        EXPECT_EQ(b->input[j][0].item<float>(), static_cast<float>(i));
        EXPECT_EQ(b->target[j].item<int64_t>(), 2 * i);
        EXPECT_FLOAT_EQ(b->extras.at("scale")[j].item<float>(), static_cast<float>(i) / 10);
        seen.push_back(i);
      }
      // Ragged extras stay per example.
      ASSERT_EQ(b->lists.count("points"), 1u);
      EXPECT_EQ(b->lists.at("points")[0].size(0), b->indices[0] % 3);
    }
    EXPECT_EQ(batches, 3) << workers;
    EXPECT_EQ(seen, order) << workers;
    EXPECT_FALSE(loader.next().has_value());
  }
  DataLoader dropping(ds, range(10), LoaderOptions{4, 2, 2, true});
  EXPECT_EQ(dropping.num_batches(), 2);
}

TEST(DataLoader, WorkerErrorsReachTheConsumerForTheirBatch) {
  const auto ds = std::make_shared<Toy>(12, 5);
  DataLoader loader(ds, range(12), LoaderOptions{2, 2, 3, false});
  EXPECT_TRUE(loader.next().has_value());  // 0, 1
  EXPECT_TRUE(loader.next().has_value());  // 2, 3
  EXPECT_ERROR_HAS(loader.next(), "toy: example 5 is broken");
  auto after = loader.next();  // the loader goes on with 6, 7
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->indices, (std::vector<int64_t>{6, 7}));
}

TEST(DataLoader, MeasuresTheTimeTheConsumerWaits) {
  const auto slow = std::make_shared<Toy>(4, -1, 30);
  DataLoader loader(slow, range(4), LoaderOptions{1, 1, 1, false});
  while (loader.next()) {
  }
  EXPECT_GT(loader.wait_seconds(), 0.05);  // four examples of 30 ms, one worker, nothing to overlap with
  EXPECT_LT(loader.wait_seconds(), 5.0);
  EXPECT_ERROR_HAS(DataLoader(slow, range(4), LoaderOptions{0, 1, 1, false}), "batch_size must be > 0, got 0");
}

TEST(Collate, RejectsMismatchedShapesNamingTheExample) {
  std::vector<Example> ex = {{torch::zeros({2}), {}, {}}, {torch::zeros({3}), {}, {}}};
  EXPECT_ERROR_HAS(collate(ex, {4, 9}), "collate: example 9 has input of shape [3], the batch's first has [2]");
  std::vector<Example> ok = {{torch::zeros({2}), {}, {}}, {torch::ones({2}), {}, {}}};
  const Batch b = collate(ok, {0, 1});
  EXPECT_FALSE(b.target.defined());
  EXPECT_EQ(b.input.sum().item<float>(), 2.0f);
}

}  // namespace
}  // namespace ecg::data
