#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include <cmath>

#include "render/artefact_util.h"
#include "render/trace_raster.h"
#include "test_util.h"

namespace ecg::render {
namespace {

TEST(TraceRaster, HorizontalStrokeHasExactCoverage) {
  cv::Mat img(20, 40, CV_8UC1, cv::Scalar(255));
  // Pen 2 px wide on y = 10: row 10 fully covered, rows 9 and 11 half covered.
  ASSERT_TRUE(stroke_monotone_trace(img, {{5, 10}, {30, 10}}, cv::Scalar(0), 2.0));
  for (int x = 10; x <= 25; ++x) {
    EXPECT_EQ(img.at<uint8_t>(10, x), 0) << x;
    EXPECT_EQ(img.at<uint8_t>(9, x), 127) << x;  // (255 * 127 + 127) / 255 with alpha 128
    EXPECT_EQ(img.at<uint8_t>(11, x), 127) << x;
    EXPECT_EQ(img.at<uint8_t>(8, x), 255) << x;
    EXPECT_EQ(img.at<uint8_t>(12, x), 255) << x;
  }
  // The pen reaches 1 px beyond the end points: half of columns 4 and 31, nothing at 3 or 32.
  EXPECT_EQ(img.at<uint8_t>(10, 4), 127);
  EXPECT_EQ(img.at<uint8_t>(10, 31), 127);
  EXPECT_EQ(img.at<uint8_t>(10, 3), 255);
  EXPECT_EQ(img.at<uint8_t>(10, 32), 255);
}

TEST(TraceRaster, VerticalStepCoversTheWholeRiseAndBlendsColour) {
  cv::Mat img(40, 40, CV_8UC3, cv::Scalar(200, 200, 200));
  ASSERT_TRUE(stroke_monotone_trace(img, {{10, 30}, {20, 30}, {20, 5}, {30, 5}}, cv::Scalar(0, 0, 100), 1.0));
  for (int y = 5; y <= 30; ++y) EXPECT_EQ(img.at<cv::Vec3b>(y, 20), cv::Vec3b(0, 0, 100)) << y;
  EXPECT_EQ(img.at<cv::Vec3b>(17, 15), cv::Vec3b(200, 200, 200));
}

TEST(TraceRaster, NanBreaksTheStrokeAndDecreasingXIsRefused) {
  cv::Mat img(20, 60, CV_8UC1, cv::Scalar(255));
  ASSERT_TRUE(stroke_monotone_trace(img, {{5, 10}, {15, 10}, {NAN, NAN}, {40, 10}, {50, 10}}, cv::Scalar(0), 1.0));
  EXPECT_EQ(img.at<uint8_t>(10, 10), 0);
  EXPECT_EQ(img.at<uint8_t>(10, 28), 255);  // the gap stays paper
  EXPECT_EQ(img.at<uint8_t>(10, 45), 0);
  cv::Mat untouched(20, 60, CV_8UC1, cv::Scalar(255));
  EXPECT_FALSE(stroke_monotone_trace(untouched, {{5, 10}, {15, 10}, {12, 11}}, cv::Scalar(0), 1.0));
  EXPECT_EQ(cv::countNonZero(untouched != 255), 0);
  // A lone point is a dot; a stroke off the image draws nothing and does not fail.
  ASSERT_TRUE(stroke_monotone_trace(img, {{30, 3}}, cv::Scalar(0), 1.0));
  EXPECT_EQ(img.at<uint8_t>(3, 30), 0);
  EXPECT_TRUE(stroke_monotone_trace(img, {{-50, -30}, {100, -30}}, cv::Scalar(0), 2.0));
  EXPECT_ERROR_HAS(stroke_monotone_trace(img, {{1, 1}}, cv::Scalar(0), 0.0), "width_px must be > 0");
}

TEST(CoarseGrid, UpsamplesLinearFieldsExactlyToEveryPixel) {
  const detail::CoarseGrid grid{cv::Size(203, 101), 8};
  EXPECT_EQ(grid.size(), cv::Size(28, 15));
  cv::Mat fx, fy;
  grid.sample([](double x, double y) { return cv::Point2d(0.5 * x + 3, y - 2 * x); }, &fx, &fy);
  const cv::Mat ux = grid.upsample(fx), uy = grid.upsample(fy);
  ASSERT_EQ(ux.size(), cv::Size(203, 101));
  double worst = 0;
  for (int y = 0; y < ux.rows; ++y)
    for (int x = 0; x < ux.cols; ++x) {
      worst = std::max(worst, std::abs(ux.at<float>(y, x) - (0.5 * x + 3)));
      worst = std::max(worst, std::abs(uy.at<float>(y, x) - (y - 2.0 * x)));
    }
  EXPECT_LT(worst, 2e-3);  // bilinear interpolation reproduces a linear field, float rounding aside
  EXPECT_ERROR_HAS(grid.upsample(cv::Mat(3, 3, CV_32F)), "CoarseGrid::upsample: field must be CV_32F of 28x15");
  // Bands reproduce the whole upsampled field, and interpolate() agrees at any point.
  cv::Mat noise(grid.size(), CV_32F), buffer;
  cv::randu(noise, -5, 5);
  const cv::Mat whole = grid.upsample(noise);
  for (int y0 = 0; y0 < 101; y0 += grid.band_rows()) {
    const cv::Mat band = grid.upsample_band(noise, y0, buffer);
    EXPECT_EQ(band.rows, std::min(grid.band_rows(), 101 - y0));
    EXPECT_EQ(cv::norm(band, whole.rowRange(y0, y0 + band.rows), cv::NORM_INF), 0.0) << y0;
  }
  for (const auto& [x, y] : std::vector<std::pair<int, int>>{{0, 0}, {202, 100}, {57, 33}, {130, 64}})
    EXPECT_NEAR(grid.interpolate(noise, x, y), whole.at<float>(y, x), 1e-3) << x << "," << y;
}

TEST(CoarseGrid, FieldMultiplyAndFadeAreExactOnConstants) {
  const detail::CoarseGrid grid{cv::Size(50, 30), 4};
  cv::Mat img(30, 50, CV_8UC3, cv::Scalar(200, 100, 10));
  detail::multiply_by_field(img, grid, cv::Mat(grid.size(), CV_32F, cv::Scalar(0.5)));
  EXPECT_EQ(img.at<cv::Vec3b>(17, 33), cv::Vec3b(100, 50, 5));
  detail::multiply_by_field(img, grid, cv::Mat(grid.size(), CV_32F, cv::Scalar(3.0)));
  EXPECT_EQ(img.at<cv::Vec3b>(0, 0), cv::Vec3b(255, 150, 15));  // saturates
  detail::fade_by_field(img, grid, cv::Mat(grid.size(), CV_32F, cv::Scalar(0.5)));
  EXPECT_EQ(img.at<cv::Vec3b>(29, 49), cv::Vec3b(255, 203, 135));  // halfway to white
}

}  // namespace
}  // namespace ecg::render
