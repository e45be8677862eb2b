// Small file helpers for the client runtime (kubeconfig, token and CA files).
#pragma once

#include <optional>
#include <string>

namespace modelgate::kube {

// The whole content of the file at `path`, or nullopt when it cannot be opened.
std::optional<std::string> ReadFileToString(const std::string& path);

}  // namespace modelgate::kube
