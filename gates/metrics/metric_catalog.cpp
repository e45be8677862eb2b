#include "gates/metrics/metric_catalog.h"

namespace modelgate::gates {
namespace {

constexpr MetricInfo kMetrics[] = {
    {MetricId::kAucRoc, "auc_roc", Direction::kHigherIsBetter, true, false, false},
    {MetricId::kAveragePrecision, "average_precision", Direction::kHigherIsBetter, true, false, false},
    {MetricId::kLogLoss, "log_loss", Direction::kLowerIsBetter, true, false, false},
    {MetricId::kAccuracy, "accuracy", Direction::kHigherIsBetter, true, false, false},
    {MetricId::kPrecision, "precision", Direction::kHigherIsBetter, true, false, false},
    {MetricId::kRecall, "recall", Direction::kHigherIsBetter, true, false, false},
    {MetricId::kF1, "f1", Direction::kHigherIsBetter, true, false, false},
    {MetricId::kPrecisionAtK, "precision_at_k", Direction::kHigherIsBetter, true, true, false},
    {MetricId::kRecallAtK, "recall_at_k", Direction::kHigherIsBetter, true, true, false},
    {MetricId::kRmse, "rmse", Direction::kLowerIsBetter, false, false, false},
    {MetricId::kMae, "mae", Direction::kLowerIsBetter, false, false, false},
    {MetricId::kR2, "r2", Direction::kHigherIsBetter, false, false, false},
    {MetricId::kCount, "count", Direction::kNeither, false, false, false},
    {MetricId::kPositiveRate, "positive_rate", Direction::kNeither, false, false, false},
    {MetricId::kDisparateImpactRatio, "disparate_impact_ratio", Direction::kHigherIsBetter, true,
     false, true},
    {MetricId::kDemographicParityDifference, "demographic_parity_difference",
     Direction::kLowerIsBetter, true, false, true},
    {MetricId::kEqualOpportunityDifference, "equal_opportunity_difference",
     Direction::kLowerIsBetter, true, false, true},
};

}  // namespace

const MetricInfo* FindMetric(std::string_view name) {
  for (const auto& m : kMetrics) {
    if (name == m.name) return &m;
  }
  return nullptr;
}

const MetricInfo& GetMetric(MetricId id) {
  for (const auto& m : kMetrics) {
    if (m.id == id) return m;
  }
  return kMetrics[0];  // unreachable: every id is in the table
}

std::vector<std::string> MetricNames() {
  std::vector<std::string> names;
  for (const auto& m : kMetrics) names.emplace_back(m.name);
  return names;
}

}  // namespace modelgate::gates
