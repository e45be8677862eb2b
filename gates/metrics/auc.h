// Area under the ROC curve, exact, with ties handled as scikit-learn's roc_auc_score does.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "gates/metrics/metric_value.h"

namespace modelgate::gates {

// ROC AUC of `scores` against binary `labels` (0/1), same length. Tied scores collapse into one
// ROC point, which with the trapezoidal rule gives every tied (positive, negative) pair half a
// credit: the result equals the Mann-Whitney statistic with mid-ranks, P(s+ > s-) + P(s+ = s-)/2.
// Undefined when the rows hold only one class (scikit-learn returns NaN there).
MetricValue RocAuc(std::span<const double> scores, std::span<const uint8_t> labels);

// DeLong's test for two correlated AUCs computed on the same rows (challenger and champion).
struct DeLongResult {
  double challenger_auc = 0;
  double champion_auc = 0;
  double difference_std_error = 0;  // standard error of (champion_auc - challenger_auc)
};

// Fills *out and returns true; false when either class has fewer than two rows.
bool DeLong(std::span<const double> challenger, std::span<const double> champion,
            std::span<const uint8_t> labels, DeLongResult* out);

// One-sided p-value of "champion - challenger > margin" from a DeLong result: the probability of a
// difference at least this large if the true difference were exactly `margin`. Uses the normal
// approximation. A zero standard error gives 0 when the difference exceeds the margin, else 1.
double RegressionPValue(const DeLongResult& result, double margin);

}  // namespace modelgate::gates
