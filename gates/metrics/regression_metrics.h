// Regression metrics of a numeric score against a numeric label.
#pragma once

#include <span>

#include "gates/metrics/metric_value.h"

namespace modelgate::gates {

// sqrt(mean((label - score)^2)); undefined on no rows.
MetricValue Rmse(std::span<const double> scores, std::span<const double> labels);
// mean(|label - score|); undefined on no rows.
MetricValue Mae(std::span<const double> scores, std::span<const double> labels);
// 1 - SS_res / SS_tot. With constant labels (SS_tot = 0) it is 1 for a perfect fit and 0
// otherwise, as scikit-learn's r2_score(force_finite=True). Undefined on no rows.
MetricValue R2(std::span<const double> scores, std::span<const double> labels);

}  // namespace modelgate::gates
