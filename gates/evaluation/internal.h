// Pieces of gate 3 shared between the files of gates/evaluation. Not a public interface.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gates/evaluation/eval_data.h"
#include "gates/evaluation/eval_result.h"
#include "gates/policy/eval_policy.h"

namespace modelgate::gates::internal {

// The rows of one scope as contiguous arrays: views of the loaded data for the global scope (no
// copy), views of gathered copies for a slice. Move-only use: the views point into `storage_*`.
struct ScopeRows {
  std::span<const double> scores, labels, champion;
  std::span<const uint8_t> binary;
  std::map<std::string, std::span<const int32_t>> attributes;
  size_t size() const { return scores.size(); }

  std::vector<double> storage_scores, storage_labels, storage_champion;
  std::vector<uint8_t> storage_binary;
  std::map<std::string, std::vector<int32_t>> storage_attributes;
};

// Fills `out` (not copyable: it holds views of itself). nullptr rows = all rows, without copying.
void Gather(const EvalData& data, const std::vector<uint32_t>* rows, ScopeRows* out);

// Computes one rule's metric (and the champion's, from the column or `champion_from_report`) and
// evaluates its checks. `judge` is false for a slice below min_rows: values only, no checks.
MetricOutcome EvaluateRule(const EvalPolicy& policy, const MetricRule& rule, const EvalData& data,
                           const ScopeRows& rows, std::optional<double> champion_from_report,
                           bool have_champion_source, bool judge);

BehavioralOutcome RunBehavioralTest(const EvalPolicy& policy, const BehavioralTest& test,
                                    const EvalData& data);

// Sentences for every non-passing check of a scope, appended to `out`.
void DescribeFailures(const SliceOutcome& scope, const EvalPolicy& policy,
                      std::vector<std::string>* out);
std::string DescribeBehavioral(const BehavioralOutcome& test);

}  // namespace modelgate::gates::internal
