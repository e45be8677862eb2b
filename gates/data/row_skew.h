// Row-level training–serving skew (TFDV's "feature skew"): the training rows (--data) and the
// serving rows (--serving) are joined on the policy's `skew.join_key`, and every compared column's
// share of joined rows whose values differ is checked against its max_mismatch_rate.
//
// Contract:
//  - Feed the serving sample first (serving()), then the training data (training()); both are
//    RowObservers, so each source is read once, in the same pass that profiles it. Then Finish().
//  - Memory: the serving sample is held (its keys and the compared columns' raw text in an arena;
//    every column but the key when `compare` is not set, because the training header is not known
//    yet). The training data is streamed; per joined key a few bytes of state are kept.
//  - Values: null vs null is equal, null vs a value differs. A column declared integer/number in
//    the schema compares numerically (|a - b| <= tolerance * max(1, |a|, |b|); NaN equals NaN); an
//    undeclared column does too when both values parse as numbers; anything else compares as text.
//  - Keys: a key that appears more than once in the serving sample, or more than once among the
//    training rows that join, is a duplicate key; its rows are not compared. (A repeated training
//    key with no serving counterpart is not tracked: that would cost a set of every training key.)
//    Rows with a null key never join and count as training-only / serving-only.
//  - Input errors (Status kInvalidInput, CLI exit 2): the join key or an explicitly listed column
//    (compare, per_column) missing from a sample's header, naming the file and the column.
//  - The check fails when fewer than min_joined_rows rows joined, when more than
//    max_duplicate_keys keys are duplicates, or when a column's mismatch rate exceeds its max.
// Not thread-safe; one join per gate run.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gates/data/column_profile.h"
#include "gates/data/data_policy.h"

namespace modelgate::gates {

inline constexpr size_t kMaxRowSkewExamples = 5;

struct RowSkewExample {
  std::string key;
  std::optional<std::string> training, serving;  // nullopt: null
};

struct RowSkewColumn {
  std::string name;
  int64_t compared = 0;  // joined rows
  int64_t mismatches = 0;
  std::optional<double> mismatch_rate;  // nullopt when no row joined
  double max = 0;
  bool passed = false;
  std::vector<RowSkewExample> examples;  // the first mismatches seen, at most kMaxRowSkewExamples
};

struct RowSkewResult {
  std::string join_key;
  std::string training_source, serving_source;
  int64_t training_rows = 0, serving_rows = 0;
  int64_t joined_rows = 0;
  int64_t training_only = 0, serving_only = 0;  // rows without a counterpart
  int64_t duplicate_keys = 0;
  int64_t min_joined_rows = 1, max_duplicate_keys = 0;
  std::vector<RowSkewColumn> columns;
  std::optional<size_t> worst_column;  // highest mismatch rate; nullopt when nothing differs
  bool passed = false;
  // Sentences a person acts on, e.g. "skew: transaction_amount differs between training and
  // serving on 312 of 10000 joined rows (3.12 %, max 1 %); e.g. key 4711: training 36.00,
  // serving 36.50".
  std::vector<std::string> failures;
  std::vector<std::string> notes;
};

// A share as a percentage for sentences and tables: SharePercent(0.0312) = "3.12"; LimitPercent
// prints a configured limit without trailing zeros (0.01 -> "1", 0.005 -> "0.5").
std::string SharePercent(double share);
std::string LimitPercent(double share);

// The input error for a saved profile (`modelgate profile` output) given where the join needs rows.
Status SavedProfileCannotJoin(const std::string& source);

class RowSkewJoin {
 public:
  // `policy.row_skew` must be configured; the schema (`policy.columns`) gives numeric columns.
  explicit RowSkewJoin(const DataPolicy& policy);
  ~RowSkewJoin();
  RowSkewJoin(const RowSkewJoin&) = delete;
  RowSkewJoin& operator=(const RowSkewJoin&) = delete;

  RowObserver& serving();   // first
  RowObserver& training();  // second

  // The outcome once both samples were read.
  RowSkewResult Finish() const;

 private:
  class State;
  std::unique_ptr<State> state_;
};

}  // namespace modelgate::gates
