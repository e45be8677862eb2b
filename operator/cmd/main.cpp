// modelgate: the operator (`modelgate run`) and the offline gates (`modelgate gate …`,
// `modelgate profile …`) in one binary.
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "gates/cli/cli.h"
#include "operator/manager.h"
#include "operator/run_flags.h"

namespace {

const char* kUsage =
    "usage: modelgate <command> [flags]\n"
    "commands:\n"
    "  run        run the operator (see `modelgate run --help`)\n"
    "  gate       run an offline gate: gate data|training|evaluate …\n"
    "  profile    profile a dataset for later drift checks\n"
    "  version    print the version\n";

}  // namespace

int main(int argc, char** argv) {
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
