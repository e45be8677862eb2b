#include "gates/analysis/metrics_provider.h"

namespace modelgate::gates::analysis {

const char* ProviderErrorKindName(ProviderError::Kind kind) {
  switch (kind) {
    case ProviderError::Kind::kUnreachable: return "Unreachable";
    case ProviderError::Kind::kTimeout: return "Timeout";
    case ProviderError::Kind::kHttpStatus: return "HttpStatus";
    case ProviderError::Kind::kPrometheusError: return "PrometheusError";
    case ProviderError::Kind::kBadResponse: return "BadResponse";
  }
  return "Unknown";
}

}  // namespace modelgate::gates::analysis
