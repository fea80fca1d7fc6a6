#pragma once
// Helpers shared by the model tests: build a registered model from YAML, and check that
// save -> load into a fresh model gives identical outputs.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>

#include "core/yaml_io.h"
#include "models/register_builtin_models.h"
#include "test_util.h"

namespace ecg::models::testing {

inline std::shared_ptr<EcgModel> make(const std::string& yaml) {
  static ModelRegistry r("model");
  if (r.size() == 0) register_builtin_models(r);
  return r.create(config::parse_yaml(yaml, "model.yaml"), "model");
}

// Saves `a`, loads it into a fresh model of `spec` (other random weights) and checks that
// `run` gives the same outputs with both in eval mode.
inline void expect_save_load_identical(const std::shared_ptr<EcgModel>& a, const std::string& spec,
                                       const std::function<torch::Tensor(EcgModel&)>& run) {
  ecg::testing::TempDir tmp;
  torch::serialize::OutputArchive out;
  a->save(out);
  out.save_to((tmp / "model.pt").string());
  torch::manual_seed(12345);
  auto b = make(spec);
  torch::serialize::InputArchive in;
  in.load_from((tmp / "model.pt").string());
  b->load(in);
  a->eval();
  b->eval();
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::equal(run(*a), run(*b))) << spec;
}

inline void expect_save_load_identical(const std::shared_ptr<EcgModel>& a, const std::string& spec,
                                       const torch::Tensor& x) {
  expect_save_load_identical(a, spec, [&](EcgModel& m) { return m.forward(x); });
}

}  // namespace ecg::models::testing
