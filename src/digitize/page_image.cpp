#include "digitize/page_image.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <memory>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#ifdef ECGTORCH_HAVE_POPPLER
#include <poppler-document.h>
#include <poppler-image.h>
#include <poppler-page-renderer.h>
#include <poppler-page.h>
#endif

#include "core/atomic_file.h"
#include "core/error.h"

namespace fs = std::filesystem;

namespace ecg::digitize {
namespace {

uint32_t big_endian(const std::string& b, size_t at, int bytes) {
  uint32_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

bool starts_with(const std::string& b, const std::string& magic) {
  return b.size() >= magic.size() && b.compare(0, magic.size(), magic) == 0;
}

struct HeaderSize {
  int64_t width = 0, height = 0;  // 0: unknown
};

// The image size from a PNG's IHDR or a JPEG's SOF marker (hand-read: OpenCV 4.6 has no
// header-only query). Also checks that the file is complete.
HeaderSize sniff(const std::string& b, const std::string& source) {
  HeaderSize s;
  if (starts_with(b, "\x89PNG\r\n\x1a\n")) {
    ECG_CHECK(b.size() >= 24 && b.compare(12, 4, "IHDR") == 0, source, ": truncated PNG (no IHDR chunk)");
    s.width = big_endian(b, 16, 4);
    s.height = big_endian(b, 20, 4);
    ECG_CHECK(b.size() >= 12 && b.find("IEND", b.size() - 12) != std::string::npos, source,
              ": truncated PNG (no IEND chunk)");
    return s;
  }
  if (starts_with(b, "\xff\xd8")) {
    size_t end = b.size();
    while (end > 2 && b[end - 1] == '\0') --end;
    ECG_CHECK(
        end >= 4 && static_cast<unsigned char>(b[end - 2]) == 0xff && static_cast<unsigned char>(b[end - 1]) == 0xd9,
        source, ": truncated JPEG (no end-of-image marker)");
    size_t at = 2;
    while (at + 4 <= b.size()) {
      if (static_cast<unsigned char>(b[at]) != 0xff) break;
      const unsigned m = static_cast<unsigned char>(b[at + 1]);
      if (m == 0xff) {
        ++at;
        continue;
      }
      const size_t len = big_endian(b, at + 2, 2);
      const bool sof = m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
      if (sof && at + 9 <= b.size()) {
        s.height = big_endian(b, at + 5, 2);
        s.width = big_endian(b, at + 7, 2);
        return s;
      }
      if (m == 0xda) break;  // the scan starts before any frame header: leave it to the decoder
      at += 2 + len;
    }
  }
  return s;
}

void check_size(int64_t w, int64_t h, const std::string& source, const PageImageOptions& o) {
  ECG_CHECK(w > 0 && h > 0, source, ": zero-size image (", w, " x ", h, " px)");
  ECG_CHECK(w <= o.max_side_px && h <= o.max_side_px && static_cast<double>(w) * h <= o.max_megapixels * 1e6, source,
            ": ", w, " x ", h, " px is larger than the limit of ", o.max_side_px, " px a side and ", o.max_megapixels,
            " Mpx");
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

#ifdef ECGTORCH_HAVE_POPPLER
void quiet_poppler(const std::string&, void*) {}

std::vector<PageImage> load_pdf(const std::string& bytes, const fs::path& file, const PageImageOptions& o) {
  const std::string source = file.string();
  poppler::set_debug_error_function(quiet_poppler, nullptr);
  std::vector<char> data(bytes.begin(), bytes.end());
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_data(&data));
  ECG_CHECK(doc != nullptr, source, ": not a readable PDF");
  ECG_CHECK(!doc->is_locked(), source, ": the PDF is password-protected");
  const int pages = doc->pages();
  ECG_CHECK(pages > 0, source, ": the PDF has no pages");
  std::vector<PageImage> out;
  poppler::page_renderer renderer;
  renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
  renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
  renderer.set_paper_color(0xffffffff);
  for (int k = 0; k < pages; ++k) {
    const std::string name = file.stem().string() + "-p" + std::to_string(k + 1);
    const std::string where = source + " page " + std::to_string(k + 1);
    std::unique_ptr<poppler::page> page(doc->create_page(k));
    ECG_CHECK(page != nullptr, where, ": cannot be read");
    const poppler::rectf box = page->page_rect(poppler::media_box);
    const double w_px = box.width() / 72.0 * o.pdf_dpi, h_px = box.height() / 72.0 * o.pdf_dpi;
    check_size(static_cast<int64_t>(w_px), static_cast<int64_t>(h_px), where, o);
    const poppler::image img = renderer.render_page(page.get(), o.pdf_dpi, o.pdf_dpi);
    ECG_CHECK(img.is_valid() && img.width() > 0 && img.height() > 0, where, ": rendering failed");
    cv::Mat bgr;
    if (img.format() == poppler::image::format_argb32 || img.format() == poppler::image::format_rgb24) {
      // Both are 32-bit words 0xAARRGGBB: bytes B, G, R, A in memory.
      const cv::Mat bgra(img.height(), img.width(), CV_8UC4, const_cast<char*>(img.const_data()),
                         static_cast<size_t>(img.bytes_per_row()));
      cv::cvtColor(bgra, bgr, cv::COLOR_BGRA2BGR);
    } else if (img.format() == poppler::image::format_gray8) {
      const cv::Mat g(img.height(), img.width(), CV_8UC1, const_cast<char*>(img.const_data()),
                      static_cast<size_t>(img.bytes_per_row()));
      cv::cvtColor(g, bgr, cv::COLOR_GRAY2BGR);
    } else {
      throw Error(where + ": unsupported rendered pixel format");
    }
    out.push_back(PageImage{name, bgr, box.width() / 72.0 * 25.4});
  }
  return out;
}
#endif

}  // namespace

bool pdf_supported() {
#ifdef ECGTORCH_HAVE_POPPLER
  return true;
#else
  return false;
#endif
}

bool is_page_file(const fs::path& file) {
  static const char* const kExt[] = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".pdf"};
  const std::string ext = lower(file.extension().string());
  return std::any_of(std::begin(kExt), std::end(kExt), [&](const char* e) { return ext == e; });
}

cv::Mat decode_page_image(const std::string& bytes, const std::string& source, const PageImageOptions& o) {
  ECG_CHECK(!bytes.empty(), source, ": empty file (0 bytes)");
  const HeaderSize h = sniff(bytes, source);
  if (h.width > 0 || h.height > 0 || starts_with(bytes, "\x89PNG")) check_size(h.width, h.height, source, o);
  cv::Mat image;
  try {
    const cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
    image = cv::imdecode(raw, cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    throw Error(source + ": not a decodable image (" + e.msg + ")");
  }
  ECG_CHECK(!image.empty(), source, ": not a decodable image");
  check_size(image.cols, image.rows, source, o);
  return image;
}

std::vector<PageImage> load_page_images(const fs::path& file, const PageImageOptions& o) {
  ECG_CHECK(fs::exists(file), file.string(), ": no such file");
  ECG_CHECK(fs::is_regular_file(file), file.string(), ": not a regular file");
  const std::string bytes = read_file(file);
  if (starts_with(bytes, "%PDF") || lower(file.extension().string()) == ".pdf") {
#ifdef ECGTORCH_HAVE_POPPLER
    ECG_CHECK(!bytes.empty(), file.string(), ": empty file (0 bytes)");
    return load_pdf(bytes, file, o);
#else
    throw Error(file.string() + ": PDF input needs a build with poppler-cpp (libpoppler-cpp-dev)");
#endif
  }
  return {PageImage{file.stem().string(), decode_page_image(bytes, file.string(), o), 0.0}};
}

}  // namespace ecg::digitize
