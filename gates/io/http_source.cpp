#include "gates/io/http_source.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <future>
#include <optional>
#include <system_error>
#include <vector>

#include <cpprest/http_client.h>

namespace modelgate::gates {
namespace {

using Steady = std::chrono::steady_clock;
namespace http = web::http;
namespace client = web::http::client;

// How long a cancelled cpprest operation may take to wind down before we stop waiting for it.
constexpr std::chrono::seconds kCancelGrace{5};
// Bytes moved per Read from cpprest's body buffer.
constexpr size_t kChunkBytes = 1 << 16;
// How much of an error body is quoted in the message.
constexpr size_t kQuotedBodyBytes = 200;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// The outcome of a pplx task delivered to a std::future, so that the caller can wait with a
// deadline. `why` describes a failure (the exception's text); `timed_out` when cpprest says so.
template <typename T>
struct Outcome {
  std::optional<T> value;
  std::string why;
  bool timed_out = false;
};

// `keep_alive` is held until the task finishes: the client and any buffer the task writes into.
template <typename T>
std::future<Outcome<T>> ToFuture(pplx::task<T> task, std::shared_ptr<void> keep_alive) {
  auto promise = std::make_shared<std::promise<Outcome<T>>>();
  std::future<Outcome<T>> future = promise->get_future();
  task.then([promise, keep_alive](pplx::task<T> done) {
    Outcome<T> outcome;
    try {
      outcome.value = done.get();
    } catch (const http::http_exception& e) {
      outcome.why = e.what();
      outcome.timed_out = e.error_code() == std::errc::timed_out;
    } catch (const pplx::task_canceled&) {
      outcome.why = "cancelled";
    } catch (const std::exception& e) {
      outcome.why = e.what();
    } catch (...) {
      outcome.why = "unknown error";
    }
    promise->set_value(std::move(outcome));
  });
  return future;
}

std::string Millis(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

// Streams the body of an answered request. Reads go through a buffer owned jointly with the
// pending cpprest task, so a read abandoned at the deadline never writes into freed memory.
class HttpSource : public ByteSource {
 public:
  HttpSource(std::string url, std::shared_ptr<client::http_client> http,
             pplx::cancellation_token_source cancel, http::http_response response,
             Steady::time_point deadline, const HttpSourceOptions& options)
      : url_(std::move(url)),
        http_(std::move(http)),
        cancel_(std::move(cancel)),
        response_(std::move(response)),
        deadline_(deadline),
        options_(options),
        chunk_(std::make_shared<std::vector<uint8_t>>(kChunkBytes)) {}

  ~HttpSource() override {
    cancel_.cancel();
    if (pending_) pending_->wait_for(kCancelGrace);
  }

  Result<size_t> Read(char* buffer, size_t capacity) override {
    if (!failure_.ok()) return failure_;
    if (done_ || capacity == 0) return size_t{0};
    if (pending_) return Fail(Status(ErrorCode::kIo, url_ + ": an earlier read is still pending"));
    const auto now = Steady::now();
    if (now >= deadline_) return Fail(TimedOut());
    const size_t want = std::min(capacity, chunk_->size());
    auto task = response_.body().streambuf().getn(chunk_->data(), want);
    auto future = ToFuture(task, std::shared_ptr<void>(chunk_));
    if (future.wait_until(deadline_) != std::future_status::ready) {
      cancel_.cancel();
      pending_ = std::move(future);
      return Fail(TimedOut());
    }
    Outcome<size_t> got = future.get();
    if (!got.value) {
      if (got.timed_out) return Fail(TimedOut());
      return Fail(Status(ErrorCode::kUnavailable,
                         url_ + ": connection lost after " + std::to_string(total_) +
                             " bytes of the body: " + got.why));
    }
    const size_t n = *got.value;
    if (n == 0) {
      done_ = true;
      return size_t{0};
    }
    total_ += n;
    if (options_.max_bytes > 0 && total_ > options_.max_bytes) {
      return Fail(TooLarge("the body is larger than"));
    }
    std::memcpy(buffer, chunk_->data(), n);
    return n;
  }

  const std::string& name() const override { return url_; }

  Status TooLarge(const std::string& what) const {
    return Status(ErrorCode::kLimitExceeded, url_ + ": " + what + " the limit of " +
                                                 std::to_string(options_.max_bytes) + " bytes");
  }

 private:
  Status TimedOut() const {
    return Status(ErrorCode::kUnavailable,
                  url_ + ": timed out after " + Millis(options_.timeout) + " (connect + transfer; " +
                      std::to_string(total_) + " bytes of the body received)");
  }
  Status Fail(Status status) {
    failure_ = status;
    return status;
  }

  std::string url_;
  std::shared_ptr<client::http_client> http_;
  pplx::cancellation_token_source cancel_;
  http::http_response response_;
  Steady::time_point deadline_;
  HttpSourceOptions options_;
  std::shared_ptr<std::vector<uint8_t>> chunk_;
  std::optional<std::future<Outcome<size_t>>> pending_;
  Status failure_;
  uint64_t total_ = 0;
  bool done_ = false;
};

// The first bytes of an error answer's body, for the message; best effort, never fails.
std::string BodyStart(HttpSource& source) {
  std::string text;
  char buffer[kQuotedBodyBytes];
  while (text.size() < kQuotedBodyBytes) {
    auto got = source.Read(buffer, kQuotedBodyBytes - text.size());
    if (!got.ok() || *got == 0) break;
    text.append(buffer, *got);
  }
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return text;
}

}  // namespace

bool IsHttpUrl(const std::string& location) {
  const std::string head = Lower(location.substr(0, 8));
  return head.rfind("http://", 0) == 0 || head.rfind("https://", 0) == 0;
}

Result<std::unique_ptr<ByteSource>> OpenHttpSource(const std::string& url,
                                                   const HttpSourceOptions& options) {
  const auto deadline = Steady::now() + options.timeout;
  if (!IsHttpUrl(url)) {
    return Status(ErrorCode::kUsage, url + ": expected an http:// or https:// URL");
  }
  std::shared_ptr<client::http_client> http;
  http::http_request request(http::methods::GET);
  try {
    web::uri full(url);
    if (full.host().empty()) return Status(ErrorCode::kUsage, url + ": malformed URL: no host");
    client::http_client_config config;
    // Slack so that our own deadline fires first and is reported as the whole-transfer timeout.
    config.set_timeout(options.timeout + std::chrono::seconds(5));
    config.set_validate_certificates(true);
    config.set_max_redirects(kMaxHttpRedirects);
    http = std::make_shared<client::http_client>(web::uri(full.authority()), config);
    request.set_request_uri(full.resource());
  } catch (const std::exception& e) {
    return Status(ErrorCode::kUsage, url + ": malformed URL: " + e.what());
  }
  pplx::cancellation_token_source cancel;
  std::future<Outcome<http::http_response>> answered;
  try {
    answered = ToFuture(http->request(request, cancel.get_token()), http);
  } catch (const std::exception& e) {
    return Status(ErrorCode::kUnavailable, url + ": cannot fetch: " + e.what());
  }
  if (answered.wait_until(deadline) != std::future_status::ready) {
    cancel.cancel();
    answered.wait_for(kCancelGrace);
    return Status(ErrorCode::kUnavailable,
                  url + ": timed out after " + Millis(options.timeout) + " waiting for the answer");
  }
  Outcome<http::http_response> outcome = answered.get();
  if (!outcome.value) {
    if (outcome.timed_out) {
      return Status(ErrorCode::kUnavailable,
                    url + ": timed out after " + Millis(options.timeout) + " waiting for the answer");
    }
    return Status(ErrorCode::kUnavailable, url + ": cannot fetch: " + outcome.why);
  }
  http::http_response response = *outcome.value;
  const http::status_code code = response.status_code();
  auto source = std::make_unique<HttpSource>(url, http, cancel, response, deadline, options);
  if (code < 200 || code > 299) {
    const std::string status_text =
        "HTTP " + std::to_string(code) +
        (response.reason_phrase().empty() ? "" : " " + response.reason_phrase());
    if (code == http::status_codes::NotFound || code == http::status_codes::Gone) {
      return Status(ErrorCode::kNotFound, url + ": not found (" + status_text + ")");
    }
    std::string body = BodyStart(*source);
    std::string message = url + ": " + status_text;
    if (code >= 300 && code <= 399 && response.headers().has("Location")) {
      message += " (after following at most " + std::to_string(kMaxHttpRedirects) +
                 " redirects; Location: " + response.headers()["Location"] + ")";
    }
    if (!body.empty()) message += ": " + body;
    return Status(ErrorCode::kIo, message);
  }
  if (options.max_bytes > 0 && response.headers().has("Content-Length") &&
      response.headers().content_length() > options.max_bytes) {
    return source->TooLarge("Content-Length " + std::to_string(response.headers().content_length()) +
                            " exceeds");
  }
  if (!options.inflate_gzip) return std::unique_ptr<ByteSource>(std::move(source));
  return DetectGzip(std::move(source));
}

}  // namespace modelgate::gates
