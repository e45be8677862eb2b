// Malformed rows: the policy option to count them instead of failing (issue 3 §1).
//
//   on_malformed_row: error | count   # default error: the first malformed row is an input error
//   max_malformed_rows: 100           # count: more malformed rows than this fails the gate
//   max_malformed_rate: 0.001         # count: malformed / (good + malformed) above this fails it
//
// A malformed row is one the reader cannot split into the header's fields (a ragged row, a stray
// quote, a line that is not a JSON object; ErrorCode::kMalformedRow) or, in gate 3, a row whose
// label, score, champion score or behavioral column is unusable (empty, not a number, NaN/inf, a
// label outside {0, 1}). In count mode such a row is left out of every statistic and counted;
// the count, the rate and the first lines with their reasons are reported, and exceeding a limit
// is a gate failure (exit 1) — never a silent skip. Errors that end the input (an unterminated
// quote, corrupt gzip, an unreadable file, a bad header) are input errors in both modes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gates/common/status.h"
#include "gates/io/record_reader.h"

namespace modelgate::gates {

struct MalformedRowPolicy {
  bool count = false;                 // on_malformed_row: count
  std::optional<int64_t> max_rows;    // max_malformed_rows
  std::optional<double> max_rate;     // max_malformed_rate, 0..1
};

// The malformed rows seen while reading one source.
struct MalformedRows {
  static constexpr size_t kExamples = 10;
  std::string source;
  int64_t count = 0;
  std::vector<int64_t> lines;         // the first kExamples, in file order
  std::vector<std::string> reasons;   // parallel to lines

  void Add(int64_t line, const std::string& reason);
  // Folds in the rows of a later part of the same source (kept in line order).
  void Merge(const MalformedRows& other);
};

// Reads the next usable record. With `counter` null (error mode) a malformed row is returned as
// the error it is. With a counter, kMalformedRow errors are added to it and reading continues;
// any other error is returned.
Result<bool> NextRecord(RecordReader& reader, Record& record, MalformedRows* counter);

// The verdict on `malformed` against `policy`, for `good_rows` usable rows. Empty when within the
// limits; otherwise a sentence for the report's failures.
std::optional<std::string> MalformedRowsFailure(const MalformedRowPolicy& policy,
                                                const MalformedRows& malformed, int64_t good_rows);

// {"source", "count", "rate", "max_rows", "max_rate", "passed", "examples": [{"line", "reason"}]}
nlohmann::ordered_json MalformedRowsJson(const MalformedRowPolicy& policy,
                                         const MalformedRows& malformed, int64_t good_rows);

// "malformed rows in d.csv: 3 of 1003 (0.30%), lines 5, 9, 12 (limit 10 rows)"
std::string MalformedRowsText(const MalformedRowPolicy& policy, const MalformedRows& malformed,
                              int64_t good_rows);

}  // namespace modelgate::gates
