#include "losses/hungarian.h"

#include <cmath>
#include <limits>

#include "core/error.h"

namespace ecg::losses {

std::vector<int64_t> linear_assignment(const std::vector<double>& cost, int64_t rows, int64_t cols) {
  ECG_CHECK(rows >= 0 && rows <= cols, "linear_assignment: need rows <= cols, got ", rows, " x ", cols);
  ECG_CHECK(static_cast<int64_t>(cost.size()) == rows * cols, "linear_assignment: ", cost.size(), " costs for a ", rows,
            " x ", cols, " matrix");
  for (double c : cost) ECG_CHECK(std::isfinite(c), "linear_assignment: costs must be finite, got ", c);
  const double inf = std::numeric_limits<double>::infinity();
  // 1-based potentials u (rows), v (cols); p[j] = row matched to column j (0 = none).
  std::vector<double> u(rows + 1, 0.0), v(cols + 1, 0.0);
  std::vector<int64_t> p(cols + 1, 0), way(cols + 1, 0);
  for (int64_t i = 1; i <= rows; ++i) {
    p[0] = i;
    int64_t j0 = 0;
    std::vector<double> minv(cols + 1, inf);
    std::vector<char> used(cols + 1, 0);
    do {
      used[j0] = 1;
      const int64_t i0 = p[j0];
      double delta = inf;
      int64_t j1 = 0;
      for (int64_t j = 1; j <= cols; ++j) {
        if (used[j]) continue;
        const double cur = cost[(i0 - 1) * cols + (j - 1)] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (int64_t j = 0; j <= cols; ++j) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] != 0);
    do {
      const int64_t j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 != 0);
  }
  std::vector<int64_t> assignment(rows, -1);
  for (int64_t j = 1; j <= cols; ++j) {
    if (p[j] != 0) assignment[p[j] - 1] = j - 1;
  }
  return assignment;
}

}  // namespace ecg::losses
