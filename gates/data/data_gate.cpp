#include "gates/data/data_gate.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "gates/common/text.h"

namespace modelgate::gates {
namespace {

bool IsNumericType(ColumnType t) { return t == ColumnType::kInteger || t == ColumnType::kNumber; }

const char* TypeName(ColumnType t) {
  switch (t) {
    case ColumnType::kInteger: return "integer";
    case ColumnType::kNumber: return "number";
    case ColumnType::kString: return "string";
    case ColumnType::kBoolean: return "boolean";
  }
  return "?";
}

void Add(DataResult* r, std::string column, std::string kind, bool pass, double value, double limit,
         std::string detail) {
  r->checks.push_back({std::move(column), std::move(kind), pass ? CheckStatus::kPassed : CheckStatus::kFailed,
                       value, limit, std::move(detail)});
}

void CheckColumn(const DataPolicy& policy, const ColumnRule& rule, const ColumnProfile& c, DataResult* r) {
  const int64_t present = c.count - c.nulls;
  // Type.
  int64_t violations = c.type_violations;
  std::string example = c.type_violations ? "'" + c.first_violation_text + "' on line " +
                                                std::to_string(c.first_violation_line)
                                          : "";
  if (rule.type == ColumnType::kInteger) {
    for (double v : c.sorted_values) {
      if (std::floor(v) != v) {
        if (violations++ == 0 && example.empty()) example = FormatNumber(v);
      }
    }
  }
  if (rule.type == ColumnType::kBoolean) {
    static const std::set<std::string> kBooleans = {"true", "false", "True", "False", "TRUE", "FALSE", "0", "1"};
    for (const auto& [value, n] : c.category_counts) {
      if (!kBooleans.count(value)) {
        if (violations == 0) example = "'" + Shorten(value) + "'";
        violations += n;
      }
    }
  }
  Add(r, rule.name, "type", violations == 0, static_cast<double>(violations), 0,
      violations == 0 ? "all " + std::to_string(present) + " non-null values are " + TypeName(rule.type)
                      : std::to_string(violations) + " of " + std::to_string(present) + " values are not " +
                            TypeName(rule.type) + " (e.g. " + example + ")");
  // Range.
  if (IsNumericType(rule.type)) {
    if (rule.min) {
      auto below = std::lower_bound(c.sorted_values.begin(), c.sorted_values.end(), *rule.min) - c.sorted_values.begin();
      Add(r, rule.name, "min", below == 0, static_cast<double>(below), *rule.min,
          below == 0 ? "no value below " + FormatNumber(*rule.min)
                     : std::to_string(below) + " values below the minimum " + FormatNumber(*rule.min) +
                           " (smallest " + FormatNumber(c.sorted_values.front()) + ")");
    }
    if (rule.max) {
      auto above = c.sorted_values.end() - std::upper_bound(c.sorted_values.begin(), c.sorted_values.end(), *rule.max);
      Add(r, rule.name, "max", above == 0, static_cast<double>(above), *rule.max,
          above == 0 ? "no value above " + FormatNumber(*rule.max)
                     : std::to_string(above) + " values above the maximum " + FormatNumber(*rule.max) +
                           " (largest " + FormatNumber(c.sorted_values.back()) + ")");
    }
  }
  // Allowed values.
  if (!rule.allowed.empty()) {
    if (c.distinct_is_lower_bound || c.kind != ColumnKind::kCategorical) {
      r->checks.push_back({rule.name, "allowed", CheckStatus::kInconclusive, 0, 0,
                           "too many distinct values to check against the allowed list"});
    } else {
      int64_t outside = 0;
      std::vector<std::string> examples;
      for (const auto& [value, n] : c.category_counts) {
        if (std::find(rule.allowed.begin(), rule.allowed.end(), value) == rule.allowed.end()) {
          outside += n;
          if (examples.size() < 3) examples.push_back("'" + Shorten(value) + "'");
        }
      }
      std::string list;
      for (const auto& e : examples) list += (list.empty() ? "" : ", ") + e;
      Add(r, rule.name, "allowed", outside == 0, static_cast<double>(outside), 0,
          outside == 0 ? "every value is allowed"
                       : std::to_string(outside) + " values are not in the allowed list (" + list + ")");
    }
  }
  // Null rate.
  if (auto limit = rule.max_null_rate ? rule.max_null_rate : policy.max_null_rate) {
    double rate = c.count ? static_cast<double>(c.nulls) / static_cast<double>(c.count) : 0;
    Add(r, rule.name, "null_rate", rate <= *limit, rate, *limit,
        FormatFixed(100 * rate, 2) + "% null (" + std::to_string(c.nulls) + " of " + std::to_string(c.count) +
            "); at most " + FormatFixed(100 * *limit, 2) + "% allowed");
  }
  // Cardinality.
  const std::string distinct = std::to_string(c.distinct) + (c.distinct_is_lower_bound ? "+" : "");
  if (rule.max_cardinality) {
    Add(r, rule.name, "max_cardinality", c.distinct <= *rule.max_cardinality, static_cast<double>(c.distinct),
        static_cast<double>(*rule.max_cardinality),
        distinct + " distinct values; at most " + std::to_string(*rule.max_cardinality) + " allowed");
  }
  if (rule.min_cardinality) {
    Add(r, rule.name, "min_cardinality", c.distinct >= *rule.min_cardinality, static_cast<double>(c.distinct),
        static_cast<double>(*rule.min_cardinality),
        distinct + " distinct values; at least " + std::to_string(*rule.min_cardinality) + " required");
  }
}

DriftSection CompareProfiles(const DriftRule& rule, const DataPolicy& policy, const DatasetProfile& base,
                             const DatasetProfile& current) {
  DriftSection section;
  section.ran = true;
  section.against = base.source_name;
  std::vector<std::string> columns = rule.columns;
  if (columns.empty()) {
    for (const auto& c : policy.columns) columns.push_back(c.name);
  }
  if (columns.empty()) columns = current.column_order;
  for (const auto& [name, limits] : rule.per_column) {
    if (std::find(columns.begin(), columns.end(), name) == columns.end()) columns.push_back(name);
  }
  for (const auto& name : columns) {
    auto cur = current.columns.find(name);
    auto b = base.columns.find(name);
    // The section's limits, with this column's own limits (per_column) taking precedence.
    std::map<DriftStatistic, double> limits = rule.max;
    if (auto own = rule.per_column.find(name); own != rule.per_column.end()) {
      for (const auto& [statistic, limit] : own->second) limits[statistic] = limit;
    }
    for (const auto& [statistic, limit] : limits) {
      DriftOutcome o{name, statistic, {}, limit, CheckStatus::kPassed};
      if (cur == current.columns.end() || b == base.columns.end()) {
        o.value.value = MetricValue::Undefined(
            "column missing from " + (cur == current.columns.end() ? current.source_name : base.source_name));
        o.status = CheckStatus::kInconclusive;
      } else {
        o.value = ComputeDrift(statistic, b->second, cur->second);
        bool not_applicable = !o.value.value.defined() &&
                              (o.value.value.undefined_reason.find("applies to") != std::string::npos);
        if (not_applicable) continue;
        o.status = !o.value.value.defined() ? CheckStatus::kInconclusive
                   : o.value.value.value <= limit ? CheckStatus::kPassed
                                                  : CheckStatus::kFailed;
      }
      section.results.push_back(std::move(o));
      const DriftOutcome& added = section.results.back();
      if (added.value.value.defined()) {
        auto w = section.worst.find(statistic);
        if (w == section.worst.end() || added.value.value.value > section.results[w->second].value.value.value) {
          section.worst[statistic] = section.results.size() - 1;
        }
      }
    }
  }
  return section;
}

}  // namespace

ProfileOptions DataProfileOptions(const DataPolicy& policy, int64_t max_rows) {
  ProfileOptions options;
  options.max_rows = max_rows;
  options.count_malformed = policy.malformed_rows.count;
  options.bins = policy.drift.configured ? policy.drift.bins : policy.skew.configured ? policy.skew.bins : 10;
  if (policy.columns.empty() && policy.max_null_rate) {
    // Null rates of every column: profile them all.
  } else if (policy.columns.empty()) {
    std::set<std::string> wanted(policy.drift.columns.begin(), policy.drift.columns.end());
    wanted.insert(policy.skew.columns.begin(), policy.skew.columns.end());
    for (const auto* rule : {&policy.drift, &policy.skew}) {
      for (const auto& [name, limits] : rule->per_column) wanted.insert(name);
    }
    bool all = (policy.drift.configured && policy.drift.columns.empty()) ||
               (policy.skew.configured && policy.skew.columns.empty());
    if (!all) options.columns.assign(wanted.begin(), wanted.end());
  } else {
    std::set<std::string> wanted;
    for (const auto& c : policy.columns) {
      wanted.insert(c.name);
      options.declared[c.name] = IsNumericType(c.type) ? ColumnKind::kNumeric : ColumnKind::kCategorical;
    }
    for (const auto& c : policy.drift.columns) wanted.insert(c);
    for (const auto& c : policy.skew.columns) wanted.insert(c);
    for (const auto* rule : {&policy.drift, &policy.skew}) {
      for (const auto& [name, limits] : rule->per_column) wanted.insert(name);
    }
    options.columns.assign(wanted.begin(), wanted.end());
  }
  return options;
}

DataResult RunDataGate(const DataPolicy& policy, const DatasetProfile& current,
                       const DatasetProfile* baseline, const DatasetProfile* serving,
                       const RowSkewResult* row_skew) {
  DataResult r;
  r.rows = current.rows;
  r.profile = &current;
  Add(&r, "", "rows", current.rows >= policy.min_rows, static_cast<double>(current.rows),
      static_cast<double>(policy.min_rows),
      std::to_string(current.rows) + " rows; at least " + std::to_string(policy.min_rows) + " required");
  for (const auto& rule : policy.columns) {
    auto it = current.columns.find(rule.name);
    if (it == current.columns.end()) {
      if (rule.required) {
        std::string hint = NearestName(rule.name, current.all_columns);
        Add(&r, rule.name, "present", false, 0, 1,
            "missing column" + (hint.empty() ? std::string() : " (did you mean '" + hint + "'?)"));
      } else {
        r.notes.push_back("optional column " + rule.name + " is absent");
      }
      continue;
    }
    CheckColumn(policy, rule, it->second, &r);
  }
  if (policy.columns.empty() && policy.max_null_rate) {
    for (const auto& name : current.column_order) {
      ColumnRule implicit;
      implicit.name = name;
      const auto& c = current.columns.at(name);
      double rate = c.count ? static_cast<double>(c.nulls) / static_cast<double>(c.count) : 0;
      Add(&r, name, "null_rate", rate <= *policy.max_null_rate, rate, *policy.max_null_rate,
          FormatFixed(100 * rate, 2) + "% null; at most " + FormatFixed(100 * *policy.max_null_rate, 2) + "% allowed");
    }
  }
  if (!policy.allow_extra_columns && !policy.columns.empty()) {
    for (const auto& name : current.all_columns) {
      bool known = std::any_of(policy.columns.begin(), policy.columns.end(),
                               [&](const ColumnRule& c) { return c.name == name; });
      if (!known) Add(&r, name, "expected", false, 0, 0, "the column is not in the schema (allow_extra_columns: false)");
    }
  }
  if (policy.drift.configured) {
    if (baseline) {
      r.drift = CompareProfiles(policy.drift, policy, *baseline, current);
    } else {
      r.notes.push_back("drift checks were skipped: no --baseline was given");
    }
  }
  if (policy.skew.configured) {
    if (serving) {
      r.skew = CompareProfiles(policy.skew, policy, current, *serving);
      r.skew.against =
          serving->source_name;  // the training data is the reference, serving is compared
    } else {
      r.notes.push_back("skew checks were skipped: no --serving sample was given");
    }
  }
  if (policy.row_skew.configured) {
    if (row_skew) {
      r.row_skew = *row_skew;
      r.notes.insert(r.notes.end(), row_skew->notes.begin(), row_skew->notes.end());
    } else {
      r.notes.push_back(
          "row-level skew checks (skew.join_key) were skipped: no --serving sample was given");
    }
  }

  if (policy.malformed_rows.count) {
    for (const DatasetProfile* p : {&current, baseline, serving}) {
      if (p == nullptr || !p->malformed) continue;
      auto failure = MalformedRowsFailure(policy.malformed_rows, *p->malformed, p->rows);
      r.checks.push_back({"", "malformed_rows", failure ? CheckStatus::kFailed : CheckStatus::kPassed,
                          static_cast<double>(p->malformed->count),
                          static_cast<double>(policy.malformed_rows.max_rows.value_or(-1)),
                          failure ? *failure : MalformedRowsText(policy.malformed_rows, *p->malformed, p->rows)});
      r.malformed_rows.push_back(MalformedRowsJson(policy.malformed_rows, *p->malformed, p->rows));
    }
  }

  bool failed = false, inconclusive = false;
  for (const auto& c : r.checks) {
    if (c.status == CheckStatus::kPassed) continue;
    failed |= c.status == CheckStatus::kFailed;
    inconclusive |= c.status == CheckStatus::kInconclusive;
    r.failures.push_back((c.column.empty() ? std::string("dataset") : "column " + c.column) + ": " + c.kind +
                         (c.status == CheckStatus::kInconclusive ? " inconclusive: " : " failed: ") + c.detail);
  }
  for (const auto* section : {&r.drift, &r.skew}) {
    const char* label = section == &r.drift ? "drift" : "skew";
    for (const auto& o : section->results) {
      if (o.status == CheckStatus::kPassed) continue;
      failed |= o.status == CheckStatus::kFailed;
      inconclusive |= o.status == CheckStatus::kInconclusive;
      std::string head = std::string(label) + " column " + o.column + ": " + DriftStatisticName(o.statistic);
      if (o.status == CheckStatus::kInconclusive) {
        r.failures.push_back(head + " inconclusive: " + o.value.value.undefined_reason);
      } else {
        r.failures.push_back(head + " = " + FormatFixed(o.value.value.value, 4) + " " + DriftUnit(o.statistic) +
                             " exceeds the maximum " + FormatNumber(o.limit) +
                             (o.value.worst_value.empty() ? "" : "; the value that moved most is '" + o.value.worst_value + "'") +
                             " (against " + section->against + ")");
      }
    }
  }
  if (r.row_skew) {
    failed |= !r.row_skew->passed;
    r.failures.insert(r.failures.end(), r.row_skew->failures.begin(), r.row_skew->failures.end());
  }
  r.outcome = failed ? GateOutcome::kFailed : inconclusive ? GateOutcome::kInconclusive : GateOutcome::kPassed;
  r.passed = r.outcome == GateOutcome::kPassed;
  return r;
}

}  // namespace modelgate::gates
