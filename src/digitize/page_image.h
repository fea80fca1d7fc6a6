#pragma once
// Page images from files: PNG, JPEG, TIFF, BMP, WebP (whatever OpenCV decodes) and PDF
// (each page rendered at a known dpi, so a vector PDF's scale is exact).
//
// Every failure is one ecg::Error line naming the file and what is wrong:
//   "scan.png: empty file (0 bytes)", "scan.png: truncated PNG (no IEND chunk)",
//   "scan.jpg: not a decodable image", "big.png: 40000 x 40000 px is larger than the
//   limit of 30000 px a side and 200 Mpx".
// The size is read from the PNG / JPEG header before decoding, so a huge image is
// refused without allocating it.
//
//   for (const PageImage& p : load_page_images("ecg.pdf", {})) ...   // names ecg-p1, ecg-p2

#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace ecg::digitize {

struct PageImageOptions {
  double pdf_dpi = 200;  // the render resolution of PDF pages
  int max_side_px = 30000;
  double max_megapixels = 200;
};

struct PageImage {
  std::string name;          // the file's stem; PDF pages: <stem>-p<k>, k from 1
  cv::Mat bgr;               // CV_8UC3
  double page_width_mm = 0;  // known only for PDF pages (0 otherwise)
};

/// The pages of one file (one for an image, one per page for a PDF). Throws ecg::Error.
std::vector<PageImage> load_page_images(const std::filesystem::path& file, const PageImageOptions& options);

/// Decodes image bytes (not PDF) as load_page_images does; `source` names them in errors.
cv::Mat decode_page_image(const std::string& bytes, const std::string& source, const PageImageOptions& options);

/// True for the extensions the digitiser reads (.png .jpg .jpeg .tif .tiff .bmp .webp .pdf,
/// any case).
bool is_page_file(const std::filesystem::path& file);

/// True when this build reads PDF files (poppler was found).
bool pdf_supported();

}  // namespace ecg::digitize
