// Controller: one informer, one work queue and N workers for one kind, driving a reconcile
// function (controllers/*_reconciler.h). The informer starts before leadership is won so a new
// leader has a warm cache; workers start only once this process leads.
//
// Keys are "namespace/name". Every informer event enqueues the object's key; the queue
// deduplicates, never gives one key to two workers, and applies the outcome's retry policy
// (controllers/reconcile_outcome.h). Thread-safety: Start*/Stop from the owning thread only.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "controllers/reconcile_outcome.h"
#include "operator/controller_metrics.h"
#include "operator/kube/client.h"
#include "operator/kube/informer.h"
#include "operator/kube/workqueue.h"

namespace modelgate {

struct ControllerOptions {
  std::string name;           // e.g. "modelcandidate"; labels metrics and logs
  kube::Resource resource;
  std::string ns;             // "" = all namespaces
  int workers = 2;
  prometheus::Registry* registry = nullptr;  // not owned; may be null
  ControllerMetrics* metrics = nullptr;      // not owned; may be null
  // Called with every object the informer delivers (add, update, delete), on the informer's
  // thread, after this controller's own key was queued: lets another controller queue the keys of
  // the objects it derives from this kind (e.g. a candidate's pipeline). Must be quick.
  std::function<void(const kube::json& object)> also_notify;
};

class Controller {
 public:
  using ReconcileFn = std::function<controllers::ReconcileOutcome(const std::string& key)>;

  Controller(const kube::Client& client, ControllerOptions options);
  ~Controller();  // Stop()

  // The cache; valid for the controller's lifetime. Reconcilers read objects from it.
  const kube::Informer& cache() const { return *informer_; }
  void SetReconciler(ReconcileFn fn) { reconcile_ = std::move(fn); }
  // Queues a key ("namespace/name") for a reconcile. Thread-safe; a no-op after Stop.
  void Enqueue(const std::string& key) { queue_->Add(key); }

  void StartInformer();
  bool WaitForSync(std::chrono::milliseconds timeout) const { return informer_->WaitForSync(timeout); }
  // Starts the workers. Requires SetReconciler. Call once.
  void StartWorkers();
  // Shuts the queue down, lets in-flight reconciles finish, joins the workers, stops the informer.
  void Stop();

 private:
  void Work();

  ControllerOptions options_;
  std::unique_ptr<kube::WorkQueue> queue_;
  std::unique_ptr<kube::Informer> informer_;
  ReconcileFn reconcile_;
  std::vector<std::thread> workers_;
  std::atomic<bool> stopped_{false};
};

}  // namespace modelgate
