#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "gates/data/drift.h"
#include "tests/gates/test_util.h"

namespace modelgate::gates {
namespace {

TEST(Drift, PsiIsSumOfShareDifferenceTimesLogRatio) {
  std::vector<double> b = {0.5, 0.5}, c = {0.25, 0.75};
  EXPECT_DOUBLE_EQ(PopulationStabilityIndex(b, c), -0.25 * std::log(0.5) + 0.25 * std::log(1.5));
}

TEST(Drift, PsiFloorsEmptySharesSoItStaysFinite) {
  std::vector<double> b = {1.0, 0.0}, c = {0.5, 0.5};
  EXPECT_DOUBLE_EQ(PopulationStabilityIndex(b, c),
                   (0.5 - 1.0) * std::log(0.5 / 1.0) + (0.5 - 1e-4) * std::log(0.5 / 1e-4));
}

TEST(Drift, JensenShannonIsADivergenceInBits) {
  std::vector<double> p = {1.0, 0.0}, q = {0.0, 1.0};
  EXPECT_DOUBLE_EQ(JensenShannonDivergence(p, q), 1.0);  // disjoint supports: 1 bit
  EXPECT_DOUBLE_EQ(JensenShannonDivergence(p, p), 0.0);
  // p = (0.5, 0.5), q = (1, 0): m = (0.75, 0.25).
  std::vector<double> a = {0.5, 0.5}, b = {1.0, 0.0};
  double expected = 0.5 * (0.5 * std::log2(0.5 / 0.75) + 0.5 * std::log2(0.5 / 0.25)) +
                    0.5 * (1.0 * std::log2(1.0 / 0.75));
  EXPECT_DOUBLE_EQ(JensenShannonDivergence(a, b), expected);
}

TEST(Drift, KolmogorovSmirnovIsTheLargestCdfGapWithTiesTogether) {
  std::vector<double> a = {1, 2, 3, 4}, b = {3, 4, 5, 6};
  EXPECT_DOUBLE_EQ(KolmogorovSmirnov(a, b), 0.5);
  std::vector<double> tied_a = {1, 1, 2}, tied_b = {1, 2, 2};
  EXPECT_DOUBLE_EQ(KolmogorovSmirnov(tied_a, tied_b), 1.0 / 3.0);
}

ColumnProfile Categorical(std::map<std::string, int64_t> counts) {
  ColumnProfile c;
  c.kind = ColumnKind::kCategorical;
  for (auto& [k, n] : counts) c.count += n;
  c.distinct = static_cast<int64_t>(counts.size());
  c.category_counts = std::move(counts);
  return c;
}

TEST(Drift, LInfinityNamesTheValueThatMovedMost) {
  auto b = Categorical({{"mobile", 50}, {"web", 50}});
  auto c = Categorical({{"mobile", 80}, {"web", 10}, {"tv", 10}});
  DriftValue d = ComputeDrift(DriftStatistic::kLinf, b, c);
  EXPECT_DOUBLE_EQ(d.value.value, 0.4);  // web: 0.5 -> 0.1
  EXPECT_EQ(d.worst_value, "web");
}

TEST(Drift, StatisticsThatDoNotApplyToAKindAreUndefined) {
  auto c = Categorical({{"a", 1}});
  EXPECT_EQ(ComputeDrift(DriftStatistic::kKs, c, c).value.undefined_reason, "KS applies to numeric columns");
}

TEST(Drift, NumericColumnsAreComparedOnTheBaselinesQuantileBins) {
  auto profile = [](const std::string& csv) {
    auto reader = testing::Csv(csv);
    ProfileOptions options;
    options.bins = 2;
    return std::move(ProfileDataset(*reader, options)).value().columns.at("x");
  };
  ColumnProfile b = profile("x\n1\n2\n3\n4\n");  // edge 3: bins [-inf, 3) and [3, inf)
  ColumnProfile c = profile("x\n3\n4\n5\n6\n");
  EXPECT_EQ(b.edges, (std::vector<double>{3}));
  EXPECT_EQ(b.bin_counts, (std::vector<int64_t>{2, 2}));
  DriftValue js = ComputeDrift(DriftStatistic::kJs, b, c);
  EXPECT_DOUBLE_EQ(js.value.value, JensenShannonDivergence({0.5, 0.5}, {0.0, 1.0}));
  EXPECT_DOUBLE_EQ(ComputeDrift(DriftStatistic::kKs, b, c).value.value, 0.5);
}

TEST(Drift, KsAgainstASavedProfileUsesItsBinEdgesAndSaysSo) {
  auto reader = testing::Csv("x\n1\n2\n3\n4\n");
  ProfileOptions options;
  options.bins = 2;
  auto profile = ProfileDataset(*reader, options);
  auto saved = ProfileFromJson(ProfileToJson(*profile).dump(), "base.json");
  ASSERT_TRUE(saved.ok()) << saved.status().message();
  auto current = ProfileDataset(*testing::Csv("x\n3\n4\n5\n6\n"), options);
  DriftValue ks = ComputeDrift(DriftStatistic::kKs, saved->columns.at("x"), current->columns.at("x"));
  EXPECT_TRUE(ks.approximate);
  EXPECT_DOUBLE_EQ(ks.value.value, 0.5);
}

}  // namespace
}  // namespace modelgate::gates
