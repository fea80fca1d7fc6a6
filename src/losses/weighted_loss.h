#pragma once
// The loss of a job: a weighted sum of registered losses.
//
//   loss:
//     terms:
//       - {name: mse, weight: 1}
//       - {name: mr_stft, weight: 0.1, fft_sizes: [64, 128, 256]}
//
// Each term takes its loss's options plus `weight` (default 1).

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/config_schema.h"
#include "losses/loss.h"

namespace ecg::losses {

class WeightedLoss : public Loss {
 public:
  struct Term {
    std::string name;
    double weight = 1.0;
    std::shared_ptr<Loss> loss;
  };
  explicit WeightedLoss(std::vector<Term> terms);

  /// sum_i weight_i * loss_i(pred, target).
  torch::Tensor forward(const torch::Tensor& pred, const torch::Tensor& target) override;
  /// The same, also giving each term's unweighted value (for logs).
  torch::Tensor forward_parts(const torch::Tensor& pred, const torch::Tensor& target,
                              std::vector<std::pair<std::string, double>>& parts);
  void set_epoch(int64_t epoch) override;
  const std::vector<Term>& terms() const { return terms_; }

 private:
  std::vector<Term> terms_;
};

/// Schema of the `loss` section ({terms: [...]}); `losses` must outlive it.
std::shared_ptr<const config::Schema> loss_section_schema(const LossRegistry& losses);

/// Builds the weighted loss a `loss` section asks for (checked against the schema first).
std::shared_ptr<WeightedLoss> make_loss(const config::ConfigNode& section, const std::string& path,
                                        const LossRegistry& losses);

}  // namespace ecg::losses
