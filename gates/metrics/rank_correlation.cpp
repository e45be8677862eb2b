#include "gates/metrics/rank_correlation.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "gates/metrics/sort_doubles.h"

namespace modelgate::gates {
namespace {

std::vector<double> MidRanks(std::span<const double> values) {
  std::vector<uint32_t> order = SortedOrder(values);
  std::vector<double> ranks(values.size());
  size_t i = 0;
  while (i < order.size()) {
    size_t j = i;
    while (j < order.size() && values[order[j]] == values[order[i]]) ++j;
    double rank = 0.5 * static_cast<double>(i + 1 + j);  // average of ranks i+1 .. j
    for (size_t t = i; t < j; ++t) ranks[order[t]] = rank;
    i = j;
  }
  return ranks;
}

}  // namespace

MetricValue SpearmanCorrelation(std::span<const double> x, std::span<const double> y) {
  if (x.size() < 2) return MetricValue::Undefined("fewer than 2 rows");
  std::vector<double> rx = MidRanks(x), ry = MidRanks(y);
  double mean = 0.5 * static_cast<double>(x.size() + 1);
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (rx[i] - mean) * (ry[i] - mean);
    sxx += (rx[i] - mean) * (rx[i] - mean);
    syy += (ry[i] - mean) * (ry[i] - mean);
  }
  if (sxx == 0 || syy == 0) return MetricValue::Undefined("one of the inputs is constant");
  return MetricValue::Of(sxy / std::sqrt(sxx * syy));
}

}  // namespace modelgate::gates
