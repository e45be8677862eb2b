#include <gtest/gtest.h>

#include "operator/plugin/pipeline_trigger.h"

namespace modelgate::plugin {
namespace {

using nlohmann::json;

TriggerRequest CodeChange() {
  return {.id = "2026-11-26T08:15:00Z-1a2b3c4d",
          .type = "CodeChange",
          .commit = "1a2b3c4d5e6f7a8b",
          .reason = "fix: \"quoted\" merchant\nsecond line",
          .source = "kubectl-modelgate/alice@example.com",
          .requested_at = *kube::ParseRfc3339("2026-11-26T08:15:00Z")};
}

// A pipeline as the API server returns it: name, the annotation of `annotated_id`, and `status`.
json Pipeline(const std::string& annotated_id, json status = json::object()) {
  json pipeline = {{"metadata", {{"name", "fraud-detector"}, {"namespace", "ml"}}},
                   {"status", std::move(status)}};
  if (!annotated_id.empty()) {
    pipeline["metadata"]["annotations"][kTriggerAnnotation] =
        json{{"id", annotated_id}, {"type", "Manual"}}.dump();
  }
  return pipeline;
}

TEST(KubectlPluginTrigger, TheAnnotationIsCompactJsonInTheDocumentedOrder) {
  EXPECT_EQ(TriggerAnnotationValue(CodeChange()),
            R"({"id":"2026-11-26T08:15:00Z-1a2b3c4d","type":"CodeChange",)"
            R"("commit":"1a2b3c4d5e6f7a8b","reason":"fix: \"quoted\" merchant\nsecond line",)"
            R"("source":"kubectl-modelgate/alice@example.com",)"
            R"("requestedAt":"2026-11-26T08:15:00Z"})");
}

TEST(KubectlPluginTrigger, AbsentFieldsAreOmitted) {
  TriggerRequest manual{.id = "id-1",
                        .type = "Manual",
                        .source = "kubectl-modelgate",
                        .requested_at = *kube::ParseRfc3339("2026-11-26T08:15:00Z")};
  EXPECT_EQ(TriggerAnnotationValue(manual),
            R"({"id":"id-1","type":"Manual","source":"kubectl-modelgate",)"
            R"("requestedAt":"2026-11-26T08:15:00Z"})");
}

TEST(KubectlPluginTrigger, ThePatchSetsOnlyTheAnnotation) {
  const json patch = TriggerPatch(CodeChange());
  EXPECT_EQ(patch, (json{{"metadata",
                          {{"annotations",
                            {{"modelgate.io/trigger", TriggerAnnotationValue(CodeChange())}}}}}}));
}

TEST(KubectlPluginTrigger, TextThatIsNotUtf8IsReplacedNotRefused) {
  TriggerRequest request = CodeChange();
  request.reason = "cut mid-character \xc3";
  const json value = json::parse(TriggerAnnotationValue(request));
  EXPECT_EQ(value["reason"], "cut mid-character \xef\xbf\xbd");
}

TEST(KubectlPluginTrigger, CommitsAreSevenToSixtyFourHexCharacters) {
  EXPECT_TRUE(IsCommitSha("1a2b3c4"));
  EXPECT_TRUE(IsCommitSha("ABCDEF0123"));
  EXPECT_TRUE(IsCommitSha(std::string(64, '0')));
  EXPECT_FALSE(IsCommitSha("1a2b3c"));
  EXPECT_FALSE(IsCommitSha(std::string(65, '0')));
  EXPECT_FALSE(IsCommitSha("1a2b3c4g"));
  EXPECT_FALSE(IsCommitSha(""));
}

TEST(KubectlPluginTrigger, TheDefaultSourceNamesTheUserWhenKnownAndShortEnough) {
  EXPECT_EQ(DefaultTriggerSource("alice@example.com"), "kubectl-modelgate/alice@example.com");
  EXPECT_EQ(DefaultTriggerSource("system:serviceaccount:ci:deployer"),
            "kubectl-modelgate/system:serviceaccount:ci:deployer");
  EXPECT_EQ(DefaultTriggerSource(""), "kubectl-modelgate");
  EXPECT_EQ(DefaultTriggerSource(std::string(600, 'u')), "kubectl-modelgate");
}

TEST(KubectlPluginTrigger, NoOutcomeWhileTheOperatorHasNotActedOnTheId) {
  const TriggerRequest request = CodeChange();
  EXPECT_FALSE(TriggerOutcomeOf(Pipeline(request.id), request));
  // An earlier request's result is not this one's.
  const json earlier = {{"lastTriggerRequest", "earlier"},
                        {"lastTrigger", {{"type", "Manual"}, {"result", "Created"}}},
                        {"history", json::array({{{"id", "earlier"}, {"result", "Created"}}})}};
  EXPECT_FALSE(TriggerOutcomeOf(Pipeline(request.id, earlier), request));
}

TEST(KubectlPluginTrigger, CreatedNamesTheCandidateTypeAndShortCommitAndExitsZero) {
  const TriggerRequest request = CodeChange();
  const auto outcome = TriggerOutcomeOf(
      Pipeline(request.id,
               {{"lastTriggerRequest", request.id},
                {"lastTrigger",
                 {{"type", "CodeChange"}, {"time", "2026-11-26T08:15:02Z"},
                  {"candidate", "fraud-detector-v46"}, {"reason", "fix"}, {"result", "Created"}}},
                {"history",
                 {{{"id", request.id}, {"type", "CodeChange"}, {"time", "2026-11-26T08:15:02Z"},
                   {"result", "Created"}, {"candidate", "fraud-detector-v46"},
                   {"message", "created fraud-detector-v46"}}}}}),
      request);
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->exit_code, 0);
  EXPECT_EQ(outcome->line,
            "modelpipeline/fraud-detector: Created fraud-detector-v46 (CodeChange 1a2b3c4)");
}

TEST(KubectlPluginTrigger, AManualTriggerShowsItsTypeAlone) {
  TriggerRequest request = CodeChange();
  request.type = "Manual";
  request.commit = "";
  const auto outcome = TriggerOutcomeOf(
      Pipeline(request.id, {{"lastTriggerRequest", request.id},
                            {"lastTrigger",
                             {{"type", "Manual"}, {"candidate", "fraud-detector-v47"},
                              {"result", "Created"}}}}),
      request);
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->exit_code, 0);
  EXPECT_EQ(outcome->line, "modelpipeline/fraud-detector: Created fraud-detector-v47 (Manual)");
}

TEST(KubectlPluginTrigger, SkippedAndDeduplicatedSayWhyAndExitOne) {
  const TriggerRequest request = CodeChange();
  auto outcome = TriggerOutcomeOf(
      Pipeline(request.id,
               {{"lastTriggerRequest", request.id},
                {"history",
                 {{{"id", request.id}, {"type", "CodeChange"}, {"result", "Skipped"},
                   {"message",
                    "concurrencyPolicy Forbid: fraud-detector-v45 is still in gates 1-3"}}}}}),
      request);
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->exit_code, 1);
  EXPECT_EQ(outcome->line,
            "modelpipeline/fraud-detector: Skipped: concurrencyPolicy Forbid: fraud-detector-v45 "
            "is still in gates 1-3");

  outcome = TriggerOutcomeOf(
      Pipeline(request.id, {{"lastTriggerRequest", request.id},
                            {"lastTrigger",
                             {{"type", "CodeChange"},
                              {"result", "Deduplicated"},
                              {"reason", "commit 1a2b3c4 already made fraud-detector-v46"}}}}),
      request);
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->exit_code, 1);
  EXPECT_EQ(outcome->line,
            "modelpipeline/fraud-detector: Deduplicated: commit 1a2b3c4 already made "
            "fraud-detector-v46");
}

TEST(KubectlPluginTrigger, TheHistoryEntryOfTheIdWinsOverALaterLastTrigger) {
  const TriggerRequest request = CodeChange();
  const auto outcome = TriggerOutcomeOf(
      Pipeline("", {{"lastTriggerRequest", request.id},
                    {"lastTrigger", {{"type", "Scheduled"}, {"result", "Skipped"}}},
                    {"history",
                     {{{"type", "Scheduled"}, {"result", "Skipped"}, {"message", "suspended"}},
                      {{"id", request.id},
                       {"type", "CodeChange"},
                       {"result", "Created"},
                       {"candidate", "fraud-detector-v46"}}}}}),
      request);
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->exit_code, 0);
  EXPECT_EQ(outcome->line,
            "modelpipeline/fraud-detector: Created fraud-detector-v46 (CodeChange 1a2b3c4)");
}

TEST(KubectlPluginTrigger, AHistoryEntryMayNameTheIdAsRequestId) {
  const TriggerRequest request = CodeChange();
  const auto outcome = TriggerOutcomeOf(
      Pipeline(request.id, {{"history",
                             {{{"requestId", request.id},
                               {"type", "CodeChange"},
                               {"result", "Invalid"},
                               {"message", "annotation modelgate.io/trigger: id is required"}}}}}),
      request);
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->exit_code, 1);
  EXPECT_EQ(outcome->line,
            "modelpipeline/fraud-detector: Invalid: annotation modelgate.io/trigger: id is "
            "required");
}

TEST(KubectlPluginTrigger, ARequestOverwrittenBeforeTheOperatorReadItIsReported) {
  const TriggerRequest request = CodeChange();
  const auto outcome =
      TriggerOutcomeOf(Pipeline("2026-11-26T08:15:01Z-ffffffff", {{"lastTriggerRequest", "older"}}),
                       request);
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->exit_code, 1);
  EXPECT_EQ(outcome->line,
            "modelpipeline/fraud-detector: trigger 2026-11-26T08:15:00Z-1a2b3c4d was replaced by "
            "another request (2026-11-26T08:15:01Z-ffffffff) before the operator acted on it; it "
            "will not be acted on");
}

TEST(KubectlPluginTrigger, TheTimeoutMessageSaysTheOperatorDidNotActAndAsksIfItRuns) {
  EXPECT_EQ(TriggerTimeoutMessage("fraud-detector", "id-1", std::chrono::seconds(90)),
            "modelpipeline/fraud-detector: the operator did not act on trigger id-1 within 1m30s; "
            "is the modelgate operator running? (the request stays on the pipeline, and the "
            "operator acts on it when it gets to it)");
}

}  // namespace
}  // namespace modelgate::plugin
