// CppRestTransport: the production Transport, cpprestsdk 2.10.18 (asio backend) over TLS.
//
// TLS: when RestConfig::ca_pem is set, ONLY those CAs are trusted (the system store that cpprest
// loads first is replaced); the client certificate/key are loaded from memory; hostname (or IP
// SAN) verification stays on unless insecure_skip_tls_verify. Authentication: a bearer token from
// CredentialProvider on every request; after a 401 the token file / exec plugin is reloaded and
// the request is retried once.
//
// What cpprestsdk 2.10.18's asio client does (read in /usr/include/cpprest and verified by
// tests/operator/kube/cpprest_transport_test.cpp):
//   - http_client::request() completes when the status line and headers have arrived; the body
//     keeps arriving into a producer_consumer_buffer. A chunked body is appended one whole chunk
//     at a time (the client reads "size CRLF", then exactly that many bytes), so a watch event
//     becomes readable as soon as its chunk arrives. streambuf::getn(n) waits for n bytes (or
//     EOF), so Stream() waits for ONE byte with getc() and then takes everything in_avail() with
//     the synchronous sgetn(); read_line() works too but goes byte by byte.
//   - http_client_config::set_timeout is an inactivity timeout per read step (connect, headers,
//     each chunk), not a total deadline; when it fires the connection is closed and the pending
//     read fails with http_exception(std::errc::timed_out). Send() therefore also enforces the
//     total deadline itself, and Stream() its own silence timeout, both by cancelling.
//   - A pplx::cancellation_token passed to request() closes the connection when cancelled, also
//     after the headers arrived while the body is still streaming; a pending getc() then completes
//     with an exception (operation canceled), so no thread stays blocked.
//   - set_ssl_context_callback runs once per NEW TLS connection, after cpprest has already called
//     set_default_verify_paths(); pooled keep-alive connections keep their certificate, so this
//     transport makes a new http_client when the client certificate changes.
//   - One http_client per distinct timeout is cached (the timeout is a client setting); an
//     http_client is safe for concurrent requests. Continuations run on the pplx pool (40 threads);
//     this transport never blocks a pool thread: callers wait on std::future.
#pragma once

#include <memory>

#include "operator/kube/rest_config.h"
#include "operator/kube/transport.h"

namespace modelgate::kube {

class CppRestTransport final : public Transport {
 public:
  // Never fails: a config that cannot work (bad PEM, bad server URL) makes every call return
  // kInvalid with the reason; init_status() tells it up front.
  explicit CppRestTransport(RestConfig config);
  ~CppRestTransport() override;

  Status init_status() const;

  Result<HttpResponse> Send(const HttpRequest& request) override;
  Status Stream(const HttpRequest& request,
                const std::function<bool(std::string_view line)>& on_line,
                const std::atomic<bool>* cancel) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The production transport for `config` (a CppRestTransport). Never null; see init_status().
std::shared_ptr<Transport> MakeTransport(const RestConfig& config);

}  // namespace modelgate::kube
