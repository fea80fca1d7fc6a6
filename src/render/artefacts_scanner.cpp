// Scanner and printer artefacts: skew, bw_threshold, jpeg, blur, dust, low_contrast,
// yellowed_paper, faded_ink, banding.

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>

#include "render/artefact_util.h"

namespace ecg::render {
namespace {

using detail::draw;
using detail::draw_int;
using detail::log;
using detail::uniform;
using Range = std::vector<double>;

// Binds p and one range field; most artefacts need nothing else.
template <class O, class Access>
config::OptionsBinder<O> binder(const std::string& name, const char* field, Access access, const char* help) {
  auto b = detail::artefact_binder<O>(name);
  b.field(field, access, help).length = 2;
  return b;
}

struct SkewOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, degrees) = Range{-2.0, 2.0};
};
struct ThresholdOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, threshold) = Range{150.0, 210.0};
};
struct JpegOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, quality) = Range{35.0, 90.0};
};
struct BlurOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, sigma_px) = Range{0.4, 1.2};
};
struct DustOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, specks) = Range{100.0, 600.0};
};
struct ContrastOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, contrast) = Range{0.45, 0.8};
};
struct YellowOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, strength) = Range{0.06, 0.25};
};
struct FadeOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, amount) = Range{0.2, 0.6};
};
struct BandingOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, period_mm) = Range{2.0, 12.0};
  TORCH_ARG(Range, strength) = Range{0.1, 0.35};
};

// Applies f(v) to every byte through a lookup table.
void apply_lut(cv::Mat& image, const std::function<double(double)>& f) {
  cv::Mat lut(1, 256, CV_8U);
  for (int i = 0; i < 256; ++i) lut.at<uint8_t>(i) = cv::saturate_cast<uint8_t>(f(i));
  cv::LUT(image, lut, image);
}

}  // namespace

void register_scanner_artefacts(ArtefactRegistry& r) {
  {
    auto b = binder<SkewOptions>(
        "skew", "degrees", [](auto& o) -> auto& { return o.degrees(); }, "rotation range, degrees");
    detail::add_artefact<SkewOptions>(r, "skew", "scanner: the page lies rotated on the glass", b,
                                      [](const SkewOptions& o, Page& page, std::mt19937_64& rng) {
                                        const double deg = draw(rng, o.degrees());
                                        const cv::Matx33d h = detail::rotation_homography(page.image.size(), deg);
                                        detail::warp_homography(page, h, cv::Scalar::all(250));
                                        log(page, "skew", {{"degrees", deg}});
                                      });
  }
  {
    auto b = binder<ThresholdOptions>(
        "bw_threshold", "threshold", [](auto& o) -> auto& { return o.threshold(); }, "grey threshold range, 0-255");
    detail::add_artefact<ThresholdOptions>(r, "bw_threshold", "scanner: black-and-white mode (grey, then a threshold)",
                                           b, [](const ThresholdOptions& o, Page& page, std::mt19937_64& rng) {
                                             const double t = draw(rng, o.threshold());
                                             cv::Mat grey;
                                             cv::cvtColor(page.image, grey, cv::COLOR_BGR2GRAY);
                                             cv::threshold(grey, grey, t, 255, cv::THRESH_BINARY);
                                             cv::cvtColor(grey, page.image, cv::COLOR_GRAY2BGR);
                                             log(page, "bw_threshold", {{"threshold", t}});
                                           });
  }
  {
    auto b = binder<JpegOptions>(
        "jpeg", "quality", [](auto& o) -> auto& { return o.quality(); }, "JPEG quality range, 1-100");
    detail::add_artefact<JpegOptions>(r, "jpeg", "scanner or phone: JPEG compression round trip", b,
                                      [](const JpegOptions& o, Page& page, std::mt19937_64& rng) {
                                        const int q = std::clamp(draw_int(rng, o.quality()), 1, 100);
                                        std::vector<uint8_t> buf;
                                        cv::imencode(".jpg", page.image, buf, {cv::IMWRITE_JPEG_QUALITY, q});
                                        page.image = cv::imdecode(buf, cv::IMREAD_COLOR);
                                        log(page, "jpeg", {{"quality", q}});
                                      });
  }
  {
    auto b = binder<BlurOptions>(
        "blur", "sigma_px", [](auto& o) -> auto& { return o.sigma_px(); }, "Gaussian sigma range, px");
    detail::add_artefact<BlurOptions>(r, "blur", "scanner: optical blur (Gaussian)", b,
                                      [](const BlurOptions& o, Page& page, std::mt19937_64& rng) {
                                        const double s = draw(rng, o.sigma_px());
                                        cv::GaussianBlur(page.image, page.image, cv::Size(0, 0), s);
                                        log(page, "blur", {{"sigma_px", s}});
                                      });
  }
  {
    auto b = binder<DustOptions>(
        "dust", "specks", [](auto& o) -> auto& { return o.specks(); }, "number of specks range");
    detail::add_artefact<DustOptions>(
        r, "dust", "scanner: dust specks and hairs on the glass", b,
        [](const DustOptions& o, Page& page, std::mt19937_64& rng) {
          const int n = draw_int(rng, o.specks());
          const int w = page.image.cols, h = page.image.rows;
          for (int i = 0; i < n; ++i) {
            const cv::Point c(static_cast<int>(uniform(rng, 0, w)), static_cast<int>(uniform(rng, 0, h)));
            const int grey = static_cast<int>(uniform(rng, 0, 120));
            if (uniform(rng, 0, 1) < 0.93) {
              cv::circle(page.image, c, static_cast<int>(uniform(rng, 0, 2.5)), cv::Scalar::all(grey), -1, cv::LINE_AA);
            } else {  // a hair: a short bent stroke
              std::vector<cv::Point> pts{c};
              double angle = uniform(rng, 0, 2 * M_PI);
              for (int k = 0; k < 6; ++k) {
                angle += uniform(rng, -0.5, 0.5);
                pts.push_back(pts.back() +
                              cv::Point(static_cast<int>(8 * std::cos(angle)), static_cast<int>(8 * std::sin(angle))));
              }
              cv::polylines(page.image, pts, false, cv::Scalar::all(grey), 1, cv::LINE_AA);
            }
          }
          log(page, "dust", {{"specks", n}});
        });
  }
  {
    auto b = binder<ContrastOptions>(
        "low_contrast", "contrast", [](auto& o) -> auto& { return o.contrast(); },
        "contrast factor range (1 = unchanged)");
    detail::add_artefact<ContrastOptions>(r, "low_contrast", "scanner: washed-out contrast", b,
                                          [](const ContrastOptions& o, Page& page, std::mt19937_64& rng) {
                                            const double c = draw(rng, o.contrast());
                                            const double mid = uniform(rng, 150, 200);
                                            apply_lut(page.image, [&](double v) { return mid + (v - mid) * c; });
                                            log(page, "low_contrast", {{"contrast", c}, {"mid", mid}});
                                          });
  }
  {
    auto b = binder<YellowOptions>(
        "yellowed_paper", "strength", [](auto& o) -> auto& { return o.strength(); }, "yellowing range (0 = white)");
    detail::add_artefact<YellowOptions>(r, "yellowed_paper", "scanner: old, yellowed paper", b,
                                        [](const YellowOptions& o, Page& page, std::mt19937_64& rng) {
                                          const double s = draw(rng, o.strength());
                                          detail::scale_channels(page.image, cv::Scalar(1 - s, 1 - s / 3, 1.0));
                                          log(page, "yellowed_paper", {{"strength", s}});
                                        });
  }
  {
    auto b = binder<FadeOptions>(
        "faded_ink", "amount", [](auto& o) -> auto& { return o.amount(); },
        "how far ink fades toward the paper, range");
    detail::add_artefact<FadeOptions>(r, "faded_ink", "printer: faded ink, unevenly across the page", b,
                                      [](const FadeOptions& o, Page& page, std::mt19937_64& rng) {
                                        const double a = draw(rng, o.amount());
                                        const detail::CoarseGrid grid{page.image.size(), 16};
                                        const cv::Mat field = detail::smooth_field(rng, grid.size(), 4);
                                        detail::fade_by_field(page.image, grid, a * (0.75 + 0.25 * field));
                                        log(page, "faded_ink", {{"amount", a}});
                                      });
  }
  {
    auto b = detail::artefact_binder<BandingOptions>("banding");
    ECG_BIND(b, period_mm, "band period range, mm").length = 2;
    ECG_BIND(b, strength, "ink loss in the light bands, range").length = 2;
    detail::add_artefact<BandingOptions>(
        r, "banding", "printer: horizontal bands of lighter ink", b,
        [](const BandingOptions& o, Page& page, std::mt19937_64& rng) {
          const double period_px = draw(rng, o.period_mm()) * page.truth.px_per_mm_y, s = draw(rng, o.strength());
          const double phase = uniform(rng, 0, 2 * M_PI);
          for (int y = 0; y < page.image.rows; ++y) {
            const double k = s * (0.5 + 0.5 * std::sin(2 * M_PI * y / period_px + phase));
            const auto k8 = static_cast<uint32_t>(std::lround(std::clamp(k, 0.0, 1.0) * 256));
            uint8_t* row = page.image.ptr<uint8_t>(y);
            for (int x = 0; x < 3 * page.image.cols; ++x)
              row[x] = static_cast<uint8_t>(row[x] + (((255u - row[x]) * k8 + 128) >> 8));
          }
          log(page, "banding", {{"period_px", period_px}, {"strength", s}});
        });
  }
}

}  // namespace ecg::render
