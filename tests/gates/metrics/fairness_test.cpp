#include <gtest/gtest.h>

#include <vector>

#include "gates/metrics/fairness.h"

namespace modelgate::gates {
namespace {

// Group A (code 0): 4 rows, 2 selected; group B (code 1): 4 rows, 1 selected; one null row.
const std::vector<double> kScores = {0.9, 0.8, 0.1, 0.2, 0.7, 0.1, 0.2, 0.3, 0.99};
const std::vector<uint8_t> kLabels = {1, 0, 1, 0, 1, 1, 0, 0, 1};
const std::vector<int32_t> kGroups = {0, 0, 0, 0, 1, 1, 1, 1, -1};
const std::vector<std::string> kNames = {"A", "B"};

FairnessResult Fair(FairnessMetric m, std::optional<std::string> privileged = std::nullopt) {
  return ComputeFairness(m, kScores, kLabels, kGroups, kNames, 0.5, privileged);
}

TEST(Fairness, DisparateImpactWithoutAPrivilegedValueIsLowestOverHighestSelectionRate) {
  auto r = Fair(FairnessMetric::kDisparateImpactRatio);
  EXPECT_DOUBLE_EQ(r.value.value, 0.25 / 0.5);
  EXPECT_EQ(r.groups.at("A").selected, 2);
  EXPECT_EQ(r.groups.at("B").rows, 4);
  EXPECT_EQ(r.groups.count(""), 0u);  // the null row belongs to no group
}

TEST(Fairness, DisparateImpactWithAPrivilegedValueIsDirectional) {
  EXPECT_DOUBLE_EQ(Fair(FairnessMetric::kDisparateImpactRatio, "A").value.value, 0.5);
  EXPECT_DOUBLE_EQ(Fair(FairnessMetric::kDisparateImpactRatio, "B").value.value, 2.0);
}

TEST(Fairness, DemographicParityDifferenceIsTheAbsoluteGap) {
  EXPECT_DOUBLE_EQ(Fair(FairnessMetric::kDemographicParityDifference).value.value, 0.25);
  EXPECT_DOUBLE_EQ(Fair(FairnessMetric::kDemographicParityDifference, "B").value.value, 0.25);
}

TEST(Fairness, EqualOpportunityDifferenceComparesTruePositiveRates) {
  // A: positives rows 0 and 2, TPR 1/2; B: positives rows 4 and 5, TPR 1/2.
  EXPECT_DOUBLE_EQ(Fair(FairnessMetric::kEqualOpportunityDifference).value.value, 0.0);
}

TEST(Fairness, IsUndefinedWithASingleGroup) {
  std::vector<int32_t> one_group(kScores.size(), 0);
  auto r = ComputeFairness(FairnessMetric::kDisparateImpactRatio, kScores, kLabels, one_group,
                           kNames, 0.5, std::nullopt);
  EXPECT_EQ(r.value.undefined_reason, "1 group present; the comparison needs at least 2");
}

TEST(Fairness, IsUndefinedWhenThePrivilegedGroupIsAbsentOrSelectsNobody) {
  EXPECT_EQ(Fair(FairnessMetric::kDisparateImpactRatio, "C").value.undefined_reason,
            "no rows of the privileged group 'C'");
  std::vector<double> low(kScores.size(), 0.1);
  auto r = ComputeFairness(FairnessMetric::kDisparateImpactRatio, low, kLabels, kGroups, kNames,
                           0.5, std::string("A"));
  EXPECT_EQ(r.value.undefined_reason, "the privileged group has no predicted positives");
}

}  // namespace
}  // namespace modelgate::gates
