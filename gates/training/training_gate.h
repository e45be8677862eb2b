// Gate 2 — training validation over a training log (gates/training/training_log.h):
//   loss_finite            every logged loss is finite (no NaN/Inf), always checked when the log
//                          has the loss field
//   loss_converged         over the last `window` loss values, |mean(2nd half) - mean(1st half)| /
//                          |mean(1st half)| <= max_relative_change
//   loss_not_stuck         (mean(first window/2 values) - mean(last window/2 values)) /
//                          |mean(first window/2 values)| >= min_relative_decrease
//   gradient_norm_finite / gradient_norm_max / gradient_norm_min
//                          every logged gradient norm is finite and within [min, max]
//   metrics.<name>         the final value against min / max and against the champion
// Too few steps for a window makes that check Inconclusive (blocks). A configured metric that was
// never logged fails (fail closed). Reentrant; no Kubernetes types.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gates/common/status.h"
#include "gates/evaluation/eval_result.h"
#include "gates/training/training_log.h"
#include "gates/training/training_policy.h"

namespace modelgate::gates {

struct TrainingCheck {
  std::string name;  // "loss_finite", "loss_converged", ...
  CheckStatus status = CheckStatus::kPassed;
  double value = 0;  // the observed quantity (see above)
  double limit = 0;
  std::optional<double> step;  // the step that decided it (first NaN, largest gradient, ...)
  std::string detail;          // a sentence for the report
};

struct TrainingMetricOutcome {
  std::string name;
  std::optional<double> value;
  std::optional<double> champion;
  std::vector<Check> checks;
  CheckStatus status = CheckStatus::kPassed;
  std::string note;
};

struct TrainingResult {
  GateOutcome outcome = GateOutcome::kPassed;
  bool passed = false;
  int64_t steps = 0;
  std::string champion_source;
  std::vector<TrainingCheck> checks;
  std::vector<TrainingMetricOutcome> metrics;
  std::vector<std::string> failures;
  std::vector<std::string> notes;
};

// Champion metric values from a previous gate-2 report (top-level "metrics") or gate-3 report
// ("global.metrics"), by metric name.
Result<std::map<std::string, double>> ParseTrainingChampionReport(const std::string& json_text,
                                                                 const std::string& source_name);

// An error Status when the log lacks a field the policy names (loss.field, gradient_norm.field).
Result<TrainingResult> RunTrainingGate(const TrainingPolicy& policy, const TrainingLog& log,
                                       const std::optional<std::map<std::string, double>>& champion,
                                       const std::string& champion_name = "");

nlohmann::ordered_json RenderTrainingReport(const TrainingResult& result, const std::string& policy_name,
                                            const std::string& log_name);
std::string RenderTrainingText(const TrainingResult& result, const std::string& policy_name,
                               const std::string& log_name);

}  // namespace modelgate::gates
