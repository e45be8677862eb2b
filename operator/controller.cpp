#include "operator/controller.h"

#include <spdlog/spdlog.h>

#include "operator/kube/logging.h"

namespace modelgate {

Controller::Controller(const kube::Client& client, ControllerOptions options)
    : options_(std::move(options)) {
  queue_ = std::make_unique<kube::WorkQueue>(
      kube::WorkQueueOptions{.name = options_.name, .registry = options_.registry});
  kube::InformerHandlers handlers;
  auto enqueue = [this](const kube::json& object) {
    queue_->Add(kube::Informer::KeyOf(object));
    if (options_.also_notify) options_.also_notify(object);
  };
  handlers.on_add = enqueue;
  handlers.on_update = [enqueue](const kube::json&, const kube::json& now) { enqueue(now); };
  handlers.on_delete = enqueue;
  informer_ = std::make_unique<kube::Informer>(
      client, kube::InformerOptions{.resource = options_.resource, .ns = options_.ns},
      std::move(handlers));
  if (options_.metrics) options_.metrics->SetMaxConcurrentReconciles(options_.name, options_.workers);
}

Controller::~Controller() { Stop(); }

void Controller::StartInformer() { informer_->Start(); }

void Controller::StartWorkers() {
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { Work(); });
  LogEvent("info", "workers started", {{"controller", options_.name}, {"workers", options_.workers}});
}

void Controller::Stop() {
  if (stopped_.exchange(true)) return;
  queue_->ShutDown();
  for (auto& w : workers_) w.join();
  workers_.clear();
  informer_->Stop();
}

void Controller::Work() {
  prometheus::Gauge* active = options_.metrics ? &options_.metrics->ActiveWorkers(options_.name) : nullptr;
  while (std::optional<std::string> key = queue_->Get()) {
    if (active) active->Increment();
    const auto start = std::chrono::steady_clock::now();
    controllers::ReconcileOutcome outcome;
    try {
      outcome = reconcile_(*key);
    } catch (const std::exception& e) {
      // A reconciler bug must not take the operator down with it: record and retry with backoff.
      outcome = controllers::ReconcileOutcome::Retry(
          kube::Status(kube::StatusCode::kInternal, std::string("reconcile threw: ") + e.what()));
    }
    ControllerMetrics::Result result = ControllerMetrics::Result::kSuccess;
    if (!outcome.status.ok()) {
      result = ControllerMetrics::Result::kError;
      LogEvent("error", "reconcile failed",
               {{"controller", options_.name}, {"key", *key}, {"error", outcome.status.ToString()}});
      if (outcome.status.retry_after()) {
        queue_->AddAfter(*key, *outcome.status.retry_after());
      } else {
        queue_->AddRateLimited(*key);
      }
    } else if (outcome.requeue_after) {
      result = ControllerMetrics::Result::kRequeueAfter;
      queue_->Forget(*key);
      queue_->AddAfter(*key, *outcome.requeue_after);
    } else {
      queue_->Forget(*key);
    }
    if (options_.metrics) {
      options_.metrics->ObserveReconcile(options_.name, result, std::chrono::steady_clock::now() - start);
    }
    if (active) active->Decrement();
    queue_->Done(*key);
  }
}

}  // namespace modelgate
