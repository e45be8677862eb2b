// MetricsProvider: the seam between the analysis engine and a metrics backend. The operator plugs
// in the Prometheus HTTP implementation (operator/prometheus_provider.h); tests plug in fakes.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace modelgate::gates::analysis {

using TimePoint = std::chrono::system_clock::time_point;

// The answer of one instant query that the backend did answer.
struct Sample {
  enum class Kind {
    kValue,           // exactly one value; `value` is finite or +/-Inf
    kNaN,             // exactly one value, and it is NaN
    kNoData,          // an empty vector: no series matched (e.g. the variant has no traffic)
    kMultipleSeries,  // a vector with more than one series; `value` is unset. The engine does NOT
                      // pick one (Flagger's "last sample wins" measures the wrong thing): the
                      // verdict is Error and the message asks for an aggregation such as sum(...)
  };
  Kind kind = Kind::kNoData;
  double value = 0;
  std::string text;          // the value as the backend wrote it ("0.081", "NaN", "+Inf"); empty otherwise
  std::size_t series = 0;    // number of series in the answer (1 for kValue/kNaN and scalars)
  std::string series_labels; // kMultipleSeries: the label sets of the first few series, for messages

  static Sample Value(double v, std::string text) { return {Kind::kValue, v, std::move(text), 1, {}}; }
  static Sample NaN(std::string text = "NaN") { return {Kind::kNaN, 0, std::move(text), 1, {}}; }
  static Sample NoData() { return {Kind::kNoData, 0, {}, 0, {}}; }
  static Sample Multiple(std::size_t n, std::string labels) {
    return {Kind::kMultipleSeries, 0, {}, n, std::move(labels)};
  }
};

// Why the backend gave no usable answer. All of these make the measurement an Error verdict
// (a monitoring problem, never a model failure); the kind lets the operator word its condition.
struct ProviderError {
  enum class Kind {
    kUnreachable,      // no answer: connection refused/reset, DNS, TLS handshake
    kTimeout,          // no answer within the query timeout
    kHttpStatus,       // a non-2xx answer that is not a Prometheus error document (e.g. 502 from a proxy, 401)
    kPrometheusError,  // a Prometheus error document {"status":"error","errorType":...,"error":...}
                       // e.g. bad_data for a PromQL syntax error, or a 503 while it starts up
    kBadResponse,      // a 2xx answer the provider does not understand (not JSON, a range vector, ...)
  };
  Kind kind = Kind::kUnreachable;
  int http_status = 0;  // 0 when there was no HTTP answer
  std::string message;  // human text, e.g. "GET /api/v1/query: connection refused"
};
const char* ProviderErrorKindName(ProviderError::Kind kind);  // "Unreachable", "Timeout", ...

// A Sample, or the ProviderError that prevented one.
class QueryResult {
 public:
  QueryResult(Sample sample) : v_(std::move(sample)) {}       // NOLINT(google-explicit-constructor)
  QueryResult(ProviderError error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<Sample>(v_); }
  const Sample& sample() const { return std::get<Sample>(v_); }  // only when ok()
  const ProviderError& error() const { return std::get<ProviderError>(v_); }  // only when !ok()

 private:
  std::variant<Sample, ProviderError> v_;
};

class MetricsProvider {
 public:
  virtual ~MetricsProvider() = default;

  // Evaluates `promql` as an instant query at `at`. Returns a Sample when the backend answered
  // with a vector or a scalar (kNoData for an empty vector), a ProviderError otherwise. Never
  // throws. Implementations must be safe to call from one thread at a time at least; the HTTP
  // implementation is thread-safe.
  virtual QueryResult Query(std::string_view promql, TimePoint at) = 0;
};

}  // namespace modelgate::gates::analysis
