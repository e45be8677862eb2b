#include "controllers/traffic/replicas_router.h"

#include <gtest/gtest.h>

#include "controllers/traffic/replica_split.h"
#include "tests/controllers/traffic/fake_object_server.h"

namespace modelgate::traffic {
namespace {

using kube::StatusCode;
using nlohmann::json;
using testing::FakeObjectServer;

const kube::Resource& Deployments() { return kube::resources::Deployments(); }

json Deployment(const std::string& name, int replicas) {
  json d = json::parse(R"({"apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": {"namespace": "prod"},
      "spec": {"selector": {"matchLabels": {"app": "fraud"}},
               "template": {"metadata": {"labels": {"app": "fraud"}}}}})");
  d["metadata"]["name"] = name;
  d["spec"]["replicas"] = replicas;
  return d;
}

RouteTarget Target(int total = 10) {
  return RouteTarget{.ns = "prod", .champion_service = "fraud", .canary_service = "fraud-canary",
                     .shadow_service = "fraud-shadow", .champion_deployment = "fraud",
                     .canary_deployment = "fraud-canary", .total_replicas = total};
}

class ReplicasRouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Put(Deployments(), Deployment("fraud", 10));
    server_.Put(Deployments(), Deployment("fraud-canary", 0));
  }
  int Replicas(const std::string& name) const {
    return server_.Get(Deployments(), "prod", name)["spec"]["replicas"].get<int>();
  }
  std::vector<std::string> PutPaths() {
    std::vector<std::string> paths;
    for (const auto& r : server_.transport().SentMatching("PUT", "/")) paths.push_back(r.path);
    return paths;
  }

  FakeObjectServer server_;
  ReplicasRouter router_{server_.client()};
};

TEST(ReplicasForWeightTest, RoundsAndNeverStarvesAVariantThatShouldGetTraffic) {
  EXPECT_EQ(*ReplicasForWeight(10, 0), (ReplicaCounts{.champion = 10, .canary = 0}));
  EXPECT_EQ(*ReplicasForWeight(10, 25), (ReplicaCounts{.champion = 7, .canary = 3}));  // 2.5 -> 3
  EXPECT_EQ(*ReplicasForWeight(10, 100), (ReplicaCounts{.champion = 0, .canary = 10}));
  EXPECT_EQ(*ReplicasForWeight(3, 10), (ReplicaCounts{.champion = 2, .canary = 1}));   // at least 1
  EXPECT_EQ(*ReplicasForWeight(4, 99), (ReplicaCounts{.champion = 1, .canary = 4}));   // at least 1
  EXPECT_EQ(*ReplicasForWeight(1, 50), (ReplicaCounts{.champion = 1, .canary = 1}));
  EXPECT_EQ(ReplicasForWeight(0, 10).status().code(), StatusCode::kInvalid);
  EXPECT_EQ(ReplicasForWeight(5, 101).status().code(), StatusCode::kInvalid);
}

TEST_F(ReplicasRouterTest, SetsBothReplicaCountsAndRecordsTheWeight) {
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 30}).ok());
  EXPECT_EQ(Replicas("fraud"), 7);
  EXPECT_EQ(Replicas("fraud-canary"), 3);
  EXPECT_EQ(server_.Get(Deployments(), "prod", "fraud-canary")["metadata"]["annotations"]
                                                                 [kCanaryWeightAnnotation], "30");
  EXPECT_FALSE(server_.Get(Deployments(), "prod", "fraud")["metadata"].contains("annotations"));
}

TEST_F(ReplicasRouterTest, ScalesTheGrowingDeploymentFirst) {
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 50}).ok());
  std::vector<std::string> puts = PutPaths();
  ASSERT_EQ(puts.size(), 2u);
  EXPECT_TRUE(puts[0].ends_with("/deployments/fraud-canary"));
  EXPECT_TRUE(puts[1].ends_with("/deployments/fraud"));

  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 0}).ok());  // rollback
  puts = PutPaths();
  ASSERT_EQ(puts.size(), 4u);
  EXPECT_TRUE(puts[2].ends_with("/deployments/fraud"));
  EXPECT_TRUE(puts[3].ends_with("/deployments/fraud-canary"));
  EXPECT_EQ(Replicas("fraud"), 10);
  EXPECT_EQ(Replicas("fraud-canary"), 0);
}

TEST_F(ReplicasRouterTest, RefusesToMirrorWithASentenceAUserCanActOn) {
  EXPECT_FALSE(router_.SupportsMirroring());
  const kube::Status status = router_.Apply(Target(), {.canary_weight = 0, .mirror_percent = 10});
  EXPECT_EQ(status.code(), StatusCode::kInvalid);
  EXPECT_NE(status.message().find("cannot mirror"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("spec.shadow"), std::string::npos) << status.message();
  EXPECT_EQ(server_.Puts(), 0u);
}

TEST_F(ReplicasRouterTest, DoesNotWriteWhenTheSplitIsAlreadyThere) {
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 20}).ok());
  ASSERT_EQ(server_.Puts(), 2u);
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 20}).ok());
  EXPECT_EQ(server_.Puts(), 2u);
}

TEST_F(ReplicasRouterTest, ObservesTheExactWeightWhileTheReplicasMatchIt) {
  ASSERT_TRUE(router_.Apply(Target(3), {.canary_weight = 10}).ok());
  EXPECT_EQ(Replicas("fraud-canary"), 1);
  EXPECT_EQ(router_.Observe(Target(3))->canary_weight, 10);  // not the 33 % of the ratio
}

TEST_F(ReplicasRouterTest, ObservesTheReplicaRatioWhenSomeoneElseScaled) {
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 10}).ok());
  json canary = server_.Get(Deployments(), "prod", "fraud-canary");
  canary["spec"]["replicas"] = 5;
  server_.Put(Deployments(), canary);
  server_.Put(Deployments(), Deployment("fraud", 5));
  auto split = router_.Observe(Target());
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(*split, (TrafficSplit{.canary_weight = 50, .mirror_percent = 0}));
}

TEST_F(ReplicasRouterTest, AReadBackThatDiffersIsAnErrorNamingTheDeployment) {
  server_.RewriteWrites([](json& d) {
    if (d["metadata"]["name"] == "fraud-canary") d["spec"]["replicas"] = 0;  // e.g. an HPA
  });
  const kube::Status status = router_.Apply(Target(), {.canary_weight = 20});
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find("Deployment prod/fraud-canary"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("spec.replicas: want 2, got 0"), std::string::npos) << status.message();
}

TEST_F(ReplicasRouterTest, AMissingDeploymentIsNotFound) {
  RouteTarget target = Target();
  target.canary_deployment = "nope";
  EXPECT_EQ(router_.Apply(target, {.canary_weight = 10}).code(), StatusCode::kNotFound);
  target = Target();
  target.champion_deployment = "nope";
  EXPECT_EQ(router_.Apply(target, {.canary_weight = 0}).code(), StatusCode::kNotFound);
  EXPECT_EQ(router_.Observe(target).status().code(), StatusCode::kNotFound);
}

// After a completed promotion or a rollback the canary Deployment is deleted. A retried effect
// (the status write that followed was lost) applies weight 0 again: that must converge, not fail
// with NotFound forever (seen in e2e: a replicas rollout stuck in Promoted).
TEST_F(ReplicasRouterTest, WeightZeroWithoutACanaryDeploymentGivesTheChampionEverything) {
  RouteTarget target = Target();
  target.canary_deployment = "removed";
  server_.Put(Deployments(), Deployment("fraud", 4));
  ASSERT_TRUE(router_.Apply(target, {.canary_weight = 0}).ok());
  EXPECT_EQ(Replicas("fraud"), 10);
  auto split = router_.Observe(target);
  ASSERT_TRUE(split.ok()) << split.status().ToString();
  EXPECT_EQ(*split, (TrafficSplit{.canary_weight = 0, .mirror_percent = 0}));
}

TEST_F(ReplicasRouterTest, NoTotalToDistributeIsInvalid) {
  EXPECT_EQ(router_.Apply(Target(0), {.canary_weight = 10}).code(), StatusCode::kInvalid);
  EXPECT_EQ(server_.Puts(), 0u);
}

}  // namespace
}  // namespace modelgate::traffic
