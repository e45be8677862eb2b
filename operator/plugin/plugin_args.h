// The command line of the kubectl plugin (`kubectl modelgate …`, `modelgate kubectl …`).
// Parsing never exits the process: an error comes back as text naming the flag or argument.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace modelgate::plugin {

enum class OutputFormat { kText, kJson };

struct PluginArgs {
  std::string command;  // status, promote, abort, pause, resume, history; "" with help
  std::string name;     // the ModelRollout (history: the model, i.e. spec.model)
  std::string ns;       // -n/--namespace; "" = the kubeconfig context's namespace, else "default"
  std::string kubeconfig;  // --kubeconfig; "" = $KUBECONFIG, ~/.kube/config, or in-cluster
  std::string context;     // --context
  OutputFormat output = OutputFormat::kText;  // -o/--output text|json
  bool help = false;                          // -h/--help/help: print the usage, exit 0
};

// Parses the arguments after the plugin's name. Flags may come before or after the command, as
// `-n x`, `-nx`, `--namespace x` or `--namespace=x`. Every command takes exactly one name.
// Returns the arguments, or nullopt with `error` set to one line (the caller adds the usage).
std::optional<PluginArgs> ParsePluginArgs(const std::vector<std::string>& args, std::string* error);

// The usage text (ends in a newline).
const char* PluginUsage();

}  // namespace modelgate::plugin
