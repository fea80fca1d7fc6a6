// Phone-photo artefacts: perspective, rotation, lens, lighting, color_temperature,
// motion_blur, defocus, sensor_noise, moire.

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

struct PerspectiveOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, corner_shift) = Range{0.01, 0.08};  // fraction of the page size
  TORCH_ARG(Range, margin) = Range{0.0, 0.08};         // background around the page, fraction
};
struct RotationOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, degrees) = Range{-8.0, 8.0};
};
struct LensOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, k1) = Range{-0.12, 0.12};  // radial coefficient at the corner radius
};
struct LightingOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, gradient) = Range{0.1, 0.45};  // darkening across the page
  TORCH_ARG(Range, shadow) = Range{0.0, 0.45};    // darkness of a hand / phone shadow (0: none)
};
struct TemperatureOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, shift) = Range{-0.15, 0.15};  // < 0 cooler (blue), > 0 warmer (yellow)
};
struct MotionOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, length_px) = Range{3.0, 11.0};
};
struct DefocusOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, radius_px) = Range{1.0, 3.0};
};
struct NoiseOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, sigma) = Range{2.0, 9.0};  // grey levels
};
struct MoireOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, period_px) = Range{3.0, 9.0};
  TORCH_ARG(Range, strength) = Range{0.05, 0.2};
};

}  // namespace

void register_photo_artefacts(ArtefactRegistry& r) {
  {
    auto b = detail::artefact_binder<PerspectiveOptions>("perspective");
    ECG_BIND(b, corner_shift, "corner displacement range, fraction of the page").length = 2;
    ECG_BIND(b, margin, "background visible around the page, fraction").length = 2;
    detail::add_artefact<PerspectiveOptions>(
        r, "perspective", "photo: the page shot at an angle (a homography), with background around it", b,
        [](const PerspectiveOptions& o, Page& page, std::mt19937_64& rng) {
          const double w = page.image.cols, h = page.image.rows, m = draw(rng, o.margin());
          const cv::Point2f src[4] = {{0, 0},
                                      {static_cast<float>(w), 0},
                                      {static_cast<float>(w), static_cast<float>(h)},
                                      {0, static_cast<float>(h)}};
          cv::Point2f dst[4];
          const double sx[4] = {1, -1, -1, 1}, sy[4] = {1, 1, -1, -1};
          for (int i = 0; i < 4; ++i) {
            const double s = draw(rng, o.corner_shift());
            dst[i] = cv::Point2f(static_cast<float>(src[i].x + sx[i] * (m + s * uniform(rng, 0, 1)) * w),
                                 static_cast<float>(src[i].y + sy[i] * (m + s * uniform(rng, 0, 1)) * h));
          }
          const cv::Mat hm = cv::getPerspectiveTransform(src, dst);
          detail::warp_homography(page, cv::Matx33d(hm), detail::table_color(rng));
          nlohmann::json corners = nlohmann::json::array();
          for (const auto& d : dst) corners.push_back({d.y, d.x});
          log(page, "perspective", {{"corners", corners}});
        });
  }
  {
    auto b = detail::artefact_binder<RotationOptions>("rotation");
    ECG_BIND(b, degrees, "rotation range, degrees").length = 2;
    detail::add_artefact<RotationOptions>(r, "rotation", "photo: the camera rotated about the page centre", b,
                                          [](const RotationOptions& o, Page& page, std::mt19937_64& rng) {
                                            const double deg = draw(rng, o.degrees());
                                            const cv::Matx33d h = detail::rotation_homography(page.image.size(), deg);
                                            detail::warp_homography(page, h, detail::table_color(rng));
                                            log(page, "rotation", {{"degrees", deg}});
                                          });
  }
  {
    auto b = detail::artefact_binder<LensOptions>("lens");
    ECG_BIND(b, k1, "radial distortion range (> 0 barrel, < 0 pincushion)").length = 2;
    detail::add_artefact<LensOptions>(r, "lens", "photo: radial lens distortion", b,
                                      [](const LensOptions& o, Page& page, std::mt19937_64& rng) {
                                        const double k1 = draw(rng, o.k1());
                                        const int w = page.image.cols, h = page.image.rows;
                                        const double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0, r2max = cx * cx + cy * cy;
                                        // image(x) = old(c + (x - c)(1 + k1 r^2 / r_max^2)), on an 8 px grid.
                                        const detail::CoarseGrid grid{page.image.size(), 8};
                                        cv::Mat sx, sy;
                                        grid.sample(
                                            [&](double x, double y) {
                                              const double ux = x - cx, uy = y - cy;
                                              const double k = 1 + k1 * (ux * ux + uy * uy) / r2max;
                                              return cv::Point2d(cx + ux * k, cy + uy * k);
                                            },
                                            &sx, &sy);
                                        detail::remap_nonlinear(page, grid, sx, sy, detail::table_color(rng));
                                        log(page, "lens", {{"k1", k1}});
                                      });
  }
  {
    auto b = detail::artefact_binder<LightingOptions>("lighting");
    ECG_BIND(b, gradient, "darkening across the page, range").length = 2;
    ECG_BIND(b, shadow, "shadow darkness range (0: none)").length = 2;
    detail::add_artefact<LightingOptions>(
        r, "lighting", "photo: uneven lighting, vignetting and a soft shadow", b,
        [](const LightingOptions& o, Page& page, std::mt19937_64& rng) {
          const int w = page.image.cols, h = page.image.rows;
          const double g = draw(rng, o.gradient()), sh = draw(rng, o.shadow()), angle = uniform(rng, 0, 2 * M_PI);
          // The light map on an 8 px grid, upsampled: gradient + vignette + shadow polygon.
          const detail::CoarseGrid grid{page.image.size(), 8};
          const int sw = grid.size().width, shh = grid.size().height;
          cv::Mat light(shh, sw, CV_32F);
          for (int y = 0; y < shh; ++y)
            for (int x = 0; x < sw; ++x) {
              const double u = grid.x(x) / w - 0.5, v = grid.y(y) / h - 0.5;
              const double lin = u * std::cos(angle) + v * std::sin(angle);
              light.at<float>(y, x) = static_cast<float>(1 - g * (0.5 + lin) - 0.25 * g * (u * u + v * v) * 4);
            }
          if (sh > 0.01) {
            cv::Mat mask = cv::Mat::zeros(shh, sw, CV_32F);
            std::vector<cv::Point> poly;
            const int corner = std::uniform_int_distribution<int>(0, 3)(rng);
            const cv::Point c(corner % 2 == 0 ? 0 : sw, corner < 2 ? 0 : shh);
            poly.push_back(c);
            poly.emplace_back(static_cast<int>(uniform(rng, 0.2, 0.8) * sw), c.y);
            poly.emplace_back(static_cast<int>(uniform(rng, 0.2, 0.8) * sw),
                              static_cast<int>(uniform(rng, 0.3, 0.7) * shh));
            poly.emplace_back(c.x, static_cast<int>(uniform(rng, 0.2, 0.8) * shh));
            cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{poly}, cv::Scalar(sh));
            cv::GaussianBlur(mask, mask, cv::Size(0, 0), 6);
            light -= mask;
          }
          detail::multiply_by_field(page.image, grid, light);
          log(page, "lighting", {{"gradient", g}, {"shadow", sh}, {"angle", angle}});
        });
  }
  {
    auto b = detail::artefact_binder<TemperatureOptions>("color_temperature");
    ECG_BIND(b, shift, "white balance shift range (< 0 cooler, > 0 warmer)").length = 2;
    detail::add_artefact<TemperatureOptions>(r, "color_temperature", "photo: white balance (warm or cool cast)", b,
                                             [](const TemperatureOptions& o, Page& page, std::mt19937_64& rng) {
                                               const double s = draw(rng, o.shift());
                                               detail::scale_channels(page.image, cv::Scalar(1 - s, 1.0, 1 + s));
                                               log(page, "color_temperature", {{"shift", s}});
                                             });
  }
  {
    auto b = detail::artefact_binder<MotionOptions>("motion_blur");
    ECG_BIND(b, length_px, "blur length range, px").length = 2;
    detail::add_artefact<MotionOptions>(
        r, "motion_blur", "photo: camera shake (a line kernel)", b,
        [](const MotionOptions& o, Page& page, std::mt19937_64& rng) {
          const int len = std::max(2, draw_int(rng, o.length_px()));
          const double angle = uniform(rng, 0, M_PI);
          const int k = len | 1;
          cv::Mat kernel = cv::Mat::zeros(k, k, CV_32F);
          const cv::Point2d c(k / 2.0, k / 2.0), d(std::cos(angle) * len / 2.0, std::sin(angle) * len / 2.0);
          cv::line(kernel, cv::Point(c - d), cv::Point(c + d), cv::Scalar(1), 1, cv::LINE_AA);
          kernel /= cv::sum(kernel)[0];
          cv::filter2D(page.image, page.image, -1, kernel);
          log(page, "motion_blur", {{"length_px", len}, {"angle", angle}});
        });
  }
  {
    auto b = detail::artefact_binder<DefocusOptions>("defocus");
    ECG_BIND(b, radius_px, "blur disk radius range, px").length = 2;
    detail::add_artefact<DefocusOptions>(r, "defocus", "photo: out of focus (a disk kernel)", b,
                                         [](const DefocusOptions& o, Page& page, std::mt19937_64& rng) {
                                           const double radius = draw(rng, o.radius_px());
                                           const int k = 2 * static_cast<int>(std::ceil(radius)) + 1;
                                           cv::Mat kernel = cv::Mat::zeros(k, k, CV_32F);
                                           cv::circle(kernel, cv::Point(k / 2, k / 2),
                                                      static_cast<int>(std::round(radius)), cv::Scalar(1), -1,
                                                      cv::LINE_AA);
                                           kernel /= cv::sum(kernel)[0];
                                           cv::filter2D(page.image, page.image, -1, kernel);
                                           log(page, "defocus", {{"radius_px", radius}});
                                         });
  }
  {
    auto b = detail::artefact_binder<NoiseOptions>("sensor_noise");
    ECG_BIND(b, sigma, "Gaussian noise sigma range, grey levels").length = 2;
    detail::add_artefact<NoiseOptions>(r, "sensor_noise", "photo: sensor noise (Gaussian, per channel)", b,
                                       [](const NoiseOptions& o, Page& page, std::mt19937_64& rng) {
                                         const double sigma = draw(rng, o.sigma());
                                         // A 509 x 509 noise tile (prime size: no visible repeat on a grid), laid with
                                         // an offset.
                                         const int tile = 509;
                                         cv::Mat noise(tile, tile, CV_16SC3);
                                         cv::RNG cvrng(rng());
                                         cvrng.fill(noise, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(sigma));
                                         const int ox = static_cast<int>(uniform(rng, 0, tile)),
                                                   oy = static_cast<int>(uniform(rng, 0, tile));
                                         // Row by row in runs that do not wrap around the tile, so the add vectorises.
                                         for (int y = 0; y < page.image.rows; ++y) {
                                           uint8_t* row = page.image.ptr<uint8_t>(y);
                                           const int16_t* n = noise.ptr<int16_t>((y + oy) % tile);
                                           for (int x0 = 0; x0 < page.image.cols;) {
                                             const int t0 = (x0 + ox) % tile;
                                             const int len = std::min(page.image.cols - x0, tile - t0);
                                             uint8_t* p = row + 3 * x0;
                                             const int16_t* v = n + 3 * t0;
                                             for (int i = 0; i < 3 * len; ++i) {
                                               const int s = p[i] + v[i];
                                               p[i] = static_cast<uint8_t>(s < 0 ? 0 : (s > 255 ? 255 : s));
                                             }
                                             x0 += len;
                                           }
                                         }
                                         log(page, "sensor_noise", {{"sigma", sigma}});
                                       });
  }
  {
    auto b = detail::artefact_binder<MoireOptions>("moire");
    ECG_BIND(b, period_px, "interference period range, px").length = 2;
    ECG_BIND(b, strength, "pattern strength range").length = 2;
    detail::add_artefact<MoireOptions>(
        r, "moire", "photo of a screen: moire from the pixel grid beating with the sensor (like Kaggle type 0006)", b,
        [](const MoireOptions& o, Page& page, std::mt19937_64& rng) {
          const double period = draw(rng, o.period_px()), s = draw(rng, o.strength());
          const double a1 = uniform(rng, 0, M_PI), a2 = a1 + uniform(rng, 0.03, 0.12);
          const double f1 = 2 * M_PI / period, f2 = f1 * uniform(rng, 0.97, 1.03);
          // Two slightly rotated gratings multiply into a slow beat; tabulated per row.
          const int w = page.image.cols;
          std::vector<float> cx1(static_cast<size_t>(w)), sx1(static_cast<size_t>(w)), cx2(static_cast<size_t>(w)),
              sx2(static_cast<size_t>(w));
          for (int x = 0; x < w; ++x) {
            cx1[static_cast<size_t>(x)] = static_cast<float>(std::cos(f1 * x * std::cos(a1)));
            sx1[static_cast<size_t>(x)] = static_cast<float>(std::sin(f1 * x * std::cos(a1)));
            cx2[static_cast<size_t>(x)] = static_cast<float>(std::cos(f2 * x * std::cos(a2)));
            sx2[static_cast<size_t>(x)] = static_cast<float>(std::sin(f2 * x * std::cos(a2)));
          }
          for (int y = 0; y < page.image.rows; ++y) {
            const auto cy1 = static_cast<float>(std::cos(f1 * y * std::sin(a1))),
                       sy1 = static_cast<float>(std::sin(f1 * y * std::sin(a1)));
            const auto cy2 = static_cast<float>(std::cos(f2 * y * std::sin(a2))),
                       sy2 = static_cast<float>(std::sin(f2 * y * std::sin(a2)));
            uint8_t* row = page.image.ptr<uint8_t>(y);
            for (int x = 0; x < w; ++x) {
              const size_t i = static_cast<size_t>(x);
              const float g1 = cx1[i] * cy1 - sx1[i] * sy1, g2 = cx2[i] * cy2 - sx2[i] * sy2;  // cos(a + b)
              const float k = 1.f - static_cast<float>(s) * (0.5f + 0.5f * g1 * g2);
              // Colour fringes: the channels see the pattern slightly differently.
              row[3 * x] = cv::saturate_cast<uint8_t>(row[3 * x] * (k + 0.02f * g1));
              row[3 * x + 1] = cv::saturate_cast<uint8_t>(row[3 * x + 1] * k);
              row[3 * x + 2] = cv::saturate_cast<uint8_t>(row[3 * x + 2] * (k - 0.02f * g1));
            }
          }
          log(page, "moire", {{"period_px", period}, {"strength", s}});
        });
  }
}

}  // namespace ecg::render
