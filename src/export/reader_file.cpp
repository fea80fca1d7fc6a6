#include "export/reader_file.h"

#include <mutex>

#include "core/error.h"
#include "digitize/learned_reader.h"
#include "digitize/strip_dataset.h"
#include "models/trace_reader_net.h"
#include "train/trained_model.h"

namespace ecg::exporting {

std::shared_ptr<const digitize::TraceReader> open_trace_reader(const std::filesystem::path& path,
                                                               const train::Registries& regs) {
  ECG_CHECK(std::filesystem::is_regular_file(path), path.string(), ": no such reader file");
  train::TrainedModel t = load_trained_model(path, regs);
  auto net = std::dynamic_pointer_cast<models::TraceReaderNetImpl>(t.model);
  ECG_CHECK(net != nullptr, path.string(), ": the model is '", t.model_name,
            "', not a trace_reader (train one on trace_strips, e.g. configs/digitize_reader.yaml)");
  const config::ConfigNode* data = t.config.find("data");
  ECG_CHECK(data != nullptr && data->is_map(), path.string(), ": the checkpoint's config has no data section");
  digitize::LearnedReaderOptions o;
  o.strip = digitize::strip_options_of(*data);
  o.stride = net->stride();
  o.name = "learned (" + path.filename().string() + ")";
  net->eval();
  auto lock = std::make_shared<std::mutex>();  // one page at a time through the module
  return std::make_shared<digitize::LearnedReader>(
      [net, lock](const torch::Tensor& x) {
        std::lock_guard<std::mutex> guard(*lock);
        return net->forward(x);
      },
      o);
}

}  // namespace ecg::exporting
