// modelgate: the operator (`modelgate run`), the offline gates (`modelgate gate …`,
// `modelgate profile …`) and the kubectl plugin (`modelgate kubectl …`, or this binary invoked as
// kubectl-modelgate) in one binary.
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "gates/cli/cli.h"
#include "operator/audit_command.h"
#include "operator/manager.h"
#include "operator/plugin/kubectl_plugin.h"
#include "operator/run_flags.h"

namespace {

const char* kUsage =
    "usage: modelgate <command> [flags]\n"
    "commands:\n"
    "  run        run the operator (see `modelgate run --help`)\n"
    "  gate       run an offline gate: gate data|training|evaluate …\n"
    "  profile    profile a dataset for later drift checks\n"
    "  kubectl    the kubectl plugin: status|promote|abort|pause|resume|history|trigger …\n"
    "  audit      print a model's audit trail from MLflow: audit --mlflow URI --model NAME …\n"
    "  version    print the version\n";

}  // namespace

int main(int argc, char** argv) {
  // `kubectl modelgate …` runs the binary as kubectl-modelgate (a symlink).
  if (argc >= 1 &&
      std::filesystem::path(argv[0]).filename() == modelgate::plugin::kPluginBinaryName) {
    return modelgate::plugin::RunKubectlPlugin(std::vector<std::string>(argv + 1, argv + argc),
                                               std::cout, std::cerr);
  }
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string command = argv[1];
  if (command == "version" || command == "--version") {
    std::cout << "modelgate " << MODELGATE_VERSION_STRING << "\n";
    return 0;
  }
  // Offline gates 1-3 (no cluster needed): `modelgate gate ...` and `modelgate profile ...`.
  if (command == "gate" || command == "profile") {
    return modelgate::gates::RunCli(argc - 1, argv + 1, std::cout, std::cerr);
  }
  if (command == "kubectl") {
    return modelgate::plugin::RunKubectlPlugin(std::vector<std::string>(argv + 2, argv + argc),
                                               std::cout, std::cerr);
  }
  if (command == "audit") return modelgate::RunAuditCommand({argv + 2, argv + argc}, std::cout, std::cerr);
  if (command == "run") {
    std::string error;
    const auto flags = modelgate::ParseRunFlags(std::vector<std::string>(argv + 2, argv + argc), &error);
    if (!flags) {
      std::cerr << error << (error.empty() || error.back() == '\n' ? "" : "\n");
      return 2;
    }
    return modelgate::RunManager(*flags);
  }
  if (command == "help" || command == "--help" || command == "-h") {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << "modelgate: unknown command '" << command << "'\n" << kUsage;
  return 2;
}
