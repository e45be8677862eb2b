#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gates/policy/eval_policy.h"
#include "tests/gates/policy/seed_policy.h"

namespace modelgate::gates {
namespace {

std::string ErrorOf(const std::string& yaml) {
  auto policy = ParseEvalPolicy(yaml, "eval_slices.yaml");
  return policy.ok() ? "no error" : policy.status().message();
}

TEST(EvalPolicy, AcceptsTheSeedPolicyAsWritten) {
  auto policy = ParseEvalPolicy(testing::kSeedPolicy, "eval_slices.yaml");
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  ASSERT_EQ(policy->global.metrics.size(), 1u);
  EXPECT_EQ(policy->global.metrics[0].name, "auc_roc");
  EXPECT_EQ(*policy->global.metrics[0].min, 0.83);
  EXPECT_EQ(*policy->global.metrics[0].max_regression_vs_champion, 0.02);
  ASSERT_EQ(policy->slices.size(), 3u);
  EXPECT_EQ(policy->slices[0].name, "mobile_users");
  EXPECT_EQ(policy->slices[0].filter->text(), "platform == 'mobile'");
  EXPECT_EQ(policy->slices[1].name, "new_accounts");
  ASSERT_EQ(policy->slices[1].metrics.size(), 2u);
  EXPECT_EQ(policy->slices[1].metrics[1].name, "precision_at_k");
  EXPECT_EQ(policy->slices[1].metrics[1].k, 10);
  EXPECT_EQ(*policy->slices[1].metrics[1].min, 0.72);
  EXPECT_EQ(policy->slices[2].metrics[1].name, "disparate_impact_ratio");
  EXPECT_EQ(*policy->slices[2].metrics[1].min, 0.80);
  ASSERT_EQ(policy->behavioral_tests.size(), 2u);
  EXPECT_EQ(policy->behavioral_tests[0].kind, BehavioralTest::Kind::kInvariance);
  EXPECT_EQ(policy->behavioral_tests[0].input_pairs[0],
            (std::pair<std::string, std::string>{"canonical", "perturbed"}));
  EXPECT_EQ(policy->behavioral_tests[0].max_flip_rate, 0.05);
  EXPECT_EQ(policy->behavioral_tests[1].kind, BehavioralTest::Kind::kDirectional);
  EXPECT_EQ(policy->behavioral_tests[1].feature, "transaction_amount");
  EXPECT_EQ(policy->behavioral_tests[1].expected_sign, 1);
}

TEST(EvalPolicy, AppliesDocumentedDefaults) {
  auto policy = ParseEvalPolicy(testing::kSeedPolicy, "eval_slices.yaml");
  EXPECT_EQ(policy->columns.label, "label");
  EXPECT_EQ(policy->columns.score, "score");
  EXPECT_EQ(policy->columns.champion_score, "champion_score");
  EXPECT_EQ(policy->columns.threshold, 0.5);
  EXPECT_EQ(policy->columns.protected_attribute, "protected_attribute");
  EXPECT_EQ(policy->slices[0].min_rows, 1);
  EXPECT_FALSE(policy->allow_inconclusive);
}

TEST(EvalPolicy, TheSeedTextWithItsIndentationLostIsRejectedWithALine) {
  // The flattened text is valid YAML only up to the first repeated key at the top level.
  EXPECT_EQ(ErrorOf(testing::kSeedPolicyAsExtracted),
            "policy eval_slices.yaml line 13, column 1: malformed YAML: end of map not found");
}

TEST(EvalPolicy, AcceptsTheDocumentedExtensions) {
  auto policy = ParseEvalPolicy(R"(
columns: {label: is_fraud, score: p, champion_score: p_old, threshold: 0.3,
          protected_attribute: gender, privileged_value: male}
min_rows: 50
allow_inconclusive: true
require_champion: true
global_metrics:
  auc_roc: {min: 0.8, max_relative_regression_vs_champion: 0.01, significance: 0.05,
            max_regression_vs_champion: 0.01, require_improvement: true}
  log_loss: {max: 0.4, require_improvement: 0.001}
slices:
  - name: young
    filter: "age < 25"
    min_rows: 10
    metrics:
      demographic_parity_difference: {max: 0.1, protected_attribute: race}
      recall_at_k: {k: 5, min: 0.1}
)", "p.yaml");
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  EXPECT_EQ(policy->columns.label, "is_fraud");
  EXPECT_EQ(policy->columns.threshold, 0.3);
  EXPECT_EQ(*policy->columns.privileged_value, "male");
  EXPECT_EQ(policy->global.min_rows, 50);
  EXPECT_EQ(policy->slices[0].min_rows, 10);
  EXPECT_TRUE(policy->global.metrics[0].require_strict_improvement);
  EXPECT_EQ(*policy->global.metrics[0].significance, 0.05);
  EXPECT_EQ(*policy->global.metrics[1].require_improvement, 0.001);
  EXPECT_EQ(*policy->slices[0].metrics[0].protected_attribute, "race");
}

TEST(EvalPolicy, ANonNumericThresholdNamesTheFieldAndLine) {
  EXPECT_EQ(ErrorOf("slices:\n"
                    "  - name: a\n    filter: \"x == 1\"\n    metrics: {auc_roc: {min: 0.8}}\n"
                    "  - name: b\n    filter: \"x == 2\"\n    metrics: {auc_roc: {min: 0.8}}\n"
                    "  - name: c\n    filter: \"x == 3\"\n    metrics:\n      auc_roc:\n        min: high\n"),
            "policy eval_slices.yaml: slices[2].metrics.auc_roc.min: expected a number, got 'high' (line 12)");
}

TEST(EvalPolicy, AnUnknownMetricSuggestsTheNearestKnownName) {
  EXPECT_EQ(ErrorOf("global_metrics:\n  auc_rco: {min: 0.8}\n"),
            "policy eval_slices.yaml: global_metrics.auc_rco: unknown metric 'auc_rco'; did you mean "
            "'auc_roc'? (line 2)");
  EXPECT_EQ(ErrorOf("global_metrics:\n  precision_at_10: {min: 0.8}\n"),
            "policy eval_slices.yaml: global_metrics.precision_at_10: unknown metric "
            "'precision_at_10'; did you mean 'precision_at_k'? (line 2)");
}

TEST(EvalPolicy, AnUnknownFieldSuggestsTheNearestKnownField) {
  EXPECT_EQ(ErrorOf("global_metrics:\n  auc_roc: {minimum: 0.8}\n"),
            "policy eval_slices.yaml: global_metrics.auc_roc.minimum: unknown field; did you mean "
            "'min'? (line 2)");
  EXPECT_EQ(ErrorOf("global_metric:\n  auc_roc: {min: 0.8}\n"),
            "policy eval_slices.yaml: global_metric: unknown field; did you mean 'global_metrics'? (line 1)");
}

TEST(EvalPolicy, MalformedYamlNamesLineAndColumn) {
  EXPECT_EQ(ErrorOf("global_metrics:\n  auc_roc: {min: 0.8\n"),
            "policy eval_slices.yaml line 3, column 1: malformed YAML: end of map flow not found");
}

TEST(EvalPolicy, PrecisionAtKNeedsK) {
  EXPECT_EQ(ErrorOf("global_metrics:\n  precision_at_k: {min: 0.8}\n"),
            "policy eval_slices.yaml: global_metrics.precision_at_k: missing 'k' (the number of "
            "top-scored rows) (line 2)");
}

TEST(EvalPolicy, AMetricWithoutAnyThresholdIsAnError) {
  EXPECT_EQ(ErrorOf("global_metrics:\n  auc_roc: {}\n"),
            "policy eval_slices.yaml: global_metrics.auc_roc: no threshold: set min, max, "
            "max_regression_vs_champion, max_relative_regression_vs_champion or require_improvement "
            "(line 2)");
}

TEST(EvalPolicy, AFilterParseErrorPointsAtTheCharacterAndTheLine) {
  EXPECT_EQ(ErrorOf("slices:\n  - name: a\n    filter: \"x === 1\"\n    metrics: {count: {min: 1}}\n"),
            "policy eval_slices.yaml: slices[0].filter (line 3): '=' is not an operator (use '==') "
            "at character 5\n  x === 1\n      ^");
}

TEST(EvalPolicy, DuplicateSliceNamesAreAnError) {
  EXPECT_EQ(ErrorOf("slices:\n  - {name: a, filter: \"x == 1\", metrics: {count: {min: 1}}}\n"
                    "  - {name: a, filter: \"x == 2\", metrics: {count: {min: 1}}}\n"),
            "policy eval_slices.yaml: slices[1].name: duplicate slice name 'a' (line 3)");
}

TEST(EvalPolicy, ChampionComparisonNeedsAMetricWithADirection) {
  EXPECT_EQ(ErrorOf("global_metrics:\n  count: {max_regression_vs_champion: 5}\n"),
            "policy eval_slices.yaml: global_metrics.count: count has no better direction, so it "
            "cannot be compared with the champion (line 2)");
}

TEST(EvalPolicy, SignificanceIsForAucOnly) {
  EXPECT_EQ(ErrorOf("global_metrics:\n  f1: {min: 0.5, significance: 0.05}\n"),
            "policy eval_slices.yaml: global_metrics.f1.significance: a significance level is "
            "supported for auc_roc only (DeLong's test) (line 2)");
}

TEST(EvalPolicy, ABehavioralTestNeedsPairsOrAFeature) {
  EXPECT_EQ(ErrorOf("behavioral_tests:\n  - name: t\n    max_flip_rate: 0.1\n"),
            "policy eval_slices.yaml: behavioral_tests[0]: a behavioral test needs either "
            "'input_pairs' (invariance) or 'feature' (directional) (line 2)");
}

TEST(EvalPolicy, ADirectionOtherThanPositiveOrNegativeIsAnError) {
  EXPECT_EQ(ErrorOf("behavioral_tests:\n  - {name: t, feature: x, direction: up}\n"),
            "policy eval_slices.yaml: behavioral_tests[0].direction: expected 'positive' or "
            "'negative', got 'up' (line 2)");
}

TEST(EvalPolicy, AnEmptyPolicyCannotDecide) {
  EXPECT_EQ(ErrorOf(""), "policy eval_slices.yaml: the policy is empty");
  EXPECT_EQ(ErrorOf("columns: {label: y}\n"),
            "policy eval_slices.yaml: the policy has no global_metrics, slices or behavioral_tests; "
            "a gate without thresholds cannot decide (line 1)");
}

}  // namespace
}  // namespace modelgate::gates
