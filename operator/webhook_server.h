// WebhookServer: the operator's listener for inbound webhooks (Alertmanager, DESIGN section 8),
// on its own address, apart from the /metrics and /healthz HttpServer. Boost.Beast over
// Boost.Asio, optionally TLS (OpenSSL). It knows nothing about Alertmanager: every request that
// gets through its limits goes to one handler (controllers/pipeline/alertmanager_webhook.h holds
// the parsing and authentication the handler uses).
//
// Shape: one I/O thread runs every socket asynchronously (accept, TLS handshake, reads and
// writes with deadlines), so an idle or slow client holds a connection slot, never a thread;
// a small pool of handler threads runs the handler, so one slow handler call does not stall the
// others. The server answers on its own, with a JSON error body {"error":"...","status":N} and
// `Connection: close`:
//   400 a malformed HTTP request          413 Content-Length or body beyond max_body_bytes
//   429 over the global rate limit (with Retry-After, in seconds)
//   431 request headers beyond 8 KiB      500 the handler threw
// A client that has not sent a whole request within read_timeout (counted from its first byte,
// or from the end of the previous answer on a kept-alive connection) is disconnected without an
// answer. At most max_connections connections are open; beyond that the server stops accepting
// until one closes, so further clients wait in the kernel's listen backlog (also bounded).
//
// TLS: the certificate chain and key (PEM files) are re-read when either file changes (checked on
// each new connection: modification time and size), so a renewed Kubernetes Secret mount is
// picked up without a restart; a pair that does not load (say, half of it renewed) is logged and
// the previous pair keeps serving. TLS 1.2 is the minimum version.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace modelgate {

struct WebhookRequest {
  std::string method;  // "POST", as sent
  std::string path;    // the target before '?', e.g. "/webhooks/alertmanager/ns/name"
  std::string query;   // after '?', "" without one; not decoded
  // Header names lower-cased; repeated headers are joined with ", ".
  std::map<std::string, std::string> headers;
  std::string body;
  std::string remote;  // the peer's "ip:port"
};

struct WebhookResponse {
  int status = 200;  // outside 200..599 is answered as 500
  std::string content_type = "application/json";  // "" also means application/json
  std::string body;
  // Extra response headers (e.g. Retry-After). Content-Length and Connection are the server's.
  std::map<std::string, std::string> headers;
};

struct WebhookServerOptions {
  // "host:port": ":9443" for every interface, "127.0.0.1:0" for an ephemeral loopback port in
  // tests; "0" or "" disables the server (Start succeeds and serves nothing).
  std::string address;
  // Both set: HTTPS with this PEM certificate chain and PEM private key. Both empty: plain HTTP.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::size_t max_body_bytes = 1 << 20;
  std::chrono::milliseconds read_timeout = std::chrono::seconds(10);
  // The global token bucket: `rate_per_second` tokens a second up to `rate_burst`; one token per
  // request. rate_per_second <= 0 disables the limit.
  double rate_per_second = 20;
  double rate_burst = 40;
  int handler_threads = 4;
  int max_connections = 64;
  // Called with the status of every answer the server writes (its own and the handler's), on the
  // server's I/O thread: keep it cheap and thread-safe (e.g. a Prometheus counter increment).
  std::function<void(int status)> on_response;
};

class WebhookServer {
 public:
  // Called on one of the handler threads, possibly concurrently (handler_threads > 1): the
  // handler must be thread-safe. An exception is answered with 500 and logged.
  using Handler = std::function<WebhookResponse(const WebhookRequest&)>;

  WebhookServer(WebhookServerOptions options, Handler handler);
  ~WebhookServer();  // Stop()s
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;

  // Loads the TLS pair (when configured), binds and starts the threads. Returns false with
  // `error` set when the options are inconsistent, the address cannot be parsed or bound, or the
  // TLS pair does not load (e.g. "webhook tls: certificate /tls/tls.crt: No such file or
  // directory"). Call at most once.
  bool Start(std::string* error);
  // Stops accepting, closes every connection and joins the threads; waits for handler calls in
  // progress to return (queued ones are dropped unanswered). Idempotent. Must not be called from
  // the handler.
  void Stop();
  // The port actually bound (useful with port 0 in tests); 0 before Start or when disabled.
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A token bucket with an explicit clock, used by WebhookServer for its global rate limit. Not
// thread-safe (the server calls it from its I/O thread only).
class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;
  // Starts full. `burst` below 1 is taken as 1; `rate_per_second` must be > 0.
  TokenBucket(double rate_per_second, double burst, Clock::time_point now);
  // Takes a token and returns true; or returns false and sets *retry_after (when not null) to
  // the whole seconds until one is available (at least 1, at most 3600).
  bool TryTake(Clock::time_point now, std::chrono::seconds* retry_after);

 private:
  double rate_per_second_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace modelgate
