#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "gates/evaluation/evaluation_gate.h"
#include "tests/gates/policy/seed_policy.h"
#include "tests/gates/test_util.h"

namespace modelgate::gates {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Result<EvalResult> Evaluate(const std::string& policy_yaml, const std::string& csv,
                            EvaluationOptions options = {}) {
  auto policy = ParseEvalPolicy(policy_yaml, "p.yaml");
  if (!policy.ok()) return policy.status();
  auto reader = OpenCsvReader(StringByteSource(csv, "data.csv"));
  if (!reader.ok()) return reader.status();
  return RunEvaluationGate(*policy, **reader, options);
}

std::string ErrorOf(const std::string& policy_yaml, const std::string& csv) {
  auto r = Evaluate(policy_yaml, csv);
  return r.ok() ? "no error" : r.status().message();
}

// Eight rows: region EU rows 0-3 ranked perfectly, US rows 4-7 ranked inversely.
const std::string kData =
    "region,label,score,champion_score\n"
    "EU,0,0.1,0.2\nEU,0,0.2,0.1\nEU,1,0.8,0.7\nEU,1,0.9,0.6\n"
    "US,0,0.9,0.1\nUS,0,0.8,0.2\nUS,1,0.2,0.9\nUS,1,0.1,0.8\n";

TEST(EvaluationGate, PassesWhenEveryScopeMeetsItsLimits) {
  auto r = Evaluate("slices:\n  - {name: eu, filter: \"region == 'EU'\", metrics: {auc_roc: {min: 0.9}}}\n",
                    kData);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->outcome, GateOutcome::kPassed);
  EXPECT_TRUE(r->passed);
  EXPECT_EQ(r->rows, 8);
  EXPECT_EQ(r->slices[0].rows, 4);
  EXPECT_DOUBLE_EQ(r->slices[0].metrics[0].value.value, 1.0);
  EXPECT_TRUE(r->failures.empty());
}

TEST(EvaluationGate, AnyFailingSliceBlocksEvenWhenTheGlobalMetricPasses) {
  auto r = Evaluate("global_metrics: {count: {min: 1}}\n"
                    "slices:\n"
                    "  - {name: eu, filter: \"region == 'EU'\", metrics: {auc_roc: {min: 0.9}}}\n"
                    "  - {name: us, filter: \"region == 'US'\", metrics: {auc_roc: {min: 0.9}}}\n",
                    kData);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, GateOutcome::kFailed);
  EXPECT_EQ(r->slices[0].status, CheckStatus::kPassed);
  EXPECT_EQ(r->slices[1].status, CheckStatus::kFailed);
  EXPECT_THAT(r->failures, ElementsAre("slice us (4 rows): auc_roc = 0.0000 is below the minimum 0.9"));
}

TEST(EvaluationGate, ASliceBelowMinRowsIsInconclusiveAndBlocks) {
  auto r = Evaluate("slices:\n  - {name: eu, filter: \"region == 'EU'\", min_rows: 5, "
                    "metrics: {auc_roc: {min: 0.5}}}\n",
                    kData);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, GateOutcome::kInconclusive);
  EXPECT_FALSE(r->passed);
  EXPECT_THAT(r->failures,
              ElementsAre("slice eu (4 rows): inconclusive: fewer rows than min_rows 5; add "
                          "evaluation data for this slice or lower its min_rows"));
}

TEST(EvaluationGate, AllowInconclusiveLetsAnUndersizedSlicePass) {
  auto r = Evaluate("allow_inconclusive: true\n"
                    "slices:\n  - {name: eu, filter: \"region == 'EU'\", min_rows: 5, "
                    "metrics: {auc_roc: {min: 0.5}}}\n",
                    kData);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, GateOutcome::kPassed);
  EXPECT_THAT(r->notes, ElementsAre("inconclusive checks were allowed by allow_inconclusive"));
}

TEST(EvaluationGate, AnEmptySliceIsInconclusive) {
  auto r = Evaluate("slices:\n  - {name: apac, filter: \"region == 'APAC'\", metrics: {count: {min: 0}}}\n",
                    kData);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->slices[0].rows, 0);
  EXPECT_EQ(r->outcome, GateOutcome::kInconclusive);
}

TEST(EvaluationGate, AnUndefinedMetricIsInconclusiveWithItsReason) {
  auto r = Evaluate("slices:\n  - {name: eu_neg, filter: \"region == 'EU' and label == 0\", "
                    "metrics: {auc_roc: {min: 0.5}}}\n",
                    kData);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, GateOutcome::kInconclusive);
  EXPECT_THAT(r->failures, ElementsAre("slice eu_neg (2 rows): auc_roc: inconclusive (min): auc_roc "
                                       "is undefined: only one class (all labels are 0)"));
}

TEST(EvaluationGate, ARegressionAgainstTheChampionColumnBeyondTheLimitFails) {
  // Global: challenger AUC 0.5 (EU perfect, US inverted), champion AUC from its column.
  auto r = Evaluate("global_metrics: {auc_roc: {max_regression_vs_champion: 0.02}}\n", kData);
  ASSERT_TRUE(r.ok());
  const auto& auc = r->global.metrics[0];
  EXPECT_DOUBLE_EQ(auc.value.value, 0.5);
  ASSERT_TRUE(auc.champion.has_value());
  EXPECT_DOUBLE_EQ(*auc.champion, 1.0);
  EXPECT_EQ(r->champion_source, "column champion_score");
  EXPECT_EQ(r->outcome, GateOutcome::kFailed);
  EXPECT_THAT(r->failures, ElementsAre("global (all 8 rows): auc_roc regressed by 0.5000 against the "
                                       "champion (1.0000 -> 0.5000), more than the allowed 0.02"));
}

TEST(EvaluationGate, RelativeRegressionIsMeasuredAgainstTheChampionValue) {
  auto r = Evaluate("global_metrics: {auc_roc: {max_relative_regression_vs_champion: 0.6}}\n", kData);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->global.metrics[0].checks[0].observed, 0.5);
  EXPECT_EQ(r->outcome, GateOutcome::kPassed);
}

TEST(EvaluationGate, AnInsignificantRegressionPassesWhenASignificanceLevelIsSet) {
  // On 8 rows a 0.5 drop is not significant at 1e-6 under DeLong's test.
  auto r = Evaluate("global_metrics: {auc_roc: {max_regression_vs_champion: 0.02, significance: 0.000001}}\n",
                    kData);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->global.metrics[0].checks[0].p_value.has_value());
  EXPECT_GT(*r->global.metrics[0].checks[0].p_value, 0.000001);
  EXPECT_EQ(r->outcome, GateOutcome::kPassed);
}

TEST(EvaluationGate, NotBeatingTheChampionUnderRequireImprovementRetainsTheChampion) {
  auto r = Evaluate("global_metrics: {auc_roc: {min: 0.4, require_improvement: true}}\n", kData);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, GateOutcome::kChampionRetained);
  EXPECT_FALSE(r->passed);
  EXPECT_THAT(r->failures, ElementsAre("global (all 8 rows): auc_roc: champion retained: the "
                                       "challenger (0.5000) does not improve on the champion (1.0000)"));
}

TEST(EvaluationGate, UsesAChampionReportWhenTheDataHasNoChampionColumn) {
  ChampionValues champion;
  champion.source_name = "old.json";
  champion.by_scope["global"]["auc_roc"] = 0.51;
  EvaluationOptions options;
  options.champion_report = champion;
  auto r = Evaluate("global_metrics: {auc_roc: {max_regression_vs_champion: 0.02}}\n",
                    "label,score\n0,0.1\n1,0.9\n0,0.8\n1,0.2\n", options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->champion_source, "report old.json");
  EXPECT_DOUBLE_EQ(*r->global.metrics[0].champion, 0.51);
  EXPECT_EQ(r->outcome, GateOutcome::kPassed);  // 0.51 - 0.5 <= 0.02
}

TEST(EvaluationGate, WithoutAnyChampionTheComparisonIsSkippedUnlessRequired) {
  const std::string data = "label,score\n0,0.1\n1,0.9\n";
  auto r = Evaluate("global_metrics: {auc_roc: {min: 0.5, max_regression_vs_champion: 0.02}}\n", data);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, GateOutcome::kPassed);
  EXPECT_EQ(r->global.metrics[0].checks[1].status, CheckStatus::kSkipped);
  EXPECT_THAT(r->notes, ElementsAre(HasSubstr("champion comparisons were skipped")));
  auto required = Evaluate("require_champion: true\n"
                           "global_metrics: {auc_roc: {min: 0.5, max_regression_vs_champion: 0.02}}\n",
                           data);
  EXPECT_EQ(required->outcome, GateOutcome::kInconclusive);
}

TEST(EvaluationGate, LowerIsBetterMetricsRegressUpwards) {
  // Challenger errors 0.5 each -> rmse 0.5; champion exact -> 0.
  auto r = Evaluate("global_metrics: {rmse: {max_regression_vs_champion: 0.1}}\n",
                    "label,score,champion_score\n1.0,1.5,1.0\n2.0,2.5,2.0\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_DOUBLE_EQ(r->global.metrics[0].checks[0].observed, 0.5);
  EXPECT_EQ(r->outcome, GateOutcome::kFailed);
}

TEST(EvaluationGate, FairnessMetricsUseTheProtectedAttributeColumn) {
  auto r = Evaluate("columns: {protected_attribute: region}\n"
                    "global_metrics: {disparate_impact_ratio: {min: 0.8}}\n",
                    kData);
  ASSERT_TRUE(r.ok()) << r.status().message();
  // EU selects 2 of 4 (0.8, 0.9), US selects 2 of 4 (0.9, 0.8): ratio 1.
  EXPECT_DOUBLE_EQ(r->global.metrics[0].value.value, 1.0);
  EXPECT_EQ(r->global.metrics[0].groups.size(), 2u);
}

TEST(EvaluationGate, InvarianceCountsLabelFlipsBetweenPairedScoreColumns) {
  auto r = Evaluate("behavioral_tests:\n  - {name: typo, input_pairs: [[canonical, perturbed]], max_flip_rate: 0.3}\n",
                    "label,score,canonical,perturbed\n"
                    "0,0.1,0.6,0.4\n0,0.1,0.2,0.3\n1,0.1,0.9,0.8\n1,0.1,,0.8\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto& t = r->behavioral_tests[0];
  EXPECT_EQ(t.rows, 3);  // the row with a null canonical score is left out
  EXPECT_EQ(t.flipped, 1);
  EXPECT_EQ(r->outcome, GateOutcome::kFailed);
  EXPECT_THAT(r->failures, ElementsAre("behavioral test 'typo': flip rate 0.3333 exceeds max_flip_rate "
                                       "0.3 (1 of 3 pairs changed label)"));
}

TEST(EvaluationGate, DirectionalTestsJudgeTheSignOfTheSpearmanCorrelation) {
  const std::string data = "label,score,amount\n0,0.1,10\n0,0.3,20\n1,0.2,30\n1,0.9,40\n";
  auto r = Evaluate("behavioral_tests:\n  - {name: up, feature: amount, direction: positive}\n", data);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_DOUBLE_EQ(r->behavioral_tests[0].value.value, 0.8);
  EXPECT_EQ(r->outcome, GateOutcome::kPassed);
  auto strict = Evaluate("behavioral_tests:\n  - {name: up, feature: amount, direction: positive, "
                         "min_correlation: 0.9}\n",
                         data);
  EXPECT_EQ(strict->outcome, GateOutcome::kFailed);
  auto negative = Evaluate("behavioral_tests:\n  - {name: down, feature: amount, expected_correlation: negative}\n",
                           data);
  EXPECT_EQ(negative->outcome, GateOutcome::kFailed);
}

TEST(EvaluationGate, RunsTheSeedPolicyOnTheSeedColumns) {
  std::string csv = "platform,region,account_age_days,transaction_amount,protected_attribute,label,"
                    "score,champion_score,canonical,perturbed\n";
  for (int i = 0; i < 40; ++i) {
    int label = i % 2;
    double score = label ? 0.6 + 0.01 * i : 0.4 - 0.005 * i;
    csv += std::string(i % 3 ? "mobile" : "desktop") + "," + (i % 4 ? "EU" : "US") + "," +
           std::to_string(i) + "," + std::to_string(10 + i) + "," + (i % 5 ? "f" : "m") + "," +
           std::to_string(label) + "," + std::to_string(score) + "," + std::to_string(score) + "," +
           std::to_string(score) + "," + std::to_string(score) + "\n";
  }
  auto r = Evaluate(testing::kSeedPolicy, csv);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->slices.size(), 3u);
  EXPECT_EQ(r->slices[1].rows, 30);  // account_age_days < 30
  EXPECT_EQ(r->behavioral_tests.size(), 2u);
  EXPECT_DOUBLE_EQ(r->global.metrics[0].value.value, 1.0);
}

// Bad inputs: each is an input error (exit 2 in the CLI) with a message naming file, line, column.

TEST(EvaluationGateInput, AMissingColumnSuggestsTheNearestOne) {
  EXPECT_EQ(ErrorOf("global_metrics: {auc_roc: {min: 0.5}}\n", "label,scores\n1,0.5\n"),
            "data.csv: missing column 'score' (needed by columns.score); did you mean 'scores'?");
}

TEST(EvaluationGateInput, AMissingFilterColumnNamesTheSlice) {
  EXPECT_EQ(ErrorOf("slices:\n  - {name: m, filter: \"platform == 'm'\", metrics: {count: {min: 1}}}\n",
                    "label,score\n1,0.5\n"),
            "policy p.yaml: slices[0].filter: column 'platform' is not in data.csv");
}

TEST(EvaluationGateInput, AMissingProtectedAttributeExplainsHowToConfigureIt) {
  EXPECT_EQ(ErrorOf("global_metrics: {disparate_impact_ratio: {min: 0.8}}\n", "label,score\n1,0.5\n"),
            "data.csv: missing column 'protected_attribute' (needed by "
            "global_metrics.disparate_impact_ratio as its protected attribute; set "
            "columns.protected_attribute or global_metrics.disparate_impact_ratio.protected_attribute)");
}

TEST(EvaluationGateInput, ANonNumericScoreNamesTheLine) {
  EXPECT_EQ(ErrorOf("global_metrics: {auc_roc: {min: 0.5}}\n", "label,score\n1,0.5\n0,high\n"),
            "data.csv line 3: column score: expected a number, got 'high'");
}

TEST(EvaluationGateInput, ANaNScoreIsRejected) {
  EXPECT_EQ(ErrorOf("global_metrics: {auc_roc: {min: 0.5}}\n", "label,score\n1,NaN\n"),
            "data.csv line 2: column score: nan is not a valid score");
}

TEST(EvaluationGateInput, AnEmptyScoreIsRejected) {
  EXPECT_EQ(ErrorOf("global_metrics: {auc_roc: {min: 0.5}}\n", "label,score\n1,\n"),
            "data.csv line 2: column score is empty (every row needs a score)");
}

TEST(EvaluationGateInput, ALabelOutsideZeroOneIsRejectedForClassificationMetrics) {
  EXPECT_EQ(ErrorOf("global_metrics: {auc_roc: {min: 0.5}}\n", "label,score\n1,0.5\n2,0.5\n"),
            "data.csv line 3: column label: expected 0 or 1, got '2' (the policy's classification "
            "metrics need binary labels)");
  EXPECT_EQ(ErrorOf("global_metrics: {auc_roc: {min: 0.5}}\n", "label,score\nyes,0.5\n"),
            "data.csv line 2: column label: expected 0 or 1, got 'yes'");
}

TEST(EvaluationGateInput, BooleanLabelsAreAccepted) {
  auto r = Evaluate("global_metrics: {auc_roc: {min: 0.5}}\n", "label,score\ntrue,0.9\nfalse,0.1\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_DOUBLE_EQ(r->global.metrics[0].value.value, 1.0);
}

TEST(EvaluationGateInput, RegressionMetricsAcceptAnyNumericLabel) {
  auto r = Evaluate("global_metrics: {mae: {max: 1}}\n", "label,score\n2.5,2\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_DOUBLE_EQ(r->global.metrics[0].value.value, 0.5);
}

TEST(EvaluationGateInput, TheRowLimitIsEnforced) {
  EvaluationOptions options;
  options.limits.max_rows = 1;
  auto r = Evaluate("global_metrics: {count: {min: 1}}\n", "label,score\n1,0.5\n0,0.5\n", options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(r.status().message(), "data.csv: more than 1 rows (the configured limit)");
}

TEST(ChampionReport, ReadsGlobalAndSliceValuesFromAPreviousReport) {
  auto c = ParseChampionReport(R"({"gate":"evaluation","global":{"metrics":{"auc_roc":{"value":0.9}}},
      "slices":[{"name":"eu","metrics":{"auc_roc":{"value":0.8},"f1":{"value":null}}}]})", "r.json");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_DOUBLE_EQ(c->by_scope["global"]["auc_roc"], 0.9);
  EXPECT_DOUBLE_EQ(c->by_scope["eu"]["auc_roc"], 0.8);
  EXPECT_EQ(c->by_scope["eu"].count("f1"), 0u);
}

TEST(ChampionReport, RejectsSomethingElse) {
  EXPECT_EQ(ParseChampionReport("[1]", "r.json").status().message(),
            "champion report r.json: expected a modelgate evaluation report (an object with 'global' "
            "and 'slices')");
  EXPECT_EQ(ParseChampionReport("{", "r.json").status().message(), "champion report r.json: not valid JSON");
}

TEST(EvaluateStream, ReturnsTheResultAndItsJsonReport) {
  std::istringstream data(testing::Gzip("label,score\n0,0.1\n1,0.9\n"));
  EvaluationStreamOptions options;
  options.data_name = "preds.csv.gz";
  auto run = EvaluateStream("global_metrics: {auc_roc: {min: 0.5}}\n", data, options);
  ASSERT_TRUE(run.ok()) << run.status().message();
  EXPECT_TRUE(run->result.passed);
  EXPECT_EQ(run->report["gate"], "evaluation");
  EXPECT_EQ(run->report["global"]["metrics"]["auc_roc"]["value"], 1.0);
}

TEST(EvaluateStream, EnforcesTheByteLimit) {
  std::istringstream data("label,score\n0,0.1\n1,0.9\n");
  EvaluationStreamOptions options;
  options.max_bytes = 10;
  auto run = EvaluateStream("global_metrics: {auc_roc: {min: 0.5}}\n", data, options);
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().message(), "data.csv: input is larger than the limit of 10 bytes");
}


const std::string kCounting =
    "on_malformed_row: count\nmax_malformed_rows: 2\n"
    "slices:\n  - {name: eu, filter: \"region == 'EU'\", metrics: {count: {min: 1}}}\n";

TEST(EvaluationGate, CountedMalformedRowsAreLeftOutOfEveryScopeAndReported) {
  const std::string csv = kData + "EU,1,high,0.5\nEU,1,nan,0.5\n";
  auto r = Evaluate(kCounting, csv);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->outcome, GateOutcome::kPassed);
  EXPECT_EQ(r->rows, 8);
  EXPECT_EQ(r->slices[0].rows, 4);
  ASSERT_TRUE(r->malformed_rows.has_value());
  EXPECT_EQ(r->malformed_rows->count, 2);
  EXPECT_THAT(r->malformed_rows->lines, ElementsAre(10, 11));
  EXPECT_THAT(r->malformed_rows->reasons[0], HasSubstr("column score: expected a number, got 'high'"));
  EXPECT_THAT(r->notes, Contains(HasSubstr("malformed rows in data.csv: 2 of 10")));
}

TEST(EvaluationGate, MoreMalformedRowsThanAllowedFailTheGate) {
  const std::string csv = kData + "EU,1,high,0.5\nEU,1,nan,0.5\nEU\n";
  auto r = Evaluate(kCounting, csv);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->outcome, GateOutcome::kFailed);
  EXPECT_THAT(r->failures, Contains(HasSubstr("3 malformed rows in data.csv")));
  EXPECT_THAT(r->failures, Contains(HasSubstr("exceed max_malformed_rows 2")));
}

TEST(EvaluationGate, WithoutCountingAMalformedRowIsAnInputError) {
  EXPECT_THAT(ErrorOf("global_metrics: {count: {min: 1}}\n", kData + "EU,1,high,0.5\n"),
              HasSubstr("data.csv line 10: column score: expected a number, got 'high'"));
}

}  // namespace
}  // namespace modelgate::gates
