#include "controllers/candidate/training_job.h"

#include <gtest/gtest.h>

#include "controllers/candidate/candidate_spec.h"

namespace modelgate::controllers::candidate {
namespace {

using json = nlohmann::json;

TEST(TrainingJobTest, TheNameIsDeterministicAndFitsTheLabelLimit) {
  EXPECT_EQ(TrainingJobName("fraud-v2", 3, 1), "fraud-v2-train-g3-1");
  const std::string long_name(80, 'a');
  const std::string name = TrainingJobName(long_name, 1, 2);
  EXPECT_LE(name.size(), 63u);
  EXPECT_EQ(name, TrainingJobName(long_name, 1, 2));
  EXPECT_NE(name, TrainingJobName(std::string(79, 'a') + "b", 1, 2));
}

TEST(TrainingJobTest, TheJobIsOwnedByTheCandidateAndKeepsTheTemplate) {
  json candidate = {{"apiVersion", "modelgate.io/v1alpha1"},
                    {"metadata", {{"name", "fraud-v2"}, {"namespace", "ns"}, {"uid", "u"}, {"generation", 4}}},
                    {"spec", {{"model", "fraud"}, {"version", "2"}}}};
  json tmpl = {{"metadata", {{"labels", {{"team", "risk"}}}}}, {"spec", {{"backoffLimit", 0}, {"template", {{"spec", json::object()}}}}}};
  json job = BuildTrainingJob(candidate, tmpl, "fraud-v2-train-g4-1");
  EXPECT_EQ(job["metadata"]["labels"]["team"], "risk");
  EXPECT_EQ(job["metadata"]["labels"]["modelgate.io/generation"], "4");
  EXPECT_EQ(job["metadata"]["ownerReferences"][0]["kind"], "ModelCandidate");
  EXPECT_TRUE(job["metadata"]["ownerReferences"][0]["blockOwnerDeletion"].get<bool>());
  EXPECT_EQ(job["spec"]["backoffLimit"], 0);
}

TEST(TrainingJobTest, ObservesCompleteAndFailedConditions) {
  EXPECT_EQ(ObserveJob(json{{"status", {{"active", 1}}}}).state, JobObservation::State::kActive);
  EXPECT_EQ(ObserveJob(json{{"status", {{"conditions", {{{"type", "Complete"}, {"status", "True"}}}}}}}).state,
            JobObservation::State::kSucceeded);
  JobObservation failed = ObserveJob(json{{"status", {{"conditions", {{{"type", "Failed"}, {"status", "True"},
                                                                        {"reason", "DeadlineExceeded"}, {"message", "too slow"}}}}}}});
  EXPECT_EQ(failed.state, JobObservation::State::kFailed);
  EXPECT_EQ(failed.reason, "DeadlineExceeded");
}

TEST(CandidateSpecTest, DurationsAndBackoff) {
  EXPECT_EQ(ParseDuration("1m30s"), std::chrono::milliseconds(90000));
  EXPECT_EQ(ParseDuration("1.5h"), std::chrono::milliseconds(5400000));
  EXPECT_EQ(ParseDuration("250ms"), std::chrono::milliseconds(250));
  EXPECT_FALSE(ParseDuration("5 minutes"));
  RetrySettings retry;
  retry.backoff = std::chrono::seconds(10);
  retry.max_backoff = std::chrono::seconds(30);
  EXPECT_EQ(retry.DelayAfter(1), std::chrono::seconds(10));
  EXPECT_EQ(retry.DelayAfter(2), std::chrono::seconds(20));
  EXPECT_EQ(retry.DelayAfter(5), std::chrono::seconds(30));
}

}  // namespace
}  // namespace modelgate::controllers::candidate
