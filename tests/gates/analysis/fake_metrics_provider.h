// FakeMetricsProvider: answers instant queries from a table keyed by the exact resolved query, and
// records every query with its evaluation time. A query missing from the table is a test bug and
// answers kBadResponse "unscripted query" so the verdict shows it.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gates/analysis/metrics_provider.h"

namespace modelgate::gates::analysis::testing {

class FakeMetricsProvider : public MetricsProvider {
 public:
  void Answer(const std::string& query, QueryResult result) { answers_.insert_or_assign(query, std::move(result)); }
  void AnswerValue(const std::string& query, double value, std::string text) {
    Answer(query, Sample::Value(value, std::move(text)));
  }

  QueryResult Query(std::string_view promql, TimePoint at) override {
    calls_.emplace_back(std::string(promql), at);
    auto it = answers_.find(std::string(promql));
    if (it == answers_.end()) {
      return ProviderError{ProviderError::Kind::kBadResponse, 0, "unscripted query: " + std::string(promql)};
    }
    return it->second;
  }

  const std::vector<std::pair<std::string, TimePoint>>& calls() const { return calls_; }

 private:
  std::map<std::string, QueryResult> answers_;
  std::vector<std::pair<std::string, TimePoint>> calls_;
};

inline ProviderError Unreachable(std::string message = "connection refused") {
  return ProviderError{ProviderError::Kind::kUnreachable, 0, std::move(message)};
}

}  // namespace modelgate::gates::analysis::testing
