#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/yaml_io.h"
#include "losses/register_builtin_losses.h"
#include "model_test_util.h"
#include "models/backbones2d.h"
#include "models/cnn1d.h"
#include "models/register_builtin_models.h"
#include "models/vit.h"
#include "models/vit_detr.h"
#include "test_util.h"

namespace ecg::models {
namespace {

using testing::expect_save_load_identical;
using testing::make;

TEST(Models, ParameterCountsMatchTorchvision) {
  EXPECT_EQ(parameter_count(*make("name: resnet\nnum_classes: 1000")), 11689512);
  EXPECT_EQ(parameter_count(*make("name: resnet\ndepth: 34\nnum_classes: 1000")), 21797672);
  EXPECT_EQ(parameter_count(*make("name: mobilenet_v2\nnum_classes: 1000")), 3504872);
  EXPECT_EQ(parameter_count(*make("name: signal_cnn1d")), 10789);  // under the 100k budget
  EXPECT_LT(parameter_count(*make("name: signal_cnn1d")), 100000);
  // The defaults listed by `ecgtorch list models`.
  EXPECT_EQ(parameter_count(*make("name: digitizer_unet")), 488392);
  EXPECT_EQ(parameter_count(*make("name: multimodal")), 1647050);
}

TEST(Models, OutputShapesForSeveralInputSizes) {
  torch::NoGradGuard no_grad;
  auto cnn = make("name: signal_cnn1d");
  cnn->eval();
  for (int64_t t : {360, 250, 97})
    EXPECT_EQ(cnn->forward(torch::randn({3, 1, t})).sizes(), (std::vector<int64_t>{3, 5}));
  auto r1 = make("name: resnet1d\nnum_classes: 7");
  r1->eval();
  for (int64_t t : {1000, 5000, 64})
    EXPECT_EQ(r1->forward(torch::randn({2, 12, t})).sizes(), (std::vector<int64_t>{2, 7}));
  for (const char* spec : {"name: resnet", "name: resnet\ndepth: 34", "name: mobilenet_v2\nwidth_mult: 0.5"}) {
    auto m = make(spec);
    m->eval();
    EXPECT_EQ(m->forward(torch::randn({2, 3, 64, 256})).sizes(), (std::vector<int64_t>{2, 5})) << spec;
    EXPECT_EQ(m->forward(torch::randn({1, 3, 32, 32})).sizes(), (std::vector<int64_t>{1, 5})) << spec;
  }
}

// Each model memorises 8 random examples: cross-entropy falls below 0.1.
TEST(Models, TinyOverfit) {
  struct Case {
    std::string spec;
    std::vector<int64_t> input;
    int steps;
  };
  const std::vector<Case> cases = {{"name: signal_cnn1d\ndropout: 0", {8, 1, 360}, 150},
                                   {"name: resnet1d\ndropout: 0\nwidths: [16, 32]", {8, 12, 500}, 100},
                                   {"name: resnet", {8, 3, 32, 32}, 60},
                                   {"name: mobilenet_v2\nwidth_mult: 0.25\ndropout: 0", {8, 3, 32, 32}, 200}};
  for (const auto& c : cases) {
    torch::manual_seed(0);
    auto m = make(c.spec);
    const auto x = torch::randn(c.input);
    const auto y = torch::randint(0, 5, {8}, torch::kLong);
    torch::optim::Adam opt(m->parameters(), torch::optim::AdamOptions(3e-3));
    double loss = 0;
    for (int step = 0; step < c.steps; ++step) {
      opt.zero_grad();
      auto l = torch::cross_entropy_loss(m->forward(x), y);
      l.backward();
      opt.step();
      loss = l.item<double>();
    }
    EXPECT_LT(loss, 0.1) << c.spec;
  }
}

TEST(Models, SaveLoadGivesIdenticalOutputs) {
  const std::vector<std::pair<std::string, std::vector<int64_t>>> cases = {{"name: signal_cnn1d", {4, 1, 360}},
                                                                           {"name: resnet1d", {4, 12, 500}},
                                                                           {"name: resnet", {4, 3, 32, 32}},
                                                                           {"name: mobilenet_v2", {4, 3, 32, 32}}};
  for (const auto& [spec, input] : cases) {
    torch::manual_seed(1);
    auto a = make(spec);
    a->train();  // move the BatchNorm running statistics away from their start
    a->forward(torch::randn(input));
    expect_save_load_identical(a, spec, torch::randn(input));
  }
}

TEST(Vit, ParametersShapesAndAttentionMaps) {
  // ViT-Ti/16 at 224 x 224 with 1000 classes: 5,717,416 parameters, as in timm.
  EXPECT_EQ(parameter_count(*make("name: vit\ndepth: 12\nnum_classes: 1000")), 5717416);
  auto m = std::dynamic_pointer_cast<VitImpl>(
      make("name: vit\nimage_size: [64, 256]\npatch: 16\ndim: 48\ndepth: 2\nheads: 4"));
  ASSERT_TRUE(m);
  m->eval();
  torch::NoGradGuard no_grad;
  EXPECT_EQ(m->forward(torch::randn({2, 3, 64, 256})).sizes(), (std::vector<int64_t>{2, 5}));
  ASSERT_EQ(m->attention_maps().size(), 2u);
  const auto& a = m->attention_maps()[1];
  EXPECT_EQ(a.sizes(), (std::vector<int64_t>{2, 1 + 4 * 16, 1 + 4 * 16}));
  EXPECT_TRUE(torch::allclose(a.sum(-1), torch::ones({2, 65}), 1e-5, 1e-5));
  // Another input size: the position grid is resized.
  EXPECT_EQ(m->forward(torch::randn({1, 3, 32, 512})).sizes(), (std::vector<int64_t>{1, 5}));
  EXPECT_EQ(m->attention_maps()[0].size(1), 1 + 2 * 32);
  EXPECT_ERROR_HAS(m->forward(torch::randn({1, 3, 60, 256})),
                   "vit: expected [batch, 3, H, W] with H and W multiples of 16");
  EXPECT_ERROR_HAS(make("name: vit\ndim: 50\nheads: 4"), "vit: dim 50 must be a multiple of heads 4");
  EXPECT_ERROR_HAS(make("name: vit\nimage_size: [100, 224]"), "vit: image_size 100x224 must be a multiple of patch 16");
}

TEST(Vit, OverfitsAndSavesLoads) {
  torch::manual_seed(0);
  const std::string spec = "name: vit\nimage_size: [32, 32]\npatch: 8\ndim: 32\ndepth: 2\nheads: 2";
  auto m = make(spec);
  const auto x = torch::randn({8, 3, 32, 32});
  const auto y = torch::randint(0, 5, {8}, torch::kLong);
  torch::optim::Adam opt(m->parameters(), torch::optim::AdamOptions(3e-3));
  double loss = 0;
  for (int step = 0; step < 150; ++step) {
    opt.zero_grad();
    auto l = torch::cross_entropy_loss(m->forward(x), y);
    l.backward();
    opt.step();
    loss = l.item<double>();
  }
  EXPECT_LT(loss, 0.1);
  expect_save_load_identical(m, spec, x);
}

TEST(VitDetr, ShapesAndOverfitThroughTheSetLoss) {
  torch::manual_seed(0);
  const std::string spec =
      "name: vit_detr\nimage_size: [32, 64]\npatch: 8\ndim: 64\nencoder_depth: 2\ndecoder_depth: 2\nheads: 4\n"
      "queries: 6";
  auto m = make(spec);
  const auto x = torch::randn({4, 3, 32, 64});
  const auto out = m->forward(x);
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{4, 2, 6, 5 + 1 + 2}));  // [B, layers, queries, classes + 1 + (x, y)]
  const auto coords = out.narrow(-1, 6, 2);
  EXPECT_TRUE((coords >= 0).all().item<bool>() && (coords <= 1).all().item<bool>());
  // 3 keypoints per image (classes P, R, T) at fixed positions; one padded row.
  auto target = torch::full({4, 4, 3}, -1.0);
  for (int64_t b = 0; b < 4; ++b) {
    target[b][0] = torch::tensor({0.0, 0.2 + 0.1 * b, 0.5});
    target[b][1] = torch::tensor({2.0, 0.4 + 0.1 * b, 0.3});
    target[b][2] = torch::tensor({4.0, 0.6 + 0.05 * b, 0.6});
  }
  losses::LossRegistry lr("loss");
  losses::register_builtin_losses(lr);
  auto loss = lr.create(config::parse_yaml("name: detr\nnum_classes: 5", "l"), "loss");
  torch::optim::AdamW opt(m->parameters(), torch::optim::AdamWOptions(1e-3).weight_decay(1e-4));
  double first = 0, last = 0;
  for (int step = 0; step < 200; ++step) {
    opt.zero_grad();
    auto l = loss->forward(m->forward(x), target);
    l.backward();
    opt.step();
    if (step == 0) first = l.item<double>();
    last = l.item<double>();
  }
  EXPECT_LT(last, 0.2 * first) << "first " << first << " last " << last;
  expect_save_load_identical(m, spec, x);
  EXPECT_ERROR_HAS(make("name: vit_detr\ncoords: polygon"), "model.coords: expected one of keypoint, box");
}

TEST(Models, Errors) {
  EXPECT_ERROR_HAS(make("name: resnet\ndepth: 50"), "resnet: depth must be 18 or 34, got 50");
  EXPECT_ERROR_HAS(make("name: resnet1d")->forward(torch::zeros({1, 3, 100})),
                   "resnet1d: expected [batch, 12, samples], got [1, 3, 100]");
  EXPECT_ERROR_HAS(make("name: mobilenet_v2")->forward(torch::zeros({1, 3, 16, 16})),
                   "mobilenet_v2: expected [batch, 3, H >= 32, W >= 32], got [1, 3, 16, 16]");
  EXPECT_ERROR_HAS(make("name: signal_cnn1d\nwidths: [8, 8]"), "model.widths: expected 3 elements, got 2");
  EXPECT_ERROR_HAS(make("name: resnet1d\nkernel_size: 4"), "resnet1d: kernel_size must be odd, got 4");
}

}  // namespace
}  // namespace ecg::models
