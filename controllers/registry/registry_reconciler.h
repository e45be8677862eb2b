// RegistryReconciler: keeps the model registry and the audit trail in step with each
// ModelCandidate (docs/registry.md). It runs beside the candidate and rollout controllers, on its
// own work queue, and only ever writes status.registry and the RegistrySynced condition: the
// registry is never on the traffic path (a rollback has moved traffic before the candidate's
// status says RolledBack, and only then does this reconciler see it).
//
// Per reconcile of one candidate (read from the API server, so the audit bookkeeping in
// status.registry is never older than what the previous reconcile wrote):
//   1. audit records (audit_record.h; of the candidate and of the rollout history entries that
//      name it) not seen before are logged (one JSON line each, message
//      "audit record") and, with spec.registry.mlflow, queued in status.registry.pendingAudit, so a
//      record survives a registry outage and a restart;
//   2. with spec.registry.mlflow, once status.registry.nextAttemptAt has passed: the desired
//      aliases, stage and tags (sync_plan.h) are applied when their digest differs from
//      status.registry.appliedDigest (read the registry, plan, apply in order: idempotent), then
//      the pending audit records are uploaded to the candidate's run in the experiment
//      modelgate/<registered model>, oldest first;
//   3. status.registry and RegistrySynced are written (resourceVersion precondition). A failure
//      is RegistrySynced=False naming the registry, the HTTP status and MLflow's message, retried
//      with exponential backoff (1 s doubling to 1 min) kept in the status; a new generation of the
//      candidate (e.g. corrected credentials) is tried at once.
// Thread-safe for distinct keys.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "controllers/reconcile_outcome.h"
#include "controllers/registry/model_registry.h"
#include "controllers/registry/registry_spec.h"
#include "operator/kube/client.h"
#include "operator/kube/clock.h"
#include "operator/kube/event_recorder.h"
#include "operator/kube/informer.h"

namespace modelgate::controllers::registry {


inline constexpr size_t kMaxSeenRecords = 300;

class RegistryReconciler {
 public:
  // References are not owned and must outlive the reconciler.
  // `rollouts` is the cache of ModelRollouts: their history holds the rollout steps and manual
  // actions of a candidate (audit_record.h); the owner enqueues a rollout's spec.candidateRef when
  // the rollout changes.
  RegistryReconciler(const kube::Client& client, const kube::Informer& candidates, const kube::Informer& rollouts,
                     kube::EventRecorder& events, kube::Clock& clock, RegistryFactory factory,
                     std::string operator_version);

  ReconcileOutcome Reconcile(const std::string& key);

 private:
  const kube::Client& client_;
  const kube::Informer& candidates_;
  const kube::Informer& rollouts_;
  kube::EventRecorder& events_;
  kube::Clock& clock_;
  RegistryFactory factory_;
  std::string operator_version_;
};

}  // namespace modelgate::controllers::registry
