#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "gates/metrics/sort_doubles.h"

namespace modelgate::gates {
namespace {

TEST(SortDoubles, SortsLargeInputsLikeStdSortIncludingNegativesAndTies) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(0, 100);
  std::vector<double> values(100000);
  for (auto& v : values) v = std::round(normal(rng)) / 4;  // many ties, both signs
  values[10] = -0.0;
  values[11] = 0.0;
  std::vector<double> expected = values;
  std::sort(expected.begin(), expected.end());
  SortDoubles(values);
  EXPECT_EQ(values, expected);
}

TEST(SortDoubles, SortsSmallInputs) {
  std::vector<double> values = {3, -1, 2};
  SortDoubles(values);
  EXPECT_EQ(values, (std::vector<double>{-1, 2, 3}));
}

}  // namespace
}  // namespace modelgate::gates

namespace modelgate::gates {
namespace {

TEST(SortedOrder, IsAStableSortingPermutationForLargeInputs) {
  std::mt19937_64 rng(11);
  std::vector<double> values(50000);
  for (auto& v : values) v = static_cast<double>(rng() % 1000) - 500;
  std::vector<uint32_t> order = SortedOrder(values);
  for (size_t i = 1; i < order.size(); ++i) {
    ASSERT_LE(values[order[i - 1]], values[order[i]]);
    if (values[order[i - 1]] == values[order[i]]) {
      ASSERT_LT(order[i - 1], order[i]);
    }
  }
}

}  // namespace
}  // namespace modelgate::gates
