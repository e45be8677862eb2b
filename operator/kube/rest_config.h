// RestConfig: where the API server is and how to authenticate to it, loaded from a kubeconfig
// (LoadKubeconfig) or from the pod's service account (InClusterConfig). A RestConfig is plain
// data; the transport (cpprest_transport.h) turns it into TLS settings and per-request credentials
// (credentials.h re-reads token files and re-runs exec plugins).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "operator/kube/status.h"

namespace modelgate::kube {

// users[].user.exec of a kubeconfig: a command that prints a client.authentication.k8s.io
// ExecCredential on stdout.
struct ExecConfig {
  std::string api_version;  // client.authentication.k8s.io/v1 or /v1beta1
  std::string command;      // absolute, looked up in PATH, or resolved against the kubeconfig dir
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;  // added to the inherited environment
  bool provide_cluster_info = false;
};

struct RestConfig {
  std::string server;  // e.g. "https://127.0.0.1:6443" or "https://[fd00::1]:443"
  std::string ca_pem;  // PEM bundle; when set, ONLY these CAs are trusted
  std::string client_cert_pem;
  std::string client_key_pem;
  std::string bearer_token;  // static token; used first when token_file is also set
  std::string token_file;    // re-read periodically and after a 401
  std::optional<ExecConfig> exec;
  bool insecure_skip_tls_verify = false;  // only when the kubeconfig says so explicitly
  std::string default_namespace;          // context namespace / service account namespace
  std::string origin;                     // "kubeconfig /x/config context kind" or "in-cluster"
};

// Loads a kubeconfig the way kubectl does:
//   - path_override non-empty: that single file; otherwise $KUBECONFIG (colon-separated list,
//     missing files skipped, first file defining a cluster/user/context name or current-context
//     wins); otherwise $HOME/.kube/config.
//   - context_override non-empty replaces current-context.
//   - certificate-authority / client-certificate / client-key / tokenFile / exec.command (when it
//     contains a '/') relative paths are resolved against the directory of the file defining them;
//     files are read now (tokenFile is re-read later by the transport); *-data fields are base64.
// Returns the config, or kInvalid with a message naming the file and field, e.g.
// "kubeconfig /x/config: users[0].user.client-key: file /x/k.pem not found".
// Thread-safe (reads the environment and files only).
Result<RestConfig> LoadKubeconfig(std::string_view path_override = "",
                                  std::string_view context_override = "");

// Default service account directory of a pod.
inline constexpr std::string_view kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

// In-cluster config: server from KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT (IPv6
// literals bracketed), CA from <sa_dir>/ca.crt, token from <sa_dir>/token (kept as token_file so
// it is re-read), namespace from <sa_dir>/namespace when present.
// Returns kUnavailable when the environment variables are missing (not running in a pod), kInvalid
// naming the file when the token or CA cannot be read. Thread-safe.
Result<RestConfig> InClusterConfig(std::string_view sa_dir = kServiceAccountDir);

// In-cluster when KUBERNETES_SERVICE_HOST is set and path_override is empty, else LoadKubeconfig.
Result<RestConfig> LoadDefaultConfig(std::string_view path_override = "",
                                     std::string_view context_override = "");

// Decodes standard base64 (padding optional, whitespace ignored). nullopt when malformed.
std::optional<std::string> DecodeBase64(std::string_view encoded);

// "host:port", bracketing host when it is an IPv6 literal (contains ':').
std::string JoinHostPort(std::string_view host, std::string_view port);

}  // namespace modelgate::kube
