// The gate-2 policy (training validation), e.g.
//   step_field: step
//   loss:
//     field: loss
//     window: 20                    # steps
//     max_relative_change: 0.01     # converged
//     min_relative_decrease: 0.05   # not stuck
//   gradient_norm: {field: grad_norm, max: 100, min: 1.0e-7}
//   metrics:
//     auc_roc: {min: 0.80, max_regression_vs_champion: 0.02}
//     val_loss: {max: 0.5, direction: lower}
// Semantics are in docs/policy.md ("Gate 2").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gates/common/status.h"

namespace modelgate::gates {

struct TrainingMetricRule {
  std::string name;
  std::string path;
  bool higher_is_better = true;
  bool direction_known = false;
  std::optional<double> min, max, max_regression_vs_champion, max_relative_regression_vs_champion;
};

struct TrainingPolicy {
  std::string source_name;
  std::string step_field = "step";
  bool loss_configured = false;
  std::string loss_field = "loss";
  int64_t window = 10;
  std::optional<double> max_relative_change;    // converged
  std::optional<double> min_relative_decrease;  // not stuck
  bool gradient_configured = false;
  std::string gradient_field = "grad_norm";
  std::optional<double> gradient_max, gradient_min;
  std::vector<TrainingMetricRule> metrics;
};

Result<TrainingPolicy> ParseTrainingPolicy(const std::string& yaml_text, const std::string& source_name);
Result<TrainingPolicy> LoadTrainingPolicy(const std::string& path);

}  // namespace modelgate::gates
