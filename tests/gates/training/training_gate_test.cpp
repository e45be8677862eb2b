#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gates/training/training_gate.h"

namespace modelgate::gates {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TrainingLog Log(const std::string& text, const std::string& name = "train.jsonl") {
  auto log = ReadTrainingLog(StringByteSource(text, name), DataFormat::kAuto);
  EXPECT_TRUE(log.ok()) << log.status().message();
  return log.ok() ? std::move(log).value() : TrainingLog{};
}

TrainingPolicy Policy(const std::string& yaml) {
  auto p = ParseTrainingPolicy(yaml, "training.yaml");
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? std::move(p).value() : TrainingPolicy{};
}

// Ten steps of a loss that halves then flattens: 1.0, 0.8, 0.6, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5.
std::string FlatteningLog(const std::string& tail = "") {
  std::string text;
  const double losses[] = {1.0, 0.8, 0.6, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5};
  for (int i = 0; i < 10; ++i) {
    text += "{\"step\": " + std::to_string(i) + ", \"loss\": " + std::to_string(losses[i]) +
            ", \"grad_norm\": " + std::to_string(1.0 + i) + "}\n";
  }
  return text + tail;
}

const TrainingCheck* Find(const TrainingResult& r, const std::string& name) {
  for (const auto& c : r.checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

TEST(TrainingLog, SeparatesStepsFromTheFinalMetricsObject) {
  TrainingLog log = Log(FlatteningLog("{\"metrics\": {\"auc_roc\": 0.9}}\n"));
  EXPECT_EQ(log.steps, 10);
  EXPECT_DOUBLE_EQ(*log.FinalValue("auc_roc"), 0.9);
  EXPECT_DOUBLE_EQ(*log.FinalValue("loss"), 0.5);  // the last logged value
  EXPECT_FALSE(log.FinalValue("f1").has_value());
}

TEST(TrainingLog, AcceptsPythonsNaNAndInfinityTokens) {
  TrainingLog log = Log("{\"step\": 0, \"loss\": NaN, \"note\": \"NaN in a string\"}\n{\"step\": 1, \"loss\": -Infinity}\n");
  EXPECT_TRUE(std::isnan(log.fields["loss"].values[0]));
  EXPECT_TRUE(std::isinf(log.fields["loss"].values[1]));
  EXPECT_EQ(QuoteNonFiniteTokens("{\"a\": NaN, \"b\": \"NaN\"}"), "{\"a\": \"NaN\", \"b\": \"NaN\"}");
}

TEST(TrainingLog, ReadsCsvLogs) {
  TrainingLog log = Log("step,loss,run\n0,0.9,abc\n1,nan,abc\n", "train.csv");
  EXPECT_EQ(log.steps, 2);
  EXPECT_TRUE(std::isnan(log.fields["loss"].values[1]));
  EXPECT_EQ(log.fields.count("run"), 0u);
}

TEST(TrainingLog, AMalformedLineNamesItsLine) {
  auto log = ReadTrainingLog(StringByteSource("{\"loss\": 1}\n{loss: 2}\n", "train.jsonl"), DataFormat::kAuto);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().message(), "train.jsonl line 2: expected a JSON object, got {loss: 2}");
}

TEST(TrainingGate, AHealthyRunPasses) {
  auto r = RunTrainingGate(Policy("loss: {window: 4, max_relative_change: 0.01, min_relative_decrease: 0.3}\n"
                                  "gradient_norm: {max: 20}\n"),
                           Log(FlatteningLog()), std::nullopt);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->outcome, GateOutcome::kPassed);
  // not stuck: mean(first 2) = 0.9, mean(last 2) = 0.5 -> (0.9 - 0.5) / 0.9.
  EXPECT_DOUBLE_EQ(Find(*r, "loss_not_stuck")->value, 0.4 / 0.9);
  EXPECT_DOUBLE_EQ(Find(*r, "loss_converged")->value, 0.0);
  EXPECT_DOUBLE_EQ(Find(*r, "gradient_norm_max")->value, 10.0);
  EXPECT_DOUBLE_EQ(*Find(*r, "gradient_norm_max")->step, 9.0);
}

TEST(TrainingGate, ANaNLossFailsAndNamesTheFirstStep) {
  auto r = RunTrainingGate(Policy("loss: {window: 4}\n"),
                           Log("{\"step\": 5, \"loss\": 1}\n{\"step\": 6, \"loss\": NaN}\n"), std::nullopt);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, GateOutcome::kFailed);
  EXPECT_THAT(r->failures, ElementsAre("loss_finite failed: 1 of 2 logged loss values are not finite; "
                                       "the first is at step 6"));
}

TEST(TrainingGate, ALossStillFallingHasNotConverged) {
  auto r = RunTrainingGate(Policy("loss: {window: 4, max_relative_change: 0.01}\n"),
                           Log("{\"loss\": 1.0}\n{\"loss\": 0.9}\n{\"loss\": 0.8}\n{\"loss\": 0.7}\n"),
                           std::nullopt);
  ASSERT_TRUE(r.ok());
  // halves: mean(1.0, 0.9) = 0.95, mean(0.8, 0.7) = 0.75 -> 0.2 / 0.95.
  EXPECT_DOUBLE_EQ(Find(*r, "loss_converged")->value, 0.2 / 0.95);
  EXPECT_EQ(r->outcome, GateOutcome::kFailed);
}

TEST(TrainingGate, AFlatLossFromTheStartIsStuck) {
  auto r = RunTrainingGate(Policy("loss: {window: 2, min_relative_decrease: 0.05}\n"),
                           Log("{\"loss\": 0.7}\n{\"loss\": 0.7}\n{\"loss\": 0.69}\n"), std::nullopt);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Find(*r, "loss_not_stuck")->status, CheckStatus::kFailed);
}

TEST(TrainingGate, TooFewStepsForTheWindowIsInconclusive) {
  auto r = RunTrainingGate(Policy("loss: {window: 40, max_relative_change: 0.01}\n"), Log(FlatteningLog()),
                           std::nullopt);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, GateOutcome::kInconclusive);
  EXPECT_EQ(Find(*r, "loss_converged")->detail, "only 10 loss values, fewer than the window of 40");
}

TEST(TrainingGate, AnExplodingGradientFails) {
  auto r = RunTrainingGate(Policy("gradient_norm: {max: 5}\n"), Log(FlatteningLog()), std::nullopt);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->failures, ElementsAre("gradient_norm_max failed: the largest gradient norm is 10 at "
                                       "step 9; it must be <= 5"));
}

TEST(TrainingGate, MetricFloorsAndChampionRegression) {
  auto policy = Policy("metrics:\n  auc_roc: {min: 0.8, max_regression_vs_champion: 0.02}\n"
                       "  val_loss: {max: 0.3, max_relative_regression_vs_champion: 0.1, direction: lower}\n");
  TrainingLog log = Log(FlatteningLog("{\"metrics\": {\"auc_roc\": 0.85, \"val_loss\": 0.25}}\n"));
  std::map<std::string, double> champion = {{"auc_roc", 0.9}, {"val_loss", 0.24}};
  auto r = RunTrainingGate(policy, log, champion, "old.json");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, GateOutcome::kFailed);
  ASSERT_EQ(r->failures.size(), 1u);
  EXPECT_THAT(r->failures[0], HasSubstr("metric auc_roc regressed against the champion (0.9000 -> 0.8500)"));
  EXPECT_EQ(r->metrics[1].status, CheckStatus::kPassed);  // (0.25 - 0.24) / 0.24 = 4.2% <= 10%
}

TEST(TrainingGate, AMetricThatWasNeverLoggedFails) {
  auto r = RunTrainingGate(Policy("metrics: {f1: {min: 0.5}}\n"), Log(FlatteningLog()), std::nullopt);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->failures, ElementsAre("metric f1 min failed: never logged"));
}

TEST(TrainingGate, AConfiguredLossFieldMissingFromTheLogIsAnInputError) {
  auto r = RunTrainingGate(Policy("loss: {field: train_loss, window: 2}\n"), Log(FlatteningLog()), std::nullopt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "train.jsonl: no step logs the field 'train_loss' (loss.field in policy training.yaml)");
}

TEST(TrainingPolicy, ErrorsNameTheField) {
  EXPECT_EQ(ParseTrainingPolicy("loss: {window: 1}\n", "t.yaml").status().message(),
            "policy t.yaml: loss.window: must be at least 2 steps (line 1)");
  EXPECT_EQ(ParseTrainingPolicy("metrics: {val_acc: {max_regression_vs_champion: 0.1}}\n", "t.yaml").status().message(),
            "policy t.yaml: metrics.val_acc: 'val_acc' is not a known metric: set direction: higher or "
            "lower so a regression can be measured (line 1)");
  EXPECT_EQ(ParseTrainingPolicy("gradient_norm: {maximum: 3}\n", "t.yaml").status().message(),
            "policy t.yaml: gradient_norm.maximum: unknown field; did you mean 'max'? (line 1)");
}

TEST(TrainingChampionReport, ReadsTrainingAndEvaluationReports) {
  auto training = ParseTrainingChampionReport(R"({"gate":"training","metrics":{"auc_roc":{"value":0.9}}})", "r.json");
  EXPECT_DOUBLE_EQ(training->at("auc_roc"), 0.9);
  auto evaluation = ParseTrainingChampionReport(R"({"global":{"metrics":{"auc_roc":{"value":0.8}}}})", "r.json");
  EXPECT_DOUBLE_EQ(evaluation->at("auc_roc"), 0.8);
}

}  // namespace
}  // namespace modelgate::gates
