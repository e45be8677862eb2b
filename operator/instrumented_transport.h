// InstrumentedTransport: a Transport decorator that counts every request in
// rest_client_requests_total / rest_client_request_duration_seconds (ControllerMetrics).
// Thread-safe as the wrapped Transport; owns it.
#pragma once

#include <memory>
#include <string>

#include "operator/controller_metrics.h"
#include "operator/kube/transport.h"

namespace modelgate {

class InstrumentedTransport final : public kube::Transport {
 public:
  // `host` labels the metrics (e.g. "127.0.0.1:6443"); `metrics` must outlive this object.
  InstrumentedTransport(std::shared_ptr<kube::Transport> inner, std::string host,
                        ControllerMetrics& metrics);

  kube::Result<kube::HttpResponse> Send(const kube::HttpRequest& request) override;
  kube::Status Stream(const kube::HttpRequest& request,
                      const std::function<bool(std::string_view line)>& on_line,
                      const std::atomic<bool>* cancel) override;

 private:
  std::shared_ptr<kube::Transport> inner_;
  std::string host_;
  ControllerMetrics& metrics_;
};

}  // namespace modelgate
