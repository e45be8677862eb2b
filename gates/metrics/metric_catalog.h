// The metrics gate 3 knows, with what each needs and which way is better.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace modelgate::gates {

enum class MetricId {
  kAucRoc, kAveragePrecision, kLogLoss, kAccuracy, kPrecision, kRecall, kF1, kPrecisionAtK,
  kRecallAtK, kRmse, kMae, kR2, kCount, kPositiveRate, kDisparateImpactRatio,
  kDemographicParityDifference, kEqualOpportunityDifference,
};

enum class Direction { kHigherIsBetter, kLowerIsBetter, kNeither };

struct MetricInfo {
  MetricId id;
  const char* name;
  Direction direction;
  bool binary_labels;  // needs labels in {0, 1}
  bool needs_k;        // precision_at_k / recall_at_k
  bool fairness;       // needs a protected attribute
};

// nullptr for an unknown name.
const MetricInfo* FindMetric(std::string_view name);
const MetricInfo& GetMetric(MetricId id);
std::vector<std::string> MetricNames();

}  // namespace modelgate::gates
