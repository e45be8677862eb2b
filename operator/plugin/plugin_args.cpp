#include "operator/plugin/plugin_args.h"

#include <array>
#include <string_view>

#include "gates/analysis/analysis_spec.h"
#include "operator/plugin/pipeline_trigger.h"

namespace modelgate::plugin {
namespace {

constexpr std::array<std::string_view, 7> kCommands = {"status", "promote", "abort",  "pause",
                                                       "resume", "history", "trigger"};

bool IsCommand(std::string_view word) {
  for (std::string_view c : kCommands) {
    if (c == word) return true;
  }
  return false;
}

// The trigger flags, checked once the command is known (flags may come before it).
std::optional<std::string> CheckTriggerArgs(PluginArgs& args, const std::string& first_flag,
                                            bool timeout_given) {
  if (args.command != "trigger") {
    if (!first_flag.empty()) return "flag " + first_flag + " applies to trigger only";
    return std::nullopt;
  }
  if (timeout_given && !args.wait) return "flag --timeout applies with --wait only";
  if (!args.commit.empty() && !IsCommitSha(args.commit)) {
    return "flag --commit: expected 7 to 64 hexadecimal characters (a git commit), got '" +
           args.commit + "'";
  }
  if (args.trigger_type.empty()) args.trigger_type = args.commit.empty() ? "Manual" : "CodeChange";
  if (args.trigger_type != "CodeChange" && args.trigger_type != "Manual") {
    return "flag --type: expected CodeChange or Manual, got '" + args.trigger_type + "'";
  }
  if (args.trigger_type == "CodeChange" && args.commit.empty()) {
    return "trigger --type CodeChange needs --commit (the model code's commit, 7 to 64 "
           "hexadecimal characters)";
  }
  if (const std::size_t n = CharacterCount(args.reason); n > kMaxTriggerReason) {
    return "flag --reason: expected at most " + std::to_string(kMaxTriggerReason) +
           " characters, got " + std::to_string(n);
  }
  if (const std::size_t n = CharacterCount(args.source); n > kMaxTriggerSource) {
    return "flag --source: expected at most " + std::to_string(kMaxTriggerSource) +
           " characters, got " + std::to_string(n);
  }
  return std::nullopt;
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
         "  trigger <pipeline>  ask a ModelPipeline for a new candidate (annotation "
         "modelgate.io/trigger)\n"
         "                      [--commit SHA] [--type CodeChange|Manual] [--reason TEXT] "
         "[--source TEXT]\n"
         "                      [--wait [--timeout 60s]]; kubectl modelgate trigger --help\n"
         "flags:\n"
         "  -n, --namespace NS  namespace (default: the kubeconfig context's, else \"default\")\n"
         "      --kubeconfig F  kubeconfig file (default: $KUBECONFIG, ~/.kube/config, "
         "in-cluster)\n"
         "      --context C     kubeconfig context\n"
         "  -o, --output FMT    text (default) or json\n"
         "  -h, --help          this help\n";
}

const char* CommandUsage(const std::string& command) {
  if (command != "trigger") return PluginUsage();
  return "usage: kubectl modelgate [-n NS] trigger <pipeline> [--commit SHA] "
         "[--type CodeChange|Manual]\n"
         "                        [--reason TEXT] [--source TEXT] [--wait [--timeout 60s]]\n"
         "\n"
         "Asks the ModelPipeline <pipeline> for a new ModelCandidate. One merge patch sets its\n"
         "annotation modelgate.io/trigger to a compact JSON request:\n"
         "  {\"id\":\"<unique id>\",\"type\":\"CodeChange\",\"commit\":\"<sha>\","
         "\"reason\":\"<text>\",\n"
         "   \"source\":\"<text>\",\"requestedAt\":\"<RFC 3339 UTC>\"}     "
         "(absent fields omitted)\n"
         "The operator acts on each id exactly once: it records the id in "
         "status.lastTriggerRequest and\n"
         "the result (Created, Skipped or Deduplicated) in status.lastTrigger and "
         "status.history.\n"
         "Needs RBAC patch on modelpipelines (as promote needs it on modelrollouts).\n"
         "\n"
         "flags:\n"
         "      --commit SHA    the model code's commit: 7 to 64 hexadecimal characters\n"
         "      --type TYPE     CodeChange (the default with --commit; needs --commit) or Manual\n"
         "                      (the default without)\n"
         "      --reason TEXT   why, e.g. the commit message: at most 2048 characters\n"
         "      --source TEXT   who or what asks: at most 512 characters (default\n"
         "                      kubectl-modelgate/<user> with the user `kubectl auth whoami` "
         "names,\n"
         "                      else kubectl-modelgate)\n"
         "      --wait          wait until the operator has acted on this request; print its "
         "result\n"
         "      --timeout D     how long --wait waits, e.g. 90s, 5m (default 60s)\n"
         "  -n, --namespace NS, --kubeconfig F, --context C, -o json: as for every command\n"
         "\n"
         "output (-o json: the ModelPipeline as patched, or as read last with --wait):\n"
         "  trigger requested on modelpipeline/<name> (id <id>)                    exit 0\n"
         "  --wait, then one of:\n"
         "  modelpipeline/<name>: Created <candidate> (<type> <commit>)            exit 0\n"
         "  modelpipeline/<name>: Skipped: <why>   (Deduplicated, Invalid alike)  exit 1\n"
         "  error: the operator did not act within the timeout (is it running?)    exit 1\n"
         "a missing pipeline or a refused patch: exit 1 naming it; a wrong command line: exit 2,\n"
         "nothing written.\n";
}

std::optional<PluginArgs> ParsePluginArgs(const std::vector<std::string>& args,
                                          std::string* error) {
  PluginArgs out;
  std::vector<std::string> positional;
  std::string first_trigger_flag;  // for "flag --commit applies to trigger only"
  bool timeout_given = false;
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
    std::string output, timeout;
    std::optional<bool> matched;
    auto trigger_flag = [&](std::string_view name) {
      if (first_trigger_flag.empty()) first_trigger_flag = std::string(name);
    };
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
    } else if ((matched = value_of("--commit", "", &out.commit))) {
      if (!*matched) return std::nullopt;
      trigger_flag("--commit");
    } else if ((matched = value_of("--type", "", &out.trigger_type))) {
      if (!*matched) return std::nullopt;
      trigger_flag("--type");
    } else if ((matched = value_of("--reason", "", &out.reason))) {
      if (!*matched) return std::nullopt;
      trigger_flag("--reason");
    } else if ((matched = value_of("--source", "", &out.source))) {
      if (!*matched) return std::nullopt;
      trigger_flag("--source");
    } else if ((matched = value_of("--timeout", "", &timeout))) {
      if (!*matched) return std::nullopt;
      trigger_flag("--timeout");
      const auto duration = gates::analysis::ParseDuration(timeout);
      if (!duration || duration->count() <= 0) {
        *error = "flag --timeout: expected a duration such as 60s, 5m or 1m30s, got '" + timeout +
                 "'";
        return std::nullopt;
      }
      out.wait_timeout = *duration;
      timeout_given = true;
    } else if (arg == "--wait") {
      out.wait = true;
      trigger_flag("--wait");
    } else if (arg == "-h" || arg == "--help") {
      out.help = true;
    } else if (arg.starts_with("-") && arg != "-") {
      *error = "unknown flag " + arg;
      return std::nullopt;
    } else {
      positional.push_back(arg);
    }
  }
  if (!positional.empty() && positional[0] == "help") {
    out.help = true;
    positional.erase(positional.begin());
  }
  if (out.help) {
    // `trigger --help`, `help trigger`: that command's help.
    if (!positional.empty() && IsCommand(positional[0])) out.command = positional[0];
    return out;
  }
  if (positional.empty()) {
    *error = "missing command";
    return std::nullopt;
  }
  out.command = positional[0];
  if (!IsCommand(out.command)) {
    *error = "unknown command '" + out.command + "'";
    return std::nullopt;
  }
  const char* what = out.command == "history"   ? "the model's name (spec.model)"
                     : out.command == "trigger" ? "the ModelPipeline's name"
                                                : "the ModelRollout's name";
  if (positional.size() != 2) {
    *error = out.command + " takes exactly one argument, " + what + "; got " +
             std::to_string(positional.size() - 1);
    return std::nullopt;
  }
  out.name = positional[1];
  if (auto refusal = CheckTriggerArgs(out, first_trigger_flag, timeout_given)) {
    *error = *refusal;
    return std::nullopt;
  }
  return out;
}

}  // namespace modelgate::plugin
