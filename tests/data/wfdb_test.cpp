#include "data/wfdb.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <fstream>

#include "core/atomic_file.h"
#include "test_util.h"

namespace ecg::data {
namespace {

using ecg::testing::shared_data_dir;

float at(const Record& r, int64_t lead, int64_t sample) {
  return r.signal[lead][sample].item<float>();
}

TEST(WfdbHeader, ParsesPtbxlFields) {
  ECG_REQUIRE_SHARED_DATA("ptbxl/records500/00000/00001_hr.hea");
  const auto h = read_wfdb_header(shared_data_dir() / "ptbxl/records500/00000/00001_hr");
  EXPECT_EQ(h.name, "00001_hr");
  EXPECT_EQ(h.fs_hz, 500);
  EXPECT_EQ(h.num_samples, 5000);
  ASSERT_EQ(h.signals.size(), 12u);
  EXPECT_EQ(h.signals[0].format, 16);
  EXPECT_EQ(h.signals[0].gain, 1000);
  EXPECT_EQ(h.signals[0].baseline, 0);
  EXPECT_EQ(h.signals[0].units, "mV");
  EXPECT_EQ(h.signals[0].initial_value, -115);
  EXPECT_EQ(h.signals[2].checksum.value(), 64050);
  EXPECT_EQ(h.signals[3].description, "AVR");
}

TEST(WfdbHeader, ParsesMitdbLudbAndCommentsAndOffsets) {
  ECG_REQUIRE_SHARED_DATA("mitdb/100.hea");
  const auto m = read_wfdb_header(shared_data_dir() / "mitdb/100.hea");
  EXPECT_EQ(m.signals[0].format, 212);
  EXPECT_EQ(m.signals[0].gain, 200);
  EXPECT_EQ(m.signals[0].baseline, 1024);  // from adc_zero
  EXPECT_EQ(m.signals[0].adc_resolution, 11);
  EXPECT_EQ(m.comments.front(), " 69 M 1085 1629 x1");
  const auto l = read_wfdb_header(shared_data_dir() / "ludb/1");
  EXPECT_EQ(l.signals[0].gain, 1716);
  EXPECT_EQ(l.signals[0].baseline, 6);
  const auto c = read_wfdb_header(shared_data_dir() / "ptbxl/cinc2021_format/HR06000");
  EXPECT_EQ(c.signals[0].byte_offset, 24);
  EXPECT_EQ(c.signals[0].units, "mv");
}

// Values from tests/golden/wfdb_samples.py, an independent decode with Python's struct.
TEST(ReadWfdb, SamplesMatchAnIndependentDecode) {
  ECG_REQUIRE_SHARED_DATA("mitdb/208.dat");
  const auto p = read_wfdb(shared_data_dir() / "ptbxl/records500/00000/00001_hr");
  EXPECT_EQ(p.signal.sizes(), (std::vector<int64_t>{12, 5000}));
  EXPECT_FLOAT_EQ(at(p, 0, 0), -0.115f);
  EXPECT_FLOAT_EQ(at(p, 11, 4999), 0.18f);
  EXPECT_FLOAT_EQ(at(p, 1, 1234), 0.014f);
  EXPECT_FLOAT_EQ(at(p, 8, 2500), -0.015f);
  EXPECT_EQ(p.lead_index("aVR"), 3);
  EXPECT_EQ(p.lead_index(" v6 "), 11);
  EXPECT_EQ(p.lead_index("X"), -1);

  const auto m = read_wfdb(shared_data_dir() / "mitdb/100");
  EXPECT_EQ(m.signal.sizes(), (std::vector<int64_t>{2, 650000}));
  EXPECT_EQ(m.fs_hz, 360);
  EXPECT_FLOAT_EQ(at(m, 0, 0), -0.145f);
  EXPECT_FLOAT_EQ(at(m, 1, 0), -0.065f);
  EXPECT_FLOAT_EQ(at(m, 0, 77), 0.84f);
  EXPECT_FLOAT_EQ(at(m, 1, 100001), -0.335f);
  EXPECT_FLOAT_EQ(at(read_wfdb(shared_data_dir() / "mitdb/208"), 0, 5000), -0.74f);

  EXPECT_FLOAT_EQ(at(read_wfdb(shared_data_dir() / "ludb/1"), 1, 100), static_cast<float>(-0.06550580431177445));

  const auto x = read_wfdb(shared_data_dir() / "ptbdb/s0010_re");  // 12 leads in .dat, 3 in .xyz
  EXPECT_EQ(x.signal.sizes(), (std::vector<int64_t>{15, 38400}));
  EXPECT_FLOAT_EQ(at(x, 12, 0), -0.0015f);
  EXPECT_FLOAT_EQ(at(x, 14, 10), -0.007f);

  const auto c = read_wfdb(shared_data_dir() / "ptbxl/cinc2021_format/HR06000");
  EXPECT_FLOAT_EQ(at(c, 0, 0), 0.01f);
  EXPECT_FLOAT_EQ(at(c, 1, 1), -0.02f);
  EXPECT_EQ(c.units[0], "mV");
}

TEST(ReadWfdb, EveryShippedRecordPassesItsChecksums) {
  ECG_REQUIRE_SHARED_DATA("ptbxl/records100/00000");
  int records = 0;
  for (const auto& dir :
       {"ptbxl/records100/00000", "ptbxl/records500/00000", "mitdb", "ludb", "ptbdb", "ptbxl/cinc2021_format"}) {
    for (const auto& e : std::filesystem::directory_iterator(shared_data_dir() / dir)) {
      if (e.path().extension() != ".hea") continue;
      SCOPED_TRACE(e.path().string());
      const auto h = read_wfdb_header(e.path());
      const auto adc = read_wfdb_adc(h);
      for (size_t i = 0; i < h.signals.size(); ++i) {
        ASSERT_TRUE(h.signals[i].checksum.has_value());
        EXPECT_EQ((wfdb_checksum(adc[static_cast<int64_t>(i)]) - *h.signals[i].checksum) % 65536, 0) << "signal " << i;
        EXPECT_EQ(adc[static_cast<int64_t>(i)][0].item<int32_t>(), h.signals[i].initial_value) << "signal " << i;
      }
      ++records;
    }
  }
  EXPECT_EQ(records, 14 + 14 + 3 + 1 + 1 + 2);
}

class WfdbErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    ECG_REQUIRE_SHARED_DATA("ptbxl/records500/00000/00001_hr.hea");
    const auto src = shared_data_dir() / "ptbxl/records500/00000";
    std::filesystem::copy_file(src / "00001_hr.hea", dir / "00001_hr.hea");
    std::filesystem::copy_file(src / "00001_hr.dat", dir / "00001_hr.dat");
  }
  ecg::testing::TempDir dir;
};

TEST_F(WfdbErrors, TruncatedData) {
  std::filesystem::resize_file(dir / "00001_hr.dat", 119999);
  EXPECT_ERROR_HAS(read_wfdb(dir / "00001_hr"),
                   "00001_hr.dat: truncated: the header announces 5000 samples (120000 "
                   "bytes after offset 0) but the file holds 119999 bytes");
}

TEST_F(WfdbErrors, ChecksumMismatchNamesSignalAndBothValues) {
  std::string bytes = read_file(dir / "00001_hr.dat");
  bytes[2] = static_cast<char>(bytes[2] + 1);  // sample 0 of signal 1 (II) goes up by one
  write_file_atomic(dir / "00001_hr.dat", bytes);
  EXPECT_ERROR_HAS(read_wfdb(dir / "00001_hr"),
                   "00001_hr.dat: checksum mismatch in signal 1 (II): header says 11561, data gives 11562");
  WfdbReadOptions lax;
  lax.verify_checksums = false;
  EXPECT_NO_THROW(read_wfdb(dir / "00001_hr", lax));
}

TEST_F(WfdbErrors, BadHeadersNameFileAndLine) {
  auto with_line = [&](int line_no, const std::string& replacement) {
    std::string text = read_file(dir / "00001_hr.hea");
    size_t pos = 0;
    for (int i = 1; i < line_no; ++i) pos = text.find('\n', pos) + 1;
    text.replace(pos, text.find('\n', pos) - pos, replacement);
    write_file_atomic(dir / "x.hea", text);
  };
  with_line(3, "00001_hr.dat 99 1000.0(0)/mV 16 0 -50 11561 0 II");
  EXPECT_ERROR_HAS(read_wfdb(dir / "x"), "x.hea:3: unsupported signal format 99 (supported: 16, 212, 80, 24, 32, 61)");
  with_line(3, "00001_hr.dat 16 abc/mV 16 0 -50 11561 0 II");
  EXPECT_ERROR_HAS(read_wfdb(dir / "x"), "x.hea:3: expected an ADC gain, got 'abc'");
  with_line(1, "00001_hr 12 fast 5000");
  EXPECT_ERROR_HAS(read_wfdb(dir / "x"), "x.hea:1: expected a sampling frequency, got 'fast'");
  with_line(1, "00001_hr 13 500 5000");
  EXPECT_ERROR_HAS(read_wfdb(dir / "x"), "the record line announces 13 signals but 12 signal lines follow");
  with_line(1, "00001_hr/2 12 500 5000");
  EXPECT_ERROR_HAS(read_wfdb(dir / "x"), "x.hea:1: multi-segment records are not supported");
  with_line(2, "missing.dat 16 1000.0(0)/mV 16 0 -115 13047 0 I");
  EXPECT_ERROR_HAS(read_wfdb(dir / "x"), "missing.dat: signal file not found (named by 00001_hr.hea)");
  with_line(2, "00001_hr.dat 16x2 1000.0(0)/mV 16 0 -115 13047 0 I");
  EXPECT_ERROR_HAS(read_wfdb(dir / "x"), "x.hea:2: 2 samples per frame are not supported");
  EXPECT_ERROR_HAS(read_wfdb(dir / "nothing"), "nothing.hea: cannot open");
  EXPECT_ERROR_HAS(parse_wfdb_header("# only a comment\n", "c.hea"), "c.hea: empty header (no record line)");
}

// Formats the shared records do not use, from hand-made bytes: values -5, 0, 100, -100
// at gain 100 ADC/mV, baseline 0 (1000 ADC/uV for the uV case).
TEST(ReadWfdb, Formats80_24_32_61AndMicrovolts) {
  ecg::testing::TempDir tmp;
  const std::vector<int32_t> v = {-5, 0, 100, -100};
  const int32_t checksum = -5 + 0 + 100 - 100;
  auto header = [&](const std::string& name, int fmt, const std::string& gain) {
    tmp.write(name + ".hea", name + " 1 100 4\n" + name + ".dat " + std::to_string(fmt) + " " + gain + " 16 0 -5 " +
                                 std::to_string(checksum) + " 0 I\n");
  };
  std::string b80, b24, b32, b61;
  for (int32_t x : v) {
    b80 += static_cast<char>(x + 128);
    for (int k = 0; k < 3; ++k) b24 += static_cast<char>((x >> (8 * k)) & 0xFF);
    for (int k = 0; k < 4; ++k) b32 += static_cast<char>((x >> (8 * k)) & 0xFF);
    b61 += static_cast<char>((x >> 8) & 0xFF);
    b61 += static_cast<char>(x & 0xFF);
  }
  tmp.write("f80.dat", b80);
  tmp.write("f24.dat", b24);
  tmp.write("f32.dat", b32);
  tmp.write("f61.dat", b61);
  header("f80", 80, "100");
  header("f24", 24, "100/mV");
  header("f32", 32, "100(0)/mV");
  header("f61", 61, "100");
  const auto want = torch::tensor({-0.05f, 0.0f, 1.0f, -1.0f});
  for (const char* name : {"f80", "f24", "f32", "f61"}) {
    const Record r = read_wfdb(tmp / name);
    EXPECT_TRUE(torch::allclose(r.signal[0], want)) << name << ": " << r.signal[0];
  }
  tmp.write("uv.dat", b32);
  header("uv", 32, "0.1/uV");  // 0.1 ADC per uV: -5 ADC = -50 uV = -0.05 mV
  const Record uv = read_wfdb(tmp / "uv");
  EXPECT_TRUE(torch::allclose(uv.signal[0], want)) << uv.signal[0];
  EXPECT_EQ(uv.units[0], "mV");
  tmp.write("mmhg.dat", b32);
  header("mmhg", 32, "100/mmHg");  // not a voltage: kept as is, unit named
  EXPECT_EQ(read_wfdb(tmp / "mmhg").units[0], "mmHg");
  // Format 80's invalid sample (-128) reads as NaN.
  tmp.write("nan.dat", std::string("\x00\x80", 2));
  tmp.write("nan.hea", "nan 1 100 2\nnan.dat 80 100 8 0 -128 0 0 I\n");
  WfdbReadOptions lax;
  lax.verify_checksums = false;
  const Record n = read_wfdb(tmp / "nan", lax);
  EXPECT_TRUE(std::isnan(n.signal[0][0].item<float>()));
  EXPECT_FLOAT_EQ(n.signal[0][1].item<float>(), 0.0f);
}

TEST(WriteWfdb, RoundTripsExactlyInFormats16And212) {
  ECG_REQUIRE_SHARED_DATA("mitdb/100s.hea");
  ecg::testing::TempDir tmp;
  for (const auto& rel : {"ludb/1", "mitdb/100s", "ptbxl/records100/00000/00001_lr"}) {
    SCOPED_TRACE(rel);
    const auto h = read_wfdb_header(shared_data_dir() / rel);
    const Record r = read_wfdb(shared_data_dir() / rel);
    WfdbWriteOptions o;
    o.format = h.signals[0].format;
    for (const auto& s : h.signals) {
      o.gains.push_back(s.gain);
      o.baselines.push_back(s.baseline);
    }
    write_wfdb(r, tmp.path(), o);
    const auto h2 = read_wfdb_header(tmp / r.id);
    EXPECT_TRUE(torch::equal(read_wfdb_adc(h2), read_wfdb_adc(h)));
    const Record back = read_wfdb(tmp / r.id);  // checksums of the written header verified too
    EXPECT_TRUE(torch::equal(back.signal, r.signal));
    EXPECT_EQ(back.leads, r.leads);
    EXPECT_EQ(back.fs_hz, r.fs_hz);
  }
}

TEST(WriteWfdb, NanRoundTripsAndRangeIsChecked) {
  ecg::testing::TempDir tmp;
  Record r;
  r.id = "syn";
  r.fs_hz = 250;
  r.leads = {"I", "II"};
  r.signal = torch::tensor({{0.5f, NAN, -1.25f}, {0.001f, 0.002f, 0.0f}});
  write_wfdb(r, tmp.path());
  const Record back = read_wfdb(tmp / "syn");
  EXPECT_TRUE(torch::allclose(back.signal, r.signal, 0, 1e-6, /*equal_nan=*/true));
  WfdbWriteOptions narrow;
  narrow.format = 212;
  r.signal = torch::tensor({{5.0f, 0.0f, 0.0f}, {0.0f, 0.0f, 0.0f}});
  EXPECT_ERROR_HAS(write_wfdb(r, tmp.path(), narrow),
                   "lead I sample 0: 5 mV is outside format 212 at gain 1000 (ADC 5000)");
}

}  // namespace
}  // namespace ecg::data

// Found by fuzz/wfdb_header_fuzz: a signal line whose fields are separated by a
// carriage return or form feed (whitespace to the field splitter) made the description
// search run off the end of the line.
TEST(WfdbHeader, DescriptionAfterOddWhitespaceDoesNotCrash) {
  const auto h = ecg::data::parse_wfdb_header("m 1 500 10\nm.dat 16 200 16\r0 7 123 0 I\n", "odd.hea");
  ASSERT_EQ(h.signals.size(), 1u);
  EXPECT_EQ(h.signals[0].description, "I");
  EXPECT_EQ(h.signals[0].checksum, 123);
  const auto h2 = ecg::data::parse_wfdb_header("m 1 500 10\nm.dat 16 200 16 0 7 123 0\fV1 lead\n", "ff.hea");
  EXPECT_EQ(h2.signals[0].description, "V1 lead");
}
