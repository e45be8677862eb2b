// Gate 3 — offline evaluation. Pure with respect to its inputs: reads the record stream once,
// computes every global and per-slice metric, compares with the champion, runs the behavioral
// tests and decides. Usable from the CLI and from the operator (no Kubernetes types).
//
// Decision (docs/policy.md): every configured check is evaluated; ANY failing check in ANY slice
// fails the gate (slices are never averaged). A slice with fewer than min_rows rows, an undefined
// metric (e.g. AUC on one class) or a missing champion under require_champion is Inconclusive,
// which blocks unless allow_inconclusive. If nothing failed or blocked but a require_improvement
// check was not met, the outcome is champion_retained (not passed).
//
// Thread-safety: the functions are reentrant; the reader is used by one call at a time.
#pragma once

#include <istream>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "gates/common/status.h"
#include "gates/evaluation/eval_data.h"
#include "gates/evaluation/eval_result.h"
#include "gates/io/record_reader.h"
#include "gates/policy/eval_policy.h"

namespace modelgate::gates {

// Metric values of a previous run, by scope ("global" or a slice name) and metric name.
struct ChampionValues {
  std::string source_name;
  std::map<std::string, std::map<std::string, double>> by_scope;
};

// Reads a previous gate-3 JSON report (as written by RenderEvaluationReport). Metrics whose value
// is null are left out. An input that is not such a report is an error naming `source_name`.
Result<ChampionValues> ParseChampionReport(const std::string& json_text,
                                           const std::string& source_name);

struct EvaluationOptions {
  // Used when the data has no champion score column (columns.champion_score).
  std::optional<ChampionValues> champion_report;
  EvalLimits limits;
};

// Runs gate 3. An error Status means the inputs could not be judged (exit 2 in the CLI): a
// missing column, a malformed row, a row/byte limit. A judged run returns the result with
// result.outcome saying passed / failed / inconclusive / champion_retained.
Result<EvalResult> RunEvaluationGate(const EvalPolicy& policy, RecordReader& data,
                                     const EvaluationOptions& options = {});

// The same on `location` (see LoadEvalData: a large local CSV file is parsed on two cores).
Result<EvalResult> RunEvaluationGate(const EvalPolicy& policy, const std::string& location,
                                     const ReadOptions& read,
                                     const EvaluationOptions& options = {});

// Convenience for the operator: policy YAML text plus a data stream (CSV or, when `data_name`
// ends in .jsonl/.ndjson, JSON Lines; gzip detected) to the result and its JSON report.
struct EvaluationRun {
  EvalResult result;
  nlohmann::ordered_json report;
};
struct EvaluationStreamOptions {
  std::string policy_name = "policy.yaml";
  std::string data_name = "data.csv";
  uint64_t max_bytes = 0;  // 0 = unlimited (after decompression)
  int64_t max_rows = 0;    // 0 = unlimited
  std::optional<ChampionValues> champion_report;
};
Result<EvaluationRun> EvaluateStream(const std::string& policy_yaml, std::istream& data,
                                     const EvaluationStreamOptions& options);

}  // namespace modelgate::gates
