#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "gates/metrics/auc.h"

namespace modelgate::gates {
namespace {

TEST(RocAuc, MatchesScikitLearnOnItsDocumentationExample) {
  // sklearn: roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
  std::vector<double> s = {0.1, 0.4, 0.35, 0.8};
  std::vector<uint8_t> y = {0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(RocAuc(s, y).value, 0.75);
}

TEST(RocAuc, ATiedPositiveNegativePairCountsHalf) {
  // Pairs: (0.5 vs 0.2) 1, (0.5 vs 0.5) 0.5, (0.9 vs 0.2) 1, (0.9 vs 0.5) 1 -> 3.5 / 4.
  std::vector<double> s = {0.2, 0.5, 0.5, 0.9};
  std::vector<uint8_t> y = {0, 1, 0, 1};
  EXPECT_DOUBLE_EQ(RocAuc(s, y).value, 0.875);
}

TEST(RocAuc, AllScoresTiedGivesOneHalf) {
  std::vector<double> s = {0.3, 0.3, 0.3, 0.3, 0.3};
  std::vector<uint8_t> y = {1, 0, 1, 0, 0};
  EXPECT_DOUBLE_EQ(RocAuc(s, y).value, 0.5);
}

TEST(RocAuc, PerfectAndInvertedRankings) {
  std::vector<uint8_t> y = {0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(RocAuc(std::vector<double>{0.1, 0.2, 0.8, 0.9}, y).value, 1.0);
  EXPECT_DOUBLE_EQ(RocAuc(std::vector<double>{0.9, 0.8, 0.2, 0.1}, y).value, 0.0);
}

TEST(RocAuc, IsUndefinedWithOnlyOneClass) {
  std::vector<double> s = {0.1, 0.9};
  auto v = RocAuc(s, std::vector<uint8_t>{1, 1});
  EXPECT_FALSE(v.defined());
  EXPECT_EQ(v.undefined_reason, "only one class (all labels are 1)");
  EXPECT_EQ(RocAuc(s, std::vector<uint8_t>{0, 0}).undefined_reason, "only one class (all labels are 0)");
}

TEST(RocAuc, IsUndefinedWithoutRows) {
  EXPECT_EQ(RocAuc({}, {}).undefined_reason, "no rows");
}

TEST(DeLong, IdenticalModelsHaveNoDifferenceAndNoSignificantRegression) {
  std::vector<double> s = {0.1, 0.4, 0.35, 0.8, 0.6, 0.2};
  std::vector<uint8_t> y = {0, 0, 1, 1, 1, 0};
  DeLongResult r;
  ASSERT_TRUE(DeLong(s, s, y, &r));
  EXPECT_DOUBLE_EQ(r.challenger_auc, r.champion_auc);
  EXPECT_DOUBLE_EQ(r.difference_std_error, 0.0);
  EXPECT_DOUBLE_EQ(RegressionPValue(r, 0.0), 1.0);
}

TEST(DeLong, AucsEqualTheirMannWhitneyValues) {
  std::vector<double> challenger = {0.1, 0.4, 0.35, 0.8};
  std::vector<double> champion = {0.2, 0.5, 0.5, 0.9};
  std::vector<uint8_t> y = {0, 0, 1, 1};
  DeLongResult r;
  ASSERT_TRUE(DeLong(challenger, champion, y, &r));
  EXPECT_DOUBLE_EQ(r.challenger_auc, 0.75);
  EXPECT_DOUBLE_EQ(r.champion_auc, RocAuc(champion, y).value);
}

TEST(DeLong, HandComputedStandardErrorOfTheDifference) {
  // Positives scores A = {0.8, 0.35}, B = {0.9, 0.5}; negatives A = {0.1, 0.4}, B = {0.2, 0.5}.
  // Placements A: V10 = {1, 0.5}, V01 = {1, 0.5}; B: V10 = {1, 0.75}, V01 = {1, 0.75}.
  // D10 = V10A - V10B = {0, -0.25}: sample variance 0.03125; D01 = {0, -0.25}: 0.03125.
  // var = 0.03125 / 2 + 0.03125 / 2 = 0.03125, se = 0.1767766953.
  std::vector<double> challenger = {0.1, 0.4, 0.35, 0.8};
  std::vector<double> champion = {0.2, 0.5, 0.5, 0.9};
  std::vector<uint8_t> y = {0, 0, 1, 1};
  DeLongResult r;
  ASSERT_TRUE(DeLong(challenger, champion, y, &r));
  EXPECT_NEAR(r.difference_std_error, std::sqrt(0.03125), 1e-12);
  // z = (0.875 - 0.75 - 0) / se; one-sided p = 0.5 * erfc(z / sqrt 2).
  double z = 0.125 / std::sqrt(0.03125);
  EXPECT_NEAR(RegressionPValue(r, 0.0), 0.5 * std::erfc(z / std::sqrt(2.0)), 1e-12);
}

TEST(DeLong, NeedsTwoRowsOfEachClass) {
  std::vector<double> s = {0.1, 0.4, 0.8};
  std::vector<uint8_t> y = {0, 0, 1};
  DeLongResult r;
  EXPECT_FALSE(DeLong(s, s, y, &r));
}

}  // namespace
}  // namespace modelgate::gates
