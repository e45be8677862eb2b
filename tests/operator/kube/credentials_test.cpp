#include "operator/kube/credentials.h"

#include <algorithm>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/operator/kube/test_files.h"

namespace modelgate::kube {
namespace {

using testing::ReadAll;
using testing::TempDir;

// An exec plugin: appends a line to dir/runs on every run, records its args and environment,
// and prints `output`.
std::string WritePlugin(const TempDir& dir, const std::string& output) {
  dir.Write("out.json", output);
  return dir.Write("plugin.sh",
                   "#!/bin/sh\n"
                   "echo run >> '" + dir.path() + "/runs'\n"
                   "echo \"$@\" > '" + dir.path() + "/args'\n"
                   "echo \"$PROFILE\" > '" + dir.path() + "/profile'\n"
                   "echo \"$KUBERNETES_EXEC_INFO\" > '" + dir.path() + "/info'\n"
                   "cat '" + dir.path() + "/out.json'\n",
                   /*executable=*/true);
}

int Runs(const TempDir& dir) {
  const std::string runs = ReadAll(dir.path() + "/runs");
  return static_cast<int>(std::count(runs.begin(), runs.end(), '\n'));
}

RestConfig ExecConfigFor(const std::string& command) {
  RestConfig config;
  config.server = "https://127.0.0.1:6443";
  config.exec = ExecConfig{.api_version = "client.authentication.k8s.io/v1",
                           .command = command,
                           .args = {"get-token", "--cluster=dev"},
                           .env = {{"PROFILE", "prod"}},
                           .provide_cluster_info = true};
  return config;
}

TEST(CredentialProvider, ExecPluginTokenIsUsedAndCachedUntilExpiry) {
  TempDir dir;
  const std::string plugin = WritePlugin(
      dir, R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
              "status":{"token":"exec-token","expirationTimestamp":"2076-01-01T00:10:00Z"}})");
  FakeClock clock(std::chrono::system_clock::from_time_t(3345062400));  // 2076-01-01T00:00:00Z
  CredentialProvider provider(ExecConfigFor(plugin), clock);

  Result<Credentials> first = provider.Get();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->bearer_token, "exec-token");
  EXPECT_EQ(ReadAll(dir.path() + "/args"), "get-token --cluster=dev\n");
  EXPECT_EQ(ReadAll(dir.path() + "/profile"), "prod\n");
  const auto info = nlohmann::json::parse(ReadAll(dir.path() + "/info"));
  EXPECT_EQ(info["kind"], "ExecCredential");
  EXPECT_EQ(info["spec"]["interactive"], false);
  EXPECT_EQ(info["spec"]["cluster"]["server"], "https://127.0.0.1:6443");

  clock.Advance(std::chrono::minutes(9));
  ASSERT_TRUE(provider.Get().ok());
  EXPECT_EQ(Runs(dir), 1);  // still cached

  clock.Advance(std::chrono::minutes(2));  // past expirationTimestamp
  ASSERT_TRUE(provider.Get().ok());
  EXPECT_EQ(Runs(dir), 2);
}

TEST(CredentialProvider, InvalidateReRunsTheExecPlugin) {
  TempDir dir;
  const std::string plugin = WritePlugin(
      dir, R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
              "status":{"token":"t"}})");
  FakeClock clock;
  CredentialProvider provider(ExecConfigFor(plugin), clock);
  ASSERT_TRUE(provider.Get().ok());
  ASSERT_TRUE(provider.Get().ok());
  EXPECT_EQ(Runs(dir), 1);
  provider.Invalidate();
  ASSERT_TRUE(provider.Get().ok());
  EXPECT_EQ(Runs(dir), 2);
}

TEST(CredentialProvider, ExecClientCertificateBumpsTheGeneration) {
  TempDir dir;
  const std::string plugin = WritePlugin(
      dir, R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential",
              "status":{"clientCertificateData":"CERT","clientKeyData":"KEY"}})");
  RestConfig config = ExecConfigFor(plugin);
  config.exec->api_version = "client.authentication.k8s.io/v1beta1";
  FakeClock clock;
  CredentialProvider provider(config, clock);
  Result<Credentials> creds = provider.Get();
  ASSERT_TRUE(creds.ok()) << creds.status().ToString();
  EXPECT_EQ(creds->client_cert_pem, "CERT");
  EXPECT_EQ(creds->client_key_pem, "KEY");
  EXPECT_TRUE(creds->bearer_token.empty());
  EXPECT_EQ(creds->generation, 1u);
}

TEST(CredentialProvider, ExecPluginFailureIsUnauthorizedWithExitCode) {
  TempDir dir;
  const std::string plugin = dir.Write("fail.sh", "#!/bin/sh\nexit 3\n", true);
  FakeClock clock;
  CredentialProvider provider(ExecConfigFor(plugin), clock);
  Result<Credentials> creds = provider.Get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.status().code(), StatusCode::kUnauthorized);
  EXPECT_EQ(creds.status().message(), "exec plugin " + plugin + ": exited with status 3");
}

TEST(CredentialProvider, MissingExecCommandIsUnauthorized) {
  FakeClock clock;
  CredentialProvider provider(ExecConfigFor("/nonexistent/plugin"), clock);
  EXPECT_EQ(provider.Get().status().code(), StatusCode::kUnauthorized);
}

TEST(CredentialProvider, TokenFileIsReReadAfterThePeriod) {
  TempDir dir;
  RestConfig config;
  config.token_file = dir.Write("token", "one\n");
  FakeClock clock;
  CredentialProvider provider(config, clock, std::chrono::minutes(1));
  EXPECT_EQ(provider.Get()->bearer_token, "one");
  dir.Write("token", "two\n");
  EXPECT_EQ(provider.Get()->bearer_token, "one");  // cached within the period
  clock.Advance(std::chrono::minutes(1));
  EXPECT_EQ(provider.Get()->bearer_token, "two");
}

TEST(CredentialProvider, TokenFileIsReReadAfterInvalidate) {
  TempDir dir;
  RestConfig config;
  config.token_file = dir.Write("token", "one");
  FakeClock clock;
  CredentialProvider provider(config, clock);
  EXPECT_EQ(provider.Get()->bearer_token, "one");
  dir.Write("token", "two");
  provider.Invalidate();
  EXPECT_EQ(provider.Get()->bearer_token, "two");
}

TEST(CredentialProvider, UnreadableTokenFileIsUnauthorized) {
  RestConfig config;
  config.token_file = "/nonexistent/token";
  FakeClock clock;
  CredentialProvider provider(config, clock);
  Result<Credentials> creds = provider.Get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.status().code(), StatusCode::kUnauthorized);
  EXPECT_EQ(creds.status().message(), "token file /nonexistent/token cannot be read");
}

TEST(CredentialProvider, StaticTokenAndCertificatePassThrough) {
  RestConfig config;
  config.bearer_token = "static";
  config.client_cert_pem = "C";
  config.client_key_pem = "K";
  FakeClock clock;
  CredentialProvider provider(config, clock);
  Result<Credentials> creds = provider.Get();
  ASSERT_TRUE(creds.ok());
  EXPECT_EQ(creds->bearer_token, "static");
  EXPECT_EQ(creds->client_cert_pem, "C");
  EXPECT_EQ(creds->generation, 0u);
}

TEST(ParseExecCredential, CertificateWithoutKeyIsAnError) {
  Result<ExecCredential> parsed = ParseExecCredential(
      R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
          "status":{"clientCertificateData":"C"}})",
      "client.authentication.k8s.io/v1");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(),
            "exec plugin output: status.clientKeyData: required with status.clientCertificateData");
}

TEST(ParseExecCredential, WrongApiVersionIsAnError) {
  Result<ExecCredential> parsed = ParseExecCredential(
      R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential",
          "status":{"token":"t"}})",
      "client.authentication.k8s.io/v1");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("apiVersion: expected client.authentication.k8s.io/v1"),
            std::string::npos);
}

TEST(ParseExecCredential, EmptyStatusIsAnError) {
  EXPECT_FALSE(ParseExecCredential(R"({"kind":"ExecCredential","status":{}})", "").ok());
  EXPECT_FALSE(ParseExecCredential("not json", "").ok());
}

TEST(ParseExecCredential, ExpiryWithOffsetAndFraction) {
  Result<ExecCredential> parsed = ParseExecCredential(
      R"({"kind":"ExecCredential","status":{"token":"t","expirationTimestamp":"2026-11-26T06:00:00.123+01:00"}})",
      "");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_TRUE(parsed->expiry.has_value());
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*parsed->expiry), 1795669200);  // 05:00:00Z
}

TEST(ParseExecCredential, MalformedExpiryIsAnError) {
  EXPECT_FALSE(ParseExecCredential(
                   R"({"kind":"ExecCredential","status":{"token":"t","expirationTimestamp":"soon"}})", "")
                   .ok());
}

}  // namespace
}  // namespace modelgate::kube
