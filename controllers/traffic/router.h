// TrafficRouter: one interface over the three ways a ModelRollout moves traffic (spec.traffic):
// a Gateway API HTTPRoute, an Istio VirtualService, or (no mesh) the replica ratio of two
// Deployments. The rollout controller (controllers/rollout/) only ever talks to this interface.
//
// Contract, for every implementation:
//   - Apply() writes the desired split, then reads the object back from the API server and
//     returns an error (a kInternal Status with a message naming the object and the field)
//     when what it reads differs from what it wrote: a silent no-op is an error, never a success.
//   - Weights are integers 0..100: `canary_weight` goes to the canary backend, the rest
//     (100 - canary_weight) to the champion. The total is never 0: a request with
//     canary_weight 100 still keeps the champion backend listed (weight 0) so that a rollback is
//     a single write.
//   - `mirror_percent` > 0 mirrors that share of the champion's traffic to the shadow backend;
//     0 removes the mirror. Routers that cannot mirror (replicas) return a kInvalid Status
//     for mirror_percent > 0 — the reconciler turns it into an `Invalid` condition up front, via
//     SupportsMirroring().
//   - Only the rules/routes that send traffic to target.service are touched; other rules, other
//     backends and unrelated fields of the object are preserved byte-for-byte (read-modify-write
//     with the object's resourceVersion; a 409 Conflict is retried a bounded number of times).
//   - Apply() is idempotent: applying the state that is already there does not write.
//   - Observe() reads the current split from the object (for status and for resuming after a
//     restart) without writing.
// Thread-safety: implementations hold no mutable state; calls for different rollouts may run
// concurrently.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "operator/kube/client.h"
#include "operator/kube/status.h"

namespace modelgate::traffic {

// What a rollout routes, resolved from the ModelRollout spec by the controller.
struct RouteTarget {
  std::string ns;
  // spec.traffic.gatewayAPI.httpRoute or spec.traffic.istio.virtualService; empty for replicas.
  std::string route_name;
  // spec.traffic.istio.routes: names of the VirtualService http routes to manage (empty = every
  // http route with a destination of champion_service).
  std::vector<std::string> istio_routes;
  // Service names of the variants: spec.target.service, "<service>-canary", "<service>-shadow".
  std::string champion_service;
  std::string canary_service;
  std::string shadow_service;
  // Replicas router only: the Deployments whose replica counts approximate the split, and the
  // total number of replicas to distribute (the champion Deployment's replicas when the rollout
  // started, recorded in the rollout's status).
  std::string champion_deployment;
  std::string canary_deployment;
  int total_replicas = 0;
};

struct TrafficSplit {
  int canary_weight = 0;   // 0..100
  int mirror_percent = 0;  // 0..100; 0 = no mirror
  bool operator==(const TrafficSplit&) const = default;
};

class TrafficRouter {
 public:
  virtual ~TrafficRouter() = default;
  // "gatewayAPI", "istio" or "replicas": names the provider in conditions and logs.
  virtual std::string kind() const = 0;
  virtual bool SupportsMirroring() const = 0;
  // Writes `split` (see the contract above) and verifies it by reading back.
  virtual kube::Status Apply(const RouteTarget& target, const TrafficSplit& split) const = 0;
  // The split currently in the object. NotFound when the route object does not exist.
  virtual kube::Result<TrafficSplit> Observe(const RouteTarget& target) const = 0;
};

// `kind` is one of "gatewayAPI", "istio", "replicas"; nullptr for anything else. The client is
// not owned and must outlive the router.
std::unique_ptr<TrafficRouter> MakeTrafficRouter(const std::string& kind, const kube::Client& client);

}  // namespace modelgate::traffic
