#include "operator/run_flags.h"

#include <functional>
#include <map>
#include <type_traits>

#include "gates/analysis/analysis_spec.h"

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
         "  --webhook-addr HOST:PORT      Alertmanager webhooks for ModelPipelines\n"
         "                                (POST /webhooks/alertmanager/NS/NAME), 0 disables (default: :8082)\n"
         "  --webhook-tls-cert-file FILE  with --webhook-tls-key-file: serve the webhooks over HTTPS (PEM;\n"
         "  --webhook-tls-key-file FILE   re-read when the files change)\n"
         "  --log-format json|text        (default: json)\n"
         "  --log-level trace|debug|info|warn|error  (default: info)\n"
         "  --workers N                   concurrent reconciles per controller (default: 2)\n"
         "  --gate-workers N              threads evaluating gates 1-3 (default: 2)\n"
         "  --gate-queue N                gate runs that may wait for a thread (default: 64)\n"
         "  --gate-max-rows N             rows per dataset; more rejects the candidate (default: 200000000)\n"
         "  --gate-max-bytes SIZE         bytes per input after gunzip, e.g. 4Gi, 500Mi (default: 4Gi)\n"
         "  --gate-timeout DURATION       one gate run, e.g. 15m, 1h30m (default: 15m)\n";
}

namespace {

// A whole number in [min, max]; nullopt for anything else.
std::optional<int64_t> WholeNumber(const std::string& v, int64_t min, int64_t max) {
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 18) return std::nullopt;
  const int64_t n = std::stoll(v);
  if (n < min || n > max) return std::nullopt;
  return n;
}

// "4Gi", "500Mi", "64Ki", "1048576": a byte count with an optional binary suffix.
std::optional<uint64_t> ByteSize(const std::string& v) {
  static const std::pair<const char*, int> kSuffixes[] = {{"Ki", 10}, {"Mi", 20}, {"Gi", 30}, {"Ti", 40}};
  std::string digits = v;
  int shift = 0;
  for (const auto& [suffix, bits] : kSuffixes) {
    if (v.size() > 2 && v.compare(v.size() - 2, 2, suffix) == 0) {
      digits = v.substr(0, v.size() - 2);
      shift = bits;
    }
  }
  auto n = WholeNumber(digits, 1, (int64_t{1} << (62 - shift)));
  if (!n) return std::nullopt;
  return static_cast<uint64_t>(*n) << shift;
}

}  // namespace

std::optional<RunFlags> ParseRunFlags(const std::vector<std::string>& args, std::string* error) {
  RunFlags flags;
  // A setter returns "" when the value is accepted, otherwise what was expected.
  using Setter = std::function<std::string(const std::string&)>;
  auto text = [](std::string* field) -> Setter {
    return [field](const std::string& v) { *field = v; return std::string(); };
  };
  auto whole = [](auto* field, int64_t min, int64_t max) -> Setter {
    return [field, min, max](const std::string& v) {
      auto n = WholeNumber(v, min, max);
      if (!n) return "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
      *field = static_cast<std::remove_reference_t<decltype(*field)>>(*n);
      return std::string();
    };
  };
  const std::map<std::string, Setter> valued = {
      {"kubeconfig", text(&flags.kubeconfig)},
      {"context", text(&flags.context)},
      {"namespace", text(&flags.ns)},
      {"leader-election-namespace", text(&flags.leader_election_namespace)},
      {"leader-election-id", text(&flags.leader_election_id)},
      {"metrics-addr", text(&flags.metrics_addr)},
      {"health-addr", text(&flags.health_addr)},
      {"webhook-addr", text(&flags.webhook_addr)},
      {"webhook-tls-cert-file", text(&flags.webhook_tls_cert_file)},
      {"webhook-tls-key-file", text(&flags.webhook_tls_key_file)},
      {"log-format", text(&flags.log_format)},
      {"log-level", text(&flags.log_level)},
      {"workers", whole(&flags.workers, 1, 64)},
      {"gate-workers", whole(&flags.gate_workers, 1, 64)},
      {"gate-queue", whole(&flags.gate_queue, 1, 100000)},
      {"gate-max-rows", whole(&flags.gate_max_rows, 1, int64_t{1} << 32)},
      {"gate-max-bytes", [&flags](const std::string& v) {
         auto n = ByteSize(v);
         if (!n) return std::string("a byte count such as 4Gi, 500Mi or 1048576");
         flags.gate_max_bytes = *n;
         return std::string();
       }},
      {"gate-timeout", [&flags](const std::string& v) {
         auto d = gates::analysis::ParseDuration(v);
         if (!d || d->count() <= 0) return std::string("a duration such as 15m, 90s or 1h30m");
         flags.gate_timeout = std::chrono::milliseconds(d->count());
         return std::string();
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
    if (std::string expected = it->second(*value); !expected.empty()) {
      *error = "--" + name + ": expected " + expected + ", got '" + *value + "'";
      return std::nullopt;
    }
  }
  if (flags.webhook_tls_cert_file.empty() != flags.webhook_tls_key_file.empty()) {
    *error = "--webhook-tls-cert-file and --webhook-tls-key-file: set both (HTTPS) or neither (HTTP)";
    return std::nullopt;
  }
  return flags;
}

}  // namespace modelgate
