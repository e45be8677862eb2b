// AdmissionReconciler: the effect layer around DecideAdmission (admission.h) for one kind.
// Reads the object from the informer cache, asks the pure decision for the desired status, and,
// when it changed, writes it through the status subresource (optimistic concurrency: a conflict
// is retried after the cache catches up), then records the decision's Events and logs one
// structured line per transition. Thread-safe: distinct keys may be reconciled concurrently (the
// work queue never hands one key to two workers).
#pragma once

#include <string>

#include "controllers/reconcile_outcome.h"
#include "operator/kube/client.h"
#include "operator/kube/clock.h"
#include "operator/kube/event_recorder.h"
#include "operator/kube/informer.h"

namespace modelgate::controllers {

class AdmissionReconciler {
 public:
  // None of the references is owned; all must outlive the reconciler.
  AdmissionReconciler(const kube::Client& client, const kube::Resource& resource,
                      const kube::Informer& cache, kube::EventRecorder& events, kube::Clock& clock);

  ReconcileOutcome Reconcile(const std::string& key);

 private:
  const kube::Client& client_;
  const kube::Resource& resource_;
  const kube::Informer& cache_;
  kube::EventRecorder& events_;
  kube::Clock& clock_;
};

}  // namespace modelgate::controllers
