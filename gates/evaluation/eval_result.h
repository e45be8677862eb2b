// The structured outcome of gate 3 (offline evaluation). Reports (JSON, text) are rendered from it
// by gates/report; the operator copies it into the ModelCandidate status.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gates/io/malformed_rows.h"
#include "gates/metrics/fairness.h"
#include "gates/metrics/metric_value.h"

namespace modelgate::gates {

// kNotImproved: the challenger met every limit but did not beat the champion where the policy
// says `require_improvement`; it yields the "champion retained" outcome, not a failure.
enum class CheckStatus { kPassed, kFailed, kInconclusive, kNotImproved, kSkipped };
const char* CheckStatusName(CheckStatus status);  // "passed", "failed", ...

struct Check {
  std::string kind;  // "min", "max", "max_regression_vs_champion", ...
  double limit = 0;
  double observed = 0;  // the value compared with the limit (e.g. the regression)
  CheckStatus status = CheckStatus::kPassed;
  std::optional<double> p_value;  // DeLong, when a significance level is configured
};

struct MetricOutcome {
  std::string name;
  int64_t k = 0;
  MetricValue value;
  std::optional<double> champion;  // set when a champion value is known and defined
  std::string champion_note;       // why there is no champion value, when relevant
  std::vector<Check> checks;
  CheckStatus status = CheckStatus::kPassed;
  std::map<std::string, GroupRates> groups;  // fairness metrics
  std::string protected_attribute;
};

struct SliceOutcome {
  std::string name;    // "global" for all rows
  std::string filter;  // empty for global
  int64_t rows = 0;
  int64_t min_rows = 0;
  CheckStatus status = CheckStatus::kPassed;
  std::vector<MetricOutcome> metrics;
};

struct BehavioralOutcome {
  std::string name;
  std::string kind;  // "invariance" or "directional"
  MetricValue value;  // flip rate, or Spearman correlation
  int64_t rows = 0;   // pairs or rows evaluated
  int64_t flipped = 0;
  double limit = 0;
  std::string comparison;  // "<=" or ">=" / "<" etc., for the text table
  CheckStatus status = CheckStatus::kPassed;
};

enum class GateOutcome { kPassed, kFailed, kInconclusive, kChampionRetained };
const char* GateOutcomeName(GateOutcome outcome);  // "passed", "failed", "inconclusive",
                                                   // "champion_retained"

struct EvalResult {
  GateOutcome outcome = GateOutcome::kPassed;
  bool passed = false;  // true only for kPassed
  int64_t rows = 0;
  std::string champion_source;  // "column champion_score", "report r.json" or empty
  SliceOutcome global;
  std::vector<SliceOutcome> slices;
  std::vector<BehavioralOutcome> behavioral_tests;
  // Set under on_malformed_row: count: the rows left out and the policy's limits.
  std::optional<MalformedRows> malformed_rows;
  MalformedRowPolicy malformed_row_policy;
  std::vector<std::string> failures;  // sentences a person can act on, for every non-pass
  std::vector<std::string> notes;     // context that did not change the verdict
};

}  // namespace modelgate::gates
