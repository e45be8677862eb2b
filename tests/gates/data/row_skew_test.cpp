#include "gates/data/row_skew.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gates/data/data_gate.h"
#include "tests/gates/data/data_policy_util.h"

namespace modelgate::gates {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using testing::Policy;

Result<DatasetProfile> Read(const std::string& csv, const std::string& name,
                            RowObserver* observer) {
  auto reader = OpenCsvReader(StringByteSource(csv, name));
  if (!reader.ok()) return reader.status();
  ProfileOptions options;
  options.observer = observer;
  return ProfileDataset(**reader, options);
}

// The serving sample, then the training data, through one join; the status of the first read that
// failed, else the join's result.
Result<RowSkewResult> Join(const DataPolicy& policy, const std::string& training,
                           const std::string& serving) {
  RowSkewJoin join(policy);
  auto s = Read(serving, "serving.csv", &join.serving());
  if (!s.ok()) return s.status();
  auto t = Read(training, "train.csv", &join.training());
  if (!t.ok()) return t.status();
  return join.Finish();
}

RowSkewResult MustJoin(const std::string& yaml, const std::string& training,
                       const std::string& serving) {
  auto r = Join(Policy(yaml), training, serving);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : RowSkewResult{};
}

const RowSkewColumn& Column(const RowSkewResult& r, const std::string& name) {
  for (const auto& c : r.columns) {
    if (c.name == name) return c;
  }
  static const RowSkewColumn kNone;
  ADD_FAILURE() << "no column " << name;
  return kNone;
}

TEST(RowSkew, IdenticalRowsInAnyOrderPass) {
  RowSkewResult r = MustJoin("skew:\n  join_key: id\n", "id,p,x\n1,web,10\n2,app,20\n3,web,30\n",
                             "id,p,x\n3,web,30\n1,web,10\n2,app,20\n");
  EXPECT_TRUE(r.passed) << ::testing::PrintToString(r.failures);
  EXPECT_EQ(r.joined_rows, 3);
  EXPECT_EQ(r.training_rows, 3);
  EXPECT_EQ(r.serving_rows, 3);
  ASSERT_EQ(r.columns.size(), 2u);
  EXPECT_EQ(r.columns[0].name, "p");
  EXPECT_EQ(r.columns[0].compared, 3);
  EXPECT_EQ(r.columns[0].mismatches, 0);
  EXPECT_EQ(r.columns[0].mismatch_rate, 0.0);
  EXPECT_FALSE(r.worst_column.has_value());
}

TEST(RowSkew, NumbersWithinTheRelativeToleranceAreEqual) {
  // 1.0 = 1 as numbers; 100 vs 100.0000001 differ by 1e-7 <= 1e-8 * 100 (equal); 36.00 vs 36.50
  // differ by 0.5 > 1e-8 * 36.5.
  RowSkewResult r =
      MustJoin("skew:\n  join_key: id\n  numeric_tolerance: 1e-8\n  max_mismatch_rate: 0.5\n",
               "id,x\n1,1.0\n2,100\n3,36.00\n4,5\n", "id,x\n1,1\n2,100.0000001\n3,36.50\n4,5\n");
  const RowSkewColumn& x = Column(r, "x");
  EXPECT_EQ(x.mismatches, 1);
  EXPECT_DOUBLE_EQ(*x.mismatch_rate, 0.25);
  EXPECT_TRUE(x.passed);
  ASSERT_EQ(x.examples.size(), 1u);
  EXPECT_EQ(x.examples[0].key, "3");
  EXPECT_EQ(x.examples[0].training, "36.00");
  EXPECT_EQ(x.examples[0].serving, "36.50");
}

TEST(RowSkew, TheDefaultToleranceIsRelativeAndTight) {
  // |a - b| <= 1e-9 * max(1, |a|, |b|): 1e6 vs 1e6 + 1e-4 is equal, 1 vs 1.00001 is not.
  RowSkewResult r = MustJoin("skew:\n  join_key: id\n  max_mismatch_rate: 1\n",
                             "id,x\n1,1000000\n2,1\n", "id,x\n1,1000000.0001\n2,1.00001\n");
  EXPECT_EQ(Column(r, "x").mismatches, 1);
  EXPECT_EQ(Column(r, "x").examples[0].key, "2");
}

TEST(RowSkew, AColumnDeclaredStringComparesText) {
  RowSkewResult r = MustJoin(
      "columns:\n  code: {type: string}\n  amount: {type: number}\n"
      "skew:\n  join_key: id\n  max_mismatch_rate: 1\n",
      "id,code,amount\n1,1.0,1.0\n", "id,code,amount\n1,1,1\n");
  EXPECT_EQ(Column(r, "code").mismatches, 1);
  EXPECT_EQ(Column(r, "amount").mismatches, 0);
}

TEST(RowSkew, NullEqualsNullAndDiffersFromAValue) {
  // An unquoted empty field is null; "" (quoted) is the empty string, a value.
  RowSkewResult r = MustJoin("skew:\n  join_key: id\n  max_mismatch_rate: 1\n",
                             "id,p\n1,\n2,\n3,web\n4,\"\"\n", "id,p\n1,\n2,web\n3,\n4,\n");
  const RowSkewColumn& p = Column(r, "p");
  EXPECT_EQ(p.mismatches, 3);
  ASSERT_EQ(p.examples.size(), 3u);
  EXPECT_EQ(p.examples[0].training, std::nullopt);
  EXPECT_EQ(p.examples[0].serving, "web");
  EXPECT_EQ(p.examples[1].training, "web");
  EXPECT_EQ(p.examples[1].serving, std::nullopt);
  EXPECT_EQ(p.examples[2].training, "");
}

TEST(RowSkew, DuplicateKeysAreCountedAndTheirRowsNotCompared) {
  // Key 2 twice in serving, key 3 twice in training (its first row differs, then repeats): neither
  // is compared; 1 and 4 join and are equal.
  const char* training = "id,x\n1,a\n2,b\n3,DIFFERENT\n4,d\n3,c\n";
  const char* serving = "id,x\n1,a\n2,b\n2,b\n3,c\n4,d\n";
  RowSkewResult r = MustJoin("skew:\n  join_key: id\n", training, serving);
  EXPECT_EQ(r.duplicate_keys, 2);
  EXPECT_EQ(r.joined_rows, 2);
  EXPECT_EQ(Column(r, "x").mismatches, 0);
  EXPECT_TRUE(Column(r, "x").examples.empty());
  EXPECT_FALSE(r.passed);
  EXPECT_THAT(
      r.failures,
      ElementsAre("skew: 2 id values appear more than once in train.csv and serving.csv (at "
                  "most 0 allowed), e.g. 2; their rows were not compared"));
  EXPECT_TRUE(
      MustJoin("skew:\n  join_key: id\n  max_duplicate_keys: 2\n", training, serving).passed);
}

TEST(RowSkew, UnmatchedKeysAreCountedButDoNotFail) {
  // Training 1..4 and a null key; serving 3..6 and a null key.
  RowSkewResult r = MustJoin("skew:\n  join_key: id\n", "id,x\n1,a\n2,a\n3,a\n4,a\n,a\n",
                             "id,x\n3,a\n4,a\n5,a\n6,a\n,a\n");
  EXPECT_TRUE(r.passed) << ::testing::PrintToString(r.failures);
  EXPECT_EQ(r.joined_rows, 2);
  EXPECT_EQ(r.training_only, 3);
  EXPECT_EQ(r.serving_only, 3);
}

TEST(RowSkew, NoJoinedRowsFails) {
  RowSkewResult r = MustJoin("skew:\n  join_key: id\n", "id,x\n1,a\n2,a\n", "id,x\n3,a\n");
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.joined_rows, 0);
  EXPECT_EQ(Column(r, "x").mismatch_rate, std::nullopt);
  EXPECT_FALSE(Column(r, "x").passed);
  EXPECT_THAT(
      r.failures,
      ElementsAre("skew: 0 rows of train.csv and serving.csv joined on id; at least 1 required "
                  "(2 training rows and 1 serving rows have no counterpart, 0 duplicate keys)"));
}

TEST(RowSkew, FewerJoinedRowsThanMinJoinedRowsFails) {
  RowSkewResult r = MustJoin("skew:\n  join_key: id\n  min_joined_rows: 3\n", "id,x\n1,a\n2,a\n",
                             "id,x\n1,a\n2,a\n");
  EXPECT_FALSE(r.passed);
  EXPECT_THAT(
      r.failures,
      Contains(HasSubstr("2 rows of train.csv and serving.csv joined on id; at least 3 required")));
}

TEST(RowSkew, APerColumnLimitOverridesTheDefault) {
  // One of four joined rows differs in both columns: 25 % is within the default 30 % for a, above
  // b's own 0 %.
  RowSkewResult r = MustJoin(
      "skew:\n  join_key: id\n  max_mismatch_rate: 0.3\n"
      "  per_column:\n    b: {max_mismatch_rate: 0.0}\n",
      "id,a,b\n1,x,36.00\n2,x,1\n3,x,1\n4711,x,1\n", "id,a,b\n1,y,36.50\n2,x,1\n3,x,1\n4711,x,1\n");
  EXPECT_TRUE(Column(r, "a").passed);
  EXPECT_DOUBLE_EQ(Column(r, "a").max, 0.3);
  EXPECT_FALSE(Column(r, "b").passed);
  EXPECT_DOUBLE_EQ(Column(r, "b").max, 0.0);
  EXPECT_THAT(r.failures,
              ElementsAre("skew: b differs between training and serving on 1 of 4 joined rows "
                          "(25.00 %, max 0 %); e.g. key 1: training 36.00, serving 36.50"));
  ASSERT_TRUE(r.worst_column.has_value());
  EXPECT_EQ(r.columns[*r.worst_column].name, "b");  // equal rates: the failing column
}

TEST(RowSkew, ByDefaultEveryColumnInBothSamplesIsComparedAndTheRestNoted) {
  RowSkewResult r = MustJoin("skew:\n  join_key: id\n", "id,a,only_train,b\n1,x,1,y\n",
                             "id,b,only_serving,a\n1,y,2,x\n");
  ASSERT_EQ(r.columns.size(), 2u);
  EXPECT_EQ(r.columns[0].name, "a");
  EXPECT_EQ(r.columns[1].name, "b");
  EXPECT_THAT(r.notes,
              ElementsAre("row-level skew compares the columns in both samples; only in train.csv: "
                          "only_train; only in serving.csv: only_serving"));
}

TEST(RowSkew, CompareLimitsTheColumns) {
  RowSkewResult r =
      MustJoin("skew:\n  join_key: id\n  compare: [b]\n", "id,a,b\n1,x,y\n", "id,a,b\n1,z,y\n");
  ASSERT_EQ(r.columns.size(), 1u);
  EXPECT_EQ(r.columns[0].name, "b");
  EXPECT_TRUE(r.passed);
}

TEST(RowSkew, AtMostFiveExamplesInTheOrderSeen) {
  std::string training = "id,x\n", serving = "id,x\n";
  for (int i = 0; i < 8; ++i) {
    training += std::to_string(i) + ",a\n";
    serving += std::to_string(i) + ",b\n";
  }
  RowSkewResult r = MustJoin("skew:\n  join_key: id\n", training, serving);
  const RowSkewColumn& x = Column(r, "x");
  EXPECT_EQ(x.mismatches, 8);
  ASSERT_EQ(x.examples.size(), kMaxRowSkewExamples);
  EXPECT_EQ(x.examples[0].key, "0");
  EXPECT_EQ(x.examples[4].key, "4");
}

TEST(RowSkew, ValuesLargerThanAnArenaBlockCompareWhole) {
  // 300 KB values, equal but for their last byte on key 2, stored between small ones.
  const std::string big(300000, 'v');
  RowSkewResult r = MustJoin("skew:\n  join_key: id\n  max_mismatch_rate: 1\n",
                             "id,x\n1," + big + "a\n2," + big + "a\n3,s\n",
                             "id,x\n1," + big + "a\n2," + big + "b\n3,s\n");
  EXPECT_EQ(Column(r, "x").mismatches, 1);
  ASSERT_EQ(Column(r, "x").examples.size(), 1u);
  EXPECT_EQ(Column(r, "x").examples[0].key, "2");
}

TEST(RowSkew, AJoinKeyMissingFromASampleIsAnInputErrorNamingFileAndColumn) {
  DataPolicy policy = Policy("skew:\n  join_key: transaction_id\n");
  auto serving = Join(policy, "transaction_id,x\n1,a\n", "transaction_idd,x\n1,a\n");
  ASSERT_FALSE(serving.ok());
  EXPECT_EQ(serving.status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(
      serving.status().message(),
      "serving.csv: no column 'transaction_id' (skew.join_key); did you mean 'transaction_idd'?");
  auto training = Join(policy, "id,x\n1,a\n", "transaction_id,x\n1,a\n");
  ASSERT_FALSE(training.ok());
  EXPECT_EQ(training.status().message(), "train.csv: no column 'transaction_id' (skew.join_key)");
}

TEST(RowSkew, AListedColumnMissingFromASampleIsAnInputError) {
  auto r = Join(Policy("skew:\n  join_key: id\n  compare: [amount]\n"), "id,amount\n1,2\n",
                "id,amounts\n1,2\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "serving.csv: no column 'amount' (skew.compare); did you mean 'amounts'?");
}

TEST(RowSkew, TheGateFailsWithTheSentenceAndReportsTheRowLevelSection) {
  DataPolicy policy = Policy("skew:\n  join_key: id\n  max_mismatch_rate: 0.01\n");
  RowSkewResult joined = *Join(policy, "id,x\n1,1\n2,2\n", "id,x\n1,1\n2,3\n");
  auto reader = OpenCsvReader(StringByteSource("id,x\n1,1\n2,2\n", "train.csv"));
  auto current = ProfileDataset(**reader, ProfileOptions{});
  DataResult r = RunDataGate(policy, *current, nullptr, nullptr, &joined);
  EXPECT_EQ(r.outcome, GateOutcome::kFailed);
  EXPECT_THAT(
      r.failures,
      Contains("skew: x differs between training and serving on 1 of 2 joined rows (50.00 %, "
               "max 1 %); e.g. key 2: training 2, serving 3"));
  auto report = RenderDataReport(r, "data.yaml", "train.csv");
  const auto& row = report["skew"]["row_level"];
  EXPECT_EQ(row["join_key"], "id");
  EXPECT_EQ(row["joined_rows"], 2);
  EXPECT_EQ(row["worst_column"], "x");
  EXPECT_EQ(row["columns"][0]["mismatches"], 1);
  EXPECT_EQ(row["columns"][0]["examples"][0]["serving"], "3");
  std::string text = RenderDataText(r, "data.yaml", "train.csv");
  EXPECT_THAT(text, HasSubstr("ROW-LEVEL SKEW joined on id: 2 joined rows"));
}

TEST(RowSkew, WithoutAServingSampleTheCheckIsSkippedWithANote) {
  DataPolicy policy = Policy("skew:\n  join_key: id\n");
  auto reader = OpenCsvReader(StringByteSource("id,x\n1,1\n", "train.csv"));
  auto current = ProfileDataset(**reader, ProfileOptions{});
  DataResult r = RunDataGate(policy, *current, nullptr, nullptr);
  EXPECT_EQ(r.outcome, GateOutcome::kPassed);
  EXPECT_THAT(
      r.notes,
      Contains(
          "row-level skew checks (skew.join_key) were skipped: no --serving sample was given"));
  EXPECT_TRUE(RenderDataReport(r, "data.yaml", "train.csv")["skew"].is_null());
}

}  // namespace
}  // namespace modelgate::gates
