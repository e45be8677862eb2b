#include "gates/evaluation/eval_data.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

#include "gates/common/string_map.h"
#include "gates/common/text.h"
#include "gates/io/csv_split.h"

namespace modelgate::gates {
namespace {

struct Binder {
  const std::vector<std::string>& columns;
  const std::string& source;

  // Position of `name`, or an error naming who needs it and the nearest existing column.
  Result<int> Require(const std::string& name, const std::string& needed_by) const {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (columns[i] == name) return static_cast<int>(i);
    }
    std::string hint = NearestName(name, columns);
    return Status::Invalid(source + ": missing column '" + name + "' (needed by " + needed_by + ")" +
                           (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
  int Find(const std::string& name) const {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (columns[i] == name) return static_cast<int>(i);
    }
    return -1;
  }
};

std::string Where(const std::string& source, const Record& record, const std::string& column) {
  return source + " line " + std::to_string(record.line) + ": column " + column;
}

// A finite number from a required field (label or score).
Status ParseRequired(const std::string& source, const Record& record, int position,
                     const std::string& column, const char* role, double* out) {
  if (record.null[position]) {
    return Status::Invalid(Where(source, record, column) + " is empty (every row needs a " + role + ")");
  }
  auto number = ParseNumber(record.fields[position]);
  if (!number) {
    return Status::Invalid(Where(source, record, column) + ": expected a number, got '" +
                           Shorten(record.fields[position]) + "'");
  }
  if (!std::isfinite(*number)) {
    return Status::Invalid(Where(source, record, column) + ": " + FormatNumber(*number) +
                           " is not a valid " + role);
  }
  *out = *number;
  return Status::Ok();
}

// Below this a file is read in one part: a second thread would not pay for itself.
constexpr uint64_t kTwoPartMinBytes = 16 << 20;
// At most this many rows are reserved ahead per column (512 MB of doubles, mostly untouched).
constexpr size_t kMaxReservedRows = size_t{1} << 26;

// Appends `part` and releases its memory at once, so that merging two halves of a large file
// never holds more than one column twice.
template <typename T>
void AppendAll(std::vector<T>* into, std::vector<T>& part) {
  if (into->empty()) {
    into->swap(part);
  } else {
    into->reserve(into->size() + part.size());
    into->insert(into->end(), part.begin(), part.end());
  }
  std::vector<T>().swap(part);
}

// True when any rule of the policy satisfies `wanted`.
template <typename Predicate>
bool AnyRule(const EvalPolicy& policy, Predicate wanted) {
  auto scan = [&](const SlicePolicy& slice) {
    for (const auto& rule : slice.metrics) {
      if (wanted(rule.metric)) return true;
    }
    return false;
  };
  if (scan(policy.global)) return true;
  for (const auto& slice : policy.slices) {
    if (scan(slice)) return true;
  }
  return false;
}

bool NeedsBinaryLabels(const EvalPolicy& policy) {
  return AnyRule(policy, [](MetricId m) { return GetMetric(m).binary_labels; });
}

// Labels as numbers are kept only for the regression metrics (10M rows: 80 MB otherwise unused).
bool NeedsNumericLabels(const EvalPolicy& policy) {
  return AnyRule(policy, [](MetricId m) {
    return m == MetricId::kRmse || m == MetricId::kMae || m == MetricId::kR2;
  });
}

}  // namespace

Result<EvalData> LoadEvalData(const EvalPolicy& policy, RecordReader& reader,
                              const EvalLimits& limits, int64_t expected_rows) {
  const std::string& source = reader.source_name();
  Binder binder{reader.columns(), source};
  EvalData data;
  data.binary_labels = NeedsBinaryLabels(policy);
  const bool numeric_labels = NeedsNumericLabels(policy);

  auto label_at = binder.Require(policy.columns.label, "columns.label");
  if (!label_at.ok()) return label_at.status();
  auto score_at = binder.Require(policy.columns.score, "columns.score");
  if (!score_at.ok()) return score_at.status();
  int champion_at = binder.Find(policy.columns.champion_score);
  data.has_champion = champion_at >= 0;

  // Protected attributes named by fairness rules.
  std::vector<std::pair<std::string, int>> attributes;
  auto add_attributes = [&](const SlicePolicy& slice) -> Status {
    for (const auto& rule : slice.metrics) {
      if (!GetMetric(rule.metric).fairness) continue;
      std::string column = rule.protected_attribute.value_or(policy.columns.protected_attribute);
      auto at = binder.Require(column, rule.path + " as its protected attribute; set "
                                                   "columns.protected_attribute or " +
                                           rule.path + ".protected_attribute");
      if (!at.ok()) return at.status();
      bool seen = false;
      for (auto& a : attributes) seen = seen || a.first == column;
      if (!seen) attributes.emplace_back(column, *at);
    }
    return Status::Ok();
  };
  if (Status s = add_attributes(policy.global); !s.ok()) return s;
  for (const auto& slice : policy.slices) {
    if (Status s = add_attributes(slice); !s.ok()) return s;
  }

  // Numeric columns of behavioral tests (null allowed: such rows are left out of that test).
  std::vector<std::pair<std::string, int>> extra;
  auto add_extra = [&](const std::string& column, const std::string& needed_by) -> Status {
    if (column == policy.columns.score) return Status::Ok();
    for (auto& e : extra) {
      if (e.first == column) return Status::Ok();
    }
    auto at = binder.Require(column, needed_by);
    if (!at.ok()) return at.status();
    extra.emplace_back(column, *at);
    return Status::Ok();
  };
  for (const auto& test : policy.behavioral_tests) {
    std::string needed_by = test.path + " ('" + test.name + "')";
    for (const auto& [canonical, perturbed] : test.input_pairs) {
      if (Status s = add_extra(canonical, needed_by); !s.ok()) return s;
      if (Status s = add_extra(perturbed, needed_by); !s.ok()) return s;
    }
    if (test.kind == BehavioralTest::Kind::kDirectional) {
      if (Status s = add_extra(test.feature, needed_by); !s.ok()) return s;
      if (!test.score_column.empty()) {
        if (Status s = add_extra(test.score_column, needed_by); !s.ok()) return s;
      }
    }
  }

  // Slice filters, bound to this data's columns.
  std::vector<SliceFilter> filters;
  for (const auto& slice : policy.slices) {
    auto parsed = SliceFilter::Parse(slice.filter->text(), "policy " + policy.source_name + ": " +
                                                                slice.path + ".filter");
    if (!parsed.ok()) return parsed.status();
    if (Status s = parsed->Bind(reader.columns(), source); !s.ok()) return s;
    filters.push_back(std::move(parsed).value());
  }
  data.slice_rows.resize(filters.size());

  std::vector<StringMap<int32_t>> attribute_codes(attributes.size());
  for (const auto& [column, at] : attributes) data.attributes[column];
  for (const auto& [column, at] : extra) data.extra[column];
  std::vector<Categorical*> attribute_out;
  for (const auto& a : attributes) attribute_out.push_back(&data.attributes[a.first]);
  std::vector<std::vector<double>*> extra_out;
  for (const auto& e : extra) extra_out.push_back(&data.extra[e.first]);

  if (expected_rows > 0) {
    // Capped: an estimate from a file's first lines can be far off, and one allocation beyond
    // what the machine can map would end the process.
    const auto reserve = std::min<size_t>(
        static_cast<size_t>(static_cast<double>(expected_rows) * 1.1) + 1024, kMaxReservedRows);
    if (numeric_labels) data.labels.reserve(reserve);
    if (data.binary_labels) data.binary.reserve(reserve);
    data.scores.reserve(reserve);
    if (data.has_champion) data.champion.reserve(reserve);
    for (auto* a : attribute_out) a->codes.reserve(reserve);
    for (auto* e : extra_out) e->reserve(reserve);
    for (auto& rows : data.slice_rows) rows.reserve(reserve);
  }

  MalformedRows* counter = policy.malformed_rows.count ? &data.malformed : nullptr;
  data.malformed.source = source;
  // One row's values are all validated before any is stored, so that a row counted as malformed
  // leaves no trace in any column.
  std::vector<double> extra_values(extra.size());
  std::vector<uint8_t> in_slice(filters.size());
  Record record;
  for (;;) {
    auto more = NextRecord(reader, record, counter);
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (limits.max_rows > 0 && data.rows >= limits.max_rows) {
      return Status(ErrorCode::kLimitExceeded, source + ": more than " +
                                                   std::to_string(limits.max_rows) +
                                                   " rows (the configured limit)");
    }
    double label = 0, score = 0, champion = 0;
    Status row_error = [&]() -> Status {
      if (Status s = ParseRequired(source, record, *label_at, policy.columns.label, "label", &label); !s.ok()) {
        if (!data.binary_labels || record.null[*label_at]) return s;
        std::string_view text = record.fields[*label_at];
        if (text != "true" && text != "false") {
          return Status::Invalid(Where(source, record, policy.columns.label) +
                                 ": expected 0 or 1, got '" + Shorten(text) + "'");
        }
        label = text == "true" ? 1 : 0;
      }
      if (data.binary_labels && label != 0 && label != 1) {
        return Status::Invalid(Where(source, record, policy.columns.label) +
                               ": expected 0 or 1, got '" + Shorten(record.fields[*label_at]) +
                               "' (the policy's classification metrics need binary labels)");
      }
      if (Status s = ParseRequired(source, record, *score_at, policy.columns.score, "score", &score); !s.ok()) {
        return s;
      }
      if (champion_at >= 0) {
        if (Status s = ParseRequired(source, record, champion_at, policy.columns.champion_score,
                                     "champion score", &champion);
            !s.ok()) {
          return s;
        }
      }
      for (size_t e = 0; e < extra.size(); ++e) {
        int at = extra[e].second;
        extra_values[e] = std::nan("");
        if (record.null[at]) continue;
        auto number = ParseNumber(record.fields[at]);
        if (!number || !std::isfinite(*number)) {
          return Status::Invalid(Where(source, record, extra[e].first) +
                                 ": expected a finite number (or an empty field), got '" +
                                 Shorten(record.fields[at]) + "'");
        }
        extra_values[e] = *number;
      }
      for (size_t f = 0; f < filters.size(); ++f) {
        Status error;
        in_slice[f] = filters[f].Evaluate(record, source, &error) == Truth::kTrue;
        if (!error.ok()) return error;
      }
      return Status::Ok();
    }();
    if (!row_error.ok()) {
      if (counter == nullptr) return row_error;
      counter->Add(record.line, row_error.message());
      continue;
    }
    const auto row = static_cast<uint32_t>(data.rows);
    if (data.binary_labels) data.binary.push_back(static_cast<uint8_t>(label));
    if (numeric_labels) data.labels.push_back(label);
    data.scores.push_back(score);
    if (champion_at >= 0) data.champion.push_back(champion);
    for (size_t a = 0; a < attributes.size(); ++a) {
      int at = attributes[a].second;
      if (record.null[at]) {
        attribute_out[a]->codes.push_back(-1);
        continue;
      }
      std::string_view value = record.fields[at];
      auto it = attribute_codes[a].find(value);
      if (it == attribute_codes[a].end()) {
        it = attribute_codes[a].emplace(std::string(value), static_cast<int32_t>(attribute_out[a]->names.size())).first;
        attribute_out[a]->names.emplace_back(value);
      }
      attribute_out[a]->codes.push_back(it->second);
    }
    for (size_t e = 0; e < extra.size(); ++e) extra_out[e]->push_back(extra_values[e]);
    for (size_t f = 0; f < filters.size(); ++f) {
      if (in_slice[f]) data.slice_rows[f].push_back(row);
    }
    ++data.rows;
  }
  return data;
}

void AppendEvalData(EvalData* into, EvalData&& part) {
  const auto offset = static_cast<uint32_t>(into->rows);
  into->rows += part.rows;
  AppendAll(&into->labels, part.labels);
  AppendAll(&into->binary, part.binary);
  AppendAll(&into->scores, part.scores);
  AppendAll(&into->champion, part.champion);
  for (auto& [column, categorical] : part.attributes) {
    Categorical& target = into->attributes[column];
    StringMap<int32_t> code_of;
    for (size_t c = 0; c < target.names.size(); ++c) {
      code_of.emplace(target.names[c], static_cast<int32_t>(c));
    }
    std::vector<int32_t> remap(categorical.names.size());
    for (size_t c = 0; c < categorical.names.size(); ++c) {
      const std::string& name = categorical.names[c];
      auto [it, added] = code_of.emplace(name, static_cast<int32_t>(target.names.size()));
      if (added) target.names.push_back(name);
      remap[c] = it->second;
    }
    for (int32_t& code : categorical.codes) code = code < 0 ? code : remap[code];
    AppendAll(&target.codes, categorical.codes);
  }
  for (auto& [column, values] : part.extra) AppendAll(&into->extra[column], values);
  into->slice_rows.resize(std::max(into->slice_rows.size(), part.slice_rows.size()));
  for (size_t f = 0; f < part.slice_rows.size(); ++f) {
    for (uint32_t& r : part.slice_rows[f]) r += offset;
    AppendAll(&into->slice_rows[f], part.slice_rows[f]);
  }
  into->malformed.Merge(part.malformed);
}

Result<EvalData> LoadEvalData(const EvalPolicy& policy, const std::string& location,
                              const ReadOptions& options, const EvalLimits& limits) {
  // A row limit is judged on the whole file in order: read it in one part.
  const uint64_t min_bytes = limits.max_rows > 0 ? UINT64_MAX : kTwoPartMinBytes;
  std::function<Result<EvalData>(RecordReader&, int64_t)> load = [&](RecordReader& reader,
                                                                     int64_t expected_rows) {
    return LoadEvalData(policy, reader, limits, expected_rows);
  };
  auto parts = LoadInParts<EvalData>(location, options, min_bytes, load);
  if (!parts.ok()) return parts.status();
  EvalData data = std::move(parts->front());
  for (size_t i = 1; i < parts->size(); ++i) AppendEvalData(&data, std::move((*parts)[i]));
  return data;
}

}  // namespace modelgate::gates
