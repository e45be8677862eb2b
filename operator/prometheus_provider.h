// PrometheusProvider: the production MetricsProvider of gate-4 analysis, Prometheus' HTTP API
// (instant queries, GET /api/v1/query?query=...&time=...) over a kube::Transport.
//
// Answers (https://prometheus.io/docs/prometheus/latest/querying/api/):
//   {"status":"success","data":{"resultType":"vector","result":[]}}        -> Sample kNoData
//   ... "vector" with one series {"metric":{...},"value":[t,"0.081"]}      -> kValue (or kNaN for "NaN")
//   ... "vector" with several series                                       -> kMultipleSeries
//   ... "scalar","result":[t,"1"]                                          -> kValue / kNaN
//   ... "matrix" or "string"                                               -> ProviderError kBadResponse
//   {"status":"error","errorType":"bad_data","error":"..."} (any HTTP status) -> kPrometheusError
//   another non-2xx answer (a proxy's 502, 401 without a Prometheus body)  -> kHttpStatus
//   no answer: connection refused, DNS, TLS failure                        -> kUnreachable
//   no answer within the timeout                                           -> kTimeout
// Values are kept as Prometheus wrote them ("+Inf", "NaN", "0.081") in Sample::text.
//
// Plain http:// works: CppRestTransport accepts http and https servers (TLS settings apply only to
// https). A path in the address ("http://host/prometheus") is kept as a prefix of /api/v1/query.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "gates/analysis/metrics_provider.h"
#include "operator/kube/status.h"
#include "operator/kube/transport.h"

namespace modelgate {

struct PrometheusConfig {
  std::string address;  // http(s)://host[:port][/path], spec.analysis.prometheus.address
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};  // per query
  std::string bearer_token;  // sent as "Authorization: Bearer ..."; empty: none
  std::string ca_pem;        // https only: trust ONLY these CAs; empty: the system store
};

class PrometheusProvider final : public gates::analysis::MetricsProvider {
 public:
  // `transport` talks to the Prometheus server (its credentials, e.g. a bearer token, are the
  // transport's business); `path_prefix` ("" or "/prometheus", no trailing slash) is put before
  // /api/v1/query. Never fails.
  PrometheusProvider(std::shared_ptr<kube::Transport> transport, std::string path_prefix,
                     std::chrono::milliseconds timeout);

  // See the mapping above. Never throws; thread-safe (the transport is).
  gates::analysis::QueryResult Query(std::string_view promql, gates::analysis::TimePoint at) override;

 private:
  std::shared_ptr<kube::Transport> transport_;
  std::string path_prefix_;
  std::chrono::milliseconds timeout_;
};

// The production provider: a CppRestTransport for config.address with the token and CA.
// Returns kInvalid when the address is not http(s)://host[:port][/path] or the CA is not PEM.
kube::Result<std::unique_ptr<PrometheusProvider>> MakePrometheusProvider(const PrometheusConfig& config);

// Maps one HTTP answer of /api/v1/query onto a Sample or a ProviderError (the table above).
// Exposed for tests. Thread-safe (pure).
gates::analysis::QueryResult ParsePrometheusResponse(int http_status, std::string_view body);

// "/api/v1/query?query=<percent-encoded promql>&time=<unix seconds, 3 decimals>" after the prefix.
std::string PrometheusQueryPath(std::string_view path_prefix, std::string_view promql,
                                gates::analysis::TimePoint at);

}  // namespace modelgate
