// Flags of `modelgate run`. Parsing never exits the process: errors come back as text naming the
// flag and what was expected.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace modelgate {

struct RunFlags {
  std::string kubeconfig;             // --kubeconfig; "" = $KUBECONFIG, ~/.kube/config, in-cluster
  std::string context;                // --context
  std::string ns;                     // --namespace; "" = watch all namespaces
  bool leader_elect = false;          // --leader-elect
  std::string leader_election_namespace;  // --leader-election-namespace; "" = $POD_NAMESPACE or "default"
  std::string leader_election_id = "modelgate-operator";  // --leader-election-id (Lease name)
  std::string metrics_addr = ":8080";  // --metrics-addr; "0" disables
  std::string health_addr = ":8081";   // --health-addr; "0" disables
  // The webhook listener (Alertmanager -> ModelPipeline, docs/pipeline.md); "0" disables.
  std::string webhook_addr = ":8082";          // --webhook-addr
  std::string webhook_tls_cert_file;           // --webhook-tls-cert-file (PEM; with the key: HTTPS)
  std::string webhook_tls_key_file;            // --webhook-tls-key-file
  std::string log_format = "json";     // --log-format json|text
  std::string log_level = "info";      // --log-level
  int workers = 2;                     // --workers per controller
  // The ModelCandidate controller's gate evaluations (docs/candidate.md, "Limits").
  int gate_workers = 2;                          // --gate-workers: threads evaluating gates
  int gate_queue = 64;                           // --gate-queue: runs waiting beyond them
  int64_t gate_max_rows = 200'000'000;           // --gate-max-rows: per dataset
  uint64_t gate_max_bytes = 4ull << 30;          // --gate-max-bytes: per input, after gunzip
  std::chrono::milliseconds gate_timeout{std::chrono::minutes(15)};  // --gate-timeout: per run
};

// Parses args (without the program name and the "run" word). Accepts --flag=value and
// --flag value; a bare boolean flag means true. Returns the flags or sets `error`.
std::optional<RunFlags> ParseRunFlags(const std::vector<std::string>& args, std::string* error);

// The usage text of `modelgate run`.
const char* RunUsage();

}  // namespace modelgate
