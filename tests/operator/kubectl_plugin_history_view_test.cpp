#include <gtest/gtest.h>

#include "operator/plugin/model_history_view.h"

namespace modelgate::plugin {
namespace {

using nlohmann::json;

json Candidate(const std::string& name, const std::string& model, const std::string& version,
               const std::string& created, json status) {
  return {{"metadata", {{"name", name}, {"creationTimestamp", created}}},
          {"spec", {{"model", model}, {"version", version}, {"trigger", {{"type", "Manual"}}}}},
          {"status", std::move(status)}};
}

json List(std::vector<json> items) { return {{"items", std::move(items)}}; }

json Candidates() {
  json rejected = Candidate("fraud-v3", "fraud", "3.0.0", "2026-11-26T09:00:00Z",
                            {{"phase", "Rejected"}, {"stage", "Candidate"}});
  rejected["spec"]["trigger"] = {
      {"type", "DataDrift"}, {"source", "alertmanager/FeatureDrift"}, {"reason", "amount drifted"}};
  rejected["status"]["gates"] = json::parse(R"([
    {"name": "DataValidation", "state": "Failed", "reason": "NullRateExceeded",
     "message": "amount: null rate 0.31 > 0.05", "finishedAt": "2026-11-26T09:01:00Z"},
    {"name": "TrainingValidation", "state": "Skipped"}])");
  json champion = Candidate("fraud-v1", "fraud", "1.0.0", "2026-11-26T07:00:00Z",
                            {{"phase", "Production"}, {"stage", "Production"}});
  json other =
      Candidate("churn-v1", "churn", "1.0.0", "2026-11-26T06:00:00Z", {{"phase", "Ready"}});
  json rolled_back = Candidate("fraud-v2", "fraud", "2.0.0", "2026-11-26T08:00:00Z",
                               {{"phase", "RolledBack"}, {"stage", "Archived"}});
  return List({rejected, champion, other, rolled_back});
}

json Rollouts() {
  return List({json::parse(R"({"metadata": {"name": "fraud-v2-rollout",
      "creationTimestamp": "2026-11-26T08:10:00Z"}, "spec": {"candidateRef": {"name": "fraud-v2"}},
      "status": {"phase": "RolledBack", "currentStep": 1, "canaryWeight": 0,
      "startedAt": "2026-11-26T08:10:00Z", "finishedAt": "2026-11-26T08:20:00Z",
      "message": "error-rate 0.09 > 0.05"}})"),
               json::parse(R"({"metadata": {"name": "churn-rollout"},
      "spec": {"candidateRef": {"name": "churn-v1"}}})")});
}

TEST(ModelHistoryView, KeepsOnlyTheModelsCandidatesOldestFirst) {
  const json view = ModelHistoryView("fraud", "team-a", Candidates(), Rollouts());
  ASSERT_EQ(view["candidates"].size(), 3u);
  EXPECT_EQ(view["candidates"][0]["name"], "fraud-v1");
  EXPECT_EQ(view["candidates"][1]["name"], "fraud-v2");
  EXPECT_EQ(view["candidates"][2]["name"], "fraud-v3");
  EXPECT_EQ(view["champion"], json({{"name", "fraud-v1"}, {"version", "1.0.0"}}));
}

TEST(ModelHistoryView, TheFirstFailedGateIsTheBlockingReason) {
  const json view = ModelHistoryView("fraud", "team-a", Candidates(), Rollouts());
  const json& rejected = view["candidates"][2];
  EXPECT_EQ(rejected["blockedBy"], json({{"gate", "DataValidation"},
                                         {"state", "Failed"},
                                         {"reason", "NullRateExceeded"},
                                         {"message", "amount: null rate 0.31 > 0.05"}}));
  EXPECT_EQ(rejected["gates"].size(), 2u);
  EXPECT_EQ(rejected["trigger"]["type"], "DataDrift");
  EXPECT_TRUE(view["candidates"][0]["blockedBy"].is_null());
}

TEST(ModelHistoryView, RolloutsAreAttachedToTheirCandidate) {
  const json view = ModelHistoryView("fraud", "team-a", Candidates(), Rollouts());
  ASSERT_EQ(view["candidates"][1]["rollouts"].size(), 1u);
  EXPECT_EQ(view["candidates"][1]["rollouts"][0]["name"], "fraud-v2-rollout");
  EXPECT_EQ(view["candidates"][1]["rollouts"][0]["phase"], "RolledBack");
  EXPECT_TRUE(view["candidates"][0]["rollouts"].empty());
}

TEST(ModelHistoryView, NoChampionWhenNoCandidateIsInProduction) {
  const json view = ModelHistoryView("churn", "team-a", Candidates(), Rollouts());
  EXPECT_TRUE(view["champion"].is_null());
  EXPECT_NE(FormatModelHistory(view).find("no champion"), std::string::npos);
}

TEST(ModelHistoryView, TextTellsTheStoryOfEachCandidate) {
  const std::string text =
      FormatModelHistory(ModelHistoryView("fraud", "team-a", Candidates(), Rollouts()));
  EXPECT_NE(text.find("Model fraud in namespace team-a: 3 candidates, champion fraud-v1 "
                      "(version 1.0.0)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("2026-11-26T09:00:00Z  fraud-v3  version 3.0.0\n"
                      "  trigger:  DataDrift from alertmanager/FeatureDrift: amount drifted\n"
                      "  phase:    Rejected, stage Candidate\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  blocked:  DataValidation Failed (NullRateExceeded: amount: null rate "
                      "0.31 > 0.05)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  rollout:  fraud-v2-rollout RolledBack, step 1, weight 0%, started "
                      "2026-11-26T08:10:00Z, finished 2026-11-26T08:20:00Z\n"
                      "            error-rate 0.09 > 0.05\n"),
            std::string::npos)
      << text;
  // Candidates appear in time order.
  EXPECT_LT(text.find("fraud-v1"), text.find("fraud-v2  version"));
  EXPECT_LT(text.find("fraud-v2  version"), text.find("fraud-v3  version"));
}

TEST(ModelHistoryView, EndsWithWhereTheAuditTrailIsWhenCandidatesWriteToMlflow) {
  json candidates = Candidates();
  for (json& mc : candidates["items"]) {
    if (mc["spec"]["model"] == "fraud") {
      mc["spec"]["registry"] = {{"mlflow", {{"trackingUri", "http://mlflow.ml:5000"}}}};
    }
  }
  const json view = ModelHistoryView("fraud", "team-a", candidates, Rollouts());
  EXPECT_EQ(view["auditTrails"],
            json::parse(R"([{"mlflow": "http://mlflow.ml:5000", "model": "fraud"}])"));
  const std::string text = FormatModelHistory(view);
  const std::string hint =
      "\naudit trail: modelgate audit --mlflow http://mlflow.ml:5000 --model fraud\n";
  ASSERT_GE(text.size(), hint.size());
  EXPECT_EQ(text.substr(text.size() - hint.size()), hint) << text;
}

TEST(ModelHistoryView, TheAuditHintNamesTheRegisteredModelOfEachDistinctRegistry) {
  json candidates = Candidates();
  candidates["items"][0]["spec"]["registry"] = {
      {"mlflow",
       {{"trackingUri", "https://mlflow.example"}, {"registeredModel", "fraud-detector"}}}};
  candidates["items"][3]["spec"]["registry"] = candidates["items"][0]["spec"]["registry"];
  candidates["items"][1]["spec"]["registry"] = {{"mlflow", {{"trackingUri", "http://old:5000"}}}};
  const std::string text =
      FormatModelHistory(ModelHistoryView("fraud", "team-a", candidates, Rollouts()));
  // fraud-v1 (old registry) is the oldest candidate, then fraud-v2 and fraud-v3 (the same one).
  EXPECT_NE(text.find("\naudit trail: modelgate audit --mlflow http://old:5000 --model fraud\n"
                      "audit trail: modelgate audit --mlflow https://mlflow.example --model "
                      "fraud-detector\n"),
            std::string::npos)
      << text;
}

TEST(ModelHistoryView, NoAuditHintWithoutARegistry) {
  const json view = ModelHistoryView("fraud", "team-a", Candidates(), Rollouts());
  EXPECT_TRUE(view["auditTrails"].empty());
  EXPECT_EQ(FormatModelHistory(view).find("audit trail"), std::string::npos);
}

}  // namespace
}  // namespace modelgate::plugin
