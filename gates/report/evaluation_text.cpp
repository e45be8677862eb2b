#include <algorithm>
#include <sstream>

#include "gates/common/text.h"
#include "gates/report/text_footer.h"
#include "gates/report/evaluation_report.h"

namespace modelgate::gates {
namespace {

// Columns padded to the widest cell; the last column is not padded.
std::string Table(const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& right) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::ostringstream out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      std::string pad(width[i] - row[i].size(), ' ');
      bool last = i + 1 == row.size();
      line += right[i] ? pad + row[i] : row[i] + (last ? "" : pad);
      if (!last) line += "  ";
    }
    out << line << "\n";
  }
  return out.str();
}

std::string Limits(const MetricOutcome& m) {
  std::string out;
  for (const auto& c : m.checks) {
    std::string part;
    if (c.kind == "min") part = ">= " + FormatNumber(c.limit);
    else if (c.kind == "max") part = "<= " + FormatNumber(c.limit);
    else if (c.kind == "max_regression_vs_champion") part = "regression <= " + FormatNumber(c.limit);
    else if (c.kind == "max_relative_regression_vs_champion")
      part = "rel. regression <= " + FormatFixed(100 * c.limit, 1) + "%";
    else if (c.kind == "require_improvement")
      part = c.limit > 0 ? "improve >= " + FormatNumber(c.limit) : "improve > 0";
    if (c.status == CheckStatus::kSkipped) part += " (skipped)";
    if (c.p_value) part += " (p=" + FormatFixed(*c.p_value, 3) + ")";
    out += (out.empty() ? "" : "; ") + part;
  }
  return out.empty() ? "-" : out;
}

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string RenderEvaluationText(const EvalResult& result, const ReportContext& context) {
  std::ostringstream out;
  out << "gate 3 (offline evaluation): " << Upper(GateOutcomeName(result.outcome));
  if (!result.failures.empty()) out << " (" << result.failures.size() << " finding" << (result.failures.size() == 1 ? "" : "s") << ")";
  out << "\npolicy " << context.policy_name << ", data " << context.data_name << ", "
      << result.rows << " rows, champion: "
      << (result.champion_source.empty() ? "none" : result.champion_source) << "\n\n";

  std::vector<std::vector<std::string>> rows = {
      {"SCOPE", "ROWS", "METRIC", "VALUE", "CHAMPION", "LIMITS", "RESULT"}};
  std::vector<const SliceOutcome*> scopes = {&result.global};
  for (const auto& s : result.slices) scopes.push_back(&s);
  for (const SliceOutcome* s : scopes) {
    if (s->metrics.empty()) continue;
    bool first = true;
    for (const auto& m : s->metrics) {
      std::string name = m.k > 0 ? m.name + " (k=" + std::to_string(m.k) + ")" : m.name;
      std::string status = CheckStatusName(m.status);
      if (s->rows < s->min_rows) status = "inconclusive (rows < " + std::to_string(s->min_rows) + ")";
      rows.push_back({first ? s->name : "", first ? std::to_string(s->rows) : "", name,
                      m.value.defined() ? FormatFixed(m.value.value, 4) : "undefined",
                      m.champion ? FormatFixed(*m.champion, 4) : "-", Limits(m), status});
      first = false;
    }
  }
  out << Table(rows, {false, true, false, true, true, false, false});

  if (!result.behavioral_tests.empty()) {
    std::vector<std::vector<std::string>> tests = {{"BEHAVIORAL TEST", "KIND", "VALUE", "LIMIT", "ROWS", "RESULT"}};
    for (const auto& t : result.behavioral_tests) {
      tests.push_back({t.name, t.kind, t.value.defined() ? FormatFixed(t.value.value, 4) : "undefined",
                       t.comparison + " " + FormatNumber(t.limit), std::to_string(t.rows),
                       CheckStatusName(t.status)});
    }
    out << "\n" << Table(tests, {false, false, true, false, true, false});
  }
  AppendFindingsAndNotes(out, result.failures, result.notes);
  return out.str();
}

}  // namespace modelgate::gates
