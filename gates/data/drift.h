// Distribution drift between a baseline column profile and a current one (gate 1 drift and
// training-serving skew). Units differ between statistics and are stated with every value:
//   psi   Population Stability Index, Σ (c_i − b_i)·ln(c_i / b_i) over shares, in nats; a zero
//         share is replaced by 1e-4 so empty bins stay finite. Rule of thumb: < 0.1 no change,
//         0.1–0.25 moderate, > 0.25 major.
//   ks    two-sample Kolmogorov–Smirnov statistic D = max |F_b − F_c| (a probability in [0, 1]),
//         numeric columns only; exact from raw values, or on the baseline's bin edges when the
//         baseline is a saved profile (then a lower bound of the exact D, flagged approximate).
//   js    Jensen–Shannon divergence with log base 2 (in bits, in [0, 1]; NOT the JS distance,
//         which is its square root in nats as scipy.spatial.distance.jensenshannon returns).
//   linf  L-infinity distance max_v |p_v − q_v| between category shares (probability in [0, 1]),
//         categorical columns only; names the value with the largest difference.
// Numeric columns are compared on aligned histograms: the current values are binned on the
// baseline's quantile edges, so both histograms share the same bins. Null values are excluded
// (null rates are checked separately).
#pragma once

#include <string>

#include "gates/data/column_profile.h"
#include "gates/metrics/metric_value.h"

namespace modelgate::gates {

enum class DriftStatistic { kPsi, kKs, kJs, kLinf };

const char* DriftStatisticName(DriftStatistic s);  // "psi", "ks", "js", "linf"
const char* DriftUnit(DriftStatistic s);           // e.g. "bits (Jensen-Shannon divergence, base 2)"

struct DriftValue {
  MetricValue value;
  std::string worst_value;   // linf and categorical psi/js: the category that moved most
  bool approximate = false;  // ks from a saved profile's bins
};

DriftValue ComputeDrift(DriftStatistic statistic, const ColumnProfile& baseline,
                        const ColumnProfile& current);

// The primitives, on aligned distributions (same length; each sums to 1).
double PopulationStabilityIndex(const std::vector<double>& baseline, const std::vector<double>& current);
double JensenShannonDivergence(const std::vector<double>& p, const std::vector<double>& q);
// Exact two-sample KS statistic on sorted samples.
double KolmogorovSmirnov(const std::vector<double>& sorted_a, const std::vector<double>& sorted_b);

}  // namespace modelgate::gates
