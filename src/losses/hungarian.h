#pragma once
// Exact minimum-cost assignment (the Hungarian method with potentials, in the
// shortest-augmenting-path form of Jonker & Volgenant), O(rows^2 * cols).
//
//   cost: rows x cols, rows <= cols, row-major, finite.
//   returns: for each row the column assigned to it; columns are distinct and the sum
//            of cost[r][assignment[r]] is minimal.
//
//   auto a = linear_assignment({{4, 1, 3}, {2, 0, 5}, {3, 2, 2}}, 3, 3);  // {1, 0, 2}

#include <cstdint>
#include <vector>

namespace ecg::losses {

std::vector<int64_t> linear_assignment(const std::vector<double>& cost, int64_t rows, int64_t cols);

}  // namespace ecg::losses
