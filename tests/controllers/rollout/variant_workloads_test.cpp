#include "controllers/rollout/variant_workloads.h"

#include <gtest/gtest.h>

#include "tests/controllers/rollout/rollout_world.h"

namespace modelgate::controllers::rollout {
namespace {

using nlohmann::json;

json Champion() {
  return json::parse(R"({
    "metadata": {"name": "fraud", "namespace": "ml", "generation": 3},
    "spec": {"replicas": 4,
      "selector": {"matchLabels": {"app": "fraud"}},
      "template": {"metadata": {"labels": {"app": "fraud", "tier": "serving"}},
        "spec": {"containers": [
          {"name": "sidecar", "image": "proxy:1"},
          {"name": "server", "image": "img:1", "env": [{"name": "MODEL_URI", "value": "s3://m/1"}, {"name": "X", "value": "y"}]}]}}},
    "status": {"observedGeneration": 3, "replicas": 4, "updatedReplicas": 4, "readyReplicas": 4, "availableReplicas": 4}
  })");
}

json Rollout() {
  return {{"apiVersion", "modelgate.io/v1alpha1"}, {"kind", "ModelRollout"},
          {"metadata", {{"name", "fraud-mr"}, {"namespace", "ml"}, {"uid", "uid-1"}}}};
}

RolloutSpec Spec() {
  auto spec = ParseRolloutSpec(testing::BaseSpec(false));
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  RolloutSpec s = *spec;
  s.deployment = "fraud";
  s.service = "fraud";
  return s;
}

TEST(VariantWorkloads, CanaryRunsTheChallengerInTheServingContainerOnly) {
  auto d = BuildVariantDeployment(Champion(), "canary", Spec(), {"img:2", "s3://m/2"}, 1, Rollout());
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ((*d)["metadata"]["name"], "fraud-canary");
  EXPECT_EQ((*d)["spec"]["replicas"], 1);
  const json& containers = (*d)["spec"]["template"]["spec"]["containers"];
  EXPECT_EQ(containers[0]["image"], "proxy:1");
  EXPECT_EQ(containers[1]["image"], "img:2");
  EXPECT_EQ(containers[1]["env"][0], (json{{"name", "MODEL_URI"}, {"value", "s3://m/2"}}));
  EXPECT_EQ(containers[1]["env"][1]["name"], "X") << "other env vars are kept";
  const json& owner = (*d)["metadata"]["ownerReferences"][0];
  EXPECT_EQ(owner["uid"], "uid-1");
  EXPECT_EQ(owner["controller"], true);
}

TEST(VariantWorkloads, CanaryPodsDoNotMatchTheChampionsSelector) {
  auto d = BuildVariantDeployment(Champion(), "canary", Spec(), {"img:2", ""}, 1, Rollout());
  ASSERT_TRUE(d.ok());
  const json& labels = (*d)["spec"]["template"]["metadata"]["labels"];
  EXPECT_EQ(labels["app"], "fraud-canary");
  EXPECT_EQ(labels["tier"], "serving");
  EXPECT_EQ(labels["modelgate.io/variant"], "canary");
  for (auto& [key, value] : (*d)["spec"]["selector"]["matchLabels"].items()) EXPECT_EQ(labels[key], value);
}

TEST(VariantWorkloads, MissingContainerNamesTheField) {
  RolloutSpec spec = Spec();
  spec.container = "model";
  auto d = BuildVariantDeployment(Champion(), "canary", spec, {"img:2", ""}, 1, Rollout());
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("spec.target.container"), std::string::npos);
  EXPECT_NE(d.status().message().find("\"model\""), std::string::npos);
}

TEST(VariantWorkloads, ServiceCopiesPortsAndSelectsTheVariant) {
  const json service = json::parse(R"({"spec": {"selector": {"app": "fraud"},
      "ports": [{"name": "http", "port": 80, "targetPort": "http", "nodePort": 30080}]}})");
  const json s = BuildVariantService(service, "shadow", Spec(), Rollout());
  EXPECT_EQ(s["metadata"]["name"], "fraud-shadow");
  EXPECT_EQ(s["spec"]["ports"][0], (json{{"name", "http"}, {"port", 80}, {"targetPort", "http"}}));
  EXPECT_EQ(s["spec"]["selector"]["modelgate.io/variant"], "shadow");
}

TEST(VariantWorkloads, StablePromotionAndItsDetection) {
  const RolloutSpec spec = Spec();
  EXPECT_FALSE(RunsChallenger(Champion(), spec, {"img:2", "s3://m/2"}));
  auto promoted = WithChallenger(Champion(), spec, {"img:2", "s3://m/2"});
  ASSERT_TRUE(promoted.ok());
  EXPECT_TRUE(RunsChallenger(*promoted, spec, {"img:2", "s3://m/2"}));
  EXPECT_FALSE(RunsChallenger(*promoted, spec, {"img:3", ""}));
}

TEST(VariantWorkloads, ReadinessNeedsTheLatestGenerationAndAllReplicas) {
  json d = Champion();
  EXPECT_TRUE(DeploymentReady(d));
  d["metadata"]["generation"] = 4;
  EXPECT_FALSE(DeploymentReady(d)) << "the controller has not seen the new template";
  d = Champion();
  d["status"]["readyReplicas"] = 3;
  EXPECT_FALSE(DeploymentReady(d));
  d = Champion();
  d["status"]["replicas"] = 5;  // an old pod still running during a rolling update
  EXPECT_FALSE(DeploymentReady(d));
}

}  // namespace
}  // namespace modelgate::controllers::rollout
