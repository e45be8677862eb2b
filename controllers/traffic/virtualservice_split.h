// The pure part of the Istio router: how a TrafficSplit is written into, and read from, a
// networking.istio.io/v1 VirtualService object. No I/O.
//
// Managed http routes: those named in target.istio_routes (each must exist and send traffic to
// the champion), or, when that list is empty, every spec.http[i] with a route[].destination.host
// equal to target.champion_service or starting with "<champion_service>." (short and FQDN hosts).
// In each managed route:
//   - route[] weights: champion destination 100 - canary_weight, canary destination
//     canary_weight; a missing canary destination is appended with the champion's host shape
//     (the same suffix after the first dot), port and subset. Both stay listed at weight 0.
//     Other destinations keep their weights (Istio wants the weights of a route to sum to 100:
//     a route with a third weighted destination is the user's to keep consistent).
//   - mirror_percent > 0: `mirror: {host: <shadow host>, port: <champion's port>}` and
//     `mirrorPercentage: {value: mirror_percent}`; an existing mirror to another host is an error
//     (kInvalid), never overwritten. mirror_percent 0: our mirror and mirrorPercentage (and the
//     deprecated mirrorPercent) are removed; a mirror to another host is left alone.
// Everything else in the object is left exactly as it was.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controllers/traffic/router.h"
#include "operator/kube/status.h"

namespace modelgate::traffic {

// An ObjectEdit (see verified_write.h). kInvalid naming the field when a named route does not
// exist or has no champion destination, when no route sends traffic to the champion, when
// spec.http / route have the wrong shape, when the route already mirrors to another host, or
// for a split outside 0..100.
kube::Status EditVirtualServiceSplit(nlohmann::json& virtual_service, const RouteTarget& target,
                                     const TrafficSplit& split, std::vector<std::string>& changes);

// The split of the first managed route: canary share of champion+canary weights (an unset
// weight is 100 when the route has a single destination, 0 otherwise), and mirrorPercentage.value
// (or the deprecated mirrorPercent; 100 when neither) when `mirror` is our shadow host, else 0.
// Same errors as the edit for a missing/unmanaged route, and kInvalid when both weights are 0.
kube::Result<TrafficSplit> ReadVirtualServiceSplit(const nlohmann::json& virtual_service,
                                                   const RouteTarget& target);

}  // namespace modelgate::traffic
