// Materialises the columns gate 3 needs from a record stream, in one pass: label, score, the
// champion score (when the column exists), protected attributes, the columns of behavioral tests,
// and each slice's row indices (filters are evaluated on the raw fields while streaming, so filter
// columns are never stored). Internal to gates/evaluation.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gates/common/status.h"
#include "gates/io/malformed_rows.h"
#include "gates/io/record_reader.h"
#include "gates/policy/eval_policy.h"

namespace modelgate::gates {

struct Categorical {
  std::vector<int32_t> codes;  // per row; -1 for null
  std::vector<std::string> names;
};

struct EvalData {
  int64_t rows = 0;
  bool binary_labels = false;
  std::vector<double> labels;   // only when a regression metric (rmse, mae, r2) needs them
  std::vector<uint8_t> binary;  // labels as 0/1 when binary_labels
  std::vector<double> scores;
  bool has_champion = false;
  std::vector<double> champion;
  std::map<std::string, Categorical> attributes;      // protected attributes by column
  std::map<std::string, std::vector<double>> extra;   // behavioral columns; NaN for null
  std::vector<std::vector<uint32_t>> slice_rows;      // per policy slice
  MalformedRows malformed;  // rows left out under on_malformed_row: count (not in `rows`)
};

struct EvalLimits {
  int64_t max_rows = 0;  // 0 = unlimited; more rows is a kLimitExceeded error
};

// Errors name the source and line: a missing column (with the nearest existing name), a null or
// non-numeric label or score, a label outside {0, 1} when a metric needs binary labels, a NaN or
// infinite score, a non-numeric value compared with a number in a filter. Under the policy's
// on_malformed_row: count, such rows (and the reader's malformed records) are counted into
// data.malformed and left out instead.
// `expected_rows` (0: unknown) is an estimate of the rows to come: memory for that many (plus a
// margin) is reserved up front instead of grown by copying; pages never filled cost nothing.
Result<EvalData> LoadEvalData(const EvalPolicy& policy, RecordReader& reader,
                              const EvalLimits& limits, int64_t expected_rows = 0);

// The same from `location` (a path, file:// or http(s):// URL, opened as OpenRecordReader does).
// A large local CSV file without a row limit is parsed on two cores (gates/io/csv_split.h); the
// result — rows, values, category codes, slice rows, errors and their line numbers — is the one
// of a sequential read.
Result<EvalData> LoadEvalData(const EvalPolicy& policy, const std::string& location,
                              const ReadOptions& options, const EvalLimits& limits);

// Appends `part`, the rows that follow `into`'s in the same file: category codes are remapped by
// name, slice row indices shifted, malformed-row examples kept in line order.
void AppendEvalData(EvalData* into, EvalData&& part);

}  // namespace modelgate::gates
