#include <gtest/gtest.h>

#include "operator/plugin/rollout_status_view.h"

namespace modelgate::plugin {
namespace {

using nlohmann::json;

// A rollout with a shadow and three canary steps, in step 2 since 08:00:00.
json CanaryRollout() {
  return json::parse(R"js({
    "metadata": {"name": "fraud-rollout", "namespace": "team-a"},
    "spec": {
      "candidateRef": {"name": "fraud-v2"},
      "shadow": {"percent": 20, "duration": "10m"},
      "canary": {"steps": [{"weight": 10, "soak": "5m"}, {"weight": 25, "soak": "10m"},
                           {"weight": 50, "soak": "1h"}]},
      "analysis": {"interval": "1m", "metrics": [
        {"name": "error-rate", "query": "q{{variant}}", "onNoData": "Hold", "failureLimit": 2},
        {"name": "latency-p99", "query": "q{{variant}}", "onNoData": "Pause"}]}
    },
    "status": {
      "phase": "Canary", "message": "step 2 of 3 at 25%",
      "challenger": {"name": "fraud-v2", "version": "2.0.0"},
      "champion": {"name": "fraud-v1", "version": "1.0.0"},
      "currentStep": 2, "canaryWeight": 25, "shadowPercent": 0,
      "stepStartedAt": "2026-11-26T08:00:00Z",
      "analysis": [
        {"name": "latency-p99", "verdict": "Failure", "challengerValue": "0.41",
         "championValue": "0.20", "threshold": "challenger <= champion * 1.50 (0.30)",
         "challengerSamples": 1200, "championSamples": 4800, "failures": 1,
         "measuredAt": "2026-11-26T08:03:00Z"},
        {"name": "error-rate", "verdict": "Success", "challengerValue": "0.011",
         "championValue": "0.012", "threshold": "challenger <= 0.05", "failures": 0,
         "measuredAt": "2026-11-26T08:03:00Z"}
      ],
      "conditions": [{"type": "Progressing", "status": "True", "reason": "CanaryStepStarted",
                      "message": "step 2", "lastTransitionTime": "2026-11-26T08:00:00Z"}]
}
})js");
}

kube::TimePoint At(const char* rfc3339) { return *kube::ParseRfc3339(rfc3339); }

TEST(RolloutStatusView, JoinsThePlanWithTheStatus) {
  const json view = RolloutStatusView(CanaryRollout(), At("2026-11-26T08:03:30Z"));
  EXPECT_EQ(view["name"], "fraud-rollout");
  EXPECT_EQ(view["namespace"], "team-a");
  EXPECT_EQ(view["phase"], "Canary");
  EXPECT_EQ(view["challenger"]["version"], "2.0.0");
  EXPECT_EQ(view["champion"]["name"], "fraud-v1");
  EXPECT_EQ(view["currentStep"], 2);
  EXPECT_EQ(view["stepCount"], 3);
  EXPECT_EQ(view["canaryWeight"], 25);
  ASSERT_EQ(view["steps"].size(), 4u);
  EXPECT_EQ(view["steps"][0],
            json({{"step", "shadow"}, {"percent", 20}, {"duration", "10m"}, {"state", "done"}}));
  EXPECT_EQ(view["steps"][1]["state"], "done");
  EXPECT_EQ(view["steps"][2],
            json({{"step", "2"}, {"weight", 25}, {"soak", "10m"}, {"state", "current"}}));
  EXPECT_EQ(view["steps"][3]["state"], "pending");
}

TEST(RolloutStatusView, TimeLeftIsTheCurrentSoakMinusTheTimeSinceTheStepStarted) {
  EXPECT_EQ(RolloutStatusView(CanaryRollout(), At("2026-11-26T08:03:30Z"))["timeLeft"], "6m30s");
  // Past the soak (the controller has not advanced yet): zero, never negative.
  EXPECT_EQ(RolloutStatusView(CanaryRollout(), At("2026-11-26T09:00:00Z"))["timeLeft"], "0s");
}

TEST(RolloutStatusView, NoTimeLeftWhilePausedBecauseTheSoakClockStops) {
  json rollout = CanaryRollout();
  rollout["spec"]["paused"] = true;
  rollout["status"]["phase"] = "Paused";
  const json view = RolloutStatusView(rollout, At("2026-11-26T08:03:30Z"));
  EXPECT_EQ(view["timeLeft"], "");
  EXPECT_EQ(view["paused"], true);
  EXPECT_EQ(view["steps"][2]["state"], "current");
}

TEST(RolloutStatusView, AnalysisFollowsTheSpecOrderWithFailureLimits) {
  const json view = RolloutStatusView(CanaryRollout(), At("2026-11-26T08:03:30Z"));
  ASSERT_EQ(view["analysis"].size(), 2u);
  EXPECT_EQ(view["analysis"][0]["name"], "error-rate");
  EXPECT_EQ(view["analysis"][0]["failureLimit"], 2);
  EXPECT_TRUE(view["analysis"][0]["challengerSamples"].is_null());
  EXPECT_EQ(view["analysis"][1]["name"], "latency-p99");
  EXPECT_EQ(view["analysis"][1]["verdict"], "Failure");
  EXPECT_EQ(view["analysis"][1]["challengerValue"], "0.41");
  EXPECT_EQ(view["analysis"][1]["championValue"], "0.20");
  EXPECT_EQ(view["analysis"][1]["challengerSamples"], 1200);
  EXPECT_EQ(view["analysis"][1]["failures"], 1);
  EXPECT_EQ(view["analysis"][1]["failureLimit"], 0);
}

TEST(RolloutStatusView, ARollbackStopsTheCurrentStepAndSkipsTheRest) {
  json rollout = CanaryRollout();
  rollout["status"]["phase"] = "RolledBack";
  const json view = RolloutStatusView(rollout, At("2026-11-26T08:03:30Z"));
  EXPECT_EQ(view["steps"][1]["state"], "done");
  EXPECT_EQ(view["steps"][2]["state"], "stopped");
  EXPECT_EQ(view["steps"][3]["state"], "skipped");
  EXPECT_EQ(view["timeLeft"], "");
}

TEST(RolloutStatusView, AManualPromotionSkipsTheStepsNotReached) {
  json rollout = CanaryRollout();
  rollout["status"]["phase"] = "Promoted";
  const json view = RolloutStatusView(rollout, At("2026-11-26T08:03:30Z"));
  EXPECT_EQ(view["steps"][2]["state"], "done");
  EXPECT_EQ(view["steps"][3]["state"], "skipped");
}

TEST(RolloutStatusView, ShadowingShowsTheShadowAsCurrentWithItsTimeLeft) {
  json rollout = CanaryRollout();
  rollout["status"]["phase"] = "Shadowing";
  rollout["status"]["currentStep"] = 0;
  rollout["status"]["shadowPercent"] = 20;
  const json view = RolloutStatusView(rollout, At("2026-11-26T08:04:00Z"));
  EXPECT_EQ(view["steps"][0]["state"], "current");
  EXPECT_EQ(view["steps"][1]["state"], "pending");
  EXPECT_EQ(view["timeLeft"], "6m0s");
}

TEST(RolloutStatusView, ARolloutWithoutStatusStillHasAView) {
  json rollout = CanaryRollout();
  rollout.erase("status");
  const json view = RolloutStatusView(rollout, At("2026-11-26T08:04:00Z"));
  EXPECT_EQ(view["phase"], "");
  EXPECT_EQ(view["steps"][1]["state"], "pending");
  ASSERT_EQ(view["analysis"].size(), 2u);
  EXPECT_EQ(view["analysis"][0]["verdict"], "");
  const std::string text = FormatRolloutStatus(view);
  EXPECT_NE(text.find("Phase:      (no status yet)"), std::string::npos) << text;
  EXPECT_NE(text.find("(not measured)"), std::string::npos) << text;
}

TEST(RolloutStatusView, TextShowsStepsWeightsSoakAndChallengerAgainstChampion) {
  const std::string text =
      FormatRolloutStatus(RolloutStatusView(CanaryRollout(), At("2026-11-26T08:03:30Z")));
  EXPECT_NE(text.find("Rollout:    team-a/fraud-rollout\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Challenger: fraud-v2 (version 2.0.0)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Champion:   fraud-v1 (version 1.0.0)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Traffic:    canary weight 25%, shadow 0%\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Step:       2 of 3, started 2026-11-26T08:00:00Z, 6m30s left\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  shadow  20% mirrored  10m  done\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  2       25%           10m  current\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  latency-p99  Failure  0.41        0.20      1200/4800  "
                      "challenger <= champion * 1.50 (0.30)  1/0"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  Progressing  True    CanaryStepStarted"), std::string::npos) << text;
}

}  // namespace
}  // namespace modelgate::plugin
