// Renders a gate-3 result as the JSON report (schema: docs/report.md) and as the text table a
// person reads in a CI log. Pure functions of the result.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "gates/evaluation/eval_result.h"

namespace modelgate::gates {

struct ReportContext {
  std::string policy_name;
  std::string data_name;
};

// Undefined numbers are JSON null with a sibling "undefined_reason".
nlohmann::ordered_json RenderEvaluationReport(const EvalResult& result, const ReportContext& context);

// A fixed-width table: one line per (scope, metric), then behavioral tests, failures and notes.
std::string RenderEvaluationText(const EvalResult& result, const ReportContext& context);

}  // namespace modelgate::gates
