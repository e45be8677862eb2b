// Binary classification metrics on (score, label) rows. Labels are 0/1; scores are finite (the
// readers reject NaN and infinite scores before any metric runs).
#pragma once

#include <cstdint>
#include <span>

#include "gates/metrics/metric_value.h"

namespace modelgate::gates {

// Average precision as scikit-learn defines it: sum over distinct score thresholds (descending)
// of (R_n - R_{n-1}) * P_n, a step function, not an interpolated PR-AUC. Undefined without
// positives (scikit-learn would return a meaningless 0 with a warning).
MetricValue AveragePrecision(std::span<const double> scores, std::span<const uint8_t> labels);

// Mean negative log-likelihood (natural log) with scores clipped to [eps, 1 - eps], eps = the
// double machine epsilon, as scikit-learn does. Undefined on no rows or a score outside [0, 1].
MetricValue LogLoss(std::span<const double> scores, std::span<const uint8_t> labels);

// Counts at a decision threshold: a row is predicted positive when score >= threshold.
struct Confusion {
  int64_t true_positive = 0, false_positive = 0, true_negative = 0, false_negative = 0;
  int64_t total() const { return true_positive + false_positive + true_negative + false_negative; }
};
Confusion ConfusionAt(std::span<const double> scores, std::span<const uint8_t> labels,
                      double threshold);

// From a confusion matrix. Following scikit-learn's zero_division=0: precision is 0 when nothing is
// predicted positive, recall is 0 when there are no positives, f1 is 2TP/(2TP+FP+FN) or 0.
// accuracy and positive_rate (share predicted positive) are undefined on no rows.
MetricValue Accuracy(const Confusion& c);
MetricValue Precision(const Confusion& c);
MetricValue Recall(const Confusion& c);
MetricValue F1(const Confusion& c);
MetricValue PositiveRate(const Confusion& c);

// Precision and recall among the k highest scores. When the k-th highest score is tied with rows
// outside the top k, the tied group contributes its expected number of positives under a random
// order: positives_above + (k - n_above) * positives_in_tie / tie_size. Undefined when there are
// fewer than k rows (precision) or no positives (recall), or k < 1.
MetricValue PrecisionAtK(std::span<const double> scores, std::span<const uint8_t> labels, int64_t k);
MetricValue RecallAtK(std::span<const double> scores, std::span<const uint8_t> labels, int64_t k);

}  // namespace modelgate::gates
