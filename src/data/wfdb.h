#pragma once
// WFDB records (PhysioNet): header parsing, signal decoding and checksums.
// https://physionet.org/physiotools/wag/header-5.htm and signal-5.htm
//
// Supported: single-segment records whose signals may live in several files; formats
// 16, 212, 80, 24, 32 and 61; byte offsets ("16+24", as in the CinC 2021 .mat files,
// which are MAT v4 matrices stored sample-major and so read like WFDB); gains,
// baselines, ADC zero and units; one sample per frame. Anything else is rejected
// with an error naming the file and line.
//
//   WfdbHeader h = read_wfdb_header("ptbxl/records500/00000/00001_hr");  // ".hea" optional
//   Record r = read_wfdb("ptbxl/records500/00000/00001_hr");             // mV, checksums verified

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "data/record.h"

namespace ecg::data {

struct WfdbSignal {
  std::string file;         // relative to the header's directory
  int64_t format = 0;       // 16, 212, 80, 24, 32, 61
  int64_t byte_offset = 0;  // bytes skipped at the start of the file
  double gain = 200;        // ADC units per physical unit (0 in the file means 200)
  int64_t baseline = 0;     // ADC value of 0 physical units (defaults to adc_zero)
  std::string units = "mV";
  int64_t adc_resolution = 0;
  int64_t adc_zero = 0;
  int64_t initial_value = 0;
  std::optional<int64_t> checksum;  // 16-bit sum of the samples, when given
  std::string description;          // the lead name
};

struct WfdbHeader {
  std::string name;
  double fs_hz = 250;
  int64_t num_samples = -1;  // -1: not given (read to the end of the data)
  std::string base_time;
  std::vector<WfdbSignal> signals;
  std::vector<std::string> comments;  // '#' lines, without the '#'
  std::filesystem::path dir;          // where the header lives
};

/// Parses a header file ("x.hea" or "x"). Throws ecg::Error "file:line: ..." on bad input.
WfdbHeader read_wfdb_header(const std::filesystem::path& path);
/// Parses header text; `source` names it in errors.
WfdbHeader parse_wfdb_header(const std::string& text, const std::string& source);

/// Raw ADC values [signals, samples] (int32) of the header's record.
torch::Tensor read_wfdb_adc(const WfdbHeader& header);

/// Bytes per frame of `signals` interleaved samples in `format` (0 for an unknown format).
int64_t wfdb_bytes_per_frame(int64_t format, int64_t signals);

/// 16-bit checksum of one signal's ADC values, as WFDB defines it.
int64_t wfdb_checksum(const torch::Tensor& adc_row);

struct WfdbReadOptions {
  bool verify_checksums = true;  // a mismatch throws, naming the file, signal and both values
};

/// Reads a record in physical units (voltages converted to mV). Throws ecg::Error.
Record read_wfdb(const std::filesystem::path& path, const WfdbReadOptions& options = {});

struct WfdbWriteOptions {
  int64_t format = 16;             // 16 or 212
  std::vector<double> gains;       // ADC units per physical unit, per lead; empty: 1000 each
  std::vector<int64_t> baselines;  // ADC value of 0, per lead; empty: 0 each
};

/// Writes `record` as WFDB: `dir/<id>.hea` and `dir/<id>.dat`, with checksums. NaN samples
/// become the format's "invalid" value (-32768 for 16, -2048 for 212) and read back as
/// NaN. A value outside the format's range throws, naming the lead and sample. Files are
/// written atomically. With the gains and baselines of the header it was read from, a
/// record round-trips exactly.
void write_wfdb(const Record& record, const std::filesystem::path& dir, const WfdbWriteOptions& options = {});

}  // namespace ecg::data
