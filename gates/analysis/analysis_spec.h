// The gate-4 analysis configuration: a ModelRollout's spec.analysis as typed values.
//
// ParseAnalysisSpec() reads the JSON object the API server stored (defaults may or may not have
// been applied; the parser applies the CRD defaults itself) and re-checks every rule of the CRD
// schema that the analysis engine relies on, so a spec that bypassed admission (or a test) cannot
// put the engine in an undefined state. Field names are exactly those of
// crds/modelgate.io_modelrollouts.yaml; docs/analysis.md explains every comparison.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "gates/common/status.h"

namespace modelgate::gates::analysis {

using Duration = std::chrono::milliseconds;

// What happens while a metric is Inconclusive (spec.analysis.metrics[].onNoData).
enum class OnNoData { kHold, kPause, kFail };
const char* OnNoDataName(OnNoData on_no_data);  // "Hold", "Pause", "Fail"

struct SecretKeyRef {
  std::string name;
  std::string key;  // defaulted: "token" for the bearer token, "ca.crt" for the CA
};

struct PrometheusSpec {
  std::string address;  // http(s)://host[:port][/path]
  Duration timeout = std::chrono::seconds(10);
  std::optional<SecretKeyRef> bearer_token_secret_ref;
  std::optional<SecretKeyRef> ca_secret_ref;
};

// One entry of spec.analysis.metrics[]. Every threshold that is set applies; any one crossed is a
// Failure. The comparisons (all strict, equality passes):
//   max                               Failure when challenger > max
//   min                               Failure when challenger < min
//   max_increase_over_champion        Failure when challenger - champion > value
//   max_relative_increase_over_champion  Failure when challenger > champion * (1 + value)
//   max_decrease_below_champion       Failure when champion - challenger > value
//   max_relative_decrease_below_champion Failure when challenger < champion * (1 - value)
struct MetricSpec {
  std::string name;
  std::string path;  // "spec.analysis.metrics[1]", for messages
  std::string query;  // template, contains {{variant}}
  std::optional<double> max;
  std::optional<double> min;
  std::optional<double> max_increase_over_champion;
  std::optional<double> max_relative_increase_over_champion;
  std::optional<double> max_decrease_below_champion;
  std::optional<double> max_relative_decrease_below_champion;
  int failure_limit = 0;  // rollback when cumulative failures > failure_limit
  std::int64_t min_samples = 0;  // 0: no sample-count requirement
  // The metric's own sampleCountQuery, else spec.analysis.sampleCountQuery; empty when neither
  // is set (then min_samples is 0, the parser guarantees it).
  std::string sample_count_query;
  OnNoData on_no_data = OnNoData::kHold;

  // Whether any threshold needs the champion's value (the four *Champion thresholds).
  bool NeedsChampion() const;
};

struct AnalysisSpec {
  PrometheusSpec prometheus;
  Duration interval = std::chrono::minutes(1);
  Duration outage_timeout = std::chrono::minutes(5);
  Duration no_data_timeout = std::chrono::minutes(10);
  std::optional<std::string> sample_count_query;  // spec.analysis.sampleCountQuery
  std::vector<MetricSpec> metrics;
};

// Parses spec.analysis. `analysis` is the value of the field (an object). On failure returns
// kInvalidInput with a message naming the field and what was expected, e.g.
//   "spec.analysis.metrics[1].maxRelativeIncreaseOverChampion: expected a number, got \"ten\"".
// Checked: required fields and types; durations (the CRD pattern, > 0); 1-16 metrics with unique
// names; at least one threshold per metric; min <= max; champion thresholds >= 0 and a relative
// decrease <= 1; failureLimit 0-100; minSamples >= 0 and, when > 0, a sampleCountQuery; onNoData
// one of Hold, Pause, Fail; every query (and sample-count query) contains {{variant}} and no
// unknown placeholder; unknown fields are rejected with the nearest known name.
// Thread-safe (pure).
Result<AnalysisSpec> ParseAnalysisSpec(const nlohmann::json& analysis);

// Parses a duration of the CRD pattern ^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$ ("30s", "1h30m", "1.5h")
// into milliseconds (fractions of a millisecond are truncated). nullopt when it does not match.
std::optional<Duration> ParseDuration(std::string_view text);

// The Prometheus duration text of `duration` for {{interval}}: the largest single unit that
// divides it exactly ("1m", "90s", "1500ms"), because PromQL rejects fractions such as "1.5h".
std::string PrometheusDuration(Duration duration);

}  // namespace modelgate::gates::analysis
