#include <algorithm>
#include <string>
#include <vector>

#include "gates/metrics/classification_metrics.h"

namespace modelgate::gates {
namespace {

// Expected number of positives among the k highest scores under random tie-breaking. Finds the
// k-th highest score with nth_element (linear time), then counts rows strictly above it and the
// rows tied with it: the tie group fills the remaining (k - above) places uniformly at random.
double ExpectedPositivesInTopK(std::span<const double> scores, std::span<const uint8_t> labels,
                               int64_t k) {
  std::vector<double> copy(scores.begin(), scores.end());
  std::nth_element(copy.begin(), copy.begin() + (k - 1), copy.end(), std::greater<double>());
  const double cut = copy[k - 1];
  int64_t above = 0, positives_above = 0, tied = 0, positives_tied = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (scores[i] > cut) {
      ++above;
      positives_above += labels[i];
    } else if (scores[i] == cut) {
      ++tied;
      positives_tied += labels[i];
    }
  }
  return static_cast<double>(positives_above) +
         static_cast<double>(k - above) * static_cast<double>(positives_tied) /
             static_cast<double>(tied);
}

}  // namespace

MetricValue PrecisionAtK(std::span<const double> scores, std::span<const uint8_t> labels, int64_t k) {
  if (k < 1) return MetricValue::Undefined("k must be at least 1");
  if (static_cast<int64_t>(scores.size()) < k) {
    return MetricValue::Undefined(std::to_string(scores.size()) + " rows, fewer than k = " +
                                  std::to_string(k));
  }
  return MetricValue::Of(ExpectedPositivesInTopK(scores, labels, k) / static_cast<double>(k));
}

MetricValue RecallAtK(std::span<const double> scores, std::span<const uint8_t> labels, int64_t k) {
  if (k < 1) return MetricValue::Undefined("k must be at least 1");
  int64_t positives = 0;
  for (uint8_t l : labels) positives += l;
  if (positives == 0) return MetricValue::Undefined(scores.empty() ? "no rows" : "no positive labels");
  int64_t effective_k = std::min<int64_t>(k, static_cast<int64_t>(scores.size()));
  return MetricValue::Of(ExpectedPositivesInTopK(scores, labels, effective_k) /
                         static_cast<double>(positives));
}

}  // namespace modelgate::gates
