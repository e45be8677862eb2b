#include "controllers/admission.h"

#include <gtest/gtest.h>

#include "controllers/conditions.h"

namespace modelgate::controllers {
namespace {

const auto kNow = std::chrono::system_clock::from_time_t(1'800'000'000);

json MakeCandidate(long long generation) {
  json c = json::parse(R"({
    "kind": "ModelCandidate",
    "metadata": {"name": "fraud-v2", "namespace": "ml"},
    "spec": {"model": "fraud-detector", "version": "2", "artifact": {"uri": "s3://m/2"}}
  })");
  c["metadata"]["generation"] = generation;
  return c;
}

json MakeRollout(const json& spec) {
  return {{"kind", "ModelRollout"},
          {"metadata", {{"name", "fraud"}, {"namespace", "ml"}, {"generation", 1}}},
          {"spec", spec}};
}

TEST(Admission, NewCandidateIsAcceptedAndPending) {
  const Decision d = DecideAdmission(MakeCandidate(1), kNow);
  EXPECT_TRUE(d.status_changed);
  EXPECT_EQ(d.status["phase"], "Pending");
  EXPECT_EQ(d.status["stage"], "Candidate");
  EXPECT_EQ(d.status["observedGeneration"], 1);
  const auto accepted = FindCondition(d.status["conditions"], "Accepted");
  ASSERT_TRUE(accepted.has_value());
  EXPECT_EQ((*accepted)["status"], "True");
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].reason, "Accepted");
  EXPECT_EQ(d.events[0].type, "Normal");
}

TEST(Admission, AlreadyAdmittedGenerationIsANoOp) {
  json candidate = MakeCandidate(4);
  candidate["status"] = DecideAdmission(candidate, kNow).status;
  const Decision again = DecideAdmission(candidate, kNow + std::chrono::minutes(1));
  EXPECT_FALSE(again.status_changed);
  EXPECT_TRUE(again.events.empty());
  EXPECT_EQ(again.status, candidate["status"]);
}

TEST(Admission, NewGenerationIsAdmittedAgainWithoutResettingPhase) {
  json candidate = MakeCandidate(1);
  candidate["status"] = DecideAdmission(candidate, kNow).status;
  candidate["status"]["phase"] = "Evaluating";
  candidate["metadata"]["generation"] = 2;
  const Decision d = DecideAdmission(candidate, kNow);
  EXPECT_TRUE(d.status_changed);
  EXPECT_EQ(d.status["observedGeneration"], 2);
  EXPECT_EQ(d.status["phase"], "Evaluating");
}

TEST(Admission, CandidateWithoutUriOrImageIsInvalidNamingTheField) {
  json candidate = MakeCandidate(1);
  candidate["spec"]["artifact"] = json::object();
  const Decision d = DecideAdmission(candidate, kNow);
  const auto invalid = FindCondition(d.status["conditions"], "Invalid");
  ASSERT_TRUE(invalid.has_value());
  EXPECT_EQ((*invalid)["status"], "True");
  EXPECT_NE((*invalid)["message"].get<std::string>().find("spec.artifact"), std::string::npos);
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].type, "Warning");
  EXPECT_EQ(d.events[0].reason, "InvalidSpec");
}

TEST(Admission, CandidatePolicyMustBeAMapping) {
  json candidate = MakeCandidate(1);
  candidate["spec"]["gates"]["evaluation"]["policy"] = "slices: []";
  const auto problems = ValidateCandidateSpec(candidate["spec"]);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].field, "spec.gates.evaluation.policy");
}

TEST(Admission, FixedSpecClearsInvalidCondition) {
  json candidate = MakeCandidate(1);
  candidate["spec"]["artifact"] = json::object();
  candidate["status"] = DecideAdmission(candidate, kNow).status;
  candidate["spec"]["artifact"]["image"] = "registry.local/fraud:2";
  candidate["metadata"]["generation"] = 2;
  const Decision d = DecideAdmission(candidate, kNow);
  EXPECT_FALSE(FindCondition(d.status["conditions"], "Invalid").has_value());
  EXPECT_EQ((*FindCondition(d.status["conditions"], "Accepted"))["status"], "True");
}

TEST(Admission, RolloutShadowWithReplicasTrafficIsInvalid) {
  const Decision d = DecideAdmission(
      MakeRollout({{"candidateRef", {{"name", "fraud-v2"}}},
                   {"traffic", {{"replicas", json::object()}}},
                   {"shadow", {{"percent", 10}, {"duration", "5m"}}}}),
      kNow);
  const auto invalid = FindCondition(d.status["conditions"], "Invalid");
  ASSERT_TRUE(invalid.has_value());
  EXPECT_NE((*invalid)["message"].get<std::string>().find("spec.shadow"), std::string::npos);
  EXPECT_FALSE(d.status.contains("stage"));
}

TEST(Admission, RolloutDuplicateMetricNamesAreInvalid) {
  const auto problems = ValidateRolloutSpec(
      {{"traffic", {{"gatewayAPI", {{"httpRoute", "r"}}}}},
       {"analysis", {{"metrics", json::array({{{"name", "errors"}}, {{"name", "errors"}}})}}}});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].field, "spec.analysis.metrics[1].name");
}

TEST(Admission, ValidRolloutIsAcceptedAndPending) {
  const Decision d = DecideAdmission(
      MakeRollout({{"candidateRef", {{"name", "fraud-v2"}}},
                   {"traffic", {{"gatewayAPI", {{"httpRoute", "fraud"}}}}},
                   {"shadow", {{"percent", 10}, {"duration", "5m"}}}}),
      kNow);
  EXPECT_EQ(d.status["phase"], "Pending");
  EXPECT_EQ((*FindCondition(d.status["conditions"], "Accepted"))["status"], "True");
}

}  // namespace
}  // namespace modelgate::controllers
