#include "controllers/rollout/rollout_decision.h"

#include <gtest/gtest.h>

#include "controllers/conditions.h"
#include "controllers/rollout/analysis_status.h"
#include "tests/controllers/rollout/rollout_world.h"

namespace modelgate::controllers::rollout {
namespace {

using testing::BaseSpec;
using testing::World;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RolloutDecision, WaitsForTheCandidateToBeReady) {
  World w(BaseSpec(false));
  w.challenger->phase = "Evaluating";
  RolloutDecision d = w.Reconcile();
  EXPECT_EQ(w.Phase(), "Pending");
  EXPECT_NE(w.rollout["status"]["message"].get<std::string>().find("to be Ready (phase Evaluating)"), std::string::npos);
  ASSERT_TRUE(d.requeue_after.has_value());
  EXPECT_EQ(w.route->canary_weight, 0);
  EXPECT_FALSE(w.canary.exists);
}

TEST(RolloutDecision, HealthyChallengerIsPromotedAfterShadowAndAllSteps) {
  World w(BaseSpec(true));
  ASSERT_TRUE(w.RunUntil([&] { return w.rollout["status"].contains("finishedAt"); }));
  EXPECT_EQ(w.Phase(), "Promoted");
  // The story, in order.
  std::vector<std::string> reasons;
  for (const auto& e : w.events) reasons.push_back(e.reason);
  const std::vector<std::string> expected = {"RolloutStarted", "ShadowStarted", "ShadowCompleted", "CanaryStepStarted",
                                             "CanaryStepAdvanced", "CanaryStepStarted", "CanaryStepAdvanced",
                                             "Promoted", "StableUpdated", "PromotionCompleted"};
  std::vector<std::string> filtered;
  for (const auto& r : reasons) {
    if (r != "Accepted" && r != "AnalysisSucceeded") filtered.push_back(r);
  }
  EXPECT_EQ(filtered, expected);
  // Traffic: mirror 20, then 10 %, 50 %, 100 % to the canary, and back to the (updated) stable.
  ASSERT_GE(w.traffic_writes.size(), 5u);
  EXPECT_EQ(w.traffic_writes[0], (traffic::TrafficSplit{0, 20}));
  EXPECT_EQ(w.traffic_writes[1], (traffic::TrafficSplit{10, 0}));
  EXPECT_EQ(w.traffic_writes[2], (traffic::TrafficSplit{50, 0}));
  EXPECT_EQ(w.traffic_writes[3], (traffic::TrafficSplit{100, 0}));
  EXPECT_EQ(w.traffic_writes.back(), (traffic::TrafficSplit{0, 0}));
  EXPECT_TRUE(w.stable.runs_challenger);
  EXPECT_FALSE(w.canary.exists);
  EXPECT_FALSE(w.shadow.exists);
  EXPECT_EQ(w.challenger->phase, "Production");
  EXPECT_EQ(w.challenger->stage, "Production");
  EXPECT_EQ(w.champion->phase, "Archived");
  EXPECT_EQ(w.champion->stage, "Archived");
  EXPECT_EQ(w.rollout["status"]["previousChampion"]["name"], "fraud-v1");
  const auto completed = FindCondition(w.rollout["status"]["conditions"], "Completed");
  ASSERT_TRUE(completed.has_value());
  EXPECT_EQ((*completed)["reason"], "Promoted");
}

TEST(RolloutDecision, EachStepSoaksItsFullDurationWithAMeasurementInsideIt) {
  World w(BaseSpec(false));
  w.RunUntil([&] { return w.Phase() == "Canary" && w.Weight() == 10; });
  const auto step1 = ParseStatusTime(w.rollout["status"]["stepStartedAt"]);
  w.RunUntil([&] { return w.Weight() == 50; });
  const auto step2 = ParseStatusTime(w.rollout["status"]["stepStartedAt"]);
  ASSERT_TRUE(step1 && step2);
  EXPECT_GE(*step2 - *step1, seconds(30));
  EXPECT_LT(*step2 - *step1, seconds(31));
  EXPECT_GE(w.measurements_taken, 3);
}

TEST(RolloutDecision, CanaryErrorRateJumpAtStepTwoRollsBackWithWeightZero) {
  World w(BaseSpec(false));
  ASSERT_TRUE(w.RunUntil([&] { return w.Weight() == 50; }));
  w.backend.values["canary"] = 0.2;
  const auto fault_at = w.now;
  ASSERT_TRUE(w.RunUntil([&] { return w.Phase() == "RolledBack"; }));
  EXPECT_LE(w.now - fault_at, seconds(10)) << "rolled back within one analysis interval";
  EXPECT_EQ(w.Weight(), 0);
  EXPECT_EQ(w.route->canary_weight, 0);
  EXPECT_EQ(w.route->mirror_percent, 0);
  EXPECT_FALSE(w.canary.exists);
  EXPECT_EQ(w.challenger->phase, "RolledBack");
  EXPECT_EQ(w.champion->stage, "Production") << "the champion is untouched";
  const std::string message = w.rollout["status"]["message"];
  EXPECT_NE(message.find("error-rate"), std::string::npos) << message;
  EXPECT_NE(message.find("0.2"), std::string::npos) << message;
  EXPECT_TRUE(w.HasEvent("AnalysisFailed"));
  EXPECT_TRUE(w.HasEvent("RollbackStarted"));
  EXPECT_TRUE(w.HasEvent("RolledBack"));
  EXPECT_FALSE(w.HasEvent("Promoted"));
}

TEST(RolloutDecision, RollbackMovesTrafficInTheSameDecisionThatRemovesTheCanary) {
  World w(BaseSpec(false));
  ASSERT_TRUE(w.RunUntil([&] { return w.Weight() == 10; }));
  w.backend.values["canary"] = 0.2;
  RolloutDecision last;
  while (w.Phase() != "RolledBack") {
    w.now += seconds(1);
    last = w.Reconcile();
  }
  ASSERT_TRUE(last.traffic.has_value());
  EXPECT_EQ(*last.traffic, (traffic::TrafficSplit{0, 0}));
  EXPECT_EQ(last.canary, WorkloadAction::kAbsent);  // the effect layer applies traffic first
}

TEST(RolloutDecision, LatencyRegressionRelativeToTheChampionRollsBack) {
  json spec = BaseSpec(false);
  spec["analysis"]["metrics"].erase(0);  // latency only
  World w(spec);
  w.backend.values = {{"champion", 0.100}, {"canary", 0.100}};
  ASSERT_TRUE(w.RunUntil([&] { return w.Weight() == 10; }));
  w.backend.values["canary"] = 0.111;  // > 0.100 * 1.1
  ASSERT_TRUE(w.RunUntil([&] { return w.Phase() == "RolledBack"; }));
  const std::string message = w.rollout["status"]["message"];
  EXPECT_NE(message.find("maxRelativeIncreaseOverChampion"), std::string::npos) << message;
}

TEST(RolloutDecision, RestartMidStepResumesTheSameStepAndDeadline) {
  World w(BaseSpec(false));
  ASSERT_TRUE(w.RunUntil([&] { return w.Weight() == 10; }));
  w.now += seconds(15);
  w.Reconcile();
  const json status_before = w.rollout["status"];
  // A new operator: nothing but the stored status and the world.
  World restarted(BaseSpec(false));
  restarted.rollout = w.rollout;
  restarted.now = w.now + seconds(3);
  restarted.canary = w.canary;
  restarted.route = w.route;
  restarted.challenger = w.challenger;
  RolloutDecision d = restarted.Reconcile();
  EXPECT_EQ(restarted.rollout["status"]["currentStep"], 1);
  EXPECT_EQ(restarted.rollout["status"]["stepStartedAt"], status_before["stepStartedAt"]);
  EXPECT_FALSE(d.traffic.has_value()) << "no traffic write on resume";
  // Step 2 starts exactly 30s after step 1 started, as it would have without the restart.
  const auto step1 = *ParseStatusTime(status_before["stepStartedAt"]);
  ASSERT_TRUE(restarted.RunUntil([&] { return restarted.Weight() == 50; }));
  EXPECT_EQ(*ParseStatusTime(restarted.rollout["status"]["stepStartedAt"]) - step1, seconds(30));
}

TEST(RolloutDecision, PrometheusOutageHoldsTheStepStopsTheSoakClockAndResumes) {
  World w(BaseSpec(false));
  ASSERT_TRUE(w.RunUntil([&] { return w.Weight() == 10; }));
  const auto step_start = *ParseStatusTime(w.rollout["status"]["stepStartedAt"]);
  w.backend.outage = true;
  w.RunUntil([&] { return false; }, seconds(45));
  EXPECT_EQ(w.Phase(), "Canary") << "an outage shorter than outageTimeout holds";
  EXPECT_EQ(w.Weight(), 10);
  EXPECT_TRUE(w.HasEvent("AnalysisHeld"));
  EXPECT_NE(w.rollout["status"]["message"].get<std::string>().find("unavailable"), std::string::npos);
  w.backend.outage = false;
  ASSERT_TRUE(w.RunUntil([&] { return w.Weight() == 50; }));
  // The step lasted its soak plus the outage (the soak clock stopped while Prometheus was down).
  EXPECT_GE(w.now - step_start, seconds(70));
  EXPECT_FALSE(w.HasEvent("RollbackStarted"));
}

TEST(RolloutDecision, PrometheusOutageLongerThanOutageTimeoutFailsSafeAsAnOutage) {
  World w(BaseSpec(false));
  ASSERT_TRUE(w.RunUntil([&] { return w.Weight() == 10; }));
  w.backend.outage = true;
  ASSERT_TRUE(w.RunUntil([&] { return w.Phase() == "RolledBack"; }));
  EXPECT_EQ(w.rollout["status"]["rollbackReason"], "AnalysisUnavailable");
  EXPECT_NE(w.rollout["status"]["message"].get<std::string>().find("not a model failure"), std::string::npos);
  EXPECT_EQ(w.Weight(), 0);
}

TEST(RolloutDecision, AnOutageAfterNoDataDoesNotFireOnNoDataBeforeOutageTimeout) {
  json spec = BaseSpec(false);
  spec["analysis"]["outageTimeout"] = "5m";
  World w(spec);
  ASSERT_TRUE(w.RunUntil([&] { return w.Weight() == 10; }));
  w.backend.values.erase("canary");  // one no-data interval, then Prometheus goes away
  ASSERT_TRUE(w.RunUntil([&] { return w.HasEvent("AnalysisInconclusive"); }));
  w.backend.outage = true;
  w.RunUntil([&] { return false; }, std::chrono::minutes(2));  // far past noDataTimeout (40s)
  EXPECT_EQ(w.Phase(), "Canary") << w.rollout["status"]["message"];
  EXPECT_TRUE(w.HasEvent("AnalysisHeld"));
  w.backend.outage = false;
  w.backend.values["canary"] = 0.01;
  ASSERT_TRUE(w.RunUntil([&] { return w.Weight() == 50; }));
  EXPECT_FALSE(w.HasEvent("RollbackStarted"));
}

TEST(RolloutDecision, NoTrafficIsNeverPromotedAndFailsAfterNoDataTimeout) {
  World w(BaseSpec(false));
  ASSERT_TRUE(w.RunUntil([&] { return w.Weight() == 10; }));
  w.backend.values.clear();  // no series at all
  ASSERT_TRUE(w.RunUntil([&] { return w.Phase() == "RolledBack"; }));
  EXPECT_FALSE(w.HasEvent("Promoted"));
  EXPECT_FALSE(w.HasEvent("CanaryStepAdvanced"));
  EXPECT_TRUE(w.HasEvent("AnalysisInconclusive"));
  EXPECT_EQ(w.rollout["status"]["rollbackReason"], "AnalysisNoData");
}

TEST(RolloutDecision, NoDataWithOnNoDataHoldHoldsForever) {
  json spec = BaseSpec(false);
  spec["analysis"]["metrics"].erase(0);  // latency only, onNoData Hold
  World w(spec);
  ASSERT_TRUE(w.RunUntil([&] { return w.Weight() == 10; }));
  w.backend.values.clear();
  w.RunUntil([&] { return false; }, std::chrono::minutes(20));
  EXPECT_EQ(w.Phase(), "Canary");
  EXPECT_EQ(w.Weight(), 10);
}

TEST(RolloutDecision, NoDataWithOnNoDataPausePausesAndAHumanResumes) {
  json spec = BaseSpec(false);
  spec["analysis"]["metrics"][0]["onNoData"] = "Pause";
  World w(spec);
  ASSERT_TRUE(w.RunUntil([&] { return w.Weight() == 10; }));
  w.backend.values.erase("canary");
  ASSERT_TRUE(w.RunUntil([&] { return w.Phase() == "Paused"; }));
  RolloutDecision d = w.Reconcile();
  EXPECT_EQ(w.Phase(), "Paused") << "stays paused without a spec change";
  EXPECT_FALSE(d.requeue_after.has_value());
  w.backend.values["canary"] = 0.01;
  w.rollout["metadata"]["generation"] = 2;  // e.g. spec.paused toggled
  w.Reconcile();
  EXPECT_EQ(w.Phase(), "Canary");
  EXPECT_TRUE(w.HasEvent("Resumed"));
  ASSERT_TRUE(w.RunUntil([&] { return w.Weight() == 50; }));
}

TEST(RolloutDecision, SpecPausedHoldsAndResumingShiftsTheSoak) {
  World w(BaseSpec(false));
  ASSERT_TRUE(w.RunUntil([&] { return w.Weight() == 10; }));
  const auto start = *ParseStatusTime(w.rollout["status"]["stepStartedAt"]);
  w.now += seconds(12);
  w.rollout["spec"]["paused"] = true;
  w.rollout["metadata"]["generation"] = 2;
  w.Reconcile();
  EXPECT_EQ(w.Phase(), "Paused");
  EXPECT_TRUE(w.HasEvent("Paused"));
  w.now += std::chrono::minutes(5);
  w.Reconcile();
  EXPECT_EQ(w.Phase(), "Paused");
  EXPECT_EQ(w.Weight(), 10) << "traffic unchanged while paused";
  w.rollout["spec"]["paused"] = false;
  w.rollout["metadata"]["generation"] = 3;
  w.Reconcile();
  EXPECT_EQ(w.Phase(), "Canary");
  EXPECT_EQ(*ParseStatusTime(w.rollout["status"]["stepStartedAt"]) - start, std::chrono::minutes(5));
}

TEST(RolloutDecision, RegressionInThePostPromotionWindowRestoresThePreviousChampion) {
  World w(BaseSpec(false));
  ASSERT_TRUE(w.RunUntil([&] { return w.Phase() == "Promoted"; }));
  EXPECT_EQ(w.champion->stage, "Archived");
  EXPECT_FALSE(w.stable.runs_challenger) << "the stable keeps the previous champion warm during the window";
  w.backend.values["canary"] = 0.3;
  ASSERT_TRUE(w.RunUntil([&] { return w.Phase() == "RolledBack"; }));
  EXPECT_TRUE(w.HasEvent("PostPromotionRollback"));
  EXPECT_EQ(w.route->canary_weight, 0);
  EXPECT_FALSE(w.stable.runs_challenger);
  EXPECT_EQ(w.champion->phase, "Production");
  EXPECT_EQ(w.champion->stage, "Production");
  EXPECT_EQ(w.challenger->phase, "RolledBack");
  EXPECT_NE(w.challenger->stage, "Production");
}

TEST(RolloutDecision, AbortRollsBackAndARetryStartsCleanlyAndPromotes) {
  World w(BaseSpec(false));
  ASSERT_TRUE(w.RunUntil([&] { return w.Weight() == 50; }));
  w.rollout["spec"]["abort"] = true;
  w.rollout["metadata"]["generation"] = 2;
  w.Reconcile();
  EXPECT_EQ(w.Phase(), "Aborted");
  EXPECT_EQ(w.route->canary_weight, 0);
  EXPECT_EQ(w.challenger->phase, "Ready") << "an abort is not a verdict on the model";
  EXPECT_TRUE(w.HasEvent("Aborted"));
  w.rollout["spec"]["abort"] = false;
  w.rollout["metadata"]["generation"] = 3;
  w.Reconcile();
  EXPECT_TRUE(w.HasEvent("RolloutRestarted"));
  EXPECT_EQ(w.rollout["status"]["currentStep"], 1);
  EXPECT_TRUE(w.rollout["status"]["analysis"].empty()) << "a retry starts with no failures";
  ASSERT_TRUE(w.RunUntil([&] { return w.Phase() == "Promoted"; }));
}

TEST(RolloutDecision, AbortInsideThePostPromotionWindowRestoresThePreviousChampion) {
  World w(BaseSpec(false));
  ASSERT_TRUE(w.RunUntil([&] { return w.Phase() == "Promoted"; }));
  w.rollout["spec"]["abort"] = true;
  w.rollout["metadata"]["generation"] = 2;
  w.Reconcile();
  EXPECT_EQ(w.Phase(), "Aborted");
  EXPECT_EQ(w.route->canary_weight, 0);
  EXPECT_EQ(w.champion->stage, "Production");
  EXPECT_FALSE(w.stable.runs_challenger);
}

TEST(RolloutDecision, AbortAfterTheStableTookTheChallengerIsIgnored) {
  World w(BaseSpec(false));
  ASSERT_TRUE(w.RunUntil([&] { return w.rollout["status"].contains("finishedAt"); }));
  w.rollout["spec"]["abort"] = true;
  w.rollout["metadata"]["generation"] = 2;
  w.Reconcile();
  EXPECT_EQ(w.Phase(), "Promoted");
  EXPECT_EQ(w.challenger->stage, "Production");
}

TEST(RolloutDecision, ManualPromotionSkipsTheRemainingStepsOnce) {
  World w(BaseSpec(true));
  ASSERT_TRUE(w.RunUntil([&] { return w.Phase() == "Shadowing" && w.rollout["status"]["shadowPercent"] == 20; }));
  w.rollout["metadata"]["annotations"][kPromoteAnnotation] = "tok-1";
  w.Reconcile();
  EXPECT_EQ(w.Phase(), "Promoting") << "waits for the canary to be Ready before it takes traffic";
  ASSERT_TRUE(w.RunUntil([&] { return w.Phase() == "Promoted"; }));
  EXPECT_EQ(w.rollout["status"]["manualPromotion"], "tok-1");
  EXPECT_EQ(w.route->canary_weight, 100);
  EXPECT_EQ(w.route->mirror_percent, 0);
  EXPECT_EQ(w.EventCount("ManualPromotion"), 1);
  w.Reconcile();
  EXPECT_EQ(w.EventCount("ManualPromotion"), 1) << "a token acts once";
}

// The audit trail (docs/registry.md) needs who acted: manual actions carry their actor in the
// history (manual_actor.h), and every entry names the candidate it is about.
TEST(RolloutDecision, ManualActionsRecordWhoActedInTheHistory) {
  World w(BaseSpec(false));
  ASSERT_TRUE(w.RunUntil([&] { return w.Phase() == "Canary"; }));
  w.rollout["spec"]["paused"] = true;
  w.rollout["metadata"]["annotations"]["modelgate.io/actor"] = "alice@example.com";
  w.rollout["metadata"]["managedFields"] = json::array(
      {{{"manager", "kubectl-modelgate"}, {"operation", "Update"}, {"time", "2026-12-05T09:00:00Z"},
        {"fieldsV1",
         {{"f:metadata", {{"f:annotations", {{"f:modelgate.io/actor", json::object()}}}}},
          {"f:spec", {{"f:paused", json::object()}}}}}}});
  w.rollout["metadata"]["generation"] = 2;
  w.Reconcile();
  ASSERT_EQ(w.Phase(), "Paused");
  const json paused = w.rollout["status"]["history"].back();
  EXPECT_EQ(paused["reason"], "Paused");
  EXPECT_EQ(paused["actor"], json({{"kind", "user"}, {"name", "alice@example.com"}, {"via", "kubectl-modelgate"}}));

  // Argo CD sets spec.paused back: the resume is its act, not alice's.
  w.rollout["spec"]["paused"] = false;
  w.rollout["metadata"]["managedFields"].push_back(
      {{"manager", "argocd-controller"}, {"operation", "Update"}, {"time", "2026-12-05T09:05:00Z"},
       {"fieldsV1", {{"f:spec", {{"f:paused", json::object()}}}}}});
  w.rollout["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"].erase("f:paused");
  w.rollout["metadata"]["generation"] = 3;
  w.Reconcile();
  bool resumed = false;
  for (const json& entry : w.rollout["status"]["history"]) {
    EXPECT_EQ(entry["candidate"], w.rollout["spec"]["candidateRef"]["name"]) << entry.dump();
    if (entry["reason"] == "Resumed") {
      resumed = true;
      EXPECT_EQ(entry["actor"], json({{"kind", "fieldManager"}, {"name", "argocd-controller"}}));
    }
    if (entry["reason"] == "CanaryStepStarted") {
      EXPECT_FALSE(entry.contains("actor")) << "the operator's own step";
    }
  }
  EXPECT_TRUE(resumed);
}

TEST(RolloutDecision, CanaryNotReadyWithinProgressDeadlineRollsBack) {
  World w(BaseSpec(false));
  w.variants_become_ready = false;
  ASSERT_TRUE(w.RunUntil([&] { return w.Phase() == "RolledBack"; }));
  EXPECT_TRUE(w.HasEvent("ProgressDeadlineExceeded"));
  EXPECT_EQ(w.rollout["status"]["rollbackReason"], "ProgressDeadlineExceeded");
  EXPECT_TRUE(w.traffic_writes.empty() || w.traffic_writes.back() == (traffic::TrafficSplit{0, 0}))
      << "no weight ever went to a canary that was not Ready";
  for (const auto& split : w.traffic_writes) EXPECT_EQ(split.canary_weight, 0);
}

TEST(RolloutDecision, TrafficChangedBehindItsBackIsRestored) {
  World w(BaseSpec(false));
  ASSERT_TRUE(w.RunUntil([&] { return w.Weight() == 10; }));
  w.route = traffic::TrafficSplit{0, 0};
  RolloutDecision d = w.Reconcile();
  ASSERT_TRUE(d.traffic.has_value());
  EXPECT_EQ(d.traffic->canary_weight, 10);
  EXPECT_TRUE(w.HasEvent("TrafficCorrected"));
}

TEST(RolloutDecision, ShadowWithReplicasTrafficIsInvalid) {
  json spec = BaseSpec(true);
  spec["traffic"] = {{"replicas", json::object()}};
  World w(spec);
  RolloutDecision d = w.Reconcile();
  EXPECT_TRUE(d.invalid);
  const auto invalid = FindCondition(w.rollout["status"]["conditions"], "Invalid");
  ASSERT_TRUE(invalid.has_value());
  EXPECT_NE((*invalid)["message"].get<std::string>().find("spec.shadow"), std::string::npos);
  EXPECT_FALSE(w.canary.exists);
}

TEST(RolloutDecision, UnparsableAnalysisIsInvalidNamingTheField) {
  json spec = BaseSpec(false);
  spec["analysis"]["metrics"][0]["query"] = "errors{variant=\"{{varaint}}\"}";
  World w(spec);
  RolloutDecision d = w.Reconcile();
  EXPECT_TRUE(d.invalid);
  EXPECT_NE(w.rollout["status"]["message"].get<std::string>().find("spec.analysis.metrics[0].query"), std::string::npos);
}

TEST(RolloutDecision, FirstMeasurementOfAStepIsOneIntervalAfterItsTrafficMoved) {
  World w(BaseSpec(false));
  ASSERT_TRUE(w.RunUntil([&] { return w.Weight() == 10; }));
  const auto start = *ParseStatusTime(w.rollout["status"]["stepStartedAt"]);
  EXPECT_FALSE(MeasurementDue(w.rollout, start + seconds(9)).has_value());
  EXPECT_TRUE(MeasurementDue(w.rollout, start + seconds(10)).has_value());
}

TEST(RolloutDecision, StatusHistoryRecordsTransitions) {
  World w(BaseSpec(false));
  ASSERT_TRUE(w.RunUntil([&] { return w.Weight() == 10; }));
  const json& history = w.rollout["status"]["history"];
  ASSERT_TRUE(history.is_array());
  ASSERT_GE(history.size(), 2u);
  EXPECT_EQ(history.back()["reason"], "CanaryStepStarted");
  EXPECT_EQ(history.back()["canaryWeight"], 10);
}

}  // namespace
}  // namespace modelgate::controllers::rollout
