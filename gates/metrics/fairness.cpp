#include "gates/metrics/fairness.h"

#include <algorithm>
#include <cmath>

namespace modelgate::gates {
namespace {

double SelectionRate(const GroupRates& g) {
  return static_cast<double>(g.selected) / static_cast<double>(g.rows);
}
double TruePositiveRate(const GroupRates& g) {
  return static_cast<double>(g.true_positives) / static_cast<double>(g.positives);
}

MetricValue Combine(FairnessMetric metric, double low_or_unpriv, double high_or_priv, bool directional) {
  switch (metric) {
    case FairnessMetric::kDisparateImpactRatio:
      if (high_or_priv == 0) {
        return MetricValue::Undefined(directional ? "the privileged group has no predicted positives"
                                                  : "no group has predicted positives");
      }
      return MetricValue::Of(low_or_unpriv / high_or_priv);
    case FairnessMetric::kDemographicParityDifference:
    case FairnessMetric::kEqualOpportunityDifference:
      return MetricValue::Of(std::fabs(high_or_priv - low_or_unpriv));
  }
  return MetricValue::Undefined("unknown fairness metric");
}

}  // namespace

FairnessResult ComputeFairness(FairnessMetric metric, std::span<const double> scores,
                               std::span<const uint8_t> labels, std::span<const int32_t> groups,
                               const std::vector<std::string>& group_names, double threshold,
                               const std::optional<std::string>& privileged_value) {
  std::vector<GroupRates> rates(group_names.size());
  for (size_t i = 0; i < scores.size(); ++i) {
    if (groups[i] < 0) continue;
    GroupRates& g = rates[groups[i]];
    bool selected = scores[i] >= threshold;
    ++g.rows;
    g.positives += labels[i];
    g.selected += selected;
    g.true_positives += selected && labels[i];
  }
  FairnessResult result;
  for (size_t i = 0; i < rates.size(); ++i) {
    if (rates[i].rows > 0) result.groups[group_names[i]] = rates[i];
  }
  const bool uses_tpr = metric == FairnessMetric::kEqualOpportunityDifference;
  auto usable = [&](const GroupRates& g) { return uses_tpr ? g.positives > 0 : g.rows > 0; };
  auto rate = [&](const GroupRates& g) { return uses_tpr ? TruePositiveRate(g) : SelectionRate(g); };

  if (privileged_value) {
    GroupRates privileged, unprivileged;
    for (const auto& [name, g] : result.groups) {
      GroupRates& into = name == *privileged_value ? privileged : unprivileged;
      into.rows += g.rows;
      into.positives += g.positives;
      into.selected += g.selected;
      into.true_positives += g.true_positives;
    }
    if (!usable(privileged)) {
      result.value = MetricValue::Undefined("no rows of the privileged group '" + *privileged_value +
                                            (uses_tpr ? "' with label 1" : "'"));
    } else if (!usable(unprivileged)) {
      result.value = MetricValue::Undefined(std::string("no rows outside the privileged group") +
                                            (uses_tpr ? " with label 1" : ""));
    } else {
      result.value = Combine(metric, rate(unprivileged), rate(privileged), true);
    }
    return result;
  }
  double low = 0, high = 0;
  int usable_groups = 0;
  for (const auto& [name, g] : result.groups) {
    if (!usable(g)) continue;
    double r = rate(g);
    if (usable_groups == 0 || r < low) low = r;
    if (usable_groups == 0 || r > high) high = r;
    ++usable_groups;
  }
  if (usable_groups < 2) {
    result.value = MetricValue::Undefined(
        std::to_string(usable_groups) + (uses_tpr ? " group with positive labels" : " group") +
        " present; the comparison needs at least 2");
  } else {
    result.value = Combine(metric, low, high, false);
  }
  return result;
}

}  // namespace modelgate::gates
