// Tests of controllers/registry/audit_record.h: one document per decision, stable ids and field
// order (a golden document), the same shape for every trigger.
#include "controllers/registry/audit_record.h"

#include <gtest/gtest.h>

namespace modelgate::controllers::registry {
namespace {

using json = nlohmann::json;

json Candidate() {
  return json::parse(R"({
    "metadata": {"name": "fraud-detector-v45", "namespace": "ml", "uid": "u-45", "generation": 1,
                 "creationTimestamp": "2026-12-05T08:40:42Z"},
    "spec": {"model": "fraud-detector", "version": "45", "artifact": {"uri": "s3://m/45/"},
             "trigger": {"type": "DataDrift", "source": "alertmanager/FeatureDriftHigh",
                         "reason": "PSI of transaction_amount is 0.35", "alert": {"name": "FeatureDriftHigh"}}},
    "status": {"phase": "Production", "stage": "Production", "stageTransitionTime": "2026-12-05T08:41:16Z",
               "observedGeneration": 1, "message": "promoted by ModelRollout fraud-detector",
               "champion": {"name": "fraud-detector-v43", "version": "43"},
               "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-12-05T08:40:45Z"}],
               "gates": [
                 {"name": "DataValidation", "state": "Passed", "reason": "ChecksPassed", "message": "24 checks passed",
                  "observedGeneration": 1, "attempts": 1, "finishedAt": "2026-12-05T08:40:43Z",
                  "inputs": [{"field": "spec.gates.data.dataset", "location": "configmap:fraud-data/eval.csv",
                              "sha256": "ab", "bytes": 10}]},
                 {"name": "OfflineEvaluation", "state": "Passed", "reason": "ChecksPassed", "message": "passed",
                  "observedGeneration": 1, "attempts": 1, "finishedAt": "2026-12-05T08:40:45Z",
                  "metrics": {"auc_roc": {"value": 0.8764, "champion": 0.8801, "passed": true, "status": "passed"}}},
                 {"name": "OnlineEvaluation", "state": "Running"}]}
  })");
}

TEST(AuditRecord, OneRecordPerDecisionInTimeOrder) {
  const auto records = AuditRecordsOf(Candidate(), "0.1.0");
  std::vector<std::string> ids;
  for (const auto& r : records) ids.push_back(r.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"gate-DataValidation-g1-a1-Passed", "gate-OfflineEvaluation-g1-a1-Passed",
                                           "verdict-Ready-g1", "promoted-2026-12-05T08:41:16Z"}));
}

TEST(AuditRecord, TheGoldenDocumentOfAGateDecision) {
  const auto records = AuditRecordsOf(Candidate(), "0.1.0");
  const std::string expected = R"({"apiVersion":"modelgate.io/audit/v1","kind":"AuditRecord","id":"gate-DataValidation-g1-a1-Passed","time":"2026-12-05T08:40:43Z","namespace":"ml","candidate":"fraud-detector-v45","uid":"u-45","model":"fraud-detector","version":"45","decision":{"type":"GatePassed","gate":"DataValidation","state":"Passed","reason":"ChecksPassed","message":"24 checks passed"},"trigger":{"alert":{"name":"FeatureDriftHigh"},"reason":"PSI of transaction_amount is 0.35","source":"alertmanager/FeatureDriftHigh","type":"DataDrift"},"spec":{"generation":1,"digest":")" +
                               CanonicalDigest(Candidate()["spec"]) +
                               R"("},"champion":{"name":"fraud-detector-v43","version":"43"},"operator":{"version":"0.1.0"},"inputs":[{"bytes":10,"field":"spec.gates.data.dataset","location":"configmap:fraud-data/eval.csv","sha256":"ab"}],"actor":{"kind":"operator","name":"modelgate"},"triggeredBy":"alertmanager/FeatureDriftHigh"})";
  EXPECT_EQ(records[0].document.dump(), expected);
}

TEST(AuditRecord, TheDecidingNumbersAndTheChampionAreRecorded) {
  const auto records = AuditRecordsOf(Candidate(), "0.1.0");
  const auto& eval = records[1].document;
  EXPECT_EQ(eval["metrics"]["auc_roc"]["value"], 0.8764);
  EXPECT_EQ(eval["metrics"]["auc_roc"]["champion"], 0.8801);
  EXPECT_EQ(eval["champion"]["version"], "43");
}

TEST(AuditRecord, TheSpecDigestChangesWithTheSpecOnly) {
  json a = Candidate();
  json b = Candidate();
  b["status"]["message"] = "other";
  EXPECT_EQ(CanonicalDigest(a["spec"]), CanonicalDigest(b["spec"]));
  b["spec"]["artifact"]["uri"] = "s3://m/46/";
  EXPECT_NE(CanonicalDigest(a["spec"]), CanonicalDigest(b["spec"]));
  EXPECT_EQ(CanonicalDigest(a["spec"]).rfind("sha256:", 0), 0u);
  EXPECT_EQ(CanonicalDigest(a["spec"]).size(), 7u + 64u);
}

TEST(AuditRecord, ARunningGateIsNotADecision) {
  for (const auto& r : AuditRecordsOf(Candidate(), "0.1.0")) EXPECT_EQ(r.id.find("OnlineEvaluation"), std::string::npos);
}

TEST(AuditRecord, ARejectedCandidateHasItsVerdictAndNoRolloutRecords) {
  json c = Candidate();
  c["status"]["phase"] = "Rejected";
  c["status"]["stage"] = "Candidate";
  c["status"]["gates"][1]["state"] = "Failed";
  c["status"]["gates"][1]["reason"] = "SliceFailed";
  const auto records = AuditRecordsOf(c, "0.1.0");
  EXPECT_EQ(records.back().id, "verdict-Rejected-g1");
  EXPECT_EQ(records[1].document["decision"]["type"], "GateFailed");
  for (const auto& r : records) EXPECT_EQ(r.id.find("promoted"), std::string::npos);
}

TEST(AuditRecord, EveryTriggerModeGivesTheSameShape) {
  for (const char* type : {"CodeChange", "Scheduled", "DataDrift", "Manual"}) {
    json c = Candidate();
    c["spec"]["trigger"] = {{"type", type}, {"source", "s"}};
    const auto records = AuditRecordsOf(c, "0.1.0");
    std::vector<std::string> keys;
    for (const auto& [k, v] : records[0].document.items()) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"apiVersion", "kind", "id", "time", "namespace", "candidate", "uid", "model",
                                              "version", "decision", "trigger", "spec", "champion", "operator", "inputs",
                                              "actor", "triggeredBy"}))
        << type;
  }
}


// A ModelRollout whose history holds the canary of v45, preceded by an entry about v44 (the same
// rollout promoted the previous candidate before).
json Rollout() {
  return json::parse(R"({
    "metadata": {"name": "fraud-detector", "namespace": "ml"},
    "spec": {"candidateRef": {"name": "fraud-detector-v45"}},
    "status": {"phase": "Promoted",
      "analysis": [{"name": "error-rate", "verdict": "Successful", "canary": 0.01, "champion": 0.012,
                    "threshold": "canary <= champion + 0.02"}],
      "history": [
        {"time": "2026-12-05T08:30:00.000001Z", "phase": "Promoted", "step": 2, "canaryWeight": 100,
         "reason": "Promoted", "message": "v44", "candidate": "fraud-detector-v44"},
        {"time": "2026-12-05T08:40:46.100000Z", "phase": "Canary", "step": 1, "canaryWeight": 10,
         "reason": "CanaryStepStarted", "message": "canary step 1: 10 %", "candidate": "fraud-detector-v45"},
        {"time": "2026-12-05T08:41:00.500000Z", "phase": "Paused", "step": 1, "canaryWeight": 10,
         "reason": "Paused", "message": "paused by spec.paused", "candidate": "fraud-detector-v45",
         "actor": {"kind": "user", "name": "alice@example.com", "via": "kubectl-modelgate"}},
        {"time": "2026-12-05T08:41:16.200000Z", "phase": "Promoted", "step": 1, "canaryWeight": 100,
         "reason": "Promoted", "message": "promoted", "candidate": "fraud-detector-v45"}]}
  })");
}

TEST(AuditRecord, RolloutStepsAndManualActionsOfTheCandidateComeFromTheRolloutHistory) {
  const auto records = AuditRecordsOf(Candidate(), "0.1.0", {Rollout()});
  std::vector<std::string> ids;
  for (const auto& r : records) ids.push_back(r.id);
  EXPECT_EQ(ids, (std::vector<std::string>{
                     "gate-DataValidation-g1-a1-Passed", "gate-OfflineEvaluation-g1-a1-Passed", "verdict-Ready-g1",
                     "rollout-fraud-detector-2026-12-05T08:40:46.100000Z-CanaryStepStarted-s1-w10",
                     "rollout-fraud-detector-2026-12-05T08:41:00.500000Z-Paused-s1-w10",
                     // the history's Promoted (the rollout's act) before the candidate's promotion
                     // record of the same second
                     "rollout-fraud-detector-2026-12-05T08:41:16.200000Z-Promoted-s1-w100",
                     "promoted-2026-12-05T08:41:16Z"}))
      << "v44's entry is not v45's";
  const json step = json::parse(records[3].document.dump());
  EXPECT_EQ(step["decision"], json::parse(R"({"type":"RolloutStep","reason":"CanaryStepStarted",
      "message":"canary step 1: 10 %","rollout":"fraud-detector","phase":"Canary","step":1,"canaryWeight":10})"));
  EXPECT_EQ(step["actor"], json::parse(R"({"kind":"operator","name":"modelgate"})"));
  EXPECT_FALSE(step.contains("analysis")) << "only the latest entry carries the rollout's analysis";
  const json paused = json::parse(records[4].document.dump());
  EXPECT_EQ(paused["decision"]["type"], "ManualAction");
  EXPECT_EQ(paused["actor"], json::parse(R"({"kind":"user","name":"alice@example.com","via":"kubectl-modelgate"})"));
  EXPECT_EQ(paused["triggeredBy"], "alertmanager/FeatureDriftHigh") << "the same shape as every record";
  const json promoted = json::parse(records[5].document.dump());
  ASSERT_TRUE(promoted.contains("analysis"));
  EXPECT_EQ(promoted["analysis"][0]["threshold"], "canary <= champion + 0.02");
}

TEST(AuditRecord, HistoryEntriesWithoutACandidateOrTimeAreNotAttributed) {
  json rollout = Rollout();
  for (json& entry : rollout["status"]["history"]) entry.erase("candidate");
  rollout["status"]["history"].push_back({{"reason", "Resumed"}, {"candidate", "fraud-detector-v45"}});
  EXPECT_EQ(AuditRecordsOf(Candidate(), "0.1.0", {rollout}).size(), AuditRecordsOf(Candidate(), "0.1.0").size());
}

}  // namespace
}  // namespace modelgate::controllers::registry

namespace modelgate::controllers::registry {
namespace {

TEST(AuditRecord, AChampionRecordedByHandHasNoVerdict) {
  json c = Candidate();
  c["status"]["gates"] = json::array();
  c["status"]["conditions"] = json::array({{{"type", "Ready"}, {"status", "False"}, {"reason", "NoGates"}}});
  const auto records = AuditRecordsOf(c, "0.1.0");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].id, "promoted-2026-12-05T08:41:16Z");
}

TEST(AuditRecord, WithinOneSecondTheVerdictComesBeforeTheRollout) {
  json c = Candidate();
  c["status"]["phase"] = "RollingOut";
  c["status"]["stage"] = "Staging";
  c["status"]["stageTransitionTime"] = "2026-12-05T08:40:45Z";  // the same second as Ready
  const auto records = AuditRecordsOf(c, "0.1.0");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[2].id, "verdict-Ready-g1");
  EXPECT_EQ(records[3].id, "rollout-started-2026-12-05T08:40:45Z");
}


}  // namespace
}  // namespace modelgate::controllers::registry
