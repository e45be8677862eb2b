#include <vector>

#include "gates/metrics/classification_metrics.h"
#include "gates/metrics/sort_doubles.h"

namespace modelgate::gates {

// Walk the distinct scores from the highest down, one threshold each, merging the sorted scores
// of positives and negatives: at each threshold recall rises by group_positives / P and the
// precision there weighs the step.
MetricValue AveragePrecision(std::span<const double> scores, std::span<const uint8_t> labels) {
  std::vector<double> positives, negatives;
  for (size_t i = 0; i < scores.size(); ++i) (labels[i] ? positives : negatives).push_back(scores[i]);
  if (positives.empty()) return MetricValue::Undefined(scores.empty() ? "no rows" : "no positive labels");
  SortDoubles(positives);
  SortDoubles(negatives);
  const double total_positives = static_cast<double>(positives.size());
  size_t p = positives.size(), n = negatives.size();  // unvisited prefix lengths
  int64_t tp = 0, seen = 0;
  double ap = 0;
  while (p > 0) {
    double score = positives[p - 1];
    if (n > 0 && negatives[n - 1] > score) score = negatives[n - 1];
    int64_t group_tp = 0;
    while (p > 0 && positives[p - 1] == score) {
      ++group_tp;
      --p;
    }
    while (n > 0 && negatives[n - 1] == score) {
      ++seen;
      --n;
    }
    tp += group_tp;
    seen += group_tp;
    if (group_tp > 0) {
      ap += (static_cast<double>(group_tp) / total_positives) *
            (static_cast<double>(tp) / static_cast<double>(seen));
    }
  }
  return MetricValue::Of(ap);
}

}  // namespace modelgate::gates
