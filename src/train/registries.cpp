#include "train/registries.h"

#include "train/toy_task.h"
#include "train/trainer_options.h"

#include "core/run_options.h"
#include "data/datasets.h"
#include "digitize/strip_dataset.h"
#include "losses/register_builtin_losses.h"
#include "losses/weighted_loss.h"
#include "models/register_builtin_models.h"
#include "render/image_pages_dataset.h"
#include "render/page_dataset.h"

namespace ecg::train {

std::unique_ptr<Registries> make_builtin_registries() {
  auto r = std::make_unique<Registries>();
  data::register_builtin_datasets(r->datasets);
  render::register_render_datasets(r->datasets);
  render::register_image_pages_dataset(r->datasets);
  digitize::register_strip_datasets(r->datasets);
  models::register_builtin_models(r->models);
  losses::register_builtin_losses(r->losses);
  losses::register_builtin_metrics(r->metrics);
  register_builtin_optimizers(r->optimizers);
  register_builtin_schedulers(r->schedulers);
  return r;
}

config::Schema job_schema(const Registries& regs) {
  config::Schema s = run_options_binder().schema();
  s.set_what("the job config");
  auto component = [&](const char* name, const char* help, std::shared_ptr<const config::ComponentKind> kind,
                       config::ValueType type) -> config::FieldSpec& {
    config::FieldSpec f;
    f.name = name;
    f.type = type;
    f.help = help;
    f.component = std::move(kind);
    return s.add(std::move(f));
  };
  using VT = config::ValueType;
  auto section = [&](const char* name, const char* help, std::shared_ptr<const config::Schema> schema) {
    config::FieldSpec f;
    f.name = name;
    f.type = VT::kSection;
    f.help = help;
    f.section = std::move(schema);
    s.add(std::move(f));
  };
  component("model", "the model: {name: <model>, ...options}", regs.models.component_kind(), VT::kComponent);
  section("loss", "the loss: {terms: [{name: <loss>, weight: 1, ...options}, ...]}",
          losses::loss_section_schema(regs.losses));
  component("data", "the dataset: {name: <dataset>, ...options}", regs.datasets.component_kind(), VT::kComponent);
  component("val_data", "the validation dataset (null: none, or trainer.val_fraction of data)",
            regs.datasets.component_kind(), VT::kComponent)
      .nullable = true;
  section("trainer", "how the training loop runs (steps, batch, validation, checkpoints, AMP, ...)",
          trainer_options_binder().shared_schema());
  component("optimizer", "the optimizer: {name: <optimizer>, ...options}", regs.optimizers.component_kind(),
            VT::kComponent);
  component("scheduler", "the lr schedule: {name: <scheduler>, ...options}", regs.schedulers.component_kind(),
            VT::kComponent);
  section("toy", "the toy task's point (trainer.task: toy): {x, y, noise, step_ms}",
          toy_options_binder().shared_schema());
  component("metrics", "validation metrics: [{name: <metric>, ...}, ...]", regs.metrics.component_kind(),
            VT::kComponentList);
  return s;
}

}  // namespace ecg::train
