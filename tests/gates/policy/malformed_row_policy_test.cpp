#include "gates/policy/malformed_row_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gates/data/data_policy.h"
#include "gates/policy/eval_policy.h"

namespace modelgate::gates {
namespace {

using ::testing::HasSubstr;

const std::string kMetrics = "global_metrics: {count: {min: 1}}\n";

std::string ErrorOf(const std::string& yaml) {
  auto p = ParseEvalPolicy(kMetrics + yaml, "p.yaml");
  return p.ok() ? "no error" : p.status().message();
}

TEST(MalformedRowPolicy, DefaultsToErrorMode) {
  auto p = ParseEvalPolicy(kMetrics, "p.yaml");
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->malformed_rows.count);
}

TEST(MalformedRowPolicy, CountWithLimitsIsAccepted) {
  auto p = ParseEvalPolicy(kMetrics + "on_malformed_row: count\nmax_malformed_rows: 5\nmax_malformed_rate: 0.01\n",
                           "p.yaml");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_TRUE(p->malformed_rows.count);
  EXPECT_EQ(p->malformed_rows.max_rows, 5);
  EXPECT_EQ(p->malformed_rows.max_rate, 0.01);
}

TEST(MalformedRowPolicy, CountWithoutALimitIsAPolicyError) {
  EXPECT_THAT(ErrorOf("on_malformed_row: count\n"), HasSubstr("on_malformed_row: 'count' needs max_malformed_rows"));
}

TEST(MalformedRowPolicy, ALimitWithoutCountIsAPolicyError) {
  EXPECT_THAT(ErrorOf("max_malformed_rows: 3\n"),
              HasSubstr("max_malformed_rows: only applies with on_malformed_row: count"));
}

TEST(MalformedRowPolicy, RejectsUnknownModesAndOutOfRangeLimits) {
  EXPECT_THAT(ErrorOf("on_malformed_row: skip\nmax_malformed_rows: 1\n"),
              HasSubstr("expected 'error' or 'count', got 'skip'"));
  EXPECT_THAT(ErrorOf("on_malformed_row: count\nmax_malformed_rate: 2\n"), HasSubstr("between 0 and 1"));
  EXPECT_THAT(ErrorOf("on_malformed_row: count\nmax_malformed_rows: -1\n"), HasSubstr("must not be negative"));
}

TEST(MalformedRowPolicy, TheDataPolicyAcceptsTheSameKeys) {
  auto p = ParseDataPolicy("on_malformed_row: count\nmax_malformed_rate: 0.1\n", "d.yaml");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_TRUE(p->malformed_rows.count);
}

}  // namespace
}  // namespace modelgate::gates
