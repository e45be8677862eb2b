#include <cmath>

#include "gates/evaluation/internal.h"
#include "gates/metrics/rank_correlation.h"

namespace modelgate::gates::internal {
namespace {

const std::vector<double>& Column(const EvalPolicy& policy, const EvalData& data,
                                  const std::string& name) {
  if (name == policy.columns.score) return data.scores;
  return data.extra.at(name);
}

}  // namespace

// Invariance: over every (canonical, perturbed) pair of score columns and every row where both
// are present, the label at the threshold (score >= threshold) must not change; the flip rate is
// flipped / compared. Directional: Spearman correlation between the feature and the score over
// rows where both are present; the sign must match the expected direction (and reach
// min_correlation in magnitude when set).
BehavioralOutcome RunBehavioralTest(const EvalPolicy& policy, const BehavioralTest& test,
                                    const EvalData& data) {
  BehavioralOutcome out;
  out.name = test.name;
  if (test.kind == BehavioralTest::Kind::kInvariance) {
    out.kind = "invariance";
    out.limit = test.max_flip_rate;
    out.comparison = "<=";
    const double threshold = test.threshold.value_or(policy.columns.threshold);
    for (const auto& [canonical_name, perturbed_name] : test.input_pairs) {
      const auto& canonical = Column(policy, data, canonical_name);
      const auto& perturbed = Column(policy, data, perturbed_name);
      for (size_t i = 0; i < canonical.size(); ++i) {
        if (std::isnan(canonical[i]) || std::isnan(perturbed[i])) continue;
        ++out.rows;
        out.flipped += (canonical[i] >= threshold) != (perturbed[i] >= threshold);
      }
    }
    if (out.rows == 0) {
      out.value = MetricValue::Undefined("no row has both scores of a pair");
      out.status = CheckStatus::kInconclusive;
      return out;
    }
    out.value = MetricValue::Of(static_cast<double>(out.flipped) / static_cast<double>(out.rows));
    out.status = out.value.value <= out.limit ? CheckStatus::kPassed : CheckStatus::kFailed;
    return out;
  }
  out.kind = "directional";
  const auto& feature = Column(policy, data, test.feature);
  const auto& score = Column(policy, data, test.score_column.empty() ? policy.columns.score
                                                                     : test.score_column);
  // Rows where either value is null (NaN) are left out; without any, the columns are used as they
  // are (no copies of two 10M-row columns).
  size_t usable = 0;
  for (size_t i = 0; i < feature.size(); ++i) usable += !std::isnan(feature[i]) && !std::isnan(score[i]);
  out.rows = static_cast<int64_t>(usable);
  if (usable == feature.size()) {
    out.value = SpearmanCorrelation(feature, score);
  } else {
    std::vector<double> x, y;
    x.reserve(usable);
    y.reserve(usable);
    for (size_t i = 0; i < feature.size(); ++i) {
      if (std::isnan(feature[i]) || std::isnan(score[i])) continue;
      x.push_back(feature[i]);
      y.push_back(score[i]);
    }
    out.value = SpearmanCorrelation(x, y);
  }
  double min_magnitude = test.min_correlation.value_or(0.0);
  out.limit = test.expected_sign * min_magnitude;
  const bool strict = !test.min_correlation;
  out.comparison = test.expected_sign > 0 ? (strict ? ">" : ">=") : (strict ? "<" : "<=");
  if (!out.value.defined()) {
    out.status = CheckStatus::kInconclusive;
    return out;
  }
  double signed_value = test.expected_sign * out.value.value;
  bool pass = strict ? signed_value > 0 : signed_value >= min_magnitude;
  out.status = pass ? CheckStatus::kPassed : CheckStatus::kFailed;
  return out;
}

}  // namespace modelgate::gates::internal
