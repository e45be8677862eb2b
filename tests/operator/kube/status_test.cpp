#include "operator/kube/status.h"

#include <gtest/gtest.h>

namespace modelgate::kube {
namespace {

std::string KubeStatus(int code, const std::string& reason, const std::string& message,
                       const std::string& details = "") {
  std::string body = R"({"kind":"Status","apiVersion":"v1","status":"Failure","code":)" +
                     std::to_string(code) + R"(,"reason":")" + reason + R"(","message":")" +
                     message + "\"";
  if (!details.empty()) body += R"(,"details":)" + details;
  return body + "}";
}

TEST(FromKubernetesResponse, TwoHundredsAreOk) {
  EXPECT_TRUE(FromKubernetesResponse(200, "{}").ok());
  EXPECT_TRUE(FromKubernetesResponse(201, "").ok());
  EXPECT_TRUE(FromKubernetesResponse(204, "").ok());
}

TEST(FromKubernetesResponse, NotFoundCarriesServerMessage) {
  const Status s = FromKubernetesResponse(
      404, KubeStatus(404, "NotFound", R"(modelcandidates.modelgate.io \"x\" not found)"));
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.http_status(), 404);
  EXPECT_EQ(s.message(), "modelcandidates.modelgate.io \"x\" not found");
  EXPECT_FALSE(s.retryable());
}

TEST(FromKubernetesResponse, ConflictWithAlreadyExistsReasonIsAlreadyExists) {
  EXPECT_EQ(FromKubernetesResponse(409, KubeStatus(409, "AlreadyExists", "exists")).code(),
            StatusCode::kAlreadyExists);
}

TEST(FromKubernetesResponse, ConflictWithoutAlreadyExistsIsConflictAndRetryable) {
  const Status s = FromKubernetesResponse(409, KubeStatus(409, "Conflict", "object was modified"));
  EXPECT_EQ(s.code(), StatusCode::kConflict);
  EXPECT_TRUE(s.retryable());
}

TEST(FromKubernetesResponse, GoneMeansRelist) {
  const Status s = FromKubernetesResponse(410, KubeStatus(410, "Expired", "too old resource version"));
  EXPECT_EQ(s.code(), StatusCode::kGone);
  EXPECT_TRUE(s.retryable());
}

TEST(FromKubernetesResponse, UnprocessableEntityKeepsFieldCauses) {
  const Status s = FromKubernetesResponse(
      422, KubeStatus(422, "Invalid", R"(ModelRollout \"r\" is invalid)",
                      R"({"causes":[{"reason":"FieldValueInvalid","message":"must be <= 100","field":"spec.canary.steps[1].weight"},
                                    {"reason":"FieldValueRequired","message":"Required value","field":"spec.model"}]})"));
  EXPECT_EQ(s.code(), StatusCode::kInvalid);
  ASSERT_EQ(s.causes().size(), 2u);
  EXPECT_EQ(s.causes()[0].field, "spec.canary.steps[1].weight");
  EXPECT_EQ(s.causes()[0].reason, "FieldValueInvalid");
  EXPECT_EQ(s.causes()[1].message, "Required value");
  EXPECT_FALSE(s.retryable());
  EXPECT_EQ(s.ToString(),
            "Invalid: ModelRollout \"r\" is invalid; spec.canary.steps[1].weight: must be <= 100; "
            "spec.model: Required value");
}

TEST(FromKubernetesResponse, TooManyRequestsUsesRetryAfterHeader) {
  const Status s = FromKubernetesResponse(429, KubeStatus(429, "TooManyRequests", "slow down"), "7");
  EXPECT_EQ(s.code(), StatusCode::kTooManyRequests);
  ASSERT_TRUE(s.retry_after().has_value());
  EXPECT_EQ(*s.retry_after(), std::chrono::seconds(7));
  EXPECT_TRUE(s.retryable());
}

TEST(FromKubernetesResponse, TooManyRequestsFallsBackToRetryAfterSecondsInDetails) {
  const Status s = FromKubernetesResponse(
      429, KubeStatus(429, "TooManyRequests", "slow down", R"({"retryAfterSeconds":3})"));
  ASSERT_TRUE(s.retry_after().has_value());
  EXPECT_EQ(*s.retry_after(), std::chrono::seconds(3));
}

TEST(FromKubernetesResponse, AuthErrors) {
  EXPECT_EQ(FromKubernetesResponse(401, "").code(), StatusCode::kUnauthorized);
  EXPECT_EQ(FromKubernetesResponse(403, KubeStatus(403, "Forbidden", "rbac")).code(),
            StatusCode::kForbidden);
  EXPECT_FALSE(FromKubernetesResponse(403, "").retryable());
}

TEST(FromKubernetesResponse, ServerErrorsAreUnavailableAndTimeoutsAreTimeout) {
  EXPECT_EQ(FromKubernetesResponse(500, "").code(), StatusCode::kUnavailable);
  EXPECT_EQ(FromKubernetesResponse(502, "").code(), StatusCode::kUnavailable);
  EXPECT_EQ(FromKubernetesResponse(503, "").code(), StatusCode::kUnavailable);
  EXPECT_EQ(FromKubernetesResponse(504, "").code(), StatusCode::kTimeout);
  EXPECT_EQ(FromKubernetesResponse(408, "").code(), StatusCode::kTimeout);
  EXPECT_TRUE(FromKubernetesResponse(503, "").retryable());
}

TEST(FromKubernetesResponse, NonJsonBodyBecomesTheMessage) {
  const Status s = FromKubernetesResponse(502, "<html>Bad Gateway</html>");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "<html>Bad Gateway</html>");
  EXPECT_TRUE(s.causes().empty());
}

TEST(FromKubernetesResponse, EmptyBodyNamesTheHttpStatus) {
  EXPECT_EQ(FromKubernetesResponse(500, "").message(), "HTTP 500");
}

TEST(FromKubernetesResponse, UnexpectedClientErrorIsInternal) {
  EXPECT_EQ(FromKubernetesResponse(418, "teapot").code(), StatusCode::kInternal);
}

TEST(Status, ToStringOfOkIsOk) { EXPECT_EQ(Status().ToString(), "OK"); }

}  // namespace
}  // namespace modelgate::kube
