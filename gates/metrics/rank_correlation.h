// Spearman's rank correlation: the Pearson correlation of the mid-ranks (ties get the average of
// the ranks they span), as scipy.stats.spearmanr computes it.
#pragma once

#include <span>

#include "gates/metrics/metric_value.h"

namespace modelgate::gates {

// Undefined with fewer than two rows or when either input is constant.
MetricValue SpearmanCorrelation(std::span<const double> x, std::span<const double> y);

}  // namespace modelgate::gates
