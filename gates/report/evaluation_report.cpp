#include "gates/report/evaluation_report.h"

#include "gates/report/json_number.h"

namespace modelgate::gates {
namespace {

using Json = nlohmann::ordered_json;

Json MetricJson(const MetricOutcome& m) {
  Json j;
  if (m.k > 0) j["k"] = m.k;
  j["value"] = m.value.defined() ? JsonNumber(m.value.value) : Json(nullptr);
  if (!m.value.defined()) j["undefined_reason"] = m.value.undefined_reason;
  j["champion"] = m.champion ? JsonNumber(*m.champion) : Json(nullptr);
  if (!m.champion_note.empty()) j["champion_note"] = m.champion_note;
  j["passed"] = m.status == CheckStatus::kPassed;
  j["status"] = CheckStatusName(m.status);
  Json checks = Json::array();
  for (const auto& c : m.checks) {
    Json check;
    check["kind"] = c.kind;
    check["limit"] = JsonNumber(c.limit);
    check["observed"] = JsonNumber(c.observed);
    check["status"] = CheckStatusName(c.status);
    if (c.p_value) check["p_value"] = JsonNumber(*c.p_value);
    checks.push_back(std::move(check));
  }
  j["checks"] = std::move(checks);
  if (!m.protected_attribute.empty()) {
    j["protected_attribute"] = m.protected_attribute;
    Json groups = Json::object();
    for (const auto& [name, g] : m.groups) {
      groups[name] = {{"rows", g.rows},
                      {"positives", g.positives},
                      {"selected", g.selected},
                      {"true_positives", g.true_positives},
                      {"selection_rate", JsonNumber(static_cast<double>(g.selected) /
                                                    static_cast<double>(g.rows))}};
    }
    j["groups"] = std::move(groups);
  }
  return j;
}

Json ScopeJson(const SliceOutcome& s) {
  Json j;
  j["name"] = s.name;
  if (!s.filter.empty()) j["filter"] = s.filter;
  j["rows"] = s.rows;
  j["min_rows"] = s.min_rows;
  j["passed"] = s.status == CheckStatus::kPassed;
  j["status"] = CheckStatusName(s.status);
  Json metrics = Json::object();
  for (const auto& m : s.metrics) metrics[m.name] = MetricJson(m);
  j["metrics"] = std::move(metrics);
  return j;
}

}  // namespace

Json RenderEvaluationReport(const EvalResult& result, const ReportContext& context) {
  Json j;
  j["gate"] = "evaluation";
  j["passed"] = result.passed;
  j["outcome"] = GateOutcomeName(result.outcome);
  j["rows"] = result.rows;
  j["policy"] = context.policy_name;
  j["data"] = context.data_name;
  j["champion_source"] = result.champion_source.empty() ? Json(nullptr) : Json(result.champion_source);
  j["global"] = ScopeJson(result.global);
  Json slices = Json::array();
  for (const auto& s : result.slices) slices.push_back(ScopeJson(s));
  j["slices"] = std::move(slices);
  Json tests = Json::array();
  for (const auto& t : result.behavioral_tests) {
    Json test;
    test["name"] = t.name;
    test["kind"] = t.kind;
    test["passed"] = t.status == CheckStatus::kPassed;
    test["status"] = CheckStatusName(t.status);
    test["value"] = t.value.defined() ? JsonNumber(t.value.value) : Json(nullptr);
    if (!t.value.defined()) test["undefined_reason"] = t.value.undefined_reason;
    test["comparison"] = t.comparison;
    test["limit"] = JsonNumber(t.limit);
    test["rows"] = t.rows;
    if (t.kind == "invariance") test["flipped"] = t.flipped;
    tests.push_back(std::move(test));
  }
  j["behavioral_tests"] = std::move(tests);
  if (result.malformed_rows) {
    j["malformed_rows"] = MalformedRowsJson(result.malformed_row_policy, *result.malformed_rows, result.rows);
  }
  j["failures"] = result.failures;
  j["notes"] = result.notes;
  return j;
}

}  // namespace modelgate::gates
