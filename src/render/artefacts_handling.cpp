// Handling artefacts: crease, wrinkles, stain, mould, torn_corner, handwriting.

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

struct CreaseOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, count) = Range{1.0, 3.0};
  TORCH_ARG(Range, shading) = Range{0.08, 0.3};
  TORCH_ARG(Range, shift_px) = Range{0.5, 3.0};
};
struct WrinkleOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, shading) = Range{0.05, 0.2};
  TORCH_ARG(Range, shift_px) = Range{1.0, 4.0};
};
struct StainOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, count) = Range{1.0, 4.0};
  TORCH_ARG(Range, radius_mm) = Range{8.0, 40.0};
  TORCH_ARG(Range, opacity) = Range{0.15, 0.5};
};
struct MouldOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, colonies) = Range{2.0, 8.0};
  TORCH_ARG(Range, radius_mm) = Range{4.0, 20.0};
};
struct TornOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, corners) = Range{1.0, 2.0};
  TORCH_ARG(Range, size_mm) = Range{10.0, 45.0};
};
struct HandwritingOptions {
  TORCH_ARG(double, p) = 1.0;
  TORCH_ARG(Range, words) = Range{1.0, 5.0};
  TORCH_ARG(Range, strokes) = Range{1.0, 4.0};
  TORCH_ARG(Range, circles) = Range{0.0, 2.0};
};

// A closed blob: a circle whose radius wanders smoothly.
std::vector<cv::Point> blob(std::mt19937_64& rng, cv::Point2d c, double r) {
  std::vector<cv::Point> pts;
  const double a1 = uniform(rng, 0.05, 0.25), a2 = uniform(rng, 0.02, 0.12);
  const double p1 = uniform(rng, 0, 6.3), p2 = uniform(rng, 0, 6.3);
  for (int i = 0; i < 48; ++i) {
    const double t = 2 * M_PI * i / 48;
    const double rr = r * (1 + a1 * std::sin(3 * t + p1) + a2 * std::sin(7 * t + p2));
    pts.emplace_back(static_cast<int>(c.x + rr * std::cos(t)), static_cast<int>(c.y + rr * std::sin(t)));
  }
  return pts;
}

// Alpha-blends `color` into image where mask > 0 (mask CV_8U, 255 = full opacity).
void tint(cv::Mat& image, const cv::Mat& mask, const cv::Scalar& color, double opacity, cv::Rect roi) {
  roi &= cv::Rect(0, 0, image.cols, image.rows);
  for (int y = roi.y; y < roi.y + roi.height; ++y) {
    uint8_t* row = image.ptr<uint8_t>(y);
    const uint8_t* m = mask.ptr<uint8_t>(y);
    for (int x = roi.x; x < roi.x + roi.width; ++x) {
      if (m[x] == 0) continue;
      const double a = opacity * m[x] / 255.0;
      for (int c = 0; c < 3; ++c) row[3 * x + c] = static_cast<uint8_t>(row[3 * x + c] * (1 - a) + color[c] * a);
    }
  }
}

}  // namespace

void register_handling_artefacts(ArtefactRegistry& r) {
  {
    auto b = detail::artefact_binder<CreaseOptions>("crease");
    ECG_BIND(b, count, "folds range").length = 2;
    ECG_BIND(b, shading, "darkening along a fold, range").length = 2;
    ECG_BIND(b, shift_px, "displacement across a fold, range, px").length = 2;
    detail::add_artefact<CreaseOptions>(
        r, "crease", "handling: folds (shading plus a small displacement across the fold line)", b,
        [](const CreaseOptions& o, Page& page, std::mt19937_64& rng) {
          const int w = page.image.cols, h = page.image.rows, n = draw_int(rng, o.count());
          struct Fold {
            cv::Point2d c, normal;
            double depth, shift, width;
          };
          std::vector<Fold> fold_list;
          nlohmann::json folds = nlohmann::json::array();
          for (int i = 0; i < n; ++i) {
            // A line through a random point, mostly horizontal or vertical as paper is folded.
            const bool vertical = uniform(rng, 0, 1) < 0.5;
            const double angle = (vertical ? M_PI / 2 : 0) + uniform(rng, -0.08, 0.08);
            const cv::Point2d c(uniform(rng, 0.2 * w, 0.8 * w), uniform(rng, 0.2 * h, 0.8 * h));
            const cv::Point2d normal(-std::sin(angle), std::cos(angle));
            const double depth = draw(rng, o.shading()), shift = draw(rng, o.shift_px());
            const double width = uniform(rng, 6, 20);
            fold_list.push_back({c, normal, depth, shift, width});
            folds.push_back({{"x", c.x}, {"y", c.y}, {"angle", angle}, {"shading", depth}, {"shift_px", shift}});
          }
          // On a 4 px grid: the paper on each side of a fold moves by shift/2 * tanh(d / width)
          // along the normal (d the signed distance) and darkens as a Gaussian of d.
          const detail::CoarseGrid grid{page.image.size(), 4};
          auto profile = [](double d, double width) {  // tanh(d / width), exactly +-1 far away
            return std::abs(d) > 10 * width ? (d > 0 ? 1.0 : -1.0) : std::tanh(d / width);
          };
          cv::Mat sx, sy, shade(grid.size(), CV_32F);
          grid.sample(
              [&](double x, double y) {
                cv::Point2d src(x, y);
                for (const auto& f : fold_list) {
                  const double d = (x - f.c.x) * f.normal.x + (y - f.c.y) * f.normal.y;
                  src -= f.normal * (0.5 * f.shift * profile(d, f.width));
                }
                return src;
              },
              &sx, &sy);
          for (int i = 0; i < shade.rows; ++i)
            for (int j = 0; j < shade.cols; ++j) {
              double k = 1;
              for (const auto& f : fold_list) {
                const double d = (grid.x(j) - f.c.x) * f.normal.x + (grid.y(i) - f.c.y) * f.normal.y;
                const double g = std::abs(d) > 10 * f.width ? 0.0 : std::exp(-d * d / (2 * f.width * f.width));
                k += -f.depth * g + 0.03 * f.depth * profile(d, f.width);
              }
              shade.at<float>(i, j) = static_cast<float>(k);
            }
          detail::multiply_by_field(page.image, grid, shade);
          detail::remap_nonlinear(page, grid, sx, sy, detail::paper_color(page.image));
          log(page, "crease", {{"folds", folds}});
        });
  }
  {
    auto b = detail::artefact_binder<WrinkleOptions>("wrinkles");
    ECG_BIND(b, shading, "light variation, range").length = 2;
    ECG_BIND(b, shift_px, "displacement amplitude, range, px").length = 2;
    detail::add_artefact<WrinkleOptions>(
        r, "wrinkles", "handling: crumpled paper (smooth shading and displacement)", b,
        [](const WrinkleOptions& o, Page& page, std::mt19937_64& rng) {
          const double s = draw(rng, o.shading()), shift = draw(rng, o.shift_px());
          const int cells = static_cast<int>(uniform(rng, 8, 20));
          // Height field, shading and displacement on an 8 px grid.
          const detail::CoarseGrid grid{page.image.size(), 8};
          cv::Mat f = detail::smooth_field(rng, grid.size(), cells);
          cv::Mat gx, gy;  // slopes per pixel
          cv::Sobel(f, gx, CV_32F, 1, 0, 3, 1.0 / (8 * grid.stride));
          cv::Sobel(f, gy, CV_32F, 0, 1, 3, 1.0 / (8 * grid.stride));
          // Light falls on the slopes: shading from the field's gradient.
          const double cell_px = static_cast<double>(page.image.cols) / cells;
          cv::Mat sh = (gx + gy) * (s * cell_px / 2) + 1.0f;
          detail::multiply_by_field(page.image, grid, sh);
          const cv::Mat dx = detail::smooth_field(rng, grid.size(), cells) * shift,
                        dy = detail::smooth_field(rng, grid.size(), cells) * shift;
          cv::Mat sx, sy;
          grid.sample([&](double x, double y) { return cv::Point2d(x, y); }, &sx, &sy);
          detail::remap_nonlinear(page, grid, sx + dx, sy + dy, detail::paper_color(page.image));
          log(page, "wrinkles", {{"shading", s}, {"shift_px", shift}, {"cells", cells}});
        });
  }
  {
    auto b = detail::artefact_binder<StainOptions>("stain");
    ECG_BIND(b, count, "stains range").length = 2;
    ECG_BIND(b, radius_mm, "radius range, mm").length = 2;
    ECG_BIND(b, opacity, "opacity range").length = 2;
    detail::add_artefact<StainOptions>(
        r, "stain", "handling: coffee or water stains with darker rims (like Kaggle type 0009)", b,
        [](const StainOptions& o, Page& page, std::mt19937_64& rng) {
          const int n = draw_int(rng, o.count());
          cv::Mat mask(page.image.size(), CV_8U);
          nlohmann::json stains = nlohmann::json::array();
          for (int i = 0; i < n; ++i) {
            const double radius = draw(rng, o.radius_mm()) * page.truth.px_per_mm_x, a = draw(rng, o.opacity());
            const cv::Point2d c(uniform(rng, 0, page.image.cols), uniform(rng, 0, page.image.rows));
            const cv::Scalar color(uniform(rng, 40, 110), uniform(rng, 90, 150), uniform(rng, 140, 200));
            const auto shape = blob(rng, c, radius);
            const cv::Rect roi = cv::boundingRect(shape) + cv::Size(8, 8) - cv::Point(4, 4);
            mask(roi & cv::Rect(0, 0, mask.cols, mask.rows)).setTo(0);
            cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{shape}, cv::Scalar(110), cv::LINE_AA);
            cv::polylines(mask, shape, true, cv::Scalar(255), std::max(2, static_cast<int>(radius / 12)), cv::LINE_AA);
            tint(page.image, mask, color, a, roi);
            stains.push_back({{"x", c.x}, {"y", c.y}, {"radius_px", radius}, {"opacity", a}});
          }
          log(page, "stain", {{"stains", stains}});
        });
  }
  {
    auto b = detail::artefact_binder<MouldOptions>("mould");
    ECG_BIND(b, colonies, "colonies range").length = 2;
    ECG_BIND(b, radius_mm, "colony radius range, mm").length = 2;
    detail::add_artefact<MouldOptions>(
        r, "mould", "handling: mould colonies, dark speckled spots with halos (like Kaggle type 0011)", b,
        [](const MouldOptions& o, Page& page, std::mt19937_64& rng) {
          const int n = draw_int(rng, o.colonies());
          cv::Mat mask(page.image.size(), CV_8U);
          nlohmann::json colonies = nlohmann::json::array();
          for (int i = 0; i < n; ++i) {
            const double radius = draw(rng, o.radius_mm()) * page.truth.px_per_mm_x;
            const cv::Point2d c(uniform(rng, 0, page.image.cols), uniform(rng, 0, page.image.rows));
            const cv::Rect roi(static_cast<int>(c.x - 1.6 * radius), static_cast<int>(c.y - 1.6 * radius),
                               static_cast<int>(3.2 * radius) + 1, static_cast<int>(3.2 * radius) + 1);
            const cv::Rect clipped = roi & cv::Rect(0, 0, mask.cols, mask.rows);
            if (clipped.empty()) continue;
            mask(clipped).setTo(0);
            // A faint halo, then dense dark specks toward the centre.
            cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{blob(rng, c, 1.4 * radius)}, cv::Scalar(60),
                         cv::LINE_AA);
            const int specks = static_cast<int>(radius * 3);
            for (int k = 0; k < specks; ++k) {
              const double rr = radius * std::sqrt(uniform(rng, 0, 1)), t = uniform(rng, 0, 2 * M_PI);
              cv::circle(mask,
                         cv::Point(static_cast<int>(c.x + rr * std::cos(t)), static_cast<int>(c.y + rr * std::sin(t))),
                         static_cast<int>(uniform(rng, 1, 1 + radius / 10)), cv::Scalar(uniform(rng, 150, 255)), -1,
                         cv::LINE_AA);
            }
            const cv::Scalar color(uniform(rng, 20, 60), uniform(rng, 50, 90), uniform(rng, 30, 70));
            tint(page.image, mask, color, 0.9, clipped);
            colonies.push_back({{"x", c.x}, {"y", c.y}, {"radius_px", radius}});
          }
          log(page, "mould", {{"colonies", colonies}});
        });
  }
  {
    auto b = detail::artefact_binder<TornOptions>("torn_corner");
    ECG_BIND(b, corners, "damaged corners range").length = 2;
    ECG_BIND(b, size_mm, "tear size range, mm").length = 2;
    detail::add_artefact<TornOptions>(
        r, "torn_corner", "handling: torn or missing corners (the background shows through)", b,
        [](const TornOptions& o, Page& page, std::mt19937_64& rng) {
          const int n = std::clamp(draw_int(rng, o.corners()), 0, 4);
          const int w = page.image.cols, h = page.image.rows;
          const cv::Scalar background = detail::table_color(rng);
          std::vector<int> order{0, 1, 2, 3};
          std::shuffle(order.begin(), order.end(), rng);
          nlohmann::json tears = nlohmann::json::array();
          for (int i = 0; i < n; ++i) {
            const int corner = order[static_cast<size_t>(i)];
            const double size = draw(rng, o.size_mm()) * page.truth.px_per_mm_x;
            const cv::Point2d c(corner % 2 == 0 ? 0 : w - 1, corner < 2 ? 0 : h - 1);
            const cv::Point2d ux(corner % 2 == 0 ? 1 : -1, 0), uy(0, corner < 2 ? 1 : -1);
            // A jagged line from one edge to the other.
            std::vector<cv::Point> poly{cv::Point(c)};
            const double a = size * uniform(rng, 0.6, 1.4), bb = size * uniform(rng, 0.6, 1.4);
            for (int k = 0; k <= 16; ++k) {
              const double t = k / 16.0, jag = uniform(rng, -0.06, 0.06) * size;
              const cv::Point2d p = c + ux * (a * (1 - t) + jag) + uy * (bb * t + jag);
              poly.emplace_back(p);
            }
            cv::fillPoly(page.image, std::vector<std::vector<cv::Point>>{poly}, background, cv::LINE_AA);
            tears.push_back({{"corner", corner}, {"size_px", size}});
          }
          log(page, "torn_corner", {{"tears", tears}});
        });
  }
  {
    auto b = detail::artefact_binder<HandwritingOptions>("handwriting");
    ECG_BIND(b, words, "handwritten words range").length = 2;
    ECG_BIND(b, strokes, "pen strokes range").length = 2;
    ECG_BIND(b, circles, "circled regions range").length = 2;
    detail::add_artefact<HandwritingOptions>(
        r, "handwriting", "handling: pen strokes, circles and words written on the page", b,
        [](const HandwritingOptions& o, Page& page, std::mt19937_64& rng) {
          static const char* kWords[] = {"AF?",   "STEMI",   "normal", "ok",   "rpt",      "LBBB", "cf old", "NSR",
                                         "sinus", "call dr", "pt 4B",  "QTc?", "ischemia", "f/u",  "PVC",    "stat"};
          const cv::Scalar pen = uniform(rng, 0, 1) < 0.6 ? cv::Scalar(uniform(rng, 120, 200), uniform(rng, 30, 80), 20)
                                                          : cv::Scalar::all(uniform(rng, 10, 50));
          const int w = page.image.cols, h = page.image.rows;
          const int thick = static_cast<int>(uniform(rng, 2, 4));
          nlohmann::json words = nlohmann::json::array();
          for (int i = 0, n = draw_int(rng, o.words()); i < n; ++i) {
            const std::string word = kWords[std::uniform_int_distribution<int>(0, 15)(rng)];
            const double scale = uniform(rng, 1.2, 2.2);
            const cv::Point org(static_cast<int>(uniform(rng, 0.05 * w, 0.8 * w)),
                                static_cast<int>(uniform(rng, 0.1 * h, 0.95 * h)));
            cv::putText(page.image, word, org, cv::FONT_HERSHEY_SCRIPT_SIMPLEX, scale, pen, thick, cv::LINE_AA);
            words.push_back({{"text", word}, {"x", org.x}, {"y", org.y}});
          }
          const int strokes = draw_int(rng, o.strokes());
          for (int i = 0; i < strokes; ++i) {  // a quadratic Bezier
            const cv::Point2d a(uniform(rng, 0, w), uniform(rng, 0, h));
            const cv::Point2d c = a + cv::Point2d(uniform(rng, -300, 300), uniform(rng, -150, 150));
            const cv::Point2d e = a + cv::Point2d(uniform(rng, -400, 400), uniform(rng, -100, 100));
            std::vector<cv::Point> pts;
            for (int k = 0; k <= 30; ++k) {
              const double t = k / 30.0;
              pts.emplace_back(a * ((1 - t) * (1 - t)) + c * (2 * t * (1 - t)) + e * (t * t));
            }
            cv::polylines(page.image, pts, false, pen, thick, cv::LINE_AA);
          }
          const int circles = draw_int(rng, o.circles());
          for (int i = 0; i < circles; ++i) {
            const cv::Point c(static_cast<int>(uniform(rng, 0.1 * w, 0.9 * w)),
                              static_cast<int>(uniform(rng, 0.2 * h, 0.9 * h)));
            cv::ellipse(page.image, c,
                        cv::Size(static_cast<int>(uniform(rng, 60, 200)), static_cast<int>(uniform(rng, 40, 120))),
                        uniform(rng, -20, 20), uniform(rng, 0, 40), uniform(rng, 320, 380), pen, thick, cv::LINE_AA);
          }
          log(page, "handwriting", {{"words", words}, {"strokes", strokes}, {"circles", circles}});
        });
  }
}

}  // namespace ecg::render
