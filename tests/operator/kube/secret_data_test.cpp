// Tests of operator/kube/secret_data.h.
#include "operator/kube/secret_data.h"

#include <gtest/gtest.h>

namespace modelgate::kube {
namespace {

TEST(SecretData, DecodesAndOptionallyTrimsTheLineFeed) {
  const json secret = {{"metadata", {{"name", "s"}}}, {"data", {{"token", "dG9rCg=="}}}};  // "tok\n"
  EXPECT_EQ(*SecretDataValue(secret, "token", true), "tok");
  EXPECT_EQ(*SecretDataValue(secret, "token", false), "tok\n");
}

TEST(SecretData, AMissingKeyOrBadBase64IsAnErrorNamingTheSecretAndKey) {
  const json secret = {{"metadata", {{"name", "s"}}}, {"data", {{"bad", "%%"}, {"number", 3}}}};
  auto missing = SecretDataValue(secret, "token", true);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "Secret s has no key token");
  EXPECT_EQ(SecretDataValue(secret, "number", true).status().message(), "Secret s has no key number");
  auto bad = SecretDataValue(secret, "bad", true);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalid);
  EXPECT_EQ(bad.status().message(), "Secret s key bad: not base64");
  EXPECT_FALSE(SecretDataValue(json::object(), "token", true).ok());
  EXPECT_FALSE(SecretDataValue(json("text"), "token", true).ok());
}

}  // namespace
}  // namespace modelgate::kube
