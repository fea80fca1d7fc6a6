#include "data/wfdb.h"

#include <torch/torch.h>

#include <cctype>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/strings.h"

namespace fs = std::filesystem;

namespace ecg::data {
namespace {

std::vector<std::string> tokens(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string t; in >> t;) out.push_back(t);
  return out;
}

// A whole number or "<where>: expected <what>, got '<text>'".
int64_t to_int(const std::string& text, const std::string& where, const char* what) {
  const auto v = parse_int(text);
  ECG_CHECK(v.has_value(), where, ": expected ", what, ", got '", text, "'");
  return *v;
}

double to_double(const std::string& text, const std::string& where, const char* what) {
  const auto v = parse_double(text);
  ECG_CHECK(v.has_value() && std::isfinite(*v), where, ": expected ", what, ", got '", text, "'");
  return *v;
}

}  // namespace

int64_t wfdb_bytes_per_frame(int64_t format, int64_t signals) {
  switch (format) {
    case 16:
    case 61:
      return 2 * signals;
    case 80:
      return signals;
    case 24:
      return 3 * signals;
    case 32:
      return 4 * signals;
    case 212:
      return (3 * signals + 1) / 2;  // 12 bits each
  }
  return 0;
}

namespace {

int64_t bytes_per_frame_of(int64_t format, int64_t signals) {
  return wfdb_bytes_per_frame(format, signals);
}

int64_t invalid_value(int64_t format) {
  switch (format) {
    case 16:
    case 61:
      return -32768;
    case 212:
      return -2048;
    case 80:
      return -128;
    case 24:
      return -8388608;
    case 32:
      return INT32_MIN;
  }
  return INT32_MIN;
}

double unit_to_mv(const std::string& units, bool& is_voltage) {
  const std::string u = to_lower(units);
  is_voltage = true;
  if (u == "mv") return 1.0;
  if (u == "uv" || u == "\xc2\xb5v") return 1e-3;
  if (u == "v") return 1e3;
  if (u == "nv") return 1e-6;
  is_voltage = false;
  return 1.0;
}

// Decodes `count` interleaved samples of `format` from `data` into `out`.
void decode(int64_t format, const uint8_t* data, int64_t count, int32_t* out) {
  switch (format) {
    case 16:
      for (int64_t i = 0; i < count; ++i) out[i] = static_cast<int16_t>(data[2 * i] | (data[2 * i + 1] << 8));
      break;
    case 61:
      for (int64_t i = 0; i < count; ++i) out[i] = static_cast<int16_t>((data[2 * i] << 8) | data[2 * i + 1]);
      break;
    case 80:
      for (int64_t i = 0; i < count; ++i) out[i] = static_cast<int32_t>(data[i]) - 128;
      break;
    case 24:
      for (int64_t i = 0; i < count; ++i) {
        int32_t v = data[3 * i] | (data[3 * i + 1] << 8) | (data[3 * i + 2] << 16);
        if (v & 0x800000) v -= 0x1000000;
        out[i] = v;
      }
      break;
    case 32:
      for (int64_t i = 0; i < count; ++i) {
        const uint32_t u = static_cast<uint32_t>(data[4 * i]) | (static_cast<uint32_t>(data[4 * i + 1]) << 8) |
                           (static_cast<uint32_t>(data[4 * i + 2]) << 16) |
                           (static_cast<uint32_t>(data[4 * i + 3]) << 24);
        out[i] = static_cast<int32_t>(u);
      }
      break;
    case 212:
      for (int64_t i = 0; i < count; ++i) {
        const uint8_t* g = data + 3 * (i / 2);
        int32_t v = (i % 2 == 0) ? (g[0] | ((g[1] & 0x0F) << 8)) : (g[2] | ((g[1] & 0xF0) << 4));
        if (v & 0x800) v -= 0x1000;
        out[i] = v;
      }
      break;
  }
}

}  // namespace

WfdbHeader parse_wfdb_header(const std::string& text, const std::string& source) {
  WfdbHeader h;
  std::istringstream in(text);
  std::string line;
  int64_t line_no = 0, expected_signals = -1;
  bool have_record = false;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string where = str(source, ":", line_no);
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    if (line[first] == '#') {
      h.comments.push_back(line.substr(first + 1));
      continue;
    }
    const auto t = tokens(line);
    if (!have_record) {
      have_record = true;
      ECG_CHECK(t.size() >= 2, where, ": expected a record line 'name nsig [fs [nsamp [time [date]]]]', got '", line,
                "'");
      ECG_CHECK(t[0].find('/') == std::string::npos, where, ": multi-segment records are not supported (record line '",
                line, "')");
      h.name = t[0];
      expected_signals = to_int(t[1], where, "the number of signals");
      ECG_CHECK(expected_signals >= 0, where, ": negative number of signals ", expected_signals);
      if (t.size() >= 3) {
        const std::string f = t[2].substr(0, t[2].find_first_of("/("));
        h.fs_hz = to_double(f, where, "a sampling frequency");
        ECG_CHECK(h.fs_hz > 0, where, ": sampling frequency must be > 0, got ", h.fs_hz);
      }
      if (t.size() >= 4) h.num_samples = to_int(t[3], where, "the number of samples");
      if (t.size() >= 5) h.base_time = t[4];
      continue;
    }
    ECG_CHECK(static_cast<int64_t>(h.signals.size()) < expected_signals, where, ": more signal lines than the ",
              expected_signals, " the record line announces");
    ECG_CHECK(t.size() >= 2, where, ": expected a signal line 'file format [gain ...]', got '", line, "'");
    WfdbSignal s;
    s.file = t[0];
    // format[xspf][:skew][+offset]
    const std::string& fmt = t[1];
    size_t i = 0;
    while (i < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[i]))) ++i;
    s.format = to_int(fmt.substr(0, i), where, "a signal format");
    while (i < fmt.size()) {
      const char c = fmt[i++];
      size_t j = i;
      while (j < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[j]))) ++j;
      const int64_t v = to_int(fmt.substr(i, j - i), where, "a number in the format field");
      if (c == 'x') {
        ECG_CHECK(v == 1, where, ": ", v, " samples per frame are not supported (only 1)");
      } else if (c == ':') {
        ECG_CHECK(v == 0, where, ": skew ", v, " is not supported");
      } else if (c == '+') {
        s.byte_offset = v;
      } else {
        throw Error(str(where, ": bad format field '", fmt, "'"));
      }
      i = j;
    }
    ECG_CHECK(bytes_per_frame_of(s.format, 1) > 0, where, ": unsupported signal format ", s.format,
              " (supported: 16, 212, 80, 24, 32, 61)");
    bool baseline_given = false;
    if (t.size() >= 3) {
      // gain[(baseline)][/units]
      std::string g = t[2];
      const auto slash = g.find('/');
      if (slash != std::string::npos) {
        s.units = g.substr(slash + 1);
        g = g.substr(0, slash);
      }
      const auto paren = g.find('(');
      if (paren != std::string::npos) {
        ECG_CHECK(g.back() == ')', where, ": bad gain field '", t[2], "'");
        s.baseline = to_int(g.substr(paren + 1, g.size() - paren - 2), where, "a baseline");
        baseline_given = true;
        g = g.substr(0, paren);
      }
      s.gain = to_double(g, where, "an ADC gain");
      if (s.gain == 0) s.gain = 200;
    }
    if (t.size() >= 4) s.adc_resolution = to_int(t[3], where, "an ADC resolution");
    if (t.size() >= 5) s.adc_zero = to_int(t[4], where, "an ADC zero");
    if (!baseline_given) s.baseline = s.adc_zero;
    if (t.size() >= 6) s.initial_value = to_int(t[5], where, "an initial value");
    if (t.size() >= 7) s.checksum = to_int(t[6], where, "a checksum");
    if (t.size() >= 8) to_int(t[7], where, "a block size");
    if (t.size() >= 9) {
      // The description is the rest of the line after the 8th field (fields are split
      // at the same whitespace as tokens() splits at).
      const char* space = " \t\r\n\v\f";
      size_t pos = 0;
      for (int k = 0; k < 8 && pos != std::string::npos; ++k) {
        pos = line.find_first_not_of(space, pos);
        if (pos != std::string::npos) pos = line.find_first_of(space, pos);
      }
      const size_t start = pos == std::string::npos ? std::string::npos : line.find_first_not_of(space, pos);
      s.description = start == std::string::npos ? std::string() : trim(line.substr(start));
    }
    h.signals.push_back(std::move(s));
  }
  ECG_CHECK(have_record, source, ": empty header (no record line)");
  ECG_CHECK(static_cast<int64_t>(h.signals.size()) == expected_signals, source, ": the record line announces ",
            expected_signals, " signals but ", h.signals.size(), " signal lines follow");
  return h;
}

WfdbHeader read_wfdb_header(const fs::path& path) {
  fs::path p = path;
  if (p.extension() != ".hea") p += ".hea";
  WfdbHeader h = parse_wfdb_header(read_file(p), p.string());
  h.dir = p.parent_path();
  return h;
}

torch::Tensor read_wfdb_adc(const WfdbHeader& h) {
  const int64_t nsig = static_cast<int64_t>(h.signals.size());
  // Signals grouped by file, in header order; within a file they are interleaved.
  std::vector<std::string> files;
  std::map<std::string, std::vector<int64_t>> members;
  for (int64_t i = 0; i < nsig; ++i) {
    const auto& f = h.signals[i].file;
    if (!members.count(f)) files.push_back(f);
    members[f].push_back(i);
  }
  int64_t frames = h.num_samples;
  std::vector<std::pair<std::string, std::string>> contents;  // file -> bytes
  for (const auto& f : files) {
    const auto& idx = members[f];
    const WfdbSignal& first = h.signals[idx.front()];
    for (auto i : idx) {
      ECG_CHECK(h.signals[i].format == first.format, (h.dir / f).string(), ": signals ", idx.front(), " and ", i,
                " share the file but not the format (", first.format, " vs ", h.signals[i].format, ")");
    }
    const fs::path path = h.dir / f;
    ECG_CHECK(fs::is_regular_file(path), path.string(), ": signal file not found (named by ", h.name, ".hea)");
    std::string bytes = read_file(path);
    ECG_CHECK(static_cast<int64_t>(bytes.size()) >= first.byte_offset, path.string(), ": byte offset ",
              first.byte_offset, " is past the end of the file (", bytes.size(), " bytes)");
    bytes.erase(0, static_cast<size_t>(first.byte_offset));
    const int64_t per_frame = bytes_per_frame_of(first.format, static_cast<int64_t>(idx.size()));
    const int64_t available = static_cast<int64_t>(bytes.size()) / per_frame;
    if (frames < 0) frames = available;
    ECG_CHECK(available >= frames, path.string(), ": truncated: the header announces ", frames, " samples (",
              frames * per_frame, " bytes after offset ", first.byte_offset, ") but the file holds ", bytes.size(),
              " bytes");
    contents.emplace_back(f, std::move(bytes));
  }
  if (frames < 0) frames = 0;
  auto adc = torch::empty({nsig, frames}, torch::kInt32);
  for (const auto& [f, bytes] : contents) {
    const auto& idx = members[f];
    const int64_t k = static_cast<int64_t>(idx.size());
    std::vector<int32_t> buf(static_cast<size_t>(k * frames));
    decode(h.signals[idx.front()].format, reinterpret_cast<const uint8_t*>(bytes.data()), k * frames, buf.data());
    auto acc = adc.accessor<int32_t, 2>();
    for (int64_t s = 0; s < frames; ++s) {
      for (int64_t j = 0; j < k; ++j) acc[idx[j]][s] = buf[static_cast<size_t>(s * k + j)];
    }
  }
  return adc;
}

int64_t wfdb_checksum(const torch::Tensor& adc_row) {
  const int64_t sum = adc_row.to(torch::kLong).sum().item<int64_t>();
  return static_cast<int16_t>(static_cast<uint16_t>(sum & 0xFFFF));
}

Record read_wfdb(const fs::path& path, const WfdbReadOptions& options) {
  const WfdbHeader h = read_wfdb_header(path);
  const torch::Tensor adc = read_wfdb_adc(h);
  Record r;
  r.id = h.name;
  r.fs_hz = h.fs_hz;
  r.start_time = h.base_time;
  r.comments = h.comments;
  const int64_t n = adc.size(1);
  r.signal = torch::empty({adc.size(0), n}, torch::kFloat32);
  for (int64_t i = 0; i < adc.size(0); ++i) {
    const WfdbSignal& s = h.signals[i];
    if (options.verify_checksums && s.checksum && h.num_samples >= 0) {
      const int64_t got = wfdb_checksum(adc[i]);
      ECG_CHECK((got - *s.checksum) % 65536 == 0, (h.dir / s.file).string(), ": checksum mismatch in signal ", i, " (",
                s.description, "): header says ", *s.checksum, ", data gives ", got);
    }
    bool voltage = true;
    const double scale = unit_to_mv(s.units, voltage);
    const auto row = adc[i].to(torch::kFloat64);
    auto phys = (row - static_cast<double>(s.baseline)) / s.gain * scale;
    phys = torch::where(row == static_cast<double>(invalid_value(s.format)), torch::full_like(phys, NAN), phys);
    r.signal[i] = phys.to(torch::kFloat32);
    r.leads.push_back(s.description.empty() ? "sig" + std::to_string(i) : s.description);
    r.units.push_back(voltage ? "mV" : s.units);
  }
  return r;
}

void write_wfdb(const Record& record, const fs::path& dir, const WfdbWriteOptions& o) {
  ECG_CHECK(o.format == 16 || o.format == 212, "write_wfdb: format must be 16 or 212, got ", o.format);
  ECG_CHECK(!record.id.empty() && record.id.find_first_of("/ \t") == std::string::npos, "write_wfdb: bad record id '",
            record.id, "'");
  ECG_CHECK(record.signal.defined() && record.signal.dim() == 2 && record.signal.size(0) == record.num_leads(),
            "write_wfdb: record ", record.id, ": signal must be [", record.num_leads(), ", samples]");
  const int64_t nsig = record.num_leads(), n = record.num_samples();
  ECG_CHECK(o.gains.empty() || static_cast<int64_t>(o.gains.size()) == nsig, "write_wfdb: ", o.gains.size(),
            " gains for ", nsig, " leads");
  ECG_CHECK(o.baselines.empty() || static_cast<int64_t>(o.baselines.size()) == nsig, "write_wfdb: ", o.baselines.size(),
            " baselines for ", nsig, " leads");
  const int64_t lo = o.format == 16 ? -32767 : -2047, hi = o.format == 16 ? 32767 : 2047;
  const auto sig = record.signal.to(torch::kFloat64).contiguous();
  std::vector<int32_t> adc(static_cast<size_t>(nsig * n));  // interleaved
  std::vector<int64_t> sums(static_cast<size_t>(nsig), 0);
  for (int64_t i = 0; i < nsig; ++i) {
    const double gain = o.gains.empty() ? 1000.0 : o.gains[i];
    const int64_t base = o.baselines.empty() ? 0 : o.baselines[i];
    ECG_CHECK(gain > 0, "write_wfdb: gain of lead ", record.leads[i], " must be > 0");
    const double* row = sig.data_ptr<double>() + i * n;
    for (int64_t s = 0; s < n; ++s) {
      int64_t v;
      if (std::isnan(row[s])) {
        v = invalid_value(o.format);
      } else {
        v = static_cast<int64_t>(std::llround(row[s] * gain)) + base;
        ECG_CHECK(v >= lo && v <= hi, "write_wfdb: record ", record.id, " lead ", record.leads[i], " sample ", s, ": ",
                  row[s], " mV is outside format ", o.format, " at gain ", gain, " (ADC ", v, ")");
      }
      adc[static_cast<size_t>(s * nsig + i)] = static_cast<int32_t>(v);
      sums[static_cast<size_t>(i)] += v;
    }
  }
  std::string bytes;
  if (o.format == 16) {
    bytes.resize(adc.size() * 2);
    for (size_t k = 0; k < adc.size(); ++k) {
      bytes[2 * k] = static_cast<char>(adc[k] & 0xFF);
      bytes[2 * k + 1] = static_cast<char>((adc[k] >> 8) & 0xFF);
    }
  } else {
    bytes.resize((adc.size() * 3 + 1) / 2);
    for (size_t k = 0; k < adc.size(); k += 2) {
      const uint32_t a = static_cast<uint32_t>(adc[k]) & 0xFFF;
      const uint32_t b = k + 1 < adc.size() ? static_cast<uint32_t>(adc[k + 1]) & 0xFFF : 0;
      bytes[3 * (k / 2)] = static_cast<char>(a & 0xFF);
      bytes[3 * (k / 2) + 1] = static_cast<char>(((a >> 8) & 0x0F) | ((b >> 4) & 0xF0));
      if (3 * (k / 2) + 2 < bytes.size()) bytes[3 * (k / 2) + 2] = static_cast<char>(b & 0xFF);
    }
  }
  std::ostringstream hea;
  hea << std::setprecision(12);
  hea << record.id << " " << nsig << " " << record.fs_hz << " " << n;
  if (!record.start_time.empty()) hea << " " << record.start_time;
  hea << "\n";
  for (int64_t i = 0; i < nsig; ++i) {
    const double gain = o.gains.empty() ? 1000.0 : o.gains[i];
    const int64_t base = o.baselines.empty() ? 0 : o.baselines[i];
    const int64_t first = n > 0 ? adc[static_cast<size_t>(i)] : 0;
    hea << record.id << ".dat " << o.format << " " << gain << "(" << base << ")/mV " << (o.format == 16 ? 16 : 12)
        << " 0 " << first << " " << static_cast<int16_t>(static_cast<uint16_t>(sums[i] & 0xFFFF)) << " 0 "
        << record.leads[i] << "\n";
  }
  for (const auto& c : record.comments) hea << "#" << c << "\n";
  // Data first: a header never names a file that is not complete yet.
  write_file_atomic(dir / (record.id + ".dat"), bytes);
  write_file_atomic(dir / (record.id + ".hea"), hea.str());
}

}  // namespace ecg::data
