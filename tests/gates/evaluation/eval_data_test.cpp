// LoadEvalData from a location: a large local CSV file is parsed on two cores, and the loaded data
// must be exactly what one sequential reader gives (values, category codes, slice rows, malformed
// rows) — checked on a file above the two-part threshold.
#include "gates/evaluation/eval_data.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "gates/io/csv_split.h"
#include "tests/gates/test_util.h"
#include "tests/operator/kube/test_files.h"

namespace modelgate::gates {
namespace {

constexpr const char* kPolicy = R"(
global_metrics:
  auc_roc: {min: 0.5}
  disparate_impact_ratio: {min: 0.5}
on_malformed_row: count
max_malformed_rows: 10
slices:
  - name: eu
    filter: "region == 'EU' and amount > 10"
    metrics: {auc_roc: {min: 0.5}}
behavioral_tests:
  - name: flips
    input_pairs: [[score, perturbed]]
    max_flip_rate: 0.5
)";

// ~20 MB; a protected-attribute value and a malformed row appear only in the second half, so the
// merge has to remap category codes and keep the malformed rows' lines.
std::string BigCsv(int rows) {
  std::string text =
      "id,region,amount,protected_attribute,label,score,champion_score,perturbed,note\n";
  const char* regions[] = {"EU", "US", "APAC"};
  for (int i = 0; i < rows; ++i) {
    const char* group = i > rows * 3 / 4 && i % 5 == 0 ? "nonbinary" : (i % 2 ? "female" : "male");
    double score = static_cast<double>((i * 7919) % 1000) / 1000.0;
    if (i == rows * 9 / 10) {
      text += std::to_string(i) + ",EU,12.5," + group + ",7,0.5,0.5,0.5,bad label\n";
      continue;
    }
    text += std::to_string(i) + "," + regions[i % 3] + "," + std::to_string(i % 40) + ".25," +
            group + "," + std::to_string((i * 31) % 3 == 0 ? 1 : 0) + "," + std::to_string(score) +
            "," + std::to_string(1.0 - score) + "," + std::to_string(score * 0.9) +
            ",\"a note, with a comma and \"\"quotes\"\"\"\n";
  }
  return text;
}

TEST(LoadEvalDataTest, ALargeFileReadInTwoPartsLoadsExactlyWhatOneReaderLoads) {
  kube::testing::TempDir dir;
  const std::string path = dir.Write("big.csv", BigCsv(220000));
  ASSERT_GT(std::filesystem::file_size(path), uint64_t{16} << 20);  // above the two-part threshold
  auto policy = ParseEvalPolicy(kPolicy, "p.yaml");
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  ASSERT_TRUE(CsvSplit::Plan(path, {}, uint64_t{16} << 20).has_value());

  auto split = LoadEvalData(*policy, path, ReadOptions{}, EvalLimits{});
  auto reader = OpenRecordReader(path);
  ASSERT_TRUE(reader.ok());
  auto one = LoadEvalData(*policy, **reader, EvalLimits{});
  ASSERT_TRUE(split.ok()) << split.status().message();
  ASSERT_TRUE(one.ok()) << one.status().message();

  EXPECT_EQ(split->rows, one->rows);
  EXPECT_EQ(split->labels, one->labels);
  EXPECT_EQ(split->binary, one->binary);
  EXPECT_EQ(split->scores, one->scores);
  EXPECT_EQ(split->champion, one->champion);
  ASSERT_EQ(split->attributes.size(), 1u);
  const auto& a = split->attributes.at("protected_attribute");
  const auto& b = one->attributes.at("protected_attribute");
  EXPECT_EQ(a.names, b.names);
  EXPECT_EQ(a.codes, b.codes);
  EXPECT_EQ(a.names.size(), 3u);
  EXPECT_EQ(split->extra, one->extra);
  EXPECT_EQ(split->slice_rows, one->slice_rows);
  EXPECT_EQ(split->malformed.count, 1);
  EXPECT_EQ(split->malformed.lines, one->malformed.lines);
  EXPECT_EQ(split->malformed.reasons, one->malformed.reasons);
}

TEST(LoadEvalDataTest, AppendRemapsCategoryCodesAndShiftsSliceRows) {
  EvalData first, second;
  first.rows = 2;
  first.scores = {0.1, 0.2};
  first.attributes["g"] = {{0, 1}, {"a", "b"}};
  first.slice_rows = {{1}};
  second.rows = 3;
  second.scores = {0.3, 0.4, 0.5};
  second.attributes["g"] = {{0, -1, 1}, {"c", "a"}};
  second.slice_rows = {{0, 2}};
  second.malformed.Add(9, "bad");
  AppendEvalData(&first, std::move(second));
  EXPECT_EQ(first.rows, 5);
  EXPECT_EQ(first.scores, (std::vector<double>{0.1, 0.2, 0.3, 0.4, 0.5}));
  EXPECT_EQ(first.attributes["g"].names, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(first.attributes["g"].codes, (std::vector<int32_t>{0, 1, 2, -1, 0}));
  EXPECT_EQ(first.slice_rows, (std::vector<std::vector<uint32_t>>{{1, 2, 4}}));
  EXPECT_EQ(first.malformed.count, 1);
  EXPECT_EQ(first.malformed.lines, (std::vector<int64_t>{9}));
}

}  // namespace
}  // namespace modelgate::gates
