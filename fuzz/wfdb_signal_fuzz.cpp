// Every WFDB signal decoder on arbitrary bytes: byte 0 picks the format, byte 1 the
// number of signals (1..16), byte 2 the byte offset (0..255), byte 3 the declared
// samples (0 = read to the end); the rest is the signal file.
#include "core/error.h"
#include "data/wfdb.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  static const int64_t formats[] = {16, 212, 80, 24, 32, 61};
  ecg::data::WfdbHeader h;
  h.name = "f";
  h.fs_hz = 250;
  h.dir = ecg::fuzz::scratch_dir();
  const int64_t format = formats[data[0] % 6];
  const int64_t nsig = 1 + data[1] % 16;
  h.num_samples = data[3] == 0 ? -1 : data[3];
  for (int64_t i = 0; i < nsig; ++i) {
    ecg::data::WfdbSignal s;
    s.file = "f.dat";
    s.format = format;
    s.byte_offset = data[2];
    s.description = "s" + std::to_string(i);
    h.signals.push_back(s);
  }
  ecg::fuzz::write_scratch("f.dat", data + 4, size - 4);
  try {
    const auto adc = ecg::data::read_wfdb_adc(h);
    (void)adc;
  } catch (const ecg::Error&) {
  }
  return 0;
}
