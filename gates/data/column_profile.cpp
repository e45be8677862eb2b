#include "gates/data/column_profile.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "gates/common/string_map.h"
#include "gates/metrics/sort_doubles.h"

#include "gates/common/text.h"
#include "gates/report/json_number.h"

namespace modelgate::gates {
namespace {

struct Accumulator {
  std::string name;
  int position = -1;
  std::optional<ColumnKind> declared;
  int64_t nulls = 0;
  bool all_numeric = true;
  std::vector<double> numbers;
  StringMap<int64_t> categories;
  bool overflow = false;
  int64_t type_violations = 0;
  int64_t first_violation_line = 0;
  std::string first_violation_text;
};

}  // namespace

std::vector<double> QuantileEdges(const std::vector<double>& sorted, int bins) {
  std::vector<double> edges;
  if (sorted.empty() || bins < 2) return edges;
  for (int i = 1; i < bins; ++i) {
    // Bins are [edge_{i-1}, edge_i): the i-th edge is the value with ceil(i/bins * n) values
    // before it, so that (without ties) each bin holds n/bins values.
    size_t rank = static_cast<size_t>(std::ceil(static_cast<double>(i) * sorted.size() / bins));
    double edge = sorted[std::min(sorted.size() - 1, rank)];
    if (edges.empty() || edge > edges.back()) edges.push_back(edge);
  }
  // Values equal to an edge fall in the bin above it, so an edge at the minimum would leave the
  // first bin empty by construction; drop it.
  if (!edges.empty() && edges.front() <= sorted.front()) edges.erase(edges.begin());
  return edges;
}

std::vector<int64_t> BinCounts(const std::vector<double>& sorted, const std::vector<double>& edges) {
  std::vector<int64_t> counts(edges.size() + 1, 0);
  for (double v : sorted) {
    size_t bin = static_cast<size_t>(std::upper_bound(edges.begin(), edges.end(), v) - edges.begin());
    ++counts[bin];
  }
  return counts;
}

Result<DatasetProfile> ProfileDataset(RecordReader& reader, const ProfileOptions& options) {
  DatasetProfile profile;
  profile.source_name = reader.source_name();
  std::vector<Accumulator> acc;
  const auto& columns = reader.columns();
  profile.all_columns = columns;
  for (size_t i = 0; i < columns.size(); ++i) {
    bool wanted = options.columns.empty() ||
                  std::find(options.columns.begin(), options.columns.end(), columns[i]) != options.columns.end();
    if (!wanted) continue;
    Accumulator a;
    a.name = columns[i];
    a.position = static_cast<int>(i);
    if (auto it = options.declared.find(columns[i]); it != options.declared.end()) a.declared = it->second;
    acc.push_back(std::move(a));
  }
  if (options.count_malformed) {
    profile.malformed.emplace();
    profile.malformed->source = reader.source_name();
  }
  MalformedRows* counter = profile.malformed ? &*profile.malformed : nullptr;
  if (options.observer) {
    if (Status s = options.observer->Start(columns, profile.source_name); !s.ok()) return s;
  }
  Record record;
  for (;;) {
    auto more = NextRecord(reader, record, counter);
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (options.max_rows > 0 && profile.rows >= options.max_rows) {
      return Status(ErrorCode::kLimitExceeded, profile.source_name + ": more than " +
                                                   std::to_string(options.max_rows) +
                                                   " rows (the configured limit)");
    }
    ++profile.rows;
    if (options.observer) options.observer->Row(record);
    for (auto& a : acc) {
      if (record.null[a.position]) {
        ++a.nulls;
        continue;
      }
      std::string_view text = record.fields[a.position];
      if (a.declared == ColumnKind::kNumeric || (!a.declared && a.all_numeric)) {
        auto number = ParseNumber(text);
        if (number) {
          a.numbers.push_back(*number);
        } else {
          if (a.all_numeric && !a.declared) {
            // The column turned out categorical: count the numbers seen so far by their shortest
            // text ("007" is then counted as "7"; mixed columns are rare and this keeps one pass).
            for (double v : a.numbers) {
              if (a.categories.size() >= kMaxTrackedCategories) {
                a.overflow = true;
                break;
              }
              ++a.categories[FormatNumber(v)];
            }
          }
          a.all_numeric = false;
          if (a.declared == ColumnKind::kNumeric) {
            if (a.type_violations++ == 0) {
              a.first_violation_line = record.line;
              a.first_violation_text = Shorten(text);
            }
          }
        }
      }
      // Undeclared columns count categories only once they stop looking numeric (numeric columns
      // have many distinct texts and need none); see the switch below.
      bool track = a.declared == ColumnKind::kCategorical || (!a.declared && !a.all_numeric);
      if (track && !a.overflow) {
        auto it = a.categories.find(text);
        if (it != a.categories.end()) {
          ++it->second;
        } else if (a.categories.size() >= kMaxTrackedCategories) {
          a.overflow = true;
        } else {
          a.categories.emplace(std::string(text), 1);
        }
      }
    }
  }
  for (auto& a : acc) {
    ColumnProfile c;
    c.name = a.name;
    c.count = profile.rows;
    c.nulls = a.nulls;
    bool numeric = a.declared ? *a.declared == ColumnKind::kNumeric : (a.all_numeric && !a.numbers.empty());
    c.kind = numeric ? ColumnKind::kNumeric : ColumnKind::kCategorical;
    c.type_violations = a.type_violations;
    c.first_violation_line = a.first_violation_line;
    c.first_violation_text = a.first_violation_text;
    if (numeric) {
      std::vector<double>& values = c.sorted_values;
      values.reserve(a.numbers.size());
      for (double v : a.numbers) {
        if (std::isfinite(v)) values.push_back(v);
        else ++c.non_finite;
      }
      SortDoubles(values);
      if (!values.empty()) {
        c.min = values.front();
        c.max = values.back();
        double sum = 0;
        for (double v : values) sum += v;
        c.mean = sum / static_cast<double>(values.size());
      }
      int64_t distinct = 0;
      for (size_t i = 0; i < values.size(); ++i) distinct += i == 0 || values[i] != values[i - 1];
      c.distinct = distinct;
      c.edges = QuantileEdges(values, options.bins);
      c.bin_counts = BinCounts(values, c.edges);
    } else {
      c.distinct = static_cast<int64_t>(a.categories.size());
      c.distinct_is_lower_bound = a.overflow;
      if (!a.overflow) c.category_counts.insert(a.categories.begin(), a.categories.end());
    }
    profile.column_order.push_back(c.name);
    profile.columns[c.name] = std::move(c);
  }
  return profile;
}

nlohmann::ordered_json ProfileToJson(const DatasetProfile& profile) {
  using Json = nlohmann::ordered_json;
  Json j;
  j["kind"] = "modelgate-profile";
  j["version"] = 1;
  j["source"] = profile.source_name;
  j["rows"] = profile.rows;
  Json columns = Json::object();
  for (const auto& name : profile.column_order) {
    const ColumnProfile& c = profile.columns.at(name);
    Json col;
    col["type"] = c.kind == ColumnKind::kNumeric ? "numeric" : "categorical";
    col["count"] = c.count;
    col["nulls"] = c.nulls;
    col["null_rate"] = c.count ? JsonNumber(static_cast<double>(c.nulls) / static_cast<double>(c.count)) : Json(nullptr);
    col["distinct"] = c.distinct;
    if (c.distinct_is_lower_bound) col["distinct_is_lower_bound"] = true;
    if (c.kind == ColumnKind::kNumeric) {
      bool any = !c.sorted_values.empty() || !c.bin_counts.empty();
      col["min"] = any ? JsonNumber(c.min) : Json(nullptr);
      col["max"] = any ? JsonNumber(c.max) : Json(nullptr);
      col["mean"] = any ? JsonNumber(c.mean) : Json(nullptr);
      col["non_finite"] = c.non_finite;
      col["histogram"] = {{"edges", c.edges}, {"counts", c.bin_counts}};
    } else {
      Json counts = Json::object();
      for (const auto& [value, n] : c.category_counts) counts[value] = n;
      col["values"] = std::move(counts);
    }
    columns[name] = std::move(col);
  }
  j["columns"] = std::move(columns);
  return j;
}

Result<DatasetProfile> ProfileFromJson(const std::string& json_text, const std::string& source_name) {
  const std::string prefix = "profile " + source_name + ": ";
  auto doc = nlohmann::json::parse(json_text, nullptr, false);
  if (doc.is_discarded()) return Status::Invalid(prefix + "not valid JSON");
  if (!doc.is_object() || doc.value("kind", "") != "modelgate-profile" || !doc.contains("columns") ||
      !doc["columns"].is_object() || !doc.contains("rows") || !doc["rows"].is_number_integer()) {
    return Status::Invalid(prefix + "expected a profile written by `modelgate profile` "
                                    "(\"kind\": \"modelgate-profile\", rows, columns)");
  }
  DatasetProfile profile;
  profile.source_name = source_name;
  profile.from_file = true;
  profile.rows = doc["rows"].get<int64_t>();
  try {
    for (auto it = doc["columns"].begin(); it != doc["columns"].end(); ++it) {
      const auto& col = it.value();
      ColumnProfile c;
      c.name = it.key();
      std::string type = col.at("type").get<std::string>();
      if (type != "numeric" && type != "categorical") {
        return Status::Invalid(prefix + "columns." + c.name + ".type: expected numeric or categorical, got '" + type + "'");
      }
      c.kind = type == "numeric" ? ColumnKind::kNumeric : ColumnKind::kCategorical;
      c.count = col.at("count").get<int64_t>();
      c.nulls = col.at("nulls").get<int64_t>();
      c.distinct = col.at("distinct").get<int64_t>();
      c.distinct_is_lower_bound = col.value("distinct_is_lower_bound", false);
      if (c.kind == ColumnKind::kNumeric) {
        c.edges = col.at("histogram").at("edges").get<std::vector<double>>();
        c.bin_counts = col.at("histogram").at("counts").get<std::vector<int64_t>>();
        if (c.bin_counts.size() != c.edges.size() + 1) {
          return Status::Invalid(prefix + "columns." + c.name + ".histogram: counts must have one more entry than edges");
        }
        if (col.contains("min") && col["min"].is_number()) c.min = col["min"].get<double>();
        if (col.contains("max") && col["max"].is_number()) c.max = col["max"].get<double>();
        if (col.contains("mean") && col["mean"].is_number()) c.mean = col["mean"].get<double>();
      } else {
        for (auto v = col.at("values").begin(); v != col.at("values").end(); ++v) {
          c.category_counts[v.key()] = v.value().get<int64_t>();
        }
      }
      profile.column_order.push_back(c.name);
      profile.all_columns.push_back(c.name);
      profile.columns[c.name] = std::move(c);
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::Invalid(prefix + "malformed column entry: " + e.what());
  }
  return profile;
}

}  // namespace modelgate::gates
