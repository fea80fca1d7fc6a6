#pragma once
// Registered datasets (config `data: {name: ..., ...}`):
//
// wfdb_folder:  every WFDB record under `root` (sorted), input [leads, samples] mV (resampled to fs_hz when > 0) cut
//   or zero-padded to length_s. With `labels` (superclass | subclass | form | rhythm) the
//   PTB-XL tables under root give a multi-hot target [classes] (class order: sorted
//   names, see class_names()), and `folds` keeps only those strat_folds. labels: synth
//   maps the SCP codes onto the synthesiser's classes (synth_classes() order: SR, SARRH ->
//   sinus, SBRAD, STACH, AFIB, AFLT, 1AVB, PAC / SVARR, PVC, CRBBB, CLBBB, STE_, STD_, INVT,
//   LVOLT), so models trained on `synth` are scored on real records. `subdir` keeps the
//   records under root/subdir (PTB-XL: records100 or records500). With image_size [h, w]
//   the extras carry the multimodal model's inputs: signal (the input), image (zeros,
//   absent), numeric (PTB-XL age; height and weight NaN), categorical (sex; site -1) and
//   present [0, 1, 1]. example_id() is the record name.
// mitdb_beats:  MIT-BIH beats of the listed records, a window of lead `lead` around each
//   annotated beat (before_s / after_s), target = AAMI class index (N 0, S 1, V 2, F 3,
//   Q 4). Listing different records for training and validation gives the inter-patient
//   split (e.g. de Chazal's DS1 / DS2). With synth_records N, the beats of N synthesised
//   10 s records follow the real ones: lead II at the first record's rate, classes
//   cycling through synth_classes (default: all of synth_classes()), noise 15-30 dB,
//   seeded by synth_seed; their beats are N, S (premature atrial) or V.
// synth:  infinite, or `size` examples; example i is class classes[i % C] of the synthesiser with seed
//   seed * 1000003 + i, noise drawn in [snr_db_min, snr_db_max]; target multi-hot over
//   synth_classes().

#include <memory>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace ecg::data {

/// Names of the target classes of a dataset built by these factories, in target order.
class LabelledDataset : public Dataset {
 public:
  virtual std::vector<std::string> class_names() const = 0;
  /// Examples of each class, in class_names() order (multi-label: examples with the label),
  /// for losses that weight by class frequency. Empty when the dataset cannot count them
  /// without generating every example (synth, pages).
  virtual std::vector<int64_t> class_counts() const { return {}; }
};

void register_builtin_datasets(DatasetRegistry& registry);

}  // namespace ecg::data
