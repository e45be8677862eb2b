#include "gates/common/text.h"
#include "gates/evaluation/internal.h"

namespace modelgate::gates {

const char* CheckStatusName(CheckStatus status) {
  switch (status) {
    case CheckStatus::kPassed: return "passed";
    case CheckStatus::kFailed: return "failed";
    case CheckStatus::kInconclusive: return "inconclusive";
    case CheckStatus::kNotImproved: return "not_improved";
    case CheckStatus::kSkipped: return "skipped";
  }
  return "?";
}

const char* GateOutcomeName(GateOutcome outcome) {
  switch (outcome) {
    case GateOutcome::kPassed: return "passed";
    case GateOutcome::kFailed: return "failed";
    case GateOutcome::kInconclusive: return "inconclusive";
    case GateOutcome::kChampionRetained: return "champion_retained";
  }
  return "?";
}

namespace internal {
namespace {

std::string Num(double v) { return FormatFixed(v, 4); }

std::string MetricLabel(const MetricOutcome& m) {
  return m.k > 0 ? m.name + " (k=" + std::to_string(m.k) + ")" : m.name;
}

std::string Scope(const SliceOutcome& s) {
  return s.name == "global" ? "global (all " + std::to_string(s.rows) + " rows)"
                            : "slice " + s.name + " (" + std::to_string(s.rows) + " rows)";
}

}  // namespace

void DescribeFailures(const SliceOutcome& scope, const EvalPolicy& policy,
                      std::vector<std::string>* out) {
  if (scope.rows < scope.min_rows) {
    out->push_back(Scope(scope) + ": inconclusive: fewer rows than min_rows " +
                   std::to_string(scope.min_rows) +
                   "; add evaluation data for this slice or lower its min_rows" +
                   (policy.allow_inconclusive ? " (allowed by allow_inconclusive)" : ""));
    return;
  }
  for (const auto& m : scope.metrics) {
    const std::string head = Scope(scope) + ": " + MetricLabel(m);
    for (const auto& c : m.checks) {
      if (c.status == CheckStatus::kPassed || c.status == CheckStatus::kSkipped) continue;
      if (c.status == CheckStatus::kInconclusive) {
        std::string why = !m.value.defined() ? m.name + " is undefined: " + m.value.undefined_reason
                          : !m.champion_note.empty() ? m.champion_note
                                                     : "the champion's value is 0, so a relative change is undefined";
        out->push_back(head + ": inconclusive (" + c.kind + "): " + why);
        continue;
      }
      std::string sentence;
      if (c.kind == "min") {
        sentence = head + " = " + Num(c.observed) + " is below the minimum " + FormatNumber(c.limit);
      } else if (c.kind == "max") {
        sentence = head + " = " + Num(c.observed) + " is above the maximum " + FormatNumber(c.limit);
      } else if (c.kind == "max_regression_vs_champion") {
        sentence = head + " regressed by " + Num(c.observed) + " against the champion (" +
                   Num(*m.champion) + " -> " + Num(m.value.value) + "), more than the allowed " +
                   FormatNumber(c.limit);
        if (c.p_value) sentence += " (DeLong p = " + FormatFixed(*c.p_value, 4) + ")";
      } else if (c.kind == "max_relative_regression_vs_champion") {
        sentence = head + " regressed by " + FormatFixed(100 * c.observed, 2) +
                   "% against the champion (" + Num(*m.champion) + " -> " + Num(m.value.value) +
                   "), more than the allowed " + FormatFixed(100 * c.limit, 2) + "%";
      } else if (c.kind == "require_improvement") {
        sentence = head + ": champion retained: the challenger (" + Num(m.value.value) +
                   ") does not improve on the champion (" + Num(*m.champion) + ")" +
                   (c.limit > 0 ? " by at least " + FormatNumber(c.limit) : "");
      } else {
        sentence = head + ": " + c.kind + " failed";
      }
      out->push_back(sentence);
    }
  }
}

std::string DescribeBehavioral(const BehavioralOutcome& t) {
  const std::string head = "behavioral test '" + t.name + "'";
  if (t.status == CheckStatus::kInconclusive) {
    return head + ": inconclusive: " + t.value.undefined_reason;
  }
  if (t.kind == "invariance") {
    return head + ": flip rate " + Num(t.value.value) + " exceeds max_flip_rate " +
           FormatNumber(t.limit) + " (" + std::to_string(t.flipped) + " of " +
           std::to_string(t.rows) + " pairs changed label)";
  }
  return head + ": Spearman correlation " + Num(t.value.value) + " is not " + t.comparison + " " +
         FormatNumber(t.limit) + " over " + std::to_string(t.rows) + " rows";
}

}  // namespace internal
}  // namespace modelgate::gates
