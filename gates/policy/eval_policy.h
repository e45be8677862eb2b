// The gate-3 policy (eval_slices.yaml): global metric thresholds, slices with their own
// thresholds, behavioral tests, and the documented extensions (docs/policy.md):
//   columns: {label, score, champion_score, threshold, protected_attribute, privileged_value}
//   min_rows (policy default and per slice), allow_inconclusive, require_champion,
//   on_malformed_row / max_malformed_rows / max_malformed_rate (gates/io/malformed_rows.h),
//   per metric: min, max, max_regression_vs_champion, max_relative_regression_vs_champion,
//   require_improvement, significance (DeLong, auc_roc only), k, threshold,
//   protected_attribute, privileged_value.
// The seed's eval_slices.yaml is accepted as written.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gates/common/status.h"
#include "gates/io/malformed_rows.h"
#include "gates/metrics/metric_catalog.h"
#include "gates/policy/slice_filter.h"

namespace modelgate::gates {

struct MetricRule {
  MetricId metric;
  std::string name;  // "auc_roc"
  std::string path;  // "slices[1].metrics.auc_roc", for messages
  std::optional<double> min, max;                       // value >= min, value <= max
  std::optional<double> max_regression_vs_champion;     // regression <= this, metric units
  std::optional<double> max_relative_regression_vs_champion;  // regression / |champion| <= this
  // Challenger must beat the champion by at least this much (true in YAML means "> 0", stored as
  // 0 with require_strict_improvement); unmet gives the "champion retained" outcome.
  std::optional<double> require_improvement;
  bool require_strict_improvement = false;
  std::optional<double> significance;  // auc_roc: call a regression only if DeLong p < this
  int64_t k = 0;                       // precision_at_k / recall_at_k
  std::optional<double> threshold;     // overrides columns.threshold for this metric
  std::optional<std::string> protected_attribute;
  std::optional<std::string> privileged_value;
};

struct SlicePolicy {
  std::string name;
  std::string path;                   // "slices[0]"
  std::optional<SliceFilter> filter;  // absent for the global scope
  int64_t min_rows = 1;
  std::vector<MetricRule> metrics;
};

struct ColumnRoles {
  std::string label = "label";
  std::string score = "score";
  std::string champion_score = "champion_score";  // used when present in the data
  double threshold = 0.5;                         // predicted positive: score >= threshold
  std::string protected_attribute = "protected_attribute";  // for fairness metrics
  std::optional<std::string> privileged_value;
};

struct BehavioralTest {
  enum class Kind { kInvariance, kDirectional };
  Kind kind;
  std::string name;
  std::string path;
  // Invariance: pairs of score columns (canonical, perturbed).
  std::vector<std::pair<std::string, std::string>> input_pairs;
  double max_flip_rate = 0;
  std::optional<double> threshold;
  // Directional: Spearman correlation of `feature` with `score_column`.
  std::string feature;
  std::string score_column;  // empty: columns.score
  int expected_sign = 1;     // +1 positive, -1 negative
  std::optional<double> min_correlation;
};

struct EvalPolicy {
  std::string source_name;
  ColumnRoles columns;
  bool allow_inconclusive = false;
  bool require_champion = false;
  MalformedRowPolicy malformed_rows;
  SlicePolicy global;  // name "global"
  std::vector<SlicePolicy> slices;
  std::vector<BehavioralTest> behavioral_tests;
};

// Parses policy YAML. `source_name` (e.g. "eval_slices.yaml") prefixes every message.
Result<EvalPolicy> ParseEvalPolicy(const std::string& yaml_text, const std::string& source_name);

// Reads and parses a policy file.
Result<EvalPolicy> LoadEvalPolicy(const std::string& path);

// Reads a whole (small) text file, file:// or http(s):// URL (ReadAllText); kNotFound / kIo /
// kUnavailable name the location. Shared by the policy and champion-report loaders.
Result<std::string> ReadTextFile(const std::string& path, const std::string& what);

}  // namespace modelgate::gates
