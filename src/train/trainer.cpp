#include "train/trainer.h"

#include <torch/nn/utils/clip_grad.h>
#include <torch/torch.h>
#include <unistd.h>
#include <opencv2/imgcodecs.hpp>

#include <chrono>
#include <cmath>
#include <csignal>
#include <iomanip>
#include <iostream>
#include <numeric>
#include <random>
#include <sstream>

#include "core/atomic_file.h"
#include "core/build_info.h"
#include "core/config_override.h"
#include "core/device.h"
#include "core/run_context.h"
#include "core/run_dir.h"
#include "core/run_options.h"
#include "core/sha256.h"
#include "core/yaml_io.h"
#include "data/datasets.h"
#include "losses/weighted_loss.h"
#include "train/amp.h"
#include "train/checkpoint.h"
#include "train/distributed.h"
#include "train/ema.h"
#include "train/loss_class_counts.h"
#include "train/metrics_log.h"
#include "train/task.h"
#include "train/tensorboard.h"
#include "train/toy_task.h"
#include "train/trainer_options.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace ecg::train {
namespace {

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string fmt(double v, int precision = 4) {
  std::ostringstream o;
  o << std::setprecision(precision) << v;
  return o.str();
}

std::string hms(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  const auto t = static_cast<int64_t>(s + 0.5);
  std::ostringstream o;
  if (t >= 3600) o << t / 3600 << "h";
  if (t >= 60) o << (t / 60) % 60 << "m";
  o << t % 60 << "s";
  return o.str();
}

// Everything a job config builds, shared by train() and evaluate().
struct Job {
  RunOptions run;
  TrainerOptions t;
  RunContext ctx;
  std::shared_ptr<models::EcgModel> model;
  std::shared_ptr<losses::WeightedLoss> loss;
  std::shared_ptr<const data::Dataset> train_data, val_data;
  std::vector<int64_t> train_indices;  // finite training data; empty for infinite
  std::vector<int64_t> val_indices;    // the whole validation set (all ranks)
  std::vector<std::shared_ptr<losses::Metric>> metrics;
  std::vector<std::shared_ptr<losses::Metric>> example_metrics;  // the same, for one example at a time
  std::unique_ptr<Task> task;
  std::optional<c10::ScalarType> amp;
  nlohmann::json data_manifest;  // {"path", "sha256"} or null
};

nlohmann::json find_manifest(const config::ConfigNode& data_cfg) {
  const auto* root = data_cfg.find("root");
  if (root == nullptr || !root->is_scalar()) return nullptr;
  for (const char* name : {"manifest.json", "MANIFEST.json", "SHA256SUMS.txt"}) {
    const fs::path p = fs::path(root->text()) / name;
    if (fs::is_regular_file(p)) return {{"path", p.string()}, {"sha256", sha256_file(p)}};
  }
  return nullptr;
}

Job build_job(const config::ConfigNode& cfg, const Registries& regs, const DistEnv& dist) {
  Job j;
  j.run = run_options_binder().read(cfg, "");
  const auto* tsec = cfg.find("trainer");
  j.t = tsec != nullptr && !tsec->is_null() ? trainer_options_binder().read(*tsec, "trainer")
                                            : trainer_options_binder().parse(config::ConfigNode::map(), "trainer");
  DeviceAvailability avail = probe_devices();
  j.ctx = RunContext::create(j.run, avail);
  if (j.ctx.device.is_cuda() && dist.world_size > 1 && j.run.device() == "auto") {
    j.ctx.device = c10::Device(c10::DeviceType::CUDA, static_cast<c10::DeviceIndex>(dist.local_rank));
  }
  j.ctx.rank = dist.rank;
  j.ctx.world_size = dist.world_size;
  j.ctx.logger = std::make_shared<Logger>(parse_log_level(j.run.log_level()), dist.rank);

  ECG_CHECK(cfg.has("model") && !cfg.at("model").is_null(), "config: 'model' is required for training");
  ECG_CHECK(cfg.has("data") && !cfg.at("data").is_null(), "config: 'data' is required for training");
  ECG_CHECK(cfg.has("loss") && !cfg.at("loss").is_null(), "config: 'loss' is required for training");
  j.model = regs.models.create(cfg.at("model"), "model");
  j.train_data = regs.datasets.create(cfg.at("data"), "data");
  std::vector<int64_t> counts;
  j.loss = losses::make_loss(with_class_counts(cfg.at("loss"), *j.train_data, &counts), "loss", regs.losses);
  if (!counts.empty()) {
    std::string list;
    for (auto n : counts) list += (list.empty() ? "" : ", ") + std::to_string(n);
    j.ctx.logger->info("loss: class_balanced weights from the training data's class counts [", list, "]");
  }
  j.data_manifest = find_manifest(cfg.at("data"));
  if (const auto* m = cfg.find("metrics"); m != nullptr && m->is_sequence()) {
    for (size_t i = 0; i < m->size(); ++i) {
      j.metrics.push_back(regs.metrics.create(m->elements()[i], "metrics." + std::to_string(i)));
      j.example_metrics.push_back(regs.metrics.create(m->elements()[i], "metrics." + std::to_string(i)));
    }
  }
  j.task = make_task(j.t.task(), *j.model);
  j.amp = resolve_amp(j.t.amp(), j.ctx.device);

  // Training and validation indices.
  const auto n = j.train_data->size();
  if (n) {
    ECG_CHECK(*n > 0, "data: the dataset is empty");
    std::vector<int64_t> all(static_cast<size_t>(*n));
    std::iota(all.begin(), all.end(), 0);
    const auto* v = cfg.find("val_data");
    if ((v == nullptr || v->is_null()) && j.t.val_fraction() > 0) {
      std::mt19937_64 rng(static_cast<uint64_t>(j.run.seed()) * 0x9E3779B97F4A7C15ull + 1);
      std::shuffle(all.begin(), all.end(), rng);
      const auto n_val = static_cast<size_t>(std::llround(j.t.val_fraction() * static_cast<double>(*n)));
      ECG_CHECK(n_val > 0 && n_val < all.size(), "trainer.val_fraction ", j.t.val_fraction(), " of ", *n,
                " examples leaves no training or no validation example");
      j.val_indices.assign(all.end() - static_cast<std::ptrdiff_t>(n_val), all.end());
      all.resize(all.size() - n_val);
      std::sort(j.val_indices.begin(), j.val_indices.end());
      std::sort(all.begin(), all.end());
      j.val_data = j.train_data;
    }
    j.train_indices = std::move(all);
  }
  if (const auto* v = cfg.find("val_data"); v != nullptr && !v->is_null()) {
    j.val_data = regs.datasets.create(*v, "val_data");
    const auto vn = j.val_data->size();
    ECG_CHECK(vn || j.t.val_batches() > 0,
              "trainer.val_batches: must be > 0 when val_data is infinite (it says how many batches to validate on)");
    const int64_t count =
        vn ? (j.t.val_batches() > 0 ? std::min<int64_t>(*vn, j.t.val_batches() * j.t.batch_size() * dist.world_size)
                                    : *vn)
           : j.t.val_batches() * j.t.batch_size() * dist.world_size;
    j.val_indices.resize(static_cast<size_t>(count));
    std::iota(j.val_indices.begin(), j.val_indices.end(), 0);
  } else if (j.val_data && j.t.val_batches() > 0) {
    const auto keep = std::min<size_t>(j.val_indices.size(),
                                       static_cast<size_t>(j.t.val_batches() * j.t.batch_size() * dist.world_size));
    j.val_indices.resize(keep);
  }
  j.model->to(j.ctx.device);
  j.loss->to(j.ctx.device);
  if (j.t.channels_last()) {
    torch::NoGradGuard ng;
    for (auto& p : j.model->parameters()) {
      if (p.dim() == 4) p.set_data(p.data().contiguous(at::MemoryFormat::ChannelsLast));
    }
  }
  return j;
}

data::Batch prepare(const data::Batch& b, const Job& j) {
  data::Batch out = batch_to(b, j.ctx.device);
  if (j.t.channels_last() && out.input.defined() && out.input.dim() == 4) {
    out.input = out.input.contiguous(at::MemoryFormat::ChannelsLast);
  }
  return out;
}

// Metrics of one example (row i of a batch), from the job's second, per-example set of
// metric objects (the running totals are not touched).
std::map<std::string, double> example_metrics(Job& j, const torch::Tensor& pred, const torch::Tensor& target,
                                              int64_t i) {
  std::map<std::string, double> out;
  for (auto& m : j.example_metrics) {
    m->reset();
    m->update(pred.narrow(0, i, 1), target.narrow(0, i, 1));
    for (const auto& kv : m->compute()) out[kv.first] = kv.second;
  }
  return out;
}

// Validation over the job's val_indices (each rank a strided share), metrics merged
// across ranks. Returns "val/loss" and "val/<metric key>".
// `per_example` (single process only): (example id, metrics) of every validation example.
std::map<std::string, double> validate(
    Job& j, ProcessGroup* pg, int64_t max_plots, std::vector<cv::Mat>* plots,
    std::vector<std::pair<std::string, std::map<std::string, double>>>* per_example = nullptr) {
  const int64_t rank = pg ? pg->rank() : 0, world = pg ? pg->world_size() : 1;
  std::vector<int64_t> mine;
  for (size_t i = static_cast<size_t>(rank); i < j.val_indices.size(); i += static_cast<size_t>(world)) {
    mine.push_back(j.val_indices[i]);
  }
  data::LoaderOptions lo;
  lo.batch_size = j.t.batch_size();
  lo.workers = static_cast<int>(j.t.workers());
  lo.prefetch = static_cast<int>(j.t.prefetch());
  data::DataLoader loader(j.val_data, mine, lo);
  for (auto& m : j.metrics) m->reset();
  j.model->eval();
  torch::NoGradGuard no_grad;
  double loss_sum = 0, count = 0;
  while (auto b = loader.next()) {
    const data::Batch batch = prepare(*b, j);
    torch::Tensor pred;
    {
      AutocastGuard ac(j.ctx.device, j.amp);
      pred = j.task->forward(*j.model, batch);
    }
    pred = pred.to(torch::kFloat32);
    const auto n = static_cast<double>(batch.input.size(0));
    loss_sum += j.loss->forward(pred, batch.target).item<double>() * n;
    count += n;
    if (per_example != nullptr) {
      const auto p = pred.detach().cpu(), t = batch.target.cpu();
      for (int64_t i = 0; i < p.size(0); ++i) {
        const int64_t index = mine.at(per_example->size());
        per_example->emplace_back(j.val_data->example_id(index), example_metrics(j, p, t, i));
      }
    }
    for (auto& m : j.metrics) m->update(pred.detach().cpu(), batch.target.cpu());
    for (int64_t i = 0; plots != nullptr && static_cast<int64_t>(plots->size()) < max_plots && i < pred.size(0); ++i) {
      cv::Mat img = j.task->plot(*b, pred.cpu(), i);
      if (img.empty()) break;
      plots->push_back(img);
    }
  }
  j.model->train();
  std::map<std::string, double> out;
  if (pg) {
    const auto s = pg->sum({loss_sum, count});
    loss_sum = s[0];
    count = s[1];
    for (auto& m : j.metrics) {
      const auto states = pg->all_gather(m->state().dump());
      m->reset();
      for (const auto& st : states) m->merge(nlohmann::json::parse(st));
    }
  }
  out["val/loss"] = count > 0 ? loss_sum / count : std::nan("");
  for (auto& m : j.metrics) {
    for (const auto& kv : m->compute()) out["val/" + kv.first] = kv.second;
  }
  return out;
}

bool improved(double v, double best, bool has_best, const std::string& mode) {
  if (!std::isfinite(v)) return false;
  if (!has_best) return true;
  return mode == "max" ? v > best : v < best;
}

std::string encode_png(const cv::Mat& img) {
  std::vector<uchar> buf;
  cv::imencode(".png", img, buf);
  return std::string(buf.begin(), buf.end());
}

}  // namespace

fs::path latest_checkpoint(const fs::path& run_dir) {
  const auto all = list_step_checkpoints(run_dir / "checkpoints");
  ECG_CHECK(!all.empty(), run_dir.string(), ": no step checkpoint under checkpoints/ to resume from");
  return all.back();
}

TrainResult train(const TrainRequest& request, const Registries& regs, const StopSignal* stop) {
  if (is_toy_job(request.config)) return train_toy(request, stop);
  const DistEnv dist = dist_env_from_environment();
  Job j = build_job(request.config, regs, dist);
  Logger& log = *j.ctx.logger;
  const TrainerOptions& t = j.t;
  const bool rank0 = dist.rank == 0;

  auto pg = ProcessGroup::create(dist, j.ctx.device);
  const int64_t world = pg ? pg->world_size() : 1;

  // Optimizer over parameter groups (lr_multipliers: first matching prefix wins).
  const auto multipliers = parse_lr_multipliers(t.lr_multipliers());
  std::vector<std::vector<torch::Tensor>> group_params(multipliers.size() + 1);
  for (const auto& p : j.model->named_parameters()) {
    if (!p.value().requires_grad()) continue;
    size_t g = multipliers.size();
    for (size_t k = 0; k < multipliers.size(); ++k) {
      if (p.key().rfind(multipliers[k].first, 0) == 0) {
        g = k;
        break;
      }
    }
    group_params[g].push_back(p.value());
  }
  std::vector<torch::optim::OptimizerParamGroup> groups;
  std::vector<double> group_factor;
  for (size_t g = 0; g < group_params.size(); ++g) {
    if (group_params[g].empty()) {
      ECG_CHECK(g == multipliers.size(), "trainer.lr_multipliers: prefix '", multipliers[g].first,
                "' matches no parameter of the model");
      continue;
    }
    groups.emplace_back(group_params[g]);
    group_factor.push_back(g < multipliers.size() ? multipliers[g].second : 1.0);
  }
  ECG_CHECK(request.config.has("optimizer") && !request.config.at("optimizer").is_null(),
            "config: 'optimizer' is required for training");
  auto optimizer = regs.optimizers.create(request.config.at("optimizer"), "optimizer", std::move(groups));
  std::vector<double> base_lrs;
  for (size_t g = 0; g < optimizer->param_groups().size(); ++g) {
    base_lrs.push_back(optimizer->param_groups()[g].options().get_lr() * group_factor[g]);
  }
  std::shared_ptr<LrScheduler> scheduler = std::make_shared<ConstantLr>();
  if (const auto* s = request.config.find("scheduler"); s != nullptr && !s->is_null()) {
    scheduler = regs.schedulers.create(*s, "scheduler");
  }
  std::unique_ptr<Ema> ema;
  if (t.ema_decay() > 0) ema = std::make_unique<Ema>(*j.model, t.ema_decay());
  std::unique_ptr<GradScaler> scaler;
  if (j.amp && *j.amp == c10::ScalarType::Half) scaler = std::make_unique<GradScaler>();

  // Steps and epochs.
  const int64_t global_batch = t.batch_size() * world;
  const int64_t batches_per_step = t.accumulate();
  int64_t steps_per_epoch = t.steps_per_epoch();
  if (!j.train_indices.empty()) {
    steps_per_epoch = static_cast<int64_t>(j.train_indices.size()) / (global_batch * batches_per_step);
    ECG_CHECK(steps_per_epoch > 0, "data: ", j.train_indices.size(), " training examples are fewer than one step (",
              global_batch * batches_per_step, " = batch_size x processes x accumulate)");
  }

  // Run directory, resume state.
  TrainResult result;
  fs::path run_dir;
  int64_t step = 0;
  double elapsed_before_s = 0;
  bool has_best = false;
  double best_value = 0;
  int64_t bad_validations = 0;
  std::map<std::string, double> last_val;
  if (request.resume_dir) {
    run_dir = *request.resume_dir;
    const fs::path ckpt = latest_checkpoint(run_dir);
    nlohmann::json meta;
    load_checkpoint(ckpt, CheckpointParts{&meta, j.model.get(), optimizer.get(), ema.get(), true});
    step = meta.at("step").get<int64_t>();
    const auto& st = meta.at("trainer");
    elapsed_before_s = st.value("elapsed_s", 0.0);
    has_best = st.value("has_best", false);
    best_value = st.value("best_value", 0.0);
    bad_validations = st.value("bad_validations", int64_t{0});
    scheduler->load_state(meta.value("scheduler", nlohmann::json::object()));
    if (scaler && meta.contains("scaler")) scaler->load_state(meta.at("scaler"));
    ECG_CHECK(st.value("world_size", int64_t{1}) == world, ckpt.string(), ": written by a run of ",
              st.value("world_size", int64_t{1}), " processes; resume it with the same number (got ", world, ")");
    log.info("resuming ", run_dir.string(), " from ", ckpt.filename().string(), " (step ", step, ")");
  } else if (rank0) {
    RunDir rd = RunDir::create(j.run, std::chrono::system_clock::now());
    run_dir = rd.path();
    rd.write_config(request.config);
    rd.write_command(request.argv);
    rd.write_env(run_env_json(j.ctx, build_info()));
  }
  if (pg) pg->broadcast_module(*j.model);  // identical start (a resume loads the same file everywhere)

  std::unique_ptr<MetricsLog> mlog;
  std::unique_ptr<TensorBoardWriter> tb;
  if (rank0) {
    log.attach_file(run_dir / "log.txt");
    mlog = std::make_unique<MetricsLog>(run_dir, request.resume_dir ? step : -1);
    if (t.tensorboard()) tb = std::make_unique<TensorBoardWriter>(run_dir / "tb");
  }
  const fs::path ckpt_dir = run_dir / "checkpoints";
  const std::string config_yaml = config::to_yaml(request.config);
  const BuildInfo build = build_info();
  result.run_dir = run_dir;
  result.best_metric = t.best_metric();

  log.info("training ", request.config.at("model").at("name").text(), " (", j.task->name(), ") on ", j.ctx.device.str(),
           ", ", world, " process(es), batch ", t.batch_size(), " x ", world, " x ", t.accumulate(), ", ",
           steps_per_epoch, " steps/epoch, ", t.max_steps(), " steps",
           j.amp ? str(", autocast ", c10::toString(*j.amp)) : std::string());
  if (!j.val_data) log.warning("no validation data (val_data or trainer.val_fraction): best.pt is not chosen");

  auto make_meta = [&](int64_t at_step) {
    nlohmann::json m;
    m["step"] = at_step;
    m["epoch"] = at_step / steps_per_epoch;
    m["config"] = config_yaml;
    m["git_sha"] = build.git_sha;
    m["ecgtorch_version"] = build.version;
    m["torch_version"] = build.torch_version;
    m["data_manifest"] = j.data_manifest;
    m["model"] = request.config.at("model").at("name").text();
    m["task"] = j.task->name();
    if (const auto* labelled = dynamic_cast<const data::LabelledDataset*>(j.train_data.get()))
      m["class_names"] = labelled->class_names();
    if (const auto window = j.train_data->beat_window()) m["beat_window"] = window->to_json();
    m["scheduler"] = scheduler->state();
    if (scaler) m["scaler"] = scaler->state();
    m["metrics"] = last_val;
    m["trainer"] = {{"elapsed_s", elapsed_before_s},      {"has_best", has_best},
                    {"best_value", best_value},           {"best_metric", t.best_metric()},
                    {"bad_validations", bad_validations}, {"world_size", world}};
    return m;
  };
  auto save_step = [&](int64_t at_step) {
    if (!rank0) return;
    nlohmann::json meta = make_meta(at_step);
    const fs::path p = ckpt_dir / step_checkpoint_name(at_step);
    save_checkpoint(p, CheckpointParts{&meta, j.model.get(), optimizer.get(), ema.get(), true});
    prune_step_checkpoints(ckpt_dir, t.keep_last());
    result.last_checkpoint = p;
  };

  const Clock::time_point t0 = Clock::now();
  auto elapsed = [&] { return elapsed_before_s + seconds_since(t0); };
  int64_t last_saved = request.resume_dir ? step : -1, last_validated = -1;
  bool stop_early = false;
  int got_signal = 0;

  auto run_validation = [&](int64_t at_step) {
    if (!j.val_data) return;
    std::vector<cv::Mat> plots;
    std::map<std::string, double> v;
    {
      std::optional<Ema::Swap> swap;
      if (ema) swap.emplace(*ema, *j.model);
      v = validate(j, pg.get(), rank0 ? t.plots() : 0, &plots);
    }
    last_val = v;
    last_validated = at_step;
    scheduler->observe(v);
    const auto it = v.find(t.best_metric());
    if (it == v.end()) {
      std::string known;
      for (const auto& kv : v) known += (known.empty() ? "" : ", ") + kv.first;
      throw Error(
          str("trainer.best_metric: '", t.best_metric(), "' is not computed by validation (known: ", known, ")"));
    }
    const bool better = improved(it->second, best_value, has_best, t.best_mode());
    if (better) {
      has_best = true;
      best_value = it->second;
      bad_validations = 0;
    } else {
      ++bad_validations;
    }
    std::string line;
    for (const auto& kv : v) {
      if (kv.first.find('/', 4) == std::string::npos) line += " " + kv.first.substr(4) + " " + fmt(kv.second);
    }
    log.info("validation at step ", at_step, ":", line, better ? "  (best)" : "");
    if (!rank0) return;
    nlohmann::json row = {
        {"step", at_step}, {"epoch", at_step / steps_per_epoch}, {"split", "val"}, {"time_s", elapsed()}};
    for (const auto& kv : v) row[kv.first] = std::isfinite(kv.second) ? nlohmann::json(kv.second) : nlohmann::json();
    mlog->append(row);
    mlog->flush();
    for (size_t i = 0; i < plots.size(); ++i) {
      const std::string png = encode_png(plots[i]);
      write_file_atomic(run_dir / "plots" / str("step_", std::setw(8), std::setfill('0'), at_step, "_", i, ".png"),
                        png);
      if (tb) tb->image(str("val/prediction_", i), png, plots[i].rows, plots[i].cols, at_step);
    }
    if (tb) {
      for (const auto& kv : v) {
        if (std::isfinite(kv.second)) tb->scalar(kv.first, kv.second, at_step);
      }
      tb->flush();
    }
    if (better) {
      nlohmann::json meta = make_meta(at_step);
      meta["best"] = true;
      result.best_checkpoint = ckpt_dir / "best.pt";
      save_checkpoint(result.best_checkpoint, CheckpointParts{&meta, j.model.get(), optimizer.get(), ema.get(), true});
    }
    if (t.early_stop_patience() > 0 && bad_validations >= t.early_stop_patience()) stop_early = true;
  };
  if (request.resume_dir && fs::exists(ckpt_dir / "best.pt")) result.best_checkpoint = ckpt_dir / "best.pt";

  // The loop.
  j.model->train();
  double window_loss = 0, window_wait = 0;
  int64_t window_steps = 0, skipped = 0;
  Clock::time_point window_t0 = Clock::now();
  std::map<std::string, double> window_parts;
  const bool tty = t.progress() && rank0 && isatty(STDERR_FILENO);

  while (step < t.max_steps() && !stop_early && got_signal == 0) {
    const int64_t epoch = step / steps_per_epoch;
    const int64_t first = (step % steps_per_epoch) * batches_per_step;
    const int64_t batches = steps_per_epoch * batches_per_step;
    j.loss->set_epoch(epoch);
    // This epoch's batches from `first` on, this rank's share of each global batch.
    std::vector<int64_t> order;
    std::vector<int64_t> perm;
    if (!j.train_indices.empty()) {
      perm = j.train_indices;
      std::mt19937_64 rng(static_cast<uint64_t>(j.run.seed()) * 1000003ull + static_cast<uint64_t>(epoch) + 7);
      std::shuffle(perm.begin(), perm.end(), rng);
    }
    for (int64_t g = first; g < batches; ++g) {
      for (int64_t k = 0; k < t.batch_size(); ++k) {
        const int64_t pos = g * global_batch + dist.rank * t.batch_size() + k;
        order.push_back(perm.empty() ? epoch * batches * global_batch + pos : perm[static_cast<size_t>(pos)]);
      }
    }
    data::LoaderOptions lo;
    lo.batch_size = t.batch_size();
    lo.workers = static_cast<int>(t.workers());
    lo.prefetch = static_cast<int>(t.prefetch());
    lo.drop_last = true;
    data::DataLoader loader(j.train_data, std::move(order), lo);
    double wait_before = 0;

    for (int64_t k = step % steps_per_epoch; k < steps_per_epoch && step < t.max_steps(); ++k) {
      optimizer->zero_grad();
      bool finite = true;
      double step_loss = 0;
      std::vector<std::pair<std::string, double>> parts;
      for (int64_t a = 0; a < batches_per_step; ++a) {
        auto b = loader.next();
        ECG_CHECK(b.has_value(), "internal: the loader ran out of batches at step ", step);
        const data::Batch batch = prepare(*b, j);
        torch::Tensor loss;
        {
          AutocastGuard ac(j.ctx.device, j.amp);
          torch::Tensor pred = j.task->forward(*j.model, batch);
          std::vector<std::pair<std::string, double>> p;
          loss = j.loss->forward_parts(pred.to(torch::kFloat32), batch.target, p);
          for (auto& kv : p) parts.push_back(kv);
        }
        const double lv = loss.item<double>();
        if (!std::isfinite(lv)) {
          finite = false;
          for (++a; a < batches_per_step; ++a) loader.next();  // the step's other batches go too
          break;
        }
        step_loss += lv / static_cast<double>(batches_per_step);
        torch::Tensor scaled = loss / static_cast<double>(batches_per_step);
        if (scaler) scaled = scaler->scale(scaled);
        scaled.backward();
      }
      if (pg) finite = pg->sum({finite ? 0.0 : 1.0})[0] == 0.0;
      if (!finite) {
        ECG_CHECK(t.skip_nonfinite(), "the loss is NaN or Inf at step ", step, " (epoch ", epoch,
                  "); set trainer.skip_nonfinite=true to skip such batches, or lower the learning rate");
        optimizer->zero_grad();
        ++skipped;
        log.warning("step ", step, ": non-finite loss, batch skipped (", skipped, " so far)");
        ++step;
        continue;
      }
      if (pg) pg->average_gradients(*j.model);
      bool do_step = true;
      if (scaler) do_step = scaler->unscale(*optimizer);
      if (t.grad_clip_norm() > 0) torch::nn::utils::clip_grad_norm_(j.model->parameters(), t.grad_clip_norm());
      const double factor = scheduler->factor(step);
      apply_lr(*optimizer, base_lrs, factor);
      if (do_step) optimizer->step();
      if (scaler) scaler->update();
      if (ema) ema->update(*j.model);
      ++step;

      // Logs.
      window_loss += step_loss;
      ++window_steps;
      for (const auto& kv : parts) window_parts[kv.first] += kv.second / static_cast<double>(batches_per_step);
      const double wait_now = loader.wait_seconds();
      window_wait += wait_now - wait_before;
      wait_before = wait_now;
      if (step % t.log_every() == 0 || step == t.max_steps()) {
        const double dt = seconds_since(window_t0);
        const double sps = window_steps / std::max(dt, 1e-9);
        const double lr = optimizer->param_groups()[0].options().get_lr();
        if (pg) {  // the mean over every process's examples
          const auto s = pg->sum({window_loss, window_wait});
          window_loss = s[0] / static_cast<double>(world);
          window_wait = s[1] / static_cast<double>(world);
        }
        const double mean_loss = window_loss / static_cast<double>(window_steps);
        const double wait_share = dt > 0 ? window_wait / dt : 0;
        const double eta = static_cast<double>(t.max_steps() - step) / std::max(sps, 1e-9);
        if (rank0) {
          nlohmann::json row = {{"step", step},
                                {"epoch", epoch},
                                {"split", "train"},
                                {"time_s", elapsed()},
                                {"loss", mean_loss},
                                {"lr", lr},
                                {"steps_per_s", sps},
                                {"examples_per_s", sps * static_cast<double>(global_batch * batches_per_step)},
                                {"data_wait_s", window_wait / static_cast<double>(window_steps)},
                                {"data_wait_share", wait_share}};
          if (scaler) row["amp_scale"] = scaler->current_scale();
          if (window_parts.size() > 1) {
            for (const auto& kv : window_parts) row["loss/" + kv.first] = kv.second / static_cast<double>(window_steps);
          }
          mlog->append(row);
          if (tb) {
            tb->scalar("train/loss", mean_loss, step);
            tb->scalar("train/lr", lr, step);
            tb->scalar("train/steps_per_s", sps, step);
            tb->scalar("train/data_wait_share", wait_share, step);
          }
          const std::string line =
              str("step ", step, "/", t.max_steps(), " epoch ", epoch, " loss ", fmt(mean_loss), " lr ", fmt(lr, 3),
                  " ", fmt(sps, 3), " steps/s data-wait ", fmt(100 * wait_share, 3), "% ETA ", hms(eta));
          if (tty) {
            const int width = 24;
            const int fill = static_cast<int>(width * step / t.max_steps());
            std::cerr << "\r[" << std::string(fill, '=') << std::string(width - fill, ' ') << "] " << line << "\x1b[K"
                      << std::flush;
          }
          log.debug(line);
          if (!tty && (step % (t.log_every() * 10) == 0 || step == t.max_steps())) log.info(line);
        }
        window_loss = window_wait = 0;
        window_steps = 0;
        window_parts.clear();
        window_t0 = Clock::now();
      }

      const bool val_due = t.val_every() > 0 && step % t.val_every() == 0;
      if (val_due) {
        if (tty) std::cerr << "\n";
        run_validation(step);
      }
      const bool ckpt_due = t.checkpoint_every() > 0 ? step % t.checkpoint_every() == 0 : val_due;
      if (ckpt_due) {
        save_step(step);
        last_saved = step;
      }
      if (stop != nullptr) got_signal = stop->requested();
      if (pg) {  // one rank stopped: all stop at the same step
        const bool any = pg->sum({got_signal != 0 ? 1.0 : 0.0})[0] > 0;
        if (any && got_signal == 0) got_signal = SIGTERM;
      }
      if (stop_early || got_signal != 0) break;
    }
  }
  if (tty) std::cerr << "\n";

  // The end: validate and checkpoint the final state unless just done.
  if (got_signal == 0 && last_validated != step && j.val_data && !stop_early) run_validation(step);
  if (last_saved != step) save_step(step);
  if (rank0) {
    mlog->flush();
    if (tb) tb->flush();
  }
  result.steps = step;
  result.best_value = best_value;
  result.last_validation = last_val;
  result.stop_signal = got_signal;
  result.stop_reason = got_signal != 0 ? StopSignal::name(got_signal) : stop_early ? "early_stop" : "max_steps";
  if (got_signal != 0) {
    log.warning("stopped by ", StopSignal::name(got_signal), " at step ", step, "; checkpoint saved",
                rank0 ? str(" to ", result.last_checkpoint.string()) : std::string());
  } else if (stop_early) {
    log.info("early stop at step ", step, ": ", t.best_metric(), " did not improve for ", t.early_stop_patience(),
             " validations");
  }
  if (skipped > 0) log.warning(skipped, " step(s) skipped for a non-finite loss");
  log.info("done: ", step, " steps in ", hms(seconds_since(t0)),
           has_best ? str(", best ", t.best_metric(), " ", fmt(best_value)) : std::string());
  if (pg) pg->barrier();
  return result;
}

nlohmann::json evaluate(const fs::path& checkpoint, const std::vector<std::string>& overrides, const Registries& regs,
                        const EvalOptions& options) {
  const nlohmann::json meta = read_checkpoint_meta(checkpoint);
  config::ConfigNode cfg = config::parse_yaml(meta.at("config").get<std::string>(), checkpoint.string() + ":config");
  const config::Schema schema = job_schema(regs);
  for (size_t i = 0; i < overrides.size(); ++i) {
    config::apply_override(cfg, config::parse_override(overrides[i], static_cast<int64_t>(i)), &schema);
  }
  schema.normalize(cfg, "");
  DistEnv single;
  Job j = build_job(cfg, regs, single);
  ECG_CHECK(j.val_data != nullptr, checkpoint.string(),
            ": the config has no validation data (give val_data=... or trainer.val_fraction=...)");
  std::unique_ptr<Ema> ema;
  const TrainerOptions& t = j.t;
  if (t.ema_decay() > 0) ema = std::make_unique<Ema>(*j.model, t.ema_decay());
  load_checkpoint(checkpoint, CheckpointParts{nullptr, j.model.get(), nullptr, ema.get(), false});
  std::map<std::string, double> v;
  std::vector<cv::Mat> plots;
  std::vector<std::pair<std::string, std::map<std::string, double>>> rows;
  const int64_t max_plots = options.plots_dir.empty() ? 0 : options.max_plots;
  {
    std::optional<Ema::Swap> swap;
    if (ema) swap.emplace(*ema, *j.model);
    v = validate(j, nullptr, max_plots, &plots, options.per_example ? &rows : nullptr);
  }
  auto to_json = [](const std::map<std::string, double>& m) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& kv : m) out[kv.first] = std::isfinite(kv.second) ? nlohmann::json(kv.second) : nlohmann::json();
    return out;
  };
  nlohmann::json r = {{"checkpoint", checkpoint.string()},
                      {"step", meta.value("step", int64_t{0})},
                      {"weights", ema ? "ema" : "model"},
                      {"examples", j.val_indices.size()},
                      {"metrics", to_json(v)}};
  if (options.per_example) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [id, m] : rows) list.push_back({{"id", id}, {"metrics", to_json(m)}});
    r["per_example"] = list;
  }
  if (!plots.empty()) {
    fs::create_directories(options.plots_dir);
    nlohmann::json files = nlohmann::json::array();
    for (size_t i = 0; i < plots.size(); ++i) {
      const fs::path f = options.plots_dir / (j.val_data->example_id(j.val_indices.at(i)) + ".png");
      write_file_atomic(f, encode_png(plots[i]));
      files.push_back(f.string());
    }
    r["plots"] = files;
  }
  return r;
}

}  // namespace ecg::train
