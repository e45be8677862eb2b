#include "gates/training/training_gate.h"

#include <cmath>

#include "gates/common/text.h"

namespace modelgate::gates {
namespace {

struct Values {
  std::vector<double> values;
  std::vector<double> steps;
};

// Logged values of a field in step order (absent steps skipped).
Values Logged(const TrainingLog& log, const LogSeries& series) {
  Values out;
  for (size_t i = 0; i < series.values.size(); ++i) {
    if (!series.present[i]) continue;
    out.values.push_back(series.values[i]);
    out.steps.push_back(log.step_numbers[i]);
  }
  return out;
}

double Mean(const std::vector<double>& v, size_t begin, size_t end) {
  double sum = 0;
  for (size_t i = begin; i < end; ++i) sum += v[i];
  return sum / static_cast<double>(end - begin);
}

std::string StepText(double step) { return FormatNumber(step); }

void CheckFinite(const std::string& name, const std::string& field, const Values& v,
                 TrainingResult* result) {
  TrainingCheck check{name, CheckStatus::kPassed, 0, 0, std::nullopt, ""};
  for (size_t i = 0; i < v.values.size(); ++i) {
    if (!std::isfinite(v.values[i])) {
      if (check.value == 0) check.step = v.steps[i];
      check.value += 1;
    }
  }
  if (check.value > 0) {
    check.status = CheckStatus::kFailed;
    check.detail = FormatNumber(check.value) + " of " + std::to_string(v.values.size()) + " logged " +
                   field + " values are not finite; the first is at step " + StepText(*check.step);
  } else {
    check.detail = "all " + std::to_string(v.values.size()) + " logged " + field + " values are finite";
  }
  result->checks.push_back(std::move(check));
}

}  // namespace

Result<std::map<std::string, double>> ParseTrainingChampionReport(const std::string& json_text,
                                                                 const std::string& source_name) {
  auto doc = nlohmann::json::parse(json_text, nullptr, false);
  const std::string prefix = "champion report " + source_name + ": ";
  if (doc.is_discarded()) return Status::Invalid(prefix + "not valid JSON");
  const nlohmann::json* metrics = nullptr;
  if (doc.is_object() && doc.contains("metrics") && doc["metrics"].is_object()) {
    metrics = &doc["metrics"];
  } else if (doc.is_object() && doc.contains("global") && doc["global"].is_object() &&
             doc["global"].contains("metrics") && doc["global"]["metrics"].is_object()) {
    metrics = &doc["global"]["metrics"];
  }
  if (metrics == nullptr) {
    return Status::Invalid(prefix + "expected a modelgate training report (with 'metrics') or "
                                    "evaluation report (with 'global.metrics')");
  }
  std::map<std::string, double> out;
  for (auto it = metrics->begin(); it != metrics->end(); ++it) {
    if (it.value().is_object() && it.value().contains("value") && it.value()["value"].is_number()) {
      out[it.key()] = it.value()["value"].get<double>();
    }
  }
  return out;
}

Result<TrainingResult> RunTrainingGate(const TrainingPolicy& policy, const TrainingLog& log,
                                       const std::optional<std::map<std::string, double>>& champion,
                                       const std::string& champion_name) {
  TrainingResult result;
  result.steps = log.steps;
  if (champion) result.champion_source = "report " + champion_name;

  auto loss_it = log.fields.find(policy.loss_field);
  if (policy.loss_configured && loss_it == log.fields.end()) {
    return Status::Invalid(log.source_name + ": no step logs the field '" + policy.loss_field +
                           "' (loss.field in policy " + policy.source_name + ")");
  }
  if (loss_it != log.fields.end()) {
    Values loss = Logged(log, loss_it->second);
    CheckFinite("loss_finite", policy.loss_field, loss, &result);
    // Windows are taken over the logged values as they are: a non-finite loss inside a window
    // fails that check too (a run that diverged at the end has not converged).
    const std::vector<double>& values = loss.values;
    const size_t window = static_cast<size_t>(policy.window);
    if (policy.max_relative_change) {
      TrainingCheck check{"loss_converged", CheckStatus::kInconclusive, std::nan(""),
                          *policy.max_relative_change, std::nullopt, ""};
      if (values.size() < window) {
        check.detail = "only " + std::to_string(values.size()) + " loss values, fewer than the window of " +
                       std::to_string(window);
      } else {
        size_t start = values.size() - window, half = window / 2;
        double first = Mean(values, start, start + half), second = Mean(values, start + half, values.size());
        if (!std::isfinite(first) || !std::isfinite(second)) {
          check.status = CheckStatus::kFailed;
          check.value = INFINITY;
          check.detail = "the last " + std::to_string(window) + " loss values include NaN or Inf";
        } else {
          check.value = first == 0 ? (second == 0 ? 0 : INFINITY) : std::fabs(second - first) / std::fabs(first);
          check.status = check.value <= check.limit ? CheckStatus::kPassed : CheckStatus::kFailed;
          check.detail = "the mean loss moved by " + FormatFixed(100 * check.value, 3) +
                         "% between the halves of the last " + std::to_string(window) + " steps (" +
                         FormatFixed(first, 6) + " -> " + FormatFixed(second, 6) + "); the limit is " +
                         FormatFixed(100 * check.limit, 3) + "%";
        }
      }
      result.checks.push_back(std::move(check));
    }
    if (policy.min_relative_decrease) {
      TrainingCheck check{"loss_not_stuck", CheckStatus::kInconclusive, std::nan(""),
                          *policy.min_relative_decrease, std::nullopt, ""};
      size_t k = std::max<size_t>(1, window / 2);
      if (values.size() < 2 * k) {
        check.detail = "only " + std::to_string(values.size()) + " loss values; need " +
                       std::to_string(2 * k);
      } else {
        double start = Mean(values, 0, k), end = Mean(values, values.size() - k, values.size());
        if (!std::isfinite(start) || !std::isfinite(end)) {
          check.status = CheckStatus::kFailed;
          check.detail = "the first or last " + std::to_string(k) + " loss values include NaN or Inf";
        } else if (start == 0) {
          check.detail = "the initial loss is 0, so a relative decrease is undefined";
        } else {
          check.value = (start - end) / std::fabs(start);
          check.status = check.value >= check.limit ? CheckStatus::kPassed : CheckStatus::kFailed;
          check.detail = "the loss decreased by " + FormatFixed(100 * check.value, 3) + "% (" +
                         FormatFixed(start, 6) + " -> " + FormatFixed(end, 6) +
                         ", means of the first and last " + std::to_string(k) +
                         " values); at least " + FormatFixed(100 * check.limit, 3) + "% is required";
        }
      }
      result.checks.push_back(std::move(check));
    }
  } else {
    result.notes.push_back("the log has no '" + policy.loss_field + "' field; no loss checks ran");
  }

  if (policy.gradient_configured) {
    auto it = log.fields.find(policy.gradient_field);
    if (it == log.fields.end()) {
      return Status::Invalid(log.source_name + ": no step logs the field '" + policy.gradient_field +
                             "' (gradient_norm.field in policy " + policy.source_name + ")");
    }
    Values grad = Logged(log, it->second);
    CheckFinite("gradient_norm_finite", policy.gradient_field, grad, &result);
    size_t worst_max = 0, worst_min = 0;
    bool any = false;
    for (size_t i = 0; i < grad.values.size(); ++i) {
      if (!std::isfinite(grad.values[i])) continue;
      if (!any || grad.values[i] > grad.values[worst_max]) worst_max = i;
      if (!any || grad.values[i] < grad.values[worst_min]) worst_min = i;
      any = true;
    }
    for (auto [bound, is_max] : {std::pair{policy.gradient_max, true}, std::pair{policy.gradient_min, false}}) {
      if (!bound) continue;
      TrainingCheck check{is_max ? "gradient_norm_max" : "gradient_norm_min", CheckStatus::kInconclusive,
                          std::nan(""), *bound, std::nullopt, "no finite gradient norm was logged"};
      if (any) {
        size_t at = is_max ? worst_max : worst_min;
        check.value = grad.values[at];
        check.step = grad.steps[at];
        bool pass = is_max ? check.value <= *bound : check.value >= *bound;
        check.status = pass ? CheckStatus::kPassed : CheckStatus::kFailed;
        check.detail = std::string(is_max ? "the largest" : "the smallest") + " gradient norm is " +
                       FormatNumber(check.value) + " at step " + StepText(*check.step) + "; it must be " +
                       (is_max ? "<= " : ">= ") + FormatNumber(*bound);
      }
      result.checks.push_back(std::move(check));
    }
  }

  bool skipped_champion = false;
  for (const auto& rule : policy.metrics) {
    TrainingMetricOutcome m;
    m.name = rule.name;
    m.value = log.FinalValue(rule.name);
    if (champion) {
      if (auto it = champion->find(rule.name); it != champion->end()) m.champion = it->second;
    }
    const bool defined = m.value && std::isfinite(*m.value);
    if (!m.value) m.note = "never logged";
    else if (!defined) m.note = "the final value is " + FormatNumber(*m.value);
    auto status_of = [&](bool pass) {
      return !defined ? CheckStatus::kFailed : pass ? CheckStatus::kPassed : CheckStatus::kFailed;
    };
    const double v = defined ? *m.value : std::nan("");
    if (rule.min) m.checks.push_back({"min", *rule.min, v, status_of(v >= *rule.min), std::nullopt});
    if (rule.max) m.checks.push_back({"max", *rule.max, v, status_of(v <= *rule.max), std::nullopt});
    const double regression = m.champion ? (rule.higher_is_better ? *m.champion - v : v - *m.champion)
                                         : std::nan("");
    auto champion_status = [&](bool pass) {
      if (!m.champion) return champion ? CheckStatus::kInconclusive : CheckStatus::kSkipped;
      return status_of(pass);
    };
    if (rule.max_regression_vs_champion) {
      m.checks.push_back({"max_regression_vs_champion", *rule.max_regression_vs_champion, regression,
                          champion_status(regression <= *rule.max_regression_vs_champion), std::nullopt});
    }
    if (rule.max_relative_regression_vs_champion) {
      double relative = m.champion && *m.champion != 0 ? regression / std::fabs(*m.champion) : std::nan("");
      CheckStatus s = m.champion && *m.champion == 0
                          ? CheckStatus::kInconclusive
                          : champion_status(relative <= *rule.max_relative_regression_vs_champion);
      m.checks.push_back({"max_relative_regression_vs_champion", *rule.max_relative_regression_vs_champion,
                          relative, s, std::nullopt});
    }
    if (champion && !m.champion && (rule.max_regression_vs_champion || rule.max_relative_regression_vs_champion)) {
      m.note = "the champion report has no " + rule.name;
    }
    m.status = CheckStatus::kPassed;
    for (const auto& c : m.checks) {
      skipped_champion |= c.status == CheckStatus::kSkipped;
      if (c.status == CheckStatus::kFailed) m.status = CheckStatus::kFailed;
      else if (c.status == CheckStatus::kInconclusive && m.status != CheckStatus::kFailed) m.status = c.status;
    }
    result.metrics.push_back(std::move(m));
  }
  if (skipped_champion) {
    result.notes.push_back("champion comparisons were skipped: no --champion-report was given");
  }

  bool failed = false, inconclusive = false;
  for (const auto& c : result.checks) {
    if (c.status == CheckStatus::kPassed) continue;
    failed |= c.status == CheckStatus::kFailed;
    inconclusive |= c.status == CheckStatus::kInconclusive;
    result.failures.push_back(c.name + (c.status == CheckStatus::kInconclusive ? " inconclusive: " : " failed: ") +
                              c.detail);
  }
  for (const auto& m : result.metrics) {
    for (const auto& c : m.checks) {
      if (c.status == CheckStatus::kPassed || c.status == CheckStatus::kSkipped) continue;
      failed |= c.status == CheckStatus::kFailed;
      inconclusive |= c.status == CheckStatus::kInconclusive;
      std::string head = "metric " + m.name + " ";
      if (!m.note.empty()) {
        result.failures.push_back(head + c.kind + (c.status == CheckStatus::kFailed ? " failed: " : " inconclusive: ") + m.note);
      } else if (c.kind == "min") {
        result.failures.push_back(head + "= " + FormatFixed(c.observed, 4) + " is below the minimum " + FormatNumber(c.limit));
      } else if (c.kind == "max") {
        result.failures.push_back(head + "= " + FormatFixed(c.observed, 4) + " is above the maximum " + FormatNumber(c.limit));
      } else {
        result.failures.push_back(head + "regressed against the champion (" + FormatFixed(*m.champion, 4) + " -> " +
                                  FormatFixed(*m.value, 4) + "): " + c.kind + " " + FormatFixed(c.observed, 4) +
                                  " > " + FormatNumber(c.limit));
      }
    }
  }
  result.outcome = failed ? GateOutcome::kFailed : inconclusive ? GateOutcome::kInconclusive : GateOutcome::kPassed;
  result.passed = result.outcome == GateOutcome::kPassed;
  return result;
}

}  // namespace modelgate::gates
