#include <cmath>
#include <limits>

#include "gates/metrics/classification_metrics.h"

namespace modelgate::gates {
namespace {
double Ratio(int64_t numerator, int64_t denominator) {
  return denominator == 0 ? 0.0 : static_cast<double>(numerator) / static_cast<double>(denominator);
}
}  // namespace

MetricValue LogLoss(std::span<const double> scores, std::span<const uint8_t> labels) {
  if (scores.empty()) return MetricValue::Undefined("no rows");
  const double eps = std::numeric_limits<double>::epsilon();
  double total = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    double p = scores[i];
    if (p < 0 || p > 1) {
      return MetricValue::Undefined("log_loss needs scores in [0, 1]; found " + std::to_string(p));
    }
    p = std::min(std::max(p, eps), 1 - eps);
    total -= labels[i] ? std::log(p) : std::log(1 - p);
  }
  return MetricValue::Of(total / static_cast<double>(scores.size()));
}

Confusion ConfusionAt(std::span<const double> scores, std::span<const uint8_t> labels,
                      double threshold) {
  Confusion c;
  for (size_t i = 0; i < scores.size(); ++i) {
    bool predicted = scores[i] >= threshold;
    if (labels[i]) {
      (predicted ? c.true_positive : c.false_negative)++;
    } else {
      (predicted ? c.false_positive : c.true_negative)++;
    }
  }
  return c;
}

MetricValue Accuracy(const Confusion& c) {
  if (c.total() == 0) return MetricValue::Undefined("no rows");
  return MetricValue::Of(Ratio(c.true_positive + c.true_negative, c.total()));
}
MetricValue Precision(const Confusion& c) {
  return MetricValue::Of(Ratio(c.true_positive, c.true_positive + c.false_positive));
}
MetricValue Recall(const Confusion& c) {
  return MetricValue::Of(Ratio(c.true_positive, c.true_positive + c.false_negative));
}
MetricValue F1(const Confusion& c) {
  return MetricValue::Of(
      Ratio(2 * c.true_positive, 2 * c.true_positive + c.false_positive + c.false_negative));
}
MetricValue PositiveRate(const Confusion& c) {
  if (c.total() == 0) return MetricValue::Undefined("no rows");
  return MetricValue::Of(Ratio(c.true_positive + c.false_positive, c.total()));
}

}  // namespace modelgate::gates
