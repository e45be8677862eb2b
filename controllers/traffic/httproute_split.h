// The pure part of the Gateway API router: how a TrafficSplit is written into, and read from, a
// gateway.networking.k8s.io/v1 HTTPRoute object. No I/O.
//
// Managed rules: every spec.rules[i] with a backendRef to the champion Service (name ==
// target.champion_service, group "" / kind Service or unset, namespace unset or target.ns).
// In each managed rule:
//   - the champion backendRef gets weight 100 - canary_weight, the canary backendRef
//     (target.canary_service) weight canary_weight; a missing canary backendRef is appended with
//     the champion ref's group/kind/namespace/port (never its filters). Both stay listed at 0.
//   - mirror_percent > 0: one rule-level RequestMirror filter to target.shadow_service with
//     `percent: mirror_percent` (an existing one of ours is updated; its `fraction` replaced,
//     since the CRD allows only one of the two); mirror_percent 0: our RequestMirror filters are
//     removed (and `filters` itself when it ends up empty). "Ours" = a RequestMirror filter whose
//     backendRef names target.shadow_service.
// Everything else (other rules, other backendRefs and their weights, other filters, matches,
// unknown fields) is left exactly as it was.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controllers/traffic/router.h"
#include "operator/kube/status.h"

namespace modelgate::traffic {

// An ObjectEdit (see verified_write.h): edits `route` to carry `split`, appending one
// "<field>: want .., got .." line per change. kInvalid (naming the field) when the route has no
// rule with a backendRef to the champion, or spec.rules / backendRefs / filters have the wrong
// shape; kInvalid for a split outside 0..100.
kube::Status EditHttpRouteSplit(nlohmann::json& route, const RouteTarget& target,
                                const TrafficSplit& split, std::vector<std::string>& changes);

// The split of the first managed rule: canary share of champion+canary weights (an unset weight
// is 1, the Gateway API default; a missing canary ref is 0), and the percent of our
// RequestMirror filter (`percent`, or `fraction` as a percentage, or 100 when neither; 0 when
// there is none). kInvalid when no rule is managed or both weights are 0.
kube::Result<TrafficSplit> ReadHttpRouteSplit(const nlohmann::json& route, const RouteTarget& target);

}  // namespace modelgate::traffic
