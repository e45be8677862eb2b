// What every gate command produces, and the shared way of printing it. Internal to gates/cli.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gates/cli/cli_args.h"
#include "gates/common/status.h"

namespace modelgate::gates {

struct CommandOutput {
  bool passed = false;
  nlohmann::ordered_json report;  // written to --report, and to stdout with --output json
  std::string text;               // stdout with --output text
};

// A command: parses its arguments, runs, and returns the output or an input/usage error.
using CommandFn = std::function<Result<CommandOutput>(const CliArgs& args)>;

// Flags every command accepts besides its own.
inline const std::vector<std::string> kCommonFlags = {"output", "report"};

// Parses the flags, runs `command`, prints, writes --report, and maps to the exit status.
int RunCommand(const std::string& name, const std::string& gate, const std::vector<std::string>& args,
               std::vector<std::string> flags, const CommandFn& command, std::ostream& out,
               std::ostream& err);

// The commands.
Result<CommandOutput> EvaluateCommand(const CliArgs& args);
Result<CommandOutput> TrainingCommand(const CliArgs& args);
Result<CommandOutput> DataCommand(const CliArgs& args);
Result<CommandOutput> ProfileCommand(const CliArgs& args);

}  // namespace modelgate::gates
