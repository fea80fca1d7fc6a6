// The WFDB header parser on arbitrary text.
#include "core/error.h"
#include "data/wfdb.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto h = ecg::data::parse_wfdb_header(ecg::fuzz::as_text(data, size), "fuzz.hea");
    (void)h;
  } catch (const ecg::Error&) {
  }
  return 0;
}
