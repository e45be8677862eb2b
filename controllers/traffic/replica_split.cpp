#include "controllers/traffic/replica_split.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "controllers/traffic/verified_write.h"

namespace modelgate::traffic {

kube::Result<ReplicaCounts> ReplicasForWeight(int total_replicas, int canary_weight) {
  if (total_replicas < 1) {
    return kube::Status(kube::StatusCode::kInvalid,
                        "total replicas to distribute must be at least 1, got " +
                            std::to_string(total_replicas) +
                            " (the champion Deployment's replicas when the rollout started)");
  }
  if (kube::Status s = ValidateSplit(canary_weight, 0); !s.ok()) return s;
  int canary = static_cast<int>(std::lround(total_replicas * canary_weight / 100.0));
  if (canary_weight > 0) canary = std::max(canary, 1);
  int champion = total_replicas - canary;
  if (canary_weight < 100) champion = std::max(champion, 1);
  return ReplicaCounts{.champion = champion, .canary = canary};
}

kube::Result<int> WeightOfReplicas(const ReplicaCounts& replicas) {
  return CanaryPercent(replicas.champion, replicas.canary, "spec.replicas of the two Deployments");
}

}  // namespace modelgate::traffic
