#include <gtest/gtest.h>

#include <sstream>
#include <string_view>

#include "controllers/rollout/manual_actor.h"
#include "operator/plugin/plugin_commands.h"
#include "tests/operator/kube/fake_transport.h"

namespace modelgate::plugin {
namespace {

using kube::testing::ErrorResponse;
using kube::testing::FakeTransport;
using kube::testing::JsonResponse;
using nlohmann::json;

constexpr const char* kRolloutPath =
    "/apis/modelgate.io/v1alpha1/namespaces/team-a/modelrollouts/r1";
constexpr const char* kPipelinePath =
    "/apis/modelgate.io/v1alpha1/namespaces/team-a/modelpipelines/fraud-detector";
constexpr const char* kWhoAmIPath = "/apis/authentication.k8s.io/v1/selfsubjectreviews";

// A clock whose sleeps pass at once, so that --wait's polling and timeout run instantly.
class SteppingClock final : public kube::Clock {
 public:
  time_point Now() const override { return now_; }
  void SleepFor(std::chrono::milliseconds d) override { now_ += d; }

 private:
  time_point now_ = *kube::ParseRfc3339("2026-11-26T08:00:00Z");
};

json Pipeline(json status = json::object()) {
  return {{"metadata",
           {{"name", "fraud-detector"},
            {"namespace", "team-a"},
            {"annotations", {{"modelgate.io/trigger", R"({"id":"token-1","type":"Manual"})"}}}}},
          {"spec", {{"model", "fraud-detector"}}},
          {"status", std::move(status)}};
}

json Rollout(const std::string& phase, json spec = json::object()) {
  return {{"metadata", {{"name", "r1"}, {"namespace", "team-a"}}},
          {"spec", std::move(spec)},
          {"status", {{"phase", phase}}}};
}

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

class PluginCommandsTest : public ::testing::Test {
 protected:
  Outcome Command(const std::string& command, const std::string& name = "r1",
                  OutputFormat output = OutputFormat::kText) {
    return Run({.command = command, .name = name, .output = output});
  }
  Outcome Run(const PluginArgs& args) {
    CommandContext context{.ns = "team-a",
                           .now = *kube::ParseRfc3339("2026-11-26T08:00:00Z"),
                           .request_id = "token-1",
                           .server = "https://127.0.0.1:6443",
                           .clock = &clock_};
    std::ostringstream out, err;
    const int code = RunPluginCommand(args, context, client_, out, err);
    return {code, out.str(), err.str()};
  }
  // The body of the only PATCH sent, or null when none was.
  json PatchBody() {
    const auto patches = transport_->SentMatching("PATCH", kRolloutPath);
    if (patches.size() != 1) return nullptr;
    return json::parse(patches[0].body);
  }
  std::string PatchContentType() {
    const auto patches = transport_->SentMatching("PATCH", kRolloutPath);
    if (patches.empty()) return "";
    for (const auto& [key, value] : patches[0].headers) {
      if (key == "Content-Type") return value;
    }
    return "";
  }
  void Serve(const json& rollout) {
    transport_->Respond("GET", kRolloutPath, {JsonResponse(200, rollout)});
    transport_->Respond("PATCH", kRolloutPath, {JsonResponse(200, rollout)});
  }

  // The annotation value of the only PATCH of the pipeline, or "" when none was sent.
  std::string TriggerAnnotationSent() {
    const auto patches = transport_->SentMatching("PATCH", kPipelinePath);
    if (patches.size() != 1) return "";
    return json::parse(patches[0].body)["metadata"]["annotations"]["modelgate.io/trigger"];
  }
  Outcome Trigger(bool wait) {
    return Run({.command = "trigger",
                .name = "fraud-detector",
                .trigger_type = "CodeChange",
                .commit = "1a2b3c4d5e6f",
                .reason = "fix: merchant",
                .source = "ci/run/7",
                .wait = wait});
  }

  std::shared_ptr<FakeTransport> transport_ = std::make_shared<FakeTransport>();
  kube::Client client_{transport_};
  SteppingClock clock_;
};

TEST_F(PluginCommandsTest, PromoteSetsTheAnnotationToTheTokenWithAMergePatch) {
  Serve(Rollout("Canary"));
  const Outcome run = Command("promote");
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(PatchBody(),
            json::parse(R"({"metadata":{"annotations":{"modelgate.io/promote":"token-1","modelgate.io/actor":null}}})"));
  EXPECT_EQ(PatchContentType(), "application/merge-patch+json");
  EXPECT_NE(run.out.find("promotion requested"), std::string::npos) << run.out;
}

// The audit trail names who acted: the user the API server sees goes into the same patch as the
// action (controllers/rollout/manual_actor.h reads it back with managedFields).
TEST_F(PluginCommandsTest, ManualActionsNameTheUserInTheSamePatch) {
  static_assert(std::string_view(controllers::rollout::kActorAnnotation) == "modelgate.io/actor");
  for (const char* command : {"promote", "abort", "pause"}) {
    transport_ = std::make_shared<FakeTransport>();
    client_ = kube::Client(transport_);
    Serve(Rollout("Canary"));
    transport_->Respond(
        "POST", kWhoAmIPath,
        {JsonResponse(201, json::parse(R"({"kind":"SelfSubjectReview",
                              "status":{"userInfo":{"username":"alice@example.com"}}})"))});
    const Outcome run = Command(command);
    EXPECT_EQ(run.code, 0) << command << ": " << run.err;
    EXPECT_EQ(PatchBody()["metadata"]["annotations"]["modelgate.io/actor"], "alice@example.com") << command;
  }
}

TEST_F(PluginCommandsTest, PromoteIsRefusedOnceTheRolloutIsOver) {
  for (const char* phase :
       {"Pending", "Promoting", "Promoted", "RollingBack", "RolledBack", "Aborted"}) {
    transport_ = std::make_shared<FakeTransport>();
    client_ = kube::Client(transport_);
    Serve(Rollout(phase));
    const Outcome run = Command("promote");
    EXPECT_EQ(run.code, 1) << phase;
    EXPECT_EQ(run.err,
              std::string("error: modelrollout \"r1\": is ") + phase +
                  "; promote applies to a rollout that is Shadowing, in Canary or Paused\n");
    EXPECT_TRUE(PatchBody().is_null()) << phase;
  }
}

TEST_F(PluginCommandsTest, AbortSetsSpecAbort) {
  Serve(Rollout("Canary"));
  const Outcome run = Command("abort");
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(PatchBody(), json::parse(R"({"spec":{"abort":true},"metadata":{"annotations":{"modelgate.io/actor":null}}})"));
}

TEST_F(PluginCommandsTest, AbortOfAnAbortedRolloutIsANoOpAndOfAnEndedOneIsRefused) {
  Serve(Rollout("RollingBack", {{"abort", true}}));
  Outcome run = Command("abort");
  EXPECT_EQ(run.code, 0);
  EXPECT_EQ(run.out, "modelrollout \"r1\": abort was already requested (spec.abort is true)\n");
  EXPECT_TRUE(PatchBody().is_null());

  transport_ = std::make_shared<FakeTransport>();
  client_ = kube::Client(transport_);
  Serve(Rollout("RolledBack"));
  run = Command("abort");
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err,
            "error: modelrollout \"r1\": has already ended (RolledBack); nothing to abort\n");
  EXPECT_TRUE(PatchBody().is_null());
}

TEST_F(PluginCommandsTest, PauseAndResumeSetSpecPaused) {
  Serve(Rollout("Canary"));
  EXPECT_EQ(Command("pause").code, 0);
  EXPECT_EQ(PatchBody(), json::parse(R"({"spec":{"paused":true},"metadata":{"annotations":{"modelgate.io/actor":null}}})"));

  transport_ = std::make_shared<FakeTransport>();
  client_ = kube::Client(transport_);
  Serve(Rollout("Paused", {{"paused", true}}));
  EXPECT_EQ(Command("resume").code, 0);
  EXPECT_EQ(PatchBody(), json::parse(R"({"spec":{"paused":false},"metadata":{"annotations":{"modelgate.io/actor":null}}})"));
}

TEST_F(PluginCommandsTest, PauseIsRefusedAfterPromotion) {
  Serve(Rollout("Promoted"));
  const Outcome run = Command("pause");
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("is Promoted; only a pending, shadowing or canary rollout can be paused"),
            std::string::npos)
      << run.err;
  EXPECT_TRUE(PatchBody().is_null());
}

TEST_F(PluginCommandsTest, ResumeOfARolloutPausedByItsAnalysisSaysSoAndChangesNothing) {
  json rollout = Rollout("Paused");
  rollout["status"]["message"] = "error-rate: no data for 10m";
  Serve(rollout);
  const Outcome run = Command("resume");
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err,
            "error: modelrollout \"r1\": is Paused by its analysis, not by spec.paused "
            "(error-rate: no data for 10m); fix the metrics' data or abort it\n");
  EXPECT_TRUE(PatchBody().is_null());
}

TEST_F(PluginCommandsTest, NotFoundNamesTheObjectAndTheNamespace) {
  transport_->Respond("GET", kRolloutPath, {ErrorResponse(404, "NotFound")});
  for (const char* command : {"status", "promote", "abort", "pause", "resume"}) {
    const Outcome run = Command(command);
    EXPECT_EQ(run.code, 1) << command;
    EXPECT_EQ(run.err, "error: modelrollout \"r1\" not found in namespace \"team-a\"\n") << command;
  }
  EXPECT_TRUE(transport_->SentMatching("PATCH", kRolloutPath).empty());
}

TEST_F(PluginCommandsTest, AnUnreachableServerIsNamed) {
  transport_->Respond("GET", kRolloutPath,
                      {kube::Status(kube::StatusCode::kUnavailable, "connection refused")});
  const Outcome run = Command("status");
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("cannot reach the API server https://127.0.0.1:6443"), std::string::npos)
      << run.err;
}

TEST_F(PluginCommandsTest, StatusPrintsTheViewAsTextOrJson) {
  json rollout = Rollout("Canary", {{"canary", {{"steps", {{{"weight", 10}, {"soak", "5m"}}}}}}});
  rollout["status"]["currentStep"] = 1;
  rollout["status"]["canaryWeight"] = 10;
  Serve(rollout);
  Outcome run = Command("status");
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("Phase:      Canary\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("  1     10%      5m   current\n"), std::string::npos) << run.out;
  run = Command("status", "r1", OutputFormat::kJson);
  EXPECT_EQ(run.code, 0) << run.err;
  const json view = json::parse(run.out);
  EXPECT_EQ(view["canaryWeight"], 10);
  EXPECT_EQ(view["steps"][0]["state"], "current");
}

TEST_F(PluginCommandsTest, HistoryListsCandidatesAndRolloutsOfTheNamespace) {
  transport_->Respond(
      "GET", "/apis/modelgate.io/v1alpha1/namespaces/team-a/modelcandidates",
      {JsonResponse(200, json::parse(R"({"metadata": {"resourceVersion": "7"}, "items": [
                        {"metadata": {"name": "m-v1"}, "spec": {"model": "m", "version": "1"},
                         "status": {"phase": "Ready", "stage": "Staging"}}]})"))});
  transport_->Respond(
      "GET", "/apis/modelgate.io/v1alpha1/namespaces/team-a/modelrollouts",
      {JsonResponse(200, json::parse(R"({"metadata": {"resourceVersion": "7"}, "items": []})"))});
  Outcome run = Command("history", "m");
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("Model m in namespace team-a: 1 candidate, no champion"),
            std::string::npos)
      << run.out;
  run = Command("history", "mm");
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err,
            "error: no modelcandidates of model \"mm\" (spec.model) in namespace \"team-a\"; "
            "models there: m\n");
}

TEST_F(PluginCommandsTest, TriggerWritesOneMergePatchOfTheAnnotationAndPrintsTheId) {
  transport_->Respond("GET", kPipelinePath, {JsonResponse(200, Pipeline())});
  transport_->Respond("PATCH", kPipelinePath, {JsonResponse(200, Pipeline())});
  const Outcome run = Trigger(/*wait=*/false);
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "trigger requested on modelpipeline/fraud-detector (id token-1)\n");
  const auto patches = transport_->SentMatching("PATCH", kPipelinePath);
  ASSERT_EQ(patches.size(), 1u);
  EXPECT_EQ(json::parse(patches[0].body),
            json::parse(R"({"metadata":{"annotations":{"modelgate.io/trigger":)"
                        R"("{\"id\":\"token-1\",\"type\":\"CodeChange\",)"
                        R"(\"commit\":\"1a2b3c4d5e6f\",)"
                        R"(\"reason\":\"fix: merchant\",\"source\":\"ci/run/7\",)"
                        R"(\"requestedAt\":\"2026-11-26T08:00:00Z\"}"}}})"));
  for (const auto& [key, value] : patches[0].headers) {
    if (key == "Content-Type") {
      EXPECT_EQ(value, "application/merge-patch+json");
    }
  }
  EXPECT_TRUE(transport_->SentMatching("POST", kWhoAmIPath).empty());  // --source was given
}

TEST_F(PluginCommandsTest, TriggerWithoutSourceNamesTheUserTheApiServerSees) {
  transport_->Respond("GET", kPipelinePath, {JsonResponse(200, Pipeline())});
  transport_->Respond("PATCH", kPipelinePath, {JsonResponse(200, Pipeline())});
  transport_->Respond(
      "POST", kWhoAmIPath,
      {JsonResponse(201, json::parse(R"({"kind":"SelfSubjectReview",
                            "status":{"userInfo":{"username":"alice@example.com"}}})"))});
  const Outcome run =
      Run({.command = "trigger", .name = "fraud-detector", .trigger_type = "Manual"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(TriggerAnnotationSent(),
            R"({"id":"token-1","type":"Manual","source":"kubectl-modelgate/alice@example.com",)"
            R"("requestedAt":"2026-11-26T08:00:00Z"})");
}

TEST_F(PluginCommandsTest, TriggerFallsBackSilentlyWhenWhoAmIFails) {
  transport_->Respond("GET", kPipelinePath, {JsonResponse(200, Pipeline())});
  transport_->Respond("PATCH", kPipelinePath, {JsonResponse(200, Pipeline())});
  transport_->Respond("POST", kWhoAmIPath, {ErrorResponse(403, "Forbidden")});
  const Outcome run =
      Run({.command = "trigger", .name = "fraud-detector", .trigger_type = "Manual"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  EXPECT_EQ(json::parse(TriggerAnnotationSent())["source"], "kubectl-modelgate");
}

TEST_F(PluginCommandsTest, TriggerOfAMissingPipelineNamesItAndWritesNothing) {
  transport_->Respond("GET", kPipelinePath, {ErrorResponse(404, "NotFound")});
  const Outcome run = Trigger(/*wait=*/true);
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err, "error: modelpipeline \"fraud-detector\" not found in namespace \"team-a\"\n");
  EXPECT_TRUE(transport_->SentMatching("PATCH", kPipelinePath).empty());
}

TEST_F(PluginCommandsTest, TriggerWaitPollsUntilTheOperatorCreatedTheCandidate) {
  const json acted = Pipeline(
      {{"lastTriggerRequest", "token-1"},
       {"lastTrigger",
        {{"type", "CodeChange"}, {"time", "2026-11-26T08:00:03Z"},
         {"candidate", "fraud-detector-v46"}, {"reason", "fix: merchant"}, {"result", "Created"}}},
       {"history",
        {{{"id", "token-1"}, {"type", "CodeChange"}, {"time", "2026-11-26T08:00:03Z"},
          {"result", "Created"}, {"candidate", "fraud-detector-v46"}, {"message", "created"}}}}});
  transport_->Respond("GET", kPipelinePath,
                      {JsonResponse(200, Pipeline()), JsonResponse(200, Pipeline()),
                       kube::Status(kube::StatusCode::kUnavailable, "connection refused"),
                       JsonResponse(200, acted)});
  transport_->Respond("PATCH", kPipelinePath, {JsonResponse(200, Pipeline())});
  const Outcome run = Trigger(/*wait=*/true);
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out,
            "trigger requested on modelpipeline/fraud-detector (id token-1)\n"
            "modelpipeline/fraud-detector: Created fraud-detector-v46 (CodeChange 1a2b3c4)\n");
  EXPECT_EQ(transport_->SentMatching("GET", kPipelinePath).size(), 4u);  // read, 3 polls
}

TEST_F(PluginCommandsTest, TriggerWaitExitsOneWhenTheTriggerWasSkipped) {
  const json skipped = Pipeline(
      {{"lastTriggerRequest", "token-1"},
       {"history",
        {{{"id", "token-1"}, {"type", "CodeChange"}, {"result", "Skipped"},
          {"message", "the pipeline is suspended (spec.suspend)"}}}}});
  transport_->Respond("GET", kPipelinePath,
                      {JsonResponse(200, Pipeline()), JsonResponse(200, skipped)});
  transport_->Respond("PATCH", kPipelinePath, {JsonResponse(200, Pipeline())});
  const Outcome run = Trigger(/*wait=*/true);
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.out,
            "trigger requested on modelpipeline/fraud-detector (id token-1)\n"
            "modelpipeline/fraud-detector: Skipped: the pipeline is suspended (spec.suspend)\n");
}

TEST_F(PluginCommandsTest, TriggerWaitGivesUpAfterTheTimeoutAskingWhetherTheOperatorRuns) {
  transport_->Respond("GET", kPipelinePath, {JsonResponse(200, Pipeline())});
  transport_->Respond("PATCH", kPipelinePath, {JsonResponse(200, Pipeline())});
  PluginArgs args{.command = "trigger",
                  .name = "fraud-detector",
                  .trigger_type = "Manual",
                  .source = "me",
                  .wait = true,
                  .wait_timeout = std::chrono::seconds(5)};
  const Outcome run = Run(args);
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err,
            "error: modelpipeline/fraud-detector: the operator did not act on trigger token-1 "
            "within 5s; is the modelgate operator running? (the request stays on the pipeline, and "
            "the operator acts on it when it gets to it)\n");
  // One read before the patch, then one a second for 5 seconds.
  EXPECT_EQ(transport_->SentMatching("GET", kPipelinePath).size(), 6u);
}

TEST_F(PluginCommandsTest, TriggerWaitStopsWhenThePipelineIsDeleted) {
  transport_->Respond("GET", kPipelinePath,
                      {JsonResponse(200, Pipeline()), ErrorResponse(404, "NotFound")});
  transport_->Respond("PATCH", kPipelinePath, {JsonResponse(200, Pipeline())});
  const Outcome run = Trigger(/*wait=*/true);
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err, "error: modelpipeline \"fraud-detector\" not found in namespace \"team-a\"\n");
}

}  // namespace
}  // namespace modelgate::plugin
