#include "train/trained_model.h"

#include "core/yaml_io.h"
#include "train/checkpoint.h"
#include "train/ema.h"
#include "train/trainer_options.h"

namespace ecg::train {

TrainedModel load_trained_model(const std::filesystem::path& checkpoint, const Registries& regs) {
  TrainedModel t;
  t.meta = read_checkpoint_meta(checkpoint);
  ECG_CHECK(t.meta.contains("config") && t.meta.at("config").is_string(), checkpoint.string(),
            ": the checkpoint holds no config");
  t.config = config::parse_yaml(t.meta.at("config").get<std::string>(), checkpoint.string() + ":config");
  const config::Schema schema = job_schema(regs);
  schema.normalize(t.config, "");
  ECG_CHECK(t.config.has("model") && !t.config.at("model").is_null(), checkpoint.string(),
            ": the checkpoint's config has no model");
  t.model_name = t.config.at("model").at("name").text();
  t.model = regs.models.create(t.config.at("model"), "model");
  double decay = 0;
  if (const auto* tsec = t.config.find("trainer"); tsec != nullptr && !tsec->is_null())
    decay = trainer_options_binder().read(*tsec, "trainer").ema_decay();
  std::unique_ptr<Ema> ema;
  if (decay > 0) ema = std::make_unique<Ema>(*t.model, decay);
  load_checkpoint(checkpoint, CheckpointParts{nullptr, t.model.get(), nullptr, ema.get(), false});
  if (ema) {
    ema->copy_to(*t.model);
    t.ema = true;
  }
  t.model->eval();
  return t;
}

}  // namespace ecg::train
