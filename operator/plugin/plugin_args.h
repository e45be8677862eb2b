// The command line of the kubectl plugin (`kubectl modelgate …`, `modelgate kubectl …`).
// Parsing never exits the process: an error comes back as text naming the flag or argument.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace modelgate::plugin {

enum class OutputFormat { kText, kJson };

struct PluginArgs {
  std::string command;  // status, promote, abort, pause, resume, history, trigger; with help: the
                        // command whose help is asked for, or ""
  std::string name;     // the ModelRollout (history: the model, i.e. spec.model; trigger: the
                        // ModelPipeline)
  std::string ns;       // -n/--namespace; "" = the kubeconfig context's namespace, else "default"
  std::string kubeconfig;  // --kubeconfig; "" = $KUBECONFIG, ~/.kube/config, or in-cluster
  std::string context;     // --context
  OutputFormat output = OutputFormat::kText;  // -o/--output text|json
  bool help = false;                          // -h/--help/help: print the usage, exit 0

  // trigger only (these flags with another command are refused). Validated here, so a request
  // that the CRD would refuse is never written.
  std::string trigger_type;  // --type CodeChange|Manual (default: CodeChange with --commit)
  std::string commit;        // --commit: 7 to 64 hexadecimal characters; required for CodeChange
  std::string reason;        // --reason: at most kMaxTriggerReason characters
  std::string source;        // --source: at most kMaxTriggerSource characters; "" = the default
  bool wait = false;         // --wait: until the operator acted on the request, then its result
  std::chrono::milliseconds wait_timeout = std::chrono::seconds(60);  // --timeout, with --wait
};

// Parses the arguments after the plugin's name. Flags may come before or after the command, as
// `-n x`, `-nx`, `--namespace x` or `--namespace=x`. Every command takes exactly one name.
// Returns the arguments, or nullopt with `error` set to one line (the caller adds the usage).
std::optional<PluginArgs> ParsePluginArgs(const std::vector<std::string>& args, std::string* error);

// The usage text (ends in a newline).
const char* PluginUsage();

// The help of one command: the detailed help of `trigger`, PluginUsage() for the others and "".
const char* CommandUsage(const std::string& command);

}  // namespace modelgate::plugin
