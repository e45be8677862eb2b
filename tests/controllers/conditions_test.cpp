#include "controllers/conditions.h"

#include <gtest/gtest.h>

#include "operator/kube/time_format.h"

namespace modelgate::controllers {
namespace {

using std::chrono::seconds;
const auto kT0 = std::chrono::system_clock::from_time_t(1'800'000'000);

TEST(Conditions, SetAddsNewConditionWithTransitionTime) {
  json conditions;
  EXPECT_TRUE(SetCondition(conditions, {"Accepted", "True", "SpecAccepted", "ok", 3}, kT0));
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(conditions[0]["type"], "Accepted");
  EXPECT_EQ(conditions[0]["observedGeneration"], 3);
  EXPECT_EQ(conditions[0]["lastTransitionTime"], kube::FormatTime(kT0));
}

TEST(Conditions, SameStatusKeepsTransitionTimeButUpdatesMessage) {
  json conditions;
  SetCondition(conditions, {"Accepted", "True", "SpecAccepted", "first", 1}, kT0);
  EXPECT_TRUE(SetCondition(conditions, {"Accepted", "True", "SpecAccepted", "second", 2}, kT0 + seconds(60)));
  EXPECT_EQ(conditions[0]["message"], "second");
  EXPECT_EQ(conditions[0]["lastTransitionTime"], kube::FormatTime(kT0));
}

TEST(Conditions, StatusFlipMovesTransitionTime) {
  json conditions;
  SetCondition(conditions, {"Accepted", "True", "SpecAccepted", "ok", 1}, kT0);
  SetCondition(conditions, {"Accepted", "False", "InvalidSpec", "bad", 2}, kT0 + seconds(5));
  EXPECT_EQ(conditions[0]["lastTransitionTime"], kube::FormatTime(kT0 + seconds(5)));
}

TEST(Conditions, IdenticalSetReportsNoChange) {
  json conditions;
  SetCondition(conditions, {"Accepted", "True", "SpecAccepted", "ok", 1}, kT0);
  EXPECT_FALSE(SetCondition(conditions, {"Accepted", "True", "SpecAccepted", "ok", 1}, kT0 + seconds(9)));
}

TEST(Conditions, RemoveAndFind) {
  json conditions;
  SetCondition(conditions, {"Invalid", "True", "InvalidSpec", "bad", 1}, kT0);
  ASSERT_TRUE(FindCondition(conditions, "Invalid").has_value());
  EXPECT_TRUE(RemoveCondition(conditions, "Invalid"));
  EXPECT_FALSE(FindCondition(conditions, "Invalid").has_value());
  EXPECT_FALSE(RemoveCondition(conditions, "Invalid"));
}

}  // namespace
}  // namespace modelgate::controllers
