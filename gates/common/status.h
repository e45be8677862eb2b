// Status and Result: the error values of the gate engine. Nothing in gates/ throws across a public
// function; library exceptions (yaml-cpp, nlohmann_json) are caught where they arise and turned
// into a Status whose message names the file, field or line and what was expected, e.g.
//   "policy eval_slices.yaml: slices[2].metrics.auc_roc.min: expected a number, got 'high'".
// The code tells the caller what kind of problem it is; every non-OK code maps to CLI exit 2.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace modelgate::gates {

enum class ErrorCode {
  kOk,
  kInvalidInput,   // the policy, the data or a report is malformed or inconsistent
  kUsage,          // bad command line
  kNotFound,       // a file or URL that does not exist
  kIo,             // reading failed (permissions, truncated gzip, ...)
  kLimitExceeded,  // the input is larger than the configured row/byte limit
  kUnsupported,    // a valid request this build cannot serve
  kMalformedRow,   // one record of the data is malformed; its reader can continue with the next
  kUnavailable,    // a remote source could not be reached in time (refused, DNS, TLS, timeout);
                   // retryable. Like every error, exit 2 from the CLI.
};

class Status {
 public:
  Status() = default;  // OK
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status Invalid(std::string message) { return {ErrorCode::kInvalidInput, std::move(message)}; }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// A value or a non-OK Status. Reading value() of an error is a bug (std::get throws).
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
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

}  // namespace modelgate::gates
