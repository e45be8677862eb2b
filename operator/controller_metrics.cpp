#include "operator/controller_metrics.h"

namespace modelgate {
namespace {

const prometheus::Histogram::BucketBoundaries& ReconcileBuckets() {
  // controller-runtime's reconcile_time_seconds buckets.
  static const prometheus::Histogram::BucketBoundaries b = {
      0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7,
      0.8,   0.9,  1.0,   1.25, 1.5, 1.75, 2.0, 2.5,  3.0, 3.5,  4.0, 4.5,  5,   6,   7,
      8,     9,    10,    15,   20,  25,   30,  40,   50,  60};
  return b;
}

const prometheus::Histogram::BucketBoundaries& RestBuckets() {
  static const prometheus::Histogram::BucketBoundaries b = {0.005, 0.025, 0.1, 0.25, 0.5,
                                                           1.0,   2.0,   4.0, 8.0,  15.0,
                                                           30.0,  60.0};
  return b;
}

const char* ResultName(ControllerMetrics::Result r) {
  switch (r) {
    case ControllerMetrics::Result::kSuccess: return "success";
    case ControllerMetrics::Result::kError: return "error";
    case ControllerMetrics::Result::kRequeue: return "requeue";
    case ControllerMetrics::Result::kRequeueAfter: return "requeue_after";
  }
  return "success";
}

}  // namespace

ControllerMetrics::ControllerMetrics(prometheus::Registry& registry)
    : reconcile_total_(prometheus::BuildCounter()
                           .Name("controller_runtime_reconcile_total")
                           .Help("Total number of reconciliations per controller")
                           .Register(registry)),
      reconcile_errors_(prometheus::BuildCounter()
                            .Name("controller_runtime_reconcile_errors_total")
                            .Help("Total number of reconciliation errors per controller")
                            .Register(registry)),
      reconcile_time_(prometheus::BuildHistogram()
                          .Name("controller_runtime_reconcile_time_seconds")
                          .Help("Length of time per reconciliation per controller")
                          .Register(registry)),
      active_workers_(prometheus::BuildGauge()
                          .Name("controller_runtime_active_workers")
                          .Help("Number of currently used workers per controller")
                          .Register(registry)),
      max_concurrent_(prometheus::BuildGauge()
                          .Name("controller_runtime_max_concurrent_reconciles")
                          .Help("Maximum number of concurrent reconciles per controller")
                          .Register(registry)),
      rest_requests_(prometheus::BuildCounter()
                         .Name("rest_client_requests_total")
                         .Help("Number of HTTP requests, partitioned by status code, method, and host")
                         .Register(registry)),
      rest_latency_(prometheus::BuildHistogram()
                        .Name("rest_client_request_duration_seconds")
                        .Help("Request latency in seconds, broken down by verb and host")
                        .Register(registry)) {}

void ControllerMetrics::ObserveReconcile(const std::string& controller, Result result,
                                         std::chrono::duration<double> took) {
  reconcile_total_.Add({{"controller", controller}, {"result", ResultName(result)}}).Increment();
  if (result == Result::kError) reconcile_errors_.Add({{"controller", controller}}).Increment();
  reconcile_time_.Add({{"controller", controller}}, ReconcileBuckets()).Observe(took.count());
}

prometheus::Gauge& ControllerMetrics::ActiveWorkers(const std::string& controller) {
  return active_workers_.Add({{"controller", controller}});
}

void ControllerMetrics::SetMaxConcurrentReconciles(const std::string& controller, int workers) {
  max_concurrent_.Add({{"controller", controller}}).Set(workers);
}

void ControllerMetrics::ObserveRestRequest(const std::string& method, const std::string& host,
                                           int code, std::chrono::duration<double> took) {
  rest_requests_
      .Add({{"code", code > 0 ? std::to_string(code) : std::string("<error>")},
            {"method", method},
            {"host", host}})
      .Increment();
  rest_latency_.Add({{"verb", method}, {"host", host}}, RestBuckets()).Observe(took.count());
}

}  // namespace modelgate
