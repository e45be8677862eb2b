// One analysis interval: query every metric for the challenger and the champion and give each
// metric a verdict (DESIGN section 3, docs/analysis.md).
//
//   Success       every threshold was checked and none was crossed.
//   Failure       at least one threshold was crossed (by data that satisfied minSamples).
//   Inconclusive  a threshold could not be checked for lack of data: an empty answer, NaN, fewer
//                 than minSamples requests, or no champion value for a champion threshold.
//   Error         a threshold could not be checked because a query failed (the provider was
//                 unreachable, answered 5xx or an error document, or returned several series).
//
// Precedence when thresholds disagree: Failure > Error > Inconclusive > Success. A crossed
// threshold is a Failure even when another threshold could not be checked; no data never counts
// as success.
//
// What each threshold needs: max/min need the challenger's value; the four *Champion thresholds
// need both values. minSamples applies to every variant whose value a threshold needs: the
// champion's request count matters only when a champion threshold is set (at canary weight 100
// the champion serves nothing, which must not block an absolute-only metric).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gates/analysis/analysis_spec.h"
#include "gates/analysis/metrics_provider.h"
#include "gates/analysis/query_template.h"

namespace modelgate::gates::analysis {

enum class Verdict { kSuccess, kFailure, kInconclusive, kError };
const char* VerdictName(Verdict verdict);  // "Success", "Failure", "Inconclusive", "Error"

// What a variant's queries gave, reduced to what the thresholds need.
struct VariantReading {
  std::string query;               // resolved value query
  std::string sample_count_query;  // resolved count query; empty when minSamples is 0
  std::optional<QueryResult> value;    // unset when the query was not run
  std::optional<QueryResult> samples;  // unset when minSamples is 0
};

// One threshold as applied in this interval.
struct ThresholdCheck {
  enum class Outcome { kPassed, kCrossed, kNotChecked };
  std::string name;   // the CRD field: "max", "maxRelativeIncreaseOverChampion", ...
  double value = 0;   // the configured value
  // The passing condition written out with the numbers, e.g.
  //   "challenger <= champion * (1 + 0.1) = 0.0132"  or  "challenger <= 0.25".
  std::string condition;
  Outcome outcome = Outcome::kNotChecked;
};

struct MetricMeasurement {
  std::string name;
  Verdict verdict = Verdict::kInconclusive;
  TimePoint measured_at;
  Variant challenger_variant = Variant::kCanary;

  VariantReading challenger;
  VariantReading champion;

  // Values as the backend wrote them ("0.081", "NaN", "+Inf"); empty when there was none.
  std::string challenger_value;
  std::string champion_value;
  std::optional<std::int64_t> challenger_samples;  // floor of the count query's value
  std::optional<std::int64_t> champion_samples;

  std::vector<ThresholdCheck> checks;
  std::string threshold;  // every check's condition joined by "; " (status.analysis[].threshold)
  // One line for status, events and logs, e.g.
  //   "error-rate: canary 0.081 > champion 0.01 + 0.05 (maxIncreaseOverChampion)".
  std::string message;
};

// Pure verdict of one metric from readings already taken. `challenger.value` and
// `champion.value` must be set when the metric needs them (see header comment); `samples` must be
// set when metric.min_samples > 0. Thread-safe.
MetricMeasurement JudgeMetric(const MetricSpec& metric, Variant challenger_variant,
                              VariantReading challenger, VariantReading champion,
                              TimePoint measured_at);

// Where and when one interval is measured.
struct IntervalContext {
  Variant challenger = Variant::kCanary;  // kCanary or kShadow
  std::string namespace_name;
  std::string model;
  TimePoint at;  // the evaluation time sent to the provider and recorded as measured_at
};

// Runs one interval: for each metric renders its queries for the challenger and the champion,
// runs the value queries and (when minSamples > 0) the sample-count queries through `provider`,
// and judges it. Returns one measurement per metric, in spec order. Rendering errors (possible
// only for a spec that did not come from ParseAnalysisSpec) are returned as kInvalidInput.
// Calls provider.Query() sequentially on the calling thread; reads no clock.
Result<std::vector<MetricMeasurement>> MeasureInterval(const AnalysisSpec& spec,
                                                       const IntervalContext& context,
                                                       MetricsProvider& provider);

}  // namespace modelgate::gates::analysis
