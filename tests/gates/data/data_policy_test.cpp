#include "gates/data/data_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace modelgate::gates {
namespace {

using ::testing::ElementsAre;

std::string ErrorOf(const std::string& yaml) {
  auto p = ParseDataPolicy(yaml, "d.yaml");
  return p.ok() ? "(parsed)" : p.status().message();
}

TEST(DataPolicy, RowLevelSkewKeysParseWithTheirDefaults) {
  auto p = ParseDataPolicy("skew:\n  join_key: transaction_id\n", "d.yaml");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_TRUE(p->row_skew.configured);
  EXPECT_EQ(p->row_skew.join_key, "transaction_id");
  EXPECT_TRUE(p->row_skew.compare.empty());
  EXPECT_EQ(p->row_skew.max_mismatch_rate, 0.0);
  EXPECT_EQ(p->row_skew.numeric_tolerance, 1e-9);
  EXPECT_EQ(p->row_skew.min_joined_rows, 1);
  EXPECT_EQ(p->row_skew.max_duplicate_keys, 0);
  EXPECT_FALSE(p->skew.configured);  // no distribution statistic
}

TEST(DataPolicy, RowLevelSkewSitsNextToTheDistributionChecks) {
  auto p = ParseDataPolicy(
      "skew:\n  js: {max: 0.05}\n  join_key: transaction_id\n  compare: [platform, "
      "transaction_amount]\n"
      "  max_mismatch_rate: 0.01\n  numeric_tolerance: 1e-6\n  min_joined_rows: 100\n  "
      "max_duplicate_keys: 3\n"
      "  per_column:\n    transaction_amount: {max_mismatch_rate: 0.0}\n    platform: {js: {max: "
      "0.1}}\n",
      "d.yaml");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_TRUE(p->skew.configured);
  EXPECT_EQ(p->skew.max.at(DriftStatistic::kJs), 0.05);
  EXPECT_EQ(p->skew.per_column.size(), 1u);  // only platform carries a distribution limit
  EXPECT_THAT(p->row_skew.compare, ElementsAre("platform", "transaction_amount"));
  EXPECT_EQ(p->row_skew.max_mismatch_rate, 0.01);
  EXPECT_EQ(p->row_skew.numeric_tolerance, 1e-6);
  EXPECT_EQ(p->row_skew.min_joined_rows, 100);
  EXPECT_EQ(p->row_skew.max_duplicate_keys, 3);
  EXPECT_EQ(p->row_skew.per_column_max.at("transaction_amount"), 0.0);
}

TEST(DataPolicy, AnUnknownSkewKeySuggestsTheNearest) {
  EXPECT_EQ(ErrorOf("skew:\n  join_kye: id\n"),
            "policy d.yaml: skew.join_kye: unknown field; did you mean 'join_key'? (line 2)");
}

TEST(DataPolicy, RowLevelKeysAreNotDriftKeys) {
  EXPECT_EQ(ErrorOf("drift:\n  psi: {max: 0.1}\n  join_key: id\n"),
            "policy d.yaml: drift.join_key: unknown field (line 3)");
}

TEST(DataPolicy, BadRowLevelValuesNameTheirPath) {
  EXPECT_EQ(ErrorOf("skew:\n  join_key: id\n  max_mismatch_rate: x\n"),
            "policy d.yaml: skew.max_mismatch_rate: expected a number, got 'x' (line 3)");
  EXPECT_EQ(ErrorOf("skew:\n  join_key: id\n  max_mismatch_rate: 1.5\n"),
            "policy d.yaml: skew.max_mismatch_rate: must be between 0 and 1 (a share of the joined "
            "rows), got 1.5 (line 3)");
  EXPECT_EQ(ErrorOf("skew:\n  join_key: id\n  per_column:\n    x: {max_mismatch_rate: -0.1}\n"),
            "policy d.yaml: skew.per_column.x.max_mismatch_rate: must be between 0 and 1 (a share "
            "of the joined "
            "rows), got -0.1 (line 4)");
  EXPECT_EQ(ErrorOf("skew:\n  join_key: id\n  numeric_tolerance: -1\n"),
            "policy d.yaml: skew.numeric_tolerance: must not be negative (line 3)");
  EXPECT_EQ(ErrorOf("skew:\n  join_key: id\n  min_joined_rows: 0\n"),
            "policy d.yaml: skew.min_joined_rows: must be at least 1 (no joined rows is never a "
            "pass) (line 3)");
  EXPECT_EQ(ErrorOf("skew:\n  join_key: id\n  max_duplicate_keys: 1.5\n"),
            "policy d.yaml: skew.max_duplicate_keys: expected a whole number, got '1.5' (line 3)");
  EXPECT_EQ(ErrorOf("skew:\n  join_key: [id]\n"),
            "policy d.yaml: skew.join_key: expected a text value, got a list (line 2)");
  EXPECT_EQ(ErrorOf("skew:\n  join_key: id\n  compare: id\n"),
            "policy d.yaml: skew.compare: expected a list of column names (line 3)");
  EXPECT_EQ(ErrorOf("skew:\n  join_key: id\n  compare: [a, id]\n"),
            "policy d.yaml: skew.compare[1]: 'id' is the join key; it is not compared (line 3)");
}

TEST(DataPolicy, RowLevelKeysNeedAJoinKey) {
  EXPECT_EQ(ErrorOf("skew:\n  js: {max: 0.1}\n  max_mismatch_rate: 0.1\n"),
            "policy d.yaml: skew.max_mismatch_rate: needs join_key (the column that identifies an "
            "example in both "
            "samples) (line 3)");
  EXPECT_EQ(ErrorOf("skew:\n  js: {max: 0.1}\n  per_column:\n    x: {max_mismatch_rate: 0.1}\n"),
            "policy d.yaml: skew.per_column.x.max_mismatch_rate: needs join_key (the column that "
            "identifies an "
            "example in both samples) (line 4)");
}

TEST(DataPolicy, AnEmptySkewBlockNamesWhatToSet) {
  EXPECT_EQ(ErrorOf("skew:\n  bins: 5\n"),
            "policy d.yaml: skew: set at least one of psi, ks, js, linf with a max, or "
            "max_mismatch_rate with "
            "join_key (line 2)");
}

}  // namespace
}  // namespace modelgate::gates
