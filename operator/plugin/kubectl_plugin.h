// The kubectl plugin's entry point: `kubectl modelgate …` (the modelgate binary invoked as
// kubectl-modelgate, e.g. through the symlink scripts/install-plugin makes) and
// `modelgate kubectl …`. Loads the kubeconfig the way kubectl does (--kubeconfig, $KUBECONFIG,
// ~/.kube/config, or in-cluster), resolves the namespace (-n, else the context's, else
// "default") and runs one command (plugin_commands.h). docs/kubectl-plugin.md is the user guide.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace modelgate::plugin {

// The plugin's name as kubectl finds it on PATH.
inline constexpr const char* kPluginBinaryName = "kubectl-modelgate";

// `args` are the arguments after the plugin's name. Returns the exit code: 0 success, 1 refused
// or failed (the reason on `err`), 2 bad command line (the reason and the usage on `err`).
int RunKubectlPlugin(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace modelgate::plugin
