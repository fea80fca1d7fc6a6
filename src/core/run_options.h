#pragma once
// RunOptions: the top-level keys of every job config that say how and where a run
// happens (not what it trains). The binder gives their schema, defaults and help.
//
//   experiment: quickstart   # runs/<experiment>/...
//   seed: 0
//   device: auto             # auto | cpu | cuda | cuda:N | mps
//   threads: 0               # intra-op threads; 0 = every core
//   run_dir: null            # null = runs_root/<experiment>/<YYYYmmdd-HHMMSS>-<6 hex>
//   runs_root: runs
//   log_level: info          # debug | info | warning | error

#include <torch/arg.h>

#include <cstdint>
#include <optional>
#include <string>

#include "core/options_binder.h"

namespace ecg {

struct RunOptions {
  TORCH_ARG(std::string, experiment) = "default";
  TORCH_ARG(int64_t, seed) = 0;
  TORCH_ARG(std::string, device) = "auto";
  TORCH_ARG(int64_t, threads) = 0;
  TORCH_ARG(std::optional<std::string>, run_dir) = std::nullopt;
  TORCH_ARG(std::string, runs_root) = "runs";
  TORCH_ARG(std::string, log_level) = "info";
};

/// Binds RunOptions to the keys above, with ranges and choices.
config::OptionsBinder<RunOptions> run_options_binder();

}  // namespace ecg
