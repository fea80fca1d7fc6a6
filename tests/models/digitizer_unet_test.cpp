#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "model_test_util.h"
#include "models/digitizer_unet.h"
#include "test_util.h"

namespace ecg::models {
namespace {

using testing::expect_save_load_identical;
using testing::make;

TEST(PixelsToMv, ExactValuesAndGradient) {
  // 2 px/mm and 10 mm/mV: 20 px per mV; y above the baseline (smaller row) is positive.
  const auto y = torch::tensor({100.0, 80.0, 130.0}).view({1, 1, 3}).requires_grad_();
  const auto base = torch::tensor({100.0}).view({1, 1}).requires_grad_();
  const auto mv = pixels_to_mv(y, base, torch::tensor(2.0), 10.0);
  EXPECT_TRUE(torch::allclose(mv, torch::tensor({0.0, 1.0, -1.5}).view({1, 1, 3})));
  mv.sum().backward();
  EXPECT_TRUE(torch::allclose(y.grad(), torch::full({1, 1, 3}, -1.0 / 20)));
  EXPECT_NEAR(base.grad().item<double>(), 3.0 / 20, 1e-6);
  // A scale per image.
  const auto two = pixels_to_mv(torch::zeros({2, 1, 1}), torch::full({2, 1}, 40.0), torch::tensor({2.0, 4.0}), 10);
  EXPECT_TRUE(torch::allclose(two.flatten(), torch::tensor({2.0, 1.0})));
  EXPECT_ERROR_HAS(pixels_to_mv(torch::zeros({2, 1, 1}), torch::zeros({2, 1}), torch::ones({3}), 10),
                   "pixels_to_mv: px_per_mm must be a scalar or [batch], got [3]");
}

TEST(DigitizerUnet, ShapesForEncodersHeadsAndWideInputs) {
  torch::NoGradGuard no_grad;
  auto plain = make("name: digitizer_unet");
  plain->eval();
  EXPECT_EQ(plain->forward(torch::rand({2, 3, 64, 256})).sizes(), (std::vector<int64_t>{2, 12, 256}));
  EXPECT_EQ(plain->forward(torch::rand({1, 3, 128, 512})).sizes(), (std::vector<int64_t>{1, 12, 512}));
  auto mask = make("name: digitizer_unet\nhead: mask\nleads: 13\nwidths: [8, 16, 32]");
  mask->eval();
  EXPECT_EQ(mask->forward(torch::rand({2, 3, 32, 100})).sizes(), (std::vector<int64_t>{2, 13, 32, 100}));
  for (const char* enc : {"resnet18", "mobilenet_v2"}) {
    auto m = std::dynamic_pointer_cast<DigitizerUnetImpl>(
        make(std::string("name: digitizer_unet\nhead: both\nencoder: ") + enc));
    ASSERT_TRUE(m);
    m->eval();
    EXPECT_EQ(m->stride(), 32);
    const auto o = m->outputs(torch::rand({1, 3, 64, 192}));
    EXPECT_EQ(o.mv.sizes(), (std::vector<int64_t>{1, 12, 192})) << enc;
    EXPECT_EQ(o.mask_logits.sizes(), (std::vector<int64_t>{1, 12, 64, 192})) << enc;
    // Sub-pixel rows lie inside the image.
    EXPECT_TRUE((o.y_px > 0).all().item<bool>() && (o.y_px < 64).all().item<bool>());
    EXPECT_EQ(o.baseline_px.sizes(), (std::vector<int64_t>{1, 12}));
  }
  EXPECT_ERROR_HAS(plain->forward(torch::rand({1, 3, 60, 256})),
                   "digitizer_unet: expected [batch, 3, H, W] with H and W multiples of 8, got [1, 3, 60, 256]");
  EXPECT_ERROR_HAS(make("name: digitizer_unet\nencoder: vgg"), "model.encoder: expected one of plain, resnet18");
  EXPECT_ERROR_HAS(make("name: digitizer_unet\nwidths: [8]"), "digitizer_unet: widths needs at least 2 stages, got 1");
}

// Two leads drawn as one-pixel dark traces on a white 32 x 64 image: lead 0 around row 8,
// lead 1 around row 24. Targets in mV at 4 px per mV (px_per_mm 0.4, 10 mm/mV).
struct TracePages {
  torch::Tensor images, mv, masks;
};

TracePages trace_pages(int64_t batch) {
  const int64_t h = 32, w = 64;
  TracePages p{torch::ones({batch, 3, h, w}), torch::zeros({batch, 2, w}), torch::zeros({batch, 2, h, w})};
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t lead = 0; lead < 2; ++lead) {
      const double base = lead == 0 ? 8.5 : 24.5;  // pixel centre of the baseline row
      for (int64_t x = 0; x < w; ++x) {
        const double mv = 1.2 * std::sin(0.2 * static_cast<double>(x) + 0.9 * static_cast<double>(b + 3 * lead));
        const auto row = static_cast<int64_t>(std::floor(base - 4.0 * mv));
        p.images.index_put_({b, torch::indexing::Slice(), row, x}, 0.0);
        p.masks[b][lead][row][x] = 1.0;
        p.mv[b][lead][x] = (base - (static_cast<double>(row) + 0.5)) / 4.0;  // what the pixel grid can show
      }
    }
  }
  return p;
}

TEST(DigitizerUnet, CoordinateHeadOverfitsTracesInMv) {
  torch::manual_seed(0);
  const std::string spec = "name: digitizer_unet\nleads: 2\nwidths: [16, 32, 32]\npx_per_mm: 0.4";
  auto m = make(spec);
  const auto p = trace_pages(4);
  torch::optim::Adam opt(m->parameters(), torch::optim::AdamOptions(3e-3));
  double first = 0, loss = 0;
  for (int step = 0; step < 120; ++step) {
    opt.zero_grad();
    auto l = torch::mse_loss(m->forward(p.images), p.mv);
    l.backward();
    opt.step();
    if (step == 0) first = l.item<double>();
    loss = l.item<double>();
  }
  // From ~0.7 mV^2 to below 0.01 mV^2 (a quarter-pixel RMS error at 4 px per mV is 0.0039).
  EXPECT_GT(first, 0.3);
  EXPECT_LT(loss, 0.01) << "first " << first;
  expect_save_load_identical(m, spec, p.images);
}

TEST(DigitizerUnet, MaskHeadOverfits) {
  torch::manual_seed(0);
  const std::string spec = "name: digitizer_unet\nleads: 2\nwidths: [8, 16]\nhead: mask";
  auto m = make(spec);
  const auto p = trace_pages(2);
  torch::optim::Adam opt(m->parameters(), torch::optim::AdamOptions(1e-2));
  double loss = 0;
  for (int step = 0; step < 80; ++step) {
    opt.zero_grad();
    auto l = torch::binary_cross_entropy_with_logits(m->forward(p.images), p.masks);
    l.backward();
    opt.step();
    loss = l.item<double>();
  }
  EXPECT_LT(loss, 0.05);
}

}  // namespace
}  // namespace ecg::models
