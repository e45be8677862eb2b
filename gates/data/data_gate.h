// Gate 1 — data and feature validation. A pure function of column profiles (gates/data/
// column_profile.h): the current dataset's profile, optionally a baseline's (a dataset profiled
// the same way, or a saved profile) and a serving sample's.
//
// Checks (docs/policy.md, "Gate 1"): row count; per schema column: present (if required), type
// (every non-null value parses as the declared type), min/max, allowed values, null rate,
// cardinality; no extra columns unless allowed; drift against the baseline and training–serving
// skew with PSI, KS, JS, L-infinity, each with its unit; row-level skew (training and serving rows
// joined on skew.join_key, gates/data/row_skew.h), whose join the caller runs while it profiles the
// two samples. Any failed check fails the gate; an Inconclusive one (e.g. a drift column absent
// from the baseline) blocks.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "gates/common/status.h"
#include "gates/data/column_profile.h"
#include "gates/data/data_policy.h"
#include "gates/data/row_skew.h"
#include "gates/evaluation/eval_result.h"
#include "gates/io/record_reader.h"

namespace modelgate::gates {

struct DataCheck {
  std::string column;  // empty for dataset-level checks
  std::string kind;    // "rows", "present", "type", "min", "max", "allowed", "null_rate", ...
  CheckStatus status = CheckStatus::kPassed;
  double value = 0;
  double limit = 0;
  std::string detail;
};

struct DriftOutcome {
  std::string column;
  DriftStatistic statistic;
  DriftValue value;
  double limit = 0;
  CheckStatus status = CheckStatus::kPassed;
};

struct DriftSection {
  bool ran = false;
  std::string against;  // the baseline or serving source name
  std::vector<DriftOutcome> results;
  std::map<DriftStatistic, size_t> worst;  // index into results of the largest value per statistic
};

struct DataResult {
  GateOutcome outcome = GateOutcome::kPassed;
  bool passed = false;
  int64_t rows = 0;
  const DatasetProfile* profile = nullptr;  // the current data's profile (owned by the caller)
  std::vector<DataCheck> checks;
  DriftSection drift, skew;
  std::optional<RowSkewResult> row_skew;  // set when skew.join_key is configured and it ran
  // One entry per source read under on_malformed_row: count (MalformedRowsJson).
  std::vector<nlohmann::ordered_json> malformed_rows;
  std::vector<std::string> failures;
  std::vector<std::string> notes;
};

// The profile options gate 1 needs for `policy` (columns, declared kinds, bins).
ProfileOptions DataProfileOptions(const DataPolicy& policy, int64_t max_rows);

// `current` must outlive the result (result.profile points at it). `row_skew` is the finished
// RowSkewJoin over `current` and `serving` when the policy sets skew.join_key (nullptr: the
// row-level check is skipped with a note, e.g. without a serving sample).
DataResult RunDataGate(const DataPolicy& policy, const DatasetProfile& current,
                       const DatasetProfile* baseline, const DatasetProfile* serving,
                       const RowSkewResult* row_skew = nullptr);

nlohmann::ordered_json RenderDataReport(const DataResult& result, const std::string& policy_name,
                                        const std::string& data_name);
std::string RenderDataText(const DataResult& result, const std::string& policy_name,
                           const std::string& data_name);

}  // namespace modelgate::gates
