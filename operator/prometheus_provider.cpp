#include "operator/prometheus_provider.h"

#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "gates/common/text.h"
#include "operator/kube/cpprest_transport.h"

namespace modelgate {
namespace {

using gates::analysis::ProviderError;
using gates::analysis::QueryResult;
using gates::analysis::Sample;
using nlohmann::json;

constexpr size_t kMaxLabelSetsInMessage = 3;

ProviderError Bad(std::string message, int http_status = 0) {
  return ProviderError{ProviderError::Kind::kBadResponse, http_status, std::move(message)};
}

// A sample value: Prometheus writes numbers as strings ("0.5", "NaN", "+Inf", "-Inf").
QueryResult ParseValue(const json& pair, int http_status) {
  if (!pair.is_array() || pair.size() != 2 || !pair[1].is_string()) {
    return Bad("expected a [timestamp, \"value\"] pair, got " + gates::Shorten(pair.dump()), http_status);
  }
  const std::string text = pair[1].get<std::string>();
  std::optional<double> value = gates::ParseNumber(text);
  if (!value) return Bad("sample value \"" + gates::Shorten(text) + "\" is not a number", http_status);
  if (std::isnan(*value)) return Sample::NaN(text);
  return Sample::Value(*value, text);
}

std::string LabelSet(const json& metric) {
  std::string out = "{";
  if (metric.is_object()) {
    for (const auto& [name, value] : metric.items()) {
      if (out.size() > 1) out += ",";
      out += name + "=" + (value.is_string() ? "\"" + value.get<std::string>() + "\"" : value.dump());
    }
  }
  return out + "}";
}

std::string Snippet(std::string_view body) { return gates::Shorten(body, 200); }

}  // namespace

QueryResult ParsePrometheusResponse(int http_status, std::string_view body) {
  const bool success_status = http_status >= 200 && http_status < 300;
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    if (!success_status) {
      return ProviderError{ProviderError::Kind::kHttpStatus, http_status,
                           "HTTP " + std::to_string(http_status) + ": " + Snippet(body)};
    }
    return Bad("answer is not a JSON object: " + Snippet(body), http_status);
  }
  const std::string status = doc.value("status", "");
  if (status == "error") {
    const std::string error_type = doc.contains("errorType") && doc["errorType"].is_string()
                                       ? doc["errorType"].get<std::string>() : "unknown";
    const std::string error = doc.contains("error") && doc["error"].is_string() ? doc["error"].get<std::string>() : "";
    return ProviderError{ProviderError::Kind::kPrometheusError, http_status, error_type + ": " + error};
  }
  if (!success_status) {
    return ProviderError{ProviderError::Kind::kHttpStatus, http_status,
                         "HTTP " + std::to_string(http_status) + ": " + Snippet(body)};
  }
  if (status != "success") return Bad("\"status\" is \"" + gates::Shorten(status) + "\", expected \"success\"");
  auto data = doc.find("data");
  if (data == doc.end() || !data->is_object()) return Bad("answer has no \"data\" object", http_status);
  const std::string result_type = data->value("resultType", "");
  auto result = data->find("result");
  if (result == data->end()) return Bad("answer has no \"data.result\"", http_status);

  if (result_type == "scalar") return ParseValue(*result, http_status);
  if (result_type == "vector") {
    if (!result->is_array()) return Bad("data.result of a vector is not a list", http_status);
    if (result->empty()) return Sample::NoData();
    if (result->size() > 1) {
      std::string labels;
      for (size_t i = 0; i < result->size() && i < kMaxLabelSetsInMessage; ++i) {
        if (!labels.empty()) labels += ", ";
        labels += LabelSet((*result)[i].value("metric", json::object()));
      }
      if (result->size() > kMaxLabelSetsInMessage) labels += ", ...";
      return Sample::Multiple(result->size(), labels);
    }
    const json& series = (*result)[0];
    if (!series.is_object() || !series.contains("value")) {
      return Bad("vector series has no \"value\": " + gates::Shorten(series.dump()), http_status);
    }
    return ParseValue(series["value"], http_status);
  }
  if (result_type == "matrix") {
    return Bad("the query returned a range vector (matrix); analysis needs an instant vector or a scalar, "
               "e.g. rate(x[1m]) instead of x[1m]",
               http_status);
  }
  return Bad("unsupported resultType \"" + gates::Shorten(result_type) + "\"; expected vector or scalar", http_status);
}

std::string PrometheusQueryPath(std::string_view path_prefix, std::string_view promql,
                                gates::analysis::TimePoint at) {
  std::string out(path_prefix);
  out += "/api/v1/query?query=";
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : promql) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
  char time[48];
  std::snprintf(time, sizeof(time), "&time=%lld.%03lld", static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000 < 0 ? -(ms % 1000) : ms % 1000));
  return out + time;
}

PrometheusProvider::PrometheusProvider(std::shared_ptr<kube::Transport> transport, std::string path_prefix,
                                       std::chrono::milliseconds timeout)
    : transport_(std::move(transport)), path_prefix_(std::move(path_prefix)), timeout_(timeout) {}

QueryResult PrometheusProvider::Query(std::string_view promql, gates::analysis::TimePoint at) {
  kube::HttpRequest request;
  request.method = "GET";
  request.path = PrometheusQueryPath(path_prefix_, promql, at);
  request.headers = {{"Accept", "application/json"}};
  request.timeout = timeout_;
  kube::Result<kube::HttpResponse> response = transport_->Send(request);
  if (!response.ok()) {
    const kube::Status& status = response.status();
    const ProviderError::Kind kind = status.code() == kube::StatusCode::kTimeout ? ProviderError::Kind::kTimeout
                                                                                  : ProviderError::Kind::kUnreachable;
    return ProviderError{kind, 0, status.message()};
  }
  return ParsePrometheusResponse(response->status, response->body);
}

kube::Result<std::unique_ptr<PrometheusProvider>> MakePrometheusProvider(const PrometheusConfig& config) {
  // Split "scheme://authority/path" so the path becomes a prefix of every request.
  const size_t scheme_end = config.address.find("://");
  if (scheme_end == std::string::npos ||
      (config.address.compare(0, scheme_end, "http") != 0 && config.address.compare(0, scheme_end, "https") != 0)) {
    return kube::Status(kube::StatusCode::kInvalid,
                        "prometheus address " + config.address + ": expected http://host[:port][/path] or https://...");
  }
  const size_t path_start = config.address.find('/', scheme_end + 3);
  std::string server = config.address.substr(0, path_start);
  std::string prefix = path_start == std::string::npos ? "" : config.address.substr(path_start);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (server.size() <= scheme_end + 3) {
    return kube::Status(kube::StatusCode::kInvalid, "prometheus address " + config.address + ": no host");
  }
  kube::RestConfig rest{.server = server,
                        .ca_pem = config.ca_pem,
                        .bearer_token = config.bearer_token,
                        .origin = "prometheus " + config.address};
  auto transport = std::make_shared<kube::CppRestTransport>(std::move(rest));
  if (kube::Status init = transport->init_status(); !init.ok()) return init;
  return std::make_unique<PrometheusProvider>(std::move(transport), std::move(prefix), config.timeout);
}

}  // namespace modelgate
