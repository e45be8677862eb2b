// The gate-1 policy (data and feature validation), e.g.
//   min_rows: 100
//   max_null_rate: 0.05              # default for every column in the schema
//   allow_extra_columns: true
//   columns:
//     account_age_days: {type: integer, min: 0}
//     platform: {type: string, allowed: [mobile, desktop, tablet]}
//     region: {type: string, max_cardinality: 20, max_null_rate: 0.0}
//     transaction_amount: {type: number, min: 0, required: true}
//   drift:                           # against --baseline (a dataset or a saved profile)
//     bins: 10
//     columns: [platform, transaction_amount]   # default: every column of the schema
//     psi: {max: 0.2}
//     ks: {max: 0.1}
//     js: {max: 0.05}
//     linf: {max: 0.1}
//     per_column:                    # a column's own limits, overriding the ones above
//       transaction_amount: {psi: {max: 0.1}}
//   skew:                            # training (--data) against serving (--serving)
//     js: {max: 0.05}
//     join_key: transaction_id       # row-level skew: the same example compared field by field
//     compare: [platform, transaction_amount]   # default: every column in both samples
//     max_mismatch_rate: 0.01
//     per_column:
//       transaction_amount: {max_mismatch_rate: 0.0}
//   on_malformed_row: count          # with max_malformed_rows / max_malformed_rate
//                                    # (gates/io/malformed_rows.h)
// Semantics: docs/policy.md ("Gate 1").
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gates/common/status.h"
#include "gates/data/drift.h"
#include "gates/io/malformed_rows.h"

namespace modelgate::gates {

enum class ColumnType { kInteger, kNumber, kString, kBoolean };

struct ColumnRule {
  std::string name;
  std::string path;
  ColumnType type = ColumnType::kString;
  bool required = true;
  std::optional<double> min, max;
  std::vector<std::string> allowed;
  std::optional<double> max_null_rate;
  std::optional<int64_t> max_cardinality, min_cardinality;
};

struct DriftRule {
  bool configured = false;
  int bins = 10;
  std::vector<std::string> columns;  // empty: every schema column (or every column)
  std::map<DriftStatistic, double> max;  // statistic -> limit (value <= limit passes)
  // per_column: {name: {psi: {max: ..}, ...}}: a column's own limits, overriding (or adding to)
  // `max` for that column; the column is compared even when not in `columns`.
  std::map<std::string, std::map<DriftStatistic, double>> per_column;
};

// The row-level part of `skew:` (gates/data/row_skew.h): training and serving rows joined on
// `join_key`, each compared column's share of joined rows whose values differ.
struct RowSkewRule {
  bool configured = false;  // join_key is set
  std::string join_key;
  std::vector<std::string> compare;  // empty: every column in both samples except the key
  double max_mismatch_rate = 0;      // per compared column; 0 = any difference fails
  double numeric_tolerance = 1e-9;   // |a-b| <= tolerance * max(1, |a|, |b|) is equal
  int64_t min_joined_rows = 1;
  int64_t max_duplicate_keys = 0;
  std::map<std::string, double> per_column_max;  // per_column.<name>.max_mismatch_rate
};

struct DataPolicy {
  std::string source_name;
  int64_t min_rows = 1;
  std::optional<double> max_null_rate;
  bool allow_extra_columns = true;
  std::vector<ColumnRule> columns;
  DriftRule drift, skew;              // skew.configured: the distribution statistics are set
  RowSkewRule row_skew;               // from the same `skew:` block
  MalformedRowPolicy malformed_rows;  // applies to --data, --baseline and --serving alike
};

Result<DataPolicy> ParseDataPolicy(const std::string& yaml_text, const std::string& source_name);
Result<DataPolicy> LoadDataPolicy(const std::string& path);

}  // namespace modelgate::gates
