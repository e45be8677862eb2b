#include "controllers/candidate/gate_status.h"

#include <cstdio>

namespace modelgate::controllers::candidate {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

json Plain(const ojson& v) { return json::parse(v.dump()); }

const ojson& Child(const ojson& parent, const char* key) {
  static const ojson kNull;
  if (!parent.is_object()) return kNull;
  const auto it = parent.find(key);
  return it == parent.end() ? kNull : *it;
}

std::string Str(const ojson& parent, const char* key) {
  const ojson& v = Child(parent, key);
  return v.is_string() ? v.get<std::string>() : "";
}

bool Passed(const ojson& item) { return Child(item, "passed").is_boolean() && item["passed"].get<bool>(); }

// Keeps at most `cap` items, failing ones first, each group in its original order.
json CapFailingFirst(const std::vector<json>& items, size_t cap) {
  json out = json::array();
  for (int pass = 0; pass < 2; ++pass) {
    for (const json& item : items) {
      const bool passed = item.value("passed", false);
      if ((pass == 0) == passed) continue;
      if (out.size() >= cap) return out;
      out.push_back(item);
    }
  }
  return out;
}

json MetricsOf(const ojson& metrics) {
  json out = json::object();
  if (!metrics.is_object()) return out;
  for (const auto& [name, m] : metrics.items()) {
    json entry = {{"value", Plain(Child(m, "value"))}, {"passed", Passed(m)}, {"status", Str(m, "status")}};
    if (!Child(m, "champion").is_null()) entry["champion"] = Plain(Child(m, "champion"));
    if (Child(m, "k").is_number()) entry["k"] = Plain(Child(m, "k"));
    out[name] = std::move(entry);
  }
  return out;
}

json Failures(const ojson& report) {
  json out = json::array();
  const ojson& failures = Child(report, "failures");
  if (!failures.is_array()) return out;
  for (const auto& f : failures) {
    if (out.size() >= kMaxStatusFailures) {
      out.push_back("... and " + std::to_string(failures.size() - kMaxStatusFailures) +
                    " more (see the report ConfigMap)");
      break;
    }
    if (f.is_string()) out.push_back(f.get<std::string>());
  }
  return out;
}

std::string FirstFailure(const ojson& report) {
  const ojson& failures = Child(report, "failures");
  if (!failures.is_array() || failures.empty() || !failures[0].is_string()) return "";
  std::string text = failures[0].get<std::string>();
  if (failures.size() > 1) text += " (and " + std::to_string(failures.size() - 1) + " more)";
  return text;
}

// status.gates[].inputs[], never capped: it is the audit record of which bytes were judged, and a
// run reads at most four inputs (gate 1: policy, dataset, baseline, serving).
json InputsOf(const std::vector<InputDigest>& inputs) {
  json out = json::array();
  for (const InputDigest& input : inputs) {
    out.push_back({{"field", input.field}, {"location", input.location}, {"sha256", input.sha256},
                   {"bytes", input.bytes}});
  }
  return out;
}

GateVerdict DataVerdict(const ojson& report, const std::string& outcome, json& entry) {
  std::vector<json> checks;
  auto add_check = [&](const std::string& name, const std::string& column, const ojson& c) {
    json check = {{"name", name}, {"passed", Passed(c)}, {"value", Plain(Child(c, "value"))},
                  {"limit", Plain(Child(c, "limit"))}};
    if (!column.empty()) check["column"] = column;
    if (!Str(c, "detail").empty()) check["message"] = Str(c, "detail");
    checks.push_back(std::move(check));
  };
  if (const ojson& ds = Child(report, "dataset_checks"); ds.is_array()) {
    for (const auto& c : ds) add_check(Str(c, "kind"), "", c);
  }
  if (const ojson& cols = Child(report, "columns"); cols.is_array()) {
    for (const auto& col : cols) {
      if (!Child(col, "checks").is_array()) continue;
      for (const auto& c : col["checks"]) add_check(Str(col, "name") + "." + Str(c, "kind"), Str(col, "name"), c);
    }
  }
  bool drift_failed = false, skew_failed = false;
  for (const char* section : {"drift", "skew"}) {
    const ojson& stats = Child(Child(report, section), "statistics");
    if (!stats.is_object()) continue;
    for (const auto& [stat, s] : stats.items()) {
      bool all_passed = true;
      if (Child(s, "columns").is_object()) {
        for (const auto& [col, v] : s["columns"].items()) all_passed = all_passed && Passed(v);
      }
      json check = {{"name", std::string(section) + "." + stat}, {"passed", all_passed},
                    {"value", Plain(Child(s, "worst_value"))}, {"limit", Plain(Child(s, "limit"))},
                    {"column", Str(s, "worst_column")}};
      if (!Str(s, "unit").empty()) check["unit"] = Str(s, "unit");
      checks.push_back(std::move(check));
      if (!all_passed) (std::string(section) == "drift" ? drift_failed : skew_failed) = true;
    }
  }
  // Row-level skew: one check, valued by the worst column's mismatch rate.
  if (const ojson& row = Child(Child(report, "skew"), "row_level"); row.is_object()) {
    json check = {{"name", "skew.row_level"},
                  {"passed", Passed(row)},
                  {"value", nullptr},
                  {"limit", nullptr}};
    if (const ojson& columns = Child(row, "columns"); columns.is_array()) {
      for (const auto& c : columns) {
        if (Str(c, "name") != Str(row, "worst_column")) continue;
        check["column"] = Str(c, "name");
        check["value"] = Plain(Child(c, "mismatch_rate"));
        check["limit"] = Plain(Child(c, "max"));
      }
    }
    checks.push_back(std::move(check));
    skew_failed = skew_failed || !Passed(row);
  }
  entry["checks"] = CapFailingFirst(checks, kMaxStatusChecks);
  if (outcome == "passed") {
    return {"Passed", "ChecksPassed",
            "all " + std::to_string(checks.size()) + " data checks passed on " +
                std::to_string(entry.value("rows", 0)) + " rows"};
  }
  std::string reason = drift_failed ? "DriftExceeded" : skew_failed ? "SkewExceeded" : "DataChecksFailed";
  if (outcome == "inconclusive") reason = "Inconclusive";
  return {"Failed", reason, FirstFailure(report)};
}

GateVerdict TrainingVerdict(const ojson& report, const std::string& outcome, json& entry) {
  std::vector<json> checks;
  bool loss_not_finite = false;
  if (const ojson& cs = Child(report, "checks"); cs.is_array()) {
    for (const auto& c : cs) {
      json check = {{"name", Str(c, "name")}, {"passed", Passed(c)}, {"value", Plain(Child(c, "value"))},
                    {"limit", Plain(Child(c, "limit"))}};
      if (!Child(c, "step").is_null()) check["step"] = Plain(Child(c, "step"));
      if (!Str(c, "detail").empty()) check["message"] = Str(c, "detail");
      if (Str(c, "name") == "loss_finite" && !Passed(c)) loss_not_finite = true;
      checks.push_back(std::move(check));
    }
  }
  entry["checks"] = CapFailingFirst(checks, kMaxStatusChecks);
  entry["metrics"] = MetricsOf(Child(report, "metrics"));
  if (outcome == "passed") {
    return {"Passed", "ChecksPassed",
            "training log passed all " + std::to_string(checks.size()) + " checks over " +
                std::to_string(entry.value("rows", 0)) + " steps"};
  }
  std::string reason = loss_not_finite ? "LossNotFinite" : outcome == "inconclusive" ? "Inconclusive" : "TrainingChecksFailed";
  return {"Failed", reason, FirstFailure(report)};
}

GateVerdict EvaluationVerdict(const ojson& report, const std::string& outcome, json& entry) {
  const ojson& global = Child(report, "global");
  entry["metrics"] = MetricsOf(Child(global, "metrics"));
  std::vector<json> slices;
  std::string failed_slice;
  if (const ojson& ss = Child(report, "slices"); ss.is_array()) {
    for (const auto& s : ss) {
      json slice = {{"name", Str(s, "name")}, {"rows", Plain(Child(s, "rows"))}, {"passed", Passed(s)},
                    {"status", Str(s, "status")}, {"metrics", MetricsOf(Child(s, "metrics"))}};
      if (!Str(s, "filter").empty()) slice["filter"] = Str(s, "filter");
      if (!Passed(s) && failed_slice.empty() && Str(s, "status") != "not_improved") failed_slice = Str(s, "name");
      slices.push_back(std::move(slice));
    }
  }
  entry["slices"] = CapFailingFirst(slices, kMaxStatusSlices);
  json tests = json::array();
  bool test_failed = false;
  if (const ojson& bt = Child(report, "behavioral_tests"); bt.is_array()) {
    for (const auto& t : bt) {
      tests.push_back({{"name", Str(t, "name")}, {"kind", Str(t, "kind")}, {"passed", Passed(t)},
                       {"value", Plain(Child(t, "value"))}, {"comparison", Str(t, "comparison")},
                       {"limit", Plain(Child(t, "limit"))}});
      test_failed = test_failed || !Passed(t);
    }
  }
  entry["behavioralTests"] = tests;
  std::string champion_note;
  if (!Str(report, "champion_source").empty()) champion_note = "; champion: " + Str(report, "champion_source");
  if (outcome == "passed") {
    std::string summary;
    for (const auto& [name, m] : entry["metrics"].items()) {
      if (!summary.empty()) summary += ", ";
      summary += name + " " + FormatNumber(m["value"]);
      if (m.contains("champion")) summary += " (champion " + FormatNumber(m["champion"]) + ")";
    }
    return {"Passed", "ChecksPassed",
            "global " + (summary.empty() ? std::string("checks passed") : summary) + "; " +
                std::to_string(slices.size()) + " slices passed" + champion_note};
  }
  if (outcome == "champion_retained") {
    return {"Failed", "NotImproved", "the challenger did not beat the champion: " + FirstFailure(report) + champion_note};
  }
  std::string reason = outcome == "inconclusive" ? "Inconclusive"
                       : !failed_slice.empty()   ? "SliceFailed"
                       : !Passed(global)          ? "GlobalMetricFailed"
                       : test_failed              ? "BehavioralTestFailed"
                                                  : "EvaluationFailed";
  std::string message = FirstFailure(report);
  if (!failed_slice.empty() && message.find(failed_slice) == std::string::npos) {
    message = "slice " + failed_slice + " failed: " + message;
  }
  return {"Failed", reason, message};
}

}  // namespace

std::string FormatNumber(const json& value) {
  if (!value.is_number()) return "n/a";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", value.get<double>());
  return buffer;
}

GateVerdict ApplyReport(Gate gate, const GateRunResult& result, json& entry) {
  const ojson& report = result.report;
  if (Child(report, "rows").is_number()) entry["rows"] = Plain(Child(report, "rows"));
  entry["failures"] = Failures(report);
  entry["inputs"] = InputsOf(result.inputs);
  if (result.champion) {
    entry["champion"] = {{"name", result.champion->name}, {"version", result.champion->version}};
  } else {
    entry.erase("champion");
  }
  switch (gate) {
    case Gate::kData: return DataVerdict(report, result.outcome, entry);
    case Gate::kTraining: return TrainingVerdict(report, result.outcome, entry);
    case Gate::kEvaluation: return EvaluationVerdict(report, result.outcome, entry);
  }
  return {"Failed", "Unknown", ""};
}

}  // namespace modelgate::controllers::candidate
