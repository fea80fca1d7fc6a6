#include "train/optimizers.h"

#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>

namespace ecg::train {

std::shared_ptr<torch::optim::Optimizer> make_sgd(const SgdOptions& o,
                                                  std::vector<torch::optim::OptimizerParamGroup> groups) {
  ECG_CHECK(!o.nesterov() || (o.momentum() > 0 && o.dampening() == 0),
            "optimizer 'sgd': nesterov needs momentum > 0 and dampening = 0, got momentum ", o.momentum(),
            " and dampening ", o.dampening());
  auto opts = torch::optim::SGDOptions(o.lr())
                  .momentum(o.momentum())
                  .dampening(o.dampening())
                  .weight_decay(o.weight_decay())
                  .nesterov(o.nesterov());
  return std::make_shared<torch::optim::SGD>(std::move(groups), opts);
}

std::shared_ptr<torch::optim::Optimizer> make_adam(const AdamOptions& o,
                                                   std::vector<torch::optim::OptimizerParamGroup> groups) {
  auto opts = torch::optim::AdamOptions(o.lr())
                  .betas({o.betas()[0], o.betas()[1]})
                  .eps(o.eps())
                  .weight_decay(o.weight_decay())
                  .amsgrad(o.amsgrad());
  return std::make_shared<torch::optim::Adam>(std::move(groups), opts);
}

std::shared_ptr<torch::optim::Optimizer> make_adamw(const AdamOptions& o,
                                                    std::vector<torch::optim::OptimizerParamGroup> groups) {
  auto opts = torch::optim::AdamWOptions(o.lr())
                  .betas({o.betas()[0], o.betas()[1]})
                  .eps(o.eps())
                  .weight_decay(o.weight_decay())
                  .amsgrad(o.amsgrad());
  return std::make_shared<torch::optim::AdamW>(std::move(groups), opts);
}

void register_builtin_optimizers(OptimizerRegistry& registry) {
  config::OptionsBinder<SgdOptions> sgd("optimizer 'sgd'");
  ECG_BIND(sgd, lr, "learning rate").min_value = 0;
  ECG_BIND(sgd, momentum, "momentum factor").min_value = 0;
  ECG_BIND(sgd, dampening, "dampening of the momentum").min_value = 0;
  ECG_BIND(sgd, weight_decay, "L2 penalty added to the gradient").min_value = 0;
  ECG_BIND(sgd, nesterov, "Nesterov momentum (needs momentum > 0, dampening 0)");
  registry.add("sgd", "stochastic gradient descent with momentum", sgd, make_sgd);

  auto adam_binder = [](const char* what, double default_decay, const char* decay_help) {
    config::OptionsBinder<AdamOptions> b(what, AdamOptions().weight_decay(default_decay));
    ECG_BIND(b, lr, "learning rate").min_value = 0;
    auto& betas = ECG_BIND(b, betas, "coefficients of the running averages of the gradient and its square");
    betas.length = 2;
    betas.min_value = 0;
    betas.max_value = 1;
    ECG_BIND(b, eps, "added to the denominator").min_value = 0;
    ECG_BIND(b, weight_decay, decay_help).min_value = 0;
    ECG_BIND(b, amsgrad, "AMSGrad variant");
    return b;
  };
  registry.add("adam", "Adam (Kingma & Ba 2015)",
               adam_binder("optimizer 'adam'", 0.0, "L2 penalty added to the gradient"), make_adam);
  registry.add("adamw", "AdamW: Adam with decoupled weight decay",
               adam_binder("optimizer 'adamw'", 1e-2, "decoupled weight decay"), make_adamw);
}

}  // namespace ecg::train
