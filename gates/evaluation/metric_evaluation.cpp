#include <cmath>

#include "gates/common/text.h"
#include "gates/evaluation/internal.h"
#include "gates/metrics/auc.h"
#include "gates/metrics/classification_metrics.h"
#include "gates/metrics/fairness.h"
#include "gates/metrics/regression_metrics.h"

namespace modelgate::gates::internal {
namespace {

struct Computed {
  MetricValue value;
  std::map<std::string, GroupRates> groups;
};

Computed Compute(const MetricRule& rule, std::span<const double> scores, const ScopeRows& rows,
                 const EvalData& data, double threshold, const std::string& attribute,
                 const std::optional<std::string>& privileged) {
  const std::span<const uint8_t> binary = rows.binary;
  switch (rule.metric) {
    case MetricId::kAucRoc: return {RocAuc(scores, binary), {}};
    case MetricId::kAveragePrecision: return {AveragePrecision(scores, binary), {}};
    case MetricId::kLogLoss: return {LogLoss(scores, binary), {}};
    case MetricId::kAccuracy: return {Accuracy(ConfusionAt(scores, binary, threshold)), {}};
    case MetricId::kPrecision: return {Precision(ConfusionAt(scores, binary, threshold)), {}};
    case MetricId::kRecall: return {Recall(ConfusionAt(scores, binary, threshold)), {}};
    case MetricId::kF1: return {F1(ConfusionAt(scores, binary, threshold)), {}};
    case MetricId::kPrecisionAtK: return {PrecisionAtK(scores, binary, rule.k), {}};
    case MetricId::kRecallAtK: return {RecallAtK(scores, binary, rule.k), {}};
    case MetricId::kRmse: return {Rmse(scores, rows.labels), {}};
    case MetricId::kMae: return {Mae(scores, rows.labels), {}};
    case MetricId::kR2: return {R2(scores, rows.labels), {}};
    case MetricId::kCount: return {MetricValue::Of(static_cast<double>(scores.size())), {}};
    case MetricId::kPositiveRate: {
      if (scores.empty()) return {MetricValue::Undefined("no rows"), {}};
      int64_t selected = 0;
      for (double s : scores) selected += s >= threshold;
      return {MetricValue::Of(static_cast<double>(selected) / static_cast<double>(scores.size())), {}};
    }
    case MetricId::kDisparateImpactRatio:
    case MetricId::kDemographicParityDifference:
    case MetricId::kEqualOpportunityDifference: {
      FairnessMetric which = rule.metric == MetricId::kDisparateImpactRatio
                                 ? FairnessMetric::kDisparateImpactRatio
                             : rule.metric == MetricId::kDemographicParityDifference
                                 ? FairnessMetric::kDemographicParityDifference
                                 : FairnessMetric::kEqualOpportunityDifference;
      auto result = ComputeFairness(which, scores, binary, rows.attributes.at(attribute),
                                    data.attributes.at(attribute).names, threshold, privileged);
      return {std::move(result.value), std::move(result.groups)};
    }
  }
  return {MetricValue::Undefined("unknown metric"), {}};
}

}  // namespace

void Gather(const EvalData& data, const std::vector<uint32_t>* rows, ScopeRows* out) {
  if (rows == nullptr) {
    out->scores = data.scores;
    out->labels = data.labels;
    out->binary = data.binary;
    out->champion = data.champion;
    for (const auto& [name, attribute] : data.attributes) out->attributes[name] = attribute.codes;
    return;
  }
  out->storage_scores.reserve(rows->size());
  if (!data.labels.empty()) out->storage_labels.reserve(rows->size());
  for (uint32_t r : *rows) {
    out->storage_scores.push_back(data.scores[r]);
    if (!data.labels.empty()) out->storage_labels.push_back(data.labels[r]);
    if (data.binary_labels) out->storage_binary.push_back(data.binary[r]);
    if (data.has_champion) out->storage_champion.push_back(data.champion[r]);
  }
  for (const auto& [name, attribute] : data.attributes) {
    auto& codes = out->storage_attributes[name];
    codes.reserve(rows->size());
    for (uint32_t r : *rows) codes.push_back(attribute.codes[r]);
    out->attributes[name] = codes;
  }
  out->scores = out->storage_scores;
  out->labels = out->storage_labels;
  out->binary = out->storage_binary;
  out->champion = out->storage_champion;
}

MetricOutcome EvaluateRule(const EvalPolicy& policy, const MetricRule& rule, const EvalData& data,
                           const ScopeRows& rows, std::optional<double> champion_from_report,
                           bool have_champion_source, bool judge) {
  const MetricInfo& info = GetMetric(rule.metric);
  const double threshold = rule.threshold.value_or(policy.columns.threshold);
  const std::string attribute = rule.protected_attribute.value_or(policy.columns.protected_attribute);
  const auto privileged = rule.privileged_value ? rule.privileged_value : policy.columns.privileged_value;

  MetricOutcome out;
  out.name = rule.name;
  out.k = rule.k;
  if (info.fairness) out.protected_attribute = attribute;
  Computed challenger = Compute(rule, rows.scores, rows, data, threshold, attribute, privileged);
  out.value = challenger.value;
  out.groups = std::move(challenger.groups);

  const bool compares = rule.max_regression_vs_champion || rule.max_relative_regression_vs_champion ||
                        rule.require_improvement;
  if (data.has_champion) {
    Computed champion = Compute(rule, rows.champion, rows, data, threshold, attribute, privileged);
    if (champion.value.defined()) {
      out.champion = champion.value.value;
    } else {
      out.champion_note = "champion " + rule.name + " is undefined: " + champion.value.undefined_reason;
    }
  } else if (champion_from_report) {
    out.champion = champion_from_report;
  } else if (compares && have_champion_source) {
    out.champion_note = "the champion report has no " + rule.name + " for this scope";
  } else if (compares) {
    out.champion_note = "no champion (no " + policy.columns.champion_score +
                        " column and no champion report)";
  }

  if (!judge) {
    out.status = CheckStatus::kInconclusive;
    return out;
  }
  const bool defined = out.value.defined();
  const double value = out.value.value;
  auto add = [&](const char* kind, double limit, double observed, CheckStatus status) -> Check& {
    out.checks.push_back({kind, limit, observed, status, std::nullopt});
    return out.checks.back();
  };
  auto undefined_or = [&](bool pass) {
    return !defined ? CheckStatus::kInconclusive : pass ? CheckStatus::kPassed : CheckStatus::kFailed;
  };
  if (rule.min) add("min", *rule.min, value, undefined_or(value >= *rule.min));
  if (rule.max) add("max", *rule.max, value, undefined_or(value <= *rule.max));

  if (compares) {
    // regression > 0 means the challenger is worse than the champion, in metric units.
    const bool know_champion = out.champion.has_value();
    const double champion = know_champion ? *out.champion : std::nan("");
    const double regression = info.direction == Direction::kLowerIsBetter ? value - champion
                                                                          : champion - value;
    auto champion_status = [&](bool pass) {
      if (!know_champion) {
        // A champion source that lacks this value blocks (fail closed); no champion at all is the
        // first model, judged on its own limits unless require_champion.
        bool must = policy.require_champion || data.has_champion || have_champion_source;
        return must ? CheckStatus::kInconclusive : CheckStatus::kSkipped;
      }
      return undefined_or(pass);
    };
    if (rule.max_regression_vs_champion) {
      const double limit = *rule.max_regression_vs_champion;
      Check& check = add("max_regression_vs_champion", limit, regression,
                         champion_status(regression <= limit));
      // DeLong: a regression beyond the limit counts only when it is statistically significant.
      if (rule.significance && data.has_champion && defined && know_champion) {
        DeLongResult delong;
        if (DeLong(rows.scores, rows.champion, rows.binary, &delong)) {
          check.p_value = RegressionPValue(delong, limit);
          if (check.status == CheckStatus::kFailed && *check.p_value >= *rule.significance) {
            check.status = CheckStatus::kPassed;
          }
        }
      }
    }
    if (rule.max_relative_regression_vs_champion) {
      const double limit = *rule.max_relative_regression_vs_champion;
      if (know_champion && champion == 0) {
        add("max_relative_regression_vs_champion", limit, std::nan(""), CheckStatus::kInconclusive);
      } else {
        const double relative = regression / std::fabs(champion);
        add("max_relative_regression_vs_champion", limit, relative, champion_status(relative <= limit));
      }
    }
    if (rule.require_improvement) {
      const double improvement = -regression;
      const double limit = *rule.require_improvement;
      bool improved = rule.require_strict_improvement ? improvement > 0 : improvement >= limit;
      CheckStatus status = champion_status(improved);
      if (status == CheckStatus::kFailed) status = CheckStatus::kNotImproved;
      add("require_improvement", limit, improvement, status);
    }
  }

  out.status = CheckStatus::kPassed;
  for (const auto& check : out.checks) {
    if (check.status == CheckStatus::kFailed) {
      out.status = CheckStatus::kFailed;
    } else if (check.status == CheckStatus::kInconclusive && out.status != CheckStatus::kFailed) {
      out.status = CheckStatus::kInconclusive;
    } else if (check.status == CheckStatus::kNotImproved && out.status == CheckStatus::kPassed) {
      out.status = CheckStatus::kNotImproved;
    }
  }
  return out;
}

}  // namespace modelgate::gates::internal
