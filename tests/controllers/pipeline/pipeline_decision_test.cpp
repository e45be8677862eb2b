// Tests of controllers/pipeline/pipeline_decision.h: the invalid spec, the due trigger (annotation,
// schedule), and the upkeep (pending candidates, active, champion, concurrencyPolicy Replace,
// historyLimit, promotion.mode Automatic, conditions, the next schedule).
#include "controllers/pipeline/pipeline_decision.h"

#include <gtest/gtest.h>

#include "controllers/conditions.h"
#include "controllers/json_fields.h"
#include "operator/kube/time_format.h"
#include "tests/controllers/pipeline/pipeline_test_util.h"

namespace modelgate::controllers::pipeline {

namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

using test_util::At;
using test_util::kModel;
using test_util::kNow;
using test_util::kPipeline;

json BaseSpec() {
  return {{"model", kModel}, {"candidateTemplate", {{"artifact", {{"uri", "s3://models/{{model}}/{{version}}/"}}}}}};
}

json Automatic(json spec, const char* rollout = "fraud-rollout") {
  spec["promotion"] = {{"mode", "Automatic"}, {"rolloutRef", {{"name", rollout}}}};
  return spec;
}

// A ModelCandidate of the namespace, viewed.
PipelineCandidate Candidate(const std::string& name, long long version, const std::string& phase,
                            const std::string& stage = "", const std::string& pipeline = kPipeline,
                            const std::string& model = kModel) {
  json labels = json::object();
  if (!pipeline.empty()) labels[kPipelineLabel] = pipeline;
  return ViewCandidate({{"metadata", {{"name", name}, {"namespace", "ml"}, {"labels", labels}}},
                        {"spec", {{"model", model}, {"version", std::to_string(version)}}},
                        {"status", {{"phase", phase}, {"stage", stage}}}});
}

PipelineCandidate Mine(long long version, const std::string& phase, const std::string& stage = "") {
  return Candidate(std::string(kModel) + "-v" + std::to_string(version), version, phase, stage);
}

RolloutObservation Rollout(const std::string& phase, const std::string& candidate, bool finished = false) {
  RolloutObservation r;
  r.found = true;
  r.phase = phase;
  r.finished = finished;
  r.generation = 4;
  r.observed_generation = 4;
  r.candidate = candidate;
  r.resource_version = "981";
  return r;
}

// What the reconciler gathers for one decision.
struct World {
  json pipeline;
  std::vector<PipelineCandidate> candidates;
  std::optional<RolloutObservation> rollout;
  std::vector<std::string> rollout_candidates;
  std::optional<std::string> alerts_problem;
  std::string template_error;
  TimePoint now = kNow;

  explicit World(json spec = BaseSpec(), json status = json::object()) {
    pipeline = {{"apiVersion", "modelgate.io/v1alpha1"},
                {"kind", "ModelPipeline"},
                {"metadata",
                 {{"name", kPipeline},
                  {"namespace", "ml"},
                  {"generation", 2},
                  {"creationTimestamp", "2026-12-01T00:00:00Z"},
                  {"annotations", json::object()}}},
                {"spec", std::move(spec)},
                {"status", std::move(status)}};
  }

  json& status() { return pipeline["status"]; }
  void Annotate(const std::string& value) { pipeline["metadata"]["annotations"][kTriggerAnnotation] = value; }

  PipelineDecision Decide() const {
    std::string error;
    std::optional<PipelineSpec> spec = ParsePipelineSpec(pipeline["spec"], &error);
    PipelineContext context{pipeline};
    context.spec = spec ? &*spec : nullptr;
    context.spec_error = error;
    context.template_error = template_error;
    context.alerts_problem = alerts_problem;
    context.candidates = candidates;
    context.rollout = rollout;
    context.rollout_candidates = rollout_candidates;
    context.now = now;
    return DecidePipeline(context);
  }

  // Runs a due trigger through PlanTrigger and keeps its status, as the trigger writer does.
  TriggerPlan Trigger(const TriggerRequest& request) {
    std::string error;
    std::optional<PipelineSpec> spec = ParsePipelineSpec(pipeline["spec"], &error);
    EXPECT_TRUE(spec.has_value()) << error;
    TriggerPlan plan = PlanTrigger(pipeline, *spec, candidates, request, now);
    if (plan.result != TriggerResult::kAlreadyHandled) pipeline["status"] = plan.status;
    return plan;
  }
};

std::optional<json> ConditionOf(const PipelineDecision& d, const std::string& type) {
  return FindCondition(Child(d.status, "conditions"), type);
}

// --- An invalid spec ------------------------------------------------------------------------

json BadCronSpec() {
  json spec = BaseSpec();
  spec["schedule"] = {{"cron", "0 25 * * *"}};
  return spec;
}

constexpr char kBadCron[] = "spec.schedule.cron '0 25 * * *': field 2 (hour): 25 is out of range 0-23";

TEST(DecidePipeline, InvalidSpecSetsInvalidTrueNamingTheField) {
  const PipelineDecision d = World(BadCronSpec()).Decide();
  const auto invalid = ConditionOf(d, "Invalid");
  ASSERT_TRUE(invalid.has_value());
  EXPECT_EQ((*invalid)["status"], "True");
  EXPECT_EQ((*invalid)["reason"], "InvalidSpec");
  EXPECT_EQ((*invalid)["message"], kBadCron);
  EXPECT_EQ((*invalid)["observedGeneration"], 2);
  EXPECT_TRUE(d.status_changed);
}

TEST(DecidePipeline, InvalidSpecSetsReadyFalse) {
  const auto ready = ConditionOf(World(BadCronSpec()).Decide(), "Ready");
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ((*ready)["status"], "False");
  EXPECT_EQ((*ready)["reason"], "InvalidSpec");
  EXPECT_EQ((*ready)["message"], std::string("no trigger is accepted until the spec is fixed: ") + kBadCron);
}

TEST(DecidePipeline, InvalidSpecEmitsAWarningEvent) {
  const PipelineDecision d = World(BadCronSpec()).Decide();
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].type, "Warning");
  EXPECT_EQ(d.events[0].reason, "InvalidSpec");
  EXPECT_EQ(d.events[0].note, kBadCron);
}

TEST(DecidePipeline, InvalidSpecEmitsNoEventWhenTheMessageIsUnchanged) {
  World world(BadCronSpec());
  world.status() = world.Decide().status;
  const PipelineDecision again = world.Decide();
  EXPECT_TRUE(again.events.empty());
  EXPECT_FALSE(again.status_changed);
}

TEST(DecidePipeline, InvalidSpecEmitsAnEventWhenTheMessageChanges) {
  World world(BadCronSpec());
  world.status() = world.Decide().status;
  world.pipeline["spec"]["schedule"]["cron"] = "61 * * * *";
  const PipelineDecision d = world.Decide();
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].note.rfind("spec.schedule.cron '61 * * * *'", 0), 0u);
}

TEST(DecidePipeline, InvalidSpecTriggersNothingAndDoesNoUpkeep) {
  World world(BadCronSpec(), {{"pending", {{{"name", "fraud-detector-v1"}, {"object", {{"kind", "ModelCandidate"}}}}}}});
  world.Annotate(R"({"id":"r1","type":"Manual"})");
  const PipelineDecision d = world.Decide();
  EXPECT_FALSE(d.due.has_value());
  EXPECT_TRUE(d.create.empty());
  EXPECT_FALSE(d.requeue_after.has_value());
}

TEST(DecidePipeline, TemplateRefusedByTheDryRunIsInvalid) {
  World world;
  world.template_error = "the rendered candidate is not a valid ModelCandidate: spec.candidateTemplate.artifact.uri: bad";
  const PipelineDecision d = world.Decide();
  const auto invalid = ConditionOf(d, "Invalid");
  ASSERT_TRUE(invalid.has_value());
  EXPECT_EQ((*invalid)["message"], world.template_error);
  EXPECT_EQ((*ConditionOf(d, "Ready"))["status"], "False");
}

TEST(DecidePipeline, ValidSpecRemovesTheInvalidCondition) {
  World world(BadCronSpec());
  world.status() = world.Decide().status;
  world.pipeline["spec"] = BaseSpec();
  const PipelineDecision d = world.Decide();
  EXPECT_FALSE(ConditionOf(d, "Invalid").has_value());
  EXPECT_EQ((*ConditionOf(d, "Ready"))["status"], "True");
}

TEST(DecidePipeline, RecordsTheObservedGeneration) { EXPECT_EQ(World().Decide().status["observedGeneration"], 2); }

// --- The annotation -------------------------------------------------------------------------

TEST(DecidePipeline, AnnotationWithANewIdIsADueRequest) {
  World world;
  world.Annotate(R"({"id":"ci-881","type":"CodeChange","commit":"3f2a9c1d0b7e","reason":"PR #412","source":"github"})");
  const PipelineDecision d = world.Decide();
  ASSERT_TRUE(d.due.has_value());
  EXPECT_EQ(d.due->type, "CodeChange");
  EXPECT_EQ(d.due->request_id, "ci-881");
  EXPECT_EQ(d.due->commit, "3f2a9c1d0b7e");
  EXPECT_EQ(d.due->reason, "PR #412");
  EXPECT_EQ(d.due->source, "github");
  EXPECT_EQ(d.due->invalid, "");
}

TEST(DecidePipeline, DueRequestComesBeforeAnyUpkeep) {
  World world(BaseSpec(), {{"pending", {{{"name", "fraud-detector-v1"}, {"object", {{"kind", "ModelCandidate"}}}}}}});
  world.Annotate(R"({"id":"r1"})");
  const PipelineDecision d = world.Decide();
  ASSERT_TRUE(d.due.has_value());
  EXPECT_TRUE(d.create.empty());
}

TEST(DecidePipeline, AnnotationWithTheLastHandledIdIsNotDue) {
  World world(BaseSpec(), {{"lastTriggerRequest", "ci-881"}});
  world.Annotate(R"({"id":"ci-881","type":"CodeChange","commit":"3f2a9c1d0b7e"})");
  EXPECT_FALSE(world.Decide().due.has_value());
}

TEST(DecidePipeline, UnreadableAnnotationIsADueInvalidRequest) {
  World world;
  world.Annotate("retrain please");
  const PipelineDecision d = world.Decide();
  ASSERT_TRUE(d.due.has_value());
  EXPECT_EQ(d.due->type, "Manual");
  EXPECT_EQ(d.due->request_id.rfind("unreadable:", 0), 0u);
  EXPECT_NE(d.due->invalid.find("annotation modelgate.io/trigger: expected a JSON object"), std::string::npos);
}

TEST(DecidePipeline, UnreadableAnnotationIsRecordedOnceThenNoLongerDue) {
  World world;
  world.Annotate("[1,2]");
  const PipelineDecision first = world.Decide();
  ASSERT_TRUE(first.due.has_value());
  EXPECT_EQ(world.Trigger(*first.due).result, TriggerResult::kInvalid);
  EXPECT_FALSE(world.Decide().due.has_value());
}

TEST(PipelineAnnotationRequest, NoAnnotationIsNoRequest) { EXPECT_FALSE(AnnotationRequest(World().pipeline).has_value()); }

TEST(PipelineAnnotationRequest, AnnotationWithoutAnIdIsInvalid) {
  World world;
  world.Annotate(R"({"type":"Manual"})");
  auto request = AnnotationRequest(world.pipeline);
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->request_id.rfind("noid:", 0), 0u);
  EXPECT_EQ(request->invalid, "annotation modelgate.io/trigger: id is required (a unique string per request)");
}

TEST(PipelineAnnotationRequest, TypeDefaultsToCodeChangeWhenACommitIsGiven) {
  World world;
  world.Annotate(R"({"id":"a","commit":"3f2a9c1d0b7e"})");
  EXPECT_EQ(AnnotationRequest(world.pipeline)->type, "CodeChange");
}

TEST(PipelineAnnotationRequest, TypeDefaultsToManualWithoutACommit) {
  World world;
  world.Annotate(R"({"id":"a"})");
  EXPECT_EQ(AnnotationRequest(world.pipeline)->type, "Manual");
}

TEST(PipelineAnnotationRequest, ScheduledOrDataDriftCannotBeRequestedByAPerson) {
  World world;
  world.Annotate(R"({"id":"a","type":"DataDrift"})");
  auto request = AnnotationRequest(world.pipeline);
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->type, "Manual");
  EXPECT_EQ(request->invalid,
            "annotation modelgate.io/trigger: type 'DataDrift' is not one a person can request; expected CodeChange or Manual");
}

// --- The schedule ---------------------------------------------------------------------------

json Every20s(json spec = BaseSpec()) {
  spec["schedule"] = {{"cron", "@every 20s"}};
  return spec;
}

TEST(DecidePipeline, ScheduledRunDueSinceCreationIsADueScheduledRequest) {
  World world(Every20s());
  world.pipeline["metadata"]["creationTimestamp"] = "2026-12-05T07:59:30Z";
  const PipelineDecision d = world.Decide();
  ASSERT_TRUE(d.due.has_value());
  EXPECT_EQ(d.due->type, "Scheduled");
  ASSERT_TRUE(d.due->scheduled_time.has_value());
  EXPECT_EQ(*d.due->scheduled_time, At("2026-12-05T07:59:50Z"));
  EXPECT_EQ(d.due->missed_runs, 0);
}

TEST(DecidePipeline, AfterALongOutageOnlyTheLatestDueRunIsRequestedWithTheMissedCount) {
  World world(Every20s(), {{"lastScheduleTime", "2026-12-05T07:00:00Z"}});
  const PipelineDecision d = world.Decide();
  ASSERT_TRUE(d.due.has_value());
  EXPECT_EQ(*d.due->scheduled_time, At("2026-12-05T08:00:00Z"));
  EXPECT_EQ(d.due->missed_runs, 179);  // 180 runs in (07:00:00, 08:00:00]
}

TEST(DecidePipeline, AfterTheLatestDueRunIsHandledNothingIsDueUntilTheNextOne) {
  World world(Every20s(), {{"lastScheduleTime", "2026-12-05T07:00:00Z"}});
  const PipelineDecision first = world.Decide();
  ASSERT_TRUE(first.due.has_value());
  EXPECT_EQ(world.Trigger(*first.due).result, TriggerResult::kCreated);
  const PipelineDecision second = world.Decide();
  EXPECT_FALSE(second.due.has_value());
  EXPECT_EQ(second.status["nextScheduleTime"], "2026-12-05T08:00:20Z");
}

TEST(DecidePipeline, SuspendedPipelineRecordsADueScheduledRunAsSkipped) {
  json spec = Every20s();
  spec["suspend"] = true;
  World world(spec, {{"lastScheduleTime", "2026-12-05T07:00:00Z"}});
  const PipelineDecision first = world.Decide();
  ASSERT_TRUE(first.due.has_value());
  EXPECT_EQ(world.Trigger(*first.due).result, TriggerResult::kSkipped);
  EXPECT_FALSE(world.Decide().due.has_value());
}

TEST(DecidePipeline, ForbidSkippedScheduledRunIsNotDueAgain) {
  World world(Every20s(), {{"lastScheduleTime", "2026-12-05T07:59:00Z"}});
  world.candidates = {Mine(1, "Training")};
  const PipelineDecision first = world.Decide();
  ASSERT_TRUE(first.due.has_value());
  EXPECT_EQ(world.Trigger(*first.due).result, TriggerResult::kSkipped);
  const PipelineDecision second = world.Decide();
  EXPECT_FALSE(second.due.has_value());
  EXPECT_EQ(second.status["lastScheduleTime"], "2026-12-05T08:00:00Z");
}

TEST(DecidePipeline, AnnotationHandledThroughPlanTriggerIsNotDueAgain) {
  World world;
  world.Annotate(R"({"id":"ci-882","type":"CodeChange","commit":"3f2a9c1d0b7e"})");
  const PipelineDecision first = world.Decide();
  ASSERT_TRUE(first.due.has_value());
  EXPECT_EQ(world.Trigger(*first.due).result, TriggerResult::kCreated);
  const PipelineDecision second = world.Decide();
  EXPECT_FALSE(second.due.has_value());
  ASSERT_EQ(second.create.size(), 1u);
  EXPECT_EQ(second.create[0]["metadata"]["name"], "fraud-detector-v1");
  EXPECT_EQ(second.status["active"], json({"fraud-detector-v1"}));
}

TEST(DecidePipeline, AnnotationIsDueBeforeTheSchedule) {
  World world(Every20s(), {{"lastScheduleTime", "2026-12-05T07:00:00Z"}});
  world.Annotate(R"({"id":"r1"})");
  const PipelineDecision d = world.Decide();
  ASSERT_TRUE(d.due.has_value());
  EXPECT_EQ(d.due->type, "Manual");
}

TEST(DecidePipeline, NothingDueSetsNextScheduleTimeAndRequeuesForIt) {
  World world(Every20s(), {{"lastScheduleTime", "2026-12-05T07:59:50Z"}});
  const PipelineDecision d = world.Decide();
  EXPECT_FALSE(d.due.has_value());
  EXPECT_EQ(d.status["nextScheduleTime"], "2026-12-05T08:00:10Z");
  ASSERT_TRUE(d.requeue_after.has_value());
  EXPECT_EQ(*d.requeue_after, milliseconds(10'005));
}

TEST(DecidePipeline, ScheduleCountsFromTheCreationWithoutALastScheduleTime) {
  World world(Every20s());
  world.pipeline["metadata"]["creationTimestamp"] = "2026-12-05T07:59:55Z";
  const PipelineDecision d = world.Decide();
  EXPECT_FALSE(d.due.has_value());
  EXPECT_EQ(d.status["nextScheduleTime"], "2026-12-05T08:00:15Z");
}

TEST(DecidePipeline, CalendarScheduleIsReadInItsTimeZone) {
  json spec = BaseSpec();
  spec["schedule"] = {{"cron", "0 2 * * *"}, {"timeZone", "Europe/Berlin"}};
  World world(spec, {{"lastScheduleTime", "2026-12-05T01:00:00Z"}});
  EXPECT_EQ(world.Decide().status["nextScheduleTime"], "2026-12-06T01:00:00Z");
}

TEST(DecidePipeline, PipelineWithoutAScheduleHasNoNextScheduleTime) {
  World world(BaseSpec(), {{"nextScheduleTime", "2026-12-05T09:00:00Z"}});
  const PipelineDecision d = world.Decide();
  EXPECT_FALSE(d.status.contains("nextScheduleTime"));
  EXPECT_FALSE(d.requeue_after.has_value());
}

// --- Pending candidates, active, champion ---------------------------------------------------

json PendingEntry(const std::string& name) {
  return {{"name", name},
          {"allocatedAt", "2026-12-05T07:59:00Z"},
          {"object", {{"kind", "ModelCandidate"}, {"metadata", {{"name", name}}}}}};
}

TEST(DecidePipeline, PendingCandidateThatExistsIsNoLongerPending) {
  World world(BaseSpec(), {{"pending", {PendingEntry("fraud-detector-v1")}}});
  world.candidates = {Mine(1, "Pending")};
  const PipelineDecision d = world.Decide();
  EXPECT_TRUE(d.create.empty());
  EXPECT_FALSE(d.status.contains("pending"));
}

TEST(DecidePipeline, PendingCandidateThatIsMissingIsCreatedAgainAndStaysPending) {
  World world(BaseSpec(), {{"pending", {PendingEntry("fraud-detector-v1"), PendingEntry("fraud-detector-v2")}}});
  world.candidates = {Mine(1, "Pending")};
  const PipelineDecision d = world.Decide();
  ASSERT_EQ(d.create.size(), 1u);
  EXPECT_EQ(d.create[0], PendingEntry("fraud-detector-v2")["object"]);
  EXPECT_EQ(d.status["pending"], json({PendingEntry("fraud-detector-v2")}));
  EXPECT_EQ(d.requeue_after, kWaitPoll);
}

TEST(DecidePipeline, ActiveListsThisPipelinesCandidatesInGatesAndAllocatedOnes) {
  World world(BaseSpec(), {{"pending", {PendingEntry("fraud-detector-v4")}}});
  world.candidates = {Mine(1, "Ready"), Mine(2, "Training"), Mine(3, "Evaluating"),
                      Candidate("fraud-detector-v9", 9, "Training", "", "fraud-weekly")};
  const PipelineDecision d = world.Decide();
  EXPECT_EQ(d.status["active"], json({"fraud-detector-v2", "fraud-detector-v3", "fraud-detector-v4"}));
  EXPECT_EQ(d.status["activeCount"], 3);
}

TEST(DecidePipeline, NoActiveCandidatesIsAnEmptyList) {
  const PipelineDecision d = World().Decide();
  EXPECT_EQ(d.status["active"], json::array());
  EXPECT_EQ(d.status["activeCount"], 0);
}

TEST(DecidePipeline, ChampionIsTheModelsCandidateInStageProductionWhoeverMadeIt) {
  World world;
  world.candidates = {Mine(1, "Archived", "Archived"), Candidate("fraud-hand-7", 7, "Production", "Production", ""),
                      Candidate("churn-v9", 9, "Production", "Production", "", "churn")};
  EXPECT_EQ(world.Decide().status["champion"], json({{"name", "fraud-hand-7"}, {"version", "7"}}));
}

TEST(DecidePipeline, NoProductionCandidateRemovesTheChampion) {
  World world(BaseSpec(), {{"champion", {{"name", "fraud-detector-v1"}, {"version", "1"}}}});
  world.candidates = {Mine(1, "RolledBack", "Archived")};
  EXPECT_FALSE(world.Decide().status.contains("champion"));
}

// --- concurrencyPolicy Replace --------------------------------------------------------------

json Replace(json spec = BaseSpec()) {
  spec["concurrencyPolicy"] = "Replace";
  return spec;
}

TEST(DecidePipeline, ReplaceSupersedesOlderCandidatesInGatesByTheNewest) {
  World world(Replace(), {{"lastVersion", 4}});
  world.candidates = {Mine(2, "Training"), Mine(3, "ValidatingData"), Mine(4, "Pending")};
  const PipelineDecision d = world.Decide();
  EXPECT_EQ(d.supersede, (std::vector<std::string>{"fraud-detector-v3", "fraud-detector-v2"}));
  EXPECT_EQ(d.superseded_by, "fraud-detector-v4");
  EXPECT_EQ(d.requeue_after, kWaitPoll);
}

TEST(DecidePipeline, ReplaceSupersedesByAnAllocatedCandidateNotYetCreated) {
  World world(Replace(), {{"lastVersion", 5}, {"pending", {PendingEntry("fraud-detector-v5")}}});
  world.candidates = {Mine(4, "Training")};
  const PipelineDecision d = world.Decide();
  EXPECT_EQ(d.supersede, (std::vector<std::string>{"fraud-detector-v4"}));
  EXPECT_EQ(d.superseded_by, "fraud-detector-v5");
}

TEST(DecidePipeline, ReplaceLeavesFinishedAndAlreadyMarkedCandidatesAlone) {
  World world(Replace(), {{"lastVersion", 5}});
  json marked = {{"metadata",
                  {{"name", "fraud-detector-v3"},
                   {"labels", {{kPipelineLabel, kPipeline}}},
                   {"annotations", {{kSupersededByAnnotation, "fraud-detector-v4"}}}}},
                 {"spec", {{"model", kModel}, {"version", "3"}}},
                 {"status", {{"phase", "Training"}}}};
  world.candidates = {Mine(1, "Ready"), Mine(2, "Rejected"), ViewCandidate(marked), Mine(5, "Training")};
  EXPECT_TRUE(world.Decide().supersede.empty());
}

TEST(DecidePipeline, ReplaceLeavesOtherPipelinesCandidatesAlone) {
  World world(Replace(), {{"lastVersion", 5}});
  world.candidates = {Candidate("fraud-detector-v3", 3, "Training", "", "fraud-weekly"), Mine(5, "Training")};
  EXPECT_TRUE(world.Decide().supersede.empty());
}

TEST(DecidePipeline, ForbidSupersedesNothing) {
  World world(BaseSpec(), {{"lastVersion", 4}});
  world.candidates = {Mine(3, "Training"), Mine(4, "Training")};
  EXPECT_TRUE(world.Decide().supersede.empty());
}

// --- historyLimit ---------------------------------------------------------------------------

json Limits(int succeeded, int failed, json spec = BaseSpec()) {
  spec["historyLimit"] = {{"succeeded", succeeded}, {"failed", failed}};
  return spec;
}

TEST(DecidePipeline, DeletesTheOldestSucceededCandidatesBeyondTheLimit) {
  World world(Limits(2, 10));
  world.candidates = {Mine(1, "Ready"), Mine(2, "ChampionRetained"), Mine(3, "Ready"), Mine(4, "Ready")};
  EXPECT_EQ(world.Decide().delete_candidates, (std::vector<std::string>{"fraud-detector-v2", "fraud-detector-v1"}));
}

TEST(DecidePipeline, DeletesTheOldestFailedCandidatesBeyondTheLimit) {
  World world(Limits(10, 1));
  world.candidates = {Mine(1, "Rejected"), Mine(2, "Superseded"), Mine(3, "RolledBack", "Candidate"), Mine(4, "Ready")};
  EXPECT_EQ(world.Decide().delete_candidates, (std::vector<std::string>{"fraud-detector-v2", "fraud-detector-v1"}));
}

TEST(DecidePipeline, CountsSucceededAndFailedCandidatesSeparately) {
  World world(Limits(1, 1));
  world.candidates = {Mine(1, "Ready"), Mine(2, "Rejected"), Mine(3, "Ready"), Mine(4, "Rejected")};
  EXPECT_EQ(world.Decide().delete_candidates, (std::vector<std::string>{"fraud-detector-v2", "fraud-detector-v1"}));
}

TEST(DecidePipeline, KeepsTenOfEachByDefault) {
  World world;
  for (int v = 1; v <= 11; ++v) world.candidates.push_back(Mine(v, "Ready"));
  for (int v = 12; v <= 21; ++v) world.candidates.push_back(Mine(v, "Rejected"));
  EXPECT_EQ(world.Decide().delete_candidates, (std::vector<std::string>{"fraud-detector-v1"}));
}

TEST(DecidePipeline, NeverDeletesCandidatesInStageProductionOrArchived) {
  World world(Limits(0, 0));
  world.candidates = {Mine(1, "Production", "Production"), Mine(2, "Archived", "Archived"),
                      Mine(3, "RolledBack", "Archived"), Mine(4, "Ready", "Production")};
  EXPECT_TRUE(world.Decide().delete_candidates.empty());
}

TEST(DecidePipeline, NeverDeletesACandidateARolloutNames) {
  World world(Limits(0, 0));
  world.candidates = {Mine(1, "Rejected"), Mine(2, "Ready"), Mine(3, "Rejected")};
  world.rollout_candidates = {"fraud-detector-v1", "fraud-detector-v2"};
  EXPECT_EQ(world.Decide().delete_candidates, (std::vector<std::string>{"fraud-detector-v3"}));
}

TEST(DecidePipeline, NeverDeletesTheCandidateOfThePromotionRolloutOrTheLastHandedOne) {
  World world(Automatic(Limits(0, 0)), {{"promotion", {{"candidate", "fraud-detector-v2"}, {"version", 2}}}});
  world.candidates = {Mine(1, "RolledBack", "Candidate"), Mine(2, "Ready"), Mine(3, "Rejected")};
  world.rollout = Rollout("RolledBack", "fraud-detector-v1");
  EXPECT_EQ(world.Decide().delete_candidates, (std::vector<std::string>{"fraud-detector-v3"}));
}

TEST(DecidePipeline, NeverDeletesCandidatesInFlight) {
  World world(Limits(0, 0));
  world.candidates = {Mine(1, "Training"), Mine(2, "Evaluating"), Mine(3, "RollingOut", "Staging"), Mine(4, "")};
  EXPECT_TRUE(world.Decide().delete_candidates.empty());
}

TEST(DecidePipeline, NeverDeletesOtherPipelinesOrHandMadeCandidates) {
  World world(Limits(0, 0));
  world.candidates = {Candidate("fraud-detector-v1", 1, "Rejected", "", "fraud-weekly"),
                      Candidate("fraud-hand", 2, "Ready", "", "")};
  EXPECT_TRUE(world.Decide().delete_candidates.empty());
}

TEST(DecidePipeline, NeverDeletesTheReadyCandidateHandedToTheRolloutInTheSameDecision) {
  World world(Automatic(Limits(0, 10)));
  world.candidates = {Mine(1, "Ready")};
  world.rollout = Rollout("RolledBack", "");
  const PipelineDecision d = world.Decide();
  EXPECT_EQ(d.hand_to_rollout, "fraud-detector-v1");
  EXPECT_TRUE(d.delete_candidates.empty());
}

TEST(DecidePipeline, NeverDeletesTheReadyCandidateWaitingForABusyRollout) {
  World world(Automatic(Limits(0, 10)), {{"promotion", {{"candidate", "fraud-detector-v1"}, {"version", 1}}}});
  world.candidates = {Mine(1, "RollingOut", "Staging"), Mine(2, "Ready")};
  world.rollout = Rollout("Canary", "fraud-detector-v1");
  const PipelineDecision d = world.Decide();
  EXPECT_FALSE(d.hand_to_rollout.has_value());
  EXPECT_TRUE(d.delete_candidates.empty());
}

// --- promotion.mode Automatic ---------------------------------------------------------------

TEST(DecidePipeline, HandsTheNewestReadyCandidateToARolledBackRollout) {
  World world(Automatic(BaseSpec()));
  world.candidates = {Mine(3, "Ready"), Mine(5, "Ready"), Mine(4, "Ready"), Mine(6, "Training")};
  world.rollout = Rollout("RolledBack", "fraud-detector-v2");
  EXPECT_EQ(world.Decide().hand_to_rollout, "fraud-detector-v5");
}

TEST(DecidePipeline, HandsToAnAbortedRollout) {
  World world(Automatic(BaseSpec()));
  world.candidates = {Mine(5, "Ready")};
  world.rollout = Rollout("Aborted", "fraud-detector-v2");
  EXPECT_EQ(world.Decide().hand_to_rollout, "fraud-detector-v5");
}

TEST(DecidePipeline, HandsToAFailedRollout) {
  World world(Automatic(BaseSpec()));
  world.candidates = {Mine(5, "Ready")};
  world.rollout = Rollout("Failed", "fraud-detector-v2");
  EXPECT_EQ(world.Decide().hand_to_rollout, "fraud-detector-v5");
}

TEST(DecidePipeline, HandsToAFinishedPromotedRollout) {
  World world(Automatic(BaseSpec()));
  world.candidates = {Mine(4, "Production", "Production"), Mine(5, "Ready")};
  world.rollout = Rollout("Promoted", "fraud-detector-v4", /*finished=*/true);
  EXPECT_EQ(world.Decide().hand_to_rollout, "fraud-detector-v5");
}

TEST(DecidePipeline, HandsToARolloutPendingOnARejectedCandidate) {
  World world(Automatic(BaseSpec()));
  world.candidates = {Mine(4, "Rejected"), Mine(5, "Ready")};
  world.rollout = Rollout("Pending", "fraud-detector-v4");
  EXPECT_EQ(world.Decide().hand_to_rollout, "fraud-detector-v5");
}

TEST(DecidePipeline, DoesNotHandToAPromotedRolloutThatHasNotFinished) {
  World world(Automatic(BaseSpec()));
  world.candidates = {Mine(4, "Production", "Production"), Mine(5, "Ready")};
  world.rollout = Rollout("Promoted", "fraud-detector-v4", /*finished=*/false);
  const PipelineDecision d = world.Decide();
  EXPECT_FALSE(d.hand_to_rollout.has_value());
  EXPECT_EQ((*ConditionOf(d, "Promotion"))["reason"], "RolloutBusy");
}

TEST(DecidePipeline, BusyRolloutSetsPromotionRolloutBusyAndRequeues) {
  World world(Automatic(BaseSpec()), {{"promotion", {{"candidate", "fraud-detector-v4"}, {"version", 4}}}});
  world.candidates = {Mine(4, "RollingOut", "Staging"), Mine(5, "Ready")};
  world.rollout = Rollout("Canary", "fraud-detector-v4");
  world.rollout->current_step = 2;
  const PipelineDecision d = world.Decide();
  EXPECT_FALSE(d.hand_to_rollout.has_value());
  const auto promotion = ConditionOf(d, "Promotion");
  ASSERT_TRUE(promotion.has_value());
  EXPECT_EQ((*promotion)["status"], "False");
  EXPECT_EQ((*promotion)["reason"], "RolloutBusy");
  EXPECT_EQ((*promotion)["message"],
            "fraud-detector-v5 is Ready; waiting for modelrollout/fraud-rollout (phase Canary, step 2, candidate "
            "fraud-detector-v4) to finish: a rollout is never changed mid-way");
  EXPECT_EQ(d.requeue_after, kWaitPoll);
}

TEST(DecidePipeline, RolloutWithAnUnobservedSpecChangeIsBusy) {
  World world(Automatic(BaseSpec()));
  world.candidates = {Mine(5, "Ready")};
  world.rollout = Rollout("RolledBack", "fraud-detector-v2");
  world.rollout->generation = 5;
  const PipelineDecision d = world.Decide();
  EXPECT_FALSE(d.hand_to_rollout.has_value());
  EXPECT_EQ((*ConditionOf(d, "Promotion"))["reason"], "RolloutBusy");
}

TEST(DecidePipeline, MissingRolloutSetsPromotionRolloutNotFound) {
  World world(Automatic(BaseSpec()));
  world.candidates = {Mine(5, "Ready")};
  world.rollout = RolloutObservation{};
  const PipelineDecision d = world.Decide();
  EXPECT_FALSE(d.hand_to_rollout.has_value());
  const auto promotion = ConditionOf(d, "Promotion");
  ASSERT_TRUE(promotion.has_value());
  EXPECT_EQ((*promotion)["status"], "False");
  EXPECT_EQ((*promotion)["reason"], "RolloutNotFound");
  EXPECT_EQ((*promotion)["message"], "fraud-detector-v5 is Ready; modelrollout/fraud-rollout does not exist");
  EXPECT_EQ(d.requeue_after, kWaitPoll * 5);
}

TEST(DecidePipeline, DoesNotHandTheSameVersionTwice) {
  World world(Automatic(BaseSpec()), {{"promotion", {{"candidate", "fraud-detector-v5"}, {"version", 5}}}});
  world.candidates = {Mine(4, "Ready"), Mine(5, "Ready", "Candidate")};
  world.rollout = Rollout("Aborted", "fraud-detector-v5");
  const PipelineDecision d = world.Decide();
  EXPECT_FALSE(d.hand_to_rollout.has_value());
  EXPECT_FALSE(ConditionOf(d, "Promotion").has_value());
}

TEST(DecidePipeline, KeepsTheHandedToRolloutConditionAfterTheHandOver) {
  json conditions = json::array();
  SetCondition(conditions, {"Promotion", "True", "HandedToRollout", "fraud-detector-v5 handed to modelrollout/fraud-rollout", 2},
               kNow - minutes(1));
  World world(Automatic(BaseSpec()),
              {{"promotion", {{"candidate", "fraud-detector-v5"}, {"version", 5}}}, {"conditions", conditions}});
  world.candidates = {Mine(5, "RollingOut", "Staging")};
  world.rollout = Rollout("Canary", "fraud-detector-v5");
  const auto promotion = ConditionOf(world.Decide(), "Promotion");
  ASSERT_TRUE(promotion.has_value());
  EXPECT_EQ((*promotion)["reason"], "HandedToRollout");
}

TEST(DecidePipeline, ClearsAWaitingPromotionConditionWhenNothingWaits) {
  json conditions = json::array();
  SetCondition(conditions, {"Promotion", "False", "RolloutBusy", "waiting", 2}, kNow - minutes(1));
  World world(Automatic(BaseSpec()), {{"conditions", conditions}});
  world.rollout = Rollout("Canary", "fraud-detector-v5");
  EXPECT_FALSE(ConditionOf(world.Decide(), "Promotion").has_value());
}

TEST(DecidePipeline, RecordsTheHandOverWhenTheRolloutAlreadyNamesTheReadyCandidate) {
  World world(Automatic(BaseSpec()));
  world.candidates = {Mine(5, "Ready")};
  world.rollout = Rollout("Pending", "fraud-detector-v5");
  const PipelineDecision d = world.Decide();
  EXPECT_FALSE(d.hand_to_rollout.has_value());
  EXPECT_EQ(d.status["promotion"]["candidate"], "fraud-detector-v5");
  EXPECT_EQ(d.status["promotion"]["version"], 5);
  EXPECT_EQ(d.status["promotion"]["rollout"], "fraud-rollout");
}

TEST(DecidePipeline, HandsOnlyThisPipelinesCandidates) {
  World world(Automatic(BaseSpec()));
  world.candidates = {Candidate("fraud-hand", 9, "Ready", "", ""), Candidate("fraud-detector-v8", 8, "Ready", "", "fraud-weekly")};
  world.rollout = Rollout("RolledBack", "");
  EXPECT_FALSE(world.Decide().hand_to_rollout.has_value());
}

TEST(DecidePipeline, ManualPromotionNeverHandsOver) {
  World world;
  world.candidates = {Mine(5, "Ready")};
  world.rollout = Rollout("RolledBack", "");
  const PipelineDecision d = world.Decide();
  EXPECT_FALSE(d.hand_to_rollout.has_value());
  EXPECT_FALSE(ConditionOf(d, "Promotion").has_value());
}

TEST(PipelineRolloutIdle, MissingRolloutIsNotIdle) { EXPECT_FALSE(RolloutIdle(RolloutObservation{}, {})); }

TEST(PipelineRolloutIdle, FinalPhasesAreIdle) {
  for (const char* phase : {"RolledBack", "Aborted", "Failed"}) EXPECT_TRUE(RolloutIdle(Rollout(phase, "x"), {})) << phase;
  EXPECT_TRUE(RolloutIdle(Rollout("Promoted", "x", true), {}));
}

TEST(PipelineRolloutIdle, PhasesInProgressAreBusy) {
  for (const char* phase : {"Shadowing", "Canary", "Paused", "Promoting", "RollingBack"}) {
    EXPECT_FALSE(RolloutIdle(Rollout(phase, "x"), {})) << phase;
  }
  EXPECT_FALSE(RolloutIdle(Rollout("Promoted", "x", false), {}));
}

TEST(PipelineRolloutIdle, UnobservedGenerationIsBusyEvenInAFinalPhase) {
  RolloutObservation r = Rollout("RolledBack", "x");
  r.observed_generation = 3;
  EXPECT_FALSE(RolloutIdle(r, {}));
}

TEST(PipelineRolloutIdle, PendingOnACandidateThatCanStillBecomeReadyIsBusy) {
  for (const char* phase : {"", "Pending", "ValidatingData", "Training", "ValidatingTraining", "Evaluating", "Ready",
                            "RollingOut"}) {
    EXPECT_FALSE(RolloutIdle(Rollout("Pending", "fraud-detector-v4"), {Mine(4, phase)})) << phase;
  }
}

TEST(PipelineRolloutIdle, PendingOnACandidateThatCanNeverBecomeReadyIsIdle) {
  for (const char* phase : {"Rejected", "ChampionRetained", "Superseded", "RolledBack", "Production", "Archived"}) {
    EXPECT_TRUE(RolloutIdle(Rollout("Pending", "fraud-detector-v4"), {Mine(4, phase)})) << phase;
  }
}

TEST(PipelineRolloutIdle, PendingOnAMissingCandidateIsIdle) {
  EXPECT_TRUE(RolloutIdle(Rollout("Pending", "fraud-detector-v4"), {Mine(3, "Ready")}));
}

TEST(PipelineRolloutIdle, NeverReconciledRolloutWithoutCandidateIsIdle) {
  RolloutObservation r = Rollout("", "");
  r.observed_generation = 0;
  EXPECT_TRUE(RolloutIdle(r, {}));
}

// --- Conditions -----------------------------------------------------------------------------

TEST(DecidePipeline, ReadyTrueListsWhatTheTriggersAre) {
  json spec = BaseSpec();
  spec["schedule"] = {{"cron", "0 2 * * *"}, {"timeZone", "Europe/Berlin"}};
  spec["alerts"] = {{"enabled", true}, {"tokenSecretRef", {{"name", "am-token"}, {"key", "token"}}}};
  World world(spec, {{"lastScheduleTime", "2026-12-05T01:00:00Z"}});
  const auto ready = ConditionOf(world.Decide(), "Ready");
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ((*ready)["status"], "True");
  EXPECT_EQ((*ready)["reason"], "Accepting");
  EXPECT_EQ((*ready)["message"],
            "accepting triggers: schedule '0 2 * * *' in Europe/Berlin, Alertmanager webhook, kubectl modelgate trigger");
}

TEST(DecidePipeline, ReadyTrueWithOnlyTheAnnotation) {
  EXPECT_EQ((*ConditionOf(World().Decide(), "Ready"))["message"], "accepting triggers: kubectl modelgate trigger");
}

TEST(DecidePipeline, SuspendedPipelineIsNotReady) {
  json spec = BaseSpec();
  spec["suspend"] = true;
  const auto ready = ConditionOf(World(spec).Decide(), "Ready");
  EXPECT_EQ((*ready)["status"], "False");
  EXPECT_EQ((*ready)["reason"], "Suspended");
}

json AlertsOn() {
  json spec = BaseSpec();
  spec["alerts"] = {{"enabled", true}, {"tokenSecretRef", {{"name", "am-token"}, {"key", "token"}}}};
  return spec;
}

TEST(DecidePipeline, AlertsReadyTrueWhenTheTokenIsReadable) {
  World world(AlertsOn());
  world.alerts_problem = "";
  const auto alerts = ConditionOf(world.Decide(), "AlertsReady");
  ASSERT_TRUE(alerts.has_value());
  EXPECT_EQ((*alerts)["status"], "True");
  EXPECT_EQ((*alerts)["reason"], "TokenReadable");
  EXPECT_EQ((*alerts)["message"],
            "POST /webhooks/alertmanager/ml/fraud-nightly accepts firing alerts with a bearer token from Secret am-token");
}

TEST(DecidePipeline, AlertsReadyFalseWhenTheTokenIsUnreadable) {
  World world(AlertsOn());
  world.alerts_problem = "Secret am-token (alerts.tokenSecretRef): NotFound";
  const auto alerts = ConditionOf(world.Decide(), "AlertsReady");
  ASSERT_TRUE(alerts.has_value());
  EXPECT_EQ((*alerts)["status"], "False");
  EXPECT_EQ((*alerts)["reason"], "TokenUnavailable");
  EXPECT_EQ((*alerts)["message"], "Secret am-token (alerts.tokenSecretRef): NotFound");
}

TEST(DecidePipeline, AlertsDisabledRemovesAlertsReady) {
  World world(AlertsOn());
  world.alerts_problem = "";
  world.status() = world.Decide().status;
  world.pipeline["spec"]["alerts"]["enabled"] = false;
  EXPECT_FALSE(ConditionOf(world.Decide(), "AlertsReady").has_value());
}

TEST(DecidePipeline, SteadyStateChangesNothing) {
  World world(Every20s(Replace(Limits(1, 1))), {{"lastScheduleTime", "2026-12-05T07:59:50Z"}, {"lastVersion", 3}});
  world.candidates = {Mine(1, "Ready"), Mine(2, "Rejected"), Mine(3, "Training"), Mine(0, "Production", "Production")};
  world.status() = world.Decide().status;
  const PipelineDecision d = world.Decide();
  EXPECT_FALSE(d.status_changed);
  EXPECT_TRUE(d.events.empty());
}

}  // namespace
}  // namespace modelgate::controllers::pipeline
