// The MIT annotation reader on arbitrary bytes.
#include "core/error.h"
#include "data/annotations.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = ecg::fuzz::write_scratch("a.atr", data, size);
  try {
    const auto a = ecg::data::read_mit_annotations(path);
    (void)a;
  } catch (const ecg::Error&) {
  }
  return 0;
}
