#pragma once
// MIT-format annotation files (WFDB): MIT-BIH beat labels (.atr) and LUDB's per-lead
// delineation files (1.i, 1.ii, ...: '(' onset, 'p' / 'N' / 't' peak, ')' offset).
// https://physionet.org/physiotools/wag/annot-5.htm
//
// Each annotation is a 16-bit little-endian word: 6 bits of code, 10 bits of time
// difference. Pseudo-codes follow it: SKIP (59, a 32-bit difference), NUM (60),
// SUB (61), CHN (62) and AUX (63, a byte string). NUM and CHN carry over from one
// annotation to the next, as in WFDB.
//
//   auto beats = read_mit_annotations("mitdb/100.atr");
//   beats[1].sample == 77; beats[1].symbol() == "N";

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ecg::data {

struct Annotation {
  int64_t sample = 0;  // time in samples from the record start
  int code = 1;        // 1..49 (ecgcodes.h); 1 = NORMAL 'N'
  int subtype = 0;
  int chan = 0;
  int num = 0;
  std::string aux;  // e.g. "(N" for a rhythm change; may be empty
  /// WFDB mnemonic of `code` ("N", "V", "+", "(", ...), or "[code]" for unassigned codes.
  std::string symbol() const;
};

/// Code of a WFDB mnemonic; throws ecg::Error for an unknown one.
int annotation_code(const std::string& symbol);

/// Reads an annotation file. Throws ecg::Error naming the file and byte offset for a
/// truncated file, a missing end marker or a time that goes negative.
std::vector<Annotation> read_mit_annotations(const std::filesystem::path& path);

/// Writes annotations (sorted by sample) in MIT format, atomically. Throws ecg::Error for
/// an out-of-range code, subtype, chan or num, or an aux string over 255 bytes.
void write_mit_annotations(const std::vector<Annotation>& annotations, const std::filesystem::path& path);

/// AAMI EC57 beat class of a MIT-BIH beat code: 'N', 'S', 'V', 'F', 'Q', or 0 for codes
/// that are not beats (rhythm changes, noise, notes).
char aami_class(int code);

}  // namespace ecg::data
