// CandidateReconciler: the effect layer of the ModelCandidate controller around DecideCandidate
// (candidate_decision.h). Per reconcile it reads the candidate from the informer cache, finds the
// champion among the cached candidates, checks the gate pool for the current gate run, GETs the
// training Job while the phase is Training, asks the decision, and performs what it returns:
//   1. the gate report into the ConfigMap "<name>-gate-reports" (owned by the candidate),
//   2. the training Job (create; AlreadyExists = adopt, so a restart never makes a second one),
//   3. the status, through the status subresource with the object's resourceVersion (a conflict
//      is retried after the cache catches up, so the rollout controller is never clobbered),
//   4. only then: start the gate run on the pool / mark the consumed result, record the Events
//      and log one JSON line per transition (namespace, name, model, version, trigger, gate,
//      decision).
// Gate runs never execute on the reconcile workers. Thread-safe for distinct keys.
#pragma once

#include <memory>
#include <string>

#include "controllers/candidate/gate_pool.h"
#include "controllers/candidate/gate_run.h"
#include "controllers/reconcile_outcome.h"
#include "controllers/registry/model_registry.h"
#include "operator/kube/client.h"
#include "operator/kube/clock.h"
#include "operator/kube/event_recorder.h"
#include "operator/kube/informer.h"

namespace modelgate::controllers::candidate {

struct CandidateReconcilerOptions {
  int gate_workers = 2;            // threads evaluating gates
  size_t gate_queue_capacity = 64; // runs waiting beyond the busy threads
  GateLimits limits;               // per evaluation: bytes, rows, timeout
  // The registry client of a candidate with spec.registry.mlflow.championSource: Registry: gates 2
  // and 3 compare with the candidate the registry's champion alias names (registry_champion.h),
  // looked up on the gate pool (never on a reconcile worker). Unset: such a gate waits
  // (SourceUnavailable) naming the missing support.
  registry::RegistryFactory registry_factory;
};

class CandidateReconciler {
 public:
  // None of the references is owned; all must outlive the reconciler. `fetcher` null: the
  // ClusterInputFetcher over `client`.
  CandidateReconciler(const kube::Client& client, const kube::Informer& cache, kube::EventRecorder& events,
                      kube::Clock& clock, CandidateReconcilerOptions options = {},
                      std::shared_ptr<InputFetcher> fetcher = nullptr);

  ReconcileOutcome Reconcile(const std::string& key);

  GatePool& pool() { return *pool_; }

 private:
  kube::Status StoreReport(const nlohmann::json& object, const std::string& key, const std::string& text);

  const kube::Client& client_;
  const kube::Informer& cache_;
  kube::EventRecorder& events_;
  kube::Clock& clock_;
  CandidateReconcilerOptions options_;
  std::shared_ptr<InputFetcher> fetcher_;
  std::unique_ptr<GatePool> pool_;  // last: destroyed (and joined) first
};

}  // namespace modelgate::controllers::candidate
