// Tests of controllers/registry/sync_plan.h: the registry state a set of candidates implies, and the
// ordered, idempotent operations that reach it.
#include "controllers/registry/sync_plan.h"

#include <gtest/gtest.h>

namespace modelgate::controllers::registry {
namespace {

using json = nlohmann::json;
using Kind = RegistryOp::Kind;

json Candidate(const std::string& version, const std::string& phase, const std::string& stage,
               const std::string& stage_time = "", json registry = json::object()) {
  json mlflow = {{"trackingUri", "http://127.0.0.1:16500/"}};
  mlflow.update(registry);
  return {{"metadata", {{"name", "fraud-detector-v" + version}, {"namespace", "ml"}, {"generation", 1},
                        {"creationTimestamp", "2026-12-05T08:00:0" + version.substr(version.size() - 1) + "Z"}}},
          {"spec", {{"model", "fraud-detector"}, {"version", version},
                    {"trigger", {{"type", "DataDrift"}, {"source", "alertmanager/FeatureDriftHigh"}}},
                    {"registry", {{"mlflow", mlflow}}}}},
          {"status", {{"phase", phase}, {"stage", stage}, {"stageTransitionTime", stage_time},
                      {"gates", json::array({{{"name", "OfflineEvaluation"}, {"state", "Passed"}, {"reason", "ChecksPassed"},
                                              {"metrics", {{"auc_roc", {{"value", 0.8764}, {"champion", 0.8801}}}}}}})}}}};
}

std::vector<RegistryCandidate> Views(const std::vector<json>& objects) {
  std::vector<RegistryCandidate> out;
  for (const json& o : objects) out.push_back(*ViewRegistryCandidate(o));
  return out;
}

TEST(RegistrySpec, DefaultsComeFromTheCandidate) {
  const json c = Candidate("43", "Ready", "Staging");
  const auto spec = ParseMlflowSpec(c);
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->tracking_uri, "http://127.0.0.1:16500");  // trailing slash dropped
  EXPECT_EQ(spec->registered_model, "fraud-detector");
  EXPECT_EQ(spec->version, "43");
  EXPECT_EQ(spec->alias_champion, "champion");
  EXPECT_EQ(spec->alias_previous_champion, "previous-champion");
  EXPECT_EQ(spec->alias_challenger, "challenger");
  EXPECT_FALSE(spec->stages);
}

TEST(RegistrySpec, ACandidateWithoutRegistryHasNone) {
  json c = Candidate("43", "Ready", "Staging");
  c["spec"].erase("registry");
  EXPECT_FALSE(ParseMlflowSpec(c));
  EXPECT_FALSE(ViewRegistryCandidate(c));
}

TEST(SyncPlan, AReadyCandidateIsTheChallenger) {
  const std::vector<json> objects = {Candidate("42", "Production", "Production", "2026-12-01T00:00:00Z"),
                                     Candidate("43", "Ready", "Staging", "2026-12-05T08:01:00Z")};
  const auto views = Views(objects);
  const DesiredRegistryState desired = DesiredFor(views[1], views);
  EXPECT_EQ(desired.aliases.at("champion"), "42");
  EXPECT_EQ(desired.aliases.at("challenger"), "43");
  EXPECT_FALSE(desired.aliases.count("previous-champion"));
  EXPECT_EQ(desired.tags.at("modelgate.phase"), "Ready");
  EXPECT_EQ(desired.tags.at("modelgate.trigger.type"), "DataDrift");
  EXPECT_EQ(desired.tags.at("modelgate.metric.auc_roc"), "0.8764");
  EXPECT_EQ(desired.tags.at("modelgate.metric.auc_roc.champion"), "0.8801");
  EXPECT_EQ(desired.stage, "");  // stages off
}

TEST(SyncPlan, PromotionMovesChampionAndPreviousChampionAndRemovesTheChallenger) {
  const std::vector<json> objects = {Candidate("42", "Archived", "Archived", "2026-12-05T08:05:00Z"),
                                     Candidate("43", "Production", "Production", "2026-12-05T08:05:00Z")};
  const auto views = Views(objects);
  const DesiredRegistryState desired = DesiredFor(views[1], views);
  ObservedRegistry observed{{{"champion", "42"}, {"challenger", "43"}}, {}, "None"};
  const auto ops = PlanSync(desired, observed, "43");
  ASSERT_GE(ops.size(), 3u);
  EXPECT_EQ(ops[0], (RegistryOp{Kind::kSetAlias, "previous-champion", "42"}));  // the rollback target first
  EXPECT_EQ(ops[1], (RegistryOp{Kind::kSetAlias, "champion", "43"}));
  EXPECT_EQ(ops[2], (RegistryOp{Kind::kDeleteAlias, "challenger", ""}));
}

TEST(SyncPlan, RollbackAfterPromotionPutsTheAliasesBackAndNeverNamesTheRolledBackVersion) {
  // v43 was champion, v45 promoted (v43 Archived), then rolled back in the window: v43 is
  // Production again, v45 RolledBack (stage Archived); v42 was demoted by v43's promotion.
  const std::vector<json> objects = {Candidate("42", "Archived", "Archived", "2026-12-05T08:05:00Z"),
                                     Candidate("43", "Production", "Production", "2026-12-05T09:10:00Z"),
                                     Candidate("45", "RolledBack", "Archived", "2026-12-05T09:10:00Z")};
  const auto views = Views(objects);
  const DesiredRegistryState desired = DesiredFor(views[2], views);
  EXPECT_EQ(desired.aliases.at("champion"), "43");
  EXPECT_EQ(desired.aliases.at("previous-champion"), "42");
  EXPECT_FALSE(desired.aliases.count("challenger"));
  ObservedRegistry observed{{{"champion", "45"}, {"previous-champion", "43"}}, {}, "None"};
  const auto ops = PlanSync(desired, observed, "45");
  EXPECT_EQ(ops[0], (RegistryOp{Kind::kSetAlias, "previous-champion", "42"}));
  EXPECT_EQ(ops[1], (RegistryOp{Kind::kSetAlias, "champion", "43"}));
}

TEST(SyncPlan, ReapplyingTheDesiredStateChangesNothing) {
  const std::vector<json> objects = {Candidate("42", "Production", "Production", "2026-12-01T00:00:00Z"),
                                     Candidate("43", "Ready", "Staging")};
  const auto views = Views(objects);
  const DesiredRegistryState desired = DesiredFor(views[1], views);
  ObservedRegistry observed{desired.aliases, desired.tags, "None"};
  EXPECT_TRUE(PlanSync(desired, observed, "43").empty());
  EXPECT_EQ(DesiredDigest(desired, views[1].mlflow), DesiredDigest(DesiredFor(views[1], views), views[1].mlflow));
}

TEST(SyncPlan, StagesFollowTheStageWhenEnabledAndCandidatesAreLeftAlone) {
  const json registry = {{"stages", true}};
  const std::vector<json> objects = {Candidate("43", "Ready", "Staging", "", registry),
                                     Candidate("44", "Rejected", "Candidate", "", registry)};
  const auto views = Views(objects);
  EXPECT_EQ(DesiredFor(views[0], views).stage, "Staging");
  EXPECT_EQ(DesiredFor(views[1], views).stage, "");  // tags only
  const auto ops = PlanSync(DesiredFor(views[0], views), {{{"challenger", "43"}}, {}, "None"}, "43");
  ASSERT_FALSE(ops.empty());
  EXPECT_EQ(ops[0], (RegistryOp{Kind::kTransitionStage, "Staging", ""}));
}

TEST(SyncPlan, CandidatesOfAnotherRegistryDoNotCount) {
  json other = Candidate("50", "Production", "Production", "2026-12-05T09:00:00Z",
                         {{"registeredModel", "fraud-detector-eu"}});
  const std::vector<json> objects = {Candidate("43", "Ready", "Staging"), other};
  const auto views = Views(objects);
  EXPECT_FALSE(DesiredFor(views[0], views).aliases.count("champion"));
}

TEST(SyncPlan, CustomAliasNamesAreUsed) {
  const json registry = {{"aliases", {{"champion", "prod"}, {"challenger", "candidate"}}}};
  const std::vector<json> objects = {Candidate("43", "Ready", "Staging", "", registry)};
  const auto views = Views(objects);
  const auto desired = DesiredFor(views[0], views);
  EXPECT_EQ(desired.aliases.at("candidate"), "43");
  EXPECT_EQ(desired.managed_aliases, (std::vector<std::string>{"previous-champion", "prod", "candidate"}));
}

TEST(SyncPlan, ATagWhoseValueChangedIsSetAgainAndLongValuesAreCut) {
  json c = Candidate("43", "Rejected", "Candidate");
  c["status"]["message"] = std::string(9000, 'x');
  const std::vector<json> objects = {c};
  const auto views = Views(objects);  // views point into objects
  const auto desired = DesiredFor(views[0], views);
  EXPECT_LE(desired.tags.at("modelgate.message").size(), kMaxTagValueBytes);
  auto observed_tags = desired.tags;
  observed_tags["modelgate.phase"] = "Evaluating";
  const auto ops = PlanSync(desired, {{}, observed_tags, "None"}, "43");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0], (RegistryOp{Kind::kSetTag, "modelgate.phase", "Rejected"}));
}

}  // namespace
}  // namespace modelgate::controllers::registry
