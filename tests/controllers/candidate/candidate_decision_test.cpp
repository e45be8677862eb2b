#include "controllers/candidate/candidate_decision.h"

#include <gtest/gtest.h>

#include "operator/kube/time_format.h"
#include "tests/controllers/candidate/test_inputs.h"

namespace modelgate::controllers::candidate {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

const Clock::time_point kNow = Clock::time_point{} + std::chrono::hours(24 * 365 * 56);

json Policy() { return {{"global_metrics", {{"auc_roc", {{"min", 0.5}}}}}}; }

json Candidate(json gates, long long generation = 1) {
  return {{"apiVersion", "modelgate.io/v1alpha1"},
          {"kind", "ModelCandidate"},
          {"metadata", {{"name", "fraud-v2"}, {"namespace", "ns"}, {"uid", "uid-1"}, {"generation", generation}}},
          {"spec", {{"model", "fraud"}, {"version", "2"}, {"artifact", {{"uri", "s3://m/2"}}},
                    {"trigger", {{"type", "Manual"}}}, {"gates", gates}}}};
}

json DataAndEvaluation() {
  return {{"data", {{"dataset", {{"uri", "file:///train.csv"}}}, {"policy", {{"min_rows", 1}}}}},
          {"evaluation", {{"dataset", {{"uri", "file:///eval.csv"}}}, {"policy", Policy()}}}};
}

json WithJob(json gates) {
  gates["training"] = {{"jobTemplate", {{"spec", {{"template", {{"spec", {{"restartPolicy", "Never"}}}}}}}}},
                       {"retry", {{"limit", 1}, {"backoff", "30s"}, {"maxBackoff", "1m"}}}};
  return gates;
}

CandidateDecision Decide(const json& object, Clock::time_point now = kNow, GateRunObservation run = {},
                         std::optional<JobObservation> job = std::nullopt) {
  CandidateContext ctx{object, now, std::move(run), job, ""};
  return DecideCandidate(ctx);
}

// Applies a decision's status to the object, as the API server would after the write.
json Apply(json object, const CandidateDecision& d) {
  object["status"] = d.status;
  return object;
}

const json& Gate(const json& status, const std::string& name) {
  for (const json& g : status["gates"]) {
    if (g["name"] == name) return g;
  }
  static const json kNone;
  return kNone;
}

bool HasEvent(const CandidateDecision& d, const std::string& reason) {
  for (const auto& e : d.events) {
    if (e.event.reason == reason) return true;
  }
  return false;
}

std::optional<json> Condition(const json& status, const std::string& type) {
  for (const json& c : status["conditions"]) {
    if (c["type"] == type) return c;
  }
  return std::nullopt;
}

GateRunResult Judged(const std::string& outcome, nlohmann::ordered_json report) {
  GateRunResult r;
  r.kind = GateRunResult::Kind::kJudged;
  r.outcome = outcome;
  r.report = std::move(report);
  return r;
}

GateRunObservation Done(const json& object, GateRunResult result) {
  return {CurrentRun(object)->second, GatePool::State::kDone, std::move(result)};
}

nlohmann::ordered_json PassedDataReport() {
  return {{"gate", "data"}, {"passed", true}, {"outcome", "passed"}, {"rows", 100},
          {"dataset_checks", {{{"kind", "rows"}, {"passed", true}, {"value", 100}, {"limit", 1}}}},
          {"failures", nlohmann::ordered_json::array()}};
}

nlohmann::ordered_json FailedDataReport() {
  return {{"gate", "data"}, {"passed", false}, {"outcome", "failed"}, {"rows", 100},
          {"columns", {{{"name", "amount"}, {"checks", {{{"kind", "null_rate"}, {"passed", false}, {"value", 0.4}, {"limit", 0.01}}}}}}},
          {"failures", {"column amount: null rate 0.4 exceeds the maximum 0.01"}}};
}

TEST(CandidateDecisionTest, ANewCandidateStartsDataValidationAndSkipsAbsentGatesWithAReason) {
  CandidateDecision d = Decide(Candidate(DataAndEvaluation()));
  EXPECT_TRUE(d.status_changed);
  EXPECT_EQ(d.status["phase"], "ValidatingData");
  EXPECT_EQ(d.status["currentGate"], "DataValidation");
  EXPECT_EQ(d.status["stage"], "Candidate");
  EXPECT_EQ(Gate(d.status, "DataValidation")["state"], "Running");
  EXPECT_EQ(Gate(d.status, "TrainingValidation")["state"], "Skipped");
  EXPECT_EQ(Gate(d.status, "TrainingValidation")["reason"], "InputsAbsent");
  ASSERT_TRUE(d.start_gate.has_value());
  EXPECT_EQ(*d.start_gate, Gate::kData);
  EXPECT_EQ(d.start_key, "uid-1/g1/DataValidation/a0");
  EXPECT_TRUE(HasEvent(d, "Accepted"));
  EXPECT_TRUE(HasEvent(d, "GateSkipped"));
  EXPECT_EQ(d.requeue_after, kGatePollInterval);
}

TEST(CandidateDecisionTest, ACandidateWithoutGatesStaysPendingAndIsNeverReady) {
  CandidateDecision d = Decide(Candidate(json::object()));
  EXPECT_EQ(d.status["phase"], "Pending");
  EXPECT_EQ((*Condition(d.status, "Ready"))["reason"], "NoGates");
  EXPECT_FALSE(d.start_gate.has_value());
  // Reconciling again changes nothing.
  CandidateDecision again = Decide(Apply(Candidate(json::object()), d));
  EXPECT_FALSE(again.status_changed);
  EXPECT_TRUE(again.events.empty());
}

TEST(CandidateDecisionTest, AnEvaluationGateWithoutPolicyIsAnInvalidSpec) {
  json gates = {{"evaluation", {{"dataset", {{"uri", "file:///eval.csv"}}}}}};
  CandidateDecision d = Decide(Candidate(gates));
  EXPECT_EQ(d.status["phase"], "Pending");
  auto invalid = Condition(d.status, "Invalid");
  ASSERT_TRUE(invalid);
  EXPECT_NE((*invalid)["message"].get<std::string>().find("spec.gates.evaluation"), std::string::npos);
  EXPECT_FALSE(d.start_gate.has_value());
  EXPECT_TRUE(HasEvent(d, "InvalidSpec"));
  EXPECT_FALSE(HasEvent(d, "Accepted"));
}

TEST(CandidateDecisionTest, WhileTheRunIsInFlightNothingChangesAndItPolls) {
  json object = Apply(Candidate(DataAndEvaluation()), Decide(Candidate(DataAndEvaluation())));
  CandidateDecision d = Decide(object, kNow + 1s, {CurrentRun(object)->second, GatePool::State::kRunning, std::nullopt});
  EXPECT_FALSE(d.status_changed);
  EXPECT_FALSE(d.start_gate.has_value());
  EXPECT_EQ(d.requeue_after, kGatePollInterval);
}

TEST(CandidateDecisionTest, ARestartedOperatorRunsTheInterruptedGateAgainUnderTheSameKey) {
  json object = Apply(Candidate(DataAndEvaluation()), Decide(Candidate(DataAndEvaluation())));
  CandidateDecision d = Decide(object, kNow + 5s);  // the new process's pool knows nothing
  ASSERT_TRUE(d.start_gate.has_value());
  EXPECT_EQ(d.start_key, "uid-1/g1/DataValidation/a0");
}

TEST(CandidateDecisionTest, AConsumedResultSeenThroughAStaleCacheIsNotRunAgain) {
  json object = Apply(Candidate(DataAndEvaluation()), Decide(Candidate(DataAndEvaluation())));
  CandidateDecision d = Decide(object, kNow + 5s, {CurrentRun(object)->second, GatePool::State::kConsumed, std::nullopt});
  EXPECT_FALSE(d.start_gate.has_value());
  EXPECT_FALSE(d.status_changed);
}

TEST(CandidateDecisionTest, PassedDataGateMovesOnToEvaluationAndStoresTheReport) {
  json object = Apply(Candidate(DataAndEvaluation()), Decide(Candidate(DataAndEvaluation())));
  CandidateDecision d = Decide(object, kNow + 2s, Done(object, Judged("passed", PassedDataReport())));
  EXPECT_EQ(Gate(d.status, "DataValidation")["state"], "Passed");
  EXPECT_EQ(Gate(d.status, "DataValidation")["attempts"], 1);
  EXPECT_EQ(d.status["phase"], "Evaluating");
  ASSERT_TRUE(d.start_gate.has_value());
  EXPECT_EQ(*d.start_gate, Gate::kEvaluation);
  ASSERT_TRUE(d.report.has_value());
  EXPECT_EQ(d.report->first, "data.json");
  EXPECT_EQ(d.status["reportConfigMap"], "fraud-v2-gate-reports");
  EXPECT_EQ(d.consumed_key, "uid-1/g1/DataValidation/a0");
  EXPECT_TRUE(HasEvent(d, "DataValidationPassed"));
}

TEST(CandidateDecisionTest, AJudgedGateRecordsTheDigestOfEveryInputItReadInItsStatusEntry) {
  json object = Apply(Candidate(DataAndEvaluation()), Decide(Candidate(DataAndEvaluation())));
  GateRunResult result = Judged("passed", PassedDataReport());
  const std::string sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  result.inputs = {{"spec.gates.data.policy", "inline", sha, 14},
                   {"spec.gates.data.dataset", "file:///train.csv", sha, 5'000'000'000}};
  CandidateDecision d = Decide(object, kNow + 2s, Done(object, std::move(result)));
  const json& inputs = Gate(d.status, "DataValidation")["inputs"];
  ASSERT_EQ(inputs.size(), 2u);
  EXPECT_EQ(inputs[1], json({{"field", "spec.gates.data.dataset"}, {"location", "file:///train.csv"},
                             {"sha256", sha}, {"bytes", 5'000'000'000}}));
  EXPECT_EQ(inputs[0]["location"], "inline");
}

TEST(CandidateDecisionTest, FailedDataGateRejectsAndCreatesNoTrainingJob) {
  json gates = WithJob(DataAndEvaluation());
  json object = Apply(Candidate(gates), Decide(Candidate(gates)));
  CandidateDecision d = Decide(object, kNow + 2s, Done(object, Judged("failed", FailedDataReport())));
  EXPECT_EQ(d.status["phase"], "Rejected");
  EXPECT_EQ(d.status["currentGate"], "DataValidation");
  EXPECT_EQ(d.status["stage"], "Candidate");
  EXPECT_FALSE(d.create_job.has_value());
  EXPECT_TRUE(HasEvent(d, "DataValidationFailed"));
  EXPECT_EQ((*Condition(d.status, "Ready"))["status"], "False");
  EXPECT_NE(d.status["message"].get<std::string>().find("amount"), std::string::npos);
}

TEST(CandidateDecisionTest, PassedDataGateCreatesTheTrainingJobWithADeterministicOwnedName) {
  json gates = WithJob(DataAndEvaluation());
  json object = Apply(Candidate(gates), Decide(Candidate(gates)));
  CandidateDecision d = Decide(object, kNow + 2s, Done(object, Judged("passed", PassedDataReport())));
  EXPECT_EQ(d.status["phase"], "Training");
  ASSERT_TRUE(d.create_job.has_value());
  EXPECT_EQ((*d.create_job)["metadata"]["name"], "fraud-v2-train-g1-1");
  EXPECT_EQ((*d.create_job)["metadata"]["ownerReferences"][0]["uid"], "uid-1");
  EXPECT_TRUE((*d.create_job)["metadata"]["ownerReferences"][0]["controller"].get<bool>());
  EXPECT_EQ(d.status["training"]["jobName"], "fraud-v2-train-g1-1");
  EXPECT_TRUE(HasEvent(d, "TrainingJobCreated"));
  EXPECT_EQ(d.requeue_after, kJobPollInterval);
}

TEST(CandidateDecisionTest, AFailedJobIsRetriedAfterBackoffThenRejectsWithTheJobsReason) {
  json gates = WithJob(DataAndEvaluation());
  json object = Apply(Candidate(gates), Decide(Candidate(gates)));
  object = Apply(object, Decide(object, kNow + 2s, Done(object, Judged("passed", PassedDataReport()))));
  const JobObservation failed{JobObservation::State::kFailed, "BackoffLimitExceeded", "Job has reached the specified backoff limit"};

  CandidateDecision first = Decide(object, kNow + 10s, {}, failed);
  EXPECT_EQ(first.status["phase"], "Training");
  EXPECT_EQ(first.status["training"]["nextAttemptAt"], kube::FormatTime(kNow + 40s));
  EXPECT_TRUE(HasEvent(first, "TrainingJobFailed"));
  object = Apply(object, first);

  CandidateDecision early = Decide(object, kNow + 20s, {}, failed);
  EXPECT_FALSE(early.create_job.has_value());

  CandidateDecision retry = Decide(object, kNow + 41s, {}, failed);
  ASSERT_TRUE(retry.create_job.has_value());
  EXPECT_EQ((*retry.create_job)["metadata"]["name"], "fraud-v2-train-g1-2");
  object = Apply(object, retry);

  CandidateDecision final_failure = Decide(object, kNow + 60s, {}, failed);
  EXPECT_EQ(final_failure.status["phase"], "Rejected");
  EXPECT_EQ(Gate(final_failure.status, "TrainingValidation")["reason"], "TrainingJobFailed");
  EXPECT_NE(final_failure.status["message"].get<std::string>().find("BackoffLimitExceeded"), std::string::npos);
}

TEST(CandidateDecisionTest, ASucceededJobWithoutALogSkipsTrainingValidationWithAReason) {
  json gates = WithJob(DataAndEvaluation());
  json object = Apply(Candidate(gates), Decide(Candidate(gates)));
  object = Apply(object, Decide(object, kNow + 2s, Done(object, Judged("passed", PassedDataReport()))));
  CandidateDecision d = Decide(object, kNow + 10s, {}, JobObservation{JobObservation::State::kSucceeded, "", ""});
  EXPECT_EQ(Gate(d.status, "TrainingValidation")["state"], "Skipped");
  EXPECT_EQ(Gate(d.status, "TrainingValidation")["reason"], "NoTrainingLog");
  EXPECT_EQ(d.status["phase"], "Evaluating");
  EXPECT_TRUE(HasEvent(d, "TrainingJobSucceeded"));
}

TEST(CandidateDecisionTest, AnUnreachableSourceSetsAConditionAndRetriesWithBackoffNeverPassing) {
  json object = Apply(Candidate(DataAndEvaluation()), Decide(Candidate(DataAndEvaluation())));
  GateRunResult unavailable;
  unavailable.kind = GateRunResult::Kind::kSourceUnavailable;
  unavailable.error = "spec.gates.data.dataset (http://127.0.0.1:1/train.csv) is not readable: connection refused";
  CandidateDecision d = Decide(object, kNow + 1s, Done(object, unavailable));
  EXPECT_EQ(d.status["phase"], "ValidatingData");
  EXPECT_EQ(Gate(d.status, "DataValidation")["state"], "Pending");
  EXPECT_EQ(Gate(d.status, "DataValidation")["reason"], "SourceUnavailable");
  EXPECT_EQ(Gate(d.status, "DataValidation")["nextAttemptAt"], kube::FormatTime(kNow + 11s));
  auto reachable = Condition(d.status, "SourcesReachable");
  ASSERT_TRUE(reachable);
  EXPECT_EQ((*reachable)["status"], "False");
  EXPECT_NE((*reachable)["message"].get<std::string>().find("127.0.0.1:1"), std::string::npos);
  EXPECT_TRUE(HasEvent(d, "SourceUnavailable"));
  EXPECT_FALSE(d.start_gate.has_value());
  object = Apply(object, d);

  // Before the backoff ends nothing starts; after it the next attempt runs under a new key.
  EXPECT_FALSE(Decide(object, kNow + 5s).start_gate.has_value());
  CandidateDecision retry = Decide(object, kNow + 12s);
  ASSERT_TRUE(retry.start_gate.has_value());
  EXPECT_EQ(retry.start_key, "uid-1/g1/DataValidation/a1");

  // The second failure backs off twice as long.
  object = Apply(object, retry);
  CandidateDecision second = Decide(object, kNow + 13s, Done(object, unavailable));
  EXPECT_EQ(Gate(second.status, "DataValidation")["nextAttemptAt"], kube::FormatTime(kNow + 33s));
}

TEST(CandidateDecisionTest, SourceRetryTimeoutEndsTheGateInErrorAndRejects) {
  json gates = DataAndEvaluation();
  json object = Candidate(gates);
  object["spec"]["sourceRetry"] = {{"timeout", "1m"}};
  object = Apply(object, Decide(object));
  GateRunResult unavailable;
  unavailable.kind = GateRunResult::Kind::kSourceUnavailable;
  unavailable.error = "unreachable";
  CandidateDecision d = Decide(object, kNow + 2min, Done(object, unavailable));
  EXPECT_EQ(d.status["phase"], "Rejected");
  EXPECT_EQ(Gate(d.status, "DataValidation")["state"], "Error");
}

TEST(CandidateDecisionTest, AnInvalidPolicySetsTheInvalidConditionWithTheYamlPath) {
  json object = Apply(Candidate(DataAndEvaluation()), Decide(Candidate(DataAndEvaluation())));
  GateRunResult invalid;
  invalid.kind = GateRunResult::Kind::kInvalidPolicy;
  invalid.error = "configMap policies key data.yaml: columns.amount.type: expected one of integer, number, string, boolean";
  CandidateDecision d = Decide(object, kNow + 1s, Done(object, invalid));
  auto condition = Condition(d.status, "Invalid");
  ASSERT_TRUE(condition);
  EXPECT_EQ((*condition)["reason"], "InvalidPolicy");
  EXPECT_NE((*condition)["message"].get<std::string>().find("columns.amount.type"), std::string::npos);
  EXPECT_EQ(Gate(d.status, "DataValidation")["state"], "Error");
  EXPECT_TRUE(HasEvent(d, "InvalidPolicy"));
  EXPECT_NE(d.status["phase"], "Ready");
}

TEST(CandidateDecisionTest, PassingTheLastGateMakesTheCandidateReadyInStaging) {
  json gates = {{"evaluation", {{"dataset", {{"uri", "file:///eval.csv"}}}, {"policy", Policy()}}}};
  json object = Apply(Candidate(gates), Decide(Candidate(gates)));
  EXPECT_EQ(object["status"]["phase"], "Evaluating");
  nlohmann::ordered_json report = {{"gate", "evaluation"}, {"outcome", "passed"}, {"rows", 10},
                                   {"global", {{"name", "global"}, {"passed", true}, {"metrics", {{"auc_roc", {{"value", 0.9}, {"passed", true}}}}}}},
                                   {"failures", nlohmann::ordered_json::array()}};
  CandidateDecision d = Decide(object, kNow + 3s, Done(object, Judged("passed", report)));
  EXPECT_EQ(d.status["phase"], "Ready");
  EXPECT_EQ(d.status["stage"], "Staging");
  EXPECT_EQ((*Condition(d.status, "Ready"))["status"], "True");
  EXPECT_TRUE(HasEvent(d, "OfflineEvaluationPassed"));
  EXPECT_TRUE(HasEvent(d, "Ready"));
  EXPECT_DOUBLE_EQ(Gate(d.status, "OfflineEvaluation")["metrics"]["auc_roc"]["value"].get<double>(), 0.9);
}

TEST(CandidateDecisionTest, NotBeatingTheChampionEndsChampionRetainedNamingTheChampion) {
  json gates = {{"evaluation", {{"dataset", {{"uri", "file:///eval.csv"}}}, {"policy", Policy()}}}};
  json object = Apply(Candidate(gates), Decide(Candidate(gates)));
  GateRunResult result = Judged("champion_retained",
                                {{"gate", "evaluation"}, {"outcome", "champion_retained"}, {"rows", 10},
                                 {"global", {{"name", "global"}, {"passed", false}}},
                                 {"failures", {"global: auc_roc 0.90 does not improve on the champion's 0.95"}}});
  result.champion = ChampionInfo{"fraud-v1", "1", {}, {}};
  CandidateDecision d = Decide(object, kNow + 3s, Done(object, result));
  EXPECT_EQ(d.status["phase"], "ChampionRetained");
  EXPECT_EQ(d.status["stage"], "Candidate");
  EXPECT_EQ(d.status["champion"]["version"], "1");
  EXPECT_TRUE(HasEvent(d, "ChampionRetained"));
  EXPECT_EQ((*Condition(d.status, "Ready"))["reason"], "ChampionRetained");
}

TEST(CandidateDecisionTest, ANewGenerationAfterGatesRanRestartsThemAndSaysSo) {
  json gates = {{"evaluation", {{"dataset", {{"uri", "file:///eval.csv"}}}, {"policy", Policy()}}}};
  json object = Apply(Candidate(gates), Decide(Candidate(gates)));
  object["status"]["phase"] = "Ready";
  object["status"]["stage"] = "Staging";
  for (json& g : object["status"]["gates"]) {
    if (g["name"] == "OfflineEvaluation") g["state"] = "Passed";
  }
  object["metadata"]["generation"] = 2;
  CandidateDecision d = Decide(object, kNow + 1h);
  EXPECT_TRUE(HasEvent(d, "GatesRestarted"));
  EXPECT_EQ(d.status["phase"], "Evaluating");
  EXPECT_EQ(d.status["stage"], "Candidate");
  EXPECT_EQ(d.status["observedGeneration"], 2);
  EXPECT_EQ(d.start_key, "uid-1/g2/OfflineEvaluation/a0");
}

TEST(CandidateDecisionTest, PhasesOfTheRolloutControllerAreNeverChangedExceptObservedGeneration) {
  json object = Candidate(DataAndEvaluation(), 3);
  object["status"] = {{"phase", "Production"}, {"stage", "Production"}, {"observedGeneration", 2}};
  CandidateDecision d = Decide(object);
  EXPECT_EQ(d.status["phase"], "Production");
  EXPECT_EQ(d.status["stage"], "Production");
  EXPECT_EQ(d.status["observedGeneration"], 3);
  EXPECT_FALSE(d.start_gate.has_value());
  EXPECT_TRUE(d.events.empty());
  object = Apply(object, d);
  EXPECT_FALSE(Decide(object).status_changed);
}

TEST(CandidateDecisionTest, MalformedInputRejectsWithTheGateInError) {
  json object = Apply(Candidate(DataAndEvaluation()), Decide(Candidate(DataAndEvaluation())));
  GateRunResult bad;
  bad.kind = GateRunResult::Kind::kInvalidInput;
  bad.error = "spec.gates.data.dataset: train.csv line 3: expected 2 fields as in the header, got 3";
  CandidateDecision d = Decide(object, kNow + 1s, Done(object, bad));
  EXPECT_EQ(d.status["phase"], "Rejected");
  EXPECT_EQ(Gate(d.status, "DataValidation")["state"], "Error");
  EXPECT_TRUE(HasEvent(d, "DataValidationError"));
}

}  // namespace
}  // namespace modelgate::controllers::candidate
