#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "gates/metrics/rank_correlation.h"

namespace modelgate::gates {
namespace {

TEST(Spearman, WithoutTiesEqualsOneMinusSixSumOfSquaredRankDifferences) {
  std::vector<double> x = {1, 2, 3, 4}, y = {10, 30, 20, 40};
  EXPECT_DOUBLE_EQ(SpearmanCorrelation(x, y).value, 1 - 6.0 * 2 / (4 * 15));
}

TEST(Spearman, TiesGetMidRanks) {
  // Ranks x = {1, 2.5, 2.5, 4}; Pearson with y's ranks = 4.5 / sqrt(4.5 * 5).
  std::vector<double> x = {1, 2, 2, 3}, y = {1, 2, 3, 4};
  EXPECT_NEAR(SpearmanCorrelation(x, y).value, 4.5 / std::sqrt(22.5), 1e-15);
}

TEST(Spearman, NegativeAndUndefinedCases) {
  std::vector<double> x = {1, 2, 3}, y = {3, 2, 1};
  EXPECT_DOUBLE_EQ(SpearmanCorrelation(x, y).value, -1.0);
  EXPECT_EQ(SpearmanCorrelation(x, std::vector<double>{5, 5, 5}).undefined_reason,
            "one of the inputs is constant");
  EXPECT_EQ(SpearmanCorrelation(std::vector<double>{1}, std::vector<double>{1}).undefined_reason,
            "fewer than 2 rows");
}

}  // namespace
}  // namespace modelgate::gates
