#include "operator/kube/time_format.h"

#include <gtest/gtest.h>

namespace modelgate::kube {
namespace {

const TimePoint kT = TimePoint{} + std::chrono::microseconds(1764133000123456);

TEST(TimeFormatTest, MicroTimeRoundTrips) {
  EXPECT_EQ(FormatMicroTime(kT), "2025-11-26T04:56:40.123456Z");
  EXPECT_EQ(ParseRfc3339(FormatMicroTime(kT)), kT);
}

TEST(TimeFormatTest, TimeTruncatesToSeconds) {
  EXPECT_EQ(FormatTime(kT), "2025-11-26T04:56:40Z");
  EXPECT_EQ(ParseRfc3339(FormatTime(kT)), kT - std::chrono::microseconds(123456));
}

TEST(TimeFormatTest, ParsesOffsetsAndFractions) {
  EXPECT_EQ(ParseRfc3339("2025-11-26T05:56:40.123456+01:00"), kT);
  EXPECT_EQ(ParseRfc3339("2025-11-26T03:26:40.123456-01:30"), kT);
  EXPECT_EQ(ParseRfc3339("2025-11-26T04:56:40.25Z"),
            kT - std::chrono::microseconds(123456) + std::chrono::milliseconds(250));
  // Digits past microseconds (nanosecond timestamps) are ignored, not rejected.
  EXPECT_EQ(ParseRfc3339("2025-11-26T04:56:40.123456789Z"), kT);
}

TEST(TimeFormatTest, RejectsMalformedOrOutOfRange) {
  EXPECT_EQ(ParseRfc3339(""), std::nullopt);
  EXPECT_EQ(ParseRfc3339("yesterday"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2025-11-26T04:56:40"), std::nullopt);       // no zone
  EXPECT_EQ(ParseRfc3339("2025-11-26 04:56:40Z"), std::nullopt);      // no T
  EXPECT_EQ(ParseRfc3339("2025-13-26T04:56:40Z"), std::nullopt);      // month 13
  EXPECT_EQ(ParseRfc3339("2025-11-26T04:60:40Z"), std::nullopt);      // minute 60
  EXPECT_EQ(ParseRfc3339("2025-11-26T04:56:40.Z"), std::nullopt);     // empty fraction
  EXPECT_EQ(ParseRfc3339("2025-11-26T04:56:40Zjunk"), std::nullopt);  // trailing text
}

TEST(TimeFormatTest, FormatsTimesBeforeTheEpoch) {
  EXPECT_EQ(FormatMicroTime(TimePoint{} - std::chrono::microseconds(1)), "1969-12-31T23:59:59.999999Z");
}

}  // namespace
}  // namespace modelgate::kube
