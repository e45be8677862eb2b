// Tests of controllers/pipeline/pipeline_trigger.h: PlanTrigger for every trigger mode and result
// (version allocation, the candidate it makes, concurrencyPolicy, suspend, alert deduplication,
// startingDeadline, invalid and already handled requests, the history), and its helpers.
#include "controllers/pipeline/pipeline_trigger.h"

#include <gtest/gtest.h>

#include "operator/kube/time_format.h"
#include "tests/controllers/pipeline/pipeline_test_util.h"

namespace modelgate::controllers::pipeline {

namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr char kSha[] = "3f2a9c1d0b7e";
using test_util::At;
using test_util::kModel;
using test_util::kNow;
using test_util::kPipeline;

json BaseSpec() {
  return {{"model", kModel},
          {"candidateTemplate",
           {{"artifact", {{"uri", "s3://models/{{model}}/{{version}}/"}}},
            {"gates",
             {{"data",
               {{"dataset", {{"uri", "https://data.example/{{pipeline}}?from={{windowStart}}&to={{windowEnd}}"}}}}},
              {"training", {{"log", {{"uri", "https://logs.example/{{triggerType}}/{{scheduledTime}}.jsonl"}}}}}}}}}};
}

// A ModelPipeline as read: `spec` plus metadata and `status`.
json Pipeline(json spec = BaseSpec(), json status = json::object()) {
  return {{"apiVersion", "modelgate.io/v1alpha1"},
          {"kind", "ModelPipeline"},
          {"metadata",
           {{"name", kPipeline}, {"namespace", "ml"}, {"generation", 1}, {"creationTimestamp", "2026-12-01T00:00:00Z"}}},
          {"spec", std::move(spec)},
          {"status", std::move(status)}};
}

PipelineSpec Spec(const json& pipeline) {
  std::string error;
  auto spec = ParsePipelineSpec(pipeline["spec"], &error);
  EXPECT_TRUE(spec.has_value()) << error;
  return spec.value_or(PipelineSpec{});
}

// A ModelCandidate as the informer holds it, viewed.
PipelineCandidate Candidate(const std::string& name, const std::string& version, const std::string& phase,
                            const std::string& pipeline = kPipeline, const std::string& model = kModel) {
  json labels = json::object();
  if (!pipeline.empty()) labels[kPipelineLabel] = pipeline;
  return ViewCandidate({{"metadata", {{"name", name}, {"namespace", "ml"}, {"labels", labels}}},
                        {"spec", {{"model", model}, {"version", version}}},
                        {"status", {{"phase", phase}}}});
}

TriggerRequest Manual(const std::string& id = "req-1") {
  TriggerRequest r;
  r.type = "Manual";
  r.request_id = id;
  return r;
}

TriggerRequest CodeChange(const std::string& commit = kSha, const std::string& id = "req-1") {
  TriggerRequest r;
  r.type = "CodeChange";
  r.commit = commit;
  r.request_id = id;
  return r;
}

TriggerRequest Scheduled(TimePoint at, int64_t missed = 0) {
  TriggerRequest r;
  r.type = "Scheduled";
  r.scheduled_time = at;
  r.missed_runs = missed;
  return r;
}

TriggerRequest Drift(const std::string& group_key = "{}:{alertname=\"FeatureDrift\"}") {
  TriggerRequest r;
  r.type = "DataDrift";
  r.reason = "PSI of amount above 0.2";
  AlertTrigger a;
  a.name = "FeatureDrift";
  a.group_key = group_key;
  a.fingerprints = {"a1b2c3", "d4e5f6"};
  a.labels = {{"alertname", "FeatureDrift"}, {"model", kModel}};
  a.annotations = {{"summary", "drift"}};
  a.starts_at = "2026-12-05T07:55:00Z";
  a.external_url = "http://alertmanager:9093";
  r.alert = a;
  return r;
}

json WithSchedule(json spec, json schedule) {
  spec["schedule"] = std::move(schedule);
  return spec;
}

json WithPolicy(json spec, const char* policy) {
  spec["concurrencyPolicy"] = policy;
  return spec;
}

TriggerPlan Plan(const json& pipeline, const TriggerRequest& request, const std::vector<PipelineCandidate>& candidates = {},
                 TimePoint now = kNow) {
  return PlanTrigger(pipeline, Spec(pipeline), candidates, request, now);
}

// Applies a plan's status to the pipeline, as the trigger writer's status update does.
json Applied(json pipeline, const TriggerPlan& plan) {
  pipeline["status"] = plan.status;
  return pipeline;
}

// --- Version allocation ---------------------------------------------------------------------

TEST(PlanTrigger, FirstTriggerOfANewModelAllocatesVersionOne) {
  const TriggerPlan plan = Plan(Pipeline(), Manual());
  EXPECT_EQ(plan.result, TriggerResult::kCreated);
  EXPECT_EQ(plan.candidate, "fraud-detector-v1");
  EXPECT_EQ(plan.status["lastVersion"], 1);
}

TEST(PlanTrigger, AllocatesAboveTheHighestNumericVersionOfTheModelIncludingHandMadeCandidates) {
  const TriggerPlan plan =
      Plan(Pipeline(), Manual(), {Candidate("fraud-by-hand", "44", "Ready", ""), Candidate("fraud-detector-v3", "3", "Ready")});
  EXPECT_EQ(plan.candidate, "fraud-detector-v45");
  EXPECT_EQ(plan.status["lastVersion"], 45);
}

TEST(PlanTrigger, IgnoresVersionsOfOtherModels) {
  const TriggerPlan plan = Plan(Pipeline(), Manual(), {Candidate("churn-v99", "99", "Ready", "", "churn")});
  EXPECT_EQ(plan.candidate, "fraud-detector-v1");
}

TEST(PlanTrigger, IgnoresNonNumericVersions) {
  const TriggerPlan plan = Plan(Pipeline(), Manual(),
                                {Candidate("fraud-rc", "2026.11.26-1", "Ready", ""), Candidate("fraud-rc2", "44rc1", "Ready", "")});
  EXPECT_EQ(plan.candidate, "fraud-detector-v1");
}

TEST(PlanTrigger, CountsCandidatesBeingDeletedWhenAllocating) {
  json deleting = {{"metadata", {{"name", "fraud-detector-v7"}, {"deletionTimestamp", "2026-12-05T07:00:00Z"}}},
                   {"spec", {{"model", kModel}, {"version", "7"}}},
                   {"status", {{"phase", "Rejected"}}}};
  const TriggerPlan plan = Plan(Pipeline(), Manual(), {ViewCandidate(deleting)});
  EXPECT_EQ(plan.candidate, "fraud-detector-v8");
}

TEST(PlanTrigger, SkipsAVersionWhoseNameIsTaken) {
  // A candidate of another model (or with a non-numeric version) holds the name fraud-detector-v1.
  const TriggerPlan plan = Plan(Pipeline(), Manual(), {Candidate("fraud-detector-v1", "one", "Ready", "", "other")});
  EXPECT_EQ(plan.candidate, "fraud-detector-v2");
  EXPECT_EQ(plan.status["lastVersion"], 2);
  EXPECT_EQ(plan.candidate_object->at("spec")["version"], "2");
}

TEST(PlanTrigger, NeverAllocatesBelowTheLastVersionInTheStatus) {
  const TriggerPlan plan = Plan(Pipeline(BaseSpec(), {{"lastVersion", 7}}), Manual(), {Candidate("fraud-detector-v3", "3", "Ready")});
  EXPECT_EQ(plan.candidate, "fraud-detector-v8");
  EXPECT_EQ(plan.status["lastVersion"], 8);
}

TEST(PlanTrigger, PendingAllocationsCountAsTakenNames) {
  const json status = {{"lastVersion", 2},
                       {"pending", {{{"name", "fraud-detector-v3"}, {"allocatedAt", "2026-12-05T07:59:00Z"}}}}};
  const TriggerPlan plan = Plan(Pipeline(WithPolicy(BaseSpec(), "Allow"), status), Manual());
  EXPECT_EQ(plan.candidate, "fraud-detector-v4");
}

TEST(PlanTrigger, LastVersionGrowsMonotonicallyAcrossTriggers) {
  json pipeline = Pipeline(WithPolicy(BaseSpec(), "Allow"));
  const TriggerPlan first = Plan(pipeline, Manual("a"));
  pipeline = Applied(pipeline, first);
  const TriggerPlan second = Plan(pipeline, Manual("b"));
  EXPECT_EQ(first.candidate, "fraud-detector-v1");
  EXPECT_EQ(second.candidate, "fraud-detector-v2");
  EXPECT_EQ(second.status["lastVersion"], 2);
  ASSERT_EQ(second.status["pending"].size(), 2u);
  EXPECT_EQ(second.status["pending"][1]["name"], "fraud-detector-v2");
}

TEST(PlanTrigger, KeepsTheRestOfTheStatus) {
  const json status = {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}, {"champion", {{"name", "x"}}}};
  const TriggerPlan plan = Plan(Pipeline(BaseSpec(), status), Manual());
  EXPECT_EQ(plan.status["conditions"], status["conditions"]);
  EXPECT_EQ(plan.status["champion"], status["champion"]);
}

// --- The candidate --------------------------------------------------------------------------

TEST(PlanTrigger, CandidateIsAModelCandidateNamedModelDashVVersionInThePipelinesNamespace) {
  const TriggerPlan plan = Plan(Pipeline(), Manual());
  ASSERT_TRUE(plan.candidate_object.has_value());
  const json& c = *plan.candidate_object;
  EXPECT_EQ(c["apiVersion"], "modelgate.io/v1alpha1");
  EXPECT_EQ(c["kind"], "ModelCandidate");
  EXPECT_EQ(c["metadata"]["name"], "fraud-detector-v1");
  EXPECT_EQ(c["metadata"]["namespace"], "ml");
}

TEST(PlanTrigger, CandidateIsLabelledWithPipelineModelAndTriggerType) {
  const TriggerPlan plan = Plan(Pipeline(), CodeChange());
  EXPECT_EQ(plan.candidate_object->at("metadata")["labels"],
            json({{"modelgate.io/pipeline", kPipeline}, {"modelgate.io/model", kModel}, {"modelgate.io/trigger-type", "CodeChange"}}));
}

TEST(PlanTrigger, CandidateSpecCarriesModelVersionAndTheRenderedTemplate) {
  const TriggerPlan plan = Plan(Pipeline(), Manual());
  const json& spec = plan.candidate_object->at("spec");
  EXPECT_EQ(spec["model"], kModel);
  EXPECT_EQ(spec["version"], "1");
  EXPECT_EQ(spec["artifact"]["uri"], "s3://models/fraud-detector/1/");
  EXPECT_EQ(spec["gates"]["training"]["log"]["uri"], "https://logs.example/Manual/2026-12-05T08:00:00Z.jsonl");
}

TEST(PlanTrigger, CodeChangeTriggerRecordsCommitReasonSourceTimePipelineAndRequestId) {
  const TriggerPlan plan = Plan(Pipeline(), CodeChange(kSha, "ci-run-881"));
  EXPECT_EQ(plan.candidate_object->at("spec")["trigger"],
            json({{"type", "CodeChange"},
                  {"source", "kubectl-modelgate"},
                  {"commit", kSha},
                  {"reason", std::string("code change ") + kSha},
                  {"time", "2026-12-05T08:00:00Z"},
                  {"pipeline", kPipeline},
                  {"requestId", "ci-run-881"}}));
}

TEST(PlanTrigger, ManualTriggerDefaultsSourceToKubectlModelgateAndHasNoReason) {
  const json trigger = Plan(Pipeline(), Manual()).candidate_object->at("spec")["trigger"];
  EXPECT_EQ(trigger["type"], "Manual");
  EXPECT_EQ(trigger["source"], "kubectl-modelgate");
  EXPECT_FALSE(trigger.contains("reason"));
  EXPECT_FALSE(trigger.contains("commit"));
  EXPECT_FALSE(trigger.contains("scheduledTime"));
  EXPECT_FALSE(trigger.contains("window"));
  EXPECT_FALSE(trigger.contains("alert"));
}

TEST(PlanTrigger, KeepsTheSourceAndReasonTheRequestGives) {
  TriggerRequest request = CodeChange();
  request.source = "github.com/acme/fraud@main";
  request.reason = "Merge PR #412: new velocity features";
  const json trigger = Plan(Pipeline(), request).candidate_object->at("spec")["trigger"];
  EXPECT_EQ(trigger["source"], "github.com/acme/fraud@main");
  EXPECT_EQ(trigger["reason"], "Merge PR #412: new velocity features");
}

TEST(PlanTrigger, ScheduledTriggerSourceNamesThePipelineScheduleAndZone) {
  const json pipeline = Pipeline(WithSchedule(BaseSpec(), {{"cron", "0 2 * * *"}, {"timeZone", "Europe/Berlin"}}));
  const TriggerPlan plan = Plan(pipeline, Scheduled(At("2026-12-05T01:00:00Z")));
  EXPECT_EQ(plan.candidate_object->at("spec")["trigger"]["source"],
            "modelpipeline/fraud-nightly schedule '0 2 * * *' (Europe/Berlin)");
}

TEST(PlanTrigger, ScheduledTriggerSourceWithoutZoneHasNoZone) {
  const json pipeline = Pipeline(WithSchedule(BaseSpec(), {{"cron", "@daily"}}));
  const TriggerPlan plan = Plan(pipeline, Scheduled(At("2026-12-05T00:00:00Z")));
  EXPECT_EQ(plan.candidate_object->at("spec")["trigger"]["source"], "modelpipeline/fraud-nightly schedule '@daily'");
}

TEST(PlanTrigger, ScheduledTriggerRecordsScheduledTimeAndTheWindowOfSpecScheduleWindow) {
  const json pipeline = Pipeline(WithSchedule(BaseSpec(), {{"cron", "@daily"}, {"window", "168h"}}));
  const json trigger = Plan(pipeline, Scheduled(At("2026-12-05T00:00:00Z"))).candidate_object->at("spec")["trigger"];
  EXPECT_EQ(trigger["type"], "Scheduled");
  EXPECT_EQ(trigger["scheduledTime"], "2026-12-05T00:00:00Z");
  EXPECT_EQ(trigger["time"], "2026-12-05T08:00:00Z");
  EXPECT_EQ(trigger["window"], json({{"start", "2026-11-28T00:00:00Z"}, {"end", "2026-12-05T00:00:00Z"}}));
  EXPECT_EQ(trigger["reason"], "scheduled retraining for 2026-12-05T00:00:00Z");
}

TEST(PlanTrigger, ScheduledTriggerWithoutWindowRecordsNoWindow) {
  const json pipeline = Pipeline(WithSchedule(BaseSpec(), {{"cron", "@daily"}}));
  const json trigger = Plan(pipeline, Scheduled(At("2026-12-05T00:00:00Z"))).candidate_object->at("spec")["trigger"];
  EXPECT_FALSE(trigger.contains("window"));
}

TEST(PlanTrigger, ScheduledReasonCountsTheRunsDueWhileTheOperatorWasAway) {
  const json pipeline = Pipeline(WithSchedule(BaseSpec(), {{"cron", "@hourly"}}));
  const TriggerPlan plan = Plan(pipeline, Scheduled(At("2026-12-05T08:00:00Z"), 4));
  EXPECT_EQ(plan.candidate_object->at("spec")["trigger"]["reason"],
            "scheduled retraining for 2026-12-05T08:00:00Z (the latest of 5 runs due while the operator was away; "
            "the earlier ones were not started)");
}

TEST(PlanTrigger, ScheduledTemplateRendersTheWindowEndingAtTheScheduledTime) {
  const json pipeline = Pipeline(WithSchedule(BaseSpec(), {{"cron", "@daily"}, {"window", "24h"}}));
  const json spec = Plan(pipeline, Scheduled(At("2026-12-05T00:00:00Z"))).candidate_object->at("spec");
  EXPECT_EQ(spec["gates"]["data"]["dataset"]["uri"],
            "https://data.example/fraud-nightly?from=2026-12-04T00:00:00Z&to=2026-12-05T00:00:00Z");
  EXPECT_EQ(spec["gates"]["training"]["log"]["uri"], "https://logs.example/Scheduled/2026-12-05T00:00:00Z.jsonl");
}

TEST(PlanTrigger, OtherTriggersRenderTheWindowEndingAtTheTriggerTime) {
  const json pipeline = Pipeline(WithSchedule(BaseSpec(), {{"cron", "@daily"}, {"window", "1h"}}));
  const json spec = Plan(pipeline, Manual()).candidate_object->at("spec");
  EXPECT_EQ(spec["gates"]["data"]["dataset"]["uri"],
            "https://data.example/fraud-nightly?from=2026-12-05T07:00:00Z&to=2026-12-05T08:00:00Z");
  EXPECT_FALSE(spec["trigger"].contains("window"));
}

TEST(PlanTrigger, WithoutAWindowTheWindowStartsWhereItEnds) {
  const json spec = Plan(Pipeline(), Manual()).candidate_object->at("spec");
  EXPECT_EQ(spec["gates"]["data"]["dataset"]["uri"],
            "https://data.example/fraud-nightly?from=2026-12-05T08:00:00Z&to=2026-12-05T08:00:00Z");
}

TEST(PlanTrigger, DataDriftTriggerRecordsTheAlertAndDefaultsSourceToTheAlert) {
  json spec = BaseSpec();
  spec["alerts"] = {{"enabled", true}, {"tokenSecretRef", {{"name", "t"}, {"key", "k"}}}};
  const json trigger = Plan(Pipeline(spec), Drift("g1")).candidate_object->at("spec")["trigger"];
  EXPECT_EQ(trigger["type"], "DataDrift");
  EXPECT_EQ(trigger["source"], "alertmanager/FeatureDrift");
  EXPECT_EQ(trigger["reason"], "PSI of amount above 0.2");
  EXPECT_EQ(trigger["alert"], json({{"name", "FeatureDrift"},
                                    {"groupKey", "g1"},
                                    {"fingerprints", {"a1b2c3", "d4e5f6"}},
                                    {"labels", {{"alertname", "FeatureDrift"}, {"model", kModel}}},
                                    {"annotations", {{"summary", "drift"}}},
                                    {"startsAt", "2026-12-05T07:55:00Z"},
                                    {"externalURL", "http://alertmanager:9093"}}));
}

TEST(PlanTrigger, KeepsAtMost64AlertFingerprints) {
  TriggerRequest request = Drift();
  request.alert->fingerprints.assign(100, "f");
  EXPECT_EQ(Plan(Pipeline(), request).candidate_object->at("spec")["trigger"]["alert"]["fingerprints"].size(), 64u);
}

TEST(PlanTrigger, BoundsTheTriggerFieldsToTheCandidateSchema) {
  TriggerRequest request = Manual(std::string(300, 'i'));
  request.source = std::string(600, 's');
  request.reason = std::string(3000, 'r');
  const json trigger = Plan(Pipeline(), request).candidate_object->at("spec")["trigger"];
  EXPECT_LE(trigger["source"].get<std::string>().size(), 512u);
  EXPECT_LE(trigger["reason"].get<std::string>().size(), 2048u);
  EXPECT_LE(trigger["requestId"].get<std::string>().size(), 128u);
}

TEST(PlanTrigger, CreatedCandidateIsPendingWithTheObjectToCreate) {
  const TriggerPlan plan = Plan(Pipeline(), Manual());
  ASSERT_EQ(plan.status["pending"].size(), 1u);
  EXPECT_EQ(plan.status["pending"][0]["name"], "fraud-detector-v1");
  EXPECT_EQ(plan.status["pending"][0]["allocatedAt"], "2026-12-05T08:00:00Z");
  EXPECT_EQ(plan.status["pending"][0]["object"], *plan.candidate_object);
}

TEST(PlanTrigger, CreatedMessageNamesTheCandidateAndTheReason) {
  const TriggerPlan plan = Plan(Pipeline(), CodeChange());
  EXPECT_EQ(plan.message, std::string("CodeChange trigger: created fraud-detector-v1 (code change ") + kSha + ")");
}

TEST(PlanTrigger, CreatedEventReasonNamesTheTriggerMode) {
  const json pipeline = Pipeline(WithSchedule(BaseSpec(), {{"cron", "@daily"}}));
  const std::vector<std::pair<TriggerRequest, std::string>> cases = {{CodeChange(), "TriggeredByCodeChange"},
                                                                     {Manual(), "TriggeredManually"},
                                                                     {Scheduled(At("2026-12-05T00:00:00Z")), "TriggeredBySchedule"},
                                                                     {Drift(), "TriggeredByAlert"}};
  for (const auto& [request, reason] : cases) {
    const TriggerPlan plan = Plan(pipeline, request);
    ASSERT_EQ(plan.events.size(), 1u) << request.type;
    EXPECT_EQ(plan.events[0].type, "Normal");
    EXPECT_EQ(plan.events[0].reason, reason);
    EXPECT_EQ(plan.events[0].note, plan.message);
  }
}

// --- concurrencyPolicy and suspend -----------------------------------------------------------

TEST(PlanTrigger, ForbidSkipsWhileACandidateIsInGatesAndNamesIt) {
  const TriggerPlan plan = Plan(Pipeline(BaseSpec(), {{"lastVersion", 3}}), Manual(),
                                {Candidate("fraud-detector-v3", "3", "Training")});
  EXPECT_EQ(plan.result, TriggerResult::kSkipped);
  EXPECT_EQ(plan.message, "fraud-detector-v3 still in gates 1-3; concurrencyPolicy Forbid: Manual trigger skipped");
  EXPECT_EQ(plan.candidate, "");
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_EQ(plan.events[0].reason, "TriggerSkipped");
}

TEST(PlanTrigger, ForbidSkipAllocatesNoVersion) {
  const TriggerPlan plan = Plan(Pipeline(BaseSpec(), {{"lastVersion", 3}}), Manual(),
                                {Candidate("fraud-detector-v3", "3", "Evaluating")});
  EXPECT_FALSE(plan.candidate_object.has_value());
  EXPECT_EQ(plan.status["lastVersion"], 3);
  EXPECT_FALSE(plan.status.contains("pending"));
}

TEST(PlanTrigger, ForbidSkipIsRecordedInTheHistory) {
  const TriggerPlan plan = Plan(Pipeline(), Manual("req-9"), {Candidate("fraud-detector-v3", "3", "Pending")});
  ASSERT_EQ(plan.status["history"].size(), 1u);
  const json& entry = plan.status["history"][0];
  EXPECT_EQ(entry["result"], "Skipped");
  EXPECT_EQ(entry["type"], "Manual");
  EXPECT_EQ(entry["requestId"], "req-9");
  EXPECT_EQ(entry["message"], plan.message);
  EXPECT_FALSE(entry.contains("candidate"));
  EXPECT_EQ(plan.status["lastTriggerRequest"], "req-9");
}

TEST(PlanTrigger, ForbidListsEveryActiveCandidateIncludingAllocatedOnes) {
  const json status = {{"lastVersion", 5}, {"pending", {{{"name", "fraud-detector-v5"}}}}};
  const TriggerPlan plan =
      Plan(Pipeline(BaseSpec(), status), Manual(), {Candidate("fraud-detector-v4", "4", "ValidatingData")});
  EXPECT_EQ(plan.result, TriggerResult::kSkipped);
  EXPECT_EQ(plan.message.rfind("fraud-detector-v4, fraud-detector-v5 still in gates 1-3", 0), 0u) << plan.message;
}

TEST(PlanTrigger, ForbidIgnoresFinishedCandidates) {
  const TriggerPlan plan = Plan(Pipeline(), Manual(),
                                {Candidate("fraud-detector-v1", "1", "Ready"), Candidate("fraud-detector-v2", "2", "Rejected")});
  EXPECT_EQ(plan.result, TriggerResult::kCreated);
  EXPECT_EQ(plan.candidate, "fraud-detector-v3");
}

TEST(PlanTrigger, ForbidIgnoresCandidatesOfOtherPipelinesAndHandMadeOnes) {
  const TriggerPlan plan = Plan(Pipeline(), Manual(),
                                {Candidate("fraud-detector-v1", "1", "Training", "fraud-weekly"),
                                 Candidate("fraud-by-hand", "2", "Training", "")});
  EXPECT_EQ(plan.result, TriggerResult::kCreated);
}

TEST(PlanTrigger, ReplaceCreatesAndNamesTheCandidatesItReplaces) {
  const TriggerPlan plan = Plan(Pipeline(WithPolicy(BaseSpec(), "Replace"), {{"lastVersion", 3}}), Manual(),
                                {Candidate("fraud-detector-v3", "3", "Training")});
  EXPECT_EQ(plan.result, TriggerResult::kCreated);
  EXPECT_EQ(plan.candidate, "fraud-detector-v4");
  EXPECT_EQ(plan.message,
            "Manual trigger: created fraud-detector-v4; replaces fraud-detector-v3 (concurrencyPolicy Replace)");
}

TEST(PlanTrigger, AllowCreatesAlongsideActiveCandidates) {
  const TriggerPlan plan = Plan(Pipeline(WithPolicy(BaseSpec(), "Allow"), {{"lastVersion", 3}}), Manual(),
                                {Candidate("fraud-detector-v3", "3", "Training")});
  EXPECT_EQ(plan.result, TriggerResult::kCreated);
  EXPECT_EQ(plan.candidate, "fraud-detector-v4");
  EXPECT_EQ(plan.message, "Manual trigger: created fraud-detector-v4");
}

TEST(PlanTrigger, SuspendedPipelineSkipsEveryTriggerAndAllocatesNothing) {
  json spec = WithPolicy(BaseSpec(), "Allow");
  spec["suspend"] = true;
  const TriggerPlan plan = Plan(Pipeline(spec), CodeChange());
  EXPECT_EQ(plan.result, TriggerResult::kSkipped);
  EXPECT_EQ(plan.message, "the pipeline is suspended (spec.suspend); CodeChange trigger not acted on");
  EXPECT_FALSE(plan.candidate_object.has_value());
  EXPECT_FALSE(plan.status.contains("lastVersion"));
  EXPECT_EQ(plan.status["history"][0]["result"], "Skipped");
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_EQ(plan.events[0].reason, "TriggerSkipped");
}

// --- Alerts ---------------------------------------------------------------------------------

TEST(PlanTrigger, AlertRecordsItsGroupWithTheCandidate) {
  const TriggerPlan plan = Plan(Pipeline(), Drift("g1"));
  EXPECT_EQ(plan.status["alertGroups"],
            json({{{"groupKey", "g1"}, {"candidate", "fraud-detector-v1"}, {"triggeredAt", "2026-12-05T08:00:00Z"}}}));
  EXPECT_EQ(plan.status["history"][0]["alertGroup"], "g1");
}

TEST(PlanTrigger, AlertOfTheSameGroupWithinTheCooldownIsDeduplicatedNamingTheFirstCandidate) {
  const json status = {{"lastVersion", 3},
                       {"alertGroups",
                        {{{"groupKey", "g1"}, {"candidate", "fraud-detector-v3"}, {"triggeredAt", "2026-12-05T07:30:00Z"}}}}};
  const TriggerPlan plan = Plan(Pipeline(WithPolicy(BaseSpec(), "Allow"), status), Drift("g1"));
  EXPECT_EQ(plan.result, TriggerResult::kDeduplicated);
  EXPECT_EQ(plan.candidate, "fraud-detector-v3");
  EXPECT_EQ(plan.message,
            "alert group already triggered fraud-detector-v3 at 2026-12-05T07:30:00Z (within alerts.cooldown); "
            "notification not acted on again");
  EXPECT_FALSE(plan.candidate_object.has_value());
  EXPECT_EQ(plan.status["lastVersion"], 3);
  EXPECT_EQ(plan.status["history"][0]["result"], "Deduplicated");
  EXPECT_EQ(plan.status["history"][0]["candidate"], "fraud-detector-v3");
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_EQ(plan.events[0].reason, "AlertDeduplicated");
}

TEST(PlanTrigger, AlertOfTheSameGroupAfterTheCooldownCreatesANewCandidate) {
  const json status = {{"lastVersion", 3},
                       {"alertGroups",
                        {{{"groupKey", "g1"}, {"candidate", "fraud-detector-v3"}, {"triggeredAt", "2026-12-05T07:00:00Z"}}}}};
  const TriggerPlan plan = Plan(Pipeline(BaseSpec(), status), Drift("g1"));
  EXPECT_EQ(plan.result, TriggerResult::kCreated);
  EXPECT_EQ(plan.candidate, "fraud-detector-v4");
  EXPECT_EQ(plan.status["alertGroups"],
            json({{{"groupKey", "g1"}, {"candidate", "fraud-detector-v4"}, {"triggeredAt", "2026-12-05T08:00:00Z"}}}));
}

TEST(PlanTrigger, AlertGroupWithAKeyLongerThanTheStoredBoundIsStillDeduplicated) {
  json pipeline = Pipeline(WithPolicy(BaseSpec(), "Allow"));
  const std::string long_key = "{}/{team=\"fraud\"}:{" + std::string(3000, 'k') + "}";
  pipeline = Applied(pipeline, Plan(pipeline, Drift(long_key)));
  const TriggerPlan plan = Plan(pipeline, Drift(long_key), {}, kNow + minutes(5));
  EXPECT_EQ(plan.result, TriggerResult::kDeduplicated);
  EXPECT_EQ(plan.candidate, "fraud-detector-v1");
}

TEST(PlanTrigger, AlertCooldownComesFromTheSpec) {
  json spec = BaseSpec();
  spec["alerts"] = {{"cooldown", "10m"}};
  const json status = {{"alertGroups",
                        {{{"groupKey", "g1"}, {"candidate", "fraud-detector-v3"}, {"triggeredAt", "2026-12-05T07:45:00Z"}}}}};
  EXPECT_EQ(Plan(Pipeline(spec, status), Drift("g1")).result, TriggerResult::kCreated);
}

TEST(PlanTrigger, AnotherAlertGroupWithinTheCooldownIsNotDeduplicated) {
  const json status = {{"alertGroups",
                        {{{"groupKey", "g1"}, {"candidate", "fraud-detector-v3"}, {"triggeredAt", "2026-12-05T07:30:00Z"}}}}};
  const TriggerPlan plan = Plan(Pipeline(BaseSpec(), status), Drift("g2"));
  EXPECT_EQ(plan.result, TriggerResult::kCreated);
  ASSERT_EQ(plan.status["alertGroups"].size(), 2u);
  EXPECT_EQ(plan.status["alertGroups"][1]["groupKey"], "g2");
}

TEST(PlanTrigger, PrunesAlertGroupsOlderThanTheCooldown) {
  const json status = {{"alertGroups",
                        {{{"groupKey", "old"}, {"candidate", "fraud-detector-v1"}, {"triggeredAt", "2026-12-05T06:00:00Z"}},
                         {{"groupKey", "g1"}, {"candidate", "fraud-detector-v2"}, {"triggeredAt", "2026-12-05T07:30:00Z"}}}}};
  const TriggerPlan plan = Plan(Pipeline(BaseSpec(), status), Drift("g1"));
  ASSERT_EQ(plan.result, TriggerResult::kDeduplicated);
  EXPECT_EQ(plan.status["alertGroups"],
            json({{{"groupKey", "g1"}, {"candidate", "fraud-detector-v2"}, {"triggeredAt", "2026-12-05T07:30:00Z"}}}));
}

TEST(PlanTrigger, DropsAlertGroupsWhenEveryOneIsPastTheCooldown) {
  const json spec = BaseSpec();
  const json status = {{"lastVersion", 1},
                       {"alertGroups", {{{"groupKey", "old"}, {"candidate", "x"}, {"triggeredAt", "2026-12-05T06:00:00Z"}}}}};
  // Forbid skips this one: nothing is recorded for its group, and the stale one is gone.
  const TriggerPlan plan = Plan(Pipeline(spec, status), Drift("g1"), {Candidate("fraud-detector-v1", "1", "Training")});
  ASSERT_EQ(plan.result, TriggerResult::kSkipped);
  EXPECT_FALSE(plan.status.contains("alertGroups"));
}

// --- startingDeadline -----------------------------------------------------------------------

TEST(PlanTrigger, ScheduledRunLaterThanTheStartingDeadlineIsMissed) {
  const json pipeline = Pipeline(WithSchedule(BaseSpec(), {{"cron", "@hourly"}, {"startingDeadline", "30m"}}));
  const TriggerPlan plan = Plan(pipeline, Scheduled(At("2026-12-05T07:00:00Z")));
  EXPECT_EQ(plan.result, TriggerResult::kMissed);
  EXPECT_EQ(plan.message, "the run scheduled for 2026-12-05T07:00:00Z is more than startingDeadline late; not started");
  EXPECT_FALSE(plan.candidate_object.has_value());
  EXPECT_FALSE(plan.status.contains("lastVersion"));
  EXPECT_EQ(plan.status["lastScheduleTime"], "2026-12-05T07:00:00Z");
  EXPECT_EQ(plan.status["history"][0]["result"], "Missed");
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_EQ(plan.events[0].type, "Warning");
  EXPECT_EQ(plan.events[0].reason, "ScheduleMissed");
}

TEST(PlanTrigger, ScheduledRunWithinTheStartingDeadlineStarts) {
  const json pipeline = Pipeline(WithSchedule(BaseSpec(), {{"cron", "@hourly"}, {"startingDeadline", "30m"}}));
  const TriggerPlan plan = Plan(pipeline, Scheduled(At("2026-12-05T07:45:00Z")));
  EXPECT_EQ(plan.result, TriggerResult::kCreated);
  EXPECT_EQ(plan.status["lastScheduleTime"], "2026-12-05T07:45:00Z");
}

TEST(PlanTrigger, ScheduledRunWithoutAStartingDeadlineAlwaysStarts) {
  const json pipeline = Pipeline(WithSchedule(BaseSpec(), {{"cron", "@hourly"}}));
  EXPECT_EQ(Plan(pipeline, Scheduled(At("2026-11-05T08:00:00Z"))).result, TriggerResult::kCreated);
}

// --- Invalid requests -----------------------------------------------------------------------

TEST(PlanTrigger, CodeChangeWithoutACommitIsInvalidAndRecorded) {
  const TriggerPlan plan = Plan(Pipeline(), CodeChange("", "req-7"));
  EXPECT_EQ(plan.result, TriggerResult::kInvalid);
  EXPECT_EQ(plan.message, "a CodeChange trigger needs the commit (7 to 64 hexadecimal characters), got ''");
  EXPECT_FALSE(plan.candidate_object.has_value());
  EXPECT_FALSE(plan.status.contains("lastVersion"));
  EXPECT_EQ(plan.status["lastTriggerRequest"], "req-7");
  EXPECT_EQ(plan.status["history"][0]["result"], "Invalid");
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_EQ(plan.events[0].type, "Warning");
  EXPECT_EQ(plan.events[0].reason, "TriggerInvalid");
}

TEST(PlanTrigger, CodeChangeWithABranchNameInsteadOfACommitIsInvalid) {
  EXPECT_EQ(Plan(Pipeline(), CodeChange("main")).result, TriggerResult::kInvalid);
}

TEST(PlanTrigger, CodeChangeWithASixCharacterCommitIsInvalid) {
  EXPECT_EQ(Plan(Pipeline(), CodeChange("3f2a9c")).result, TriggerResult::kInvalid);
}

TEST(PlanTrigger, CodeChangeWithALongerThan64CharacterCommitIsInvalid) {
  EXPECT_EQ(Plan(Pipeline(), CodeChange(std::string(65, 'a'))).result, TriggerResult::kInvalid);
}

TEST(PlanTrigger, CodeChangeAcceptsAFullUppercaseSha) {
  EXPECT_EQ(Plan(Pipeline(), CodeChange("3F2A9C1D0B7E3F2A9C1D0B7E3F2A9C1D0B7E3F2A")).result, TriggerResult::kCreated);
}

TEST(PlanTrigger, ManualTriggerWithACommitThatIsNotHexIsInvalid) {
  // The candidate schema allows only a hexadecimal trigger.commit: such a candidate could never be
  // created, and its pending entry would block every later trigger under Forbid.
  TriggerRequest request = Manual();
  request.commit = "main";
  const TriggerPlan plan = Plan(Pipeline(), request);
  EXPECT_EQ(plan.result, TriggerResult::kInvalid);
  EXPECT_EQ(plan.message, "the trigger's commit must be 7 to 64 hexadecimal characters, got 'main'");
  EXPECT_FALSE(plan.candidate_object.has_value());
  EXPECT_FALSE(plan.status.contains("pending"));
}

TEST(PlanTrigger, ManualTriggerRecordsAHexCommit) {
  TriggerRequest request = Manual();
  request.commit = kSha;
  const TriggerPlan plan = Plan(Pipeline(), request);
  EXPECT_EQ(plan.result, TriggerResult::kCreated);
  EXPECT_EQ(plan.candidate_object->at("spec")["trigger"]["commit"], kSha);
}

TEST(PlanTrigger, BoundsTheCommitRecordedInTheHistory) {
  const TriggerPlan plan = Plan(Pipeline(), CodeChange(std::string(100000, 'z')));
  ASSERT_EQ(plan.result, TriggerResult::kInvalid);
  EXPECT_LE(plan.status["history"][0]["commit"].get<std::string>().size(), 80u);
  EXPECT_LE(plan.message.size(), 200u);
}

TEST(PlanTrigger, UnreadableRequestIsRecordedAsInvalidWithItsMessage) {
  TriggerRequest request = Manual("unreadable:42");
  request.invalid = "annotation modelgate.io/trigger: expected a JSON object";
  const TriggerPlan plan = Plan(Pipeline(), request);
  EXPECT_EQ(plan.result, TriggerResult::kInvalid);
  EXPECT_EQ(plan.message, request.invalid);
  EXPECT_EQ(plan.status["lastTriggerRequest"], "unreadable:42");
  EXPECT_FALSE(plan.candidate_object.has_value());
}

TEST(PlanTrigger, InvalidRequestIsRecordedEvenWhenSuspended) {
  json spec = BaseSpec();
  spec["suspend"] = true;
  EXPECT_EQ(Plan(Pipeline(spec), CodeChange("")).result, TriggerResult::kInvalid);
}

// --- Already handled ------------------------------------------------------------------------

TEST(PlanTrigger, SameRequestIdAsTheLastOneIsAlreadyHandled) {
  const json status = {{"lastTriggerRequest", "req-1"}, {"lastVersion", 4}};
  const TriggerPlan plan = Plan(Pipeline(BaseSpec(), status), Manual("req-1"));
  EXPECT_EQ(plan.result, TriggerResult::kAlreadyHandled);
  EXPECT_EQ(plan.status, status);
  EXPECT_FALSE(plan.candidate_object.has_value());
  EXPECT_TRUE(plan.events.empty());
}

TEST(PlanTrigger, ANewRequestIdIsActedOn) {
  const json status = {{"lastTriggerRequest", "req-1"}};
  EXPECT_EQ(Plan(Pipeline(BaseSpec(), status), Manual("req-2")).result, TriggerResult::kCreated);
}

TEST(PlanTrigger, ScheduledTimeEqualToTheLastScheduleTimeIsAlreadyHandled) {
  const json pipeline =
      Pipeline(WithSchedule(BaseSpec(), {{"cron", "@hourly"}}), {{"lastScheduleTime", "2026-12-05T08:00:00Z"}});
  EXPECT_EQ(Plan(pipeline, Scheduled(At("2026-12-05T08:00:00Z"))).result, TriggerResult::kAlreadyHandled);
}

TEST(PlanTrigger, ScheduledTimeBeforeTheLastScheduleTimeIsAlreadyHandled) {
  const json pipeline =
      Pipeline(WithSchedule(BaseSpec(), {{"cron", "@hourly"}}), {{"lastScheduleTime", "2026-12-05T08:00:00Z"}});
  EXPECT_EQ(Plan(pipeline, Scheduled(At("2026-12-05T07:00:00Z"))).result, TriggerResult::kAlreadyHandled);
}

TEST(PlanTrigger, ScheduledTimeAfterTheLastScheduleTimeIsActedOnAndRecorded) {
  const json pipeline =
      Pipeline(WithSchedule(BaseSpec(), {{"cron", "@hourly"}}), {{"lastScheduleTime", "2026-12-05T07:00:00Z"}});
  const TriggerPlan plan = Plan(pipeline, Scheduled(At("2026-12-05T08:00:00Z")));
  EXPECT_EQ(plan.result, TriggerResult::kCreated);
  EXPECT_EQ(plan.status["lastScheduleTime"], "2026-12-05T08:00:00Z");
  EXPECT_EQ(plan.status["history"][0]["scheduledTime"], "2026-12-05T08:00:00Z");
}

TEST(PlanTrigger, ForbidSkippedScheduledRunStillAdvancesTheLastScheduleTime) {
  const json pipeline = Pipeline(WithSchedule(BaseSpec(), {{"cron", "@hourly"}}));
  const TriggerPlan plan = Plan(pipeline, Scheduled(At("2026-12-05T08:00:00Z")), {Candidate("fraud-detector-v1", "1", "")});
  EXPECT_EQ(plan.result, TriggerResult::kSkipped);
  EXPECT_EQ(plan.status["lastScheduleTime"], "2026-12-05T08:00:00Z");
}

// --- History and lastTrigger ----------------------------------------------------------------

TEST(PlanTrigger, CreatedHistoryEntryRecordsTheTrigger) {
  const TriggerPlan plan = Plan(Pipeline(), CodeChange(kSha, "req-3"));
  ASSERT_EQ(plan.status["history"].size(), 1u);
  EXPECT_EQ(plan.status["history"][0],
            json({{"time", "2026-12-05T08:00:00Z"},
                  {"type", "CodeChange"},
                  {"source", "kubectl-modelgate"},
                  {"reason", std::string("code change ") + kSha},
                  {"commit", kSha},
                  {"requestId", "req-3"},
                  {"result", "Created"},
                  {"message", plan.message},
                  {"candidate", "fraud-detector-v1"},
                  {"version", "1"}}));
}

TEST(PlanTrigger, HistoryIsNewestFirst) {
  json pipeline = Pipeline(WithPolicy(BaseSpec(), "Allow"));
  pipeline = Applied(pipeline, Plan(pipeline, Manual("a")));
  const TriggerPlan plan = Plan(pipeline, Manual("b"), {}, kNow + minutes(1));
  ASSERT_EQ(plan.status["history"].size(), 2u);
  EXPECT_EQ(plan.status["history"][0]["requestId"], "b");
  EXPECT_EQ(plan.status["history"][1]["requestId"], "a");
}

TEST(PlanTrigger, HistoryKeepsTheLast50Triggers) {
  json history = json::array();
  for (int i = 0; i < 50; ++i) history.push_back({{"type", "Manual"}, {"result", "Created"}, {"requestId", std::to_string(i)}});
  const TriggerPlan plan = Plan(Pipeline(WithPolicy(BaseSpec(), "Allow"), {{"history", history}}), Manual("new"));
  ASSERT_EQ(plan.status["history"].size(), 50u);
  EXPECT_EQ(plan.status["history"][0]["requestId"], "new");
  EXPECT_EQ(plan.status["history"][49]["requestId"], "48");
}

TEST(PlanTrigger, RepeatedSkippedTriggersAreFoldedIntoOneEntryWithACount) {
  const std::vector<PipelineCandidate> busy = {Candidate("fraud-detector-v1", "1", "Training")};
  json pipeline = Pipeline(WithSchedule(BaseSpec(), {{"cron", "@hourly"}}));
  pipeline = Applied(pipeline, Plan(pipeline, Scheduled(At("2026-12-05T06:00:00Z")), busy));
  pipeline = Applied(pipeline, Plan(pipeline, Scheduled(At("2026-12-05T07:00:00Z")), busy, kNow + minutes(1)));
  const TriggerPlan plan = Plan(pipeline, Scheduled(At("2026-12-05T08:00:00Z")), busy, kNow + minutes(2));
  ASSERT_EQ(plan.status["history"].size(), 1u);
  EXPECT_EQ(plan.status["history"][0]["count"], 3);
  EXPECT_EQ(plan.status["history"][0]["time"], "2026-12-05T08:02:00Z");
  EXPECT_EQ(plan.status["lastScheduleTime"], "2026-12-05T08:00:00Z");
}

TEST(PlanTrigger, RepeatedDeduplicatedAlertsAreFoldedIntoOneEntry) {
  json pipeline = Pipeline(WithPolicy(BaseSpec(), "Allow"));
  pipeline = Applied(pipeline, Plan(pipeline, Drift("g1")));
  pipeline = Applied(pipeline, Plan(pipeline, Drift("g1"), {}, kNow + minutes(5)));
  const TriggerPlan plan = Plan(pipeline, Drift("g1"), {}, kNow + minutes(10));
  ASSERT_EQ(plan.result, TriggerResult::kDeduplicated);
  ASSERT_EQ(plan.status["history"].size(), 2u);
  EXPECT_EQ(plan.status["history"][0]["result"], "Deduplicated");
  EXPECT_EQ(plan.status["history"][0]["count"], 2);
  EXPECT_EQ(plan.status["history"][1]["result"], "Created");
}

TEST(PlanTrigger, DeduplicatedAlertsOfDifferentGroupsAreNotFolded) {
  const json status = {{"alertGroups",
                        {{{"groupKey", "g1"}, {"candidate", "fraud-detector-v1"}, {"triggeredAt", "2026-12-05T07:50:00Z"}},
                         {{"groupKey", "g2"}, {"candidate", "fraud-detector-v2"}, {"triggeredAt", "2026-12-05T07:50:00Z"}}}}};
  json pipeline = Pipeline(BaseSpec(), status);
  pipeline = Applied(pipeline, Plan(pipeline, Drift("g1")));
  const TriggerPlan plan = Plan(pipeline, Drift("g2"));
  EXPECT_EQ(plan.status["history"].size(), 2u);
}

TEST(PlanTrigger, CreatedTriggersAreNeverFolded) {
  json pipeline = Pipeline(WithPolicy(BaseSpec(), "Allow"));
  pipeline = Applied(pipeline, Plan(pipeline, Manual("a")));
  const TriggerPlan plan = Plan(pipeline, Manual("b"));
  EXPECT_EQ(plan.status["history"].size(), 2u);
  EXPECT_FALSE(plan.status["history"][0].contains("count"));
}

TEST(PlanTrigger, InvalidTriggersAreNeverFolded) {
  json pipeline = Pipeline();
  pipeline = Applied(pipeline, Plan(pipeline, CodeChange("", "a")));
  const TriggerPlan plan = Plan(pipeline, CodeChange("", "b"));
  EXPECT_EQ(plan.status["history"].size(), 2u);
}

TEST(PlanTrigger, LastTriggerSummarisesACreatedTrigger) {
  const TriggerPlan plan = Plan(Pipeline(), CodeChange());
  const json& last = plan.status["lastTrigger"];
  EXPECT_EQ(last["summary"], "CodeChange Created fraud-detector-v1 at 2026-12-05T08:00:00Z");
  EXPECT_EQ(last["type"], "CodeChange");
  EXPECT_EQ(last["result"], "Created");
  EXPECT_EQ(last["candidate"], "fraud-detector-v1");
  EXPECT_EQ(last["time"], "2026-12-05T08:00:00Z");
  EXPECT_EQ(last["source"], "kubectl-modelgate");
  EXPECT_EQ(last["message"], plan.message);
}

TEST(PlanTrigger, LastTriggerSummarisesASkippedTriggerWithoutACandidate) {
  const TriggerPlan plan = Plan(Pipeline(), Manual(), {Candidate("fraud-detector-v1", "1", "Training")});
  EXPECT_EQ(plan.status["lastTrigger"]["summary"], "Manual Skipped at 2026-12-05T08:00:00Z");
  EXPECT_FALSE(plan.status["lastTrigger"].contains("candidate"));
}

// --- Helpers --------------------------------------------------------------------------------

TEST(PlanTriggerHelpers, ViewCandidateReadsNameModelVersionPhaseStagePipelineAndSupersededBy) {
  const PipelineCandidate c = ViewCandidate(
      {{"metadata",
        {{"name", "fraud-detector-v12"},
         {"labels", {{kPipelineLabel, kPipeline}}},
         {"annotations", {{kSupersededByAnnotation, "fraud-detector-v13"}}}}},
       {"spec", {{"model", kModel}, {"version", "12"}}},
       {"status", {{"phase", "Superseded"}, {"stage", "Candidate"}}}});
  EXPECT_EQ(c.name, "fraud-detector-v12");
  EXPECT_EQ(c.model, kModel);
  EXPECT_EQ(c.version, "12");
  EXPECT_EQ(c.numeric_version, 12);
  EXPECT_EQ(c.phase, "Superseded");
  EXPECT_EQ(c.stage, "Candidate");
  EXPECT_EQ(c.pipeline, kPipeline);
  EXPECT_EQ(c.superseded_by, "fraud-detector-v13");
  EXPECT_FALSE(c.deleting);
}

TEST(PlanTriggerHelpers, ViewCandidateNumericVersionIsMinusOneForOtherVersions) {
  for (const char* version : {"", "1.2", "v3", "-4", "1234567890123456"}) {
    EXPECT_EQ(ViewCandidate({{"spec", {{"version", version}}}}).numeric_version, -1) << version;
  }
  EXPECT_EQ(ViewCandidate({{"spec", {{"version", "007"}}}}).numeric_version, 7);
}

TEST(PlanTriggerHelpers, InGatesIsTrueForThePhasesOfGatesOneToThreeOnly) {
  for (const char* phase : {"", "Pending", "ValidatingData", "Training", "ValidatingTraining", "Evaluating"}) {
    EXPECT_TRUE(InGates(phase)) << phase;
  }
  for (const char* phase : {"Ready", "Rejected", "ChampionRetained", "Superseded", "RollingOut", "Production",
                            "RolledBack", "Archived"}) {
    EXPECT_FALSE(InGates(phase)) << phase;
  }
}

TEST(PlanTriggerHelpers, ActiveCandidatesAreThisPipelinesInGatesPlusAllocatedOnesSorted) {
  json deleting = {{"metadata", {{"name", "fraud-detector-v2"}, {"labels", {{kPipelineLabel, kPipeline}}},
                                 {"deletionTimestamp", "2026-12-05T07:00:00Z"}}},
                   {"status", {{"phase", "Training"}}}};
  const json status = {{"pending", {{{"name", "fraud-detector-v9"}}, {{"name", "fraud-detector-v3"}}}}};
  const std::vector<std::string> active =
      ActiveCandidates(kPipeline, status,
                       {Candidate("fraud-detector-v3", "3", "Evaluating"), Candidate("fraud-detector-v1", "1", "Ready"),
                        Candidate("fraud-detector-v4", "4", "Training", "other"), ViewCandidate(deleting),
                        Candidate("fraud-detector-v8", "8", "Pending")});
  EXPECT_EQ(active, (std::vector<std::string>{"fraud-detector-v3", "fraud-detector-v8", "fraud-detector-v9"}));
}

TEST(PlanTriggerHelpers, ActiveCandidatesLeaveOutThoseMarkedSuperseded) {
  json marked = {{"metadata", {{"name", "fraud-detector-v2"}, {"labels", {{kPipelineLabel, kPipeline}}},
                               {"annotations", {{kSupersededByAnnotation, "fraud-detector-v3"}}}}},
                 {"status", {{"phase", "Training"}}}};
  EXPECT_TRUE(ActiveCandidates(kPipeline, json::object(), {ViewCandidate(marked)}).empty());
}

TEST(PlanTriggerHelpers, NamesTriggerResults) {
  EXPECT_STREQ(TriggerResultName(TriggerResult::kCreated), "Created");
  EXPECT_STREQ(TriggerResultName(TriggerResult::kSkipped), "Skipped");
  EXPECT_STREQ(TriggerResultName(TriggerResult::kDeduplicated), "Deduplicated");
  EXPECT_STREQ(TriggerResultName(TriggerResult::kMissed), "Missed");
  EXPECT_STREQ(TriggerResultName(TriggerResult::kInvalid), "Invalid");
  EXPECT_STREQ(TriggerResultName(TriggerResult::kAlreadyHandled), "AlreadyHandled");
}

TEST(PlanTriggerHelpers, PushHistoryStartsAHistory) {
  json status = json::object();
  PushHistory(status, {{"type", "Manual"}, {"result", "Created"}});
  EXPECT_EQ(status["history"], json({{{"type", "Manual"}, {"result", "Created"}}}));
}

TEST(PlanTriggerHelpers, PushHistoryFoldsMissedRunsWithTheSameMessage) {
  json status = json::object();
  PushHistory(status, {{"type", "Scheduled"}, {"result", "Missed"}, {"message", "m"}, {"time", "t1"}});
  PushHistory(status, {{"type", "Scheduled"}, {"result", "Missed"}, {"message", "m"}, {"time", "t2"}});
  ASSERT_EQ(status["history"].size(), 1u);
  EXPECT_EQ(status["history"][0]["count"], 2);
  EXPECT_EQ(status["history"][0]["time"], "t2");
}

TEST(PlanTriggerHelpers, PushHistoryDoesNotFoldADifferentMessage) {
  json status = json::object();
  PushHistory(status, {{"type", "Manual"}, {"result", "Skipped"}, {"message", "a"}});
  PushHistory(status, {{"type", "Manual"}, {"result", "Skipped"}, {"message", "b"}});
  EXPECT_EQ(status["history"].size(), 2u);
}

TEST(PlanTriggerHelpers, PushHistoryDoesNotFoldADifferentType) {
  json status = json::object();
  PushHistory(status, {{"type", "Manual"}, {"result", "Skipped"}, {"message", "a"}});
  PushHistory(status, {{"type", "CodeChange"}, {"result", "Skipped"}, {"message", "a"}});
  EXPECT_EQ(status["history"].size(), 2u);
}

}  // namespace
}  // namespace modelgate::controllers::pipeline
