#include "gates/cli/command.h"
#include "gates/cli/read_flags.h"
#include "gates/evaluation/evaluation_gate.h"
#include "gates/report/evaluation_report.h"

namespace modelgate::gates {

Result<CommandOutput> EvaluateCommand(const CliArgs& args) {
  auto policy_path = args.Require("policy");
  if (!policy_path.ok()) return policy_path.status();
  auto data_path = args.Require("data");
  if (!data_path.ok()) return data_path.status();
  auto read_options = ReadOptionsFromFlags(args);
  if (!read_options.ok()) return read_options.status();
  auto max_rows = args.NonNegative("max-rows", 0);
  if (!max_rows.ok()) return max_rows.status();

  auto policy = LoadEvalPolicy(*policy_path);
  if (!policy.ok()) return policy.status();
  EvaluationOptions options;
  options.limits.max_rows = *max_rows;
  if (auto champion_path = args.Get("champion-report")) {
    auto text = ReadTextFile(*champion_path, "champion report");
    if (!text.ok()) return text.status();
    auto champion = ParseChampionReport(*text, *champion_path);
    if (!champion.ok()) return champion.status();
    options.champion_report = std::move(champion).value();
  }
  auto result = RunEvaluationGate(*policy, *data_path, *read_options, options);
  if (!result.ok()) return result.status();
  ReportContext context{*policy_path, *data_path};
  CommandOutput output;
  output.passed = result->passed;
  output.report = RenderEvaluationReport(*result, context);
  output.text = RenderEvaluationText(*result, context);
  return output;
}

}  // namespace modelgate::gates
