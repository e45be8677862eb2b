// Status and Result: the error type of every operation in operator/kube that can fail for
// environmental reasons (API server, network, TLS, bad kubeconfig). No exception crosses this
// boundary: transports catch library exceptions and turn them into a Status.
//
// The code tells the caller what to do next, not what went wrong on the wire (abseil habit).
// The mapping from Kubernetes answers is in status.cpp (FromKubernetesResponse):
//   200..299 -> kOk
//   404      -> kNotFound          (object gone: drop it / treat as deleted)
//   409 + reason AlreadyExists -> kAlreadyExists (create raced: read it instead)
//   409      -> kConflict          (stale resourceVersion: re-read, then retry)
//   410      -> kGone              (watch/list resourceVersion too old: relist)
//   401      -> kUnauthorized      (credentials expired: reload token, retry)
//   403      -> kForbidden         (RBAC: do not retry; surface to the user)
//   422, 400 -> kInvalid           (the object is wrong: do not retry; causes[] name the fields)
//   429      -> kTooManyRequests   (retry after retry_after)
//   504, 408, client timeout -> kTimeout     (retry with backoff)
//   500, 502, 503, connection refused/reset, TLS failure -> kUnavailable (retry with backoff)
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace modelgate::kube {

enum class StatusCode {
  kOk,
  kNotFound,
  kAlreadyExists,
  kConflict,
  kGone,
  kUnauthorized,
  kForbidden,
  kInvalid,
  kTooManyRequests,
  kTimeout,
  kUnavailable,
  kInternal,  // a bug or an unexpected answer (e.g. a body that is not JSON)
};

// Name of a code, e.g. "NotFound", for logs and conditions.
const char* StatusCodeName(StatusCode code);

// One field-level cause from a Kubernetes Status (details.causes[]).
struct StatusCause {
  std::string field;    // e.g. "spec.canary.steps[1].weight"
  std::string reason;   // e.g. "FieldValueInvalid"
  std::string message;  // human text from the API server
};

class Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  int http_status() const { return http_status_; }
  const std::vector<StatusCause>& causes() const { return causes_; }
  // Set for kTooManyRequests (and 503) when the server sent Retry-After.
  std::optional<std::chrono::seconds> retry_after() const { return retry_after_; }

  // Whether retrying the same request later may succeed (timeouts, unavailability, throttling,
  // conflicts after a re-read). False for kInvalid, kForbidden, kNotFound.
  bool retryable() const;

  Status& set_http_status(int s) { http_status_ = s; return *this; }
  Status& add_cause(StatusCause c) { causes_.push_back(std::move(c)); return *this; }
  Status& set_retry_after(std::chrono::seconds s) { retry_after_ = s; return *this; }

  // "NotFound: modelcandidates.modelgate.io \"x\" not found" (+ "; spec.a: msg" per cause).
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  int http_status_ = 0;
  std::vector<StatusCause> causes_;
  std::optional<std::chrono::seconds> retry_after_;
};

// Result<T>: a value or a non-OK Status. Accessing value() of an error is a bug (asserts).
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}    // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

// Maps an HTTP answer of the API server onto a Status. `body` is the response body (a
// metav1.Status JSON when the server sent one; anything else is tolerated), `retry_after_header`
// the raw Retry-After value or empty.
Status FromKubernetesResponse(int http_status, const std::string& body,
                              const std::string& retry_after_header = "");

}  // namespace modelgate::kube
