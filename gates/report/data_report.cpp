#include <sstream>

#include "gates/common/text.h"
#include "gates/report/text_footer.h"
#include "gates/data/data_gate.h"
#include "gates/report/json_number.h"

namespace modelgate::gates {
namespace {

using Json = nlohmann::ordered_json;

Json CheckJson(const DataCheck& c) {
  return {{"kind", c.kind}, {"passed", c.status == CheckStatus::kPassed}, {"status", CheckStatusName(c.status)},
          {"value", JsonNumber(c.value)}, {"limit", JsonNumber(c.limit)}, {"detail", c.detail}};
}

Json SectionJson(const DriftSection& s) {
  if (!s.ran) return nullptr;
  Json j;
  j["against"] = s.against;
  Json stats = Json::object();
  for (DriftStatistic st : {DriftStatistic::kPsi, DriftStatistic::kKs, DriftStatistic::kJs, DriftStatistic::kLinf}) {
    Json columns = Json::object();
    double limit = 0;
    bool any = false;
    for (const auto& o : s.results) {
      if (o.statistic != st) continue;
      any = true;
      limit = o.limit;
      Json c;
      c["value"] = o.value.value.defined() ? JsonNumber(o.value.value.value) : Json(nullptr);
      if (!o.value.value.defined()) c["undefined_reason"] = o.value.value.undefined_reason;
      c["passed"] = o.status == CheckStatus::kPassed;
      c["status"] = CheckStatusName(o.status);
      if (!o.value.worst_value.empty()) c["worst_value"] = o.value.worst_value;
      if (o.value.approximate) c["approximate"] = true;
      columns[o.column] = std::move(c);
    }
    if (!any) continue;
    Json stat;
    stat["unit"] = DriftUnit(st);
    stat["limit"] = JsonNumber(limit);
    auto w = s.worst.find(st);
    if (w != s.worst.end()) {
      stat["worst_column"] = s.results[w->second].column;
      stat["worst_value"] = JsonNumber(s.results[w->second].value.value.value);
      if (!s.results[w->second].value.worst_value.empty()) {
        stat["worst_category"] = s.results[w->second].value.worst_value;
      }
    } else {
      stat["worst_column"] = nullptr;
    }
    stat["columns"] = std::move(columns);
    stats[DriftStatisticName(st)] = std::move(stat);
  }
  j["statistics"] = std::move(stats);
  return j;
}

Json RowSkewJson(const RowSkewResult& r) {
  Json j;
  j["join_key"] = r.join_key;
  j["passed"] = r.passed;
  j["training_rows"] = r.training_rows;
  j["serving_rows"] = r.serving_rows;
  j["joined_rows"] = r.joined_rows;
  j["min_joined_rows"] = r.min_joined_rows;
  j["training_only"] = r.training_only;
  j["serving_only"] = r.serving_only;
  j["duplicate_keys"] = r.duplicate_keys;
  j["max_duplicate_keys"] = r.max_duplicate_keys;
  Json columns = Json::array();
  for (const auto& c : r.columns) {
    Json examples = Json::array();
    for (const auto& e : c.examples) {
      examples.push_back({{"key", e.key},
                          {"training", e.training ? Json(*e.training) : Json(nullptr)},
                          {"serving", e.serving ? Json(*e.serving) : Json(nullptr)}});
    }
    columns.push_back(
        {{"name", c.name},
         {"compared", c.compared},
         {"mismatches", c.mismatches},
         {"mismatch_rate", c.mismatch_rate ? JsonNumber(*c.mismatch_rate) : Json(nullptr)},
         {"max", JsonNumber(c.max)},
         {"passed", c.passed},
         {"examples", std::move(examples)}});
  }
  j["columns"] = std::move(columns);
  j["worst_column"] = r.worst_column ? Json(r.columns[*r.worst_column].name) : Json(nullptr);
  return j;
}

// `skew`: the distribution statistics (SectionJson) with `row_level`; null when neither ran.
Json SkewJson(const DataResult& r) {
  Json j = SectionJson(r.skew);
  if (!r.row_skew) {
    if (!j.is_null()) j["row_level"] = nullptr;
    return j;
  }
  if (j.is_null()) j = {{"against", r.row_skew->serving_source}, {"statistics", Json::object()}};
  j["row_level"] = RowSkewJson(*r.row_skew);
  return j;
}

void AppendRowSkewText(const RowSkewResult& r, std::ostringstream& out) {
  auto pad = [](const std::string& s, size_t w) {
    return s + std::string(w > s.size() ? w - s.size() : 0, ' ');
  };
  out << "\nROW-LEVEL SKEW joined on " << r.join_key << ": " << r.joined_rows << " joined rows ("
      << r.training_rows << " training, " << r.serving_rows << " serving; " << r.training_only
      << " training-only, " << r.serving_only << " serving-only, " << r.duplicate_keys
      << " duplicate keys)\n";
  size_t cw = 6;
  for (const auto& c : r.columns) cw = std::max(cw, c.name.size());
  out << pad("COLUMN", cw + 2) << pad("MISMATCHES", 12) << pad("RATE %", 9) << pad("MAX %", 8)
      << pad("RESULT", 9) << "EXAMPLE\n";
  for (const auto& c : r.columns) {
    std::string example;
    if (!c.examples.empty()) {
      const RowSkewExample& e = c.examples.front();
      example = "key " + e.key + ": training " + e.training.value_or("null") + ", serving " +
                e.serving.value_or("null");
    }
    out << pad(c.name, cw + 2) << pad(std::to_string(c.mismatches), 12)
        << pad(c.mismatch_rate ? SharePercent(*c.mismatch_rate) : "n/a", 9)
        << pad(LimitPercent(c.max), 8) << pad(c.passed ? "passed" : "failed", 9) << example << "\n";
  }
  if (r.worst_column) {
    const RowSkewColumn& w = r.columns[*r.worst_column];
    out << "worst mismatch rate: " << w.name << " (" << SharePercent(*w.mismatch_rate) << " %)\n";
  }
}

}  // namespace

Json RenderDataReport(const DataResult& r, const std::string& policy_name, const std::string& data_name) {
  Json j;
  j["gate"] = "data";
  j["passed"] = r.passed;
  j["outcome"] = GateOutcomeName(r.outcome);
  j["rows"] = r.rows;
  j["policy"] = policy_name;
  j["data"] = data_name;
  Json dataset = Json::array();
  for (const auto& c : r.checks) {
    if (c.column.empty()) dataset.push_back(CheckJson(c));
  }
  j["dataset_checks"] = std::move(dataset);
  Json columns = Json::array();
  std::vector<std::string> names = r.profile ? r.profile->column_order : std::vector<std::string>{};
  for (const auto& c : r.checks) {
    if (!c.column.empty() && std::find(names.begin(), names.end(), c.column) == names.end()) names.push_back(c.column);
  }
  for (const auto& name : names) {
    Json col;
    col["name"] = name;
    if (r.profile && r.profile->columns.count(name)) {
      const ColumnProfile& p = r.profile->columns.at(name);
      col["type"] = p.kind == ColumnKind::kNumeric ? "numeric" : "categorical";
      col["rows"] = p.count;
      col["nulls"] = p.nulls;
      col["null_rate"] = p.count ? JsonNumber(static_cast<double>(p.nulls) / static_cast<double>(p.count)) : Json(nullptr);
      col["distinct"] = p.distinct;
      if (p.kind == ColumnKind::kNumeric && !p.sorted_values.empty()) {
        col["min"] = JsonNumber(p.min);
        col["max"] = JsonNumber(p.max);
        col["mean"] = JsonNumber(p.mean);
      }
    } else {
      col["present"] = false;
    }
    Json checks = Json::array();
    bool passed = true;
    for (const auto& c : r.checks) {
      if (c.column != name) continue;
      checks.push_back(CheckJson(c));
      passed = passed && c.status == CheckStatus::kPassed;
    }
    col["passed"] = passed;
    col["checks"] = std::move(checks);
    columns.push_back(std::move(col));
  }
  j["columns"] = std::move(columns);
  j["drift"] = SectionJson(r.drift);
  j["skew"] = SkewJson(r);
  if (!r.malformed_rows.empty()) j["malformed_rows"] = r.malformed_rows;
  j["failures"] = r.failures;
  j["notes"] = r.notes;
  return j;
}

std::string RenderDataText(const DataResult& r, const std::string& policy_name, const std::string& data_name) {
  std::ostringstream out;
  std::string outcome = GateOutcomeName(r.outcome);
  for (auto& c : outcome) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  out << "gate 1 (data validation): " << outcome << "\npolicy " << policy_name << ", data " << data_name
      << ", " << r.rows << " rows\n\n";
  size_t width = 7;
  for (const auto& c : r.checks) width = std::max(width, c.column.size());
  auto pad = [](const std::string& s, size_t w) { return s + std::string(w > s.size() ? w - s.size() : 0, ' '); };
  out << pad("COLUMN", width + 2) << pad("CHECK", 17) << pad("RESULT", 14) << "DETAIL\n";
  for (const auto& c : r.checks) {
    out << pad(c.column.empty() ? "(dataset)" : c.column, width + 2) << pad(c.kind, 17)
        << pad(CheckStatusName(c.status), 14) << c.detail << "\n";
  }
  for (const auto* s : {&r.drift, &r.skew}) {
    if (!s->ran) continue;
    out << "\n" << (s == &r.drift ? "DRIFT" : "SKEW") << " against " << s->against << "\n";
    size_t cw = 6;
    for (const auto& o : s->results) cw = std::max(cw, o.column.size());
    out << pad("COLUMN", cw + 2) << pad("STAT", 6) << pad("VALUE", 10) << pad("MAX", 8) << pad("RESULT", 14) << "UNIT\n";
    for (const auto& o : s->results) {
      std::string value = o.value.value.defined() ? FormatFixed(o.value.value.value, 4) : "n/a";
      if (o.value.approximate) value += "~";
      out << pad(o.column, cw + 2) << pad(DriftStatisticName(o.statistic), 6) << pad(value, 10)
          << pad(FormatNumber(o.limit), 8) << pad(CheckStatusName(o.status), 14) << DriftUnit(o.statistic)
          << (o.value.worst_value.empty() ? "" : "; most moved: '" + o.value.worst_value + "'") << "\n";
    }
    for (const auto& [st, index] : s->worst) {
      out << "worst " << DriftStatisticName(st) << ": " << s->results[index].column << " ("
          << FormatFixed(s->results[index].value.value.value, 4) << ")\n";
    }
  }
  if (r.row_skew) AppendRowSkewText(*r.row_skew, out);
  AppendFindingsAndNotes(out, r.failures, r.notes);
  return out.str();
}

}  // namespace modelgate::gates
