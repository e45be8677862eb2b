// The pure part of the replicas router (no mesh): how a canary weight becomes two replica
// counts, and back. No I/O.
//
//   canary   = round(total * canary_weight / 100), at least 1 when canary_weight > 0
//   champion = total - canary, at least 1 while canary_weight < 100
// So a small total over-provisions rather than starving a variant that should get traffic
// (total 3 at weight 10 -> champion 2, canary 1: the real share is 33 %, not 10 %).
#pragma once

#include "operator/kube/status.h"

namespace modelgate::traffic {

struct ReplicaCounts {
  int champion = 0;
  int canary = 0;
  bool operator==(const ReplicaCounts&) const = default;
};

// kInvalid when total_replicas < 1 or canary_weight is outside 0..100.
kube::Result<ReplicaCounts> ReplicasForWeight(int total_replicas, int canary_weight);

// The canary's share of the replicas in percent (rounded); kInvalid when both are 0.
kube::Result<int> WeightOfReplicas(const ReplicaCounts& replicas);

}  // namespace modelgate::traffic
