#include "models/register_builtin_models.h"

#include "models/backbones2d.h"
#include "models/cnn1d.h"
#include "models/digitizer_unet.h"
#include "models/multimodal.h"
#include "models/trace_reader_net.h"
#include "models/vit.h"
#include "models/vit_detr.h"

namespace ecg::models {

void register_builtin_models(ModelRegistry& registry) {
  register_cnn1d_models(registry);
  register_backbones2d(registry);
  register_vit(registry);
  register_vit_detr(registry);
  register_digitizer_unet(registry);
  register_trace_reader_net(registry);
  register_multimodal(registry);
}

int64_t parameter_count(const torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters()) {
    if (p.requires_grad()) n += p.numel();
  }
  return n;
}

}  // namespace ecg::models
