// Builds an optimizer from the installed configs through the installed registries and
// takes one step on f(p) = p^2 from p = 1.
#include <torch/torch.h>

#include <iomanip>
#include <iostream>

#include <core/yaml_io.h>
#include <train/registries.h>

int main() {
  const auto regs = ecg::train::make_builtin_registries();
  const auto spec = ecg::config::load_yaml_file(std::string(CONFIG_DIR) + "/optimizer/adamw.yaml");
  auto p = torch::ones({1}, torch::kFloat64).requires_grad_(true);
  auto opt = regs->optimizers.create(spec, "optimizer", {torch::optim::OptimizerParamGroup({p})});
  (p * p).sum().backward();
  const double lr = opt->param_groups()[0].options().get_lr();
  opt->step();
  // AdamW: p * (1 - lr * 0.01) - lr = 0.99999 - 0.001, printed to 3 decimals.
  std::cout << "consumer ok: adamw lr=" << lr << " step -> " << std::fixed << std::setprecision(3) << p.item<double>()
            << "\n";
  return 0;
}
