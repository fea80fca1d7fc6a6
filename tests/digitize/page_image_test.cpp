// Loading page files: every bad file is one line naming it and what is wrong.

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "digitize/digitize_job.h"
#include "digitize/page_image.h"
#include "test_util.h"

namespace ecg::digitize {
namespace {

std::string png_bytes(int w, int h) {
  std::vector<uchar> buf;
  cv::imencode(".png", cv::Mat(h, w, CV_8UC3, cv::Scalar(200, 100, 50)), buf);
  return std::string(buf.begin(), buf.end());
}

std::string jpeg_bytes(int w, int h) {
  std::vector<uchar> buf;
  cv::imencode(".jpg", cv::Mat(h, w, CV_8UC3, cv::Scalar(200, 100, 50)), buf);
  return std::string(buf.begin(), buf.end());
}

// A PNG whose header claims w x h (the pixel data is never reached).
std::string png_header_only(uint32_t w, uint32_t h) {
  std::string b = png_bytes(4, 4);
  for (int i = 0; i < 4; ++i) {
    b[16 + i] = static_cast<char>((w >> (24 - 8 * i)) & 0xff);
    b[20 + i] = static_cast<char>((h >> (24 - 8 * i)) & 0xff);
  }
  return b;
}

TEST(PageImage, DecodesAndNamesPages) {
  ecg::testing::TempDir tmp;
  const auto file = tmp.write("page.png", png_bytes(30, 20));
  const auto pages = load_page_images(file, {});
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].name, "page");
  EXPECT_EQ(pages[0].bgr.size(), cv::Size(30, 20));
  EXPECT_EQ(pages[0].bgr.at<cv::Vec3b>(5, 5), cv::Vec3b(200, 100, 50));
  EXPECT_EQ(load_page_images(tmp.write("p.jpg", jpeg_bytes(16, 8)), {})[0].bgr.size(), cv::Size(16, 8));
}

TEST(PageImage, BadFilesAreOneLineNamingThem) {
  ecg::testing::TempDir tmp;
  const std::string png = png_bytes(30, 20), jpg = jpeg_bytes(30, 20);
  EXPECT_ERROR_HAS(load_page_images(tmp / "absent.png", {}), "absent.png: no such file");
  EXPECT_ERROR_HAS(load_page_images(tmp.write("empty.png", ""), {}), "empty.png: empty file (0 bytes)");
  EXPECT_ERROR_HAS(load_page_images(tmp.write("cut.png", png.substr(0, png.size() / 2)), {}),
                   "cut.png: truncated PNG (no IEND chunk)");
  EXPECT_ERROR_HAS(load_page_images(tmp.write("cut.jpg", jpg.substr(0, jpg.size() / 2)), {}),
                   "cut.jpg: truncated JPEG (no end-of-image marker)");
  EXPECT_ERROR_HAS(load_page_images(tmp.write("noise.png", std::string(500, 'x')), {}),
                   "noise.png: not a decodable image");
  EXPECT_ERROR_HAS(load_page_images(tmp.write("huge.png", png_header_only(40000, 40000)), {}),
                   "huge.png: 40000 x 40000 px is larger than the limit of 30000 px a side and 200 Mpx");
  EXPECT_ERROR_HAS(load_page_images(tmp.write("zero.png", png_header_only(0, 20)), {}),
                   "zero.png: zero-size image (0 x 20 px)");
  if (pdf_supported()) {
    EXPECT_ERROR_HAS(load_page_images(tmp.write("bad.pdf", "%PDF-1.4\ngarbage"), {}), "bad.pdf: not a readable PDF");
  } else {
    EXPECT_ERROR_HAS(load_page_images(tmp.write("bad.pdf", "%PDF-1.4\n"), {}), "PDF input needs a build with poppler");
  }
}

TEST(PageImage, PageFilesOfAFolder) {
  ecg::testing::TempDir tmp;
  tmp.write("b.PNG", "x");
  tmp.write("a.jpeg", "x");
  tmp.write("notes.txt", "x");
  tmp.write("sub/c.png", "x");
  const auto files = find_page_files(tmp.path());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].filename(), "a.jpeg");
  EXPECT_EQ(files[1].filename(), "b.PNG");
  EXPECT_ERROR_HAS(find_page_files(tmp / "sub/none"), "no such file or folder");
  ecg::testing::TempDir empty;
  EXPECT_ERROR_HAS(find_page_files(empty.path()), ": no page files (expected .png");
}

}  // namespace
}  // namespace ecg::digitize
