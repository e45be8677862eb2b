// Characterisation tests of cpprestsdk 2.10.18 (asio backend) itself: what cpprest_transport.cpp
// relies on. If a cpprestsdk upgrade changes one of these, the transport's comment is stale.
#include <cpprest/http_client.h>

#include <gtest/gtest.h>

#include "tests/operator/kube/test_files.h"
#include "tests/operator/kube/tls_test_server.h"

namespace modelgate::kube {
namespace {

using testing::Latch;
using testing::TempDir;
using testing::TestConnection;
using testing::TestRequest;
using testing::TlsTestServer;
namespace client = web::http::client;

class CpprestBehaviour : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new TempDir();
    pki_ok_ = testing::GeneratePki(pki_->path());
  }
  static void TearDownTestSuite() { delete pki_; }
  void SetUp() override { ASSERT_TRUE(pki_ok_); }

  static client::http_client Client(const std::string& url, std::chrono::milliseconds timeout) {
    client::http_client_config config;
    config.set_timeout(timeout);
    const std::string ca = testing::ReadAll(pki_->path() + "/ca.crt");
    config.set_ssl_context_callback([ca](boost::asio::ssl::context& ctx) {
      ctx.add_certificate_authority(boost::asio::buffer(ca));
    });
    return client::http_client(url, config);
  }

  static TempDir* pki_;
  static bool pki_ok_;
};
TempDir* CpprestBehaviour::pki_ = nullptr;
bool CpprestBehaviour::pki_ok_ = false;

using Traits = concurrency::streams::streambuf<uint8_t>::traits;

TEST_F(CpprestBehaviour, RequestCompletesAtHeadersWhileTheBodyStillStreams) {
  Latch release;
  TlsTestServer server(pki_->path(), [&](const TestRequest&, TestConnection& c) {
    c.BeginChunked();
    c.Chunk("x\n");
    release.Wait();
    c.End();
  });
  auto http = Client(server.url(), std::chrono::seconds(30));
  web::http::http_response response = http.request("GET", "/w").get();  // returns before End()
  EXPECT_EQ(response.status_code(), 200);
  auto buffer = response.body().streambuf();
  EXPECT_EQ(buffer.getc().get(), Traits::int_type('x'));
  release.Open();
}

TEST_F(CpprestBehaviour, ClientTimeoutDuringASilentBodyFailsThePendingRead) {
  Latch release;
  TlsTestServer server(pki_->path(), [&](const TestRequest&, TestConnection& c) {
    c.BeginChunked();
    c.Chunk("x\n");
    release.Wait();
  });
  auto http = Client(server.url(), std::chrono::seconds(1));
  web::http::http_response response = http.request("GET", "/w").get();
  auto buffer = response.body().streambuf();
  std::vector<uint8_t> first(2);
  EXPECT_EQ(buffer.getn(first.data(), 2).get(), 2u);
  std::error_code code;
  std::string what;
  try {
    buffer.getc().get();
  } catch (const web::http::http_exception& e) {
    code = e.error_code();
    what = e.what();
  }
  release.Open();
  EXPECT_EQ(code, std::errc::timed_out) << what;
}

TEST_F(CpprestBehaviour, CancellationAfterHeadersClosesTheConnectionAndFailsThePendingRead) {
  Latch release;
  std::atomic<bool> peer_closed{false};
  TlsTestServer server(pki_->path(), [&](const TestRequest&, TestConnection& c) {
    c.BeginChunked();
    c.Chunk("x\n");
    peer_closed = c.WaitForPeerClose(std::chrono::seconds(30));
    release.Open();
  });
  auto http = Client(server.url(), std::chrono::seconds(30));
  pplx::cancellation_token_source cts;
  web::http::http_response response = http.request("GET", "/w", cts.get_token()).get();
  auto buffer = response.body().streambuf();
  std::vector<uint8_t> first(2);
  EXPECT_EQ(buffer.getn(first.data(), 2).get(), 2u);
  auto pending = buffer.getc();
  cts.cancel();
  bool threw = false;
  std::string what;
  try {
    pending.get();
  } catch (const std::exception& e) {
    threw = true;
    what = e.what();
  }
  EXPECT_TRUE(threw);
  EXPECT_EQ(what, "Operation canceled");
  EXPECT_TRUE(release.Wait());
  EXPECT_TRUE(peer_closed);
}

}  // namespace
}  // namespace modelgate::kube
