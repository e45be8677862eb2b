#include "gates/cli/cli.h"

#include <cstring>
#include <exception>
#include <fstream>

#include "gates/cli/command.h"

namespace modelgate::gates {
namespace {

constexpr const char* kUsage =
    "usage:\n"
    "  modelgate gate data --policy P --data D [--baseline B] [--serving S]\n"
    "  modelgate gate training --policy P --log L [--champion-report R]\n"
    "  modelgate gate evaluate --policy P --data D [--champion-report R]\n"
    "  modelgate profile --data D [--bins N]\n"
    "options: --output text|json (default text), --report FILE (JSON report)\n"
    "data options: --format csv|jsonl, --delimiter C, --max-rows N, --max-bytes N,\n"
    "  --http-timeout SECONDS (http(s):// data and logs; default 30)\n"
    "every file argument may also be a file://, http:// or https:// URL\n"
    "exit status: 0 passed, 1 failed or blocked, 2 input or usage error\n";

int Usage(std::ostream& err, const std::string& problem) {
  if (!problem.empty()) err << "modelgate: " << problem << "\n";
  err << kUsage;
  return 2;
}

}  // namespace

int RunCommand(const std::string& name, const std::string& gate, const std::vector<std::string>& args,
               std::vector<std::string> flags, const CommandFn& command, std::ostream& out,
               std::ostream& err) {
  flags.insert(flags.end(), kCommonFlags.begin(), kCommonFlags.end());
  auto parsed = CliArgs::Parse(name, args, flags);
  if (!parsed.ok()) {
    err << parsed.status().message() << "\n";
    return 2;
  }
  std::string output = parsed->Get("output").value_or("text");
  if (output != "text" && output != "json") {
    err << name << ": --output: expected 'text' or 'json', got '" << output << "'\n";
    return 2;
  }
  auto report_path = parsed->Get("report");
  auto write_report = [&](const nlohmann::ordered_json& report) -> bool {
    if (!report_path) return true;
    std::ofstream file(*report_path, std::ios::binary | std::ios::trunc);
    file << report.dump(2) << "\n";
    file.close();
    if (!file) {
      err << name << ": --report " << *report_path << ": cannot write: " << std::strerror(errno) << "\n";
      return false;
    }
    return true;
  };
  Result<CommandOutput> result = Status(ErrorCode::kInvalidInput, "not run");
  try {
    result = command(*parsed);
  } catch (const std::exception& e) {
    // Library exceptions are caught at their source; this is the last line of defence.
    result = Status(ErrorCode::kInvalidInput, name + ": internal error: " + e.what());
  }
  if (!result.ok()) {
    err << result.status().message() << "\n";
    write_report({{"gate", gate}, {"passed", false}, {"outcome", "error"},
                  {"error", result.status().message()}});
    return 2;
  }
  if (output == "json") {
    out << result->report.dump(2) << "\n";
  } else {
    out << result->text;
  }
  if (!write_report(result->report)) return 2;
  return result->passed ? 0 : 1;
}

int RunCli(int argc, char** argv, std::ostream& out, std::ostream& err) {
  if (argc < 1) return Usage(err, "missing command");
  std::string word = argv[0];
  std::vector<std::string> rest(argv + 1, argv + argc);
  const std::vector<std::string> data_flags = {"format", "delimiter", "max-rows", "max-bytes",
                                                "http-timeout"};
  auto with = [&](std::vector<std::string> flags) {
    flags.insert(flags.end(), data_flags.begin(), data_flags.end());
    return flags;
  };
  if (word == "profile") {
    if (!rest.empty() && (rest[0] == "--help" || rest[0] == "-h")) return Usage(err, "");
    return RunCommand("modelgate profile", "profile", rest, with({"data", "bins"}), ProfileCommand, out,
                      err);
  }
  if (word != "gate") return Usage(err, "unknown command '" + word + "'");
  if (rest.empty()) return Usage(err, "gate: missing gate name (data, training or evaluate)");
  std::string gate = rest[0];
  std::vector<std::string> args(rest.begin() + 1, rest.end());
  if (gate == "--help" || gate == "-h" || gate == "help") return Usage(err, "");
  if (gate == "evaluate") {
    return RunCommand("modelgate gate evaluate", "evaluation", args,
                      with({"policy", "data", "champion-report"}), EvaluateCommand, out, err);
  }
  if (gate == "training") {
    return RunCommand("modelgate gate training", "training", args,
                      {"policy", "log", "champion-report", "format", "max-bytes", "http-timeout"}, TrainingCommand,
                      out, err);
  }
  if (gate == "data") {
    return RunCommand("modelgate gate data", "data", args, with({"policy", "data", "baseline", "serving"}),
                      DataCommand, out, err);
  }
  return Usage(err, "gate: unknown gate '" + gate + "' (expected data, training or evaluate)");
}

}  // namespace modelgate::gates
