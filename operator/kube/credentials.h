// Credentials: the per-request authentication material of a RestConfig, kept fresh.
//   - a static bearer token is used as is;
//   - a token file is re-read every `token_file_period` (client-go: one minute) and after a 401;
//   - an exec plugin is run on first use and again when its expirationTimestamp passes or after
//     a 401 (deduplicated: concurrent callers wait for one run).
// Client certificates come from the RestConfig or from the exec plugin; `generation` changes
// whenever the certificate/key changes so the transport can drop pooled TLS connections.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "operator/kube/clock.h"
#include "operator/kube/rest_config.h"
#include "operator/kube/status.h"

namespace modelgate::kube {

struct Credentials {
  std::string bearer_token;  // empty: no Authorization header
  std::string client_cert_pem;
  std::string client_key_pem;
  std::uint64_t generation = 0;  // bumps when client_cert_pem/client_key_pem change
};

// The parsed stdout of an exec plugin (client.authentication.k8s.io ExecCredential status).
struct ExecCredential {
  std::string token;
  std::string client_cert_pem;
  std::string client_key_pem;
  std::optional<std::chrono::system_clock::time_point> expiry;
};

// Parses an ExecCredential JSON document. Errors (kInvalid) name the field, e.g.
// "exec plugin output: status.clientKeyData: required with status.clientCertificateData".
Result<ExecCredential> ParseExecCredential(const std::string& json_text,
                                           const std::string& expected_api_version);

// Runs the plugin (command + args, inherited environment + exec.env + KUBERNETES_EXEC_INFO) and
// parses its stdout. kUnauthorized when it cannot be started or exits non-zero (message has its
// exit code), kInvalid when its output is not an ExecCredential. Blocks until the plugin exits.
Result<ExecCredential> RunExecPlugin(const ExecConfig& exec, const std::string& server);

class CredentialProvider {
 public:
  // `clock` must outlive the provider.
  explicit CredentialProvider(RestConfig config, Clock& clock = SystemClock::Instance(),
                              std::chrono::milliseconds token_file_period = std::chrono::minutes(1));

  // The credentials to use for the next request. Errors: token file unreadable (kUnauthorized),
  // exec plugin failure (see RunExecPlugin). Thread-safe.
  Result<Credentials> Get();

  // Forgets cached tokens (file and exec) so the next Get() reloads them; called after a 401.
  // Thread-safe.
  void Invalidate();

 private:
  const RestConfig config_;
  Clock& clock_;
  const std::chrono::milliseconds token_file_period_;

  std::mutex mu_;  // held while reloading, so concurrent callers share one reload
  std::string file_token_;
  std::optional<Clock::time_point> file_token_read_at_;
  std::optional<ExecCredential> exec_credential_;
  Credentials current_;
};

}  // namespace modelgate::kube
