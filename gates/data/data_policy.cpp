#include "gates/data/data_policy.h"

#include <type_traits>

#include "gates/policy/eval_policy.h"
#include "gates/policy/malformed_row_policy.h"
#include "gates/policy/yaml_fields.h"

namespace modelgate::gates {
namespace {

Status ParseColumn(const YamlFields& y, const std::string& name, const YAML::Node& node, ColumnRule* rule) {
  rule->name = name;
  rule->path = "columns." + name;
  if (Status s = y.CheckMap(node, rule->path, {"type", "required", "min", "max", "allowed", "max_null_rate",
                                               "max_cardinality", "min_cardinality"});
      !s.ok()) {
    return s;
  }
  if (!node["type"].IsDefined()) return y.Error(node, rule->path, "missing 'type' (integer, number, string or boolean)");
  auto type = y.Text(node["type"], rule->path + ".type");
  if (!type.ok()) return type.status();
  if (*type == "integer") rule->type = ColumnType::kInteger;
  else if (*type == "number") rule->type = ColumnType::kNumber;
  else if (*type == "string") rule->type = ColumnType::kString;
  else if (*type == "boolean") rule->type = ColumnType::kBoolean;
  else return y.Error(node["type"], rule->path + ".type", "expected integer, number, string or boolean, got '" + *type + "'");
  if (node["required"].IsDefined()) {
    auto b = y.Boolean(node["required"], rule->path + ".required");
    if (!b.ok()) return b.status();
    rule->required = *b;
  }
  for (auto [key, field] : {std::pair{"min", &rule->min}, std::pair{"max", &rule->max},
                            std::pair{"max_null_rate", &rule->max_null_rate}}) {
    if (Status s = y.OptionalNumber(node, key, rule->path, field); !s.ok()) return s;
  }
  bool numeric = rule->type == ColumnType::kInteger || rule->type == ColumnType::kNumber;
  if ((rule->min || rule->max) && !numeric) {
    return y.Error(node, rule->path, "min and max apply to integer and number columns");
  }
  for (auto [key, field] : {std::pair{"max_cardinality", &rule->max_cardinality},
                            std::pair{"min_cardinality", &rule->min_cardinality}}) {
    if (node[key].IsDefined()) {
      auto n = y.Integer(node[key], rule->path + "." + key);
      if (!n.ok()) return n.status();
      *field = *n;
    }
  }
  if (node["allowed"].IsDefined()) {
    if (!node["allowed"].IsSequence()) return y.Error(node["allowed"], rule->path + ".allowed", "expected a list of values");
    for (const auto& v : node["allowed"]) {
      if (!v.IsScalar()) return y.Error(v, rule->path + ".allowed", "expected plain values");
      rule->allowed.push_back(v.Scalar());
    }
  }
  return Status::Ok();
}

// The psi/ks/js/linf keys of `node`, each {max: N}, into `limits`.
Status ParseDriftLimits(const YamlFields& y, const std::string& path, const YAML::Node& node,
                        std::map<DriftStatistic, double>* limits) {
  for (DriftStatistic s : {DriftStatistic::kPsi, DriftStatistic::kKs, DriftStatistic::kJs, DriftStatistic::kLinf}) {
    const char* key = DriftStatisticName(s);
    if (!node[key].IsDefined()) continue;
    std::string stat_path = path + "." + key;
    if (Status st = y.CheckMap(node[key], stat_path, {"max"}); !st.ok()) return st;
    if (!node[key]["max"].IsDefined()) return y.Error(node[key], stat_path, "missing 'max'");
    auto limit = y.Number(node[key]["max"], stat_path + ".max");
    if (!limit.ok()) return limit.status();
    (*limits)[s] = *limit;
  }
  return Status::Ok();
}

// The row-level keys of `skew:` besides per_column (gates/data/row_skew.h).
const std::vector<std::string> kRowSkewKeys = {"join_key",          "compare",
                                               "max_mismatch_rate", "numeric_tolerance",
                                               "min_joined_rows",   "max_duplicate_keys"};

Status ParseMismatchRate(const YamlFields& y, const YAML::Node& node, const std::string& path,
                         double* out) {
  auto rate = y.Number(node, path);
  if (!rate.ok()) return rate.status();
  if (*rate < 0 || *rate > 1) {
    return y.Error(node, path,
                   "must be between 0 and 1 (a share of the joined rows), got " + node.Scalar());
  }
  *out = *rate;
  return Status::Ok();
}

// node[key], when set: a number (double) or a whole number (int64_t) of at least `least`.
template <typename T>
Status OptionalAtLeast(const YamlFields& y, const YAML::Node& node, const std::string& path,
                       const char* key, T least, const std::string& below, T* out) {
  if (!node[key].IsDefined()) return Status::Ok();
  const std::string field = path + "." + key;
  Result<T> value = [&]() -> Result<T> {
    if constexpr (std::is_same_v<T, double>)
      return y.Number(node[key], field);
    else
      return y.Integer(node[key], field);
  }();
  if (!value.ok()) return value.status();
  if (*value < least) return y.Error(node[key], field, below);
  *out = *value;
  return Status::Ok();
}

// join_key and the keys that go with it; without join_key none of them may be set.
Status ParseRowSkew(const YamlFields& y, const std::string& path, const YAML::Node& node,
                    RowSkewRule* rule) {
  const YAML::Node key = node["join_key"];
  if (!key.IsDefined() || key.IsNull()) {
    for (const auto& k : kRowSkewKeys) {
      if (node[k].IsDefined()) {
        return y.Error(node[k], path + "." + k,
                       "needs join_key (the column that identifies an example in both samples)");
      }
    }
    return Status::Ok();
  }
  auto name = y.Text(key, path + ".join_key");
  if (!name.ok()) return name.status();
  if (name->empty()) return y.Error(key, path + ".join_key", "expected a column name");
  rule->configured = true;
  rule->join_key = *name;
  if (const YAML::Node compare = node["compare"]; compare.IsDefined()) {
    if (!compare.IsSequence()) {
      return y.Error(compare, path + ".compare", "expected a list of column names");
    }
    for (size_t i = 0; i < compare.size(); ++i) {
      auto column = y.Text(compare[i], Index(path + ".compare", i));
      if (!column.ok()) return column.status();
      if (*column == rule->join_key) {
        return y.Error(compare[i], Index(path + ".compare", i),
                       "'" + *column + "' is the join key; it is not compared");
      }
      rule->compare.push_back(*column);
    }
  }
  if (node["max_mismatch_rate"].IsDefined()) {
    if (Status s = ParseMismatchRate(y, node["max_mismatch_rate"], path + ".max_mismatch_rate",
                                     &rule->max_mismatch_rate);
        !s.ok()) {
      return s;
    }
  }
  if (Status s = OptionalAtLeast(y, node, path, "numeric_tolerance", 0.0, "must not be negative",
                                 &rule->numeric_tolerance);
      !s.ok()) {
    return s;
  }
  if (Status s = OptionalAtLeast(y, node, path, "min_joined_rows", int64_t{1},
                                 "must be at least 1 (no joined rows is never a pass)",
                                 &rule->min_joined_rows);
      !s.ok()) {
    return s;
  }
  return OptionalAtLeast(y, node, path, "max_duplicate_keys", int64_t{0}, "must not be negative",
                         &rule->max_duplicate_keys);
}

// `drift:` or, with `row` set, `skew:` (whose block also carries the row-level keys).
Status ParseDrift(const YamlFields& y, const std::string& path, const YAML::Node& node,
                  DriftRule* rule, RowSkewRule* row = nullptr) {
  std::vector<std::string> allowed = {"bins", "columns", "psi", "ks", "js", "linf", "per_column"};
  std::vector<std::string> column_keys = {"psi", "ks", "js", "linf"};
  if (row) {
    allowed.insert(allowed.end(), kRowSkewKeys.begin(), kRowSkewKeys.end());
    column_keys.push_back("max_mismatch_rate");
  }
  if (Status s = y.CheckMap(node, path, allowed); !s.ok()) return s;
  if (row) {
    if (Status s = ParseRowSkew(y, path, node, row); !s.ok()) return s;
  }
  const std::string wanted =
      row ? "set at least one of psi, ks, js, linf with a max, or max_mismatch_rate with join_key"
          : "set at least one of psi, ks, js, linf with a max";
  if (node["bins"].IsDefined()) {
    auto n = y.Integer(node["bins"], path + ".bins");
    if (!n.ok()) return n.status();
    if (*n < 2 || *n > 1000) return y.Error(node["bins"], path + ".bins", "must be between 2 and 1000");
    rule->bins = static_cast<int>(*n);
  }
  if (node["columns"].IsDefined()) {
    if (!node["columns"].IsSequence()) return y.Error(node["columns"], path + ".columns", "expected a list of column names");
    for (const auto& c : node["columns"]) rule->columns.push_back(c.Scalar());
  }
  if (Status s = ParseDriftLimits(y, path, node, &rule->max); !s.ok()) return s;
  const YAML::Node per_column = node["per_column"];
  if (per_column.IsDefined() && !per_column.IsNull()) {
    if (!per_column.IsMap()) {
      return y.Error(per_column, path + ".per_column", "expected a mapping of column names to limits");
    }
    for (auto it = per_column.begin(); it != per_column.end(); ++it) {
      const std::string name = it->first.Scalar();
      const std::string column_path = path + ".per_column." + name;
      if (!it->second.IsMap()) return y.Error(it->second, column_path, "expected a mapping like {psi: {max: 0.1}}");
      if (Status s = y.CheckMap(it->second, column_path, column_keys); !s.ok()) return s;
      std::map<DriftStatistic, double> limits;
      if (Status s = ParseDriftLimits(y, column_path, it->second, &limits); !s.ok()) return s;
      bool has_rate = row && it->second["max_mismatch_rate"].IsDefined();
      if (has_rate) {
        const std::string rate_path = column_path + ".max_mismatch_rate";
        if (!row->configured) {
          return y.Error(it->second["max_mismatch_rate"], rate_path,
                         "needs join_key (the column that identifies an example in both samples)");
        }
        if (name == row->join_key) {
          return y.Error(it->second["max_mismatch_rate"], rate_path,
                         "'" + name + "' is the join key; it is not compared");
        }
        if (Status s = ParseMismatchRate(y, it->second["max_mismatch_rate"], rate_path,
                                         &row->per_column_max[name]);
            !s.ok()) {
          return s;
        }
      }
      if (limits.empty() && !has_rate) return y.Error(it->second, column_path, wanted);
      if (!limits.empty()) rule->per_column[name] = std::move(limits);
    }
  }
  rule->configured = !rule->max.empty() || !rule->per_column.empty();
  if (!rule->configured && !(row && row->configured)) return y.Error(node, path, wanted);
  return Status::Ok();
}

}  // namespace

Result<DataPolicy> ParseDataPolicy(const std::string& yaml_text, const std::string& source_name) {
  YamlFields y(source_name);
  auto doc = y.Load(yaml_text);
  if (!doc.ok()) return doc.status();
  const YAML::Node root = *doc;
  if (!root.IsDefined() || root.IsNull()) return y.Error(root, "", "the policy is empty");
  std::vector<std::string> top_level = {"min_rows", "max_null_rate", "allow_extra_columns", "columns", "drift", "skew"};
  top_level.insert(top_level.end(), kMalformedRowKeys.begin(), kMalformedRowKeys.end());
  if (Status s = y.CheckMap(root, "", top_level); !s.ok()) return s;
  DataPolicy p;
  p.source_name = source_name;
  if (Status s = ParseMalformedRowPolicy(y, root, &p.malformed_rows); !s.ok()) return s;
  if (root["min_rows"].IsDefined()) {
    auto n = y.Integer(root["min_rows"], "min_rows");
    if (!n.ok()) return n.status();
    p.min_rows = *n;
  }
  if (Status s = y.OptionalNumber(root, "max_null_rate", "", &p.max_null_rate); !s.ok()) return s;
  if (root["allow_extra_columns"].IsDefined()) {
    auto b = y.Boolean(root["allow_extra_columns"], "allow_extra_columns");
    if (!b.ok()) return b.status();
    p.allow_extra_columns = *b;
  }
  const YAML::Node columns = root["columns"];
  if (columns.IsDefined() && !columns.IsNull()) {
    if (!columns.IsMap()) return y.Error(columns, "columns", "expected a mapping of column names to rules");
    for (auto it = columns.begin(); it != columns.end(); ++it) {
      ColumnRule rule;
      if (Status s = ParseColumn(y, it->first.Scalar(), it->second, &rule); !s.ok()) return s;
      p.columns.push_back(std::move(rule));
    }
  }
  if (root["drift"].IsDefined()) {
    if (Status s = ParseDrift(y, "drift", root["drift"], &p.drift); !s.ok()) return s;
  }
  if (root["skew"].IsDefined()) {
    if (Status s = ParseDrift(y, "skew", root["skew"], &p.skew, &p.row_skew); !s.ok()) return s;
  }
  return p;
}

Result<DataPolicy> LoadDataPolicy(const std::string& path) {
  auto text = ReadTextFile(path, "policy");
  if (!text.ok()) return text.status();
  size_t slash = path.find_last_of('/');
  return ParseDataPolicy(*text, slash == std::string::npos ? path : path.substr(slash + 1));
}

}  // namespace modelgate::gates
