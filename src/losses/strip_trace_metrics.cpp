#include "losses/strip_trace_metrics.h"

#include <cmath>

#include <torch/torch.h>

#include "core/config_schema.h"
#include "core/error.h"
#include "losses/strip_trace_losses.h"

namespace ecg::losses {

void StripTraceMetric::reset() {
  *this = StripTraceMetric();
}

void StripTraceMetric::update(const torch::Tensor& pred, const torch::Tensor& target) {
  ECG_CHECK(target.dim() == 3 && target.size(1) == 3 && pred.dim() == 3 && pred.size(2) == target.size(2),
            "strip_trace: expected pred [batch, H + 1, W] and target [batch, 3, W], got ", pred.sizes(), " and ",
            target.sizes());
  torch::NoGradGuard no_grad;
  const auto rows = strip_rows(pred, 4).to(torch::kFloat64).cpu();
  const auto conf = strip_confidence(pred).cpu() >= 0.5;
  const auto t = target.to(torch::kFloat64).cpu();
  const auto y = t.select(1, 0), mv = t.select(1, 1), per_mv = t.select(1, 2);
  const auto with = torch::isfinite(y) & torch::isfinite(mv) & (per_mv > 0);
  const auto err_rows = (rows - y).masked_select(with);
  const auto err_mv = err_rows / per_mv.masked_select(with);
  signal_ += mv.masked_select(with).pow(2).sum().item<double>();
  noise_ += err_mv.pow(2).sum().item<double>();
  abs_rows_ += err_rows.abs().sum().item<double>();
  with_ += with.sum().item<int64_t>();
  covered_ += (conf & with).sum().item<int64_t>();
  without_ += (~with).sum().item<int64_t>();
  false_conf_ += (conf & ~with).sum().item<int64_t>();
}

std::map<std::string, double> StripTraceMetric::compute() const {
  const double nan = std::nan("");
  return {{"strip_snr_db", with_ > 0 ? 10 * std::log10((signal_ + 1e-12) / (noise_ + 1e-12)) : nan},
          {"strip_mae_rows", with_ > 0 ? abs_rows_ / static_cast<double>(with_) : nan},
          {"strip_coverage", with_ > 0 ? static_cast<double>(covered_) / static_cast<double>(with_) : nan},
          {"strip_false_conf", without_ > 0 ? static_cast<double>(false_conf_) / static_cast<double>(without_) : nan}};
}

nlohmann::json StripTraceMetric::state() const {
  return {{"signal", signal_},   {"noise", noise_},     {"abs_rows", abs_rows_},    {"with", with_},
          {"covered", covered_}, {"without", without_}, {"false_conf", false_conf_}};
}

void StripTraceMetric::merge(const nlohmann::json& o) {
  for (const char* k : {"signal", "noise", "abs_rows", "with", "covered", "without", "false_conf"})
    ECG_CHECK(o.contains(k), "strip_trace: cannot merge state ", o.dump());
  signal_ += o["signal"].get<double>();
  noise_ += o["noise"].get<double>();
  abs_rows_ += o["abs_rows"].get<double>();
  with_ += o["with"].get<int64_t>();
  covered_ += o["covered"].get<int64_t>();
  without_ += o["without"].get<int64_t>();
  false_conf_ += o["false_conf"].get<int64_t>();
}

void register_strip_trace_metrics(MetricRegistry& registry) {
  registry.add("strip_trace", "trace reader: pooled SNR, row error and confidence coverage over strip columns",
               std::make_shared<config::Schema>("metric 'strip_trace'"),
               [](const config::ConfigNode&, const std::string&) { return std::make_shared<StripTraceMetric>(); });
}

}  // namespace ecg::losses
