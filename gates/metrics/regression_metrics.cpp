#include "gates/metrics/regression_metrics.h"

#include <cmath>

namespace modelgate::gates {

MetricValue Rmse(std::span<const double> scores, std::span<const double> labels) {
  if (scores.empty()) return MetricValue::Undefined("no rows");
  double sum = 0;
  for (size_t i = 0; i < scores.size(); ++i) sum += (labels[i] - scores[i]) * (labels[i] - scores[i]);
  return MetricValue::Of(std::sqrt(sum / static_cast<double>(scores.size())));
}

MetricValue Mae(std::span<const double> scores, std::span<const double> labels) {
  if (scores.empty()) return MetricValue::Undefined("no rows");
  double sum = 0;
  for (size_t i = 0; i < scores.size(); ++i) sum += std::fabs(labels[i] - scores[i]);
  return MetricValue::Of(sum / static_cast<double>(scores.size()));
}

MetricValue R2(std::span<const double> scores, std::span<const double> labels) {
  if (scores.empty()) return MetricValue::Undefined("no rows");
  double mean = 0;
  for (double y : labels) mean += y;
  mean /= static_cast<double>(labels.size());
  double residual = 0, total = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    residual += (labels[i] - scores[i]) * (labels[i] - scores[i]);
    total += (labels[i] - mean) * (labels[i] - mean);
  }
  if (total == 0) return MetricValue::Of(residual == 0 ? 1.0 : 0.0);
  return MetricValue::Of(1 - residual / total);
}

}  // namespace modelgate::gates
