// ReplicasRouter: the TrafficRouter for spec.traffic.replicas (no mesh). The Service selects the
// pods of both Deployments, so the canary's share of traffic is approximated by its share of the
// replicas: Apply() sets spec.replicas of target.canary_deployment and
// target.champion_deployment from target.total_replicas (see replica_split.h), and records the
// exact weight in the canary Deployment's annotation modelgate.io/canary-weight so that Observe()
// can report it (the ratio alone is coarse with few replicas).
//
// Order: the Deployment that grows is written first, so capacity never dips during a step or a
// rollback. Each write is a verified read-modify-write (verified_write.h) of that Deployment.
// No mirroring: SupportsMirroring() is false and mirror_percent > 0 is kInvalid.
// Errors name "Deployment <ns>/<name>". Thread-safe; the client must outlive the router.
#pragma once

#include <string>

#include "controllers/traffic/router.h"

namespace modelgate::traffic {

inline constexpr char kCanaryWeightAnnotation[] = "modelgate.io/canary-weight";

class ReplicasRouter : public TrafficRouter {
 public:
  explicit ReplicasRouter(const kube::Client& client) : client_(client) {}

  std::string kind() const override { return "replicas"; }
  bool SupportsMirroring() const override { return false; }
  kube::Status Apply(const RouteTarget& target, const TrafficSplit& split) const override;
  // The weight recorded in the annotation when the replica counts still match it, otherwise the
  // canary's share of the two Deployments' spec.replicas. mirror_percent is always 0.
  kube::Result<TrafficSplit> Observe(const RouteTarget& target) const override;

 private:
  const kube::Client& client_;
};

}  // namespace modelgate::traffic
