#include "train/tensorboard.h"

#include <unistd.h>

#include <array>
#include <chrono>
#include <cstring>

#include "core/error.h"

namespace fs = std::filesystem;

namespace ecg::train {
namespace {

std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
    t[i] = c;
  }
  return t;
}

// Protobuf wire format.
void varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}
void tag(std::string& out, int field, int wire) {
  varint(out, (static_cast<uint64_t>(field) << 3) | wire);
}
void field_varint(std::string& out, int field, uint64_t v) {
  tag(out, field, 0);
  varint(out, v);
}
void field_bytes(std::string& out, int field, std::string_view v) {
  tag(out, field, 2);
  varint(out, v.size());
  out.append(v.data(), v.size());
}
template <class T>
void fixed(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));  // little-endian hosts only (x86-64, aarch64)
  out.append(b, sizeof(T));
}

std::string event_header(int64_t step) {
  std::string e;
  tag(e, 1, 1);  // wall_time, double
  fixed(e, std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  field_varint(e, 2, static_cast<uint64_t>(step));
  return e;
}

std::string summary_event(int64_t step, const std::string& value) {
  std::string summary;
  field_bytes(summary, 1, value);
  std::string e = event_header(step);
  field_bytes(e, 5, summary);
  return e;
}

}  // namespace

uint32_t crc32c(std::string_view data) {
  static const std::array<uint32_t, 256> table = make_crc_table();  // immutable after init
  uint32_t c = 0xffffffffu;
  for (unsigned char b : data) c = table[(c ^ b) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

uint32_t masked_crc32c(std::string_view data) {
  const uint32_t c = crc32c(data);
  return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

TensorBoardWriter::TensorBoardWriter(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  ECG_CHECK(!ec, dir.string(), ": cannot create the TensorBoard directory: ", ec.message());
  char host[256] = "localhost";
  gethostname(host, sizeof(host) - 1);
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  path_ = dir / str("events.out.tfevents.", std::chrono::duration_cast<std::chrono::seconds>(now).count(), ".", host,
                    ".", getpid());
  out_.open(path_, std::ios::binary);
  ECG_CHECK(out_.good(), path_.string(), ": cannot open for writing");
  std::string e = event_header(0);
  field_bytes(e, 3, "brain.Event:2");
  write_event(e);
  flush();
}

void TensorBoardWriter::write_event(const std::string& data) {
  std::string len;
  fixed(len, static_cast<uint64_t>(data.size()));
  std::string rec = len;
  fixed(rec, masked_crc32c(len));
  rec += data;
  fixed(rec, masked_crc32c(data));
  out_.write(rec.data(), static_cast<std::streamsize>(rec.size()));
}

void TensorBoardWriter::scalar(const std::string& name, double value, int64_t step) {
  std::string v;
  field_bytes(v, 1, name);
  tag(v, 2, 5);  // simple_value, float
  fixed(v, static_cast<float>(value));
  write_event(summary_event(step, v));
}

void TensorBoardWriter::image(const std::string& name, const std::string& png, int64_t height, int64_t width,
                              int64_t step) {
  std::string img;
  field_varint(img, 1, static_cast<uint64_t>(height));
  field_varint(img, 2, static_cast<uint64_t>(width));
  field_varint(img, 3, 3);
  field_bytes(img, 4, png);
  std::string v;
  field_bytes(v, 1, name);
  field_bytes(v, 4, img);
  write_event(summary_event(step, v));
}

void TensorBoardWriter::flush() {
  out_.flush();
  ECG_CHECK(out_.good(), path_.string(), ": write failed (disk full?)");
}

}  // namespace ecg::train
