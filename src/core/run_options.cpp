#include "core/run_options.h"

namespace ecg {

config::OptionsBinder<RunOptions> run_options_binder() {
  config::OptionsBinder<RunOptions> b("run options");
  ECG_BIND(b, experiment, "experiment name; runs go to <runs_root>/<experiment>/");
  ECG_BIND(b, seed, "seed of every random generator").min_value = 0;
  ECG_BIND(b, device, "auto | cpu | cuda | cuda:N | mps");
  ECG_BIND(b, threads, "intra-op CPU threads; 0 = every core").min_value = 0;
  ECG_BIND(b, run_dir, "run directory; null = <runs_root>/<experiment>/<YYYYmmdd-HHMMSS>-<6 hex>");
  ECG_BIND(b, runs_root, "root of the default run directories");
  ECG_BIND(b, log_level, "debug | info | warning | error").choices = {"debug", "info", "warning", "error"};
  return b;
}

}  // namespace ecg
