#pragma once
// Registries: one registry per kind of component, owned by the application (a tool or
// a test) and filled by make_builtin_registries(). job_schema() is the strict schema of
// a whole job config: the run options plus one component section per kind.
//
//   auto regs = make_builtin_registries();
//   config::Schema schema = job_schema(*regs);
//   ConfigNode cfg = config::load_config(request, &schema);

#include <memory>

#include "core/config_schema.h"
#include "data/dataset.h"
#include "losses/loss.h"
#include "losses/metric.h"
#include "models/ecg_model.h"
#include "train/lr_scheduler.h"
#include "train/optimizers.h"

namespace ecg::train {

struct Registries {
  models::ModelRegistry models{"model"};
  losses::LossRegistry losses{"loss"};
  data::DatasetRegistry datasets{"dataset"};
  OptimizerRegistry optimizers{"optimizer"};
  SchedulerRegistry schedulers{"scheduler"};
  losses::MetricRegistry metrics{"metric"};
};

/// Every built-in component, registered explicitly.
std::unique_ptr<Registries> make_builtin_registries();

/// Top-level keys of a job config: RunOptions' keys, and the optional sections model,
/// data, optimizer, scheduler (one component each), loss ({terms: [...]}, see
/// losses/weighted_loss.h) and metrics (a list of components).
/// The schema refers to `regs`, which must outlive it.
config::Schema job_schema(const Registries& regs);

}  // namespace ecg::train
