#include "operator/webhook_server.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace modelgate {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

// After an error answer the server stops sending and reads (and drops) what the client is still
// sending for a little while before closing, so the client reads the answer rather than a reset.
constexpr std::size_t kMaxDrainBytes = 1 << 20;
constexpr std::chrono::milliseconds kMaxDrainTime = std::chrono::seconds(2);

std::string ErrorBody(int status, const std::string& message) {
  nlohmann::json body = nlohmann::json::object();
  body["error"] = message;
  body["status"] = status;
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string_view View(beast::string_view text) { return {text.data(), text.size()}; }

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// What identifies a version of a file cheaply: its modification time and size.
struct FileStamp {
  std::filesystem::file_time_type modified;
  std::uintmax_t size = 0;
  bool operator==(const FileStamp&) const = default;
};

std::optional<FileStamp> StampOf(const std::string& path) {
  std::error_code ec;
  FileStamp stamp;
  stamp.modified = std::filesystem::last_write_time(path, ec);  // follows symlinks (Secret mounts)
  if (ec) return std::nullopt;
  stamp.size = std::filesystem::file_size(path, ec);
  if (ec) return std::nullopt;
  return stamp;
}

std::shared_ptr<ssl::context> LoadTlsContext(const std::string& cert_file, const std::string& key_file,
                                             std::string* error) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  context->use_certificate_chain_file(cert_file, ec);
  if (ec) {
    *error = "certificate " + cert_file + ": " + ec.message();
    return nullptr;
  }
  context->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) {
    *error = "key " + key_file + ": " + ec.message();
    return nullptr;
  }
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    *error = "key " + key_file + " does not match certificate " + cert_file;
    return nullptr;
  }
  return context;
}

// The server's state shared with its sessions. Fields marked "I/O thread" are touched only there.
struct ServerCore {
  ServerCore(WebhookServerOptions o, WebhookServer::Handler h) : options(std::move(o)), handler(std::move(h)) {}

  WebhookServerOptions options;
  WebhookServer::Handler handler;
  bool started = false;
  std::atomic<bool> stopping{false};
  std::atomic<int> port{0};
  std::atomic<int> open_connections{0};
  bool accept_paused = false;                // I/O thread
  std::optional<TokenBucket> bucket;         // I/O thread
  std::shared_ptr<ssl::context> tls;         // I/O thread (after Start); null for plain HTTP
  std::optional<FileStamp> cert_stamp;       // I/O thread: the pair last loaded or tried
  std::optional<FileStamp> key_stamp;
  // The runtime. Stop() destroys it in this order: pool, acceptor, work guard, io, so sessions
  // still referenced by queued work are destroyed while the io_context exists.
  std::unique_ptr<asio::io_context> io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<asio::thread_pool> pool;
  std::thread io_thread;

  void Accept();
  void ResumeAccept();
  void OnAccepted(tcp::socket socket);
  void ReloadTlsIfChanged();
  WebhookResponse Invoke(const WebhookRequest& request);
  void Count(int status) {
    if (!options.on_response) return;
    try {
      options.on_response(status);
    } catch (const std::exception& e) {
      spdlog::error("webhook server: on_response callback failed: {}", e.what());
    } catch (...) {
      spdlog::error("webhook server: on_response callback failed");
    }
  }
  // A session ended (any thread): let the acceptor resume if it paused at max_connections.
  void SessionEnded() {
    open_connections.fetch_sub(1);
    if (!stopping) asio::post(*io, [this] { ResumeAccept(); });
  }
};

// One connection: read a request under a deadline, answer it (on its own or through the handler
// pool), and either read the next request (keep-alive) or close. Plain or TLS by `Stream`.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Session(ServerCore* server, tcp::socket socket, std::string remote) requires(!kTls)
      : server_(server), executor_(socket.get_executor()), stream_(std::move(socket)), remote_(std::move(remote)) {
    server_->open_connections.fetch_add(1);
  }
  Session(ServerCore* server, std::shared_ptr<ssl::context> context, tcp::socket socket, std::string remote)
    requires(kTls)
      : server_(server), tls_context_(std::move(context)), executor_(socket.get_executor()),
        stream_(std::move(socket), *tls_context_), remote_(std::move(remote)) {
    server_->open_connections.fetch_add(1);
  }
  ~Session() { server_->SessionEnded(); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void Run() {
    if constexpr (kTls) {
      Lowest().expires_after(server_->options.read_timeout);
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (ec) return self->Close();
        self->ReadHeader();
      });
    } else {
      ReadHeader();
    }
  }

 private:
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void ReadHeader() {
    parser_.emplace();
    parser_->body_limit(server_->options.max_body_bytes);
    // One deadline for the whole request, headers and body.
    Lowest().expires_after(server_->options.read_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              self->OnHeader(ec);
                            });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    const auto& request = parser_->get();
    if (server_->bucket) {
      std::chrono::seconds retry_after{};
      if (!server_->bucket->TryTake(TokenBucket::Clock::now(), &retry_after)) {
        return Fail(429,
                    "too many webhook requests: the limit is " + FormatRate(server_->options.rate_per_second) +
                        " a second with bursts of " + FormatRate(server_->options.rate_burst) + "; retry after " +
                        std::to_string(retry_after.count()) + "s",
                    {{"Retry-After", std::to_string(retry_after.count())}});
      }
    }
    if (Lower(View(request[http::field::expect])) == "100-continue" && !parser_->is_done()) {
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(kContinue),
                        [self = this->shared_from_this()](beast::error_code write_error, std::size_t) {
                          if (write_error) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return OnBody({});
    http::async_read(stream_, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->OnBody(ec);
    });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return Fail(413, "request body larger than " + std::to_string(server_->options.max_body_bytes) + " bytes");
    }
    if (ec == http::error::header_limit) return Fail(431, "request headers too large");
    // Other HTTP syntax errors are the client's; end of stream, a reset, a timeout: nobody to answer.
    if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return Fail(400, "malformed HTTP request: " + ec.message());
    }
    Close();
  }

  void OnBody(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    auto& message = parser_->get();
    WebhookRequest request;
    request.method = std::string(View(message.method_string()));
    const std::string_view target = View(message.target());
    const auto question = target.find('?');
    request.path = std::string(target.substr(0, question));
    if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
    for (const auto& field : message) {
      std::string name = Lower(View(field.name_string()));
      auto [it, inserted] = request.headers.emplace(std::move(name), std::string(View(field.value())));
      if (!inserted) it->second += ", " + std::string(View(field.value()));
    }
    request.body = std::move(message.body());
    request.remote = remote_;
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    asio::post(*server_->pool, [self = this->shared_from_this(), request = std::move(request)] {
      WebhookResponse response = self->server_->Invoke(request);
      asio::post(self->executor_, [self, response = std::move(response)]() mutable {
        self->Write(std::move(response), self->keep_alive_, /*drain=*/false);
      });
    });
  }

  void Fail(int status, const std::string& message, std::map<std::string, std::string> headers = {}) {
    if (parser_ && parser_->is_header_done()) version_ = parser_->get().version();
    Write({.status = status, .body = ErrorBody(status, message), .headers = std::move(headers)},
          /*keep_alive=*/false, /*drain=*/true);
  }

  void Write(WebhookResponse answer, bool keep_alive, bool drain) {
    if (answer.status < 200 || answer.status > 599) {
      spdlog::error("webhook server: handler answered status {} to {}; answering 500", answer.status, remote_);
      answer = WebhookResponse{.status = 500, .body = ErrorBody(500, "internal error")};
    }
    response_ = {};
    response_.version(version_);
    response_.result(static_cast<unsigned>(answer.status));
    response_.set(http::field::content_type, answer.content_type.empty() ? "application/json" : answer.content_type);
    for (const auto& [name, value] : answer.headers) {
      const std::string lower = Lower(name);
      if (lower == "content-length" || lower == "connection" || lower == "transfer-encoding") continue;
      if (name.find_first_of("\r\n:") != std::string::npos || value.find_first_of("\r\n") != std::string::npos) continue;
      response_.set(name, value);
    }
    response_.keep_alive(keep_alive);
    response_.body() = std::move(answer.body);
    response_.prepare_payload();
    server_->Count(answer.status);
    Lowest().expires_after(server_->options.read_timeout);
    http::async_write(stream_, response_,
                      [self = this->shared_from_this(), keep_alive, drain](beast::error_code ec, std::size_t) {
                        if (ec) return self->Close();
                        if (keep_alive) return self->ReadHeader();
                        self->Shutdown(drain);
                      });
  }

  void Shutdown(bool drain) {
    Lowest().expires_after(std::min<std::chrono::milliseconds>(server_->options.read_timeout, kMaxDrainTime));
    if constexpr (kTls) {
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->Close(); });
    } else {
      beast::error_code ignored;
      Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      if (!drain) return Close();
      Drain();
    }
  }

  void Drain() {
    Lowest().async_read_some(asio::buffer(drain_buffer_),
                             [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                               self->drained_ += n;
                               if (ec || self->drained_ > kMaxDrainBytes) return self->Close();
                               self->Drain();
                             });
  }

  void Close() {
    beast::error_code ignored;
    Lowest().socket().close(ignored);
  }

  static std::string FormatRate(double value) {
    if (value == std::floor(value) && value < 1e9) return std::to_string(static_cast<long long>(value));
    return fmt::format("{:g}", value);
  }

  ServerCore* server_;
  std::shared_ptr<ssl::context> tls_context_;  // outlives stream_ (declared before it)
  asio::any_io_executor executor_;
  Stream stream_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  std::array<char, 16 * 1024> drain_buffer_{};
  std::size_t drained_ = 0;
};

void ServerCore::Accept() {
  acceptor->async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (stopping) return;
    if (ec) {
      if (ec == asio::error::operation_aborted) return;
      // E.g. out of file descriptors: try again shortly instead of spinning.
      spdlog::warn("webhook server: accept failed: {}", ec.message());
      auto timer = std::make_shared<asio::steady_timer>(*io, std::chrono::milliseconds(100));
      timer->async_wait([this, timer](beast::error_code) {
        if (!stopping) Accept();
      });
      return;
    }
    OnAccepted(std::move(socket));
    if (open_connections.load() < options.max_connections) {
      Accept();
    } else {
      accept_paused = true;
    }
  });
}

void ServerCore::ResumeAccept() {
  if (!accept_paused || stopping || open_connections.load() >= options.max_connections) return;
  accept_paused = false;
  Accept();
}

void ServerCore::OnAccepted(tcp::socket socket) {
  beast::error_code ec;
  const tcp::endpoint peer = socket.remote_endpoint(ec);
  std::string remote = "unknown";
  if (!ec) {
    const std::string ip = peer.address().to_string();
    remote = (peer.address().is_v6() ? "[" + ip + "]" : ip) + ":" + std::to_string(peer.port());
  }
  if (tls) {
    ReloadTlsIfChanged();
    std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(this, tls, std::move(socket), std::move(remote))
        ->Run();
  } else {
    std::make_shared<Session<beast::tcp_stream>>(this, std::move(socket), std::move(remote))->Run();
  }
}

void ServerCore::ReloadTlsIfChanged() {
  const auto cert = StampOf(options.tls_cert_file);
  const auto key = StampOf(options.tls_key_file);
  // A file missing for a moment (a Secret volume being updated): keep serving the loaded pair.
  if (!cert || !key) return;
  if (cert == cert_stamp && key == key_stamp) return;
  cert_stamp = cert;
  key_stamp = key;
  std::string error;
  if (auto context = LoadTlsContext(options.tls_cert_file, options.tls_key_file, &error)) {
    tls = std::move(context);
    spdlog::info("webhook server: loaded the changed TLS certificate {}", options.tls_cert_file);
  } else {
    spdlog::warn("webhook server: the TLS files changed but do not load ({}); serving the previous pair", error);
  }
}

WebhookResponse ServerCore::Invoke(const WebhookRequest& request) {
  try {
    return handler(request);
  } catch (const std::exception& e) {
    spdlog::error("webhook server: handler failed on {} {} from {}: {}", request.method, request.path,
                  request.remote, e.what());
  } catch (...) {
    spdlog::error("webhook server: handler failed on {} {} from {} with a non-standard exception",
                  request.method, request.path, request.remote);
  }
  return {.status = 500, .body = ErrorBody(500, "internal error")};
}

}  // namespace

struct WebhookServer::Impl : ServerCore {
  using ServerCore::ServerCore;
};

TokenBucket::TokenBucket(double rate_per_second, double burst, Clock::time_point now)
    : rate_per_second_(rate_per_second), burst_(std::max(1.0, burst)), tokens_(burst_), last_(now) {}

bool TokenBucket::TryTake(Clock::time_point now, std::chrono::seconds* retry_after) {
  if (now > last_) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_per_second_);
    last_ = now;
  }
  if (tokens_ >= 1) {
    tokens_ -= 1;
    return true;
  }
  if (retry_after != nullptr) {
    constexpr double kMaxWait = 3600;
    const double wait = rate_per_second_ > 0 ? std::ceil((1 - tokens_) / rate_per_second_) : kMaxWait;
    *retry_after = std::chrono::seconds(static_cast<long long>(std::clamp(wait, 1.0, kMaxWait)));
  }
  return false;
}

WebhookServer::WebhookServer(WebhookServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

WebhookServer::~WebhookServer() { Stop(); }

int WebhookServer::port() const { return impl_->port; }

bool WebhookServer::Start(std::string* error) {
  Impl& s = *impl_;
  const WebhookServerOptions& options = s.options;
  if (s.started) {
    *error = "webhook server: already started";
    return false;
  }
  s.started = true;
  if (options.address.empty() || options.address == "0") return true;

  const std::string& address = options.address;
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) {
    *error = "webhook address '" + address + "': expected host:port";
    return false;
  }
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  const std::string port_text = address.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      !std::all_of(port_text.begin(), port_text.end(), [](unsigned char c) { return std::isdigit(c); }) ||
      std::stoi(port_text) > 65535) {
    *error = "webhook address '" + address + "': port is not a number from 0 to 65535";
    return false;
  }
  beast::error_code ec;
  const auto ip = asio::ip::make_address(host, ec);
  if (ec) {
    *error = "webhook address '" + address + "': '" + host + "' is not an IP address";
    return false;
  }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    *error = std::string("webhook tls: both a certificate and a key file are needed, got only the ") +
             (options.tls_cert_file.empty() ? "key" : "certificate");
    return false;
  }
  if (options.max_body_bytes == 0 || options.read_timeout <= std::chrono::milliseconds::zero() ||
      options.handler_threads < 1 || options.max_connections < 1) {
    *error = "webhook server: max body bytes, read timeout, handler threads and max connections must be positive";
    return false;
  }
  if (!options.tls_cert_file.empty()) {
    s.cert_stamp = StampOf(options.tls_cert_file);
    s.key_stamp = StampOf(options.tls_key_file);
    std::string tls_error;
    s.tls = LoadTlsContext(options.tls_cert_file, options.tls_key_file, &tls_error);
    if (!s.tls) {
      *error = "webhook tls: " + tls_error;
      return false;
    }
  }

  s.io = std::make_unique<asio::io_context>(1);
  s.acceptor = std::make_unique<tcp::acceptor>(*s.io);
  const tcp::endpoint endpoint(ip, static_cast<unsigned short>(std::stoi(port_text)));
  s.acceptor->open(endpoint.protocol(), ec);
  if (!ec) s.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor->bind(endpoint, ec);
  if (!ec) s.acceptor->listen(std::min(options.max_connections, 128), ec);
  if (ec) {
    *error = "webhook server: bind " + address + ": " + ec.message();
    s.acceptor.reset();
    s.io.reset();
    return false;
  }
  s.port = s.acceptor->local_endpoint().port();
  if (options.rate_per_second > 0) s.bucket.emplace(options.rate_per_second, options.rate_burst, TokenBucket::Clock::now());
  s.pool = std::make_unique<asio::thread_pool>(static_cast<std::size_t>(options.handler_threads));
  s.work.emplace(s.io->get_executor());
  s.Accept();
  s.io_thread = std::thread([&s] {
    while (true) {
      try {
        s.io->run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("webhook server: I/O thread caught: {}", e.what());
      } catch (...) {
        spdlog::error("webhook server: I/O thread caught a non-standard exception");
      }
    }
  });
  spdlog::info("webhook server listening on {}:{} ({})", host, s.port.load(), s.tls ? "https" : "http");
  return true;
}

void WebhookServer::Stop() {
  Impl& s = *impl_;
  if (s.stopping.exchange(true)) return;
  if (!s.io) return;
  s.io->stop();
  if (s.io_thread.joinable()) s.io_thread.join();
  s.pool->stop();
  s.pool->join();
  s.pool.reset();
  s.acceptor.reset();
  s.work.reset();
  s.io.reset();
}

}  // namespace modelgate
