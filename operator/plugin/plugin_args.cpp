#include "operator/plugin/plugin_args.h"

#include <array>
#include <string_view>

namespace modelgate::plugin {
namespace {

constexpr std::array<std::string_view, 6> kCommands = {"status", "promote", "abort",
                                                       "pause",  "resume",  "history"};

bool IsCommand(std::string_view word) {
  for (std::string_view c : kCommands) {
    if (c == word) return true;
  }
  return false;
}

}  // namespace

const char* PluginUsage() {
  return "usage: kubectl modelgate <command> <name> [flags]\n"
         "commands:\n"
         "  status  <rollout>   phase, steps with weights and soak, the last analysis against the\n"
         "                      champion, conditions\n"
         "  promote <rollout>   skip the remaining steps and promote now (annotation "
         "modelgate.io/promote)\n"
         "  abort   <rollout>   roll back and end Aborted (spec.abort: true)\n"
         "  pause   <rollout>   hold traffic and the soak clock (spec.paused: true)\n"
         "  resume  <rollout>   continue a paused rollout (spec.paused: false)\n"
         "  history <model>     the ModelCandidates of a model (spec.model) and their decisions, "
         "with\n"
         "                      the ModelRollouts that rolled them out\n"
         "flags:\n"
         "  -n, --namespace NS  namespace (default: the kubeconfig context's, else \"default\")\n"
         "      --kubeconfig F  kubeconfig file (default: $KUBECONFIG, ~/.kube/config, "
         "in-cluster)\n"
         "      --context C     kubeconfig context\n"
         "  -o, --output FMT    text (default) or json\n"
         "  -h, --help          this help\n";
}

std::optional<PluginArgs> ParsePluginArgs(const std::vector<std::string>& args,
                                          std::string* error) {
  PluginArgs out;
  std::vector<std::string> positional;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    // Splits --flag=value / -fvalue, or takes the next argument as the value.
    auto value_of = [&](std::string_view long_name, std::string_view short_name,
                        std::string* value) -> std::optional<bool> {
      const std::string long_eq = std::string(long_name) + "=";
      if (arg == long_name || (!short_name.empty() && arg == short_name)) {
        if (i + 1 >= args.size() || args[i + 1].empty()) {
          *error = "flag " + arg + " needs a value";
          return false;
        }
        *value = args[++i];
        return true;
      }
      if (arg.starts_with(long_eq)) {
        *value = arg.substr(long_eq.size());
        if (value->empty()) {
          *error = "flag " + std::string(long_name) + " needs a value";
          return false;
        }
        return true;
      }
      if (!short_name.empty() && arg.size() > short_name.size() && arg.starts_with(short_name) &&
          !arg.starts_with("--")) {
        *value = arg.substr(short_name.size());
        if (value->starts_with("=")) value->erase(0, 1);
        return true;
      }
      return std::nullopt;  // not this flag
    };
    std::string output;
    std::optional<bool> matched;
    if ((matched = value_of("--namespace", "-n", &out.ns))) {
      if (!*matched) return std::nullopt;
    } else if ((matched = value_of("--kubeconfig", "", &out.kubeconfig))) {
      if (!*matched) return std::nullopt;
    } else if ((matched = value_of("--context", "", &out.context))) {
      if (!*matched) return std::nullopt;
    } else if ((matched = value_of("--output", "-o", &output))) {
      if (!*matched) return std::nullopt;
      if (output == "json") {
        out.output = OutputFormat::kJson;
      } else if (output == "text") {
        out.output = OutputFormat::kText;
      } else {
        *error = "flag --output: expected text or json, got '" + output + "'";
        return std::nullopt;
      }
    } else if (arg == "-h" || arg == "--help") {
      out.help = true;
    } else if (arg.starts_with("-") && arg != "-") {
      *error = "unknown flag " + arg;
      return std::nullopt;
    } else {
      positional.push_back(arg);
    }
  }
  if (!positional.empty() && positional[0] == "help") out.help = true;
  if (out.help) return out;
  if (positional.empty()) {
    *error = "missing command";
    return std::nullopt;
  }
  out.command = positional[0];
  if (!IsCommand(out.command)) {
    *error = "unknown command '" + out.command + "'";
    return std::nullopt;
  }
  const char* what =
      out.command == "history" ? "the model's name (spec.model)" : "the ModelRollout's name";
  if (positional.size() != 2) {
    *error = out.command + " takes exactly one argument, " + what + "; got " +
             std::to_string(positional.size() - 1);
    return std::nullopt;
  }
  out.name = positional[1];
  return out;
}

}  // namespace modelgate::plugin
