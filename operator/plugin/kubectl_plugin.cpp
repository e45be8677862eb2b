#include "operator/plugin/kubectl_plugin.h"

#include <chrono>
#include <cstdio>
#include <random>

#include "operator/kube/client.h"
#include "operator/kube/cpprest_transport.h"
#include "operator/kube/rest_config.h"
#include "operator/kube/time_format.h"
#include "operator/plugin/plugin_args.h"
#include "operator/plugin/plugin_commands.h"

namespace modelgate::plugin {
namespace {

// "2026-11-26T08:15:00Z-1a2b3c4d": readable in `kubectl get -o yaml`, unique per invocation. The
// promote token and the trigger request's id.
std::string NewRequestId(kube::TimePoint now) {
  std::random_device device;
  char suffix[9];
  std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(device()));
  return kube::FormatTime(now) + "-" + suffix;
}

}  // namespace

int RunKubectlPlugin(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
  std::string error;
  const auto args = ParsePluginArgs(argv, &error);
  if (!args) {
    err << "error: " << error << "\n" << PluginUsage();
    return 2;
  }
  if (args->help) {
    out << CommandUsage(args->command);
    return 0;
  }
  auto config = kube::LoadDefaultConfig(args->kubeconfig, args->context);
  if (!config.ok()) {
    err << "error: " << config.status().message() << "\n";
    return 1;
  }
  CommandContext context;
  context.ns = !args->ns.empty()                    ? args->ns
               : !config->default_namespace.empty() ? config->default_namespace
                                                    : "default";
  context.now = std::chrono::system_clock::now();
  context.request_id = NewRequestId(context.now);
  context.server = config->server;
  const kube::Client client(kube::MakeTransport(*config), "kubectl-modelgate");
  return RunPluginCommand(*args, context, client, out, err);
}

}  // namespace modelgate::plugin
