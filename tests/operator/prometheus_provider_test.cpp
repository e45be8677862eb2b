// PrometheusProvider: the answer mapping with recorded bodies (through ParsePrometheusResponse
// and a FakeTransport), the HTTPS path with a bearer token and a private CA against a local TLS
// server, and the real Prometheus from Debian (/usr/bin/prometheus) started on a loopback port
// with a scratch config and data directory. Tests wait on conditions with deadlines, never on
// fixed sleeps.
#include "operator/prometheus_provider.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "operator/kube/cpprest_transport.h"
#include "tests/operator/kube/fake_transport.h"
#include "tests/operator/kube/test_files.h"
#include "tests/operator/kube/tls_test_server.h"

extern char** environ;

namespace modelgate {
namespace {

using gates::analysis::ProviderError;
using gates::analysis::QueryResult;
using gates::analysis::Sample;
using gates::analysis::TimePoint;
using ::testing::HasSubstr;

const TimePoint kAt = TimePoint(std::chrono::milliseconds(1'700'000'000'250));

// --- the answer mapping, with bodies recorded from Prometheus 2.42 -----------------------------

TEST(ParsePrometheusResponse, VectorWithOneSeriesIsAValue) {
  QueryResult r = ParsePrometheusResponse(
      200, R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"variant":"canary"},"value":[1700000000.25,"0.081"]}]}})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.sample().kind, Sample::Kind::kValue);
  EXPECT_DOUBLE_EQ(r.sample().value, 0.081);
  EXPECT_EQ(r.sample().text, "0.081");
}

TEST(ParsePrometheusResponse, ScalarIsAValue) {
  QueryResult r =
      ParsePrometheusResponse(200, R"({"status":"success","data":{"resultType":"scalar","result":[1700000000.25,"2"]}})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.sample().kind, Sample::Kind::kValue);
  EXPECT_EQ(r.sample().value, 2);
}

TEST(ParsePrometheusResponse, EmptyVectorIsNoData) {
  QueryResult r = ParsePrometheusResponse(200, R"({"status":"success","data":{"resultType":"vector","result":[]}})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.sample().kind, Sample::Kind::kNoData);
}

TEST(ParsePrometheusResponse, NaNIsNaNNotAValue) {
  QueryResult r = ParsePrometheusResponse(
      200, R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,"NaN"]}]}})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.sample().kind, Sample::Kind::kNaN);
  EXPECT_EQ(r.sample().text, "NaN");
}

TEST(ParsePrometheusResponse, InfinityIsAValueKeptAsWritten) {
  QueryResult r = ParsePrometheusResponse(
      200, R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,"+Inf"]}]}})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.sample().kind, Sample::Kind::kValue);
  EXPECT_TRUE(std::isinf(r.sample().value));
  EXPECT_EQ(r.sample().text, "+Inf");
}

TEST(ParsePrometheusResponse, SeveralSeriesAreReportedWithTheirLabels) {
  QueryResult r = ParsePrometheusResponse(200, R"({"status":"success","data":{"resultType":"vector","result":[
      {"metric":{"pod":"a"},"value":[1,"1"]},{"metric":{"pod":"b"},"value":[1,"2"]}]}})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.sample().kind, Sample::Kind::kMultipleSeries);
  EXPECT_EQ(r.sample().series, 2u);
  EXPECT_EQ(r.sample().series_labels, R"({pod="a"}, {pod="b"})");
}

TEST(ParsePrometheusResponse, ErrorDocumentIsAPrometheusError) {
  QueryResult r = ParsePrometheusResponse(
      400, R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: unclosed left parenthesis"})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ProviderError::Kind::kPrometheusError);
  EXPECT_EQ(r.error().http_status, 400);
  EXPECT_THAT(r.error().message, HasSubstr("bad_data: invalid parameter"));
}

TEST(ParsePrometheusResponse, ServiceUnavailableErrorDocumentIsAPrometheusError) {
  QueryResult r =
      ParsePrometheusResponse(503, R"({"status":"error","errorType":"unavailable","error":"Service Unavailable"})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ProviderError::Kind::kPrometheusError);
  EXPECT_EQ(r.error().http_status, 503);
}

TEST(ParsePrometheusResponse, ProxyErrorPageIsAnHttpStatusError) {
  QueryResult r = ParsePrometheusResponse(502, "<html><body>502 Bad Gateway</body></html>");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ProviderError::Kind::kHttpStatus);
  EXPECT_EQ(r.error().http_status, 502);
  EXPECT_THAT(r.error().message, HasSubstr("502 Bad Gateway"));
}

TEST(ParsePrometheusResponse, SuccessThatIsNotJsonIsABadResponse) {
  QueryResult r = ParsePrometheusResponse(200, "<html>login</html>");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ProviderError::Kind::kBadResponse);
}

TEST(ParsePrometheusResponse, RangeVectorIsABadResponse) {
  QueryResult r = ParsePrometheusResponse(
      200, R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"]]}]}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ProviderError::Kind::kBadResponse);
  EXPECT_THAT(r.error().message, HasSubstr("range vector"));
}

TEST(ParsePrometheusResponse, StringResultIsABadResponse) {
  QueryResult r =
      ParsePrometheusResponse(200, R"({"status":"success","data":{"resultType":"string","result":[1,"x"]}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ProviderError::Kind::kBadResponse);
}

TEST(ParsePrometheusResponse, ValueThatIsNotANumberIsABadResponse) {
  QueryResult r = ParsePrometheusResponse(
      200, R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"high"]}]}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ProviderError::Kind::kBadResponse);
}

// --- the request, through a fake transport -------------------------------------------------------

TEST(PrometheusQueryPath, PercentEncodesTheQueryAndSendsMillisecondTime) {
  EXPECT_EQ(PrometheusQueryPath("/prom", R"(sum(rate(x{v="canary"}[1m])) + 1)", kAt),
            "/prom/api/v1/query?query=sum%28rate%28x%7Bv%3D%22canary%22%7D%5B1m%5D%29%29%20%2B%201"
            "&time=1700000000.250");
}

TEST(PrometheusProvider, SendsAGetWithTheQueryTimeAndTimeout) {
  auto transport = std::make_shared<kube::testing::FakeTransport>();
  transport->Respond("GET", "/prom/api/v1/query",
                     {kube::HttpResponse{.status = 200,
                                         .body = R"({"status":"success","data":{"resultType":"scalar","result":[1,"3"]}})"}});
  PrometheusProvider provider(transport, "/prom", std::chrono::seconds(7));
  QueryResult r = provider.Query("vector(3)", kAt);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.sample().value, 3);
  ASSERT_EQ(transport->sent().size(), 1u);
  const kube::HttpRequest sent = transport->sent()[0];
  EXPECT_EQ(sent.method, "GET");
  EXPECT_EQ(sent.path, "/prom/api/v1/query?query=vector%283%29&time=1700000000.250");
  EXPECT_EQ(sent.timeout, std::chrono::seconds(7));
}

TEST(PrometheusProvider, NoAnswerIsUnreachable) {
  auto transport = std::make_shared<kube::testing::FakeTransport>();
  transport->Respond("GET", "/api/v1/query", {kube::Status(kube::StatusCode::kUnavailable, "connection refused")});
  PrometheusProvider provider(transport, "", std::chrono::seconds(1));
  QueryResult r = provider.Query("up", kAt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ProviderError::Kind::kUnreachable);
  EXPECT_THAT(r.error().message, HasSubstr("connection refused"));
}

TEST(PrometheusProvider, NoAnswerInTimeIsATimeout) {
  auto transport = std::make_shared<kube::testing::FakeTransport>();
  transport->Respond("GET", "/api/v1/query", {kube::Status(kube::StatusCode::kTimeout, "no answer within 1000 ms")});
  PrometheusProvider provider(transport, "", std::chrono::seconds(1));
  QueryResult r = provider.Query("up", kAt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ProviderError::Kind::kTimeout);
}

TEST(MakePrometheusProvider, RejectsAnAddressThatIsNotHttp) {
  auto r = MakePrometheusProvider(PrometheusConfig{.address = "prometheus:9090"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), kube::StatusCode::kInvalid);
}

TEST(MakePrometheusProvider, RejectsACaThatIsNotPem) {
  auto r = MakePrometheusProvider(PrometheusConfig{.address = "https://prometheus:9090", .ca_pem = "not a pem"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), kube::StatusCode::kInvalid);
}

// --- https with a bearer token and a private CA, against a local TLS server --------------------------

TEST(PrometheusProviderTls, SendsTheBearerTokenAndTrustsTheGivenCa) {
  kube::testing::TempDir pki;
  ASSERT_TRUE(kube::testing::GeneratePki(pki.path())) << "openssl failed, see " << pki.path();
  std::string authorization;
  std::string target;
  kube::testing::TlsTestServer server(pki.path(), [&](const kube::testing::TestRequest& r,
                                                      kube::testing::TestConnection& c) {
    authorization = r.headers.count("authorization") ? r.headers.at("authorization") : "";
    target = r.target;
    c.Respond(200, R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"0.5"]}]}})");
  });
  auto provider = MakePrometheusProvider(PrometheusConfig{
      .address = "https://127.0.0.1:" + std::to_string(server.port()) + "/prometheus/",
      .timeout = std::chrono::seconds(10),
      .bearer_token = "s3cret",
      .ca_pem = kube::testing::ReadAll(pki.path() + "/ca.crt")});
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  QueryResult r = (*provider)->Query("up", kAt);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.sample().value, 0.5);
  EXPECT_EQ(authorization, "Bearer s3cret");
  EXPECT_EQ(target, "/prometheus/api/v1/query?query=up&time=1700000000.250");
}

// --- the real Prometheus ------------------------------------------------------------------------

constexpr const char* kPrometheusBinary = "/usr/bin/prometheus";

// A loopback port that was free a moment ago (the kernel picks it; a race with another process
// taking it in between is possible but harmless: the server start then fails and is reported).
int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

// One Prometheus server for the suite, on a loopback port, with an empty scrape config and a
// scratch TSDB. Queries use only functions (vector(), time(), ...), so no scrape is awaited.
class RealPrometheusTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (::access(kPrometheusBinary, X_OK) != 0) return;
    dir_ = new kube::testing::TempDir();
    const std::string config = dir_->Write("prometheus.yml", "global:\n  scrape_interval: 1m\nscrape_configs: []\n");
    port_ = FreeLoopbackPort();
    address_ = "http://127.0.0.1:" + std::to_string(port_);
    const std::string log = dir_->path() + "/prometheus.log";
    std::vector<std::string> args = {kPrometheusBinary,
                                     "--config.file=" + config,
                                     "--storage.tsdb.path=" + dir_->path() + "/data",
                                     "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                     "--log.level=warn"};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    if (posix_spawn(&pid_, kPrometheusBinary, &actions, nullptr, argv.data(), environ) != 0) pid_ = 0;
    posix_spawn_file_actions_destroy(&actions);
    if (pid_ == 0) {
      start_error_ = "posix_spawn failed";
      return;
    }
    // Wait for /-/ready with a deadline; stop early if the process exited.
    auto transport = std::make_shared<kube::CppRestTransport>(kube::RestConfig{.server = address_, .origin = "test"});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        start_error_ = "prometheus exited: " + kube::testing::ReadAll(log);
        return;
      }
      auto ready = transport->Send(kube::HttpRequest{.path = "/-/ready", .timeout = std::chrono::seconds(2)});
      if (ready.ok() && ready->status == 200) {
        ready_ = true;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // poll interval, not a timing assumption
    }
    start_error_ = "prometheus not ready within 60 s: " + kube::testing::ReadAll(log);
  }

  static void TearDownTestSuite() {
    if (pid_ != 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = 0;
    }
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    if (::access(kPrometheusBinary, X_OK) != 0) GTEST_SKIP() << kPrometheusBinary << " is not installed";
    ASSERT_TRUE(ready_) << start_error_;
    auto provider = MakePrometheusProvider(PrometheusConfig{.address = address_});
    ASSERT_TRUE(provider.ok()) << provider.status().ToString();
    provider_ = std::move(provider).value();
  }

  QueryResult Query(std::string_view promql, TimePoint at = std::chrono::system_clock::now()) {
    return provider_->Query(promql, at);
  }

  static kube::testing::TempDir* dir_;
  static int port_;
  static pid_t pid_;
  static bool ready_;
  static std::string address_;
  static std::string start_error_;
  std::unique_ptr<PrometheusProvider> provider_;
};

kube::testing::TempDir* RealPrometheusTest::dir_ = nullptr;
int RealPrometheusTest::port_ = 0;
pid_t RealPrometheusTest::pid_ = 0;
bool RealPrometheusTest::ready_ = false;
std::string RealPrometheusTest::address_;
std::string RealPrometheusTest::start_error_;

TEST_F(RealPrometheusTest, OneSeriesIsAValue) {
  QueryResult r = Query("vector(0.081)");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.sample().kind, Sample::Kind::kValue);
  EXPECT_EQ(r.sample().text, "0.081");
}

TEST_F(RealPrometheusTest, ScalarIsAValue) {
  QueryResult r = Query("scalar(vector(2)) * 2");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.sample().kind, Sample::Kind::kValue);
  EXPECT_EQ(r.sample().value, 4);
}

TEST_F(RealPrometheusTest, QueryIsEncodedSoOperatorsAndQuotesSurvive) {
  QueryResult r = Query(R"(sum(label_replace(vector(1), "variant", "canary", "", "")) + 0.5)");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.sample().value, 1.5);
}

TEST_F(RealPrometheusTest, QueryIsEvaluatedAtTheGivenTime) {
  QueryResult r = Query("time()", kAt);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_DOUBLE_EQ(r.sample().value, 1'700'000'000.25);
}

TEST_F(RealPrometheusTest, NoMatchingSeriesIsNoData) {
  QueryResult r = Query(R"(sum(rate(http_requests_total{variant="canary"}[1m])))");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.sample().kind, Sample::Kind::kNoData);
}

TEST_F(RealPrometheusTest, ZeroDividedByZeroIsNaN) {
  QueryResult r = Query("vector(0) / 0");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.sample().kind, Sample::Kind::kNaN);
}

TEST_F(RealPrometheusTest, DivisionByZeroIsPositiveInfinity) {
  QueryResult r = Query("vector(1) / 0");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.sample().kind, Sample::Kind::kValue);
  EXPECT_EQ(r.sample().text, "+Inf");
}

TEST_F(RealPrometheusTest, TwoSeriesAreMultipleSeries) {
  QueryResult r = Query(R"(label_replace(vector(1), "pod", "a", "", "") or label_replace(vector(2), "pod", "b", "", ""))");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.sample().kind, Sample::Kind::kMultipleSeries);
  EXPECT_EQ(r.sample().series, 2u);
  EXPECT_THAT(r.sample().series_labels, HasSubstr(R"(pod="a")"));
}

TEST_F(RealPrometheusTest, SyntaxErrorIsAPrometheusError) {
  QueryResult r = Query("sum(");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ProviderError::Kind::kPrometheusError);
  EXPECT_EQ(r.error().http_status, 400);
  EXPECT_THAT(r.error().message, HasSubstr("bad_data"));
}

TEST_F(RealPrometheusTest, RangeVectorIsABadResponse) {
  QueryResult r = Query("vector(1)[5m:1m]");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ProviderError::Kind::kBadResponse);
}

TEST_F(RealPrometheusTest, PathPrefixThatDoesNotExistIsAnHttpStatusError) {
  auto provider = MakePrometheusProvider(PrometheusConfig{.address = address_ + "/nothing-here"});
  ASSERT_TRUE(provider.ok());
  QueryResult r = (*provider)->Query("vector(1)", kAt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ProviderError::Kind::kHttpStatus);
  EXPECT_EQ(r.error().http_status, 404);
}

TEST(PrometheusProviderNetwork, NothingListeningIsUnreachable) {
  const int port = FreeLoopbackPort();
  auto provider = MakePrometheusProvider(PrometheusConfig{.address = "http://127.0.0.1:" + std::to_string(port),
                                                          .timeout = std::chrono::seconds(10)});
  ASSERT_TRUE(provider.ok());
  QueryResult r = (*provider)->Query("vector(1)", kAt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ProviderError::Kind::kUnreachable) << r.error().message;
}

}  // namespace
}  // namespace modelgate
