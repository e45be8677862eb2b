// HttpServer: a minimal HTTP/1.1 server for the operator's own endpoints (/metrics, /healthz,
// /readyz). Built on Boost.Beast, not cpprestsdk's http_listener (unfit for serving, DESIGN §5).
// One acceptor thread; requests are handled one at a time, which is plenty for probes and scrapes.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

namespace modelgate {

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class HttpServer {
 public:
  using Handler = std::function<HttpReply()>;

  // `address` is "host:port" (e.g. "127.0.0.1:8080", ":8080" for all interfaces, or "0" / ""
  // to disable). Handlers are matched on the exact path (query ignored); others get 404.
  HttpServer(std::string address, std::map<std::string, Handler> handlers);
  ~HttpServer();  // Stop()s

  // Binds and starts serving on a background thread. Returns false with `error` set when the
  // address cannot be parsed or bound (e.g. "bind 127.0.0.1:8080: Address already in use").
  bool Start(std::string* error);
  // Stops accepting and joins the thread. Idempotent.
  void Stop();
  // The port actually bound (useful with port 0 in tests); 0 before Start.
  int port() const { return port_; }

 private:
  void Serve();

  std::string address_;
  std::map<std::string, Handler> handlers_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> port_{0};
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
};

}  // namespace modelgate
