// RolloutReconciler: the effect layer around DecideRollout (rollout_decision.h).
//
// One Reconcile(key):
//   1. reads the ModelRollout from the API server (not the cache: a decision must never act on a
//      status older than the one it wrote), its ModelCandidate, the champion candidate (while
//      Pending), the champion / canary / shadow Deployments and the route's split;
//   2. when an analysis measurement is due (MeasurementDue), runs the interval's queries through
//      the rollout's MetricsProvider on this worker thread (each query bounded by
//      spec.analysis.prometheus.timeout; an unreachable server fails the remaining queries fast);
//   3. asks DecideRollout() and applies what it returned, in this order: create/update the
//      variant workloads (and the stable Deployment at the end of a promotion), set the traffic
//      split through the TrafficRouter (which reads the route back), delete workloads that must
//      go (so a rollback always moves traffic first), write the ModelCandidates' phases;
//   4. writes the status with its resourceVersion (a 409 re-reads and re-decides), then records
//      the Events and one JSON log line per Event, and sets the analysis gauges;
//   5. repeats from 1 while the decision says another transition follows at once (bounded), and
//      requeues itself at the next analysis instant, soak end or deadline.
// An effect that fails leaves the status as it was (but for a ReconcileError condition) and is
// retried with backoff. Thread-safe: distinct keys may be reconciled concurrently.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "controllers/reconcile_outcome.h"
#include "controllers/rollout/analysis_gauges.h"
#include "controllers/registry/model_registry.h"
#include "controllers/rollout/rollout_decision.h"
#include "controllers/traffic/router.h"
#include "gates/analysis/metrics_provider.h"
#include "operator/kube/client.h"
#include "operator/kube/clock.h"
#include "operator/kube/event_recorder.h"

namespace modelgate::controllers::rollout {

// Builds the MetricsProvider of spec.analysis.prometheus for a rollout in namespace `ns` (reading
// the bearer-token / CA Secrets it names). An error (bad address, missing Secret) makes that
// interval's measurements Error verdicts: a monitoring problem, held and then failed safe.
using ProviderFactory = std::function<kube::Result<std::shared_ptr<gates::analysis::MetricsProvider>>(
    const std::string& ns, const gates::analysis::PrometheusSpec& prometheus)>;
// MakeTrafficRouter bound to a client; nullptr for an unknown kind.
using RouterFactory = std::function<std::unique_ptr<traffic::TrafficRouter>(const std::string& kind)>;

class RolloutReconciler {
 public:
  // client, events and clock are not owned and must outlive the reconciler; gauges may be null.
  // `registry` (may be empty): the registry client of a challenger with
  // spec.registry.mlflow.championSource: Registry, whose champion is the candidate the registry's
  // champion alias names (registry_champion.h). It is read only while the rollout is Pending,
  // before any traffic moves, and recorded in status.champion: a rollback never waits on it. An
  // unreadable alias holds the rollout in Pending (ReconcileError naming the registry), retried.
  RolloutReconciler(const kube::Client& client, kube::EventRecorder& events, kube::Clock& clock,
                    RouterFactory routers, ProviderFactory providers, AnalysisGauges* gauges,
                    registry::RegistryFactory registry = nullptr);

  ReconcileOutcome Reconcile(const std::string& key);

 private:
  struct Gathered;
  kube::Status Gather(const nlohmann::json& rollout, Gathered& out) const;
  kube::Status Apply(const Gathered& world, const RolloutDecision& decision) const;
  kube::Status EnsureVariant(const Gathered& world, const std::string& variant, int replicas) const;
  kube::Status RemoveVariant(const std::string& ns, const std::string& deployment, const std::string& service) const;
  kube::Status UpdateCandidate(const std::string& ns, const CandidateUpdate& update) const;
  std::shared_ptr<gates::analysis::MetricsProvider> Provider(const std::string& ns,
                                                             const gates::analysis::PrometheusSpec& spec);
  void Report(const nlohmann::json& written, const RolloutDecision& decision) const;

  const kube::Client& client_;
  kube::EventRecorder& events_;
  kube::Clock& clock_;
  RouterFactory routers_;
  ProviderFactory providers_;
  AnalysisGauges* gauges_;
  registry::RegistryFactory registry_;
  std::mutex providers_mu_;
  std::map<std::string, std::shared_ptr<gates::analysis::MetricsProvider>> provider_cache_;
};

}  // namespace modelgate::controllers::rollout
