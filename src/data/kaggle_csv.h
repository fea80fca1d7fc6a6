#pragma once
// The Kaggle "PhysioNet - Digitization of ECG Images" signal layout:
// train.csv (id, fs, sig_len) and one CSV per record, train/<id>/<id>.csv, whose header
// names the leads (I, II, III, aVR, aVL, aVF, V1..V6) and whose rows are samples in mV.
// Lead II spans 10 s; the other leads 2.5 s, the rest of their column empty (NaN:
// unplotted samples).
//
//   Record r = read_kaggle_csv("train/1006427285/1006427285.csv");  // fs = rows / 10
//   write_kaggle_csv(r, "out/1006427285.csv");

#include <filesystem>
#include <string>
#include <vector>

#include "data/record.h"

namespace ecg::data {

/// Reads one record CSV. fs_hz <= 0 means rows / 10 (the competition's 10 s records).
/// Empty cells and "nan" are NaN. Throws ecg::Error "file:line: ..." on a ragged row, a
/// bad number or an empty file.
Record read_kaggle_csv(const std::filesystem::path& path, double fs_hz = 0);

/// Writes the record's leads as columns (NaN as empty cells), atomically. Numbers keep
/// 9 significant digits, enough to round-trip float32.
void write_kaggle_csv(const Record& record, const std::filesystem::path& path);

/// One row of train.csv.
struct KaggleIndexEntry {
  std::string id;
  double fs_hz = 0;
  int64_t sig_len = 0;  // samples of the 10 s lead II column
};

/// Reads train.csv (columns id, fs, sig_len; others ignored). Throws ecg::Error naming
/// the file and line for a missing column or a bad number.
std::vector<KaggleIndexEntry> read_kaggle_index(const std::filesystem::path& path);
/// Writes train.csv atomically.
void write_kaggle_index(const std::vector<KaggleIndexEntry>& entries, const std::filesystem::path& path);

/// Reads record `id` of a Kaggle layout rooted at `root` (root/train.csv and
/// root/train/<id>/<id>.csv), with fs from train.csv; the row count must equal sig_len.
Record read_kaggle_record(const std::filesystem::path& root, const std::string& id);

}  // namespace ecg::data
