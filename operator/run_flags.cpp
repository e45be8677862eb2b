#include "operator/run_flags.h"

#include <functional>
#include <map>

namespace modelgate {

const char* RunUsage() {
  return "usage: modelgate run [flags]\n"
         "  --kubeconfig PATH             kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)\n"
         "  --context NAME                kubeconfig context (default: current-context)\n"
         "  --namespace NS                watch only this namespace (default: all)\n"
         "  --leader-elect[=true|false]   run leader election on a Lease (default: false)\n"
         "  --leader-election-namespace NS  namespace of the Lease (default: $POD_NAMESPACE or default)\n"
         "  --leader-election-id NAME     name of the Lease (default: modelgate-operator)\n"
         "  --metrics-addr HOST:PORT      /metrics listen address, 0 disables (default: :8080)\n"
         "  --health-addr HOST:PORT       /healthz and /readyz listen address, 0 disables (default: :8081)\n"
         "  --log-format json|text        (default: json)\n"
         "  --log-level trace|debug|info|warn|error  (default: info)\n"
         "  --workers N                   concurrent reconciles per controller (default: 2)\n";
}

std::optional<RunFlags> ParseRunFlags(const std::vector<std::string>& args, std::string* error) {
  RunFlags flags;
  using Setter = std::function<bool(const std::string&)>;
  auto text = [](std::string* field) -> Setter {
    return [field](const std::string& v) { *field = v; return true; };
  };
  const std::map<std::string, Setter> valued = {
      {"kubeconfig", text(&flags.kubeconfig)},
      {"context", text(&flags.context)},
      {"namespace", text(&flags.ns)},
      {"leader-election-namespace", text(&flags.leader_election_namespace)},
      {"leader-election-id", text(&flags.leader_election_id)},
      {"metrics-addr", text(&flags.metrics_addr)},
      {"health-addr", text(&flags.health_addr)},
      {"log-format", text(&flags.log_format)},
      {"log-level", text(&flags.log_level)},
      {"workers", [&flags](const std::string& v) {
         try {
           std::size_t used = 0;
           flags.workers = std::stoi(v, &used);
           return used == v.size() && flags.workers >= 1 && flags.workers <= 64;
         } catch (const std::exception&) {
           return false;
         }
       }},
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0) {
      *error = "unexpected argument '" + arg + "'\n" + RunUsage();
      return std::nullopt;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (name == "leader-elect") {
      if (!value || *value == "true") {
        flags.leader_elect = true;
      } else if (*value == "false") {
        flags.leader_elect = false;
      } else {
        *error = "--leader-elect: expected true or false, got '" + *value + "'";
        return std::nullopt;
      }
      continue;
    }
    if (name == "help" || name == "h") {
      *error = RunUsage();
      return std::nullopt;
    }
    const auto it = valued.find(name);
    if (it == valued.end()) {
      *error = "unknown flag --" + name + "\n" + RunUsage();
      return std::nullopt;
    }
    if (!value) {
      if (i + 1 >= args.size()) {
        *error = "--" + name + ": expected a value";
        return std::nullopt;
      }
      value = args[++i];
    }
    if (!it->second(*value)) {
      *error = "--" + name + ": expected a whole number from 1 to 64, got '" + *value + "'";
      return std::nullopt;
    }
  }
  return flags;
}

}  // namespace modelgate
