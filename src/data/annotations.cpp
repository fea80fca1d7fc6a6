#include "data/annotations.h"

#include <array>

#include "core/atomic_file.h"
#include "core/error.h"

namespace ecg::data {
namespace {

constexpr int kSkip = 59, kNum = 60, kSub = 61, kChn = 62, kAux = 63;

// ecgcodes.h mnemonics, index = code.
const std::array<const char*, 50> kSymbols = {" ", "N", "L", "R", "a", "V", "F", "J", "A", "S",  "E", "j", "/",
                                              "Q", "~", "",  "|", "",  "s", "T", "*", "D", "\"", "=", "p", "B",
                                              "^", "t", "+", "u", "?", "!", "[", "]", "e", "n",  "@", "x", "f",
                                              "(", ")", "r", "",  "",  "",  "",  "",  "",  "",   ""};

void put16(std::string& out, uint32_t w) {
  out += static_cast<char>(w & 0xFF);
  out += static_cast<char>((w >> 8) & 0xFF);
}

}  // namespace

std::string Annotation::symbol() const {
  if (code >= 0 && code < static_cast<int>(kSymbols.size()) && kSymbols[code][0] != '\0') return kSymbols[code];
  return "[" + std::to_string(code) + "]";
}

int annotation_code(const std::string& symbol) {
  for (size_t c = 1; c < kSymbols.size(); ++c) {
    if (symbol == kSymbols[c]) return static_cast<int>(c);
  }
  throw Error(str("unknown annotation symbol '", symbol, "'"));
}

std::vector<Annotation> read_mit_annotations(const std::filesystem::path& path) {
  const std::string bytes = read_file(path);
  const auto* b = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t n = bytes.size();
  std::vector<Annotation> out;
  int64_t time = 0;
  int chan = 0, num = 0;
  size_t pos = 0;
  auto word_at = [&](size_t p) -> uint32_t {
    ECG_CHECK(p + 2 <= n, path.string(), ": truncated at byte ", p, " (expected another 16-bit word)");
    return static_cast<uint32_t>(b[p]) | (static_cast<uint32_t>(b[p + 1]) << 8);
  };
  while (true) {
    const uint32_t w = word_at(pos);
    const size_t at = pos;
    pos += 2;
    const int code = static_cast<int>(w >> 10);
    const int value = static_cast<int>(w & 0x3FF);
    if (code == 0 && value == 0) break;  // end of file
    if (code == kSkip) {
      const uint32_t hi = word_at(pos), lo = word_at(pos + 2);  // PDP-11 order: high word first
      pos += 4;
      time += static_cast<int32_t>((hi << 16) | lo);
      continue;
    }
    if (code == kNum || code == kSub || code == kChn || code == kAux) {
      ECG_CHECK(!out.empty(), path.string(), ": byte ", at, ": pseudo-annotation ", code, " before any annotation");
      Annotation& a = out.back();
      if (code == kNum) a.num = num = value;
      if (code == kSub) a.subtype = value;
      if (code == kChn) a.chan = chan = value;
      if (code == kAux) {
        ECG_CHECK(pos + static_cast<size_t>(value) <= n, path.string(), ": byte ", at, ": aux string of ", value,
                  " bytes runs past the end of the file");
        a.aux.assign(bytes.data() + pos, static_cast<size_t>(value));
        while (!a.aux.empty() && a.aux.back() == '\0') a.aux.pop_back();
        pos += static_cast<size_t>(value + (value & 1));
      }
      continue;
    }
    time += value;
    ECG_CHECK(time >= 0, path.string(), ": byte ", at, ": annotation time goes negative (", time, ")");
    Annotation a;
    a.sample = time;
    a.code = code;
    a.chan = chan;
    a.num = num;
    out.push_back(std::move(a));
  }
  return out;
}

void write_mit_annotations(const std::vector<Annotation>& annotations, const std::filesystem::path& path) {
  std::string out;
  int64_t time = 0;
  int chan = 0, num = 0;
  for (size_t i = 0; i < annotations.size(); ++i) {
    const Annotation& a = annotations[i];
    ECG_CHECK(a.code >= 1 && a.code <= 49, "write annotations: annotation ", i, ": code ", a.code, " outside 1..49");
    ECG_CHECK(a.subtype >= 0 && a.subtype < 1024 && a.chan >= 0 && a.chan < 1024 && a.num >= 0 && a.num < 1024,
              "write annotations: annotation ", i, ": subtype, chan and num must be in 0..1023");
    ECG_CHECK(a.aux.size() <= 255, "write annotations: annotation ", i, ": aux string of ", a.aux.size(),
              " bytes (at most 255)");
    ECG_CHECK(a.sample >= time, "write annotations: annotation ", i, " at sample ", a.sample,
              " comes before the previous one (", time, "); sort them first");
    int64_t delta = a.sample - time;
    if (delta > 1023) {
      put16(out, kSkip << 10);
      const auto d = static_cast<uint32_t>(delta);
      put16(out, d >> 16);
      put16(out, d & 0xFFFF);
      delta = 0;
    }
    put16(out, (static_cast<uint32_t>(a.code) << 10) | static_cast<uint32_t>(delta));
    time = a.sample;
    if (a.subtype != 0) put16(out, (kSub << 10) | static_cast<uint32_t>(a.subtype));
    if (a.chan != chan) put16(out, (kChn << 10) | static_cast<uint32_t>(a.chan));
    if (a.num != num) put16(out, (kNum << 10) | static_cast<uint32_t>(a.num));
    chan = a.chan;
    num = a.num;
    if (!a.aux.empty()) {
      // WFDB stores the string with a terminating NUL, padded to an even length.
      const std::string s = a.aux + '\0';
      put16(out, (kAux << 10) | static_cast<uint32_t>(s.size()));
      out += s;
      if (s.size() & 1) out += '\0';
    }
  }
  put16(out, 0);
  write_file_atomic(path, out);
}

char aami_class(int code) {
  switch (code) {
    case 1:
    case 2:
    case 3:
    case 11:
    case 34:
      return 'N';  // N L R j e
    case 4:
    case 7:
    case 8:
    case 9:
    case 35:
      return 'S';  // a J A S n
    case 5:
    case 10:
      return 'V';  // V E
    case 6:
      return 'F';  // F
    case 12:
    case 13:
    case 38:
      return 'Q';  // / Q f
    default:
      return 0;
  }
}

}  // namespace ecg::data
