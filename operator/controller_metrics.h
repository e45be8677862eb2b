// Controller metrics with controller-runtime's names and labels, so dashboards and alerts built
// for controller-runtime operators work unchanged:
//   controller_runtime_reconcile_total{controller,result="success|error|requeue|requeue_after"}
//   controller_runtime_reconcile_errors_total{controller}
//   controller_runtime_reconcile_time_seconds{controller}          (histogram)
//   controller_runtime_active_workers{controller}
//   controller_runtime_max_concurrent_reconciles{controller}
//   rest_client_requests_total{code,method,host}
//   rest_client_request_duration_seconds{verb,host}                (histogram)
// Thread-safe (prometheus-cpp metrics are).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace modelgate {

class ControllerMetrics {
 public:
  explicit ControllerMetrics(prometheus::Registry& registry);

  enum class Result { kSuccess, kError, kRequeue, kRequeueAfter };
  void ObserveReconcile(const std::string& controller, Result result, std::chrono::duration<double> took);
  prometheus::Gauge& ActiveWorkers(const std::string& controller);
  void SetMaxConcurrentReconciles(const std::string& controller, int workers);
  void ObserveRestRequest(const std::string& method, const std::string& host, int code,
                          std::chrono::duration<double> took);

 private:
  prometheus::Family<prometheus::Counter>& reconcile_total_;
  prometheus::Family<prometheus::Counter>& reconcile_errors_;
  prometheus::Family<prometheus::Histogram>& reconcile_time_;
  prometheus::Family<prometheus::Gauge>& active_workers_;
  prometheus::Family<prometheus::Gauge>& max_concurrent_;
  prometheus::Family<prometheus::Counter>& rest_requests_;
  prometheus::Family<prometheus::Histogram>& rest_latency_;
};

}  // namespace modelgate
