#include <sstream>

#include "gates/common/text.h"
#include "gates/report/text_footer.h"
#include "gates/report/json_number.h"
#include "gates/training/training_gate.h"

namespace modelgate::gates {

nlohmann::ordered_json RenderTrainingReport(const TrainingResult& r, const std::string& policy_name,
                                            const std::string& log_name) {
  using Json = nlohmann::ordered_json;
  Json j;
  j["gate"] = "training";
  j["passed"] = r.passed;
  j["outcome"] = GateOutcomeName(r.outcome);
  j["rows"] = r.steps;
  j["policy"] = policy_name;
  j["log"] = log_name;
  j["champion_source"] = r.champion_source.empty() ? Json(nullptr) : Json(r.champion_source);
  Json checks = Json::array();
  for (const auto& c : r.checks) {
    Json check{{"name", c.name}, {"passed", c.status == CheckStatus::kPassed},
               {"status", CheckStatusName(c.status)}, {"value", JsonNumber(c.value)},
               {"limit", JsonNumber(c.limit)}};
    check["step"] = c.step ? JsonNumber(*c.step) : Json(nullptr);
    check["detail"] = c.detail;
    checks.push_back(std::move(check));
  }
  j["checks"] = std::move(checks);
  Json metrics = Json::object();
  for (const auto& m : r.metrics) {
    Json metric;
    metric["value"] = m.value ? JsonNumber(*m.value) : Json(nullptr);
    metric["champion"] = m.champion ? JsonNumber(*m.champion) : Json(nullptr);
    metric["passed"] = m.status == CheckStatus::kPassed;
    metric["status"] = CheckStatusName(m.status);
    if (!m.note.empty()) metric["note"] = m.note;
    Json list = Json::array();
    for (const auto& c : m.checks) {
      list.push_back({{"kind", c.kind}, {"limit", JsonNumber(c.limit)},
                      {"observed", JsonNumber(c.observed)}, {"status", CheckStatusName(c.status)}});
    }
    metric["checks"] = std::move(list);
    metrics[m.name] = std::move(metric);
  }
  j["metrics"] = std::move(metrics);
  j["failures"] = r.failures;
  j["notes"] = r.notes;
  return j;
}

std::string RenderTrainingText(const TrainingResult& r, const std::string& policy_name,
                               const std::string& log_name) {
  std::ostringstream out;
  std::string outcome = GateOutcomeName(r.outcome);
  for (auto& c : outcome) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  out << "gate 2 (training validation): " << outcome << "\npolicy " << policy_name << ", log "
      << log_name << ", " << r.steps << " steps, champion: "
      << (r.champion_source.empty() ? "none" : r.champion_source) << "\n\n";
  size_t width = 6;
  for (const auto& c : r.checks) width = std::max(width, c.name.size());
  for (const auto& m : r.metrics) width = std::max(width, m.name.size() + 7);
  auto pad = [&](const std::string& s) { return s + std::string(width + 2 - s.size(), ' '); };
  out << pad("CHECK") << "RESULT        DETAIL\n";
  for (const auto& c : r.checks) {
    std::string status = CheckStatusName(c.status);
    out << pad(c.name) << status << std::string(14 - std::min<size_t>(13, status.size()), ' ') << c.detail << "\n";
  }
  for (const auto& m : r.metrics) {
    std::string status = CheckStatusName(m.status);
    std::string detail = "value " + (m.value ? FormatFixed(*m.value, 4) : std::string("n/a"));
    if (m.champion) detail += ", champion " + FormatFixed(*m.champion, 4);
    for (const auto& c : m.checks) {
      detail += "; " + c.kind + " " + FormatNumber(c.limit) +
                (c.status == CheckStatus::kSkipped ? " (skipped)" : "");
    }
    out << pad("metric " + m.name) << status << std::string(14 - std::min<size_t>(13, status.size()), ' ')
        << detail << "\n";
  }
  AppendFindingsAndNotes(out, r.failures, r.notes);
  return out.str();
}

}  // namespace modelgate::gates
