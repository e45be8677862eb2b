#include "gates/analysis/analysis_decision.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace modelgate::gates::analysis {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

const TimePoint kStart = TimePoint(std::chrono::seconds(1'700'000'000));

MetricSpec Metric(const std::string& name, int failure_limit = 0, OnNoData on_no_data = OnNoData::kHold) {
  MetricSpec m;
  m.name = name;
  m.query = "q{variant=\"{{variant}}\"}";
  m.max = 0.05;
  m.failure_limit = failure_limit;
  m.on_no_data = on_no_data;
  return m;
}

AnalysisSpec Spec(std::vector<MetricSpec> metrics) {
  AnalysisSpec spec;
  spec.interval = 1min;
  spec.outage_timeout = 5min;
  spec.no_data_timeout = 10min;
  spec.metrics = std::move(metrics);
  return spec;
}

MetricMeasurement Measured(const std::string& name, Verdict verdict, TimePoint at) {
  MetricMeasurement m;
  m.name = name;
  m.verdict = verdict;
  m.measured_at = at;
  m.message = name + ": " + VerdictName(verdict) + " at +" +
              std::to_string(std::chrono::duration_cast<std::chrono::seconds>(at - kStart).count()) + "s";
  return m;
}

// Records `verdicts`, one per minute from kStart, and returns the history.
MetricHistory History(const std::string& name, const std::vector<Verdict>& verdicts) {
  MetricHistory history{.name = name};
  for (size_t i = 0; i < verdicts.size(); ++i) {
    history = RecordMeasurement(history, Measured(name, verdicts[i], kStart + std::chrono::minutes(i)));
  }
  return history;
}

// --- bookkeeping ---------------------------------------------------------------------------

TEST(RecordMeasurement, CountsFailuresCumulativelyNotConsecutively) {
  MetricHistory h = History("e", {Verdict::kFailure, Verdict::kSuccess, Verdict::kFailure, Verdict::kSuccess});
  EXPECT_EQ(h.failures, 2);
  EXPECT_EQ(h.last_verdict, Verdict::kSuccess);
}

TEST(RecordMeasurement, InconclusiveRunStartsAtItsFirstMeasurementAndEndsWithData) {
  MetricHistory h = History("e", {Verdict::kSuccess, Verdict::kInconclusive, Verdict::kInconclusive});
  EXPECT_EQ(h.inconclusive_since, kStart + 1min);
  h = RecordMeasurement(h, Measured("e", Verdict::kSuccess, kStart + 3min));
  EXPECT_FALSE(h.inconclusive_since.has_value());
}

TEST(RecordMeasurement, ErrorRunStartsAtItsFirstMeasurementAndEndsWhenTheProviderAnswers) {
  MetricHistory h = History("e", {Verdict::kError, Verdict::kError});
  EXPECT_EQ(h.error_since, kStart);
  h = RecordMeasurement(h, Measured("e", Verdict::kInconclusive, kStart + 2min));
  EXPECT_FALSE(h.error_since.has_value());
}

TEST(RecordMeasurement, AnOutageDoesNotResetTheNoDataClock) {
  MetricHistory h = History("e", {Verdict::kInconclusive, Verdict::kError, Verdict::kInconclusive});
  EXPECT_EQ(h.inconclusive_since, kStart);
}

// --- decisions -----------------------------------------------------------------------------

TEST(DecideAnalysis, AdvancesWhenEveryMetricSucceeded) {
  AnalysisSpec spec = Spec({Metric("errors"), Metric("latency")});
  AnalysisDecision d = DecideAnalysis(
      spec, {History("errors", {Verdict::kSuccess}), History("latency", {Verdict::kSuccess})}, kStart + 1min);
  EXPECT_EQ(d.action, AnalysisAction::kAdvance);
  EXPECT_EQ(d.reason, DecisionReason::kAllSucceeded);
}

TEST(DecideAnalysis, HoldsWhileAMetricWasNeverMeasured) {
  AnalysisSpec spec = Spec({Metric("errors"), Metric("latency")});
  AnalysisDecision d = DecideAnalysis(spec, {History("errors", {Verdict::kSuccess})}, kStart);
  EXPECT_EQ(d.action, AnalysisAction::kHold);
  EXPECT_EQ(d.reason, DecisionReason::kNotMeasured);
  EXPECT_EQ(d.metric, "latency");
}

TEST(DecideAnalysis, FailureLimitZeroRollsBackOnTheFirstFailure) {
  AnalysisSpec spec = Spec({Metric("errors", 0)});
  AnalysisDecision d = DecideAnalysis(spec, {History("errors", {Verdict::kFailure})}, kStart);
  EXPECT_EQ(d.action, AnalysisAction::kRollback);
  EXPECT_EQ(d.reason, DecisionReason::kMetricFailed);
  EXPECT_EQ(d.metric, "errors");
  EXPECT_THAT(d.message, HasSubstr("errors failed 1 time (failureLimit 0)"));
}

TEST(DecideAnalysis, FailuresUpToTheLimitHoldAndOneMoreRollsBack) {
  AnalysisSpec spec = Spec({Metric("errors", 2)});
  AnalysisDecision at_limit =
      DecideAnalysis(spec, {History("errors", {Verdict::kFailure, Verdict::kSuccess, Verdict::kFailure})}, kStart + 3min);
  EXPECT_EQ(at_limit.action, AnalysisAction::kHold);  // 2 failures, limit 2: 2 > 2 is false
  EXPECT_EQ(at_limit.reason, DecisionReason::kToleratedFailure);

  AnalysisDecision over = DecideAnalysis(
      spec, {History("errors", {Verdict::kFailure, Verdict::kSuccess, Verdict::kFailure, Verdict::kFailure})},
      kStart + 4min);
  EXPECT_EQ(over.action, AnalysisAction::kRollback);
  EXPECT_EQ(over.reason, DecisionReason::kMetricFailed);
}

TEST(DecideAnalysis, ToleratedFailureDoesNotBlockAdvancementOnceTheNextMeasurementSucceeds) {
  AnalysisSpec spec = Spec({Metric("errors", 1)});
  AnalysisDecision d = DecideAnalysis(spec, {History("errors", {Verdict::kFailure, Verdict::kSuccess})}, kStart + 2min);
  EXPECT_EQ(d.action, AnalysisAction::kAdvance);
}

TEST(DecideAnalysis, OutageHoldsTheStepBeforeOutageTimeout) {
  AnalysisSpec spec = Spec({Metric("errors")});
  AnalysisDecision d = DecideAnalysis(spec, {History("errors", {Verdict::kSuccess, Verdict::kError})}, kStart + 5min);
  EXPECT_EQ(d.action, AnalysisAction::kHold);
  EXPECT_EQ(d.reason, DecisionReason::kAnalysisUnavailable);
  EXPECT_EQ(d.deadline, kStart + 1min + 5min);  // errorSince + outageTimeout
}

TEST(DecideAnalysis, OutageFailsSafeExactlyAtOutageTimeoutAsAMonitoringOutage) {
  AnalysisSpec spec = Spec({Metric("errors")});
  MetricHistory h = History("errors", {Verdict::kError, Verdict::kError});
  AnalysisDecision before = DecideAnalysis(spec, {h}, kStart + 5min - 1ms);
  EXPECT_EQ(before.action, AnalysisAction::kHold);
  AnalysisDecision at = DecideAnalysis(spec, {h}, kStart + 5min);
  EXPECT_EQ(at.action, AnalysisAction::kRollback);
  EXPECT_EQ(at.reason, DecisionReason::kAnalysisUnavailable);
  EXPECT_THAT(at.message, HasSubstr("monitoring outage, not a model failure"));
  EXPECT_STREQ(DecisionReasonName(at.reason), "AnalysisUnavailable");
}

TEST(DecideAnalysis, OutageThatEndsBeforeTheTimeoutResetsTheOutageClock) {
  AnalysisSpec spec = Spec({Metric("errors")});
  MetricHistory h = History("errors", {Verdict::kError, Verdict::kError, Verdict::kError, Verdict::kSuccess,
                                   Verdict::kError});
  AnalysisDecision d = DecideAnalysis(spec, {h}, kStart + 8min);  // 4 min into the second outage
  EXPECT_EQ(d.action, AnalysisAction::kHold);
  EXPECT_EQ(d.deadline, kStart + 4min + 5min);
}

TEST(DecideAnalysis, NoDataHoldsBeforeNoDataTimeoutWhateverOnNoData) {
  for (OnNoData on_no_data : {OnNoData::kHold, OnNoData::kPause, OnNoData::kFail}) {
    AnalysisSpec spec = Spec({Metric("errors", 0, on_no_data)});
    AnalysisDecision d = DecideAnalysis(spec, {History("errors", {Verdict::kInconclusive})}, kStart + 10min - 1ms);
    EXPECT_EQ(d.action, AnalysisAction::kHold) << OnNoDataName(on_no_data);
    EXPECT_EQ(d.reason, DecisionReason::kNoData);
  }
}

TEST(DecideAnalysis, OnNoDataHoldKeepsHoldingAfterTheTimeout) {
  AnalysisSpec spec = Spec({Metric("errors", 0, OnNoData::kHold)});
  AnalysisDecision d = DecideAnalysis(spec, {History("errors", {Verdict::kInconclusive})}, kStart + 10h);
  EXPECT_EQ(d.action, AnalysisAction::kHold);
  EXPECT_EQ(d.reason, DecisionReason::kNoData);
  EXPECT_FALSE(d.deadline.has_value());
}

TEST(DecideAnalysis, OnNoDataPausePausesAtTheTimeout) {
  AnalysisSpec spec = Spec({Metric("errors", 0, OnNoData::kPause)});
  AnalysisDecision d = DecideAnalysis(spec, {History("errors", {Verdict::kInconclusive})}, kStart + 10min);
  EXPECT_EQ(d.action, AnalysisAction::kPause);
  EXPECT_EQ(d.reason, DecisionReason::kNoData);
}

TEST(DecideAnalysis, OnNoDataFailRollsBackAtTheTimeout) {
  AnalysisSpec spec = Spec({Metric("errors", 0, OnNoData::kFail)});
  AnalysisDecision pending = DecideAnalysis(spec, {History("errors", {Verdict::kInconclusive})}, kStart + 3min);
  EXPECT_EQ(pending.deadline, kStart + 10min);
  AnalysisDecision d = DecideAnalysis(spec, {History("errors", {Verdict::kInconclusive})}, kStart + 10min);
  EXPECT_EQ(d.action, AnalysisAction::kRollback);
  EXPECT_EQ(d.reason, DecisionReason::kNoData);
  EXPECT_THAT(d.message, HasSubstr("onNoData Fail"));
}

TEST(DecideAnalysis, NoDataNeverAdvances) {
  AnalysisSpec spec = Spec({Metric("errors", 0, OnNoData::kHold)});
  for (auto elapsed : {0min, 1min, 100min}) {
    EXPECT_NE(DecideAnalysis(spec, {History("errors", {Verdict::kInconclusive})}, kStart + elapsed).action,
              AnalysisAction::kAdvance);
  }
}

TEST(DecideAnalysis, NoDataTimeoutCountsAcrossAnInterruptingOutage) {
  AnalysisSpec spec = Spec({Metric("errors", 0, OnNoData::kFail)});
  MetricHistory h = History("errors", {Verdict::kInconclusive, Verdict::kError, Verdict::kInconclusive});
  EXPECT_EQ(DecideAnalysis(spec, {h}, kStart + 10min).action, AnalysisAction::kRollback);
}

TEST(DecideAnalysis, ModelFailureOutranksAnOutageOfAnotherMetric) {
  AnalysisSpec spec = Spec({Metric("latency"), Metric("errors")});
  AnalysisDecision d = DecideAnalysis(
      spec, {History("latency", {Verdict::kError, Verdict::kError, Verdict::kError, Verdict::kError, Verdict::kError,
                             Verdict::kError}),
             History("errors", {Verdict::kFailure})},
      kStart + 6min);
  EXPECT_EQ(d.action, AnalysisAction::kRollback);
  EXPECT_EQ(d.reason, DecisionReason::kMetricFailed);
  EXPECT_EQ(d.metric, "errors");
}

TEST(DecideAnalysis, PauseOutranksHold) {
  AnalysisSpec spec = Spec({Metric("errors", 0, OnNoData::kHold), Metric("latency", 0, OnNoData::kPause)});
  AnalysisDecision d = DecideAnalysis(
      spec, {History("errors", {Verdict::kInconclusive}), History("latency", {Verdict::kInconclusive})},
      kStart + 10min);
  EXPECT_EQ(d.action, AnalysisAction::kPause);
  EXPECT_EQ(d.metric, "latency");
}

TEST(DecideAnalysis, IsAFunctionOfTheStoredHistoryAndTheGivenTime) {
  // A restarted operator with the same status reaches the same decision.
  AnalysisSpec spec = Spec({Metric("errors")});
  MetricHistory h = History("errors", {Verdict::kError});
  MetricHistory restored{.name = "errors",
                         .failures = h.failures,
                         .inconclusive_since = h.inconclusive_since,
                         .error_since = h.error_since,
                         .last_verdict = h.last_verdict,
                         .measured_at = h.measured_at};
  for (auto t : {kStart + 1min, kStart + 5min}) {
    EXPECT_EQ(DecideAnalysis(spec, {h}, t).action, DecideAnalysis(spec, {restored}, t).action);
  }
}

}  // namespace
}  // namespace modelgate::gates::analysis
