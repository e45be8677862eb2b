#include "controllers/traffic/gateway_api_router.h"

#include <gtest/gtest.h>

#include "controllers/traffic/verified_write.h"
#include "tests/controllers/traffic/fake_object_server.h"

namespace modelgate::traffic {
namespace {

using kube::StatusCode;
using testing::FakeObjectServer;

const kube::Resource& Routes() { return kube::resources::HTTPRoutes(); }

json Route() {
  return json::parse(R"({
    "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
    "metadata": {"name": "web", "namespace": "prod", "labels": {"team": "risk"}},
    "spec": {
      "parentRefs": [{"name": "gw"}],
      "hostnames": ["fraud.example.com"],
      "rules": [
        {"matches": [{"path": {"type": "PathPrefix", "value": "/predict"}}],
         "filters": [{"type": "RequestHeaderModifier",
                      "requestHeaderModifier": {"set": [{"name": "x-team", "value": "risk"}]}}],
         "backendRefs": [{"name": "fraud", "port": 8080}, {"name": "legacy", "port": 80, "weight": 5}]},
        {"matches": [{"path": {"type": "PathPrefix", "value": "/admin"}}],
         "backendRefs": [{"name": "admin", "port": 80}]}
      ]
    },
    "status": {"parents": []}
  })");
}

RouteTarget Target() {
  return RouteTarget{.ns = "prod", .route_name = "web", .champion_service = "fraud",
                     .canary_service = "fraud-canary", .shadow_service = "fraud-shadow"};
}

class GatewayApiRouterTest : public ::testing::Test {
 protected:
  void SetUp() override { server_.Put(Routes(), Route()); }
  json Stored() const { return server_.Get(Routes(), "prod", "web"); }

  FakeObjectServer server_;
  GatewayApiRouter router_{server_.client()};
};

TEST_F(GatewayApiRouterTest, SetsChampionAndCanaryWeightsAddingTheCanaryWithTheChampionsPort) {
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 10}).ok());
  const json refs = Stored()["spec"]["rules"][0]["backendRefs"];
  ASSERT_EQ(refs.size(), 3u);
  EXPECT_EQ(refs[0], json::parse(R"({"name": "fraud", "port": 8080, "weight": 90})"));
  EXPECT_EQ(refs[1], json::parse(R"({"name": "legacy", "port": 80, "weight": 5})"));
  EXPECT_EQ(refs[2], json::parse(R"({"name": "fraud-canary", "port": 8080, "weight": 10})"));
}

TEST_F(GatewayApiRouterTest, LeavesEverythingButTheManagedWeightsAsItWas) {
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 25}).ok());
  json expected = Route();
  expected["spec"]["rules"][0]["backendRefs"][0]["weight"] = 75;
  expected["spec"]["rules"][0]["backendRefs"].push_back(
      json{{"name", "fraud-canary"}, {"port", 8080}, {"weight", 25}});
  json stored = Stored();
  stored["metadata"].erase("resourceVersion");
  EXPECT_EQ(stored, expected);
}

TEST_F(GatewayApiRouterTest, UpdatesEveryRuleThatSendsTrafficToTheChampion) {
  json route = Route();
  route["spec"]["rules"][1]["backendRefs"].push_back(json{{"name", "fraud"}, {"port", 8080}});
  server_.Put(Routes(), route);
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 30}).ok());
  const json rules = Stored()["spec"]["rules"];
  EXPECT_EQ(rules[1]["backendRefs"][0], json::parse(R"({"name": "admin", "port": 80})"));
  EXPECT_EQ(rules[1]["backendRefs"][1]["weight"], 70);
  EXPECT_EQ(rules[1]["backendRefs"][2]["name"], "fraud-canary");
  EXPECT_EQ(rules[1]["backendRefs"][2]["weight"], 30);
}

TEST_F(GatewayApiRouterTest, FullCanaryKeepsTheChampionListedAtWeightZero) {
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 100}).ok());
  const json refs = Stored()["spec"]["rules"][0]["backendRefs"];
  EXPECT_EQ(refs[0]["name"], "fraud");
  EXPECT_EQ(refs[0]["weight"], 0);
  EXPECT_EQ(refs[2]["weight"], 100);
  // Rollback is then a single write.
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 0}).ok());
  EXPECT_EQ(server_.Puts(), 2u);
  EXPECT_EQ(Stored()["spec"]["rules"][0]["backendRefs"][2]["weight"], 0);
}

TEST_F(GatewayApiRouterTest, AddsARequestMirrorWithPercentAndRemovesOnlyOursAtZero) {
  json route = Route();
  route["spec"]["rules"][0]["filters"].push_back(json::parse(
      R"({"type": "RequestMirror", "requestMirror": {"backendRef": {"name": "audit", "port": 80}}})"));
  server_.Put(Routes(), route);

  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 0, .mirror_percent = 20}).ok());
  json filters = Stored()["spec"]["rules"][0]["filters"];
  ASSERT_EQ(filters.size(), 3u);
  EXPECT_EQ(filters[2], json::parse(R"({"type": "RequestMirror", "requestMirror":
      {"backendRef": {"name": "fraud-shadow", "port": 8080}, "percent": 20}})"));
  EXPECT_EQ(router_.Observe(Target())->mirror_percent, 20);

  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 0, .mirror_percent = 0}).ok());
  filters = Stored()["spec"]["rules"][0]["filters"];
  EXPECT_EQ(filters, route["spec"]["rules"][0]["filters"]);
  EXPECT_EQ(router_.Observe(Target())->mirror_percent, 0);
}

TEST_F(GatewayApiRouterTest, RemovingTheOnlyFilterRemovesTheFiltersList) {
  json route = Route();
  route["spec"]["rules"][0].erase("filters");
  server_.Put(Routes(), route);
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 0, .mirror_percent = 5}).ok());
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 0, .mirror_percent = 0}).ok());
  EXPECT_FALSE(Stored()["spec"]["rules"][0].contains("filters"));
}

TEST_F(GatewayApiRouterTest, ReplacesAFractionOnOurMirrorWithPercent) {
  json route = Route();
  route["spec"]["rules"][0]["filters"].push_back(json::parse(R"({"type": "RequestMirror",
      "requestMirror": {"backendRef": {"name": "fraud-shadow", "port": 8080},
                        "fraction": {"numerator": 1, "denominator": 4}}})"));
  server_.Put(Routes(), route);
  EXPECT_EQ(router_.Observe(Target())->mirror_percent, 25);
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 0, .mirror_percent = 10}).ok());
  const json rm = Stored()["spec"]["rules"][0]["filters"][1]["requestMirror"];
  EXPECT_FALSE(rm.contains("fraction"));
  EXPECT_EQ(rm["percent"], 10);
}

TEST_F(GatewayApiRouterTest, DoesNotWriteWhenTheSplitIsAlreadyThere) {
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 40, .mirror_percent = 3}).ok());
  ASSERT_EQ(server_.Puts(), 1u);
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 40, .mirror_percent = 3}).ok());
  EXPECT_EQ(server_.Puts(), 1u);
}

TEST_F(GatewayApiRouterTest, RetriesAConflictWithAFreshRead) {
  server_.ConflictNext(2);
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 10}).ok());
  EXPECT_EQ(server_.Puts(), 3u);
  EXPECT_EQ(Stored()["spec"]["rules"][0]["backendRefs"][2]["weight"], 10);
}

TEST_F(GatewayApiRouterTest, GivesUpAfterABoundedNumberOfConflicts) {
  server_.ConflictNext(1000);
  const kube::Status status = router_.Apply(Target(), {.canary_weight = 10});
  EXPECT_EQ(status.code(), StatusCode::kConflict);
  EXPECT_EQ(server_.Puts(), static_cast<size_t>(kMaxWriteAttempts));
  EXPECT_NE(status.message().find("HTTPRoute prod/web"), std::string::npos) << status.message();
}

TEST_F(GatewayApiRouterTest, AReadBackThatDiffersFromTheWriteIsAnErrorNamingTheField) {
  server_.RewriteWrites([](json& route) { route["spec"]["rules"][0]["backendRefs"][2]["weight"] = 0; });
  const kube::Status status = router_.Apply(Target(), {.canary_weight = 10});
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find("HTTPRoute prod/web"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("spec.rules[0].backendRefs[2].weight: want 10, got 0"),
            std::string::npos) << status.message();
}

TEST_F(GatewayApiRouterTest, AMissingRouteIsNotFound) {
  RouteTarget target = Target();
  target.route_name = "nope";
  EXPECT_EQ(router_.Apply(target, {.canary_weight = 10}).code(), StatusCode::kNotFound);
  EXPECT_EQ(router_.Observe(target).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(server_.Puts(), 0u);
}

TEST_F(GatewayApiRouterTest, ARouteWithoutTheChampionIsInvalidAndNotWritten) {
  RouteTarget target = Target();
  target.champion_service = "other";
  target.canary_service = "other-canary";
  const kube::Status status = router_.Apply(target, {.canary_weight = 10});
  EXPECT_EQ(status.code(), StatusCode::kInvalid);
  EXPECT_NE(status.message().find("no rule has a backendRef to Service other"), std::string::npos)
      << status.message();
  EXPECT_EQ(server_.Puts(), 0u);
}

TEST_F(GatewayApiRouterTest, ASplitOutOfRangeIsInvalid) {
  EXPECT_EQ(router_.Apply(Target(), {.canary_weight = 101}).code(), StatusCode::kInvalid);
  EXPECT_EQ(router_.Apply(Target(), {.canary_weight = 0, .mirror_percent = -1}).code(),
            StatusCode::kInvalid);
  EXPECT_EQ(server_.Puts(), 0u);
}

TEST_F(GatewayApiRouterTest, ObservesTheDefaultWeightOfAnUntouchedRouteAsNoCanary) {
  auto split = router_.Observe(Target());
  ASSERT_TRUE(split.ok()) << split.status().ToString();
  EXPECT_EQ(*split, (TrafficSplit{.canary_weight = 0, .mirror_percent = 0}));
}

TEST_F(GatewayApiRouterTest, ObservesWhatItApplied) {
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 35, .mirror_percent = 50}).ok());
  auto split = router_.Observe(Target());
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(*split, (TrafficSplit{.canary_weight = 35, .mirror_percent = 50}));
}

TEST_F(GatewayApiRouterTest, ObservesAMirrorWithoutPercentOrFractionAsEverything) {
  json route = Route();
  route["spec"]["rules"][0]["filters"].push_back(json::parse(R"({"type": "RequestMirror",
      "requestMirror": {"backendRef": {"name": "fraud-shadow", "port": 8080}}})"));
  server_.Put(Routes(), route);
  EXPECT_EQ(router_.Observe(Target())->mirror_percent, 100);
}

TEST_F(GatewayApiRouterTest, ObservingZeroWeightsOnBothIsAnError) {
  json route = Route();
  route["spec"]["rules"][0]["backendRefs"][0]["weight"] = 0;
  server_.Put(Routes(), route);
  EXPECT_EQ(router_.Observe(Target()).status().code(), StatusCode::kInvalid);
}

}  // namespace
}  // namespace modelgate::traffic
