// Shared by the ModelPipeline decision tests: a fixed clock value, names, and readable results.
#pragma once

#include <chrono>
#include <ostream>

#include <gtest/gtest.h>

#include "controllers/pipeline/pipeline_trigger.h"
#include "operator/kube/time_format.h"

namespace modelgate::controllers::pipeline {

// Failure messages name the result ("Created") instead of its bytes.
inline void PrintTo(TriggerResult result, std::ostream* os) { *os << TriggerResultName(result); }

namespace test_util {

inline constexpr char kModel[] = "fraud-detector";
inline constexpr char kPipeline[] = "fraud-nightly";

// An RFC 3339 instant (the test fails when it does not parse).
inline TimePoint At(const char* rfc3339) {
  auto t = kube::ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.has_value()) << rfc3339;
  return t.value_or(TimePoint());
}

inline const TimePoint kNow = At("2026-12-05T08:00:00Z");

}  // namespace test_util
}  // namespace modelgate::controllers::pipeline
