// A tiny HTTPS server for transport tests (Boost.Beast over asio ssl, one thread per connection)
// plus a throwaway PKI generated with the openssl CLI. Test-only code.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <set>
#include <sys/socket.h>
#include <string>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "tests/operator/kube/test_files.h"

namespace modelgate::kube::testing {

// Generates, in dir: ca.{crt,key} and other-ca.{crt,key} (two unrelated CAs), server.{crt,key}
// (signed by ca, SAN IP:127.0.0.1 + DNS:localhost), wrong-name.{crt,key} (signed by ca, SAN
// DNS:wrong.example only) and client.{crt,key} (signed by ca, CN=alice).
// Returns false when the openssl CLI failed.
inline bool GeneratePki(const std::string& dir) {
  const std::string d = "'" + dir + "'";
  const std::string script =
      "set -e; cd " + d + "; exec 2>openssl.log >/dev/null;"
      "for ca in ca other-ca; do openssl req -x509 -newkey rsa:2048 -nodes -keyout $ca.key -out $ca.crt"
      " -days 2 -subj /CN=$ca-test; done;"
      "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost;"
      "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > server.ext;"
      "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt"
      " -days 2 -extfile server.ext;"
      "openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=alice;"
      "printf 'extendedKeyUsage=clientAuth\\n' > client.ext;"
      "openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt"
      " -days 2 -extfile client.ext;"
      "openssl req -newkey rsa:2048 -nodes -keyout wrong-name.key -out wrong-name.csr -subj /CN=wrong;"
      "printf 'subjectAltName=DNS:wrong.example\\n' > wrong-name.ext;"
      "openssl x509 -req -in wrong-name.csr -CA ca.crt -CAkey ca.key -CAcreateserial"
      " -out wrong-name.crt -days 2 -extfile wrong-name.ext;";
  std::ofstream(dir + "/gen.sh") << script;
  return std::system(("bash " + d + "/gen.sh").c_str()) == 0;
}

struct TestRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
  std::string client_cn;  // CN of the verified client certificate, "" without one
};

// What a handler can do with the connection.
class TestConnection {
 public:
  using Stream = boost::beast::ssl_stream<boost::asio::ip::tcp::socket>;
  explicit TestConnection(Stream& stream) : stream_(stream) {}

  void Respond(int status, const std::string& body,
               const std::map<std::string, std::string>& headers = {}) {
    namespace http = boost::beast::http;
    http::response<http::string_body> res{static_cast<http::status>(status), 11};
    res.set(http::field::content_type, "application/json");
    for (const auto& [k, v] : headers) res.set(k, v);
    res.body() = body;
    res.prepare_payload();
    boost::system::error_code ec;
    http::write(stream_, res, ec);
  }
  // Starts a chunked 200 answer; then call Chunk() any number of times and End().
  void BeginChunked() {
    namespace http = boost::beast::http;
    http::response<http::empty_body> res{http::status::ok, 11};
    res.set(http::field::content_type, "application/json");
    res.chunked(true);
    http::response_serializer<http::empty_body> sr{res};
    boost::system::error_code ec;
    http::write_header(stream_, sr, ec);
  }
  bool Chunk(const std::string& data) {
    boost::system::error_code ec;
    boost::asio::write(stream_, boost::beast::http::make_chunk(boost::asio::buffer(data)), ec);
    return !ec;
  }
  void End() {
    boost::system::error_code ec;
    boost::asio::write(stream_, boost::beast::http::make_chunk_last(), ec);
  }
  // Blocks until the peer closes the connection (or `limit` passes); true when it closed.
  bool WaitForPeerClose(std::chrono::seconds limit) {
    auto& socket = boost::beast::get_lowest_layer(stream_);
    timeval tv{static_cast<time_t>(limit.count()), 0};
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char byte;
    boost::system::error_code ec;
    stream_.read_some(boost::asio::buffer(&byte, 1), ec);
    return ec && ec != boost::asio::error::would_block && ec != boost::asio::error::try_again;
  }

 private:
  Stream& stream_;
};

// The server: listens on 127.0.0.1:<ephemeral>, serves TLS with dir/server.{crt,key}, verifies
// client certificates against dir/ca.crt when presented, and calls `handler` per request.
class TlsTestServer {
 public:
  using Handler = std::function<void(const TestRequest&, TestConnection&)>;

  // `server_cert` names the certificate/key pair in pki_dir to serve ("server" or "wrong-name").
  TlsTestServer(const std::string& pki_dir, Handler handler, const std::string& server_cert = "server")
      : ssl_(boost::asio::ssl::context::tls_server), handler_(std::move(handler)),
        acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    ssl_.use_certificate_chain_file(pki_dir + "/" + server_cert + ".crt");
    ssl_.use_private_key_file(pki_dir + "/" + server_cert + ".key", boost::asio::ssl::context::pem);
    ssl_.load_verify_file(pki_dir + "/ca.crt");
    ssl_.set_verify_mode(boost::asio::ssl::verify_peer);
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }

  ~TlsTestServer() {
    stopping_ = true;
    boost::system::error_code ec;
    acceptor_.cancel(ec);
    acceptor_.close(ec);
    // Unblock the accept() with a throwaway connection.
    {
      boost::asio::ip::tcp::socket poke(io_);
      poke.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
    }
    accept_thread_.join();
    std::list<std::thread> threads;
    {
      std::lock_guard<std::mutex> lock(mu_);
      // Wake connection threads parked in read() on keep-alive connections the client pooled.
      for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
      threads.swap(connection_threads_);
    }
    for (auto& t : threads) t.join();
  }

  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  int requests() const { return requests_.load(); }

 private:
  void AcceptLoop() {
    while (!stopping_) {
      boost::asio::ip::tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      std::lock_guard<std::mutex> lock(mu_);
      connection_threads_.emplace_back([this, s = std::move(socket)]() mutable { Serve(std::move(s)); });
    }
  }

  void Serve(boost::asio::ip::tcp::socket socket) {
    const int fd = socket.native_handle();
    {
      std::lock_guard<std::mutex> lock(mu_);
      open_fds_.insert(fd);
    }
    TestConnection::Stream stream(std::move(socket), ssl_);
    ServeStream(stream);
    std::lock_guard<std::mutex> lock(mu_);
    open_fds_.erase(fd);  // before `stream` closes the fd, so a reused number is not erased
  }

  void ServeStream(TestConnection::Stream& stream) {
    namespace http = boost::beast::http;
    boost::system::error_code ec;
    stream.handshake(boost::asio::ssl::stream_base::server, ec);
    if (ec) return;
    std::string cn;
    if (X509* peer = SSL_get1_peer_certificate(stream.native_handle())) {
      char buf[256] = {};
      X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, buf, sizeof buf);
      cn = buf;
      X509_free(peer);
    }
    boost::beast::flat_buffer buffer;
    while (!stopping_) {
      http::request<http::string_body> req;
      http::read(stream, buffer, req, ec);
      if (ec) return;
      ++requests_;
      TestRequest r{std::string(req.method_string()), std::string(req.target()), {}, req.body(), cn};
      for (const auto& field : req) {
        std::string name(field.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = std::string(field.value());
      }
      TestConnection connection(stream);
      handler_(r, connection);
      if (!req.keep_alive()) return;
    }
  }

  boost::asio::io_context io_;
  boost::asio::ssl::context ssl_;
  Handler handler_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::mutex mu_;
  std::list<std::thread> connection_threads_;
  std::set<int> open_fds_;
  std::thread accept_thread_;
};

// A one-shot latch for coordinating the test and the server thread.
class Latch {
 public:
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  // Waits until Open() or the safety limit; true when opened.
  bool Wait(std::chrono::seconds limit = std::chrono::seconds(30)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, limit, [this] { return open_; });
  }
  bool is_open() {
    std::lock_guard<std::mutex> lock(mu_);
    return open_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

}  // namespace modelgate::kube::testing
