// CppRestTransport against a real local TLS server (tls_test_server.h) with a PKI generated at
// test time. Tests wait on conditions (latches, server state), never on timings.
#include "operator/kube/cpprest_transport.h"

#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/operator/kube/test_files.h"
#include "tests/operator/kube/tls_test_server.h"

namespace modelgate::kube {
namespace {

using testing::Latch;
using testing::TempDir;
using testing::TestConnection;
using testing::TestRequest;
using testing::TlsTestServer;

class CppRestTransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new TempDir();
    pki_ok_ = testing::GeneratePki(pki_->path());
  }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(pki_ok_) << "openssl failed, see " << pki_->path(); }

  static std::string Pki(const std::string& name) { return testing::ReadAll(pki_->path() + "/" + name); }

  // A config trusting the test CA and presenting the client certificate.
  static RestConfig ClientCertConfig(const std::string& server) {
    RestConfig config;
    config.server = server;
    config.ca_pem = Pki("ca.crt");
    config.client_cert_pem = Pki("client.crt");
    config.client_key_pem = Pki("client.key");
    config.origin = "test";
    return config;
  }

  // Echoes the request as JSON.
  static void Echo(const TestRequest& r, TestConnection& c) {
    nlohmann::json out = {{"method", r.method}, {"target", r.target}, {"body", r.body},
                          {"cn", r.client_cn},
                          {"authorization", r.headers.count("authorization") ? r.headers.at("authorization") : ""},
                          {"contentType", r.headers.count("content-type") ? r.headers.at("content-type") : ""}};
    c.Respond(200, out.dump(), {{"X-Test", "yes"}});
  }

  static TempDir* pki_;
  static bool pki_ok_;
};

TempDir* CppRestTransportTest::pki_ = nullptr;
bool CppRestTransportTest::pki_ok_ = false;

TEST_F(CppRestTransportTest, SendRoundTripsWithClientCertificateAuthentication) {
  TlsTestServer server(pki_->path(), Echo);
  auto transport = MakeTransport(ClientCertConfig(server.url()));
  HttpRequest request{.method = "PATCH", .path = "/apis/modelgate.io/v1alpha1/x?fieldManager=a%20b",
                      .body = R"({"spec":{}})"};
  request.headers.emplace_back("Content-Type", "application/merge-patch+json");
  Result<HttpResponse> response = transport->Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->headers["x-test"], "yes");
  const auto echoed = nlohmann::json::parse(response->body);
  EXPECT_EQ(echoed["method"], "PATCH");
  EXPECT_EQ(echoed["target"], "/apis/modelgate.io/v1alpha1/x?fieldManager=a%20b");
  EXPECT_EQ(echoed["body"], R"({"spec":{}})");
  EXPECT_EQ(echoed["cn"], "alice");
  EXPECT_EQ(echoed["contentType"], "application/merge-patch+json");
  EXPECT_EQ(echoed["authorization"], "");
}

TEST_F(CppRestTransportTest, NonSuccessStatusIsReturnedAsAResponse) {
  TlsTestServer server(pki_->path(), [](const TestRequest&, TestConnection& c) {
    c.Respond(404, R"({"kind":"Status","reason":"NotFound","code":404})");
  });
  Result<HttpResponse> response = MakeTransport(ClientCertConfig(server.url()))->Send({.path = "/x"});
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 404);
}

TEST_F(CppRestTransportTest, ServerSignedByAnotherCaIsUnavailable) {
  TlsTestServer server(pki_->path(), Echo);
  RestConfig config = ClientCertConfig(server.url());
  config.ca_pem = Pki("other-ca.crt");
  Result<HttpResponse> response = MakeTransport(config)->Send({.path = "/x"});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable) << response.status().ToString();
}

TEST_F(CppRestTransportTest, HostnameMismatchIsUnavailable) {
  // Signed by the trusted CA, but issued for wrong.example, not for 127.0.0.1.
  TlsTestServer server(pki_->path(), Echo, "wrong-name");
  Result<HttpResponse> response = MakeTransport(ClientCertConfig(server.url()))->Send({.path = "/x"});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable) << response.status().ToString();
  EXPECT_EQ(server.requests(), 0);
}

TEST_F(CppRestTransportTest, InsecureSkipTlsVerifyAcceptsAnyServerCertificate) {
  TlsTestServer server(pki_->path(), Echo, "wrong-name");
  RestConfig config = ClientCertConfig(server.url());
  config.ca_pem = Pki("other-ca.crt");
  config.insecure_skip_tls_verify = true;
  Result<HttpResponse> response = MakeTransport(config)->Send({.path = "/x"});
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
}

TEST_F(CppRestTransportTest, ConnectionRefusedIsUnavailable) {
  int port = 0;
  {
    TlsTestServer server(pki_->path(), Echo);
    port = server.port();
  }
  Result<HttpResponse> response =
      MakeTransport(ClientCertConfig("https://127.0.0.1:" + std::to_string(port)))->Send({.path = "/x"});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
}

TEST_F(CppRestTransportTest, BrokenPemIsReportedUpFront) {
  RestConfig config = ClientCertConfig("https://127.0.0.1:1");
  config.client_key_pem = "not a key";
  auto transport = std::make_shared<CppRestTransport>(config);
  EXPECT_EQ(transport->init_status().code(), StatusCode::kInvalid);
  EXPECT_NE(transport->init_status().message().find("client-key"), std::string::npos);
  EXPECT_EQ(transport->Send({.path = "/x"}).status().code(), StatusCode::kInvalid);
}

TEST_F(CppRestTransportTest, SendGivesUpAfterTheTimeout) {
  Latch release;
  TlsTestServer server(pki_->path(), [&](const TestRequest&, TestConnection& c) {
    release.Wait();  // never answers while the client waits
    c.Respond(200, "{}");
  });
  Result<HttpResponse> response = MakeTransport(ClientCertConfig(server.url()))
                                      ->Send({.path = "/slow", .timeout = std::chrono::milliseconds(300)});
  release.Open();
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kTimeout);
}

TEST_F(CppRestTransportTest, BearerTokenFileIsReloadedAfterA401AndTheRequestRetried) {
  TempDir dir;
  const std::string token_file = dir.Write("token", "old-token\n");
  TlsTestServer server(pki_->path(), [](const TestRequest& r, TestConnection& c) {
    if (r.headers.count("authorization") && r.headers.at("authorization") == "Bearer new-token") {
      c.Respond(200, R"({"ok":true})");
    } else {
      c.Respond(401, R"({"kind":"Status","code":401,"reason":"Unauthorized"})");
    }
  });
  RestConfig config;
  config.server = server.url();
  config.ca_pem = Pki("ca.crt");
  config.token_file = token_file;
  auto transport = MakeTransport(config);
  Result<HttpResponse> first = transport->Send({.path = "/x"});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->status, 401);  // reloaded once, still the old token: the 401 is returned
  dir.Write("token", "new-token\n");  // the kubelet rotates the token
  Result<HttpResponse> second = transport->Send({.path = "/x"});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->status, 200);
}

TEST_F(CppRestTransportTest, StreamDeliversLinesBeforeTheBodyEnds) {
  Latch first_line_seen;
  std::atomic<bool> body_finished{false};
  TlsTestServer server(pki_->path(), [&](const TestRequest&, TestConnection& c) {
    c.BeginChunked();
    c.Chunk("{\"type\":\"ADDED\",\"n\":1}\n{\"type\":\"MODIFIED\",");
    // The rest is sent only after the client has seen the first line.
    first_line_seen.Wait();
    c.Chunk("\"n\":2}\n");
    body_finished = true;
    c.End();
  });
  std::vector<std::string> lines;
  bool first_line_before_end = false;
  Status status = MakeTransport(ClientCertConfig(server.url()))
                      ->Stream({.path = "/watch"},
                               [&](std::string_view line) {
                                 lines.emplace_back(line);
                                 if (lines.size() == 1) {
                                   first_line_before_end = !body_finished;
                                   first_line_seen.Open();
                                 }
                                 return true;
                               },
                               nullptr);
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(first_line_before_end);
  EXPECT_EQ(lines, (std::vector<std::string>{R"({"type":"ADDED","n":1})",
                                             R"({"type":"MODIFIED","n":2})"}));
}

TEST_F(CppRestTransportTest, StreamStopsWhenCancelledAndClosesTheConnection) {
  Latch line_seen;
  std::atomic<bool> peer_closed{false};
  Latch server_done;
  TlsTestServer server(pki_->path(), [&](const TestRequest&, TestConnection& c) {
    c.BeginChunked();
    c.Chunk("{\"type\":\"ADDED\"}\n");
    peer_closed = c.WaitForPeerClose(std::chrono::seconds(30));
    server_done.Open();
  });
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    line_seen.Wait();
    cancel = true;
  });
  int lines = 0;
  Status status = MakeTransport(ClientCertConfig(server.url()))
                      ->Stream({.path = "/watch", .timeout = std::chrono::seconds(60)},
                               [&](std::string_view) {
                                 ++lines;
                                 line_seen.Open();
                                 return true;
                               },
                               &cancel);
  canceller.join();
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(lines, 1);
  EXPECT_TRUE(server_done.Wait());
  EXPECT_TRUE(peer_closed);
}

TEST_F(CppRestTransportTest, StreamEndsWhenOnLineReturnsFalse) {
  TlsTestServer server(pki_->path(), [&](const TestRequest&, TestConnection& c) {
    c.BeginChunked();
    c.Chunk("a\nb\nc\n");
    c.WaitForPeerClose(std::chrono::seconds(30));
  });
  std::vector<std::string> lines;
  Status status = MakeTransport(ClientCertConfig(server.url()))
                      ->Stream({.path = "/watch"},
                               [&](std::string_view line) {
                                 lines.emplace_back(line);
                                 return lines.size() < 2;
                               },
                               nullptr);
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b"}));
}

TEST_F(CppRestTransportTest, StreamSilentPastTheTimeoutIsTimeout) {
  TlsTestServer server(pki_->path(), [&](const TestRequest&, TestConnection& c) {
    c.BeginChunked();
    c.Chunk("{\"type\":\"ADDED\"}\n");
    c.WaitForPeerClose(std::chrono::seconds(30));
  });
  int lines = 0;
  Status status = MakeTransport(ClientCertConfig(server.url()))
                      ->Stream({.path = "/watch", .timeout = std::chrono::milliseconds(300)},
                               [&](std::string_view) { return ++lines, true; }, nullptr);
  EXPECT_EQ(status.code(), StatusCode::kTimeout) << status.ToString();
  EXPECT_LE(lines, 1);  // 0 when a loaded machine makes the handshake itself slower than 300 ms
}

TEST_F(CppRestTransportTest, StreamMapsAnErrorAnswer) {
  TlsTestServer server(pki_->path(), [](const TestRequest&, TestConnection& c) {
    c.Respond(410, R"({"kind":"Status","code":410,"reason":"Expired","message":"too old"})");
  });
  Status status = MakeTransport(ClientCertConfig(server.url()))
                      ->Stream({.path = "/watch"}, [](std::string_view) { return true; }, nullptr);
  EXPECT_EQ(status.code(), StatusCode::kGone);
  EXPECT_EQ(status.message(), "too old");
}

TEST_F(CppRestTransportTest, ConcurrentSendsFromManyThreads) {
  TlsTestServer server(pki_->path(), Echo);
  auto transport = MakeTransport(ClientCertConfig(server.url()));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < 5; ++j) {
        Result<HttpResponse> r = transport->Send({.path = "/t" + std::to_string(i)});
        if (r.ok() && r->status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 40);
}

}  // namespace
}  // namespace modelgate::kube
