#include "gates/cli/command.h"
#include "gates/cli/read_flags.h"
#include "gates/io/http_source.h"
#include "gates/policy/eval_policy.h"
#include "gates/training/training_gate.h"

namespace modelgate::gates {

Result<CommandOutput> TrainingCommand(const CliArgs& args) {
  auto policy_path = args.Require("policy");
  if (!policy_path.ok()) return policy_path.status();
  auto log_path = args.Require("log");
  if (!log_path.ok()) return log_path.status();
  auto read_options = ReadOptionsFromFlags(args);
  if (!read_options.ok()) return read_options.status();
  auto policy = LoadTrainingPolicy(*policy_path);
  if (!policy.ok()) return policy.status();
  std::optional<std::map<std::string, double>> champion;
  std::string champion_name;
  if (auto champion_path = args.Get("champion-report")) {
    auto text = ReadTextFile(*champion_path, "champion report");
    if (!text.ok()) return text.status();
    auto parsed = ParseTrainingChampionReport(*text, *champion_path);
    if (!parsed.ok()) return parsed.status();
    champion = std::move(parsed).value();
    champion_name = *champion_path;
  }
  auto source = OpenByteSource(*log_path, HttpSourceOptions{.timeout = read_options->http_timeout});
  if (!source.ok()) return source.status();
  std::unique_ptr<ByteSource> bytes = std::move(source).value();
  if (read_options->max_bytes > 0) bytes = LimitBytes(std::move(bytes), read_options->max_bytes);
  auto log = ReadTrainingLog(std::move(bytes), read_options->format, policy->step_field);
  if (!log.ok()) return log.status();
  auto result = RunTrainingGate(*policy, *log, champion, champion_name);
  if (!result.ok()) return result.status();
  CommandOutput output;
  output.passed = result->passed;
  output.report = RenderTrainingReport(*result, *policy_path, *log_path);
  output.text = RenderTrainingText(*result, *policy_path, *log_path);
  return output;
}

}  // namespace modelgate::gates
