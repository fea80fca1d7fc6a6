#pragma once
// Class counts for the loss, from the training data: a `class_balanced` term without
// samples_per_class gets the training dataset's class_counts(), so the weights follow the
// data the model is trained on instead of numbers copied into a config.
//
//   config::ConfigNode loss = with_class_counts(cfg.at("loss"), *train_data, &counts);

#include <cstdint>
#include <vector>

#include "core/config_node.h"
#include "data/dataset.h"

namespace ecg::train {

/// `loss` (the config's loss section) with samples_per_class filled in where a
/// class_balanced term leaves it out and `data` counts its classes; `*used` (when given)
/// receives the counts filled in, empty when none were. Terms that give their counts, and
/// datasets that cannot count, are left as they are (the loss then says what is missing).
config::ConfigNode with_class_counts(const config::ConfigNode& loss, const data::Dataset& data,
                                     std::vector<int64_t>* used = nullptr);

}  // namespace ecg::train
