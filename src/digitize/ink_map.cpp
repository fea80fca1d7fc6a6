#include "digitize/ink_map.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "digitize/channels.h"
#include "digitize/page_geometry.h"

namespace ecg::digitize {
namespace {

// The local paper brightness of a channel image: the brightest values around each point
// at 1/8 scale, smoothed and brought back to full size.
cv::Mat paper_level(const cv::Mat& channel) {
  cv::Mat small, out;
  const cv::Size ss(std::max(1, channel.cols / 8), std::max(1, channel.rows / 8));
  cv::resize(channel, small, ss, 0, 0, cv::INTER_AREA);
  cv::dilate(small, small, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(5, 5)));
  cv::blur(small, small, cv::Size(5, 5));
  cv::resize(small, out, channel.size(), 0, 0, cv::INTER_LINEAR);
  return out;
}

}  // namespace

InkMap find_ink(const cv::Mat& image, double px_per_mm) {
  ECG_CHECK(!image.empty(), "ink: empty image");
  ECG_CHECK(image.depth() == CV_8U && (image.channels() == 3 || image.channels() == 1),
            "ink: expected an 8-bit BGR or grey image, got type ", image.type());
  const cv::Mat maxch = channel_max(image);
  cv::Mat m32, p32;
  maxch.convertTo(m32, CV_32F);
  paper_level(maxch).convertTo(p32, CV_32F);
  p32 = cv::max(p32, 16.0f);
  InkMap out;
  cv::divide(m32, p32, out.darkness);
  out.darkness = 1.0f - out.darkness;
  cv::max(out.darkness, 0.0f, out.darkness);
  cv::min(out.darkness, 1.0f, out.darkness);
  cv::GaussianBlur(out.darkness, out.darkness, cv::Size(3, 3), 0.6);

  // The grid's own darkness: the 75th percentile over the grid-or-ink pixels.
  const cv::Mat g = grid_signal(image);
  std::vector<float> sample;
  sample.reserve(static_cast<size_t>(image.total() / 16 + 1));
  for (int y = 0; y < g.rows; y += 2) {
    const float* gp = g.ptr<float>(y);
    const float* dp = out.darkness.ptr<float>(y);
    for (int x = (y / 2) % 2; x < g.cols; x += 2)
      if (gp[x] > 0.12f) sample.push_back(dp[x]);
  }
  double grid = 0;
  if (!sample.empty()) {
    auto k = sample.begin() + static_cast<std::ptrdiff_t>(0.75 * static_cast<double>(sample.size() - 1));
    std::nth_element(sample.begin(), k, sample.end());
    grid = *k;
  }
  out.grid_darkness = grid;
  out.threshold = std::min(0.75, std::max(0.3, grid + 0.4 * (1 - grid)));
  cv::compare(out.darkness, out.threshold, out.mask, cv::CMP_GT);
  // Dark regions that touch the border (a rotated page's corners, a scanner's lid, a
  // table behind a photographed page) are not ink: solid components that touch the
  // border, thicker than 1 mm on average (a trace, even a long one, is far thinner).
  {
    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(out.mask, labels, stats, centroids, 8, CV_32S);
    std::vector<uint8_t> drop(static_cast<size_t>(n), 0);
    bool any = false;
    for (int i = 1; i < n; ++i) {
      const int x = stats.at<int>(i, cv::CC_STAT_LEFT), y = stats.at<int>(i, cv::CC_STAT_TOP);
      const int w = stats.at<int>(i, cv::CC_STAT_WIDTH), h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
      const double area = stats.at<int>(i, cv::CC_STAT_AREA);
      const bool touches = x <= 1 || y <= 1 || x + w >= out.mask.cols - 1 || y + h >= out.mask.rows - 1;
      if (touches && area / std::max(w, h) > px_per_mm) drop[static_cast<size_t>(i)] = 1, any = true;
    }
    if (any) {
      for (int y = 0; y < labels.rows; ++y) {
        const int* l = labels.ptr<int>(y);
        uint8_t* m = out.mask.ptr<uint8_t>(y);
        for (int x = 0; x < labels.cols; ++x)
          if (drop[static_cast<size_t>(l[x])]) m[x] = 0;
      }
    }
  }
  // A frame drawn around the image or a scan's dark edge is not ink.
  const int edge = std::max(2, static_cast<int>(std::ceil(0.5 * px_per_mm)));
  if (out.mask.rows > 2 * edge && out.mask.cols > 2 * edge) {
    out.mask.rowRange(0, edge).setTo(0);
    out.mask.rowRange(out.mask.rows - edge, out.mask.rows).setTo(0);
    out.mask.colRange(0, edge).setTo(0);
    out.mask.colRange(out.mask.cols - edge, out.mask.cols).setTo(0);
  }
  return out;
}

}  // namespace ecg::digitize
