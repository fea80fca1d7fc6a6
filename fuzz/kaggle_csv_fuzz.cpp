// The Kaggle record CSV and train.csv readers on arbitrary bytes.
#include "core/error.h"
#include "data/kaggle_csv.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = ecg::fuzz::write_scratch("r.csv", data, size);
  try {
    const auto r = ecg::data::read_kaggle_csv(path);
    (void)r;
  } catch (const ecg::Error&) {
  }
  try {
    const auto idx = ecg::data::read_kaggle_index(path);
    (void)idx;
  } catch (const ecg::Error&) {
  }
  return 0;
}
