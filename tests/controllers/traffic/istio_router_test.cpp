#include "controllers/traffic/istio_router.h"

#include <gtest/gtest.h>

#include "controllers/traffic/verified_write.h"
#include "tests/controllers/traffic/fake_object_server.h"

namespace modelgate::traffic {
namespace {

using kube::StatusCode;
using testing::FakeObjectServer;

const kube::Resource& VirtualServices() { return kube::resources::VirtualServices(); }

json VirtualService() {
  return json::parse(R"({
    "apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
    "metadata": {"name": "fraud", "namespace": "prod"},
    "spec": {
      "hosts": ["fraud.example.com"],
      "gateways": ["public"],
      "http": [
        {"name": "predict", "match": [{"uri": {"prefix": "/predict"}}], "timeout": "2s",
         "route": [{"destination": {"host": "fraud.prod.svc.cluster.local", "port": {"number": 8080},
                                    "subset": "v1"}}]},
        {"name": "batch", "match": [{"uri": {"prefix": "/batch"}}],
         "route": [{"destination": {"host": "fraud", "port": {"number": 8080}}, "weight": 100}]},
        {"name": "admin",
         "route": [{"destination": {"host": "admin"}}],
         "mirror": {"host": "audit"}, "mirrorPercentage": {"value": 1.5}}
      ]
    }
  })");
}

RouteTarget Target() {
  return RouteTarget{.ns = "prod", .route_name = "fraud", .champion_service = "fraud",
                     .canary_service = "fraud-canary", .shadow_service = "fraud-shadow"};
}

class IstioRouterTest : public ::testing::Test {
 protected:
  void SetUp() override { server_.Put(VirtualServices(), VirtualService()); }
  json Stored() const { return server_.Get(VirtualServices(), "prod", "fraud"); }

  FakeObjectServer server_;
  IstioRouter router_{server_.client()};
};

TEST_F(IstioRouterTest, SetsWeightsOnEveryRouteToTheChampionAddingTheCanaryInTheSameShape) {
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 10}).ok());
  const json http = Stored()["spec"]["http"];
  EXPECT_EQ(http[0]["route"], json::parse(R"([
      {"destination": {"host": "fraud.prod.svc.cluster.local", "port": {"number": 8080}, "subset": "v1"},
       "weight": 90},
      {"destination": {"host": "fraud-canary.prod.svc.cluster.local", "port": {"number": 8080},
                       "subset": "v1"}, "weight": 10}])"));
  EXPECT_EQ(http[1]["route"], json::parse(R"([
      {"destination": {"host": "fraud", "port": {"number": 8080}}, "weight": 90},
      {"destination": {"host": "fraud-canary", "port": {"number": 8080}}, "weight": 10}])"));
  EXPECT_EQ(http[2], VirtualService()["spec"]["http"][2]);  // not a route to the champion
}

TEST_F(IstioRouterTest, LeavesEverythingButTheManagedFieldsAsItWas) {
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 20}).ok());
  json stored = Stored();
  stored["metadata"].erase("resourceVersion");
  for (int i : {0, 1}) {
    json& route = stored["spec"]["http"][i]["route"];
    ASSERT_EQ(route.size(), 2u);
    route.erase(1);
    route[0].erase("weight");
  }
  json expected = VirtualService();
  expected["spec"]["http"][1]["route"][0].erase("weight");
  EXPECT_EQ(stored, expected);
}

TEST_F(IstioRouterTest, TouchesOnlyTheNamedRoutes) {
  RouteTarget target = Target();
  target.istio_routes = {"batch"};
  ASSERT_TRUE(router_.Apply(target, {.canary_weight = 50}).ok());
  const json http = Stored()["spec"]["http"];
  EXPECT_EQ(http[0], VirtualService()["spec"]["http"][0]);
  EXPECT_EQ(http[1]["route"][1]["weight"], 50);
}

TEST_F(IstioRouterTest, ANamedRouteThatDoesNotExistIsAnErrorNamingIt) {
  RouteTarget target = Target();
  target.istio_routes = {"predict", "missing"};
  const kube::Status status = router_.Apply(target, {.canary_weight = 10});
  EXPECT_EQ(status.code(), StatusCode::kInvalid);
  EXPECT_NE(status.message().find("VirtualService prod/fraud"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("\"missing\""), std::string::npos) << status.message();
  EXPECT_EQ(server_.Puts(), 0u);
  EXPECT_EQ(router_.Observe(target).status().code(), StatusCode::kInvalid);
}

TEST_F(IstioRouterTest, ANamedRouteWithoutTheChampionIsAnError) {
  RouteTarget target = Target();
  target.istio_routes = {"admin"};
  const kube::Status status = router_.Apply(target, {.canary_weight = 10});
  EXPECT_EQ(status.code(), StatusCode::kInvalid);
  EXPECT_NE(status.message().find("spec.http[2] (admin)"), std::string::npos) << status.message();
}

TEST_F(IstioRouterTest, NoRouteToTheChampionIsAnError) {
  RouteTarget target = Target();
  target.champion_service = "ghost";
  EXPECT_EQ(router_.Apply(target, {.canary_weight = 10}).code(), StatusCode::kInvalid);
  EXPECT_EQ(server_.Puts(), 0u);
}

TEST_F(IstioRouterTest, MirrorsToTheShadowWithMirrorPercentageAndRemovesItAtZero) {
  RouteTarget target = Target();
  target.istio_routes = {"predict"};
  ASSERT_TRUE(router_.Apply(target, {.canary_weight = 0, .mirror_percent = 15}).ok());
  json predict = Stored()["spec"]["http"][0];
  EXPECT_EQ(predict["mirror"],
            json::parse(R"({"host": "fraud-shadow.prod.svc.cluster.local", "port": {"number": 8080}})"));
  EXPECT_EQ(predict["mirrorPercentage"], json::parse(R"({"value": 15})"));
  EXPECT_EQ(router_.Observe(target)->mirror_percent, 15);

  ASSERT_TRUE(router_.Apply(target, {.canary_weight = 0, .mirror_percent = 0}).ok());
  predict = Stored()["spec"]["http"][0];
  EXPECT_FALSE(predict.contains("mirror"));
  EXPECT_FALSE(predict.contains("mirrorPercentage"));
  EXPECT_EQ(predict["timeout"], "2s");
  EXPECT_EQ(router_.Observe(target)->mirror_percent, 0);
}

TEST_F(IstioRouterTest, NeverOverwritesAMirrorToAnotherHost) {
  json vs = VirtualService();
  vs["spec"]["http"][1]["mirror"] = {{"host", "audit"}};
  server_.Put(VirtualServices(), vs);
  const kube::Status status = router_.Apply(Target(), {.canary_weight = 0, .mirror_percent = 10});
  EXPECT_EQ(status.code(), StatusCode::kInvalid);
  EXPECT_NE(status.message().find("spec.http[1] (batch).mirror: already mirrors to"), std::string::npos)
      << status.message();
  EXPECT_EQ(server_.Puts(), 0u);
  // Without a shadow, the foreign mirror is simply left alone.
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 10, .mirror_percent = 0}).ok());
  EXPECT_EQ(Stored()["spec"]["http"][1]["mirror"], json::parse(R"({"host": "audit"})"));
}

TEST_F(IstioRouterTest, DoesNotWriteWhenTheSplitIsAlreadyThere) {
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 40, .mirror_percent = 5}).ok());
  ASSERT_EQ(server_.Puts(), 1u);
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 40, .mirror_percent = 5}).ok());
  EXPECT_EQ(server_.Puts(), 1u);
}

TEST_F(IstioRouterTest, RetriesAConflictWithAFreshRead) {
  server_.ConflictNext(1);
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 10}).ok());
  EXPECT_EQ(server_.Puts(), 2u);
}

TEST_F(IstioRouterTest, AReadBackThatDiffersFromTheWriteIsAnError) {
  server_.RewriteWrites([](json& vs) { vs["spec"]["http"][0].erase("mirrorPercentage"); });
  const kube::Status status = router_.Apply(Target(), {.canary_weight = 0, .mirror_percent = 10});
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find("spec.http[0] (predict).mirrorPercentage: want {\"value\":10}, got absent"),
            std::string::npos) << status.message();
}

TEST_F(IstioRouterTest, AMissingVirtualServiceIsNotFound) {
  RouteTarget target = Target();
  target.route_name = "nope";
  EXPECT_EQ(router_.Apply(target, {.canary_weight = 10}).code(), StatusCode::kNotFound);
  EXPECT_EQ(router_.Observe(target).status().code(), StatusCode::kNotFound);
}

TEST_F(IstioRouterTest, ObservesASingleUnweightedDestinationAsAllChampion) {
  auto split = router_.Observe(Target());
  ASSERT_TRUE(split.ok()) << split.status().ToString();
  EXPECT_EQ(*split, (TrafficSplit{.canary_weight = 0, .mirror_percent = 0}));
}

TEST_F(IstioRouterTest, ObservesWhatItApplied) {
  ASSERT_TRUE(router_.Apply(Target(), {.canary_weight = 100, .mirror_percent = 0}).ok());
  EXPECT_EQ(Stored()["spec"]["http"][0]["route"][0]["weight"], 0);  // champion stays listed
  auto split = router_.Observe(Target());
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(split->canary_weight, 100);
}

}  // namespace
}  // namespace modelgate::traffic
