#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "gates/metrics/regression_metrics.h"

namespace modelgate::gates {
namespace {

TEST(RegressionMetrics, HandComputedValues) {
  // Errors: 0.5, -1, 0 -> squared 0.25, 1, 0.
  std::vector<double> s = {2.5, 0.0, 2.0};
  std::vector<double> y = {3.0, -1.0, 2.0};
  EXPECT_DOUBLE_EQ(Rmse(s, y).value, std::sqrt(1.25 / 3));
  EXPECT_DOUBLE_EQ(Mae(s, y).value, 1.5 / 3);
  // mean y = 4/3; SS_tot = (5/3)^2 + (7/3)^2 + (2/3)^2 = 78/9; SS_res = 1.25.
  EXPECT_DOUBLE_EQ(R2(s, y).value, 1 - 1.25 / (78.0 / 9.0));
}

TEST(RegressionMetrics, R2WithConstantLabelsIsOneForAPerfectFitElseZero) {
  std::vector<double> y = {2.0, 2.0};
  EXPECT_DOUBLE_EQ(R2(std::vector<double>{2.0, 2.0}, y).value, 1.0);
  EXPECT_DOUBLE_EQ(R2(std::vector<double>{1.0, 2.0}, y).value, 0.0);
}

TEST(RegressionMetrics, AreUndefinedWithoutRows) {
  EXPECT_EQ(Rmse({}, {}).undefined_reason, "no rows");
  EXPECT_EQ(Mae({}, {}).undefined_reason, "no rows");
  EXPECT_EQ(R2({}, {}).undefined_reason, "no rows");
}

}  // namespace
}  // namespace modelgate::gates
