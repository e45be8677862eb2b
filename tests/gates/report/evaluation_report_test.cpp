#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gates/evaluation/evaluation_gate.h"
#include "gates/report/evaluation_report.h"
#include "tests/gates/test_util.h"

namespace modelgate::gates {
namespace {

using ::testing::HasSubstr;

EvalResult Judge(const std::string& policy_yaml, const std::string& csv) {
  auto policy = ParseEvalPolicy(policy_yaml, "p.yaml");
  auto reader = testing::Csv(csv);
  return std::move(RunEvaluationGate(*policy, *reader)).value();
}

TEST(EvaluationReport, UndefinedValuesAreNullWithAReason) {
  EvalResult r = Judge("global_metrics: {auc_roc: {min: 0.5}}\n", "label,score\n1,0.5\n1,0.7\n");
  auto j = RenderEvaluationReport(r, {"p.yaml", "d.csv"});
  EXPECT_EQ(j["outcome"], "inconclusive");
  EXPECT_TRUE(j["global"]["metrics"]["auc_roc"]["value"].is_null());
  EXPECT_EQ(j["global"]["metrics"]["auc_roc"]["undefined_reason"], "only one class (all labels are 1)");
  EXPECT_EQ(j["global"]["metrics"]["auc_roc"]["status"], "inconclusive");
}

TEST(EvaluationReport, TheTextTableShowsEveryScopeMetricAndFinding) {
  EvalResult r = Judge("global_metrics: {auc_roc: {min: 0.9}}\n"
                     "slices:\n  - {name: eu, filter: \"region == 'EU'\", metrics: {precision_at_k: {k: 1, min: 0.5}}}\n",
                     "region,label,score\nEU,1,0.9\nEU,0,0.1\nUS,1,0.2\nUS,0,0.8\n");
  std::string text = RenderEvaluationText(r, {"p.yaml", "d.csv"});
  EXPECT_THAT(text, HasSubstr("gate 3 (offline evaluation): FAILED (1 finding)"));
  EXPECT_THAT(text, HasSubstr("global"));
  EXPECT_THAT(text, HasSubstr("precision_at_k (k=1)"));
  EXPECT_THAT(text, HasSubstr("  - global (all 4 rows): auc_roc = 0.7500 is below the minimum 0.9"));
}

}  // namespace
}  // namespace modelgate::gates
