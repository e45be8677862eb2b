// WebhookServer over real loopback sockets (127.0.0.1, ephemeral ports): requests reach the handler
// with their headers, the server's own answers (413, 429, 400, 500) are JSON, idle clients and
// slow handlers do not hold up others, and HTTPS works with a certificate generated at test time
// and reloaded when its files change. The test client is plain POSIX sockets (and OpenSSL for
// TLS) with a 10 s receive deadline, so a failure shows as a failed expectation, not a hang.
// Nothing waits on a fixed sleep: tests wait on conditions with deadlines.
#include "operator/webhook_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/operator/kube/test_files.h"

namespace modelgate {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using kube::testing::TempDir;

constexpr std::chrono::seconds kDeadline{10};

struct Answer {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;

  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// A blocking HTTP/1.1 client on one connection, plain or TLS (verifying the server against a
// CA bundle). Every receive gives up after kDeadline.
class TestClient {
 public:
  TestClient() = default;
  ~TestClient() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool Connect(int port, const std::string& ca_file = "") {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return false;
    timeval timeout{static_cast<time_t>(kDeadline.count()), 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return false;
    if (ca_file.empty()) return true;
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr) != 1) return false;
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    return SSL_connect(ssl_) == 1;
  }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      const long n = ssl_ != nullptr ? SSL_write(ssl_, data.data(), static_cast<int>(data.size()))
                                     : ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // The next answer on the connection (1xx interim answers are skipped when `final_only`);
  // nullopt when the connection closed or the deadline passed first.
  std::optional<Answer> ReadAnswer(bool final_only = true) {
    while (true) {
      std::size_t head_end;
      while ((head_end = pending_.find("\r\n\r\n")) == std::string::npos) {
        if (!Fill()) return std::nullopt;
      }
      Answer answer;
      const std::string head = pending_.substr(0, head_end);
      std::size_t line_end = head.find("\r\n");
      const std::string status_line = head.substr(0, line_end);
      answer.status = std::stoi(status_line.substr(status_line.find(' ') + 1, 3));
      while (line_end != std::string::npos) {
        const std::size_t start = line_end + 2;
        line_end = head.find("\r\n", start);
        const std::string line = head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        answer.headers[Lower(line.substr(0, colon))] = value;
      }
      pending_.erase(0, head_end + 4);
      if (answer.status < 200 && final_only) continue;
      const std::size_t length = answer.headers.count("content-length") ? std::stoul(answer.headers["content-length"]) : 0;
      while (pending_.size() < length) {
        if (!Fill()) return std::nullopt;
      }
      answer.body = pending_.substr(0, length);
      pending_.erase(0, length);
      return answer;
    }
  }

  // True when the server closed the connection (end of stream or reset) before the deadline.
  bool WaitForClose() {
    char byte;
    while (true) {
      const long n = ::recv(fd_, &byte, 1, 0);
      if (n == 0) return true;
      if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
    }
  }

  // The common name of the server's certificate ("" without TLS).
  std::string PeerCommonName() const {
    if (ssl_ == nullptr) return "";
    X509* peer = SSL_get1_peer_certificate(ssl_);
    if (peer == nullptr) return "";
    char name[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, name, sizeof name);
    X509_free(peer);
    return name;
  }

 private:
  bool Fill() {
    char buffer[16 * 1024];
    const long n = ssl_ != nullptr ? SSL_read(ssl_, buffer, sizeof buffer) : ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    pending_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string pending_;
};

std::string PostRequest(const std::string& target, const std::string& body,
                        const std::string& extra_headers = "", bool keep_alive = false) {
  return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + extra_headers +
         (keep_alive ? "" : "Connection: close\r\n") + "Content-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

// One request on a fresh connection.
std::optional<Answer> Exchange(int port, const std::string& request, const std::string& ca_file = "") {
  TestClient client;
  if (!client.Connect(port, ca_file) || !client.Send(request)) return std::nullopt;
  return client.ReadAnswer();
}

// Records what reached the handler.
struct Seen {
  std::mutex mu;
  std::vector<WebhookRequest> requests;
  std::size_t count() {
    std::lock_guard<std::mutex> lock(mu);
    return requests.size();
  }
};

WebhookServer::Handler Recording(Seen* seen) {
  return [seen](const WebhookRequest& request) {
    std::lock_guard<std::mutex> lock(seen->mu);
    seen->requests.push_back(request);
    return WebhookResponse{.status = 200, .body = R"({"ok":true})"};
  };
}

WebhookServerOptions Loopback() {
  WebhookServerOptions options;
  options.address = "127.0.0.1:0";
  return options;
}

// Started, or a failed expectation naming why.
std::unique_ptr<WebhookServer> Started(WebhookServerOptions options, WebhookServer::Handler handler) {
  auto server = std::make_unique<WebhookServer>(std::move(options), std::move(handler));
  std::string error;
  EXPECT_TRUE(server->Start(&error)) << error;
  return server;
}

// --- requests and answers -----------------------------------------------------------------------

TEST(WebhookServer, PostReachesTheHandlerWithPathQueryHeadersAndBody) {
  Seen seen;
  auto server = Started(Loopback(), Recording(&seen));
  const auto answer = Exchange(server->port(),
                               PostRequest("/webhooks/alertmanager/ml/fraud?debug=1", R"({"version":"4"})",
                                           "Authorization: Bearer t0ken\r\nX-Custom: a\r\nx-custom: b\r\n"));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->header("content-type"), "application/json");
  EXPECT_EQ(answer->body, R"({"ok":true})");
  ASSERT_EQ(seen.count(), 1u);
  const WebhookRequest& request = seen.requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/webhooks/alertmanager/ml/fraud");
  EXPECT_EQ(request.query, "debug=1");
  EXPECT_EQ(request.headers.at("authorization"), "Bearer t0ken");
  EXPECT_EQ(request.headers.at("x-custom"), "a, b");
  EXPECT_EQ(request.headers.at("content-type"), "application/json");
  EXPECT_EQ(request.body, R"({"version":"4"})");
  EXPECT_THAT(request.remote, StartsWith("127.0.0.1:"));
}

TEST(WebhookServer, KeepsTheHandlersContentTypeStatusAndHeaders) {
  auto server = Started(Loopback(), [](const WebhookRequest&) {
    return WebhookResponse{.status = 202, .content_type = "text/plain", .body = "queued\n",
                           .headers = {{"X-Trigger", "abc"}, {"Content-Length", "999"}}};
  });
  const auto answer = Exchange(server->port(), PostRequest("/", "{}"));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 202);
  EXPECT_EQ(answer->header("content-type"), "text/plain");
  EXPECT_EQ(answer->header("x-trigger"), "abc");
  EXPECT_EQ(answer->body, "queued\n");  // the handler's Content-Length was not used
}

TEST(WebhookServer, ServesSeveralRequestsOnAKeptAliveConnection) {
  Seen seen;
  auto server = Started(Loopback(), Recording(&seen));
  TestClient client;
  ASSERT_TRUE(client.Connect(server->port()));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.Send(PostRequest("/", "{}", "", /*keep_alive=*/true)));
    const auto answer = client.ReadAnswer();
    ASSERT_TRUE(answer) << "request " << i;
    EXPECT_EQ(answer->status, 200);
  }
  EXPECT_EQ(seen.count(), 3u);
}

TEST(WebhookServer, AnswersExpect100ContinueAndReadsTheBody) {
  Seen seen;
  auto server = Started(Loopback(), Recording(&seen));
  TestClient client;
  ASSERT_TRUE(client.Connect(server->port()));
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\n"));
  // The client waits for "100 Continue" before sending the body, as curl does.
  const auto interim = client.ReadAnswer(/*final_only=*/false);
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send("{}"));
  const auto answer = client.ReadAnswer();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  ASSERT_EQ(seen.count(), 1u);
  EXPECT_EQ(seen.requests[0].body, "{}");
}

TEST(WebhookServer, HandlerExceptionIsAJson500AndTheServerKeepsServing) {
  std::atomic<int> calls{0};
  auto server = Started(Loopback(), [&calls](const WebhookRequest&) -> WebhookResponse {
    if (calls++ == 0) throw std::runtime_error("boom");
    return {};
  });
  const auto failed = Exchange(server->port(), PostRequest("/", "{}"));
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 500);
  EXPECT_EQ(failed->header("content-type"), "application/json");
  EXPECT_EQ(failed->body, R"({"error":"internal error","status":500})");
  const auto next = Exchange(server->port(), PostRequest("/", "{}"));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST(WebhookServer, HandlerStatusOutOfRangeIsA500) {
  auto server = Started(Loopback(), [](const WebhookRequest&) { return WebhookResponse{.status = 42}; });
  const auto answer = Exchange(server->port(), PostRequest("/", "{}"));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 500);
}

TEST(WebhookServer, MalformedRequestIsAJson400) {
  Seen seen;
  auto server = Started(Loopback(), Recording(&seen));
  const auto answer = Exchange(server->port(), "POST / HTTP/1.1\r\nBad Header Line\r\n\r\n");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 400);
  EXPECT_THAT(answer->body, HasSubstr(R"("status":400)"));
  EXPECT_THAT(answer->body, HasSubstr("malformed HTTP request"));
  EXPECT_EQ(seen.count(), 0u);
}

// --- limits -------------------------------------------------------------------------------------

TEST(WebhookServer, BodyOfExactlyTheLimitIsAccepted) {
  Seen seen;
  WebhookServerOptions options = Loopback();
  options.max_body_bytes = 1024;
  auto server = Started(options, Recording(&seen));
  const auto answer = Exchange(server->port(), PostRequest("/", std::string(1024, 'x')));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
}

TEST(WebhookServer, LargerContentLengthIs413WithoutReadingTheBody) {
  Seen seen;
  WebhookServerOptions options = Loopback();
  options.max_body_bytes = 1024;
  auto server = Started(options, Recording(&seen));
  TestClient client;
  ASSERT_TRUE(client.Connect(server->port()));
  // Announces 10 MiB and sends a little: the answer comes without the rest.
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10485760\r\n\r\n" + std::string(1000, 'x')));
  const auto answer = client.ReadAnswer();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 413);
  EXPECT_EQ(answer->header("content-type"), "application/json");
  EXPECT_EQ(answer->body, R"({"error":"request body larger than 1024 bytes","status":413})");
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_EQ(seen.count(), 0u);
}

TEST(WebhookServer, LargerChunkedBodyIs413) {
  Seen seen;
  WebhookServerOptions options = Loopback();
  options.max_body_bytes = 1024;
  auto server = Started(options, Recording(&seen));
  TestClient client;
  ASSERT_TRUE(client.Connect(server->port()));
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "200\r\n" + std::string(512, 'x') + "\r\n800\r\n" + std::string(2048, 'y') + "\r\n"));
  const auto answer = client.ReadAnswer();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 413);
  EXPECT_EQ(seen.count(), 0u);
}

TEST(WebhookServer, BurstBeyondTheBucketIs429WithRetryAfter) {
  Seen seen;
  std::mutex mu;
  std::map<int, int> counted;
  WebhookServerOptions options = Loopback();
  options.rate_per_second = 1e-6;  // no refill within the test
  options.rate_burst = 2;
  options.on_response = [&](int status) {
    std::lock_guard<std::mutex> lock(mu);
    ++counted[status];
  };
  auto server = Started(options, Recording(&seen));
  std::map<int, int> statuses;
  std::optional<Answer> limited;
  for (int i = 0; i < 5; ++i) {
    auto answer = Exchange(server->port(), PostRequest("/", "{}"));
    ASSERT_TRUE(answer) << "request " << i;
    ++statuses[answer->status];
    if (answer->status == 429) limited = answer;
  }
  EXPECT_EQ(statuses, (std::map<int, int>{{200, 2}, {429, 3}}));
  EXPECT_EQ(seen.count(), 2u);
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->header("retry-after"), "3600");
  EXPECT_EQ(limited->header("content-type"), "application/json");
  EXPECT_THAT(limited->body, HasSubstr(R"("status":429)"));
  EXPECT_THAT(limited->body, HasSubstr("too many webhook requests"));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(counted, statuses);
}

TEST(WebhookServer, SilentClientDoesNotBlockAnother) {
  Seen seen;
  WebhookServerOptions options = Loopback();
  options.handler_threads = 1;
  auto server = Started(options, Recording(&seen));
  TestClient silent;
  ASSERT_TRUE(silent.Connect(server->port()));
  TestClient half;
  ASSERT_TRUE(half.Connect(server->port()));
  ASSERT_TRUE(half.Send("POST / HTTP/1.1\r\nHost: x\r\n"));  // and never the rest
  const auto answer = Exchange(server->port(), PostRequest("/", "{}"));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(seen.count(), 1u);
}

TEST(WebhookServer, SilentClientIsDisconnectedAfterTheReadTimeout) {
  Seen seen;
  WebhookServerOptions options = Loopback();
  options.read_timeout = std::chrono::milliseconds(200);
  auto server = Started(options, Recording(&seen));
  TestClient silent;
  ASSERT_TRUE(silent.Connect(server->port()));
  EXPECT_TRUE(silent.WaitForClose());  // within the client's 10 s deadline
  EXPECT_EQ(seen.count(), 0u);
}

TEST(WebhookServer, SlowHandlerDoesNotStallAnotherRequest) {
  std::mutex mu;
  std::condition_variable changed;
  bool slow_started = false;
  bool release = false;
  WebhookServerOptions options = Loopback();
  options.handler_threads = 2;
  auto server = Started(options, [&](const WebhookRequest& request) {
    if (request.path == "/slow") {
      std::unique_lock<std::mutex> lock(mu);
      slow_started = true;
      changed.notify_all();
      changed.wait_for(lock, kDeadline, [&] { return release; });
    }
    return WebhookResponse{};
  });
  std::optional<Answer> slow;
  std::thread slow_client([&] { slow = Exchange(server->port(), PostRequest("/slow", "{}")); });
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(changed.wait_for(lock, kDeadline, [&] { return slow_started; }));
  }
  const auto fast = Exchange(server->port(), PostRequest("/fast", "{}"));
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_FALSE(release);  // answered while the slow handler is still running
    release = true;
    changed.notify_all();
  }
  slow_client.join();
  ASSERT_TRUE(fast);
  EXPECT_EQ(fast->status, 200);
  ASSERT_TRUE(slow);
  EXPECT_EQ(slow->status, 200);
}

TEST(WebhookServer, ConnectionBeyondTheLimitIsServedWhenAnotherCloses) {
  Seen seen;
  WebhookServerOptions options = Loopback();
  options.max_connections = 1;
  auto server = Started(options, Recording(&seen));
  auto idle = std::make_unique<TestClient>();
  ASSERT_TRUE(idle->Connect(server->port()));
  std::optional<Answer> waiting;
  std::thread waiting_client([&] { waiting = Exchange(server->port(), PostRequest("/", "{}")); });
  idle.reset();  // frees the one slot
  waiting_client.join();
  ASSERT_TRUE(waiting);
  EXPECT_EQ(waiting->status, 200);
}

TEST(WebhookServer, StopClosesOpenConnections) {
  Seen seen;
  auto server = Started(Loopback(), Recording(&seen));
  TestClient idle;
  ASSERT_TRUE(idle.Connect(server->port()));
  server->Stop();
  EXPECT_TRUE(idle.WaitForClose());
  server->Stop();  // idempotent
}

// --- configuration ------------------------------------------------------------------------------

TEST(WebhookServer, DisabledAddressStartsAndServesNothing) {
  for (const char* address : {"0", ""}) {
    WebhookServerOptions options;
    options.address = address;
    WebhookServer server(options, [](const WebhookRequest&) { return WebhookResponse{}; });
    std::string error;
    EXPECT_TRUE(server.Start(&error)) << error;
    EXPECT_EQ(server.port(), 0);
  }
}

TEST(WebhookServer, RefusesABadAddress) {
  for (const auto& [address, expected] : std::vector<std::pair<std::string, std::string>>{
           {"9443", "expected host:port"},
           {"127.0.0.1:http", "port is not a number"},
           {"127.0.0.1:70000", "port is not a number"},
           {"example.com:9443", "is not an IP address"}}) {
    WebhookServerOptions options;
    options.address = address;
    WebhookServer server(options, [](const WebhookRequest&) { return WebhookResponse{}; });
    std::string error;
    EXPECT_FALSE(server.Start(&error)) << address;
    EXPECT_THAT(error, HasSubstr(expected)) << address;
  }
}

TEST(WebhookServer, RefusesAPortInUse) {
  auto first = Started(Loopback(), [](const WebhookRequest&) { return WebhookResponse{}; });
  WebhookServerOptions options;
  options.address = "127.0.0.1:" + std::to_string(first->port());
  WebhookServer second(options, [](const WebhookRequest&) { return WebhookResponse{}; });
  std::string error;
  EXPECT_FALSE(second.Start(&error));
  EXPECT_THAT(error, HasSubstr("bind 127.0.0.1:"));
}

// --- TLS ----------------------------------------------------------------------------------------

// Two self-signed EC certificates for 127.0.0.1 (CN=first, CN=second) and trust.pem with both.
bool GenerateCertificates(const std::string& dir) {
  std::string script = "set -e; cd '" + dir + "'; exec >openssl.log 2>&1;";
  for (const char* name : {"first", "second"}) {
    script += std::string("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2") +
              " -keyout " + name + ".key -out " + name + ".crt -subj /CN=" + name +
              " -addext subjectAltName=IP:127.0.0.1;";
  }
  script += "cat first.crt second.crt > trust.pem;";
  std::ofstream(dir + "/gen.sh") << script;
  return std::system(("bash '" + dir + "/gen.sh'").c_str()) == 0;
}

class WebhookServerTls : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(GenerateCertificates(dir_.path())) << kube::testing::ReadAll(dir_.path() + "/openssl.log");
    std::filesystem::copy_file(Path("first.crt"), Path("tls.crt"));
    std::filesystem::copy_file(Path("first.key"), Path("tls.key"));
  }
  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }
  WebhookServerOptions TlsOptions() const {
    WebhookServerOptions options = Loopback();
    options.tls_cert_file = Path("tls.crt");
    options.tls_key_file = Path("tls.key");
    return options;
  }

  TempDir dir_;
  Seen seen_;
};

TEST_F(WebhookServerTls, ServesHttpsWithTheConfiguredCertificate) {
  auto server = Started(TlsOptions(), Recording(&seen_));
  TestClient client;
  ASSERT_TRUE(client.Connect(server->port(), Path("trust.pem")));
  EXPECT_EQ(client.PeerCommonName(), "first");
  ASSERT_TRUE(client.Send(PostRequest("/hook", R"({"version":"4"})")));
  const auto answer = client.ReadAnswer();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  ASSERT_EQ(seen_.count(), 1u);
  EXPECT_EQ(seen_.requests[0].body, R"({"version":"4"})");
}

TEST_F(WebhookServerTls, PlainHttpToTheTlsPortGetsNoAnswer) {
  auto server = Started(TlsOptions(), Recording(&seen_));
  EXPECT_FALSE(Exchange(server->port(), PostRequest("/", "{}")));
  EXPECT_EQ(seen_.count(), 0u);
}

TEST_F(WebhookServerTls, ServesTheNewCertificateAfterTheFilesChange) {
  auto server = Started(TlsOptions(), Recording(&seen_));
  {
    TestClient before;
    ASSERT_TRUE(before.Connect(server->port(), Path("trust.pem")));
    EXPECT_EQ(before.PeerCommonName(), "first");
  }
  const auto overwrite = std::filesystem::copy_options::overwrite_existing;
  std::filesystem::copy_file(Path("second.crt"), Path("tls.crt"), overwrite);
  std::filesystem::copy_file(Path("second.key"), Path("tls.key"), overwrite);
  TestClient after;
  ASSERT_TRUE(after.Connect(server->port(), Path("trust.pem")));
  EXPECT_EQ(after.PeerCommonName(), "second");
}

TEST_F(WebhookServerTls, KeepsThePreviousCertificateWhenTheNewPairDoesNotMatch) {
  auto server = Started(TlsOptions(), Recording(&seen_));
  std::filesystem::copy_file(Path("second.crt"), Path("tls.crt"), std::filesystem::copy_options::overwrite_existing);
  TestClient client;  // tls.crt is "second", tls.key still "first": not loadable
  ASSERT_TRUE(client.Connect(server->port(), Path("trust.pem")));
  EXPECT_EQ(client.PeerCommonName(), "first");
}

TEST_F(WebhookServerTls, StartRefusesAMismatchedOrMissingPair) {
  WebhookServerOptions options = TlsOptions();
  options.tls_key_file = Path("second.key");
  WebhookServer mismatched(options, Recording(&seen_));
  std::string error;
  EXPECT_FALSE(mismatched.Start(&error));
  EXPECT_THAT(error, HasSubstr("webhook tls: key " + Path("second.key") + ": "));

  options.tls_cert_file = Path("missing.crt");
  WebhookServer missing(options, Recording(&seen_));
  EXPECT_FALSE(missing.Start(&error));
  EXPECT_THAT(error, HasSubstr("webhook tls: certificate " + Path("missing.crt")));

  options.tls_key_file = "";
  WebhookServer half(options, Recording(&seen_));
  EXPECT_FALSE(half.Start(&error));
  EXPECT_THAT(error, HasSubstr("both a certificate and a key file are needed"));
}

// --- the token bucket ---------------------------------------------------------------------------

using Clock = TokenBucket::Clock;
const Clock::time_point kT0 = Clock::time_point(std::chrono::hours(1));

TEST(WebhookTokenBucket, StartsFullWithTheBurst) {
  TokenBucket bucket(1, 3, kT0);
  std::chrono::seconds retry{};
  EXPECT_TRUE(bucket.TryTake(kT0, &retry));
  EXPECT_TRUE(bucket.TryTake(kT0, &retry));
  EXPECT_TRUE(bucket.TryTake(kT0, &retry));
  EXPECT_FALSE(bucket.TryTake(kT0, &retry));
  EXPECT_EQ(retry, std::chrono::seconds(1));
}

TEST(WebhookTokenBucket, RefillsAtTheRateUpToTheBurst) {
  TokenBucket bucket(2, 2, kT0);
  EXPECT_TRUE(bucket.TryTake(kT0, nullptr));
  EXPECT_TRUE(bucket.TryTake(kT0, nullptr));
  EXPECT_FALSE(bucket.TryTake(kT0, nullptr));
  EXPECT_TRUE(bucket.TryTake(kT0 + std::chrono::milliseconds(500), nullptr));  // one token in 0.5 s
  EXPECT_FALSE(bucket.TryTake(kT0 + std::chrono::milliseconds(500), nullptr));
  const auto later = kT0 + std::chrono::hours(1);  // long idle: full again, not more
  EXPECT_TRUE(bucket.TryTake(later, nullptr));
  EXPECT_TRUE(bucket.TryTake(later, nullptr));
  EXPECT_FALSE(bucket.TryTake(later, nullptr));
}

TEST(WebhookTokenBucket, RetryAfterIsTheWholeSecondsUntilTheNextToken) {
  TokenBucket bucket(0.1, 1, kT0);  // one token every 10 s
  std::chrono::seconds retry{};
  EXPECT_TRUE(bucket.TryTake(kT0, &retry));
  EXPECT_FALSE(bucket.TryTake(kT0 + std::chrono::milliseconds(2500), &retry));
  EXPECT_EQ(retry, std::chrono::seconds(8));  // 7.5 s, rounded up
}

TEST(WebhookTokenBucket, RetryAfterIsAtMostAnHour) {
  TokenBucket bucket(1e-9, 1, kT0);
  std::chrono::seconds retry{};
  EXPECT_TRUE(bucket.TryTake(kT0, &retry));
  EXPECT_FALSE(bucket.TryTake(kT0, &retry));
  EXPECT_EQ(retry, std::chrono::seconds(3600));
}

TEST(WebhookTokenBucket, BurstBelowOneIsOne) {
  TokenBucket bucket(1, 0, kT0);
  EXPECT_TRUE(bucket.TryTake(kT0, nullptr));
  EXPECT_FALSE(bucket.TryTake(kT0, nullptr));
}

}  // namespace
}  // namespace modelgate
