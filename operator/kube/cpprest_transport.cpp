#include "operator/kube/cpprest_transport.h"

#include <algorithm>
#include <cctype>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <system_error>

#include <boost/asio/ssl.hpp>
#include <cpprest/http_client.h>

#include "operator/kube/credentials.h"
#include "operator/kube/tls_context.h"

namespace modelgate::kube {
namespace {

using Steady = std::chrono::steady_clock;
namespace http = web::http;
namespace client = web::http::client;

constexpr std::chrono::milliseconds kPollInterval{100};
// How long to wait for cpprest to finish a cancelled operation before giving up on it.
constexpr std::chrono::seconds kCancelGrace{10};

// Turns the exception in flight into a Status. Never throws.
Status ExceptionToStatus(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const http::http_exception& e) {
    if (e.error_code() == std::errc::timed_out) {
      return Status(StatusCode::kTimeout, std::string("request timed out: ") + e.what());
    }
    return Status(StatusCode::kUnavailable, e.what());
  } catch (const web::uri_exception& e) {
    return Status(StatusCode::kInternal, std::string("malformed request path: ") + e.what());
  } catch (const pplx::task_canceled&) {
    return Status(StatusCode::kUnavailable, "request cancelled");
  } catch (const std::exception& e) {
    return Status(StatusCode::kUnavailable, e.what());
  } catch (...) {
    return Status(StatusCode::kInternal, "unknown exception from cpprestsdk");
  }
}

// The result of a pplx task, delivered to a std::future so the calling (non-pool) thread can wait
// with a timeout and poll a cancel flag.
template <typename T>
struct Outcome {
  std::optional<T> value;
  Status error;
};

template <typename T>
std::future<Outcome<T>> ToFuture(pplx::task<T> task) {
  auto promise = std::make_shared<std::promise<Outcome<T>>>();
  std::future<Outcome<T>> future = promise->get_future();
  task.then([promise](pplx::task<T> done) {
    Outcome<T> outcome;
    try {
      outcome.value = done.get();
    } catch (...) {
      outcome.error = ExceptionToStatus(std::current_exception());
    }
    promise->set_value(std::move(outcome));
  });
  return future;
}

enum class WaitEnd { kReady, kCancelled, kDeadline };

// Waits for `future`, polling *cancel every kPollInterval, until `deadline`.
template <typename T>
WaitEnd Await(std::future<T>& future, const std::atomic<bool>* cancel, Steady::time_point deadline) {
  while (true) {
    if (cancel && cancel->load()) return WaitEnd::kCancelled;
    const auto now = Steady::now();
    if (now >= deadline) return WaitEnd::kDeadline;
    const auto step = std::min<Steady::duration>(kPollInterval, deadline - now);
    if (future.wait_for(step) == std::future_status::ready) return WaitEnd::kReady;
  }
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

struct CppRestTransport::Impl {
  explicit Impl(RestConfig c) : config(std::move(c)), credentials(config) {
    init = ValidateTlsMaterial(config.ca_pem, config.client_cert_pem, config.client_key_pem);
    if (init.ok()) {
      try {
        base_uri = web::uri(config.server);
        if (base_uri.scheme() != "https" && base_uri.scheme() != "http") {
          init = Status(StatusCode::kInvalid, "server " + config.server + ": expected https://");
        }
      } catch (const std::exception& e) {
        init = Status(StatusCode::kInvalid, "server " + config.server + ": " + e.what());
      }
    }
    if (!init.ok()) {
      init = Status(StatusCode::kInvalid, config.origin + ": " + init.message());
    }
  }

  // The http_client for this timeout and these credentials' certificate. Thread-safe.
  std::shared_ptr<client::http_client> ClientFor(std::chrono::milliseconds timeout,
                                                 const Credentials& creds) {
    std::lock_guard<std::mutex> lock(mu);
    if (creds.generation != clients_generation) {
      clients.clear();  // new client certificate: do not reuse pooled connections
      clients_generation = creds.generation;
    }
    auto& slot = clients[timeout.count()];
    if (!slot) {
      client::http_client_config cfg;
      // Slack so that our own deadline/silence check fires first and maps cleanly to kTimeout.
      cfg.set_timeout(timeout + std::chrono::seconds(5));
      cfg.set_validate_certificates(!config.insecure_skip_tls_verify);
      cfg.set_ssl_context_callback(
          [ca = config.ca_pem, cert = creds.client_cert_pem, key = creds.client_key_pem](
              boost::asio::ssl::context& ctx) {
            ConfigureSslContext(ctx.native_handle(), ca, cert, key);
          });
      slot = std::make_shared<client::http_client>(base_uri, cfg);
    }
    return slot;
  }

  // Builds the cpprest request. Throws only on a malformed path (caught by callers).
  static http::http_request BuildRequest(const HttpRequest& request, const Credentials& creds) {
    http::http_request out(request.method);
    out.set_request_uri(web::uri(request.path));
    std::string content_type = "application/json";
    for (const auto& [name, value] : request.headers) {
      if (Lower(name) == "content-type") {
        content_type = value;
        continue;
      }
      out.headers().add(name, value);
    }
    if (!creds.bearer_token.empty()) out.headers().add("Authorization", "Bearer " + creds.bearer_token);
    if (!request.body.empty()) out.set_body(std::string(request.body), content_type);
    return out;
  }

  bool CanReloadCredentials() const { return !config.token_file.empty() || config.exec.has_value(); }

  RestConfig config;
  CredentialProvider credentials;
  Status init;
  web::uri base_uri;
  std::mutex mu;
  std::map<std::chrono::milliseconds::rep, std::shared_ptr<client::http_client>> clients;
  std::uint64_t clients_generation = 0;
};

CppRestTransport::CppRestTransport(RestConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
CppRestTransport::~CppRestTransport() = default;

Status CppRestTransport::init_status() const { return impl_->init; }

namespace {

HttpResponse ToHttpResponse(const http::http_response& response) {
  HttpResponse out;
  out.status = response.status_code();
  for (const auto& [name, value] : response.headers()) out.headers[Lower(name)] = value;
  return out;
}

}  // namespace

Result<HttpResponse> CppRestTransport::Send(const HttpRequest& request) {
  if (!impl_->init.ok()) return impl_->init;
  for (int attempt = 0;; ++attempt) {
    Result<Credentials> creds = impl_->credentials.Get();
    if (!creds.ok()) return creds.status();
    pplx::cancellation_token_source cts;
    std::future<Outcome<HttpResponse>> future;
    try {
      auto http_client = impl_->ClientFor(request.timeout, *creds);
      pplx::task<HttpResponse> task =
          http_client->request(Impl::BuildRequest(request, *creds), cts.get_token())
              .then([](http::http_response response) {
                return response.extract_vector().then(
                    [response](std::vector<unsigned char> body) {
                      HttpResponse out = ToHttpResponse(response);
                      out.body.assign(body.begin(), body.end());
                      return out;
                    });
              });
      future = ToFuture(std::move(task));
    } catch (...) {
      return ExceptionToStatus(std::current_exception());
    }
    if (Await(future, nullptr, Steady::now() + request.timeout) != WaitEnd::kReady) {
      cts.cancel();
      return Status(StatusCode::kTimeout, request.method + " " + request.path + ": no answer within " +
                                              std::to_string(request.timeout.count()) + " ms");
    }
    Outcome<HttpResponse> outcome = future.get();
    if (!outcome.value) {
      Status error = outcome.error;
      return Status(error.code(), request.method + " " + request.path + ": " + error.message());
    }
    if (outcome.value->status == 401 && attempt == 0 && impl_->CanReloadCredentials()) {
      impl_->credentials.Invalidate();
      continue;
    }
    return std::move(*outcome.value);
  }
}

Status CppRestTransport::Stream(const HttpRequest& request,
                                const std::function<bool(std::string_view line)>& on_line,
                                const std::atomic<bool>* cancel) {
  if (!impl_->init.ok()) return impl_->init;
  const std::string what = request.method + " " + request.path;
  for (int attempt = 0;; ++attempt) {
    Result<Credentials> creds = impl_->credentials.Get();
    if (!creds.ok()) return creds.status();
    pplx::cancellation_token_source cts;
    // Cancels the connection and waits (bounded) for the pending operation to let go of it.
    auto abandon = [&cts](auto& pending) {
      cts.cancel();
      pending.wait_for(kCancelGrace);
    };

    std::future<Outcome<http::http_response>> headers;
    try {
      auto http_client = impl_->ClientFor(request.timeout, *creds);
      headers = ToFuture(http_client->request(Impl::BuildRequest(request, *creds), cts.get_token()));
    } catch (...) {
      return ExceptionToStatus(std::current_exception());
    }
    switch (Await(headers, cancel, Steady::now() + request.timeout)) {
      case WaitEnd::kCancelled: abandon(headers); return Status::Ok();
      case WaitEnd::kDeadline:
        abandon(headers);
        return Status(StatusCode::kTimeout, what + ": no response headers within " +
                                                std::to_string(request.timeout.count()) + " ms");
      case WaitEnd::kReady: break;
    }
    Outcome<http::http_response> answered = headers.get();
    if (!answered.value) return Status(answered.error.code(), what + ": " + answered.error.message());
    http::http_response response = std::move(*answered.value);

    if (response.status_code() < 200 || response.status_code() >= 300) {
      std::future<Outcome<std::vector<unsigned char>>> body;
      try {
        body = ToFuture(response.extract_vector());
      } catch (...) {
        return ExceptionToStatus(std::current_exception());
      }
      if (Await(body, cancel, Steady::now() + request.timeout) != WaitEnd::kReady) {
        abandon(body);
        return Status(StatusCode::kTimeout, what + ": error body not received");
      }
      Outcome<std::vector<unsigned char>> got = body.get();
      const std::string text = got.value ? std::string(got.value->begin(), got.value->end()) : "";
      if (response.status_code() == 401 && attempt == 0 && impl_->CanReloadCredentials()) {
        impl_->credentials.Invalidate();
        continue;
      }
      const auto retry_after = response.headers().find("Retry-After");
      return FromKubernetesResponse(response.status_code(), text,
                                    retry_after == response.headers().end() ? "" : retry_after->second);
    }

    // Body: wait for one byte (getc does not consume), then take everything already buffered.
    concurrency::streams::streambuf<uint8_t> buffer = response.body().streambuf();
    std::string pending;
    std::vector<uint8_t> chunk;
    while (true) {
      using Traits = concurrency::streams::streambuf<uint8_t>::traits;
      std::future<Outcome<Traits::int_type>> next;
      try {
        next = ToFuture(buffer.getc());
      } catch (...) {
        return ExceptionToStatus(std::current_exception());
      }
      switch (Await(next, cancel, Steady::now() + request.timeout)) {
        case WaitEnd::kCancelled: abandon(next); return Status::Ok();
        case WaitEnd::kDeadline:
          abandon(next);
          return Status(StatusCode::kTimeout, what + ": stream silent for " +
                                                  std::to_string(request.timeout.count()) + " ms");
        case WaitEnd::kReady: break;
      }
      Outcome<Traits::int_type> got = next.get();
      if (!got.value) {
        if (cancel && cancel->load()) return Status::Ok();
        return Status(got.error.code(), what + ": stream broken: " + got.error.message());
      }
      if (*got.value == Traits::eof()) {
        if (!pending.empty()) on_line(pending);  // last line without a newline
        return Status::Ok();
      }
      try {
        const size_t available = std::max<size_t>(buffer.in_avail(), 1);
        chunk.resize(available);
        // Completes at once: at least `available` bytes are buffered.
        const size_t n = buffer.getn(chunk.data(), available).get();
        pending.append(chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
      } catch (...) {
        return ExceptionToStatus(std::current_exception());
      }
      std::size_t start = 0;
      for (std::size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
        std::string_view line(pending.data() + start, nl - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!on_line(line)) {
          cts.cancel();
          return Status::Ok();
        }
      }
      pending.erase(0, start);
    }
  }
}

std::shared_ptr<Transport> MakeTransport(const RestConfig& config) {
  return std::make_shared<CppRestTransport>(config);
}

}  // namespace modelgate::kube
