#include "gates/metrics/auc.h"

#include <algorithm>
#include <cmath>

#include "gates/metrics/sort_doubles.h"

namespace modelgate::gates {
namespace {

void SplitByClass(std::span<const double> scores, std::span<const uint8_t> labels,
                  std::vector<double>* positives, std::vector<double>* negatives) {
  positives->clear();
  negatives->clear();
  for (size_t i = 0; i < scores.size(); ++i) {
    (labels[i] ? positives : negatives)->push_back(scores[i]);
  }
}

// Placement values (DeLong 1988): for each positive, the share of negatives it outranks (ties
// count half); for each negative, the share of positives that outrank it (ties count half).
// Both sorted copies let each placement come from two binary searches.
void Placements(const std::vector<double>& positives, const std::vector<double>& negatives,
                std::vector<double>* positive_placements, std::vector<double>* negative_placements) {
  std::vector<double> sorted_negatives = negatives;
  std::vector<double> sorted_positives = positives;
  SortDoubles(sorted_negatives);
  SortDoubles(sorted_positives);
  const double n_neg = static_cast<double>(negatives.size());
  const double n_pos = static_cast<double>(positives.size());
  positive_placements->resize(positives.size());
  for (size_t i = 0; i < positives.size(); ++i) {
    auto lo = std::lower_bound(sorted_negatives.begin(), sorted_negatives.end(), positives[i]);
    auto hi = std::upper_bound(lo, sorted_negatives.end(), positives[i]);
    double below = static_cast<double>(lo - sorted_negatives.begin());
    double tied = static_cast<double>(hi - lo);
    (*positive_placements)[i] = (below + 0.5 * tied) / n_neg;
  }
  negative_placements->resize(negatives.size());
  for (size_t j = 0; j < negatives.size(); ++j) {
    auto lo = std::lower_bound(sorted_positives.begin(), sorted_positives.end(), negatives[j]);
    auto hi = std::upper_bound(lo, sorted_positives.end(), negatives[j]);
    double above = static_cast<double>(sorted_positives.end() - hi);
    double tied = static_cast<double>(hi - lo);
    (*negative_placements)[j] = (above + 0.5 * tied) / n_pos;
  }
}

}  // namespace

// Sort both classes, then walk the positives in ascending order while advancing a cursor over the
// negatives: each positive earns the number of negatives strictly below it plus half of those
// equal to it. Counts are int64 and the sum is accumulated in double.
MetricValue RocAuc(std::span<const double> scores, std::span<const uint8_t> labels) {
  std::vector<double> positives, negatives;
  SplitByClass(scores, labels, &positives, &negatives);
  if (positives.empty() || negatives.empty()) {
    return MetricValue::Undefined(positives.empty() && negatives.empty()
                                      ? "no rows"
                                      : std::string("only one class (all labels are ") +
                                            (positives.empty() ? "0" : "1") + ")");
  }
  SortDoubles(positives);
  SortDoubles(negatives);
  double credit = 0;
  size_t below = 0;  // negatives strictly below the current positive score
  size_t i = 0;
  while (i < positives.size()) {
    double score = positives[i];
    size_t same_positive = 0;
    while (i < positives.size() && positives[i] == score) {
      ++same_positive;
      ++i;
    }
    while (below < negatives.size() && negatives[below] < score) ++below;
    size_t tied = below;
    while (tied < negatives.size() && negatives[tied] == score) ++tied;
    credit += static_cast<double>(same_positive) *
              (static_cast<double>(below) + 0.5 * static_cast<double>(tied - below));
  }
  return MetricValue::Of(credit / (static_cast<double>(positives.size()) *
                                   static_cast<double>(negatives.size())));
}

bool DeLong(std::span<const double> challenger, std::span<const double> champion,
            std::span<const uint8_t> labels, DeLongResult* out) {
  std::vector<double> pos_a, neg_a, pos_b, neg_b;
  SplitByClass(challenger, labels, &pos_a, &neg_a);
  SplitByClass(champion, labels, &pos_b, &neg_b);
  const size_t m = pos_a.size(), n = neg_a.size();
  if (m < 2 || n < 2) return false;
  std::vector<double> v10_a, v01_a, v10_b, v01_b;
  Placements(pos_a, neg_a, &v10_a, &v01_a);
  Placements(pos_b, neg_b, &v10_b, &v01_b);
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
  };
  double auc_a = mean(v10_a), auc_b = mean(v10_b);
  // Sample covariances of the placement values; var(A - B) = var terms minus twice the covariance.
  auto covariance = [](const std::vector<double>& x, double mx, const std::vector<double>& y,
                       double my) {
    double s = 0;
    for (size_t i = 0; i < x.size(); ++i) s += (x[i] - mx) * (y[i] - my);
    return s / static_cast<double>(x.size() - 1);
  };
  double m01a = mean(v01_a), m01b = mean(v01_b);
  double s10 = covariance(v10_a, auc_a, v10_a, auc_a) + covariance(v10_b, auc_b, v10_b, auc_b) -
               2 * covariance(v10_a, auc_a, v10_b, auc_b);
  double s01 = covariance(v01_a, m01a, v01_a, m01a) + covariance(v01_b, m01b, v01_b, m01b) -
               2 * covariance(v01_a, m01a, v01_b, m01b);
  double variance = s10 / static_cast<double>(m) + s01 / static_cast<double>(n);
  out->challenger_auc = auc_a;
  out->champion_auc = auc_b;
  out->difference_std_error = std::sqrt(std::max(0.0, variance));
  return true;
}

double RegressionPValue(const DeLongResult& result, double margin) {
  double excess = (result.champion_auc - result.challenger_auc) - margin;
  if (result.difference_std_error <= 0) return excess > 0 ? 0.0 : 1.0;
  double z = excess / result.difference_std_error;
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}

}  // namespace modelgate::gates
