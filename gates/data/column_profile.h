// Column profiles: what gate 1 and `modelgate profile` know about a column after one pass.
// A profile can be computed from data (ProfileDataset) or read back from a profile JSON written by
// `modelgate profile` (ProfileFromJson), and both drive the same drift statistics.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gates/common/status.h"
#include "gates/io/malformed_rows.h"
#include "gates/io/record_reader.h"

namespace modelgate::gates {

enum class ColumnKind { kNumeric, kCategorical };

// Categorical columns keep exact counts of up to this many distinct values; beyond it the column
// is "high cardinality": distinct is reported as a lower bound and categorical drift is skipped.
inline constexpr size_t kMaxTrackedCategories = 10000;

struct ColumnProfile {
  std::string name;
  ColumnKind kind = ColumnKind::kNumeric;
  int64_t count = 0;  // rows, including nulls
  int64_t nulls = 0;
  int64_t distinct = 0;
  bool distinct_is_lower_bound = false;
  // Numeric: summary, the sorted finite values when computed from data (for exact KS and
  // quantiles), and a histogram on quantile edges of this column (interior edges only: bin i is
  // [edges[i-1], edges[i]) with -inf/+inf outside).
  double min = 0, max = 0, mean = 0;
  int64_t non_finite = 0;  // NaN / inf values among the non-null ones
  std::vector<double> sorted_values;
  std::vector<double> edges;
  std::vector<int64_t> bin_counts;
  // Categorical: exact counts per value (empty when high cardinality).
  std::map<std::string, int64_t> category_counts;
  // Rows whose text did not parse as the declared/inferred type (numeric columns only).
  int64_t type_violations = 0;
  int64_t first_violation_line = 0;
  std::string first_violation_text;
};

struct DatasetProfile {
  std::string source_name;
  int64_t rows = 0;
  std::vector<std::string> column_order;  // profiled columns, in data order
  std::vector<std::string> all_columns;   // every column of the source
  std::map<std::string, ColumnProfile> columns;
  bool from_file = false;  // read from a saved profile (no raw values)
  // Rows left out as malformed (ProfileOptions::count_malformed); absent in error mode and for
  // saved profiles.
  std::optional<MalformedRows> malformed;
};

// A second consumer of ProfileDataset's one pass over a source (gate 1's row-level skew join,
// gates/data/row_skew.h), so that a source that cannot be re-read (stdin, an HTTP body) is read
// once.
class RowObserver {
 public:
  virtual ~RowObserver() = default;
  // Called once, after the header is known and before the first row; an error ends the pass with
  // it (ProfileDataset returns it).
  virtual Status Start(const std::vector<std::string>& columns, const std::string& source_name) = 0;
  // Every row that the profile counts (malformed rows left out under count_malformed are not
  // passed); the record's views are valid only during the call.
  virtual void Row(const Record& record) = 0;
};

struct ProfileOptions {
  // Columns to profile (empty: all). Declared kinds override inference.
  std::vector<std::string> columns;
  std::map<std::string, ColumnKind> declared;
  int bins = 10;
  int64_t max_rows = 0;  // 0 = unlimited
  // Count malformed records (kMalformedRow) into DatasetProfile::malformed and go on, instead of
  // failing on the first.
  bool count_malformed = false;
  RowObserver* observer = nullptr;  // not owned; nullptr: none
};

// One pass over the reader. A column is numeric when every non-null value parses as a number
// (unless declared); otherwise categorical. Unknown requested columns are simply absent from the
// result (the gate reports them).
Result<DatasetProfile> ProfileDataset(RecordReader& reader, const ProfileOptions& options);

// Histogram of `sorted` on `edges` (see ColumnProfile::edges).
std::vector<int64_t> BinCounts(const std::vector<double>& sorted, const std::vector<double>& edges);

// Interior quantile edges for `bins` bins (deduplicated), from sorted finite values.
std::vector<double> QuantileEdges(const std::vector<double>& sorted, int bins);

// The profile file format of `modelgate profile` (docs/report.md).
nlohmann::ordered_json ProfileToJson(const DatasetProfile& profile);
Result<DatasetProfile> ProfileFromJson(const std::string& json_text, const std::string& source_name);

}  // namespace modelgate::gates
