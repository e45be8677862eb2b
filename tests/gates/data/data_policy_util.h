// A parsed gate-1 policy for the data tests: the test fails (and an empty policy is returned) when
// the YAML does not parse.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "gates/data/data_policy.h"

namespace modelgate::gates::testing {

inline DataPolicy Policy(const std::string& yaml) {
  auto p = ParseDataPolicy(yaml, "data.yaml");
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? std::move(p).value() : DataPolicy{};
}

}  // namespace modelgate::gates::testing
