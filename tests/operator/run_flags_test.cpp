#include "operator/run_flags.h"

#include <gtest/gtest.h>

namespace modelgate {
namespace {

std::string ErrorOf(const std::vector<std::string>& args) {
  std::string error;
  auto flags = ParseRunFlags(args, &error);
  return flags ? "no error" : error;
}

TEST(RunFlagsTest, DefaultsMatchTheDocumentedGateLimits) {
  std::string error;
  auto flags = ParseRunFlags({}, &error);
  ASSERT_TRUE(flags) << error;
  EXPECT_EQ(flags->workers, 2);
  EXPECT_EQ(flags->gate_workers, 2);
  EXPECT_EQ(flags->gate_queue, 64);
  EXPECT_EQ(flags->gate_max_rows, 200'000'000);
  EXPECT_EQ(flags->gate_max_bytes, 4ull << 30);
  EXPECT_EQ(flags->gate_timeout, std::chrono::minutes(15));
}

TEST(RunFlagsTest, GateLimitsAreFlags) {
  std::string error;
  auto flags = ParseRunFlags({"--gate-workers=4", "--gate-queue", "8", "--gate-max-rows=1000000000",
                              "--gate-max-bytes=500Mi", "--gate-timeout=1h30m", "--workers=3"},
                             &error);
  ASSERT_TRUE(flags) << error;
  EXPECT_EQ(flags->gate_workers, 4);
  EXPECT_EQ(flags->gate_queue, 8);
  EXPECT_EQ(flags->gate_max_rows, 1'000'000'000);
  EXPECT_EQ(flags->gate_max_bytes, 500ull << 20);
  EXPECT_EQ(flags->gate_timeout, std::chrono::minutes(90));
  EXPECT_EQ(flags->workers, 3);
  auto bytes = ParseRunFlags({"--gate-max-bytes=1048576"}, &error);
  ASSERT_TRUE(bytes) << error;
  EXPECT_EQ(bytes->gate_max_bytes, 1048576u);
  auto tera = ParseRunFlags({"--gate-max-bytes", "2Ti"}, &error);
  ASSERT_TRUE(tera) << error;
  EXPECT_EQ(tera->gate_max_bytes, 2ull << 40);
}

TEST(RunFlagsTest, ABadValueNamesTheFlagAndWhatWasExpected) {
  EXPECT_EQ(ErrorOf({"--gate-workers=0"}), "--gate-workers: expected a whole number from 1 to 64, got '0'");
  EXPECT_EQ(ErrorOf({"--workers=many"}), "--workers: expected a whole number from 1 to 64, got 'many'");
  EXPECT_EQ(ErrorOf({"--gate-max-rows=-5"}),
            "--gate-max-rows: expected a whole number from 1 to 4294967296, got '-5'");
  EXPECT_EQ(ErrorOf({"--gate-max-bytes=4GB"}),
            "--gate-max-bytes: expected a byte count such as 4Gi, 500Mi or 1048576, got '4GB'");
  EXPECT_EQ(ErrorOf({"--gate-timeout=15"}), "--gate-timeout: expected a duration such as 15m, 90s or 1h30m, got '15'");
  EXPECT_EQ(ErrorOf({"--gate-timeout=0s"}), "--gate-timeout: expected a duration such as 15m, 90s or 1h30m, got '0s'");
  EXPECT_EQ(ErrorOf({"--gate-queue"}), "--gate-queue: expected a value");
  EXPECT_NE(ErrorOf({"--gate-wokers=2"}).find("unknown flag --gate-wokers"), std::string::npos);
}

TEST(RunFlagsTest, TheUsageListsEveryGateFlag) {
  const std::string usage = RunUsage();
  for (const char* flag : {"--gate-workers", "--gate-queue", "--gate-max-rows", "--gate-max-bytes", "--gate-timeout"}) {
    EXPECT_NE(usage.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace modelgate
