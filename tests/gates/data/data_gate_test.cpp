#include "gates/data/data_gate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/gates/data/data_policy_util.h"
#include "tests/gates/test_util.h"

namespace modelgate::gates {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

using testing::Policy;

DatasetProfile Profile(const DataPolicy& policy, const std::string& csv) {
  auto reader = testing::Csv(csv);
  auto profile = ProfileDataset(*reader, DataProfileOptions(policy, 0));
  EXPECT_TRUE(profile.ok()) << profile.status().message();
  return std::move(profile).value();
}

const char* kSchema =
    "min_rows: 2\n"
    "columns:\n"
    "  age: {type: integer, min: 0, max: 120, max_null_rate: 0.25}\n"
    "  platform: {type: string, allowed: [mobile, web], max_cardinality: 2}\n";

TEST(DataGate, ConformingDataPasses) {
  DataPolicy policy = Policy(kSchema);
  DatasetProfile data = Profile(policy, "age,platform\n30,mobile\n40,web\n,web\n50,mobile\n");
  DataResult r = RunDataGate(policy, data, nullptr, nullptr);
  EXPECT_EQ(r.outcome, GateOutcome::kPassed) << ::testing::PrintToString(r.failures);
}

TEST(DataGate, ReportsTypeRangeAllowedNullAndCardinalityViolations) {
  DataPolicy policy = Policy(kSchema);
  DatasetProfile data = Profile(policy, "age,platform\n30.5,mobile\nold,tv\n,web\n,web\n200,app\n");
  DataResult r = RunDataGate(policy, data, nullptr, nullptr);
  EXPECT_EQ(r.outcome, GateOutcome::kFailed);
  EXPECT_THAT(r.failures, Contains("column age: type failed: 2 of 3 values are not integer (e.g. 'old' on line 3)"));
  EXPECT_THAT(r.failures, Contains("column age: max failed: 1 values above the maximum 120 (largest 200)"));
  EXPECT_THAT(r.failures, Contains("column age: null_rate failed: 40.00% null (2 of 5); at most 25.00% allowed"));
  EXPECT_THAT(r.failures, Contains("column platform: allowed failed: 2 values are not in the allowed list ('app', 'tv')"));
  EXPECT_THAT(r.failures, Contains("column platform: max_cardinality failed: 4 distinct values; at most 2 allowed"));
}

TEST(DataGate, AMissingRequiredColumnFailsAndSuggestsTheNearest) {
  DataPolicy policy = Policy(kSchema);
  DatasetProfile data = Profile(policy, "agee,platform\n1,web\n2,web\n");
  DataResult r = RunDataGate(policy, data, nullptr, nullptr);
  EXPECT_THAT(r.failures, Contains("column age: present failed: missing column (did you mean 'agee'?)"));
}

TEST(DataGate, TooFewRowsFails) {
  DataPolicy policy = Policy(kSchema);
  DataResult r = RunDataGate(policy, Profile(policy, "age,platform\n1,web\n"), nullptr, nullptr);
  EXPECT_THAT(r.failures, Contains("dataset: rows failed: 1 rows; at least 2 required"));
}

TEST(DataGate, ExtraColumnsFailOnlyWhenDisallowed) {
  DataPolicy policy = Policy(std::string(kSchema) + "allow_extra_columns: false\n");
  DataResult r = RunDataGate(policy, Profile(policy, "age,platform,x\n1,web,1\n2,web,2\n"), nullptr, nullptr);
  EXPECT_THAT(r.failures, Contains("column x: expected failed: the column is not in the schema (allow_extra_columns: false)"));
}

TEST(DataGate, DriftNamesTheWorstColumnAndValueWithUnits) {
  DataPolicy policy = Policy("drift:\n  linf: {max: 0.2}\n  psi: {max: 10}\n");
  DatasetProfile baseline = Profile(policy, "p,x\nmobile,1\nweb,2\nmobile,3\nweb,4\n");
  DatasetProfile current = Profile(policy, "p,x\nmobile,1\nmobile,2\nmobile,3\nweb,4\n");
  DataResult r = RunDataGate(policy, current, &baseline, nullptr);
  EXPECT_EQ(r.outcome, GateOutcome::kFailed);
  ASSERT_TRUE(r.drift.ran);
  const DriftOutcome& worst = r.drift.results[r.drift.worst.at(DriftStatistic::kLinf)];
  EXPECT_EQ(worst.column, "p");
  EXPECT_DOUBLE_EQ(worst.value.value.value, 0.25);
  EXPECT_THAT(r.failures, Contains(HasSubstr("drift column p: linf = 0.2500 probability (L-infinity, max share "
                                             "difference) exceeds the maximum 0.2; the value that moved most is")));
  auto report = RenderDataReport(r, "data.yaml", "data.csv");
  EXPECT_EQ(report["drift"]["statistics"]["linf"]["worst_column"], "p");
  EXPECT_EQ(report["drift"]["statistics"]["psi"]["unit"], "nats (population stability index)");
}

TEST(DataGate, PerColumnDriftLimitsOverrideTheSectionLimits) {
  // linf of p is 0.25: above the section's 0.2 but within p's own 0.3; q gets a stricter 0.1.
  DataPolicy policy = Policy("drift:\n  columns: [p]\n  linf: {max: 0.2}\n"
                             "  per_column:\n    p: {linf: {max: 0.3}}\n    q: {linf: {max: 0.1}}\n");
  DatasetProfile baseline = Profile(policy, "p,q\nmobile,a\nweb,a\nmobile,b\nweb,b\n");
  DatasetProfile current = Profile(policy, "p,q\nmobile,a\nmobile,a\nmobile,a\nweb,b\n");
  DataResult r = RunDataGate(policy, current, &baseline, nullptr);
  ASSERT_EQ(r.drift.results.size(), 2u);
  EXPECT_EQ(r.drift.results[0].column, "p");
  EXPECT_DOUBLE_EQ(r.drift.results[0].limit, 0.3);
  EXPECT_EQ(r.drift.results[0].status, CheckStatus::kPassed);
  EXPECT_EQ(r.drift.results[1].column, "q");
  EXPECT_DOUBLE_EQ(r.drift.results[1].limit, 0.1);
  EXPECT_EQ(r.drift.results[1].status, CheckStatus::kFailed);
  EXPECT_EQ(r.outcome, GateOutcome::kFailed);
}

TEST(DataPolicy, PerColumnDriftLimitsNameTheirField) {
  auto p = ParseDataPolicy("drift:\n  per_column:\n    x: {psi: {maxx: 1}}\n", "d.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.status().message(), HasSubstr("drift.per_column.x.psi"));
  auto only = ParseDataPolicy("drift:\n  per_column:\n    x: {psi: {max: 0.1}}\n", "d.yaml");
  EXPECT_TRUE(only.ok()) << only.status().message();
}

TEST(DataGate, DriftWithoutABaselineIsSkippedWithANote) {
  DataPolicy policy = Policy("drift:\n  psi: {max: 0.2}\n");
  DataResult r = RunDataGate(policy, Profile(policy, "x\n1\n"), nullptr, nullptr);
  EXPECT_EQ(r.outcome, GateOutcome::kPassed);
  EXPECT_THAT(r.notes, Contains("drift checks were skipped: no --baseline was given"));
}

TEST(DataGate, SkewComparesTrainingWithServing) {
  DataPolicy policy = Policy("skew:\n  ks: {max: 0.3}\n");
  DatasetProfile training = Profile(policy, "x\n1\n2\n3\n4\n");
  DatasetProfile serving = Profile(policy, "x\n3\n4\n5\n6\n");
  DataResult r = RunDataGate(policy, training, nullptr, &serving);
  EXPECT_EQ(r.outcome, GateOutcome::kFailed);
  EXPECT_DOUBLE_EQ(r.skew.results[0].value.value.value, 0.5);
}

TEST(DataPolicy, ErrorsNameTheField) {
  EXPECT_EQ(ParseDataPolicy("columns: {age: {type: int}}\n", "d.yaml").status().message(),
            "policy d.yaml: columns.age.type: expected integer, number, string or boolean, got 'int' (line 1)");
  EXPECT_EQ(ParseDataPolicy("drift: {psi: {max: high}}\n", "d.yaml").status().message(),
            "policy d.yaml: drift.psi.max: expected a number, got 'high' (line 1)");
  EXPECT_EQ(ParseDataPolicy("drift: {kl: {max: 1}}\n", "d.yaml").status().message(),
            "policy d.yaml: drift.kl: unknown field; did you mean 'ks'? (line 1)");
}

TEST(Profile, RoundTripsThroughItsJsonFile) {
  auto reader = testing::Csv("x,p\n1,a\n2,b\n,a\n");
  auto profile = ProfileDataset(*reader, ProfileOptions{});
  auto back = ProfileFromJson(ProfileToJson(*profile).dump(), "p.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->rows, 3);
  EXPECT_EQ(back->columns.at("x").nulls, 1);
  EXPECT_EQ(back->columns.at("p").category_counts.at("a"), 2);
  EXPECT_EQ(back->columns.at("x").bin_counts, profile->columns.at("x").bin_counts);
}

TEST(Profile, RejectsOtherJson) {
  EXPECT_EQ(ProfileFromJson("{}", "p.json").status().message(),
            "profile p.json: expected a profile written by `modelgate profile` (\"kind\": "
            "\"modelgate-profile\", rows, columns)");
}

}  // namespace
}  // namespace modelgate::gates

namespace modelgate::gates {
namespace {

TEST(Profile, AColumnWithTextAfterNumbersBecomesCategoricalAndKeepsEveryValue) {
  auto reader = testing::Csv("x\n1\n2.50\nabc\n1\n");
  auto profile = ProfileDataset(*reader, ProfileOptions{});
  ASSERT_TRUE(profile.ok());
  const ColumnProfile& x = profile->columns.at("x");
  EXPECT_EQ(x.kind, ColumnKind::kCategorical);
  EXPECT_EQ(x.category_counts.at("1"), 2);
  EXPECT_EQ(x.category_counts.at("2.5"), 1);  // numbers seen before the switch keep their shortest text
  EXPECT_EQ(x.category_counts.at("abc"), 1);
  EXPECT_EQ(x.distinct, 3);
}

TEST(Profile, QuantileEdgesPutEqualShareInEachBin) {
  std::vector<double> sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_EQ(QuantileEdges(sorted, 5), (std::vector<double>{3, 5, 7, 9}));
  EXPECT_EQ(BinCounts(sorted, QuantileEdges(sorted, 5)), (std::vector<int64_t>{2, 2, 2, 2, 2}));
  std::vector<double> tied = {1, 1, 1, 1, 2};
  EXPECT_EQ(QuantileEdges(tied, 4), (std::vector<double>{2}));  // duplicates and the minimum removed
}


TEST(DataGate, CountsMalformedRowsAndFailsAboveTheLimit) {
  DataPolicy policy = Policy("on_malformed_row: count\nmax_malformed_rows: 1\n"
                             "columns:\n  age: {type: integer}\n");
  DatasetProfile ok = Profile(policy, "age,platform\n30,mobile\n40\n50,web\n");
  ASSERT_TRUE(ok.malformed.has_value());
  EXPECT_EQ(ok.rows, 2);
  EXPECT_EQ(ok.malformed->count, 1);
  DataResult passed = RunDataGate(policy, ok, nullptr, nullptr);
  EXPECT_EQ(passed.outcome, GateOutcome::kPassed) << ::testing::PrintToString(passed.failures);
  ASSERT_EQ(passed.malformed_rows.size(), 1u);
  EXPECT_EQ(passed.malformed_rows[0]["count"], 1);

  DatasetProfile bad = Profile(policy, "age,platform\n30,mobile\n40\n\"x\"y,1\n50,web\n");
  DataResult failed = RunDataGate(policy, bad, nullptr, nullptr);
  EXPECT_EQ(failed.outcome, GateOutcome::kFailed);
  EXPECT_THAT(failed.failures, Contains(HasSubstr("2 malformed rows in data.csv")));
}

}  // namespace
}  // namespace modelgate::gates
