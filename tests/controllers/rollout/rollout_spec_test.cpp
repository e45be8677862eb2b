#include "controllers/rollout/rollout_spec.h"

#include <gtest/gtest.h>

#include "tests/controllers/rollout/rollout_world.h"

namespace modelgate::controllers::rollout {
namespace {

using nlohmann::json;

TEST(RolloutSpecParse, RejectsDecreasingWeightsNamingTheStep) {
  json spec = testing::BaseSpec(false);
  spec["canary"]["steps"][1]["weight"] = 5;
  auto parsed = ParseRolloutSpec(spec);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("spec.canary.steps[1].weight"), std::string::npos);
}

TEST(RolloutSpecParse, RejectsASoakShorterThanTheInterval) {
  json spec = testing::BaseSpec(false);
  spec["canary"]["steps"][0]["soak"] = "5s";
  auto parsed = ParseRolloutSpec(spec);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("spec.canary.steps[0].soak"), std::string::npos);
}

TEST(RolloutSpecParse, ReadsDefaultsAndDurations) {
  auto parsed = ParseRolloutSpec(testing::BaseSpec(true));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->model_uri_env, "MODEL_URI");
  EXPECT_EQ(parsed->traffic_kind, "gatewayAPI");
  ASSERT_TRUE(parsed->shadow.has_value());
  EXPECT_EQ(parsed->shadow->duration, std::chrono::seconds(20));
  EXPECT_EQ(parsed->progress_deadline, std::chrono::minutes(2));
  EXPECT_EQ(parsed->canary_deployment(), "fraud-canary");
}

}  // namespace
}  // namespace modelgate::controllers::rollout
