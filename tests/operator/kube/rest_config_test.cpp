#include "operator/kube/rest_config.h"

#include <gtest/gtest.h>

#include "tests/operator/kube/test_files.h"

namespace modelgate::kube {
namespace {

using testing::EncodeBase64;
using testing::ScopedEnv;
using testing::TempDir;

constexpr char kCa[] = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
constexpr char kCert[] = "-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n";
constexpr char kKey[] = "-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n";

// A kubeconfig with one cluster "c", user "u", context "ctx"; `cluster_extra` and `user_extra`
// are indented YAML lines added to the cluster and user maps.
std::string Kubeconfig(const std::string& cluster_extra, const std::string& user_extra,
                       const std::string& current_context = "ctx",
                       const std::string& server = "https://127.0.0.1:6443") {
  return "apiVersion: v1\nkind: Config\n"
         "clusters:\n- name: c\n  cluster:\n    server: " + server + "\n" + cluster_extra +
         "users:\n- name: u\n  user:\n" + (user_extra.empty() ? "    {}\n" : user_extra) +
         "contexts:\n- name: ctx\n  context:\n    cluster: c\n    user: u\n    namespace: ml\n" +
         (current_context.empty() ? "" : "current-context: " + current_context + "\n");
}

TEST(LoadKubeconfig, InlineDataIsBase64Decoded) {
  TempDir dir;
  const std::string path = dir.Write(
      "config", Kubeconfig("    certificate-authority-data: " + EncodeBase64(kCa) + "\n",
                           "    client-certificate-data: " + EncodeBase64(kCert) + "\n" +
                               "    client-key-data: " + EncodeBase64(kKey) + "\n"));
  Result<RestConfig> config = LoadKubeconfig(path);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server, "https://127.0.0.1:6443");
  EXPECT_EQ(config->ca_pem, kCa);
  EXPECT_EQ(config->client_cert_pem, kCert);
  EXPECT_EQ(config->client_key_pem, kKey);
  EXPECT_EQ(config->default_namespace, "ml");
  EXPECT_FALSE(config->insecure_skip_tls_verify);
}

TEST(LoadKubeconfig, RelativeFilePathsResolveAgainstTheKubeconfigDirectory) {
  TempDir dir;
  dir.Write("kube/pki/ca.crt", kCa);
  dir.Write("kube/pki/client.crt", kCert);
  dir.Write("kube/pki/client.key", kKey);
  const std::string path = dir.Write(
      "kube/config", Kubeconfig("    certificate-authority: pki/ca.crt\n",
                                "    client-certificate: pki/client.crt\n"
                                "    client-key: " + dir.path() + "/kube/pki/client.key\n"));
  Result<RestConfig> config = LoadKubeconfig(path);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->ca_pem, kCa);
  EXPECT_EQ(config->client_cert_pem, kCert);
  EXPECT_EQ(config->client_key_pem, kKey);
}

TEST(LoadKubeconfig, MissingClientKeyFileNamesTheFileAndTheField) {
  TempDir dir;
  dir.Write("client.crt", kCert);
  const std::string path = dir.Write(
      "config", Kubeconfig("", "    client-certificate: client.crt\n    client-key: k.pem\n"));
  Result<RestConfig> config = LoadKubeconfig(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalid);
  EXPECT_EQ(config.status().message(), "kubeconfig " + path + ": users[0].user.client-key: file " +
                                           dir.path() + "/k.pem not found");
}

TEST(LoadKubeconfig, BadBase64NamesTheField) {
  TempDir dir;
  const std::string path =
      dir.Write("config", Kubeconfig("    certificate-authority-data: '***'\n", ""));
  Result<RestConfig> config = LoadKubeconfig(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "kubeconfig " + path + ": clusters[0].cluster.certificate-authority-data: expected base64");
}

TEST(LoadKubeconfig, CertificateWithoutKeyIsRejected) {
  TempDir dir;
  const std::string path = dir.Write(
      "config", Kubeconfig("", "    client-certificate-data: " + EncodeBase64(kCert) + "\n"));
  Result<RestConfig> config = LoadKubeconfig(path);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("users[0].user: client-certificate and client-key"),
            std::string::npos);
}

TEST(LoadKubeconfig, MissingServerIsAnError) {
  TempDir dir;
  const std::string path = dir.Write(
      "config", "clusters:\n- name: c\n  cluster: {}\ncontexts:\n- name: ctx\n  context:\n"
                "    cluster: c\ncurrent-context: ctx\n");
  Result<RestConfig> config = LoadKubeconfig(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(), "kubeconfig " + path + ": clusters[0].cluster.server: required");
}

TEST(LoadKubeconfig, UnknownCurrentContextIsAnError) {
  TempDir dir;
  const std::string path = dir.Write("config", Kubeconfig("", "", "nope"));
  Result<RestConfig> config = LoadKubeconfig(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "kubeconfig " + path + ": current-context: context 'nope' not found in contexts[]");
}

TEST(LoadKubeconfig, NoCurrentContextAndNoOverrideIsAnError) {
  TempDir dir;
  const std::string path = dir.Write("config", Kubeconfig("", "", ""));
  EXPECT_FALSE(LoadKubeconfig(path).ok());
  Result<RestConfig> overridden = LoadKubeconfig(path, "ctx");
  ASSERT_TRUE(overridden.ok()) << overridden.status().ToString();
  EXPECT_EQ(overridden->server, "https://127.0.0.1:6443");
}

TEST(LoadKubeconfig, ContextOverrideWinsOverCurrentContext) {
  TempDir dir;
  const std::string path = dir.Write(
      "config",
      "clusters:\n- name: a\n  cluster:\n    server: https://a:1\n"
      "- name: b\n  cluster:\n    server: https://b:2\n"
      "contexts:\n- name: ca\n  context: {cluster: a}\n- name: cb\n  context: {cluster: b, namespace: x}\n"
      "current-context: ca\n");
  EXPECT_EQ(LoadKubeconfig(path)->server, "https://a:1");
  Result<RestConfig> b = LoadKubeconfig(path, "cb");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->server, "https://b:2");
  EXPECT_EQ(b->default_namespace, "x");
}

TEST(LoadKubeconfig, PathListMergesWithFirstFileWinningPerName) {
  TempDir dir;
  // first: defines cluster c (server one) and user u, no current-context.
  const std::string first = dir.Write(
      "first", "clusters:\n- name: c\n  cluster:\n    server: https://one:1\n"
               "users:\n- name: u\n  user:\n    token: first-token\n");
  // second: redefines c and u (ignored), defines the context and current-context.
  const std::string second = dir.Write(
      "second", "clusters:\n- name: c\n  cluster:\n    server: https://two:2\n"
                "users:\n- name: u\n  user:\n    token: second-token\n"
                "contexts:\n- name: ctx\n  context: {cluster: c, user: u}\n"
                "current-context: ctx\n");
  ScopedEnv env("KUBECONFIG", first + ":" + dir.path() + "/missing:" + second);
  Result<RestConfig> config = LoadKubeconfig();
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server, "https://one:1");
  EXPECT_EQ(config->bearer_token, "first-token");
  EXPECT_EQ(config->default_namespace, "default");
}

TEST(LoadKubeconfig, FallsBackToHomeKubeConfig) {
  TempDir dir;
  dir.Write(".kube/config", Kubeconfig("", "    token: t\n"));
  ScopedEnv kubeconfig("KUBECONFIG", std::nullopt);
  ScopedEnv home("HOME", dir.path());
  Result<RestConfig> config = LoadKubeconfig();
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->bearer_token, "t");
}

TEST(LoadKubeconfig, ExplicitPathThatDoesNotExistIsAnError) {
  Result<RestConfig> config = LoadKubeconfig("/nonexistent/kubeconfig");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(), "kubeconfig /nonexistent/kubeconfig: file not found");
}

TEST(LoadKubeconfig, TokenFileIsResolvedAndKeptForRereading) {
  TempDir dir;
  dir.Write("secrets/token", "abc\n");
  const std::string path =
      dir.Write("config", Kubeconfig("", "    tokenFile: secrets/token\n"));
  Result<RestConfig> config = LoadKubeconfig(path);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->token_file, dir.path() + "/secrets/token");
  EXPECT_TRUE(config->bearer_token.empty());
}

TEST(LoadKubeconfig, MissingTokenFileNamesTheField) {
  TempDir dir;
  const std::string path = dir.Write("config", Kubeconfig("", "    tokenFile: nope\n"));
  Result<RestConfig> config = LoadKubeconfig(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(), "kubeconfig " + path + ": users[0].user.tokenFile: file " +
                                           dir.path() + "/nope not found");
}

TEST(LoadKubeconfig, InsecureSkipTlsVerifyOnlyWhenExplicitlyTrue) {
  TempDir dir;
  const std::string path =
      dir.Write("config", Kubeconfig("    insecure-skip-tls-verify: true\n", ""));
  EXPECT_TRUE(LoadKubeconfig(path)->insecure_skip_tls_verify);
}

TEST(LoadKubeconfig, ExecSectionIsParsedWithRelativeCommand) {
  TempDir dir;
  const std::string path = dir.Write(
      "config", Kubeconfig("", "    exec:\n"
                               "      apiVersion: client.authentication.k8s.io/v1beta1\n"
                               "      command: ./bin/cred\n"
                               "      args: [--region, eu]\n"
                               "      env:\n      - name: PROFILE\n        value: prod\n"
                               "      provideClusterInfo: true\n"));
  Result<RestConfig> config = LoadKubeconfig(path);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_TRUE(config->exec.has_value());
  EXPECT_EQ(config->exec->api_version, "client.authentication.k8s.io/v1beta1");
  EXPECT_EQ(config->exec->command, dir.path() + "/./bin/cred");
  EXPECT_EQ(config->exec->args, (std::vector<std::string>{"--region", "eu"}));
  ASSERT_EQ(config->exec->env.size(), 1u);
  EXPECT_EQ(config->exec->env[0], (std::pair<std::string, std::string>{"PROFILE", "prod"}));
  EXPECT_TRUE(config->exec->provide_cluster_info);
}

TEST(LoadKubeconfig, ExecCommandWithoutSlashIsLookedUpInPath) {
  TempDir dir;
  const std::string path =
      dir.Write("config", Kubeconfig("", "    exec:\n      command: aws\n"));
  Result<RestConfig> config = LoadKubeconfig(path);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->exec->command, "aws");
  EXPECT_EQ(config->exec->api_version, "client.authentication.k8s.io/v1");
}

TEST(LoadKubeconfig, ExecWithUnknownApiVersionIsRejected) {
  TempDir dir;
  const std::string path = dir.Write(
      "config", Kubeconfig("", "    exec:\n      command: x\n"
                               "      apiVersion: client.authentication.k8s.io/v1alpha1\n"));
  Result<RestConfig> config = LoadKubeconfig(path);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("users[0].user.exec.apiVersion: expected"),
            std::string::npos);
}

TEST(LoadKubeconfig, InvalidYamlNamesTheFile) {
  TempDir dir;
  const std::string path = dir.Write("config", "clusters: [unclosed\n");
  Result<RestConfig> config = LoadKubeconfig(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message().rfind("kubeconfig " + path + ": not valid YAML", 0), 0u);
}

TEST(InClusterConfig, BuildsServerFromServiceEnvironment) {
  TempDir dir;
  dir.Write("token", "sa-token\n");
  dir.Write("ca.crt", kCa);
  dir.Write("namespace", "modelgate-system");
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "10.96.0.1");
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");
  Result<RestConfig> config = InClusterConfig(dir.path());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server, "https://10.96.0.1:443");
  EXPECT_EQ(config->ca_pem, kCa);
  EXPECT_EQ(config->token_file, dir.path() + "/token");
  EXPECT_EQ(config->default_namespace, "modelgate-system");
}

TEST(InClusterConfig, BracketsIpv6Hosts) {
  TempDir dir;
  dir.Write("token", "t");
  dir.Write("ca.crt", kCa);
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "fd00:10:96::1");
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");
  Result<RestConfig> config = InClusterConfig(dir.path());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server, "https://[fd00:10:96::1]:443");
  EXPECT_EQ(config->default_namespace, "default");
}

TEST(InClusterConfig, OutsideAPodIsUnavailable) {
  ScopedEnv host("KUBERNETES_SERVICE_HOST", std::nullopt);
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");
  EXPECT_EQ(InClusterConfig("/nonexistent").status().code(), StatusCode::kUnavailable);
}

TEST(InClusterConfig, MissingTokenNamesTheFile) {
  TempDir dir;
  dir.Write("ca.crt", kCa);
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "10.0.0.1");
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");
  Result<RestConfig> config = InClusterConfig(dir.path());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "in-cluster config: token file " + dir.path() + "/token cannot be read");
}

TEST(JoinHostPort, BracketsOnlyIpv6) {
  EXPECT_EQ(JoinHostPort("example.com", "443"), "example.com:443");
  EXPECT_EQ(JoinHostPort("::1", "6443"), "[::1]:6443");
  EXPECT_EQ(JoinHostPort("[::1]", "6443"), "[::1]:6443");
}

TEST(DecodeBase64, DecodesWithAndWithoutPadding) {
  EXPECT_EQ(DecodeBase64("aGVsbG8="), "hello");
  EXPECT_EQ(DecodeBase64("aGVsbG8"), "hello");
  EXPECT_EQ(DecodeBase64("aGVs\nbG8h"), "hello!");
  EXPECT_EQ(DecodeBase64(""), "");
  EXPECT_FALSE(DecodeBase64("a").has_value());
  EXPECT_FALSE(DecodeBase64("ab$c").has_value());
  EXPECT_FALSE(DecodeBase64("aGk=aGk=").has_value());
}

}  // namespace
}  // namespace modelgate::kube
