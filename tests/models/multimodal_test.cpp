#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

#include "model_test_util.h"
#include "models/multimodal.h"
#include "test_util.h"

namespace ecg::models {
namespace {

using testing::expect_save_load_identical;
using testing::make;

const char* kSmall =
    "name: multimodal\nnum_classes: 4\ndim: 32\nheads: 2\nimage_size: [32, 64]\npatch: 16\nimage_depth: 1\n"
    "signal_widths: [8, 16]\nsignal_tokens: 4\nleads: 2\nnumeric_features: 2\ncategorical_cardinalities: [2, 3]";

std::shared_ptr<MultimodalImpl> small(const std::string& extra = "") {
  auto m = std::dynamic_pointer_cast<MultimodalImpl>(make(std::string(kSmall) + extra));
  EXPECT_TRUE(m);
  return m;
}

MultimodalInputs inputs(int64_t batch) {
  MultimodalInputs in;
  in.image = torch::rand({batch, 3, 32, 64});
  in.signal = torch::randn({batch, 2, 200});
  in.numeric = torch::randn({batch, 2});
  in.categorical = torch::randint(0, 2, {batch, 2}, torch::kLong);
  return in;
}

TEST(Multimodal, ShapesForEveryCombinationOfModalities) {
  torch::NoGradGuard no_grad;
  auto m = small();
  m->eval();
  auto in = inputs(3);
  EXPECT_EQ(m->forward(in).sizes(), (std::vector<int64_t>{3, 4 + 2}));
  EXPECT_EQ(m->forward(in.signal).sizes(), (std::vector<int64_t>{3, 6}));  // signal alone
  EXPECT_EQ(m->forward(in.image).sizes(), (std::vector<int64_t>{3, 6}));   // image alone
  EXPECT_EQ(m->forward(MultimodalInputs{{}, {}, in.numeric, {}, {}}).sizes(), (std::vector<int64_t>{3, 6}));
  EXPECT_EQ(m->forward(torch::randn({3, 2, 1000})).sizes(), (std::vector<int64_t>{3, 6}));    // another length
  EXPECT_EQ(m->forward(torch::rand({2, 3, 64, 128})).sizes(), (std::vector<int64_t>{2, 6}));  // another image size
  EXPECT_EQ(m->input_names(), (std::vector<std::string>{"image", "signal", "numeric", "categorical", "present"}));
  EXPECT_TRUE(torch::equal(m->forward_inputs({in.image, in.signal, in.numeric, in.categorical, {}}), m->forward(in)));
  // Unknown metadata: NaN numbers and -1 categories give finite outputs.
  in.numeric[0][1] = std::numeric_limits<float>::quiet_NaN();
  in.categorical[1][0] = -1;
  EXPECT_TRUE(torch::isfinite(m->forward(in)).all().item<bool>());
  // The gates: one per modality, in [0, 1].
  EXPECT_EQ(m->gates().sizes(), (std::vector<int64_t>{3, 3}));
  EXPECT_TRUE((m->gates() >= 0).all().item<bool>() && (m->gates() <= 1).all().item<bool>());
  EXPECT_ERROR_HAS(m->forward(MultimodalInputs{}), "multimodal: every modality is absent");
  EXPECT_ERROR_HAS(m->forward(torch::randn({3, 5, 200})), "multimodal: signal must be [batch, 2, samples >= 4]");
  EXPECT_ERROR_HAS(m->forward(MultimodalInputs{in.image, torch::randn({2, 2, 200}), {}, {}, {}}),
                   "multimodal: inputs disagree on the batch size");
  EXPECT_ERROR_HAS(make(std::string(kSmall) + "\nkernels: [3, 4]"), "multimodal: kernels must be odd, got 4");
}

TEST(Multimodal, AnAbsentModalityDoesNotReachTheOutput) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(3);
  auto m = small();
  m->eval();
  auto in = inputs(4);
  in.present = torch::ones({4, 3});
  in.present[1][0] = 0;  // example 1 has no image
  in.present[2][1] = 0;  // example 2 has no signal
  const auto a = m->forward(in);
  EXPECT_EQ(m->gates()[1][0].item<float>(), 0.0f);
  EXPECT_EQ(m->gates()[2][1].item<float>(), 0.0f);
  auto new_image = in;
  new_image.image = torch::rand({4, 3, 32, 64});
  const auto b = m->forward(new_image);
  EXPECT_TRUE(torch::equal(a[1], b[1]));      // example 1 has no image
  EXPECT_FALSE(torch::allclose(a[0], b[0]));  // example 0 sees it
  auto new_signal = in;
  new_signal.signal = torch::randn({4, 2, 200});
  const auto c = m->forward(new_signal);
  EXPECT_TRUE(torch::equal(a[2], c[2]));  // example 2 has no signal
  EXPECT_FALSE(torch::allclose(a[0], c[0]));
  // Dropping a modality for the whole batch equals dropping it in every example.
  auto no_image = in;
  no_image.image = torch::Tensor();
  no_image.present = torch::ones({4, 3});
  auto masked = in;
  masked.present = torch::ones({4, 3});
  masked.present.select(1, 0).zero_();
  EXPECT_TRUE(torch::allclose(m->forward(no_image), m->forward(masked), 0, 1e-6));
}

TEST(Multimodal, McDropoutVarianceIsPositiveAndExactlyZeroWithoutDropout) {
  torch::manual_seed(0);
  auto m = small();
  m->eval();
  const auto in = inputs(3);
  const auto u = m->predict_with_uncertainty(in, 8);
  EXPECT_EQ(u.mean.sizes(), (std::vector<int64_t>{3, 6}));
  EXPECT_GT(u.variance.min().item<double>(), 0.0);
  EXPECT_FALSE(m->is_training());  // modes restored
  for (const auto& sub : m->modules(false)) EXPECT_FALSE(sub->is_training());
  // Probabilities stay in [0, 1].
  const auto probs = u.mean.narrow(1, 0, 4);
  EXPECT_TRUE((probs >= 0).all().item<bool>() && (probs <= 1).all().item<bool>());

  torch::manual_seed(0);
  auto det = small("\ndropout: 0");
  det->eval();
  const auto v = det->predict_with_uncertainty(in, 5);
  EXPECT_EQ(v.variance.abs().max().item<double>(), 0.0);
  torch::NoGradGuard no_grad;
  const auto o = det->forward(in);
  EXPECT_TRUE(torch::allclose(v.mean.narrow(1, 0, 4), torch::sigmoid(o.narrow(1, 0, 4))));
  EXPECT_TRUE(torch::allclose(v.mean.select(1, 4), o.select(1, 4)));
  EXPECT_ERROR_HAS(det->predict_with_uncertainty(in, 1), "mc_dropout: n_samples must be >= 2, got 1");
}

TEST(Multimodal, OverfitsLabelsAndSeverityAndSavesLoads) {
  torch::manual_seed(0);
  const std::string spec = std::string(kSmall) + "\ndropout: 0";
  auto m = small("\ndropout: 0");
  const auto in = inputs(8);
  const auto labels = torch::randint(0, 2, {8, 4}).to(torch::kFloat);
  const auto severity = torch::rand({8});
  torch::optim::Adam opt(m->parameters(), torch::optim::AdamOptions(3e-3));
  double loss = 0;
  for (int step = 0; step < 150; ++step) {
    opt.zero_grad();
    const auto o = m->forward(in);
    auto l =
        torch::binary_cross_entropy_with_logits(o.narrow(1, 0, 4), labels) + torch::mse_loss(o.select(1, 4), severity);
    l.backward();
    opt.step();
    loss = l.item<double>();
  }
  EXPECT_LT(loss, 0.05);
  expect_save_load_identical(m, spec, [&](EcgModel& model) { return static_cast<MultimodalImpl&>(model).forward(in); });
}

}  // namespace
}  // namespace ecg::models
