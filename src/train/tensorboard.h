#pragma once
// TensorBoard event files: scalars and PNG images that TensorBoard's loader reads.
//
// The file is a TFRecord stream of tensorflow.Event protocol buffers:
//   record = uint64 length | uint32 masked_crc32c(length) | data | uint32 masked_crc32c(data)
// with masked_crc(x) = ((crc >> 15) | (crc << 17)) + 0xa282ead8 and CRC-32C (Castagnoli).
// The first event carries file_version "brain.Event:2". Event and Summary are encoded
// by hand in protobuf wire format (fields: Event.wall_time 1, step 2, file_version 3,
// summary 5; Summary.value 1; Value.tag 1, simple_value 2, image 4; Image.height 1,
// width 2, colorspace 3, encoded_image_string 4): TensorFlow's .proto files are not in
// Debian's libprotobuf, and these ten fields are all we write.
//
//   TensorBoardWriter tb(run_dir / "tb");
//   tb.scalar("train/loss", 0.41, step);
//   tb.image("val/overlay_0", png_bytes, height, width, step);

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace ecg::train {

/// CRC-32C (Castagnoli, reflected polynomial 0x82f63b78) of `data`.
uint32_t crc32c(std::string_view data);
/// TFRecord's masked CRC.
uint32_t masked_crc32c(std::string_view data);

class TensorBoardWriter {
 public:
  /// Creates `dir` and events.out.tfevents.<unix time>.<host>.<pid> in it.
  explicit TensorBoardWriter(const std::filesystem::path& dir);
  void scalar(const std::string& tag, double value, int64_t step);
  /// `png` is an encoded PNG of the given size (colorspace 3 = RGB).
  void image(const std::string& tag, const std::string& png, int64_t height, int64_t width, int64_t step);
  void flush();
  const std::filesystem::path& path() const { return path_; }

 private:
  void write_event(const std::string& event_body);
  std::filesystem::path path_;
  std::ofstream out_;
};

}  // namespace ecg::train
