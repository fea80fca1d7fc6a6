// The page reader on arbitrary bytes: everything that decodes as an image (at most
// 1600 px a side, so each run stays fast) goes through geometry, ink, layout, the
// classical reader and the signals.
#include "core/error.h"
#include "digitize/classical_reader.h"
#include "digitize/page_image.h"
#include "digitize/page_reader.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ecg::digitize::ClassicalReader reader;
  ecg::digitize::PageImageOptions limits;
  limits.max_side_px = 1600;
  limits.max_megapixels = 1.5;
  try {
    const cv::Mat image =
        ecg::digitize::decode_page_image(std::string(reinterpret_cast<const char*>(data), size), "fuzz", limits);
    const auto r = ecg::digitize::read_page(image, reader, ecg::digitize::PageReadOptions{});
    (void)r;
  } catch (const ecg::Error&) {
  }
  return 0;
}
