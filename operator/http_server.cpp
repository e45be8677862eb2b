#include "operator/http_server.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

namespace modelgate {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct HttpServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
};

HttpServer::HttpServer(std::string address, std::map<std::string, Handler> handlers)
    : address_(std::move(address)), handlers_(std::move(handlers)), impl_(std::make_unique<Impl>()) {}

HttpServer::~HttpServer() { Stop(); }

bool HttpServer::Start(std::string* error) {
  const auto colon = address_.rfind(':');
  if (colon == std::string::npos) {
    *error = "address '" + address_ + "': expected host:port";
    return false;
  }
  std::string host = address_.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  int port = 0;
  try {
    port = std::stoi(address_.substr(colon + 1));
  } catch (const std::exception&) {
    *error = "address '" + address_ + "': port is not a number";
    return false;
  }
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(host, ec);
  if (ec) {
    *error = "address '" + address_ + "': '" + host + "' is not an IP address";
    return false;
  }
  tcp::endpoint endpoint(ip, static_cast<unsigned short>(port));
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "bind " + address_ + ": " + ec.message();
    return false;
  }
  port_ = impl_->acceptor.local_endpoint().port();
  thread_ = std::thread([this] { Serve(); });
  return true;
}

void HttpServer::Stop() {
  if (stopping_.exchange(true)) return;
  if (thread_.joinable()) thread_.join();
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
}

void HttpServer::Serve() {
  while (!stopping_) {
    // A blocking accept() is not woken by close() from another thread, so wait with poll() in
    // short slices and re-check the stop flag.
    pollfd pfd{impl_->acceptor.native_handle(), POLLIN, 0};
    if (::poll(&pfd, 1, 200) <= 0) continue;
    tcp::socket socket(impl_->io);
    boost::system::error_code ec;
    impl_->acceptor.accept(socket, ec);
    if (ec) {
      if (stopping_) return;
      continue;
    }
    // A scrape or a probe is one short request; keep-alive is not needed.
    // A client that connects and sends nothing must not stall the probes behind it.
    timeval read_timeout{5, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &read_timeout, sizeof read_timeout);
    boost::beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::read(socket, buffer, request, ec);
    if (ec) continue;
    std::string path(request.target());
    if (const auto q = path.find('?'); q != std::string::npos) path.resize(q);
    HttpReply reply;
    if (const auto it = handlers_.find(path); it != handlers_.end()) {
      try {
        reply = it->second();
      } catch (const std::exception& e) {
        spdlog::error("handler {} failed: {}", path, e.what());
        reply = {500, "text/plain; charset=utf-8", "internal error\n"};
      }
    } else {
      reply = {404, "text/plain; charset=utf-8", "not found\n"};
    }
    http::response<http::string_body> response{static_cast<http::status>(reply.status), request.version()};
    response.set(http::field::content_type, reply.content_type);
    response.keep_alive(false);
    response.body() = std::move(reply.body);
    response.prepare_payload();
    http::write(socket, response, ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
  }
}

}  // namespace modelgate
