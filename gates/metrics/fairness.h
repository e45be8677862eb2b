// Group fairness metrics at a decision threshold (predicted positive: score >= threshold).
//
// Groups are the distinct values of the protected attribute; rows whose attribute is null belong
// to no group. Two conventions, chosen by whether a privileged value is configured:
//  - with a privileged value (AIF360 style, directional): the privileged group against all other
//    rows pooled as the unprivileged group;
//  - without one (Fairlearn style, symmetric): the lowest group rate against the highest.
// disparate_impact_ratio       = SR_unprivileged / SR_privileged, or min_g SR_g / max_g SR_g
// demographic_parity_difference = |SR_unprivileged - SR_privileged|, or max_g SR_g - min_g SR_g
// equal_opportunity_difference  = |TPR_unprivileged - TPR_privileged|, or max_g TPR_g - min_g TPR_g
// where SR is the selection rate (share predicted positive) and TPR the true positive rate (groups
// without positive labels are left out of the TPR comparison).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gates/metrics/metric_value.h"

namespace modelgate::gates {

enum class FairnessMetric { kDisparateImpactRatio, kDemographicParityDifference,
                            kEqualOpportunityDifference };

struct GroupRates {
  int64_t rows = 0;
  int64_t positives = 0;        // label 1
  int64_t selected = 0;         // predicted positive
  int64_t true_positives = 0;   // label 1 and predicted positive
};

struct FairnessResult {
  MetricValue value;
  std::map<std::string, GroupRates> groups;  // per attribute value, for the report
};

// `groups[i]` is an index into `group_names`, or -1 for a null attribute.
FairnessResult ComputeFairness(FairnessMetric metric, std::span<const double> scores,
                               std::span<const uint8_t> labels, std::span<const int32_t> groups,
                               const std::vector<std::string>& group_names, double threshold,
                               const std::optional<std::string>& privileged_value);

}  // namespace modelgate::gates
