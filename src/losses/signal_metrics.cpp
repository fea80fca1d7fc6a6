#include "losses/signal_metrics.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "core/error.h"

namespace ecg::losses {

namespace detail {
template <class T>
void add_into(std::vector<T>& mine, const std::vector<T>& other, const char* who) {
  if (mine.empty()) mine.assign(other.size(), T{});
  ECG_CHECK(mine.size() == other.size(), who, ": cannot merge states of ", mine.size(), " and ", other.size(),
            " entries");
  for (size_t i = 0; i < mine.size(); ++i) mine[i] += other[i];
}
template void add_into(std::vector<double>&, const std::vector<double>&, const char*);
template void add_into(std::vector<int64_t>&, const std::vector<int64_t>&, const char*);
}  // namespace detail

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

torch::Tensor cpu_double(const torch::Tensor& t) {
  return t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
}

}  // namespace

void PearsonMetric::reset() {
  sum_r_.clear();
  count_.clear();
}

void PearsonMetric::update(const torch::Tensor& pred, const torch::Tensor& target) {
  ECG_CHECK(pred.sizes() == target.sizes() && pred.dim() == 3, "pearson: expected [batch, leads, T], got ",
            pred.sizes(), " and ", target.sizes());
  const auto p = cpu_double(pred), t = cpu_double(target);
  const int64_t b = p.size(0), l = p.size(1), n = p.size(2);
  if (sum_r_.empty()) {
    sum_r_.assign(static_cast<size_t>(l), 0.0);
    count_.assign(static_cast<size_t>(l), 0);
  }
  ECG_CHECK(static_cast<int64_t>(sum_r_.size()) == l, "pearson: ", l, " leads after ", sum_r_.size());
  const double* pp = p.data_ptr<double>();
  const double* tp = t.data_ptr<double>();
  for (int64_t i = 0; i < b * l; ++i) {
    double sp = 0, st = 0, k = 0;
    for (int64_t s = 0; s < n; ++s) {
      if (std::isfinite(tp[i * n + s])) {
        sp += pp[i * n + s];
        st += tp[i * n + s];
        ++k;
      }
    }
    if (k < 2) continue;
    const double mp = sp / k, mt = st / k;
    double cov = 0, vp = 0, vt = 0;
    for (int64_t s = 0; s < n; ++s) {
      if (!std::isfinite(tp[i * n + s])) continue;
      const double dp = pp[i * n + s] - mp, dt = tp[i * n + s] - mt;
      cov += dp * dt;
      vp += dp * dp;
      vt += dt * dt;
    }
    if (vp == 0 || vt == 0) continue;
    sum_r_[static_cast<size_t>(i % l)] += cov / std::sqrt(vp * vt);
    ++count_[static_cast<size_t>(i % l)];
  }
}

std::map<std::string, double> PearsonMetric::compute() const {
  std::map<std::string, double> out;
  double sum = 0;
  int64_t count = 0;
  for (size_t j = 0; j < sum_r_.size(); ++j) {
    out["pearson/" + std::to_string(j)] = count_[j] > 0 ? sum_r_[j] / static_cast<double>(count_[j]) : kNaN;
    sum += sum_r_[j];
    count += count_[j];
  }
  out["pearson"] = count > 0 ? sum / static_cast<double>(count) : kNaN;
  return out;
}

nlohmann::json PearsonMetric::state() const {
  return {{"sum_r", sum_r_}, {"count", count_}};
}

void PearsonMetric::merge(const nlohmann::json& o) {
  ECG_CHECK(o.contains("sum_r") && o.contains("count"), "pearson: cannot merge state ", o.dump());
  detail::add_into(sum_r_, o["sum_r"].get<std::vector<double>>(), "pearson");
  detail::add_into(count_, o["count"].get<std::vector<int64_t>>(), "pearson");
}

void MaeMetric::reset() {
  sum_abs_mv_ = 0;
  count_ = 0;
}

void MaeMetric::update(const torch::Tensor& pred, const torch::Tensor& target) {
  ECG_CHECK(pred.sizes() == target.sizes(), "mae_uv: pred ", pred.sizes(), " and target ", target.sizes(),
            " must have the same shape");
  const auto p = cpu_double(pred), t = cpu_double(target);
  const auto valid = torch::isfinite(t);
  sum_abs_mv_ += (p - t).abs().masked_select(valid).sum().item<double>();
  count_ += valid.sum().item<int64_t>();
}

std::map<std::string, double> MaeMetric::compute() const {
  return {{"mae_uv", count_ > 0 ? 1000.0 * sum_abs_mv_ / static_cast<double>(count_) : kNaN}};
}

nlohmann::json MaeMetric::state() const {
  return {{"sum_abs_mv", sum_abs_mv_}, {"count", count_}};
}

void MaeMetric::merge(const nlohmann::json& o) {
  ECG_CHECK(o.contains("sum_abs_mv") && o.contains("count"), "mae_uv: cannot merge state ", o.dump());
  sum_abs_mv_ += o["sum_abs_mv"].get<double>();
  count_ += o["count"].get<int64_t>();
}

KeypointErrorMetric::KeypointErrorMetric(double fs_hz) : fs_hz_(fs_hz) {
  ECG_CHECK(fs_hz_ > 0, "keypoint_error: fs_hz must be > 0, got ", fs_hz_);
}

void KeypointErrorMetric::reset() {
  sum_ms_.clear();
  count_.clear();
}

void KeypointErrorMetric::update(const torch::Tensor& pred, const torch::Tensor& target) {
  ECG_CHECK(pred.sizes() == target.sizes() && pred.dim() == 2, "keypoint_error: expected [batch, keypoints], got ",
            pred.sizes(), " and ", target.sizes());
  const auto p = cpu_double(pred), t = cpu_double(target);
  const int64_t k = p.size(1);
  if (sum_ms_.empty()) {
    sum_ms_.assign(static_cast<size_t>(k), 0.0);
    count_.assign(static_cast<size_t>(k), 0);
  }
  ECG_CHECK(static_cast<int64_t>(sum_ms_.size()) == k, "keypoint_error: ", k, " keypoints after ", sum_ms_.size());
  const auto valid = torch::isfinite(t);
  const auto err = torch::where(valid, (p - t).abs() * (1000.0 / fs_hz_), torch::zeros_like(p));
  const auto sums = err.sum(0), counts = valid.sum(0);
  for (int64_t j = 0; j < k; ++j) {
    sum_ms_[static_cast<size_t>(j)] += sums[j].item<double>();
    count_[static_cast<size_t>(j)] += counts[j].item<int64_t>();
  }
}

std::map<std::string, double> KeypointErrorMetric::compute() const {
  std::map<std::string, double> out;
  double sum = 0;
  int64_t count = 0;
  for (size_t j = 0; j < sum_ms_.size(); ++j) {
    out["keypoint_error_ms/" + std::to_string(j)] = count_[j] > 0 ? sum_ms_[j] / static_cast<double>(count_[j]) : kNaN;
    sum += sum_ms_[j];
    count += count_[j];
  }
  out["keypoint_error_ms"] = count > 0 ? sum / static_cast<double>(count) : kNaN;
  return out;
}

nlohmann::json KeypointErrorMetric::state() const {
  return {{"sum_ms", sum_ms_}, {"count", count_}};
}

void KeypointErrorMetric::merge(const nlohmann::json& o) {
  ECG_CHECK(o.contains("sum_ms") && o.contains("count"), "keypoint_error: cannot merge state ", o.dump());
  detail::add_into(sum_ms_, o["sum_ms"].get<std::vector<double>>(), "keypoint_error");
  detail::add_into(count_, o["count"].get<std::vector<int64_t>>(), "keypoint_error");
}

void register_signal_metrics(MetricRegistry& registry) {
  registry.add("pearson", "Pearson r per (record, lead), averaged overall and per lead",
               std::make_shared<config::Schema>("metric 'pearson'"),
               [](const config::ConfigNode&, const std::string&) { return std::make_shared<PearsonMetric>(); });
  registry.add("mae_uv", "mean absolute error in microvolts", std::make_shared<config::Schema>("metric 'mae_uv'"),
               [](const config::ConfigNode&, const std::string&) { return std::make_shared<MaeMetric>(); });
  struct KeypointOptions {
    TORCH_ARG(double, fs_hz) = 500.0;
  };
  config::OptionsBinder<KeypointOptions> b("metric 'keypoint_error'");
  ECG_BIND(b, fs_hz, "sample rate of the keypoint positions").min_value = 0;
  registry.add("keypoint_error", "mean keypoint position error in ms, overall and per keypoint", b,
               [](const KeypointOptions& o) { return std::make_shared<KeypointErrorMetric>(o.fs_hz()); });
}

}  // namespace ecg::losses
