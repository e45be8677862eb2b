#include "operator/instrumented_transport.h"

#include <chrono>

namespace modelgate {

InstrumentedTransport::InstrumentedTransport(std::shared_ptr<kube::Transport> inner,
                                             std::string host, ControllerMetrics& metrics)
    : inner_(std::move(inner)), host_(std::move(host)), metrics_(metrics) {}

kube::Result<kube::HttpResponse> InstrumentedTransport::Send(const kube::HttpRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  kube::Result<kube::HttpResponse> response = inner_->Send(request);
  metrics_.ObserveRestRequest(request.method, host_, response.ok() ? response->status : 0,
                              std::chrono::steady_clock::now() - start);
  return response;
}

kube::Status InstrumentedTransport::Stream(const kube::HttpRequest& request,
                                           const std::function<bool(std::string_view)>& on_line,
                                           const std::atomic<bool>* cancel) {
  const auto start = std::chrono::steady_clock::now();
  kube::Status status = inner_->Stream(request, on_line, cancel);
  // A watch that ended cleanly was a 200; otherwise the mapped HTTP status, if any.
  const int code = status.ok() ? 200 : status.http_status();
  metrics_.ObserveRestRequest(request.method, host_, code, std::chrono::steady_clock::now() - start);
  return status;
}

}  // namespace modelgate
