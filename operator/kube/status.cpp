#include "operator/kube/status.h"

#include <cstdlib>

#include <nlohmann/json.hpp>

namespace modelgate::kube {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kNotFound: return "NotFound";
    case StatusCode::kAlreadyExists: return "AlreadyExists";
    case StatusCode::kConflict: return "Conflict";
    case StatusCode::kGone: return "Gone";
    case StatusCode::kUnauthorized: return "Unauthorized";
    case StatusCode::kForbidden: return "Forbidden";
    case StatusCode::kInvalid: return "Invalid";
    case StatusCode::kTooManyRequests: return "TooManyRequests";
    case StatusCode::kTimeout: return "Timeout";
    case StatusCode::kUnavailable: return "Unavailable";
    case StatusCode::kInternal: return "Internal";
  }
  return "Unknown";
}

bool Status::retryable() const {
  switch (code_) {
    case StatusCode::kConflict:
    case StatusCode::kGone:
    case StatusCode::kUnauthorized:
    case StatusCode::kTooManyRequests:
    case StatusCode::kTimeout:
    case StatusCode::kUnavailable:
      return true;
    default:
      return false;
  }
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s = StatusCodeName(code_);
  if (!message_.empty()) s += ": " + message_;
  for (const auto& cause : causes_) {
    s += "; ";
    if (!cause.field.empty()) s += cause.field + ": ";
    s += cause.message.empty() ? cause.reason : cause.message;
  }
  return s;
}

Status FromKubernetesResponse(int http_status, const std::string& body,
                              const std::string& retry_after_header) {
  if (http_status >= 200 && http_status < 300) return Status::Ok();

  std::string message;
  std::string reason;
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  const bool is_status = parsed.is_object() && parsed.value("kind", "") == "Status";
  if (is_status) {
    message = parsed.value("message", "");
    reason = parsed.value("reason", "");
  } else {
    message = body.substr(0, 512);
  }
  if (message.empty()) message = "HTTP " + std::to_string(http_status);

  StatusCode code;
  switch (http_status) {
    case 400: code = StatusCode::kInvalid; break;
    case 401: code = StatusCode::kUnauthorized; break;
    case 403: code = StatusCode::kForbidden; break;
    case 404: code = StatusCode::kNotFound; break;
    case 408: code = StatusCode::kTimeout; break;
    case 409: code = reason == "AlreadyExists" ? StatusCode::kAlreadyExists : StatusCode::kConflict; break;
    case 410: code = StatusCode::kGone; break;
    case 422: code = StatusCode::kInvalid; break;
    case 429: code = StatusCode::kTooManyRequests; break;
    case 504: code = StatusCode::kTimeout; break;
    default:
      code = http_status >= 500 ? StatusCode::kUnavailable : StatusCode::kInternal;
      break;
  }
  Status status(code, message);
  status.set_http_status(http_status);
  if (is_status && parsed.contains("details") && parsed["details"].is_object()) {
    const auto& details = parsed["details"];
    if (details.contains("causes") && details["causes"].is_array()) {
      for (const auto& c : details["causes"]) {
        if (!c.is_object()) continue;
        status.add_cause({c.value("field", ""), c.value("reason", ""), c.value("message", "")});
      }
    }
    if (details.contains("retryAfterSeconds") && details["retryAfterSeconds"].is_number_integer()) {
      status.set_retry_after(std::chrono::seconds(details["retryAfterSeconds"].get<int>()));
    }
  }
  if (!retry_after_header.empty()) {
    char* end = nullptr;
    const long seconds = std::strtol(retry_after_header.c_str(), &end, 10);
    if (end != retry_after_header.c_str() && seconds >= 0) {
      status.set_retry_after(std::chrono::seconds(seconds));
    }
  }
  return status;
}

}  // namespace modelgate::kube
