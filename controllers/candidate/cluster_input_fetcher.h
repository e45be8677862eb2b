// ClusterInputFetcher: the InputFetcher of the running operator. ConfigMap keys are read from the
// API server (a GET per read: sources are read once per gate run, so no cache is kept);
// file:// URIs are opened from the operator's filesystem and http(s):// URIs streamed with
// gates::OpenHttpSource, both handed out as stored or served (a gzip body is not inflated here:
// RunGate hashes the bytes for the audit trail, then inflates them). Thread-safe (the Client is).
#pragma once

#include "controllers/candidate/gate_run.h"
#include "operator/kube/client.h"

namespace modelgate::controllers::candidate {

class ClusterInputFetcher final : public InputFetcher {
 public:
  explicit ClusterInputFetcher(const kube::Client& client) : client_(client) {}

  gates::Result<std::string> ReadConfigMapKey(const std::string& ns, const std::string& name,
                                              const std::string& key) override;
  gates::Result<std::unique_ptr<gates::ByteSource>> OpenUri(const std::string& uri, std::chrono::milliseconds timeout,
                                                            uint64_t max_bytes) override;

 private:
  const kube::Client& client_;
};

// Decodes standard base64 (ConfigMap binaryData); nullopt on invalid input.
std::optional<std::string> DecodeBase64(const std::string& text);

}  // namespace modelgate::controllers::candidate
